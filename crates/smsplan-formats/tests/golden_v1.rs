//! Golden files and schemas of `smsplan.campaign/v1` and `smsplan.plan/v1`.
//!
//! Every campaign under `tests/golden/v1/campaign/` must parse, convert to a core
//! `Campaign` and reserialize byte for byte; its plan at a fixed `now` must equal the files
//! under `tests/golden/v1/plan/`; the JSON Schemas generated from the types must equal the
//! committed ones under `schema/` (`campaign.v1.json`, `plan.v1.json`). A failure here means the wire format changed:
//! within v1 only by new fields, optional when read (existing fields keep their names and
//! meaning); anything else is a new version (`v2`). `UPDATE_GOLDEN=1` rewrites the files,
//! for a new golden, new fields or a new version only.

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test helpers over known-good fixtures"
)]

use std::fs;
use std::num::NonZeroUsize;
use std::path::{Path, PathBuf};

use smsplan_core::plan::{Campaign, plan};
use smsplan_formats::read::from_json;
use smsplan_formats::v1::campaign::CampaignSpec;
use smsplan_formats::v1::convert::PlanView;
use smsplan_formats::v1::plan::SendPlan;

const NOW: &str = "2026-12-20T10:00:00+01:00";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn updating() -> bool {
    std::env::var_os("UPDATE_GOLDEN").is_some()
}

fn check(path: &Path, actual: &str) {
    if updating() {
        fs::write(path, actual).unwrap();
        return;
    }
    let expected = fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{}: {e} (UPDATE_GOLDEN=1 creates it)", path.display()));
    assert!(
        expected == actual,
        "{} changed: a change of the v1 wire format needs a new version",
        path.display()
    );
}

fn pretty<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string_pretty(value).unwrap() + "\n"
}

#[test]
fn campaigns_round_trip_and_plan_as_recorded() {
    let dir = root().join("tests/golden/v1/campaign");
    let mut seen = 0;
    for entry in fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let text = fs::read_to_string(&path).unwrap();
        let spec: CampaignSpec = from_json(&text).unwrap();
        check(&path, &pretty(&spec));
        let campaign = Campaign::try_from(spec).unwrap();
        let now = chrono::DateTime::parse_from_rfc3339(NOW).unwrap().to_utc();
        let plans = plan(&campaign, now, NonZeroUsize::MIN).unwrap();
        let stem = path.file_stem().unwrap().to_str().unwrap().to_owned();
        for (i, p) in plans.iter().enumerate() {
            let wire = SendPlan::try_from(p).unwrap();
            let name = if p.run.is_some() {
                format!("{stem}-run{i}.json")
            } else {
                format!("{stem}.json")
            };
            let out = root().join("tests/golden/v1/plan").join(name);
            let text = pretty(&wire);
            check(&out, &text);
            assert_eq!(pretty(&PlanView(p)), text, "the streaming view differs");
            let compact = serde_json::to_string(&wire).unwrap();
            for threads in 1..=3 {
                let mut out = Vec::new();
                PlanView(p)
                    .write_compact(&mut out, NonZeroUsize::new(threads).unwrap())
                    .unwrap();
                assert_eq!(
                    String::from_utf8(out).unwrap(),
                    compact,
                    "{threads} threads"
                );
            }
            let back: SendPlan = from_json(&text).unwrap();
            assert_eq!(back, wire, "plan golden does not read back");
        }
        seen += 1;
    }
    assert!(seen >= 3, "golden campaigns missing");
}

#[test]
#[cfg(feature = "schema")]
fn schemas_are_the_committed_ones() {
    let dir = root().join("schema");
    check(
        &dir.join("campaign.v1.json"),
        &pretty(&schemars::schema_for!(CampaignSpec)),
    );
    check(
        &dir.join("plan.v1.json"),
        &pretty(&schemars::schema_for!(SendPlan)),
    );
}

#[test]
fn unknown_fields_are_refused_with_their_path() {
    let text = fs::read_to_string(root().join("tests/golden/v1/campaign/minimal.json")).unwrap();
    let bad = text.replacen("\"dedup\"", "\"dedupe\": 1, \"dedup\"", 1);
    let err = from_json::<CampaignSpec>(&bad).unwrap_err();
    assert_eq!(err.path(), Some("audience.dedupe"));
    assert!(err.to_string().contains("unknown field `dedupe`"), "{err}");
    let bad = text.replacen("\"0.045\"", "0.045", 1);
    let err = from_json::<CampaignSpec>(&bad).unwrap_err();
    assert_eq!(err.path(), Some("credits.price_per_segment"));
    let bad = text.replacen("smsplan.campaign/v1", "smsplan.campaign/v2", 1);
    assert_eq!(
        from_json::<CampaignSpec>(&bad).unwrap_err().path(),
        Some("format")
    );
    let bad = text.replacen("\"subscribed\"", "\"maybe\"", 1);
    assert_eq!(
        from_json::<CampaignSpec>(&bad).unwrap_err().path(),
        Some("contacts[0].consent.status")
    );
}

