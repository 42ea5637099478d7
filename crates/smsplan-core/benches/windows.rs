//! Benchmarks of legal send windows: `next_allowed`, holiday lookup, and the windows of
//! 1M recipients across 20 zones. Seeded synthetic instants; no real people.
#![allow(missing_docs, reason = "criterion macros generate undocumented items")]
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "bench setup on fixed inputs"
)]

use std::hint::black_box;

use chrono::{DateTime, Datelike, NaiveDate, TimeDelta, Utc};
use chrono_tz::Tz;
use criterion::{Criterion, criterion_group, criterion_main};
use smsplan_core::holiday::Calendar;
use smsplan_core::window::{Preset, next_allowed, window_end};

const SEED: u64 = 0x5eed_2026;

/// xorshift64*: a small deterministic generator, enough for spreading instants.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
}

/// Instants spread over 2026 (both DST switches included), minute resolution.
fn instants(n: usize, seed: u64) -> Vec<DateTime<Utc>> {
    let start: DateTime<Utc> = "2026-01-01T00:00:00Z".parse().unwrap();
    let mut rng = Rng(seed);
    (0..n)
        .map(|_| start + TimeDelta::minutes((rng.next() % (365 * 1440)) as i64))
        .collect()
}

const ZONES: [Tz; 20] = [
    chrono_tz::Europe::Paris,
    chrono_tz::America::New_York,
    chrono_tz::America::Chicago,
    chrono_tz::America::Denver,
    chrono_tz::America::Phoenix,
    chrono_tz::America::Los_Angeles,
    chrono_tz::America::Anchorage,
    chrono_tz::Pacific::Honolulu,
    chrono_tz::America::Indiana::Indianapolis,
    chrono_tz::America::Detroit,
    chrono_tz::America::Boise,
    chrono_tz::America::Puerto_Rico,
    chrono_tz::Indian::Reunion,
    chrono_tz::America::Guadeloupe,
    chrono_tz::America::Cayenne,
    chrono_tz::Asia::Kolkata,
    chrono_tz::Asia::Ho_Chi_Minh,
    chrono_tz::Europe::London,
    chrono_tz::Australia::Lord_Howe,
    chrono_tz::America::St_Johns,
];

fn bench_next_allowed(c: &mut Criterion) {
    let at = instants(10_000, SEED);
    let fr = Preset::FrCommercial.policy();
    let tcpa = Preset::UsTcpa.policy();
    let paris = [chrono_tz::Europe::Paris];
    let ny = [chrono_tz::America::New_York];
    let mut g = c.benchmark_group("window");
    // Peer measured in the same run: a bare UTC → local conversion.
    g.bench_function("peer/utc_to_local_x10k", |b| {
        b.iter(|| {
            at.iter()
                .map(|t| t.with_timezone(black_box(&paris[0])).day())
                .sum::<u32>()
        })
    });
    g.bench_function("next_allowed/fr-commercial/paris_x10k", |b| {
        b.iter(|| {
            at.iter()
                .filter_map(|t| next_allowed(&fr, black_box(&paris), *t).ok())
                .count()
        })
    });
    g.bench_function("next_allowed/us-tcpa/new_york_x10k", |b| {
        b.iter(|| {
            at.iter()
                .filter_map(|t| next_allowed(&tcpa, black_box(&ny), *t).ok())
                .count()
        })
    });
    g.finish();
}

fn bench_holidays(c: &mut Criterion) {
    let start = NaiveDate::from_ymd_opt(1990, 1, 1).unwrap();
    let mut rng = Rng(SEED);
    let dates: Vec<NaiveDate> = (0..10_000)
        .map(|_| start + TimeDelta::days((rng.next() % (100 * 365)) as i64))
        .collect();
    let cal = Calendar::france_alsace_moselle();
    let table = cal.table().unwrap();
    let mut g = c.benchmark_group("holiday");
    g.bench_function("table/is_holiday_x10k", |b| {
        b.iter(|| {
            dates
                .iter()
                .filter(|d| table.is_holiday(**d).unwrap())
                .count()
        })
    });
    g.bench_function("computed/is_holiday_x10k", |b| {
        b.iter(|| {
            dates
                .iter()
                .filter(|d| cal.is_holiday(**d).unwrap())
                .count()
        })
    });
    g.bench_function("build_table/fr-alsace-moselle", |b| {
        b.iter(|| black_box(&cal).table().unwrap())
    });
    g.finish();
}

fn bench_recipients(c: &mut Criterion) {
    const N: usize = 1_000_000;
    let at: DateTime<Utc> = "2026-03-28T19:30:00Z".parse().unwrap(); // before the Paris switch
    let mut rng = Rng(SEED ^ 1);
    let zones: Vec<[Tz; 1]> = (0..N)
        .map(|_| [ZONES[(rng.next() % ZONES.len() as u64) as usize]])
        .collect();
    let policy = Preset::UsTcpa.policy();
    let mut g = c.benchmark_group("recipients");
    g.sample_size(10);
    g.bench_function("next_allowed+window_end/1M_20_zones", |b| {
        b.iter(|| {
            zones
                .iter()
                .filter_map(|z| {
                    let s = next_allowed(&policy, z, at).ok()?;
                    window_end(&policy, z, s).ok()
                })
                .count()
        })
    });
    g.finish();
}

criterion_group!(
    benches,
    bench_next_allowed,
    bench_holidays,
    bench_recipients
);
criterion_main!(benches);
