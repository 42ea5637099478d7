//! Schedules: properties of recurring runs and per-recipient instants across DST.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "test helpers")]

use chrono::{DateTime, NaiveDate, NaiveTime, TimeDelta, Utc, Weekday};
use chrono_tz::America::{Los_Angeles, New_York};
use chrono_tz::Europe::Paris;
use chrono_tz::Tz;
use proptest::prelude::*;
use smsplan_core::schedule::{
    Dispatch, DispatchRequest, Frequency, Recurrence, ZoneFallback, dispatch, optimized_instant,
};
use smsplan_core::window::{MessageClass, Preset, is_allowed};

const ZONES: [Tz; 4] = [
    Paris,
    New_York,
    Los_Angeles,
    chrono_tz::Australia::Lord_Howe,
];

fn frequencies() -> impl Strategy<Value = Frequency> {
    prop_oneof![
        Just(Frequency::Daily),
        (0u8..7).prop_map(|d| Frequency::Weekly(Weekday::try_from(d).unwrap())),
        (1u32..=31).prop_map(Frequency::Monthly),
    ]
}

proptest! {
    #[test]
    fn each_run_happens_once_at_its_local_time_unless_that_time_does_not_exist(
        frequency in frequencies(),
        minute in 0u32..1440,
        zone in prop::sample::select(ZONES.to_vec()),
        start_day in 0u64..365,
        days in 0u64..400,
    ) {
        let start = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap() + chrono::Days::new(start_day);
        let end = start + chrono::Days::new(days);
        let time = NaiveTime::from_num_seconds_from_midnight_opt(minute * 60, 0).unwrap();
        let r = Recurrence::new(frequency, time, zone, start, end).unwrap();
        let mut previous: Option<DateTime<Utc>> = None;
        for run in r.runs() {
            let run = run.unwrap();
            prop_assert!(run.local.date() >= start && run.local.date() <= end);
            prop_assert_eq!(run.local.time(), time);
            let shown = run.at.with_timezone(&zone).naive_local();
            if shown != run.local {
                // Only a gap may move a run, and only forward, to less than a day later.
                prop_assert!(shown > run.local && shown - run.local < TimeDelta::hours(3), "{} shown {}", run.local, shown);
            }
            if let Some(p) = previous {
                prop_assert!(run.at > p);
            }
            previous = Some(run.at);
        }
    }

    #[test]
    fn optimized_instants_are_allowed_and_on_or_after_the_day(
        preferred in prop::option::of(0u32..1440),
        day in 0u64..365,
        preset in prop::sample::select(vec![Preset::FrCommercial, Preset::UsTx, Preset::UsTcpa, Preset::FrOperatorLegacy]),
        zone in prop::sample::select(ZONES.to_vec()),
    ) {
        let policy = preset.policy();
        let date = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap() + chrono::Days::new(day);
        let pref = preferred.map(|m| NaiveTime::from_num_seconds_from_midnight_opt(m * 60, 0).unwrap());
        let noon = NaiveTime::from_hms_opt(12, 0, 0).unwrap();
        let t = optimized_instant(date, pref, noon, &[&policy], MessageClass::Marketing, &[zone]).unwrap();
        prop_assert!(is_allowed(&policy, &[zone], t).unwrap(), "{t} not allowed");
        prop_assert!(t.with_timezone(&zone).date_naive() >= date);
    }

    #[test]
    fn a_dispatch_instant_is_allowed_not_before_the_schedule_and_before_the_deadline(
        scheduled_min in 0i64..(365 * 1440),
        deadline_hours in 1i64..200,
        zones in prop::sample::subsequence(ZONES.to_vec(), 1..3),
    ) {
        let fr = Preset::FrCommercial.policy();
        let tcpa = Preset::UsTcpa.policy();
        let scheduled = "2026-01-01T00:00:00Z".parse::<DateTime<Utc>>().unwrap() + TimeDelta::minutes(scheduled_min);
        let deadline = scheduled + TimeDelta::hours(deadline_hours);
        let req = DispatchRequest {
            scheduled,
            policies: &[&fr, &tcpa],
            class: MessageClass::Marketing,
            zones: &zones,
            fallback: ZoneFallback::Exclude,
            deadline: Some(deadline),
        };
        match dispatch(&req).unwrap() {
            Dispatch::At { at, .. } => {
                prop_assert!(at >= scheduled && at < deadline);
                prop_assert!(is_allowed(&fr, &zones, at).unwrap() && is_allowed(&tcpa, &zones, at).unwrap());
            }
            Dispatch::Expired(_) => {
                // Nothing allowed in [scheduled, deadline): check hourly and at the boundaries.
                let mut t = scheduled;
                while t < deadline {
                    prop_assert!(!(is_allowed(&fr, &zones, t).unwrap() && is_allowed(&tcpa, &zones, t).unwrap()), "{t} was allowed");
                    t += TimeDelta::minutes(30);
                }
            }
            other => prop_assert!(false, "{other:?}"),
        }
    }
}
