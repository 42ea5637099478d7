//! [`InMemoryGateway`]: a faithful gateway without a network, for your own tests.
//!
//! It encodes and splits like a real adapter, keeps every part it "sent", honours
//! idempotency by id part by part, queues delivery reports (automatic or scripted) and
//! inbound messages with the same de-duplication as the Kannel adapter, and can play
//! outages, throttling and rejections. It passes the `testing` conformance suite.
//!
//! ```
//! use smsplan_provider::delivery::DeliveryState;
//! use smsplan_provider::gateway::{Body, Gateway, GatewayEvent, MessageId, OutboundMessage};
//! use smsplan_provider::memory::{AutoReport, InMemoryGateway};
//! use smsplan_provider::number::Msisdn;
//! use smsplan_provider::sender::SenderId;
//!
//! let gateway = InMemoryGateway::default().with_auto_reports(AutoReport::Delivered);
//! let message = OutboundMessage::new(
//!     MessageId::new("m-1")?,
//!     SenderId::alphanumeric("Shop")?,
//!     Msisdn::parse("+33612345678")?,
//!     Body::Text("Soldes 😀 ".repeat(10)),
//! );
//! let receipt = gateway.submit(&message)?;
//! assert_eq!(receipt.parts, 2);
//! assert_eq!(gateway.sent().len(), 2);
//! let events = gateway.poll_events(10);
//! assert!(events.iter().all(|e| matches!(e,
//!     GatewayEvent::Delivery(r) if r.state == DeliveryState::Delivered)));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use smsplan_core::text::EncodedPart;

use crate::delivery::DeliveryState;
use crate::events::{EventQueue, Offer};
use crate::gateway::{
    DeliveryReport, Gateway, GatewayEvent, InboundMessage, MessageId, OutboundMessage,
    ProviderError, ReportSupport, Submission, SubmitReceipt, Unavailable,
};
use crate::ledger::{Begin, Ledger};
use crate::number::Msisdn;
use crate::sender::SenderId;

/// One part as the in-memory network received it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SentPart {
    /// The message it belongs to.
    pub message: MessageId,
    /// Its number, from 1.
    pub part: u16,
    /// How many parts the message has.
    pub parts: u16,
    /// The sender.
    pub from: SenderId,
    /// The recipient.
    pub to: Msisdn,
    /// The encoded part (header, payload, text).
    pub encoded: EncodedPart,
}

/// Which delivery reports the gateway produces by itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum AutoReport {
    /// None: the test calls [`InMemoryGateway::report`].
    #[default]
    Nothing,
    /// A `Delivered` report per part as soon as it is sent.
    Delivered,
}

/// A scripted failure of the next submits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Outage {
    /// Everything works.
    #[default]
    None,
    /// Every submit fails with [`ProviderError::Unavailable`], sending nothing.
    Down,
    /// Every submit fails with [`ProviderError::Throttled`].
    Throttled(Duration),
    /// This many more parts go out, then the gateway is [`Outage::Down`].
    AfterParts(u32),
}

/// Why a scripted report or inbound message was not queued.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MemoryError {
    /// No part with this id and number was sent.
    #[error("no part {part} of message {id} was sent")]
    UnknownPart {
        /// The message.
        id: MessageId,
        /// The part.
        part: u16,
    },
    /// The same report or inbound id was queued before.
    #[error("duplicate event dropped")]
    Duplicate,
    /// The event queue is full.
    #[error("event queue full")]
    Full,
}

#[derive(Debug, Default)]
struct State {
    ledger: Ledger,
    sent: Vec<SentPart>,
    outage: Outage,
    rejected: HashMap<Msisdn, String>,
}

/// An in-memory [`Gateway`] (see the [module docs](self)).
#[derive(Debug)]
pub struct InMemoryGateway {
    state: Mutex<State>,
    events: EventQueue,
    max_parts: u16,
    auto: AutoReport,
}

impl Default for InMemoryGateway {
    fn default() -> Self {
        Self {
            state: Mutex::default(),
            events: EventQueue::default(),
            max_parts: 10,
            auto: AutoReport::Nothing,
        }
    }
}

impl InMemoryGateway {
    /// Accepts messages of at most `max` parts (10 by default).
    #[must_use]
    pub fn with_max_parts(mut self, max: u16) -> Self {
        self.max_parts = max;
        self
    }

