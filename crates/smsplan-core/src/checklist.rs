//! The prepare checklist: what must hold before a send may be approved.
//!
//! Each [`Check`] has an id, a status (`pass`, `warn`, `fail`) and a human detail. A failing
//! check blocks [`approval::Event::Prepare`](crate::approval::Event::Prepare); a warning is
//! shown to the approver. The checks that need nothing but their inputs live here; the ones
//! over a whole plan are run by [`plan`](crate::plan).
//!
//! ```
//! use smsplan_core::checklist::{opt_out_mention, CheckStatus, Checklist};
//! let mut list = Checklist::default();
//! list.push(opt_out_mention("-20% today. STOP 36111"));
//! assert_eq!(list.worst(), CheckStatus::Pass);
//! ```

use std::fmt;

use chrono::{DateTime, Utc};

use crate::phone::PhoneNumber;

/// The id of a check, in the order the checklist runs them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum CheckId {
    /// The audience has at least one recipient.
    AudienceNotEmpty,
    /// Every recipient has consent.
    Consent,
    /// The sender is set and valid for its kind.
    Sender,
    /// A marketing message to France carries `STOP` with a number.
    OptOutMention,
    /// The message is not empty.
    MessageNotEmpty,
    /// The message renders for every recipient.
    MessageRenders,
    /// The estimated cost is covered by the credit balance.
    Credit,
    /// The send would not break a frequency cap.
    FrequencyCap,
    /// Every marketing recipient falls under a legal window policy.
    LegalWindow,
    /// A test SMS was sent to a test number.
    TestSms,
}

impl CheckId {
    /// Every check id.
    pub const ALL: [Self; 10] = [
        Self::AudienceNotEmpty,
        Self::Consent,
        Self::Sender,
        Self::OptOutMention,
        Self::MessageNotEmpty,
        Self::MessageRenders,
        Self::Credit,
        Self::FrequencyCap,
        Self::LegalWindow,
        Self::TestSms,
    ];

    /// The snake_case id used in wire formats.
    ///
    /// ```
    /// assert_eq!(smsplan_core::checklist::CheckId::OptOutMention.as_str(), "opt_out_mention");
    /// ```
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::AudienceNotEmpty => "audience_not_empty",
            Self::Consent => "consent",
            Self::Sender => "sender",
            Self::OptOutMention => "opt_out_mention",
            Self::MessageNotEmpty => "message_not_empty",
            Self::MessageRenders => "message_renders",
            Self::Credit => "credit",
            Self::FrequencyCap => "frequency_cap",
            Self::LegalWindow => "legal_window",
            Self::TestSms => "test_sms",
        }
    }

    /// Reads a snake_case id.
    ///
    /// ```
    /// use smsplan_core::checklist::CheckId;
    /// assert_eq!(CheckId::from_name("credit"), Some(CheckId::Credit));
    /// assert_eq!(CheckId::from_name("nope"), None);
    /// ```
    #[must_use]
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == name)
    }
}

impl fmt::Display for CheckId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The outcome of a check, ordered from best to worst.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
#[non_exhaustive]
pub enum CheckStatus {
    /// Nothing to say.
    #[default]
    Pass,
    /// Worth a look; does not block.
    Warn,
    /// Blocks preparation.
    Fail,
}

impl CheckStatus {
    /// Every status, from best to worst.
    pub const ALL: [Self; 3] = [Self::Pass, Self::Warn, Self::Fail];

    /// The lowercase name used in wire formats.
    ///
    /// ```
    /// assert_eq!(smsplan_core::checklist::CheckStatus::Warn.as_str(), "warn");
    /// ```
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Pass => "pass",
            Self::Warn => "warn",
            Self::Fail => "fail",
        }
    }

    /// Reads a lowercase name.
    ///
    /// ```
    /// use smsplan_core::checklist::CheckStatus;
    /// assert_eq!(CheckStatus::from_name("fail"), Some(CheckStatus::Fail));
    /// ```
    #[must_use]
    pub fn from_name(name: &str) -> Option<Self> {
        [Self::Pass, Self::Warn, Self::Fail]
            .into_iter()
            .find(|s| s.as_str() == name)
    }
}

