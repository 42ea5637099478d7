//! Schedules to instants, per recipient: windows, deadlines, zone fallback and holds.
//!
//! A [`Schedule`] says when a campaign should go: [`Schedule::Now`], [`Schedule::Later`] (a
//! local date and time in a named zone), [`Schedule::Optimized`] (each recipient's preferred
//! local hour, clamped into the legal window) or [`Schedule::Recurring`] (daily, weekly or
//! monthly runs between two dates in a zone, each with its [`AggregationKey`]).
//!
//! [`dispatch`] turns a scheduled instant into each recipient's dispatch instant: the first
//! instant at or after it that every applicable [`Policy`] allows in every zone of the
//! recipient. Past the campaign's deadline the recipient expires with an [`ExpiryReason`];
//! without a known zone the [`ZoneFallback`] decides (campaign zone, or exclusion) — never a
//! guess. When a window closes mid-send, [`on_interruption`] applies the account's
//! [`OutsideWindow`] choice.
//!
//! # Local times of schedules
//!
//! A scheduled local time that does not exist (spring gap) runs at the jump, the first
//! instant after the gap; one that exists twice (autumn fold) runs at the earlier reading,
//! so a run happens once. (Window edges follow their own narrowing rule, see
//! [`crate::window`].)
//!
//! ```
//! use chrono::{DateTime, NaiveDate, Utc};
//! use chrono_tz::Europe::Paris;
//! use smsplan_core::schedule::{dispatch, Dispatch, DispatchRequest, ZoneFallback};
//! use smsplan_core::window::{MessageClass, Preset};
//!
//! let fr = Preset::FrCommercial.policy();
//! let req = DispatchRequest {
//!     scheduled: "2026-06-13T19:00:00Z".parse()?, // Saturday 21:00 in Paris
//!     policies: &[&fr],
//!     class: MessageClass::Marketing,
//!     zones: &[Paris],
//!     fallback: ZoneFallback::Exclude,
//!     deadline: Some("2026-06-16T00:00:00Z".parse()?),
//! };
//! let Dispatch::At { at, .. } = dispatch(&req)? else { unreachable!() };
//! assert_eq!(at.with_timezone(&Paris).to_rfc3339(), "2026-06-15T08:00:00+02:00");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fmt;

use chrono::{
    DateTime, Datelike, Days, LocalResult, Months, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta,
    TimeZone, Utc, Weekday,
};
use chrono_tz::Tz;

use crate::window::{Intersection, MessageClass, Policy, WindowError, gap_end};

/// Errors of schedule computations.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ScheduleError {
    /// A recurrence whose end is before its start, or a monthly day outside 1–31.
    #[error("invalid recurrence: {reason}")]
    InvalidRecurrence {
        /// What is wrong.
        reason: &'static str,
    },
    /// A window computation failed, or a local time could not be placed on the timeline
    /// ([`WindowError::NoSuchLocalTime`], [`WindowError::DateOutOfRange`]).
    #[error("send window")]
    Window(#[from] WindowError),
}

/// The instant of a scheduled local time: the single reading, the earlier reading in a fold,
/// the jump in a gap.
///
/// ```
/// use chrono::NaiveDate;
/// use chrono_tz::Europe::Paris;
/// use smsplan_core::schedule::local_instant;
/// let d = NaiveDate::from_ymd_opt(2026, 3, 29).unwrap();
/// // 02:30 does not exist that day in Paris: it runs at 03:00 CEST.
/// let t = local_instant(Paris, d.and_hms_opt(2, 30, 0).unwrap())?;
/// assert_eq!(t.to_rfc3339(), "2026-03-29T01:00:00+00:00");
/// # Ok::<(), smsplan_core::schedule::ScheduleError>(())
/// ```
/// # Errors
/// [`ScheduleError::Window`] with [`WindowError::NoSuchLocalTime`] when a gap cannot be
/// bracketed (not produced by real zone data).
pub fn local_instant(zone: Tz, local: NaiveDateTime) -> Result<DateTime<Utc>, ScheduleError> {
    match zone.from_local_datetime(&local) {
        LocalResult::Single(t) => Ok(t.with_timezone(&Utc)),
        LocalResult::Ambiguous(earlier, _) => Ok(earlier.with_timezone(&Utc)),
        LocalResult::None => {
            gap_end(zone, local).ok_or(WindowError::NoSuchLocalTime { zone, local }.into())
        }
    }
}

