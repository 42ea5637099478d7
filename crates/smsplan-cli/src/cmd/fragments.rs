//! `smsplan fragments`: fragment counts of messages read as JSON lines.

use std::borrow::Cow;
use std::num::NonZeroUsize;

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use smsplan_core::money::{Currency, Money};
use smsplan_core::text::{
    self, Analysis, Boundaries, EncodedPart, Language, LanguageSet, Options, ReferenceSize,
    TextError,
};

use crate::inout::{Input, Io};
use crate::jsonl::{self, CliError, InputProblem, Status};

/// Reads one message per line, either a JSON string or an object `{"text": ..., "id": ...}`,
/// and writes one JSON object per line with its encoding and segments.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Input, one message per line:
  \"Hi Ana, -20% today. STOP 36111\"
  {\"id\": 7, \"text\": \"Soldes d'hiver 🎉\"}

Examples:
  smsplan fragments testdata/sample/messages.jsonl
  echo '\"Hello €\"' | smsplan fragments --split --price 0.045
  smsplan fragments big.jsonl --compact | head")]
pub struct Args {
    /// The messages, as JSON lines (`-`: standard input).
    #[arg(value_name = "FILE", default_value = "-", value_parser = Input::parser())]
    input: Input,
    /// Use 16-bit concatenation references (152 septets / 66 units per part).
    #[arg(long)]
    ref16: bool,
    /// Allow these national single-shift tables (ISO 639-1 codes, comma-separated).
    #[arg(long, value_name = "CODES", value_parser = parse_languages)]
    national_shift: Option<LanguageSet>,
    /// Allow these national locking-shift tables (ISO 639-1 codes, comma-separated).
    #[arg(long, value_name = "CODES", value_parser = parse_languages)]
    national_lock: Option<LanguageSet>,
    /// Never cut a grapheme cluster between parts (may cost extra parts, reported).
    #[arg(long)]
    graphemes: bool,
    /// Also write the text of each part in `"parts"`.
    #[arg(long)]
    split: bool,
    /// With `--split`, write each part as `{"text", "udh", "user_data", "udl"}`: the user
    /// data header in hex, the whole TP-User-Data in hex (the header, then the septets
    /// packed after their fill bits, or the UCS-2 octets big-endian; TS 23.040 9.2.3.24) and
    /// the TP-User-Data-Length (septets, header and fill included, for GSM 7-bit; octets for
    /// UCS-2; TS 23.040 9.2.3.16).
    #[arg(long, requires = "split")]
    pdu: bool,
    /// The concatenation reference number in the headers of `--pdu` (default 0; up to 255,
    /// or 65535 with `--ref16`).
    #[arg(long, value_name = "N", requires = "pdu")]
    reference: Option<u16>,
    /// Replace non-GSM look-alikes (curly quotes, NBSP, dashes, ...) first; the
    /// replacements are listed in `"replacements"`.
    #[arg(long)]
    smart: bool,
    /// Price of one segment (a decimal such as 0.045, not negative): adds `"cost"`.
    #[arg(long, value_name = "DECIMAL")]
    price: Option<String>,
    /// Currency of `--price` (ISO 4217).
    #[arg(long, default_value = "EUR", requires = "price")]
    currency: String,
}

fn parse_languages(value: &str) -> Result<LanguageSet, String> {
    value
        .split(',')
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(|code| {
            Language::from_code(code).ok_or_else(|| {
                format!("unknown national language {code:?} (TS 23.038 has tr, es, pt, bn, gu, hi, kn, ml, or, pa, ta, te, ur)")
            })
        })
        .collect()
}

/// An input object.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Item<'a> {
    #[serde(borrow)]
    text: Cow<'a, str>,
    #[serde(borrow, default)]
    id: Option<&'a RawValue>,
}

#[derive(Debug, Serialize)]
struct NonGsm {
    char: char,
    offset: usize,
}

#[derive(Debug, Serialize)]
struct National {
    shift: Option<&'static str>,
    lock: Option<&'static str>,
}

#[derive(Debug, Serialize)]
struct Replacement {
    offset: usize,
    original: char,
    replacement: &'static str,
}

#[derive(Debug, Serialize)]
struct Report<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<&'a RawValue>,
    encoding: &'static str,
    segments: usize,
    units: usize,
    units_per_segment: usize,
    remaining: usize,
    non_gsm: Vec<NonGsm>,
    national: Option<National>,
    #[serde(skip_serializing_if = "Option::is_none")]
    grapheme_extra_segments: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cost: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    currency: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    replacements: Option<Vec<Replacement>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    parts: Option<Parts<'a>>,
}

