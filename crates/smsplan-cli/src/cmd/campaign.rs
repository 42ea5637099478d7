//! `smsplan campaign`: the durable campaign workflow over a SQLite store.
//!
//! `--db FILE` names the store (created on first use) and may come before or after the
//! subcommand; every subcommand that records an event takes `--now T` (RFC 3339; default:
//! the clock). Each prints one JSON object on standard output, or a readable summary with
//! `--human` (`kannel-config` prints configuration text). Errors go to standard error with
//! exit status 2; `run` exits 3 when it returns before every row is final (stopped by a
//! signal, waiting for a new approval, cancelled).

use std::io::{IsTerminal, Write};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant as Wall};

use chrono::{DateTime, Utc};
use serde::Serialize;
use smsplan_core::approval::{Actor, CampaignId};
use smsplan_formats::read::from_json;
use smsplan_formats::v1::campaign::CampaignSpec;
use smsplan_provider::gateway::Gateway;
use smsplan_provider::kannel::{
    CallbackListener, CallbackSecret, KannelConfig, KannelGateway, ListenerOptions,
};
use smsplan_provider::memory::{AutoReport, InMemoryGateway};
use smsplan_runtime::{
    Clock, EventSink, Finish, JsonLines, NoEvents, Progress, RunEvent, RunOptions, RunSummary,
    Runner, Status as CampaignStatus, SystemClock, VirtualClock, Workflow,
};
use smsplan_store::{SessionEntry, SqliteStore};

use crate::cmd::plan::parse_now;
use crate::inout::{Input, Io, Status};
use crate::jsonl::CliError;

/// The bundled campaign `demo` runs.
const SAMPLE: &str = include_str!("../../../../testdata/sample/campaign.json");

/// Arguments of `smsplan campaign`.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
The whole lifecycle, one step at a time:
  smsplan campaign --db c.db create testdata/sample/campaign.json --id winter
  smsplan campaign --db c.db prepare winter --now 2026-12-20T10:00:00+01:00
  smsplan campaign --db c.db test-sms winter --to +33612345678 --gateway simulate
  smsplan campaign --db c.db prepare winter --now 2026-12-20T10:05:00+01:00
  smsplan campaign --db c.db approve winter --by bob
  smsplan campaign --db c.db confirm winter --by bob
  smsplan campaign --db c.db run winter --gateway simulate --virtual-clock --now 2026-12-20T10:10:00+01:00
  smsplan campaign --db c.db status winter --human
Or all of it on the bundled campaign, in a temporary store: smsplan campaign demo")]
pub struct Args {
    /// The campaign store, a SQLite file (created on first use).
    #[arg(long, value_name = "FILE", global = true)]
    pub db: Option<PathBuf>,
    /// Print a readable summary instead of JSON.
    #[arg(long, global = true)]
    pub human: bool,
    /// What to do.
    #[command(subcommand)]
    pub command: Sub,
}

/// The subcommands of `smsplan campaign`.
#[derive(Debug, clap::Subcommand)]
pub enum Sub {
    /// Store a campaign (`smsplan.campaign/v1`); prints its id.
    Create(CreateArgs),
    /// Plan the campaign, run its checklist and store the plan with its digest.
    Prepare(StepArgs),
    /// Send the rendered message to a test number and record it.
    TestSms(TestSmsArgs),
    /// Approve the prepared plan (tied to its digest).
    Approve(StepArgs),
    /// Reject the prepared plan, with a reason.
    Reject(ReasonArgs),
    /// Confirm the approved send.
    Confirm(StepArgs),
    /// Cancel the campaign, with a reason: rows not sent are never sent.
    Cancel(ReasonArgs),
    /// Where the campaign stands: counts of rows, state, next window.
    Status(StatusArgs),
    /// The audit trail: who did what, when, why.
    Audit(StatusArgs),
    /// Send the campaign; running it again resumes.
    Run(RunArgs),
    /// Print the kannel.conf groups that bring inbound messages to the listener.
    KannelConfig(KannelConfigArgs),
    /// The whole lifecycle on the bundled campaign, in a temporary store, simulated.
    Demo(DemoArgs),
}

/// Arguments of `create`.
#[derive(Debug, clap::Args)]
pub struct CreateArgs {
    /// The campaign (`smsplan.campaign/v1`; `-`: standard input).
    #[arg(value_name = "CAMPAIGN", value_parser = Input::parser())]
    pub campaign: Input,
    /// The campaign's id (default: its `name`).
    #[arg(long)]
    pub id: Option<String>,
    #[command(flatten)]
    pub when: When,
}

