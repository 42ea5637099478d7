//! `smsplan.policy/v1` ↔ core `Policy`: any policy the v1 format can express survives the
//! round trip.
#![allow(clippy::unwrap_used, reason = "tests")]

use chrono::{NaiveDate, TimeDelta, Weekday};
use proptest::prelude::*;
use smsplan_core::holiday::{
    BuiltinCalendar, Calendar, DateRule, HolidayDef, Nth, ObservedRule, YearSpan,
};
use smsplan_core::window::{
    AppliesTo, CapPeriod, CapScope, DayRanges, FrequencyCap, HolidayRule, LocalRange, Policy,
    WeeklyRanges,
};
use smsplan_formats::v1::policy::PolicySpec;

fn day() -> impl Strategy<Value = DayRanges> {
    prop::collection::vec((0u16..1440, 1u16..900), 0..3).prop_map(|v| {
        DayRanges::new(
            v.into_iter()
                .filter_map(|(s, l)| LocalRange::from_minutes(s, (s + l).min(1440)).ok()),
        )
    })
}

fn rule() -> impl Strategy<Value = DateRule> {
    prop_oneof![
        (1u32..=12, 1u32..=28).prop_map(|(month, day)| DateRule::Fixed { month, day }),
        (-60i32..60).prop_map(|offset_days| DateRule::Easter { offset_days }),
        (1u32..=12, 0u8..7, 0usize..5).prop_map(|(month, w, n)| DateRule::NthWeekday {
            month,
            weekday: Weekday::try_from(w).unwrap(),
            nth: [Nth::First, Nth::Second, Nth::Third, Nth::Fourth, Nth::Last][n],
        }),
    ]
}

fn calendar() -> impl Strategy<Value = Calendar> {
    (
        prop::option::of(prop::sample::select(BuiltinCalendar::ALL.to_vec())),
        prop::collection::vec(
            (
                rule(),
                prop::option::of(1900i32..2000),
                prop::option::of(2000i32..2100),
            ),
            0..3,
        ),
        prop::collection::vec(0u64..3000, 0..3),
        any::<bool>(),
    )
        .prop_map(|(builtin, defs, extra, observed)| {
            let mut cal = builtin.map_or_else(
                || Calendar::new("random-holidays"),
                BuiltinCalendar::calendar,
            );
            for (i, (rule, from, until)) in defs.into_iter().enumerate() {
                let years = match (from, until) {
                    (Some(a), Some(b)) => YearSpan::between(a, b),
                    (Some(a), None) => YearSpan::since(a),
                    (None, Some(b)) => YearSpan::until(b),
                    (None, None) => YearSpan::ALWAYS,
                };
                cal = cal.with_holiday(HolidayDef::new(format!("Day {i}"), rule, years));
            }
            for (i, d) in extra.into_iter().enumerate() {
                let date = NaiveDate::from_ymd_opt(2020, 1, 1).unwrap() + chrono::Days::new(d);
                cal = cal.with_extra_day(date, format!("Closure {i}"));
            }
            if observed {
                cal.observed(ObservedRule::UsFederal)
            } else {
                cal
            }
        })
}

fn policies() -> impl Strategy<Value = Policy> {
    (
        prop::collection::vec(day(), 7),
        prop::option::of((calendar(), prop::option::of(day()))),
        prop::option::of((1u32..10, prop::option::of(1i64..10_000), any::<bool>())),
        any::<bool>(),
        prop::option::of(0u64..20_000),
    )
        .prop_map(|(days, holidays, cap, all, effective)| {
            let mut week = WeeklyRanges::closed();
            for (i, d) in days.into_iter().enumerate() {
                week = week.with_day(Weekday::try_from(u8::try_from(i).unwrap()).unwrap(), d);
            }
            let mut b = Policy::builder("random")
                .weekly(week)
                .source("generated")
                .applies_to(if all {
                    AppliesTo::AllMessages
                } else {
                    AppliesTo::MarketingOnly
                });
            if let Some((cal, own)) = holidays {
                b = b.holidays(match own {
                    Some(day) => HolidayRule::OwnRanges(cal, day),
                    None => HolidayRule::Closed(cal),
                });
            }
            if let Some((max, minutes, same)) = cap {
                let period = minutes.map_or(CapPeriod::LocalDay, |m| {
                    CapPeriod::Rolling(TimeDelta::minutes(m))
                });
                let scope = if same {
                    CapScope::SameTopic
                } else {
                    CapScope::AllTopics
                };
                b = b.cap(FrequencyCap::new(max, period, scope).unwrap());
            }
            if let Some(d) = effective {
                b = b.effective_from(
                    NaiveDate::from_ymd_opt(1990, 1, 1).unwrap() + chrono::Days::new(d),
                );
            }
            b.build().unwrap()
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn a_policy_written_in_v1_and_read_back_is_the_same_policy(policy in policies()) {
        let spec = PolicySpec::try_from(&policy).unwrap();
        let text = serde_json::to_string(&spec).unwrap();
        let back: PolicySpec = serde_json::from_str(&text).unwrap();
        prop_assert_eq!(Policy::try_from(&back).unwrap(), policy);
    }
}
