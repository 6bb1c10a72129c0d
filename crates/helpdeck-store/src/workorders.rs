//! Work orders on this device (issue 15): field visits on tickets — their writes (decided by
//! `helpdeck_core::workorder::apply_work_order`, sent as ops), the server's copies a pull
//! brings (with this device's pending changes on top), and the reads of the Today view.

use helpdeck_core::command::NewFile;
use helpdeck_core::op::Change;
use helpdeck_core::record::Visibility;
use helpdeck_core::ticket::{Ticket, ticket_key};
use helpdeck_core::workorder::{
    ItemCheck, ItemPhoto, Missing, Part, SignOffDraft, TemplateItem, TicketFiles, TimeKind,
    TimeLog, WorkOrder, WorkOrderDraft, WorkOrderFields, WorkOrderStatus, apply_work_order,
};
use helpdeck_core::{Timestamp, Uuid, new_id};
use serde::Serialize;
use sqlx::SqliteConnection;
use tracing::instrument;

use crate::error::{Result, StoreError};
use crate::rows::ms;
use crate::write::{Batch, find_ticket, local_directory, push_op};
use crate::{Store, WorkOrders};

impl Store {
    /// Work orders: field visits on tickets.
    pub fn work_orders(&self) -> WorkOrders<'_> {
        WorkOrders(self)
    }
}

fn corrupt(e: impl std::fmt::Display) -> StoreError {
    StoreError::Database(sqlx::Error::Decode(
        format!("stored work order is invalid: {e}").into(),
    ))
}

/// How a work order is named to people: `WO-` and the last 8 hex digits of its id (the
/// random part of a UUIDv7: its first digits are a timestamp, shared by work orders made in
/// the same minute).
pub fn work_order_key(id: Uuid) -> String {
    format!("WO-{}", &id.simple().to_string()[24..])
}

/// A new work order as a person enters it (the technician by email, or `me`).
#[derive(Debug, Clone)]
pub struct WorkOrderInput {
    /// The ticket: HD-12 or its id.
    pub ticket: String,
    pub technician: Option<String>,
    pub starts_at: Timestamp,
    pub ends_at: Timestamp,
    pub site: String,
    pub contact: Option<String>,
    pub checklist: Vec<TemplateItem>,
}

/// A work order with what a list shows beside it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct WorkOrderView {
    /// `WO-1a2b3c4d`.
    pub key: String,
    /// The ticket's `HD-12`.
    pub ticket: String,
    pub ticket_title: String,
    #[serde(flatten)]
    pub work_order: WorkOrder,
    /// The technician's name.
    pub technician_name: Option<String>,
    /// What still stands between the visit and its sign-off.
    pub missing: Vec<Missing>,
    /// This device's running timer on it, if any.
    pub timer: Option<RunningTimer>,
}

/// A timer running on this device: what it counts and since when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RunningTimer {
    pub kind: TimeKind,
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub started_at: Timestamp,
}

pub(crate) async fn save(conn: &mut SqliteConnection, w: &WorkOrder) -> Result<()> {
    sqlx::query(
        "INSERT INTO work_orders (id, ticket_id, technician_id, status, starts_at, ends_at, doc) \
         VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET \
         technician_id = excluded.technician_id, status = excluded.status, \
         starts_at = excluded.starts_at, ends_at = excluded.ends_at, doc = excluded.doc",
    )
    .bind(w.id.to_string())
    .bind(w.ticket_id.to_string())
    .bind(w.technician_id.map(|t| t.to_string()))
    .bind(w.status.as_str())
    .bind(ms(w.starts_at))
    .bind(ms(w.ends_at))
    .bind(serde_json::to_string(w).expect("work order serializes"))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The files of a ticket: (attachment id, SHA-256).
async fn ticket_files(conn: &mut SqliteConnection, ticket: Uuid) -> Result<Vec<(Uuid, String)>> {
    let rows: Vec<(String, String)> =
        sqlx::query_as("SELECT id, sha256 FROM attachments WHERE ticket_id = ?")
            .bind(ticket.to_string())
            .fetch_all(&mut *conn)
            .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(id, sha)| Uuid::parse_str(&id).ok().map(|id| (id, sha)))
        .collect())
}

