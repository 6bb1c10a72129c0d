//! Model test of sync (spec §6): four replicas — two agents, two customers of different
//! organizations — and a real server (in-process, real HTTP, SQLite file), driven by random
//! steps: edits, pushes, pulls, dropped / duplicated / replayed messages, client crashes,
//! permission changes and clock jumps. The invariants are checked after every step where
//! they apply (I5 on every pulled page), convergence (I1) after quiescence at the end.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use helpdeck_core::Timestamp;
use helpdeck_core::op::{Change, Entity, LinkKind, Op};
use helpdeck_core::status::Status;
use helpdeck_core::sync::{AckStatus, MAX_CLOCK_AHEAD, PullResponse, TicketDoc, hlc_at, hlc_time};
use helpdeck_core::ticket::{Priority, Resolution};
use helpdeck_core::user::Role;
use helpdeck_server::Db;
use helpdeck_store::{AssigneeInput, CreateInput, Store, UpdateInput};
use helpdeck_sync::Client;
use proptest::prelude::*;
use proptest::test_runner::Config as ProptestConfig;
use proptest_state_machine::{ReferenceStateMachine, StateMachineTest, prop_state_machine};
use tokio::runtime::Runtime;
use uuid::Uuid;

mod common;

/// Replicas: 0, 1 agents; 2 customer of Acme (org admin toggles); 3 customer of Globex.
const REPLICAS: usize = 4;

#[derive(Debug, Clone, Copy)]
enum Fault {
    None,
    /// The request never reaches the server.
    DropRequest,
    /// The server applies it; the answer is lost (the client pushes the same ops again).
    DropAck,
    /// The request arrives twice.
    Duplicate,
}

#[derive(Debug, Clone)]
enum Step {
    Create {
        r: usize,
        priority: u8,
        for_other: bool,
    },
    SetPriority {
        r: usize,
        t: usize,
        priority: u8,
    },
    Assign {
        r: usize,
        t: usize,
        to: usize,
    },
    Comment {
        r: usize,
        t: usize,
        internal: bool,
    },
    Status {
        r: usize,
        t: usize,
        action: u8,
    },
    DeleteComment {
        r: usize,
        c: usize,
    },
    /// A reply or note with a file on it.
    Attach {
        r: usize,
        t: usize,
        internal: bool,
    },
    /// Link two tickets, or unlink them if they are linked.
    Link {
        r: usize,
        t: usize,
        u: usize,
        kind: u8,
    },
    Push {
        r: usize,
        fault: Fault,
        future_clock: bool,
    },
    Pull {
        r: usize,
        replay: bool,
    },
    Crash {
        r: usize,
    },
    TogglePermission,
}

/// The reference model only counts steps: every choice is resolved against the real
/// replica at apply time (indices modulo what it holds).
#[derive(Debug, Clone, Default)]
struct Reference;

impl ReferenceStateMachine for Reference {
    type State = Reference;
    type Transition = Step;

    fn init_state() -> BoxedStrategy<Self::State> {
        Just(Reference).boxed()
    }

