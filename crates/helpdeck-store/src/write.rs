//! The one write path. Every local change to a ticket goes through [`Store::persist`]:
//! rows, audit events, outbox operation, search index and SLA columns, in one transaction.

use helpdeck_core::command::{self, CommentChange, FieldChange, NewTicket, TicketChange, TicketPatch};
use helpdeck_core::op::{Entity, OP_SCHEMA_VERSION, Op, OpAction};
use helpdeck_core::record::Visibility;
use helpdeck_core::search_text::index_text;
use helpdeck_core::sla::SlaFacts;
use helpdeck_core::status::Status;
use helpdeck_core::ticket::{Channel, Csat, Kind, Priority, Resolution, Ticket, Tier, parse_ticket_key};
use helpdeck_core::{DomainError, Timestamp, new_id};
use serde_json::json;
use sqlx::SqliteConnection;
use tracing::instrument;
use uuid::Uuid;

use crate::error::{Result, StoreError};
use crate::rows::{TICKET_COLUMNS, TicketRow, ms};
use crate::sla::{evaluate_ticket, load_facts, sla_columns};
use crate::views::TicketDetail;
use crate::workspace::{agent_by_email, ensure_requester};
use crate::Store;

/// Who a ticket is assigned to, as a user says it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AssigneeInput {
    /// The current user.
    Me,
    /// Nobody (unassign).
    Nobody,
    /// An agent by email.
    Email(String),
}

impl std::str::FromStr for AssigneeInput {
    type Err = std::convert::Infallible;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s.trim() {
            "me" => AssigneeInput::Me,
            "none" | "" => AssigneeInput::Nobody,
            other => AssigneeInput::Email(other.to_string()),
        })
    }
}

/// A new ticket as a user enters it (people by email).
#[derive(Debug, Clone, Default)]
pub struct CreateInput {
    pub title: String,
    pub body: String,
    pub priority: Option<Priority>,
    pub kind: Option<Kind>,
    pub category: Option<String>,
    pub channel: Option<Channel>,
    pub requester: Option<String>,
    pub assignee: Option<AssigneeInput>,
    pub tier: Option<Tier>,
    pub tags: Vec<String>,
    pub site: Option<String>,
}

/// A partial update as a user enters it.
#[derive(Debug, Clone, Default)]
pub struct UpdateInput {
    pub title: Option<String>,
    pub body: Option<String>,
    pub priority: Option<Priority>,
    pub kind: Option<Kind>,
    pub category: Option<String>,
    pub assignee: Option<AssigneeInput>,
    pub tier: Option<Tier>,
    pub status: Option<Status>,
    pub reason: Option<String>,
}

/// A change ready to persist.
pub(crate) struct Persist<'a> {
    pub ticket: &'a Ticket,
    /// The row's `seq`; `None` for a new ticket.
    pub seq: Option<i64>,
    pub changes: &'a [FieldChange],
    pub ops: Vec<OpAction>,
    pub comment: Option<NewComment<'a>>,
    pub text_changed: bool,
}

pub(crate) struct NewComment<'a> {
    pub id: Uuid,
    pub body: &'a str,
    pub visibility: Visibility,
    pub by_agent: bool,
}

enum Mutation {
    Ticket(TicketChange),
    Comment(CommentChange),
}

/// Finds a ticket by `HD-12`, `12` or its id, inside a transaction.
pub(crate) async fn find_ticket(conn: &mut SqliteConnection, reference: &str) -> Result<(Ticket, i64)> {
    let r = reference.trim();
    let sql = if parse_ticket_key(r).is_some() {
        format!("SELECT {TICKET_COLUMNS} FROM tickets t WHERE t.number = ?")
    } else if Uuid::parse_str(r).is_ok() {
        format!("SELECT {TICKET_COLUMNS} FROM tickets t WHERE t.id = ?")
    } else {
        return Err(DomainError::invalid(
            "ticket",
            format!("'{reference}' is not a ticket reference (expected a number such as HD-12, or a ticket id)"),
        )
        .into());
    };
    let q = sqlx::query_as::<_, TicketRow>(sqlx::AssertSqlSafe(sql));
    let q = match parse_ticket_key(r) {
        Some(n) => q.bind(n),
        None => q.bind(r.to_lowercase()),
    };
    let row = q
        .fetch_optional(conn)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("no ticket {reference} in this workspace")))?;
    let seq = row.seq;
    Ok((row.into_ticket()?, seq))
}

