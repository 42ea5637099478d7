//! `smsplan phone`: parse and validate phone numbers read as JSON lines.

use std::borrow::Cow;
use std::num::NonZeroUsize;

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use smsplan_core::phone::{PhoneParser, Region};

use crate::inout::{Input, Io};
use crate::jsonl::{self, CliError, InputProblem, Status};

/// Reads one number per line, either a JSON string (read in `--region`) or an object `{"number": ..., "region": "FR", "id": ...}` (`region` and `id` optional), and
/// writes one JSON object per line: `{"e164", "region", "type", "valid", "time_zones"}`, or
/// `{"error": {"kind", "message"}}` for a number that does not parse or is not valid.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Input, one number per line:
  \"06 12 34 56 78\"
  {\"id\": \"c1\", \"number\": \"(212) 555-0100\", \"region\": \"US\"}

Examples:
  smsplan phone --region FR numbers.jsonl
  echo '\"+33 6 12 34 56 78\"' | smsplan phone")]
pub struct Args {
    /// The numbers, as JSON lines (`-`: standard input).
    #[arg(value_name = "FILE", default_value = "-", value_parser = Input::parser())]
    input: Input,
    /// Default region for national numbers (ISO 3166-1 alpha-2). Without it, numbers must
    /// carry their country code (`+` first) unless their line gives a region.
    #[arg(long, value_name = "CODE", value_parser = parse_region)]
    region: Option<Region>,
}

fn parse_region(value: &str) -> Result<Region, String> {
    Region::parse(value).map_err(|e| e.to_string())
}

/// An input object.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Item<'a> {
    #[serde(borrow)]
    number: Cow<'a, str>,
    #[serde(borrow, default)]
    region: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    id: Option<&'a RawValue>,
}

#[derive(Debug, Serialize)]
struct Report<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<&'a RawValue>,
    e164: &'a str,
    region: Option<&'a str>,
    #[serde(rename = "type")]
    kind: &'static str,
    valid: bool,
    time_zones: Vec<&'static str>,
}

#[derive(Debug, Serialize)]
struct ErrorBody {
    kind: &'static str,
    message: String,
}

/// Runs `smsplan phone`.
pub fn run(args: &Args, io: &mut Io) -> Result<Status, CliError> {
    let input = io.open(&args.input, "FILE")?;
    let style = io.style();
    let threads = std::thread::available_parallelism().unwrap_or(NonZeroUsize::MIN);
    jsonl::for_each_line_parallel(
        input,
        io.out(),
        style,
        threads,
        // The first worker shares the process's parser; each other has its own patterns.
        |worker| {
            if worker == 0 {
                PhoneParser::shared()
            } else {
                PhoneParser::new()
            }
        },
        |parser, line, raw, buf| {
            let (item, region) = match read_item(raw, args.region) {
                Ok(read) => read,
                Err(problem) => {
                    jsonl::invalid_input(buf, line, &problem)?;
                    return Ok(false);
                }
            };
            let parsed = match region {
                Some(region) => parser.parse(&item.number, region),
                None => parser.parse_international(&item.number),
            };
            match parsed {
                Ok(number) => {
                    let region = number.region();
                    let report = Report {
                        id: item.id,
                        e164: number.as_e164(),
                        region: region.as_ref().map(Region::as_str),
                        kind: number.kind().as_str(),
                        valid: true,
                        time_zones: number.time_zones().iter().map(|tz| tz.name()).collect(),
                    };
                    buf.json(&report)?;
                }
                Err(error) => {
                    let line = jsonl::ErrorLine {
                        id: item.id,
                        error: ErrorBody {
                            kind: error.kind(),
                            message: error.to_string(),
                        },
                    };
                    buf.json(&line)?;
                }
            }
            Ok(true)
        },
    )
}

fn read_item(
    raw: &str,
    default: Option<Region>,
) -> Result<(Item<'_>, Option<Region>), InputProblem> {
    let item = match raw.trim_start().as_bytes().first() {
        Some(b'"') => Item {
            number: serde_json::from_str::<Cow<'_, str>>(raw)?,
            region: None,
            id: None,
        },
        Some(b'{') => serde_json::from_str::<Item<'_>>(raw)?,
        _ => {
            return Err(InputProblem::new(
                "expected a JSON string or an object with \"number\"",
            ));
        }
    };
    let region = match &item.region {
        Some(code) => Some(
            Region::parse(code).map_err(|e| InputProblem::new(format!("field `region`: {e}")))?,
        ),
        None => default,
    };
    Ok((item, region))
}
