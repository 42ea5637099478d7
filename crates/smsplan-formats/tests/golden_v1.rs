//! Golden files and schemas of `smsplan.campaign/v1` and `smsplan.plan/v1`.
//!
//! Every campaign under `tests/golden/v1/campaign/` must parse, convert to a core
//! `Campaign` and reserialize byte for byte; its plan at a fixed `now` must equal the files
//! under `tests/golden/v1/plan/`; the JSON Schemas generated from the types must equal the
//! committed ones under `schema/` (`campaign.v1.json`, `plan.v1.json`). A failure here means the wire format changed: that
//! is a new version (`v2`), not an edit of v1. `UPDATE_GOLDEN=1` rewrites the files, for a
//! new golden or a new version only.

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
            let wire = SendPlan::from(p);
            let name = if p.run.is_some() {
                format!("{stem}-run{i}.json")
            } else {
                format!("{stem}.json")
            };
            let out = root().join("tests/golden/v1/plan").join(name);
            let text = pretty(&wire);
            check(&out, &text);
            assert_eq!(pretty(&PlanView(p)), text, "the streaming view differs");
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
        ("{{first_name|there}}", "{{first name}}", "message.template"),
        ("\"DE\"", "\"DEU\"", "project.accepted_regions[3]"),
    ] {
        let spec: CampaignSpec = from_json(&text.replacen(from, to, 1)).unwrap();
        let err = Campaign::try_from(spec).unwrap_err();
        assert_eq!(err.path, path, "{err}");
    }
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

    let c: Contact =
        from_json(r#"{"id": "c1", "fields": {"z": "1", "a": "2", "z": "3", "é": ""}}"#).unwrap();
    let fields = c.fields.as_ref().unwrap();
    // A repeated name keeps its last value, as a map would; entries come out in name order.
    assert_eq!(
        fields.iter().collect::<Vec<_>>(),
        [("a", "2"), ("z", "3"), ("é", "")]
    );
    assert_eq!(
        serde_json::to_string(&c).unwrap(),
        r#"{"id":"c1","fields":{"a":"2","z":"3","é":""}}"#
    );
    let core = c.into_core("contacts[0]").unwrap();
    assert_eq!(core.fields.get("z"), Some("3"));

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

    let err = from_json::<Contact>(r#"{"id": "c1", "fields": {"age": 42}}"#).unwrap_err();
    assert_eq!(err.path(), Some("fields.age"), "{err}");
    let err = from_json::<Contact>(r#"{"id": "c1", "fields": ["a"]}"#).unwrap_err();
    assert_eq!(err.path(), Some("fields"), "{err}");
}
