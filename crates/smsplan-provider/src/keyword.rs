//! Inbound keywords: opt-out (STOP…), opt-in (START…), HELP/INFO, CONTACT and custom
//! keywords, turned into consent changes and replies.
//!
//! Matching is case- and accent-insensitive (`Arrêt` is `ARRET`, `ｓｔｏｐ` is `STOP`),
//! ignores surrounding spaces and punctuation (`" stop! "`), and ignores the spaces and
//! hyphens inside a keyword (`OPT-OUT`, `opt out`, `OPTOUT`, `stop all`). A keyword may
//! be followed by a short code (`STOP 36180`, the French form). Anything else is not a
//! keyword: `stop sending me offers` is a message for a human, reported as
//! [`Matched::None`].
//!
//! An opt-out yields exactly one [`ConsentChange`] and one confirmation: the decision
//! depends on the current consent ([`Keywords::respond`] takes it as an argument), so a
//! second STOP from an unsubscribed number changes nothing and sends nothing.
//! [`ConsentBook`] keeps that state in memory for simple deployments and tests, and
//! drops inbound messages it has seen before (gateways repeat callbacks).
//!
//! ```
//! use chrono::{TimeZone, Utc};
//! use smsplan_provider::gateway::InboundMessage;
//! use smsplan_provider::keyword::{ConsentBook, ConsentStatus, Keywords, Matched};
//! use smsplan_provider::number::Msisdn;
//!
//! let mut book = ConsentBook::new(Keywords::default());
//! let stop = InboundMessage {
//!     id: "mo-1".into(),
//!     from: Msisdn::parse("+33612345678")?,
//!     to: Msisdn::parse("36180")?,
//!     text: " Arrêt ! ".into(),
//!     received_at: Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap(),
//! };
//! let outcome = book.handle(&stop);
//! assert_eq!(outcome.matched, Matched::OptOut { keyword: "ARRET".into() });
//! assert_eq!(outcome.change.map(|c| c.status), Some(ConsentStatus::Unsubscribed));
//! assert!(outcome.reply.is_some());
//! let again = InboundMessage { id: "mo-2".into(), ..stop };
//! let outcome = book.handle(&again);
//! assert!(outcome.change.is_none() && outcome.reply.is_none());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::{HashMap, HashSet, VecDeque};

use chrono::{DateTime, Utc};
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

use crate::gateway::{Body, InboundMessage, MessageId, OutboundMessage};
use crate::number::Msisdn;
use crate::sender::SenderId;

/// The opt-out family: the FCC's per se revocation words plus STOPALL and the French
/// ARRET.
pub const OPT_OUT: &[&str] = &[
    "STOP",
    "STOPALL",
    "UNSUBSCRIBE",
    "CANCEL",
    "END",
    "QUIT",
    "REVOKE",
    "OPT OUT",
    "ARRET",
];
/// Re-subscription words.
pub const OPT_IN: &[&str] = &["START", "UNSTOP"];
/// Help words.
pub const HELP: &[&str] = &["HELP", "INFO"];
/// Contact words (asked for on French short codes).
pub const CONTACT: &[&str] = &["CONTACT"];

/// Folds a text for comparison: compatibility decomposition, accents dropped,
/// upper case, every run of non-alphanumeric characters made one space, trimmed.
///
/// ```
/// use smsplan_provider::keyword::fold;
/// assert_eq!(fold("  Arrêt!! 36180 "), "ARRET 36180");
/// assert_eq!(fold("opt-out"), "OPT OUT");
/// ```
#[must_use]
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pending_space = false;
    for c in text.nfkd().filter(|c| !is_combining_mark(*c)) {
        if c.is_alphanumeric() {
            if pending_space && !out.is_empty() {
                out.push(' ');
            }
            pending_space = false;
            out.extend(c.to_uppercase());
        } else {
            pending_space = true;
        }
    }
    out
}

/// The comparison key of a keyword: folded, without spaces.
fn key(text: &str) -> String {
    fold(text).chars().filter(|c| *c != ' ').collect()
}

