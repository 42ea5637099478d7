//! Every operation and every transition of the store, on SQLite files (WAL), reopened
//! where persistence matters.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests"
)]

use std::path::PathBuf;
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use smsplan_core::approval::{
    Actor, CampaignId, Confirmation, Event, EventKind, SessionError, StateKind,
};
use smsplan_core::checklist::{Check, CheckId, CheckStatus, Checklist};
use smsplan_core::contact::{ConsentStatus, ContactId};
use smsplan_core::money::{Currency, Money};
use smsplan_core::phone::{PhoneNumber, Region};
use smsplan_core::schedule::OutsideWindow;
use smsplan_formats::v1::campaign::CampaignSpec;
use smsplan_formats::v1::plan::SendPlan;
use smsplan_provider::delivery::{DeliveryState, Ignored, Transition};
use smsplan_provider::gateway::{DeliveryReport, InboundMessage, MessageId, Submission};
use smsplan_provider::keyword::{self, ConsentChange, ConsentSource};
use smsplan_provider::number::Msisdn;
use smsplan_store::{
    CreditError, CreditKind, InboundOutcome, IntentOutcome, LedgerBatch, MessageIntent,
    PartReceipt, PartState, ReceiptKind, Resolution, SessionSettings, SqliteStore, Store,
    StoreError, TestSmsRecord, canonical_plan,
};

const CAMPAIGN: &str = include_str!("../../smsplan-formats/tests/golden/v1/campaign/minimal.json");
const PLAN: &str = include_str!("../../smsplan-formats/tests/golden/v1/plan/minimal.json");
const OTHER_PLAN: &str =
    include_str!("../../smsplan-formats/tests/golden/v1/plan/custom-policy.json");

/// A fresh database file, removed when dropped.
struct TempDb(PathBuf);

