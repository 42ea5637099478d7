//! `smsplan.audience/v1` (the input of `smsplan audience`) and
//! `smsplan.audience-result/v1` (its output), and the reusable parts that the campaign format
//! embeds: [`Project`], [`Contact`], [`Group`] and [`Selection`].
//!
//! An input document:
//!
//! ```json
//! {
//!   "format": "smsplan.audience/v1",
//!   "project": {"key": "email", "default_region": "FR", "accepted_regions": ["FR", "BE"]},
//!   "contacts": [
//!     {"id": "c1", "phone": "06 12 34 56 78", "email": "ana@example.org",
//!      "consent": {"status": "subscribed", "changed_at": "2026-01-10T09:00:00+01:00", "source": "web form"},
//!      "fields": {"first_name": "Ana"}},
//!     {"id": "c2", "phone": "+1 212 555 0100", "time_zone": "America/New_York",
//!      "consent": {"status": "unsubscribed"}, "quarantine": {"reason": "bounced"}}
//!   ],
//!   "groups": [{"id": "vip", "members": ["c1", "c2"]}],
//!   "audience": {"groups": ["vip"], "dedup": "per_number"}
//! }
//! ```
//!
//! Defaults of the optional fields: `project.accepted_regions` absent accepts every region;
//! `contact.consent` absent is `{"status": "unknown"}`; `quarantine` absent means not in
//! quarantine; `fields` absent is empty; `audience.dedup` absent is `per_number`;
//! `audience.suppressed` absent suppresses nothing. Unknown fields are rejected.
//!
//! Conversions to the core types check every value and name its path (`contacts[3].time_zone`).
//!
//! ```
//! use smsplan_formats::v1::audience::{AudienceInput, AudienceSpec};
//!
//! let text = r#"{"format": "smsplan.audience/v1",
//!   "project": {"key": "email", "default_region": "FR"},
//!   "contacts": [{"id": "c1", "phone": "06 12 34 56 78", "consent": {"status": "subscribed"}}],
//!   "groups": [{"id": "all", "members": ["c1"]}],
//!   "audience": {"groups": ["all"]}}"#;
//! let spec: AudienceSpec = serde_json::from_str(text)?;
//! let input = AudienceInput::try_from(&spec)?;
//! let audience = input.resolve()?;
//! assert_eq!(audience.recipients().len(), 1);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::BTreeMap;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
#[cfg(feature = "schema")]
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use smsplan_core::audience as core_audience;
use smsplan_core::contact::{self as core_contact, ContactId, Fields, IdError};
use smsplan_core::dedup::DedupMode;
use smsplan_core::group::{self as core_group, GroupId};
use smsplan_core::phone::{PhoneError, PhoneNumber, RawNumber, Region, RegionError};

use super::mirror::NotRepresentable;

/// The `format` tag of an audience input document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub enum AudienceFormat {
    /// `"smsplan.audience/v1"`
    #[serde(rename = "smsplan.audience/v1")]
    V1,
}

/// The `format` tag of an audience result document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub enum AudienceResultFormat {
    /// `"smsplan.audience-result/v1"`
    #[serde(rename = "smsplan.audience-result/v1")]
    V1,
}

/// The input of `smsplan audience`: a project's contacts and groups and a selection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct AudienceSpec {
    /// Always `"smsplan.audience/v1"`.
    pub format: AudienceFormat,
    /// The project settings.
    pub project: Project,
    /// The project's contacts.
    pub contacts: Vec<Contact>,
    /// The project's groups.
    pub groups: Vec<Group>,
    /// What the send selects.
    pub audience: Selection,
}

/// The primary key of a project's contacts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum ProjectKey {
    /// Contacts are identified by e-mail; phones are optional and may be shared.
    Email,
    /// Contacts are identified by phone: each has one and no two share an E.164 number.
    Phone,
}

/// The project settings an audience depends on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Project {
    /// The contacts' primary key.
    pub key: ProjectKey,
    /// The region national numbers are read in (ISO 3166-1 alpha-2).
    pub default_region: String,
    /// The regions whose numbers may receive SMS; absent: every region.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accepted_regions: Option<Vec<String>>,
}

