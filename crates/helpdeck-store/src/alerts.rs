//! What the SLA monitor reads and writes: the tickets it schedules, the alerts that fired
//! (claimed once, across restarts and processes), the activity it has seen, the user's
//! notification preferences, and editing a policy's targets.

use helpdeck_core::workspace::RulesChange;
use std::collections::{HashMap, HashSet};

use helpdeck_core::Timestamp;
use helpdeck_core::notify::EventKind;
use helpdeck_core::notify::{
    Activity, ActivityChange, Fired, NotificationPrefs, Ownership, Recipient,
};
use helpdeck_core::sla::monitor::{AlertKey, AlertKind, MonitoredTicket};
use helpdeck_core::sla::{SlaFacts, SlaPolicy, TargetKind};
use helpdeck_core::status::Status;
use helpdeck_core::ticket::{Kind, Priority};
use helpdeck_core::user::Role;
use jiff::tz::TimeZone;
use sqlx::{QueryBuilder, Sqlite};
use uuid::Uuid;

use crate::error::Result;
use crate::rows::{ms, opt_uuid, ts, uuid};
use crate::sla::{FactRows, KeptHistory, evaluate_ticket, load_facts, sla_columns};
use crate::{Sla, Store};

/// A ticket as the monitor schedules it, with whose it is.
#[derive(Debug, Clone)]
pub struct WatchedTicket {
    pub ticket: MonitoredTicket,
    pub ownership: Ownership,
}

/// How far the monitor has read the audit trail and the comments.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ActivityCursor {
    pub events_seq: i64,
    pub comments_seq: i64,
}

/// What changed since a cursor: the tickets touched and the changes themselves.
#[derive(Debug, Clone, Default)]
pub struct ActivitySince {
    pub changed: Vec<Uuid>,
    pub activity: Vec<Activity>,
    pub cursor: ActivityCursor,
}

/// A change of the default policy (the same change a server admin makes).
pub type PolicyTargetsInput = helpdeck_core::sla::PolicyChange;

/// A watched ticket's columns ([`WATCHED_COLUMNS`], in that order: also read from a JSON
/// array of them).
#[derive(sqlx::FromRow, serde::Deserialize)]
struct WatchedRow {
    id: String,
    number: i64,
    priority: String,
    kind: String,
    status: String,
    organization_id: Option<String>,
    created_at: i64,
    assignee_id: Option<String>,
    team_id: Option<String>,
    requester_id: Option<String>,
}

const WATCHED_COLUMNS: &str = "t.id, t.number, t.priority, t.kind, t.status, t.organization_id, \
    t.created_at, t.assignee_id, t.team_id, t.requester_id";

fn ownership(
    assignee: Option<&str>,
    team: Option<&str>,
    requester: Option<&str>,
) -> Result<Ownership> {
    Ok(Ownership {
        assignee_id: opt_uuid(assignee)?,
        team_id: opt_uuid(team)?,
        requester_id: opt_uuid(requester)?,
    })
}

impl Store {
    /// Evaluates rows: each with its kept history, or (none) with its facts taken from
    /// `facts`.
    fn watched(
        &self,
        rows: Vec<(WatchedRow, Option<KeptHistory>)>,
        facts: &mut FactRows,
    ) -> Result<Vec<WatchedTicket>> {
        let now = self.now();
        let mut out = Vec::with_capacity(rows.len());
        for (r, kept) in rows {
            let (Ok(priority), Ok(kind), Ok(status)) = (
                r.priority.parse::<Priority>(),
                r.kind.parse::<Kind>(),
                r.status.parse::<Status>(),
            ) else {
                continue;
            };
            let (status_changes, agent_public_replies) = kept.unwrap_or_else(|| {
                (
                    facts.changes.remove(&r.id).unwrap_or_default(),
                    facts.replies.remove(&r.id).unwrap_or_default(),
                )
            });
            let sla_facts = SlaFacts {
                created_at: ts(r.created_at),
                priority,
                kind,
                status_changes,
                agent_public_replies,
            };
            let org = opt_uuid(r.organization_id.as_deref())?;
            let report = evaluate_ticket(&self.policies(), &sla_facts, org, now);
            out.push(WatchedTicket {
                ticket: MonitoredTicket {
                    id: uuid(&r.id)?,
                    number: r.number,
                    priority,
                    open: status.is_open(),
                    report,
                },
                ownership: ownership(
                    r.assignee_id.as_deref(),
                    r.team_id.as_deref(),
                    r.requester_id.as_deref(),
                )?,
            });
        }
        Ok(out)
    }

