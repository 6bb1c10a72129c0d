//! Changing the workspace rules from a device: a local workspace changes its own; a replica's
//! admin sends the change to the server (which decides it by the same rule) and keeps the
//! answer at once, so the app and the CLI have one entry point for both.

use helpdeck_core::sync::WorkspaceRules;
use helpdeck_core::workspace::RulesChange;
use helpdeck_store::Store;

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