/// A contact of the project.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Contact {
    /// The id, unique in the project.
    pub id: String,
    /// The phone number as typed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// The e-mail address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// An IANA time zone that replaces the number's zones.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_zone: Option<String>,
    /// SMS consent; absent: unknown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consent: Option<Consent>,
    /// The quarantine; absent: not in quarantine.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quarantine: Option<Quarantine>,
    /// Custom fields for personalization.
    // A JSON object of strings, read straight into the compact core type (a name given twice
    // is an error at `fields.<name>`) and written in name order. The doc comment above is the
    // schema's description: keep it unchanged.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "fields_json")]
    #[cfg_attr(
        feature = "schema",
        schemars(with = "Option<BTreeMap<String, String>>")
    )]
    pub fields: Option<Fields>,
}

/// `Option<Fields>` as an optional JSON object of strings (the core crate has no serde).
mod fields_json {
    use std::fmt;

    use std::collections::HashSet;

    use serde::de::{DeserializeSeed, Error as _, MapAccess, Visitor};
    use serde::ser::SerializeMap;
    use serde::{Deserializer, Serializer};
    use smsplan_core::contact::Fields;

    #[allow(
        clippy::ref_option,
        reason = "serde's `with` passes a reference to the field's type"
    )]
    pub(super) fn serialize<S: Serializer>(
        fields: &Option<Fields>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match fields {
            None => serializer.serialize_none(),
            Some(fields) => {
                let mut map = serializer.serialize_map(Some(fields.len()))?;
                for (name, value) in fields {
                    map.serialize_entry(name, value)?;
                }
                map.end()
            }
        }
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<Fields>, D::Error> {
        deserializer.deserialize_option(OptionVisitor)
    }

    struct OptionVisitor;

    impl<'de> Visitor<'de> for OptionVisitor {
        type Value = Option<Fields>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an object of strings")
        }

        fn visit_none<E: serde::de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_map(MapVisitor).map(Some)
        }
    }

    struct MapVisitor;

    impl<'de> Visitor<'de> for MapVisitor {
        type Value = Fields;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an object of strings")
        }

        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Fields, A::Error> {
            let mut pairs: Vec<(String, String)> =
                Vec::with_capacity(map.size_hint().unwrap_or(0).min(16));
            // The names so far, kept in a set only once a contact has many fields: a scan
            // of a few is cheaper than hashing them.
            let mut names: Option<HashSet<String>> = None;
            while let Some(name) = map.next_key::<String>()? {
                let repeated = match &mut names {
                    Some(names) => !names.insert(name.clone()),
                    None => {
                        let repeated = pairs.iter().any(|(n, _)| *n == name);
                        if pairs.len() >= SCAN_MAX {
                            let known = pairs.iter().map(|(n, _)| n.clone());
                            names = Some(known.chain([name.clone()]).collect());
                        }
                        repeated
                    }
                };
                let value = map.next_value_seed(Value {
                    repeated: repeated.then_some(name.as_str()),
                })?;
                pairs.push((name, value));
            }
            Ok(pairs.into_iter().collect())
        }
    }

    /// The most fields checked for repeats by a scan.
    const SCAN_MAX: usize = 16;

    /// A field's value; a repeated name fails here, inside the value, so that the path of
    /// the error ends with the name (`contacts[3].fields.first_name`).
    struct Value<'n> {
        repeated: Option<&'n str>,
    }

    impl<'de> DeserializeSeed<'de> for Value<'_> {
        type Value = String;

        fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<String, D::Error> {
            match self.repeated {
                Some(name) => Err(D::Error::custom(format_args!("duplicate field `{name}`"))),
                None => serde::Deserialize::deserialize(d),
            }
        }
    }
}

/// A consent status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum ConsentStatus {
    /// Opted in.
    Subscribed,
    /// Opted out.
    Unsubscribed,
    /// Not known: no SMS.
    Unknown,
}

