//! Campaign → send plan: who receives what, when, at what cost, and who is left out why.
//!
//! [`plan`] resolves the audience ([`audience::resolve_parallel`]), renders the template for
//! each recipient, counts fragments and cost on the rendered text, places each message at
//! the first instant at or after the scheduled one that every policy allows in every zone
//! of the recipient ([`window::Intersection`]), excludes what passes the deadline
//! (`expired`) or a frequency cap, and runs the prepare [checklist](crate::checklist::Checklist).
//! A recurring campaign gives one plan per run, each with its aggregation key.
//!
//! Every contact of the selected groups ends in `recipients` or `excluded`, exactly once.
//! The plan does no pacing: throughput is the dispatcher's business.
//!
//! Policies are chosen per recipient by the first key present in the campaign's map: the
//! contact's ISO 3166-2 subdivision (from the field named by
//! [`Timing::subdivision_field`], e.g. `US-TX`), then its number's region (`FR`), then
//! `*`. Without a map, [`default_policies`] applies. A recipient with no policy is not
//! restricted by windows.

use std::collections::{BTreeMap, HashMap};
use std::num::NonZeroUsize;

use chrono::{DateTime, NaiveTime, Utc};
use chrono_tz::Tz;

use crate::approval::{CampaignId, Confirmation, StateKind};
use crate::audience::{self, AudienceError, ExclusionReason, Project, Selection};
use crate::checklist::{
    self, Check, CheckId, CheckStatus, Checklist, TestSms, message_not_empty, opt_out_mention,
};
use crate::contact::{ConsentStatus, Contact, ContactId};
use crate::group::Group;
use crate::money::{Money, MoneyError};
use crate::phone::{PhoneNumber, Region};
use crate::progress::{self, DeliveryStatus, Progress};
use crate::schedule::OutsideWindow;
use crate::schedule::{self, Schedule, ScheduleError};
use crate::sender::{SenderKind, sender_check};
use crate::template::{MissingField, Template};
use crate::text::{self, Encoding};
use crate::window::{self, CapCheck, Intersection, MessageClass, PastSend, Policy, Topic};

mod builder;
pub use builder::{ALL_CONTACTS, BuildError, CampaignBuilder};

/// What is sent.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Message {
    /// The parsed template.
    pub template: Template,
    /// The sender, if set (the `sender` check fails without one).
    pub sender: Option<(SenderKind, String)>,
    /// Marketing or transactional.
    pub class: MessageClass,
    /// What to do when a contact lacks a field the template needs.
    pub missing_field: MissingField,
    /// The topic, for frequency caps counted per topic.
    pub topic: Option<Topic>,
    /// Encoder options (reference size, national tables).
    pub text_options: text::Options,
}

/// The timing rules of a campaign.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Timing {
    /// The schedule.
    pub schedule: Schedule,
    /// The campaign's zone: recipients whose zone is unknown follow it, and an optimized
    /// plan states its `scheduled_at` in it. `None` excludes them (`unknown_time_zone`).
    pub zone: Option<Tz>,
    /// No message may go out at or after this instant.
    pub deadline: Option<DateTime<Utc>>,
    /// Region / subdivision / `*` → policies (intersection); `None` for [`default_policies`].
    pub policies: Option<BTreeMap<String, Vec<Policy>>>,
    /// What happens when a window closes during sending.
    pub outside_window: OutsideWindow,
    /// The contact field holding an ISO 3166-2 subdivision (`subdivision` by default).
    pub subdivision_field: String,
    /// The contact field holding the preferred local time, `HH` or `HH:MM` (`preferred_hour`).
    pub preferred_hour_field: String,
}

/// The account's credit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Credits {
    /// The balance at the scheduled date.
    pub balance: Money,
    /// The price of one part.
    pub price_per_segment: Money,
}

/// A campaign ready to plan; built by hand or from `smsplan_formats::v1::campaign`.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Campaign {
    /// Its id (the name).
    pub id: CampaignId,
    /// The project: key and accepted regions.
    pub project: Project,
    /// The project's contacts.
    pub contacts: Vec<Contact>,
    /// The project's groups.
    pub groups: Vec<Group>,
    /// The selected groups and the dedup mode.
    pub selection: Selection,
    /// What is sent.
    pub message: Message,
    /// When.
    pub timing: Timing,
    /// The account's credit.
    pub credits: Credits,
    /// Whether a person confirms before sending.
    pub confirmation: Confirmation,
    /// The test SMS recorded by the caller.
    pub test_sms: TestSms,
    /// Past sends per contact, for frequency caps.
    pub history: HashMap<ContactId, Vec<PastSend>>,
}

