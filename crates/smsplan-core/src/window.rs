//! Legal send windows: policies as data, evaluated in the recipient's local time.
//!
//! A [`Policy`] says, per weekday, which local time ranges allow a send ([`WeeklyRanges`]),
//! what happens on the holidays of a [`Calendar`] ([`HolidayRule`]), which messages it
//! covers ([`AppliesTo`]), an optional [`FrequencyCap`], its source and its effective date.
//! Built-in [`Preset`]s cover France, the US federal rule and stricter states, India and
//! Vietnam, each with its source.
//!
//! Given a policy, one or more zones and an instant, [`next_allowed`] gives the first allowed
//! instant at or after it, [`window_end`] the end of that window and [`windows`] iterates over
//! the allowed windows. Several policies (federal + state) or several zones (a number that
//! maps to several zones) combine by intersection: [`Intersection`].
//!
//! # Rules
//!
//! - **Half-open**: a range `08:00-20:00` allows 08:00 and forbids 20:00. `24:00` as an end
//!   means the next midnight; a range ending at 24:00 and the next day's range starting at
//!   00:00 form one window.
//! - **DST**: each local range `[start, end)` on a date becomes the instants
//!   `[resolve(start, Opens), resolve(end, Closes))`. A local time that exists once is that
//!   instant. In an autumn **fold** (the wall time exists twice) an opening edge takes the
//!   *later* reading and a closing edge the *earlier* one: the edge always narrows the window.
//!   In a spring **gap** (the wall time never happens) the edge moves to the instant of the
//!   jump, the first instant whose wall time is past the edge; a range wholly inside a gap
//!   is empty. Nothing ever shifts a send into a closed period, and nothing panics.
//! - **Holidays** are looked up by the recipient's local date in a precomputed
//!   [`HolidayTable`] built when the policy is built.
//!
//! ```
//! use chrono::{DateTime, Utc};
//! use chrono_tz::Europe::Paris;
//! use smsplan_core::window::{next_allowed, window_end, Preset};
//!
//! let policy = Preset::FrCommercial.policy();
//! // Saturday 2026-11-28 20:30 in Paris: closed until Monday 08:00.
//! let at: DateTime<Utc> = "2026-11-28T19:30:00Z".parse()?;
//! let next = next_allowed(&policy, &[Paris], at)?;
//! assert_eq!(next.with_timezone(&Paris).to_rfc3339(), "2026-11-30T08:00:00+01:00");
//! let end = window_end(&policy, &[Paris], at)?;
//! assert_eq!(end.with_timezone(&Paris).to_rfc3339(), "2026-11-30T20:00:00+01:00");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::borrow::Cow;
use std::fmt;
use std::num::NonZeroU32;
use std::str::FromStr;

use chrono::{
    DateTime, Datelike, Days, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta,
    TimeZone, Utc, Weekday,
};
use chrono_tz::Tz;

use crate::holiday::{Calendar, HolidayError, HolidayTable};

mod set;
pub use set::PolicySet;

/// How many local days a search looks ahead before giving up (about three years).
pub const SEARCH_DAYS: u32 = 1100;

/// Errors of window computations and policy construction.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum WindowError {
    /// A time range is empty, reversed or outside 00:00–24:00.
    #[error("invalid time range {text:?}: {reason}")]
    InvalidRange {
        /// The range as given.
        text: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// No zones were given.
    #[error("no time zone given")]
    NoZones,
    /// The policy allows nothing in the search horizon.
    #[error("policy {policy:?} allows no send in zone {zone} within {days} days after {from}")]
    NoWindowWithin {
        /// The policy's name.
        policy: String,
        /// The zone searched.
        zone: Tz,
        /// Where the search started.
        from: DateTime<Utc>,
        /// The horizon in days.
        days: u32,
    },
    /// The policies and zones of an intersection are never allowed at the same time within
    /// the horizon.
    #[error("no instant within {days} days after {from} is allowed by every policy and zone")]
    NoCommonWindow {
        /// Where the search started.
        from: DateTime<Utc>,
        /// The horizon in days.
        days: u32,
    },
    /// The window never closes within the horizon (e.g. a policy open around the clock).
    #[error("the window open at {at} does not close within {days} days")]
    NeverCloses {
        /// The instant inside the window.
        at: DateTime<Utc>,
        /// The horizon in days.
        days: u32,
    },
    /// A local time could not be placed on the timeline (a gap that the search could not
    /// bracket, which real zone data does not produce).
    #[error("local time {local} does not exist in zone {zone}")]
    NoSuchLocalTime {
        /// The zone.
        zone: Tz,
        /// The local time.
        local: NaiveDateTime,
    },
    /// A date computation left chrono's supported range.
    #[error("date out of range near {date}")]
    DateOutOfRange {
        /// The last date reached.
        date: NaiveDate,
    },
    /// A frequency cap with a zero limit or an empty period.
    #[error("invalid frequency cap: {reason}")]
    InvalidCap {
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A policy name that is not a preset.
    #[error("unknown policy {name:?}")]
    UnknownPreset {
        /// The name given.
        name: String,
    },
    /// A holiday computation failed.
    #[error("holiday calendar")]
    Holiday(#[from] HolidayError),
}

/// A half-open local time range `[start, end)` within one day, at minute resolution.
///
/// ```
/// use smsplan_core::window::LocalRange;
/// let r: LocalRange = "08:00-20:00".parse()?;
/// assert_eq!((r.start_minute(), r.end_minute()), (480, 1200));
/// assert_eq!(r.to_string(), "08:00-20:00");
/// assert!("20:00-08:00".parse::<LocalRange>().is_err());
/// assert!("+8:00-20:00".parse::<LocalRange>().is_err());
/// assert_eq!("8:00-24:00".parse::<LocalRange>()?.to_string(), "08:00-24:00");
/// # Ok::<(), smsplan_core::window::WindowError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LocalRange {
    start: u16,
    end: u16,
}

const MINUTES_PER_DAY: u16 = 1440;

impl LocalRange {
    /// A range from minute `start` to minute `end` of the day (`0 <= start < end <= 1440`).
    ///
    /// ```
    /// let r = smsplan_core::window::LocalRange::from_minutes(9 * 60, 21 * 60)?;
    /// assert_eq!(r.to_string(), "09:00-21:00");
    /// # Ok::<(), smsplan_core::window::WindowError>(())
    /// ```
    /// # Errors
    /// [`WindowError::InvalidRange`] when `start >= end` or `end > 1440`.
    pub fn from_minutes(start: u16, end: u16) -> Result<Self, WindowError> {
        let text = || format!("{}-{}", hhmm(start), hhmm(end));
        if end > MINUTES_PER_DAY {
            return Err(WindowError::InvalidRange {
                text: text(),
                reason: "ends after 24:00",
            });
        }
        if start >= end {
            return Err(WindowError::InvalidRange {
                text: text(),
                reason: "start is not before end",
            });
        }
        Ok(Self { start, end })
    }

    /// A range from `start_h:start_m` to `end_h:end_m` (end `24:00` allowed).
    ///
    /// ```
    /// let r = smsplan_core::window::LocalRange::hm(8, 0, 20, 0)?;
    /// assert_eq!(r.to_string(), "08:00-20:00");
    /// # Ok::<(), smsplan_core::window::WindowError>(())
    /// ```
    /// # Errors
    /// [`WindowError::InvalidRange`] for minutes ≥ 60, or as [`LocalRange::from_minutes`].
    pub fn hm(start_h: u16, start_m: u16, end_h: u16, end_m: u16) -> Result<Self, WindowError> {
        if start_m >= 60 || end_m >= 60 || start_h > 24 || end_h > 24 {
            return Err(WindowError::InvalidRange {
                text: format!("{start_h:02}:{start_m:02}-{end_h:02}:{end_m:02}"),
                reason: "hour or minute out of range",
            });
        }
        Self::from_minutes(start_h * 60 + start_m, end_h * 60 + end_m)
    }

    /// First allowed minute of the day.
    pub fn start_minute(self) -> u16 {
        self.start
    }

    /// First forbidden minute after the range (1440 = midnight at the end of the day).
    pub fn end_minute(self) -> u16 {
        self.end
    }

    /// Whether the local minute of day `minute` is inside the range.
    pub fn contains_minute(self, minute: u16) -> bool {
        self.start <= minute && minute < self.end
    }
}

fn hhmm(minute: u16) -> String {
    format!("{:02}:{:02}", minute / 60, minute % 60)
}

fn parse_hhmm(text: &str, whole: &str) -> Result<u16, WindowError> {
    let bad = |reason| WindowError::InvalidRange {
        text: whole.to_owned(),
        reason,
    };
    let (h, m) = text
        .trim()
        .split_once(':')
        .ok_or_else(|| bad("expected HH:MM-HH:MM"))?;
    let digits = |t: &str, lens: std::ops::RangeInclusive<usize>| {
        lens.contains(&t.len()) && t.bytes().all(|b| b.is_ascii_digit())
    };
    if !digits(h, 1..=2) {
        return Err(bad("hour is not one or two digits"));
    }
    if !digits(m, 2..=2) {
        return Err(bad("minute is not two digits"));
    }
    let h: u16 = h.parse().map_err(|_| bad("hour is not a number"))?;
    let m: u16 = m.parse().map_err(|_| bad("minute is not a number"))?;
    if m >= 60 || h > 24 || (h == 24 && m != 0) {
        return Err(bad("hour or minute out of range"));
    }
    Ok(h * 60 + m)
}

impl FromStr for LocalRange {
    type Err = WindowError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (a, b) = s.split_once('-').ok_or_else(|| WindowError::InvalidRange {
            text: s.to_owned(),
            reason: "expected HH:MM-HH:MM",
        })?;
        let start = parse_hhmm(a, s)?;
        let end = parse_hhmm(b, s)?;
        Self::from_minutes(start, end).map_err(|e| match e {
            WindowError::InvalidRange { reason, .. } => WindowError::InvalidRange {
                text: s.to_owned(),
                reason,
            },
            other => other,
        })
    }
}

