//! Sender identities (the "from" of an SMS) and their validity per kind.
//!
//! - **alphanumeric**: 1 to 11 characters, at least one letter, from the characters every
//!   operator accepts: `A–Z a–z 0–9`, space and `- _ . & + ' !` (all in the GSM 7-bit
//!   default alphabet, one septet each). Recipients cannot reply.
//! - **short code**: 3 to 8 digits (France uses 5: `36xxx` marketing, `38xxx` service).
//! - **long code**: a valid phone number (libphonenumber metadata, as [`PhoneNumber`] parses
//!   it), written in E.164 (`+` and the digits).
//! - **toll free**: the same, and the metadata types it [`NumberKind::TollFree`] (`+1 800…`,
//!   `+33 805…`, `+44 800…`): one rule for every country, no list of area codes.
//!
//! Each kind has a usual sending capacity ([`SenderKind::default_parts_per_second`]) and a
//! [`Direction`] (can recipients answer?). Senders are the business's own identity, shown on
//! every handset: unlike recipients' numbers they are not masked.
//!
//! ```
//! use smsplan_core::sender::{Sender, SenderKind};
//! let s = Sender::new(SenderKind::Alphanumeric, "SHOP")?;
//! assert_eq!(s.value(), "SHOP");
//! assert!(Sender::new(SenderKind::Alphanumeric, "MY GREAT SHOP").is_err());
//! # Ok::<(), smsplan_core::sender::SenderError>(())
//! ```

use std::fmt;
use std::num::NonZeroU32;

use crate::checklist::{Check, CheckId, CheckStatus};
use crate::phone::{NumberKind, PhoneError, PhoneNumber};

/// The kind of a sender identity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SenderKind {
    /// A name such as `SHOP`.
    Alphanumeric,
    /// A short number such as `36111`.
    ShortCode,
    /// A full phone number.
    LongCode,
    /// A toll-free number.
    TollFree,
}

impl SenderKind {
    /// Every kind.
    pub const ALL: [Self; 4] = [
        Self::Alphanumeric,
        Self::ShortCode,
        Self::LongCode,
        Self::TollFree,
    ];

    /// The snake_case name used in wire formats.
    ///
    /// ```
    /// assert_eq!(smsplan_core::sender::SenderKind::TollFree.as_str(), "toll_free");
    /// ```
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Alphanumeric => "alphanumeric",
            Self::ShortCode => "short_code",
            Self::LongCode => "long_code",
            Self::TollFree => "toll_free",
        }
    }

    /// The kind named by its snake_case name (see [`SenderKind::as_str`]).
    ///
    /// ```
    /// use smsplan_core::sender::SenderKind;
    /// assert_eq!(SenderKind::from_name("short_code"), Some(SenderKind::ShortCode));
    /// assert_eq!(SenderKind::from_name("fax"), None);
    /// ```
    #[must_use]
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.as_str() == name)
    }

    /// Whether recipients can answer a sender of this kind.
    ///
    /// ```
    /// use smsplan_core::sender::{Direction, SenderKind};
    /// assert_eq!(SenderKind::Alphanumeric.direction(), Direction::OneWay);
    /// assert_eq!(SenderKind::ShortCode.direction(), Direction::TwoWay);
    /// ```
    #[must_use]
    pub const fn direction(self) -> Direction {
        match self {
            Self::Alphanumeric => Direction::OneWay,
            Self::ShortCode | Self::LongCode | Self::TollFree => Direction::TwoWay,
        }
    }
}

/// Whether recipients can answer a sender.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Direction {
    /// Recipients cannot reply (they must opt out another way).
    OneWay,
    /// Replies (STOP, HELP…) come back to this sender.
    TwoWay,
}

