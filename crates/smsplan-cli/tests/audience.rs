//! `smsplan audience` follows its CLI contract.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "tests")]

mod common;

use std::path::{Path, PathBuf};

use serde_json::{Value, json};

fn golden(kind: &str, name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../smsplan-formats/tests/golden/v1")
        .join(kind)
        .join(name)
}

fn run(args: &[&str], stdin: &str) -> (String, String, i32) {
    let mut full = vec!["audience"];
    full.extend_from_slice(args);
    let run = common::smsplan(&full, stdin);
    (run.stdout, run.stderr, run.code)
}

fn tmp(name: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("smsplan-audience-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn goldens_resolve_to_their_committed_results_byte_for_byte() {
    for name in ["minimal.json", "every_reason.json", "phone_key.json"] {
        let input = golden("audience", name);
        let expected = std::fs::read_to_string(golden("audience-result", name)).unwrap();
        for threads in ["1", "2", "3"] {
            // The goldens are indented: `--pretty`, as a terminal would get by default.
            let args = [input.to_str().unwrap(), "--threads", threads, "--pretty"];
            let (out, err, code) = run(&args, "");
            assert_eq!(code, 0, "{name}: {err}");
            assert_eq!(out, expected, "{name} with {threads} threads");
        }
    }
}

#[test]
fn a_dash_reads_standard_input_and_compact_is_one_line() {
    let text = std::fs::read_to_string(golden("audience", "minimal.json")).unwrap();
    let (out, _, code) = run(&["-", "--compact"], &text);
    assert_eq!(code, 0);
    assert_eq!(out.lines().count(), 1);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["format"], "smsplan.audience-result/v1");
    assert_eq!(v["totals"]["by_reason"], json!({"unsubscribed": 1}));
}

fn doc(contacts: Value, groups: Value, selected: Value) -> String {
    json!({
        "format": "smsplan.audience/v1",
        "project": {"key": "email", "default_region": "FR"},
        "contacts": contacts,
        "groups": groups,
        "audience": {"groups": selected},
    })
    .to_string()
}

fn fails_with(text: &str, needles: &[&str]) {
    let (out, err, code) = run(&["-"], text);
    assert_eq!(code, 2, "stdout: {out}");
    assert!(out.is_empty());
    for needle in needles {
        assert!(err.contains(needle), "{err:?} lacks {needle:?}");
    }
}

#[test]
fn bad_input_is_a_typed_error_naming_where() {
    fails_with(
        "{\"format\": \"smsplan.audience/v1\",\n  \"project\": }",
        &["line 2, column"],
    );
    fails_with(
        &doc(
            json!([{"id": "c1", "phon": "0612345678"}]),
            json!([]),
            json!([]),
        ),
        &["contacts[0]", "phon"],
    );
    fails_with(
        &doc(json!([]), json!([]), json!([])).replace("\"FR\"", "\"FRA\""),
        &["project.default_region", "FRA"],
    );
    fails_with(
        &doc(
            json!([{"id": "c1", "time_zone": "Europe/Pariss"}]),
            json!([]),
            json!([]),
        ),
        &["contacts[0].time_zone", "Europe/Pariss"],
    );
    fails_with(
        &doc(json!([{"id": ""}]), json!([]), json!([])),
        &["contacts[0].id", "empty"],
    );
    fails_with(
        &doc(
            json!([{"id": "c1", "consent": {"status": "maybe"}}]),
            json!([]),
            json!([]),
        ),
        &["contacts[0].consent.status", "maybe"],
    );
    fails_with(
        &doc(
            json!([{"id": "c1", "consent": {"status": "subscribed", "changed_at": "yesterday"}}]),
            json!([]),
            json!([]),
        ),
        &["contacts[0].consent.changed_at"],
    );
    fails_with(
        &doc(json!([]), json!([]), json!([])).replace("audience/v1", "audience/v2"),
        &["format"],
    );
    fails_with(
        &format!("{} x", doc(json!([]), json!([]), json!([]))),
        &["trailing"],
    );
    // A wrong type for an enum used to say only `line 1, column N: expected value`.
    fails_with(
        &doc(
            json!([{"id": "c0"}, {"id": "c1", "consent": {"status": 42}}]),
            json!([]),
            json!([]),
        ),
        &[
            "contacts[1].consent.status",
            "integer `42`",
            "line 1, column",
        ],
    );
    fails_with(
        &format!("\u{FEFF}{}", doc(json!([]), json!([]), json!([]))),
        &["byte order mark"],
    );
    // A name given twice in `fields` used to keep its last value silently.
    let twice = doc(
        json!([{"id": "c0"}, {"id": "c1", "fields": {"first_name": "Ana"}}]),
        json!([]),
        json!([]),
    )
    .replace(
        "\"first_name\":\"Ana\"",
        "\"first_name\":\"Ana\",\"first_name\":\"Bob\"",
    );
    fails_with(
        &twice,
        &[
            "contacts[1].fields.first_name",
            "duplicate field `first_name`",
        ],
    );
}

