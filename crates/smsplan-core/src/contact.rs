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
//! assert_eq!(ana.fields.get("first_name"), Some("Ana"));
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
    /// Every status, in declaration order.
    pub const ALL: [ConsentStatus; 3] = [
        ConsentStatus::Subscribed,
        ConsentStatus::Unsubscribed,
        ConsentStatus::Unknown,
    ];

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
/// `Debug` masks the phone number ([`crate::phone::mask`]), as every number type does.
///
/// ```
/// use smsplan_core::contact::{Contact, ContactId};
/// let c = Contact::new(ContactId::new("c1")?).with_phone("06 12 34 56 78");
/// assert!(format!("{c:?}").contains("phone: Some(\"0• •• •• •• 78\")"));
/// # Ok::<(), smsplan_core::contact::IdError>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
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
    pub fields: Fields,
    /// The quarantine reason; `None` when not in quarantine.
    pub quarantine: Option<QuarantineReason>,
    /// SMS consent for the project.
    pub consent: Consent,
}

impl fmt::Debug for Contact {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Contact")
            .field("id", &self.id)
            .field("phone", &self.phone.as_deref().map(crate::phone::mask))
            .field("email", &self.email)
            .field("time_zone", &self.time_zone)
            .field("fields", &self.fields)
            .field("quarantine", &self.quarantine)
            .field("consent", &self.consent)
            .finish()
    }
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
            fields: Fields::new(),
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

    /// Sets a custom field, replacing an earlier value of the same name.
    ///
    /// ```
    /// use smsplan_core::contact::{Contact, ContactId};
    ///
    /// let c = Contact::new(ContactId::new("c1")?)
    ///     .with_field("city", "Metz")
    ///     .with_field("city", "Nancy");
    /// assert_eq!(c.fields.get("city"), Some("Nancy"));
    /// # Ok::<(), smsplan_core::contact::IdError>(())
    /// ```
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

/// A contact's custom fields: names mapped to values, both text, kept sorted by name.
///
/// A compact map for the one to a few fields a contact usually has: one allocation for the
/// entries (a boxed slice sorted by name, names unique) plus one per name and per value. A
/// `BTreeMap` would allocate a whole node (about 550 bytes) for a single field, which over
/// a million contacts is most of a plan's memory. Lookups are binary searches; inserting or
/// removing moves the later entries, which is cheap for the handful of fields a contact
/// carries but makes `Fields` a poor choice for thousands of entries.
///
/// Iteration is in name order (byte order of the names, as for `BTreeMap<String, _>`), so
/// two `Fields` with the same entries are equal and hash alike whatever the order they were
/// built in.
///
/// ```
/// use smsplan_core::contact::Fields;
///
/// let mut fields = Fields::new();
/// fields.insert("first_name", "Ana");
/// fields.insert("city", "Metz");
/// assert_eq!(fields.get("first_name"), Some("Ana"));
/// assert_eq!(fields.insert("city", "Nancy").as_deref(), Some("Metz"));
/// let names: Vec<&str> = fields.iter().map(|(name, _)| name).collect();
/// assert_eq!(names, ["city", "first_name"]);
/// ```
#[derive(Clone, Default, PartialEq, Eq, Hash)]
pub struct Fields(Box<[(Box<str>, Box<str>)]>);

impl Fields {
    /// An empty set of fields; does not allocate.
    ///
    /// ```
    /// let fields = smsplan_core::contact::Fields::new();
    /// assert!(fields.is_empty());
    /// ```
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Where `name` is, or where it would go.
    fn search(&self, name: &str) -> Result<usize, usize> {
        self.0.binary_search_by(|(k, _)| (**k).cmp(name))
    }

    /// The value of the field `name`, if the contact has one.
    ///
    /// ```
    /// let fields = smsplan_core::contact::Fields::from([("first_name", "Ana")]);
    /// assert_eq!(fields.get("first_name"), Some("Ana"));
    /// assert_eq!(fields.get("city"), None);
    /// ```
    #[must_use]
    pub fn get(&self, name: &str) -> Option<&str> {
        let i = self.search(name).ok()?;
        self.0.get(i).map(|(_, v)| &**v)
    }

    /// Whether the field `name` is set (even to an empty value).
    ///
    /// ```
    /// let fields = smsplan_core::contact::Fields::from([("city", "")]);
    /// assert!(fields.contains_key("city"));
    /// assert!(!fields.contains_key("first_name"));
    /// ```
    #[must_use]
    pub fn contains_key(&self, name: &str) -> bool {
        self.search(name).is_ok()
    }

