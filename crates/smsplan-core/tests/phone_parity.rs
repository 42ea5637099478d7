//! Parity with python `phonenumbers` 9.0.43 on the generated corpus in `testdata/phone/`.
//!
//! `tools/gen_phone_vectors.py` writes one case per line; every case must agree on E.164,
//! region, type and time zones, or on the error kind. Known differences would be listed in
//! `testdata/phone/known_differences.jsonl` with a reason; the test fails on any other.

#![allow(
    clippy::unwrap_used,
    reason = "a test: a broken vector file should fail loudly"
)]

use std::collections::BTreeMap;

use serde_json::Value;
use smsplan_core::phone::{PhoneNumber, Region};

const VECTORS: &str = include_str!("../../../testdata/phone/vectors.jsonl");
const KNOWN: &str = include_str!("../../../testdata/phone/known_differences.jsonl");

/// What we compute for a case, in the vectors' shape.
fn ours(raw: &str, region: Option<&str>) -> BTreeMap<&'static str, Value> {
    let parsed = match region {
        Some(code) => PhoneNumber::parse(raw, Region::parse(code).unwrap()),
        None => PhoneNumber::parse_international(raw),
    };
    let mut out = BTreeMap::new();
    match parsed {
        Ok(n) => {
            out.insert("e164", Value::from(n.as_e164()));
            out.insert(
                "number_region",
                n.region().map_or(Value::Null, |r| Value::from(r.as_str())),
            );
            out.insert("type", Value::from(n.kind().as_str()));
            let zones: Vec<Value> = n
                .time_zones()
                .iter()
                .map(|z| Value::from(z.name()))
                .collect();
            out.insert("time_zones", Value::from(zones));
        }
        Err(e) => {
            out.insert("error", Value::from(e.kind()));
        }
    }
    out
}

fn expected(case: &Value) -> BTreeMap<&'static str, Value> {
    ["e164", "number_region", "type", "time_zones", "error"]
        .into_iter()
        .filter_map(|key| case.get(key).map(|v| (key, v.clone())))
        .collect()
}

#[test]
fn parse_agrees_with_python_phonenumbers() {
    let known: Vec<(String, Option<String>)> = KNOWN
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            assert!(
                v["reason"].as_str().is_some_and(|r| !r.is_empty()),
                "known difference without reason: {l}"
            );
            (
                v["raw"].as_str().unwrap().to_owned(),
                v["region"].as_str().map(str::to_owned),
            )
        })
        .collect();
    let mut total = 0;
    let mut differ = Vec::new();
    let mut known_seen = 0;
    for line in VECTORS.lines() {
        let case: Value = serde_json::from_str(line).unwrap();
        let raw = case["raw"].as_str().unwrap();
        let region = case["region"].as_str();
        total += 1;
        let got = ours(raw, region);
        if got != expected(&case) {
            if known
                .iter()
                .any(|(r, g)| r == raw && g.as_deref() == region)
            {
                known_seen += 1;
            } else {
                differ.push(format!("{line}\n  ours: {got:?}"));
            }
        }
    }
    assert!(total > 10_000, "corpus too small: {total}");
    assert_eq!(
        known_seen,
        known.len(),
        "a known difference no longer differs: update the list"
    );
    assert!(
        differ.is_empty(),
        "{} of {total} cases differ from python phonenumbers:\n{}",
        differ.len(),
        differ
            .iter()
            .take(30)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}
