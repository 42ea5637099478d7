//! Sender identities and their capacity.
//!
//! | kind | shown as | two-way | default capacity |
//! |---|---|---|---|
//! | [`SenderKind::Alphanumeric`] | `Shop` | no | 10 parts/s |
//! | [`SenderKind::LongCode`] | `+33612345678` | yes | 1 part/s |
//! | [`SenderKind::ShortCode`] | `36180` | yes | 100 parts/s |
//! | [`SenderKind::TollFree`] | `+18005550100` | yes | 3 parts/s |
//!
//! The kinds, their rules and their defaults are `smsplan-core`'s
//! ([`smsplan_core::sender`]): a [`SenderId`] wraps a core
//! [`Sender`](smsplan_core::sender::Sender), so the sender a plan's checklist approved is the
//! one the gateway sends from, by construction (`SenderId::from(core_sender)`). The defaults
//! follow common carrier limits (a US long code sends one segment per second, short codes
//! 100 and more); set the figure your contract gives with [`Sender::with_capacity`].
//! [`crate::pacing`] enforces it.

use std::fmt;
use std::num::NonZeroU32;

use smsplan_core::sender::Sender as CoreSender;
pub use smsplan_core::sender::{Direction, SenderError, SenderKind};

/// The identity a message is sent from: a core [`Sender`](CoreSender), valid for its kind.
///
/// ```
/// use smsplan_provider::sender::{SenderId, SenderKind};
/// let alpha = SenderId::alphanumeric("Shop & Co")?;
/// assert_eq!(alpha.kind(), SenderKind::Alphanumeric);
/// assert!(SenderId::alphanumeric("TwelveLetter").is_err());
/// assert_eq!(SenderId::short_code("36180")?.as_str(), "36180");
/// # Ok::<(), smsplan_provider::sender::SenderError>(())
/// ```
///
/// A plan's sender converts without a second check:
///
/// ```
/// use smsplan_core::sender::{Sender, SenderKind};
/// use smsplan_provider::sender::SenderId;
/// let approved = Sender::new(SenderKind::ShortCode, "36180")?;
/// let id = SenderId::from(approved.clone());
/// assert_eq!(id.sender(), &approved);
/// # Ok::<(), smsplan_core::sender::SenderError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SenderId(CoreSender);

impl SenderId {
    /// A sender of any kind, checked by [`CoreSender::new`].
    ///
    /// ```
    /// use smsplan_provider::sender::{SenderId, SenderKind};
    /// assert!(SenderId::new(SenderKind::TollFree, "+18005550100").is_ok());
    /// assert!(SenderId::new(SenderKind::TollFree, "+15142345678").is_err());
    /// ```
    /// # Errors
    /// [`SenderError`] names the rule of the kind that the value breaks.
    pub fn new(kind: SenderKind, value: &str) -> Result<Self, SenderError> {
        CoreSender::new(kind, value).map(Self)
    }

    /// An alphanumeric sender: 1 to 11 characters from `A–Z a–z 0–9`, space and
    /// `- _ . & + ' !`, at least one of them a letter.
    ///
    /// ```
    /// # use smsplan_provider::sender::{SenderId, SenderError};
    /// assert_eq!(SenderId::alphanumeric("12345"), Err(SenderError::NoLetter));
    /// ```
    /// # Errors
    /// [`SenderError`] names the length or the first bad character.
    pub fn alphanumeric(name: &str) -> Result<Self, SenderError> {
        Self::new(SenderKind::Alphanumeric, name)
    }

    /// A long code: a valid phone number written in E.164.
    ///
    /// ```
    /// # use smsplan_provider::sender::SenderId;
    /// assert!(SenderId::long_code("+33612345678").is_ok());
    /// assert!(SenderId::long_code("0612345678").is_err());
    /// ```
    /// # Errors
    /// [`SenderError::NotE164`], [`SenderError::Character`] or
    /// [`SenderError::InvalidNumber`].
    pub fn long_code(number: &str) -> Result<Self, SenderError> {
        Self::new(SenderKind::LongCode, number)
    }

    /// A toll-free number, written in E.164, that libphonenumber's metadata types
    /// toll-free.
    ///
    /// ```
    /// # use smsplan_provider::sender::SenderId;
    /// assert!(SenderId::toll_free("+18005550100").is_ok());
    /// assert!(SenderId::toll_free("+33612345678").is_err()); // a mobile
    /// ```
    /// # Errors
    /// As [`SenderId::long_code`], and [`SenderError::NotTollFree`].
    pub fn toll_free(number: &str) -> Result<Self, SenderError> {
        Self::new(SenderKind::TollFree, number)
    }

    /// A short code: 3 to 8 digits.
    ///
    /// ```
    /// # use smsplan_provider::sender::SenderId;
    /// assert!(SenderId::short_code("38100").is_ok());
    /// assert!(SenderId::short_code("12").is_err());
    /// ```
    /// # Errors
    /// [`SenderError::TooShort`], [`SenderError::TooLong`] or [`SenderError::Character`].
    pub fn short_code(digits: &str) -> Result<Self, SenderError> {
        Self::new(SenderKind::ShortCode, digits)
    }

    /// The kind of sender.
    #[must_use]
    pub fn kind(&self) -> SenderKind {
        self.0.kind()
    }

    /// The sender as sent to the gateway.
    #[must_use]
    pub fn as_str(&self) -> &str {
        self.0.value()
    }

    /// The core sender this identity wraps.
    #[must_use]
    pub fn sender(&self) -> &CoreSender {
        &self.0
    }