/// A contact's SMS consent and its last change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Consent {
    /// The status.
    pub status: ConsentStatus,
    /// When it last changed: RFC 3339 with an offset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schemars(extend("format" = "date-time")))]
    pub changed_at: Option<String>,
    /// How it changed (web form, STOP keyword, import, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

/// A quarantine reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum QuarantineReason {
    /// The number was found invalid.
    InvalidNumber,
    /// Messages bounced.
    Bounced,
    /// Blocked by an operator.
    Blocked,
}

/// A contact's quarantine.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Quarantine {
    /// Why.
    pub reason: QuarantineReason,
}

/// A group of contacts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Group {
    /// The id, unique in the project.
    pub id: String,
    /// The member contact ids.
    pub members: Vec<String>,
}

/// How contacts sharing a number are counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Dedup {
    /// One SMS per number; the first contact in the contact list keeps it.
    PerNumber,
    /// One SMS per contact.
    PerContact,
}

/// What a send selects.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Selection {
    /// The selected group ids.
    pub groups: Vec<String>,
    /// The dedup mode; absent: `per_number`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dedup: Option<Dedup>,
    /// A suppression list; absent: none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suppressed: Option<Suppressed>,
    /// Update the recipient list at send time (Dialog Insight's option): the runtime
    /// resolves the audience again when the send starts and records the difference in the
    /// audit trail; absent: `false` (the approved list is sent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_at_send: Option<bool>,
}

/// A caller-supplied suppression list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Suppressed {
    /// Numbers that must not receive the send (read in the project's default region).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub numbers: Vec<String>,
    /// Contact ids that must not receive the send.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub contacts: Vec<String>,
}

/// A value of the document that the core types refuse, with its path.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConvertError {
    /// An empty id.
    #[error("{path}: {error}")]
    Id {
        /// Where, such as `contacts[3].id`.
        path: String,
        /// What.
        error: IdError,
    },
    /// A region code that is malformed or unknown.
    #[error("{path}: {error}")]
    Region {
        /// Where, such as `project.default_region`.
        path: String,
        /// What.
        error: RegionError,
    },
    /// A time zone name that the IANA database does not know.
    #[error("{path}: unknown time zone {value:?}")]
    TimeZone {
        /// Where.
        path: String,
        /// The name given.
        value: String,
    },
    /// A date-time that is not RFC 3339 with an offset.
    #[error("{path}: {value:?} is not an RFC 3339 date-time with an offset")]
    DateTime {
        /// Where.
        path: String,
        /// The text given.
        value: String,
    },
    /// A suppressed number that is not a valid number.
    #[error("{path}: \"{value}\": {error}")]
    Phone {
        /// Where.
        path: String,
        /// The number given (masked when displayed).
        value: RawNumber,
        /// Why it is not valid.
        error: PhoneError,
    },
}

fn contact_id(value: &str, path: impl FnOnce() -> String) -> Result<ContactId, ConvertError> {
    ContactId::new(value).map_err(|error| ConvertError::Id {
        path: path(),
        error,
    })
}

fn group_id(value: &str, path: impl FnOnce() -> String) -> Result<GroupId, ConvertError> {
    GroupId::new(value).map_err(|error| ConvertError::Id {
        path: path(),
        error,
    })
}

fn region(value: &str, path: impl FnOnce() -> String) -> Result<Region, ConvertError> {
    Region::parse(value).map_err(|error| ConvertError::Region {
        path: path(),
        error,
    })
}

impl Project {
    /// Converts to the core type; `path` prefixes error paths (`"project"` at top level).
    ///
    /// # Errors
    /// [`ConvertError::Region`] for a malformed or unknown region code.
    pub fn to_core(&self, path: &str) -> Result<core_audience::Project, ConvertError> {
        let key = self.key.into();
        let default_region = region(&self.default_region, || format!("{path}.default_region"))?;
        let mut project = core_audience::Project::new(key, default_region);
        if let Some(accepted) = &self.accepted_regions {
            let regions = accepted
                .iter()
                .enumerate()
                .map(|(i, code)| region(code, || format!("{path}.accepted_regions[{i}]")))
                .collect::<Result<Vec<_>, _>>()?;
            project = project.with_accepted_regions(regions);
        }
        Ok(project)
    }
}

