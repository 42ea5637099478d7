//! `smsplan plan --contacts FILE [--groups FILE]`: contacts from CSV or JSON lines plan
//! exactly as the same contacts embedded in the campaign.
#![allow(
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests"
)]

mod common;

use std::path::{Path, PathBuf};

use common::{sample, smsplan, temp_dir};
use serde_json::Value;

const NOW: &str = "2026-12-20T10:00:00+01:00";

fn plan(args: &[&str]) -> String {
    let run = smsplan(&[&["plan", "--now", NOW], args].concat(), "");
    assert_eq!(run.code, 0, "{args:?}: {}", run.stderr);
    run.stdout
}

fn campaign() -> Value {
    serde_json::from_str(&std::fs::read_to_string(sample("campaign.json")).unwrap()).unwrap()
}

/// The bundled campaign's groups as a groups file (`id,members`).
fn groups_csv(dir: &Path) -> PathBuf {
    let path = dir.join("groups.csv");
    let mut writer = csv::Writer::from_path(&path).unwrap();
    writer.write_record(["id", "members"]).unwrap();
    for group in campaign()["groups"].as_array().unwrap() {
        let members: Vec<&str> = group["members"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m.as_str().unwrap())
            .collect();
        writer
            .write_record([group["id"].as_str().unwrap(), &members.join(";")])
            .unwrap();
    }
    writer.flush().unwrap();
    path
}

/// The bundled contacts without their `groups` column.
fn contacts_without_groups(dir: &Path) -> PathBuf {
    let path = dir.join("contacts.csv");
    let mut reader = csv::Reader::from_path(sample("contacts.csv")).unwrap();
    let header = reader.headers().unwrap().clone();
    let keep: Vec<usize> = (0..header.len())
        .filter(|&i| &header[i] != "groups")
        .collect();
    let mut writer = csv::Writer::from_path(&path).unwrap();
    writer
        .write_record(keep.iter().map(|&i| &header[i]))
        .unwrap();
    for record in reader.records() {
        let record = record.unwrap();
        writer
            .write_record(keep.iter().map(|&i| &record[i]))
            .unwrap();
    }
    writer.flush().unwrap();
    path
}

#[test]
fn csv_and_json_lines_plan_exactly_as_the_embedded_campaign() {
    let embedded = plan(&[&sample("campaign.json")]);
    let plan_value: Value = serde_json::from_str(&embedded).unwrap();
    assert!(plan_value["recipients"].as_array().unwrap().len() > 1800);
    assert!(!plan_value["excluded"].as_array().unwrap().is_empty());
    let settings = sample("settings.json");
    let csv = plan(&[&settings, "--contacts", &sample("contacts.csv")]);
    assert_eq!(csv, embedded, "CSV contacts");
    let jsonl = plan(&[&settings, "--contacts", &sample("contacts.jsonl")]);
    assert_eq!(jsonl, embedded, "JSON-lines contacts");
    // The same memberships declared again in a groups file unite with the contacts' own.
    let dir = temp_dir("groups");
    let groups = groups_csv(&dir);
    let both = plan(&[
        &settings,
        "--contacts",
        &sample("contacts.csv"),
        "--groups",
        groups.to_str().unwrap(),
    ]);
    assert_eq!(both, embedded, "contacts and a groups file");
    // Contacts without a `groups` column, the groups in a file.
    let bare = contacts_without_groups(&dir);
    let file_groups = plan(&[
        &settings,
        "--contacts",
        bare.to_str().unwrap(),
        "--groups",
        groups.to_str().unwrap(),
    ]);
    assert_eq!(file_groups, embedded, "groups from a file only");
    // Contacts without a `groups` column, the groups in the campaign.
    let mut with_groups = campaign();
    with_groups.as_object_mut().unwrap().remove("contacts");
    let path = dir.join("with-groups.json");
    std::fs::write(&path, with_groups.to_string()).unwrap();
    let campaign_groups = plan(&[path.to_str().unwrap(), "--contacts", bare.to_str().unwrap()]);
    assert_eq!(campaign_groups, embedded, "groups from the campaign");
}

