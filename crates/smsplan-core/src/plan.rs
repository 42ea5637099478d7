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
//!
//! **The plan is throughput-aware.** The sender delivers [`Message::parts_per_second`] (by
//! default [`SenderKind::default_parts_per_second`]); each message is placed at the instant
//! the sender can actually send it, in the order messages become sendable. A message that
//! does not fit before the end of its window (`window_end`) moves to its next window; one
//! that cannot go before the deadline is excluded as `expired`. [`Totals::by_window`] says
//! how many messages go out from each window opening and [`Totals::held`] how many wait
//! for a later window than the first one open to them.
//!
//! **The plan carries what sending must honour**: the validated sender, the message class,
//! the outside-window mode, the confirmation setting, the deadline and, per row, the
//! window end and the [`PolicySet`] that applies, so a dispatcher checks each submit
//! without the campaign.
//!
//! **Schedules are checked against `now`**: a `later` or `optimized` instant before `now`
//! and a deadline at or before `now` are errors; a recurring campaign plans the runs at
//! or after `now` and counts the ones it skipped ([`SendPlan::skipped_runs`]).
//!
//! Policies are chosen per recipient by the first key present in the campaign's map: the
//! contact's ISO 3166-2 subdivision (from the field named by
//! [`Timing::subdivision_field`], e.g. `US-TX`), then its number's region (`FR`), then
//! `*`. Without a map, [`default_policies`] applies. Keys are checked
//! ([`PlanError::PolicyKey`]); an empty list is an explicit "no window". A marketing
//! recipient that no key covers fails the `legal_window` check; one under an explicit
//! empty list makes it warn.

use std::collections::{BTreeMap, HashMap};
use std::num::{NonZeroU32, NonZeroUsize};

use chrono::{DateTime, NaiveTime, Utc};
use chrono_tz::Tz;

use crate::approval::{CampaignId, Confirmation, StateKind};
use crate::audience::{self, AudienceError, ExclusionReason, Project, Selection};
use crate::checklist::{
    self, Check, CheckId, CheckStatus, Checklist, TestSms, message_not_empty, opt_out_mention,
};
use crate::contact::{ConsentStatus, Contact, ContactId};
use crate::error::Chain;
use crate::group::Group;
use crate::money::{Money, MoneyError};
use crate::phone::{PhoneNumber, Region};
use crate::progress::{self, DeliveryStatus, Progress};
use crate::schedule::OutsideWindow;
use crate::schedule::{self, Schedule, ScheduleError};
use crate::sender::{Sender, SenderKind, sender_check};
use crate::template::{MissingField, Template};
use crate::text::{self, Encoding};
use crate::window::{
    self, CapCheck, MessageClass, PastSend, Policy, PolicySet, Topic, WindowError,
};

