//! Macros on this device (issue 13): the ones this user may apply (shared ones and their own
//! personal ones), their writes (decided by `helpdeck_core::macros::apply_macro`, sent as
//! ops), and applying one to a ticket (`helpdeck_core::command::apply_macro`: the reply with
//! its placeholders filled in and the field changes, as one command).

use helpdeck_core::apply::TrustingDirectory;
use helpdeck_core::macros::{
    Macro, MacroActions, MacroAssignee, MacroDraft, MacroFields, Placeholders, apply_macro,
    macro_visible,
};
use helpdeck_core::op::Change;
use helpdeck_core::ticket::{Ticket, ticket_key};
use helpdeck_core::{Uuid, new_id};
use sqlx::SqliteConnection;
use tracing::instrument;

use crate::error::{Result, StoreError};
use crate::rows::ms;
use crate::write::{Batch, local_directory, push_op};
use crate::{Macros, Store};

impl Store {
    /// Macros: canned replies with field changes.
    pub fn macros(&self) -> Macros<'_> {
        Macros(self)
    }
}

fn corrupt(e: impl std::fmt::Display) -> StoreError {
    StoreError::Database(sqlx::Error::Decode(
        format!("stored macro is invalid: {e}").into(),
    ))
}

/// Writes a macro's row; a deleted one (or one this user may not use) is removed.
pub(crate) async fn save_macro(conn: &mut SqliteConnection, m: &Macro) -> Result<()> {
    if m.deleted {
        return delete_macro(conn, m.id).await;
    }
    sqlx::query(
        "INSERT INTO macros (id, name, owner_id, updated_at, doc) VALUES (?, ?, ?, ?, ?) \
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, owner_id = excluded.owner_id, \
         updated_at = excluded.updated_at, doc = excluded.doc",
    )
    .bind(m.id.to_string())
    .bind(&m.name)
    .bind(m.owner_id.map(|o| o.to_string()))
    .bind(ms(m.updated_at))
    .bind(serde_json::to_string(m).expect("macro serializes"))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub(crate) async fn delete_macro(conn: &mut SqliteConnection, id: Uuid) -> Result<()> {
    sqlx::query("DELETE FROM macros WHERE id = ?")
        .bind(id.to_string())
        .execute(&mut *conn)
        .await?;
    Ok(())
}

async fn load_macro(conn: &mut SqliteConnection, id: Uuid) -> Result<Option<Macro>> {
    let row: Option<(String,)> = sqlx::query_as("SELECT doc FROM macros WHERE id = ?")
        .bind(id.to_string())
        .fetch_optional(&mut *conn)
        .await?;
    row.map(|(d,)| serde_json::from_str(&d).map_err(corrupt))
        .transpose()
}

/// A pulled macro (or correction): kept when this user may use it, with this device's
/// still-pending edits applied on top.
pub(crate) async fn apply_pulled_macro(
    store: &Store,
    conn: &mut SqliteConnection,
    m: &Macro,
) -> Result<()> {
    if !macro_visible(&store.actor, m) {
        return delete_macro(conn, m.id).await;
    }
    let next = crate::sync::with_pending(store, conn, "macro", m.id, m.clone(), |cur, op, ctx| {
        apply_macro(Some(cur), m.id, &op.change, op.at, ctx)
            .ok()
            .flatten()
    })
    .await?;
    save_macro(conn, &next).await
}

/// A macro as a person enters it: the actions by name (assignee an email, `me` or `none`).
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(default)]
pub struct MacroInput {
    pub name: String,
    pub body: String,
    pub status: Option<helpdeck_core::status::Status>,
    pub priority: Option<helpdeck_core::ticket::Priority>,
    pub tier: Option<helpdeck_core::ticket::Tier>,
    /// An agent's email, `me` or `none`.
    pub assignee: Option<String>,
    pub add_tags: Vec<String>,
    /// Only mine (otherwise shared with every agent).
    pub personal: bool,
}

