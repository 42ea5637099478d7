//! The audience of a send: the selected groups' contacts turned into recipients and
//! exclusions, every contact accounted for once.
//!
//! [`resolve`] unites the selected groups (a contact in several counts once), parses each
//! number with the project's default region, and gives every contact exactly one outcome: a
//! [`Recipient`] (contact, E.164, time zones) or an [`Exclusion`] with one primary reason.
//! Reasons are checked in this fixed precedence, the first that applies wins:
//!
//! 1. `missing_phone`: no number;
//! 2. `invalid_phone`: the number does not parse or is not valid (the detail says why);
//! 3. `unsupported_region`: valid, but outside the project's accepted regions;
//! 4. `unsubscribed`: consent withdrawn;
//! 5. `no_consent`: consent unknown;
//! 6. `quarantined`: in quarantine (invalid number, bounced, blocked);
//! 7. `suppressed`: on the caller's suppression list (by number or by contact id);
//! 8. `duplicate`: with [`DedupMode::PerNumber`], another contact that passed every check above
//!    has the same E.164 and comes first in the project's contact order: it keeps the number.
//!
//! Contacts outside the selected groups are not listed, only counted
//! ([`Audience::outside_selection`]). Recipients and exclusions are in the project's contact
//! order. Input errors (an unknown selected group, a member that is not a contact, duplicate
//! ids, a project keyed by phone whose key is missing or shared) are [`AudienceError`]s naming
//! the ids.
//!
//! ```
//! use smsplan_core::audience::{resolve, ExclusionKind, Project, ProjectKey, Selection};
//! use smsplan_core::contact::{Consent, ConsentStatus, Contact, ContactId};
//! use smsplan_core::dedup::DedupMode;
//! use smsplan_core::group::{Group, GroupId};
//! use smsplan_core::phone::Region;
//!
//! let id = |s: &str| ContactId::new(s).unwrap();
//! let subscribed = Consent::new(ConsentStatus::Subscribed);
//! let contacts = vec![
//!     Contact::new(id("c1")).with_phone("06 12 34 56 78").with_consent(subscribed.clone()),
//!     Contact::new(id("c2")).with_phone("+33 6 12 34 56 78").with_consent(subscribed.clone()),
//!     Contact::new(id("c3")).with_phone("06 12").with_consent(subscribed),
//! ];
//! let groups = vec![Group::new(GroupId::new("vip")?, [id("c1"), id("c2"), id("c3")])];
//! let project = Project::new(ProjectKey::Email, Region::FR);
//! let selection = Selection::new([GroupId::new("vip")?], DedupMode::PerNumber);
//!
//! let audience = resolve(&project, &contacts, &groups, &selection)?;
//! assert_eq!(audience.recipients().len(), 1);
//! assert_eq!(audience.recipients()[0].number().as_e164(), "+33612345678");
//! let counts = audience.counts();
//! assert_eq!(counts.get(&ExclusionKind::Duplicate), Some(&1));
//! assert_eq!(counts.get(&ExclusionKind::InvalidPhone), Some(&1));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::num::{NonZeroU32, NonZeroUsize};

use chrono_tz::Tz;
use rustc_hash::{FxBuildHasher, FxHashMap, FxHashSet};

use crate::contact::{ConsentStatus, Contact, ContactId, QuarantineReason};
use crate::dedup::DedupMode;
use crate::group::{Group, GroupId};
use crate::parallel::{self, SpawnError};
use crate::phone::{PhoneError, PhoneNumber, PhoneParser, Region};

/// The primary key of a project's contacts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ProjectKey {
    /// Contacts are identified by e-mail: the phone number is optional and may be shared.
    Email,
    /// Contacts are identified by phone: every contact must have a number, and no two
    /// contacts' numbers may normalize to the same E.164.
    Phone,
}

impl ProjectKey {
    /// Every key, in declaration order.
    pub const ALL: [ProjectKey; 2] = [ProjectKey::Email, ProjectKey::Phone];

    /// The snake_case name: `email` or `phone`.
    ///
    /// ```
    /// assert_eq!(smsplan_core::audience::ProjectKey::Phone.as_str(), "phone");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            ProjectKey::Email => "email",
            ProjectKey::Phone => "phone",
        }
    }
}

/// Which regions' numbers a project accepts (its "supported format").
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum AcceptedRegions {
    /// Every region, and the non-geographic entities (+800, ...).
    #[default]
    Any,
    /// Only these regions; numbers elsewhere are excluded as `unsupported_region`.
    Only(BTreeSet<Region>),
}

impl AcceptedRegions {
    /// Whether a number is accepted.
    ///
    /// ```
    /// use smsplan_core::audience::AcceptedRegions;
    /// use smsplan_core::phone::{PhoneNumber, Region};
    ///
    /// let only_fr = AcceptedRegions::Only([Region::FR].into());
    /// assert!(only_fr.accepts(&PhoneNumber::parse("06 12 34 56 78", Region::FR)?));
    /// assert!(!only_fr.accepts(&PhoneNumber::parse("+1 212 555 0100", Region::FR)?));
    /// # Ok::<(), smsplan_core::phone::PhoneError>(())
    /// ```
    pub fn accepts(&self, number: &PhoneNumber) -> bool {
        match self {
            AcceptedRegions::Any => true,
            AcceptedRegions::Only(regions) => number.region().is_some_and(|r| regions.contains(&r)),
        }
    }
}

/// The project settings the audience depends on.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Project {
    /// The contacts' primary key.
    pub key: ProjectKey,
    /// The region national numbers are read in.
    pub default_region: Region,
    /// The regions whose numbers may receive SMS.
    pub accepted_regions: AcceptedRegions,
}

impl Project {
    /// A project accepting every region.
    ///
    /// ```
    /// use smsplan_core::audience::{AcceptedRegions, Project, ProjectKey};
    /// use smsplan_core::phone::Region;
    ///
    /// let p = Project::new(ProjectKey::Email, Region::FR)
    ///     .with_accepted_regions([Region::FR, Region::BE]);
    /// assert!(matches!(p.accepted_regions, AcceptedRegions::Only(ref r) if r.len() == 2));
    /// ```
    pub fn new(key: ProjectKey, default_region: Region) -> Self {
        Project {
            key,
            default_region,
            accepted_regions: AcceptedRegions::Any,
        }
    }

