//! The generated fragment corpus of `benches/`, for tools outside cargo bench.
//!
//! `cargo run --release --example fragment_corpus -- write 100000` prints the corpus as JSON
//! lines (one JSON string per message); `... -- time 100000` prints the in-process
//! throughput of `analyze` over it, best of five passes.

use std::io::{self, BufWriter, Write};
use std::time::Instant;

use smsplan_text::{Options, analyze};

#[path = "../benches/corpus/mod.rs"]
mod corpus;

const SEED: u64 = 0x5EED_5A5A;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let mode = args.next().unwrap_or_else(|| "write".to_owned());
    let count: usize = args.next().map_or(Ok(100_000), |n| n.parse())?;
    let messages = corpus::messages(count, SEED);
    match mode.as_str() {
        "write" => {
            let mut out = BufWriter::new(io::stdout().lock());
            for m in &messages {
                serde_json::to_writer(&mut out, m)?;
                out.write_all(b"\n")?;
            }
            out.flush()?;
        }
        "time" => {
            let bytes: usize = messages.iter().map(String::len).sum();
            let options = Options::default();
            let mut best = f64::INFINITY;
            let mut segments = 0;
            for _ in 0..5 {
                let start = Instant::now();
                segments = messages
                    .iter()
                    .map(|m| analyze(m, &options).map_or(0, |a| a.segments))
                    .sum::<usize>();
                best = best.min(start.elapsed().as_secs_f64());
            }
            println!(
                "smsplan (in-process)\t{:.1} MB/s\t{:.0} messages/s\t{segments} segments",
                bytes as f64 / best / 1e6,
                count as f64 / best
            );
        }
        other => return Err(format!("unknown mode {other:?}: use write or time").into()),
    }
    Ok(())
}
