//! Phone numbers as people write them, kept as E.164: parsing, validation, type and time zones.
//!
//! [`PhoneNumber::parse`] follows libphonenumber's metadata (through the `rlibphonenumber`
//! crate; this file is the only one that knows which library sits underneath). A
//! [`PhoneNumber`] exists only after a successful parse of a *valid* number, so nobody
//! re-checks it. The number → time zones map is libphonenumber's timezone mapper data,
//! generated into `phone/timezones_data.rs` by `tools/gen_phone_timezones.py`.
//!
//! ```
//! use smsplan_core::phone::{NumberKind, PhoneNumber, Region};
//!
//! let n = PhoneNumber::parse("06 12 34 56 78", Region::FR)?;
//! assert_eq!(n.as_e164(), "+33612345678");
//! assert_eq!(n.region(), Some(Region::FR));
//! assert_eq!(n.kind(), NumberKind::Mobile);
//! assert_eq!(n.time_zones(), &[chrono_tz::Tz::Europe__Paris]);
//! # Ok::<(), smsplan_core::phone::PhoneError>(())
//! ```
//!
//! # Numbers are personal data: masked by default
//!
//! `Display` and `Debug` of [`PhoneNumber`] and [`RawNumber`] show `+33 6•• •• •• 78`
//! ([`mask`]): every error message, log line or `{:?}` dump that holds a number masks it.
//! The full number is asked for explicitly, one value at a time: [`PhoneNumber::as_e164`]
//! for data, [`PhoneNumber::unmasked`] for one debugging statement. There is no global
//! switch.
//!
//! ```
//! use smsplan_core::phone::PhoneNumber;
//!
//! let n = PhoneNumber::parse_international("+33612345678")?;
//! assert_eq!(n.to_string(), "+33 6•• •• •• 78");
//! assert_eq!(format!("{n:?}"), "PhoneNumber(+33 6•• •• •• 78)");
//! assert_eq!(n.unmasked().to_string(), "+33612345678");
//! # Ok::<(), smsplan_core::phone::PhoneError>(())
//! ```

use std::fmt;
use std::str::FromStr;

use chrono_tz::Tz;
use rlibphonenumber as lib;

#[rustfmt::skip]
mod timezones_data;

/// The longest number in characters: `+`, a 3-digit country code and libphonenumber's longest
/// national number (17 digits; a few regions, such as DE, have valid numbers beyond E.164's 15).
const E164_MAX: usize = 21;

/// The most digits a [`PhoneNumber`] has: a 3-digit country code and libphonenumber's longest
/// national number (17 digits), 20 in all. Gateway address types that must hold every valid
/// number (the provider's `Msisdn`) use this bound.
pub const MAX_DIGITS: usize = E164_MAX - 1;

/// The dot that replaces a hidden digit.
const MASK: char = '•';

/// Masks a phone number for display: the country calling code (after a `+`), the first digit
/// after it and the last two digits stay; the other digits become `•`.
///
/// A number in E.164 shape (an optional `+`, then ASCII digits) is regrouped by two from the
/// right; any other text (a number as somebody typed it) keeps its other characters in place
/// and shows only its first digit and its last two, so an error can quote a wrong input
/// without revealing it.
///
/// ```
/// use smsplan_core::phone::mask;
/// assert_eq!(mask("+33612345678"), "+33 6•• •• •• 78");
/// assert_eq!(mask("+14155550143"), "+1 4• •• •• •• 43");
/// assert_eq!(mask("36180"), "3•• 80");
/// assert_eq!(mask("12"), "••");
/// assert_eq!(mask("06 12 34 56 78"), "0• •• •• •• 78");
/// assert_eq!(mask("not a number"), "not a number");
/// ```
#[must_use]
pub fn mask(text: &str) -> String {
    let digits = text.strip_prefix('+').unwrap_or(text);
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        mask_digits(text)
    } else {
        mask_typed(text)
    }
}

/// Masks what looks like a phone number inside a free text, such as a parser's message that
/// quotes the input (`invalid type: integer `33612345678``): each run of digits, `+`,
/// spaces and `-.()/` holding at least six digits is masked in place as [`mask`] masks a
/// typed number. Shorter numbers (short codes, years, counts) stay.
///
/// ```
/// use smsplan_core::phone::mask_in_text;
/// assert_eq!(
///     mask_in_text("invalid type: integer `33612345678`, expected a string"),
///     "invalid type: integer `3••••••••78`, expected a string"
/// );
/// assert_eq!(mask_in_text("\"+33 6 12 34 56 78\" at 2 places"), "\"+3• • •• •• •• 78\" at 2 places");
/// assert_eq!(mask_in_text("STOP 36111, line 12"), "STOP 36111, line 12");
/// ```
#[must_use]
pub fn mask_in_text(text: &str) -> String {
    let numberish =
        |c: char| c.is_ascii_digit() || matches!(c, '+' | ' ' | '-' | '.' | '(' | ')' | '/');
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find(|c: char| c.is_ascii_digit() || c == '+') {
        let (before, from) = rest.split_at(start);
        out.push_str(before);
        let len = from.find(|c: char| !numberish(c)).unwrap_or(from.len());
        let (span, after) = from.split_at(len);
        // Trailing separators belong to the text around the number.
        let kept = span.trim_end_matches(|c: char| !c.is_ascii_digit());
        let (number, tail) = span.split_at(kept.len());
        if number.bytes().filter(u8::is_ascii_digit).count() >= 6 {
            out.push_str(&mask_typed(number));
        } else {
            out.push_str(number);
        }
        out.push_str(tail);
        rest = after;
    }
    out.push_str(rest);
    out
}

