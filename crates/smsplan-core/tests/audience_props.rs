//! Property tests of audience resolution, each named after its invariant.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "tests")]

use std::collections::{BTreeSet, HashSet};
use std::num::NonZeroU32;

use proptest::prelude::*;
use smsplan_core::audience::{
    Audience, ExclusionReason, Project, ProjectKey, Selection, Suppressions, refresh, resolve,
    shard_of,
};
use smsplan_core::contact::{Consent, ConsentStatus, Contact, ContactId, QuarantineReason};
use smsplan_core::dedup::DedupMode;
use smsplan_core::group::{Group, GroupId};
use smsplan_core::phone::{PhoneNumber, Region};

/// A small pool of numbers as people type them, several notations of the same few numbers,
/// some invalid, some foreign.
const PHONES: &[&str] = &[
    "06 12 34 56 78",
    "+33 6 12 34 56 78",
    "0033612345678",
    "06.98.76.54.32",
    "+33698765432",
    "01 23 45 67 89",
    "+1 212 555 0100",
    "+44 20 7946 0958",
    "06 12",
    "hello",
    "+800 1234 5678",
    "",
];

#[derive(Debug, Clone)]
struct Case {
    contacts: Vec<Contact>,
    groups: Vec<Group>,
    selection: Selection,
    project: Project,
}

fn contact(i: usize, phone: Option<usize>, consent: usize, quarantine: usize) -> Contact {
    let mut c = Contact::new(ContactId::new(format!("c{i}")).unwrap());
    if let Some(p) = phone {
        c = c.with_phone(PHONES[p % PHONES.len()]);
    }
    let status = [
        ConsentStatus::Subscribed,
        ConsentStatus::Subscribed,
        ConsentStatus::Unsubscribed,
        ConsentStatus::Unknown,
    ][consent % 4];
    c = c.with_consent(Consent::new(status));
    if quarantine.is_multiple_of(5) {
        c = c.with_quarantine(QuarantineReason::ALL[quarantine % 3]);
    }
    c
}

fn cases() -> impl Strategy<Value = Case> {
    let contacts = prop::collection::vec(
        (
            prop::option::weighted(0.9, 0..PHONES.len()),
            0..4_usize,
            0..10_usize,
        ),
        0..60,
    );
    (
        contacts,
        prop::collection::vec(
            prop::collection::vec(any::<prop::sample::Index>(), 0..40),
            1..4,
        ),
        any::<prop::sample::Index>(),
        any::<bool>(),
        any::<bool>(),
        prop::collection::vec(any::<prop::sample::Index>(), 0..3),
    )
        .prop_map(|(raw, members, pick, per_number, only_fr, suppressed)| {
            let contacts: Vec<Contact> = raw
                .iter()
                .enumerate()
                .map(|(i, (p, c, q))| contact(i, *p, *c, *q))
                .collect();
            let groups: Vec<Group> = members
                .iter()
                .enumerate()
                .map(|(g, idx)| {
                    let ids = if contacts.is_empty() {
                        vec![]
                    } else {
                        idx.iter()
                            .map(|i| contacts[i.index(contacts.len())].id.clone())
                            .collect()
                    };
                    Group::new(GroupId::new(format!("g{g}")).unwrap(), ids)
                })
                .collect();
            // Select a non-empty subset of the groups.
            let first = pick.index(groups.len());
            let selected: Vec<GroupId> = groups
                .iter()
                .enumerate()
                .filter(|(g, _)| *g == first || (g + first) % 2 == 0)
                .map(|(_, g)| g.id.clone())
                .collect();
            let mode = if per_number {
                DedupMode::PerNumber
            } else {
                DedupMode::PerContact
            };
            let mut suppressions = Suppressions::default();
            for s in &suppressed {
                if !contacts.is_empty() {
                    suppressions.add_contact(contacts[s.index(contacts.len())].id.clone());
                }
                if let Ok(n) = PhoneNumber::parse(PHONES[s.index(PHONES.len())], Region::FR) {
                    suppressions.add_number(n);
                }
            }
            let mut project = Project::new(ProjectKey::Email, Region::FR);
            if only_fr {
                project = project.with_accepted_regions([Region::FR]);
            }
            Case {
                contacts,
                groups,
                selection: Selection::new(selected, mode).with_suppressions(suppressions),
                project,
            }
        })
}

