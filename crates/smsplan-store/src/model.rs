//! The records a [`Store`](crate::Store) reads and writes.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use smsplan_core::approval::{Actor, CampaignId, Confirmation, Event, StateKind};
use smsplan_core::contact::{Consent, ConsentStatus, ContactId};
use smsplan_core::money::Money;
use smsplan_core::phone::{PhoneNumber, Region};
use smsplan_core::schedule::OutsideWindow;
use smsplan_formats::v1::audience as wire;
use smsplan_formats::v1::campaign::CampaignSpec;
use smsplan_provider::delivery::{DeliveryState, Transition};
use smsplan_provider::gateway::{MessageId, Submission};
use smsplan_provider::number::Msisdn;

use crate::error::PlanDigest;

/// A stored campaign: the spec as given, and how often it was replaced.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct StoredCampaign {
    /// The campaign's id.
    pub id: CampaignId,
    /// 1 when created, +1 at each [`Store::update_campaign`](crate::Store::update_campaign).
    pub revision: u32,
    /// The spec (`smsplan.campaign/v1`).
    pub spec: CampaignSpec,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it was last replaced.
    pub updated_at: DateTime<Utc>,
}

/// A stored plan: which campaign and run, its revision and its digest.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PlanRecord {
    /// The campaign.
    pub campaign: CampaignId,
    /// The run key for a recurring campaign (`2026-12`), none otherwise.
    pub run: Option<String>,
    /// 1 for the campaign's first plan, +1 for each later one.
    pub revision: u32,
    /// The SHA-256 of the plan's canonical JSON.
    pub digest: PlanDigest,
    /// When it was stored.
    pub stored_at: DateTime<Utc>,
}

/// What a session is configured with when it opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct SessionSettings {
    /// What happens when a window closes during sending.
    pub outside_window: OutsideWindow,
    /// Whether a person confirms before sending starts.
    pub confirmation: Confirmation,
}

impl SessionSettings {
    /// Settings from the campaign's choices.
    ///
    /// ```
    /// use smsplan_core::approval::Confirmation;
    /// use smsplan_core::schedule::OutsideWindow;
    /// let s = smsplan_store::SessionSettings::new(OutsideWindow::Hold, Confirmation::Required);
    /// assert_eq!(s.confirmation, Confirmation::Required);
    /// ```
    #[must_use]
    pub fn new(outside_window: OutsideWindow, confirmation: Confirmation) -> Self {
        Self {
            outside_window,
            confirmation,
        }
    }
}

impl Default for SessionSettings {
    fn default() -> Self {
        Self::new(OutsideWindow::Hold, Confirmation::Required)
    }
}

/// One accepted move of a session, as stored: the audit trail's who, when, what, from,
/// to and why, with the event's data so that the session can be rebuilt by replaying.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SessionEntry {
    /// Who made the move.
    pub actor: Actor,
    /// When (given by the caller).
    pub at: DateTime<Utc>,
    /// The event, with its checklist or reason.
    pub event: Event,
    /// The state before.
    pub from: StateKind,
    /// The state after.
    pub to: StateKind,
    /// For `prepare` and `approve`: the digest of the plan prepared or approved.
    pub digest: Option<PlanDigest>,
}

impl SessionEntry {
    /// An entry for a move made by `actor` at `at`.
    ///
    /// ```
    /// use chrono::{TimeZone, Utc};
    /// use smsplan_core::approval::{Actor, Event, StateKind};
    /// use smsplan_store::SessionEntry;
    /// let at = Utc.with_ymd_and_hms(2026, 12, 20, 9, 0, 0).single().ok_or("time")?;
    /// let e = SessionEntry::new(Actor::new("ana")?, at, Event::Submit, StateKind::Prepared, StateKind::AwaitingApproval);
    /// assert_eq!(e.digest, None);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn new(
        actor: Actor,
        at: DateTime<Utc>,
        event: Event,
        from: StateKind,
        to: StateKind,
    ) -> Self {
        Self {
            actor,
            at,
            event,
            from,
            to,
            digest: None,
        }
    }

    /// The same entry, tied to a plan digest.
    #[must_use]
    pub fn with_digest(mut self, digest: PlanDigest) -> Self {
        self.digest = Some(digest);
        self
    }
}

/// A session as stored: its number, settings and entries, oldest first.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct StoredSession {
    /// The campaign.
    pub campaign: CampaignId,
    /// 1 for the campaign's first session, +1 for each later one.
    pub number: u32,
    /// Its settings.
    pub settings: SessionSettings,
    /// When it was opened.
    pub opened_at: DateTime<Utc>,
    /// The accepted moves, oldest first.
    pub entries: Vec<SessionEntry>,
}

