//! The approval state machine of a campaign send, with its audit trail.
//!
//! A send goes through `Draft → Prepared → AwaitingApproval → Approved → Scheduled →
//! Sending ⇄ Held → Completed`, may be `Rejected` (back to `Draft` for edits), `Expired`
//! at its deadline, or `Cancelled` at any time before it completes. Each move is an
//! [`Event`] applied by [`Session::apply`]; an illegal move is a [`TransitionError`], the
//! state stays as it was, and every accepted move appends an [`AuditEvent`] saying who did
//! it, when (passed in, never read from a clock), from which state, to which, and why.
//!
//! [`Sessions`] keeps one pending session per campaign: preparing a campaign again while
//! a session of it is still pending is an error.
//!
//! ```
//! use smsplan_core::approval::{Actor, Event, Session, StateKind};
//! use smsplan_core::checklist::Checklist;
//! use chrono::{TimeZone, Utc};
//!
//! let at = Utc.with_ymd_and_hms(2026, 12, 20, 9, 0, 0).single().ok_or("time")?;
//! let mut s = Session::new("winter-sale".parse()?);
//! s.apply(Event::Prepare(Checklist::default()), &Actor::new("ana")?, at)?;
//! s.apply(Event::Submit, &Actor::new("ana")?, at)?;
//! s.apply(Event::Approve, &Actor::new("bob")?, at)?;
//! s.apply(Event::Schedule, &Actor::new("ana")?, at)?;
//! // Confirmation before sending is on by default.
//! assert!(s.apply(Event::Start, &Actor::new("ana")?, at).is_err());
//! s.apply(Event::Confirm, &Actor::new("ana")?, at)?;
//! s.apply(Event::Start, &Actor::system(), at)?;
//! assert_eq!(s.state().kind(), StateKind::Sending);
//! assert_eq!(s.audit().len(), 6);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};

use crate::checklist::Checklist;

/// The identifier of a campaign: 1 to 128 characters, no control characters.
///
/// ```
/// let id: smsplan_core::approval::CampaignId = "winter-sale".parse()?;
/// assert_eq!(id.as_str(), "winter-sale");
/// # Ok::<(), smsplan_core::approval::IdError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CampaignId(Box<str>);

impl CampaignId {
    /// Returns the identifier as written.
    ///
    /// ```
    /// let id: smsplan_core::approval::CampaignId = "c1".parse()?;
    /// assert_eq!(id.as_str(), "c1");
    /// # Ok::<(), smsplan_core::approval::IdError>(())
    /// ```
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for CampaignId {
    type Err = IdError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        check_id(s).map(|()| Self(s.into()))
    }
}

impl fmt::Display for CampaignId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Who made a transition: a person's or a system's name, 1 to 128 characters.
///
/// ```
/// let who = smsplan_core::approval::Actor::new("ana@example.org")?;
/// assert_eq!(who.as_str(), "ana@example.org");
/// # Ok::<(), smsplan_core::approval::IdError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Actor(Box<str>);

impl Actor {
    /// Names an actor.
    ///
    /// ```
    /// assert!(smsplan_core::approval::Actor::new("").is_err());
    /// ```
    /// # Errors
    /// [`IdError`] when the name is empty, longer than 128 characters or holds a control
    /// character.
    pub fn new(name: &str) -> Result<Self, IdError> {
        check_id(name).map(|()| Self(name.into()))
    }

    /// The actor for moves the software makes on its own (windows opening and closing,
    /// deadlines, the end of sending): `system`.
    ///
    /// ```
    /// assert_eq!(smsplan_core::approval::Actor::system().as_str(), "system");
    /// ```
    #[must_use]
    pub fn system() -> Self {
        Self("system".into())
    }

    /// Returns the name.
    ///
    /// ```
    /// assert_eq!(smsplan_core::approval::Actor::new("bob")?.as_str(), "bob");
    /// # Ok::<(), smsplan_core::approval::IdError>(())
    /// ```
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Actor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Why an identifier or actor name was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IdError {
    /// The name is empty.
    #[error("empty name")]
    Empty,
    /// The name is longer than 128 characters.
    #[error("name of {len} characters, the limit is 128")]
    TooLong {
        /// Its length in characters.
        len: usize,
    },
    /// The name holds a control character.
    #[error("control character at offset {offset}")]
    Control {
        /// Offset of the character, in characters.
        offset: usize,
    },
}

fn check_id(s: &str) -> Result<(), IdError> {
    if s.is_empty() {
        return Err(IdError::Empty);
    }
    let len = s.chars().count();
    if len > 128 {
        return Err(IdError::TooLong { len });
    }
    match s.chars().position(char::is_control) {
        Some(offset) => Err(IdError::Control { offset }),
        None => Ok(()),
    }
}

/// What happens to a send interrupted by the end of a legal window: the windows module's
/// enum, re-exported here because [`Event::WindowOpened`] follows it.
pub use crate::schedule::OutsideWindow;

/// Whether a person must confirm before sending starts.
///
/// ```
/// use smsplan_core::approval::Confirmation;
/// assert_eq!(Confirmation::default(), Confirmation::Required);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Confirmation {
    /// [`Event::Confirm`] must be applied to a scheduled session before [`Event::Start`].
    #[default]
    Required,
    /// Sending starts without a confirmation (an explicit opt-out).
    NotRequired,
}