impl Report<'_> {
    /// Writes the report as `serde_json::to_writer` does, field by field: the lists of
    /// characters (every one of a CJK text) are most of the output, and the generic
    /// serializer spent more time on them than counting took.
    fn write_compact(&self, out: &mut Vec<u8>) -> serde_json::Result<()> {
        out.push(b'{');
        if let Some(id) = self.id {
            out.extend_from_slice(b"\"id\":");
            out.extend_from_slice(id.get().as_bytes());
            out.push(b',');
        }
        out.extend_from_slice(b"\"encoding\":");
        string(out, self.encoding)?;
        number(out, b",\"segments\":", self.segments)?;
        number(out, b",\"units\":", self.units)?;
        number(out, b",\"units_per_segment\":", self.units_per_segment)?;
        number(out, b",\"remaining\":", self.remaining)?;
        out.extend_from_slice(b",\"non_gsm\":[");
        for (i, c) in self.non_gsm.iter().enumerate() {
            out.extend_from_slice(if i == 0 {
                b"{\"char\":"
            } else {
                b",{\"char\":"
            });
            character(out, c.char)?;
            number(out, b",\"offset\":", c.offset)?;
            out.push(b'}');
        }
        out.extend_from_slice(b"],\"national\":");
        match &self.national {
            None => out.extend_from_slice(b"null"),
            Some(n) => {
                out.extend_from_slice(b"{\"shift\":");
                optional_string(out, n.shift)?;
                out.extend_from_slice(b",\"lock\":");
                optional_string(out, n.lock)?;
                out.push(b'}');
            }
        }
        if let Some(extra) = self.grapheme_extra_segments {
            number(out, b",\"grapheme_extra_segments\":", extra)?;
        }
        if let Some(cost) = &self.cost {
            out.extend_from_slice(b",\"cost\":");
            string(out, cost)?;
        }
        if let Some(currency) = self.currency {
            out.extend_from_slice(b",\"currency\":");
            string(out, currency)?;
        }
        if let Some(replacements) = &self.replacements {
            out.extend_from_slice(b",\"replacements\":[");
            for (i, r) in replacements.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                number(out, b"{\"offset\":", r.offset)?;
                out.extend_from_slice(b",\"original\":");
                character(out, r.original)?;
                out.extend_from_slice(b",\"replacement\":");
                string(out, r.replacement)?;
                out.push(b'}');
            }
            out.push(b']');
        }
        if let Some(parts) = &self.parts {
            out.extend_from_slice(b",\"parts\":");
            serde_json::to_writer(&mut *out, parts)?;
        }
        out.push(b'}');
        Ok(())
    }
}

fn number(out: &mut Vec<u8>, key: &[u8], n: usize) -> serde_json::Result<()> {
    out.extend_from_slice(key);
    // serde_json's integer writer (itoa), not `fmt`.
    serde_json::to_writer(out, &n)
}

fn string(out: &mut Vec<u8>, s: &str) -> serde_json::Result<()> {
    serde_json::to_writer(out, s)
}

fn optional_string(out: &mut Vec<u8>, s: Option<&str>) -> serde_json::Result<()> {
    match s {
        Some(s) => string(out, s),
        None => {
            out.extend_from_slice(b"null");
            Ok(())
        }
    }
}

/// A character as a JSON string; only `"`, `\\` and controls need serde_json's escapes.
fn character(out: &mut Vec<u8>, c: char) -> serde_json::Result<()> {
    if c >= ' ' && c != '"' && c != '\\' {
        let mut utf8 = [0; 4];
        out.push(b'"');
        out.extend_from_slice(c.encode_utf8(&mut utf8).as_bytes());
        out.push(b'"');
        Ok(())
    } else {
        serde_json::to_writer(out, &c)
    }
}

/// The parts of `--split`: their texts, or with `--pdu` their gateway bytes too.
#[derive(Debug, Serialize)]
#[serde(untagged)]
enum Parts<'a> {
    Text(Vec<&'a str>),
    Pdu(Vec<PduPart>),
}

/// One part as a gateway sends it.
#[derive(Debug, Serialize)]
struct PduPart {
    text: String,
    udh: String,
    user_data: String,
    udl: usize,
}

