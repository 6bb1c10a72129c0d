//! Presence (spec §3.1, issue 13): who is viewing or replying to a ticket right now, so two
//! agents do not answer the same customer. Not stored and not synced as ops: each staff
//! device says every few seconds what its user is doing (`PUT /presence`) and reads everyone
//! else's (`GET /presence`); an entry lapses [`PRESENCE_TTL_MS`] after its device last spoke.
//! Kept in this process's memory: agents on one server process see each other.

use std::collections::HashMap;
use std::sync::Mutex;

use helpdeck_core::sync::{PRESENCE_TTL_MS, PresenceEntry, PresenceUpdate};
use helpdeck_core::user::Role;
use uuid::Uuid;

use crate::accounts::Caller;
use crate::db::{Db, now_ms};
use crate::error::{Result, ServerError};

struct Entry {
    ticket_id: Uuid,
    user_id: Uuid,
    name: String,
    state: helpdeck_core::sync::PresenceState,
    at_ms: i64,
}

/// Every device's current presence.
#[derive(Default)]
pub struct Presence {
    by_device: Mutex<HashMap<Uuid, Entry>>,
}

fn staff_only(caller: &Caller) -> Result<()> {
    if caller.account.user.role == Role::Customer {
        return Err(ServerError::Forbidden(
            "presence is for agents and admins".into(),
        ));
    }
    Ok(())
}

impl Presence {
    /// Records what the caller's device is doing (a ticket the server does not have is
    /// refused: a device cannot announce presence on nothing).
    pub async fn update(&self, db: &Db, caller: &Caller, u: PresenceUpdate) -> Result<()> {
        staff_only(caller)?;
        let mut map = self.by_device.lock().expect("presence lock");
        let Some(ticket_id) = u.ticket_id else {
            map.remove(&caller.device_id);
            return Ok(());
        };
        drop(map);
        let exists: Option<(i64,)> = sqlx::query_as("SELECT 1 FROM tickets WHERE id = $1")
            .bind(ticket_id.to_string())
            .fetch_optional(&db.pool)
            .await?;
        if exists.is_none() {
            return Err(ServerError::NotFound(format!("no ticket {ticket_id}")));
        }
        let user = &caller.account.user;
        self.by_device.lock().expect("presence lock").insert(
            caller.device_id,
            Entry {
                ticket_id,
                user_id: user.id,
                name: user.name.clone(),
                state: u.state,
                at_ms: now_ms(),
            },
        );
        Ok(())
    }

    /// Everyone else's live presence (one entry per person and ticket: replying wins).
    pub fn list(&self, caller: &Caller) -> Result<Vec<PresenceEntry>> {
        staff_only(caller)?;
        let now = now_ms();
        let mut map = self.by_device.lock().expect("presence lock");
        map.retain(|_, e| now - e.at_ms <= PRESENCE_TTL_MS);
        let mut out: HashMap<(Uuid, Uuid), PresenceEntry> = HashMap::new();
        for e in map.values().filter(|e| e.user_id != caller.account.user.id) {
            let entry = out
                .entry((e.ticket_id, e.user_id))
                .or_insert(PresenceEntry {
                    ticket_id: e.ticket_id,
                    user_id: e.user_id,
                    name: e.name.clone(),
                    state: e.state,
                });
            if e.state == helpdeck_core::sync::PresenceState::Replying {
                entry.state = e.state;
            }
        }
        let mut v: Vec<PresenceEntry> = out.into_values().collect();
        v.sort_by(|a, b| (a.ticket_id, &a.name).cmp(&(b.ticket_id, &b.name)));
        Ok(v)
    }
}
