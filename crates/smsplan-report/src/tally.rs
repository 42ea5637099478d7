//! The aggregates a report is drawn from, folded in one row at a time.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use smsplan_core::money::{Currency, Money, MoneyError};
use smsplan_core::phone::PhoneParser;
use smsplan_core::text::{self, Encoding, Options};
use smsplan_formats::v1::plan as wire;

use crate::ReportError;
use smsplan_core::phone::mask_in_text;

/// Contacts kept as a sample per exclusion reason.
pub(crate) const SAMPLES_PER_REASON: usize = 3;

/// Messages and parts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Count {
    pub(crate) messages: u64,
    pub(crate) segments: u64,
}

impl Count {
    fn add(&mut self, segments: u64) {
        self.messages += 1;
        self.segments += segments;
    }
}

/// The messages of one time zone list under one set of policies.
#[derive(Debug, Clone)]
pub(crate) struct Lane {
    /// The policy names of the rows (empty: no window).
    pub(crate) policies: Vec<String>,
    /// Their zones.
    pub(crate) zones: Vec<String>,
    pub(crate) messages: u64,
    /// Messages per minute (Unix minutes).
    pub(crate) per_minute: BTreeMap<i64, u64>,
    pub(crate) first: DateTime<Utc>,
    pub(crate) last: DateTime<Utc>,
    /// The latest window end of its rows.
    pub(crate) last_window_end: Option<DateTime<Utc>>,
}

/// A character that forced UCS-2.
#[derive(Debug, Clone)]
pub(crate) struct Forcing {
    /// Messages containing it.
    pub(crate) messages: u64,
    /// Times it occurs.
    pub(crate) occurrences: u64,
    /// The first message containing it, with the offsets (in chars) of every character
    /// that forced UCS-2 there.
    pub(crate) sample: String,
    pub(crate) marks: Vec<usize>,
}

/// One excluded contact, masked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Sample {
    pub(crate) contact: String,
    pub(crate) detail: String,
    pub(crate) kept: Option<String>,
}

/// Messages, parts and cost of one region.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RegionStat {
    pub(crate) count: Count,
    /// In the plans' currency (rows carry amounts only).
    pub(crate) cost: Money,
}

/// Everything the report shows that is not in the plans' heads.
#[derive(Debug)]
pub(crate) struct Tally {
    parser: PhoneParser,
    /// Row amounts carry no currency: they are summed as amounts and shown in the plan's.
    amounts: Currency,
    pub(crate) all: Count,
    pub(crate) gsm7: Count,
    pub(crate) ucs2: Count,
    pub(crate) lanes: Vec<Lane>,
    pub(crate) forcing: BTreeMap<char, Forcing>,
    /// UCS-2 messages that the `smart` replacements would bring to GSM 7-bit, and the
    /// parts it would save.
    pub(crate) smart_fixable: u64,
    pub(crate) smart_saved: u64,
    pub(crate) regions: BTreeMap<String, RegionStat>,
    /// Regions by number prefix (see [`region_prefix`]).
    region_of: HashMap<String, String>,
    pub(crate) cost: Money,
    pub(crate) excluded: u64,
    pub(crate) reasons: BTreeMap<String, (u64, Vec<Sample>)>,
    /// What this plan's rows add up to since the last [`Tally::close_plan`].
    run: (u64, u64, u64),
    /// Totals that disagree with the rows, for a notice.
    pub(crate) mismatches: Vec<String>,
}

impl Tally {
    pub(crate) fn new() -> Self {
        let amounts = Currency::parse("XXX").unwrap_or(Currency::EUR);
        Self {
            parser: PhoneParser::new(),
            amounts,
            all: Count::default(),
            gsm7: Count::default(),
            ucs2: Count::default(),
            lanes: Vec::new(),
            forcing: BTreeMap::new(),
            smart_fixable: 0,
            smart_saved: 0,
            regions: BTreeMap::new(),
            region_of: HashMap::new(),
            cost: Money::zero(amounts),
            excluded: 0,
            reasons: BTreeMap::new(),
            run: (0, 0, 0),
            mismatches: Vec::new(),
        }
    }

    /// An amount as the rows write it, in the tally's placeholder currency.
    pub(crate) fn amount(&self, decimal: &str) -> Result<Money, MoneyError> {
        Money::parse(decimal, self.amounts)
    }

    pub(crate) fn add_recipient(&mut self, row: &wire::Recipient) -> Result<(), MoneyError> {
        let segments = u64::from(row.segments);
        let cost = self.amount(row.cost.as_str())?;
        self.all.add(segments);
        self.cost = self.cost.checked_add(cost)?;
        self.run.0 += 1;
        self.run.2 += segments;
        match row.encoding {
            wire::Encoding::Gsm7 => self.gsm7.add(segments),
            wire::Encoding::Ucs2 => {
                self.ucs2.add(segments);
                self.forcing_characters(&row.text, segments);
            }
        }
        self.lane(row);
        let prefix = region_prefix(&row.phone);
        if !self.region_of.contains_key(prefix) {
            let region = region_name(&self.parser, &row.phone);
            self.region_of.insert(prefix.to_owned(), region);
        }
        let region = self.region_of.get(prefix).map_or("", String::as_str);
        if !self.regions.contains_key(region) {
            let zero = Money::zero(self.amounts);
            self.regions.insert(
                region.to_owned(),
                RegionStat {
                    count: Count::default(),
                    cost: zero,
                },
            );
        }
        let Some(stat) = self.regions.get_mut(region) else {
            return Ok(());
        };
        stat.count.add(segments);
        stat.cost = stat.cost.checked_add(cost)?;
        Ok(())
    }

