//! The gateway traits and the messages that cross them.
//!
//! A [`Gateway`] takes an [`OutboundMessage`] whose [`MessageId`] is chosen by the caller
//! and is idempotent: submitting the same id twice never sends twice. Delivery reports
//! and inbound messages come back as [`GatewayEvent`]s from [`Gateway::poll_events`].

use std::error::Error as StdError;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};

use smsplan_core::text::{EncodedPart, Options, TextError, encode};

use crate::delivery::DeliveryState;
use crate::number::Msisdn;
use crate::sender::SenderId;

/// The caller's id of one outbound message, the key of idempotency.
///
/// 1 to 64 characters from `A-Z a-z 0-9 . _ ~ -`: the URL-safe set, so the id travels
/// unescaped in callback URLs and gateway configurations.
///
/// ```
/// use smsplan_provider::gateway::MessageId;
/// let id = MessageId::new("camp-42.contact-7")?;
/// assert_eq!(id.as_str(), "camp-42.contact-7");
/// assert!(MessageId::new("a b").is_err());
/// # Ok::<(), smsplan_provider::gateway::MessageIdError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MessageId(Box<str>);

/// Why a text is not a [`MessageId`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MessageIdError {
    /// Empty, or longer than 64 characters.
    #[error("message id: {len} characters, expected 1 to 64")]
    Length {
        /// The length found.
        len: usize,
    },
    /// A character outside `A-Z a-z 0-9 . _ ~ -`.
    #[error("message id: character {found:?} at offset {offset} is not one of A-Z a-z 0-9 . _ ~ -")]
    Character {
        /// Offset in characters.
        offset: usize,
        /// The character found there.
        found: char,
    },
}

impl MessageId {
    /// Checks and wraps an id.
    ///
    /// ```
    /// # use smsplan_provider::gateway::{MessageId, MessageIdError};
    /// assert_eq!(MessageId::new(""), Err(MessageIdError::Length { len: 0 }));
    /// ```
    /// # Errors
    /// [`MessageIdError`] names the length or the first bad character.
    pub fn new(id: &str) -> Result<Self, MessageIdError> {
        let len = id.chars().count();
        if !(1..=64).contains(&len) {
            return Err(MessageIdError::Length { len });
        }
        if let Some((offset, found)) = id
            .chars()
            .enumerate()
            .find(|(_, c)| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '~' | '-')))
        {
            return Err(MessageIdError::Character { offset, found });
        }
        Ok(Self(id.into()))
    }

    /// The id as text.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// A concatenation reference derived from the id (FNV-1a), so that a retried
    /// multi-part message carries the same reference as its first attempt.
    ///
    /// ```
    /// # use smsplan_provider::gateway::MessageId;
    /// let id = MessageId::new("m-1")?;
    /// assert_eq!(id.concat_reference(), MessageId::new("m-1")?.concat_reference());
    /// # Ok::<(), smsplan_provider::gateway::MessageIdError>(())
    /// ```
    #[must_use]
    pub fn concat_reference(&self) -> u16 {
        let hash = self.0.bytes().fold(0x811c_9dc5_u32, |h, b| {
            (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
        });
        let folded = (hash >> 16) ^ (hash & 0xffff);
        u16::try_from(folded).unwrap_or(0)
    }
}

impl fmt::Display for MessageId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::str::FromStr for MessageId {
    type Err = MessageIdError;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::new(text)
    }
}

/// What an outbound message carries.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Body {
    /// Text; the gateway encodes and splits it with [`smsplan_core::text::encode`]
    /// (default options, the reference derived from the message id).
    Text(String),
    /// Parts already encoded by [`smsplan_core::text::encode`], sent as they are.
    Parts(Vec<EncodedPart>),
}

/// One message to one recipient, possibly several parts once encoded.
///
/// ```
/// use smsplan_provider::gateway::{Body, MessageId, OutboundMessage};
/// use smsplan_provider::number::Msisdn;
/// use smsplan_provider::sender::SenderId;
/// let message = OutboundMessage::new(
///     MessageId::new("m-1")?,
///     SenderId::short_code("36180")?,
///     Msisdn::parse("+33612345678")?,
///     Body::Text("Soldes -50% ce week-end. STOP 36180".into()),
/// );
/// assert_eq!(message.id().as_str(), "m-1");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboundMessage {
    id: MessageId,
    from: SenderId,
    to: Msisdn,
    body: Body,
}

