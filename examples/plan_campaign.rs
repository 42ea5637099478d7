//! The main job: plan the bundled winter-sale campaign (`testdata/sample/campaign.json`,
//! about 3,000 generated contacts in France, Alsace-Moselle, several US states and other
//! countries), get it approved, then simulate sending at one message per second, with
//! messages held when a legal window closes, until completion.
//!
//! Run it with `cargo run --locked --example plan_campaign`. Time is simulated: the plan is
//! made at a fixed `now`, so every run prints the same summary.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet, BinaryHeap};

use smsplan::core::approval::{Actor, Event, Session, StateKind};
use smsplan::core::chrono::{DateTime, TimeDelta, Utc};
use smsplan::core::contact::ContactId;
use smsplan::core::plan::{Campaign, SendPlan};
use smsplan::core::progress::DeliveryStatus;
use smsplan::formats::read::from_json;
use smsplan::formats::v1::campaign::CampaignSpec;

const CAMPAIGN: &str = include_str!("../testdata/sample/campaign.json");

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let now: DateTime<Utc> = "2026-12-20T09:00:00Z".parse()?;
    let spec: CampaignSpec = from_json(CAMPAIGN)?;
    let campaign = Campaign::try_from(spec)?;

    // 1. Prepare: the plan and its checklist.
    let plans = campaign.plan(now)?; // on every core; the result does not depend on it
    let plan = plans.first().ok_or("a one-off campaign has one plan")?;
    print_plan(&campaign, plan);

    // 2. Approve and schedule, with an audit trail.
    let ana = Actor::new("ana@shop.example")?;
    let bob = Actor::new("bob@shop.example")?;
    let mut session = Session::new(campaign.id.clone())
        .with_outside_window(campaign.timing.outside_window)
        .with_confirmation(campaign.confirmation);
    let minutes = |m| now + TimeDelta::minutes(m);
    session.apply(Event::Prepare(plan.checklist.clone()), &ana, minutes(0))?;
    session.apply(Event::Submit, &ana, minutes(1))?;
    session.apply(Event::Approve, &bob, minutes(30))?;
    session.apply(Event::Schedule, &ana, minutes(35))?;
    session.apply(Event::Confirm, &ana, minutes(36))?;

    // 3. Simulated sending: one message per second from each message's `send_at`.
    let sent = simulate(plan, &mut session)?;

    // 4. Completion.
    let p = plan.progress(sent.iter().map(|(id, s)| (id, *s)));
    println!("\n== completion");
    println!(
        "sent {} of {} ({:.1} %): {} delivered, {} failed, {} held, {} remaining",
        p.sent,
        p.total,
        p.percent_complete(),
        p.delivered,
        p.failed,
        p.held,
        p.remaining
    );
    println!("\n== audit trail");
    for a in session.audit() {
        println!(
            "{}  {:<18} {:<14} {:>17} → {:<17} {}",
            a.at.format("%Y-%m-%d %H:%M:%S UTC"),
            a.actor.as_str(),
            a.event.as_str(),
            a.from.as_str(),
            a.to.as_str(),
            a.reason.as_deref().unwrap_or("")
        );
    }
    println!("\nfinal state: {}", session.state().kind());
    Ok(())
}

fn print_plan(campaign: &Campaign, plan: &SendPlan) {
    let t = &plan.totals;
    println!(
        "== plan of {:?} at {}",
        campaign.id.as_str(),
        plan.generated_at
    );
    println!(
        "{} contacts selected: {} messages, {} excluded",
        t.recipients + t.excluded,
        t.recipients,
        t.excluded
    );
    println!(
        "{} segments, estimated cost {} {}",
        t.segments,
        t.cost,
        t.cost.currency()
    );
    println!("segments per message: {:?}", t.by_segments);
    println!("excluded by reason:");
    for (reason, n) in &t.by_reason {
        println!("  {reason:<20} {n:>5}");
    }
    let mut by_day: BTreeMap<String, usize> = BTreeMap::new();
    for r in &plan.recipients {
        let zone = r
            .time_zones
            .first()
            .copied()
            .unwrap_or(smsplan::core::chrono_tz::UTC);
        let local = r.send_at.with_timezone(&zone);
        *by_day
            .entry(format!(
                "{} {}",
                local.format("%a %d %b %H:%M"),
                zone.name()
            ))
            .or_default() += 1;
    }
    println!("first allowed send times (local):");
    for (when, n) in by_day.iter().take(8) {
        println!("  {when:<40} {n:>5}");
    }
    println!("checklist ({}):", plan.state);
    for c in plan.checklist.checks() {
        println!("  [{}] {:<18} {}", c.status, c.id, c.detail);
    }
}

