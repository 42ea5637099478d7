//! Where the runner's time comes from: the system clock, or a virtual clock that jumps.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use chrono::{DateTime, Utc};

/// The runner's time. The runner never reads a clock of its own: it asks this one, and
/// waits through it, so a test or a dry run can make a weekend pass in a second.
pub trait Clock: Send + Sync + std::fmt::Debug {
    /// The current instant.
    fn now(&self) -> DateTime<Utc>;

    /// Waits until `at` (or returns at once when it is past), or until `stop` is set;
    /// returns the clock's instant after the wait.
    fn sleep_until(&self, at: DateTime<Utc>, stop: &AtomicBool) -> DateTime<Utc>;

    /// Whether waits are instant (a virtual clock): then nobody can act during a wait, and
    /// the runner does not wait for people (a new approval) or for a real gateway.
    fn is_virtual(&self) -> bool;
}

/// The system clock; waits sleep in slices of at most 100 ms so that a stop request is
/// seen at once.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    #[expect(
        clippy::disallowed_methods,
        reason = "the system clock is the runtime's edge to the world's time"
    )]
    fn now(&self) -> DateTime<Utc> {
        DateTime::from(std::time::SystemTime::now())
    }

    fn sleep_until(&self, at: DateTime<Utc>, stop: &AtomicBool) -> DateTime<Utc> {
        loop {
            let now = self.now();
            if now >= at || stop.load(Ordering::Relaxed) {
                return now;
            }
            let left = (at - now).to_std().unwrap_or(Duration::ZERO);
            std::thread::sleep(left.min(Duration::from_millis(100)));
        }
    }

    fn is_virtual(&self) -> bool {
        false
    }
}

/// A clock that starts at a given instant and jumps to whatever instant is waited for:
/// time advances from event to event, instantly.
///
/// ```
/// use std::sync::atomic::AtomicBool;
/// use chrono::{Duration, TimeZone, Utc};
/// use smsplan_runtime::{Clock, VirtualClock};
/// let start = Utc.with_ymd_and_hms(2026, 12, 24, 18, 45, 0).unwrap();
/// let clock = VirtualClock::new(start);
/// let monday = start + Duration::days(4);
/// assert_eq!(clock.sleep_until(monday, &AtomicBool::new(false)), monday);
/// assert_eq!(clock.now(), monday);
/// // Time never goes back.
/// assert_eq!(clock.sleep_until(start, &AtomicBool::new(false)), monday);
/// ```
#[derive(Debug)]
pub struct VirtualClock(Mutex<DateTime<Utc>>);

impl VirtualClock {
    /// A clock at `start`.
    #[must_use]
    pub fn new(start: DateTime<Utc>) -> Self {
        Self(Mutex::new(start))
    }

    /// Moves the clock forward by `by` (a test's "some time passes").
    pub fn advance(&self, by: chrono::Duration) {
        let mut now = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        *now = now.checked_add_signed(by).unwrap_or(*now);
    }
}

impl Clock for VirtualClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn sleep_until(&self, at: DateTime<Utc>, _stop: &AtomicBool) -> DateTime<Utc> {
        let mut now = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        if at > *now {
            *now = at;
        }
        *now
    }

    fn is_virtual(&self) -> bool {
        true
    }
}
