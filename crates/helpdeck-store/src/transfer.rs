//! Import, export and demo data: the bulk path.
//!
//! An import is validated completely before anything is written, then written in one
//! transaction with multi-row inserts; a bad row imports nothing and is named in the error.

use std::collections::hash_map::Entry;
use std::collections::{HashMap, HashSet};
use std::path::Path;

use helpdeck_core::op::{Change, CommentDraft, OP_SCHEMA_VERSION, Op, TicketDraft};
use helpdeck_core::record::{
    CommentRecord, Dataset, OrganizationRecord, StatusChangeRecord, TicketRecord, UserRecord,
    Visibility,
};
use helpdeck_core::search_text::{index_text, ticket_document};
use helpdeck_core::sla::SlaFacts;
use helpdeck_core::ticket::{Csat, Resolution, Ticket};
use helpdeck_core::user::{Role, User, validate_email};
use helpdeck_core::{DomainError, Timestamp, new_id};
use serde::{Deserialize, Serialize};
use sqlx::{QueryBuilder, Sqlite, SqliteConnection};
use tracing::instrument;
use uuid::Uuid;

use crate::Transfer;
use crate::error::{Result, StoreError};
use crate::rows::{TICKET_COLUMNS, TicketRow, USER_COLUMNS, UserRow, ms, ts, uuid};
use crate::sla::{evaluate_ticket, sla_columns};
use crate::write::{Batch, push_op};

/// File formats of `export`/`import`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    /// A whole dataset: organizations, teams, users, tickets with comments and history.
    Json,
    /// One row per ticket (no comments).
    Csv,
}

impl std::str::FromStr for ExportFormat {
    type Err = DomainError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "json" => Ok(ExportFormat::Json),
            "csv" => Ok(ExportFormat::Csv),
            _ => Err(DomainError::UnknownValue {
                what: "format",
                value: s.to_string(),
                allowed: "csv, json".into(),
            }),
        }
    }
}

/// What an import wrote.
#[derive(Debug, Clone, Default, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ImportSummary {
    pub tickets: usize,
    pub comments: usize,
    pub users_created: usize,
    pub organizations_created: usize,
    pub first_number: Option<i64>,
    pub last_number: Option<i64>,
}

/// A CSV row: every ticket field, people by email, times in RFC 3339.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct CsvTicket {
    #[serde(default)]
    id: String,
    #[serde(default)]
    number: String,
    title: String,
    #[serde(default)]
    description: String,
    kind: String,
    category: String,
    status: String,
    priority: String,
    channel: String,
    #[serde(default)]
    requester: String,
    #[serde(default)]
    organization: String,
    #[serde(default)]
    assignee: String,
    #[serde(default)]
    team: String,
    tier: String,
    #[serde(default)]
    tags: String,
    #[serde(default)]
    site: String,
    created_at: String,
    updated_at: String,
    #[serde(default)]
    first_response_at: String,
    #[serde(default)]
    resolved_at: String,
    #[serde(default)]
    closed_at: String,
    #[serde(default)]
    resolution_cause: String,
    #[serde(default)]
    resolution_solution: String,
    #[serde(default)]
    resolution_prevention: String,
    #[serde(default)]
    csat_score: String,
    #[serde(default)]
    csat_comment: String,
}

fn none_if_empty(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_string())
}

fn parse_field<T: std::str::FromStr>(field: &str, s: &str) -> Result<T, String>
where
    T::Err: std::fmt::Display,
{
    s.trim().parse::<T>().map_err(|e| format!("{field}: {e}"))
}

fn parse_time(field: &str, s: &str) -> Result<Option<Timestamp>, String> {
    match none_if_empty(s) {
        None => Ok(None),
        Some(v) => v.parse::<Timestamp>().map(Some).map_err(|_| {
            format!("{field}: '{v}' is not a time (expected RFC 3339, e.g. 2026-11-24T09:30:00Z)")
        }),
    }
}

impl CsvTicket {
    fn from_record(r: &TicketRecord) -> CsvTicket {
        let t = |v: Option<Timestamp>| v.map(|x| x.to_string()).unwrap_or_default();
        CsvTicket {
            id: r.id.map(|i| i.to_string()).unwrap_or_default(),
            number: r.number.map(|n| n.to_string()).unwrap_or_default(),
            title: r.title.clone(),
            description: r.description.clone(),
            kind: r.kind.to_string(),
            category: r.category.clone(),
            status: r.status.to_string(),
            priority: r.priority.to_string(),
            channel: r.channel.to_string(),
            requester: r.requester.clone().unwrap_or_default(),
            organization: r.organization.clone().unwrap_or_default(),
            assignee: r.assignee.clone().unwrap_or_default(),
            team: r.team.clone().unwrap_or_default(),
            tier: r.tier.to_string(),
            tags: r.tags.join(";"),
            site: r.site.clone().unwrap_or_default(),
            created_at: r.created_at.to_string(),
            updated_at: r.updated_at.to_string(),
            first_response_at: t(r.first_response_at),
            resolved_at: t(r.resolved_at),
            closed_at: t(r.closed_at),
            resolution_cause: r
                .resolution
                .as_ref()
                .map(|x| x.cause.clone())
                .unwrap_or_default(),
            resolution_solution: r
                .resolution
                .as_ref()
                .map(|x| x.solution.clone())
                .unwrap_or_default(),
            resolution_prevention: r
                .resolution
                .as_ref()
                .and_then(|x| x.prevention.clone())
                .unwrap_or_default(),
            csat_score: r
                .csat
                .as_ref()
                .map(|c| c.score.to_string())
                .unwrap_or_default(),
            csat_comment: r
                .csat
                .as_ref()
                .and_then(|c| c.comment.clone())
                .unwrap_or_default(),
        }
    }