impl Store {
    /// Creates a ticket.
    #[instrument(skip_all, err)]
    pub async fn create_ticket(&self, input: CreateInput) -> Result<TicketDetail> {
        let now = self.now();
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let (requester, organization_id) = match &input.requester {
            Some(email) => {
                let (user, _) = ensure_requester(&mut tx, email, now).await?;
                let org = user.organization_id;
                (Some(user.id), org)
            }
            None => (None, None),
        };
        let assignee_id = match &input.assignee {
            Some(a) => self.resolve_assignee(&mut tx, a).await?,
            None => None,
        };
        let (number,): (i64,) =
            sqlx::query_as("UPDATE workspace SET next_number = next_number + 1 RETURNING next_number - 1")
                .fetch_one(&mut *tx)
                .await?;
        let new = NewTicket {
            title: input.title,
            description: input.body,
            priority: input.priority,
            kind: input.kind,
            category: input.category,
            channel: input.channel,
            requester_id: requester,
            organization_id,
            assignee_id,
            team_id: None,
            tier: input.tier,
            tags: input.tags,
            site: input.site,
        };
        let change = command::create_ticket(&self.actor, new, new_id(), number, &self.rules, now)?;
        self.persist(
            &mut tx,
            Persist {
                ticket: &change.ticket,
                seq: None,
                changes: &change.changes,
                ops: change.ops,
                comment: None,
                text_changed: true,
            },
            now,
        )
        .await?;
        tx.commit().await?;
        self.ticket(&change.ticket.id.to_string()).await
    }

    /// Changes fields and/or status.
    pub async fn update_ticket(&self, reference: &str, input: UpdateInput) -> Result<TicketDetail> {
        self.mutate(reference, |store, conn, t, now| {
            Box::pin(async move {
                let assignee_id = match &input.assignee {
                    Some(a) => Some(store.resolve_assignee(conn, a).await?),
                    None => None,
                };
                let patch = TicketPatch {
                    title: input.title,
                    description: input.body,
                    priority: input.priority,
                    kind: input.kind,
                    category: input.category,
                    assignee_id,
                    team_id: None,
                    tier: input.tier,
                    status: input.status,
                    reason: input.reason,
                };
                Ok(Mutation::Ticket(command::update_ticket(&t, &store.actor, patch, &store.rules, now)?))
            })
        })
        .await
    }

    /// Adds a public reply.
    pub async fn reply(&self, reference: &str, body: &str) -> Result<TicketDetail> {
        self.comment(reference, body, Visibility::Public).await
    }

    /// Adds an internal note.
    pub async fn note(&self, reference: &str, body: &str) -> Result<TicketDetail> {
        self.comment(reference, body, Visibility::Internal).await
    }

    async fn comment(&self, reference: &str, body: &str, visibility: Visibility) -> Result<TicketDetail> {
        let body = body.to_string();
        self.mutate(reference, move |store, _, t, now| {
            Box::pin(async move {
                Ok(Mutation::Comment(command::add_comment(&t, &store.actor, visibility, &body, now)?))
            })
        })
        .await
    }

    /// Resolves with the service report.
    pub async fn resolve(&self, reference: &str, resolution: Resolution) -> Result<TicketDetail> {
        self.mutate(reference, move |store, _, t, now| {
            Box::pin(async move {
                Ok(Mutation::Ticket(command::resolve(&t, &store.actor, resolution, &store.rules, now)?))
            })
        })
        .await
    }

