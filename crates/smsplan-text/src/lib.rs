//! The fragment encoder of smsplan: how many parts (segments) an SMS is billed for, and the
//! parts themselves, following the alphabets of 3GPP TS 23.038 and the concatenation of
//! TS 23.040.
//!
//! A message is written in the GSM 7-bit default alphabet when every character is in it or
//! in its extension table (extension characters cost two septets), and in UCS-2 (UTF-16,
//! characters outside the BMP as surrogate pairs) otherwise. A single part holds 160 septets
//! or 70 UTF-16 units; a concatenated part loses room to its user data header: 153 / 67 with
//! an 8-bit reference, 152 / 66 with a 16-bit one. National language tables (TS 23.038
//! Annex A) can be allowed; each costs its information element in every part.
//!
//! ```
//! use smsplan_text::{analyze, Encoding, Options};
//!
//! let report = analyze("Hi Ana, -20% on everything today. STOP 36111", &Options::default())?;
//! assert_eq!(report.encoding, Encoding::Gsm7);
//! assert_eq!(report.segments, 1);
//! assert_eq!(report.remaining, 160 - 44);
//!
//! let report = analyze("Soldes d'hiver 🎉", &Options::default())?;
//! assert_eq!(report.encoding, Encoding::Ucs2);
//! assert_eq!(report.non_gsm[0].ch, '🎉');
//! assert_eq!(report.non_gsm[0].offset, 15);
//! # Ok::<(), smsplan_text::TextError>(())
//! ```
//!
//! | item | what it does |
//! |---|---|
//! | [`analyze`] | encoding, parts, units, room left, the characters that forced UCS-2 |
//! | [`split`] | the text of each part, never cutting an escape or a surrogate pair |
//! | [`encode`], [`decode`], [`parse_user_data`] | user data headers and payloads, and back |
//! | [`smart_encode`] | explicit, reversible GSM look-alikes for curly quotes, dashes, ... |
//! | [`money`] | exact decimal prices, for [`Analysis::cost`] |
//!
//! The crate is `no_std` (it needs `alloc`) and depends on `unicode-segmentation` and
//! `thiserror` only, so a web form, a fuzz target or a benchmark can count fragments without
//! the rest of smsplan; `smsplan-core` re-exports it as `smsplan_core::text` (and
//! `smsplan_core::money`).
//!
//! What this crate does not do: it does not send anything (see `smsplan-provider`), and it
//! never rewrites text silently: the look-alike replacement of [`smart_encode`] is a separate,
//! explicit and reversible step.
#![cfg_attr(not(test), no_std)]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![warn(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

extern crate alloc;

mod decode;
mod gsm;
pub mod money;
mod smart;
#[rustfmt::skip]
mod tables;

use alloc::borrow::ToOwned;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;
use core::fmt;

use unicode_segmentation::UnicodeSegmentation;

pub use decode::{DecodeError, decode, parse_user_data};
pub use smart::{Replacement, SmartText, smart_encode};

use gsm::{Alphabet, Septets};

/// The most parts a concatenated message can have (TS 23.040 §9.2.3.24.1: one octet).
pub const MAX_SEGMENTS: usize = 255;

/// The octets of an SMS user data field.
const USER_DATA_OCTETS: usize = 140;

/// The character set a message is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Encoding {
    /// GSM 7-bit: the default alphabet, or national tables when [`Analysis::national`] says so.
    Gsm7,
    /// UCS-2 (UTF-16 big-endian; surrogate pairs for characters outside the BMP).
    Ucs2,
}

impl Encoding {
    /// Every encoding, in declaration order.
    pub const ALL: [Encoding; 2] = [Encoding::Gsm7, Encoding::Ucs2];

    /// The name used in reports and wire formats: `"gsm7"` or `"ucs2"`.
    ///
    /// ```
    /// assert_eq!(smsplan_text::Encoding::Ucs2.as_str(), "ucs2");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Gsm7 => "gsm7",
            Self::Ucs2 => "ucs2",
        }
    }

    /// The TP-Data-Coding-Scheme octet for this encoding (TS 23.038 §4, general data coding,
    /// no message class): `0x00` for GSM 7-bit, `0x08` for UCS-2.
    pub fn data_coding(self) -> u8 {
        match self {
            Self::Gsm7 => 0x00,
            Self::Ucs2 => 0x08,
        }
    }
}

impl fmt::Display for Encoding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A national language of TS 23.038 Annex A, by its national language identifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Language {
    /// Turkish (identifier 1): locking-shift and single-shift tables.
    Turkish,
    /// Spanish (identifier 2): a single-shift table only.
    Spanish,
    /// Portuguese (identifier 3): locking-shift and single-shift tables.
    Portuguese,
    /// Bengali (identifier 4).
    Bengali,
    /// Gujarati (identifier 5).
    Gujarati,
    /// Hindi (identifier 6).
    Hindi,
    /// Kannada (identifier 7).
    Kannada,
    /// Malayalam (identifier 8).
    Malayalam,
    /// Oriya (identifier 9).
    Oriya,
    /// Punjabi (identifier 10).
    Punjabi,
    /// Tamil (identifier 11).
    Tamil,
    /// Telugu (identifier 12).
    Telugu,
    /// Urdu (identifier 13).
    Urdu,
}

