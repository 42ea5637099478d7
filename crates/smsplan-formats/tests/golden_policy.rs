//! Golden files of `smsplan.policy/v1`: each parses, converts to a core `Policy` and
//! reserializes byte for byte; the committed JSON Schema matches the types.
//!
//! `SMSPLAN_BLESS=1 cargo test -p smsplan-formats --test golden_policy` rewrites the schema
//! after an intended change (a changed v1 golden is a break: bump to v2 instead).
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

use std::fs;
use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDate, Utc};
use smsplan_core::window::{AppliesTo, Policy, Preset, next_allowed};
use smsplan_formats::v1::policy::PolicySpec;

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/v1/policy")
}

fn pretty<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string_pretty(value).unwrap() + "\n"
}

fn load(name: &str) -> Policy {
    let spec: PolicySpec =
        serde_json::from_str(&fs::read_to_string(dir().join(name)).unwrap()).unwrap();
    Policy::try_from(&spec).unwrap()
}

#[test]
fn policy_goldens_round_trip_byte_for_byte() {
    let mut paths: Vec<PathBuf> = fs::read_dir(dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    paths.sort();
    assert!(paths.len() >= 3);
    for path in paths {
        let text = fs::read_to_string(&path).unwrap();
        let spec: PolicySpec =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        Policy::try_from(&spec).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert_eq!(
            pretty(&spec),
            text,
            "{} does not reserialize",
            path.display()
        );
    }
}

#[test]
fn golden_policies_mean_what_they_say() {
    let paris = [chrono_tz::Europe::Paris];
    let at = |s: &str| s.parse::<DateTime<Utc>>().unwrap();
    let full = load("full.json");
    // Monday 2026-06-15 12:30 CEST is in the lunch gap: reopens at 14:00.
    assert_eq!(
        next_allowed(&full, &paris, at("2026-06-15T10:30:00Z")).unwrap(),
        at("2026-06-15T12:00:00Z")
    );
    // The extra closed day (Friday 14 August 2026) then the Assumption (Saturday 15) and
    // Sunday: Monday 17 August 08:00.
    assert_eq!(
        next_allowed(&full, &paris, at("2026-08-14T08:00:00Z")).unwrap(),
        at("2026-08-17T06:00:00Z")
    );
    // Founders' Day, 14 September 2026 (a Monday).
    assert!(
        full.ranges_on(NaiveDate::from_ymd_opt(2026, 9, 14).unwrap())
            .unwrap()
            .is_closed()
    );
    assert_eq!(full.effective_from(), NaiveDate::from_ymd_opt(2026, 1, 1));

    let us = load("us_observed_all_messages.json");
    assert_eq!(us.applies_to(), AppliesTo::AllMessages);
    // 4 July 2026 is a Saturday, observed Friday 3 July: holiday ranges 10:00-14:00.
    let ny = [chrono_tz::America::New_York];
    assert_eq!(
        next_allowed(&us, &ny, at("2026-07-03T12:00:00Z")).unwrap(),
        at("2026-07-03T14:00:00Z")
    );
    // The Saturday itself is an ordinary Saturday (09:00-17:00).
    assert_eq!(
        next_allowed(&us, &ny, at("2026-07-04T12:00:00Z")).unwrap(),
        at("2026-07-04T13:00:00Z")
    );
}

/// Every preset written as `smsplan.policy/v1` (`tests/golden/v1/policy-presets/<name>.json`),
/// so outside tools can read them and users can start their own from one.
#[test]
fn presets_are_written_as_their_golden_files_and_read_back_equal() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/v1/policy-presets");
    for preset in Preset::ALL {
        let policy = preset.policy();
        let spec = PolicySpec::try_from(&policy).unwrap();
        let path = dir.join(format!("{}.json", preset.name()));
        if std::env::var_os("SMSPLAN_BLESS").is_some() {
            fs::create_dir_all(&dir).unwrap();
            fs::write(&path, pretty(&spec)).unwrap();
        }
        let text = fs::read_to_string(&path).unwrap_or_else(|e| {
            panic!(
                "{}: {e} (run with SMSPLAN_BLESS=1 to create it)",
                path.display()
            )
        });
        assert_eq!(pretty(&spec), text, "{} differs", path.display());
        let back: PolicySpec = serde_json::from_str(&text).unwrap();
        assert_eq!(
            Policy::try_from(&back).unwrap(),
            policy,
            "{}",
            preset.name()
        );
    }
}

#[test]
#[cfg(feature = "schema")]
fn committed_policy_schema_matches_the_types() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("schema/policy.v1.json");
    let expected = pretty(&schemars::schema_for!(PolicySpec));
    if std::env::var_os("SMSPLAN_BLESS").is_some() {
        fs::write(&path, &expected).unwrap();
        return;
    }
    let committed = fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (run with SMSPLAN_BLESS=1 to create it)",
            path.display()
        )
    });
    assert_eq!(committed, expected, "{} differs", path.display());
}
