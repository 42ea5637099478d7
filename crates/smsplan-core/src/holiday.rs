//! Public holiday calendars, computed rather than tabulated.
//!
//! A [`Calendar`] is a list of [`HolidayDef`]s: a name, a [`DateRule`] (fixed day, offset from
//! Easter Sunday, n-th weekday of a month) and the [`YearSpan`] in which the law made it a
//! holiday, plus extra closed days a user adds. The built-in calendars follow each holiday's
//! legal history:
//!
//! - [`Calendar::france`]: the eleven *jours fériés* of Code du travail art. L3133-1, with the
//!   years each was introduced (8 May only 1953–1959 and again since 1982, loi 81-893).
//! - [`Calendar::france_alsace_moselle`]: France plus Good Friday and 26 December (local law of
//!   the Haut-Rhin, Bas-Rhin and Moselle departments, kept by the law of 1 June 1924).
//! - [`Calendar::us_federal`]: the holidays of 5 U.S.C. 6103(a) on the dates they fall, with
//!   the Uniform Monday Holiday Act (1971), Veterans Day back on 11 November (1978),
//!   Martin Luther King Jr. Day (1986) and Juneteenth (2021). The observed-day shift of
//!   5 U.S.C. 6103(b) and Executive Order 11582 is separate: [`ObservedRule`].
//!
//! Easter is the Gregorian computus ([`easter_sunday`]), valid for every Gregorian year.
//! Lookups that must be fast build a [`HolidayTable`] once (one bit per day for
//! 1900–2200) and ask it by date; nothing is cached globally.
//!
//! This module knows nothing about send windows; [`crate::window`] uses it.

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

use chrono::{Datelike, Days, NaiveDate, Weekday};

/// The first Gregorian year the computations accept (the Gregorian calendar started in 1582).
pub const FIRST_YEAR: i32 = 1583;
/// The last year the computations accept.
pub const LAST_YEAR: i32 = 9999;
/// The first year a [`HolidayTable`] built with [`Calendar::table`] covers.
pub const TABLE_FIRST_YEAR: i32 = 1900;
/// The last year a [`HolidayTable`] built with [`Calendar::table`] covers.
pub const TABLE_LAST_YEAR: i32 = 2200;

/// Errors of holiday computations.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum HolidayError {
    /// The year is outside [`FIRST_YEAR`]..=[`LAST_YEAR`].
    #[error("year {year} is outside the supported years {FIRST_YEAR}..={LAST_YEAR}")]
    YearOutOfRange {
        /// The year asked for.
        year: i32,
    },
    /// A fixed-date rule names a day that no month has (e.g. 31 April).
    #[error("{}month {month}, day {day} is not a calendar day", Named(name))]
    InvalidDay {
        /// The holiday's name; empty from [`DateRule::date_in`], which has none.
        name: String,
        /// The month given (1–12 expected).
        month: u32,
        /// The day given.
        day: u32,
    },
    /// An Easter offset so large that the date leaves the calendar.
    #[error(
        "{}an Easter offset of {offset_days} days leaves the calendar",
        Named(name)
    )]
    EasterOffsetOutOfRange {
        /// The holiday's name; empty from [`DateRule::date_in`], which has none.
        name: String,
        /// The offset given.
        offset_days: i32,
    },
    /// The calendar name is not one of the built-in calendars.
    #[error("unknown calendar {name:?} (expected fr, fr-alsace-moselle or us)")]
    UnknownCalendar {
        /// The name given.
        name: String,
    },
}

/// `holiday "name": ` before a message about a named holiday, nothing for a bare rule.
struct Named<'a>(&'a str);

impl fmt::Display for Named<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            Ok(())
        } else {
            write!(f, "holiday {:?}: ", self.0)
        }
    }
}

/// One holiday on one date.
///
/// ```
/// use smsplan_core::holiday::Calendar;
/// let days = Calendar::france().holidays_in(2026)?;
/// assert_eq!(days[0].name(), "New Year's Day");
/// assert_eq!(days[0].date().to_string(), "2026-01-01");
/// # Ok::<(), smsplan_core::holiday::HolidayError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Holiday {
    date: NaiveDate,
    name: Cow<'static, str>,
}

impl Holiday {
    /// A holiday on `date` called `name`.
    ///
    /// ```
    /// # use chrono::NaiveDate;
    /// let h = smsplan_core::holiday::Holiday::new(NaiveDate::from_ymd_opt(2026, 6, 1).unwrap(), "Company day");
    /// assert_eq!(h.name(), "Company day");
    /// ```
    pub fn new(date: NaiveDate, name: impl Into<Cow<'static, str>>) -> Self {
        Self {
            date,
            name: name.into(),
        }
    }

    /// The date the holiday falls on.
    pub fn date(&self) -> NaiveDate {
        self.date
    }

    /// The holiday's English name.
    pub fn name(&self) -> &str {
        &self.name
    }
}

/// Which occurrence of a weekday in a month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Nth {
    /// The first.
    First,
    /// The second.
    Second,
    /// The third.
    Third,
    /// The fourth.
    Fourth,
    /// The last (fourth or fifth).
    Last,
}