async fn load(conn: &mut SqliteConnection, id: Uuid) -> Result<Option<WorkOrder>> {
    let row: Option<(String,)> = sqlx::query_as("SELECT doc FROM work_orders WHERE id = ?")
        .bind(id.to_string())
        .fetch_optional(&mut *conn)
        .await?;
    row.map(|(d,)| serde_json::from_str(&d).map_err(corrupt))
        .transpose()
}

/// The work orders of a pulled ticket (or a correction's): the server's, with this device's
/// still-pending changes on top; one this device holds that the server does not and that has
/// no pending change (its create was refused) goes.
pub(crate) async fn apply_bundle(
    store: &Store,
    conn: &mut SqliteConnection,
    ticket: &Ticket,
    orders: &[WorkOrder],
) -> Result<()> {
    let listed: Vec<Uuid> = orders.iter().map(|w| w.id).collect();
    for id in crate::sync::unlisted(conn, "work_orders", "work_order", ticket.id, &listed).await? {
        sqlx::query("DELETE FROM work_timers WHERE work_order_id = ?")
            .bind(&id)
            .execute(&mut *conn)
            .await?;
        sqlx::query("DELETE FROM work_orders WHERE id = ?")
            .bind(&id)
            .execute(&mut *conn)
            .await?;
    }
    for w in orders {
        apply_pulled(store, conn, ticket, w).await?;
    }
    Ok(())
}

/// A pulled work order on `ticket`, with this device's still-pending changes applied on top.
async fn apply_pulled(
    store: &Store,
    conn: &mut SqliteConnection,
    ticket: &Ticket,
    w: &WorkOrder,
) -> Result<()> {
    if w.ticket_id != ticket.id {
        tracing::warn!(work_order = %w.id, "ignored a work order under another ticket");
        return Ok(());
    }
    let next = crate::sync::with_pending(
        store,
        conn,
        "work_order",
        w.id,
        w.clone(),
        |cur, op, ctx| {
            apply_work_order(
                Some(cur),
                Some(ticket),
                TicketFiles::Trusted,
                w.id,
                &op.change,
                op.at,
                ctx,
            )
            .ok()
            .flatten()
        },
    )
    .await?;
    save(conn, &next).await
}

/// [`WorkOrders::write`] on the caller's transaction, as `actor` (a local workspace's jobs
/// write as the system actor).
pub(crate) async fn write_in(
    store: &Store,
    tx: &mut SqliteConnection,
    id: Uuid,
    change: Change,
    actor: &helpdeck_core::user::User,
    now: Timestamp,
) -> Result<WorkOrder> {
    let current = load(&mut *tx, id).await?;
    let ticket_id = helpdeck_core::workorder::ticket_of(current.as_ref(), &change)
        .ok_or_else(|| StoreError::NotFound(format!("no work order {}", work_order_key(id))))?;
    let (ticket, _) = find_ticket(&mut *tx, &ticket_id.to_string()).await?;
    let rules = store.current_rules(&mut *tx).await?;
    let directory = local_directory(&mut *tx, &change.named_ids()).await?;
    let ctx = helpdeck_core::apply::Context {
        actor,
        rules: &rules,
        now,
        directory: &directory,
    };
    let files = ticket_files(&mut *tx, ticket.id).await?;
    let Some(next) = apply_work_order(
        current.as_ref(),
        Some(&ticket),
        TicketFiles::Known(&files),
        id,
        &change,
        now,
        &ctx,
    )?
    else {
        return current
            .ok_or_else(|| StoreError::NotFound(format!("no work order {}", work_order_key(id))));
    };
    save(&mut *tx, &next).await?;
    let op = store.new_op(id, change, actor.id, now);
    let mut batch = Batch::default();
    push_op(&mut batch, &op, now);
    batch.execute(&mut *tx).await?;
    Ok(next)
}

