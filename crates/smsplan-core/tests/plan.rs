//! Hand-computed plans, each with its reason.

#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "test helpers over known-good fixtures"
)]

use std::collections::{BTreeMap, HashMap};
use std::num::NonZeroUsize;

use chrono::{DateTime, NaiveDateTime, Utc};
use chrono_tz::Tz;
use smsplan_core::audience::{Project, ProjectKey, Selection};
use smsplan_core::checklist::{CheckId, CheckStatus};
use smsplan_core::contact::{Consent, ConsentStatus, Contact, ContactId};
use smsplan_core::dedup::DedupMode;
use smsplan_core::group::{Group, GroupId};
use smsplan_core::money::{Currency, Money};
use smsplan_core::phone::Region;
use smsplan_core::plan::{
    Campaign, Credits, Exclusion, Message, PlanError, PolicyKeyError, SendPlan, Timing, plan,
};
use smsplan_core::schedule::{Frequency, Recurrence, Schedule};
use smsplan_core::sender::SenderKind;
use smsplan_core::template::{MissingField, Template};
use smsplan_core::text;
use smsplan_core::window::{MessageClass, PastSend, Policy, Preset, Topic};

fn local(s: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M").unwrap()
}

fn utc(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().to_utc()
}

fn contact(id: &str, phone: &str, fields: &[(&str, &str)]) -> Contact {
    let mut c = Contact::new(ContactId::new(id).unwrap())
        .with_phone(phone)
        .with_consent(Consent::new(ConsentStatus::Subscribed));
    for (k, v) in fields {
        c = c.with_field(*k, *v);
    }
    c
}

fn campaign(contacts: Vec<Contact>, template: &str, schedule: Schedule) -> Campaign {
    let all = Group::new(
        GroupId::new("all").unwrap(),
        contacts.iter().map(|c| c.id.clone()),
    );
    let eur = |s| Money::parse(s, Currency::EUR).unwrap();
    let mut timing = Timing::new(schedule);
    timing.zone = timing.zone.or(Some(PARIS));
    Campaign::new(
        "t".parse().unwrap(),
        (
            Project::new(ProjectKey::Email, Region::FR),
            contacts,
            vec![all],
        ),
        Selection::new([GroupId::new("all").unwrap()], DedupMode::PerNumber),
        Message::new(Template::parse(template).unwrap()),
        timing,
        Credits {
            balance: eur("1.00"),
            price_per_segment: eur("0.045"),
        },
    )
}

fn later(at: &str, zone: Tz) -> Schedule {
    Schedule::Later {
        local: local(at),
        zone,
    }
}

fn run(c: &Campaign) -> SendPlan {
    plan(c, utc("2026-01-01T00:00:00Z"), NonZeroUsize::MIN)
        .unwrap()
        .remove(0)
}

const PARIS: Tz = chrono_tz::Europe::Paris;

#[test]
fn christmas_eve_evening_waits_for_the_26th_in_france_and_the_28th_in_alsace_moselle() {
    let c = campaign(
        vec![
            contact("paris", "06 12 34 56 78", &[("subdivision", "FR-75")]),
            contact("strasbourg", "06 12 34 56 79", &[("subdivision", "FR-67")]),
            contact("dallas", "+1 214 555 0142", &[("subdivision", "US-TX")]),
        ],
        "Soldes ! STOP 36111",
        later("2026-12-24T20:30", PARIS),
    );
    let p = run(&c);
    let at: HashMap<&str, DateTime<Utc>> = p
        .recipients
        .iter()
        .map(|r| (r.contact.as_str(), r.send_at))
        .collect();
    // 20:30 is closed; the 25th is a holiday; Saturday the 26th opens at 08:00.
    assert_eq!(at["paris"], utc("2026-12-26T08:00:00+01:00"));
    // Alsace-Moselle also closes the 26th; Sunday closed: Monday 28th.
    assert_eq!(at["strasbourg"], utc("2026-12-28T08:00:00+01:00"));
    // 13:30 in Dallas on Thursday: open under us-tcpa and us-tx.
    assert_eq!(at["dallas"], utc("2026-12-24T20:30:00+01:00"));
    assert_eq!(
        p.checklist.get(CheckId::OptOutMention).unwrap().status,
        CheckStatus::Pass
    );
}

