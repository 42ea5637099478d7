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
use std::sync::{Mutex, PoisonError};

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

    /// Converts on the calling thread; [`campaign_from_spec`] converts the contacts on
    /// several.
    fn try_from(spec: CampaignSpec) -> Result<Self, ConvertError> {
        campaign_from_spec(spec, std::num::NonZeroUsize::MIN)
    }
}

/// Contacts from which [`campaign_from_spec`] converts on more than one thread.
const PARALLEL_CONTACTS: usize = 20_000;

/// Converts a campaign document as `Campaign::try_from` does, the contacts by up to
/// `threads` threads (each a contiguous share; small lists stay on the calling thread).
///
/// The result, and the error for an invalid document (the first bad value in document
/// order), do not depend on `threads`. A thread the system refuses to start is not an
/// error: its share is converted on the calling thread.
///
/// ```
/// use std::num::NonZeroUsize;
/// use smsplan_formats::read::from_json;
/// use smsplan_formats::v1::campaign::CampaignSpec;
/// use smsplan_formats::v1::convert::campaign_from_spec;
/// let text = std::fs::read_to_string(concat!(
///     env!("CARGO_MANIFEST_DIR"),
///     "/tests/golden/v1/campaign/minimal.json"
/// ))?;
/// let spec: CampaignSpec = from_json(&text)?;
/// let two = NonZeroUsize::MIN.saturating_add(1);
/// let campaign = campaign_from_spec(spec.clone(), two)?;
/// let one = smsplan_core::plan::Campaign::try_from(spec)?;
/// assert_eq!(campaign.contacts, one.contacts);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
/// # Errors
/// As `Campaign::try_from`: the [`ConvertError`] of the first value the domain refuses,
/// with its path.
pub fn campaign_from_spec(
    mut spec: CampaignSpec,
    threads: std::num::NonZeroUsize,
) -> Result<Campaign, ConvertError> {
    let id: CampaignId = spec.name.parse().map_err(|e| err("name", e))?;
    let project = spec.project.to_core("project").map_err(audience_err)?;
    // The texts of each wire contact and group move into the core one: a million
    // contacts are not held twice.
    let contacts = convert_contacts(&mut spec.contacts, threads).map_err(audience_err)?;
    spec.contacts = Vec::new();
    let mut groups = Vec::with_capacity(spec.groups.len());
    for (i, g) in std::mem::take(&mut spec.groups).into_iter().enumerate() {
        groups.push(
            g.convert(&|| format!("groups[{i}]"))
                .map_err(audience_err)?,
        );
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
                            None => Policy::preset(n).map_err(|e| err(format!("{path}[{i}]"), e)),
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
        price_per_segment: Money::parse_price(spec.credits.price_per_segment.as_str(), currency)
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
        let id = ContactId::new(h.contact).map_err(|e| err(format!("history[{i}].contact"), e))?;
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

/// Converts the contacts by contiguous shares, one thread each, moving their texts; the
/// first error in list order wins.
fn convert_contacts(
    contacts: &mut [super::audience::Contact],
    threads: std::num::NonZeroUsize,
) -> Result<Vec<smsplan_core::contact::Contact>, AudienceConvertError> {
    let convert = |offset: usize, share: &mut [super::audience::Contact]| {
        share
            .iter_mut()
            .enumerate()
            .map(|(i, c)| c.take().convert(&|| format!("contacts[{}]", offset + i)))
            .collect::<Result<Vec<_>, _>>()
    };
    let threads = threads.get().min(contacts.len() / PARALLEL_CONTACTS).max(1);
    if threads == 1 {
        return convert(0, contacts);
    }
    let total = contacts.len();
    let size = total.div_ceil(threads);
    type Slot<'c> = Mutex<Option<(usize, &'c mut [super::audience::Contact])>>;
    // Each share waits in a slot for the thread that converts it; the calling thread takes
    // the first, and the share of a thread the system refuses to start.
    let slots: Vec<Slot<'_>> = contacts
        .chunks_mut(size)
        .enumerate()
        .map(|(i, share)| Mutex::new(Some((i * size, share))))
        .collect();
    let run = |slot: &Slot<'_>| {
        let taken = slot.lock().unwrap_or_else(PoisonError::into_inner).take();
        taken.map_or_else(|| Ok(Vec::new()), |(offset, share)| convert(offset, share))
    };
    let shares: Vec<_> = std::thread::scope(|scope| {
        let run = &run;
        let handles: Vec<_> = slots
            .iter()
            .skip(1)
            .map(|slot| {
                std::thread::Builder::new()
                    .spawn_scoped(scope, move || run(slot))
                    .ok()
            })
            .collect();
        let mut out = Vec::with_capacity(slots.len());
        out.extend(slots.first().map(run));
        for (slot, handle) in slots.iter().skip(1).zip(handles) {
            out.push(match handle {
                // Converting cannot panic on input; if it did, the panic goes on.
                Some(handle) => handle
                    .join()
                    .unwrap_or_else(|e| std::panic::resume_unwind(e)),
                None => run(slot),
            });
        }
        out
    });
    let mut all = Vec::with_capacity(total);
    for share in shares {
        all.extend(share?);
    }
    Ok(all)
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

/// A recipient row written from the core row as it is: the JSON of [`wire::Recipient`]
/// (same fields, order and omissions) without its owned copies of the texts.
struct RecipientRow<'a>(&'a core_plan::PlannedMessage);

