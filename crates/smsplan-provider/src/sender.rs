//! Sender identities and their capacity.
//!
//! | kind | shown as | two-way | default capacity |
//! |---|---|---|---|
//! | [`SenderKind::Alphanumeric`] | `Shop` | no | 10 parts/s |
//! | [`SenderKind::LongCode`] | `+33612345678` | yes | 1 part/s |
//! | [`SenderKind::ShortCode`] | `36180` | yes | 100 parts/s |
//! | [`SenderKind::TollFree`] | `+18005550100` | yes | 3 parts/s |
//!
//! The defaults follow common carrier limits (a US long code sends one segment per
//! second, short codes 100 and more); set the figure your contract gives with
//! [`Sender::with_capacity`]. [`crate::pacing`] enforces it.

use std::fmt;
use std::num::NonZeroU32;

use smsplan_core::text::{Encoding, Options, analyze};

use crate::number::{Msisdn, NumberError};

/// Whether a character is in the GSM 7-bit default alphabet (TS 23.038) without an
/// escape: what an alphanumeric originating address can carry.
fn alphanumeric_sender_char(c: char) -> bool {
    let mut buf = [0u8; 4];
    analyze(c.encode_utf8(&mut buf), &Options::default())
        .is_ok_and(|a| a.encoding == Encoding::Gsm7 && a.units == 1)
}

/// Why a sender identity is invalid.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SenderError {
    /// An alphanumeric sender must have 1 to 11 characters.
    #[error("alphanumeric sender: {len} characters, expected 1 to 11")]
    AlphanumericLength {
        /// The length found.
        len: usize,
    },
    /// A character outside the GSM 7-bit default alphabet, or one that needs an escape
    /// (`€ [ ] { } \\ ^ ~ |`).
    #[error("alphanumeric sender: character {found:?} at offset {offset} is not accepted")]
    AlphanumericCharacter {
        /// Offset in characters.
        offset: usize,
        /// The character.
        found: char,
    },
    /// Without a letter, handsets and operators take the sender for a number.
    #[error("alphanumeric sender: needs at least one letter")]
    AlphanumericWithoutLetter,
    /// Short codes have 3 to 8 digits.
    #[error("short code: {digits:?} is not 3 to 8 digits")]
    ShortCode {
        /// The text given.
        digits: String,
    },
    /// A long code or toll-free number is not a valid international number.
    #[error("sender number: {0}")]
    Number(#[from] NumberError),
    /// Long codes and toll-free numbers must be international (`+` and country code).
    #[error("sender number must start with `+` and the country code")]
    NotInternational,
}

/// The kind of a [`SenderId`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SenderKind {
    /// A name such as `Shop`: one-way.
    Alphanumeric,
    /// An ordinary mobile number: two-way, low capacity.
    LongCode,
    /// A 3 to 8 digit national code: two-way, high capacity.
    ShortCode,
    /// A toll-free number: two-way.
    TollFree,
}

/// Whether recipients can answer a sender.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Direction {
    /// Recipients cannot reply (they must opt out another way).
    OneWay,
    /// Replies (STOP, HELP…) come back to this sender.
    TwoWay,
}

/// The identity a message is sent from.
///
/// ```
/// use smsplan_provider::sender::{SenderId, SenderKind};
/// let alpha = SenderId::alphanumeric("Shop & Co")?;
/// assert_eq!(alpha.kind(), SenderKind::Alphanumeric);
/// assert!(SenderId::alphanumeric("TwelveLetter").is_err());
/// assert_eq!(SenderId::short_code("36180")?.as_str(), "36180");
/// # Ok::<(), smsplan_provider::sender::SenderError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SenderId {
    kind: SenderKind,
    value: Box<str>,
}