impl Language {
    /// Every language, in identifier order.
    pub const ALL: [Language; 13] = [
        Self::Turkish,
        Self::Spanish,
        Self::Portuguese,
        Self::Bengali,
        Self::Gujarati,
        Self::Hindi,
        Self::Kannada,
        Self::Malayalam,
        Self::Oriya,
        Self::Punjabi,
        Self::Tamil,
        Self::Telugu,
        Self::Urdu,
    ];

    /// The national language identifier carried in the shift information elements.
    pub fn id(self) -> u8 {
        match self {
            Self::Turkish => 1,
            Self::Spanish => 2,
            Self::Portuguese => 3,
            Self::Bengali => 4,
            Self::Gujarati => 5,
            Self::Hindi => 6,
            Self::Kannada => 7,
            Self::Malayalam => 8,
            Self::Oriya => 9,
            Self::Punjabi => 10,
            Self::Tamil => 11,
            Self::Telugu => 12,
            Self::Urdu => 13,
        }
    }

    /// The language with national language identifier `id`, if any.
    ///
    /// ```
    /// use smsplan_text::Language;
    /// assert_eq!(Language::from_id(3), Some(Language::Portuguese));
    /// assert_eq!(Language::from_id(0), None);
    /// ```
    pub fn from_id(id: u8) -> Option<Self> {
        Self::ALL.into_iter().find(|l| l.id() == id)
    }

    /// The ISO 639-1 code: `"tr"`, `"es"`, `"pt"`, `"bn"`, `"gu"`, `"hi"`, `"kn"`, `"ml"`,
    /// `"or"`, `"pa"`, `"ta"`, `"te"`, `"ur"`.
    pub fn code(self) -> &'static str {
        match self {
            Self::Turkish => "tr",
            Self::Spanish => "es",
            Self::Portuguese => "pt",
            Self::Bengali => "bn",
            Self::Gujarati => "gu",
            Self::Hindi => "hi",
            Self::Kannada => "kn",
            Self::Malayalam => "ml",
            Self::Oriya => "or",
            Self::Punjabi => "pa",
            Self::Tamil => "ta",
            Self::Telugu => "te",
            Self::Urdu => "ur",
        }
    }

    /// The language with ISO 639-1 code `code` (lowercase), if TS 23.038 has tables for it.
    ///
    /// ```
    /// use smsplan_text::Language;
    /// assert_eq!(Language::from_code("tr"), Some(Language::Turkish));
    /// assert_eq!(Language::from_code("fr"), None);
    /// ```
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|l| l.code() == code)
    }

    /// Whether TS 23.038 defines a locking-shift table for this language (all but Spanish).
    pub fn has_locking_shift(self) -> bool {
        self != Self::Spanish
    }
}

impl fmt::Display for Language {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// A set of [`Language`]s.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct LanguageSet(u16);

impl LanguageSet {
    /// No language.
    pub const EMPTY: Self = Self(0);

    /// Every language.
    pub fn all() -> Self {
        Language::ALL.into_iter().collect()
    }

    /// This set with `language` added.
    pub fn with(self, language: Language) -> Self {
        Self(self.0 | 1 << language.id())
    }

    /// Whether `language` is in the set.
    pub fn contains(self, language: Language) -> bool {
        self.0 & (1 << language.id()) != 0
    }

    /// Whether the set is empty.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The languages in identifier order.
    pub fn iter(self) -> impl Iterator<Item = Language> {
        Language::ALL.into_iter().filter(move |&l| self.contains(l))
    }
}

impl FromIterator<Language> for LanguageSet {
    fn from_iter<I: IntoIterator<Item = Language>>(iter: I) -> Self {
        iter.into_iter().fold(Self::EMPTY, Self::with)
    }
}

/// The national tables a GSM 7-bit message uses; `None` means the default table of that kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct National {
    /// The single-shift table (reached by escape), or the default extension table.
    pub shift: Option<Language>,
    /// The locking-shift table, or the default alphabet.
    pub lock: Option<Language>,
}

impl National {
    /// How many national information elements each part carries (0, 1 or 2).
    pub fn information_elements(self) -> usize {
        usize::from(self.shift.is_some()) + usize::from(self.lock.is_some())
    }
}

/// The size of the concatenation reference number (TS 23.040 §9.2.3.24.1 and .8).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ReferenceSize {
    /// 8-bit reference (IEI 0x00): 6 header octets, 153 septets / 67 UCS-2 units per part.
    #[default]
    Bits8,
    /// 16-bit reference (IEI 0x08): 7 header octets, 152 septets / 66 UCS-2 units per part.
    Bits16,
}

impl ReferenceSize {
    /// Octets of the concatenation information element, identifier and length included.
    fn element_octets(self) -> usize {
        match self {
            Self::Bits8 => 5,
            Self::Bits16 => 6,
        }
    }
}