/// [`mask`] of `+?[0-9]+`.
fn mask_digits(number: &str) -> String {
    let (prefix, national) = match number.strip_prefix('+') {
        Some(digits) => {
            let (cc_digits, rest) = digits.split_at(country_code_len(digits).min(digits.len()));
            (format!("+{cc_digits} "), rest)
        }
        None => (String::new(), number),
    };
    let n = national.len();
    if n < 4 {
        return format!("{prefix}{}", MASK.to_string().repeat(n));
    }
    // Visible: the first digit and the last two; groups of two from the right, the first
    // group takes the odd digit.
    let first = if n % 2 == 1 { 3 } else { 2 };
    let mut out = prefix;
    for (i, c) in national.chars().enumerate() {
        if i >= first && (i - first) % 2 == 0 {
            out.push(' ');
        }
        out.push(if i == 0 || i + 2 >= n { c } else { MASK });
    }
    out
}

/// [`mask`] of any other text: digits hidden in place.
fn mask_typed(text: &str) -> String {
    let count = text.chars().filter(|c| c.is_numeric()).count();
    let mut seen = 0;
    text.chars()
        .map(|c| {
            if !c.is_numeric() {
                return c;
            }
            seen += 1;
            if count >= 4 && (seen == 1 || seen + 2 > count) {
                c
            } else {
                MASK
            }
        })
        .collect()
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

/// Shows a number in full; returned by the explicit opt-outs of masking
/// ([`PhoneNumber::unmasked`], [`RawNumber::unmasked`], the provider's `Msisdn::unmasked`).
///
/// ```
/// let n = smsplan_core::phone::PhoneNumber::parse_international("+14155550143")?;
/// assert_eq!(format!("{}", n.unmasked()), "+14155550143");
/// # Ok::<(), smsplan_core::phone::PhoneError>(())
/// ```
#[derive(Clone, Copy)]
pub struct Unmasked<'a>(&'a str);

impl<'a> Unmasked<'a> {
    /// Shows `number` in full. Meant for the `unmasked()` methods of number types.
    ///
    /// ```
    /// assert_eq!(smsplan_core::phone::Unmasked::new("36180").to_string(), "36180");
    /// ```
    #[must_use]
    pub const fn new(number: &'a str) -> Self {
        Self(number)
    }
}

impl fmt::Display for Unmasked<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl fmt::Debug for Unmasked<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Unmasked").field(&self.0).finish()
    }
}

/// A phone number as somebody typed it, not validated (`"06 12 34 56 78"`, `"not a
/// number"`): what an error about a rejected number quotes. `Display` and `Debug` mask its
/// digits ([`mask`]); [`RawNumber::as_str`] gives the text.
///
/// ```
/// use smsplan_core::phone::RawNumber;
/// let raw = RawNumber::new("06 12 34 56 78");
/// assert_eq!(raw.to_string(), "0• •• •• •• 78");
/// assert_eq!(format!("{raw:?}"), "RawNumber(\"0• •• •• •• 78\")");
/// assert_eq!(raw.as_str(), "06 12 34 56 78");
/// ```
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RawNumber(Box<str>);

impl RawNumber {
    /// Wraps a typed number.
    #[must_use]
    pub fn new(text: impl Into<Box<str>>) -> Self {
        Self(text.into())
    }

    /// The text as typed, unmasked.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// A display of the full text for one debugging statement.
    ///
    /// ```
    /// let raw = smsplan_core::phone::RawNumber::new("0612");
    /// assert_eq!(raw.unmasked().to_string(), "0612");
    /// ```
    #[must_use]
    pub fn unmasked(&self) -> Unmasked<'_> {
        Unmasked(&self.0)
    }
}

impl fmt::Display for RawNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&mask(&self.0))
    }
}

impl fmt::Debug for RawNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("RawNumber").field(&mask(&self.0)).finish()
    }
}

impl From<&str> for RawNumber {
    fn from(text: &str) -> Self {
        Self::new(text)
    }
}

impl From<String> for RawNumber {
    fn from(text: String) -> Self {
        Self::new(text)
    }
}

/// A region: an ISO 3166-1 alpha-2 code that libphonenumber's metadata knows, such as `FR`.
///
/// Built by [`Region::parse`] (case-insensitive) or taken from the constants for common
/// regions; it is always two upper-case ASCII letters with a country calling code.
///
/// ```
/// use smsplan_core::phone::Region;
///
/// let fr: Region = "fr".parse()?;
/// assert_eq!(fr, Region::FR);
/// assert_eq!(fr.as_str(), "FR");
/// assert_eq!(fr.country_code(), 33);
/// # Ok::<(), smsplan_core::phone::RegionError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Region([u8; 2]);

macro_rules! region_consts {
    ($($code:ident),* $(,)?) => {
        impl Region {
            $(
                #[doc = concat!("The region `", stringify!($code), "`.")]
                pub const $code: Region = Region::from_const(stringify!($code));
            )*

            /// Every constant above, for the test that checks them against the metadata.
            #[cfg(test)]
            const CONSTANTS: &[Region] = &[$(Region::$code),*];
        }
    };
}

region_consts!(
    AR, AT, AU, BE, BR, BY, CA, CH, CI, CN, CZ, DE, DK, DZ, ES, FI, FR, GA, GB, GF, GP, GR, HU, IE,
    IL, IN, IT, JP, KZ, LU, MA, MC, MQ, MX, NC, NG, NL, NO, NZ, PF, PL, PM, PT, RE, RO, RU, SE, SN,
    TN, TR, UA, US, YT, ZA,
);

impl Region {
    /// The constants' constructor: their names are two upper-case letters.
    const fn from_const(code: &str) -> Region {
        match code.as_bytes() {
            [a, b] => Region([*a, *b]),
            _ => Region(*b"ZZ"),
        }
    }

