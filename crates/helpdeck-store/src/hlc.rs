//! Hybrid logical clock for sync operations, seeded from the last value issued here so it
//! never runs backwards across restarts even if the wall clock does.

use uuid::Uuid;

/// The device's clock.
pub struct Clock {
    hlc: uhlc::HLC,
}

impl Clock {
    /// A clock for `device_id`, at least as late as `last` (the last value issued).
    pub fn new(device_id: Uuid, last: Option<&str>) -> Clock {
        let id = uhlc::ID::try_from(device_id.as_u128().max(1)).expect("non-zero id");
        // The floor comes from this device's own store, so any distance is accepted; the
        // bound on clocks from other devices (I7) is the server's to enforce.
        let hlc = uhlc::HLCBuilder::new()
            .with_id(id)
            .with_max_delta(std::time::Duration::from_secs(100 * 365 * 86_400))
            .build();
        if let Some(ts) = last.and_then(|s| s.parse::<uhlc::Timestamp>().ok()) {
            let _ = hlc.update_with_timestamp(&ts);
        }
        Clock { hlc }
    }

    /// A new timestamp, strictly greater than every one issued or observed before.
    pub fn tick(&self) -> String {
        self.hlc.new_timestamp().to_string()
    }

    /// Moves the clock past a value seen from elsewhere (pulled state), so a change made
    /// here afterwards orders after it even if this device's wall clock is behind.
    pub fn observe(&self, hlc: &str) {
        if let Ok(ts) = hlc.parse::<uhlc::Timestamp>() {
            let _ = self.hlc.update_with_timestamp(&ts);
        }
    }
}