impl fmt::Display for LocalRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", hhmm(self.start), hhmm(self.end))
    }
}

/// The allowed ranges of one day: sorted, disjoint, touching ranges merged. Empty = closed.
///
/// ```
/// use smsplan_core::window::{DayRanges, LocalRange};
/// let day = DayRanges::new([LocalRange::hm(12, 0, 14, 0)?, LocalRange::hm(8, 0, 12, 0)?]);
/// assert_eq!(day.to_string(), "08:00-14:00");
/// assert!(DayRanges::closed().is_closed());
/// # Ok::<(), smsplan_core::window::WindowError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct DayRanges(Vec<LocalRange>);

impl DayRanges {
    /// No allowed time.
    pub const fn closed() -> Self {
        Self(Vec::new())
    }

    /// The union of `ranges`, normalised.
    pub fn new(ranges: impl IntoIterator<Item = LocalRange>) -> Self {
        let mut v: Vec<LocalRange> = ranges.into_iter().collect();
        v.sort();
        let mut out: Vec<LocalRange> = Vec::with_capacity(v.len());
        for r in v {
            match out.last_mut() {
                Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
                _ => out.push(r),
            }
        }
        Self(out)
    }

    /// One range.
    pub fn single(range: LocalRange) -> Self {
        Self(vec![range])
    }

    /// The ranges, sorted.
    pub fn ranges(&self) -> &[LocalRange] {
        &self.0
    }

    /// Whether the day allows nothing.
    pub fn is_closed(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether the local minute of day `minute` is allowed.
    pub fn contains_minute(&self, minute: u16) -> bool {
        self.0.iter().any(|r| r.contains_minute(minute))
    }

    /// The intersection with `other`.
    ///
    /// ```
    /// use smsplan_core::window::{DayRanges, LocalRange};
    /// let a = DayRanges::single(LocalRange::hm(8, 0, 20, 0)?);
    /// let b = DayRanges::single(LocalRange::hm(9, 0, 21, 0)?);
    /// assert_eq!(a.intersect(&b).to_string(), "09:00-20:00");
    /// # Ok::<(), smsplan_core::window::WindowError>(())
    /// ```
    #[must_use]
    pub fn intersect(&self, other: &Self) -> Self {
        let mut out = Vec::new();
        for a in &self.0 {
            for b in &other.0 {
                let (s, e) = (a.start.max(b.start), a.end.min(b.end));
                if s < e {
                    out.push(LocalRange { start: s, end: e });
                }
            }
        }
        Self::new(out)
    }
}

impl fmt::Display for DayRanges {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            return f.write_str("closed");
        }
        for (i, r) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            write!(f, "{r}")?;
        }
        Ok(())
    }
}

/// The allowed ranges of each weekday.
///
/// ```
/// use chrono::Weekday;
/// use smsplan_core::window::{DayRanges, LocalRange, WeeklyRanges};
/// let week = WeeklyRanges::every_day(DayRanges::single(LocalRange::hm(8, 0, 20, 0)?))
///     .with_day(Weekday::Sun, DayRanges::closed());
/// assert!(week.day(Weekday::Sun).is_closed());
/// assert!(!week.day(Weekday::Sat).is_closed());
/// # Ok::<(), smsplan_core::window::WindowError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct WeeklyRanges([DayRanges; 7]);

impl WeeklyRanges {
    /// Every day closed.
    pub fn closed() -> Self {
        Self::default()
    }

    /// The same ranges every day.
    pub fn every_day(day: DayRanges) -> Self {
        Self(std::array::from_fn(|_| day.clone()))
    }

    /// This week with `weekday` set to `day`.
    #[must_use]
    pub fn with_day(mut self, weekday: Weekday, day: DayRanges) -> Self {
        if let Some(slot) = self.0.get_mut(weekday.num_days_from_monday() as usize) {
            *slot = day;
        }
        self
    }

    /// The ranges of `weekday`.
    pub fn day(&self, weekday: Weekday) -> &DayRanges {
        self.0
            .get(weekday.num_days_from_monday() as usize)
            .unwrap_or(&CLOSED)
    }
}

static CLOSED: DayRanges = DayRanges::closed();

