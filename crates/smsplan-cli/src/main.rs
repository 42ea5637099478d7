//! The `smsplan` command-line tool over the smsplan SDK.
//!
//! `main` reads the arguments, files and the clock, and prints errors once, with their
//! causes; each subcommand in `cmd/` stays thin over the library crates, and reads and
//! writes through the shared conventions of [`inout`] (`FILE` or `-`, `-o FILE`, one JSON
//! style rule, quiet closed pipes, exit statuses 0–3).
#![warn(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod cmd;
mod inout;
mod jsonl;

/// mimalloc: the CLI allocates and frees millions of small texts per document.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::io::{self, Write};
use std::process::ExitCode;

use clap::{CommandFactory, Parser, Subcommand};
use smsplan_core::error::Chain;

use crate::inout::{GlobalArgs, Io, Status};
use crate::jsonl::CliError;

/// Plan, check and send SMS campaigns correctly.
#[derive(Debug, Parser)]
#[command(
    name = "smsplan",
    version,
    about,
    after_help = "\
Every command reads FILE, or standard input for `-`, and writes to standard output or
`-o FILE`. JSON is indented on a terminal and compact otherwise (--pretty, --compact).

Exit status: 0 done; 1 some input lines were malformed (each answered in place); 2 the
command failed (the reason is on standard error); 3 a gate did not pass (plan --fail-on,
window --exit-status). A closed output (`| head`) ends the command quietly with 0.

`smsplan help COMMAND` shows the input and examples of a command."
)]
struct Cli {
    #[command(flatten)]
    global: GlobalArgs,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Count the fragments (segments) of messages read as JSON lines.
    Fragments(cmd::fragments::Args),
    /// Plan a campaign (`smsplan.campaign/v1`) and write its send plan (`smsplan.plan/v1`).
    Plan(cmd::plan::Args),
    /// Write the HTML report of a send plan (`smsplan.plan/v1`): one self-contained page.
    Report(cmd::report::Args),
    /// Run campaigns durably: create, prepare, test-sms, approve, confirm, run, status.
    Campaign(cmd::campaign::Args),
    /// Resolve an audience document into recipients, exclusions and counts.
    Audience(cmd::audience::Args),
    /// Parse and validate phone numbers read as JSON lines.
    Phone(cmd::phone::Args),
    /// List the public holidays of a calendar (fr, fr-alsace-moselle, us) in one year.
    Holidays(cmd::holidays::Args),
    /// Check a send against a legal window policy at an instant in a recipient's zones.
    Window(cmd::window::Args),
    /// Write the shell completion script of smsplan.
    Completions(cmd::completions::Args),
    /// Write the manual page of smsplan (roff), or of one of its commands.
    Man(cmd::completions::ManArgs),
}

fn run(command: Command, io: &mut Io) -> Result<Status, CliError> {
    match command {
        Command::Fragments(args) => cmd::fragments::run(&args, io),
        Command::Plan(args) => {
            #[expect(clippy::disallowed_methods, reason = "the cli reads the clock")]
            let now = args
                .now
                .unwrap_or_else(|| chrono::DateTime::from(std::time::SystemTime::now()));
            cmd::plan::run(&args, now, io)
        }
        Command::Report(args) => cmd::report::run(&args, io),
        Command::Campaign(args) => cmd::campaign::run(&args, io),
        Command::Phone(args) => cmd::phone::run(&args, io),
        Command::Audience(args) => cmd::audience::run(&args, io),
        Command::Holidays(args) => cmd::holidays::run(&args, io),
        Command::Window(args) => cmd::window::run(&args, io),
        Command::Completions(args) => cmd::completions::completions(&args, Cli::command(), io),
        Command::Man(args) => cmd::completions::man(&args, Cli::command(), io),
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let failed = |err: &CliError| {
        let _ = writeln!(io::stderr(), "smsplan: {}", Chain(err));
        ExitCode::from(2)
    };
    let mut io = match Io::new(&cli.global) {
        Ok(io) => io,
        Err(err) => return failed(&err),
    };
    let result = run(cli.command, &mut io).and_then(|status| io.finish().map(|()| status));
    match result {
        Ok(status) => status.into(),
        // The reader of our output went away (`| head`): nothing more to say.
        Err(_) if io.output_closed() => ExitCode::SUCCESS,
        Err(err) => failed(&err),
    }
}