    fn transitions(_: &Self::State) -> BoxedStrategy<Self::Transition> {
        let r = 0..REPLICAS;
        let fault = prop_oneof![
            4 => Just(Fault::None),
            1 => Just(Fault::DropRequest),
            1 => Just(Fault::DropAck),
            1 => Just(Fault::Duplicate),
        ];
        prop_oneof![
            5 => (r.clone(), 0..4u8, any::<bool>())
                .prop_map(|(r, priority, for_other)| Step::Create { r, priority, for_other }),
            2 => (r.clone(), 0..8usize, 0..4u8).prop_map(|(r, t, priority)| Step::SetPriority { r, t, priority }),
            1 => (r.clone(), 0..8usize, 0..2usize).prop_map(|(r, t, to)| Step::Assign { r, t, to }),
            4 => (r.clone(), 0..8usize, any::<bool>()).prop_map(|(r, t, internal)| Step::Comment { r, t, internal }),
            2 => (r.clone(), 0..8usize, 0..6u8).prop_map(|(r, t, action)| Step::Status { r, t, action }),
            1 => (r.clone(), 0..8usize).prop_map(|(r, c)| Step::DeleteComment { r, c }),
            2 => (r.clone(), 0..8usize, 0..8usize, 0..3u8).prop_map(|(r, t, u, kind)| Step::Link { r, t, u, kind }),
            2 => (r.clone(), 0..8usize, any::<bool>()).prop_map(|(r, t, internal)| Step::Attach { r, t, internal }),
            6 => (r.clone(), fault, prop::bool::weighted(0.1))
                .prop_map(|(r, fault, future_clock)| Step::Push { r, fault, future_clock }),
            6 => (r.clone(), prop::bool::weighted(0.3)).prop_map(|(r, replay)| Step::Pull { r, replay }),
            1 => r.prop_map(|r| Step::Crash { r }),
            1 => Just(Step::TogglePermission),
        ]
        .boxed()
    }

    fn apply(state: Self::State, _: &Self::Transition) -> Self::State {
        state
    }
}

struct Replica {
    dir: PathBuf,
    store: Option<Store>,
    client: Client,
    email: String,
}

impl Replica {
    fn store(&self) -> &Store {
        self.store.as_ref().expect("open")
    }
}

struct World {
    rt: Runtime,
    _tmp: tempfile::TempDir,
    db: Db,
    server: Option<common::Served>,
    replicas: Vec<Replica>,
    /// Ops the server acknowledged as applied, with what they were.
    acked: BTreeMap<Uuid, Op>,
    /// Comments whose delete the server acknowledged.
    deleted: BTreeSet<Uuid>,
    c1_org_admin: bool,
}

fn priority(n: u8) -> Priority {
    [Priority::P1, Priority::P2, Priority::P3, Priority::P4][usize::from(n % 4)]
}

async fn setup() -> World {
    let tmp = tempfile::tempdir().unwrap();
    let db_path = tmp.path().join("server.db").display().to_string();
    let db = Db::connect(&db_path).await.unwrap();
    let users = [
        ("a1@example.com", "Agent One", Role::Agent, None),
        ("a2@example.com", "Agent Two", Role::Agent, None),
        (
            "c1@acme.example",
            "Carol Acme",
            Role::Customer,
            Some("Acme"),
        ),
        (
            "c2@globex.example",
            "Gus Globex",
            Role::Customer,
            Some("Globex"),
        ),
        ("c3@acme.example", "Cy Acme", Role::Customer, Some("Acme")),
    ];
    for (email, name, role, org) in users {
        common::add_user(&db, email, name, role, org).await;
    }
    let served = common::serve(tmp.path(), db_path, "Model").await;
    let url = served.url.clone();
    let mut replicas = Vec::new();
    for (i, (email, ..)) in users.iter().take(REPLICAS).enumerate() {
        let dir = tmp.path().join(format!("replica-{i}"));
        let (store, client) = common::replica(&url, email, &format!("replica {i}"), &dir).await;
        replicas.push(Replica {
            dir,
            store: Some(store),
            client,
            email: email.to_string(),
        });
    }
    World {
        rt: tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap(),
        _tmp: tmp,
        db,
        server: Some(served),
        replicas,
        acked: BTreeMap::new(),
        deleted: BTreeSet::new(),
        c1_org_admin: false,
    }
}

async fn ticket_ids(store: &Store) -> Vec<String> {
    sqlx::query_as::<_, (String,)>("SELECT id FROM tickets ORDER BY number")
        .fetch_all(store.pool())
        .await
        .unwrap()
        .into_iter()
        .map(|(id,)| id)
        .collect()
}

/// A ticket as compared: number, title, status, priority, assignee, CSAT score.
type TicketRow = (i64, String, String, String, Option<String>, Option<i64>);

