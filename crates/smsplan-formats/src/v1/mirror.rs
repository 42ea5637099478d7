//! The wire twins of `smsplan-core`'s enums, converted both ways.
//!
//! Core's enums are `#[non_exhaustive]`: a variant added to core has no v1 spelling yet.
//! Converting a core value to the wire is therefore [`TryFrom`], and a value without a
//! spelling is a [`NotRepresentable`] error, never a wildcard arm that writes some other,
//! real value. Reading is [`From`]: every v1 spelling has a core value. A test converts
//! every variant of each core enum (its `ALL` list) to the wire and back.
//!
//! | core | wire |
//! |---|---|
//! | [`phone::NumberKind`] | [`audience::NumberType`] |
//! | [`core_audience::ExclusionKind`] | [`audience::Reason`] |
//! | [`contact::ConsentStatus`] | [`audience::ConsentStatus`] |
//! | [`contact::QuarantineReason`] | [`audience::QuarantineReason`] |
//! | [`core_audience::ProjectKey`] | [`audience::ProjectKey`] |
//! | [`dedup::DedupMode`] | [`audience::Dedup`] |
//! | [`approval::StateKind`] | [`plan::State`] |
//! | [`text::Encoding`] | [`plan::Encoding`] |
//! | [`checklist::CheckStatus`] | [`plan::CheckStatus`] |
//! | [`sender::SenderKind`] | [`campaign::SenderKind`] |
//! | [`window::MessageClass`] | [`campaign::MessageClass`] |
//! | [`template::MissingField`] | [`campaign::MissingField`] |
//! | [`schedule::OutsideWindow`] | [`campaign::OutsideWindow`] |
//! | [`approval::Confirmation`] | [`campaign::Confirmation`] |
//!
//! ```
//! use smsplan_core::phone::NumberKind;
//! use smsplan_formats::v1::audience::NumberType;
//!
//! let wire = NumberType::try_from(NumberKind::TollFree)?;
//! assert_eq!(wire, NumberType::TollFree);
//! assert_eq!(NumberKind::from(wire), NumberKind::TollFree);
//! # Ok::<(), smsplan_formats::v1::mirror::NotRepresentable>(())
//! ```

use std::fmt;

use smsplan_core::audience as core_audience;
use smsplan_core::{
    approval, checklist, contact, dedup, phone, schedule, sender, template, text, window,
};

use super::{audience, campaign, plan};

/// A core value that the v1 wire formats have no spelling for (a variant added to core
/// after v1): writing it would need a new format version.
///
/// ```
/// use smsplan_formats::v1::mirror::NotRepresentable;
/// let e = NotRepresentable::new("NumberKind", &"Satellite");
/// assert_eq!(e.to_string(), "NumberKind value \"Satellite\" has no v1 spelling");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{what} value {value} has no v1 spelling")]
pub struct NotRepresentable {
    /// The core type, such as `NumberKind`.
    pub what: &'static str,
    /// The value, as the core type's `Debug` writes it.
    pub value: String,
}

impl NotRepresentable {
    /// The error for `value` of the core type named `what`.
    #[must_use]
    pub fn new(what: &'static str, value: &dyn fmt::Debug) -> Self {
        Self {
            what,
            value: format!("{value:?}"),
        }
    }
}

/// `TryFrom<core> for wire` (an unlisted core variant is [`NotRepresentable`]) and
/// `From<wire> for core` (exhaustive: a new wire variant fails to compile).
macro_rules! mirror {
    ($core:ident :: $core_ty:ident => $wire:ident :: $wire_ty:ident { $($c:ident => $w:ident),* $(,)? }) => {
        impl TryFrom<$core::$core_ty> for $wire::$wire_ty {
            type Error = NotRepresentable;

            fn try_from(value: $core::$core_ty) -> Result<Self, NotRepresentable> {
                match value {
                    $($core::$core_ty::$c => Ok(Self::$w),)*
                    other => Err(NotRepresentable::new(stringify!($core_ty), &other)),
                }
            }
        }

        impl From<$wire::$wire_ty> for $core::$core_ty {
            fn from(value: $wire::$wire_ty) -> Self {
                match value {
                    $($wire::$wire_ty::$w => Self::$c,)*
                }
            }
        }
    };
}

mirror!(phone::NumberKind => audience::NumberType {
    FixedLine => FixedLine,
    Mobile => Mobile,
    FixedLineOrMobile => FixedLineOrMobile,
    TollFree => TollFree,
    PremiumRate => PremiumRate,
    SharedCost => SharedCost,
    Voip => Voip,
    PersonalNumber => PersonalNumber,
    Pager => Pager,
    Uan => Uan,
    Voicemail => Voicemail,
    Unknown => Unknown,
});

