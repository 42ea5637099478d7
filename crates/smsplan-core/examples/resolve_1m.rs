//! Resolves the audience of 1M generated contacts in 5 groups (numbers as people type them)
//! and prints the time of each phase, to run under `/usr/bin/time -v` for peak memory:
//!
//! ```sh
//! cargo build --release --example resolve_1m
//! /usr/bin/time -v target/release/examples/resolve_1m [CONTACTS] [THREADS]
//! ```
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "a measuring example"
)]

#[path = "../benches/corpus/mod.rs"]
mod corpus;

use std::num::NonZeroUsize;
use std::time::Instant;

use smsplan_core::audience::{Selection, resolve_parallel};
use smsplan_core::dedup::DedupMode;
use smsplan_core::group::GroupId;
use smsplan_core::phone::{PhoneParser, Region};

/// CPU time of the process so far (all threads, user + system), from `/proc/self/stat`:
/// robust to other load on a shared machine, unlike wall time.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after_name = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    // Fields 14 and 15 of stat (utime, stime) are at 11 and 12 after the name; 100 ticks/s.
    (ticks(11) + ticks(12)) / 100.0
}

/// Peak resident memory so far, from `/proc/self/status` (VmHWM).
fn peak_rss_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

fn main() {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().map_or(1_000_000, |a| a.parse().unwrap());
    let threads: usize = args.next().map_or(2, |a| a.parse().unwrap());
    let threads = NonZeroUsize::new(threads).unwrap();

    let start = Instant::now();
    // Warm the shared parser on this thread, as a long-running service would be.
    let _ = smsplan_core::phone::PhoneNumber::parse("06 12 34 56 78", Region::FR);
    let contacts = corpus::contacts(n, 0x5eed_0004);
    let groups = corpus::groups(&contacts, 0x5eed_0005);
    println!(
        "generated {n} contacts in 5 groups in {:.2?}; peak memory {:.0} MB",
        start.elapsed(),
        peak_rss_mb()
    );

    let project = corpus::project();
    let selection = Selection::new(
        ["g0", "g1", "g2", "g3", "g4"].map(|g| GroupId::new(g).unwrap()),
        DedupMode::PerNumber,
    );

    // Peer in the same run: parsing every number alone, split over the same threads.
    let start = Instant::now();
    let cpu = cpu_seconds();
    let chunk = contacts.len().div_ceil(threads.get()).max(1);
    // Same threading as the resolution: the calling thread takes the first chunk, the other
    // threads have their own parser.
    let count = |parser: &PhoneParser, part: &[smsplan_core::contact::Contact]| {
        part.iter()
            .filter_map(|c| c.phone.as_deref())
            .filter(|raw| parser.parse(raw, Region::FR).is_ok())
            .count()
    };
    let valid: usize = std::thread::scope(|s| {
        let mut parts = contacts.chunks(chunk);
        let first = parts.next().unwrap_or_default();
        let handles: Vec<_> = parts
            .map(|part| s.spawn(move || count(&PhoneParser::new(), part)))
            .collect();
        count(&PhoneParser::shared(), first)
            + handles
                .into_iter()
                .map(|h| h.join().unwrap())
                .sum::<usize>()
    });
    let parse_only = start.elapsed();
    let parse_cpu = cpu_seconds() - cpu;
    println!(
        "parse only ({threads} threads): {parse_only:.2?}, cpu {parse_cpu:.2} s ({valid} valid)"
    );

    let before = peak_rss_mb();
    let start = Instant::now();
    let cpu = cpu_seconds();
    let audience = resolve_parallel(&project, &contacts, &groups, &selection, threads).unwrap();
    let total = start.elapsed();
    let total_cpu = cpu_seconds() - cpu;
    let rest = total.saturating_sub(parse_only);
    println!(
        "resolve ({threads} threads): {total:.2?}: {} recipients, {} excluded, {:?}",
        audience.recipients().len(),
        audience.exclusions().len(),
        audience.counts()
    );
    println!(
        "everything but number validation: wall {rest:.2?} = {:.1} % of the total; cpu {:.2} s = {:.1} % of {total_cpu:.2} s",
        100.0 * rest.as_secs_f64() / total.as_secs_f64(),
        total_cpu - parse_cpu,
        100.0 * (total_cpu - parse_cpu) / total_cpu
    );
    println!(
        "peak memory {:.0} MB (contacts and groups: {before:.0} MB)",
        peak_rss_mb()
    );
}
