//! One rule, one place (spec §6, conventions 24): operation sequences from several actors —
//! agent, admin, the requester, another customer and the system — applied on the local path
//! (what a replica's store does: `command::apply_change` on the plain ticket) and on the
//! server path (`sync::merge` over the stored document with its per-field clocks, time
//! bounding and last-writer-wins) reach the same state after every step and refuse the same
//! operations with the same reason code.

use std::collections::HashMap;

use helpdeck_core::apply::{Context, Directory, Person, Rules};
use helpdeck_core::command::apply_change;
use helpdeck_core::escalation::Escalation;
use helpdeck_core::followup::{FollowUpDone, Level, Outcome as FollowUpOutcome};
use helpdeck_core::op::{Change, CommentDraft, OP_SCHEMA_VERSION, Op, TicketDraft, TicketFields};
use helpdeck_core::record::Visibility;
use helpdeck_core::status::Status;
use helpdeck_core::sync::{CommentState, TicketDoc, hlc_at, merge};
use helpdeck_core::ticket::{Csat, Kind, Priority, Resolution, Ticket, Tier};
use helpdeck_core::user::{Role, User};
use helpdeck_core::{Timestamp, Uuid};
use proptest::prelude::*;

fn person(id: u128, role: Role, org: Option<Uuid>) -> User {
    User {
        id: Uuid::from_u128(id),
        email: format!("u{id}@example.com"),
        name: format!("U{id}"),
        role,
        organization_id: org,
        org_admin: false,
        team_id: None,
        tier: None,
        field: false,
        created_at: Timestamp::UNIX_EPOCH,
    }
}

struct People(HashMap<Uuid, Person>);

impl Directory for People {
    fn person(&self, id: Uuid) -> Option<Person> {
        self.0.get(&id).copied()
    }
    fn team_exists(&self, _: Uuid) -> bool {
        false
    }
}

/// The cast: 0 agent, 1 admin, 2 the requester, 3 a customer of another organization,
/// 4 the system actor.
fn cast() -> Vec<User> {
    let acme = Some(Uuid::from_u128(100));
    let globex = Some(Uuid::from_u128(200));
    vec![
        person(1, Role::Agent, None),
        person(2, Role::Admin, None),
        person(3, Role::Customer, acme),
        person(4, Role::Customer, globex),
        User::system(),
    ]
}

fn arb_status() -> impl Strategy<Value = Status> {
    prop::sample::select(Status::ALL.to_vec())
}

fn arb_text() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just("  ".to_string()),
        "[a-z 网络打印]{1,12}",
        Just("x".repeat(300)),
    ]
}

/// One change, with the index of its actor. Comments refer to earlier ones by index.
fn arb_step() -> impl Strategy<Value = (usize, StepKind)> {
    let kind = prop_oneof![
        (
            proptest::option::of(arb_text()),
            proptest::option::of(prop::sample::select(Priority::ALL.to_vec())),
            proptest::option::of(prop::sample::select(vec![
                "hardware".to_string(),
                "network".to_string(),
                "printers".to_string(),
            ])),
            proptest::option::of(proptest::option::of(0usize..4)),
            proptest::option::of(prop::sample::select(Tier::ALL.to_vec())),
            proptest::option::of(prop::sample::select(Kind::ALL.to_vec())),
        )
            .prop_map(|(title, priority, category, assignee, tier, kind)| {
                StepKind::Update {
                    title,
                    priority,
                    category,
                    assignee,
                    tier,
                    kind,
                }
            }),
        (arb_status(), proptest::option::of(arb_text()))
            .prop_map(|(to, reason)| StepKind::Transition { to, reason }),
        (arb_text(), arb_text())
            .prop_map(|(cause, solution)| StepKind::Resolve { cause, solution }),
        (0u8..7, proptest::option::of(arb_text()))
            .prop_map(|(score, comment)| StepKind::Rate { score, comment }),
        (
            prop::sample::select(Level::ALL.to_vec()),
            any::<bool>(),
            arb_text(),
            proptest::option::of(0usize..5),
        )
            .prop_map(|(level, recovered, note, next)| StepKind::FollowUp {
                level,
                recovered,
                note,
                next,
            }),
        (
            prop::sample::select(Tier::ALL.to_vec()),
            arb_text(),
            arb_text()
        )
            .prop_map(|(tier, reason, impact)| StepKind::Escalate {
                tier,
                reason,
                impact
            }),
        (any::<bool>(), arb_text()).prop_map(|(public, body)| StepKind::Comment { public, body }),
        (0usize..4).prop_map(StepKind::DeleteComment),
        (-40i64..3).prop_map(StepKind::Wait),
    ];
    (0usize..5, kind)
}

#[derive(Debug, Clone)]
enum StepKind {
    Update {
        title: Option<String>,
        priority: Option<Priority>,
        category: Option<String>,
        assignee: Option<Option<usize>>,
        tier: Option<Tier>,
        kind: Option<Kind>,
    },
    Transition {
        to: Status,
        reason: Option<String>,
    },
    Resolve {
        cause: String,
        solution: String,
    },
    Rate {
        score: u8,
        comment: Option<String>,
    },
    Comment {
        public: bool,
        body: String,
    },
    DeleteComment(usize),
    /// A follow-up callback's outcome (next: the next level's owner, by user index).
    FollowUp {
        level: Level,
        recovered: bool,
        note: String,
        next: Option<usize>,
    },
    /// Time passes (days; negative: the op claims a time that far back).
    Wait(i64),
    Escalate {
        tier: Tier,
        reason: String,
        impact: String,
    },
}