impl Serialize for RecipientRow<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let r = self.0;
        let encoding = wire::Encoding::try_from(r.encoding).map_err(S::Error::custom)?;
        let mut st = s.serialize_struct("Recipient", 10)?;
        st.serialize_field("contact", r.contact.as_str())?;
        st.serialize_field("phone", r.phone.as_e164())?;
        st.serialize_field("send_at", &LocalInstant(r.send_at, &r.time_zones))?;
        match r.window_end {
            Some(end) => st.serialize_field("window_end", &LocalInstant(end, &r.time_zones))?,
            None => st.skip_field("window_end")?,
        }
        if r.policies.is_empty() {
            st.skip_field("policies")?;
        } else {
            st.serialize_field("policies", &Names(&r.policies))?;
        }
        st.serialize_field("time_zones", &Zones(&r.time_zones))?;
        st.serialize_field("encoding", &encoding)?;
        st.serialize_field("segments", &u32::try_from(r.segments).unwrap_or(u32::MAX))?;
        st.serialize_field("cost", &MoneyText(r.cost))?;
        st.serialize_field("text", r.text.as_str())?;
        st.end()
    }
}

/// A policy set as the list of its names.
struct Names<'a>(&'a smsplan_core::window::PolicySet);

impl Serialize for Names<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.names())
    }
}

/// Zones as the list of their IANA names.
struct Zones<'a>(&'a [chrono_tz::Tz]);

impl Serialize for Zones<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.iter().map(|z| z.name()))
    }
}

/// An amount written as [`Decimal::from`] writes it, formatted on the stack.
struct MoneyText(Money);

impl Serialize for MoneyText {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use fmt::Write as _;
        let mut text = StackText::new();
        match write!(text, "{}", self.0) {
            Ok(()) => s.serialize_str(text.as_str()),
            Err(_) => s.serialize_str(&self.0.to_string()),
        }
    }
}

/// An instant written as [`local_instant`] writes it.
struct LocalInstant<'a>(chrono::DateTime<Utc>, &'a [chrono_tz::Tz]);

impl Serialize for LocalInstant<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let at = match self.1.first() {
            Some(z) => self.0.with_timezone(z).fixed_offset(),
            None => self.0.fixed_offset(),
        };
        match rfc3339_seconds(at) {
            Some(text) => s.serialize_str(text.as_str()),
            None => s.serialize_str(Instant::from_fixed(at).as_str()),
        }
    }
}

