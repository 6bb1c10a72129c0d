//! Reading tickets: one ticket in full, and queue pages.

use helpdeck_core::permission;
use helpdeck_core::record::Visibility;
use helpdeck_core::status::Status;
use helpdeck_core::ticket::{Kind, Priority, Ticket, Tier, ticket_key};
use serde::{Deserialize, Serialize};
use sqlx::{QueryBuilder, Sqlite, SqliteConnection};
use tracing::instrument;

use crate::error::Result;
use crate::rows::{TICKET_COLUMNS, TicketRow, ms, opt_uuid, ts, uuid};
use crate::sla::evaluate_ticket;
use crate::views::{
    AttachmentView, CommentView, EventView, LinkView, SlaView, TicketDetail, TicketView, UserRef,
};
use crate::write::find_ticket;
use crate::{Store, Tickets};
use helpdeck_core::search_text::SearchQuery;

/// Whose tickets.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum AssigneeFilter {
    /// Anyone's or nobody's.
    #[default]
    Any,
    /// The current user's.
    Me,
    /// Unassigned.
    Nobody,
    /// Without an accountable owner: no agent and no team queue (a problem to fix).
    Unowned,
    /// An agent's, by email.
    Email(String),
}

/// Queue order.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum SortOrder {
    /// Earliest SLA due time first; tickets with no running target last.
    #[default]
    Due,
    /// P1 first, then by due time.
    Priority,
    /// Most recently updated first.
    Updated,
    /// Newest first.
    Created,
}

/// Where a ticket stands against its SLA now (for the "Breached" and "At risk" queues).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum SlaBucket {
    /// A running target is past its due time.
    Breached,
    /// At risk, not breached yet.
    AtRisk,
}

/// A queue: filters, order and page.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct TicketFilter {
    /// Only these statuses; empty = every status that is still open (not resolved or closed).
    pub statuses: Vec<Status>,
    /// Every status (overrides the open-only default when `statuses` is empty).
    pub all_statuses: bool,
    pub priority: Option<Priority>,
    pub kind: Option<Kind>,
    pub category: Option<String>,
    pub tier: Option<Tier>,
    pub assignee: AssigneeFilter,
    /// Only tickets at risk or breached now.
    pub breaching: bool,
    /// Only tickets breached now, or only those at risk and not breached.
    pub sla_bucket: Option<SlaBucket>,
    /// Only tickets a search finds (spec §7 syntax): a search "opened as a list".
    pub query: Option<String>,
    /// Only the tickets behind a report's figure (a dashboard's drill-down; every status).
    #[serde(default)]
    pub report: Option<helpdeck_core::report::ReportDrill>,
    pub sort: SortOrder,
    pub limit: u32,
    pub offset: u32,
}

impl Default for TicketFilter {
    fn default() -> Self {
        TicketFilter {
            statuses: Vec::new(),
            all_statuses: false,
            priority: None,
            kind: None,
            category: None,
            tier: None,
            assignee: AssigneeFilter::Any,
            breaching: false,
            sla_bucket: None,
            query: None,
            report: None,
            sort: SortOrder::Due,
            limit: 100,
            offset: 0,
        }
    }
}

#[derive(sqlx::FromRow)]
struct EventRow {
    actor_id: Option<String>,
    email: Option<String>,
    name: Option<String>,
    field: String,
    old_value: Option<String>,
    new_value: Option<String>,
    at: i64,
}

/// Most tickets one list page holds.
pub const MAX_PAGE: u32 = 10_000;

#[derive(sqlx::FromRow)]
struct ViewRow {
    #[sqlx(flatten)]
    t: TicketRow,
    a_email: Option<String>,
    a_name: Option<String>,
    r_email: Option<String>,
    r_name: Option<String>,
    org_name: Option<String>,
    team_name: Option<String>,
    /// The SLA history the row keeps (see `sla::history_json`).
    sla_history: Option<String>,
}

