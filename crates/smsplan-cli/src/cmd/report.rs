//! `smsplan report PLAN.json -o report.html`: the HTML report of a send plan.
//!
//! Reads a plan (`smsplan.plan/v1`, or the JSON array `smsplan plan` writes for a recurring
//! campaign) from `FILE` or standard input (`-`) and writes one self-contained HTML page to
//! standard output or `-o FILE`. The page is rendered whole before anything is written, and
//! `-o FILE` is replaced only when the command succeeds, so a plan that cannot be read
//! leaves an existing report as it was (exit status 2).

use std::io::Write;

use smsplan_report::{PlanReport, ReportError};

use crate::inout::{Input, Io, Status};
use crate::jsonl::CliError;

/// Arguments of `smsplan report`.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Example:
  smsplan plan campaign.json --now 2026-12-20T10:00:00+01:00 -o plan.json
  smsplan report plan.json -o report.html")]
pub struct Args {
    /// The plan (`smsplan.plan/v1`), or `-` for standard input.
    #[arg(value_parser = Input::parser(), value_name = "PLAN")]
    pub plan: Input,
}

/// Why no report was written.
#[derive(Debug, thiserror::Error)]
pub enum ReportCmdError {
    /// The plan could not be read or reported.
    #[error("{path}")]
    Report {
        /// The file, or `standard input`.
        path: String,
        /// Why.
        #[source]
        source: ReportError,
    },
}

/// Runs `smsplan report`.
///
/// # Errors
/// [`CliError::Read`] for a plan that cannot be opened, [`ReportCmdError`] for one that
/// cannot be read or reported, [`CliError::Io`] when writing fails.
pub fn run(args: &Args, io: &mut Io) -> Result<Status, CliError> {
    let reader = io.open(&args.plan, "PLAN")?;
    let html = PlanReport::read(reader)
        .and_then(|report| report.render(None))
        .map_err(|source| ReportCmdError::Report {
            path: args.plan.name(),
            source,
        })?;
    io.out().write_all(html.as_bytes())?;
    Ok(Status::Clean)
}