/// What a policy does on the holidays of a calendar.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum HolidayRule {
    /// Holidays are ordinary days.
    None,
    /// The calendar's holidays are closed.
    Closed(Calendar),
    /// The calendar's holidays allow only these ranges (instead of the weekday's).
    OwnRanges(Calendar, DayRanges),
}

/// The class of a message, for deciding whether a policy applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum MessageClass {
    /// Promotional content: windows apply.
    Marketing,
    /// Functional content (delivery notices, codes, replies the user asked for).
    Transactional,
}

impl MessageClass {
    /// Every class, in declaration order.
    pub const ALL: [Self; 2] = [Self::Marketing, Self::Transactional];
}

/// Which message classes a policy restricts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AppliesTo {
    /// Marketing only; transactional messages are exempt (the usual case).
    MarketingOnly,
    /// Every message.
    AllMessages,
}

impl AppliesTo {
    /// Whether a message of `class` is restricted.
    ///
    /// ```
    /// use smsplan_core::window::{AppliesTo, MessageClass};
    /// assert!(!AppliesTo::MarketingOnly.covers(MessageClass::Transactional));
    /// assert!(AppliesTo::AllMessages.covers(MessageClass::Transactional));
    /// ```
    pub fn covers(self, class: MessageClass) -> bool {
        match (self, class) {
            (Self::AllMessages, _) | (Self::MarketingOnly, MessageClass::Marketing) => true,
            (Self::MarketingOnly, MessageClass::Transactional) => false,
        }
    }
}

/// The period over which a [`FrequencyCap`] counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CapPeriod {
    /// Any rolling period of this length ending at the send.
    Rolling(TimeDelta),
    /// The recipient's local calendar day.
    LocalDay,
}

/// Whether a cap counts all messages or those on the same topic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CapScope {
    /// Every message counts.
    AllTopics,
    /// Only messages on the same topic count (no topic is a topic of its own).
    SameTopic,
}

/// At most `max` messages per period.
///
/// ```
/// use chrono::TimeDelta;
/// use smsplan_core::window::{CapPeriod, CapScope, FrequencyCap};
/// let cap = FrequencyCap::new(3, CapPeriod::Rolling(TimeDelta::hours(24)), CapScope::SameTopic)?;
/// assert_eq!(cap.max().get(), 3);
/// # Ok::<(), smsplan_core::window::WindowError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FrequencyCap {
    max: NonZeroU32,
    period: CapPeriod,
    scope: CapScope,
}

impl FrequencyCap {
    /// A cap of `max` messages per `period`.
    ///
    /// # Errors
    /// [`WindowError::InvalidCap`] when `max` is 0 or a rolling period is not positive.
    pub fn new(max: u32, period: CapPeriod, scope: CapScope) -> Result<Self, WindowError> {
        let max = NonZeroU32::new(max).ok_or(WindowError::InvalidCap { reason: "max is 0" })?;
        if let CapPeriod::Rolling(d) = period
            && d <= TimeDelta::zero()
        {
            return Err(WindowError::InvalidCap {
                reason: "rolling period is not positive",
            });
        }
        Ok(Self { max, period, scope })
    }

    /// The most messages allowed per period.
    pub fn max(&self) -> NonZeroU32 {
        self.max
    }

    /// The counting period.
    pub fn period(&self) -> CapPeriod {
        self.period
    }

    /// Which messages count.
    pub fn scope(&self) -> CapScope {
        self.scope
    }
}

/// A message topic, for per-topic frequency caps.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Topic(Box<str>);

impl Topic {
    /// A topic called `name`.
    pub fn new(name: impl Into<Box<str>>) -> Self {
        Self(name.into())
    }

    /// The topic's name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A send already made to a recipient, for [`check_cap`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PastSend {
    /// When it was sent.
    pub at: DateTime<Utc>,
    /// Its topic, if any.
    pub topic: Option<Topic>,
}

/// The answer of [`check_cap`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum CapCheck {
    /// Another send is within the cap.
    Within {
        /// Sends counted in the period (before the new one).
        counted: u32,
        /// The cap.
        max: u32,
    },
    /// Another send would exceed the cap.
    WouldExceed {
        /// Sends counted in the period.
        counted: u32,
        /// The cap.
        max: u32,
        /// The first instant at which a send is within the cap again.
        retry_at: DateTime<Utc>,
    },
}

/// Whether one more send at `at` on `topic` stays within `cap`, given the recipient's past
/// sends (sends after `at` are ignored). A [`CapPeriod::LocalDay`] counts in `zone`.
///
/// ```
/// use chrono::{DateTime, TimeDelta, Utc};
/// use smsplan_core::window::{check_cap, CapCheck, CapPeriod, CapScope, FrequencyCap, PastSend, Topic};
/// let cap = FrequencyCap::new(3, CapPeriod::Rolling(TimeDelta::hours(24)), CapScope::SameTopic)?;
/// let sale = Topic::new("sale");
/// let at = |s: &str| s.parse::<DateTime<Utc>>().unwrap();
/// let past: Vec<PastSend> = ["2026-06-01T09:00:00Z", "2026-06-01T12:00:00Z", "2026-06-01T15:00:00Z"]
///     .iter().map(|t| PastSend { at: at(t), topic: Some(sale.clone()) }).collect();
/// let check = check_cap(&cap, &past, Some(&sale), chrono_tz::America::New_York, at("2026-06-01T18:00:00Z"));
/// assert_eq!(check, CapCheck::WouldExceed { counted: 3, max: 3, retry_at: at("2026-06-02T09:00:00Z") });
/// // Another topic is not counted.
/// let other = check_cap(&cap, &past, Some(&Topic::new("news")), chrono_tz::America::New_York, at("2026-06-01T18:00:00Z"));
/// assert_eq!(other, CapCheck::Within { counted: 0, max: 3 });
/// # Ok::<(), smsplan_core::window::WindowError>(())
/// ```
pub fn check_cap(
    cap: &FrequencyCap,
    history: &[PastSend],
    topic: Option<&Topic>,
    zone: Tz,
    at: DateTime<Utc>,
) -> CapCheck {
    let same_topic = |s: &PastSend| match cap.scope {
        CapScope::AllTopics => true,
        CapScope::SameTopic => s.topic.as_ref() == topic,
    };
    let max = cap.max.get();
    match cap.period {
        CapPeriod::Rolling(len) => {
            let from = at
                .checked_sub_signed(len)
                .unwrap_or(DateTime::<Utc>::MIN_UTC);
            let mut times: Vec<DateTime<Utc>> = history
                .iter()
                .filter(|s| same_topic(s) && s.at > from && s.at <= at)
                .map(|s| s.at)
                .collect();
            let counted = u32::try_from(times.len()).unwrap_or(u32::MAX);
            if counted < max {
                return CapCheck::Within { counted, max };
            }
            times.sort_unstable();
            // Dropping the (counted - max + 1) oldest brings the count below max.
            let idx = (counted - max) as usize;
            let retry_at = times
                .get(idx)
                .and_then(|t| t.checked_add_signed(len))
                .unwrap_or(DateTime::<Utc>::MAX_UTC);
            CapCheck::WouldExceed {
                counted,
                max,
                retry_at,
            }
        }
        CapPeriod::LocalDay => {
            let day = at.with_timezone(&zone).date_naive();
            let counted = history
                .iter()
                .filter(|s| {
                    same_topic(s) && s.at <= at && s.at.with_timezone(&zone).date_naive() == day
                })
                .count();
            let counted = u32::try_from(counted).unwrap_or(u32::MAX);
            if counted < max {
                return CapCheck::Within { counted, max };
            }
            let retry_at = day
                .succ_opt()
                .and_then(|next| resolve(zone, next, 0, Edge::Opens).ok())
                .unwrap_or(at);
            CapCheck::WouldExceed {
                counted,
                max,
                retry_at,
            }
        }
    }
}

