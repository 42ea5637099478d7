//! Audience resolution: precedence of exclusion reasons, input errors, zones, refresh.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "tests")]

use chrono_tz::Tz;
use smsplan_core::audience::{
    AudienceError, ExclusionKind, ExclusionReason, Project, ProjectKey, Selection, Suppressions,
    refresh, resolve,
};
use smsplan_core::contact::{Consent, ConsentStatus, Contact, ContactId, QuarantineReason};
use smsplan_core::dedup::DedupMode;
use smsplan_core::group::{Group, GroupId};
use smsplan_core::phone::{PhoneError, PhoneNumber, Region};

fn id(s: &str) -> ContactId {
    ContactId::new(s).unwrap()
}

fn gid(s: &str) -> GroupId {
    GroupId::new(s).unwrap()
}

fn subscribed(i: &str, phone: &str) -> Contact {
    Contact::new(id(i))
        .with_phone(phone)
        .with_consent(Consent::new(ConsentStatus::Subscribed))
}

fn all(contacts: &[Contact]) -> Vec<Group> {
    vec![Group::new(
        gid("all"),
        contacts.iter().map(|c| c.id.clone()),
    )]
}

fn fr() -> Project {
    Project::new(ProjectKey::Email, Region::FR).with_accepted_regions([Region::FR, Region::BE])
}

fn reasons(contacts: &[Contact], selection: &Selection) -> Vec<(String, String)> {
    let audience = resolve(&fr(), contacts, &all(contacts), selection).unwrap();
    audience
        .exclusions()
        .iter()
        .map(|e| (e.contact().id.to_string(), e.reason().to_string()))
        .collect()
}

#[test]
fn each_contact_gets_the_first_reason_of_the_precedence() {
    let quarantined = |c: Contact| c.with_quarantine(QuarantineReason::Bounced);
    let unsubscribed = |c: Contact| c.with_consent(Consent::new(ConsentStatus::Unsubscribed));
    let contacts = vec![
        // Missing phone beats everything, even unsubscribed and quarantined.
        quarantined(unsubscribed(Contact::new(id("missing")))),
        Contact::new(id("blank"))
            .with_phone("  ")
            .with_consent(Consent::new(ConsentStatus::Subscribed)),
        quarantined(unsubscribed(subscribed("invalid", "06 12"))),
        quarantined(unsubscribed(subscribed("foreign", "+1 212 555 0100"))),
        quarantined(unsubscribed(subscribed("unsub", "06 11 11 11 11"))),
        quarantined(Contact::new(id("unknown")).with_phone("06 22 22 22 22")),
        quarantined(subscribed("quarantined", "06 33 33 33 33")),
        subscribed("suppressed", "06 44 44 44 44"),
        subscribed("kept", "06 55 55 55 55"),
        subscribed("dup", "+33 6 55 55 55 55"),
        subscribed("ok", "+32 470 12 34 56"),
    ];
    let mut suppressions = Suppressions::default();
    suppressions.add_number(PhoneNumber::parse("06 44 44 44 44", Region::FR).unwrap());
    let selection =
        Selection::new([gid("all")], DedupMode::PerNumber).with_suppressions(suppressions);
    let got = reasons(&contacts, &selection);
    let want = [
        ("missing", "missing_phone"),
        ("blank", "missing_phone"),
        ("invalid", "invalid_phone (too_short)"),
        ("foreign", "unsupported_region (US)"),
        ("unsub", "unsubscribed"),
        ("unknown", "no_consent"),
        ("quarantined", "quarantined (bounced)"),
        ("suppressed", "suppressed"),
        ("dup", "duplicate (kept)"),
    ];
    let want: Vec<(String, String)> = want
        .iter()
        .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
        .collect();
    assert_eq!(got, want);
}

#[test]
fn a_contact_in_several_selected_groups_counts_once() {
    let contacts = vec![
        subscribed("c1", "0612345678"),
        subscribed("c2", "0698765432"),
    ];
    let groups = vec![
        Group::new(gid("a"), [id("c1"), id("c2"), id("c1")]),
        Group::new(gid("b"), [id("c1")]),
        Group::new(gid("c"), [id("c2")]),
    ];
    let selection = Selection::new([gid("a"), gid("b")], DedupMode::PerNumber);
    let audience = resolve(&fr(), &contacts, &groups, &selection).unwrap();
    assert_eq!(audience.recipients().len(), 2);
    assert!(audience.exclusions().is_empty());
    // Only group b: c2 is outside the selection, not listed, but counted.
    let only_b = Selection::new([gid("b")], DedupMode::PerNumber);
    let audience = resolve(&fr(), &contacts, &groups, &only_b).unwrap();
    assert_eq!(audience.recipients().len(), 1);
    assert_eq!(audience.outside_selection(), 1);
}