/// What an inbound text matched.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Matched {
    /// An opt-out word (the canonical keyword, e.g. `ARRET`).
    OptOut {
        /// The keyword as listed.
        keyword: String,
    },
    /// A re-subscription word.
    OptIn {
        /// The keyword as listed.
        keyword: String,
    },
    /// HELP or INFO.
    Help,
    /// CONTACT.
    Contact,
    /// A keyword defined by the user.
    Custom {
        /// The keyword as defined.
        keyword: String,
    },
    /// No keyword: a message for a human.
    None,
}

/// Why a custom keyword cannot be added.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum KeywordError {
    /// The keyword has no letter or digit.
    #[error("keyword {0:?} has no letter or digit")]
    Empty(String),
    /// The keyword is already a built-in or custom keyword.
    #[error("keyword {0:?} is already defined")]
    Taken(String),
}

/// Consent of one number: `smsplan-core`'s status, the one the audience filters on.
pub use smsplan_core::contact::ConsentStatus;

/// How a consent change was expressed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConsentSource {
    /// By an inbound keyword.
    Keyword {
        /// The canonical keyword (`STOP`, `ARRET`, `START`…).
        keyword: String,
        /// The gateway's id of the inbound message (evidence).
        inbound_id: String,
        /// Our number or short code it was sent to.
        to: Msisdn,
    },
}

/// A change of consent to record: who, what, when, how.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsentChange {
    /// The number whose consent changed.
    pub number: Msisdn,
    /// The new status.
    pub status: ConsentStatus,
    /// When (the inbound message's reception time).
    pub at: DateTime<Utc>,
    /// How.
    pub source: ConsentSource,
}

impl ConsentSource {
    /// A one-line description for a consent record, e.g. `keyword STOP to 36111 (inbound
    /// k-42)`. Our own number or short code is not personal data and is shown in full.
    pub fn describe(&self) -> String {
        match self {
            Self::Keyword {
                keyword,
                inbound_id,
                to,
            } => {
                format!(
                    "keyword {keyword} to {} (inbound {inbound_id})",
                    to.unmasked()
                )
            }
        }
    }
}

impl ConsentChange {
    /// The contact's new consent, as the audience model records it.
    ///
    /// ```
    /// use chrono::{TimeZone, Utc};
    /// use smsplan_provider::keyword::{ConsentChange, ConsentSource, ConsentStatus};
    /// use smsplan_provider::number::Msisdn;
    ///
    /// let change = ConsentChange {
    ///     number: Msisdn::parse("+33612345678")?,
    ///     status: ConsentStatus::Unsubscribed,
    ///     at: Utc.with_ymd_and_hms(2026, 12, 24, 20, 31, 0).unwrap(),
    ///     source: ConsentSource::Keyword { keyword: "STOP".into(), inbound_id: "k-42".into(), to: Msisdn::parse("36111")? },
    /// };
    /// let consent = change.to_consent();
    /// assert_eq!(consent.status, ConsentStatus::Unsubscribed);
    /// assert_eq!(consent.source.as_deref(), Some("keyword STOP to 36111 (inbound k-42)"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn to_consent(&self) -> smsplan_core::contact::Consent {
        smsplan_core::contact::Consent::new(self.status).changed(self.at, self.source.describe())
    }
}

/// The replies sent for each kind of keyword.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Replies {
    /// Confirmation of an opt-out (one per opt-out, no marketing allowed).
    pub opt_out: String,
    /// Confirmation of a re-subscription.
    pub opt_in: String,
    /// Answer to HELP / INFO.
    pub help: String,
    /// Answer to CONTACT.
    pub contact: String,
}

impl Default for Replies {
    fn default() -> Self {
        Self {
            opt_out: "You are unsubscribed and will receive no more messages. Reply START to subscribe again.".into(),
            opt_in: "You are subscribed again. Reply STOP to unsubscribe.".into(),
            help: "Reply STOP to unsubscribe, START to subscribe again.".into(),
            contact: "Reply STOP to unsubscribe.".into(),
        }
    }
}