impl fmt::Display for CheckStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One check's outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    /// Which check.
    pub id: CheckId,
    /// Its outcome.
    pub status: CheckStatus,
    /// What it found, for a person.
    pub detail: String,
}

impl Check {
    /// Builds a check outcome.
    ///
    /// ```
    /// use smsplan_core::checklist::{Check, CheckId, CheckStatus};
    /// let c = Check::new(CheckId::TestSms, CheckStatus::Warn, "no test SMS recorded");
    /// assert_eq!(c.status, CheckStatus::Warn);
    /// ```
    #[must_use]
    pub fn new(id: CheckId, status: CheckStatus, detail: impl Into<String>) -> Self {
        Self {
            id,
            status,
            detail: detail.into(),
        }
    }
}

/// The checks of one preparation, in the order they ran.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Checklist {
    checks: Vec<Check>,
}

impl Checklist {
    /// Adds a check outcome.
    ///
    /// ```
    /// use smsplan_core::checklist::{message_not_empty, Checklist};
    /// let mut list = Checklist::default();
    /// list.push(message_not_empty(""));
    /// assert_eq!(list.checks().len(), 1);
    /// ```
    pub fn push(&mut self, check: Check) {
        self.checks.push(check);
    }

    /// The checks, in order.
    ///
    /// ```
    /// assert!(smsplan_core::checklist::Checklist::default().checks().is_empty());
    /// ```
    #[must_use]
    pub fn checks(&self) -> &[Check] {
        &self.checks
    }

    /// The worst status (`pass` for an empty list).
    ///
    /// ```
    /// use smsplan_core::checklist::{message_not_empty, CheckStatus, Checklist};
    /// let mut list = Checklist::default();
    /// list.push(message_not_empty("   "));
    /// assert_eq!(list.worst(), CheckStatus::Fail);
    /// ```
    #[must_use]
    pub fn worst(&self) -> CheckStatus {
        self.checks
            .iter()
            .map(|c| c.status)
            .max()
            .unwrap_or_default()
    }

    /// The first failing check, which blocks preparation.
    ///
    /// ```
    /// use smsplan_core::checklist::{message_not_empty, Checklist};
    /// let mut list = Checklist::default();
    /// list.push(message_not_empty("hi"));
    /// assert!(list.first_failure().is_none());
    /// ```
    #[must_use]
    pub fn first_failure(&self) -> Option<&Check> {
        self.checks.iter().find(|c| c.status == CheckStatus::Fail)
    }

    /// The check with this id, if it ran.
    ///
    /// ```
    /// use smsplan_core::checklist::{message_not_empty, CheckId, Checklist};
    /// let mut list = Checklist::default();
    /// list.push(message_not_empty("hi"));
    /// assert!(list.get(CheckId::MessageNotEmpty).is_some());
    /// ```
    #[must_use]
    pub fn get(&self, id: CheckId) -> Option<&Check> {
        self.checks.iter().find(|c| c.id == id)
    }
}

impl FromIterator<Check> for Checklist {
    fn from_iter<I: IntoIterator<Item = Check>>(iter: I) -> Self {
        Self {
            checks: iter.into_iter().collect(),
        }
    }
}

/// Checks that the message template is not empty or blank.
///
/// ```
/// use smsplan_core::checklist::{message_not_empty, CheckStatus};
/// assert_eq!(message_not_empty("Hi").status, CheckStatus::Pass);
/// assert_eq!(message_not_empty(" \n").status, CheckStatus::Fail);
/// ```
#[must_use]
pub fn message_not_empty(template: &str) -> Check {
    if template.trim().is_empty() {
        Check::new(
            CheckId::MessageNotEmpty,
            CheckStatus::Fail,
            "the message is empty",
        )
    } else {
        Check::new(
            CheckId::MessageNotEmpty,
            CheckStatus::Pass,
            format!("{} characters", template.chars().count()),
        )
    }
}