#[test]
fn per_contact_dedup_gives_each_contact_its_sms() {
    let contacts = vec![
        subscribed("c1", "0612345678"),
        subscribed("c2", "+33612345678"),
    ];
    let selection = Selection::new([gid("all")], DedupMode::PerContact);
    let audience = resolve(&fr(), &contacts, &all(&contacts), &selection).unwrap();
    assert_eq!(audience.recipients().len(), 2);
}

#[test]
fn the_first_contact_in_project_order_keeps_the_number() {
    // Group order does not matter: contact order does.
    let contacts = vec![
        subscribed("first", "0612345678"),
        subscribed("second", "+33612345678"),
    ];
    let groups = vec![Group::new(gid("g"), [id("second"), id("first")])];
    let selection = Selection::new([gid("g")], DedupMode::PerNumber);
    let audience = resolve(&fr(), &contacts, &groups, &selection).unwrap();
    assert_eq!(audience.recipients()[0].contact().id, id("first"));
    assert_eq!(
        audience.exclusions()[0].reason(),
        &ExclusionReason::Duplicate { kept: id("first") }
    );
}

#[test]
fn explicit_time_zone_replaces_the_numbers_zones() {
    let contacts = vec![
        subscribed("paris", "0612345678"),
        subscribed("reunion", "0612345679").with_time_zone(Tz::Indian__Reunion),
    ];
    let selection = Selection::new([gid("all")], DedupMode::PerNumber);
    let audience = resolve(&fr(), &contacts, &all(&contacts), &selection).unwrap();
    assert_eq!(audience.recipients()[0].time_zones(), &[Tz::Europe__Paris]);
    assert_eq!(
        audience.recipients()[1].time_zones(),
        &[Tz::Indian__Reunion]
    );
}

#[test]
fn non_geographic_numbers_are_unsupported_unless_every_region_is_accepted() {
    let contacts = vec![subscribed("free", "+800 1234 5678")];
    let selection = Selection::new([gid("all")], DedupMode::PerNumber);
    let got = reasons(&contacts, &selection);
    assert_eq!(
        got,
        vec![("free".to_owned(), "unsupported_region (+800)".to_owned())]
    );
    let any = Project::new(ProjectKey::Email, Region::FR);
    let audience = resolve(&any, &contacts, &all(&contacts), &selection).unwrap();
    assert_eq!(audience.recipients().len(), 1);
    assert!(audience.recipients()[0].time_zones().is_empty());
}

#[test]
fn counts_are_per_kind() {
    let contacts = vec![
        subscribed("a", "06"),
        subscribed("b", "hello"),
        Contact::new(id("c")).with_phone("0612345678"),
    ];
    let selection = Selection::new([gid("all")], DedupMode::PerNumber);
    let audience = resolve(&fr(), &contacts, &all(&contacts), &selection).unwrap();
    let counts = audience.counts();
    assert_eq!(counts[&ExclusionKind::InvalidPhone], 2);
    assert_eq!(counts[&ExclusionKind::NoConsent], 1);
    assert_eq!(
        audience.exclusions()[1].reason(),
        &ExclusionReason::InvalidPhone(PhoneError::NotANumber)
    );
}

#[test]
fn input_errors_name_the_ids() {
    let selection = Selection::new([gid("all")], DedupMode::PerNumber);
    let twins = vec![
        subscribed("c1", "0612345678"),
        subscribed("c1", "0698765432"),
    ];
    let err = resolve(&fr(), &twins, &all(&twins), &selection).unwrap_err();
    assert_eq!(
        err,
        AudienceError::DuplicateContactId {
            id: id("c1"),
            first: 0,
            second: 1
        }
    );
    assert_eq!(
        err.to_string(),
        "contacts[1]: id \"c1\" is already the id of contacts[0]"
    );

    let contacts = vec![subscribed("c1", "0612345678")];
    let unknown = Selection::new([gid("nope")], DedupMode::PerNumber);
    let err = resolve(&fr(), &contacts, &all(&contacts), &unknown).unwrap_err();
    assert_eq!(err, AudienceError::UnknownGroup { id: gid("nope") });

    let ghost = vec![Group::new(gid("all"), [id("c1"), id("ghost")])];
    let err = resolve(&fr(), &contacts, &ghost, &selection).unwrap_err();
    assert_eq!(
        err,
        AudienceError::UnknownMember {
            group: gid("all"),
            member: id("ghost")
        }
    );

    // A member of an unselected group must exist too.
    let groups = vec![
        Group::new(gid("all"), [id("c1")]),
        Group::new(gid("other"), [id("ghost")]),
    ];
    assert!(matches!(
        resolve(&fr(), &contacts, &groups, &selection),
        Err(AudienceError::UnknownMember { .. })
    ));

    let groups = vec![
        Group::new(gid("all"), [id("c1")]),
        Group::new(gid("all"), []),
    ];
    assert!(matches!(
        resolve(&fr(), &contacts, &groups, &selection),
        Err(AudienceError::DuplicateGroupId {
            first: 0,
            second: 1,
            ..
        })
    ));
}

