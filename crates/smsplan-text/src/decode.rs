//! Decoding parts back to text: TP-User-Data parsing (TS 23.040 §9.2.3.24) and the
//! alphabets of TS 23.038.

use alloc::string::String;
use alloc::vec::Vec;

use super::gsm::{self, Alphabet};
use super::{EncodedPart, Encoding, Language, National, Payload};

/// Why parts could not be decoded. `part` counts from 0 in the order given.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DecodeError {
    /// The data coding scheme is not GSM 7-bit or UCS-2 (8-bit data, compression, ...).
    #[error("part {part}: unsupported data coding scheme {data_coding:#04x}")]
    UnsupportedDataCoding {
        /// The part.
        part: usize,
        /// The TP-DCS octet.
        data_coding: u8,
    },
    /// The user data header overruns the user data, or an element overruns the header.
    #[error("part {part}: malformed user data header at octet {offset}")]
    MalformedHeader {
        /// The part.
        part: usize,
        /// Octet offset in the header.
        offset: usize,
    },
    /// The user data is shorter than its length field says.
    #[error("part {part}: user data has {actual} octets, its length needs {needed}")]
    Truncated {
        /// The part.
        part: usize,
        /// Octets needed.
        needed: usize,
        /// Octets present.
        actual: usize,
    },
    /// A national language identifier without a table of that kind.
    #[error("part {part}: no {kind} table for national language {id}")]
    UnknownLanguage {
        /// The part.
        part: usize,
        /// `"single-shift"` or `"locking-shift"`.
        kind: &'static str,
        /// The identifier.
        id: u8,
    },
    /// A septet with no character in the tables in use, or a value above 0x7F.
    #[error("part {part}: septet {septet:#04x} at offset {offset} has no character")]
    Unassigned {
        /// The part.
        part: usize,
        /// Septet offset in the part.
        offset: usize,
        /// The septet.
        septet: u8,
    },
    /// The part ends with an escape septet.
    #[error("part {part}: escape septet at offset {offset} ends the part")]
    DanglingEscape {
        /// The part.
        part: usize,
        /// Septet offset in the part.
        offset: usize,
    },
    /// UCS-2 octets of odd length, or a surrogate without its pair.
    #[error("part {part}: invalid UTF-16 at octet {offset}")]
    InvalidUtf16 {
        /// The part.
        part: usize,
        /// Octet offset in the payload.
        offset: usize,
    },
    /// The concatenation headers of the parts do not describe one complete message.
    #[error("part {part}: concatenation header does not match ({reason})")]
    Concatenation {
        /// The part.
        part: usize,
        /// What does not match.
        reason: &'static str,
    },
}

/// What a user data header says.
#[derive(Debug, Default)]
struct Header {
    /// (reference, total, sequence)
    concat: Option<(u16, u8, u8)>,
    national: National,
}

fn parse_header(part: usize, udh: &[u8]) -> Result<Header, DecodeError> {
    let mut header = Header::default();
    let Some((&length, elements)) = udh.split_first() else {
        return Ok(header);
    };
    if usize::from(length) != elements.len() {
        return Err(DecodeError::MalformedHeader { part, offset: 0 });
    }
    let mut i = 0;
    while i < elements.len() {
        let malformed = DecodeError::MalformedHeader {
            part,
            offset: i + 1,
        };
        let (&iei, &len) = match (elements.get(i), elements.get(i + 1)) {
            (Some(a), Some(b)) => (a, b),
            _ => return Err(malformed),
        };
        let data = elements
            .get(i + 2..i + 2 + usize::from(len))
            .ok_or(malformed.clone())?;
        match (iei, data) {
            (0x00, &[reference, total, seq]) => {
                header.concat = Some((u16::from(reference), total, seq))
            }
            (0x08, &[hi, lo, total, seq]) => {
                header.concat = Some((u16::from_be_bytes([hi, lo]), total, seq))
            }
            (0x24, &[id]) => header.national.shift = Some(language(part, "single-shift", id)?),
            (0x25, &[id]) => header.national.lock = Some(language(part, "locking-shift", id)?),
            (0x00 | 0x08 | 0x24 | 0x25, _) => return Err(malformed),
            // TS 23.040 §9.2.3.24: a receiving entity ignores elements it does not know.
            _ => {}
        }
        i += 2 + usize::from(len);
    }
    Ok(header)
}

