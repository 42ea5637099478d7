//! Sends what is due from a send plan: the link between `smsplan-core`'s
//! [`SendPlan`] and a [`Gateway`].
//!
//! [`Dispatcher::dispatch_due`] is pure apart from the gateway call: time is an argument,
//! it never sleeps and starts no thread. Each call submits, in `send_at` order, every row
//! whose `send_at <= now` that this dispatcher has not submitted yet, from the plan's own
//! sender, until the [`Pacer`] or the gateway asks to wait, and returns a
//! [`DispatchReport`] in which **every row of the plan is in exactly one bucket**. Call
//! it again at [`DispatchReport::next_call`].
//!
//! **Windows are checked at each submit**, against the row's own policies and zones
//! ([`PlannedMessage::policies`]), not only against `send_at`: a row whose window has
//! closed is never submitted. Under [`OutsideWindow::Hold`] it is held until its next
//! allowed instant while rows whose windows are open keep going (US rows keep going while
//! French ones wait); under [`OutsideWindow::RequireReapproval`] the call stops every
//! country and says so in [`DispatchReport::window_closed`]: apply
//! [`Event::WindowClosed`](smsplan_core::approval::Event::WindowClosed) to the session,
//! which then waits for an approver. The deadline is closed at the deadline instant.
//!
//! Each row's [`MessageId`] is derived from the campaign, the run and the contact
//! ([`message_id`]), so a restarted dispatcher that submits a row again sends nothing:
//! the gateway answers [`Submission::AlreadySubmitted`].
//!
//! ```
//! use chrono::{TimeZone, Utc};
//! use smsplan_core::approval::ApprovalState;
//! use smsplan_core::checklist::Checklist;
//! use smsplan_core::plan::SendPlan;
//! use smsplan_provider::dispatch::Dispatcher;
//! use smsplan_provider::memory::InMemoryGateway;
//! use smsplan_provider::pacing::Pacer;
//! use smsplan_provider::sender::{Capacity, Sender, SenderId};
//!
//! fn send(plan: &SendPlan, start: chrono::DateTime<Utc>) -> Result<usize, Box<dyn std::error::Error>> {
//!     let gateway = InMemoryGateway::default();
//!     let mut pacer = Pacer::default();
//!     pacer.add(&Sender::new(SenderId::short_code("36180")?).with_capacity(Capacity::per_second(10)?));
//!     let mut dispatcher = Dispatcher::new();
//!     let sending = ApprovalState::Sending(Checklist::default());
//!     let (mut now, mut sent) = (start, 0);
//!     loop {
//!         let report = dispatcher.dispatch_due(plan, &sending, &gateway, &mut pacer, now)?;
//!         sent += report.submitted.len();
//!         for row in &report.rejected {
//!             eprintln!("row {}: {}", row.row.index, row.error); // numbers are masked
//!         }
//!         match report.next_call() {
//!             Some(at) => now = at, // a real loop sleeps until `at`, then reads the clock
//!             None => return Ok(sent), // every row submitted, rejected or expired
//!         }
//!     }
//! }
//! # use smsplan_core::{contact::ContactId, money::{Currency, Money}, sender::{Sender as Core, SenderKind},
//! #     phone::PhoneNumber, approval::{Confirmation, StateKind}, plan::{PlannedMessage, Totals},
//! #     schedule::OutsideWindow, text::Encoding, window::{MessageClass, PolicySet}};
//! # let start = Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap();
//! # let row = |i: i64| -> Result<PlannedMessage, Box<dyn std::error::Error>> { Ok(PlannedMessage {
//! #     contact: ContactId::new(format!("c{i}"))?, position: 0,
//! #     phone: PhoneNumber::parse_international(&format!("+336123456{i:02}"))?,
//! #     send_at: start + chrono::Duration::minutes(i), window_end: None, policies: PolicySet::default(),
//! #     time_zones: vec![smsplan_core::chrono_tz::Europe::Paris], encoding: Encoding::Gsm7,
//! #     segments: 1, cost: Money::zero(Currency::EUR), text: format!("Hello {i}. STOP 36180"),
//! # }) };
//! # let plan = SendPlan { campaign: "spring".parse()?, run: None, generated_at: start,
//! #     scheduled_at: start, deadline: None, state: StateKind::Prepared,
//! #     sender: Some(Core::new(SenderKind::ShortCode, "36180")?), class: MessageClass::Marketing,
//! #     outside_window: OutsideWindow::Hold, confirmation: Confirmation::Required,
//! #     parts_per_second: std::num::NonZeroU32::MIN, skipped_runs: 0,
//! #     recipients: (0..25).map(row).collect::<Result<_, _>>()?, excluded: vec![],
//! #     totals: Totals { recipients: 25, excluded: 0, segments: 25, cost: Money::zero(Currency::EUR),
//! #         by_reason: Default::default(), by_segments: Default::default(),
//! #         by_window: Default::default(), held: 0 },
//! #     checklist: Checklist::default() };
//! assert_eq!(send(&plan, start)?, 25);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use chrono::{DateTime, Utc};

use smsplan_core::approval::{ApprovalState, StateKind};
use smsplan_core::contact::ContactId;
use smsplan_core::plan::{PlannedMessage, SendPlan};
use smsplan_core::schedule::OutsideWindow;
use smsplan_core::window::WindowError;

use crate::gateway::{Body, Gateway, MessageId, OutboundMessage, ProviderError, Submission};
use crate::number::Msisdn;
use crate::pacing::{Admission, Pacer, PacingError};
use crate::sender::SenderId;

/// Why a whole dispatch call was refused; nothing was submitted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DispatchError {
    /// The send is not in the `sending` state (not yet approved and started, held,
    /// finished or cancelled).
    #[error("campaign {campaign}: state is {state:?}, dispatching needs Sending")]
    NotSending {
        /// The campaign.
        campaign: String,
        /// The state found.
        state: StateKind,
    },
    /// The plan's prepare checklist failed (the plan is still a draft).
    #[error("campaign {campaign}: the plan's checklist failed, the plan is a draft")]
    PlanNotPrepared {
        /// The campaign.
        campaign: String,
    },
    /// The plan names no sender (its `sender` check failed).
    #[error("campaign {campaign}: the plan has no sender")]
    NoSender {
        /// The campaign.
        campaign: String,
    },
    /// The plan's sender is not in the pacer.
    #[error(transparent)]
    Pacing(#[from] PacingError),
}