    /// Accepts only numbers of these regions.
    pub fn with_accepted_regions(mut self, regions: impl IntoIterator<Item = Region>) -> Self {
        self.accepted_regions = AcceptedRegions::Only(regions.into_iter().collect());
        self
    }
}

/// A caller-supplied suppression list: numbers and contacts that must not receive the send.
///
/// ```
/// use smsplan_core::audience::Suppressions;
/// use smsplan_core::contact::ContactId;
/// use smsplan_core::phone::PhoneNumber;
///
/// let mut s = Suppressions::default();
/// s.add_number(PhoneNumber::parse_international("+33612345678")?);
/// s.add_contact(ContactId::new("c7")?);
/// assert_eq!(s.len(), 2);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Suppressions {
    numbers: FxHashSet<PhoneNumber>,
    contacts: FxHashSet<ContactId>,
}

impl Suppressions {
    /// Suppresses a number, whoever holds it.
    pub fn add_number(&mut self, number: PhoneNumber) {
        self.numbers.insert(number);
    }

    /// Suppresses a contact, whatever its number.
    pub fn add_contact(&mut self, contact: ContactId) {
        self.contacts.insert(contact);
    }

    /// The suppressed numbers.
    pub fn numbers(&self) -> impl Iterator<Item = &PhoneNumber> {
        self.numbers.iter()
    }

    /// The suppressed contacts.
    pub fn contacts(&self) -> impl Iterator<Item = &ContactId> {
        self.contacts.iter()
    }

    /// How many entries the list holds.
    pub fn len(&self) -> usize {
        self.numbers.len() + self.contacts.len()
    }

    /// Whether the list is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn suppresses(&self, contact: &ContactId, number: &PhoneNumber) -> bool {
        (!self.numbers.is_empty() && self.numbers.contains(number))
            || (!self.contacts.is_empty() && self.contacts.contains(contact))
    }
}

/// What a send selects: groups, the dedup mode and a suppression list.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Selection {
    /// The selected groups; their union is considered.
    pub groups: Vec<GroupId>,
    /// How contacts sharing a number are counted.
    pub dedup: DedupMode,
    /// Numbers and contacts that must not receive the send.
    pub suppressions: Suppressions,
}

impl Selection {
    /// Selects groups with a dedup mode and no suppression.
    ///
    /// ```
    /// use smsplan_core::audience::Selection;
    /// use smsplan_core::dedup::DedupMode;
    /// use smsplan_core::group::GroupId;
    ///
    /// let s = Selection::new([GroupId::new("vip")?], DedupMode::PerContact);
    /// assert!(s.suppressions.is_empty());
    /// # Ok::<(), smsplan_core::contact::IdError>(())
    /// ```
    pub fn new(groups: impl IntoIterator<Item = GroupId>, dedup: DedupMode) -> Self {
        Selection {
            groups: groups.into_iter().collect(),
            dedup,
            suppressions: Suppressions::default(),
        }
    }

    /// Sets the suppression list.
    pub fn with_suppressions(mut self, suppressions: Suppressions) -> Self {
        self.suppressions = suppressions;
        self
    }
}

/// Why a contact of the selected groups gets no SMS, with its detail.
///
/// More reasons will come with the later stages of planning (a missing personalization
/// field, an expired deadline, an unknown time zone): match with a wildcard arm.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ExclusionReason {
    /// The contact has no phone number.
    MissingPhone,
    /// The number does not parse or is not valid.
    InvalidPhone(PhoneError),
    /// The number is valid but its region is not accepted by the project.
    UnsupportedRegion {
        /// The number's region; `None` for non-geographic entities (+800, ...).
        region: Option<Region>,
        /// The number's country calling code.
        country_code: u16,
    },
    /// The contact unsubscribed.
    Unsubscribed,
    /// The contact's consent is unknown.
    NoConsent,
    /// The contact is in quarantine.
    Quarantined(QuarantineReason),
    /// The contact or its number is on the suppression list.
    Suppressed,
    /// Another contact with the same number keeps it ([`DedupMode::PerNumber`]).
    Duplicate {
        /// The contact that keeps the number.
        kept: ContactId,
    },
}

impl ExclusionReason {
    /// The kind of the reason, without detail.
    ///
    /// ```
    /// use smsplan_core::audience::{ExclusionKind, ExclusionReason};
    /// assert_eq!(ExclusionReason::NoConsent.kind(), ExclusionKind::NoConsent);
    /// ```
    pub fn kind(&self) -> ExclusionKind {
        match self {
            ExclusionReason::MissingPhone => ExclusionKind::MissingPhone,
            ExclusionReason::InvalidPhone(_) => ExclusionKind::InvalidPhone,
            ExclusionReason::UnsupportedRegion { .. } => ExclusionKind::UnsupportedRegion,
            ExclusionReason::Unsubscribed => ExclusionKind::Unsubscribed,
            ExclusionReason::NoConsent => ExclusionKind::NoConsent,
            ExclusionReason::Quarantined(_) => ExclusionKind::Quarantined,
            ExclusionReason::Suppressed => ExclusionKind::Suppressed,
            ExclusionReason::Duplicate { .. } => ExclusionKind::Duplicate,
        }
    }

    /// The detail as text, when the reason has one: the phone error kind, the region (or
    /// `+code` for non-geographic numbers), the quarantine reason, or the kept contact's id.
    ///
    /// ```
    /// use smsplan_core::audience::ExclusionReason;
    /// use smsplan_core::contact::{ContactId, QuarantineReason};
    /// use smsplan_core::phone::PhoneError;
    ///
    /// assert_eq!(ExclusionReason::InvalidPhone(PhoneError::TooShort).detail().as_deref(), Some("too_short"));
    /// assert_eq!(ExclusionReason::Quarantined(QuarantineReason::Bounced).detail().as_deref(), Some("bounced"));
    /// let dup = ExclusionReason::Duplicate { kept: ContactId::new("c1")? };
    /// assert_eq!(dup.detail().as_deref(), Some("c1"));
    /// assert_eq!(ExclusionReason::NoConsent.detail(), None);
    /// # Ok::<(), smsplan_core::contact::IdError>(())
    /// ```
    pub fn detail(&self) -> Option<String> {
        match self {
            ExclusionReason::InvalidPhone(error) => Some(error.kind().to_owned()),
            ExclusionReason::UnsupportedRegion {
                region: Some(region),
                ..
            } => Some(region.as_str().to_owned()),
            ExclusionReason::UnsupportedRegion {
                region: None,
                country_code,
            } => Some(format!("+{country_code}")),
            ExclusionReason::Quarantined(reason) => Some(reason.as_str().to_owned()),
            ExclusionReason::Duplicate { kept } => Some(kept.as_str().to_owned()),
            ExclusionReason::MissingPhone
            | ExclusionReason::Unsubscribed
            | ExclusionReason::NoConsent
            | ExclusionReason::Suppressed => None,
        }
    }
}