impl TempDb {
    fn new(name: &str) -> Self {
        let dir =
            std::env::temp_dir().join(format!("smsplan-store-test-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Self(dir)
    }

    fn path(&self) -> PathBuf {
        self.0.join("store.db")
    }

    fn open(&self) -> SqliteStore {
        SqliteStore::open(self.path()).unwrap()
    }
}

impl Drop for TempDb {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn t(minute: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 20, 9, 0, 0).unwrap() + chrono::Duration::minutes(minute)
}

fn id() -> CampaignId {
    "winter-sale".parse().unwrap()
}

fn spec() -> CampaignSpec {
    serde_json::from_str(CAMPAIGN).unwrap()
}

fn plan() -> SendPlan {
    serde_json::from_str(PLAN).unwrap()
}

fn eur(amount: &str) -> Money {
    Money::parse(amount, Currency::EUR).unwrap()
}

fn actor(name: &str) -> Actor {
    Actor::new(name).unwrap()
}

fn number(n: u32) -> PhoneNumber {
    PhoneNumber::parse(&format!("+336123450{n:02}"), Region::FR).unwrap()
}

fn mid(n: u32) -> MessageId {
    MessageId::new(&format!("winter-sale.m{n}")).unwrap()
}

fn intent(n: u32, parts: u16) -> MessageIntent {
    MessageIntent::new(
        mid(n),
        ContactId::new(format!("c{n}")).unwrap(),
        number(n),
        parts,
        eur("0.05"),
    )
}

fn accepted(n: u32, part: u16) -> PartReceipt {
    PartReceipt::new(mid(n), part, ReceiptKind::Submitted(Submission::Accepted))
}

fn report(n: u32, part: u16, state: DeliveryState) -> DeliveryReport {
    DeliveryReport {
        message: mid(n),
        part,
        state,
        code: None,
        at: None,
    }
}

fn passing_checklist() -> Checklist {
    let mut list = Checklist::default();
    list.push(Check::new(CheckId::Credit, CheckStatus::Pass, "covered"));
    list.push(Check::new(
        CheckId::TestSms,
        CheckStatus::Warn,
        "no test SMS",
    ));
    list
}

/// A store with the campaign, a plan and credits.
fn ready(db: &TempDb) -> SqliteStore {
    let store = db.open();
    store.create_campaign(&id(), &spec(), t(0)).unwrap();
    store.put_plan(&id(), &plan(), t(1)).unwrap();
    store.top_up(eur("10"), t(0), "test credit").unwrap();
    store
}

fn stop(
    n: u32,
    inbound: &str,
    at: DateTime<Utc>,
    status: keyword::ConsentStatus,
) -> (InboundMessage, ConsentChange) {
    let from = Msisdn::parse(number(n).as_e164()).unwrap();
    let to = Msisdn::parse("36111").unwrap();
    (
        InboundMessage {
            id: inbound.into(),
            from: from.clone(),
            to: to.clone(),
            text: "STOP".into(),
            received_at: at,
        },
        ConsentChange {
            number: from,
            status,
            at,
            source: ConsentSource::Keyword {
                keyword: "STOP".into(),
                inbound_id: inbound.into(),
                to,
            },
        },
    )
}

mod campaigns {
    use super::*;

    #[test]
    fn created_once_read_back_updated_and_listed() {
        let db = TempDb::new("campaigns");
        let store = db.open();
        let created = store.create_campaign(&id(), &spec(), t(0)).unwrap();
        assert_eq!((created.revision, &created.spec), (1, &spec()));
        assert!(matches!(
            store.create_campaign(&id(), &spec(), t(1)),
            Err(StoreError::CampaignExists { .. })
        ));
        let mut edited = spec();
        edited.message.template = "edited".into();
        let updated = store.update_campaign(&id(), &edited, t(2)).unwrap();
        assert_eq!(
            (updated.revision, updated.created_at, updated.updated_at),
            (2, t(0), t(2))
        );
        let other: CampaignId = "other".parse().unwrap();
        assert!(matches!(
            store.update_campaign(&other, &edited, t(2)),
            Err(StoreError::CampaignNotFound { .. })
        ));
        assert!(matches!(
            store.campaign(&other),
            Err(StoreError::CampaignNotFound { .. })
        ));
        drop(store);
        let store = db.open();
        assert_eq!(store.campaign(&id()).unwrap().spec, edited);
        assert_eq!(store.campaigns().unwrap(), [id()]);
        assert_eq!(store.journal_mode().unwrap(), "wal");
    }
}

mod plans {
    use super::*;

    #[test]
    fn each_plan_is_a_revision_with_the_digest_of_its_canonical_json() {
        let db = TempDb::new("plans");
        let store = db.open();
        assert!(matches!(
            store.put_plan(&id(), &plan(), t(0)),
            Err(StoreError::CampaignNotFound { .. })
        ));
        store.create_campaign(&id(), &spec(), t(0)).unwrap();
        assert!(store.latest_plan(&id()).unwrap().is_none());
        let first = store.put_plan(&id(), &plan(), t(1)).unwrap();
        let (_, digest) = canonical_plan(&plan()).unwrap();
        assert_eq!((first.revision, &first.digest), (1, &digest));
        let other: SendPlan = serde_json::from_str(OTHER_PLAN).unwrap();
        let second = store.put_plan(&id(), &other, t(2)).unwrap();
        assert_eq!(second.revision, 2);
        assert_ne!(second.digest, first.digest);
        drop(store);
        let (record, stored) = db.open().latest_plan(&id()).unwrap().unwrap();
        assert_eq!((record, stored), (second, other));
    }

    #[test]
    fn the_digest_is_the_sha256_of_the_compact_json() {
        let (json, digest) = canonical_plan(&plan()).unwrap();
        assert_eq!(json, serde_json::to_string(&plan()).unwrap());
        assert_eq!(digest, smsplan_store::PlanDigest::of_bytes(json.as_bytes()));
        assert_eq!(digest.as_str().len(), "sha256:".len() + 64);
    }
}

mod sessions {
    use super::*;

    fn apply(store: &SqliteStore, event: Event, by: &str, minute: i64) -> StateKind {
        store
            .apply_event(&id(), event, &actor(by), t(minute))
            .unwrap()
            .state()
    }

    #[test]
    fn every_event_is_stored_with_its_audit_data_and_replays_after_reopening() {
        let db = TempDb::new("session-lifecycle");
        let store = ready(&db);
        let settings = SessionSettings::new(OutsideWindow::Hold, Confirmation::Required);
        let opened = store.open_session(&id(), settings, t(2)).unwrap();
        assert_eq!((opened.number, opened.state()), (1, StateKind::Draft));
        assert!(matches!(
            store.open_session(&id(), settings, t(2)),
            Err(StoreError::Session(SessionError::AlreadyPending {
                state: StateKind::Draft,
                ..
            }))
        ));
        let path = [
            (
                Event::Prepare(passing_checklist()),
                "ana",
                StateKind::Prepared,
            ),
            (Event::Reopen, "ana", StateKind::Draft),
            (
                Event::Prepare(passing_checklist()),
                "ana",
                StateKind::Prepared,
            ),
            (Event::Submit, "ana", StateKind::AwaitingApproval),
            (
                Event::Reject {
                    reason: "price".into(),
                },
                "bob",
                StateKind::Rejected,
            ),
            (Event::Reopen, "ana", StateKind::Draft),
            (
                Event::Prepare(passing_checklist()),
                "ana",
                StateKind::Prepared,
            ),
            (Event::Submit, "ana", StateKind::AwaitingApproval),
            (Event::Approve, "bob", StateKind::Approved),
            (Event::Schedule, "ana", StateKind::Scheduled),
            (Event::Confirm, "ana", StateKind::Scheduled),
            (Event::Start, "system", StateKind::Sending),
            (Event::WindowClosed, "system", StateKind::Held),
            (Event::WindowOpened, "system", StateKind::Sending),
            (Event::Complete, "system", StateKind::Completed),
        ];
        for (minute, (event, by, want)) in (3..).zip(path.iter().cloned()) {
            assert_eq!(apply(&store, event, by, minute), want);
        }
        drop(store);
        let store = db.open();
        let stored = store.current_session(&id()).unwrap().unwrap();
        assert_eq!(stored.entries.len(), path.len());
        for ((event, by, want), entry) in path.iter().zip(&stored.entries) {
            assert_eq!(
                (&entry.event, entry.actor.as_str(), entry.to),
                (event, *by, *want)
            );
        }
        let reject = &stored.entries[4];
        assert_eq!(
            (reject.from, reject.event.kind(), reject.at),
            (StateKind::AwaitingApproval, EventKind::Reject, t(7))
        );
        let session = stored.session().unwrap();
        assert_eq!(session.state().kind(), StateKind::Completed);
        assert_eq!(session.audit().len(), path.len());
        assert_eq!(session.audit()[4].reason.as_deref(), Some("price"));
        // Every event of core's machine appears on the path, so each one round-trips.
        for kind in [
            EventKind::Prepare,
            EventKind::Submit,
            EventKind::Approve,
            EventKind::Reject,
            EventKind::Reopen,
            EventKind::Schedule,
            EventKind::Confirm,
            EventKind::Start,
            EventKind::WindowClosed,
            EventKind::WindowOpened,
            EventKind::Complete,
        ] {
            assert!(
                stored.entries.iter().any(|e| e.event.kind() == kind),
                "{kind}"
            );
        }
        // Finished: a new session may open. Under `require_reapproval` a closing window
        // sends it back to approval: the approval in force is gone until the next one.
        let reapproval =
            SessionSettings::new(OutsideWindow::RequireReapproval, Confirmation::NotRequired);
        let second = store.open_session(&id(), reapproval, t(40)).unwrap();
        assert_eq!(second.number, 2);
        for event in [
            Event::Prepare(passing_checklist()),
            Event::Submit,
            Event::Approve,
        ] {
            apply(&store, event, "bob", 40);
        }
        apply(&store, Event::Schedule, "ana", 40);
        apply(&store, Event::Start, "system", 40);
        assert!(store.approval(&id()).unwrap().is_some());
        assert_eq!(
            apply(&store, Event::WindowClosed, "system", 41),
            StateKind::AwaitingApproval
        );
        assert!(store.approval(&id()).unwrap().is_none());
        assert!(matches!(
            store.approved_plan(&id()),
            Err(StoreError::NotApproved {
                state: StateKind::AwaitingApproval,
                ..
            })
        ));
        assert_eq!(
            apply(&store, Event::Approve, "bob", 41),
            StateKind::Approved
        );
        assert_eq!(store.approval(&id()).unwrap().unwrap().at, t(41));
        let cancelled = store
            .apply_event(
                &id(),
                Event::Cancel {
                    reason: "season over".into(),
                },
                &actor("ana"),
                t(42),
            )
            .unwrap();
        assert_eq!(cancelled.state(), StateKind::Cancelled);
        let third = store
            .open_session(&id(), SessionSettings::default(), t(43))
            .unwrap();
        apply(&store, Event::Prepare(passing_checklist()), "ana", 44);
        apply(&store, Event::Submit, "ana", 44);
        let expired = store
            .apply_event(&id(), Event::Expire, &actor("system"), t(45))
            .unwrap();
        assert_eq!((third.number, expired.state()), (3, StateKind::Expired));
    }

    #[test]
    fn refused_moves_store_nothing() {
        let db = TempDb::new("session-refused");
        let store = ready(&db);
        assert!(matches!(
            store.apply_event(&id(), Event::Submit, &actor("ana"), t(2)),
            Err(StoreError::Session(SessionError::NoSession { .. }))
        ));
        store
            .open_session(&id(), SessionSettings::default(), t(2))
            .unwrap();
        assert!(matches!(
            store.apply_event(&id(), Event::Approve, &actor("bob"), t(3)),
            Err(StoreError::Session(SessionError::Transition { .. }))
        ));
        let mut failing = Checklist::default();
        failing.push(Check::new(CheckId::Credit, CheckStatus::Fail, "short"));
        assert!(matches!(
            store.apply_event(&id(), Event::Prepare(failing), &actor("ana"), t(3)),
            Err(StoreError::Session(SessionError::Transition { .. }))
        ));
        apply(&store, Event::Prepare(passing_checklist()), "ana", 3);
        apply(&store, Event::Submit, "ana", 3);
        assert!(matches!(
            store.apply_event(
                &id(),
                Event::Reject { reason: " ".into() },
                &actor("bob"),
                t(4)
            ),
            Err(StoreError::Session(SessionError::Transition { .. }))
        ));
        assert!(
            matches!(
                store.apply_event(&id(), Event::Approve, &actor("bob"), t(1)),
                Err(StoreError::Session(SessionError::Transition { .. }))
            ),
            "earlier than the last event"
        );
        apply(&store, Event::Approve, "bob", 5);
        apply(&store, Event::Schedule, "ana", 5);
        assert!(
            matches!(
                store.apply_event(&id(), Event::Start, &actor("ana"), t(6)),
                Err(StoreError::Session(SessionError::Transition { .. }))
            ),
            "no start without confirmation"
        );
        assert_eq!(
            store.current_session(&id()).unwrap().unwrap().entries.len(),
            4
        );
    }

    #[test]
    fn concurrent_movers_conflict_instead_of_both_moving() {
        let db = TempDb::new("session-conflict");
        let store = ready(&db);
        store
            .open_session(&id(), SessionSettings::default(), t(2))
            .unwrap();
        apply(&store, Event::Prepare(passing_checklist()), "ana", 3);
        apply(&store, Event::Submit, "ana", 3);
        // Two approvers read the same session; the second write finds it moved.
        let seen = store.current_session(&id()).unwrap().unwrap();
        let other = db.open();
        other
            .apply_event(&id(), Event::Approve, &actor("bob"), t(4))
            .unwrap();
        let entry = smsplan_store::SessionEntry::new(
            actor("eve"),
            t(4),
            Event::Reject {
                reason: "no".into(),
            },
            StateKind::AwaitingApproval,
            StateKind::Rejected,
        );
        assert!(matches!(
            store.append_session_entry(&id(), seen.number, seen.entries.len(), &entry),
            Err(StoreError::Conflict {
                expected: 2,
                found: 3,
                ..
            })
        ));
        assert_eq!(
            store.current_session(&id()).unwrap().unwrap().state(),
            StateKind::Approved
        );
    }

    #[test]
    fn the_approval_is_tied_to_the_digest_of_the_plan_approved() {
        let db = TempDb::new("approval-digest");
        let store = db.open();
        store.create_campaign(&id(), &spec(), t(0)).unwrap();
        store
            .open_session(&id(), SessionSettings::default(), t(1))
            .unwrap();
        assert!(matches!(
            store.apply_event(
                &id(),
                Event::Prepare(passing_checklist()),
                &actor("ana"),
                t(2)
            ),
            Err(StoreError::NoPlan { .. })
        ));
        let record = store.put_plan(&id(), &plan(), t(2)).unwrap();
        apply(&store, Event::Prepare(passing_checklist()), "ana", 2);
        assert!(matches!(
            store.approved_plan(&id()),
            Err(StoreError::NotApproved {
                state: StateKind::Prepared,
                ..
            })
        ));
        apply(&store, Event::Submit, "ana", 3);
        apply(&store, Event::Approve, "bob", 4);
        let approval = store.approval(&id()).unwrap().unwrap();
        assert_eq!(
            (approval.by.as_str(), approval.at, &approval.digest),
            ("bob", t(4), &record.digest)
        );
        assert_eq!(store.approved_plan(&id()).unwrap().0, record);
        // Re-planning after the approval: the approval no longer covers what would go out.
        let other: SendPlan = serde_json::from_str(OTHER_PLAN).unwrap();
        let newer = store.put_plan(&id(), &other, t(5)).unwrap();
        match store.approved_plan(&id()) {
            Err(StoreError::ApprovalStale {
                approved, current, ..
            }) => {
                assert_eq!((approved, current), (record.digest, newer.digest));
            }
            other => panic!("{other:?}"),
        }
    }
}

mod leases {
    use super::*;

    const TTL: Duration = Duration::from_secs(5);

    #[test]
    fn a_claim_excludes_others_until_it_expires_or_is_released() {
        let db = TempDb::new("leases");
        let store = ready(&db);
        let at = t(10);
        let first = store.claim(&id(), "runner-a", at, TTL).unwrap();
        assert_eq!(
            (first.token, first.expires_at),
            (1, at + chrono::Duration::seconds(5))
        );
        match store.claim(&id(), "runner-b", at + chrono::Duration::seconds(4), TTL) {
            Err(StoreError::Claimed { owner, until, .. }) => {
                assert_eq!((owner.as_str(), until), ("runner-a", first.expires_at));
            }
            other => panic!("{other:?}"),
        }
        // The same owner claiming again renews, with the same token.
        let again = store
            .claim(&id(), "runner-a", at + chrono::Duration::seconds(1), TTL)
            .unwrap();
        assert_eq!(again.token, 1);
        let renewed = store
            .renew(&again, at + chrono::Duration::seconds(2), TTL)
            .unwrap();
        assert_eq!(renewed.expires_at, at + chrono::Duration::seconds(7));
        // A runner killed without releasing blocks a restart only until its lease ends.
        let later = at + chrono::Duration::seconds(7);
        drop(store);
        let store = db.open();
        let second = store.claim(&id(), "runner-b", later, TTL).unwrap();
        assert_eq!(second.token, 2);
        // The old holder is fenced off: its writes and renewals are refused.
        assert!(matches!(
            store.renew(&renewed, later, TTL),
            Err(StoreError::LeaseLost { .. })
        ));
        assert!(matches!(
            store.record(
                &renewed,
                &LedgerBatch::new(Vec::new(), vec![intent(1, 1)]),
                later
            ),
            Err(StoreError::LeaseLost { .. })
        ));
        assert!(
            matches!(
                store.record(
                    &second,
                    &LedgerBatch::default(),
                    later + chrono::Duration::seconds(5)
                ),
                Err(StoreError::LeaseLost { .. })
            ),
            "an expired lease writes nothing"
        );
        // Released: the next runner need not wait, and gets a larger token.
        store.release(&second).unwrap();
        store.release(&renewed).unwrap();
        let third = store.claim(&id(), "runner-c", later, TTL).unwrap();
        assert_eq!(third.token, 3);
        let missing: CampaignId = "nope".parse().unwrap();
        assert!(matches!(
            store.claim(&missing, "x", later, TTL),
            Err(StoreError::CampaignNotFound { .. })
        ));
    }
}

mod ledger {
    use super::*;

    fn lease(store: &SqliteStore) -> smsplan_store::Lease {
        store
            .claim(&id(), "runner", t(10), Duration::from_secs(3600))
            .unwrap()
    }

    #[test]
    fn intent_then_receipt_per_part_with_credits_debited_and_refunded() {
        let db = TempDb::new("ledger-basic");
        let store = ready(&db);
        let lease = lease(&store);
        let out = store
            .record(
                &lease,
                &LedgerBatch::new(Vec::new(), vec![intent(1, 2), intent(2, 1)]),
                t(11),
            )
            .unwrap();
        assert_eq!(
            out,
            [
                IntentOutcome::Recorded {
                    parts: vec![1, 2],
                    attempt: 1
                },
                IntentOutcome::Recorded {
                    parts: vec![1],
                    attempt: 1
                },
            ]
        );
        assert_eq!(store.balance(Currency::EUR).unwrap(), eur("9.85"));
        let part = store.ledger_part(&mid(1), 2).unwrap().unwrap();
        assert_eq!(
            (part.state, part.attempt, part.parts),
            (PartState::Intended, 1, 2)
        );
        // Part 1 went out, part 2 failed before it was sent; message 2 went out.
        let receipts = vec![
            accepted(1, 1),
            PartReceipt::new(mid(1), 2, ReceiptKind::NotSent),
            PartReceipt::new(mid(2), 1, ReceiptKind::Submitted(Submission::Queued)),
        ];
        store
            .record(&lease, &LedgerBatch::new(receipts, Vec::new()), t(12))
            .unwrap();
        assert_eq!(
            store.balance(Currency::EUR).unwrap(),
            eur("9.90"),
            "part 2 refunded"
        );
        assert_eq!(
            store.ledger_part(&mid(2), 1).unwrap().unwrap().state,
            PartState::Submitted {
                submission: Some(Submission::Queued)
            }
        );
        // The retry intends only the part not sent.
        let retry = store
            .record(
                &lease,
                &LedgerBatch::new(Vec::new(), vec![intent(1, 2)]),
                t(13),
            )
            .unwrap();
        assert_eq!(
            retry,
            [IntentOutcome::Recorded {
                parts: vec![2],
                attempt: 2
            }]
        );
        store
            .record(
                &lease,
                &LedgerBatch::new(vec![accepted(1, 2)], vec![intent(1, 2)]),
                t(14),
            )
            .unwrap_or_else(|e| panic!("{e}"));
        let again = store
            .record(
                &lease,
                &LedgerBatch::new(Vec::new(), vec![intent(1, 2), intent(2, 1)]),
                t(15),
            )
            .unwrap();
        assert_eq!(
            again,
            [
                IntentOutcome::AlreadySubmitted,
                IntentOutcome::AlreadySubmitted
            ]
        );
        let kinds: Vec<CreditKind> = store
            .credit_entries(Currency::EUR)
            .unwrap()
            .iter()
            .map(|e| e.kind)
            .collect();
        assert_eq!(
            kinds,
            [
                CreditKind::TopUp,
                CreditKind::Debit,
                CreditKind::Debit,
                CreditKind::Refund,
                CreditKind::Debit
            ]
        );
        let summaries = store.message_summaries(&id()).unwrap();
        assert_eq!(summaries.len(), 2);
        assert_eq!(
            (
                summaries[0].parts,
                summaries[0].submitted,
                summaries[0].intended
            ),
            (2, 2, 0)
        );
    }

    #[test]
    fn a_second_receipt_or_one_without_intent_is_refused_and_the_batch_rolls_back() {
        let db = TempDb::new("ledger-refused");
        let store = ready(&db);
        let lease = lease(&store);
        store
            .record(
                &lease,
                &LedgerBatch::new(Vec::new(), vec![intent(1, 1)]),
                t(11),
            )
            .unwrap();
        store
            .record(
                &lease,
                &LedgerBatch::new(vec![accepted(1, 1)], Vec::new()),
                t(12),
            )
            .unwrap();
        let balance = store.balance(Currency::EUR).unwrap();
        // The batch carries a new intent too: it must not be recorded.
        let twice = LedgerBatch::new(vec![accepted(1, 1)], vec![intent(2, 1)]);
        assert!(matches!(
            store.record(&lease, &twice, t(13)),
            Err(StoreError::AlreadySubmitted { part: 1, .. })
        ));
        assert!(store.ledger_part(&mid(2), 1).unwrap().is_none());
        assert_eq!(store.balance(Currency::EUR).unwrap(), balance);
        assert!(matches!(
            store.record(
                &lease,
                &LedgerBatch::new(vec![accepted(9, 1)], Vec::new()),
                t(13)
            ),
            Err(StoreError::NoIntent { part: 1, .. })
        ));
        assert!(matches!(
            store.record(
                &lease,
                &LedgerBatch::new(
                    vec![PartReceipt::new(mid(1), 1, ReceiptKind::NotSent)],
                    Vec::new()
                ),
                t(13)
            ),
            Err(StoreError::AlreadySubmitted { .. })
        ));
    }

    #[test]
    fn parts_in_doubt_are_listed_resolved_by_evidence_or_by_choice() {
        let db = TempDb::new("ledger-doubt");
        let store = ready(&db);
        let lease = lease(&store);
        let batch = LedgerBatch::new(Vec::new(), vec![intent(1, 1), intent(2, 1), intent(3, 1)]);
        store.record(&lease, &batch, t(11)).unwrap();
        // The runner dies here: three intents, no receipt. A new runner takes over.
        drop(store);
        let store = db.open();
        let late = t(11) + chrono::Duration::hours(2);
        let lease = store
            .claim(&id(), "runner-2", late, Duration::from_secs(60))
            .unwrap();
        let doubt: Vec<MessageId> = store
            .in_doubt(&id())
            .unwrap()
            .into_iter()
            .map(|p| p.message)
            .collect();
        assert_eq!(doubt, [mid(1), mid(2), mid(3)]);
        assert_eq!(
            store
                .record(
                    &lease,
                    &LedgerBatch::new(Vec::new(), vec![intent(1, 1)]),
                    late
                )
                .unwrap(),
            [IntentOutcome::InDoubt { part: 1 }]
        );
        // A delivery report carrying our id proves message 1 went out.
        let outcome = store
            .record_delivery(&report(1, 1, DeliveryState::Delivered), late)
            .unwrap();
        assert!(outcome.resolved_in_doubt);
        assert_eq!(
            store.ledger_part(&mid(1), 1).unwrap().unwrap().state,
            PartState::Submitted { submission: None }
        );
        // At most once: reported, never resent.
        store
            .resolve_in_doubt(&lease, &mid(2), 1, Resolution::AtMostOnce, late)
            .unwrap();
        assert_eq!(
            store.ledger_part(&mid(2), 1).unwrap().unwrap().state,
            PartState::Abandoned
        );
        assert_eq!(
            store
                .record(
                    &lease,
                    &LedgerBatch::new(Vec::new(), vec![intent(2, 1)]),
                    late
                )
                .unwrap(),
            [IntentOutcome::AlreadySubmitted]
        );
        // At least once: it may be intended again (a second attempt, debited again).
        store
            .resolve_in_doubt(&lease, &mid(3), 1, Resolution::AtLeastOnce, late)
            .unwrap();
        assert_eq!(
            store.ledger_part(&mid(3), 1).unwrap().unwrap().state,
            PartState::Retry
        );
        assert_eq!(
            store
                .record(
                    &lease,
                    &LedgerBatch::new(Vec::new(), vec![intent(3, 1)]),
                    late
                )
                .unwrap(),
            [IntentOutcome::Recorded {
                parts: vec![1],
                attempt: 2
            }]
        );
        assert!(matches!(
            store.resolve_in_doubt(&lease, &mid(1), 1, Resolution::AtMostOnce, late),
            Err(StoreError::NotInDoubt { .. })
        ));
        assert!(matches!(
            store.resolve_in_doubt(&lease, &mid(7), 1, Resolution::AtMostOnce, late),
            Err(StoreError::NoIntent { .. })
        ));
        assert_eq!(
            store.in_doubt(&id()).unwrap().len(),
            1,
            "message 3's second attempt is in flight"
        );
        let abandoned: u16 = store
            .message_summaries(&id())
            .unwrap()
            .iter()
            .map(|s| s.abandoned)
            .sum();
        assert_eq!(abandoned, 1);
    }

    #[test]
    fn an_opted_out_number_or_a_short_balance_records_nothing() {
        let db = TempDb::new("ledger-refusals");
        let store = db.open();
        store.create_campaign(&id(), &spec(), t(0)).unwrap();
        store.top_up(eur("0.12"), t(0), "small").unwrap();
        let lease = lease(&store);
        let (inbound, change) = stop(2, "in-1", t(5), keyword::ConsentStatus::Unsubscribed);
        store.record_inbound(&inbound, Some(&change)).unwrap();
        let out = store
            .record(
                &lease,
                &LedgerBatch::new(Vec::new(), vec![intent(1, 2), intent(2, 1), intent(3, 1)]),
                t(11),
            )
            .unwrap();
        assert_eq!(
            out[0],
            IntentOutcome::Recorded {
                parts: vec![1, 2],
                attempt: 1
            }
        );
        match &out[1] {
            IntentOutcome::OptedOut { number, since } => {
                assert_eq!(*since, t(5));
                assert_eq!(number.to_string(), "+33 6•• •• •• 02", "masked");
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            out[2],
            IntentOutcome::NoCredit(CreditError::Insufficient {
                balance: eur("0.02"),
                needed: eur("0.05")
            })
        );
        assert!(store.ledger_part(&mid(2), 1).unwrap().is_none());
        assert!(store.ledger_part(&mid(3), 1).unwrap().is_none());
        assert_eq!(store.balance(Currency::EUR).unwrap(), eur("0.02"));
    }
}

mod deliveries {
    use super::*;

    #[test]
    fn reports_move_forward_only_and_duplicates_are_counted_not_applied() {
        let db = TempDb::new("deliveries");
        let store = ready(&db);
        let first = store
            .record_delivery(&report(1, 1, DeliveryState::Delivered), t(20))
            .unwrap();
        assert_eq!(
            first.transition,
            Transition::Advanced(DeliveryState::Delivered)
        );
        assert!(!first.resolved_in_doubt, "no ledger entry for it");
        // Kannel sent "delivered" before "accepted": the late one changes nothing.
        let late = store
            .record_delivery(&report(1, 1, DeliveryState::Accepted), t(21))
            .unwrap();
        assert_eq!(
            late.transition,
            Transition::Ignored {
                kept: DeliveryState::Delivered,
                because: Ignored::Stale
            }
        );
        let other_final = store
            .record_delivery(&report(1, 1, DeliveryState::Expired), t(22))
            .unwrap();
        assert_eq!(
            other_final.transition,
            Transition::Ignored {
                kept: DeliveryState::Delivered,
                because: Ignored::AlreadyFinal
            }
        );
        let mut failed = report(2, 1, DeliveryState::Accepted);
        store.record_delivery(&failed, t(20)).unwrap();
        failed.state = DeliveryState::Undeliverable;
        failed.code = Some("034".into());
        let batch = store
            .record_deliveries(&[failed.clone(), failed.clone()], t(23))
            .unwrap();
        assert_eq!(
            batch[0].transition,
            Transition::Advanced(DeliveryState::Undeliverable)
        );
        assert_eq!(
            batch[1].transition,
            Transition::Ignored {
                kept: DeliveryState::Undeliverable,
                because: Ignored::Duplicate
            }
        );
        drop(store);
        let store = db.open();
        let one = store.delivery(&mid(1), 1).unwrap().unwrap();
        assert_eq!((one.state, one.reports), (DeliveryState::Delivered, 3));
        let two = store.delivery(&mid(2), 1).unwrap().unwrap();
        assert_eq!(
            (two.state, two.code.as_deref(), two.reports),
            (DeliveryState::Undeliverable, Some("034"), 3)
        );
        assert!(store.delivery(&mid(3), 1).unwrap().is_none());
    }
}

mod inbound {
    use super::*;

    #[test]
    fn a_stop_unsubscribes_once_and_the_latest_change_wins() {
        let db = TempDb::new("inbound");
        let store = ready(&db);
        let (message, change) = stop(1, "in-1", t(30), keyword::ConsentStatus::Unsubscribed);
        assert_eq!(
            store.record_inbound(&message, Some(&change)).unwrap(),
            InboundOutcome::New
        );
        assert_eq!(
            store.record_inbound(&message, Some(&change)).unwrap(),
            InboundOutcome::Duplicate
        );
        let consents = store.consents().unwrap();
        let consent = consents.get(&number(1)).unwrap();
        assert_eq!(
            (consent.status, consent.changed_at),
            (ConsentStatus::Unsubscribed, Some(t(30)))
        );
        assert_eq!(
            consent.source.as_deref(),
            Some("keyword STOP to 36111 (inbound in-1)")
        );
        // A START sent later subscribes again; an older change arriving late does not undo it.
        let (start, resubscribe) = stop(1, "in-2", t(40), keyword::ConsentStatus::Subscribed);
        store.record_inbound(&start, Some(&resubscribe)).unwrap();
        let (old, old_stop) = stop(1, "in-0", t(35), keyword::ConsentStatus::Unsubscribed);
        store.record_inbound(&old, Some(&old_stop)).unwrap();
        let (help, _) = stop(2, "in-3", t(41), keyword::ConsentStatus::Subscribed);
        store.record_inbound(&help, None).unwrap();
        drop(store);
        let store = db.open();
        let consents = store.consents().unwrap();
        assert_eq!(consents.len(), 1, "HELP changed no consent");
        assert_eq!(
            consents.get(&number(1)).unwrap().status,
            ConsentStatus::Subscribed
        );
        let ids: Vec<String> = store.inbound().unwrap().into_iter().map(|m| m.id).collect();
        assert_eq!(ids, ["in-1", "in-0", "in-2", "in-3"]);
    }

    #[test]
    fn later_plans_see_a_stop_on_the_contact_with_that_number() {
        let db = TempDb::new("consent-apply");
        let store = ready(&db);
        // Contact c1 of the campaign is `06 12 34 56 78` in France.
        let ana = PhoneNumber::parse("06 12 34 56 78", Region::FR).unwrap();
        let from = Msisdn::parse(ana.as_e164()).unwrap();
        let (mut message, mut change) =
            stop(1, "in-9", t(30), keyword::ConsentStatus::Unsubscribed);
        message.from = from.clone();
        change.number = from;
        store.record_inbound(&message, Some(&change)).unwrap();
        let mut spec = spec();
        assert_eq!(store.consents().unwrap().apply_to(&mut spec), 1);
        let consent = spec.contacts[0].consent.as_ref().unwrap();
        assert_eq!(
            consent.status,
            smsplan_formats::v1::audience::ConsentStatus::Unsubscribed
        );
        assert_eq!(
            consent.changed_at.as_deref(),
            Some("2026-12-20T09:30:00+00:00")
        );
        // Applied again: nothing newer, nothing changes.
        assert_eq!(store.consents().unwrap().apply_to(&mut spec), 0);
        assert_eq!(
            spec.contacts[1],
            self::spec().contacts[1],
            "other contacts untouched"
        );
    }
}

mod test_sms {
    use super::*;

    #[test]
    fn test_sms_are_recorded_per_campaign_for_the_next_plan() {
        let db = TempDb::new("test-sms");
        let store = ready(&db);
        assert_eq!(store.last_test_sms(&id()).unwrap(), None);
        let first = TestSmsRecord::new(
            id(),
            number(1),
            None,
            MessageId::new("test.1").unwrap(),
            t(5),
        );
        let second = TestSmsRecord::new(
            id(),
            number(2),
            Some(ContactId::new("c2").unwrap()),
            MessageId::new("test.2").unwrap(),
            t(6),
        );
        store.record_test_sms(&first).unwrap();
        store.record_test_sms(&second).unwrap();
        assert_eq!(store.test_sms(&id()).unwrap(), [first, second]);
        let last = store.last_test_sms(&id()).unwrap().unwrap();
        assert_eq!((last.to.as_str(), last.at.utc()), ("+33612345002", t(6)));
        let missing = TestSmsRecord::new(
            "nope".parse().unwrap(),
            number(1),
            None,
            MessageId::new("t").unwrap(),
            t(5),
        );
        assert!(matches!(
            store.record_test_sms(&missing),
            Err(StoreError::CampaignNotFound { .. })
        ));
    }
}

mod credits {
    use super::*;

    #[test]
    fn top_ups_and_debits_move_the_balance_and_a_short_one_fails_typed() {
        let db = TempDb::new("credits");
        let store = db.open();
        assert_eq!(store.balance(Currency::EUR).unwrap(), eur("0"));
        assert_eq!(
            store.top_up(eur("1.5"), t(0), "invoice 7").unwrap(),
            eur("1.5")
        );
        assert_eq!(store.debit(eur("0.5"), t(1), "test SMS").unwrap(), eur("1"));
        match store.debit(eur("1.01"), t(2), "too much") {
            Err(StoreError::Credit(CreditError::Insufficient { balance, needed })) => {
                assert_eq!((balance, needed), (eur("1"), eur("1.01")));
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            store.top_up(eur("-1"), t(3), "x"),
            Err(StoreError::Credit(CreditError::Negative { .. }))
        ));
        assert!(matches!(
            store.debit(eur("-1"), t(3), "x"),
            Err(StoreError::Credit(CreditError::Negative { .. }))
        ));
        assert_eq!(
            store.balance(Currency::USD).unwrap(),
            Money::zero(Currency::USD)
        );
        let entries = store.credit_entries(Currency::EUR).unwrap();
        assert_eq!(entries.len(), 2);
        assert_eq!(
            (entries[1].amount, entries[1].kind, entries[1].note.as_str()),
            (eur("-0.5"), CreditKind::Debit, "test SMS")
        );
    }
}

mod properties {
    use super::*;
    use proptest::prelude::*;
    use std::collections::HashMap;

    fn states() -> impl Strategy<Value = DeliveryState> {
        prop_oneof![
            Just(DeliveryState::Accepted),
            Just(DeliveryState::Buffered),
            Just(DeliveryState::Delivered),
            Just(DeliveryState::Undeliverable),
            Just(DeliveryState::Rejected),
            Just(DeliveryState::Expired),
        ]
    }

    fn rank(s: DeliveryState) -> u8 {
        match s {
            DeliveryState::Accepted => 0,
            DeliveryState::Buffered => 1,
            _ => 2,
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]

        /// Reports in any order, repeated, never move a part backwards, the first final
        /// state wins, and the stored state is the fold of `DeliveryState::apply`.
        #[test]
        fn delivery_states_only_move_forward(
            reports in proptest::collection::vec((1u32..4, 1u16..3, states()), 1..40),
        ) {
            let store = SqliteStore::open_in_memory().unwrap();
            let mut model: HashMap<(u32, u16), DeliveryState> = HashMap::new();
            for chunk in reports.chunks(7) {
                let batch: Vec<DeliveryReport> =
                    chunk.iter().map(|(m, p, s)| report(*m, *p, *s)).collect();
                let before: HashMap<_, _> = model.clone();
                store.record_deliveries(&batch, t(1)).unwrap();
                for (m, p, s) in chunk {
                    let next = match model.get(&(*m, *p)) {
                        None => *s,
                        Some(cur) => match cur.apply(*s) {
                            Transition::Advanced(n) => n,
                            _ => *cur,
                        },
                    };
                    model.insert((*m, *p), next);
                }
                for ((m, p), want) in &model {
                    let stored = store.delivery(&mid(*m), *p).unwrap().unwrap().state;
                    prop_assert_eq!(stored, *want);
                    if let Some(old) = before.get(&(*m, *p)) {
                        prop_assert!(rank(stored) >= rank(*old), "moved back from {:?} to {:?}", old, stored);
                        if rank(*old) == 2 {
                            prop_assert_eq!(stored, *old, "a final state was replaced");
                        }
                    }
                }
            }
        }
    }

    #[derive(Debug, Clone)]
    enum Op {
        Intend(u32),
        Receipt(u32, u16, bool),
        Resolve(u32, u16, bool),
        Report(u32, u16),
        Restart,
    }

    fn ops() -> impl Strategy<Value = Op> {
        prop_oneof![
            4 => (0u32..5).prop_map(Op::Intend),
            4 => (0u32..5, 1u16..4, any::<bool>()).prop_map(|(m, p, ok)| Op::Receipt(m, p, ok)),
            1 => (0u32..5, 1u16..4, any::<bool>()).prop_map(|(m, p, once)| Op::Resolve(m, p, once)),
            1 => (0u32..5, 1u16..4).prop_map(|(m, p)| Op::Report(m, p)),
            1 => Just(Op::Restart),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(32))]

        /// Whatever receipts, retries, resolutions, reports and restarts happen, no part is
        /// ever recorded submitted twice, a part is intended only when it may be sent, and
        /// the balance is the top-up less the debits plus the refunds.
        #[test]
        fn no_part_is_recorded_submitted_twice(ops in proptest::collection::vec(ops(), 1..60)) {
            let db = TempDb::new("prop-ledger");
            let mut store = db.open();
            store.create_campaign(&id(), &spec(), t(0)).unwrap();
            store.top_up(eur("100"), t(0), "prop").unwrap();
            let mut lease = store.claim(&id(), "prop", t(0), Duration::from_secs(1_000_000)).unwrap();
            let parts_of = |m: u32| u16::try_from(m % 3 + 1).unwrap();
            let mut became_submitted: HashMap<(u32, u16), u32> = HashMap::new();
            // Micro-euros: 100 € topped up, 0.05 € per part intended, refunded when not sent.
            let mut balance: i64 = 100_000_000;
            let mut last: HashMap<(u32, u16), PartState> = HashMap::new();
            for (step, op) in ops.into_iter().enumerate() {
                let at = t(1) + chrono::Duration::seconds(i64::try_from(step).unwrap());
                match op {
                    Op::Intend(m) => {
                        let out = store.record(&lease, &LedgerBatch::new(Vec::new(), vec![intent(m, parts_of(m))]), at).unwrap();
                        if let IntentOutcome::Recorded { parts, .. } = &out[0] {
                            for p in parts {
                                let before = last.get(&(m, *p)).copied();
                                prop_assert!(
                                    matches!(before, None | Some(PartState::NotSent | PartState::Retry)),
                                    "part {m}/{p} intended from {before:?}"
                                );
                            }
                            balance -= 50_000 * i64::try_from(parts.len()).unwrap();
                        }
                    }
                    Op::Receipt(m, p, ok) => {
                        let kind = if ok { ReceiptKind::Submitted(Submission::Accepted) } else { ReceiptKind::NotSent };
                        let result = store.record(&lease, &LedgerBatch::new(vec![PartReceipt::new(mid(m), p, kind)], Vec::new()), at);
                        match last.get(&(m, p)) {
                            Some(PartState::Intended) => {
                                prop_assert!(result.is_ok(), "{result:?}");
                                if !ok {
                                    balance += 50_000;
                                }
                            }
                            Some(PartState::Submitted { .. }) => prop_assert!(matches!(result, Err(StoreError::AlreadySubmitted { .. })), "{result:?}"),
                            _ => prop_assert!(matches!(result, Err(StoreError::NoIntent { .. })), "{result:?}"),
                        }
                    }
                    Op::Resolve(m, p, once) => {
                        let r = if once { Resolution::AtMostOnce } else { Resolution::AtLeastOnce };
                        let result = store.resolve_in_doubt(&lease, &mid(m), p, r, at);
                        prop_assert_eq!(result.is_ok(), last.get(&(m, p)) == Some(&PartState::Intended));
                    }
                    Op::Report(m, p) => {
                        store.record_delivery(&report(m, p, DeliveryState::Delivered), at).unwrap();
                    }
                    Op::Restart => {
                        drop(store);
                        store = db.open();
                        lease = store.claim(&id(), "prop", at, Duration::from_secs(1_000_000)).unwrap();
                    }
                }
                for m in 0..5 {
                    for p in 1..=parts_of(m) {
                        let Some(now) = store.ledger_part(&mid(m), p).unwrap().map(|l| l.state) else { continue };
                        let was = last.insert((m, p), now);
                        let submitted = |s: Option<PartState>| matches!(s, Some(PartState::Submitted { .. }));
                        if submitted(Some(now)) && !submitted(was) {
                            *became_submitted.entry((m, p)).or_default() += 1;
                        }
                        if submitted(was) {
                            prop_assert!(submitted(Some(now)), "part {m}/{p} left submitted for {now:?}");
                        }
                    }
                }
                prop_assert!(became_submitted.values().all(|n| *n <= 1), "{became_submitted:?}");
            }
            // The credits ledger adds up: top-up, less every debit, plus every refund.
            let entries = store.credit_entries(Currency::EUR).unwrap();
            let sum: i64 = entries.iter().map(|e| e.amount.micros()).sum();
            prop_assert_eq!(store.balance(Currency::EUR).unwrap().micros(), sum);
            prop_assert_eq!(sum, balance);
        }
    }
}

mod row_outcomes {
    use super::*;
    use smsplan_store::{RowOutcome, RowOutcomeKind, StoreError};

    #[test]
    fn the_first_outcome_of_a_row_stays_and_writing_needs_the_lease() {
        let db = TempDb::new("row-outcomes");
        let store = ready(&db);
        let lease = store
            .claim(&id(), "runner", t(2), Duration::from_secs(10))
            .unwrap();
        let contact = ContactId::new("c1").unwrap();
        let expired = RowOutcome::new(
            mid(1),
            contact.clone(),
            RowOutcomeKind::Expired,
            "deadline",
            t(2),
        );
        let opted = RowOutcome::new(mid(1), contact, RowOutcomeKind::OptedOut, "stop", t(2));
        assert_eq!(
            store.record_row_outcomes(&lease, &[expired], t(2)).unwrap(),
            1
        );
        assert_eq!(
            store
                .record_row_outcomes(&lease, std::slice::from_ref(&opted), t(2))
                .unwrap(),
            0
        );
        let stored = store.row_outcomes(&id()).unwrap();
        assert_eq!(stored.len(), 1);
        assert_eq!(stored[0].kind, RowOutcomeKind::Expired);
        assert_eq!(stored[0].detail, "deadline");
        // After the lease ran out, nothing is written.
        let late = t(2) + chrono::Duration::seconds(11);
        assert!(matches!(
            store.record_row_outcomes(&lease, &[opted], late),
            Err(StoreError::LeaseLost { .. })
        ));
        // Reopened from the file, the outcome is still there.
        drop(store);
        assert_eq!(db.open().row_outcomes(&id()).unwrap().len(), 1);
    }
}