    /// Parses a region code: two ASCII letters, any case, that libphonenumber's metadata knows.
    ///
    /// ```
    /// use smsplan_core::phone::Region;
    ///
    /// assert_eq!(Region::parse("gb")?, Region::GB);
    /// assert!(Region::parse("XX").is_err());
    /// assert!(Region::parse("FRA").is_err());
    /// # Ok::<(), smsplan_core::phone::RegionError>(())
    /// ```
    ///
    /// # Errors
    /// [`RegionError::Malformed`] when the code is not two ASCII letters,
    /// [`RegionError::Unknown`] when libphonenumber has no metadata for it.
    pub fn parse(code: &str) -> Result<Self, RegionError> {
        let malformed = || RegionError::Malformed {
            code: code.to_owned(),
        };
        let [a, b] = code.as_bytes() else {
            return Err(malformed());
        };
        if !a.is_ascii_alphabetic() || !b.is_ascii_alphabetic() {
            return Err(malformed());
        }
        let region = Region([a.to_ascii_uppercase(), b.to_ascii_uppercase()]);
        if region.country_code_checked().is_none() {
            return Err(RegionError::Unknown {
                code: code.to_owned(),
            });
        }
        Ok(region)
    }

    /// The code, two upper-case ASCII letters.
    ///
    /// ```
    /// assert_eq!(smsplan_core::phone::Region::US.as_str(), "US");
    /// ```
    pub fn as_str(&self) -> &str {
        // Both bytes are ASCII letters by construction, so this never falls back.
        std::str::from_utf8(&self.0).unwrap_or("ZZ")
    }

    /// The country calling code of the region, such as 33 for France and 1 for the US.
    ///
    /// ```
    /// assert_eq!(smsplan_core::phone::Region::US.country_code(), 1);
    /// ```
    pub fn country_code(&self) -> u16 {
        self.country_code_checked().unwrap_or(0)
    }

    fn country_code_checked(&self) -> Option<u16> {
        let lib_region = self.to_lib()?;
        let code = lib::PHONE_NUMBER_UTIL.get_country_code_for_region(lib_region)?;
        u16::try_from(code).ok()
    }

    fn to_lib(self) -> Option<lib::Region> {
        lib::Region::from_code(self.as_str()).ok()
    }

    fn from_lib(region: lib::Region) -> Option<Self> {
        let code = region.as_region_str();
        let [a, b] = code.as_bytes() else {
            // "001": a non-geographic entity (global network), not a region.
            return None;
        };
        Some(Region([*a, *b]))
    }
}

impl FromStr for Region {
    type Err = RegionError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Region::parse(s)
    }
}

impl fmt::Display for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a region code was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RegionError {
    /// The code is not two ASCII letters.
    #[error("region {code:?} is not two ASCII letters (ISO 3166-1 alpha-2)")]
    Malformed {
        /// The code as given.
        code: String,
    },
    /// The code is well formed but libphonenumber's metadata does not know it.
    #[error("region {code:?} is not a region of the phone number metadata")]
    Unknown {
        /// The code as given.
        code: String,
    },
}

/// The type of a number, as libphonenumber's metadata classifies it.
///
/// [`NumberKind::as_str`] gives the snake_case name used in the wire formats and the CLI.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum NumberKind {
    /// A geographic landline number.
    FixedLine,
    /// A mobile number.
    Mobile,
    /// A number that cannot be told fixed line or mobile (as in the US).
    FixedLineOrMobile,
    /// A toll-free number: free for the caller.
    TollFree,
    /// A premium-rate number: the caller pays more.
    PremiumRate,
    /// A shared-cost number: the cost is split between caller and recipient.
    SharedCost,
    /// A voice over IP number.
    Voip,
    /// A personal number, routed to wherever its owner chooses.
    PersonalNumber,
    /// A pager number.
    Pager,
    /// A universal access number (a company number routed to several offices).
    Uan,
    /// A voicemail access number.
    Voicemail,
    /// A valid number whose type the metadata does not tell.
    Unknown,
}

impl NumberKind {
    /// Every kind, in declaration order.
    pub const ALL: [NumberKind; 12] = [
        NumberKind::FixedLine,
        NumberKind::Mobile,
        NumberKind::FixedLineOrMobile,
        NumberKind::TollFree,
        NumberKind::PremiumRate,
        NumberKind::SharedCost,
        NumberKind::Voip,
        NumberKind::PersonalNumber,
        NumberKind::Pager,
        NumberKind::Uan,
        NumberKind::Voicemail,
        NumberKind::Unknown,
    ];