impl TryFrom<&core_audience::Project> for Project {
    type Error = NotRepresentable;

    fn try_from(project: &core_audience::Project) -> Result<Self, NotRepresentable> {
        Ok(Project {
            key: project.key.try_into()?,
            default_region: project.default_region.as_str().to_owned(),
            accepted_regions: match &project.accepted_regions {
                core_audience::AcceptedRegions::Any => None,
                core_audience::AcceptedRegions::Only(regions) => {
                    Some(regions.iter().map(|r| r.as_str().to_owned()).collect())
                }
                other => return Err(NotRepresentable::new("AcceptedRegions", other)),
            },
        })
    }
}

impl Contact {
    /// Converts to the core type; `path` prefixes error paths (`"contacts[3]"`).
    ///
    /// # Errors
    /// A [`ConvertError`] for an empty id, an unknown time zone or a malformed date-time.
    pub fn to_core(&self, path: &str) -> Result<core_contact::Contact, ConvertError> {
        self.clone().convert(&|| path.to_owned())
    }

    /// Converts to the core type, moving the texts instead of copying them.
    ///
    /// # Errors
    /// As [`Contact::to_core`].
    pub fn into_core(self, path: &str) -> Result<core_contact::Contact, ConvertError> {
        self.convert(&|| path.to_owned())
    }

    /// Moves the contact out, leaving an empty one (no allocation either way).
    pub(crate) fn take(&mut self) -> Self {
        Self {
            id: std::mem::take(&mut self.id),
            phone: self.phone.take(),
            email: self.email.take(),
            time_zone: self.time_zone.take(),
            consent: self.consent.take(),
            quarantine: self.quarantine.take(),
            fields: self.fields.take(),
        }
    }

    /// The conversion; `path` is only built for an error.
    pub(crate) fn convert(
        self,
        path: &dyn Fn() -> String,
    ) -> Result<core_contact::Contact, ConvertError> {
        let id = ContactId::new(self.id).map_err(|error| ConvertError::Id {
            path: format!("{}.id", path()),
            error,
        })?;
        let mut contact = core_contact::Contact::new(id);
        contact.phone = self.phone;
        contact.email = self.email;
        if let Some(name) = self.time_zone {
            let tz = Tz::from_str(&name).map_err(|_| ConvertError::TimeZone {
                path: format!("{}.time_zone", path()),
                value: name.clone(),
            })?;
            contact.time_zone = Some(tz);
        }
        if let Some(consent) = self.consent {
            let mut core_consent = core_contact::Consent::new(consent.status.into());
            if let Some(at) = consent.changed_at {
                let parsed =
                    DateTime::parse_from_rfc3339(&at).map_err(|_| ConvertError::DateTime {
                        path: format!("{}.consent.changed_at", path()),
                        value: at.clone(),
                    })?;
                core_consent.changed_at = Some(parsed.with_timezone(&Utc));
            }
            core_consent.source = consent.source;
            contact.consent = core_consent;
        }
        contact.quarantine = self.quarantine.map(|q| q.reason.into());
        if let Some(fields) = self.fields {
            contact.fields = fields;
        }
        Ok(contact)
    }

    /// Converts a list, naming errors `{path}[i]...` (`path` is `"contacts"` at top level).
    ///
    /// # Errors
    /// The first [`ConvertError`] in list order.
    pub fn list_to_core(
        contacts: &[Contact],
        path: &str,
    ) -> Result<Vec<core_contact::Contact>, ConvertError> {
        contacts
            .iter()
            .enumerate()
            .map(|(i, c)| c.to_core(&format!("{path}[{i}]")))
            .collect()
    }
}

impl TryFrom<&core_contact::Contact> for Contact {
    type Error = NotRepresentable;

