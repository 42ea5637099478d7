//! The contact table: contacts as the rows of a CSV file or of JSON lines, in one flat
//! layout, read as a stream, with errors that name the line and the column.
//!
//! | column | value | empty or absent |
//! |---|---|---|
//! | `id` | the contact id, unique in the project (required) | an error |
//! | `phone` | the number as typed | no phone |
//! | `email` | the e-mail address | none |
//! | `consent_status` | `subscribed`, `unsubscribed` or `unknown` | `unknown` |
//! | `consent_changed_at` | RFC 3339 with an offset | not known |
//! | `consent_source` | how consent last changed (`web form`, `STOP keyword`) | not known |
//! | `time_zone` | an IANA zone that replaces the number's zones | the number's zones |
//! | `quarantined` | `invalid_number`, `bounced` or `blocked` | not in quarantine |
//! | `groups` | group ids separated by `;` (a JSON list of strings too) | in no group |
//! | any other | a personalization field of that name | the contact lacks the field |
//!
//! ```text
//! id,phone,email,consent_status,consent_changed_at,consent_source,time_zone,quarantined,groups,first_name
//! c1,06 12 34 56 78,ana@example.org,subscribed,2026-01-10T09:00:00+01:00,web form,,,newsletter;vip,Ana
//! ```
//!
//! In JSON lines each line is one object with the same keys:
//! `{"id": "c1", "phone": "06 12 34 56 78", "consent_status": "subscribed", "groups":
//! ["newsletter", "vip"], "first_name": "Ana"}`; `null` is an absent value, and a number or
//! a boolean is kept as its JSON text. Values of `consent_status`, `consent_changed_at`,
//! `time_zone`, `quarantined` and group ids are read without surrounding white space; the
//! others are kept as written. CSV files are read with the `csv` crate (RFC 4180 quoting, a
//! header line first, a UTF-8 byte order mark ignored).
//!
//! A groups file has the columns `id` and `members` (contact ids separated by `;`, or a JSON
//! list): it declares groups (an empty group included) and members in addition to those
//! the contacts name.
//!
//! Readers yield one `Result` per row ([`CsvRows`], [`JsonLinesRows`]), so a malformed row
//! is reported and the rest is still read. [`ContactTable`] gathers the rows into contacts
//! and groups in reading order, and [`CampaignSettings`] reads a campaign document without
//! its `contacts` key and combines it with a table. Another source of rows (a Parquet file,
//! a database cursor) feeds a [`ContactLayout`] builder column by column and reuses the rest.
//!
//! ```
//! use smsplan_formats::v1::contacts::{ContactTable, CsvRows};
//!
//! let csv = "id,phone,consent_status,groups,first_name\n\
//!            c1,06 12 34 56 78,subscribed,vip;newsletter,Ana\n\
//!            c2,+1 212 555 0100,maybe,vip,Bob\n";
//! let mut table = ContactTable::new();
//! let mut errors = Vec::new();
//! for row in CsvRows::contacts(csv.as_bytes())? {
//!     match row {
//!         Ok(row) => table.push(row),
//!         Err(e) => errors.push(e.to_string()),
//!     }
//! }
//! assert_eq!(errors, [r#"line 3, column `consent_status`: unknown consent status "maybe" (subscribed, unsubscribed, unknown or empty)"#]);
//! let (contacts, groups) = table.into_parts();
//! assert_eq!(contacts[0].fields.get("first_name"), Some("Ana"));
//! assert_eq!(groups.iter().map(|g| g.id.as_str()).collect::<Vec<_>>(), ["vip", "newsletter"]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;
use std::io::{self, BufRead, Read};
use std::marker::PhantomData;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::de::{Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;
use smsplan_core::contact::{
    Consent, ConsentStatus, Contact, ContactId, Fields, IdError, QuarantineReason,
};
use smsplan_core::group::{Group, GroupId};
use smsplan_core::plan::Campaign;

use super::campaign::CampaignSpec;
use super::convert::ConvertError;
use crate::read::{ReadError, from_json};

/// The separator of the ids in a `groups` or `members` cell.
pub const LIST_SEPARATOR: char = ';';

/// A column of the contact layout.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Column {
    /// `id`.
    Id,
    /// `phone`.
    Phone,
    /// `email`.
    Email,
    /// `consent_status`.
    ConsentStatus,
    /// `consent_changed_at`.
    ConsentChangedAt,
    /// `consent_source`.
    ConsentSource,
    /// `time_zone`.
    TimeZone,
    /// `quarantined`.
    Quarantined,
    /// `groups`.
    Groups,
    /// Any other name: a personalization field.
    Field(String),
}

impl Column {
    /// The named columns, in the documented order.
    pub const STANDARD: [Column; 9] = [
        Column::Id,
        Column::Phone,
        Column::Email,
        Column::ConsentStatus,
        Column::ConsentChangedAt,
        Column::ConsentSource,
        Column::TimeZone,
        Column::Quarantined,
        Column::Groups,
    ];

    /// The column of a header name (a field for any name that is not a standard column).
    ///
    /// ```
    /// use smsplan_formats::v1::contacts::Column;
    /// assert_eq!(Column::named("consent_status"), Column::ConsentStatus);
    /// assert_eq!(Column::named("first_name"), Column::Field("first_name".into()));
    /// ```
    #[must_use]
    pub fn named(name: &str) -> Self {
        match name {
            "id" => Self::Id,
            "phone" => Self::Phone,
            "email" => Self::Email,
            "consent_status" => Self::ConsentStatus,
            "consent_changed_at" => Self::ConsentChangedAt,
            "consent_source" => Self::ConsentSource,
            "time_zone" => Self::TimeZone,
            "quarantined" => Self::Quarantined,
            "groups" => Self::Groups,
            other => Self::Field(other.to_owned()),
        }
    }

