//! Business calendars: a time zone, working windows per weekday, holidays.
//!
//! # What counts as business time
//!
//! An instant is business time when its *local wall-clock time* (the calendar's zone, with
//! the offset in force at that instant) falls inside a working window of its local weekday,
//! and its local date is not a holiday. This is DST-correct by construction:
//!
//! - a 09:00–17:00 window is always those wall-clock bounds, whatever the offset;
//! - on a spring-forward day the skipped wall-clock hour never happens, so a window that spans
//!   it (e.g. a 24-hour window) is an hour shorter;
//! - on a fall-back day the repeated wall-clock hour happens twice, so such a window is an
//!   hour longer.
//!
//! A 24×7 calendar ([`CalendarSpec::always_open`]) counts plain elapsed time.
//!
//! # How it is computed
//!
//! All arithmetic is done on `i64` nanoseconds. The zone's offset changes are tabulated once
//! when the calendar is built (1970–2100; outside that range the zone is asked directly), so
//! between two offset changes local time is a fixed shift of UTC and business time is counted
//! arithmetically: whole weeks at once, then the windows of the remaining days, minus holidays.
//! Nothing is allocated per call and nothing loops per minute.

use std::fmt;
use std::sync::Arc;

use jiff::civil::{Date, Time};
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use crate::error::DomainError;

/// A working window on one weekday, in the calendar's local time. `end` > `start`.
///
/// An `end` of `00:00` means midnight at the end of the day (24:00), so `00:00`–`00:00` is a
/// whole day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct WorkingWindow {
    /// ISO weekday: 1 = Monday … 7 = Sunday.
    pub weekday: u8,
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub start: Time,
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub end: Time,
}

impl WorkingWindow {
    /// A window on `weekday` (1 = Monday … 7 = Sunday) from `start` to `end` local time.
    pub fn new(weekday: u8, start: Time, end: Time) -> WorkingWindow {
        WorkingWindow {
            weekday,
            start,
            end,
        }
    }

    /// Start of the window in nanoseconds since local midnight.
    fn start_ns(&self) -> i64 {
        time_ns(self.start)
    }

    /// End of the window in nanoseconds since local midnight (`00:00` = 24:00).
    fn end_ns(&self) -> i64 {
        match time_ns(self.end) {
            0 => DAY_NS,
            ns => ns,
        }
    }
}

/// The serializable description of a calendar (what the store and the wire keep).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CalendarSpec {
    pub name: String,
    /// IANA time zone name, e.g. `Asia/Shanghai`, `Europe/Berlin`.
    pub timezone: String,
    /// True for a 24×7 calendar (windows and holidays are ignored).
    pub always_open: bool,
    pub windows: Vec<WorkingWindow>,
    /// Dates (YYYY-MM-DD) on which no business time counts.
    #[cfg_attr(feature = "ts", ts(type = "Array<string>"))]
    pub holidays: Vec<Date>,
}

impl CalendarSpec {
    /// A 24×7 calendar description in UTC.
    pub fn always_open() -> CalendarSpec {
        CalendarSpec {
            name: "24×7".to_string(),
            timezone: "UTC".to_string(),
            always_open: true,
            windows: Vec::new(),
            holidays: Vec::new(),
        }
    }

    /// Monday–Friday 09:00–17:00 in `timezone`, no holidays.
    pub fn business_hours(timezone: &str) -> CalendarSpec {
        let windows = (1..=5)
            .map(|weekday| {
                WorkingWindow::new(
                    weekday,
                    Time::constant(9, 0, 0, 0),
                    Time::constant(17, 0, 0, 0),
                )
            })
            .collect();
        CalendarSpec {
            name: "Business hours".to_string(),
            timezone: timezone.to_string(),
            always_open: false,
            windows,
            holidays: Vec::new(),
        }
    }
}

/// A validated calendar, ready for arithmetic (time zone resolved once).
///
/// Building one tabulates the zone's offset changes (a few hundred entries); build it once
/// per policy and share it (cloning is cheap).
#[derive(Debug, Clone)]
pub struct Calendar {
    spec: CalendarSpec,
    tz: TimeZone,
    rules: Arc<Rules>,
}

