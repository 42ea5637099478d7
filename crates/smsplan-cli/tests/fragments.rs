//! `smsplan fragments` follows its CLI contract.

use std::io::Write;
use std::process::{Command, Stdio};

use serde_json::{Value, json};

fn run(args: &[&str], input: &str) -> (Vec<Value>, i32) {
    run_bytes(args, input.as_bytes())
}

fn run_bytes(args: &[&str], input: &[u8]) -> (Vec<Value>, i32) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_smsplan"))
        .arg("fragments")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let input = input.to_vec();
    let writer = std::thread::spawn(move || stdin.write_all(&input));
    let out = child.wait_with_output().unwrap();
    // A command that stops early (a usage error) closes its input: not a test failure.
    if let Err(e) = writer.join().unwrap() {
        assert_eq!(e.kind(), std::io::ErrorKind::BrokenPipe, "{e}");
    }
    let lines = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    (lines, out.status.code().unwrap())
}

#[test]
fn strings_and_objects_get_one_line_each_in_order() {
    let (lines, code) = run(
        &[],
        "\"Hello\"\n{\"text\": \"Soldes 🎉\", \"id\": \"m2\"}\n{\"text\": \"x\", \"id\": 7}\n",
    );
    assert_eq!(code, 0);
    assert_eq!(lines.len(), 3);
    assert_eq!(
        lines[0],
        json!({"encoding": "gsm7", "segments": 1, "units": 5, "units_per_segment": 160,
               "remaining": 155, "non_gsm": [], "national": null})
    );
    assert_eq!(lines[1]["id"], "m2");
    assert_eq!(lines[1]["encoding"], "ucs2");
    assert_eq!(lines[1]["non_gsm"], json!([{"char": "🎉", "offset": 7}]));
    assert_eq!(lines[2]["id"], 7);
}

#[test]
fn malformed_lines_are_reported_and_the_rest_processed() {
    let (lines, code) = run(&[], "\"ok\"\nnot json\n{\"txt\": \"typo\"}\n\"still ok\"\n");
    assert_eq!(code, 1);
    assert_eq!(lines.len(), 4);
    assert_eq!(lines[0]["segments"], 1);
    assert_eq!(lines[1]["error"]["kind"], "invalid_input");
    assert_eq!(lines[1]["error"]["line"], 2);
    assert_eq!(lines[2]["error"]["kind"], "invalid_input");
    assert_eq!(lines[2]["error"]["line"], 3);
    assert!(
        lines[2]["error"]["message"]
            .as_str()
            .unwrap()
            .contains("txt")
    );
    assert_eq!(lines[3]["segments"], 1);
}

#[test]
fn a_line_that_is_not_utf8_is_an_input_error_and_the_rest_goes_on() {
    // Before: the whole batch stopped at the bad line ("stream did not contain valid UTF-8",
    // exit 2) and every later line was lost.
    let mut input = b"\"ok\"\n\"caf\xE9\"\n".to_vec();
    for _ in 0..1000 {
        input.extend_from_slice(b"\"later\"\n");
    }
    input.extend_from_slice(b"\"no newline \xFF");
    let (lines, code) = run_bytes(&[], &input);
    assert_eq!(code, 1);
    assert_eq!(lines.len(), 1003);
    assert_eq!(lines[0]["segments"], 1);
    let bad = &lines[1]["error"];
    assert_eq!(bad["kind"], "invalid_input");
    assert_eq!(bad["line"], 2);
    assert_eq!(bad["column"], 5, "the first byte that is not UTF-8");
    assert!(bad["message"].as_str().unwrap().contains("UTF-8"), "{bad}");
    assert!(lines[2..1002].iter().all(|l| l["segments"] == 1));
    assert_eq!(lines[1002]["error"]["line"], 1003);
    assert_eq!(lines[1002]["error"]["column"], 13);
}

#[test]
fn a_byte_order_mark_gets_its_own_message() {
    let (lines, code) = run(&[], "\u{FEFF}\"hi\"\n\"there\"\n");
    assert_eq!(code, 1);
    assert_eq!(lines[0]["error"]["kind"], "invalid_input");
    assert_eq!(lines[0]["error"]["line"], 1);
    let message = lines[0]["error"]["message"].as_str().unwrap();
    assert!(message.contains("byte order mark"), "{message}");
    assert_eq!(lines[1]["segments"], 1);
}

#[test]
fn too_long_is_an_error_on_its_line_not_an_input_error() {
    let long = "a".repeat(153 * 255 + 1);
    let (lines, code) = run(
        &[],
        &format!("{{\"text\": \"{long}\", \"id\": 1}}\n\"short\"\n"),
    );
    assert_eq!(code, 0);
    assert_eq!(lines[0]["id"], 1);
    assert_eq!(lines[0]["error"]["kind"], "too_long");
    assert_eq!(lines[0]["error"]["segments"], 256);
    assert_eq!(lines[1]["segments"], 1);
}

