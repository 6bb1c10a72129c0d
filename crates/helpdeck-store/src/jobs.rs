//! Jobs of a local workspace: the same due jobs the server runs for a synced workspace
//! (`helpdeck_core::jobs`), applied here as the system actor through the one rule engine and
//! the one write path. A replica runs none: its server does, and the result arrives by sync.

use helpdeck_core::apply::TrustingDirectory;
use helpdeck_core::command;
use helpdeck_core::user::User;
use tracing::instrument;
use uuid::Uuid;

use crate::Jobs;
use crate::error::Result;
use crate::rows::ms;
use crate::write::find_ticket;

/// Most tickets one run closes (the next run takes the rest).
const BATCH: i64 = 500;

impl Jobs<'_> {
    /// Runs every due job once (auto-close of resolved tickets); returns the tickets changed.
    #[instrument(skip_all, err)]
    pub async fn run_jobs(&self) -> Result<Vec<Uuid>> {
        if !self.0.rules.local_workspace {
            return Ok(Vec::new());
        }
        let now = self.0.now();
        let system = User::system();
        let mut tx = self.0.pool.begin_with("BEGIN IMMEDIATE").await?;
        let rules = self.0.current_rules(&mut tx).await?;
        let cutoff = ms(now - rules.auto_close_after);
        let due: Vec<(String,)> = sqlx::query_as(
            "SELECT id FROM tickets WHERE status = 'resolved' AND resolved_at <= ? ORDER BY resolved_at LIMIT ?",
        )
        .bind(cutoff)
        .bind(BATCH)
        .fetch_all(&mut *tx)
        .await?;
        if due.is_empty() {
            return Ok(Vec::new());
        }
        ensure_system_user(&mut tx).await?;
        let ctx = helpdeck_core::apply::Context {
            actor: &system,
            rules: &rules,
            now,
            directory: &TrustingDirectory,
        };
        let mut changed = Vec::new();
        for (id,) in due {
            let (ticket, seq) = find_ticket(&mut tx, &id).await?;
            let Some(change) = helpdeck_core::jobs::auto_close(&ticket, &rules, now) else {
                continue;
            };
            let decided = command::apply_job(&ticket, change, &ctx)?;
            self.0
                .persist_as(&mut tx, &decided, Some(seq), now, system.id)
                .await?;
            changed.push(ticket.id);
        }
        tx.commit().await?;
        Ok(changed)
    }
}

/// The system actor is a user of the workspace, so the history names it.
pub(crate) async fn ensure_system_user(conn: &mut sqlx::SqliteConnection) -> Result<()> {
    let system = User::system();
    sqlx::query(
        "INSERT OR IGNORE INTO users (id, email, name, role, created_at) VALUES (?, ?, ?, 'admin', 0)",
    )
    .bind(system.id.to_string())
    .bind(&system.email)
    .bind(&system.name)
    .execute(&mut *conn)
    .await?;
    Ok(())
}
