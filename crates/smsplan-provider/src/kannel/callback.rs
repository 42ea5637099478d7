//! The callback endpoint: delivery reports (`dlr-url`) and inbound messages
//! (`sms-service` `get-url`) from smsbox, authenticated by a per-deployment secret.
//!
//! [`CallbackHandler::handle`] is framework-free (method, target, now → status), so it
//! can be mounted in any HTTP server; [`super::listener::CallbackListener`] is the
//! bundled one.
//!
//! | answer | when | effect |
//! |---|---|---|
//! | 200 | a new report or inbound message | queued for [`crate::gateway::Gateway::poll_events`] |
//! | 200 | one seen before (smsbox repeats callbacks) | none, counted as duplicate |
//! | 403 | missing or wrong secret | none, counted as forbidden |
//! | 400 | a parameter is missing or malformed | none, counted as malformed |
//! | 404 / 405 | another path or method | none, counted as malformed |
//! | 503 | the event queue is full | none; smsbox retries later |
//!
//! Every answer has an empty body: smsbox turns an `sms-service` answer body into a
//! reply SMS unless `max-messages = 0`.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use chrono::{DateTime, Utc};

use super::http::query_pairs;
use crate::delivery::DeliveryState;
use crate::events::{EventQueue, Offer};
use crate::gateway::{DeliveryReport, GatewayEvent, InboundMessage, MessageId};
use crate::number::Msisdn;

/// The secret every callback URL carries (parameter `k`).
///
/// 16 to 128 characters from `A-Z a-z 0-9 _ -`. It ends up in `kannel.conf`, whose
/// parser takes any line containing `include` for an include directive, so that word
/// is refused. `Debug` hides it.
///
/// ```
/// use smsplan_provider::kannel::CallbackSecret;
/// assert!(CallbackSecret::new("3f9a1c7e5b2d4a60").is_ok());
/// assert!(CallbackSecret::new("short").is_err());
/// assert_eq!(format!("{:?}", CallbackSecret::new("3f9a1c7e5b2d4a60")?), "CallbackSecret(..)");
/// # Ok::<(), smsplan_provider::kannel::SecretError>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct CallbackSecret(Box<str>);

/// Why a secret is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SecretError {
    /// Fewer than 16 or more than 128 characters.
    #[error("callback secret: {len} characters, expected 16 to 128")]
    Length {
        /// The length found.
        len: usize,
    },
    /// A character outside `A-Z a-z 0-9 _ -` (offset in characters).
    #[error("callback secret: unexpected character at offset {offset}")]
    Character {
        /// Where.
        offset: usize,
    },
    /// Contains `include`, which breaks `kannel.conf`.
    #[error(
        "callback secret: must not contain `include` (kannel.conf would treat the line as an include)"
    )]
    Include,
}

impl CallbackSecret {
    /// Checks a secret.
    ///
    /// # Errors
    /// [`SecretError`] says what is wrong.
    pub fn new(secret: &str) -> Result<Self, SecretError> {
        let len = secret.chars().count();
        if !(16..=128).contains(&len) {
            return Err(SecretError::Length { len });
        }
        if let Some(offset) = secret
            .chars()
            .position(|c| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
        {
            return Err(SecretError::Character { offset });
        }
        if secret.to_ascii_lowercase().contains("include") {
            return Err(SecretError::Include);
        }
        Ok(Self(secret.into()))
    }

    /// The secret, for building URLs.
    #[must_use]
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Compares in time independent of where the first difference is.
    fn matches(&self, given: &[u8]) -> bool {
        let ours = self.0.as_bytes();
        let mut diff = u8::from(ours.len() != given.len());
        for (i, b) in ours.iter().enumerate() {
            diff |= b ^ given.get(i).copied().unwrap_or(0);
        }
        diff == 0
    }
}

impl fmt::Debug for CallbackSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CallbackSecret(..)")
    }
}

