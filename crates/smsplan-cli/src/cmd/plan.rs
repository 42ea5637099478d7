//! `smsplan plan CAMPAIGN.json --now RFC3339`: writes the send plan of a campaign.
//!
//! The plan (`smsplan.plan/v1`) goes to standard output, one JSON document; a recurring
//! campaign gives a JSON array with one plan per run. Exit status 0 whenever a plan is
//! written, failing checks included (they show in `checklist`); 2 for input that cannot be
//! planned, with the field path or the line and column of the problem.

use std::io::{self, IsTerminal, Write};
use std::num::NonZeroUsize;
use std::path::PathBuf;
use std::time::Instant as Clock;

use chrono::{DateTime, Utc};
use smsplan_core::plan::{Campaign, PlanError, plan};
use smsplan_formats::read::{ReadError, from_json};
use smsplan_formats::v1::campaign::CampaignSpec;
use smsplan_formats::v1::convert::{ConvertError, PlanView};

/// Arguments of `smsplan plan`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The campaign file (`smsplan.campaign/v1`).
    pub campaign: PathBuf,
    /// The planning instant, RFC 3339 with offset (default: the system clock).
    #[arg(long, value_parser = parse_now)]
    pub now: Option<DateTime<Utc>>,
    /// Worker threads (default: the available cores; at most 256).
    #[arg(long)]
    pub threads: Option<NonZeroUsize>,
    /// Indent the JSON output.
    #[arg(long)]
    pub pretty: bool,
}

fn parse_now(s: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| format!("{s:?} is not an RFC 3339 instant with an offset: {e}"))
}

/// Why a campaign could not be planned.
#[derive(Debug, thiserror::Error)]
pub enum PlanCmdError {
    /// The file could not be read.
    #[error("cannot read {path}: {error}")]
    Read {
        /// The file.
        path: String,
        /// Why.
        error: io::Error,
    },
    /// The file is not a valid campaign document.
    #[error("{path}: {error}")]
    Format {
        /// The file.
        path: String,
        /// Where and what.
        error: ReadError,
    },
    /// A value is refused by the domain.
    #[error("{path}")]
    Convert {
        /// The file.
        path: String,
        /// Where and what.
        #[source]
        source: ConvertError,
    },
    /// Planning failed.
    #[error("{path}")]
    Plan {
        /// The file.
        path: String,
        /// Why.
        #[source]
        source: PlanError,
    },
}

/// Reports phases on standard error for large audiences (a bar on a terminal).
struct Progress {
    on: bool,
    tty: bool,
    started: Clock,
}

impl Progress {
    const STEPS: usize = 4;

    fn step(&self, n: usize, what: &str) {
        if !self.on {
            return;
        }
        let mut err = io::stderr().lock();
        let secs = self.started.elapsed().as_secs_f64();
        let _ = if self.tty {
            let bar: String = (0..Self::STEPS)
                .map(|i| if i < n { '#' } else { '-' })
                .collect();
            write!(
                err,
                "\r\x1b[2K[{bar}] {n}/{} {what} ({secs:.1} s)",
                Self::STEPS
            )
            .and_then(|()| {
                if n == Self::STEPS {
                    writeln!(err)
                } else {
                    Ok(())
                }
            })
        } else {
            writeln!(err, "smsplan plan: {what} ({secs:.1} s)")
        };
    }
}

/// Contacts from which phases are reported on standard error.
const LARGE: usize = 10_000;

/// Runs `smsplan plan`.
///
/// # Errors
/// [`PlanCmdError`] for unreadable, malformed or unplannable input.
pub fn run(args: &Args, now: DateTime<Utc>, out: impl Write) -> Result<(), crate::jsonl::CliError> {
    let path = args.campaign.display().to_string();
    let started = Clock::now();
    let text = std::fs::read_to_string(&args.campaign).map_err(|error| PlanCmdError::Read {
        path: path.clone(),
        error,
    })?;
    let spec: CampaignSpec = from_json(&text).map_err(|error| PlanCmdError::Format {
        path: path.clone(),
        error,
    })?;
    drop(text);
    let progress = Progress {
        on: spec.contacts.len() >= LARGE,
        tty: io::stderr().is_terminal(),
        started,
    };
    progress.step(1, &format!("read {} contacts", spec.contacts.len()));
    let campaign = Campaign::try_from(spec).map_err(|source| PlanCmdError::Convert {
        path: path.clone(),
        source,
    })?;
    progress.step(2, "checked the campaign");
    let threads = args
        .threads
        .or_else(|| std::thread::available_parallelism().ok())
        .unwrap_or(NonZeroUsize::MIN);
    let plans = plan(&campaign, now, threads).map_err(|source| PlanCmdError::Plan {
        path: path.clone(),
        source,
    })?;
    let recipients: usize = plans.iter().map(|p| p.recipients.len()).sum();
    progress.step(3, &format!("planned {recipients} messages"));
    drop(campaign);
    let wire: Vec<PlanView<'_>> = plans.iter().map(PlanView).collect();
    let mut out = io::BufWriter::with_capacity(1 << 16, out);
    let recurring = plans.first().is_some_and(|p| p.run.is_some());
    match (recurring, args.pretty) {
        (true, true) => serde_json::to_writer_pretty(&mut out, &wire)?,
        (true, false) => serde_json::to_writer(&mut out, &wire)?,
        (false, pretty) => {
            for p in &wire {
                if pretty {
                    serde_json::to_writer_pretty(&mut out, p)?;
                } else {
                    serde_json::to_writer(&mut out, p)?;
                }
            }
        }
    }
    writeln!(out)?;
    out.flush()?;
    progress.step(4, "wrote the plan");
    Ok(())
}
