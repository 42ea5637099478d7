//! `smsplan.policy/v1`: a user-defined send-window policy, and the JSON answers of
//! `smsplan holidays` and `smsplan window` ([`HolidayEntry`], [`WindowAnswer`]).
//!
//! A policy document:
//!
//! ```json
//! {
//!   "format": "smsplan.policy/v1",
//!   "name": "acme-fr",
//!   "source": "ACME contract, annex 2",
//!   "effective_from": "2026-01-01",
//!   "applies_to": "marketing_only",
//!   "days": {
//!     "monday": ["08:00-12:00", "14:00-20:00"], "tuesday": ["08:00-20:00"],
//!     "wednesday": ["08:00-20:00"], "thursday": ["08:00-20:00"], "friday": ["08:00-20:00"],
//!     "saturday": ["10:00-18:00"]
//!   },
//!   "holidays": {
//!     "calendar": "fr",
//!     "custom": [{"name": "Founders' Day", "rule": {"kind": "fixed", "month": 9, "day": 14}, "from_year": 1990}],
//!     "extra_days": [{"date": "2026-08-14", "name": "Summer closure"}],
//!     "on_holiday": {"kind": "closed"}
//!   },
//!   "cap": {"max": 3, "period": {"kind": "rolling", "minutes": 1440}, "scope": "same_topic"}
//! }
//! ```
//!
//! Ranges are half-open local times `HH:MM-HH:MM` (`24:00` allowed as an end). A weekday
//! absent from `days` is closed. Defaults: `applies_to` = `marketing_only`; `holidays`
//! absent = holidays are ordinary days; `holidays.calendar` absent = only `custom` and
//! `extra_days`; `holidays.name` absent = the built-in calendar's name, else
//! `<policy name>-holidays`; `on_holiday` absent = closed; `cap` absent = no cap; `source` absent =
//! empty. Unknown fields are rejected. Conversion to [`Policy`] names the path of any
//! refused value (`days.monday[1]`); the way back (`PolicySpec::try_from(&Policy)`) writes
//! any core policy, presets included (see `tests/golden/v1/policy-presets/`).
//!
//! ```
//! use smsplan_core::window::Policy;
//! use smsplan_formats::v1::policy::PolicySpec;
//! let spec: PolicySpec = serde_json::from_str(r#"{"format": "smsplan.policy/v1", "name": "x",
//!     "days": {"monday": ["09:00-18:00"]}}"#)?;
//! let policy = Policy::try_from(&spec)?;
//! assert_eq!(policy.weekly().day(chrono::Weekday::Mon).to_string(), "09:00-18:00");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use chrono::{NaiveDate, TimeDelta, Weekday};
#[cfg(feature = "schema")]
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use smsplan_core::holiday::{
    BuiltinCalendar, Calendar, DateRule, HolidayDef, HolidayError, Nth, ObservedRule, YearSpan,
};
use smsplan_core::window::{
    AppliesTo, CapPeriod, CapScope, DayRanges, FrequencyCap, HolidayRule, LocalRange, Policy,
    WeeklyRanges, WindowError,
};

/// The `format` tag of a policy document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub enum PolicyFormat {
    /// `"smsplan.policy/v1"`
    #[serde(rename = "smsplan.policy/v1")]
    V1,
}

/// A send-window policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct PolicySpec {
    /// Always `"smsplan.policy/v1"`.
    pub format: PolicyFormat,
    /// The policy's name.
    pub name: String,
    /// Where the rule comes from (statute, charter, contract).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub source: String,
    /// The date the rule took effect (`YYYY-MM-DD`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effective_from: Option<String>,
    /// Which messages it restricts.
    #[serde(default, skip_serializing_if = "is_marketing_only")]
    pub applies_to: AppliesToSpec,
    /// Allowed local ranges per weekday; an absent day is closed.
    pub days: DaysSpec,
    /// Holidays and what happens on them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub holidays: Option<HolidaysSpec>,
    /// A frequency cap.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cap: Option<CapSpec>,
}

fn is_marketing_only(a: &AppliesToSpec) -> bool {
    *a == AppliesToSpec::MarketingOnly
}

/// Which messages a policy restricts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum AppliesToSpec {
    /// Marketing only; transactional messages are exempt.
    #[default]
    MarketingOnly,
    /// Every message.
    AllMessages,
}

