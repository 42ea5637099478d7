//! The `smsplan` command-line tool over the smsplan SDK.
//!
//! `main` reads the arguments, standard input, files and the clock, and prints errors once,
//! with their causes;
//! each subcommand in `cmd/` stays thin over the library crates.
#![warn(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod cmd;
mod jsonl;

use std::io::{self, Write};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use smsplan_core::error::Chain;

/// Plan, check and send SMS campaigns correctly.
#[derive(Debug, Parser)]
#[command(name = "smsplan", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Count the fragments (segments) of messages read as JSON lines on standard input.
    Fragments(cmd::fragments::Args),
    /// Plan a campaign (`smsplan.campaign/v1`) and write its send plan (`smsplan.plan/v1`).
    Plan(cmd::plan::Args),
    /// Resolve an audience document into recipients, exclusions and counts.
    Audience(cmd::audience::Args),
    /// Parse and validate phone numbers read as JSON lines on standard input.
    Phone(cmd::phone::Args),
    /// List the public holidays of a calendar (fr, fr-alsace-moselle, us) in one year.
    Holidays(cmd::holidays::Args),
    /// Check a send against a legal window policy at an instant in a recipient's zones.
    Window(cmd::window::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let stdin = io::stdin().lock();
    let stdout = io::stdout().lock();
    let result = match cli.command {
        Command::Fragments(args) => cmd::fragments::run(&args, stdin, stdout),
        Command::Plan(args) => {
            #[expect(clippy::disallowed_methods, reason = "the cli reads the clock")]
            let now = args
                .now
                .unwrap_or_else(|| chrono::DateTime::from(std::time::SystemTime::now()));
            cmd::plan::run(&args, now, stdout).map(|()| jsonl::Status::Clean)
        }
        Command::Phone(args) => cmd::phone::run(&args, stdin, stdout),
        Command::Audience(args) => cmd::audience::run(&args, stdin, stdout),
        Command::Holidays(args) => cmd::holidays::run(&args, stdout),
        Command::Window(args) => cmd::window::run(&args, stdout),
    };
    match result {
        Ok(status) => status.into(),
        Err(err) => {
            let _ = writeln!(io::stderr(), "smsplan: {}", Chain(&err));
            ExitCode::from(2)
        }
    }
}
