//! Hand-checked table tests of the SLA engine with exact timestamps.

use jiff::Timestamp;
use jiff::civil::Date;
use uuid::Uuid;

use super::*;
use crate::status::Status::{self, *};
use crate::ticket::{Kind, Priority};

fn ts(s: &str) -> Timestamp {
    s.parse().unwrap()
}

fn berlin() -> Calendar {
    Calendar::business_hours("Europe/Berlin").unwrap()
}

fn policy() -> SlaPolicy {
    SlaPolicy::defaults(Uuid::nil())
}

fn ticket(
    created: &str,
    priority: Priority,
    changes: &[(&str, Status)],
    replies: &[&str],
) -> SlaFacts {
    SlaFacts {
        created_at: ts(created),
        priority,
        kind: Kind::Incident,
        status_changes: changes
            .iter()
            .map(|(at, to)| StatusChange {
                at: ts(at),
                to: *to,
            })
            .collect(),
        agent_public_replies: replies.iter().map(|r| ts(r)).collect(),
    }
}

fn eval(facts: &SlaFacts, now: &str) -> SlaReport {
    evaluate(facts, &policy(), &berlin(), ts(now))
}

fn get(report: &SlaReport, kind: TargetKind) -> &TargetReport {
    report
        .targets
        .iter()
        .find(|t| t.target == kind)
        .unwrap_or_else(|| panic!("no {kind} in {report:?}"))
}

fn kinds(report: &SlaReport) -> Vec<TargetKind> {
    report.targets.iter().map(|t| t.target).collect()
}

const MON: &str = "2026-03-02T09:00:00+01:00"; // Monday, Europe/Berlin winter time

#[test]
fn p3_friday_afternoon_due_monday_noon() {
    let facts = ticket("2026-03-06T16:00:00+01:00", Priority::P3, &[], &[]);
    let r = eval(&facts, "2026-03-06T16:30:00+01:00");
    assert_eq!(
        kinds(&r),
        [TargetKind::FirstResponse, TargetKind::Resolution]
    );
    let fr = get(&r, TargetKind::FirstResponse);
    assert_eq!(fr.state, SlaState::Running);
    assert_eq!(fr.due_at, Some(ts("2026-03-09T12:00:00+01:00")));
    // 75% of 4 h (3 h) comes before 15 minutes left (3 h 45).
    assert_eq!(fr.at_risk_at, Some(ts("2026-03-09T11:00:00+01:00")));
    assert_eq!(fr.remaining_secs, 3 * 3600 + 1800);
    assert_eq!((fr.completed_at, fr.cycle), (None, 0));
    // 16 business hours: 1 on Friday, 8 on Monday, 7 on Tuesday.
    let res = get(&r, TargetKind::Resolution);
    assert_eq!(res.due_at, Some(ts("2026-03-10T16:00:00+01:00")));
    assert_eq!(res.at_risk_at, Some(ts("2026-03-10T12:00:00+01:00")));
    assert_eq!(r.next_due(), Some(ts("2026-03-09T12:00:00+01:00")));
}

#[test]
fn business_hours_across_dst_change() {
    // DST starts in Berlin on Sunday 2026-03-29: Monday noon is CEST.
    let facts = ticket("2026-03-27T16:00:00+01:00", Priority::P3, &[], &[]);
    let r = eval(&facts, "2026-03-27T16:00:00+01:00");
    let fr = get(&r, TargetKind::FirstResponse);
    assert_eq!(fr.due_at, Some(ts("2026-03-30T12:00:00+02:00")));
    assert_eq!(fr.due_at, Some(ts("2026-03-30T10:00:00Z")));
    // New York: DST starts on Sunday 2026-03-08.
    let ny = Calendar::business_hours("America/New_York").unwrap();
    let facts = ticket("2026-03-06T16:30:00-05:00", Priority::P2, &[], &[]);
    let r = evaluate(&facts, &policy(), &ny, ts("2026-03-06T16:40:00-05:00"));
    let fr = get(&r, TargetKind::FirstResponse);
    // 1 business hour: 30 minutes on Friday (EST), 30 on Monday (EDT).
    assert_eq!(fr.due_at, Some(ts("2026-03-09T09:30:00-04:00")));
    assert_eq!(fr.due_at, Some(ts("2026-03-09T13:30:00Z")));
    // 8 business hours: 0.5 on Friday, 7.5 on Monday.
    let res = get(&r, TargetKind::Resolution);
    assert_eq!(res.due_at, Some(ts("2026-03-09T16:30:00-04:00")));
}