/// Why one row was not sent and will not be retried.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RowError {
    /// Another row of the plan has the same contact: one message per contact and run.
    #[error("contact {contact} already has row {first_row}")]
    DuplicateContact {
        /// The contact.
        contact: ContactId,
        /// The row kept.
        first_row: usize,
    },
    /// The row's windows cannot be computed (no zone for a restricted row, or no allowed
    /// instant within the search horizon).
    #[error("the row's send window cannot be found")]
    Window(#[source] WindowError),
    /// The gateway refused the message for good (rejected or invalid request).
    #[error(transparent)]
    Gateway(ProviderError),
}

/// One row of the plan: its index in `plan.recipients`, its contact and message id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowRef {
    /// Index in [`SendPlan::recipients`].
    pub index: usize,
    /// The contact.
    pub contact: ContactId,
    /// The idempotent id of the row's message.
    pub id: MessageId,
    /// When the row may be sent.
    pub send_at: DateTime<Utc>,
}

/// A row accepted by the gateway during this call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubmittedRow {
    /// The row.
    pub row: RowRef,
    /// Parts sent.
    pub parts: u16,
    /// `Accepted` or `Queued`.
    pub submission: Submission,
}

/// Why a due row waits for a later call.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum DeferReason {
    /// The sender's pacer has no tokens left.
    Paced,
    /// The gateway throttled or failed on this row; a retry with the same id sends
    /// only the parts still missing.
    Gateway(ProviderError),
    /// An earlier row of this call was throttled or failed, so this one was not tried.
    NotTried,
    /// A window closed under [`OutsideWindow::RequireReapproval`]: nothing goes out until
    /// the send is approved again (see [`DispatchReport::window_closed`]).
    AwaitingReapproval,
}

/// A due row left for a later call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeferredRow {
    /// The row.
    pub row: RowRef,
    /// Why.
    pub reason: DeferReason,
}

/// A due row whose window is closed now, held until its next allowed instant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeldRow {
    /// The row.
    pub row: RowRef,
    /// The next instant its policies allow, in all its zones.
    pub until: DateTime<Utc>,
}

/// A row refused for good.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RejectedRow {
    /// The row.
    pub row: RowRef,
    /// Why; numbers are masked.
    pub error: RowError,
}

/// A window that closed with rows left, under [`OutsideWindow::RequireReapproval`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WindowClosed {
    /// The call's `now`.
    pub at: DateTime<Utc>,
    /// The first due row found outside its window.
    pub row: RowRef,
    /// When that row's window opens again.
    pub reopens: DateTime<Utc>,
}

/// The outcome of one [`Dispatcher::dispatch_due`] call: every row of the plan is in
/// exactly one of the row buckets.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct DispatchReport {
    /// Accepted by the gateway during this call.
    pub submitted: Vec<SubmittedRow>,
    /// Submitted before: by this dispatcher in an earlier call, or (after a restart)
    /// answered [`Submission::AlreadySubmitted`] by the gateway.
    pub already_submitted: Vec<RowRef>,
    /// `send_at` is after `now`.
    pub not_due: Vec<RowRef>,
    /// Due, but waiting for pacing, the gateway or a new approval.
    pub deferred: Vec<DeferredRow>,
    /// Due, but outside their window now ([`OutsideWindow::Hold`]).
    pub held: Vec<HeldRow>,
    /// Refused for good.
    pub rejected: Vec<RejectedRow>,
    /// Not submitted before the plan's deadline: never sent.
    pub expired: Vec<RowRef>,
    /// Contacts that opted out before their row was submitted: never sent.
    pub opted_out: Vec<RowRef>,
    /// The earliest `send_at` among `not_due`.
    pub next_due: Option<DateTime<Utc>>,
    /// When the `deferred` rows may be tried again.
    pub retry_at: Option<DateTime<Utc>>,
    /// Set under [`OutsideWindow::RequireReapproval`] when a due row's window had
    /// closed: the call stopped and the send must be approved again.
    pub window_closed: Option<WindowClosed>,
}

impl DispatchReport {
    /// When to call again: the earliest of [`retry_at`](Self::retry_at),
    /// [`next_due`](Self::next_due) and the held rows' `until`; `None` when every row is
    /// settled (submitted, rejected, expired or opted out) or when the send waits for a
    /// new approval ([`window_closed`](Self::window_closed)).
    #[must_use]
    pub fn next_call(&self) -> Option<DateTime<Utc>> {
        if self.window_closed.is_some() {
            return None;
        }
        [self.retry_at, self.next_due, self.held_until()]
            .into_iter()
            .flatten()
            .min()
    }

    /// The earliest instant a held row may go.
    #[must_use]
    pub fn held_until(&self) -> Option<DateTime<Utc>> {
        self.held.iter().map(|h| h.until).min()
    }

    /// How many rows the report accounts for (the plan's row count).
    #[must_use]
    pub fn rows(&self) -> usize {
        self.submitted.len()
            + self.already_submitted.len()
            + self.not_due.len()
            + self.deferred.len()
            + self.held.len()
            + self.rejected.len()
            + self.expired.len()
            + self.opted_out.len()
    }
}

/// The wait before retrying after [`ProviderError::Unavailable`] by default.
pub const DEFAULT_UNAVAILABLE_BACKOFF: Duration = Duration::from_secs(30);

/// Submits the due rows of a plan from the plan's sender (see the [module docs](self)).
///
/// It remembers the ids it submitted, so later calls skip them without asking the
/// gateway; [`submitted`](Self::submitted) and [`mark_submitted`](Self::mark_submitted)
/// let you persist that memory across restarts (without it the gateway's idempotency
/// still prevents a second send, at the cost of pacing tokens).
#[derive(Debug, Clone)]
pub struct Dispatcher {
    submitted: HashSet<MessageId>,
    opted_out: HashSet<ContactId>,
    unavailable_backoff: Duration,
}

impl Default for Dispatcher {
    fn default() -> Self {
        Self::new()
    }
}