/// The people with these ids, as shown (unknown ids are left out).
pub(crate) async fn user_refs(
    conn: &mut sqlx::SqliteConnection,
    ids: &[uuid::Uuid],
) -> Result<std::collections::HashMap<uuid::Uuid, UserRef>> {
    let mut out = std::collections::HashMap::new();
    for &id in ids {
        if out.contains_key(&id) {
            continue;
        }
        let row: Option<(String, String)> =
            sqlx::query_as("SELECT email, name FROM users WHERE id = ?")
                .bind(id.to_string())
                .fetch_optional(&mut *conn)
                .await?;
        if let Some((email, name)) = row {
            out.insert(id, UserRef { id, email, name });
        }
    }
    Ok(out)
}

fn user_ref(
    id: Option<uuid::Uuid>,
    email: Option<String>,
    name: Option<String>,
) -> Option<UserRef> {
    match (id, email) {
        (Some(id), Some(email)) => Some(UserRef {
            id,
            name: name.unwrap_or_else(|| email.clone()),
            email,
        }),
        _ => None,
    }
}

const VIEW_FROM: &str = " FROM tickets t \
    LEFT JOIN users a ON a.id = t.assignee_id \
    LEFT JOIN users r ON r.id = t.requester_id \
    LEFT JOIN organizations o ON o.id = t.organization_id \
    LEFT JOIN teams tm ON tm.id = t.team_id";

fn view_select() -> String {
    format!(
        "SELECT {TICKET_COLUMNS}, a.email AS a_email, a.name AS a_name, r.email AS r_email, \
         r.name AS r_name, o.name AS org_name, tm.name AS team_name, t.sla_history{VIEW_FROM}"
    )
}

impl Store {
    /// Builds views (with SLA evaluated now) from rows.
    async fn views(
        &self,
        conn: &mut SqliteConnection,
        rows: Vec<ViewRow>,
    ) -> Result<Vec<(TicketView, Ticket)>> {
        let now = self.now();
        let mut tickets = Vec::with_capacity(rows.len());
        let mut histories = Vec::with_capacity(rows.len());
        for r in rows {
            histories.push((r.t.id.clone(), r.sla_history));
            let extra = (
                r.a_email,
                r.a_name,
                r.r_email,
                r.r_name,
                r.org_name,
                r.team_name,
            );
            tickets.push((r.t.into_ticket()?, extra));
        }
        // Each row's kept history: no events or comments read (rows from before it are).
        let facts = crate::sla::facts_of(conn, histories).await?;
        let mut out = Vec::with_capacity(tickets.len());
        for (t, (a_email, a_name, r_email, r_name, org, team)) in tickets {
            let report =
                evaluate_ticket(&self.policies(), &facts.facts(&t), t.organization_id, now);
            let view = TicketView {
                id: t.id,
                number: ticket_key(t.number),
                title: t.title.clone(),
                status: t.status,
                priority: t.priority,
                kind: t.kind,
                category: t.category.clone(),
                channel: t.channel,
                tier: t.tier,
                assignee: user_ref(t.assignee_id, a_email, a_name),
                requester: user_ref(t.requester_id, r_email, r_name),
                organization: org,
                team,
                tags: t.tags.clone(),
                site: t.site.clone(),
                created_at: t.created_at,
                updated_at: t.updated_at,
                first_response_at: t.first_response_at,
                resolved_at: t.resolved_at,
                closed_at: t.closed_at,
                sla: SlaView::from_report(&report),
                stage: helpdeck_core::customer::Stage::of(t.status, t.first_response_at.is_some()),
                expected_at: helpdeck_core::customer::expected_at(t.status, &report),
            };
            out.push((view, t));
        }
        Ok(out)
    }