#[test]
fn p1_counts_wall_time_across_dst_change() {
    // 00:30 CET on the night the clocks jump from 02:00 to 03:00.
    let facts = ticket("2026-03-29T00:30:00+01:00", Priority::P1, &[], &[]);
    let r = eval(&facts, "2026-03-29T00:35:00+01:00");
    let fr = get(&r, TargetKind::FirstResponse);
    assert_eq!(fr.due_at, Some(ts("2026-03-29T01:00:00+01:00")));
    // 30 min target: at risk at 15 minutes left, before 75% (22.5 min).
    assert_eq!(fr.at_risk_at, Some(ts("2026-03-29T00:45:00+01:00")));
    let res = get(&r, TargetKind::Resolution);
    // Four real hours later the wall clock shows 05:30 CEST, not 04:30.
    assert_eq!(res.due_at, Some(ts("2026-03-29T05:30:00+02:00")));
    assert_eq!(res.state, SlaState::Running);
    // No next update before the first reply.
    assert_eq!(
        kinds(&r),
        [TargetKind::FirstResponse, TargetKind::Resolution]
    );
}

#[test]
fn holiday_pushes_due_date() {
    let mut spec = CalendarSpec::business_hours("Europe/Berlin");
    spec.holidays = vec![Date::constant(2026, 4, 3), Date::constant(2026, 4, 6)];
    let cal = Calendar::new(spec).unwrap();
    // P4: first response in 1 business day; 2 h on Thursday, then Tuesday 09:00 + 6 h.
    let facts = ticket("2026-04-02T15:00:00+02:00", Priority::P4, &[], &[]);
    let r = evaluate(&facts, &policy(), &cal, ts("2026-04-03T10:00:00+02:00"));
    let fr = get(&r, TargetKind::FirstResponse);
    assert_eq!(fr.due_at, Some(ts("2026-04-07T15:00:00+02:00")));
    assert_eq!(fr.state, SlaState::Running);
    // Nothing counted on the holiday: still 6 h left.
    assert_eq!(fr.remaining_secs, 6 * 3600);
    // Without the holidays it would be due Friday 15:00.
    let r = eval(&facts, "2026-04-03T10:00:00+02:00");
    let fr = get(&r, TargetKind::FirstResponse);
    assert_eq!(fr.due_at, Some(ts("2026-04-03T15:00:00+02:00")));
}

#[test]
fn weekend_does_not_count() {
    let facts = ticket("2026-03-06T16:00:00+01:00", Priority::P3, &[], &[]);
    let sat = eval(&facts, "2026-03-07T12:00:00+01:00");
    let sun = eval(&facts, "2026-03-08T23:00:00+01:00");
    let fr_sat = get(&sat, TargetKind::FirstResponse);
    assert_eq!(fr_sat.remaining_secs, 3 * 3600);
    assert_eq!(fr_sat, get(&sun, TargetKind::FirstResponse));
}