/// The instant and the actor of a step.
#[derive(Debug, Clone, clap::Args)]
pub struct When {
    /// The instant of the step, RFC 3339 with offset (default: the system clock).
    #[arg(long, value_parser = parse_now)]
    pub now: Option<DateTime<Utc>>,
    /// Who does it, for the audit trail (default: $USER, else `operator`).
    #[arg(long, value_name = "NAME")]
    pub by: Option<String>,
}

/// Arguments of a step on a campaign.
#[derive(Debug, clap::Args)]
pub struct StepArgs {
    /// The campaign's id.
    pub id: String,
    #[command(flatten)]
    pub when: When,
}

/// Arguments of `reject` and `cancel`.
#[derive(Debug, clap::Args)]
pub struct ReasonArgs {
    /// The campaign's id.
    pub id: String,
    /// Why (required).
    #[arg(long)]
    pub reason: String,
    #[command(flatten)]
    pub when: When,
}

/// Arguments of `status` and `audit`.
#[derive(Debug, clap::Args)]
pub struct StatusArgs {
    /// The campaign's id.
    pub id: String,
    /// The instant to report at (default: the system clock).
    #[arg(long, value_parser = parse_now)]
    pub now: Option<DateTime<Utc>>,
}

/// Which gateway sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum GatewayKind {
    /// In-process: accepts every message and reports it delivered. A simulation: nothing
    /// leaves the machine.
    Simulate,
    /// Kannel's smsbox over HTTP, with a callback listener for reports and inbound.
    Kannel,
}

/// The gateway options of `run` and `test-sms`.
#[derive(Debug, Clone, clap::Args)]
pub struct GatewayArgs {
    /// The gateway.
    #[arg(long, value_enum)]
    pub gateway: GatewayKind,
    /// smsbox's sendsms URL (`--gateway kannel`).
    #[arg(
        long,
        value_name = "URL",
        default_value = "http://127.0.0.1:13013/cgi-bin/sendsms"
    )]
    pub kannel_url: String,
    /// The sendsms user.
    #[arg(long, value_name = "NAME", default_value = "smsplan")]
    pub kannel_user: String,
    /// The sendsms password (or the `SMSPLAN_KANNEL_PASSWORD` environment variable).
    #[arg(long, value_name = "PASSWORD")]
    pub kannel_password: Option<String>,
    #[command(flatten)]
    pub listener: ListenerArgs,
}

/// Where the callback listener listens.
#[derive(Debug, Clone, clap::Args)]
pub struct ListenerArgs {
    /// The listener's address (loopback by default).
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:14080")]
    pub listen: SocketAddr,
    /// A file holding the callback secret (16 characters or more), shared with the
    /// `get-url` and `dlr-url` Kannel calls.
    #[arg(long, value_name = "FILE")]
    pub secret_file: Option<PathBuf>,
    /// The base URL at which smsbox reaches the listener (default: `http://ADDR`).
    #[arg(long, value_name = "URL")]
    pub callback_url: Option<String>,
}

/// Arguments of `test-sms`.
#[derive(Debug, clap::Args)]
pub struct TestSmsArgs {
    /// The campaign's id.
    pub id: String,
    /// The test number.
    #[arg(long, value_name = "NUMBER")]
    pub to: String,
    /// Render the message of this contact (default: the plan's first recipient).
    #[arg(long, value_name = "CID")]
    pub contact: Option<String>,
    #[command(flatten)]
    pub gateway: GatewayArgs,
    #[command(flatten)]
    pub when: When,
}

/// Arguments of `run`.
#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// The campaign's id.
    pub id: String,
    #[command(flatten)]
    pub gateway: GatewayArgs,
    /// Advance time instantly from event to event, starting at `--now` (a dry run with
    /// `--gateway simulate`).
    #[arg(long)]
    pub virtual_clock: bool,
    /// The start instant of a virtual clock (default: the system clock).
    #[arg(long, value_parser = parse_now)]
    pub now: Option<DateTime<Utc>>,
    /// Write one JSON line per event to FILE.
    #[arg(long, value_name = "FILE")]
    pub events: Option<PathBuf>,
    /// After the last submit, wait at most this many seconds for delivery reports.
    #[arg(long, value_name = "SECONDS", default_value_t = 600)]
    pub report_wait: u64,
}

