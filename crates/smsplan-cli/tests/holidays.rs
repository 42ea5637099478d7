//! `smsplan holidays` follows its CLI contract.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "test helpers")]

mod common;

use serde_json::{Value, json};

fn run(args: &[&str]) -> (Value, i32, String) {
    common::run("holidays", args)
}

#[test]
fn france_2026_lists_eleven_days_sorted_by_date() {
    let (v, code, _) = run(&["--calendar", "fr", "--year", "2026"]);
    assert_eq!(code, 0);
    let days = v.as_array().unwrap();
    assert_eq!(days.len(), 11);
    assert_eq!(
        days[0],
        json!({"date": "2026-01-01", "name": "New Year's Day"})
    );
    assert_eq!(
        days[1],
        json!({"date": "2026-04-06", "name": "Easter Monday"})
    );
    assert_eq!(
        days[4],
        json!({"date": "2026-05-14", "name": "Ascension Day"})
    );
    let dates: Vec<&str> = days.iter().map(|d| d["date"].as_str().unwrap()).collect();
    let mut sorted = dates.clone();
    sorted.sort_unstable();
    assert_eq!(dates, sorted);
}

#[test]
fn alsace_moselle_adds_good_friday_and_saint_stephen() {
    let (v, code, _) = run(&["--calendar", "fr-alsace-moselle", "--year", "2026"]);
    assert_eq!(code, 0);
    let days = v.as_array().unwrap();
    assert_eq!(days.len(), 13);
    assert!(days.contains(&json!({"date": "2026-04-03", "name": "Good Friday"})));
    assert_eq!(
        days[12],
        json!({"date": "2026-12-26", "name": "Saint Stephen's Day"})
    );
}

#[test]
fn us_gives_actual_dates_without_observed_shift() {
    // 4 July 2026 is a Saturday: the actual date, not Friday 3 July.
    let (v, code, _) = run(&["--calendar", "us", "--year", "2026"]);
    assert_eq!(code, 0);
    let days = v.as_array().unwrap();
    assert_eq!(days.len(), 11);
    assert!(days.contains(&json!({"date": "2026-07-04", "name": "Independence Day"})));
    assert!(!days.iter().any(|d| d["date"] == "2026-07-03"));
}

#[test]
fn history_is_followed() {
    // 8 May was not a public holiday in 1981; Juneteenth starts in 2021.
    let (v, _, _) = run(&["--calendar", "fr", "--year", "1981"]);
    assert!(
        !v.as_array()
            .unwrap()
            .iter()
            .any(|d| d["date"] == "1981-05-08")
    );
    let (v, _, _) = run(&["--calendar", "us", "--year", "2020"]);
    assert!(
        !v.as_array()
            .unwrap()
            .iter()
            .any(|d| d["date"] == "2020-06-19")
    );
}

#[test]
fn unknown_calendar_and_bad_year_exit_2_with_a_message() {
    let (v, code, err) = run(&["--calendar", "de", "--year", "2026"]);
    assert_eq!((v, code), (Value::Null, 2));
    assert!(err.contains("unknown calendar"), "{err}");
    let (_, code, err) = run(&["--calendar", "fr", "--year", "1200"]);
    assert_eq!(code, 2);
    assert!(err.contains("1200"), "{err}");
}

#[test]
fn us_observed_days_on_request() {
    // 2027: Juneteenth (Saturday) → Friday 18 June; Independence Day (Sunday) → Monday 5 July;
    // Christmas (Saturday) → Friday 24 December; New Year 2028 (Saturday) → Friday 31 December.
    let (v, code, _) = run(&["--calendar", "us", "--year", "2027", "--observed"]);
    assert_eq!(code, 0);
    let days = v.as_array().unwrap();
    for (date, name) in [
        (
            "2027-06-18",
            "Juneteenth National Independence Day (observed)",
        ),
        ("2027-07-05", "Independence Day (observed)"),
        ("2027-12-24", "Christmas Day (observed)"),
        ("2027-12-31", "New Year's Day (observed)"),
    ] {
        assert!(
            days.contains(&json!({"date": date, "name": name})),
            "{date}"
        );
    }
    assert_eq!(
        days.len(),
        12,
        "New Year's Day 2027 (Friday) and 2028's observed day"
    );
    let (_, code, err) = run(&["--calendar", "fr", "--year", "2027", "--observed"]);
    assert_eq!(code, 2);
    assert!(err.contains("only us"), "{err}");
}

#[test]
fn the_last_supported_year_observes_the_next_new_year() {
    // 10000-01-01 is a Saturday, observed on Friday 9999-12-31; it used to be left out.
    let (v, code, err) = run(&["--calendar", "us", "--year", "9999", "--observed"]);
    assert_eq!(code, 0, "{err}");
    let days = v.as_array().unwrap();
    assert_eq!(
        days.last().unwrap(),
        &json!({"date": "9999-12-31", "name": "New Year's Day (observed)"})
    );
}
