//! Phone numbers as gateways see them, masked in every `Display` and `Debug`.
//!
//! Phone numbers are personal data. Every error, log line or `{:?}` dump that goes
//! through this crate shows `+33 6•• •• •• 78` rather than `+33612345678`, by the one
//! masking rule of `smsplan-core` ([`mask`]). The full number is asked for explicitly, one
//! value at a time: [`Msisdn::as_str`] for the wire, [`Msisdn::unmasked`] for one
//! debugging statement. There is no process-wide switch.

use std::fmt;

use smsplan_core::phone::{MAX_DIGITS, PhoneNumber};
pub use smsplan_core::phone::{Unmasked, mask};

/// Why a text is not a phone number a gateway can address.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NumberError {
    /// The text is empty.
    #[error("empty phone number")]
    Empty,
    /// A character other than a digit (or one leading `+`) appears.
    #[error("phone number: unexpected character at offset {offset}")]
    UnexpectedCharacter {
        /// Offset in characters of the first offending character.
        offset: usize,
    },
    /// Fewer than 3 digits, or more than a valid [`PhoneNumber`] can have
    /// ([`MAX_DIGITS`]: a few regions, such as DE, have valid numbers beyond E.164's 15).
    #[error("phone number: {digits} digits, expected 3 to {MAX_DIGITS}")]
    Length {
        /// How many digits the text holds.
        digits: usize,
    },
}

/// A handset or service number as a gateway addresses it: digits with an optional
/// leading `+` (E.164 when present), 3 to [`MAX_DIGITS`] digits.
///
/// A recipient's number comes from a core [`PhoneNumber`], infallibly
/// (`Msisdn::from(number)`): every valid number is addressable. [`Msisdn::parse`] takes what
/// gateways report (inbound senders, short codes). `Display` and `Debug` mask the number
/// (see the [module docs](self)).
///
/// ```
/// use smsplan_core::phone::{PhoneNumber, Region};
/// use smsplan_provider::number::Msisdn;
/// let n = Msisdn::from(PhoneNumber::parse("06 12 34 56 78", Region::FR)?);
/// assert_eq!(n.as_str(), "+33612345678");
/// assert_eq!(format!("{n:?}"), "Msisdn(+33 6•• •• •• 78)");
/// assert_eq!(n.unmasked().to_string(), "+33612345678");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Msisdn(Box<str>);

impl Msisdn {
    /// Checks the shape of a number as a gateway reports it: an optional `+`, then 3 to
    /// [`MAX_DIGITS`] ASCII digits.
    ///
    /// ```
    /// use smsplan_provider::number::{Msisdn, NumberError};
    /// assert!(Msisdn::parse("36180").is_ok()); // a short code
    /// assert_eq!(Msisdn::parse("+33 6"), Err(NumberError::UnexpectedCharacter { offset: 3 }));
    /// ```
    /// # Errors
    /// [`NumberError`] says which character or how many digits are wrong.
    pub fn parse(text: &str) -> Result<Self, NumberError> {
        if text.is_empty() {
            return Err(NumberError::Empty);
        }
        let digits = text.strip_prefix('+').unwrap_or(text);
        let skipped = text.len() - digits.len();
        if let Some(offset) = digits.chars().position(|c| !c.is_ascii_digit()) {
            return Err(NumberError::UnexpectedCharacter {
                offset: offset + skipped,
            });
        }
        let count = digits.len();
        if !(3..=MAX_DIGITS).contains(&count) {
            return Err(NumberError::Length { digits: count });
        }
        Ok(Self(text.into()))
    }

    /// The number as parsed, unmasked: what goes on the wire.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// A display of the full number for one debugging statement.
    ///
    /// ```
    /// let n = smsplan_provider::number::Msisdn::parse("+14155550143")?;
    /// assert_eq!(format!("{} / {}", n, n.unmasked()), "+1 4• •• •• •• 43 / +14155550143");
    /// # Ok::<(), smsplan_provider::number::NumberError>(())
    /// ```
    #[must_use]
    pub fn unmasked(&self) -> Unmasked<'_> {
        Unmasked::new(&self.0)
    }
}

impl fmt::Display for Msisdn {
    /// The masked number ([`mask`]).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&mask(self.as_str()))
    }
}

impl fmt::Debug for Msisdn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Msisdn({self})")
    }
}

impl std::str::FromStr for Msisdn {
    type Err = NumberError;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::parse(text)
    }
}

impl From<PhoneNumber> for Msisdn {
    /// A valid number is E.164 with at most [`MAX_DIGITS`] digits: always addressable.
    fn from(number: PhoneNumber) -> Self {
        Msisdn(number.as_e164().into())
    }
}

impl From<&PhoneNumber> for Msisdn {
    fn from(number: &PhoneNumber) -> Self {
        Msisdn::from(*number)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use smsplan_core::phone::Region;

    #[test]
    fn a_parsed_phone_number_becomes_the_same_msisdn() {
        let number = PhoneNumber::parse("06 12 34 56 78", Region::FR).unwrap();
        assert_eq!(Msisdn::from(number).unmasked().to_string(), "+33612345678");
    }

    #[test]
    fn a_valid_german_number_of_17_digits_is_addressable() {
        // Once refused: `Msisdn` allowed 15 digits, `PhoneNumber` keeps valid DE numbers of 17.
        let number = PhoneNumber::parse_international("+49301234567890123").unwrap();
        let from = Msisdn::from(number);
        assert_eq!(Msisdn::parse(number.as_e164()), Ok(from.clone()));
        assert_eq!(from.as_str(), "+49301234567890123");
    }

    proptest! {
        #[test]
        fn every_valid_number_converts_to_the_msisdn_its_text_parses_to(
            cc in proptest::sample::select(vec!["1", "7", "33", "39", "44", "49", "352", "971"]),
            national in "[0-9]{4,17}",
        ) {
            if let Ok(number) = PhoneNumber::parse_international(&format!("+{cc}{national}")) {
                let from = Msisdn::from(number);
                prop_assert_eq!(Msisdn::parse(number.as_e164()), Ok(from.clone()));
                prop_assert_eq!(from.as_str(), number.as_e164());
            }
        }
    }

    #[test]
    fn masked_numbers_never_show_middle_digits() {
        for n in [
            "+33612345678",
            "+4915112345678",
            "33612345678",
            "+12025550143",
        ] {
            let parsed = Msisdn::parse(n).unwrap();
            let shown = format!("{parsed} {parsed:?}");
            assert!(!shown.contains("2345"), "{shown}");
        }
    }

    #[test]
    fn parse_reports_offsets_and_lengths() {
        assert_eq!(Msisdn::parse(""), Err(NumberError::Empty));
        assert_eq!(
            Msisdn::parse("+3361234567a"),
            Err(NumberError::UnexpectedCharacter { offset: 11 })
        );
        assert_eq!(Msisdn::parse("+12"), Err(NumberError::Length { digits: 2 }));
        assert_eq!(
            Msisdn::parse("123456789012345678901"),
            Err(NumberError::Length { digits: 21 })
        );
    }
}