/// How a holiday's date is computed from the year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DateRule {
    /// The same month and day every year (14 July).
    Fixed {
        /// Month, 1–12.
        month: u32,
        /// Day of the month, 1–31.
        day: u32,
    },
    /// Days after (positive) or before (negative) Gregorian Easter Sunday (Easter Monday: 1).
    Easter {
        /// Offset in days from Easter Sunday.
        offset_days: i32,
    },
    /// The n-th given weekday of a month (Thanksgiving: fourth Thursday of November).
    NthWeekday {
        /// Month, 1–12.
        month: u32,
        /// The weekday.
        weekday: Weekday,
        /// Which occurrence.
        nth: Nth,
    },
}

impl DateRule {
    /// The date this rule gives in `year`.
    ///
    /// ```
    /// use chrono::Weekday;
    /// use smsplan_core::holiday::{DateRule, Nth};
    /// let thanksgiving = DateRule::NthWeekday { month: 11, weekday: Weekday::Thu, nth: Nth::Fourth };
    /// assert_eq!(thanksgiving.date_in(2026)?.to_string(), "2026-11-26");
    /// # Ok::<(), smsplan_core::holiday::HolidayError>(())
    /// ```
    /// # Errors
    /// [`HolidayError::YearOutOfRange`] outside [`FIRST_YEAR`]..=[`LAST_YEAR`];
    /// [`HolidayError::InvalidDay`] when a fixed or weekday rule names no real day;
    /// [`HolidayError::EasterOffsetOutOfRange`] when an offset leaves the calendar. These
    /// name no holiday: [`HolidayDef::date_in`] does.
    pub fn date_in(&self, year: i32) -> Result<NaiveDate, HolidayError> {
        check_year(year)?;
        self.date_of(year)
    }

    /// [`DateRule::date_in`] without the year check: for the years next to a supported one,
    /// which an observed-day rule looks at.
    fn date_of(&self, year: i32) -> Result<NaiveDate, HolidayError> {
        let invalid = |month, day| HolidayError::InvalidDay {
            name: String::new(),
            month,
            day,
        };
        match *self {
            Self::Fixed { month, day } => {
                NaiveDate::from_ymd_opt(year, month, day).ok_or_else(|| invalid(month, day))
            }
            Self::Easter { offset_days } => {
                let easter = easter_of(year)?;
                let shifted = if offset_days >= 0 {
                    easter.checked_add_days(Days::new(u64::from(offset_days.unsigned_abs())))
                } else {
                    easter.checked_sub_days(Days::new(u64::from(offset_days.unsigned_abs())))
                };
                shifted.ok_or(HolidayError::EasterOffsetOutOfRange {
                    name: String::new(),
                    offset_days,
                })
            }
            Self::NthWeekday {
                month,
                weekday,
                nth,
            } => {
                let n = match nth {
                    Nth::First => 1,
                    Nth::Second => 2,
                    Nth::Third => 3,
                    Nth::Fourth => 4,
                    Nth::Last => {
                        let next_first = if month == 12 {
                            NaiveDate::from_ymd_opt(year + 1, 1, 1)
                        } else {
                            NaiveDate::from_ymd_opt(year, month + 1, 1)
                        };
                        let last = next_first
                            .and_then(|d| d.pred_opt())
                            .ok_or_else(|| invalid(month, 0))?;
                        let back = (7 + last.weekday().num_days_from_monday()
                            - weekday.num_days_from_monday())
                            % 7;
                        return last
                            .checked_sub_days(Days::new(u64::from(back)))
                            .ok_or_else(|| invalid(month, 0));
                    }
                };
                NaiveDate::from_weekday_of_month_opt(year, month, weekday, n)
                    .ok_or_else(|| invalid(month, 0))
            }
        }
    }
}

/// The years (inclusive) in which a holiday existed in law; `None` means unbounded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct YearSpan {
    first: Option<i32>,
    last: Option<i32>,
}

impl YearSpan {
    /// Every year.
    pub const ALWAYS: Self = Self {
        first: None,
        last: None,
    };

    /// From `first` on.
    ///
    /// ```
    /// use smsplan_core::holiday::YearSpan;
    /// assert!(YearSpan::since(2021).contains(2026));
    /// assert!(!YearSpan::since(2021).contains(2020));
    /// ```
    pub const fn since(first: i32) -> Self {
        Self {
            first: Some(first),
            last: None,
        }
    }

    /// Up to and including `last`.
    pub const fn until(last: i32) -> Self {
        Self {
            first: None,
            last: Some(last),
        }
    }

    /// From `first` to `last`, both included.
    pub const fn between(first: i32, last: i32) -> Self {
        Self {
            first: Some(first),
            last: Some(last),
        }
    }

    /// The first year, if bounded.
    pub const fn first(&self) -> Option<i32> {
        self.first
    }

    /// The last year, if bounded.
    pub const fn last(&self) -> Option<i32> {
        self.last
    }

    /// Whether `year` is in the span.
    pub const fn contains(&self, year: i32) -> bool {
        let after = match self.first {
            Some(f) => year >= f,
            None => true,
        };
        let before = match self.last {
            Some(l) => year <= l,
            None => true,
        };
        after && before
    }
}

/// A holiday definition: a name, how its date is computed, and in which years it applies.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct HolidayDef {
    name: Cow<'static, str>,
    rule: DateRule,
    years: YearSpan,
}