    /// The header name.
    #[must_use]
    pub fn name(&self) -> &str {
        match self {
            Self::Id => "id",
            Self::Phone => "phone",
            Self::Email => "email",
            Self::ConsentStatus => "consent_status",
            Self::ConsentChangedAt => "consent_changed_at",
            Self::ConsentSource => "consent_source",
            Self::TimeZone => "time_zone",
            Self::Quarantined => "quarantined",
            Self::Groups => "groups",
            Self::Field(name) => name,
        }
    }
}

/// Why one cell was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CellError {
    /// An empty id (of the contact, a group or a member).
    #[error("{0}")]
    Id(IdError),
    /// Not a consent status.
    #[error("unknown consent status {value:?} (subscribed, unsubscribed, unknown or empty)")]
    ConsentStatus {
        /// The text.
        value: String,
    },
    /// Not an RFC 3339 date-time with an offset.
    #[error("{value:?} is not an RFC 3339 date-time with an offset")]
    DateTime {
        /// The text.
        value: String,
    },
    /// Not an IANA time zone.
    #[error("unknown time zone {value:?}")]
    TimeZone {
        /// The text.
        value: String,
    },
    /// Not a quarantine reason.
    #[error("unknown quarantine reason {value:?} (invalid_number, bounced, blocked or empty)")]
    Quarantine {
        /// The text.
        value: String,
    },
    /// A JSON value of another type than the column takes.
    #[error("expected {expected}")]
    Type {
        /// What the column takes.
        expected: &'static str,
    },
    /// A column that the layout does not have (groups files have `id` and `members` only).
    #[error("unknown column (expected {expected})")]
    Unknown {
        /// The columns the layout has.
        expected: &'static str,
    },
}

/// Why a row, or the header, could not be read. Lines count from 1, the header included.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RowError {
    /// A cell's value is refused.
    #[error("line {line}, column `{column}`: {error}")]
    Cell {
        /// The line.
        line: u64,
        /// The column's name.
        column: String,
        /// What is wrong.
        error: CellError,
    },
    /// The row has no value for a required column.
    #[error("line {line}: no `{column}`")]
    Missing {
        /// The line.
        line: u64,
        /// The column.
        column: &'static str,
    },
    /// The header lacks a required column.
    #[error("line {line}: the header has no `{column}` column")]
    NoColumn {
        /// The header's line.
        line: u64,
        /// The column.
        column: &'static str,
    },
    /// A column appears twice in the header, or a key twice in a JSON object.
    #[error("line {line}: column `{column}` appears twice")]
    Repeated {
        /// The line.
        line: u64,
        /// The column.
        column: String,
    },
    /// A CSV record with another number of fields than the header.
    #[error("line {line}: {found} fields where the header has {expected}")]
    Length {
        /// The line.
        line: u64,
        /// Fields in the header.
        expected: u64,
        /// Fields in the record.
        found: u64,
    },
    /// Not CSV, not JSON, not UTF-8, or a JSON line that is not an object.
    #[error("line {line}{}: {message}", column.map(|c| format!(", column {c}")).unwrap_or_default())]
    Syntax {
        /// The line.
        line: u64,
        /// The column (1-based: bytes in JSON, fields in CSV), when known.
        column: Option<u64>,
        /// What the parser says.
        message: String,
    },
    /// Reading failed.
    #[error("line {line}: cannot read: {error}")]
    Io {
        /// The line being read.
        line: u64,
        /// Why.
        error: io::Error,
    },
}

/// How named columns become a value: [`ContactLayout`] for contacts, [`GroupLayout`] for
/// groups. Readers call [`Layout::column`] once per name, then, for each row,
/// [`Layout::present`] for every column the row has, [`Layout::set`] for every non-empty
/// value (once per item in a list column) and [`Layout::finish`].
pub trait Layout {
    /// A column.
    type Column: Clone + PartialEq;
    /// The row being built.
    type Builder: Default;
    /// What a row becomes.
    type Row;
    /// The column every row must have.
    const REQUIRED: &'static str;

    /// The column of a name.
    ///
    /// # Errors
    /// [`CellError::Unknown`] when the layout has no such column.
    fn column(name: &str) -> Result<Self::Column, CellError>;
    /// The column's name, for errors.
    fn column_name(column: &Self::Column) -> &str;
    /// Whether the column holds a list (`;`-separated in CSV, a JSON list in JSON lines).
    fn is_list(column: &Self::Column) -> bool;
    /// The row has this column (possibly empty).
    fn present(_builder: &mut Self::Builder, _column: &Self::Column) {}
    /// Sets a non-empty value (one item of a list column).
    ///
    /// # Errors
    /// A [`CellError`] when the value is refused.
    fn set(
        builder: &mut Self::Builder,
        column: &Self::Column,
        value: &str,
    ) -> Result<(), CellError>;
    /// The row, or `Err(())` when the required column had no value.
    ///
    /// # Errors
    /// `Err(())` without an id.
    #[allow(
        clippy::result_unit_err,
        reason = "the reader names the missing column"
    )]
    fn finish(builder: Self::Builder) -> Result<Self::Row, ()>;
}