    /// The snake_case name: `fixed_line`, `mobile`, `fixed_line_or_mobile`, `toll_free`,
    /// `premium_rate`, `shared_cost`, `voip`, `personal_number`, `pager`, `uan`, `voicemail`
    /// or `unknown`.
    ///
    /// ```
    /// assert_eq!(smsplan_core::phone::NumberKind::TollFree.as_str(), "toll_free");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            NumberKind::FixedLine => "fixed_line",
            NumberKind::Mobile => "mobile",
            NumberKind::FixedLineOrMobile => "fixed_line_or_mobile",
            NumberKind::TollFree => "toll_free",
            NumberKind::PremiumRate => "premium_rate",
            NumberKind::SharedCost => "shared_cost",
            NumberKind::Voip => "voip",
            NumberKind::PersonalNumber => "personal_number",
            NumberKind::Pager => "pager",
            NumberKind::Uan => "uan",
            NumberKind::Voicemail => "voicemail",
            NumberKind::Unknown => "unknown",
        }
    }

    /// The kind named by a snake_case name (see [`NumberKind::as_str`]).
    ///
    /// ```
    /// use smsplan_core::phone::NumberKind;
    /// assert_eq!(NumberKind::from_name("voip"), Some(NumberKind::Voip));
    /// assert_eq!(NumberKind::from_name("fax"), None);
    /// ```
    pub fn from_name(name: &str) -> Option<Self> {
        NumberKind::ALL
            .into_iter()
            .find(|kind| kind.as_str() == name)
    }

    fn from_lib(kind: lib::PhoneNumberType) -> Self {
        use lib::PhoneNumberType as T;
        match kind {
            T::FixedLine => NumberKind::FixedLine,
            T::Mobile => NumberKind::Mobile,
            T::FixedLineOrMobile => NumberKind::FixedLineOrMobile,
            T::TollFree => NumberKind::TollFree,
            T::PremiumRate => NumberKind::PremiumRate,
            T::SharedCost => NumberKind::SharedCost,
            T::VoIP => NumberKind::Voip,
            T::PersonalNumber => NumberKind::PersonalNumber,
            T::Pager => NumberKind::Pager,
            T::UAN => NumberKind::Uan,
            T::VoiceMail => NumberKind::Voicemail,
            T::Unknown => NumberKind::Unknown,
        }
    }
}

impl fmt::Display for NumberKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a raw number was rejected: it does not parse, or it parses but is not valid.
///
/// The kinds follow libphonenumber: a parse failure gives its own reason; a parsed number
/// that is not valid gives the reason of `is_possible_number_with_reason` (too short, too
/// long, invalid country code) or else [`PhoneError::InvalidNumber`] (right length, but no
/// number range of the region matches).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum PhoneError {
    /// Not a phone number at all (no digits, letters where digits belong, ...).
    #[error("not a phone number")]
    NotANumber,
    /// The country calling code is unknown, or the number is national and no default region
    /// was given.
    #[error("invalid country calling code")]
    InvalidCountryCode,
    /// Shorter than every number of its region.
    #[error("too short for its region")]
    TooShort,
    /// Longer than every number of its region.
    #[error("too long for its region")]
    TooLong,
    /// A possible length, but not a number of any range of its region.
    #[error("not a valid number for its region")]
    InvalidNumber,
}

impl PhoneError {
    /// The snake_case kind: `not_a_number`, `invalid_country_code`, `too_short`, `too_long`
    /// or `invalid_number`.
    ///
    /// ```
    /// assert_eq!(smsplan_core::phone::PhoneError::TooLong.kind(), "too_long");
    /// ```
    pub fn kind(self) -> &'static str {
        match self {
            PhoneError::NotANumber => "not_a_number",
            PhoneError::InvalidCountryCode => "invalid_country_code",
            PhoneError::TooShort => "too_short",
            PhoneError::TooLong => "too_long",
            PhoneError::InvalidNumber => "invalid_number",
        }
    }

    fn from_parse(error: &lib::ParseError) -> Self {
        match error {
            lib::ParseError::InvalidCountryCode => PhoneError::InvalidCountryCode,
            lib::ParseError::NotANumber(_) => PhoneError::NotANumber,
            lib::ParseError::TooShortAfterIdd | lib::ParseError::TooShortNsn => {
                PhoneError::TooShort
            }
            lib::ParseError::TooLongNsn => PhoneError::TooLong,
        }
    }

    fn from_invalid(util: &lib::PhoneNumberUtil, number: &lib::PhoneNumber) -> Self {
        match util.is_possible_number_with_reason(number) {
            Err(lib::ValidationError::InvalidCountryCode) => PhoneError::InvalidCountryCode,
            Err(lib::ValidationError::TooShort) => PhoneError::TooShort,
            Err(lib::ValidationError::TooLong) => PhoneError::TooLong,
            Err(lib::ValidationError::InvalidLength) | Ok(_) => PhoneError::InvalidNumber,
        }
    }
}

/// A valid phone number, kept as E.164 (`+` and the digits), with its region, type and
/// time zones worked out once at parse time.
///
/// `Display` and `Debug` mask it ([`mask`]); [`PhoneNumber::as_e164`] gives the number and
/// [`PhoneNumber::unmasked`] displays it in full.
///
/// It comes only from [`PhoneNumber::parse`] (or [`PhoneNumber::parse_international`]), so
/// holding one means the number is valid under libphonenumber's metadata. It is small and
/// `Copy` (no heap allocation). Equality, ordering and hashing follow the E.164 text.
///
/// ```
/// use smsplan_core::phone::{NumberKind, PhoneNumber, Region};
///
/// let n = PhoneNumber::parse("+7 800 555-35-35", Region::FR)?;
/// assert_eq!(n.as_e164(), "+78005553535");
/// assert_eq!(n.kind(), NumberKind::TollFree);
/// assert_eq!(n.to_string(), "+7 8• •• •• •• 35"); // masked: see the module docs
/// # Ok::<(), smsplan_core::phone::PhoneError>(())
/// ```
#[derive(Clone, Copy)]
pub struct PhoneNumber {
    e164: [u8; E164_MAX],
    len: u8,
    country_code: u16,
    region: Option<Region>,
    kind: NumberKind,
    /// Index into `timezones_data::ZONE_SETS`, or `NO_ZONES`.
    zones: u16,
}

const NO_ZONES: u16 = u16::MAX;

