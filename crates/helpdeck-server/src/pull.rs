//! `GET /sync/pull?cursor=N`: the current state of every ticket changed after the cursor
//! that the caller may see — with its comments and history, filtered for the caller — plus
//! revocations, `next_cursor` and `has_more` (spec §6.3). Every customer answer is built by
//! the same filter (I5): their own tickets (their organization's if they are its admin), no
//! internal note, no agent-only field.

use std::collections::{BTreeSet, VecDeque};
use std::sync::{Arc, Mutex};

use helpdeck_core::op::OP_SCHEMA_VERSION;
use helpdeck_core::sync::{
    CommentState, DirectoryUser, EventState, LinkState, MAX_PULL_PAGE, NamedEntity, PullResponse,
    TicketBundle, TicketDoc, comment_visible, event_visible, redact_comment, redact_ticket,
};
use helpdeck_core::user::Role;
use uuid::Uuid;

use crate::accounts::{Caller, users_by_ids};
use crate::db::{Db, parse_uuid};
use crate::error::{Result, ServerError};

/// The tickets filter for a caller: SQL and its bind values (after cursor and upper bound).
fn visibility(caller: &Caller) -> (String, Vec<String>) {
    let u = &caller.account.user;
    match u.role {
        Role::Admin | Role::Agent => (String::new(), Vec::new()),
        Role::Customer => match (u.org_admin, u.organization_id) {
            (true, Some(org)) => (
                " AND (requester_id = $3 OR organization_id = $4)".into(),
                vec![u.id.to_string(), org.to_string()],
            ),
            _ => (" AND requester_id = $3".into(), vec![u.id.to_string()]),
        },
    }
}

/// A pull answer ready to send: the page, its JSON, and that JSON compressed once for every
/// asker that accepts zstd.
pub struct Cached {
    pub page: PullResponse,
    pub body: axum::body::Bytes,
    /// `body` as zstd, made by the first asker that accepts it (`None`: sent as it is).
    zstd: tokio::sync::OnceCell<Option<axum::body::Bytes>>,
    /// The directory it was built with (see [`crate::db::PullState::directory_stamp`]).
    stamp: (i64, i64, i64),
}

/// Answers shorter than this go as they are: an empty long-poll answer (a few hundred bytes)
/// would save less than compressing it costs.
pub const COMPRESS_FROM: usize = 1024;

/// zstd's own default level: a page of 500 tickets (1.3 MB of JSON) to about a tenth
/// (docs/benchmarks.md, "Pull pages compressed once").
const PAGE_ZSTD_LEVEL: i32 = 3;

impl Cached {
    fn new(page: PullResponse) -> Arc<Cached> {
        Cached::stamped(page, (0, 0, 0))
    }

    fn stamped(page: PullResponse, stamp: (i64, i64, i64)) -> Arc<Cached> {
        let body = serde_json::to_vec(&page).expect("page serializes").into();
        Arc::new(Cached {
            page,
            body,
            zstd: Default::default(),
            stamp,
        })
    }

    /// The body compressed with zstd, or `None` when it goes as it is (short, or the
    /// compression failed). Made once per page: the long-polls that one push wakes (500 in
    /// the §8 bench) share one compression, as they share one build. Compressing runs off
    /// the async workers.
    pub async fn zstd_body(&self) -> Option<axum::body::Bytes> {
        if self.body.len() < COMPRESS_FROM {
            return None;
        }
        self.zstd
            .get_or_init(|| async {
                let body = self.body.clone();
                let done = tokio::task::spawn_blocking(move || {
                    zstd::bulk::compress(&body, PAGE_ZSTD_LEVEL)
                })
                .await
                .map_err(|e| e.to_string())
                .and_then(|z| z.map_err(|e| e.to_string()));
                done.inspect_err(|error| {
                    tracing::warn!(%error, "compressing a pull page failed; sent as it is");
                })
                .ok()
                .map(Into::into)
            })
            .await
            .clone()
    }
}

/// Whether a request's `Accept-Encoding` takes zstd (RFC 9110 §12.5.3): zstd listed with a
/// weight that is not 0, or, when zstd is not listed, `*` with such a weight.
pub fn accepts_zstd(headers: &axum::http::HeaderMap) -> bool {
    // (coding, refused) of every listed coding.
    let listed: Vec<(String, bool)> = headers
        .get_all(axum::http::header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|item| {
            let mut parts = item.split(';').map(str::trim);
            let coding = parts.next().unwrap_or("").to_ascii_lowercase();
            // `q=0` (0.0, 0.000) refuses it; a weight that does not parse is not a refusal.
            let refused = parts.any(|p| {
                p.split_once('=').is_some_and(|(k, w)| {
                    k.trim().eq_ignore_ascii_case("q")
                        && w.trim().parse::<f32>().is_ok_and(|w| w == 0.0)
                })
            });
            (coding, refused)
        })
        .collect();
    let accepted = |name: &str| listed.iter().find(|(c, _)| c == name).map(|(_, r)| !r);
    accepted("zstd").or_else(|| accepted("*")).unwrap_or(false)
}

