//! Bringing a ticket over from another workspace with its whole past: what connecting a
//! local workspace to a server uploads ([`crate::op::Change::ImportTicket`]).
//!
//! A created ticket starts `new` at the server's "now"; an imported one keeps its status,
//! times, comments and history, so only staff may import, and the record is checked as a
//! whole: every field as on create, the history path, and no time after the deciding
//! clock. People are named by email and resolved by the deciding side's directory; the
//! organization is always the requester's as the directory knows it, never the record's.
//! The server numbers the ticket; the record's number stays as `former_number`, an alias
//! that search and `ticket show` still find.

use jiff::Timestamp;
use uuid::Uuid;

use crate::apply::{
    Context, FieldChange, MAX_CLOCK_AHEAD, Outcome, Person, normalise_site, normalise_tags,
};
use crate::error::DomainError;
use crate::record::TicketRecord;
use crate::sync::CommentState;
use crate::ticket::{Ticket, ticket_key};
use crate::user::Role;

/// What an import brings besides the ticket: its comments and its past audit trail, each
/// entry with its own time and actor.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Imported {
    pub comments: Vec<CommentState>,
    pub history: Vec<PastChange>,
}

/// One entry of an imported ticket's audit trail.
#[derive(Debug, Clone, PartialEq)]
pub struct PastChange {
    pub change: FieldChange,
    pub at: Timestamp,
    pub actor_id: Option<Uuid>,
}

fn person(ctx: &Context<'_>, what: &str, email: &str) -> Result<(Uuid, Person), DomainError> {
    ctx.directory.by_email(email).ok_or_else(|| {
        DomainError::invalid(
            "people",
            format!("{what} {email} is not a user of this workspace"),
        )
    })
}

fn not_after(field: &'static str, at: Timestamp, ctx: &Context<'_>) -> Result<(), DomainError> {
    if at > ctx.now + MAX_CLOCK_AHEAD {
        return Err(DomainError::invalid(
            field,
            format!(
                "{at} is in the future (the server's clock reads {})",
                ctx.now
            ),
        ));
    }
    Ok(())
}