impl Message {
    /// A marketing message with no sender, excluding contacts that lack a field, without
    /// topic, with the default encoder options.
    ///
    /// ```
    /// use smsplan_core::plan::Message;
    /// use smsplan_core::template::Template;
    /// let m = Message::new(Template::parse("Hi {{name|there}}")?);
    /// assert!(m.sender.is_none());
    /// # Ok::<(), smsplan_core::template::TemplateError>(())
    /// ```
    #[must_use]
    pub fn new(template: Template) -> Self {
        Self {
            template,
            sender: None,
            class: MessageClass::Marketing,
            missing_field: MissingField::Exclude,
            topic: None,
            text_options: text::Options::default(),
        }
    }
}

impl Timing {
    /// Timing rules with the documented defaults: the schedule's own zone (for `Later`) as
    /// the campaign zone, no deadline, the built-in policies, `Hold`, fields `subdivision`
    /// and `preferred_hour`.
    ///
    /// ```
    /// use smsplan_core::plan::Timing;
    /// use smsplan_core::schedule::Schedule;
    /// let t = Timing::new(Schedule::Now);
    /// assert!(t.zone.is_none() && t.deadline.is_none() && t.policies.is_none());
    /// ```
    #[must_use]
    pub fn new(schedule: Schedule) -> Self {
        let zone = match &schedule {
            Schedule::Later { zone, .. } => Some(*zone),
            Schedule::Recurring(rec) => Some(rec.zone()),
            _ => None,
        };
        Self {
            schedule,
            zone,
            deadline: None,
            policies: None,
            outside_window: OutsideWindow::Hold,
            subdivision_field: "subdivision".to_owned(),
            preferred_hour_field: "preferred_hour".to_owned(),
        }
    }
}

impl Campaign {
    /// A campaign over an audience, with confirmation required, no test SMS recorded and
    /// no send history.
    ///
    /// ```
    /// use smsplan_core::audience::{Project, ProjectKey, Selection};
    /// use smsplan_core::dedup::DedupMode;
    /// use smsplan_core::money::{Currency, Money};
    /// use smsplan_core::phone::Region;
    /// use smsplan_core::plan::{Campaign, Credits, Message, Timing};
    /// use smsplan_core::schedule::Schedule;
    /// use smsplan_core::template::Template;
    /// let price = Money::parse("0.045", Currency::EUR)?;
    /// let c = Campaign::new(
    ///     "sale".parse()?,
    ///     (Project::new(ProjectKey::Email, Region::FR), Vec::new(), Vec::new()),
    ///     Selection::new([], DedupMode::PerNumber),
    ///     Message::new(Template::parse("Hi")?),
    ///     Timing::new(Schedule::Now),
    ///     Credits { balance: price, price_per_segment: price },
    /// );
    /// assert!(c.history.is_empty());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn new(
        id: CampaignId,
        (project, contacts, groups): (Project, Vec<Contact>, Vec<Group>),
        selection: Selection,
        message: Message,
        timing: Timing,
        credits: Credits,
    ) -> Self {
        Self {
            id,
            project,
            contacts,
            groups,
            selection,
            message,
            timing,
            credits,
            confirmation: Confirmation::Required,
            test_sms: TestSms::NotSent,
            history: HashMap::new(),
        }
    }
}

/// Why a contact of the selected groups gets no message.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Exclusion {
    /// Excluded while resolving the audience.
    Audience(ExclusionReason),
    /// The template needs a field the contact lacks (no default).
    MissingField {
        /// The field.
        field: String,
    },
    /// The rendered message needs more than 255 parts.
    TooLong {
        /// Parts it would need.
        segments: usize,
    },
    /// No zone could be found for the number and the campaign has none to fall back on.
    UnknownTimeZone,
    /// The policies never allow a send in the recipient's zones within the search horizon.
    NoWindow {
        /// What the window search said.
        detail: String,
    },
    /// The first allowed instant is at or after the deadline.
    Expired {
        /// The first allowed instant.
        first_allowed: DateTime<Utc>,
    },
    /// One more message would break a frequency cap.
    FrequencyCap {
        /// The policy whose cap it is.
        policy: String,
        /// When a send would be within the cap again.
        retry_at: DateTime<Utc>,
    },
}

