//! `smsplan phone` follows its CLI contract.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "tests")]

mod common;

use serde_json::{Value, json};

fn run(args: &[&str], input: &str) -> (Vec<Value>, i32, String) {
    run_bytes(args, input.as_bytes())
}

fn run_bytes(args: &[&str], input: &[u8]) -> (Vec<Value>, i32, String) {
    let mut full = vec!["phone"];
    full.extend_from_slice(args);
    let run = common::smsplan_bytes(&full, input);
    (common::json_lines(&run.stdout), run.code, run.stderr)
}

#[test]
fn strings_and_objects_get_one_line_each_in_order() {
    let input = "\"06 12 34 56 78\"\n{\"number\": \"+1 212 555 0100\"}\n{\"number\": \"8 800 555 35 35\", \"region\": \"RU\"}\n";
    let (lines, code, _) = run(&["--region", "FR"], input);
    assert_eq!(code, 0);
    assert_eq!(
        lines,
        vec![
            json!({"e164": "+33612345678", "region": "FR", "type": "mobile", "valid": true,
                   "time_zones": ["Europe/Paris"]}),
            json!({"e164": "+12125550100", "region": "US", "type": "fixed_line_or_mobile",
                   "valid": true, "time_zones": ["America/New_York"]}),
            lines[2].clone(),
        ]
    );
    assert_eq!(lines[2]["e164"], "+78005553535");
    assert_eq!(lines[2]["type"], "toll_free");
    assert!(
        lines[2]["time_zones"]
            .as_array()
            .unwrap()
            .contains(&json!("Europe/Moscow"))
    );
}

#[test]
fn output_keys_are_in_contract_order() {
    let run = common::smsplan(&["phone", "--region", "FR"], "\"0612345678\"\n\"06\"\n");
    assert_eq!(
        run.stdout,
        "{\"e164\":\"+33612345678\",\"region\":\"FR\",\"type\":\"mobile\",\"valid\":true,\"time_zones\":[\"Europe/Paris\"]}\n\
         {\"error\":{\"kind\":\"too_short\",\"message\":\"too short for its region\"}}\n"
    );
}

#[test]
fn number_errors_are_typed_and_not_input_errors() {
    let input =
        "\"hello\"\n\"+999 1234 5678\"\n\"06 12\"\n\"06 12 34 56 78 90\"\n\"+97233142764978\"\n";
    let (lines, code, _) = run(&["--region", "FR"], input);
    assert_eq!(code, 0);
    let kinds: Vec<&str> = lines
        .iter()
        .map(|l| l["error"]["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "not_a_number",
            "invalid_country_code",
            "too_short",
            "too_long",
            "invalid_number"
        ]
    );
    assert!(lines.iter().all(|l| {
        l["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty())
    }));
}

#[test]
fn the_cases_that_broke_the_other_crate_are_right() {
    let input =
        "\"+78005553535\"\n\"+375 801 123 4567\"\n\"+39 02 1234 5678\"\n\"+241 06 03 12 34\"\n";
    let (lines, code, _) = run(&["--region", "RU"], input);
    assert_eq!(code, 0);
    let got: Vec<(&str, &str)> = lines
        .iter()
        .map(|l| (l["e164"].as_str().unwrap(), l["type"].as_str().unwrap()))
        .collect();
    assert_eq!(
        got,
        [
            ("+78005553535", "toll_free"),
            ("+3758011234567", "toll_free"),
            ("+390212345678", "fixed_line"),
            ("+24106031234", "mobile"),
        ]
    );
}

#[test]
fn without_a_region_national_numbers_need_one_on_their_line() {
    let input = "\"06 12 34 56 78\"\n{\"number\": \"06 12 34 56 78\", \"region\": \"fr\"}\n\"+44 20 7946 0958\"\n";
    let (lines, code, _) = run(&[], input);
    assert_eq!(code, 0);
    assert_eq!(lines[0]["error"]["kind"], "invalid_country_code");
    assert_eq!(lines[1]["e164"], "+33612345678");
    assert_eq!(lines[2]["region"], "GB");
}

#[test]
fn non_geographic_numbers_have_no_region_and_no_zone() {
    let (lines, _, _) = run(&[], "\"+800 1234 5678\"\n");
    assert_eq!(
        lines[0],
        json!({"e164": "+80012345678", "region": null, "type": "toll_free", "valid": true, "time_zones": []})
    );
}

#[test]
fn malformed_lines_are_reported_and_the_rest_processed() {
    let input = "\"0612345678\"\nnot json\n{\"numbr\": \"0612345678\"}\n{\"number\": \"1\", \"region\": \"XX\"}\n42\n\"0612345678\"\n";
    let (lines, code, _) = run(&["--region", "FR"], input);
    assert_eq!(code, 1);
    assert_eq!(lines.len(), 6);
    for (i, line) in lines.iter().enumerate().take(5).skip(1) {
        assert_eq!(line["error"]["kind"], "invalid_input", "line {}", i + 1);
        assert_eq!(line["error"]["line"], i + 1);
    }
    assert!(
        lines[2]["error"]["message"]
            .as_str()
            .unwrap()
            .contains("numbr")
    );
    assert!(
        lines[3]["error"]["message"]
            .as_str()
            .unwrap()
            .contains("XX")
    );
    assert_eq!(lines[5]["e164"], "+33612345678");
}

#[test]
fn a_number_quoted_by_an_input_error_is_masked() {
    // serde's message quotes the value: `invalid type: integer `33612345678``.
    let (lines, code, _) = run(&[], "{\"number\": 33612345678}\n");
    assert_eq!(code, 1);
    let message = lines[0]["error"]["message"].as_str().unwrap();
    assert!(message.starts_with("invalid type: integer `3"), "{message}");
    assert!(!message.contains("1234"), "{message}");
}

#[test]
fn a_line_that_is_not_utf8_is_an_input_error_and_the_rest_goes_on() {
    // Before: "i/o error: stream did not contain valid UTF-8", exit 2, later lines lost.
    let mut input = b"\"0612345678\"\n\"06\xC3\x2812345678\"\n".to_vec();
    input.extend(b"\"0612345679\"\n".repeat(500));
    let (lines, code, _) = run_bytes(&["--region", "FR"], &input);
    assert_eq!(code, 1);
    assert_eq!(lines.len(), 502);
    assert_eq!(lines[1]["error"]["kind"], "invalid_input");
    assert_eq!(lines[1]["error"]["line"], 2);
    assert_eq!(lines[1]["error"]["column"], 4);
    assert!(lines[2..].iter().all(|l| l["e164"] == "+33612345679"));
}

#[test]
fn ids_are_echoed() {
    let (lines, _, _) = run(
        &["--region", "FR"],
        "{\"number\": \"06\", \"id\": {\"row\": 7}}\n",
    );
    assert_eq!(lines[0]["id"], json!({"row": 7}));
}

#[test]
fn a_bad_region_argument_is_a_usage_error() {
    let (lines, code, stderr) = run(&["--region", "France"], "\"0612345678\"\n");
    assert_eq!(code, 2);
    assert!(lines.is_empty());
    assert!(stderr.contains("France"), "{stderr}");
}
