//! Sessions are stored as their audit trail and rebuilt by replaying it through core's
//! state machine, so the store never holds a state the machine could not reach.

use smsplan_core::approval::{
    Actor, ApprovalState, CampaignId, Confirmation, Event, EventKind, Session, SessionError,
    StateKind,
};
use smsplan_core::checklist::{Check, CheckId, CheckStatus, Checklist};
use smsplan_core::schedule::OutsideWindow;
use smsplan_formats::v1::plan as wire;

use crate::error::{DocumentError, StoreError};
use crate::model::{Approval, SessionEntry, StoredSession};

impl StoredSession {
    /// Rebuilds the core [`Session`] by replaying the entries; each must reach the state
    /// it recorded.
    ///
    /// # Errors
    /// [`StoreError::Corrupt`] when an entry is refused by the state machine or reaches
    /// another state than it recorded.
    pub fn session(&self) -> Result<Session, StoreError> {
        let mut session = Session::new(self.campaign.clone())
            .with_outside_window(self.settings.outside_window)
            .with_confirmation(self.settings.confirmation);
        for (seq, entry) in self.entries.iter().enumerate() {
            let state = session
                .apply(entry.event.clone(), &entry.actor, entry.at)
                .map_err(|_| {
                    StoreError::corrupt(format!(
                        "session {} of campaign {}, event {seq}",
                        self.number, self.campaign
                    ))
                })?;
            if state.kind() != entry.to {
                return Err(StoreError::corrupt(format!(
                    "session {} of campaign {}, event {seq}: replay reached {}, stored {}",
                    self.number,
                    self.campaign,
                    state.kind(),
                    entry.to
                )));
            }
        }
        Ok(session)
    }

    /// The state after the last entry (`draft` for a session without entries).
    #[must_use]
    pub fn state(&self) -> StateKind {
        self.entries.last().map_or(StateKind::Draft, |e| e.to)
    }

    /// The approval in force: the last `approve` after the last `prepare`, unless the
    /// session went back to approval since (a re-approval is pending).
    #[must_use]
    pub fn approval(&self) -> Option<Approval> {
        let last_prepare = self
            .entries
            .iter()
            .rposition(|e| e.event.kind() == EventKind::Prepare)?;
        let rest = self.entries.get(last_prepare..)?;
        let approve = rest
            .iter()
            .rposition(|e| e.event.kind() == EventKind::Approve)?;
        let after = rest.get(approve + 1..)?;
        if after.iter().any(|e| e.to == StateKind::AwaitingApproval) {
            return None;
        }
        let entry = rest.get(approve)?;
        Some(Approval {
            by: entry.actor.clone(),
            at: entry.at,
            digest: entry.digest.clone()?,
        })
    }
}

/// Whether a state is the approved one or comes after it (sending may go on).
pub(crate) fn is_approved(state: StateKind) -> bool {
    matches!(
        state,
        StateKind::Approved | StateKind::Scheduled | StateKind::Sending | StateKind::Held
    )
}

/// An event as stored: its name, its reason, its checklist as `smsplan.plan/v1` checks.
pub(crate) struct EventColumns {
    pub(crate) kind: &'static str,
    pub(crate) reason: Option<String>,
    pub(crate) checklist: Option<String>,
}

pub(crate) fn event_columns(event: &Event) -> Result<EventColumns, StoreError> {
    let (reason, checklist) = match event {
        Event::Prepare(list) => {
            let checks: Vec<wire::Check> = list.checks().iter().map(check_to_wire).collect();
            let json = serde_json::to_string(&checks).map_err(|e| StoreError::Corrupt {
                what: "checklist".into(),
                source: Some(DocumentError::from(&e)),
            })?;
            (None, Some(json))
        }
        Event::Reject { reason } | Event::Cancel { reason } => (Some(reason.clone()), None),
        Event::Refresh { diff } => (Some(diff.clone()), None),
        _ => (None, None),
    };
    Ok(EventColumns {
        kind: event.kind().as_str(),
        reason,
        checklist,
    })
}

