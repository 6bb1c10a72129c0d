use super::*;
use crate::apply::Rules;
use crate::command::{NewTicket, apply_macro as apply_to_ticket, create_ticket};
use crate::user::Role;

fn user(role: Role) -> User {
    crate::testing::person(role, Some("王芳"))
}

use crate::testing::now;

fn ctx<'a>(actor: &'a User, rules: &'a Rules) -> Context<'a> {
    crate::testing::context(actor, rules)
}

fn draft(personal: bool) -> MacroDraft {
    MacroDraft {
        name: "等待客户确认".into(),
        body: "{requester.name}，您好：{ticket.number} 已处理，请在 {sla.resolution_due} 前确认。——{agent.name}".into(),
        actions: MacroActions {
            status: Some(Status::PendingCustomer),
            priority: Some(Priority::P2),
            assignee: Some(MacroAssignee::Me),
            add_tags: vec!["Waiting".into()],
            ..Default::default()
        },
        personal,
    }
}

#[test]
fn macros_are_checked_and_personal_ones_are_their_owners() {
    let rules = Rules::default();
    let wang = user(Role::Agent);
    let li = user(Role::Agent);
    let id = Uuid::now_v7();
    let m = apply_macro(
        None,
        id,
        &Change::CreateMacro(draft(true)),
        now(),
        &ctx(&wang, &rules),
    )
    .unwrap()
    .unwrap();
    assert_eq!(m.owner_id, Some(wang.id));
    assert_eq!(m.actions.add_tags, vec!["waiting"]);
    assert!(macro_visible(&wang, &m) && !macro_visible(&li, &m));
    // Another agent cannot see, edit or delete it.
    let err =
        apply_macro(Some(&m), id, &Change::DeleteMacro, now(), &ctx(&li, &rules)).unwrap_err();
    assert_eq!(err.code(), "not_found");

    let mut bad = draft(false);
    bad.body = "您好 {customer.phone}".into();
    let err = apply_macro(
        None,
        id,
        &Change::CreateMacro(bad),
        now(),
        &ctx(&wang, &rules),
    )
    .unwrap_err();
    assert!(
        err.to_string()
            .contains("{customer.phone} is not a placeholder"),
        "{err}"
    );
    assert!(
        err.to_string().contains("{requester.name}"),
        "the allowed ones are named: {err}"
    );
    let mut bad = draft(false);
    bad.actions.status = Some(Status::Resolved);
    let err = apply_macro(
        None,
        id,
        &Change::CreateMacro(bad),
        now(),
        &ctx(&wang, &rules),
    )
    .unwrap_err();
    assert_eq!(err.field(), Some("status"), "{err}");
    let customer = user(Role::Customer);
    let err = apply_macro(
        None,
        id,
        &Change::CreateMacro(draft(false)),
        now(),
        &ctx(&customer, &rules),
    )
    .unwrap_err();
    assert_eq!(err.code(), "forbidden");

    let deleted = apply_macro(
        Some(&m),
        id,
        &Change::DeleteMacro,
        now(),
        &ctx(&wang, &rules),
    )
    .unwrap()
    .unwrap();
    assert!(deleted.deleted);
    let err = apply_macro(
        Some(&deleted),
        id,
        &Change::UpdateMacro(MacroFields {
            name: Some("x".into()),
            ..Default::default()
        }),
        now(),
        &ctx(&wang, &rules),
    )
    .unwrap_err();
    assert_eq!(err.code(), "not_found", "a deleted macro takes no edit");
}

#[test]
fn applying_a_macro_replies_with_placeholders_and_changes_fields_in_one_command() {
    let rules = Rules::default();
    let wang = user(Role::Agent);
    let c = ctx(&wang, &rules);
    let m = apply_macro(
        None,
        Uuid::now_v7(),
        &Change::CreateMacro(draft(false)),
        now(),
        &c,
    )
    .unwrap()
    .unwrap();
    let t = create_ticket(
        NewTicket {
            title: "VPN 断线".into(),
            ..Default::default()
        },
        Uuid::now_v7(),
        7,
        &c,
    )
    .unwrap()
    .ticket;
    let p = Placeholders {
        requester_name: "周敏".into(),
        ticket_number: "HD-7".into(),
        ticket_title: t.title.clone(),
        agent_name: wang.name.clone(),
        sla_resolution_due: "12月8日 17:00".into(),
        workspace_name: "上海办公室".into(),
    };
    let d = apply_to_ticket(&t, &m, &p, Uuid::now_v7(), &c).unwrap();
    let reply = d.steps[0].outcome.comment.as_ref().unwrap();
    assert_eq!(
        reply.body,
        "周敏，您好：HD-7 已处理，请在 12月8日 17:00 前确认。——王芳"
    );
    assert_eq!(d.ticket.status, Status::PendingCustomer);
    assert_eq!(d.ticket.priority, Priority::P2);
    assert_eq!(d.ticket.assignee_id, Some(wang.id));
    assert_eq!(d.ticket.tags, vec!["waiting"]);
    // Applied again, it only replies (everything else is so already).
    let again = apply_to_ticket(&d.ticket, &m, &p, Uuid::now_v7(), &c).unwrap();
    assert_eq!(again.steps.len(), 1);
}

#[test]
fn concurrent_macro_edits_keep_the_newest_field_and_a_delete_wins() {
    let rules = Rules::default();
    let wang = user(Role::Agent);
    let c = ctx(&wang, &rules);
    let id = Uuid::now_v7();
    let op = |change: Change, hlc: &str| Op {
        op_id: Uuid::now_v7(),
        entity: change.entity(),
        entity_id: id,
        change,
        hlc: hlc.into(),
        at: now(),
        device_id: Uuid::nil(),
        actor_id: wang.id,
        schema_version: crate::op::OP_SCHEMA_VERSION,
    };
    let doc = merge_macro(None, &op(Change::CreateMacro(draft(false)), "0001"), &c)
        .unwrap()
        .unwrap();
    let newer = merge_macro(
        Some(&doc),
        &op(
            Change::UpdateMacro(MacroFields {
                name: Some("新名字".into()),
                ..Default::default()
            }),
            "0003",
        ),
        &c,
    )
    .unwrap()
    .unwrap();
    // An older edit of the same field arrives late: it loses.
    let late = merge_macro(
        Some(&newer),
        &op(
            Change::UpdateMacro(MacroFields {
                name: Some("旧名字".into()),
                ..Default::default()
            }),
            "0002",
        ),
        &c,
    )
    .unwrap();
    assert!(late.is_none());
    let gone = merge_macro(Some(&newer), &op(Change::DeleteMacro, "0002"), &c)
        .unwrap()
        .unwrap();
    assert!(gone.macro_.deleted, "a delete wins whatever its clock");
}
