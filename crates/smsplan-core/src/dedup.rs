//! Deduplication of recipients that share a phone number.

use std::fmt;

/// How recipients sharing one phone number are counted.
///
/// ```
/// use smsplan_core::dedup::DedupMode;
/// assert_eq!(DedupMode::PerNumber.as_str(), "per_number");
/// assert_eq!(DedupMode::from_name("per_contact"), Some(DedupMode::PerContact));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
#[non_exhaustive]
pub enum DedupMode {
    /// One SMS per phone number: among the contacts sharing a number, the first in the
    /// project's contact order keeps it; the others are excluded as `duplicate`, naming it.
    #[default]
    PerNumber,
    /// One SMS per contact: contacts sharing a number each get one (a family phone).
    PerContact,
}

impl DedupMode {
    /// Every mode, in declaration order.
    pub const ALL: [DedupMode; 2] = [DedupMode::PerNumber, DedupMode::PerContact];

    /// The snake_case name: `per_number` or `per_contact`.
    pub fn as_str(self) -> &'static str {
        match self {
            DedupMode::PerNumber => "per_number",
            DedupMode::PerContact => "per_contact",
        }
    }

    /// The mode named by its snake_case name.
    pub fn from_name(name: &str) -> Option<Self> {
        DedupMode::ALL.into_iter().find(|m| m.as_str() == name)
    }
}

impl fmt::Display for DedupMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
