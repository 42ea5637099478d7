//! Any text parses to a valid number or a typed error; a number's E.164 is a fixed point of
//! parsing, whatever the default region, with the same type, region and time zones.
#![no_main]

use libfuzzer_sys::fuzz_target;
use smsplan_core::phone::{PhoneNumber, Region};

const REGIONS: [Region; 8] =
    [Region::FR, Region::US, Region::RU, Region::BY, Region::IT, Region::DE, Region::BR, Region::GA];

fuzz_target!(|input: (u8, &str)| {
    let (r, raw) = input;
    let region = REGIONS[usize::from(r) % REGIONS.len()];
    if let Ok(n) = PhoneNumber::parse(raw, region) {
        let again = PhoneNumber::parse_international(n.as_e164());
        assert_eq!(again, Ok(n), "E.164 of {raw:?} does not parse back");
        let elsewhere = PhoneNumber::parse(n.as_e164(), REGIONS[(usize::from(r) + 1) % REGIONS.len()]);
        assert_eq!(elsewhere, Ok(n));
        if let Ok(again) = again {
            assert_eq!((again.kind(), again.region(), again.time_zones()), (n.kind(), n.region(), n.time_zones()));
        }
    }
});
