//! `helpdeck check`: is the workspace file whole? SQLite's own `integrity_check` and
//! foreign-key check, plus Helpdeck's invariant that rows and the changes waiting to sync
//! were written together (a ticket or comment made here has its change in the outbox, and
//! no change names a ticket or comment that is not there), and that each ticket's kept SLA
//! history is what its events and comments say.

use serde::Serialize;

use crate::Store;
use crate::error::Result;

/// What `check` found.
#[derive(Debug, Clone, Serialize)]
pub struct CheckReport {
    /// `["ok"]` when the file is whole; otherwise SQLite's list of problems.
    pub integrity: Vec<String>,
    pub foreign_key_violations: i64,
    pub tickets: i64,
    pub comments: i64,
    pub pending_changes: i64,
    /// Changes that name a ticket or comment this store does not have.
    pub orphan_changes: i64,
    /// Tickets and comments written here (a local workspace) without their change.
    pub rows_without_change: i64,
    /// Tickets whose SLA history kept on the row is not what their events and comments say
    /// (the monitor and `helpdeck sla` read the kept one).
    pub stale_sla_histories: i64,
    /// Queue totals the database keeps (`ticket_counts`) that differ from counting the
    /// tickets (one per status, open flag, priority and assigned-or-not).
    pub stale_queue_counts: i64,
    /// Days of `risk_counts` (open tickets by the day their at-risk time falls on) that
    /// differ from counting the tickets.
    pub stale_risk_counts: i64,
}

impl CheckReport {
    pub fn ok(&self) -> bool {
        self.integrity == ["ok"]
            && self.foreign_key_violations == 0
            && self.orphan_changes == 0
            && self.rows_without_change == 0
            && self.stale_sla_histories == 0
            && self.stale_queue_counts == 0
            && self.stale_risk_counts == 0
    }
}

impl Store {
    /// Checks the workspace file (read-only).
    pub async fn check(&self) -> Result<CheckReport> {
        let integrity: Vec<String> = sqlx::query_scalar("PRAGMA integrity_check")
            .fetch_all(&self.pool)
            .await?;
        let fk: Vec<(String,)> = sqlx::query_as("SELECT \"table\" FROM pragma_foreign_key_check")
            .fetch_all(&self.pool)
            .await?;
        let (tickets, comments, pending, orphans): (i64, i64, i64, i64) = sqlx::query_as(
            "SELECT (SELECT count(*) FROM tickets), (SELECT count(*) FROM comments), \
                    (SELECT count(*) FROM outbox), \
                    (SELECT count(*) FROM outbox o WHERE \
                       (o.entity = 'ticket' AND NOT EXISTS (SELECT 1 FROM tickets t WHERE t.id = o.entity_id)) \
                    OR (o.entity = 'comment' AND NOT EXISTS (SELECT 1 FROM comments c WHERE c.id = o.entity_id)))",
        )
        .fetch_one(&self.pool)
        .await?;
        // A local workspace keeps every change it made (for a later connection to a server).
        let local: Option<(i64,)> = sqlx::query_as("SELECT 1 FROM sync_state")
            .fetch_optional(&self.pool)
            .await?;
        let rows_without_change = if local.is_none() {
            sqlx::query_scalar(
                "SELECT (SELECT count(*) FROM tickets t WHERE NOT EXISTS \
                          (SELECT 1 FROM outbox o WHERE o.entity = 'ticket' AND o.entity_id = t.id)) \
                      + (SELECT count(*) FROM comments c WHERE NOT EXISTS \
                          (SELECT 1 FROM outbox o WHERE (o.entity = 'comment' AND o.entity_id = c.id) \
                             OR (o.entity_id = c.ticket_id AND instr(o.op, c.id) > 0)))",
            )
            .fetch_one(&self.pool)
            .await?
        } else {
            0
        };
        let stale_sla_histories = {
            let mut conn = self.pool.acquire().await?;
            crate::sla::stale_histories(&mut conn).await?
        };
        let stale_queue_counts = sqlx::query_scalar(
            "WITH counted AS (SELECT status, is_open, priority, assignee_id IS NOT NULL AS assigned, \
                     count(*) AS n FROM tickets GROUP BY 1, 2, 3, 4) \
             SELECT (SELECT count(*) FROM counted c WHERE c.n IS NOT (SELECT k.n FROM ticket_counts k \
                       WHERE k.status = c.status AND k.is_open = c.is_open \
                         AND k.priority = c.priority AND k.assigned = c.assigned)) \
                  + (SELECT count(*) FROM ticket_counts k WHERE k.n != 0 AND NOT EXISTS \
                       (SELECT 1 FROM counted c WHERE k.status = c.status AND k.is_open = c.is_open \
                         AND k.priority = c.priority AND k.assigned = c.assigned))",
        )
        .fetch_one(&self.pool)
        .await?;
        let stale_risk_counts = sqlx::query_scalar(
            "WITH counted AS (SELECT sla_at_risk_at / 86400000 AS day, count(*) AS n FROM tickets \
                     WHERE is_open = 1 AND sla_at_risk_at IS NOT NULL GROUP BY 1) \
             SELECT (SELECT count(*) FROM counted c \
                       WHERE c.n IS NOT (SELECT k.n FROM risk_counts k WHERE k.day = c.day)) \
                  + (SELECT count(*) FROM risk_counts k WHERE k.n != 0 \
                       AND NOT EXISTS (SELECT 1 FROM counted c WHERE c.day = k.day))",
        )
        .fetch_one(&self.pool)
        .await?;
        Ok(CheckReport {
            stale_risk_counts,
            stale_sla_histories,
            stale_queue_counts,
            integrity,
            foreign_key_violations: fk.len() as i64,
            tickets,
            comments,
            pending_changes: pending,
            orphan_changes: orphans,
            rows_without_change,
        })
    }
}
