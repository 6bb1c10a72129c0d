//! The knowledge base on this device (issue 12): articles as the user may read them, their
//! search index, the writes (decided by `helpdeck_core::kb::apply_article`, sent as ops),
//! search and suggestions from the local store (offline), and articles drafted from tickets.

use helpdeck_core::apply::TrustingDirectory;
use helpdeck_core::attachment::FileRef;
use helpdeck_core::kb::{
    Article, ArticleDraft, ArticleFields, ArticleLang, ArticleStatus, Audience, Revision,
    ScriptStep, apply_article, draft_from_ticket,
};
use helpdeck_core::op::Change;
use helpdeck_core::search_text::{SearchQuery, index_text, snippet, text_terms};
use helpdeck_core::ticket::ticket_key;
use helpdeck_core::{Timestamp, Uuid, new_id};
use serde::Serialize;
use sqlx::SqliteConnection;
use tracing::instrument;

use crate::error::{Result, StoreError};
use crate::read::user_refs;
use crate::rows::ms;
use crate::views::UserRef;
use crate::write::{Batch, find_ticket, push_op};
use crate::{Kb, Store};

/// Longest suggestion text looked at (the start of what is being written).
const SUGGEST_CHARS: usize = 400;
const SNIPPET_WIDTH: usize = 120;
/// Matching articles ranked per query (the newest ones; see `ranked`).
const RANK_WINDOW: i64 = 2000;

/// An article as shown.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ArticleView {
    pub id: Uuid,
    pub title: String,
    pub body: String,
    pub category: Option<String>,
    pub tags: Vec<String>,
    pub audience: Audience,
    pub status: ArticleStatus,
    pub lang: ArticleLang,
    pub translation_of: Option<Uuid>,
    pub steps: Vec<ScriptStep>,
    /// Its images (shown in the body as `![name](attachment:SHA256)`).
    pub files: Vec<FileRef>,
    /// Tickets it was written from, e.g. `HD-12` (staff only).
    pub tickets: Vec<String>,
    pub helpful: u32,
    pub not_helpful: u32,
    pub views: u32,
    pub author: Option<UserRef>,
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub created_at: Timestamp,
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub updated_at: Timestamp,
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub published_at: Option<Timestamp>,
    pub history: Vec<Revision>,
}

/// One search or suggestion result.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ArticleHit {
    pub id: Uuid,
    pub title: String,
    /// The title with matches in `<mark>` (HTML-escaped).
    pub title_html: String,
    /// An excerpt around the first match, HTML-escaped with `<mark>`.
    pub snippet_html: String,
    pub status: ArticleStatus,
    pub audience: Audience,
    pub lang: ArticleLang,
    pub has_script: bool,
    pub rank: f64,
}

/// A published article that needs a look.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct UpkeepItem {
    pub id: Uuid,
    pub title: String,
    pub lang: ArticleLang,
    /// `unhelpful` (at least 3 votes against, more than for) or `stale` (not updated for the
    /// months asked).
    pub reason: String,
    pub helpful: u32,
    pub not_helpful: u32,
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub updated_at: Timestamp,
}

/// A frequent problem without an answer: many recent tickets share a category or a keyword
/// and no published article matches it (the seeds' knowledge-base update loop).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct KbGap {
    /// `category` or `keyword`.
    pub kind: String,
    pub value: String,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub tickets: i64,
    /// A few of the tickets, e.g. `HD-12`.
    pub examples: Vec<String>,
}

/// Votes against before an article counts as unhelpful.
const UNHELPFUL_VOTES: u32 = 3;
/// Chinese characters that make a bigram a grammar word, not a topic.
const CJK_FUNCTION_CHARS: &str =
    "的了是在我你他她它们不有和也就都又很吗呢吧啊这那个要会能说到把被让给";
