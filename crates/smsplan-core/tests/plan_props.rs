//! Property tests of `plan`: one invariant each.

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test helpers over known-good fixtures"
)]

use std::collections::BTreeMap;
use std::num::NonZeroUsize;

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use proptest::prelude::*;
use smsplan_core::audience::{Project, ProjectKey, Selection};
use smsplan_core::contact::{Consent, ConsentStatus, Contact, ContactId};
use smsplan_core::dedup::DedupMode;
use smsplan_core::group::{Group, GroupId};
use smsplan_core::money::{Currency, Money};
use smsplan_core::phone::Region;
use smsplan_core::plan::{
    Campaign, Credits, Message, SendPlan, Timing, default_policies, plan, select_policies,
};
use smsplan_core::schedule::Schedule;
use smsplan_core::template::Template;
use smsplan_core::window::{Intersection, Policy};

const PHONES: [&str; 10] = [
    "06 12 34 56 78",
    "+33 6 12 34 56 78",
    "06 98 76 54 32",
    "+1 214 555 0142",
    "+1 305 555 0199",
    "+1 206 555 0110",
    "+44 7911 123456",
    "12345",
    "+81 90 1234 5678",
    "07 00",
];
const SUBDIVISIONS: [&str; 5] = ["FR-75", "FR-67", "US-TX", "US-FL", "US-WA"];

#[derive(Debug, Clone)]
struct Input {
    contacts: Vec<(Option<usize>, u8, Option<usize>, bool)>,
    groups: [Vec<bool>; 2],
    select: (bool, bool),
    per_number: bool,
    minute: i64,
    deadline_hours: Option<i64>,
    threads: usize,
}

fn input() -> impl Strategy<Value = Input> {
    (1usize..40).prop_flat_map(|n| {
        (
            proptest::collection::vec(
                (
                    proptest::option::weighted(0.9, 0..PHONES.len()),
                    0u8..4,
                    proptest::option::of(0..SUBDIVISIONS.len()),
                    any::<bool>(),
                ),
                n,
            ),
            proptest::collection::vec(any::<bool>(), n),
            proptest::collection::vec(any::<bool>(), n),
            (any::<bool>(), any::<bool>()),
            any::<bool>(),
            0i64..(365 * 24 * 60),
            proptest::option::of(1i64..200),
            1usize..3,
        )
            .prop_map(
                |(contacts, g0, g1, select, per_number, minute, deadline_hours, threads)| Input {
                    contacts,
                    groups: [g0, g1],
                    select,
                    per_number,
                    minute,
                    deadline_hours,
                    threads,
                },
            )
    })
}

fn campaign(input: &Input) -> Campaign {
    let contacts: Vec<Contact> = input
        .contacts
        .iter()
        .enumerate()
        .map(|(i, (phone, consent, sub, name))| {
            let mut c = Contact::new(ContactId::new(format!("c{i}")).unwrap());
            if let Some(p) = phone {
                c = c.with_phone(PHONES[*p]);
            }
            if let Some(s) = sub {
                c = c.with_field("subdivision", SUBDIVISIONS[*s]);
            }
            if *name {
                c = c.with_field("first_name", "Zoë");
            }
            c.with_consent(Consent::new(match consent {
                0 => ConsentStatus::Unsubscribed,
                1 => ConsentStatus::Unknown,
                _ => ConsentStatus::Subscribed,
            }))
        })
        .collect();
    let groups: Vec<Group> = input
        .groups
        .iter()
        .enumerate()
        .map(|(g, members)| {
            Group::new(
                GroupId::new(format!("g{g}")).unwrap(),
                members
                    .iter()
                    .enumerate()
                    .filter(|(_, m)| **m)
                    .map(|(i, _)| ContactId::new(format!("c{i}")).unwrap()),
            )
        })
        .collect();
    let mut selected = vec![GroupId::new("g0").unwrap()];
    if input.select.1 || !input.select.0 {
        selected.push(GroupId::new("g1").unwrap());
    }
    let start = NaiveDate::from_ymd_opt(2026, 1, 1)
        .unwrap()
        .and_hms_opt(0, 0, 0)
        .unwrap()
        + TimeDelta::minutes(input.minute);
    let eur = |s| Money::parse(s, Currency::EUR).unwrap();
    let dedup = if input.per_number {
        DedupMode::PerNumber
    } else {
        DedupMode::PerContact
    };
    let mut timing = Timing::new(Schedule::Later {
        local: start,
        zone: chrono_tz::Europe::Paris,
    });
    timing.deadline = input
        .deadline_hours
        .map(|h| start.and_utc() + TimeDelta::hours(h));
    Campaign::new(
        "prop".parse().unwrap(),
        (
            Project::new(ProjectKey::Email, Region::FR),
            contacts,
            groups,
        ),
        Selection::new(selected, dedup),
        Message::new(Template::parse("Hi {{first_name}}, -20% today. STOP 36111").unwrap()),
        timing,
        Credits {
            balance: eur("10.00"),
            price_per_segment: eur("0.045"),
        },
    )
}