impl From<EncodedPart> for PduPart {
    fn from(part: EncodedPart) -> Self {
        Self {
            udh: hex(&part.udh),
            user_data: hex(&part.user_data()),
            udl: part.user_data_length(),
            text: part.text,
        }
    }
}

/// Upper-case hex, two digits per octet, as PDU tools write it.
fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut out, b| {
            let _ = write!(out, "{b:02X}");
            out
        })
}

#[derive(Debug, Serialize)]
struct ErrorBody {
    kind: &'static str,
    message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    segments: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    max: Option<usize>,
}

/// Runs `smsplan fragments`.
pub fn run(args: &Args, io: &mut Io) -> Result<Status, CliError> {
    let mut options = Options::default()
        .allow_single_shifts(args.national_shift.unwrap_or_default())
        .allow_locking_shifts(args.national_lock.unwrap_or_default());
    if args.ref16 {
        options = options.reference(ReferenceSize::Bits16);
    }
    if args.graphemes {
        options = options.boundaries(Boundaries::Graphemes);
    }
    let price = match &args.price {
        Some(price) => {
            let currency = Currency::parse(&args.currency)
                .map_err(|e| CliError::Usage(format!("--currency: {e}")))?;
            Some(
                Money::parse_price(price, currency)
                    .map_err(|e| CliError::Usage(format!("--price: {e}")))?,
            )
        }
        None => None,
    };
    let reference = args.reference.unwrap_or(0);
    if !args.ref16 && reference > u16::from(u8::MAX) {
        return Err(CliError::Usage(format!(
            "--reference: {reference} does not fit an 8-bit reference (0-255); add --ref16"
        )));
    }
    let input = io.open(&args.input, "FILE")?;
    let style = io.style();
    let threads = std::thread::available_parallelism().unwrap_or(NonZeroUsize::MIN);
    jsonl::for_each_line_parallel(
        input,
        io.out(),
        style,
        threads,
        |_| (),
        |(), line, raw, buf| {
            let item = match read_item(raw) {
                Ok(item) => item,
                Err(problem) => {
                    jsonl::invalid_input(buf, line, &problem)?;
                    return Ok(false);
                }
            };
            answer(&item, &options, args, price, reference, buf)?;
            Ok(true)
        },
    )
}

fn read_item(raw: &str) -> Result<Item<'_>, InputProblem> {
    match raw.trim_start().as_bytes().first() {
        Some(b'"') => Ok(Item {
            text: serde_json::from_str::<Cow<'_, str>>(raw)?,
            id: None,
        }),
        Some(b'{') => Ok(serde_json::from_str::<Item<'_>>(raw)?),
        _ => Err(InputProblem::new(
            "expected a JSON string or an object with \"text\"",
        )),
    }
}

fn answer(
    item: &Item<'_>,
    options: &Options,
    args: &Args,
    price: Option<Money>,
    reference: u16,
    buf: &mut jsonl::Answer,
) -> Result<(), CliError> {
    let smart = args.smart.then(|| text::smart_encode(&item.text));
    let message: &str = smart.as_ref().map_or(&item.text, |s| &s.text);
    let result = if args.pdu {
        text::analyze(message, options).and_then(|analysis| {
            let parts = text::encode(message, options, reference)?;
            let parts = parts.into_iter().map(PduPart::from).collect();
            Ok((analysis, Some(Parts::Pdu(parts))))
        })
    } else if args.split {
        text::split(message, options).map(|s| (s.analysis, Some(Parts::Text(s.parts))))
    } else {
        text::analyze(message, options).map(|a| (a, None))
    };
    match result {
        Ok((analysis, parts)) => {
            let cost = price.map(|p| {
                analysis
                    .cost(p)
                    .map(|m| m.to_string())
                    .unwrap_or_else(|e| e.to_string())
            });
            let report = report(item, &analysis, args, cost, smart.as_ref(), parts);
            buf.json_with(&report, Report::write_compact)?;
        }
        Err(TextError::TooLong { segments, max }) => {
            let error = jsonl::ErrorLine {
                id: item.id,
                error: ErrorBody {
                    kind: "too_long",
                    message: TextError::TooLong { segments, max }.to_string(),
                    segments: Some(segments),
                    max: Some(max),
                },
            };
            buf.json(&error)?;
        }
        Err(other) => {
            let error = jsonl::ErrorLine {
                id: item.id,
                error: ErrorBody {
                    kind: "text",
                    message: other.to_string(),
                    segments: None,
                    max: None,
                },
            };
            buf.json(&error)?;
        }
    }
    Ok(())
}