    /// Sets the field `name` to `value`; returns the value it replaces, if any.
    ///
    /// ```
    /// let mut fields = smsplan_core::contact::Fields::new();
    /// assert_eq!(fields.insert("city", "Metz"), None);
    /// assert_eq!(fields.insert("city", "Nancy"), Some("Metz".to_owned()));
    /// assert_eq!(fields.get("city"), Some("Nancy"));
    /// ```
    pub fn insert(&mut self, name: impl Into<String>, value: impl Into<String>) -> Option<String> {
        let name = name.into();
        let value = value.into().into_boxed_str();
        match self.search(&name) {
            Ok(i) => self
                .0
                .get_mut(i)
                .map(|(_, v)| std::mem::replace(v, value).into_string()),
            Err(i) => {
                let mut entries = std::mem::take(&mut self.0).into_vec();
                entries.insert(i, (name.into_boxed_str(), value));
                self.0 = entries.into_boxed_slice();
                None
            }
        }
    }

    /// Removes the field `name`; returns its value, if it was set.
    ///
    /// ```
    /// let mut fields = smsplan_core::contact::Fields::from([("city", "Metz")]);
    /// assert_eq!(fields.remove("city"), Some("Metz".to_owned()));
    /// assert_eq!(fields.remove("city"), None);
    /// assert!(fields.is_empty());
    /// ```
    pub fn remove(&mut self, name: &str) -> Option<String> {
        let i = self.search(name).ok()?;
        let mut entries = std::mem::take(&mut self.0).into_vec();
        let (_, value) = entries.remove(i);
        self.0 = entries.into_boxed_slice();
        Some(value.into_string())
    }

    /// The number of fields.
    ///
    /// ```
    /// let fields = smsplan_core::contact::Fields::from([("a", "1"), ("b", "2")]);
    /// assert_eq!(fields.len(), 2);
    /// ```
    #[must_use]
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there is no field.
    ///
    /// ```
    /// assert!(smsplan_core::contact::Fields::new().is_empty());
    /// ```
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The fields as `(name, value)` pairs, in name order.
    ///
    /// ```
    /// let fields = smsplan_core::contact::Fields::from([("b", "2"), ("a", "1")]);
    /// assert_eq!(fields.iter().collect::<Vec<_>>(), [("a", "1"), ("b", "2")]);
    /// ```
    pub fn iter(&self) -> Iter<'_> {
        Iter(self.0.iter())
    }
}

impl fmt::Debug for Fields {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

/// Builds fields from `(name, value)` pairs; when a name comes more than once, the last
/// value wins (as when inserting the pairs one by one).
///
/// ```
/// use smsplan_core::contact::Fields;
///
/// let fields: Fields = [("city", "Metz"), ("first_name", "Ana"), ("city", "Nancy")]
///     .into_iter()
///     .collect();
/// assert_eq!(fields.len(), 2);
/// assert_eq!(fields.get("city"), Some("Nancy"));
/// ```
impl<K: Into<String>, V: Into<String>> FromIterator<(K, V)> for Fields {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        let mut fields = Fields::new();
        fields.extend(iter);
        fields
    }
}

/// Adds `(name, value)` pairs, replacing the values of names already set; when a name comes
/// more than once, the last value wins.
///
/// ```
/// let mut fields = smsplan_core::contact::Fields::from([("city", "Metz")]);
/// fields.extend([("city", "Nancy"), ("zip", "54000")]);
/// assert_eq!(fields.iter().collect::<Vec<_>>(), [("city", "Nancy"), ("zip", "54000")]);
/// ```
impl<K: Into<String>, V: Into<String>> Extend<(K, V)> for Fields {
    fn extend<I: IntoIterator<Item = (K, V)>>(&mut self, iter: I) {
        let mut entries = std::mem::take(&mut self.0).into_vec();
        let old = entries.len();
        entries.extend(
            iter.into_iter()
                .map(|(k, v)| (k.into().into_boxed_str(), v.into().into_boxed_str())),
        );
        if entries.len() > old {
            // A stable sort keeps equal names in arrival order (the earlier entries first),
            // so keeping the last of each run of equal names lets the last value win.
            entries.sort_by(|(a, _), (b, _)| a.cmp(b));
            let mut kept: Vec<(Box<str>, Box<str>)> = Vec::with_capacity(entries.len());
            for entry in entries {
                match kept.last_mut() {
                    Some(last) if last.0 == entry.0 => *last = entry,
                    _ => kept.push(entry),
                }
            }
            entries = kept;
        }
        self.0 = entries.into_boxed_slice();
    }
}