/// A contact read from one row, with the groups it names.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ContactRow {
    /// The contact.
    pub contact: Contact,
    /// The groups it names, in the row's order.
    pub groups: Vec<GroupId>,
    /// Whether the row has a `groups` column (even empty).
    pub names_groups: bool,
}

/// The contact layout of this module's table.
#[derive(Debug, Clone, Copy)]
pub struct ContactLayout;

/// A contact row being built.
#[derive(Debug, Default)]
pub struct ContactBuilder {
    id: Option<ContactId>,
    phone: Option<String>,
    email: Option<String>,
    status: Option<ConsentStatus>,
    changed_at: Option<DateTime<Utc>>,
    source: Option<String>,
    time_zone: Option<Tz>,
    quarantine: Option<QuarantineReason>,
    groups: Vec<GroupId>,
    names_groups: bool,
    fields: Vec<(String, String)>,
}

const CONSENT_STATUSES: [ConsentStatus; 3] = [
    ConsentStatus::Subscribed,
    ConsentStatus::Unsubscribed,
    ConsentStatus::Unknown,
];

impl Layout for ContactLayout {
    type Column = Column;
    type Builder = ContactBuilder;
    type Row = ContactRow;
    const REQUIRED: &'static str = "id";

    fn column(name: &str) -> Result<Column, CellError> {
        Ok(Column::named(name))
    }

    fn column_name(column: &Column) -> &str {
        column.name()
    }

    fn is_list(column: &Column) -> bool {
        *column == Column::Groups
    }

    fn present(builder: &mut ContactBuilder, column: &Column) {
        if *column == Column::Groups {
            builder.names_groups = true;
        }
    }

    fn set(builder: &mut ContactBuilder, column: &Column, value: &str) -> Result<(), CellError> {
        let b = builder;
        match column {
            Column::Id => b.id = Some(ContactId::new(value).map_err(CellError::Id)?),
            Column::Phone => b.phone = Some(value.to_owned()),
            Column::Email => b.email = Some(value.to_owned()),
            Column::ConsentStatus => {
                let value = value.trim();
                b.status = Some(
                    CONSENT_STATUSES
                        .into_iter()
                        .find(|s| s.as_str() == value)
                        .ok_or_else(|| CellError::ConsentStatus {
                            value: value.to_owned(),
                        })?,
                );
            }
            Column::ConsentChangedAt => {
                let value = value.trim();
                let at = DateTime::parse_from_rfc3339(value).map_err(|_| CellError::DateTime {
                    value: value.to_owned(),
                })?;
                b.changed_at = Some(at.with_timezone(&Utc));
            }
            Column::ConsentSource => b.source = Some(value.to_owned()),
            Column::TimeZone => {
                let value = value.trim();
                b.time_zone = Some(Tz::from_str(value).map_err(|_| CellError::TimeZone {
                    value: value.to_owned(),
                })?);
            }
            Column::Quarantined => {
                let value = value.trim();
                b.quarantine = Some(
                    QuarantineReason::ALL
                        .into_iter()
                        .find(|r| r.as_str() == value)
                        .ok_or_else(|| CellError::Quarantine {
                            value: value.to_owned(),
                        })?,
                );
            }
            Column::Groups => b
                .groups
                .push(GroupId::new(value.trim()).map_err(CellError::Id)?),
            Column::Field(name) => b.fields.push((name.clone(), value.to_owned())),
        }
        Ok(())
    }

    fn finish(b: ContactBuilder) -> Result<ContactRow, ()> {
        let id = b.id.ok_or(())?;
        let mut contact = Contact::new(id);
        contact.phone = b.phone;
        contact.email = b.email;
        contact.time_zone = b.time_zone;
        contact.quarantine = b.quarantine;
        let mut consent = Consent::new(b.status.unwrap_or(ConsentStatus::Unknown));
        consent.changed_at = b.changed_at;
        consent.source = b.source;
        contact.consent = consent;
        contact.fields = b.fields.into_iter().collect::<Fields>();
        Ok(ContactRow {
            contact,
            groups: b.groups,
            names_groups: b.names_groups,
        })
    }
}

/// The layout of a groups file: `id` and `members`.
#[derive(Debug, Clone, Copy)]
pub struct GroupLayout;

/// The columns of a groups file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupColumn {
    /// `id`.
    Id,
    /// `members`.
    Members,
}

/// A group row being built.
#[derive(Debug, Default)]
pub struct GroupBuilder {
    id: Option<GroupId>,
    members: Vec<ContactId>,
}

impl Layout for GroupLayout {
    type Column = GroupColumn;
    type Builder = GroupBuilder;
    type Row = Group;
    const REQUIRED: &'static str = "id";

    fn column(name: &str) -> Result<GroupColumn, CellError> {
        match name {
            "id" => Ok(GroupColumn::Id),
            "members" => Ok(GroupColumn::Members),
            _ => Err(CellError::Unknown {
                expected: "`id` and `members`",
            }),
        }
    }

    fn column_name(column: &GroupColumn) -> &str {
        match column {
            GroupColumn::Id => "id",
            GroupColumn::Members => "members",
        }
    }

    fn is_list(column: &GroupColumn) -> bool {
        *column == GroupColumn::Members
    }

    fn set(b: &mut GroupBuilder, column: &GroupColumn, value: &str) -> Result<(), CellError> {
        let value = value.trim();
        match column {
            GroupColumn::Id => b.id = Some(GroupId::new(value).map_err(CellError::Id)?),
            GroupColumn::Members => b
                .members
                .push(ContactId::new(value).map_err(CellError::Id)?),
        }
        Ok(())
    }

