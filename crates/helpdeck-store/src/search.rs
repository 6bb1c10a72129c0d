//! Full-text search over titles, descriptions and comments (FTS5, bm25, CJK bigrams).

use helpdeck_core::search_text::{SearchQuery, document_of, index_text, snippet};
use helpdeck_core::status::Status;
use helpdeck_core::ticket::{Priority, ticket_key};
use serde::Serialize;
use sqlx::{QueryBuilder, Sqlite};
use tracing::instrument;
use uuid::Uuid;

use crate::Tickets;
use crate::error::Result;
use crate::rows::uuid;

/// One search result: a ticket and where it matched.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SearchHit {
    pub id: Uuid,
    pub number: String,
    pub title: String,
    pub status: Status,
    pub priority: Priority,
    /// bm25 score (lower is better), title matches weigh more.
    pub rank: f64,
    /// Title with matches highlighted as HTML (`<mark>`; the rest escaped).
    pub title_html: String,
    /// Excerpt of the best matching text (plain, with `highlights` as byte ranges).
    pub snippet: String,
    pub highlights: Vec<(usize, usize)>,
    /// The same excerpt as HTML (`<mark>`; the rest escaped).
    pub snippet_html: String,
}

const SNIPPET_WIDTH: usize = 90;

/// A ticket's own search document has rowid `tickets.seq`; a comment's has rowid
/// `COMMENT_DOC_BASE + (tickets.seq << COMMENT_BITS) + (comments.seq & COMMENT_MASK)`: the
/// ticket a document belongs to is its rowid's arithmetic ([`DOC_TICKET_SEQ`]), so a search
/// finds its tickets from FTS5's doclists alone, without reading a stored row per matching
/// document (that read was most of a search for a common word). Imports insert in ticket
/// order, so bulk inserts still append to FTS5's pending doclists. Room: 2^31 tickets; two
/// comments of one ticket collide only 2^30 comments apart.
pub(crate) const COMMENT_DOC_BASE: i64 = 1 << 62;
pub(crate) const COMMENT_BITS: u32 = 30;
pub(crate) const COMMENT_MASK: i64 = (1 << COMMENT_BITS) - 1;

/// SQL: the `tickets.seq` of the search document `rowid`.
pub const DOC_TICKET_SEQ: &str =
    "CASE WHEN rowid < 4611686018427387904 THEN rowid ELSE (rowid - 4611686018427387904) >> 30 END";

/// SQL: the rowid of the search document of the comment whose id is bound at `?` (its row
/// and its ticket's must exist).
pub(crate) const COMMENT_DOC_OF_ID: &str = "(SELECT 4611686018427387904 + (t.seq << 30) + (c.seq & 1073741823) \
     FROM comments c JOIN tickets t ON t.id = c.ticket_id WHERE c.id = ?)";

/// The rowid of a comment's search document, from its ticket's and its own seq.
pub(crate) fn comment_doc(ticket_seq: i64, comment_seq: i64) -> i64 {
    COMMENT_DOC_BASE + (ticket_seq << COMMENT_BITS) + (comment_seq & COMMENT_MASK)
}

/// Tickets considered for ranking: the first this many in open-first, newest-first order.
/// Pages past it follow that order without a text rank. A text query counts its matching
/// tickets up to this many (newest first); past it the total is a lower bound.
pub const SEARCH_WINDOW: i64 = 2000;

/// A page of search results and how many tickets match in all.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SearchPage {
    /// Tickets that match: exact when `total_exact`; otherwise a text query matched more
    /// than this many ([`SEARCH_WINDOW`]) and was not counted to the end.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub total: i64,
    /// False when `total` is a lower bound ("more than 2,000 matches"; the page then shows
    /// the newest matches, open first).
    pub total_exact: bool,
    pub hits: Vec<SearchHit>,
    /// Tickets whose search documents are still being written (after a first sync): while
    /// it is above 0, a search can miss them, and the app and the CLI say so.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub indexing: i64,
}

fn day_start_ms(day: jiff::civil::Date, tz: &jiff::tz::TimeZone) -> i64 {
    tz.to_timestamp(day.to_datetime(jiff::civil::Time::midnight()))
        .map(|t| t.as_millisecond())
        .unwrap_or(i64::MAX)
}

