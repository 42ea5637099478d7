//! Bench binary: plans a generated campaign of 1,000,000 contacts (or
//! `SMSPLAN_BENCH_CONTACTS`) once per thread count and prints the time of the audience
//! step, of the whole plan, and the peak memory of the process (Linux `VmHWM`).
//!
//! `cargo bench -p smsplan-core --bench plan_1m`

#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "a benchmark over fixed, known-good generated data"
)]

use std::num::NonZeroUsize;
use std::time::Instant;

use chrono::{DateTime, Utc};
use smsplan_core::audience::resolve_parallel;
use smsplan_core::plan::plan;

mod plan_corpus;

fn peak_mib() -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
        })
        .map_or_else(|| "unknown".to_owned(), |kib| format!("{} MiB", kib / 1024))
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return; // `cargo bench -- --list` probes harness-less benches
    }
    let n: usize = std::env::var("SMSPLAN_BENCH_CONTACTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let t = Instant::now();
    let campaign = plan_corpus::campaign(n);
    println!(
        "generated {n} contacts in {:.2} s, peak memory so far {}",
        t.elapsed().as_secs_f64(),
        peak_mib()
    );
    let now: DateTime<Utc> = "2026-12-20T09:00:00Z".parse().unwrap();
    for threads in [1, 2] {
        let threads = NonZeroUsize::new(threads).unwrap();
        let t = Instant::now();
        let audience = resolve_parallel(
            &campaign.project,
            &campaign.contacts,
            &campaign.groups,
            &campaign.selection,
            threads,
        )
        .unwrap();
        let audience_s = t.elapsed().as_secs_f64();
        let recipients = audience.recipients().len();
        drop(audience);
        let t = Instant::now();
        let plans = plan(&campaign, now, threads).unwrap();
        let plan_s = t.elapsed().as_secs_f64();
        println!(
            "{threads} thread(s): audience {audience_s:.2} s ({recipients} recipients), whole plan {plan_s:.2} s ({} messages)",
            plans[0].recipients.len()
        );
    }
    println!("peak memory {}", peak_mib());
}
