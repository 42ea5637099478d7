//! The JSON-lines loop shared by the streaming subcommands (`fragments`, `phone`).
//!
//! Each input line is answered by exactly one answer, in order (one line each, or an
//! indented JSON value each with `--pretty`). A line that is not valid input is answered
//! with `{"error":{"kind":"invalid_input","line":N,...}}`, the rest is still processed, and
//! the final status is [`Status::InputErrors`] (a per-item domain error such as `too_long`
//! is not an input error).

use std::collections::BTreeMap;
use std::io::{self, BufRead, Write};
use std::num::NonZeroUsize;
use std::sync::{Mutex, PoisonError, mpsc};
use std::thread;

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

    /// Writes `value`, in compact style with `compact` (which must write the bytes of
    /// `serde_json::to_writer(value)`, only faster).
    ///
    /// # Errors
    /// Serializing failed.
    pub fn json_with<T: serde::Serialize + ?Sized>(
        &mut self,
        value: &T,
        compact: impl FnOnce(&T, &mut Vec<u8>) -> serde_json::Result<()>,
    ) -> Result<(), CliError> {
        match self.style {
            Style::Compact => compact(value, &mut self.buf)?,
            Style::Pretty => self.style.write(&mut self.buf, value)?,
        }
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
        buf.clear();
        if !answer_line(number, &line, &mut buf, &mut answer)? {
            status = Status::InputErrors;
        }
        buf.buf.push(b'\n');
        out.write_all(&buf.buf)?;
    }
    out.flush()?;
    Ok(status)
}

/// Answers one line (with or without its line feed) into `buf`; `false` for malformed
/// input.
fn answer_line<F>(
    number: usize,
    line: &[u8],
    buf: &mut Answer,
    answer: &mut F,
) -> Result<bool, CliError>
where
    F: FnMut(usize, &str, &mut Answer) -> Result<bool, CliError>,
{
    let bytes = line.strip_suffix(b"\n").unwrap_or(line);
    let bytes = bytes.strip_suffix(b"\r").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(text) if number == 1 && text.starts_with(BOM) => {
            invalid_input(buf, number, &InputProblem::byte_order_mark())?;
            Ok(false)
        }
        Ok(text) => answer(number, text, buf),
        Err(e) => {
            invalid_input(buf, number, &InputProblem::not_utf8(&e))?;
            Ok(false)
        }
    }
}

/// Input bytes handed to a worker at a time (whole lines; a longer line makes a longer
/// block).
const BLOCK_BYTES: usize = 1 << 20;

/// [`for_each_line`] on `threads` worker threads: the input is cut into blocks of whole
/// lines, each worker answers a block at a time with its own state (`init(worker)`, made
/// once per worker, the first being 0: a phone parser, say), and the answers are written in
/// input order. The output, line numbers and status are those of [`for_each_line`]; memory
/// stays bounded (a few blocks per thread). An input of one block is answered on the
/// calling thread; so is everything with one thread.
pub fn for_each_line_parallel<R, W, S, I, F>(
    input: R,
    output: W,
    style: Style,
    threads: NonZeroUsize,
    init: I,
    answer: F,
) -> Result<Status, CliError>
where
    R: BufRead,
    W: Write,
    I: Fn(usize) -> S + Sync,
    F: Fn(&mut S, usize, &str, &mut Answer) -> Result<bool, CliError> + Sync,
{
    if threads.get() == 1 {
        let mut state = init(0);
        return for_each_line(input, output, style, |n, line, buf| {
            answer(&mut state, n, line, buf)
        });
    }
    let mut out = io::BufWriter::with_capacity(64 * 1024, output);
    let mut blocks = Blocks {
        input,
        carry: Vec::new(),
        eof: false,
    };
    let Some(first) = blocks.next()? else {
        return Ok(Status::Clean);
    };
    let first = Block {
        index: 0,
        first_line: 1,
        bytes: first,
    };
    if blocks.eof {
        let mut state = init(0);
        let mut buf = Answer {
            buf: Vec::with_capacity(1024),
            style,
        };
        let answered = answer_block(&first, &mut buf, &mut |n, line, buf| {
            answer(&mut state, n, line, buf)
        })?;
        out.write_all(&answered.text)?;
        out.flush()?;
        return Ok(if answered.malformed {
            Status::InputErrors
        } else {
            Status::Clean
        });
    }
    let (init, answer) = (&init, &answer);
    let (jobs, job_queue) = mpsc::sync_channel::<Block>(2 * threads.get());
    let job_queue = Mutex::new(job_queue);
    let status = thread::scope(|scope| -> Result<Status, CliError> {
        let (done, answers) = mpsc::channel::<(usize, Result<Answered, CliError>)>();
        let mut started = 0;
        for worker in 0..threads.get() {
            let (job_queue, done) = (&job_queue, done.clone());
            let worker = thread::Builder::new().spawn_scoped(scope, move || {
                let mut state = init(worker);
                let mut buf = Answer {
                    buf: Vec::with_capacity(1024),
                    style,
                };
                loop {
                    let job = job_queue
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .recv();
                    let Ok(job) = job else { break };
                    let answered = answer_block(&job, &mut buf, &mut |n, line, buf| {
                        answer(&mut state, n, line, buf)
                    });
                    if done.send((job.index, answered)).is_err() {
                        break;
                    }
                }
            });
            if worker.is_ok() {
                started += 1;
            }
        }
        drop(done);
        if started == 0 {
            return Err(CliError::Io(io::Error::other(
                "cannot start a worker thread",
            )));
        }
        let mut order = InOrder {
            next: 0,
            waiting: BTreeMap::new(),
            status: Status::Clean,
        };
        let mut next_line = 1 + lines_in(&first.bytes);
        let mut sent = 1;
        if jobs.send(first).is_err() {
            return Err(CliError::Io(io::Error::other("the worker threads stopped")));
        }
        while let Some(bytes) = blocks.next()? {
            let lines = lines_in(&bytes);
            let job = Block {
                index: sent,
                first_line: next_line,
                bytes,
            };
            next_line += lines;
            sent += 1;
            if jobs.send(job).is_err() {
                break;
            }
            while let Ok((index, answered)) = answers.try_recv() {
                order.add(index, answered, &mut out)?;
            }
        }
        drop(jobs);
        while order.next < sent {
            let (index, answered) = answers
                .recv()
                .map_err(|_| io::Error::other("a worker thread stopped"))?;
            order.add(index, answered, &mut out)?;
        }
        Ok(order.status)
    })?;
    out.flush()?;
    Ok(status)
}