/// When a campaign should go.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Schedule {
    /// As soon as approved (each recipient still waits for its window).
    Now,
    /// At a local date and time in a named zone (the campaign's), then per recipient window.
    Later {
        /// The local date and time.
        local: NaiveDateTime,
        /// The zone it is read in.
        zone: Tz,
    },
    /// On `date`, at each recipient's preferred local time (input, e.g. from past
    /// engagement), or `default_time` when none is known, clamped into the legal window.
    Optimized {
        /// The campaign day, read in each recipient's zone.
        date: NaiveDate,
        /// The time for recipients without a preference.
        default_time: NaiveTime,
    },
    /// Repeated runs.
    Recurring(Recurrence),
}

impl Schedule {
    /// The campaign-level instant of a one-shot schedule: `now` for [`Schedule::Now`], the
    /// resolved local time for [`Schedule::Later`]; `None` for optimized and recurring
    /// schedules, which have per-recipient or per-run instants.
    ///
    /// ```
    /// use chrono::{DateTime, NaiveDate, Utc};
    /// use smsplan_core::schedule::Schedule;
    /// let later = Schedule::Later {
    ///     local: NaiveDate::from_ymd_opt(2026, 6, 15).unwrap().and_hms_opt(10, 0, 0).unwrap(),
    ///     zone: chrono_tz::Europe::Paris,
    /// };
    /// let now: DateTime<Utc> = "2026-06-01T00:00:00Z".parse()?;
    /// assert_eq!(later.start(now)?.map(|t| t.to_rfc3339()), Some("2026-06-15T08:00:00+00:00".into()));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    /// # Errors
    /// As [`local_instant`].
    pub fn start(&self, now: DateTime<Utc>) -> Result<Option<DateTime<Utc>>, ScheduleError> {
        match self {
            Self::Now => Ok(Some(now)),
            Self::Later { local, zone } => local_instant(*zone, *local).map(Some),
            Self::Optimized { .. } | Self::Recurring(_) => Ok(None),
        }
    }
}

/// How often a recurring schedule runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Frequency {
    /// Every day.
    Daily,
    /// Every week on this weekday.
    Weekly(Weekday),
    /// Every month on this day (1–31); months without it run on their last day.
    Monthly(u32),
}

/// The reporting bucket of a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum AggregationKey {
    /// A local day, for daily runs (`2026-06-10`).
    Day(NaiveDate),
    /// An ISO week, for weekly runs (`2026-W24`).
    Week {
        /// ISO week-numbering year.
        year: i32,
        /// ISO week, 1–53.
        week: u32,
    },
    /// A month, for monthly runs (`2026-06`).
    Month {
        /// Year.
        year: i32,
        /// Month, 1–12.
        month: u32,
    },
}

impl fmt::Display for AggregationKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Day(d) => write!(f, "{d}"),
            Self::Week { year, week } => write!(f, "{year}-W{week:02}"),
            Self::Month { year, month } => write!(f, "{year}-{month:02}"),
        }
    }
}