impl Exclusion {
    /// The snake_case reason used in wire formats.
    ///
    /// ```
    /// use smsplan_core::plan::Exclusion;
    /// assert_eq!(Exclusion::MissingField { field: "x".into() }.reason(), "missing_field");
    /// ```
    #[must_use]
    pub fn reason(&self) -> &'static str {
        match self {
            Self::Audience(r) => r.kind().as_str(),
            Self::MissingField { .. } => "missing_field",
            Self::TooLong { .. } => "too_long",
            Self::UnknownTimeZone => "unknown_time_zone",
            Self::NoWindow { .. } => "no_window",
            Self::Expired { .. } => "expired",
            Self::FrequencyCap { .. } => "frequency_cap",
        }
    }

    /// Details for a person.
    ///
    /// ```
    /// use smsplan_core::plan::Exclusion;
    /// let e = Exclusion::MissingField { field: "promo_code".into() };
    /// assert_eq!(e.detail(), "no value for `promo_code`, which has no default");
    /// ```
    #[must_use]
    pub fn detail(&self) -> String {
        match self {
            Self::Audience(r) => r.detail().unwrap_or_else(|| {
                match r.kind().as_str() {
                    "missing_phone" => "the contact has no phone number",
                    "unsubscribed" => "the contact unsubscribed",
                    "no_consent" => "the contact's consent is unknown",
                    "suppressed" => "on the suppression list",
                    other => other,
                }
                .to_owned()
            }),
            Self::MissingField { field } => format!("no value for `{field}`, which has no default"),
            Self::TooLong { segments } => {
                format!("the rendered message needs {segments} parts, more than 255")
            }
            Self::UnknownTimeZone => {
                "no time zone for the number and none for the campaign".to_owned()
            }
            Self::NoWindow { detail } => detail.clone(),
            Self::Expired { first_allowed } => format!(
                "first allowed instant {} is at or after the deadline",
                first_allowed.to_rfc3339()
            ),
            Self::FrequencyCap { policy, retry_at } => format!(
                "cap of policy {policy} reached; within it again at {}",
                retry_at.to_rfc3339()
            ),
        }
    }

    /// For a duplicate, the contact that keeps the number.
    ///
    /// ```
    /// use smsplan_core::plan::Exclusion;
    /// assert!(Exclusion::UnknownTimeZone.kept().is_none());
    /// ```
    #[must_use]
    pub fn kept(&self) -> Option<&ContactId> {
        match self {
            Self::Audience(ExclusionReason::Duplicate { kept }) => Some(kept),
            _ => None,
        }
    }
}

/// One message of the plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedMessage {
    /// The contact.
    pub contact: ContactId,
    /// Its position in the campaign's contact list.
    pub position: usize,
    /// The number.
    pub phone: PhoneNumber,
    /// The first allowed instant at or after the scheduled one.
    pub send_at: DateTime<Utc>,
    /// The zones respected (all of them).
    pub time_zones: Vec<Tz>,
    /// GSM 7-bit or UCS-2.
    pub encoding: Encoding,
    /// Parts billed.
    pub segments: usize,
    /// `segments × price_per_segment`.
    pub cost: Money,
    /// The rendered text.
    pub text: String,
}

/// A contact left out, with its reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Excluded {
    /// The contact.
    pub contact: ContactId,
    /// Its position in the campaign's contact list.
    pub position: usize,
    /// Why.
    pub reason: Exclusion,
}

/// Sums over the rows of a plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Totals {
    /// Messages.
    pub recipients: usize,
    /// Contacts left out.
    pub excluded: usize,
    /// Parts over all messages.
    pub segments: u64,
    /// Cost over all messages.
    pub cost: Money,
    /// Excluded contacts per reason.
    pub by_reason: BTreeMap<&'static str, usize>,
    /// Messages per number of parts.
    pub by_segments: BTreeMap<usize, usize>,
}

/// One run of a recurring campaign.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Run {
    /// 0 for the first run.
    pub index: u32,
    /// The aggregation key (`2026-12-24`, `2026-W52`, `2026-12`).
    pub key: String,
}

/// The plan of one send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendPlan {
    /// The campaign.
    pub campaign: CampaignId,
    /// The run, for a recurring campaign.
    pub run: Option<Run>,
    /// The instant the plan was made at.
    pub generated_at: DateTime<Utc>,
    /// The scheduled instant before windows (each recipient's may differ in `optimized`).
    pub scheduled_at: DateTime<Utc>,
    /// The deadline.
    pub deadline: Option<DateTime<Utc>>,
    /// The state after preparing: `prepared`, or `draft` when a check failed.
    pub state: StateKind,
    /// The messages, in contact order.
    pub recipients: Vec<PlannedMessage>,
    /// The contacts left out, in contact order.
    pub excluded: Vec<Excluded>,
    /// Sums over the rows.
    pub totals: Totals,
    /// The prepare checklist.
    pub checklist: Checklist,
}

impl SendPlan {
    /// The progress of this plan's send from delivery reports keyed by contact, in order.
    ///
    /// ```
    /// use smsplan_core::contact::ContactId;
    /// use smsplan_core::progress::DeliveryStatus;
    /// # fn show(plan: &smsplan_core::plan::SendPlan) -> Result<(), smsplan_core::contact::IdError> {
    /// let c1 = ContactId::new("c1")?;
    /// let p = plan.progress([(&c1, DeliveryStatus::Delivered)]);
    /// println!("{:.1} % sent", p.percent_complete());
    /// # Ok(()) }
    /// ```
    pub fn progress<'a>(
        &'a self,
        reports: impl IntoIterator<Item = (&'a ContactId, DeliveryStatus)>,
    ) -> Progress {
        progress::progress(self.recipients.iter().map(|r| &r.contact), reports)
    }
}

