//! Delivery states: a monotonic state machine per part, aggregated per message.
//!
//! ```text
//! Accepted ──▶ Buffered ──▶ Delivered | Undeliverable | Rejected | Expired
//!     └──────────────────────▲
//! ```
//!
//! Gateways report out of order (Kannel has sent "delivered" before "accepted") and
//! repeat themselves (callbacks are retried). A report never moves a part backwards, and
//! the first final state wins: later reports are [`Ignored`] with the reason.
//!
//! A [`DeliveryState`] is the gateway's detail; what a send's progress counts is
//! `smsplan-core`'s [`DeliveryStatus`] (sent, delivered, failed), which each state maps
//! onto ([`DeliveryState::status`], [`DeliveryTracker::status`]), so reports feed
//! [`smsplan_core::progress::progress`] directly.
//!
//! ```
//! use smsplan_core::progress::DeliveryStatus;
//! use smsplan_provider::delivery::DeliveryState;
//! assert_eq!(DeliveryState::Buffered.status(), DeliveryStatus::Sent);
//! assert_eq!(DeliveryState::Expired.status(), DeliveryStatus::Failed);
//! ```

use std::collections::HashMap;

use smsplan_core::progress::DeliveryStatus;

use crate::gateway::{DeliveryReport, MessageId};

/// Where a message part stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum DeliveryState {
    /// Taken by the gateway or the operator's SMSC.
    Accepted,
    /// Held by the network (handset off, out of coverage).
    Buffered,
    /// On the handset. Final.
    Delivered,
    /// The network gave up (unknown number, handset never reachable). Final.
    Undeliverable,
    /// The operator refused it (blocked sender, invalid number, content). Final.
    Rejected,
    /// Its validity period ran out before delivery. Final.
    Expired,
}

/// Whether a state can still change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Stage {
    /// More reports are expected.
    InFlight,
    /// Nothing will change any more.
    Final,
}

/// Why a report did not change the state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Ignored {
    /// The same state was reported again.
    Duplicate,
    /// The report is older than the current state (it arrived late).
    Stale,
    /// A different final state was reported first; the first one stands.
    AlreadyFinal,
}

/// The result of applying a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Transition {
    /// The state moved forward to this one.
    Advanced(DeliveryState),
    /// Nothing changed.
    Ignored {
        /// The state kept.
        kept: DeliveryState,
        /// Why.
        because: Ignored,
    },
}

impl DeliveryState {
    fn rank(self) -> u8 {
        match self {
            Self::Accepted => 0,
            Self::Buffered => 1,
            Self::Delivered | Self::Undeliverable | Self::Rejected | Self::Expired => 2,
        }
    }

    /// Whether the state is final.
    ///
    /// ```
    /// use smsplan_provider::delivery::{DeliveryState, Stage};
    /// assert_eq!(DeliveryState::Buffered.stage(), Stage::InFlight);
    /// assert_eq!(DeliveryState::Expired.stage(), Stage::Final);
    /// ```
    #[must_use]
    pub fn stage(self) -> Stage {
        if self.rank() == 2 {
            Stage::Final
        } else {
            Stage::InFlight
        }
    }

    /// The core status of a message in this state: accepted and buffered are
    /// [`DeliveryStatus::Sent`], delivered is [`DeliveryStatus::Delivered`], the failures
    /// (undeliverable, rejected, expired) are [`DeliveryStatus::Failed`]. A state is final
    /// exactly when its status is.
    ///
    /// ```
    /// use smsplan_core::progress::DeliveryStatus;
    /// use smsplan_provider::delivery::DeliveryState;
    /// assert_eq!(DeliveryState::Rejected.status(), DeliveryStatus::Failed);
    /// assert_eq!(DeliveryStatus::from(DeliveryState::Delivered), DeliveryStatus::Delivered);
    /// ```
    #[must_use]
    pub fn status(self) -> DeliveryStatus {
        match self {
            Self::Accepted | Self::Buffered => DeliveryStatus::Sent,
            Self::Delivered => DeliveryStatus::Delivered,
            Self::Undeliverable | Self::Rejected | Self::Expired => DeliveryStatus::Failed,
        }
    }