/// ```
/// use std::collections::BTreeMap;
/// use smsplan_core::contact::Fields;
///
/// let map = BTreeMap::from([("city".to_owned(), "Metz".to_owned())]);
/// assert_eq!(Fields::from(map).get("city"), Some("Metz"));
/// ```
impl From<BTreeMap<String, String>> for Fields {
    fn from(map: BTreeMap<String, String>) -> Self {
        // Already sorted by name and without repeats.
        Fields(
            map.into_iter()
                .map(|(k, v)| (k.into_boxed_str(), v.into_boxed_str()))
                .collect(),
        )
    }
}

/// ```
/// use std::collections::BTreeMap;
/// use smsplan_core::contact::Fields;
///
/// let map = BTreeMap::from(Fields::from([("city", "Metz")]));
/// assert_eq!(map.get("city").map(String::as_str), Some("Metz"));
/// ```
impl From<Fields> for BTreeMap<String, String> {
    fn from(fields: Fields) -> Self {
        fields.into_iter().collect()
    }
}

/// Builds fields from an array of pairs; the last value of a repeated name wins.
///
/// ```
/// let fields = smsplan_core::contact::Fields::from([("first_name", "Ana")]);
/// assert_eq!(fields.get("first_name"), Some("Ana"));
/// ```
impl<K: Into<String>, V: Into<String>, const N: usize> From<[(K, V); N]> for Fields {
    fn from(pairs: [(K, V); N]) -> Self {
        pairs.into_iter().collect()
    }
}

impl<'a> IntoIterator for &'a Fields {
    type Item = (&'a str, &'a str);
    type IntoIter = Iter<'a>;

    fn into_iter(self) -> Iter<'a> {
        self.iter()
    }
}

/// Moves the fields out as `(name, value)` pairs, in name order.
///
/// ```
/// let fields = smsplan_core::contact::Fields::from([("a", "1")]);
/// let pairs: Vec<(String, String)> = fields.into_iter().collect();
/// assert_eq!(pairs, [("a".to_owned(), "1".to_owned())]);
/// ```
impl IntoIterator for Fields {
    type Item = (String, String);
    type IntoIter = IntoIter;

    fn into_iter(self) -> IntoIter {
        IntoIter(self.0.into_vec().into_iter())
    }
}

/// The iterator of [`Fields::iter`]: `(name, value)` pairs in name order.
#[derive(Debug, Clone)]
pub struct Iter<'a>(std::slice::Iter<'a, (Box<str>, Box<str>)>);

impl<'a> Iterator for Iter<'a> {
    type Item = (&'a str, &'a str);

    fn next(&mut self) -> Option<Self::Item> {
        self.0.next().map(|(k, v)| (&**k, &**v))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.0.size_hint()
    }
}

impl DoubleEndedIterator for Iter<'_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        self.0.next_back().map(|(k, v)| (&**k, &**v))
    }
}

impl ExactSizeIterator for Iter<'_> {}

impl std::iter::FusedIterator for Iter<'_> {}

/// The owning iterator of [`Fields`]: `(name, value)` pairs in name order.
#[derive(Debug)]
pub struct IntoIter(std::vec::IntoIter<(Box<str>, Box<str>)>);

impl Iterator for IntoIter {
    type Item = (String, String);

    fn next(&mut self) -> Option<Self::Item> {
        self.0
            .next()
            .map(|(k, v)| (k.into_string(), v.into_string()))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.0.size_hint()
    }
}

impl DoubleEndedIterator for IntoIter {
    fn next_back(&mut self) -> Option<Self::Item> {
        self.0
            .next_back()
            .map(|(k, v)| (k.into_string(), v.into_string()))
    }
}

impl ExactSizeIterator for IntoIter {}