impl SenderId {
    /// An alphanumeric sender: 1 to 11 characters of the GSM 7-bit default alphabet
    /// (no escaped characters), at least one of them an ASCII letter.
    ///
    /// ```
    /// # use smsplan_provider::sender::{SenderId, SenderError};
    /// assert_eq!(SenderId::alphanumeric("12345"), Err(SenderError::AlphanumericWithoutLetter));
    /// ```
    /// # Errors
    /// [`SenderError`] names the length or the first bad character.
    pub fn alphanumeric(name: &str) -> Result<Self, SenderError> {
        let len = name.chars().count();
        if !(1..=11).contains(&len) {
            return Err(SenderError::AlphanumericLength { len });
        }
        if let Some((offset, found)) = name
            .chars()
            .enumerate()
            .find(|(_, c)| !alphanumeric_sender_char(*c))
        {
            return Err(SenderError::AlphanumericCharacter { offset, found });
        }
        if !name.chars().any(|c| c.is_ascii_alphabetic()) {
            return Err(SenderError::AlphanumericWithoutLetter);
        }
        Ok(Self {
            kind: SenderKind::Alphanumeric,
            value: name.into(),
        })
    }

    /// A long code: an international mobile number.
    ///
    /// ```
    /// # use smsplan_provider::sender::SenderId;
    /// assert!(SenderId::long_code("+33612345678").is_ok());
    /// assert!(SenderId::long_code("0612345678").is_err());
    /// ```
    /// # Errors
    /// [`SenderError::Number`] or [`SenderError::NotInternational`].
    pub fn long_code(number: &str) -> Result<Self, SenderError> {
        Self::international(SenderKind::LongCode, number)
    }

    /// A toll-free number, international.
    ///
    /// ```
    /// # use smsplan_provider::sender::SenderId;
    /// assert!(SenderId::toll_free("+18005550100").is_ok());
    /// ```
    /// # Errors
    /// [`SenderError::Number`] or [`SenderError::NotInternational`].
    pub fn toll_free(number: &str) -> Result<Self, SenderError> {
        Self::international(SenderKind::TollFree, number)
    }

    /// A short code: 3 to 8 digits.
    ///
    /// ```
    /// # use smsplan_provider::sender::SenderId;
    /// assert!(SenderId::short_code("38100").is_ok());
    /// assert!(SenderId::short_code("12").is_err());
    /// ```
    /// # Errors
    /// [`SenderError::ShortCode`].
    pub fn short_code(digits: &str) -> Result<Self, SenderError> {
        if !(3..=8).contains(&digits.len()) || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(SenderError::ShortCode {
                digits: digits.to_owned(),
            });
        }
        Ok(Self {
            kind: SenderKind::ShortCode,
            value: digits.into(),
        })
    }

    fn international(kind: SenderKind, number: &str) -> Result<Self, SenderError> {
        let parsed = Msisdn::parse(number)?;
        if !parsed.as_str().starts_with('+') {
            return Err(SenderError::NotInternational);
        }
        Ok(Self {
            kind,
            value: number.into(),
        })
    }

    /// The kind of sender.
    #[must_use]
    pub fn kind(&self) -> SenderKind {
        self.kind
    }

    /// The sender as sent to the gateway.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.value
    }

    /// Whether recipients can reply to this sender.
    ///
    /// ```
    /// # use smsplan_provider::sender::{Direction, SenderId};
    /// assert_eq!(SenderId::alphanumeric("Shop")?.direction(), Direction::OneWay);
    /// # Ok::<(), smsplan_provider::sender::SenderError>(())
    /// ```
    #[must_use]
    pub fn direction(&self) -> Direction {
        match self.kind {
            SenderKind::Alphanumeric => Direction::OneWay,
            SenderKind::LongCode | SenderKind::ShortCode | SenderKind::TollFree => {
                Direction::TwoWay
            }
        }
    }
}

impl fmt::Display for SenderId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.value)
    }
}

