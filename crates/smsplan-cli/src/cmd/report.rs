//! `smsplan report PLAN.json -o report.html`: the HTML report of a send plan.
//!
//! Reads a plan (`smsplan.plan/v1`, or the JSON array `smsplan plan` writes for a recurring
//! campaign) from `FILE` or standard input (`-`) and writes one self-contained HTML page to
//! standard output or `-o FILE`. The page is rendered whole before anything is written, and
//! `-o FILE` is replaced only when the command succeeds, so a plan that cannot be read
//! leaves an existing report as it was (exit status 2).
//!
//! With `--db FILE ID` the plan is the stored campaign's newest, and the page gains the
//! "Delivery" section from the store: percent completed over time, delivery states,
//! failures by operator error code, opt-outs received.

use std::io::Write;

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use smsplan_core::approval::CampaignId;
use smsplan_core::contact::ConsentStatus;
use smsplan_core::phone::PhoneNumber;
use smsplan_formats::v1::plan as wire;
use smsplan_provider::delivery::{DeliveryState, Stage};
use smsplan_provider::dispatch::message_id;
use smsplan_provider::gateway::MessageId;
use smsplan_report::{Delivery, PlanReport, ProgressPoint, ReportError};
use smsplan_store::{MessageSummary, RowOutcome, SqliteStore, Store};

use crate::inout::{Input, Io, Status};
use crate::jsonl::CliError;

/// Arguments of `smsplan report`.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  smsplan plan campaign.json --now 2026-12-20T10:00:00+01:00 -o plan.json
  smsplan report plan.json -o report.html
  smsplan report --db campaigns.db winter -o report.html")]
pub struct Args {
    /// The plan (`smsplan.plan/v1`), or `-` for standard input; with `--db`, the id of a
    /// stored campaign.
    #[arg(value_parser = Input::parser(), value_name = "PLAN|ID")]
    pub plan: Input,
    /// A campaign store (`smsplan campaign --db`): report on its campaign `ID`, with the
    /// delivery progress.
    #[arg(long, value_name = "FILE")]
    pub db: Option<std::path::PathBuf>,
}