#[test]
fn domain_errors_name_the_field() {
    let text = fs::read_to_string(root().join("tests/golden/v1/campaign/minimal.json")).unwrap();
    for (from, to, path) in [
        (
            "\"fr-commercial\"",
            "\"fr-nope\"",
            "schedule.policies.FR[0]",
        ),
        ("\"EUR\"", "\"eur\"", "credits.currency"),
        ("\"0.045\"", "\"-0.045\"", "credits.price_per_segment"),
        ("{{first_name|there}}", "{{first name}}", "message.template"),
        ("\"DE\"", "\"DEU\"", "project.accepted_regions[3]"),
    ] {
        let spec: CampaignSpec = from_json(&text.replacen(from, to, 1)).unwrap();
        let err = Campaign::try_from(spec).unwrap_err();
        assert_eq!(err.path, path, "{err}");
    }
}

#[test]
fn a_test_sms_needs_a_valid_number() {
    // Before: "not a number" passed the `test_sms` check ("test SMS sent to not a number").
    let text =
        fs::read_to_string(root().join("tests/golden/v1/campaign/custom-policy.json")).unwrap();
    let spec: CampaignSpec =
        from_json(&text.replacen("+4915123456789", "not a number", 1)).unwrap();
    let err = Campaign::try_from(spec).unwrap_err();
    assert_eq!(err.path, "test_sms.to", "{err}");
    let spec: CampaignSpec =
        from_json(&text.replacen("+4915123456789", "+491512345678", 1)).unwrap();
    let err = Campaign::try_from(spec).unwrap_err();
    assert_eq!(err.path, "test_sms.to", "{err}");
    assert!(
        !err.to_string().contains("491512345678"),
        "the number is personal data: {err}"
    );
}

#[test]
fn custom_policy_errors_name_their_place() {
    let text =
        fs::read_to_string(root().join("tests/golden/v1/campaign/custom-policy.json")).unwrap();
    let spec: CampaignSpec = from_json(&text.replacen("09:00-12:00", "12:00-09:00", 1)).unwrap();
    let err = Campaign::try_from(spec).unwrap_err();
    assert_eq!(
        err.path, "schedule.custom_policies[0].days.thursday[0]",
        "{err}"
    );
}