impl SenderKind {
    /// The parts per second a sender of this kind delivers when the campaign does not say
    /// (typical operator limits: alphanumeric 10, long code 1, short code 100, toll-free 3).
    /// Plans place messages at this pace and the provider's pacer defaults to it.
    ///
    /// ```
    /// use smsplan_core::sender::SenderKind;
    /// assert_eq!(SenderKind::LongCode.default_parts_per_second().get(), 1);
    /// assert_eq!(SenderKind::ShortCode.default_parts_per_second().get(), 100);
    /// ```
    #[must_use]
    pub const fn default_parts_per_second(self) -> NonZeroU32 {
        let rate = match self {
            Self::Alphanumeric => NonZeroU32::new(10),
            Self::ShortCode => NonZeroU32::new(100),
            Self::LongCode => NonZeroU32::new(1),
            Self::TollFree => NonZeroU32::new(3),
        };
        match rate {
            Some(rate) => rate,
            None => NonZeroU32::MIN,
        }
    }
}

impl fmt::Display for SenderKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a sender is not valid for its kind.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SenderError {
    /// The value is empty.
    #[error("empty {kind} sender")]
    Empty {
        /// The kind asked for.
        kind: SenderKind,
    },
    /// The value has more characters than the kind allows.
    #[error("{kind} sender of {len} characters, the limit is {max}")]
    TooLong {
        /// The kind asked for.
        kind: SenderKind,
        /// Its length in characters.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// The value has fewer characters than the kind needs.
    #[error("{kind} sender of {len} characters, at least {min} needed")]
    TooShort {
        /// The kind asked for.
        kind: SenderKind,
        /// Its length in characters.
        len: usize,
        /// The minimum.
        min: usize,
    },
    /// A character the kind does not allow.
    #[error("{kind} sender: character {ch:?} at offset {offset} is not allowed")]
    Character {
        /// The kind asked for.
        kind: SenderKind,
        /// The character.
        ch: char,
        /// Its offset, in characters.
        offset: usize,
    },
    /// An alphanumeric sender made only of digits (phones show it as a number).
    #[error("alphanumeric sender without a letter")]
    NoLetter,
    /// A long code or toll-free number not written in E.164 (`+` and the digits only).
    #[error("{kind} sender must be written in E.164, `+` and the digits")]
    NotE164 {
        /// The kind asked for.
        kind: SenderKind,
    },
    /// A long code or toll-free number that libphonenumber's metadata refuses.
    #[error("{kind} sender is not a valid phone number: {error}")]
    InvalidNumber {
        /// The kind asked for.
        kind: SenderKind,
        /// Why the number is not valid (printed in this message, not a `source()`).
        error: PhoneError,
    },
    /// A toll-free sender whose number the metadata types otherwise.
    #[error("toll_free sender is a {found} number, not a toll-free one")]
    NotTollFree {
        /// The number's type.
        found: NumberKind,
    },
}

/// A sender identity valid for its kind.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Sender {
    kind: SenderKind,
    value: Box<str>,
}

impl Sender {
    /// Validates a sender for its kind.
    ///
    /// ```
    /// use smsplan_core::sender::{Sender, SenderKind, SenderError};
    /// assert!(Sender::new(SenderKind::ShortCode, "36111").is_ok());
    /// assert!(Sender::new(SenderKind::TollFree, "+18885550100").is_ok());
    /// assert_eq!(Sender::new(SenderKind::Alphanumeric, "12345"), Err(SenderError::NoLetter));
    /// ```
    /// # Errors
    /// A [`SenderError`] saying which rule of the kind the value breaks.
    pub fn new(kind: SenderKind, value: &str) -> Result<Self, SenderError> {
        validate(kind, value)?;
        Ok(Self {
            kind,
            value: value.into(),
        })
    }

    /// The kind.
    ///
    /// ```
    /// use smsplan_core::sender::{Sender, SenderKind};
    /// assert_eq!(Sender::new(SenderKind::ShortCode, "36111")?.kind(), SenderKind::ShortCode);
    /// # Ok::<(), smsplan_core::sender::SenderError>(())
    /// ```
    #[must_use]
    pub fn kind(&self) -> SenderKind {
        self.kind
    }

    /// The value as written.
    ///
    /// ```
    /// use smsplan_core::sender::{Sender, SenderKind};
    /// assert_eq!(Sender::new(SenderKind::LongCode, "+33612345678")?.value(), "+33612345678");
    /// # Ok::<(), smsplan_core::sender::SenderError>(())
    /// ```
    #[must_use]
    pub fn value(&self) -> &str {
        &self.value
    }