/// ` AND …` for the field conditions a queue filter and a search filter share: statuses,
/// priority, kind, category (one place for both).
pub(crate) fn push_fields(
    q: &mut QueryBuilder<Sqlite>,
    statuses: &[helpdeck_core::status::Status],
    priority: Option<helpdeck_core::ticket::Priority>,
    kind: Option<helpdeck_core::ticket::Kind>,
    category: Option<&str>,
) {
    if !statuses.is_empty() {
        q.push(" AND t.status IN (");
        let mut sep = q.separated(", ");
        for st in statuses {
            sep.push_bind(st.as_str());
        }
        q.push(")");
    }
    if let Some(p) = priority {
        q.push(" AND t.priority = ").push_bind(p.as_str());
    }
    if let Some(k) = kind {
        q.push(" AND t.kind = ").push_bind(k.as_str());
    }
    if let Some(c) = category {
        q.push(" AND t.category = ").push_bind(c.to_string());
    }
}

/// The conditions of a query (its text through the index, and its field filters) as
/// ` AND …` on `tickets t`: one place for search and for "open as list".
pub(crate) fn push_search(
    q: &mut QueryBuilder<Sqlite>,
    s: &SearchQuery,
    me: Uuid,
    tz: &jiff::tz::TimeZone,
) {
    if let Some(expression) = s.fts_expression() {
        q.push(" AND t.seq IN (SELECT ")
            .push(DOC_TICKET_SEQ)
            .push(" FROM search_index WHERE search_index MATCH ")
            .push_bind(expression)
            .push(")");
    }
    push_filters(q, &s.filters, me, tz);
}

/// The field filters of a query (`status:`, `assignee:`, `tag:`, `created:` …) as ` AND …` on
/// `tickets t`.
fn push_filters(
    q: &mut QueryBuilder<Sqlite>,
    f: &helpdeck_core::search_text::SearchFilters,
    me: Uuid,
    tz: &jiff::tz::TimeZone,
) {
    push_fields(q, &f.statuses, f.priority, f.kind, f.category.as_deref());
    match f.assignee.as_deref() {
        None => {}
        Some("me") => {
            q.push(" AND t.assignee_id = ").push_bind(me.to_string());
        }
        Some("none") => {
            q.push(" AND t.assignee_id IS NULL");
        }
        Some(email) => {
            q.push(" AND t.assignee_id = (SELECT id FROM users WHERE email = ")
                .push_bind(email.to_string())
                .push(")");
        }
    }
    if let Some(email) = &f.requester {
        q.push(" AND t.requester_id = (SELECT id FROM users WHERE email = ")
            .push_bind(email.clone())
            .push(")");
    }
    if let Some(org) = &f.organization {
        q.push(" AND t.organization_id IN (SELECT id FROM organizations WHERE name = ")
            .push_bind(org.clone())
            .push(" COLLATE NOCASE)");
    }
    for tag in &f.tags {
        q.push(" AND EXISTS (SELECT 1 FROM json_each(t.tags) WHERE value = ")
            .push_bind(tag.clone())
            .push(")");
    }
    if let Some(d) = f.created_from {
        q.push(" AND t.created_at >= ")
            .push_bind(day_start_ms(d, tz));
    }
    if let Some(d) = f.created_before {
        q.push(" AND t.created_at < ")
            .push_bind(day_start_ms(d, tz));
    }
}

/// Tickets whose documents one transaction of [`Tickets::build_search_backlog`] writes.
const BACKLOG_CHUNK: i64 = 500;

/// A search's candidates: `(tickets.seq, is_open, text rank)`, the rank bm25's (lower is
/// better) or `+∞` for a ticket that matches in its comments only.
type Candidate = (i64, bool, f64);