#[test]
fn pending_customer_pauses_and_moves_due_later() {
    let changes = [
        ("2026-03-02T10:00:00+01:00", PendingCustomer),
        ("2026-03-02T12:00:00+01:00", Open),
    ];
    let facts = ticket(MON, Priority::P3, &changes, &[]);
    let base = ticket(MON, Priority::P3, &[], &[]);

    // While pending: paused, no due time, 3 h left.
    let paused = eval(
        &ticket(MON, Priority::P3, &changes[..1], &[]),
        "2026-03-02T11:00:00+01:00",
    );
    for t in &paused.targets {
        assert_eq!(t.state, SlaState::Paused, "{t:?}");
        assert_eq!((t.due_at, t.at_risk_at), (None, None));
    }
    assert_eq!(
        get(&paused, TargetKind::FirstResponse).remaining_secs,
        3 * 3600
    );
    assert_eq!(paused.next_due(), None);

    // After it resumes: due 2 business hours later than without the pause.
    let r = eval(&facts, "2026-03-02T12:30:00+01:00");
    let fr = get(&r, TargetKind::FirstResponse);
    assert_eq!(fr.state, SlaState::Running);
    assert_eq!(fr.due_at, Some(ts("2026-03-02T15:00:00+01:00")));
    let b = eval(&base, "2026-03-02T12:30:00+01:00");
    assert_eq!(
        get(&b, TargetKind::FirstResponse).due_at,
        Some(ts("2026-03-02T13:00:00+01:00"))
    );
    assert_eq!(
        get(&b, TargetKind::Resolution).due_at,
        Some(ts("2026-03-03T17:00:00+01:00"))
    );
    assert_eq!(
        get(&r, TargetKind::Resolution).due_at,
        Some(ts("2026-03-04T11:00:00+01:00"))
    );

    // on_hold does not pause under the default policy...
    let held = [
        ("2026-03-02T10:00:00+01:00", OnHold),
        ("2026-03-02T12:00:00+01:00", Open),
    ];
    let h = eval(
        &ticket(MON, Priority::P3, &held, &[]),
        "2026-03-02T12:30:00+01:00",
    );
    assert_eq!(
        get(&h, TargetKind::FirstResponse).due_at,
        Some(ts("2026-03-02T13:00:00+01:00"))
    );
    // ...but does where the policy says so.
    let mut p = policy();
    p.pause_statuses.push(OnHold);
    let h = evaluate(
        &ticket(MON, Priority::P3, &held, &[]),
        &p,
        &berlin(),
        ts("2026-03-02T12:30:00+01:00"),
    );
    assert_eq!(
        get(&h, TargetKind::FirstResponse).due_at,
        Some(ts("2026-03-02T15:00:00+01:00"))
    );
}

#[test]
fn pause_after_due_stays_breached() {
    let changes = [("2026-03-02T14:00:00+01:00", PendingCustomer)];
    let facts = ticket(MON, Priority::P3, &changes, &[]);
    let r = eval(&facts, "2026-03-02T15:00:00+01:00");
    let fr = get(&r, TargetKind::FirstResponse);
    assert_eq!(fr.state, SlaState::Breached);
    assert_eq!(fr.due_at, Some(ts("2026-03-02T13:00:00+01:00")));
    assert_eq!(fr.remaining_secs, -3600);
    // The resolution target is not due yet: paused.
    assert_eq!(get(&r, TargetKind::Resolution).state, SlaState::Paused);
}