#[test]
fn contacts_can_come_on_standard_input_with_their_format() {
    let text = std::fs::read_to_string(sample("contacts.jsonl")).unwrap();
    let settings = sample("settings.json");
    let run = smsplan(
        &[
            "plan",
            &settings,
            "--contacts",
            "-",
            "--table-format",
            "jsonl",
            "--now",
            NOW,
        ],
        &text,
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout, plan(&[&sample("campaign.json")]));
    let unknown = smsplan(&["plan", &settings, "--contacts", "-", "--now", NOW], &text);
    assert_eq!(unknown.code, 2);
    assert!(
        unknown
            .stderr
            .contains("use .csv or .jsonl, or --table-format"),
        "{}",
        unknown.stderr
    );
}

#[test]
fn the_campaign_and_the_files_must_not_both_give_contacts_or_groups() {
    let contacts = sample("contacts.csv");
    let embedded = smsplan(
        &[
            "plan",
            &sample("campaign.json"),
            "--contacts",
            &contacts,
            "--now",
            NOW,
        ],
        "",
    );
    assert_eq!(embedded.code, 2);
    assert!(
        embedded.stderr.contains(
            "field `contacts` (line 17, column 3): with contacts from a file, the campaign has no `contacts` key"
        ),
        "{}",
        embedded.stderr
    );
    let dir = temp_dir("twice");
    let mut with_groups = campaign();
    with_groups.as_object_mut().unwrap().remove("contacts");
    let path = dir.join("with-groups.json");
    std::fs::write(&path, with_groups.to_string()).unwrap();
    let twice = smsplan(
        &[
            "plan",
            path.to_str().unwrap(),
            "--contacts",
            &contacts,
            "--now",
            NOW,
        ],
        "",
    );
    assert_eq!(twice.code, 2);
    assert!(
        twice.stderr.contains("the groups come twice"),
        "{}",
        twice.stderr
    );
    let groups_only = smsplan(&["plan", &sample("settings.json"), "--groups", "g.csv"], "");
    assert_eq!(groups_only.code, 2, "--groups needs --contacts");
}

#[test]
fn every_refused_row_is_reported_with_its_line_and_column() {
    let dir = temp_dir("refused");
    let path = dir.join("contacts.csv");
    let mut text = String::from("id,phone,consent_status,consent_changed_at,groups\n");
    text.push_str("c1,06 12 34 56 78,subscribed,,vip\n");
    text.push_str("c2,06 12 34 56 79,yes,,vip\n");
    text.push_str("c3,06 12 34 56 80,subscribed,last week,vip\n");
    text.push_str(",06 12 34 56 81,subscribed,,vip\n");
    for i in 0..22 {
        text.push_str(&format!("x{i},,maybe,,vip\n"));
    }
    std::fs::write(&path, text).unwrap();
    let run = smsplan(
        &[
            "plan",
            &sample("settings.json"),
            "--contacts",
            path.to_str().unwrap(),
            "--now",
            NOW,
        ],
        "",
    );
    assert_eq!(run.code, 2);
    assert_eq!(run.stdout, "");
    let lines: Vec<&str> = run.stderr.lines().collect();
    assert!(
        lines[0].ends_with("contacts.csv: 25 rows refused"),
        "{}",
        run.stderr
    );
    assert_eq!(
        lines[1],
        "  line 3, column `consent_status`: unknown consent status \"yes\" (subscribed, unsubscribed, unknown or empty)"
    );
    assert_eq!(
        lines[2],
        "  line 4, column `consent_changed_at`: \"last week\" is not an RFC 3339 date-time with an offset"
    );
    assert_eq!(lines[3], "  line 5: no `id`");
    assert_eq!(lines.len(), 1 + 20 + 1);
    assert_eq!(lines[21], "  ... and 5 more");
}