/// English words too common to be a topic.
const STOP_WORDS: &[&str] = &[
    "the", "and", "for", "not", "with", "from", "after", "when", "does", "doesn", "can", "cannot",
    "our", "new", "all", "since", "again", "still", "every", "this", "that", "into", "out", "on",
    "in", "of", "to", "is", "it", "my", "no", "at", "an", "or", "be", "are", "was", "has",
];

/// A new article as a person enters it.
#[derive(Debug, Clone, serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ArticleInput {
    pub title: String,
    pub body: String,
    pub category: Option<String>,
    pub tags: Vec<String>,
    pub audience: Audience,
    pub lang: ArticleLang,
    /// The article it translates (an id).
    pub translation_of: Option<String>,
    pub steps: Vec<ScriptStep>,
    /// Files already in this workspace (`attachment_import`) that the body shows.
    #[serde(default)]
    pub files: Vec<FileRef>,
    pub publish: bool,
}

fn corrupt(what: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Database(sqlx::Error::Decode(
        format!("stored {what} is invalid: {e}").into(),
    ))
}

impl Store {
    /// The knowledge base.
    pub fn kb(&self) -> Kb<'_> {
        Kb(self)
    }
}

/// Writes an article's row and search document (the interactive path, pull and corrections).
pub(crate) async fn save_article(conn: &mut SqliteConnection, a: &Article) -> Result<()> {
    let doc = serde_json::to_string(a).expect("article serializes");
    let old: Option<(i64,)> = sqlx::query_as("SELECT seq FROM articles WHERE id = ?")
        .bind(a.id.to_string())
        .fetch_optional(&mut *conn)
        .await?;
    let seq = match old {
        Some((seq,)) => {
            sqlx::query(
                "UPDATE articles SET title = ?, status = ?, audience = ?, lang = ?, category = ?, \
                 updated_at = ?, doc = ? WHERE seq = ?",
            )
            .bind(&a.title)
            .bind(a.status.as_str())
            .bind(a.audience.as_str())
            .bind(a.lang.as_str())
            .bind(&a.category)
            .bind(ms(a.updated_at))
            .bind(&doc)
            .bind(seq)
            .execute(&mut *conn)
            .await?;
            sqlx::query("DELETE FROM article_index WHERE rowid = ?")
                .bind(seq)
                .execute(&mut *conn)
                .await?;
            seq
        }
        None => {
            let (seq,): (i64,) = sqlx::query_as(
                "INSERT INTO articles (id, title, status, audience, lang, category, updated_at, doc) \
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING seq",
            )
            .bind(a.id.to_string())
            .bind(&a.title)
            .bind(a.status.as_str())
            .bind(a.audience.as_str())
            .bind(a.lang.as_str())
            .bind(&a.category)
            .bind(ms(a.updated_at))
            .bind(&doc)
            .fetch_one(&mut *conn)
            .await?;
            seq
        }
    };
    sqlx::query("INSERT INTO article_index (rowid, title, body) VALUES (?, ?, ?)")
        .bind(seq)
        .bind(index_text(&a.title))
        .bind(index_text(&format!("{}\n{}", a.body, steps_text(&a.steps))))
        .execute(&mut *conn)
        .await?;
    Ok(())
}

async fn examples(
    conn: &mut SqliteConnection,
    since: i64,
    condition: &str,
    value: &str,
) -> Result<Vec<String>> {
    let rows: Vec<(i64,)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT number FROM tickets WHERE created_at >= ? AND {condition} ORDER BY created_at DESC LIMIT 3"
    )))
    .bind(since)
    .bind(value)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows.into_iter().map(|(n,)| ticket_key(n)).collect())
}

