use std::collections::HashMap;

use super::*;
use crate::apply::{Directory, Person, Rules};
use crate::op::{CommentDraft, TicketDraft, TicketFields};
use crate::status::Status;
use crate::ticket::{Csat, Priority};

fn user(role: Role) -> User {
    User {
        id: Uuid::now_v7(),
        email: "a@example.com".into(),
        name: "A".into(),
        role,
        organization_id: None,
        org_admin: false,
        team_id: None,
        tier: None,
        field: false,
        created_at: Timestamp::UNIX_EPOCH,
    }
}

fn at(s: i64) -> Timestamp {
    Timestamp::from_second(1_790_000_000 + s).unwrap()
}

#[derive(Default)]
struct People(HashMap<Uuid, Person>);

impl People {
    fn of(users: &[&User]) -> People {
        People(
            users
                .iter()
                .map(|u| {
                    (
                        u.id,
                        Person {
                            role: u.role,
                            organization_id: u.organization_id,
                        },
                    )
                })
                .collect(),
        )
    }
}

impl Directory for People {
    fn person(&self, id: Uuid) -> Option<Person> {
        self.0.get(&id).copied()
    }
    fn team_exists(&self, _: Uuid) -> bool {
        false
    }
}

fn op(entity_id: Uuid, change: Change, t: i64, device: Uuid, actor: &User) -> Op {
    Op {
        op_id: Uuid::now_v7(),
        entity: change.entity(),
        entity_id,
        change,
        hlc: hlc_at(at(t), device),
        at: at(t),
        device_id: device,
        actor_id: actor.id,
        schema_version: crate::op::OP_SCHEMA_VERSION,
    }
}

/// Merges as the server does at `now` (= the op's time unless given).
fn server(
    doc: Option<&TicketDoc>,
    comment: Option<&CommentState>,
    o: &Op,
    actor: &User,
    people: &People,
) -> Result<Option<Merged>, DomainError> {
    let rules = Rules {
        local_workspace: false,
        ..Rules::default()
    };
    let ctx = Context {
        actor,
        rules: &rules,
        now: at(100),
        directory: people,
    };
    merge(doc, comment, o, &ctx)
}

fn created(actor: &User, requester: &User) -> TicketDoc {
    let people = People::of(&[actor, requester]);
    let create = op(
        Uuid::now_v7(),
        Change::CreateTicket(TicketDraft {
            title: "Printer jams".into(),
            requester_id: Some(requester.id),
            ..Default::default()
        }),
        0,
        Uuid::now_v7(),
        actor,
    );
    let m = server(None, None, &create, actor, &people)
        .unwrap()
        .unwrap();
    assert_eq!(m.audit[0].field, "created");
    m.doc
}

fn priority(p: Priority) -> Change {
    Change::UpdateTicket(TicketFields {
        priority: Some(p),
        ..Default::default()
    })
}

#[test]
fn last_writer_wins_by_hlc_then_device_whatever_the_arrival_order() {
    let agent = user(Role::Agent);
    let doc = created(&agent, &user(Role::Customer));
    let (a, b) = (Uuid::from_u128(1), Uuid::from_u128(2));
    let older = op(doc.ticket.id, priority(Priority::P1), 10, a, &agent);
    let newer = op(doc.ticket.id, priority(Priority::P4), 20, a, &agent);
    let tie = op(doc.ticket.id, priority(Priority::P2), 20, b, &agent);
    let people = People::of(&[&agent]);
    for order in [
        [&older, &newer, &tie],
        [&tie, &newer, &older],
        [&newer, &older, &tie],
    ] {
        let mut d = doc.clone();
        for o in order {
            if let Some(m) = server(Some(&d), None, o, &agent, &people).unwrap() {
                d = m.doc;
            }
        }
        assert_eq!(
            d.ticket.priority,
            Priority::P2,
            "(20, device 2) is the latest write"
        );
    }
}

