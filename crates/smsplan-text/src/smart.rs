//! Explicit, reversible replacement of common non-GSM characters by GSM look-alikes.

use alloc::string::String;
use alloc::vec::Vec;

use super::gsm;

/// Look-alikes, sorted by character. Only characters outside the GSM 7-bit default alphabet
/// and its extension table appear here; every replacement is in the default alphabet.
const LOOK_ALIKES: &[(char, &str)] = &[
    ('\t', " "),
    ('`', "'"),
    ('\u{A0}', " "),
    ('\u{AB}', "\""),
    ('\u{AD}', ""),
    ('\u{B4}', "'"),
    ('\u{BB}', "\""),
    ('\u{C0}', "A"),
    ('\u{C1}', "A"),
    ('\u{C2}', "A"),
    ('\u{C3}', "A"),
    ('\u{C8}', "E"),
    ('\u{CA}', "E"),
    ('\u{CB}', "E"),
    ('\u{CC}', "I"),
    ('\u{CD}', "I"),
    ('\u{CE}', "I"),
    ('\u{CF}', "I"),
    ('\u{D2}', "O"),
    ('\u{D3}', "O"),
    ('\u{D4}', "O"),
    ('\u{D5}', "O"),
    ('\u{D9}', "U"),
    ('\u{DA}', "U"),
    ('\u{DB}', "U"),
    ('\u{E1}', "a"),
    ('\u{E2}', "a"),
    ('\u{E3}', "a"),
    ('\u{E7}', "\u{C7}"),
    ('\u{EA}', "e"),
    ('\u{EB}', "e"),
    ('\u{ED}', "i"),
    ('\u{EE}', "i"),
    ('\u{EF}', "i"),
    ('\u{F3}', "o"),
    ('\u{F4}', "o"),
    ('\u{F5}', "o"),
    ('\u{FA}', "u"),
    ('\u{FB}', "u"),
    ('\u{FF}', "y"),
    ('\u{152}', "OE"),
    ('\u{153}', "oe"),
    ('\u{2000}', " "),
    ('\u{2001}', " "),
    ('\u{2002}', " "),
    ('\u{2003}', " "),
    ('\u{2004}', " "),
    ('\u{2005}', " "),
    ('\u{2006}', " "),
    ('\u{2007}', " "),
    ('\u{2008}', " "),
    ('\u{2009}', " "),
    ('\u{200A}', " "),
    ('\u{200B}', ""),
    ('\u{2010}', "-"),
    ('\u{2011}', "-"),
    ('\u{2012}', "-"),
    ('\u{2013}', "-"),
    ('\u{2014}', "-"),
    ('\u{2015}', "-"),
    ('\u{2018}', "'"),
    ('\u{2019}', "'"),
    ('\u{201A}', "'"),
    ('\u{201B}', "'"),
    ('\u{201C}', "\""),
    ('\u{201D}', "\""),
    ('\u{201E}', "\""),
    ('\u{201F}', "\""),
    ('\u{2022}', "*"),
    ('\u{2026}', "..."),
    ('\u{202F}', " "),
    ('\u{2032}', "'"),
    ('\u{2033}', "\""),
    ('\u{2039}', "<"),
    ('\u{203A}', ">"),
    ('\u{205F}', " "),
    ('\u{2212}', "-"),
    ('\u{3000}', " "),
    ('\u{FEFF}', ""),
];

/// One character replaced by [`smart_encode`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Replacement {
    /// Offset of the replaced character in the original text, in `char`s.
    pub offset: usize,
    /// The character that was there.
    pub original: char,
    /// What replaced it (possibly empty, for invisible characters such as a soft hyphen).
    pub replacement: &'static str,
}

/// A text after look-alike replacement, with every replacement listed.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SmartText {
    /// The text with look-alikes in place.
    pub text: String,
    /// The replacements, in order of offset.
    pub replacements: Vec<Replacement>,
}

impl SmartText {
    /// The original text, rebuilt from [`SmartText::text`] and the replacements.
    ///
    /// ```
    /// let smart = smsplan_text::smart_encode("“Soldes” – 50 %");
    /// assert_eq!(smart.revert(), "“Soldes” – 50 %");
    /// ```
    pub fn revert(&self) -> String {
        let mut out = String::with_capacity(self.text.len());
        let mut chars = self.text.chars();
        let mut position = 0usize;
        for r in &self.replacements {
            out.extend(chars.by_ref().take(r.offset.saturating_sub(position)));
            // Skip the replacement's characters in the smart text.
            chars
                .by_ref()
                .take(r.replacement.chars().count())
                .for_each(drop);
            out.push(r.original);
            position = r.offset + 1;
        }
        out.extend(chars);
        out
    }
}

/// Replaces curly quotes, non-breaking and typographic spaces, dashes, ellipses and accented
/// letters missing from the GSM 7-bit alphabet by GSM look-alikes, so that a message can
/// stay in GSM 7-bit. The change is never silent: every replacement is listed, and
/// [`SmartText::revert`] gives the original back. Characters with no look-alike (emoji,
/// CJK, ...) are left as they are.
///
/// ```
/// use smsplan_text::{analyze, smart_encode, Encoding, Options};
///
/// let smart = smart_encode("C’est l’été… à bientôt");
/// assert_eq!(smart.text, "C'est l'été... à bientot");
/// assert_eq!(smart.replacements.len(), 4);
/// assert_eq!(analyze(&smart.text, &Options::default())?.encoding, Encoding::Gsm7);
/// # Ok::<(), smsplan_text::TextError>(())
/// ```
pub fn smart_encode(text: &str) -> SmartText {
    let mut out = String::with_capacity(text.len());
    let mut replacements = Vec::new();
    for (offset, ch) in text.chars().enumerate() {
        let look_alike = if gsm::default_cost(ch).is_some() {
            None
        } else {
            LOOK_ALIKES
                .binary_search_by_key(&ch, |&(c, _)| c)
                .ok()
                .and_then(|i| LOOK_ALIKES.get(i))
                .map(|&(_, r)| r)
        };
        match look_alike {
            Some(replacement) => {
                out.push_str(replacement);
                replacements.push(Replacement {
                    offset,
                    original: ch,
                    replacement,
                });
            }
            None => out.push(ch),
        }
    }
    SmartText {
        text: out,
        replacements,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn look_alikes_are_sorted_and_map_into_the_default_alphabet() {
        assert!(LOOK_ALIKES.windows(2).all(|w| w[0].0 < w[1].0));
        for &(c, r) in LOOK_ALIKES {
            assert!(gsm::default_cost(c).is_none(), "{c:?} is already GSM");
            assert!(r.chars().all(|x| gsm::default_cost(x) == Some(1)), "{r:?}");
        }
    }

    #[test]
    fn revert_restores_text_with_empty_and_long_replacements() {
        let original = "a\u{AD}b…c\u{200B}“d”";
        let smart = smart_encode(original);
        assert_eq!(smart.text, "ab...c\"d\"");
        assert_eq!(smart.revert(), original);
    }

    #[test]
    fn characters_without_look_alike_are_kept() {
        let smart = smart_encode("ok 🎉 漢");
        assert_eq!(smart.text, "ok 🎉 漢");
        assert!(smart.replacements.is_empty());
    }
}