#[test]
fn reopen_resumes_resolution_clock() {
    // P2: 8 business hours to resolve.
    let resolved = [("2026-03-02T12:00:00+01:00", Resolved)];
    let r = eval(
        &ticket(MON, Priority::P2, &resolved, &[]),
        "2026-03-02T13:00:00+01:00",
    );
    let res = get(&r, TargetKind::Resolution);
    assert_eq!(res.state, SlaState::Met);
    assert_eq!(res.completed_at, Some(ts("2026-03-02T12:00:00+01:00")));
    assert_eq!((res.remaining_secs, res.cycle), (5 * 3600, 0));
    assert_eq!(r.next_due(), None);

    let reopened = [
        ("2026-03-02T12:00:00+01:00", Resolved),
        ("2026-03-03T09:00:00+01:00", Open),
    ];
    let r = eval(
        &ticket(MON, Priority::P2, &reopened, &[]),
        "2026-03-03T10:00:00+01:00",
    );
    let res = get(&r, TargetKind::Resolution);
    assert_eq!(res.state, SlaState::Running);
    assert_eq!(res.cycle, 1);
    assert_eq!(res.due_at, Some(ts("2026-03-03T14:00:00+01:00")));
    assert_eq!(res.remaining_secs, 4 * 3600);

    let again = [
        ("2026-03-02T12:00:00+01:00", Resolved),
        ("2026-03-03T09:00:00+01:00", Open),
        ("2026-03-03T15:00:00+01:00", Resolved),
        ("2026-03-03T16:00:00+01:00", Closed),
    ];
    let r = eval(
        &ticket(MON, Priority::P2, &again, &[]),
        "2026-03-04T10:00:00+01:00",
    );
    let res = get(&r, TargetKind::Resolution);
    assert_eq!(res.state, SlaState::Missed);
    assert_eq!(res.completed_at, Some(ts("2026-03-03T15:00:00+01:00")));
    assert_eq!(res.due_at, Some(ts("2026-03-03T14:00:00+01:00")));
    assert_eq!((res.remaining_secs, res.cycle), (-3600, 1));
}

#[test]
fn without_public_reply_first_response_keeps_running() {
    // Internal notes are not in the facts at all: no reply means no first response.
    let facts = ticket(
        MON,
        Priority::P2,
        &[("2026-03-02T09:05:00+01:00", InProgress)],
        &[],
    );
    let r = eval(&facts, "2026-03-02T09:30:00+01:00");
    assert_eq!(
        kinds(&r),
        [TargetKind::FirstResponse, TargetKind::Resolution]
    );
    assert_eq!(get(&r, TargetKind::FirstResponse).state, SlaState::Running);
    let r = eval(&facts, "2026-03-02T11:00:00+01:00");
    let fr = get(&r, TargetKind::FirstResponse);
    assert_eq!(fr.state, SlaState::Breached);
    assert_eq!(fr.due_at, Some(ts("2026-03-02T10:00:00+01:00")));
    assert_eq!(fr.remaining_secs, -3600);
    assert_eq!(r.next_due(), Some(ts("2026-03-02T10:00:00+01:00")));
}

#[test]
fn reply_exactly_at_due_is_met_one_second_later_missed() {
    let met = eval(
        &ticket(MON, Priority::P3, &[], &["2026-03-02T13:00:00+01:00"]),
        "2026-03-02T14:00:00+01:00",
    );
    let fr = get(&met, TargetKind::FirstResponse);
    assert_eq!(fr.state, SlaState::Met);
    assert_eq!(fr.completed_at, Some(ts("2026-03-02T13:00:00+01:00")));
    assert_eq!(fr.due_at, Some(ts("2026-03-02T13:00:00+01:00")));
    assert_eq!(fr.remaining_secs, 0);

    let missed = eval(
        &ticket(MON, Priority::P3, &[], &["2026-03-02T13:00:01+01:00"]),
        "2026-03-02T14:00:00+01:00",
    );
    let fr = get(&missed, TargetKind::FirstResponse);
    assert_eq!(fr.state, SlaState::Missed);
    assert_eq!(fr.remaining_secs, -1);

    // Due at Friday 17:00, answered on Saturday: missed although no business time passed.
    let fri = ticket(
        "2026-03-06T13:00:00+01:00",
        Priority::P3,
        &[],
        &["2026-03-07T10:00:00+01:00"],
    );
    let fr = get(
        &eval(&fri, "2026-03-07T11:00:00+01:00"),
        TargetKind::FirstResponse,
    )
    .clone();
    assert_eq!(fr.state, SlaState::Missed);
    assert_eq!(fr.due_at, Some(ts("2026-03-06T17:00:00+01:00")));
    assert_eq!(fr.remaining_secs, 0);
}