impl Dispatcher {
    /// A dispatcher; it sends from each plan's sender, which must be in the pacer passed
    /// to [`dispatch_due`](Self::dispatch_due).
    #[must_use]
    pub fn new() -> Self {
        Self {
            submitted: HashSet::new(),
            opted_out: HashSet::new(),
            unavailable_backoff: DEFAULT_UNAVAILABLE_BACKOFF,
        }
    }

    /// Waits `backoff` after the gateway is unavailable (30 s by default).
    #[must_use]
    pub fn with_unavailable_backoff(mut self, backoff: Duration) -> Self {
        self.unavailable_backoff = backoff;
        self
    }

    /// The ids submitted by this dispatcher (or marked), for your store.
    pub fn submitted(&self) -> impl Iterator<Item = &MessageId> {
        self.submitted.iter()
    }

    /// Records ids submitted before a restart, so they are not submitted again.
    pub fn mark_submitted(&mut self, ids: impl IntoIterator<Item = MessageId>) {
        self.submitted.extend(ids);
    }

    /// Records contacts that opted out (a STOP): their rows not yet submitted are never
    /// sent and land in [`DispatchReport::opted_out`].
    pub fn mark_opted_out(&mut self, contacts: impl IntoIterator<Item = ContactId>) {
        self.opted_out.extend(contacts);
    }

    /// Submits every row of `plan` due at `now`, not submitted yet and inside its window,
    /// in `send_at` order (ties in row order), until the pacer or the gateway asks to
    /// wait.
    ///
    /// `state` is the send's approval state: only [`ApprovalState::Sending`] dispatches.
    /// At or after the plan's deadline nothing is sent and every row not submitted is
    /// reported expired, as is at once a row due at or after the deadline.
    ///
    /// The text goes as [`Body::Text`], encoded by the gateway with default options;
    /// the pacer is charged the parts of that encoding. Each call sorts the plan's rows
    /// (O(n log n)) and checks each due row's windows (about a microsecond per policy and
    /// zone).
    ///
    /// See the [module docs](self) for an example.
    ///
    /// # Errors
    /// [`DispatchError::NotSending`] unless `state` is `Sending`,
    /// [`DispatchError::PlanNotPrepared`] when the plan's checklist failed,
    /// [`DispatchError::NoSender`] when the plan has no sender, [`DispatchError::Pacing`]
    /// when it is not in `pacer`. Nothing is
    /// submitted then. Per-row failures are in the report, never an `Err`.
    pub fn dispatch_due(
        &mut self,
        plan: &SendPlan,
        state: &ApprovalState,
        gateway: &dyn Gateway,
        pacer: &mut Pacer,
        now: DateTime<Utc>,
    ) -> Result<DispatchReport, DispatchError> {
        let campaign = || plan.campaign.as_str().to_owned();
        if state.kind() != StateKind::Sending {
            return Err(DispatchError::NotSending {
                campaign: campaign(),
                state: state.kind(),
            });
        }
        if plan.state == StateKind::Draft {
            return Err(DispatchError::PlanNotPrepared {
                campaign: campaign(),
            });
        }
        let sender = plan
            .sender
            .as_ref()
            .ok_or_else(|| DispatchError::NoSender {
                campaign: campaign(),
            })?;
        // A core sender is valid for its kind: the one the checklist approved is sent from.
        let sender = SenderId::from(sender.clone());
        if !pacer.paces(&sender) {
            return Err(PacingError::UnknownSender {
                sender: sender.clone(),
            }
            .into());
        }
        let run = plan.run.as_ref().map(|r| r.key.as_str());

        let mut order: Vec<(usize, &PlannedMessage)> = plan.recipients.iter().enumerate().collect();
        order.sort_by_key(|(index, row)| (row.send_at, *index));

        let mut report = DispatchReport::default();
        let mut first_row: HashMap<&ContactId, usize> = HashMap::new();
        // Set once the pacer or the gateway asked to wait: later due rows are deferred.
        let mut stop: Option<DateTime<Utc>> = None;
        for (index, row) in order {
            let row_ref = RowRef {
                index,
                contact: row.contact.clone(),
                id: message_id(plan.campaign.as_str(), run, row.contact.as_str()),
                send_at: row.send_at,
            };
            if let Some(&first) = first_row.get(&row.contact) {
                report.rejected.push(RejectedRow {
                    row: row_ref,
                    error: RowError::DuplicateContact {
                        contact: row.contact.clone(),
                        first_row: first,
                    },
                });
                continue;
            }
            first_row.insert(&row.contact, index);
            let closed = |at: DateTime<Utc>| plan.deadline.is_some_and(|deadline| at >= deadline);
            if self.submitted.contains(&row_ref.id) {
                report.already_submitted.push(row_ref);
            } else if self.opted_out.contains(&row.contact) {
                report.opted_out.push(row_ref);
            } else if closed(now) || closed(row.send_at) {
                report.expired.push(row_ref);
            } else if row.send_at > now {
                report.next_due = Some(report.next_due.map_or(row.send_at, |t| t.min(row.send_at)));
                report.not_due.push(row_ref);
            } else if report.window_closed.is_some() {
                report.deferred.push(DeferredRow {
                    row: row_ref,
                    reason: DeferReason::AwaitingReapproval,
                });
            } else {
                match row.policies.next_allowed(&row.time_zones, now) {
                    Err(source) => report.rejected.push(RejectedRow {
                        row: row_ref,
                        error: RowError::Window(source),
                    }),
                    Ok(open) if open > now && closed(open) => report.expired.push(row_ref),
                    Ok(open) if open > now => match plan.outside_window {
                        OutsideWindow::RequireReapproval => {
                            report.window_closed = Some(WindowClosed {
                                at: now,
                                row: row_ref.clone(),
                                reopens: open,
                            });
                            report.deferred.push(DeferredRow {
                                row: row_ref,
                                reason: DeferReason::AwaitingReapproval,
                            });
                        }
                        _ => report.held.push(HeldRow {
                            row: row_ref,
                            until: open,
                        }),
                    },
                    Ok(_) if stop.is_some() => report.deferred.push(DeferredRow {
                        row: row_ref,
                        reason: DeferReason::NotTried,
                    }),
                    Ok(_) => {
                        stop = self.submit_row(
                            row,
                            row_ref,
                            &sender,
                            gateway,
                            pacer,
                            now,
                            &mut report,
                        )?;
                    }
                }
            }
        }
        report.retry_at = stop;
        if report.window_closed.is_some() {
            // Rows deferred before the window closed wait for the approval too.
            for d in &mut report.deferred {
                d.reason = DeferReason::AwaitingReapproval;
            }
        }
        Ok(report)
    }