/// Staff see the same page for the same (cursor, upper bound, limit): after a push wakes every
/// long-polling agent, one query and one serialisation answer all of them. A page is built
/// once: the long-polls that ask for it while it is being built wait for that build.
#[derive(Default)]
pub struct PageCache {
    entries: Mutex<VecDeque<(PageKey, Slot)>>,
    /// Pages built (read from the database and serialised) so far.
    builds: std::sync::atomic::AtomicU64,
}

/// (cursor, upper bound, limit).
type PageKey = (i64, i64, usize);

/// A page, or the build every asker of its key waits for.
type Slot = Arc<tokio::sync::OnceCell<Arc<Cached>>>;

const CACHED_PAGES: usize = 16;

impl PageCache {
    fn slot(&self, key: PageKey) -> Slot {
        let mut entries = self.entries.lock().expect("page cache lock");
        if let Some((_, slot)) = entries.iter().find(|(k, _)| *k == key) {
            return slot.clone();
        }
        if entries.len() >= CACHED_PAGES {
            entries.pop_front();
        }
        let slot = Slot::default();
        entries.push_back((key, slot.clone()));
        slot
    }

    fn replace(&self, key: PageKey, page: Arc<Cached>) {
        self.entries
            .lock()
            .expect("page cache lock")
            .retain(|(k, _)| *k != key);
        // A new slot: nobody else holds it yet, so it takes the page.
        let _ = self.slot(key).set(page);
    }

    /// The page for `key` built with `rules` and `stamp`: the cached one, the one being
    /// built, or (none, or built before the rules or directory changed) a new one. A woken
    /// long-poll (`fresh` false) takes the page of its key as it is: built by a fresh request
    /// after the change that woke it, or by another woken long-poll with the rules it checked
    /// at its request's start (at most one long-poll old).
    async fn get_or_build<F, Fut>(
        &self,
        key: PageKey,
        rules: &helpdeck_core::sync::WorkspaceRules,
        stamp: (i64, i64, i64),
        fresh: bool,
        build: F,
    ) -> Result<Arc<Cached>>
    where
        F: Fn() -> Fut,
        Fut: std::future::Future<Output = Result<Arc<Cached>>>,
    {
        let build = || {
            self.builds
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            build()
        };
        let slot = self.slot(key);
        let page = slot.get_or_try_init(build).await?.clone();
        if !fresh || (page.page.rules.as_ref() == Some(rules) && page.stamp == stamp) {
            return Ok(page);
        }
        let fresh = build().await?;
        self.replace(key, fresh.clone());
        Ok(fresh)
    }
}

/// A pull's caller, cursor and schema, checked: the rules and directory its page carries.
pub struct Checked {
    cursor: i64,
    limit: usize,
    staff: bool,
    rules: helpdeck_core::sync::WorkspaceRules,
    stamp: (i64, i64, i64),
    /// The newest committed change when the check ran.
    pub last_seq: i64,
}

/// Checks a pull before its page (one statement: a push wakes every long-poll at once, and
/// each round trip to the database costs more than the rest of a cached answer), and notes
/// the device as seen. `Err` is the answer instead of a page: start again from 0.
pub async fn check(
    db: &Db,
    caller: &Caller,
    cursor: i64,
    schema: u32,
    limit: usize,
) -> Result<std::result::Result<Checked, Arc<Cached>>> {
    if cursor < 0 {
        return Err(ServerError::BadRequest(format!(
            "cursor: {cursor} is negative (allowed: 0 or a next_cursor this server returned)"
        )));
    }
    let state = db.pull_state(caller.device_id).await?;
    let device = state.device;
    let stale_epoch = device.map(|(e, _)| e) != Some(caller.account.epoch);
    let resync = || {
        Err(Cached::new(PullResponse {
            next_cursor: 0,
            must_resync: true,
            ..Default::default()
        }))
    };
    if schema != OP_SCHEMA_VERSION || (cursor > 0 && stale_epoch) || cursor > state.last_seq {
        return Ok(resync());
    }
    if cursor == 0 && stale_epoch {
        sqlx::query("UPDATE devices SET epoch = $1 WHERE id = $2")
            .bind(caller.account.epoch)
            .bind(caller.device_id.to_string())
            .execute(&db.pool)
            .await?;
    }
    // "Last seen" to the minute: a pull is a read, and a write per pull would queue every
    // long-poll that a push wakes behind the database's one writer.
    let now = crate::db::now_ms();
    if device.is_some_and(|(_, seen)| now - seen > 60_000) {
        sqlx::query("UPDATE devices SET last_seen_at = $1 WHERE id = $2")
            .bind(now)
            .bind(caller.device_id.to_string())
            .execute(&db.pool)
            .await?;
    }
    let staff = caller.account.user.role != Role::Customer;
    // Rules change outside the stream (an admin on the server machine): a cached page
    // serves only while they are the ones it carries.
    Ok(Ok(Checked {
        cursor,
        limit: limit.clamp(1, MAX_PULL_PAGE),
        staff,
        rules: state.rules.for_viewer(&caller.account.user),
        stamp: if staff {
            state.directory_stamp
        } else {
            (0, 0, 0)
        },
        last_seq: state.last_seq,
    }))
}