impl fmt::Display for ExclusionReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.detail() {
            Some(detail) => write!(f, "{} ({detail})", self.kind()),
            None => f.write_str(self.kind().as_str()),
        }
    }
}

/// The kind of an exclusion reason, in precedence order (the order of declaration).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum ExclusionKind {
    /// `missing_phone`
    MissingPhone,
    /// `invalid_phone`
    InvalidPhone,
    /// `unsupported_region`
    UnsupportedRegion,
    /// `unsubscribed`
    Unsubscribed,
    /// `no_consent`
    NoConsent,
    /// `quarantined`
    Quarantined,
    /// `suppressed`
    Suppressed,
    /// `duplicate`
    Duplicate,
}

impl ExclusionKind {
    /// Every kind of the audience stage, in precedence order.
    pub const ALL: [ExclusionKind; 8] = [
        ExclusionKind::MissingPhone,
        ExclusionKind::InvalidPhone,
        ExclusionKind::UnsupportedRegion,
        ExclusionKind::Unsubscribed,
        ExclusionKind::NoConsent,
        ExclusionKind::Quarantined,
        ExclusionKind::Suppressed,
        ExclusionKind::Duplicate,
    ];

    /// The snake_case name used in the formats.
    ///
    /// ```
    /// assert_eq!(smsplan_core::audience::ExclusionKind::NoConsent.as_str(), "no_consent");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            ExclusionKind::MissingPhone => "missing_phone",
            ExclusionKind::InvalidPhone => "invalid_phone",
            ExclusionKind::UnsupportedRegion => "unsupported_region",
            ExclusionKind::Unsubscribed => "unsubscribed",
            ExclusionKind::NoConsent => "no_consent",
            ExclusionKind::Quarantined => "quarantined",
            ExclusionKind::Suppressed => "suppressed",
            ExclusionKind::Duplicate => "duplicate",
        }
    }

    /// The kind named by its snake_case name.
    ///
    /// ```
    /// use smsplan_core::audience::ExclusionKind;
    /// assert_eq!(ExclusionKind::from_name("duplicate"), Some(ExclusionKind::Duplicate));
    /// ```
    pub fn from_name(name: &str) -> Option<Self> {
        ExclusionKind::ALL.into_iter().find(|k| k.as_str() == name)
    }
}

impl fmt::Display for ExclusionKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A contact that will receive the SMS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recipient<'a> {
    contact: &'a Contact,
    position: usize,
    number: PhoneNumber,
}

impl<'a> Recipient<'a> {
    /// The contact.
    pub fn contact(&self) -> &'a Contact {
        self.contact
    }

    /// The contact's position in the project's contact list.
    pub fn position(&self) -> usize {
        self.position
    }

    /// The number, in E.164.
    pub fn number(&self) -> PhoneNumber {
        self.number
    }

    /// The time zones the send must respect: the contact's explicit zone if set, else the
    /// number's zones (possibly several, possibly none).
    pub fn time_zones(&self) -> &'a [Tz] {
        match &self.contact.time_zone {
            Some(tz) => std::slice::from_ref(tz),
            None => self.number.time_zones(),
        }
    }
}

/// A contact of the selected groups that gets no SMS, with its one primary reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exclusion<'a> {
    contact: &'a Contact,
    position: usize,
    number: Option<PhoneNumber>,
    reason: ExclusionReason,
}

impl<'a> Exclusion<'a> {
    /// The contact.
    pub fn contact(&self) -> &'a Contact {
        self.contact
    }

    /// The contact's position in the project's contact list.
    pub fn position(&self) -> usize {
        self.position
    }

    /// The contact's number, when it parsed.
    pub fn number(&self) -> Option<PhoneNumber> {
        self.number
    }

    /// Why the contact is excluded.
    pub fn reason(&self) -> &ExclusionReason {
        &self.reason
    }
}

/// The resolved audience: recipients and exclusions in the project's contact order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Audience<'a> {
    recipients: Vec<Recipient<'a>>,
    exclusions: Vec<Exclusion<'a>>,
    outside_selection: usize,
}

impl<'a> Audience<'a> {
    /// The recipients.
    pub fn recipients(&self) -> &[Recipient<'a>] {
        &self.recipients
    }

    /// The exclusions.
    pub fn exclusions(&self) -> &[Exclusion<'a>] {
        &self.exclusions
    }

    /// How many of the project's contacts are in none of the selected groups (not listed).
    pub fn outside_selection(&self) -> usize {
        self.outside_selection
    }

    /// Exclusions counted per kind; kinds with no exclusion are absent.
    pub fn counts(&self) -> BTreeMap<ExclusionKind, usize> {
        let mut counts = BTreeMap::new();
        for exclusion in &self.exclusions {
            *counts.entry(exclusion.reason.kind()).or_insert(0) += 1;
        }
        counts
    }