/// Arguments of `kannel-config`.
#[derive(Debug, clap::Args)]
pub struct KannelConfigArgs {
    #[command(flatten)]
    pub listener: ListenerArgs,
    /// The sendsms user the configuration declares.
    #[arg(long, value_name = "NAME", default_value = "smsplan")]
    pub kannel_user: String,
}

/// Arguments of `demo`.
#[derive(Debug, clap::Args)]
pub struct DemoArgs {
    /// A campaign to run instead of the bundled one.
    #[arg(value_name = "CAMPAIGN", value_parser = Input::parser())]
    pub campaign: Option<Input>,
    /// The instant the lifecycle starts (default: 2026-12-20T10:00:00+01:00, four days
    /// before the bundled campaign's send).
    #[arg(long, value_parser = parse_now)]
    pub now: Option<DateTime<Utc>>,
    /// Write one JSON line per event to FILE.
    #[arg(long, value_name = "FILE")]
    pub events: Option<PathBuf>,
}

/// Why a campaign command failed.
#[derive(Debug, thiserror::Error)]
pub enum CampaignCmdError {
    /// The command needs `--db FILE`.
    #[error("campaign {0}: give the store with --db FILE")]
    NoDb(&'static str),
    /// The store could not be opened.
    #[error("store {path}")]
    Open {
        /// The file.
        path: String,
        /// Why.
        #[source]
        source: smsplan_store::StoreError,
    },
    /// A workflow step failed.
    #[error(transparent)]
    Runtime(#[from] smsplan_runtime::RuntimeError),
    /// The campaign document is invalid.
    #[error("{path}: {error}")]
    Format {
        /// The file.
        path: String,
        /// Where and what.
        error: smsplan_formats::read::ReadError,
    },
    /// A gateway or listener option is wrong.
    #[error("{0}")]
    Gateway(String),
    /// An id or actor name is refused.
    #[error("{what} {value:?}: {problem}")]
    Name {
        /// `campaign id` or `actor`.
        what: &'static str,
        /// The value.
        value: String,
        /// Why.
        problem: String,
    },
}

#[expect(clippy::disallowed_methods, reason = "the cli reads the clock")]
fn clock_now() -> DateTime<Utc> {
    DateTime::from(std::time::SystemTime::now())
}

fn campaign_id(id: &str) -> Result<CampaignId, CampaignCmdError> {
    id.parse().map_err(
        |e: smsplan_core::approval::IdError| CampaignCmdError::Name {
            what: "campaign id",
            value: id.to_owned(),
            problem: e.to_string(),
        },
    )
}

fn actor(when: &When) -> Result<Actor, CampaignCmdError> {
    let name = when
        .by
        .clone()
        .or_else(|| std::env::var("USER").ok().filter(|u| !u.is_empty()))
        .unwrap_or_else(|| "operator".to_owned());
    Actor::new(&name).map_err(|e| CampaignCmdError::Name {
        what: "actor",
        value: name,
        problem: e.to_string(),
    })
}

fn open(db: Option<&Path>, what: &'static str) -> Result<SqliteStore, CampaignCmdError> {
    let path = db.ok_or(CampaignCmdError::NoDb(what))?;
    SqliteStore::open(path).map_err(|source| CampaignCmdError::Open {
        path: path.display().to_string(),
        source,
    })
}

/// Runs `smsplan campaign`.
///
/// # Errors
/// [`CampaignCmdError`] for a failed step, [`CliError::Io`] when writing fails.
pub fn run(args: &Args, io: &mut Io) -> Result<Status, CliError> {
    let db = args.db.as_deref();
    let human = args.human;
    match &args.command {
        Sub::Create(a) => {
            let store = open(db, "create")?;
            let text = io.read_to_string(&a.campaign, "CAMPAIGN")?;
            let spec: CampaignSpec =
                from_json(&text).map_err(|error| CampaignCmdError::Format {
                    path: a.campaign.name(),
                    error,
                })?;
            let id = a.id.as_deref().map(campaign_id).transpose()?;
            let at = a.when.now.unwrap_or_else(clock_now);
            let id = Workflow::new(&store)
                .create(&spec, id, at)
                .map_err(CampaignCmdError::from)?;
            print(
                io,
                human,
                &serde_json::json!({ "campaign": id.as_str() }),
                |o| writeln!(o, "created campaign {id}"),
            )
        }
        Sub::Prepare(a) => {
            let store = open(db, "prepare")?;
            let id = campaign_id(&a.id)?;
            let p = Workflow::new(&store)
                .prepare(&id, &actor(&a.when)?, a.when.now.unwrap_or_else(clock_now))
                .map_err(CampaignCmdError::from)?;
            let json = serde_json::json!({
                "campaign": id.as_str(),
                "state": p.state.as_str(),
                "revision": p.revision,
                "digest": p.digest,
                "consents_applied": p.consents_applied,
                "totals": p.plan.totals,
                "checklist": p.plan.checklist,
            });
            print(io, human, &json, |o| {
                writeln!(
                    o,
                    "campaign {id}: {} (plan revision {}, digest {})",
                    p.state, p.revision, p.digest
                )?;
                let t = &p.plan.totals;
                writeln!(
                    o,
                    "  {} recipients, {} excluded, {} segments, {} {}",
                    t.recipients,
                    t.excluded,
                    t.segments,
                    t.cost.as_str(),
                    t.currency
                )?;
                for c in &p.plan.checklist {
                    writeln!(o, "  [{:?}] {}: {}", c.status, c.id, c.detail)?;
                }
                Ok(())
            })
        }
        Sub::TestSms(a) => {
            let store = open(db, "test-sms")?;
            let id = campaign_id(&a.id)?;
            let at = a.when.now.unwrap_or_else(clock_now);
            let gateway = GatewaySetup::new(&a.gateway)?;
            let sent = Workflow::new(&store)
                .test_sms(&id, &a.to, a.contact.as_deref(), gateway.gateway(), at)
                .map_err(CampaignCmdError::from)?;
            let json = serde_json::json!({
                "campaign": id.as_str(),
                "message": sent.message.as_str(),
                "to": sent.to.to_string(),
                "contact": sent.contact.as_str(),
                "parts": sent.parts,
                "gateway": gateway.label(),
            });
            print(io, human, &json, |o| {
                writeln!(
                    o,
                    "test SMS {} ({} part(s), contact {}) sent to {} via {}",
                    sent.message,
                    sent.parts,
                    sent.contact,
                    sent.to,
                    gateway.label()
                )
            })
        }
        Sub::Approve(a) | Sub::Confirm(a) => {
            let store = open(db, "approve")?;
            let id = campaign_id(&a.id)?;
            let flow = Workflow::new(&store);
            let by = actor(&a.when)?;
            let at = a.when.now.unwrap_or_else(clock_now);
            let (verb, session) = match &args.command {
                Sub::Approve(_) => ("approved", flow.approve(&id, &by, at)),
                _ => ("confirmed", flow.confirm(&id, &by, at)),
            };
            let session = session.map_err(CampaignCmdError::from)?;
            state_answer(io, human, &id, session.state().as_str(), verb, &by)
        }
        Sub::Reject(a) | Sub::Cancel(a) => {
            let store = open(db, "reject")?;
            let id = campaign_id(&a.id)?;
            let flow = Workflow::new(&store);
            let by = actor(&a.when)?;
            let at = a.when.now.unwrap_or_else(clock_now);
            let (verb, session) = match &args.command {
                Sub::Reject(_) => ("rejected", flow.reject(&id, &by, &a.reason, at)),
                _ => ("cancelled", flow.cancel(&id, &by, &a.reason, at)),
            };
            let session = session.map_err(CampaignCmdError::from)?;
            state_answer(io, human, &id, session.state().as_str(), verb, &by)
        }
        Sub::Status(a) => {
            let store = open(db, "status")?;
            let id = campaign_id(&a.id)?;
            let status = Workflow::new(&store)
                .status(&id, a.now.unwrap_or_else(clock_now))
                .map_err(CampaignCmdError::from)?;
            print(io, human, &status, |o| write_status(o, &status))
        }
        Sub::Audit(a) => {
            let store = open(db, "audit")?;
            let id = campaign_id(&a.id)?;
            let entries = Workflow::new(&store)
                .audit(&id)
                .map_err(CampaignCmdError::from)?;
            let json: Vec<_> = entries.iter().map(entry_json).collect();
            print(
                io,
                human,
                &serde_json::json!({ "campaign": id.as_str(), "audit": json }),
                |o| write_audit(o, &entries),
            )
        }
        Sub::Run(a) => {
            let store = open(db, "run")?;
            let id = campaign_id(&a.id)?;
            if a.virtual_clock && a.gateway.gateway != GatewayKind::Simulate {
                return Err(CampaignCmdError::Gateway(
                    "--virtual-clock sends nothing real: use it with --gateway simulate".into(),
                )
                .into());
            }
            let gateway = GatewaySetup::new(&a.gateway)?;
            let start = a.now.unwrap_or_else(clock_now);
            let virtual_clock = VirtualClock::new(start);
            let clock: &dyn Clock = if a.virtual_clock {
                &virtual_clock
            } else {
                &SystemClock
            };
            let options =
                RunOptions::new(owner()).with_report_wait(Duration::from_secs(a.report_wait));
            let summary = send(
                &store,
                &id,
                gateway.gateway(),
                clock,
                options,
                a.events.as_deref(),
            )?;
            finish(io, human, &id, &summary, gateway.label())
        }
        Sub::KannelConfig(a) => {
            let config = kannel_config(
                &a.listener,
                "http://127.0.0.1:13013/cgi-bin/sendsms",
                &a.kannel_user,
                "CHANGE-ME",
            )?;
            let mut text = String::from("# smsplan: paste into kannel.conf (smsbox side)\n");
            text.push_str(&config.conf_snippet());
            io.out().write_all(text.as_bytes())?;
            Ok(Status::Clean)
        }
        Sub::Demo(a) => demo(a, io, human),
    }
}

/// Sends with signals handled: SIGINT and SIGTERM stop the run cleanly.
fn send(
    store: &SqliteStore,
    id: &CampaignId,
    gateway: &dyn Gateway,
    clock: &dyn Clock,
    options: RunOptions,
    events: Option<&Path>,
) -> Result<RunSummary, CliError> {
    let stop = Arc::new(AtomicBool::new(false));
    for signal in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        signal_hook::flag::register(signal, Arc::clone(&stop))?;
    }
    let mut sink: Box<dyn EventSink> = match events {
        Some(path) => Box::new(JsonLines(std::io::BufWriter::new(
            std::fs::File::create(path).map_err(|error| CliError::Output {
                path: path.display().to_string(),
                error,
            })?,
        ))),
        None => Box::new(NoEvents),
    };
    let mut bar = Bar::new();
    let runner = Runner::new(store, gateway, clock, options, &stop);
    let summary = runner
        .run(id, sink.as_mut(), &mut |p| bar.show(p))
        .map_err(CampaignCmdError::from);
    bar.done();
    drop(sink);
    Ok(summary?)
}

/// A progress bar on a terminal (indicatif), one plain line every few seconds otherwise.
struct Bar {
    bar: Option<indicatif::ProgressBar>,
    last: Option<Wall>,
}

impl Bar {
    fn new() -> Self {
        Self {
            bar: None,
            last: None,
        }
    }

