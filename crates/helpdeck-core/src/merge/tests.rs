use super::*;
use crate::apply::{Rules, Target, apply};
use crate::command::{NewTicket, create_ticket};
use crate::op::Change;
use crate::record::Visibility;
use crate::user::Role;

fn user(role: Role) -> User {
    crate::testing::person(role, None)
}

use crate::testing::now;

fn ctx<'a>(actor: &'a User, rules: &'a Rules) -> Context<'a> {
    crate::testing::context(actor, rules)
}

fn ticket(c: &Context<'_>, number: i64, title: &str, requester: Uuid) -> Ticket {
    let mut t = create_ticket(
        NewTicket {
            title: title.into(),
            description: "每次打印都卡纸".into(),
            ..Default::default()
        },
        Uuid::now_v7(),
        number,
        c,
    )
    .unwrap()
    .ticket;
    t.requester_id = Some(requester);
    t
}

fn comment(t: &Ticket, visibility: Visibility, body: &str, deleted: bool) -> CommentState {
    CommentState {
        id: Uuid::now_v7(),
        ticket_id: t.id,
        author_id: t.requester_id.unwrap(),
        visibility,
        by_agent: false,
        body: body.into(),
        created_at: now(),
        deleted,
    }
}

#[test]
fn a_merge_copies_the_public_conversation_and_closes_the_duplicate() {
    let rules = Rules::default();
    let agent = user(Role::Agent);
    let carol = user(Role::Customer);
    let c = ctx(&agent, &rules);
    let keep = ticket(&c, 1, "三楼打印机卡纸", carol.id);
    let mut dup = ticket(&c, 2, "打印机又卡纸了", carol.id);
    dup.status = Status::InProgress;
    let comments = vec![
        comment(&dup, Visibility::Public, "还是卡", false),
        comment(&dup, Visibility::Internal, "INTERNAL: 定影器坏了", false),
        comment(&dup, Visibility::Public, "删掉的话", true),
    ];

    let from = apply(
        Target {
            ticket: Some(&keep),
            other: Some(&dup),
            other_comments: &comments,
            ..Target::default()
        },
        keep.id,
        &Change::MergeFrom { duplicate: dup.id },
        now(),
        &c,
    )
    .unwrap()
    .unwrap();
    let copies = &from.imported.as_ref().unwrap().comments;
    assert_eq!(
        copies.len(),
        2,
        "the request and the one public reply: {copies:?}"
    );
    assert!(copies[0].body.starts_with("**打印机又卡纸了** (HD-2)"));
    assert_eq!(
        copies[0].author_id, carol.id,
        "the request is its requester's"
    );
    assert_eq!(copies[0].created_at, dup.created_at, "dated as it was");
    assert_eq!(copies[1].body, "还是卡");
    assert_eq!(copies[1].id, copy_id(keep.id, comments[0].id));
    assert!(
        copies
            .iter()
            .all(|c| c.ticket_id == keep.id && c.visibility == Visibility::Public)
    );
    assert_eq!(from.audit[0].field, "merged_from");
    assert_eq!(from.audit[0].to.as_deref(), Some("HD-2"));

    let into = apply(
        Target {
            ticket: Some(&dup),
            other: Some(&keep),
            ..Target::default()
        },
        dup.id,
        &Change::MergeInto { into: keep.id },
        now(),
        &c,
    )
    .unwrap()
    .unwrap();
    assert_eq!(
        into.ticket.status,
        Status::Closed,
        "closed from in progress"
    );
    assert_eq!(into.ticket.merged_into, Some(keep.id));
    let link = into.link.as_ref().unwrap();
    assert_eq!(
        (link.kind, link.to_ticket),
        (LinkKind::DuplicateOf, keep.id)
    );
    let fields: Vec<&str> = into.audit.iter().map(|a| a.field).collect();
    assert_eq!(fields, ["status", "close_reason", "merged_into", "link"]);

    // Repeats (another replica merging the same pair) change nothing.
    let merged = into.ticket.clone();
    let again = apply(
        Target {
            ticket: Some(&keep),
            other: Some(&merged),
            other_comments: &comments,
            ..Target::default()
        },
        keep.id,
        &Change::MergeFrom { duplicate: dup.id },
        now(),
        &c,
    )
    .unwrap();
    assert!(again.is_none());
    let again = apply(
        Target {
            ticket: Some(&merged),
            other: Some(&keep),
            ..Target::default()
        },
        dup.id,
        &Change::MergeInto { into: keep.id },
        now(),
        &c,
    )
    .unwrap();
    assert!(again.is_none());
}

#[test]
fn a_merge_is_refused_into_itself_into_a_closed_ticket_and_to_customers() {
    let rules = Rules::default();
    let agent = user(Role::Agent);
    let carol = user(Role::Customer);
    let c = ctx(&agent, &rules);
    let keep = ticket(&c, 1, "VPN 断线", carol.id);
    let dup = ticket(&c, 2, "VPN 又断了", carol.id);
    let into = |dup: &Ticket, keep: &Ticket, c: &Context<'_>| {
        apply(
            Target {
                ticket: Some(dup),
                other: Some(keep),
                ..Target::default()
            },
            dup.id,
            &Change::MergeInto { into: keep.id },
            now(),
            c,
        )
    };
    let err = into(&dup, &dup, &c).unwrap_err();
    assert!(err.to_string().contains("into itself"), "{err}");
    let mut closed = keep.clone();
    closed.status = Status::Closed;
    let err = into(&dup, &closed, &c).unwrap_err();
    assert!(
        err.to_string().contains("reopen it, or merge it into HD-2"),
        "{err}"
    );
    let cc = ctx(&carol, &rules);
    assert_eq!(into(&dup, &keep, &cc).unwrap_err().code(), "forbidden");
}
