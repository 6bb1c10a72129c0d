//! The one write path. Every local change to a ticket goes through [`Store::persist`]:
//! rows, audit events, outbox operation, search index and SLA columns, in one transaction.

use std::collections::{HashMap, HashSet};

use helpdeck_core::apply::{Context, Directory, Person};
use helpdeck_core::command::{self, Decided, NewFile, NewTicket, Rules, TicketPatch};
use helpdeck_core::op::{Change, OP_SCHEMA_VERSION, Op};
use helpdeck_core::record::Visibility;
use helpdeck_core::search_text::{index_text, ticket_document};
use helpdeck_core::sla::{SlaFacts, StatusChange};
use helpdeck_core::status::Status;
use helpdeck_core::ticket::{
    Channel, Csat, Kind, Priority, Resolution, Ticket, Tier, parse_ticket_key,
};
use helpdeck_core::{DomainError, Timestamp, new_id};
use sqlx::SqliteConnection;
use tracing::instrument;
use uuid::Uuid;

use crate::error::{Result, StoreError};
use crate::rows::{TICKET_COLUMNS, TicketRow, ms};
use crate::sla::{evaluate_ticket, load_facts, sla_columns};
use crate::workspace::{agent_by_email, ensure_requester};
use crate::{Store, Tickets};

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
    /// Files already in the blob store ([`Store::import_file`]).
    pub attachments: Vec<NewFile>,
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
    /// Replaces the tags.
    pub tags: Option<Vec<String>>,
    /// A site; an empty one clears it.
    pub site: Option<String>,
    /// The requester's email; an empty one clears it.
    pub requester: Option<String>,
}

/// The people and teams a change names, as this store knows them: the directory the rule
/// engine checks references against on the local path.
#[derive(Debug, Default)]
pub(crate) struct LocalDirectory {
    people: HashMap<Uuid, Person>,
    teams: HashSet<Uuid>,
}

impl Directory for LocalDirectory {
    fn person(&self, id: Uuid) -> Option<Person> {
        self.people.get(&id).copied()
    }
    fn team_exists(&self, id: Uuid) -> bool {
        self.teams.contains(&id)
    }
}

/// Loads the directory entries of `ids` (users or teams; unknown ids are simply absent).
pub(crate) async fn local_directory(
    conn: &mut SqliteConnection,
    ids: &[Uuid],
) -> Result<LocalDirectory> {
    let mut dir = LocalDirectory::default();
    for id in ids {
        let row: Option<(String, Option<String>)> =
            sqlx::query_as("SELECT role, organization_id FROM users WHERE id = ?")
                .bind(id.to_string())
                .fetch_optional(&mut *conn)
                .await?;
        if let Some((role, org)) = row {
            dir.people.insert(
                *id,
                Person {
                    role: role.parse()?,
                    organization_id: org.as_deref().map(crate::rows::uuid).transpose()?,
                },
            );
        }
        let team: Option<(i64,)> = sqlx::query_as("SELECT 1 FROM teams WHERE id = ?")
            .bind(id.to_string())
            .fetch_optional(&mut *conn)
            .await?;
        if team.is_some() {
            dir.teams.insert(*id);
        }
    }
    Ok(dir)
}

