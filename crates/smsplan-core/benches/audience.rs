//! Audience resolution: 100k generated contacts in 5 groups (3 selected), numbers as people
//! type them, on one and two threads; the peer is parsing the same numbers alone.
//! `cargo run --release --example resolve_1m` measures 1M contacts with a phase breakdown.
#![allow(missing_docs, reason = "criterion harness")]

mod corpus;

use std::hint::black_box;
use std::num::NonZeroUsize;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use smsplan_core::audience::{Selection, resolve_parallel};
use smsplan_core::dedup::DedupMode;
use smsplan_core::group::GroupId;
use smsplan_core::phone::{PhoneNumber, Region};

const SEED: u64 = 0x5eed_0004;
const CONTACTS: usize = 100_000;

fn bench_audience(c: &mut Criterion) {
    let contacts = corpus::contacts(CONTACTS, SEED);
    let groups = corpus::groups(&contacts, SEED + 1);
    let project = corpus::project();
    let ids = ["g0", "g2", "g4"].map(|g| GroupId::new(g).unwrap_or_else(|_| unreachable!()));
    let selection = Selection::new(ids, DedupMode::PerNumber);
    let mut group = c.benchmark_group("audience");
    group.throughput(Throughput::Elements(CONTACTS as u64));
    group.sample_size(10);
    for threads in [1, 2] {
        let threads = NonZeroUsize::new(threads).unwrap_or(NonZeroUsize::MIN);
        group.bench_function(format!("resolve/100k/{threads}_threads"), |b| {
            b.iter(|| {
                resolve_parallel(&project, black_box(&contacts), &groups, &selection, threads)
                    .map(|a| a.recipients().len())
            });
        });
    }
    // The numbers the resolution parses: those of the contacts in a selected group.
    let selected: std::collections::HashSet<&str> = groups
        .iter()
        .filter(|g| selection.groups.contains(&g.id))
        .flat_map(|g| g.members.iter().map(|m| m.as_str()))
        .collect();
    let phones: Vec<&str> = contacts
        .iter()
        .filter(|c| selected.contains(c.id.as_str()))
        .filter_map(|c| c.phone.as_deref())
        .collect();
    group.bench_function("peer/parse_selected_only/100k/1_threads", |b| {
        b.iter(|| {
            phones
                .iter()
                .filter(|raw| PhoneNumber::parse(black_box(raw), Region::FR).is_ok())
                .count()
        });
    });
    group.finish();
}

criterion_group!(benches, bench_audience);
criterion_main!(benches);