/// Where a message may be cut between parts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Boundaries {
    /// Between characters, never inside an escape sequence or a surrogate pair.
    #[default]
    Characters,
    /// Between extended grapheme clusters (UAX #29), so that an emoji sequence, a flag or a
    /// letter with combining marks stays whole. This can cost extra parts, reported in
    /// [`Analysis::grapheme_extra_segments`]. A cluster longer than a whole part is cut
    /// between characters.
    Graphemes,
}

/// How to encode and split messages.
///
/// ```
/// use smsplan_text::{Boundaries, Language, Options, ReferenceSize};
///
/// let options = Options::default()
///     .reference(ReferenceSize::Bits16)
///     .allow_single_shift(Language::Spanish)
///     .allow_locking_shift(Language::Portuguese)
///     .boundaries(Boundaries::Graphemes);
/// # let _ = options;
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Options {
    reference: ReferenceSize,
    single_shift: LanguageSet,
    locking_shift: LanguageSet,
    boundaries: Boundaries,
}

impl Options {
    /// Uses concatenation references of `size` (8-bit by default).
    pub fn reference(mut self, size: ReferenceSize) -> Self {
        self.reference = size;
        self
    }

    /// Allows the single-shift table of `language` (none by default).
    pub fn allow_single_shift(mut self, language: Language) -> Self {
        self.single_shift = self.single_shift.with(language);
        self
    }

    /// Allows the locking-shift table of `language` (none by default). Spanish has none and
    /// is ignored here.
    pub fn allow_locking_shift(mut self, language: Language) -> Self {
        if language.has_locking_shift() {
            self.locking_shift = self.locking_shift.with(language);
        }
        self
    }

    /// Allows the single-shift tables of every language in `set`.
    pub fn allow_single_shifts(self, set: LanguageSet) -> Self {
        set.iter().fold(self, Self::allow_single_shift)
    }

    /// Allows the locking-shift tables of every language in `set` that has one.
    pub fn allow_locking_shifts(self, set: LanguageSet) -> Self {
        set.iter().fold(self, Self::allow_locking_shift)
    }

    /// Chooses where parts may be cut (between characters by default).
    pub fn boundaries(mut self, boundaries: Boundaries) -> Self {
        self.boundaries = boundaries;
        self
    }

    /// The concatenation reference size.
    pub fn reference_size(&self) -> ReferenceSize {
        self.reference
    }
}

/// A character that is in neither the GSM 7-bit default alphabet nor its extension table,
/// and so forced UCS-2.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct NonGsmChar {
    /// The character.
    pub ch: char,
    /// Its offset in the message, counted in Unicode scalar values (`char`s).
    pub offset: usize,
}

/// What a message costs in parts, and why.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Analysis {
    /// The character set.
    pub encoding: Encoding,
    /// The national tables used, when the encoding is GSM 7-bit with national tables.
    pub national: Option<National>,
    /// How many parts (segments) are sent and billed; 1 for the empty message.
    pub segments: usize,
    /// Septets (escapes included) for GSM 7-bit, UTF-16 units for UCS-2.
    pub units: usize,
    /// The capacity of one part in the same units: single-part capacity when `segments` is
    /// 1, concatenated capacity otherwise.
    pub units_per_segment: usize,
    /// Units still free in the last part.
    pub remaining: usize,
    /// The characters that forced UCS-2 with their offsets (empty for GSM 7-bit).
    pub non_gsm: Vec<NonGsmChar>,
    /// Parts added by keeping grapheme clusters whole ([`Boundaries::Graphemes`]); 0 otherwise.
    pub grapheme_extra_segments: usize,
}

impl Analysis {
    /// The price of sending this message: `segments × price_per_segment`.
    ///
    /// ```
    /// use smsplan_text::money::{Currency, Money};
    /// use smsplan_text::{analyze, Options};
    ///
    /// let price = Money::parse("0.045", Currency::EUR)?;
    /// let report = analyze(&"a".repeat(161), &Options::default())?;
    /// assert_eq!(report.cost(price)?.to_string(), "0.09");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// [`crate::money::MoneyError::Overflow`] when the product does not fit.
    pub fn cost(
        &self,
        price_per_segment: crate::money::Money,
    ) -> Result<crate::money::Money, crate::money::MoneyError> {
        price_per_segment.checked_mul(self.segments as u64)
    }
}

/// Errors of the fragment encoder.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TextError {
    /// The message needs more parts than a concatenated message can have.
    #[error("message needs {segments} parts, more than the {max} a concatenated SMS can have")]
    TooLong {
        /// Parts the message would need.
        segments: usize,
        /// The limit, [`MAX_SEGMENTS`].
        max: usize,
    },
}

/// A message cut into parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Split<'a> {
    /// The analysis of the whole message.
    pub analysis: Analysis,
    /// The text of each part, in order; concatenated they give the message back.
    pub parts: Vec<&'a str>,
}