/// The page of a checked pull with changes up to at least `hi` (a committed seq: the
/// check's `last_seq`, or the one a push woke a long-poll with). Staff share one build per
/// (cursor, bound, limit); `woken` takes whatever page of that key there is (see
/// [`PageCache`]).
pub async fn page(
    db: &Db,
    caller: &Caller,
    checked: &Checked,
    hi: i64,
    woken: bool,
    cache: &PageCache,
) -> Result<Arc<Cached>> {
    let Checked {
        cursor,
        limit,
        staff,
        stamp,
        ..
    } = *checked;
    let rules = &checked.rules;
    let build = || snapshot_page(db, caller, cursor, limit, rules.clone(), stamp);
    if staff {
        cache
            .get_or_build((cursor, hi, limit), rules, stamp, !woken, build)
            .await
    } else {
        build().await
    }
}

/// The page above `cursor` from one snapshot: its upper bound (at or above the `last_seq`
/// its asker read) and the rows under it.
async fn snapshot_page(
    db: &Db,
    caller: &Caller,
    cursor: i64,
    limit: usize,
    rules: helpdeck_core::sync::WorkspaceRules,
    stamp: (i64, i64, i64),
) -> Result<Arc<Cached>> {
    // One snapshot for the upper bound and the rows under it. Every seq at or below the bound
    // is committed (pushes are serialised and bump last_seq in their own transaction), so
    // nothing below it can appear later (I4); and a ticket that a push moves up the stream
    // after the bound was read is still found at its old place, not skipped until the next
    // round (an auto-close between the two reads once left a first sync without the tickets
    // it closed). The snapshot holds a pooled connection: nothing waits for another one
    // while it is open (with hundreds of long-polls woken at once, every connection held by
    // a snapshot that waited for a second one stalled the server), so what needs no
    // snapshot is read before it and the page's children after it.
    let mut snapshot = db.read_snapshot().await?;
    let (hi,): (i64,) = sqlx::query_as("SELECT last_seq FROM server_meta WHERE singleton = 1")
        .fetch_one(&mut *snapshot)
        .await?;
    let stream = read_stream(&mut snapshot, caller, cursor, hi, limit).await?;
    snapshot.commit().await?;
    let page = build_page(db, caller, cursor, hi, limit, rules, stream).await?;
    Ok(Cached::stamped(page, stamp))
}

/// Which kind of change a row of the one stream is.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Stream {
    Ticket,
    Article,
    Macro,
}

/// The next `limit` + 1 changes above `cursor` up to `hi` that `caller` may see, of every
/// kind, in stream order (read in the page's snapshot).
async fn read_stream(
    snapshot: &mut sqlx::AnyConnection,
    caller: &Caller,
    cursor: i64,
    hi: i64,
    limit: usize,
) -> Result<Vec<(Stream, String, i64)>> {
    let (filter, binds) = visibility(caller);
    // Customers follow the changes they can see (public_seq): an internal note or an
    // agent-only field never re-sends a ticket to them.
    let seq = if caller.account.user.role == Role::Customer {
        "public_seq"
    } else {
        "server_seq"
    };
    let sql = format!(
        "SELECT doc, {seq} FROM tickets WHERE {seq} > $1 AND {seq} <= $2{filter} \
         ORDER BY {seq} LIMIT {}",
        limit + 1
    );
    let mut q = sqlx::query_as::<_, (String, i64)>(sqlx::AssertSqlSafe(sql.clone()))
        .bind(cursor)
        .bind(hi);
    for b in &binds {
        q = q.bind(b.clone());
    }
    let ticket_rows = q.fetch_all(&mut *snapshot).await?;
    // Articles share the change stream: the page is the next `limit` changes of either kind
    // (two index range scans merged here, never a sort of the whole range).
    let article_sql = format!(
        "SELECT doc, {seq} FROM articles WHERE {seq} > $1 AND {seq} <= $2 ORDER BY {seq} LIMIT {}",
        limit + 1
    );
    let article_rows: Vec<(String, i64)> = sqlx::query_as(sqlx::AssertSqlSafe(article_sql))
        .bind(cursor)
        .bind(hi)
        .fetch_all(&mut *snapshot)
        .await?;
    // Macros too, for staff (customers never get one).
    let macro_rows: Vec<(String, i64)> = if caller.account.user.role == Role::Customer {
        Vec::new()
    } else {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT doc, server_seq FROM macros WHERE server_seq > $1 AND server_seq <= $2 \
             ORDER BY server_seq LIMIT {}",
            limit + 1
        )))
        .bind(cursor)
        .bind(hi)
        .fetch_all(&mut *snapshot)
        .await?
    };
    let mut merged: Vec<(Stream, String, i64)> = ticket_rows
        .into_iter()
        .map(|(d, s)| (Stream::Ticket, d, s))
        .chain(
            article_rows
                .into_iter()
                .map(|(d, s)| (Stream::Article, d, s)),
        )
        .chain(macro_rows.into_iter().map(|(d, s)| (Stream::Macro, d, s)))
        .collect();
    merged.sort_by_key(|(_, _, s)| *s);
    Ok(merged)
}