impl PhoneNumber {
    /// Parses a number as people write it, reading national numbers in `default_region`.
    ///
    /// Spaces, dots, dashes, parentheses, a leading `+` or the region's international prefix
    /// (`00` in most of the world) are accepted; an explicit country code wins over the
    /// default region, whose trunk prefix is then left alone.
    ///
    /// ```
    /// use smsplan_core::phone::{PhoneNumber, PhoneError, Region};
    ///
    /// assert_eq!(PhoneNumber::parse("0033 6.12.34.56.78", Region::FR)?.as_e164(), "+33612345678");
    /// assert_eq!(PhoneNumber::parse("(212) 555-0100", Region::US)?.as_e164(), "+12125550100");
    /// assert_eq!(PhoneNumber::parse("06 12 34", Region::FR), Err(PhoneError::TooShort));
    /// # Ok::<(), PhoneError>(())
    /// ```
    ///
    /// # Errors
    /// A [`PhoneError`] saying why the text is not a valid number.
    pub fn parse(raw: &str, default_region: Region) -> Result<Self, PhoneError> {
        Self::parse_in(&lib::PHONE_NUMBER_UTIL, raw, default_region.to_lib())
    }

    /// Parses a number written with its country code (`+` first), without a default region.
    ///
    /// ```
    /// use smsplan_core::phone::{PhoneNumber, PhoneError};
    ///
    /// assert_eq!(PhoneNumber::parse_international("+44 20 7946 0958")?.as_e164(), "+442079460958");
    /// assert_eq!(
    ///     PhoneNumber::parse_international("020 7946 0958"),
    ///     Err(PhoneError::InvalidCountryCode)
    /// );
    /// # Ok::<(), PhoneError>(())
    /// ```
    ///
    /// # Errors
    /// A [`PhoneError`]; a national number gives [`PhoneError::InvalidCountryCode`].
    pub fn parse_international(raw: &str) -> Result<Self, PhoneError> {
        Self::parse_in(&lib::PHONE_NUMBER_UTIL, raw, None)
    }

    fn parse_in(
        util: &lib::PhoneNumberUtil,
        raw: &str,
        region: Option<lib::Region>,
    ) -> Result<Self, PhoneError> {
        let parsed = util
            .parse(raw, region)
            .map_err(|e| PhoneError::from_parse(&e))?;
        // libphonenumber's isValidNumber is "its region's metadata gives it a type": asking
        // the type once answers both (the parity corpus checks the equivalence).
        let kind = NumberKind::from_lib(util.get_number_type(&parsed));
        if kind == NumberKind::Unknown {
            return Err(PhoneError::from_invalid(util, &parsed));
        }
        let formatted = util.format(&parsed, lib::PhoneNumberFormat::E164);
        let bytes = formatted.as_bytes();
        let mut e164 = [0_u8; E164_MAX];
        let (Some(slot), Ok(len)) = (e164.get_mut(..bytes.len()), u8::try_from(bytes.len())) else {
            return Err(PhoneError::TooLong);
        };
        slot.copy_from_slice(bytes);
        let country_code =
            u16::try_from(parsed.country_code).map_err(|_| PhoneError::InvalidCountryCode)?;
        let region = util
            .get_region_for_number(&parsed)
            .and_then(Region::from_lib);
        let zones = if is_geographical(kind, country_code) {
            zone_set_for_digits(bytes.get(1..).unwrap_or_default())
        } else {
            zone_set_for_country_code(country_code)
        };
        Ok(PhoneNumber {
            e164,
            len,
            country_code,
            region,
            kind,
            zones,
        })
    }

    /// The number in E.164: `+`, the country code and the national number, digits only.
    ///
    /// ```
    /// let n = smsplan_core::phone::PhoneNumber::parse_international("+1 (212) 555-0100")?;
    /// assert_eq!(n.as_e164(), "+12125550100");
    /// # Ok::<(), smsplan_core::phone::PhoneError>(())
    /// ```
    pub fn as_e164(&self) -> &str {
        // Written from a `str` at parse time and cut at its length: always UTF-8.
        std::str::from_utf8(self.bytes()).unwrap_or_default()
    }

    /// A display of the full number for one debugging statement (`Display` masks it).
    ///
    /// ```
    /// let n = smsplan_core::phone::PhoneNumber::parse_international("+33612345678")?;
    /// assert_eq!(format!("{} {}", n, n.unmasked()), "+33 6•• •• •• 78 +33612345678");
    /// # Ok::<(), smsplan_core::phone::PhoneError>(())
    /// ```
    #[must_use]
    pub fn unmasked(&self) -> Unmasked<'_> {
        Unmasked(self.as_e164())
    }

    /// The country calling code, such as 33.
    ///
    /// ```
    /// let n = smsplan_core::phone::PhoneNumber::parse_international("+33612345678")?;
    /// assert_eq!(n.country_code(), 33);
    /// # Ok::<(), smsplan_core::phone::PhoneError>(())
    /// ```
    pub fn country_code(&self) -> u16 {
        self.country_code
    }

    /// The region the number belongs to; `None` for the non-geographic entities of the
    /// global networks (`+800` international freephone, `+882` and `+883` satellite and
    /// carrier networks, ...).
    ///
    /// ```
    /// use smsplan_core::phone::{PhoneNumber, Region};
    ///
    /// // +1 is shared: the number decides the region.
    /// assert_eq!(PhoneNumber::parse_international("+1 416 555 0199")?.region(), Some(Region::CA));
    /// assert_eq!(PhoneNumber::parse_international("+800 1234 5678")?.region(), None);
    /// # Ok::<(), smsplan_core::phone::PhoneError>(())
    /// ```
    pub fn region(&self) -> Option<Region> {
        self.region
    }

    /// The type of the number.
    ///
    /// ```
    /// use smsplan_core::phone::{NumberKind, PhoneNumber};
    ///
    /// let n = PhoneNumber::parse_international("+39 02 1234 5678")?;
    /// assert_eq!(n.kind(), NumberKind::FixedLine);
    /// # Ok::<(), smsplan_core::phone::PhoneError>(())
    /// ```
    pub fn kind(&self) -> NumberKind {
        self.kind
    }

    /// The IANA time zones the number may be in, from libphonenumber's timezone mapper.
    ///
    /// Geographic numbers (fixed lines, and mobiles in the few countries whose mobile ranges
    /// are geographic) are looked up by their longest known prefix; other types get their
    /// country's zones. A number can map to several zones (the caller must then respect all
    /// of them) or to none (non-geographic entities such as `+800`).
    ///
    /// ```
    /// use chrono_tz::Tz;
    /// use smsplan_core::phone::PhoneNumber;
    ///
    /// let ny = PhoneNumber::parse_international("+1 212 555 0100")?;
    /// assert_eq!(ny.time_zones(), &[Tz::America__New_York]);
    /// let freephone = PhoneNumber::parse_international("+800 1234 5678")?;
    /// assert!(freephone.time_zones().is_empty());
    /// # Ok::<(), smsplan_core::phone::PhoneError>(())
    /// ```
    pub fn time_zones(&self) -> &'static [Tz] {
        timezones_data::ZONE_SETS
            .get(usize::from(self.zones))
            .copied()
            .unwrap_or_default()
    }
}