/// Finds a ticket by `HD-12`, `12` or its id, inside a transaction.
pub(crate) async fn find_ticket(
    conn: &mut SqliteConnection,
    reference: &str,
) -> Result<(Ticket, i64)> {
    let r = reference.trim();
    let sql = if parse_ticket_key(r).is_some() {
        // A number is the ticket's own, else the number a ticket had before its workspace
        // was connected to a server (its alias).
        // … or a provisional number it showed on this replica before the server numbered it.
        format!(
            "SELECT {TICKET_COLUMNS} FROM tickets t WHERE t.number = ?1 OR t.former_number = ?1 \
             OR t.id IN (SELECT ticket_id FROM number_aliases WHERE number = ?1) \
             ORDER BY t.number = ?1 DESC, t.former_number = ?1 DESC LIMIT 1"
        )
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
    /// The rule engine's context for this store's user at `now`.
    pub(crate) fn context<'a>(
        &'a self,
        rules: &'a Rules,
        directory: &'a dyn Directory,
        now: Timestamp,
    ) -> Context<'a> {
        Context {
            actor: &self.actor,
            rules,
            now,
            directory,
        }
    }

    /// The workspace rules as they are now: a replica's change with every pull (they are the
    /// server's), so they are read in the writing transaction, not cached at open.
    pub(crate) async fn current_rules(&self, conn: &mut SqliteConnection) -> Result<Rules> {
        let (categories, reopen, auto_close): (String, i64, i64) =
            sqlx::query_as("SELECT categories, reopen_window_days, auto_close_days FROM workspace")
                .fetch_one(&mut *conn)
                .await?;
        Ok(Rules {
            categories: serde_json::from_str(&categories)
                .unwrap_or_else(|_| self.rules.categories.clone()),
            reopen_window: jiff::SignedDuration::from_hours(24 * reopen),
            auto_close_after: jiff::SignedDuration::from_hours(24 * auto_close),
            local_workspace: self.rules.local_workspace,
            max_attachment_bytes: self.rules.max_attachment_bytes,
        })
    }

    /// [`Store::mutate`] for rules that name nobody new (no directory look-ups).
    async fn decide<F>(&self, reference: &str, rule: F) -> Result<Ticket>
    where
        F: FnOnce(&Store, Ticket, &Context<'_>) -> Result<Decided, DomainError> + Send,
    {
        self.mutate(reference, move |store, _, t, rules, now| {
            let directory = LocalDirectory::default();
            let decided = rule(store, t, &store.context(rules, &directory, now));
            Box::pin(async move { Ok(decided?) })
        })
        .await
    }

    /// The requester named by `email`: on a local workspace a new customer is added for an
    /// unknown address; a replica cannot invent accounts (customers are added on the server).
    async fn resolve_requester(
        &self,
        conn: &mut SqliteConnection,
        email: &str,
        now: Timestamp,
    ) -> Result<Uuid> {
        if self.rules.local_workspace {
            return Ok(ensure_requester(conn, email, now).await?.0.id);
        }
        let email = helpdeck_core::user::validate_email(email)?;
        let user = crate::workspace::user_by_email(conn, &email)
            .await?
            .ok_or_else(|| {
                crate::StoreError::NotFound(format!(
                    "no user with email {email} on the server; an admin adds customers with `helpdeck server user add`"
                ))
            })?;
        Ok(user.id)
    }

    pub(crate) async fn resolve_assignee(
        &self,
        conn: &mut SqliteConnection,
        a: &AssigneeInput,
    ) -> Result<Option<Uuid>> {
        Ok(match a {
            AssigneeInput::Me => Some(self.actor.id),
            AssigneeInput::Nobody => None,
            AssigneeInput::Email(e) => Some(agent_by_email(conn, e).await?.id),
        })
    }

    /// Loads the ticket, runs `decide` (core rules) and persists the result, in one
    /// `BEGIN IMMEDIATE` transaction.
    #[instrument(skip_all, fields(ticket = %reference), err)]
    pub(crate) async fn mutate<F>(&self, reference: &str, decide: F) -> Result<Ticket>
    where
        F: for<'c> FnOnce(
            &'c Store,
            &'c mut SqliteConnection,
            Ticket,
            &'c Rules,
            Timestamp,
        ) -> std::pin::Pin<
            Box<dyn std::future::Future<Output = Result<Decided>> + Send + 'c>,
        >,
    {
        let now = self.now();
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let (ticket, seq) = find_ticket(&mut tx, reference).await?;
        let rules = self.current_rules(&mut tx).await?;
        let decided = decide(self, &mut tx, ticket, &rules, now).await?;
        self.persist(&mut tx, &decided, Some(seq), now).await?;
        tx.commit().await?;
        Ok(decided.ticket)
    }

    /// Writes one decided change: comments, events, ticket row with its SLA columns, search
    /// index, outbox operations and the clock, on the caller's transaction. The statements go
    /// to SQLite as one batch (one round trip to the database thread). `seq` is the ticket
    /// row's `seq`, `None` for a new ticket; returns the ticket's number.
    pub(crate) async fn persist(
        &self,
        conn: &mut SqliteConnection,
        decided: &Decided,
        seq: Option<i64>,
        now: Timestamp,
    ) -> Result<i64> {
        self.persist_as(conn, decided, seq, now, self.actor.id)
            .await
    }

    /// [`Store::persist`] on behalf of `actor` (the system actor, for jobs).
    pub(crate) async fn persist_as(
        &self,
        conn: &mut SqliteConnection,
        decided: &Decided,
        seq: Option<i64>,
        now: Timestamp,
        actor: Uuid,
    ) -> Result<i64> {
        let t = &decided.ticket;
        let hlc = self.clock.tick();
        let device = self.workspace().device_id;
        let mut batch = Batch::default();
        let ticket_id = t.id.to_string();

        // SLA: the history before this change plus what this change adds (pure; no re-read).
        let mut facts = match seq {
            None => SlaFacts {
                created_at: t.created_at,
                priority: t.priority,
                kind: t.kind,
                status_changes: Vec::new(),
                agent_public_replies: Vec::new(),
            },
            Some(_) => load_facts(conn, &[t.id]).await?.facts(t),
        };
        for step in &decided.steps {
            for change in step.outcome.audit.iter().filter(|c| c.field == "status") {
                if let Some(to) = change.to.as_deref().and_then(|s| s.parse::<Status>().ok()) {
                    facts.status_changes.push(StatusChange {
                        at: step.outcome.at,
                        to,
                    });
                }
            }
            if let Some(c) = &step.outcome.comment
                && c.by_agent
                && c.visibility == Visibility::Public
                && !c.deleted
            {
                facts.agent_public_replies.push(c.created_at);
            }
        }
        let report = evaluate_ticket(&self.policies(), &facts, t.organization_id, now);
        let (due, risk) = sla_columns(&report);

        match seq {
            None => push_insert_ticket(&mut batch, t, due, risk),
            Some(_) => push_update_ticket(&mut batch, t, due, risk),
        }
        batch.push(
            "UPDATE tickets SET sla_history = ? WHERE id = ?",
            vec![Arg::Text(crate::sla::history_json(&facts)), Arg::text(t.id)],
        );
        crate::reports::push_report_facts(&mut batch, &[self.report_facts_of(t, &facts, &report)]);
        let seq_of_ticket = "(SELECT seq FROM tickets WHERE id = ?)";
        let mut text_changed = seq.is_none();

        for step in &decided.steps {
            let op = Op {
                op_id: new_id(),
                entity: step.change.entity(),
                entity_id: step.entity_id,
                change: step.change.clone(),
                hlc: hlc.clone(),
                at: step.outcome.at,
                device_id: device,
                actor_id: actor,
                schema_version: OP_SCHEMA_VERSION,
            };
            if let Some(c) = &step.outcome.comment
                && !c.deleted
            {
                push_insert_comment(&mut batch, c, &ticket_id);
            }
            if let Some(l) = &step.outcome.link {
                crate::links::push_link(&mut batch, l);
            }
            // A merge's copies of the duplicate's conversation.
            if let (Some(imported), Change::MergeFrom { .. }) =
                (&step.outcome.imported, &step.change)
            {
                for c in &imported.comments {
                    push_insert_comment(&mut batch, c, &ticket_id);
                }
            }
            if let Some(a) = &step.outcome.attachment {
                crate::blobs::push_attachment(&mut batch, a);
                if !self.rules.local_workspace {
                    batch.push(
                        "INSERT OR IGNORE INTO blob_transfers (sha256, direction, size) VALUES (?, 'up', ?)",
                        vec![Arg::text(&a.sha256), Arg::Int(a.size as i64)],
                    );
                }
            }
            // An event's id derives from the op that carries its change, so the server's copy
            // of the event (same derivation) never duplicates this one when it is pulled back.
            for change in &step.outcome.audit {
                text_changed |= matches!(change.field, "title" | "description");
                batch.push(
                    "INSERT INTO events (id, ticket_id, actor_id, device_id, field, old_value, new_value, at) \
                     VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    vec![
                        Arg::text(helpdeck_core::sync::event_id(op.op_id, change.field)),
                        Arg::text(&ticket_id),
                        Arg::text(actor),
                        Arg::text(device),
                        Arg::text(change.field),
                        Arg::opt(change.from.as_deref()),
                        Arg::opt(change.to.as_deref()),
                        Arg::Int(ms(step.outcome.at)),
                    ],
                );
            }
            if seq.is_none() && matches!(op.change, Change::CreateTicket(_)) {
                push_create_op_with_number(&mut batch, &op, &ticket_id, now);
            } else {
                push_op(&mut batch, &op, now);
            }
        }

        if text_changed {
            if seq.is_some() {
                batch.push(
                    &format!("DELETE FROM search_index WHERE rowid = {seq_of_ticket}"),
                    vec![Arg::text(&ticket_id)],
                );
            }
            batch.push(
                &format!(
                    "INSERT INTO search_index (rowid, title, body, ticket_seq) \
                     VALUES ({seq_of_ticket}, ?, ?, {seq_of_ticket})"
                ),
                {
                    let (title, body) = ticket_document(t);
                    vec![
                        Arg::text(&ticket_id),
                        Arg::Text(title),
                        Arg::Text(body),
                        Arg::text(&ticket_id),
                    ]
                },
            );
        }

        batch.push("UPDATE workspace SET hlc_last = ?", vec![Arg::Text(hlc)]);
        if seq.is_none() {
            // The new ticket's number was allocated in SQL; read it back in the same batch.
            batch.push(
                "SELECT number FROM tickets WHERE id = ?",
                vec![Arg::text(&ticket_id)],
            );
            return batch.fetch_number(conn).await;
        }
        batch.execute(conn).await?;
        Ok(t.number)
    }
}