fn steps_text(steps: &[ScriptStep]) -> String {
    steps
        .iter()
        .map(|s| format!("{} {}", s.instruction, s.expected))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Removes an article (revoked for this user, or refused by the server).
pub(crate) async fn delete_article(conn: &mut SqliteConnection, id: Uuid) -> Result<()> {
    let old: Option<(i64,)> = sqlx::query_as("SELECT seq FROM articles WHERE id = ?")
        .bind(id.to_string())
        .fetch_optional(&mut *conn)
        .await?;
    if let Some((seq,)) = old {
        sqlx::query("DELETE FROM article_index WHERE rowid = ?")
            .bind(seq)
            .execute(&mut *conn)
            .await?;
        sqlx::query("DELETE FROM articles WHERE seq = ?")
            .bind(seq)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

pub(crate) async fn load_article(conn: &mut SqliteConnection, id: Uuid) -> Result<Option<Article>> {
    let row: Option<(String,)> = sqlx::query_as("SELECT doc FROM articles WHERE id = ?")
        .bind(id.to_string())
        .fetch_optional(&mut *conn)
        .await?;
    row.map(|(doc,)| serde_json::from_str(&doc).map_err(|e| corrupt("article doc", e)))
        .transpose()
}

/// A pulled article (or correction), with this device's still-pending edits of it applied
/// on top (they reach the server with the next push).
pub(crate) async fn apply_pulled_article(
    store: &Store,
    conn: &mut SqliteConnection,
    a: &Article,
) -> Result<()> {
    let next =
        crate::sync::with_pending(store, conn, "article", a.id, a.clone(), |cur, op, ctx| {
            apply_article(Some(cur), a.id, &op.change, op.at, ctx)
                .ok()
                .flatten()
        })
        .await?;
    save_article(conn, &next).await?;
    // Its images come down with the next round of files.
    for f in &next.files {
        if !store.files().has_blob(&f.sha256) {
            sqlx::query(
                "INSERT OR IGNORE INTO blob_transfers (sha256, direction, size) VALUES (?, 'down', ?)",
            )
            .bind(&f.sha256)
            .bind(f.size as i64)
            .execute(&mut *conn)
            .await?;
        }
    }
    Ok(())
}

impl Kb<'_> {
    async fn view(&self, conn: &mut SqliteConnection, a: Article) -> Result<ArticleView> {
        let mut tickets = Vec::new();
        for t in &a.tickets {
            let n: Option<(i64,)> = sqlx::query_as("SELECT number FROM tickets WHERE id = ?")
                .bind(t.to_string())
                .fetch_optional(&mut *conn)
                .await?;
            if let Some((n,)) = n {
                tickets.push(ticket_key(n));
            }
        }
        Ok(ArticleView {
            author: match a.author_id {
                Some(id) => user_refs(conn, &[id]).await?.remove(&id),
                None => None,
            },
            id: a.id,
            title: a.title,
            body: a.body,
            category: a.category,
            tags: a.tags,
            audience: a.audience,
            status: a.status,
            lang: a.lang,
            translation_of: a.translation_of,
            steps: a.steps,
            files: a.files,
            tickets,
            helpful: a.helpful,
            not_helpful: a.not_helpful,
            views: a.views,
            created_at: a.created_at,
            updated_at: a.updated_at,
            published_at: a.published_at,
            history: a.history,
        })
    }

    /// Finds an article by its id or the start of it (at least 6 characters).
    async fn find(&self, conn: &mut SqliteConnection, reference: &str) -> Result<Article> {
        let r = reference.trim().to_ascii_lowercase();
        let missing = || StoreError::NotFound(format!("no article {reference}"));
        if r.len() < 6 || !r.chars().all(|c| c.is_ascii_hexdigit() || c == '-') {
            return Err(missing());
        }
        let rows: Vec<(String,)> =
            sqlx::query_as("SELECT doc FROM articles WHERE id = ? OR id LIKE ? LIMIT 2")
                .bind(&r)
                .bind(format!("{r}%"))
                .fetch_all(&mut *conn)
                .await?;
        match rows.as_slice() {
            [(doc,)] => serde_json::from_str(doc).map_err(|e| corrupt("article doc", e)),
            [] => Err(missing()),
            _ => Err(StoreError::Domain(helpdeck_core::DomainError::invalid(
                "article",
                format!("{reference} matches several articles; give more of the id"),
            ))),
        }
    }

    /// Decides `change` on the article (none: a new one), writes it and its op.
    async fn write(&self, id: Uuid, change: Change) -> Result<ArticleView> {
        let store = self.0;
        let now = store.now();
        let mut tx = store.pool.begin_with("BEGIN IMMEDIATE").await?;
        let current = load_article(&mut tx, id).await?;
        let rules = store.current_rules(&mut tx).await?;
        let ctx = store.context(&rules, &TrustingDirectory, now);
        let Some(next) = apply_article(current.as_ref(), id, &change, now, &ctx)? else {
            drop(tx);
            let mut conn = store.pool.acquire().await?;
            let a = current.ok_or_else(|| StoreError::NotFound(format!("no article {id}")))?;
            return self.view(&mut conn, a).await;
        };
        // A file the article starts showing is on this device, and goes up before the op.
        let before: Vec<&str> = current
            .iter()
            .flat_map(|a| &a.files)
            .map(|f| f.sha256.as_str())
            .collect();
        let mut batch = Batch::default();
        for f in next
            .files
            .iter()
            .filter(|f| !before.contains(&f.sha256.as_str()))
        {
            if !store.files().has_blob(&f.sha256) {
                return Err(helpdeck_core::DomainError::invalid(
                    "files",
                    format!("{} is not in this workspace; add it again", f.name),
                )
                .into());
            }
            if !store.rules.local_workspace {
                batch.push(
                    "INSERT OR IGNORE INTO blob_transfers (sha256, direction, size) VALUES (?, 'up', ?)",
                    vec![crate::write::Arg::text(&f.sha256), crate::write::Arg::Int(f.size as i64)],
                );
            }
        }
        save_article(&mut tx, &next).await?;
        let op = store.new_op(id, change, store.actor.id, now);
        push_op(&mut batch, &op, now);
        batch.execute(&mut tx).await?;
        let view = self.view(&mut tx, next).await?;
        tx.commit().await?;
        Ok(view)
    }

    /// Writes a new article (staff).
    #[instrument(skip_all, err)]
    pub async fn add(&self, input: ArticleInput) -> Result<ArticleView> {
        let translation_of = match input.translation_of.as_deref() {
            Some(r) if !r.trim().is_empty() => {
                let mut conn = self.0.pool.acquire().await?;
                Some(self.find(&mut conn, r).await?.id)
            }
            _ => None,
        };
        let draft = ArticleDraft {
            title: input.title,
            body: input.body,
            category: input.category,
            tags: input.tags,
            audience: input.audience,
            lang: input.lang,
            translation_of,
            steps: input.steps,
            files: input.files,
            from_ticket: None,
            publish: input.publish,
        };
        self.write(new_id(), Change::CreateArticle(draft)).await
    }

    /// Edits an article's fields (staff).
    #[instrument(skip_all, fields(article = %reference), err)]
    pub async fn edit(&self, reference: &str, fields: ArticleFields) -> Result<ArticleView> {
        let id = self.id_of(reference).await?;
        self.write(id, Change::UpdateArticle(fields)).await
    }

    /// Publishes, archives or returns to draft (staff).
    #[instrument(skip_all, fields(article = %reference), err)]
    pub async fn set_status(&self, reference: &str, to: ArticleStatus) -> Result<ArticleView> {
        let id = self.id_of(reference).await?;
        self.write(id, Change::SetArticleStatus { to }).await
    }

    /// Votes: did the article help?
    #[instrument(skip_all, fields(article = %reference), err)]
    pub async fn vote(&self, reference: &str, helpful: bool) -> Result<ArticleView> {
        let id = self.id_of(reference).await?;
        self.write(id, Change::VoteArticle { helpful }).await
    }

    /// A draft from a resolved ticket's service report, linked to the ticket (staff).
    #[instrument(skip_all, fields(ticket = %reference), err)]
    pub async fn from_ticket(&self, reference: &str) -> Result<ArticleView> {
        let mut conn = self.0.pool.acquire().await?;
        let (t, _) = find_ticket(&mut conn, reference).await?;
        drop(conn);
        let lang = if self.0.workspace().language == "zh" {
            ArticleLang::Zh
        } else {
            ArticleLang::En
        };
        let draft = draft_from_ticket(&t, lang)?;
        self.write(new_id(), Change::CreateArticle(draft)).await
    }

    async fn id_of(&self, reference: &str) -> Result<Uuid> {
        let mut conn = self.0.pool.acquire().await?;
        Ok(self.find(&mut conn, reference).await?.id)
    }

    /// One article in full.
    pub async fn show(&self, reference: &str) -> Result<ArticleView> {
        let mut conn = self.0.pool.acquire().await?;
        let a = self.find(&mut conn, reference).await?;
        self.view(&mut conn, a).await
    }

    /// One article in full, counted as a view (the app's reader; `show` only reads).
    #[instrument(skip_all, fields(article = %reference), err)]
    pub async fn view_article(&self, reference: &str) -> Result<ArticleView> {
        let id = self.id_of(reference).await?;
        self.write(id, Change::CountArticleViews { views: 1 }).await
    }

    /// Articles, newest change first (`status`: only those; archived ones only when asked).
    pub async fn list(&self, status: Option<ArticleStatus>) -> Result<Vec<ArticleView>> {
        let mut conn = self.0.pool.acquire().await?;
        let rows: Vec<(String,)> = match status {
            Some(s) => {
                sqlx::query_as("SELECT doc FROM articles WHERE status = ? ORDER BY updated_at DESC")
                    .bind(s.as_str())
                    .fetch_all(&mut *conn)
                    .await?
            }
            None => {
                sqlx::query_as(
                    "SELECT doc FROM articles WHERE status != 'archived' ORDER BY updated_at DESC",
                )
                .fetch_all(&mut *conn)
                .await?
            }
        };
        let mut out = Vec::with_capacity(rows.len());
        for (doc,) in rows {
            let a: Article = serde_json::from_str(&doc).map_err(|e| corrupt("article doc", e))?;
            out.push(self.view(&mut conn, a).await?);
        }
        Ok(out)
    }

    /// Full-text search over titles, bodies and diagnosis steps, in Chinese and English
    /// (the tickets' rules: bigrams, prefixes, quoted terms). Archived articles are left out.
    #[instrument(skip_all, err)]
    pub async fn search(&self, query: &str, limit: u32) -> Result<Vec<ArticleHit>> {
        let q = SearchQuery::parse(query)?;
        let Some(expression) = q.fts_expression() else {
            return Ok(Vec::new());
        };
        self.ranked(&expression, &q.highlight_terms(), limit, false)
            .await
    }

    /// Published articles matching what is being written (a reply, a new request): any of
    /// its words, best match first.
    #[instrument(skip_all, err)]
    pub async fn suggest(&self, text: &str, limit: u32) -> Result<Vec<ArticleHit>> {
        let head: String = text.chars().take(SUGGEST_CHARS).collect();
        let words = text_terms(&head);
        if words.is_empty() {
            return Ok(Vec::new());
        }
        let query = words.join(" OR ");
        let q = SearchQuery::parse(&query)?;
        let Some(expression) = q.fts_expression() else {
            return Ok(Vec::new());
        };
        self.ranked(&expression, &q.highlight_terms(), limit, true)
            .await
    }

    async fn ranked(
        &self,
        expression: &str,
        terms: &[String],
        limit: u32,
        published_only: bool,
    ) -> Result<Vec<ArticleHit>> {
        let mut conn = self.0.pool.acquire().await?;
        // The page cache ticket search keeps (db::SEARCH_PAGE_CACHE): with the default 8 MiB,
        // every search decrypted the index pages it had read the time before again (16 → 50
        // ms p95 at 100k articles; docs/benchmarks.md).
        crate::db::set_page_cache(&mut conn, crate::db::SEARCH_PAGE_CACHE).await?;
        let status = if published_only {
            "a.status = 'published'"
        } else {
            "a.status != 'archived'"
        };
        // bm25 over the newest RANK_WINDOW matching documents (FTS5 walks a doclist
        // newest-first in microseconds; bm25 costs time per match), as ticket search does.
        let rows: Vec<(String, f64)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT a.doc, w.r FROM (SELECT rowid AS id, bm25(article_index, 10.0, 1.0) AS r \
             FROM article_index WHERE article_index MATCH ? ORDER BY rowid DESC LIMIT ?) w \
             JOIN articles a ON a.seq = w.id WHERE {status} ORDER BY w.r LIMIT ?"
        )))
        .bind(expression)
        .bind(RANK_WINDOW)
        .bind(i64::from(limit.clamp(1, 100)))
        .fetch_all(&mut *conn)
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for (doc, rank) in rows {
            let a: Article = serde_json::from_str(&doc).map_err(|e| corrupt("article doc", e))?;
            let title_html = snippet(&a.title, terms, usize::MAX / 4)
                .map(|s| s.to_html())
                .unwrap_or_else(|| helpdeck_core::search_text::html_escape(&a.title));
            let snippet_html = snippet(&a.body, terms, SNIPPET_WIDTH)
                .or_else(|| snippet(&steps_text(&a.steps), terms, SNIPPET_WIDTH))
                .map(|s| s.to_html())
                .unwrap_or_else(|| {
                    helpdeck_core::search_text::html_escape(
                        &a.body.chars().take(SNIPPET_WIDTH).collect::<String>(),
                    )
                });
            out.push(ArticleHit {
                id: a.id,
                title: a.title,
                title_html,
                snippet_html,
                status: a.status,
                audience: a.audience,
                lang: a.lang,
                has_script: !a.steps.is_empty(),
                rank,
            });
        }
        Ok(out)
    }

    /// A customer took a suggested article instead of submitting a request.
    pub async fn record_deflection(&self, reference: &str) -> Result<()> {
        let id = self.id_of(reference).await?;
        sqlx::query("INSERT INTO kb_deflections (id, article_id, at) VALUES (?, ?, ?)")
            .bind(new_id().to_string())
            .bind(id.to_string())
            .bind(ms(self.0.now()))
            .execute(&self.0.pool)
            .await?;
        Ok(())
    }

    /// Requests not submitted because an article answered them, on this device.
    pub async fn deflections(&self) -> Result<i64> {
        let (n,): (i64,) = sqlx::query_as("SELECT count(*) FROM kb_deflections")
            .fetch_one(&self.0.pool)
            .await?;
        Ok(n)
    }

    /// Published articles that need a look: often voted unhelpful, or not updated for
    /// `months` months.
    #[instrument(skip_all, err)]
    pub async fn upkeep(&self, months: u32) -> Result<Vec<UpkeepItem>> {
        let since = self.0.now() - jiff::SignedDuration::from_hours(24 * 30 * i64::from(months));
        let rows: Vec<(String,)> = sqlx::query_as(
            "SELECT doc FROM articles WHERE status = 'published' ORDER BY updated_at",
        )
        .fetch_all(&self.0.pool)
        .await?;
        let mut out = Vec::new();
        for (doc,) in rows {
            let a: Article = serde_json::from_str(&doc).map_err(|e| corrupt("article doc", e))?;
            let reason = if a.not_helpful >= UNHELPFUL_VOTES && a.not_helpful > a.helpful {
                "unhelpful"
            } else if a.updated_at < since {
                "stale"
            } else {
                continue;
            };
            out.push(UpkeepItem {
                id: a.id,
                title: a.title,
                lang: a.lang,
                reason: reason.to_string(),
                helpful: a.helpful,
                not_helpful: a.not_helpful,
                updated_at: a.updated_at,
            });
        }
        // The most voted-against first, then the oldest.
        out.sort_by_key(|i| {
            (
                i.reason != "unhelpful",
                std::cmp::Reverse(i.not_helpful),
                i.updated_at,
            )
        });
        Ok(out)
    }

    /// Frequent problems without an article: categories and keywords shared by at least
    /// `min_tickets` tickets created in the last `days` days that no published article
    /// matches (most tickets first).
    #[instrument(skip_all, err)]
    pub async fn gaps(&self, days: u32, min_tickets: i64) -> Result<Vec<KbGap>> {
        let since = ms(self.0.now() - jiff::SignedDuration::from_hours(24 * i64::from(days)));
        let min = min_tickets.max(1);
        let mut conn = self.0.pool.acquire().await?;
        let mut out = Vec::new();
        let cats: Vec<(String, i64)> = sqlx::query_as(
            "SELECT category, count(*) FROM tickets WHERE created_at >= ? GROUP BY category \
             HAVING count(*) >= ? ORDER BY count(*) DESC",
        )
        .bind(since)
        .bind(min)
        .fetch_all(&mut *conn)
        .await?;
        for (category, n) in cats {
            let covered: Option<(i64,)> = sqlx::query_as(
                "SELECT 1 FROM articles WHERE status = 'published' AND category = ? LIMIT 1",
            )
            .bind(&category)
            .fetch_optional(&mut *conn)
            .await?;
            if covered.is_none() {
                let examples = examples(&mut conn, since, "category = ?", &category).await?;
                out.push(KbGap {
                    kind: "category".into(),
                    value: category,
                    tickets: n,
                    examples,
                });
            }
        }
        // Keywords: the terms of recent tickets' titles, counted once per ticket.
        let titles: Vec<(String,)> = sqlx::query_as(
            "SELECT title FROM tickets WHERE created_at >= ? ORDER BY created_at DESC LIMIT 5000",
        )
        .bind(since)
        .fetch_all(&mut *conn)
        .await?;
        drop(conn);
        let mut counts: std::collections::HashMap<String, i64> = std::collections::HashMap::new();
        for (title,) in &titles {
            for term in text_terms(title) {
                let topical = if term.chars().any(helpdeck_core::search_text::is_cjk) {
                    !term.chars().any(|c| CJK_FUNCTION_CHARS.contains(c))
                } else {
                    term.chars().count() >= 3 && !STOP_WORDS.contains(&term.as_str())
                };
                if topical {
                    *counts.entry(term).or_default() += 1;
                }
            }
        }
        let mut terms: Vec<(String, i64)> = counts.into_iter().filter(|(_, n)| *n >= min).collect();
        terms.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        for (term, n) in terms.into_iter().take(40) {
            let q = SearchQuery::parse(&format!("\"{term}\""))?;
            let Some(expression) = q.fts_expression() else {
                continue;
            };
            if !self.ranked(&expression, &[], 1, true).await?.is_empty() {
                continue;
            }
            let mut conn = self.0.pool.acquire().await?;
            let examples = examples(&mut conn, since, "title LIKE ?", &format!("%{term}%")).await?;
            out.push(KbGap {
                kind: "keyword".into(),
                value: term,
                tickets: n,
                examples,
            });
            if out.len() >= 20 {
                break;
            }
        }
        Ok(out)
    }

    /// How many articles have this status.
    pub async fn count(&self, status: ArticleStatus) -> Result<i64> {
        let (n,): (i64,) = sqlx::query_as("SELECT count(*) FROM articles WHERE status = ?")
            .bind(status.as_str())
            .fetch_one(&self.0.pool)
            .await?;
        Ok(n)
    }
}
