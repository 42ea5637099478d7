//! Property tests of `PhoneNumber`: any text is a number or a typed error, and E.164 is a
//! fixed point of parsing.

use proptest::prelude::*;
use smsplan_core::phone::{PhoneNumber, Region};

const REGIONS: [Region; 8] = [
    Region::FR,
    Region::US,
    Region::RU,
    Region::BY,
    Region::IT,
    Region::DE,
    Region::BR,
    Region::IN,
];

/// Texts that look like numbers people type: digits with separators and prefixes.
fn typed_numbers() -> impl Strategy<Value = String> {
    "(\\+|00|0|)[1-9][0-9 .()-]{3,18}"
}

proptest! {
    #[test]
    fn parsing_any_text_returns_a_number_or_an_error(raw in "\\PC{0,40}", r in 0..REGIONS.len()) {
        // No panic; an error always has a kind.
        if let Err(e) = PhoneNumber::parse(&raw, REGIONS[r]) {
            prop_assert!(!e.kind().is_empty());
        }
        let _ = PhoneNumber::parse_international(&raw);
    }

    #[test]
    fn e164_parses_back_to_the_same_number(raw in typed_numbers(), r in 0..REGIONS.len()) {
        if let Ok(n) = PhoneNumber::parse(&raw, REGIONS[r]) {
            let again = PhoneNumber::parse_international(n.as_e164());
            prop_assert_eq!(again, Ok(n));
            // Same number whatever the default region once written in E.164.
            let elsewhere = PhoneNumber::parse(n.as_e164(), REGIONS[(r + 1) % REGIONS.len()]);
            prop_assert_eq!(elsewhere, Ok(n));
            prop_assert_eq!(again.map(|a| (a.kind(), a.region(), a.time_zones())), Ok((n.kind(), n.region(), n.time_zones())));
        }
    }
}
