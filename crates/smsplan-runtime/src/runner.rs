//! The runner: sends an approved campaign through a gateway, durably.
//!
//! [`Runner::run`] claims the campaign (a lease with a fencing token, renewed while it
//! runs, so that a killed runner blocks the next one only until its lease ends), settles
//! the parts a crash left in doubt (evidence first: a delivery report carrying our id;
//! then the campaign's `in_doubt` choice), and loops: it takes in delivery reports and
//! inbound messages (STOP → opt-out and one confirmation; HELP / INFO / CONTACT and custom
//! keywords answered), dispatches the due rows through the provider's dispatcher behind
//! the ledger (an outbox: intent before, receipt after), records rows that end without a receipt
//! (expired, opted out, refused), holds when every waiting row waits for its window
//! (`held`, then `resumed`), and sleeps through its [`Clock`] until the next thing to do.
//! It returns when every row is final, when the send waits for a new approval, or when
//! asked to stop; running it again resumes where it stopped.

use std::collections::{HashMap, HashSet, VecDeque};
use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::Serialize;
use smsplan_core::approval::{Actor, ApprovalState, CampaignId, Event, StateKind};
use smsplan_core::checklist::Checklist;
use smsplan_core::contact::{ConsentStatus, ContactId};
use smsplan_core::money::{Currency, Money};
use smsplan_core::phone::PhoneNumber;
use smsplan_core::plan::{PlannedMessage, SendPlan};
use smsplan_formats::v1::campaign::InDoubt;
use smsplan_provider::delivery::{DeliveryState, Stage, Transition};
use smsplan_provider::dispatch::{DispatchReport, Dispatcher, message_id};
use smsplan_provider::gateway::{DeliveryReport, Gateway, GatewayEvent, InboundMessage, MessageId};
use smsplan_provider::keyword::{Keywords, reply_message};
use smsplan_provider::pacing::Pacer;
use smsplan_provider::sender::{Capacity, Sender, SenderId};
use smsplan_store::{
    DeliveryOutcome, InboundOutcome, Lease, Resolution, RowOutcome, RowOutcomeKind, Store,
    StoreError,
};

use crate::ledgered::{Halt, Ledgered, RowInfo};
use crate::workflow::{Status, Workflow};
use crate::{Clock, RuntimeError, sendable};

/// One thing that happened during a run, as `--events FILE` writes it (one JSON object
/// per line).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct RunEvent {
    /// When, RFC 3339 in UTC.
    pub at: String,
    /// What: `submitted`, `delivered`, `failed`, `held`, `resumed`, `expired`,
    /// `opted_out`.
    pub event: EventKind,
    /// The contact id (absent for `held` and `resumed`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contact: Option<String>,
    /// The part, from 1 (`submitted`, `delivered`, `failed` of a report).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub part: Option<u16>,
    /// The message's parts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parts: Option<u16>,
    /// Until when sending is held (`held`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub until: Option<String>,
    /// The gateway's error code (`failed`) or the reason of a refusal, masked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
}

/// The kinds of [`RunEvent`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum EventKind {
    /// A part accepted by the gateway.
    Submitted,
    /// A part reported delivered.
    Delivered,
    /// A part reported failed, or a row refused.
    Failed,
    /// A window closed with rows of it left.
    Held,
    /// The window reopened.
    Resumed,
    /// A row expired by the deadline.
    Expired,
    /// A row not sent because its number opted out.
    OptedOut,
}

impl RunEvent {
    fn new(at: DateTime<Utc>, event: EventKind) -> Self {
        Self {
            at: at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            event,
            contact: None,
            part: None,
            parts: None,
            until: None,
            code: None,
        }
    }

    fn contact(mut self, contact: &ContactId) -> Self {
        self.contact = Some(contact.as_str().to_owned());
        self
    }

    fn part(mut self, part: u16, parts: u16) -> Self {
        self.part = Some(part);
        self.parts = Some(parts);
        self
    }
}

/// Where run events go.
pub trait EventSink {
    /// Takes one event.
    ///
    /// # Errors
    /// The sink's I/O error; the run stops with [`RuntimeError::Events`].
    fn emit(&mut self, event: &RunEvent) -> std::io::Result<()>;
}

/// Drops every event.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoEvents;

impl EventSink for NoEvents {
    fn emit(&mut self, _: &RunEvent) -> std::io::Result<()> {
        Ok(())
    }
}

impl EventSink for Vec<RunEvent> {
    fn emit(&mut self, event: &RunEvent) -> std::io::Result<()> {
        self.push(event.clone());
        Ok(())
    }
}

