//! The Kannel adapter (feature `kannel`): submits through smsbox's `sendsms` HTTP
//! interface and takes delivery reports and inbound messages on a callback endpoint.
//!
//! How it avoids Kannel's traps (Kannel 1.4.5, measured on Debian bookworm):
//!
//! - **It splits itself.** Each part is one `sendsms` request with its own `udh`
//!   (concatenation header from [`smsplan_core::text::encode`]), so Kannel never
//!   truncates a long text (`max-messages`) and never cuts a UCS-2 surrogate pair.
//!   The sendsms-user needs no `max-messages` / `concatenation` settings.
//! - **It chooses the coding.** Kannel never switches to UCS-2 by itself: GSM parts go
//!   as `coding=0&charset=UTF-8` text, UCS-2 parts as `coding=2&charset=UTF-16BE`
//!   with the exact octets our encoder produced.
//! - **Our id travels in `dlr-url`** (sendsms returns no id), URL-encoded as a value,
//!   with the part number, the DLR type `%d`, the receipt `%A`, the SMSC id `%F`, the
//!   error code `%#dlr#errorcode#` and the time `%T`; `dlr-mask=31` asks for all five
//!   report types. Reports arrive out of order and repeated: the event queue drops
//!   repeats, and [`crate::delivery`] keeps states monotonic.
//! - **Callbacks carry a secret** ([`CallbackSecret`]) and are refused without it.
//! - **A full queue is throttling.** When bearerbox's `sms-outgoing-queue-limit` is
//!   reached, sendsms answers `503 Temporal failure, try again later.`: that is
//!   [`ProviderError::Throttled`] (retry after 1 s); other failures are
//!   [`ProviderError::Unavailable`], [`ProviderError::Rejected`] (403 and other 4xx:
//!   credentials, routing) or [`ProviderError::InvalidRequest`] (400).
//!
//! The `kannel.conf` side: a `sendsms-user` with the username and password, and an
//! `sms-service` with `keyword = default`, `max-messages = 0` and the `get-url` from
//! [`KannelConfig::sms_service_get_url`]; see [`KannelConfig::conf_snippet`].
//!
//! What it does not do: TLS (put smsbox behind a TLS proxy if it is not local), SMPP,
//! national language shift tables (Kannel converts UTF-8 to the default GSM alphabet
//! only), or persistence of the idempotency ledger across restarts of your process.

mod callback;
mod http;
mod listener;

use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

pub use callback::{
    CallbackHandler, CallbackResponse, CallbackSecret, CallbackStats, InboundNumbers, SecretError,
};
pub use http::UrlError;
pub use listener::{CallbackListener, ListenerOptions};

use smsplan_core::text::{EncodedPart, Payload};

use crate::events::EventQueue;
use crate::gateway::{
    Gateway, GatewayEvent, InvalidReason, MessageId, OutboundMessage, ProviderError, ReportSupport,
    Submission, SubmitReceipt, Unavailable,
};
use crate::ledger::{Begin, Ledger};
use callback::Counters;
use http::{Endpoint, HttpError, encode};

/// Why a Kannel configuration is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum KannelConfigError {
    /// The sendsms URL.
    #[error("sendsms url")]
    SendsmsUrl(#[source] UrlError),
    /// The callback base URL.
    #[error("callback url")]
    CallbackUrl(#[source] UrlError),
    /// An empty username.
    #[error("sendsms username is empty")]
    EmptyUsername,
}

/// Where smsbox is, who we are to it, and where it calls us back.
///
/// ```
/// use smsplan_provider::kannel::{CallbackSecret, KannelConfig};
/// let config = KannelConfig::new(
///     "http://127.0.0.1:13013/cgi-bin/sendsms",
///     "smsplan",
///     "sendsms-password",
///     "http://127.0.0.1:14080/kannel",
///     CallbackSecret::new("0123456789abcdef")?,
/// )?
/// .with_max_parts(6);
/// assert_eq!(
///     config.sms_service_get_url(),
///     "http://127.0.0.1:14080/kannel/mo?k=0123456789abcdef&id=%I&from=%p&to=%P&text=%b&ts=%T&coding=%c&charset=%C",
/// );
/// assert!(!format!("{config:?}").contains("sendsms-password"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct KannelConfig {
    sendsms: Endpoint,
    username: String,
    password: String,
    callback: Endpoint,
    secret: CallbackSecret,
    smsc: Option<String>,
    max_parts: u16,
    timeout: Duration,
    numbers: InboundNumbers,
}

