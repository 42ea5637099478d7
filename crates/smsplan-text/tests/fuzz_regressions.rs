//! Replays the fragment inputs kept in `fuzz/regressions/` with the fuzz targets' assertions,
//! so a crash found by fuzzing stays fixed without a fuzzer.

use smsplan_text::{analyze, decode, encode, parse_user_data, split};

#[path = "../../../fuzz/fuzz_targets/options.rs"]
mod options;

fn text_of(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Array(pieces) => pieces
            .iter()
            .map(|p| {
                p[0].as_str()
                    .unwrap()
                    .repeat(p[1].as_u64().unwrap() as usize)
            })
            .collect(),
        other => panic!("text must be a string or [piece, count] pairs: {other}"),
    }
}

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
        let options = options::options(case["flags"].as_u64().unwrap() as u8);
        let text = text_of(&case["text"]);
        match case["target"].as_str().unwrap() {
            "fragments_split" => {
                let analysis = analyze(&text, &options).unwrap();
                let parts = split(&text, &options).unwrap().parts;
                assert_eq!(parts.len(), analysis.segments, "{path:?}");
                assert_eq!(parts.concat(), text, "{path:?}");
            }
            "fragments_encode" => {
                let reference = case["reference"].as_u64().unwrap() as u16;
                let parts = encode(&text, &options, reference).unwrap();
                let read: Vec<_> = parts
                    .iter()
                    .enumerate()
                    .map(|(i, p)| {
                        parse_user_data(
                            i,
                            p.data_coding(),
                            !p.udh.is_empty(),
                            p.user_data_length(),
                            &p.user_data(),
                        )
                        .unwrap()
                    })
                    .collect();
                assert_eq!(decode(&read).unwrap(), text, "{path:?}");
            }
            // Replayed by smsplan-core's own fuzz_regressions test.
            "phone_parse" => continue,
            other => panic!("{path:?}: unknown target {other}"),
        }
        replayed += 1;
    }
    assert!(replayed >= 2, "regressions were not found in {dir}");
}