    /// Re-evaluates every open ticket and rewrites its SLA columns (after a policy change).
    pub(crate) async fn recompute_sla_columns(&self) -> Result<()> {
        let watched = self.sla().watched_open_tickets().await?;
        let mut by_id: HashMap<Uuid, (Option<i64>, Option<i64>)> = HashMap::new();
        for w in &watched {
            by_id.insert(w.ticket.id, sla_columns(&w.ticket.report));
        }
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        for (id, (due, risk)) in by_id {
            sqlx::query("UPDATE tickets SET sla_due_at = ?, sla_at_risk_at = ? WHERE id = ?")
                .bind(due)
                .bind(risk)
                .bind(id.to_string())
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        // Due times and business time follow the policy and calendar: reports compute them
        // again.
        self.invalidate_report_facts().await?;
        Ok(())
    }
}

impl Sla<'_> {
    /// The local user as a notification recipient.
    pub fn recipient(&self) -> Recipient {
        Recipient {
            user_id: self.0.actor.id,
            team_id: self.0.actor.team_id,
            is_customer: self.0.actor.role == Role::Customer,
        }
    }

    /// The workspace's time zone (quiet hours, the times in notification text).
    pub fn time_zone(&self) -> TimeZone {
        TimeZone::get(&self.0.workspace().timezone).unwrap_or(TimeZone::UTC)
    }

    /// Every open ticket, evaluated at "now", for the monitor's start.
    #[tracing::instrument(skip_all, err)]
    pub async fn watched_open_tickets(&self) -> Result<Vec<WatchedTicket>> {
        let mut conn = self.0.pool.acquire().await?;
        // Each row as [[watched columns], kept SLA history]: one JSON array from SQLite.
        let open: Vec<(WatchedRow, Option<String>)> = crate::sla::json_rows(
            &mut conn,
            &format!("json_array({WATCHED_COLUMNS}), t.sla_history"),
            crate::sla::OPEN_TICKETS,
        )
        .await?;
        // Each row's kept history parsed where it stands, beside its row: replayed from the
        // events and comments only for a row that keeps none.
        let mut older = Vec::new();
        let mut rows = Vec::with_capacity(open.len());
        for (row, json) in open {
            let kept = crate::sla::kept_history(json.as_deref());
            if kept.is_none() {
                older.push(uuid(&row.id)?);
            }
            rows.push((row, kept));
        }
        let mut facts = crate::sla::replayed_facts(&mut conn, &older).await?;
        self.0.watched(rows, &mut facts)
    }

    /// The given tickets (open or not) evaluated at "now": after a local change or a sync.
    /// Unknown ids are left out.
    #[tracing::instrument(skip_all, fields(count = ids.len()), err)]
    pub async fn watched_tickets(&self, ids: &[Uuid]) -> Result<Vec<WatchedTicket>> {
        let mut out = Vec::with_capacity(ids.len());
        let mut conn = self.0.pool.acquire().await?;
        for chunk in ids.chunks(500) {
            let mut q: QueryBuilder<Sqlite> = QueryBuilder::new(format!(
                "SELECT {WATCHED_COLUMNS} FROM tickets t WHERE t.id IN ("
            ));
            let mut sep = q.separated(", ");
            for id in chunk {
                sep.push_bind(id.to_string());
            }
            q.push(")");
            let rows: Vec<WatchedRow> = q.build_query_as().fetch_all(&mut *conn).await?;
            let mut facts = load_facts(&mut conn, chunk).await?;
            let rows = rows.into_iter().map(|r| (r, None)).collect();
            out.extend(self.0.watched(rows, &mut facts)?);
        }
        Ok(out)
    }

    /// SLA alert keys that fired for open tickets (to restore into a starting monitor).
    #[tracing::instrument(skip_all, err)]
    pub async fn fired_sla_keys(&self) -> Result<Vec<AlertKey>> {
        let mut conn = self.0.pool.acquire().await?;
        let rows: Vec<(String, String, String, i64)> = crate::sla::json_rows(
            &mut conn,
            "f.ticket_id, f.target, f.kind, f.cycle",
            "FROM fired_alerts f JOIN tickets t ON t.id = f.ticket_id \
             WHERE t.is_open = 1 AND f.target IS NOT NULL AND f.cycle IS NOT NULL",
        )
        .await?;
        let mut keys = Vec::with_capacity(rows.len());
        for (ticket, target, kind, cycle) in rows {
            let kind = match kind.parse::<EventKind>() {
                Ok(EventKind::AtRisk) => AlertKind::AtRisk,
                Ok(EventKind::Breached) => AlertKind::Breached,
                Ok(EventKind::P1UpdateDue) => AlertKind::P1UpdateDue,
                _ => continue,
            };
            let Ok(target) = target.parse::<TargetKind>() else {
                continue;
            };
            keys.push(AlertKey {
                ticket_id: uuid(&ticket)?,
                target,
                cycle: u32::try_from(cycle).unwrap_or(u32::MAX),
                kind,
            });
        }
        Ok(keys)
    }