    fn into_record(self) -> Result<TicketRecord, String> {
        let resolution = match (
            none_if_empty(&self.resolution_cause),
            none_if_empty(&self.resolution_solution),
        ) {
            (Some(cause), Some(solution)) => Some(Resolution {
                cause,
                solution,
                prevention: none_if_empty(&self.resolution_prevention),
            }),
            (None, None) => None,
            _ => return Err("resolution_cause and resolution_solution go together".into()),
        };
        let csat = match none_if_empty(&self.csat_score) {
            Some(s) => Some(Csat {
                score: parse_field::<u8>("csat_score", &s)?,
                comment: none_if_empty(&self.csat_comment),
            }),
            None => None,
        };
        Ok(TicketRecord {
            id: none_if_empty(&self.id)
                .map(|i| parse_field::<Uuid>("id", &i))
                .transpose()?,
            number: none_if_empty(&self.number)
                .map(|n| {
                    helpdeck_core::ticket::parse_ticket_key(&n).ok_or_else(|| {
                        format!("number: '{n}' is not a ticket number (e.g. 42 or HD-42)")
                    })
                })
                .transpose()?,
            title: self.title,
            description: self.description,
            kind: parse_field("kind", &self.kind)?,
            category: self.category,
            status: parse_field("status", &self.status)?,
            priority: parse_field("priority", &self.priority)?,
            channel: parse_field("channel", &self.channel)?,
            requester: none_if_empty(&self.requester),
            organization: none_if_empty(&self.organization),
            assignee: none_if_empty(&self.assignee),
            team: none_if_empty(&self.team),
            tier: parse_field("tier", &self.tier)?,
            tags: self.tags.split(';').filter_map(none_if_empty).collect(),
            site: none_if_empty(&self.site),
            created_at: parse_time("created_at", &self.created_at)?
                .ok_or_else(|| "created_at: is required".to_string())?,
            updated_at: parse_time("updated_at", &self.updated_at)?
                .ok_or_else(|| "updated_at: is required".to_string())?,
            first_response_at: parse_time("first_response_at", &self.first_response_at)?,
            resolved_at: parse_time("resolved_at", &self.resolved_at)?,
            closed_at: parse_time("closed_at", &self.closed_at)?,
            resolution,
            csat,
            comments: Vec::new(),
            history: Vec::new(),
        })
    }
}

/// Reads an import file: `.csv` as CSV, anything else as JSON (a dataset, or an array of tickets).
pub fn read_import_file(path: &Path) -> Result<Dataset> {
    let text = std::fs::read_to_string(path).map_err(|source| StoreError::Io {
        path: path.display().to_string(),
        source,
    })?;
    let is_csv = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("csv"));
    if is_csv {
        parse_csv(&text)
    } else {
        parse_json(&text)
    }
}

/// Parses CSV text; errors name the line the row starts on.
pub fn parse_csv(text: &str) -> Result<Dataset> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(false)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| StoreError::Import(format!("line 1: {}", csv_error(&e))))?
        .clone();
    let mut tickets = Vec::new();
    let mut row = csv::StringRecord::new();
    loop {
        // The file's line, not the row's index: a quoted description may span lines.
        let read = reader.read_record(&mut row).map_err(|e| {
            let line = e.position().map_or(reader.position().line(), |p| p.line());
            StoreError::Import(format!("line {line}: {}", csv_error(&e)))
        })?;
        if !read {
            break;
        }
        let line = row.position().map_or(0, |p| p.line());
        let record = row
            .deserialize::<CsvTicket>(Some(&headers))
            .map_err(|e| StoreError::Import(format!("line {line}: {}", csv_error(&e))))?
            .into_record()
            .map_err(|e| StoreError::Import(format!("line {line}: {e}")))?;
        tickets.push(record);
    }
    Ok(Dataset {
        tickets,
        ..Dataset::default()
    })
}

fn csv_error(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::Deserialize { err, .. } => err.to_string(),
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => {
            format!("has {len} fields, the header has {expected_len}")
        }
        _ => e.to_string(),
    }
}