/// Inserts a comment and its search document (the comment's ticket row must exist).
pub(crate) fn push_insert_comment(
    batch: &mut Batch,
    c: &helpdeck_core::sync::CommentState,
    ticket_id: &str,
) {
    batch.push(
        "INSERT INTO comments (id, ticket_id, author_id, visibility, by_agent, body, created_at) \
         VALUES (?, ?, ?, ?, ?, ?, ?)",
        vec![
            Arg::text(c.id),
            Arg::text(ticket_id),
            Arg::text(c.author_id),
            Arg::text(c.visibility.as_str()),
            Arg::Int(i64::from(c.by_agent)),
            Arg::text(&c.body),
            Arg::Int(ms(c.created_at)),
        ],
    );
    batch.push(
        &format!(
            "INSERT INTO search_index (rowid, title, body, ticket_seq) \
             VALUES ({}, '', ?, (SELECT seq FROM tickets WHERE id = ?))",
            crate::search::COMMENT_DOC_OF_ID
        ),
        vec![
            Arg::text(c.id),
            Arg::Text(index_text(&c.body)),
            Arg::text(ticket_id),
        ],
    );
}

/// Several statements sent to SQLite in order; `?` arguments are consumed in order across
/// the statements.
///
/// Consecutive statements go as one multi-statement query (one round trip to the
/// connection). A statement pushed with [`Batch::push_repeated`] — a full chunk of a
/// multi-row insert, whose text recurs batch after batch — goes on its own and stays
/// prepared on the connection: a pulled page's text never recurs as a whole, and preparing
/// its multi-row statements again for every page was a tenth of a first sync.
#[derive(Default)]
pub(crate) struct Batch {
    segments: Vec<Segment>,
    /// The text of this batch's plain statements is unlikely to recur: prepare them for this
    /// run only instead of keeping them in the connection's statement cache.
    one_off: bool,
}