/// Writes each event as one JSON line.
#[derive(Debug)]
pub struct JsonLines<W: Write>(pub W);

impl<W: Write> EventSink for JsonLines<W> {
    fn emit(&mut self, event: &RunEvent) -> std::io::Result<()> {
        serde_json::to_writer(&mut self.0, event)?;
        self.0.write_all(b"\n")
    }
}

/// How a runner behaves.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct RunOptions {
    /// Who runs (the lease's owner): unique per process, such as `host:pid`.
    pub owner: String,
    /// How long a lease lasts unless renewed (6 s by default): after a crash, the next
    /// runner waits at most this long.
    pub lease_ttl: Duration,
    /// How often the lease is renewed (2 s by default).
    pub renew_every: Duration,
    /// How long to wait for a claimed campaign to be let go (10 s by default).
    pub claim_wait: Duration,
    /// After the last submit, how long to wait for the delivery reports still expected
    /// (10 minutes by default; none with a virtual clock or a gateway without reports).
    pub report_wait: Duration,
    /// How often a runner on the system clock looks at callbacks and the store while it
    /// waits (200 ms by default).
    pub poll: Duration,
    /// The inbound keywords and their replies.
    pub keywords: Keywords,
}

impl RunOptions {
    /// The defaults for a runner called `owner`.
    #[must_use]
    pub fn new(owner: impl Into<String>) -> Self {
        Self {
            owner: owner.into(),
            lease_ttl: Duration::from_secs(6),
            renew_every: Duration::from_secs(2),
            claim_wait: Duration::from_secs(10),
            report_wait: Duration::from_secs(600),
            poll: Duration::from_millis(200),
            keywords: Keywords::default(),
        }
    }

    /// Waits at most `wait` for the reports still expected after the last submit.
    #[must_use]
    pub fn with_report_wait(mut self, wait: Duration) -> Self {
        self.report_wait = wait;
        self
    }

    /// Uses these keywords and replies.
    #[must_use]
    pub fn with_keywords(mut self, keywords: Keywords) -> Self {
        self.keywords = keywords;
        self
    }
}

/// Why a run returned.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Finish {
    /// Every row is final; the session is completed.
    Completed,
    /// The deadline expired rows; the session is expired.
    Expired,
    /// A window closed and the account requires a new approval: approve and confirm,
    /// then run again.
    AwaitingApproval {
        /// When the window reopens.
        reopens: DateTime<Utc>,
    },
    /// Asked to stop (a signal): run again to resume.
    Stopped,
    /// Someone cancelled the campaign.
    Cancelled,
    /// The session was already over when the run started.
    AlreadyOver(StateKind),
}

impl Finish {
    /// The snake_case name (`completed`, `awaiting_approval`…).
    #[must_use]
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Completed => "completed",
            Self::Expired => "expired",
            Self::AwaitingApproval { .. } => "awaiting_approval",
            Self::Stopped => "stopped",
            Self::Cancelled => "cancelled",
            Self::AlreadyOver(_) => "already_over",
        }
    }
}

/// What a run did.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct RunSummary {
    /// Why it returned.
    pub finish: Finish,
    /// Parts submitted by this run.
    pub parts_submitted: u64,
    /// Parts found in doubt at the start (a crash before), and how they were settled.
    pub in_doubt_settled: usize,
    /// Times sending was held.
    pub holds: usize,
    /// Inbound messages handled.
    pub inbound: usize,
    /// Replies sent (STOP confirmations, HELP answers…).
    pub replies: usize,
    /// The status at the end.
    pub status: Status,
}

/// What the runner reports now and then, for a progress bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Progress {
    /// The clock's instant.
    pub at: DateTime<Utc>,
    /// Rows settled (submitted or final) so far.
    pub settled: usize,
    /// Rows of the plan.
    pub recipients: usize,
    /// Parts submitted by this run.
    pub parts_submitted: u64,
    /// The session's state.
    pub state: StateKind,
}

/// Sends approved campaigns (see the [module docs](self)).
#[derive(Debug)]
pub struct Runner<'a> {
    store: &'a dyn Store,
    gateway: &'a dyn Gateway,
    clock: &'a dyn Clock,
    options: RunOptions,
    stop: &'a AtomicBool,
}