    /// Paces and submits one due row, filing it in `report`; returns when to retry if
    /// the pacer or the gateway asked to wait.
    #[expect(
        clippy::too_many_arguments,
        reason = "one call's state, passed down once"
    )]
    fn submit_row(
        &mut self,
        row: &PlannedMessage,
        row_ref: RowRef,
        sender: &SenderId,
        gateway: &dyn Gateway,
        pacer: &mut Pacer,
        now: DateTime<Utc>,
        report: &mut DispatchReport,
    ) -> Result<Option<DateTime<Utc>>, DispatchError> {
        let message = OutboundMessage::new(
            row_ref.id.clone(),
            sender.clone(),
            Msisdn::from(row.phone),
            Body::Text(row.text.clone()),
        );
        let parts = match message.parts(gateway.max_parts()) {
            Ok(parts) => u32::try_from(parts.len()).unwrap_or(u32::MAX),
            Err(error) => {
                report.rejected.push(RejectedRow {
                    row: row_ref,
                    error: RowError::Gateway(error),
                });
                return Ok(None);
            }
        };
        if let Admission::Wait(wait) = pacer.try_acquire(sender, parts, now)? {
            report.deferred.push(DeferredRow {
                row: row_ref,
                reason: DeferReason::Paced,
            });
            return Ok(Some(after(now, wait)));
        }
        match gateway.submit(&message) {
            Ok(receipt) => {
                self.submitted.insert(row_ref.id.clone());
                if receipt.submission == Submission::AlreadySubmitted {
                    report.already_submitted.push(row_ref);
                } else {
                    report.submitted.push(SubmittedRow {
                        row: row_ref,
                        parts: receipt.parts,
                        submission: receipt.submission,
                    });
                }
                Ok(None)
            }
            Err(error) => {
                let wait = match &error {
                    ProviderError::Throttled { retry_after, .. } => *retry_after,
                    ProviderError::Unavailable { .. } => self.unavailable_backoff,
                    _ => {
                        report.rejected.push(RejectedRow {
                            row: row_ref,
                            error: RowError::Gateway(error),
                        });
                        return Ok(None);
                    }
                };
                report.deferred.push(DeferredRow {
                    row: row_ref,
                    reason: DeferReason::Gateway(error),
                });
                Ok(Some(after(now, wait)))
            }
        }
    }
}

/// `now + wait`, saturating at the latest representable instant.
fn after(now: DateTime<Utc>, wait: Duration) -> DateTime<Utc> {
    chrono::Duration::from_std(wait)
        .ok()
        .and_then(|d| now.checked_add_signed(d))
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}