#[test]
fn a_phone_keyed_project_needs_unique_numbers() {
    let project = Project::new(ProjectKey::Phone, Region::FR);
    let selection = Selection::new([gid("g")], DedupMode::PerNumber);
    let contacts = vec![
        subscribed("c1", "06 12 34 56 78"),
        subscribed("c2", "0698765432"),
        subscribed("c3", "+33612345678"),
    ];
    // c3 is in no selected group: the key is checked over the whole project.
    let groups = vec![Group::new(gid("g"), [id("c1")])];
    let err = resolve(&project, &contacts, &groups, &selection).unwrap_err();
    assert_eq!(
        err,
        AudienceError::DuplicateKeyPhone {
            number: PhoneNumber::parse_international("+33612345678").unwrap(),
            first: id("c1"),
            second: id("c3"),
        }
    );
    // The number is personal data: the message and the debug dump mask it.
    assert_eq!(
        err.to_string(),
        "contacts \"c1\" and \"c3\" both have +33 6•• •• •• 78, but the project's key is the phone number"
    );
    assert!(!format!("{err:?}").contains("612345678"), "{err:?}");
    let contacts = vec![subscribed("c1", "0612345678"), Contact::new(id("c2"))];
    let err = resolve(&project, &contacts, &groups, &selection).unwrap_err();
    assert_eq!(err, AudienceError::MissingKeyPhone { contact: id("c2") });
    // An invalid key is an exclusion, not an input error.
    let contacts = vec![subscribed("c1", "06 12")];
    let audience = resolve(
        &project,
        &contacts,
        &all(&contacts),
        &Selection::new([gid("all")], DedupMode::PerNumber),
    )
    .unwrap();
    assert_eq!(audience.exclusions().len(), 1);
}

#[test]
fn refresh_reports_added_removed_and_renumbered_contacts() {
    let selection = Selection::new([gid("all")], DedupMode::PerNumber);
    let before = vec![
        subscribed("stays", "0611111111"),
        subscribed("leaves", "0622222222"),
        subscribed("moves", "0633333333"),
        subscribed("quits", "0644444444"),
    ];
    let mut after = vec![
        subscribed("stays", "0611111111"),
        subscribed("moves", "0633333334"),
        subscribed("quits", "0644444444").with_consent(Consent::new(ConsentStatus::Unsubscribed)),
        subscribed("new", "0655555555"),
    ];
    after[0].email = Some("changed@example.org".into());
    let scheduled = resolve(&fr(), &before, &all(&before), &selection).unwrap();
    let at_send = resolve(&fr(), &after, &all(&after), &selection).unwrap();
    let diff = refresh(&scheduled, &at_send);
    assert_eq!(diff.added, vec![id("new")]);
    assert_eq!(
        diff.removed,
        vec![
            (id("leaves"), None),
            (id("quits"), Some(ExclusionReason::Unsubscribed))
        ]
    );
    assert_eq!(diff.renumbered, vec![id("moves")]);
}

/// Large enough for the parallel paths (sharded id index, own parsers per worker).
fn many(n: usize) -> (Vec<Contact>, Vec<Group>) {
    let contacts: Vec<Contact> = (0..n)
        .map(|i| {
            // 40,000 distinct numbers, written two ways: many duplicates.
            let digits = format!("{:08}", (i % 40_000) * 13);
            let phone = if i % 2 == 0 {
                format!("06{digits}")
            } else {
                format!("+33 6 {digits}")
            };
            let c = subscribed(&format!("c{i}"), &phone);
            if i % 50 == 0 {
                Contact::new(c.id.clone()).with_phone("06 12")
            } else {
                c
            }
        })
        .collect();
    let groups = vec![
        Group::new(
            gid("odd"),
            contacts.iter().skip(1).step_by(2).map(|c| c.id.clone()),
        ),
        Group::new(
            gid("thirds"),
            contacts.iter().step_by(3).map(|c| c.id.clone()),
        ),
        Group::new(
            gid("rest"),
            contacts.iter().step_by(7).map(|c| c.id.clone()),
        ),
    ];
    (contacts, groups)
}

