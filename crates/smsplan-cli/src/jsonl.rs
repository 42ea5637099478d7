//! The JSON-lines loop shared by the streaming subcommands (`fragments`, `phone`).
//!
//! Each input line is answered by exactly one answer, in order (one line each, or an
//! indented JSON value each with `--pretty`). A line that is not valid input is answered
//! with `{"error":{"kind":"invalid_input","line":N,...}}`, the rest is still processed, and
//! the final status is [`Status::InputErrors`] (a per-item domain error such as `too_long`
//! is not an input error).

use std::io::{self, BufRead, Write};

pub use crate::inout::Status;
use crate::inout::Style;

/// An error that stops a command: reading its input or writing its output failed, or an
/// argument or a document was wrong. Its message leaves the cause to `source()`: `main`
/// writes the chain once.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// Reading or writing failed.
    #[error("i/o error")]
    Io(#[from] io::Error),
    /// An input file could not be opened or read.
    #[error("cannot read {path}: {error}")]
    Read {
        /// The file, or `standard input`.
        path: String,
        /// Why.
        error: io::Error,
    },
    /// The `-o` file could not be written.
    #[error("cannot write {path}: {error}")]
    Output {
        /// The file.
        path: String,
        /// Why.
        error: io::Error,
    },
    /// Serializing an answer failed.
    #[error("cannot write JSON")]
    Json(#[from] serde_json::Error),
    /// A result holds a value that its v1 format cannot spell.
    #[error("cannot write the result")]
    Unspellable(#[from] smsplan_formats::v1::mirror::NotRepresentable),
    /// A command-line argument was wrong.
    #[error("{0}")]
    Usage(String),
    /// `smsplan plan` could not plan its campaign.
    #[error(transparent)]
    Plan(#[from] crate::cmd::plan::PlanCmdError),
    /// `smsplan report` could not report on its plan.
    #[error(transparent)]
    Report(#[from] crate::cmd::report::ReportCmdError),
    /// `smsplan campaign` failed.
    #[error(transparent)]
    Campaign(#[from] crate::cmd::campaign::CampaignCmdError),
    /// An input document was invalid (the message says where).
    #[error("{0}")]
    Input(String),
    /// An audience could not be resolved.
    #[error("{path}")]
    Audience {
        /// The document.
        path: String,
        /// Why.
        #[source]
        source: smsplan_core::audience::AudienceError,
    },
    /// A window could not be computed.
    #[error("window of policy {policy:?}")]
    Window {
        /// The policies, comma-separated.
        policy: String,
        /// Why.
        #[source]
        source: smsplan_core::window::WindowError,
    },
}

/// One answer being written, in the run's JSON style.
#[derive(Debug)]
pub struct Answer {
    buf: Vec<u8>,
    style: Style,
}

impl Answer {
    /// Writes `value` as the answer.
    ///
    /// # Errors
    /// Serializing failed.
    pub fn json<T: serde::Serialize + ?Sized>(&mut self, value: &T) -> Result<(), CliError> {
        self.style.write(&mut self.buf, value)?;
        Ok(())
    }

    fn clear(&mut self) {
        self.buf.clear();
    }
}

/// Runs `answer` over every line of `input` and writes one JSON answer per input line.
///
/// `answer` gets the 1-based line number and the line's text, and writes its JSON answer
/// into the [`Answer`]; it returns `false` when the line was malformed input. A line that is
/// not UTF-8, or a byte order mark opening the input, is answered here with an
/// `invalid_input` error and the next lines go on. Lines are read one at a time into a
/// reused buffer, so memory stays constant.
pub fn for_each_line<R, W, F>(
    mut input: R,
    output: W,
    style: Style,
    mut answer: F,
) -> Result<Status, CliError>
where
    R: BufRead,
    W: Write,
    F: FnMut(usize, &str, &mut Answer) -> Result<bool, CliError>,
{
    let mut out = io::BufWriter::with_capacity(64 * 1024, output);
    let mut line = Vec::new();
    let mut buf = Answer {
        buf: Vec::with_capacity(1024),
        style,
    };
    let mut number = 0usize;
    let mut status = Status::Clean;
    loop {
        line.clear();
        if input.read_until(b'\n', &mut line)? == 0 {
            break;
        }
        number += 1;
        let bytes = line.strip_suffix(b"\n").unwrap_or(&line);
        let bytes = bytes.strip_suffix(b"\r").unwrap_or(bytes);
        buf.clear();
        let valid = match std::str::from_utf8(bytes) {
            Ok(text) if number == 1 && text.starts_with(BOM) => {
                invalid_input(&mut buf, number, &InputProblem::byte_order_mark())?;
                false
            }
            Ok(text) => answer(number, text, &mut buf)?,
            Err(e) => {
                invalid_input(&mut buf, number, &InputProblem::not_utf8(&e))?;
                false
            }
        };
        if !valid {
            status = Status::InputErrors;
        }
        buf.buf.push(b'\n');
        out.write_all(&buf.buf)?;
    }
    out.flush()?;
    Ok(status)
}

/// The byte order mark, which JSON texts must not start with (RFC 8259 §8.1).
const BOM: char = '\u{FEFF}';

/// Answers `{"error":{"kind":"invalid_input","line":N,"column":C,"message":...}}`.
pub fn invalid_input(
    buf: &mut Answer,
    line: usize,
    problem: &InputProblem,
) -> Result<(), CliError> {
    let value = serde_json::json!({
        "error": {
            "kind": "invalid_input",
            "line": line,
            "column": problem.column,
            "message": problem.message,
        }
    });
    buf.json(&value)
}

/// What is wrong with one input line: a message and, for JSON syntax or data errors, the
/// 1-based column (in bytes) where serde_json stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputProblem {
    /// What is wrong.
    pub message: String,
    /// Where in the line, when known.
    pub column: Option<usize>,
}

impl InputProblem {
    /// A problem without a position.
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            column: None,
        }
    }

    /// A line that is not UTF-8; the column is that of its first bad byte.
    fn not_utf8(error: &std::str::Utf8Error) -> Self {
        Self {
            message: "not valid UTF-8".to_owned(),
            column: Some(error.valid_up_to() + 1),
        }
    }

    /// The input starts with a byte order mark.
    fn byte_order_mark() -> Self {
        Self {
            message: "the input starts with a byte order mark (U+FEFF), which JSON forbids: \
                      save it as UTF-8 without BOM"
                .to_owned(),
            column: Some(1),
        }
    }
}

impl From<serde_json::Error> for InputProblem {
    fn from(err: serde_json::Error) -> Self {
        let text = err.to_string();
        let suffix = format!(" at line {} column {}", err.line(), err.column());
        // serde quotes the input: a number in it is personal data.
        let message =
            smsplan_core::phone::mask_in_text(text.strip_suffix(&suffix).unwrap_or(&text));
        Self {
            message,
            column: (err.column() > 0).then_some(err.column()),
        }
    }
}

/// An answer line reporting an error for one item, echoing the item's `id` when it had
/// one: `{"id": ..., "error": {...}}`.
#[derive(Debug, serde::Serialize)]
pub struct ErrorLine<'a, B> {
    /// The item's `id`, as it was written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<&'a serde_json::value::RawValue>,
    /// What went wrong.
    pub error: B,
}
