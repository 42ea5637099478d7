//! Message templates: `{{field}}` and `{{field|default}}` filled from contact fields.
//!
//! A template is parsed once ([`Template::parse`]) and rendered per recipient
//! ([`Template::render_into`]). Values are inserted literally: a value that itself holds
//! `{{...}}` is never expanded again. A field that is absent, empty or only white space
//! takes the placeholder's default; without a default it is missing, and the campaign's
//! [`MissingField`] policy says whether the contact is excluded or the plan fails.
//!
//! Syntax: a placeholder opens with `{{` and closes with the next `}}`. Inside, the field
//! name (white space around it is ignored) is made of letters, digits, `_`, `-` and `.`;
//! an optional `|` starts the default, taken verbatim up to `}}`. A lone `}}` outside a
//! placeholder is literal text; `{{` inside a placeholder is an error.
//!
//! ```
//! use smsplan_core::contact::Fields;
//! use smsplan_core::template::Template;
//!
//! let t = Template::parse("Hi {{first_name|there}}, -20% today")?;
//! let mut fields = Fields::new();
//! assert_eq!(t.render(&fields)?, "Hi there, -20% today");
//! fields.insert("first_name", "{{x}}");
//! assert_eq!(t.render(&fields)?, "Hi {{x}}, -20% today");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::{BTreeMap, HashMap};
use std::fmt;

/// Where contact fields come from when rendering.
///
/// Implemented for a contact's [`contact::Fields`](crate::contact::Fields), for maps of
/// strings and for slices of pairs; implement it for your own records to render without
/// copying them.
///
/// ```
/// use smsplan_core::template::{Fields, Template};
///
/// struct Customer { name: String }
/// impl Fields for Customer {
///     fn field(&self, name: &str) -> Option<&str> {
///         (name == "name").then_some(self.name.as_str())
///     }
/// }
/// let t = Template::parse("Hi {{name}}")?;
/// assert_eq!(t.render(&Customer { name: "Ana".into() })?, "Hi Ana");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub trait Fields {
    /// The value of `name`, if the contact has one.
    fn field(&self, name: &str) -> Option<&str>;
}

impl Fields for crate::contact::Fields {
    fn field(&self, name: &str) -> Option<&str> {
        self.get(name)
    }
}

impl<S: std::hash::BuildHasher> Fields for HashMap<String, String, S> {
    fn field(&self, name: &str) -> Option<&str> {
        self.get(name).map(String::as_str)
    }
}

impl Fields for BTreeMap<String, String> {
    fn field(&self, name: &str) -> Option<&str> {
        self.get(name).map(String::as_str)
    }
}

impl Fields for [(&str, &str)] {
    fn field(&self, name: &str) -> Option<&str> {
        self.iter().find(|(k, _)| *k == name).map(|(_, v)| *v)
    }
}

impl<F: Fields + ?Sized> Fields for &F {
    fn field(&self, name: &str) -> Option<&str> {
        (**self).field(name)
    }
}

/// What to do with a contact that lacks a field without default.
///
/// ```
/// use smsplan_core::template::MissingField;
/// assert_eq!(MissingField::default(), MissingField::Exclude);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum MissingField {
    /// The contact is excluded with reason `missing_field`.
    #[default]
    Exclude,
    /// Planning fails with an error naming the contact and field.
    Error,
}

impl MissingField {
    /// Every choice, in declaration order.
    pub const ALL: [Self; 2] = [Self::Exclude, Self::Error];

    /// The snake_case name used in wire formats.
    ///
    /// ```
    /// assert_eq!(smsplan_core::template::MissingField::Error.as_str(), "error");
    /// ```
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Exclude => "exclude",
            Self::Error => "error",
        }
    }
}

/// Why a template did not parse; offsets count characters from the start of the template.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TemplateError {
    /// A `{{` without its `}}`.
    #[error("offset {offset}: placeholder not closed with `}}}}`")]
    Unclosed {
        /// Offset of the opening `{{`.
        offset: usize,
    },
    /// `{{}}` or `{{|x}}`: no field name.
    #[error("offset {offset}: placeholder without a field name")]
    EmptyField {
        /// Offset of the opening `{{`.
        offset: usize,
    },
    /// A field name with a character outside letters, digits, `_`, `-` and `.`.
    #[error("offset {offset}: invalid character {ch:?} in field name")]
    InvalidName {
        /// Offset of the character.
        offset: usize,
        /// The character.
        ch: char,
    },
    /// `{{` inside a placeholder.
    #[error("offset {offset}: `{{{{` inside a placeholder")]
    Nested {
        /// Offset of the inner `{{`.
        offset: usize,
    },
}

/// A field without value nor default, met while rendering.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("offset {offset}: field `{field}` has no value and no default")]
pub struct MissingFieldError {
    /// The field name.
    pub field: String,
    /// Offset of its placeholder in the template, in characters.
    pub offset: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    Text(Box<str>),
    Field {
        name: Box<str>,
        default: Option<Box<str>>,
        offset: usize,
    },
}

