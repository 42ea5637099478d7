//! [`PlanReport`]: a plan's aggregates, and what the page's sections are computed from.

use std::collections::{BTreeMap, HashMap};
use std::io;

use chrono::{DateTime, Duration, DurationRound, TimeZone, Utc};
use chrono_tz::Tz;
use smsplan_core::money::Money;
use smsplan_core::window::{Policy, PolicySet, Preset};
use smsplan_formats::v1::plan as wire;
use smsplan_formats::v1::values::Decimal;

use crate::chart::{LaneBins, Marker, MarkerKind, Span};
use crate::tally::Tally;
use crate::{Delivery, ReportError, html, read};

/// Lanes drawn in the timeline; the others are drawn together as one.
pub(crate) const MAX_LANES: usize = 10;
/// Windows shaded per lane at most.
const MAX_WINDOWS: usize = 400;

/// The aggregates of a `smsplan.plan/v1` document (one plan, or every run of a recurring
/// campaign), from which [`render`](Self::render) writes the HTML report.
///
/// ```
/// use smsplan_report::PlanReport;
/// let plan = std::fs::read(concat!(
///     env!("CARGO_MANIFEST_DIR"),
///     "/../smsplan-formats/tests/golden/v1/plan/recurring-us-run0.json"
/// ))?;
/// let report = PlanReport::read(plan.as_slice())?;
/// assert_eq!(report.plans().len(), 1);
/// assert!(report.plans()[0].recipients.is_empty()); // rows are aggregated, not kept
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct PlanReport {
    runs: Vec<wire::SendPlan>,
    totals: wire::Totals,
    pub(crate) tally: Tally,
}

impl PlanReport {
    /// Reads a plan document, streaming its rows into the aggregates: a plan object, or
    /// the JSON array of plans `smsplan plan` writes for a recurring campaign.
    ///
    /// # Errors
    /// [`ReportError::Json`] for text that is not JSON or rows that do not fit
    /// `smsplan.plan/v1` (naming the plan and the row), [`ReportError::Head`] for the other
    /// fields (naming the field), [`ReportError::Cost`] for amounts that are not money,
    /// [`ReportError::Empty`] for an empty array.
    pub fn read(reader: impl io::Read) -> Result<Self, ReportError> {
        let mut tally = Tally::new();
        let runs = read::read(reader, &mut tally)?;
        Self::new(runs, tally)
    }

