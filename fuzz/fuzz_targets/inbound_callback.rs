//! Kannel callbacks and inbound keywords: arbitrary requests never panic, nothing is
//! applied without the secret, and the keyword of a text is the keyword of its folding.
#![no_main]

use chrono::DateTime;
use libfuzzer_sys::fuzz_target;
use smsplan_provider::gateway::Gateway;
use smsplan_provider::kannel::{CallbackSecret, KannelConfig, KannelGateway};
use smsplan_provider::keyword::{Keywords, fold};

const SECRET: &str = "fuzz-secret-0123456789";

fuzz_target!(|input: (bool, &str)| {
    let (post, text) = input;
    let keywords = Keywords::default();
    assert_eq!(keywords.classify(text), keywords.classify(&fold(text)));

    let Ok(secret) = CallbackSecret::new(SECRET) else { return };
    let Ok(config) = KannelConfig::new(
        "http://127.0.0.1:13013/cgi-bin/sendsms",
        "u",
        "p",
        "http://127.0.0.1:14080/cb",
        secret,
    ) else {
        return;
    };
    let gateway = KannelGateway::new(config);
    let handler = gateway.callbacks();
    let status = handler
        .handle(if post { "POST" } else { "GET" }, text, DateTime::UNIX_EPOCH)
        .status;
    let applied = gateway.poll_events(10).len();
    if !text.contains(&format!("k={SECRET}")) {
        assert_ne!(status, 200, "answered 200 without the secret: {text:?}");
        assert_eq!(applied, 0, "applied without the secret: {text:?}");
    }
    assert!(applied <= 1);
    assert_eq!(applied == 1, status == 200 && handler.stats().applied == 1);
});
