//! The input and output conventions every subcommand follows.
//!
//! - **Input**: a command that reads a document or lines takes `FILE`, and `-` for standard
//!   input ([`Input`]); standard input can be read once per run ([`Io::open`] refuses a
//!   second `-` with a usage error naming both arguments).
//! - **Output**: standard output, or `-o FILE` (`-o -` is standard output). A file is
//!   written beside its destination and renamed over it when the command finishes, so an
//!   interrupted or failed run (exit status 2) leaves the previous file as it was; devices
//!   and pipes (`-o /dev/stderr`) are written in place.
//! - **JSON style** ([`Style`]): indented when written to a terminal, compact otherwise;
//!   `--pretty` and `--compact` decide instead. The JSON-lines commands follow the same
//!   rule (indented answers are a stream of JSON values, as `jq` prints them).
//! - **A closed output** (`smsplan fragments big.jsonl | head`) ends the command quietly
//!   with status 0: [`Output`] remembers that a write failed with `BrokenPipe`, and `main`
//!   checks [`Io::output_closed`] before printing any error.
//! - **Exit status** ([`Status`]): 0 done, 1 some input lines were malformed (each answered
//!   in place), 2 the command failed (printed once on standard error), 3 a gate did not pass
//!   (`plan --fail-on`, `window --exit-status`).
//!
//! A new subcommand takes its input as an [`Input`] argument, reads it through
//! [`Io::open`] or [`Io::read_to_string`], writes through [`Io::out`] with
//! [`Io::style`], and returns a [`Status`].

use std::ffi::OsString;
use std::fs::{self, File};
use std::io::{self, BufRead, BufReader, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::jsonl::CliError;

/// Where a command reads from: a file, or standard input (`-`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// Standard input, written `-`.
    Stdin,
    /// A file.
    File(PathBuf),
}

impl From<OsString> for Input {
    fn from(value: OsString) -> Self {
        if value == "-" {
            Self::Stdin
        } else {
            Self::File(PathBuf::from(value))
        }
    }
}

impl Input {
    /// The clap parser of a `FILE` or `-` argument.
    pub fn parser() -> impl clap::builder::TypedValueParser<Value = Self> {
        use clap::builder::TypedValueParser as _;
        clap::builder::OsStringValueParser::new().map(Self::from)
    }

    /// How errors name it: the path, or `standard input`.
    pub fn name(&self) -> String {
        match self {
            Self::Stdin => "standard input".to_owned(),
            Self::File(path) => path.display().to_string(),
        }
    }

    /// The file's extension in lower case (`None` for standard input or none).
    pub fn extension(&self) -> Option<String> {
        match self {
            Self::Stdin => None,
            Self::File(path) => path
                .extension()
                .map(|e| e.to_string_lossy().to_ascii_lowercase()),
        }
    }
}

/// How JSON is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// Indented, for people.
    Pretty,
    /// On one line, for programs.
    Compact,
}

impl Style {
    /// The style for `--pretty` / `--compact` (at most one is set) writing to a terminal or
    /// not: the flag when given, else pretty exactly on a terminal.
    pub fn resolve(pretty: bool, compact: bool, terminal: bool) -> Self {
        match (pretty, compact) {
            (true, _) => Self::Pretty,
            (_, true) => Self::Compact,
            _ if terminal => Self::Pretty,
            _ => Self::Compact,
        }
    }

    /// Writes `value` in this style (without a final newline).
    ///
    /// # Errors
    /// Serializing or writing failed.
    pub fn write<W: Write, T: serde::Serialize + ?Sized>(
        self,
        out: W,
        value: &T,
    ) -> serde_json::Result<()> {
        match self {
            Self::Pretty => serde_json::to_writer_pretty(out, value),
            Self::Compact => serde_json::to_writer(out, value),
        }
    }
}

/// How a command ended when it did not fail outright.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Done: exit status 0.
    Clean,
    /// At least one input line was malformed (and answered in place): exit status 1.
    InputErrors,
    /// A gate asked for by the caller did not pass: exit status 3.
    GateFailed,
}

impl From<Status> for ExitCode {
    fn from(status: Status) -> Self {
        match status {
            Status::Clean => ExitCode::SUCCESS,
            Status::InputErrors => ExitCode::from(1),
            Status::GateFailed => ExitCode::from(3),
        }
    }
}

/// The options every command takes (`global`, so they may follow the subcommand).
#[derive(Debug, Clone, clap::Args)]
pub struct GlobalArgs {
    /// Write the output to FILE instead of standard output (`-`: standard output). The
    /// file is replaced only when the command does not fail.
    #[arg(short = 'o', long = "output", value_name = "FILE", global = true)]
    pub output: Option<PathBuf>,
    /// Indent JSON output (default on a terminal).
    #[arg(long, global = true, conflicts_with = "compact")]
    pub pretty: bool,
    /// Write JSON on one line (default when not on a terminal).
    #[arg(long, global = true)]
    pub compact: bool,
}