impl HolidayDef {
    /// A holiday called `name`, on the date `rule` gives, in the years of `years`.
    ///
    /// ```
    /// use smsplan_core::holiday::{Calendar, DateRule, HolidayDef, YearSpan};
    /// let cal = Calendar::new("acme").with_holiday(HolidayDef::new(
    ///     "Founders' Day", DateRule::Fixed { month: 9, day: 14 }, YearSpan::since(1990)));
    /// assert_eq!(cal.holidays_in(2026)?.len(), 1);
    /// assert!(cal.holidays_in(1980)?.is_empty());
    /// # Ok::<(), smsplan_core::holiday::HolidayError>(())
    /// ```
    pub fn new(name: impl Into<Cow<'static, str>>, rule: DateRule, years: YearSpan) -> Self {
        Self {
            name: name.into(),
            rule,
            years,
        }
    }

    /// The holiday's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// How its date is computed.
    pub fn rule(&self) -> DateRule {
        self.rule
    }

    /// The years it applies.
    pub fn years(&self) -> YearSpan {
        self.years
    }

    /// The date of this holiday in `year` (whether or not [`HolidayDef::years`] has it);
    /// errors name the holiday.
    ///
    /// ```
    /// use smsplan_core::holiday::{DateRule, HolidayDef, YearSpan};
    /// let def = HolidayDef::new("Leap", DateRule::Fixed { month: 4, day: 31 }, YearSpan::ALWAYS);
    /// let err = def.date_in(2026).unwrap_err();
    /// assert_eq!(err.to_string(), "holiday \"Leap\": month 4, day 31 is not a calendar day");
    /// ```
    /// # Errors
    /// As [`DateRule::date_in`], with the holiday's name.
    pub fn date_in(&self, year: i32) -> Result<NaiveDate, HolidayError> {
        check_year(year)?;
        self.date_of(year)
    }

    /// [`HolidayDef::date_in`] without the year check (see [`DateRule::date_of`]).
    fn date_of(&self, year: i32) -> Result<NaiveDate, HolidayError> {
        self.rule.date_of(year).map_err(|e| match e {
            HolidayError::InvalidDay { month, day, .. } => HolidayError::InvalidDay {
                name: self.name.to_string(),
                month,
                day,
            },
            HolidayError::EasterOffsetOutOfRange { offset_days, .. } => {
                HolidayError::EasterOffsetOutOfRange {
                    name: self.name.to_string(),
                    offset_days,
                }
            }
            other => other,
        })
    }
}

/// How a holiday that falls on a weekend is observed on a working day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ObservedRule {
    /// US federal rule (5 U.S.C. 6103(b); Executive Order 11582 of 1971): Saturday → the
    /// Friday before, Sunday → the Monday after. Before 1966 (Pub. L. 89-554) only Sunday → Monday.
    UsFederal,
}

impl ObservedRule {
    /// The day on which a holiday falling on `date` is observed.
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use smsplan_core::holiday::ObservedRule;
    /// let july4 = NaiveDate::from_ymd_opt(2026, 7, 4).unwrap(); // a Saturday
    /// assert_eq!(ObservedRule::UsFederal.observed(july4).to_string(), "2026-07-03");
    /// ```
    pub fn observed(self, date: NaiveDate) -> NaiveDate {
        match (self, date.weekday()) {
            (Self::UsFederal, Weekday::Sat) if date.year() >= 1966 => {
                date.pred_opt().unwrap_or(date)
            }
            (Self::UsFederal, Weekday::Sun) => date.succ_opt().unwrap_or(date),
            (Self::UsFederal, _) => date,
        }
    }
}

/// The built-in calendars, by the names the CLI and wire formats use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum BuiltinCalendar {
    /// `fr`: [`Calendar::france`].
    France,
    /// `fr-alsace-moselle`: [`Calendar::france_alsace_moselle`].
    FranceAlsaceMoselle,
    /// `us`: [`Calendar::us_federal`] (actual dates).
    UsFederal,
}

impl BuiltinCalendar {
    /// Every built-in calendar.
    pub const ALL: [Self; 3] = [Self::France, Self::FranceAlsaceMoselle, Self::UsFederal];

    /// The short name: `fr`, `fr-alsace-moselle` or `us`.
    pub fn name(self) -> &'static str {
        match self {
            Self::France => "fr",
            Self::FranceAlsaceMoselle => "fr-alsace-moselle",
            Self::UsFederal => "us",
        }
    }

    /// The calendar itself.
    ///
    /// ```
    /// use smsplan_core::holiday::BuiltinCalendar;
    /// let cal: BuiltinCalendar = "fr-alsace-moselle".parse()?;
    /// assert_eq!(cal.calendar().holidays_in(2026)?.len(), 13);
    /// # Ok::<(), smsplan_core::holiday::HolidayError>(())
    /// ```
    pub fn calendar(self) -> Calendar {
        match self {
            Self::France => Calendar::france(),
            Self::FranceAlsaceMoselle => Calendar::france_alsace_moselle(),
            Self::UsFederal => Calendar::us_federal(),
        }
    }
}

impl FromStr for BuiltinCalendar {
    type Err = HolidayError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|c| c.name() == s)
            .ok_or_else(|| HolidayError::UnknownCalendar { name: s.to_owned() })
    }
}