mod pace;

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
    /// The sender's capacity in parts per second; `None` for the default of the sender's
    /// kind ([`SenderKind::default_parts_per_second`]), or 1 without a valid sender.
    pub parts_per_second: Option<NonZeroU32>,
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
    /// Region (`FR`), subdivision (`US-TX`) or `*` → policies (intersection); `None` for
    /// [`default_policies`]. An empty list says explicitly that no window applies.
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
            parts_per_second: None,
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
    /// The policies never allow a send in the recipient's zones within the search horizon,
    /// or the search failed (a holiday calendar out of its years, a date out of range).
    NoWindow {
        /// What the window search said, with its cause.
        error: ScheduleError,
    },
    /// The first allowed instant is at or after the deadline.
    Expired {
        /// The first allowed instant.
        first_allowed: DateTime<Utc>,
    },
    /// At the sender's capacity the message would go at or after the deadline (reason
    /// `expired`).
    Capacity {
        /// When the sender would reach it.
        reached_at: DateTime<Utc>,
        /// The sender's capacity.
        parts_per_second: NonZeroU32,
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
            Self::Expired { .. } | Self::Capacity { .. } => "expired",
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
            // The window search's own error, with its causes.
            Self::NoWindow {
                error: ScheduleError::Window(e),
            } => Chain(e).to_string(),
            Self::NoWindow { error } => Chain(error).to_string(),
            Self::Expired { first_allowed } => format!(
                "first allowed instant {} is at or after the deadline",
                first_allowed.to_rfc3339()
            ),
            Self::Capacity {
                reached_at,
                parts_per_second,
            } => format!(
                "at {parts_per_second} parts per second the sender reaches it at {}, at or after the deadline",
                reached_at.to_rfc3339()
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
    /// When the message goes out: allowed by every policy in every zone, at or after the
    /// scheduled instant, at the sender's pace.
    pub send_at: DateTime<Utc>,
    /// The end (exclusive) of the allowed window `send_at` falls in; `None` when no policy
    /// restricts the message or the window never closes.
    pub window_end: Option<DateTime<Utc>>,
    /// The window policies that apply to this message (its class); empty when none does.
    pub policies: PolicySet,
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
    /// Messages per window opening: the instant from which a group of messages may go (the
    /// scheduled instant, or the opening of the window they wait for). The sender's pace
    /// then spreads them over the window.
    pub by_window: BTreeMap<DateTime<Utc>, usize>,
    /// Messages that go out in a later window than the first one open to them, because
    /// the sender cannot send them all before it closes.
    pub held: usize,
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
    /// The deadline: nothing goes out at or after it.
    pub deadline: Option<DateTime<Utc>>,
    /// The sender, validated; `None` when the campaign has none or an invalid one (the
    /// `sender` check then fails and the plan is a draft).
    pub sender: Option<Sender>,
    /// Marketing or transactional.
    pub class: MessageClass,
    /// What happens when a window closes with messages left.
    pub outside_window: OutsideWindow,
    /// Whether a person confirms before sending starts.
    pub confirmation: Confirmation,
    /// The sender's capacity the plan is paced at.
    pub parts_per_second: NonZeroU32,
    /// For a recurring campaign: the runs before `now` that were not planned.
    pub skipped_runs: usize,
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
    /// A worker thread could not be started.
    #[error(transparent)]
    Spawn(#[from] crate::parallel::SpawnError),
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
    /// A `later` or `optimized` schedule whose instant is before `now`: its messages would
    /// go out at once, not when planned.
    #[error(
        "scheduled instant {} is before now ({})",
        scheduled.to_rfc3339(),
        now.to_rfc3339()
    )]
    ScheduledInPast {
        /// The scheduled instant.
        scheduled: DateTime<Utc>,
        /// The planning instant.
        now: DateTime<Utc>,
    },
    /// The deadline is at or before `now`: nothing could be sent.
    #[error("deadline {} is not after now ({})", deadline.to_rfc3339(), now.to_rfc3339())]
    DeadlinePassed {
        /// The deadline.
        deadline: DateTime<Utc>,
        /// The planning instant.
        now: DateTime<Utc>,
    },
    /// Every run of a recurring campaign is before `now`.
    #[error(
        "all {runs} runs of the recurrence are before now ({}), the last at {}",
        now.to_rfc3339(),
        last.to_rfc3339()
    )]
    NoRunLeft {
        /// How many runs there were.
        runs: usize,
        /// The last run's instant.
        last: DateTime<Utc>,
        /// The planning instant.
        now: DateTime<Utc>,
    },
    /// A key of the policy map is not an ISO 3166-1 region, an ISO 3166-2 subdivision or
    /// `*`, or two keys name the same place.
    #[error("policy map key {key:?}: {reason}")]
    PolicyKey {
        /// The key as given.
        key: String,
        /// What is wrong with it.
        reason: PolicyKeyError,
    },
}

/// Why a policy map key is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PolicyKeyError {
    /// Not `*`, `CC` or `CC-SUB` (ISO 3166-2: one to three letters or digits).
    #[error("not an ISO 3166-1 region, an ISO 3166-2 subdivision or `*`")]
    Malformed,
    /// The region part is not a known region.
    #[error("unknown region")]
    UnknownRegion,
    /// Another key names the same region or subdivision (keys are case-insensitive).
    #[error("given twice")]
    Duplicate,
}