/// The tickets a text query matches, newest first, without visiting every match: FTS5 walks
/// each document range's doclist from its newest rowid (a ticket's own document has rowid
/// `seq`, its comments' documents sort by `seq` too) and stops after `window + 1` tickets
/// that pass the query's field filters. The walk of the tickets' own documents ranks them as
/// it goes (bm25, title 10×): bm25 first counts every document the query matches (its IDF),
/// once per statement, so ranking in a statement of its own would pay that count again.
/// Tickets that match in their comments only rank after those that match in their own text.
///
/// Returns (total, exact, candidates): when neither walk reached `window + 1`, every match
/// was seen and the total is exact; otherwise the candidates are the newest `window` matches
/// and the total is a lower bound (`window`). Counting every match of a common word at 1M
/// tickets takes about as long as a whole search may (docs/benchmarks.md, "Search at 1M").
async fn newest_matches(
    conn: &mut sqlx::SqliteConnection,
    q: &SearchQuery,
    expression: &str,
    me: Uuid,
    tz: &jiff::tz::TimeZone,
    window: i64,
) -> Result<(i64, bool, Vec<Candidate>)> {
    let mut found: std::collections::BTreeMap<i64, (bool, f64)> = std::collections::BTreeMap::new();
    let mut exact = true;
    // FTS5 is the outer loop and gives its rows in the ORDER BY (no sort); each walk stops at
    // its LIMIT. (An ORDER BY inside a subquery is not kept by the outer query.)
    let walks = [
        // A ticket's own document (rowid = seq), one per ticket, ranked as it is walked.
        format!(
            "SELECT t.seq, t.is_open, bm25(search_index, 10.0, 1.0) FROM search_index \
             CROSS JOIN tickets t INDEXED BY tickets_seq_open ON t.seq = search_index.rowid \
             WHERE search_index.rowid < {COMMENT_DOC_BASE} AND search_index MATCH "
        ),
        // Comments' documents: their tickets, each once.
        format!(
            "SELECT DISTINCT t.seq, t.is_open, NULL FROM search_index \
             CROSS JOIN tickets t INDEXED BY tickets_seq_open \
             ON t.seq = (search_index.rowid - {COMMENT_DOC_BASE}) >> {COMMENT_BITS} \
             WHERE search_index.rowid >= {COMMENT_DOC_BASE} AND search_index MATCH "
        ),
    ];
    for head in walks {
        let mut walk: QueryBuilder<Sqlite> = QueryBuilder::new(head);
        walk.push_bind(expression.to_string());
        push_filters(&mut walk, &q.filters, me, tz);
        walk.push(" ORDER BY search_index.rowid DESC LIMIT ")
            .push_bind(window + 1);
        let rows: Vec<(i64, bool, Option<f64>)> =
            walk.build_query_as().fetch_all(&mut *conn).await?;
        if rows.len() as i64 > window {
            exact = false;
        }
        for (seq, open, rank) in rows {
            let rank = rank.unwrap_or(f64::INFINITY);
            let entry = found.entry(seq).or_insert((open, rank));
            entry.1 = entry.1.min(rank);
        }
    }
    let total = found.len() as i64;
    let cands = found
        .into_iter()
        .rev()
        .map(|(seq, (open, rank))| (seq, open, rank));
    let cands: Vec<Candidate> = if exact {
        cands.collect()
    } else {
        cands.take(window as usize).collect()
    };
    Ok((if exact { total } else { window }, exact, cands))
}