impl fmt::Display for BuiltinCalendar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A named set of holiday definitions plus extra closed days.
///
/// ```
/// use chrono::NaiveDate;
/// use smsplan_core::holiday::Calendar;
/// let cal = Calendar::france().with_extra_day(NaiveDate::from_ymd_opt(2026, 8, 14).unwrap(), "Summer closure");
/// assert!(cal.is_holiday(NaiveDate::from_ymd_opt(2026, 8, 14).unwrap())?);
/// assert!(cal.is_holiday(NaiveDate::from_ymd_opt(2026, 5, 14).unwrap())?); // Ascension
/// assert!(!cal.is_holiday(NaiveDate::from_ymd_opt(2026, 5, 15).unwrap())?);
/// # Ok::<(), smsplan_core::holiday::HolidayError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Calendar {
    name: Cow<'static, str>,
    defs: Vec<HolidayDef>,
    extra: Vec<Holiday>,
    observed: Option<ObservedRule>,
}

const fn def(name: &'static str, rule: DateRule, years: YearSpan) -> HolidayDef {
    HolidayDef {
        name: Cow::Borrowed(name),
        rule,
        years,
    }
}

const fn fixed(month: u32, day: u32) -> DateRule {
    DateRule::Fixed { month, day }
}

const fn easter(offset_days: i32) -> DateRule {
    DateRule::Easter { offset_days }
}

const fn nth(month: u32, weekday: Weekday, nth: Nth) -> DateRule {
    DateRule::NthWeekday {
        month,
        weekday,
        nth,
    }
}

/// France, Code du travail art. L3133-1, with the year each holiday entered the law.
const FRANCE: [HolidayDef; 11] = [
    // Avis du Conseil d'État of 1810, in force 1811.
    def("New Year's Day", fixed(1, 1), YearSpan::since(1811)),
    // Loi du 8 mars 1886 (Easter Monday and Whit Monday).
    def("Easter Monday", easter(1), YearSpan::since(1886)),
    // Lois 46-828 (1946), 47-778 (1947) and 48-746 (1948, permanent).
    def("Labor Day", fixed(5, 1), YearSpan::since(1946)),
    // Loi 53-225 (1953), removed by décret 59-533 (1959), restored by loi 81-893 from 1982.
    def("Victory Day", fixed(5, 8), YearSpan::between(1953, 1959)),
    // Arrêté du 29 germinal an X (1802).
    def("Ascension Day", easter(39), YearSpan::since(1802)),
    // Loi du 8 mars 1886. Still a public holiday under L3133-1 in 2005–2007 even though the
    // journée de solidarité made it a working day by default (loi 2004-626).
    def("Pentecost Monday", easter(50), YearSpan::since(1886)),
    // Loi du 6 juillet 1880.
    def("National Day", fixed(7, 14), YearSpan::since(1880)),
    def("Assumption Day", fixed(8, 15), YearSpan::since(1802)),
    def("All Saints' Day", fixed(11, 1), YearSpan::since(1802)),
    // Loi du 24 octobre 1922.
    def("Armistice Day", fixed(11, 11), YearSpan::since(1922)),
    def("Christmas Day", fixed(12, 25), YearSpan::since(1802)),
];

/// 8 May again from 1982 (loi 81-893 du 2 octobre 1981).
const FRANCE_VICTORY_SINCE_1982: HolidayDef =
    def("Victory Day", fixed(5, 8), YearSpan::since(1982));

/// Alsace-Moselle local law (1892, kept by the law of 1 June 1924).
const ALSACE_MOSELLE: [HolidayDef; 2] = [
    def("Good Friday", easter(-2), YearSpan::since(1893)),
    def("Saint Stephen's Day", fixed(12, 26), YearSpan::since(1892)),
];

/// US federal holidays, 5 U.S.C. 6103(a), with their history.
const US_FEDERAL: [HolidayDef; 20] = [
    // Act of 28 June 1870 (16 Stat. 168).
    def("New Year's Day", fixed(1, 1), YearSpan::since(1871)),
    // Pub. L. 98-144 (1983), first observed 1986.
    def(
        "Martin Luther King Jr. Day",
        nth(1, Weekday::Mon, Nth::Third),
        YearSpan::since(1986),
    ),
    // 1879/1885 acts; Uniform Monday Holiday Act (Pub. L. 90-363) from 1971.
    def(
        "Washington's Birthday",
        fixed(2, 22),
        YearSpan::between(1879, 1970),
    ),
    def(
        "Washington's Birthday",
        nth(2, Weekday::Mon, Nth::Third),
        YearSpan::since(1971),
    ),
    // Decoration Day 1888; last Monday of May from 1971.
    def("Memorial Day", fixed(5, 30), YearSpan::between(1888, 1970)),
    def(
        "Memorial Day",
        nth(5, Weekday::Mon, Nth::Last),
        YearSpan::since(1971),
    ),
    // Juneteenth National Independence Day Act (Pub. L. 117-17, 2021).
    def(
        "Juneteenth National Independence Day",
        fixed(6, 19),
        YearSpan::since(2021),
    ),
    def("Independence Day", fixed(7, 4), YearSpan::since(1870)),
    // Act of 28 June 1894.
    def(
        "Labor Day",
        nth(9, Weekday::Mon, Nth::First),
        YearSpan::since(1894),
    ),
    // Added to 5 U.S.C. 6103 by Pub. L. 90-363, in force 1971.
    def(
        "Columbus Day",
        nth(10, Weekday::Mon, Nth::Second),
        YearSpan::since(1971),
    ),
    // Armistice Day 1938; Veterans Day 1954; fourth Monday of October 1971–1977 (Pub. L.
    // 90-363); back to 11 November from 1978 (Pub. L. 94-97).
    def(
        "Armistice Day",
        fixed(11, 11),
        YearSpan::between(1938, 1953),
    ),
    def("Veterans Day", fixed(11, 11), YearSpan::between(1954, 1970)),
    def(
        "Veterans Day",
        nth(10, Weekday::Mon, Nth::Fourth),
        YearSpan::between(1971, 1977),
    ),
    def("Veterans Day", fixed(11, 11), YearSpan::since(1978)),
    // Last Thursday of November by proclamation until 1938; third Thursday 1939–1941
    // (Roosevelt's proclamations); fourth Thursday by the joint resolution of 1941, from 1942.
    def(
        "Thanksgiving Day",
        nth(11, Weekday::Thu, Nth::Last),
        YearSpan::between(1870, 1938),
    ),
    def(
        "Thanksgiving Day",
        fixed(11, 23),
        YearSpan::between(1939, 1939),
    ),
    def(
        "Thanksgiving Day",
        fixed(11, 21),
        YearSpan::between(1940, 1940),
    ),
    def(
        "Thanksgiving Day",
        fixed(11, 20),
        YearSpan::between(1941, 1941),
    ),
    def(
        "Thanksgiving Day",
        nth(11, Weekday::Thu, Nth::Fourth),
        YearSpan::since(1942),
    ),
    def("Christmas Day", fixed(12, 25), YearSpan::since(1870)),
];