/// Counts of what the callback endpoint did, since it started.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct CallbackStats {
    /// New reports and inbound messages queued.
    pub applied: u64,
    /// Repeats answered 200 without effect.
    pub duplicates: u64,
    /// Refused for a missing or wrong secret (403).
    pub forbidden: u64,
    /// Refused as malformed (400, 404, 405, 413).
    pub malformed: u64,
    /// Refused by the listener's rate cap (429).
    pub rate_limited: u64,
    /// Refused because the queue was full or the listener busy (503).
    pub overflowed: u64,
}

#[derive(Debug, Default)]
pub(crate) struct Counters {
    applied: AtomicU64,
    duplicates: AtomicU64,
    forbidden: AtomicU64,
    malformed: AtomicU64,
    pub(crate) rate_limited: AtomicU64,
    pub(crate) overflowed: AtomicU64,
}

/// What to answer to a callback.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CallbackResponse {
    /// The HTTP status.
    pub status: u16,
}

/// Turns smsbox callbacks into [`GatewayEvent`]s of the gateway that made it
/// (see [`super::KannelGateway::callbacks`]).
#[derive(Debug, Clone)]
pub struct CallbackHandler {
    pub(crate) prefix: String,
    pub(crate) secret: CallbackSecret,
    pub(crate) numbers: InboundNumbers,
    pub(crate) events: Arc<EventQueue>,
    pub(crate) counters: Arc<Counters>,
}

/// How the SMSC writes the handset numbers of inbound messages.
///
/// Consent is keyed by number: a STOP from `33612345678` must reach the contact stored
/// as `+33612345678`. SMSCs commonly report international numbers without the `+`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum InboundNumbers {
    /// Keep the sender's number as Kannel reports it.
    #[default]
    AsReported,
    /// Digits-only numbers of 9 digits or more are international: add the `+`.
    /// Shorter ones (short codes) stay as they are.
    InternationalWithoutPlus,
}

impl InboundNumbers {
    fn normalize(self, number: &str) -> String {
        match self {
            Self::InternationalWithoutPlus
                if number.len() >= 9 && number.bytes().all(|b| b.is_ascii_digit()) =>
            {
                format!("+{number}")
            }
            _ => number.to_owned(),
        }
    }
}

#[derive(Debug)]
enum Refusal {
    Forbidden,
    Malformed(u16),
}