/// A parsed message template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    source: Box<str>,
    pieces: Vec<Piece>,
    literal_len: usize,
}

impl Template {
    /// Parses a template.
    ///
    /// ```
    /// use smsplan_core::template::{Template, TemplateError};
    /// assert_eq!(Template::parse("Hi {{name"), Err(TemplateError::Unclosed { offset: 3 }));
    /// assert_eq!(Template::parse("{{ na me }}"), Err(TemplateError::InvalidName { offset: 5, ch: ' ' }));
    /// ```
    /// # Errors
    /// A [`TemplateError`] with the character offset of the problem.
    pub fn parse(source: &str) -> Result<Self, TemplateError> {
        let mut pieces = Vec::new();
        let mut text = String::new();
        let mut rest = source;
        let mut offset = 0; // chars consumed before `rest`
        while let Some(open) = rest.find("{{") {
            let (before, after_open) = rest.split_at(open);
            text.push_str(before);
            let open_offset = offset + before.chars().count();
            let inner_all = after_open.get(2..).unwrap_or_default();
            let Some(close) = inner_all.find("}}") else {
                return Err(TemplateError::Unclosed {
                    offset: open_offset,
                });
            };
            let inner = inner_all.get(..close).unwrap_or_default();
            if let Some(nested) = inner.find("{{") {
                let at = inner.get(..nested).unwrap_or_default().chars().count();
                return Err(TemplateError::Nested {
                    offset: open_offset + 2 + at,
                });
            }
            let (name_part, default) = match inner.split_once('|') {
                Some((n, d)) => (n, Some(d)),
                None => (inner, None),
            };
            let lead = name_part.len() - name_part.trim_start().len();
            let name = name_part.trim();
            if name.is_empty() {
                return Err(TemplateError::EmptyField {
                    offset: open_offset,
                });
            }
            let name_offset =
                open_offset + 2 + name_part.get(..lead).unwrap_or_default().chars().count();
            if let Some((i, ch)) = name
                .chars()
                .enumerate()
                .find(|&(_, c)| !(c.is_alphanumeric() || matches!(c, '_' | '-' | '.')))
            {
                return Err(TemplateError::InvalidName {
                    offset: name_offset + i,
                    ch,
                });
            }
            if !text.is_empty() {
                pieces.push(Piece::Text(std::mem::take(&mut text).into()));
            }
            pieces.push(Piece::Field {
                name: name.into(),
                default: default.map(Into::into),
                offset: open_offset,
            });
            rest = inner_all.get(close + 2..).unwrap_or_default();
            offset = open_offset + 2 + inner.chars().count() + 2;
        }
        text.push_str(rest);
        if !text.is_empty() {
            pieces.push(Piece::Text(text.into()));
        }
        let literal_len = pieces
            .iter()
            .map(|p| match p {
                Piece::Text(t) => t.len(),
                Piece::Field { .. } => 0,
            })
            .sum();
        Ok(Self {
            source: source.into(),
            pieces,
            literal_len,
        })
    }

    /// The template as written.
    ///
    /// ```
    /// let t = smsplan_core::template::Template::parse("Hi {{a}}")?;
    /// assert_eq!(t.source(), "Hi {{a}}");
    /// # Ok::<(), smsplan_core::template::TemplateError>(())
    /// ```
    #[must_use]
    pub fn source(&self) -> &str {
        &self.source
    }

    /// The field names used, in order of first use, without repeats.
    ///
    /// ```
    /// let t = smsplan_core::template::Template::parse("{{a}} {{b|x}} {{a}}")?;
    /// assert_eq!(t.fields().collect::<Vec<_>>(), ["a", "b"]);
    /// # Ok::<(), smsplan_core::template::TemplateError>(())
    /// ```
    pub fn fields(&self) -> impl Iterator<Item = &str> {
        let mut seen: Vec<&str> = Vec::new();
        self.pieces.iter().filter_map(move |p| match p {
            Piece::Field { name, .. } if !seen.contains(&&**name) => {
                seen.push(name);
                Some(&**name)
            }
            _ => None,
        })
    }

    /// The template's literal text with every placeholder left out.
    ///
    /// ```
    /// let t = smsplan_core::template::Template::parse("Hi {{a|you}}! STOP 36111")?;
    /// assert_eq!(t.literal_text(), "Hi ! STOP 36111");
    /// # Ok::<(), smsplan_core::template::TemplateError>(())
    /// ```
    #[must_use]
    pub fn literal_text(&self) -> String {
        let mut out = String::with_capacity(self.literal_len);
        for p in &self.pieces {
            if let Piece::Text(t) = p {
                out.push_str(t);
            }
        }
        out
    }

    /// Whether the template has no placeholder.
    ///
    /// ```
    /// assert!(smsplan_core::template::Template::parse("Hi all")?.is_constant());
    /// # Ok::<(), smsplan_core::template::TemplateError>(())
    /// ```
    #[must_use]
    pub fn is_constant(&self) -> bool {
        self.pieces.iter().all(|p| matches!(p, Piece::Text(_)))
    }