/// What a replica holds, for comparisons (no SLA columns: they depend on "now").
#[derive(Debug, Clone, PartialEq, Eq)]
struct Snapshot {
    tickets: BTreeMap<String, TicketRow>,
    comments: BTreeMap<String, (String, String)>,
    /// id → (from, to, kind)
    links: BTreeMap<String, (String, String, String)>,
    /// id → (ticket, sha256)
    attachments: BTreeMap<String, (String, String)>,
}

async fn snapshot(store: &Store) -> Snapshot {
    let tickets = sqlx::query_as::<
        _,
        (
            String,
            i64,
            String,
            String,
            String,
            Option<String>,
            Option<i64>,
        ),
    >(
        "SELECT id, number, title, status, priority, assignee_id, csat_score FROM tickets",
    )
    .fetch_all(store.pool())
    .await
    .unwrap()
    .into_iter()
    .map(|(id, n, title, status, p, a, csat)| (id, (n, title, status, p, a, csat)))
    .collect();
    let comments = sqlx::query_as::<_, (String, String, String)>(
        "SELECT id, ticket_id, visibility FROM comments",
    )
    .fetch_all(store.pool())
    .await
    .unwrap()
    .into_iter()
    .map(|(id, t, v)| (id, (t, v)))
    .collect();
    let links = sqlx::query_as::<_, (String, String, String, String)>(
        "SELECT id, from_id, to_id, kind FROM ticket_links",
    )
    .fetch_all(store.pool())
    .await
    .unwrap()
    .into_iter()
    .map(|(id, f, t, k)| (id, (f, t, k)))
    .collect();
    let attachments = sqlx::query_as::<_, (String, String, String)>(
        "SELECT id, ticket_id, sha256 FROM attachments",
    )
    .fetch_all(store.pool())
    .await
    .unwrap()
    .into_iter()
    .map(|(id, t, sha)| (id, (t, sha)))
    .collect();
    Snapshot {
        tickets,
        comments,
        links,
        attachments,
    }
}

/// What the server says `r` may see: its state, filtered as a pull filters it.
async fn server_view(w: &World, r: usize) -> Snapshot {
    let me = &w.replicas[r];
    let user: (String, String, Option<String>, i64) =
        sqlx::query_as("SELECT id, role, organization_id, org_admin FROM users WHERE email = $1")
            .bind(&me.email)
            .fetch_one(&w.db.pool)
            .await
            .unwrap();
    let customer = user.1 == "customer";
    let docs: Vec<(String,)> = sqlx::query_as("SELECT doc FROM tickets")
        .fetch_all(&w.db.pool)
        .await
        .unwrap();
    let mut tickets = BTreeMap::new();
    for (doc,) in docs {
        let d: TicketDoc = serde_json::from_str(&doc).unwrap();
        let t = d.ticket;
        let visible = !customer
            || t.requester_id.map(|u| u.to_string()) == Some(user.0.clone())
            || (user.3 != 0
                && user.2.is_some()
                && t.organization_id.map(|o| o.to_string()) == user.2);
        if visible {
            tickets.insert(
                t.id.to_string(),
                (
                    t.number,
                    t.title.clone(),
                    t.status.to_string(),
                    t.priority.to_string(),
                    // Customers see who handles their request too (spec §1).
                    t.assignee_id.map(|a| a.to_string()),
                    t.csat.map(|c| i64::from(c.score)),
                ),
            );
        }
    }
    let rows: Vec<(String, String)> = sqlx::query_as("SELECT ticket_id, state FROM comments")
        .fetch_all(&w.db.pool)
        .await
        .unwrap();
    let mut comments = BTreeMap::new();
    for (ticket, state) in rows {
        let c: helpdeck_core::sync::CommentState = serde_json::from_str(&state).unwrap();
        let internal = c.visibility == helpdeck_core::record::Visibility::Internal;
        if tickets.contains_key(&ticket) && !c.deleted && !(customer && internal) {
            comments.insert(
                c.id.to_string(),
                (
                    ticket,
                    if internal { "internal" } else { "public" }.to_string(),
                ),
            );
        }
    }
    // Links: staff see every live one; customers none.
    let rows: Vec<(String,)> = sqlx::query_as("SELECT state FROM ticket_links")
        .fetch_all(&w.db.pool)
        .await
        .unwrap();
    let mut links = BTreeMap::new();
    for (state,) in rows {
        let l: helpdeck_core::sync::LinkState = serde_json::from_str(&state).unwrap();
        if !customer && !l.deleted {
            links.insert(
                l.id.to_string(),
                (
                    l.from_ticket.to_string(),
                    l.to_ticket.to_string(),
                    l.kind.to_string(),
                ),
            );
        }
    }
    // Attachments: on visible tickets; a customer's only on the ticket or a public reply.
    let rows: Vec<(String,)> = sqlx::query_as("SELECT state FROM attachments")
        .fetch_all(&w.db.pool)
        .await
        .unwrap();
    let mut attachments = BTreeMap::new();
    for (state,) in rows {
        let a: helpdeck_core::attachment::AttachmentState = serde_json::from_str(&state).unwrap();
        let on_visible = tickets.contains_key(&a.ticket_id.to_string());
        let public = a
            .comment_id
            .is_none_or(|c| comments.contains_key(&c.to_string()));
        if on_visible && public {
            attachments.insert(
                a.id.to_string(),
                (a.ticket_id.to_string(), a.sha256.clone()),
            );
        }
    }
    Snapshot {
        tickets,
        comments,
        links,
        attachments,
    }
}

