//! Phone numbers as gateways see them, masked in every `Display` and `Debug` by default.
//!
//! Phone numbers are personal data. Every error, log line or `{:?}` dump that goes
//! through this crate shows `+33 6•• •• •• 78` rather than `+33612345678`. Two explicit
//! opt-outs exist for debugging: [`Msisdn::unmasked`] for one value, and
//! [`set_number_display`] with [`NumberDisplay::DangerUnmasked`] for the whole process.

use std::fmt;
use std::sync::atomic::{AtomicU8, Ordering};

/// The dot that replaces a hidden digit.
const MASK: char = '•';

/// How numbers are shown by `Display` and `Debug` of this crate's types.
///
/// ```
/// use smsplan_provider::number::{Msisdn, NumberDisplay, number_display};
/// assert_eq!(number_display(), NumberDisplay::Masked);
/// let n = Msisdn::parse("+33612345678")?;
/// assert_eq!(n.to_string(), "+33 6•• •• •• 78");
/// # Ok::<(), smsplan_provider::number::NumberError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum NumberDisplay {
    /// `+33 6•• •• •• 78`: the country code, the first digit and the last two.
    Masked,
    /// The full number. Only for debugging: logs then hold personal data.
    DangerUnmasked,
}

static DISPLAY: AtomicU8 = AtomicU8::new(0);

/// Chooses how every [`Msisdn`] of this process is displayed from now on.
///
/// The default is [`NumberDisplay::Masked`]; switching to
/// [`NumberDisplay::DangerUnmasked`] is meant for a debugging session, never for
/// production logs.
///
/// ```
/// use smsplan_provider::number::{set_number_display, NumberDisplay};
/// set_number_display(NumberDisplay::Masked);
/// ```
pub fn set_number_display(display: NumberDisplay) {
    let value = match display {
        NumberDisplay::Masked => 0,
        NumberDisplay::DangerUnmasked => 1,
    };
    DISPLAY.store(value, Ordering::Relaxed);
}

/// How numbers are displayed right now (see [`set_number_display`]).
///
/// ```
/// use smsplan_provider::number::{number_display, NumberDisplay};
/// assert_eq!(number_display(), NumberDisplay::Masked);
/// ```
#[must_use]
pub fn number_display() -> NumberDisplay {
    match DISPLAY.load(Ordering::Relaxed) {
        1 => NumberDisplay::DangerUnmasked,
        _ => NumberDisplay::Masked,
    }
}

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
    /// Fewer than 3 or more than 15 digits (E.164 allows at most 15).
    #[error("phone number: {digits} digits, expected 3 to 15")]
    Length {
        /// How many digits the text holds.
        digits: usize,
    },
}

/// A handset or service number as a gateway addresses it: digits with an optional
/// leading `+` (E.164 when present), 3 to 15 digits.
///
/// Parse numbers as people write them with `smsplan-core`'s phone module first; this
/// type only checks the shape a gateway needs, and it hides the number in `Display`
/// and `Debug` (see the [module docs](self)).
///
/// ```
/// use smsplan_provider::number::Msisdn;
/// let n = Msisdn::parse("+33612345678")?;
/// assert_eq!(n.as_str(), "+33612345678");
/// assert_eq!(format!("{n:?}"), "Msisdn(+33 6•• •• •• 78)");
/// assert_eq!(n.unmasked().to_string(), "+33612345678");
/// # Ok::<(), smsplan_provider::number::NumberError>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Msisdn(Box<str>);

impl Msisdn {
    /// Checks the shape of a number: an optional `+`, then 3 to 15 ASCII digits.
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
        if !(3..=15).contains(&count) {
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
    /// assert_eq!(format!("{}", n.unmasked()), "+14155550143");
    /// # Ok::<(), smsplan_provider::number::NumberError>(())
    /// ```
    #[must_use]
    pub fn unmasked(&self) -> Unmasked<'_> {
        Unmasked(self)
    }
}

/// Displays a [`Msisdn`] in full; returned by [`Msisdn::unmasked`].
#[derive(Debug, Clone, Copy)]
pub struct Unmasked<'a>(&'a Msisdn);