impl Calendar {
    /// Validates a spec: known time zone, windows with end after start, not empty unless 24×7.
    pub fn new(spec: CalendarSpec) -> Result<Calendar, DomainError> {
        let tz = TimeZone::get(&spec.timezone).map_err(|_| {
            DomainError::invalid(
                "timezone",
                format!(
                    "unknown time zone '{}' (use an IANA name such as UTC, Europe/Berlin, \
                     America/New_York or Asia/Shanghai)",
                    spec.timezone
                ),
            )
        })?;
        for w in &spec.windows {
            if !(1..=7).contains(&w.weekday) {
                return Err(DomainError::invalid(
                    "windows",
                    format!(
                        "weekday {} is not allowed (allowed: 1 = Monday … 7 = Sunday)",
                        w.weekday
                    ),
                ));
            }
            if w.end_ns() <= w.start_ns() {
                return Err(DomainError::invalid(
                    "windows",
                    format!(
                        "window on weekday {} ends at {} which is not after its start {} \
                         (the end must be later than the start; use 00:00 as the end for midnight)",
                        w.weekday, w.end, w.start
                    ),
                ));
            }
        }
        if !spec.always_open && spec.windows.is_empty() {
            return Err(DomainError::invalid(
                "windows",
                "a business calendar needs at least one working window (or set always_open for 24×7)",
            ));
        }
        let rules = Arc::new(Rules::build(&spec, &tz));
        Ok(Calendar { spec, tz, rules })
    }

    /// A 24×7 calendar in UTC.
    pub fn always_open() -> Calendar {
        Calendar::new(CalendarSpec::always_open()).expect("the 24×7 calendar is valid")
    }

    /// Monday–Friday 09:00–17:00 in `timezone` (8 business hours a day).
    pub fn business_hours(timezone: &str) -> Result<Calendar, DomainError> {
        Calendar::new(CalendarSpec::business_hours(timezone))
    }

    /// The description this calendar was built from.
    pub fn spec(&self) -> &CalendarSpec {
        &self.spec
    }

    /// The resolved time zone.
    pub fn time_zone(&self) -> &TimeZone {
        &self.tz
    }

    /// True for a 24×7 calendar (business time is plain elapsed time).
    pub fn is_always_open(&self) -> bool {
        self.rules.always_open
    }

    /// Business time inside `[from, to)`; zero when `to <= from`.
    pub fn business_time_between(&self, from: Timestamp, to: Timestamp) -> SignedDuration {
        SignedDuration::from_nanos(self.between_ns(ts_to_ns(from), ts_to_ns(to)))
    }

    /// The instant at which `amount` of business time has elapsed, counting from `start`.
    ///
    /// This is the earliest such instant: a target that runs out at the end of a window is due
    /// at that window's end, not at the start of the next one. A zero or negative amount
    /// returns `start`. Arithmetic covers the years 1684–2255; results beyond saturate.
    pub fn add_business_time(&self, start: Timestamp, amount: SignedDuration) -> Timestamp {
        ns_to_ts(self.advance_ns(ts_to_ns(start), dur_to_ns(amount))).max(start)
    }

    /// Business nanoseconds inside `[from, to)` (instants as clamped nanoseconds).
    pub(crate) fn between_ns(&self, from: i64, to: i64) -> i64 {
        if to <= from {
            return 0;
        }
        let rules = &*self.rules;
        if rules.always_open {
            return to.saturating_sub(from);
        }
        let mut total = 0i64;
        let mut t = from;
        while t < to {
            let (offset, next) = rules.offset_segment(&self.tz, t);
            let end = to.min(next);
            total = total.saturating_add(rules.local_between(t + offset, end + offset));
            t = end;
        }
        total
    }

    /// The earliest instant at or after `start` by which `amount` business nanoseconds have
    /// elapsed; saturates at the far future when no such instant is found within the caps.
    pub(crate) fn advance_ns(&self, start: i64, amount: i64) -> i64 {
        if amount <= 0 {
            return start;
        }
        let rules = &*self.rules;
        if rules.always_open {
            return start.saturating_add(amount).min(MAX_NS);
        }
        let mut left = amount;
        let mut t = start;
        for _ in 0..MAX_SEGMENTS {
            let (offset, next) = rules.offset_segment(&self.tz, t);
            if next >= MAX_NS {
                return match rules.local_advance(t + offset, left) {
                    Some(local) => (local - offset).min(MAX_NS),
                    None => MAX_NS,
                };
            }
            let available = rules.local_between(t + offset, next + offset);
            if available >= left {
                return match rules.local_advance(t + offset, left) {
                    Some(local) => (local - offset).min(next),
                    None => MAX_NS,
                };
            }
            left -= available;
            t = next;
        }
        MAX_NS
    }
}