/// A send-window policy: data, not code.
///
/// ```
/// use chrono::Weekday;
/// use smsplan_core::holiday::Calendar;
/// use smsplan_core::window::{DayRanges, HolidayRule, LocalRange, Policy, WeeklyRanges};
///
/// let weekdays = DayRanges::single(LocalRange::hm(9, 0, 18, 0)?);
/// let policy = Policy::builder("acme-weekdays")
///     .weekly(WeeklyRanges::every_day(weekdays)
///         .with_day(Weekday::Sat, DayRanges::closed())
///         .with_day(Weekday::Sun, DayRanges::closed()))
///     .holidays(HolidayRule::Closed(Calendar::france()))
///     .source("ACME internal rule 12")
///     .build()?;
/// assert_eq!(policy.name(), "acme-weekdays");
/// # Ok::<(), smsplan_core::window::WindowError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    name: Cow<'static, str>,
    weekly: WeeklyRanges,
    holiday_rule: HolidayRule,
    /// Table and ranges used on holidays, built from `holiday_rule`.
    holidays: Option<(HolidayTable, DayRanges)>,
    applies_to: AppliesTo,
    cap: Option<FrequencyCap>,
    source: Cow<'static, str>,
    effective_from: Option<NaiveDate>,
}

/// Builds a [`Policy`]; see [`Policy::builder`].
#[derive(Debug, Clone)]
pub struct PolicyBuilder {
    name: Cow<'static, str>,
    weekly: WeeklyRanges,
    holiday_rule: HolidayRule,
    applies_to: AppliesTo,
    cap: Option<FrequencyCap>,
    source: Cow<'static, str>,
    effective_from: Option<NaiveDate>,
}

impl PolicyBuilder {
    /// The weekly ranges (default: every day closed).
    #[must_use]
    pub fn weekly(mut self, weekly: WeeklyRanges) -> Self {
        self.weekly = weekly;
        self
    }

    /// The ranges of one weekday.
    #[must_use]
    pub fn day(mut self, weekday: Weekday, day: DayRanges) -> Self {
        self.weekly = self.weekly.with_day(weekday, day);
        self
    }

    /// The holiday rule (default: [`HolidayRule::None`]).
    #[must_use]
    pub fn holidays(mut self, rule: HolidayRule) -> Self {
        self.holiday_rule = rule;
        self
    }

    /// Which messages it restricts (default: [`AppliesTo::MarketingOnly`]).
    #[must_use]
    pub fn applies_to(mut self, applies_to: AppliesTo) -> Self {
        self.applies_to = applies_to;
        self
    }

    /// A frequency cap.
    #[must_use]
    pub fn cap(mut self, cap: FrequencyCap) -> Self {
        self.cap = Some(cap);
        self
    }

    /// Where the rule comes from (statute, charter, contract).
    #[must_use]
    pub fn source(mut self, source: impl Into<Cow<'static, str>>) -> Self {
        self.source = source.into();
        self
    }

    /// The date the rule took effect.
    #[must_use]
    pub fn effective_from(mut self, date: NaiveDate) -> Self {
        self.effective_from = Some(date);
        self
    }

    /// The policy, with its holiday table computed.
    ///
    /// # Errors
    /// [`WindowError::Holiday`] when a user holiday definition names no real day.
    pub fn build(self) -> Result<Policy, WindowError> {
        let holidays = match &self.holiday_rule {
            HolidayRule::None => None,
            HolidayRule::Closed(cal) => Some((cal.table()?, DayRanges::closed())),
            HolidayRule::OwnRanges(cal, day) => Some((cal.table()?, day.clone())),
        };
        Ok(Policy {
            name: self.name,
            weekly: self.weekly,
            holiday_rule: self.holiday_rule,
            holidays,
            applies_to: self.applies_to,
            cap: self.cap,
            source: self.source,
            effective_from: self.effective_from,
        })
    }
}

impl Policy {
    /// Starts a policy called `name`, closed every day until ranges are added.
    pub fn builder(name: impl Into<Cow<'static, str>>) -> PolicyBuilder {
        PolicyBuilder {
            name: name.into(),
            weekly: WeeklyRanges::closed(),
            holiday_rule: HolidayRule::None,
            applies_to: AppliesTo::MarketingOnly,
            cap: None,
            source: Cow::Borrowed(""),
            effective_from: None,
        }
    }

    /// The built-in policy called `name` (see [`Preset`]).
    ///
    /// ```
    /// let p = smsplan_core::window::Policy::preset("us-tx")?;
    /// assert_eq!(p.name(), "us-tx");
    /// # Ok::<(), smsplan_core::window::WindowError>(())
    /// ```
    /// # Errors
    /// [`WindowError::UnknownPreset`] for other names.
    pub fn preset(name: &str) -> Result<Self, WindowError> {
        Ok(name.parse::<Preset>()?.policy())
    }

    /// The policy's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The weekly ranges.
    pub fn weekly(&self) -> &WeeklyRanges {
        &self.weekly
    }

    /// The holiday rule.
    pub fn holiday_rule(&self) -> &HolidayRule {
        &self.holiday_rule
    }

    /// Which messages it restricts.
    pub fn applies_to(&self) -> AppliesTo {
        self.applies_to
    }

    /// The frequency cap, if any.
    pub fn cap(&self) -> Option<&FrequencyCap> {
        self.cap.as_ref()
    }

    /// Where the rule comes from.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// The date the rule took effect, if known. Informative: windows are computed the same
    /// before it; choosing the policy in force is the caller's ([`Policy::is_in_force`]).
    pub fn effective_from(&self) -> Option<NaiveDate> {
        self.effective_from
    }

    /// Whether the rule is in force on `date` (always, without an effective date).
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// let charter = smsplan_core::window::Preset::FrCommercial2024.policy();
    /// assert!(!charter.is_in_force(NaiveDate::from_ymd_opt(2024, 8, 31).unwrap()));
    /// assert!(charter.is_in_force(NaiveDate::from_ymd_opt(2024, 9, 1).unwrap()));
    /// ```
    pub fn is_in_force(&self, date: NaiveDate) -> bool {
        self.effective_from.is_none_or(|from| date >= from)
    }

