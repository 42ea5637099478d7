//! Load over loopback: 10,000 messages through the Kannel adapter with delivery reports,
//! bounded in count and in time. Prints messages/s; asserts that every message reached
//! the SMSC once and that every delivered report arrived, once.
#![cfg(all(feature = "kannel", feature = "testing"))]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests"
)]

mod support;

use std::collections::HashSet;
use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use smsplan_provider::delivery::DeliveryState;
use smsplan_provider::gateway::{Body, Gateway, GatewayEvent, MessageId, OutboundMessage};
use smsplan_provider::number::Msisdn;
use smsplan_provider::sender::SenderId;

use support::{counts, kannel_or_skip, rig, text_of};

const MESSAGES: usize = 10_000;
/// Concurrent submitting threads; `SMSPLAN_LOAD_CLIENTS` (1 to 64) overrides.
fn clients() -> usize {
    std::env::var("SMSPLAN_LOAD_CLIENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .map_or(16, |n: usize| n.clamp(1, 64))
}
const TIME_LIMIT: Duration = Duration::from_secs(120);

#[test]
fn kannel_load_ten_thousand_messages_with_delivery_reports() {
    let Some(bins) = kannel_or_skip("kannel_load_ten_thousand_messages_with_delivery_reports")
    else {
        return;
    };
    let rig = rig(bins, "load");
    let from = SenderId::short_code("36180").unwrap();
    let messages: Arc<Vec<OutboundMessage>> = Arc::new(
        (0..MESSAGES)
            .map(|i| {
                OutboundMessage::new(
                    MessageId::new(&format!("load-{i}")).unwrap(),
                    from.clone(),
                    // 100 recipients, as a campaign would have many.
                    Msisdn::parse(&format!("+336120000{:02}", i % 100)).unwrap(),
                    Body::Text(format!("load {i} Offre -20% ce soir")),
                )
            })
            .collect(),
    );
    let started = Instant::now();
    let next = Arc::new(AtomicUsize::new(0));
    let client_count = clients();
    let clients: Vec<_> = (0..client_count)
        .map(|_| {
            let (gateway, messages, next) = (rig.gateway.clone(), messages.clone(), next.clone());
            std::thread::spawn(move || {
                let mut failures = 0usize;
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    let Some(m) = messages.get(i) else { break };
                    let mut attempts = 0;
                    while let Err(e) = gateway.submit(m) {
                        attempts += 1;
                        failures += 1;
                        assert!(attempts < 20, "{e}");
                        std::thread::sleep(Duration::from_millis(50));
                    }
                    assert!(started.elapsed() < TIME_LIMIT, "submitting took too long");
                }
                failures
            })
        })
        .collect();
    let retries: usize = clients.into_iter().map(|c| c.join().unwrap()).sum();
    let submitted = started.elapsed();

    let mut delivered = HashSet::new();
    let mut delivered_reports = 0usize;
    let mut events = 0usize;
    let mut take = |batch: Vec<GatewayEvent>| {
        events += batch.len();
        for e in batch {
            if let GatewayEvent::Delivery(r) = e
                && r.state == DeliveryState::Delivered
            {
                delivered_reports += 1;
                delivered.insert(r.message);
            }
        }
        delivered.len()
    };
    let mut distinct = 0;
    while distinct < MESSAGES && started.elapsed() < TIME_LIMIT {
        let batch = rig.gateway.poll_events(5_000);
        if batch.is_empty() {
            std::thread::sleep(Duration::from_millis(20));
        }
        distinct = take(batch);
    }
    let all_reports = started.elapsed();
    // Late repeats would show up now.
    std::thread::sleep(Duration::from_millis(500));
    take(rig.gateway.poll_events(usize::MAX));

    let received = rig.smsc.received();
    let texts = counts(received.iter().map(text_of));
    let stats = rig.gateway.callbacks().stats();
    let rate = |d: Duration| MESSAGES as f64 / d.as_secs_f64();
    let _ = writeln!(
        std::io::stderr(),
        "\nkannel load: {MESSAGES} messages, {client_count} clients: submitted in {:.2} s \
         ({:.0} msg/s), all delivered reports in {:.2} s ({:.0} msg/s end to end); \
         {} parts at the SMSC, {} distinct; {} delivered reports for {} ids; {} events; \
         submit retries {}; callbacks {stats:?}",
        submitted.as_secs_f64(),
        rate(submitted),
        all_reports.as_secs_f64(),
        rate(all_reports),
        received.len(),
        texts.len(),
        delivered_reports,
        delivered.len(),
        events,
        retries,
    );
    assert_eq!(received.len(), MESSAGES, "parts at the SMSC");
    assert_eq!(texts.len(), MESSAGES, "a message reached the SMSC twice");
    assert!(texts.values().all(|n| *n == 1));
    assert_eq!(delivered.len(), MESSAGES, "delivered reports missing");
    assert_eq!(delivered_reports, MESSAGES, "a delivered report came twice");
    assert_eq!(stats.forbidden + stats.malformed, 0);
}