impl OutboundMessage {
    /// Builds a message.
    #[must_use]
    pub fn new(id: MessageId, from: SenderId, to: Msisdn, body: Body) -> Self {
        Self { id, from, to, body }
    }

    /// The caller's idempotent id.
    #[must_use]
    pub fn id(&self) -> &MessageId {
        &self.id
    }

    /// The sender identity shown to the recipient.
    #[must_use]
    pub fn from(&self) -> &SenderId {
        &self.from
    }

    /// The recipient.
    #[must_use]
    pub fn to(&self) -> &Msisdn {
        &self.to
    }

    /// The content.
    #[must_use]
    pub fn body(&self) -> &Body {
        &self.body
    }

    /// The parts to send: the text encoded with default options and a reference
    /// derived from the id ([`MessageId::concat_reference`]), or the given parts.
    ///
    /// ```
    /// # use smsplan_provider::gateway::{Body, MessageId, OutboundMessage};
    /// # use smsplan_provider::number::Msisdn;
    /// # use smsplan_provider::sender::SenderId;
    /// let message = OutboundMessage::new(
    ///     MessageId::new("m-1")?,
    ///     SenderId::alphanumeric("Shop")?,
    ///     Msisdn::parse("+33612345678")?,
    ///     Body::Text("x".repeat(200)),
    /// );
    /// let parts = message.parts(10)?;
    /// assert_eq!(parts.len(), 2);
    /// assert!(message.parts(1).is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    /// # Errors
    /// [`ProviderError::InvalidRequest`] when the text cannot be encoded, there is no
    /// part, or more than `max_parts` parts.
    pub fn parts(&self, max_parts: u16) -> Result<Vec<EncodedPart>, ProviderError> {
        let invalid = |reason| ProviderError::InvalidRequest {
            id: self.id.clone(),
            reason,
        };
        let parts = match &self.body {
            Body::Text(text) => encode(text, &Options::default(), self.id.concat_reference())
                .map_err(|e| invalid(InvalidReason::Encoding(e)))?,
            Body::Parts(parts) => parts.clone(),
        };
        if parts.is_empty() {
            return Err(invalid(InvalidReason::NoParts));
        }
        if parts.len() > usize::from(max_parts) {
            return Err(invalid(InvalidReason::TooManyParts {
                parts: parts.len(),
                max: max_parts,
            }));
        }
        Ok(parts)
    }
}

/// How the gateway took a submitted message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Submission {
    /// Accepted for delivery now.
    Accepted,
    /// Accepted and queued: the gateway has no route up at the moment and will deliver
    /// when it has.
    Queued,
    /// This id was submitted before: nothing was sent this time.
    AlreadySubmitted,
}

/// The answer to a successful [`Gateway::submit`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubmitReceipt {
    /// The message's id (ours: gateways such as Kannel return none of theirs).
    pub id: MessageId,
    /// How many parts the message was sent as.
    pub parts: u16,
    /// How the gateway took it.
    pub submission: Submission,
}