/// I5: nothing in a customer's pull that is not theirs to see.
fn check_customer_page(r: usize, page: &PullResponse, me: Uuid, org: Option<Uuid>) {
    for b in &page.tickets {
        let t = &b.ticket;
        assert!(b.links.is_empty(), "I5: replica {r} pulled links");
        for a in &b.attachments {
            assert!(
                a.comment_id.is_none_or(|c| b.comments.iter().any(
                    |x| x.id == c && x.visibility == helpdeck_core::record::Visibility::Public
                )),
                "I5: replica {r} pulled a file of an internal note"
            );
        }
        assert!(
            t.requester_id == Some(me) || (org.is_some() && t.organization_id == org),
            "I5: replica {r} pulled another requester's ticket {}",
            t.id
        );
        assert!(
            t.team_id.is_none() && t.tags.is_empty() && t.asset_id.is_none(),
            "I5: agent-only fields leaked (the assignee is the requester's to see: who handles it)"
        );
        for c in &b.comments {
            assert_eq!(
                c.visibility,
                helpdeck_core::record::Visibility::Public,
                "I5: replica {r} pulled an internal note"
            );
        }
        for e in &b.events {
            assert!(
                !helpdeck_core::sync::AGENT_ONLY_FIELDS.contains(&e.field.as_str()),
                "I5: event about {} leaked",
                e.field
            );
        }
    }
}

async fn current_user(w: &World, r: usize) -> (Uuid, Role, Option<Uuid>) {
    let (id, role, org, admin): (String, String, Option<String>, i64) =
        sqlx::query_as("SELECT id, role, organization_id, org_admin FROM users WHERE email = $1")
            .bind(&w.replicas[r].email)
            .fetch_one(&w.db.pool)
            .await
            .unwrap();
    let org = org.filter(|_| admin != 0).map(|o| o.parse().unwrap());
    (id.parse().unwrap(), role.parse().unwrap(), org)
}