/// Parses JSON text; errors name the ticket by position.
pub fn parse_json(text: &str) -> Result<Dataset> {
    let value: serde_json::Value = serde_json::from_str(text)
        .map_err(|e| StoreError::Import(format!("not valid JSON: {e}")))?;
    let (mut meta, tickets) = match value {
        serde_json::Value::Array(items) => (Dataset::default(), items),
        serde_json::Value::Object(mut map) => {
            let tickets = match map.remove("tickets") {
                Some(serde_json::Value::Array(t)) => t,
                _ => {
                    return Err(StoreError::Import(
                        "expected an array of tickets or an object with a \"tickets\" array".into(),
                    ));
                }
            };
            map.insert("tickets".into(), serde_json::Value::Array(Vec::new()));
            let meta: Dataset = serde_json::from_value(serde_json::Value::Object(map))
                .map_err(|e| StoreError::Import(format!("organizations/teams/users: {e}")))?;
            (meta, tickets)
        }
        _ => {
            return Err(StoreError::Import(
                "expected an array of tickets or an object with a \"tickets\" array".into(),
            ));
        }
    };
    for (i, item) in tickets.into_iter().enumerate() {
        let record: TicketRecord = serde_json::from_value(item)
            .map_err(|e| StoreError::Import(format!("ticket {}: {e}", i + 1)))?;
        meta.tickets.push(record);
    }
    Ok(meta)
}

/// Options of the bulk path.
#[derive(Debug, Clone, Copy)]
pub struct ImportOptions {
    /// Append sync operations (real data: yes; demo sample data: no, it never syncs).
    pub outbox: bool,
}

/// Told how far a long write is: (rows written, rows in all). Called between batches.
pub type Progress<'a> = &'a (dyn Fn(u64, u64) + Send + Sync);

/// Rows per multi-row INSERT (kept under SQLite's bound-parameter limit).
const BATCH: usize = 400;

/// An import's page cache while it writes (`PRAGMA cache_size`, KiB): 128 MiB.
const IMPORT_PAGE_CACHE: &str = "-131072";

fn label(i: usize, r: &TicketRecord) -> String {
    match r.number {
        Some(n) => format!("ticket {} (HD-{n})", i + 1),
        None => format!("ticket {}", i + 1),
    }
}

struct PreparedTicket {
    ticket: Ticket,
    seq: i64,
    due: Option<i64>,
    risk: Option<i64>,
    /// The SLA history its row keeps (`sla::history_json`).
    history: String,
    report_facts: helpdeck_core::report::ReportFacts,
}

async fn load_names(
    conn: &mut SqliteConnection,
    table: &'static str,
) -> Result<HashMap<String, Uuid>> {
    let rows: Vec<(String, String)> =
        sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT id, name FROM {table}")))
            .fetch_all(conn)
            .await?;
    rows.into_iter()
        .map(|(id, name)| Ok((name.to_lowercase(), uuid(&id)?)))
        .collect()
}

struct EventRow {
    ticket_id: Uuid,
    actor: Option<Uuid>,
    field: &'static str,
    from: Option<String>,
    to: Option<String>,
    at: Timestamp,
}

async fn insert_tickets(conn: &mut SqliteConnection, chunk: &[PreparedTicket]) -> Result<()> {
    let mut q: QueryBuilder<Sqlite> = QueryBuilder::new(
        "INSERT INTO tickets (seq, id, number, title, description, kind, category, status, priority, channel, \
         requester_id, organization_id, assignee_id, team_id, tier, tags, site, created_at, updated_at, \
         first_response_at, resolved_at, closed_at, resolution, csat_score, csat_comment, is_open, sla_due_at, \
         sla_at_risk_at, sla_history) ",
    );
    q.push_values(chunk, |mut b, p| {
        let t = &p.ticket;
        b.push_bind(p.seq)
            .push_bind(t.id.to_string())
            .push_bind(t.number)
            .push_bind(t.title.clone())
            .push_bind(t.description.clone())
            .push_bind(t.kind.as_str())
            .push_bind(t.category.clone())
            .push_bind(t.status.as_str())
            .push_bind(t.priority.as_str())
            .push_bind(t.channel.as_str())
            .push_bind(t.requester_id.map(|u| u.to_string()))
            .push_bind(t.organization_id.map(|u| u.to_string()))
            .push_bind(t.assignee_id.map(|u| u.to_string()))
            .push_bind(t.team_id.map(|u| u.to_string()))
            .push_bind(t.tier.as_str())
            .push_bind(serde_json::to_string(&t.tags).expect("tags serialize"))
            .push_bind(t.site.clone())
            .push_bind(ms(t.created_at))
            .push_bind(ms(t.updated_at))
            .push_bind(t.first_response_at.map(ms))
            .push_bind(t.resolved_at.map(ms))
            .push_bind(t.closed_at.map(ms))
            .push_bind(
                t.resolution
                    .as_ref()
                    .map(|r| serde_json::to_string(r).expect("resolution serializes")),
            )
            .push_bind(t.csat.as_ref().map(|c| i64::from(c.score)))
            .push_bind(t.csat.as_ref().and_then(|c| c.comment.clone()))
            .push_bind(t.status.is_open())
            .push_bind(p.due)
            .push_bind(p.risk)
            .push_bind(p.history.clone());
    });
    q.build().execute(conn).await?;
    Ok(())
}