#[test]
fn at_risk_at_threshold_and_near_the_end() {
    // P3 first response (4 bh): at risk once 3 h are used (75%).
    let facts = ticket(MON, Priority::P3, &[], &[]);
    let before = eval(&facts, "2026-03-02T11:59:59+01:00");
    assert_eq!(
        get(&before, TargetKind::FirstResponse).state,
        SlaState::Running
    );
    let at = eval(&facts, "2026-03-02T12:00:00+01:00");
    let fr = get(&at, TargetKind::FirstResponse);
    assert_eq!(fr.state, SlaState::AtRisk);
    assert_eq!(fr.at_risk_at, Some(ts("2026-03-02T12:00:00+01:00")));
    assert_eq!(fr.remaining_secs, 3600);

    // P1 first response (30 min): 15 minutes left comes before 75%.
    let facts = ticket(MON, Priority::P1, &[], &[]);
    let state = |now: &str| get(&eval(&facts, now), TargetKind::FirstResponse).state;
    assert_eq!(state("2026-03-02T09:14:59+01:00"), SlaState::Running);
    assert_eq!(state("2026-03-02T09:15:00+01:00"), SlaState::AtRisk);
    assert_eq!(state("2026-03-02T09:29:59+01:00"), SlaState::AtRisk);
    assert_eq!(state("2026-03-02T09:30:00+01:00"), SlaState::Breached);

    // A policy with a different threshold.
    let mut p = policy();
    p.warning_threshold_pct = 50;
    let r = evaluate(&ticket(MON, Priority::P3, &[], &[]), &p, &berlin(), ts(MON));
    assert_eq!(
        get(&r, TargetKind::FirstResponse).at_risk_at,
        Some(ts("2026-03-02T11:00:00+01:00"))
    );
}

#[test]
fn next_update_follows_the_last_public_reply() {
    let replies = ["2026-03-02T09:10:00+01:00", "2026-03-02T09:35:00+01:00"];
    let facts = ticket(
        MON,
        Priority::P1,
        &[("2026-03-02T09:10:00+01:00", InProgress)],
        &replies,
    );
    let r = eval(&facts, "2026-03-02T09:45:00+01:00");
    assert_eq!(
        kinds(&r),
        [
            TargetKind::FirstResponse,
            TargetKind::NextUpdate,
            TargetKind::Resolution
        ]
    );
    let fr = get(&r, TargetKind::FirstResponse);
    assert_eq!(fr.state, SlaState::Met);
    assert_eq!(fr.completed_at, Some(ts("2026-03-02T09:10:00+01:00")));
    let nu = get(&r, TargetKind::NextUpdate);
    assert_eq!(nu.state, SlaState::Running);
    assert_eq!(nu.cycle, 1);
    assert_eq!(nu.due_at, Some(ts("2026-03-02T10:05:00+01:00")));
    assert_eq!(nu.at_risk_at, Some(ts("2026-03-02T09:50:00+01:00")));
    assert_eq!(nu.remaining_secs, 20 * 60);
    assert_eq!(r.next_due(), Some(ts("2026-03-02T10:05:00+01:00")));

    // Resolved after the update was due: missed. Before: met.
    let late = ticket(
        MON,
        Priority::P1,
        &[("2026-03-02T10:00:00+01:00", Resolved)],
        &["2026-03-02T09:10:00+01:00"],
    );
    let nu = get(
        &eval(&late, "2026-03-02T11:00:00+01:00"),
        TargetKind::NextUpdate,
    )
    .clone();
    assert_eq!((nu.state, nu.cycle), (SlaState::Missed, 0));
    assert_eq!(nu.due_at, Some(ts("2026-03-02T09:40:00+01:00")));
    assert_eq!(nu.completed_at, Some(ts("2026-03-02T10:00:00+01:00")));
    let on_time = ticket(
        MON,
        Priority::P1,
        &[("2026-03-02T09:30:00+01:00", Resolved)],
        &["2026-03-02T09:10:00+01:00"],
    );
    let r = eval(&on_time, "2026-03-02T11:00:00+01:00");
    assert_eq!(get(&r, TargetKind::NextUpdate).state, SlaState::Met);
    assert_eq!(get(&r, TargetKind::Resolution).state, SlaState::Met);

    // P3 has no next-update target.
    let p3 = ticket(MON, Priority::P3, &[], &["2026-03-02T09:10:00+01:00"]);
    assert_eq!(
        kinds(&eval(&p3, "2026-03-02T10:00:00+01:00")),
        [TargetKind::FirstResponse, TargetKind::Resolution]
    );
}