async fn push(w: &mut World, r: usize, fault: Fault, future_clock: bool) {
    let store = w.replicas[r].store();
    let mut ops = store.replica().pending_ops(200).await.unwrap();
    if ops.is_empty() {
        return;
    }
    if future_clock {
        // The device clock jumped a year ahead: the server must clamp (I7).
        for op in &mut ops {
            op.at += jiff::SignedDuration::from_hours(24 * 365);
            op.hlc = hlc_at(op.at, op.device_id);
        }
    }
    let client = w.replicas[r].client.clone();
    match fault {
        Fault::DropRequest => {}
        Fault::DropAck => {
            let resp = client.push(&ops).await.unwrap();
            record_acked(w, &ops, &resp.acks);
        }
        Fault::None | Fault::Duplicate => {
            let first = client.push(&ops).await.unwrap();
            record_acked(w, &ops, &first.acks);
            let acks = if matches!(fault, Fault::Duplicate) {
                let second = client.push(&ops).await.unwrap();
                for (a, b) in first.acks.iter().zip(&second.acks) {
                    // I3: the same push twice applies once.
                    assert!(
                        b.status == AckStatus::Duplicate
                            || (a.status == AckStatus::Rejected && b.status == AckStatus::Rejected),
                        "I3: a replayed op was applied again: {a:?} then {b:?}"
                    );
                }
                second.acks
            } else {
                first.acks
            };
            w.replicas[r]
                .store()
                .replica()
                .record_acks(&ops, &acks)
                .await
                .unwrap();
        }
    }
}

fn record_acked(w: &mut World, ops: &[Op], acks: &[helpdeck_core::sync::Ack]) {
    assert_eq!(ops.len(), acks.len(), "one ack per op");
    for (op, ack) in ops.iter().zip(acks) {
        assert_eq!(op.op_id, ack.op_id, "acks come in op order");
        if ack.status == AckStatus::Applied {
            w.acked.insert(op.op_id, op.clone());
        }
    }
}

async fn pull(w: &mut World, r: usize, replay: bool) {
    let (me, role, org) = current_user(w, r).await;
    let mut guard = 0;
    loop {
        guard += 1;
        assert!(guard < 50, "pull does not terminate");
        let store = w.replicas[r].store();
        let cursor = store.replica().sync_state().await.unwrap().unwrap().cursor;
        let page = w.replicas[r].client.pull(cursor, 0).await.unwrap();
        if page.next_cursor < cursor && !page.must_resync {
            panic!(
                "I4: cursor went backwards ({cursor} → {})",
                page.next_cursor
            );
        }
        if role == Role::Customer {
            check_customer_page(r, &page, me, org);
        }
        let applied = store.replica().apply_pull(&page).await.unwrap();
        if replay {
            // I3: the same page applied twice equals once.
            let once = snapshot(store).await;
            store.replica().apply_pull(&page).await.unwrap();
            assert_eq!(
                once,
                snapshot(store).await,
                "I3: re-applying a page changed the replica"
            );
        }
        if applied.resync {
            continue;
        }
        if !page.has_more {
            break;
        }
    }
    // I4: caught up with nothing pending, the replica is exactly what the server shows it.
    let store = w.replicas[r].store();
    if store.replica().pending_ops(1).await.unwrap().is_empty() {
        let mine = snapshot(store).await;
        let server = server_view(w, r).await;
        assert_eq!(
            mine.tickets, server.tickets,
            "I4: replica {r} differs from the server after a full pull"
        );
        for (id, c) in &server.comments {
            assert_eq!(
                mine.comments.get(id),
                Some(c),
                "I4: replica {r} misses comment {id}"
            );
        }
    }
}

async fn pick_ticket(store: &Store, t: usize) -> Option<String> {
    let ids = ticket_ids(store).await;
    (!ids.is_empty()).then(|| ids[t % ids.len()].clone())
}