/// `YYYY-MM-DDTHH:MM:SS[.fff]±HH:MM`, the text of [`Instant::from_fixed`] (chrono's
/// `AutoSi`: 3, 6 or 9 digits of fraction, as many as needed) for an instant of a year
/// 0–9999 with an offset in whole minutes, outside a leap second; `None` otherwise (the
/// caller lets chrono write it).
fn rfc3339_seconds(at: chrono::DateTime<chrono::FixedOffset>) -> Option<StackText> {
    use chrono::Timelike;
    let offset = at.offset().local_minus_utc();
    let nanos = at.nanosecond();
    if nanos >= 1_000_000_000 || !(0..=9999).contains(&at.year()) || offset % 60 != 0 {
        return None;
    }
    let minutes = offset.unsigned_abs() / 60;
    let mut text = StackText::new();
    let year = at.year().unsigned_abs();
    let digits = |n: u32| [b'0' + (n / 10 % 10) as u8, b'0' + (n % 10) as u8];
    let [y1, y2] = digits(year / 100);
    let [y3, y4] = digits(year);
    let [mo1, mo2] = digits(at.month());
    let [d1, d2] = digits(at.day());
    let [h1, h2] = digits(at.hour());
    let [mi1, mi2] = digits(at.minute());
    let [s1, s2] = digits(at.second());
    let sign = if offset < 0 { b'-' } else { b'+' };
    let [oh1, oh2] = digits(minutes / 60);
    let [om1, om2] = digits(minutes % 60);
    let (fraction, width) = match nanos {
        0 => (0, 0),
        n if n % 1_000_000 == 0 => (n / 1_000_000, 3),
        n if n % 1_000 == 0 => (n / 1_000, 6),
        n => (n, 9),
    };
    let mut decimals = [b'.', 0, 0, 0, 0, 0, 0, 0, 0, 0];
    let mut rest = fraction;
    for d in decimals.get_mut(1..=width)?.iter_mut().rev() {
        *d = b'0' + (rest % 10) as u8;
        rest /= 10;
    }
    let decimals = if width == 0 {
        &[][..]
    } else {
        decimals.get(..=width)?
    };
    let pushed = text.push_ascii(&[
        y1, y2, y3, y4, b'-', mo1, mo2, b'-', d1, d2, b'T', h1, h2, b':', mi1, mi2, b':', s1, s2,
    ]) && text.push_ascii(decimals)
        && text.push_ascii(&[sign, oh1, oh2, b':', om1, om2]);
    pushed.then_some(text)
}

/// A short text built on the stack (an amount, an instant).
struct StackText {
    bytes: [u8; 64],
    len: usize,
}

impl StackText {
    fn new() -> Self {
        Self {
            bytes: [0; 64],
            len: 0,
        }
    }

    /// Appends ASCII bytes; `false` (and nothing appended) when they are not ASCII or do
    /// not fit.
    fn push_ascii(&mut self, ascii: &[u8]) -> bool {
        let end = self.len + ascii.len();
        match self.bytes.get_mut(self.len..end) {
            Some(room) if ascii.is_ascii() => {
                room.copy_from_slice(ascii);
                self.len = end;
                true
            }
            _ => false,
        }
    }

    fn as_str(&self) -> &str {
        // Only whole `&str`s or ASCII are ever appended, so the bytes are UTF-8.
        self.bytes
            .get(..self.len)
            .and_then(|b| std::str::from_utf8(b).ok())
            .unwrap_or_default()
    }
}

impl fmt::Write for StackText {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let end = self.len + s.len();
        let room = self.bytes.get_mut(self.len..end).ok_or(fmt::Error)?;
        room.copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

/// What the fields of a plan are written to: a serde struct, or the parallel compact
/// writer. Both see the fields in the one order [`plan_fields`] gives.
trait PlanFields {
    type Error;

    fn field<T: Serialize + ?Sized>(
        &mut self,
        name: &'static str,
        value: &T,
    ) -> Result<(), Self::Error>;