/// The per-run state the loop carries.
struct Run<'r> {
    /// The rows due, passed to the dispatcher (the plan's head, due rows only): each
    /// dispatch call costs what is due, not the whole plan.
    due: SendPlan,
    /// The rows not due yet, by `send_at`.
    upcoming: VecDeque<PlannedMessage>,
    /// Rows of the plan.
    total: usize,
    contacts: HashMap<MessageId, (ContactId, u16)>,
    by_number: HashMap<PhoneNumber, Vec<ContactId>>,
    dispatcher: Dispatcher,
    pacer: Pacer,
    events: &'r mut dyn EventSink,
    state: StateKind,
    held_until: Option<DateTime<Utc>>,
    /// The end of the window the rows sent last belong to.
    window_end: Option<DateTime<Utc>>,
    summary: Counters,
    expired_any: bool,
}

#[derive(Debug, Default)]
struct Counters {
    parts: u64,
    in_doubt: usize,
    holds: usize,
    inbound: usize,
    replies: usize,
}

impl<'a> Runner<'a> {
    /// A runner over `store`, sending through `gateway` on `clock`; it stops cleanly
    /// when `stop` becomes true.
    #[must_use]
    pub fn new(
        store: &'a dyn Store,
        gateway: &'a dyn Gateway,
        clock: &'a dyn Clock,
        options: RunOptions,
        stop: &'a AtomicBool,
    ) -> Self {
        Self {
            store,
            gateway,
            clock,
            options,
            stop,
        }
    }

    /// Runs the campaign until every row is final, a new approval is needed, or `stop`
    /// (see the [module docs](self)). `progress` is called after each dispatch round.
    ///
    /// # Errors
    /// [`RuntimeError::Busy`] when another runner holds the campaign,
    /// [`StoreError::NotApproved`] / [`StoreError::ApprovalStale`] (through
    /// [`RuntimeError::Store`]) when there is nothing approved to send,
    /// [`RuntimeError::NotConfirmed`], [`RuntimeError::NoCredit`] when the balance runs
    /// out (the rows sent stay sent; top up and run again), [`RuntimeError::Events`],
    /// [`RuntimeError::Dispatch`], or the store's (a lost lease among them).
    pub fn run(
        &self,
        id: &CampaignId,
        events: &mut dyn EventSink,
        progress: &mut dyn FnMut(&Progress),
    ) -> Result<RunSummary, RuntimeError> {
        let workflow = Workflow::new(self.store);
        let state = workflow.state(id)?;
        if state.is_terminal() {
            return Ok(RunSummary {
                finish: Finish::AlreadyOver(state),
                parts_submitted: 0,
                in_doubt_settled: 0,
                holds: 0,
                inbound: 0,
                replies: 0,
                status: workflow.status(id, self.clock.now())?,
            });
        }
        let mut state = state;
        let campaign_spec = self.store.campaign(id)?.spec;
        if campaign_spec.audience.refresh_at_send == Some(true)
            && matches!(state, StateKind::Approved | StateKind::Scheduled)
            && self.store.message_summaries(id)?.is_empty()
        {
            // The list is updated when the send starts (never after a part went out).
            let now = self.clock.now();
            if state == StateKind::Approved {
                self.store
                    .apply_event(id, Event::Schedule, &Actor::system(), now)?;
                state = StateKind::Scheduled;
            }
            workflow.refresh(id, now)?;
        }
        let (_, wire_plan) = self.store.approved_plan(id)?;
        let mut plan = sendable::sendable(&wire_plan)?;
        // Message ids come from the store's id (two campaigns may share a name).
        plan.campaign = id.clone();
        let spec = campaign_spec;
        let resolution = match spec.in_doubt {
            Some(InDoubt::AtLeastOnce) => Resolution::AtLeastOnce,
            _ => Resolution::AtMostOnce,
        };
        let lease = self.claim(id)?;
        let price = Currency::parse(&spec.credits.currency)
            .ok()
            .and_then(|c| Money::parse(spec.credits.price_per_segment.as_str(), c).ok());
        let run_key = plan.run.as_ref().map(|r| r.key.clone());
        let mut rows = HashMap::new();
        let mut contacts = HashMap::new();
        let mut by_number: HashMap<PhoneNumber, Vec<ContactId>> = HashMap::new();
        for r in &plan.recipients {
            let mid = message_id(id.as_str(), run_key.as_deref(), r.contact.as_str());
            let parts = u16::try_from(r.segments).unwrap_or(u16::MAX);
            rows.insert(
                mid.clone(),
                RowInfo {
                    contact: r.contact.clone(),
                    number: r.phone,
                    price_per_part: price.unwrap_or_else(|| Money::zero(r.cost.currency())),
                },
            );
            contacts.insert(mid, (r.contact.clone(), parts));
            by_number
                .entry(r.phone)
                .or_default()
                .push(r.contact.clone());
        }
        let ledgered = Ledgered::new(
            self.store,
            self.gateway,
            self.clock,
            lease,
            rows,
            resolution,
            &self.options,
        );
        let pacer = pacer_for(&plan);
        let mut due = plan;
        let total = due.recipients.len();
        let mut rows = std::mem::take(&mut due.recipients);
        rows.sort_by_key(|r| r.send_at);
        let deadline = due.deadline;
        // Rows at or after the deadline expire at once: they go to the dispatcher now.
        let (late, rows): (Vec<_>, Vec<_>) = rows
            .into_iter()
            .partition(|r| deadline.is_some_and(|d| r.send_at >= d));
        due.recipients = late;
        let result = self.run_claimed(
            id,
            &workflow,
            &ledgered,
            Run {
                pacer,
                due,
                upcoming: rows.into(),
                total,
                contacts,
                by_number,
                dispatcher: Dispatcher::new(),
                events,
                state,
                held_until: None,
                window_end: None,
                summary: Counters::default(),
                expired_any: false,
            },
            resolution,
            progress,
        );
        let flushed = ledgered.flush();
        // A clean stop lets the next runner start at once; after an error the lease
        // simply runs out.
        let _ = self.store.release(&ledgered.lease());
        let summary = result?;
        flushed?;
        Ok(summary)
    }

