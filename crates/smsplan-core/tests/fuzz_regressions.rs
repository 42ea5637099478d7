//! Replays the phone inputs kept in `fuzz/regressions/` with the `phone_parse` target's
//! assertions, so a crash found by fuzzing stays fixed without a fuzzer. The fragment
//! inputs are replayed by `smsplan-text`'s test of the same name.

use smsplan_core::phone::{PhoneNumber, Region};

/// Targets whose regressions another crate replays.
const ELSEWHERE: [&str; 3] = ["fragments_split", "fragments_encode", "fragments_decode"];

#[test]
fn fuzz_regressions_still_pass() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fuzz/regressions");
    let mut replayed = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "json") {
            continue;
        }
        let case: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        match case["target"].as_str().unwrap() {
            "phone_parse" => {
                let text = case["text"].as_str().unwrap();
                let region = Region::parse(case["region"].as_str().unwrap()).unwrap();
                if let Ok(n) = PhoneNumber::parse(text, region) {
                    let again = PhoneNumber::parse_international(n.as_e164());
                    assert_eq!(again, Ok(n), "{path:?}");
                    let again = again.unwrap();
                    assert_eq!(
                        (again.kind(), again.region()),
                        (n.kind(), n.region()),
                        "{path:?}"
                    );
                }
            }
            other if ELSEWHERE.contains(&other) => continue,
            other => panic!("{path:?}: unknown target {other}"),
        }
        replayed += 1;
    }
    assert!(replayed >= 1, "regressions were not found in {dir}");
}
