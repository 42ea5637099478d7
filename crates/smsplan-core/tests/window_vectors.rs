//! `next_allowed` and `window_end` of the presets against an independent brute-force
//! reference (python zoneinfo + holidays, minute by minute): 1,500 cases in 2024–2030 biased
//! towards DST switches and public holidays (testdata/windows, tools/gen_window_vectors.py).
#![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "test helpers")]

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use smsplan_core::window::{Policy, next_allowed, window_end};

#[test]
fn presets_agree_with_the_brute_force_reference() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../testdata/windows/vectors.json"
    );
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let cases = doc["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 1500);
    let mut failures = Vec::new();
    for case in cases {
        let s = |k: &str| case[k].as_str().unwrap().to_owned();
        let policy = Policy::preset(&s("policy")).unwrap();
        let zone: Tz = s("tz").parse().unwrap();
        let at: DateTime<Utc> = s("at").parse().unwrap();
        let next = next_allowed(&policy, &[zone], at).unwrap();
        let end = window_end(&policy, &[zone], at).unwrap();
        let expected: (DateTime<Utc>, DateTime<Utc>) = (
            s("next_allowed").parse().unwrap(),
            s("window_end").parse().unwrap(),
        );
        if (next, end) != expected {
            failures.push(format!("{case}: got {next} / {end}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} differ:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}