#[test]
fn a_schedule_in_the_spring_gap_moves_to_the_jump() {
    // 02:30 does not exist in Paris on 2026-03-29 (Sunday): the schedule resolves to the
    // jump, 03:00 CEST; Sunday is closed in France, so Monday 08:00 CEST.
    let c = campaign(
        vec![contact("a", "06 12 34 56 78", &[])],
        "STOP 36111",
        later("2026-03-29T02:30", PARIS),
    );
    let p = run(&c);
    assert_eq!(p.scheduled_at, utc("2026-03-29T03:00:00+02:00"));
    assert_eq!(p.recipients[0].send_at, utc("2026-03-30T08:00:00+02:00"));
}

#[test]
fn a_schedule_in_the_autumn_fold_takes_the_earlier_reading() {
    let c = campaign(
        vec![contact("a", "+1 212 555 0100", &[])],
        "Hi",
        later("2026-11-01T01:30", chrono_tz::America::New_York),
    );
    let p = run(&c);
    // 01:30 happens twice; a schedule takes the earlier reading, 01:30 EDT = 05:30 UTC,
    // closed under us-tcpa until 08:00 EST.
    assert_eq!(p.scheduled_at, utc("2026-11-01T05:30:00Z"));
    assert_eq!(p.recipients[0].send_at, utc("2026-11-01T08:00:00-05:00"));
}

#[test]
fn past_the_deadline_is_expired() {
    let mut c = campaign(
        vec![
            contact("paris", "06 12 34 56 78", &[]),
            contact("ny", "+1 212 555 0100", &[]),
        ],
        "STOP 36111",
        later("2026-12-24T20:30", PARIS),
    );
    c.timing.deadline = Some(utc("2026-12-25T12:00:00+01:00"));
    let p = run(&c);
    assert_eq!(p.recipients.len(), 1);
    assert_eq!(p.recipients[0].contact.as_str(), "ny");
    assert_eq!(
        p.excluded[0].reason,
        Exclusion::Expired {
            first_allowed: utc("2026-12-26T08:00:00+01:00")
        }
    );
    assert_eq!(p.totals.by_reason["expired"], 1);
}

#[test]
fn missing_fields_exclude_or_fail_as_the_campaign_chooses() {
    let mut c = campaign(
        vec![
            contact("a", "06 12 34 56 78", &[("code", "X1")]),
            contact("b", "06 12 34 56 79", &[]),
        ],
        "Code {{code}} STOP 36111",
        later("2026-06-10T10:00", PARIS),
    );
    let p = run(&c);
    assert_eq!(p.recipients[0].text, "Code X1 STOP 36111");
    assert_eq!(
        p.excluded[0].reason,
        Exclusion::MissingField {
            field: "code".into()
        }
    );
    c.message.missing_field = MissingField::Error;
    let err = plan(&c, utc("2026-01-01T00:00:00Z"), NonZeroUsize::MIN).unwrap_err();
    assert!(matches!(err, PlanError::MissingField { ref field, offset: 5, .. } if field == "code"));
}

#[test]
fn fragments_and_cost_are_per_rendered_text() {
    let long = "x".repeat(150);
    let c = campaign(
        vec![
            contact("short", "06 12 34 56 78", &[("name", "Ana")]),
            contact("long", "06 12 34 56 79", &[("name", &long)]),
            contact("emoji", "06 12 34 56 70", &[("name", "Zoé 🎄")]),
        ],
        "Hi {{name}} STOP 36111",
        later("2026-06-10T10:00", PARIS),
    );
    let p = run(&c);
    let seg: Vec<(usize, String)> = p
        .recipients
        .iter()
        .map(|r| (r.segments, r.cost.to_string()))
        .collect();
    assert_eq!(
        seg,
        [(1, "0.045".into()), (2, "0.09".into()), (1, "0.045".into())]
    );
    assert_eq!(p.recipients[2].encoding, text::Encoding::Ucs2);
    assert_eq!(p.totals.by_segments[&1], 2);
    assert_eq!(p.totals.cost.to_string(), "0.18");
}