/// Imports `record` as ticket `id`. The caller has checked that no ticket `id` exists.
pub fn import_ticket(
    id: Uuid,
    record: &TicketRecord,
    ctx: &Context<'_>,
) -> Result<Outcome, DomainError> {
    if !ctx.actor.is_staff() {
        return Err(DomainError::Forbidden(
            "only agents and admins bring tickets over from another workspace".into(),
        ));
    }
    record
        .validate(&ctx.rules.categories)
        .map_err(|e| DomainError::invalid("record", e))?;
    let times = [
        ("created_at", Some(record.created_at)),
        ("updated_at", Some(record.updated_at)),
        ("first_response_at", record.first_response_at),
        ("resolved_at", record.resolved_at),
        ("closed_at", record.closed_at),
    ];
    for (field, at) in times {
        if let Some(at) = at {
            not_after(field, at, ctx)?;
            if at < record.created_at {
                return Err(DomainError::invalid(
                    field,
                    format!("{at} is before the ticket was created"),
                ));
            }
        }
    }
    for c in &record.comments {
        not_after("comments", c.created_at, ctx)?;
    }
    for h in &record.history {
        not_after("history", h.at, ctx)?;
    }
    let tags = normalise_tags(&record.tags)?;
    let site = normalise_site(record.site.as_deref())?;
    if let Some(c) = record.csat.as_ref().and_then(|c| c.comment.as_deref()) {
        crate::apply::check_short("csat", c)?;
    }
    let requester = match &record.requester {
        Some(email) => Some(person(ctx, "requester", email)?),
        None => None,
    };
    let assignee_id = match &record.assignee {
        Some(email) => {
            let (id, p) = person(ctx, "assignee", email)?;
            if p.role == Role::Customer {
                return Err(DomainError::invalid(
                    "assignee",
                    format!("{email} is a customer; tickets are assigned to agents"),
                ));
            }
            Some(id)
        }
        None => None,
    };
    let team_id = match &record.team {
        Some(name) => Some(ctx.directory.team_named(name).ok_or_else(|| {
            DomainError::invalid("team", format!("{name} is not a team of this workspace"))
        })?),
        None => None,
    };
    let mut comments = Vec::with_capacity(record.comments.len());
    for c in &record.comments {
        let (author_id, author) = person(ctx, "comment author", &c.author)?;
        comments.push(CommentState {
            id: c.id.unwrap_or_else(crate::new_id),
            ticket_id: id,
            author_id,
            visibility: c.visibility,
            by_agent: author.role != Role::Customer,
            body: c.body.clone(),
            created_at: c.created_at,
            deleted: false,
        });
    }
    let history = record
        .effective_history()
        .into_iter()
        .map(|h| PastChange {
            change: FieldChange {
                field: "status",
                from: Some(h.from.to_string()),
                to: Some(h.to.to_string()),
            },
            at: h.at,
            actor_id: h
                .actor
                .as_deref()
                .and_then(|e| ctx.directory.by_email(e))
                .map(|(id, _)| id),
        })
        .collect();
    let ticket = Ticket {
        id,
        number: record.number.unwrap_or(0),
        former_number: record.number,
        title: record.title.trim().to_string(),
        description: record.description.clone(),
        kind: record.kind,
        category: record.category.trim().to_lowercase(),
        status: record.status,
        priority: record.priority,
        channel: record.channel,
        requester_id: requester.map(|(id, _)| id),
        // The organization is the requester's, as this side knows them.
        organization_id: requester
            .filter(|(_, p)| p.role == Role::Customer)
            .and_then(|(_, p)| p.organization_id),
        assignee_id,
        team_id,
        tier: record.tier,
        tags,
        asset_id: None,
        site,
        created_at: record.created_at,
        updated_at: record.updated_at,
        first_response_at: record.first_response_at,
        resolved_at: record.resolved_at,
        closed_at: record.closed_at,
        resolution: record.resolution.clone(),
        csat: record.csat.clone(),
        followup: None,
        merged_into: None,
    };
    let imported = FieldChange {
        field: "imported",
        from: record.number.map(ticket_key),
        to: Some(record.status.to_string()),
    };
    let mut outcome = Outcome::ticket(ticket, vec![imported], ctx.now);
    outcome.imported = Some(Box::new(Imported { comments, history }));
    Ok(outcome)
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;
    use crate::apply::{Directory, Rules};
    use crate::user::User;

    struct People(HashMap<String, (Uuid, Person)>);

    impl Directory for People {
        fn person(&self, id: Uuid) -> Option<Person> {
            self.0.values().find(|(i, _)| *i == id).map(|(_, p)| *p)
        }
        fn team_exists(&self, _: Uuid) -> bool {
            false
        }
        fn by_email(&self, email: &str) -> Option<(Uuid, Person)> {
            self.0.get(&email.to_lowercase()).copied()
        }
    }

    fn user(role: Role, org: Option<Uuid>) -> User {
        User {
            id: Uuid::now_v7(),
            email: "x@example.com".into(),
            name: "X".into(),
            role,
            organization_id: org,
            org_admin: false,
            team_id: None,
            tier: None,
            field: false,
            created_at: "2026-01-01T00:00:00Z".parse().unwrap(),
        }
    }

    fn record() -> TicketRecord {
        serde_json::from_value(serde_json::json!({
            "number": 12,
            "title": "Printer jams",
            "kind": "incident",
            "category": "hardware",
            "status": "resolved",
            "priority": "P2",
            "channel": "phone",
            "tier": "L1",
            "requester": "carol@acme.example",
            "organization": "Someone Else Inc",
            "created_at": "2026-09-01T08:00:00Z",
            "updated_at": "2026-09-02T08:00:00Z",
            "resolved_at": "2026-09-02T08:00:00Z",
            "resolution": {"cause": "roller", "solution": "replaced"},
            "comments": [{"author": "alice@desk.example", "visibility": "public",
                          "body": "On my way", "created_at": "2026-09-01T09:00:00Z"}],
            "history": [
                {"at": "2026-09-01T09:00:00Z", "from": "new", "to": "open", "actor": "alice@desk.example"},
                {"at": "2026-09-02T08:00:00Z", "from": "open", "to": "resolved"}
            ]
        }))
        .unwrap()
    }

    fn directory(acme: Uuid, alice: Uuid, carol: Uuid) -> People {
        People(HashMap::from([
            (
                "alice@desk.example".to_string(),
                (
                    alice,
                    Person {
                        role: Role::Agent,
                        organization_id: None,
                    },
                ),
            ),
            (
                "carol@acme.example".to_string(),
                (
                    carol,
                    Person {
                        role: Role::Customer,
                        organization_id: Some(acme),
                    },
                ),
            ),
        ]))
    }

    #[test]
    fn staff_import_keeps_the_past_and_takes_the_organization_from_the_directory() {
        let (acme, alice, carol) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
        let dir = directory(acme, alice, carol);
        let agent = user(Role::Agent, None);
        let rules = Rules::default();
        let ctx = Context {
            actor: &agent,
            rules: &rules,
            now: "2026-11-28T00:00:00Z".parse().unwrap(),
            directory: &dir,
        };
        let id = Uuid::now_v7();
        let o = import_ticket(id, &record(), &ctx).unwrap();
        assert_eq!(o.ticket.former_number, Some(12));
        assert_eq!(o.ticket.status, crate::status::Status::Resolved);
        assert_eq!(o.ticket.requester_id, Some(carol));
        assert_eq!(o.ticket.organization_id, Some(acme));
        let imported = o.imported.unwrap();
        assert_eq!(imported.comments[0].author_id, alice);
        assert!(imported.comments[0].by_agent);
        assert_eq!(imported.history.len(), 2);
        assert_eq!(imported.history[0].actor_id, Some(alice));
        assert_eq!(imported.history[1].actor_id, None);
    }

    #[test]
    fn customers_future_times_and_unknown_people_are_refused() {
        let (acme, alice, carol) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
        let dir = directory(acme, alice, carol);
        let rules = Rules::default();
        let now = "2026-11-28T00:00:00Z".parse().unwrap();
        let customer = user(Role::Customer, Some(acme));
        let ctx = Context {
            actor: &customer,
            rules: &rules,
            now,
            directory: &dir,
        };
        let e = import_ticket(Uuid::now_v7(), &record(), &ctx).unwrap_err();
        assert_eq!(e.code(), "forbidden");

        let agent = user(Role::Agent, None);
        let ctx = Context {
            actor: &agent,
            ..ctx
        };
        let mut future = record();
        future.updated_at = "2027-01-01T00:00:00Z".parse().unwrap();
        let e = import_ticket(Uuid::now_v7(), &future, &ctx).unwrap_err();
        assert!(e.to_string().contains("in the future"), "{e}");

        let mut stranger = record();
        stranger.assignee = Some("nobody@desk.example".into());
        let e = import_ticket(Uuid::now_v7(), &stranger, &ctx).unwrap_err();
        assert!(e.to_string().contains("nobody@desk.example"), "{e}");

        let mut customer_assignee = record();
        customer_assignee.assignee = Some("carol@acme.example".into());
        assert!(import_ticket(Uuid::now_v7(), &customer_assignee, &ctx).is_err());

        let mut bad_category = record();
        bad_category.category = "printers".into();
        let e = import_ticket(Uuid::now_v7(), &bad_category, &ctx).unwrap_err();
        assert!(e.to_string().contains("printers"), "{e}");
    }
}