    fn claim(&self, id: &CampaignId) -> Result<Lease, RuntimeError> {
        let started = std::time::Instant::now();
        loop {
            match self.store.claim(
                id,
                &self.options.owner,
                self.clock.now(),
                self.options.lease_ttl,
            ) {
                Ok(lease) => return Ok(lease),
                Err(StoreError::Claimed {
                    campaign,
                    owner,
                    until,
                }) => {
                    if self.clock.is_virtual()
                        || started.elapsed() >= self.options.claim_wait
                        || self.stop.load(Ordering::Relaxed)
                    {
                        return Err(RuntimeError::Busy {
                            campaign,
                            owner,
                            until,
                        });
                    }
                    std::thread::sleep(Duration::from_millis(250));
                }
                Err(e) => return Err(e.into()),
            }
        }
    }

    #[expect(clippy::too_many_lines, reason = "the run loop, read top to bottom")]
    fn run_claimed(
        &self,
        id: &CampaignId,
        workflow: &Workflow<'_>,
        ledgered: &Ledgered<'_>,
        mut run: Run<'_>,
        resolution: Resolution,
        progress: &mut dyn FnMut(&Progress),
    ) -> Result<RunSummary, RuntimeError> {
        let system = Actor::system();
        // Evidence first: reports that arrived while nobody ran.
        self.take_events(ledgered, &mut run)?;
        let lease = ledgered.lease();
        for part in self.store.in_doubt(id)? {
            self.store.resolve_in_doubt(
                &lease,
                &part.message,
                part.part,
                resolution,
                self.clock.now(),
            )?;
            run.summary.in_doubt += 1;
        }
        // What the ledger and the outcomes settled already is not dispatched again.
        let settled: Vec<MessageId> = self
            .store
            .message_summaries(id)?
            .into_iter()
            .filter(|m| m.parts > 0 && m.submitted + m.abandoned == m.parts)
            .map(|m| m.message)
            .chain(self.store.row_outcomes(id)?.into_iter().map(|o| o.message))
            .collect();
        run.dispatcher.mark_submitted(settled);
        let consents = self.store.consents()?;
        let opted: Vec<ContactId> = run
            .due
            .recipients
            .iter()
            .chain(run.upcoming.iter())
            .filter(|r| {
                consents
                    .get(&r.phone)
                    .is_some_and(|c| c.status == ConsentStatus::Unsubscribed)
            })
            .map(|r| r.contact.clone())
            .collect();
        run.dispatcher.mark_opted_out(opted);

        // Into sending.
        let now = self.clock.now();
        if run.state == StateKind::Approved {
            self.store.apply_event(id, Event::Schedule, &system, now)?;
            run.state = StateKind::Scheduled;
        }
        if run.state == StateKind::Scheduled {
            self.start(id, now)?;
            run.state = StateKind::Sending;
        }
        match run.state {
            StateKind::Sending | StateKind::Held => {}
            StateKind::AwaitingApproval => {
                if let Some(finish) = self.wait_for_approval(id, &mut run, ledgered)? {
                    return self.summary(workflow, id, finish, run);
                }
            }
            other => {
                return Err(RuntimeError::WrongState {
                    campaign: id.clone(),
                    step: "run",
                    state: other,
                });
            }
        }
        if run.state == StateKind::Held {
            // Resumed after a stop while held: the hold's end is the next window.
            run.held_until = Some(now);
        }
        let sending = ApprovalState::Sending(Checklist::default());
        let mut last_look = std::time::Instant::now();
        loop {
            if self.stop.load(Ordering::Relaxed) {
                return self.summary(workflow, id, Finish::Stopped, run);
            }
            let now = self.clock.now();
            ledgered.keep_lease(now)?;
            self.take_events(ledgered, &mut run)?;
            if last_look.elapsed() >= Duration::from_secs(1) {
                // Someone may have cancelled meanwhile (another command, same store).
                last_look = std::time::Instant::now();
                if self.session_state(id)? == StateKind::Cancelled {
                    return self.summary(workflow, id, Finish::Cancelled, run);
                }
            }
            if run.state == StateKind::Held {
                let until = run.held_until.unwrap_or(now);
                if now < until {
                    self.wait(until, ledgered, &mut run)?;
                    continue;
                }
                self.store
                    .apply_event(id, Event::WindowOpened, &system, now)?;
                run.state = StateKind::Sending;
                run.events
                    .emit(&RunEvent::new(now, EventKind::Resumed))
                    .map_err(RuntimeError::Events)?;
            }
            while run.upcoming.front().is_some_and(|r| r.send_at <= now) {
                if let Some(row) = run.upcoming.pop_front() {
                    run.due.recipients.push(row);
                }
            }
            let report =
                run.dispatcher
                    .dispatch_due(&run.due, &sending, ledgered, &mut run.pacer, now)?;
            ledgered.flush()?;
            self.file(&report, ledgered, &mut run, now)?;
            for row in &report.submitted {
                if let Some(end) = run
                    .due
                    .recipients
                    .get(row.row.index)
                    .and_then(|r| r.window_end)
                {
                    run.window_end = Some(run.window_end.map_or(end, |w| w.max(end)));
                }
            }
            settle(&mut run.due, &report);
            let next_due = run.upcoming.front().map(|r| r.send_at);
            match ledgered.take_halt() {
                Some(Halt::NoCredit(source)) => {
                    return Err(RuntimeError::NoCredit {
                        campaign: id.clone(),
                        at: now,
                        source,
                    });
                }
                Some(Halt::Store(e)) => return Err(e.into()),
                None => {}
            }
            progress(&Progress {
                at: now,
                settled: run.total - run.due.recipients.len() - run.upcoming.len(),
                recipients: run.total,
                parts_submitted: run.summary.parts,
                state: run.state,
            });
            if let Some(closed) = &report.window_closed {
                self.store
                    .apply_event(id, Event::WindowClosed, &system, now)?;
                run.state = StateKind::AwaitingApproval;
                run.summary.holds += 1;
                let mut held = RunEvent::new(now, EventKind::Held);
                held.until = Some(rfc3339(closed.reopens));
                run.events.emit(&held).map_err(RuntimeError::Events)?;
                match self.wait_for_approval(id, &mut run, ledgered)? {
                    Some(Finish::AwaitingApproval { .. }) => {
                        return self.summary(
                            workflow,
                            id,
                            Finish::AwaitingApproval {
                                reopens: closed.reopens,
                            },
                            run,
                        );
                    }
                    Some(finish) => return self.summary(workflow, id, finish, run),
                    None => continue,
                }
            }
            let quiet = report.submitted.is_empty()
                && report.deferred.is_empty()
                && report.retry_at.is_none()
                && report.window_closed.is_none();
            if quiet
                && run.window_end.is_some()
                && let Some(until) = hold_until(&report, run.upcoming.front(), now)
            {
                // A window closed with rows left: the send is held until the next one.
                let session = self
                    .store
                    .apply_event(id, Event::WindowClosed, &system, now)?;
                run.held_until = Some(until);
                run.window_end = None;
                run.summary.holds += 1;
                let mut held = RunEvent::new(now, EventKind::Held);
                held.until = Some(rfc3339(until));
                run.events.emit(&held).map_err(RuntimeError::Events)?;
                if session.state() == StateKind::AwaitingApproval {
                    // The account requires a new approval for every window.
                    run.state = StateKind::AwaitingApproval;
                    match self.wait_for_approval(id, &mut run, ledgered)? {
                        Some(Finish::AwaitingApproval { .. }) => {
                            let finish = Finish::AwaitingApproval { reopens: until };
                            return self.summary(workflow, id, finish, run);
                        }
                        Some(finish) => return self.summary(workflow, id, finish, run),
                        None => continue,
                    }
                }
                run.state = StateKind::Held;
                continue;
            }
            // Wake at the end of the window being sent when the next row is in a later
            // one: that is when the send is held.
            let window_end = run
                .window_end
                .filter(|&w| w > now && next_due.is_some_and(|d| d > w));
            let next_due = match (next_due, window_end) {
                (Some(d), Some(w)) => Some(d.min(w)),
                (d, _) => d,
            };
            let next = match (report.next_call(), next_due) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
            match next {
                Some(next) => self.wait(next, ledgered, &mut run)?,
                None => {
                    self.await_reports(id, ledgered, &mut run)?;
                    let now = self.clock.now();
                    let finish = if run.expired_any {
                        self.store.apply_event(id, Event::Expire, &system, now)?;
                        Finish::Expired
                    } else {
                        self.store.apply_event(id, Event::Complete, &system, now)?;
                        Finish::Completed
                    };
                    return self.summary(workflow, id, finish, run);
                }
            }
        }
    }