/// Checks a policy map key and returns it in canonical (upper case) form.
///
/// ```
/// use smsplan_core::plan::{policy_key, PolicyKeyError};
/// assert_eq!(policy_key("fr")?, "FR");
/// assert_eq!(policy_key("US-TX")?, "US-TX");
/// assert_eq!(policy_key("*")?, "*");
/// assert_eq!(policy_key("F R"), Err(PolicyKeyError::Malformed));
/// assert_eq!(policy_key("XX"), Err(PolicyKeyError::UnknownRegion));
/// # Ok::<(), PolicyKeyError>(())
/// ```
/// # Errors
/// [`PolicyKeyError::Malformed`] or [`PolicyKeyError::UnknownRegion`].
pub fn policy_key(key: &str) -> Result<String, PolicyKeyError> {
    if key == "*" {
        return Ok(key.to_owned());
    }
    let (region, sub) = match key.split_once('-') {
        Some((region, sub)) => (region, Some(sub)),
        None => (key, None),
    };
    if region.len() != 2 || !region.bytes().all(|b| b.is_ascii_alphabetic()) {
        return Err(PolicyKeyError::Malformed);
    }
    if let Some(sub) = sub
        && !((1..=3).contains(&sub.len()) && sub.bytes().all(|b| b.is_ascii_alphanumeric()))
    {
        return Err(PolicyKeyError::Malformed);
    }
    Region::parse(region).map_err(|_| PolicyKeyError::UnknownRegion)?;
    Ok(key.to_ascii_uppercase())
}

/// Checks every key of a policy map and returns the map with canonical keys.
fn checked_policies(
    map: &BTreeMap<String, Vec<Policy>>,
) -> Result<BTreeMap<String, Vec<Policy>>, PlanError> {
    let mut out = BTreeMap::new();
    for (key, policies) in map {
        let canonical = policy_key(key).map_err(|reason| PlanError::PolicyKey {
            key: key.clone(),
            reason,
        })?;
        if out.insert(canonical, policies.clone()).is_some() {
            return Err(PlanError::PolicyKey {
                key: key.clone(),
                reason: PolicyKeyError::Duplicate,
            });
        }
    }
    Ok(out)
}

