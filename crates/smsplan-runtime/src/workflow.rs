//! The campaign workflow over a [`Store`]: create, prepare, test SMS, approve or reject,
//! confirm, cancel, status. Each step is one or two store transactions and records who
//! did what, when; time is an argument.

use std::collections::{HashMap, HashSet};
use std::num::NonZeroUsize;

use chrono::{DateTime, Utc};
use serde::Serialize;
use smsplan_core::approval::{Actor, CampaignId, Event, StateKind};
use smsplan_core::contact::{ConsentStatus, ContactId};
use smsplan_core::money::{Currency, Money};
use smsplan_core::phone::{PhoneNumber, Region, mask};
use smsplan_core::plan::{Campaign, plan};
use smsplan_formats::v1::campaign::CampaignSpec;
use smsplan_formats::v1::plan as wire;
use smsplan_formats::v1::values::Decimal;
use smsplan_provider::dispatch::message_id;
use smsplan_provider::gateway::{Body, Gateway, MessageId, OutboundMessage};
use smsplan_provider::number::Msisdn;
use smsplan_provider::sender::SenderId;
use smsplan_store::{
    RowOutcomeKind, SessionEntry, SessionSettings, Store, StoreError, StoredSession, TestSmsRecord,
};

use crate::{RuntimeError, sendable};

/// The workflow's steps over one store (see the [module docs](self)).
#[derive(Debug, Clone, Copy)]
pub struct Workflow<'s> {
    store: &'s dyn Store,
}

/// What `prepare` did.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Prepared {
    /// The campaign.
    pub campaign: CampaignId,
    /// `prepared`, or `draft` when a check failed (the plan is stored all the same).
    pub state: StateKind,
    /// The plan stored, as the approver sees it.
    pub plan: wire::SendPlan,
    /// Its revision in the store.
    pub revision: u32,
    /// Its digest, which the approval will be tied to.
    pub digest: String,
    /// Consent changes from the store (STOPs) applied to the audience before planning.
    pub consents_applied: usize,
}

/// A test SMS sent.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct TestSent {
    /// The message id.
    pub message: MessageId,
    /// The test number (masked when displayed).
    pub to: PhoneNumber,
    /// The contact whose message was rendered.
    pub contact: ContactId,
    /// Parts sent.
    pub parts: u16,
    /// The text sent.
    pub text: String,
}

/// Where a campaign stands: counts of the plan's rows, cumulative.
///
/// A row opted out by a STOP stays among `recipients` and counts in `opted_out`; `held`
/// counts the rows waiting now for their window; `percent_complete` is the share of rows
/// that are final (delivered, failed, expired, opted out or in doubt), in percent with
/// one decimal.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Status {
    /// The campaign.
    pub campaign: String,
    /// The session's state (`draft` … `completed`).
    pub state: &'static str,
    /// Rows of the plan.
    pub recipients: usize,
    /// Rows whose every part the gateway accepted.
    pub submitted: usize,
    /// Rows whose every part was reported delivered.
    pub delivered: usize,
    /// Rows with a part reported failed, or refused by the gateway.
    pub failed: usize,
    /// Rows the deadline expired before they were sent.
    pub expired: usize,
    /// Rows waiting now for their next window.
    pub held: usize,
    /// Rows not sent because the number opted out.
    pub opted_out: usize,
    /// Rows with a part in doubt (an intent without a receipt after a crash).
    pub in_doubt: usize,
    /// Final rows, in percent of `recipients`.
    pub percent_complete: f64,
    /// The next instant a waiting row may go, RFC 3339.
    pub next_window: Option<String>,
    /// The plan's digest.
    pub digest: Option<String>,
    /// The account's credit balance in the plan's currency, a decimal string.
    pub balance: Option<String>,
}

impl Status {
    /// Whether every row is final.
    #[must_use]
    pub fn is_final(&self) -> bool {
        self.final_rows() == self.recipients
    }