/// What is wrong with a request, independently of the gateway's state.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum InvalidReason {
    /// The text needs more parts than the gateway accepts.
    #[error("{parts} parts, the gateway accepts at most {max}")]
    TooManyParts {
        /// Parts needed.
        parts: usize,
        /// The limit.
        max: u16,
    },
    /// Pre-encoded parts, but none.
    #[error("no part to send")]
    NoParts,
    /// The text could not be encoded.
    #[error("text cannot be encoded")]
    Encoding(#[source] TextError),
    /// The gateway cannot carry what the parts need (such as national language tables).
    #[error("the gateway cannot send {0}")]
    Unsupported(&'static str),
    /// The id was already used for a different recipient or content.
    #[error("the id was already used for another recipient or content")]
    IdReused,
    /// The gateway refused the request as malformed (its own words).
    #[error("gateway says: {0}")]
    Gateway(String),
}

/// A foreign error kept as it is (an `io::Error`, an HTTP client's error), shareable so
/// that errors holding it stay `Clone`. Two are equal when they are the same error.
///
/// ```
/// use smsplan_provider::gateway::Cause;
/// let cause = Cause::new(std::io::Error::from(std::io::ErrorKind::ConnectionRefused));
/// assert_eq!(cause.to_string(), "connection refused");
/// assert_eq!(cause.clone(), cause);
/// ```
#[derive(Debug, Clone, thiserror::Error)]
#[error(transparent)]
pub struct Cause(Arc<dyn StdError + Send + Sync>);

impl Cause {
    /// Keeps `error` as the cause.
    pub fn new(error: impl StdError + Send + Sync + 'static) -> Self {
        Self(Arc::new(error))
    }

    /// The error, to inspect or downcast (`cause.get().downcast_ref::<io::Error>()`).
    #[must_use]
    pub fn get(&self) -> &(dyn StdError + Send + Sync + 'static) {
        &*self.0
    }
}

impl PartialEq for Cause {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl Eq for Cause {}

/// Why a gateway could not take a message now (worth a retry with the same id).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Unavailable {
    /// The gateway could not be reached: it saw nothing.
    #[error("cannot connect to the gateway")]
    Connect(#[source] Cause),
    /// The connection broke during the exchange: the part may have been accepted.
    #[error("the connection to the gateway broke (the part may have been accepted)")]
    Exchange(#[source] Cause),
    /// The gateway answered something that is not its protocol.
    #[error("the gateway's answer is malformed")]
    Malformed,
    /// The gateway answered a failure status that asks for no other handling.
    #[error("the gateway answered status {status}: {body:?}")]
    Status {
        /// The status (HTTP, SMPP…).
        status: u16,
        /// What it said.
        body: String,
    },
    /// The gateway is down (as a test gateway can be told to be).
    #[error("the gateway is down")]
    Down,
    /// Another submit of the same id is in flight.
    #[error("another submit of this id is in progress")]
    InProgress,
    /// The id was forgotten while its submit was in flight.
    #[error("the message was forgotten during its submit")]
    Forgotten,
    /// Another failure of an adapter, kept as it is.
    #[error("gateway failure")]
    Other(#[source] Cause),
}

/// Why a submit failed. Every variant names the message id.
///
/// Only [`ProviderError::Throttled`] and [`ProviderError::Unavailable`] are worth a retry
/// with the same id; a retry never sends a part twice.
///
/// The why of [`ProviderError::Unavailable`] and [`ProviderError::InvalidRequest`] is their
/// [`source()`](StdError::source), typed ([`Unavailable`], [`InvalidReason`]), not repeated
/// in the message: print the chain.
///
/// ```
/// use std::error::Error;
/// use smsplan_provider::gateway::{InvalidReason, MessageId, ProviderError};
/// let e = ProviderError::InvalidRequest { id: MessageId::new("m-1")?, reason: InvalidReason::NoParts };
/// assert_eq!(e.to_string(), "message m-1: invalid request");
/// assert_eq!(e.source().map(|s| s.to_string()).as_deref(), Some("no part to send"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ProviderError {
    /// The gateway refused the message for good.
    #[error("message {id}: rejected by the gateway (code {code}): {reason}")]
    Rejected {
        /// The message.
        id: MessageId,
        /// The gateway's code (an HTTP status, an SMPP status…).
        code: String,
        /// The gateway's explanation.
        reason: String,
    },
    /// Too fast: try again after the given delay.
    #[error("message {id}: throttled, retry after {} ms", retry_after.as_millis())]
    Throttled {
        /// The message.
        id: MessageId,
        /// How long to wait.
        retry_after: Duration,
    },
    /// The gateway could not be reached or failed; `parts_sent` parts went out before
    /// (a retry with the same id sends only the others).
    #[error("message {id}: gateway unavailable after {parts_sent} part(s) sent")]
    Unavailable {
        /// The message.
        id: MessageId,
        /// What went wrong.
        #[source]
        reason: Unavailable,
        /// Parts of this message accepted by the gateway so far.
        parts_sent: u16,
    },
    /// The request itself is wrong: retrying it can not help.
    #[error("message {id}: invalid request")]
    InvalidRequest {
        /// The message.
        id: MessageId,
        /// What is wrong.
        #[source]
        reason: InvalidReason,
    },
}

impl ProviderError {
    /// The id of the message that failed.
    #[must_use]
    pub fn id(&self) -> &MessageId {
        match self {
            Self::Rejected { id, .. }
            | Self::Throttled { id, .. }
            | Self::Unavailable { id, .. }
            | Self::InvalidRequest { id, .. } => id,
        }
    }

    /// Whether a later retry with the same id may succeed.
    #[must_use]
    pub fn retry(&self) -> Retry {
        match self {
            Self::Throttled { retry_after, .. } => Retry::After(*retry_after),
            Self::Unavailable { .. } => Retry::Later,
            Self::Rejected { .. } | Self::InvalidRequest { .. } => Retry::Never,
        }
    }
}

/// The retry advice of a [`ProviderError`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Retry {
    /// Not before this delay.
    After(Duration),
    /// Later, with back-off.
    Later,
    /// Never: the request or the recipient is wrong.
    Never,
}

/// A delivery report about one part of an outbound message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryReport {
    /// Our id of the message.
    pub message: MessageId,
    /// The part (1-based) the report is about.
    pub part: u16,
    /// The state the gateway reports.
    pub state: DeliveryState,
    /// The gateway's or operator's code, when it gave one (e.g. `034`).
    pub code: Option<String>,
    /// When the gateway says it happened, when it says.
    pub at: Option<DateTime<Utc>>,
}

/// A message a handset sent to one of our numbers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboundMessage {
    /// The gateway's id of this message, used to drop repeated callbacks.
    pub id: String,
    /// The handset.
    pub from: Msisdn,
    /// Our number or short code it was sent to.
    pub to: Msisdn,
    /// The text, decoded.
    pub text: String,
    /// When it was received.
    pub received_at: DateTime<Utc>,
}