async fn edit(w: &mut World, step: &Step) {
    let store_of = |r: usize| w.replicas[r].store();
    match *step {
        Step::Create {
            r,
            priority: p,
            for_other,
        } => {
            let store = store_of(r);
            let requester = (for_other && store.actor().role != Role::Customer)
                .then(|| "c3@acme.example".to_string());
            let requester = requester.or_else(|| {
                (store.actor().role != Role::Customer && !for_other)
                    .then(|| "c1@acme.example".to_string())
            });
            let _ = store
                .tickets()
                .create_ticket(CreateInput {
                    title: format!("Printer {} jams", Uuid::now_v7().simple()),
                    body: "Paper jam".into(),
                    priority: Some(priority(p)),
                    requester,
                    ..Default::default()
                })
                .await;
        }
        Step::SetPriority { r, t, priority: p } => {
            let store = store_of(r);
            if let Some(id) = pick_ticket(store, t).await {
                let _ = store
                    .tickets()
                    .update_ticket(
                        &id,
                        UpdateInput {
                            priority: Some(priority(p)),
                            ..Default::default()
                        },
                    )
                    .await;
            }
        }
        Step::Assign { r, t, to } => {
            let store = store_of(r);
            if let Some(id) = pick_ticket(store, t).await {
                let email = ["a1@example.com", "a2@example.com"][to % 2];
                let _ = store
                    .tickets()
                    .update_ticket(
                        &id,
                        UpdateInput {
                            assignee: Some(AssigneeInput::Email(email.into())),
                            ..Default::default()
                        },
                    )
                    .await;
            }
        }
        Step::Attach { r, t, internal } => {
            let store = store_of(r);
            if let Some(id) = pick_ticket(store, t).await {
                let file = store
                    .files()
                    .import_bytes("screenshot.png", Uuid::now_v7().as_bytes())
                    .unwrap();
                let visibility = if internal {
                    helpdeck_core::record::Visibility::Internal
                } else {
                    helpdeck_core::record::Visibility::Public
                };
                let _ = store
                    .tickets()
                    .comment(&id, "see the screenshot", visibility, &[file])
                    .await;
            }
        }
        Step::Link { r, t, u, kind } => {
            let store = store_of(r);
            if let (Some(a), Some(b)) = (pick_ticket(store, t).await, pick_ticket(store, u).await)
                && store.links().unlink(&a, &b).await.is_err()
            {
                let kind = [LinkKind::Related, LinkKind::DuplicateOf, LinkKind::ParentOf]
                    [usize::from(kind) % 3];
                let _ = store.links().link(&a, &b, kind).await;
            }
        }
        Step::Comment { r, t, internal } => {
            let store = store_of(r);
            if let Some(id) = pick_ticket(store, t).await {
                let _ = if internal {
                    store.tickets().note(&id, "internal: check the fuser").await
                } else {
                    store.tickets().reply(&id, "public: on my way").await
                };
            }
        }
        Step::Status { r, t, action } => {
            let store = store_of(r);
            if let Some(id) = pick_ticket(store, t).await {
                let _ = match action {
                    0 => {
                        store
                            .tickets()
                            .update_ticket(
                                &id,
                                UpdateInput {
                                    status: Some(Status::InProgress),
                                    ..Default::default()
                                },
                            )
                            .await
                    }
                    1 => {
                        store
                            .tickets()
                            .update_ticket(
                                &id,
                                UpdateInput {
                                    status: Some(Status::PendingCustomer),
                                    ..Default::default()
                                },
                            )
                            .await
                    }
                    2 => {
                        store
                            .tickets()
                            .resolve(
                                &id,
                                Resolution {
                                    cause: "worn roller".into(),
                                    solution: "replaced it".into(),
                                    prevention: None,
                                },
                            )
                            .await
                    }
                    3 => store.tickets().reopen(&id).await,
                    4 => store.tickets().close(&id, None).await,
                    _ => {
                        store
                            .tickets()
                            .rate(
                                &id,
                                helpdeck_core::ticket::Csat {
                                    score: 4,
                                    comment: None,
                                },
                            )
                            .await
                    }
                };
            }
        }
        _ => unreachable!(),
    }
}