    /// Splits the audience into `shards` parts by [`shard_of`] the E.164 number, so that
    /// contacts sharing a number land in the same part. Exclusions without a number go by
    /// [`shard_of_id`]. [`Audience::merge`] of the parts gives back the audience.
    ///
    /// ```
    /// # use smsplan_core::audience::*;
    /// # use smsplan_core::contact::*;
    /// # use smsplan_core::dedup::DedupMode;
    /// # use smsplan_core::group::*;
    /// # use smsplan_core::phone::Region;
    /// # let c = |i: usize| Contact::new(ContactId::new(format!("c{i}")).unwrap())
    /// #     .with_phone(format!("06 12 34 56 {:02}", i % 100))
    /// #     .with_consent(Consent::new(ConsentStatus::Subscribed));
    /// let contacts: Vec<Contact> = (0..50).map(c).collect();
    /// let all = Group::new(GroupId::new("all")?, contacts.iter().map(|c| c.id.clone()));
    /// let project = Project::new(ProjectKey::Email, Region::FR);
    /// let selection = Selection::new([all.id.clone()], DedupMode::PerNumber);
    /// let audience = resolve(&project, &contacts, &[all], &selection)?;
    ///
    /// let parts = audience.clone().split(std::num::NonZeroU32::new(4).unwrap());
    /// assert_eq!(parts.len(), 4);
    /// assert_eq!(Audience::merge(parts), audience);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn split(self, shards: NonZeroU32) -> Vec<Audience<'a>> {
        let count = shards.get() as usize;
        let mut parts: Vec<Audience<'a>> = (0..count).map(|_| Audience::default()).collect();
        for recipient in self.recipients {
            let shard = shard_of(&recipient.number, shards) as usize;
            if let Some(part) = parts.get_mut(shard) {
                part.recipients.push(recipient);
            }
        }
        for exclusion in self.exclusions {
            let shard = match &exclusion.number {
                Some(number) => shard_of(number, shards),
                None => shard_of_id(&exclusion.contact.id, shards),
            } as usize;
            if let Some(part) = parts.get_mut(shard) {
                part.exclusions.push(exclusion);
            }
        }
        if let Some(first) = parts.first_mut() {
            first.outside_selection = self.outside_selection;
        }
        parts
    }

    /// Merges parts (from [`Audience::split`], or audiences resolved over disjoint contacts of
    /// one list) back into one, in the contact order.
    pub fn merge(parts: impl IntoIterator<Item = Audience<'a>>) -> Audience<'a> {
        let mut merged = Audience::default();
        for part in parts {
            merged.recipients.extend(part.recipients);
            merged.exclusions.extend(part.exclusions);
            merged.outside_selection += part.outside_selection;
        }
        merged.recipients.sort_by_key(|r| r.position);
        merged.exclusions.sort_by_key(|e| e.position);
        merged
    }
}

/// The stable shard of a number: FNV-1a (64 bits) of its E.164 text, modulo `shards`.
///
/// The hash is fixed (not std's randomly seeded one), so a number lands in the same shard on
/// every run and machine.
///
/// ```
/// use std::num::NonZeroU32;
/// use smsplan_core::audience::shard_of;
/// use smsplan_core::phone::PhoneNumber;
///
/// let n = PhoneNumber::parse_international("+33612345678")?;
/// let shards = NonZeroU32::new(8).unwrap();
/// assert_eq!(shard_of(&n, shards), shard_of(&n, shards));
/// assert!(shard_of(&n, shards) < 8);
/// # Ok::<(), smsplan_core::phone::PhoneError>(())
/// ```
pub fn shard_of(number: &PhoneNumber, shards: NonZeroU32) -> u32 {
    bucket(fnv1a(number.as_e164().as_bytes()), shards)
}

/// The stable shard of a contact without a usable number: FNV-1a of its id.
///
/// ```
/// use std::num::NonZeroU32;
/// use smsplan_core::audience::shard_of_id;
/// use smsplan_core::contact::ContactId;
///
/// let id = ContactId::new("c1")?;
/// assert!(shard_of_id(&id, NonZeroU32::MIN) == 0);
/// # Ok::<(), smsplan_core::contact::IdError>(())
/// ```
pub fn shard_of_id(id: &ContactId, shards: NonZeroU32) -> u32 {
    bucket(fnv1a(id.as_str().as_bytes()), shards)
}

fn bucket(hash: u64, shards: NonZeroU32) -> u32 {
    // The remainder is below `shards`, a u32.
    u32::try_from(hash % u64::from(shards.get())).unwrap_or(0)
}

/// FNV-1a, 64 bits: a fixed, documented hash.
fn fnv1a(bytes: &[u8]) -> u64 {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    bytes.iter().fold(OFFSET, |hash, byte| {
        (hash ^ u64::from(*byte)).wrapping_mul(PRIME)
    })
}

/// An input error: the contacts, groups or selection contradict each other; or, on several
/// threads, a worker thread could not be started.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AudienceError {
    /// A worker thread could not be started.
    #[error(transparent)]
    Spawn(#[from] SpawnError),
    /// Two contacts share an id.
    #[error("contacts[{second}]: id \"{id}\" is already the id of contacts[{first}]")]
    DuplicateContactId {
        /// The shared id.
        id: ContactId,
        /// The position of the first contact with it.
        first: usize,
        /// The position of the second.
        second: usize,
    },
    /// Two groups share an id.
    #[error("groups[{second}]: id \"{id}\" is already the id of groups[{first}]")]
    DuplicateGroupId {
        /// The shared id.
        id: GroupId,
        /// The position of the first group with it.
        first: usize,
        /// The position of the second.
        second: usize,
    },
    /// A selected group does not exist.
    #[error("selected group \"{id}\" is not a group of the project")]
    UnknownGroup {
        /// The selected id.
        id: GroupId,
    },
    /// A group lists a member that is not a contact.
    #[error("group \"{group}\": member \"{member}\" is not a contact of the project")]
    UnknownMember {
        /// The group.
        group: GroupId,
        /// The member id that names no contact.
        member: ContactId,
    },
    /// The project is keyed by phone and a contact has no phone.
    #[error("contact \"{contact}\" has no phone, but the project's key is the phone number")]
    MissingKeyPhone {
        /// The contact without a phone.
        contact: ContactId,
    },
    /// The project is keyed by phone and two contacts' numbers are the same E.164.
    #[error(
        "contacts \"{first}\" and \"{second}\" both have {number}, but the project's key is the phone number"
    )]
    DuplicateKeyPhone {
        /// The shared number.
        number: PhoneNumber,
        /// The first contact with it.
        first: ContactId,
        /// The second.
        second: ContactId,
    },
}