impl fmt::Debug for KannelConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KannelConfig")
            .field("sendsms", &self.sendsms.url())
            .field("username", &self.username)
            .field("password", &"..")
            .field("callback", &self.callback.url())
            .field("secret", &self.secret)
            .field("smsc", &self.smsc)
            .field("max_parts", &self.max_parts)
            .field("timeout", &self.timeout)
            .field("numbers", &self.numbers)
            .finish()
    }
}

impl KannelConfig {
    /// A configuration: smsbox's sendsms URL (`http://host:port/cgi-bin/sendsms`), the
    /// sendsms-user's credentials, the base URL at which smsbox reaches the callback
    /// endpoint (`/dlr` and `/mo` are appended), and the callback secret.
    ///
    /// # Errors
    /// [`KannelConfigError`] for a URL that is not plain `http://host:port[/path]`, or
    /// an empty username.
    pub fn new(
        sendsms_url: &str,
        username: &str,
        password: &str,
        callback_url: &str,
        secret: CallbackSecret,
    ) -> Result<Self, KannelConfigError> {
        if username.is_empty() {
            return Err(KannelConfigError::EmptyUsername);
        }
        Ok(Self {
            sendsms: Endpoint::parse(sendsms_url).map_err(KannelConfigError::SendsmsUrl)?,
            username: username.to_owned(),
            password: password.to_owned(),
            callback: Endpoint::parse(callback_url).map_err(KannelConfigError::CallbackUrl)?,
            secret,
            smsc: None,
            max_parts: 10,
            timeout: Duration::from_secs(10),
            numbers: InboundNumbers::AsReported,
        })
    }

    /// Routes every message to this `smsc-id` (`smsc=` on sendsms).
    #[must_use]
    pub fn with_smsc(mut self, smsc_id: &str) -> Self {
        self.smsc = Some(smsc_id.to_owned());
        self
    }

    /// Refuses messages of more than `max` parts (10 by default, at most 255).
    #[must_use]
    pub fn with_max_parts(mut self, max: u16) -> Self {
        self.max_parts = max.clamp(1, 255);
        self
    }

