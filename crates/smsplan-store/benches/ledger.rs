//! How many parts per second the dispatch ledger records, durably (a SQLite file in WAL
//! mode): each part gets its intent before the submit and its receipt after, as `run`
//! will record them.
//!
//! - `per_message`: one transaction per message holding the receipt of the message just
//!   submitted and the intent of the next one (at most one message in doubt after a
//!   crash);
//! - `batch_100`: intents of 100 messages in one transaction, their receipts in another
//!   (up to 100 in doubt);
//! - `power_loss`: `per_message` with `synchronous = FULL` (an fsync per commit).
//!
//! `cargo bench -p smsplan-store --bench ledger`
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::time::{Duration, Instant};

use chrono::{DateTime, TimeZone, Utc};
use criterion::{Criterion, Throughput, criterion_group};
use smsplan_core::approval::CampaignId;
use smsplan_core::contact::ContactId;
use smsplan_core::money::{Currency, Money};
use smsplan_core::phone::{PhoneNumber, Region};
use smsplan_formats::v1::campaign::CampaignSpec;
use smsplan_provider::gateway::{MessageId, Submission};
use smsplan_store::{
    Durability, Lease, LedgerBatch, MessageIntent, PartReceipt, ReceiptKind, SqliteStore, Store,
};

const CAMPAIGN: &str = include_str!("../../smsplan-formats/tests/golden/v1/campaign/minimal.json");

struct Bench {
    store: SqliteStore,
    lease: Lease,
    next: u64,
    numbers: Vec<PhoneNumber>,
    price: Money,
    _dir: tempdir::Dir,
}

mod tempdir {
    /// A directory removed when dropped.
    pub struct Dir(pub std::path::PathBuf);
    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

fn at() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 20, 9, 0, 0).unwrap()
}

