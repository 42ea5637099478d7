//! The process-wide opt-out of number masking (its own test binary: it changes global
//! state).
#![allow(clippy::unwrap_used, reason = "tests")]

use smsplan_provider::gateway::{MessageId, ProviderError};
use smsplan_provider::number::{Msisdn, NumberDisplay, number_display, set_number_display};

#[test]
fn numbers_are_masked_until_the_danger_switch_is_flipped() {
    let n = Msisdn::parse("+33612345678").unwrap();
    let error = ProviderError::Rejected {
        id: MessageId::new("m-1").unwrap(),
        code: "21610".into(),
        reason: format!("recipient {n} unsubscribed"),
    };
    assert_eq!(number_display(), NumberDisplay::Masked);
    assert!(error.to_string().contains("+33 6•• •• •• 78"), "{error}");
    assert!(!error.to_string().contains("612345678"));

    set_number_display(NumberDisplay::DangerUnmasked);
    assert_eq!(n.to_string(), "+33612345678");
    assert_eq!(format!("{n:?}"), "Msisdn(+33612345678)");
    set_number_display(NumberDisplay::Masked);
    assert_eq!(n.to_string(), "+33 6•• •• •• 78");
}