    /// Reopens a resolved or closed ticket.
    pub async fn reopen(&self, reference: &str) -> Result<TicketDetail> {
        self.mutate(reference, |store, _, t, now| {
            Box::pin(async move { Ok(Mutation::Ticket(command::reopen(&t, &store.actor, &store.rules, now)?)) })
        })
        .await
    }

    /// Closes a ticket (a reason is needed from new or open).
    pub async fn close(&self, reference: &str, reason: Option<String>) -> Result<TicketDetail> {
        self.mutate(reference, move |store, _, t, now| {
            Box::pin(async move {
                Ok(Mutation::Ticket(command::close(&t, &store.actor, reason, &store.rules, now)?))
            })
        })
        .await
    }

    /// Records a satisfaction rating.
    pub async fn rate(&self, reference: &str, csat: Csat) -> Result<TicketDetail> {
        self.mutate(reference, move |store, _, t, now| {
            Box::pin(async move { Ok(Mutation::Ticket(command::rate(&t, &store.actor, csat, &store.rules, now)?)) })
        })
        .await
    }

    async fn resolve_assignee(&self, conn: &mut SqliteConnection, a: &AssigneeInput) -> Result<Option<Uuid>> {
        Ok(match a {
            AssigneeInput::Me => Some(self.actor.id),
            AssigneeInput::Nobody => None,
            AssigneeInput::Email(e) => Some(agent_by_email(conn, e).await?.id),
        })
    }