/// A recurring schedule: runs at a local time in a zone from `start` to `end` (inclusive).
///
/// ```
/// use chrono::{NaiveDate, NaiveTime};
/// use smsplan_core::schedule::{Frequency, Recurrence};
/// let r = Recurrence::new(
///     Frequency::Monthly(31),
///     NaiveTime::from_hms_opt(10, 0, 0).unwrap(),
///     chrono_tz::Europe::Paris,
///     NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
///     NaiveDate::from_ymd_opt(2026, 4, 30).unwrap(),
/// )?;
/// let days: Vec<String> = r.runs().map(|run| run.map(|r| r.local.date().to_string())).collect::<Result<_, _>>()?;
/// assert_eq!(days, ["2026-01-31", "2026-02-28", "2026-03-31", "2026-04-30"]);
/// # Ok::<(), smsplan_core::schedule::ScheduleError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recurrence {
    frequency: Frequency,
    time: NaiveTime,
    zone: Tz,
    start: NaiveDate,
    end: NaiveDate,
}

impl Recurrence {
    /// A recurrence.
    ///
    /// # Errors
    /// [`ScheduleError::InvalidRecurrence`] when `end < start` or a monthly day is not 1–31.
    pub fn new(
        frequency: Frequency,
        time: NaiveTime,
        zone: Tz,
        start: NaiveDate,
        end: NaiveDate,
    ) -> Result<Self, ScheduleError> {
        if end < start {
            return Err(ScheduleError::InvalidRecurrence {
                reason: "end is before start",
            });
        }
        if let Frequency::Monthly(day) = frequency
            && !(1..=31).contains(&day)
        {
            return Err(ScheduleError::InvalidRecurrence {
                reason: "monthly day is not 1-31",
            });
        }
        Ok(Self {
            frequency,
            time,
            zone,
            start,
            end,
        })
    }

    /// How often it runs.
    pub fn frequency(&self) -> Frequency {
        self.frequency
    }

    /// The local time of each run.
    pub fn time(&self) -> NaiveTime {
        self.time
    }

    /// The zone the local time is read in.
    pub fn zone(&self) -> Tz {
        self.zone
    }

    /// First date (inclusive).
    pub fn start(&self) -> NaiveDate {
        self.start
    }

    /// Last date (inclusive).
    pub fn end(&self) -> NaiveDate {
        self.end
    }

    /// The runs, in order.
    pub fn runs(&self) -> Runs<'_> {
        Runs {
            recurrence: self,
            step: 0,
            done: false,
        }
    }

    fn key(&self, date: NaiveDate) -> AggregationKey {
        match self.frequency {
            Frequency::Daily => AggregationKey::Day(date),
            Frequency::Weekly(_) => {
                let w = date.iso_week();
                AggregationKey::Week {
                    year: w.year(),
                    week: w.week(),
                }
            }
            Frequency::Monthly(_) => AggregationKey::Month {
                year: date.year(),
                month: date.month(),
            },
        }
    }

    /// The date of run number `step`, or `None` past chrono's range.
    fn date_of(&self, step: u32) -> Option<NaiveDate> {
        match self.frequency {
            Frequency::Daily => self.start.checked_add_days(Days::new(u64::from(step))),
            Frequency::Weekly(weekday) => {
                let ahead = (7 + weekday.num_days_from_monday()
                    - self.start.weekday().num_days_from_monday())
                    % 7;
                self.start
                    .checked_add_days(Days::new(u64::from(ahead) + 7 * u64::from(step)))
            }
            Frequency::Monthly(day) => {
                let first = self.start.with_day(1)?;
                let in_month = |months: u32| -> Option<NaiveDate> {
                    let month_start = first.checked_add_months(Months::new(months))?;
                    let last = month_start
                        .checked_add_months(Months::new(1))?
                        .pred_opt()?
                        .day();
                    month_start.with_day(day.min(last))
                };
                // The start month counts only when its run day is not before `start`.
                let skip = u32::from(in_month(0)? < self.start);
                in_month(step.checked_add(skip)?)
            }
        }
    }
}

