//! `smsplan completions SHELL` and `smsplan man [COMMAND]`: the shell completion script and
//! the manual pages, generated from the same clap definitions as the parser.

use std::io::Write;

use clap_complete::Shell;

use crate::inout::{Io, Status};
use crate::jsonl::CliError;

/// Arguments of `smsplan completions`.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  smsplan completions bash > ~/.local/share/bash-completion/completions/smsplan
  smsplan completions zsh -o ~/.zfunc/_smsplan
  smsplan completions fish > ~/.config/fish/completions/smsplan.fish")]
pub struct Args {
    /// The shell.
    #[arg(value_enum)]
    shell: Shell,
}

/// Arguments of `smsplan man`.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  smsplan man -o ~/.local/share/man/man1/smsplan.1
  smsplan man plan | man -l -")]
pub struct ManArgs {
    /// The command whose page to write (`plan` gives smsplan-plan(1)); without it, the page
    /// of smsplan itself.
    #[arg(value_name = "COMMAND")]
    command: Option<String>,
}

/// Writes the completion script of `cmd` for the shell.
///
/// # Errors
/// Writing failed.
pub fn completions(args: &Args, mut cmd: clap::Command, io: &mut Io) -> Result<Status, CliError> {
    // The generators panic on a failed write: render into memory, then write.
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut cmd, "smsplan", &mut script);
    io.out().write_all(&script)?;
    Ok(Status::Clean)
}

/// Writes the manual page of `cmd` or of one of its subcommands.
///
/// # Errors
/// [`CliError::Usage`] for an unknown command; writing failed.
pub fn man(args: &ManArgs, cmd: clap::Command, io: &mut Io) -> Result<Status, CliError> {
    let mut cmd = cmd.disable_help_subcommand(true);
    cmd.build();
    let page = match &args.command {
        None => cmd,
        Some(name) => cmd.find_subcommand(name).cloned().ok_or_else(|| {
            let names: Vec<&str> = cmd.get_subcommands().map(clap::Command::get_name).collect();
            CliError::Usage(format!(
                "man: no command {name:?} (one of {})",
                names.join(", ")
            ))
        })?,
    };
    let mut roff = Vec::new();
    clap_mangen::Man::new(page)
        .source(format!("smsplan {}", env!("CARGO_PKG_VERSION")))
        .manual("smsplan manual")
        .render(&mut roff)?;
    io.out().write_all(&roff)?;
    Ok(Status::Clean)
}