struct Segment {
    sql: String,
    args: Vec<Arg>,
    repeated: bool,
}

/// A bound value of a [`Batch`].
pub(crate) enum Arg {
    Text(String),
    Int(i64),
    Null,
}

impl Arg {
    pub fn text(v: impl ToString) -> Arg {
        Arg::Text(v.to_string())
    }

    pub fn opt(v: Option<impl ToString>) -> Arg {
        v.map_or(Arg::Null, |v| Arg::Text(v.to_string()))
    }

    pub fn opt_int(v: Option<i64>) -> Arg {
        v.map_or(Arg::Null, Arg::Int)
    }
}

impl Batch {
    /// A batch whose plain statements' text will not come again (a pulled page): only its
    /// [`Batch::push_repeated`] statements are kept prepared.
    pub fn one_off() -> Batch {
        Batch {
            one_off: true,
            ..Batch::default()
        }
    }

    pub fn push(&mut self, sql: &str, args: Vec<Arg>) {
        debug_assert_eq!(sql.matches('?').count(), args.len(), "{sql}");
        match self.segments.last_mut() {
            Some(last) if !last.repeated => {
                last.sql.push_str(sql);
                last.sql.push_str(";\n");
                last.args.extend(args);
            }
            _ => self.segments.push(Segment {
                sql: format!("{sql};\n"),
                args,
                repeated: false,
            }),
        }
    }