/// The outcome of the checks before dedup, per contact.
enum Checked {
    /// Not in a selected group (and not parsed unless the key needs it).
    Outside(Option<Parsed>),
    /// Excluded before dedup.
    Excluded(Option<PhoneNumber>, ExclusionReason),
    /// Passed every check: may receive, unless a dedup removes it.
    Candidate(PhoneNumber),
}

/// A parsed phone field.
#[derive(Clone, Copy)]
enum Parsed {
    Missing,
    Invalid(PhoneError),
    Valid(PhoneNumber),
}

/// Resolves the audience of a selection on one thread; see the [module](self) docs.
///
/// # Errors
/// An [`AudienceError`] naming the ids when the input contradicts itself.
pub fn resolve<'a>(
    project: &Project,
    contacts: &'a [Contact],
    groups: &[Group],
    selection: &Selection,
) -> Result<Audience<'a>, AudienceError> {
    resolve_parallel(project, contacts, groups, selection, NonZeroUsize::MIN)
}

/// Resolves the audience of a selection on `threads` threads (at most
/// [`MAX_THREADS`](crate::parallel::MAX_THREADS)); the result is the same as [`resolve`]'s
/// whatever the number of threads.
///
/// Numbers are parsed by contiguous chunks of contacts, then dedup runs per shard of
/// [`shard_of`] (contacts sharing a number are in the same shard).
///
/// ```
/// # use smsplan_core::audience::*;
/// # use smsplan_core::contact::*;
/// # use smsplan_core::dedup::DedupMode;
/// # use smsplan_core::group::*;
/// # use smsplan_core::phone::Region;
/// # let c = |i: usize| Contact::new(ContactId::new(format!("c{i}")).unwrap())
/// #     .with_phone(format!("06 12 34 {:02} {:02}", i % 7, i % 100))
/// #     .with_consent(Consent::new(ConsentStatus::Subscribed));
/// let contacts: Vec<Contact> = (0..300).map(c).collect();
/// let all = Group::new(GroupId::new("all")?, contacts.iter().map(|c| c.id.clone()));
/// let project = Project::new(ProjectKey::Email, Region::FR);
/// let selection = Selection::new([all.id.clone()], DedupMode::PerNumber);
/// let groups = [all];
/// let two = std::num::NonZeroUsize::new(2).unwrap();
/// assert_eq!(
///     resolve_parallel(&project, &contacts, &groups, &selection, two)?,
///     resolve(&project, &contacts, &groups, &selection)?,
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// An [`AudienceError`] naming the ids when the input contradicts itself;
/// [`AudienceError::Spawn`] when a worker thread cannot be started.
pub fn resolve_parallel<'a>(
    project: &Project,
    contacts: &'a [Contact],
    groups: &[Group],
    selection: &Selection,
    threads: NonZeroUsize,
) -> Result<Audience<'a>, AudienceError> {
    resolve_tuned(
        project,
        contacts,
        groups,
        selection,
        threads,
        &Tuning::DEFAULT,
    )
}

/// The sizes from which the parallel paths are worth their threads (smaller in unit tests,
/// so that small random inputs exercise them).
struct Tuning {
    /// The fewest contacts worth a thread of their own.
    min_contacts_per_thread: usize,
    /// From how many contacts the id index and the member lookups use several threads.
    parallel_index_min: usize,
    /// The chunk size from which a worker thread makes its own [`PhoneParser`].
    own_parser_min: usize,
}

impl Tuning {
    const DEFAULT: Tuning = Tuning {
        min_contacts_per_thread: 4_096,
        parallel_index_min: 50_000,
        own_parser_min: 20_000,
    };
}

fn resolve_tuned<'a>(
    project: &Project,
    contacts: &'a [Contact],
    groups: &[Group],
    selection: &Selection,
    threads: NonZeroUsize,
    tuning: &Tuning,
) -> Result<Audience<'a>, AudienceError> {
    // No more threads than chunks worth a thread; the phases that shard by scanning every
    // contact (the id index, dedup) use at most `MAX_SCAN_SHARDS` of them.
    let worth = contacts.len() / tuning.min_contacts_per_thread.max(1);
    let threads =
        parallel::capped(threads).min(NonZeroUsize::new(worth).unwrap_or(NonZeroUsize::MIN));
    let scan_shards = threads.min(MAX_SCAN_SHARDS);
    let index_shards = if contacts.len() >= tuning.parallel_index_min {
        scan_shards
    } else {
        NonZeroUsize::MIN
    };
    let selected = selected_contacts(contacts, groups, selection, index_shards)?;
    let parse_all = project.key == ProjectKey::Phone;
    let checked = map_chunks(contacts, threads, |offset, chunk| {
        // A worker thread parses faster with its own parser, worth it for large chunks.
        let parser = if offset > 0 && chunk.len() >= tuning.own_parser_min {
            PhoneParser::new()
        } else {
            PhoneParser::shared()
        };
        chunk
            .iter()
            .enumerate()
            .map(|(i, contact)| {
                let is_selected = selected.get(offset + i).copied().unwrap_or(false);
                check(&parser, project, selection, contact, is_selected, parse_all)
            })
            .collect()
    })?;
    if parse_all {
        check_phone_key(contacts, &checked)?;
    }
    let duplicates = match selection.dedup {
        DedupMode::PerNumber => find_duplicates(&checked, scan_shards)?,
        DedupMode::PerContact => Vec::new(),
    };
    Ok(assemble(contacts, checked, &duplicates))
}

/// The most threads of the phases where every thread reads every contact.
const MAX_SCAN_SHARDS: NonZeroUsize = match NonZeroUsize::new(8) {
    Some(n) => n,
    None => NonZeroUsize::MIN,
};