/// An approval: who, when, and the digest of the plan they saw.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Approval {
    /// The approver.
    pub by: Actor,
    /// When.
    pub at: DateTime<Utc>,
    /// The plan approved.
    pub digest: PlanDigest,
}

/// A runner's lease on a campaign: while it is valid, only its owner writes the
/// campaign's dispatch ledger. It expires unless renewed, so a runner killed with
/// SIGKILL blocks a restart only until `expires_at`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Lease {
    /// The campaign.
    pub campaign: CampaignId,
    /// Who holds it (for example host and process id).
    pub owner: String,
    /// A fencing token, larger at each claim of the campaign: a write with an older
    /// token is refused even if its owner thinks it still holds the lease.
    pub token: u64,
    /// When it ends unless renewed.
    pub expires_at: DateTime<Utc>,
}

/// The intent to submit one message's parts, recorded before the submit.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct MessageIntent {
    /// Our idempotent id of the message.
    pub message: MessageId,
    /// The recipient.
    pub contact: ContactId,
    /// The recipient's number (checked against the consents in the same transaction).
    pub number: PhoneNumber,
    /// How many parts the message has.
    pub parts: u16,
    /// The price of one part, debited per part intended.
    pub price_per_part: Money,
}

impl MessageIntent {
    /// An intent for all `parts` parts of `message`.
    ///
    /// ```
    /// use smsplan_core::contact::ContactId;
    /// use smsplan_core::money::{Currency, Money};
    /// use smsplan_core::phone::{PhoneNumber, Region};
    /// use smsplan_provider::gateway::MessageId;
    /// let intent = smsplan_store::MessageIntent::new(
    ///     MessageId::new("sale.1")?, ContactId::new("c1")?,
    ///     PhoneNumber::parse("+33612345678", Region::FR)?, 2, Money::parse("0.045", Currency::EUR)?,
    /// );
    /// assert_eq!(intent.parts, 2);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn new(
        message: MessageId,
        contact: ContactId,
        number: PhoneNumber,
        parts: u16,
        price_per_part: Money,
    ) -> Self {
        Self {
            message,
            contact,
            number,
            parts,
            price_per_part,
        }
    }
}

/// What the gateway said about one part.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ReceiptKind {
    /// The gateway took it (accepted, queued, or already had it).
    Submitted(Submission),
    /// The gateway says nothing went out (refused, invalid, throttled, or a failure
    /// before this part): its debit is refunded and it may be intended again.
    NotSent,
}

/// The gateway's receipt for one part.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PartReceipt {
    /// The message.
    pub message: MessageId,
    /// The part (1-based).
    pub part: u16,
    /// What happened.
    pub kind: ReceiptKind,
}

impl PartReceipt {
    /// A receipt.
    ///
    /// ```
    /// use smsplan_provider::gateway::{MessageId, Submission};
    /// use smsplan_store::{PartReceipt, ReceiptKind};
    /// let r = PartReceipt::new(MessageId::new("sale.1")?, 1, ReceiptKind::Submitted(Submission::Accepted));
    /// assert_eq!(r.part, 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn new(message: MessageId, part: u16, kind: ReceiptKind) -> Self {
        Self {
            message,
            part,
            kind,
        }
    }
}

/// One transaction of the dispatch ledger: receipts of the parts just submitted, then
/// intents of the parts about to be. Grouping the receipt of one message with the intent
/// of the next costs one commit per message and leaves at most the parts in flight in
/// doubt after a crash.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct LedgerBatch {
    /// Applied first.
    pub receipts: Vec<PartReceipt>,
    /// Applied after the receipts, in order.
    pub intents: Vec<MessageIntent>,
}

impl LedgerBatch {
    /// A batch of receipts and intents.
    ///
    /// ```
    /// let batch = smsplan_store::LedgerBatch::new(Vec::new(), Vec::new());
    /// assert!(batch.receipts.is_empty());
    /// ```
    #[must_use]
    pub fn new(receipts: Vec<PartReceipt>, intents: Vec<MessageIntent>) -> Self {
        Self { receipts, intents }
    }
}

/// What became of one intent of a [`LedgerBatch`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum IntentOutcome {
    /// Recorded: submit these parts (1-based), this is their `attempt`-th intent.
    Recorded {
        /// The parts to submit: those neither submitted nor in flight nor in doubt.
        parts: Vec<u16>,
        /// 1 for a first submit, more for a retry.
        attempt: u32,
    },
    /// Every part is recorded submitted already: send nothing.
    AlreadySubmitted,
    /// A part is intended and has no receipt yet (in flight, or in doubt after a
    /// crash): resolve it first.
    InDoubt {
        /// The first such part.
        part: u16,
    },
    /// The number opted out: nothing recorded, nothing to send.
    OptedOut {
        /// The number (masked when shown).
        number: Msisdn,
        /// Since when.
        since: DateTime<Utc>,
    },
    /// The balance does not cover the parts: nothing recorded, nothing to send.
    NoCredit(crate::error::CreditError),
}