/// A page of `merged` (from [`read_stream`]) with the tickets' children and the directory
/// they name, read from the pool.
async fn build_page(
    db: &Db,
    caller: &Caller,
    cursor: i64,
    hi: i64,
    limit: usize,
    rules: helpdeck_core::sync::WorkspaceRules,
    mut merged: Vec<(Stream, String, i64)>,
) -> Result<PullResponse> {
    let has_more = merged.len() > limit;
    merged.truncate(limit);
    let next_cursor = if has_more {
        merged.last().map(|(_, _, s)| *s).unwrap_or(hi)
    } else {
        hi
    };
    let mut rows = Vec::new();
    let mut articles = Vec::new();
    let mut revoked_articles = Vec::new();
    let mut macros = Vec::new();
    for (stream, doc, s) in merged {
        match stream {
            Stream::Ticket => {
                rows.push((doc, s));
                continue;
            }
            Stream::Macro => {
                let doc: helpdeck_core::macros::MacroDoc = serde_json::from_str(&doc)
                    .map_err(|e| ServerError::Internal(format!("bad macro doc: {e}")))?;
                macros.push(doc.macro_);
                continue;
            }
            Stream::Article => {}
        }
        let doc: helpdeck_core::kb::ArticleDoc = serde_json::from_str(&doc)
            .map_err(|e| ServerError::Internal(format!("bad article doc: {e}")))?;
        match helpdeck_core::kb::redact_article(&caller.account.user, &doc.article) {
            Some(a) => articles.push(a),
            None => revoked_articles.push(doc.article.id),
        }
    }

    let viewer = &caller.account.user;
    let mut tickets = Vec::with_capacity(rows.len());
    for (doc, seq) in rows {
        let doc: TicketDoc = serde_json::from_str(&doc)
            .map_err(|e| ServerError::Internal(format!("bad ticket doc: {e}")))?;
        tickets.push(TicketBundle {
            server_seq: seq,
            hlc: visible_hlc(viewer, &doc),
            ticket: redact_ticket(viewer, &doc.ticket),
            comments: Vec::new(),
            events: Vec::new(),
            links: Vec::new(),
            attachments: Vec::new(),
            work_orders: Vec::new(),
            time_entries: Vec::new(),
        });
    }
    attach_children(db, viewer, &mut tickets).await?;

    let revoked = if viewer.role == Role::Customer {
        revocations(db, caller, cursor, next_cursor).await?
    } else {
        Vec::new()
    };
    let (users, organizations, teams) = directory(db, viewer, &tickets, cursor == 0).await?;
    Ok(PullResponse {
        users,
        organizations,
        teams,
        tickets,
        revoked,
        articles,
        revoked_articles,
        macros,
        next_cursor,
        has_more,
        must_resync: false,
        upper_bound: hi,
        rules: Some(rules),
    })
}

/// The newest write clock of the fields `viewer` may see (an agent-only field's clock would
/// tell a customer when internal work happened).
fn visible_hlc(viewer: &helpdeck_core::user::User, doc: &TicketDoc) -> Option<String> {
    let staff = helpdeck_core::permission::can_see_internal(viewer);
    doc.clocks
        .iter()
        .filter(|(field, _)| {
            staff || !helpdeck_core::sync::AGENT_ONLY_FIELDS.contains(&field.as_str())
        })
        .map(|(_, stamp)| stamp)
        .max()
        .map(|s| s.hlc.clone())
}