/// Which contacts are in at least one selected group, after checking ids and members.
///
/// The id index is split in `threads` shards by a hash of the id, each built by its own
/// thread; then each thread looks up its share of every group's members. Errors are the
/// first in document order whatever the number of threads.
fn selected_contacts(
    contacts: &[Contact],
    groups: &[Group],
    selection: &Selection,
    threads: NonZeroUsize,
) -> Result<Vec<bool>, AudienceError> {
    let mut groups_by_id: FxHashMap<&str, usize> =
        FxHashMap::with_capacity_and_hasher(groups.len(), FxBuildHasher);
    for (position, group) in groups.iter().enumerate() {
        if let Some(first) = groups_by_id.insert(group.id.as_str(), position) {
            return Err(AudienceError::DuplicateGroupId {
                id: group.id.clone(),
                first,
                second: position,
            });
        }
    }
    for id in &selection.groups {
        if !groups_by_id.contains_key(id.as_str()) {
            return Err(AudienceError::UnknownGroup { id: id.clone() });
        }
    }
    let selected_groups: FxHashSet<&str> = selection.groups.iter().map(GroupId::as_str).collect();
    let workers = threads.get();
    let index = IdIndex::build(contacts, workers)?;

    // Each worker takes the same share of every group; the first error in (group, member)
    // order wins.
    let lookups = parallel::run_workers(workers, |worker| {
        let mut selected = vec![false; contacts.len()];
        for (g, group) in groups.iter().enumerate() {
            let share = group.members.len().div_ceil(workers);
            let from = (worker * share).min(group.members.len());
            let to = (from + share).min(group.members.len());
            let is_selected = selected_groups.contains(group.id.as_str());
            for (m, member) in group
                .members
                .get(from..to)
                .unwrap_or_default()
                .iter()
                .enumerate()
            {
                let Some(position) = index.get(member.as_str()) else {
                    return Err((g, from + m));
                };
                if is_selected && let Some(slot) = selected.get_mut(position) {
                    *slot = true;
                }
            }
        }
        Ok(selected)
    })?;
    let mut selected = vec![false; contacts.len()];
    let mut first_error: Option<(usize, usize)> = None;
    for lookup in lookups {
        match lookup {
            Ok(part) => {
                for (slot, mark) in selected.iter_mut().zip(part) {
                    *slot |= mark;
                }
            }
            Err(at) => first_error = Some(first_error.map_or(at, |e| e.min(at))),
        }
    }
    if let Some((g, m)) = first_error
        && let Some(group) = groups.get(g)
        && let Some(member) = group.members.get(m)
    {
        return Err(AudienceError::UnknownMember {
            group: group.id.clone(),
            member: member.clone(),
        });
    }
    Ok(selected)
}

/// Contact id → position, in shards by a hash of the id.
struct IdIndex<'a> {
    shards: Vec<FxHashMap<&'a str, usize>>,
}

impl<'a> IdIndex<'a> {
    fn shard_of(id: &str, shards: usize) -> usize {
        (fnv1a(id.as_bytes()) % shards as u64) as usize
    }

    /// Builds the index; a repeated id is an error naming its first repetition in order.
    fn build(contacts: &'a [Contact], shards: usize) -> Result<Self, AudienceError> {
        let built = parallel::run_workers(shards, |shard| {
            let mut map: FxHashMap<&str, usize> =
                FxHashMap::with_capacity_and_hasher(contacts.len() / shards + 1, FxBuildHasher);
            for (position, contact) in contacts.iter().enumerate() {
                let id = contact.id.as_str();
                if shards > 1 && Self::shard_of(id, shards) != shard {
                    continue;
                }
                if let Some(first) = map.insert(id, position) {
                    return Err((position, first));
                }
            }
            Ok(map)
        })?;
        let mut maps = Vec::with_capacity(shards);
        let mut first_error: Option<(usize, usize)> = None;
        for result in built {
            match result {
                Ok(map) => maps.push(map),
                Err(at) => first_error = Some(first_error.map_or(at, |e| e.min(at))),
            }
        }
        if let Some((second, first)) = first_error {
            let id = contacts.get(second).map(|c| c.id.clone());
            if let Some(id) = id {
                return Err(AudienceError::DuplicateContactId { id, first, second });
            }
        }
        Ok(IdIndex { shards: maps })
    }

    fn get(&self, id: &str) -> Option<usize> {
        let shard = if self.shards.len() > 1 {
            Self::shard_of(id, self.shards.len())
        } else {
            0
        };
        self.shards.get(shard)?.get(id).copied()
    }
}

fn parse_phone(parser: &PhoneParser, project: &Project, contact: &Contact) -> Parsed {
    match contact.phone.as_deref() {
        None => Parsed::Missing,
        Some(raw) if raw.trim().is_empty() => Parsed::Missing,
        Some(raw) => match parser.parse(raw, project.default_region) {
            Ok(number) => Parsed::Valid(number),
            Err(error) => Parsed::Invalid(error),
        },
    }
}

/// The checks before dedup, in the documented precedence.
fn check(
    parser: &PhoneParser,
    project: &Project,
    selection: &Selection,
    contact: &Contact,
    is_selected: bool,
    parse_all: bool,
) -> Checked {
    if !is_selected {
        return Checked::Outside(parse_all.then(|| parse_phone(parser, project, contact)));
    }
    let number = match parse_phone(parser, project, contact) {
        Parsed::Missing => return Checked::Excluded(None, ExclusionReason::MissingPhone),
        Parsed::Invalid(error) => {
            return Checked::Excluded(None, ExclusionReason::InvalidPhone(error));
        }
        Parsed::Valid(number) => number,
    };
    let reason = if !project.accepted_regions.accepts(&number) {
        Some(ExclusionReason::UnsupportedRegion {
            region: number.region(),
            country_code: number.country_code(),
        })
    } else {
        match contact.consent.status {
            ConsentStatus::Unsubscribed => Some(ExclusionReason::Unsubscribed),
            ConsentStatus::Unknown => Some(ExclusionReason::NoConsent),
            ConsentStatus::Subscribed => match contact.quarantine {
                Some(reason) => Some(ExclusionReason::Quarantined(reason)),
                None if selection.suppressions.suppresses(&contact.id, &number) => {
                    Some(ExclusionReason::Suppressed)
                }
                None => None,
            },
        }
    };
    match reason {
        Some(reason) => Checked::Excluded(Some(number), reason),
        None => Checked::Candidate(number),
    }
}

fn parsed_of(checked: &Checked) -> Option<Parsed> {
    match checked {
        Checked::Outside(parsed) => *parsed,
        Checked::Excluded(Some(number), _) | Checked::Candidate(number) => {
            Some(Parsed::Valid(*number))
        }
        Checked::Excluded(None, ExclusionReason::InvalidPhone(error)) => {
            Some(Parsed::Invalid(*error))
        }
        Checked::Excluded(None, _) => Some(Parsed::Missing),
    }
}