    /// A statement whose text recurs from batch to batch (a full chunk of rows): run on its
    /// own and kept prepared on the connection.
    pub fn push_repeated(&mut self, sql: &str, args: Vec<Arg>) {
        debug_assert_eq!(sql.matches('?').count(), args.len(), "{sql}");
        self.segments.push(Segment {
            sql: sql.to_string(),
            args,
            repeated: true,
        });
    }

    /// [`Batch::push_repeated`] when `full` (a chunk of the usual size), else [`Batch::push`].
    pub fn push_chunk(&mut self, full: bool, sql: &str, args: Vec<Arg>) {
        if full {
            self.push_repeated(sql, args);
        } else {
            self.push(sql, args);
        }
    }

    fn queries(
        self,
    ) -> impl Iterator<Item = sqlx::query::Query<'static, sqlx::Sqlite, sqlx::sqlite::SqliteArguments>>
    {
        let one_off = self.one_off;
        self.segments.into_iter().map(move |s| {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(s.sql)).persistent(s.repeated || !one_off);
            for a in s.args {
                q = match a {
                    Arg::Text(s) => q.bind(s),
                    Arg::Int(i) => q.bind(i),
                    Arg::Null => q.bind(None::<String>),
                };
            }
            q
        })
    }

    pub async fn execute(self, conn: &mut SqliteConnection) -> Result<()> {
        for q in self.queries() {
            q.execute(&mut *conn).await?;
        }
        Ok(())
    }

    /// Runs the batch; its last statement returns a row whose first column is a ticket number.
    async fn fetch_number(self, conn: &mut SqliteConnection) -> Result<i64> {
        use sqlx::Row;
        let mut queries: Vec<_> = self.queries().collect();
        let last = queries
            .pop()
            .expect("a batch that returns a number has statements");
        for q in queries {
            q.execute(&mut *conn).await?;
        }
        let row = last.fetch_one(conn).await?;
        Ok(row.try_get::<i64, _>(0)?)
    }
}

/// Appends one operation to the outbox.
impl Store {
    /// A new op of this device for `change` on `entity_id` by `actor` at `now`, on the
    /// device's clock (the outbox's shape for every entity written outside a ticket step).
    pub(crate) fn new_op(
        &self,
        entity_id: Uuid,
        change: Change,
        actor: Uuid,
        now: Timestamp,
    ) -> Op {
        Op {
            op_id: new_id(),
            entity: change.entity(),
            entity_id,
            change,
            hlc: self.clock.tick(),
            at: now,
            device_id: self.workspace().device_id,
            actor_id: actor,
            schema_version: OP_SCHEMA_VERSION,
        }
    }
}

pub(crate) fn push_op(batch: &mut Batch, op: &Op, now: Timestamp) {
    batch.push(
        "INSERT INTO outbox (op_id, entity, entity_id, hlc, schema_version, op, created_at) \
         VALUES (?, ?, ?, ?, ?, ?, ?)",
        vec![
            Arg::text(op.op_id),
            Arg::text(op.entity.as_str()),
            Arg::text(op.entity_id),
            Arg::text(&op.hlc),
            Arg::Int(i64::from(op.schema_version)),
            Arg::Text(serde_json::to_string(op).expect("op serializes")),
            Arg::Int(ms(now)),
        ],
    );
}

