//! Conversions between the v1 campaign and plan formats and the core types.
//!
//! `Campaign::try_from(spec)` checks every value through core's parsers and names the field
//! path of the first bad one; `v1::plan::SendPlan::from(&core_plan)` writes a plan.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::num::NonZeroU32;

use serde::ser::{Serialize, SerializeStruct, Serializer};

use chrono::{Datelike, Utc};
use smsplan_core::approval::{self, CampaignId};
use smsplan_core::checklist::TestSms as CoreTestSms;
use smsplan_core::contact::ContactId;
use smsplan_core::money::{Currency, Money};
use smsplan_core::phone::PhoneNumber;
use smsplan_core::plan::{self as core_plan, Campaign};
use smsplan_core::schedule::{
    Frequency as CoreFrequency, OutsideWindow as CoreOutsideWindow, Recurrence, Schedule,
};
use smsplan_core::sender::SenderKind as CoreSenderKind;
use smsplan_core::template::{MissingField as CoreMissingField, Template};
use smsplan_core::text;
use smsplan_core::window::{
    MessageClass as CoreClass, PastSend as CorePastSend, Policy, Preset, Topic,
};

use super::audience::ConvertError as AudienceConvertError;
use super::campaign::{
    CampaignSpec, Confirmation, Frequency, MessageClass, MissingField, Mode, OutsideWindow, Sender,
    SenderKind,
};
use super::plan::{self as wire, PlanFormat};
use super::policy::PolicySpecError;
use super::values::{Decimal, Instant, TimeZoneName};

/// A value that the wire format accepts but the domain refuses.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("field `{path}`: {message}")]
pub struct ConvertError {
    /// Dotted path of the field, `[i]` for array items.
    pub path: String,
    /// What is wrong.
    pub message: String,
}

fn err(path: impl Into<String>, e: impl std::fmt::Display) -> ConvertError {
    ConvertError {
        path: path.into(),
        message: e.to_string(),
    }
}

/// Moves the path of an audience conversion error into [`ConvertError::path`].
fn audience_err(e: AudienceConvertError) -> ConvertError {
    use AudienceConvertError as E;
    match e {
        E::Id { path, error } => err(path, error),
        E::Region { path, error } => err(path, error),
        E::TimeZone { path, value } => err(path, format!("unknown time zone {value:?}")),
        E::DateTime { path, value } => err(
            path,
            format!("{value:?} is not an RFC 3339 date-time with an offset"),
        ),
        E::Phone { path, value, error } => err(path, format!("{value:?}: {error}")),
    }
}

/// Prefixes the path of a policy conversion error with the policy's place in the campaign.
fn policy_err(prefix: &str, e: PolicySpecError) -> ConvertError {
    use PolicySpecError as E;
    match e {
        E::Window { path, error } => err(format!("{prefix}.{path}"), error),
        E::Date { path, value } => err(
            format!("{prefix}.{path}"),
            format!("{value:?} is not a date (YYYY-MM-DD)"),
        ),
        E::NotRepresentable { path, reason } => err(format!("{prefix}.{path}"), reason),
        E::Holiday { path, error } => err(format!("{prefix}.{path}"), error),
    }
}

fn money(path: &str, d: &Decimal, currency: Currency) -> Result<Money, ConvertError> {
    Money::parse(d.as_str(), currency).map_err(|e| err(path, e))
}

impl TryFrom<CampaignSpec> for Campaign {
    type Error = ConvertError;

