//! The adapter conformance suite (feature `testing`): the checks every [`Gateway`]
//! implementation must pass, ours and yours.
//!
//! Implement [`Harness`] for your adapter (what reached the far end, how to make it
//! report and send inbound messages), then call [`run`] in a test:
//!
//! ```
//! use smsplan_provider::memory::InMemoryGateway;
//! use smsplan_provider::testing::{run, InMemoryHarness};
//!
//! let harness = InMemoryHarness::new(InMemoryGateway::default());
//! let report = run(&harness);
//! assert!(report.all_passed(), "{report}");
//! ```
//!
//! Each check uses its own recipient number and message ids prefixed `conformance-`, so
//! a harness can tell the parts apart; events polled from the gateway are kept for the
//! whole run, so checks do not steal each other's reports.

use std::cell::RefCell;
use std::fmt;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use smsplan_core::text::{EncodedPart, Payload};

use crate::delivery::DeliveryState;
use crate::gateway::{
    Body, Gateway, GatewayEvent, InboundMessage, InvalidReason, MessageId, OutboundMessage,
    ProviderError, Submission,
};
use crate::memory::InMemoryGateway;
use crate::number::Msisdn;
use crate::sender::SenderId;

/// What the far end (SMSC, operator, handset) saw of one part.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceivedPart {
    /// The recipient as the far end saw it.
    pub to: String,
    /// The user data header, length octet included; empty for a single part.
    pub udh: Vec<u8>,
    /// The content.
    pub content: Content,
    /// The harness's own handle on the part (e.g. `message-id/part`), passed back to
    /// [`Harness::report`].
    pub handle: String,
}

/// The content of a received part.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Content {
    /// Decoded text.
    Text(String),
    /// Raw octets: UTF-16BE for UCS-2 parts, the text's UTF-8 or the septets for GSM.
    Bytes(Vec<u8>),
}

/// Whether the harness can make the far end report a state.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Reporting {
    /// The report was requested.
    Requested,
    /// The far end reports this state by itself.
    Automatic,
    /// The far end cannot report this state (the check is skipped).
    Unsupported,
    /// The request failed.
    Failed(String),
}

/// Drives the far end of an adapter under test.
pub trait Harness {
    /// The gateway under test.
    fn gateway(&self) -> &dyn Gateway;

    /// Everything that has reached the far end so far, oldest first.
    fn received(&self) -> Vec<ReceivedPart>;

    /// Makes the far end report `state` for a received part.
    fn report(&self, part: &ReceivedPart, state: DeliveryState) -> Reporting;

    /// Makes a handset send `text` from `from` to our number `to`.
    ///
    /// # Errors
    /// A description of why the message could not be injected.
    fn inject_inbound(&self, from: &Msisdn, to: &Msisdn, text: &str) -> Result<(), String>;

    /// How long to wait for something to arrive. Default 10 s.
    fn patience(&self) -> Duration {
        Duration::from_secs(10)
    }
}

/// The result of one check.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Verdict {
    /// The check passed.
    Passed,
    /// The harness cannot run it.
    Skipped(String),
    /// The check failed, with what was seen.
    Failed(String),
}

/// The results of a run, check by check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// `(check name, verdict)` in the order run.
    pub checks: Vec<(&'static str, Verdict)>,
}

impl Report {
    /// Whether no check failed (skipped checks do not fail a run).
    #[must_use]
    pub fn all_passed(&self) -> bool {
        !self
            .checks
            .iter()
            .any(|(_, v)| matches!(v, Verdict::Failed(_)))
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (name, verdict) in &self.checks {
            match verdict {
                Verdict::Passed => writeln!(f, "pass {name}")?,
                Verdict::Skipped(why) => writeln!(f, "skip {name}: {why}")?,
                Verdict::Failed(why) => writeln!(f, "FAIL {name}: {why}")?,
            }
        }
        Ok(())
    }
}

/// The checks, in the order [`run`] runs them.
pub const CHECKS: &[&str] = &[
    "single_gsm_part_arrives_intact",
    "gsm_parts_arrive_in_order_under_one_reference",
    "ucs2_emoji_parts_arrive_intact",
    "same_id_twice_is_sent_once",
    "reused_id_with_other_content_is_refused",
    "too_many_parts_is_an_invalid_request",
    "delivered_report_reaches_poll_once",
    "failed_report_reaches_poll",
    "inbound_reaches_poll_once",
];