/// Counts the parts of `text` and says why.
///
/// ```
/// use smsplan_text::{analyze, Options};
///
/// assert_eq!(analyze(&"x".repeat(160), &Options::default())?.segments, 1);
/// assert_eq!(analyze(&"x".repeat(161), &Options::default())?.segments, 2);
/// assert_eq!(analyze(&"€".repeat(80), &Options::default())?.segments, 1); // 160 septets
/// # Ok::<(), smsplan_text::TextError>(())
/// ```
///
/// # Errors
/// [`TextError::TooLong`] when more than [`MAX_SEGMENTS`] parts are needed.
pub fn analyze(text: &str, options: &Options) -> Result<Analysis, TextError> {
    let (choice, non_gsm) = choose(text, options);
    finish(text, options, &choice, non_gsm)
}

/// Cuts `text` into parts, never inside an escape sequence or a surrogate pair (nor inside a
/// grapheme cluster with [`Boundaries::Graphemes`]).
///
/// ```
/// use smsplan_text::{split, Options};
///
/// let text = format!("{}€{}", "a".repeat(152), "b".repeat(10));
/// let split = split(&text, &Options::default())?;
/// // '€' needs 2 septets and one was left in the first 153-septet part: it moves whole.
/// assert_eq!(split.parts, [&"a".repeat(152)[..], "€bbbbbbbbbb"]);
/// # Ok::<(), smsplan_text::TextError>(())
/// ```
///
/// # Errors
/// [`TextError::TooLong`] when more than [`MAX_SEGMENTS`] parts are needed.
pub fn split<'a>(text: &'a str, options: &Options) -> Result<Split<'a>, TextError> {
    let (choice, non_gsm) = choose(text, options);
    let analysis = finish(text, options, &choice, non_gsm)?;
    let parts = if analysis.segments == 1 {
        vec![text]
    } else {
        let mut cuts = Vec::with_capacity(analysis.segments + 1);
        cuts.push(0);
        fill(
            text,
            &choice.cost,
            choice.caps.multi,
            options.boundaries,
            |at| cuts.push(at),
        );
        cuts.push(text.len());
        cuts.windows(2)
            .filter_map(|w| match w {
                [a, b] => text.get(*a..*b),
                _ => None,
            })
            .collect()
    };
    Ok(Split { analysis, parts })
}

/// One part ready for a gateway: its user data header and its payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncodedPart {
    /// The user data header, its length octet (UDHL) included; empty when there is none.
    pub udh: Vec<u8>,
    /// The characters of the part.
    pub payload: Payload,
    /// The text of the part.
    pub text: String,
}

/// The characters of a part, before packing.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Payload {
    /// GSM 7-bit septets, one per byte (escapes included), not packed.
    Gsm7 {
        /// The septets.
        septets: Vec<u8>,
    },
    /// UCS-2 / UTF-16 big-endian octets.
    Ucs2 {
        /// The octets.
        bytes: Vec<u8>,
    },
}

impl EncodedPart {
    /// The encoding of the payload.
    pub fn encoding(&self) -> Encoding {
        match self.payload {
            Payload::Gsm7 { .. } => Encoding::Gsm7,
            Payload::Ucs2 { .. } => Encoding::Ucs2,
        }
    }

    /// The TP-Data-Coding-Scheme octet: `0x00` (GSM 7-bit) or `0x08` (UCS-2).
    pub fn data_coding(&self) -> u8 {
        self.encoding().data_coding()
    }

    /// Fill bits between the header and the first septet (TS 23.040 §9.2.3.24).
    fn fill_bits(&self) -> u32 {
        let header_bits = (self.udh.len() * 8) as u32;
        (7 - header_bits % 7) % 7
    }

    /// The TP-User-Data octets: the header, then the septets packed after their fill bits,
    /// or the UCS-2 octets.
    ///
    /// ```
    /// use smsplan_text::{encode, Options};
    ///
    /// let parts = encode("hellohello", &Options::default(), 0)?;
    /// assert_eq!(parts[0].user_data(), [0xE8, 0x32, 0x9B, 0xFD, 0x46, 0x97, 0xD9, 0xEC, 0x37]);
    /// assert_eq!(parts[0].user_data_length(), 10);
    /// # Ok::<(), smsplan_text::TextError>(())
    /// ```
    pub fn user_data(&self) -> Vec<u8> {
        let mut out = self.udh.clone();
        match &self.payload {
            Payload::Gsm7 { septets } => gsm::pack(septets, self.fill_bits(), &mut out),
            Payload::Ucs2 { bytes } => out.extend_from_slice(bytes),
        }
        out
    }

    /// The TP-User-Data-Length: septets (header and fill included) for GSM 7-bit, octets
    /// for UCS-2.
    pub fn user_data_length(&self) -> usize {
        match &self.payload {
            Payload::Gsm7 { septets } => {
                (self.udh.len() * 8 + self.fill_bits() as usize) / 7 + septets.len()
            }
            Payload::Ucs2 { bytes } => self.udh.len() + bytes.len(),
        }
    }
}

