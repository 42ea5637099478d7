//! Conversions between the v1 campaign and plan formats and the core types.
//!
//! `Campaign::try_from(spec)` checks every value through core's parsers and names the field
//! path of the first bad one, keeping core's error as it is ([`Problem`]);
//! `v1::plan::SendPlan::try_from(&core_plan)` (or [`PlanView`]) writes a plan, failing with
//! [`NotRepresentable`] on a core value v1 has no spelling for.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::error::Error as StdError;
use std::fmt;
use std::num::NonZeroU32;

use serde::ser::{Error as _, Serialize, SerializeSeq, SerializeStruct, Serializer};

use chrono::{Datelike, Utc};
use smsplan_core::approval::{self, CampaignId};
use smsplan_core::checklist::TestSms as CoreTestSms;
use smsplan_core::contact::{ContactId, IdError};
use smsplan_core::holiday::HolidayError;
use smsplan_core::money::{Currency, Money, MoneyError};
use smsplan_core::phone::{PhoneError, PhoneNumber, RawNumber, RegionError};
use smsplan_core::plan::{self as core_plan, Campaign, PolicyKeyError};
use smsplan_core::schedule::{Frequency as CoreFrequency, Recurrence, Schedule, ScheduleError};
use smsplan_core::template::{MissingField as CoreMissingField, Template, TemplateError};
use smsplan_core::window::{
    MessageClass as CoreClass, PastSend as CorePastSend, Policy, Preset, Topic, WindowError,
};

