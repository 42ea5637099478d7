//! `smsplan plan CAMPAIGN --now RFC3339`: writes the send plan of a campaign.
//!
//! The plan (`smsplan.plan/v1`) is one JSON document; a recurring campaign gives a JSON
//! array with one plan per run. Exit status 0 whenever a plan is written, failing checks
//! included (they show in `checklist`), unless `--fail-on` asks for 3; 2 for input that
//! cannot be planned, with the field path or the line and column of the problem.
//!
//! Contacts come embedded in the campaign, or from `--contacts FILE` (CSV or JSON lines in
//! the layout of `smsplan_formats::v1::contacts`), read row by row; every refused row is
//! reported, then the command fails.

use std::io::{self, IsTerminal, Write};
use std::num::NonZeroUsize;
use std::time::Instant as Clock;

use chrono::{DateTime, Utc};
use smsplan_core::checklist::CheckStatus;
use smsplan_core::plan::{PlanError, SendPlan, plan};
use smsplan_formats::read::{ReadError, from_json};
use smsplan_formats::v1::campaign::CampaignSpec;
use smsplan_formats::v1::contacts::{
    CampaignSettings, ContactLayout, ContactTable, CsvRows, GroupLayout, JsonLinesRows, Layout,
    RowError, TableError,
};
use smsplan_formats::v1::convert::{ConvertError, PlanView, campaign_from_spec};

use crate::inout::{Input, Io, Status, Style};
use crate::jsonl::CliError;

/// Arguments of `smsplan plan`.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Input: a `smsplan.campaign/v1` JSON document (project, contacts, groups, audience, message,
schedule, credits). With --contacts it has no `contacts` key, and no `groups` key when the
contacts name their groups. A contacts file, CSV with a header or one JSON object per line:
  id,phone,email,consent_status,consent_changed_at,consent_source,time_zone,quarantined,groups,first_name
  c1,06 12 34 56 78,ana@example.org,subscribed,2026-01-10T09:00:00+01:00,web form,,,newsletter;vip,Ana
Every other column is a personalization field. A groups file has `id` and `members`
(contact ids separated by `;`).

Examples:
  smsplan plan testdata/sample/campaign.json --now 2026-12-20T10:00:00+01:00 -o plan.json
  smsplan plan testdata/sample/settings.json --contacts testdata/sample/contacts.csv
  smsplan plan campaign.json --fail-on warn --compact > plan.json || echo \"not ready\"")]
pub struct Args {
    /// The campaign (`smsplan.campaign/v1`; `-`: standard input).
    #[arg(value_name = "CAMPAIGN", value_parser = Input::parser())]
    pub campaign: Input,
    /// The contacts, CSV or JSON lines (`.csv`, `.jsonl`; `-`: standard input); the
    /// campaign then has no `contacts` key.
    #[arg(long, value_name = "FILE", value_parser = Input::parser())]
    pub contacts: Option<Input>,
    /// Groups declared with their members (`id`, `members`), CSV or JSON lines, in addition
    /// to the groups the contacts name.
    #[arg(long, value_name = "FILE", value_parser = Input::parser(), requires = "contacts")]
    pub groups: Option<Input>,
    /// The format of `--contacts` and `--groups` when the file name does not tell.
    #[arg(long, value_name = "FORMAT", value_enum)]
    pub table_format: Option<TableFormat>,
    /// The planning instant, RFC 3339 with offset (default: the system clock).
    #[arg(long, value_parser = parse_now)]
    pub now: Option<DateTime<Utc>>,
    /// Worker threads (default: the available cores; at most 256).
    #[arg(long)]
    pub threads: Option<NonZeroUsize>,
    /// Exit with status 3 when a check at or above this level is not passed (`warn`: any
    /// warning or failure; `fail`: a failure); the plan is still written.
    #[arg(long, value_name = "LEVEL", value_enum)]
    pub fail_on: Option<FailOn>,
}

/// The file format of a contacts or groups file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum TableFormat {
    /// CSV with a header line.
    Csv,
    /// One JSON object per line.
    Jsonl,
}

/// The check level `--fail-on` gates on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FailOn {
    /// A warning or a failure.
    Warn,
    /// A failure.
    Fail,
}

