//! Durable campaign state for smsplan: the [`Store`] trait and its embedded default,
//! [`SqliteStore`] (SQLite through `rusqlite`, compiled in, WAL mode).
//!
//! A campaign lives for days: prepared, approved, sent across windows, delivered while
//! STOPs come back. The store keeps all of it across restarts and crashes: the campaign
//! spec as given (`smsplan.campaign/v1`), each prepared plan (`smsplan.plan/v1`) with its
//! [`PlanDigest`], the approval sessions as their audit trail (rebuilt by replaying core's
//! state machine, so no unreachable state is ever stored) with the approval tied to the
//! digest of the plan the approver saw, the dispatch ledger (an intent before each submit,
//! then the gateway's receipt per part: the outbox pattern; a part with an intent and no
//! receipt is *in doubt*), delivery reports (forward only), inbound messages, consent
//! changes, test SMS and a credits ledger.
//!
//! ```
//! use chrono::{TimeZone, Utc};
//! use smsplan_core::approval::{Actor, Event, StateKind};
//! use smsplan_formats::v1::campaign::CampaignSpec;
//! use smsplan_store::{SessionSettings, SqliteStore, Store};
//!
//! let store = SqliteStore::open_in_memory()?;
//! let spec: CampaignSpec = serde_json::from_str(include_str!(
//!     "../../../crates/smsplan-formats/tests/golden/v1/campaign/minimal.json"
//! ))?;
//! let at = Utc.with_ymd_and_hms(2026, 12, 20, 9, 0, 0).single().ok_or("time")?;
//! let id = "winter-sale".parse()?;
//! store.create_campaign(&id, &spec, at)?;
//! store.open_session(&id, SessionSettings::default(), at)?;
//! let session = store.current_session(&id)?.ok_or("no session")?;
//! assert_eq!(session.state(), StateKind::Draft);
//! // Moves go through core's state machine: approving a draft is refused.
//! assert!(store.apply_event(&id, Event::Approve, &Actor::new("bob")?, at).is_err());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Designed for other databases too
//!
//! Nothing in the trait is SQLite's: time is always an argument (the store reads no
//! clock), a runner holds a [`Lease`] on a campaign (with a fencing token, expiring so
//! that a killed runner blocks a restart only until `expires_at`), sessions change by
//! optimistic concurrency ([`Store::append_session_entry`] with the number of entries
//! read), and every operation is one transaction. A server database implements the
//! required methods; the provided ones ([`Store::apply_event`], [`Store::approved_plan`],
//! …) come with them.
//!
//! # What it does not do
//!
//! It does not decide what to send or when (core plans, provider dispatches), talk to a
//! gateway, or read the clock. Stored documents are the formats crate's v1 types: core
//! has no serde.
#![warn(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

/// Writes the two functions that store an enum as a name and read it back: `$to`
/// refuses a variant the list does not name (a core enum grew: `Unrepresentable`), `$from`
/// a name it does not know (`Corrupt`).
macro_rules! stored_names {
    ($what:literal, $ty:ty, $to_vis:vis $to:ident, $from_vis:vis $from:ident, {
        $($variant:path => $name:literal),+ $(,)?
    }) => {
        #[allow(unreachable_patterns, reason = "foreign enums are non-exhaustive, ours are not")]
        $to_vis fn $to(value: $ty) -> Result<&'static str, StoreError> {
            match value {
                $($variant => Ok($name),)+
                other => Err(StoreError::Unrepresentable {
                    what: format!(concat!($what, " {:?}"), other),
                }),
            }
        }

        $from_vis fn $from(name: &str) -> Result<$ty, StoreError> {
            match name {
                $($name => Ok($variant),)+
                other => Err(StoreError::corrupt(format!(concat!($what, " {:?}"), other))),
            }
        }
    };
}

mod error;
mod model;
mod session;
mod sqlite;

use std::fmt;
use std::time::Duration;