/// Encodes `text` into parts with their user data headers. `reference` is the
/// concatenation reference number (truncated to 8 bits with [`ReferenceSize::Bits8`]); pick
/// a different one for each concatenated message to the same recipient.
///
/// ```
/// use smsplan_text::{decode, encode, Options};
///
/// let text = "Bonjour ! ".repeat(20);
/// let parts = encode(&text, &Options::default(), 0x42)?;
/// assert_eq!(parts.len(), 2);
/// assert_eq!(parts[0].udh, [0x05, 0x00, 0x03, 0x42, 0x02, 0x01]);
/// assert_eq!(decode(&parts)?, text);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// [`TextError::TooLong`] when more than [`MAX_SEGMENTS`] parts are needed.
pub fn encode(
    text: &str,
    options: &Options,
    reference: u16,
) -> Result<Vec<EncodedPart>, TextError> {
    let split = split(text, options)?;
    let total = split.parts.len();
    let national = split.analysis.national.unwrap_or_default();
    let alphabet = match split.analysis.encoding {
        Encoding::Gsm7 => Alphabet::new(national),
        Encoding::Ucs2 => None,
    };
    let mut out = Vec::with_capacity(total);
    for (index, part) in split.parts.iter().enumerate() {
        let mut elements = Vec::with_capacity(12);
        if total > 1 {
            let total = u8::try_from(total).unwrap_or(u8::MAX);
            let seq = u8::try_from(index + 1).unwrap_or(u8::MAX);
            let [hi, lo] = reference.to_be_bytes();
            match options.reference {
                ReferenceSize::Bits8 => elements.extend([0x00, 0x03, lo, total, seq]),
                ReferenceSize::Bits16 => elements.extend([0x08, 0x04, hi, lo, total, seq]),
            }
        }
        if let Some(l) = national.shift {
            elements.extend([0x24, 0x01, l.id()]);
        }
        if let Some(l) = national.lock {
            elements.extend([0x25, 0x01, l.id()]);
        }
        let udh = if elements.is_empty() {
            elements
        } else {
            let mut udh = Vec::with_capacity(elements.len() + 1);
            udh.push(u8::try_from(elements.len()).unwrap_or(u8::MAX));
            udh.extend(elements);
            udh
        };
        let payload = match alphabet {
            Some(alphabet) => {
                let mut septets = Vec::with_capacity(part.len());
                for ch in part.chars() {
                    match alphabet.septets(ch) {
                        Some(Septets::One(s)) => septets.push(s),
                        Some(Septets::Escaped(s)) => septets.extend([gsm::ESCAPE, s]),
                        // The analysis chose these tables because every character fits.
                        None => {}
                    }
                }
                Payload::Gsm7 { septets }
            }
            None => Payload::Ucs2 {
                bytes: part.encode_utf16().flat_map(u16::to_be_bytes).collect(),
            },
        };
        out.push(EncodedPart {
            udh,
            payload,
            text: (*part).to_owned(),
        });
    }
    Ok(out)
}

/// Capacities of one part in the units of its encoding.
#[derive(Debug, Clone, Copy)]
struct Caps {
    single: usize,
    multi: usize,
}

impl Caps {
    fn new(encoding: Encoding, national_elements: usize, reference: ReferenceSize) -> Self {
        let header = |concat: usize| {
            let elements = 3 * national_elements + concat;
            if elements == 0 { 0 } else { elements + 1 }
        };
        let room = |octets: usize| match encoding {
            Encoding::Gsm7 => octets * 8 / 7,
            Encoding::Ucs2 => octets / 2,
        };
        Self {
            single: room(USER_DATA_OCTETS - header(0)),
            multi: room(USER_DATA_OCTETS - header(reference.element_octets())),
        }
    }
}

/// The cost function of a candidate encoding.
#[derive(Debug, Clone, Copy)]
enum Cost {
    Default,
    National(Alphabet),
    Ucs2,
}

impl Cost {
    #[inline]
    fn of(&self, ch: char) -> usize {
        match self {
            Self::Default => usize::from(gsm::default_cost(ch).unwrap_or(2)),
            Self::National(a) => usize::from(a.cost(ch).unwrap_or(2)),
            Self::Ucs2 => ch.len_utf16(),
        }
    }
}

/// One way to send the message.
#[derive(Debug, Clone, Copy)]
struct Choice {
    encoding: Encoding,
    national: Option<National>,
    cost: Cost,
    caps: Caps,
    units: usize,
    segments: usize,
    remaining: usize,
}

impl Choice {
    /// `fill` is the greedy fill of concatenated parts for these units.
    fn new(
        options: &Options,
        encoding: Encoding,
        national: Option<National>,
        cost: Cost,
        units: usize,
        fill: Fill,
    ) -> Self {
        let elements = national.map_or(0, National::information_elements);
        let caps = Caps::new(encoding, elements, options.reference);
        let (segments, remaining) = if units <= caps.single {
            (1, caps.single - units)
        } else {
            (fill.parts, caps.multi.saturating_sub(fill.used))
        };
        Self {
            encoding,
            national,
            cost,
            caps,
            units,
            segments,
            remaining,
        }
    }