#[test]
fn resolved_before_any_reply_completes_first_response() {
    let facts = ticket(
        MON,
        Priority::P3,
        &[("2026-03-02T09:30:00+01:00", Closed)],
        &[],
    );
    let r = eval(&facts, "2026-03-05T09:00:00+01:00");
    let fr = get(&r, TargetKind::FirstResponse);
    assert_eq!(fr.state, SlaState::Met);
    assert_eq!(fr.completed_at, Some(ts("2026-03-02T09:30:00+01:00")));
    let res = get(&r, TargetKind::Resolution);
    assert_eq!(res.state, SlaState::Met);
    assert_eq!(res.completed_at, Some(ts("2026-03-02T09:30:00+01:00")));

    // Resolved too late, still without a reply: both missed.
    let late = ticket(
        MON,
        Priority::P3,
        &[("2026-03-05T09:30:00+01:00", Resolved)],
        &[],
    );
    let r = eval(&late, "2026-03-05T10:00:00+01:00");
    assert_eq!(get(&r, TargetKind::FirstResponse).state, SlaState::Missed);
    assert_eq!(get(&r, TargetKind::Resolution).state, SlaState::Missed);
}

#[test]
fn complaint_uses_complaint_first_response() {
    let mut facts = ticket(MON, Priority::P1, &[], &[]);
    facts.kind = Kind::Complaint;
    let r = eval(&facts, MON);
    let fr = get(&r, TargetKind::FirstResponse);
    assert_eq!(fr.due_at, Some(ts("2026-03-02T17:00:00+01:00")));
    // Resolution keeps the priority's 24×7 target.
    assert_eq!(
        get(&r, TargetKind::Resolution).due_at,
        Some(ts("2026-03-02T13:00:00+01:00"))
    );
    // Without a complaint target the priority's applies.
    let mut p = policy();
    p.complaint_first_response = None;
    let r = evaluate(&facts, &p, &berlin(), ts(MON));
    assert_eq!(
        get(&r, TargetKind::FirstResponse).due_at,
        Some(ts("2026-03-02T09:30:00+01:00"))
    );
}

#[test]
fn simultaneous_events_are_ordered_canonically() {
    let a = ticket(
        MON,
        Priority::P2,
        &[
            ("2026-03-02T10:00:00+01:00", Resolved),
            ("2026-03-02T10:00:00+01:00", Open),
        ],
        &[],
    );
    let b = ticket(
        MON,
        Priority::P2,
        &[
            ("2026-03-02T10:00:00+01:00", Open),
            ("2026-03-02T10:00:00+01:00", Resolved),
        ],
        &[],
    );
    let (ra, rb) = (
        eval(&a, "2026-03-02T11:00:00+01:00"),
        eval(&b, "2026-03-02T11:00:00+01:00"),
    );
    assert_eq!(ra, rb);
    // Open sorts before resolved: the ticket ends resolved.
    assert_eq!(get(&ra, TargetKind::Resolution).state, SlaState::Met);
}

#[test]
fn facts_before_creation_and_after_now_are_clamped() {
    // A change dated before creation counts at creation; a reply after `now` (skew) moves the
    // evaluation to that reply.
    let facts = ticket(
        MON,
        Priority::P3,
        &[("2026-03-02T08:00:00+01:00", InProgress)],
        &["2026-03-02T10:00:00+01:00"],
    );
    let r = eval(&facts, "2026-03-02T09:30:00+01:00");
    let fr = get(&r, TargetKind::FirstResponse);
    assert_eq!(fr.state, SlaState::Met);
    assert_eq!(fr.remaining_secs, 3 * 3600);
    assert_eq!(get(&r, TargetKind::Resolution).remaining_secs, 15 * 3600);
}