mirror!(core_audience::ExclusionKind => audience::Reason {
    MissingPhone => MissingPhone,
    InvalidPhone => InvalidPhone,
    UnsupportedRegion => UnsupportedRegion,
    Unsubscribed => Unsubscribed,
    NoConsent => NoConsent,
    Quarantined => Quarantined,
    Suppressed => Suppressed,
    Duplicate => Duplicate,
});

mirror!(contact::ConsentStatus => audience::ConsentStatus {
    Subscribed => Subscribed,
    Unsubscribed => Unsubscribed,
    Unknown => Unknown,
});

mirror!(contact::QuarantineReason => audience::QuarantineReason {
    InvalidNumber => InvalidNumber,
    Bounced => Bounced,
    Blocked => Blocked,
});

mirror!(core_audience::ProjectKey => audience::ProjectKey {
    Email => Email,
    Phone => Phone,
});

mirror!(dedup::DedupMode => audience::Dedup {
    PerNumber => PerNumber,
    PerContact => PerContact,
});

mirror!(approval::StateKind => plan::State {
    Draft => Draft,
    Prepared => Prepared,
    AwaitingApproval => AwaitingApproval,
    Approved => Approved,
    Rejected => Rejected,
    Scheduled => Scheduled,
    Sending => Sending,
    Held => Held,
    Completed => Completed,
    Expired => Expired,
    Cancelled => Cancelled,
});

mirror!(text::Encoding => plan::Encoding {
    Gsm7 => Gsm7,
    Ucs2 => Ucs2,
});

mirror!(checklist::CheckStatus => plan::CheckStatus {
    Pass => Pass,
    Warn => Warn,
    Fail => Fail,
});

mirror!(sender::SenderKind => campaign::SenderKind {
    Alphanumeric => Alphanumeric,
    ShortCode => ShortCode,
    LongCode => LongCode,
    TollFree => TollFree,
});

mirror!(window::MessageClass => campaign::MessageClass {
    Marketing => Marketing,
    Transactional => Transactional,
});

mirror!(template::MissingField => campaign::MissingField {
    Exclude => Exclude,
    Error => Error,
});

mirror!(schedule::OutsideWindow => campaign::OutsideWindow {
    Hold => Hold,
    RequireReapproval => RequireReapproval,
});

mirror!(approval::Confirmation => campaign::Confirmation {
    Required => Required,
    NotRequired => NotRequired,
});

#[cfg(test)]
mod tests {
    use super::*;

    /// Every core variant converts to a wire value that converts back to it, and, when
    /// core names its variants, the wire spelling is core's name.
    macro_rules! round_trip {
        ($name:ident: $core:ident :: $core_ty:ident => $wire:ident :: $wire_ty:ident $(, named by $as_str:ident)?) => {
            #[test]
            fn $name() {
                for value in $core::$core_ty::ALL {
                    let wire = $wire::$wire_ty::try_from(value)
                        .unwrap_or_else(|e| panic!("{e}"));
                    assert_eq!($core::$core_ty::from(wire), value);
                    $(
                        assert_eq!(
                            serde_json::to_value(wire).unwrap(),
                            serde_json::Value::from(value.$as_str()),
                        );
                    )?
                }
            }
        };
    }

    round_trip!(number_kinds: phone::NumberKind => audience::NumberType, named by as_str);
    round_trip!(exclusion_kinds: core_audience::ExclusionKind => audience::Reason, named by as_str);
    round_trip!(consent_statuses: contact::ConsentStatus => audience::ConsentStatus, named by as_str);
    round_trip!(quarantine_reasons: contact::QuarantineReason => audience::QuarantineReason, named by as_str);
    round_trip!(project_keys: core_audience::ProjectKey => audience::ProjectKey, named by as_str);
    round_trip!(dedup_modes: dedup::DedupMode => audience::Dedup, named by as_str);
    round_trip!(approval_states: approval::StateKind => plan::State, named by as_str);
    round_trip!(encodings: text::Encoding => plan::Encoding, named by as_str);
    round_trip!(check_statuses: checklist::CheckStatus => plan::CheckStatus, named by as_str);
    round_trip!(sender_kinds: sender::SenderKind => campaign::SenderKind, named by as_str);
    round_trip!(message_classes: window::MessageClass => campaign::MessageClass);
    round_trip!(missing_fields: template::MissingField => campaign::MissingField, named by as_str);
    round_trip!(outside_window: schedule::OutsideWindow => campaign::OutsideWindow);
    round_trip!(confirmations: approval::Confirmation => campaign::Confirmation);

    #[test]
    fn not_representable_names_the_type_and_the_value() {
        let e = NotRepresentable::new("Encoding", &text::Encoding::Ucs2);
        assert_eq!(e.to_string(), "Encoding value Ucs2 has no v1 spelling");
        assert_eq!(e.what, "Encoding");
    }
}