/// One run of a recurring schedule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Run {
    /// The local date and time it is scheduled at.
    pub local: NaiveDateTime,
    /// The instant it runs (by [`local_instant`]'s DST rule).
    pub at: DateTime<Utc>,
    /// Its reporting bucket.
    pub key: AggregationKey,
}

/// The runs of a [`Recurrence`]; stops after the end date or the first error.
#[derive(Debug, Clone)]
pub struct Runs<'a> {
    recurrence: &'a Recurrence,
    step: u32,
    done: bool,
}

impl Iterator for Runs<'_> {
    type Item = Result<Run, ScheduleError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let r = self.recurrence;
        let Some(date) = r.date_of(self.step) else {
            self.done = true;
            return Some(Err(WindowError::DateOutOfRange { date: r.start }.into()));
        };
        if date > r.end {
            self.done = true;
            return None;
        }
        self.step = self.step.saturating_add(1);
        let local = date.and_time(r.time);
        match local_instant(r.zone, local) {
            Ok(at) => Some(Ok(Run {
                local,
                at,
                key: r.key(date),
            })),
            Err(e) => {
                self.done = true;
                Some(Err(e))
            }
        }
    }
}

/// What to do with a recipient whose zone cannot be determined.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ZoneFallback {
    /// Use the campaign's zone.
    CampaignZone(Tz),
    /// Exclude the recipient with [`ExclusionReason::UnknownZone`].
    Exclude,
}

/// What to do with the rest of a send that a window's end interrupts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum OutsideWindow {
    /// Hold and resume at the next allowed instant automatically.
    Hold,
    /// Hold until someone approves again (account option).
    RequireReapproval,
}

impl OutsideWindow {
    /// Every mode, in declaration order.
    pub const ALL: [Self; 2] = [Self::Hold, Self::RequireReapproval];
}

/// Where a recipient's zones came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ZoneSource {
    /// The recipient's own zones.
    Recipient,
    /// The campaign zone, by [`ZoneFallback::CampaignZone`].
    CampaignFallback,
}

/// Why a recipient expires.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ExpiryReason {
    /// The first allowed instant is at or after the delivery deadline.
    DeadlinePassed {
        /// The first allowed instant.
        next_allowed: DateTime<Utc>,
        /// The campaign's deadline.
        deadline: DateTime<Utc>,
    },
    /// The policies allow no send within the search horizon.
    NoAllowedWindow,
}

impl fmt::Display for ExpiryReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::DeadlinePassed {
                next_allowed,
                deadline,
            } => write!(
                f,
                "next allowed instant {} is not before the deadline {}",
                next_allowed.to_rfc3339(),
                deadline.to_rfc3339()
            ),
            Self::NoAllowedWindow => f.write_str("no allowed send window within the horizon"),
        }
    }
}

/// Why a recipient is excluded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ExclusionReason {
    /// Its time zone is unknown and the fallback is [`ZoneFallback::Exclude`].
    UnknownZone,
}

impl fmt::Display for ExclusionReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UnknownZone => f.write_str("time zone unknown"),
        }
    }
}

/// The outcome for one recipient.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Dispatch {
    /// Send at this instant.
    At {
        /// The dispatch instant.
        at: DateTime<Utc>,
        /// Where the zones came from.
        zones: ZoneSource,
    },
    /// Not sent: the deadline or the windows forbid it.
    Expired(ExpiryReason),
    /// Not sent: no zone.
    Excluded(ExclusionReason),
}

/// The input of [`dispatch`] for one recipient.
#[derive(Debug, Clone, Copy)]
pub struct DispatchRequest<'a> {
    /// The scheduled instant (from [`Schedule::start`], a [`Run`] or [`optimized_instant`]).
    pub scheduled: DateTime<Utc>,
    /// The policies that apply to the recipient (e.g. federal and state).
    pub policies: &'a [&'a Policy],
    /// The message's class: policies that do not cover it are skipped.
    pub class: MessageClass,
    /// The recipient's zones (empty when unknown).
    pub zones: &'a [Tz],
    /// What to do without zones.
    pub fallback: ZoneFallback,
    /// The campaign's delivery deadline (exclusive), if any.
    pub deadline: Option<DateTime<Utc>>,
}