    /// One poll interval after `now` (a runner on the system clock looks around that often).
    fn after_poll(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        chrono::Duration::from_std(self.options.poll)
            .ok()
            .and_then(|d| now.checked_add_signed(d))
            .unwrap_or(now)
    }

    fn session_state(&self, id: &CampaignId) -> Result<StateKind, RuntimeError> {
        Ok(self
            .store
            .current_session(id)?
            .map_or(StateKind::Draft, |s| s.state()))
    }

    fn start(&self, id: &CampaignId, now: DateTime<Utc>) -> Result<(), RuntimeError> {
        match self
            .store
            .apply_event(id, Event::Start, &Actor::system(), now)
        {
            Ok(_) => Ok(()),
            Err(StoreError::Session(smsplan_core::approval::SessionError::Transition {
                source: smsplan_core::approval::TransitionError::NotConfirmed,
                ..
            })) => Err(RuntimeError::NotConfirmed {
                campaign: id.clone(),
            }),
            Err(e) => Err(e.into()),
        }
    }

    /// Waits for an approver while the send awaits a new approval: `None` once the send
    /// is approved, confirmed and started again.
    fn wait_for_approval(
        &self,
        id: &CampaignId,
        run: &mut Run<'_>,
        ledgered: &Ledgered<'_>,
    ) -> Result<Option<Finish>, RuntimeError> {
        loop {
            if self.clock.is_virtual() {
                // Nobody can approve while virtual time runs.
                return Ok(Some(Finish::AwaitingApproval {
                    reopens: self.clock.now(),
                }));
            }
            if self.stop.load(Ordering::Relaxed) {
                return Ok(Some(Finish::Stopped));
            }
            let now = self.clock.now();
            ledgered.keep_lease(now)?;
            self.take_events(ledgered, run)?;
            match self.session_state(id)? {
                StateKind::Cancelled => return Ok(Some(Finish::Cancelled)),
                StateKind::Approved => {
                    self.store
                        .apply_event(id, Event::Schedule, &Actor::system(), now)?;
                }
                StateKind::Scheduled if self.start(id, now).is_ok() => {
                    run.state = StateKind::Sending;
                    run.events
                        .emit(&RunEvent::new(now, EventKind::Resumed))
                        .map_err(RuntimeError::Events)?;
                    return Ok(None);
                }
                _ => {}
            }
            let next = self.after_poll(now);
            self.clock.sleep_until(next, self.stop);
        }
    }