#[test]
fn contradictory_input_is_an_error_naming_the_ids() {
    let c = |id: &str| json!({"id": id, "phone": "0612345678"});
    fails_with(
        &doc(
            json!([c("c1"), c("c1")]),
            json!([{"id": "g", "members": ["c1"]}]),
            json!(["g"]),
        ),
        &["\"c1\"", "contacts[1]", "contacts[0]"],
    );
    fails_with(
        &doc(
            json!([c("c1")]),
            json!([{"id": "g", "members": ["c1"]}]),
            json!(["vip"]),
        ),
        &["\"vip\""],
    );
    fails_with(
        &doc(
            json!([c("c1")]),
            json!([{"id": "g", "members": ["c1", "c9"]}]),
            json!(["g"]),
        ),
        &["\"g\"", "\"c9\""],
    );
    let phone_key = doc(
        json!([c("c1"), {"id": "c2", "phone": "+33 6 12 34 56 78"}]),
        json!([{"id": "g", "members": ["c1"]}]),
        json!(["g"]),
    )
    .replace("\"email\"", "\"phone\"");
    fails_with(&phone_key, &["\"c1\"", "\"c2\"", "+33 6•• •• •• 78"]);
}

/// Whether `text` shows four consecutive digits of `number` (a masked number shows its
/// country code, then one digit, then the last two).
fn leaks(text: &str, number: &str) -> bool {
    let digits: Vec<char> = number.chars().filter(char::is_ascii_digit).collect();
    digits.windows(4).any(|w| {
        let w: String = w.iter().collect();
        text.split(|c: char| !c.is_ascii_digit())
            .any(|run| run.contains(&w))
    })
}

#[test]
fn numbers_in_errors_are_masked_on_standard_error() {
    // Once `…both have +33612345678…`.
    let phone_key = doc(
        json!([{"id": "c1", "phone": "06 12 34 56 78"}, {"id": "c2", "phone": "+33612345678"}]),
        json!([{"id": "g", "members": ["c1"]}]),
        json!(["g"]),
    )
    .replace("\"email\"", "\"phone\"");
    let (_, err, code) = run(&["-"], &phone_key);
    assert_eq!(code, 2);
    assert!(err.contains("both have +33 6•• •• •• 78"), "{err}");
    assert!(!leaks(&err, "+33612345678"), "{err}");
    // A suppressed number that does not parse is quoted masked, as typed.
    let suppressed = doc(json!([]), json!([]), json!([])).replace(
        "\"audience\":{\"groups\":[]}",
        "\"audience\":{\"groups\":[],\"suppressed\":{\"numbers\":[\"06 12 34\"]}}",
    );
    assert!(suppressed.contains("06 12 34"), "{suppressed}");
    let (_, err, code) = run(&["-"], &suppressed);
    assert_eq!(code, 2);
    assert!(
        err.contains("audience.suppressed.numbers[0]: \"0• •• 34\""),
        "{err}"
    );
    assert!(!err.contains("06 12"), "{err}");
    // A number of the wrong JSON type is quoted by the parser's message: masked too.
    let integer = doc(
        json!([{"id": "c1", "phone": 33612345678_u64}]),
        json!([]),
        json!([]),
    );
    let (_, err, code) = run(&["-"], &integer);
    assert_eq!(code, 2);
    assert!(err.contains("field `contacts[0].phone`"), "{err}");
    assert!(err.contains("invalid type: integer `3"), "{err}");
    assert!(!leaks(&err, "33612345678"), "{err}");
}

#[test]
fn a_contact_in_no_group_is_counted_outside_the_selection() {
    let text = doc(
        json!([{"id": "c1", "phone": "0612345678", "consent": {"status": "subscribed"}}, {"id": "lonely", "phone": "0698765432"}]),
        json!([{"id": "g", "members": ["c1"]}]),
        json!(["g"]),
    );
    let (out, _, code) = run(&["-"], &text);
    assert_eq!(code, 0);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["totals"]["outside_selection"], 1);
    assert_eq!(v["totals"]["selected"], 1);
}

#[test]
fn scheduled_adds_the_refresh_diff() {
    let sub = json!({"status": "subscribed"});
    let before = doc(
        json!([{"id": "a", "phone": "0611111111", "consent": sub}, {"id": "b", "phone": "0622222222", "consent": sub}]),
        json!([{"id": "g", "members": ["a", "b"]}]),
        json!(["g"]),
    );
    let after = doc(
        json!([{"id": "a", "phone": "0611111111", "consent": {"status": "unsubscribed"}}, {"id": "b", "phone": "0622222223", "consent": sub}, {"id": "c", "phone": "0633333333", "consent": sub}]),
        json!([{"id": "g", "members": ["a", "b", "c"]}]),
        json!(["g"]),
    );
    let scheduled = tmp("scheduled.json", &before);
    let (out, err, code) = run(&["-", "--scheduled", scheduled.to_str().unwrap()], &after);
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        v["refresh"],
        json!({"added": ["c"], "removed": [{"contact": "a", "reason": "unsubscribed"}], "renumbered": ["b"]})
    );
}

#[test]
fn a_missing_file_is_an_error_naming_it() {
    let (_, err, code) = run(&["/nonexistent/audience.json"], "");
    assert_eq!(code, 2);
    assert!(err.contains("/nonexistent/audience.json"), "{err}");
}
