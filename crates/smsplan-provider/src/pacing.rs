//! Pacing: token buckets that keep each sender within its capacity.
//!
//! Time is an argument: the dispatcher passes `now` to every call, so pacing is
//! deterministic in tests and never reads a clock. A clock that steps backwards refills
//! nothing (it never panics and never grants extra tokens).
//!
//! ```
//! use chrono::{TimeZone, Utc};
//! use smsplan_provider::pacing::{Admission, Pacer};
//! use smsplan_provider::sender::{Capacity, Sender, SenderId};
//!
//! let shop = SenderId::long_code("+33612345678")?;
//! let mut pacer = Pacer::default();
//! pacer.add(&Sender::new(shop.clone()).with_capacity(Capacity::per_second(2)?));
//! let t0 = Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap();
//! assert_eq!(pacer.try_acquire(&shop, 2, t0)?, Admission::Now);
//! assert!(matches!(pacer.try_acquire(&shop, 1, t0)?, Admission::Wait(_)));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::HashMap;
use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::sender::{Capacity, Sender, SenderId};

/// Micro-tokens per token: tokens are kept in fixed point to stay exact.
const SCALE: i64 = 1_000_000;

/// The answer of a bucket to a request for tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Admission {
    /// Send now: the tokens are taken.
    Now,
    /// Ask again after this delay; nothing was taken.
    Wait(Duration),
}

/// A token bucket: `rate` tokens per second, at most `burst` saved up.
///
/// A request for more tokens than `burst` (a long message on a slow sender) is admitted
/// once the bucket is full and leaves it in debt, so the long-run rate still holds.
///
/// ```
/// use chrono::{Duration, TimeZone, Utc};
/// use smsplan_provider::pacing::{Admission, TokenBucket};
/// use smsplan_provider::sender::Capacity;
/// let t0 = Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap();
/// let mut bucket = TokenBucket::new(Capacity::per_second(10)?, 10, t0);
/// assert_eq!(bucket.try_acquire(10, t0), Admission::Now);
/// assert_eq!(bucket.try_acquire(1, t0), Admission::Wait(std::time::Duration::from_millis(100)));
/// assert_eq!(bucket.try_acquire(1, t0 + Duration::milliseconds(100)), Admission::Now);
/// # Ok::<(), smsplan_provider::sender::CapacityError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenBucket {
    rate: i64,
    burst: i64,
    micro_tokens: i64,
    last: DateTime<Utc>,
}

impl TokenBucket {
    /// A full bucket at `now` refilling at `capacity`, holding at most `burst` tokens
    /// (at least 1).
    #[must_use]
    pub fn new(capacity: Capacity, burst: u32, now: DateTime<Utc>) -> Self {
        let burst = i64::from(burst.max(1));
        Self {
            rate: i64::from(capacity.parts_per_second().get()),
            burst,
            micro_tokens: burst.saturating_mul(SCALE),
            last: now,
        }
    }

    fn refill(&mut self, now: DateTime<Utc>) {
        if now <= self.last {
            return;
        }
        let elapsed_us = (now - self.last).num_microseconds().unwrap_or(i64::MAX);
        let gained = elapsed_us.saturating_mul(self.rate);
        self.micro_tokens = self
            .micro_tokens
            .saturating_add(gained)
            .min(self.burst.saturating_mul(SCALE));
        self.last = now;
    }

    /// Takes `cost` tokens at `now` if available, else says how long to wait.
    pub fn try_acquire(&mut self, cost: u32, now: DateTime<Utc>) -> Admission {
        self.refill(now);
        let cost = i64::from(cost);
        let needed = cost.min(self.burst).saturating_mul(SCALE);
        if self.micro_tokens >= needed {
            self.micro_tokens = self.micro_tokens.saturating_sub(cost.saturating_mul(SCALE));
            return Admission::Now;
        }
        let missing = needed.saturating_sub(self.micro_tokens);
        // missing micro-tokens at `rate` tokens/s = missing / rate microseconds (rounded up).
        let wait_us = missing.saturating_add(self.rate - 1) / self.rate.max(1);
        Admission::Wait(Duration::from_micros(u64::try_from(wait_us).unwrap_or(0)))
    }
}

/// Why a pacing request failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PacingError {
    /// The sender was never added to the pacer.
    #[error("sender {sender} is not paced: add it first")]
    UnknownSender {
        /// The sender.
        sender: SenderId,
    },
}

