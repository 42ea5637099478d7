//! Counting and splitting agree, and the parts give the text back.
#![no_main]

use libfuzzer_sys::fuzz_target;
use smsplan_text::{TextError, analyze, split};

mod options;

fuzz_target!(|input: (u8, &str)| {
    let (flags, text) = input;
    let options = options::options(flags);
    match (analyze(text, &options), split(text, &options)) {
        (Ok(analysis), Ok(split)) => {
            assert_eq!(split.analysis, analysis);
            assert_eq!(split.parts.len(), analysis.segments, "count differs from parts produced");
            assert_eq!(split.parts.concat(), text, "splitting lost or changed text");
            assert!(analysis.remaining <= analysis.units_per_segment);
        }
        (Err(TextError::TooLong { segments, max }), Err(_)) => assert!(segments > max),
        (a, s) => panic!("analyze and split disagree: {a:?} / {:?}", s.map(|s| s.parts.len())),
    }
});