/// A parser with its own copy of libphonenumber's compiled patterns.
///
/// [`PhoneNumber::parse`] uses one parser shared by the process. The pattern caches of the
/// regex engine serve the thread that used them first fastest; any other thread takes a
/// slower path (measured: about twice slower). A thread that parses many numbers, such as a
/// worker of [`crate::audience::resolve_parallel`], runs faster with its own parser.
/// Creating one costs milliseconds and its patterns compile on first use, so keep it for
/// batches of tens of thousands of numbers. The numbers parsed are the same either way.
///
/// ```
/// use smsplan_core::phone::{PhoneNumber, PhoneParser, Region};
///
/// let parser = PhoneParser::new();
/// let n = parser.parse("06 12 34 56 78", Region::FR)?;
/// assert_eq!(n, PhoneNumber::parse("+33 6 12 34 56 78", Region::US)?);
/// # Ok::<(), smsplan_core::phone::PhoneError>(())
/// ```
pub struct PhoneParser {
    /// `None`: the shared parser.
    own: Option<Box<lib::PhoneNumberUtil>>,
}

impl PhoneParser {
    /// A parser with its own patterns (the shared one if the metadata fails to load, which
    /// would be a bug of the bundled metadata).
    pub fn new() -> Self {
        PhoneParser {
            own: lib::PhoneNumberUtil::new().ok().map(Box::new),
        }
    }

    /// The parser shared by the process, as used by [`PhoneNumber::parse`].
    ///
    /// ```
    /// use smsplan_core::phone::{PhoneParser, Region};
    /// assert!(PhoneParser::shared().parse("0612345678", Region::FR).is_ok());
    /// ```
    pub fn shared() -> Self {
        PhoneParser { own: None }
    }

    fn util(&self) -> &lib::PhoneNumberUtil {
        self.own.as_deref().unwrap_or(&lib::PHONE_NUMBER_UTIL)
    }

    /// [`PhoneNumber::parse`] with this parser.
    ///
    /// # Errors
    /// A [`PhoneError`] saying why the text is not a valid number.
    pub fn parse(&self, raw: &str, default_region: Region) -> Result<PhoneNumber, PhoneError> {
        PhoneNumber::parse_in(self.util(), raw, default_region.to_lib())
    }

    /// [`PhoneNumber::parse_international`] with this parser.
    ///
    /// ```
    /// let parser = smsplan_core::phone::PhoneParser::new();
    /// assert_eq!(parser.parse_international("+1 212 555 0100")?.as_e164(), "+12125550100");
    /// # Ok::<(), smsplan_core::phone::PhoneError>(())
    /// ```
    ///
    /// # Errors
    /// A [`PhoneError`]; a national number gives [`PhoneError::InvalidCountryCode`].
    pub fn parse_international(&self, raw: &str) -> Result<PhoneNumber, PhoneError> {
        PhoneNumber::parse_in(self.util(), raw, None)
    }
}

impl Default for PhoneParser {
    /// The shared parser.
    fn default() -> Self {
        PhoneParser::shared()
    }
}

impl fmt::Debug for PhoneParser {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let which = if self.own.is_some() { "own" } else { "shared" };
        f.debug_tuple("PhoneParser").field(&which).finish()
    }
}

/// Whether libphonenumber locates a number of this kind by its prefix: fixed lines, and
/// mobiles in the countries whose mobile ranges are geographic (libphonenumber's
/// `GEO_MOBILE_COUNTRIES`: Mexico, Argentina, Brazil, Indonesia, China). Computed here rather
/// than asked (`isNumberGeographical` would classify the number a second time).
fn is_geographical(kind: NumberKind, country_code: u16) -> bool {
    const GEO_MOBILE_COUNTRIES: [u16; 5] = [52, 54, 55, 62, 86];
    match kind {
        NumberKind::FixedLine | NumberKind::FixedLineOrMobile => true,
        NumberKind::Mobile => GEO_MOBILE_COUNTRIES.contains(&country_code),
        _ => false,
    }
}

/// The zone set of the longest prefix of `digits` (E.164 without `+`) in the table.
fn zone_set_for_digits(digits: &[u8]) -> u16 {
    let mut value: u32 = 0;
    let mut prefixes = [0_u32; timezones_data::LONGEST_PREFIX];
    let mut count = 0;
    for (slot, digit) in prefixes.iter_mut().zip(digits) {
        value = value * 10 + u32::from(digit.wrapping_sub(b'0'));
        *slot = value;
        count += 1;
    }
    prefixes
        .get(..count)
        .unwrap_or_default()
        .iter()
        .rev()
        .find_map(|prefix| lookup(*prefix))
        .unwrap_or(NO_ZONES)
}