/// One token bucket per sender, each at the sender's capacity with a burst of one
/// second's worth.
#[derive(Debug, Clone, Default)]
pub struct Pacer {
    buckets: HashMap<SenderId, (Capacity, Option<TokenBucket>)>,
}

impl Pacer {
    /// Paces `sender` at its capacity (replacing an earlier entry).
    pub fn add(&mut self, sender: &Sender) {
        self.buckets
            .insert(sender.id().clone(), (sender.capacity(), None));
    }

    /// Whether `sender` was [added](Self::add).
    ///
    /// ```
    /// # use smsplan_provider::pacing::Pacer;
    /// # use smsplan_provider::sender::{Sender, SenderId};
    /// let shop = SenderId::short_code("36180")?;
    /// let mut pacer = Pacer::default();
    /// assert!(!pacer.paces(&shop));
    /// pacer.add(&Sender::new(shop.clone()));
    /// assert!(pacer.paces(&shop));
    /// # Ok::<(), smsplan_provider::sender::SenderError>(())
    /// ```
    #[must_use]
    pub fn paces(&self, sender: &SenderId) -> bool {
        self.buckets.contains_key(sender)
    }

    /// Takes `parts` tokens from the sender's bucket at `now`.
    ///
    /// # Errors
    /// [`PacingError::UnknownSender`] when the sender was never [added](Self::add).
    pub fn try_acquire(
        &mut self,
        sender: &SenderId,
        parts: u32,
        now: DateTime<Utc>,
    ) -> Result<Admission, PacingError> {
        let (capacity, bucket) =
            self.buckets
                .get_mut(sender)
                .ok_or_else(|| PacingError::UnknownSender {
                    sender: sender.clone(),
                })?;
        let bucket = bucket.get_or_insert_with(|| {
            TokenBucket::new(*capacity, capacity.parts_per_second().get(), now)
        });
        Ok(bucket.try_acquire(parts, now))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use proptest::prelude::*;

    fn t0() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 29, 0, 59, 0).unwrap()
    }

    #[test]
    fn a_clock_stepping_back_grants_nothing() {
        let mut b = TokenBucket::new(Capacity::per_second(1).unwrap(), 1, t0());
        assert_eq!(b.try_acquire(1, t0()), Admission::Now);
        let earlier = t0() - chrono::Duration::seconds(30);
        assert!(matches!(b.try_acquire(1, earlier), Admission::Wait(_)));
        assert_eq!(
            b.try_acquire(1, t0() + chrono::Duration::seconds(1)),
            Admission::Now
        );
    }

    #[test]
    fn a_message_longer_than_the_burst_goes_into_debt() {
        let mut b = TokenBucket::new(Capacity::per_second(1).unwrap(), 1, t0());
        assert_eq!(b.try_acquire(3, t0()), Admission::Now);
        // 3 taken from 1: two seconds of debt plus one for the next part.
        assert_eq!(
            b.try_acquire(1, t0()),
            Admission::Wait(Duration::from_secs(3))
        );
    }

    #[test]
    fn unknown_senders_are_an_error() {
        let mut p = Pacer::default();
        let s = SenderId::short_code("36180").unwrap();
        assert!(matches!(
            p.try_acquire(&s, 1, t0()),
            Err(PacingError::UnknownSender { .. })
        ));
    }

    proptest! {
        #[test]
        fn admitted_parts_never_exceed_burst_plus_rate_times_elapsed(
            rate in 1u32..50,
            steps in proptest::collection::vec((0u64..400, 1u32..5), 1..200),
        ) {
            let mut b = TokenBucket::new(Capacity::per_second(rate).unwrap(), rate, t0());
            let mut now = t0();
            let mut admitted = 0u64;
            for (advance_ms, cost) in steps {
                now += chrono::Duration::milliseconds(i64::try_from(advance_ms).unwrap());
                if b.try_acquire(cost, now) == Admission::Now {
                    admitted += u64::from(cost);
                }
                let elapsed_ms = u64::try_from((now - t0()).num_milliseconds()).unwrap();
                // Debt lets one request overshoot by at most cost - 1 < 5 parts.
                let bound = u64::from(rate) + u64::from(rate) * elapsed_ms / 1000 + 5;
                prop_assert!(admitted <= bound, "{admitted} > {bound}");
            }
        }
    }
}