    fn finish(b: GroupBuilder) -> Result<Group, ()> {
        Ok(Group::new(b.id.ok_or(())?, b.members))
    }
}

/// Sets `value` in `column`: each `;`-separated item of a list column, the whole text
/// otherwise; empty values (and empty items) are skipped.
fn set_text<L: Layout>(
    builder: &mut L::Builder,
    column: &L::Column,
    value: &str,
) -> Result<(), CellError> {
    if L::is_list(column) {
        for item in value.split(LIST_SEPARATOR) {
            if !item.trim().is_empty() {
                L::set(builder, column, item)?;
            }
        }
        Ok(())
    } else if value.is_empty() {
        Ok(())
    } else {
        L::set(builder, column, value)
    }
}

/// Rows of a CSV file, read one record at a time.
#[derive(Debug)]
pub struct CsvRows<R, L: Layout> {
    reader: csv::Reader<R>,
    columns: Vec<L::Column>,
    record: csv::StringRecord,
    done: bool,
    layout: PhantomData<L>,
}

impl<R: Read> CsvRows<R, ContactLayout> {
    /// Contacts from CSV; reads the header.
    ///
    /// # Errors
    /// A [`RowError`] for a header that cannot be read, lacks `id` or repeats a name.
    pub fn contacts(reader: R) -> Result<Self, RowError> {
        Self::new(reader)
    }
}

impl<R: Read> CsvRows<R, GroupLayout> {
    /// Groups from CSV; reads the header.
    ///
    /// # Errors
    /// As [`CsvRows::contacts`], and for a column other than `id` and `members`.
    pub fn groups(reader: R) -> Result<Self, RowError> {
        Self::new(reader)
    }
}

impl<R: Read, L: Layout> CsvRows<R, L> {
    /// Rows of `layout` from CSV; reads the header.
    ///
    /// # Errors
    /// A [`RowError`] for a header that cannot be read, lacks the required column, repeats
    /// a name or names a column the layout does not have.
    pub fn new(reader: R) -> Result<Self, RowError> {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .flexible(false)
            .from_reader(reader);
        let header = reader.headers().map_err(|e| csv_error(&e, None))?.clone();
        let mut columns: Vec<L::Column> = Vec::with_capacity(header.len());
        for name in &header {
            let column = L::column(name).map_err(|error| RowError::Cell {
                line: 1,
                column: name.to_owned(),
                error,
            })?;
            if columns.contains(&column) {
                return Err(RowError::Repeated {
                    line: 1,
                    column: name.to_owned(),
                });
            }
            columns.push(column);
        }
        if !columns.iter().any(|c| L::column_name(c) == L::REQUIRED) {
            return Err(RowError::NoColumn {
                line: 1,
                column: L::REQUIRED,
            });
        }
        Ok(Self {
            reader,
            columns,
            record: csv::StringRecord::new(),
            done: false,
            layout: PhantomData,
        })
    }

    /// The header's columns, in order.
    pub fn columns(&self) -> &[L::Column] {
        &self.columns
    }

    fn row(&self) -> Result<L::Row, RowError> {
        let line = self.record.position().map_or(0, csv::Position::line);
        let mut builder = L::Builder::default();
        for (column, value) in self.columns.iter().zip(&self.record) {
            L::present(&mut builder, column);
            set_text::<L>(&mut builder, column, value).map_err(|error| RowError::Cell {
                line,
                column: L::column_name(column).to_owned(),
                error,
            })?;
        }
        L::finish(builder).map_err(|()| RowError::Missing {
            line,
            column: L::REQUIRED,
        })
    }
}

fn csv_error(e: &csv::Error, names: Option<&[String]>) -> RowError {
    let line = e.position().map_or(1, csv::Position::line);
    match e.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => RowError::Length {
            line,
            expected: *expected_len,
            found: *len,
        },
        csv::ErrorKind::Utf8 { err, .. } => {
            let column = names
                .and_then(|n| n.get(err.field()))
                .map_or_else(|| format!("{}", err.field() + 1), Clone::clone);
            RowError::Syntax {
                line,
                column: u64::try_from(err.field() + 1).ok(),
                message: format!("field {column} is not UTF-8"),
            }
        }
        _ => RowError::Syntax {
            line,
            column: None,
            message: e.to_string(),
        },
    }
}

impl<R: Read, L: Layout> Iterator for CsvRows<R, L> {
    type Item = Result<L::Row, RowError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        match self.reader.read_record(&mut self.record) {
            Ok(false) => None,
            Ok(true) => Some(self.row()),
            Err(e) => {
                if let csv::ErrorKind::Io(_) = e.kind() {
                    // The reader cannot go on after an I/O error.
                    self.done = true;
                    let line = e.position().map_or(0, csv::Position::line);
                    let csv::ErrorKind::Io(source) = e.into_kind() else {
                        return None;
                    };
                    return Some(Err(RowError::Io {
                        line,
                        error: source,
                    }));
                }
                let names: Vec<String> = self
                    .columns
                    .iter()
                    .map(|c| L::column_name(c).to_owned())
                    .collect();
                Some(Err(csv_error(&e, Some(&names))))
            }
        }
    }
}

/// Rows of JSON lines: one object per line; blank lines are skipped.
#[derive(Debug)]
pub struct JsonLinesRows<R, L: Layout> {
    input: R,
    line: u64,
    text: String,
    done: bool,
    layout: PhantomData<L>,
}

impl<R: BufRead> JsonLinesRows<R, ContactLayout> {
    /// Contacts from JSON lines.
    pub fn contacts(input: R) -> Self {
        Self::new(input)
    }
}