impl Macros<'_> {
    /// Decides `change` on the macro (none: a new one), writes it and its op.
    async fn write(&self, id: Uuid, change: Change) -> Result<Macro> {
        let store = self.0;
        let now = store.now();
        let mut tx = store.pool.begin_with("BEGIN IMMEDIATE").await?;
        let current = load_macro(&mut tx, id).await?;
        let rules = store.current_rules(&mut tx).await?;
        let ctx = store.context(&rules, &TrustingDirectory, now);
        let Some(next) = apply_macro(current.as_ref(), id, &change, now, &ctx)? else {
            return current.ok_or_else(|| StoreError::NotFound(format!("no macro {id}")));
        };
        save_macro(&mut tx, &next).await?;
        let op = store.new_op(id, change, store.actor.id, now);
        let mut batch = Batch::default();
        push_op(&mut batch, &op, now);
        batch.execute(&mut tx).await?;
        tx.commit().await?;
        Ok(next)
    }

    /// The actions as the core takes them (an assignee by email resolved here).
    async fn actions(&self, input: &MacroInput) -> Result<MacroActions> {
        let assignee = match input.assignee.as_deref().map(str::trim) {
            None | Some("") => None,
            Some("me") => Some(MacroAssignee::Me),
            Some("none") => Some(MacroAssignee::Nobody),
            Some(email) => {
                let mut conn = self.0.pool.acquire().await?;
                let email = helpdeck_core::user::validate_email(email)?;
                let agent = crate::workspace::agent_by_email(&mut conn, &email).await?;
                Some(MacroAssignee::Agent(agent.id))
            }
        };
        Ok(MacroActions {
            status: input.status,
            priority: input.priority,
            tier: input.tier,
            assignee,
            add_tags: input.add_tags.clone(),
        })
    }

    /// A new macro (staff). Names are unique among the macros this user may use.
    #[instrument(skip_all, err)]
    pub async fn add(&self, input: MacroInput) -> Result<Macro> {
        if self.by_name(&input.name).await?.is_some() {
            return Err(helpdeck_core::DomainError::invalid(
                "name",
                format!(
                    "a macro named “{}” exists already; choose another name",
                    input.name.trim()
                ),
            )
            .into());
        }
        let draft = MacroDraft {
            name: input.name.clone(),
            body: input.body.clone(),
            actions: self.actions(&input).await?,
            personal: input.personal,
        };
        self.write(new_id(), Change::CreateMacro(draft)).await
    }

    /// Replaces a macro's name, reply and actions.
    #[instrument(skip_all, err)]
    pub async fn edit(&self, reference: &str, input: MacroInput) -> Result<Macro> {
        let m = self.find(reference).await?;
        if let Some(other) = self.by_name(&input.name).await?
            && other.id != m.id
        {
            return Err(helpdeck_core::DomainError::invalid(
                "name",
                format!(
                    "a macro named “{}” exists already; choose another name",
                    input.name.trim()
                ),
            )
            .into());
        }
        let fields = MacroFields {
            name: Some(input.name.clone()),
            body: Some(input.body.clone()),
            actions: Some(self.actions(&input).await?),
        };
        self.write(m.id, Change::UpdateMacro(fields)).await
    }

    /// Deletes a macro (for everyone, if shared).
    #[instrument(skip_all, err)]
    pub async fn delete(&self, reference: &str) -> Result<()> {
        let m = self.find(reference).await?;
        self.write(m.id, Change::DeleteMacro).await.map(|_| ())
    }

    /// The macros this user may apply, by name.
    pub async fn list(&self) -> Result<Vec<Macro>> {
        let rows: Vec<(String,)> =
            sqlx::query_as("SELECT doc FROM macros ORDER BY name COLLATE NOCASE, id")
                .fetch_all(&self.0.pool)
                .await?;
        let me = &self.0.actor;
        Ok(rows
            .into_iter()
            .map(|(d,)| serde_json::from_str::<Macro>(&d).map_err(corrupt))
            .collect::<Result<Vec<_>>>()?
            .into_iter()
            .filter(|m| macro_visible(me, m))
            .collect())
    }

    async fn by_name(&self, name: &str) -> Result<Option<Macro>> {
        let name = name.trim().to_lowercase();
        Ok(self
            .list()
            .await?
            .into_iter()
            .find(|m| m.name.to_lowercase() == name))
    }

    /// A macro by its name (any case), its id or the start of it (6+ characters).
    pub async fn find(&self, reference: &str) -> Result<Macro> {
        let all = self.list().await?;
        let name = reference.trim().to_lowercase();
        if let Some(m) = all.iter().find(|m| m.name.to_lowercase() == name) {
            return Ok(m.clone());
        }
        let r = reference.trim().to_ascii_lowercase();
        let by_id: Vec<&Macro> = all
            .iter()
            .filter(|m| r.len() >= 6 && m.id.to_string().starts_with(&r))
            .collect();
        if let [m] = by_id.as_slice() {
            return Ok((*m).clone());
        }
        let names: Vec<&str> = all.iter().map(|m| m.name.as_str()).collect();
        Err(StoreError::NotFound(if names.is_empty() {
            format!("no macro “{reference}” (there are none yet: `helpdeck macro add`)")
        } else {
            format!("no macro “{reference}” (there are: {})", names.join(", "))
        }))
    }

    /// Applies a macro to a ticket: its reply and field changes, one command.
    #[instrument(skip_all, fields(ticket = %ticket), err)]
    pub async fn apply(&self, ticket: &str, reference: &str) -> Result<Ticket> {
        let m = self.find(reference).await?;
        self.0
            .mutate(ticket, move |store, conn, t, rules, now| {
                Box::pin(async move {
                    let p = placeholders(store, conn, &t, now).await?;
                    let named: Vec<Uuid> = match m.actions.assignee {
                        Some(MacroAssignee::Agent(id)) => vec![id],
                        Some(MacroAssignee::Me) => vec![store.actor.id],
                        _ => Vec::new(),
                    };
                    let directory = local_directory(conn, &named).await?;
                    Ok(helpdeck_core::command::apply_macro(
                        &t,
                        &m,
                        &p,
                        new_id(),
                        &store.context(rules, &directory, now),
                    )?)
                })
            })
            .await
    }
}

/// What a macro's placeholders become on `t`.
pub(crate) async fn placeholders(
    store: &Store,
    conn: &mut SqliteConnection,
    t: &Ticket,
    now: helpdeck_core::Timestamp,
) -> Result<Placeholders> {
    let requester_name = match t.requester_id {
        Some(id) => crate::read::user_refs(conn, &[id])
            .await?
            .remove(&id)
            .map(|u| u.name)
            .unwrap_or_default(),
        None => String::new(),
    };
    let facts = crate::sla::load_facts(conn, &[t.id]).await?.facts(t);
    let report = crate::sla::evaluate_ticket(&store.policies(), &facts, t.organization_id, now);
    let tz =
        jiff::tz::TimeZone::get(&store.workspace().timezone).unwrap_or(jiff::tz::TimeZone::UTC);
    let due = report
        .targets
        .iter()
        .find(|r| r.target == helpdeck_core::sla::TargetKind::Resolution)
        .and_then(|r| r.due_at)
        .map(|d| tz.to_datetime(d).strftime("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_default();
    Ok(Placeholders {
        requester_name,
        ticket_number: ticket_key(t.number),
        ticket_title: t.title.clone(),
        agent_name: store.actor.name.clone(),
        sla_resolution_due: due,
        workspace_name: store.workspace().name.clone(),
    })
}