pub(crate) fn event_from_columns(
    kind: &str,
    reason: Option<String>,
    checklist: Option<&str>,
) -> Result<Event, StoreError> {
    let need_reason = || {
        reason
            .clone()
            .ok_or_else(|| StoreError::corrupt("event reason"))
    };
    Ok(match kind {
        "prepare" => {
            let text = checklist.ok_or_else(|| StoreError::corrupt("prepare checklist"))?;
            let checks: Vec<wire::Check> =
                serde_json::from_str(text).map_err(|e| StoreError::Corrupt {
                    what: "prepare checklist".into(),
                    source: Some(DocumentError::from(&e)),
                })?;
            Event::Prepare(
                checks
                    .iter()
                    .map(check_from_wire)
                    .collect::<Result<Checklist, _>>()?,
            )
        }
        "submit" => Event::Submit,
        "approve" => Event::Approve,
        "reject" => Event::Reject {
            reason: need_reason()?,
        },
        "reopen" => Event::Reopen,
        "schedule" => Event::Schedule,
        "confirm" => Event::Confirm,
        "start" => Event::Start,
        "refresh" => Event::Refresh {
            diff: need_reason()?,
        },
        "window_closed" => Event::WindowClosed,
        "window_opened" => Event::WindowOpened,
        "complete" => Event::Complete,
        "expire" => Event::Expire,
        "cancel" => Event::Cancel {
            reason: need_reason()?,
        },
        other => return Err(StoreError::corrupt(format!("event {other:?}"))),
    })
}

fn check_to_wire(check: &Check) -> wire::Check {
    wire::Check {
        id: check.id.as_str().to_owned(),
        status: match check.status {
            CheckStatus::Pass => wire::CheckStatus::Pass,
            CheckStatus::Warn => wire::CheckStatus::Warn,
            // A status added to core later is stored as the strictest one we know.
            _ => wire::CheckStatus::Fail,
        },
        detail: check.detail.clone(),
    }
}

fn check_from_wire(check: &wire::Check) -> Result<Check, StoreError> {
    let id = CheckId::from_name(&check.id)
        .ok_or_else(|| StoreError::corrupt(format!("check id {:?}", check.id)))?;
    let status = match check.status {
        wire::CheckStatus::Pass => CheckStatus::Pass,
        wire::CheckStatus::Warn => CheckStatus::Warn,
        wire::CheckStatus::Fail => CheckStatus::Fail,
    };
    Ok(Check::new(id, status, check.detail.clone()))
}

stored_names!("outside-window mode", OutsideWindow, pub(crate) outside_window_name, pub(crate) outside_window_from, {
    OutsideWindow::Hold => "hold",
    OutsideWindow::RequireReapproval => "require_reapproval",
});

stored_names!("confirmation", Confirmation, pub(crate) confirmation_name, pub(crate) confirmation_from, {
    Confirmation::Required => "required",
    Confirmation::NotRequired => "not_required",
});

/// Applies `event` to the session rebuilt from `stored` and returns the entry to append
/// and the new state, or the state machine's refusal.
pub(crate) fn next_entry(
    stored: &StoredSession,
    event: Event,
    actor: &Actor,
    at: chrono::DateTime<chrono::Utc>,
) -> Result<(SessionEntry, ApprovalState), StoreError> {
    let mut session = stored.session()?;
    let from = session.state().kind();
    let state = session
        .apply(event.clone(), actor, at)
        .map_err(|source| SessionError::Transition {
            campaign: stored.campaign.clone(),
            source,
        })?
        .clone();
    Ok((
        SessionEntry::new(actor.clone(), at, event, from, state.kind()),
        state,
    ))
}

pub(crate) fn no_session(campaign: &CampaignId) -> StoreError {
    SessionError::NoSession {
        campaign: campaign.clone(),
    }
    .into()
}