impl CallbackHandler {
    /// Handles one request: `target` is the request target (`/path?query`), `now` the
    /// reception time (used when Kannel gives none).
    ///
    /// ```
    /// use chrono::{TimeZone, Utc};
    /// use smsplan_provider::gateway::Gateway;
    /// use smsplan_provider::kannel::{CallbackSecret, KannelConfig, KannelGateway};
    /// let config = KannelConfig::new(
    ///     "http://127.0.0.1:13013/cgi-bin/sendsms", "smsplan", "pw",
    ///     "http://127.0.0.1:14080/kannel", CallbackSecret::new("0123456789abcdef")?,
    /// )?;
    /// let gateway = KannelGateway::new(config);
    /// let handler = gateway.callbacks();
    /// let now = Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap();
    /// let dlr = "/kannel/dlr?k=0123456789abcdef&id=m-1&part=1&type=1&reply=&fid=&err=&ts=1772442000";
    /// assert_eq!(handler.handle("GET", dlr, now).status, 200);
    /// assert_eq!(handler.handle("GET", dlr, now).status, 200); // repeated: no effect
    /// assert_eq!(handler.handle("GET", &dlr.replace("0123", "9999"), now).status, 403);
    /// assert_eq!(gateway.poll_events(10).len(), 1);
    /// assert_eq!(handler.stats().forbidden, 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn handle(&self, method: &str, target: &str, now: DateTime<Utc>) -> CallbackResponse {
        let status = match self.parse(method, target, now) {
            Err(Refusal::Forbidden) => {
                self.counters.forbidden.fetch_add(1, Ordering::Relaxed);
                403
            }
            Err(Refusal::Malformed(status)) => {
                self.counters.malformed.fetch_add(1, Ordering::Relaxed);
                status
            }
            Ok(event) => match self.events.offer(event) {
                Offer::Queued => {
                    self.counters.applied.fetch_add(1, Ordering::Relaxed);
                    200
                }
                Offer::Duplicate => {
                    self.counters.duplicates.fetch_add(1, Ordering::Relaxed);
                    200
                }
                Offer::Full => {
                    self.counters.overflowed.fetch_add(1, Ordering::Relaxed);
                    503
                }
            },
        };
        CallbackResponse { status }
    }

    /// Counts since the start.
    #[must_use]
    pub fn stats(&self) -> CallbackStats {
        let c = &self.counters;
        CallbackStats {
            applied: c.applied.load(Ordering::Relaxed),
            duplicates: c.duplicates.load(Ordering::Relaxed),
            forbidden: c.forbidden.load(Ordering::Relaxed),
            malformed: c.malformed.load(Ordering::Relaxed),
            rate_limited: c.rate_limited.load(Ordering::Relaxed),
            overflowed: c.overflowed.load(Ordering::Relaxed),
        }
    }

    /// Whether the request target carries the right secret (`k`), whatever else it
    /// holds: the listener charges such requests to the budget of genuine callbacks.
    pub(crate) fn authenticates(&self, target: &str) -> bool {
        let query = target.split_once('?').map_or("", |(_, q)| q);
        query
            .split('&')
            .filter_map(|pair| pair.strip_prefix("k="))
            .next()
            .and_then(super::http::decode)
            .is_some_and(|k| self.secret.matches(&k))
    }

    pub(crate) fn count_malformed(&self) {
        self.counters.malformed.fetch_add(1, Ordering::Relaxed);
    }

    fn parse(
        &self,
        method: &str,
        target: &str,
        now: DateTime<Utc>,
    ) -> Result<GatewayEvent, Refusal> {
        if method != "GET" && method != "POST" {
            return Err(Refusal::Malformed(405));
        }
        let (path, query) = target.split_once('?').unwrap_or((target, ""));
        let route = path
            .strip_prefix(self.prefix.as_str())
            .ok_or(Refusal::Malformed(404))?;
        if route != "/dlr" && route != "/mo" {
            return Err(Refusal::Malformed(404));
        }
        let pairs = query_pairs(query).ok_or(Refusal::Malformed(400))?;
        let get = |name: &str| {
            pairs
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.as_slice())
        };
        match get("k") {
            Some(k) if self.secret.matches(k) => {}
            _ => return Err(Refusal::Forbidden),
        }
        let bad = Refusal::Malformed(400);
        let text = |name: &str| -> Result<&str, Refusal> {
            std::str::from_utf8(get(name).ok_or(Refusal::Malformed(400))?)
                .map_err(|_| Refusal::Malformed(400))
        };
        let at = match get("ts").and_then(|t| std::str::from_utf8(t).ok()) {
            Some(t) if !t.is_empty() => {
                let secs: i64 = t.parse().map_err(|_| Refusal::Malformed(400))?;
                Some(DateTime::from_timestamp(secs, 0).ok_or(Refusal::Malformed(400))?)
            }
            _ => None,
        };
        if route == "/dlr" {
            let message = MessageId::new(text("id")?).map_err(|_| Refusal::Malformed(400))?;
            let part: u16 = text("part")?.parse().map_err(|_| Refusal::Malformed(400))?;
            let kind: u8 = text("type")?.parse().map_err(|_| Refusal::Malformed(400))?;
            let reply = get("reply")
                .map(String::from_utf8_lossy)
                .unwrap_or_default();
            let state = dlr_state(kind, &reply).ok_or(bad)?;
            if part == 0 {
                return Err(Refusal::Malformed(400));
            }
            // The operator's code: Kannel's `%#dlr#errorcode#` (HTTP SMSCs), else the
            // `err:` field of an SMPP receipt text.
            let code = text("err")
                .ok()
                .filter(|c| !c.is_empty())
                .map(str::to_owned)
                .or_else(|| receipt_field(&reply, "err:"));
            return Ok(GatewayEvent::Delivery(DeliveryReport {
                message,
                part,
                state,
                code,
                at,
            }));
        }
        let id = text("id")?;
        let from = Msisdn::parse(&self.numbers.normalize(text("from")?))
            .map_err(|_| Refusal::Malformed(400))?;
        let to = Msisdn::parse(text("to")?).map_err(|_| Refusal::Malformed(400))?;
        let charset = get("charset")
            .map(|c| String::from_utf8_lossy(c).to_ascii_uppercase())
            .unwrap_or_default();
        let body = get("text").ok_or(Refusal::Malformed(400))?;
        let text = decode_text(body, &charset).ok_or(bad)?;
        if id.is_empty() {
            return Err(Refusal::Malformed(400));
        }
        Ok(GatewayEvent::Inbound(InboundMessage {
            id: id.to_owned(),
            from,
            to,
            text,
            received_at: at.unwrap_or(now),
        }))
    }
}

