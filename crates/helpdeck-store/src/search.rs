//! Full-text search over titles, descriptions and comments (FTS5, bm25, CJK bigrams).

use std::collections::HashMap;

use helpdeck_core::search_text::{SearchQuery, snippet};
use helpdeck_core::status::Status;
use helpdeck_core::ticket::{Priority, ticket_key};
use serde::Serialize;
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

/// Matching documents of each kind that bm25 ranks (the newest ones).
const RANK_WINDOW: i64 = 1000;

/// Search-index rowid of a comment = this + `comments.seq`; a ticket's own document has rowid
/// `tickets.seq`. Both series grow, so bulk inserts append to FTS5's pending doclists
/// (a smaller rowid than the previous one forces a flush per row).
pub(crate) const COMMENT_DOC_BASE: i64 = 1 << 40;

impl Tickets<'_> {
    /// Searches tickets, best first. Internal notes are searched only for staff.
    #[instrument(skip_all, err)]
    pub async fn search(&self, query: &str, limit: u32) -> Result<Vec<SearchHit>> {
        let q = SearchQuery::parse(query)?;
        let terms = q.highlight_terms();
        let limit = i64::from(limit.clamp(1, 200));
        let mut conn = self.0.pool.acquire().await?;
        let expression = q.fts_expression();
        // Ranking is bm25 (title weighted 10×) over the newest RANK_WINDOW matching documents
        // of each kind (ticket texts, comments). FTS5 walks a doclist newest-first in
        // microseconds, while bm25 costs time per match: a term found in a third of a million
        // tickets would otherwise be scored a third of a million times. For rarer terms the
        // window holds every match and the ranking is exact.
        let mut best: HashMap<i64, f64> = HashMap::new();
        for (lo, hi) in [(0, COMMENT_DOC_BASE), (COMMENT_DOC_BASE, i64::MAX)] {
            let floor: Option<i64> = sqlx::query_scalar(
                "SELECT MIN(rowid) FROM (SELECT rowid FROM search_index WHERE search_index MATCH ? \
                 AND rowid >= ? AND rowid < ? ORDER BY rowid DESC LIMIT ?)",
            )
            .bind(&expression)
            .bind(lo)
            .bind(hi)
            .bind(RANK_WINDOW)
            .fetch_one(&mut *conn)
            .await?;
            let Some(floor) = floor else { continue };
            let ranked: Vec<(i64, f64)> = sqlx::query_as(
                "SELECT ticket_seq, bm25(search_index, 10.0, 1.0) AS r FROM search_index \
                 WHERE search_index MATCH ? AND rowid >= ? AND rowid < ? ORDER BY r LIMIT ?",
            )
            .bind(&expression)
            .bind(floor)
            .bind(hi)
            .bind(limit * 4)
            .fetch_all(&mut *conn)
            .await?;
            for (ticket_seq, rank) in ranked {
                let entry = best.entry(ticket_seq).or_insert(rank);
                if rank < *entry {
                    *entry = rank;
                }
            }
        }
        let mut hits: Vec<(i64, f64)> = best.into_iter().collect();
        hits.sort_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)));
        hits.truncate(limit as usize);
        let mut out = Vec::with_capacity(hits.len());
        for (ticket_seq, rank) in hits {
            let (id, number, title, status, priority, description): (String, i64, String, String, String, String) =
                sqlx::query_as(
                    "SELECT id, number, title, status, priority, description FROM tickets WHERE seq = ?",
                )
                .bind(ticket_seq)
                .fetch_one(&mut *conn)
                .await?;
            let staff = self.0.actor.is_staff();
            // The excerpt comes from the first text that contains a term: description,
            // then comments in order.
            let mut snip = snippet(&description, &terms, SNIPPET_WIDTH);
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
                    .find_map(|(body, _)| snippet(body, &terms, SNIPPET_WIDTH));
            }
            let title_snip = snippet(&title, &terms, usize::MAX / 4);
            let title_html = title_snip
                .as_ref()
                .map(|s| s.to_html())
                .unwrap_or_else(|| helpdeck_core::search_text::html_escape(&title));
            let snip = snip.or(title_snip);
            out.push(SearchHit {
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
            });
        }
        Ok(out)
    }
}