    /// Claims alerts before showing them: for each, true when this call recorded it first
    /// (false when it had fired already, here or in another process). `shown` says whether it
    /// will be shown or was dropped (preferences, quiet hours, pause). One transaction.
    #[tracing::instrument(skip_all, fields(count = fired.len()), err)]
    pub async fn claim_alerts(&self, fired: &[(Fired, bool)], now: Timestamp) -> Result<Vec<bool>> {
        let mut tx = self.0.pool.begin_with("BEGIN IMMEDIATE").await?;
        let mut claimed = Vec::with_capacity(fired.len());
        for (f, shown) in fired {
            let (target, cycle) = match f {
                Fired::Sla(a) => (Some(a.target.as_str()), Some(i64::from(a.cycle))),
                Fired::Activity(_) => (None, None),
            };
            let done = sqlx::query(
                "INSERT OR IGNORE INTO fired_alerts (key, ticket_id, kind, target, cycle, due_at, fired_at, shown) \
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(f.key())
            .bind(f.ticket_id().to_string())
            .bind(f.kind().as_str())
            .bind(target)
            .bind(cycle)
            .bind(ms(f.due_moment()))
            .bind(ms(now))
            .bind(shown)
            .execute(&mut *tx)
            .await?;
            claimed.push(done.rows_affected() == 1);
        }
        tx.commit().await?;
        Ok(claimed)
    }

    /// The local user's notification preferences.
    pub async fn notification_prefs(&self) -> Result<NotificationPrefs> {
        let (json,): (String,) = sqlx::query_as("SELECT prefs FROM alert_state")
            .fetch_one(&self.0.pool)
            .await?;
        Ok(serde_json::from_str(&json).unwrap_or_default())
    }

    /// Saves the notification preferences.
    #[tracing::instrument(skip_all, err)]
    pub async fn set_notification_prefs(&self, prefs: &NotificationPrefs) -> Result<()> {
        sqlx::query("UPDATE alert_state SET prefs = ?")
            .bind(serde_json::to_string(prefs).expect("prefs serialize"))
            .execute(&self.0.pool)
            .await?;
        Ok(())
    }

    /// Where activity alerts continue from. On the very first run: the current end of the
    /// audit trail and comments (history is not news).
    pub async fn activity_cursor(&self) -> Result<ActivityCursor> {
        let (events, comments): (Option<i64>, Option<i64>) =
            sqlx::query_as("SELECT events_seq, comments_seq FROM alert_state")
                .fetch_one(&self.0.pool)
                .await?;
        if let (Some(events_seq), Some(comments_seq)) = (events, comments) {
            return Ok(ActivityCursor {
                events_seq,
                comments_seq,
            });
        }
        let cursor = self.0.sla().activity_end().await?;
        self.0.sla().save_activity_cursor(cursor).await?;
        Ok(cursor)
    }

    /// The current end of the audit trail and comments.
    pub async fn activity_end(&self) -> Result<ActivityCursor> {
        let (events_seq, comments_seq): (i64, i64) = sqlx::query_as(
            "SELECT (SELECT coalesce(max(seq), 0) FROM events), (SELECT coalesce(max(seq), 0) FROM comments)",
        )
        .fetch_one(&self.0.pool)
        .await?;
        Ok(ActivityCursor {
            events_seq,
            comments_seq,
        })
    }

    /// Records how far activity was read (never moves backwards).
    pub async fn save_activity_cursor(&self, c: ActivityCursor) -> Result<()> {
        sqlx::query(
            "UPDATE alert_state SET events_seq = max(coalesce(events_seq, 0), ?), \
             comments_seq = max(coalesce(comments_seq, 0), ?)",
        )
        .bind(c.events_seq)
        .bind(c.comments_seq)
        .execute(&self.0.pool)
        .await?;
        Ok(())
    }

    /// Audit events and comments written after `from` (by this process, another one, or a
    /// sync): the tickets they touch and the changes. Two index range reads.
    #[tracing::instrument(skip_all, err)]
    pub async fn activity_since(&self, from: ActivityCursor) -> Result<ActivitySince> {
        let mut conn = self.0.pool.acquire().await?;
        type EventRow = (
            i64,
            String,
            String,
            i64,
            Option<String>,
            String,
            Option<String>,
            i64,
            Option<String>,
            Option<String>,
            Option<String>,
        );
        let events: Vec<EventRow> = sqlx::query_as(
            "SELECT e.seq, e.id, e.ticket_id, t.number, e.actor_id, e.field, e.new_value, e.at, \
             t.assignee_id, t.team_id, t.requester_id \
             FROM events e JOIN tickets t ON t.id = e.ticket_id WHERE e.seq > ? ORDER BY e.seq",
        )
        .bind(from.events_seq)
        .fetch_all(&mut *conn)
        .await?;
        type CommentRow = (
            i64,
            String,
            String,
            i64,
            String,
            String,
            bool,
            i64,
            Option<String>,
            Option<String>,
            Option<String>,
        );
        let comments: Vec<CommentRow> = sqlx::query_as(
            "SELECT c.seq, c.id, c.ticket_id, t.number, c.author_id, c.visibility, c.by_agent, c.created_at, \
             t.assignee_id, t.team_id, t.requester_id \
             FROM comments c JOIN tickets t ON t.id = c.ticket_id WHERE c.seq > ? ORDER BY c.seq",
        )
        .bind(from.comments_seq)
        .fetch_all(&mut *conn)
        .await?;
        let mut out = ActivitySince {
            cursor: from,
            ..ActivitySince::default()
        };
        let mut seen = HashSet::new();
        for (seq, id, ticket, number, actor, field, new_value, at, a, t, r) in events {
            out.cursor.events_seq = out.cursor.events_seq.max(seq);
            let ticket_id = uuid(&ticket)?;
            if seen.insert(ticket_id) {
                out.changed.push(ticket_id);
            }
            let change = match field.as_str() {
                "assignee_id" => ActivityChange::Assigned {
                    to: opt_uuid(new_value.as_deref())?,
                },
                "status" => match new_value.as_deref().map(str::parse::<Status>) {
                    Some(Ok(to)) => ActivityChange::Status { to },
                    _ => continue,
                },
                "callback" => ActivityChange::Callback,
                "callback_owner" => ActivityChange::CallbackOwner {
                    to: opt_uuid(new_value.as_deref())?,
                },
                "sla_alert" => ActivityChange::SlaAlert {
                    to: new_value
                        .as_deref()
                        .and_then(|v| {
                            serde_json::from_str::<helpdeck_core::escalation::rules::SlaAlert>(v)
                                .ok()
                        })
                        .and_then(|a| a.notify),
                },
                _ => continue,
            };
            out.activity.push(Activity {
                id: uuid(&id)?,
                ticket_id,
                number,
                actor_id: opt_uuid(actor.as_deref())?,
                at: ts(at),
                change,
                ownership: ownership(a.as_deref(), t.as_deref(), r.as_deref())?,
            });
        }
        for (seq, id, ticket, number, author, visibility, by_agent, at, a, t, r) in comments {
            out.cursor.comments_seq = out.cursor.comments_seq.max(seq);
            let ticket_id = uuid(&ticket)?;
            if seen.insert(ticket_id) {
                out.changed.push(ticket_id);
            }
            out.activity.push(Activity {
                id: uuid(&id)?,
                ticket_id,
                number,
                actor_id: Some(uuid(&author)?),
                at: ts(at),
                change: ActivityChange::Comment {
                    public: visibility == "public",
                    by_agent,
                },
                ownership: ownership(a.as_deref(), t.as_deref(), r.as_deref())?,
            });
        }
        Ok(out)
    }

    /// The workspace's default SLA policy.
    pub fn default_policy(&self) -> SlaPolicy {
        self.0.policies().for_org(None).0.clone()
    }

    /// Changes the default policy's targets for one priority (or its warning thresholds):
    /// [`crate::Admin::change`] with [`RulesChange::Policy`].
    pub async fn set_policy_targets(&self, input: PolicyTargetsInput) -> Result<SlaPolicy> {
        let rules = self.0.admin().change(&RulesChange::Policy(input)).await?;
        Ok(rules
            .sla
            .expect("changed rules carry the SLA policy")
            .policy)
    }
}
