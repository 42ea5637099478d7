//! Throughput of the fragment encoder over a realistic generated corpus.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use smsplan_text::{Boundaries, Language, Options, analyze, encode, split};

#[path = "corpus/mod.rs"]
mod corpus;

const SEED: u64 = 0x5EED_5A5A;

fn bench(c: &mut Criterion) {
    let corpus = corpus::messages(10_000, SEED);
    let bytes: usize = corpus.iter().map(String::len).sum();
    let default = Options::default();
    let national = Options::default()
        .allow_single_shift(Language::Spanish)
        .allow_single_shift(Language::Portuguese)
        .allow_single_shift(Language::Turkish)
        .allow_locking_shift(Language::Portuguese)
        .allow_locking_shift(Language::Turkish);
    let graphemes = Options::default().boundaries(Boundaries::Graphemes);

    let mut by_bytes = c.benchmark_group("fragments/bytes");
    by_bytes.throughput(Throughput::Bytes(bytes as u64));
    by_bytes.bench_function("analyze/mixed", |b| {
        b.iter(|| {
            corpus
                .iter()
                .map(|m| analyze(black_box(m), &default).map_or(0, |a| a.segments))
                .sum::<usize>()
        })
    });
    by_bytes.bench_function("analyze/mixed/national", |b| {
        b.iter(|| {
            corpus
                .iter()
                .map(|m| analyze(black_box(m), &national).map_or(0, |a| a.segments))
                .sum::<usize>()
        })
    });
    by_bytes.bench_function("split/mixed/graphemes", |b| {
        b.iter(|| {
            corpus
                .iter()
                .map(|m| split(black_box(m), &graphemes).map_or(0, |s| s.parts.len()))
                .sum::<usize>()
        })
    });
    by_bytes.bench_function("encode/mixed", |b| {
        b.iter(|| {
            corpus
                .iter()
                .map(|m| encode(black_box(m), &default, 1).map_or(0, |p| p.len()))
                .sum::<usize>()
        })
    });
    by_bytes.finish();

    let mut by_messages = c.benchmark_group("fragments/messages");
    by_messages.throughput(Throughput::Elements(corpus.len() as u64));
    by_messages.bench_function("analyze/mixed", |b| {
        b.iter(|| {
            corpus
                .iter()
                .map(|m| analyze(black_box(m), &default).map_or(0, |a| a.segments))
                .sum::<usize>()
        })
    });
    // The peer measured in the same run: one plain pass over the bytes.
    by_messages.bench_function("peer/byte-sum", |b| {
        b.iter(|| {
            corpus
                .iter()
                .map(|m| black_box(m).bytes().map(usize::from).sum::<usize>())
                .sum::<usize>()
        })
    });
    by_messages.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