fn report<'a>(
    item: &Item<'a>,
    analysis: &Analysis,
    args: &'a Args,
    cost: Option<String>,
    smart: Option<&text::SmartText>,
    parts: Option<Parts<'a>>,
) -> Report<'a> {
    Report {
        id: item.id,
        encoding: analysis.encoding.as_str(),
        segments: analysis.segments,
        units: analysis.units,
        units_per_segment: analysis.units_per_segment,
        remaining: analysis.remaining,
        non_gsm: analysis
            .non_gsm
            .iter()
            .map(|c| NonGsm {
                char: c.ch,
                offset: c.offset,
            })
            .collect(),
        national: analysis.national.map(|n| National {
            shift: n.shift.map(Language::code),
            lock: n.lock.map(Language::code),
        }),
        grapheme_extra_segments: args.graphemes.then_some(analysis.grapheme_extra_segments),
        currency: cost.as_ref().map(|_| args.currency.as_str()),
        cost,
        replacements: smart.map(|s| {
            s.replacements
                .iter()
                .map(|r| Replacement {
                    offset: r.offset,
                    original: r.original,
                    replacement: r.replacement,
                })
                .collect()
        }),
        parts,
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    #[derive(Debug, clap::Parser)]
    struct Cli {
        #[command(flatten)]
        args: Args,
    }

    fn texts() -> Vec<String> {
        let mut texts: Vec<String> = [
            "",
            "Hello",
            "Soldes d'hiver 🎉 -20 % aujourd'hui",
            "quote \" backslash \\ tab \t bell \u{7} del \u{7f}",
            "“curly” quotes – dashes … and NBSP\u{a0}here",
            "中文短信测试，每个字符都不在 GSM 字母表中。",
            "ç ê î ô â û ë ï ü ÿ œ æ — Ünïcödé",
            "[]{}~|^€ and \\ extension characters",
        ]
        .map(str::to_owned)
        .to_vec();
        texts.push("a".repeat(400));
        texts.push("€".repeat(90));
        texts.push("🎄".repeat(50));
        texts
    }

    #[test]
    fn the_compact_writer_writes_what_serde_json_writes() {
        let flags: [&[&str]; 7] = [
            &[],
            &["--split"],
            &["--split", "--pdu", "--reference", "7"],
            &["--smart", "--price", "0.045"],
            &["--graphemes", "--price", "0.07", "--currency", "USD"],
            &["--national-shift", "tr,es", "--national-lock", "pt"],
            &["--ref16", "--split", "--smart"],
        ];
        let ids = [None, Some("7"), Some("\"m-1\""), Some("{\"a\": [1, 2]}")];
        let mut checked = 0;
        for flag in flags {
            let args = Cli::try_parse_from(["t"].iter().chain(flag)).unwrap().args;
            let options = Options::default()
                .allow_single_shifts(args.national_shift.unwrap_or_default())
                .allow_locking_shifts(args.national_lock.unwrap_or_default());
            let price = args
                .price
                .as_ref()
                .map(|p| Money::parse_price(p, Currency::parse(&args.currency).unwrap()).unwrap());
            for text in texts() {
                for id in ids {
                    let id = id.map(|raw| serde_json::from_str::<&RawValue>(raw).unwrap());
                    let item = Item {
                        text: Cow::Borrowed(&text),
                        id,
                    };
                    let smart = args.smart.then(|| text::smart_encode(&item.text));
                    let message: &str = smart.as_ref().map_or(&item.text, |s| &s.text);
                    let Ok(split) = text::split(message, &options) else {
                        continue;
                    };
                    let parts = if args.pdu {
                        let parts = text::encode(message, &options, 7).unwrap();
                        Some(Parts::Pdu(parts.into_iter().map(PduPart::from).collect()))
                    } else {
                        args.split.then(|| Parts::Text(split.parts.clone()))
                    };
                    let cost = price.map(|p| split.analysis.cost(p).unwrap().to_string());
                    let report = report(&item, &split.analysis, &args, cost, smart.as_ref(), parts);
                    let mut ours = Vec::new();
                    report.write_compact(&mut ours).unwrap();
                    let theirs = serde_json::to_vec(&report).unwrap();
                    assert_eq!(
                        String::from_utf8(ours).unwrap(),
                        String::from_utf8(theirs).unwrap(),
                        "{flag:?} {text:?}"
                    );
                    checked += 1;
                }
            }
        }
        assert!(checked > 200, "{checked}");
    }
}