    /// Whether recipients can reply to this sender.
    ///
    /// ```
    /// # use smsplan_provider::sender::{Direction, SenderId};
    /// assert_eq!(SenderId::alphanumeric("Shop")?.direction(), Direction::OneWay);
    /// # Ok::<(), smsplan_provider::sender::SenderError>(())
    /// ```
    #[must_use]
    pub fn direction(&self) -> Direction {
        self.0.direction()
    }
}

impl From<CoreSender> for SenderId {
    /// A core sender is valid for its kind already: nothing is checked again.
    fn from(sender: CoreSender) -> Self {
        Self(sender)
    }
}

impl From<SenderId> for CoreSender {
    fn from(id: SenderId) -> Self {
        id.0
    }
}

impl fmt::Display for SenderId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A sending capacity in message parts per second.
///
/// ```
/// use smsplan_provider::sender::Capacity;
/// let c = Capacity::per_second(30)?;
/// assert_eq!(c.parts_per_second().get(), 30);
/// # Ok::<(), smsplan_provider::sender::CapacityError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Capacity(NonZeroU32);

/// A capacity of zero parts per second.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("capacity must be at least 1 part per second")]
pub struct CapacityError;

impl Capacity {
    /// A capacity of `parts` parts per second.
    ///
    /// # Errors
    /// [`CapacityError`] for zero.
    pub fn per_second(parts: u32) -> Result<Self, CapacityError> {
        NonZeroU32::new(parts).map(Self).ok_or(CapacityError)
    }

    /// Parts per second.
    #[must_use]
    pub fn parts_per_second(self) -> NonZeroU32 {
        self.0
    }

    /// The usual capacity of a kind of sender (see the [module docs](self)).
    ///
    /// ```
    /// # use smsplan_provider::sender::{Capacity, SenderKind};
    /// assert_eq!(Capacity::default_for(SenderKind::LongCode).parts_per_second().get(), 1);
    /// ```
    #[must_use]
    pub fn default_for(kind: SenderKind) -> Self {
        Self(kind.default_parts_per_second())
    }
}

/// A sender identity with its capacity.
///
/// ```
/// use smsplan_provider::sender::{Capacity, Sender, SenderId};
/// let sender = Sender::new(SenderId::short_code("36180")?)
///     .with_capacity(Capacity::per_second(250)?);
/// assert_eq!(sender.capacity().parts_per_second().get(), 250);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sender {
    id: SenderId,
    capacity: Capacity,
}

impl Sender {
    /// A sender with the default capacity of its kind.
    #[must_use]
    pub fn new(id: SenderId) -> Self {
        let capacity = Capacity::default_for(id.kind());
        Self { id, capacity }
    }

    /// Sets the capacity the contract gives.
    #[must_use]
    pub fn with_capacity(mut self, capacity: Capacity) -> Self {
        self.capacity = capacity;
        self
    }

    /// The identity.
    #[must_use]
    pub fn id(&self) -> &SenderId {
        &self.id
    }

    /// Parts per second this sender may send.
    #[must_use]
    pub fn capacity(&self) -> Capacity {
        self.capacity
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sender_ids_follow_the_core_rules_exactly() {
        for (kind, value) in [
            (SenderKind::Alphanumeric, "ElevenChars"),
            (SenderKind::Alphanumeric, "Café Müller"),
            (SenderKind::Alphanumeric, "Shop€"),
            (SenderKind::Alphanumeric, ""),
            (SenderKind::ShortCode, "36180"),
            (SenderKind::ShortCode, "36 180"),
            (SenderKind::LongCode, "+33612345678"),
            (SenderKind::LongCode, "+4915123456780"),
            (SenderKind::TollFree, "18005550100"),
            (SenderKind::TollFree, "+18005550100"),
            (SenderKind::TollFree, "+15142345678"),
        ] {
            assert_eq!(
                SenderId::new(kind, value).map(CoreSender::from),
                CoreSender::new(kind, value),
                "{kind} {value:?}"
            );
        }
    }

    #[test]
    fn toll_free_is_checked_by_number_type() {
        // The provider once accepted any international number here.
        assert!(matches!(
            SenderId::toll_free("+15142345678"),
            Err(SenderError::NotTollFree { .. })
        ));
        assert_eq!(
            SenderId::toll_free("18005550100"),
            Err(SenderError::NotE164 {
                kind: SenderKind::TollFree
            })
        );
        assert_eq!(
            SenderId::long_code("+33612345678").unwrap().direction(),
            Direction::TwoWay
        );
    }

    #[test]
    fn a_core_sender_converts_both_ways() {
        let core = CoreSender::new(SenderKind::LongCode, "+33612345678").unwrap();
        let id = SenderId::from(core.clone());
        assert_eq!(id.kind(), SenderKind::LongCode);
        assert_eq!(id.as_str(), "+33612345678");
        assert_eq!(CoreSender::from(id), core);
    }

    #[test]
    fn capacity_defaults_are_the_core_figures() {
        let figures: Vec<(SenderKind, u32)> = SenderKind::ALL
            .into_iter()
            .map(|k| (k, Capacity::default_for(k).parts_per_second().get()))
            .collect();
        assert_eq!(
            figures,
            [
                (SenderKind::Alphanumeric, 10),
                (SenderKind::ShortCode, 100),
                (SenderKind::LongCode, 1),
                (SenderKind::TollFree, 3)
            ]
        );
    }

    #[test]
    fn zero_capacity_is_refused() {
        assert_eq!(Capacity::per_second(0), Err(CapacityError));
    }
}