pub(crate) fn ticket_values(t: &Ticket, due: Option<i64>, risk: Option<i64>) -> Vec<Arg> {
    vec![
        Arg::text(&t.title),
        Arg::text(&t.description),
        Arg::text(t.kind.as_str()),
        Arg::text(&t.category),
        Arg::text(t.status.as_str()),
        Arg::text(t.priority.as_str()),
        Arg::text(t.channel.as_str()),
        Arg::opt(t.requester_id),
        Arg::opt(t.organization_id),
        Arg::opt(t.assignee_id),
        Arg::opt(t.team_id),
        Arg::text(t.tier.as_str()),
        Arg::Text(serde_json::to_string(&t.tags).expect("tags serialize")),
        Arg::opt(t.asset_id),
        Arg::opt(t.site.as_deref()),
        Arg::Int(ms(t.created_at)),
        Arg::Int(ms(t.updated_at)),
        Arg::opt_int(t.first_response_at.map(ms)),
        Arg::opt_int(t.resolved_at.map(ms)),
        Arg::opt_int(t.closed_at.map(ms)),
        Arg::opt(
            t.resolution
                .as_ref()
                .map(|r| serde_json::to_string(r).expect("resolution serializes")),
        ),
        Arg::opt_int(t.csat.as_ref().map(|c| i64::from(c.score))),
        Arg::opt(t.csat.as_ref().and_then(|c| c.comment.clone())),
        Arg::Int(i64::from(t.status.is_open())),
        Arg::opt_int(due),
        Arg::opt_int(risk),
        Arg::opt_int(t.former_number),
        Arg::opt(
            t.followup
                .as_ref()
                .map(|f| serde_json::to_string(f).expect("follow-up serializes")),
        ),
        Arg::opt(t.merged_into),
    ]
}

pub(crate) const TICKET_FIELDS: &str = "title, description, kind, category, status, priority, channel, requester_id, \
    organization_id, assignee_id, team_id, tier, tags, asset_id, site, created_at, updated_at, \
    first_response_at, resolved_at, closed_at, resolution, csat_score, csat_comment, is_open, sla_due_at, \
    sla_at_risk_at, former_number, followup, merged_into";

/// Inserts a new ticket, allocating its number from the workspace counter in the same batch
/// (no extra round trip; the `BEGIN IMMEDIATE` transaction makes the counter safe).
pub(crate) fn push_insert_ticket(
    batch: &mut Batch,
    t: &Ticket,
    due: Option<i64>,
    risk: Option<i64>,
) {
    let mut args = vec![Arg::text(t.id)];
    args.extend(ticket_values(t, due, risk));
    let marks = vec!["?"; args.len() - 1].join(", ");
    batch.push(
        &format!(
            "INSERT INTO tickets (id, number, {TICKET_FIELDS}) \
             VALUES (?, (SELECT next_number FROM workspace), {marks})"
        ),
        args,
    );
    batch.push("UPDATE workspace SET next_number = next_number + 1", vec![]);
}

/// The create op of a new ticket, with the number allocated in SQL written into its state.
fn push_create_op_with_number(batch: &mut Batch, op: &Op, ticket_id: &str, now: Timestamp) {
    batch.push(
        "INSERT INTO outbox (op_id, entity, entity_id, hlc, schema_version, op, created_at) \
         VALUES (?, ?, ?, ?, ?, json_set(?, '$.change.number', (SELECT number FROM tickets WHERE id = ?)), ?)",
        vec![
            Arg::text(op.op_id),
            Arg::text(op.entity.as_str()),
            Arg::text(op.entity_id),
            Arg::text(&op.hlc),
            Arg::Int(i64::from(op.schema_version)),
            Arg::Text(serde_json::to_string(op).expect("op serializes")),
            Arg::text(ticket_id),
            Arg::Int(ms(now)),
        ],
    );
}

pub(crate) fn push_update_ticket(
    batch: &mut Batch,
    t: &Ticket,
    due: Option<i64>,
    risk: Option<i64>,
) {
    let sets = TICKET_FIELDS
        .split(',')
        .map(|f| format!("{} = ?", f.trim()))
        .collect::<Vec<_>>()
        .join(", ");
    let mut args = ticket_values(t, due, risk);
    args.push(Arg::text(t.id));
    batch.push(&format!("UPDATE tickets SET {sets} WHERE id = ?"), args);
}