const NS_PER_SEC: i64 = 1_000_000_000;
const DAY_NS: i64 = 86_400 * NS_PER_SEC;
/// Instants are clamped into ±9·10¹⁸ ns around 1970 (years 1684–2255) so that nanosecond
/// arithmetic, including local offsets, never overflows `i64`.
pub(crate) const MAX_NS: i64 = 9_000_000_000_000_000_000;
pub(crate) const MIN_NS: i64 = -MAX_NS;
/// Offset changes are tabulated for 1970-01-01 … 2100-01-01 (UTC).
const ZONE_TABLE_START: i64 = 0;
const ZONE_TABLE_END: i64 = 4_102_444_800 * NS_PER_SEC;
/// At most this many days are walked one by one when adding business time (10 years); with a
/// valid calendar the walk ends long before (whole weeks without holidays are skipped at once).
const MAX_DAY_STEPS: u32 = 3_660;
/// At most this many offset segments (DST periods) are crossed when adding business time.
const MAX_SEGMENTS: u32 = 2_000;

/// Nanoseconds since the Unix epoch, clamped into `[MIN_NS, MAX_NS]`.
pub(crate) fn ts_to_ns(ts: Timestamp) -> i64 {
    let secs = ts.as_second();
    match secs
        .checked_mul(NS_PER_SEC)
        .and_then(|ns| ns.checked_add(i64::from(ts.subsec_nanosecond())))
    {
        Some(ns) => ns.clamp(MIN_NS, MAX_NS),
        None if secs < 0 => MIN_NS,
        None => MAX_NS,
    }
}

/// The timestamp of clamped nanoseconds since the Unix epoch.
pub(crate) fn ns_to_ts(ns: i64) -> Timestamp {
    Timestamp::from_nanosecond(i128::from(ns.clamp(MIN_NS, MAX_NS)))
        .expect("clamped nanoseconds are a valid timestamp")
}

/// A duration in nanoseconds, saturating at the `i64` range.
pub(crate) fn dur_to_ns(d: SignedDuration) -> i64 {
    d.as_nanos()
        .clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64
}

fn time_ns(t: Time) -> i64 {
    ((i64::from(t.hour()) * 60 + i64::from(t.minute())) * 60 + i64::from(t.second())) * NS_PER_SEC
        + i64::from(t.subsec_nanosecond())
}

/// Days since 1970-01-01 of a civil date.
fn date_day_number(d: Date) -> i64 {
    d.duration_since(Date::constant(1970, 1, 1))
        .as_secs()
        .div_euclid(86_400)
}

/// Monday = 0 … Sunday = 6 for a day number (1970-01-01 was a Thursday).
fn weekday_index(day: i64) -> usize {
    (day + 3).rem_euclid(7) as usize
}

/// The arithmetic form of a calendar, built once.
struct Rules {
    always_open: bool,
    /// Merged, sorted windows of all weekdays as nanoseconds since local midnight.
    windows: Vec<(i64, i64)>,
    /// `windows[day_start[d]..day_start[d + 1]]` are the windows of weekday `d` (0 = Monday).
    day_start: [usize; 8],
    /// Business nanoseconds of each weekday.
    day_total: [i64; 7],
    /// Business nanoseconds of Monday … the day before weekday `d`.
    week_prefix: [i64; 8],
    /// Business nanoseconds of a week without holidays.
    week_total: i64,
    /// Holidays as sorted, distinct local day numbers.
    holidays: Vec<i64>,
    /// `(from_ns, offset_ns)`: from `from_ns` until the next entry (or [`ZONE_TABLE_END`]) the
    /// zone's offset is `offset_ns`. Starts at [`ZONE_TABLE_START`].
    zone: Vec<(i64, i64)>,
}

impl fmt::Debug for Rules {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Rules")
            .field("always_open", &self.always_open)
            .field("week_total_ns", &self.week_total)
            .field("holidays", &self.holidays.len())
            .field("offset_changes", &self.zone.len())
            .finish()
    }
}