    /// Loads the ticket, runs `decide` (core rules) and persists the result, in one
    /// `BEGIN IMMEDIATE` transaction.
    #[instrument(skip_all, fields(ticket = %reference), err)]
    async fn mutate<F>(&self, reference: &str, decide: F) -> Result<TicketDetail>
    where
        F: for<'c> FnOnce(
            &'c Store,
            &'c mut SqliteConnection,
            Ticket,
            Timestamp,
        ) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<Mutation>> + Send + 'c>>,
    {
        let now = self.now();
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let (ticket, seq) = find_ticket(&mut tx, reference).await?;
        let id = ticket.id;
        match decide(self, &mut tx, ticket, now).await? {
            Mutation::Ticket(change) => {
                let text_changed = change
                    .changes
                    .iter()
                    .any(|c| matches!(c.field, "title" | "description"));
                self.persist(
                    &mut tx,
                    Persist {
                        ticket: &change.ticket,
                        seq: Some(seq),
                        changes: &change.changes,
                        ops: change.ops,
                        comment: None,
                        text_changed,
                    },
                    now,
                )
                .await?;
            }
            Mutation::Comment(change) => {
                let comment_id = new_id();
                self.persist(
                    &mut tx,
                    Persist {
                        ticket: &change.ticket,
                        seq: Some(seq),
                        changes: &change.changes,
                        ops: change.ops,
                        comment: Some(NewComment {
                            id: comment_id,
                            body: &change.body,
                            visibility: change.visibility,
                            by_agent: change.by_agent,
                        }),
                        text_changed: false,
                    },
                    now,
                )
                .await?;
            }
        }
        tx.commit().await?;
        self.ticket(&id.to_string()).await
    }

    /// Writes one decided change: comment, events, SLA columns, ticket row, search index,
    /// outbox operations and the clock, on the caller's transaction.
    pub(crate) async fn persist(&self, conn: &mut SqliteConnection, p: Persist<'_>, now: Timestamp) -> Result<()> {
        let t = p.ticket;
        let hlc = self.clock.tick();
        let actor = self.actor.id;
        let device = self.ws.device_id;
        let mut ops: Vec<Op> = Vec::with_capacity(p.ops.len() + 1);

        let ticket_seq: i64 = match p.seq {
            Some(seq) => seq,
            None => {
                // A new ticket has no history yet: its SLA follows from creation alone.
                let facts = SlaFacts {
                    created_at: t.created_at,
                    priority: t.priority,
                    kind: t.kind,
                    status_changes: Vec::new(),
                    agent_public_replies: Vec::new(),
                };
                let report = evaluate_ticket(&self.policies, &facts, t.organization_id, now);
                let (due, risk) = sla_columns(&report);
                insert_ticket_row(conn, t, due, risk).await?
            }
        };

        if let Some(c) = &p.comment {
            let (seq,): (i64,) = sqlx::query_as(
                "INSERT INTO comments (id, ticket_id, author_id, visibility, by_agent, body, created_at) \
                 VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING seq",
            )
            .bind(c.id.to_string())
            .bind(t.id.to_string())
            .bind(actor.to_string())
            .bind(c.visibility.as_str())
            .bind(c.by_agent)
            .bind(c.body)
            .bind(ms(now))
            .fetch_one(&mut *conn)
            .await?;
            sqlx::query("INSERT INTO search_index (rowid, title, body, ticket_seq) VALUES (?, '', ?, ?)")
                .bind(-seq)
                .bind(index_text(c.body))
                .bind(ticket_seq)
                .execute(&mut *conn)
                .await?;
            ops.push(Op {
                op_id: new_id(),
                entity: Entity::Comment,
                entity_id: c.id,
                action: OpAction::Create {
                    state: json!({
                        "id": c.id, "ticket_id": t.id, "author_id": actor,
                        "visibility": c.visibility, "body": c.body, "created_at": now,
                    }),
                },
                hlc: hlc.clone(),
                device_id: device,
                actor_id: actor,
                schema_version: OP_SCHEMA_VERSION,
            });
        }

        for change in p.changes {
            sqlx::query(
                "INSERT INTO events (id, ticket_id, actor_id, device_id, field, old_value, new_value, at) \
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(new_id().to_string())
            .bind(t.id.to_string())
            .bind(actor.to_string())
            .bind(device.to_string())
            .bind(change.field)
            .bind(change.from.as_deref())
            .bind(change.to.as_deref())
            .bind(ms(now))
            .execute(&mut *conn)
            .await?;
        }

        if p.seq.is_some() {
            // Read the history back: it includes the events and comment written above.
            let facts = load_facts(conn, &[t.id]).await?.facts(t);
            let report = evaluate_ticket(&self.policies, &facts, t.organization_id, now);
            let (due, risk) = sla_columns(&report);
            update_ticket_row(conn, t, due, risk).await?;
        }

        if p.text_changed {
            if p.seq.is_some() {
                sqlx::query("DELETE FROM search_index WHERE rowid = ?")
                    .bind(ticket_seq)
                    .execute(&mut *conn)
                    .await?;
            }
            sqlx::query("INSERT INTO search_index (rowid, title, body, ticket_seq) VALUES (?, ?, ?, ?)")
                .bind(ticket_seq)
                .bind(index_text(&t.title))
                .bind(index_text(&t.description))
                .bind(ticket_seq)
                .execute(&mut *conn)
                .await?;
        }

        for action in p.ops {
            ops.push(Op {
                op_id: new_id(),
                entity: Entity::Ticket,
                entity_id: t.id,
                action,
                hlc: hlc.clone(),
                device_id: device,
                actor_id: actor,
                schema_version: OP_SCHEMA_VERSION,
            });
        }
        for op in &ops {
            insert_op(conn, op, now).await?;
        }
        sqlx::query("UPDATE workspace SET hlc_last = ?")
            .bind(&hlc)
            .execute(&mut *conn)
            .await?;
        Ok(())
    }
}