#[test]
fn customers_cannot_triage_and_others_tickets_answer_like_missing_ones() {
    let agent = user(Role::Agent);
    let customer = user(Role::Customer);
    let other = user(Role::Customer);
    let doc = created(&agent, &customer);
    let people = People::of(&[&agent, &customer, &other]);
    let triage = op(
        doc.ticket.id,
        priority(Priority::P1),
        5,
        Uuid::now_v7(),
        &customer,
    );
    let err = server(Some(&doc), None, &triage, &customer, &people).unwrap_err();
    assert!(err.to_string().contains("cannot change priority"), "{err}");
    assert_eq!(err.code(), "forbidden");
    let theirs = op(
        doc.ticket.id,
        priority(Priority::P1),
        5,
        Uuid::now_v7(),
        &other,
    );
    let hidden = server(Some(&doc), None, &theirs, &other, &people).unwrap_err();
    let missing = server(None, None, &theirs, &other, &people).unwrap_err();
    assert_eq!(hidden.code(), "not_found");
    assert_eq!(
        hidden.to_string(),
        missing.to_string(),
        "an invisible ticket answers like a missing one"
    );
}

#[test]
fn transitions_are_validated_against_the_servers_state() {
    let agent = user(Role::Agent);
    let doc = created(&agent, &user(Role::Customer));
    let people = People::of(&[&agent]);
    let to_open = Change::Transition {
        from: Status::New,
        to: Status::Open,
        reason: None,
    };
    let o = op(doc.ticket.id, to_open, 5, Uuid::now_v7(), &agent);
    let doc = server(Some(&doc), None, &o, &agent, &people)
        .unwrap()
        .unwrap()
        .doc;
    let close_without_reason = Change::Transition {
        from: Status::Open,
        to: Status::Closed,
        reason: None,
    };
    let o = op(
        doc.ticket.id,
        close_without_reason,
        6,
        Uuid::now_v7(),
        &agent,
    );
    let err = server(Some(&doc), None, &o, &agent, &people).unwrap_err();
    assert!(err.to_string().contains("reason"), "{err}");
    let resolve_bare = Change::Transition {
        from: Status::Open,
        to: Status::Resolved,
        reason: None,
    };
    let o = op(doc.ticket.id, resolve_bare, 6, Uuid::now_v7(), &agent);
    let err = server(Some(&doc), None, &o, &agent, &people).unwrap_err();
    assert!(err.to_string().contains("cause and a solution"), "{err}");
}

#[test]
fn op_times_are_bounded_by_the_deciding_clock() {
    let agent = user(Role::Agent);
    let people = People::of(&[&agent]);
    let mut create = op(
        Uuid::now_v7(),
        Change::CreateTicket(TicketDraft {
            title: "Backdated".into(),
            ..Default::default()
        }),
        0,
        Uuid::now_v7(),
        &agent,
    );
    create.at = Timestamp::from_second(978_307_200).unwrap(); // 2001
    let m = server(None, None, &create, &agent, &people)
        .unwrap()
        .unwrap();
    assert_eq!(
        m.doc.ticket.created_at,
        at(100) - crate::apply::MAX_CLOCK_BEHIND
    );
    create.at = at(100_000);
    let m = server(None, None, &create, &agent, &people)
        .unwrap()
        .unwrap();
    assert_eq!(
        m.doc.ticket.created_at,
        at(100),
        "no ticket from the future"
    );
}

#[test]
fn far_future_clocks_are_clamped() {
    let agent = user(Role::Agent);
    let mut o = op(
        Uuid::now_v7(),
        priority(Priority::P1),
        86_400 * 365,
        Uuid::now_v7(),
        &agent,
    );
    assert!(clamp_clock(&mut o, at(0)));
    assert_eq!(o.at, at(0));
    assert_eq!(hlc_time(&o.hlc).unwrap().as_second(), at(0).as_second());
    let mut fine = op(
        Uuid::now_v7(),
        priority(Priority::P1),
        30,
        Uuid::now_v7(),
        &agent,
    );
    assert!(
        !clamp_clock(&mut fine, at(0)),
        "30 s ahead is within the bound"
    );
}

