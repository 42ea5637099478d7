//! `smsplan campaign`: the lifecycle as separate commands on one SQLite file, the JSON
//! contract of each step, errors with exit status 2, `kannel-config`, `demo`, and the
//! report of a stored campaign.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn smsplan(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_smsplan"))
        .args(args)
        .env("USER", "tester")
        .output()
        .unwrap()
}

fn ok(args: &[&str]) -> Value {
    let out = smsplan(args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{args:?}: {e}: {}", String::from_utf8_lossy(&out.stdout)))
}

fn scratch(tag: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("smsplan-cli-campaign-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn sample() -> &'static str {
    concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../testdata/sample/campaign.json"
    )
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn the_lifecycle_runs_step_by_step_on_one_store_file() {
    let dir = scratch("steps");
    let db = dir.join("c.db");
    let db = s(&db);
    // --db before the subcommand...
    let created = ok(&[
        "campaign",
        "--db",
        db,
        "create",
        sample(),
        "--id",
        "winter",
        "--now",
        "2026-12-20T09:00:00+01:00",
    ]);
    assert_eq!(created, serde_json::json!({"campaign": "winter"}));
    // ...or after it.
    let prepared = ok(&[
        "campaign",
        "prepare",
        "winter",
        "--db",
        db,
        "--now",
        "2026-12-20T10:00:00+01:00",
    ]);
    assert_eq!(prepared["state"], "prepared");
    assert_eq!(prepared["totals"]["recipients"], 1883);
    let test = prepared["checklist"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "test_sms")
        .unwrap()
        .clone();
    assert_eq!(test["status"], "warn");
    let sent = ok(&[
        "campaign",
        "--db",
        db,
        "test-sms",
        "winter",
        "--to",
        "+33612345678",
        "--gateway",
        "simulate",
        "--now",
        "2026-12-20T10:01:00+01:00",
    ]);
    assert_eq!(sent["parts"], 1);
    assert!(sent["gateway"].as_str().unwrap().contains("simulat"));
    assert!(
        !sent.to_string().contains("612345678"),
        "the number is masked: {sent}"
    );
    let again = ok(&[
        "campaign",
        "--db",
        db,
        "prepare",
        "winter",
        "--now",
        "2026-12-20T10:02:00+01:00",
    ]);
    let test = again["checklist"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "test_sms")
        .unwrap()
        .clone();
    assert_eq!(test["status"], "pass");
    // Running before approval is refused, exit 2, the reason on standard error.
    let early = smsplan(&[
        "campaign",
        "--db",
        db,
        "run",
        "winter",
        "--gateway",
        "simulate",
        "--virtual-clock",
        "--now",
        "2026-12-20T10:03:00+01:00",
    ]);
    assert_eq!(early.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&early.stderr).contains("approv"),
        "{}",
        String::from_utf8_lossy(&early.stderr)
    );
    let approved = ok(&[
        "campaign",
        "--db",
        db,
        "approve",
        "winter",
        "--by",
        "bob",
        "--now",
        "2026-12-20T11:00:00+01:00",
    ]);
    assert_eq!(
        approved,
        serde_json::json!({"campaign": "winter", "state": "approved", "by": "bob"})
    );
    let confirmed = ok(&[
        "campaign",
        "--db",
        db,
        "confirm",
        "winter",
        "--now",
        "2026-12-20T11:01:00+01:00",
    ]);
    assert_eq!(confirmed["state"], "scheduled");
    assert_eq!(confirmed["by"], "tester", "the actor defaults to $USER");
    let before = ok(&[
        "campaign",
        "--db",
        db,
        "status",
        "winter",
        "--now",
        "2026-12-20T11:02:00+01:00",
    ]);
    for field in [
        "state",
        "recipients",
        "submitted",
        "delivered",
        "failed",
        "expired",
        "held",
        "opted_out",
        "in_doubt",
        "percent_complete",
        "next_window",
    ] {
        assert!(before.get(field).is_some(), "status has {field}: {before}");
    }
    assert_eq!(before["submitted"], 0);
    assert_eq!(before["next_window"], "2026-12-24T18:45:00+00:00");
    let events = dir.join("events.jsonl");
    let run = ok(&[
        "campaign",
        "--db",
        db,
        "run",
        "winter",
        "--gateway",
        "simulate",
        "--virtual-clock",
        "--now",
        "2026-12-20T11:05:00+01:00",
        "--events",
        s(&events),
    ]);
    assert_eq!(run["finish"], "completed");
    assert_eq!(run["status"]["delivered"], 1883);
    assert_eq!(run["status"]["percent_complete"], 100.0);
    let lines: Vec<Value> = std::fs::read_to_string(&events)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let submitted = lines.iter().filter(|e| e["event"] == "submitted").count();
    assert_eq!(submitted as u64, run["parts_submitted"].as_u64().unwrap());
    let first = &lines[0];
    assert_eq!(first["event"], "submitted");
    assert_eq!(first["at"], "2026-12-24T18:45:00Z");
    assert!(first["contact"].is_string() && first["part"] == 1 && first["parts"].is_number());
    // Running again is a no-op on a finished campaign.
    let rerun = ok(&[
        "campaign",
        "--db",
        db,
        "run",
        "winter",
        "--gateway",
        "simulate",
        "--virtual-clock",
        "--now",
        "2026-12-27T00:00:00+01:00",
    ]);
    assert_eq!(rerun["finish"], "already_over");
    assert_eq!(rerun["parts_submitted"], 0);
    let audit = ok(&["campaign", "--db", db, "audit", "winter"]);
    let events: Vec<&str> = audit["audit"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["event"].as_str().unwrap())
        .collect();
    assert_eq!(
        events,
        [
            "prepare", "reopen", "prepare", "submit", "approve", "schedule", "confirm", "start",
            "complete"
        ]
    );
    let human = smsplan(&["campaign", "--db", db, "status", "winter", "--human"]);
    let human = String::from_utf8_lossy(&human.stdout);
    assert!(
        human.contains("completed") && human.contains("1883 delivered"),
        "{human}"
    );

    // The stored campaign's report has the delivery section.
    let report = dir.join("report.html");
    let out = smsplan(&["report", "--db", db, "winter", "-o", s(&report)]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let html = std::fs::read_to_string(&report).unwrap();
    assert!(html.contains("Delivery"), "delivery section");
    assert!(html.contains("1883") || html.contains("1,883"));
}

#[test]
fn errors_name_what_is_wrong_and_exit_2() {
    let dir = scratch("errors");
    let db = dir.join("c.db");
    let db = s(&db);
    let cases: &[(&[&str], &str)] = &[
        (&["campaign", "prepare", "nope"], "--db"),
        (
            &[
                "campaign",
                "--db",
                db,
                "prepare",
                "nope",
                "--now",
                "2026-12-20T10:00:00+01:00",
            ],
            "nope",
        ),
        (
            &["campaign", "--db", db, "create", "/no/such/file.json"],
            "/no/such/file.json",
        ),
    ];
    for (args, needle) in cases {
        let out = smsplan(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(needle), "{args:?}: {err}");
    }
    ok(&["campaign", "--db", db, "create", sample(), "--id", "w"]);
    let twice = smsplan(&["campaign", "--db", db, "create", sample(), "--id", "w"]);
    assert_eq!(twice.status.code(), Some(2));
    let reject = smsplan(&[
        "campaign",
        "--db",
        db,
        "reject",
        "w",
        "--reason",
        "too early",
    ]);
    assert_eq!(reject.status.code(), Some(2), "a draft cannot be rejected");
    let virtual_kannel = smsplan(&[
        "campaign",
        "--db",
        db,
        "run",
        "w",
        "--gateway",
        "kannel",
        "--virtual-clock",
    ]);
    assert_eq!(virtual_kannel.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&virtual_kannel.stderr).contains("--virtual-clock"));
}

#[test]
fn kannel_config_prints_the_sms_service_group_for_the_listener() {
    let dir = scratch("conf");
    let secret = dir.join("secret");
    std::fs::write(&secret, "0123456789abcdef-secret\n").unwrap();
    let out = smsplan(&[
        "campaign",
        "kannel-config",
        "--listen",
        "127.0.0.1:14999",
        "--secret-file",
        s(&secret),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("group = sms-service"), "{text}");
    assert!(
        text.contains("get-url = \"http://127.0.0.1:14999/mo?k=0123456789abcdef-secret&"),
        "{text}"
    );
    let short = dir.join("short");
    std::fs::write(&short, "short").unwrap();
    let out = smsplan(&["campaign", "kannel-config", "--secret-file", s(&short)]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn the_demo_runs_the_whole_lifecycle_of_the_bundled_campaign() {
    let out = smsplan(&["campaign", "demo", "--human"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    for needle in [
        "simulated",
        "approved by bob",
        "audit trail:",
        "complete",
        "1883 delivered",
        "100.0 % complete",
    ] {
        assert!(text.contains(needle), "{needle:?} in {text}");
    }
    let json = ok(&["campaign", "demo"]);
    assert_eq!(json["finish"], "completed");
    assert_eq!(json["first_submit"], "2026-12-24T18:45:00Z");
}