    fn skip(&mut self, name: &'static str) -> Result<(), Self::Error>;

    fn recipients(&mut self, rows: &[core_plan::PlannedMessage]) -> Result<(), Self::Error>;

    fn excluded(&mut self, rows: &[core_plan::Excluded]) -> Result<(), Self::Error>;

    fn optional<T: Serialize>(
        &mut self,
        name: &'static str,
        value: Option<&T>,
    ) -> Result<(), Self::Error> {
        match value {
            Some(v) => self.field(name, v),
            None => self.skip(name),
        }
    }
}

/// The fields of `smsplan.plan/v1` in their order, with the omissions of the derived
/// [`wire::SendPlan`].
fn plan_fields<F: PlanFields>(
    p: &core_plan::SendPlan,
    head: &wire::SendPlan,
    out: &mut F,
) -> Result<(), F::Error> {
    out.field("format", &head.format)?;
    out.field("campaign", &head.campaign)?;
    out.optional("run", head.run.as_ref())?;
    out.field("generated_at", &head.generated_at)?;
    out.field("scheduled_at", &head.scheduled_at)?;
    out.optional("deadline", head.deadline.as_ref())?;
    out.optional("sender", head.sender.as_ref())?;
    out.optional("class", head.class.as_ref())?;
    out.optional("outside_window", head.outside_window.as_ref())?;
    out.optional("confirmation", head.confirmation.as_ref())?;
    out.optional("skipped_runs", head.skipped_runs.as_ref())?;
    out.optional("policies", Some(&head.policies).filter(|v| !v.is_empty()))?;
    out.field("state", &head.state)?;
    out.recipients(&p.recipients)?;
    out.excluded(&p.excluded)?;
    out.field("totals", &head.totals)?;
    out.field("checklist", &head.checklist)
}

/// [`PlanFields`] over a serde struct serializer.
struct StructFields<S>(S);

impl<S: SerializeStruct> PlanFields for StructFields<S> {
    type Error = S::Error;

    fn field<T: Serialize + ?Sized>(
        &mut self,
        name: &'static str,
        value: &T,
    ) -> Result<(), S::Error> {
        self.0.serialize_field(name, value)
    }

    fn skip(&mut self, name: &'static str) -> Result<(), S::Error> {
        self.0.skip_field(name)
    }

    fn recipients(&mut self, rows: &[core_plan::PlannedMessage]) -> Result<(), S::Error> {
        self.0
            .serialize_field("recipients", &Rows(rows, |r| Ok(RecipientRow(r))))
    }

    fn excluded(&mut self, rows: &[core_plan::Excluded]) -> Result<(), S::Error> {
        self.0.serialize_field("excluded", &Rows(rows, excluded))
    }
}

impl Serialize for PlanView<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let head = head(self.0).map_err(serde::ser::Error::custom)?;
        let mut fields = StructFields(s.serialize_struct("SendPlan", 17)?);
        plan_fields(self.0, &head, &mut fields)?;
        fields.0.end()
    }
}

/// Rows serialized per chunk by each thread in [`PlanView::write_compact`].
const CHUNK_ROWS: usize = 8192;

impl PlanView<'_> {
    /// Writes the plan as compact JSON, the bytes of `serde_json::to_writer(out, self)`,
    /// with the rows serialized by up to `threads` threads, chunk by chunk, and written in
    /// their order.
    ///
    /// `out` receives large writes (a chunk of rows at a time): give it a file or a
    /// buffered writer.
    ///
    /// ```
    /// # use smsplan_core::plan::SendPlan;
    /// use std::num::NonZeroUsize;
    /// use smsplan_formats::v1::convert::PlanView;
    /// fn write(plan: &SendPlan) -> serde_json::Result<Vec<u8>> {
    ///     let mut out = Vec::new();
    ///     PlanView(plan).write_compact(&mut out, NonZeroUsize::MIN.saturating_add(1))?;
    ///     assert_eq!(out, serde_json::to_vec(&PlanView(plan))?);
    ///     Ok(out)
    /// }
    /// ```
    /// # Errors
    /// Writing to `out` failed, or a core value has no v1 spelling (as for the
    /// [`Serialize`] implementation).
    pub fn write_compact<W: std::io::Write>(
        &self,
        out: W,
        threads: std::num::NonZeroUsize,
    ) -> serde_json::Result<()> {
        self.write_compact_chunked(out, threads, CHUNK_ROWS)
    }

    fn write_compact_chunked<W: std::io::Write>(
        &self,
        out: W,
        threads: std::num::NonZeroUsize,
        chunk: usize,
    ) -> serde_json::Result<()> {
        let head = head(self.0).map_err(serde::ser::Error::custom)?;
        let mut fields = CompactFields {
            out,
            first: true,
            threads: threads.get(),
            chunk: chunk.max(1),
            buffers: Vec::new(),
        };
        fields.out.write_all(b"{").map_err(serde_json::Error::io)?;
        plan_fields(self.0, &head, &mut fields)?;
        fields.out.write_all(b"}").map_err(serde_json::Error::io)
    }
}