    fn show(&mut self, p: &Progress) {
        let tty = std::io::stderr().is_terminal();
        if tty {
            let bar = self.bar.get_or_insert_with(|| {
                let bar = indicatif::ProgressBar::new(p.recipients as u64);
                if let Ok(style) =
                    indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} rows, {msg}")
                {
                    bar.set_style(style);
                }
                bar
            });
            bar.set_position(p.settled as u64);
            bar.set_message(format!(
                "{} parts, {} at {}",
                p.parts_submitted,
                p.state,
                p.at.format("%Y-%m-%d %H:%M:%SZ")
            ));
            return;
        }
        if self
            .last
            .is_none_or(|t| t.elapsed() >= Duration::from_secs(3))
        {
            self.last = Some(Wall::now());
            let _ = writeln!(
                std::io::stderr(),
                "smsplan campaign run: {}/{} rows settled, {} parts submitted, {} at {}",
                p.settled,
                p.recipients,
                p.parts_submitted,
                p.state,
                p.at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
            );
        }
    }

    fn done(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
    }
}

/// `host:pid`, the lease's owner.
fn owner() -> String {
    let host = std::fs::read_to_string("/etc/hostname")
        .map(|h| h.trim().to_owned())
        .unwrap_or_else(|_| "host".into());
    format!("{host}:{}", std::process::id())
}