impl FailOn {
    fn level(self) -> CheckStatus {
        match self {
            Self::Warn => CheckStatus::Warn,
            Self::Fail => CheckStatus::Fail,
        }
    }
}

/// Reads `--now`: an RFC 3339 instant with its offset.
pub(crate) fn parse_now(s: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| format!("{s:?} is not an RFC 3339 instant with an offset: {e}"))
}

/// Refused rows shown before the count of the others.
const SHOWN_ROW_ERRORS: usize = 20;

/// Why a campaign could not be planned.
#[derive(Debug, thiserror::Error)]
pub enum PlanCmdError {
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
    /// The campaign and the contacts file do not go together.
    #[error("{path}: {error}")]
    Table {
        /// The campaign file.
        path: String,
        /// What.
        error: TableError,
    },
    /// Rows of a contacts or groups file were refused.
    #[error("{path}: {count} rows refused{}", list(errors, *count))]
    Rows {
        /// The file.
        path: String,
        /// The first refused rows.
        errors: Vec<RowError>,
        /// How many rows were refused.
        count: usize,
    },
    /// The contacts or groups file's format is not known.
    #[error(
        "{what} {path}: cannot tell CSV from JSON lines by the name; use .csv or .jsonl, or --table-format"
    )]
    UnknownFormat {
        /// The argument.
        what: &'static str,
        /// The file.
        path: String,
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

fn list(errors: &[RowError], count: usize) -> String {
    let mut out = String::new();
    for e in errors {
        out.push_str("\n  ");
        out.push_str(&e.to_string());
    }
    if count > errors.len() {
        out.push_str(&format!("\n  ... and {} more", count - errors.len()));
    }
    out
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

/// Runs `smsplan plan` at `now`.
///
/// # Errors
/// [`PlanCmdError`] for unreadable, malformed or unplannable input.
pub fn run(args: &Args, now: DateTime<Utc>, io: &mut Io) -> Result<Status, CliError> {
    let path = args.campaign.name();
    let started = Clock::now();
    let text = io.read_to_string(&args.campaign, "CAMPAIGN")?;
    let tty = io::stderr().is_terminal();
    let threads = args
        .threads
        .or_else(|| std::thread::available_parallelism().ok())
        .unwrap_or(NonZeroUsize::MIN);
    let (campaign, progress) = match &args.contacts {
        None => {
            let spec: CampaignSpec = from_json(&text).map_err(|error| PlanCmdError::Format {
                path: path.clone(),
                error,
            })?;
            drop(text);
            let progress = Progress {
                on: spec.contacts.len() >= LARGE,
                tty,
                started,
            };
            progress.step(1, &format!("read {} contacts", spec.contacts.len()));
            let campaign =
                campaign_from_spec(spec, threads).map_err(|source| PlanCmdError::Convert {
                    path: path.clone(),
                    source,
                })?;
            (campaign, progress)
        }
        Some(contacts) => {
            let settings =
                CampaignSettings::from_json(&text).map_err(|error| PlanCmdError::Format {
                    path: path.clone(),
                    error,
                })?;
            drop(text);
            let mut table = ContactTable::new();
            if let Some(groups) = &args.groups {
                read_rows::<GroupLayout>(groups, "--groups", args.table_format, io, |g| {
                    table.declare(g);
                })?;
            }
            read_rows::<ContactLayout>(contacts, "--contacts", args.table_format, io, |c| {
                table.push(c);
            })?;
            let progress = Progress {
                on: table.len() >= LARGE,
                tty,
                started,
            };
            progress.step(1, &format!("read {} contacts", table.len()));
            let campaign = settings
                .into_campaign(table)
                .map_err(|error| PlanCmdError::Table {
                    path: path.clone(),
                    error,
                })?;
            (campaign, progress)
        }
    };
    progress.step(2, "checked the campaign");
    let plans = plan(&campaign, now, threads).map_err(|source| PlanCmdError::Plan {
        path: path.clone(),
        source,
    })?;
    let recipients: usize = plans.iter().map(|p| p.recipients.len()).sum();
    progress.step(3, &format!("planned {recipients} messages"));
    // A million contacts take a while to free: a thread does it while the plan is written
    // (should the system refuse the thread, the campaign is freed here, as it goes).
    let freeing = std::thread::Builder::new()
        .spawn(move || drop(campaign))
        .ok();
    write_plans(&plans, threads, io)?;
    if let Some(freeing) = freeing {
        let _ = freeing.join();
    }
    progress.step(4, "wrote the plan");
    Ok(match args.fail_on {
        Some(level) if !gate(&plans, level.level()) => Status::GateFailed,
        _ => Status::Clean,
    })
}

fn write_plans(plans: &[SendPlan], threads: NonZeroUsize, io: &mut Io) -> Result<(), CliError> {
    let style = io.style();
    let wire: Vec<PlanView<'_>> = plans.iter().map(PlanView).collect();
    let recurring = plans.first().is_some_and(|p| p.run.is_some());
    let mut out = io::BufWriter::with_capacity(1 << 16, io.out());
    match style {
        // Compact: the rows are serialized in parallel, chunk by chunk, in order.
        Style::Compact => {
            if recurring {
                out.write_all(b"[")?;
            }
            for (i, p) in wire.iter().enumerate() {
                if recurring && i > 0 {
                    out.write_all(b",")?;
                }
                p.write_compact(&mut out, threads)?;
            }
            if recurring {
                out.write_all(b"]")?;
            }
        }
        Style::Pretty if recurring => style.write(&mut out, &wire)?,
        Style::Pretty => {
            for p in &wire {
                style.write(&mut out, p)?;
            }
        }
    }
    writeln!(out)?;
    out.flush()?;
    Ok(())
}

/// Whether every check of every plan is below `level`; prints the others on standard error.
fn gate(plans: &[SendPlan], level: CheckStatus) -> bool {
    let mut err = io::stderr().lock();
    let mut passed = true;
    for p in plans {
        for check in p.checklist.checks().iter().filter(|c| c.status >= level) {
            passed = false;
            let run = p
                .run
                .as_ref()
                .map(|r| format!(" (run {})", r.key))
                .unwrap_or_default();
            let _ = writeln!(
                err,
                "smsplan plan: check {} is {}{run}: {}",
                check.id.as_str(),
                check.status.as_str(),
                check.detail
            );
        }
    }
    passed
}

fn format_of(
    input: &Input,
    what: &'static str,
    given: Option<TableFormat>,
) -> Result<TableFormat, PlanCmdError> {
    if let Some(format) = given {
        return Ok(format);
    }
    match input.extension().as_deref() {
        Some("csv") => Ok(TableFormat::Csv),
        Some("jsonl" | "ndjson" | "json") => Ok(TableFormat::Jsonl),
        _ => Err(PlanCmdError::UnknownFormat {
            what,
            path: input.name(),
        }),
    }
}

/// Collects the refused rows of a file; the first [`SHOWN_ROW_ERRORS`] are kept.
#[derive(Default)]
struct Refused {
    errors: Vec<RowError>,
    count: usize,
}

impl Refused {
    fn add(&mut self, error: RowError) {
        self.count += 1;
        if self.errors.len() < SHOWN_ROW_ERRORS {
            self.errors.push(error);
        }
    }

    fn check(self, input: &Input) -> Result<(), PlanCmdError> {
        if self.count == 0 {
            return Ok(());
        }
        Err(PlanCmdError::Rows {
            path: input.name(),
            errors: self.errors,
            count: self.count,
        })
    }
}

fn header_error(input: &Input, error: RowError) -> PlanCmdError {
    PlanCmdError::Rows {
        path: input.name(),
        errors: vec![error],
        count: 1,
    }
}

/// Reads the rows of a contacts or groups file into `add`; every refused row is collected.
fn read_rows<L: Layout>(
    input: &Input,
    what: &'static str,
    format: Option<TableFormat>,
    io: &mut Io,
    mut add: impl FnMut(L::Row),
) -> Result<(), CliError> {
    let format = format_of(input, what, format)?;
    let reader = io.open(input, what)?;
    let mut refused = Refused::default();
    let mut each = |row| match row {
        Ok(row) => add(row),
        Err(error) => refused.add(error),
    };
    match format {
        TableFormat::Csv => CsvRows::<_, L>::new(reader)
            .map_err(|e| header_error(input, e))?
            .for_each(&mut each),
        TableFormat::Jsonl => JsonLinesRows::<_, L>::new(reader).for_each(&mut each),
    }
    Ok(refused.check(input)?)
}