#[test]
fn contact_fields_read_as_an_object_of_strings() {
    use smsplan_core::contact::Fields;
    use smsplan_formats::v1::audience::Contact;

    let c: Contact = from_json(r#"{"id": "c1", "fields": {"z": "1", "a": "2", "é": ""}}"#).unwrap();
    let fields = c.fields.as_ref().unwrap();
    // Entries come out in name order.
    assert_eq!(
        fields.iter().collect::<Vec<_>>(),
        [("a", "2"), ("z", "1"), ("é", "")]
    );
    assert_eq!(
        serde_json::to_string(&c).unwrap(),
        r#"{"id":"c1","fields":{"a":"2","z":"1","é":""}}"#
    );
    let core = c.into_core("contacts[0]").unwrap();
    assert_eq!(core.fields.get("z"), Some("1"));

    // Absent and null are no fields; an empty object is an empty set of fields.
    for (text, empty) in [
        (r#"{"id": "c1"}"#, None),
        (r#"{"id": "c1", "fields": null}"#, None),
        (r#"{"id": "c1", "fields": {}}"#, Some(true)),
    ] {
        let c: Contact = from_json(text).unwrap();
        assert_eq!(c.fields.as_ref().map(Fields::is_empty), empty, "{text}");
    }
    // An empty object stays an object when written again.
    let c: Contact = from_json(r#"{"id": "c1", "fields": {}}"#).unwrap();
    assert_eq!(
        serde_json::to_string(&c).unwrap(),
        r#"{"id":"c1","fields":{}}"#
    );

    // A repeated name is an error at its path; it used to keep the last value silently.
    let err = from_json::<Contact>(r#"{"id": "c1", "fields": {"z": "1", "a": "2", "z": "3"}}"#)
        .unwrap_err();
    assert_eq!(err.path(), Some("fields.z"), "{err}");
    assert!(err.to_string().contains("duplicate field `z`"), "{err}");
    // Past the scan, the set of names finds repeats just as well.
    let many: Vec<String> = (0..40).map(|i| format!("\"f{i}\": \"v\"")).collect();
    for repeat in ["f3", "f39"] {
        let text = format!(
            r#"{{"id": "c1", "fields": {{{}, "{repeat}": "again"}}}}"#,
            many.join(", ")
        );
        let err = from_json::<Contact>(&text).unwrap_err();
        assert_eq!(
            err.path(),
            Some(format!("fields.{repeat}").as_str()),
            "{err}"
        );
    }
    let text = format!(r#"{{"id": "c1", "fields": {{{}}}}}"#, many.join(", "));
    assert_eq!(
        from_json::<Contact>(&text).unwrap().fields.unwrap().len(),
        40
    );
    let err = from_json::<Contact>(r#"{"id": "c1", "fields": {"age": 42}}"#).unwrap_err();
    assert_eq!(err.path(), Some("fields.age"), "{err}");
    let err = from_json::<Contact>(r#"{"id": "c1", "fields": ["a"]}"#).unwrap_err();
    assert_eq!(err.path(), Some("fields"), "{err}");
}

#[test]
fn a_refused_number_is_named_by_path_and_shown_masked() {
    use smsplan_formats::v1::convert::Problem;
    use std::error::Error as _;

    let text = fs::read_to_string(root().join("tests/golden/v1/campaign/minimal.json")).unwrap();
    let bad = text.replacen(
        "\"dedup\": \"per_number\"",
        "\"dedup\": \"per_number\", \"suppressed\": {\"numbers\": [\"06 12 34 56 78 90\"]}",
        1,
    );
    let spec: CampaignSpec = from_json(&bad).unwrap();
    let err = Campaign::try_from(spec).unwrap_err();
    assert_eq!(err.path, "audience.suppressed.numbers[0]");
    assert!(matches!(err.problem, Problem::Phone { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        "field `audience.suppressed.numbers[0]`: \"0• •• •• •• •• 90\": too long for its region"
    );
    assert!(err.source().is_none());
    // Neither the message nor the debug dump shows the number.
    for shown in [err.to_string(), format!("{err:?}")] {
        assert!(!shown.contains("12 34 56"), "{shown}");
    }
    // A number of the wrong type, quoted by the parser, is masked as well.
    let bad = text.replacen(
        "\"dedup\": \"per_number\"",
        "\"dedup\": \"per_number\", \"suppressed\": {\"numbers\": [33612345678]}",
        1,
    );
    let err = from_json::<CampaignSpec>(&bad).unwrap_err();
    assert_eq!(err.path(), Some("audience.suppressed.numbers[0]"));
    assert!(!err.to_string().contains("612345"), "{err}");
}

#[test]
fn windows_never_disappear_silently() {
    let text = fs::read_to_string(root().join("tests/golden/v1/campaign/minimal.json")).unwrap();
    // The golden's `schedule.policies` object, replaced as text (a repeated key cannot be
    // written through a JSON value).
    let start = text.find("\"policies\": {").unwrap() + "\"policies\": ".len();
    let end = start + text[start..].find('}').unwrap() + 1;
    let with = |map: &str| format!("{}{map}{}", &text[..start], &text[end..]);
    // A key given twice is refused while reading, with its place.
    let err =
        from_json::<CampaignSpec>(&with(r#"{"FR": ["fr-commercial"], "FR": []}"#)).unwrap_err();
    assert_eq!(err.path(), Some("schedule.policies"), "{err}");
    assert!(err.to_string().contains("\"FR\" given twice"), "{err}");
    for (map, path, words) in [
        (r#"{"FR": []}"#, "schedule.policies.FR", "[\"none\"]"),
        (
            r#"{"F R": ["fr-commercial"]}"#,
            "schedule.policies.F R",
            "ISO 3166",
        ),
        (
            r#"{"XX": ["fr-commercial"]}"#,
            "schedule.policies.XX",
            "unknown region",
        ),
        (
            r#"{"FR": ["fr-commercial"], "fr": ["fr-commercial"]}"#,
            "schedule.policies.fr",
            "twice",
        ),
        (
            r#"{"FR": ["none", "fr-commercial"]}"#,
            "schedule.policies.FR[0]",
            "cannot be combined",
        ),
    ] {
        let spec: CampaignSpec = from_json(&with(map)).unwrap();
        let err = Campaign::try_from(spec).unwrap_err();
        assert_eq!(err.path, path, "{map}: {err}");
        assert!(err.to_string().contains(words), "{map}: {err}");
    }
    // The explicit `["none"]` is no window, on purpose.
    let spec: CampaignSpec = from_json(&with(r#"{"FR": ["none"]}"#)).unwrap();
    let campaign = Campaign::try_from(spec).unwrap();
    assert_eq!(campaign.timing.policies.unwrap()["FR"], []);
}

#[test]
fn custom_policy_names_are_unique_and_capacities_positive() {
    let text =
        fs::read_to_string(root().join("tests/golden/v1/campaign/custom-policy.json")).unwrap();
    let mut spec: CampaignSpec = from_json(&text).unwrap();
    let first = spec.schedule.custom_policies[0].clone();
    spec.schedule.custom_policies.push(first);
    let err = Campaign::try_from(spec).unwrap_err();
    assert_eq!(err.path, "schedule.custom_policies[1].name", "{err}");

    let mut spec: CampaignSpec = from_json(&text).unwrap();
    spec.message.sender.as_mut().unwrap().parts_per_second = Some(0);
    let err = Campaign::try_from(spec).unwrap_err();
    assert_eq!(err.path, "message.sender.parts_per_second", "{err}");
}