impl Tickets<'_> {
    /// Creates a ticket.
    #[instrument(skip_all, err)]
    pub async fn create_ticket(&self, input: CreateInput) -> Result<Ticket> {
        let now = self.0.now();
        let mut tx = self.0.pool.begin_with("BEGIN IMMEDIATE").await?;
        // The organization follows from the requester in the rule engine.
        let requester = match &input.requester {
            Some(email) => Some(self.0.resolve_requester(&mut tx, email, now).await?),
            None => None,
        };
        let assignee_id = match &input.assignee {
            Some(a) => self.0.resolve_assignee(&mut tx, a).await?,
            None => None,
        };
        let new = NewTicket {
            title: input.title,
            description: input.body,
            priority: input.priority,
            kind: input.kind,
            category: input.category,
            channel: input.channel,
            requester_id: requester,
            assignee_id,
            team_id: None,
            tier: input.tier,
            tags: input.tags,
            site: input.site,
        };
        let named: Vec<Uuid> = requester.into_iter().chain(assignee_id).collect();
        let directory = local_directory(&mut tx, &named).await?;
        // The number is allocated when the row is written (see `push_insert_ticket`).
        let rules = self.0.current_rules(&mut tx).await?;
        let mut decided = command::create_ticket_with(
            new,
            new_id(),
            0,
            &input.attachments,
            &self.0.context(&rules, &directory, now),
        )?;
        decided.ticket.number = self.0.persist(&mut tx, &decided, None, now).await?;
        let ticket = self.0.route_new(&mut tx, decided.ticket, now).await?;
        tx.commit().await?;
        Ok(ticket)
    }

    /// Changes fields and/or status.
    pub async fn update_ticket(&self, reference: &str, input: UpdateInput) -> Result<Ticket> {
        self.0
            .mutate(reference, |store, conn, t, rules, now| {
                Box::pin(async move {
                    let assignee_id = match &input.assignee {
                        Some(a) => Some(store.resolve_assignee(conn, a).await?),
                        None => None,
                    };
                    let requester_id = match input.requester.as_deref().map(str::trim) {
                        Some("") => Some(None),
                        Some(email) => Some(Some(store.resolve_requester(conn, email, now).await?)),
                        None => None,
                    };
                    let patch = TicketPatch {
                        tags: input.tags,
                        site: input.site.map(|s| Some(s).filter(|s| !s.trim().is_empty())),
                        requester_id,
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
                    let named: Vec<Uuid> = assignee_id
                        .flatten()
                        .into_iter()
                        .chain(requester_id.flatten())
                        .collect();
                    let directory = local_directory(conn, &named).await?;
                    Ok(command::update_ticket(
                        &t,
                        patch,
                        &store.context(rules, &directory, now),
                    )?)
                })
            })
            .await
    }

    /// Adds a public reply.
    pub async fn reply(&self, reference: &str, body: &str) -> Result<Ticket> {
        self.0
            .tickets()
            .comment(reference, body, Visibility::Public, &[])
            .await
    }

    /// Adds an internal note.
    pub async fn note(&self, reference: &str, body: &str) -> Result<Ticket> {
        self.0
            .tickets()
            .comment(reference, body, Visibility::Internal, &[])
            .await
    }

    /// Adds a reply or note with files on it (already in the blob store).
    pub async fn comment(
        &self,
        reference: &str,
        body: &str,
        visibility: Visibility,
        files: &[NewFile],
    ) -> Result<Ticket> {
        self.0
            .decide(reference, |_, t, ctx| {
                command::add_comment(&t, new_id(), visibility, body, files, ctx)
            })
            .await
    }

    /// Resolves with the service report.
    pub async fn resolve(&self, reference: &str, resolution: Resolution) -> Result<Ticket> {
        self.0
            .decide(reference, |_, t, ctx| command::resolve(&t, resolution, ctx))
            .await
    }

    /// Reopens a resolved or closed ticket.
    pub async fn reopen(&self, reference: &str) -> Result<Ticket> {
        self.0
            .decide(reference, |_, t, ctx| command::reopen(&t, ctx))
            .await
    }

    /// Closes a ticket (a reason is needed from new or open).
    pub async fn close(&self, reference: &str, reason: Option<String>) -> Result<Ticket> {
        self.0
            .decide(reference, |_, t, ctx| command::close(&t, reason, ctx))
            .await
    }

    /// Records one step of a diagnosis script run on the ticket.
    pub async fn diagnose(
        &self,
        reference: &str,
        step: helpdeck_core::kb::DiagnosisStep,
    ) -> Result<Ticket> {
        self.0
            .decide(reference, |_, t, ctx| command::diagnose(&t, step, ctx))
            .await
    }

    /// Moves the ticket to another tier with the reason and business impact.
    pub async fn escalate(
        &self,
        reference: &str,
        e: helpdeck_core::escalation::Escalation,
    ) -> Result<Ticket> {
        self.0
            .decide(reference, |_, t, ctx| command::escalate(&t, e, ctx))
            .await
    }

    /// Records a satisfaction rating.
    pub async fn rate(&self, reference: &str, csat: Csat) -> Result<Ticket> {
        self.0
            .decide(reference, |_, t, ctx| command::rate(&t, csat, ctx))
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::{Arg, Batch};
    use sqlx::Connection;

    async fn conn() -> sqlx::SqliteConnection {
        let mut conn = sqlx::SqliteConnection::connect("sqlite::memory:")
            .await
            .unwrap();
        sqlx::query("CREATE TABLE t (x INTEGER)")
            .persistent(false)
            .execute(&mut conn)
            .await
            .unwrap();
        conn
    }

    fn page(batch: &mut Batch, first: i64) {
        batch.push("INSERT INTO t VALUES (?)", vec![Arg::Int(first)]);
        batch.push_repeated(
            "INSERT INTO t VALUES (?), (?)",
            vec![Arg::Int(first + 1), Arg::Int(first + 2)],
        );
        batch.push(
            "INSERT INTO t VALUES (?); INSERT INTO t VALUES (?)",
            vec![Arg::Int(first + 3), Arg::Int(first + 4)],
        );
    }

    async fn rows(conn: &mut sqlx::SqliteConnection) -> Vec<i64> {
        sqlx::query_scalar("SELECT x FROM t ORDER BY rowid")
            .persistent(false)
            .fetch_all(conn)
            .await
            .unwrap()
    }

    #[tokio::test]
    async fn a_batch_runs_its_statements_in_order_with_their_own_arguments() {
        let mut conn = conn().await;
        let mut batch = Batch::default();
        page(&mut batch, 1);
        page(&mut batch, 6);
        batch.execute(&mut conn).await.unwrap();
        assert_eq!(rows(&mut conn).await, (1..=10).collect::<Vec<_>>());
    }

    #[tokio::test]
    async fn a_one_off_batch_keeps_only_its_repeated_statements_prepared() {
        let mut conn = conn().await;
        for first in [1, 6] {
            let mut batch = Batch::one_off();
            page(&mut batch, first);
            batch.execute(&mut conn).await.unwrap();
        }
        assert_eq!(rows(&mut conn).await, (1..=10).collect::<Vec<_>>());
        // The two-row insert, once for both batches; the plain statements were not kept.
        assert_eq!(conn.cached_statements_size(), 1);

        // A usual batch keeps its plain statements too (a ticket's create recurs as a whole).
        let mut batch = Batch::default();
        page(&mut batch, 11);
        batch.execute(&mut conn).await.unwrap();
        assert_eq!(conn.cached_statements_size(), 3);
    }

    #[tokio::test]
    async fn a_batch_returns_the_row_of_its_last_statement() {
        let mut conn = conn().await;
        let mut batch = Batch::default();
        page(&mut batch, 1);
        batch.push("SELECT count(*) FROM t WHERE x > ?", vec![Arg::Int(2)]);
        assert_eq!(batch.fetch_number(&mut conn).await.unwrap(), 3);
    }
}