/// With the phone as key: every contact has one, and no two share an E.164.
fn check_phone_key(contacts: &[Contact], checked: &[Checked]) -> Result<(), AudienceError> {
    let mut owners: FxHashMap<PhoneNumber, &ContactId> =
        FxHashMap::with_capacity_and_hasher(contacts.len(), FxBuildHasher);
    for (contact, checked) in contacts.iter().zip(checked) {
        match parsed_of(checked) {
            Some(Parsed::Missing) => {
                return Err(AudienceError::MissingKeyPhone {
                    contact: contact.id.clone(),
                });
            }
            Some(Parsed::Valid(number)) => match owners.entry(number) {
                Entry::Occupied(first) => {
                    return Err(AudienceError::DuplicateKeyPhone {
                        number,
                        first: (*first.get()).clone(),
                        second: contact.id.clone(),
                    });
                }
                Entry::Vacant(slot) => {
                    slot.insert(&contact.id);
                }
            },
            Some(Parsed::Invalid(_)) | None => {}
        }
    }
    Ok(())
}

/// Per-number dedup: for each position, the position of the contact that keeps its number
/// when it is a duplicate. Runs one shard of numbers per thread; each shard walks the
/// candidates in order, so the first in contact order keeps the number.
fn find_duplicates(
    checked: &[Checked],
    threads: NonZeroUsize,
) -> Result<Vec<Option<usize>>, SpawnError> {
    let shards = NonZeroU32::try_from(threads).unwrap_or(NonZeroU32::MIN);
    let candidates = checked
        .iter()
        .filter(|c| matches!(c, Checked::Candidate(_)))
        .count();
    let one_shard = |shard: u32| {
        // Keyed by the digits' value: E.164 digits never start with 0, so it identifies the
        // number, and hashes far faster than the text.
        let capacity = candidates / shards.get() as usize + 1;
        let mut first: FxHashMap<u128, usize> =
            FxHashMap::with_capacity_and_hasher(capacity, FxBuildHasher);
        let mut duplicates = Vec::new();
        for (position, checked) in checked.iter().enumerate() {
            let Checked::Candidate(number) = checked else {
                continue;
            };
            let key = digits_value(number);
            if shards.get() > 1 && (key % u128::from(shards.get())) as u32 != shard {
                continue;
            }
            match first.entry(key) {
                Entry::Occupied(kept) => duplicates.push((position, *kept.get())),
                Entry::Vacant(slot) => {
                    slot.insert(position);
                }
            }
        }
        duplicates
    };
    let parts = parallel::run_workers(shards.get() as usize, |shard| {
        one_shard(u32::try_from(shard).unwrap_or(u32::MAX))
    })?;
    let mut kept_by = vec![None; checked.len()];
    for (position, kept) in parts.into_iter().flatten() {
        if let Some(slot) = kept_by.get_mut(position) {
            *slot = Some(kept);
        }
    }
    Ok(kept_by)
}

/// The E.164 digits as an integer (at most 20 digits: fits in a u128).
fn digits_value(number: &PhoneNumber) -> u128 {
    number
        .as_e164()
        .bytes()
        .filter(u8::is_ascii_digit)
        .fold(0_u128, |value, digit| value * 10 + u128::from(digit - b'0'))
}

fn assemble<'a>(
    contacts: &'a [Contact],
    checked: Vec<Checked>,
    duplicates: &[Option<usize>],
) -> Audience<'a> {
    let mut audience = Audience {
        recipients: Vec::with_capacity(contacts.len()),
        exclusions: Vec::new(),
        outside_selection: 0,
    };
    for (position, (contact, checked)) in contacts.iter().zip(checked).enumerate() {
        match checked {
            Checked::Outside(_) => audience.outside_selection += 1,
            Checked::Excluded(number, reason) => {
                audience.exclusions.push(Exclusion {
                    contact,
                    position,
                    number,
                    reason,
                });
            }
            Checked::Candidate(number) => match duplicates.get(position).copied().flatten() {
                Some(kept) => {
                    let kept = contacts
                        .get(kept)
                        .map_or_else(|| contact.id.clone(), |c| c.id.clone());
                    audience.exclusions.push(Exclusion {
                        contact,
                        position,
                        number: Some(number),
                        reason: ExclusionReason::Duplicate { kept },
                    });
                }
                None => audience.recipients.push(Recipient {
                    contact,
                    position,
                    number,
                }),
            },
        }
    }
    audience
}

/// Applies `f(offset, chunk)` to contiguous chunks of `items` on up to `threads` threads and
/// concatenates the results in order.
fn map_chunks<T: Sync, R: Send>(
    items: &[T],
    threads: NonZeroUsize,
    f: impl Fn(usize, &[T]) -> Vec<R> + Sync,
) -> Result<Vec<R>, SpawnError> {
    let mut parts = parallel::map_chunks(items, threads, f)?.into_iter();
    // The first chunk's results grow into the whole: no second copy of the others.
    let mut out = parts.next().unwrap_or_default();
    out.reserve(items.len().saturating_sub(out.len()));
    for part in parts {
        out.extend(part);
    }
    Ok(out)
}

/// How the audience changed between scheduling and sending.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Refresh {
    /// Contacts that are recipients at send time and were not at scheduling.
    pub added: Vec<ContactId>,
    /// Contacts that were recipients at scheduling and are not at send time, with their
    /// exclusion reason at send time (`None`: no longer in the selected groups or project).
    pub removed: Vec<(ContactId, Option<ExclusionReason>)>,
    /// Contacts that are recipients both times but whose number changed.
    pub renumbered: Vec<ContactId>,
}

