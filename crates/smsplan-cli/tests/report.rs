//! `smsplan report`: the bundled campaign's plan to HTML, from a file or standard input,
//! and errors that leave an existing report as it was.

use std::process::Command;

fn smsplan(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_smsplan"))
        .args(args)
        .output()
        .unwrap()
}

fn sample_plan(dir: &std::path::Path) -> std::path::PathBuf {
    let campaign = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../testdata/sample/campaign.json"
    );
    let out = smsplan(&["plan", campaign, "--now", "2026-12-20T10:00:00+01:00"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let path = dir.join("plan.json");
    std::fs::write(&path, out.stdout).unwrap();
    path
}

fn scratch(tag: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("smsplan-cli-report-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn report_writes_the_html_of_the_bundled_campaign() {
    let dir = scratch("file");
    let plan = sample_plan(&dir);
    let html = dir.join("report.html");
    let out = smsplan(&[
        "report",
        plan.to_str().unwrap(),
        "-o",
        html.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.stdout.is_empty());
    let text = std::fs::read_to_string(&html).unwrap();
    assert!(text.starts_with("<!DOCTYPE html>"));
    assert!(text.contains(r#"<dd data-figure="cost">91.755 EUR</dd>"#));
    // `-` reads standard input and no `-o` writes to standard output.
    let piped = Command::new(env!("CARGO_BIN_EXE_smsplan"))
        .args(["report", "-"])
        .stdin(std::fs::File::open(&plan).unwrap())
        .output()
        .unwrap();
    assert!(piped.status.success());
    assert_eq!(String::from_utf8(piped.stdout).unwrap(), text);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn report_errors_exit_2_and_leave_the_previous_report() {
    let dir = scratch("errors");
    let html = dir.join("report.html");
    std::fs::write(&html, "previous").unwrap();
    let missing = smsplan(&[
        "report",
        "/nonexistent/plan.json",
        "-o",
        html.to_str().unwrap(),
    ]);
    assert_eq!(missing.status.code(), Some(2));
    let stderr = String::from_utf8(missing.stderr).unwrap();
    assert!(
        stderr.contains("cannot read /nonexistent/plan.json"),
        "{stderr}"
    );
    let bad = dir.join("bad.json");
    std::fs::write(
        &bad,
        r#"{"format": "smsplan.plan/v1", "recipients": [{"contact": 1}]}"#,
    )
    .unwrap();
    let out = smsplan(&[
        "report",
        bad.to_str().unwrap(),
        "-o",
        html.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("the plan's recipients[0]: not a smsplan.plan/v1 document"),
        "{stderr}"
    );
    assert!(stderr.contains("at line 1 column 58"), "{stderr}");
    assert_eq!(std::fs::read_to_string(&html).unwrap(), "previous");
    let _ = std::fs::remove_dir_all(dir);
}
