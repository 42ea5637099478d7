//! Progress of a send: a pure function of the plan's recipients and the delivery reports.
//!
//! Each recipient is in exactly one state, given by the last report about it: waiting (no
//! report), held (a window closed before it went out), sent (submitted, no final report
//! yet), delivered or failed. `sent` counts every submitted message (sent, delivered and
//! failed), `remaining` those not submitted yet (waiting and held).
//!
//! ```
//! use smsplan_core::progress::{progress, DeliveryReport, DeliveryStatus};
//!
//! let plan = ["c1", "c2", "c3", "c4"];
//! let reports = [
//!     DeliveryReport::new("c1", DeliveryStatus::Sent),
//!     DeliveryReport::new("c1", DeliveryStatus::Delivered),
//!     DeliveryReport::new("c2", DeliveryStatus::Failed),
//!     DeliveryReport::new("c3", DeliveryStatus::Held),
//! ];
//! let p = progress(plan.iter(), reports.iter().map(|r| (&r.recipient, r.status)));
//! assert_eq!((p.sent, p.delivered, p.failed, p.held, p.remaining), (2, 1, 1, 1, 2));
//! assert_eq!(p.percent_complete(), 50.0);
//! ```

use std::borrow::Borrow;
use std::collections::HashMap;
use std::hash::Hash;

/// What a report says about one recipient's message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DeliveryStatus {
    /// Not sent: a legal window closed first; it waits for the next one.
    Held,
    /// Submitted to the gateway; no final report yet.
    Sent,
    /// The handset received it (final).
    Delivered,
    /// The gateway or network gave up on it (final).
    Failed,
}

impl DeliveryStatus {
    /// The snake_case name.
    ///
    /// ```
    /// assert_eq!(smsplan_core::progress::DeliveryStatus::Delivered.as_str(), "delivered");
    /// ```
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Held => "held",
            Self::Sent => "sent",
            Self::Delivered => "delivered",
            Self::Failed => "failed",
        }
    }

    /// Whether no later report changes it (`delivered`, `failed`).
    ///
    /// ```
    /// use smsplan_core::progress::DeliveryStatus;
    /// assert!(DeliveryStatus::Failed.is_final());
    /// assert!(!DeliveryStatus::Sent.is_final());
    /// ```
    #[must_use]
    pub const fn is_final(self) -> bool {
        matches!(self, Self::Delivered | Self::Failed)
    }
}

/// One report about one recipient, keyed by whatever identifies recipients in the plan
/// (contact ids in a [`SendPlan`](crate::plan::SendPlan)).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryReport<K> {
    /// The recipient.
    pub recipient: K,
    /// What happened.
    pub status: DeliveryStatus,
}

impl<K> DeliveryReport<K> {
    /// Builds a report.
    ///
    /// ```
    /// use smsplan_core::progress::{DeliveryReport, DeliveryStatus};
    /// let r = DeliveryReport::new("c1", DeliveryStatus::Sent);
    /// assert_eq!(r.recipient, "c1");
    /// ```
    pub const fn new(recipient: K, status: DeliveryStatus) -> Self {
        Self { recipient, status }
    }
}

/// Counts of a send in progress.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Progress {
    /// Recipients in the plan.
    pub total: u64,
    /// Submitted messages (sent, delivered or failed).
    pub sent: u64,
    /// Delivered messages.
    pub delivered: u64,
    /// Failed messages.
    pub failed: u64,
    /// Messages held by a closed window.
    pub held: u64,
    /// Messages not submitted yet (waiting or held).
    pub remaining: u64,
    /// Reports about recipients that are not in the plan (ignored in the other counts).
    pub unknown_reports: u64,
    /// Reports ignored because the recipient already had a final status.
    pub late_reports: u64,
}

