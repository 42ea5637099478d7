//! Contacts of a project: ids, numbers as typed, consent and quarantine.
//!
//! A [`Contact`] keeps its phone number as the raw text the user typed: the audience parses it
//! with the project's default region (see [`crate::audience`]), so one bad number becomes an
//! exclusion instead of failing the whole import.
//!
//! ```
//! use smsplan_core::contact::{Consent, ConsentStatus, Contact, ContactId};
//!
//! let ana = Contact::new(ContactId::new("c1")?)
//!     .with_phone("06 12 34 56 78")
//!     .with_consent(Consent::new(ConsentStatus::Subscribed))
//!     .with_field("first_name", "Ana");
//! assert_eq!(ana.phone.as_deref(), Some("06 12 34 56 78"));
//! assert_eq!(ana.fields["first_name"], "Ana");
//! # Ok::<(), smsplan_core::contact::IdError>(())
//! ```

use std::borrow::Borrow;
use std::collections::BTreeMap;
use std::fmt;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

/// Why an id (of a contact or a group) was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IdError {
    /// The id is empty or only white space.
    #[error("an id must not be empty")]
    Empty,
}

macro_rules! id_newtype {
    ($(#[$doc:meta])* $name:ident, $example:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(Box<str>);

        impl $name {
            #[doc = concat!("Makes an id from a non-empty text, kept as given.\n\n```\nlet id = ", module_path!(), "::", stringify!($name), "::new(\"", $example, "\")?;\nassert_eq!(id.as_str(), \"", $example, "\");\n# Ok::<(), smsplan_core::contact::IdError>(())\n```\n\n# Errors\n[`IdError::Empty`] when the text is empty or only white space.")]
            pub fn new(id: impl Into<String>) -> Result<Self, IdError> {
                let id = id.into();
                if id.trim().is_empty() {
                    return Err(IdError::Empty);
                }
                Ok(Self(id.into_boxed_str()))
            }

            /// The id as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl Borrow<str> for $name {
            fn borrow(&self) -> &str {
                &self.0
            }
        }

        impl std::str::FromStr for $name {
            type Err = IdError;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::new(s)
            }
        }
    };
}

id_newtype!(
    /// The id of a contact, unique in its project.
    ContactId,
    "c1"
);

pub(crate) use id_newtype;

/// A contact's SMS consent status for the project.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum ConsentStatus {
    /// Opted in: may receive marketing SMS.
    Subscribed,
    /// Opted out: must not receive SMS.
    Unsubscribed,
    /// Never asked, or the answer is not known: treated as no consent.
    Unknown,
}

impl ConsentStatus {
    /// The snake_case name: `subscribed`, `unsubscribed` or `unknown`.
    ///
    /// ```
    /// assert_eq!(smsplan_core::contact::ConsentStatus::Unknown.as_str(), "unknown");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            ConsentStatus::Subscribed => "subscribed",
            ConsentStatus::Unsubscribed => "unsubscribed",
            ConsentStatus::Unknown => "unknown",
        }
    }
}

/// A contact's consent: its status, and when and how it last changed (when known).
///
/// ```
/// use chrono::{TimeZone, Utc};
/// use smsplan_core::contact::{Consent, ConsentStatus};
///
/// let at = Utc.with_ymd_and_hms(2026, 1, 10, 8, 0, 0).unwrap();
/// let consent = Consent::new(ConsentStatus::Subscribed).changed(at, "web form");
/// assert_eq!(consent.source.as_deref(), Some("web form"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Consent {
    /// The current status.
    pub status: ConsentStatus,
    /// When the status last changed, if recorded.
    pub changed_at: Option<DateTime<Utc>>,
    /// How it changed (a web form, a STOP keyword, an import, ...), if recorded.
    pub source: Option<String>,
}

impl Consent {
    /// A consent with a status and no change record.
    ///
    /// ```
    /// use smsplan_core::contact::{Consent, ConsentStatus};
    /// assert_eq!(Consent::new(ConsentStatus::Unknown).changed_at, None);
    /// ```
    pub fn new(status: ConsentStatus) -> Self {
        Consent {
            status,
            changed_at: None,
            source: None,
        }
    }