fn language(part: usize, kind: &'static str, id: u8) -> Result<Language, DecodeError> {
    Language::from_id(id)
        .filter(|l| kind == "single-shift" || l.has_locking_shift())
        .ok_or(DecodeError::UnknownLanguage { part, kind, id })
}

/// Reads one part from its TP-DCS, TP-UDHI, TP-UDL and TP-UD fields, as a gateway or
/// handset receives it, and decodes its text.
///
/// ```
/// use smsplan_text::parse_user_data;
///
/// let part = parse_user_data(0, 0x00, false, 10, &[0xE8, 0x32, 0x9B, 0xFD, 0x46, 0x97, 0xD9, 0xEC, 0x37])?;
/// assert_eq!(part.text, "hellohello");
/// # Ok::<(), smsplan_text::DecodeError>(())
/// ```
///
/// # Errors
/// A [`DecodeError`] naming `part` and the offset when the fields are inconsistent or a
/// septet or UTF-16 unit has no character.
pub fn parse_user_data(
    part: usize,
    data_coding: u8,
    udhi: bool,
    user_data_length: usize,
    user_data: &[u8],
) -> Result<EncodedPart, DecodeError> {
    let encoding = match data_coding {
        0x00..=0x3F if data_coding & 0x20 == 0 => match data_coding & 0x0C {
            0x00 => Some(Encoding::Gsm7),
            0x08 => Some(Encoding::Ucs2),
            _ => None,
        },
        0xF0..=0xFF if data_coding & 0x04 == 0 => Some(Encoding::Gsm7),
        _ => None,
    }
    .ok_or(DecodeError::UnsupportedDataCoding { part, data_coding })?;
    let udh = if udhi {
        let length = usize::from(
            *user_data
                .first()
                .ok_or(DecodeError::MalformedHeader { part, offset: 0 })?,
        );
        user_data
            .get(..=length)
            .ok_or(DecodeError::MalformedHeader { part, offset: 0 })?
    } else {
        &[]
    };
    let body = user_data.get(udh.len()..).unwrap_or(&[]);
    let payload = match encoding {
        Encoding::Gsm7 => {
            let header_bits = udh.len() * 8;
            let fill = (7 - header_bits % 7) % 7;
            let header_septets = (header_bits + fill) / 7;
            let count = user_data_length
                .checked_sub(header_septets)
                .ok_or(DecodeError::MalformedHeader { part, offset: 0 })?;
            let septets = gsm::unpack(body, fill as u32, count).ok_or(DecodeError::Truncated {
                part,
                needed: (header_bits + fill + 7 * count).div_ceil(8),
                actual: user_data.len(),
            })?;
            Payload::Gsm7 { septets }
        }
        Encoding::Ucs2 => {
            let octets = user_data_length
                .checked_sub(udh.len())
                .ok_or(DecodeError::MalformedHeader { part, offset: 0 })?;
            let bytes = body.get(..octets).ok_or(DecodeError::Truncated {
                part,
                needed: user_data_length,
                actual: user_data.len(),
            })?;
            Payload::Ucs2 {
                bytes: bytes.to_vec(),
            }
        }
    };
    let udh = udh.to_vec();
    let text = part_text(part, &udh, &payload)?;
    Ok(EncodedPart { udh, payload, text })
}