#[test]
fn parallel_resolution_of_a_large_audience_equals_the_sequential_one() {
    use smsplan_core::audience::resolve_parallel;
    use std::num::NonZeroUsize;
    let (contacts, groups) = many(120_000);
    let selection = Selection::new([gid("odd"), gid("thirds")], DedupMode::PerNumber);
    let one = resolve(&fr(), &contacts, &groups, &selection).unwrap();
    assert!(one.recipients().len() > 10_000);
    assert!(one.counts()[&ExclusionKind::Duplicate] > 10_000);
    for threads in [2, 3] {
        let many = resolve_parallel(
            &fr(),
            &contacts,
            &groups,
            &selection,
            NonZeroUsize::new(threads).unwrap(),
        )
        .unwrap();
        assert_eq!(many, one, "{threads} threads");
    }
}

/// One and two threads both report `want`.
fn errs_alike(contacts: &[Contact], groups: &[Group], selection: &Selection, want: &AudienceError) {
    use smsplan_core::audience::resolve_parallel;
    let two = std::num::NonZeroUsize::new(2).unwrap();
    assert_eq!(
        &resolve(&fr(), contacts, groups, selection).unwrap_err(),
        want
    );
    assert_eq!(
        &resolve_parallel(&fr(), contacts, groups, selection, two).unwrap_err(),
        want
    );
}

#[test]
fn parallel_resolution_reports_the_first_input_error_in_document_order() {
    let (mut contacts, mut groups) = many(120_000);
    let selection = Selection::new([gid("odd")], DedupMode::PerNumber);
    // Unknown members late in two groups: the first in (group, member) order is reported.
    groups[1].members.push(id("ghost-b"));
    groups[0].members.insert(59_000, id("ghost-a"));
    groups[0].members.push(id("ghost-c"));
    let want = AudienceError::UnknownMember {
        group: gid("odd"),
        member: id("ghost-a"),
    };
    errs_alike(&contacts, &groups, &selection, &want);
    // Repeated ids: the first repetition in contact order is reported.
    let (_, groups) = many(120_000);
    contacts[100_000].id = id("c7");
    contacts[90_000].id = id("c80000");
    let want = AudienceError::DuplicateContactId {
        id: id("c80000"),
        first: 80_000,
        second: 90_000,
    };
    errs_alike(&contacts, &groups, &selection, &want);
}

#[test]
fn debug_dumps_and_exclusion_details_never_show_a_number() {
    let numbers = [
        "+33612345678",
        "06 98 76 54 32",
        "+32470123456",
        "0698765432",
        "06 12",
    ];
    let mut contacts: Vec<Contact> = numbers
        .iter()
        .enumerate()
        .map(|(i, n)| subscribed(&format!("c{i}"), n))
        .collect();
    contacts.push(Contact::new(id("c9")).with_phone("+1 212 555 0100"));
    let mut suppressions = Suppressions::default();
    suppressions.add_number(PhoneNumber::parse_international("+32470123456").unwrap());
    let selection =
        Selection::new([gid("all")], DedupMode::PerNumber).with_suppressions(suppressions);
    let groups = all(&contacts);
    let audience = resolve(&fr(), &contacts, &groups, &selection).unwrap();
    let mut shown = vec![
        format!("{audience:?}"),
        format!("{selection:?}"),
        format!("{contacts:?}"),
    ];
    for e in audience.exclusions() {
        shown.push(e.reason().to_string());
        shown.push(format!("{e:?}"));
    }
    for text in &shown {
        // Typed numbers keep their spaces: compare without them.
        let text: String = text.chars().filter(|c| !matches!(c, ' ' | '.')).collect();
        for number in numbers.iter().chain(&["+1 212 555 0100"]) {
            let digits: String = number.chars().filter(char::is_ascii_digit).collect();
            if digits.len() < 8 {
                continue;
            }
            // The middle digits of the number (masking keeps a prefix and the last two).
            let middle = &digits[digits.len() - 6..digits.len() - 2];
            assert!(!text.contains(middle), "{middle} in {text}");
        }
    }
}