#[test]
fn always_open_calendar_makes_business_targets_wall_time() {
    let facts = ticket(MON, Priority::P3, &[], &[]);
    let r = evaluate(&facts, &policy(), &Calendar::always_open(), ts(MON));
    assert_eq!(
        get(&r, TargetKind::FirstResponse).due_at,
        Some(ts("2026-03-02T13:00:00+01:00"))
    );
    assert_eq!(
        get(&r, TargetKind::Resolution).due_at,
        Some(ts("2026-03-03T01:00:00+01:00"))
    );
}

#[test]
fn report_serializes_with_snake_case_states() {
    let r = eval(
        &ticket(MON, Priority::P3, &[], &[]),
        "2026-03-02T12:00:00+01:00",
    );
    let json = serde_json::to_string(&r).unwrap();
    assert!(json.contains("\"target\":\"first_response\""), "{json}");
    assert!(json.contains("\"state\":\"at_risk\""), "{json}");
    assert_eq!(serde_json::from_str::<SlaReport>(&json).unwrap(), r);
}

/// Not a timed test: run with
/// `cargo test -p helpdeck-core --release -- --ignored --nocapture evaluate_100k` to see the
/// cost of evaluating 100k open tickets.
#[test]
#[ignore]
fn evaluate_100k_throughput() {
    let cal = berlin();
    let p = policy();
    let base = ts("2025-06-02T08:00:00Z");
    let tickets: Vec<SlaFacts> = (0..100_000i64)
        .map(|i| {
            let created = base + jiff::SignedDuration::from_mins((i * 37) % (300 * 24 * 60));
            let at = |m: i64| created + jiff::SignedDuration::from_mins(m);
            let priority = Priority::ALL[(i % 4) as usize];
            let mut changes = vec![StatusChange {
                at: at(5),
                to: InProgress,
            }];
            if i % 3 == 0 {
                changes.push(StatusChange {
                    at: at(60),
                    to: PendingCustomer,
                });
                changes.push(StatusChange {
                    at: at(300),
                    to: Open,
                });
            }
            let replies = if i % 2 == 0 {
                vec![at(20), at(90)]
            } else {
                vec![]
            };
            SlaFacts {
                created_at: created,
                priority,
                kind: if i % 10 == 0 {
                    Kind::Complaint
                } else {
                    Kind::Incident
                },
                status_changes: changes,
                agent_public_replies: replies,
            }
        })
        .collect();
    let now = ts("2026-04-01T12:00:00Z");
    for _ in 0..3 {
        let start = std::time::Instant::now();
        let mut breached = 0usize;
        for t in &tickets {
            let r = evaluate(t, &p, &cal, now);
            breached += r
                .targets
                .iter()
                .filter(|t| t.state == SlaState::Breached)
                .count();
        }
        println!(
            "100k evaluations: {:?} ({breached} breached targets)",
            start.elapsed()
        );
    }
    let start = std::time::Instant::now();
    for _ in 0..100 {
        std::hint::black_box(Calendar::business_hours("America/New_York").unwrap());
    }
    println!("calendar construction: {:?}", start.elapsed() / 100);
}

#[test]
fn instants_beyond_the_supported_range_saturate() {
    // Found by `extreme_instants_do_not_panic`: arithmetic covers 1684–2255.
    let cal = berlin();
    let far = Timestamp::from_second(9_000_000_001).unwrap();
    assert_eq!(
        cal.add_business_time(far, jiff::SignedDuration::from_hours(100)),
        far
    );
    let facts = SlaFacts {
        created_at: far,
        priority: Priority::P1,
        kind: Kind::Incident,
        status_changes: vec![],
        agent_public_replies: vec![],
    };
    let r = evaluate(&facts, &policy(), &cal, Timestamp::UNIX_EPOCH);
    assert_eq!(r.targets.len(), 2);
}
