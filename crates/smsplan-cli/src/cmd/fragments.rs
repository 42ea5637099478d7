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
            buf.json(&report)?;
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