fn outcome_code<T>(r: &Result<Option<T>, helpdeck_core::DomainError>) -> &'static str {
    match r {
        Ok(Some(_)) => "applied",
        Ok(None) => "unchanged",
        Err(e) => e.code(),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn local_and_server_paths_decide_alike(steps in prop::collection::vec(arb_step(), 1..40)) {
        let users = cast();
        let people = People(users.iter().map(|u| (u.id, Person { role: u.role, organization_id: u.organization_id })).collect());
        let rules = Rules { local_workspace: false, ..Rules::default() };
        let device = Uuid::from_u128(9);
        let start = Timestamp::from_second(1_790_000_000).unwrap();
        let mut now = start;
        let mut tick = 0i64;
        let ticket_id = Uuid::from_u128(1000);
        let mut comment_ids: Vec<Uuid> = Vec::new();

        // Both sides start from the same ticket, filed by the agent for the requester.
        fn ctx<'a>(actor: &'a User, rules: &'a Rules, people: &'a People, now: Timestamp) -> Context<'a> {
            Context { actor, rules, now, directory: people }
        }
        let create = Change::CreateTicket(TicketDraft { title: "Printer jams".into(), requester_id: Some(users[2].id), ..Default::default() });
        let local0 = apply_change(None, ticket_id, create.clone(), &ctx(&users[0], &rules, &people, now)).unwrap();
        let mut local: Ticket = local0.ticket.clone();
        let mut local_comments: HashMap<Uuid, CommentState> = HashMap::new();
        // One device: its hybrid clock only moves forward, whatever time an op claims.
        let op = |entity_id: Uuid, change: Change, actor: &User, at: Timestamp, tick: i64| Op {
            op_id: Uuid::now_v7(),
            entity: change.entity(),
            entity_id,
            change,
            hlc: hlc_at(start + jiff::SignedDuration::from_millis(tick), device),
            at,
            device_id: device,
            actor_id: actor.id,
            schema_version: OP_SCHEMA_VERSION,
        };
        let mut server: TicketDoc = merge(None, None, &op(ticket_id, create, &users[0], now, tick), &ctx(&users[0], &rules, &people, now)).unwrap().unwrap().doc;
        let mut server_comments: HashMap<Uuid, CommentState> = HashMap::new();
        prop_assert_eq!(&server.ticket, &local);

        for (who, kind) in steps {
            tick += 1;
            let actor = &users[who];
            let mut at = now;
            let (entity_id, change) = match kind {
                StepKind::Wait(days) if days >= 0 => {
                    now += jiff::SignedDuration::from_hours(24 * days + 1);
                    continue;
                }
                StepKind::Wait(days) => {
                    // A claim from the past (a backdated or long-offline op): a priority change.
                    at = now + jiff::SignedDuration::from_hours(24 * days);
                    (ticket_id, Change::UpdateTicket(TicketFields { priority: Some(Priority::P2), ..Default::default() }))
                }
                StepKind::Update { title, priority, category, assignee, tier, kind } => (ticket_id, Change::UpdateTicket(TicketFields {
                    title, priority, category, tier, kind,
                    assignee_id: assignee.map(|a| a.map(|i| users[i].id)),
                    ..Default::default()
                })),
                StepKind::Transition { to, reason } => (ticket_id, Change::Transition { from: local.status, to, reason }),
                StepKind::Resolve { cause, solution } => (ticket_id, Change::Resolve(Resolution { cause, solution, prevention: None })),
                StepKind::Rate { score, comment } => (ticket_id, Change::Rate(Csat { score, comment })),
                StepKind::FollowUp { level, recovered, note, next } => (ticket_id, Change::FollowUp(FollowUpDone {
                    level,
                    outcome: if recovered { FollowUpOutcome::Recovered } else { FollowUpOutcome::NotRecovered },
                    note,
                    next_owner: next.map(|i| users[i].id),
                })),
                StepKind::Escalate { tier, reason, impact } => (ticket_id, Change::Escalate(Escalation { tier, reason, impact })),
                StepKind::Comment { public, body } => {
                    let id = Uuid::from_u128(2000 + tick as u128);
                    comment_ids.push(id);
                    (id, Change::AddComment(CommentDraft { ticket_id, visibility: if public { Visibility::Public } else { Visibility::Internal }, body }))
                }
                StepKind::DeleteComment(i) => match comment_ids.get(i) {
                    Some(id) => (*id, Change::DeleteComment),
                    None => continue,
                },
            };
            let c = ctx(actor, &rules, &people, now);
            // Local path: the store's apply of one change, at the device's "now" = op time.
            let local_result = helpdeck_core::apply::apply(
                helpdeck_core::apply::Target { ticket: Some(&local), comment: local_comments.get(&entity_id), ..Default::default() },
                entity_id, &change, at, &c,
            );
            // Server path: the merge of the op with clocks and bounds.
            let o = op(entity_id, change, actor, at, tick);
            let server_result = merge(Some(&server), server_comments.get(&entity_id), &o, &c);
            prop_assert_eq!(outcome_code(&local_result), outcome_code(&server_result), "step by {:?}: {:?}", actor.role, o.change);
            if let (Err(l), Err(s)) = (&local_result, &server_result) {
                prop_assert_eq!(l.to_string(), s.to_string());
            }
            if let Ok(Some(out)) = local_result {
                local = out.ticket;
                if let Some(cm) = out.comment { local_comments.insert(cm.id, cm); }
            }
            if let Ok(Some(m)) = server_result {
                server = m.doc;
                if let Some(cm) = m.comment { server_comments.insert(cm.id, cm); }
            }
            prop_assert_eq!(&server.ticket, &local);
            prop_assert_eq!(&server_comments, &local_comments);
        }
    }
}