/// A destination that remembers a closed pipe.
#[derive(Debug)]
pub struct Output {
    sink: Sink,
    closed: bool,
}

#[derive(Debug)]
enum Sink {
    Stdout(io::Stdout),
    /// Written in place (a device, a pipe, or a symbolic link).
    InPlace(File),
    /// Written beside `target`, renamed over it by [`Output::finish`].
    Replace {
        file: File,
        temp: PathBuf,
        target: PathBuf,
    },
    /// Finished or discarded.
    Done,
}

impl Output {
    /// Standard output.
    pub fn stdout() -> Self {
        Self {
            sink: Sink::Stdout(io::stdout()),
            closed: false,
        }
    }

    /// `path`, replaced when the command finishes (written in place when it is not a
    /// regular file).
    ///
    /// # Errors
    /// The file (or its temporary sibling) cannot be created.
    pub fn file(path: &Path) -> io::Result<Self> {
        let in_place = fs::symlink_metadata(path).is_ok_and(|m| !m.file_type().is_file());
        let sink = if in_place {
            Sink::InPlace(
                fs::OpenOptions::new()
                    .write(true)
                    .truncate(true)
                    .open(path)?,
            )
        } else {
            let name = path
                .file_name()
                .map_or_else(|| OsString::from("output"), std::ffi::OsStr::to_os_string);
            let mut temp_name = OsString::from(".");
            temp_name.push(&name);
            temp_name.push(format!(".smsplan-{}.tmp", std::process::id()));
            let temp = path.with_file_name(temp_name);
            let file = File::create(&temp)?;
            Sink::Replace {
                file,
                temp,
                target: path.to_owned(),
            }
        };
        Ok(Self {
            sink,
            closed: false,
        })
    }

    /// Whether the destination is a terminal.
    pub fn is_terminal(&self) -> bool {
        match &self.sink {
            Sink::Stdout(s) => s.is_terminal(),
            Sink::InPlace(f) => f.is_terminal(),
            Sink::Replace { .. } | Sink::Done => false,
        }
    }

    /// Whether a write failed because the reader went away (`| head`).
    pub fn closed(&self) -> bool {
        self.closed
    }

    /// Flushes and, for `-o FILE`, moves the file into place.
    ///
    /// # Errors
    /// Flushing or renaming failed.
    pub fn finish(&mut self) -> io::Result<()> {
        self.flush()?;
        match std::mem::replace(&mut self.sink, Sink::Done) {
            Sink::Replace { file, temp, target } => {
                file.sync_all()?;
                drop(file);
                fs::rename(&temp, &target).inspect_err(|_| {
                    let _ = fs::remove_file(&temp);
                })
            }
            other => {
                self.sink = other;
                Ok(())
            }
        }
    }

    fn track<T>(&mut self, result: io::Result<T>) -> io::Result<T> {
        if let Err(e) = &result
            && e.kind() == io::ErrorKind::BrokenPipe
        {
            self.closed = true;
        }
        result
    }
}

impl Drop for Output {
    /// A file not finished (the command failed) is removed; the destination is untouched.
    fn drop(&mut self) {
        if let Sink::Replace { temp, .. } = &self.sink {
            let _ = fs::remove_file(temp);
        }
    }
}

impl Write for Output {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let result = match &mut self.sink {
            Sink::Stdout(s) => s.write(buf),
            Sink::InPlace(f) | Sink::Replace { file: f, .. } => f.write(buf),
            Sink::Done => Err(io::Error::other("output already finished")),
        };
        self.track(result)
    }

    fn flush(&mut self) -> io::Result<()> {
        let result = match &mut self.sink {
            Sink::Stdout(s) => s.flush(),
            Sink::InPlace(f) | Sink::Replace { file: f, .. } => f.flush(),
            Sink::Done => Ok(()),
        };
        self.track(result)
    }
}

/// What a command reads and writes: its input (standard input once), its output and the
/// JSON style.
#[derive(Debug)]
pub struct Io {
    stdin_used_by: Option<String>,
    out: Output,
    style: Style,
}

impl Io {
    /// Sets up the output of `args`.
    ///
    /// # Errors
    /// [`CliError::Output`] when `-o FILE` cannot be created.
    pub fn new(args: &GlobalArgs) -> Result<Self, CliError> {
        let out = match &args.output {
            Some(path) if path.as_os_str() != "-" => {
                Output::file(path).map_err(|error| CliError::Output {
                    path: path.display().to_string(),
                    error,
                })?
            }
            _ => Output::stdout(),
        };
        let style = Style::resolve(args.pretty, args.compact, out.is_terminal());
        Ok(Self {
            stdin_used_by: None,
            out,
            style,
        })
    }