/// The exclusion for a recipient whose window search failed.
fn no_window(e: WindowError) -> Exclusion {
    Exclusion::NoWindow {
        error: ScheduleError::Window(e),
    }
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
/// | `AU`, `BE`, `CA`, `DE`, `ES`, `GB` | none, explicitly: no statutory hours for marketing SMS (Australia: Spam Act 2003; Canada: CASL, and the CRTC's telemarketing hours do not cover SMS; Spain: the hours of art. 96 of the consumer law cover calls, SMS is not clearly covered; Belgium, Germany, UK: none) |
///
/// Other regions get no built-in policy: a marketing recipient there fails the
/// `legal_window` check until the campaign gives a policy (or `*`).
///
/// ```
/// let map = smsplan_core::plan::default_policies();
/// assert_eq!(map["US-TX"].iter().map(|p| p.name()).collect::<Vec<_>>(), ["us-tcpa", "us-tx"]);
/// assert!(map["GB"].is_empty()); // explicitly no window
/// assert!(!map.contains_key("IT")); // not known: the campaign must say
/// ```
#[must_use]
pub fn default_policies() -> BTreeMap<String, Vec<Policy>> {
    use window::Preset as P;
    let mut map = BTreeMap::new();
    let fr = P::FrCommercial.policy();
    for key in ["FR", "GP", "MQ", "GF", "RE", "YT", "PM", "BL", "MF"] {
        map.insert(key.to_owned(), vec![fr.clone()]);
    }
    let alsace = P::FrAlsaceMoselle.policy();
    for key in ["FR-57", "FR-67", "FR-68"] {
        map.insert(key.to_owned(), vec![alsace.clone()]);
    }
    let tcpa = P::UsTcpa.policy();
    map.insert("US".to_owned(), vec![tcpa.clone()]);
    for (key, state) in [
        ("US-FL", P::UsFl),
        ("US-OK", P::UsOk),
        ("US-MD", P::UsMd),
        ("US-CT", P::UsCt),
        ("US-TX", P::UsTx),
        ("US-WA", P::UsWa),
    ] {
        map.insert(key.to_owned(), vec![tcpa.clone(), state.policy()]);
    }
    map.insert("IN".to_owned(), vec![P::InTrai.policy()]);
    map.insert("VN".to_owned(), vec![P::Vn.policy()]);
    for key in ["AU", "BE", "CA", "DE", "ES", "GB"] {
        map.insert(key.to_owned(), Vec::new());
    }
    map
}

/// French regions for the opt-out mention: metropolitan France and overseas departments
/// and collectivities with their own region codes.
const FRENCH_REGIONS: [&str; 13] = [
    "FR", "GP", "MQ", "GF", "RE", "YT", "PM", "BL", "MF", "WF", "PF", "NC", "TF",
];

/// Plans a campaign at `now` on up to `threads` threads (at most
/// [`MAX_THREADS`](crate::parallel::MAX_THREADS); the result does not depend on it).
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
/// assert_eq!(r.window_end.map(|t| t.to_rfc3339()), Some("2026-12-26T19:00:00+00:00".into()));
/// assert_eq!(r.policies.names().collect::<Vec<_>>(), ["fr-commercial"]);
/// assert_eq!(plans[0].totals.cost.to_string(), "0.045");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// [`PlanError`] when the input contradicts itself (audience ids, policy map keys), a
/// field is missing under [`MissingField::Error`], the schedule cannot be placed or lies
/// before `now`, the deadline is not after `now`, money does not add up, or a worker
/// thread cannot be started ([`PlanError::Spawn`]).
pub fn plan(
    campaign: &Campaign,
    now: DateTime<Utc>,
    threads: NonZeroUsize,
) -> Result<Vec<SendPlan>, PlanError> {
    let timing = &campaign.timing;
    if let Some(deadline) = timing.deadline
        && deadline <= now
    {
        return Err(PlanError::DeadlinePassed { deadline, now });
    }
    let policies = match &timing.policies {
        Some(map) => checked_policies(map)?,
        None => default_policies(),
    };
    let (runs, skipped_runs) = runs(timing, now)?;
    let audience = audience::resolve_parallel(
        &campaign.project,
        &campaign.contacts,
        &campaign.groups,
        &campaign.selection,
        threads,
    )?;
    let class = campaign.message.class;
    // One shared set per map entry: the policies of the entry that cover the class.
    let sets: BTreeMap<String, Entry> = policies
        .iter()
        .map(|(key, list)| {
            let entry = Entry {
                set: list.iter().filter(|p| p.covers(class)).cloned().collect(),
                explicit_none: list.is_empty(),
            };
            (key.clone(), entry)
        })
        .collect();
    let sender = campaign
        .message
        .sender
        .as_ref()
        .and_then(|(kind, value)| Sender::new(*kind, value).ok());
    let parts_per_second = campaign.message.parts_per_second.unwrap_or_else(|| {
        sender
            .as_ref()
            .map_or(NonZeroU32::MIN, |s| s.kind().default_parts_per_second())
    });
    let ctx = Ctx {
        campaign,
        sets: &sets,
        uncovered: Entry {
            set: PolicySet::default(),
            explicit_none: false,
        },
        campaign_zone: timing.zone,
    };
    let mut plans = Vec::with_capacity(runs.len());
    for (run, scheduled_at) in runs {
        let parts = map_chunks(audience.recipients(), threads, |chunk| {
            let mut cache = Cache::new();
            let mut buf = String::new();
            let mut out = Chunk {
                messages: Vec::with_capacity(chunk.len()),
                ..Chunk::default()
            };
            for r in chunk {
                ctx.plan_one(r, scheduled_at, now, &mut cache, &mut buf, &mut out)?;
            }
            Ok(out)
        })?;
        let total: usize = parts.iter().map(|c| c.messages.len()).sum();
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
        let first = parts.next().unwrap_or_default();
        let mut recipients = first.messages;
        recipients.reserve_exact(total.saturating_sub(recipients.len()));
        excluded.extend(first.left_out);
        for chunk in parts {
            let mut messages = chunk.messages;
            recipients.append(&mut messages);
            excluded.extend(chunk.left_out);
        }
        let paced = pace::pace(&mut recipients, parts_per_second, timing.deadline);
        if !paced.dropped.is_empty() {
            let mut dropped = paced.dropped.into_iter().peekable();
            let mut index = 0;
            recipients.retain(|r| {
                let keep = dropped.peek().is_none_or(|(i, _)| *i != index);
                if !keep && let Some((_, reason)) = dropped.next() {
                    excluded.push(Excluded {
                        contact: r.contact.clone(),
                        position: r.position,
                        reason,
                    });
                }
                index += 1;
                keep
            });
        }
        excluded.sort_by_key(|e| e.position);
        let mut totals = totals(&recipients, &excluded, campaign.credits.price_per_segment)?;
        totals.by_window = paced.by_window;
        totals.held = paced.held;
        let checklist = ctx.checklist(&recipients, &excluded, &totals, now);
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
            deadline: timing.deadline,
            sender: sender.clone(),
            class,
            outside_window: timing.outside_window,
            confirmation: campaign.confirmation,
            parts_per_second,
            skipped_runs,
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
/// subdivision (field `subdivision_field`, e.g. `US-TX`), its number's region, and `*`;
/// `None` when no key is present (an empty list is an explicit "no window").
///
/// ```
/// use smsplan_core::contact::{Contact, ContactId};
/// use smsplan_core::phone::Region;
/// use smsplan_core::plan::{default_policies, select_policies};
/// let map = default_policies();
/// let c = Contact::new(ContactId::new("c1")?).with_field("subdivision", "fr-67");
/// let found = select_policies(&map, "subdivision", &c, Some(Region::FR)).ok_or("no key")?;
/// assert_eq!(found.iter().map(|p| p.name()).collect::<Vec<_>>(), ["fr-alsace-moselle"]);
/// let plain = Contact::new(ContactId::new("c2")?);
/// assert!(select_policies(&map, "subdivision", &plain, Some(Region::IT)).is_none());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[must_use]
pub fn select_policies<'m>(
    map: &'m BTreeMap<String, Vec<Policy>>,
    subdivision_field: &str,
    contact: &Contact,
    region: Option<Region>,
) -> Option<&'m [Policy]> {
    select(map, subdivision_field, contact, region).map(Vec::as_slice)
}

/// The value of the first key of `map` present among the contact's subdivision, its
/// region and `*`.
fn select<'m, V>(
    map: &'m BTreeMap<String, V>,
    subdivision_field: &str,
    contact: &Contact,
    region: Option<Region>,
) -> Option<&'m V> {
    let lookup = |key: &str| {
        map.get(key).or_else(|| {
            // Keys are upper case; only allocate for a value written otherwise.
            key.bytes()
                .any(|b| b.is_ascii_lowercase())
                .then(|| map.get(&key.to_ascii_uppercase()))
                .flatten()
        })
    };
    contact
        .fields
        .get(subdivision_field)
        .and_then(|s| lookup(s.trim()))
        .or_else(|| region.and_then(|r| map.get(r.as_str())))
        .or_else(|| map.get("*"))
}

