//! Arbitrary user data never panics the reader; what it accepts decodes consistently.
#![no_main]

use libfuzzer_sys::fuzz_target;
use smsplan_text::{decode, parse_user_data};

fuzz_target!(|input: (u8, bool, u8, &[u8])| {
    let (dcs, udhi, udl, data) = input;
    if let Ok(part) = parse_user_data(0, dcs, udhi, usize::from(udl), data) {
        // A part read from the wire decodes to the text it was read with, unless its header
        // announces other parts.
        if let Ok(text) = decode(std::slice::from_ref(&part)) {
            assert_eq!(text, part.text);
        }
    }
});
