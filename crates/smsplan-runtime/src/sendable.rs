//! A stored plan (`smsplan.plan/v1`) read back as the core plan the dispatcher sends.
//!
//! The store keeps the plan the approver saw, as its wire document: that document, and
//! nothing re-planned, is what is sent. This reads back what sending needs: campaign,
//! run, deadline, sender and pace, message class, outside-window mode, confirmation, and
//! per row contact, number, `send_at`, `window_end`, policies (presets by name, the
//! others from the plan's `policies` definitions), zones, encoding, segments, cost and
//! text. Not carried: exclusions (nobody is sent to), totals (recomputed where needed)
//! and the checklist (the approval already passed it); a row's `position` becomes its
//! index in the plan.

use std::collections::{BTreeMap, HashMap};
use std::num::NonZeroU32;

use chrono_tz::Tz;
use smsplan_core::approval::{CampaignId, StateKind};
use smsplan_core::checklist::Checklist;
use smsplan_core::contact::ContactId;
use smsplan_core::money::{Currency, Money};
use smsplan_core::phone::PhoneNumber;
use smsplan_core::plan::{PlannedMessage, Run, SendPlan, Totals};
use smsplan_core::sender::{Sender, SenderKind};
use smsplan_core::text::Encoding;
use smsplan_core::window::{Policy, PolicySet};
use smsplan_formats::v1::plan as wire;

use crate::RuntimeError;

/// Reads a stored plan back for sending (see the [module docs](self)).
///
/// # Errors
/// [`RuntimeError::StoredPlan`] with the field path of the first refused value.
pub fn sendable(plan: &wire::SendPlan) -> Result<SendPlan, RuntimeError> {
    let bad = |field: String, problem: String| RuntimeError::StoredPlan {
        campaign: plan.campaign.clone(),
        field,
        problem,
    };
    let campaign: CampaignId = plan
        .campaign
        .parse()
        .map_err(|e: smsplan_core::approval::IdError| bad("campaign".into(), e.to_string()))?;
    let currency = Currency::parse(&plan.totals.currency)
        .map_err(|e| bad("totals.currency".into(), e.to_string()))?;
    let mut defined: BTreeMap<&str, Policy> = BTreeMap::new();
    for (i, spec) in plan.policies.iter().enumerate() {
        let policy =
            Policy::try_from(spec).map_err(|e| bad(format!("policies[{i}]"), e.to_string()))?;
        defined.insert(spec.name.as_str(), policy);
    }
    let policy = |name: &str, field: String| -> Result<Policy, RuntimeError> {
        match defined.get(name) {
            Some(p) => Ok(p.clone()),
            None => Policy::preset(name).map_err(|e| bad(field, e.to_string())),
        }
    };
    let (sender, parts_per_second) = match &plan.sender {
        None => (None, NonZeroU32::MIN),
        Some(s) => {
            let kind = SenderKind::from(s.kind);
            let sender = Sender::new(kind, &s.value)
                .map_err(|e| bad("sender.value".into(), e.to_string()))?;
            let rate = s
                .parts_per_second
                .and_then(NonZeroU32::new)
                .unwrap_or(NonZeroU32::MIN);
            (Some(sender), rate)
        }
    };
    // Rows naming the same policies share one set.
    let mut sets: HashMap<&[String], PolicySet> = HashMap::new();
    let mut recipients = Vec::with_capacity(plan.recipients.len());
    let mut segments = 0u64;
    let mut cost = Money::zero(currency);
    for (i, r) in plan.recipients.iter().enumerate() {
        let at = |f: &str| format!("recipients[{i}].{f}");
        let contact =
            ContactId::new(r.contact.clone()).map_err(|e| bad(at("contact"), e.to_string()))?;
        let phone = PhoneNumber::parse_international(&r.phone)
            .map_err(|e| bad(at("phone"), e.to_string()))?;
        let policies = match sets.get(r.policies.as_slice()) {
            Some(set) => set.clone(),
            None => {
                let set = PolicySet::new(
                    r.policies
                        .iter()
                        .enumerate()
                        .map(|(j, name)| policy(name, format!("recipients[{i}].policies[{j}]")))
                        .collect::<Result<Vec<_>, _>>()?,
                );
                sets.insert(r.policies.as_slice(), set.clone());
                set
            }
        };
        let time_zones = r
            .time_zones
            .iter()
            .enumerate()
            .map(|(j, z)| {
                z.parse::<Tz>()
                    .map_err(|e| bad(format!("recipients[{i}].time_zones[{j}]"), e.to_string()))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let row_cost =
            Money::parse(r.cost.as_str(), currency).map_err(|e| bad(at("cost"), e.to_string()))?;
        segments += u64::from(r.segments);
        cost = cost
            .checked_add(row_cost)
            .map_err(|e| bad(at("cost"), e.to_string()))?;
        recipients.push(PlannedMessage {
            contact,
            position: i,
            phone,
            send_at: r.send_at.utc(),
            window_end: r.window_end.as_ref().map(|t| t.utc()),
            policies,
            time_zones,
            encoding: Encoding::from(r.encoding),
            segments: usize::try_from(r.segments).unwrap_or(usize::MAX),
            cost: row_cost,
            text: r.text.clone(),
        });
    }
    Ok(SendPlan {
        run: plan.run.as_ref().map(|r| Run {
            index: r.index,
            key: r.key.clone(),
        }),
        generated_at: plan.generated_at.utc(),
        scheduled_at: plan.scheduled_at.utc(),
        deadline: plan.deadline.as_ref().map(|t| t.utc()),
        sender,
        class: plan
            .class
            .map_or(smsplan_core::window::MessageClass::Marketing, Into::into),
        outside_window: plan
            .outside_window
            .map_or(smsplan_core::schedule::OutsideWindow::Hold, Into::into),
        confirmation: plan
            .confirmation
            .map_or(smsplan_core::approval::Confirmation::Required, Into::into),
        parts_per_second,
        skipped_runs: plan
            .skipped_runs
            .and_then(|n| usize::try_from(n).ok())
            .unwrap_or(0),
        state: StateKind::from(plan.state),
        totals: Totals {
            recipients: recipients.len(),
            excluded: plan.excluded.len(),
            segments,
            cost,
            by_reason: BTreeMap::new(),
            by_segments: BTreeMap::new(),
            by_window: BTreeMap::new(),
            held: usize::try_from(plan.totals.held).unwrap_or(usize::MAX),
        },
        recipients,
        excluded: Vec::new(),
        checklist: Checklist::default(),
        campaign,
    })
}