/// Sums rows into [`Totals`]; `by_window` and `held` come from pacing.
fn totals(
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
        by_window: BTreeMap::new(),
        held: 0,
    })
}

/// The policies of one map entry for the campaign's class.
struct Entry {
    /// The policies of the entry that cover the class.
    set: PolicySet,
    /// The entry is an empty list: no window, on purpose.
    explicit_none: bool,
}

/// Marketing recipients without a window, per region (`?` for numbers without one).
#[derive(Debug, Default)]
struct LegalTally {
    /// No key of the map covers them.
    uncovered: BTreeMap<Option<Region>, usize>,
    /// Their key is an explicit empty list.
    explicit_none: BTreeMap<Option<Region>, usize>,
}

/// The rows one worker planned.
#[derive(Default)]
struct Chunk {
    messages: Vec<PlannedMessage>,
    left_out: Vec<Excluded>,
}

struct Ctx<'a> {
    campaign: &'a Campaign,
    sets: &'a BTreeMap<String, Entry>,
    /// For recipients that no key covers: no policy (and the `legal_window` check fails).
    uncovered: Entry,
    campaign_zone: Option<Tz>,
}

/// Window answers by (policy set, zones, scheduled instant): most recipients share them,
/// so each is searched once per thread. Distinct keys are few (policy sets × zone sets ×
/// scheduled instants), so a vector scanned from the most recent entry beats hashing.
type Cache = Vec<(
    (usize, Vec<Tz>, DateTime<Utc>),
    Result<(DateTime<Utc>, Option<DateTime<Utc>>), WindowError>,
)>;