    /// The report of plans already in memory (a store's, for instance).
    ///
    /// ```
    /// use smsplan_formats::v1::plan::SendPlan;
    /// use smsplan_report::PlanReport;
    /// let text = std::fs::read_to_string(concat!(
    ///     env!("CARGO_MANIFEST_DIR"),
    ///     "/../smsplan-formats/tests/golden/v1/plan/minimal.json"
    /// ))?;
    /// let plan: SendPlan = serde_json::from_str(&text)?;
    /// let report = PlanReport::from_plans([&plan])?;
    /// assert_eq!(report.totals(), &plan.totals);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    /// # Errors
    /// [`ReportError::Cost`] for amounts that are not money, [`ReportError::Empty`] for no
    /// plan.
    pub fn from_plans<'a>(
        plans: impl IntoIterator<Item = &'a wire::SendPlan>,
    ) -> Result<Self, ReportError> {
        let mut tally = Tally::new();
        let mut runs = Vec::new();
        for plan in plans {
            let name =
                |section: &str, i: usize| format!("plan {}'s {section}[{i}].cost", runs.len() + 1);
            for (i, row) in plan.recipients.iter().enumerate() {
                tally
                    .add_recipient(row)
                    .map_err(|source| ReportError::Cost {
                        at: name("recipients", i),
                        source,
                    })?;
            }
            for row in &plan.excluded {
                tally.add_excluded(row);
            }
            tally.close_plan(plan)?;
            runs.push(wire::SendPlan {
                recipients: Vec::new(),
                excluded: Vec::new(),
                ..plan.clone()
            });
        }
        Self::new(runs, tally)
    }

    fn new(runs: Vec<wire::SendPlan>, tally: Tally) -> Result<Self, ReportError> {
        let totals = match runs.as_slice() {
            [] => return Err(ReportError::Empty),
            [one] => one.totals.clone(),
            many => sum_totals(many, &tally)?,
        };
        Ok(Self {
            runs,
            totals,
            tally,
        })
    }

    /// The plans, without their rows (each run's, for a recurring campaign).
    #[must_use]
    pub fn plans(&self) -> &[wire::SendPlan] {
        &self.runs
    }

    /// The totals the summary shows: the plan's own, or their sum over the runs of a
    /// recurring campaign.
    #[must_use]
    pub fn totals(&self) -> &wire::Totals {
        &self.totals
    }

    /// Writes the report: one self-contained HTML document, with the "Delivery" section
    /// when `delivery` is given.
    ///
    /// # Errors
    /// [`ReportError::Progress`] for a delivery curve that is not percentages in time order,
    /// [`ReportError::Chart`] when a chart cannot be drawn, [`ReportError::Cost`] when
    /// amounts overflow.
    pub fn render(&self, delivery: Option<&Delivery>) -> Result<String, ReportError> {
        if let Some(d) = delivery {
            d.check()?;
        }
        html::page(self, delivery)
    }

    /// The zone most recipients are in: the report's times are shown in it.
    pub(crate) fn zone(&self) -> Tz {
        let mut by_zone: HashMap<&str, u64> = HashMap::new();
        for lane in &self.tally.lanes {
            if let Some(z) = lane.zones.first() {
                *by_zone.entry(z).or_insert(0) += lane.messages;
            }
        }
        by_zone
            .into_iter()
            .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(a.0)))
            .and_then(|(z, _)| z.parse().ok())
            .unwrap_or(Tz::UTC)
    }

    /// Messages per window opening, over every run.
    pub(crate) fn openings(&self) -> BTreeMap<DateTime<Utc>, u64> {
        let mut out = BTreeMap::new();
        for run in &self.runs {
            for (at, n) in &run.totals.by_window {
                if let Ok(t) = DateTime::parse_from_rfc3339(at) {
                    *out.entry(t.with_timezone(&Utc)).or_insert(0) += n;
                }
            }
        }
        out
    }

    /// The earliest deadline of the runs.
    pub(crate) fn deadline(&self) -> Option<DateTime<Utc>> {
        self.runs
            .iter()
            .filter_map(|r| r.deadline.as_ref().map(|d| d.utc()))
            .min()
    }

    fn policies(&self) -> HashMap<String, Policy> {
        let mut by_name = HashMap::new();
        for lane in &self.tally.lanes {
            for name in &lane.policies {
                if let Ok(preset) = name.parse::<Preset>() {
                    by_name.insert(name.clone(), preset.policy());
                }
            }
        }
        for spec in self.runs.iter().flat_map(|r| &r.policies) {
            if let Ok(policy) = Policy::try_from(spec.clone()) {
                by_name.insert(policy.name().to_owned(), policy);
            }
        }
        by_name
    }

    /// The timeline's axis, lanes and markers; `None` without messages.
    pub(crate) fn timeline(&self, zone: Tz) -> Option<Timeline> {
        let first = self.tally.lanes.iter().map(|l| l.first).min()?;
        let last = self.tally.lanes.iter().map(|l| l.last).max()?;
        let scheduled = self.runs.iter().map(|r| r.scheduled_at.utc()).min();
        let last_end = self
            .tally
            .lanes
            .iter()
            .filter_map(|l| l.last_window_end)
            .max();
        let from = scheduled.map_or(first, |s| s.min(first));
        let start = local_midnight(from, zone);
        let mut until = last.max(last_end.unwrap_or(last)) + Duration::hours(1);
        let deadline = self.deadline();
        let deadline_shown = deadline.filter(|d| *d - start <= Duration::days(14));
        if let Some(d) = deadline_shown {
            until = until.max(d + Duration::hours(1));
        }
        let end = local_midnight(until, zone) + Duration::days(1);
        let days = (end - start).num_days();
        let bin = match days {
            ..=8 => Duration::hours(1),
            9..=24 => Duration::hours(3),
            _ => Duration::days(1),
        };
        let span = Span {
            start,
            end,
            bin,
            zone,
        };
        let policies = self.policies();
        let mut lanes: Vec<&crate::tally::Lane> = self.tally.lanes.iter().collect();
        lanes.sort_by(|a, b| b.messages.cmp(&a.messages).then(a.first.cmp(&b.first)));
        let n = span.bins();
        let mut out = Vec::new();
        let mut rows = Vec::new();
        let mut other = vec![0u64; n];
        let mut others = 0u64;
        for (i, lane) in lanes.iter().enumerate() {
            let mut bins = vec![0u64; n];
            for (minute, count) in &lane.per_minute {
                let at = Utc.timestamp_opt(minute * 60, 0).single().unwrap_or(start);
                let b = usize::try_from((at - start).num_seconds() / bin.num_seconds().max(1))
                    .unwrap_or(0);
                if let Some(slot) = bins.get_mut(b) {
                    *slot += count;
                }
            }
            let label = if lane.policies.is_empty() {
                "no window policy".to_owned()
            } else {
                lane.policies.join(" + ")
            };
            let zones = match lane.zones.as_slice() {
                [] => "no zone".to_owned(),
                [one] => one.clone(),
                [one, more @ ..] => format!("{one} +{}", more.len()),
            };
            rows.push(LaneRow {
                label: label.clone(),
                zones: lane.zones.join(", "),
                messages: lane.messages,
                first: lane.first,
                last: lane.last,
                window_end: lane.last_window_end,
                zone: lane
                    .zones
                    .first()
                    .and_then(|z| z.parse().ok())
                    .unwrap_or(zone),
            });
            if i >= MAX_LANES {
                others += lane.messages;
                for (o, b) in other.iter_mut().zip(&bins) {
                    *o += b;
                }
                continue;
            }
            let windows = lane_windows(lane, &policies, span);
            out.push(LaneBins {
                label,
                sublabel: format!("{zones} · {}", html::count(lane.messages)),
                bins,
                shaded: windows.is_some(),
                windows: windows.unwrap_or_default(),
            });
        }
        if others > 0 {
            out.push(LaneBins {
                label: format!("{} other lanes", lanes.len() - MAX_LANES),
                sublabel: format!("{} · not shaded", html::count(others)),
                bins: other,
                windows: Vec::new(),
                shaded: false,
            });
        }
        let openings = self.openings();
        let mut markers: Vec<Marker> = openings
            .iter()
            .filter(|(t, _)| **t >= start && **t <= end)
            .enumerate()
            .map(|(i, (at, n))| Marker {
                at: *at,
                label: if i < 4 {
                    format!(
                        "{} from {}",
                        html::count(*n),
                        at.with_timezone(&zone).format("%a %H:%M")
                    )
                } else {
                    String::new()
                },
                kind: MarkerKind::Opening,
            })
            .collect();
        if let Some(d) = deadline_shown {
            markers.push(Marker {
                at: d,
                label: format!(
                    "deadline {}",
                    d.with_timezone(&zone).format("%a %-d %b %H:%M")
                ),
                kind: MarkerKind::Deadline,
            });
        }
        Some(Timeline {
            span,
            lanes: out,
            rows,
            markers,
            openings,
            first,
            last,
            deadline,
            deadline_shown: deadline_shown.is_some(),
        })
    }

    /// The runs' totals and checklists.
    pub(crate) fn runs(&self) -> &[wire::SendPlan] {
        &self.runs
    }

    /// The total cost as [`Money`] of the tally's amounts.
    pub(crate) fn money(&self, decimal: &Decimal) -> Result<Money, ReportError> {
        self.tally
            .amount(decimal.as_str())
            .map_err(|source| ReportError::Cost {
                at: "the totals".to_owned(),
                source,
            })
    }
}