    fn lane(&mut self, row: &wire::Recipient) {
        let at = row.send_at.utc();
        let minute = at.timestamp().div_euclid(60);
        let end = row.window_end.as_ref().map(|i| i.utc());
        let found = self
            .lanes
            .iter()
            .position(|l| l.policies == row.policies && l.zones == row.time_zones);
        let index = match found {
            Some(i) => i,
            None => {
                self.lanes.push(Lane {
                    policies: row.policies.clone(),
                    zones: row.time_zones.clone(),
                    messages: 0,
                    per_minute: BTreeMap::new(),
                    first: at,
                    last: at,
                    last_window_end: None,
                });
                self.lanes.len() - 1
            }
        };
        let Some(lane) = self.lanes.get_mut(index) else {
            return;
        };
        lane.messages += 1;
        *lane.per_minute.entry(minute).or_insert(0) += 1;
        lane.first = lane.first.min(at);
        lane.last = lane.last.max(at);
        lane.last_window_end = lane.last_window_end.max(end);
    }

    fn forcing_characters(&mut self, message: &str, segments: u64) {
        let Ok(analysis) = text::analyze(message, &Options::default()) else {
            return;
        };
        let mut chars: Vec<char> = analysis.non_gsm.iter().map(|n| n.ch).collect();
        let occurrences = chars.clone();
        chars.sort_unstable();
        chars.dedup();
        for ch in chars {
            let stat = self.forcing.entry(ch).or_insert_with(|| Forcing {
                messages: 0,
                occurrences: 0,
                sample: message.to_owned(),
                marks: analysis.non_gsm.iter().map(|n| n.offset).collect(),
            });
            stat.messages += 1;
            stat.occurrences += occurrences.iter().filter(|c| **c == ch).count() as u64;
        }
        let smart = text::smart_encode(message);
        if smart.replacements.is_empty() {
            return;
        }
        if let Ok(after) = text::analyze(&smart.text, &Options::default())
            && after.encoding == Encoding::Gsm7
        {
            self.smart_fixable += 1;
            self.smart_saved += segments.saturating_sub(after.segments as u64);
        }
    }

    pub(crate) fn add_excluded(&mut self, row: &wire::Excluded) {
        self.excluded += 1;
        self.run.1 += 1;
        if !self.reasons.contains_key(&row.reason) {
            self.reasons.insert(row.reason.clone(), (0, Vec::new()));
        }
        let Some(entry) = self.reasons.get_mut(&row.reason) else {
            return;
        };
        entry.0 += 1;
        if entry.1.len() < SAMPLES_PER_REASON {
            entry.1.push(Sample {
                contact: mask_in_text(&row.contact),
                detail: mask_in_text(&row.detail),
                kept: row.kept.as_deref().map(mask_in_text),
            });
        }
    }

    /// Ends a plan: compares its totals with its rows (a difference is shown as a notice).
    pub(crate) fn close_plan(&mut self, plan: &wire::SendPlan) -> Result<(), ReportError> {
        let (recipients, excluded, segments) = std::mem::take(&mut self.run);
        let t = &plan.totals;
        for (what, rows, total) in [
            ("recipients", recipients, t.recipients),
            ("excluded contacts", excluded, t.excluded),
            ("segments", segments, t.segments),
        ] {
            if rows != total {
                self.mismatches.push(format!(
                    "{}: the totals say {total} {what}, the rows {rows}",
                    plan.campaign
                ));
            }
        }
        self.amount(t.cost.as_str())
            .map(drop)
            .map_err(|source| ReportError::Cost {
                at: format!("{}: totals.cost", plan.campaign),
                source,
            })
    }
}

/// Digits at the end of a number that do not decide its region.
const LINE_DIGITS: usize = 3;

/// The part of an E.164 number its region is looked up by: all but its last three digits.
/// libphonenumber tells apart the regions that share a calling code (US and CA under +1,
/// GB, GG, JE and IM under +44, AU, CC and CX under +61, ...) by the area code or the
/// first digits of the national number (the finest split in its metadata, Cocos and
/// Christmas Islands inside Australia's ranges, is at the sixth of nine digits), so one
/// parse per prefix gives every number's region (texts under eight characters, which are no
/// E.164 number, are looked up whole); parsing each of a million numbers took a
/// quarter of the report's time.
pub(crate) fn region_prefix(e164: &str) -> &str {
    // Too short to be a number: its own key, so it never shares another's region.
    if e164.len() < 8 {
        return e164;
    }
    let keep = e164.len() - LINE_DIGITS;
    e164.get(..keep).unwrap_or(e164)
}

/// The region of a number as libphonenumber reads it.
pub(crate) fn region_name(parser: &PhoneParser, e164: &str) -> String {
    match parser.parse_international(e164) {
        Ok(n) => n
            .region()
            .map_or_else(|| "non-geographic".to_owned(), |r| r.as_str().to_owned()),
        Err(_) => "not a valid number".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_prefix_keeps_what_decides_the_region() {
        let parser = PhoneParser::new();
        // Regions sharing a calling code differ within the prefix.
        for (number, region) in [
            ("+14155550143", "US"),
            ("+14165550143", "CA"),
            ("+447400123456", "GB"),
            ("+447911123456", "GG"),
            ("+447911023456", "GB"),
            ("+447781123456", "GG"),
            ("+447624123456", "IM"),
            ("+447797123456", "JE"),
            ("+33612345678", "FR"),
            ("+79123456789", "RU"),
            ("+77012345678", "KZ"),
        ] {
            assert_eq!(region_name(&parser, number), region, "{number}");
            assert_eq!(region_prefix(number).len(), number.len() - 3);
        }
        assert_eq!(region_name(&parser, "+0"), "not a valid number");
        assert_eq!(region_prefix("+1"), "+1");
    }
}