impl Confirmation {
    /// Every setting, in declaration order.
    pub const ALL: [Self; 2] = [Self::Required, Self::NotRequired];
}

/// Whether a scheduled send was confirmed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Confirmed {
    /// Not yet: sending cannot start.
    No,
    /// Confirmed by [`Event::Confirm`].
    Yes,
    /// The session does not require a confirmation.
    NotRequired,
}

/// The state of a send, with what each state needs to remember.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ApprovalState {
    /// Being edited; nothing checked.
    Draft,
    /// The checklist ran and nothing failed.
    Prepared(Checklist),
    /// Waiting for an approver.
    AwaitingApproval(Checklist),
    /// An approver accepted it.
    Approved(Checklist),
    /// An approver refused it, with a reason; [`Event::Reopen`] goes back to `Draft`.
    Rejected {
        /// Why it was refused.
        reason: String,
    },
    /// Approved and placed in time.
    Scheduled {
        /// Whether sending may start.
        confirmed: Confirmed,
        /// The checklist that was approved.
        checklist: Checklist,
    },
    /// Messages are going out; the approved checklist is kept for a re-approval.
    Sending(Checklist),
    /// A legal window closed: the remainder waits for the next one.
    Held(Checklist),
    /// Every message went out (terminal).
    Completed,
    /// The deadline passed before everything went out (terminal).
    Expired,
    /// Stopped by a person before completion (terminal).
    Cancelled {
        /// Why it was stopped.
        reason: String,
    },
}

/// The name of a state without its data, for errors, audit events and wire formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum StateKind {
    /// [`ApprovalState::Draft`].
    Draft,
    /// [`ApprovalState::Prepared`].
    Prepared,
    /// [`ApprovalState::AwaitingApproval`].
    AwaitingApproval,
    /// [`ApprovalState::Approved`].
    Approved,
    /// [`ApprovalState::Rejected`].
    Rejected,
    /// [`ApprovalState::Scheduled`].
    Scheduled,
    /// [`ApprovalState::Sending`].
    Sending,
    /// [`ApprovalState::Held`].
    Held,
    /// [`ApprovalState::Completed`].
    Completed,
    /// [`ApprovalState::Expired`].
    Expired,
    /// [`ApprovalState::Cancelled`].
    Cancelled,
}

impl StateKind {
    /// Every state, in the order of a successful send.
    pub const ALL: [Self; 11] = [
        Self::Draft,
        Self::Prepared,
        Self::AwaitingApproval,
        Self::Approved,
        Self::Rejected,
        Self::Scheduled,
        Self::Sending,
        Self::Held,
        Self::Completed,
        Self::Expired,
        Self::Cancelled,
    ];

    /// The snake_case name used in wire formats.
    ///
    /// ```
    /// use smsplan_core::approval::StateKind;
    /// assert_eq!(StateKind::AwaitingApproval.as_str(), "awaiting_approval");
    /// ```
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Prepared => "prepared",
            Self::AwaitingApproval => "awaiting_approval",
            Self::Approved => "approved",
            Self::Rejected => "rejected",
            Self::Scheduled => "scheduled",
            Self::Sending => "sending",
            Self::Held => "held",
            Self::Completed => "completed",
            Self::Expired => "expired",
            Self::Cancelled => "cancelled",
        }
    }

    /// Whether no move leaves this state (`completed`, `expired`, `cancelled`).
    ///
    /// ```
    /// use smsplan_core::approval::StateKind;
    /// assert!(StateKind::Completed.is_terminal());
    /// assert!(!StateKind::Held.is_terminal());
    /// ```
    #[must_use]
    pub const fn is_terminal(self) -> bool {
        matches!(self, Self::Completed | Self::Expired | Self::Cancelled)
    }
}

impl fmt::Display for StateKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for StateKind {
    type Err = UnknownState;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| UnknownState(s.to_owned()))
    }
}

/// A state name that is not one of [`StateKind::ALL`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown approval state {0:?}")]
pub struct UnknownState(pub String);

impl ApprovalState {
    /// The name of the state.
    ///
    /// ```
    /// use smsplan_core::approval::{ApprovalState, StateKind};
    /// assert_eq!(ApprovalState::Draft.kind(), StateKind::Draft);
    /// ```
    #[must_use]
    pub const fn kind(&self) -> StateKind {
        match self {
            Self::Draft => StateKind::Draft,
            Self::Prepared(_) => StateKind::Prepared,
            Self::AwaitingApproval(_) => StateKind::AwaitingApproval,
            Self::Approved(_) => StateKind::Approved,
            Self::Rejected { .. } => StateKind::Rejected,
            Self::Scheduled { .. } => StateKind::Scheduled,
            Self::Sending(_) => StateKind::Sending,
            Self::Held(_) => StateKind::Held,
            Self::Completed => StateKind::Completed,
            Self::Expired => StateKind::Expired,
            Self::Cancelled { .. } => StateKind::Cancelled,
        }
    }

