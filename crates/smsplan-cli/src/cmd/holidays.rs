//! `smsplan holidays`: the public holidays of a built-in calendar in one year.

use smsplan_core::holiday::{BuiltinCalendar, ObservedRule};
use smsplan_formats::v1::policy::HolidayEntry;

use crate::inout::Io;
use crate::jsonl::{CliError, Status};

/// Writes a JSON array of `{"date": "YYYY-MM-DD", "name": "..."}` sorted by date. `us`
/// gives the actual dates, without the observed-day shift unless `--observed`.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  smsplan holidays --calendar fr-alsace-moselle --year 2026
  smsplan holidays --calendar us --year 2027 --observed --pretty")]
pub struct Args {
    /// The calendar: fr, fr-alsace-moselle or us.
    #[arg(long, value_name = "NAME", value_parser = parse_calendar)]
    calendar: BuiltinCalendar,
    /// The year (1583-9999; the legal history is followed from about 1870).
    #[arg(long, value_name = "YYYY")]
    year: i32,
    /// For `us`: the days observed instead (Saturday → Friday, Sunday → Monday; a shifted
    /// day is named "... (observed)").
    #[arg(long)]
    observed: bool,
}

fn parse_calendar(value: &str) -> Result<BuiltinCalendar, String> {
    value.parse().map_err(|e| format!("{e}"))
}

/// Runs the command.
pub fn run(args: &Args, io: &mut Io) -> Result<Status, CliError> {
    let calendar = match (args.calendar, args.observed) {
        (BuiltinCalendar::UsFederal, true) => {
            args.calendar.calendar().observed(ObservedRule::UsFederal)
        }
        (other, true) => {
            return Err(CliError::Usage(format!(
                "--observed: calendar {other} has no observed-day rule (only us)"
            )));
        }
        (other, false) => other.calendar(),
    };
    let days = calendar
        .holidays_in(args.year)
        .map_err(|e| CliError::Usage(format!("--year: {e}")))?;
    let entries: Vec<HolidayEntry> = days
        .iter()
        .map(|h| HolidayEntry {
            date: h.date().to_string(),
            name: h.name().to_owned(),
        })
        .collect();
    io.write_document(&entries)?;
    Ok(Status::Clean)
}