    fn try_from(mut spec: CampaignSpec) -> Result<Self, ConvertError> {
        let id: CampaignId = spec.name.parse().map_err(|e| err("name", e))?;
        let project = spec.project.to_core("project").map_err(audience_err)?;
        // Each wire contact and group is dropped once converted: a million contacts are not
        // held twice.
        let mut contacts = Vec::with_capacity(spec.contacts.len());
        for (i, c) in std::mem::take(&mut spec.contacts).into_iter().enumerate() {
            contacts.push(c.to_core(&format!("contacts[{i}]")).map_err(audience_err)?);
        }
        let mut groups = Vec::with_capacity(spec.groups.len());
        for (i, g) in std::mem::take(&mut spec.groups).into_iter().enumerate() {
            groups.push(g.to_core(&format!("groups[{i}]")).map_err(audience_err)?);
        }
        let selection = spec
            .audience
            .to_core(project.default_region, "audience")
            .map_err(audience_err)?;

        let m = &spec.message;
        let template = Template::parse(&m.template).map_err(|e| err("message.template", e))?;
        let mut message = core_plan::Message::new(template);
        message.sender = m.sender.as_ref().map(|s| {
            let kind = match s.kind {
                SenderKind::Alphanumeric => CoreSenderKind::Alphanumeric,
                SenderKind::ShortCode => CoreSenderKind::ShortCode,
                SenderKind::LongCode => CoreSenderKind::LongCode,
                SenderKind::TollFree => CoreSenderKind::TollFree,
            };
            (kind, s.value.clone())
        });
        if let Some(rate) = m.sender.as_ref().and_then(|s| s.parts_per_second) {
            message.parts_per_second = Some(
                NonZeroU32::new(rate)
                    .ok_or_else(|| err("message.sender.parts_per_second", "must be at least 1"))?,
            );
        }
        message.class = match m.class {
            Some(MessageClass::Transactional) => CoreClass::Transactional,
            Some(MessageClass::Marketing) | None => CoreClass::Marketing,
        };
        message.missing_field = match m.missing_field {
            Some(MissingField::Error) => CoreMissingField::Error,
            Some(MissingField::Exclude) | None => CoreMissingField::Exclude,
        };
        message.topic = m.topic.clone().map(Topic::new);

        let s = &spec.schedule;
        let at_zone = || -> Result<_, ConvertError> {
            let at =
                s.at.as_ref()
                    .ok_or_else(|| err("schedule.at", "required for this mode"))?
                    .value();
            let zone = s
                .time_zone
                .as_ref()
                .ok_or_else(|| err("schedule.time_zone", "required with `at`"))?
                .value();
            Ok((at, zone))
        };
        let schedule = match s.mode {
            Mode::Now => Schedule::Now,
            Mode::Later => {
                let (local, zone) = at_zone()?;
                Schedule::Later { local, zone }
            }
            Mode::Optimized => {
                let (at, _) = at_zone()?;
                Schedule::Optimized {
                    date: at.date(),
                    default_time: at.time(),
                }
            }
            Mode::Recurring => {
                let (at, zone) = at_zone()?;
                let r = s
                    .recurrence
                    .as_ref()
                    .ok_or_else(|| err("schedule.recurrence", "required for mode `recurring`"))?;
                let frequency = match r.frequency {
                    Frequency::Daily => CoreFrequency::Daily,
                    Frequency::Weekly => CoreFrequency::Weekly(at.weekday()),
                    Frequency::Monthly => CoreFrequency::Monthly(at.day()),
                };
                // The last run is the last one at or before `until`.
                let until = r.until.value();
                let end = if until.time() >= at.time() {
                    Some(until.date())
                } else {
                    until.date().pred_opt()
                }
                .ok_or_else(|| err("schedule.recurrence.until", "out of range"))?;
                let rec = Recurrence::new(frequency, at.time(), zone, at.date(), end)
                    .map_err(|e| err("schedule.recurrence.until", e))?;
                Schedule::Recurring(rec)
            }
        };
        let mut custom: BTreeMap<&str, Policy> = BTreeMap::new();
        for (i, spec) in s.custom_policies.iter().enumerate() {
            let place = format!("schedule.custom_policies[{i}]");
            let policy = Policy::try_from(spec).map_err(|e| policy_err(&place, e))?;
            if spec.name == NO_WINDOW {
                return Err(err(
                    format!("{place}.name"),
                    "\"none\" is reserved for \"no window\"",
                ));
            }
            if custom.insert(spec.name.as_str(), policy).is_some() {
                return Err(err(
                    format!("{place}.name"),
                    format!("policy name {:?} defined twice", spec.name),
                ));
            }
        }
        let policies = match &s.policies {
            None => None,
            Some(map) => {
                let mut out = BTreeMap::new();
                for (key, names) in map {
                    let path = format!("schedule.policies.{key}");
                    let canonical = smsplan_core::plan::policy_key(key)
                        .map_err(|e| err(&path, format_args!("key {key:?}: {e}")))?;
                    let list = match names.as_slice() {
                        [] => {
                            return Err(err(
                                path,
                                "empty policy list: write [\"none\"] to send without a window",
                            ));
                        }
                        [only] if only == NO_WINDOW => Vec::new(),
                        _ => names
                            .iter()
                            .enumerate()
                            .map(|(i, n)| match custom.get(n.as_str()) {
                                Some(p) => Ok(p.clone()),
                                None if n == NO_WINDOW => Err(err(
                                    format!("{path}[{i}]"),
                                    "\"none\" cannot be combined with policies",
                                )),
                                None => {
                                    Policy::preset(n).map_err(|e| err(format!("{path}[{i}]"), e))
                                }
                            })
                            .collect::<Result<Vec<_>, _>>()?,
                    };
                    if out.insert(canonical, list).is_some() {
                        return Err(err(path, "the same region or subdivision is given twice"));
                    }
                }
                Some(out)
            }
        };
        let mut timing = core_plan::Timing::new(schedule);
        timing.zone = s.time_zone.as_ref().map(TimeZoneName::value);
        timing.deadline = s.deadline.as_ref().map(Instant::utc);
        timing.policies = policies;
        timing.outside_window = match s.outside_window {
            Some(OutsideWindow::RequireReapproval) => CoreOutsideWindow::RequireReapproval,
            Some(OutsideWindow::Hold) | None => CoreOutsideWindow::Hold,
        };
        if let Some(field) = &s.subdivision_field {
            timing.subdivision_field.clone_from(field);
        }
        if let Some(field) = &s.preferred_hour_field {
            timing.preferred_hour_field.clone_from(field);
        }

        let currency =
            Currency::parse(&spec.credits.currency).map_err(|e| err("credits.currency", e))?;
        let credits = core_plan::Credits {
            balance: money("credits.balance", &spec.credits.balance, currency)?,
            price_per_segment: Money::parse_price(
                spec.credits.price_per_segment.as_str(),
                currency,
            )
            .map_err(|e| err("credits.price_per_segment", e))?,
        };
        let confirmation = match spec.approval.as_ref().and_then(|a| a.confirmation) {
            Some(super::campaign::Confirmation::NotRequired) => approval::Confirmation::NotRequired,
            _ => approval::Confirmation::Required,
        };
        let test_sms = match spec.test_sms {
            Some(t) => CoreTestSms::Sent {
                // The error does not repeat the number: it is personal data.
                to: PhoneNumber::parse(&t.to, project.default_region)
                    .map_err(|e| err("test_sms.to", e))?,
                at: t.at.utc(),
            },
            None => CoreTestSms::NotSent,
        };
        let mut history: HashMap<ContactId, Vec<CorePastSend>> = HashMap::new();
        for (i, h) in spec.history.into_iter().enumerate() {
            let id =
                ContactId::new(h.contact).map_err(|e| err(format!("history[{i}].contact"), e))?;
            history.entry(id).or_default().push(CorePastSend {
                at: h.at.utc(),
                topic: h.topic.map(Topic::new),
            });
        }
        let mut campaign = Campaign::new(
            id,
            (project, contacts, groups),
            selection,
            message,
            timing,
            credits,
        );
        campaign.confirmation = confirmation;
        campaign.test_sms = test_sms;
        campaign.history = history;
        Ok(campaign)
    }
}