/// Sends at the sender's pace in `send_at` order; a message whose window closed before
/// its turn is held until the window opens again.
fn simulate(
    plan: &SendPlan,
    session: &mut Session,
) -> Result<Vec<(ContactId, DeliveryStatus)>, Box<dyn std::error::Error>> {
    let system = Actor::system();
    let mut queue: BinaryHeap<Reverse<(DateTime<Utc>, usize)>> = plan
        .recipients
        .iter()
        .enumerate()
        .map(|(i, r)| Reverse((r.send_at, i)))
        .collect();
    let mut reports = Vec::new();
    let mut clock = queue.peek().map_or(plan.scheduled_at, |Reverse((t, _))| *t);
    session.apply(Event::Start, &system, clock)?;
    println!("\n== sending from {clock}");
    let mut held_since: Option<DateTime<Utc>> = None;
    let mut held = BTreeSet::new();
    while let Some(Reverse((due, i))) = queue.pop() {
        let r = plan.recipients.get(i).ok_or("index from the queue")?;
        if due > clock + TimeDelta::minutes(1) {
            if !held.is_empty() && session.state().kind() == StateKind::Sending {
                session.apply(Event::WindowClosed, &system, clock)?;
                held_since = Some(clock);
                let p = plan.progress(reports.iter().map(|(id, s)| (id, *s)));
                println!(
                    "{clock}: window closed, {} messages held; {:.1} % sent so far",
                    held.len(),
                    p.percent_complete()
                );
            }
            clock = due;
        }
        if let Some(deadline) = plan.deadline
            && clock >= deadline
        {
            session.apply(Event::Expire, &system, deadline)?;
            println!("{deadline}: deadline reached");
            return Ok(reports);
        }
        // Each row carries the policies that apply to it.
        let next = r.policies.next_allowed(&r.time_zones, clock)?;
        if next > clock {
            reports.push((r.contact.clone(), DeliveryStatus::Held));
            held.insert(i);
            queue.push(Reverse((next, i)));
            continue;
        }
        if session.state().kind() == StateKind::Held {
            session.apply(Event::WindowOpened, &system, clock)?;
            println!(
                "{clock}: window open again after {} h, resuming",
                held_since.map_or(0, |s| (clock - s).num_hours())
            );
            if session.state().kind() == StateKind::AwaitingApproval {
                let bob = Actor::new("bob@shop.example")?;
                session.apply(Event::Approve, &bob, clock)?;
                session.apply(Event::Schedule, &bob, clock)?;
                session.apply(Event::Confirm, &bob, clock)?;
                session.apply(Event::Start, &bob, clock)?;
            }
        }
        held.remove(&i);
        // Deterministic outcome: about 3 % of messages fail.
        let status = if i % 33 == 7 {
            DeliveryStatus::Failed
        } else {
            DeliveryStatus::Delivered
        };
        reports.push((r.contact.clone(), DeliveryStatus::Sent));
        reports.push((r.contact.clone(), status));
        // The sender's pace, as the plan assumed it.
        let busy = 1_000_000_000 * r.segments as i64 / i64::from(plan.parts_per_second.get());
        clock += TimeDelta::nanoseconds(busy);
    }
    session.apply(Event::Complete, &system, clock)?;
    println!("{clock}: every message sent");
    Ok(reports)
}
