//! Phone number throughput: parse + validate + E.164 format, on numbers as people type them
//! over a dozen regions, against a peer measured in the same run (digit-only normalization).
#![allow(missing_docs, reason = "criterion harness")]

mod corpus;

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use smsplan_core::phone::{PhoneNumber, Region};

const SEED: u64 = 0x5eed_0004;

fn bench_phone(c: &mut Criterion) {
    let numbers = corpus::typed_numbers(10_000, SEED);
    let valid = numbers
        .iter()
        .filter(|n| PhoneNumber::parse(n, Region::FR).is_ok())
        .count();
    eprintln!("phone corpus: {} numbers, {valid} valid", numbers.len());
    let mut group = c.benchmark_group("phone");
    group.throughput(Throughput::Elements(numbers.len() as u64));
    group.bench_function("parse_validate_e164/mixed_regions", |b| {
        b.iter(|| {
            numbers
                .iter()
                .filter_map(|n| PhoneNumber::parse(black_box(n), Region::FR).ok())
                .map(|n| n.as_e164().len())
                .sum::<usize>()
        });
    });
    let parsed: Vec<PhoneNumber> = numbers
        .iter()
        .filter_map(|n| PhoneNumber::parse(n, Region::FR).ok())
        .collect();
    group.bench_function("time_zones/mixed_regions", |b| {
        b.iter(|| {
            parsed
                .iter()
                .map(|n| black_box(n).time_zones().len())
                .sum::<usize>()
        });
    });
    // Peer: the cheapest thing a parser must do, keeping digits (a floor, not a parser).
    group.bench_function("peer/digits_only", |b| {
        b.iter(|| {
            numbers
                .iter()
                .map(|n| black_box(n).bytes().filter(u8::is_ascii_digit).count())
                .sum::<usize>()
        });
    });
    group.finish();
}

criterion_group!(benches, bench_phone);
criterion_main!(benches);