/// The recipient's zones after the fallback, or the exclusion.
fn zones_of<'a>(
    zones: &'a [Tz],
    fallback: &'a ZoneFallback,
) -> Result<(&'a [Tz], ZoneSource), ExclusionReason> {
    match (zones.is_empty(), fallback) {
        (false, _) => Ok((zones, ZoneSource::Recipient)),
        (true, ZoneFallback::CampaignZone(z)) => {
            Ok((std::slice::from_ref(z), ZoneSource::CampaignFallback))
        }
        (true, ZoneFallback::Exclude) => Err(ExclusionReason::UnknownZone),
    }
}

fn intersection<'a>(
    policies: &[&'a Policy],
    class: MessageClass,
    zones: &[Tz],
) -> Intersection<'a> {
    let covering: Vec<&Policy> = policies
        .iter()
        .copied()
        .filter(|p| p.covers(class))
        .collect();
    Intersection::product(&covering, zones)
}

/// First allowed instant at or after `at`; the "nothing within the horizon" errors become
/// `Ok(Err(ExpiryReason::NoAllowedWindow))`, other errors stay errors.
fn first_allowed(
    both: &Intersection<'_>,
    at: DateTime<Utc>,
) -> Result<Result<DateTime<Utc>, ExpiryReason>, WindowError> {
    if both.pairs().is_empty() {
        return Ok(Ok(at));
    }
    match both.next_allowed(at) {
        Ok(t) => Ok(Ok(t)),
        Err(WindowError::NoWindowWithin { .. } | WindowError::NoCommonWindow { .. }) => {
            Ok(Err(ExpiryReason::NoAllowedWindow))
        }
        Err(e) => Err(e),
    }
}

fn check_deadline(
    t: DateTime<Utc>,
    deadline: Option<DateTime<Utc>>,
) -> Result<DateTime<Utc>, ExpiryReason> {
    match deadline {
        Some(d) if t >= d => Err(ExpiryReason::DeadlinePassed {
            next_allowed: t,
            deadline: d,
        }),
        _ => Ok(t),
    }
}

/// The dispatch instant of one recipient: the first instant at or after the scheduled one
/// allowed by every covering policy in every zone, unless it reaches the deadline
/// (expiry) or the zone is unknown and the fallback excludes.
///
/// ```
/// use chrono::{DateTime, Utc};
/// use smsplan_core::schedule::{dispatch, Dispatch, DispatchRequest, ExpiryReason, ZoneFallback};
/// use smsplan_core::window::{MessageClass, Preset};
/// let fr = Preset::FrCommercial.policy();
/// let at: DateTime<Utc> = "2026-06-13T19:00:00Z".parse()?; // Saturday 21:00 Paris
/// let deadline: DateTime<Utc> = "2026-06-14T22:00:00Z".parse()?; // before Monday opens
/// let req = DispatchRequest {
///     scheduled: at, policies: &[&fr], class: MessageClass::Marketing,
///     zones: &[], fallback: ZoneFallback::CampaignZone(chrono_tz::Europe::Paris), deadline: Some(deadline),
/// };
/// assert!(matches!(dispatch(&req)?, Dispatch::Expired(ExpiryReason::DeadlinePassed { .. })));
/// // Transactional messages are exempt from fr-commercial.
/// let tx = DispatchRequest { class: MessageClass::Transactional, ..req };
/// assert!(matches!(dispatch(&tx)?, Dispatch::At { at: t, .. } if t == at));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
/// # Errors
/// [`WindowError`] other than "nothing within the horizon" (which expires the recipient).
pub fn dispatch(req: &DispatchRequest<'_>) -> Result<Dispatch, WindowError> {
    let (zones, source) = match zones_of(req.zones, &req.fallback) {
        Ok(z) => z,
        Err(reason) => return Ok(Dispatch::Excluded(reason)),
    };
    let both = intersection(req.policies, req.class, zones);
    Ok(
        match first_allowed(&both, req.scheduled)?.and_then(|t| check_deadline(t, req.deadline)) {
            Ok(at) => Dispatch::At { at, zones: source },
            Err(reason) => Dispatch::Expired(reason),
        },
    )
}

