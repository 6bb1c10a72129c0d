//! Jobs: changes nobody types, made by the system actor ([`User::system`]) and audited like
//! any other change. The server runs them for a synced workspace (each due job exactly once,
//! also with several server processes); a local workspace runs the same functions in the
//! app and the CLI. Each job only *finds* what is due and says which [`Change`] to make; the
//! change itself goes through the one rule engine like every other.
//!
//! [`User::system`]: crate::user::User::system

use jiff::Timestamp;

use crate::apply::Rules;
use crate::op::Change;
use crate::status::Status;
use crate::ticket::Ticket;

/// The close reason auto-close records.
pub const AUTO_CLOSE_REASON: &str = "auto_close";

/// When a resolved ticket closes by itself (spec §3: no answer for N days), if it is resolved.
pub fn auto_close_due_at(t: &Ticket, rules: &Rules) -> Option<Timestamp> {
    match (t.status, t.resolved_at) {
        (Status::Resolved, Some(resolved)) => Some(resolved + rules.auto_close_after),
        _ => None,
    }
}

/// The change that auto-closes `t` at `now`, if it is due.
pub fn auto_close(t: &Ticket, rules: &Rules, now: Timestamp) -> Option<Change> {
    let due = auto_close_due_at(t, rules)?;
    (due <= now).then(|| Change::Transition {
        from: Status::Resolved,
        to: Status::Closed,
        reason: Some(AUTO_CLOSE_REASON.to_string()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::SignedDuration;

    #[test]
    fn closes_resolved_tickets_after_the_rule_not_before() {
        let rules = Rules::default();
        let resolved_at = Timestamp::from_second(1_000_000).unwrap();
        let mut t: Ticket = serde_json::from_value(serde_json::json!({
            "id": "0190a1b2-0000-7000-8000-000000000002", "number": 1, "title": "x",
            "description": "", "kind": "incident", "category": "other", "status": "resolved",
            "priority": "P3", "channel": "phone", "requester_id": null, "organization_id": null,
            "assignee_id": null, "team_id": null, "tier": "L1", "tags": [], "asset_id": null,
            "site": null, "created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z",
            "first_response_at": null, "resolved_at": null, "closed_at": null,
            "resolution": null, "csat": null
        }))
        .unwrap();
        t.resolved_at = Some(resolved_at);
        let almost = resolved_at + rules.auto_close_after - SignedDuration::from_secs(1);
        assert_eq!(auto_close(&t, &rules, almost), None);
        assert!(auto_close(&t, &rules, resolved_at + rules.auto_close_after).is_some());
        t.status = Status::Closed;
        assert_eq!(
            auto_close(&t, &rules, resolved_at + rules.auto_close_after),
            None
        );
    }

    #[test]
    fn a_job_decided_on_a_stale_status_does_nothing() {
        use crate::apply::{Context, Target, TrustingDirectory, apply};
        let rules = Rules::default();
        let system = crate::user::User::system();
        let mut t: Ticket = serde_json::from_value(serde_json::json!({
            "id": "0190a1b2-0000-7000-8000-000000000002", "number": 1, "title": "x",
            "description": "", "kind": "incident", "category": "other", "status": "open",
            "priority": "P3", "channel": "phone", "requester_id": null, "organization_id": null,
            "assignee_id": null, "team_id": null, "tier": "L1", "tags": [], "asset_id": null,
            "site": null, "created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z",
            "first_response_at": null, "resolved_at": null, "closed_at": null,
            "resolution": null, "csat": null
        }))
        .unwrap();
        // The job saw it resolved; the requester reopened it since.
        let close = Change::Transition {
            from: Status::Resolved,
            to: Status::Closed,
            reason: Some(AUTO_CLOSE_REASON.into()),
        };
        let now = Timestamp::from_second(1_800_000_000).unwrap();
        let ctx = Context {
            actor: &system,
            rules: &rules,
            now,
            directory: &TrustingDirectory,
        };
        let target = Target {
            ticket: Some(&t),
            ..Target::default()
        };
        assert_eq!(apply(target, t.id, &close, now, &ctx), Ok(None));
        t.status = Status::Resolved;
        let target = Target {
            ticket: Some(&t),
            ..Target::default()
        };
        assert!(apply(target, t.id, &close, now, &ctx).unwrap().is_some());
    }
}
