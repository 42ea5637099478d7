//! The conventions every command follows: `FILE` or `-`, `-o FILE`, one JSON style rule, a
//! quiet end on a closed pipe, exit statuses 0–3, completions, manual pages and help.
#![allow(
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests"
)]

mod common;

use std::io::{Read, Write};
use std::process::{Command, Stdio};

use common::{golden_campaign, sample, smsplan, temp_dir};

const NOW: &str = "2026-12-20T10:00:00+01:00";

/// Runs `args`, feeding `input` on standard input from a thread, reads `keep` bytes of the
/// output and closes it: the status and standard error of the command.
fn close_output_early(args: &[&str], input: Vec<u8>, keep: usize) -> (i32, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_smsplan"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    // The command may stop reading once its output is gone: a broken pipe here is expected.
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&input);
    });
    let mut stdout = child.stdout.take().unwrap();
    let mut head = vec![0; keep];
    stdout.read_exact(&mut head).unwrap();
    drop(stdout);
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    let status = child.wait().unwrap();
    writer.join().unwrap();
    (status.code().unwrap(), stderr)
}

#[test]
fn a_closed_pipe_ends_a_streaming_command_quietly_with_status_0() {
    let input = "\"Hello, winter sale -20% today\"\n"
        .repeat(200_000)
        .into_bytes();
    let (code, stderr) = close_output_early(&["fragments"], input, 100);
    assert_eq!((code, stderr.as_str()), (0, ""));
}

#[test]
fn a_closed_pipe_ends_a_document_command_quietly_with_status_0() {
    // The sample plan is about 500 KB, far more than a pipe holds.
    let campaign = std::fs::read(sample("campaign.json")).unwrap();
    let (code, stderr) = close_output_early(&["plan", "-", "--now", NOW], campaign, 10);
    assert_eq!((code, stderr.as_str()), (0, ""));
}

#[test]
fn a_file_a_dash_and_no_argument_read_the_same_lines() {
    let path = sample("messages.jsonl");
    let text = std::fs::read_to_string(&path).unwrap();
    let from_file = smsplan(&["fragments", &path], "");
    let from_dash = smsplan(&["fragments", "-"], &text);
    let from_stdin = smsplan(&["fragments"], &text);
    assert_eq!(from_file.code, 0, "{}", from_file.stderr);
    assert!(!from_file.stdout.is_empty());
    assert_eq!(from_file.stdout, from_dash.stdout);
    assert_eq!(from_file.stdout, from_stdin.stdout);

    let dir = temp_dir("phone");
    let numbers = dir.join("numbers.jsonl");
    std::fs::write(&numbers, "\"06 12 34 56 78\"\n\"+1 212 555 0100\"\n").unwrap();
    let by_file = smsplan(&["phone", "--region", "FR", numbers.to_str().unwrap()], "");
    let by_dash = smsplan(
        &["phone", "--region", "FR", "-"],
        "\"06 12 34 56 78\"\n\"+1 212 555 0100\"\n",
    );
    assert_eq!(by_file.code, 0, "{}", by_file.stderr);
    assert_eq!(by_file.stdout.lines().count(), 2);
    assert_eq!(by_file.stdout, by_dash.stdout);

    let campaign = std::fs::read_to_string(golden_campaign("minimal.json")).unwrap();
    let plan_file = smsplan(
        &["plan", &golden_campaign("minimal.json"), "--now", NOW],
        "",
    );
    let plan_dash = smsplan(&["plan", "-", "--now", NOW], &campaign);
    assert_eq!(plan_file.code, 0, "{}", plan_file.stderr);
    assert_eq!(plan_file.stdout, plan_dash.stdout);
}

#[test]
fn a_missing_file_is_named() {
    let run = smsplan(&["fragments", "no/such/messages.jsonl"], "");
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .starts_with("smsplan: cannot read no/such/messages.jsonl: "),
        "{}",
        run.stderr
    );
}