/// What happens to a send interrupted by a window's end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Resumption {
    /// Resume automatically at this instant.
    ResumeAt(DateTime<Utc>),
    /// Wait for a new approval; sending may resume from `earliest` once approved.
    AwaitReapproval {
        /// The next allowed instant.
        earliest: DateTime<Utc>,
    },
    /// The rest expires.
    Expired(ExpiryReason),
}

/// The fate of the remainder of a send interrupted at `interrupted_at` (a window's end):
/// per `mode`, resume at the next allowed instant or wait for approval; either way it
/// expires when that instant reaches the deadline.
///
/// ```
/// use chrono::{DateTime, Utc};
/// use smsplan_core::schedule::{on_interruption, OutsideWindow, Resumption};
/// use smsplan_core::window::{MessageClass, Preset};
/// let fr = Preset::FrCommercial.policy();
/// let end: DateTime<Utc> = "2026-06-12T18:00:00Z".parse()?; // Friday 20:00 Paris
/// let paris = [chrono_tz::Europe::Paris];
/// let r = on_interruption(OutsideWindow::Hold, &[&fr], MessageClass::Marketing, &paris, end, None)?;
/// assert_eq!(r, Resumption::ResumeAt("2026-06-13T06:00:00Z".parse()?));
/// let r = on_interruption(OutsideWindow::RequireReapproval, &[&fr], MessageClass::Marketing, &paris, end, None)?;
/// assert_eq!(r, Resumption::AwaitReapproval { earliest: "2026-06-13T06:00:00Z".parse()? });
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
/// # Errors
/// As [`dispatch`].
pub fn on_interruption(
    mode: OutsideWindow,
    policies: &[&Policy],
    class: MessageClass,
    zones: &[Tz],
    interrupted_at: DateTime<Utc>,
    deadline: Option<DateTime<Utc>>,
) -> Result<Resumption, WindowError> {
    let both = intersection(policies, class, zones);
    Ok(
        match (
            first_allowed(&both, interrupted_at)?.and_then(|t| check_deadline(t, deadline)),
            mode,
        ) {
            (Ok(t), OutsideWindow::Hold) => Resumption::ResumeAt(t),
            (Ok(t), OutsideWindow::RequireReapproval) => {
                Resumption::AwaitReapproval { earliest: t }
            }
            (Err(reason), _) => Resumption::Expired(reason),
        },
    )
}