impl WorkOrders<'_> {
    /// Decides `change` on work order `id` (none yet: a create), writes it and its op, and
    /// returns it.
    #[instrument(skip_all, fields(work_order = %id), err)]
    pub async fn write(&self, id: Uuid, change: Change) -> Result<WorkOrder> {
        let store = self.0;
        let now = store.now();
        let mut tx = store.pool.begin_with("BEGIN IMMEDIATE").await?;
        let written = write_in(store, &mut tx, id, change, &store.actor, now).await?;
        tx.commit().await?;
        Ok(written)
    }

    /// A work order by its key (`WO-1a2b3c4d`, any case), its id, or the start of its id
    /// (6+ hex digits).
    pub async fn find(&self, reference: &str) -> Result<WorkOrder> {
        let r =
            crate::rows::short_ref(reference, "wo-", "work order", "work-order", "WO-1a2b3c4d")?;
        // Its id (what the app passes: by primary key), or its key (the id's end) or the
        // start of its id (every id looked at).
        let rows: Vec<(String,)> = match crate::rows::whole_id(&r) {
            Some(id) => {
                sqlx::query_as("SELECT doc FROM work_orders WHERE id = ?")
                    .bind(id)
                    .fetch_all(&self.0.pool)
                    .await?
            }
            None => {
                sqlx::query_as(
                    "SELECT doc FROM work_orders WHERE replace(id, '-', '') LIKE '%' || ?1 \
                     OR replace(id, '-', '') LIKE ?1 || '%' LIMIT 2",
                )
                .bind(&r)
                .fetch_all(&self.0.pool)
                .await?
            }
        };
        match rows.as_slice() {
            [(d,)] => serde_json::from_str(d).map_err(corrupt),
            [] => Err(StoreError::NotFound(format!(
                "no work order {reference} (`helpdeck workorder list` shows them)"
            ))),
            _ => Err(helpdeck_core::DomainError::invalid(
                "work order",
                format!(
                    "'{reference}' names more than one work order; give its full id (`helpdeck --json workorder list` shows ids)"
                ),
            )
            .into()),
        }
    }

    /// Work orders with their tickets: of one ticket, or all, earliest first.
    pub async fn list(&self, ticket: Option<&str>) -> Result<Vec<WorkOrderView>> {
        let mut conn = self.0.pool.acquire().await?;
        let rows: Vec<(String, i64, String)> = match ticket {
            Some(reference) => {
                let (t, _) = find_ticket(&mut conn, reference).await?;
                sqlx::query_as(
                    "SELECT w.doc, t.number, t.title FROM work_orders w JOIN tickets t ON t.id = w.ticket_id \
                     WHERE w.ticket_id = ? ORDER BY w.starts_at, w.id",
                )
                .bind(t.id.to_string())
                .fetch_all(&mut *conn)
                .await?
            }
            None => {
                sqlx::query_as(
                    "SELECT w.doc, t.number, t.title FROM work_orders w JOIN tickets t ON t.id = w.ticket_id \
                     ORDER BY w.starts_at, w.id",
                )
                .fetch_all(&mut *conn)
                .await?
            }
        };
        views(&mut conn, rows).await
    }

    /// A technician's day (`helpdeck_core::workorder::today`): their visits not done or
    /// cancelled that start before `to` (the end of today), earliest first, each with what is
    /// still missing.
    pub async fn today(&self, technician: Uuid, to: Timestamp) -> Result<Vec<WorkOrderView>> {
        let mut conn = self.0.pool.acquire().await?;
        let rows: Vec<(String, i64, String)> = sqlx::query_as(
            "SELECT w.doc, t.number, t.title FROM work_orders w JOIN tickets t ON t.id = w.ticket_id \
             WHERE w.technician_id = ? AND w.starts_at < ? \
             AND w.status IN ('scheduled', 'in_progress') ORDER BY w.starts_at, w.id",
        )
        .bind(technician.to_string())
        .bind(ms(to))
        .fetch_all(&mut *conn)
        .await?;
        views(&mut conn, rows).await
    }

    /// How many visits [`WorkOrders::today`] lists.
    pub async fn today_count(&self, technician: Uuid, to: Timestamp) -> Result<i64> {
        let (n,): (i64,) = sqlx::query_as(
            "SELECT count(*) FROM work_orders WHERE technician_id = ? AND starts_at < ? \
             AND status IN ('scheduled', 'in_progress')",
        )
        .bind(technician.to_string())
        .bind(ms(to))
        .fetch_one(&self.0.pool)
        .await?;
        Ok(n)
    }

    /// One work order with its ticket, by reference.
    pub async fn view(&self, reference: &str) -> Result<WorkOrderView> {
        let w = self.find(reference).await?;
        let mut conn = self.0.pool.acquire().await?;
        let rows: Vec<(String, i64, String)> = sqlx::query_as(
            "SELECT w.doc, t.number, t.title FROM work_orders w JOIN tickets t ON t.id = w.ticket_id \
             WHERE w.id = ?",
        )
        .bind(w.id.to_string())
        .fetch_all(&mut *conn)
        .await?;
        views(&mut conn, rows)
            .await?
            .pop()
            .ok_or_else(|| StoreError::NotFound(format!("no work order {reference}")))
    }

    /// A new work order on a ticket.
    #[instrument(skip_all, err)]
    pub async fn create(&self, input: WorkOrderInput) -> Result<WorkOrder> {
        let technician = match &input.technician {
            None => None,
            Some(t) => self.technician(t).await?,
        };
        let ticket = {
            let mut conn = self.0.pool.acquire().await?;
            find_ticket(&mut conn, &input.ticket).await?.0
        };
        // No items given: the checklist of the ticket's category, if the workspace has one.
        let checklist = if input.checklist.is_empty() {
            let rules = self.0.admin().rules().await?;
            helpdeck_core::workorder::template_for(&rules.checklists, &ticket.category)
                .map(|t| t.items.clone())
                .unwrap_or_default()
        } else {
            input.checklist
        };
        let draft = WorkOrderDraft {
            ticket_id: ticket.id,
            technician_id: technician,
            starts_at: input.starts_at,
            ends_at: input.ends_at,
            site: input.site,
            contact: input.contact.filter(|c| !c.trim().is_empty()),
            checklist,
        };
        self.write(new_id(), Change::CreateWorkOrder(draft)).await
    }

    /// A technician as a person names one: an agent's email, `me`, or `none` (nobody).
    pub async fn technician(&self, text: &str) -> Result<Option<Uuid>> {
        match text.trim() {
            "" | "none" => Ok(None),
            "me" => Ok(Some(self.0.actor.id)),
            email => {
                let mut conn = self.0.pool.acquire().await?;
                let email = helpdeck_core::user::validate_email(email)?;
                Ok(Some(
                    crate::workspace::agent_by_email(&mut conn, &email)
                        .await?
                        .id,
                ))
            }
        }
    }

    /// The `n`-th item (1-based) of a work order's checklist.
    fn item(w: &WorkOrder, n: usize) -> Result<Uuid> {
        w.checklist
            .get(n.wrapping_sub(1))
            .map(|i| i.id)
            .ok_or_else(|| {
                helpdeck_core::DomainError::invalid(
                    "item",
                    format!(
                        "{} has items 1 to {} (got {n})",
                        work_order_key(w.id),
                        w.checklist.len()
                    ),
                )
                .into()
            })
    }

    /// Ticks (or unticks) checklist item `n` (1-based), with its reading.
    pub async fn check(
        &self,
        reference: &str,
        n: usize,
        done: bool,
        reading: Option<String>,
    ) -> Result<WorkOrder> {
        let w = self.find(reference).await?;
        let item_id = Self::item(&w, n)?;
        self.write(
            w.id,
            Change::CheckItem(ItemCheck {
                item_id,
                done,
                reading,
            }),
        )
        .await
    }

    /// A photo for checklist item `n`: attached to the ticket on a reply the customer sees
    /// (`public`) or on an internal note, then named by the item, which it ticks.
    pub async fn photo(
        &self,
        reference: &str,
        n: usize,
        file: NewFile,
        public: bool,
    ) -> Result<WorkOrder> {
        let w = self.find(reference).await?;
        let item_id = Self::item(&w, n)?;
        let change = Change::AddItemPhoto(ItemPhoto {
            item_id,
            attachment_id: file.id,
        });
        // Refused before anything is written (a closed work order takes no photo).
        self.decide(w.id, &change).await?;
        let text = &w.checklist[n - 1].text;
        let visibility = if public {
            Visibility::Public
        } else {
            Visibility::Internal
        };
        self.0
            .tickets()
            .comment(
                &w.ticket_id.to_string(),
                &format!("📷 {} — {text}", work_order_key(w.id)),
                visibility,
                std::slice::from_ref(&file),
            )
            .await?;
        let with_photo = self.write(w.id, change).await?;
        if with_photo.checklist[n - 1].done {
            return Ok(with_photo);
        }
        let reading = with_photo.checklist[n - 1].reading.clone();
        self.write(
            w.id,
            Change::CheckItem(ItemCheck {
                item_id,
                done: true,
                reading,
            }),
        )
        .await
    }

    /// A part used.
    pub async fn use_part(&self, reference: &str, part: &Part, quantity: u32) -> Result<WorkOrder> {
        let w = self.find(reference).await?;
        self.write(w.id, Change::UsePart(part.used(new_id(), quantity)?))
            .await
    }

    /// A part from the workspace's catalogue, by its code.
    pub async fn catalogue_part(&self, code: &str) -> Result<Part> {
        let rules = self.0.admin().rules().await?;
        rules
            .parts
            .iter()
            .find(|p| p.code.trim().eq_ignore_ascii_case(code.trim()))
            .cloned()
            .ok_or_else(|| {
                helpdeck_core::DomainError::invalid(
                    "part",
                    if rules.parts.is_empty() {
                        format!("no part {code} in the catalogue (it is empty: add parts with `helpdeck workorder parts add`, or give the part's name)")
                    } else {
                        format!(
                            "no part {code} in the catalogue (codes: {}), or give the part's name",
                            rules
                                .parts
                                .iter()
                                .map(|p| p.code.as_str())
                                .collect::<Vec<_>>()
                                .join(", ")
                        )
                    },
                )
                .into()
            })
    }

    /// Travel or work time.
    pub async fn log_time(
        &self,
        reference: &str,
        kind: TimeKind,
        minutes: u32,
    ) -> Result<WorkOrder> {
        let w = self.find(reference).await?;
        self.write(
            w.id,
            Change::LogTime(TimeLog {
                id: new_id(),
                kind,
                minutes,
            }),
        )
        .await
    }

    /// Reschedules, reassigns or starts/cancels a work order.
    pub async fn update(&self, reference: &str, fields: WorkOrderFields) -> Result<WorkOrder> {
        let w = self.find(reference).await?;
        self.write(w.id, Change::UpdateWorkOrder(fields)).await
    }

    /// The customer's sign-off: the drawn signature is attached to the ticket on a reply the
    /// customer sees, then the work order is done.
    pub async fn sign(
        &self,
        reference: &str,
        signer: &str,
        signature: NewFile,
    ) -> Result<WorkOrder> {
        let w = self.find(reference).await?;
        if !signature.media_type.starts_with("image/") {
            return Err(helpdeck_core::DomainError::invalid(
                "signature",
                format!(
                    "a signature is an image (PNG or JPEG); {} is {}",
                    signature.name, signature.media_type
                ),
            )
            .into());
        }
        let change = Change::SignOff(SignOffDraft {
            signer: signer.to_string(),
            signature_sha256: signature.sha256.clone(),
        });
        self.decide(w.id, &change).await?;
        self.0
            .tickets()
            .comment(
                &w.ticket_id.to_string(),
                &format!(
                    "✍ {} — signed off by {}",
                    work_order_key(w.id),
                    signer.trim()
                ),
                Visibility::Public,
                std::slice::from_ref(&signature),
            )
            .await?;
        self.write(w.id, change).await
    }

    /// Starts a timer of `kind` on a work order (this device only; one per work order). The
    /// first one on a scheduled visit also starts the visit.
    pub async fn timer_start(&self, reference: &str, kind: TimeKind) -> Result<WorkOrderView> {
        let w = self.find(reference).await?;
        if matches!(w.status, WorkOrderStatus::Done | WorkOrderStatus::Cancelled) {
            return Err(helpdeck_core::DomainError::invalid(
                "timer",
                format!(
                    "{} is {}; start no timer on it",
                    work_order_key(w.id),
                    w.status
                ),
            )
            .into());
        }
        let running: Option<(String,)> =
            sqlx::query_as("SELECT kind FROM work_timers WHERE work_order_id = ?")
                .bind(w.id.to_string())
                .fetch_optional(&self.0.pool)
                .await?;
        if let Some((kind,)) = running {
            return Err(helpdeck_core::DomainError::invalid(
                "timer",
                format!(
                    "a {kind} timer already runs on {}; stop it first",
                    work_order_key(w.id)
                ),
            )
            .into());
        }
        if w.status == WorkOrderStatus::Scheduled {
            self.write(
                w.id,
                Change::UpdateWorkOrder(WorkOrderFields {
                    status: Some(WorkOrderStatus::InProgress),
                    ..Default::default()
                }),
            )
            .await?;
        }
        sqlx::query("INSERT INTO work_timers (work_order_id, kind, started_at) VALUES (?, ?, ?)")
            .bind(w.id.to_string())
            .bind(kind.as_str())
            .bind(ms(self.0.now()))
            .execute(&self.0.pool)
            .await?;
        self.view(&w.id.to_string()).await
    }

    /// Stops the work order's timer and logs its minutes (rounded up; a run longer than a day
    /// is logged as several entries of at most a day).
    pub async fn timer_stop(&self, reference: &str) -> Result<WorkOrderView> {
        let w = self.find(reference).await?;
        let running: Option<(String, i64)> =
            sqlx::query_as("SELECT kind, started_at FROM work_timers WHERE work_order_id = ?")
                .bind(w.id.to_string())
                .fetch_optional(&self.0.pool)
                .await?;
        let Some((kind, started)) = running else {
            return Err(helpdeck_core::DomainError::invalid(
                "timer",
                format!("no timer runs on {}", work_order_key(w.id)),
            )
            .into());
        };
        let kind: TimeKind = kind.parse()?;
        let elapsed_ms = (ms(self.0.now()) - started).max(0);
        let mut minutes = ((elapsed_ms + 59_999) / 60_000).max(1) as u64;
        while minutes > 0 {
            let chunk = minutes.min(u64::from(helpdeck_core::workorder::MAX_ENTRY_MINUTES));
            self.write(
                w.id,
                Change::LogTime(TimeLog {
                    id: new_id(),
                    kind,
                    minutes: chunk as u32,
                }),
            )
            .await?;
            minutes -= chunk;
        }
        sqlx::query("DELETE FROM work_timers WHERE work_order_id = ?")
            .bind(w.id.to_string())
            .execute(&self.0.pool)
            .await?;
        self.view(&w.id.to_string()).await
    }

    /// Decides `change` without writing it: a refusal before a step that writes elsewhere.
    async fn decide(&self, id: Uuid, change: &Change) -> Result<()> {
        let store = self.0;
        let now = store.now();
        let mut conn = store.pool.acquire().await?;
        let current = load(&mut conn, id).await?;
        let ticket_id = helpdeck_core::workorder::ticket_of(current.as_ref(), change)
            .ok_or_else(|| StoreError::NotFound(format!("no work order {}", work_order_key(id))))?;
        let (ticket, _) = find_ticket(&mut conn, &ticket_id.to_string()).await?;
        let rules = store.current_rules(&mut conn).await?;
        let directory = local_directory(&mut conn, &change.named_ids()).await?;
        let ctx = store.context(&rules, &directory, now);
        // A photo or signature is attached in the step that follows this check.
        apply_work_order(
            current.as_ref(),
            Some(&ticket),
            TicketFiles::Trusted,
            id,
            change,
            now,
            &ctx,
        )?;
        Ok(())
    }
}