use chrono::{DateTime, Utc};
use smsplan_core::approval::{Actor, CampaignId, Event, EventKind};
use smsplan_core::money::{Currency, Money};
use smsplan_formats::v1::campaign::{CampaignSpec, TestSms};
use smsplan_formats::v1::plan::SendPlan;
use smsplan_formats::v1::values::Instant;
use smsplan_provider::gateway::{DeliveryReport, InboundMessage, MessageId};
use smsplan_provider::keyword::ConsentChange;

pub use error::{CreditError, DocumentError, PlanDigest, StoreError};
pub use model::{
    Approval, Consents, CreditEntry, CreditKind, DeliveryOutcome, InboundOutcome, IntentOutcome,
    Lease, LedgerBatch, LedgerPart, MessageIntent, MessageSummary, PartDelivery, PartReceipt,
    PartState, PlanRecord, ReceiptKind, Resolution, RowOutcome, RowOutcomeKind, SessionEntry,
    SessionSettings, StoredCampaign, StoredSession, TestSmsRecord,
};
pub use sqlite::{Durability, SqliteStore};

/// The canonical JSON of a plan (compact, fields in declaration order, maps sorted) and
/// its digest: what [`Store::put_plan`] stores and what an approval is tied to.
///
/// # Errors
/// [`StoreError::Unrepresentable`] when the plan does not serialize.
pub fn canonical_plan(plan: &SendPlan) -> Result<(String, PlanDigest), StoreError> {
    let json = serde_json::to_string(plan).map_err(|_| StoreError::Unrepresentable {
        what: "plan".into(),
    })?;
    let digest = PlanDigest::of_bytes(json.as_bytes());
    Ok((json, digest))
}

/// Durable campaign state (see the [crate docs](crate)). Every method is one
/// transaction: it changes everything it says or nothing.
pub trait Store: Send + Sync + fmt::Debug {
    /// Stores a new campaign.
    ///
    /// # Errors
    /// [`StoreError::CampaignExists`], or the backend's.
    fn create_campaign(
        &self,
        id: &CampaignId,
        spec: &CampaignSpec,
        at: DateTime<Utc>,
    ) -> Result<StoredCampaign, StoreError>;

    /// Replaces a campaign's spec (an edit after a rejection); the revision goes up.
    ///
    /// # Errors
    /// [`StoreError::CampaignNotFound`], or the backend's.
    fn update_campaign(
        &self,
        id: &CampaignId,
        spec: &CampaignSpec,
        at: DateTime<Utc>,
    ) -> Result<StoredCampaign, StoreError>;

    /// A stored campaign.
    ///
    /// # Errors
    /// [`StoreError::CampaignNotFound`], [`StoreError::Corrupt`], or the backend's.
    fn campaign(&self, id: &CampaignId) -> Result<StoredCampaign, StoreError>;

    /// Every campaign id, in order.
    ///
    /// # Errors
    /// The backend's.
    fn campaigns(&self) -> Result<Vec<CampaignId>, StoreError>;

    /// Stores a prepared plan of the campaign (its canonical JSON and digest) as its
    /// newest revision.
    ///
    /// # Errors
    /// [`StoreError::CampaignNotFound`], or the backend's.
    fn put_plan(
        &self,
        id: &CampaignId,
        plan: &SendPlan,
        at: DateTime<Utc>,
    ) -> Result<PlanRecord, StoreError>;

    /// The campaign's newest plan, if any.
    ///
    /// # Errors
    /// [`StoreError::Corrupt`] when the stored plan no longer matches its digest, or the
    /// backend's.
    fn latest_plan(&self, id: &CampaignId) -> Result<Option<(PlanRecord, SendPlan)>, StoreError>;

    /// Opens a new session (in `draft`) for the campaign.
    ///
    /// # Errors
    /// [`SessionError::AlreadyPending`](smsplan_core::approval::SessionError::AlreadyPending)
    /// when the campaign's current session is not finished, [`StoreError::CampaignNotFound`], [`StoreError::Unrepresentable`] for
    /// settings the store does not know, or the backend's.
    fn open_session(
        &self,
        id: &CampaignId,
        settings: SessionSettings,
        at: DateTime<Utc>,
    ) -> Result<StoredSession, StoreError>;