    /// Sleeps until `at`; on the system clock, wakes every `poll` to take callbacks in.
    fn wait(
        &self,
        at: DateTime<Utc>,
        ledgered: &Ledgered<'_>,
        run: &mut Run<'_>,
    ) -> Result<(), RuntimeError> {
        if self.clock.is_virtual() {
            // The lease is renewed across the jump: virtual time passes in no time.
            let now = self.clock.now();
            if at > now {
                let jump = (at - now).to_std().unwrap_or_default();
                ledgered.set_lease(self.store.renew(
                    &ledgered.lease(),
                    now,
                    self.options.lease_ttl.saturating_add(jump),
                )?);
            }
            self.clock.sleep_until(at, self.stop);
            return Ok(());
        }
        let now = self.clock.now();
        let slice = self.after_poll(now);
        self.clock.sleep_until(at.min(slice), self.stop);
        self.take_events(ledgered, run)
    }

    /// After the last submit: waits for the delivery reports still expected.
    fn await_reports(
        &self,
        id: &CampaignId,
        ledgered: &Ledgered<'_>,
        run: &mut Run<'_>,
    ) -> Result<(), RuntimeError> {
        use smsplan_provider::gateway::ReportSupport;
        let started = std::time::Instant::now();
        loop {
            self.take_events(ledgered, run)?;
            if self.gateway.delivery_reports() == ReportSupport::None {
                return Ok(());
            }
            let pending = self
                .store
                .message_summaries(id)?
                .iter()
                .any(|m| m.submitted > m.delivered + m.failed);
            if !pending
                || self.clock.is_virtual()
                || started.elapsed() >= self.options.report_wait
                || self.stop.load(Ordering::Relaxed)
            {
                return Ok(());
            }
            let now = self.clock.now();
            let next = self.after_poll(now);
            self.clock.sleep_until(next, self.stop);
        }
    }

