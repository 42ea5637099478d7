//! Reading wire documents with errors that say where: line and column for broken JSON,
//! the field path for a value of the wrong shape.

use serde::de::DeserializeOwned;
use smsplan_core::phone::mask_in_text;

/// Why a document could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ReadError {
    /// The text is not JSON.
    #[error("line {line}, column {column}: {message}")]
    Syntax {
        /// Line, from 1.
        line: usize,
        /// Column, from 1.
        column: usize,
        /// What the parser expected (phone numbers it quotes are masked).
        message: String,
    },
    /// The JSON does not have the shape of the format.
    #[error("field `{path}`: {message}")]
    Field {
        /// Dotted path of the field, with `[i]` for array items (`.` for the document).
        path: String,
        /// What is wrong with it (phone numbers it quotes are masked).
        message: String,
    },
}

impl ReadError {
    /// The field path for a [`ReadError::Field`].
    ///
    /// ```
    /// use smsplan_formats::read::ReadError;
    /// let e = ReadError::Field { path: "schedule.at".into(), message: "x".into() };
    /// assert_eq!(e.path(), Some("schedule.at"));
    /// ```
    #[must_use]
    pub fn path(&self) -> Option<&str> {
        match self {
            Self::Field { path, .. } => Some(path),
            Self::Syntax { .. } => None,
        }
    }
}

/// Reads a JSON document into a wire type, naming the field path of a bad value.
///
/// ```
/// use smsplan_formats::read::{from_json, ReadError};
/// #[derive(serde::Deserialize)]
/// #[serde(deny_unknown_fields)]
/// struct A { b: Vec<u8> }
/// let err = from_json::<A>("{\"b\": [1, \"x\"]}").err().ok_or("should fail")?;
/// assert_eq!(err.path(), Some("b[1]"));
/// let err = from_json::<A>("{\"b\": [1,\n").err().ok_or("should fail")?;
/// assert!(matches!(err, ReadError::Syntax { line: 2, .. }));
/// # Ok::<(), &str>(())
/// ```
/// # Errors
/// [`ReadError::Syntax`] for text that is not JSON, [`ReadError::Field`] for a value that
/// does not fit (unknown fields included).
pub fn from_json<T: DeserializeOwned>(text: &str) -> Result<T, ReadError> {
    let mut de = serde_json::Deserializer::from_str(text);
    let value = serde_path_to_error::deserialize(&mut de).map_err(|e| convert(&e))?;
    de.end().map_err(|e| syntax(&e))?;
    Ok(value)
}

/// The parser's message without its position; a phone number it quotes from the input is
/// masked ([`mask_in_text`]).
fn syntax(e: &serde_json::Error) -> ReadError {
    let text = e.to_string();
    let message = mask_in_text(
        text.rsplit_once(" at line ")
            .map_or(text.as_str(), |(m, _)| m),
    );
    ReadError::Syntax {
        line: e.line(),
        column: e.column(),
        message,
    }
}

fn convert(e: &serde_path_to_error::Error<serde_json::Error>) -> ReadError {
    let inner = e.inner();
    match inner.classify() {
        serde_json::error::Category::Syntax
        | serde_json::error::Category::Eof
        | serde_json::error::Category::Io => syntax(inner),
        serde_json::error::Category::Data => {
            let ReadError::Syntax { message, .. } = syntax(inner) else {
                return syntax(inner);
            };
            ReadError::Field {
                path: e.path().to_string(),
                message,
            }
        }
    }
}