    /// The campaign's newest session, with its audit trail.
    ///
    /// # Errors
    /// [`StoreError::Corrupt`], or the backend's.
    fn current_session(&self, id: &CampaignId) -> Result<Option<StoredSession>, StoreError>;

    /// Appends an accepted move to session `number`, provided it still has `expected`
    /// entries (optimistic concurrency: two approvers cannot both move the same state).
    /// Callers normally use [`Store::apply_event`], which checks the move first.
    ///
    /// # Errors
    /// [`StoreError::Conflict`] when the session has another number of entries,
    /// [`StoreError::Session`] when the campaign has no session, or the backend's.
    fn append_session_entry(
        &self,
        id: &CampaignId,
        number: u32,
        expected: usize,
        entry: &SessionEntry,
    ) -> Result<(), StoreError>;

    /// Claims the campaign for a runner for `ttl`: granted when nobody holds it, when the
    /// holder's lease has expired at `at`, or when `owner` holds it already (renewed).
    ///
    /// # Errors
    /// [`StoreError::Claimed`] while another owner's lease runs, or the backend's.
    fn claim(
        &self,
        id: &CampaignId,
        owner: &str,
        at: DateTime<Utc>,
        ttl: Duration,
    ) -> Result<Lease, StoreError>;

    /// Extends a lease still held.
    ///
    /// # Errors
    /// [`StoreError::LeaseLost`] when it expired or was taken over, or the backend's.
    fn renew(&self, lease: &Lease, at: DateTime<Utc>, ttl: Duration) -> Result<Lease, StoreError>;

    /// Gives a lease up (a clean stop), so that the next runner need not wait.
    ///
    /// # Errors
    /// The backend's. Releasing a lease already lost is not an error.
    fn release(&self, lease: &Lease) -> Result<(), StoreError>;

    /// Records receipts, then intents, in one transaction, under a valid lease. Each
    /// intent debits the credits of the parts it records and is checked against the
    /// consents: an intent for an opted-out number or beyond the balance records nothing
    /// (see [`IntentOutcome`]). One outcome per intent, in order.
    ///
    /// # Errors
    /// [`StoreError::LeaseLost`], [`StoreError::NoIntent`] or
    /// [`StoreError::AlreadySubmitted`] for a receipt (nothing of the batch is recorded
    /// then), or the backend's.
    fn record(
        &self,
        lease: &Lease,
        batch: &LedgerBatch,
        at: DateTime<Utc>,
    ) -> Result<Vec<IntentOutcome>, StoreError>;

    /// The campaign's parts with an intent and no receipt: after a crash, *in doubt*.
    ///
    /// # Errors
    /// The backend's.
    fn in_doubt(&self, id: &CampaignId) -> Result<Vec<LedgerPart>, StoreError>;

