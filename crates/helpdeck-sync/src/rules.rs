//! Changing the workspace rules, and its people and teams, from a device: a local workspace changes its own; a replica's
//! admin sends the change to the server (which decides it by the same rule) and keeps the
//! answer at once, so the app and the CLI have one entry point for both.

use helpdeck_core::people::{
    Directory, PersonDraft, PersonPatch, PersonView, check_admin, check_new_person, validate_name,
};
use helpdeck_core::sync::WorkspaceRules;
use helpdeck_core::workspace::RulesChange;
use helpdeck_store::{Store, StoreError};

use crate::error::Result;
use crate::session::client_for;

/// Applies `change` where the rules live and returns the rules now in force here.
pub async fn change_rules(store: &Store, change: &RulesChange) -> Result<WorkspaceRules> {
    if store.admin().is_local() {
        return Ok(store.admin().change(change).await?);
    }
    // Decided here first by the same rule (a refusal names its field, offline too); the
    // server decides again against its current rules.
    store.admin().check(change).await?;
    let client = client_for(store).await?;
    let rules = client.change_rules(change).await?;
    store.admin().adopt(&rules).await?;
    Ok(rules)
}

/// Everyone and the teams: the server's full list for a replica's admin, else what this
/// workspace holds.
pub async fn directory(store: &Store) -> Result<Directory> {
    if store.admin().is_local() {
        return Ok(store.admin().directory().await?);
    }
    client_for(store).await?.people().await
}

/// Adds a person: here on a local workspace, on the server for a replica (checked here
/// first by the same rule, with the first password a server needs). The person reaches
/// every replica with its next pull.
pub async fn add_person(store: &Store, draft: &PersonDraft) -> Result<PersonView> {
    if store.admin().is_local() {
        return Ok(store.admin().add_person(draft).await?);
    }
    check_new_person(store.actor(), draft, true).map_err(StoreError::from)?;
    client_for(store).await?.add_person(draft).await
}

/// Changes a person's role, team, tier or organization (where the people live).
pub async fn update_person(store: &Store, patch: &PersonPatch) -> Result<PersonView> {
    if store.admin().is_local() {
        return Ok(store.admin().update_person(patch).await?);
    }
    let own_availability = patch
        .email
        .trim()
        .eq_ignore_ascii_case(&store.actor().email)
        && *patch
            == PersonPatch {
                email: patch.email.clone(),
                availability: patch.availability,
                ..Default::default()
            };
    if !own_availability {
        check_admin(store.actor()).map_err(StoreError::from)?;
    }
    client_for(store).await?.update_person(patch).await
}

/// Which assignment rule a ticket would match and why: decided here on a local workspace,
/// by the server for a replica (which holds everyone's skills, availability and load).
pub async fn routing_test(
    store: &Store,
    reference: &str,
) -> Result<helpdeck_core::routing::Decision> {
    if store.admin().is_local() {
        return Ok(store.admin().explain_routing(reference).await?);
    }
    let probe = store.admin().routing_probe(reference).await?;
    client_for(store).await?.routing_test(&probe).await
}

/// Adds a team; returns every team.
pub async fn add_team(store: &Store, name: &str) -> Result<Vec<String>> {
    if store.admin().is_local() {
        return Ok(store.admin().add_team(name).await?);
    }
    check_admin(store.actor()).map_err(StoreError::from)?;
    validate_name("team", name).map_err(StoreError::from)?;
    client_for(store).await?.add_team(name).await
}