/// Finds `STOP` followed by a number (`STOP 36111`, `STOP au 36111`, `STOP SMS au 36111`).
///
/// `STOP` is matched case-insensitively as a whole word; up to three short words may sit
/// between it and a run of at least four digits on the same line.
///
/// ```
/// use smsplan_core::checklist::find_stop_mention;
/// assert_eq!(find_stop_mention("Promo -20%. STOP au 36111"), Some("36111"));
/// assert_eq!(find_stop_mention("Stop by our shop at 10 rue X"), None);
/// assert_eq!(find_stop_mention("STOP"), None);
/// ```
#[must_use]
pub fn find_stop_mention(text: &str) -> Option<&str> {
    let upper_matches = text.char_indices().filter(|&(i, _)| {
        text.get(i..i + 4)
            .is_some_and(|w| w.eq_ignore_ascii_case("stop"))
    });
    for (start, _) in upper_matches {
        let before_ok = text
            .get(..start)
            .and_then(|b| b.chars().next_back())
            .is_none_or(|c| !c.is_alphanumeric());
        let Some(rest) = text.get(start + 4..) else {
            continue;
        };
        let after_ok = rest.chars().next().is_none_or(|c| !c.is_alphanumeric());
        if !(before_ok && after_ok) {
            continue;
        }
        if let Some(number) = number_after(rest) {
            return Some(number);
        }
    }
    None
}

/// The first run of ≥ 4 digits after at most three short words and punctuation, on one line.
fn number_after(rest: &str) -> Option<&str> {
    let mut words = 0;
    let mut offset = 0;
    let mut in_word = false;
    for (i, c) in rest.char_indices() {
        if c == '\n' || c == '\r' {
            return None;
        }
        if c.is_ascii_digit() {
            let digits = rest
                .get(i..)?
                .find(|d: char| !d.is_ascii_digit())
                .map_or(rest.len(), |n| i + n);
            let number = rest.get(i..digits)?;
            return (number.len() >= 4).then_some(number);
        }
        if c.is_alphabetic() {
            if !in_word {
                words += 1;
                in_word = true;
                if words > 3 {
                    return None;
                }
            }
        } else {
            in_word = false;
        }
        offset += 1;
        if offset > 24 {
            return None;
        }
    }
    None
}

/// Checks the French opt-out mention of a marketing message (`STOP` with a number).
///
/// Call it for marketing messages with recipients in France; the check passes with the
/// number found and fails when there is none.
///
/// ```
/// use smsplan_core::checklist::{opt_out_mention, CheckStatus};
/// assert_eq!(opt_out_mention("Soldes ! STOP 36111").status, CheckStatus::Pass);
/// assert_eq!(opt_out_mention("Soldes !").status, CheckStatus::Fail);
/// ```
#[must_use]
pub fn opt_out_mention(template: &str) -> Check {
    match find_stop_mention(template) {
        Some(number) => Check::new(
            CheckId::OptOutMention,
            CheckStatus::Pass,
            format!("opt-out mention STOP {number}"),
        ),
        None => Check::new(
            CheckId::OptOutMention,
            CheckStatus::Fail,
            "a marketing SMS to France must offer a free opt-out: add `STOP` with a number, e.g. `STOP 36111`",
        ),
    }
}

/// A test SMS the caller sent before the campaign, as recorded by the caller.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum TestSms {
    /// No test SMS was recorded.
    NotSent,
    /// A test SMS went to this number at this instant.
    Sent {
        /// The test number.
        to: PhoneNumber,
        /// When it was sent.
        at: DateTime<Utc>,
    },
}

