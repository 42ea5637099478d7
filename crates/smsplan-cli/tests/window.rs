//! `smsplan window` follows its CLI contract.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "test helpers")]

mod common;

use serde_json::{Value, json};

fn run(args: &[&str]) -> (Value, i32, String) {
    common::run("window", args)
}

fn window(policy: &str, at: &str, tz: &str) -> Value {
    let (v, code, err) = run(&["--policy", policy, "--at", at, "--tz", tz]);
    assert_eq!(code, 0, "{err}");
    v
}

#[test]
fn saturday_1959_allowed_with_the_instant_itself() {
    assert_eq!(
        window("fr-commercial", "2026-06-13T19:59:00+02:00", "Europe/Paris"),
        json!({"allowed": true, "next_allowed": "2026-06-13T19:59:00+02:00",
               "window_end": "2026-06-13T20:00:00+02:00", "tz": "Europe/Paris", "policy": "fr-commercial"})
    );
}

#[test]
fn saturday_2000_is_closed_until_monday() {
    // Half-open window; Sunday closed.
    assert_eq!(
        window("fr-commercial", "2026-06-13T20:00:00+02:00", "Europe/Paris"),
        json!({"allowed": false, "next_allowed": "2026-06-15T08:00:00+02:00",
               "window_end": "2026-06-15T20:00:00+02:00", "tz": "Europe/Paris", "policy": "fr-commercial"})
    );
}

#[test]
fn easter_monday_and_alsace_moselle_saint_stephen() {
    // Easter Monday 2026-04-06 is closed: Tuesday 08:00.
    let v = window("fr-commercial", "2026-04-06T10:00:00+02:00", "Europe/Paris");
    assert_eq!(v["next_allowed"], "2026-04-07T08:00:00+02:00");
    // Saturday 26 December 2026 is open in France but closed in Alsace-Moselle.
    let v = window("fr-commercial", "2026-12-26T10:00:00+01:00", "Europe/Paris");
    assert_eq!(v["allowed"], true);
    let v = window(
        "fr-alsace-moselle",
        "2026-12-26T10:00:00+01:00",
        "Europe/Paris",
    );
    assert_eq!(v["next_allowed"], "2026-12-28T08:00:00+01:00");
}

#[test]
fn new_york_spring_forward() {
    // Saturday 2026-03-07 22:00 EST → Sunday 08:00 EDT (clocks jumped at 02:00).
    let v = window("us-tcpa", "2026-03-07T22:00:00-05:00", "America/New_York");
    assert_eq!(v["next_allowed"], "2026-03-08T08:00:00-04:00");
    assert_eq!(v["window_end"], "2026-03-08T21:00:00-04:00");
}

#[test]
fn paris_fall_back() {
    // Sunday 2026-10-25 is closed; Monday opens at 08:00 CET (+01:00).
    let v = window("fr-commercial", "2026-10-24T21:00:00+02:00", "Europe/Paris");
    assert_eq!(v["next_allowed"], "2026-10-26T08:00:00+01:00");
}

#[test]
fn several_zones_are_intersected_and_listed() {
    // 12:30 UTC: 08:30 in New York (allowed), 05:30 in Los Angeles (not).
    let v = window(
        "us-tcpa",
        "2026-06-10T12:30:00Z",
        "America/New_York,America/Los_Angeles",
    );
    assert_eq!(
        v,
        json!({"allowed": false, "next_allowed": "2026-06-10T11:00:00-04:00",
               "window_end": "2026-06-10T21:00:00-04:00",
               "tz": "America/New_York,America/Los_Angeles", "policy": "us-tcpa"})
    );
    assert_eq!(
        window("us-tcpa", "2026-06-10T12:30:00Z", "America/New_York")["allowed"],
        true
    );
}

#[test]
fn texas_sunday_morning() {
    let v = window("us-tx", "2026-06-14T10:00:00-05:00", "America/Chicago");
    assert_eq!(v["next_allowed"], "2026-06-14T12:00:00-05:00");
}