#[test]
fn a_frequency_cap_excludes_the_fourth_message_in_24_hours() {
    let mut c = campaign(
        vec![contact(
            "fl",
            "+1 305 555 0199",
            &[("subdivision", "US-FL")],
        )],
        "Sale",
        later("2026-06-10T12:00", chrono_tz::America::New_York),
    );
    c.message.topic = Some(Topic::new("sale"));
    let past = [
        "2026-06-10T09:00:00-04:00",
        "2026-06-10T10:00:00-04:00",
        "2026-06-10T11:00:00-04:00",
    ]
    .iter()
    .map(|t| PastSend {
        at: utc(t),
        topic: Some(Topic::new("sale")),
    })
    .collect();
    c.history.insert(ContactId::new("fl").unwrap(), past);
    let p = run(&c);
    assert!(p.recipients.is_empty());
    assert!(
        matches!(p.excluded[0].reason, Exclusion::FrequencyCap { ref policy, .. } if policy == "us-fl")
    );
    assert_eq!(
        p.checklist.get(CheckId::FrequencyCap).unwrap().status,
        CheckStatus::Warn
    );
    assert_eq!(
        p.checklist.get(CheckId::AudienceNotEmpty).unwrap().status,
        CheckStatus::Fail
    );
}

#[test]
fn optimized_sends_at_the_preferred_hour_clamped_into_the_window() {
    let c = campaign(
        vec![
            contact("early", "06 12 34 56 78", &[("preferred_hour", "6")]),
            contact("noon", "06 12 34 56 79", &[("preferred_hour", "12")]),
            contact("none", "06 12 34 56 70", &[]),
        ],
        "STOP 36111",
        Schedule::Optimized {
            date: local("2026-06-10T10:00").date(),
            default_time: local("2026-06-10T10:00").time(),
        },
    );
    let p = run(&c);
    let at: Vec<DateTime<Utc>> = p.recipients.iter().map(|r| r.send_at).collect();
    assert_eq!(
        at,
        [
            utc("2026-06-10T08:00:00+02:00"),
            utc("2026-06-10T12:00:00+02:00"),
            utc("2026-06-10T10:00:00+02:00")
        ]
    );
}

#[test]
fn recurring_runs_carry_their_aggregation_keys_across_dst() {
    let c = campaign(
        vec![contact("a", "06 12 34 56 78", &[])],
        "STOP 36111",
        Schedule::Recurring(
            Recurrence::new(
                Frequency::Weekly(chrono::Weekday::Tue),
                local("2026-03-24T09:00").time(),
                PARIS,
                local("2026-03-24T09:00").date(),
                local("2026-04-07T09:00").date(),
            )
            .unwrap(),
        ),
    );
    let plans = plan(&c, utc("2026-01-01T00:00:00Z"), NonZeroUsize::MIN).unwrap();
    let runs: Vec<(String, DateTime<Utc>)> = plans
        .iter()
        .map(|p| (p.run.as_ref().unwrap().key.clone(), p.recipients[0].send_at))
        .collect();
    assert_eq!(
        runs,
        [
            ("2026-W13".into(), utc("2026-03-24T09:00:00+01:00")),
            ("2026-W14".into(), utc("2026-03-31T09:00:00+02:00")),
            ("2026-W15".into(), utc("2026-04-07T09:00:00+02:00")),
        ]
    );
}

#[test]
fn credit_and_sender_checks() {
    let mut c = campaign(
        (0..30)
            .map(|i| contact(&format!("c{i}"), &format!("06 12 34 56 {i:02}"), &[]))
            .collect(),
        "STOP 36111",
        later("2026-06-10T10:00", PARIS),
    );
    c.message.sender = Some((
        smsplan_core::sender::SenderKind::Alphanumeric,
        "TOO LONG NAME".into(),
    ));
    let p = run(&c);
    // 30 × 0.045 = 1.35 > 1.00.
    assert_eq!(
        p.checklist.get(CheckId::Credit).unwrap().status,
        CheckStatus::Fail
    );
    assert_eq!(
        p.checklist.get(CheckId::Sender).unwrap().status,
        CheckStatus::Fail
    );
    assert_eq!(p.state, smsplan_core::approval::StateKind::Draft);
}