/// The current state of `ids` as `viewer` may see them, with comments and history (the
/// corrections a push answers with). Tickets the viewer may not see are left out.
pub async fn bundles(
    db: &Db,
    viewer: &helpdeck_core::user::User,
    ids: &[Uuid],
) -> Result<Vec<TicketBundle>> {
    let mut tickets = Vec::new();
    for id in ids {
        let sql = if viewer.role == Role::Customer {
            "SELECT doc, public_seq FROM tickets WHERE id = $1"
        } else {
            "SELECT doc, server_seq FROM tickets WHERE id = $1"
        };
        let row: Option<(String, i64)> = sqlx::query_as(sql)
            .bind(id.to_string())
            .fetch_optional(&db.pool)
            .await?;
        let Some((doc, seq)) = row else { continue };
        let doc: TicketDoc = serde_json::from_str(&doc)
            .map_err(|e| ServerError::Internal(format!("bad ticket doc: {e}")))?;
        if !helpdeck_core::permission::can_see(viewer, &doc.ticket) {
            continue;
        }
        tickets.push(TicketBundle {
            server_seq: seq,
            hlc: visible_hlc(viewer, &doc),
            ticket: redact_ticket(viewer, &doc.ticket),
            comments: Vec::new(),
            events: Vec::new(),
            links: Vec::new(),
            attachments: Vec::new(),
            work_orders: Vec::new(),
            time_entries: Vec::new(),
        });
    }
    attach_children(db, viewer, &mut tickets).await?;
    Ok(tickets)
}

/// The server's current copy of the macros `ids` as `viewer` may use them (a push's
/// corrections; none: drop the local copy).
pub async fn macro_corrections(
    db: &Db,
    viewer: &helpdeck_core::user::User,
    ids: &[Uuid],
) -> Result<Vec<helpdeck_core::sync::MacroCorrection>> {
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        let row: Option<(String,)> = sqlx::query_as("SELECT doc FROM macros WHERE id = $1")
            .bind(id.to_string())
            .fetch_optional(&db.pool)
            .await?;
        let m = match row {
            Some((doc,)) => {
                let doc: helpdeck_core::macros::MacroDoc = serde_json::from_str(&doc)
                    .map_err(|e| ServerError::Internal(format!("bad macro doc: {e}")))?;
                Some(doc.macro_)
                    .filter(|m| !m.deleted && helpdeck_core::macros::macro_visible(viewer, m))
            }
            None => None,
        };
        out.push(helpdeck_core::sync::MacroCorrection { id: *id, macro_: m });
    }
    Ok(out)
}

/// The server's current copy of `ids` as `viewer` may read them (a push's corrections).
pub async fn article_corrections(
    db: &Db,
    viewer: &helpdeck_core::user::User,
    ids: &[Uuid],
) -> Result<Vec<helpdeck_core::sync::ArticleCorrection>> {
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        let row: Option<(String, i64)> =
            sqlx::query_as("SELECT doc, server_seq FROM articles WHERE id = $1")
                .bind(id.to_string())
                .fetch_optional(&db.pool)
                .await?;
        let (article, server_seq) = match row {
            Some((doc, seq)) => {
                let doc: helpdeck_core::kb::ArticleDoc = serde_json::from_str(&doc)
                    .map_err(|e| ServerError::Internal(format!("bad article doc: {e}")))?;
                (helpdeck_core::kb::redact_article(viewer, &doc.article), seq)
            }
            None => (None, 0),
        };
        out.push(helpdeck_core::sync::ArticleCorrection {
            id: *id,
            article,
            server_seq,
        });
    }
    Ok(out)
}

