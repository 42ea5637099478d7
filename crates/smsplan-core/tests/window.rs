//! Send windows: hand-computed cases (each with its reason), DST switches and properties.
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "test helpers outside #[test] fns"
)]

use chrono::{DateTime, TimeDelta, Utc, Weekday};
use chrono_tz::America::{Chicago, Los_Angeles, New_York};
use chrono_tz::Europe::Paris;
use chrono_tz::Tz;
use proptest::prelude::*;
use smsplan_core::holiday::Calendar;
use smsplan_core::window::{
    DayRanges, HolidayRule, Intersection, LocalRange, Policy, Preset, WeeklyRanges, WindowError,
    is_allowed, next_allowed, window_end, windows,
};

fn utc(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

fn local(zone: Tz, t: DateTime<Utc>) -> String {
    t.with_timezone(&zone).to_rfc3339()
}

/// (next_allowed, window_end) in `zone`, as local RFC 3339.
fn answer(p: &Policy, zone: Tz, at: &str) -> (String, String) {
    let at = utc(at);
    let n = next_allowed(p, &[zone], at).unwrap();
    let e = window_end(p, &[zone], at).unwrap();
    (local(zone, n), local(zone, e))
}

#[test]
fn saturday_1959_is_allowed_and_2000_is_not() {
    // 2026-06-13 is a Saturday (CEST, UTC+2); fr-commercial allows Mon–Sat 08:00–20:00.
    let p = Preset::FrCommercial.policy();
    assert_eq!(
        answer(&p, Paris, "2026-06-13T17:59:00Z"),
        (
            "2026-06-13T19:59:00+02:00".into(),
            "2026-06-13T20:00:00+02:00".into()
        )
    );
    // 20:00 is the closing instant (half-open): next is Monday 08:00, Sunday being closed.
    assert_eq!(
        answer(&p, Paris, "2026-06-13T18:00:00Z"),
        (
            "2026-06-15T08:00:00+02:00".into(),
            "2026-06-15T20:00:00+02:00".into()
        )
    );
}

#[test]
fn sunday_is_closed_in_france() {
    // Sunday 2026-06-14 11:00 CEST: Monday 08:00.
    let p = Preset::FrCommercial.policy();
    assert_eq!(
        answer(&p, Paris, "2026-06-14T09:00:00Z").0,
        "2026-06-15T08:00:00+02:00"
    );
}

#[test]
fn easter_monday_is_closed() {
    // Easter 2026 is 5 April: Monday 6 April is a holiday, Sunday before is closed too,
    // so Saturday 20:00 → Tuesday 7 April 08:00.
    let p = Preset::FrCommercial.policy();
    assert_eq!(
        answer(&p, Paris, "2026-04-04T18:30:00Z").0,
        "2026-04-07T08:00:00+02:00"
    );
}

#[test]
fn ascension_thursday_is_closed() {
    // Ascension 2026 = Easter + 39 = Thursday 14 May; Wednesday 21:00 → Friday 08:00.
    let p = Preset::FrCommercial.policy();
    assert_eq!(
        answer(&p, Paris, "2026-05-13T19:00:00Z").0,
        "2026-05-15T08:00:00+02:00"
    );
}

#[test]
fn christmas_on_a_friday() {
    // 25 December 2026 is a Friday: Thursday 20:00 → Saturday 26 08:00 (France),
    // but Alsace-Moselle also closes 26 December → Monday 28 (Sunday closed).
    let fr = Preset::FrCommercial.policy();
    let am = Preset::FrAlsaceMoselle.policy();
    assert_eq!(
        answer(&fr, Paris, "2026-12-24T19:00:00Z").0,
        "2026-12-26T08:00:00+01:00"
    );
    assert_eq!(
        answer(&am, Paris, "2026-12-24T19:00:00Z").0,
        "2026-12-28T08:00:00+01:00"
    );
}

#[test]
fn alsace_moselle_good_friday() {
    // Good Friday 2026 = 3 April: closed in Alsace-Moselle, open elsewhere in France.
    let at = utc("2026-04-03T08:00:00Z"); // 10:00 CEST
    assert!(is_allowed(&Preset::FrCommercial.policy(), &[Paris], at).unwrap());
    assert!(!is_allowed(&Preset::FrAlsaceMoselle.policy(), &[Paris], at).unwrap());
}

#[test]
fn fourteenth_of_july_on_a_monday() {
    // 14 July 2025 is a Monday: Saturday 12 20:00 → Sunday closed → Monday holiday →
    // Tuesday 15 July 08:00.
    let p = Preset::FrCommercial.policy();
    assert_eq!(
        answer(&p, Paris, "2025-07-12T18:00:00Z").0,
        "2025-07-15T08:00:00+02:00"
    );
}

#[test]
fn french_2024_charter_allows_until_22() {
    // Same Saturday 21:00 CEST: closed under fr-commercial, open under the 2024 charter.
    let at = utc("2026-06-13T19:00:00Z");
    assert!(!is_allowed(&Preset::FrCommercial.policy(), &[Paris], at).unwrap());
    assert!(is_allowed(&Preset::FrCommercial2024.policy(), &[Paris], at).unwrap());
}

#[test]
fn operator_legacy_opens_at_10_on_saturday() {
    let p = Preset::FrOperatorLegacy.policy();
    // Saturday 2026-06-13 09:00 CEST → 10:00 the same day.
    assert_eq!(
        answer(&p, Paris, "2026-06-13T07:00:00Z").0,
        "2026-06-13T10:00:00+02:00"
    );
}

#[test]
fn paris_spring_forward_2026_03_29() {
    // Saturday 28 March 20:00 CET; Sunday 29 closed (and the clocks jump 02:00 → 03:00);
    // Monday 30 March 08:00 is CEST (UTC+2), i.e. 06:00 UTC, not 07:00.
    let p = Preset::FrCommercial.policy();
    let n = next_allowed(&p, &[Paris], utc("2026-03-28T19:00:00Z")).unwrap();
    assert_eq!(n, utc("2026-03-30T06:00:00Z"));
    // A range that opens inside the gap opens at the jump (03:00 CEST = 01:00 UTC) and
    // closes at its own end; a range wholly inside the gap is empty.
    let gap = Policy::builder("gap")
        .weekly(WeeklyRanges::every_day(DayRanges::single(
            LocalRange::hm(2, 30, 3, 30).unwrap(),
        )))
        .build()
        .unwrap();
    let w = windows(&gap, &[Paris], utc("2026-03-28T12:00:00Z"))
        .next()
        .unwrap()
        .unwrap();
    assert_eq!(
        (w.start, w.end),
        (utc("2026-03-29T01:00:00Z"), utc("2026-03-29T01:30:00Z"))
    );
    let inside = Policy::builder("inside")
        .day(
            Weekday::Sun,
            DayRanges::single(LocalRange::hm(2, 0, 2, 59).unwrap()),
        )
        .build()
        .unwrap();
    let w = windows(&inside, &[Paris], utc("2026-03-28T12:00:00Z"))
        .next()
        .unwrap()
        .unwrap();
    // Skips 29 March 2026 entirely: the next Sunday's window, 5 April 02:00 CEST.
    assert_eq!(w.start, utc("2026-04-05T00:00:00Z"));
}

#[test]
fn paris_fall_back_2026_10_25() {
    // Clocks go 03:00 CEST → 02:00 CET; 02:30 happens twice.
    let open_in_fold = Policy::builder("opens-in-fold")
        .weekly(WeeklyRanges::every_day(DayRanges::single(
            LocalRange::hm(2, 30, 4, 0).unwrap(),
        )))
        .build()
        .unwrap();
    // Opening edge takes the later reading (02:30 CET = 01:30 UTC): the first pass of
    // 02:30–03:00 CEST (00:30–01:00 UTC) stays closed.
    assert!(!is_allowed(&open_in_fold, &[Paris], utc("2026-10-25T00:45:00Z")).unwrap());
    assert_eq!(
        next_allowed(&open_in_fold, &[Paris], utc("2026-10-25T00:45:00Z")).unwrap(),
        utc("2026-10-25T01:30:00Z")
    );
    let close_in_fold = Policy::builder("closes-in-fold")
        .weekly(WeeklyRanges::every_day(DayRanges::single(
            LocalRange::hm(1, 0, 2, 30).unwrap(),
        )))
        .build()
        .unwrap();
    // Closing edge takes the earlier reading (02:30 CEST = 00:30 UTC).
    assert_eq!(
        window_end(&close_in_fold, &[Paris], utc("2026-10-24T23:10:00Z")).unwrap(),
        utc("2026-10-25T00:30:00Z")
    );
    assert!(!is_allowed(&close_in_fold, &[Paris], utc("2026-10-25T01:10:00Z")).unwrap());
    // The ordinary French window: Monday 26 October opens at 08:00 CET = 07:00 UTC.
    let p = Preset::FrCommercial.policy();
    assert_eq!(
        next_allowed(&p, &[Paris], utc("2026-10-24T18:00:00Z")).unwrap(),
        utc("2026-10-26T07:00:00Z")
    );
}

#[test]
fn new_york_spring_forward_2026_03_08() {
    // Saturday 7 March 21:00 EST = 02:00 UTC 8 March; Sunday 8 opens 08:00 EDT = 12:00 UTC.
    let p = Preset::UsTcpa.policy();
    assert_eq!(
        answer(&p, New_York, "2026-03-08T02:00:00Z"),
        (
            "2026-03-08T08:00:00-04:00".into(),
            "2026-03-08T21:00:00-04:00".into()
        )
    );
    assert_eq!(
        next_allowed(&p, &[New_York], utc("2026-03-08T02:00:00Z")).unwrap(),
        utc("2026-03-08T12:00:00Z")
    );
}

#[test]
fn new_york_fall_back_2026_11_01() {
    // Sunday 1 November 07:30 EST (after the 02:00 → 01:00 switch) = 12:30 UTC:
    // opens at 08:00 EST = 13:00 UTC, closes 21:00 EST = 02:00 UTC on 2 November.
    let p = Preset::UsTcpa.policy();
    assert_eq!(
        next_allowed(&p, &[New_York], utc("2026-11-01T12:30:00Z")).unwrap(),
        utc("2026-11-01T13:00:00Z")
    );
    assert_eq!(
        window_end(&p, &[New_York], utc("2026-11-01T12:30:00Z")).unwrap(),
        utc("2026-11-02T02:00:00Z")
    );
    // Saturday 31 October 20:30 EDT is allowed (closes 21:00 EDT = 01:00 UTC).
    assert_eq!(
        window_end(&p, &[New_York], utc("2026-11-01T00:30:00Z")).unwrap(),
        utc("2026-11-01T01:00:00Z")
    );
}

#[test]
fn new_york_and_los_angeles_at_the_same_instant() {
    // 2026-06-10 12:30 UTC = 08:30 EDT (allowed) = 05:30 PDT (not before 08:00 PDT = 15:00 UTC).
    let p = Preset::UsTcpa.policy();
    let at = utc("2026-06-10T12:30:00Z");
    assert!(is_allowed(&p, &[New_York], at).unwrap());
    assert!(!is_allowed(&p, &[Los_Angeles], at).unwrap());
    // A number mapped to both: the intersection opens at 15:00 UTC and closes with New
    // York at 21:00 EDT = 01:00 UTC.
    assert_eq!(
        next_allowed(&p, &[New_York, Los_Angeles], at).unwrap(),
        utc("2026-06-10T15:00:00Z")
    );
    assert_eq!(
        window_end(&p, &[New_York, Los_Angeles], at).unwrap(),
        utc("2026-06-11T01:00:00Z")
    );
}

#[test]
fn texas_sunday_morning_waits_for_noon() {
    // Sunday 2026-06-14 10:00 CDT = 15:00 UTC: us-tx opens Sunday at 12:00 (17:00 UTC);
    // the federal rule alone would allow it.
    let tx = Preset::UsTx.policy();
    assert_eq!(
        answer(&tx, Chicago, "2026-06-14T15:00:00Z").0,
        "2026-06-14T12:00:00-05:00"
    );
    assert!(
        is_allowed(
            &Preset::UsTcpa.policy(),
            &[Chicago],
            utc("2026-06-14T15:00:00Z")
        )
        .unwrap()
    );
    // Saturday 10:00 is allowed (09:00 opening on Monday–Saturday).
    assert!(is_allowed(&tx, &[Chicago], utc("2026-06-13T15:00:00Z")).unwrap());
}

#[test]
fn no_zone_is_an_error() {
    let p = Preset::UsTcpa.policy();
    assert_eq!(
        next_allowed(&p, &[], utc("2026-06-10T12:30:00Z")),
        Err(WindowError::NoZones)
    );
}

#[test]
fn a_policy_closed_every_day_says_so() {
    let p = Policy::builder("never").build().unwrap();
    assert!(matches!(
        next_allowed(&p, &[Paris], utc("2026-06-10T12:30:00Z")),
        Err(WindowError::NoWindowWithin { .. })
    ));
}

#[test]
fn around_the_clock_policy_never_closes() {
    let p = Policy::builder("always")
        .weekly(WeeklyRanges::every_day(DayRanges::single(
            LocalRange::hm(0, 0, 24, 0).unwrap(),
        )))
        .build()
        .unwrap();
    let at = utc("2026-06-10T12:30:00Z");
    assert_eq!(next_allowed(&p, &[Paris], at).unwrap(), at);
    assert!(matches!(
        window_end(&p, &[Paris], at),
        Err(WindowError::NeverCloses { .. })
    ));
}

#[test]
fn holidays_with_their_own_ranges() {
    // A policy that allows 10:00–12:00 on holidays instead of closing them.
    let p = Policy::builder("short-holidays")
        .weekly(WeeklyRanges::every_day(DayRanges::single(
            LocalRange::hm(8, 0, 20, 0).unwrap(),
        )))
        .holidays(HolidayRule::OwnRanges(
            Calendar::france(),
            DayRanges::single(LocalRange::hm(10, 0, 12, 0).unwrap()),
        ))
        .build()
        .unwrap();
    // 14 July 2026 09:00 CEST → 10:00, closes 12:00.
    assert_eq!(
        answer(&p, Paris, "2026-07-14T07:00:00Z"),
        (
            "2026-07-14T10:00:00+02:00".into(),
            "2026-07-14T12:00:00+02:00".into()
        )
    );
}

#[test]
fn windows_merge_across_midnight() {
    // 20:00–24:00 and 00:00–06:00 form one night window.
    let night = DayRanges::new([
        LocalRange::hm(0, 0, 6, 0).unwrap(),
        LocalRange::hm(20, 0, 24, 0).unwrap(),
    ]);
    let p = Policy::builder("night")
        .weekly(WeeklyRanges::every_day(night))
        .build()
        .unwrap();
    let at = utc("2026-06-10T20:00:00Z"); // 22:00 CEST
    assert_eq!(
        window_end(&p, &[Paris], at).unwrap(),
        utc("2026-06-11T04:00:00Z")
    );
    // From 02:00 local (the previous day's 24:00 range already merged into today's 00:00).
    assert_eq!(
        next_allowed(&p, &[Paris], utc("2026-06-11T00:00:00Z")).unwrap(),
        utc("2026-06-11T00:00:00Z")
    );
}

// ---------------------------------------------------------------- properties

const ZONES: [Tz; 6] = [
    Paris,
    New_York,
    Los_Angeles,
    chrono_tz::Australia::Lord_Howe, // 30-minute DST
    chrono_tz::Asia::Kolkata,        // no DST, half-hour offset
    chrono_tz::America::Sao_Paulo,   // DST history
];

fn day_ranges() -> impl Strategy<Value = DayRanges> {
    prop::collection::vec((0u16..1440, 1u16..600), 0..3).prop_map(|v| {
        DayRanges::new(
            v.into_iter()
                .filter_map(|(s, len)| LocalRange::from_minutes(s, (s + len).min(1440)).ok()),
        )
    })
}

fn policies() -> impl Strategy<Value = Policy> {
    (prop::collection::vec(day_ranges(), 7), any::<bool>()).prop_map(|(days, holidays)| {
        let mut week = WeeklyRanges::closed();
        for (d, r) in [
            Weekday::Mon,
            Weekday::Tue,
            Weekday::Wed,
            Weekday::Thu,
            Weekday::Fri,
            Weekday::Sat,
            Weekday::Sun,
        ]
        .into_iter()
        .zip(days)
        {
            week = week.with_day(d, r);
        }
        let b = Policy::builder("random").weekly(week);
        let b = if holidays {
            b.holidays(HolidayRule::Closed(Calendar::france()))
        } else {
            b
        };
        b.build().unwrap()
    })
}

/// Instants within a few days of the 2026 DST switches (and some ordinary days).
fn instants() -> impl Strategy<Value = DateTime<Utc>> {
    (
        prop::sample::select(vec![
            "2026-03-06T00:00:00Z",
            "2026-03-27T00:00:00Z",
            "2026-04-03T00:00:00Z",
            "2026-10-02T00:00:00Z",
            "2026-10-23T00:00:00Z",
            "2026-10-30T00:00:00Z",
            "2026-07-12T00:00:00Z",
        ]),
        0i64..(4 * 1440),
    )
        .prop_map(|(base, m)| utc(base) + TimeDelta::minutes(m))
}

/// Membership by brute force: the local ranges of the dates around `t`, each resolved by the
/// documented edge rule, independently of the search code.
fn allowed_by_definition(p: &Policy, zone: Tz, t: DateTime<Utc>) -> bool {
    use smsplan_core::window::{Edge, resolve_local};
    let d = t.with_timezone(&zone).date_naive();
    [d.pred_opt().unwrap(), d, d.succ_opt().unwrap()]
        .into_iter()
        .any(|date| {
            p.ranges_on(date).unwrap().ranges().iter().any(|r| {
                let open = resolve_local(zone, date, r.start_minute(), Edge::Opens).unwrap();
                let close = resolve_local(zone, date, r.end_minute(), Edge::Closes).unwrap();
                open <= t && t < close
            })
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn next_allowed_is_allowed_and_nothing_earlier_is(p in policies(), zone in prop::sample::select(ZONES.to_vec()), at in instants()) {
        let Ok(n) = next_allowed(&p, &[zone], at) else {
            // Nothing found: nothing is allowed in the next days either.
            let mut t = at;
            while t < at + TimeDelta::days(3) {
                prop_assert!(!allowed_by_definition(&p, zone, t), "{t} allowed, search found nothing");
                t += TimeDelta::minutes(1);
            }
            return Ok(());
        };
        prop_assert!(n >= at);
        prop_assert!(allowed_by_definition(&p, zone, n), "{n} not allowed");
        let mut t = at;
        while t < n && t < at + TimeDelta::days(9) {
            prop_assert!(!allowed_by_definition(&p, zone, t), "{t} allowed before {n}");
            t += TimeDelta::minutes(1);
        }
    }

    #[test]
    fn next_allowed_is_idempotent(p in policies(), zone in prop::sample::select(ZONES.to_vec()), at in instants()) {
        if let Ok(n) = next_allowed(&p, &[zone], at) {
            prop_assert_eq!(next_allowed(&p, &[zone], n).unwrap(), n);
        }
    }

    #[test]
    fn window_is_allowed_up_to_its_end_and_not_at_it(p in policies(), zone in prop::sample::select(ZONES.to_vec()), at in instants()) {
        if let (Ok(n), Ok(e)) = (next_allowed(&p, &[zone], at), window_end(&p, &[zone], at)) {
            prop_assert!(n < e);
            prop_assert!(allowed_by_definition(&p, zone, e - TimeDelta::minutes(1)) || e - n < TimeDelta::minutes(1));
            prop_assert!(!allowed_by_definition(&p, zone, e), "{e} still allowed");
        }
    }

    #[test]
    fn intersection_never_allows_what_a_member_forbids(
        a in policies(), b in policies(),
        za in prop::sample::select(ZONES.to_vec()), zb in prop::sample::select(ZONES.to_vec()),
        at in instants(),
    ) {
        let both = Intersection::new(vec![(&a, za), (&b, zb)]);
        if let Ok(n) = both.next_allowed(at) {
            prop_assert!(allowed_by_definition(&a, za, n));
            prop_assert!(allowed_by_definition(&b, zb, n));
            if let Ok(e) = both.window_end(at) {
                let mut t = n;
                while t < e && t < n + TimeDelta::days(2) {
                    prop_assert!(allowed_by_definition(&a, za, t) && allowed_by_definition(&b, zb, t));
                    t += TimeDelta::minutes(7);
                }
            }
        }
    }
}

#[test]
fn preset_names_round_trip() {
    for p in Preset::ALL {
        assert_eq!(p.name().parse::<Preset>().unwrap(), p);
        assert_eq!(Policy::preset(p.name()).unwrap().name(), p.name());
    }
    assert!(matches!(
        "fr".parse::<Preset>(),
        Err(WindowError::UnknownPreset { .. })
    ));
}

#[test]
fn a_day_that_never_happened_has_no_window() {
    // Samoa skipped 30 December 2011 (UTC-10 → UTC+14 at the end of the 29th): that day's
    // 09:00–17:00 lies wholly in the gap, so Thursday 29 18:00 → Saturday 31 09:00.
    let apia = chrono_tz::Pacific::Apia;
    let p = Policy::builder("office")
        .weekly(WeeklyRanges::every_day(DayRanges::single(
            LocalRange::hm(9, 0, 17, 0).unwrap(),
        )))
        .build()
        .unwrap();
    let at = utc("2011-12-30T04:00:00Z"); // 29 December 18:00 UTC-10
    assert_eq!(
        local(apia, next_allowed(&p, &[apia], at).unwrap()),
        "2011-12-31T09:00:00+14:00"
    );
}

proptest! {
    #[test]
    fn a_range_parses_back_from_its_text(start in 0u16..1440, len in 1u16..1440) {
        let r = LocalRange::from_minutes(start, (start + len).min(1440)).unwrap();
        prop_assert_eq!(r.to_string().parse::<LocalRange>().unwrap(), r);
    }

    #[test]
    fn parsing_any_text_never_panics(text in "\\PC{0,16}") {
        let _ = text.parse::<LocalRange>();
    }
}

#[test]
fn malformed_ranges_are_refused_with_a_reason() {
    for (text, reason) in [
        ("08:00", "expected HH:MM-HH:MM"),
        ("08h00-20h00", "expected HH:MM-HH:MM"),
        ("+8:00-20:00", "hour is not one or two digits"),
        ("08:0-20:00", "minute is not two digits"),
        ("08:00-24:30", "hour or minute out of range"),
        ("08:60-20:00", "hour or minute out of range"),
        ("20:00-20:00", "start is not before end"),
    ] {
        match text.parse::<LocalRange>() {
            Err(WindowError::InvalidRange { text: t, reason: r }) => {
                assert_eq!((t.as_str(), r), (text, reason));
            }
            other => panic!("{text}: {other:?}"),
        }
    }
}