/// Runs every check of [`CHECKS`] against the harness.
pub fn run(harness: &dyn Harness) -> Report {
    let suite = Suite {
        harness,
        events: RefCell::new(Vec::new()),
    };
    // Evaluated in order: each check leaves its traffic behind for the next ones.
    let verdicts = [
        suite.single_gsm(),
        suite.gsm_parts(),
        suite.ucs2_emoji(),
        suite.same_id_twice(),
        suite.reused_id(),
        suite.too_many_parts(),
        suite.delivered_report(),
        suite.failed_report(),
        suite.inbound(),
    ];
    Report {
        checks: CHECKS
            .iter()
            .zip(verdicts)
            .map(|(name, verdict)| (*name, verdict))
            .collect(),
    }
}

struct Suite<'a> {
    harness: &'a dyn Harness,
    events: RefCell<Vec<GatewayEvent>>,
}

/// `Err(verdict)` ends a check early.
type Step<T> = Result<T, Verdict>;

fn fail<T>(why: impl Into<String>) -> Step<T> {
    Err(Verdict::Failed(why.into()))
}

fn verdict(step: Step<()>) -> Verdict {
    match step {
        Ok(()) => Verdict::Passed,
        Err(v) => v,
    }
}

fn recipient(n: u8) -> Step<Msisdn> {
    Msisdn::parse(&format!("+336123456{n:02}")).or_else(|e| fail(e.to_string()))
}

fn same_content(expected: &EncodedPart, got: &Content) -> bool {
    match (got, &expected.payload) {
        (Content::Text(t), _) => *t == expected.text,
        (Content::Bytes(b), Payload::Ucs2 { bytes }) => b == bytes,
        (Content::Bytes(b), Payload::Gsm7 { septets }) => {
            b.as_slice() == expected.text.as_bytes() || b == septets
        }
        (Content::Bytes(_), _) => false,
    }
}