    /// Applies one event and returns the next state; the policies are the session's.
    ///
    /// ```
    /// use smsplan_core::approval::{ApprovalState, Confirmation, Event, OutsideWindow, StateKind};
    /// use smsplan_core::checklist::Checklist;
    /// let sending = ApprovalState::Sending(Checklist::default());
    /// let held = sending.clone().apply(Event::WindowClosed, OutsideWindow::Hold, Confirmation::Required)?;
    /// assert_eq!(held.kind(), StateKind::Held);
    /// // With re-approval required, the send waits for an approver, who sees the checklist.
    /// let again = sending.apply(Event::WindowClosed, OutsideWindow::RequireReapproval, Confirmation::Required)?;
    /// assert_eq!(again, ApprovalState::AwaitingApproval(Checklist::default()));
    /// # Ok::<(), smsplan_core::approval::TransitionError>(())
    /// ```
    /// # Errors
    /// [`TransitionError::Illegal`] when the event has no meaning in this state,
    /// [`TransitionError::ChecklistFailed`] when preparing with a failing check,
    /// [`TransitionError::NotConfirmed`] when starting an unconfirmed send that needs a
    /// confirmation, and [`TransitionError::EmptyReason`] for a rejection or cancellation
    /// without a reason.
    pub fn apply(
        self,
        event: Event,
        outside_window: OutsideWindow,
        confirmation: Confirmation,
    ) -> Result<Self, TransitionError> {
        let from = self.kind();
        let event_kind = event.kind();
        match (self, event) {
            (Self::Draft, Event::Prepare(list)) => match list.first_failure() {
                Some(check) => Err(TransitionError::ChecklistFailed {
                    check: check.id.as_str().to_owned(),
                    detail: check.detail.clone(),
                }),
                None => Ok(Self::Prepared(list)),
            },
            (Self::Prepared(list), Event::Submit) => Ok(Self::AwaitingApproval(list)),
            (Self::AwaitingApproval(list), Event::Approve) => Ok(Self::Approved(list)),
            (Self::AwaitingApproval(_), Event::Reject { reason }) => {
                non_empty(&reason, event_kind)?;
                Ok(Self::Rejected { reason })
            }
            (Self::Prepared(_) | Self::Rejected { .. }, Event::Reopen) => Ok(Self::Draft),
            (Self::Approved(checklist), Event::Schedule) => Ok(Self::Scheduled {
                confirmed: match confirmation {
                    Confirmation::Required => Confirmed::No,
                    Confirmation::NotRequired => Confirmed::NotRequired,
                },
                checklist,
            }),
            (
                Self::Scheduled {
                    confirmed: Confirmed::No | Confirmed::Yes,
                    checklist,
                },
                Event::Confirm,
            ) => Ok(Self::Scheduled {
                confirmed: Confirmed::Yes,
                checklist,
            }),
            (
                Self::Scheduled {
                    confirmed,
                    checklist,
                },
                Event::Start,
            ) => match confirmed {
                Confirmed::No => Err(TransitionError::NotConfirmed),
                Confirmed::Yes | Confirmed::NotRequired => Ok(Self::Sending(checklist)),
            },
            (state @ Self::Scheduled { .. }, Event::Refresh { diff }) => {
                non_empty(&diff, event_kind)?;
                Ok(state)
            }
            (Self::Sending(list), Event::WindowClosed) => match outside_window {
                OutsideWindow::Hold => Ok(Self::Held(list)),
                OutsideWindow::RequireReapproval => Ok(Self::AwaitingApproval(list)),
            },
            (Self::Held(list), Event::WindowOpened) => match outside_window {
                OutsideWindow::Hold => Ok(Self::Sending(list)),
                OutsideWindow::RequireReapproval => Ok(Self::AwaitingApproval(list)),
            },
            (Self::Sending(_), Event::Complete) => Ok(Self::Completed),
            (
                Self::AwaitingApproval(_)
                | Self::Approved(_)
                | Self::Scheduled { .. }
                | Self::Sending(_)
                | Self::Held(_),
                Event::Expire,
            ) => Ok(Self::Expired),
            (state, Event::Cancel { reason }) if !state.kind().is_terminal() => {
                non_empty(&reason, event_kind)?;
                Ok(Self::Cancelled { reason })
            }
            (_, _) => Err(TransitionError::Illegal {
                from,
                event: event_kind,
            }),
        }
    }
}

fn non_empty(reason: &str, event: EventKind) -> Result<(), TransitionError> {
    if reason.trim().is_empty() {
        Err(TransitionError::EmptyReason { event })
    } else {
        Ok(())
    }
}

/// Something that happens to a send.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Event {
    /// The checklist ran (`Draft → Prepared`); a failing check blocks.
    Prepare(Checklist),
    /// Sent to the approvers (`Prepared → AwaitingApproval`).
    Submit,
    /// An approver accepts (`AwaitingApproval → Approved`).
    Approve,
    /// An approver refuses, with a reason (`AwaitingApproval → Rejected`).
    Reject {
        /// Why; must not be blank.
        reason: String,
    },
    /// Back to editing (`Rejected | Prepared → Draft`).
    Reopen,
    /// Placed in time (`Approved → Scheduled`).
    Schedule,
    /// A person confirms the scheduled send.
    Confirm,
    /// Sending begins (`Scheduled → Sending`), once confirmed when confirmation is required.
    Start,
    /// The recipient list was updated at send time (the campaign asks for it): the
    /// scheduled send stays scheduled, with the diff recorded (`Scheduled → Scheduled`).
    Refresh {
        /// What changed, for people (contact ids, never numbers); must not be blank.
        diff: String,
    },
    /// A legal window closed during sending with messages left: `Sending → Held`, or
    /// `→ AwaitingApproval` (with the approved checklist) when the account requires a new
    /// approval, which then holds every country.
    WindowClosed,
    /// The next window opened (`Held → Sending`).
    WindowOpened,
    /// Every message went out (`Sending → Completed`).
    Complete,
    /// The deadline passed (any state from `AwaitingApproval` to `Held` `→ Expired`).
    Expire,
    /// Stopped by a person, with a reason (any state but a terminal one `→ Cancelled`).
    Cancel {
        /// Why; must not be blank.
        reason: String,
    },
}

