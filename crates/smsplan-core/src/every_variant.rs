//! The `ALL` lists of the enums that wire formats mirror hold every variant, in
//! declaration order.
//!
//! `smsplan-formats` converts each of these enums to its wire twin and tests the conversion
//! over `ALL`; these enums are `#[non_exhaustive]`, so only this crate can match them
//! exhaustively (the text crate checks `Encoding` itself). Each check below matches its list exhaustively: a new variant fails to
//! compile here until it is added to the list, and the list must equal `ALL`.

use crate::approval::{Confirmation, StateKind};
use crate::audience::{ExclusionKind, ProjectKey};
use crate::checklist::CheckStatus;
use crate::contact::{ConsentStatus, QuarantineReason};
use crate::dedup::DedupMode;
use crate::phone::NumberKind;
use crate::schedule::OutsideWindow;
use crate::sender::SenderKind;
use crate::template::MissingField;
use crate::window::MessageClass;

macro_rules! all_is_every_variant {
    ($name:ident: $ty:ident [$($variant:ident),* $(,)?]) => {
        #[test]
        fn $name() {
            for value in $ty::ALL {
                match value {
                    $($ty::$variant)|* => {}
                }
            }
            assert_eq!($ty::ALL.to_vec(), vec![$($ty::$variant),*]);
        }
    };
}

all_is_every_variant!(number_kinds: NumberKind [
    FixedLine, Mobile, FixedLineOrMobile, TollFree, PremiumRate, SharedCost, Voip,
    PersonalNumber, Pager, Uan, Voicemail, Unknown,
]);
all_is_every_variant!(exclusion_kinds: ExclusionKind [
    MissingPhone, InvalidPhone, UnsupportedRegion, Unsubscribed, NoConsent, Quarantined,
    Suppressed, Duplicate,
]);
all_is_every_variant!(consent_statuses: ConsentStatus [Subscribed, Unsubscribed, Unknown]);
all_is_every_variant!(quarantine_reasons: QuarantineReason [InvalidNumber, Bounced, Blocked]);
all_is_every_variant!(project_keys: ProjectKey [Email, Phone]);
all_is_every_variant!(dedup_modes: DedupMode [PerNumber, PerContact]);
all_is_every_variant!(state_kinds: StateKind [
    Draft, Prepared, AwaitingApproval, Approved, Rejected, Scheduled, Sending, Held, Completed,
    Expired, Cancelled,
]);
all_is_every_variant!(check_statuses: CheckStatus [Pass, Warn, Fail]);
all_is_every_variant!(sender_kinds: SenderKind [Alphanumeric, ShortCode, LongCode, TollFree]);
all_is_every_variant!(message_classes: MessageClass [Marketing, Transactional]);
all_is_every_variant!(missing_fields: MissingField [Exclude, Error]);
all_is_every_variant!(outside_window: OutsideWindow [Hold, RequireReapproval]);
all_is_every_variant!(confirmations: Confirmation [Required, NotRequired]);