    /// The WHERE clause of a queue; one place for list and count.
    fn push_filter(
        &self,
        q: &mut QueryBuilder<Sqlite>,
        filter: &TicketFilter,
        purpose: Purpose,
        search: Option<&SearchQuery>,
    ) {
        q.push(" WHERE 1 = 1");
        if let Some(s) = search {
            let tz = jiff::tz::TimeZone::get(&self.workspace().timezone)
                .unwrap_or(jiff::tz::TimeZone::UTC);
            crate::search::push_search(q, s, self.actor.id, &tz);
        }
        if filter.statuses.is_empty() && !filter.all_statuses && filter.report.is_none() {
            q.push(" AND t.is_open = 1");
        }
        if let Some(d) = &filter.report {
            crate::reports::push_drill(q, d, self.now());
        }
        crate::search::push_fields(
            q,
            &filter.statuses,
            filter.priority,
            filter.kind,
            filter.category.as_deref(),
        );
        if let Some(tier) = filter.tier {
            q.push(" AND t.tier = ").push_bind(tier.as_str());
        }
        match &filter.assignee {
            AssigneeFilter::Any => {}
            AssigneeFilter::Me => {
                q.push(" AND t.assignee_id = ")
                    .push_bind(self.actor.id.to_string());
            }
            AssigneeFilter::Nobody => {
                q.push(" AND t.assignee_id IS NULL");
            }
            AssigneeFilter::Unowned => {
                q.push(" AND t.assignee_id IS NULL AND t.team_id IS NULL");
            }
            AssigneeFilter::Email(e) => {
                q.push(" AND a.email = ").push_bind(e.trim().to_lowercase());
            }
        }
        if filter.breaching {
            // A page walks the due-time index and keeps the rows at risk (they come first in
            // due order); a count uses the at-risk index. The unary `+` keeps SQLite from
            // choosing the at-risk index for a page, which then had to sort ~half the
            // workspace (1.4 s at 1M tickets instead of 5 ms).
            let column = match purpose {
                Purpose::Page => " AND +t.sla_at_risk_at <= ",
                Purpose::Count => " AND t.sla_at_risk_at <= ",
            };
            q.push(column).push_bind(ms(self.now()));
        }
        // Breached: the earliest running due time has passed. At risk: the at-risk time has
        // passed, the due time not yet. (Both columns are kept current on every write.)
        let now = ms(self.now());
        match (filter.sla_bucket, purpose) {
            (None, _) => {}
            (Some(SlaBucket::Breached), Purpose::Page) => {
                q.push(" AND +t.sla_due_at <= ").push_bind(now);
            }
            (Some(SlaBucket::Breached), Purpose::Count) => {
                q.push(" AND t.sla_at_risk_at <= ")
                    .push_bind(now)
                    .push(" AND t.sla_due_at <= ")
                    .push_bind(now);
            }
            (Some(SlaBucket::AtRisk), Purpose::Page) => {
                q.push(" AND +t.sla_at_risk_at <= ")
                    .push_bind(now)
                    .push(" AND t.sla_due_at > ")
                    .push_bind(now);
            }
            (Some(SlaBucket::AtRisk), Purpose::Count) => {
                q.push(" AND t.sla_at_risk_at <= ")
                    .push_bind(now)
                    .push(" AND t.sla_due_at > ")
                    .push_bind(now);
            }
        }
    }
}

/// What a WHERE clause is for (they are planned differently).
#[derive(Clone, Copy)]
enum Purpose {
    Page,
    Count,
}

