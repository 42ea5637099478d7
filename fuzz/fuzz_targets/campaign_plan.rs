//! Campaign documents: reading arbitrary text never panics; an accepted document
//! reserializes to an equal one; converting and planning never panic, and every plan's
//! totals are the sums of its rows.
#![no_main]

use std::num::NonZeroUsize;

use libfuzzer_sys::fuzz_target;
use smsplan_core::plan::{Campaign, plan};
use smsplan_formats::read::from_json;
use smsplan_formats::v1::campaign::CampaignSpec;

fuzz_target!(|text: &str| {
    let Ok(spec) = from_json::<CampaignSpec>(text) else {
        return;
    };
    let again = serde_json::to_string(&spec).unwrap();
    assert_eq!(from_json::<CampaignSpec>(&again).unwrap(), spec);
    let Ok(campaign) = Campaign::try_from(spec) else {
        return;
    };
    let now = "2026-12-20T09:00:00Z".parse().unwrap();
    let Ok(plans) = plan(&campaign, now, NonZeroUsize::MIN) else {
        return;
    };
    for p in plans {
        assert_eq!(p.totals.recipients, p.recipients.len());
        assert_eq!(p.totals.excluded, p.excluded.len());
        let segments: u64 = p.recipients.iter().map(|r| r.segments as u64).sum();
        assert_eq!(p.totals.segments, segments);
    }
});
