//! The outbox in front of a gateway: an intent in the store's ledger before each submit,
//! the gateway's receipt after it.
//!
//! [`Ledgered`] is itself a [`Gateway`], so the provider's dispatcher sends through it
//! unchanged. For each message it records, in one store transaction, the receipts of the
//! previous submits and the intent of this one (which checks the number's consent and
//! debits the credits); only a recorded intent reaches the inner gateway. A crash between
//! the two leaves the part *in doubt*, never sent twice: on restart the ledger answers
//! "already submitted" or "in doubt" for it, whatever the gateway (Kannel has no
//! idempotency key of its own) remembers.

use std::collections::{HashMap, HashSet};
use std::sync::{Mutex, MutexGuard, PoisonError};

use smsplan_core::contact::ContactId;
use smsplan_core::money::Money;
use smsplan_core::phone::PhoneNumber;
use smsplan_provider::gateway::{
    Cause, DeliveryReport, Gateway, GatewayEvent, InboundMessage, MessageId, OutboundMessage,
    ProviderError, ReportSupport, Submission, SubmitReceipt, Unavailable,
};
use smsplan_store::{
    CreditError, DeliveryOutcome, IntentOutcome, Lease, LedgerBatch, MessageIntent, PartReceipt,
    ReceiptKind, Resolution, Store, StoreError,
};

use crate::Clock;

/// What the ledger needs of a row: who, which number, the price of a part.
#[derive(Debug, Clone)]
pub(crate) struct RowInfo {
    pub(crate) contact: ContactId,
    pub(crate) number: PhoneNumber,
    pub(crate) price_per_part: Money,
}

/// Why the ledger stopped the send.
#[derive(Debug)]
pub(crate) enum Halt {
    /// The balance no longer covers a message.
    NoCredit(CreditError),
    /// The store failed or the lease was lost: stop writing.
    Store(StoreError),
}

#[derive(Debug, Default)]
struct State {
    /// Receipts not yet written: they go with the next intent, or at [`Ledgered::flush`].
    receipts: Vec<PartReceipt>,
    /// Contacts whose intent was refused for an opt-out.
    opted_out: HashSet<ContactId>,
    halt: Option<Halt>,
    /// Delivery reports taken in between submits, already in the store.
    recorded: Vec<(DeliveryReport, DeliveryOutcome)>,
    /// Inbound messages taken in between submits, for the runner.
    inbound: Vec<InboundMessage>,
}

/// A gateway that writes the ledger around each submit (see the [module docs](self)).
#[derive(Debug)]
pub(crate) struct Ledgered<'a> {
    store: &'a dyn Store,
    inner: &'a dyn Gateway,
    clock: &'a dyn Clock,
    lease: Mutex<Lease>,
    rows: HashMap<MessageId, RowInfo>,
    in_doubt: Resolution,
    /// The lease's length.
    ttl: std::time::Duration,
    /// How much of it may pass before it is renewed.
    renew_every: std::time::Duration,
    state: Mutex<State>,
}