impl fmt::Display for Unmasked<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.as_str())
    }
}

impl fmt::Display for Msisdn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match number_display() {
            NumberDisplay::DangerUnmasked => f.write_str(self.as_str()),
            NumberDisplay::Masked => f.write_str(&mask(self.as_str())),
        }
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

/// Masks a number: keeps the country calling code (when the number starts with `+`),
/// the first digit after it and the last two digits; the others become `•`, grouped
/// by two from the right.
///
/// ```
/// use smsplan_provider::number::mask;
/// assert_eq!(mask("+33612345678"), "+33 6•• •• •• 78");
/// assert_eq!(mask("+14155550143"), "+1 4• •• •• •• 43");
/// assert_eq!(mask("36180"), "3•• 80");
/// assert_eq!(mask("12"), "••");
/// ```
#[must_use]
pub fn mask(number: &str) -> String {
    let (prefix, national) = match number.strip_prefix('+') {
        Some(digits) => {
            let cc = country_code_len(digits);
            let at = digits
                .char_indices()
                .nth(cc)
                .map_or(digits.len(), |(i, _)| i);
            let (cc_digits, rest) = digits.split_at(at);
            (format!("+{cc_digits} "), rest)
        }
        None => (String::new(), number),
    };
    let chars: Vec<char> = national.chars().collect();
    let n = chars.len();
    if n < 4 {
        return format!("{prefix}{}", MASK.to_string().repeat(n));
    }
    // Visible: the first digit and the last two.
    let shown: Vec<char> = chars
        .iter()
        .enumerate()
        .map(|(i, c)| if i == 0 || i + 2 >= n { *c } else { MASK })
        .collect();
    // Groups of two from the right; the first group takes the odd digit.
    let first = if n % 2 == 1 { 3 } else { 2 };
    let mut out = prefix;
    for (i, c) in shown.iter().enumerate() {
        if i >= first && (i - first) % 2 == 0 {
            out.push(' ');
        }
        out.push(*c);
    }
    out
}

/// Length of the ITU-T E.164 country calling code at the start of `digits`.
fn country_code_len(digits: &str) -> usize {
    let mut it = digits.chars();
    let (Some(a), Some(b)) = (it.next(), it.next()) else {
        return 1;
    };
    match (a, b) {
        ('1' | '7', _) => 1,
        ('2', '0' | '7') => 2,
        ('3', '0'..='4' | '6' | '9') => 2,
        ('4', '0' | '1' | '3'..='9') => 2,
        ('5', '1'..='8') => 2,
        ('6', '0'..='6') => 2,
        ('8', '1' | '2' | '4' | '6') => 2,
        ('9', '0'..='5' | '8') => 2,
        _ => 3,
    }
}

impl From<smsplan_core::phone::PhoneNumber> for Msisdn {
    /// A parsed number is E.164, which always has the shape of an MSISDN.
    fn from(number: smsplan_core::phone::PhoneNumber) -> Self {
        Msisdn(number.as_e164().into())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_parsed_phone_number_becomes_the_same_msisdn() {
        use smsplan_core::phone::{PhoneNumber, Region};
        let number = PhoneNumber::parse("06 12 34 56 78", Region::FR).unwrap();
        assert_eq!(Msisdn::from(number).unmasked().to_string(), "+33612345678");
    }

    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn masking_any_text_shows_at_most_the_country_code_and_three_digits(text in "\\PC{0,20}") {
            let shown = mask(&text);
            let visible = shown.chars().filter(|c| *c != MASK && *c != ' ').count();
            let input = text.chars().count();
            // The `+`, a country code of at most 3, the first and the last two.
            prop_assert!(visible <= 7.min(input), "{text:?} -> {shown:?}");
        }
    }

    #[test]
    fn masks_the_examples_of_the_issue() {
        assert_eq!(mask("+33612345678"), "+33 6•• •• •• 78");
        assert_eq!(mask("+447700900123"), "+44 7• •• •• •• 23");
        assert_eq!(mask("+352621123456"), "+352 6•• •• •• 56");
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
            Msisdn::parse("1234567890123456"),
            Err(NumberError::Length { digits: 16 })
        );
    }
}