/// The text of one part, read with the tables its header names.
fn part_text(part: usize, udh: &[u8], payload: &Payload) -> Result<String, DecodeError> {
    let header = parse_header(part, udh)?;
    match payload {
        Payload::Gsm7 { septets } => {
            let alphabet = Alphabet::new(header.national).ok_or(DecodeError::UnknownLanguage {
                part,
                kind: "locking-shift",
                id: header.national.lock.map_or(0, Language::id),
            })?;
            let mut text = String::with_capacity(septets.len());
            let mut iter = septets.iter().copied().enumerate();
            while let Some((offset, septet)) = iter.next() {
                let ch = if septet == gsm::ESCAPE {
                    let (_, next) = iter
                        .next()
                        .ok_or(DecodeError::DanglingEscape { part, offset })?;
                    // TS 23.038 §6.2.1.1: ESC ESC is shown as a space, and an escaped septet
                    // with no single-shift character as the locking-shift character.
                    if next == gsm::ESCAPE {
                        Some(' ')
                    } else {
                        alphabet
                            .decode_shift(next)
                            .or_else(|| alphabet.decode_locking(next))
                    }
                } else {
                    alphabet.decode_locking(septet)
                };
                text.push(ch.ok_or(DecodeError::Unassigned {
                    part,
                    offset,
                    septet,
                })?);
            }
            Ok(text)
        }
        Payload::Ucs2 { bytes } => {
            if bytes.len() % 2 != 0 {
                return Err(DecodeError::InvalidUtf16 {
                    part,
                    offset: bytes.len() - 1,
                });
            }
            let units = bytes.chunks_exact(2).map(|pair| {
                u16::from_be_bytes([
                    pair.first().copied().unwrap_or(0),
                    pair.get(1).copied().unwrap_or(0),
                ])
            });
            let mut text = String::with_capacity(bytes.len() / 2);
            let mut offset = 0;
            for unit in char::decode_utf16(units) {
                let ch = unit.map_err(|_| DecodeError::InvalidUtf16 { part, offset })?;
                offset += 2 * ch.len_utf16();
                text.push(ch);
            }
            Ok(text)
        }
    }
}

/// Decodes parts back to the message, checking that their concatenation headers describe
/// one complete message; parts may come in any order. The text of each part is read from
/// its payload (the `text` field is not trusted).
///
/// ```
/// use smsplan_text::{decode, encode, Options};
///
/// let text = "🎉 ".repeat(40);
/// let mut parts = encode(&text, &Options::default(), 7)?;
/// parts.reverse(); // delivered out of order
/// assert_eq!(decode(&parts)?, text);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// A [`DecodeError`] when a part cannot be read or the parts are not one whole message.
pub fn decode(parts: &[EncodedPart]) -> Result<String, DecodeError> {
    let mut pieces = Vec::with_capacity(parts.len());
    let mut reference = None;
    for (index, part) in parts.iter().enumerate() {
        let header = parse_header(index, &part.udh)?;
        let text = part_text(index, &part.udh, &part.payload)?;
        let seq = match header.concat {
            None if parts.len() == 1 => 1,
            None => {
                return Err(DecodeError::Concatenation {
                    part: index,
                    reason: "no concatenation element",
                });
            }
            Some((r, total, seq)) => {
                if usize::from(total) != parts.len() {
                    return Err(DecodeError::Concatenation {
                        part: index,
                        reason: "total differs from the parts given",
                    });
                }
                if *reference.get_or_insert(r) != r {
                    return Err(DecodeError::Concatenation {
                        part: index,
                        reason: "reference differs",
                    });
                }
                seq
            }
        };
        pieces.push((seq, index, text));
    }
    pieces.sort_by_key(|&(seq, _, _)| seq);
    let mut out = String::new();
    for (position, (seq, index, text)) in pieces.into_iter().enumerate() {
        if usize::from(seq) != position + 1 {
            return Err(DecodeError::Concatenation {
                part: index,
                reason: "sequence numbers are not 1..=total",
            });
        }
        out.push_str(&text);
    }
    Ok(out)
}