/// The name of an event without its data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum EventKind {
    /// [`Event::Prepare`].
    Prepare,
    /// [`Event::Submit`].
    Submit,
    /// [`Event::Approve`].
    Approve,
    /// [`Event::Reject`].
    Reject,
    /// [`Event::Reopen`].
    Reopen,
    /// [`Event::Schedule`].
    Schedule,
    /// [`Event::Confirm`].
    Confirm,
    /// [`Event::Start`].
    Start,
    /// [`Event::Refresh`].
    Refresh,
    /// [`Event::WindowClosed`].
    WindowClosed,
    /// [`Event::WindowOpened`].
    WindowOpened,
    /// [`Event::Complete`].
    Complete,
    /// [`Event::Expire`].
    Expire,
    /// [`Event::Cancel`].
    Cancel,
}

impl EventKind {
    /// The snake_case name of the event.
    ///
    /// ```
    /// assert_eq!(smsplan_core::approval::EventKind::WindowClosed.as_str(), "window_closed");
    /// ```
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Prepare => "prepare",
            Self::Submit => "submit",
            Self::Approve => "approve",
            Self::Reject => "reject",
            Self::Reopen => "reopen",
            Self::Schedule => "schedule",
            Self::Confirm => "confirm",
            Self::Start => "start",
            Self::Refresh => "refresh",
            Self::WindowClosed => "window_closed",
            Self::WindowOpened => "window_opened",
            Self::Complete => "complete",
            Self::Expire => "expire",
            Self::Cancel => "cancel",
        }
    }
}

impl fmt::Display for EventKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Event {
    /// The name of the event.
    ///
    /// ```
    /// use smsplan_core::approval::{Event, EventKind};
    /// assert_eq!(Event::Approve.kind(), EventKind::Approve);
    /// ```
    #[must_use]
    pub const fn kind(&self) -> EventKind {
        match self {
            Self::Prepare(_) => EventKind::Prepare,
            Self::Submit => EventKind::Submit,
            Self::Approve => EventKind::Approve,
            Self::Reject { .. } => EventKind::Reject,
            Self::Reopen => EventKind::Reopen,
            Self::Schedule => EventKind::Schedule,
            Self::Confirm => EventKind::Confirm,
            Self::Start => EventKind::Start,
            Self::Refresh { .. } => EventKind::Refresh,
            Self::WindowClosed => EventKind::WindowClosed,
            Self::WindowOpened => EventKind::WindowOpened,
            Self::Complete => EventKind::Complete,
            Self::Expire => EventKind::Expire,
            Self::Cancel { .. } => EventKind::Cancel,
        }
    }

    fn reason(&self) -> Option<&str> {
        match self {
            Self::Reject { reason } | Self::Cancel { reason } => Some(reason),
            Self::Refresh { diff } => Some(diff),
            _ => None,
        }
    }
}

/// Why a move was refused; the session is left as it was.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TransitionError {
    /// The event has no meaning in this state.
    #[error("cannot {event} a send in state {from}")]
    Illegal {
        /// The state the session is in.
        from: StateKind,
        /// The refused event.
        event: EventKind,
    },
    /// A check of the checklist failed, so the send cannot be prepared.
    #[error("check `{check}` failed: {detail}")]
    ChecklistFailed {
        /// The id of the first failing check.
        check: String,
        /// What it found.
        detail: String,
    },
    /// The send needs a confirmation before it starts.
    #[error("sending needs a confirmation first")]
    NotConfirmed,
    /// A rejection or cancellation came without a reason.
    #[error("{event} needs a reason")]
    EmptyReason {
        /// The event.
        event: EventKind,
    },
    /// The event is dated before the previous one of the audit trail.
    #[error("event at {at} is earlier than the previous one at {previous}")]
    OutOfOrder {
        /// The instant given.
        at: DateTime<Utc>,
        /// The instant of the last audit event.
        previous: DateTime<Utc>,
    },
}

/// One accepted move: who, when, from, to and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEvent {
    /// Who made the move.
    pub actor: Actor,
    /// When, as given by the caller.
    pub at: DateTime<Utc>,
    /// What happened.
    pub event: EventKind,
    /// The state before.
    pub from: StateKind,
    /// The state after.
    pub to: StateKind,
    /// The reason given for a rejection or cancellation.
    pub reason: Option<String>,
}

/// One send of one campaign: its state, its policies and its audit trail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    campaign: CampaignId,
    state: ApprovalState,
    outside_window: OutsideWindow,
    confirmation: Confirmation,
    audit: Vec<AuditEvent>,
}