use super::audience::ConvertError as AudienceConvertError;
use super::campaign::{CampaignSpec, Frequency, Mode, Sender};
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
    /// A core enum value that v1 has no spelling for (writing a plan).
    #[error(transparent)]
    Unspellable(#[from] NotRepresentable),
    /// A phone number that is not valid (the number is not repeated: it is personal data).
    #[error(transparent)]
    Number(#[from] PhoneError),
    /// A count that must be at least 1 is 0.
    #[error("must be at least 1")]
    Zero,
    /// A custom policy takes the name that means "no window".
    #[error("\"none\" is reserved for \"no window\"")]
    ReservedName,
    /// Two custom policies have the same name.
    #[error("policy name {name:?} defined twice")]
    DuplicatePolicyName {
        /// The name.
        name: String,
    },
    /// A policy map key is refused.
    #[error("key {key:?}: {error}")]
    PolicyKey {
        /// The key as written.
        key: String,
        /// Why.
        error: PolicyKeyError,
    },
    /// A policy map entry lists no policy.
    #[error("empty policy list: write [\"none\"] to send without a window")]
    EmptyPolicyList,
    /// `"none"` is listed with other policies.
    #[error("\"none\" cannot be combined with policies")]
    NoneWithPolicies,
    /// Two keys of a policy map name the same region or subdivision.
    #[error("the same region or subdivision is given twice")]
    DuplicateKey,
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
        if let Some(rate) = m.sender.as_ref().and_then(|s| s.parts_per_second) {
            message.parts_per_second = Some(
                NonZeroU32::new(rate)
                    .ok_or_else(|| err("message.sender.parts_per_second", Problem::Zero))?,
            );
        }
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
            let place = format!("schedule.custom_policies[{i}]");
            let policy = Policy::try_from(spec).map_err(|e| policy_err(&place, e))?;
            if spec.name == NO_WINDOW {
                return Err(err(format!("{place}.name"), Problem::ReservedName));
            }
            if custom.insert(spec.name.as_str(), policy).is_some() {
                return Err(err(
                    format!("{place}.name"),
                    Problem::DuplicatePolicyName {
                        name: spec.name.clone(),
                    },
                ));
            }
        }
        let policies = match &s.policies {
            None => None,
            Some(map) => {
                let mut out = BTreeMap::new();
                for (key, names) in map {
                    let path = format!("schedule.policies.{key}");
                    let canonical = smsplan_core::plan::policy_key(key).map_err(|error| {
                        err(
                            &path,
                            Problem::PolicyKey {
                                key: key.clone(),
                                error,
                            },
                        )
                    })?;
                    let list = match names.as_slice() {
                        [] => {
                            return Err(err(path, Problem::EmptyPolicyList));
                        }
                        [only] if only == NO_WINDOW => Vec::new(),
                        _ => names
                            .iter()
                            .enumerate()
                            .map(|(i, n)| match custom.get(n.as_str()) {
                                Some(p) => Ok(p.clone()),
                                None if n == NO_WINDOW => {
                                    Err(err(format!("{path}[{i}]"), Problem::NoneWithPolicies))
                                }
                                None => {
                                    Policy::preset(n).map_err(|e| err(format!("{path}[{i}]"), e))
                                }
                            })
                            .collect::<Result<Vec<_>, _>>()?,
                    };
                    if out.insert(canonical, list).is_some() {
                        return Err(err(path, Problem::DuplicateKey));
                    }
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
            price_per_segment: Money::parse_price(
                spec.credits.price_per_segment.as_str(),
                currency,
            )
            .map_err(|e| err("credits.price_per_segment", e))?,
        };
        let confirmation = spec
            .approval
            .as_ref()
            .and_then(|a| a.confirmation)
            .map_or(approval::Confirmation::Required, Into::into);
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

/// An instant written with the offset of the recipient's first zone.
fn local_instant(at: chrono::DateTime<Utc>, zones: &[chrono_tz::Tz]) -> Instant {
    match zones.first() {
        Some(z) => Instant::from_fixed(at.with_timezone(z).fixed_offset()),
        None => Instant::from_utc(at),
    }
}

fn recipient(r: &core_plan::PlannedMessage) -> Result<wire::Recipient, NotRepresentable> {
    Ok(wire::Recipient {
        contact: r.contact.as_str().to_owned(),
        phone: r.phone.as_e164().to_owned(),
        send_at: local_instant(r.send_at, &r.time_zones),
        window_end: r.window_end.map(|end| local_instant(end, &r.time_zones)),
        policies: r.policies.names().map(str::to_owned).collect(),
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

/// A core value v1 cannot spell, at `path`.
fn unspellable(path: impl Into<String>) -> impl FnOnce(NotRepresentable) -> ConvertError {
    move |e| err(path, e)
}

/// Everything of a plan but its rows.
fn head(p: &core_plan::SendPlan) -> Result<wire::SendPlan, ConvertError> {
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
        sender: p
            .sender
            .as_ref()
            .map(|s| {
                Ok::<_, NotRepresentable>(Sender {
                    kind: s.kind().try_into()?,
                    value: s.value().to_owned(),
                    parts_per_second: Some(p.parts_per_second.get()),
                })
            })
            .transpose()
            .map_err(unspellable("sender.kind"))?,
        class: Some(p.class.try_into().map_err(unspellable("class"))?),
        outside_window: Some(
            p.outside_window
                .try_into()
                .map_err(unspellable("outside_window"))?,
        ),
        confirmation: Some(
            p.confirmation
                .try_into()
                .map_err(unspellable("confirmation"))?,
        ),
        skipped_runs: (p.skipped_runs > 0).then_some(p.skipped_runs as u64),
        policies: definitions(p)?,
        state: p.state.try_into().map_err(unspellable("state"))?,
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
            .enumerate()
            .map(|(i, c)| {
                Ok(wire::Check {
                    id: c.id.as_str().to_owned(),
                    status: c
                        .status
                        .try_into()
                        .map_err(unspellable(format!("checklist[{i}].status")))?,
                    detail: c.detail.clone(),
                })
            })
            .collect::<Result<_, ConvertError>>()?,
    })
}

impl TryFrom<&core_plan::SendPlan> for wire::SendPlan {
    type Error = ConvertError;

    /// # Errors
    /// [`ConvertError`] when a policy the rows name cannot be written as
    /// `smsplan.policy/v1` (path `policies["name"]`), or a core value has no v1 spelling
    /// ([`Problem::Unspellable`], path of the field).
    fn try_from(p: &core_plan::SendPlan) -> Result<Self, ConvertError> {
        Ok(Self {
            recipients: p
                .recipients
                .iter()
                .enumerate()
                .map(|(i, r)| recipient(r).map_err(unspellable(format!("recipients[{i}]"))))
                .collect::<Result<_, _>>()?,
            excluded: p
                .excluded
                .iter()
                .enumerate()
                .map(|(i, e)| excluded(e).map_err(unspellable(format!("excluded[{i}]"))))
                .collect::<Result<_, _>>()?,
            ..head(p)?
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