impl Replies {
    /// French replies (short codes in France must answer STOP and CONTACT in French),
    /// written in GSM characters so that each fits one part.
    ///
    /// ```
    /// let r = smsplan_provider::keyword::Replies::french();
    /// assert!(r.opt_out.contains("désinscription"));
    /// ```
    #[must_use]
    pub fn french() -> Self {
        Self {
            opt_out: "Votre désinscription est enregistrée : vous ne recevrez plus de SMS. Répondez START pour vous réinscrire.".into(),
            opt_in: "Votre réinscription est enregistrée. Répondez STOP pour vous désinscrire.".into(),
            help: "Répondez STOP pour vous désinscrire, START pour vous réinscrire.".into(),
            contact: "Répondez STOP pour vous désinscrire.".into(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Entry {
    key: String,
    listed: String,
    kind: Kind,
    reply: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    OptOut,
    OptIn,
    Help,
    Contact,
    Custom,
}

/// A keyword set with its replies.
///
/// ```
/// use smsplan_provider::keyword::{Keywords, Matched};
/// let k = Keywords::default().with_custom("PROMO", "Code PROMO10: -10% today.")?;
/// assert_eq!(k.classify("promo."), Matched::Custom { keyword: "PROMO".into() });
/// assert_eq!(k.classify("STOP 36180"), Matched::OptOut { keyword: "STOP".into() });
/// assert_eq!(k.classify("opt-out"), Matched::OptOut { keyword: "OPT OUT".into() });
/// assert_eq!(k.classify("please stop"), Matched::None);
/// # Ok::<(), smsplan_provider::keyword::KeywordError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keywords {
    entries: Vec<Entry>,
    replies: Replies,
}

impl Default for Keywords {
    fn default() -> Self {
        Self::with_replies(Replies::default())
    }
}

impl Keywords {
    /// The built-in keywords with these replies.
    #[must_use]
    pub fn with_replies(replies: Replies) -> Self {
        let lists = [
            (OPT_OUT, Kind::OptOut),
            (OPT_IN, Kind::OptIn),
            (HELP, Kind::Help),
            (CONTACT, Kind::Contact),
        ];
        let entries = lists
            .iter()
            .flat_map(|(words, kind)| {
                words.iter().map(|w| Entry {
                    key: key(w),
                    listed: (*w).to_owned(),
                    kind: *kind,
                    reply: None,
                })
            })
            .collect();
        Self { entries, replies }
    }

    /// Adds a custom keyword answered with `reply`.
    ///
    /// # Errors
    /// [`KeywordError::Empty`] without letters or digits, [`KeywordError::Taken`] when
    /// it folds to an existing keyword (`Stop!` is `STOP`).
    pub fn with_custom(self, keyword: &str, reply: &str) -> Result<Self, KeywordError> {
        self.with_entry(keyword, Kind::Custom, Some(reply.to_owned()))
    }

    /// Adds an opt-out word (e.g. `DESINSCRIRE`), handled like STOP.
    ///
    /// ```
    /// use smsplan_provider::keyword::{Keywords, Matched};
    /// let k = Keywords::default().with_opt_out_word("Désinscrire")?;
    /// assert_eq!(k.classify("desinscrire"), Matched::OptOut { keyword: "DESINSCRIRE".into() });
    /// # Ok::<(), smsplan_provider::keyword::KeywordError>(())
    /// ```
    /// # Errors
    /// As [`Keywords::with_custom`].
    pub fn with_opt_out_word(self, word: &str) -> Result<Self, KeywordError> {
        self.with_entry(word, Kind::OptOut, None)
    }

    /// Adds a re-subscription word, handled like START.
    ///
    /// # Errors
    /// As [`Keywords::with_custom`].
    pub fn with_opt_in_word(self, word: &str) -> Result<Self, KeywordError> {
        self.with_entry(word, Kind::OptIn, None)
    }

    fn with_entry(
        mut self,
        word: &str,
        kind: Kind,
        reply: Option<String>,
    ) -> Result<Self, KeywordError> {
        let k = key(word);
        if k.is_empty() {
            return Err(KeywordError::Empty(word.to_owned()));
        }
        if self.entries.iter().any(|e| e.key == k) {
            return Err(KeywordError::Taken(word.to_owned()));
        }
        self.entries.push(Entry {
            key: k,
            listed: fold(word),
            kind,
            reply,
        });
        Ok(self)
    }

    fn find(&self, text: &str) -> Option<&Entry> {
        let folded = fold(text);
        // A trailing short code ("STOP 36180") does not change the keyword.
        let words = match folded.rsplit_once(' ') {
            Some((head, tail)) if tail.bytes().all(|b| b.is_ascii_digit()) => head,
            _ => folded.as_str(),
        };
        let k: String = words.chars().filter(|c| *c != ' ').collect();
        self.entries.iter().find(|e| e.key == k)
    }

    /// What keyword, if any, an inbound text is.
    #[must_use]
    pub fn classify(&self, text: &str) -> Matched {
        match self.find(text) {
            None => Matched::None,
            Some(e) => match e.kind {
                Kind::OptOut => Matched::OptOut {
                    keyword: e.listed.clone(),
                },
                Kind::OptIn => Matched::OptIn {
                    keyword: e.listed.clone(),
                },
                Kind::Help => Matched::Help,
                Kind::Contact => Matched::Contact,
                Kind::Custom => Matched::Custom {
                    keyword: e.listed.clone(),
                },
            },
        }
    }

    /// Decides what an inbound message does, given the sender's current consent.
    ///
    /// Opt-out from a number not unsubscribed (subscribed, or consent unknown): a change
    /// and the confirmation. From an unsubscribed number: nothing (the one confirmation
    /// was already sent). Opt-in mirrors it: a change and a confirmation unless already
    /// subscribed. HELP, CONTACT and custom keywords get their reply.
    ///
    /// ```
    /// use chrono::{TimeZone, Utc};
    /// use smsplan_provider::gateway::InboundMessage;
    /// use smsplan_provider::keyword::{ConsentStatus, Keywords};
    /// use smsplan_provider::number::Msisdn;
    /// let stop = InboundMessage {
    ///     id: "mo-9".into(),
    ///     from: Msisdn::parse("+33612345678")?,
    ///     to: Msisdn::parse("36180")?,
    ///     text: "stop".into(),
    ///     received_at: Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap(),
    /// };
    /// let k = Keywords::default();
    /// assert!(k.respond(&stop, ConsentStatus::Subscribed).change.is_some());
    /// assert!(k.respond(&stop, ConsentStatus::Unknown).change.is_some());
    /// assert!(k.respond(&stop, ConsentStatus::Unsubscribed).reply.is_none());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn respond(&self, inbound: &InboundMessage, current: ConsentStatus) -> Outcome {
        let matched = self.classify(&inbound.text);
        let change = |status, keyword: &str| ConsentChange {
            number: inbound.from.clone(),
            status,
            at: inbound.received_at,
            source: ConsentSource::Keyword {
                keyword: keyword.to_owned(),
                inbound_id: inbound.id.clone(),
                to: inbound.to.clone(),
            },
        };
        let (change, reply) = match &matched {
            Matched::OptOut { keyword } if current != ConsentStatus::Unsubscribed => (
                Some(change(ConsentStatus::Unsubscribed, keyword)),
                Some(self.replies.opt_out.clone()),
            ),
            Matched::OptIn { keyword } if current != ConsentStatus::Subscribed => (
                Some(change(ConsentStatus::Subscribed, keyword)),
                Some(self.replies.opt_in.clone()),
            ),
            Matched::OptOut { .. } | Matched::OptIn { .. } | Matched::None => (None, None),
            Matched::Help => (None, Some(self.replies.help.clone())),
            Matched::Contact => (None, Some(self.replies.contact.clone())),
            Matched::Custom { .. } => {
                (None, self.find(&inbound.text).and_then(|e| e.reply.clone()))
            }
        };
        Outcome {
            matched,
            change,
            reply,
        }
    }
}

/// What an inbound message does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// The keyword matched.
    pub matched: Matched,
    /// The consent change to record, if any.
    pub change: Option<ConsentChange>,
    /// The reply to send, if any.
    pub reply: Option<String>,
}

/// Builds the reply to an inbound message: from the number it was sent to, with an id
/// derived from the inbound id, so that handling the same inbound twice submits the
/// same id and the gateway sends the reply once.
///
/// ```
/// use chrono::{TimeZone, Utc};
/// use smsplan_provider::gateway::InboundMessage;
/// use smsplan_provider::keyword::reply_message;
/// use smsplan_provider::number::Msisdn;
/// let inbound = InboundMessage {
///     id: "0b7c-11".into(),
///     from: Msisdn::parse("+33612345678")?,
///     to: Msisdn::parse("36180")?,
///     text: "STOP".into(),
///     received_at: Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap(),
/// };
/// let reply = reply_message(&inbound, "Bye")?;
/// assert_eq!(reply.id().as_str(), "re-0b7c-11");
/// assert_eq!(reply.from().as_str(), "36180");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
/// # Errors
/// [`ReplyError::Sender`] when the inbound `to` is not a usable sender (a number
/// without `+` longer than a short code).
pub fn reply_message(inbound: &InboundMessage, text: &str) -> Result<OutboundMessage, ReplyError> {
    let to = inbound.to.as_str();
    let from = if to.starts_with('+') {
        SenderId::long_code(to)?
    } else {
        SenderId::short_code(to)?
    };
    let cleaned: String = inbound
        .id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '~' | '-') {
                c
            } else {
                '-'
            }
        })
        .take(61)
        .collect();
    let id = MessageId::new(&format!("re-{cleaned}"))?;
    Ok(OutboundMessage::new(
        id,
        from,
        inbound.from.clone(),
        Body::Text(text.to_owned()),
    ))
}