impl Session {
    /// A new session in `Draft`, holding sends outside windows and requiring a confirmation.
    ///
    /// ```
    /// use smsplan_core::approval::{Session, StateKind};
    /// let s = Session::new("c".parse()?);
    /// assert_eq!(s.state().kind(), StateKind::Draft);
    /// # Ok::<(), smsplan_core::approval::IdError>(())
    /// ```
    #[must_use]
    pub fn new(campaign: CampaignId) -> Self {
        Self {
            campaign,
            state: ApprovalState::Draft,
            outside_window: OutsideWindow::Hold,
            confirmation: Confirmation::default(),
            audit: Vec::new(),
        }
    }

    /// Sets what happens when a window closes during sending.
    ///
    /// ```
    /// use smsplan_core::approval::{OutsideWindow, Session};
    /// let s = Session::new("c".parse()?).with_outside_window(OutsideWindow::RequireReapproval);
    /// assert_eq!(s.outside_window(), OutsideWindow::RequireReapproval);
    /// # Ok::<(), smsplan_core::approval::IdError>(())
    /// ```
    #[must_use]
    pub fn with_outside_window(mut self, policy: OutsideWindow) -> Self {
        self.outside_window = policy;
        self
    }

    /// Sets whether a confirmation is needed before sending (by default it is).
    ///
    /// ```
    /// use smsplan_core::approval::{Confirmation, Session};
    /// let s = Session::new("c".parse()?).with_confirmation(Confirmation::NotRequired);
    /// assert_eq!(s.confirmation(), Confirmation::NotRequired);
    /// # Ok::<(), smsplan_core::approval::IdError>(())
    /// ```
    #[must_use]
    pub fn with_confirmation(mut self, confirmation: Confirmation) -> Self {
        self.confirmation = confirmation;
        self
    }

    /// The campaign this session sends.
    ///
    /// ```
    /// let s = smsplan_core::approval::Session::new("c".parse()?);
    /// assert_eq!(s.campaign().as_str(), "c");
    /// # Ok::<(), smsplan_core::approval::IdError>(())
    /// ```
    #[must_use]
    pub fn campaign(&self) -> &CampaignId {
        &self.campaign
    }

    /// The current state.
    ///
    /// ```
    /// let s = smsplan_core::approval::Session::new("c".parse()?);
    /// assert_eq!(s.state(), &smsplan_core::approval::ApprovalState::Draft);
    /// # Ok::<(), smsplan_core::approval::IdError>(())
    /// ```
    #[must_use]
    pub fn state(&self) -> &ApprovalState {
        &self.state
    }

    /// What happens when a window closes during sending.
    ///
    /// ```
    /// use smsplan_core::approval::{OutsideWindow, Session};
    /// assert_eq!(Session::new("c".parse()?).outside_window(), OutsideWindow::Hold);
    /// # Ok::<(), smsplan_core::approval::IdError>(())
    /// ```
    #[must_use]
    pub fn outside_window(&self) -> OutsideWindow {
        self.outside_window
    }

    /// Whether a confirmation is needed before sending.
    ///
    /// ```
    /// use smsplan_core::approval::{Confirmation, Session};
    /// assert_eq!(Session::new("c".parse()?).confirmation(), Confirmation::Required);
    /// # Ok::<(), smsplan_core::approval::IdError>(())
    /// ```
    #[must_use]
    pub fn confirmation(&self) -> Confirmation {
        self.confirmation
    }

    /// The accepted moves, oldest first.
    ///
    /// ```
    /// assert!(smsplan_core::approval::Session::new("c".parse()?).audit().is_empty());
    /// # Ok::<(), smsplan_core::approval::IdError>(())
    /// ```
    #[must_use]
    pub fn audit(&self) -> &[AuditEvent] {
        &self.audit
    }

    /// Whether the session is still pending (not completed, expired or cancelled).
    ///
    /// ```
    /// assert!(smsplan_core::approval::Session::new("c".parse()?).is_pending());
    /// # Ok::<(), smsplan_core::approval::IdError>(())
    /// ```
    #[must_use]
    pub fn is_pending(&self) -> bool {
        !self.state.kind().is_terminal()
    }

    /// Applies an event made by `actor` at `at` and records it in the audit trail.
    ///
    /// See the [module example](self).
    ///
    /// # Errors
    /// [`TransitionError::OutOfOrder`] when `at` is earlier than the last audit event, and
    /// the errors of [`ApprovalState::apply`]. On error nothing changes.
    pub fn apply(
        &mut self,
        event: Event,
        actor: &Actor,
        at: DateTime<Utc>,
    ) -> Result<&ApprovalState, TransitionError> {
        if let Some(last) = self.audit.last()
            && at < last.at
        {
            return Err(TransitionError::OutOfOrder {
                at,
                previous: last.at,
            });
        }
        let kind = event.kind();
        let reason = event.reason().map(str::to_owned);
        let from = self.state.kind();
        let next = self
            .state
            .clone()
            .apply(event, self.outside_window, self.confirmation)?;
        self.audit.push(AuditEvent {
            actor: actor.clone(),
            at,
            event: kind,
            from,
            to: next.kind(),
            reason,
        });
        self.state = next;
        Ok(&self.state)
    }
}

/// Why a session could not be opened.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SessionError {
    /// The campaign already has a pending session.
    #[error("campaign {campaign} already has a pending session in state {state}")]
    AlreadyPending {
        /// The campaign.
        campaign: CampaignId,
        /// The state of its pending session.
        state: StateKind,
    },
    /// The campaign has no session.
    #[error("campaign {campaign} has no session")]
    NoSession {
        /// The campaign.
        campaign: CampaignId,
    },
    /// A move was refused.
    #[error("campaign {campaign}")]
    Transition {
        /// The campaign.
        campaign: CampaignId,
        /// The refused move.
        #[source]
        source: TransitionError,
    },
}

