//! GSM 7-bit alphabets (3GPP TS 23.038 §6.2.1 and Annex A) and septet packing (§6.1.2.1.1).

use alloc::vec::Vec;

use super::tables::{LOCKING, SINGLE_SHIFT};
use super::{Language, National};

/// The escape septet: the next septet is read in the single-shift table.
pub(crate) const ESCAPE: u8 = 0x1B;

/// One 7-bit table: septet → character, and the inverse sorted by character.
#[derive(Debug)]
pub(super) struct Table {
    pub(super) decode: &'static [Option<char>; 128],
    pub(super) encode: &'static [(char, u8)],
}

impl Table {
    fn septet(&self, ch: char) -> Option<u8> {
        self.encode
            .binary_search_by_key(&ch, |&(c, _)| c)
            .ok()
            .and_then(|i| self.encode.get(i))
            .map(|&(_, s)| s)
    }

    fn char(&self, septet: u8) -> Option<char> {
        self.decode.get(usize::from(septet)).copied().flatten()
    }
}

/// Marks a character absent from the default alphabet and its extension table.
const NONE: u8 = 0xFF;
/// Set on [`DEFAULT_FAST`] entries that live in the extension table (two septets).
const EXT: u8 = 0x80;
/// Characters below this bound are looked up directly in [`DEFAULT_FAST`].
const FAST_LIMIT: usize = 0x400;

/// Direct lookup of the default alphabet and extension table for U+0000..U+03FF: the septet,
/// with [`EXT`] set for extension characters, or [`NONE`]. Built at compile time from the
/// generated tables, so the data exists once.
static DEFAULT_FAST: [u8; FAST_LIMIT] = build_default_fast();

#[expect(
    clippy::indexing_slicing,
    reason = "evaluated at compile time: an out-of-range index fails the build"
)]
const fn build_default_fast() -> [u8; FAST_LIMIT] {
    let mut out = [NONE; FAST_LIMIT];
    let (Some(lock), Some(shift)) = (&LOCKING[0], &SINGLE_SHIFT[0]) else {
        return out;
    };
    // Extension first, so that a character in both tables takes its single-septet form.
    let mut s = 0;
    while s < 128 {
        if let Some(c) = shift.decode[s]
            && (c as usize) < FAST_LIMIT
        {
            out[c as usize] = EXT | s as u8;
        }
        s += 1;
    }
    s = 0;
    while s < 128 {
        if let Some(c) = lock.decode[s]
            && (c as usize) < FAST_LIMIT
        {
            out[c as usize] = s as u8;
        }
        s += 1;
    }
    out
}

/// The euro sign, the one default-extension character outside U+0000..U+03FF.
const EURO: char = '\u{20AC}';
const EURO_SEPTET: u8 = 0x65;

/// Septet cost of `byte` as an ASCII character in the default alphabet: 1, 2 (extension
/// table) or 0 (not in the alphabet).
static ASCII_COST: [u8; 128] = build_ascii_cost();

#[expect(
    clippy::indexing_slicing,
    reason = "evaluated at compile time: an out-of-range index fails the build"
)]
const fn build_ascii_cost() -> [u8; 128] {
    let mut out = [0u8; 128];
    let mut b = 0;
    while b < 128 {
        let v = DEFAULT_FAST[b];
        out[b] = if v == NONE {
            0
        } else if v & EXT != 0 {
            2
        } else {
            1
        };
        b += 1;
    }
    out
}

/// Septet cost of the ASCII byte `byte` in the default alphabet: 1, 2 (extension table) or
/// 0 (not in the alphabet). Bytes above 0x7F are read modulo 128; callers pass ASCII.
#[inline]
pub(super) fn ascii_cost(byte: u8) -> u8 {
    #[expect(
        clippy::indexing_slicing,
        reason = "masked to 0..128, the table has 128 entries"
    )]
    ASCII_COST[usize::from(byte & 0x7F)]
}

/// Septets of `ch` in the default alphabet: `Some((septet, extension))` or `None`.
#[inline]
pub(super) fn default_septet(ch: char) -> Option<(u8, bool)> {
    let code = ch as usize;
    if let Some(&v) = DEFAULT_FAST.get(code) {
        if v == NONE {
            None
        } else {
            Some((v & !EXT, v & EXT != 0))
        }
    } else if ch == EURO {
        Some((EURO_SEPTET, true))
    } else {
        None
    }
}