    /// Renders for one contact into a new string.
    ///
    /// ```
    /// let t = smsplan_core::template::Template::parse("Hi {{first_name}}")?;
    /// let fields: &[(&str, &str)] = &[("first_name", "Ana")];
    /// assert_eq!(t.render(fields)?, "Hi Ana");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    /// # Errors
    /// [`MissingFieldError`] for the first field without value nor default.
    pub fn render<F: Fields + ?Sized>(&self, fields: &F) -> Result<String, MissingFieldError> {
        let mut out = String::with_capacity(self.literal_len + 16);
        self.render_into(fields, &mut out)?;
        Ok(out)
    }

    /// Renders for one contact, appending to `out` (reuse the buffer over many contacts).
    ///
    /// On error, `out` is left as it was.
    ///
    /// ```
    /// let t = smsplan_core::template::Template::parse("Hi {{first_name}}")?;
    /// let mut buf = String::new();
    /// let none: &[(&str, &str)] = &[];
    /// assert!(t.render_into(none, &mut buf).is_err());
    /// assert!(buf.is_empty());
    /// # Ok::<(), smsplan_core::template::TemplateError>(())
    /// ```
    /// # Errors
    /// [`MissingFieldError`] for the first field without value nor default.
    pub fn render_into<F: Fields + ?Sized>(
        &self,
        fields: &F,
        out: &mut String,
    ) -> Result<(), MissingFieldError> {
        let start = out.len();
        for p in &self.pieces {
            match p {
                Piece::Text(t) => out.push_str(t),
                Piece::Field {
                    name,
                    default,
                    offset,
                } => match (fields.field(name).filter(|v| !v.trim().is_empty()), default) {
                    (Some(v), _) => out.push_str(v),
                    (None, Some(d)) => out.push_str(d),
                    (None, None) => {
                        out.truncate(start);
                        return Err(MissingFieldError {
                            field: name.to_string(),
                            offset: *offset,
                        });
                    }
                },
            }
        }
        Ok(())
    }
}

impl fmt::Display for Template {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.source)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn defaults_fill_absent_and_blank_fields() {
        let t = Template::parse("Hi {{ first_name | there }}!").unwrap();
        assert_eq!(t.render(&map(&[])).unwrap(), "Hi  there !");
        assert_eq!(
            t.render(&map(&[("first_name", "  ")])).unwrap(),
            "Hi  there !"
        );
        assert_eq!(t.render(&map(&[("first_name", "Zoé")])).unwrap(), "Hi Zoé!");
    }

    #[test]
    fn missing_field_names_field_and_offset() {
        let t = Template::parse("Bonjour é {{city}} {{name}}").unwrap();
        let err = t.render(&map(&[("city", "Metz")])).unwrap_err();
        assert_eq!(
            err,
            MissingFieldError {
                field: "name".into(),
                offset: 19
            }
        );
    }

    #[test]
    fn parse_errors_carry_char_offsets() {
        assert_eq!(
            Template::parse("é{{}}"),
            Err(TemplateError::EmptyField { offset: 1 })
        );
        assert_eq!(
            Template::parse("é{{ |x}}"),
            Err(TemplateError::EmptyField { offset: 1 })
        );
        assert_eq!(
            Template::parse("éé {{a {{b}} }}"),
            Err(TemplateError::Nested { offset: 7 })
        );
        assert_eq!(
            Template::parse("{{a}} {{b!}}"),
            Err(TemplateError::InvalidName { offset: 9, ch: '!' })
        );
        assert_eq!(
            Template::parse("{{a}} ü {{b"),
            Err(TemplateError::Unclosed { offset: 8 })
        );
    }

    #[test]
    fn lone_closing_braces_and_single_braces_are_text() {
        let t = Template::parse("a }} b { c } {x}").unwrap();
        assert!(t.is_constant());
        assert_eq!(t.render(&map(&[])).unwrap(), "a }} b { c } {x}");
    }

    #[test]
    fn default_may_hold_pipes_and_braces() {
        let t = Template::parse("{{a|x|y{z}}").unwrap();
        assert_eq!(t.render(&map(&[])).unwrap(), "x|y{z");
    }

    proptest! {
        #[test]
        fn values_are_inserted_literally(value in ".{0,40}", prefix in "[a-z ]{0,10}") {
            let t = Template::parse(&format!("{prefix}{{{{v}}}}!")).unwrap();
            let fields = map(&[("v", &value)]);
            let out = t.render(&fields);
            if value.trim().is_empty() {
                prop_assert!(out.is_err());
            } else {
                prop_assert_eq!(out.unwrap(), format!("{prefix}{value}!"));
            }
        }

        #[test]
        fn text_without_open_braces_renders_as_itself(text in "[^{]{0,80}") {
            let t = Template::parse(&text).unwrap();
            prop_assert_eq!(t.render(&map(&[])).unwrap(), text);
        }

        #[test]
        fn parsing_never_panics(text in "[{}|a-z é]{0,40}") {
            let _ = Template::parse(&text).map(|t| t.render(&map(&[("a", "1")])));
        }
    }
}