/// Why a campaign could not be planned.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PlanError {
    /// The audience input contradicts itself.
    #[error("audience")]
    Audience(#[from] AudienceError),
    /// A contact lacks a field and the campaign asks for an error.
    #[error(
        "contact {contact}: field `{field}` (template offset {offset}) has no value and no default"
    )]
    MissingField {
        /// The contact.
        contact: ContactId,
        /// The field.
        field: String,
        /// Offset of the placeholder in the template, in characters.
        offset: usize,
    },
    /// The schedule cannot be placed in time.
    #[error("schedule")]
    Schedule(#[source] ScheduleError),
    /// The price and balance currencies differ, or a sum overflows.
    #[error("money")]
    Money(#[source] MoneyError),
    /// The encoder refused a contact's rendered message for another reason than its
    /// length (a too-long message is the exclusion [`Exclusion::TooLong`]).
    #[error("contact {contact}: the message cannot be encoded")]
    Text {
        /// The contact.
        contact: ContactId,
        /// The encoder's reason.
        #[source]
        source: text::TextError,
    },
    /// A recurring campaign with more than [`MAX_RUNS`] runs.
    #[error("recurrence gives more than {max} runs")]
    TooManyRuns {
        /// The limit.
        max: usize,
    },
}

/// The most runs one recurring campaign may have.
pub const MAX_RUNS: usize = 1000;

/// The built-in policies per region and subdivision, used when a campaign gives none.
///
/// | key | policies |
/// |---|---|
/// | `FR` (and French overseas regions `GP MQ GF RE YT PM BL MF`) | `fr-commercial` |
/// | `FR-57`, `FR-67`, `FR-68` (Alsace-Moselle) | `fr-alsace-moselle` |
/// | `US` | `us-tcpa` |
/// | `US-FL`, `US-OK`, `US-MD`, `US-CT`, `US-TX`, `US-WA` | `us-tcpa` and the state's |
/// | `IN` | `in-trai` |
/// | `VN` | `vn` |
///
/// Other regions get no built-in policy: give them one with `*` in the campaign.
///
/// ```
/// let map = smsplan_core::plan::default_policies();
/// assert_eq!(map["US-TX"].iter().map(|p| p.name()).collect::<Vec<_>>(), ["us-tcpa", "us-tx"]);
/// ```
#[must_use]
pub fn default_policies() -> BTreeMap<String, Vec<Policy>> {
    use window::Preset as P;
    let mut map = BTreeMap::new();
    for key in ["FR", "GP", "MQ", "GF", "RE", "YT", "PM", "BL", "MF"] {
        map.insert(key.to_owned(), vec![P::FrCommercial.policy()]);
    }
    for key in ["FR-57", "FR-67", "FR-68"] {
        map.insert(key.to_owned(), vec![P::FrAlsaceMoselle.policy()]);
    }
    map.insert("US".to_owned(), vec![P::UsTcpa.policy()]);
    for (key, state) in [
        ("US-FL", P::UsFl),
        ("US-OK", P::UsOk),
        ("US-MD", P::UsMd),
        ("US-CT", P::UsCt),
        ("US-TX", P::UsTx),
        ("US-WA", P::UsWa),
    ] {
        map.insert(key.to_owned(), vec![P::UsTcpa.policy(), state.policy()]);
    }
    map.insert("IN".to_owned(), vec![P::InTrai.policy()]);
    map.insert("VN".to_owned(), vec![P::Vn.policy()]);
    map
}

/// French regions for the opt-out mention: metropolitan France and overseas departments
/// and collectivities with their own region codes.
const FRENCH_REGIONS: [&str; 13] = [
    "FR", "GP", "MQ", "GF", "RE", "YT", "PM", "BL", "MF", "WF", "PF", "NC", "TF",
];

/// Plans a campaign at `now` on up to `threads` threads (the result does not depend on it).
///
/// Returns one plan, or one per run for a recurring campaign.
///
/// ```
/// use std::num::NonZeroUsize;
/// use chrono::{DateTime, NaiveDate, Utc};
/// use smsplan_core::audience::{Project, ProjectKey, Selection};
/// use smsplan_core::contact::{Consent, ConsentStatus, Contact, ContactId};
/// use smsplan_core::dedup::DedupMode;
/// use smsplan_core::group::{Group, GroupId};
/// use smsplan_core::money::{Currency, Money};
/// use smsplan_core::phone::Region;
/// use smsplan_core::plan::{plan, Campaign, Credits, Message, Timing};
/// use smsplan_core::schedule::Schedule;
/// use smsplan_core::template::Template;
///
/// let ana = Contact::new(ContactId::new("c1")?)
///     .with_phone("06 12 34 56 78")
///     .with_field("first_name", "Ana")
///     .with_consent(Consent::new(ConsentStatus::Subscribed));
/// let vip = Group::new(GroupId::new("vip")?, [ana.id.clone()]);
/// let selection = Selection::new([vip.id.clone()], DedupMode::PerNumber);
/// let price = Money::parse("0.045", Currency::EUR)?;
/// // Christmas Eve 20:30 in Paris: closed; the 25th is a holiday; Saturday 26th 08:00.
/// let at = NaiveDate::from_ymd_opt(2026, 12, 24).and_then(|d| d.and_hms_opt(20, 30, 0)).ok_or("date")?;
/// let campaign = Campaign::new(
///     "winter-sale".parse()?,
///     (Project::new(ProjectKey::Email, Region::FR), vec![ana], vec![vip]),
///     selection,
///     Message::new(Template::parse("Hi {{first_name|there}}, -20% today. STOP 36111")?),
///     Timing::new(Schedule::Later { local: at, zone: chrono_tz::Europe::Paris }),
///     Credits { balance: Money::parse("250.00", Currency::EUR)?, price_per_segment: price },
/// );
/// let now: DateTime<Utc> = "2026-12-20T09:00:00Z".parse()?;
/// let plans = plan(&campaign, now, NonZeroUsize::MIN)?;
/// let r = &plans[0].recipients[0];
/// assert_eq!(r.text, "Hi Ana, -20% today. STOP 36111");
/// assert_eq!(r.send_at.to_rfc3339(), "2026-12-26T07:00:00+00:00");
/// assert_eq!(plans[0].totals.cost.to_string(), "0.045");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// [`PlanError`] when the input contradicts itself (audience ids), a field is missing under
/// [`MissingField::Error`], the schedule cannot be placed, or money does not add up.
pub fn plan(
    campaign: &Campaign,
    now: DateTime<Utc>,
    threads: NonZeroUsize,
) -> Result<Vec<SendPlan>, PlanError> {
    let audience = audience::resolve_parallel(
        &campaign.project,
        &campaign.contacts,
        &campaign.groups,
        &campaign.selection,
        threads,
    )?;
    let runs = runs(&campaign.timing, now)?;
    let defaults;
    let policies = match &campaign.timing.policies {
        Some(map) => map,
        None => {
            defaults = default_policies();
            &defaults
        }
    };
    let campaign_zone = campaign.timing.zone;
    let ctx = Ctx {
        campaign,
        policies,
        campaign_zone,
    };
    let mut plans = Vec::with_capacity(runs.len());
    for (run, scheduled_at) in runs {
        let parts = map_chunks(audience.recipients(), threads, |chunk| {
            let mut cache = Cache::new();
            let mut buf = String::new();
            let mut messages = Vec::with_capacity(chunk.len());
            let mut left_out = Vec::new();
            for r in chunk {
                match ctx.plan_one(r, scheduled_at, &mut cache, &mut buf)? {
                    Row::Message(m) => messages.push(m),
                    Row::Excluded(e) => left_out.push(e),
                }
            }
            Ok((messages, left_out))
        })?;
        let total: usize = parts.iter().map(|(m, _)| m.len()).sum();
        let mut excluded: Vec<Excluded> = audience
            .exclusions()
            .iter()
            .map(|e| Excluded {
                contact: e.contact().id.clone(),
                position: e.position(),
                reason: Exclusion::Audience(e.reason().clone()),
            })
            .collect();
        // The first part's rows stay where they are; the others are appended and freed one
        // by one: no second copy of the rows.
        let mut parts = parts.into_iter();
        let (mut recipients, mut left_out) = parts.next().unwrap_or_default();
        recipients.reserve_exact(total.saturating_sub(recipients.len()));
        excluded.append(&mut left_out);
        for (mut messages, mut left_out) in parts {
            recipients.append(&mut messages);
            excluded.append(&mut left_out);
        }
        excluded.sort_by_key(|e| e.position);
        let totals = totals(&recipients, &excluded, campaign.credits.price_per_segment)?;
        let checklist = ctx.checklist(&recipients, &excluded, &totals);
        let state = if checklist.first_failure().is_some() {
            StateKind::Draft
        } else {
            StateKind::Prepared
        };
        plans.push(SendPlan {
            campaign: campaign.id.clone(),
            run,
            generated_at: now,
            scheduled_at,
            deadline: campaign.timing.deadline,
            state,
            recipients,
            excluded,
            totals,
            checklist,
        });
    }
    Ok(plans)
}

/// The policies of a recipient: the first key of `map` present among the contact's
/// subdivision (field `subdivision_field`, e.g. `US-TX`), its number's region, and `*`.
///
/// ```
/// use smsplan_core::contact::{Contact, ContactId};
/// use smsplan_core::phone::Region;
/// use smsplan_core::plan::{default_policies, select_policies};
/// let map = default_policies();
/// let c = Contact::new(ContactId::new("c1")?).with_field("subdivision", "fr-67");
/// let names: Vec<_> = select_policies(&map, "subdivision", &c, Some(Region::FR)).iter().map(|p| p.name()).collect();
/// assert_eq!(names, ["fr-alsace-moselle"]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[must_use]
pub fn select_policies<'m>(
    map: &'m BTreeMap<String, Vec<Policy>>,
    subdivision_field: &str,
    contact: &Contact,
    region: Option<Region>,
) -> &'m [Policy] {
    let lookup = |key: &str| {
        map.get(key).or_else(|| {
            // Keys are upper case; only allocate for a value written otherwise.
            key.bytes()
                .any(|b| b.is_ascii_lowercase())
                .then(|| map.get(&key.to_ascii_uppercase()))
                .flatten()
        })
    };
    let found = contact
        .fields
        .get(subdivision_field)
        .and_then(|s| lookup(s.trim()))
        .or_else(|| region.and_then(|r| map.get(r.as_str())))
        .or_else(|| map.get("*"));
    found.map_or(&[], Vec::as_slice)
}