impl Rules {
    fn build(spec: &CalendarSpec, tz: &TimeZone) -> Rules {
        let mut windows = Vec::new();
        let mut day_start = [0usize; 8];
        let mut day_total = [0i64; 7];
        if !spec.always_open {
            for d in 0..7usize {
                day_start[d] = windows.len();
                let mut day: Vec<(i64, i64)> = spec
                    .windows
                    .iter()
                    .filter(|w| usize::from(w.weekday) == d + 1)
                    .map(|w| (w.start_ns(), w.end_ns()))
                    .collect();
                day.sort_unstable();
                // Merge overlapping or touching windows so no time counts twice.
                for (s, e) in day {
                    match windows[day_start[d]..].last_mut() {
                        Some((_, last_end)) if s <= *last_end => *last_end = (*last_end).max(e),
                        _ => windows.push((s, e)),
                    }
                }
                day_total[d] = windows[day_start[d]..].iter().map(|(s, e)| e - s).sum();
            }
        }
        day_start[7] = windows.len();
        let mut week_prefix = [0i64; 8];
        for d in 0..7 {
            week_prefix[d + 1] = week_prefix[d] + day_total[d];
        }
        let mut holidays: Vec<i64> = if spec.always_open {
            Vec::new()
        } else {
            spec.holidays.iter().map(|d| date_day_number(*d)).collect()
        };
        holidays.sort_unstable();
        holidays.dedup();
        let zone = if spec.always_open {
            Vec::new()
        } else {
            tabulate_zone(tz)
        };
        Rules {
            always_open: spec.always_open,
            windows,
            day_start,
            day_total,
            week_prefix,
            week_total: week_prefix[7],
            holidays,
            zone,
        }
    }

    /// The zone's offset at `t` and the instant of its next change (`i64::MAX` if none).
    #[inline]
    fn offset_segment(&self, tz: &TimeZone, t: i64) -> (i64, i64) {
        if (ZONE_TABLE_START..ZONE_TABLE_END).contains(&t) && !self.zone.is_empty() {
            let i = self.zone.partition_point(|&(from, _)| from <= t) - 1;
            let next = self
                .zone
                .get(i + 1)
                .map_or(ZONE_TABLE_END, |&(from, _)| from);
            return (self.zone[i].1, next);
        }
        let ts = ns_to_ts(t);
        let offset = i64::from(tz.to_offset(ts).seconds()) * NS_PER_SEC;
        let mut next = tz
            .following(ts)
            .map(|tr| ts_to_ns(tr.timestamp()))
            .find(|&at| at > t)
            .unwrap_or(i64::MAX);
        if t < ZONE_TABLE_START && !self.zone.is_empty() {
            next = next.min(ZONE_TABLE_START);
        }
        if next >= MAX_NS {
            next = i64::MAX;
        }
        (offset, next)
    }

    /// The windows of weekday `d` (0 = Monday).
    #[inline]
    fn day_windows(&self, d: usize) -> &[(i64, i64)] {
        &self.windows[self.day_start[d]..self.day_start[d + 1]]
    }

    /// Business nanoseconds of weekday `d` before `tod` nanoseconds after local midnight.
    #[inline]
    fn day_prefix(&self, d: usize, tod: i64) -> i64 {
        self.day_windows(d)
            .iter()
            .map(|&(s, e)| (tod.min(e) - s).max(0))
            .sum()
    }

    /// Business nanoseconds between two local wall-clock instants (nanoseconds since
    /// 1970-01-01T00:00 local) under one fixed offset.
    fn local_between(&self, a: i64, b: i64) -> i64 {
        if b <= a {
            return 0;
        }
        let (day_a, day_b) = (a.div_euclid(DAY_NS), b.div_euclid(DAY_NS));
        let (tod_a, tod_b) = (a - day_a * DAY_NS, b - day_b * DAY_NS);
        // Weeks are counted from Monday 1969-12-29 (day -3).
        let (week_a, week_b) = ((day_a + 3).div_euclid(7), (day_b + 3).div_euclid(7));
        let (wd_a, wd_b) = (weekday_index(day_a), weekday_index(day_b));
        let in_week_a = self.week_prefix[wd_a] + self.day_prefix(wd_a, tod_a);
        let in_week_b = self.week_prefix[wd_b] + self.day_prefix(wd_b, tod_b);
        // Saturating: a span of centuries in a zone without offset changes can exceed `i64`.
        let mut total = (week_b - week_a)
            .saturating_mul(self.week_total)
            .saturating_add(in_week_b - in_week_a);
        if !self.holidays.is_empty() {
            let lo = self.holidays.partition_point(|&h| h < day_a);
            let hi = self.holidays.partition_point(|&h| h <= day_b);
            for &h in &self.holidays[lo..hi] {
                let wd = weekday_index(h);
                let base = h * DAY_NS;
                let from = (a - base).clamp(0, DAY_NS);
                let to = (b - base).clamp(0, DAY_NS);
                total -= self.day_prefix(wd, to) - self.day_prefix(wd, from);
            }
        }
        total
    }