/// The sessions of many campaigns, at most one pending per campaign.
///
/// ```
/// use smsplan_core::approval::{Actor, Sessions, SessionError};
/// use smsplan_core::checklist::Checklist;
/// use chrono::{TimeZone, Utc};
///
/// let at = Utc.with_ymd_and_hms(2026, 12, 20, 9, 0, 0).single().ok_or("time")?;
/// let mut book = Sessions::default();
/// let ana = Actor::new("ana")?;
/// book.prepare("sale".parse()?, Checklist::default(), &ana, at)?;
/// let again = book.prepare("sale".parse()?, Checklist::default(), &ana, at);
/// assert!(matches!(again, Err(SessionError::AlreadyPending { .. })));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sessions {
    current: BTreeMap<CampaignId, Session>,
    finished: Vec<Session>,
}

impl Sessions {
    /// Opens a session for `campaign` and prepares it with `checklist` in one move.
    ///
    /// A finished (terminal) session of the campaign is archived first.
    ///
    /// # Errors
    /// [`SessionError::AlreadyPending`] when the campaign has a pending session, and
    /// [`SessionError::Transition`] when the checklist fails (no session is kept then).
    pub fn prepare(
        &mut self,
        campaign: CampaignId,
        checklist: Checklist,
        actor: &Actor,
        at: DateTime<Utc>,
    ) -> Result<&Session, SessionError> {
        self.open_with(Session::new(campaign), checklist, actor, at)
    }

    /// Like [`Sessions::prepare`], with a session configured by the caller.
    ///
    /// ```
    /// use smsplan_core::approval::{Actor, Confirmation, Session, Sessions};
    /// use smsplan_core::checklist::Checklist;
    /// use chrono::{TimeZone, Utc};
    /// let at = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).single().ok_or("time")?;
    /// let mut book = Sessions::default();
    /// let s = Session::new("c".parse()?).with_confirmation(Confirmation::NotRequired);
    /// book.open_with(s, Checklist::default(), &Actor::system(), at)?;
    /// assert!(book.get(&"c".parse()?).is_some());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    /// # Errors
    /// As [`Sessions::prepare`].
    pub fn open_with(
        &mut self,
        mut session: Session,
        checklist: Checklist,
        actor: &Actor,
        at: DateTime<Utc>,
    ) -> Result<&Session, SessionError> {
        let campaign = session.campaign.clone();
        if let Some(existing) = self.current.get(&campaign)
            && existing.is_pending()
        {
            return Err(SessionError::AlreadyPending {
                campaign,
                state: existing.state.kind(),
            });
        }
        if let Some(done) = self.current.remove(&campaign) {
            self.finished.push(done);
        }
        session
            .apply(Event::Prepare(checklist), actor, at)
            .map_err(|source| SessionError::Transition {
                campaign: campaign.clone(),
                source,
            })?;
        Ok(self.current.entry(campaign).or_insert(session))
    }

    /// Applies an event to the campaign's current session.
    ///
    /// ```
    /// use smsplan_core::approval::{Actor, Event, Sessions, StateKind};
    /// use smsplan_core::checklist::Checklist;
    /// use chrono::{TimeZone, Utc};
    /// let at = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).single().ok_or("time")?;
    /// let mut book = Sessions::default();
    /// let c: smsplan_core::approval::CampaignId = "c".parse()?;
    /// book.prepare(c.clone(), Checklist::default(), &Actor::system(), at)?;
    /// let state = book.apply(&c, Event::Submit, &Actor::system(), at)?;
    /// assert_eq!(state.kind(), StateKind::AwaitingApproval);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    /// # Errors
    /// [`SessionError::NoSession`] when the campaign has none, [`SessionError::Transition`]
    /// when the move is refused.
    pub fn apply(
        &mut self,
        campaign: &CampaignId,
        event: Event,
        actor: &Actor,
        at: DateTime<Utc>,
    ) -> Result<&ApprovalState, SessionError> {
        let session = self
            .current
            .get_mut(campaign)
            .ok_or_else(|| SessionError::NoSession {
                campaign: campaign.clone(),
            })?;
        session
            .apply(event, actor, at)
            .map_err(|source| SessionError::Transition {
                campaign: campaign.clone(),
                source,
            })
    }

    /// The campaign's current session (pending or the last finished one not yet replaced).
    ///
    /// ```
    /// let book = smsplan_core::approval::Sessions::default();
    /// assert!(book.get(&"c".parse()?).is_none());
    /// # Ok::<(), smsplan_core::approval::IdError>(())
    /// ```
    #[must_use]
    pub fn get(&self, campaign: &CampaignId) -> Option<&Session> {
        self.current.get(campaign)
    }

    /// Sessions replaced by a newer one of the same campaign, oldest first.
    ///
    /// ```
    /// assert!(smsplan_core::approval::Sessions::default().archived().is_empty());
    /// ```
    #[must_use]
    pub fn archived(&self) -> &[Session] {
        &self.finished
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checklist::{Check, CheckId, CheckStatus};
    use chrono::TimeZone;
    use proptest::prelude::*;

    fn t(minute: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 20, 9, minute, 0).unwrap()
    }