/// The gateway a command sends through, with its listener.
enum GatewaySetup {
    Simulate(InMemoryGateway),
    Kannel {
        gateway: KannelGateway,
        /// Serves the callbacks while the command runs.
        _listener: CallbackListener,
    },
}

impl GatewaySetup {
    fn new(args: &GatewayArgs) -> Result<Self, CampaignCmdError> {
        match args.gateway {
            GatewayKind::Simulate => Ok(Self::Simulate(
                InMemoryGateway::default().with_auto_reports(AutoReport::Delivered),
            )),
            GatewayKind::Kannel => {
                let password = args
                    .kannel_password
                    .clone()
                    .or_else(|| std::env::var("SMSPLAN_KANNEL_PASSWORD").ok())
                    .ok_or_else(|| {
                        CampaignCmdError::Gateway(
                            "--gateway kannel needs --kannel-password (or SMSPLAN_KANNEL_PASSWORD)"
                                .into(),
                        )
                    })?;
                let config = kannel_config(
                    &args.listener,
                    &args.kannel_url,
                    &args.kannel_user,
                    &password,
                )?;
                let gateway = KannelGateway::new(config);
                let listener = CallbackListener::start(
                    gateway.callbacks(),
                    ListenerOptions::default().bind_to(args.listener.listen),
                )
                .map_err(|e| {
                    CampaignCmdError::Gateway(format!(
                        "callback listener on {}: {e}",
                        args.listener.listen
                    ))
                })?;
                Ok(Self::Kannel {
                    gateway,
                    _listener: listener,
                })
            }
        }
    }