    /// The earliest local instant `x >= a` with `local_between(a, x) == amount` under one
    /// fixed offset; `None` if the walk hits its cap.
    fn local_advance(&self, a: i64, amount: i64) -> Option<i64> {
        if amount <= 0 {
            return Some(a);
        }
        let max_day = MAX_NS / DAY_NS - 1;
        let mut left = amount;
        let mut day = a.div_euclid(DAY_NS);
        let mut tod = a - day * DAY_NS;
        let mut next_holiday = self.holidays.partition_point(|&h| h < day);
        for _ in 0..MAX_DAY_STEPS {
            if self.holidays.get(next_holiday) == Some(&day) {
                next_holiday += 1;
            } else {
                let wd = weekday_index(day);
                if tod == 0 && self.day_total[wd] < left {
                    left -= self.day_total[wd];
                } else {
                    for &(s, e) in self.day_windows(wd) {
                        if e <= tod {
                            continue;
                        }
                        let s = s.max(tod);
                        if left <= e - s {
                            return Some(day * DAY_NS + s + left);
                        }
                        left -= e - s;
                    }
                }
            }
            day += 1;
            tod = 0;
            // Skip whole weeks without holidays at once; stop short of the last business
            // nanosecond so the final day is found by the walk above.
            if left > self.week_total && self.week_total > 0 {
                let mut weeks = (left - 1) / self.week_total;
                if let Some(&h) = self.holidays.get(next_holiday) {
                    weeks = weeks.min((h - day) / 7);
                }
                weeks = weeks.min((max_day - day).max(0) / 7);
                day += weeks * 7;
                left -= weeks * self.week_total;
            }
            if day >= max_day {
                return None;
            }
        }
        None
    }
}

