//! Groups: named sets of contact ids that a send selects.
//!
//! ```
//! use smsplan_core::contact::ContactId;
//! use smsplan_core::group::{Group, GroupId};
//!
//! let vip = Group::new(GroupId::new("vip")?, [ContactId::new("c1")?, ContactId::new("c2")?]);
//! assert_eq!(vip.members.len(), 2);
//! # Ok::<(), smsplan_core::contact::IdError>(())
//! ```

use std::borrow::Borrow;
use std::fmt;

use crate::contact::{ContactId, IdError, id_newtype};

id_newtype!(
    /// The id of a group, unique in its project.
    GroupId,
    "vip"
);

/// A group of contacts. A contact listed twice counts once.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Group {
    /// The id, unique in the project.
    pub id: GroupId,
    /// The ids of the members; each must be a contact of the project.
    pub members: Vec<ContactId>,
}

impl Group {
    /// A group with its members.
    ///
    /// ```
    /// use smsplan_core::group::{Group, GroupId};
    /// let empty = Group::new(GroupId::new("new")?, []);
    /// assert!(empty.members.is_empty());
    /// # Ok::<(), smsplan_core::contact::IdError>(())
    /// ```
    pub fn new(id: GroupId, members: impl IntoIterator<Item = ContactId>) -> Self {
        Group {
            id,
            members: members.into_iter().collect(),
        }
    }
}