#[test]
fn standard_input_is_read_once() {
    let settings = std::fs::read_to_string(sample("settings.json")).unwrap();
    let run = smsplan(
        &[
            "plan",
            "-",
            "--contacts",
            "-",
            "--table-format",
            "csv",
            "--now",
            NOW,
        ],
        &settings,
    );
    assert_eq!(run.code, 2);
    assert_eq!(
        run.stderr.trim(),
        "smsplan: --contacts: standard input (`-`) is already read by CAMPAIGN"
    );
}

#[test]
fn dash_o_writes_what_standard_output_would_get() {
    let dir = temp_dir("output");
    let out = dir.join("plan.json");
    let campaign = golden_campaign("minimal.json");
    let to_stdout = smsplan(&["plan", &campaign, "--now", NOW], "");
    let to_file = smsplan(
        &["plan", &campaign, "--now", NOW, "-o", out.to_str().unwrap()],
        "",
    );
    assert_eq!(to_file.code, 0, "{}", to_file.stderr);
    assert_eq!(to_file.stdout, "");
    assert_eq!(std::fs::read_to_string(&out).unwrap(), to_stdout.stdout);
    // `-o -` is standard output; `--output` before the command works too.
    let dash = smsplan(&["--output", "-", "plan", &campaign, "--now", NOW], "");
    assert_eq!(dash.stdout, to_stdout.stdout);
    // Streaming commands write their lines there too.
    let lines = dir.join("fragments.jsonl");
    let run = smsplan(
        &["fragments", "-o", lines.to_str().unwrap()],
        "\"a\"\n\"b\"\n",
    );
    assert_eq!((run.code, run.stdout.as_str()), (0, ""));
    assert_eq!(std::fs::read_to_string(&lines).unwrap().lines().count(), 2);
}

#[test]
fn a_failed_command_leaves_the_output_file_as_it_was() {
    let dir = temp_dir("failed");
    let out = dir.join("plan.json");
    std::fs::write(&out, "previous plan\n").unwrap();
    let run = smsplan(
        &["plan", "-", "--now", NOW, "-o", out.to_str().unwrap()],
        "{\"format\": \"smsplan.campaign/v1\",",
    );
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("line 1, column"), "{}", run.stderr);
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "previous plan\n");
    let left: Vec<_> = std::fs::read_dir(&dir).unwrap().collect();
    assert_eq!(left.len(), 1, "no temporary file is left behind");
    // An output in a directory that does not exist is refused before any work.
    let run = smsplan(
        &[
            "holidays",
            "--calendar",
            "fr",
            "--year",
            "2026",
            "-o",
            "/no/such/dir/x.json",
        ],
        "",
    );
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .starts_with("smsplan: cannot write /no/such/dir/x.json"),
        "{}",
        run.stderr
    );
}

#[test]
fn json_is_compact_off_a_terminal_and_indented_with_pretty() {
    let holidays = ["holidays", "--calendar", "fr", "--year", "2026"];
    let compact = smsplan(&holidays, "");
    assert_eq!(compact.stdout.lines().count(), 1);
    let pretty = smsplan(&[&holidays[..], &["--pretty"]].concat(), "");
    assert!(pretty.stdout.lines().count() > 11, "{}", pretty.stdout);
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&compact.stdout).unwrap(),
        serde_json::from_str::<serde_json::Value>(&pretty.stdout).unwrap()
    );
    // The same rule for JSON lines: one value per input line, indented on request.
    let lines = smsplan(&["fragments", "--pretty"], "\"a\"\n\"b\"\n");
    assert!(lines.stdout.starts_with("{\n  \"encoding\": \"gsm7\","));
    let values: Vec<serde_json::Value> = serde_json::Deserializer::from_str(&lines.stdout)
        .into_iter()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(values.len(), 2);
    let both = smsplan(&["fragments", "--pretty", "--compact"], "");
    assert_eq!(both.code, 2);
    assert!(
        both.stderr.contains("cannot be used with"),
        "{}",
        both.stderr
    );
}