fn zone_set_for_country_code(country_code: u16) -> u16 {
    lookup(u32::from(country_code)).unwrap_or(NO_ZONES)
}

fn lookup(prefix: u32) -> Option<u16> {
    let table = timezones_data::PREFIXES;
    let at = table.binary_search_by_key(&prefix, |(p, _)| *p).ok()?;
    table.get(at).map(|(_, set)| *set)
}

impl PhoneNumber {
    fn bytes(&self) -> &[u8] {
        self.e164.get(..usize::from(self.len)).unwrap_or_default()
    }
}

impl PartialEq for PhoneNumber {
    fn eq(&self, other: &Self) -> bool {
        self.bytes() == other.bytes()
    }
}

impl Eq for PhoneNumber {}

impl std::hash::Hash for PhoneNumber {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.bytes().hash(state);
    }
}

impl PartialOrd for PhoneNumber {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for PhoneNumber {
    /// The order of the E.164 texts.
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.bytes().cmp(other.bytes())
    }
}

impl fmt::Debug for PhoneNumber {
    /// `PhoneNumber(+33 6•• •• •• 78)`: masked, as `Display`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PhoneNumber({self})")
    }
}

impl fmt::Display for PhoneNumber {
    /// The masked number (`+33 6•• •• •• 78`); see [`PhoneNumber::unmasked`].
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&mask(self.as_e164()))
    }
}

impl FromStr for PhoneNumber {
    type Err = PhoneError;