    /// How inbound handset numbers are written by the SMSC (see [`InboundNumbers`]).
    ///
    /// ```
    /// # use smsplan_provider::kannel::{CallbackSecret, InboundNumbers, KannelConfig};
    /// let config = KannelConfig::new("http://127.0.0.1:13013/cgi-bin/sendsms", "u", "p",
    ///     "http://127.0.0.1:14080", CallbackSecret::new("0123456789abcdef")?)?
    ///     .with_inbound_numbers(InboundNumbers::InternationalWithoutPlus);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn with_inbound_numbers(mut self, numbers: InboundNumbers) -> Self {
        self.numbers = numbers;
        self
    }

    /// Deadline of each sendsms request as a whole: connect, request, answer (10 s by
    /// default).
    #[must_use]
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The `get-url` of the `sms-service` group in `kannel.conf` that sends inbound
    /// messages to the callback endpoint.
    #[must_use]
    pub fn sms_service_get_url(&self) -> String {
        format!(
            "{}/mo?k={}&id=%I&from=%p&to=%P&text=%b&ts=%T&coding=%c&charset=%C",
            self.callback.url(),
            self.secret.expose()
        )
    }

    /// The `dlr-url` of one part, before URL-encoding as a sendsms value.
    ///
    /// ```
    /// # use smsplan_provider::kannel::{CallbackSecret, KannelConfig};
    /// # use smsplan_provider::gateway::MessageId;
    /// # let config = KannelConfig::new("http://127.0.0.1:13013/cgi-bin/sendsms", "u", "p",
    /// #     "http://127.0.0.1:14080", CallbackSecret::new("0123456789abcdef")?)?;
    /// assert_eq!(
    ///     config.dlr_url(&MessageId::new("m-1")?, 2),
    ///     "http://127.0.0.1:14080/dlr?k=0123456789abcdef&id=m-1&part=2&type=%d&reply=%A&fid=%F&err=%#dlr#errorcode#&ts=%T",
    /// );
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn dlr_url(&self, id: &MessageId, part: u16) -> String {
        format!(
            "{}/dlr?k={}&id={id}&part={part}&type=%d&reply=%A&fid=%F&err=%#dlr#errorcode#&ts=%T",
            self.callback.url(),
            self.secret.expose()
        )
    }

    /// The `kannel.conf` groups this adapter expects (sendsms-user and sms-service).
    ///
    /// ```
    /// # use smsplan_provider::kannel::{CallbackSecret, KannelConfig};
    /// # let config = KannelConfig::new("http://127.0.0.1:13013/cgi-bin/sendsms", "smsplan", "p",
    /// #     "http://127.0.0.1:14080", CallbackSecret::new("0123456789abcdef")?)?;
    /// assert!(config.conf_snippet().contains("max-messages = 0"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn conf_snippet(&self) -> String {
        format!(
            "group = sendsms-user\nusername = {}\npassword = {}\n\n\
             group = sms-service\nkeyword = default\nmax-messages = 0\n\
             get-url = \"{}\"\n",
            self.username,
            self.password,
            self.sms_service_get_url()
        )
    }

    fn prefix(&self) -> String {
        self.callback.path.clone()
    }
}

/// The Kannel [`Gateway`] (see the [module docs](self)).
///
/// ```
/// use std::sync::Arc;
/// use smsplan_provider::gateway::Gateway;
/// use smsplan_provider::kannel::{CallbackSecret, KannelConfig, KannelGateway};
/// let config = KannelConfig::new("http://127.0.0.1:13013/cgi-bin/sendsms", "u", "p",
///     "http://127.0.0.1:14080", CallbackSecret::new("0123456789abcdef")?)?;
/// let gateway: Arc<dyn Gateway> = Arc::new(KannelGateway::new(config));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct KannelGateway {
    config: KannelConfig,
    agent: ureq::Agent,
    ledger: Mutex<Ledger>,
    events: Arc<EventQueue>,
    counters: Arc<Counters>,
}

/// The outcome of one sendsms request.
enum PartResult {
    Done(Submission),
    Failed(Failure),
}

enum Failure {
    Throttled,
    Unavailable(Unavailable),
    Rejected { code: String, reason: String },
    Invalid(String),
}

impl KannelGateway {
    /// An adapter for this configuration. Nothing is contacted before the first submit.
    #[must_use]
    pub fn new(config: KannelConfig) -> Self {
        Self {
            agent: http::agent(config.timeout),
            config,
            ledger: Mutex::default(),
            events: Arc::default(),
            counters: Arc::default(),
        }
    }

    /// The callback endpoint feeding this gateway's [`Gateway::poll_events`]: mount it
    /// in your HTTP server or start a [`CallbackListener`] with it.
    #[must_use]
    pub fn callbacks(&self) -> CallbackHandler {
        CallbackHandler {
            prefix: self.config.prefix(),
            secret: self.config.secret.clone(),
            numbers: self.config.numbers,
            events: Arc::clone(&self.events),
            counters: Arc::clone(&self.counters),
        }
    }

    /// The configuration.
    #[must_use]
    pub fn config(&self) -> &KannelConfig {
        &self.config
    }

