//! Shared helpers of the CLI tests: one-shot commands (`holidays`, `window`) and commands fed
//! on standard input (`phone`, `audience`).
#![allow(
    clippy::unwrap_used,
    dead_code,
    reason = "test helpers; each test file uses a part"
)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::Value;

/// Runs `smsplan <command> <args>`: the parsed JSON answer (`Null` when nothing was
/// written), the exit code and standard error.
pub fn run(command: &str, args: &[&str]) -> (Value, i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_smsplan"))
        .arg(command)
        .args(args)
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    let value = if stdout.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&stdout).unwrap()
    };
    (
        value,
        out.status.code().unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

/// What a run fed on standard input printed and how it ended.
pub struct Run {
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
    /// The exit status.
    pub code: i32,
}

/// Runs `smsplan ARGS` with `stdin` as standard input.
pub fn smsplan(args: &[&str], stdin: &str) -> Run {
    smsplan_bytes(args, stdin.as_bytes())
}

/// Runs `smsplan ARGS` with `stdin`, which need not be UTF-8, as standard input.
pub fn smsplan_bytes(args: &[&str], stdin: &[u8]) -> Run {
    let mut child = Command::new(env!("CARGO_BIN_EXE_smsplan"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    let bytes = stdin.to_vec();
    // Written from another thread so that a large output cannot block a large input.
    let writer = std::thread::spawn(move || input.write_all(&bytes));
    let out = child.wait_with_output().unwrap();
    // A command that stops early (a usage error) closes its input: not a test failure.
    if let Err(e) = writer.join().unwrap() {
        assert_eq!(
            e.kind(),
            std::io::ErrorKind::BrokenPipe,
            "writing standard input: {e}"
        );
    }
    Run {
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
        code: out.status.code().unwrap(),
    }
}

/// The JSON lines of an output.
pub fn json_lines(stdout: &str) -> Vec<Value> {
    stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// A file of the bundled campaign, `testdata/sample/NAME`.
pub fn sample(name: &str) -> String {
    in_repo(&Path::new("testdata/sample").join(name))
}

/// A golden campaign of the formats crate.
pub fn golden_campaign(name: &str) -> String {
    in_repo(&Path::new("crates/smsplan-formats/tests/golden/v1/campaign").join(name))
}

fn in_repo(path: &Path) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(path)
        .to_str()
        .unwrap()
        .to_owned()
}

/// A fresh directory for one test's files.
pub fn temp_dir(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("smsplan-cli-{test}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