    /// The allowed local ranges on `date` (holiday rule first, then the weekday).
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// let p = smsplan_core::window::Preset::FrCommercial.policy();
    /// assert!(p.ranges_on(NaiveDate::from_ymd_opt(2026, 7, 14).unwrap())?.is_closed());
    /// assert_eq!(p.ranges_on(NaiveDate::from_ymd_opt(2026, 7, 15).unwrap())?.to_string(), "08:00-20:00");
    /// # Ok::<(), smsplan_core::window::WindowError>(())
    /// ```
    /// # Errors
    /// [`WindowError::Holiday`] for dates outside the holiday table whose computation fails.
    #[inline]
    pub fn ranges_on(&self, date: NaiveDate) -> Result<&DayRanges, WindowError> {
        if let Some((table, on_holiday)) = &self.holidays
            && table.is_holiday(date)?
        {
            return Ok(on_holiday);
        }
        Ok(self.weekly.day(date.weekday()))
    }

    /// Whether a send of `class` is restricted by this policy.
    pub fn covers(&self, class: MessageClass) -> bool {
        self.applies_to.covers(class)
    }
}

/// The built-in policies, each with its source.
///
/// | name | rule | source |
/// |---|---|---|
/// | `fr-commercial` | Mon–Sat 08:00–20:00, no Sundays, no French public holidays | operator alpha-sender filters and platform practice (Mailify/Sarbacane, tyntec, SureSMS); holidays Code du travail L3133-1 |
/// | `fr-commercial-2024` | Mon–Sat 08:00–22:00, same closed days | af2m Business Messaging charter, in force 2024-09-01 |
/// | `fr-alsace-moselle` | as `fr-commercial`, plus Good Friday and 26 December | local law of Haut-Rhin, Bas-Rhin, Moselle |
/// | `fr-operator-legacy` | Mon–Fri 08:00–20:00, Sat 10:00–20:00, no Sundays or holidays | older operator guidance (Acoustic, SMS Partner) |
/// | `us-tcpa` | every day 08:00–21:00 | 47 CFR 64.1200(c)(1) |
/// | `us-fl` | 08:00–20:00, ≤ 3 per 24 h same topic | Fla. Stat. 501.616(6) (SB 1120, 2021) |
/// | `us-ok` | 08:00–20:00, ≤ 3 per 24 h same topic | 15 O.S. 775C (HB 3168, 2022-11-01) |
/// | `us-md` | 08:00–20:00, ≤ 3 per 24 h same topic | Md. Com. Law 14-4501 ff. (2024-01-01) |
/// | `us-ct` | 09:00–20:00 | Conn. Public Act 23-98 (2023-10-01) |
/// | `us-tx` | Mon–Sat 09:00–21:00, Sun 12:00–21:00 | Texas SB 140 (2025-09-01) |
/// | `us-wa` | 08:00–20:00 | RCW 80.36.390 |
/// | `in-trai` | 09:00–21:00 | TRAI TCCCPR 2018 |
/// | `vn` | 07:00–22:00, ≤ 3 advertising messages per local day | Decree 91/2020/ND-CP |
///
/// All restrict marketing only. Times are the recipient's local time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Preset {
    /// `fr-commercial`.
    FrCommercial,
    /// `fr-commercial-2024`.
    FrCommercial2024,
    /// `fr-alsace-moselle`.
    FrAlsaceMoselle,
    /// `fr-operator-legacy`.
    FrOperatorLegacy,
    /// `us-tcpa`.
    UsTcpa,
    /// `us-fl`.
    UsFl,
    /// `us-ok`.
    UsOk,
    /// `us-md`.
    UsMd,
    /// `us-ct`.
    UsCt,
    /// `us-tx`.
    UsTx,
    /// `us-wa`.
    UsWa,
    /// `in-trai`.
    InTrai,
    /// `vn`.
    Vn,
}

impl Preset {
    /// Every preset.
    pub const ALL: [Self; 13] = [
        Self::FrCommercial,
        Self::FrCommercial2024,
        Self::FrAlsaceMoselle,
        Self::FrOperatorLegacy,
        Self::UsTcpa,
        Self::UsFl,
        Self::UsOk,
        Self::UsMd,
        Self::UsCt,
        Self::UsTx,
        Self::UsWa,
        Self::InTrai,
        Self::Vn,
    ];

