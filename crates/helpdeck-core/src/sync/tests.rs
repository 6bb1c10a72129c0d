use super::*;
use crate::command::{NewTicket, create_ticket};
use crate::ticket::Priority;
use serde_json::{Map, json};

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

fn op(entity_id: Uuid, action: OpAction, t: i64, device: Uuid, actor: &User) -> Op {
    Op {
        op_id: Uuid::now_v7(),
        entity: Entity::Ticket,
        entity_id,
        action,
        hlc: hlc_at(at(t), device),
        at: at(t),
        device_id: device,
        actor_id: actor.id,
        schema_version: 1,
    }
}

fn created(actor: &User, requester: &User) -> TicketDoc {
    let change = create_ticket(
        actor,
        NewTicket {
            title: "Printer jams".into(),
            requester_id: Some(requester.id),
            ..Default::default()
        },
        Uuid::now_v7(),
        0,
        &crate::command::Rules::default(),
        at(0),
    )
    .unwrap();
    let create = op(
        change.ticket.id,
        change.ops[0].clone(),
        0,
        Uuid::now_v7(),
        actor,
    );
    let mut n = 41;
    let mut next = || {
        n += 1;
        n
    };
    let (doc, applied) = apply_ticket_op(None, &create, actor, &mut next, SignedDuration::ZERO)
        .unwrap()
        .unwrap();
    assert_eq!(doc.ticket.number, 42, "the server numbers new tickets");
    assert_eq!(applied[0].field, "created");
    doc
}

fn set(field: &str, value: Value) -> OpAction {
    let mut fields = Map::new();
    fields.insert(field.into(), value);
    OpAction::Set { fields }
}

fn no_number() -> i64 {
    unreachable!("only creates number tickets")
}

#[test]
fn last_writer_wins_by_hlc_then_device_whatever_the_arrival_order() {
    let agent = user(Role::Agent);
    let doc = created(&agent, &user(Role::Customer));
    let (a, b) = (Uuid::from_u128(1), Uuid::from_u128(2));
    let older = op(doc.ticket.id, set("priority", json!("P1")), 10, a, &agent);
    let newer = op(doc.ticket.id, set("priority", json!("P4")), 20, a, &agent);
    let tie = op(doc.ticket.id, set("priority", json!("P2")), 20, b, &agent);
    let w = SignedDuration::ZERO;
    for order in [
        [&older, &newer, &tie],
        [&tie, &newer, &older],
        [&newer, &older, &tie],
    ] {
        let mut d = doc.clone();
        for o in order {
            if let Some((next, _)) =
                apply_ticket_op(Some(&d), o, &agent, &mut no_number, w).unwrap()
            {
                d = next;
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
fn customers_cannot_triage_or_see_others_tickets() {
    let agent = user(Role::Agent);
    let customer = user(Role::Customer);
    let other = user(Role::Customer);
    let doc = created(&agent, &customer);
    let w = SignedDuration::ZERO;
    let triage = op(
        doc.ticket.id,
        set("priority", json!("P1")),
        5,
        Uuid::now_v7(),
        &customer,
    );
    let err = apply_ticket_op(Some(&doc), &triage, &customer, &mut no_number, w).unwrap_err();
    assert!(err.to_string().contains("cannot change priority"), "{err}");
    let touch = op(
        doc.ticket.id,
        set("updated_at", json!(at(5))),
        5,
        Uuid::now_v7(),
        &other,
    );
    let err = apply_ticket_op(Some(&doc), &touch, &other, &mut no_number, w).unwrap_err();
    assert!(err.to_string().contains("another requester"), "{err}");
    let bogus = op(
        doc.ticket.id,
        set("number", json!(7)),
        5,
        Uuid::now_v7(),
        &agent,
    );
    let err = apply_ticket_op(Some(&doc), &bogus, &agent, &mut no_number, w).unwrap_err();
    assert!(err.to_string().contains("writable:"), "{err}");
}

#[test]
fn transitions_are_validated_against_the_servers_state() {
    let agent = user(Role::Agent);
    let doc = created(&agent, &user(Role::Customer));
    let w = SignedDuration::ZERO;
    let to_open = OpAction::Transition {
        from: Status::New,
        to: Status::Open,
        reason: None,
    };
    let (doc, _) = apply_ticket_op(
        Some(&doc),
        &op(doc.ticket.id, to_open, 5, Uuid::now_v7(), &agent),
        &agent,
        &mut no_number,
        w,
    )
    .unwrap()
    .unwrap();
    let close_without_reason = OpAction::Transition {
        from: Status::Open,
        to: Status::Closed,
        reason: None,
    };
    let err = apply_ticket_op(
        Some(&doc),
        &op(
            doc.ticket.id,
            close_without_reason,
            6,
            Uuid::now_v7(),
            &agent,
        ),
        &agent,
        &mut no_number,
        w,
    )
    .unwrap_err();
    assert!(err.to_string().contains("reason"), "{err}");
}

#[test]
fn far_future_clocks_are_clamped() {
    let agent = user(Role::Agent);
    let mut o = op(
        Uuid::now_v7(),
        set("priority", json!("P1")),
        86_400 * 365,
        Uuid::now_v7(),
        &agent,
    );
    assert!(clamp_clock(&mut o, at(0)));
    assert_eq!(o.at, at(0));
    assert_eq!(hlc_time(&o.hlc).unwrap().as_second(), at(0).as_second());
    let mut fine = op(
        Uuid::now_v7(),
        set("priority", json!("P1")),
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
    let id = Uuid::now_v7();
    let mut create = op(
        id,
        OpAction::Create {
            state: json!({"id": id, "ticket_id": doc.ticket.id, "visibility": "internal", "body": "hi"}),
        },
        5,
        Uuid::now_v7(),
        &agent,
    );
    create.entity = Entity::Comment;
    let c = apply_comment_op(None, Some(&doc.ticket), &create, &agent)
        .unwrap()
        .unwrap();
    assert_eq!(c.visibility, Visibility::Internal);
    let mut delete = op(id, OpAction::Delete, 6, Uuid::now_v7(), &agent);
    delete.entity = Entity::Comment;
    let gone = apply_comment_op(Some(&c), Some(&doc.ticket), &delete, &agent)
        .unwrap()
        .unwrap();
    assert!(gone.deleted);
    // The create arriving again (older, replayed) changes nothing.
    assert!(
        apply_comment_op(Some(&gone), Some(&doc.ticket), &create, &agent)
            .unwrap()
            .is_none()
    );
    // Customers never write internal notes.
    let customer = user(Role::Customer);
    let err = apply_comment_op(None, Some(&doc.ticket), &create, &customer).unwrap_err();
    assert!(err.to_string().contains("internal"), "{err}");
}

#[test]
fn rebase_keeps_pending_changes_on_top_of_pulled_state() {
    let agent = user(Role::Agent);
    let doc = created(&agent, &user(Role::Customer));
    let mut server = doc.ticket.clone();
    server.title = "Printer jams on floor 2".into();
    let pending = vec![op(
        doc.ticket.id,
        set("priority", json!("P1")),
        9,
        Uuid::now_v7(),
        &agent,
    )];
    let t = rebase(server, &pending);
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
    let seen = redact_ticket(&customer, &t);
    assert_eq!(seen.assignee_id, None);
    assert!(seen.tags.is_empty());
    assert_eq!(redact_ticket(&agent, &t), t);
}
