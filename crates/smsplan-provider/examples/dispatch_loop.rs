//! A dispatcher in miniature over the in-memory gateway: pace each sender, submit with
//! retries, follow delivery reports, and answer STOP with exactly one confirmation.
//!
//! Run: `cargo run -p smsplan-provider --example dispatch_loop`

use std::sync::Arc;

use chrono::{Duration, TimeZone, Utc};
use smsplan_provider::delivery::DeliveryTracker;
use smsplan_provider::gateway::{
    Body, Gateway, GatewayEvent, InboundMessage, MessageId, OutboundMessage, Retry,
};
use smsplan_provider::keyword::{ConsentBook, Keywords, Replies, reply_message};
use smsplan_provider::memory::{AutoReport, InMemoryGateway};
use smsplan_provider::number::Msisdn;
use smsplan_provider::pacing::{Admission, Pacer};
use smsplan_provider::sender::{Capacity, Sender, SenderId};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let memory = Arc::new(InMemoryGateway::default().with_auto_reports(AutoReport::Delivered));
    let gateway: Arc<dyn Gateway> = memory.clone();
    let sender = SenderId::short_code("36180")?;
    let mut pacer = Pacer::default();
    pacer.add(&Sender::new(sender.clone()).with_capacity(Capacity::per_second(5)?));
    let mut tracker = DeliveryTracker::default();
    let mut consent = ConsentBook::new(Keywords::with_replies(Replies::french()));

    // Simulated time: the dispatcher owns the clock and passes it in.
    let mut now = Utc
        .with_ymd_and_hms(2026, 3, 2, 9, 0, 0)
        .single()
        .ok_or("time")?;
    for i in 0..12 {
        let message = OutboundMessage::new(
            MessageId::new(&format!("spring-{i}"))?,
            sender.clone(),
            Msisdn::parse(&format!("+336123456{i:02}"))?,
            Body::Text(format!("Soldes -{}% ce week-end ! STOP 36180", 10 + i)),
        );
        let parts = u32::try_from(message.parts(gateway.max_parts())?.len())?;
        while let Admission::Wait(wait) = pacer.try_acquire(&sender, parts, now)? {
            now += Duration::from_std(wait)?;
        }
        match gateway.submit(&message) {
            Ok(receipt) => tracker.track(receipt.id, receipt.parts),
            Err(e) if e.retry() != Retry::Never => println!("retry later: {e}"),
            Err(e) => println!("dropped: {e}"),
        }
    }
    println!("12 messages paced at 5 parts/s: last sent at {now}");

    // A recipient answers STOP twice: one opt-out, one confirmation.
    for id in ["mo-1", "mo-2"] {
        memory.inject(InboundMessage {
            id: id.into(),
            from: Msisdn::parse("+33612345603")?,
            to: Msisdn::parse("36180")?,
            text: "Stop".into(),
            received_at: now,
        })?;
    }
    for event in gateway.poll_events(100) {
        match event {
            GatewayEvent::Delivery(report) => {
                tracker.apply(&report)?;
            }
            GatewayEvent::Inbound(inbound) => {
                let outcome = consent.handle(&inbound);
                if let Some(change) = &outcome.change {
                    println!("consent of {} is now {:?}", change.number, change.status);
                }
                if let Some(text) = outcome.reply {
                    gateway.submit(&reply_message(&inbound, &text)?)?;
                }
            }
            _ => {}
        }
    }
    let confirmations = memory
        .sent()
        .iter()
        .filter(|p| p.message.as_str().starts_with("re-") && p.part == 1)
        .count();
    println!(
        "{} messages tracked, spring-0 is {:?}; {confirmations} confirmation sent",
        tracker.len(),
        tracker.state(&MessageId::new("spring-0")?),
    );
    Ok(())
}