async fn insert_ticket_docs(conn: &mut SqliteConnection, chunk: &[PreparedTicket]) -> Result<()> {
    let mut q: QueryBuilder<Sqlite> =
        QueryBuilder::new("INSERT INTO search_index (rowid, title, body, ticket_seq) ");
    q.push_values(chunk, |mut b, p| {
        let (title, body) = ticket_document(&p.ticket);
        b.push_bind(p.seq)
            .push_bind(title)
            .push_bind(body)
            .push_bind(p.seq);
    });
    q.build().execute(conn).await?;
    Ok(())
}

async fn insert_comments(
    conn: &mut SqliteConnection,
    chunk: &[(i64, Uuid, Uuid, Uuid, &CommentRecord)],
    users: &HashMap<String, User>,
    ticket_seq: &HashMap<Uuid, i64>,
) -> Result<()> {
    let mut q: QueryBuilder<Sqlite> = QueryBuilder::new(
        "INSERT INTO comments (seq, id, ticket_id, author_id, visibility, by_agent, body, created_at) ",
    );
    q.push_values(chunk, |mut b, (seq, id, ticket, author, c)| {
        let by_agent = users
            .get(&c.author.to_lowercase())
            .is_some_and(User::is_staff);
        b.push_bind(*seq)
            .push_bind(id.to_string())
            .push_bind(ticket.to_string())
            .push_bind(author.to_string())
            .push_bind(c.visibility.as_str())
            .push_bind(by_agent)
            .push_bind(c.body.clone())
            .push_bind(ms(c.created_at));
    });
    q.build().execute(&mut *conn).await?;
    let mut q: QueryBuilder<Sqlite> =
        QueryBuilder::new("INSERT INTO search_index (rowid, title, body, ticket_seq) ");
    q.push_values(chunk, |mut b, (seq, _, ticket, _, c)| {
        let ticket_seq = ticket_seq.get(ticket).copied().unwrap_or_default();
        b.push_bind(crate::search::comment_doc(ticket_seq, *seq))
            .push_bind("")
            .push_bind(index_text(&c.body))
            .push_bind(ticket_seq);
    });
    q.build().execute(conn).await?;
    Ok(())
}

async fn insert_events(
    conn: &mut SqliteConnection,
    chunk: &[EventRow],
    device: &str,
) -> Result<()> {
    let mut q: QueryBuilder<Sqlite> = QueryBuilder::new(
        "INSERT INTO events (id, ticket_id, actor_id, device_id, field, old_value, new_value, at) ",
    );
    q.push_values(chunk, |mut b, e| {
        b.push_bind(new_id().to_string())
            .push_bind(e.ticket_id.to_string())
            .push_bind(e.actor.map(|a| a.to_string()))
            .push_bind(device.to_string())
            .push_bind(e.field)
            .push_bind(e.from.clone())
            .push_bind(e.to.clone())
            .push_bind(ms(e.at));
    });
    q.build().execute(conn).await?;
    Ok(())
}