/// Compares the audience computed at scheduling with the one computed at send time (the
/// option to update the recipient list at send time). Lists are in `at_send`'s order for
/// additions and `scheduled`'s for removals.
///
/// ```
/// # use smsplan_core::audience::*;
/// # use smsplan_core::contact::*;
/// # use smsplan_core::dedup::DedupMode;
/// # use smsplan_core::group::*;
/// # use smsplan_core::phone::Region;
/// let sub = Consent::new(ConsentStatus::Subscribed);
/// let before = vec![Contact::new(ContactId::new("c1")?).with_phone("0612345678").with_consent(sub.clone())];
/// let mut after = before.clone();
/// after[0].consent = Consent::new(ConsentStatus::Unsubscribed);
/// after.push(Contact::new(ContactId::new("c2")?).with_phone("0698765432").with_consent(sub));
/// let group = |cs: &[Contact]| vec![Group::new(GroupId::new("g").unwrap(), cs.iter().map(|c| c.id.clone()))];
/// let project = Project::new(ProjectKey::Email, Region::FR);
/// let selection = Selection::new([GroupId::new("g")?], DedupMode::PerNumber);
///
/// let scheduled = resolve(&project, &before, &group(&before), &selection)?;
/// let at_send = resolve(&project, &after, &group(&after), &selection)?;
/// let diff = refresh(&scheduled, &at_send);
/// assert_eq!(diff.added, vec![ContactId::new("c2")?]);
/// assert_eq!(diff.removed, vec![(ContactId::new("c1")?, Some(ExclusionReason::Unsubscribed))]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn refresh(scheduled: &Audience<'_>, at_send: &Audience<'_>) -> Refresh {
    let before: FxHashMap<&ContactId, PhoneNumber> = scheduled
        .recipients
        .iter()
        .map(|r| (&r.contact.id, r.number))
        .collect();
    let after: FxHashMap<&ContactId, PhoneNumber> = at_send
        .recipients
        .iter()
        .map(|r| (&r.contact.id, r.number))
        .collect();
    let excluded_after: FxHashMap<&ContactId, &ExclusionReason> = at_send
        .exclusions
        .iter()
        .map(|e| (&e.contact.id, &e.reason))
        .collect();
    let mut diff = Refresh::default();
    for recipient in &at_send.recipients {
        match before.get(&recipient.contact.id) {
            None => diff.added.push(recipient.contact.id.clone()),
            Some(number) if *number != recipient.number => {
                diff.renumbered.push(recipient.contact.id.clone());
            }
            Some(_) => {}
        }
    }
    for recipient in &scheduled.recipients {
        let id = &recipient.contact.id;
        if !after.contains_key(id) {
            diff.removed
                .push((id.clone(), excluded_after.get(id).map(|r| (*r).clone())));
        }
    }
    diff
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::contact::Consent;

    /// Every parallel path on, even for a handful of contacts (own parsers only for the
    /// larger cases: each costs milliseconds to make).
    const EAGER: Tuning = Tuning {
        min_contacts_per_thread: 1,
        parallel_index_min: 0,
        own_parser_min: 30,
    };

    const PHONES: [&str; 7] = [
        "06 12 34 56 78",
        "+33 6 12 34 56 78",
        "06 98 76 54 32",
        "0033698765432",
        "+1 212 555 0100",
        "06 12",
        "",
    ];

    fn case(raw: &[(usize, bool)], members: &[Vec<usize>]) -> (Vec<Contact>, Vec<Group>) {
        let contacts: Vec<Contact> = raw
            .iter()
            .enumerate()
            .map(|(i, (phone, subscribed))| {
                let status = if *subscribed {
                    ConsentStatus::Subscribed
                } else {
                    ConsentStatus::Unknown
                };
                Contact::new(ContactId::new(format!("c{i}")).unwrap())
                    .with_phone(PHONES[phone % PHONES.len()])
                    .with_consent(Consent::new(status))
            })
            .collect();
        let groups = members
            .iter()
            .enumerate()
            .map(|(g, m)| {
                let ids = m
                    .iter()
                    .filter_map(|i| contacts.get(i % contacts.len().max(1)));
                Group::new(
                    GroupId::new(format!("g{g}")).unwrap(),
                    ids.map(|c| c.id.clone()),
                )
            })
            .collect();
        (contacts, groups)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(128))]

        #[test]
        fn every_parallel_path_gives_the_sequential_audience(
            raw in prop::collection::vec((0..7_usize, any::<bool>()), 1..80),
            members in prop::collection::vec(prop::collection::vec(0..200_usize, 0..60), 1..4),
            threads in 2..6_usize,
            per_contact in any::<bool>(),
        ) {
            let (contacts, groups) = case(&raw, &members);
            let dedup = if per_contact { DedupMode::PerContact } else { DedupMode::PerNumber };
            let selection = Selection::new(groups.iter().map(|g| g.id.clone()), dedup);
            let project = Project::new(ProjectKey::Email, Region::FR);
            let one = resolve(&project, &contacts, &groups, &selection).unwrap();
            let threads = NonZeroUsize::new(threads).unwrap();
            let many =
                resolve_tuned(&project, &contacts, &groups, &selection, threads, &EAGER).unwrap();
            prop_assert_eq!(many, one);
        }

        #[test]
        fn every_parallel_path_reports_the_sequential_error(
            raw in prop::collection::vec((0..7_usize, any::<bool>()), 2..40),
            members in prop::collection::vec(prop::collection::vec(0..200_usize, 0..30), 1..4),
            twin in any::<prop::sample::Index>(),
            ghost_group in any::<prop::sample::Index>(),
            ghost_at in any::<prop::sample::Index>(),
            threads in 2..6_usize,
        ) {
            let (mut contacts, mut groups) = case(&raw, &members);
            // A repeated id, or else an unknown member somewhere.
            if twin.index(3) == 0 {
                let i = twin.index(contacts.len() - 1) + 1;
                contacts[i].id = contacts[0].id.clone();
            } else {
                let g = ghost_group.index(groups.len());
                let at = ghost_at.index(groups[g].members.len() + 1);
                groups[g].members.insert(at, ContactId::new("ghost").unwrap());
            }
            let selection = Selection::new(groups.iter().map(|g| g.id.clone()), DedupMode::PerNumber);
            let project = Project::new(ProjectKey::Email, Region::FR);
            let one = resolve(&project, &contacts, &groups, &selection).unwrap_err();
            let threads = NonZeroUsize::new(threads).unwrap();
            let many =
                resolve_tuned(&project, &contacts, &groups, &selection, threads, &EAGER).unwrap_err();
            prop_assert_eq!(many, one);
        }
    }
}