    fn try_from(contact: &core_contact::Contact) -> Result<Self, NotRepresentable> {
        let status = ConsentStatus::try_from(contact.consent.status)?;
        let has_consent = status != ConsentStatus::Unknown
            || contact.consent.changed_at.is_some()
            || contact.consent.source.is_some();
        Ok(Contact {
            id: contact.id.as_str().to_owned(),
            phone: contact.phone.clone(),
            email: contact.email.clone(),
            time_zone: contact.time_zone.map(|tz| tz.name().to_owned()),
            consent: has_consent.then(|| Consent {
                status,
                changed_at: contact.consent.changed_at.map(|at| at.to_rfc3339()),
                source: contact.consent.source.clone(),
            }),
            quarantine: contact
                .quarantine
                .map(|reason| reason.try_into().map(|reason| Quarantine { reason }))
                .transpose()?,
            fields: (!contact.fields.is_empty()).then(|| contact.fields.clone()),
        })
    }
}

impl Group {
    /// Converts to the core type; `path` prefixes error paths (`"groups[0]"`).
    ///
    /// # Errors
    /// [`ConvertError::Id`] for an empty group or member id.
    pub fn to_core(&self, path: &str) -> Result<core_group::Group, ConvertError> {
        self.clone().convert(&|| path.to_owned())
    }

    /// Converts to the core type, moving the ids instead of copying them.
    ///
    /// # Errors
    /// As [`Group::to_core`].
    pub fn into_core(self, path: &str) -> Result<core_group::Group, ConvertError> {
        self.convert(&|| path.to_owned())
    }