/// What the timeline section shows.
#[derive(Debug)]
pub(crate) struct Timeline {
    pub(crate) span: Span,
    pub(crate) lanes: Vec<LaneBins>,
    pub(crate) rows: Vec<LaneRow>,
    pub(crate) markers: Vec<Marker>,
    pub(crate) openings: BTreeMap<DateTime<Utc>, u64>,
    pub(crate) first: DateTime<Utc>,
    pub(crate) last: DateTime<Utc>,
    pub(crate) deadline: Option<DateTime<Utc>>,
    pub(crate) deadline_shown: bool,
}

/// One lane in the timeline's table.
#[derive(Debug)]
pub(crate) struct LaneRow {
    pub(crate) label: String,
    pub(crate) zones: String,
    pub(crate) messages: u64,
    pub(crate) first: DateTime<Utc>,
    pub(crate) last: DateTime<Utc>,
    pub(crate) window_end: Option<DateTime<Utc>>,
    pub(crate) zone: Tz,
}

fn local_midnight(t: DateTime<Utc>, zone: Tz) -> DateTime<Utc> {
    let local = t.with_timezone(&zone).date_naive();
    local
        .and_hms_opt(0, 0, 0)
        .and_then(|m| zone.from_local_datetime(&m).earliest())
        .map_or_else(
            || t.duration_trunc(Duration::days(1)).unwrap_or(t),
            |m| m.with_timezone(&Utc),
        )
}