impl Calendar {
    /// An empty calendar called `name`; add holidays with [`Calendar::with_holiday`] and
    /// [`Calendar::with_extra_day`].
    ///
    /// ```
    /// let cal = smsplan_core::holiday::Calendar::new("none");
    /// assert!(cal.holidays_in(2026)?.is_empty());
    /// # Ok::<(), smsplan_core::holiday::HolidayError>(())
    /// ```
    pub fn new(name: impl Into<Cow<'static, str>>) -> Self {
        Self {
            name: name.into(),
            defs: Vec::new(),
            extra: Vec::new(),
            observed: None,
        }
    }

    /// French public holidays (Code du travail art. L3133-1), metropolitan France.
    ///
    /// ```
    /// use smsplan_core::holiday::Calendar;
    /// let days = Calendar::france().holidays_in(1981)?;
    /// assert_eq!(days.len(), 10); // 8 May came back in 1982
    /// assert_eq!(Calendar::france().holidays_in(1982)?.len(), 11);
    /// # Ok::<(), smsplan_core::holiday::HolidayError>(())
    /// ```
    pub fn france() -> Self {
        let mut defs = FRANCE.to_vec();
        defs.push(FRANCE_VICTORY_SINCE_1982);
        Self {
            name: Cow::Borrowed("fr"),
            defs,
            extra: Vec::new(),
            observed: None,
        }
    }

    /// France plus the Alsace-Moselle local holidays: Good Friday and 26 December.
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use smsplan_core::holiday::Calendar;
    /// let am = Calendar::france_alsace_moselle();
    /// assert!(am.is_holiday(NaiveDate::from_ymd_opt(2026, 12, 26).unwrap())?);
    /// assert!(am.is_holiday(NaiveDate::from_ymd_opt(2026, 4, 3).unwrap())?); // Good Friday
    /// # Ok::<(), smsplan_core::holiday::HolidayError>(())
    /// ```
    pub fn france_alsace_moselle() -> Self {
        let mut cal = Self::france();
        cal.name = Cow::Borrowed("fr-alsace-moselle");
        cal.defs.extend(ALSACE_MOSELLE);
        cal
    }

    /// US federal holidays on the dates they fall (no observed shift; see
    /// [`Calendar::observed`]).
    ///
    /// ```
    /// use smsplan_core::holiday::Calendar;
    /// let days = Calendar::us_federal().holidays_in(2026)?;
    /// assert_eq!(days.len(), 11);
    /// assert_eq!(days[5].date().to_string(), "2026-07-04");
    /// # Ok::<(), smsplan_core::holiday::HolidayError>(())
    /// ```
    pub fn us_federal() -> Self {
        Self {
            name: Cow::Borrowed("us"),
            defs: US_FEDERAL.to_vec(),
            extra: Vec::new(),
            observed: None,
        }
    }

    /// This calendar with every holiday moved to its observed day by `rule`; a holiday that
    /// moves across New Year (1 January on a Saturday) lands in the previous year.
    ///
    /// ```
    /// use smsplan_core::holiday::{Calendar, ObservedRule};
    /// let obs = Calendar::us_federal().observed(ObservedRule::UsFederal);
    /// let days = obs.holidays_in(2027)?;
    /// assert_eq!(days.last().map(|h| h.date().to_string()), Some("2027-12-31".into()));
    /// assert_eq!(days.last().map(|h| h.name().to_owned()), Some("New Year's Day (observed)".into()));
    /// # Ok::<(), smsplan_core::holiday::HolidayError>(())
    /// ```
    #[must_use]
    pub fn observed(mut self, rule: ObservedRule) -> Self {
        self.observed = Some(rule);
        self
    }

    /// This calendar under another name.
    ///
    /// ```
    /// let cal = smsplan_core::holiday::Calendar::france().renamed("fr-acme");
    /// assert_eq!(cal.name(), "fr-acme");
    /// ```
    #[must_use]
    pub fn renamed(mut self, name: impl Into<Cow<'static, str>>) -> Self {
        self.name = name.into();
        self
    }