impl Suite<'_> {
    fn gateway(&self) -> &dyn Gateway {
        self.harness.gateway()
    }

    fn message(&self, id: &str, to: &Msisdn, text: &str) -> Step<OutboundMessage> {
        let id = MessageId::new(&format!("conformance-{id}")).or_else(|e| fail(e.to_string()))?;
        let from = SenderId::short_code("36180").or_else(|e| fail(e.to_string()))?;
        Ok(OutboundMessage::new(
            id,
            from,
            to.clone(),
            Body::Text(text.to_owned()),
        ))
    }

    fn submit(&self, message: &OutboundMessage) -> Step<u16> {
        match self.gateway().submit(message) {
            Ok(r) if &r.id == message.id() => Ok(r.parts),
            Ok(r) => fail(format!(
                "receipt names {} instead of {}",
                r.id,
                message.id()
            )),
            Err(e) => fail(format!("submit failed: {e}")),
        }
    }

    /// Waits until `count` parts for `to` reached the far end.
    fn parts_for(&self, to: &Msisdn, count: usize) -> Step<Vec<ReceivedPart>> {
        let digits = to.as_str().trim_start_matches('+');
        let deadline = Instant::now() + self.harness.patience();
        loop {
            let parts: Vec<ReceivedPart> = self
                .harness
                .received()
                .into_iter()
                .filter(|p| p.to.trim_start_matches('+') == digits)
                .collect();
            if parts.len() >= count || Instant::now() >= deadline {
                if parts.len() == count {
                    return Ok(parts);
                }
                return fail(format!(
                    "{} part(s) reached the far end for {to}, expected {count}",
                    parts.len()
                ));
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    fn poll(&self) {
        let new = self.gateway().poll_events(1_000);
        self.events.borrow_mut().extend(new);
    }

    /// Waits until `found` matches `count` events, then a little longer for extras.
    fn events_matching(
        &self,
        count: usize,
        found: &dyn Fn(&GatewayEvent) -> bool,
    ) -> Step<Vec<GatewayEvent>> {
        let deadline = Instant::now() + self.harness.patience();
        let matching = || -> Vec<GatewayEvent> {
            self.events
                .borrow()
                .iter()
                .filter(|e| found(e))
                .cloned()
                .collect()
        };
        while matching().len() < count && Instant::now() < deadline {
            self.poll();
            std::thread::sleep(Duration::from_millis(10));
        }
        // Repeats would come now: give them a moment.
        std::thread::sleep(Duration::from_millis(200));
        self.poll();
        let seen = matching();
        if seen.len() == count {
            Ok(seen)
        } else {
            fail(format!(
                "{} matching event(s), expected {count}",
                seen.len()
            ))
        }
    }

    fn check_parts(&self, message: &OutboundMessage, to: &Msisdn) -> Step<()> {
        let expected = message
            .parts(self.gateway().max_parts())
            .or_else(|e| fail(e.to_string()))?;
        let count = self.submit(message)?;
        if usize::from(count) != expected.len() {
            return fail(format!(
                "receipt says {count} parts, expected {}",
                expected.len()
            ));
        }
        let got = self.parts_for(to, expected.len())?;
        for (i, (e, g)) in expected.iter().zip(&got).enumerate() {
            if e.udh != g.udh {
                return fail(format!(
                    "part {}: udh {:02x?}, expected {:02x?}",
                    i + 1,
                    g.udh,
                    e.udh
                ));
            }
            if let (Payload::Ucs2 { .. }, Content::Bytes(b)) = (&e.payload, &g.content) {
                let units: Vec<u16> = b
                    .chunks(2)
                    .map(|c| {
                        u16::from_be_bytes([
                            c.first().copied().unwrap_or(0),
                            c.get(1).copied().unwrap_or(0),
                        ])
                    })
                    .collect();
                if b.len() % 2 != 0 || String::from_utf16(&units).is_err() {
                    return fail(format!(
                        "part {}: not whole UTF-16 (a surrogate pair was cut)",
                        i + 1
                    ));
                }
            }
            if !same_content(e, &g.content) {
                return fail(format!(
                    "part {}: content {:?}, expected {:?}",
                    i + 1,
                    g.content,
                    e.text
                ));
            }
        }
        Ok(())
    }

    fn single_gsm(&self) -> Verdict {
        verdict((|| {
            let to = recipient(1)?;
            let m = self.message("single", &to, "Soldes -50% ce week-end ! STOP 36180")?;
            self.check_parts(&m, &to)
        })())
    }

    fn gsm_parts(&self) -> Verdict {
        verdict((|| {
            let to = recipient(2)?;
            let text = format!("{}€{}", "Promo {x} ".repeat(15), "fin".repeat(20));
            let m = self.message("gsm-multi", &to, &text)?;
            let parts = m
                .parts(self.gateway().max_parts())
                .or_else(|e| fail(e.to_string()))?;
            if parts.len() < 2 {
                return fail("the test text should need several parts");
            }
            self.check_parts(&m, &to)
        })())
    }

    fn ucs2_emoji(&self) -> Verdict {
        verdict((|| {
            let to = recipient(3)?;
            // 66 UCS-2 units then an emoji: a naive splitter cuts its surrogate pair.
            let text = format!("{}😀 Жёлтый 🎉 fin", "Ж".repeat(66));
            let m = self.message("ucs2-emoji", &to, &text)?;
            self.check_parts(&m, &to)
        })())
    }

    fn same_id_twice(&self) -> Verdict {
        verdict((|| {
            let to = recipient(4)?;
            let m = self.message("twice", &to, "Une seule fois")?;
            self.submit(&m)?;
            match self.gateway().submit(&m) {
                Ok(r) if r.submission == Submission::AlreadySubmitted => {}
                other => return fail(format!("second submit gave {other:?}")),
            }
            self.parts_for(&to, 1)?;
            std::thread::sleep(Duration::from_millis(200));
            self.parts_for(&to, 1).map(|_| ())
        })())
    }

    fn reused_id(&self) -> Verdict {
        verdict((|| {
            let to = recipient(5)?;
            self.submit(&self.message("reused", &to, "first")?)?;
            match self
                .gateway()
                .submit(&self.message("reused", &to, "second")?)
            {
                Err(ProviderError::InvalidRequest {
                    reason: InvalidReason::IdReused,
                    ..
                }) => Ok(()),
                other => fail(format!("gave {other:?}")),
            }
        })())
    }

    fn too_many_parts(&self) -> Verdict {
        verdict((|| {
            let to = recipient(6)?;
            let max = usize::from(self.gateway().max_parts());
            let m = self.message("too-long", &to, &"y".repeat(153 * max + 1))?;
            match self.gateway().submit(&m) {
                Err(ProviderError::InvalidRequest {
                    reason: InvalidReason::TooManyParts { .. },
                    ..
                }) => {}
                other => return fail(format!("gave {other:?}")),
            }
            std::thread::sleep(Duration::from_millis(100));
            match self
                .harness
                .received()
                .iter()
                .any(|p| p.to.ends_with("612345606"))
            {
                true => fail("a part reached the far end"),
                false => Ok(()),
            }
        })())
    }

    fn report_check(&self, name: &str, n: u8, state: DeliveryState) -> Verdict {
        verdict((|| {
            let to = recipient(n)?;
            let m = self.message(name, &to, "Rapport de livraison")?;
            self.submit(&m)?;
            let parts = self.parts_for(&to, 1)?;
            let part = parts.first().ok_or(Verdict::Failed("no part".into()))?;
            match self.harness.report(part, state) {
                Reporting::Requested | Reporting::Automatic => {}
                Reporting::Unsupported => {
                    return Err(Verdict::Skipped(format!(
                        "the far end cannot report {state:?}"
                    )));
                }
                Reporting::Failed(why) => return fail(why),
            }
            let id = m.id().clone();
            self.events_matching(1, &|e| {
                matches!(e, GatewayEvent::Delivery(r)
                    if r.message == id && r.part == 1 && r.state == state)
            })
            .map(|_| ())
        })())
    }

    fn delivered_report(&self) -> Verdict {
        self.report_check("delivered", 7, DeliveryState::Delivered)
    }

    fn failed_report(&self) -> Verdict {
        self.report_check("failed", 8, DeliveryState::Undeliverable)
    }

    fn inbound(&self) -> Verdict {
        verdict((|| {
            let from = recipient(9)?;
            let to = Msisdn::parse("36180").or_else(|e| fail(e.to_string()))?;
            self.harness
                .inject_inbound(&from, &to, "Arrêt")
                .or_else(|e| fail(format!("cannot inject: {e}")))?;
            let seen = self.events_matching(1, &|e| {
                matches!(e, GatewayEvent::Inbound(m)
                    if m.from.as_str().trim_start_matches('+') == "33612345609")
            })?;
            match seen.first() {
                Some(GatewayEvent::Inbound(m)) if m.text == "Arrêt" => Ok(()),
                other => fail(format!("got {other:?}")),
            }
        })())
    }
}

/// The [`Harness`] of [`InMemoryGateway`]: it is its own far end.
#[derive(Debug)]
pub struct InMemoryHarness {
    gateway: InMemoryGateway,
    inbound_count: RefCell<u64>,
    now: DateTime<Utc>,
}

impl InMemoryHarness {
    /// Wraps a gateway; inbound messages are stamped with the Unix epoch.
    #[must_use]
    pub fn new(gateway: InMemoryGateway) -> Self {
        Self {
            gateway,
            inbound_count: RefCell::new(0),
            now: DateTime::UNIX_EPOCH,
        }
    }

    /// The gateway, for assertions after the run.
    #[must_use]
    pub fn inner(&self) -> &InMemoryGateway {
        &self.gateway
    }
}

impl Harness for InMemoryHarness {
    fn gateway(&self) -> &dyn Gateway {
        &self.gateway
    }

    fn received(&self) -> Vec<ReceivedPart> {
        self.gateway
            .sent()
            .into_iter()
            .map(|p| ReceivedPart {
                to: p.to.as_str().to_owned(),
                udh: p.encoded.udh.clone(),
                content: match &p.encoded.payload {
                    Payload::Gsm7 { septets } => Content::Bytes(septets.clone()),
                    Payload::Ucs2 { bytes } => Content::Bytes(bytes.clone()),
                    _ => Content::Text(p.encoded.text.clone()),
                },
                handle: format!("{}/{}", p.message, p.part),
            })
            .collect()
    }

    fn report(&self, part: &ReceivedPart, state: DeliveryState) -> Reporting {
        let Some((id, n)) = part.handle.rsplit_once('/') else {
            return Reporting::Failed(format!("bad handle {}", part.handle));
        };
        let (Ok(id), Ok(n)) = (MessageId::new(id), n.parse()) else {
            return Reporting::Failed(format!("bad handle {}", part.handle));
        };
        match self.gateway.report(&id, n, state, None) {
            Ok(()) => Reporting::Requested,
            Err(e) => Reporting::Failed(e.to_string()),
        }
    }

    fn inject_inbound(&self, from: &Msisdn, to: &Msisdn, text: &str) -> Result<(), String> {
        let mut count = self.inbound_count.borrow_mut();
        *count += 1;
        self.gateway
            .inject(InboundMessage {
                id: format!("memory-mo-{count}"),
                from: from.clone(),
                to: to.clone(),
                text: text.to_owned(),
                received_at: self.now,
            })
            .map_err(|e| e.to_string())
    }

    fn patience(&self) -> Duration {
        Duration::from_millis(200)
    }
}
