//! Create-ticket latency against the raw SQLite ceiling, measured in the same run, and SLA
//! evaluation of 100k open tickets. Results go to docs/benchmarks.md.

use criterion::{Criterion, criterion_group, criterion_main};
use helpdeck_core::Timestamp;
use helpdeck_core::sla::{Calendar, SlaFacts, SlaPolicy, StatusChange, evaluate};
use helpdeck_core::status::Status;
use helpdeck_core::ticket::{Kind, Priority};
use helpdeck_store::{CreateInput, InitOptions, Store};
use jiff::SignedDuration;

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// A ticket row inserted bare into the copy of the `tickets` table (both raw benches).
const RAW_TICKET_INSERT: &str = "INSERT INTO raw_tickets (id, number, title, description, kind, \
     category, status, priority, channel, tier, tags, created_at, updated_at, is_open, sla_due_at, \
     sla_at_risk_at) VALUES (?, ?, ?, ?, 'incident', 'other', 'new', 'P3', 'phone', 'L1', '[]', ?, ?, 1, ?, ?)";

/// The ticket every create of the bench makes.
fn vpn_ticket() -> CreateInput {
    CreateInput {
        title: "VPN drops every ten minutes".into(),
        body: "Remote staff lose the network connection".into(),
        priority: Some(Priority::P3),
        ..CreateInput::default()
    }
}

fn write_path(c: &mut Criterion) {
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap();
    let store = rt.block_on(async {
        Store::init_with_key(
            dir.path(),
            InitOptions {
                name: "bench".into(),
                timezone: "Asia/Shanghai".into(),
                language: "en".into(),
                owner_name: "Bench".into(),
                owner_email: "bench@helpdeck.example".into(),
            },
            helpdeck_store::StoreKey::random(),
        )
        .await
        .unwrap()
    });
    // The ceiling: the same ticket row inserted into an identical copy of the `tickets` table
    // (same columns, constraints and indexes), in its own BEGIN IMMEDIATE … COMMIT, on the
    // same pool with the same connection settings and driver.
    //
    // The limit of a create: the rows the bar names (the ticket row, its search document, its
    // outbox op) written bare into identical copies of their tables (the same FTS5 tokenizer),
    // in one transaction: no rule, no validation, no SLA, no audit event, no trigger (the
    // tickets' triggers keep the queue totals: the store's work, not SQLite's).
    rt.block_on(async {
        let ddl: Vec<(String,)> = sqlx::query_as(
            "SELECT sql FROM sqlite_master WHERE tbl_name IN ('tickets', 'outbox', 'search_index') \
             AND type IN ('table', 'index') AND sql IS NOT NULL AND name NOT LIKE 'search_index_%' \
             ORDER BY type DESC",
        )
        .fetch_all(store.pool())
        .await
        .unwrap();
        for (sql,) in ddl {
            let sql = sql
                .replace("CREATE TABLE outbox", "CREATE TABLE raw_outbox")
                .replace(" ON outbox ", " ON raw_outbox ")
                .replace(" ON outbox(", " ON raw_outbox(")
                .replace("INDEX outbox_", "INDEX raw_outbox_")
                .replace(
                    "CREATE VIRTUAL TABLE search_index",
                    "CREATE VIRTUAL TABLE raw_search",
                )
                .replace("CREATE TABLE tickets", "CREATE TABLE raw_tickets")
                .replace(" ON tickets ", " ON raw_tickets ")
                .replace("INDEX tickets_", "INDEX raw_tickets_")
                .replace("REFERENCES users(id)", "")
                .replace("REFERENCES organizations(id)", "")
                .replace("REFERENCES teams(id)", "");
            sqlx::query(sqlx::AssertSqlSafe(sql))
                .execute(store.pool())
                .await
                .unwrap();
        }
    });
    let mut group = c.benchmark_group("write_path");
    let mut n = 0i64;
    group.bench_function("raw_sqlite_single_insert_txn", |b| {
        b.iter(|| {
            n += 1;
            rt.block_on(async {
                let mut tx = store.pool().begin_with("BEGIN IMMEDIATE").await.unwrap();
                sqlx::query(RAW_TICKET_INSERT)
                    .bind(uuid::Uuid::now_v7().to_string())
                    .bind(n)
                    .bind("VPN drops every ten minutes")
                    .bind("Remote staff lose the network connection")
                    .bind(n)
                    .bind(n)
                    .bind(n + 3_600_000)
                    .bind(n + 2_700_000)
                    .execute(&mut *tx)
                    .await
                    .unwrap();
                tx.commit().await.unwrap();
            })
        })
    });
    // An outbox op the size of a real create's (one made here first).
    let op: String = rt.block_on(async {
        store.tickets().create_ticket(vpn_ticket()).await.unwrap();
        sqlx::query_scalar("SELECT op FROM outbox ORDER BY seq DESC LIMIT 1")
            .fetch_one(store.pool())
            .await
            .unwrap()
    });
    let mut m = 0i64;
    group.bench_function("raw_sqlite_create_rows_txn", |b| {
        b.iter(|| {
            m += 1;
            rt.block_on(async {
                let id = uuid::Uuid::now_v7().to_string();
                let number = 1_000_000_000 + m;
                let mut tx = store.pool().begin_with("BEGIN IMMEDIATE").await.unwrap();
                let seq: i64 = sqlx::query_scalar(
                    sqlx::AssertSqlSafe(format!("{RAW_TICKET_INSERT} RETURNING seq")),
                )
                .bind(&id)
                .bind(number)
                .bind("VPN drops every ten minutes")
                .bind("Remote staff lose the network connection")
                .bind(m)
                .bind(m)
                .bind(m + 3_600_000)
                .bind(m + 2_700_000)
                .fetch_one(&mut *tx)
                .await
                .unwrap();
                sqlx::query("INSERT INTO raw_search (rowid, title, body, ticket_seq) VALUES (?, ?, ?, ?)")
                    .bind(seq)
                    .bind("VPN drops every ten minutes")
                    .bind("Remote staff lose the network connection")
                    .bind(seq)
                    .execute(&mut *tx)
                    .await
                    .unwrap();
                sqlx::query(
                    "INSERT INTO raw_outbox (op_id, entity, entity_id, hlc, schema_version, op, created_at) \
                     VALUES (?, 'ticket', ?, ?, 1, ?, ?)",
                )
                .bind(uuid::Uuid::now_v7().to_string())
                .bind(&id)
                .bind(format!("{m:020}"))
                .bind(&op)
                .bind(m)
                .execute(&mut *tx)
                .await
                .unwrap();
                tx.commit().await.unwrap();
            })
        })
    });
    group.bench_function("create_ticket", |b| {
        b.iter(|| rt.block_on(async { store.tickets().create_ticket(vpn_ticket()).await.unwrap() }))
    });
    group.finish();
}

