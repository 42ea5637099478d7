//! `smsplan audience FILE.json`: resolve an audience document (`smsplan.audience/v1`) into
//! recipients, exclusions and counts (`smsplan.audience-result/v1`).

use std::fs;
use std::io::{self, Read, Write};
use std::num::NonZeroUsize;
use std::path::{Path, PathBuf};

use smsplan_core::audience::{self, Audience};
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
    /// Threads that parse numbers (default: every core); the result does not depend on it.
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
        // serde quotes the input: a number in it is personal data.
        let message = smsplan_core::phone::mask_in_text(
            message
                .strip_suffix(&format!(" at {at}"))
                .unwrap_or(&message),
        );
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
    .map_err(|e| CliError::Input(format!("{}: {e}", path.display())))
}
