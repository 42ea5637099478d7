//! Reading wire documents with errors that say where: line and column for broken JSON,
//! the field path (and line and column) for a value of the wrong shape.

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
    #[error("field `{path}` (line {line}, column {column}): {message}")]
    Field {
        /// Dotted path of the field, with `[i]` for array items (`.` for the document).
        path: String,
        /// Line of the value, from 1.
        line: usize,
        /// Column of the value, from 1.
        column: usize,
        /// What is wrong with it (phone numbers it quotes are masked).
        message: String,
    },
    /// The text starts with a byte order mark, which JSON texts must not (RFC 8259 §8.1).
    #[error(
        "the document starts with a byte order mark (U+FEFF), which JSON forbids: save it as UTF-8 without BOM"
    )]
    ByteOrderMark,
}

impl ReadError {
    /// The field path for a [`ReadError::Field`].
    ///
    /// ```
    /// use smsplan_formats::read::{from_json, ReadError};
    /// #[derive(Debug, serde::Deserialize)]
    /// struct A { b: Vec<u8> }
    /// let e = from_json::<A>(r#"{"b": [1, "x"]}"#).err().ok_or("should fail")?;
    /// assert_eq!(e.path(), Some("b[1]"));
    /// # Ok::<(), &str>(())
    /// ```
    #[must_use]
    pub fn path(&self) -> Option<&str> {
        match self {
            Self::Field { path, .. } => Some(path),
            Self::Syntax { .. } | Self::ByteOrderMark => None,
        }
    }
}

/// Reads a JSON document into a wire type, naming the field path of a bad value.
///
/// The document is read once with the plain parser; only when that fails is it read again
/// with path tracking, to say where.
///
/// ```
/// use smsplan_formats::read::{from_json, ReadError};
/// #[derive(Debug, serde::Deserialize)]
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
/// does not fit (unknown fields included), [`ReadError::ByteOrderMark`] for a text that
/// starts with one.
pub fn from_json<T: DeserializeOwned>(text: &str) -> Result<T, ReadError> {
    if text.starts_with('\u{FEFF}') {
        return Err(ReadError::ByteOrderMark);
    }
    let plain = match serde_json::from_str(text) {
        Ok(value) => return Ok(value),
        Err(e) => e,
    };
    let mut de = serde_json::Deserializer::from_str(text);
    match serde_path_to_error::deserialize::<_, T>(&mut de) {
        Err(e) => Err(located(text, &e)),
        // Both parsers read the same grammar; should the second one accept the text, the
        // first one's error still stands, without a path.
        Ok(_) => Err(de
            .end()
            .err()
            .map_or_else(|| syntax(&plain), |e| syntax(&e))),
    }
}

fn syntax(e: &serde_json::Error) -> ReadError {
    ReadError::Syntax {
        line: e.line(),
        column: e.column(),
        message: message(e),
    }
}

/// serde_json's message without its ` at line L column C` suffix; a phone number it quotes
/// from the input is masked ([`mask_in_text`]).
fn message(e: &serde_json::Error) -> String {
    let text = e.to_string();
    mask_in_text(
        text.rsplit_once(" at line ")
            .map_or(text.as_str(), |(m, _)| m),
    )
}

fn located(text: &str, e: &serde_path_to_error::Error<serde_json::Error>) -> ReadError {
    use serde_json::error::Category;

    let inner = e.inner();
    let path = e.path().to_string();
    let field = |message| ReadError::Field {
        path: path.clone(),
        line: inner.line(),
        column: inner.column(),
        message,
    };
    match inner.classify() {
        Category::Data => field(message(inner)),
        // serde_json reports an enum value that is neither a string nor an object as the
        // syntax error "expected value", at the value: in a document that is valid JSON it
        // is a value of the wrong type, and its path says which.
        Category::Syntax if path != "." && is_json(text) => field(mask_in_text(&format!(
            "invalid type: {}, expected a string",
            found_at(text, inner.line(), inner.column()).unwrap_or_else(|| "a value".into())
        ))),
        Category::Syntax | Category::Eof | Category::Io => syntax(inner),
    }
}

fn is_json(text: &str) -> bool {
    serde_json::from_str::<serde::de::IgnoredAny>(text).is_ok()
}

/// What the JSON value starting at `line`, `column` (from 1, in bytes) is, in serde's words.
fn found_at(text: &str, line: usize, column: usize) -> Option<String> {
    let start: usize = text
        .split_inclusive('\n')
        .take(line.checked_sub(1)?)
        .map(str::len)
        .sum();
    let rest = text.get(start + column.checked_sub(1)?..)?;
    let value = serde_json::Deserializer::from_str(rest)
        .into_iter::<serde_json::Value>()
        .next()?
        .ok()?;
    Some(match value {
        serde_json::Value::Null => "null".to_owned(),
        serde_json::Value::Bool(b) => format!("boolean `{b}`"),
        serde_json::Value::Number(n) if n.is_f64() => format!("floating point `{n}`"),
        serde_json::Value::Number(n) => format!("integer `{n}`"),
        serde_json::Value::String(s) => format!("string {s:?}"),
        serde_json::Value::Array(_) => "an array".to_owned(),
        serde_json::Value::Object(_) => "an object".to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Doc {
        #[allow(dead_code, reason = "read to be checked")]
        items: Vec<Item>,
    }

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Item {
        #[allow(dead_code, reason = "read to be checked")]
        status: Status,
    }

    #[derive(Debug, serde::Deserialize)]
    #[serde(rename_all = "snake_case")]
    enum Status {
        On,
    }

    #[test]
    fn an_enum_of_the_wrong_type_names_its_path_line_and_column() {
        // serde_json calls this the syntax error "expected value"; it used to be reported
        // as `line 3, column 14: expected value`, with no field.
        let text = "{\"items\": [\n  {\"status\": \"on\"},\n  {\"status\": 42}\n]}";
        let err = from_json::<Doc>(text).unwrap_err();
        assert_eq!(
            err,
            ReadError::Field {
                path: "items[1].status".into(),
                line: 3,
                column: 14,
                message: "invalid type: integer `42`, expected a string".into(),
            }
        );
        for (value, found) in [
            ("true", "boolean `true`"),
            ("null", "null"),
            ("[1]", "an array"),
            ("1.5", "floating point `1.5`"),
        ] {
            let text = format!("{{\"items\": [{{\"status\": {value}}}]}}");
            let err = from_json::<Doc>(&text).unwrap_err().to_string();
            assert!(err.contains(found), "{err}");
            assert!(err.contains("items[0].status"), "{err}");
        }
    }

    #[test]
    fn broken_json_stays_a_syntax_error() {
        let err = from_json::<Doc>("{\"items\": [{\"status\": }]}").unwrap_err();
        assert!(matches!(err, ReadError::Syntax { line: 1, .. }), "{err}");
        let err = from_json::<Doc>("{\"items\": []} x").unwrap_err();
        assert!(matches!(err, ReadError::Syntax { .. }), "{err}");
    }

    #[test]
    fn data_errors_keep_line_and_column() {
        let err = from_json::<Doc>("{\"items\": [\n{\"status\": \"off\"}]}").unwrap_err();
        assert!(
            matches!(&err, ReadError::Field { path, line: 2, .. } if path == "items[0].status"),
            "{err}"
        );
    }

    #[test]
    fn a_byte_order_mark_has_its_own_error() {
        // It used to be `line 1, column 1: expected value`.
        let err = from_json::<Doc>("\u{FEFF}{\"items\": []}").unwrap_err();
        assert_eq!(err, ReadError::ByteOrderMark);
        assert!(err.to_string().contains("byte order mark"));
    }
}
