//! Frequency caps: hand-computed cases and properties of `check_cap`.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "test helpers")]

use chrono::{DateTime, TimeDelta, Utc};
use chrono_tz::America::New_York;
use chrono_tz::Asia::Ho_Chi_Minh;
use proptest::prelude::*;
use smsplan_core::window::{
    CapCheck, CapPeriod, CapScope, FrequencyCap, PastSend, Preset, Topic, check_cap,
};

fn utc(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

fn sends(times: &[&str], topic: Option<&str>) -> Vec<PastSend> {
    times
        .iter()
        .map(|t| PastSend {
            at: utc(t),
            topic: topic.map(Topic::new),
        })
        .collect()
}

#[test]
fn florida_three_per_24_hours_on_the_same_topic() {
    let cap = *Preset::UsFl.policy().cap().unwrap();
    let past = sends(
        &[
            "2026-06-01T13:00:00Z",
            "2026-06-01T15:00:00Z",
            "2026-06-01T20:00:00Z",
        ],
        Some("sale"),
    );
    let sale = Topic::new("sale");
    // A fourth on the same topic within 24 h of the first: refused until the first leaves
    // the rolling window (13:00 next day).
    assert_eq!(
        check_cap(
            &cap,
            &past,
            Some(&sale),
            New_York,
            utc("2026-06-02T12:59:00Z")
        ),
        CapCheck::WouldExceed {
            counted: 3,
            max: 3,
            retry_at: utc("2026-06-02T13:00:00Z")
        }
    );
    // Exactly 24 h after the first, the first no longer counts (period (at-24h, at]).
    assert_eq!(
        check_cap(
            &cap,
            &past,
            Some(&sale),
            New_York,
            utc("2026-06-02T13:00:00Z")
        ),
        CapCheck::Within { counted: 2, max: 3 }
    );
    // Another topic, or no topic, is not counted against "sale".
    assert_eq!(
        check_cap(&cap, &past, None, New_York, utc("2026-06-01T21:00:00Z")),
        CapCheck::Within { counted: 0, max: 3 }
    );
}

#[test]
fn vietnam_three_per_local_day_any_topic() {
    let cap = *Preset::Vn.policy().cap().unwrap();
    // Ho Chi Minh is UTC+7: these are 08:00, 12:00 and 20:00 local on 1 June.
    let mut past = sends(&["2026-06-01T01:00:00Z", "2026-06-01T05:00:00Z"], Some("a"));
    past.extend(sends(&["2026-06-01T13:00:00Z"], Some("b")));
    assert_eq!(
        check_cap(
            &cap,
            &past,
            Some(&Topic::new("c")),
            Ho_Chi_Minh,
            utc("2026-06-01T14:00:00Z")
        ),
        CapCheck::WouldExceed {
            counted: 3,
            max: 3,
            retry_at: utc("2026-06-01T17:00:00Z")
        }
    );
    // Local midnight starts a new day.
    assert_eq!(
        check_cap(&cap, &past, None, Ho_Chi_Minh, utc("2026-06-01T17:00:00Z")),
        CapCheck::Within { counted: 0, max: 3 }
    );
}

#[test]
fn later_sends_in_the_history_are_ignored() {
    let cap = FrequencyCap::new(
        1,
        CapPeriod::Rolling(TimeDelta::hours(1)),
        CapScope::AllTopics,
    )
    .unwrap();
    let past = sends(&["2026-06-01T10:30:00Z"], None);
    assert_eq!(
        check_cap(&cap, &past, None, New_York, utc("2026-06-01T10:00:00Z")),
        CapCheck::Within { counted: 0, max: 1 }
    );
}

proptest! {
    #[test]
    fn sending_at_retry_at_is_within_the_cap(
        max in 1u32..5,
        hours in 1i64..48,
        offsets in prop::collection::vec(0i64..(72 * 60), 0..12),
        at_offset in 0i64..(72 * 60),
    ) {
        let cap = FrequencyCap::new(max, CapPeriod::Rolling(TimeDelta::hours(hours)), CapScope::AllTopics).unwrap();
        let base = utc("2026-06-01T00:00:00Z");
        let past: Vec<PastSend> = offsets.iter().map(|m| PastSend { at: base + TimeDelta::minutes(*m), topic: None }).collect();
        let at = base + TimeDelta::minutes(at_offset);
        match check_cap(&cap, &past, None, New_York, at) {
            CapCheck::Within { counted, .. } => prop_assert!(counted < max),
            CapCheck::WouldExceed { counted, retry_at, .. } => {
                prop_assert!(counted >= max);
                prop_assert!(retry_at > at);
                // At retry_at (history unchanged up to `at`), the cap holds again…
                let before: Vec<PastSend> = past.iter().filter(|s| s.at <= at).cloned().collect();
                let is_within = matches!(check_cap(&cap, &before, None, New_York, retry_at), CapCheck::Within { .. });
                prop_assert!(is_within);
                // …and a minute earlier it does not.
                let one_minute_before = matches!(check_cap(&cap, &before, None, New_York, retry_at - TimeDelta::minutes(1)), CapCheck::WouldExceed { .. });
                prop_assert!(one_minute_before);
            }
            _ => prop_assert!(false, "unknown variant"),
        }
    }
}