    /// Produces delivery reports by itself.
    #[must_use]
    pub fn with_auto_reports(mut self, auto: AutoReport) -> Self {
        self.auto = auto;
        self
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Scripts the next submits' failures.
    ///
    /// ```
    /// # use smsplan_provider::memory::{InMemoryGateway, Outage};
    /// let gateway = InMemoryGateway::default();
    /// gateway.set_outage(Outage::Down);
    /// gateway.set_outage(Outage::None);
    /// ```
    pub fn set_outage(&self, outage: Outage) {
        self.state().outage = outage;
    }

    /// Makes every submit to `number` fail with [`ProviderError::Rejected`] and `code`.
    pub fn reject_recipient(&self, number: Msisdn, code: &str) {
        self.state().rejected.insert(number, code.to_owned());
    }

    /// Stops remembering a message id: a later submit of it sends again (see
    /// `KannelGateway::forget`). Returns whether the id was remembered.
    ///
    /// ```
    /// # use smsplan_provider::memory::InMemoryGateway;
    /// # use smsplan_provider::gateway::MessageId;
    /// assert!(!InMemoryGateway::default().forget(&MessageId::new("m")?));
    /// # Ok::<(), smsplan_provider::gateway::MessageIdError>(())
    /// ```
    pub fn forget(&self, id: &MessageId) -> bool {
        self.state().ledger.forget(id)
    }

    /// Every part sent so far, in order.
    #[must_use]
    pub fn sent(&self) -> Vec<SentPart> {
        self.state().sent.clone()
    }

    /// Queues a delivery report for a sent part.
    ///
    /// # Errors
    /// [`MemoryError`]: unknown part, duplicate report or full queue.
    pub fn report(
        &self,
        id: &MessageId,
        part: u16,
        state: DeliveryState,
        code: Option<&str>,
    ) -> Result<(), MemoryError> {
        let known = self
            .state()
            .sent
            .iter()
            .any(|p| &p.message == id && p.part == part);
        if !known {
            return Err(MemoryError::UnknownPart {
                id: id.clone(),
                part,
            });
        }
        self.offer(GatewayEvent::Delivery(DeliveryReport {
            message: id.clone(),
            part,
            state,
            code: code.map(str::to_owned),
            at: None,
        }))
    }

    /// Queues an inbound message, as if a handset had sent it.
    ///
    /// # Errors
    /// [`MemoryError::Duplicate`] for an id queued before, [`MemoryError::Full`].
    pub fn inject(&self, inbound: InboundMessage) -> Result<(), MemoryError> {
        self.offer(GatewayEvent::Inbound(inbound))
    }

    fn offer(&self, event: GatewayEvent) -> Result<(), MemoryError> {
        match self.events.offer(event) {
            Offer::Queued => Ok(()),
            Offer::Duplicate => Err(MemoryError::Duplicate),
            Offer::Full => Err(MemoryError::Full),
        }
    }
}

impl Gateway for InMemoryGateway {
    fn submit(&self, message: &OutboundMessage) -> Result<SubmitReceipt, ProviderError> {
        let parts = message.parts(self.max_parts)?;
        let count = u16::try_from(parts.len()).unwrap_or(u16::MAX);
        let id = message.id();
        let mut state = self.state();
        let done = match state.ledger.begin(message, count)? {
            Begin::Repeat(receipt) => return Ok(receipt),
            Begin::Send { done } => done,
        };
        if let Some(code) = state.rejected.get(message.to()).cloned() {
            state.ledger.finish(id).ok();
            state.ledger.abandon_unsent(id);
            return Err(ProviderError::Rejected {
                id: id.clone(),
                code,
                reason: "recipient rejected".into(),
            });
        }
        for (index, (encoded, already)) in parts.into_iter().zip(done).enumerate() {
            if already {
                continue;
            }
            let failure = match state.outage {
                Outage::None => None,
                Outage::AfterParts(0) | Outage::Down => Some(None),
                Outage::AfterParts(n) => {
                    state.outage = Outage::AfterParts(n - 1);
                    None
                }
                Outage::Throttled(wait) => Some(Some(wait)),
            };
            if let Some(throttle) = failure {
                let parts_sent = state.ledger.finish(id).err().unwrap_or(0);
                state.ledger.abandon_unsent(id);
                return Err(match throttle {
                    Some(retry_after) => ProviderError::Throttled {
                        id: id.clone(),
                        retry_after,
                    },
                    None => ProviderError::Unavailable {
                        id: id.clone(),
                        reason: Unavailable::Down,
                        parts_sent,
                    },
                });
            }
            let part = u16::try_from(index + 1).unwrap_or(u16::MAX);
            state.sent.push(SentPart {
                message: id.clone(),
                part,
                parts: count,
                from: message.from().clone(),
                to: message.to().clone(),
                encoded,
            });
            state.ledger.part_done(id, index, Submission::Accepted);
            if self.auto == AutoReport::Delivered {
                self.events.offer(GatewayEvent::Delivery(DeliveryReport {
                    message: id.clone(),
                    part,
                    state: DeliveryState::Delivered,
                    code: None,
                    at: None,
                }));
            }
        }
        state
            .ledger
            .finish(id)
            .map_err(|parts_sent| ProviderError::Unavailable {
                id: id.clone(),
                reason: Unavailable::Forgotten,
                parts_sent,
            })
    }

    fn poll_events(&self, max: usize) -> Vec<GatewayEvent> {
        self.events.poll(max)
    }

