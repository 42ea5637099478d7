//! `smsplan window`: whether a policy allows a send at an instant in a recipient's zones, and
//! when the next allowed window opens and ends.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use smsplan_core::phone::{PhoneNumber, RawNumber};
use smsplan_core::window::{Intersection, Policy, WindowError};
use smsplan_formats::read::from_json;
use smsplan_formats::v1::policy::{PolicySpec, WindowAnswer};

use crate::inout::{Input, Io};
use crate::jsonl::{CliError, Status};

/// Writes one JSON object `{"allowed", "next_allowed", "window_end", "tz", "policy"}`.
/// Instants are RFC 3339 in the (first) recipient zone's offset; `next_allowed` is the `--at`
/// instant itself when allowed; `window_end` ends the current window, or the next one when
/// not allowed. Several zones: allowed only when allowed in all, `tz` lists them
/// comma-separated. Several policies (`--policy us-tcpa,us-tx`, or policy files) likewise
/// intersect, and `policy` lists them comma-separated.
#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("rules").required(true).multiple(true).args(["policy", "policy_file"])))]
#[command(group(clap::ArgGroup::new("zone").required(true).args(["tz", "number"])))]
#[command(after_help = "\
Input: the policy files, `smsplan.policy/v1` JSON documents (`-`: standard input).

Examples:
  smsplan window --policy fr-commercial --tz Europe/Paris --at 2026-06-13T19:59:00+02:00
  smsplan window --policy us-tcpa,us-tx --number +12145550123 --at 2026-11-01T08:30:00-05:00
  smsplan window --policy-file shop.json --tz Europe/Paris --at \"$(date -Iseconds)\" \\
    --exit-status && ./send-batch.sh")]
pub struct Args {
    /// A built-in policy: fr-commercial, fr-commercial-2024, fr-alsace-moselle,
    /// fr-operator-legacy, us-tcpa, us-fl, us-ok, us-md, us-ct, us-tx, us-wa, in-trai, vn;
    /// several (comma-separated or repeated) must all allow.
    #[arg(long, value_name = "NAME", value_delimiter = ',')]
    policy: Vec<String>,
    /// A user policy: a `smsplan.policy/v1` JSON file (repeatable; `-`: standard input).
    #[arg(long, value_name = "FILE", value_parser = Input::parser())]
    policy_file: Vec<Input>,
    /// The instant to check (RFC 3339, e.g. 2026-06-13T19:59:00+02:00).
    #[arg(long, value_name = "RFC3339", value_parser = parse_instant)]
    at: DateTime<Utc>,
    /// The recipient's time zone (IANA name); repeat or separate with commas for several.
    #[arg(long, value_name = "IANA", value_delimiter = ',', value_parser = parse_zone)]
    tz: Vec<Tz>,
    /// The recipient's number in E.164 (`+` and country code); its zones come from
    /// libphonenumber's time-zone map, and a number in several zones must be allowed in all.
    /// Read after the arguments, so that an error can mask it (clap would echo it).
    #[arg(long, value_name = "E164")]
    number: Option<String>,
    /// Exit with status 3 when the send is not allowed at `--at` (the answer is still
    /// written), for scripts that gate on it.
    #[arg(long)]
    exit_status: bool,
}

/// The `--number` argument, parsed; its errors show the number masked.
fn parse_number(value: &str) -> Result<PhoneNumber, CliError> {
    PhoneNumber::parse_international(value)
        .map_err(|e| CliError::Usage(format!("--number \"{}\": {e}", RawNumber::new(value))))
}

fn parse_instant(value: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(value)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| format!("not an RFC 3339 instant with offset: {e}"))
}

fn parse_zone(value: &str) -> Result<Tz, String> {
    value
        .parse()
        .map_err(|_| format!("unknown IANA time zone {value:?}"))
}

fn load_file(file: &Input, io: &mut Io) -> Result<Policy, CliError> {
    let fail =
        |e: &dyn std::fmt::Display| CliError::Usage(format!("--policy-file {}: {e}", file.name()));
    let text = io.read_to_string(file, "--policy-file")?;
    let spec: PolicySpec = from_json(&text).map_err(|e| fail(&e))?;
    Policy::try_from(&spec).map_err(|e| fail(&e))
}

fn load_policies(args: &Args, io: &mut Io) -> Result<Vec<Policy>, CliError> {
    let presets = args
        .policy
        .iter()
        .map(|name| Policy::preset(name).map_err(|e| CliError::Usage(format!("--policy: {e}"))));
    let files = args.policy_file.iter().map(|p| load_file(p, io));
    let policies = presets.chain(files).collect::<Result<Vec<_>, _>>()?;
    if policies.is_empty() {
        return Err(CliError::Usage(
            "--policy or --policy-file is required".into(),
        ));
    }
    Ok(policies)
}

/// Runs the command.
pub fn run(args: &Args, io: &mut Io) -> Result<Status, CliError> {
    let policies = load_policies(args, io)?;
    let number = args.number.as_deref().map(parse_number).transpose()?;
    let zones: &[Tz] = match &number {
        Some(number) => number.time_zones(),
        None => &args.tz,
    };
    let Some(first) = zones.first() else {
        return Err(CliError::Usage(match &number {
            Some(n) => format!("--number {n}: its time zone is unknown"),
            None => "--tz: no time zone given".into(),
        }));
    };
    let names = policies
        .iter()
        .map(Policy::name)
        .collect::<Vec<_>>()
        .join(",");
    let refs: Vec<&Policy> = policies.iter().collect();
    let rules = Intersection::product(&refs, zones);
    let window = |source: WindowError| CliError::Window {
        policy: names.clone(),
        source,
    };
    let next = rules.next_allowed(args.at).map_err(window)?;
    let end = rules.window_end(args.at).map_err(window)?;
    let answer = WindowAnswer {
        allowed: next == args.at,
        next_allowed: next.with_timezone(first).to_rfc3339(),
        window_end: end.with_timezone(first).to_rfc3339(),
        tz: zones.iter().map(|z| z.name()).collect::<Vec<_>>().join(","),
        policy: names.clone(),
    };
    io.write_document(&answer)?;
    Ok(if args.exit_status && !answer.allowed {
        Status::GateFailed
    } else {
        Status::Clean
    })
}