    /// The conversion; `path` is only built for an error.
    pub(crate) fn convert(
        self,
        path: &dyn Fn() -> String,
    ) -> Result<core_group::Group, ConvertError> {
        let id = GroupId::new(self.id).map_err(|error| ConvertError::Id {
            path: format!("{}.id", path()),
            error,
        })?;
        let members = self
            .members
            .into_iter()
            .enumerate()
            .map(|(i, m)| {
                ContactId::new(m).map_err(|error| ConvertError::Id {
                    path: format!("{}.members[{i}]", path()),
                    error,
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(core_group::Group::new(id, members))
    }

    /// Converts a list, naming errors `{path}[i]...` (`path` is `"groups"` at top level).
    ///
    /// # Errors
    /// The first [`ConvertError`] in list order.
    pub fn list_to_core(
        groups: &[Group],
        path: &str,
    ) -> Result<Vec<core_group::Group>, ConvertError> {
        groups
            .iter()
            .enumerate()
            .map(|(i, g)| g.to_core(&format!("{path}[{i}]")))
            .collect()
    }
}

impl From<&core_group::Group> for Group {
    fn from(group: &core_group::Group) -> Self {
        Group {
            id: group.id.as_str().to_owned(),
            members: group
                .members
                .iter()
                .map(|m| m.as_str().to_owned())
                .collect(),
        }
    }
}

impl Selection {
    /// Converts to the core type, reading suppressed numbers in `default_region`; `path`
    /// prefixes error paths (`"audience"` at top level).
    ///
    /// # Errors
    /// A [`ConvertError`] for an empty id or a suppressed number that is not valid.
    pub fn to_core(
        &self,
        default_region: Region,
        path: &str,
    ) -> Result<core_audience::Selection, ConvertError> {
        let groups = self
            .groups
            .iter()
            .enumerate()
            .map(|(i, g)| group_id(g, || format!("{path}.groups[{i}]")))
            .collect::<Result<Vec<_>, _>>()?;
        let dedup = self.dedup.map_or(DedupMode::PerNumber, DedupMode::from);
        let mut suppressions = core_audience::Suppressions::default();
        if let Some(suppressed) = &self.suppressed {
            for (i, raw) in suppressed.numbers.iter().enumerate() {
                let number = PhoneNumber::parse(raw, default_region).map_err(|error| {
                    ConvertError::Phone {
                        path: format!("{path}.suppressed.numbers[{i}]"),
                        value: RawNumber::new(raw.as_str()),
                        error,
                    }
                })?;
                suppressions.add_number(number);
            }
            for (i, id) in suppressed.contacts.iter().enumerate() {
                suppressions.add_contact(contact_id(id, || {
                    format!("{path}.suppressed.contacts[{i}]")
                })?);
            }
        }
        Ok(core_audience::Selection::new(groups, dedup).with_suppressions(suppressions))
    }
}

/// An [`AudienceSpec`] converted to the core types, ready to resolve.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct AudienceInput {
    /// The project settings.
    pub project: core_audience::Project,
    /// The contacts, in document order.
    pub contacts: Vec<core_contact::Contact>,
    /// The groups, in document order.
    pub groups: Vec<core_group::Group>,
    /// The selection.
    pub selection: core_audience::Selection,
}

impl AudienceInput {
    /// Resolves the audience on one thread ([`core_audience::resolve`]).
    ///
    /// # Errors
    /// An [`core_audience::AudienceError`] when the input contradicts itself.
    pub fn resolve(&self) -> Result<core_audience::Audience<'_>, core_audience::AudienceError> {
        core_audience::resolve(&self.project, &self.contacts, &self.groups, &self.selection)
    }
}

impl TryFrom<&AudienceSpec> for AudienceInput {
    type Error = ConvertError;

    fn try_from(spec: &AudienceSpec) -> Result<Self, Self::Error> {
        AudienceInput::try_from(spec.clone())
    }
}

impl TryFrom<AudienceSpec> for AudienceInput {
    type Error = ConvertError;

    /// Converts one contact and group at a time, moving their texts: a large document is
    /// not held twice.
    fn try_from(spec: AudienceSpec) -> Result<Self, Self::Error> {
        let project = spec.project.to_core("project")?;
        let selection = spec.audience.to_core(project.default_region, "audience")?;
        let contacts = spec
            .contacts
            .into_iter()
            .enumerate()
            .map(|(i, c)| c.convert(&|| format!("contacts[{i}]")))
            .collect::<Result<Vec<_>, _>>()?;
        let groups = spec
            .groups
            .into_iter()
            .enumerate()
            .map(|(i, g)| g.convert(&|| format!("groups[{i}]")))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(AudienceInput {
            project,
            contacts,
            groups,
            selection,
        })
    }
}

/// The type of a number (libphonenumber's classification).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case")]
#[allow(
    missing_docs,
    reason = "the names say it; see smsplan_core::phone::NumberKind"
)]
pub enum NumberType {
    FixedLine,
    Mobile,
    FixedLineOrMobile,
    TollFree,
    PremiumRate,
    SharedCost,
    Voip,
    PersonalNumber,
    Pager,
    Uan,
    Voicemail,
    Unknown,
}

/// Why a contact gets no SMS (snake_case on the wire), in precedence order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case")]
#[allow(
    missing_docs,
    reason = "the names say it; see smsplan_core::audience::ExclusionKind"
)]
pub enum Reason {
    MissingPhone,
    InvalidPhone,
    UnsupportedRegion,
    Unsubscribed,
    NoConsent,
    Quarantined,
    Suppressed,
    Duplicate,
}

/// The output of `smsplan audience`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct AudienceResult {
    /// Always `"smsplan.audience-result/v1"`.
    pub format: AudienceResultFormat,
    /// The contacts that receive the SMS, in contact order.
    pub recipients: Vec<Recipient>,
    /// The contacts of the selected groups that do not, in contact order.
    pub excluded: Vec<Excluded>,
    /// The counts.
    pub totals: Totals,
    /// With an audience computed earlier (at scheduling): how the recipients changed since.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh: Option<Refresh>,
}

/// How the recipients changed between scheduling and sending.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Refresh {
    /// Contacts that are recipients now and were not then.
    pub added: Vec<String>,
    /// Contacts that were recipients then and are not now.
    pub removed: Vec<Removed>,
    /// Contacts that are recipients both times with a different number.
    pub renumbered: Vec<String>,
}

/// A contact that is no longer a recipient.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Removed {
    /// The contact id.
    pub contact: String,
    /// Its exclusion reason now; absent when it left the selected groups or the project.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<Reason>,
    /// The detail of the reason, as in [`Excluded::detail`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