    /// The preset's name, as `--policy` takes it.
    pub fn name(self) -> &'static str {
        match self {
            Self::FrCommercial => "fr-commercial",
            Self::FrCommercial2024 => "fr-commercial-2024",
            Self::FrAlsaceMoselle => "fr-alsace-moselle",
            Self::FrOperatorLegacy => "fr-operator-legacy",
            Self::UsTcpa => "us-tcpa",
            Self::UsFl => "us-fl",
            Self::UsOk => "us-ok",
            Self::UsMd => "us-md",
            Self::UsCt => "us-ct",
            Self::UsTx => "us-tx",
            Self::UsWa => "us-wa",
            Self::InTrai => "in-trai",
            Self::Vn => "vn",
        }
    }

    /// The policy. Each call builds the policy's holiday table (about 0.1 ms for the French
    /// presets): build it once and share it (clones share the table).
    ///
    /// ```
    /// use smsplan_core::window::Preset;
    /// for p in Preset::ALL {
    ///     assert_eq!(p.policy().name(), p.name());
    ///     assert!(!p.policy().source().is_empty());
    /// }
    /// ```
    pub fn policy(self) -> Policy {
        let r = |s_h: u16, e_h: u16| {
            DayRanges::single(LocalRange {
                start: s_h * 60,
                end: e_h * 60,
            })
        };
        let mon_sat = |day: DayRanges| {
            WeeklyRanges::every_day(day).with_day(Weekday::Sun, DayRanges::closed())
        };
        let ymd = NaiveDate::from_ymd_opt;
        let three_per_day_same_topic = FrequencyCap {
            max: NonZeroU32::MIN.saturating_add(2),
            period: CapPeriod::Rolling(TimeDelta::hours(24)),
            scope: CapScope::SameTopic,
        };
        let (weekly, holidays, cap, source, effective): (_, _, _, &'static str, _) = match self {
            Self::FrCommercial => (
                mon_sat(r(8, 20)),
                HolidayRule::Closed(Calendar::france()),
                None,
                "French operator and platform practice for marketing SMS (alphanumeric-sender \
                 filters of SFR, Bouygues and Orange; Mailify/Sarbacane): Monday-Saturday \
                 08:00-20:00, never Sundays or public holidays (Code du travail L3133-1)",
                None,
            ),
            Self::FrCommercial2024 => (
                mon_sat(r(8, 22)),
                HolidayRule::Closed(Calendar::france()),
                None,
                "af2m Business Messaging charter, in force since 2024-09-01: jours ouvrables \
                 08:00-22:00, public holidays excluded",
                ymd(2024, 9, 1),
            ),
            Self::FrAlsaceMoselle => (
                mon_sat(r(8, 20)),
                HolidayRule::Closed(Calendar::france_alsace_moselle()),
                None,
                "as fr-commercial, with the Alsace-Moselle local holidays (Good Friday, \
                 26 December) of the Haut-Rhin, Bas-Rhin and Moselle departments",
                None,
            ),
            Self::FrOperatorLegacy => (
                mon_sat(r(8, 20)).with_day(Weekday::Sat, r(10, 20)),
                HolidayRule::Closed(Calendar::france()),
                None,
                "older operator-specific French guidance: Monday-Friday 08:00-20:00, Saturday \
                 10:00-20:00, no Sundays or public holidays",
                None,
            ),
            Self::UsTcpa => (
                WeeklyRanges::every_day(r(8, 21)),
                HolidayRule::None,
                None,
                "47 CFR 64.1200(c)(1): no telephone solicitation before 08:00 or after 21:00 \
                 at the called party's location",
                None,
            ),
            Self::UsFl => (
                WeeklyRanges::every_day(r(8, 20)),
                HolidayRule::None,
                Some(three_per_day_same_topic),
                "Fla. Stat. 501.616(6) as amended by SB 1120 (2021): 08:00-20:00, at most 3 \
                 commercial solicitations per 24 hours on the same subject",
                ymd(2021, 7, 1),
            ),
            Self::UsOk => (
                WeeklyRanges::every_day(r(8, 20)),
                HolidayRule::None,
                Some(three_per_day_same_topic),
                "Oklahoma Telephone Solicitation Act, 15 O.S. 775C (HB 3168, 2022): \
                 08:00-20:00, at most 3 per 24 hours on the same subject",
                ymd(2022, 11, 1),
            ),
            Self::UsMd => (
                WeeklyRanges::every_day(r(8, 20)),
                HolidayRule::None,
                Some(three_per_day_same_topic),
                "Maryland Stop the Spam Calls Act, Md. Com. Law 14-4501 ff.: 08:00-20:00, at \
                 most 3 calls or texts per 24 hours on the same subject",
                ymd(2024, 1, 1),
            ),
            Self::UsCt => (
                WeeklyRanges::every_day(r(9, 20)),
                HolidayRule::None,
                None,
                "Connecticut Public Act 23-98: 09:00-20:00",
                ymd(2023, 10, 1),
            ),
            Self::UsTx => (
                WeeklyRanges::every_day(r(9, 21)).with_day(Weekday::Sun, r(12, 21)),
                HolidayRule::None,
                None,
                "Texas SB 140 (2025), Bus. & Com. Code 301.051: Monday-Saturday 09:00-21:00, \
                 Sunday 12:00-21:00",
                ymd(2025, 9, 1),
            ),
            Self::UsWa => (
                WeeklyRanges::every_day(r(8, 20)),
                HolidayRule::None,
                None,
                "RCW 80.36.390: 08:00-20:00",
                None,
            ),
            Self::InTrai => (
                WeeklyRanges::every_day(r(9, 21)),
                HolidayRule::None,
                None,
                "TRAI Telecom Commercial Communications Customer Preference Regulations 2018: \
                 promotional messages 09:00-21:00",
                ymd(2018, 7, 19),
            ),
            Self::Vn => (
                WeeklyRanges::every_day(r(7, 22)),
                HolidayRule::None,
                Some(FrequencyCap {
                    max: NonZeroU32::MIN.saturating_add(2),
                    period: CapPeriod::LocalDay,
                    scope: CapScope::AllTopics,
                }),
                "Decree 91/2020/ND-CP: advertising SMS 07:00-22:00, at most 3 per recipient per \
                 day",
                ymd(2020, 10, 1),
            ),
        };
        let holidays_table = match &holidays {
            HolidayRule::None => None,
            HolidayRule::Closed(cal) => cal.table().ok().map(|t| (t, DayRanges::closed())),
            HolidayRule::OwnRanges(cal, day) => cal.table().ok().map(|t| (t, day.clone())),
        };
        Policy {
            name: Cow::Borrowed(self.name()),
            weekly,
            holiday_rule: holidays,
            holidays: holidays_table,
            applies_to: AppliesTo::MarketingOnly,
            cap,
            source: Cow::Borrowed(source),
            effective_from: effective,
        }
    }
}

impl FromStr for Preset {
    type Err = WindowError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|p| p.name() == s)
            .ok_or_else(|| WindowError::UnknownPreset { name: s.to_owned() })
    }
}

impl fmt::Display for Preset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Which side of a window a local time is, for the DST rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Edge {
    /// The window opens here: in a fold take the later reading.
    Opens,
    /// The window closes here: in a fold take the earlier reading.
    Closes,
}

/// Places local minute `minute` (0–1440; 1440 = next midnight) of `date` in `zone` on the
/// timeline by the module's DST rule: single → itself; fold → later reading for
/// [`Edge::Opens`], earlier for [`Edge::Closes`]; gap → the instant of the jump.
///
/// ```
/// use chrono::NaiveDate;
/// use chrono_tz::Europe::Paris;
/// use smsplan_core::window::{resolve_local, Edge};
/// let d = NaiveDate::from_ymd_opt(2026, 3, 29).unwrap();
/// // 02:30 does not exist on that day: the edge moves to 03:00 CEST (01:00 UTC).
/// assert_eq!(resolve_local(Paris, d, 150, Edge::Opens)?.to_rfc3339(), "2026-03-29T01:00:00+00:00");
/// let d = NaiveDate::from_ymd_opt(2026, 10, 25).unwrap();
/// // 02:30 happens twice: opening takes the later (CET), closing the earlier (CEST).
/// assert_eq!(resolve_local(Paris, d, 150, Edge::Opens)?.to_rfc3339(), "2026-10-25T01:30:00+00:00");
/// assert_eq!(resolve_local(Paris, d, 150, Edge::Closes)?.to_rfc3339(), "2026-10-25T00:30:00+00:00");
/// # Ok::<(), smsplan_core::window::WindowError>(())
/// ```
/// # Errors
/// [`WindowError::DateOutOfRange`] past chrono's range; [`WindowError::NoSuchLocalTime`]
/// when a gap cannot be bracketed.
pub fn resolve_local(
    zone: Tz,
    date: NaiveDate,
    minute: u16,
    edge: Edge,
) -> Result<DateTime<Utc>, WindowError> {
    resolve(zone, date, minute, edge)
}

#[inline]
fn resolve(
    zone: Tz,
    date: NaiveDate,
    minute: u16,
    edge: Edge,
) -> Result<DateTime<Utc>, WindowError> {
    let (date, minute) = if minute >= MINUTES_PER_DAY {
        (
            date.succ_opt()
                .ok_or(WindowError::DateOutOfRange { date })?,
            minute - MINUTES_PER_DAY,
        )
    } else {
        (date, minute)
    };
    let time = NaiveTime::from_hms_opt(u32::from(minute / 60), u32::from(minute % 60), 0)
        .ok_or(WindowError::DateOutOfRange { date })?;
    let local = date.and_time(time);
    match (zone.from_local_datetime(&local), edge) {
        (LocalResult::Single(t), _) => Ok(t.with_timezone(&Utc)),
        (LocalResult::Ambiguous(_, later), Edge::Opens) => Ok(later.with_timezone(&Utc)),
        (LocalResult::Ambiguous(earlier, _), Edge::Closes) => Ok(earlier.with_timezone(&Utc)),
        // Gap: the wall time never happens; the edge moves to the jump.
        (LocalResult::None, _) => {
            gap_end(zone, local).ok_or(WindowError::NoSuchLocalTime { zone, local })
        }
    }
}