    fn ana() -> Actor {
        Actor::new("ana").unwrap()
    }

    fn scheduled(confirmation: Confirmation, policy: OutsideWindow) -> Session {
        let mut s = Session::new("c".parse().unwrap())
            .with_confirmation(confirmation)
            .with_outside_window(policy);
        let mut list = Checklist::default();
        list.push(crate::checklist::Check::new(
            crate::checklist::CheckId::Sender,
            crate::checklist::CheckStatus::Pass,
            "alphanumeric sender SHOP",
        ));
        for e in [
            Event::Prepare(list),
            Event::Submit,
            Event::Approve,
            Event::Schedule,
        ] {
            s.apply(e, &ana(), t(0)).unwrap();
        }
        s
    }

    #[test]
    fn a_failing_check_blocks_preparation() {
        let mut list = Checklist::default();
        list.push(Check::new(CheckId::Sender, CheckStatus::Warn, "odd"));
        list.push(Check::new(
            CheckId::AudienceNotEmpty,
            CheckStatus::Fail,
            "no one",
        ));
        let mut s = Session::new("c".parse().unwrap());
        let err = s.apply(Event::Prepare(list), &ana(), t(0)).unwrap_err();
        assert_eq!(
            err,
            TransitionError::ChecklistFailed {
                check: "audience_not_empty".into(),
                detail: "no one".into()
            }
        );
        assert_eq!(s.state(), &ApprovalState::Draft);
        assert!(s.audit().is_empty());
    }

    #[test]
    fn warnings_do_not_block_preparation() {
        let mut list = Checklist::default();
        list.push(Check::new(CheckId::TestSms, CheckStatus::Warn, "none sent"));
        let mut s = Session::new("c".parse().unwrap());
        s.apply(Event::Prepare(list), &ana(), t(0)).unwrap();
        assert_eq!(s.state().kind(), StateKind::Prepared);
    }

    #[test]
    fn rejection_needs_a_reason_and_goes_back_to_draft() {
        let mut s = Session::new("c".parse().unwrap());
        s.apply(Event::Prepare(Checklist::default()), &ana(), t(0))
            .unwrap();
        s.apply(Event::Submit, &ana(), t(1)).unwrap();
        let blank = s.apply(Event::Reject { reason: " ".into() }, &ana(), t(2));
        assert_eq!(
            blank.unwrap_err(),
            TransitionError::EmptyReason {
                event: EventKind::Reject
            }
        );
        s.apply(
            Event::Reject {
                reason: "price is wrong".into(),
            },
            &Actor::new("bob").unwrap(),
            t(2),
        )
        .unwrap();
        s.apply(Event::Reopen, &ana(), t(3)).unwrap();
        assert_eq!(s.state(), &ApprovalState::Draft);
        let reject = &s.audit()[2];
        assert_eq!(reject.actor.as_str(), "bob");
        assert_eq!(reject.reason.as_deref(), Some("price is wrong"));
        assert_eq!(
            (reject.from, reject.to),
            (StateKind::AwaitingApproval, StateKind::Rejected)
        );
    }

    #[test]
    fn confirmation_is_required_by_default() {
        let mut s = scheduled(Confirmation::default(), OutsideWindow::Hold);
        assert_eq!(
            s.apply(Event::Start, &ana(), t(1)).unwrap_err(),
            TransitionError::NotConfirmed
        );
        s.apply(Event::Confirm, &ana(), t(1)).unwrap();
        s.apply(Event::Start, &ana(), t(1)).unwrap();
        assert_eq!(s.state().kind(), StateKind::Sending);
    }

    #[test]
    fn confirmation_can_be_turned_off() {
        let mut s = scheduled(Confirmation::NotRequired, OutsideWindow::Hold);
        s.apply(Event::Start, &ana(), t(1)).unwrap();
        assert_eq!(s.state().kind(), StateKind::Sending);
    }

    #[test]
    fn held_resumes_on_its_own_or_waits_for_reapproval() {
        let mut s = scheduled(Confirmation::NotRequired, OutsideWindow::Hold);
        s.apply(Event::Start, &ana(), t(1)).unwrap();
        s.apply(Event::WindowClosed, &Actor::system(), t(2))
            .unwrap();
        s.apply(Event::WindowOpened, &Actor::system(), t(3))
            .unwrap();
        assert_eq!(s.state().kind(), StateKind::Sending);

        let mut s = scheduled(Confirmation::NotRequired, OutsideWindow::RequireReapproval);
        s.apply(Event::Start, &ana(), t(1)).unwrap();
        s.apply(Event::WindowClosed, &Actor::system(), t(2))
            .unwrap();
        // The re-approval shows the checklist that was approved, not an empty one.
        let ApprovalState::AwaitingApproval(list) = s.state() else {
            panic!("{:?}", s.state());
        };
        assert_eq!(list.checks().len(), 1);
        assert!(
            s.apply(Event::WindowOpened, &Actor::system(), t(3))
                .is_err()
        );
        // Starting again needs the approval and a fresh confirmation if required.
        assert!(s.apply(Event::Start, &ana(), t(4)).is_err());
        s.apply(Event::Approve, &ana(), t(4)).unwrap();
        s.apply(Event::Schedule, &ana(), t(4)).unwrap();
        s.apply(Event::Start, &ana(), t(4)).unwrap();
        assert_eq!(s.state().kind(), StateKind::Sending);
    }