/// Checks that a test SMS was sent by `now`: a missing one is a warning, one dated after
/// `now` (not sent yet, or a wrong clock) a failure.
///
/// ```
/// use chrono::{DateTime, Utc};
/// use smsplan_core::checklist::{test_sms, CheckStatus, TestSms};
/// use smsplan_core::phone::PhoneNumber;
///
/// let now: DateTime<Utc> = "2026-12-20T09:00:00Z".parse()?;
/// let to = PhoneNumber::parse_international("+33612345678")?;
/// assert_eq!(test_sms(&TestSms::NotSent, now).status, CheckStatus::Warn);
/// let sent = TestSms::Sent { to, at: "2026-12-20T08:30:00Z".parse()? };
/// assert_eq!(test_sms(&sent, now).status, CheckStatus::Pass);
/// let later = TestSms::Sent { to, at: "2026-12-20T09:30:00Z".parse()? };
/// assert_eq!(test_sms(&later, now).status, CheckStatus::Fail);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[must_use]
pub fn test_sms(record: &TestSms, now: DateTime<Utc>) -> Check {
    match record {
        TestSms::NotSent => Check::new(
            CheckId::TestSms,
            CheckStatus::Warn,
            "no test SMS was recorded: send one to a test number first",
        ),
        TestSms::Sent { at, .. } if *at > now => Check::new(
            CheckId::TestSms,
            CheckStatus::Fail,
            format!(
                "the test SMS is dated {}, after the planning instant {}: record it once sent",
                at.to_rfc3339(),
                now.to_rfc3339()
            ),
        ),
        TestSms::Sent { to, .. } => Check::new(
            CheckId::TestSms,
            CheckStatus::Pass,
            format!("test SMS sent to {}", to.as_e164()),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stop_mentions_found_and_missed() {
        for (text, want) in [
            ("STOP 36111", Some("36111")),
            ("stop au 36111", Some("36111")),
            ("STOP SMS au 36111", Some("36111")),
            ("Soldes. Stop: 36111.", Some("36111")),
            ("Répondez STOP au 36 111", None),
            ("STOPPEZ 36111", None),
            ("NONSTOP 36111", None),
            ("STOP\n36111", None),
            ("STOP it now or never 36111", None),
            ("STOP 12", None),
            ("x STOP y STOP 38000", Some("38000")),
        ] {
            assert_eq!(find_stop_mention(text), want, "{text:?}");
        }
    }

    #[test]
    fn a_test_sms_counts_only_if_sent_by_now() {
        let now: DateTime<Utc> = "2026-12-20T09:00:00Z".parse().unwrap();
        let to = PhoneNumber::parse_international("+33612345678").unwrap();
        let at = |t: &str| TestSms::Sent {
            to,
            at: t.parse().unwrap(),
        };
        // At `now` exactly is sent; a second later is not yet (it passed before).
        assert_eq!(
            test_sms(&at("2026-12-20T09:00:00Z"), now).status,
            CheckStatus::Pass
        );
        let later = test_sms(&at("2026-12-20T09:00:01Z"), now);
        assert_eq!(later.status, CheckStatus::Fail);
        assert!(
            later.detail.contains("2026-12-20T09:00:01+00:00"),
            "{}",
            later.detail
        );
        assert_eq!(
            test_sms(&at("2026-12-19T09:00:00Z"), now).detail,
            "test SMS sent to +33612345678"
        );
    }

    #[test]
    fn worst_orders_fail_over_warn_over_pass() {
        let list: Checklist = [
            Check::new(CheckId::Credit, CheckStatus::Pass, ""),
            Check::new(CheckId::TestSms, CheckStatus::Warn, ""),
        ]
        .into_iter()
        .collect();
        assert_eq!(list.worst(), CheckStatus::Warn);
        assert!(list.first_failure().is_none());
    }

    #[test]
    fn ids_and_statuses_round_trip() {
        for id in CheckId::ALL {
            assert_eq!(CheckId::from_name(id.as_str()), Some(id));
        }
        for s in CheckStatus::ALL {
            assert_eq!(CheckStatus::from_name(s.as_str()), Some(s));
        }
    }
}