fn marks(from: usize, n: usize) -> String {
    (from..from + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

async fn attach_children(
    db: &Db,
    viewer: &helpdeck_core::user::User,
    tickets: &mut [TicketBundle],
) -> Result<()> {
    if tickets.is_empty() {
        return Ok(());
    }
    let ids: Vec<String> = tickets.iter().map(|b| b.ticket.id.to_string()).collect();
    let index: std::collections::HashMap<Uuid, usize> = tickets
        .iter()
        .enumerate()
        .map(|(i, b)| (b.ticket.id, i))
        .collect();
    let sql = format!(
        "SELECT state FROM comments WHERE ticket_id IN ({})",
        marks(1, ids.len())
    );
    let mut q = sqlx::query_as::<_, (String,)>(sqlx::AssertSqlSafe(sql.clone()));
    for id in &ids {
        q = q.bind(id.clone());
    }
    for (state,) in q.fetch_all(&db.pool).await? {
        let c: CommentState = serde_json::from_str(&state)
            .map_err(|e| ServerError::Internal(format!("bad comment: {e}")))?;
        if comment_visible(viewer, &c)
            && let Some(&i) = index.get(&c.ticket_id)
        {
            let requester = tickets[i].ticket.requester_id;
            tickets[i]
                .comments
                .push(redact_comment(viewer, requester, c));
        }
    }
    let sql = format!(
        "SELECT state FROM events WHERE ticket_id IN ({}) ORDER BY server_seq",
        marks(1, ids.len())
    );
    let mut q = sqlx::query_as::<_, (String,)>(sqlx::AssertSqlSafe(sql.clone()));
    for id in &ids {
        q = q.bind(id.clone());
    }
    for (state,) in q.fetch_all(&db.pool).await? {
        let e: EventState = serde_json::from_str(&state)
            .map_err(|e| ServerError::Internal(format!("bad event: {e}")))?;
        if event_visible(viewer, &e)
            && let Some(&i) = index.get(&e.ticket_id)
        {
            tickets[i].events.push(e);
        }
    }
    let sql = format!(
        "SELECT state FROM attachments WHERE ticket_id IN ({})",
        marks(1, ids.len())
    );
    let mut q = sqlx::query_as::<_, (String,)>(sqlx::AssertSqlSafe(sql));
    for id in &ids {
        q = q.bind(id.clone());
    }
    for (state,) in q.fetch_all(&db.pool).await? {
        let a: helpdeck_core::attachment::AttachmentState = serde_json::from_str(&state)
            .map_err(|e| ServerError::Internal(format!("bad attachment: {e}")))?;
        if let Some(&i) = index.get(&a.ticket_id) {
            // The bundle's comments are already the ones the viewer may see.
            let comment = a
                .comment_id
                .and_then(|c| tickets[i].comments.iter().find(|x| x.id == c));
            if helpdeck_core::sync::attachment_visible(viewer, &a, comment) {
                tickets[i].attachments.push(a);
            }
        }
    }
    let sql = format!(
        "SELECT ticket_id, doc FROM work_orders WHERE ticket_id IN ({})",
        marks(1, ids.len())
    );
    let mut q = sqlx::query_as::<_, (String, String)>(sqlx::AssertSqlSafe(sql));
    for id in &ids {
        q = q.bind(id.clone());
    }
    for (_, doc) in q.fetch_all(&db.pool).await? {
        let d: helpdeck_core::workorder::WorkOrderDoc = serde_json::from_str(&doc)
            .map_err(|e| ServerError::Internal(format!("bad work order: {e}")))?;
        if let Some(&i) = index.get(&d.work_order.ticket_id) {
            // The bundle's ticket is one the viewer may see: so are its work orders.
            tickets[i]
                .work_orders
                .push(helpdeck_core::workorder::redact_work_order(
                    viewer,
                    &d.work_order,
                ));
        }
    }
    for t in tickets.iter_mut() {
        t.work_orders.sort_by_key(|w| (w.starts_at, w.id));
    }
    // Time entries: staff only, deleted ones left out.
    if helpdeck_core::permission::can_see_internal(viewer) {
        let sql = format!(
            "SELECT doc FROM time_entries WHERE ticket_id IN ({})",
            marks(1, ids.len())
        );
        let mut q = sqlx::query_as::<_, (String,)>(sqlx::AssertSqlSafe(sql));
        for id in &ids {
            q = q.bind(id.clone());
        }
        for (doc,) in q.fetch_all(&db.pool).await? {
            let e: helpdeck_core::timelog::TicketTime = serde_json::from_str(&doc)
                .map_err(|e| ServerError::Internal(format!("bad time entry: {e}")))?;
            if let Some(&i) = index.get(&e.ticket_id)
                && !e.deleted
            {
                tickets[i].time_entries.push(e);
            }
        }
        for t in tickets.iter_mut() {
            t.time_entries.sort_by_key(|e| (e.at, e.id));
        }
    }
    if helpdeck_core::permission::can_see_internal(viewer) {
        let sql = format!(
            "SELECT state FROM ticket_links WHERE from_id IN ({m}) OR to_id IN ({m})",
            m = marks(1, ids.len())
        );
        let mut q = sqlx::query_as::<_, (String,)>(sqlx::AssertSqlSafe(sql));
        for id in &ids {
            q = q.bind(id.clone());
        }
        for (state,) in q.fetch_all(&db.pool).await? {
            let l: LinkState = serde_json::from_str(&state)
                .map_err(|e| ServerError::Internal(format!("bad link: {e}")))?;
            for end in [l.from_ticket, l.to_ticket] {
                if let Some(&i) = index.get(&end) {
                    tickets[i].links.push(l.clone());
                }
            }
        }
    }
    for t in tickets.iter_mut() {
        t.comments.sort_by_key(|c| (c.created_at, c.id));
    }
    Ok(())
}

async fn revocations(db: &Db, caller: &Caller, from: i64, to: i64) -> Result<Vec<Uuid>> {
    let u = &caller.account.user;
    let org = if u.org_admin { u.organization_id } else { None };
    let rows: Vec<(String, Option<String>, Option<String>)> = sqlx::query_as(
        "SELECT ticket_id, requester_id, organization_id FROM revocations \
         WHERE server_seq > $1 AND server_seq <= $2",
    )
    .bind(from)
    .bind(to)
    .fetch_all(&db.pool)
    .await?;
    let me = u.id.to_string();
    let my_org = org.map(|o| o.to_string());
    let mut out = BTreeSet::new();
    for (ticket, requester, organization) in rows {
        let was_mine = requester.as_deref() == Some(me.as_str())
            || (my_org.is_some() && organization == my_org);
        if !was_mine {
            continue;
        }
        // Still visible through the other route? Then it is not revoked.
        let now: Option<(Option<String>, Option<String>)> =
            sqlx::query_as("SELECT requester_id, organization_id FROM tickets WHERE id = $1")
                .bind(&ticket)
                .fetch_optional(&db.pool)
                .await?;
        let visible = now.is_some_and(|(r, o)| {
            r.as_deref() == Some(me.as_str()) || (my_org.is_some() && o == my_org)
        });
        if !visible {
            out.insert(parse_uuid(&ticket)?);
        }
    }
    Ok(out.into_iter().collect())
}

type Directory = (Vec<DirectoryUser>, Vec<NamedEntity>, Vec<NamedEntity>);

/// Users, organizations and teams the page refers to (and the caller), as the caller may
/// see them: customers get names and roles, not other people's emails.
async fn directory(
    db: &Db,
    viewer: &helpdeck_core::user::User,
    tickets: &[TicketBundle],
    first_page: bool,
) -> Result<Directory> {
    // Customers get themselves; staff pages do not depend on who asks (they are shared).
    let mut user_ids = BTreeSet::new();
    if viewer.role == Role::Customer {
        user_ids.insert(viewer.id);
    }
    if viewer.role != Role::Customer {
        // Staff pick requesters and assignees from everyone: the whole directory on the
        // first page; agents, admins and teams on every page (few; so a person or team an
        // admin adds reaches every replica with its next pull).
        let sql = if first_page {
            "SELECT id FROM users WHERE id != $1"
        } else {
            "SELECT id FROM users WHERE id != $1 AND role != 'customer'"
        };
        let all: Vec<(String,)> = sqlx::query_as(sql)
            .bind(helpdeck_core::user::SYSTEM_USER_ID.to_string())
            .fetch_all(&db.pool)
            .await?;
        for (id,) in all {
            user_ids.insert(parse_uuid(&id)?);
        }
    }
    let mut org_ids = BTreeSet::new();
    let mut team_ids = BTreeSet::new();
    if let Some(o) = viewer
        .organization_id
        .filter(|_| viewer.role == Role::Customer)
    {
        org_ids.insert(o);
    }
    for b in tickets {
        let t = &b.ticket;
        user_ids.extend(t.requester_id);
        user_ids.extend(t.assignee_id);
        org_ids.extend(t.organization_id);
        team_ids.extend(t.team_id);
        user_ids.extend(b.comments.iter().map(|c| c.author_id));
        user_ids.extend(b.events.iter().filter_map(|e| e.actor_id));
    }
    let ids: Vec<Uuid> = user_ids.into_iter().collect();
    let staff = viewer.role != Role::Customer;
    let mut users = Vec::new();
    for chunk in ids.chunks(500) {
        for a in users_by_ids(&db.pool, chunk).await? {
            let u = a.user;
            org_ids.extend(u.organization_id.filter(|_| staff));
            team_ids.extend(u.team_id.filter(|_| staff));
            users.push(DirectoryUser {
                email: (staff || u.id == viewer.id).then(|| u.email.clone()),
                id: u.id,
                name: if helpdeck_core::permission::may_know_name(viewer, &u) {
                    u.name.clone()
                } else {
                    helpdeck_core::permission::HIDDEN_NAME.to_string()
                },
                role: u.role,
                organization_id: if staff || u.id == viewer.id {
                    u.organization_id
                } else {
                    None
                },
                org_admin: u.org_admin && (staff || u.id == viewer.id),
                team_id: if staff { u.team_id } else { None },
                tier: if staff { u.tier } else { None },
            });
        }
    }
    let organizations = named(db, "organizations", &org_ids).await?;
    let teams = if staff {
        let all: Vec<(String,)> = sqlx::query_as("SELECT id FROM teams")
            .fetch_all(&db.pool)
            .await?;
        for (id,) in all {
            team_ids.insert(parse_uuid(&id)?);
        }
        named(db, "teams", &team_ids).await?
    } else {
        Vec::new()
    };
    Ok((users, organizations, teams))
}

async fn named(db: &Db, table: &str, ids: &BTreeSet<Uuid>) -> Result<Vec<NamedEntity>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT id, name FROM {table} WHERE id IN ({})",
        marks(1, ids.len())
    );
    let mut q = sqlx::query_as::<_, (String, String)>(sqlx::AssertSqlSafe(sql.clone()));
    for id in ids {
        q = q.bind(id.to_string());
    }
    q.fetch_all(&db.pool)
        .await?
        .into_iter()
        .map(|(id, name)| {
            Ok(NamedEntity {
                id: parse_uuid(&id)?,
                name,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{agent, server_with_agents};

    /// One pull, checked and answered (as the handler does without a long-poll).
    async fn pull(
        db: &Db,
        caller: &Caller,
        cursor: i64,
        schema: u32,
        limit: usize,
        cache: &PageCache,
    ) -> Result<Arc<Cached>> {
        match check(db, caller, cursor, schema, limit).await? {
            Ok(checked) => page(db, caller, &checked, checked.last_seq, false, cache).await,
            Err(resync) => Ok(resync),
        }
    }

    /// Many agents' long-polls at one cursor (what a push wakes) share one build of the page;
    /// a change of the directory builds it again, with the change in it.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_page_is_built_once_for_every_agent_at_its_cursor() {
        let (_dir, db, agents) = server_with_agents(20).await;
        let cache = Arc::new(PageCache::default());
        let mut pulls = tokio::task::JoinSet::new();
        for a in agents.iter().chain(&agents) {
            let (db, a, cache) = (db.clone(), a.clone(), cache.clone());
            pulls.spawn(
                async move { pull(&db, &a, 0, OP_SCHEMA_VERSION, MAX_PULL_PAGE, &cache).await },
            );
        }
        let pages = pulls.join_all().await;
        assert_eq!(cache.builds.load(std::sync::atomic::Ordering::Relaxed), 1);
        let first = pages[0].as_ref().unwrap();
        assert_eq!(
            first.page.users.len(),
            20,
            "every agent is in the directory"
        );
        for p in &pages {
            assert_eq!(p.as_ref().unwrap().body, first.body);
        }

        let late = agent(&db, "late@example.com").await;
        let page = pull(&db, &late, 0, OP_SCHEMA_VERSION, MAX_PULL_PAGE, &cache)
            .await
            .unwrap();
        assert_eq!(cache.builds.load(std::sync::atomic::Ordering::Relaxed), 2);
        assert!(page.page.users.iter().any(|u| u.id == late.account.user.id));
    }

    /// The long-polls one push wakes share one compression of their page, and it decodes to
    /// the page's JSON; a short answer goes as it is.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_page_is_compressed_once_for_every_asker_that_accepts_zstd() {
        let (_dir, db, agents) = server_with_agents(30).await;
        let cache = PageCache::default();
        let page = pull(&db, &agents[0], 0, OP_SCHEMA_VERSION, MAX_PULL_PAGE, &cache)
            .await
            .unwrap();
        assert!(
            page.body.len() >= COMPRESS_FROM,
            "{} bytes",
            page.body.len()
        );
        let mut askers = tokio::task::JoinSet::new();
        for _ in 0..40 {
            let page = page.clone();
            askers.spawn(async move { page.zstd_body().await.expect("compressed") });
        }
        let bodies = askers.join_all().await;
        for z in &bodies {
            assert_eq!(z.as_ptr(), bodies[0].as_ptr(), "one compression, shared");
        }
        assert!(bodies[0].len() < page.body.len() / 2);
        assert_eq!(
            zstd::decode_all(&bodies[0][..]).unwrap(),
            page.body.to_vec()
        );

        let short = Cached::new(PullResponse::default());
        assert!(short.body.len() < COMPRESS_FROM);
        assert_eq!(short.zstd_body().await, None);
    }

    #[test]
    fn accept_encoding_is_read_as_rfc_9110_says() {
        let takes = |v: &[&str]| {
            let mut h = axum::http::HeaderMap::new();
            for v in v {
                h.append(axum::http::header::ACCEPT_ENCODING, v.parse().unwrap());
            }
            accepts_zstd(&h)
        };
        assert!(takes(&["zstd"]));
        assert!(takes(&["gzip, ZSTD"]));
        assert!(takes(&["gzip", "zstd;q=0.5"]));
        assert!(takes(&["br;q=1.0, *;q=0.1"]));
        assert!(takes(&["zstd; q=0.001"]));
        assert!(!takes(&[]));
        assert!(!takes(&["gzip, deflate, br"]));
        assert!(!takes(&["identity"]));
        assert!(!takes(&["zstd;q=0"]));
        assert!(!takes(&["zstd; q=0.000, gzip"]));
        assert!(!takes(&["*;q=0"]));
        assert!(
            !takes(&["zstd;q=0, *"]),
            "zstd named and refused: * does not bring it back"
        );
        assert!(!takes(&["zstdx, xzstd"]));
    }
}
