//! [`PolicySet`]: the policies that apply to one message, shared between messages.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use super::{Intersection, Policy, WindowError};

/// The window policies that apply to one message: a send is allowed when every policy
/// allows it in every zone of the recipient.
///
/// An empty set restricts nothing. Clones share the policies (one allocation per set,
/// however many messages use it), so a plan's rows carry their rules cheaply and a sender
/// can check a row without the campaign.
///
/// ```
/// use chrono::{DateTime, Utc};
/// use chrono_tz::Europe::Paris;
/// use smsplan_core::window::{PolicySet, Preset};
/// let set = PolicySet::new([Preset::FrCommercial.policy()]);
/// assert_eq!(set.names().collect::<Vec<_>>(), ["fr-commercial"]);
/// // Saturday 2026-11-28 19:59 in Paris is allowed; the window ends at 20:00.
/// let at: DateTime<Utc> = "2026-11-28T18:59:00Z".parse()?;
/// assert!(set.is_allowed(&[Paris], at)?);
/// assert_eq!(set.window_end(&[Paris], at)?.map(|t| t.to_rfc3339()), Some("2026-11-28T19:00:00+00:00".into()));
/// // Nothing restricts an empty set.
/// assert!(PolicySet::default().is_allowed(&[Paris], at)?);
/// assert_eq!(PolicySet::default().window_end(&[Paris], at)?, None);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PolicySet(Arc<[Policy]>);

impl PolicySet {
    /// A set of policies.
    pub fn new(policies: impl IntoIterator<Item = Policy>) -> Self {
        Self(policies.into_iter().collect())
    }

    /// The policies.
    #[must_use]
    pub fn policies(&self) -> &[Policy] {
        &self.0
    }

    /// The policies' names.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(Policy::name)
    }

    /// Whether no policy restricts the message.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether `self` and `other` share their policies (a clone of one another): a cheap
    /// identity for caches; equal sets built apart are not the same.
    #[must_use]
    pub fn same(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }

    /// An address identifying the shared policies, for caches keyed by set (see
    /// [`same`](Self::same)).
    #[must_use]
    pub fn key(&self) -> usize {
        self.0.as_ptr() as usize
    }

    fn intersection(&self, zones: &[Tz]) -> Intersection<'_> {
        let refs: Vec<&Policy> = self.0.iter().collect();
        Intersection::product(&refs, zones)
    }

    /// The first instant at or after `at` that every policy allows in every zone; `at`
    /// itself for an empty set.
    ///
    /// # Errors
    /// As [`Intersection::next_allowed`]: [`WindowError::NoZones`] for a non-empty set
    /// without zones, [`WindowError::NoCommonWindow`] and the like when nothing is allowed
    /// within the search horizon.
    pub fn next_allowed(
        &self,
        zones: &[Tz],
        at: DateTime<Utc>,
    ) -> Result<DateTime<Utc>, WindowError> {
        if self.is_empty() {
            return Ok(at);
        }
        if zones.is_empty() {
            return Err(WindowError::NoZones);
        }
        self.intersection(zones).next_allowed(at)
    }

    /// The end (exclusive) of the common window containing `at`, or of the next one when
    /// `at` is not allowed; `None` when the window never closes (an empty set, or policies
    /// open through the whole search horizon).
    ///
    /// # Errors
    /// As [`next_allowed`](Self::next_allowed).
    pub fn window_end(
        &self,
        zones: &[Tz],
        at: DateTime<Utc>,
    ) -> Result<Option<DateTime<Utc>>, WindowError> {
        if self.is_empty() {
            return Ok(None);
        }
        if zones.is_empty() {
            return Err(WindowError::NoZones);
        }
        match self.intersection(zones).window_end(at) {
            Ok(end) => Ok(Some(end)),
            Err(WindowError::NeverCloses { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Whether every policy allows a send at `at` in every zone (always, for an empty set).
    ///
    /// # Errors
    /// As [`next_allowed`](Self::next_allowed).
    pub fn is_allowed(&self, zones: &[Tz], at: DateTime<Utc>) -> Result<bool, WindowError> {
        Ok(self.next_allowed(zones, at)? == at)
    }
}

impl FromIterator<Policy> for PolicySet {
    fn from_iter<I: IntoIterator<Item = Policy>>(iter: I) -> Self {
        Self::new(iter)
    }
}