/// Where one part stands in the dispatch ledger.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum PartState {
    /// Intended, no receipt: in flight while its runner lives, *in doubt* after a crash.
    Intended,
    /// The gateway took it (or a delivery report carrying our id proves it did).
    Submitted {
        /// How, or `None` when only a delivery report proves it.
        submission: Option<Submission>,
    },
    /// The gateway says nothing went out; it may be intended again.
    NotSent,
    /// Was in doubt; the campaign chose at-most-once: reported, never resent.
    Abandoned,
    /// Was in doubt; the campaign chose at-least-once: it may be intended again.
    Retry,
}

/// One part of the dispatch ledger.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct LedgerPart {
    /// The campaign.
    pub campaign: CampaignId,
    /// The message.
    pub message: MessageId,
    /// The part (1-based).
    pub part: u16,
    /// Of how many.
    pub parts: u16,
    /// The recipient.
    pub contact: ContactId,
    /// How many times it was intended.
    pub attempt: u32,
    /// Where it stands.
    pub state: PartState,
    /// When it was last intended.
    pub intended_at: DateTime<Utc>,
    /// When its receipt or resolution was recorded.
    pub settled_at: Option<DateTime<Utc>>,
}

/// How to settle a part that is in doubt (intended, no receipt, no delivery report).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Resolution {
    /// At most once: report it, never send it again.
    AtMostOnce,
    /// At least once: allow a new intent (the recipient may get it twice).
    AtLeastOnce,
}

/// What a delivery report did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct DeliveryOutcome {
    /// The part's state after the report (forward only: [`DeliveryState::apply`]).
    pub transition: Transition,
    /// The report proved a part in doubt submitted.
    pub resolved_in_doubt: bool,
}

/// The delivery state of one part, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PartDelivery {
    /// The message.
    pub message: MessageId,
    /// The part (1-based).
    pub part: u16,
    /// The latest state (never moved backwards).
    pub state: DeliveryState,
    /// The gateway's code with the state that set it, if any.
    pub code: Option<String>,
    /// How many reports were received for this part (duplicates included).
    pub reports: u32,
    /// When the state last moved (the store's time of the report that moved it).
    pub updated_at: DateTime<Utc>,
}

/// Whether an inbound message was new.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum InboundOutcome {
    /// First time seen: stored, with its consent change if any.
    New,
    /// Seen before (a repeated callback): nothing changed.
    Duplicate,
}

/// The consents recorded by the store, by number: what later plans apply over the
/// contacts' own consent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Consents(pub(crate) BTreeMap<String, Consent>);

impl Consents {
    /// The consent recorded for a number, if any.
    #[must_use]
    pub fn get(&self, number: &PhoneNumber) -> Option<&Consent> {
        self.0.get(number.as_e164())
    }

    /// How many numbers have a recorded consent.
    #[must_use]
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether no consent is recorded.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The numbers (E.164) and their consents, in number order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Consent)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// Writes the recorded consents over a campaign's contacts before it is planned: a
    /// contact whose number (read in the project's default region) has a recorded change
    /// newer than its own takes the recorded status, time and source, so a STOP received
    /// during one campaign excludes the number from every later plan. Returns how many
    /// contacts changed. Contacts without a readable number keep their consent (the plan
    /// excludes them anyway), and so does every contact when the default region is not
    /// readable (the plan then fails on it).
    ///
    /// ```
    /// # fn run(store: &dyn smsplan_store::Store, spec: &mut smsplan_formats::v1::campaign::CampaignSpec)
    /// # -> Result<(), smsplan_store::StoreError> {
    /// let changed = store.consents()?.apply_to(spec);
    /// println!("{changed} contacts opted out or back in since their import");
    /// # Ok(()) }
    /// ```
    pub fn apply_to(&self, spec: &mut CampaignSpec) -> usize {
        if self.0.is_empty() {
            return 0;
        }
        let Ok(region) = Region::parse(&spec.project.default_region) else {
            return 0;
        };
        let mut changed = 0;
        for contact in &mut spec.contacts {
            let Some(number) = contact
                .phone
                .as_deref()
                .and_then(|raw| PhoneNumber::parse(raw, region).ok())
            else {
                continue;
            };
            let Some(recorded) = self.get(&number) else {
                continue;
            };
            let Some(recorded_at) = recorded.changed_at else {
                continue;
            };
            let status = match recorded.status {
                ConsentStatus::Subscribed => wire::ConsentStatus::Subscribed,
                ConsentStatus::Unsubscribed => wire::ConsentStatus::Unsubscribed,
                ConsentStatus::Unknown => wire::ConsentStatus::Unknown,
                _ => continue,
            };
            let own = contact
                .consent
                .as_ref()
                .and_then(|c| c.changed_at.as_deref())
                .and_then(|t| DateTime::parse_from_rfc3339(t).ok());
            if own.is_some_and(|own| own >= recorded_at) {
                continue;
            }
            contact.consent = Some(wire::Consent {
                status,
                changed_at: Some(recorded_at.to_rfc3339()),
                source: recorded.source.clone(),
            });
            changed += 1;
        }
        changed
    }
}