impl<'a> Ctx<'a> {
    fn entry_for(&self, contact: &Contact, region: Option<Region>) -> &Entry {
        select(
            self.sets,
            &self.campaign.timing.subdivision_field,
            contact,
            region,
        )
        .unwrap_or(&self.uncovered)
    }

    /// The scheduled instant of one recipient: the run's, or for an optimized schedule the
    /// preferred local time (or the default) clamped into the recipient's windows, and not
    /// before `now`.
    fn scheduled_for(
        &self,
        contact: &Contact,
        zones: &[Tz],
        set: &PolicySet,
        run_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<DateTime<Utc>, Exclusion> {
        let Schedule::Optimized { date, default_time } = &self.campaign.timing.schedule else {
            return Ok(run_at);
        };
        let preferred = contact
            .fields
            .get(&self.campaign.timing.preferred_hour_field)
            .and_then(parse_preferred);
        let applying: Vec<&Policy> = set.policies().iter().collect();
        let at = schedule::optimized_instant(
            *date,
            preferred,
            *default_time,
            &applying,
            self.campaign.message.class,
            zones,
        )
        .map_err(|e| match e {
            ScheduleError::Window(w) => no_window(w),
            other => Exclusion::NoWindow { error: other },
        })?;
        Ok(at.max(now))
    }

    fn plan_one(
        &self,
        r: &audience::Recipient<'_>,
        run_at: DateTime<Utc>,
        now: DateTime<Utc>,
        cache: &mut Cache,
        buf: &mut String,
        out: &mut Chunk,
    ) -> Result<(), PlanError> {
        let contact = r.contact();
        let position = r.position();
        let mut excluded = |reason| {
            out.left_out.push(Excluded {
                contact: contact.id.clone(),
                position,
                reason,
            });
            Ok(())
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
        let set = &self.entry_for(contact, number.region()).set;
        let scheduled = match self.scheduled_for(contact, &zones, set, run_at, now) {
            Ok(t) => t,
            Err(reason) => return excluded(reason),
        };
        let key = set.key();
        let hit = cache
            .iter()
            .rev()
            .find(|((p, z, t), _)| *p == key && *t == scheduled && z == &zones)
            .map(|(_, found)| found.clone());
        let window = match hit {
            Some(found) => found,
            None => {
                let found = set
                    .next_allowed(&zones, scheduled)
                    .and_then(|open| Ok((open, set.window_end(&zones, open)?)));
                cache.push(((key, zones.clone(), scheduled), found.clone()));
                found
            }
        };
        let (send_at, window_end) = match window {
            Ok(w) => w,
            Err(e) => return excluded(no_window(e)),
        };
        if let Some(deadline) = self.campaign.timing.deadline
            && send_at >= deadline
        {
            return excluded(Exclusion::Expired {
                first_allowed: send_at,
            });
        }
        // Caps are checked at the first allowed instant: pacing only moves a message
        // later, which never makes a rolling or per-day cap stricter.
        if let Some(history) = self.campaign.history.get(&contact.id) {
            for p in set.policies() {
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
        out.messages.push(PlannedMessage {
            contact: contact.id.clone(),
            position,
            phone: number,
            send_at,
            window_end,
            policies: set.clone(),
            time_zones: zones,
            encoding: analysis.encoding,
            segments: analysis.segments,
            cost,
            text: buf.clone(),
        });
        Ok(())
    }

    /// The `legal_window` check: every marketing recipient falls under a window policy.
    fn legal_window(&self, recipients: &[PlannedMessage]) -> Check {
        if self.campaign.message.class != MessageClass::Marketing {
            return Check::new(
                CheckId::LegalWindow,
                CheckStatus::Pass,
                "not needed: transactional message",
            );
        }
        let mut tally = LegalTally::default();
        for r in recipients.iter().filter(|r| r.policies.is_empty()) {
            let explicit = self
                .campaign
                .contacts
                .get(r.position)
                .is_some_and(|c| self.entry_for(c, r.phone.region()).explicit_none);
            let map = if explicit {
                &mut tally.explicit_none
            } else {
                &mut tally.uncovered
            };
            *map.entry(r.phone.region()).or_insert(0) += 1;
        }
        let per_region = |map: &BTreeMap<Option<Region>, usize>| {
            map.iter()
                .map(|(region, n)| {
                    format!("{n} in {}", region.as_ref().map_or("?", Region::as_str))
                })
                .collect::<Vec<_>>()
                .join(", ")
        };
        let covered = recipients.len()
            - tally.uncovered.values().sum::<usize>()
            - tally.explicit_none.values().sum::<usize>();
        if !tally.uncovered.is_empty() {
            Check::new(
                CheckId::LegalWindow,
                CheckStatus::Fail,
                format!(
                    "marketing recipients without a window policy: {}; give their regions a policy (or [\"none\"]) in schedule.policies",
                    per_region(&tally.uncovered)
                ),
            )
        } else if !tally.explicit_none.is_empty() {
            Check::new(
                CheckId::LegalWindow,
                CheckStatus::Warn,
                format!(
                    "{covered} recipients under a window policy; explicitly without one: {}",
                    per_region(&tally.explicit_none)
                ),
            )
        } else {
            Check::new(
                CheckId::LegalWindow,
                CheckStatus::Pass,
                format!("all {covered} marketing recipients under a window policy"),
            )
        }
    }

    fn checklist(
        &self,
        recipients: &[PlannedMessage],
        excluded: &[Excluded],
        totals: &Totals,
        now: DateTime<Utc>,
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
        list.push(self.legal_window(recipients));
        list.push(checklist::test_sms(&c.test_sms, now));
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

/// A run and its scheduled instant.
type Scheduled = (Option<Run>, DateTime<Utc>);

/// The runs of a schedule at or after `now` with their scheduled instants, and how many
/// earlier runs were skipped; an optimized schedule's instant is the default time in the
/// campaign's zone (UTC without one).
fn runs(timing: &Timing, now: DateTime<Utc>) -> Result<(Vec<Scheduled>, usize), PlanError> {
    let future = |at: DateTime<Utc>| {
        if at < now {
            Err(PlanError::ScheduledInPast { scheduled: at, now })
        } else {
            Ok(at)
        }
    };
    match &timing.schedule {
        Schedule::Recurring(rec) => {
            let mut out = Vec::new();
            let (mut skipped, mut last) = (0, None);
            for (index, run) in rec.runs().enumerate() {
                let run = run.map_err(PlanError::Schedule)?;
                if index == MAX_RUNS {
                    return Err(PlanError::TooManyRuns { max: MAX_RUNS });
                }
                last = Some(run.at);
                if run.at < now {
                    skipped += 1;
                    continue;
                }
                let index = u32::try_from(index).unwrap_or(u32::MAX);
                let key = run.key.to_string();
                out.push((Some(Run { index, key }), run.at));
            }
            match last {
                Some(last) if out.is_empty() => Err(PlanError::NoRunLeft {
                    runs: skipped,
                    last,
                    now,
                }),
                _ => Ok((out, skipped)),
            }
        }
        Schedule::Optimized { date, default_time } => {
            let zone = timing.zone.unwrap_or(chrono_tz::UTC);
            let at = schedule::local_instant(zone, date.and_time(*default_time))
                .map_err(PlanError::Schedule)?;
            Ok((vec![(None, future(at)?)], 0))
        }
        other => {
            let at = other.start(now).map_err(PlanError::Schedule)?;
            Ok((vec![(None, future(at.unwrap_or(now))?)], 0))
        }
    }
}

/// Reads a preferred local time written `HH` or `HH:MM`.
fn parse_preferred(value: &str) -> Option<NaiveTime> {
    let v = value.trim();
    let (h, m) = v.split_once(':').unwrap_or((v, "0"));
    NaiveTime::from_hms_opt(h.parse().ok()?, m.parse().ok()?, 0)
}

/// Runs `f` over contiguous chunks of `items` on up to `threads` threads (at most
/// [`MAX_THREADS`](crate::parallel::MAX_THREADS)); the results are in chunk order.
fn map_chunks<T: Sync, R: Send>(
    items: &[T],
    threads: NonZeroUsize,
    f: impl Fn(&[T]) -> Result<R, PlanError> + Sync,
) -> Result<Vec<R>, PlanError> {
    crate::parallel::map_chunks(items, threads, |_, chunk| f(chunk))?
        .into_iter()
        .collect()
}