impl Transfer<'_> {
    /// Imports a dataset; all or nothing.
    #[instrument(skip_all, fields(tickets = data.tickets.len()), err)]
    pub async fn import(&self, data: &Dataset, opts: ImportOptions) -> Result<ImportSummary> {
        self.import_reporting(data, opts, &|_, _| {}).await
    }

    /// [`Transfer::import`], telling `progress` how many of the ticket, comment and history
    /// rows are written (a terminal shows a bar).
    pub async fn import_reporting(
        &self,
        data: &Dataset,
        opts: ImportOptions,
        progress: Progress<'_>,
    ) -> Result<ImportSummary> {
        // 1. Validate every row before writing anything.
        for (i, r) in data.tickets.iter().enumerate() {
            r.validate(&self.0.rules.categories)
                .map_err(|e| StoreError::Import(format!("{}: {e}", label(i, r))))?;
        }
        for u in &data.users {
            validate_email(&u.email)
                .map_err(|e| StoreError::Import(format!("user {}: {e}", u.email)))?;
        }
        let now = self.0.now();
        let mut tx = self.0.pool.begin_with("BEGIN IMMEDIATE").await?;
        let mut summary = ImportSummary::default();

        // 2. Organizations, teams, users (existing ones are reused by name or email).
        let mut orgs = load_names(&mut tx, "organizations").await?;
        // Organizations named only on ticket rows (a CSV) are created as standard customers.
        let named_on_tickets = data
            .tickets
            .iter()
            .filter_map(|t| t.organization.clone())
            .map(|name| OrganizationRecord {
                name,
                customer_tier: helpdeck_core::user::CustomerTier::Standard,
            });
        let all_orgs: Vec<OrganizationRecord> = data
            .organizations
            .iter()
            .cloned()
            .chain(named_on_tickets)
            .collect();
        for o in &all_orgs {
            if let Entry::Vacant(slot) = orgs.entry(o.name.to_lowercase()) {
                let id = new_id();
                sqlx::query("INSERT INTO organizations (id, name, customer_tier) VALUES (?, ?, ?)")
                    .bind(id.to_string())
                    .bind(&o.name)
                    .bind(o.customer_tier.as_str())
                    .execute(&mut *tx)
                    .await?;
                slot.insert(id);
                summary.organizations_created += 1;
            }
        }
        let mut teams = load_names(&mut tx, "teams").await?;
        let team_names = data
            .teams
            .iter()
            .cloned()
            .chain(data.tickets.iter().filter_map(|t| t.team.clone()));
        for name in team_names {
            if let Entry::Vacant(slot) = teams.entry(name.to_lowercase()) {
                let id = new_id();
                sqlx::query("INSERT INTO teams (id, name) VALUES (?, ?)")
                    .bind(id.to_string())
                    .bind(&name)
                    .execute(&mut *tx)
                    .await?;
                slot.insert(id);
            }
        }
        let mut users: HashMap<String, User> = HashMap::new();
        let rows: Vec<UserRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {USER_COLUMNS} FROM users"
        )))
        .fetch_all(&mut *tx)
        .await?;
        for r in rows {
            let u = r.into_user()?;
            users.insert(u.email.to_lowercase(), u);
        }
        for u in &data.users {
            let email = validate_email(&u.email)?;
            if users.contains_key(&email) {
                continue;
            }
            let org = match &u.organization {
                Some(name) => Some(*orgs.get(&name.to_lowercase()).ok_or_else(|| {
                    StoreError::Import(format!("user {email}: unknown organization '{name}'"))
                })?),
                None => None,
            };
            let user = User {
                id: new_id(),
                email: email.clone(),
                name: u.name.clone(),
                role: u.role,
                organization_id: org,
                org_admin: u.org_admin,
                team_id: u
                    .team
                    .as_ref()
                    .and_then(|t| teams.get(&t.to_lowercase()).copied()),
                tier: u.tier,
                field: u.field,
                created_at: now,
            };
            crate::workspace::insert_user(&mut tx, &user).await?;
            users.insert(email, user);
            summary.users_created += 1;
        }

        // 3. Tickets: resolve references and numbers, compute SLA columns.
        let existing_numbers: HashSet<i64> =
            sqlx::query_as::<_, (i64,)>("SELECT number FROM tickets")
                .fetch_all(&mut *tx)
                .await?
                .into_iter()
                .map(|(n,)| n)
                .collect();
        let (mut next_number,): (i64,) = sqlx::query_as("SELECT next_number FROM workspace")
            .fetch_one(&mut *tx)
            .await?;
        let (mut next_ticket_seq,): (i64,) =
            sqlx::query_as("SELECT COALESCE(MAX(seq), 0) + 1 FROM tickets")
                .fetch_one(&mut *tx)
                .await?;
        let (mut next_comment_seq,): (i64,) =
            sqlx::query_as("SELECT COALESCE(MAX(seq), 0) + 1 FROM comments")
                .fetch_one(&mut *tx)
                .await?;
        let mut taken: HashSet<i64> = data.tickets.iter().filter_map(|t| t.number).collect();
        if let Some(n) = data
            .tickets
            .iter()
            .filter_map(|t| t.number)
            .find(|n| existing_numbers.contains(n))
        {
            return Err(StoreError::Import(format!(
                "HD-{n} already exists in this workspace"
            )));
        }
        if taken.len() != data.tickets.iter().filter(|t| t.number.is_some()).count() {
            return Err(StoreError::Import(
                "the file has two tickets with the same number".into(),
            ));
        }
        let mut prepared: Vec<PreparedTicket> = Vec::with_capacity(data.tickets.len());
        // Requesters, and agents named only as assignees, that the workspace does not know yet.
        let mut new_users: Vec<User> = Vec::new();
        for (i, r) in data.tickets.iter().enumerate() {
            let requester = match &r.requester {
                Some(email) => {
                    let email = validate_email(email)?;
                    if let Some(u) = users.get(&email) {
                        Some(u.clone())
                    } else {
                        let u = User {
                            id: new_id(),
                            name: email.split('@').next().unwrap_or(&email).to_string(),
                            email: email.clone(),
                            role: Role::Customer,
                            organization_id: r
                                .organization
                                .as_ref()
                                .and_then(|o| orgs.get(&o.to_lowercase()).copied()),
                            org_admin: false,
                            team_id: None,
                            tier: None,
                            field: false,
                            created_at: now,
                        };
                        users.insert(email, u.clone());
                        new_users.push(u.clone());
                        Some(u)
                    }
                }
                None => None,
            };
            // An assignee the workspace does not know yet (e.g. a CSV from another desk) becomes
            // an agent; the summary counts the users created.
            let assignee = match &r.assignee {
                Some(email) => {
                    let email = validate_email(email)?;
                    match users.get(&email) {
                        Some(u) if u.is_staff() => Some(u.id),
                        Some(u) => {
                            return Err(StoreError::Import(format!(
                                "{}: assignee {} is a {}; only agents and admins can be assigned",
                                label(i, r),
                                u.email,
                                u.role
                            )));
                        }
                        None => {
                            let u = User {
                                id: new_id(),
                                name: email.split('@').next().unwrap_or(&email).to_string(),
                                email: email.clone(),
                                role: Role::Agent,
                                organization_id: None,
                                org_admin: false,
                                team_id: r
                                    .team
                                    .as_ref()
                                    .and_then(|t| teams.get(&t.to_lowercase()).copied()),
                                tier: Some(r.tier),
                                field: false,
                                created_at: now,
                            };
                            users.insert(email, u.clone());
                            new_users.push(u.clone());
                            Some(u.id)
                        }
                    }
                }
                None => None,
            };
            let organization_id = match &r.organization {
                Some(name) => Some(*orgs.get(&name.to_lowercase()).ok_or_else(|| {
                    StoreError::Import(format!("{}: unknown organization '{name}'", label(i, r)))
                })?),
                None => requester.as_ref().and_then(|u| u.organization_id),
            };
            let number = match r.number {
                Some(n) => n,
                None => {
                    while taken.contains(&next_number) || existing_numbers.contains(&next_number) {
                        next_number += 1;
                    }
                    taken.insert(next_number);
                    next_number
                }
            };
            let ticket = Ticket {
                id: r.id.unwrap_or_else(new_id),
                number,
                former_number: None,
                title: r.title.trim().to_string(),
                description: r.description.clone(),
                kind: r.kind,
                category: r.category.trim().to_lowercase(),
                status: r.status,
                priority: r.priority,
                channel: r.channel,
                requester_id: requester.as_ref().map(|u| u.id),
                organization_id,
                assignee_id: assignee,
                team_id: r
                    .team
                    .as_ref()
                    .and_then(|t| teams.get(&t.to_lowercase()).copied()),
                tier: r.tier,
                tags: r.tags.clone(),
                asset_id: None,
                site: r.site.clone(),
                created_at: r.created_at,
                updated_at: r.updated_at,
                first_response_at: r.first_response_at,
                resolved_at: r.resolved_at,
                closed_at: r.closed_at,
                resolution: r.resolution.clone(),
                csat: r.csat.clone(),
                followup: None,
                merged_into: None,
            };
            let facts = SlaFacts {
                created_at: r.created_at,
                priority: r.priority,
                kind: r.kind,
                status_changes: r.status_changes(),
                agent_public_replies: r
                    .comments
                    .iter()
                    .filter(|c| c.visibility == Visibility::Public)
                    .filter(|c| {
                        users
                            .get(&c.author.to_lowercase())
                            .is_some_and(User::is_staff)
                    })
                    .map(|c| c.created_at)
                    .collect(),
            };
            let report = evaluate_ticket(&self.0.policies(), &facts, organization_id, now);
            let (due, risk) = sla_columns(&report);
            let report_facts = self.0.report_facts_of(&ticket, &facts, &report);
            prepared.push(PreparedTicket {
                ticket,
                seq: next_ticket_seq,
                due,
                risk,
                history: crate::sla::history_json(&facts),
                report_facts,
            });
            next_ticket_seq += 1;
        }
        for u in &new_users {
            crate::workspace::insert_user(&mut tx, u).await?;
        }
        summary.users_created += new_users.len();

        // 4. Write in batches.
        let total = (prepared.len()
            + data.tickets.iter().map(|t| t.comments.len()).sum::<usize>()
            + data
                .tickets
                .iter()
                .map(|t| 1 + t.effective_history().len())
                .sum::<usize>()) as u64;
        let mut done = 0u64;
        progress(done, total);
        // The whole load through a 128 MiB page cache: the indexes of 100k tickets took 8.7 s
        // to write through the usual 8 MiB one and 4.9 s through this (pages of an index
        // the rows reach in turn stay decrypted in memory instead of going back to the OS).
        crate::db::set_page_cache(&mut tx, IMPORT_PAGE_CACHE).await?;
        for chunk in prepared.chunks(BATCH) {
            insert_tickets(&mut tx, chunk).await?;
            insert_ticket_docs(&mut tx, chunk).await?;
            done += chunk.len() as u64;
            progress(done, total);
        }
        // Report rows in order of creation, the order their table keeps (appends, not page
        // splits all over it).
        let mut by_created: Vec<&helpdeck_core::report::ReportFacts> =
            prepared.iter().map(|p| &p.report_facts).collect();
        by_created.sort_by_key(|f| f.created_at);
        for chunk in by_created.chunks(BATCH) {
            let mut facts = crate::write::Batch::default();
            let rows: Vec<_> = chunk.iter().map(|f| (*f).clone()).collect();
            crate::reports::push_report_facts(&mut facts, &rows);
            facts.execute(&mut tx).await?;
        }
        let mut comment_rows: Vec<(i64, Uuid, Uuid, Uuid, &CommentRecord)> = Vec::new();
        let mut event_rows: Vec<EventRow> = Vec::new();
        let device = self.0.workspace().device_id.to_string();
        for (p, r) in prepared.iter().zip(&data.tickets) {
            for c in &r.comments {
                let author = users
                    .get(&c.author.to_lowercase())
                    .map(|u| u.id)
                    .ok_or_else(|| {
                        StoreError::Import(format!("comment author {} is not a user", c.author))
                    })?;
                comment_rows.push((
                    next_comment_seq,
                    c.id.unwrap_or_else(new_id),
                    p.ticket.id,
                    author,
                    c,
                ));
                next_comment_seq += 1;
            }
            event_rows.push(EventRow {
                ticket_id: p.ticket.id,
                actor: Some(self.0.actor.id),
                field: "imported",
                from: None,
                to: Some(p.ticket.status.to_string()),
                at: now,
            });
            for h in r.effective_history() {
                event_rows.push(EventRow {
                    ticket_id: p.ticket.id,
                    actor: h
                        .actor
                        .as_ref()
                        .and_then(|e| users.get(&e.to_lowercase()))
                        .map(|u| u.id),
                    field: "status",
                    from: Some(h.from.to_string()),
                    to: Some(h.to.to_string()),
                    at: h.at,
                });
            }
        }
        let ticket_seq: HashMap<Uuid, i64> =
            prepared.iter().map(|p| (p.ticket.id, p.seq)).collect();
        for chunk in comment_rows.chunks(BATCH) {
            let users_by_id: &HashMap<String, User> = &users;
            insert_comments(&mut tx, chunk, users_by_id, &ticket_seq).await?;
            done += chunk.len() as u64;
            progress(done, total);
        }
        for chunk in event_rows.chunks(BATCH) {
            insert_events(&mut tx, chunk, &device).await?;
            done += chunk.len() as u64;
            progress(done.min(total), total);
        }
        if opts.outbox {
            let hlc = self.0.clock.tick();
            let mut ops: Vec<Op> = Vec::with_capacity(prepared.len() + comment_rows.len());
            for p in &prepared {
                let change = Change::CreateTicket(TicketDraft::of(&p.ticket));
                let op = Op {
                    op_id: new_id(),
                    entity: change.entity(),
                    entity_id: p.ticket.id,
                    change,
                    hlc: hlc.clone(),
                    at: p.ticket.created_at,
                    device_id: self.0.workspace().device_id,
                    actor_id: self.0.actor.id,
                    schema_version: OP_SCHEMA_VERSION,
                };
                ops.push(op);
            }
            // The server credits the pushing user, not the recorded author.
            for (_, id, ticket_id, _, c) in &comment_rows {
                let change = Change::AddComment(CommentDraft {
                    ticket_id: *ticket_id,
                    visibility: c.visibility,
                    body: c.body.clone(),
                });
                let op = Op {
                    op_id: new_id(),
                    entity: change.entity(),
                    entity_id: *id,
                    change,
                    hlc: hlc.clone(),
                    at: c.created_at,
                    device_id: self.0.workspace().device_id,
                    actor_id: self.0.actor.id,
                    schema_version: OP_SCHEMA_VERSION,
                };
                ops.push(op);
            }
            for chunk in ops.chunks(BATCH) {
                let mut batch = Batch::default();
                for op in chunk {
                    push_op(&mut batch, op, now);
                }
                batch.execute(&mut tx).await?;
            }
            sqlx::query("UPDATE workspace SET hlc_last = ?")
                .bind(&hlc)
                .execute(&mut *tx)
                .await?;
        }
        let max_number = prepared.iter().map(|p| p.ticket.number).max();
        if let Some(max) = max_number {
            sqlx::query("UPDATE workspace SET next_number = MAX(next_number, ?)")
                .bind(max + 1)
                .execute(&mut *tx)
                .await?;
        }
        crate::db::set_page_cache(&mut tx, crate::db::PAGE_CACHE).await?;
        tx.commit().await?;
        summary.tickets = prepared.len();
        summary.comments = comment_rows.len();
        summary.first_number = prepared.iter().map(|p| p.ticket.number).min();
        summary.last_number = max_number;
        Ok(summary)
    }

    /// Adds `tickets` demo tickets (deterministic for `seed`); sample data never syncs.
    pub async fn demo(&self, tickets: usize, seed: u64) -> Result<ImportSummary> {
        self.demo_reporting(tickets, seed, &|_, _| {}).await
    }

    /// [`Transfer::demo`] with [`Transfer::import_reporting`]'s progress.
    pub async fn demo_reporting(
        &self,
        tickets: usize,
        seed: u64,
        progress: Progress<'_>,
    ) -> Result<ImportSummary> {
        let base = self.0.now();
        let mut data = helpdeck_demo::generate(tickets, seed, base);
        {
            // A desk that keeps up, by this workspace's own SLA policy and hours.
            let policies = self.0.policies();
            let (policy, calendar) = policies.for_org(None);
            helpdeck_demo::settle(&mut data, policy, calendar, base, seed);
        }
        self.0
            .transfer()
            .import_reporting(&data, ImportOptions { outbox: false }, progress)
            .await
    }

    /// Exports every ticket.
    #[instrument(skip_all, err)]
    pub async fn export_dataset(&self) -> Result<Dataset> {
        let mut conn = self.0.pool.acquire().await?;
        let orgs: Vec<(String, String, String)> =
            sqlx::query_as("SELECT id, name, customer_tier FROM organizations ORDER BY name")
                .fetch_all(&mut *conn)
                .await?;
        let teams: Vec<(String, String)> =
            sqlx::query_as("SELECT id, name FROM teams ORDER BY name")
                .fetch_all(&mut *conn)
                .await?;
        let org_names: HashMap<String, String> = orgs
            .iter()
            .map(|(id, n, _)| (id.clone(), n.clone()))
            .collect();
        let team_names: HashMap<String, String> = teams
            .iter()
            .map(|(id, n)| (id.clone(), n.clone()))
            .collect();
        let rows: Vec<UserRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {USER_COLUMNS} FROM users ORDER BY email"
        )))
        .fetch_all(&mut *conn)
        .await?;
        let mut emails: HashMap<String, String> = HashMap::new();
        let mut users = Vec::new();
        for r in rows {
            let u = r.into_user()?;
            emails.insert(u.id.to_string(), u.email.clone());
            users.push(UserRecord {
                email: u.email.clone(),
                name: u.name.clone(),
                role: u.role,
                organization: u
                    .organization_id
                    .and_then(|o| org_names.get(&o.to_string()).cloned()),
                org_admin: u.org_admin,
                team: u
                    .team_id
                    .and_then(|t| team_names.get(&t.to_string()).cloned()),
                tier: u.tier,
                field: u.field,
            });
        }
        let mut comments: HashMap<String, Vec<CommentRecord>> = HashMap::new();
        let rows: Vec<(String, String, String, String, String, i64)> = sqlx::query_as(
            "SELECT ticket_id, id, author_id, visibility, body, created_at FROM comments ORDER BY created_at, seq",
        )
        .fetch_all(&mut *conn)
        .await?;
        for (ticket, id, author, visibility, body, at) in rows {
            comments.entry(ticket).or_default().push(CommentRecord {
                id: Some(uuid(&id)?),
                author: emails.get(&author).cloned().unwrap_or_default(),
                visibility: visibility.parse()?,
                body,
                created_at: ts(at),
            });
        }
        let mut history: HashMap<String, Vec<StatusChangeRecord>> = HashMap::new();
        #[derive(sqlx::FromRow)]
        struct StatusEvent {
            ticket_id: String,
            actor_id: Option<String>,
            old_value: Option<String>,
            new_value: Option<String>,
            at: i64,
        }
        let rows: Vec<StatusEvent> = sqlx::query_as(
            "SELECT ticket_id, actor_id, old_value, new_value, at FROM events WHERE field = 'status' ORDER BY at, seq",
        )
        .fetch_all(&mut *conn)
        .await?;
        for e in rows {
            let (Some(from), Some(to)) = (e.old_value, e.new_value) else {
                continue;
            };
            history
                .entry(e.ticket_id)
                .or_default()
                .push(StatusChangeRecord {
                    at: ts(e.at),
                    from: from.parse()?,
                    to: to.parse()?,
                    actor: e.actor_id.and_then(|a| emails.get(&a).cloned()),
                });
        }
        let rows: Vec<TicketRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {TICKET_COLUMNS} FROM tickets t ORDER BY t.number"
        )))
        .fetch_all(&mut *conn)
        .await?;
        let mut tickets = Vec::with_capacity(rows.len());
        for row in rows {
            let t = row.into_ticket()?;
            let key = t.id.to_string();
            tickets.push(TicketRecord {
                id: Some(t.id),
                number: Some(t.number),
                title: t.title,
                description: t.description,
                kind: t.kind,
                category: t.category,
                status: t.status,
                priority: t.priority,
                channel: t.channel,
                requester: t
                    .requester_id
                    .and_then(|u| emails.get(&u.to_string()).cloned()),
                organization: t
                    .organization_id
                    .and_then(|o| org_names.get(&o.to_string()).cloned()),
                assignee: t
                    .assignee_id
                    .and_then(|u| emails.get(&u.to_string()).cloned()),
                team: t
                    .team_id
                    .and_then(|o| team_names.get(&o.to_string()).cloned()),
                tier: t.tier,
                tags: t.tags,
                site: t.site,
                created_at: t.created_at,
                updated_at: t.updated_at,
                first_response_at: t.first_response_at,
                resolved_at: t.resolved_at,
                closed_at: t.closed_at,
                resolution: t.resolution,
                csat: t.csat,
                comments: comments.remove(&key).unwrap_or_default(),
                history: history.remove(&key).unwrap_or_default(),
            });
        }
        Ok(Dataset {
            organizations: orgs
                .into_iter()
                .map(|(_, name, tier)| {
                    Ok(OrganizationRecord {
                        name,
                        customer_tier: tier.parse()?,
                    })
                })
                .collect::<Result<_>>()?,
            teams: teams.into_iter().map(|(_, n)| n).collect(),
            users,
            tickets,
        })
    }

    /// Writes every ticket as JSON (a whole dataset) or CSV (ticket rows).
    pub async fn export(
        &self,
        format: ExportFormat,
        out: &mut dyn std::io::Write,
    ) -> Result<usize> {
        let data = self.0.transfer().export_dataset().await?;
        let io = |source| StoreError::Io {
            path: "output".into(),
            source,
        };
        match format {
            ExportFormat::Json => {
                serde_json::to_writer_pretty(&mut *out, &data).map_err(|e| io(e.into()))?;
                writeln!(out).map_err(io)?;
            }
            ExportFormat::Csv => {
                let mut w = csv::Writer::from_writer(&mut *out);
                for t in &data.tickets {
                    w.serialize(CsvTicket::from_record(t))
                        .map_err(|e| io(std::io::Error::other(e)))?;
                }
                w.flush().map_err(io)?;
            }
        }
        Ok(data.tickets.len())
    }
}