/// [`PlanFields`] written as compact JSON, rows in parallel.
struct CompactFields<W> {
    out: W,
    first: bool,
    threads: usize,
    chunk: usize,
    /// One buffer per thread, reused from chunk to chunk.
    buffers: Vec<Vec<u8>>,
}

impl<W: std::io::Write> CompactFields<W> {
    fn key(&mut self, name: &'static str) -> serde_json::Result<()> {
        let comma: &[u8] = if self.first { b"\"" } else { b",\"" };
        self.first = false;
        self.out.write_all(comma).map_err(serde_json::Error::io)?;
        self.out
            .write_all(name.as_bytes())
            .map_err(serde_json::Error::io)?;
        self.out.write_all(b"\":").map_err(serde_json::Error::io)
    }

    /// Writes `[row,row,...]`, each row serialized by `row`, `threads` chunks at a time.
    fn rows<T: Sync>(
        &mut self,
        name: &'static str,
        rows: &[T],
        row: impl Fn(&T, &mut Vec<u8>) -> serde_json::Result<()> + Sync,
    ) -> serde_json::Result<()> {
        self.key(name)?;
        self.out.write_all(b"[").map_err(serde_json::Error::io)?;
        let threads = self.threads.max(1);
        self.buffers.resize_with(threads, Vec::new);
        let write_chunk = |chunk: &[T], first: bool, buf: &mut Vec<u8>| {
            buf.clear();
            for (i, r) in chunk.iter().enumerate() {
                if i > 0 || !first {
                    buf.push(b',');
                }
                row(r, buf)?;
            }
            Ok::<_, serde_json::Error>(())
        };
        let mut start = 0;
        for batch in rows.chunks(self.chunk.saturating_mul(threads)) {
            let chunks = batch.chunks(self.chunk);
            if threads == 1 || batch.len() <= self.chunk {
                for (i, chunk) in chunks.enumerate() {
                    let buf = self.buffers.first_mut().ok_or_else(no_buffer)?;
                    write_chunk(chunk, start == 0 && i == 0, buf)?;
                    self.out.write_all(buf).map_err(serde_json::Error::io)?;
                }
            } else {
                let results: Vec<serde_json::Result<()>> = std::thread::scope(|scope| {
                    let mut work = chunks.zip(self.buffers.iter_mut()).enumerate();
                    // The calling thread takes the first chunk, a thread each the others.
                    let own = work.next();
                    let handles: Vec<_> = work
                        .map(|(i, (chunk, buf))| {
                            let first = start == 0 && i == 0;
                            std::thread::Builder::new()
                                .spawn_scoped(scope, move || write_chunk(chunk, first, buf))
                        })
                        .collect();
                    let mine = own.map_or(Ok(()), |(i, (chunk, buf))| {
                        write_chunk(chunk, start == 0 && i == 0, buf)
                    });
                    std::iter::once(mine)
                        .chain(handles.into_iter().map(|h| match h {
                            // Serializing cannot panic; if it did, the panic goes on.
                            Ok(h) => h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)),
                            // The system refused a thread: writing fails, like a full disk.
                            Err(e) => Err(serde_json::Error::io(e)),
                        }))
                        .collect()
                });
                for (result, buf) in results.into_iter().zip(&self.buffers) {
                    result?;
                    self.out.write_all(buf).map_err(serde_json::Error::io)?;
                }
            }
            start += batch.len();
        }
        self.out.write_all(b"]").map_err(serde_json::Error::io)
    }
}

fn no_buffer() -> serde_json::Error {
    serde::ser::Error::custom("no row buffer")
}

impl<W: std::io::Write> PlanFields for CompactFields<W> {
    type Error = serde_json::Error;

    fn field<T: Serialize + ?Sized>(
        &mut self,
        name: &'static str,
        value: &T,
    ) -> serde_json::Result<()> {
        self.key(name)?;
        serde_json::to_writer(&mut self.out, value)
    }

    fn skip(&mut self, _: &'static str) -> serde_json::Result<()> {
        Ok(())
    }

    fn recipients(&mut self, rows: &[core_plan::PlannedMessage]) -> serde_json::Result<()> {
        self.rows("recipients", rows, |r, buf| {
            serde_json::to_writer(buf, &RecipientRow(r))
        })
    }

