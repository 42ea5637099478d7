//! Golden files of the v1 audience formats: each parses, converts and reserializes byte for
//! byte, and resolving each input gives its committed result. The JSON Schemas committed
//! under `schema/` match the types.
//!
//! `SMSPLAN_BLESS=1 cargo test -p smsplan-formats --test golden` rewrites the results and
//! schemas after an intended change (a changed v1 golden is a break: bump to v2 instead).
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

use std::fs;
use std::path::{Path, PathBuf};

use smsplan_formats::v1::audience::{AudienceInput, AudienceResult, AudienceSpec};

fn dir(kind: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden/v1")
        .join(kind)
}

fn bless() -> bool {
    std::env::var_os("SMSPLAN_BLESS").is_some()
}

fn pretty<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string_pretty(value).unwrap() + "\n"
}

fn check_or_write(path: &Path, expected: &str) {
    if bless() {
        fs::write(path, expected).unwrap();
        return;
    }
    let committed = fs::read_to_string(path).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (run with SMSPLAN_BLESS=1 to create it)",
            path.display()
        )
    });
    assert_eq!(committed, expected, "{} differs", path.display());
}

fn inputs() -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = fs::read_dir(dir("audience"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    paths.sort();
    assert!(paths.len() >= 3);
    paths
}

#[test]
fn audience_goldens_round_trip_byte_for_byte() {
    for path in inputs() {
        let text = fs::read_to_string(&path).unwrap();
        let spec: AudienceSpec =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        AudienceInput::try_from(&spec).unwrap();
        assert_eq!(
            pretty(&spec),
            text,
            "{} does not reserialize",
            path.display()
        );
    }
}

#[test]
fn resolving_each_golden_gives_its_committed_result() {
    for path in inputs() {
        let spec: AudienceSpec = serde_json::from_str(&fs::read_to_string(&path).unwrap()).unwrap();
        let input = AudienceInput::try_from(&spec).unwrap();
        let audience = input.resolve().unwrap();
        let result = AudienceResult::try_from(&audience).unwrap();
        let out = dir("audience-result").join(path.file_name().unwrap());
        check_or_write(&out, &pretty(&result));
        // The result golden parses back to the same value.
        let text = fs::read_to_string(&out).unwrap();
        let back: AudienceResult = serde_json::from_str(&text).unwrap();
        assert_eq!(back, result);
    }
}

#[test]
#[cfg(feature = "schema")]
fn committed_schemas_match_the_types() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("schema");
    check_or_write(
        &root.join("audience.v1.json"),
        &pretty(&schemars::schema_for!(AudienceSpec)),
    );
    check_or_write(
        &root.join("audience-result.v1.json"),
        &pretty(&schemars::schema_for!(AudienceResult)),
    );
}