fn now() -> DateTime<Utc> {
    "2025-12-01T00:00:00Z".parse().unwrap()
}

fn one_plan(c: &Campaign, threads: usize) -> SendPlan {
    let mut plans = plan(c, now(), NonZeroUsize::new(threads).unwrap()).unwrap();
    assert_eq!(plans.len(), 1);
    plans.remove(0)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn every_selected_contact_is_a_recipient_or_excluded_once(input in input()) {
        let c = campaign(&input);
        let p = one_plan(&c, input.threads);
        let mut seen: Vec<String> = p.recipients.iter().map(|r| r.contact.as_str().to_owned())
            .chain(p.excluded.iter().map(|e| e.contact.as_str().to_owned()))
            .collect();
        seen.sort();
        let mut selected: Vec<String> = (0..input.contacts.len())
            .filter(|&i| {
                input.groups[0][i] || ((input.select.1 || !input.select.0) && input.groups[1][i])
            })
            .map(|i| format!("c{i}"))
            .collect();
        selected.sort();
        prop_assert_eq!(seen, selected);
    }

    #[test]
    fn no_send_at_is_outside_the_policies(input in input()) {
        let c = campaign(&input);
        let p = one_plan(&c, input.threads);
        let map = default_policies();
        let by_id: BTreeMap<_, _> = c.contacts.iter().map(|x| (x.id.clone(), x)).collect();
        for r in &p.recipients {
            let contact = by_id[&r.contact];
            let policies: Vec<&Policy> = select_policies(&map, "subdivision", contact, r.phone.region())
                .unwrap_or_default()
                .iter()
                .collect();
            let names: Vec<&str> = policies.iter().map(|p| p.name()).collect();
            prop_assert_eq!(r.policies.names().collect::<Vec<_>>(), names);
            prop_assert!(r.send_at >= p.scheduled_at);
            if let Some(d) = p.deadline {
                prop_assert!(r.send_at < d);
            }
            if !policies.is_empty() {
                let w = Intersection::product(&policies, &r.time_zones);
                prop_assert!(w.is_allowed(r.send_at).unwrap(), "{} at {}", r.contact.as_str(), r.send_at);
                // Pacing only moves a message later than its first allowed instant.
                prop_assert!(w.next_allowed(p.scheduled_at).unwrap() <= r.send_at);
                // Its window is the one it falls in.
                prop_assert_eq!(Some(w.window_end(r.send_at).unwrap()), r.window_end);
            } else {
                prop_assert_eq!(r.window_end, None);
            }
        }
    }

    #[test]
    fn the_sender_never_goes_faster_than_its_capacity(input in input()) {
        let c = campaign(&input);
        let p = one_plan(&c, input.threads);
        let rate = i64::from(p.parts_per_second.get());
        let mut rows: Vec<_> = p.recipients.iter().collect();
        rows.sort_by_key(|r| (r.send_at, r.position));
        for pair in rows.windows(2) {
            let busy_ns = pair[0].segments as i64 * 1_000_000_000 / rate;
            let gap = (pair[1].send_at - pair[0].send_at).num_nanoseconds().unwrap();
            prop_assert!(gap >= busy_ns - 1, "{} then {}: {gap} ns < {busy_ns} ns", pair[0].contact.as_str(), pair[1].contact.as_str());
        }
        prop_assert_eq!(p.totals.by_window.values().sum::<usize>(), p.totals.recipients);
        prop_assert!(p.totals.held <= p.totals.recipients);
    }

    #[test]
    fn totals_equal_the_sums_of_rows(input in input()) {
        let c = campaign(&input);
        let p = one_plan(&c, input.threads);
        let t = &p.totals;
        prop_assert_eq!(t.recipients, p.recipients.len());
        prop_assert_eq!(t.excluded, p.excluded.len());
        prop_assert_eq!(t.segments, p.recipients.iter().map(|r| r.segments as u64).sum::<u64>());
        let micros: i64 = p.recipients.iter().map(|r| r.cost.micros()).sum();
        prop_assert_eq!(t.cost.micros(), micros);
        prop_assert_eq!(t.by_reason.values().sum::<usize>(), t.excluded);
        prop_assert_eq!(t.by_segments.values().sum::<usize>(), t.recipients);
    }

    #[test]
    fn threads_do_not_change_the_plan(input in input()) {
        let c = campaign(&input);
        prop_assert_eq!(one_plan(&c, 1), one_plan(&c, 2));
    }
}
