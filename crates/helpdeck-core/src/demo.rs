//! Deterministic demo data: realistic tickets in Chinese and English.

use jiff::Timestamp;

use crate::record::Dataset;

/// Generates `tickets` tickets (plus the organizations, teams and users they refer to),
/// the same for the same `seed` and `base` (the "now" the history leads up to).
pub fn generate(tickets: usize, seed: u64, base: Timestamp) -> Dataset {
    let _ = (tickets, seed, base);
    todo!("demo helper")
}
