use proptest::prelude::*;

use super::*;

fn options_from(json: Option<&serde_json::Value>) -> Options {
    let mut options = Options::default();
    let Some(json) = json else { return options };
    let languages = |key: &str| -> LanguageSet {
        json.get(key)
            .and_then(|v| v.as_array())
            .map(|a| {
                a.iter()
                    .map(|c| Language::from_code(c.as_str().unwrap()).unwrap())
                    .collect()
            })
            .unwrap_or_default()
    };
    options = options
        .allow_single_shifts(languages("shift"))
        .allow_locking_shifts(languages("lock"));
    if json.get("ref16").and_then(|v| v.as_bool()) == Some(true) {
        options = options.reference(ReferenceSize::Bits16);
    }
    if json.get("graphemes").and_then(|v| v.as_bool()) == Some(true) {
        options = options.boundaries(Boundaries::Graphemes);
    }
    options
}

#[test]
fn tricky_cases_from_testdata() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../testdata/fragments/tricky.jsonl"
    );
    let cases = std::fs::read_to_string(path).unwrap();
    let mut checked = 0;
    for (n, line) in cases.lines().enumerate() {
        let case: serde_json::Value = serde_json::from_str(line).unwrap();
        let reason = case["reason"].as_str().unwrap();
        let ctx = format!("line {}: {reason}", n + 1);
        let mut text = String::new();
        for piece in case["text"].as_array().unwrap() {
            let s = piece[0].as_str().unwrap();
            text.push_str(&s.repeat(piece[1].as_u64().unwrap() as usize));
        }
        let options = options_from(case.get("options"));
        let result = analyze(&text, &options);
        if case.get("error").is_some() {
            let segments = case["segments"].as_u64().unwrap() as usize;
            assert_eq!(
                result,
                Err(TextError::TooLong { segments, max: 255 }),
                "{ctx}"
            );
            assert!(split(&text, &options).is_err(), "{ctx}");
            checked += 1;
            continue;
        }
        let a = result.unwrap_or_else(|e| panic!("{ctx}: {e}"));
        assert_eq!(a.encoding.as_str(), case["encoding"], "{ctx}");
        assert_eq!(a.segments as u64, case["segments"], "{ctx}");
        assert_eq!(a.units as u64, case["units"], "{ctx}");
        assert_eq!(
            a.units_per_segment as u64, case["units_per_segment"],
            "{ctx}"
        );
        assert_eq!(a.remaining as u64, case["remaining"], "{ctx}");
        if let Some(national) = case.get("national") {
            let got = a.national.map(|n| {
                serde_json::json!({
                    "shift": n.shift.map(Language::code),
                    "lock": n.lock.map(Language::code),
                })
            });
            assert_eq!(got.unwrap_or(serde_json::Value::Null), *national, "{ctx}");
        }
        if let Some(expected) = case.get("non_gsm") {
            let got: Vec<serde_json::Value> = a
                .non_gsm
                .iter()
                .map(|c| serde_json::json!([c.ch.to_string(), c.offset]))
                .collect();
            assert_eq!(serde_json::Value::Array(got), *expected, "{ctx}");
        }
        let extra = case
            .get("grapheme_extra_segments")
            .and_then(|v| v.as_u64())
            .unwrap_or(0);
        assert_eq!(a.grapheme_extra_segments as u64, extra, "{ctx}");
        let s = split(&text, &options).unwrap();
        assert_eq!(s.parts.len(), a.segments, "{ctx}");
        assert_eq!(s.parts.concat(), text, "{ctx}");
        let parts = encode(&text, &options, 0x1234).unwrap();
        assert_eq!(decode(&parts).unwrap(), text, "{ctx}");
        checked += 1;
    }
    assert!(checked >= 40, "only {checked} cases");
}

#[test]
fn concatenation_headers_follow_ts_23_040() {
    let text = "a".repeat(200);
    let parts = encode(&text, &Options::default(), 0xABCD).unwrap();
    assert_eq!(parts[0].udh, [0x05, 0x00, 0x03, 0xCD, 0x02, 0x01]);
    assert_eq!(parts[1].udh, [0x05, 0x00, 0x03, 0xCD, 0x02, 0x02]);
    let parts = encode(
        &text,
        &Options::default().reference(ReferenceSize::Bits16),
        0xABCD,
    )
    .unwrap();
    assert_eq!(parts[0].udh, [0x06, 0x08, 0x04, 0xAB, 0xCD, 0x02, 0x01]);
    // 6 header octets + 1 fill bit = 7 septets, then 153 septets: UDL 160, 140 octets.
    let first = encode(&text, &Options::default(), 1).unwrap().remove(0);
    assert_eq!(first.user_data_length(), 160);
    assert_eq!(first.user_data().len(), 140);
    assert_eq!(first.data_coding(), 0x00);
}