/// A sending capacity in message parts per second.
///
/// ```
/// use smsplan_provider::sender::Capacity;
/// let c = Capacity::per_second(30)?;
/// assert_eq!(c.parts_per_second().get(), 30);
/// # Ok::<(), smsplan_provider::sender::CapacityError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Capacity(NonZeroU32);

/// A capacity of zero parts per second.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("capacity must be at least 1 part per second")]
pub struct CapacityError;

impl Capacity {
    /// A capacity of `parts` parts per second.
    ///
    /// # Errors
    /// [`CapacityError`] for zero.
    pub fn per_second(parts: u32) -> Result<Self, CapacityError> {
        NonZeroU32::new(parts).map(Self).ok_or(CapacityError)
    }

    /// Parts per second.
    #[must_use]
    pub fn parts_per_second(self) -> NonZeroU32 {
        self.0
    }

    /// The usual capacity of a kind of sender (see the [module docs](self)).
    ///
    /// ```
    /// # use smsplan_provider::sender::{Capacity, SenderKind};
    /// assert_eq!(Capacity::default_for(SenderKind::LongCode).parts_per_second().get(), 1);
    /// ```
    #[must_use]
    pub fn default_for(kind: SenderKind) -> Self {
        let parts = match kind {
            SenderKind::Alphanumeric => NonZeroU32::new(10),
            SenderKind::LongCode => NonZeroU32::new(1),
            SenderKind::ShortCode => NonZeroU32::new(100),
            SenderKind::TollFree => NonZeroU32::new(3),
        };
        Self(parts.unwrap_or(NonZeroU32::MIN))
    }
}

/// A sender identity with its capacity.
///
/// ```
/// use smsplan_provider::sender::{Capacity, Sender, SenderId};
/// let sender = Sender::new(SenderId::short_code("36180")?)
///     .with_capacity(Capacity::per_second(250)?);
/// assert_eq!(sender.capacity().parts_per_second().get(), 250);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sender {
    id: SenderId,
    capacity: Capacity,
}

impl Sender {
    /// A sender with the default capacity of its kind.
    #[must_use]
    pub fn new(id: SenderId) -> Self {
        let capacity = Capacity::default_for(id.kind());
        Self { id, capacity }
    }

    /// Sets the capacity the contract gives.
    #[must_use]
    pub fn with_capacity(mut self, capacity: Capacity) -> Self {
        self.capacity = capacity;
        self
    }

    /// The identity.
    #[must_use]
    pub fn id(&self) -> &SenderId {
        &self.id
    }

    /// Parts per second this sender may send.
    #[must_use]
    pub fn capacity(&self) -> Capacity {
        self.capacity
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alphanumeric_sender_rules() {
        assert!(SenderId::alphanumeric("ElevenChars").is_ok());
        assert!(SenderId::alphanumeric("Café Müller").is_ok());
        assert!(SenderId::alphanumeric("Crème").is_ok());
        assert_eq!(
            SenderId::alphanumeric("Shop€"),
            Err(SenderError::AlphanumericCharacter {
                offset: 4,
                found: '€'
            })
        );
        assert_eq!(
            SenderId::alphanumeric("Ĉapo"),
            Err(SenderError::AlphanumericCharacter {
                offset: 0,
                found: 'Ĉ'
            })
        );
        assert_eq!(
            SenderId::alphanumeric("a[b]"),
            Err(SenderError::AlphanumericCharacter {
                offset: 1,
                found: '['
            })
        );
        assert_eq!(
            SenderId::alphanumeric(""),
            Err(SenderError::AlphanumericLength { len: 0 })
        );
    }

    #[test]
    fn numbers_must_be_international() {
        assert_eq!(
            SenderId::toll_free("18005550100"),
            Err(SenderError::NotInternational)
        );
        assert_eq!(
            SenderId::long_code("+33612345678").unwrap().direction(),
            Direction::TwoWay
        );
    }

    #[test]
    fn zero_capacity_is_refused() {
        assert_eq!(Capacity::per_second(0), Err(CapacityError));
    }
}
