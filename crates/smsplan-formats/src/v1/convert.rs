//! Conversions between the v1 campaign and plan formats and the core types.
//!
//! `Campaign::try_from(spec)` checks every value through core's parsers and names the field
//! path of the first bad one, keeping core's error as it is ([`Problem`]);
//! `v1::plan::SendPlan::try_from(&core_plan)` (or [`PlanView`]) writes a plan, failing with
//! [`NotRepresentable`] on a core value v1 has no spelling for.

use std::collections::{BTreeMap, HashMap};
use std::error::Error as StdError;
use std::fmt;

use serde::ser::{Error as _, Serialize, SerializeSeq, SerializeStruct, Serializer};

use chrono::{Datelike, Utc};
use smsplan_core::approval::{self, CampaignId};
use smsplan_core::checklist::TestSms as CoreTestSms;
use smsplan_core::contact::{ContactId, IdError};
use smsplan_core::holiday::HolidayError;
use smsplan_core::money::{Currency, Money, MoneyError};
use smsplan_core::phone::{PhoneError, RawNumber, RegionError};
use smsplan_core::plan::{self as core_plan, Campaign};
use smsplan_core::schedule::{Frequency as CoreFrequency, Recurrence, Schedule, ScheduleError};
use smsplan_core::template::{MissingField as CoreMissingField, Template, TemplateError};
use smsplan_core::window::{
    MessageClass as CoreClass, PastSend as CorePastSend, Policy, Topic, WindowError,
};

use super::audience::ConvertError as AudienceConvertError;
use super::campaign::{CampaignSpec, Frequency, Mode};
use super::mirror::NotRepresentable;
use super::plan::{self as wire, PlanFormat};
use super::policy::PolicySpecError;
use super::values::{Decimal, Instant, TimeZoneName};

/// A value that the wire format accepts but the domain refuses: where, and core's error.
///
/// The message is `field `{path}`: {problem}`; [`source`](StdError::source) is the
/// problem's own source (a [`Problem`] that wraps a core error shows that error's message
/// and hands on its source), so a reporter that prints the chain shows each cause once.
///
/// ```
/// use smsplan_core::plan::Campaign;
/// use smsplan_formats::read::from_json;
/// use smsplan_formats::v1::campaign::CampaignSpec;
/// use smsplan_formats::v1::convert::Problem;
///
/// let text = std::fs::read_to_string(concat!(
///     env!("CARGO_MANIFEST_DIR"),
///     "/tests/golden/v1/campaign/minimal.json"
/// ))?;
/// let spec: CampaignSpec = from_json(&text.replacen("\"EUR\"", "\"eur\"", 1))?;
/// let err = Campaign::try_from(spec).err().ok_or("accepted")?;
/// assert_eq!(err.path, "credits.currency");
/// assert!(matches!(err.problem, Problem::Money(_)));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConvertError {
    /// Dotted path of the field, `[i]` for array items.
    pub path: String,
    /// What is wrong.
    pub problem: Problem,
}

impl fmt::Display for ConvertError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "field `{}`: {}", self.path, self.problem)
    }
}

impl StdError for ConvertError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.problem.source()
    }
}