/// The zone's offsets from [`ZONE_TABLE_START`] to [`ZONE_TABLE_END`], one entry per change.
fn tabulate_zone(tz: &TimeZone) -> Vec<(i64, i64)> {
    let start = ns_to_ts(ZONE_TABLE_START);
    let mut zone = vec![(
        ZONE_TABLE_START,
        i64::from(tz.to_offset(start).seconds()) * NS_PER_SEC,
    )];
    for tr in tz.following(start) {
        let at = ts_to_ns(tr.timestamp());
        if at >= ZONE_TABLE_END {
            break;
        }
        let offset = i64::from(tr.offset().seconds()) * NS_PER_SEC;
        let &(last_at, last_offset) = zone.last().expect("the table starts with one entry");
        if at <= last_at || offset == last_offset {
            continue;
        }
        zone.push((at, offset));
    }
    zone
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn hours(h: i64) -> SignedDuration {
        SignedDuration::from_hours(h)
    }

    fn berlin() -> Calendar {
        Calendar::business_hours("Europe/Berlin").unwrap()
    }

    fn all_day(timezone: &str) -> Calendar {
        Calendar::new(CalendarSpec {
            name: "all day".into(),
            timezone: timezone.into(),
            always_open: false,
            windows: (1..=7)
                .map(|d| WorkingWindow::new(d, Time::midnight(), Time::midnight()))
                .collect(),
            holidays: vec![],
        })
        .unwrap()
    }

    #[test]
    fn new_rejects_unknown_time_zone() {
        let err = Calendar::business_hours("Mars/Olympus").unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("unknown time zone 'Mars/Olympus'"), "{msg}");
        assert!(msg.contains("Europe/Berlin"), "{msg}");
    }

    #[test]
    fn new_rejects_bad_windows() {
        let mut spec = CalendarSpec::business_hours("UTC");
        spec.windows[0].weekday = 8;
        let msg = Calendar::new(spec).unwrap_err().to_string();
        assert!(
            msg.contains("weekday 8") && msg.contains("1 = Monday"),
            "{msg}"
        );

        let mut spec = CalendarSpec::business_hours("UTC");
        spec.windows[0].end = Time::constant(9, 0, 0, 0);
        let msg = Calendar::new(spec).unwrap_err().to_string();
        assert!(msg.contains("not after its start"), "{msg}");

        let mut spec = CalendarSpec::business_hours("UTC");
        spec.windows.clear();
        let msg = Calendar::new(spec).unwrap_err().to_string();
        assert!(msg.contains("at least one working window"), "{msg}");

        let mut spec = CalendarSpec::always_open();
        spec.timezone = "Asia/Shanghai".into();
        assert!(Calendar::new(spec).is_ok());
    }

    #[test]
    fn always_open_counts_wall_time() {
        let cal = Calendar::always_open();
        assert!(cal.is_always_open());
        assert_eq!(cal.time_zone().iana_name(), Some("UTC"));
        let a = ts("2026-03-28T23:30:00Z");
        assert_eq!(
            cal.add_business_time(a, hours(4)),
            ts("2026-03-29T03:30:00Z")
        );
        assert_eq!(
            cal.business_time_between(a, ts("2026-03-29T03:30:00Z")),
            hours(4)
        );
        assert_eq!(
            cal.business_time_between(ts("2026-03-29T03:30:00Z"), a),
            SignedDuration::ZERO
        );
    }

    #[test]
    fn friday_afternoon_plus_four_hours_is_monday_noon() {
        let cal = berlin();
        // Friday 2026-03-06 16:00 CET = 15:00Z; Monday 12:00 CET = 11:00Z.
        let due = cal.add_business_time(ts("2026-03-06T15:00:00Z"), hours(4));
        assert_eq!(due, ts("2026-03-09T11:00:00Z"));
        assert_eq!(
            cal.business_time_between(ts("2026-03-06T15:00:00Z"), due),
            hours(4)
        );
    }

    #[test]
    fn weekend_counts_nothing() {
        let cal = berlin();
        let sat = ts("2026-03-07T00:00:00+01:00");
        let mon = ts("2026-03-09T00:00:00+01:00");
        assert_eq!(cal.business_time_between(sat, mon), SignedDuration::ZERO);
        // From Saturday, the first business hour ends Monday 10:00.
        assert_eq!(
            cal.add_business_time(sat, hours(1)),
            ts("2026-03-09T10:00:00+01:00")
        );
    }

    #[test]
    fn due_at_end_of_window_is_that_end() {
        let cal = berlin();
        let due = cal.add_business_time(ts("2026-03-06T09:00:00+01:00"), hours(8));
        assert_eq!(due, ts("2026-03-06T17:00:00+01:00"));
        assert_eq!(cal.add_business_time(due, SignedDuration::ZERO), due);
    }

    #[test]
    fn business_hours_across_spring_forward_berlin() {
        let cal = berlin();
        // Friday 2026-03-27 16:00 CET; DST starts Sunday 2026-03-29; Monday 12:00 is CEST.
        let due = cal.add_business_time(ts("2026-03-27T16:00:00+01:00"), hours(4));
        assert_eq!(due, ts("2026-03-30T12:00:00+02:00"));
        assert_eq!(due, ts("2026-03-30T10:00:00Z"));
        // A whole working week across the change still counts 40 hours.
        let week = cal.business_time_between(
            ts("2026-03-23T00:00:00+01:00"),
            ts("2026-04-04T00:00:00+02:00"),
        );
        assert_eq!(week, hours(80));
    }

    #[test]
    fn business_hours_across_dst_new_york() {
        let cal = Calendar::business_hours("America/New_York").unwrap();
        // Friday 2026-03-06 16:00 EST; DST starts Sunday 2026-03-08; Monday 10:00 EDT.
        let due = cal.add_business_time(ts("2026-03-06T16:00:00-05:00"), hours(2));
        assert_eq!(due, ts("2026-03-09T10:00:00-04:00"));
        assert_eq!(due, ts("2026-03-09T14:00:00Z"));
        // Fall back: Friday 2026-10-30 16:00 EDT + 2h -> Monday 2026-11-02 10:00 EST.
        let due = cal.add_business_time(ts("2026-10-30T16:00:00-04:00"), hours(2));
        assert_eq!(due, ts("2026-11-02T10:00:00-05:00"));
    }

    #[test]
    fn full_day_windows_follow_dst() {
        let cal = all_day("Europe/Berlin");
        let spring = cal.business_time_between(
            ts("2026-03-29T00:00:00+01:00"),
            ts("2026-03-30T00:00:00+02:00"),
        );
        assert_eq!(spring, hours(23));
        let autumn = cal.business_time_between(
            ts("2026-10-25T00:00:00+02:00"),
            ts("2026-10-26T00:00:00+01:00"),
        );
        assert_eq!(autumn, hours(25));
        // 24 business hours from Saturday midnight land at Monday 01:00 local (the skipped hour).
        let due = cal.add_business_time(ts("2026-03-28T23:00:00Z"), hours(24));
        assert_eq!(due, ts("2026-03-30T00:00:00+02:00") + hours(1));
    }

    #[test]
    fn holidays_are_skipped() {
        let mut spec = CalendarSpec::business_hours("Europe/Berlin");
        spec.holidays = vec![Date::constant(2026, 4, 3), Date::constant(2026, 4, 6)];
        let cal = Calendar::new(spec).unwrap();
        // Thursday 15:00 + 4h: 2h on Thursday, Good Friday and Easter Monday off, Tuesday 11:00.
        let due = cal.add_business_time(ts("2026-04-02T15:00:00+02:00"), hours(4));
        assert_eq!(due, ts("2026-04-07T11:00:00+02:00"));
        let good_friday = cal.business_time_between(
            ts("2026-04-03T00:00:00+02:00"),
            ts("2026-04-04T00:00:00+02:00"),
        );
        assert_eq!(good_friday, SignedDuration::ZERO);
        assert_eq!(
            cal.business_time_between(ts("2026-04-02T15:00:00+02:00"), due),
            hours(4)
        );
    }

    #[test]
    fn long_spans_skip_weeks() {
        let mut spec = CalendarSpec::business_hours("Asia/Shanghai");
        spec.holidays = vec![Date::constant(2027, 1, 1)];
        let cal = Calendar::new(spec).unwrap();
        let start = ts("2026-01-05T09:00:00+08:00"); // a Monday
        // 52 weeks of 40 hours = 2080 hours, plus the holiday (a Friday) pushes one day.
        let due = cal.add_business_time(start, hours(2080));
        assert_eq!(due, ts("2027-01-04T17:00:00+08:00"));
        assert_eq!(cal.business_time_between(start, due), hours(2080));
    }

    #[test]
    fn overlapping_windows_count_once_and_split_windows_work() {
        let t = |h, m| Time::constant(h, m, 0, 0);
        let cal = Calendar::new(CalendarSpec {
            name: "split".into(),
            timezone: "UTC".into(),
            always_open: false,
            windows: vec![
                WorkingWindow::new(1, t(8, 0), t(12, 0)),
                WorkingWindow::new(1, t(11, 0), t(12, 0)),
                WorkingWindow::new(1, t(13, 0), t(17, 0)),
            ],
            holidays: vec![],
        })
        .unwrap();
        let mon = ts("2026-03-02T00:00:00Z");
        assert_eq!(
            cal.business_time_between(mon, ts("2026-03-03T00:00:00Z")),
            hours(8)
        );
        assert_eq!(
            cal.add_business_time(mon, hours(5)),
            ts("2026-03-02T14:00:00Z")
        );
        // Next Monday after using up this one.
        assert_eq!(
            cal.add_business_time(mon, hours(9)),
            ts("2026-03-09T09:00:00Z")
        );
    }

    #[test]
    fn far_dates_outside_the_table_still_work() {
        let cal = berlin();
        // 2150 is past the tabulated range: the zone is asked directly.
        let start = ts("2150-07-03T16:00:00+02:00"); // a Friday, summer time
        let due = cal.add_business_time(start, hours(4));
        assert_eq!(due, ts("2150-07-06T12:00:00+02:00"));
        let old = ts("1960-03-04T16:00:00+01:00"); // a Friday
        assert_eq!(
            cal.add_business_time(old, hours(4)),
            ts("1960-03-07T12:00:00+01:00")
        );
    }
}
