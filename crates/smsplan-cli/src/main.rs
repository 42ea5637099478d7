//! The `smsplan` command-line tool over the smsplan SDK.
//!
//! `main` reads the arguments, standard input, files and the clock, and prints errors once;
//! each subcommand in `cmd/` stays thin over the library crates.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Plan, check and send SMS campaigns correctly.
#[derive(Debug, Parser)]
#[command(name = "smsplan", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {}
}