    #[test]
    fn cancel_works_until_completion_only() {
        let mut s = scheduled(Confirmation::NotRequired, OutsideWindow::Hold);
        s.apply(Event::Start, &ana(), t(1)).unwrap();
        s.apply(Event::Complete, &Actor::system(), t(2)).unwrap();
        let err = s
            .apply(
                Event::Cancel {
                    reason: "late".into(),
                },
                &ana(),
                t(3),
            )
            .unwrap_err();
        assert_eq!(
            err,
            TransitionError::Illegal {
                from: StateKind::Completed,
                event: EventKind::Cancel
            }
        );
        let mut d = Session::new("c".parse().unwrap());
        d.apply(
            Event::Cancel {
                reason: "typo".into(),
            },
            &ana(),
            t(0),
        )
        .unwrap();
        assert_eq!(d.state().kind(), StateKind::Cancelled);
    }

    #[test]
    fn events_out_of_order_are_refused() {
        let mut s = Session::new("c".parse().unwrap());
        s.apply(Event::Prepare(Checklist::default()), &ana(), t(5))
            .unwrap();
        assert_eq!(
            s.apply(Event::Submit, &ana(), t(4)).unwrap_err(),
            TransitionError::OutOfOrder {
                at: t(4),
                previous: t(5)
            }
        );
    }

    #[test]
    fn one_pending_session_per_campaign() {
        let mut book = Sessions::default();
        let c: CampaignId = "c".parse().unwrap();
        book.prepare(c.clone(), Checklist::default(), &ana(), t(0))
            .unwrap();
        assert!(matches!(
            book.prepare(c.clone(), Checklist::default(), &ana(), t(1)),
            Err(SessionError::AlreadyPending {
                state: StateKind::Prepared,
                ..
            })
        ));
        book.apply(
            &c,
            Event::Cancel {
                reason: "redo".into(),
            },
            &ana(),
            t(1),
        )
        .unwrap();
        book.prepare(c.clone(), Checklist::default(), &ana(), t(2))
            .unwrap();
        assert_eq!(book.archived().len(), 1);
        assert!(matches!(
            book.apply(&"other".parse().unwrap(), Event::Submit, &ana(), t(2)),
            Err(SessionError::NoSession { .. })
        ));
    }

    #[test]
    fn state_names_round_trip() {
        for k in StateKind::ALL {
            assert_eq!(k.as_str().parse::<StateKind>().unwrap(), k);
        }
        assert!("sent".parse::<StateKind>().is_err());
    }

    fn events() -> impl Strategy<Value = Event> {
        let failing = {
            let mut l = Checklist::default();
            l.push(Check::new(CheckId::Consent, CheckStatus::Fail, "x"));
            l
        };
        prop_oneof![
            Just(Event::Prepare(Checklist::default())),
            Just(Event::Prepare(failing)),
            Just(Event::Submit),
            Just(Event::Approve),
            Just(Event::Reject {
                reason: "no".into()
            }),
            Just(Event::Reopen),
            Just(Event::Schedule),
            Just(Event::Confirm),
            Just(Event::Start),
            Just(Event::Refresh {
                diff: "+1 added".into()
            }),
            Just(Event::WindowClosed),
            Just(Event::WindowOpened),
            Just(Event::Complete),
            Just(Event::Expire),
            Just(Event::Cancel {
                reason: "stop".into()
            }),
        ]
    }

    proptest! {
        #[test]
        fn sending_is_never_reached_without_approval(
            evs in proptest::collection::vec(events(), 0..60),
            reapprove in any::<bool>(),
            confirm in any::<bool>(),
        ) {
            let policy = if reapprove { OutsideWindow::RequireReapproval } else { OutsideWindow::Hold };
            let confirmation = if confirm { Confirmation::Required } else { Confirmation::NotRequired };
            let mut s = Session::new("c".parse().unwrap())
                .with_outside_window(policy)
                .with_confirmation(confirmation);
            for e in evs {
                let _ = s.apply(e, &ana(), t(0));
            }
            // Walk the audit trail: every entry into Sending comes after an approval
            // that no later Draft or AwaitingApproval undid.
            let mut approved = false;
            let mut confirmed = false;
            for a in s.audit() {
                match a.to {
                    StateKind::Approved => approved = true,
                    StateKind::Draft | StateKind::AwaitingApproval | StateKind::Rejected => {
                        approved = false;
                        confirmed = false;
                    }
                    _ => {}
                }
                if a.event == EventKind::Confirm {
                    confirmed = true;
                }
                if a.to == StateKind::Sending && a.from == StateKind::Scheduled {
                    prop_assert!(approved, "started without approval: {:?}", s.audit());
                    prop_assert!(confirmed || !confirm, "started without confirmation");
                }
                if a.to == StateKind::Sending {
                    prop_assert!(approved);
                }
            }
        }

        #[test]
        fn refused_moves_change_nothing(evs in proptest::collection::vec(events(), 0..40)) {
            let mut s = Session::new("c".parse().unwrap());
            for e in evs {
                let before = s.clone();
                if s.apply(e, &ana(), t(0)).is_err() {
                    prop_assert_eq!(&s, &before);
                } else {
                    prop_assert_eq!(s.audit().len(), before.audit().len() + 1);
                }
            }
        }
    }
}