    fn final_rows(&self) -> usize {
        self.delivered + self.failed + self.expired + self.opted_out + self.in_doubt
    }
}

impl<'s> Workflow<'s> {
    /// The workflow over `store`.
    #[must_use]
    pub fn new(store: &'s dyn Store) -> Self {
        Self { store }
    }

    /// The store.
    #[must_use]
    pub fn store(&self) -> &'s dyn Store {
        self.store
    }

    /// Stores a campaign under `id` (default: its `name`), checked first by converting it
    /// as planning will. When the account has no credit movement yet in the campaign's
    /// currency, the campaign's `credits.balance` becomes the opening balance.
    ///
    /// # Errors
    /// [`RuntimeError::Campaign`] for a spec that does not convert,
    /// [`StoreError::CampaignExists`], or the store's.
    pub fn create(
        &self,
        spec: &CampaignSpec,
        id: Option<CampaignId>,
        at: DateTime<Utc>,
    ) -> Result<CampaignId, RuntimeError> {
        let id = match id {
            Some(id) => id,
            None => spec
                .name
                .parse()
                .map_err(
                    |e: smsplan_core::approval::IdError| RuntimeError::StoredPlan {
                        campaign: spec.name.clone(),
                        field: "name".into(),
                        problem: e.to_string(),
                    },
                )?,
        };
        Campaign::try_from(spec.clone()).map_err(|source| RuntimeError::Campaign {
            campaign: id.clone(),
            source,
        })?;
        self.store.create_campaign(&id, spec, at)?;
        if let Ok(currency) = Currency::parse(&spec.credits.currency)
            && self.store.credit_entries(currency)?.is_empty()
            && let Ok(balance) = Money::parse(spec.credits.balance.as_str(), currency)
            && balance.micros() > 0
        {
            self.store
                .top_up(balance, at, &format!("opening balance from campaign {id}"))?;
        }
        Ok(id)
    }

    /// Plans the campaign at `at` with what the store knows (consent changes, the last
    /// test SMS, the credit balance), stores the plan and its digest, and moves the
    /// session to `prepared` through the checklist (a new session when there is none or
    /// the last one is finished; back to draft first from `prepared` or `rejected`). A
    /// failing check leaves the session in `draft`, with the plan stored to look at.
    ///
    /// A recurring campaign is prepared one run at a time: the next run at `at`.
    ///
    /// # Errors
    /// [`RuntimeError::WrongState`] while the session awaits approval or sends,
    /// [`RuntimeError::Plan`], [`RuntimeError::NothingToPlan`], or the store's.
    pub fn prepare(
        &self,
        id: &CampaignId,
        by: &Actor,
        at: DateTime<Utc>,
    ) -> Result<Prepared, RuntimeError> {
        let spec = self.store.campaign(id)?.spec;
        let session = self.store.current_session(id)?;
        let state = session.as_ref().map(StoredSession::state);
        match state {
            None | Some(StateKind::Draft | StateKind::Prepared | StateKind::Rejected) => {}
            Some(s) if s.is_terminal() => {}
            Some(s) => {
                return Err(RuntimeError::WrongState {
                    campaign: id.clone(),
                    step: "prepare",
                    state: s,
                });
            }
        }
        let (first, wire_plan, consents_applied) = self.plan_now(id, spec, at)?;
        let record = self.store.put_plan(id, &wire_plan, at)?;
        match state {
            None => {
                self.store.open_session(id, settings_of(&wire_plan), at)?;
            }
            Some(s) if s.is_terminal() => {
                self.store.open_session(id, settings_of(&wire_plan), at)?;
            }
            Some(StateKind::Prepared | StateKind::Rejected) => {
                self.store.apply_event(id, Event::Reopen, by, at)?;
            }
            _ => {}
        }
        let state =
            match self
                .store
                .apply_event(id, Event::Prepare(first.checklist.clone()), by, at)
            {
                Ok(session) => session.state(),
                Err(StoreError::Session(smsplan_core::approval::SessionError::Transition {
                    source: smsplan_core::approval::TransitionError::ChecklistFailed { .. },
                    ..
                })) => StateKind::Draft,
                Err(e) => return Err(e.into()),
            };
        Ok(Prepared {
            campaign: id.clone(),
            state,
            plan: wire_plan,
            revision: record.revision,
            digest: record.digest.to_string(),
            consents_applied,
        })
    }

    /// Plans `spec` at `at` with what the store knows: its consent changes, the last test
    /// SMS and the credit balance. Returns the core plan (for its checklist), its wire
    /// form and how many consent changes were applied.
    fn plan_now(
        &self,
        id: &CampaignId,
        mut spec: CampaignSpec,
        at: DateTime<Utc>,
    ) -> Result<(smsplan_core::plan::SendPlan, wire::SendPlan, usize), RuntimeError> {
        let consents_applied = self.store.consents()?.apply_to(&mut spec);
        if let Some(test) = self.store.last_test_sms(id)? {
            spec.test_sms = Some(test);
        }
        if let Ok(currency) = Currency::parse(&spec.credits.currency)
            && !self.store.credit_entries(currency)?.is_empty()
        {
            spec.credits.balance = Decimal::from(self.store.balance(currency)?);
        }
        let campaign = Campaign::try_from(spec).map_err(|source| RuntimeError::Campaign {
            campaign: id.clone(),
            source,
        })?;
        let threads = std::thread::available_parallelism().unwrap_or(NonZeroUsize::MIN);
        let plans = plan(&campaign, at, threads).map_err(|source| RuntimeError::Plan {
            campaign: id.clone(),
            source,
        })?;
        let mut first = plans
            .into_iter()
            .next()
            .ok_or_else(|| RuntimeError::NothingToPlan {
                campaign: id.clone(),
            })?;
        // The plan is named by the store's id, not by the spec's name (`create --id`):
        // the dispatcher derives the message ids from it, and the ledger, the status and
        // the runner look them up by the id.
        first.campaign = id.clone();
        let wire_plan =
            wire::SendPlan::try_from(&first).map_err(|source| RuntimeError::Campaign {
                campaign: id.clone(),
                source,
            })?;
        Ok((first, wire_plan, consents_applied))
    }

    /// Plans the campaign again at `at` (the audience re-resolved with the store's consents)
    /// and, when the recipients differ from the approved plan's, stores the new plan; then
    /// records `refresh` with the difference in the audit trail. The session must be
    /// scheduled. Returns the difference, as recorded.
    ///
    /// # Errors
    /// [`RuntimeError::WrongState`] unless scheduled, [`RuntimeError::Plan`], or the
    /// store's.
    pub fn refresh(&self, id: &CampaignId, at: DateTime<Utc>) -> Result<String, RuntimeError> {
        let state = self.state(id)?;
        if !matches!(state, StateKind::Scheduled) {
            return Err(RuntimeError::WrongState {
                campaign: id.clone(),
                step: "refresh",
                state,
            });
        }
        let (_, approved) = self.store.approved_plan(id)?;
        let spec = self.store.campaign(id)?.spec;
        let (_, fresh, _) = self.plan_now(id, spec, at)?;
        let diff = recipient_diff(&approved, &fresh);
        if diff.is_some() {
            self.store.put_plan(id, &fresh, at)?;
        }
        let text = diff.unwrap_or_else(|| "audience refreshed at send time: no change".to_owned());
        self.store.apply_event(
            id,
            Event::Refresh { diff: text.clone() },
            &Actor::system(),
            at,
        )?;
        Ok(text)
    }

    /// Sends the rendered message of the plan's first recipient (or of `contact`) to the
    /// test number `to` through `gateway`, debits its parts and records it, so that the
    /// `test_sms` check passes on the next `prepare`.
    ///
    /// # Errors
    /// [`RuntimeError::NotPrepared`] without a plan, [`RuntimeError::TestNumber`],
    /// [`RuntimeError::NoSuchRecipient`], [`RuntimeError::NoRecipient`],
    /// [`RuntimeError::Gateway`] when the gateway refuses it, or the store's
    /// ([`smsplan_store::CreditError::Insufficient`] when the balance does not cover it).
    pub fn test_sms(
        &self,
        id: &CampaignId,
        to: &str,
        contact: Option<&str>,
        gateway: &dyn Gateway,
        at: DateTime<Utc>,
    ) -> Result<TestSent, RuntimeError> {
        let (_, wire_plan) =
            self.store
                .latest_plan(id)?
                .ok_or_else(|| RuntimeError::NotPrepared {
                    campaign: id.clone(),
                })?;
        let spec = self.store.campaign(id)?.spec;
        let region = Region::parse(&spec.project.default_region).ok();
        let number = match region {
            Some(region) => PhoneNumber::parse(to, region),
            None => PhoneNumber::parse_international(to),
        }
        .map_err(|e| RuntimeError::TestNumber {
            number: mask(to),
            problem: e.to_string(),
        })?;
        let row = match contact {
            Some(c) => wire_plan
                .recipients
                .iter()
                .find(|r| r.contact == c)
                .ok_or_else(|| RuntimeError::NoSuchRecipient {
                    campaign: id.clone(),
                    contact: c.to_owned(),
                })?,
            None => wire_plan
                .recipients
                .first()
                .ok_or_else(|| RuntimeError::NoRecipient {
                    campaign: id.clone(),
                })?,
        };
        let plan = sendable::sendable(&wire_plan)?;
        let sender = plan.sender.clone().ok_or_else(|| {
            RuntimeError::Dispatch(smsplan_provider::dispatch::DispatchError::NoSender {
                campaign: id.to_string(),
            })
        })?;
        let seq = self.store.test_sms(id)?.len() + 1;
        let message = message_id(id.as_str(), Some(&format!("test-{seq}")), &row.contact);
        let outbound = OutboundMessage::new(
            message.clone(),
            SenderId::from(sender),
            Msisdn::from(number),
            Body::Text(row.text.clone()),
        );
        let parts = u16::try_from(outbound.parts(gateway.max_parts())?.len()).unwrap_or(u16::MAX);
        if let Ok(currency) = Currency::parse(&spec.credits.currency)
            && let Ok(price) = Money::parse(spec.credits.price_per_segment.as_str(), currency)
            && let Ok(total) = price.checked_mul(u64::from(parts))
            && total.micros() > 0
        {
            self.store
                .debit(total, at, &format!("test SMS {message} of campaign {id}"))?;
        }
        gateway.submit(&outbound)?;
        let contact =
            ContactId::new(row.contact.clone()).map_err(|e| RuntimeError::StoredPlan {
                campaign: id.to_string(),
                field: "recipients[].contact".into(),
                problem: e.to_string(),
            })?;
        self.store.record_test_sms(&TestSmsRecord::new(
            id.clone(),
            number,
            Some(contact.clone()),
            message.clone(),
            at,
        ))?;
        Ok(TestSent {
            message,
            to: number,
            contact,
            parts,
            text: row.text.clone(),
        })
    }

    /// Approves the prepared plan (submitting it for approval first when it is only
    /// prepared): the approval is tied to the digest of the newest plan.
    ///
    /// # Errors
    /// [`StoreError::Session`] when the state machine refuses, or the store's.
    pub fn approve(
        &self,
        id: &CampaignId,
        by: &Actor,
        at: DateTime<Utc>,
    ) -> Result<StoredSession, RuntimeError> {
        self.submit_if_prepared(id, by, at)?;
        Ok(self.store.apply_event(id, Event::Approve, by, at)?)
    }

    /// Rejects the plan with a reason (submitting it for approval first when it is only
    /// prepared).
    ///
    /// # Errors
    /// As [`Workflow::approve`]; an empty reason is refused.
    pub fn reject(
        &self,
        id: &CampaignId,
        by: &Actor,
        reason: &str,
        at: DateTime<Utc>,
    ) -> Result<StoredSession, RuntimeError> {
        self.submit_if_prepared(id, by, at)?;
        Ok(self.store.apply_event(
            id,
            Event::Reject {
                reason: reason.to_owned(),
            },
            by,
            at,
        )?)
    }

    /// Sends a plan that is only prepared to the approvers, so that approving or
    /// rejecting it is one step.
    fn submit_if_prepared(
        &self,
        id: &CampaignId,
        by: &Actor,
        at: DateTime<Utc>,
    ) -> Result<(), RuntimeError> {
        if self.state(id)? == StateKind::Prepared {
            self.store.apply_event(id, Event::Submit, by, at)?;
        }
        Ok(())
    }

    /// Confirms the approved send (scheduling it first when it is only approved).
    ///
    /// # Errors
    /// As [`Workflow::approve`].
    pub fn confirm(
        &self,
        id: &CampaignId,
        by: &Actor,
        at: DateTime<Utc>,
    ) -> Result<StoredSession, RuntimeError> {
        if self.state(id)? == StateKind::Approved {
            self.store.apply_event(id, Event::Schedule, by, at)?;
        }
        Ok(self.store.apply_event(id, Event::Confirm, by, at)?)
    }

    /// Cancels the campaign's session with a reason; rows not yet sent are never sent.
    ///
    /// # Errors
    /// As [`Workflow::approve`]; an empty reason is refused.
    pub fn cancel(
        &self,
        id: &CampaignId,
        by: &Actor,
        reason: &str,
        at: DateTime<Utc>,
    ) -> Result<StoredSession, RuntimeError> {
        Ok(self.store.apply_event(
            id,
            Event::Cancel {
                reason: reason.to_owned(),
            },
            by,
            at,
        )?)
    }

    /// The session's state (`draft` without a session).
    ///
    /// # Errors
    /// The store's.
    pub fn state(&self, id: &CampaignId) -> Result<StateKind, RuntimeError> {
        self.store.campaign(id)?;
        Ok(self
            .store
            .current_session(id)?
            .map_or(StateKind::Draft, |s| s.state()))
    }

    /// The audit trail of the current session: who did what, when, why.
    ///
    /// # Errors
    /// The store's.
    pub fn audit(&self, id: &CampaignId) -> Result<Vec<SessionEntry>, RuntimeError> {
        Ok(self
            .store
            .current_session(id)?
            .map(|s| s.entries)
            .unwrap_or_default())
    }

    /// Where the campaign stands at `now` (see [`Status`]).
    ///
    /// # Errors
    /// [`RuntimeError::StoredPlan`] for a stored plan that does not read back, or the
    /// store's.
    pub fn status(&self, id: &CampaignId, now: DateTime<Utc>) -> Result<Status, RuntimeError> {
        let state = self.state(id)?;
        let Some((record, wire_plan)) = self.store.latest_plan(id)? else {
            return Ok(Status {
                campaign: id.to_string(),
                state: state.as_str(),
                recipients: 0,
                submitted: 0,
                delivered: 0,
                failed: 0,
                expired: 0,
                held: 0,
                opted_out: 0,
                in_doubt: 0,
                percent_complete: 0.0,
                next_window: None,
                digest: None,
                balance: None,
            });
        };
        let plan = sendable::sendable(&wire_plan)?;
        let run = plan.run.as_ref().map(|r| r.key.as_str());
        let summaries: HashMap<MessageId, _> = self
            .store
            .message_summaries(id)?
            .into_iter()
            .map(|s| (s.message.clone(), s))
            .collect();
        let outcomes: HashMap<MessageId, RowOutcomeKind> = self
            .store
            .row_outcomes(id)?
            .into_iter()
            .map(|o| (o.message, o.kind))
            .collect();
        let in_doubt: HashSet<MessageId> = self
            .store
            .in_doubt(id)?
            .into_iter()
            .map(|p| p.message)
            .collect();
        let consents = self.store.consents()?;
        let sending_started = matches!(
            state,
            StateKind::Sending | StateKind::Held | StateKind::Completed | StateKind::Expired
        ) || (state == StateKind::AwaitingApproval && !summaries.is_empty());
        let mut s = Status {
            campaign: id.to_string(),
            state: state.as_str(),
            recipients: plan.recipients.len(),
            submitted: 0,
            delivered: 0,
            failed: 0,
            expired: 0,
            held: 0,
            opted_out: 0,
            in_doubt: 0,
            percent_complete: 0.0,
            next_window: None,
            digest: Some(record.digest.to_string()),
            balance: Currency::parse(&wire_plan.totals.currency)
                .ok()
                .map(|c| self.store.balance(c))
                .transpose()?
                .map(|m| Decimal::from(m).as_str().to_owned()),
        };
        let mut next: Option<DateTime<Utc>> = None;
        for row in &plan.recipients {
            let mid = message_id(id.as_str(), run, row.contact.as_str());
            let summary = summaries.get(&mid);
            let parts = summary.map_or(0, |m| m.parts);
            let submitted = summary.is_some_and(|m| m.parts > 0 && m.submitted == m.parts);
            if submitted {
                s.submitted += 1;
            }
            let outcome = outcomes.get(&mid).copied();
            if summary.is_some_and(|m| parts > 0 && m.delivered == parts) {
                s.delivered += 1;
            } else if summary.is_some_and(|m| m.failed > 0)
                || outcome == Some(RowOutcomeKind::Refused)
            {
                s.failed += 1;
            } else if outcome == Some(RowOutcomeKind::Expired) {
                s.expired += 1;
            } else if outcome == Some(RowOutcomeKind::OptedOut)
                || (!submitted
                    && summary.is_none_or(|m| m.submitted == 0)
                    && consents
                        .get(&row.phone)
                        .is_some_and(|c| c.status == ConsentStatus::Unsubscribed))
            {
                s.opted_out += 1;
            } else if in_doubt.contains(&mid) || summary.is_some_and(|m| m.abandoned > 0) {
                s.in_doubt += 1;
            } else if !submitted && !state.is_terminal() {
                // Waiting: for its send instant, or for its window.
                let from = row.send_at.max(now);
                if let Ok(open) = row.policies.next_allowed(&row.time_zones, from) {
                    if state == StateKind::Held
                        || (sending_started && row.send_at <= now && open > now)
                    {
                        s.held += 1;
                    }
                    next = Some(next.map_or(open, |n| n.min(open)));
                }
            }
        }
        s.next_window = next
            .filter(|_| !state.is_terminal())
            .map(|t| t.to_rfc3339());
        let total = s.recipients.max(1) as f64;
        s.percent_complete = ((s.final_rows() as f64) * 1000.0 / total).round() / 10.0;
        if s.recipients == 0 {
            s.percent_complete = 100.0;
        }
        Ok(s)
    }
}