impl Tickets<'_> {
    /// How many tickets still wait for their search documents (a first sync writes them
    /// after its last page); until it is 0, a search may miss them.
    pub async fn search_backlog(&self) -> Result<i64> {
        let (n,): (i64,) = sqlx::query_as("SELECT count(*) FROM search_backlog")
            .fetch_one(&self.0.pool)
            .await?;
        Ok(n)
    }

    /// Writes the search documents of every ticket in the backlog, [`BACKLOG_CHUNK`] tickets
    /// per transaction (other writes interleave): each ticket's documents are made again
    /// from its row and its comments as they are now, so a change written meanwhile with
    /// its own documents is never lost or doubled. Returns the number of tickets indexed.
    #[instrument(skip_all, err)]
    pub async fn build_search_backlog(&self) -> Result<u64> {
        let mut built = 0u64;
        loop {
            // Every sync round ends here: with nothing listed (nearly always), a read says so
            // without taking the write lock the app's own writes need.
            let waiting: Option<(i64,)> = sqlx::query_as("SELECT 1 FROM search_backlog LIMIT 1")
                .fetch_optional(&self.0.pool)
                .await?;
            if waiting.is_none() {
                return Ok(built);
            }
            let mut tx = self.0.pool.begin_with("BEGIN IMMEDIATE").await?;
            let seqs: Vec<(i64,)> =
                sqlx::query_as("SELECT ticket_seq FROM search_backlog ORDER BY ticket_seq LIMIT ?")
                    .bind(BACKLOG_CHUNK)
                    .fetch_all(&mut *tx)
                    .await?;
            let (Some((lo,)), Some((hi,))) = (seqs.first(), seqs.last()) else {
                return Ok(built);
            };
            let (lo, hi) = (*lo, *hi);
            // Whatever documents these tickets have now go; theirs are written anew.
            sqlx::query(
                "DELETE FROM search_index WHERE rowid IN \
                 (SELECT ticket_seq FROM search_backlog WHERE ticket_seq BETWEEN ? AND ?)",
            )
            .bind(lo)
            .bind(hi)
            .execute(&mut *tx)
            .await?;
            // Comments' documents lie in one rowid range per ticket, and in one range for a
            // run of consecutive tickets (what a first sync leaves).
            let ranges: Vec<(i64, i64)> = if hi - lo + 1 == seqs.len() as i64 {
                vec![(lo, hi)]
            } else {
                seqs.iter().map(|(s,)| (*s, *s)).collect()
            };
            for (from, to) in ranges {
                sqlx::query("DELETE FROM search_index WHERE rowid BETWEEN ? AND ?")
                    .bind(comment_doc(from, 0))
                    .bind(comment_doc(to, COMMENT_MASK))
                    .execute(&mut *tx)
                    .await?;
            }
            let tickets: Vec<(i64, String, String, Option<i64>)> = sqlx::query_as(
                "SELECT t.seq, t.title, t.description, t.former_number FROM tickets t \
                 JOIN search_backlog b ON b.ticket_seq = t.seq \
                 WHERE b.ticket_seq BETWEEN ? AND ? ORDER BY t.seq",
            )
            .bind(lo)
            .bind(hi)
            .fetch_all(&mut *tx)
            .await?;
            for chunk in tickets.chunks(200) {
                let mut q: QueryBuilder<Sqlite> =
                    QueryBuilder::new("INSERT INTO search_index (rowid, title, body, ticket_seq) ");
                q.push_values(chunk, |mut b, (seq, title, description, former)| {
                    let (title, body) = document_of(title, description, *former);
                    b.push_bind(*seq)
                        .push_bind(title)
                        .push_bind(body)
                        .push_bind(*seq);
                });
                q.build().execute(&mut *tx).await?;
            }
            let comments: Vec<(i64, i64, String)> = sqlx::query_as(
                "SELECT t.seq, c.seq, c.body FROM search_backlog b \
                 JOIN tickets t ON t.seq = b.ticket_seq \
                 JOIN comments c ON c.ticket_id = t.id \
                 WHERE b.ticket_seq BETWEEN ? AND ? ORDER BY t.seq, c.seq",
            )
            .bind(lo)
            .bind(hi)
            .fetch_all(&mut *tx)
            .await?;
            for chunk in comments.chunks(300) {
                let mut q: QueryBuilder<Sqlite> =
                    QueryBuilder::new("INSERT INTO search_index (rowid, title, body, ticket_seq) ");
                q.push_values(chunk, |mut b, (ticket, comment, body)| {
                    b.push_bind(comment_doc(*ticket, *comment))
                        .push_bind("")
                        .push_bind(index_text(body))
                        .push_bind(*ticket);
                });
                q.build().execute(&mut *tx).await?;
            }
            sqlx::query("DELETE FROM search_backlog WHERE ticket_seq BETWEEN ? AND ?")
                .bind(lo)
                .bind(hi)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            built += seqs.len() as u64;
        }
    }

    /// Searches tickets (spec §7 syntax: words, OR, "phrases", -word, field filters): open
    /// tickets first, then the best text match (bm25, title 10×), then the newest. Internal
    /// notes are searched only for staff (a customer's replica never holds them).
    #[instrument(skip_all, err)]
    pub async fn search(&self, query: &str, limit: u32, offset: u32) -> Result<SearchPage> {
        let q = SearchQuery::parse(query)?;
        let terms = q.highlight_terms();
        let limit = i64::from(limit.clamp(1, 200));
        let offset = i64::from(offset);
        let tz = jiff::tz::TimeZone::get(&self.0.workspace().timezone)
            .unwrap_or(jiff::tz::TimeZone::UTC);
        let me = self.0.actor.id;
        let mut conn = self.0.pool.acquire().await?;
        crate::db::set_page_cache(&mut conn, crate::db::SEARCH_PAGE_CACHE).await?;

        // Candidates in open-first, newest-first order; the first SEARCH_WINDOW are ranked.
        let window = SEARCH_WINDOW.max(offset + limit);
        let (total, total_exact, mut ranked) = if let Some(expression) = q.fts_expression() {
            newest_matches(&mut conn, &q, &expression, me, &tz, window).await?
        } else {
            let mut count: QueryBuilder<Sqlite> =
                QueryBuilder::new("SELECT COUNT(*) FROM tickets t WHERE 1 = 1");
            push_search(&mut count, &q, me, &tz);
            let (total,): (i64,) = count.build_query_as().fetch_one(&mut *conn).await?;
            let mut cands: QueryBuilder<Sqlite> =
                QueryBuilder::new("SELECT t.seq, t.is_open FROM tickets t WHERE 1 = 1");
            push_search(&mut cands, &q, me, &tz);
            cands
                .push(" ORDER BY t.is_open DESC, t.seq DESC LIMIT ")
                .push_bind(window);
            let cands: Vec<(i64, bool)> = cands.build_query_as().fetch_all(&mut *conn).await?;
            let cands = cands
                .into_iter()
                .map(|(seq, open)| (seq, open, f64::INFINITY));
            (total, true, cands.collect())
        };
        ranked.sort_by(|a, b| b.1.cmp(&a.1).then(b.0.cmp(&a.0)));
        let head = ranked.len().min(SEARCH_WINDOW as usize);
        ranked[..head].sort_by(|a, b| b.1.cmp(&a.1).then(a.2.total_cmp(&b.2)).then(b.0.cmp(&a.0)));
        let page: Vec<(i64, f64)> = ranked
            .into_iter()
            .skip(offset as usize)
            .take(limit as usize)
            .map(|(seq, _, rank)| (seq, if rank.is_finite() { rank } else { 0.0 }))
            .collect();
        let mut out = Vec::with_capacity(page.len());
        for (ticket_seq, rank) in page {
            out.push(self.hit(&mut conn, ticket_seq, rank, &terms).await?);
        }
        let (indexing,): (i64,) = sqlx::query_as("SELECT count(*) FROM search_backlog")
            .fetch_one(&mut *conn)
            .await?;
        Ok(SearchPage {
            total,
            total_exact,
            hits: out,
            indexing,
        })
    }

    async fn hit(
        &self,
        conn: &mut sqlx::SqliteConnection,
        ticket_seq: i64,
        rank: f64,
        terms: &[String],
    ) -> Result<SearchHit> {
        let (id, number, title, status, priority, description): (
            String,
            i64,
            String,
            String,
            String,
            String,
        ) = sqlx::query_as(
            "SELECT id, number, title, status, priority, description FROM tickets WHERE seq = ?",
        )
        .bind(ticket_seq)
        .fetch_one(&mut *conn)
        .await?;
        let staff = self.0.actor.is_staff();
        // The excerpt comes from the first text that contains a term: description,
        // then comments in order.
        let mut snip = snippet(&description, terms, SNIPPET_WIDTH);
        if snip.is_none() {
            let comments: Vec<(String, String)> = sqlx::query_as(
                "SELECT body, visibility FROM comments WHERE ticket_id = ? ORDER BY created_at, seq",
            )
            .bind(&id)
            .fetch_all(&mut *conn)
            .await?;
            snip = comments
                .iter()
                .filter(|(_, v)| staff || v == "public")
                .find_map(|(body, _)| snippet(body, terms, SNIPPET_WIDTH));
        }
        let title_snip = snippet(&title, terms, usize::MAX / 4);
        let title_html = title_snip
            .as_ref()
            .map(|s| s.to_html())
            .unwrap_or_else(|| helpdeck_core::search_text::html_escape(&title));
        let snip = snip.or(title_snip);
        Ok(SearchHit {
            id: uuid(&id)?,
            number: ticket_key(number),
            title,
            status: status.parse()?,
            priority: priority.parse()?,
            rank,
            title_html,
            snippet: snip.as_ref().map(|s| s.text.clone()).unwrap_or_default(),
            highlights: snip
                .as_ref()
                .map(|s| s.highlights.clone())
                .unwrap_or_default(),
            snippet_html: snip.map(|s| s.to_html()).unwrap_or_default(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The SQL spellings of the comment-document rowid are the constants' (they are written
    /// out because SQL text cannot be built in a `const`).
    #[test]
    fn the_sql_of_comment_document_rowids_matches_the_constants() {
        let (base, bits, mask) = (COMMENT_DOC_BASE, COMMENT_BITS, COMMENT_MASK);
        assert_eq!(
            DOC_TICKET_SEQ,
            format!("CASE WHEN rowid < {base} THEN rowid ELSE (rowid - {base}) >> {bits} END")
        );
        assert!(COMMENT_DOC_OF_ID.starts_with(&format!(
            "(SELECT {base} + (t.seq << {bits}) + (c.seq & {mask})"
        )));
        assert_eq!(comment_doc(5, 7) >> bits, (base >> bits) + 5);
        assert_eq!(comment_doc(5, mask + 8) & mask, 7);
    }
}