/// Kannel's DLR type (`%d`) with the SMSC receipt (`%A`) as a state.
fn dlr_state(kind: u8, reply: &str) -> Option<DeliveryState> {
    Some(match kind {
        1 => DeliveryState::Delivered,
        2 if reply.contains("stat:EXPIRED") => DeliveryState::Expired,
        2 if reply.contains("stat:REJECTD") => DeliveryState::Rejected,
        2 => DeliveryState::Undeliverable,
        4 => DeliveryState::Buffered,
        8 => DeliveryState::Accepted,
        16 => DeliveryState::Rejected,
        _ => return None,
    })
}

/// A `name:value` field of an SMPP receipt text (`id:… stat:UNDELIV err:034 …`).
fn receipt_field(receipt: &str, name: &str) -> Option<String> {
    receipt
        .split_whitespace()
        .find_map(|w| w.strip_prefix(name))
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
}

/// Decodes an inbound text by its charset (`%C`) with `encoding_rs` (the WHATWG
/// Encoding Standard's decoders): UTF-16BE when smsbox could not recode UCS-2,
/// Windows-1252 for 8-bit text (the standard reads `ISO-8859-1` and `latin1` as
/// Windows-1252 too, so 0x80–0x9F give `€`, curly quotes and dashes, not control
/// characters), any other label the standard knows, and UTF-8 when the label is empty
/// or unknown. `None` for bytes the encoding cannot decode.
fn decode_text(bytes: &[u8], charset: &str) -> Option<String> {
    let encoding = match charset {
        // UCS-2 is the BMP subset of UTF-16; the standard has no label for it.
        "UCS-2" | "UCS-2BE" | "UTF-16" => encoding_rs::UTF_16BE,
        _ => encoding_rs::Encoding::for_label(charset.as_bytes()).unwrap_or(encoding_rs::UTF_8),
    };
    encoding
        .decode_without_bom_handling_and_without_replacement(bytes)
        .map(std::borrow::Cow::into_owned)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn handler() -> CallbackHandler {
        CallbackHandler {
            prefix: String::new(),
            secret: CallbackSecret::new("s3cr3t-s3cr3t-s3cr3t").unwrap(),
            numbers: InboundNumbers::AsReported,
            events: Arc::default(),
            counters: Arc::default(),
        }
    }

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap()
    }

    #[test]
    fn forged_callbacks_are_refused_and_counted_never_applied() {
        let h = handler();
        for target in [
            "/mo?from=33612345678&to=36180&text=START&id=x",
            "/mo?k=&from=33612345678&to=36180&text=START&id=x",
            "/mo?k=s3cr3t-s3cr3t-s3cr3u&from=33612345678&to=36180&text=START&id=x",
            "/mo?k=s3cr3t-s3cr3t-s3cr3&from=33612345678&to=36180&text=START&id=x",
            "/dlr?k=S3CR3T-S3CR3T-S3CR3T&id=m&part=1&type=1",
        ] {
            assert_eq!(h.handle("GET", target, now()).status, 403, "{target}");
        }
        assert_eq!(h.stats().forbidden, 5);
        assert!(h.events.poll(10).is_empty());
    }

    #[test]
    fn malformed_callbacks_get_400_without_side_effects() {
        let h = handler();
        for (target, status) in [
            ("/dlr?k=s3cr3t-s3cr3t-s3cr3t&id=m&part=1&type=3", 400),
            ("/dlr?k=s3cr3t-s3cr3t-s3cr3t&id=m&part=0&type=1", 400),
            ("/dlr?k=s3cr3t-s3cr3t-s3cr3t&id=a%20b&part=1&type=1", 400),
            ("/dlr?k=s3cr3t-s3cr3t-s3cr3t&id=m&part=1&type=1&ts=x", 400),
            (
                "/mo?k=s3cr3t-s3cr3t-s3cr3t&id=1&from=abc&to=36180&text=STOP",
                400,
            ),
            (
                "/mo?k=s3cr3t-s3cr3t-s3cr3t&id=1&from=33612345678&to=36180&text=%FF",
                400,
            ),
            ("/mo?k=s3cr3t-s3cr3t-s3cr3t&id=1&from=%2", 400),
            ("/other?k=s3cr3t-s3cr3t-s3cr3t", 404),
        ] {
            assert_eq!(h.handle("GET", target, now()).status, status, "{target}");
        }
        assert_eq!(h.handle("DELETE", "/mo", now()).status, 405);
        assert_eq!(h.stats().malformed, 9);
        assert!(h.events.poll(10).is_empty());
    }

    #[test]
    fn inbound_ucs2_and_repeats() {
        let h = handler();
        let target = "/mo?k=s3cr3t-s3cr3t-s3cr3t&id=u-1&from=%2B33612345678&to=36180&text=%04%21%04%42%04%3E%04%3F&charset=UTF-16BE&ts=";
        assert_eq!(h.handle("GET", target, now()).status, 200);
        assert_eq!(h.handle("GET", target, now()).status, 200);
        let events = h.events.poll(10);
        assert_eq!(events.len(), 1);
        let GatewayEvent::Inbound(m) = &events[0] else {
            panic!("{events:?}")
        };
        assert_eq!(m.text, "Стоп");
        assert_eq!(m.received_at, now());
        assert_eq!(h.stats().duplicates, 1);
    }

    #[test]
    fn the_code_comes_from_the_error_escape_or_the_receipt() {
        let h = handler();
        let base = "/dlr?k=s3cr3t-s3cr3t-s3cr3t&part=1&type=2";
        let with_err = format!("{base}&id=a&err=011&reply=stat%3AUNDELIV+err%3A034");
        let from_receipt =
            format!("{base}&id=b&err=&reply=id%3A7+stat%3AUNDELIV+err%3A034+text%3A");
        assert_eq!(h.handle("GET", &with_err, now()).status, 200);
        assert_eq!(h.handle("GET", &from_receipt, now()).status, 200);
        let codes: Vec<Option<String>> = h
            .events
            .poll(10)
            .into_iter()
            .map(|e| match e {
                GatewayEvent::Delivery(r) => r.code,
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(codes, [Some("011".into()), Some("034".into())]);
    }

    #[test]
    fn international_numbers_get_their_plus_when_asked() {
        let n = InboundNumbers::InternationalWithoutPlus;
        assert_eq!(n.normalize("33612345678"), "+33612345678");
        assert_eq!(n.normalize("+33612345678"), "+33612345678");
        assert_eq!(n.normalize("36180"), "36180");
        assert_eq!(
            InboundNumbers::AsReported.normalize("33612345678"),
            "33612345678"
        );
    }

    proptest::proptest! {
        #[test]
        fn nothing_is_applied_without_the_secret(
            path in proptest::sample::select(vec!["/dlr", "/mo", "/x", ""]),
            query in "[a-z=&%0-9A-F+]{0,80}",
            method in proptest::sample::select(vec!["GET", "POST", "PUT"]),
        ) {
            let h = handler();
            let status = h.handle(method, &format!("{path}?{query}"), now()).status;
            proptest::prop_assert_ne!(status, 200);
            proptest::prop_assert!(h.events.poll(10).is_empty());
        }
    }

    #[test]
    fn eight_bit_text_decodes_as_windows_1252() {
        // 0x93 / 0x94 are the curly quotes, 0x80 the euro sign, 0x85 an ellipsis.
        let text = decode_text(b"\x93Soldes\x94 \x80 \x85 caf\xe9", "WINDOWS-1252").unwrap();
        assert_eq!(text, "\u{201c}Soldes\u{201d} \u{20ac} \u{2026} caf\u{e9}");
        assert!(!text.chars().any(char::is_control), "{text:?}");
        for label in ["ISO-8859-1", "LATIN1"] {
            assert_eq!(decode_text(b"\x92", label).unwrap(), "\u{2019}", "{label}");
        }
    }

    #[test]
    fn utf16_and_utf8_refuse_broken_input() {
        assert_eq!(decode_text(&[0x04, 0x21, 0x04], "UTF-16BE"), None);
        assert_eq!(decode_text(&[0xd8, 0x3d], "UCS-2"), None, "lone surrogate");
        assert_eq!(
            decode_text(&[0xd8, 0x3d, 0xde, 0x00], "UTF-16BE").unwrap(),
            "\u{1f600}"
        );
        assert_eq!(decode_text(b"\xff", "UTF-8"), None);
        assert_eq!(decode_text(b"\xff", ""), None);
        assert_eq!(
            decode_text("Arrêt".as_bytes(), "NO-SUCH-CHARSET").unwrap(),
            "Arrêt"
        );
    }

    #[test]
    fn inbound_windows_1252_reaches_the_event_queue_intact() {
        let h = handler();
        let target = "/mo?k=s3cr3t-s3cr3t-s3cr3t&id=w-1&from=%2B33612345678&to=36180&text=%93STOP%94&charset=WINDOWS-1252&ts=";
        assert_eq!(h.handle("GET", target, now()).status, 200);
        let events = h.events.poll(10);
        let [GatewayEvent::Inbound(m)] = events.as_slice() else {
            panic!("{events:?}")
        };
        assert_eq!(m.text, "\u{201c}STOP\u{201d}");
    }

    #[test]
    fn the_secret_is_recognised_wherever_it_sits_in_the_query() {
        let h = handler();
        assert!(h.authenticates("/dlr?k=s3cr3t-s3cr3t-s3cr3t&id=m"));
        assert!(h.authenticates("/dlr?id=m&k=s3cr3t%2Ds3cr3t-s3cr3t"));
        assert!(!h.authenticates("/dlr?id=m&k=s3cr3t-s3cr3t-s3cr3u"));
        assert!(!h.authenticates("/dlr?kk=s3cr3t-s3cr3t-s3cr3t"));
        assert!(!h.authenticates("/dlr"));
    }

    #[test]
    fn receipt_text_refines_failures() {
        assert_eq!(
            dlr_state(2, "id:1 stat:EXPIRED"),
            Some(DeliveryState::Expired)
        );
        assert_eq!(dlr_state(16, "NACK/"), Some(DeliveryState::Rejected));
        assert_eq!(dlr_state(8, "ACK/"), Some(DeliveryState::Accepted));
        assert_eq!(dlr_state(32, ""), None);
    }
}