impl std::iter::FusedIterator for IntoIter {}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn new_fields_are_empty_and_find_nothing() {
        let fields = Fields::new();
        assert!(fields.is_empty());
        assert_eq!(fields.len(), 0);
        assert_eq!(fields.get(""), None);
        assert!(!fields.contains_key("a"));
        assert_eq!(fields.iter().next(), None);
        assert_eq!(fields, Fields::default());
    }

    #[test]
    fn insert_keeps_names_sorted_and_unique() {
        let mut fields = Fields::new();
        for (k, v) in [("b", "1"), ("a", "2"), ("c", "3"), ("b", "4"), ("", "5")] {
            fields.insert(k, v);
        }
        assert_eq!(
            fields.iter().collect::<Vec<_>>(),
            [("", "5"), ("a", "2"), ("b", "4"), ("c", "3")]
        );
        assert_eq!(fields.iter().next_back(), Some(("c", "3")));
        assert_eq!(fields.iter().len(), 4);
    }

    #[test]
    fn names_are_compared_as_bytes_like_a_btreemap() {
        let fields = Fields::from([("é", "1"), ("z", "2"), ("Z", "3"), ("a", "4")]);
        let map: BTreeMap<String, String> = fields.clone().into();
        assert!(fields.iter().eq(map.iter().map(|(k, v)| (&**k, &**v))));
        assert_eq!(Fields::from(map), fields);
    }

    #[test]
    fn collecting_lets_the_last_repeat_win() {
        let fields: Fields = vec![("a", "1"), ("b", "2"), ("a", "3"), ("a", "4")]
            .into_iter()
            .collect();
        assert_eq!(fields.iter().collect::<Vec<_>>(), [("a", "4"), ("b", "2")]);
        let mut more = fields.clone();
        more.extend([("b", "5"), ("b", "6")]);
        assert_eq!(more.iter().collect::<Vec<_>>(), [("a", "4"), ("b", "6")]);
        more.extend(Vec::<(String, String)>::new());
        assert_eq!(more.len(), 2);
    }

    #[test]
    fn equality_and_hash_ignore_insertion_order() {
        use std::hash::{BuildHasher, RandomState};
        let one = Fields::from([("a", "1"), ("b", "2")]);
        let mut two = Fields::new();
        two.insert("b", "2");
        two.insert("a", "1");
        assert_eq!(one, two);
        let s = RandomState::new();
        assert_eq!(s.hash_one(&one), s.hash_one(&two));
        two.insert("a", "x");
        assert_ne!(one, two);
    }

    #[test]
    fn debug_reads_like_a_map() {
        let fields = Fields::from([("b", "2"), ("a", "1")]);
        assert_eq!(format!("{fields:?}"), r#"{"a": "1", "b": "2"}"#);
    }

    #[test]
    fn owned_and_borrowed_iteration_agree() {
        let fields = Fields::from([("b", "2"), ("a", "1")]);
        let borrowed: Vec<(String, String)> = (&fields)
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        let owned: Vec<(String, String)> = fields.into_iter().collect();
        assert_eq!(borrowed, owned);
    }

    #[derive(Debug, Clone)]
    enum Op {
        Insert(String, String),
        Remove(String),
        Extend(Vec<(String, String)>),
    }

    fn name() -> impl Strategy<Value = String> {
        // Few names so that inserts and removes hit existing ones often.
        "[a-dé]{0,2}"
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            3 => (name(), "[a-z]{0,3}").prop_map(|(k, v)| Op::Insert(k, v)),
            2 => name().prop_map(Op::Remove),
            1 => proptest::collection::vec((name(), "[a-z]{0,3}"), 0..4).prop_map(Op::Extend),
        ]
    }

    proptest! {
        #[test]
        fn fields_behave_like_a_map(ops in proptest::collection::vec(op(), 0..40)) {
            let mut fields = Fields::new();
            let mut map: BTreeMap<String, String> = BTreeMap::new();
            for op in ops {
                match op {
                    Op::Insert(k, v) => {
                        prop_assert_eq!(fields.insert(k.clone(), v.clone()), map.insert(k, v));
                    }
                    Op::Remove(k) => prop_assert_eq!(fields.remove(&k), map.remove(&k)),
                    Op::Extend(pairs) => {
                        fields.extend(pairs.clone());
                        map.extend(pairs);
                    }
                }
                prop_assert_eq!(fields.len(), map.len());
                prop_assert_eq!(fields.is_empty(), map.is_empty());
                prop_assert!(fields.iter().eq(map.iter().map(|(k, v)| (&**k, &**v))));
                for k in ["", "a", "b", "ab", "é", "dd"] {
                    prop_assert_eq!(fields.get(k), map.get(k).map(String::as_str));
                    prop_assert_eq!(fields.contains_key(k), map.contains_key(k));
                }
            }
            prop_assert_eq!(&Fields::from(map.clone()), &fields);
            let collected: Fields = map.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            prop_assert_eq!(collected, fields);
        }
    }
}