/// The optimized send instant of one recipient on `date`: its preferred local time (or
/// `default_time`) in its first zone, clamped into the window allowed by every covering
/// policy in every zone: a time before that day's window opens moves to the opening, a time
/// after it closes moves to the window's last minute, and a day without a window moves to
/// the next allowed instant.
///
/// ```
/// use chrono::{NaiveDate, NaiveTime};
/// use smsplan_core::schedule::optimized_instant;
/// use smsplan_core::window::{MessageClass, Preset};
/// let fr = Preset::FrCommercial.policy();
/// let paris = [chrono_tz::Europe::Paris];
/// let day = NaiveDate::from_ymd_opt(2026, 6, 10).unwrap();
/// let hm = |h, m| NaiveTime::from_hms_opt(h, m, 0).unwrap();
/// let at = |pref| optimized_instant(day, pref, hm(12, 0), &[&fr], MessageClass::Marketing, &paris);
/// assert_eq!(at(Some(hm(18, 30)))?.to_rfc3339(), "2026-06-10T16:30:00+00:00"); // inside
/// assert_eq!(at(Some(hm(6, 0)))?.to_rfc3339(), "2026-06-10T06:00:00+00:00");   // → 08:00
/// assert_eq!(at(Some(hm(22, 0)))?.to_rfc3339(), "2026-06-10T17:59:00+00:00");  // → 19:59
/// assert_eq!(at(None)?.to_rfc3339(), "2026-06-10T10:00:00+00:00");             // default
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
/// # Errors
/// [`ScheduleError::Window`] for window errors (including nothing allowed within the
/// horizon) and as [`local_instant`]. Empty `zones` give [`WindowError::NoZones`].
pub fn optimized_instant(
    date: NaiveDate,
    preferred: Option<NaiveTime>,
    default_time: NaiveTime,
    policies: &[&Policy],
    class: MessageClass,
    zones: &[Tz],
) -> Result<DateTime<Utc>, ScheduleError> {
    let Some(first_zone) = zones.first() else {
        return Err(WindowError::NoZones.into());
    };
    let wanted = local_instant(
        *first_zone,
        date.and_time(preferred.unwrap_or(default_time)),
    )?;
    let both = intersection(policies, class, zones);
    if both.pairs().is_empty() {
        return Ok(wanted);
    }
    let next = both.next_allowed(wanted)?;
    let same_day = |t: DateTime<Utc>| t.with_timezone(first_zone).date_naive() == date;
    if next == wanted || same_day(next) {
        return Ok(next);
    }
    // After the day's last window: the last minute of the latest window that day.
    let day_start = local_instant(*first_zone, date.and_time(NaiveTime::MIN))?;
    let mut latest = None;
    for w in both.windows(day_start) {
        let w = w?;
        if w.start >= wanted || !same_day(w.start) {
            break;
        }
        let last_minute = w
            .end
            .checked_sub_signed(TimeDelta::minutes(1))
            .unwrap_or(w.start);
        latest = Some(w.start.max(last_minute));
    }
    Ok(latest.unwrap_or(next))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::window::Preset;
    use chrono_tz::Europe::Paris;

    fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn hm(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }

    /// The run instants (UTC, RFC 3339) of a daily recurrence in Paris.
    fn daily_paris(time: NaiveTime, start: NaiveDate, end: NaiveDate) -> Vec<String> {
        let r = Recurrence::new(Frequency::Daily, time, Paris, start, end).unwrap();
        r.runs().map(|x| x.unwrap().at.to_rfc3339()).collect()
    }

    #[test]
    fn daily_runs_keep_local_time_across_both_paris_switches() {
        // 09:00 CET = 08:00 UTC, then 09:00 CEST = 07:00 UTC.
        assert_eq!(
            daily_paris(hm(9, 0), ymd(2026, 3, 28), ymd(2026, 3, 30)),
            [
                "2026-03-28T08:00:00+00:00",
                "2026-03-29T07:00:00+00:00",
                "2026-03-30T07:00:00+00:00"
            ]
        );
        assert_eq!(
            daily_paris(hm(9, 0), ymd(2026, 10, 24), ymd(2026, 10, 25)),
            ["2026-10-24T07:00:00+00:00", "2026-10-25T08:00:00+00:00"]
        );
    }

    #[test]
    fn runs_in_the_gap_go_at_the_jump_and_in_the_fold_once_at_the_earlier_reading() {
        // 02:30 does not exist on 29 March: 03:00 CEST. It exists twice on 25 October: once,
        // at 02:30 CEST.
        assert_eq!(
            daily_paris(hm(2, 30), ymd(2026, 3, 29), ymd(2026, 3, 29)),
            ["2026-03-29T01:00:00+00:00"]
        );
        assert_eq!(
            daily_paris(hm(2, 30), ymd(2026, 10, 25), ymd(2026, 10, 25)),
            ["2026-10-25T00:30:00+00:00"]
        );
    }

    #[test]
    fn weekly_runs_carry_iso_week_keys() {
        let r = Recurrence::new(
            Frequency::Weekly(Weekday::Mon),
            hm(10, 0),
            Paris,
            ymd(2026, 12, 24),
            ymd(2027, 1, 12),
        )
        .unwrap();
        let keys: Vec<String> = r.runs().map(|x| x.unwrap().key.to_string()).collect();
        // Mondays 28 Dec 2026 (W53), 4 Jan 2027 (W01), 11 Jan 2027 (W02).
        assert_eq!(keys, ["2026-W53", "2027-W01", "2027-W02"]);
    }

    #[test]
    fn monthly_runs_skip_a_first_month_day_before_start_and_carry_month_keys() {
        let r = Recurrence::new(
            Frequency::Monthly(5),
            hm(10, 0),
            Paris,
            ymd(2026, 1, 20),
            ymd(2026, 3, 31),
        )
        .unwrap();
        let runs: Vec<Run> = r.runs().map(Result::unwrap).collect();
        assert_eq!(
            runs.iter().map(|r| r.local.date()).collect::<Vec<_>>(),
            [ymd(2026, 2, 5), ymd(2026, 3, 5)]
        );
        assert_eq!(runs[0].key.to_string(), "2026-02");
    }

    #[test]
    fn invalid_recurrences_are_rejected() {
        assert!(
            Recurrence::new(
                Frequency::Daily,
                hm(9, 0),
                Paris,
                ymd(2026, 2, 1),
                ymd(2026, 1, 1)
            )
            .is_err()
        );
        assert!(
            Recurrence::new(
                Frequency::Monthly(0),
                hm(9, 0),
                Paris,
                ymd(2026, 1, 1),
                ymd(2026, 2, 1)
            )
            .is_err()
        );
    }

    #[test]
    fn unknown_zone_is_excluded_or_falls_back() {
        let fr = Preset::FrCommercial.policy();
        let at: DateTime<Utc> = "2026-06-10T10:00:00Z".parse().unwrap();
        let req = DispatchRequest {
            scheduled: at,
            policies: &[&fr],
            class: MessageClass::Marketing,
            zones: &[],
            fallback: ZoneFallback::Exclude,
            deadline: None,
        };
        assert_eq!(
            dispatch(&req).unwrap(),
            Dispatch::Excluded(ExclusionReason::UnknownZone)
        );
        let req = DispatchRequest {
            fallback: ZoneFallback::CampaignZone(Paris),
            ..req
        };
        assert_eq!(
            dispatch(&req).unwrap(),
            Dispatch::At {
                at,
                zones: ZoneSource::CampaignFallback
            }
        );
    }

    #[test]
    fn optimized_on_a_sunday_moves_to_monday() {
        let fr = Preset::FrCommercial.policy();
        let t = optimized_instant(
            ymd(2026, 6, 14),
            Some(hm(11, 0)),
            hm(12, 0),
            &[&fr],
            MessageClass::Marketing,
            &[Paris],
        )
        .unwrap();
        assert_eq!(t.to_rfc3339(), "2026-06-15T06:00:00+00:00");
    }

    #[test]
    fn interruption_past_the_deadline_expires() {
        let fr = Preset::FrCommercial.policy();
        let end: DateTime<Utc> = "2026-06-12T18:00:00Z".parse().unwrap();
        let deadline: DateTime<Utc> = "2026-06-13T06:00:00Z".parse().unwrap(); // exactly the reopening
        let r = on_interruption(
            OutsideWindow::Hold,
            &[&fr],
            MessageClass::Marketing,
            &[Paris],
            end,
            Some(deadline),
        )
        .unwrap();
        assert!(matches!(
            r,
            Resumption::Expired(ExpiryReason::DeadlinePassed { .. })
        ));
    }
}
