//! What SQLite itself does with a bulk import's rows on this machine: the limit the import's
//! figure is held against. The same dataset is written as bare rows — no index, no trigger,
//! no rule — into a fresh workspace file with the same cipher and pragmas, as multi-row
//! inserts in one transaction (what the import does): each ticket as its fields, each
//! comment, each history event and one sync op per ticket and comment (serde JSON, as the
//! outbox keeps them); then again with the search documents in an FTS5 table of the same
//! definition as the workspace's.

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::Result;
use helpdeck_core::record::Dataset;
use helpdeck_core::search_text::index_text;
use helpdeck_store::Store;
use sqlx::{QueryBuilder, Sqlite};

use crate::bench_key::bench_key;

const BATCH: usize = 400;

/// (rows only, rows with their search documents): the time to write `data` both ways.
pub async fn import_limit(root: &Path, data: &Dataset) -> Result<(Duration, Duration)> {
    let rows = write(root, data, false).await?;
    let with_search = write(root, data, true).await?;
    Ok((rows, with_search))
}

async fn write(root: &Path, data: &Dataset, search: bool) -> Result<Duration> {
    let dir = root.join("raw-import");
    let _ = std::fs::remove_dir_all(&dir);
    let store = Store::init_with_key(
        &dir,
        crate::workspace_options("raw import"),
        bench_key(&dir)?,
    )
    .await?;
    let pool = store.pool();
    let (fts,): (String,) =
        sqlx::query_as("SELECT sql FROM sqlite_master WHERE name = 'search_index'")
            .fetch_one(pool)
            .await?;
    for ddl in [
        "CREATE TABLE raw_tickets (id TEXT, number INTEGER, title TEXT, description TEXT, kind TEXT, \
         category TEXT, status TEXT, priority TEXT, channel TEXT, requester TEXT, organization TEXT, \
         assignee TEXT, team TEXT, tier TEXT, tags TEXT, site TEXT, created_at INTEGER, \
         updated_at INTEGER, first_response_at INTEGER, resolved_at INTEGER, closed_at INTEGER)",
        "CREATE TABLE raw_comments (id TEXT, ticket_id TEXT, author TEXT, visibility TEXT, body TEXT, created_at INTEGER)",
        "CREATE TABLE raw_events (id TEXT, ticket_id TEXT, field TEXT, old_value TEXT, new_value TEXT, at INTEGER)",
        "CREATE TABLE raw_ops (op_id TEXT, entity_id TEXT, op TEXT)",
    ] {
        sqlx::query(ddl).execute(pool).await?;
    }
    sqlx::query(sqlx::AssertSqlSafe(fts.replacen(
        "search_index",
        "raw_search",
        1,
    )))
    .execute(pool)
    .await?;
    sqlx::query("INSERT INTO raw_search (raw_search, rank) VALUES ('hashsize', 16777216)")
        .execute(pool)
        .await?;

    let ms = |t: jiff::Timestamp| t.as_millisecond();
    let ids: Vec<String> = (0..data.tickets.len())
        .map(|_| uuid::Uuid::now_v7().to_string())
        .collect();
    let start = Instant::now();
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
    let tickets: Vec<_> = data.tickets.iter().zip(&ids).enumerate().collect();
    for chunk in tickets.chunks(BATCH) {
        let mut q: QueryBuilder<Sqlite> = QueryBuilder::new(
            "INSERT INTO raw_tickets (id, number, title, description, kind, category, status, \
             priority, channel, requester, organization, assignee, team, tier, tags, site, \
             created_at, updated_at, first_response_at, resolved_at, closed_at) ",
        );
        q.push_values(chunk, |mut b, (i, (t, id))| {
            b.push_bind(id.as_str())
                .push_bind(*i as i64 + 1)
                .push_bind(&t.title)
                .push_bind(&t.description)
                .push_bind(t.kind.to_string())
                .push_bind(&t.category)
                .push_bind(t.status.to_string())
                .push_bind(t.priority.to_string())
                .push_bind(t.channel.to_string())
                .push_bind(&t.requester)
                .push_bind(&t.organization)
                .push_bind(&t.assignee)
                .push_bind(&t.team)
                .push_bind(t.tier.to_string())
                .push_bind(serde_json::to_string(&t.tags).unwrap_or_default())
                .push_bind(&t.site)
                .push_bind(ms(t.created_at))
                .push_bind(ms(t.updated_at))
                .push_bind(t.first_response_at.map(ms))
                .push_bind(t.resolved_at.map(ms))
                .push_bind(t.closed_at.map(ms));
        });
        q.build().execute(&mut *tx).await?;
        if search {
            let mut q: QueryBuilder<Sqlite> =
                QueryBuilder::new("INSERT INTO raw_search (rowid, title, body, ticket_seq) ");
            q.push_values(chunk, |mut b, (i, (t, _))| {
                b.push_bind(*i as i64 + 1)
                    .push_bind(index_text(&t.title))
                    .push_bind(index_text(&t.description))
                    .push_bind(*i as i64 + 1);
            });
            q.build().execute(&mut *tx).await?;
        }
    }
    let comments: Vec<_> = tickets
        .iter()
        .flat_map(|(i, (t, id))| t.comments.iter().map(move |c| (*i, id.as_str(), c)))
        .enumerate()
        .collect();
    for chunk in comments.chunks(BATCH) {
        let mut q: QueryBuilder<Sqlite> = QueryBuilder::new(
            "INSERT INTO raw_comments (id, ticket_id, author, visibility, body, created_at) ",
        );
        q.push_values(chunk, |mut b, (_, (_, ticket, c))| {
            b.push_bind(uuid::Uuid::now_v7().to_string())
                .push_bind(*ticket)
                .push_bind(&c.author)
                .push_bind(c.visibility.to_string())
                .push_bind(&c.body)
                .push_bind(ms(c.created_at));
        });
        q.build().execute(&mut *tx).await?;
        if search {
            let mut q: QueryBuilder<Sqlite> =
                QueryBuilder::new("INSERT INTO raw_search (rowid, title, body, ticket_seq) ");
            q.push_values(chunk, |mut b, (j, (i, _, c))| {
                b.push_bind((1i64 << 40) + *j as i64)
                    .push_bind("")
                    .push_bind(index_text(&c.body))
                    .push_bind(*i as i64 + 1);
            });
            q.build().execute(&mut *tx).await?;
        }
    }
    let events: Vec<_> = tickets
        .iter()
        .flat_map(|(_, (t, id))| {
            std::iter::once((id.as_str(), "imported", None, Some(t.status.to_string()), 0)).chain(
                t.effective_history().into_iter().map(move |h| {
                    (
                        id.as_str(),
                        "status",
                        Some(h.from.to_string()),
                        Some(h.to.to_string()),
                        ms(h.at),
                    )
                }),
            )
        })
        .collect();
    for chunk in events.chunks(BATCH) {
        let mut q: QueryBuilder<Sqlite> = QueryBuilder::new(
            "INSERT INTO raw_events (id, ticket_id, field, old_value, new_value, at) ",
        );
        q.push_values(chunk, |mut b, (ticket, field, from, to, at)| {
            b.push_bind(uuid::Uuid::now_v7().to_string())
                .push_bind(*ticket)
                .push_bind(*field)
                .push_bind(from.clone())
                .push_bind(to.clone())
                .push_bind(*at);
        });
        q.build().execute(&mut *tx).await?;
    }
    let ops: Vec<(&str, String)> = tickets
        .iter()
        .map(|(_, (t, id))| {
            let mut bare = (*t).clone();
            bare.comments.clear();
            bare.history.clear();
            (
                id.as_str(),
                serde_json::to_string(&bare).unwrap_or_default(),
            )
        })
        .chain(
            comments
                .iter()
                .map(|(_, (_, id, c))| (*id, serde_json::to_string(c).unwrap_or_default())),
        )
        .collect();
    for chunk in ops.chunks(BATCH) {
        let mut q: QueryBuilder<Sqlite> =
            QueryBuilder::new("INSERT INTO raw_ops (op_id, entity_id, op) ");
        q.push_values(chunk, |mut b, (entity, op)| {
            b.push_bind(uuid::Uuid::now_v7().to_string())
                .push_bind(*entity)
                .push_bind(op.as_str());
        });
        q.build().execute(&mut *tx).await?;
    }
    tx.commit().await?;
    let took = start.elapsed();
    store.shutdown().await;
    let _ = std::fs::remove_dir_all(&dir);
    Ok(took)
}