    /// Takes in what the gateway reported: delivery reports into the store, inbound
    /// messages through the keywords (consent changes stored, replies sent).
    fn take_events(&self, ledgered: &Ledgered<'_>, run: &mut Run<'_>) -> Result<(), RuntimeError> {
        // What the ledger took in between submits (reports already in the store).
        let (recorded, inbound) = ledgered.take_drained();
        let now = self.clock.now();
        for m in &inbound {
            self.inbound(m, run)?;
        }
        self.emit_deliveries(&recorded, run, now)?;
        loop {
            let events = self.gateway.poll_events(1_000);
            if events.is_empty() {
                return Ok(());
            }
            let now = self.clock.now();
            let mut reports = Vec::new();
            for event in events {
                match event {
                    GatewayEvent::Delivery(r) => reports.push(r),
                    GatewayEvent::Inbound(m) => self.inbound(&m, run)?,
                    _ => {}
                }
            }
            if reports.is_empty() {
                continue;
            }
            let outcomes = self.store.record_deliveries(&reports, now)?;
            let recorded: Vec<_> = reports.into_iter().zip(outcomes).collect();
            self.emit_deliveries(&recorded, run, now)?;
        }
    }

    /// Writes `delivered` / `failed` events for the reports that moved a part.
    fn emit_deliveries(
        &self,
        recorded: &[(DeliveryReport, DeliveryOutcome)],
        run: &mut Run<'_>,
        now: DateTime<Utc>,
    ) -> Result<(), RuntimeError> {
        for (report, outcome) in recorded {
            let Transition::Advanced(state) = outcome.transition else {
                continue;
            };
            let kind = match state {
                DeliveryState::Delivered => EventKind::Delivered,
                s if s.stage() == Stage::Final => EventKind::Failed,
                _ => continue,
            };
            let Some((contact, parts)) = run.contacts.get(&report.message) else {
                continue;
            };
            let mut event = RunEvent::new(report.at.unwrap_or(now), kind)
                .contact(contact)
                .part(report.part, *parts);
            if kind == EventKind::Failed {
                event.code = report.code.clone();
            }
            run.events.emit(&event).map_err(RuntimeError::Events)?;
        }
        Ok(())
    }

    fn inbound(&self, message: &InboundMessage, run: &mut Run<'_>) -> Result<(), RuntimeError> {
        let number = PhoneNumber::parse_international(message.from.as_str()).ok();
        let current = number
            .and_then(|n| self.store.consents().ok()?.get(&n).map(|c| c.status))
            .unwrap_or(ConsentStatus::Subscribed);
        let outcome = self.options.keywords.respond(message, current);
        if self
            .store
            .record_inbound(message, outcome.change.as_ref())?
            == InboundOutcome::Duplicate
        {
            return Ok(());
        }
        run.summary.inbound += 1;
        if let Some(change) = &outcome.change
            && change.status == ConsentStatus::Unsubscribed
            && let Some(number) = number
            && let Some(contacts) = run.by_number.get(&number)
        {
            run.dispatcher.mark_opted_out(contacts.iter().cloned());
        }
        if let Some(text) = &outcome.reply
            && let Ok(reply) = reply_message(message, text)
        {
            // A reply is best effort: the STOP is recorded whatever happens to it.
            if self.gateway.submit(&reply).is_ok() {
                run.summary.replies += 1;
            }
        }
        Ok(())
    }