impl TryFrom<&core_audience::Refresh> for Refresh {
    type Error = NotRepresentable;

    fn try_from(refresh: &core_audience::Refresh) -> Result<Self, NotRepresentable> {
        Ok(Refresh {
            added: refresh
                .added
                .iter()
                .map(|id| id.as_str().to_owned())
                .collect(),
            removed: refresh
                .removed
                .iter()
                .map(|(id, reason)| {
                    Ok(Removed {
                        contact: id.as_str().to_owned(),
                        reason: reason.as_ref().map(|r| r.kind().try_into()).transpose()?,
                        detail: reason
                            .as_ref()
                            .and_then(core_audience::ExclusionReason::detail),
                    })
                })
                .collect::<Result<_, NotRepresentable>>()?,
            renumbered: refresh
                .renumbered
                .iter()
                .map(|id| id.as_str().to_owned())
                .collect(),
        })
    }
}

/// A recipient.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Recipient {
    /// The contact id.
    pub contact: String,
    /// The number in E.164.
    pub phone: String,
    /// The number's region; null for non-geographic numbers (+800, ...).
    pub region: Option<String>,
    /// The number's type.
    #[serde(rename = "type")]
    pub kind: NumberType,
    /// The IANA zones to respect: the contact's explicit zone, else the number's (maybe none).
    pub time_zones: Vec<String>,
}

/// An excluded contact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Excluded {
    /// The contact id.
    pub contact: String,
    /// The one primary reason.
    pub reason: Reason,
    /// The detail: the phone error kind (`invalid_phone`), the region or `+code`
    /// (`unsupported_region`), the quarantine reason, or the contact kept (`duplicate`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// The number in E.164, when it parsed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
}

/// Counts of an audience.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Totals {
    /// Contacts of the selected groups (recipients + excluded).
    pub selected: usize,
    /// Recipients.
    pub recipients: usize,
    /// Excluded contacts.
    pub excluded: usize,
    /// Contacts of the project in none of the selected groups (not listed).
    pub outside_selection: usize,
    /// Excluded contacts per reason; reasons with none are absent.
    pub by_reason: BTreeMap<Reason, usize>,
}

impl TryFrom<&core_audience::Audience<'_>> for AudienceResult {
    type Error = NotRepresentable;

    fn try_from(audience: &core_audience::Audience<'_>) -> Result<Self, NotRepresentable> {
        let recipients: Vec<Recipient> = audience
            .recipients()
            .iter()
            .map(|r| {
                let number = r.number();
                Ok(Recipient {
                    contact: r.contact().id.as_str().to_owned(),
                    phone: number.as_e164().to_owned(),
                    region: number.region().map(|region| region.as_str().to_owned()),
                    kind: number.kind().try_into()?,
                    time_zones: r
                        .time_zones()
                        .iter()
                        .map(|tz| tz.name().to_owned())
                        .collect(),
                })
            })
            .collect::<Result<_, NotRepresentable>>()?;
        let excluded: Vec<Excluded> = audience
            .exclusions()
            .iter()
            .map(|e| {
                Ok(Excluded {
                    contact: e.contact().id.as_str().to_owned(),
                    reason: e.reason().kind().try_into()?,
                    detail: e.reason().detail(),
                    phone: e.number().map(|n| n.as_e164().to_owned()),
                })
            })
            .collect::<Result<_, NotRepresentable>>()?;
        let totals = Totals {
            selected: recipients.len() + excluded.len(),
            recipients: recipients.len(),
            excluded: excluded.len(),
            outside_selection: audience.outside_selection(),
            by_reason: audience
                .counts()
                .into_iter()
                .map(|(kind, n)| Ok((kind.try_into()?, n)))
                .collect::<Result<_, NotRepresentable>>()?,
        };
        Ok(AudienceResult {
            format: AudienceResultFormat::V1,
            recipients,
            excluded,
            totals,
            refresh: None,
        })
    }
}
