//! Gateway traits, inbound keywords, pacing and gateway adapters for smsplan.
//!
//! | module | what |
//! |---|---|
//! | [`gateway`] | the [`Gateway`](gateway::Gateway) trait, [`OutboundMessage`](gateway::OutboundMessage) with our idempotent [`MessageId`](gateway::MessageId), receipts, typed [`ProviderError`](gateway::ProviderError)s, events |
//! | [`sender`] | sender identities (alphanumeric, long code, short code, toll-free) and their capacity |
//! | [`pacing`] | token buckets per sender; time is an argument |
//! | [`dispatch`] | [`Dispatcher`](dispatch::Dispatcher): sends the due rows of an approved [`SendPlan`](smsplan_core::plan::SendPlan), paced, idempotent, every row reported |
//! | [`delivery`] | the monotonic delivery state machine, per part and per message |
//! | [`keyword`] | STOP / ARRET / START / HELP / CONTACT / custom keywords → consent changes and exactly one confirmation |
//! | [`number`] | phone numbers masked in every `Display` / `Debug` (`+33 6•• •• •• 78`) |
//! | [`memory`] | [`InMemoryGateway`](memory::InMemoryGateway) for your tests |
//! | `testing` (feature `testing`) | the conformance suite every adapter runs |
//! | `kannel` (feature `kannel`) | the Kannel adapter and its callback endpoint |
//!
//! ```
//! use smsplan_provider::gateway::{Body, Gateway, MessageId, OutboundMessage, Submission};
//! use smsplan_provider::memory::InMemoryGateway;
//! use smsplan_provider::number::Msisdn;
//! use smsplan_provider::sender::SenderId;
//!
//! let gateway = InMemoryGateway::default();
//! let message = OutboundMessage::new(
//!     MessageId::new("spring-sale.contact-42")?,
//!     SenderId::short_code("36180")?,
//!     Msisdn::parse("+33612345678")?,
//!     Body::Text("Soldes -50% ce week-end ! STOP 36180".into()),
//! );
//! assert_eq!(gateway.submit(&message)?.submission, Submission::Accepted);
//! // A retry after a crash or a timeout sends nothing again.
//! assert_eq!(gateway.submit(&message)?.submission, Submission::AlreadySubmitted);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Blocking, not async
//!
//! The traits are blocking and dyn-compatible (`Arc<dyn Gateway>`, `Send + Sync +
//! Debug`). Sending SMS is bounded by the operator's capacity (1 to a few hundred parts
//! per second per sender), not by threads: a handful of threads saturate a gateway (the
//! Kannel load test reaches about 2,000 messages/s with 16). An `async fn` in a trait is
//! not dyn-compatible; boxed futures would tie the API to allocation per call and, in
//! practice, to one runtime's I/O types. A blocking trait works everywhere: async users
//! call it from `spawn_blocking` (tokio), `unblock` (smol) or a thread pool, and
//! adapters for async-native gateways can block on their own runtime inside.
//!
//! # What this crate does not do
//!
//! It does not decide what is due (plans and windows live in `smsplan-core`; [`dispatch`]
//! sends what a plan says is due), store
//! consent (the [`keyword`] module returns [`ConsentChange`](keyword::ConsentChange)s
//! for your store), persist the idempotency ledger across restarts of your process (a
//! gateway remembers the ids it has sent while it lives; `forget` bounds that memory),
//! speak SMPP, or do TLS.
#![cfg_attr(docsrs, feature(doc_cfg))]
#![warn(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

pub mod delivery;
pub mod dispatch;
mod events;
pub mod gateway;
#[cfg(feature = "kannel")]
pub mod kannel;
pub mod keyword;
mod ledger;
pub mod memory;
pub mod number;
pub mod pacing;
pub mod sender;
#[cfg(feature = "testing")]
pub mod testing;

/// Any error of this crate, for callers who propagate them with `?`.
///
/// ```
/// use smsplan_provider::gateway::MessageId;
/// use smsplan_provider::number::Msisdn;
/// fn ids() -> Result<(MessageId, Msisdn), smsplan_provider::Error> {
///     Ok((MessageId::new("m-1")?, Msisdn::parse("+33612345678")?))
/// }
/// assert!(ids().is_ok());
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A submit failed.
    #[error(transparent)]
    Provider(#[from] gateway::ProviderError),
    /// A message id is invalid.
    #[error(transparent)]
    MessageId(#[from] gateway::MessageIdError),
    /// A phone number is invalid.
    #[error(transparent)]
    Number(#[from] number::NumberError),
    /// A sender identity is invalid.
    #[error(transparent)]
    Sender(#[from] sender::SenderError),
    /// A capacity is zero.
    #[error(transparent)]
    Capacity(#[from] sender::CapacityError),
    /// A sender is not paced.
    #[error(transparent)]
    Pacing(#[from] pacing::PacingError),
    /// A delivery report does not fit a tracked message.
    #[error(transparent)]
    Delivery(#[from] delivery::DeliveryError),
    /// A dispatch call was refused.
    #[error(transparent)]
    Dispatch(#[from] dispatch::DispatchError),
    /// A keyword cannot be added.
    #[error(transparent)]
    Keyword(#[from] keyword::KeywordError),
    /// A reply cannot be built.
    #[error(transparent)]
    Reply(#[from] keyword::ReplyError),
    /// A scripted in-memory event was refused.
    #[error(transparent)]
    Memory(#[from] memory::MemoryError),
    /// A Kannel configuration is invalid.
    #[cfg(feature = "kannel")]
    #[error(transparent)]
    KannelConfig(#[from] kannel::KannelConfigError),
    /// A callback secret is invalid.
    #[cfg(feature = "kannel")]
    #[error(transparent)]
    Secret(#[from] kannel::SecretError),
}