async fn delete_comment(w: &mut World, r: usize, c: usize) {
    let store = w.replicas[r].store();
    let ids: Vec<(String,)> = sqlx::query_as("SELECT id FROM comments ORDER BY seq")
        .fetch_all(store.pool())
        .await
        .unwrap();
    if ids.is_empty() {
        return;
    }
    let id: Uuid = ids[c % ids.len()].0.parse().unwrap();
    let now = Timestamp::now();
    let op = Op {
        op_id: Uuid::now_v7(),
        entity: Entity::Comment,
        entity_id: id,
        change: Change::DeleteComment,
        hlc: hlc_at(now, store.workspace().device_id),
        at: now,
        device_id: store.workspace().device_id,
        actor_id: store.actor().id,
        schema_version: helpdeck_core::op::OP_SCHEMA_VERSION,
    };
    let resp = w.replicas[r]
        .client
        .push(std::slice::from_ref(&op))
        .await
        .unwrap();
    if resp.acks[0].status == AckStatus::Applied {
        w.deleted.insert(id);
    }
}

async fn step(w: &mut World, s: Step) {
    match s {
        Step::Push {
            r,
            fault,
            future_clock,
        } => push(w, r, fault, future_clock).await,
        Step::Pull { r, replay } => pull(w, r, replay).await,
        Step::DeleteComment { r, c } => delete_comment(w, r, c).await,
        Step::Crash { r } => {
            // The process dies: whatever was not committed is gone; the file stays.
            let store = w.replicas[r].store.take().unwrap();
            drop(store);
            w.replicas[r].store = Some(Store::open(&w.replicas[r].dir).await.unwrap());
        }
        Step::TogglePermission => {
            w.c1_org_admin = !w.c1_org_admin;
            helpdeck_server::update_user(
                &w.db,
                "c1@acme.example",
                None,
                None,
                Some(w.c1_org_admin),
            )
            .await
            .unwrap();
        }
        edit_step => edit(w, &edit_step).await,
    }
}

async fn check(w: &World) {
    // I2: every acknowledged write is on the server.
    for (id, op) in &w.acked {
        let row: Option<(String,)> =
            sqlx::query_as("SELECT status FROM applied_ops WHERE op_id = $1")
                .bind(id.to_string())
                .fetch_optional(&w.db.pool)
                .await
                .unwrap();
        assert_eq!(
            row.map(|r| r.0).as_deref(),
            Some("applied"),
            "I2: acked op {id} lost"
        );
        if op.change.is_create() {
            let table = match op.entity {
                Entity::Ticket => "tickets",
                Entity::Link => "ticket_links",
                Entity::Attachment => "attachments",
                _ => "comments",
            };
            let found: Option<(String,)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT id FROM {table} WHERE id = $1"
            )))
            .bind(op.entity_id.to_string())
            .fetch_optional(&w.db.pool)
            .await
            .unwrap();
            assert!(found.is_some(), "I2: acked create of {} lost", op.entity_id);
        }
    }
    // I6: a delete is never undone.
    for id in &w.deleted {
        let (state,): (String,) = sqlx::query_as("SELECT state FROM comments WHERE id = $1")
            .bind(id.to_string())
            .fetch_one(&w.db.pool)
            .await
            .unwrap();
        let c: helpdeck_core::sync::CommentState = serde_json::from_str(&state).unwrap();
        assert!(c.deleted, "I6: deleted comment {id} came back");
    }
    // I7: no clock on the server beyond the bound.
    let bound = Timestamp::now() + MAX_CLOCK_AHEAD;
    let docs: Vec<(String,)> = sqlx::query_as("SELECT doc FROM tickets")
        .fetch_all(&w.db.pool)
        .await
        .unwrap();
    for (doc,) in docs {
        let d: TicketDoc = serde_json::from_str(&doc).unwrap();
        for (field, stamp) in &d.clocks {
            let t = hlc_time(&stamp.hlc).unwrap();
            assert!(t <= bound, "I7: {field} clock {t} is beyond the bound");
        }
        assert!(
            d.ticket.updated_at <= bound,
            "I7: updated_at beyond the bound"
        );
    }
    let events: Vec<(String,)> = sqlx::query_as("SELECT state FROM events")
        .fetch_all(&w.db.pool)
        .await
        .unwrap();
    for (e,) in events {
        let e: helpdeck_core::sync::EventState = serde_json::from_str(&e).unwrap();
        assert!(e.at <= bound, "I7: event time beyond the bound");
    }
    // Sequence numbers are unique and dense in commit order: no ticket above last_seq.
    let (last,): (i64,) = sqlx::query_as("SELECT last_seq FROM server_meta")
        .fetch_one(&w.db.pool)
        .await
        .unwrap();
    let (max,): (Option<i64>,) = sqlx::query_as("SELECT max(server_seq) FROM tickets")
        .fetch_one(&w.db.pool)
        .await
        .unwrap();
    assert!(
        max.unwrap_or(0) <= last,
        "a ticket carries a seq above last_seq"
    );
}