/// The policy name that says "no window applies" in `schedule.policies`.
const NO_WINDOW: &str = "none";

fn decimal(m: Money) -> Decimal {
    Decimal::from(m)
}

fn state(kind: approval::StateKind) -> wire::State {
    use approval::StateKind as K;
    match kind {
        K::Prepared => wire::State::Prepared,
        K::AwaitingApproval => wire::State::AwaitingApproval,
        K::Approved => wire::State::Approved,
        K::Rejected => wire::State::Rejected,
        K::Scheduled => wire::State::Scheduled,
        K::Sending => wire::State::Sending,
        K::Held => wire::State::Held,
        K::Completed => wire::State::Completed,
        K::Expired => wire::State::Expired,
        K::Cancelled => wire::State::Cancelled,
        _ => wire::State::Draft,
    }
}

/// An instant written with the offset of the recipient's first zone.
fn local_instant(at: chrono::DateTime<Utc>, zones: &[chrono_tz::Tz]) -> Instant {
    match zones.first() {
        Some(z) => Instant::from_fixed(at.with_timezone(z).fixed_offset()),
        None => Instant::from_utc(at),
    }
}

fn recipient(r: &core_plan::PlannedMessage) -> wire::Recipient {
    wire::Recipient {
        contact: r.contact.as_str().to_owned(),
        phone: r.phone.as_e164().to_owned(),
        send_at: local_instant(r.send_at, &r.time_zones),
        window_end: r.window_end.map(|end| local_instant(end, &r.time_zones)),
        policies: r.policies.names().map(str::to_owned).collect(),
        time_zones: r.time_zones.iter().map(|z| z.name().to_owned()).collect(),
        encoding: match r.encoding {
            text::Encoding::Ucs2 => wire::Encoding::Ucs2,
            _ => wire::Encoding::Gsm7,
        },
        segments: u32::try_from(r.segments).unwrap_or(u32::MAX),
        cost: decimal(r.cost),
        text: r.text.clone(),
    }
}