#[test]
fn national_shift_elements_are_in_every_part() {
    let text = format!("{}ş", "a".repeat(200));
    let options = Options::default().allow_single_shift(Language::Turkish);
    let parts = encode(&text, &options, 9).unwrap();
    assert_eq!(parts.len(), 2);
    for (i, part) in parts.iter().enumerate() {
        let seq = i as u8 + 1;
        assert_eq!(part.udh, [0x08, 0x00, 0x03, 9, 2, seq, 0x24, 0x01, 0x01]);
        assert!(part.user_data().len() <= 140);
    }
    assert_eq!(decode(&parts).unwrap(), text);
}

#[test]
fn ucs2_parts_are_big_endian_and_full() {
    let text = "😀".repeat(40);
    let parts = encode(&text, &Options::default(), 3).unwrap();
    assert_eq!(parts.len(), 2);
    assert_eq!(parts[0].data_coding(), 0x08);
    // 33 pairs (66 units) fit the first part; the 34th pair would straddle unit 67.
    match &parts[0].payload {
        Payload::Ucs2 { bytes } => {
            assert_eq!(bytes.len(), 132);
            assert_eq!(&bytes[..4], &[0xD8, 0x3D, 0xDE, 0x00]);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn decode_reports_broken_input() {
    let parts = encode(&"a".repeat(200), &Options::default(), 1).unwrap();
    assert!(matches!(
        decode(&parts[..1]),
        Err(DecodeError::Concatenation { part: 0, .. })
    ));
    let mut bad = parts.clone();
    bad[1].udh[3] = 2;
    assert!(matches!(
        decode(&bad),
        Err(DecodeError::Concatenation { part: 1, .. })
    ));
    let dangling = EncodedPart {
        udh: vec![],
        payload: Payload::Gsm7 {
            septets: vec![0x41, 0x1B],
        },
        text: String::new(),
    };
    assert_eq!(
        decode(&[dangling]),
        Err(DecodeError::DanglingEscape { part: 0, offset: 1 })
    );
    let lone = EncodedPart {
        udh: vec![],
        payload: Payload::Ucs2 {
            bytes: vec![0xD8, 0x3D],
        },
        text: String::new(),
    };
    assert_eq!(
        decode(&[lone]),
        Err(DecodeError::InvalidUtf16 { part: 0, offset: 0 })
    );
    assert!(matches!(
        parse_user_data(0, 0x04, false, 1, &[0x41]),
        Err(DecodeError::UnsupportedDataCoding {
            data_coding: 0x04,
            ..
        })
    ));
    assert!(matches!(
        parse_user_data(0, 0x00, true, 10, &[0x09, 0x00]),
        Err(DecodeError::MalformedHeader { .. })
    ));
    assert!(matches!(
        parse_user_data(0, 0x00, false, 10, &[0x41]),
        Err(DecodeError::Truncated { .. })
    ));
}

#[test]
fn escaped_septet_without_shift_character_reads_as_the_locking_character() {
    // TS 23.038 6.2.1.1: ESC followed by a septet with no extension character.
    let part = EncodedPart {
        udh: vec![],
        payload: Payload::Gsm7 {
            septets: vec![0x1B, 0x41],
        },
        text: String::new(),
    };
    assert_eq!(decode(&[part]).unwrap(), "A");
}

#[test]
fn cost_is_segments_times_price() {
    use crate::money::{Currency, Money};
    let price = Money::parse("0.045", Currency::EUR).unwrap();
    let a = analyze(&"a".repeat(307), &Options::default()).unwrap();
    assert_eq!(a.cost(price).unwrap().to_string(), "0.135");
}

/// Characters that exercise every path: ASCII, extension, GSM accents, national letters,
/// non-GSM Latin, CJK, emoji (surrogate pairs), ZWJ, combining marks, controls.
fn message() -> impl Strategy<Value = String> {
    let pool = prop::sample::select(vec![
        'a', 'Z', '0', ' ', '.', '\n', '\r', '@', '$', '€', '{', '}', '[', ']', '~', '^', '\\',
        '|', '\u{0C}', 'é', 'è', 'à', 'Ç', 'ç', 'ñ', 'Ä', 'ß', 'Δ', 'ş', 'ğ', 'ı', 'İ', 'á', 'ê',
        'õ', 'Φ', '`', '\t', '\u{A0}', '’', '漢', '字', '😀', '🎉', '👨', '\u{200D}', '\u{301}',
        '🇫', '🇷', 'अ', '\u{1B}',
    ]);
    prop_oneof![
        prop::collection::vec(pool.clone(), 0..400).prop_map(|v| v.into_iter().collect()),
        prop::collection::vec(prop_oneof![9 => Just('a'), 1 => Just('€')], 140..480)
            .prop_map(|v| v.into_iter().collect()),
        ".{0,300}",
    ]
}

fn options() -> impl Strategy<Value = Options> {
    let langs = prop::sample::subsequence(
        vec![Language::Turkish, Language::Spanish, Language::Portuguese],
        0..=3,
    )
    .prop_map(|v| v.into_iter().collect::<LanguageSet>());
    (any::<bool>(), any::<bool>(), langs.clone(), langs).prop_map(
        |(ref16, graphemes, shift, lock)| {
            let mut o = Options::default()
                .allow_single_shifts(shift)
                .allow_locking_shifts(lock);
            if ref16 {
                o = o.reference(ReferenceSize::Bits16);
            }
            if graphemes {
                o = o.boundaries(Boundaries::Graphemes);
            }
            o
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn split_then_join_gives_back_the_text(text in message(), options in options()) {
        let s = split(&text, &options).unwrap();
        prop_assert_eq!(s.parts.concat(), text);
    }

    #[test]
    fn no_part_exceeds_its_capacity(text in message(), options in options()) {
        let parts = encode(&text, &options, 77).unwrap();
        for part in &parts {
            prop_assert!(part.user_data().len() <= USER_DATA_OCTETS, "{} octets", part.user_data().len());
            match part.encoding() {
                Encoding::Gsm7 => prop_assert!(part.user_data_length() <= 160),
                Encoding::Ucs2 => prop_assert!(part.user_data_length() <= 140),
            }
        }
    }

    #[test]
    fn segment_count_equals_parts_produced(text in message(), options in options()) {
        let a = analyze(&text, &options).unwrap();
        prop_assert_eq!(split(&text, &options).unwrap().parts.len(), a.segments);
        prop_assert_eq!(encode(&text, &options, 1).unwrap().len(), a.segments);
    }

    #[test]
    fn gsm_text_never_reports_ucs2(text in "[ -_a-~€éèùìòÇØøÅåΔΦΓΛΩΠΨΣΘΞÆæßÉ¤¡ÄÖÑÜ§¿äöñüà\n\r]{0,500}") {
        let a = analyze(&text, &Options::default()).unwrap();
        prop_assert_eq!(a.encoding, Encoding::Gsm7);
        prop_assert!(a.non_gsm.is_empty());
    }

    #[test]
    fn user_data_decodes_to_the_text(text in message(), options in options()) {
        let parts = encode(&text, &options, 4242).unwrap();
        let read: Vec<EncodedPart> = parts
            .iter()
            .enumerate()
            .map(|(i, p)| parse_user_data(i, p.data_coding(), !p.udh.is_empty(), p.user_data_length(), &p.user_data()).unwrap())
            .collect();
        prop_assert_eq!(&read, &parts);
        prop_assert_eq!(decode(&read).unwrap(), text);
    }

    #[test]
    fn smart_encoding_reverts_to_the_original(text in message()) {
        prop_assert_eq!(smart_encode(&text).revert(), text);
    }

    #[test]
    fn national_tables_never_cost_a_part(text in message(), options in options()) {
        let plain = analyze(&text, &Options::default().reference(options.reference_size())).unwrap();
        let national = analyze(&text, &options.boundaries(Boundaries::Characters)).unwrap();
        prop_assert!(national.segments <= plain.segments);
    }
}

/// `Encoding::ALL` holds every variant: a new one fails to compile here until listed
/// (formats mirrors the enum over `ALL`).
#[test]
fn encoding_all_is_every_variant() {
    for e in Encoding::ALL {
        match e {
            Encoding::Gsm7 | Encoding::Ucs2 => {}
        }
    }
    assert_eq!(Encoding::ALL, [Encoding::Gsm7, Encoding::Ucs2]);
}