impl<R: BufRead> JsonLinesRows<R, GroupLayout> {
    /// Groups from JSON lines (`{"id": "vip", "members": ["c1", "c2"]}`).
    pub fn groups(input: R) -> Self {
        Self::new(input)
    }
}

impl<R: BufRead, L: Layout> JsonLinesRows<R, L> {
    /// Rows of `L` from JSON lines.
    pub fn new(input: R) -> Self {
        Self {
            input,
            line: 0,
            text: String::new(),
            done: false,
            layout: PhantomData,
        }
    }

    fn row(&self) -> Result<L::Row, RowError> {
        let line = self.line;
        let text = self.text.trim_end_matches(['\n', '\r']);
        let syntax = |e: &serde_json::Error| RowError::Syntax {
            line,
            column: u64::try_from(e.column()).ok().filter(|c| *c > 0),
            message: json_message(e),
        };
        let mut de = serde_json::Deserializer::from_str(text);
        let pairs = de.deserialize_map(Pairs).map_err(|e| syntax(&e))?;
        de.end().map_err(|e| syntax(&e))?;
        let mut builder = L::Builder::default();
        let mut seen: Vec<L::Column> = Vec::with_capacity(pairs.len());
        for (name, raw) in &pairs {
            let cell = |error| RowError::Cell {
                line,
                column: name.to_string(),
                error,
            };
            let column = L::column(name).map_err(cell)?;
            if seen.contains(&column) {
                return Err(RowError::Repeated {
                    line,
                    column: name.to_string(),
                });
            }
            L::present(&mut builder, &column);
            set_json::<L>(&mut builder, &column, raw).map_err(cell)?;
            seen.push(column);
        }
        L::finish(builder).map_err(|()| RowError::Missing {
            line,
            column: L::REQUIRED,
        })
    }
}

/// serde_json's message without its position; for a value of the wrong type (the line is
/// not an object) a fixed message, since serde_json would quote the value, and a line's
/// value may be a phone number.
fn json_message(e: &serde_json::Error) -> String {
    if e.is_data() {
        return "expected a JSON object, one per line".to_owned();
    }
    let text = e.to_string();
    text.rsplit_once(" at line ")
        .map_or(text.as_str(), |(m, _)| m)
        .to_owned()
}

/// Sets a JSON value: a string as its text, a number or a boolean as its JSON text, `null`
/// as absent, a list of strings item by item in a list column.
fn set_json<L: Layout>(
    builder: &mut L::Builder,
    column: &L::Column,
    raw: &RawValue,
) -> Result<(), CellError> {
    let text = raw.get();
    let expected = if L::is_list(column) {
        "a string or a list of strings"
    } else {
        "a string, a number, a boolean or null"
    };
    match text.as_bytes().first() {
        Some(b'"') => match text.get(1..text.len().saturating_sub(1)) {
            // Most strings have no escape: their text is the value, no second parse.
            Some(inner) if !inner.contains(['\\', '"']) => set_text::<L>(builder, column, inner),
            _ => {
                let value: Cow<'_, str> =
                    serde_json::from_str(text).map_err(|_| CellError::Type { expected })?;
                set_text::<L>(builder, column, &value)
            }
        },
        Some(b'n') => Ok(()),
        Some(b'[') if L::is_list(column) => {
            let items: Vec<Cow<'_, str>> =
                serde_json::from_str(text).map_err(|_| CellError::Type { expected })?;
            for item in items.iter().filter(|i| !i.trim().is_empty()) {
                L::set(builder, column, item)?;
            }
            Ok(())
        }
        Some(b'[' | b'{') | None => Err(CellError::Type { expected }),
        Some(_) => set_text::<L>(builder, column, text),
    }
}

/// A JSON object's members in order, the values left unparsed.
struct Pairs;

/// A key, borrowed from the line when it has no escapes.
struct Key<'a>(Cow<'a, str>);

impl fmt::Display for Key<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::ops::Deref for Key<'_> {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl<'de> serde::Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a column name")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v.to_owned())))
            }
        }
        d.deserialize_str(KeyVisitor)
    }
}

impl<'de> Visitor<'de> for Pairs {
    type Value = Vec<(Key<'de>, &'de RawValue)>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object, one per line")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut pairs = Vec::with_capacity(map.size_hint().unwrap_or(12).min(64));
        while let Some(pair) = map.next_entry::<Key<'de>, &'de RawValue>()? {
            pairs.push(pair);
        }
        Ok(pairs)
    }
}

impl<R: BufRead, L: Layout> Iterator for JsonLinesRows<R, L> {
    type Item = Result<L::Row, RowError>;

    fn next(&mut self) -> Option<Self::Item> {
        while !self.done {
            self.text.clear();
            self.line += 1;
            match self.input.read_line(&mut self.text) {
                Ok(0) => self.done = true,
                Ok(_) if self.text.trim().is_empty() => {}
                Ok(_) => return Some(self.row()),
                Err(e) if e.kind() == io::ErrorKind::InvalidData => {
                    // Not UTF-8: `read_line` has consumed the line; report it and go on.
                    return Some(Err(RowError::Syntax {
                        line: self.line,
                        column: None,
                        message: "the line is not UTF-8".to_owned(),
                    }));
                }
                Err(error) => {
                    self.done = true;
                    return Some(Err(RowError::Io {
                        line: self.line,
                        error,
                    }));
                }
            }
        }
        None
    }
}