    /// Opens `input` for reading; `what` names the argument in errors (`--contacts`).
    ///
    /// # Errors
    /// [`CliError::Read`] when the file cannot be opened; [`CliError::Usage`] when standard
    /// input was already taken by another argument.
    pub fn open(&mut self, input: &Input, what: &str) -> Result<Box<dyn BufRead>, CliError> {
        match input {
            Input::Stdin => {
                if let Some(first) = &self.stdin_used_by {
                    return Err(CliError::Usage(format!(
                        "{what}: standard input (`-`) is already read by {first}"
                    )));
                }
                self.stdin_used_by = Some(what.to_owned());
                Ok(Box::new(io::stdin().lock()))
            }
            Input::File(path) => {
                let file = File::open(path).map_err(|error| CliError::Read {
                    path: input.name(),
                    error,
                })?;
                Ok(Box::new(BufReader::with_capacity(1 << 16, file)))
            }
        }
    }

    /// Reads `input` whole as UTF-8 text.
    ///
    /// # Errors
    /// As [`Io::open`], and [`CliError::Read`] when reading fails or the text is not UTF-8.
    pub fn read_to_string(&mut self, input: &Input, what: &str) -> Result<String, CliError> {
        if let Input::File(path) = input {
            // Sized from the file's length: one allocation, no copies as it grows.
            return fs::read_to_string(path).map_err(|error| CliError::Read {
                path: input.name(),
                error,
            });
        }
        let mut reader = self.open(input, what)?;
        let mut text = String::new();
        reader
            .read_to_string(&mut text)
            .map_err(|error| CliError::Read {
                path: input.name(),
                error,
            })?;
        Ok(text)
    }

    /// The output.
    pub fn out(&mut self) -> &mut Output {
        &mut self.out
    }

    /// The JSON style for this run.
    pub fn style(&self) -> Style {
        self.style
    }

    /// Writes one JSON document and a newline, in the run's style.
    ///
    /// # Errors
    /// Serializing or writing failed.
    pub fn write_document<T: serde::Serialize + ?Sized>(
        &mut self,
        value: &T,
    ) -> Result<(), CliError> {
        let mut out = io::BufWriter::with_capacity(1 << 16, &mut self.out);
        self.style.write(&mut out, value)?;
        out.write_all(b"\n")?;
        out.flush()?;
        Ok(())
    }

    /// Whether the output was closed by its reader: the command ends quietly with status 0.
    pub fn output_closed(&self) -> bool {
        self.out.closed()
    }

    /// Flushes and moves `-o FILE` into place.
    ///
    /// # Errors
    /// As [`Output::finish`].
    pub fn finish(&mut self) -> Result<(), CliError> {
        let path = self.target_name();
        self.out
            .finish()
            .map_err(|error| CliError::Output { path, error })
    }

    fn target_name(&self) -> String {
        match &self.out.sink {
            Sink::Replace { target, .. } => target.display().to_string(),
            Sink::InPlace(_) => "the output file".to_owned(),
            Sink::Stdout(_) | Sink::Done => "standard output".to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_win_over_the_terminal() {
        assert_eq!(Style::resolve(false, false, true), Style::Pretty);
        assert_eq!(Style::resolve(false, false, false), Style::Compact);
        assert_eq!(Style::resolve(true, false, false), Style::Pretty);
        assert_eq!(Style::resolve(false, true, true), Style::Compact);
    }

    #[test]
    fn dash_is_standard_input() {
        assert_eq!(Input::from(OsString::from("-")), Input::Stdin);
        assert_eq!(
            Input::from(OsString::from("a.CSV")).extension().as_deref(),
            Some("csv")
        );
        assert_eq!(Input::Stdin.name(), "standard input");
    }

    #[test]
    fn a_file_is_replaced_only_when_finished() {
        let dir = std::env::temp_dir().join(format!("smsplan-inout-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let path = dir.join("out.json");
        fs::write(&path, "old").unwrap();
        {
            let mut out = Output::file(&path).unwrap();
            out.write_all(b"half").unwrap();
            // Dropped without finish: the command failed.
        }
        assert_eq!(fs::read_to_string(&path).unwrap(), "old");
        let mut out = Output::file(&path).unwrap();
        out.write_all(b"new").unwrap();
        out.finish().unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "new");
        assert_eq!(
            fs::read_dir(&dir).unwrap().count(),
            1,
            "no temporary file left"
        );
        fs::remove_dir_all(&dir).unwrap();
    }
}