/// The first instant whose wall time in `zone` is after `local` (a time inside a gap).
pub(crate) fn gap_end(zone: Tz, local: NaiveDateTime) -> Option<DateTime<Utc>> {
    let wall =
        |secs: i64| DateTime::from_timestamp(secs, 0).map(|t| t.with_timezone(&zone).naive_local());
    let base = local.and_utc().timestamp();
    // Offsets stay within ±26 h of UTC, so the jump lies in this bracket.
    let (mut lo, mut hi) = (base - 30 * 3600, base + 30 * 3600);
    if wall(lo)? >= local || wall(hi)? <= local {
        return None;
    }
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        if wall(mid)? > local {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    // `local` must really be skipped: the second before reads earlier, the jump reads later.
    if wall(lo)? < local {
        DateTime::from_timestamp(hi, 0)
    } else {
        None
    }
}

/// An instant interval `(open, close)`.
type Span = (DateTime<Utc>, DateTime<Utc>);

/// The windows of one policy in one zone, day by day from a local date, in time order.
struct Instances<'a> {
    policy: &'a Policy,
    zone: Tz,
    date: NaiveDate,
    index: usize,
    days_left: u32,
}

impl<'a> Instances<'a> {
    /// Starts at the local date of `at`, or the day before when that day's last range runs
    /// to midnight (its window may still be open).
    fn from(policy: &'a Policy, zone: Tz, at: DateTime<Utc>) -> Result<Self, WindowError> {
        let date = at.with_timezone(&zone).date_naive();
        let start = match date.pred_opt() {
            Some(prev)
                if policy
                    .ranges_on(prev)?
                    .ranges()
                    .last()
                    .is_some_and(|r| r.end == MINUTES_PER_DAY) =>
            {
                prev
            }
            _ => date,
        };
        Ok(Self {
            policy,
            zone,
            date: start,
            index: 0,
            days_left: SEARCH_DAYS,
        })
    }

    fn next_window(&mut self) -> Result<Option<Span>, WindowError> {
        loop {
            let ranges = self.policy.ranges_on(self.date)?;
            if let Some(r) = ranges.ranges().get(self.index) {
                self.index += 1;
                let open = resolve(self.zone, self.date, r.start, Edge::Opens)?;
                let close = resolve(self.zone, self.date, r.end, Edge::Closes)?;
                if open < close {
                    return Ok(Some((open, close)));
                }
                continue;
            }
            if self.days_left == 0 {
                return Ok(None);
            }
            self.days_left -= 1;
            self.date = self
                .date
                .checked_add_days(Days::new(1))
                .ok_or(WindowError::DateOutOfRange { date: self.date })?;
            self.index = 0;
        }
    }
}

fn next_allowed_one(
    policy: &Policy,
    zone: Tz,
    at: DateTime<Utc>,
) -> Result<DateTime<Utc>, WindowError> {
    let mut it = Instances::from(policy, zone, at)?;
    while let Some((open, close)) = it.next_window()? {
        if close > at {
            return Ok(open.max(at));
        }
    }
    Err(WindowError::NoWindowWithin {
        policy: policy.name.to_string(),
        zone,
        from: at,
        days: SEARCH_DAYS,
    })
}

/// End of the window containing `at`, or of the next one; `None` if it does not close
/// within the horizon.
fn window_end_one(
    policy: &Policy,
    zone: Tz,
    at: DateTime<Utc>,
) -> Result<Option<DateTime<Utc>>, WindowError> {
    let mut it = Instances::from(policy, zone, at)?;
    while let Some((_, close)) = it.next_window()? {
        if close <= at {
            continue;
        }
        let mut end = close;
        loop {
            match it.next_window()? {
                Some((o, c)) if o <= end => end = end.max(c),
                Some(_) => return Ok(Some(end)),
                None => return Ok(None),
            }
        }
    }
    Err(WindowError::NoWindowWithin {
        policy: policy.name.to_string(),
        zone,
        from: at,
        days: SEARCH_DAYS,
    })
}

/// A list of (policy, zone) pairs that must all allow a send.
#[derive(Debug, Clone, Copy)]
enum Parts<'a> {
    OnePolicy(&'a Policy, &'a [Tz]),
    Pairs(&'a [(&'a Policy, Tz)]),
}

impl<'a> Parts<'a> {
    fn len(self) -> usize {
        match self {
            Self::OnePolicy(_, zones) => zones.len(),
            Self::Pairs(pairs) => pairs.len(),
        }
    }

    fn get(self, i: usize) -> Option<(&'a Policy, Tz)> {
        match self {
            Self::OnePolicy(p, zones) => zones.get(i).map(|z| (p, *z)),
            Self::Pairs(pairs) => pairs.get(i).copied(),
        }
    }

    fn next_allowed(self, at: DateTime<Utc>) -> Result<DateTime<Utc>, WindowError> {
        if self.len() == 0 {
            return Err(WindowError::NoZones);
        }
        if let Some((p, z)) = self.get(0).filter(|_| self.len() == 1) {
            return next_allowed_one(p, z, at);
        }
        let limit = at
            .checked_add_signed(TimeDelta::days(i64::from(SEARCH_DAYS)))
            .unwrap_or(DateTime::<Utc>::MAX_UTC);
        let mut t = at;
        loop {
            let mut moved = false;
            for i in 0..self.len() {
                if let Some((p, z)) = self.get(i) {
                    let u = next_allowed_one(p, z, t)?;
                    if u > t {
                        t = u;
                        moved = true;
                    }
                }
            }
            if !moved {
                return Ok(t);
            }
            if t > limit {
                return Err(WindowError::NoCommonWindow {
                    from: at,
                    days: SEARCH_DAYS,
                });
            }
        }
    }

    fn window_end(self, at: DateTime<Utc>) -> Result<DateTime<Utc>, WindowError> {
        let start = self.next_allowed(at)?;
        let mut end: Option<DateTime<Utc>> = None;
        for i in 0..self.len() {
            if let Some((p, z)) = self.get(i)
                && let Some(e) = window_end_one(p, z, start)?
            {
                end = Some(end.map_or(e, |cur| cur.min(e)));
            }
        }
        end.ok_or(WindowError::NeverCloses {
            at: start,
            days: SEARCH_DAYS,
        })
    }
}

/// The first instant at or after `at` that `policy` allows in every zone of `zones`.
///
/// ```
/// use chrono::{DateTime, Utc};
/// use chrono_tz::America::{Los_Angeles, New_York};
/// use smsplan_core::window::{next_allowed, Preset};
/// let tcpa = Preset::UsTcpa.policy();
/// // 12:30 UTC is 08:30 in New York but 05:30 in Los Angeles.
/// let at: DateTime<Utc> = "2026-06-10T12:30:00Z".parse()?;
/// assert_eq!(next_allowed(&tcpa, &[New_York], at)?, at);
/// assert_eq!(next_allowed(&tcpa, &[Los_Angeles], at)?.to_rfc3339(), "2026-06-10T15:00:00+00:00");
/// assert_eq!(next_allowed(&tcpa, &[New_York, Los_Angeles], at)?.to_rfc3339(), "2026-06-10T15:00:00+00:00");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
/// # Errors
/// [`WindowError::NoZones`] for an empty `zones`; [`WindowError::NoWindowWithin`] /
/// [`WindowError::NoCommonWindow`] when nothing is allowed within [`SEARCH_DAYS`] days;
/// [`WindowError::Holiday`] for dates the holiday calendar cannot compute.
#[inline]
pub fn next_allowed(
    policy: &Policy,
    zones: &[Tz],
    at: DateTime<Utc>,
) -> Result<DateTime<Utc>, WindowError> {
    Parts::OnePolicy(policy, zones).next_allowed(at)
}