    /// The state after a report of `reported`: forward only.
    ///
    /// ```
    /// use smsplan_provider::delivery::{DeliveryState::*, Ignored, Transition};
    /// assert_eq!(Accepted.apply(Delivered), Transition::Advanced(Delivered));
    /// assert_eq!(
    ///     Delivered.apply(Accepted),
    ///     Transition::Ignored { kept: Delivered, because: Ignored::Stale },
    /// );
    /// ```
    #[must_use]
    pub fn apply(self, reported: Self) -> Transition {
        let because = if reported == self {
            Ignored::Duplicate
        } else if self.stage() == Stage::Final && reported.stage() == Stage::Final {
            Ignored::AlreadyFinal
        } else if reported.rank() <= self.rank() {
            Ignored::Stale
        } else {
            return Transition::Advanced(reported);
        };
        Transition::Ignored {
            kept: self,
            because,
        }
    }
}

impl From<DeliveryState> for DeliveryStatus {
    /// See [`DeliveryState::status`].
    fn from(state: DeliveryState) -> Self {
        state.status()
    }
}

/// Why a report could not be applied.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DeliveryError {
    /// No message with this id is tracked.
    #[error("delivery report for unknown message {id}")]
    UnknownMessage {
        /// The id in the report.
        id: MessageId,
    },
    /// The report names a part the message does not have.
    #[error("delivery report for message {id}: part {part} of {parts}")]
    NoSuchPart {
        /// The message.
        id: MessageId,
        /// The part reported.
        part: u16,
        /// Parts the message has.
        parts: u16,
    },
}

/// Delivery states of many messages, part by part.
///
/// A message is delivered when all its parts are; it failed as soon as one part
/// reached a failure state; otherwise it stands at its least advanced part.
///
/// ```
/// use smsplan_provider::delivery::{DeliveryState, DeliveryTracker};
/// use smsplan_provider::gateway::{DeliveryReport, MessageId};
///
/// let id = MessageId::new("m-1")?;
/// let mut tracker = DeliveryTracker::default();
/// tracker.track(id.clone(), 2);
/// let report = |part, state| DeliveryReport { message: id.clone(), part, state, code: None, at: None };
/// tracker.apply(&report(2, DeliveryState::Delivered))?;
/// assert_eq!(tracker.state(&id), Some(DeliveryState::Accepted));
/// tracker.apply(&report(1, DeliveryState::Delivered))?;
/// tracker.apply(&report(1, DeliveryState::Accepted))?; // late: ignored
/// assert_eq!(tracker.state(&id), Some(DeliveryState::Delivered));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct DeliveryTracker {
    parts: HashMap<MessageId, Vec<DeliveryState>>,
}

impl DeliveryTracker {
    /// Starts tracking a submitted message of `parts` parts (at least 1), all
    /// [`DeliveryState::Accepted`]. Tracking an id again keeps its states.
    pub fn track(&mut self, id: MessageId, parts: u16) {
        self.parts
            .entry(id)
            .or_insert_with(|| vec![DeliveryState::Accepted; usize::from(parts.max(1))]);
    }

    /// Applies a report to its part.
    ///
    /// # Errors
    /// [`DeliveryError`] for an unknown message or part; nothing changes then.
    pub fn apply(&mut self, report: &DeliveryReport) -> Result<Transition, DeliveryError> {
        let states =
            self.parts
                .get_mut(&report.message)
                .ok_or_else(|| DeliveryError::UnknownMessage {
                    id: report.message.clone(),
                })?;
        let parts = u16::try_from(states.len()).unwrap_or(u16::MAX);
        let slot = usize::from(report.part)
            .checked_sub(1)
            .and_then(|i| states.get_mut(i))
            .ok_or_else(|| DeliveryError::NoSuchPart {
                id: report.message.clone(),
                part: report.part,
                parts,
            })?;
        let transition = slot.apply(report.state);
        if let Transition::Advanced(next) = transition {
            *slot = next;
        }
        Ok(transition)
    }

    /// The state of a whole message, or `None` when it is not tracked.
    #[must_use]
    pub fn state(&self, id: &MessageId) -> Option<DeliveryState> {
        let states = self.parts.get(id)?;
        if let Some(failure) = states
            .iter()
            .find(|s| s.stage() == Stage::Final && **s != DeliveryState::Delivered)
        {
            return Some(*failure);
        }
        states.iter().copied().min_by_key(|s| s.rank())
    }