fn run(case: &Case) -> Audience<'_> {
    resolve(&case.project, &case.contacts, &case.groups, &case.selection).unwrap()
}

fn selected_ids(case: &Case) -> BTreeSet<String> {
    let selected: HashSet<&GroupId> = case.selection.groups.iter().collect();
    case.groups
        .iter()
        .filter(|g| selected.contains(&g.id))
        .flat_map(|g| g.members.iter().map(|m| m.as_str().to_owned()))
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn every_contact_of_the_selected_groups_is_a_recipient_or_an_exclusion(case in cases()) {
        let audience = run(&case);
        let mut seen: Vec<String> = audience
            .recipients()
            .iter()
            .map(|r| r.contact().id.as_str().to_owned())
            .chain(audience.exclusions().iter().map(|e| e.contact().id.as_str().to_owned()))
            .collect();
        let listed = seen.len();
        seen.sort();
        seen.dedup();
        prop_assert_eq!(seen.len(), listed, "a contact is listed twice");
        let expected = selected_ids(&case);
        prop_assert_eq!(seen.into_iter().collect::<BTreeSet<_>>(), expected.clone());
        prop_assert_eq!(audience.outside_selection() + expected.len(), case.contacts.len());
        let counted: usize = audience.counts().values().sum();
        prop_assert_eq!(counted, audience.exclusions().len());
    }

    #[test]
    fn dedup_per_number_never_yields_two_recipients_with_the_same_number(case in cases()) {
        let mut case = case;
        case.selection.dedup = DedupMode::PerNumber;
        let audience = run(&case);
        let numbers: Vec<PhoneNumber> = audience.recipients().iter().map(|r| r.number()).collect();
        let distinct: HashSet<&PhoneNumber> = numbers.iter().collect();
        prop_assert_eq!(distinct.len(), numbers.len());
        // Every duplicate points at a recipient with its number, listed before it.
        for e in audience.exclusions() {
            if let ExclusionReason::Duplicate { kept } = e.reason() {
                let keeper = audience.recipients().iter().find(|r| &r.contact().id == kept).unwrap();
                prop_assert_eq!(Some(keeper.number()), e.number());
                prop_assert!(keeper.position() < e.position());
            }
        }
    }

    #[test]
    fn dedup_per_contact_never_excludes_a_duplicate(case in cases()) {
        let mut case = case;
        case.selection.dedup = DedupMode::PerContact;
        let audience = run(&case);
        let duplicates = audience
            .exclusions()
            .iter()
            .filter(|e| matches!(e.reason(), ExclusionReason::Duplicate { .. }))
            .count();
        prop_assert_eq!(duplicates, 0);
    }

    #[test]
    fn split_then_merge_gives_back_the_audience(case in cases(), shards in 1..6_u32) {
        let whole = run(&case);
        let shards = NonZeroU32::new(shards).unwrap();
        let parts = whole.clone().split(shards);
        for (k, part) in parts.iter().enumerate() {
            for r in part.recipients() {
                prop_assert_eq!(shard_of(&r.number(), shards) as usize, k);
            }
        }
        prop_assert_eq!(Audience::merge(parts), whole);
    }

    #[test]
    fn refreshing_an_unchanged_audience_reports_nothing(case in cases()) {
        let audience = run(&case);
        let diff = refresh(&audience, &audience);
        prop_assert!(diff.added.is_empty() && diff.removed.is_empty() && diff.renumbered.is_empty());
    }
}