    /// Whether recipients can answer this sender ([`SenderKind::direction`]).
    ///
    /// ```
    /// use smsplan_core::sender::{Direction, Sender, SenderKind};
    /// assert_eq!(Sender::new(SenderKind::Alphanumeric, "SHOP")?.direction(), Direction::OneWay);
    /// # Ok::<(), smsplan_core::sender::SenderError>(())
    /// ```
    #[must_use]
    pub fn direction(&self) -> Direction {
        self.kind.direction()
    }
}

impl fmt::Display for Sender {
    /// The value as written: a sender is the business's identity, not personal data.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.value)
    }
}

fn validate(kind: SenderKind, value: &str) -> Result<(), SenderError> {
    if value.is_empty() {
        return Err(SenderError::Empty { kind });
    }
    let len = value.chars().count();
    match kind {
        SenderKind::Alphanumeric => {
            if len > 11 {
                return Err(SenderError::TooLong { kind, len, max: 11 });
            }
            if let Some((offset, ch)) = value.chars().enumerate().find(|&(_, c)| {
                !(c.is_ascii_alphanumeric()
                    || matches!(c, ' ' | '-' | '_' | '.' | '&' | '+' | '\'' | '!'))
            }) {
                return Err(SenderError::Character { kind, ch, offset });
            }
            if !value.chars().any(|c| c.is_ascii_alphabetic()) {
                return Err(SenderError::NoLetter);
            }
            Ok(())
        }
        SenderKind::ShortCode => {
            digits_only(kind, value, 0)?;
            if len < 3 {
                return Err(SenderError::TooShort { kind, len, min: 3 });
            }
            if len > 8 {
                return Err(SenderError::TooLong { kind, len, max: 8 });
            }
            Ok(())
        }
        SenderKind::LongCode | SenderKind::TollFree => {
            let digits = value
                .strip_prefix('+')
                .ok_or(SenderError::NotE164 { kind })?;
            digits_only(kind, digits, 1)?;
            let number = PhoneNumber::parse_international(value)
                .map_err(|error| SenderError::InvalidNumber { kind, error })?;
            if number.as_e164() != value {
                return Err(SenderError::NotE164 { kind });
            }
            if kind == SenderKind::TollFree && number.kind() != NumberKind::TollFree {
                return Err(SenderError::NotTollFree {
                    found: number.kind(),
                });
            }
            Ok(())
        }
    }
}

fn digits_only(kind: SenderKind, value: &str, base: usize) -> Result<(), SenderError> {
    match value.chars().enumerate().find(|(_, c)| !c.is_ascii_digit()) {
        Some((offset, ch)) => Err(SenderError::Character {
            kind,
            ch,
            offset: base + offset,
        }),
        None => Ok(()),
    }
}

