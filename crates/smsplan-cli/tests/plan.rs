//! `smsplan plan`: exit status 0 with a plan, 2 with a located error, never a panic.

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test helpers over known-good fixtures"
)]

use std::path::PathBuf;
use std::process::Command;

fn golden(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../smsplan-formats/tests/golden/v1/campaign")
        .join(name)
}

fn run(path: &std::path::Path) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_smsplan"))
        .args([
            "plan",
            path.to_str().unwrap(),
            "--now",
            "2026-12-20T10:00:00+01:00",
        ])
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

/// Plans a campaign given as text (written to a temporary file of its own, `name`).
fn run_text(name: &str, text: &str) -> (i32, String, String) {
    let dir = std::env::temp_dir().join(format!("smsplan-plan-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("campaign.json");
    std::fs::write(&path, text).unwrap();
    let out = run(&path);
    std::fs::remove_dir_all(&dir).unwrap();
    out
}

#[test]
fn a_plan_is_written_with_status_0() {
    let (code, stdout, _) = run(&golden("minimal.json"));
    assert_eq!(code, 0);
    let plan: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(plan["format"], "smsplan.plan/v1");
    assert_eq!(
        plan["recipients"][0]["send_at"],
        "2026-12-26T08:00:00+01:00"
    );
}

#[test]
fn failing_checks_still_exit_0() {
    let (code, stdout, _) = run(&golden("recurring-us.json"));
    assert_eq!(code, 0);
    let plans: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(plans.as_array().unwrap().len(), 3);
    assert_eq!(plans[0]["state"], "draft");
}

#[test]
fn broken_json_names_line_and_column_with_status_2() {
    let dir = std::env::temp_dir().join(format!("smsplan-plan-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("broken.json");
    std::fs::write(
        &path,
        "{\n  \"format\": \"smsplan.campaign/v1\",\n  \"name\": \n}",
    )
    .unwrap();
    let (code, stdout, stderr) = run(&path);
    assert_eq!(code, 2);
    assert!(stdout.is_empty());
    assert!(stderr.contains("line 4, column 1"), "{stderr}");

    let text = std::fs::read_to_string(golden("minimal.json")).unwrap();
    std::fs::write(&path, text.replacen("\"later\"", "\"soon\"", 1)).unwrap();
    let (code, _, stderr) = run(&path);
    assert_eq!(code, 2);
    assert!(stderr.contains("field `schedule.mode`"), "{stderr}");

    let at = text.rfind("\"vip\"").unwrap();
    let unknown = format!("{}\"vipx\"{}", &text[..at], &text[at + 5..]);
    std::fs::write(&path, unknown).unwrap();
    let (code, _, stderr) = run(&path);
    assert_eq!(code, 2);
    assert!(stderr.contains("vipx"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_value_of_the_wrong_type_names_its_field_line_and_column() {
    // It used to say `line 33, column 19: expected value`, naming no field.
    let text = std::fs::read_to_string(golden("minimal.json")).unwrap();
    let (code, stdout, stderr) = run_text("type", &text.replacen("\"unsubscribed\"", "42", 1));
    assert_eq!(code, 2);
    assert!(stdout.is_empty());
    assert!(
        stderr.contains("field `contacts[1].consent.status` (line 33, column 19)"),
        "{stderr}"
    );
    assert!(stderr.contains("integer `42`"), "{stderr}");
}

/// Before: `--threads 50000` started one thread per recipient chunk (about 3,000 here) and
/// panicked with "failed to spawn thread" once the address space ran out; now the threads
/// are capped and the plan is the same as on one thread.
#[cfg(target_os = "linux")]
#[test]
fn tens_of_thousands_of_threads_are_capped_not_a_panic() {
    let sample =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../testdata/sample/campaign.json");
    let plan = |threads: &str, limit_kib: &str| {
        // A 2 GB address space (and few malloc arenas) is room for the capped threads'
        // stacks, not for 3,000 of them.
        Command::new("sh")
            .args(["-c", "ulimit -v \"$0\" && exec \"$@\"", limit_kib])
            .arg(env!("CARGO_BIN_EXE_smsplan"))
            .args([
                "plan",
                sample.to_str().unwrap(),
                "--now",
                "2026-12-20T10:00:00+01:00",
            ])
            .args(["--threads", threads])
            .env("MALLOC_ARENA_MAX", "2")
            .output()
            .unwrap()
    };
    let one = plan("1", "unlimited");
    assert_eq!(one.status.code(), Some(0));
    let many = plan("50000", "2000000");
    let stderr = String::from_utf8_lossy(&many.stderr);
    assert_eq!(many.status.code(), Some(0), "{stderr}");
    assert!(many.stdout == one.stdout, "the plan depends on the threads");
}

#[test]
fn the_test_sms_needs_a_valid_number_and_must_be_sent_by_now() {
    // Before: both passed the check ("test SMS sent to not a number").
    let text = std::fs::read_to_string(golden("custom-policy.json")).unwrap();
    let check = |text: String| {
        let (code, stdout, stderr) = run_text("test-sms", &text);
        assert_eq!(code, 0, "{stderr}");
        let plan: serde_json::Value = serde_json::from_str(&stdout).unwrap();
        let checks = plan["checklist"].as_array().unwrap();
        checks
            .iter()
            .find(|c| c["id"] == "test_sms")
            .unwrap()
            .clone()
    };
    // `--now` is 2026-12-20T10:00:00+01:00: a test at that instant was sent, one a second
    // later was not yet.
    assert_eq!(check(text.clone())["status"], "pass");
    let later = check(text.replacen("2026-12-20T10:00:00+01:00", "2026-12-20T10:00:01+01:00", 1));
    assert_eq!(later["status"], "fail", "{later}");

    let bad = text.replacen("+4915123456789", "not a number", 1);
    let (code, stdout, stderr) = run_text("test-sms-number", &bad);
    assert_eq!(code, 2);
    assert!(stdout.is_empty());
    assert!(stderr.contains("field `test_sms.to`"), "{stderr}");
}

#[test]
fn an_exclusion_detail_keeps_its_cause() {
    // Before: a window search leaving the holiday calendar's years excluded everyone with
    // the detail "holiday calendar". On 9999-12-31 at 21:00 the next window is in 10000.
    let text = std::fs::read_to_string(golden("minimal.json")).unwrap();
    let last_day = text
        .replacen("2026-12-24T20:30", "9999-12-31T21:00", 1)
        .replacen("\"deadline\": \"2026-12-31T20:00:00+01:00\",", "", 1);
    let (code, stdout, stderr) = run_text("cause", &last_day);
    assert_eq!(code, 0, "{stderr}");
    let plan: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let first = &plan["excluded"][0];
    assert_eq!(first["reason"], "no_window", "{first}");
    assert_eq!(
        first["detail"],
        "holiday calendar: year 10000 is outside the supported years 1583..=9999"
    );
}

#[test]
fn large_audiences_report_progress_on_stderr() {
    let n = 10_000;
    let contacts: Vec<String> = (0..n)
        .map(|i| {
            format!(
                r#"{{"id":"c{i}","phone":"06 12 {:02} {:02} {:02}","consent":{{"status":"subscribed"}}}}"#,
                i / 10_000 % 100,
                i / 100 % 100,
                i % 100
            )
        })
        .collect();
    let members: Vec<String> = (0..n).map(|i| format!("\"c{i}\"")).collect();
    let text = format!(
        r#"{{"format":"smsplan.campaign/v1","name":"big","project":{{"key":"email","default_region":"FR"}},
"contacts":[{}],"groups":[{{"id":"all","members":[{}]}}],"audience":{{"groups":["all"]}},
"message":{{"template":"Soldes STOP 36111"}},"schedule":{{"mode":"now"}},
"credits":{{"balance":"1000.00","price_per_segment":"0.045","currency":"EUR"}}}}"#,
        contacts.join(","),
        members.join(",")
    );
    let dir = std::env::temp_dir().join(format!("smsplan-plan-big-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("big.json");
    std::fs::write(&path, text).unwrap();
    let (code, stdout, stderr) = run(&path);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("read 10000 contacts"), "{stderr}");
    assert!(stderr.contains("planned 10000 messages"), "{stderr}");
    let plan: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(plan["totals"]["recipients"], 10_000);
    std::fs::remove_dir_all(&dir).unwrap();
}

fn run_at(path: &std::path::Path, now: &str) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_smsplan"))
        .args(["plan", path.to_str().unwrap(), "--now", now])
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn a_schedule_before_now_or_a_passed_deadline_is_refused_with_status_2() {
    // The golden sends on 2026-12-24 20:30 Paris with a deadline on the 31st.
    let (code, stdout, stderr) = run_at(&golden("minimal.json"), "2026-12-25T10:00:00+01:00");
    assert_eq!(code, 2, "{stdout}");
    assert!(stdout.is_empty());
    assert!(
        stderr.contains(
            "scheduled instant 2026-12-24T19:30:00+00:00 is before now (2026-12-25T09:00:00+00:00)"
        ),
        "{stderr}"
    );
    let (code, _, stderr) = run_at(&golden("minimal.json"), "2027-01-02T10:00:00+01:00");
    assert_eq!(code, 2);
    assert!(
        stderr.contains("deadline 2026-12-31T19:00:00+00:00 is not after now"),
        "{stderr}"
    );
}

#[test]
fn a_policy_map_that_leaves_france_out_gives_a_draft_not_a_silent_send() {
    let dir = std::env::temp_dir().join(format!("smsplan-plan-map-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("campaign.json");
    let text = std::fs::read_to_string(golden("minimal.json")).unwrap();
    let start = text.find("\"policies\": {").unwrap() + "\"policies\": ".len();
    let end = start + text[start..].find('}').unwrap() + 1;
    for (map, code, words) in [
        (r#"{"US": ["us-tcpa"]}"#, 0, "legal_window"),
        (r#"{"FR": []}"#, 2, "[\"none\"]"),
        (r#"{"F R": ["fr-commercial"]}"#, 2, "schedule.policies.F R"),
        (
            r#"{"FR": ["fr-commercial"], "FR": ["none"]}"#,
            2,
            "given twice",
        ),
    ] {
        std::fs::write(&path, format!("{}{map}{}", &text[..start], &text[end..])).unwrap();
        let (got, stdout, stderr) = run(&path);
        assert_eq!(got, code, "{map}: {stderr}");
        if code == 0 {
            let plan: serde_json::Value = serde_json::from_str(&stdout).unwrap();
            assert_eq!(plan["state"], "draft", "{map}");
            let check = plan["checklist"]
                .as_array()
                .unwrap()
                .iter()
                .find(|c| c["id"] == words)
                .unwrap();
            assert_eq!(check["status"], "fail", "{map}");
            assert!(
                check["detail"].as_str().unwrap().contains("in FR"),
                "{check}"
            );
        } else {
            assert!(stderr.contains(words), "{map}: {stderr}");
        }
    }
}