impl Tickets<'_> {
    /// One ticket in full: fields, SLA, comments, events and the transitions allowed now.
    #[instrument(skip_all, fields(ticket = %reference), err)]
    pub async fn ticket(&self, reference: &str) -> Result<TicketDetail> {
        let mut conn = self.0.pool.acquire().await?;
        let (ticket, _) = find_ticket(&mut conn, reference).await?;
        let row: ViewRow = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "{} WHERE t.id = ?",
            view_select()
        )))
        .bind(ticket.id.to_string())
        .fetch_one(&mut *conn)
        .await?;
        let (view, t) = self.0.views(&mut conn, vec![row]).await?.remove(0);
        let internal = permission::can_see_internal(&self.0.actor);
        let comments: Vec<(String, String, String, String, String, String, i64)> = sqlx::query_as(
            "SELECT c.id, u.id, u.email, u.name, c.visibility, c.body, c.created_at FROM comments c \
             JOIN users u ON u.id = c.author_id WHERE c.ticket_id = ? ORDER BY c.created_at, c.seq",
        )
        .bind(t.id.to_string())
        .fetch_all(&mut *conn)
        .await?;
        let mut comment_views = Vec::with_capacity(comments.len());
        for (id, uid, email, name, visibility, body, at) in comments {
            let visibility: Visibility = visibility.parse()?;
            if visibility == Visibility::Internal && !internal {
                continue;
            }
            comment_views.push(CommentView {
                id: uuid(&id)?,
                author: UserRef {
                    id: uuid(&uid)?,
                    email,
                    name,
                },
                visibility,
                body,
                created_at: ts(at),
            });
        }
        let events: Vec<EventRow> = sqlx::query_as(
            "SELECT e.actor_id, u.email, u.name, e.field, e.old_value, e.new_value, e.at FROM events e \
             LEFT JOIN users u ON u.id = e.actor_id WHERE e.ticket_id = ? ORDER BY e.at, e.seq",
        )
        .bind(t.id.to_string())
        .fetch_all(&mut *conn)
        .await?;
        let mut event_views = Vec::with_capacity(events.len());
        for e in events {
            event_views.push(EventView {
                actor: user_ref(opt_uuid(e.actor_id.as_deref())?, e.email, e.name),
                field: e.field,
                from: e.old_value,
                to: e.new_value,
                at: ts(e.at),
            });
        }
        let allowed_transitions = t
            .status
            .allowed_next()
            .iter()
            .copied()
            .filter(|to| permission::check_status_change(&self.0.actor, &t, *to).is_ok())
            .collect();
        let links: Vec<(String, String, String, i64, String, String)> = sqlx::query_as(
            "SELECT l.kind, l.from_id, o.id, o.number, o.title, o.status FROM ticket_links l \
             JOIN tickets o ON o.id = CASE WHEN l.from_id = ?1 THEN l.to_id ELSE l.from_id END \
             WHERE l.from_id = ?1 OR l.to_id = ?1 ORDER BY l.created_at",
        )
        .bind(t.id.to_string())
        .fetch_all(&mut *conn)
        .await?;
        let mut link_views = Vec::with_capacity(links.len());
        for (kind, from, other, number, title, status) in links {
            let outgoing = from == t.id.to_string();
            let kind = match (kind.as_str(), outgoing) {
                (k, true) => k.to_string(),
                ("duplicate_of", false) => "duplicated_by".to_string(),
                ("parent_of", false) => "child_of".to_string(),
                (k, false) => k.to_string(),
            };
            link_views.push(LinkView {
                kind,
                ticket_id: uuid(&other)?,
                number: helpdeck_core::ticket::ticket_key(number),
                title,
                status: status.parse()?,
            });
        }
        let files: Vec<(String, Option<String>, String, String, String, i64)> = sqlx::query_as(
            "SELECT id, comment_id, sha256, name, media_type, size FROM attachments \
             WHERE ticket_id = ? ORDER BY created_at, id",
        )
        .bind(t.id.to_string())
        .fetch_all(&mut *conn)
        .await?;
        let shown: std::collections::HashSet<uuid::Uuid> =
            comment_views.iter().map(|c| c.id).collect();
        let mut attachments = Vec::with_capacity(files.len());
        for (id, comment, sha256, name, media_type, size) in files {
            let comment_id = comment.as_deref().map(uuid).transpose()?;
            if comment_id.is_some_and(|c| !shown.contains(&c)) {
                continue; // on an internal note this user does not see
            }
            attachments.push(AttachmentView {
                id: uuid(&id)?,
                comment_id,
                available: self.0.files().has_blob(&sha256),
                sha256,
                name,
                media_type,
                size: size as u64,
            });
        }
        let followup = self.0.followup_view(&mut conn, &t).await?;
        Ok(TicketDetail {
            followup,
            ticket: view,
            former_number: t.former_number.map(ticket_key),
            attachments,
            description: t.description.clone(),
            resolution: t.resolution.clone(),
            csat: t.csat.clone(),
            allowed_transitions,
            comments: comment_views,
            events: event_views,
            links: if internal { link_views } else { Vec::new() },
        })
    }

    /// A queue page (at most [`MAX_PAGE`] tickets; page on with `offset`).
    #[instrument(skip_all, err)]
    pub async fn list_tickets(&self, filter: &TicketFilter) -> Result<Vec<TicketView>> {
        let mut conn = self.0.pool.acquire().await?;
        let search = filter
            .query
            .as_deref()
            .map(SearchQuery::parse)
            .transpose()?;
        let mut q: QueryBuilder<Sqlite> = QueryBuilder::new(view_select());
        self.0
            .push_filter(&mut q, filter, Purpose::Page, search.as_ref());
        q.push(match filter.sort {
            SortOrder::Due => " ORDER BY (t.sla_due_at IS NULL), t.sla_due_at, t.number",
            SortOrder::Priority => {
                " ORDER BY t.priority, (t.sla_due_at IS NULL), t.sla_due_at, t.number"
            }
            SortOrder::Updated => " ORDER BY t.updated_at DESC, t.number DESC",
            SortOrder::Created => " ORDER BY t.created_at DESC, t.number DESC",
        });
        q.push(" LIMIT ")
            .push_bind(i64::from(filter.limit.clamp(1, MAX_PAGE)));
        q.push(" OFFSET ").push_bind(i64::from(filter.offset));
        let rows: Vec<ViewRow> = q.build_query_as().fetch_all(&mut *conn).await?;
        Ok(self
            .0
            .views(&mut conn, rows)
            .await?
            .into_iter()
            .map(|(v, _)| v)
            .collect())
    }

    /// The id of the ticket `reference` names (one indexed lookup; presence says it often).
    pub async fn id_of(&self, reference: &str) -> Result<uuid::Uuid> {
        let mut conn = self.0.pool.acquire().await?;
        Ok(find_ticket(&mut conn, reference).await?.0.id)
    }

    /// The numbers (`HD-12`) of the tickets `ids` this device has; others are left out.
    pub async fn keys_of(
        &self,
        ids: &[uuid::Uuid],
    ) -> Result<std::collections::HashMap<uuid::Uuid, String>> {
        let mut out = std::collections::HashMap::with_capacity(ids.len());
        if ids.is_empty() {
            return Ok(out);
        }
        let mut q: QueryBuilder<Sqlite> =
            QueryBuilder::new("SELECT id, number FROM tickets WHERE id IN (");
        let mut list = q.separated(", ");
        for id in ids {
            list.push_bind(id.to_string());
        }
        q.push(")");
        let rows: Vec<(String, i64)> = q.build_query_as().fetch_all(&self.0.pool).await?;
        for (id, number) in rows {
            out.insert(uuid(&id)?, ticket_key(number));
        }
        Ok(out)
    }

    /// Tickets that may be duplicates of `reference` (to merge): the same requester, opened
    /// within 7 days of it, not closed; the ones sharing most title words first (at most 5).
    #[instrument(skip_all, err)]
    pub async fn duplicate_candidates(&self, reference: &str) -> Result<Vec<TicketView>> {
        const WINDOW_MS: i64 = 7 * 24 * 3600 * 1000;
        let mut conn = self.0.pool.acquire().await?;
        let (t, _) = find_ticket(&mut conn, reference).await?;
        let Some(requester) = t.requester_id else {
            return Ok(Vec::new());
        };
        let at = ms(t.created_at);
        let mut q: QueryBuilder<Sqlite> = QueryBuilder::new(view_select());
        q.push(" WHERE t.requester_id = ")
            .push_bind(requester.to_string())
            .push(" AND t.id != ")
            .push_bind(t.id.to_string())
            .push(" AND t.status != 'closed' AND t.created_at BETWEEN ")
            .push_bind(at - WINDOW_MS)
            .push(" AND ")
            .push_bind(at + WINDOW_MS)
            .push(" ORDER BY t.created_at DESC LIMIT 50");
        let rows: Vec<ViewRow> = q.build_query_as().fetch_all(&mut *conn).await?;
        let words = helpdeck_core::search_text::text_terms(&t.title);
        let mut scored: Vec<(usize, TicketView)> = self
            .0
            .views(&mut conn, rows)
            .await?
            .into_iter()
            .map(|(v, other)| {
                let shared = helpdeck_core::search_text::text_terms(&other.title)
                    .iter()
                    .filter(|w| words.contains(w))
                    .count();
                (shared, v)
            })
            .collect();
        // Stable: equally similar ones stay newest first.
        scored.sort_by_key(|(shared, _)| std::cmp::Reverse(*shared));
        Ok(scored.into_iter().take(5).map(|(_, v)| v).collect())
    }

    /// The total of a queue from the counts the database keeps, `None` when its filter asks
    /// for more and its rows must be counted. A filter that names only statuses (or the open
    /// ones), a priority and "unassigned" sums `ticket_counts`; the open tickets breaching
    /// soon are the days of `risk_counts` before today summed and today's counted up to now.
    async fn kept_count(&self, filter: &TicketFilter) -> Result<Option<i64>> {
        const DAY_MS: i64 = 86_400_000;
        let plain = filter.query.is_none()
            && filter.report.is_none()
            && filter.kind.is_none()
            && filter.category.is_none()
            && filter.tier.is_none()
            && filter.sla_bucket.is_none();
        if !plain {
            return Ok(None);
        }
        if filter.breaching {
            let open_any = filter.statuses.is_empty()
                && !filter.all_statuses
                && filter.priority.is_none()
                && matches!(filter.assignee, AssigneeFilter::Any);
            if !open_any {
                return Ok(None);
            }
            let now = ms(self.0.now());
            let today = now.div_euclid(DAY_MS);
            let (n,): (i64,) = sqlx::query_as(
                "SELECT (SELECT COALESCE(SUM(n), 0) FROM risk_counts WHERE day < ?) \
                      + (SELECT count(*) FROM tickets \
                         WHERE is_open = 1 AND sla_at_risk_at >= ? AND sla_at_risk_at <= ?)",
            )
            .bind(today)
            .bind(today * DAY_MS)
            .bind(now)
            .fetch_one(&self.0.pool)
            .await?;
            return Ok(Some(n));
        }
        if !matches!(
            filter.assignee,
            AssigneeFilter::Any | AssigneeFilter::Nobody
        ) {
            return Ok(None);
        }
        let mut q: QueryBuilder<Sqlite> =
            QueryBuilder::new("SELECT COALESCE(SUM(n), 0) FROM ticket_counts t WHERE 1 = 1");
        if filter.statuses.is_empty() && !filter.all_statuses {
            q.push(" AND t.is_open = 1");
        }
        crate::search::push_fields(&mut q, &filter.statuses, filter.priority, None, None);
        if matches!(filter.assignee, AssigneeFilter::Nobody) {
            q.push(" AND t.assigned = 0");
        }
        let (n,): (i64,) = q.build_query_as().fetch_one(&self.0.pool).await?;
        Ok(Some(n))
    }

    /// Number of tickets a queue holds (for the list's scroll size and view counts).
    #[instrument(skip_all, err)]
    pub async fn count_tickets(&self, filter: &TicketFilter) -> Result<i64> {
        if let Some(n) = self.kept_count(filter).await? {
            return Ok(n);
        }
        // Only the assignee-email filter needs a join; SQLite does not drop unused LEFT JOINs
        // here, and they made counting 100k tickets 100× slower.
        let from = match filter.assignee {
            AssigneeFilter::Email(_) => " FROM tickets t LEFT JOIN users a ON a.id = t.assignee_id",
            _ => " FROM tickets t",
        };
        let search = filter
            .query
            .as_deref()
            .map(SearchQuery::parse)
            .transpose()?;
        let mut q: QueryBuilder<Sqlite> = QueryBuilder::new(format!("SELECT COUNT(*){from}"));
        self.0
            .push_filter(&mut q, filter, Purpose::Count, search.as_ref());
        let (n,): (i64,) = q.build_query_as().fetch_one(&self.0.pool).await?;
        Ok(n)
    }
}