/// Quiescence: everyone pushes everything and pulls to the head, then all replicas agree.
async fn converge(w: &mut World) {
    for _ in 0..3 {
        for r in 0..REPLICAS {
            loop {
                let before = w.replicas[r]
                    .store()
                    .replica()
                    .pending_ops(1)
                    .await
                    .unwrap()
                    .len();
                if before == 0 {
                    break;
                }
                push(w, r, Fault::None, false).await;
            }
        }
        for r in 0..REPLICAS {
            pull(w, r, false).await;
        }
    }
    if std::env::var("HELPDECK_MODEL_DEBUG").is_ok() {
        let (t,): (i64,) = sqlx::query_as("SELECT count(*) FROM tickets")
            .fetch_one(&w.db.pool)
            .await
            .unwrap();
        let (c,): (i64,) = sqlx::query_as("SELECT count(*) FROM comments")
            .fetch_one(&w.db.pool)
            .await
            .unwrap();
        let (o,): (i64,) = sqlx::query_as("SELECT count(*) FROM applied_ops")
            .fetch_one(&w.db.pool)
            .await
            .unwrap();
        eprintln!(
            "converged: {t} tickets, {c} comments, {o} ops; acked {}, deleted {}",
            w.acked.len(),
            w.deleted.len()
        );
    }
    // I1: the agents hold the same state; every replica equals its server view.
    let a = snapshot(w.replicas[0].store()).await;
    let b = snapshot(w.replicas[1].store()).await;
    assert_eq!(a, b, "I1: agent replicas differ after quiescence");
    for r in 0..REPLICAS {
        let mine = snapshot(w.replicas[r].store()).await;
        assert_eq!(
            mine,
            server_view(w, r).await,
            "I1: replica {r} differs from the server"
        );
        let (_, role, _) = current_user(w, r).await;
        if role == Role::Customer {
            assert!(
                mine.comments.values().all(|(_, v)| v == "public"),
                "I5: a customer store holds an internal note"
            );
        }
    }
}

struct SyncModel;

impl StateMachineTest for SyncModel {
    type SystemUnderTest = World;
    type Reference = Reference;

    fn init_test(_: &Reference) -> World {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let mut w = rt.block_on(setup());
        // The server runs on `rt`; keep it alive inside the world.
        let own = std::mem::replace(&mut w.rt, rt);
        drop(own);
        w
    }

    fn apply(mut w: World, _: &Reference, s: Step) -> World {
        let rt = std::mem::replace(
            &mut w.rt,
            tokio::runtime::Builder::new_current_thread()
                .build()
                .unwrap(),
        );
        rt.block_on(async {
            step(&mut w, s).await;
            check(&w).await;
        });
        w.rt = rt;
        w
    }

    fn teardown(mut w: World, _: Reference) {
        let rt = std::mem::replace(
            &mut w.rt,
            tokio::runtime::Builder::new_current_thread()
                .build()
                .unwrap(),
        );
        rt.block_on(async {
            converge(&mut w).await;
            check(&w).await;
            if let Some(server) = w.server.take() {
                server.stop().await;
            }
        });
    }
}

prop_state_machine! {
    #![proptest_config(ProptestConfig {
        cases: std::env::var("HELPDECK_MODEL_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(24),
        max_shrink_iters: 200,
        failure_persistence: None,
        .. ProptestConfig::default()
    })]
    #[test]
    fn sync_model(sequential 20..70 => SyncModel);
}