fn excluded(e: &core_plan::Excluded) -> wire::Excluded {
    wire::Excluded {
        contact: e.contact.as_str().to_owned(),
        reason: e.reason.reason().to_owned(),
        detail: e.reason.detail(),
        kept: e.reason.kept().map(|k| k.as_str().to_owned()),
    }
}

/// The definitions of the policies the rows name that are not presets (or replace the
/// preset of the same name), in name order.
fn definitions(p: &core_plan::SendPlan) -> Result<Vec<super::policy::PolicySpec>, ConvertError> {
    let mut seen_sets = HashSet::new();
    let mut custom: BTreeMap<&str, &Policy> = BTreeMap::new();
    for r in &p.recipients {
        if !seen_sets.insert(r.policies.key()) {
            continue;
        }
        for policy in r.policies.policies() {
            custom.entry(policy.name()).or_insert(policy);
        }
    }
    custom
        .into_values()
        .filter(|policy| {
            policy
                .name()
                .parse::<Preset>()
                .map_or(true, |preset| preset.policy() != **policy)
        })
        .map(|policy| {
            super::policy::PolicySpec::try_from(policy)
                .map_err(|e| policy_err(&format!("policies[{:?}]", policy.name()), e))
        })
        .collect()
}

/// Everything of a plan but its rows.
fn head(p: &core_plan::SendPlan) -> Result<wire::SendPlan, ConvertError> {
    use smsplan_core::checklist::CheckStatus as S;
    Ok(wire::SendPlan {
        format: PlanFormat::V1,
        campaign: p.campaign.as_str().to_owned(),
        run: p.run.as_ref().map(|r| wire::Run {
            index: r.index,
            key: r.key.clone(),
        }),
        generated_at: Instant::from_utc(p.generated_at),
        scheduled_at: Instant::from_utc(p.scheduled_at),
        deadline: p.deadline.map(Instant::from_utc),
        sender: p.sender.as_ref().map(|s| Sender {
            kind: match s.kind() {
                CoreSenderKind::ShortCode => SenderKind::ShortCode,
                CoreSenderKind::LongCode => SenderKind::LongCode,
                CoreSenderKind::TollFree => SenderKind::TollFree,
                _ => SenderKind::Alphanumeric,
            },
            value: s.value().to_owned(),
            parts_per_second: Some(p.parts_per_second.get()),
        }),
        class: Some(match p.class {
            CoreClass::Transactional => MessageClass::Transactional,
            _ => MessageClass::Marketing,
        }),
        outside_window: Some(match p.outside_window {
            CoreOutsideWindow::RequireReapproval => OutsideWindow::RequireReapproval,
            _ => OutsideWindow::Hold,
        }),
        confirmation: Some(match p.confirmation {
            approval::Confirmation::NotRequired => Confirmation::NotRequired,
            _ => Confirmation::Required,
        }),
        skipped_runs: (p.skipped_runs > 0).then_some(p.skipped_runs as u64),
        policies: definitions(p)?,
        state: state(p.state),
        recipients: Vec::new(),
        excluded: Vec::new(),
        totals: wire::Totals {
            recipients: p.totals.recipients as u64,
            excluded: p.totals.excluded as u64,
            segments: p.totals.segments,
            cost: decimal(p.totals.cost),
            currency: p.totals.cost.currency().as_str().to_owned(),
            by_reason: p
                .totals
                .by_reason
                .iter()
                .map(|(k, v)| ((*k).to_owned(), *v as u64))
                .collect(),
            by_segments: p
                .totals
                .by_segments
                .iter()
                .map(|(k, v)| (k.to_string(), *v as u64))
                .collect(),
            by_window: p
                .totals
                .by_window
                .iter()
                .map(|(k, v)| (Instant::from_utc(*k).to_string(), *v as u64))
                .collect(),
            held: p.totals.held as u64,
        },
        checklist: p
            .checklist
            .checks()
            .iter()
            .map(|c| wire::Check {
                id: c.id.as_str().to_owned(),
                status: match c.status {
                    S::Pass => wire::CheckStatus::Pass,
                    S::Warn => wire::CheckStatus::Warn,
                    _ => wire::CheckStatus::Fail,
                },
                detail: c.detail.clone(),
            })
            .collect(),
    })
}

