//! Criterion: reading and rendering the report of a 100,000-recipient plan, against the
//! same plan only parsed (serde_json skipping every value) in the same run.
//!
//! The plan is the bundled campaign planned at 2026-12-20T10:00:00+01:00 with its rows
//! repeated (new contact ids) to 100,000 recipients: the real mix of zones, policies,
//! encodings and exclusion reasons. The 1M figure end to end is `benches/report_1m.sh`.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use smsplan_formats::v1::convert::PlanView;
use smsplan_formats::v1::plan::SendPlan;
use smsplan_report::PlanReport;

const RECIPIENTS: usize = 100_000;

fn plan() -> Vec<u8> {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
    let text = std::fs::read_to_string(format!("{root}/testdata/sample/campaign.json")).unwrap();
    let spec: smsplan_formats::v1::campaign::CampaignSpec =
        smsplan_formats::read::from_json(&text).unwrap();
    let campaign = smsplan_core::plan::Campaign::try_from(spec).unwrap();
    let now = "2026-12-20T09:00:00Z".parse().unwrap();
    let plans = smsplan_core::plan::plan(&campaign, now, std::num::NonZeroUsize::MIN).unwrap();
    let mut wire: SendPlan =
        serde_json::from_slice(&serde_json::to_vec(&PlanView(&plans[0])).unwrap()).unwrap();
    let (rows, excluded) = (wire.recipients.clone(), wire.excluded.clone());
    wire.recipients = (0..RECIPIENTS)
        .map(|i| {
            let mut r = rows[i % rows.len()].clone();
            r.contact = format!("{}-{i}", r.contact);
            r
        })
        .collect();
    let n_excluded = RECIPIENTS * excluded.len() / rows.len();
    wire.excluded = (0..n_excluded)
        .map(|i| excluded[i % excluded.len()].clone())
        .collect();
    wire.totals.recipients = RECIPIENTS as u64;
    wire.totals.excluded = n_excluded as u64;
    wire.totals.segments = wire.recipients.iter().map(|r| u64::from(r.segments)).sum();
    serde_json::to_vec(&wire).unwrap()
}

fn bench(c: &mut Criterion) {
    let bytes = plan();
    let mut group = c.benchmark_group("report");
    group.throughput(Throughput::Bytes(bytes.len() as u64));
    group.sample_size(10);
    group.bench_function("peer/parse_only/100k", |b| {
        b.iter(|| serde_json::from_slice::<serde::de::IgnoredAny>(black_box(&bytes)).unwrap())
    });
    group.bench_function("read/100k", |b| {
        b.iter(|| PlanReport::read(black_box(bytes.as_slice())).unwrap())
    });
    let report = PlanReport::read(bytes.as_slice()).unwrap();
    group.bench_function("render/100k", |b| {
        b.iter(|| report.render(None).unwrap().len())
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
