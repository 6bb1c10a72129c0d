//! Property tests of the SLA calendar arithmetic and the evaluation.

use jiff::civil::{Date, Time};
use jiff::{SignedDuration, Timestamp};
use proptest::prelude::*;
use uuid::Uuid;

use super::*;
use crate::status::Status;
use crate::ticket::{Kind, Priority};

const ZONES: &[&str] = &[
    "UTC",
    "Europe/Berlin",
    "America/New_York",
    "Asia/Shanghai",
    "Australia/Lord_Howe", // 30-minute DST shift
    "Asia/Kathmandu",      // +05:45
    "America/Sao_Paulo",
];

/// 2025-12-01T00:00:00Z: the generated instants cover 2025-12 … 2027-02 (several DST changes).
const BASE_SECS: i64 = 1_764_547_200;
const SPAN_SECS: i64 = 430 * 86_400;

fn base_date() -> Date {
    Date::constant(2025, 12, 1)
}

fn at_secs(s: i64) -> Timestamp {
    Timestamp::from_second(BASE_SECS + s).unwrap()
}

fn window(weekday: u8, start_min: i64, len_min: i64) -> WorkingWindow {
    let end_min = (start_min + len_min).min(1440);
    let t = |m: i64| Time::constant((m / 60 % 24) as i8, (m % 60) as i8, 0, 0);
    WorkingWindow::new(weekday, t(start_min), t(end_min))
}

fn spec_strategy() -> impl Strategy<Value = CalendarSpec> {
    let random_windows = proptest::collection::vec((1u8..=7, 0i64..1440, 1i64..1440), 1..8);
    (
        0..ZONES.len(),
        0u8..4,
        random_windows,
        proptest::collection::vec(0i64..430, 0..8),
    )
        .prop_map(|(zone, shape, random, holidays)| {
            let mut spec = CalendarSpec::business_hours(ZONES[zone]);
            spec.windows = match shape {
                0 => spec.windows,
                // Whole days, every day (DST days are 23 or 25 hours long).
                1 => (1..=7).map(|d| window(d, 0, 1440)).collect(),
                // A night shift around midnight and the small hours of DST changes.
                2 => (1..=7)
                    .flat_map(|d| [window(d, 0, 6 * 60), window(d, 22 * 60, 2 * 60)])
                    .collect(),
                _ => random
                    .into_iter()
                    .map(|(d, s, l)| window(d, s, l.min(1440 - s)))
                    .collect(),
            };
            spec.holidays = holidays
                .into_iter()
                .map(|d| {
                    base_date()
                        .checked_add(SignedDuration::from_hours(24 * d))
                        .unwrap()
                })
                .collect();
            spec
        })
}

/// Brute force: count the minutes whose local wall-clock time is inside a window.
fn reference_minutes(spec: &CalendarSpec, cal: &Calendar, from: Timestamp, to: Timestamp) -> i64 {
    let tz = cal.time_zone();
    let mut t = from;
    let mut minutes = 0;
    while t < to {
        let local = tz.to_datetime(t);
        let weekday = local.date().weekday().to_monday_one_offset() as u8;
        let tod = local.time();
        let inside = !spec.holidays.contains(&local.date())
            && spec.windows.iter().any(|w| {
                w.weekday == weekday && w.start <= tod && (w.end == Time::midnight() || tod < w.end)
            });
        if inside {
            minutes += 1;
        }
        t += SignedDuration::from_mins(1);
    }
    minutes
}

fn status_strategy() -> impl Strategy<Value = Status> {
    proptest::sample::select(Status::ALL.to_vec())
}

fn priority_strategy() -> impl Strategy<Value = Priority> {
    proptest::sample::select(Priority::ALL.to_vec())
}

fn kind_strategy() -> impl Strategy<Value = Kind> {
    proptest::sample::select(Kind::ALL.to_vec())
}

/// A ticket with arbitrary (even invalid) status changes on a coarse grid, so that many
/// changes share a timestamp.
fn facts_strategy() -> impl Strategy<Value = SlaFacts> {
    (
        0i64..SPAN_SECS,
        priority_strategy(),
        kind_strategy(),
        proptest::collection::vec((0i64..12, status_strategy()), 0..10),
        proptest::collection::vec(0i64..12, 0..4),
    )
        .prop_map(|(created, priority, kind, changes, replies)| {
            let created_at = at_secs(created);
            let slot = |s: i64| created_at + SignedDuration::from_mins(45 * s);
            SlaFacts {
                created_at,
                priority,
                kind,
                status_changes: changes
                    .into_iter()
                    .map(|(s, to)| StatusChange { at: slot(s), to })
                    .collect(),
                agent_public_replies: replies.into_iter().map(slot).collect(),
            }
        })
}