    fn gateway(&self) -> &dyn Gateway {
        match self {
            Self::Simulate(g) => g,
            Self::Kannel { gateway, .. } => gateway,
        }
    }

    fn label(&self) -> &'static str {
        match self {
            Self::Simulate(_) => "simulate (nothing was sent: an in-process simulation)",
            Self::Kannel { .. } => "kannel",
        }
    }
}

fn kannel_config(
    listener: &ListenerArgs,
    url: &str,
    user: &str,
    password: &str,
) -> Result<KannelConfig, CampaignCmdError> {
    let secret = match &listener.secret_file {
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|e| {
                CampaignCmdError::Gateway(format!("--secret-file {}: {e}", path.display()))
            })?;
            CallbackSecret::new(text.trim()).map_err(|e| {
                CampaignCmdError::Gateway(format!("--secret-file {}: {e}", path.display()))
            })?
        }
        None => {
            return Err(CampaignCmdError::Gateway(
                "the callback listener needs --secret-file FILE (a secret of 16 characters or more)".into(),
            ));
        }
    };
    let callback = listener
        .callback_url
        .clone()
        .unwrap_or_else(|| format!("http://{}", listener.listen));
    KannelConfig::new(url, user, password, &callback, secret).map_err(|e| {
        CampaignCmdError::Gateway(format!(
            "kannel configuration: {}",
            smsplan_core::error::Chain(&e)
        ))
    })
}