    /// The order of preference: fewest parts, then fewest national elements, then GSM
    /// before UCS-2, then the most room left.
    fn rank(&self) -> (usize, usize, u8, core::cmp::Reverse<usize>) {
        (
            self.segments,
            self.national.map_or(0, National::information_elements),
            u8::from(self.encoding == Encoding::Ucs2),
            core::cmp::Reverse(self.remaining),
        )
    }
}

/// A greedy fill of concatenated parts of `cap` units, fed as the text is read: a part
/// takes units until the next character does not fit, so a 2-unit character (an escape
/// sequence, a surrogate pair) never straddles two parts.
#[derive(Debug, Clone, Copy)]
struct Fill {
    cap: usize,
    parts: usize,
    used: usize,
}

impl Fill {
    fn new(cap: usize) -> Self {
        Self {
            cap: cap.max(2),
            parts: 1,
            used: 0,
        }
    }

    /// Adds `n` characters of one unit each.
    #[inline]
    fn ones(&mut self, n: usize) {
        self.used += n;
        if self.used > self.cap {
            let more = (self.used - 1) / self.cap;
            self.parts += more;
            self.used -= more * self.cap;
        }
    }

    /// Adds one indivisible piece of `units` (a character, or a grapheme cluster that fits
    /// a part): it starts a new part when it does not fit the current one. Returns whether
    /// it did. This is the greedy rule; [`Fill::ones`] is its closed form for runs of
    /// one-unit characters.
    #[inline]
    fn push(&mut self, units: usize) -> bool {
        let cut = self.used + units > self.cap && self.used > 0;
        if cut {
            self.parts += 1;
            self.used = 0;
        }
        self.used += units;
        cut
    }

    /// Adds one character of two units.
    #[inline]
    fn two(&mut self) {
        self.push(2);
    }

    #[inline]
    fn add(&mut self, units: u8) {
        if units == 2 {
            self.two()
        } else {
            self.ones(usize::from(units))
        }
    }
}

/// What one pass over the text finds for the default alphabet and for UCS-2.
#[derive(Debug)]
struct Scan {
    /// Septets in the default alphabet (characters outside it not counted).
    septets: usize,
    /// The greedy fill of concatenated GSM parts.
    gsm: Fill,
    /// UTF-16 units.
    utf16: usize,
    /// The greedy fill of concatenated UCS-2 parts.
    ucs2: Fill,
    /// Characters outside the default alphabet and its extension table.
    non_gsm: Vec<NonGsmChar>,
    /// Characters (Unicode scalar values).
    chars: usize,
}

/// One pass over `text`. ASCII is read eight bytes at a time: a word of characters that
/// cost one septet each, or that holds extension characters `[\]^{|}~` where no part ends,
/// is counted at once; other words (controls, backtick, DEL, a part boundary next to an
/// extension character) are looked at byte by byte. Other characters are decoded from
/// their UTF-8 bytes and looked up.
fn scan(text: &str, reference: ReferenceSize) -> Scan {
    let mut scan = Scan {
        septets: 0,
        gsm: Fill::new(Caps::new(Encoding::Gsm7, 0, reference).multi),
        utf16: 0,
        ucs2: Fill::new(Caps::new(Encoding::Ucs2, 0, reference).multi),
        non_gsm: Vec::new(),
        chars: 0,
    };
    let bytes = text.as_bytes();
    let mut i = 0usize;
    while i < bytes.len() {
        // The hot loop: whole words of ASCII, counted in locals.
        let start = i;
        let (cap, mut used, mut parts, mut septets) = (scan.gsm.cap, scan.gsm.used, 0usize, 0usize);
        while let Some(word) = bytes
            .get(i..i + 8)
            .and_then(|w| <[u8; 8]>::try_from(w).ok())
        {
            let Some(cost) = ascii_word_cost(u64::from_le_bytes(word)) else {
                break;
            };
            used += cost;
            if used > cap {
                if cost != 8 {
                    // An extension character may straddle the end of the part: byte by byte.
                    used -= cost;
                    break;
                }
                used -= cap;
                parts += 1;
            }
            septets += cost;
            i += 8;
        }
        scan.gsm.used = used;
        scan.gsm.parts += parts;
        scan.septets += septets;
        scan.ucs2.ones(i - start);
        scan.utf16 += i - start;
        scan.chars += i - start;
        let Some(&lead) = bytes.get(i) else { break };
        if lead.is_ascii() {
            // A run of one to eight ASCII bytes before a non-ASCII one or the end, counted
            // at once when it allows, else byte by byte.
            let mut padded = [b'a'; 8];
            let available = bytes.get(i..).map_or(0, |rest| rest.len().min(8));
            if let (Some(dst), Some(src)) =
                (padded.get_mut(..available), bytes.get(i..i + available))
            {
                dst.copy_from_slice(src);
            }
            let word = u64::from_le_bytes(padded);
            let run = ((word & HIGH_BITS).trailing_zeros() / 8).min(available as u32) as usize;
            let keep = if run == 8 {
                u64::MAX
            } else {
                (1u64 << (8 * run)) - 1
            };
            let masked = (word & keep) | (splat(b'a') & !keep);
            let cost = match ascii_word_cost(masked).map(|cost| cost - (8 - run)) {
                Some(cost) if cost == run => {
                    scan.gsm.ones(run);
                    cost
                }
                Some(cost) if scan.gsm.used + cost <= scan.gsm.cap => {
                    scan.gsm.used += cost;
                    cost
                }
                _ => {
                    for &b in bytes.get(i..i + run).unwrap_or_default() {
                        scan.ascii_byte(b);
                    }
                    i += run;
                    continue;
                }
            };
            scan.septets += cost;
            scan.ucs2.ones(run);
            scan.utf16 += run;
            scan.chars += run;
            i += run;
            continue;
        }
        // A non-ASCII character: `text` is valid UTF-8, so the lead byte gives its length.
        let (ch, len) = match lead {
            0xC0..=0xDF => (decode2(bytes, i), 2),
            0xE0..=0xEF => (decode3(bytes, i), 3),
            _ => (None, 4),
        };
        i += len;
        if len == 4 {
            scan.ucs2.two();
            scan.utf16 += 2;
        } else {
            scan.ucs2.ones(1);
            scan.utf16 += 1;
        }
        match ch.and_then(gsm::default_cost) {
            Some(c) => {
                scan.gsm.add(c);
                scan.septets += usize::from(c);
            }
            None => {
                let ch = text
                    .get(i - len..)
                    .and_then(|r| r.chars().next())
                    .unwrap_or(char::REPLACEMENT_CHARACTER);
                if scan.non_gsm.is_empty() {
                    scan.non_gsm.reserve((bytes.len() - i) / 4 + 1);
                }
                scan.non_gsm.push(NonGsmChar {
                    ch,
                    offset: scan.chars,
                });
            }
        }
        scan.chars += 1;
    }
    scan
}

