//! `smsplan audience FILE.json`: resolve an audience document (`smsplan.audience/v1`) into
//! recipients, exclusions and counts (`smsplan.audience-result/v1`).

use std::num::NonZeroUsize;

use smsplan_core::audience::{self, Audience};
use smsplan_formats::read::from_json;
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
    /// Threads that parse numbers (default: every core; at most 256); the result does not
    /// depend on it.
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
    let mut result = AudienceResult::try_from(&audience)?;
    if let Some(file) = &args.scheduled {
        let before = load(file, "--scheduled", io)?;
        let scheduled = resolve(&before, file, threads)?;
        result.refresh = Some(Refresh::try_from(&audience::refresh(
            &scheduled, &audience,
        ))?);
    }
    io.write_document(&result)?;
    Ok(Status::Clean)
}

fn load(file: &Input, what: &str, io: &mut Io) -> Result<AudienceInput, CliError> {
    let name = file.name();
    let text = io.read_to_string(file, what)?;
    let spec: AudienceSpec =
        from_json(&text).map_err(|e| CliError::Input(format!("{name}: {e}")))?;
    drop(text);
    AudienceInput::try_from(spec).map_err(|e| CliError::Input(format!("{name}: {e}")))
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
    .map_err(|source| CliError::Audience {
        path: file.name().to_string(),
        source,
    })
}