/// The difference between two plans' recipients, for the audit trail: contact ids added,
/// removed (with their exclusion reason in the new plan) and renumbered; `None` when the
/// lists are the same. At most 20 ids are named per list.
fn recipient_diff(before: &wire::SendPlan, after: &wire::SendPlan) -> Option<String> {
    let old: HashMap<&str, &str> = before
        .recipients
        .iter()
        .map(|r| (r.contact.as_str(), r.phone.as_str()))
        .collect();
    let new: HashMap<&str, &str> = after
        .recipients
        .iter()
        .map(|r| (r.contact.as_str(), r.phone.as_str()))
        .collect();
    let reasons: HashMap<&str, &str> = after
        .excluded
        .iter()
        .map(|e| (e.contact.as_str(), e.reason.as_str()))
        .collect();
    let added: Vec<&str> = after
        .recipients
        .iter()
        .map(|r| r.contact.as_str())
        .filter(|c| !old.contains_key(c))
        .collect();
    let removed: Vec<String> = before
        .recipients
        .iter()
        .map(|r| r.contact.as_str())
        .filter(|c| !new.contains_key(c))
        .map(|c| match reasons.get(c) {
            Some(reason) => format!("{c} ({reason})"),
            None => c.to_owned(),
        })
        .collect();
    let renumbered: Vec<&str> = after
        .recipients
        .iter()
        .filter(|r| old.get(r.contact.as_str()).is_some_and(|p| *p != r.phone))
        .map(|r| r.contact.as_str())
        .collect();
    if added.is_empty() && removed.is_empty() && renumbered.is_empty() {
        return None;
    }
    let list = |items: &[String]| {
        let mut text = items
            .iter()
            .take(20)
            .cloned()
            .collect::<Vec<_>>()
            .join(", ");
        if items.len() > 20 {
            text.push_str(&format!(", … {} more", items.len() - 20));
        }
        text
    };
    let own = |v: &[&str]| v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
    let mut parts = vec![format!(
        "audience refreshed at send time: +{} added, -{} removed, {} renumbered",
        added.len(),
        removed.len(),
        renumbered.len()
    )];
    if !added.is_empty() {
        parts.push(format!("added: {}", list(&own(&added))));
    }
    if !removed.is_empty() {
        parts.push(format!("removed: {}", list(&removed)));
    }
    if !renumbered.is_empty() {
        parts.push(format!("renumbered: {}", list(&own(&renumbered))));
    }
    Some(parts.join("; "))
}