fn sla_evaluation(c: &mut Criterion) {
    let calendar = Calendar::business_hours("Asia/Shanghai").unwrap();
    let policy = SlaPolicy::defaults(uuid::Uuid::now_v7());
    let now: Timestamp = "2026-11-24T09:00:00Z".parse().unwrap();
    let priorities = [Priority::P1, Priority::P2, Priority::P3, Priority::P4];
    let facts: Vec<SlaFacts> = (0..100_000i64)
        .map(|i| {
            let created = now - SignedDuration::from_mins(i % (60 * 24 * 20));
            let mut changes = vec![StatusChange {
                at: created + SignedDuration::from_mins(5),
                to: Status::Open,
            }];
            if i % 7 == 0 {
                changes.push(StatusChange {
                    at: created + SignedDuration::from_mins(40),
                    to: Status::PendingCustomer,
                });
                changes.push(StatusChange {
                    at: created + SignedDuration::from_mins(90),
                    to: Status::Open,
                });
            }
            SlaFacts {
                created_at: created,
                priority: priorities[(i % 4) as usize],
                kind: if i % 50 == 0 {
                    Kind::Complaint
                } else {
                    Kind::Incident
                },
                status_changes: changes,
                agent_public_replies: if i % 3 == 0 {
                    vec![created + SignedDuration::from_mins(20)]
                } else {
                    vec![]
                },
            }
        })
        .collect();
    let mut group = c.benchmark_group("sla");
    group.sample_size(20);
    group.bench_function("evaluate_100k_open_tickets", |b| {
        b.iter(|| {
            facts
                .iter()
                .map(|f| evaluate(f, &policy, &calendar, now).targets.len())
                .sum::<usize>()
        })
    });
    group.finish();
}

criterion_group!(benches, write_path, sla_evaluation);
criterion_main!(benches);