/// The character of the two-byte UTF-8 sequence at `i`.
#[inline]
fn decode2(bytes: &[u8], i: usize) -> Option<char> {
    let (a, b) = (*bytes.get(i)?, *bytes.get(i + 1)?);
    char::from_u32((u32::from(a & 0x1F) << 6) | u32::from(b & 0x3F))
}

/// The character of the three-byte UTF-8 sequence at `i`.
#[inline]
fn decode3(bytes: &[u8], i: usize) -> Option<char> {
    let (a, b, c) = (*bytes.get(i)?, *bytes.get(i + 1)?, *bytes.get(i + 2)?);
    char::from_u32((u32::from(a & 0x0F) << 12) | (u32::from(b & 0x3F) << 6) | u32::from(c & 0x3F))
}

const HIGH_BITS: u64 = 0x8080_8080_8080_8080;

const fn splat(b: u8) -> u64 {
    0x0101_0101_0101_0101 * b as u64
}

/// The septets of a word of eight bytes when they are all ASCII characters of the default
/// alphabet or its extension table other than controls (`[\]^{|}~` cost two): `None` for a
/// word with a non-ASCII byte, a control (LF, CR and form feed included), backtick or DEL,
/// which are looked at byte by byte. Branch-free but for that one test: random text mixes
/// words with and without extension characters, and a branch on them mispredicts. The
/// additions carry between bytes only past a non-ASCII byte, whose own high bit already
/// refuses the word.
#[inline]
fn ascii_word_cost(word: u64) -> Option<usize> {
    let at_least = |b: u8| word.wrapping_add(splat(0x80 - b));
    let (x20, x5b, x5f, x60, x61, x7b, x7f) = (
        at_least(0x20),
        at_least(0x5B),
        at_least(0x5F),
        at_least(0x60),
        at_least(0x61),
        at_least(0x7B),
        at_least(0x7F),
    );
    let slow = word | !x20 | (x60 & !x61) | x7f;
    if slow & HIGH_BITS != 0 {
        return None;
    }
    let extension = ((x5b & !x5f) | x7b) & HIGH_BITS;
    // One bit per extension byte, summed into the top byte (at most 8, so no carry out).
    let count = ((extension >> 7).wrapping_mul(splat(1)) >> 56) as usize;
    Some(8 + count)
}

impl Scan {
    /// Adds one ASCII byte.
    #[inline]
    fn ascii_byte(&mut self, b: u8) {
        self.ucs2.ones(1);
        self.utf16 += 1;
        match gsm::ascii_cost(b) {
            0 => self.non_gsm.push(NonGsmChar {
                ch: char::from(b),
                offset: self.chars,
            }),
            c => {
                self.gsm.add(c);
                self.septets += usize::from(c);
            }
        }
        self.chars += 1;
    }
}