/// Septet cost of `ch` in the default alphabet and extension table (1 or 2), or `None`.
#[inline]
pub(super) fn default_cost(ch: char) -> Option<u8> {
    default_septet(ch).map(|(_, ext)| 1 + u8::from(ext))
}

/// A pair of tables a GSM 7-bit message is written with: the locking-shift table (the
/// default alphabet or a national one) and the single-shift table reached by escape.
#[derive(Debug, Clone, Copy)]
pub(super) struct Alphabet {
    lock: &'static Table,
    shift: &'static Table,
    default: bool,
}

impl Alphabet {
    /// The tables selected by `national` (`None` fields mean the default tables); `None`
    /// when a language has no table of that kind.
    pub(super) fn new(national: National) -> Option<Self> {
        let lock = table(&LOCKING, national.lock)?;
        let shift = table(&SINGLE_SHIFT, national.shift)?;
        Some(Self {
            lock,
            shift,
            default: national.lock.is_none() && national.shift.is_none(),
        })
    }

    /// Septets for `ch`: one septet, or [`ESCAPE`] and a single-shift septet.
    #[inline]
    pub(super) fn septets(&self, ch: char) -> Option<Septets> {
        if self.default {
            return default_septet(ch).map(|(s, ext)| {
                if ext {
                    Septets::Escaped(s)
                } else {
                    Septets::One(s)
                }
            });
        }
        if let Some(s) = self.lock.septet(ch) {
            return Some(Septets::One(s));
        }
        self.shift.septet(ch).map(Septets::Escaped)
    }

    /// Septet cost of `ch` (1 or 2), or `None` when these tables cannot write it.
    #[inline]
    pub(super) fn cost(&self, ch: char) -> Option<u8> {
        self.septets(ch).map(|s| match s {
            Septets::One(_) => 1,
            Septets::Escaped(_) => 2,
        })
    }

    pub(super) fn decode_locking(&self, septet: u8) -> Option<char> {
        self.lock.char(septet)
    }

    pub(super) fn decode_shift(&self, septet: u8) -> Option<char> {
        self.shift.char(septet)
    }
}

fn table(
    tables: &'static [Option<Table>; 14],
    language: Option<Language>,
) -> Option<&'static Table> {
    let id = language.map_or(0, Language::id);
    tables.get(usize::from(id)).and_then(Option::as_ref)
}

/// How one character is written in septets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Septets {
    /// A septet of the locking-shift table.
    One(u8),
    /// [`ESCAPE`] followed by a septet of the single-shift table.
    Escaped(u8),
}

/// Packs septets into octets after `fill` leading fill bits (TS 23.038 §6.1.2.1.1;
/// TS 23.040 §9.2.3.24: the fill bits align the first septet after a user data header).
pub(super) fn pack(septets: &[u8], fill: u32, out: &mut Vec<u8>) {
    let mut acc: u32 = 0;
    let mut bits: u32 = fill;
    for &s in septets {
        acc |= u32::from(s & 0x7F) << bits;
        bits += 7;
        while bits >= 8 {
            out.push((acc & 0xFF) as u8);
            acc >>= 8;
            bits -= 8;
        }
    }
    if bits > 0 {
        out.push((acc & 0xFF) as u8);
    }
}