/// Sums rows into [`Totals`].
///
/// ```
/// use smsplan_core::money::{Currency, Money};
/// let price = Money::parse("0.05", Currency::EUR)?;
/// let t = smsplan_core::plan::totals(&[], &[], price)?;
/// assert_eq!((t.recipients, t.segments, t.cost.to_string()), (0, 0, "0.00".to_owned()));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
/// # Errors
/// [`PlanError::Money`] when a sum overflows or currencies differ.
pub fn totals(
    recipients: &[PlannedMessage],
    excluded: &[Excluded],
    price_per_segment: Money,
) -> Result<Totals, PlanError> {
    let mut cost = Money::zero(price_per_segment.currency());
    let mut segments = 0u64;
    let mut by_segments = BTreeMap::new();
    for r in recipients {
        cost = cost.checked_add(r.cost).map_err(PlanError::Money)?;
        segments += r.segments as u64;
        *by_segments.entry(r.segments).or_insert(0) += 1;
    }
    let mut by_reason = BTreeMap::new();
    for e in excluded {
        *by_reason.entry(e.reason.reason()).or_insert(0) += 1;
    }
    Ok(Totals {
        recipients: recipients.len(),
        excluded: excluded.len(),
        segments,
        cost,
        by_reason,
        by_segments,
    })
}