async fn views(
    conn: &mut SqliteConnection,
    rows: Vec<(String, i64, String)>,
) -> Result<Vec<WorkOrderView>> {
    let orders = rows
        .into_iter()
        .map(|(doc, number, title)| {
            serde_json::from_str::<WorkOrder>(&doc)
                .map_err(corrupt)
                .map(|w| (w, number, title))
        })
        .collect::<Result<Vec<_>>>()?;
    let mut techs: Vec<Uuid> = orders
        .iter()
        .filter_map(|(w, _, _)| w.technician_id)
        .collect();
    techs.sort();
    techs.dedup();
    let names = crate::read::user_refs(conn, &techs).await?;
    let timers: std::collections::HashMap<String, RunningTimer> =
        sqlx::query_as::<_, (String, String, i64)>(
            "SELECT work_order_id, kind, started_at FROM work_timers",
        )
        .fetch_all(&mut *conn)
        .await?
        .into_iter()
        .filter_map(|(id, kind, at)| {
            Some((
                id,
                RunningTimer {
                    kind: kind.parse().ok()?,
                    started_at: Timestamp::from_millisecond(at).ok()?,
                },
            ))
        })
        .collect();
    Ok(orders
        .into_iter()
        .map(|(w, number, title)| WorkOrderView {
            key: work_order_key(w.id),
            ticket: ticket_key(number),
            ticket_title: title,
            technician_name: w
                .technician_id
                .and_then(|t| names.get(&t))
                .map(|u| u.name.clone()),
            missing: w.missing(),
            timer: timers.get(&w.id.to_string()).cloned(),
            work_order: w,
        })
        .collect())
}