    /// Records when and how the status changed.
    ///
    /// ```
    /// use chrono::{TimeZone, Utc};
    /// use smsplan_core::contact::{Consent, ConsentStatus};
    ///
    /// let at = Utc.with_ymd_and_hms(2026, 2, 1, 12, 0, 0).unwrap();
    /// let c = Consent::new(ConsentStatus::Unsubscribed).changed(at, "STOP keyword");
    /// assert_eq!(c.changed_at, Some(at));
    /// ```
    pub fn changed(mut self, at: DateTime<Utc>, source: impl Into<String>) -> Self {
        self.changed_at = Some(at);
        self.source = Some(source.into());
        self
    }
}

impl Default for Consent {
    /// Unknown consent, as for a contact nobody asked.
    fn default() -> Self {
        Consent::new(ConsentStatus::Unknown)
    }
}

/// Why a contact is in quarantine: no SMS goes to it until it is released.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum QuarantineReason {
    /// The number was found invalid by a gateway or a person.
    InvalidNumber,
    /// Messages to the number bounced (permanent delivery failure).
    Bounced,
    /// The contact or number was blocked by an operator.
    Blocked,
}

impl QuarantineReason {
    /// Every reason, in declaration order.
    pub const ALL: [QuarantineReason; 3] = [
        QuarantineReason::InvalidNumber,
        QuarantineReason::Bounced,
        QuarantineReason::Blocked,
    ];

    /// The snake_case name: `invalid_number`, `bounced` or `blocked`.
    ///
    /// ```
    /// assert_eq!(smsplan_core::contact::QuarantineReason::Bounced.as_str(), "bounced");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            QuarantineReason::InvalidNumber => "invalid_number",
            QuarantineReason::Bounced => "bounced",
            QuarantineReason::Blocked => "blocked",
        }
    }
}

impl fmt::Display for QuarantineReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A contact of a project.
///
/// Fields are public plain data; [`Contact::new`] and the `with_*` methods build one.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Contact {
    /// The id, unique in the project.
    pub id: ContactId,
    /// The phone number as typed (parsed with the project's default region when needed).
    pub phone: Option<String>,
    /// The e-mail address, when known.
    pub email: Option<String>,
    /// An explicit time zone; when set it replaces the zones of the number.
    pub time_zone: Option<Tz>,
    /// Custom fields for personalization (`first_name`, ...).
    pub fields: BTreeMap<String, String>,
    /// The quarantine reason; `None` when not in quarantine.
    pub quarantine: Option<QuarantineReason>,
    /// SMS consent for the project.
    pub consent: Consent,
}

impl Contact {
    /// A contact with only an id: no phone, unknown consent, not in quarantine.
    ///
    /// ```
    /// use smsplan_core::contact::{ConsentStatus, Contact, ContactId};
    ///
    /// let c = Contact::new(ContactId::new("c9")?);
    /// assert_eq!(c.consent.status, ConsentStatus::Unknown);
    /// assert!(c.phone.is_none() && c.quarantine.is_none());
    /// # Ok::<(), smsplan_core::contact::IdError>(())
    /// ```
    pub fn new(id: ContactId) -> Self {
        Contact {
            id,
            phone: None,
            email: None,
            time_zone: None,
            fields: BTreeMap::new(),
            quarantine: None,
            consent: Consent::default(),
        }
    }

    /// Sets the phone number as typed.
    pub fn with_phone(mut self, raw: impl Into<String>) -> Self {
        self.phone = Some(raw.into());
        self
    }

    /// Sets the e-mail address.
    pub fn with_email(mut self, email: impl Into<String>) -> Self {
        self.email = Some(email.into());
        self
    }

    /// Sets an explicit time zone.
    pub fn with_time_zone(mut self, tz: Tz) -> Self {
        self.time_zone = Some(tz);
        self
    }

    /// Sets a custom field.
    pub fn with_field(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.fields.insert(name.into(), value.into());
        self
    }

    /// Puts the contact in quarantine.
    pub fn with_quarantine(mut self, reason: QuarantineReason) -> Self {
        self.quarantine = Some(reason);
        self
    }

    /// Sets the consent.
    pub fn with_consent(mut self, consent: Consent) -> Self {
        self.consent = consent;
        self
    }
}