    /// Stops remembering a message id, to bound memory in a long-running process: a
    /// later submit of the same id sends it again. Call it once your own store holds
    /// the message's final state. Returns whether the id was remembered (an id whose
    /// submit is in flight is kept).
    ///
    /// ```
    /// # use smsplan_provider::kannel::{CallbackSecret, KannelConfig, KannelGateway};
    /// # use smsplan_provider::gateway::MessageId;
    /// # let config = KannelConfig::new("http://127.0.0.1:13013/cgi-bin/sendsms", "u", "p",
    /// #     "http://127.0.0.1:14080", CallbackSecret::new("0123456789abcdef")?)?;
    /// let gateway = KannelGateway::new(config);
    /// assert!(!gateway.forget(&MessageId::new("never-sent")?));
    /// assert_eq!(gateway.remembered(), 0);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn forget(&self, id: &MessageId) -> bool {
        self.ledger().forget(id)
    }

    /// How many message ids the gateway remembers for idempotency.
    #[must_use]
    pub fn remembered(&self) -> usize {
        self.ledger().len()
    }

    fn ledger(&self) -> std::sync::MutexGuard<'_, Ledger> {
        self.ledger.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The sendsms request target of one part; `None` for a payload sendsms cannot carry.
    fn target(&self, message: &OutboundMessage, part: &EncodedPart, number: u16) -> Option<String> {
        let c = &self.config;
        let (coding, charset, text) = match &part.payload {
            Payload::Ucs2 { bytes } => ("2", "UTF-16BE", encode(bytes)),
            Payload::Gsm7 { .. } => ("0", "UTF-8", encode(part.text.as_bytes())),
            _ => return None,
        };
        let mut target = format!(
            "http://{}:{}{}?username={}&password={}&from={}&to={}&coding={coding}&charset={charset}&text={text}&dlr-mask=31&dlr-url={}",
            c.sendsms.host,
            c.sendsms.port,
            if c.sendsms.path.is_empty() {
                "/"
            } else {
                &c.sendsms.path
            },
            encode(c.username.as_bytes()),
            encode(c.password.as_bytes()),
            encode(message.from().as_str().as_bytes()),
            encode(message.to().as_str().as_bytes()),
            encode(c.dlr_url(message.id(), number).as_bytes()),
        );
        if !part.udh.is_empty() {
            target.push_str("&udh=");
            target.push_str(&encode(&part.udh));
        }
        if let Some(smsc) = &c.smsc {
            target.push_str("&smsc=");
            target.push_str(&encode(smsc.as_bytes()));
        }
        Some(target)
    }

    fn send_part(&self, target: &str) -> PartResult {
        match http::get(&self.agent, target) {
            Ok((status, body)) => classify(status, body),
            Err(HttpError::Connect(e)) => {
                PartResult::Failed(Failure::Unavailable(Unavailable::Connect(http::cause(e))))
            }
            Err(HttpError::Exchange(e)) => {
                PartResult::Failed(Failure::Unavailable(Unavailable::Exchange(http::cause(e))))
            }
        }
    }
}

/// How long to wait when bearerbox's queue is full (Kannel gives no hint).
const QUEUE_FULL_RETRY: Duration = Duration::from_secs(1);

/// Maps a sendsms answer (Kannel 1.4.5 statuses and bodies) to a result.
fn classify(status: u16, body: String) -> PartResult {
    match status {
        200..=299 if body.starts_with("3:") => PartResult::Done(Submission::Queued),
        200..=299 => PartResult::Done(Submission::Accepted),
        400 => PartResult::Failed(Failure::Invalid(body)),
        // bearerbox's queue is full (`sms-outgoing-queue-limit`).
        503 if body.starts_with("Temporal failure") => PartResult::Failed(Failure::Throttled),
        401..=499 => PartResult::Failed(Failure::Rejected {
            code: status.to_string(),
            reason: body,
        }),
        _ => PartResult::Failed(Failure::Unavailable(Unavailable::Status { status, body })),
    }
}

/// Whether a UDH asks for national language tables (IEI 0x24 / 0x25).
fn uses_national_tables(udh: &[u8]) -> bool {
    let mut rest = udh.get(1..).unwrap_or_default();
    while let [iei, len, tail @ ..] = rest {
        if matches!(iei, 0x24 | 0x25) {
            return true;
        }
        rest = tail.get(usize::from(*len)..).unwrap_or_default();
    }
    false
}