    /// This calendar with one more holiday definition.
    #[must_use]
    pub fn with_holiday(mut self, def: HolidayDef) -> Self {
        self.defs.push(def);
        self
    }

    /// This calendar with one more closed day on a given date (never moved by an observed rule).
    #[must_use]
    pub fn with_extra_day(mut self, date: NaiveDate, name: impl Into<Cow<'static, str>>) -> Self {
        self.extra.push(Holiday::new(date, name));
        self
    }

    /// The calendar's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The holiday definitions.
    pub fn definitions(&self) -> &[HolidayDef] {
        &self.defs
    }

    /// The extra closed days.
    pub fn extra_days(&self) -> &[Holiday] {
        &self.extra
    }

    /// The observed-day rule, if any.
    pub fn observed_rule(&self) -> Option<ObservedRule> {
        self.observed
    }

    /// The holidays of `year`, sorted by date (then name). Two holidays on one date are both
    /// listed.
    ///
    /// ```
    /// use smsplan_core::holiday::Calendar;
    /// let names: Vec<String> = Calendar::france().holidays_in(2026)?.iter().map(|h| h.name().to_owned()).collect();
    /// assert_eq!(names[1], "Easter Monday");
    /// # Ok::<(), smsplan_core::holiday::HolidayError>(())
    /// ```
    /// # Errors
    /// [`HolidayError::YearOutOfRange`] outside [`FIRST_YEAR`]..=[`LAST_YEAR`];
    /// [`HolidayError::InvalidDay`] when a user definition names no real day.
    pub fn holidays_in(&self, year: i32) -> Result<Vec<Holiday>, HolidayError> {
        check_year(year)?;
        let mut out = Vec::with_capacity(self.defs.len() + 2);
        match self.observed {
            None => self.push_actual(year, &mut out)?,
            Some(rule) => {
                // A shift can cross New Year either way (a Saturday 1 January is observed on
                // 31 December, a Sunday 31 December on 1 January), so the neighbour years
                // count too, even the two just outside the supported years: observing 9999
                // needs the 1 January of 10000.
                for y in [year - 1, year, year + 1] {
                    let mut actual = Vec::new();
                    self.push_defined(y, &mut actual)?;
                    for h in actual {
                        let obs = rule.observed(h.date);
                        if obs.year() != year {
                            continue;
                        }
                        if obs == h.date {
                            out.push(h);
                        } else {
                            out.push(Holiday::new(obs, format!("{} (observed)", h.name)));
                        }
                    }
                }
                out.extend(self.extra.iter().filter(|h| h.date.year() == year).cloned());
            }
        }
        out.sort();
        Ok(out)
    }

    /// The defined holidays of `year`, which the caller has checked or is a neighbour of a
    /// checked year.
    fn push_defined(&self, year: i32, out: &mut Vec<Holiday>) -> Result<(), HolidayError> {
        for d in self.defs.iter().filter(|d| d.years.contains(year)) {
            let date = d.date_of(year)?;
            out.push(Holiday {
                date,
                name: d.name.clone(),
            });
        }
        Ok(())
    }

    fn push_actual(&self, year: i32, out: &mut Vec<Holiday>) -> Result<(), HolidayError> {
        self.push_defined(year, out)?;
        out.extend(self.extra.iter().filter(|h| h.date.year() == year).cloned());
        Ok(())
    }

    /// Whether `date` is a holiday (computed; for many lookups build a [`HolidayTable`]).
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// let us = smsplan_core::holiday::Calendar::us_federal();
    /// assert!(us.is_holiday(NaiveDate::from_ymd_opt(2021, 6, 19).unwrap())?);
    /// assert!(!us.is_holiday(NaiveDate::from_ymd_opt(2020, 6, 19).unwrap())?);
    /// # Ok::<(), smsplan_core::holiday::HolidayError>(())
    /// ```
    /// # Errors
    /// As [`Calendar::holidays_in`].
    pub fn is_holiday(&self, date: NaiveDate) -> Result<bool, HolidayError> {
        Ok(self
            .holidays_in(date.year())?
            .iter()
            .any(|h| h.date == date))
    }

    /// A lookup table of this calendar for [`TABLE_FIRST_YEAR`]..=[`TABLE_LAST_YEAR`]: one
    /// bit per day, built once (about 14 KB), answered in a few nanoseconds.
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// let table = smsplan_core::holiday::Calendar::france().table()?;
    /// assert!(table.is_holiday(NaiveDate::from_ymd_opt(2026, 7, 14).unwrap())?);
    /// # Ok::<(), smsplan_core::holiday::HolidayError>(())
    /// ```
    /// # Errors
    /// [`HolidayError::InvalidDay`] when a user definition names no real day.
    pub fn table(&self) -> Result<HolidayTable, HolidayError> {
        let years = usize::try_from(TABLE_LAST_YEAR - TABLE_FIRST_YEAR + 1).unwrap_or(0);
        let mut bits = vec![0_u64; years * WORDS_PER_YEAR];
        for year in TABLE_FIRST_YEAR..=TABLE_LAST_YEAR {
            for h in self.holidays_in(year)? {
                if let Some((word, bit)) = table_slot(h.date)
                    && let Some(w) = bits.get_mut(word)
                {
                    *w |= 1 << bit;
                }
            }
        }
        Ok(HolidayTable {
            bits: bits.into(),
            calendar: Arc::new(self.clone()),
        })
    }
}

