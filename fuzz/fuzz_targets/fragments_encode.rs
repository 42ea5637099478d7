//! Encoding, packing into user data, reading the user data back and decoding gives the
//! text back, and no part overflows its 140 octets.
#![no_main]

use libfuzzer_sys::fuzz_target;
use smsplan_text::{decode, encode, parse_user_data};

mod options;

fuzz_target!(|input: (u8, u16, &str)| {
    let (flags, reference, text) = input;
    let options = options::options(flags);
    let Ok(parts) = encode(text, &options, reference) else { return };
    let mut read = Vec::with_capacity(parts.len());
    for (i, part) in parts.iter().enumerate() {
        let user_data = part.user_data();
        assert!(user_data.len() <= 140, "part {i} has {} octets", user_data.len());
        let back = parse_user_data(i, part.data_coding(), !part.udh.is_empty(), part.user_data_length(), &user_data)
            .expect("our own user data reads back");
        assert_eq!(&back, part);
        read.push(back);
    }
    assert_eq!(decode(&read).expect("our own parts decode"), text);
});