impl Gateway for KannelGateway {
    fn submit(&self, message: &OutboundMessage) -> Result<SubmitReceipt, ProviderError> {
        let id = message.id();
        let parts = message.parts(self.config.max_parts)?;
        let unsupported = |what| ProviderError::InvalidRequest {
            id: id.clone(),
            reason: InvalidReason::Unsupported(what),
        };
        if parts.iter().any(|p| uses_national_tables(&p.udh)) {
            return Err(unsupported("national language tables through sendsms"));
        }
        let targets = parts
            .iter()
            .enumerate()
            .map(|(index, part)| {
                let number = u16::try_from(index + 1).unwrap_or(u16::MAX);
                self.target(message, part, number)
            })
            .collect::<Option<Vec<String>>>()
            .ok_or_else(|| unsupported("this payload through sendsms"))?;
        let count = u16::try_from(parts.len()).unwrap_or(u16::MAX);
        let done = match self.ledger().begin(message, count)? {
            Begin::Repeat(receipt) => return Ok(receipt),
            Begin::Send { done } => done,
        };
        // The ledger marks the id in progress: the lock is not held over the network.
        let mut failure = None;
        for (index, (target, already)) in targets.iter().zip(done).enumerate() {
            if already {
                continue;
            }
            match self.send_part(target) {
                PartResult::Done(submission) => {
                    self.ledger().part_done(id, index, submission);
                }
                PartResult::Failed(f) => {
                    failure = Some(f);
                    break;
                }
            }
        }
        let mut ledger = self.ledger();
        let finished = ledger.finish(id);
        let Some(failure) = failure else {
            return finished.map_err(|parts_sent| ProviderError::Unavailable {
                id: id.clone(),
                reason: Unavailable::Forgotten,
                parts_sent,
            });
        };
        let parts_sent = finished.err().unwrap_or(0);
        ledger.abandon_unsent(id);
        Err(match failure {
            Failure::Throttled => ProviderError::Throttled {
                id: id.clone(),
                retry_after: QUEUE_FULL_RETRY,
            },
            Failure::Unavailable(reason) => ProviderError::Unavailable {
                id: id.clone(),
                reason,
                parts_sent,
            },
            Failure::Rejected { code, reason } => ProviderError::Rejected {
                id: id.clone(),
                code,
                reason,
            },
            Failure::Invalid(reason) => ProviderError::InvalidRequest {
                id: id.clone(),
                reason: InvalidReason::Gateway(reason),
            },
        })
    }

    fn poll_events(&self, max: usize) -> Vec<GatewayEvent> {
        self.events.poll(max)
    }

    fn delivery_reports(&self) -> ReportSupport {
        ReportSupport::PerPart
    }

    fn max_parts(&self) -> u16 {
        self.config.max_parts
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sendsms_answers_map_to_typed_results() {
        assert!(matches!(
            classify(202, "0: Accepted for delivery".into()),
            PartResult::Done(Submission::Accepted)
        ));
        assert!(matches!(
            classify(202, "3: Queued for later delivery".into()),
            PartResult::Done(Submission::Queued)
        ));
        assert!(matches!(
            classify(400, "Coding field misformed, rejected".into()),
            PartResult::Failed(Failure::Invalid(_))
        ));
        assert!(matches!(
            classify(403, "Not routable. Do not try again.".into()),
            PartResult::Failed(Failure::Rejected { .. })
        ));
        assert!(matches!(
            classify(503, "Temporal failure, try again later.".into()),
            PartResult::Failed(Failure::Throttled)
        ));
        assert!(matches!(
            classify(503, String::new()),
            PartResult::Failed(Failure::Unavailable(_))
        ));
    }

    #[test]
    fn national_table_headers_are_detected() {
        assert!(!uses_national_tables(&[]));
        assert!(!uses_national_tables(&[5, 0, 3, 1, 2, 1]));
        assert!(uses_national_tables(&[8, 0, 3, 1, 2, 1, 0x24, 1, 2]));
        assert!(uses_national_tables(&[3, 0x25, 1, 1]));
        assert!(!uses_national_tables(&[3, 0x00, 9]));
    }
}