/// Appends one operation to the outbox.
pub(crate) async fn insert_op(conn: &mut SqliteConnection, op: &Op, now: Timestamp) -> Result<()> {
    sqlx::query(
        "INSERT INTO outbox (op_id, entity, entity_id, hlc, schema_version, op, created_at) \
         VALUES (?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(op.op_id.to_string())
    .bind(op.entity.as_str())
    .bind(op.entity_id.to_string())
    .bind(&op.hlc)
    .bind(op.schema_version)
    .bind(serde_json::to_string(op).expect("op serializes"))
    .bind(ms(now))
    .execute(conn)
    .await?;
    Ok(())
}

/// Inserts a ticket row; returns its `seq`.
pub(crate) async fn insert_ticket_row(
    conn: &mut SqliteConnection,
    t: &Ticket,
    due: Option<i64>,
    risk: Option<i64>,
) -> Result<i64> {
    let (seq,): (i64,) = sqlx::query_as(
        "INSERT INTO tickets (id, number, title, description, kind, category, status, priority, channel, \
         requester_id, organization_id, assignee_id, team_id, tier, tags, asset_id, site, created_at, \
         updated_at, first_response_at, resolved_at, closed_at, resolution, csat_score, csat_comment, is_open, \
         sla_due_at, sla_at_risk_at) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING seq",
    )
    .bind(t.id.to_string())
    .bind(t.number)
    .bind(&t.title)
    .bind(&t.description)
    .bind(t.kind.as_str())
    .bind(&t.category)
    .bind(t.status.as_str())
    .bind(t.priority.as_str())
    .bind(t.channel.as_str())
    .bind(t.requester_id.map(|u| u.to_string()))
    .bind(t.organization_id.map(|u| u.to_string()))
    .bind(t.assignee_id.map(|u| u.to_string()))
    .bind(t.team_id.map(|u| u.to_string()))
    .bind(t.tier.as_str())
    .bind(serde_json::to_string(&t.tags).expect("tags serialize"))
    .bind(t.asset_id.map(|u| u.to_string()))
    .bind(t.site.as_deref())
    .bind(ms(t.created_at))
    .bind(ms(t.updated_at))
    .bind(t.first_response_at.map(ms))
    .bind(t.resolved_at.map(ms))
    .bind(t.closed_at.map(ms))
    .bind(t.resolution.as_ref().map(|r| serde_json::to_string(r).expect("resolution serializes")))
    .bind(t.csat.as_ref().map(|c| i64::from(c.score)))
    .bind(t.csat.as_ref().and_then(|c| c.comment.clone()))
    .bind(t.status.is_open())
    .bind(due)
    .bind(risk)
    .fetch_one(conn)
    .await?;
    Ok(seq)
}

async fn update_ticket_row(conn: &mut SqliteConnection, t: &Ticket, due: Option<i64>, risk: Option<i64>) -> Result<()> {
    sqlx::query(
        "UPDATE tickets SET title = ?, description = ?, kind = ?, category = ?, status = ?, priority = ?, \
         channel = ?, requester_id = ?, organization_id = ?, assignee_id = ?, team_id = ?, tier = ?, tags = ?, \
         site = ?, updated_at = ?, first_response_at = ?, resolved_at = ?, closed_at = ?, resolution = ?, \
         csat_score = ?, csat_comment = ?, is_open = ?, sla_due_at = ?, sla_at_risk_at = ? WHERE id = ?",
    )
    .bind(&t.title)
    .bind(&t.description)
    .bind(t.kind.as_str())
    .bind(&t.category)
    .bind(t.status.as_str())
    .bind(t.priority.as_str())
    .bind(t.channel.as_str())
    .bind(t.requester_id.map(|u| u.to_string()))
    .bind(t.organization_id.map(|u| u.to_string()))
    .bind(t.assignee_id.map(|u| u.to_string()))
    .bind(t.team_id.map(|u| u.to_string()))
    .bind(t.tier.as_str())
    .bind(serde_json::to_string(&t.tags).expect("tags serialize"))
    .bind(t.site.as_deref())
    .bind(ms(t.updated_at))
    .bind(t.first_response_at.map(ms))
    .bind(t.resolved_at.map(ms))
    .bind(t.closed_at.map(ms))
    .bind(t.resolution.as_ref().map(|r| serde_json::to_string(r).expect("resolution serializes")))
    .bind(t.csat.as_ref().map(|c| i64::from(c.score)))
    .bind(t.csat.as_ref().and_then(|c| c.comment.clone()))
    .bind(t.status.is_open())
    .bind(due)
    .bind(risk)
    .bind(t.id.to_string())
    .execute(conn)
    .await?;
    Ok(())
}