    /// Parses an international number; see [`PhoneNumber::parse_international`].
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        PhoneNumber::parse_international(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ru_toll_free_keeps_its_trunk_digit() {
        let n = PhoneNumber::parse("+78005553535", Region::RU).unwrap();
        assert_eq!(n.as_e164(), "+78005553535");
        assert_eq!(n.kind(), NumberKind::TollFree);
        let national = PhoneNumber::parse("8 800 555 35 35", Region::RU).unwrap();
        assert_eq!(national, n);
    }

    #[test]
    fn by_toll_free_keeps_its_trunk_digit() {
        let n = PhoneNumber::parse("+375 801 123 4567", Region::FR).unwrap();
        assert_eq!(n.as_e164(), "+3758011234567");
        assert_eq!(n.region(), Some(Region::BY));
        assert_eq!(n.kind(), NumberKind::TollFree);
    }

    #[test]
    fn numbers_with_a_leading_zero_are_typed() {
        let milan = PhoneNumber::parse("02 1234 5678", Region::IT).unwrap();
        assert_eq!(milan.as_e164(), "+390212345678");
        assert_eq!(milan.kind(), NumberKind::FixedLine);
        let gabon = PhoneNumber::parse("+241 06 03 12 34", Region::FR).unwrap();
        assert_eq!(gabon.as_e164(), "+24106031234");
        assert_eq!(gabon.kind(), NumberKind::Mobile);
    }

    #[test]
    fn default_region_trunk_prefix_is_not_stripped_after_a_country_code() {
        // FR's trunk prefix is 0; after +39 the 0 belongs to the Italian number.
        let n = PhoneNumber::parse("+39 02 1234 5678", Region::FR).unwrap();
        assert_eq!(n.as_e164(), "+390212345678");
        assert_eq!(n.region(), Some(Region::IT));
        // RU's trunk prefix is 8; after +375 the 8 stays.
        let by = PhoneNumber::parse("+375 801 123 4567", Region::RU).unwrap();
        assert_eq!(by.as_e164(), "+3758011234567");
    }

    #[test]
    fn too_long_israeli_number_is_rejected() {
        // python phonenumbers 9.0.43: parses, not valid, length "possible" -> invalid_number.
        assert_eq!(
            PhoneNumber::parse("+97233142764978", Region::IL),
            Err(PhoneError::InvalidNumber)
        );
        assert!(PhoneNumber::parse_international("+97233142764978").is_err());
    }

    #[test]
    fn error_kinds_follow_libphonenumber() {
        assert_eq!(
            PhoneNumber::parse("hello", Region::FR),
            Err(PhoneError::NotANumber)
        );
        assert_eq!(
            PhoneNumber::parse("", Region::FR),
            Err(PhoneError::NotANumber)
        );
        assert_eq!(
            PhoneNumber::parse("+999 1234 5678", Region::FR),
            Err(PhoneError::InvalidCountryCode)
        );
        assert_eq!(
            PhoneNumber::parse("06 12", Region::FR),
            Err(PhoneError::TooShort)
        );
        assert_eq!(
            PhoneNumber::parse("06 12 34 56 78 90", Region::FR),
            Err(PhoneError::TooLong)
        );
        assert_eq!(
            PhoneNumber::parse("01 00 00 00 00 0", Region::FR),
            Err(PhoneError::TooLong)
        );
    }

    #[test]
    fn region_parse_is_case_insensitive_and_checked() {
        assert_eq!(Region::parse("fr"), Ok(Region::FR));
        assert!(matches!(
            Region::parse("F1"),
            Err(RegionError::Malformed { .. })
        ));
        assert!(matches!(
            Region::parse(""),
            Err(RegionError::Malformed { .. })
        ));
        assert!(matches!(
            Region::parse("é"),
            Err(RegionError::Malformed { .. })
        ));
        assert!(matches!(
            Region::parse("XX"),
            Err(RegionError::Unknown { .. })
        ));
    }

    #[test]
    fn region_constants_are_known_regions() {
        assert!(Region::CONSTANTS.len() > 50);
        for &region in Region::CONSTANTS {
            assert_eq!(Region::parse(region.as_str()), Ok(region));
            assert_ne!(region.country_code(), 0);
        }
    }

    #[test]
    fn zones_use_the_longest_prefix() {
        // 1208201 maps to Denver only, 1208 to Boise and Los Angeles.
        let denver = PhoneNumber::parse_international("+1 208 201 0000").unwrap();
        assert_eq!(denver.time_zones(), &[Tz::America__Denver]);
        let idaho = PhoneNumber::parse_international("+1 208 555 1234").unwrap();
        assert_eq!(
            idaho.time_zones(),
            &[Tz::America__Boise, Tz::America__Los_Angeles]
        );
        // Mexico's mobile ranges are geographic: looked up by prefix, not country.
        let mexico = PhoneNumber::parse_international("+52 55 1234 5678").unwrap();
        assert_eq!(mexico.time_zones(), &[Tz::America__Mexico_City]);
        // A Russian toll-free number is not geographic: all of Russia's zones.
        let ru = PhoneNumber::parse_international("+7 800 555 35 35").unwrap();
        assert!(ru.time_zones().len() > 10);
        assert!(ru.time_zones().contains(&Tz::Europe__Moscow));
    }

    /// Whether `text` shows four consecutive digits of `number` (masking shows at most the
    /// country code, then one digit, then the last two).
    pub(crate) fn leaks(text: &str, number: &str) -> bool {
        let digits: Vec<char> = number.chars().filter(char::is_ascii_digit).collect();
        let runs: Vec<String> = text
            .split(|c: char| !c.is_ascii_digit())
            .filter(|run| run.len() >= 4)
            .map(str::to_owned)
            .collect();
        digits.windows(4).any(|w| {
            let w: String = w.iter().collect();
            runs.iter().any(|run| run.contains(&w))
        })
    }

    #[test]
    fn numbers_display_masked_and_unmasked_on_request() {
        for raw in [
            "+33612345678",
            "+49301234567890123",
            "+12025550143",
            "+78005553535",
        ] {
            let n = PhoneNumber::parse_international(raw).unwrap();
            let shown = format!("{n} {n:?}");
            assert!(!leaks(&shown, raw), "{shown}");
            assert_eq!(n.unmasked().to_string(), raw);
            assert_eq!(format!("{:?}", n.unmasked()), format!("Unmasked({raw:?})"));
        }
        let raw = RawNumber::new("+49 151 2345 6789 012");
        let shown = format!("{raw} {raw:?}");
        assert!(!leaks(&shown, raw.as_str()), "{shown}");
        assert_eq!(raw.unmasked().to_string(), raw.as_str());
    }

    #[test]
    fn a_german_number_of_17_digits_is_valid_and_fits_max_digits() {
        let n = PhoneNumber::parse_international("+49301234567890123").unwrap();
        let digits = n.as_e164().len() - 1;
        assert_eq!(digits, 17);
        assert!(digits <= MAX_DIGITS);
    }

    #[test]
    fn masks_the_examples_of_the_issue() {
        assert_eq!(mask("+33612345678"), "+33 6•• •• •• 78");
        assert_eq!(mask("+447700900123"), "+44 7• •• •• •• 23");
        assert_eq!(mask("+352621123456"), "+352 6•• •• •• 56");
        assert_eq!(mask(""), "");
        assert_eq!(mask("+"), "+");
        assert_eq!(mask("+33 612"), "+3• •12");
        assert_eq!(mask("+33 6"), "+•• •");
    }

    #[test]
    fn numbers_inside_a_text_are_masked_and_the_rest_kept() {
        let text = "contacts[3].phone: invalid type: integer `33612345678`, expected a string";
        assert!(!leaks(&mask_in_text(text), "33612345678"));
        assert!(mask_in_text(text).starts_with("contacts[3].phone: invalid type: integer `3"));
        for text in ["", "+", "no digits", "12345 and 2026", "a+b", "(1)"] {
            assert_eq!(mask_in_text(text), text);
        }
        assert_eq!(mask_in_text("call 06.12.34.56.78."), "call 0•.••.••.••.78.");
    }

    proptest::proptest! {
        #[test]
        fn a_number_written_in_any_text_does_not_leak(
            before in "[a-z `\"]{0,8}",
            number in "\\+?[1-9][0-9]{7,14}",
            after in "[a-z `\",]{0,8}",
        ) {
            let shown = mask_in_text(&format!("{before}{number}{after}"));
            proptest::prop_assert!(!leaks(&shown, &number), "{shown}");
            proptest::prop_assert!(shown.starts_with(&before) && shown.ends_with(&after));
        }

        #[test]
        fn masking_any_text_shows_at_most_the_country_code_and_three_digits(text in "\\PC{0,24}") {
            let shown = mask(&text);
            let visible = shown.chars().filter(|c| c.is_numeric()).count();
            let digits = text.chars().filter(|c| c.is_numeric()).count();
            // A country code of at most 3 digits, the first digit and the last two.
            proptest::prop_assert!(visible <= 6.min(digits), "{text:?} -> {shown:?}");
            proptest::prop_assert!(!leaks(&shown, &text), "{text:?} -> {shown:?}");
        }

        #[test]
        fn masking_a_valid_number_never_shows_its_middle(national in "[1-9][0-9]{7,12}", cc in proptest::sample::select(vec!["1", "33", "44", "49", "352", "7"])) {
            let raw = format!("+{cc}{national}");
            if let Ok(n) = PhoneNumber::parse_international(&raw) {
                let shown = format!("{n} {n:?}");
                proptest::prop_assert!(!leaks(&shown, n.as_e164()), "{shown}");
            }
        }
    }

    #[test]
    fn kind_names_round_trip() {
        for kind in NumberKind::ALL {
            assert_eq!(NumberKind::from_name(kind.as_str()), Some(kind));
        }
    }
}