/// The end of the allowed window containing `at`, or of the next one when `at` is not
/// allowed (the window that [`next_allowed`] opens). Exclusive: the instant itself is not
/// allowed.
///
/// ```
/// use chrono::{DateTime, Utc};
/// use chrono_tz::Europe::Paris;
/// use smsplan_core::window::{window_end, Preset};
/// let at: DateTime<Utc> = "2026-06-10T10:00:00Z".parse()?;
/// let end = window_end(&Preset::FrCommercial.policy(), &[Paris], at)?;
/// assert_eq!(end.with_timezone(&Paris).to_rfc3339(), "2026-06-10T20:00:00+02:00");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
/// # Errors
/// As [`next_allowed`], and [`WindowError::NeverCloses`] for a window open through the
/// whole horizon.
pub fn window_end(
    policy: &Policy,
    zones: &[Tz],
    at: DateTime<Utc>,
) -> Result<DateTime<Utc>, WindowError> {
    Parts::OnePolicy(policy, zones).window_end(at)
}

/// Whether `policy` allows a send at `at` in every zone of `zones`.
///
/// ```
/// use chrono::{DateTime, Utc};
/// use chrono_tz::Europe::Paris;
/// use smsplan_core::window::{is_allowed, Preset};
/// let p = Preset::FrCommercial.policy();
/// // Saturday 2026-06-13: 19:59 allowed, 20:00 not (half-open).
/// assert!(is_allowed(&p, &[Paris], "2026-06-13T17:59:00Z".parse()?)?);
/// assert!(!is_allowed(&p, &[Paris], "2026-06-13T18:00:00Z".parse()?)?);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
/// # Errors
/// As [`next_allowed`].
pub fn is_allowed(policy: &Policy, zones: &[Tz], at: DateTime<Utc>) -> Result<bool, WindowError> {
    Ok(next_allowed(policy, zones, at)? == at)
}

/// The allowed windows from `from` on, in time order (the first may start at `from`).
///
/// ```
/// use chrono::{DateTime, Utc};
/// use chrono_tz::America::Chicago;
/// use smsplan_core::window::{windows, Preset};
/// let tx = Preset::UsTx.policy();
/// let from: DateTime<Utc> = "2026-06-13T03:00:00Z".parse()?; // Friday 22:00 in Texas
/// let w: Vec<_> = windows(&tx, &[Chicago], from).take(2).collect::<Result<_, _>>()?;
/// // Saturday 09:00-21:00, then Sunday 12:00-21:00 (CDT = UTC-5).
/// assert_eq!(w[0].start.to_rfc3339(), "2026-06-13T14:00:00+00:00");
/// assert_eq!(w[1].start.to_rfc3339(), "2026-06-14T17:00:00+00:00");
/// assert_eq!(w[1].end.to_rfc3339(), "2026-06-15T02:00:00+00:00");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn windows<'a>(policy: &'a Policy, zones: &'a [Tz], from: DateTime<Utc>) -> Windows<'a> {
    Windows {
        parts: Parts::OnePolicy(policy, zones),
        cursor: from,
        done: false,
    }
}

/// An allowed window `[start, end)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Window {
    /// First allowed instant.
    pub start: DateTime<Utc>,
    /// First instant after the window (not allowed).
    pub end: DateTime<Utc>,
}

impl Window {
    /// Whether `at` is inside the window.
    pub fn contains(&self, at: DateTime<Utc>) -> bool {
        self.start <= at && at < self.end
    }
}

/// Iterator over allowed windows; see [`windows`] and [`Intersection::windows`]. Stops after
/// the first error, which it yields.
#[derive(Debug, Clone)]
pub struct Windows<'a> {
    parts: Parts<'a>,
    cursor: DateTime<Utc>,
    done: bool,
}

impl Iterator for Windows<'_> {
    type Item = Result<Window, WindowError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let step = self.parts.next_allowed(self.cursor).and_then(|start| {
            let end = self.parts.window_end(start)?;
            Ok(Window { start, end })
        });
        match step {
            Ok(w) => {
                self.cursor = w.end;
                Some(Ok(w))
            }
            Err(e) => {
                self.done = true;
                Some(Err(e))
            }
        }
    }
}

/// Several (policy, zone) pairs that must all allow a send: federal + state rules, or the
/// zones of a number that spans several.
///
/// ```
/// use chrono::{DateTime, Utc};
/// use chrono_tz::America::Chicago;
/// use smsplan_core::window::{Intersection, Preset};
/// let tcpa = Preset::UsTcpa.policy();
/// let tx = Preset::UsTx.policy();
/// let both = Intersection::new(vec![(&tcpa, Chicago), (&tx, Chicago)]);
/// // Sunday 2026-06-14 10:00 CDT: TCPA allows, Texas waits for noon.
/// let at: DateTime<Utc> = "2026-06-14T15:00:00Z".parse()?;
/// assert_eq!(both.next_allowed(at)?.to_rfc3339(), "2026-06-14T17:00:00+00:00");
/// assert_eq!(both.window_end(at)?.to_rfc3339(), "2026-06-15T02:00:00+00:00");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct Intersection<'a> {
    pairs: Vec<(&'a Policy, Tz)>,
}

impl<'a> Intersection<'a> {
    /// The intersection of `pairs`.
    pub fn new(pairs: Vec<(&'a Policy, Tz)>) -> Self {
        Self { pairs }
    }

    /// Every policy of `policies` in every zone of `zones`.
    pub fn product(policies: &[&'a Policy], zones: &[Tz]) -> Self {
        Self {
            pairs: policies
                .iter()
                .flat_map(|p| zones.iter().map(move |z| (*p, *z)))
                .collect(),
        }
    }

    /// The pairs.
    pub fn pairs(&self) -> &[(&'a Policy, Tz)] {
        &self.pairs
    }

    /// The first instant at or after `at` allowed by every pair.
    ///
    /// # Errors
    /// As [`next_allowed`].
    pub fn next_allowed(&self, at: DateTime<Utc>) -> Result<DateTime<Utc>, WindowError> {
        Parts::Pairs(&self.pairs).next_allowed(at)
    }

    /// The end of the common window containing `at`, or of the next one.
    ///
    /// # Errors
    /// As [`window_end`].
    pub fn window_end(&self, at: DateTime<Utc>) -> Result<DateTime<Utc>, WindowError> {
        Parts::Pairs(&self.pairs).window_end(at)
    }

    /// Whether every pair allows `at`.
    ///
    /// # Errors
    /// As [`next_allowed`].
    pub fn is_allowed(&self, at: DateTime<Utc>) -> Result<bool, WindowError> {
        Ok(self.next_allowed(at)? == at)
    }

    /// The common windows from `from` on.
    pub fn windows(&self, from: DateTime<Utc>) -> Windows<'_> {
        Windows {
            parts: Parts::Pairs(&self.pairs),
            cursor: from,
            done: false,
        }
    }
}