fn policy(with_on_hold: bool) -> SlaPolicy {
    let mut p = SlaPolicy::defaults(Uuid::nil());
    if with_on_hold {
        p.pause_statuses.push(Status::OnHold);
    }
    p
}

proptest! {
    #[test]
    fn business_time_is_bounded_by_wall_time_and_additive(
        spec in spec_strategy(),
        a in 0i64..SPAN_SECS,
        d1 in 0i64..(20 * 86_400),
        d2 in 0i64..(20 * 86_400),
    ) {
        let cal = Calendar::new(spec).unwrap();
        let (a, b, c) = (at_secs(a), at_secs(a + d1), at_secs(a + d1 + d2));
        let ab = cal.business_time_between(a, b);
        let bc = cal.business_time_between(b, c);
        prop_assert!(ab >= SignedDuration::ZERO);
        prop_assert!(ab <= b.duration_since(a));
        prop_assert_eq!(ab + bc, cal.business_time_between(a, c));
        prop_assert_eq!(cal.business_time_between(b, a), SignedDuration::ZERO);
    }

    #[test]
    fn business_time_matches_minute_by_minute_reference(
        spec in spec_strategy(),
        from in 0i64..(SPAN_SECS / 60),
        len in 0i64..(3 * 24 * 60),
    ) {
        let cal = Calendar::new(spec.clone()).unwrap();
        let (from, to) = (at_secs(from * 60), at_secs((from + len) * 60));
        let expected = reference_minutes(&spec, &cal, from, to);
        prop_assert_eq!(cal.business_time_between(from, to), SignedDuration::from_mins(expected));
    }

    #[test]
    fn business_time_around_dst_changes_matches_reference(
        spec in spec_strategy(),
        which in 0usize..4,
        offset in -(36 * 60i64)..(36 * 60),
        len in 0i64..(2 * 24 * 60),
    ) {
        // Instants near the 2026 changes of Europe, North America, South America and Lord Howe.
        let change = ["2026-03-29T01:00:00Z", "2026-11-01T06:00:00Z", "2026-04-04T15:00:00Z", "2026-10-03T15:30:00Z"];
        let from = change[which].parse::<Timestamp>().unwrap() + SignedDuration::from_mins(offset);
        let to = from + SignedDuration::from_mins(len);
        let cal = Calendar::new(spec.clone()).unwrap();
        let expected = reference_minutes(&spec, &cal, from, to);
        prop_assert_eq!(cal.business_time_between(from, to), SignedDuration::from_mins(expected));
    }

    #[test]
    fn weekends_and_holidays_count_nothing(
        zone in 0..ZONES.len(),
        week in 0i64..60,
        holiday in 0i64..430,
        a in 0i64..(2 * 86_400),
        b in 0i64..(2 * 86_400),
    ) {
        let mut spec = CalendarSpec::business_hours(ZONES[zone]);
        let holiday = base_date().checked_add(SignedDuration::from_hours(24 * holiday)).unwrap();
        spec.holidays = vec![holiday];
        let cal = Calendar::new(spec).unwrap();
        let tz = cal.time_zone();
        // 2025-12-06 is a Saturday; the weekend is [Saturday 00:00, Monday 00:00) local.
        let saturday = Date::constant(2025, 12, 6).checked_add(SignedDuration::from_hours(24 * 7 * week)).unwrap();
        let sat = saturday.to_datetime(Time::midnight()).to_zoned_datetime(tz.clone()).unwrap().timestamp();
        let mon = saturday.checked_add(SignedDuration::from_hours(48)).unwrap()
            .to_datetime(Time::midnight()).to_zoned_datetime(tz.clone()).unwrap().timestamp();
        let (x, y) = (sat + SignedDuration::from_secs(a.min(b)), sat + SignedDuration::from_secs(a.max(b)));
        prop_assert_eq!(cal.business_time_between(x.min(mon), y.min(mon)), SignedDuration::ZERO);
        prop_assert_eq!(cal.business_time_between(sat, mon), SignedDuration::ZERO);
        let day = holiday.to_datetime(Time::midnight()).to_zoned_datetime(tz.clone()).unwrap().timestamp();
        let next = holiday.checked_add(SignedDuration::from_hours(24)).unwrap()
            .to_datetime(Time::midnight()).to_zoned_datetime(tz.clone()).unwrap().timestamp();
        prop_assert_eq!(cal.business_time_between(day, next), SignedDuration::ZERO);
    }

    #[test]
    fn add_then_between_round_trips(
        spec in spec_strategy(),
        start in 0i64..SPAN_SECS,
        nanos in 0i32..1_000_000_000,
        amount_secs in 0i64..(300 * 3600),
    ) {
        let cal = Calendar::new(spec).unwrap();
        let start = at_secs(start) + SignedDuration::new(0, nanos);
        let amount = SignedDuration::from_secs(amount_secs);
        let end = cal.add_business_time(start, amount);
        prop_assert!(end >= start);
        // A calendar with a minute a week needs centuries for 300 hours: past 2255 the
        // arithmetic saturates (documented), and the round trip ends there.
        if end.as_second() >= 8_999_999_999 {
            prop_assert!(cal.business_time_between(start, end) <= amount);
            return Ok(());
        }
        prop_assert_eq!(cal.business_time_between(start, end), amount);
        if amount_secs > 0 {
            // `end` is the earliest such instant.
            let before = end - SignedDuration::from_nanos(1);
            prop_assert!(cal.business_time_between(start, before) < amount);
        }
    }

    #[test]
    fn between_then_add_never_overshoots(
        spec in spec_strategy(),
        a in 0i64..SPAN_SECS,
        d in 0i64..(30 * 86_400),
    ) {
        let cal = Calendar::new(spec).unwrap();
        let (a, b) = (at_secs(a), at_secs(a + d));
        let back = cal.add_business_time(a, cal.business_time_between(a, b));
        prop_assert!(back <= b);
        prop_assert_eq!(cal.business_time_between(back, b), SignedDuration::ZERO);
    }

    #[test]
    fn result_does_not_depend_on_event_order(
        (facts, shuffled) in facts_strategy().prop_flat_map(|f| {
            let changes = f.status_changes.clone();
            (Just(f), Just(changes).prop_shuffle())
        }),
        spec in spec_strategy(),
        now_after in 0i64..(10 * 86_400),
        on_hold in any::<bool>(),
    ) {
        let cal = Calendar::new(spec).unwrap();
        let p = policy(on_hold);
        let now = facts.created_at + SignedDuration::from_secs(now_after);
        let mut other = facts.clone();
        other.status_changes = shuffled;
        other.agent_public_replies.reverse();
        prop_assert_eq!(evaluate(&facts, &p, &cal, now), evaluate(&other, &p, &cal, now));
    }

    #[test]
    fn pausing_never_moves_a_due_time_earlier(
        created in 0i64..SPAN_SECS,
        priority in priority_strategy(),
        kind in kind_strategy(),
        pauses in proptest::collection::vec((1i64..2000, 1i64..2000, any::<bool>()), 1..6),
        reply in proptest::option::of(0i64..6000),
        spec in spec_strategy(),
    ) {
        let cal = Calendar::new(spec).unwrap();
        let p = policy(false);
        let created_at = at_secs(created);
        let mins = |m: i64| created_at + SignedDuration::from_mins(m);
        let (mut fewer, mut more) = (Vec::new(), Vec::new());
        let mut t = 0;
        for (gap, len, in_fewer) in &pauses {
            let interval = [
                StatusChange { at: mins(t + gap), to: Status::PendingCustomer },
                StatusChange { at: mins(t + gap + len), to: Status::Open },
            ];
            more.extend(interval);
            if *in_fewer {
                fewer.extend(interval);
            }
            t += gap + len;
        }
        let facts = |changes: Vec<StatusChange>| SlaFacts {
            created_at,
            priority,
            kind,
            status_changes: changes,
            agent_public_replies: reply.map(mins).into_iter().collect(),
        };
        let now = mins(t.max(reply.unwrap_or(0)) + 1);
        let a = evaluate(&facts(fewer), &p, &cal, now);
        let b = evaluate(&facts(more), &p, &cal, now);
        prop_assert_eq!(a.targets.len(), b.targets.len());
        for (x, y) in a.targets.iter().zip(&b.targets) {
            prop_assert_eq!(x.target, y.target);
            let (dx, dy) = (x.due_at.unwrap(), y.due_at.unwrap());
            prop_assert!(dy >= dx, "{:?}: {} with more pauses, {} with fewer", x.target, dy, dx);
            prop_assert!(y.remaining_secs >= x.remaining_secs);
        }
    }

    #[test]
    fn due_is_monotonic_in_target_length(
        facts in facts_strategy(),
        spec in spec_strategy(),
        m1 in 1i64..3000,
        extra in 0i64..3000,
        business in any::<bool>(),
        now_after in 0i64..(10 * 86_400),
    ) {
        let cal = Calendar::new(spec).unwrap();
        let with = |minutes: i64| {
            let mut p = policy(false);
            p.complaint_first_response = None;
            for t in &mut p.targets {
                t.first_response = TargetSpec { minutes, business_hours: business };
                t.resolution = TargetSpec { minutes, business_hours: business };
                t.next_update = Some(TargetSpec { minutes, business_hours: business });
            }
            p
        };
        let now = facts.created_at + SignedDuration::from_secs(now_after);
        let short = evaluate(&facts, &with(m1), &cal, now);
        let long = evaluate(&facts, &with(m1 + extra), &cal, now);
        for (s, l) in short.targets.iter().zip(&long.targets) {
            if let (Some(ds), Some(dl)) = (s.due_at, l.due_at) {
                prop_assert!(ds <= dl, "{:?}: {} then {}", s.target, ds, dl);
            }
            if let (Some(rs), Some(rl)) = (s.at_risk_at, l.at_risk_at) {
                prop_assert!(rs <= rl);
            }
            prop_assert!(s.remaining_secs <= l.remaining_secs);
        }
    }

    #[test]
    fn states_are_consistent(
        facts in facts_strategy(),
        spec in spec_strategy(),
        now_after in 0i64..(10 * 86_400),
        later in 0i64..(10 * 86_400),
        on_hold in any::<bool>(),
    ) {
        let cal = Calendar::new(spec).unwrap();
        let p = policy(on_hold);
        let now = facts.created_at + SignedDuration::from_secs(now_after);
        let report = evaluate(&facts, &p, &cal, now);
        let order: Vec<_> = report.targets.iter().map(|t| t.target).collect();
        prop_assert!(order.is_sorted(), "{:?}", order);
        for t in &report.targets {
            match t.state {
                SlaState::Running | SlaState::AtRisk => {
                    prop_assert!(t.remaining_secs >= 0);
                    prop_assert!(t.at_risk_at <= t.due_at);
                }
                SlaState::Breached => prop_assert!(t.remaining_secs <= 0),
                SlaState::Paused => prop_assert_eq!((t.due_at, t.at_risk_at), (None, None)),
                SlaState::Met | SlaState::Missed => prop_assert!(t.completed_at.is_some()),
            }
        }
        // While a clock runs, a later `now` changes the state, never the due time.
        let again = evaluate(&facts, &p, &cal, now + SignedDuration::from_secs(later));
        for (a, b) in report.targets.iter().zip(&again.targets) {
            let running = |s| matches!(s, SlaState::Running | SlaState::AtRisk | SlaState::Breached);
            if running(a.state) && running(b.state) {
                prop_assert_eq!(a.due_at, b.due_at);
            }
        }
    }

    #[test]
    fn extreme_instants_do_not_panic(
        created in -377_705_116_800i64..253_402_207_200,
        offsets in proptest::collection::vec((-10_000_000_000i64..10_000_000_000, status_strategy()), 0..4),
        now in -377_705_116_800i64..253_402_207_200,
        zone in 0..ZONES.len(),
        priority in priority_strategy(),
    ) {
        let cal = Calendar::business_hours(ZONES[zone]).unwrap();
        let created_at = Timestamp::from_second(created).unwrap();
        let facts = SlaFacts {
            created_at,
            priority,
            kind: Kind::Incident,
            status_changes: offsets
                .iter()
                .map(|(o, to)| StatusChange { at: created_at.saturating_add(SignedDuration::from_secs(*o)).unwrap(), to: *to })
                .collect(),
            agent_public_replies: vec![],
        };
        let report = evaluate(&facts, &policy(false), &cal, Timestamp::from_second(now).unwrap());
        prop_assert!(report.targets.len() >= 2);
        let end = cal.add_business_time(created_at, SignedDuration::from_hours(100));
        prop_assert!(end >= created_at);
    }
}