#[test]
fn split_parts_concatenate_to_the_input() {
    let text = format!("{}€{}", "a".repeat(152), "b".repeat(152));
    let (lines, _) = run(&["--split"], &format!("\"{text}\"\n"));
    let parts: Vec<&str> = lines[0]["parts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect();
    assert_eq!(parts.len(), 3);
    assert_eq!(lines[0]["segments"], 3);
    assert_eq!(parts.concat(), text);
}

#[test]
fn national_tables_and_reference_size_flags() {
    let text = format!("{}á", "a".repeat(153));
    let (lines, _) = run(
        &["--national-shift", "es,pt,tr", "--national-lock", "pt,tr"],
        &format!("\"{text}\"\n"),
    );
    assert_eq!(lines[0]["encoding"], "gsm7");
    // Portuguese locking writes 'á' in one septet: one IE like the Spanish shift, more room.
    assert_eq!(lines[0]["national"], json!({"shift": null, "lock": "pt"}));
    assert_eq!(lines[0]["segments"], 1);
    assert_eq!(lines[0]["remaining"], 1);
    let (lines, _) = run(&["--national-shift", "es"], &format!("\"{text}\"\n"));
    assert_eq!(lines[0]["national"], json!({"shift": "es", "lock": null}));
    assert_eq!(lines[0]["remaining"], 0);
    let (lines, _) = run(&["--ref16"], &format!("\"{}\"\n", "a".repeat(161)));
    assert_eq!(lines[0]["units_per_segment"], 152);
}

#[test]
fn graphemes_flag_reports_the_extra_part() {
    let text = format!("{}👨\u{200d}👩\u{200d}👧{}", "a".repeat(63), "a".repeat(62));
    let (lines, _) = run(
        &["--graphemes"],
        &format!("{}\n", serde_json::to_string(&text).unwrap()),
    );
    assert_eq!(lines[0]["segments"], 3);
    assert_eq!(lines[0]["grapheme_extra_segments"], 1);
}

#[test]
fn price_adds_the_cost_as_a_decimal_string() {
    let (lines, _) = run(&["--price", "0.045"], &format!("\"{}\"\n", "a".repeat(307)));
    assert_eq!(lines[0]["cost"], "0.135");
    assert_eq!(lines[0]["currency"], "EUR");
}

#[test]
fn unknown_national_language_is_a_usage_error() {
    let out = Command::new(env!("CARGO_BIN_EXE_smsplan"))
        .args(["fragments", "--national-shift", "fr"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("fr"));
}

#[test]
fn a_negative_price_is_a_usage_error_naming_the_flag() {
    // Before: accepted, and every report said `"cost": "-0.045"`.
    let out = Command::new(env!("CARGO_BIN_EXE_smsplan"))
        .args(["fragments", "--price=-0.045"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("--price"), "{stderr}");
    assert!(stderr.contains("negative"), "{stderr}");
    let (lines, code) = run(&["--price=0"], "\"free\"\n");
    assert_eq!((code, &lines[0]["cost"]), (0, &json!("0.00")));
}

/// The parts of one message read with `--split --pdu` and these flags.
fn pdu_parts(flags: &[&str], text: &str) -> Vec<Value> {
    let mut args = vec!["--split", "--pdu"];
    args.extend_from_slice(flags);
    let (lines, code) = run(
        &args,
        &format!("{}\n", serde_json::to_string(text).unwrap()),
    );
    assert_eq!(code, 0);
    lines[0]["parts"].as_array().unwrap().clone()
}

/// Vectors worked by hand, not by the encoder: septets are packed least significant bit
/// first, each after the previous one (TS 23.038 6.1.2.1.1); after a user data header,
/// fill bits bring the first septet to a septet boundary (TS 23.040 9.2.3.24); TP-UDL counts
/// septets with header and fill for GSM 7-bit, octets for UCS-2 (TS 23.040 9.2.3.16).
#[test]
fn pdu_gives_each_part_its_gateway_bytes() {
    // No header: h e l l o h e l l o (0x68 0x65 0x6C 0x6C 0x6F ...) in 9 octets, 10 septets.
    let parts = pdu_parts(&[], "hellohello");
    assert_eq!(
        parts,
        [json!({"text": "hellohello", "udh": "", "user_data": "E8329BFD4697D9EC37", "udl": 10})]
    );

    // 8-bit reference 42, part 2 of 2: the header is 6 octets (48 bits), so 1 fill bit;
    // "aaaaaabc" (0x61 ×6, 0x62, 0x63) starts at bit 1: 0x61 << 1 = 0xC2, then 0x61 with the
    // low bit of the next 0x61 on top = 0xE1, ... 57 bits in 8 octets. UDL = 7 + 8 = 15.
    let parts = pdu_parts(&["--reference", "42"], &format!("{}bc", "a".repeat(159)));
    assert_eq!(parts.len(), 2);
    assert_eq!(parts[0]["udh"], "0500032A0201");
    assert_eq!(parts[0]["udl"], 160, "7 septets of header and fill + 153");
    assert_eq!(
        parts[1],
        json!({"text": "aaaaaabc", "udh": "0500032A0202",
               "user_data": "0500032A0202C2E170381C168F01", "udl": 15})
    );

    // 16-bit reference 0x1234: a 7-octet header is 56 bits, exactly 8 septets: no fill.
    // "aaaaaaabc" packs as 0x61 | 0x61 << 7 = 0xE1, 0x70, 0x38, 0x1C, 0x0E, 0x87, 0xC5, 0x63.
    let parts = pdu_parts(
        &["--ref16", "--reference", "4660"],
        &format!("{}bc", "a".repeat(159)),
    );
    assert_eq!(
        parts[1],
        json!({"text": "aaaaaaabc", "udh": "06080412340202",
               "user_data": "06080412340202E170381C0E87C563", "udl": 17})
    );

    // UCS-2, part 2 of 2 (67 units, then 4): UTF-16 big-endian after the header, and TP-UDL
    // counts octets: 6 + 8 = 14.
    let parts = pdu_parts(&[], &format!("{}好", "你".repeat(70)));
    assert_eq!(
        parts[1],
        json!({"text": "你你你好", "udh": "050003000202",
               "user_data": "0500030002024F604F604F60597D", "udl": 14})
    );
}

#[test]
fn pdu_octets_agree_with_the_udl_and_the_texts() {
    let texts = [
        "Soldes d'hiver 🎉 -30% ce week-end ! STOP 36111".to_owned(),
        format!("{}€{}", "a".repeat(152), "b".repeat(10)),
        "[]{}~|^€\\".repeat(30),
    ];
    for text in &texts {
        let parts = pdu_parts(&[], text);
        let mut joined = String::new();
        for part in &parts {
            let octets = part["user_data"].as_str().unwrap().len() / 2;
            let udl = usize::try_from(part["udl"].as_u64().unwrap()).unwrap();
            let udh = part["udh"].as_str().unwrap();
            assert!(part["user_data"].as_str().unwrap().starts_with(udh));
            let gsm = !part["text"].as_str().unwrap().contains('🎉');
            let expected = if gsm { (udl * 7).div_ceil(8) } else { udl };
            assert_eq!(octets, expected, "{part}");
            assert!(octets <= 140, "{part}");
            joined.push_str(part["text"].as_str().unwrap());
        }
        assert_eq!(&joined, text);
    }
}

#[test]
fn pdu_flags_are_checked() {
    for args in [
        &["fragments", "--pdu"][..],
        &["fragments", "--split", "--pdu", "--reference", "256"],
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_smsplan"))
            .args(args)
            .stdin(Stdio::null())
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
    }
    let parts = pdu_parts(&["--ref16", "--reference", "65535"], &"a".repeat(161));
    assert_eq!(parts[0]["udh"], "060804FFFF0201");
}

#[test]
fn large_inputs_are_answered_in_order_with_their_line_numbers() {
    // Several megabytes: the input is answered in blocks by worker threads.
    let mut input = Vec::new();
    let lines = 60_000;
    for i in 0..lines {
        match i % 1000 {
            17 => input.extend_from_slice(b"not json"),
            404 => input.extend_from_slice(b"\"bad \xff byte\""),
            500 => input.extend_from_slice(b"{\"text\": \"crlf\", \"id\": \"r\"}\r"),
            _ => write!(
                input,
                "{{\"id\": {i}, \"text\": \"message {i} with some padding to fill the block: \
                 Soldes d'hiver 🎉 -20 % aujourd'hui, STOP 36111\"}}"
            )
            .unwrap(),
        }
        input.push(b'\n');
    }
    input.extend_from_slice(b"\"no final line feed\"");
    let (out, code) = run_bytes(&["--compact"], &input);
    assert_eq!(code, 1);
    assert_eq!(out.len(), lines + 1);
    for (i, answer) in out.iter().enumerate().take(lines) {
        match i % 1000 {
            17 | 404 => {
                assert_eq!(answer["error"]["kind"], "invalid_input", "{i}");
                assert_eq!(answer["error"]["line"], i + 1, "{i}");
            }
            500 => assert_eq!(answer["id"], "r"),
            _ => assert_eq!(answer["id"], i, "{i}"),
        }
    }
    assert_eq!(out[lines]["segments"], 1);
}