    /// The core status of a whole message ([`DeliveryTracker::state`] mapped by
    /// [`DeliveryState::status`]), or `None` when it is not tracked.
    ///
    /// ```
    /// use smsplan_core::progress::DeliveryStatus;
    /// use smsplan_provider::delivery::{DeliveryState, DeliveryTracker};
    /// use smsplan_provider::gateway::{DeliveryReport, MessageId};
    ///
    /// let id = MessageId::new("m-1")?;
    /// let mut tracker = DeliveryTracker::default();
    /// tracker.track(id.clone(), 1);
    /// assert_eq!(tracker.status(&id), Some(DeliveryStatus::Sent));
    /// tracker.apply(&DeliveryReport { message: id.clone(), part: 1, state: DeliveryState::Expired, code: None, at: None })?;
    /// assert_eq!(tracker.status(&id), Some(DeliveryStatus::Failed));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn status(&self, id: &MessageId) -> Option<DeliveryStatus> {
        self.state(id).map(DeliveryState::status)
    }

    /// Stops tracking a message (e.g. once final and stored elsewhere).
    pub fn forget(&mut self, id: &MessageId) {
        self.parts.remove(id);
    }

    /// How many messages are tracked.
    #[must_use]
    pub fn len(&self) -> usize {
        self.parts.len()
    }

    /// Whether no message is tracked.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.parts.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::DeliveryState::*;
    use super::*;
    use proptest::prelude::*;

    const ALL: [DeliveryState; 6] = [
        Accepted,
        Buffered,
        Delivered,
        Undeliverable,
        Rejected,
        Expired,
    ];

    #[test]
    fn first_final_state_wins() {
        assert_eq!(
            Undeliverable.apply(Delivered),
            Transition::Ignored {
                kept: Undeliverable,
                because: Ignored::AlreadyFinal
            }
        );
        assert_eq!(Buffered.apply(Expired), Transition::Advanced(Expired));
        assert_eq!(
            Buffered.apply(Buffered),
            Transition::Ignored {
                kept: Buffered,
                because: Ignored::Duplicate
            }
        );
    }

    #[test]
    fn every_state_maps_to_a_core_status_final_exactly_when_the_state_is() {
        for state in ALL {
            assert_eq!(
                state.status().is_final(),
                state.stage() == Stage::Final,
                "{state:?}"
            );
            assert_ne!(state.status(), DeliveryStatus::Held, "{state:?}");
        }
    }

    #[test]
    fn one_failed_part_fails_the_message() {
        let id = MessageId::new("m").unwrap();
        let mut t = DeliveryTracker::default();
        t.track(id.clone(), 3);
        let r = |part, state| DeliveryReport {
            message: id.clone(),
            part,
            state,
            code: None,
            at: None,
        };
        t.apply(&r(1, Delivered)).unwrap();
        t.apply(&r(3, Undeliverable)).unwrap();
        assert_eq!(t.state(&id), Some(Undeliverable));
        assert!(matches!(
            t.apply(&r(4, Delivered)),
            Err(DeliveryError::NoSuchPart { part: 4, .. })
        ));
        assert!(matches!(
            t.apply(&r(0, Delivered)),
            Err(DeliveryError::NoSuchPart { part: 0, .. })
        ));
    }

    proptest! {
        #[test]
        fn reports_never_move_a_part_backwards(
            reports in proptest::collection::vec(proptest::sample::select(ALL.to_vec()), 0..40),
        ) {
            let mut state = Accepted;
            let mut first_final = None;
            for reported in reports {
                let before = state;
                if let Transition::Advanced(next) = state.apply(reported) {
                    state = next;
                }
                prop_assert!(state.rank() >= before.rank());
                if first_final.is_none() && state.stage() == Stage::Final {
                    first_final = Some(state);
                }
                if let Some(f) = first_final {
                    prop_assert_eq!(state, f);
                }
            }
        }

        #[test]
        fn the_order_of_one_final_report_among_earlier_ones_does_not_matter(
            mut reports in proptest::collection::vec(proptest::sample::select(vec![Accepted, Buffered]), 0..10),
            last in proptest::sample::select(vec![Delivered, Undeliverable, Rejected, Expired]),
            at in 0usize..10,
        ) {
            reports.insert(at.min(reports.len()), last);
            let mut state = Accepted;
            for r in reports {
                if let Transition::Advanced(next) = state.apply(r) {
                    state = next;
                }
            }
            prop_assert_eq!(state, last);
        }
    }
}