#[test]
fn a_policy_that_never_opens_excludes_with_the_search_error_kept() {
    use smsplan_core::schedule::ScheduleError;
    use smsplan_core::window::WindowError;

    let mut c = campaign(
        vec![contact("c1", "06 12 34 56 78", &[])],
        "Soldes. STOP 36111",
        later("2026-06-10T10:00", PARIS),
    );
    let closed = Policy::builder("never").build().unwrap();
    c.timing.policies = Some(BTreeMap::from([("FR".to_owned(), vec![closed])]));
    let p = run(&c);
    let excluded = &p.excluded[0].reason;
    assert_eq!(excluded.reason(), "no_window");
    // The window error stays typed, and the detail shows it with its cause.
    assert!(
        matches!(
            excluded,
            Exclusion::NoWindow {
                error: ScheduleError::Window(WindowError::NoWindowWithin { .. })
            }
        ),
        "{excluded:?}"
    );
    assert!(
        excluded
            .detail()
            .starts_with("policy \"never\" allows no send"),
        "{}",
        excluded.detail()
    );
}

fn french_numbers(n: usize) -> Vec<Contact> {
    (0..n)
        .map(|i| {
            contact(
                &format!("c{i:04}"),
                &format!("+336{:08}", 12_000_000 + i),
                &[],
            )
        })
        .collect()
}

fn with_sender(mut c: Campaign, kind: SenderKind, value: &str) -> Campaign {
    c.message.sender = Some((kind, value.to_owned()));
    c
}

#[test]
fn a_long_code_at_one_part_a_second_sends_300_before_20h_and_holds_the_rest_until_monday() {
    // Saturday 2026-11-28 19:55 in Paris: five minutes of fr-commercial left, 300 parts at
    // 1 part/s; the other 300 go from Monday 08:00 (Sunday is closed).
    let c = with_sender(
        campaign(
            french_numbers(600),
            "Soldes ! STOP 36111",
            later("2026-11-28T19:55", PARIS),
        ),
        SenderKind::LongCode,
        "+33612000999",
    );
    let p = plan(&c, utc("2026-11-20T00:00:00Z"), NonZeroUsize::MIN)
        .unwrap()
        .remove(0);
    assert_eq!(p.parts_per_second.get(), 1);
    assert_eq!(p.recipients.len(), 600);
    let saturday_close = utc("2026-11-28T20:00:00+01:00");
    let monday = utc("2026-11-30T08:00:00+01:00");
    let before: Vec<_> = p
        .recipients
        .iter()
        .filter(|r| r.send_at < saturday_close)
        .collect();
    assert_eq!(before.len(), 300);
    // In contact order, one second apart, each inside its window.
    assert_eq!(before[0].send_at, utc("2026-11-28T19:55:00+01:00"));
    assert_eq!(before[299].send_at, utc("2026-11-28T19:59:59+01:00"));
    assert!(before.iter().all(|r| r.window_end == Some(saturday_close)));
    let after: Vec<_> = p
        .recipients
        .iter()
        .filter(|r| r.send_at >= saturday_close)
        .collect();
    assert_eq!(after[0].contact.as_str(), "c0300");
    assert_eq!(after[0].send_at, monday);
    assert_eq!(after[299].send_at, monday + chrono::Duration::seconds(299));
    assert!(
        after
            .iter()
            .all(|r| r.window_end == Some(utc("2026-11-30T20:00:00+01:00")))
    );
    assert_eq!(p.totals.held, 300);
    let by_window: Vec<_> = p.totals.by_window.iter().map(|(k, v)| (*k, *v)).collect();
    assert_eq!(
        by_window,
        [(utc("2026-11-28T19:55:00+01:00"), 300), (monday, 300)]
    );
}

#[test]
fn a_short_code_sends_them_all_in_the_first_window() {
    let c = with_sender(
        campaign(
            french_numbers(600),
            "Soldes ! STOP 36111",
            later("2026-11-28T19:55", PARIS),
        ),
        SenderKind::ShortCode,
        "36111",
    );
    let p = plan(&c, utc("2026-11-20T00:00:00Z"), NonZeroUsize::MIN)
        .unwrap()
        .remove(0);
    assert_eq!(p.parts_per_second.get(), 100);
    assert_eq!(p.totals.held, 0);
    // 600 parts at 100 parts/s: 6 s, the last one starts 5.99 s after 19:55.
    let last = p.recipients.iter().map(|r| r.send_at).max().unwrap();
    assert_eq!(last, utc("2026-11-28T19:55:05.990+01:00"));
}

