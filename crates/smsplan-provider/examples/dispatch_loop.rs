//! A dispatcher in miniature over the in-memory gateway: plan a campaign, approve and
//! start it, send what is due with [`Dispatcher`] (paced, idempotent), follow delivery
//! reports, and answer STOP with exactly one confirmation.
//!
//! Run: `cargo run -p smsplan-provider --example dispatch_loop`

use std::num::NonZeroUsize;
use std::sync::Arc;

use chrono::{TimeZone, Utc};
use smsplan_core::approval::{Actor, Event, Session};
use smsplan_core::audience::{Project, ProjectKey, Selection};
use smsplan_core::contact::{Consent, ConsentStatus, Contact, ContactId};
use smsplan_core::dedup::DedupMode;
use smsplan_core::group::{Group, GroupId};
use smsplan_core::money::{Currency, Money};
use smsplan_core::phone::Region;
use smsplan_core::plan::{Campaign, Credits, Message, Timing, plan};
use smsplan_core::schedule::Schedule;
use smsplan_core::template::Template;
use smsplan_provider::delivery::DeliveryTracker;
use smsplan_provider::dispatch::{Dispatcher, message_id};
use smsplan_provider::gateway::{Gateway, GatewayEvent, InboundMessage};
use smsplan_provider::keyword::{ConsentBook, Keywords, Replies, reply_message};
use smsplan_provider::memory::{AutoReport, InMemoryGateway};
use smsplan_provider::number::Msisdn;
use smsplan_provider::pacing::Pacer;
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

    // Twelve subscribed contacts, planned now.
    let contacts = (0..12)
        .map(|i| {
            Ok(Contact::new(ContactId::new(format!("contact-{i}"))?)
                .with_phone(format!("+336123456{i:02}"))
                .with_consent(Consent::new(ConsentStatus::Subscribed)))
        })
        .collect::<Result<Vec<_>, smsplan_core::contact::IdError>>()?;
    let all = Group::new(GroupId::new("all")?, contacts.iter().map(|c| c.id.clone()));
    let mut message = Message::new(Template::parse("Soldes -50% ce week-end ! STOP 36180")?);
    message.sender = Some((smsplan_core::sender::SenderKind::ShortCode, "36180".into()));
    // The plan places messages at the pace the pacer keeps.
    message.parts_per_second = std::num::NonZeroU32::new(5);
    let campaign = Campaign::new(
        "spring".parse()?,
        (
            Project::new(ProjectKey::Email, Region::FR),
            contacts,
            vec![all.clone()],
        ),
        Selection::new([all.id.clone()], DedupMode::PerNumber),
        message,
        Timing::new(Schedule::Now),
        Credits {
            balance: Money::parse("100.00", Currency::EUR)?,
            price_per_segment: Money::parse("0.045", Currency::EUR)?,
        },
    );
    let send_plan = plan(&campaign, now, NonZeroUsize::MIN)?
        .into_iter()
        .next()
        .ok_or("no plan")?;

    // Approve and start: only a `Sending` session dispatches.
    let mut session = Session::new(campaign.id.clone());
    let (ana, bob) = (Actor::new("ana")?, Actor::new("bob")?);
    session.apply(Event::Prepare(send_plan.checklist.clone()), &ana, now)?;
    session.apply(Event::Submit, &ana, now)?;
    session.apply(Event::Approve, &bob, now)?;
    session.apply(Event::Schedule, &ana, now)?;
    session.apply(Event::Confirm, &ana, now)?;
    session.apply(Event::Start, &Actor::system(), now)?;

    let mut dispatcher = Dispatcher::new(); // sends from the plan's sender
    loop {
        let report =
            dispatcher.dispatch_due(&send_plan, session.state(), &*gateway, &mut pacer, now)?;
        for row in &report.submitted {
            tracker.track(row.row.id.clone(), row.parts);
        }
        for row in &report.rejected {
            println!("row {} rejected: {}", row.row.index, row.error);
        }
        match report.next_call() {
            Some(at) => now = at, // a real dispatcher sleeps until `at`
            None => break,
        }
    }
    println!(
        "{} messages paced at 5 parts/s: last sent at {now}",
        send_plan.recipients.len()
    );

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
        "{} messages tracked, contact-0's is {:?}; {confirmations} confirmation sent",
        tracker.len(),
        tracker.state(&message_id("spring", None, "contact-0")),
    );
    Ok(())
}
