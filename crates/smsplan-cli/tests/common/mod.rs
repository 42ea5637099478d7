//! Shared helper of the one-shot command tests (`holidays`, `window`).

use std::process::Command;

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