/// The `sender` check: set, and valid for its kind.
///
/// ```
/// use smsplan_core::checklist::CheckStatus;
/// use smsplan_core::sender::{sender_check, SenderKind};
/// assert_eq!(sender_check(Some((SenderKind::Alphanumeric, "SHOP"))).status, CheckStatus::Pass);
/// assert_eq!(sender_check(Some((SenderKind::ShortCode, "36 111"))).status, CheckStatus::Fail);
/// assert_eq!(sender_check(None).status, CheckStatus::Fail);
/// ```
#[must_use]
pub fn sender_check(sender: Option<(SenderKind, &str)>) -> Check {
    match sender {
        None => Check::new(CheckId::Sender, CheckStatus::Fail, "no sender is set"),
        Some((kind, value)) => match validate(kind, value) {
            Ok(()) => Check::new(
                CheckId::Sender,
                CheckStatus::Pass,
                format!("{kind} sender {value}"),
            ),
            Err(e) => Check::new(CheckId::Sender, CheckStatus::Fail, e.to_string()),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alphanumeric_rules() {
        assert!(Sender::new(SenderKind::Alphanumeric, "ABCDEFGHIJK").is_ok());
        assert!(Sender::new(SenderKind::Alphanumeric, "M&M's Shop!").is_ok());
        assert_eq!(
            Sender::new(SenderKind::Alphanumeric, "ABCDEFGHIJKL"),
            Err(SenderError::TooLong {
                kind: SenderKind::Alphanumeric,
                len: 12,
                max: 11
            })
        );
        assert_eq!(
            Sender::new(SenderKind::Alphanumeric, "Café"),
            Err(SenderError::Character {
                kind: SenderKind::Alphanumeric,
                ch: 'é',
                offset: 3
            })
        );
        assert_eq!(
            Sender::new(SenderKind::Alphanumeric, "SHOP€"),
            Err(SenderError::Character {
                kind: SenderKind::Alphanumeric,
                ch: '€',
                offset: 4
            })
        );
    }

    #[test]
    fn numeric_kinds() {
        assert!(Sender::new(SenderKind::ShortCode, "12").is_err());
        assert!(Sender::new(SenderKind::ShortCode, "123456789").is_err());
        assert!(Sender::new(SenderKind::LongCode, "0612345678").is_err());
        assert!(Sender::new(SenderKind::LongCode, "+12125550100").is_ok());
        assert!(Sender::new(SenderKind::LongCode, "+4915123456780").is_ok());
        assert_eq!(
            Sender::new(SenderKind::LongCode, "+1212555010"),
            Err(SenderError::InvalidNumber {
                kind: SenderKind::LongCode,
                error: PhoneError::TooShort
            })
        );
        assert!(Sender::new(SenderKind::LongCode, "+1234567890123456").is_err());
        assert_eq!(
            Sender::new(SenderKind::LongCode, "+33 6"),
            Err(SenderError::Character {
                kind: SenderKind::LongCode,
                ch: ' ',
                offset: 3
            })
        );
    }

    #[test]
    fn toll_free_is_told_by_the_number_type_in_every_country() {
        for number in [
            "+18005550100",
            "+18885550100",
            "+33805123456",
            "+448001234567",
        ] {
            assert!(
                Sender::new(SenderKind::TollFree, number).is_ok(),
                "{number}"
            );
        }
        // Montreal: a NANP number outside the toll-free codes.
        assert_eq!(
            Sender::new(SenderKind::TollFree, "+15142345678"),
            Err(SenderError::NotTollFree {
                found: NumberKind::FixedLineOrMobile
            })
        );
        // Exchange codes never start with 1 in the NANP: not a number at all.
        assert!(matches!(
            Sender::new(SenderKind::TollFree, "+15141234567"),
            Err(SenderError::InvalidNumber { .. })
        ));
        assert_eq!(
            Sender::new(SenderKind::TollFree, "+33612345678"),
            Err(SenderError::NotTollFree {
                found: NumberKind::Mobile
            })
        );
        // A valid toll-free number is still a valid long code.
        assert!(Sender::new(SenderKind::LongCode, "+33805123456").is_ok());
    }

    #[test]
    fn sender_errors_name_no_number() {
        for (kind, value) in [
            (SenderKind::TollFree, "+15142345678"),
            (SenderKind::LongCode, "+1212555010"),
            (SenderKind::LongCode, "0612345678"),
        ] {
            let err = Sender::new(kind, value).unwrap_err().to_string();
            assert!(!err.contains(&value[4..]), "{err}");
        }
    }

    #[test]
    fn kind_names_round_trip_and_defaults_follow_the_kind() {
        for kind in SenderKind::ALL {
            assert_eq!(SenderKind::from_name(kind.as_str()), Some(kind));
            // Every variant is listed once: the exhaustive match fails to compile on a new one.
            let index = match kind {
                SenderKind::Alphanumeric => 0,
                SenderKind::ShortCode => 1,
                SenderKind::LongCode => 2,
                SenderKind::TollFree => 3,
            };
            assert_eq!(SenderKind::ALL[index], kind);
        }
        let pps: Vec<u32> = SenderKind::ALL
            .iter()
            .map(|k| k.default_parts_per_second().get())
            .collect();
        assert_eq!(pps, [10, 100, 1, 3]);
    }
}