/// Something a gateway reports back.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum GatewayEvent {
    /// A delivery report.
    Delivery(DeliveryReport),
    /// An inbound message (STOP, HELP, a reply…).
    Inbound(InboundMessage),
}

/// Whether a gateway reports deliveries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ReportSupport {
    /// No delivery reports.
    None,
    /// One report stream per part.
    PerPart,
}

/// An SMS gateway: submits messages, reports deliveries and inbound messages.
///
/// Blocking and dyn-compatible (`Arc<dyn Gateway>`): see the crate docs for why.
/// Implementations must be idempotent by [`MessageId`] and must pass the
/// conformance suite, `testing::run` (feature `testing`).
///
/// ```
/// use std::sync::Arc;
/// use smsplan_provider::gateway::{Body, Gateway, MessageId, OutboundMessage, Submission};
/// use smsplan_provider::memory::InMemoryGateway;
/// use smsplan_provider::number::Msisdn;
/// use smsplan_provider::sender::SenderId;
///
/// let gateway: Arc<dyn Gateway> = Arc::new(InMemoryGateway::default());
/// let message = OutboundMessage::new(
///     MessageId::new("m-1")?,
///     SenderId::alphanumeric("Shop")?,
///     Msisdn::parse("+33612345678")?,
///     Body::Text("Hello".into()),
/// );
/// assert_eq!(gateway.submit(&message)?.submission, Submission::Accepted);
/// assert_eq!(gateway.submit(&message)?.submission, Submission::AlreadySubmitted);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub trait Gateway: Send + Sync + fmt::Debug {
    /// Sends a message, or does nothing when its id was already sent.
    ///
    /// # Errors
    /// [`ProviderError`]: rejected, throttled, unavailable or invalid request.
    fn submit(&self, message: &OutboundMessage) -> Result<SubmitReceipt, ProviderError>;

    /// Takes up to `max` pending delivery reports and inbound messages, oldest first.
    /// Each report or inbound message is returned once, duplicates already removed.
    fn poll_events(&self, max: usize) -> Vec<GatewayEvent> {
        let _ = max;
        Vec::new()
    }

    /// Whether this gateway reports deliveries.
    fn delivery_reports(&self) -> ReportSupport {
        ReportSupport::None
    }

    /// The most parts one message may have.
    fn max_parts(&self) -> u16 {
        10
    }
}