/// Why a reply cannot be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ReplyError {
    /// The number the inbound message was sent to cannot send.
    #[error("cannot reply from the inbound's destination")]
    Sender(#[from] crate::sender::SenderError),
    /// The derived id is not valid.
    #[error("cannot derive a reply id")]
    Id(#[from] crate::gateway::MessageIdError),
}

/// In-memory consent state driven by inbound keywords.
///
/// Numbers never seen are [`ConsentStatus::Unknown`]: the book does not know their
/// consent, so a STOP from them is honoured and confirmed, and so is a START. Inbound ids
/// seen before are dropped; the last 100,000 ids are kept.
#[derive(Debug, Clone)]
pub struct ConsentBook {
    keywords: Keywords,
    status: HashMap<Msisdn, ConsentStatus>,
    seen: HashSet<String>,
    order: VecDeque<String>,
}

/// How many inbound ids a [`ConsentBook`] remembers.
const SEEN_CAP: usize = 100_000;

impl ConsentBook {
    /// An empty book with these keywords.
    #[must_use]
    pub fn new(keywords: Keywords) -> Self {
        Self {
            keywords,
            status: HashMap::new(),
            seen: HashSet::new(),
            order: VecDeque::new(),
        }
    }

    /// Sets a number's status (e.g. loaded from your store).
    pub fn set(&mut self, number: Msisdn, status: ConsentStatus) {
        self.status.insert(number, status);
    }

    /// The number's status.
    #[must_use]
    pub fn status(&self, number: &Msisdn) -> ConsentStatus {
        self.status
            .get(number)
            .copied()
            .unwrap_or(ConsentStatus::Unknown)
    }

    /// Handles one inbound message: applies its consent change and returns it with the
    /// reply. A message whose id was handled before yields nothing.
    pub fn handle(&mut self, inbound: &InboundMessage) -> Outcome {
        if self.seen.contains(&inbound.id) {
            return Outcome {
                matched: self.keywords.classify(&inbound.text),
                change: None,
                reply: None,
            };
        }
        self.seen.insert(inbound.id.clone());
        self.order.push_back(inbound.id.clone());
        if self.order.len() > SEEN_CAP
            && let Some(old) = self.order.pop_front()
        {
            self.seen.remove(&old);
        }
        let outcome = self.keywords.respond(inbound, self.status(&inbound.from));
        if let Some(change) = &outcome.change {
            self.status.insert(change.number.clone(), change.status);
        }
        outcome
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use proptest::prelude::*;

    fn inbound(id: &str, text: &str) -> InboundMessage {
        InboundMessage {
            id: id.into(),
            from: Msisdn::parse("+33612345678").unwrap(),
            to: Msisdn::parse("36180").unwrap(),
            text: text.into(),
            received_at: Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap(),
        }
    }

    #[test]
    fn every_listed_opt_out_word_matches_in_many_spellings() {
        let k = Keywords::default();
        for word in OPT_OUT {
            for text in [
                word.to_string(),
                word.to_lowercase(),
                format!("  {word}!! "),
                format!("{word}."),
                format!("{} 36180", word.to_lowercase()),
            ] {
                assert!(
                    matches!(k.classify(&text), Matched::OptOut { .. }),
                    "{text:?}"
                );
            }
        }
        for text in [
            "Arrêt",
            "ARRÊT",
            "arrêt 36180",
            "Opt-Out",
            "optout",
            "Stop All",
            "ＳＴＯＰ",
            "stop 🛑",
        ] {
            assert!(
                matches!(k.classify(text), Matched::OptOut { .. }),
                "{text:?}"
            );
        }
    }

    #[test]
    fn other_keywords_and_non_keywords() {
        let k = Keywords::default();
        assert_eq!(
            k.classify("unstop"),
            Matched::OptIn {
                keyword: "UNSTOP".into()
            }
        );
        assert_eq!(k.classify("Info?"), Matched::Help);
        assert_eq!(k.classify("contact"), Matched::Contact);
        for text in ["", "   ", "stopped", "stop sending offers", "36180", "halt"] {
            assert_eq!(k.classify(text), Matched::None, "{text:?}");
        }
    }

    #[test]
    fn default_replies_fit_one_gsm_part() {
        use smsplan_core::text::{Encoding, Options, analyze};
        for r in [Replies::default(), Replies::french()] {
            for text in [&r.opt_out, &r.opt_in, &r.help, &r.contact] {
                let a = analyze(text, &Options::default()).unwrap();
                assert_eq!((a.encoding, a.segments), (Encoding::Gsm7, 1), "{text}");
            }
        }
    }

    #[test]
    fn custom_keywords_cannot_shadow_built_ins() {
        assert_eq!(
            Keywords::default().with_custom("Stop!", "x"),
            Err(KeywordError::Taken("Stop!".into()))
        );
        assert_eq!(
            Keywords::default().with_custom("!!", "x"),
            Err(KeywordError::Empty("!!".into()))
        );
    }

    #[test]
    fn a_number_never_seen_has_unknown_consent_and_start_subscribes_it() {
        let mut book = ConsentBook::new(Keywords::default());
        let number = Msisdn::parse("+33612345678").unwrap();
        assert_eq!(book.status(&number), ConsentStatus::Unknown);
        let start = book.handle(&inbound("s", "START"));
        assert_eq!(
            start.change.map(|c| c.to_consent().status),
            Some(ConsentStatus::Subscribed)
        );
        assert!(start.reply.is_some());
        assert_eq!(book.status(&number), ConsentStatus::Subscribed);
        // Subscribed already: a second START changes nothing and sends nothing.
        let again = book.handle(&inbound("t", "start"));
        assert!(again.change.is_none() && again.reply.is_none());
    }

    #[test]
    fn same_stop_twice_gives_one_change_and_one_confirmation() {
        let mut book = ConsentBook::new(Keywords::default());
        let first = book.handle(&inbound("a", "STOP"));
        assert!(first.change.is_some() && first.reply.is_some());
        // The same callback repeated, then the same word sent again.
        for again in [inbound("a", "STOP"), inbound("b", "stop")] {
            let o = book.handle(&again);
            assert_eq!(o.change, None);
            assert_eq!(o.reply, None);
        }
        assert_eq!(
            book.status(&Msisdn::parse("+33612345678").unwrap()),
            ConsentStatus::Unsubscribed
        );
        // START re-subscribes, with its own confirmation, and STOP works again.
        let start = book.handle(&inbound("c", "start"));
        assert_eq!(
            start.change.map(|c| c.status),
            Some(ConsentStatus::Subscribed)
        );
        assert!(book.handle(&inbound("d", "arret")).reply.is_some());
    }

    proptest! {
        #[test]
        fn letter_case_never_changes_the_match(
            word in proptest::sample::select([OPT_OUT, OPT_IN, HELP, CONTACT].concat()),
            flips in proptest::collection::vec(any::<bool>(), 12),
        ) {
            let k = Keywords::default();
            let mixed: String = word
                .chars()
                .zip(flips.iter().cycle())
                .map(|(c, lower)| if *lower { c.to_ascii_lowercase() } else { c })
                .collect();
            prop_assert_eq!(k.classify(&mixed), k.classify(word));
        }

        #[test]
        fn padding_with_spaces_and_punctuation_never_changes_the_match(
            word in proptest::sample::select([OPT_OUT, OPT_IN, HELP, CONTACT].concat()),
            left in "[ .,;:!?¡¿*\"'()-]{0,4}",
            right in "[ .,;:!?¡¿*\"'()-]{0,4}",
        ) {
            let k = Keywords::default();
            prop_assert_eq!(k.classify(&format!("{left}{word}{right}")), k.classify(word));
        }
    }
}