impl Progress {
    /// The share of the plan submitted, from 0 to 100 (100 for an empty plan).
    ///
    /// ```
    /// assert_eq!(smsplan_core::progress::Progress::default().percent_complete(), 100.0);
    /// ```
    #[must_use]
    #[expect(
        clippy::cast_precision_loss,
        reason = "a percentage for display; counts stay below 2^53"
    )]
    pub fn percent_complete(&self) -> f64 {
        if self.total == 0 {
            100.0
        } else {
            self.sent as f64 * 100.0 / self.total as f64
        }
    }

    /// Whether every recipient has a final status.
    ///
    /// ```
    /// assert!(smsplan_core::progress::Progress::default().is_finished());
    /// ```
    #[must_use]
    pub fn is_finished(&self) -> bool {
        self.delivered + self.failed == self.total
    }
}

/// Computes the progress of a plan from its recipients' keys and the reports, in order.
///
/// A recipient's state is its last report, except that a final status (`delivered`,
/// `failed`) is never undone by a later report: such reports count as `late_reports`.
/// A recipient listed twice in the plan counts once.
///
/// See the [module example](self).
pub fn progress<'a, K, Q, R>(
    recipients: R,
    reports: impl IntoIterator<Item = (&'a Q, DeliveryStatus)>,
) -> Progress
where
    K: Borrow<Q> + 'a,
    Q: Hash + Eq + ?Sized + 'a,
    R: IntoIterator<Item = &'a K>,
{
    let mut state: HashMap<&Q, Option<DeliveryStatus>> =
        recipients.into_iter().map(|k| (k.borrow(), None)).collect();
    let mut p = Progress {
        total: state.len() as u64,
        ..Progress::default()
    };
    for (key, status) in reports {
        match state.get_mut(key) {
            None => p.unknown_reports += 1,
            Some(Some(current)) if current.is_final() => p.late_reports += 1,
            Some(slot) => *slot = Some(status),
        }
    }
    for s in state.values() {
        match s {
            None => p.remaining += 1,
            Some(DeliveryStatus::Held) => {
                p.held += 1;
                p.remaining += 1;
            }
            Some(DeliveryStatus::Sent) => p.sent += 1,
            Some(DeliveryStatus::Delivered) => {
                p.sent += 1;
                p.delivered += 1;
            }
            Some(DeliveryStatus::Failed) => {
                p.sent += 1;
                p.failed += 1;
            }
        }
    }
    p
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn statuses() -> impl Strategy<Value = DeliveryStatus> {
        prop_oneof![
            Just(DeliveryStatus::Held),
            Just(DeliveryStatus::Sent),
            Just(DeliveryStatus::Delivered),
            Just(DeliveryStatus::Failed),
        ]
    }

    #[test]
    fn final_statuses_stick_and_strangers_are_counted_apart() {
        let plan = ["a", "b"];
        let reports = [
            ("a", DeliveryStatus::Delivered),
            ("a", DeliveryStatus::Held),
            ("z", DeliveryStatus::Sent),
        ];
        let p = progress(plan.iter(), reports.iter().map(|(k, s)| (k, *s)));
        assert_eq!(p.delivered, 1);
        assert_eq!(p.held, 0);
        assert_eq!(p.late_reports, 1);
        assert_eq!(p.unknown_reports, 1);
        assert_eq!(p.remaining, 1);
        assert_eq!(p.percent_complete(), 50.0);
    }

    proptest! {
        #[test]
        fn counts_add_up_to_the_plan(
            n in 0usize..50,
            reports in proptest::collection::vec((0usize..60, statuses()), 0..200),
        ) {
            let plan: Vec<usize> = (0..n).collect();
            let p = progress(plan.iter(), reports.iter().map(|(k, s)| (k, *s)));
            prop_assert_eq!(p.total, n as u64);
            prop_assert_eq!(p.sent + p.remaining, p.total);
            prop_assert!(p.delivered + p.failed <= p.sent);
            prop_assert!(p.held <= p.remaining);
            let pct = p.percent_complete();
            prop_assert!((0.0..=100.0).contains(&pct));
        }
    }
}