/// Delegates to the shared gateway, so that `Arc<dyn Gateway>` and `Arc<MyGateway>` can
/// be passed where a `&dyn Gateway` or a `G: Gateway` is expected.
///
/// ```
/// use std::sync::Arc;
/// use smsplan_provider::gateway::Gateway;
/// use smsplan_provider::memory::InMemoryGateway;
/// fn parts_limit(g: &dyn Gateway) -> u16 { g.max_parts() }
/// let shared: Arc<dyn Gateway> = Arc::new(InMemoryGateway::default());
/// assert_eq!(parts_limit(&shared), 10);
/// ```
impl<G: Gateway + ?Sized> Gateway for std::sync::Arc<G> {
    fn submit(&self, message: &OutboundMessage) -> Result<SubmitReceipt, ProviderError> {
        (**self).submit(message)
    }
    fn poll_events(&self, max: usize) -> Vec<GatewayEvent> {
        (**self).poll_events(max)
    }
    fn delivery_reports(&self) -> ReportSupport {
        (**self).delivery_reports()
    }
    fn max_parts(&self) -> u16 {
        (**self).max_parts()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_id_rejects_characters_outside_the_url_safe_set() {
        assert_eq!(
            MessageId::new("a&b"),
            Err(MessageIdError::Character {
                offset: 1,
                found: '&'
            })
        );
        assert_eq!(
            MessageId::new(&"x".repeat(65)),
            Err(MessageIdError::Length { len: 65 })
        );
        assert!(MessageId::new("A-z_0.9~").is_ok());
    }

    #[test]
    fn causes_stay_typed_and_are_printed_once() {
        use std::error::Error as _;
        let io = std::io::Error::from(std::io::ErrorKind::ConnectionRefused);
        let error = ProviderError::Unavailable {
            id: MessageId::new("m").unwrap(),
            reason: Unavailable::Connect(Cause::new(io)),
            parts_sent: 0,
        };
        let mut chain = vec![error.to_string()];
        let mut source = error.source();
        while let Some(s) = source {
            chain.push(s.to_string());
            source = s.source();
        }
        assert_eq!(
            chain,
            [
                "message m: gateway unavailable after 0 part(s) sent",
                "cannot connect to the gateway",
                "connection refused"
            ]
        );
        let Some(Unavailable::Connect(cause)) =
            error.source().and_then(|s| s.downcast_ref::<Unavailable>())
        else {
            panic!("the reason is the source");
        };
        assert!(cause.get().downcast_ref::<std::io::Error>().is_some());
        // The encoder's error is kept too.
        let long = OutboundMessage::new(
            MessageId::new("long").unwrap(),
            SenderId::alphanumeric("Shop").unwrap(),
            Msisdn::parse("+33612345678").unwrap(),
            Body::Text("x".repeat(160 * 256)),
        );
        let Err(ProviderError::InvalidRequest {
            reason: InvalidReason::Encoding(TextError::TooLong { .. }),
            ..
        }) = long.parts(255)
        else {
            panic!("expected an encoding error");
        };
    }

    #[test]
    fn retry_advice_follows_the_error_kind() {
        let id = MessageId::new("m").unwrap();
        let throttled = ProviderError::Throttled {
            id: id.clone(),
            retry_after: Duration::from_secs(2),
        };
        assert_eq!(throttled.retry(), Retry::After(Duration::from_secs(2)));
        let rejected = ProviderError::Rejected {
            id,
            code: "403".into(),
            reason: "no".into(),
        };
        assert_eq!(rejected.retry(), Retry::Never);
    }
}