#[test]
fn messages_the_sender_cannot_reach_before_the_deadline_expire_with_a_reason() {
    let mut c = with_sender(
        campaign(
            french_numbers(10),
            "Soldes ! STOP 36111",
            later("2026-11-27T10:00", PARIS),
        ),
        SenderKind::LongCode,
        "+33612000999",
    );
    c.message.parts_per_second = None;
    c.timing.deadline = Some(utc("2026-11-27T10:00:04+01:00"));
    let p = plan(&c, utc("2026-11-20T00:00:00Z"), NonZeroUsize::MIN)
        .unwrap()
        .remove(0);
    // 10:00:00 .. 10:00:03 go; from 10:00:04 the deadline is closed.
    assert_eq!(p.recipients.len(), 4);
    assert_eq!(p.totals.by_reason["expired"], 6);
    assert!(matches!(p.excluded[0].reason, Exclusion::Capacity { .. }));
    assert_eq!(p.excluded[0].contact.as_str(), "c0004");
    assert!(
        p.excluded[0].reason.detail().contains("1 parts per second"),
        "{}",
        p.excluded[0].reason.detail()
    );
}

#[test]
fn a_campaign_capacity_overrides_the_kinds_default() {
    let mut c = with_sender(
        campaign(
            french_numbers(3),
            "Soldes ! STOP 36111",
            later("2026-11-27T10:00", PARIS),
        ),
        SenderKind::Alphanumeric,
        "SHOP",
    );
    let p = plan(&c, utc("2026-11-20T00:00:00Z"), NonZeroUsize::MIN)
        .unwrap()
        .remove(0);
    assert_eq!(p.parts_per_second.get(), 10);
    assert_eq!(
        p.recipients[1].send_at,
        utc("2026-11-27T10:00:00.100+01:00")
    );
    c.message.parts_per_second = std::num::NonZeroU32::new(2);
    let p = plan(&c, utc("2026-11-20T00:00:00Z"), NonZeroUsize::MIN)
        .unwrap()
        .remove(0);
    assert_eq!(
        p.recipients[1].send_at,
        utc("2026-11-27T10:00:00.500+01:00")
    );
    assert_eq!(p.sender.as_ref().map(|s| s.value()), Some("SHOP"));
}

#[test]
fn a_later_or_optimized_instant_before_now_is_an_error_naming_both() {
    let c = campaign(
        french_numbers(1),
        "Soldes ! STOP 36111",
        later("2026-11-27T10:00", PARIS),
    );
    let now = utc("2026-11-27T12:00:00+01:00");
    let err = plan(&c, now, NonZeroUsize::MIN).unwrap_err();
    assert_eq!(
        err,
        PlanError::ScheduledInPast {
            scheduled: utc("2026-11-27T10:00:00+01:00"),
            now
        }
    );
    assert_eq!(
        err.to_string(),
        "scheduled instant 2026-11-27T09:00:00+00:00 is before now (2026-11-27T11:00:00+00:00)"
    );
    let optimized = campaign(
        french_numbers(1),
        "Soldes ! STOP 36111",
        Schedule::Optimized {
            date: chrono::NaiveDate::from_ymd_opt(2026, 11, 27).unwrap(),
            default_time: chrono::NaiveTime::from_hms_opt(10, 0, 0).unwrap(),
        },
    );
    assert!(matches!(
        plan(&optimized, now, NonZeroUsize::MIN),
        Err(PlanError::ScheduledInPast { .. })
    ));
}

#[test]
fn a_deadline_at_or_before_now_is_an_error() {
    let mut c = campaign(french_numbers(1), "Soldes ! STOP 36111", Schedule::Now);
    let now = utc("2026-11-27T12:00:00+01:00");
    c.timing.deadline = Some(now);
    assert_eq!(
        plan(&c, now, NonZeroUsize::MIN).unwrap_err(),
        PlanError::DeadlinePassed { deadline: now, now }
    );
}