/// Contacts and groups gathered from rows, in reading order: contacts as they come, groups
/// in the order they are first declared (a groups file) or named (a contact's `groups`),
/// each group's members in contact order after its declared members.
#[derive(Debug, Default)]
pub struct ContactTable {
    contacts: Vec<Contact>,
    groups: Vec<(GroupId, Vec<ContactId>)>,
    index: HashMap<GroupId, usize>,
    names_groups: bool,
    declares_groups: bool,
}

impl ContactTable {
    /// An empty table.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Declares a group (from a groups file), with its members. A repeated group id is kept
    /// as given, so that resolving the audience reports it.
    pub fn declare(&mut self, group: Group) {
        self.declares_groups = true;
        self.index
            .entry(group.id.clone())
            .or_insert(self.groups.len());
        self.groups.push((group.id, group.members));
    }

    /// Adds a contact and its memberships.
    pub fn push(&mut self, row: ContactRow) {
        self.names_groups |= row.names_groups;
        for group in row.groups {
            let slot = match self.index.get(&group) {
                Some(&i) => i,
                None => {
                    self.index.insert(group.clone(), self.groups.len());
                    self.groups.push((group, Vec::new()));
                    self.groups.len() - 1
                }
            };
            if let Some((_, members)) = self.groups.get_mut(slot) {
                members.push(row.contact.id.clone());
            }
        }
        self.contacts.push(row.contact);
    }

    /// Contacts so far.
    #[must_use]
    pub fn len(&self) -> usize {
        self.contacts.len()
    }

    /// Whether no contact was added.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.contacts.is_empty()
    }

    /// Whether the rows name their groups (a `groups` column), or groups were declared.
    #[must_use]
    pub fn has_groups(&self) -> bool {
        self.names_groups || self.declares_groups
    }

    /// The contacts and the groups.
    #[must_use]
    pub fn into_parts(self) -> (Vec<Contact>, Vec<Group>) {
        let groups = self
            .groups
            .into_iter()
            .map(|(id, members)| Group::new(id, members))
            .collect();
        (self.contacts, groups)
    }
}

/// A campaign document whose contacts come from a table: read without `contacts` (and
/// without `groups` when the table has them).
#[derive(Debug, Clone)]
pub struct CampaignSettings {
    spec: CampaignSpec,
    has_groups: bool,
}

/// Why a campaign and a contact table do not go together.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TableError {
    /// Both the campaign's `groups` key and the table give groups.
    #[error(
        "the groups come twice: from the campaign's `groups` key and from the contacts' `groups` column or the groups file; keep one"
    )]
    GroupsTwice,
    /// Neither gives groups.
    #[error(
        "no groups: give the contacts a `groups` column, a groups file, or the campaign a `groups` key"
    )]
    NoGroups,
    /// A value of the campaign is refused.
    #[error(transparent)]
    Convert(#[from] ConvertError),
}

impl CampaignSettings {
    /// Reads a `smsplan.campaign/v1` document that has no `contacts` key.
    ///
    /// ```
    /// use smsplan_formats::v1::contacts::CampaignSettings;
    /// let text = r#"{"format": "smsplan.campaign/v1", "name": "sale",
    ///   "project": {"key": "email", "default_region": "FR"}, "contacts": [],
    ///   "audience": {"groups": ["vip"]}, "message": {"template": "Hi"},
    ///   "schedule": {"mode": "now"},
    ///   "credits": {"currency": "EUR", "balance": "10", "price_per_segment": "0.05"}}"#;
    /// let err = CampaignSettings::from_json(text).unwrap_err();
    /// assert_eq!(err.path(), Some("contacts"));
    /// ```
    ///
    /// # Errors
    /// [`ReadError`] as for [`from_json`], and a [`ReadError::Field`] at `contacts` when the
    /// document has that key.
    pub fn from_json(text: &str) -> Result<Self, ReadError> {
        let keys: TopKeys = from_json(text)?;
        if keys.contacts {
            // Where the key is written (the first `"contacts"` in the text: a string value
            // before it would only move the position shown, never hide the error).
            let at = text.find("\"contacts\"").unwrap_or(0);
            let before = text.get(..at).unwrap_or_default();
            let line = before.matches('\n').count() + 1;
            let column = before.len() - before.rfind('\n').map_or(0, |i| i + 1) + 1;
            return Err(ReadError::Field {
                path: "contacts".to_owned(),
                line,
                column,
                message: "with contacts from a file, the campaign has no `contacts` key".to_owned(),
            });
        }
        // The document is an object (the first read says so), so its first non-blank
        // character is `{`: the keys the wire type requires go right after it.
        let start = text.find('{').map_or(0, |i| i + 1);
        let mut filled = String::with_capacity(text.len() + 32);
        filled.push_str(text.get(..start).unwrap_or_default());
        filled.push_str("\"contacts\":[]");
        if !keys.groups {
            filled.push_str(",\"groups\":[]");
        }
        if keys.count > 0 {
            filled.push(',');
        }
        filled.push_str(text.get(start..).unwrap_or_default());
        Ok(Self {
            spec: from_json(&filled)?,
            has_groups: keys.groups,
        })
    }

    /// Whether the document has a `groups` key.
    #[must_use]
    pub fn has_groups(&self) -> bool {
        self.has_groups
    }

