//! Reading contacts: the contact table from CSV and from JSON lines, against the peer of
//! the same contacts embedded in a campaign as the v1 JSON array (serde_json, then the
//! conversion to core contacts), in the same run. 100,000 seeded contacts of the audience
//! corpus (numbers as people type them, consent, a few fields), each in one or two groups.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use smsplan_core::contact::Contact;
use smsplan_formats::v1::audience::{Contact as WireContact, Group as WireGroup};
use smsplan_formats::v1::contacts::{Column, ContactTable, CsvRows, JsonLinesRows};

#[path = "../../smsplan-core/benches/corpus/mod.rs"]
mod corpus;

const CONTACTS: usize = 100_000;

/// The audience part of a campaign document.
#[derive(serde::Serialize, serde::Deserialize)]
struct Embedded {
    contacts: Vec<WireContact>,
    groups: Vec<WireGroup>,
}
const SEED: u64 = 0x5EED_C0DE;

/// The contacts as a CSV table with a `groups` column, as JSON lines, and embedded as the
/// v1 `contacts` and `groups` arrays of a campaign.
fn forms(contacts: &[Contact]) -> (String, String, String) {
    let groups = corpus::groups(contacts, SEED);
    let mut memberships: Vec<Vec<&str>> = vec![Vec::new(); contacts.len()];
    let position: std::collections::HashMap<&str, usize> = contacts
        .iter()
        .enumerate()
        .map(|(i, c)| (c.id.as_str(), i))
        .collect();
    for g in &groups {
        for m in &g.members {
            memberships[position[m.as_str()]].push(g.id.as_str());
        }
    }
    let mut fields: Vec<&str> = contacts
        .iter()
        .flat_map(|c| c.fields.iter().map(|(k, _)| k))
        .collect();
    fields.sort_unstable();
    fields.dedup();
    let mut csv = csv::Writer::from_writer(Vec::new());
    let header: Vec<&str> = Column::STANDARD
        .iter()
        .map(Column::name)
        .chain(fields.iter().copied())
        .collect();
    csv.write_record(&header).unwrap();
    let mut jsonl = String::new();
    for (c, groups) in contacts.iter().zip(&memberships) {
        let changed = c.consent.changed_at.map(|t| t.to_rfc3339());
        let standard = [
            Some(c.id.as_str()),
            c.phone.as_deref(),
            c.email.as_deref(),
            Some(c.consent.status.as_str()),
            changed.as_deref(),
            c.consent.source.as_deref(),
            c.time_zone.map(|tz| tz.name()),
            c.quarantine.map(|q| q.as_str()),
        ];
        let joined = groups.join(";");
        let mut row: Vec<&str> = standard.iter().map(|v| v.unwrap_or("")).collect();
        row.push(&joined);
        row.extend(fields.iter().map(|f| c.fields.get(f).unwrap_or("")));
        csv.write_record(&row).unwrap();
        let mut object = serde_json::Map::new();
        for (name, value) in header.iter().zip(&row) {
            if !value.is_empty() && *name != "groups" {
                object.insert((*name).to_owned(), (*value).into());
            }
        }
        object.insert("groups".to_owned(), groups.clone().into());
        jsonl.push_str(&serde_json::Value::Object(object).to_string());
        jsonl.push('\n');
    }
    let csv = String::from_utf8(csv.into_inner().unwrap()).unwrap();
    let embedded = Embedded {
        contacts: contacts
            .iter()
            .map(|c| WireContact::try_from(c).unwrap())
            .collect(),
        groups: groups.iter().map(WireGroup::from).collect(),
    };
    (csv, jsonl, serde_json::to_string(&embedded).unwrap())
}

fn bench(c: &mut Criterion) {
    let contacts = corpus::contacts(CONTACTS, SEED);
    let (csv, jsonl, embedded) = forms(&contacts);
    let mut group = c.benchmark_group("contacts/read");
    group.throughput(Throughput::Elements(CONTACTS as u64));
    group.sample_size(10);
    group.bench_function("csv", |b| {
        b.iter(|| {
            let mut table = ContactTable::new();
            for row in CsvRows::contacts(black_box(csv.as_bytes())).unwrap() {
                table.push(row.unwrap());
            }
            table.into_parts().0.len()
        })
    });
    group.bench_function("jsonl", |b| {
        b.iter(|| {
            let mut table = ContactTable::new();
            for row in JsonLinesRows::contacts(black_box(jsonl.as_bytes())) {
                table.push(row.unwrap());
            }
            table.into_parts().0.len()
        })
    });
    group.bench_function("peer/embedded_json", |b| {
        b.iter(|| {
            let wire: Embedded = serde_json::from_str(black_box(&embedded)).unwrap();
            // As `Campaign::try_from` converts them.
            let contacts = wire
                .contacts
                .into_iter()
                .enumerate()
                .map(|(i, c)| c.to_core(&format!("contacts[{i}]")).unwrap())
                .count();
            let groups = wire
                .groups
                .into_iter()
                .enumerate()
                .map(|(i, g)| g.to_core(&format!("groups[{i}]")).unwrap())
                .count();
            contacts + groups
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