/// What is wrong with a value, with core's error when core refused it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Problem {
    /// An id (campaign, contact) is refused.
    #[error(transparent)]
    Id(#[from] IdError),
    /// The campaign name is refused.
    #[error(transparent)]
    Name(#[from] approval::IdError),
    /// A region code is malformed or unknown.
    #[error(transparent)]
    Region(#[from] RegionError),
    /// A time zone name that the IANA database does not know.
    #[error("unknown time zone {value:?}")]
    TimeZone {
        /// The name given.
        value: String,
    },
    /// A date-time that is not RFC 3339 with an offset.
    #[error("{value:?} is not an RFC 3339 date-time with an offset")]
    DateTime {
        /// The text given.
        value: String,
    },
    /// A date that is not `YYYY-MM-DD`.
    #[error("{value:?} is not a date (YYYY-MM-DD)")]
    Date {
        /// The text given.
        value: String,
    },
    /// A number that is not a valid phone number (the number is masked in the message).
    #[error("\"{value}\": {error}")]
    Phone {
        /// The number given.
        value: RawNumber,
        /// Why it is not valid.
        error: PhoneError,
    },
    /// The message template does not parse.
    #[error(transparent)]
    Template(#[from] TemplateError),
    /// A field the rest of the document needs is absent.
    #[error("required {when}")]
    Required {
        /// When it is required, such as `for mode \`recurring\``.
        when: &'static str,
    },
    /// A date computed from the field leaves the supported range.
    #[error("out of range")]
    OutOfRange,
    /// A schedule value is refused.
    #[error(transparent)]
    Schedule(#[from] ScheduleError),
    /// A window policy value is refused (a preset name, a time range, a cap).
    #[error(transparent)]
    Window(#[from] WindowError),
    /// A holiday definition is refused.
    #[error(transparent)]
    Holiday(#[from] HolidayError),
    /// An amount or a currency is refused.
    #[error(transparent)]
    Money(#[from] MoneyError),
    /// A policy value that core has and v1 cannot spell.
    #[error("{reason}")]
    NotRepresentable {
        /// Why.
        reason: &'static str,
    },
}

fn err(path: impl Into<String>, problem: impl Into<Problem>) -> ConvertError {
    ConvertError {
        path: path.into(),
        problem: problem.into(),
    }
}

/// Moves the path of an audience conversion error into [`ConvertError::path`].
fn audience_err(e: AudienceConvertError) -> ConvertError {
    use AudienceConvertError as E;
    match e {
        E::Id { path, error } => err(path, error),
        E::Region { path, error } => err(path, error),
        E::TimeZone { path, value } => err(path, Problem::TimeZone { value }),
        E::DateTime { path, value } => err(path, Problem::DateTime { value }),
        E::Phone { path, value, error } => err(path, Problem::Phone { value, error }),
    }
}

/// Prefixes the path of a policy conversion error with the policy's place in the campaign.
fn policy_err(prefix: &str, e: PolicySpecError) -> ConvertError {
    use PolicySpecError as E;
    match e {
        E::Window { path, error } => err(format!("{prefix}.{path}"), error),
        E::Date { path, value } => err(format!("{prefix}.{path}"), Problem::Date { value }),
        E::NotRepresentable { path, reason } => err(
            format!("{prefix}.{path}"),
            Problem::NotRepresentable { reason },
        ),
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
        message.sender = m.sender.as_ref().map(|s| (s.kind.into(), s.value.clone()));
        message.class = m.class.map_or(CoreClass::Marketing, CoreClass::from);
        message.missing_field = m
            .missing_field
            .map_or(CoreMissingField::Exclude, CoreMissingField::from);
        message.topic = m.topic.clone().map(Topic::new);

        let s = &spec.schedule;
        let at_zone = || -> Result<_, ConvertError> {
            let at =
                s.at.as_ref()
                    .ok_or_else(|| {
                        err(
                            "schedule.at",
                            Problem::Required {
                                when: "for this mode",
                            },
                        )
                    })?
                    .value();
            let zone = s
                .time_zone
                .as_ref()
                .ok_or_else(|| {
                    err(
                        "schedule.time_zone",
                        Problem::Required { when: "with `at`" },
                    )
                })?
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
                let r = s.recurrence.as_ref().ok_or_else(|| {
                    err(
                        "schedule.recurrence",
                        Problem::Required {
                            when: "for mode `recurring`",
                        },
                    )
                })?;
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
                .ok_or_else(|| err("schedule.recurrence.until", Problem::OutOfRange))?;
                let rec = Recurrence::new(frequency, at.time(), zone, at.date(), end)
                    .map_err(|e| err("schedule.recurrence.until", e))?;
                Schedule::Recurring(rec)
            }
        };
        let mut custom: BTreeMap<&str, Policy> = BTreeMap::new();
        for (i, spec) in s.custom_policies.iter().enumerate() {
            let policy = Policy::try_from(spec)
                .map_err(|e| policy_err(&format!("schedule.custom_policies[{i}]"), e))?;
            custom.insert(spec.name.as_str(), policy);
        }
        let policies = match &s.policies {
            None => None,
            Some(map) => {
                let mut out = BTreeMap::new();
                for (key, names) in map {
                    let list = names
                        .iter()
                        .enumerate()
                        .map(|(i, n)| match custom.get(n.as_str()) {
                            Some(p) => Ok(p.clone()),
                            None => Policy::preset(n)
                                .map_err(|e| err(format!("schedule.policies.{key}[{i}]"), e)),
                        })
                        .collect::<Result<Vec<_>, _>>()?;
                    out.insert(key.to_ascii_uppercase(), list);
                }
                Some(out)
            }
        };
        let mut timing = core_plan::Timing::new(schedule);
        timing.zone = s.time_zone.as_ref().map(TimeZoneName::value);
        timing.deadline = s.deadline.as_ref().map(Instant::utc);
        timing.policies = policies;
        timing.outside_window = s
            .outside_window
            .map_or(smsplan_core::schedule::OutsideWindow::Hold, Into::into);
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
            price_per_segment: money(
                "credits.price_per_segment",
                &spec.credits.price_per_segment,
                currency,
            )?,
        };
        let confirmation = spec
            .approval
            .as_ref()
            .and_then(|a| a.confirmation)
            .map_or(approval::Confirmation::Required, Into::into);
        let test_sms = match spec.test_sms {
            Some(t) => CoreTestSms::Sent { to: t.to },
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

fn decimal(m: Money) -> Decimal {
    Decimal::from(m)
}

fn recipient(r: &core_plan::PlannedMessage) -> Result<wire::Recipient, NotRepresentable> {
    Ok(wire::Recipient {
        contact: r.contact.as_str().to_owned(),
        phone: r.phone.as_e164().to_owned(),
        send_at: match r.time_zones.first() {
            Some(z) => Instant::from_fixed(r.send_at.with_timezone(z).fixed_offset()),
            None => Instant::from_utc(r.send_at.with_timezone(&Utc)),
        },
        time_zones: r.time_zones.iter().map(|z| z.name().to_owned()).collect(),
        encoding: r.encoding.try_into()?,
        segments: u32::try_from(r.segments).unwrap_or(u32::MAX),
        cost: decimal(r.cost),
        text: r.text.clone(),
    })
}

fn excluded(e: &core_plan::Excluded) -> Result<wire::Excluded, NotRepresentable> {
    Ok(wire::Excluded {
        contact: e.contact.as_str().to_owned(),
        reason: e.reason.reason().to_owned(),
        detail: e.reason.detail(),
        kept: e.reason.kept().map(|k| k.as_str().to_owned()),
    })
}

impl TryFrom<&core_plan::SendPlan> for wire::SendPlan {
    type Error = NotRepresentable;

    fn try_from(p: &core_plan::SendPlan) -> Result<Self, NotRepresentable> {
        Ok(Self {
            format: PlanFormat::V1,
            campaign: p.campaign.as_str().to_owned(),
            run: p.run.as_ref().map(|r| wire::Run {
                index: r.index,
                key: r.key.clone(),
            }),
            generated_at: Instant::from_utc(p.generated_at),
            scheduled_at: Instant::from_utc(p.scheduled_at),
            deadline: p.deadline.map(Instant::from_utc),
            state: p.state.try_into()?,
            recipients: p
                .recipients
                .iter()
                .map(recipient)
                .collect::<Result<_, _>>()?,
            excluded: p.excluded.iter().map(excluded).collect::<Result<_, _>>()?,
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
            },
            checklist: p
                .checklist
                .checks()
                .iter()
                .map(|c| {
                    Ok(wire::Check {
                        id: c.id.as_str().to_owned(),
                        status: c.status.try_into()?,
                        detail: c.detail.clone(),
                    })
                })
                .collect::<Result<_, NotRepresentable>>()?,
        })
    }
}

/// Writes a core plan as `smsplan.plan/v1` without building the wire rows first: each row
/// is converted as it is written, so a plan of a million recipients needs no second copy.
/// The output is the same as serializing [`wire::SendPlan::try_from`]; a core value v1 has
/// no spelling for ([`NotRepresentable`]) is a serialization error.
///
/// ```
/// # use smsplan_core::plan::SendPlan;
/// fn write(plan: &SendPlan) -> serde_json::Result<String> {
///     serde_json::to_string(&smsplan_formats::v1::convert::PlanView(plan))
/// }
/// ```
#[derive(Debug, Clone, Copy)]
pub struct PlanView<'a>(pub &'a core_plan::SendPlan);

/// Rows converted one by one as they are written.
struct Rows<'a, T, W, F: Fn(&'a T) -> Result<W, NotRepresentable>>(&'a [T], F);

impl<'a, T, W: Serialize, F: Fn(&'a T) -> Result<W, NotRepresentable>> Serialize
    for Rows<'a, T, W, F>
{
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.0.len()))?;
        for row in self.0 {
            seq.serialize_element(&(self.1)(row).map_err(S::Error::custom)?)?;
        }
        seq.end()
    }
}

impl Serialize for PlanView<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let p = self.0;
        let empty = core_plan::SendPlan {
            recipients: Vec::new(),
            excluded: Vec::new(),
            checklist: p.checklist.clone(),
            totals: p.totals.clone(),
            run: p.run.clone(),
            campaign: p.campaign.clone(),
            ..*p
        };
        let head = wire::SendPlan::try_from(&empty).map_err(S::Error::custom)?;
        let mut st = s.serialize_struct("SendPlan", 11)?;
        st.serialize_field("format", &head.format)?;
        st.serialize_field("campaign", &head.campaign)?;
        match &head.run {
            Some(run) => st.serialize_field("run", run)?,
            None => st.skip_field("run")?,
        }
        st.serialize_field("generated_at", &head.generated_at)?;
        st.serialize_field("scheduled_at", &head.scheduled_at)?;
        match &head.deadline {
            Some(d) => st.serialize_field("deadline", d)?,
            None => st.skip_field("deadline")?,
        }
        st.serialize_field("state", &head.state)?;
        st.serialize_field("recipients", &Rows(&p.recipients, recipient))?;
        st.serialize_field("excluded", &Rows(&p.excluded, excluded))?;
        st.serialize_field("totals", &head.totals)?;
        st.serialize_field("checklist", &head.checklist)?;
        st.end()
    }
}