    fn excluded(&mut self, rows: &[core_plan::Excluded]) -> serde_json::Result<()> {
        self.rows("excluded", rows, |e, buf| {
            let e = excluded(e).map_err(serde::ser::Error::custom)?;
            serde_json::to_writer(buf, &e)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{DateTime, FixedOffset, TimeZone};
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn instants_are_written_as_chrono_writes_them(
            secs in -62_135_596_800_i64..253_402_300_799,
            nanos in prop_oneof![Just(0_u32), 0_u32..1_000_000_000, (0_u32..1_000).prop_map(|m| m * 1_000_000), (0_u32..1_000_000).prop_map(|u| u * 1_000)],
            offset_minutes in -1_439_i32..=1_439,
        ) {
            let offset = FixedOffset::east_opt(offset_minutes * 60).unwrap();
            let at: DateTime<FixedOffset> = offset.timestamp_opt(secs, nanos).single().unwrap();
            let expected = Instant::from_fixed(at);
            match rfc3339_seconds(at) {
                Some(text) => prop_assert_eq!(text.as_str(), expected.as_str()),
                None => prop_assert!(!(0..=9999).contains(&at.year()), "{}", expected.as_str()),
            }
        }
    }

    #[test]
    fn contacts_convert_alike_on_any_thread_count_and_the_first_error_wins() {
        use super::super::audience::Contact as WireContact;
        let contacts = |bad: &[usize]| -> Vec<WireContact> {
            (0..50_000)
                .map(|i| {
                    let zone = if bad.contains(&i) { "Mars/Olympus" } else { "Europe/Paris" };
                    serde_json::from_value(serde_json::json!({
                        "id": format!("c{i}"), "phone": "06 12 34 56 78", "time_zone": zone,
                        "consent": {"status": "subscribed", "changed_at": "2025-06-14T10:30:00+02:00"},
                        "fields": {"first_name": "Zoë"}
                    }))
                    .unwrap()
                })
                .collect()
        };
        let one = convert_contacts(&mut contacts(&[]), std::num::NonZeroUsize::MIN).unwrap();
        for threads in [2, 3, 7] {
            let threads = std::num::NonZeroUsize::new(threads).unwrap();
            assert_eq!(convert_contacts(&mut contacts(&[]), threads).unwrap(), one);
            let err = convert_contacts(&mut contacts(&[45_000, 30_001]), threads).unwrap_err();
            assert!(
                err.to_string().contains("contacts[30001].time_zone"),
                "{err}"
            );
        }
    }

    #[test]
    fn compact_rows_in_small_chunks_are_the_serde_rows() {
        let text = include_str!("../../../../testdata/sample/campaign.json");
        let spec: CampaignSpec = crate::read::from_json(text).unwrap();
        let campaign = Campaign::try_from(spec).unwrap();
        let now = chrono::DateTime::parse_from_rfc3339("2026-12-20T10:00:00+01:00")
            .unwrap()
            .to_utc();
        let plans = core_plan::plan(&campaign, now, std::num::NonZeroUsize::MIN).unwrap();
        let plan = plans.first().unwrap();
        assert!(plan.recipients.len() > 100 && !plan.excluded.is_empty());
        let expected = serde_json::to_vec(&PlanView(plan)).unwrap();
        for (threads, chunk) in [(1, 1), (2, 1), (2, 7), (3, 64), (4, 100_000)] {
            let mut out = Vec::new();
            PlanView(plan)
                .write_compact_chunked(
                    &mut out,
                    std::num::NonZeroUsize::new(threads).unwrap(),
                    chunk,
                )
                .unwrap();
            assert!(out == expected, "{threads} threads, chunks of {chunk}");
        }
    }

    #[test]
    fn offsets_with_seconds_are_left_to_chrono_and_no_zone_is_utc() {
        let odd = FixedOffset::east_opt(3_600 + 30).unwrap();
        let at = odd.timestamp_opt(1_800_000_000, 0).single().unwrap();
        assert!(rfc3339_seconds(at).is_none());
        let written = serde_json::to_string(&LocalInstant(at.to_utc(), &[])).unwrap();
        assert_eq!(written, "\"2027-01-15T08:00:00+00:00\"");
    }
}