/// Ranges (`"HH:MM-HH:MM"`) per weekday.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(deny_unknown_fields)]
#[allow(missing_docs, reason = "the weekday names say it")]
pub struct DaysSpec {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub monday: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tuesday: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub wednesday: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub thursday: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub friday: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub saturday: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sunday: Vec<String>,
}

/// A built-in calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub enum CalendarName {
    /// French public holidays.
    #[serde(rename = "fr")]
    Fr,
    /// French public holidays plus Good Friday and 26 December.
    #[serde(rename = "fr-alsace-moselle")]
    FrAlsaceMoselle,
    /// US federal holidays (actual dates).
    #[serde(rename = "us")]
    Us,
}

/// An observed-day rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum ObservedSpec {
    /// Saturday → Friday, Sunday → Monday (5 U.S.C. 6103(b)).
    UsFederal,
}

/// The holidays of a policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct HolidaysSpec {
    /// The calendar's name (default: the built-in calendar's, else `<policy name>-holidays`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// A built-in calendar to start from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub calendar: Option<CalendarName>,
    /// Move holidays to their observed day.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed: Option<ObservedSpec>,
    /// Own holiday definitions.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub custom: Vec<HolidayDefSpec>,
    /// Extra closed days.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub extra_days: Vec<HolidayEntry>,
    /// What a holiday allows.
    #[serde(default, skip_serializing_if = "is_closed")]
    pub on_holiday: OnHolidaySpec,
}

fn is_closed(o: &OnHolidaySpec) -> bool {
    *o == OnHolidaySpec::Closed
}

/// What a holiday allows.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum OnHolidaySpec {
    /// Nothing.
    #[default]
    Closed,
    /// These ranges instead of the weekday's.
    Ranges {
        /// `"HH:MM-HH:MM"` ranges.
        ranges: Vec<String>,
    },
}

/// A user holiday definition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct HolidayDefSpec {
    /// The holiday's name.
    pub name: String,
    /// How its date is computed.
    pub rule: DateRuleSpec,
    /// First year it applies (inclusive).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from_year: Option<i32>,
    /// Last year it applies (inclusive).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until_year: Option<i32>,
}

/// How a holiday's date is computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum DateRuleSpec {
    /// Same month and day every year.
    Fixed {
        /// 1–12.
        month: u32,
        /// 1–31.
        day: u32,
    },
    /// Days from Gregorian Easter Sunday.
    Easter {
        /// Offset in days (Easter Monday: 1, Good Friday: -2).
        offset_days: i32,
    },
    /// The n-th weekday of a month.
    NthWeekday {
        /// 1–12.
        month: u32,
        /// The weekday.
        weekday: WeekdaySpec,
        /// Which occurrence.
        nth: NthSpec,
    },
}

/// A weekday.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case")]
#[allow(missing_docs, reason = "the weekday names say it")]
pub enum WeekdaySpec {
    Monday,
    Tuesday,
    Wednesday,
    Thursday,
    Friday,
    Saturday,
    Sunday,
}

/// Which occurrence of a weekday.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case")]
#[allow(missing_docs, reason = "the names say it")]
pub enum NthSpec {
    First,
    Second,
    Third,
    Fourth,
    Last,
}

/// A frequency cap.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct CapSpec {
    /// Most messages per period (≥ 1).
    pub max: u32,
    /// The counting period.
    pub period: CapPeriodSpec,
    /// Which messages count.
    pub scope: CapScopeSpec,
}

/// The counting period of a cap.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum CapPeriodSpec {
    /// Any rolling period of this many minutes.
    Rolling {
        /// Length in minutes (≥ 1).
        minutes: u32,
    },
    /// The recipient's local calendar day.
    LocalDay,
}

/// Which messages a cap counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum CapScopeSpec {
    /// All messages.
    AllTopics,
    /// Messages on the same topic.
    SameTopic,
}

/// One holiday: an element of the `smsplan holidays` answer and of `extra_days`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct HolidayEntry {
    /// `YYYY-MM-DD`.
    pub date: String,
    /// The holiday's English name.
    pub name: String,
}

/// The answer of `smsplan window` (its CLI contract; no format tag).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct WindowAnswer {
    /// Whether a send is allowed at the asked instant.
    pub allowed: bool,
    /// The asked instant when allowed, else the next allowed instant (RFC 3339 with offset).
    pub next_allowed: String,
    /// End of the current window, or of the next one when not allowed (RFC 3339).
    pub window_end: String,
    /// The zones, comma-separated.
    pub tz: String,
    /// The policy's name.
    pub policy: String,
}

