//! `smsplan audience FILE.json`: resolve an audience document (`smsplan.audience/v1`) into
//! recipients, exclusions and counts (`smsplan.audience-result/v1`).

use std::fs;
use std::io::{self, Read, Write};
use std::num::NonZeroUsize;
use std::path::{Path, PathBuf};

use smsplan_core::audience::{self, Audience};
use smsplan_formats::read::from_json;
use smsplan_formats::v1::audience::{AudienceInput, AudienceResult, AudienceSpec, Refresh};

use crate::jsonl::{CliError, Status};

/// Reads an audience document and writes the resolved audience as JSON.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The audience document (`smsplan.audience/v1`); `-` reads standard input.
    file: PathBuf,
    /// The document as it was at scheduling: adds `refresh` (added, removed and renumbered
    /// contacts since then) to the result.
    #[arg(long, value_name = "FILE")]
    scheduled: Option<PathBuf>,
    /// Threads that parse numbers (default: every core; at most 256); the result does not
    /// depend on it.
    #[arg(long, value_name = "N")]
    threads: Option<NonZeroUsize>,
    /// Write the result on one line instead of indented.
    #[arg(long)]
    compact: bool,
}

/// Runs `smsplan audience`, reading `stdin` when the file is `-`.
pub fn run(args: &Args, stdin: impl Read, output: impl Write) -> Result<Status, CliError> {
    let threads = args
        .threads
        .or_else(|| std::thread::available_parallelism().ok())
        .unwrap_or(NonZeroUsize::MIN);
    let mut stdin = Some(stdin);
    let input = load(&args.file, &mut stdin)?;
    let audience = resolve(&input, &args.file, threads)?;
    let mut result = AudienceResult::try_from(&audience)?;
    if let Some(path) = &args.scheduled {
        let before = load(path, &mut stdin)?;
        let scheduled = resolve(&before, path, threads)?;
        result.refresh = Some(Refresh::try_from(&audience::refresh(
            &scheduled, &audience,
        ))?);
    }
    let mut out = io::BufWriter::with_capacity(1 << 16, output);
    if args.compact {
        serde_json::to_writer(&mut out, &result)?;
    } else {
        serde_json::to_writer_pretty(&mut out, &result)?;
    }
    out.write_all(b"\n")?;
    out.flush()?;
    Ok(Status::Clean)
}

fn load(path: &Path, stdin: &mut Option<impl Read>) -> Result<AudienceInput, CliError> {
    let name = path.display();
    let text = if path.as_os_str() == "-" {
        let mut text = String::new();
        let Some(mut reader) = stdin.take() else {
            return Err(CliError::Usage(
                "standard input (`-`) can be read only once".into(),
            ));
        };
        reader.read_to_string(&mut text)?;
        text
    } else {
        fs::read_to_string(path).map_err(|e| CliError::Input(format!("{name}: {e}")))?
    };
    let spec: AudienceSpec =
        from_json(&text).map_err(|e| CliError::Input(format!("{name}: {e}")))?;
    drop(text);
    AudienceInput::try_from(spec).map_err(|e| CliError::Input(format!("{name}: {e}")))
}

fn resolve<'a>(
    input: &'a AudienceInput,
    path: &Path,
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
        path: path.display().to_string(),
        source,
    })
}