enum Row {
    Message(PlannedMessage),
    Excluded(Excluded),
}

struct Ctx<'a> {
    campaign: &'a Campaign,
    policies: &'a BTreeMap<String, Vec<Policy>>,
    campaign_zone: Option<Tz>,
}

/// Window answers by (policy list address, zones, scheduled instant): most recipients share
/// them, so each is searched once per thread. Distinct keys are few (policy sets × zone
/// sets × scheduled instants), so a vector scanned from the most recent entry beats hashing.
type Cache = Vec<(
    (usize, Vec<Tz>, DateTime<Utc>),
    Result<DateTime<Utc>, String>,
)>;

impl<'a> Ctx<'a> {
    fn policies_for(&self, contact: &Contact, region: Option<Region>) -> &'a [Policy] {
        select_policies(
            self.policies,
            &self.campaign.timing.subdivision_field,
            contact,
            region,
        )
    }

    /// The scheduled instant of one recipient: the run's, or for an optimized schedule the
    /// preferred local time (or the default) clamped into the recipient's windows.
    fn scheduled_for(
        &self,
        contact: &Contact,
        zones: &[Tz],
        applying: &[&Policy],
        run_at: DateTime<Utc>,
    ) -> Result<DateTime<Utc>, String> {
        let Schedule::Optimized { date, default_time } = &self.campaign.timing.schedule else {
            return Ok(run_at);
        };
        let preferred = contact
            .fields
            .get(&self.campaign.timing.preferred_hour_field)
            .and_then(parse_preferred);
        schedule::optimized_instant(
            *date,
            preferred,
            *default_time,
            applying,
            self.campaign.message.class,
            zones,
        )
        .map_err(|e| e.to_string())
    }

    fn plan_one(
        &self,
        r: &audience::Recipient<'_>,
        run_at: DateTime<Utc>,
        cache: &mut Cache,
        buf: &mut String,
    ) -> Result<Row, PlanError> {
        let contact = r.contact();
        let position = r.position();
        let excluded = |reason| {
            Ok(Row::Excluded(Excluded {
                contact: contact.id.clone(),
                position,
                reason,
            }))
        };
        let message = &self.campaign.message;
        buf.clear();
        if let Err(e) = message.template.render_into(&contact.fields, buf) {
            return match message.missing_field {
                MissingField::Error => Err(PlanError::MissingField {
                    contact: contact.id.clone(),
                    field: e.field,
                    offset: e.offset,
                }),
                _ => excluded(Exclusion::MissingField { field: e.field }),
            };
        }
        let analysis = match text::analyze(buf, &message.text_options) {
            Ok(a) => a,
            Err(text::TextError::TooLong { segments, .. }) => {
                return excluded(Exclusion::TooLong { segments });
            }
            Err(source) => {
                return Err(PlanError::Text {
                    contact: contact.id.clone(),
                    source,
                });
            }
        };
        let cost = analysis
            .cost(self.campaign.credits.price_per_segment)
            .map_err(PlanError::Money)?;
        let mut zones: Vec<Tz> = r.time_zones().to_vec();
        if zones.is_empty() {
            match self.campaign_zone {
                Some(z) => zones.push(z),
                None => return excluded(Exclusion::UnknownTimeZone),
            }
        }
        let number = r.number();
        let policies: &'a [Policy] = self.policies_for(contact, number.region());
        let class = message.class;
        let applying: Vec<&Policy> = policies.iter().filter(|p| p.covers(class)).collect();
        let scheduled = match self.scheduled_for(contact, &zones, &applying, run_at) {
            Ok(t) => t,
            Err(detail) => return excluded(Exclusion::NoWindow { detail }),
        };
        let policy_key = policies.as_ptr() as usize;
        let hit = cache
            .iter()
            .rev()
            .find(|((p, z, t), _)| *p == policy_key && *t == scheduled && z == &zones)
            .map(|(_, found)| found.clone());
        let send_at = match hit {
            Some(found) => found,
            None => {
                let found = if applying.is_empty() {
                    Ok(scheduled)
                } else {
                    Intersection::product(&applying, &zones)
                        .next_allowed(scheduled)
                        .map_err(|e| e.to_string())
                };
                cache.push(((policy_key, zones.clone(), scheduled), found.clone()));
                found
            }
        };
        let send_at = match send_at {
            Ok(t) => t,
            Err(detail) => return excluded(Exclusion::NoWindow { detail }),
        };
        if let Some(deadline) = self.campaign.timing.deadline
            && send_at >= deadline
        {
            return excluded(Exclusion::Expired {
                first_allowed: send_at,
            });
        }
        if let Some(history) = self.campaign.history.get(&contact.id) {
            for p in policies.iter().filter(|p| p.covers(class)) {
                let (Some(cap), Some(zone)) = (p.cap(), zones.first()) else {
                    continue;
                };
                if let CapCheck::WouldExceed { retry_at, .. } =
                    window::check_cap(cap, history, message.topic.as_ref(), *zone, send_at)
                {
                    return excluded(Exclusion::FrequencyCap {
                        policy: p.name().to_owned(),
                        retry_at,
                    });
                }
            }
        }
        Ok(Row::Message(PlannedMessage {
            contact: contact.id.clone(),
            position,
            phone: number,
            send_at,
            time_zones: zones,
            encoding: analysis.encoding,
            segments: analysis.segments,
            cost,
            text: buf.clone(),
        }))
    }

    fn checklist(
        &self,
        recipients: &[PlannedMessage],
        excluded: &[Excluded],
        totals: &Totals,
    ) -> Checklist {
        let c = self.campaign;
        let mut list = Checklist::default();
        list.push(if recipients.is_empty() {
            Check::new(
                CheckId::AudienceNotEmpty,
                CheckStatus::Fail,
                format!("no recipient: {} contacts excluded", excluded.len()),
            )
        } else {
            Check::new(
                CheckId::AudienceNotEmpty,
                CheckStatus::Pass,
                format!("{} recipients", recipients.len()),
            )
        });
        let without: usize = recipients
            .iter()
            .filter(|r| {
                c.contacts.get(r.position).is_none_or(|x| {
                    x.id != r.contact || x.consent.status != ConsentStatus::Subscribed
                })
            })
            .count();
        list.push(if without == 0 {
            Check::new(
                CheckId::Consent,
                CheckStatus::Pass,
                format!("all {} recipients subscribed", recipients.len()),
            )
        } else {
            Check::new(
                CheckId::Consent,
                CheckStatus::Fail,
                format!("{without} recipients without consent"),
            )
        });
        list.push(sender_check(
            c.message.sender.as_ref().map(|(k, v)| (*k, v.as_str())),
        ));
        let to_france = recipients
            .iter()
            .filter(|r| {
                r.phone
                    .region()
                    .is_some_and(|reg| FRENCH_REGIONS.contains(&reg.as_str()))
            })
            .count();
        list.push(match (c.message.class, to_france) {
            (MessageClass::Marketing, n) if n > 0 => {
                let mut check = opt_out_mention(&c.message.template.literal_text());
                check.detail = format!("{} ({n} recipients in France)", check.detail);
                check
            }
            _ => Check::new(
                CheckId::OptOutMention,
                CheckStatus::Pass,
                "not needed: no marketing message to France",
            ),
        });
        list.push(message_not_empty(c.message.template.source()));
        let missing = totals.by_reason.get("missing_field").copied().unwrap_or(0);
        let too_long = totals.by_reason.get("too_long").copied().unwrap_or(0);
        list.push(if missing + too_long == 0 {
            Check::new(
                CheckId::MessageRenders,
                CheckStatus::Pass,
                "renders for every recipient",
            )
        } else {
            Check::new(
                CheckId::MessageRenders,
                CheckStatus::Warn,
                format!(
                    "{missing} contacts excluded for a missing field, {too_long} for a message over 255 parts"
                ),
            )
        });
        list.push(credit_check(totals.cost, c.credits.balance));
        let capped = totals.by_reason.get("frequency_cap").copied().unwrap_or(0);
        list.push(if capped == 0 {
            Check::new(
                CheckId::FrequencyCap,
                CheckStatus::Pass,
                "no recipient over a frequency cap",
            )
        } else {
            Check::new(
                CheckId::FrequencyCap,
                CheckStatus::Warn,
                format!("{capped} contacts excluded: one more message would break a frequency cap"),
            )
        });
        list.push(checklist::test_sms(&c.test_sms));
        list
    }
}