impl<'a> Ledgered<'a> {
    pub(crate) fn new(
        store: &'a dyn Store,
        inner: &'a dyn Gateway,
        clock: &'a dyn Clock,
        lease: Lease,
        rows: HashMap<MessageId, RowInfo>,
        in_doubt: Resolution,
        options: &crate::RunOptions,
    ) -> Self {
        Self {
            store,
            inner,
            clock,
            lease: Mutex::new(lease),
            rows,
            in_doubt,
            ttl: options.lease_ttl,
            renew_every: options.renew_every,
            state: Mutex::default(),
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) fn lease(&self) -> Lease {
        self.lease
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    pub(crate) fn set_lease(&self, lease: Lease) {
        *self.lease.lock().unwrap_or_else(PoisonError::into_inner) = lease;
    }

    /// Renews the lease once `renew_every` of it has passed (read from its expiry), and
    /// returns it.
    pub(crate) fn keep_lease(
        &self,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<Lease, StoreError> {
        let lease = self.lease();
        let left = (lease.expires_at - now).to_std().unwrap_or_default();
        if self.ttl.saturating_sub(left) < self.renew_every {
            return Ok(lease);
        }
        let renewed = self.store.renew(&lease, now, self.ttl)?;
        self.set_lease(renewed.clone());
        Ok(renewed)
    }

    /// Writes the receipts not written yet.
    pub(crate) fn flush(&self) -> Result<(), StoreError> {
        let receipts = std::mem::take(&mut self.state().receipts);
        if receipts.is_empty() {
            return Ok(());
        }
        self.store
            .record(
                &self.lease(),
                &LedgerBatch::new(receipts, Vec::new()),
                self.clock.now(),
            )
            .map(drop)
    }

    /// Takes in the gateway's events after a submit, so that a delivery report the
    /// callback listener has answered is in the store within one submit, not one dispatch
    /// round: a kill then loses at most the reports of that instant. Inbound messages are
    /// kept for the runner, which answers them.
    fn drain(&self) {
        let events = self.inner.poll_events(1_000);
        if events.is_empty() {
            return;
        }
        let mut reports = Vec::new();
        let mut inbound = Vec::new();
        for event in events {
            match event {
                GatewayEvent::Delivery(r) => reports.push(r),
                GatewayEvent::Inbound(m) => inbound.push(m),
                _ => {}
            }
        }
        // The receipts first: a report proves a part submitted, and its receipt written
        // after that would be refused.
        let recorded = if reports.is_empty() {
            Ok(Vec::new())
        } else {
            self.flush()
                .and_then(|()| self.store.record_deliveries(&reports, self.clock.now()))
        };
        let mut state = self.state();
        state.inbound.extend(inbound);
        match recorded {
            Ok(outcomes) => state.recorded.extend(reports.into_iter().zip(outcomes)),
            Err(e) => state.halt = Some(Halt::Store(e)),
        }
    }

    /// The reports recorded and the inbound messages taken in since the last call.
    pub(crate) fn take_drained(
        &self,
    ) -> (Vec<(DeliveryReport, DeliveryOutcome)>, Vec<InboundMessage>) {
        let mut state = self.state();
        (
            std::mem::take(&mut state.recorded),
            std::mem::take(&mut state.inbound),
        )
    }

    /// Why sending must stop, if it must.
    pub(crate) fn take_halt(&self) -> Option<Halt> {
        self.state().halt.take()
    }

    /// Whether an intent for this contact was refused because the number opted out.
    pub(crate) fn opted_out(&self, contact: &ContactId) -> bool {
        self.state().opted_out.contains(contact)
    }

    fn halt(&self, id: &MessageId, halt: Halt) -> ProviderError {
        let cause = match &halt {
            Halt::NoCredit(e) => Cause::new(e.clone()),
            Halt::Store(e) => Cause::new(std::io::Error::other(e.to_string())),
        };
        self.state().halt = Some(halt);
        ProviderError::Unavailable {
            id: id.clone(),
            reason: Unavailable::Other(cause),
            parts_sent: 0,
        }
    }

    /// Records the intent (with the pending receipts); resolves an in-doubt part found
    /// on the way by the campaign's choice and tries once more.
    fn intend(&self, intent: MessageIntent) -> Result<IntentOutcome, StoreError> {
        for _ in 0..2 {
            let now = self.clock.now();
            // A long dispatch round (a slow gateway) must not outlive the lease.
            let lease = self.keep_lease(now)?;
            let receipts = std::mem::take(&mut self.state().receipts);
            let batch = LedgerBatch::new(receipts.clone(), vec![intent.clone()]);
            let outcome = match self.store.record(&lease, &batch, now) {
                Ok(mut outcomes) => outcomes
                    .pop()
                    .ok_or_else(|| StoreError::corrupt("intent outcome"))?,
                Err(e) => {
                    // Nothing of the batch was written: keep the receipts for later.
                    self.state().receipts.extend(receipts);
                    return Err(e);
                }
            };
            match outcome {
                IntentOutcome::InDoubt { part } => {
                    self.store.resolve_in_doubt(
                        &lease,
                        &intent.message,
                        part,
                        self.in_doubt,
                        now,
                    )?;
                }
                other => return Ok(other),
            }
        }
        Err(StoreError::corrupt(
            "a part stayed in doubt after its resolution",
        ))
    }
}

impl Gateway for Ledgered<'_> {
    fn submit(&self, message: &OutboundMessage) -> Result<SubmitReceipt, ProviderError> {
        let id = message.id().clone();
        let parts = u16::try_from(message.parts(self.inner.max_parts())?.len()).unwrap_or(u16::MAX);
        let Some(row) = self.rows.get(&id) else {
            return Err(ProviderError::InvalidRequest {
                id,
                reason: smsplan_provider::gateway::InvalidReason::Unsupported(
                    "the message is not a row of the plan being sent",
                ),
            });
        };
        let intent = MessageIntent::new(
            id.clone(),
            row.contact.clone(),
            row.number,
            parts,
            row.price_per_part,
        );
        match self.intend(intent) {
            Err(e) => Err(self.halt(&id, Halt::Store(e))),
            Ok(IntentOutcome::AlreadySubmitted) => Ok(SubmitReceipt {
                id,
                parts,
                submission: Submission::AlreadySubmitted,
            }),
            Ok(IntentOutcome::OptedOut { .. }) => {
                self.state().opted_out.insert(row.contact.clone());
                Err(ProviderError::Rejected {
                    id,
                    code: "opted_out".into(),
                    reason: "the number opted out (STOP) before this message was sent".into(),
                })
            }
            Ok(IntentOutcome::NoCredit(reason)) => Err(self.halt(&id, Halt::NoCredit(reason))),
            Ok(IntentOutcome::Recorded { parts: wanted, .. }) => {
                let result = self.inner.submit(message);
                let receipts = receipts_for(&id, &wanted, &result);
                self.state().receipts.extend(receipts);
                self.drain();
                result
            }
            Ok(_) => Err(self.halt(
                &id,
                Halt::Store(StoreError::corrupt(
                    "an intent outcome this runner does not know",
                )),
            )),
        }
    }

    fn poll_events(&self, max: usize) -> Vec<GatewayEvent> {
        self.inner.poll_events(max)
    }

    fn delivery_reports(&self) -> ReportSupport {
        self.inner.delivery_reports()
    }

    fn max_parts(&self) -> u16 {
        self.inner.max_parts()
    }
}

/// The receipts of the parts an intent recorded, from the gateway's answer. A part the
/// gateway may have taken without saying so (an exchange broken after the request was
/// written) stays intended: in doubt.
fn receipts_for(
    id: &MessageId,
    wanted: &[u16],
    result: &Result<SubmitReceipt, ProviderError>,
) -> Vec<PartReceipt> {
    let receipt = |part: u16, kind| PartReceipt::new(id.clone(), part, kind);
    match result {
        Ok(r) => wanted
            .iter()
            .map(|&p| receipt(p, ReceiptKind::Submitted(r.submission)))
            .collect(),
        Err(ProviderError::Unavailable {
            reason, parts_sent, ..
        }) => {
            let uncertain = !matches!(reason, Unavailable::Connect(_) | Unavailable::Down);
            let mut out = Vec::new();
            for (i, &p) in wanted.iter().enumerate() {
                let i = u16::try_from(i).unwrap_or(u16::MAX);
                if i < *parts_sent {
                    out.push(receipt(p, ReceiptKind::Submitted(Submission::Accepted)));
                } else if i == *parts_sent && uncertain {
                    // Left intended: in doubt.
                } else {
                    out.push(receipt(p, ReceiptKind::NotSent));
                }
            }
            out
        }
        Err(_) => wanted
            .iter()
            .map(|&p| receipt(p, ReceiptKind::NotSent))
            .collect(),
    }
}
