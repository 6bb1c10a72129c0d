use super::*;
use crate::apply::Rules;
use crate::command::{NewTicket, create_ticket};
use crate::testing::{context, now, person};
use crate::user::{Role, User};

fn ticket(by: &User) -> Ticket {
    let rules = Rules::default();
    create_ticket(
        NewTicket {
            title: "打印机卡纸".into(),
            ..Default::default()
        },
        Uuid::now_v7(),
        12,
        &context(by, &rules),
    )
    .unwrap()
    .ticket
}

fn log(t: &Ticket, minutes: u32, comment_id: Option<Uuid>) -> Change {
    Change::LogTicketTime(TicketTimeDraft {
        ticket_id: t.id,
        minutes,
        comment_id,
        note: Some("  远程协助  ".into()),
    })
}

#[test]
fn an_agent_logs_time_and_only_its_author_or_an_admin_deletes_it() {
    let rules = Rules::default();
    let wang = person(Role::Agent, Some("王芳"));
    let li = person(Role::Agent, Some("李雷"));
    let admin = person(Role::Admin, None);
    let t = ticket(&wang);
    let id = Uuid::now_v7();
    let e = apply_time_entry(
        None,
        Some(&t),
        CommentOf::Known(None),
        id,
        &log(&t, 25, None),
        now(),
        &context(&wang, &rules),
    )
    .unwrap()
    .unwrap();
    assert_eq!((e.agent_id, e.minutes, e.ticket_id), (wang.id, 25, t.id));
    assert_eq!(e.note.as_deref(), Some("远程协助"));
    // Logged twice (a replayed op): nothing more.
    let again = apply_time_entry(
        Some(&e),
        Some(&t),
        CommentOf::Known(None),
        id,
        &log(&t, 25, None),
        now(),
        &context(&wang, &rules),
    )
    .unwrap();
    assert!(again.is_none());

    let err = apply_time_entry(
        Some(&e),
        Some(&t),
        CommentOf::Known(None),
        id,
        &Change::DeleteTimeEntry,
        now(),
        &context(&li, &rules),
    )
    .unwrap_err();
    assert!(err.to_string().contains("agent who logged it"), "{err}");
    let gone = apply_time_entry(
        Some(&e),
        Some(&t),
        CommentOf::Known(None),
        id,
        &Change::DeleteTimeEntry,
        now(),
        &context(&admin, &rules),
    )
    .unwrap()
    .unwrap();
    assert!(gone.deleted);
    // A tombstone stays: deleting again is nothing, and a late copy of the log adds nothing.
    for change in [Change::DeleteTimeEntry, log(&t, 25, None)] {
        let r = apply_time_entry(
            Some(&gone),
            Some(&t),
            CommentOf::Known(None),
            id,
            &change,
            now(),
            &context(&wang, &rules),
        )
        .unwrap();
        assert!(r.is_none());
    }
}

#[test]
fn bad_entries_are_refused_with_what_is_allowed() {
    let rules = Rules::default();
    let wang = person(Role::Agent, None);
    let customer = person(Role::Customer, None);
    let t = ticket(&wang);
    let decide = |actor: &User, change: &Change, comment: CommentOf| {
        apply_time_entry(
            None,
            Some(&t),
            comment,
            Uuid::now_v7(),
            change,
            now(),
            &context(actor, &rules),
        )
    };
    let none = CommentOf::Known(None);
    let e = decide(&wang, &log(&t, 0, None), none).unwrap_err();
    assert!(e.to_string().contains("1 to 1440 minutes"), "{e}");
    let e = decide(&wang, &log(&t, 1441, None), none).unwrap_err();
    assert!(e.to_string().contains("1 to 1440 minutes"), "{e}");
    // Time goes with a comment of its own ticket.
    let c = Uuid::now_v7();
    let e = decide(
        &wang,
        &log(&t, 5, Some(c)),
        CommentOf::Known(Some(Uuid::now_v7())),
    )
    .unwrap_err();
    assert!(e.to_string().contains("is not on ticket HD-12"), "{e}");
    assert!(decide(&wang, &log(&t, 5, Some(c)), CommentOf::Known(Some(t.id))).is_ok());
    let long = Change::LogTicketTime(TicketTimeDraft {
        ticket_id: t.id,
        minutes: 5,
        comment_id: None,
        note: Some("x".repeat(201)),
    });
    let e = decide(&wang, &long, none).unwrap_err();
    assert!(e.to_string().contains("at most 200"), "{e}");
    // A customer logs no time, even on their own ticket.
    let mut own = t.clone();
    own.requester_id = Some(customer.id);
    let e = apply_time_entry(
        None,
        Some(&own),
        none,
        Uuid::now_v7(),
        &log(&own, 5, None),
        now(),
        &context(&customer, &rules),
    )
    .unwrap_err();
    assert!(matches!(e, DomainError::Forbidden(_)), "{e}");
    // A time entry names its ticket.
    let e = apply_time_entry(
        None,
        None,
        none,
        Uuid::now_v7(),
        &log(&t, 5, None),
        now(),
        &context(&wang, &rules),
    )
    .unwrap_err();
    assert!(matches!(e, DomainError::NotFound(_)), "{e}");
}

#[test]
fn hours_and_minutes_read_well() {
    assert_eq!(hours_minutes(45), "45 min");
    assert_eq!(hours_minutes(120), "2 h");
    assert_eq!(hours_minutes(125), "2 h 05 min");
}