#[test]
fn fail_on_gates_a_plan_with_status_3_and_still_writes_it() {
    // The sample campaign has warnings (no test SMS, contacts without a field) and no failure.
    let campaign = sample("campaign.json");
    let warn = smsplan(&["plan", &campaign, "--now", NOW, "--fail-on", "warn"], "");
    assert_eq!(warn.code, 3, "{}", warn.stderr);
    assert!(warn.stdout.starts_with("{\"format\":\"smsplan.plan/v1\""));
    assert!(
        warn.stderr
            .contains("smsplan plan: check test_sms is warn: "),
        "{}",
        warn.stderr
    );
    let fail = smsplan(&["plan", &campaign, "--now", NOW, "--fail-on", "fail"], "");
    assert_eq!((fail.code, fail.stderr.as_str()), (0, ""));
    let plain = smsplan(&["plan", &campaign, "--now", NOW], "");
    assert_eq!(plain.code, 0);
    // A recurring campaign whose checks fail: each run's failures are named.
    let recurring = golden_campaign("recurring-us.json");
    let run = smsplan(&["plan", &recurring, "--now", NOW, "--fail-on", "fail"], "");
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert!(run.stderr.contains("is fail (run "), "{}", run.stderr);
    let bad = smsplan(&["plan", &campaign, "--fail-on", "error"], "");
    assert_eq!(bad.code, 2);
}

#[test]
fn window_exit_status_gates_on_the_answer() {
    let window = |at: &str, gate: bool| {
        let mut args = vec![
            "window",
            "--policy",
            "fr-commercial",
            "--tz",
            "Europe/Paris",
            "--at",
            at,
        ];
        if gate {
            args.push("--exit-status");
        }
        smsplan(&args, "")
    };
    // Saturday 20:30 is closed, Monday 10:00 open.
    let closed = window("2026-11-28T20:30:00+01:00", true);
    assert_eq!(closed.code, 3, "{}", closed.stderr);
    let answer: serde_json::Value = serde_json::from_str(&closed.stdout).unwrap();
    assert_eq!(answer["allowed"], false);
    assert_eq!(window("2026-11-30T10:00:00+01:00", true).code, 0);
    assert_eq!(window("2026-11-28T20:30:00+01:00", false).code, 0);
}

#[test]
fn completions_are_written_for_every_shell() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let run = smsplan(&["completions", shell], "");
        assert_eq!(run.code, 0, "{shell}: {}", run.stderr);
        for word in ["fragments", "contacts", "fail-on", "exit-status"] {
            assert!(run.stdout.contains(word), "{shell} lacks {word}");
        }
    }
    assert_eq!(smsplan(&["completions", "tcsh"], "").code, 2);
}

#[test]
fn man_pages_come_from_the_same_definitions() {
    let page = smsplan(&["man"], "");
    assert_eq!(page.code, 0, "{}", page.stderr);
    assert!(page.stdout.contains(".TH smsplan 1"), "{}", page.stdout);
    assert!(page.stdout.contains("completions"));
    let plan = smsplan(&["man", "plan"], "");
    assert_eq!(plan.code, 0);
    assert!(
        plan.stdout.contains(".TH smsplan-plan 1  \"smsplan "),
        "{}",
        plan.stdout
    );
    assert!(plan.stdout.contains("fail\\-on"));
    let unknown = smsplan(&["man", "send"], "");
    assert_eq!(unknown.code, 2);
    assert!(unknown.stderr.contains("no command \"send\""));
}

#[test]
fn help_shows_the_input_and_an_example_per_command() {
    for command in [
        "fragments",
        "plan",
        "audience",
        "phone",
        "holidays",
        "window",
        "completions",
        "man",
    ] {
        let run = smsplan(&["help", command], "");
        assert_eq!(run.code, 0, "{command}");
        assert!(
            run.stdout.contains("Examples:"),
            "{command}: {}",
            run.stdout
        );
        assert!(
            run.stdout.contains(&format!("  smsplan {command} ")),
            "{command}: {}",
            run.stdout
        );
    }
    for command in ["fragments", "plan", "audience", "phone", "window"] {
        let run = smsplan(&["help", command], "");
        assert!(run.stdout.contains("Input"), "{command}: {}", run.stdout);
    }
}