/// Picks the encoding and tables with the fewest parts (see [`Choice::rank`]).
fn choose(text: &str, options: &Options) -> (Choice, Vec<NonGsmChar>) {
    let scan = scan(text, options.reference);
    let gsm = scan.non_gsm.is_empty();
    let mut best = if gsm {
        Choice::new(
            options,
            Encoding::Gsm7,
            None,
            Cost::Default,
            scan.septets,
            scan.gsm,
        )
    } else {
        Choice::new(
            options,
            Encoding::Ucs2,
            None,
            Cost::Ucs2,
            scan.utf16,
            scan.ucs2,
        )
    };
    let national_allowed = !options.single_shift.is_empty() || !options.locking_shift.is_empty();
    if national_allowed && (best.segments > 1 || !gsm) {
        for lock in core::iter::once(None).chain(options.locking_shift.iter().map(Some)) {
            for shift in core::iter::once(None).chain(options.single_shift.iter().map(Some)) {
                let national = National { shift, lock };
                if national.information_elements() == 0 {
                    continue;
                }
                let Some(alphabet) = Alphabet::new(national) else {
                    continue;
                };
                // Cheap rejections first: a character outside the default alphabet that
                // these tables lack too, or so many characters that even at one septet each
                // they cannot beat the best choice so far.
                if scan.non_gsm.iter().any(|c| alphabet.cost(c.ch).is_none()) {
                    continue;
                }
                let caps = Caps::new(
                    Encoding::Gsm7,
                    national.information_elements(),
                    options.reference,
                );
                let at_least = if scan.chars <= caps.single {
                    1
                } else {
                    scan.chars.div_ceil(caps.multi.max(1))
                };
                let best_elements = best.national.map_or(0, National::information_elements);
                if (at_least, national.information_elements()) > (best.segments, best_elements) {
                    continue;
                }
                let mut fill = Fill::new(caps.multi);
                let Some(units) = national_units(text, &alphabet, &mut fill) else {
                    continue;
                };
                let candidate = Choice::new(
                    options,
                    Encoding::Gsm7,
                    Some(national),
                    Cost::National(alphabet),
                    units,
                    fill,
                );
                if candidate.rank() < best.rank() {
                    best = candidate;
                }
            }
        }
    }
    let non_gsm = if best.encoding == Encoding::Ucs2 {
        scan.non_gsm
    } else {
        Vec::new()
    };
    (best, non_gsm)
}

/// Septets of `text` with `alphabet`, fed to `fill`; `None` when a character is missing
/// from the tables.
fn national_units(text: &str, alphabet: &Alphabet, fill: &mut Fill) -> Option<usize> {
    let mut units = 0;
    for ch in text.chars() {
        let c = alphabet.cost(ch)?;
        fill.add(c);
        units += usize::from(c);
    }
    Some(units)
}

/// Fills parts of `cap` units greedily and calls `cut` with the byte offset of each new
/// part. Returns the number of parts and the units used in the last one.
fn fill(
    text: &str,
    cost: &Cost,
    cap: usize,
    boundaries: Boundaries,
    mut cut: impl FnMut(usize),
) -> (usize, usize) {
    let mut fill = Fill::new(cap);
    let mut place = |at: usize, units: usize| {
        if fill.push(units) {
            cut(at);
        }
    };
    match boundaries {
        Boundaries::Characters => {
            for (at, ch) in text.char_indices() {
                place(at, cost.of(ch));
            }
        }
        Boundaries::Graphemes => {
            for (at, cluster) in text.grapheme_indices(true) {
                let units: usize = cluster.chars().map(|ch| cost.of(ch)).sum();
                if units <= cap {
                    place(at, units);
                } else {
                    for (offset, ch) in cluster.char_indices() {
                        place(at + offset, cost.of(ch));
                    }
                }
            }
        }
    }
    (fill.parts, fill.used)
}

/// Builds the report for `choice`, applying the grapheme rule and the part limit.
fn finish(
    text: &str,
    options: &Options,
    choice: &Choice,
    non_gsm: Vec<NonGsmChar>,
) -> Result<Analysis, TextError> {
    let mut segments = choice.segments;
    let mut remaining = choice.remaining;
    let mut grapheme_extra_segments = 0;
    if options.boundaries == Boundaries::Graphemes && segments > 1 {
        let (kept, used) = fill(
            text,
            &choice.cost,
            choice.caps.multi,
            Boundaries::Graphemes,
            |_| {},
        );
        grapheme_extra_segments = kept.saturating_sub(segments);
        segments = kept;
        remaining = choice.caps.multi.saturating_sub(used);
    }
    if segments > MAX_SEGMENTS {
        return Err(TextError::TooLong {
            segments,
            max: MAX_SEGMENTS,
        });
    }
    Ok(Analysis {
        encoding: choice.encoding,
        national: choice.national,
        segments,
        units: choice.units,
        units_per_segment: if segments == 1 {
            choice.caps.single
        } else {
            choice.caps.multi
        },
        remaining,
        non_gsm,
        grapheme_extra_segments,
    })
}

#[cfg(test)]
mod tests;

#[doc = include_str!("../README.md")]
#[cfg(doctest)]
struct ReadmeDoctests;