/// The idempotent id of the message of `contact` in `campaign` (and `run`, for a
/// recurring campaign): a readable prefix of the campaign id, a dot, and 32 hex digits
/// (128 bits) of the SHA-256 of the three, length-prefixed so that no two different
/// triples are confused by concatenation. The same inputs always give the same id, and
/// two different ones collide only with SHA-256's odds (a collision would make a later
/// message silently "already submitted").
///
/// ```
/// use smsplan_provider::dispatch::message_id;
/// let id = message_id("winter-sale", None, "c-42");
/// assert_eq!(id, message_id("winter-sale", None, "c-42"));
/// assert_ne!(id, message_id("winter-sale", Some("2026-12"), "c-42"));
/// assert!(id.as_str().starts_with("winter-sale."));
/// assert_eq!(message_id("Soldes d'été", None, "c").as_str().len(), 12 + 1 + 32);
/// ```
#[must_use]
pub fn message_id(campaign: &str, run: Option<&str>, contact: &str) -> MessageId {
    use sha2::{Digest, Sha256};
    let mut hash = Sha256::new();
    for field in [Some(campaign), run, Some(contact)] {
        match field {
            Some(text) => {
                hash.update([1]);
                hash.update((text.len() as u64).to_le_bytes());
                hash.update(text.as_bytes());
            }
            None => hash.update([0]),
        }
    }
    let digest = hash.finalize();
    let hex: String = digest.iter().take(16).map(|b| format!("{b:02x}")).collect();
    let prefix: String = campaign
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '_' | '-') {
                c
            } else {
                '-'
            }
        })
        .take(24)
        .collect();
    let text = format!("{prefix}.{hex}");
    #[expect(
        clippy::expect_used,
        reason = "at most 24 URL-safe characters, a dot and 32 hex digits: always a valid id"
    )]
    MessageId::new(&text).expect("valid derived id")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::memory::{InMemoryGateway, Outage};
    use crate::sender::{Capacity, Sender};
    use chrono::TimeZone;
    use proptest::prelude::*;
    use smsplan_core::approval::Confirmation;
    use smsplan_core::checklist::Checklist;
    use smsplan_core::money::{Currency, Money};
    use smsplan_core::phone::PhoneNumber;
    use smsplan_core::plan::Totals;
    use smsplan_core::text::Encoding;
    use smsplan_core::window::{MessageClass, PolicySet};

    fn sending() -> ApprovalState {
        ApprovalState::Sending(Checklist::default())
    }

    fn t0() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap()
    }

    fn secs(s: i64) -> DateTime<Utc> {
        t0() + chrono::Duration::seconds(s)
    }

    /// A plan with one row per offset (seconds after `t0`), contact `c<i>`.
    fn plan(offsets: &[i64]) -> SendPlan {
        let recipients: Vec<PlannedMessage> = offsets
            .iter()
            .enumerate()
            .map(|(i, &offset)| PlannedMessage {
                contact: ContactId::new(format!("c{i}")).unwrap(),
                position: i,
                phone: PhoneNumber::parse_international(&format!("+33612345{i:03}")).unwrap(),
                send_at: secs(offset),
                window_end: None,
                policies: PolicySet::default(),
                time_zones: vec![smsplan_core::chrono_tz::Europe::Paris],
                encoding: Encoding::Gsm7,
                segments: 1,
                cost: Money::zero(Currency::EUR),
                text: format!("Bonjour {i}. STOP 36180"),
            })
            .collect();
        SendPlan {
            campaign: "spring sale".parse().unwrap(),
            run: None,
            generated_at: t0(),
            scheduled_at: t0(),
            deadline: None,
            sender: Some(
                smsplan_core::sender::Sender::new(
                    smsplan_core::sender::SenderKind::ShortCode,
                    "36180",
                )
                .unwrap(),
            ),
            class: MessageClass::Marketing,
            outside_window: OutsideWindow::Hold,
            confirmation: Confirmation::Required,
            parts_per_second: std::num::NonZeroU32::MIN,
            skipped_runs: 0,
            state: StateKind::Prepared,
            totals: Totals {
                recipients: recipients.len(),
                excluded: 0,
                segments: recipients.len() as u64,
                cost: Money::zero(Currency::EUR),
                by_reason: Default::default(),
                by_segments: Default::default(),
                by_window: Default::default(),
                held: 0,
            },
            recipients,
            excluded: vec![],
            checklist: Checklist::default(),
        }
    }

    fn setup(rate: u32) -> (SenderId, Pacer, Dispatcher) {
        let sender = SenderId::short_code("36180").unwrap();
        let mut pacer = Pacer::default();
        pacer.add(&Sender::new(sender.clone()).with_capacity(Capacity::per_second(rate).unwrap()));
        (sender, pacer, Dispatcher::new())
    }

    fn indexes(rows: &[RowRef]) -> Vec<usize> {
        let mut v: Vec<usize> = rows.iter().map(|r| r.index).collect();
        v.sort_unstable();
        v
    }

    /// Every row index of every bucket, sorted: `0..n` when each row is in exactly one.
    fn partition(report: &DispatchReport) -> Vec<usize> {
        let mut v: Vec<usize> = report
            .submitted
            .iter()
            .map(|s| s.row.index)
            .chain(report.already_submitted.iter().map(|r| r.index))
            .chain(report.not_due.iter().map(|r| r.index))
            .chain(report.deferred.iter().map(|d| d.row.index))
            .chain(report.held.iter().map(|h| h.row.index))
            .chain(report.rejected.iter().map(|r| r.row.index))
            .chain(report.expired.iter().map(|r| r.index))
            .chain(report.opted_out.iter().map(|r| r.index))
            .collect();
        v.sort_unstable();
        v
    }

    fn submitted(report: &DispatchReport) -> Vec<usize> {
        report.submitted.iter().map(|s| s.row.index).collect()
    }

    /// Message ids of first parts sent by the gateway, in order.
    fn sent_ids(gateway: &InMemoryGateway) -> Vec<String> {
        gateway
            .sent()
            .iter()
            .filter(|p| p.part == 1)
            .map(|p| p.message.as_str().to_owned())
            .collect()
    }

    #[test]
    fn only_due_rows_are_sent_in_send_at_order() {
        let plan = plan(&[30, -10, 0, 60, -20]);
        let gateway = InMemoryGateway::default();
        let (_, mut pacer, mut d) = setup(100);
        let report = d
            .dispatch_due(&plan, &sending(), &gateway, &mut pacer, t0())
            .unwrap();
        assert_eq!(submitted(&report), vec![4, 1, 2]);
        assert_eq!(indexes(&report.not_due), vec![0, 3]);
        assert_eq!(report.next_due, Some(secs(30)));
        assert_eq!(report.next_call(), Some(secs(30)));
        assert_eq!(report.rows(), 5);
        assert_eq!(sent_ids(&gateway).len(), 3);
        assert!(
            report
                .submitted
                .iter()
                .all(|s| s.submission == Submission::Accepted && s.parts == 1)
        );
    }

    #[test]
    fn a_second_call_and_a_restarted_dispatcher_send_nothing_twice() {
        let plan = plan(&[0, 0, 0]);
        let gateway = InMemoryGateway::default();
        let (_, mut pacer, mut d) = setup(100);
        let first = d
            .dispatch_due(&plan, &sending(), &gateway, &mut pacer, t0())
            .unwrap();
        assert_eq!(first.submitted.len(), 3);
        // Same dispatcher: skipped without asking the gateway.
        let again = d
            .dispatch_due(&plan, &sending(), &gateway, &mut pacer, secs(1))
            .unwrap();
        assert_eq!(indexes(&again.already_submitted), vec![0, 1, 2]);
        assert_eq!(again.next_call(), None);
        // A restarted dispatcher: the gateway's idempotency answers.
        let mut restarted = Dispatcher::new();
        let after_restart = restarted
            .dispatch_due(&plan, &sending(), &gateway, &mut pacer, secs(2))
            .unwrap();
        assert!(after_restart.submitted.is_empty());
        assert_eq!(indexes(&after_restart.already_submitted), vec![0, 1, 2]);
        // A restarted dispatcher told what was submitted does not even ask.
        let mut seeded = Dispatcher::new();
        seeded.mark_submitted(d.submitted().cloned());
        let seeded_report = seeded
            .dispatch_due(&plan, &sending(), &gateway, &mut pacer, secs(3))
            .unwrap();
        assert_eq!(seeded_report.already_submitted.len(), 3);
        assert_eq!(sent_ids(&gateway).len(), 3);
    }

    #[test]
    fn pacing_limits_each_call_and_the_next_call_resumes() {
        let plan = plan(&[0; 5]);
        let gateway = InMemoryGateway::default();
        let (_, mut pacer, mut d) = setup(2);
        let first = d
            .dispatch_due(&plan, &sending(), &gateway, &mut pacer, t0())
            .unwrap();
        assert_eq!(submitted(&first), vec![0, 1]);
        assert_eq!(first.deferred.len(), 3);
        assert_eq!(first.deferred[0].reason, DeferReason::Paced);
        assert_eq!(first.deferred[1].reason, DeferReason::NotTried);
        assert_eq!(
            first.retry_at,
            Some(t0() + chrono::Duration::milliseconds(500))
        );
        let resume = first.next_call().unwrap();
        let second = d
            .dispatch_due(&plan, &sending(), &gateway, &mut pacer, resume)
            .unwrap();
        assert_eq!(submitted(&second), vec![2]);
        assert_eq!(indexes(&second.already_submitted), vec![0, 1]);
        let third = d
            .dispatch_due(&plan, &sending(), &gateway, &mut pacer, secs(5))
            .unwrap();
        assert_eq!(submitted(&third), vec![3, 4]);
        assert_eq!(third.next_call(), None);
        assert_eq!(sent_ids(&gateway).len(), 5);
    }

    #[test]
    fn an_outage_defers_rows_and_loses_none() {
        let plan = plan(&[0; 4]);
        let gateway = InMemoryGateway::default();
        let (_, mut pacer, d) = setup(100);
        let mut d = d.with_unavailable_backoff(Duration::from_secs(10));
        gateway.set_outage(Outage::AfterParts(1));
        let down = d
            .dispatch_due(&plan, &sending(), &gateway, &mut pacer, t0())
            .unwrap();
        assert_eq!(submitted(&down), vec![0]);
        assert!(matches!(
            down.deferred[0].reason,
            DeferReason::Gateway(ProviderError::Unavailable { .. })
        ));
        assert_eq!(down.deferred.len(), 3);
        assert_eq!(down.retry_at, Some(secs(10)));
        assert_eq!(down.rows(), 4);

        gateway.set_outage(Outage::Throttled(Duration::from_secs(3)));
        let throttled = d
            .dispatch_due(&plan, &sending(), &gateway, &mut pacer, secs(10))
            .unwrap();
        assert!(matches!(
            throttled.deferred[0].reason,
            DeferReason::Gateway(ProviderError::Throttled { .. })
        ));
        assert_eq!(throttled.retry_at, Some(secs(13)));

        gateway.set_outage(Outage::None);
        let back = d
            .dispatch_due(&plan, &sending(), &gateway, &mut pacer, secs(13))
            .unwrap();
        assert_eq!(submitted(&back), vec![1, 2, 3]);
        assert_eq!(back.next_call(), None);
        assert_eq!(sent_ids(&gateway).len(), 4);
    }

    #[test]
    fn rows_past_the_deadline_are_expired_not_sent() {
        let mut plan = plan(&[0, 0, 100, 40]);
        plan.deadline = Some(secs(50));
        let gateway = InMemoryGateway::default();
        let (_, mut pacer, mut d) = setup(1);
        let first = d
            .dispatch_due(&plan, &sending(), &gateway, &mut pacer, t0())
            .unwrap();
        assert_eq!(submitted(&first), vec![0]);
        // Due after the deadline: expired at once, not left for a later call.
        assert_eq!(indexes(&first.expired), vec![2]);
        assert_eq!(indexes(&first.not_due), vec![3]);
        // The deadline is closed at the deadline instant itself.
        let at_deadline = d
            .dispatch_due(&plan, &sending(), &gateway, &mut pacer, secs(50))
            .unwrap();
        assert!(at_deadline.submitted.is_empty());
        assert_eq!(indexes(&at_deadline.expired), vec![1, 2, 3]);
        let before = d
            .dispatch_due(&plan, &sending(), &gateway, &mut pacer, secs(49))
            .unwrap();
        assert_eq!(submitted(&before), vec![1]);
        let late = d
            .dispatch_due(&plan, &sending(), &gateway, &mut pacer, secs(200))
            .unwrap();
        assert!(late.submitted.is_empty());
        assert_eq!(indexes(&late.expired), vec![2, 3]);
        assert_eq!(indexes(&late.already_submitted), vec![0, 1]);
        assert_eq!(late.next_call(), None);
        assert_eq!(sent_ids(&gateway).len(), 2);
    }

    #[test]
    fn dispatch_is_refused_unless_the_send_is_sending() {
        let plan = plan(&[0]);
        let gateway = InMemoryGateway::default();
        let (_, mut pacer, mut d) = setup(10);
        for state in [
            ApprovalState::Draft,
            ApprovalState::Approved(Checklist::default()),
            ApprovalState::Held(Checklist::default()),
            ApprovalState::Completed,
            ApprovalState::Expired,
            ApprovalState::Cancelled { reason: "x".into() },
        ] {
            let kind = state.kind();
            assert_eq!(
                d.dispatch_due(&plan, &state, &gateway, &mut pacer, t0()),
                Err(DispatchError::NotSending {
                    campaign: "spring sale".into(),
                    state: kind
                })
            );
        }
        let mut draft = plan.clone();
        draft.state = StateKind::Draft;
        assert!(matches!(
            d.dispatch_due(&draft, &sending(), &gateway, &mut pacer, t0()),
            Err(DispatchError::PlanNotPrepared { .. })
        ));
        let mut other = plan.clone();
        other.sender = Some(
            smsplan_core::sender::Sender::new(
                smsplan_core::sender::SenderKind::Alphanumeric,
                "Other",
            )
            .unwrap(),
        );
        assert!(matches!(
            d.dispatch_due(&other, &sending(), &gateway, &mut pacer, t0()),
            Err(DispatchError::Pacing(PacingError::UnknownSender { .. }))
        ));
        other.sender = None;
        assert!(matches!(
            d.dispatch_due(&other, &sending(), &gateway, &mut pacer, t0()),
            Err(DispatchError::NoSender { .. })
        ));
        assert!(gateway.sent().is_empty());
    }

    #[test]
    fn rejected_rows_are_reported_with_masked_numbers_and_the_rest_goes_on() {
        let mut plan = plan(&[0, 0, 0]);
        plan.recipients[2].contact = plan.recipients[0].contact.clone();
        plan.recipients[1].text = "x".repeat(2000);
        let gateway = InMemoryGateway::default();
        gateway.reject_recipient(Msisdn::parse("+33612345000").unwrap(), "403");
        let (_, mut pacer, mut d) = setup(100);
        let report = d
            .dispatch_due(&plan, &sending(), &gateway, &mut pacer, t0())
            .unwrap();
        assert_eq!(report.rejected.len(), 3);
        assert!(matches!(
            report.rejected[0].error,
            RowError::Gateway(ProviderError::Rejected { .. })
        ));
        assert!(matches!(
            report.rejected[1].error,
            RowError::Gateway(ProviderError::InvalidRequest { .. })
        ));
        assert!(matches!(
            report.rejected[2].error,
            RowError::DuplicateContact { first_row: 0, .. }
        ));
        assert_eq!(report.next_call(), None);
        let printed = format!("{report:?}");
        assert!(!printed.contains("612345000"), "{printed}");
    }

    #[test]
    fn message_ids_are_valid_distinct_and_stable() {
        let long = "é".repeat(128);
        let a = message_id(&long, Some("2026-W52"), "contact 1");
        assert!(a.as_str().len() <= 64);
        assert_eq!(a, message_id(&long, Some("2026-W52"), "contact 1"));
        assert_ne!(a, message_id(&long, Some("2026-W52"), "contact 2"));
        assert_ne!(message_id("ab", None, "c"), message_id("a", Some("b"), "c"));
        assert_ne!(message_id("a", None, "bc"), message_id("ab", None, "c"));
        // SHA-256 of the length-prefixed fields, computed independently (Python hashlib).
        assert_eq!(
            message_id("winter-sale", None, "c-42").as_str(),
            "winter-sale.e21d2866650385377c9c5c470db97817"
        );
        assert_eq!(
            message_id("winter-sale", Some("2026-12"), "c-42").as_str(),
            "winter-sale.79326581e64843d3b25f37a6d856e976"
        );
    }

    proptest! {
        /// Over any sequence of `now` (even stepping back) with restarts, every row is
        /// submitted at most once and never before it is due, each report accounts for
        /// every row, and once the clock passes every `send_at` all rows get sent.
        #[test]
        fn every_due_row_is_submitted_exactly_once(
            offsets in proptest::collection::vec(0i64..120, 1..30),
            calls in proptest::collection::vec((0i64..150, any::<bool>()), 0..25),
            rate in 1u32..5,
        ) {
            let plan = plan(&offsets);
            let gateway = InMemoryGateway::default();
            let (_, mut pacer, mut d) = setup(rate);
            let mut at_send = HashMap::new();
            let mut check = |report: &DispatchReport, now: DateTime<Utc>| {
                assert_eq!(report.rows(), offsets.len());
                for s in &report.submitted {
                    assert!(s.row.send_at <= now);
                    assert!(at_send.insert(s.row.index, now).is_none(), "row {} twice", s.row.index);
                }
            };
            for (offset, restart) in calls {
                if restart {
                    d = Dispatcher::new();
                }
                let now = secs(offset);
                let report = d.dispatch_due(&plan, &sending(), &gateway, &mut pacer, now).unwrap();
                check(&report, now);
            }
            let mut now = secs(150);
            for _ in 0..200 {
                let report = d.dispatch_due(&plan, &sending(), &gateway, &mut pacer, now).unwrap();
                check(&report, now);
                match report.next_call() {
                    Some(next) => now = next.max(now),
                    None => break,
                }
            }
            let mut ids = sent_ids(&gateway);
            prop_assert_eq!(ids.len(), offsets.len());
            ids.sort();
            ids.dedup();
            prop_assert_eq!(ids.len(), offsets.len());
        }
    }

    use smsplan_core::chrono_tz::{America::New_York, Europe::Paris, Tz};
    use smsplan_core::window::{DayRanges, LocalRange, Policy, Preset, WeeklyRanges};

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().to_utc()
    }

    /// Rows all due at `at`, under `policies` in `zones`, numbers starting at `first`.
    fn window_plan(rows: &[(PolicySet, Tz)], at: DateTime<Utc>) -> SendPlan {
        let mut p = plan(&vec![0; rows.len()]);
        for (row, (policies, zone)) in p.recipients.iter_mut().zip(rows) {
            row.send_at = at;
            row.window_end = policies.window_end(&[*zone], at).unwrap();
            row.policies = policies.clone();
            row.time_zones = vec![*zone];
        }
        p
    }

    /// Calls the dispatcher from `start` at each `next_call` until it returns `None`,
    /// checking that every submitted row is allowed at the call's instant; returns the
    /// instants of the submits by row index, and the last report.
    fn drain(
        plan: &SendPlan,
        pacer: &mut Pacer,
        d: &mut Dispatcher,
        gateway: &InMemoryGateway,
        start: DateTime<Utc>,
    ) -> (HashMap<usize, DateTime<Utc>>, DispatchReport) {
        let mut now = start;
        let mut at = HashMap::new();
        loop {
            let report = d
                .dispatch_due(plan, &sending(), gateway, pacer, now)
                .unwrap();
            assert_eq!(
                partition(&report),
                (0..plan.recipients.len()).collect::<Vec<_>>()
            );
            for s in &report.submitted {
                let row = &plan.recipients[s.row.index];
                assert!(
                    row.policies.is_allowed(&row.time_zones, now).unwrap(),
                    "row {} at {now}",
                    s.row.index
                );
                assert!(at.insert(s.row.index, now).is_none());
            }
            match report.next_call() {
                Some(next) => now = next,
                None => return (at, report),
            }
        }
    }

    #[test]
    fn a_closing_window_holds_the_rest_until_it_opens_again() {
        // 600 French marketing rows due Saturday 19:55 in Paris through a long code at one
        // part a second: 300 go before 20:00, the rest on Monday from 08:00, none between.
        let fr = PolicySet::new([Preset::FrCommercial.policy()]);
        let start = utc("2026-11-28T19:55:00+01:00");
        let plan = window_plan(&vec![(fr, Paris); 600], start);
        let gateway = InMemoryGateway::default();
        let (_, mut pacer, mut d) = setup(1);
        let (at, last) = drain(&plan, &mut pacer, &mut d, &gateway, start);
        let close = utc("2026-11-28T20:00:00+01:00");
        let monday = utc("2026-11-30T08:00:00+01:00");
        assert_eq!(at.len(), 600);
        assert_eq!(at.values().filter(|t| **t < close).count(), 300);
        assert!(at.values().all(|t| *t < close || *t >= monday));
        assert_eq!(last.submitted.len() + last.already_submitted.len(), 600);
        assert_eq!(sent_ids(&gateway).len(), 600);
    }

    #[test]
    fn us_rows_keep_going_while_french_ones_wait() {
        let fr = PolicySet::new([Preset::FrCommercial.policy()]);
        let us = PolicySet::new([Preset::UsTcpa.policy()]);
        // 20:00 in Paris, 14:00 in New York.
        let now = utc("2026-11-27T20:00:00+01:00");
        let plan = window_plan(
            &[
                (fr.clone(), Paris),
                (us.clone(), New_York),
                (fr, Paris),
                (us, New_York),
            ],
            now,
        );
        let gateway = InMemoryGateway::default();
        let (_, mut pacer, mut d) = setup(10);
        let report = d
            .dispatch_due(&plan, &sending(), &gateway, &mut pacer, now)
            .unwrap();
        assert_eq!(submitted(&report), vec![1, 3]);
        let held: Vec<_> = report.held.iter().map(|h| (h.row.index, h.until)).collect();
        let saturday = utc("2026-11-28T08:00:00+01:00");
        assert_eq!(held, [(0, saturday), (2, saturday)]);
        assert_eq!(report.next_call(), Some(saturday));
        assert!(report.window_closed.is_none());
    }

    #[test]
    fn under_require_reapproval_a_closed_window_stops_every_country() {
        let fr = PolicySet::new([Preset::FrCommercial.policy()]);
        let us = PolicySet::new([Preset::UsTcpa.policy()]);
        let now = utc("2026-11-27T20:00:00+01:00");
        let mut plan = window_plan(&[(us.clone(), New_York), (fr, Paris), (us, New_York)], now);
        plan.outside_window = OutsideWindow::RequireReapproval;
        let gateway = InMemoryGateway::default();
        let (_, mut pacer, mut d) = setup(10);
        let report = d
            .dispatch_due(&plan, &sending(), &gateway, &mut pacer, now)
            .unwrap();
        // Row 0 (New York) went before row 1 (Paris) was found closed; row 2 waits.
        assert_eq!(submitted(&report), vec![0]);
        let closed = report.window_closed.as_ref().unwrap();
        assert_eq!(
            (closed.row.index, closed.reopens),
            (1, utc("2026-11-28T08:00:00+01:00"))
        );
        assert!(
            report
                .deferred
                .iter()
                .all(|r| r.reason == DeferReason::AwaitingReapproval)
        );
        assert_eq!(
            indexes(
                &report
                    .deferred
                    .iter()
                    .map(|r| r.row.clone())
                    .collect::<Vec<_>>()
            ),
            vec![1, 2]
        );
        assert_eq!(report.next_call(), None);
        assert_eq!(report.rows(), 3);
    }

    #[test]
    fn opted_out_contacts_are_never_sent() {
        let plan = plan(&[0, 0, 0]);
        let gateway = InMemoryGateway::default();
        let (_, mut pacer, mut d) = setup(10);
        d.mark_opted_out([plan.recipients[1].contact.clone()]);
        let report = d
            .dispatch_due(&plan, &sending(), &gateway, &mut pacer, t0())
            .unwrap();
        assert_eq!(submitted(&report), vec![0, 2]);
        assert_eq!(indexes(&report.opted_out), vec![1]);
        assert_eq!(report.next_call(), None);
    }

    /// A policy open on some local hours of every day, `hours` a bit mask of 24 bits.
    fn hourly(name: String, hours: u32) -> Policy {
        let ranges = (0..24u16)
            .filter(|h| hours & (1 << h) != 0)
            .map(|h| LocalRange::from_minutes(h * 60, h * 60 + 60).unwrap());
        Policy::builder(name)
            .weekly(WeeklyRanges::every_day(DayRanges::new(ranges)))
            .build()
            .unwrap()
    }

    fn zones() -> impl Strategy<Value = Tz> {
        proptest::sample::select(vec![
            Paris,
            New_York,
            smsplan_core::chrono_tz::Asia::Kolkata,
            smsplan_core::chrono_tz::Australia::Lord_Howe,
            smsplan_core::chrono_tz::UTC,
        ])
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        /// Random policies, zones, pacing rates, clocks (stepping back too), restarts and
        /// both outside-window modes: no part is submitted at an instant its policies
        /// forbid, no row twice, and every report accounts for every row.
        #[test]
        fn no_part_is_submitted_outside_its_window(
            rows in proptest::collection::vec(
                (proptest::option::of(1u32..(1 << 24)), zones(), 0i64..(3 * 86_400)),
                1..20,
            ),
            calls in proptest::collection::vec((0i64..(4 * 86_400), any::<bool>()), 1..40),
            rate in 1u32..4,
            reapproval in any::<bool>(),
            presets in any::<bool>(),
        ) {
            let start = utc("2026-03-27T00:00:00Z"); // around the European DST switch
            let mut p = plan(&vec![0; rows.len()]);
            for (i, (row, (hours, zone, offset))) in p.recipients.iter_mut().zip(&rows).enumerate() {
                row.policies = match (hours, presets) {
                    (None, _) => PolicySet::default(),
                    (Some(_), true) if i % 2 == 0 => PolicySet::new([Preset::FrCommercial.policy()]),
                    (Some(_), true) => PolicySet::new([Preset::UsTcpa.policy(), Preset::UsTx.policy()]),
                    (Some(h), false) => PolicySet::new([hourly(format!("p{i}"), *h)]),
                };
                row.time_zones = vec![*zone];
                row.send_at = start + chrono::Duration::seconds(*offset);
            }
            if reapproval {
                p.outside_window = OutsideWindow::RequireReapproval;
            }
            let gateway = InMemoryGateway::default();
            let (_, mut pacer, mut d) = setup(rate);
            let mut sent: HashSet<usize> = HashSet::new();
            for (offset, restart) in calls {
                if restart {
                    d = Dispatcher::new();
                }
                let now = start + chrono::Duration::seconds(offset);
                let report = d.dispatch_due(&p, &sending(), &gateway, &mut pacer, now).unwrap();
                prop_assert_eq!(partition(&report), (0..p.recipients.len()).collect::<Vec<_>>());
                for s in &report.submitted {
                    let row = &p.recipients[s.row.index];
                    prop_assert!(row.policies.is_allowed(&row.time_zones, now).unwrap(), "row {} at {}", s.row.index, now);
                    prop_assert!(row.send_at <= now);
                    prop_assert!(sent.insert(s.row.index), "row {} twice", s.row.index);
                }
            }
            let mut ids = sent_ids(&gateway);
            let n = ids.len();
            ids.sort();
            ids.dedup();
            prop_assert_eq!(ids.len(), n);
            prop_assert_eq!(n, sent.len());
        }
    }
}