/// A test SMS sent before the campaign.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct TestSmsRecord {
    /// The campaign.
    pub campaign: CampaignId,
    /// The test number.
    pub to: PhoneNumber,
    /// The contact whose rendered message was sent, if one was chosen.
    pub contact: Option<ContactId>,
    /// Our id of the test message.
    pub message: MessageId,
    /// When it was sent.
    pub at: DateTime<Utc>,
}

impl TestSmsRecord {
    /// A record of a test SMS.
    ///
    /// ```
    /// use chrono::{TimeZone, Utc};
    /// use smsplan_core::phone::{PhoneNumber, Region};
    /// use smsplan_provider::gateway::MessageId;
    /// let at = Utc.with_ymd_and_hms(2026, 12, 20, 9, 0, 0).single().ok_or("time")?;
    /// let r = smsplan_store::TestSmsRecord::new("sale".parse()?,
    ///     PhoneNumber::parse("+33612345678", Region::FR)?, None, MessageId::new("test.1")?, at);
    /// assert!(r.contact.is_none());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn new(
        campaign: CampaignId,
        to: PhoneNumber,
        contact: Option<ContactId>,
        message: MessageId,
        at: DateTime<Utc>,
    ) -> Self {
        Self {
            campaign,
            to,
            contact,
            message,
            at,
        }
    }
}

/// Why credits moved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum CreditKind {
    /// Added by a person or an import.
    TopUp,
    /// Taken for parts intended.
    Debit,
    /// Given back for parts the gateway did not send.
    Refund,
}

/// One movement of the credits ledger.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CreditEntry {
    /// Positive for top-ups and refunds, negative for debits.
    pub amount: Money,
    /// Why.
    pub kind: CreditKind,
    /// When.
    pub at: DateTime<Utc>,
    /// For a person (`top-up from the campaign spec`), or the message it is for.
    pub note: String,
}

/// Per message of a campaign: how its parts stand in the ledger and in delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct MessageSummary {
    /// The message.
    pub message: MessageId,
    /// The recipient.
    pub contact: ContactId,
    /// Its parts.
    pub parts: u16,
    /// Parts recorded submitted.
    pub submitted: u16,
    /// Parts in doubt or in flight (intended, no receipt).
    pub intended: u16,
    /// Parts abandoned in doubt (at-most-once).
    pub abandoned: u16,
    /// Parts whose delivery report says delivered.
    pub delivered: u16,
    /// Parts with a final failure report (undeliverable, rejected, expired).
    pub failed: u16,
}

/// Why a row of a plan is final without a receipt of the gateway.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RowOutcomeKind {
    /// The deadline passed (or the row's next window opens after it) before it was sent.
    Expired,
    /// The number opted out (a STOP) before the row was submitted: it is never sent.
    OptedOut,
    /// The dispatcher or the gateway refused the row for good (an invalid request, a
    /// rejection, a window policy that cannot be evaluated).
    Refused,
}

impl RowOutcomeKind {
    /// The snake_case name, as stored and printed (`expired`, `opted_out`, `refused`).
    ///
    /// ```
    /// use smsplan_store::RowOutcomeKind;
    /// assert_eq!(RowOutcomeKind::OptedOut.as_str(), "opted_out");
    /// ```
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Expired => "expired",
            Self::OptedOut => "opted_out",
            Self::Refused => "refused",
        }
    }
}

/// The final outcome of one row that no part receipt settles (see
/// [`Store::record_row_outcomes`](crate::Store::record_row_outcomes)).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RowOutcome {
    /// The row's message id.
    pub message: MessageId,
    /// The row's contact.
    pub contact: ContactId,
    /// What happened.
    pub kind: RowOutcomeKind,
    /// Why, for people (numbers masked).
    pub detail: String,
    /// When the runner decided it.
    pub at: DateTime<Utc>,
}

impl RowOutcome {
    /// An outcome.
    #[must_use]
    pub fn new(
        message: MessageId,
        contact: ContactId,
        kind: RowOutcomeKind,
        detail: impl Into<String>,
        at: DateTime<Utc>,
    ) -> Self {
        Self {
            message,
            contact,
            kind,
            detail: detail.into(),
            at,
        }
    }
}