    /// The campaign with the table's contacts, and the groups of the document or of the
    /// table (exactly one of them must give groups).
    ///
    /// # Errors
    /// [`TableError::GroupsTwice`], [`TableError::NoGroups`], or a value of the document
    /// that the domain refuses.
    pub fn into_campaign(self, table: ContactTable) -> Result<Campaign, TableError> {
        match (self.has_groups, table.has_groups()) {
            (true, true) => return Err(TableError::GroupsTwice),
            (false, false) => return Err(TableError::NoGroups),
            _ => {}
        }
        let mut campaign = Campaign::try_from(self.spec)?;
        let (contacts, groups) = table.into_parts();
        campaign.contacts = contacts;
        if !self.has_groups {
            campaign.groups = groups;
        }
        Ok(campaign)
    }
}

/// Which top-level keys a document has (values skipped).
#[derive(Debug, Default)]
struct TopKeys {
    contacts: bool,
    groups: bool,
    count: usize,
}

impl<'de> serde::Deserialize<'de> for TopKeys {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct TopVisitor;
        impl<'de> Visitor<'de> for TopVisitor {
            type Value = TopKeys;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a campaign document (a JSON object)")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<TopKeys, A::Error> {
                let mut keys = TopKeys::default();
                while let Some(key) = map.next_key::<Key<'de>>()? {
                    map.next_value::<serde::de::IgnoredAny>()?;
                    keys.count += 1;
                    match &*key {
                        "contacts" => keys.contacts = true,
                        "groups" => keys.groups = true,
                        _ => {}
                    }
                }
                Ok(keys)
            }
        }
        d.deserialize_map(TopVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn contacts_csv(text: &str) -> Vec<Result<ContactRow, RowError>> {
        CsvRows::contacts(text.as_bytes()).unwrap().collect()
    }

    #[test]
    fn every_standard_column_is_read() {
        let rows = contacts_csv(
            "id,phone,email,consent_status,consent_changed_at,consent_source,time_zone,quarantined,groups,city\n\
             c1,06 12 34 56 78,a@example.org, subscribed ,2026-01-10T09:00:00+01:00,web form,Europe/Paris,bounced,vip; all ;,Paris\n",
        );
        let row = rows.into_iter().next().unwrap().unwrap();
        let c = &row.contact;
        assert_eq!(c.id.as_str(), "c1");
        assert_eq!(c.phone.as_deref(), Some("06 12 34 56 78"));
        assert_eq!(c.email.as_deref(), Some("a@example.org"));
        assert_eq!(c.consent.status, ConsentStatus::Subscribed);
        assert_eq!(
            c.consent.changed_at.unwrap().to_rfc3339(),
            "2026-01-10T08:00:00+00:00"
        );
        assert_eq!(c.consent.source.as_deref(), Some("web form"));
        assert_eq!(c.time_zone, Some(chrono_tz::Europe::Paris));
        assert_eq!(c.quarantine, Some(QuarantineReason::Bounced));
        assert_eq!(c.fields.get("city"), Some("Paris"));
        let groups: Vec<&str> = row.groups.iter().map(GroupId::as_str).collect();
        assert_eq!(groups, ["vip", "all"]);
        assert!(row.names_groups);
    }

    #[test]
    fn empty_cells_are_absent_values() {
        let row = contacts_csv("id,phone,consent_status,quarantined,groups,city\nc1,,,,,\n")
            .into_iter()
            .next()
            .unwrap()
            .unwrap();
        assert_eq!(row.contact.phone, None);
        assert_eq!(row.contact.consent.status, ConsentStatus::Unknown);
        assert_eq!(row.contact.quarantine, None);
        assert!(row.contact.fields.is_empty());
        assert!(row.groups.is_empty() && row.names_groups);
    }

    #[test]
    fn a_bad_row_is_reported_with_line_and_column_and_the_rest_is_read() {
        let rows = contacts_csv(
            "id,time_zone,consent_changed_at\nc1,Mars/Base,\nc2,,yesterday\n,,\nc4,,\nc5\n",
        );
        let messages: Vec<String> = rows
            .iter()
            .map(|r| match r {
                Ok(row) => row.contact.id.to_string(),
                Err(e) => e.to_string(),
            })
            .collect();
        assert_eq!(
            messages,
            [
                "line 2, column `time_zone`: unknown time zone \"Mars/Base\"",
                "line 3, column `consent_changed_at`: \"yesterday\" is not an RFC 3339 date-time with an offset",
                "line 4: no `id`",
                "c4",
                "line 6: 1 fields where the header has 3",
            ]
        );
    }

    #[test]
    fn a_header_without_id_or_with_a_repeat_is_refused() {
        let err = CsvRows::contacts("phone\n1\n".as_bytes()).unwrap_err();
        assert_eq!(err.to_string(), "line 1: the header has no `id` column");
        let err = CsvRows::contacts("id,city,city\n".as_bytes()).unwrap_err();
        assert_eq!(err.to_string(), "line 1: column `city` appears twice");
        let err = CsvRows::groups("id,name\n".as_bytes()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "line 1, column `name`: unknown column (expected `id` and `members`)"
        );
    }

    #[test]
    fn json_lines_take_strings_lists_numbers_and_null() {
        let text = "{\"id\": 42, \"groups\": [\"vip\", \"all\"], \"preferred_hour\": 9, \"phone\": null}\n\
                    \n\
                    {\"id\": \"c2\", \"groups\": \"vip;x\", \"vip\": true, \"note\": \"say \\\"hi\\\" \\u00e9\"}\n\
                    {\"id\": \"c3\", \"city\": {\"name\": \"Paris\"}}\n\
                    {\"id\": \"c4\", \"id\": \"c5\"}\n\
                    [1]\n\
                    {\"id\": \"c6\"} x\n\
                    \"06 12 34 56 78\"\n";
        let rows: Vec<_> = JsonLinesRows::contacts(text.as_bytes()).collect();
        let first = rows[0].as_ref().unwrap();
        assert_eq!(first.contact.id.as_str(), "42");
        assert_eq!(first.contact.fields.get("preferred_hour"), Some("9"));
        assert_eq!(first.contact.phone, None);
        assert_eq!(first.groups.len(), 2);
        let second = rows[1].as_ref().unwrap();
        assert_eq!(second.contact.fields.get("vip"), Some("true"));
        assert_eq!(second.contact.fields.get("note"), Some("say \"hi\" é"));
        assert_eq!(second.groups.len(), 2);
        let errors: Vec<String> = rows[2..]
            .iter()
            .map(|r| r.as_ref().unwrap_err().to_string())
            .collect();
        assert_eq!(
            errors,
            [
                "line 4, column `city`: expected a string, a number, a boolean or null",
                "line 5: column `id` appears twice",
                "line 6: expected a JSON object, one per line",
                "line 7, column 14: trailing characters",
                "line 8, column 16: expected a JSON object, one per line",
            ]
        );
        assert!(
            !errors.iter().any(|e| e.contains("06 12")),
            "a number is never quoted"
        );
    }

    #[test]
    fn json_lines_that_are_not_utf8_are_reported_and_skipped() {
        let text = b"{\"id\": \"c1\"}\n{\"id\": \"\xff\"}\n{\"id\": \"c3\"}\n";
        let rows: Vec<_> = JsonLinesRows::contacts(&text[..]).collect();
        assert_eq!(rows.len(), 3);
        assert_eq!(
            rows[1].as_ref().unwrap_err().to_string(),
            "line 2: the line is not UTF-8"
        );
        assert_eq!(rows[2].as_ref().unwrap().contact.id.as_str(), "c3");
    }

    #[test]
    fn the_table_keeps_declared_groups_first_and_members_in_contact_order() {
        let mut table = ContactTable::new();
        for group in CsvRows::groups("id,members\nstaff,\nvip,c9;c2\n".as_bytes()).unwrap() {
            table.declare(group.unwrap());
        }
        for row in contacts_csv("id,groups\nc1,new;vip\nc2,vip\n") {
            table.push(row.unwrap());
        }
        let (contacts, groups) = table.into_parts();
        assert_eq!(contacts.len(), 2);
        let shape: Vec<(&str, Vec<&str>)> = groups
            .iter()
            .map(|g| {
                (
                    g.id.as_str(),
                    g.members.iter().map(ContactId::as_str).collect(),
                )
            })
            .collect();
        assert_eq!(
            shape,
            [
                ("staff", vec![]),
                ("vip", vec!["c9", "c2", "c1", "c2"]),
                ("new", vec!["c1"])
            ]
        );
    }

    const SETTINGS: &str = r#"{"format": "smsplan.campaign/v1", "name": "sale",
        "project": {"key": "email", "default_region": "FR"},
        "audience": {"groups": ["vip"]}, "message": {"template": "Hi {{first_name|there}}. STOP 36111"},
        "schedule": {"mode": "now"},
        "credits": {"currency": "EUR", "balance": "10", "price_per_segment": "0.05"}}"#;

    #[test]
    fn settings_combine_with_a_table_that_names_its_groups() {
        let settings = CampaignSettings::from_json(SETTINGS).unwrap();
        assert!(!settings.has_groups());
        let mut table = ContactTable::new();
        for row in contacts_csv("id,phone,consent_status,groups\nc1,0612345678,subscribed,vip\n") {
            table.push(row.unwrap());
        }
        let campaign = settings.into_campaign(table).unwrap();
        assert_eq!(campaign.contacts.len(), 1);
        assert_eq!(campaign.groups[0].id.as_str(), "vip");
    }

    #[test]
    fn groups_come_from_exactly_one_place() {
        let with_groups = SETTINGS.replacen(
            "\"audience\"",
            "\"groups\": [{\"id\": \"vip\", \"members\": [\"c1\"]}], \"audience\"",
            1,
        );
        let table = |csv: &str| {
            let mut t = ContactTable::new();
            for row in contacts_csv(csv) {
                t.push(row.unwrap());
            }
            t
        };
        let settings = CampaignSettings::from_json(&with_groups).unwrap();
        assert!(settings.has_groups());
        let err = settings.into_campaign(table("id,groups\nc1,vip\n"));
        assert!(matches!(err, Err(TableError::GroupsTwice)));
        let settings = CampaignSettings::from_json(&with_groups).unwrap();
        let campaign = settings.into_campaign(table("id\nc1\n")).unwrap();
        assert_eq!(campaign.groups[0].members[0].as_str(), "c1");
        let settings = CampaignSettings::from_json(SETTINGS).unwrap();
        let err = settings.into_campaign(table("id\nc1\n"));
        assert!(matches!(err, Err(TableError::NoGroups)));
    }

    #[test]
    fn settings_errors_keep_their_paths() {
        let broken = SETTINGS.replace("\"now\"", "\"soon\"");
        let err = CampaignSettings::from_json(&broken).unwrap_err();
        assert_eq!(err.path(), Some("schedule.mode"));
        let err = CampaignSettings::from_json("{\"format\": 1,\n").unwrap_err();
        assert!(matches!(err, ReadError::Syntax { line: 2, .. }), "{err}");
        let err = CampaignSettings::from_json("{}").unwrap_err();
        assert!(err.to_string().contains("missing field"), "{err}");
    }
}