/// Lines in a block: its line feeds, and the last line without one.
fn lines_in(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| b == b'\n').count() + usize::from(bytes.last() != Some(&b'\n'))
}

/// Whole lines of the input, numbered.
struct Block {
    index: usize,
    first_line: usize,
    bytes: Vec<u8>,
}

/// A block's answers, and whether a line was malformed.
struct Answered {
    text: Vec<u8>,
    malformed: bool,
}

fn answer_block<F>(job: &Block, buf: &mut Answer, answer: &mut F) -> Result<Answered, CliError>
where
    F: FnMut(usize, &str, &mut Answer) -> Result<bool, CliError>,
{
    let mut text = Vec::with_capacity(job.bytes.len().saturating_mul(2));
    let mut malformed = false;
    for (i, line) in job.bytes.split_inclusive(|&b| b == b'\n').enumerate() {
        buf.clear();
        if !answer_line(job.first_line + i, line, buf, answer)? {
            malformed = true;
        }
        text.extend_from_slice(&buf.buf);
        text.push(b'\n');
    }
    Ok(Answered { text, malformed })
}

/// Writes answered blocks in input order as they arrive in any order; a block that failed
/// stops the run when its turn comes.
struct InOrder {
    next: usize,
    waiting: BTreeMap<usize, Result<Answered, CliError>>,
    status: Status,
}

impl InOrder {
    fn add(
        &mut self,
        index: usize,
        answered: Result<Answered, CliError>,
        out: &mut impl Write,
    ) -> Result<(), CliError> {
        self.waiting.insert(index, answered);
        while let Some(block) = self.waiting.remove(&self.next) {
            let block = block?;
            if block.malformed {
                self.status = Status::InputErrors;
            }
            out.write_all(&block.text)?;
            self.next += 1;
        }
        Ok(())
    }
}

/// Cuts the input into blocks of whole lines.
struct Blocks<R> {
    input: R,
    /// The start of a line read past the end of the previous block.
    carry: Vec<u8>,
    eof: bool,
}

impl<R: BufRead> Blocks<R> {
    fn next(&mut self) -> io::Result<Option<Vec<u8>>> {
        let mut block = std::mem::take(&mut self.carry);
        let mut want = BLOCK_BYTES;
        loop {
            while block.len() < want && !self.eof {
                let available = match self.input.fill_buf() {
                    Ok(available) => available,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                    Err(e) => return Err(e),
                };
                if available.is_empty() {
                    self.eof = true;
                    break;
                }
                let n = available.len();
                block.extend_from_slice(available);
                self.input.consume(n);
            }
            if self.eof {
                return Ok((!block.is_empty()).then_some(block));
            }
            match block.iter().rposition(|&b| b == b'\n') {
                Some(end) => {
                    self.carry = block.split_off(end + 1);
                    return Ok(Some(block));
                }
                // One line longer than the block: read on.
                None => want = block.len().saturating_mul(2),
            }
        }
    }
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
