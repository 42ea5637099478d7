//! Templates: parsing never panics; rendering inserts values literally; a missing field is
//! reported at a placeholder; text without `{{` renders as itself.
#![no_main]

use std::collections::BTreeMap;

use libfuzzer_sys::fuzz_target;
use smsplan_core::template::Template;

fuzz_target!(|input: (&str, &str)| {
    let (source, value) = input;
    let Ok(t) = Template::parse(source) else {
        return;
    };
    if !source.contains("{{") {
        assert!(t.is_constant());
        assert_eq!(t.render(&BTreeMap::new()).unwrap(), source);
    }
    // Missing fields are reported where a placeholder opens.
    if let Err(e) = t.render(&BTreeMap::new()) {
        let at: String = source.chars().skip(e.offset).take(2).collect();
        assert_eq!(at, "{{", "offset {} of {source:?}", e.offset);
    }
    // Every field set to a value that looks like a placeholder: rendering succeeds (unless
    // the value is blank) and the value appears literally, never expanded.
    if value.trim().is_empty() {
        return;
    }
    let fields: BTreeMap<String, String> = t
        .fields()
        .map(|f| (f.to_owned(), value.to_owned()))
        .collect();
    let out = t.render(&fields).unwrap();
    let uses = t.fields().count();
    if uses > 0 {
        assert!(out.contains(value), "{out:?} lacks {value:?}");
    }
    assert!(out.len() >= t.literal_text().len());
});