impl Bench {
    fn new(name: &str, durability: Durability) -> Self {
        let dir = std::env::temp_dir().join(format!(
            "smsplan-ledger-bench-{}-{name}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let store = SqliteStore::open_with(dir.join("bench.db"), durability).unwrap();
        let id: CampaignId = "bench".parse().unwrap();
        let spec: CampaignSpec = serde_json::from_str(CAMPAIGN).unwrap();
        store.create_campaign(&id, &spec, at()).unwrap();
        store
            .top_up(
                Money::parse("1000000000", Currency::EUR).unwrap(),
                at(),
                "bench",
            )
            .unwrap();
        let lease = store
            .claim(&id, "bench", at(), Duration::from_secs(1 << 30))
            .unwrap();
        // Seeded, realistic-looking French mobile numbers; never real people.
        let numbers = (0..1_000u32)
            .map(|i| {
                let n = 12_345_000 + (i * 7_919) % 1_000_000;
                PhoneNumber::parse(&format!("+336{n:08}"), Region::FR).unwrap()
            })
            .collect();
        Self {
            store,
            lease,
            next: 0,
            numbers,
            price: Money::parse("0.045", Currency::EUR).unwrap(),
            _dir: tempdir::Dir(dir),
        }
    }

    fn intent(&mut self) -> MessageIntent {
        self.next += 1;
        let n = self.next;
        let number = self.numbers[usize::try_from(n % 1_000).unwrap()];
        MessageIntent::new(
            MessageId::new(&format!("bench.{n:016x}")).unwrap(),
            ContactId::new(format!("c{n}")).unwrap(),
            number,
            1,
            self.price,
        )
    }

    fn receipt(intent: &MessageIntent) -> PartReceipt {
        PartReceipt::new(
            intent.message.clone(),
            1,
            ReceiptKind::Submitted(Submission::Accepted),
        )
    }

    /// `parts` single-part messages, one transaction each (receipt of the last + intent
    /// of the next); returns the time taken.
    fn per_message(&mut self, parts: u64) -> Duration {
        let started = Instant::now();
        let mut previous: Option<MessageIntent> = None;
        for _ in 0..parts {
            let intent = self.intent();
            let receipts = previous.iter().map(Self::receipt).collect();
            self.store
                .record(
                    &self.lease,
                    &LedgerBatch::new(receipts, vec![intent.clone()]),
                    at(),
                )
                .unwrap();
            previous = Some(intent);
        }
        if let Some(last) = previous {
            self.store
                .record(
                    &self.lease,
                    &LedgerBatch::new(vec![Self::receipt(&last)], Vec::new()),
                    at(),
                )
                .unwrap();
        }
        started.elapsed()
    }

    /// `parts` messages in batches of `size`: intents in one transaction, receipts in
    /// another.
    fn batched(&mut self, parts: u64, size: u64) -> Duration {
        let started = Instant::now();
        let mut left = parts;
        while left > 0 {
            let n = left.min(size);
            left -= n;
            let intents: Vec<MessageIntent> = (0..n).map(|_| self.intent()).collect();
            let receipts = intents.iter().map(Self::receipt).collect();
            self.store
                .record(&self.lease, &LedgerBatch::new(Vec::new(), intents), at())
                .unwrap();
            self.store
                .record(&self.lease, &LedgerBatch::new(receipts, Vec::new()), at())
                .unwrap();
        }
        started.elapsed()
    }
}

fn ledger(c: &mut Criterion) {
    const PARTS: u64 = 1_000;
    let mut group = c.benchmark_group("ledger");
    group.throughput(Throughput::Elements(PARTS));
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(5));
    let mut per_message = Bench::new("per-message", Durability::Process);
    group.bench_function("per_message", |b| {
        b.iter_custom(|iters| (0..iters).map(|_| per_message.per_message(PARTS)).sum())
    });
    let mut batched = Bench::new("batch", Durability::Process);
    group.bench_function("batch_100", |b| {
        b.iter_custom(|iters| (0..iters).map(|_| batched.batched(PARTS, 100)).sum())
    });
    let mut synced = Bench::new("power-loss", Durability::PowerLoss);
    group.bench_function("power_loss_per_message", |b| {
        b.iter_custom(|iters| (0..iters).map(|_| synced.per_message(PARTS)).sum())
    });
    group.finish();
}

/// Process CPU time (user + system) from `/proc/self/stat`, in seconds; `None` elsewhere.
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name (which may hold spaces) start at state (field 3);
    // utime and stime are fields 14 and 15, in clock ticks (100 per second on Linux).
    let rest = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| fields.get(i)?.parse::<f64>().ok();
    Some((ticks(11)? + ticks(12)?) / 100.0)
}

/// Wall and CPU figures over 20,000 parts per mode, checkpoints included, printed after
/// criterion's: the machine is shared, and CPU time shows what the store itself costs.
fn summary() {
    const PARTS: u64 = 20_000;
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!(
        "ledger summary, {PARTS} parts per mode, load average {}",
        load.trim()
    );
    let modes: [(&str, Durability, Option<u64>); 3] = [
        ("per_message", Durability::Process, None),
        ("batch_100", Durability::Process, Some(100)),
        ("power_loss_per_message", Durability::PowerLoss, None),
    ];
    for (name, durability, batch) in modes {
        let mut bench = Bench::new(&format!("summary-{name}"), durability);
        let parts = if batch.is_none() && durability == Durability::PowerLoss {
            PARTS / 10
        } else {
            PARTS
        };
        let cpu = cpu_seconds();
        let wall = match batch {
            None => bench.per_message(parts),
            Some(size) => bench.batched(parts, size),
        };
        let cpu = cpu.zip(cpu_seconds()).map(|(a, b)| b - a);
        let rate = parts as f64 / wall.as_secs_f64();
        match cpu {
            Some(cpu) => println!(
                "  {name}: {rate:.0} parts/s wall ({:.1} s), {:.0} parts per CPU second",
                wall.as_secs_f64(),
                parts as f64 / cpu.max(0.01)
            ),
            None => println!(
                "  {name}: {rate:.0} parts/s wall ({:.1} s)",
                wall.as_secs_f64()
            ),
        }
    }
}

criterion_group!(benches, ledger);

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
    // `cargo bench -- --list` and filters are criterion's; the summary runs on a full run.
    if std::env::args().skip(1).all(|a| a == "--bench") {
        summary();
    }
}