/// The `credit` check: the estimated cost against the balance at the scheduled date.
///
/// Fails when the cost exceeds the balance or the currencies differ; warns above 90 %.
///
/// ```
/// use smsplan_core::checklist::CheckStatus;
/// use smsplan_core::money::{Currency, Money};
/// use smsplan_core::plan::credit_check;
/// let eur = |s| Money::parse(s, Currency::EUR);
/// assert_eq!(credit_check(eur("10.00")?, eur("250.00")?).status, CheckStatus::Pass);
/// assert_eq!(credit_check(eur("240.00")?, eur("250.00")?).status, CheckStatus::Warn);
/// assert_eq!(credit_check(eur("250.01")?, eur("250.00")?).status, CheckStatus::Fail);
/// # Ok::<(), smsplan_core::money::MoneyError>(())
/// ```
#[must_use]
pub fn credit_check(cost: Money, balance: Money) -> Check {
    let cur = balance.currency();
    match cost.try_cmp(&balance) {
        Err(e) => Check::new(CheckId::Credit, CheckStatus::Fail, e.to_string()),
        Ok(std::cmp::Ordering::Greater) => Check::new(
            CheckId::Credit,
            CheckStatus::Fail,
            format!("estimated cost {cost} {cur} exceeds the balance {balance} {cur}"),
        ),
        Ok(_) => {
            let high = i128::from(cost.micros()) * 10 > i128::from(balance.micros()) * 9;
            Check::new(
                CheckId::Credit,
                if high {
                    CheckStatus::Warn
                } else {
                    CheckStatus::Pass
                },
                format!("estimated cost {cost} {cur} of a balance of {balance} {cur}"),
            )
        }
    }
}