/// Why no report was written.
#[derive(Debug, thiserror::Error)]
pub enum ReportCmdError {
    /// The store could not be read.
    #[error("store {path}")]
    Store {
        /// The file.
        path: String,
        /// Why.
        #[source]
        source: smsplan_store::StoreError,
    },
    /// The store file does not exist (a report never creates one).
    #[error("store {0}: no such file")]
    NoStore(String),
    /// The campaign id is refused.
    #[error("campaign id {0:?}: not a valid id")]
    Id(String),
    /// The campaign has no plan yet.
    #[error("campaign {0}: not prepared yet (smsplan campaign prepare)")]
    NoPlan(String),
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
    if let Some(db) = &args.db {
        return stored(db, args, io);
    }
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

/// The report of a stored campaign, with its delivery.
fn stored(db: &std::path::Path, args: &Args, io: &mut Io) -> Result<Status, CliError> {
    let path = db.display().to_string();
    let store_err = |source| ReportCmdError::Store {
        path: path.clone(),
        source,
    };
    if !db.exists() {
        return Err(ReportCmdError::NoStore(path).into());
    }
    let raw = match &args.plan {
        Input::File(p) => p.to_string_lossy().into_owned(),
        Input::Stdin => "-".to_owned(),
    };
    let id: CampaignId = raw.parse().map_err(|_| ReportCmdError::Id(raw.clone()))?;
    let store = SqliteStore::open(db).map_err(store_err)?;
    let (_, plan) = store
        .latest_plan(&id)
        .map_err(store_err)?
        .ok_or_else(|| ReportCmdError::NoPlan(id.to_string()))?;
    let delivery = delivery(&store, &id, &plan).map_err(store_err)?;
    let html = PlanReport::from_plans([&plan])
        .and_then(|report| report.render(Some(&delivery)))
        .map_err(|source| ReportCmdError::Report {
            path: format!("campaign {id} in {path}"),
            source,
        })?;
    io.out().write_all(html.as_bytes())?;
    Ok(Status::Clean)
}

/// What the store knows of the send: each row's outcome and when it became final.
///
/// A message is final when every part has a final report (its state is the first failed
/// part's, else `delivered`) or when it ended without a submit (expired, opted out,
/// refused, in doubt); its completion time is its last report's, or the outcome's.
fn delivery(
    store: &dyn Store,
    id: &CampaignId,
    plan: &wire::SendPlan,
) -> Result<Delivery, smsplan_store::StoreError> {
    let run = plan.run.as_ref().map(|r| r.key.as_str());
    let summaries: HashMap<MessageId, MessageSummary> = store
        .message_summaries(id)?
        .into_iter()
        .map(|m| (m.message.clone(), m))
        .collect();
    let outcomes: HashMap<MessageId, RowOutcome> = store
        .row_outcomes(id)?
        .into_iter()
        .map(|o| (o.message.clone(), o))
        .collect();
    let consents = store.consents()?;
    let mut out = Delivery::default();
    let mut done: Vec<DateTime<Utc>> = Vec::new();
    for row in &plan.recipients {
        let mid = message_id(id.as_str(), run, &row.contact);
        if let Ok(number) = PhoneNumber::parse_international(&row.phone)
            && consents
                .get(&number)
                .is_some_and(|c| c.status == ConsentStatus::Unsubscribed)
        {
            out.opt_outs += 1;
        }
        if let Some(o) = outcomes.get(&mid) {
            *out.states.entry(o.kind.as_str().to_owned()).or_default() += 1;
            done.push(o.at);
            continue;
        }
        let Some(summary) = summaries.get(&mid) else {
            *out.states.entry("not sent yet".to_owned()).or_default() += 1;
            continue;
        };
        let mut state: Option<(DeliveryState, Option<String>)> = None;
        let mut last: Option<DateTime<Utc>> = None;
        let mut final_parts = 0;
        for part in 1..=summary.parts {
            let Some(d) = store.delivery(&mid, part)? else {
                continue;
            };
            last = Some(last.map_or(d.updated_at, |l| l.max(d.updated_at)));
            if d.state.stage() == Stage::Final {
                final_parts += 1;
            }
            let failed = d.state != DeliveryState::Delivered && d.state.stage() == Stage::Final;
            if state.is_none() || failed {
                state = Some((d.state, d.code.clone()));
            }
        }
        let name = match &state {
            Some((s, code)) => {
                if *s != DeliveryState::Delivered && s.stage() == Stage::Final {
                    let code = code.clone().unwrap_or_else(|| "no code".to_owned());
                    *out.failures_by_code.entry(code).or_default() += 1;
                }
                delivery_name(*s)
            }
            None if summary.abandoned > 0 || summary.intended > 0 => "in doubt",
            None => "submitted, no report yet",
        };
        *out.states.entry(name.to_owned()).or_default() += 1;
        if final_parts == summary.parts
            && let Some(at) = last
        {
            done.push(at);
        }
    }
    done.sort_unstable();
    let total = plan.recipients.len().max(1) as f64;
    let n = done.len();
    let step = n.div_ceil(200).max(1);
    if let Some(first) = done.first() {
        out.progress.push(ProgressPoint {
            at: *first,
            percent: 0.0,
        });
    }
    for (i, at) in done.iter().enumerate() {
        if (i + 1) % step == 0 || i + 1 == n {
            out.progress.push(ProgressPoint {
                at: *at,
                percent: ((i + 1) as f64 * 100.0 / total).min(100.0),
            });
        }
    }
    Ok(out)
}

fn delivery_name(state: DeliveryState) -> &'static str {
    match state {
        DeliveryState::Accepted => "accepted",
        DeliveryState::Buffered => "buffered",
        DeliveryState::Delivered => "delivered",
        DeliveryState::Undeliverable => "undeliverable",
        DeliveryState::Rejected => "rejected",
        DeliveryState::Expired => "expired",
        _ => "other",
    }
}