#[test]
fn a_deleted_comment_stays_deleted() {
    let agent = user(Role::Agent);
    let doc = created(&agent, &user(Role::Customer));
    let people = People::of(&[&agent]);
    let id = Uuid::now_v7();
    let create = op(
        id,
        Change::AddComment(CommentDraft {
            ticket_id: doc.ticket.id,
            visibility: Visibility::Internal,
            body: "hi".into(),
        }),
        5,
        Uuid::now_v7(),
        &agent,
    );
    let c = server(Some(&doc), None, &create, &agent, &people)
        .unwrap()
        .unwrap();
    let c = c.comment.unwrap();
    assert_eq!(c.visibility, Visibility::Internal);
    let delete = op(id, Change::DeleteComment, 6, Uuid::now_v7(), &agent);
    let gone = server(Some(&doc), Some(&c), &delete, &agent, &people)
        .unwrap()
        .unwrap()
        .comment
        .unwrap();
    assert!(gone.deleted);
    // The create arriving again (older, replayed) changes nothing.
    assert!(
        server(Some(&doc), Some(&gone), &create, &agent, &people)
            .unwrap()
            .is_none()
    );
    // Customers never write internal notes.
    let customer = user(Role::Customer);
    let mut theirs = doc.clone();
    theirs.ticket.requester_id = Some(customer.id);
    let err = server(Some(&theirs), None, &create, &customer, &people).unwrap_err();
    assert!(err.to_string().contains("internal"), "{err}");
}

#[test]
fn a_rating_is_the_requesters_once_and_in_range() {
    let agent = user(Role::Agent);
    let customer = user(Role::Customer);
    let mut doc = created(&agent, &customer);
    doc.ticket.status = Status::Resolved;
    let people = People::of(&[&agent, &customer]);
    let rate = |score: u8, comment: &str| {
        Change::Rate(Csat {
            score,
            comment: Some(comment.to_string()),
        })
    };
    let by_agent = op(doc.ticket.id, rate(5, "ok"), 5, Uuid::now_v7(), &agent);
    assert!(server(Some(&doc), None, &by_agent, &agent, &people).is_err());
    let zero = op(doc.ticket.id, rate(0, "ok"), 5, Uuid::now_v7(), &customer);
    assert!(server(Some(&doc), None, &zero, &customer, &people).is_err());
    let essay = op(
        doc.ticket.id,
        rate(3, &"x".repeat(100_000)),
        5,
        Uuid::now_v7(),
        &customer,
    );
    assert!(server(Some(&doc), None, &essay, &customer, &people).is_err());
    let good = op(
        doc.ticket.id,
        rate(4, "quick"),
        5,
        Uuid::now_v7(),
        &customer,
    );
    let rated = server(Some(&doc), None, &good, &customer, &people)
        .unwrap()
        .unwrap()
        .doc;
    assert_eq!(rated.ticket.csat.as_ref().unwrap().score, 4);
    let again = op(
        doc.ticket.id,
        rate(1, "changed my mind"),
        6,
        Uuid::now_v7(),
        &customer,
    );
    assert!(server(Some(&rated), None, &again, &customer, &people).is_err());
}

#[test]
fn rebase_keeps_pending_changes_on_top_of_pulled_state() {
    let agent = user(Role::Agent);
    let doc = created(&agent, &user(Role::Customer));
    let mut pulled = doc.ticket.clone();
    pulled.title = "Printer jams on floor 2".into();
    let pending = vec![op(
        doc.ticket.id,
        priority(Priority::P1),
        9,
        Uuid::now_v7(),
        &agent,
    )];
    let rules = Rules::default();
    let ctx = Context {
        actor: &agent,
        rules: &rules,
        now: at(10),
        directory: &TrustingDirectory,
    };
    let t = rebase(pulled, &pending, &ctx);
    assert_eq!(t.priority, Priority::P1);
    assert_eq!(t.title, "Printer jams on floor 2");
}

#[test]
fn customers_get_no_agent_only_fields() {
    let agent = user(Role::Agent);
    let customer = user(Role::Customer);
    let mut t = created(&agent, &customer).ticket;
    t.assignee_id = Some(agent.id);
    t.tags = vec!["vip".into()];
    t.team_id = Some(uuid::Uuid::from_u128(7));
    let seen = redact_ticket(&customer, &t);
    // Who handles it is the requester's to see (spec §1); team and tags are not.
    assert_eq!(seen.assignee_id, Some(agent.id));
    assert_eq!(seen.team_id, None);
    assert!(seen.tags.is_empty());
    assert_eq!(redact_ticket(&agent, &t), t);
}