    /// Files a dispatch report: events, and the rows it settled without a receipt.
    fn file(
        &self,
        report: &DispatchReport,
        ledgered: &Ledgered<'_>,
        run: &mut Run<'_>,
        now: DateTime<Utc>,
    ) -> Result<(), RuntimeError> {
        for row in &report.submitted {
            run.summary.parts += u64::from(row.parts);
            for part in 1..=row.parts {
                run.events
                    .emit(
                        &RunEvent::new(now, EventKind::Submitted)
                            .contact(&row.row.contact)
                            .part(part, row.parts),
                    )
                    .map_err(RuntimeError::Events)?;
            }
        }
        let mut outcomes = Vec::new();
        for row in &report.expired {
            outcomes.push((
                row,
                RowOutcomeKind::Expired,
                "the deadline passed".to_owned(),
            ));
        }
        for row in &report.opted_out {
            outcomes.push((
                row,
                RowOutcomeKind::OptedOut,
                "the number opted out".to_owned(),
            ));
        }
        for rejected in &report.rejected {
            let kind = if ledgered.opted_out(&rejected.row.contact) {
                RowOutcomeKind::OptedOut
            } else {
                RowOutcomeKind::Refused
            };
            outcomes.push((&rejected.row, kind, rejected.error.to_string()));
        }
        if outcomes.is_empty() {
            return Ok(());
        }
        let records: Vec<RowOutcome> = outcomes
            .iter()
            .map(|(row, kind, detail)| {
                RowOutcome::new(
                    row.id.clone(),
                    row.contact.clone(),
                    *kind,
                    detail.clone(),
                    now,
                )
            })
            .collect();
        self.store
            .record_row_outcomes(&ledgered.lease(), &records, now)?;
        let mut seen = HashSet::new();
        for (row, kind, detail) in &outcomes {
            if !seen.insert(row.id.clone()) {
                continue;
            }
            let event = match kind {
                RowOutcomeKind::Expired => {
                    run.expired_any = true;
                    EventKind::Expired
                }
                RowOutcomeKind::OptedOut => EventKind::OptedOut,
                _ => EventKind::Failed,
            };
            let mut e = RunEvent::new(now, event).contact(&row.contact);
            if event == EventKind::Failed {
                e.code = Some(smsplan_core::phone::mask_in_text(detail));
            }
            run.events.emit(&e).map_err(RuntimeError::Events)?;
        }
        run.dispatcher
            .mark_submitted(records.into_iter().map(|r| r.message));
        Ok(())
    }

    fn summary(
        &self,
        workflow: &Workflow<'_>,
        id: &CampaignId,
        finish: Finish,
        run: Run<'_>,
    ) -> Result<RunSummary, RuntimeError> {
        Ok(RunSummary {
            finish,
            parts_submitted: run.summary.parts,
            in_doubt_settled: run.summary.in_doubt,
            holds: run.summary.holds,
            inbound: run.summary.inbound,
            replies: run.summary.replies,
            status: workflow.status(id, self.clock.now())?,
        })
    }
}

/// When a quiet send (nothing submitted, nothing paced) is held: the rows due wait for
/// their window, or the next row's window is closed now. `None` when something may go
/// before a window opens.
fn hold_until(
    report: &DispatchReport,
    front: Option<&PlannedMessage>,
    now: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    let held = report.held_until();
    match front {
        None => held,
        Some(f) => {
            let closed = f
                .policies
                .next_allowed(&f.time_zones, now)
                .is_ok_and(|open| open > now);
            if closed {
                Some(held.map_or(f.send_at, |h| h.min(f.send_at)))
            } else {
                held.filter(|&h| f.send_at >= h)
            }
        }
    }
}

/// Drops from the due rows those the report settled (submitted, already submitted,
/// refused, expired, opted out): what stays is held, deferred or paced.
fn settle(due: &mut SendPlan, report: &DispatchReport) {
    let settled: HashSet<usize> = report
        .submitted
        .iter()
        .map(|r| r.row.index)
        .chain(report.already_submitted.iter().map(|r| r.index))
        .chain(report.rejected.iter().map(|r| r.row.index))
        .chain(report.expired.iter().map(|r| r.index))
        .chain(report.opted_out.iter().map(|r| r.index))
        .collect();
    if settled.is_empty() {
        return;
    }
    let mut index = 0;
    due.recipients.retain(|_| {
        let keep = !settled.contains(&index);
        index += 1;
        keep
    });
}

fn rfc3339(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// The pacer of the plan's sender at the plan's pace.
fn pacer_for(plan: &SendPlan) -> Pacer {
    let mut pacer = Pacer::default();
    if let Some(sender) = &plan.sender {
        let capacity = Capacity::per_second(plan.parts_per_second.get())
            .unwrap_or_else(|_| Capacity::default_for(sender.kind()));
        pacer.add(&Sender::new(SenderId::from(sender.clone())).with_capacity(capacity));
    }
    pacer
}
