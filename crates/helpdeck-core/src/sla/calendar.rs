//! Business calendars: a time zone, working windows per weekday, holidays.

use jiff::civil::{Date, Time};
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use crate::error::DomainError;

/// A working window on one weekday, in the calendar's local time. `end` > `start`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkingWindow {
    /// ISO weekday: 1 = Monday … 7 = Sunday.
    pub weekday: u8,
    pub start: Time,
    pub end: Time,
}

/// The serializable description of a calendar (what the store and the wire keep).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalendarSpec {
    pub name: String,
    /// IANA time zone name, e.g. `Asia/Shanghai`, `Europe/Berlin`.
    pub timezone: String,
    /// True for a 24×7 calendar (windows and holidays are ignored).
    pub always_open: bool,
    pub windows: Vec<WorkingWindow>,
    pub holidays: Vec<Date>,
}

/// A validated calendar, ready for arithmetic (time zone resolved once).
#[derive(Debug, Clone)]
pub struct Calendar {
    spec: CalendarSpec,
    tz: TimeZone,
}

impl Calendar {
    /// Validates a spec: known time zone, windows with end after start, not empty unless 24×7.
    pub fn new(spec: CalendarSpec) -> Result<Calendar, DomainError> {
        let _ = spec;
        todo!("sla helper")
    }

    /// A 24×7 calendar in UTC.
    pub fn always_open() -> Calendar {
        todo!("sla helper")
    }

    /// Monday–Friday 09:00–17:00 in `timezone` (8 business hours a day).
    pub fn business_hours(timezone: &str) -> Result<Calendar, DomainError> {
        let _ = timezone;
        todo!("sla helper")
    }

    /// The description this calendar was built from.
    pub fn spec(&self) -> &CalendarSpec {
        &self.spec
    }

    /// The resolved time zone.
    pub fn time_zone(&self) -> &TimeZone {
        &self.tz
    }

    /// Business time inside `[from, to)`; zero when `to <= from`.
    pub fn business_time_between(&self, from: Timestamp, to: Timestamp) -> SignedDuration {
        let _ = (from, to);
        todo!("sla helper")
    }

    /// The instant at which `amount` of business time has elapsed, counting from `start`.
    pub fn add_business_time(&self, start: Timestamp, amount: SignedDuration) -> Timestamp {
        let _ = (start, amount);
        todo!("sla helper")
    }
}