const WORDS_PER_YEAR: usize = 6; // 366 days fit in 6 × 64 bits

fn table_slot(date: NaiveDate) -> Option<(usize, u32)> {
    if !(TABLE_FIRST_YEAR..=TABLE_LAST_YEAR).contains(&date.year()) {
        return None;
    }
    let year_index = usize::try_from(date.year() - TABLE_FIRST_YEAR).ok()?;
    let day = date.ordinal0();
    Some((year_index * WORDS_PER_YEAR + (day / 64) as usize, day % 64))
}

/// A precomputed holiday lookup for one [`Calendar`]: a bit per day in
/// [`TABLE_FIRST_YEAR`]..=[`TABLE_LAST_YEAR`]; dates outside are computed from the calendar.
///
/// Cheap to clone (shared storage). Build it once with [`Calendar::table`].
///
/// ```
/// use chrono::NaiveDate;
/// let table = smsplan_core::holiday::Calendar::us_federal().table()?;
/// assert!(table.is_holiday(NaiveDate::from_ymd_opt(2026, 11, 26).unwrap())?);
/// assert_eq!(table.calendar().name(), "us");
/// # Ok::<(), smsplan_core::holiday::HolidayError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HolidayTable {
    bits: Arc<[u64]>,
    calendar: Arc<Calendar>,
}

impl HolidayTable {
    /// Whether `date` is a holiday.
    ///
    /// # Errors
    /// Only for dates outside the table: as [`Calendar::is_holiday`].
    #[inline]
    pub fn is_holiday(&self, date: NaiveDate) -> Result<bool, HolidayError> {
        match table_slot(date) {
            Some((word, bit)) => Ok(self.bits.get(word).is_some_and(|w| w & (1 << bit) != 0)),
            None => self.calendar.is_holiday(date),
        }
    }

    /// The calendar the table was built from.
    pub fn calendar(&self) -> &Calendar {
        &self.calendar
    }
}

fn check_year(year: i32) -> Result<(), HolidayError> {
    if (FIRST_YEAR..=LAST_YEAR).contains(&year) {
        Ok(())
    } else {
        Err(HolidayError::YearOutOfRange { year })
    }
}

/// Gregorian Easter Sunday of `year` (the anonymous Gregorian algorithm of Meeus, Jones and
/// Butcher).
///
/// ```
/// let e = smsplan_core::holiday::easter_sunday(2026)?;
/// assert_eq!(e.to_string(), "2026-04-05");
/// # Ok::<(), smsplan_core::holiday::HolidayError>(())
/// ```
/// # Errors
/// [`HolidayError::YearOutOfRange`] outside [`FIRST_YEAR`]..=[`LAST_YEAR`].
pub fn easter_sunday(year: i32) -> Result<NaiveDate, HolidayError> {
    check_year(year)?;
    easter_of(year)
}