#[test]
fn a_recurring_campaign_plans_only_the_runs_from_now_and_counts_the_others() {
    let rec = Recurrence::new(
        Frequency::Daily,
        chrono::NaiveTime::from_hms_opt(10, 0, 0).unwrap(),
        PARIS,
        chrono::NaiveDate::from_ymd_opt(2026, 11, 23).unwrap(),
        chrono::NaiveDate::from_ymd_opt(2026, 11, 28).unwrap(),
    )
    .unwrap();
    let c = campaign(
        french_numbers(1),
        "Soldes ! STOP 36111",
        Schedule::Recurring(rec),
    );
    // Wednesday 11:00: Monday, Tuesday and Wednesday 10:00 are past.
    let plans = plan(&c, utc("2026-11-25T11:00:00+01:00"), NonZeroUsize::MIN).unwrap();
    let keys: Vec<_> = plans
        .iter()
        .map(|p| p.run.as_ref().unwrap().key.as_str())
        .collect();
    assert_eq!(keys, ["2026-11-26", "2026-11-27", "2026-11-28"]);
    assert_eq!(plans[0].run.as_ref().unwrap().index, 3);
    assert!(plans.iter().all(|p| p.skipped_runs == 3));
    assert!(matches!(
        plan(&c, utc("2026-11-29T00:00:00+01:00"), NonZeroUsize::MIN),
        Err(PlanError::NoRunLeft { runs: 6, .. })
    ));
}

fn policies(entries: &[(&str, &[Preset])]) -> Option<BTreeMap<String, Vec<Policy>>> {
    Some(
        entries
            .iter()
            .map(|(k, ps)| ((*k).to_owned(), ps.iter().map(|p| p.policy()).collect()))
            .collect(),
    )
}

#[test]
fn policy_map_keys_are_checked() {
    let mut c = campaign(
        french_numbers(1),
        "Soldes ! STOP 36111",
        later("2026-11-27T10:00", PARIS),
    );
    for (key, reason) in [
        ("F R", PolicyKeyError::Malformed),
        ("FRA", PolicyKeyError::Malformed),
        ("US-TEXAS", PolicyKeyError::Malformed),
        ("ZZ", PolicyKeyError::UnknownRegion),
    ] {
        c.timing.policies = policies(&[(key, &[Preset::FrCommercial])]);
        assert_eq!(
            plan(&c, utc("2026-11-20T00:00:00Z"), NonZeroUsize::MIN).unwrap_err(),
            PlanError::PolicyKey {
                key: key.to_owned(),
                reason
            },
            "{key}"
        );
    }
    c.timing.policies = policies(&[("FR", &[Preset::FrCommercial]), ("fr", &[])]);
    assert!(matches!(
        plan(&c, utc("2026-11-20T00:00:00Z"), NonZeroUsize::MIN),
        Err(PlanError::PolicyKey {
            reason: PolicyKeyError::Duplicate,
            ..
        })
    ));
}

#[test]
fn a_map_that_leaves_a_region_out_fails_legal_window_and_an_explicit_none_warns() {
    let mut contacts = french_numbers(2);
    contacts.push(contact("london", "+44 20 7946 0958", &[]));
    let mut c = campaign(
        contacts,
        "Soldes ! STOP 36111",
        later("2026-11-27T10:00", PARIS),
    );
    c.timing.policies = policies(&[("GB", &[Preset::FrCommercial])]);
    let p = plan(&c, utc("2026-11-20T00:00:00Z"), NonZeroUsize::MIN)
        .unwrap()
        .remove(0);
    let check = p.checklist.get(CheckId::LegalWindow).unwrap();
    assert_eq!(check.status, CheckStatus::Fail);
    assert!(check.detail.contains("2 in FR"), "{}", check.detail);
    assert_eq!(p.state, smsplan_core::approval::StateKind::Draft);

    c.timing.policies = policies(&[("FR", &[Preset::FrCommercial]), ("GB", &[])]);
    let p = plan(&c, utc("2026-11-20T00:00:00Z"), NonZeroUsize::MIN)
        .unwrap()
        .remove(0);
    let check = p.checklist.get(CheckId::LegalWindow).unwrap();
    assert_eq!(check.status, CheckStatus::Warn, "{}", check.detail);
    assert!(check.detail.contains("1 in GB"), "{}", check.detail);
    let london = p
        .recipients
        .iter()
        .find(|r| r.contact.as_str() == "london")
        .unwrap();
    assert!(london.policies.is_empty() && london.window_end.is_none());

    // Transactional messages need no window.
    c.timing.policies = policies(&[("GB", &[Preset::FrCommercial])]);
    c.message.class = MessageClass::Transactional;
    let p = plan(&c, utc("2026-11-20T00:00:00Z"), NonZeroUsize::MIN)
        .unwrap()
        .remove(0);
    assert_eq!(
        p.checklist.get(CheckId::LegalWindow).unwrap().status,
        CheckStatus::Pass
    );
}
