//! Planning a generated campaign: audience, rendering, fragments, windows and totals.
//!
//! `SMSPLAN_BENCH_CONTACTS` sets the size (default 100,000; the figure is for
//! 1,000,000). The corpus is seeded and invented: French, Alsace-Moselle and US numbers
//! typed in mixed notations, names with accents and emoji, several zones.

#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "a benchmark over fixed, known-good generated data"
)]

use std::hint::black_box;
use std::num::NonZeroUsize;

use chrono::{DateTime, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use smsplan_core::plan::plan;

mod plan_corpus;

fn bench(c: &mut Criterion) {
    let n: usize = std::env::var("SMSPLAN_BENCH_CONTACTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let campaign = plan_corpus::campaign(n);
    let now: DateTime<Utc> = "2026-12-20T09:00:00Z".parse().unwrap();
    let two = NonZeroUsize::new(2).unwrap();
    let mut g = c.benchmark_group("plan");
    g.sample_size(10);
    g.bench_function(format!("{n}_contacts/1_thread"), |b| {
        b.iter(|| plan(black_box(&campaign), now, NonZeroUsize::MIN).unwrap())
    });
    g.bench_function(format!("{n}_contacts/2_threads"), |b| {
        b.iter(|| plan(black_box(&campaign), now, two).unwrap())
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