    /// Settles a part in doubt by the campaign's choice, under a valid lease.
    ///
    /// # Errors
    /// [`StoreError::NotInDoubt`], [`StoreError::NoIntent`], [`StoreError::LeaseLost`],
    /// or the backend's.
    fn resolve_in_doubt(
        &self,
        lease: &Lease,
        message: &MessageId,
        part: u16,
        resolution: Resolution,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError>;

    /// One part of the ledger.
    ///
    /// # Errors
    /// The backend's.
    fn ledger_part(&self, message: &MessageId, part: u16)
    -> Result<Option<LedgerPart>, StoreError>;

    /// Per message of the campaign: its parts in the ledger and in delivery.
    ///
    /// # Errors
    /// The backend's.
    fn message_summaries(&self, id: &CampaignId) -> Result<Vec<MessageSummary>, StoreError>;

    /// Applies delivery reports, forward only ([`smsplan_provider::delivery::DeliveryState::apply`]):
    /// duplicates and late reports change nothing. A report for a part in doubt proves
    /// it submitted. One outcome per report, in order.
    ///
    /// # Errors
    /// The backend's.
    fn record_deliveries(
        &self,
        reports: &[DeliveryReport],
        at: DateTime<Utc>,
    ) -> Result<Vec<DeliveryOutcome>, StoreError>;

    /// The delivery state of one part.
    ///
    /// # Errors
    /// The backend's.
    fn delivery(&self, message: &MessageId, part: u16) -> Result<Option<PartDelivery>, StoreError>;

    /// Stores an inbound message and, if it is new, the consent change it made, together.
    /// A repeated inbound id changes nothing.
    ///
    /// # Errors
    /// The backend's.
    fn record_inbound(
        &self,
        message: &InboundMessage,
        change: Option<&ConsentChange>,
    ) -> Result<InboundOutcome, StoreError>;

    /// Inbound messages, oldest first.
    ///
    /// # Errors
    /// The backend's, [`StoreError::Corrupt`].
    fn inbound(&self) -> Result<Vec<InboundMessage>, StoreError>;

    /// The consents recorded by number (the latest change of each): what later plans
    /// apply, and what [`Store::record`] checks intents against.
    ///
    /// # Errors
    /// The backend's, [`StoreError::Corrupt`].
    fn consents(&self) -> Result<Consents, StoreError>;

    /// Records the final outcome of rows that no part receipt settles (expired, opted
    /// out, refused), under a valid lease. The first outcome of a message stays: a
    /// repeated one changes nothing. Returns how many were new.
    ///
    /// # Errors
    /// [`StoreError::LeaseLost`], [`StoreError::Unrepresentable`] for an outcome kind the
    /// store does not know, or the backend's.
    fn record_row_outcomes(
        &self,
        lease: &Lease,
        outcomes: &[RowOutcome],
        at: DateTime<Utc>,
    ) -> Result<usize, StoreError>;

    /// The campaign's recorded row outcomes, oldest first.
    ///
    /// # Errors
    /// The backend's, [`StoreError::Corrupt`].
    fn row_outcomes(&self, id: &CampaignId) -> Result<Vec<RowOutcome>, StoreError>;

    /// Records a test SMS sent.
    ///
    /// # Errors
    /// [`StoreError::CampaignNotFound`], or the backend's.
    fn record_test_sms(&self, record: &TestSmsRecord) -> Result<(), StoreError>;

    /// The campaign's test SMS, oldest first.
    ///
    /// # Errors
    /// The backend's, [`StoreError::Corrupt`].
    fn test_sms(&self, id: &CampaignId) -> Result<Vec<TestSmsRecord>, StoreError>;

    /// Adds credits; returns the new balance.
    ///
    /// # Errors
    /// [`CreditError::Negative`], or the backend's.
    fn top_up(&self, amount: Money, at: DateTime<Utc>, note: &str) -> Result<Money, StoreError>;

    /// Takes credits outside the ledger's intents (a test SMS, a fee); returns the new
    /// balance.
    ///
    /// # Errors
    /// [`CreditError::Insufficient`] when the balance does not cover it (nothing is
    /// taken), [`CreditError::Negative`], or the backend's.
    fn debit(&self, amount: Money, at: DateTime<Utc>, note: &str) -> Result<Money, StoreError>;

    /// The balance in a currency (zero when nothing was ever added).
    ///
    /// # Errors
    /// The backend's.
    fn balance(&self, currency: Currency) -> Result<Money, StoreError>;

    /// The movements in a currency, oldest first.
    ///
    /// # Errors
    /// The backend's.
    fn credit_entries(&self, currency: Currency) -> Result<Vec<CreditEntry>, StoreError>;

    /// Applies an event to the campaign's current session through core's state machine
    /// and stores it with its actor, time and reason. `prepare` and `approve` are tied to
    /// the digest of the campaign's newest plan, as is `refresh` (the plan refreshed at
    /// send time, which [`Store::approved_plan`] then sends under the same approval).
    ///
    /// # Errors
    /// [`StoreError::Session`] when the campaign has no session or the state machine
    /// refuses the move (nothing is stored), [`StoreError::NoPlan`] for `prepare` or `approve` without a
    /// plan, [`StoreError::Conflict`] when someone else moved the session meanwhile, or
    /// the backend's.
    fn apply_event(
        &self,
        id: &CampaignId,
        event: Event,
        actor: &Actor,
        at: DateTime<Utc>,
    ) -> Result<StoredSession, StoreError> {
        let mut stored = self
            .current_session(id)?
            .ok_or_else(|| session::no_session(id))?;
        let needs_plan = matches!(
            event.kind(),
            EventKind::Prepare | EventKind::Approve | EventKind::Refresh
        );
        let (mut entry, _) = session::next_entry(&stored, event, actor, at)?;
        if needs_plan {
            let (plan, _) = self.latest_plan(id)?.ok_or_else(|| StoreError::NoPlan {
                campaign: id.clone(),
            })?;
            entry = entry.with_digest(plan.digest);
        }
        self.append_session_entry(id, stored.number, stored.entries.len(), &entry)?;
        stored.entries.push(entry);
        Ok(stored)
    }

    /// The approval in force for the campaign, if any.
    ///
    /// # Errors
    /// As [`Store::current_session`].
    fn approval(&self, id: &CampaignId) -> Result<Option<Approval>, StoreError> {
        Ok(self.current_session(id)?.and_then(|s| s.approval()))
    }

    /// The plan that may be sent: the newest plan, provided the session is approved (or
    /// past approval) and the approval is tied to this plan's digest.
    ///
    /// # Errors
    /// [`StoreError::Session`] without a session, [`StoreError::NotApproved`],
    /// [`StoreError::ApprovalStale`] when the plan changed after the approval,
    /// [`StoreError::NoPlan`], or the backend's.
    fn approved_plan(&self, id: &CampaignId) -> Result<(PlanRecord, SendPlan), StoreError> {
        let stored = self
            .current_session(id)?
            .ok_or_else(|| session::no_session(id))?;
        let state = stored.state();
        let approval = match stored.approval() {
            Some(a) if session::is_approved(state) => a,
            _ => {
                return Err(StoreError::NotApproved {
                    campaign: id.clone(),
                    state,
                });
            }
        };
        let (record, plan) = self.latest_plan(id)?.ok_or_else(|| StoreError::NoPlan {
            campaign: id.clone(),
        })?;
        // A plan refreshed at send time (the campaign asks for it) is sent under the
        // approval it refreshed: its digest is the one the `refresh` entry recorded.
        let refreshed = stored
            .entries
            .iter()
            .rev()
            .take_while(|e| e.event.kind() != EventKind::Approve)
            .find(|e| e.event.kind() == EventKind::Refresh)
            .and_then(|e| e.digest.as_ref());
        if record.digest != approval.digest && refreshed != Some(&record.digest) {
            return Err(StoreError::ApprovalStale {
                campaign: id.clone(),
                approved: approval.digest,
                current: record.digest,
            });
        }
        Ok((record, plan))
    }

    /// Applies one delivery report (see [`Store::record_deliveries`]).
    ///
    /// # Errors
    /// As [`Store::record_deliveries`].
    fn record_delivery(
        &self,
        report: &DeliveryReport,
        at: DateTime<Utc>,
    ) -> Result<DeliveryOutcome, StoreError> {
        self.record_deliveries(std::slice::from_ref(report), at)?
            .pop()
            .ok_or_else(|| StoreError::corrupt("delivery outcome"))
    }

    /// The campaign's latest test SMS as the campaign format records it, for the
    /// `test_sms` check of the next plan.
    ///
    /// # Errors
    /// As [`Store::test_sms`].
    fn last_test_sms(&self, id: &CampaignId) -> Result<Option<TestSms>, StoreError> {
        Ok(self.test_sms(id)?.pop().map(|r| TestSms {
            to: r.to.as_e164().to_owned(),
            at: Instant::from_utc(r.at),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn store_is_dyn_compatible() {
        let _: std::sync::Arc<dyn Store> =
            std::sync::Arc::new(SqliteStore::open_in_memory().unwrap());
    }
}