/// The session settings a plan carries.
fn settings_of(plan: &wire::SendPlan) -> SessionSettings {
    SessionSettings::new(
        plan.outside_window
            .map_or(smsplan_core::schedule::OutsideWindow::Hold, Into::into),
        plan.confirmation
            .map_or(smsplan_core::approval::Confirmation::Required, Into::into),
    )
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::AtomicBool;

    use smsplan_provider::memory::{AutoReport, InMemoryGateway};
    use smsplan_store::SqliteStore;

    use super::*;
    use crate::{Finish, NoEvents, RunOptions, Runner, VirtualClock};

    /// `create --id` names the campaign otherwise than its spec's `name`: the plan, the
    /// ledger and the status must all use that id (they once used the name for the
    /// dispatcher's message ids, and every row was refused as "not a row of the plan").
    #[test]
    fn a_campaign_created_with_its_own_id_sends_every_row() {
        let store = SqliteStore::open_in_memory().unwrap();
        let spec: CampaignSpec =
            serde_json::from_str(include_str!("../../../testdata/sample/campaign.json")).unwrap();
        let now: DateTime<Utc> = "2026-12-20T10:00:00+01:00".parse().unwrap();
        let flow = Workflow::new(&store);
        let id: CampaignId = "winter".parse().unwrap();
        assert_ne!(spec.name, id.as_str());
        flow.create(&spec, Some(id.clone()), now).unwrap();
        let gateway = InMemoryGateway::default().with_auto_reports(AutoReport::Delivered);
        let ana = Actor::new("ana").unwrap();
        flow.prepare(&id, &ana, now).unwrap();
        flow.test_sms(&id, "+33612345678", None, &gateway, now)
            .unwrap();
        let prepared = flow.prepare(&id, &ana, now).unwrap();
        assert_eq!(prepared.plan.campaign, id.as_str());
        let bob = Actor::new("bob").unwrap();
        flow.approve(&id, &bob, now).unwrap();
        flow.confirm(&id, &bob, now).unwrap();
        let clock = VirtualClock::new(now);
        let stop = AtomicBool::new(false);
        let runner = Runner::new(&store, &gateway, &clock, RunOptions::new("test"), &stop);
        let summary = runner.run(&id, &mut NoEvents, &mut |_| {}).unwrap();
        assert_eq!(summary.finish, Finish::Completed);
        assert!(summary.status.recipients > 0);
        assert_eq!(summary.status.failed, 0);
        assert_eq!(summary.status.delivered, summary.status.recipients);
    }
}