/// The windows a lane's policies allow within the span (all of it without a policy);
/// `None` for a policy or zone the report cannot resolve.
fn lane_windows(
    lane: &crate::tally::Lane,
    policies: &HashMap<String, Policy>,
    span: Span,
) -> Option<Vec<(DateTime<Utc>, DateTime<Utc>)>> {
    if lane.policies.is_empty() {
        // Nothing restricts these messages: the whole span is open.
        return Some(vec![(span.start, span.end)]);
    }
    let set: PolicySet = lane
        .policies
        .iter()
        .map(|name| policies.get(name).cloned())
        .collect::<Option<Vec<_>>>()?
        .into_iter()
        .collect();
    let zones: Vec<Tz> = lane
        .zones
        .iter()
        .map(|z| z.parse().ok())
        .collect::<Option<_>>()?;
    let mut out = Vec::new();
    let mut at = span.start;
    while out.len() < MAX_WINDOWS {
        let Ok(open) = set.next_allowed(&zones, at) else {
            break;
        };
        if open >= span.end {
            break;
        }
        let close = match set.window_end(&zones, open) {
            Ok(Some(close)) => close,
            Ok(None) => span.end,
            Err(_) => break,
        };
        out.push((open, close.min(span.end)));
        if close <= at {
            break;
        }
        at = close;
    }
    Some(out)
}

/// The totals of several runs, added up.
fn sum_totals(runs: &[wire::SendPlan], tally: &Tally) -> Result<wire::Totals, ReportError> {
    let cost_at = |run: &wire::SendPlan| format!("{}: totals.cost", run.campaign);
    let mut sum = tally.amount("0").map_err(|source| ReportError::Cost {
        at: "the totals".to_owned(),
        source,
    })?;
    let (mut recipients, mut excluded, mut segments, mut held) = (0, 0, 0, 0);
    let mut by_reason = BTreeMap::new();
    let mut by_segments = BTreeMap::new();
    let mut by_window = BTreeMap::new();
    for run in runs {
        let t = &run.totals;
        recipients += t.recipients;
        excluded += t.excluded;
        segments += t.segments;
        held += t.held;
        sum = tally
            .amount(t.cost.as_str())
            .and_then(|a| sum.checked_add(a))
            .map_err(|source| ReportError::Cost {
                at: cost_at(run),
                source,
            })?;
        for (map, from) in [
            (&mut by_reason, &t.by_reason),
            (&mut by_segments, &t.by_segments),
            (&mut by_window, &t.by_window),
        ] {
            for (k, v) in from {
                *map.entry(k.clone()).or_insert(0) += v;
            }
        }
    }
    Ok(wire::Totals {
        recipients,
        excluded,
        segments,
        cost: Decimal::from(sum),
        currency: runs
            .first()
            .map(|r| r.totals.currency.clone())
            .unwrap_or_default(),
        by_reason,
        by_segments,
        by_window,
        held,
    })
}