impl TryFrom<&core_plan::SendPlan> for wire::SendPlan {
    type Error = ConvertError;

    /// # Errors
    /// [`ConvertError`] when a policy the rows name cannot be written as
    /// `smsplan.policy/v1` (path `policies["name"]`).
    fn try_from(p: &core_plan::SendPlan) -> Result<Self, ConvertError> {
        Ok(Self {
            recipients: p.recipients.iter().map(recipient).collect(),
            excluded: p.excluded.iter().map(excluded).collect(),
            ..head(p)?
        })
    }
}

/// Writes a core plan as `smsplan.plan/v1` without building the wire rows first: each row
/// is converted as it is written, so a plan of a million recipients needs no second copy.
/// The output is the same as serializing [`wire::SendPlan::try_from`].
///
/// ```
/// # use smsplan_core::plan::SendPlan;
/// fn write(plan: &SendPlan) -> serde_json::Result<String> {
///     serde_json::to_string(&smsplan_formats::v1::convert::PlanView(plan))
/// }
/// ```
#[derive(Debug, Clone, Copy)]
pub struct PlanView<'a>(pub &'a core_plan::SendPlan);

struct Rows<'a, T, W, F: Fn(&'a T) -> W>(&'a [T], F);

impl<'a, T, W: Serialize, F: Fn(&'a T) -> W> Serialize for Rows<'a, T, W, F> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.iter().map(&self.1))
    }
}

impl Serialize for PlanView<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let p = self.0;
        let head = head(p).map_err(serde::ser::Error::custom)?;
        let mut st = s.serialize_struct("SendPlan", 17)?;
        st.serialize_field("format", &head.format)?;
        st.serialize_field("campaign", &head.campaign)?;
        match &head.run {
            Some(run) => st.serialize_field("run", run)?,
            None => st.skip_field("run")?,
        }
        st.serialize_field("generated_at", &head.generated_at)?;
        st.serialize_field("scheduled_at", &head.scheduled_at)?;
        optional(&mut st, "deadline", head.deadline.as_ref())?;
        optional(&mut st, "sender", head.sender.as_ref())?;
        optional(&mut st, "class", head.class.as_ref())?;
        optional(&mut st, "outside_window", head.outside_window.as_ref())?;
        optional(&mut st, "confirmation", head.confirmation.as_ref())?;
        optional(&mut st, "skipped_runs", head.skipped_runs.as_ref())?;
        optional(
            &mut st,
            "policies",
            Some(&head.policies).filter(|v| !v.is_empty()),
        )?;
        st.serialize_field("state", &head.state)?;
        st.serialize_field("recipients", &Rows(&p.recipients, recipient))?;
        st.serialize_field("excluded", &Rows(&p.excluded, excluded))?;
        st.serialize_field("totals", &head.totals)?;
        st.serialize_field("checklist", &head.checklist)?;
        st.end()
    }
}

/// Writes an optional field as the derived `skip_serializing_if` would.
fn optional<S: SerializeStruct, T: Serialize>(
    st: &mut S,
    name: &'static str,
    value: Option<&T>,
) -> Result<(), S::Error> {
    match value {
        Some(v) => st.serialize_field(name, v),
        None => st.skip_field(name),
    }
}