/// [`easter_sunday`] without the year check (the algorithm holds for any Gregorian year).
fn easter_of(year: i32) -> Result<NaiveDate, HolidayError> {
    let a = year % 19;
    let b = year / 100;
    let c = year % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    let (Ok(month), Ok(day)) = (u32::try_from(month), u32::try_from(day)) else {
        return Err(HolidayError::YearOutOfRange { year });
    };
    NaiveDate::from_ymd_opt(year, month, day).ok_or(HolidayError::YearOutOfRange { year })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn easter_matches_known_dates() {
        // Published dates (e.g. 1961 and 2285 are the classic computus checks; 2038 is late).
        for (y, m, d) in [
            (1900, 4, 15),
            (1961, 4, 2),
            (2000, 4, 23),
            (2019, 4, 21),
            (2024, 3, 31),
            (2025, 4, 20),
            (2026, 4, 5),
            (2038, 4, 25),
            (2100, 3, 28),
            (2200, 4, 6),
        ] {
            assert_eq!(easter_sunday(y).unwrap(), date(y, m, d), "{y}");
        }
    }

    #[test]
    fn victory_day_follows_its_history() {
        let fr = Calendar::france();
        assert!(!fr.is_holiday(date(1952, 5, 8)).unwrap());
        assert!(fr.is_holiday(date(1953, 5, 8)).unwrap());
        assert!(fr.is_holiday(date(1959, 5, 8)).unwrap());
        assert!(!fr.is_holiday(date(1960, 5, 8)).unwrap());
        assert!(!fr.is_holiday(date(1981, 5, 8)).unwrap());
        assert!(fr.is_holiday(date(1982, 5, 8)).unwrap());
    }

    #[test]
    fn juneteenth_since_2021_only() {
        let us = Calendar::us_federal();
        assert!(!us.is_holiday(date(2020, 6, 19)).unwrap());
        assert!(us.is_holiday(date(2021, 6, 19)).unwrap());
    }

    #[test]
    fn us_monday_holidays_before_and_after_1971() {
        let us = Calendar::us_federal();
        // 1970: Washington's Birthday on 22 February, Memorial Day on 30 May.
        assert!(us.is_holiday(date(1970, 2, 22)).unwrap());
        assert!(us.is_holiday(date(1970, 5, 30)).unwrap());
        // 1975: Veterans Day on the fourth Monday of October (27th).
        assert!(us.is_holiday(date(1975, 10, 27)).unwrap());
        assert!(!us.is_holiday(date(1975, 11, 11)).unwrap());
        // 1941: Thanksgiving on the third Thursday; 1942: fourth.
        assert!(us.is_holiday(date(1941, 11, 20)).unwrap());
        assert!(us.is_holiday(date(1942, 11, 26)).unwrap());
        assert!(us.is_holiday(date(1938, 11, 24)).unwrap());
    }

    #[test]
    fn observed_new_year_moves_to_previous_year() {
        let obs = Calendar::us_federal().observed(ObservedRule::UsFederal);
        let y2022 = obs.holidays_in(2022).unwrap();
        // 2022-01-01 is a Saturday: observed 2021-12-31, so 2022 has no 1 January entry.
        assert!(y2022.iter().all(|h| h.date() != date(2022, 1, 1)));
        assert!(
            obs.holidays_in(2021)
                .unwrap()
                .iter()
                .any(|h| h.date() == date(2021, 12, 31))
        );
    }

    #[test]
    fn dates_outside_the_table_are_computed() {
        let table = Calendar::france_alsace_moselle().table().unwrap();
        assert!(table.is_holiday(date(2300, 12, 25)).unwrap());
        assert!(table.is_holiday(date(1899, 12, 26)).unwrap());
        assert!(!table.is_holiday(date(2300, 12, 24)).unwrap());
    }

    #[test]
    fn tables_agree_with_computation_on_every_day_1900_to_2200() {
        for cal in BuiltinCalendar::ALL.map(BuiltinCalendar::calendar) {
            let table = cal.table().unwrap();
            for year in TABLE_FIRST_YEAR..=TABLE_LAST_YEAR {
                let days: Vec<NaiveDate> = cal
                    .holidays_in(year)
                    .unwrap()
                    .iter()
                    .map(Holiday::date)
                    .collect();
                let mut d = date(year, 1, 1);
                while d.year() == year {
                    assert_eq!(
                        table.is_holiday(d).unwrap(),
                        days.contains(&d),
                        "{} {d}",
                        cal.name()
                    );
                    d = d.succ_opt().unwrap();
                }
            }
        }
    }

    #[test]
    fn easter_is_a_sunday_between_22_march_and_25_april_in_every_year() {
        for year in FIRST_YEAR..=LAST_YEAR {
            let e = easter_sunday(year).unwrap();
            assert_eq!(e.weekday(), Weekday::Sun, "{year}");
            assert!(
                (date(year, 3, 22)..=date(year, 4, 25)).contains(&e),
                "{year}: {e}"
            );
        }
    }

    #[test]
    fn year_out_of_range_is_an_error() {
        assert_eq!(
            easter_sunday(1500),
            Err(HolidayError::YearOutOfRange { year: 1500 })
        );
        assert!(Calendar::france().holidays_in(10_000).is_err());
    }

    #[test]
    fn invalid_user_day_names_the_holiday() {
        let cal =
            Calendar::new("x").with_holiday(HolidayDef::new("Bad", fixed(2, 30), YearSpan::ALWAYS));
        assert_eq!(
            cal.holidays_in(2026),
            Err(HolidayError::InvalidDay {
                name: "Bad".into(),
                month: 2,
                day: 30
            })
        );
    }

    #[test]
    fn rule_errors_say_what_is_wrong() {
        // An Easter offset of i32::MAX said "year 2000 is outside the supported years".
        let far = HolidayDef::new("Far", easter(i32::MAX), YearSpan::ALWAYS);
        let err = far.date_in(2000).unwrap_err();
        assert_eq!(
            err.to_string(),
            "holiday \"Far\": an Easter offset of 2147483647 days leaves the calendar"
        );
        assert_eq!(
            easter(i32::MIN).date_in(2000).unwrap_err().to_string(),
            "an Easter offset of -2147483648 days leaves the calendar"
        );
        // A bare rule has no name to give: no `holiday ""` in its message.
        assert_eq!(
            fixed(4, 31).date_in(2026).unwrap_err().to_string(),
            "month 4, day 31 is not a calendar day"
        );
        let cal = Calendar::new("x").with_holiday(far);
        assert!(matches!(
            cal.holidays_in(2026),
            Err(HolidayError::EasterOffsetOutOfRange { name, .. }) if name == "Far"
        ));
    }

    #[test]
    fn observed_days_cross_new_year_at_the_calendar_edges_too() {
        let obs = Calendar::us_federal().observed(ObservedRule::UsFederal);
        // 10000-01-01 is a Saturday: observed on Friday 9999-12-31, which was missing
        // because year 10000 was skipped as unsupported.
        let last = obs.holidays_in(LAST_YEAR).unwrap();
        assert_eq!(
            last.last().map(|h| (h.date(), h.name())),
            Some((date(9999, 12, 31), "New Year's Day (observed)"))
        );
        // A Sunday 31 December is observed on 1 January of the next year (2023-12-31).
        let eve = Calendar::new("eve")
            .with_holiday(HolidayDef::new("Eve", fixed(12, 31), YearSpan::ALWAYS))
            .observed(ObservedRule::UsFederal);
        let days = eve.holidays_in(2024).unwrap();
        assert!(
            days.iter()
                .any(|h| h.date() == date(2024, 1, 1) && h.name() == "Eve (observed)"),
            "{days:?}"
        );
        assert!(
            eve.holidays_in(2023)
                .unwrap()
                .iter()
                .all(|h| h.date().year() == 2023)
        );
        // The first supported year looks back at 1582 without failing.
        assert!(eve.holidays_in(FIRST_YEAR).is_ok());
    }
}