/// A policy document that does not convert; `path` names the refused value.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PolicySpecError {
    /// A range, cap or rule was refused by the core type (its message is part of this one).
    #[error("{path}: {error}")]
    Window {
        /// Where, e.g. `days.monday[1]`.
        path: String,
        /// Why.
        error: WindowError,
    },
    /// A date is not `YYYY-MM-DD`.
    #[error("{path}: {value:?} is not a date (YYYY-MM-DD)")]
    Date {
        /// Where.
        path: String,
        /// The value.
        value: String,
    },
    /// A core policy value has no v1 spelling (e.g. a cap period that is not whole minutes).
    #[error("{path}: {reason}")]
    NotRepresentable {
        /// Where.
        path: String,
        /// Why.
        reason: &'static str,
    },
    /// A holiday definition is invalid (its message is part of this one).
    #[error("{path}: {error}")]
    Holiday {
        /// Where.
        path: String,
        /// Why.
        error: HolidayError,
    },
}

fn ranges(path: &str, texts: &[String]) -> Result<DayRanges, PolicySpecError> {
    let parsed = texts
        .iter()
        .enumerate()
        .map(|(i, t)| {
            t.parse::<LocalRange>()
                .map_err(|source| PolicySpecError::Window {
                    path: format!("{path}[{i}]"),
                    error: source,
                })
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(DayRanges::new(parsed))
}

fn date(path: String, value: &str) -> Result<NaiveDate, PolicySpecError> {
    NaiveDate::parse_from_str(value, "%Y-%m-%d").map_err(|_| PolicySpecError::Date {
        path,
        value: value.to_owned(),
    })
}

fn weekday(w: WeekdaySpec) -> Weekday {
    match w {
        WeekdaySpec::Monday => Weekday::Mon,
        WeekdaySpec::Tuesday => Weekday::Tue,
        WeekdaySpec::Wednesday => Weekday::Wed,
        WeekdaySpec::Thursday => Weekday::Thu,
        WeekdaySpec::Friday => Weekday::Fri,
        WeekdaySpec::Saturday => Weekday::Sat,
        WeekdaySpec::Sunday => Weekday::Sun,
    }
}

impl From<DateRuleSpec> for DateRule {
    fn from(rule: DateRuleSpec) -> Self {
        match rule {
            DateRuleSpec::Fixed { month, day } => Self::Fixed { month, day },
            DateRuleSpec::Easter { offset_days } => Self::Easter { offset_days },
            DateRuleSpec::NthWeekday {
                month,
                weekday: w,
                nth,
            } => Self::NthWeekday {
                month,
                weekday: weekday(w),
                nth: match nth {
                    NthSpec::First => Nth::First,
                    NthSpec::Second => Nth::Second,
                    NthSpec::Third => Nth::Third,
                    NthSpec::Fourth => Nth::Fourth,
                    NthSpec::Last => Nth::Last,
                },
            },
        }
    }
}

impl From<CalendarName> for BuiltinCalendar {
    fn from(name: CalendarName) -> Self {
        match name {
            CalendarName::Fr => Self::France,
            CalendarName::FrAlsaceMoselle => Self::FranceAlsaceMoselle,
            CalendarName::Us => Self::UsFederal,
        }
    }
}

fn calendar(policy_name: &str, spec: &HolidaysSpec) -> Result<Calendar, PolicySpecError> {
    let mut cal = match (spec.calendar, &spec.name) {
        (Some(builtin), None) => BuiltinCalendar::from(builtin).calendar(),
        (Some(builtin), Some(name)) => BuiltinCalendar::from(builtin)
            .calendar()
            .renamed(name.clone()),
        (None, name) => Calendar::new(
            name.clone()
                .unwrap_or_else(|| format!("{policy_name}-holidays")),
        ),
    };
    if let Some(ObservedSpec::UsFederal) = spec.observed {
        cal = cal.observed(ObservedRule::UsFederal);
    }
    for (i, def) in spec.custom.iter().enumerate() {
        let years = match (def.from_year, def.until_year) {
            (Some(a), Some(b)) => YearSpan::between(a, b),
            (Some(a), None) => YearSpan::since(a),
            (None, Some(b)) => YearSpan::until(b),
            (None, None) => YearSpan::ALWAYS,
        };
        let holiday = HolidayDef::new(def.name.clone(), DateRule::from(def.rule), years);
        // Check the rule once on a leap year so a bad day is refused here, with its path.
        holiday
            .date_in(2000)
            .map_err(|source| PolicySpecError::Holiday {
                path: format!("holidays.custom[{i}].rule"),
                error: source,
            })?;
        cal = cal.with_holiday(holiday);
    }
    for (i, day) in spec.extra_days.iter().enumerate() {
        let d = date(format!("holidays.extra_days[{i}].date"), &day.date)?;
        cal = cal.with_extra_day(d, day.name.clone());
    }
    Ok(cal)
}

impl TryFrom<&PolicySpec> for Policy {
    type Error = PolicySpecError;

    fn try_from(spec: &PolicySpec) -> Result<Self, Self::Error> {
        let d = &spec.days;
        let week = WeeklyRanges::closed()
            .with_day(Weekday::Mon, ranges("days.monday", &d.monday)?)
            .with_day(Weekday::Tue, ranges("days.tuesday", &d.tuesday)?)
            .with_day(Weekday::Wed, ranges("days.wednesday", &d.wednesday)?)
            .with_day(Weekday::Thu, ranges("days.thursday", &d.thursday)?)
            .with_day(Weekday::Fri, ranges("days.friday", &d.friday)?)
            .with_day(Weekday::Sat, ranges("days.saturday", &d.saturday)?)
            .with_day(Weekday::Sun, ranges("days.sunday", &d.sunday)?);
        let mut b = Policy::builder(spec.name.clone())
            .weekly(week)
            .source(spec.source.clone())
            .applies_to(match spec.applies_to {
                AppliesToSpec::MarketingOnly => AppliesTo::MarketingOnly,
                AppliesToSpec::AllMessages => AppliesTo::AllMessages,
            });
        if let Some(e) = &spec.effective_from {
            b = b.effective_from(date("effective_from".into(), e)?);
        }
        if let Some(h) = &spec.holidays {
            let cal = calendar(&spec.name, h)?;
            b = b.holidays(match &h.on_holiday {
                OnHolidaySpec::Closed => HolidayRule::Closed(cal),
                OnHolidaySpec::Ranges { ranges: r } => {
                    HolidayRule::OwnRanges(cal, ranges("holidays.on_holiday.ranges", r)?)
                }
            });
        }
        if let Some(c) = &spec.cap {
            let period = match c.period {
                CapPeriodSpec::Rolling { minutes } => {
                    CapPeriod::Rolling(TimeDelta::minutes(i64::from(minutes)))
                }
                CapPeriodSpec::LocalDay => CapPeriod::LocalDay,
            };
            let scope = match c.scope {
                CapScopeSpec::AllTopics => CapScope::AllTopics,
                CapScopeSpec::SameTopic => CapScope::SameTopic,
            };
            let cap = FrequencyCap::new(c.max, period, scope).map_err(|source| {
                PolicySpecError::Window {
                    path: "cap".into(),
                    error: source,
                }
            })?;
            b = b.cap(cap);
        }
        b.build().map_err(|source| match source {
            WindowError::Holiday(error) => PolicySpecError::Holiday {
                path: "holidays".into(),
                error,
            },
            error => PolicySpecError::Window {
                path: "holidays".into(),
                error,
            },
        })
    }
}

impl TryFrom<PolicySpec> for Policy {
    type Error = PolicySpecError;

    fn try_from(spec: PolicySpec) -> Result<Self, Self::Error> {
        Self::try_from(&spec)
    }
}

fn weekday_spec(w: Weekday) -> WeekdaySpec {
    match w {
        Weekday::Mon => WeekdaySpec::Monday,
        Weekday::Tue => WeekdaySpec::Tuesday,
        Weekday::Wed => WeekdaySpec::Wednesday,
        Weekday::Thu => WeekdaySpec::Thursday,
        Weekday::Fri => WeekdaySpec::Friday,
        Weekday::Sat => WeekdaySpec::Saturday,
        Weekday::Sun => WeekdaySpec::Sunday,
    }
}

impl TryFrom<DateRule> for DateRuleSpec {
    type Error = PolicySpecError;

    fn try_from(rule: DateRule) -> Result<Self, Self::Error> {
        Ok(match rule {
            DateRule::Fixed { month, day } => Self::Fixed { month, day },
            DateRule::Easter { offset_days } => Self::Easter { offset_days },
            DateRule::NthWeekday {
                month,
                weekday,
                nth,
            } => Self::NthWeekday {
                month,
                weekday: weekday_spec(weekday),
                nth: match nth {
                    Nth::First => NthSpec::First,
                    Nth::Second => NthSpec::Second,
                    Nth::Third => NthSpec::Third,
                    Nth::Fourth => NthSpec::Fourth,
                    Nth::Last => NthSpec::Last,
                    _ => {
                        return Err(unrepresentable(
                            "holidays.custom",
                            "unknown weekday occurrence",
                        ));
                    }
                },
            },
            _ => return Err(unrepresentable("holidays.custom", "unknown date rule")),
        })
    }
}

fn unrepresentable(path: &str, reason: &'static str) -> PolicySpecError {
    PolicySpecError::NotRepresentable {
        path: path.to_owned(),
        reason,
    }
}

fn range_texts(day: &DayRanges) -> Vec<String> {
    day.ranges().iter().map(ToString::to_string).collect()
}

fn holidays_spec(
    policy_name: &str,
    cal: &Calendar,
    on_holiday: OnHolidaySpec,
) -> Result<HolidaysSpec, PolicySpecError> {
    // A calendar that starts with a built-in one is written as that built-in plus the rest
    // (the longest such built-in: Alsace-Moselle starts with France).
    let builtin = BuiltinCalendar::ALL
        .into_iter()
        .filter(|b| cal.definitions().starts_with(b.calendar().definitions()))
        .max_by_key(|b| b.calendar().definitions().len());
    let (calendar, own) = match builtin {
        Some(b) => (
            Some(b),
            cal.definitions()
                .get(b.calendar().definitions().len()..)
                .unwrap_or_default(),
        ),
        None => (None, cal.definitions()),
    };
    let default_name = match calendar {
        Some(b) => b.name().to_owned(),
        None => format!("{policy_name}-holidays"),
    };
    let custom = own
        .iter()
        .map(|d| {
            Ok(HolidayDefSpec {
                name: d.name().to_owned(),
                rule: DateRuleSpec::try_from(d.rule())?,
                from_year: d.years().first(),
                until_year: d.years().last(),
            })
        })
        .collect::<Result<Vec<_>, PolicySpecError>>()?;
    Ok(HolidaysSpec {
        name: (cal.name() != default_name).then(|| cal.name().to_owned()),
        calendar: match calendar {
            None => None,
            Some(BuiltinCalendar::France) => Some(CalendarName::Fr),
            Some(BuiltinCalendar::FranceAlsaceMoselle) => Some(CalendarName::FrAlsaceMoselle),
            Some(BuiltinCalendar::UsFederal) => Some(CalendarName::Us),
            Some(_) => return Err(unrepresentable("holidays.calendar", "unknown calendar")),
        },
        observed: match cal.observed_rule() {
            None => None,
            Some(ObservedRule::UsFederal) => Some(ObservedSpec::UsFederal),
            Some(_) => {
                return Err(unrepresentable(
                    "holidays.observed",
                    "unknown observed rule",
                ));
            }
        },
        custom,
        extra_days: cal
            .extra_days()
            .iter()
            .map(|h| HolidayEntry {
                date: h.date().to_string(),
                name: h.name().to_owned(),
            })
            .collect(),
        on_holiday,
    })
}

/// Writes a core policy in the v1 format (e.g. to export a preset and edit it).
///
/// ```
/// use smsplan_core::window::{Policy, Preset};
/// use smsplan_formats::v1::policy::PolicySpec;
/// let spec = PolicySpec::try_from(&Preset::UsTx.policy())?;
/// assert_eq!(spec.days.sunday, ["12:00-21:00"]);
/// assert_eq!(Policy::try_from(&spec)?, Preset::UsTx.policy());
/// # Ok::<(), smsplan_formats::v1::policy::PolicySpecError>(())
/// ```
impl TryFrom<&Policy> for PolicySpec {
    type Error = PolicySpecError;

    fn try_from(policy: &Policy) -> Result<Self, Self::Error> {
        let week = policy.weekly();
        let holidays = match policy.holiday_rule() {
            HolidayRule::Closed(cal) => {
                Some(holidays_spec(policy.name(), cal, OnHolidaySpec::Closed)?)
            }
            HolidayRule::OwnRanges(cal, day) => Some(holidays_spec(
                policy.name(),
                cal,
                OnHolidaySpec::Ranges {
                    ranges: range_texts(day),
                },
            )?),
            HolidayRule::None => None,
            _ => return Err(unrepresentable("holidays", "unknown holiday rule")),
        };
        let cap = match policy.cap() {
            None => None,
            Some(cap) => Some(CapSpec {
                max: cap.max().get(),
                period: match cap.period() {
                    CapPeriod::Rolling(d) => {
                        let minutes = u32::try_from(d.num_minutes())
                            .ok()
                            .filter(|m| TimeDelta::minutes(i64::from(*m)) == d)
                            .ok_or_else(|| {
                                unrepresentable("cap.period", "not a whole number of minutes")
                            })?;
                        CapPeriodSpec::Rolling { minutes }
                    }
                    CapPeriod::LocalDay => CapPeriodSpec::LocalDay,
                    _ => return Err(unrepresentable("cap.period", "unknown period")),
                },
                scope: match cap.scope() {
                    CapScope::SameTopic => CapScopeSpec::SameTopic,
                    CapScope::AllTopics => CapScopeSpec::AllTopics,
                    _ => return Err(unrepresentable("cap.scope", "unknown scope")),
                },
            }),
        };
        Ok(Self {
            format: PolicyFormat::V1,
            name: policy.name().to_owned(),
            source: policy.source().to_owned(),
            effective_from: policy.effective_from().map(|d| d.to_string()),
            applies_to: match policy.applies_to() {
                AppliesTo::AllMessages => AppliesToSpec::AllMessages,
                AppliesTo::MarketingOnly => AppliesToSpec::MarketingOnly,
                _ => return Err(unrepresentable("applies_to", "unknown message scope")),
            },
            days: DaysSpec {
                monday: range_texts(week.day(Weekday::Mon)),
                tuesday: range_texts(week.day(Weekday::Tue)),
                wednesday: range_texts(week.day(Weekday::Wed)),
                thursday: range_texts(week.day(Weekday::Thu)),
                friday: range_texts(week.day(Weekday::Fri)),
                saturday: range_texts(week.day(Weekday::Sat)),
                sunday: range_texts(week.day(Weekday::Sun)),
            },
            holidays,
            cap,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(json: &str) -> PolicySpec {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn bad_range_names_its_path() {
        let s = spec(
            r#"{"format": "smsplan.policy/v1", "name": "x", "days": {"monday": ["08:00-20:00", "21:00-20:00"]}}"#,
        );
        let err = Policy::try_from(&s).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("days.monday[1]: invalid time range"),
            "{err}"
        );
    }

    #[test]
    fn bad_custom_day_names_its_path() {
        let s = spec(
            r#"{"format": "smsplan.policy/v1", "name": "x", "days": {},
                "holidays": {"custom": [{"name": "Bad", "rule": {"kind": "fixed", "month": 2, "day": 30}}]}}"#,
        );
        let err = Policy::try_from(&s).unwrap_err();
        assert!(
            err.to_string().starts_with("holidays.custom[0].rule"),
            "{err}"
        );
    }

    #[test]
    fn zero_cap_is_refused() {
        let s = spec(
            r#"{"format": "smsplan.policy/v1", "name": "x", "days": {},
                "cap": {"max": 0, "period": {"kind": "local_day"}, "scope": "all_topics"}}"#,
        );
        assert!(
            Policy::try_from(&s)
                .unwrap_err()
                .to_string()
                .starts_with("cap: ")
        );
    }

    #[test]
    fn unknown_fields_and_formats_are_refused() {
        assert!(
            serde_json::from_str::<PolicySpec>(
                r#"{"format": "smsplan.policy/v1", "name": "x", "days": {}, "extra": 1}"#
            )
            .is_err()
        );
        assert!(
            serde_json::from_str::<PolicySpec>(
                r#"{"format": "smsplan.policy/v2", "name": "x", "days": {}}"#
            )
            .is_err()
        );
        assert!(
            serde_json::from_str::<PolicySpec>(
                r#"{"format": "smsplan.policy/v1", "name": "x", "days": {"mon": []}}"#
            )
            .is_err()
        );
    }
}