/// Unpacks `count` septets from `octets`, skipping `fill` leading bits. `None` when the
/// octets are too few for `count` septets.
pub(super) fn unpack(octets: &[u8], fill: u32, count: usize) -> Option<Vec<u8>> {
    let needed_bits = u64::from(fill) + 7 * count as u64;
    if (octets.len() as u64) * 8 < needed_bits {
        return None;
    }
    let mut out = Vec::with_capacity(count);
    let mut acc: u32 = 0;
    let mut bits: u32 = 0;
    let mut skip = fill;
    for &o in octets {
        acc |= u32::from(o) << bits;
        bits += 8;
        if skip > 0 {
            acc >>= skip;
            bits -= skip;
            skip = 0;
        }
        while bits >= 7 && out.len() < count {
            out.push((acc & 0x7F) as u8);
            acc >>= 7;
            bits -= 7;
        }
        if out.len() == count {
            break;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_alphabet_positions_follow_ts_23_038() {
        // Spot checks of §6.2.1: '@' is 0x00, '£' 0x01, 'Δ' 0x10, 'à' 0x7F, ESC never a char.
        assert_eq!(default_septet('@'), Some((0x00, false)));
        assert_eq!(default_septet('£'), Some((0x01, false)));
        assert_eq!(default_septet('Δ'), Some((0x10, false)));
        assert_eq!(default_septet('à'), Some((0x7F, false)));
        assert_eq!(default_septet('Ç'), Some((0x09, false)));
        assert_eq!(default_septet('ç'), None);
        assert_eq!(default_septet('`'), None);
        assert_eq!(default_septet('\t'), None);
    }

    #[test]
    fn extension_table_follows_ts_23_038() {
        // §6.2.1.1: the ten characters reached by escape, two septets each.
        for (c, s) in [
            ('\u{0C}', 0x0A),
            ('^', 0x14),
            ('{', 0x28),
            ('}', 0x29),
            ('\\', 0x2F),
            ('[', 0x3C),
            ('~', 0x3D),
            (']', 0x3E),
            ('|', 0x40),
            ('€', 0x65),
        ] {
            assert_eq!(default_septet(c), Some((s, true)), "{c:?}");
            assert_eq!(default_cost(c), Some(2));
        }
    }

    #[test]
    fn ascii_cost_matches_the_tables() {
        for b in 0u8..128 {
            let expected = default_cost(char::from(b)).unwrap_or(0);
            assert_eq!(ASCII_COST[usize::from(b)], expected, "byte {b:#04x}");
        }
    }

    #[test]
    fn pack_follows_the_hello_example() {
        // "hellohello" packs to E8 32 9B FD 46 97 D9 EC 37 (the classic TS 23.038 example).
        let septets: Vec<u8> = "hellohello".bytes().collect();
        let mut out = Vec::new();
        pack(&septets, 0, &mut out);
        assert_eq!(out, [0xE8, 0x32, 0x9B, 0xFD, 0x46, 0x97, 0xD9, 0xEC, 0x37]);
        assert_eq!(unpack(&out, 0, septets.len()), Some(septets));
    }

    #[test]
    fn pack_with_fill_bits_round_trips() {
        let septets: Vec<u8> = (0u8..128).collect();
        for fill in 0..7 {
            let mut out = Vec::new();
            pack(&septets, fill, &mut out);
            assert_eq!(
                unpack(&out, fill, septets.len()).as_deref(),
                Some(&septets[..])
            );
        }
    }

    #[test]
    fn unpack_refuses_too_few_octets() {
        assert_eq!(unpack(&[0xE8], 0, 2), None);
    }

    #[test]
    fn national_tables_exist_as_in_annex_a() {
        use Language::*;
        // Spanish has a single-shift table but no locking-shift table (A.2.2, A.3).
        assert!(
            Alphabet::new(National {
                shift: Some(Spanish),
                lock: None
            })
            .is_some()
        );
        assert!(
            Alphabet::new(National {
                shift: None,
                lock: Some(Spanish)
            })
            .is_none()
        );
        let tr = Alphabet::new(National {
            shift: Some(Turkish),
            lock: Some(Turkish),
        })
        .unwrap();
        assert_eq!(tr.cost('ı'), Some(1));
        assert_eq!(tr.cost('€'), Some(1));
        assert_eq!(tr.cost('ş'), Some(1));
        let tr_shift = Alphabet::new(National {
            shift: Some(Turkish),
            lock: None,
        })
        .unwrap();
        assert_eq!(tr_shift.cost('ş'), Some(2));
        assert_eq!(tr_shift.cost('ç'), Some(2));
        assert_eq!(tr_shift.cost('a'), Some(1));
        assert_eq!(tr_shift.cost('ñ'), Some(1));
        let es = Alphabet::new(National {
            shift: Some(Spanish),
            lock: None,
        })
        .unwrap();
        assert_eq!(es.cost('á'), Some(2));
        assert_eq!(es.cost('ç'), Some(2));
    }
}