/// The lifecycle on the bundled campaign: create → prepare → test SMS → prepare →
/// approve → confirm → run, in a temporary store, simulated, on a virtual clock.
fn demo(a: &DemoArgs, io: &mut Io, human: bool) -> Result<Status, CliError> {
    let text = match &a.campaign {
        Some(input) => io.read_to_string(input, "CAMPAIGN")?,
        None => SAMPLE.to_owned(),
    };
    let spec: CampaignSpec = from_json(&text).map_err(|error| CampaignCmdError::Format {
        path: a
            .campaign
            .as_ref()
            .map_or_else(|| "bundled campaign".into(), Input::name),
        error,
    })?;
    let dir = std::env::temp_dir().join(format!("smsplan-demo-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let db = dir.join("campaigns.db");
    let result = demo_in(&db, &spec, a, io, human);
    let _ = std::fs::remove_dir_all(&dir);
    result
}

fn demo_in(
    db: &Path,
    spec: &CampaignSpec,
    a: &DemoArgs,
    io: &mut Io,
    human: bool,
) -> Result<Status, CliError> {
    let store = open(Some(db), "demo")?;
    let flow = Workflow::new(&store);
    let start = a
        .now
        .or_else(|| parse_now("2026-12-20T10:00:00+01:00").ok())
        .unwrap_or_else(clock_now);
    let minutes = |m: i64| start + chrono::Duration::minutes(m);
    let (ana, bob) = (actor_named("ana")?, actor_named("bob")?);
    let mut log = Vec::new();
    let id = flow
        .create(spec, None, start)
        .map_err(CampaignCmdError::from)?;
    log.push(format!(
        "created campaign {id} in a temporary store ({})",
        db.display()
    ));
    let gateway = InMemoryGateway::default().with_auto_reports(AutoReport::Delivered);
    let p = flow
        .prepare(&id, &ana, minutes(1))
        .map_err(CampaignCmdError::from)?;
    log.push(format!(
        "prepared by ana: {} ({} recipients)",
        p.state, p.plan.totals.recipients
    ));
    let test_to = p
        .plan
        .recipients
        .first()
        .map(|r| r.phone.clone())
        .unwrap_or_default();
    let sent = flow
        .test_sms(&id, &test_to, None, &gateway, minutes(2))
        .map_err(CampaignCmdError::from)?;
    log.push(format!(
        "test SMS sent to {} ({} part(s), simulated)",
        sent.to, sent.parts
    ));
    let p = flow
        .prepare(&id, &ana, minutes(3))
        .map_err(CampaignCmdError::from)?;
    log.push(format!(
        "prepared again by ana: {} (digest {})",
        p.state, p.digest
    ));
    flow.approve(&id, &bob, minutes(10))
        .map_err(CampaignCmdError::from)?;
    log.push("approved by bob".to_owned());
    flow.confirm(&id, &bob, minutes(11))
        .map_err(CampaignCmdError::from)?;
    log.push("confirmed by bob".to_owned());
    let clock = VirtualClock::new(minutes(12));
    let mut events: Vec<RunEvent> = Vec::new();
    let stop = AtomicBool::new(false);
    let summary = Runner::new(&store, &gateway, &clock, RunOptions::new(owner()), &stop)
        .run(&id, &mut events, &mut |_| {})
        .map_err(CampaignCmdError::from)?;
    if let Some(path) = &a.events {
        let mut out = JsonLines(std::io::BufWriter::new(
            std::fs::File::create(path).map_err(|error| CliError::Output {
                path: path.display().to_string(),
                error,
            })?,
        ));
        for e in &events {
            out.emit(e)?;
        }
        out.0.flush()?;
    }
    let holds: Vec<String> = events
        .iter()
        .filter(|e| {
            matches!(
                e.event,
                smsplan_runtime::EventKind::Held | smsplan_runtime::EventKind::Resumed
            )
        })
        .map(|e| match &e.until {
            Some(until) => format!("{} held until {until}", e.at),
            None => format!("{} resumed", e.at),
        })
        .collect();
    let audit = flow.audit(&id).map_err(CampaignCmdError::from)?;
    let first = events
        .iter()
        .find(|e| e.event == smsplan_runtime::EventKind::Submitted);
    let last = events
        .iter()
        .rev()
        .find(|e| e.event == smsplan_runtime::EventKind::Submitted);
    let json = serde_json::json!({
        "campaign": id.as_str(),
        "gateway": "simulate (nothing was sent: an in-process simulation)",
        "steps": log,
        "first_submit": first.map(|e| e.at.clone()),
        "last_submit": last.map(|e| e.at.clone()),
        "holds": holds,
        "audit": audit.iter().map(entry_json).collect::<Vec<_>>(),
        "finish": summary.finish.as_str(),
        "status": summary.status,
    });
    print(io, human, &json, |o| {
        writeln!(
            o,
            "smsplan campaign demo: the bundled campaign, simulated on a virtual clock (nothing is sent)"
        )?;
        for step in &log {
            writeln!(o, "  {step}")?;
        }
        if let (Some(f), Some(l)) = (first, last) {
            writeln!(o, "  first submit {}, last submit {}", f.at, l.at)?;
        }
        if holds.is_empty() {
            writeln!(
                o,
                "  holds: none (every row fits its window at the sender's pace)"
            )?;
        }
        for h in &holds {
            writeln!(o, "  {h}")?;
        }
        writeln!(o, "audit trail:")?;
        write_audit(o, &audit)?;
        writeln!(o, "finished: {}", summary.finish.as_str())?;
        write_status(o, &summary.status)
    })?;
    Ok(finish_status(&summary))
}

fn actor_named(name: &str) -> Result<Actor, CampaignCmdError> {
    Actor::new(name).map_err(|e| CampaignCmdError::Name {
        what: "actor",
        value: name.to_owned(),
        problem: e.to_string(),
    })
}

fn finish_status(summary: &RunSummary) -> Status {
    match summary.finish {
        Finish::Completed | Finish::Expired | Finish::AlreadyOver(_) => Status::Clean,
        _ => Status::GateFailed,
    }
}

fn finish(
    io: &mut Io,
    human: bool,
    id: &CampaignId,
    summary: &RunSummary,
    gateway: &str,
) -> Result<Status, CliError> {
    let mut json = serde_json::json!({
        "campaign": id.as_str(),
        "gateway": gateway,
        "finish": summary.finish.as_str(),
        "parts_submitted": summary.parts_submitted,
        "in_doubt_settled": summary.in_doubt_settled,
        "holds": summary.holds,
        "inbound": summary.inbound,
        "replies": summary.replies,
        "status": summary.status,
    });
    if let Finish::AwaitingApproval { reopens } = summary.finish
        && let Some(map) = json.as_object_mut()
    {
        map.insert("reopens".into(), reopens.to_rfc3339().into());
    }
    print(io, human, &json, |o| {
        writeln!(
            o,
            "campaign {id}: run {} via {gateway}",
            summary.finish.as_str()
        )?;
        writeln!(
            o,
            "  {} parts submitted by this run, {} holds, {} inbound, {} replies, {} in doubt settled",
            summary.parts_submitted,
            summary.holds,
            summary.inbound,
            summary.replies,
            summary.in_doubt_settled
        )?;
        write_status(o, &summary.status)
    })?;
    Ok(finish_status(summary))
}

fn state_answer(
    io: &mut Io,
    human: bool,
    id: &CampaignId,
    state: &str,
    verb: &str,
    by: &Actor,
) -> Result<Status, CliError> {
    let json = serde_json::json!({ "campaign": id.as_str(), "state": state, "by": by.as_str() });
    print(io, human, &json, |o| {
        writeln!(o, "campaign {id} {verb} by {by}: now {state}")
    })
}

#[derive(Serialize)]
struct EntryJson<'a> {
    at: String,
    by: &'a str,
    event: &'static str,
    from: &'static str,
    to: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    digest: Option<String>,
}

fn entry_json(e: &SessionEntry) -> serde_json::Value {
    use smsplan_core::approval::Event;
    let reason = match &e.event {
        Event::Reject { reason } | Event::Cancel { reason } => Some(reason.as_str()),
        _ => None,
    };
    serde_json::to_value(EntryJson {
        at: e.at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        by: e.actor.as_str(),
        event: e.event.kind().as_str(),
        from: e.from.as_str(),
        to: e.to.as_str(),
        reason,
        digest: e.digest.as_ref().map(ToString::to_string),
    })
    .unwrap_or(serde_json::Value::Null)
}

fn write_audit(o: &mut dyn Write, entries: &[SessionEntry]) -> std::io::Result<()> {
    use smsplan_core::approval::Event;
    for e in entries {
        let reason = match &e.event {
            Event::Reject { reason } | Event::Cancel { reason } => format!(" ({reason})"),
            _ => String::new(),
        };
        writeln!(
            o,
            "  {}  {:<8} {:<14} {} -> {}{reason}",
            e.at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            e.actor.as_str(),
            e.event.kind().as_str(),
            e.from.as_str(),
            e.to.as_str(),
        )?;
    }
    Ok(())
}

fn write_status(o: &mut dyn Write, s: &CampaignStatus) -> std::io::Result<()> {
    writeln!(
        o,
        "campaign {}: {} — {:.1} % complete",
        s.campaign, s.state, s.percent_complete
    )?;
    writeln!(
        o,
        "  {} recipients: {} submitted, {} delivered, {} failed, {} expired, {} held, {} opted out, {} in doubt",
        s.recipients,
        s.submitted,
        s.delivered,
        s.failed,
        s.expired,
        s.held,
        s.opted_out,
        s.in_doubt
    )?;
    if let Some(next) = &s.next_window {
        writeln!(o, "  next window {next}")?;
    }
    if let Some(balance) = &s.balance {
        writeln!(o, "  credit balance {balance}")?;
    }
    Ok(())
}

/// Prints `json`, or the human form.
fn print<T: Serialize + ?Sized>(
    io: &mut Io,
    human: bool,
    json: &T,
    text: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<Status, CliError> {
    if human {
        let mut buf = Vec::new();
        text(&mut buf)?;
        io.out().write_all(&buf)?;
    } else {
        io.write_document(json)?;
    }
    Ok(Status::Clean)
}
