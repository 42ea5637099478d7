//! The documented contact table layout (`schema/contacts.v1.csv`, `schema/groups.v1.csv`,
//! `schema/contact-row.v1.json`) is the one the readers implement.

use std::path::Path;

use smsplan_formats::v1::contacts::{Column, ContactTable, CsvRows, JsonLinesRows};

fn schema(name: &str) -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("schema")
            .join(name),
    )
    .unwrap()
}

#[test]
fn the_json_schema_names_every_standard_column() {
    let schema: serde_json::Value = serde_json::from_str(&schema("contact-row.v1.json")).unwrap();
    let mut documented: Vec<&str> = schema["properties"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let mut standard: Vec<&str> = Column::STANDARD.iter().map(Column::name).collect();
    documented.sort_unstable();
    standard.sort_unstable();
    assert_eq!(documented, standard);
    assert_eq!(schema["required"], serde_json::json!(["id"]));
}

#[test]
fn the_csv_examples_read_without_error_and_as_json_lines_alike() {
    let mut table = ContactTable::new();
    for group in CsvRows::groups(schema("groups.v1.csv").as_bytes()).unwrap() {
        table.declare(group.unwrap());
    }
    let text = schema("contacts.v1.csv");
    let rows = CsvRows::contacts(text.as_bytes()).unwrap();
    let header: Vec<&str> = rows.columns().iter().map(Column::name).collect();
    assert_eq!(
        header[..9],
        Column::STANDARD
            .iter()
            .map(Column::name)
            .collect::<Vec<_>>()[..],
        "the example starts with the standard columns in their documented order"
    );
    let from_csv: Vec<_> = rows.map(Result::unwrap).collect();
    assert_eq!(from_csv.len(), 3);
    // The same contacts as JSON lines give the same contacts.
    let jsonl = "{\"id\":\"c1\",\"phone\":\"06 12 34 56 78\",\"email\":\"ana@example.org\",\"consent_status\":\"subscribed\",\"consent_changed_at\":\"2026-01-10T09:00:00+01:00\",\"consent_source\":\"web form\",\"groups\":[\"newsletter\",\"vip\"],\"first_name\":\"Ana\",\"subdivision\":\"FR-67\"}\n\
                 {\"id\":\"c2\",\"phone\":\"+1 212 555 0100\",\"consent_status\":\"unsubscribed\",\"consent_changed_at\":\"2026-02-01T12:00:00-05:00\",\"consent_source\":\"STOP keyword\",\"time_zone\":\"America/New_York\",\"groups\":\"newsletter\",\"first_name\":\"Bob\",\"subdivision\":\"US-NY\"}\n\
                 {\"id\":\"c3\",\"phone\":\"0612345679\",\"email\":\"chloe@example.org\",\"quarantined\":\"bounced\"}\n";
    let from_jsonl: Vec<_> = JsonLinesRows::contacts(jsonl.as_bytes())
        .map(Result::unwrap)
        .collect();
    for (a, b) in from_csv.iter().zip(&from_jsonl) {
        assert_eq!(a.contact, b.contact);
        assert_eq!(a.groups, b.groups);
    }
    for row in from_csv {
        table.push(row);
    }
    let (contacts, groups) = table.into_parts();
    assert_eq!(contacts.len(), 3);
    let ids: Vec<&str> = groups.iter().map(|g| g.id.as_str()).collect();
    assert_eq!(ids, ["vip", "staff", "newsletter"]);
}
