//! Where the monitor's "now" comes from, and how it sleeps: the system clock, or a manual
//! clock that tests move forward.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use helpdeck_core::Timestamp;
use tokio::sync::watch;

/// A wall clock the monitor can sleep on.
pub trait Clock: Send + Sync + 'static {
    /// The current instant.
    fn now(&self) -> Timestamp;
    /// Resolves at `at` or later (or earlier, when the implementation caps its naps: the
    /// monitor re-checks the time after every wake).
    fn sleep_until(&self, at: Timestamp) -> Pin<Box<dyn Future<Output = ()> + Send + '_>>;
}

/// The system clock. Sleeps on tokio's timer (1 ms resolution).
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        Timestamp::now()
    }

    fn sleep_until(&self, at: Timestamp) -> Pin<Box<dyn Future<Output = ()> + Send + '_>> {
        let left = at.duration_since(Timestamp::now());
        let wait = Duration::try_from(left).unwrap_or(Duration::ZERO);
        Box::pin(tokio::time::sleep(wait))
    }
}

/// A clock that only moves when told to (tests): `sleep_until` resolves once
/// [`ManualClock::set`] or [`ManualClock::advance`] reaches the instant.
#[derive(Debug)]
pub struct ManualClock {
    now: watch::Sender<Timestamp>,
}

impl ManualClock {
    pub fn new(start: Timestamp) -> ManualClock {
        ManualClock {
            now: watch::Sender::new(start),
        }
    }

    /// Jumps to `at` (forwards or, to model a clock change, backwards).
    pub fn set(&self, at: Timestamp) {
        self.now.send_replace(at);
    }

    /// Moves forward by `d`.
    pub fn advance(&self, d: jiff::SignedDuration) {
        self.now
            .send_modify(|t| *t = t.checked_add(d).expect("clock in range"));
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Timestamp {
        *self.now.borrow()
    }

    fn sleep_until(&self, at: Timestamp) -> Pin<Box<dyn Future<Output = ()> + Send + '_>> {
        let mut rx = self.now.subscribe();
        Box::pin(async move {
            let _ = rx.wait_for(|now| *now >= at).await;
        })
    }
}