/// The runs of a schedule: (run, scheduled instant).
/// A run and its scheduled instant.
type Scheduled = (Option<Run>, DateTime<Utc>);

/// The runs of a schedule with their scheduled instants; an optimized schedule's is the
/// default time in the campaign's zone (UTC without one).
fn runs(timing: &Timing, now: DateTime<Utc>) -> Result<Vec<Scheduled>, PlanError> {
    match &timing.schedule {
        Schedule::Recurring(rec) => {
            let mut out = Vec::new();
            for (index, run) in rec.runs().enumerate() {
                let run = run.map_err(PlanError::Schedule)?;
                if out.len() == MAX_RUNS {
                    return Err(PlanError::TooManyRuns { max: MAX_RUNS });
                }
                let index = u32::try_from(index).unwrap_or(u32::MAX);
                let key = run.key.to_string();
                out.push((Some(Run { index, key }), run.at));
            }
            Ok(out)
        }
        Schedule::Optimized { date, default_time } => {
            let zone = timing.zone.unwrap_or(chrono_tz::UTC);
            let at = schedule::local_instant(zone, date.and_time(*default_time))
                .map_err(PlanError::Schedule)?;
            Ok(vec![(None, at)])
        }
        other => {
            let at = other.start(now).map_err(PlanError::Schedule)?;
            Ok(vec![(None, at.unwrap_or(now))])
        }
    }
}

/// Reads a preferred local time written `HH` or `HH:MM`.
fn parse_preferred(value: &str) -> Option<NaiveTime> {
    let v = value.trim();
    let (h, m) = v.split_once(':').unwrap_or((v, "0"));
    NaiveTime::from_hms_opt(h.parse().ok()?, m.parse().ok()?, 0)
}

/// Runs `f` over contiguous chunks of `items` on up to `threads` threads; the results are
/// in chunk order.
fn map_chunks<T: Sync, R: Send>(
    items: &[T],
    threads: NonZeroUsize,
    f: impl Fn(&[T]) -> Result<R, PlanError> + Sync,
) -> Result<Vec<R>, PlanError> {
    let n = threads.get().min(items.len().max(1));
    if n <= 1 {
        return Ok(vec![f(items)?]);
    }
    let size = items.len().div_ceil(n);
    std::thread::scope(|s| {
        let handles: Vec<_> = items
            .chunks(size)
            .map(|chunk| s.spawn(|| f(chunk)))
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|payload| std::panic::resume_unwind(payload))
            })
            .collect()
    })
}
