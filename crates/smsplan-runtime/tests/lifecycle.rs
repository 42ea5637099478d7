//! The campaign lifecycle over a real SQLite file, sent through the in-memory gateway on
//! a virtual clock: holds at window ends, resumes, STOPs, crashes between intent and
//! submit, credits running out, re-approval, expiry, cancellation, leases.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};

use chrono::{DateTime, Duration as Span, Utc};
use smsplan_core::approval::{Actor, CampaignId, EventKind as Ev, StateKind};
use smsplan_core::contact::ContactId;
use smsplan_core::money::{Currency, Money};
use smsplan_core::phone::PhoneNumber;
use smsplan_formats::v1::campaign::CampaignSpec;
use smsplan_provider::dispatch::message_id;
use smsplan_provider::gateway::InboundMessage;
use smsplan_provider::memory::{AutoReport, InMemoryGateway};
use smsplan_provider::number::Msisdn;
use smsplan_runtime::{
    EventKind, EventSink, Finish, NoEvents, RunEvent, RunOptions, Runner, RuntimeError,
    VirtualClock, Workflow,
};
use smsplan_store::{IntentOutcome, LedgerBatch, MessageIntent, SqliteStore, Store};

fn t(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn number(i: usize) -> String {
    format!("+336{:08}", 12_000_000 + i)
}

/// `n` French contacts, one group, a marketing message from `SHOP` at 1 part/s, later at
/// Thursday 24 December 2026 19:59 Paris: 60 rows fit before 20:00, the others go on
/// Saturday 26 December 08:00 (the 25th is a public holiday).
fn spec(n: usize, extra: serde_json::Value) -> CampaignSpec {
    let contacts: Vec<_> = (0..n)
        .map(|i| {
            serde_json::json!({
                "id": format!("c{i:03}"), "phone": number(i), "email": format!("c{i}@example.org"),
                "consent": {"status": "subscribed", "changed_at": "2026-01-10T09:00:00+01:00", "source": "web form"},
                "fields": {"first_name": "Ana"}
            })
        })
        .collect();
    let members: Vec<_> = (0..n).map(|i| format!("c{i:03}")).collect();
    let mut doc = serde_json::json!({
        "format": "smsplan.campaign/v1",
        "name": "lifecycle",
        "project": {"key": "email", "default_region": "FR"},
        "contacts": contacts,
        "groups": [{"id": "all", "members": members}],
        "audience": {"groups": ["all"]},
        "message": {"template": "Hi {{first_name|there}}, winter sale -20%. STOP 36111",
                    "sender": {"kind": "alphanumeric", "value": "SHOP", "parts_per_second": 1},
                    "class": "marketing"},
        "schedule": {"mode": "later", "at": "2026-12-24T19:59", "time_zone": "Europe/Paris",
                     "deadline": "2026-12-31T20:00:00+01:00", "outside_window": "hold"},
        "credits": {"balance": "100.00", "price_per_segment": "0.05", "currency": "EUR"},
        "test_sms": {"to": "+33612345678", "at": "2026-12-20T09:00:00+01:00"}
    });
    merge(&mut doc, extra);
    serde_json::from_value(doc).unwrap()
}

fn merge(doc: &mut serde_json::Value, extra: serde_json::Value) {
    if let (Some(d), serde_json::Value::Object(e)) = (doc.as_object_mut(), extra) {
        for (k, v) in e {
            match (d.get_mut(&k), v) {
                (
                    Some(existing @ serde_json::Value::Object(_)),
                    v @ serde_json::Value::Object(_),
                ) => {
                    merge(existing, v);
                }
                (_, v) => {
                    d.insert(k, v);
                }
            }
        }
    }
}

struct Fixture {
    _dir: tempdir::Dir,
    store: SqliteStore,
    id: CampaignId,
}

mod tempdir {
    pub struct Dir(pub std::path::PathBuf);
    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
    pub fn new(name: &str) -> Dir {
        let dir = std::env::temp_dir().join(format!(
            "smsplan-runtime-{name}-{}-{:?}",
            std::process::id(),
            std::thread::current().id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Dir(dir)
    }
}

const PREPARE_AT: &str = "2026-12-20T10:00:00+01:00";

/// Creates, prepares, approves and confirms `spec` in a store file of its own.
fn approved(name: &str, spec: &CampaignSpec) -> Fixture {
    let dir = tempdir::new(name);
    let store = SqliteStore::open(dir.0.join("campaigns.db")).unwrap();
    let flow = Workflow::new(&store);
    let at = t(PREPARE_AT);
    let id = flow.create(spec, None, at).unwrap();
    let prepared = flow.prepare(&id, &Actor::new("ana").unwrap(), at).unwrap();
    assert_eq!(
        prepared.state,
        StateKind::Prepared,
        "{:?}",
        prepared.plan.checklist
    );
    let bob = Actor::new("bob").unwrap();
    flow.approve(&id, &bob, at + Span::minutes(5)).unwrap();
    flow.confirm(&id, &bob, at + Span::minutes(6)).unwrap();
    Fixture {
        _dir: dir,
        store,
        id,
    }
}

fn gateway() -> InMemoryGateway {
    InMemoryGateway::default().with_auto_reports(AutoReport::Delivered)
}

/// Stops the run at the first event of a kind.
struct StopAt<'a> {
    kind: EventKind,
    stop: &'a AtomicBool,
    events: Vec<RunEvent>,
}

impl EventSink for StopAt<'_> {
    fn emit(&mut self, event: &RunEvent) -> std::io::Result<()> {
        if event.event == self.kind {
            self.stop.store(true, Ordering::Relaxed);
        }
        self.events.push(event.clone());
        Ok(())
    }
}

fn sent_to(gateway: &InMemoryGateway) -> HashMap<String, usize> {
    let mut out = HashMap::new();
    for p in gateway.sent() {
        *out.entry(p.to.as_str().to_owned()).or_default() += 1;
    }
    out
}

#[test]
fn a_send_is_held_at_the_window_end_and_resumes_in_the_next_window() {
    let f = approved("hold", &spec(80, serde_json::json!({})));
    let gateway = gateway();
    let clock = VirtualClock::new(t("2026-12-24T18:00:00Z"));
    let stop = AtomicBool::new(false);
    let mut events: Vec<RunEvent> = Vec::new();
    let runner = Runner::new(&f.store, &gateway, &clock, RunOptions::new("t"), &stop);
    let summary = runner.run(&f.id, &mut events, &mut |_| {}).unwrap();
    assert_eq!(summary.finish, Finish::Completed);
    assert_eq!(summary.holds, 1);
    let held: Vec<_> = events
        .iter()
        .filter(|e| e.event == EventKind::Held)
        .collect();
    assert_eq!(held.len(), 1);
    assert_eq!(held[0].at, "2026-12-24T19:00:00Z", "20:00 in Paris");
    assert_eq!(
        held[0].until.as_deref(),
        Some("2026-12-26T07:00:00Z"),
        "Saturday 08:00, after Christmas"
    );
    assert!(held[0].contact.is_none());
    let resumed: Vec<_> = events
        .iter()
        .filter(|e| e.event == EventKind::Resumed)
        .collect();
    assert_eq!(resumed.len(), 1);
    assert_eq!(resumed[0].at, "2026-12-26T07:00:00Z");
    // Every part went out inside a window: Thursday before 20:00 or from Saturday 08:00.
    let submitted: Vec<_> = events
        .iter()
        .filter(|e| e.event == EventKind::Submitted)
        .collect();
    assert_eq!(submitted.len(), 80);
    for e in &submitted {
        let at = t(&e.at);
        assert!(
            at < t("2026-12-24T19:00:00Z") || at >= t("2026-12-26T07:00:00Z"),
            "{} at {}",
            e.contact.as_deref().unwrap_or(""),
            e.at
        );
        assert_eq!((e.part, e.parts), (Some(1), Some(1)));
    }
    assert_eq!(
        submitted
            .iter()
            .filter(|e| t(&e.at) < t("2026-12-24T19:00:00Z"))
            .count(),
        60,
        "1 part/s for a minute"
    );
    let status = summary.status;
    assert_eq!(
        (status.recipients, status.submitted, status.delivered),
        (80, 80, 80)
    );
    assert_eq!(status.percent_complete, 100.0);
    assert_eq!(status.state, "completed");
    assert_eq!(
        status.balance.as_deref(),
        Some("96.00"),
        "80 parts at 0.05 debited"
    );
    let kinds: Vec<Ev> = Workflow::new(&f.store)
        .audit(&f.id)
        .unwrap()
        .iter()
        .map(|e| e.event.kind())
        .collect();
    for kind in [Ev::Start, Ev::WindowClosed, Ev::WindowOpened, Ev::Complete] {
        assert!(kinds.contains(&kind), "{kind:?} in {kinds:?}");
    }
}

#[test]
fn a_stopped_run_shows_its_hold_in_status_and_a_second_run_resumes_it() {
    let f = approved("resume", &spec(80, serde_json::json!({})));
    let gateway = gateway();
    let clock = VirtualClock::new(t("2026-12-24T18:00:00Z"));
    let stop = AtomicBool::new(false);
    let mut sink = StopAt {
        kind: EventKind::Held,
        stop: &stop,
        events: Vec::new(),
    };
    let runner = Runner::new(&f.store, &gateway, &clock, RunOptions::new("first"), &stop);
    let first = runner.run(&f.id, &mut sink, &mut |_| {}).unwrap();
    assert_eq!(first.finish, Finish::Stopped);
    let status = Workflow::new(&f.store)
        .status(&f.id, t("2026-12-25T12:00:00Z"))
        .unwrap();
    assert_eq!(status.state, "held");
    assert_eq!(
        (status.submitted, status.delivered, status.held),
        (60, 60, 20)
    );
    assert_eq!(status.percent_complete, 75.0);
    assert_eq!(
        status.next_window.as_deref(),
        Some("2026-12-26T07:00:00+00:00")
    );
    assert!(!status.is_final());

    // A new runner (another process) resumes: the lease was released by the clean stop.
    stop.store(false, Ordering::Relaxed);
    let mut events: Vec<RunEvent> = Vec::new();
    let runner = Runner::new(&f.store, &gateway, &clock, RunOptions::new("second"), &stop);
    let second = runner.run(&f.id, &mut events, &mut |_| {}).unwrap();
    assert_eq!(second.finish, Finish::Completed);
    assert_eq!(second.parts_submitted, 20);
    assert!(sent_to(&gateway).values().all(|&n| n == 1), "nobody twice");
    assert_eq!(second.status.delivered, 80);
}

#[test]
fn a_stop_before_the_send_unsubscribes_the_number_and_answers_once() {
    let f = approved("stop", &spec(10, serde_json::json!({})));
    let gateway = gateway();
    let stopper = Msisdn::parse(&number(4)).unwrap();
    for (i, text) in ["STOP", "stop"].iter().enumerate() {
        gateway
            .inject(InboundMessage {
                id: format!("mo-{i}"),
                from: stopper.clone(),
                to: Msisdn::parse("36111").unwrap(),
                text: (*text).into(),
                received_at: t("2026-12-24T18:30:00Z"),
            })
            .unwrap();
    }
    let clock = VirtualClock::new(t("2026-12-24T18:30:00Z"));
    let stop = AtomicBool::new(false);
    let mut events: Vec<RunEvent> = Vec::new();
    let summary = Runner::new(&f.store, &gateway, &clock, RunOptions::new("t"), &stop)
        .run(&f.id, &mut events, &mut |_| {})
        .unwrap();
    assert_eq!(summary.finish, Finish::Completed);
    assert_eq!(
        (summary.inbound, summary.replies),
        (2, 1),
        "one confirmation for two STOPs"
    );
    let to_stopper: Vec<_> = gateway
        .sent()
        .into_iter()
        .filter(|p| p.to == stopper)
        .collect();
    assert_eq!(to_stopper.len(), 1, "the confirmation only");
    assert!(!to_stopper[0].encoded.text.contains("winter sale"));
    assert_eq!(summary.status.opted_out, 1);
    assert_eq!(summary.status.delivered, 9);
    assert_eq!(
        summary.status.recipients, 10,
        "an opted-out row stays a recipient"
    );
    assert!(
        events
            .iter()
            .any(|e| e.event == EventKind::OptedOut && e.contact.as_deref() == Some("c004"))
    );
    // The STOP is in the store: the next plan excludes the number.
    let consent = f
        .store
        .consents()
        .unwrap()
        .get(&PhoneNumber::parse_international(&number(4)).unwrap())
        .map(|c| c.status);
    assert_eq!(
        consent,
        Some(smsplan_core::contact::ConsentStatus::Unsubscribed)
    );
}

/// Records the intent of contact `c000`'s message as a runner killed right after it
/// would have; its lease expired at `expired`.
fn crash_after_intent(f: &Fixture, expired: DateTime<Utc>) {
    let lease = f
        .store
        .claim(
            &f.id,
            "killed",
            expired - Span::seconds(6),
            std::time::Duration::from_secs(6),
        )
        .unwrap();
    let intent = MessageIntent::new(
        message_id(f.id.as_str(), None, "c000"),
        ContactId::new("c000").unwrap(),
        PhoneNumber::parse_international(&number(0)).unwrap(),
        1,
        Money::parse("0.05", Currency::EUR).unwrap(),
    );
    let outcomes = f
        .store
        .record(
            &lease,
            &LedgerBatch::new(vec![], vec![intent]),
            expired - Span::seconds(1),
        )
        .unwrap();
    assert!(matches!(outcomes[0], IntentOutcome::Recorded { .. }));
}

#[test]
fn a_part_in_doubt_is_not_resent_by_default() {
    let f = approved("doubt", &spec(10, serde_json::json!({})));
    crash_after_intent(&f, t("2026-12-24T18:59:00Z"));
    let gateway = gateway();
    let clock = VirtualClock::new(t("2026-12-24T18:59:00Z"));
    let stop = AtomicBool::new(false);
    let summary = Runner::new(&f.store, &gateway, &clock, RunOptions::new("next"), &stop)
        .run(&f.id, &mut NoEvents, &mut |_| {})
        .unwrap();
    assert_eq!(summary.finish, Finish::Completed);
    assert_eq!(summary.in_doubt_settled, 1);
    assert_eq!(summary.status.in_doubt, 1);
    assert_eq!(summary.status.delivered, 9);
    assert!(summary.status.is_final());
    assert!(!sent_to(&gateway).contains_key(&number(0)), "at most once");
}

#[test]
fn a_part_in_doubt_is_resent_when_the_campaign_says_at_least_once() {
    let f = approved(
        "doubt-alo",
        &spec(10, serde_json::json!({"in_doubt": "at_least_once"})),
    );
    crash_after_intent(&f, t("2026-12-24T18:59:00Z"));
    let gateway = gateway();
    let clock = VirtualClock::new(t("2026-12-24T18:59:00Z"));
    let stop = AtomicBool::new(false);
    let summary = Runner::new(&f.store, &gateway, &clock, RunOptions::new("next"), &stop)
        .run(&f.id, &mut NoEvents, &mut |_| {})
        .unwrap();
    assert_eq!(summary.status.in_doubt, 0);
    assert_eq!(summary.status.delivered, 10);
    assert_eq!(sent_to(&gateway).get(&number(0)), Some(&1));
}

#[test]
fn a_send_stops_with_a_typed_reason_when_the_credits_run_out_and_resumes_after_a_top_up() {
    let f = approved("credits", &spec(10, serde_json::json!({})));
    // Spend the balance down to 3 parts' worth.
    f.store
        .debit(
            Money::parse("99.85", Currency::EUR).unwrap(),
            t(PREPARE_AT),
            "fee",
        )
        .unwrap();
    let gateway = gateway();
    let clock = VirtualClock::new(t("2026-12-24T18:59:00Z"));
    let stop = AtomicBool::new(false);
    let err = Runner::new(&f.store, &gateway, &clock, RunOptions::new("t"), &stop)
        .run(&f.id, &mut NoEvents, &mut |_| {})
        .unwrap_err();
    assert!(matches!(err, RuntimeError::NoCredit { .. }), "{err}");
    let status = Workflow::new(&f.store)
        .status(&f.id, clock.now_for_test())
        .unwrap();
    assert_eq!(status.submitted, 3);
    assert_eq!(status.balance.as_deref(), Some("0.00"));
    f.store
        .top_up(
            Money::parse("10", Currency::EUR).unwrap(),
            t("2026-12-24T19:00:00Z"),
            "top up",
        )
        .unwrap();
    let summary = Runner::new(&f.store, &gateway, &clock, RunOptions::new("t"), &stop)
        .run(&f.id, &mut NoEvents, &mut |_| {})
        .unwrap();
    assert_eq!(summary.finish, Finish::Completed);
    assert_eq!(summary.status.delivered, 10);
    assert!(sent_to(&gateway).values().all(|&n| n == 1));
}

trait NowForTest {
    fn now_for_test(&self) -> DateTime<Utc>;
}

impl NowForTest for VirtualClock {
    fn now_for_test(&self) -> DateTime<Utc> {
        smsplan_runtime::Clock::now(self)
    }
}

#[test]
fn with_reapproval_required_a_closed_window_waits_for_a_new_approval() {
    let f = approved(
        "reapprove",
        &spec(
            80,
            serde_json::json!({"schedule": {"outside_window": "require_reapproval"}}),
        ),
    );
    let gateway = gateway();
    let clock = VirtualClock::new(t("2026-12-24T18:00:00Z"));
    let stop = AtomicBool::new(false);
    let first = Runner::new(&f.store, &gateway, &clock, RunOptions::new("t"), &stop)
        .run(&f.id, &mut NoEvents, &mut |_| {})
        .unwrap();
    assert_eq!(
        first.finish,
        Finish::AwaitingApproval {
            reopens: t("2026-12-26T07:00:00Z")
        }
    );
    assert_eq!(first.status.state, "awaiting_approval");
    assert_eq!(first.status.submitted, 60);
    let flow = Workflow::new(&f.store);
    let carol = Actor::new("carol").unwrap();
    flow.approve(&f.id, &carol, t("2026-12-25T09:00:00Z"))
        .unwrap();
    let clock = VirtualClock::new(t("2026-12-25T09:00:30Z"));
    // Not confirmed yet: the run refuses to start.
    let err = Runner::new(&f.store, &gateway, &clock, RunOptions::new("t"), &stop)
        .run(&f.id, &mut NoEvents, &mut |_| {})
        .unwrap_err();
    assert!(matches!(err, RuntimeError::NotConfirmed { .. }), "{err:?}");
    flow.confirm(&f.id, &carol, t("2026-12-25T09:01:00Z"))
        .unwrap();
    let clock = VirtualClock::new(t("2026-12-25T09:02:00Z"));
    let second = Runner::new(&f.store, &gateway, &clock, RunOptions::new("t"), &stop)
        .run(&f.id, &mut NoEvents, &mut |_| {})
        .unwrap();
    assert_eq!(second.finish, Finish::Completed);
    assert_eq!(second.status.delivered, 80);
}

#[test]
fn a_run_after_the_deadline_expires_every_row() {
    let f = approved("expired", &spec(5, serde_json::json!({})));
    let gateway = gateway();
    let clock = VirtualClock::new(t("2027-01-02T10:00:00Z"));
    let stop = AtomicBool::new(false);
    let mut events: Vec<RunEvent> = Vec::new();
    let summary = Runner::new(&f.store, &gateway, &clock, RunOptions::new("t"), &stop)
        .run(&f.id, &mut events, &mut |_| {})
        .unwrap();
    assert_eq!(summary.finish, Finish::Expired);
    assert_eq!(summary.status.expired, 5);
    assert_eq!(summary.status.state, "expired");
    assert_eq!(
        events
            .iter()
            .filter(|e| e.event == EventKind::Expired)
            .count(),
        5
    );
    assert!(gateway.sent().is_empty());
}

#[test]
fn a_cancelled_campaign_is_not_sent_and_a_second_runner_is_refused_while_one_holds_it() {
    let f = approved("cancel", &spec(5, serde_json::json!({})));
    let gateway = gateway();
    let clock = VirtualClock::new(t("2026-12-24T18:59:00Z"));
    let stop = AtomicBool::new(false);
    f.store
        .claim(
            &f.id,
            "other",
            t("2026-12-24T18:58:59Z"),
            std::time::Duration::from_secs(60),
        )
        .unwrap();
    let err = Runner::new(&f.store, &gateway, &clock, RunOptions::new("me"), &stop)
        .run(&f.id, &mut NoEvents, &mut |_| {})
        .unwrap_err();
    assert!(
        matches!(err, RuntimeError::Busy { ref owner, .. } if owner == "other"),
        "{err}"
    );
    Workflow::new(&f.store)
        .cancel(
            &f.id,
            &Actor::new("ana").unwrap(),
            "wrong promo code",
            t("2026-12-24T18:59:00Z"),
        )
        .unwrap();
    let summary = Runner::new(&f.store, &gateway, &clock, RunOptions::new("me"), &stop)
        .run(&f.id, &mut NoEvents, &mut |_| {})
        .unwrap();
    assert_eq!(summary.finish, Finish::AlreadyOver(StateKind::Cancelled));
    assert!(gateway.sent().is_empty());
}

#[test]
fn the_workflow_refuses_steps_out_of_order_and_records_who_and_why() {
    let dir = tempdir::new("flow");
    let store = SqliteStore::open(dir.0.join("c.db")).unwrap();
    let flow = Workflow::new(&store);
    let at = t(PREPARE_AT);
    let ana = Actor::new("ana").unwrap();
    // The balance does not cover the send: the checklist fails, the plan is stored, the
    // state stays draft.
    let mut s = spec(5, serde_json::json!({"credits": {"balance": "0.10"}}));
    s.test_sms = None;
    let id = flow.create(&s, Some("flow".parse().unwrap()), at).unwrap();
    let prepared = flow.prepare(&id, &ana, at).unwrap();
    assert_eq!(prepared.state, StateKind::Draft);
    let status = |id: &str| {
        prepared
            .plan
            .checklist
            .iter()
            .find(|c| c.id == id)
            .map(|c| format!("{:?}", c.status))
    };
    assert_eq!(status("credit").as_deref(), Some("Fail"));
    assert_ne!(
        status("test_sms").as_deref(),
        Some("Pass"),
        "no test SMS yet"
    );
    assert!(
        flow.approve(&id, &ana, at).is_err(),
        "a draft cannot be approved"
    );
    store
        .top_up(Money::parse("10", Currency::EUR).unwrap(), at, "top up")
        .unwrap();
    // A test SMS through the gateway makes the check pass on the next prepare.
    let gateway = gateway();
    let sent = flow
        .test_sms(&id, "06 12 34 56 78", None, &gateway, at)
        .unwrap();
    assert_eq!(sent.to.as_e164(), "+33612345678");
    assert!(matches!(
        flow.test_sms(&id, "not a number", None, &gateway, at),
        Err(RuntimeError::TestNumber { .. })
    ));
    assert!(matches!(
        flow.test_sms(&id, "+33612345678", Some("nobody"), &gateway, at),
        Err(RuntimeError::NoSuchRecipient { .. })
    ));
    let again = flow.prepare(&id, &ana, at).unwrap();
    assert_eq!(
        again.state,
        StateKind::Prepared,
        "{:?}",
        again.plan.checklist
    );
    assert!(
        again
            .plan
            .checklist
            .iter()
            .any(|c| c.id == "test_sms" && format!("{:?}", c.status) == "Pass")
    );
    flow.reject(&id, &Actor::new("bob").unwrap(), "price is wrong", at)
        .unwrap();
    assert_eq!(flow.state(&id).unwrap(), StateKind::Rejected);
    assert!(
        flow.reject(&id, &ana, " ", at).is_err(),
        "a reason is required"
    );
    assert_eq!(
        flow.prepare(&id, &ana, at).unwrap().state,
        StateKind::Prepared
    );
    flow.approve(&id, &Actor::new("bob").unwrap(), at).unwrap();
    assert!(matches!(
        flow.prepare(&id, &ana, at),
        Err(RuntimeError::WrongState {
            step: "prepare",
            ..
        })
    ));
    let audit = flow.audit(&id).unwrap();
    let reject = audit.iter().find(|e| e.event.kind() == Ev::Reject).unwrap();
    assert_eq!(reject.actor.as_str(), "bob");
    assert!(
        matches!(&reject.event, smsplan_core::approval::Event::Reject { reason } if reason == "price is wrong")
    );
    let approve = audit
        .iter()
        .rfind(|e| e.event.kind() == Ev::Approve)
        .unwrap();
    assert_eq!(
        approve.digest.as_ref().map(ToString::to_string),
        Some(
            store
                .latest_plan(&id)
                .unwrap()
                .unwrap()
                .0
                .digest
                .to_string()
        ),
        "the approval is tied to the plan's digest"
    );
    // Running without a confirmation is refused with its reason.
    let clock = VirtualClock::new(t("2026-12-24T18:59:00Z"));
    let stop = AtomicBool::new(false);
    let err = Runner::new(&store, &gateway, &clock, RunOptions::new("t"), &stop)
        .run(&id, &mut NoEvents, &mut |_| {})
        .unwrap_err();
    assert!(matches!(err, RuntimeError::NotConfirmed { .. }), "{err}");
}

#[test]
fn with_refresh_at_send_the_list_is_updated_when_the_send_starts_and_the_diff_is_audited() {
    let base = spec(
        10,
        serde_json::json!({"audience": {"refresh_at_send": true}}),
    );
    let f = approved("refresh", &base);
    // After the approval: a STOP from c003, and a new contact c010 in the project.
    let mo = InboundMessage {
        id: "mo-refresh".into(),
        from: Msisdn::parse(&number(3)).unwrap(),
        to: Msisdn::parse("36111").unwrap(),
        text: "STOP".into(),
        received_at: t("2026-12-21T09:00:00Z"),
    };
    let change = smsplan_provider::keyword::ConsentChange {
        number: mo.from.clone(),
        status: smsplan_core::contact::ConsentStatus::Unsubscribed,
        at: mo.received_at,
        source: smsplan_provider::keyword::ConsentSource::Keyword {
            keyword: "STOP".into(),
            inbound_id: mo.id.clone(),
            to: mo.to.clone(),
        },
    };
    f.store.record_inbound(&mo, Some(&change)).unwrap();
    let mut grown = spec(
        11,
        serde_json::json!({"audience": {"refresh_at_send": true}}),
    );
    grown.name = base.name.clone();
    f.store
        .update_campaign(&f.id, &grown, t("2026-12-22T09:00:00Z"))
        .unwrap();
    let gateway = gateway();
    let clock = VirtualClock::new(t("2026-12-24T18:50:00Z"));
    let stop = AtomicBool::new(false);
    let summary = Runner::new(&f.store, &gateway, &clock, RunOptions::new("t"), &stop)
        .run(&f.id, &mut NoEvents, &mut |_| {})
        .unwrap();
    assert_eq!(summary.finish, Finish::Completed);
    let sent = sent_to(&gateway);
    assert!(sent.contains_key(&number(10)), "the new contact is sent to");
    assert!(
        !sent.contains_key(&number(3)),
        "the unsubscribed one is not"
    );
    assert_eq!(summary.status.recipients, 10);
    assert_eq!(summary.status.delivered, 10);
    let audit = Workflow::new(&f.store).audit(&f.id).unwrap();
    let refresh = audit
        .iter()
        .find(|e| e.event.kind() == Ev::Refresh)
        .unwrap();
    let smsplan_core::approval::Event::Refresh { diff } = &refresh.event else {
        unreachable!()
    };
    assert!(diff.contains("+1 added, -1 removed"), "{diff}");
    assert!(
        diff.contains("added: c010") && diff.contains("removed: c003 (unsubscribed)"),
        "{diff}"
    );
    assert!(
        !diff.contains(&number(3)[3..]),
        "no number in the audit trail"
    );
}