    fn delivery_reports(&self) -> ReportSupport {
        ReportSupport::PerPart
    }

    fn max_parts(&self) -> u16 {
        self.max_parts
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gateway::{Body, InvalidReason};
    use proptest::prelude::*;

    fn message(id: &str, text: &str) -> OutboundMessage {
        OutboundMessage::new(
            MessageId::new(id).unwrap(),
            SenderId::short_code("36180").unwrap(),
            Msisdn::parse("+33612345678").unwrap(),
            Body::Text(text.into()),
        )
    }

    #[test]
    fn a_retry_after_an_outage_mid_message_sends_only_the_missing_parts() {
        let g = InMemoryGateway::default();
        let m = message("m", &"x".repeat(400)); // 3 parts
        g.set_outage(Outage::AfterParts(1));
        let err = g.submit(&m).unwrap_err();
        assert!(matches!(
            err,
            ProviderError::Unavailable { parts_sent: 1, .. }
        ));
        g.set_outage(Outage::None);
        assert_eq!(g.submit(&m).unwrap().submission, Submission::Accepted);
        let parts: Vec<u16> = g.sent().iter().map(|p| p.part).collect();
        assert_eq!(parts, [1, 2, 3]);
        assert_eq!(
            g.submit(&m).unwrap().submission,
            Submission::AlreadySubmitted
        );
        assert_eq!(g.sent().len(), 3);
    }

    #[test]
    fn a_forgotten_id_is_sent_again() {
        let g = InMemoryGateway::default();
        let m = message("m", "hi");
        g.submit(&m).unwrap();
        assert!(g.forget(m.id()));
        assert_eq!(g.submit(&m).unwrap().submission, Submission::Accepted);
        assert_eq!(g.sent().len(), 2);
    }

    #[test]
    fn reusing_an_id_for_other_content_is_refused() {
        let g = InMemoryGateway::default();
        g.submit(&message("m", "one")).unwrap();
        let err = g.submit(&message("m", "two")).unwrap_err();
        assert!(matches!(
            err,
            ProviderError::InvalidRequest {
                reason: InvalidReason::IdReused,
                ..
            }
        ));
    }

    #[test]
    fn a_rejected_or_throttled_id_can_be_submitted_again() {
        let g = InMemoryGateway::default();
        let m = message("m", "hi");
        g.set_outage(Outage::Throttled(Duration::from_millis(50)));
        assert!(matches!(g.submit(&m), Err(ProviderError::Throttled { .. })));
        g.set_outage(Outage::None);
        g.reject_recipient(m.to().clone(), "21610");
        assert!(matches!(
            g.submit(&m),
            Err(ProviderError::Rejected { ref code, .. }) if code == "21610"
        ));
        assert!(g.sent().is_empty());
    }

    #[test]
    fn scripted_reports_need_a_sent_part() {
        let g = InMemoryGateway::default();
        let id = MessageId::new("m").unwrap();
        assert!(matches!(
            g.report(&id, 1, DeliveryState::Delivered, None),
            Err(MemoryError::UnknownPart { .. })
        ));
        g.submit(&message("m", "hi")).unwrap();
        g.report(&id, 1, DeliveryState::Undeliverable, Some("034"))
            .unwrap();
        assert_eq!(
            g.report(&id, 1, DeliveryState::Undeliverable, Some("034")),
            Err(MemoryError::Duplicate)
        );
        assert_eq!(g.poll_events(10).len(), 1);
    }

    fn outages() -> impl Strategy<Value = Outage> {
        prop_oneof![
            Just(Outage::None),
            Just(Outage::Down),
            Just(Outage::Throttled(Duration::from_millis(1))),
            (0u32..4).prop_map(Outage::AfterParts),
        ]
    }

    proptest! {
        #[test]
        fn every_part_is_sent_exactly_once_whatever_the_retries(
            lengths in proptest::collection::vec(1usize..500, 1..6),
            script in proptest::collection::vec((outages(), 0usize..6), 0..30),
        ) {
            let g = InMemoryGateway::default();
            let messages: Vec<OutboundMessage> = lengths
                .iter()
                .enumerate()
                .map(|(i, n)| message(&format!("m{i}"), &"é".repeat(*n)))
                .collect();
            for (outage, pick) in script {
                g.set_outage(outage);
                let _ = g.submit(&messages[pick % messages.len()]);
            }
            g.set_outage(Outage::None);
            for m in &messages {
                g.submit(m).unwrap();
            }
            let mut seen: Vec<(MessageId, u16)> =
                g.sent().into_iter().map(|p| (p.message, p.part)).collect();
            let total = seen.len();
            seen.sort();
            seen.dedup();
            prop_assert_eq!(seen.len(), total, "a part was sent twice");
            let expected: usize = messages.iter().map(|m| m.parts(10).unwrap().len()).sum();
            prop_assert_eq!(total, expected);
        }
    }
}
