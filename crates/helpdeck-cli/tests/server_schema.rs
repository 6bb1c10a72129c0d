//! The server's two schemas (`migrations/server-sqlite`, `migrations/server-postgres`) must
//! stay equal: the same tables, columns (with the same nullability and matching types) and
//! indexes. One set of SQL runs on both, so a column added to one only would break the other
//! at run time; this test breaks first.

mod sync_harness;

use std::collections::BTreeSet;

use sync_harness::*;

type Columns = BTreeSet<(String, String, String, bool)>;

/// SQLite's and PostgreSQL's spelling of the same column type.
fn normal_type(t: &str) -> String {
    match t.to_ascii_lowercase().as_str() {
        "integer" | "bigint" => "integer".into(),
        "text" => "text".into(),
        other => other.into(),
    }
}

async fn sqlite_schema(db: &helpdeck_server::Db) -> (Columns, BTreeSet<String>) {
    let cols: Vec<(String, String, String, i64)> = sqlx::query_as(
        "SELECT m.name, p.name, p.type, p.\"notnull\" + p.pk FROM sqlite_master m \
         JOIN pragma_table_info(m.name) p \
         WHERE m.type = 'table' AND m.name NOT LIKE '\\_sqlx%' ESCAPE '\\' AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\'",
    )
    .fetch_all(&db.pool)
    .await
    .unwrap();
    let idx: Vec<(String,)> =
        sqlx::query_as("SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL")
            .fetch_all(&db.pool)
            .await
            .unwrap();
    (
        cols.into_iter()
            .map(|(t, c, ty, nn)| (t, c, normal_type(&ty), nn > 0))
            .collect(),
        idx.into_iter().map(|(n,)| n).collect(),
    )
}

async fn postgres_schema(db: &helpdeck_server::Db) -> (Columns, BTreeSet<String>) {
    let cols: Vec<(String, String, String, String)> = sqlx::query_as(
        "SELECT table_name::text, column_name::text, data_type::text, is_nullable::text \
         FROM information_schema.columns \
         WHERE table_schema = 'public' AND table_name NOT LIKE '\\_sqlx%'",
    )
    .fetch_all(&db.pool)
    .await
    .unwrap();
    // Unique constraints and primary keys get generated index names (…_key, …_pkey) on
    // PostgreSQL and unnamed automatic indexes on SQLite: compare the declared ones.
    let idx: Vec<(String,)> = sqlx::query_as(
        "SELECT indexname::text FROM pg_indexes WHERE schemaname = 'public' \
         AND indexname NOT LIKE '%\\_pkey' AND indexname NOT LIKE '%\\_key'",
    )
    .fetch_all(&db.pool)
    .await
    .unwrap();
    (
        cols.into_iter()
            .map(|(t, c, ty, nullable)| (t, c, normal_type(&ty), nullable == "NO"))
            .collect(),
        idx.into_iter().map(|(n,)| n).collect(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_and_postgres_server_schemas_are_equal() {
    let Some(base) = pg_base() else { return };
    let dir = tempfile::tempdir().unwrap();
    let lite = helpdeck_server::Db::connect(&dir.path().join("server.db").display().to_string())
        .await
        .unwrap();
    let pg = helpdeck_server::Db::connect(&fresh_pg_db(&base))
        .await
        .unwrap();
    let (lite_cols, lite_idx) = sqlite_schema(&lite).await;
    let (pg_cols, pg_idx) = postgres_schema(&pg).await;
    assert!(
        lite_cols.len() > 40,
        "read the SQLite schema: {lite_cols:?}"
    );
    let only_lite: Vec<_> = lite_cols.difference(&pg_cols).collect();
    let only_pg: Vec<_> = pg_cols.difference(&lite_cols).collect();
    assert!(
        only_lite.is_empty() && only_pg.is_empty(),
        "columns only on SQLite: {only_lite:?}\ncolumns only on PostgreSQL: {only_pg:?}"
    );
    assert_eq!(lite_idx, pg_idx, "indexes differ");
}
