//! `smsplan audience FILE.json`: resolve an audience document (`smsplan.audience/v1`) into
//! recipients, exclusions and counts (`smsplan.audience-result/v1`).

use std::num::NonZeroUsize;

use smsplan_core::audience::{self, Audience};
use smsplan_formats::v1::audience::{AudienceInput, AudienceResult, AudienceSpec, Refresh};

use crate::inout::{Input, Io};
use crate::jsonl::{CliError, Status};

/// Reads an audience document and writes the resolved audience as JSON.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Input: one `smsplan.audience/v1` JSON document (project, contacts, groups, audience).

Examples:
  smsplan audience audience.json -o result.json
  smsplan audience today.json --scheduled monday.json --compact | jq .refresh")]
pub struct Args {
    /// The audience document (`smsplan.audience/v1`; `-`: standard input).
    #[arg(value_name = "FILE", value_parser = Input::parser())]
    file: Input,
    /// The document as it was at scheduling: adds `refresh` (added, removed and renumbered
    /// contacts since then) to the result.
    #[arg(long, value_name = "FILE", value_parser = Input::parser())]
    scheduled: Option<Input>,
    /// Threads that parse numbers (default: every core); the result does not depend on it.
    #[arg(long, value_name = "N")]
    threads: Option<NonZeroUsize>,
}

/// Runs `smsplan audience`.
pub fn run(args: &Args, io: &mut Io) -> Result<Status, CliError> {
    let threads = args
        .threads
        .or_else(|| std::thread::available_parallelism().ok())
        .unwrap_or(NonZeroUsize::MIN);
    let input = load(&args.file, "FILE", io)?;
    let audience = resolve(&input, &args.file, threads)?;
    let mut result = AudienceResult::from(&audience);
    if let Some(file) = &args.scheduled {
        let before = load(file, "--scheduled", io)?;
        let scheduled = resolve(&before, file, threads)?;
        result.refresh = Some(Refresh::from(&audience::refresh(&scheduled, &audience)));
    }
    io.write_document(&result)?;
    Ok(Status::Clean)
}

fn load(file: &Input, what: &str, io: &mut Io) -> Result<AudienceInput, CliError> {
    let name = file.name();
    let text = io.read_to_string(file, what)?;
    let spec =
        parse_spec(&text).map_err(|message| CliError::Input(format!("{name}: {message}")))?;
    drop(text);
    AudienceInput::try_from(spec).map_err(|e| CliError::Input(format!("{name}: {e}")))
}

/// Parses the document; errors give the line and column, and the field path for data errors.
fn parse_spec(text: &str) -> Result<AudienceSpec, String> {
    // The plain parser is faster; the path-tracking one runs again only to explain an error.
    if let Ok(spec) = serde_json::from_str(text) {
        return Ok(spec);
    }
    let mut de = serde_json::Deserializer::from_str(text);
    let spec: AudienceSpec = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let inner = e.inner();
        let at = format!("line {} column {}", inner.line(), inner.column());
        let message = inner.to_string();
        let message = message
            .strip_suffix(&format!(" at {at}"))
            .unwrap_or(&message)
            .to_owned();
        let path = e.path().to_string();
        if inner.is_data() && path != "." {
            format!("{path}: {message} ({at})")
        } else {
            format!("{at}: {message}")
        }
    })?;
    de.end().map_err(|e| {
        format!(
            "line {} column {}: trailing characters",
            e.line(),
            e.column()
        )
    })?;
    Ok(spec)
}

fn resolve<'a>(
    input: &'a AudienceInput,
    file: &Input,
    threads: NonZeroUsize,
) -> Result<Audience<'a>, CliError> {
    audience::resolve_parallel(
        &input.project,
        &input.contacts,
        &input.groups,
        &input.selection,
        threads,
    )
    .map_err(|e| CliError::Input(format!("{}: {e}", file.name())))
}
