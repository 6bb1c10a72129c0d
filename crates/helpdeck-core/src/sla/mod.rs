//! SLA engine (spec §4): calendars, policies and the pure evaluation of a ticket's targets.
//!
//! The result is a pure function of the ticket's facts (creation, status changes, public
//! agent replies), its policy and the calendar, so every replica computes the same due times.

pub mod calendar;
pub mod engine;
pub mod monitor;
pub mod policy;

pub use calendar::{Calendar, CalendarSpec, WorkingWindow};
pub use engine::{
    Durations, SlaFacts, SlaReport, SlaState, StatusChange, TargetKind, TargetReport, durations,
    evaluate,
};
pub use policy::{PolicyChange, PriorityTargets, SlaPolicy, TargetSpec};

#[cfg(test)]
mod engine_tests;
#[cfg(test)]
mod proptests;