/// Checks Monday 2026-06-15 09:00 in Paris against a policy file with this text (`name`
/// keeps the temporary files of parallel tests apart).
fn with_policy_file(name: &str, policy: &str) -> (Value, i32, String) {
    let dir = std::env::temp_dir().join(format!("smsplan-window-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("p.json");
    std::fs::write(&path, policy).unwrap();
    let out = run(&[
        "--policy-file",
        path.to_str().unwrap(),
        "--at",
        "2026-06-15T09:00:00+02:00",
        "--tz",
        "Europe/Paris",
    ]);
    std::fs::remove_dir_all(&dir).unwrap();
    out
}

#[test]
fn user_policy_file() {
    let (v, code, err) = with_policy_file(
        "user",
        r#"{"format": "smsplan.policy/v1", "name": "lunch", "days": {"monday": ["12:00-14:00"]}}"#,
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(v["policy"], "lunch");
    assert_eq!(v["next_allowed"], "2026-06-15T12:00:00+02:00");
}

#[test]
fn bad_arguments_exit_2_with_a_message() {
    let (_, code, err) = run(&[
        "--policy",
        "fr",
        "--at",
        "2026-06-10T12:30:00Z",
        "--tz",
        "Europe/Paris",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("unknown policy"), "{err}");
    let (_, code, err) = run(&[
        "--policy",
        "us-tcpa",
        "--at",
        "2026-06-10 12:30",
        "--tz",
        "Europe/Paris",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("RFC 3339"), "{err}");
    let (_, code, err) = run(&[
        "--policy",
        "us-tcpa",
        "--at",
        "2026-06-10T12:30:00Z",
        "--tz",
        "Mars/Olympus",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("Mars/Olympus"), "{err}");
    let (_, code, _) = run(&["--policy", "us-tcpa", "--at", "2026-06-10T12:30:00Z"]);
    assert_eq!(code, 2);
}

fn by_number(policy: &str, at: &str, number: &str) -> (Value, i32, String) {
    run(&["--policy", policy, "--at", at, "--number", number])
}

#[test]
fn a_new_york_number_and_a_los_angeles_number_at_the_same_instant() {
    // 12:30 UTC = 08:30 EDT (allowed) = 05:30 PDT (opens 08:00 PDT).
    let (ny, code, err) = by_number("us-tcpa", "2026-06-10T12:30:00Z", "+12125550100");
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        ny,
        json!({"allowed": true, "next_allowed": "2026-06-10T08:30:00-04:00",
               "window_end": "2026-06-10T21:00:00-04:00", "tz": "America/New_York", "policy": "us-tcpa"})
    );
    let (la, _, _) = by_number("us-tcpa", "2026-06-10T12:30:00Z", "+13105550100");
    assert_eq!(
        la,
        json!({"allowed": false, "next_allowed": "2026-06-10T08:00:00-07:00",
               "window_end": "2026-06-10T21:00:00-07:00", "tz": "America/Los_Angeles", "policy": "us-tcpa"})
    );
}

#[test]
fn a_number_in_several_zones_must_be_allowed_in_all() {
    // Area code 701 (North Dakota) spans Central and Mountain time: 13:30 UTC is 08:30 CDT
    // but 07:30 MDT, so the send waits for 08:00 MDT (14:00 UTC).
    let (v, code, err) = by_number("us-tcpa", "2026-06-10T13:30:00Z", "+17015550100");
    assert_eq!(code, 0, "{err}");
    let tz = v["tz"].as_str().unwrap();
    assert!(tz.contains(',') && tz.contains("America/Denver"), "{tz}");
    assert_eq!(v["allowed"], false);
    let next = chrono::DateTime::parse_from_rfc3339(v["next_allowed"].as_str().unwrap()).unwrap();
    assert_eq!(next.to_utc().to_rfc3339(), "2026-06-10T14:00:00+00:00");
}

#[test]
fn a_number_without_a_zone_is_refused_not_guessed() {
    let (v, code, err) = by_number("us-tcpa", "2026-06-10T12:30:00Z", "+80012345678");
    assert_eq!((v, code), (Value::Null, 2));
    assert!(err.contains("time zone is unknown"), "{err}");
    // Numbers are masked on standard error too.
    assert!(err.contains("--number +800 1• •• •• 78"), "{err}");
    let (_, code, err) = by_number("us-tcpa", "2026-06-10T12:30:00Z", "0612345678");
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--number \"0• •• •• •• 78\""), "{err}");
    assert!(!err.contains("612345"), "{err}");
    // --tz and --number exclude each other.
    let (_, code, _) = run(&[
        "--policy",
        "us-tcpa",
        "--at",
        "2026-06-10T12:30:00Z",
        "--tz",
        "UTC",
        "--number",
        "+12125550100",
    ]);
    assert_eq!(code, 2);
}

#[test]
fn several_policies_are_intersected_and_listed() {
    // Federal + Texas on a Sunday morning in Texas: the state's noon opening wins.
    let v = window(
        "us-tcpa,us-tx",
        "2026-06-14T10:00:00-05:00",
        "America/Chicago",
    );
    assert_eq!(
        v,
        json!({"allowed": false, "next_allowed": "2026-06-14T12:00:00-05:00",
               "window_end": "2026-06-14T21:00:00-05:00", "tz": "America/Chicago", "policy": "us-tcpa,us-tx"})
    );
}

#[test]
fn an_instant_beyond_the_calendars_says_why() {
    let (v, code, err) = run(&[
        "--policy",
        "fr-commercial",
        "--at",
        "9999-12-31T23:00:00Z",
        "--tz",
        "Europe/Paris",
    ]);
    assert_eq!((v, code), (Value::Null, 2));
    assert!(
        err.contains("year 10000 is outside the supported years"),
        "{err}"
    );
}

#[test]
fn a_bad_holiday_rule_says_which_holiday_and_why() {
    // Before: an offset of i32::MAX said "year 2000 is outside the supported years", and a
    // day that no month has named holiday "".
    for (rule, want) in [
        (
            r#"{"kind": "easter", "offset_days": 2147483647}"#,
            "holidays.custom[0].rule: holiday \"Founders\": an Easter offset of 2147483647 days leaves the calendar",
        ),
        (
            r#"{"kind": "fixed", "month": 4, "day": 31}"#,
            "holidays.custom[0].rule: holiday \"Founders\": month 4, day 31 is not a calendar day",
        ),
    ] {
        let policy = format!(
            r#"{{"format": "smsplan.policy/v1", "name": "acme", "days": {{"monday": ["08:00-20:00"]}},
               "holidays": {{"custom": [{{"name": "Founders", "rule": {rule}}}]}}}}"#
        );
        let (v, code, err) = with_policy_file("rule", &policy);
        assert_eq!((v, code), (Value::Null, 2));
        assert!(err.contains(want), "{err}");
    }
}
