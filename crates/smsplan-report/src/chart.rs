//! The charts, drawn with plotters' SVG backend, each with a title and a description for
//! assistive technology. Colours are the Okabe–Ito palette, readable with every common
//! colour-vision deficiency, and never carry meaning alone: bars and markers are labelled.

use std::fmt::Write as _;
use std::io;

use chrono::{DateTime, Duration, TimeZone, Timelike, Utc};
use chrono_tz::Tz;
use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::ReportError;

type Area<'a> = DrawingArea<SVGBackend<'a>, Shift>;
type DrawResult = Result<(), DrawingAreaErrorKind<io::Error>>;

/// Okabe–Ito blue.
pub(crate) const BLUE: RGBColor = RGBColor(0, 114, 178);
/// Okabe–Ito orange.
pub(crate) const ORANGE: RGBColor = RGBColor(230, 159, 0);
/// Okabe–Ito sky blue.
pub(crate) const SKY: RGBColor = RGBColor(86, 180, 233);
/// Okabe–Ito bluish green.
pub(crate) const GREEN: RGBColor = RGBColor(0, 158, 115);
/// Okabe–Ito vermillion.
pub(crate) const VERMILLION: RGBColor = RGBColor(213, 94, 0);
const INK: RGBColor = RGBColor(34, 34, 34);
const MUTED: RGBColor = RGBColor(102, 102, 102);
const RULE: RGBColor = RGBColor(200, 200, 200);

/// Font size as plotters takes it (the SVG gets `size / 1.24` px).
const FONT: f64 = 16.0;
const SMALL: f64 = 14.5;
const BIG: f64 = 18.5;

fn text(size: f64, color: &'static RGBColor, h: HPos, v: VPos) -> TextStyle<'static> {
    TextStyle::from(("sans-serif", size).into_font())
        .color(color)
        .pos(Pos::new(h, v))
}

/// Draws a chart and returns its SVG with `role="img"`, an `aria-label` and `<title>` /
/// `<desc>` elements.
fn draw(
    id: &'static str,
    size: (u32, u32),
    title: &str,
    desc: &str,
    f: impl FnOnce(&Area<'_>) -> DrawResult,
) -> Result<String, ReportError> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
        root.fill(&WHITE)
            .and_then(|()| f(&root))
            .and_then(|()| root.present())
            .map_err(|source| ReportError::Chart { chart: id, source })?;
    }
    Ok(accessible(&svg, id, title, desc))
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let _ = maud::Escaper::new(&mut out).write_str(text);
    out
}

/// Adds the text alternative, and drops the `xmlns` attribute: the HTML parser puts inline
/// `<svg>` in the SVG namespace anyway, and the page then holds no URL at all.
fn accessible(svg: &str, id: &str, title: &str, desc: &str) -> String {
    let svg = svg.replacen(r#" xmlns="http://www.w3.org/2000/svg""#, "", 1);
    let (title, desc) = (escape(title), escape(desc));
    let Some(end) = svg.find('>') else {
        return svg.to_owned();
    };
    let (open, rest) = svg.split_at(end);
    let rest = rest.get(1..).unwrap_or("");
    let width = open
        .split_once("width=\"")
        .and_then(|(_, w)| w.split_once('"'))
        .map_or("100%", |(w, _)| w);
    format!(
        "{open} style=\"max-width:{width}px\" role=\"img\" aria-label=\"{title}\" aria-describedby=\"{id}-desc\" id=\"{id}\">\
         <title>{title}</title><desc id=\"{id}-desc\">{desc}</desc>{rest}"
    )
}

/// One bar of a bar chart.
#[derive(Debug, Clone)]
pub(crate) struct Bar {
    pub(crate) label: String,
    pub(crate) value: f64,
    /// The value as shown beside the bar.
    pub(crate) shown: String,
    pub(crate) color: RGBColor,
}

fn shorten(label: &str, max: usize) -> String {
    if label.chars().count() <= max {
        return label.to_owned();
    }
    let mut out: String = label.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// A horizontal bar chart: a label, a bar and its value per row.
pub(crate) fn bars(
    id: &'static str,
    title: &str,
    desc: &str,
    rows: &[Bar],
) -> Result<String, ReportError> {
    const W: i32 = 560;
    const ROW: i32 = 34;
    const LABEL: i32 = 170;
    const VALUE: i32 = 150;
    let height = ROW * i32::try_from(rows.len()).unwrap_or(0).max(1) + 16;
    let max = rows.iter().map(|r| r.value).fold(0.0_f64, f64::max);
    let size = (W as u32, u32::try_from(height).unwrap_or(46));
    draw(id, size, title, desc, |area| {
        let width = f64::from(W - LABEL - VALUE);
        for (i, row) in rows.iter().enumerate() {
            let top = 8 + ROW * i32::try_from(i).unwrap_or(0);
            let mid = top + ROW / 2;
            area.draw(&Text::new(
                shorten(&row.label, 20),
                (LABEL - 10, mid),
                text(BIG, &INK, HPos::Right, VPos::Center),
            ))?;
            let length = if max > 0.0 {
                (row.value / max * width).round() as i32
            } else {
                0
            };
            let length = if row.value > 0.0 { length.max(2) } else { 0 };
            area.draw(&Rectangle::new(
                [(LABEL, top + 5), (LABEL + length, top + ROW - 5)],
                row.color.filled(),
            ))?;
            area.draw(&Text::new(
                row.shown.clone(),
                (LABEL + length + 8, mid),
                text(BIG, &INK, HPos::Left, VPos::Center),
            ))?;
        }
        area.draw(&PathElement::new(
            [(LABEL, 4), (LABEL, height - 4)],
            RULE.stroke_width(1),
        ))
    })
}

/// One lane of the timeline: the messages of one policy set and zone list.
#[derive(Debug, Clone)]
pub(crate) struct LaneBins {
    pub(crate) label: String,
    pub(crate) sublabel: String,
    /// Messages per bin.
    pub(crate) bins: Vec<u64>,
    /// The allowed windows within the chart, `[start, end)`.
    pub(crate) windows: Vec<(DateTime<Utc>, DateTime<Utc>)>,
    /// Whether the windows are known (a lane without policies has none to shade).
    pub(crate) shaded: bool,
}

/// A vertical marker across the lanes.
#[derive(Debug, Clone)]
pub(crate) struct Marker {
    pub(crate) at: DateTime<Utc>,
    pub(crate) label: String,
    pub(crate) kind: MarkerKind,
}

/// How a marker is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MarkerKind {
    /// A window opening with messages queued for it: a dotted black line.
    Opening,
    /// The deadline: a dashed vermillion line.
    Deadline,
}

/// The time axis of the timeline.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Span {
    pub(crate) start: DateTime<Utc>,
    pub(crate) end: DateTime<Utc>,
    pub(crate) bin: Duration,
    pub(crate) zone: Tz,
}

impl Span {
    pub(crate) fn bins(&self) -> usize {
        let secs = self.bin.num_seconds().max(1);
        usize::try_from(((self.end - self.start).num_seconds() + secs - 1) / secs).unwrap_or(0)
    }
}

/// The send timeline: one lane per policy set and zones, messages per bin as bars over
/// the allowed windows, markers for window openings and the deadline, and a local time
/// axis.
pub(crate) fn timeline(
    title: &str,
    desc: &str,
    span: Span,
    lanes: &[LaneBins],
    markers: &[Marker],
) -> Result<String, ReportError> {
    const W: i32 = 960;
    const LEFT: i32 = 230;
    const RIGHT: i32 = 16;
    const TOP: i32 = 34;
    const LANE: i32 = 62;
    const AXIS: i32 = 52;
    let n = i32::try_from(lanes.len()).unwrap_or(0).max(1);
    let height = TOP + LANE * n + AXIS;
    let plot = f64::from(W - LEFT - RIGHT);
    let total = (span.end - span.start).num_seconds().max(1) as f64;
    let x = move |t: DateTime<Utc>| -> i32 {
        let s = (t - span.start).num_seconds() as f64;
        LEFT + (s.clamp(0.0, total) / total * plot).round() as i32
    };
    let size = (W as u32, u32::try_from(height).unwrap_or(200));
    draw("timeline", size, title, desc, |area| {
        for (i, lane) in lanes.iter().enumerate() {
            let top = TOP + LANE * i32::try_from(i).unwrap_or(0);
            let base = top + LANE - 8;
            if lane.shaded {
                area.draw(&Rectangle::new(
                    [(LEFT, top + 4), (W - RIGHT, base)],
                    RGBColor(236, 236, 236).filled(),
                ))?;
            }
            for (start, end) in &lane.windows {
                area.draw(&Rectangle::new(
                    [(x(*start), top + 4), (x(*end), base)],
                    SKY.mix(0.35).filled(),
                ))?;
            }
            let max = lane.bins.iter().copied().max().unwrap_or(0).max(1) as f64;
            let bin_secs = span.bin.num_seconds();
            for (b, count) in lane.bins.iter().enumerate() {
                if *count == 0 {
                    continue;
                }
                let from = span.start + Duration::seconds(bin_secs * b as i64);
                let (x0, x1) = (x(from), x(from + span.bin));
                let h = ((*count as f64 / max) * f64::from(base - top - 10)).round() as i32;
                area.draw(&Rectangle::new(
                    [(x0, base - h.max(2)), ((x1 - 1).max(x0 + 1), base)],
                    BLUE.filled(),
                ))?;
            }
            area.draw(&PathElement::new(
                [(LEFT, base), (W - RIGHT, base)],
                MUTED.stroke_width(1),
            ))?;
            area.draw(&Text::new(
                shorten(&lane.label, 30),
                (LEFT - 10, top + 20),
                text(FONT, &INK, HPos::Right, VPos::Center),
            ))?;
            area.draw(&Text::new(
                shorten(&lane.sublabel, 34),
                (LEFT - 10, top + 40),
                text(SMALL, &MUTED, HPos::Right, VPos::Center),
            ))?;
        }
        let bottom = TOP + LANE * n;
        // Labels closer than this to the previous one are left out (the line stays).
        let mut labelled: Option<i32> = None;
        for m in markers {
            let mx = x(m.at);
            match m.kind {
                MarkerKind::Deadline => area.draw(&DashedPathElement::new(
                    [(mx, TOP - 4), (mx, bottom)],
                    7,
                    4,
                    VERMILLION.stroke_width(2),
                ))?,
                MarkerKind::Opening => area.draw(&DashedPathElement::new(
                    [(mx, TOP - 4), (mx, bottom)],
                    2,
                    3,
                    INK.stroke_width(1),
                ))?,
            }
            let (h, dx) = if mx > W - 200 {
                (HPos::Right, -4)
            } else {
                (HPos::Left, 4)
            };
            let color: &'static RGBColor = match m.kind {
                MarkerKind::Deadline => &VERMILLION,
                MarkerKind::Opening => &INK,
            };
            let crowded = labelled.is_some_and(|l| (mx - l).abs() < 190);
            if !m.label.is_empty() && (!crowded || m.kind == MarkerKind::Deadline) {
                area.draw(&Text::new(
                    m.label.clone(),
                    (mx + dx, 14),
                    text(SMALL, color, h, VPos::Center),
                ))?;
                labelled = Some(mx);
            }
        }
        axis(area, span, &x, bottom)
    })
}

/// Ticks at local midnights (with the day's name centred under the day) and every few
/// hours, labelled with the hour when the span is short enough for them to fit.
fn axis(area: &Area<'_>, span: Span, x: &impl Fn(DateTime<Utc>) -> i32, y: i32) -> DrawResult {
    let hours = (span.end - span.start).num_hours();
    let (step, hour_labels) = match hours {
        0..=36 => (3, true),
        37..=96 => (6, false),
        97..=400 => (12, false),
        _ => (24, false),
    };
    let day_labels = hours <= 24 * 45;
    let mut t = span.start;
    while t <= span.end {
        let local = t.with_timezone(&span.zone);
        if local.minute() == 0 && local.hour().is_multiple_of(step) {
            let px = x(t);
            let midnight = local.hour() == 0;
            area.draw(&PathElement::new(
                [(px, y), (px, y + if midnight { 12 } else { 5 })],
                (if midnight { INK } else { MUTED }).stroke_width(1),
            ))?;
            if hour_labels {
                area.draw(&Text::new(
                    local.format("%H:%M").to_string(),
                    (px, y + 22),
                    text(SMALL - 1.5, &MUTED, HPos::Center, VPos::Center),
                ))?;
            }
            let noon = t + Duration::hours(12);
            if midnight && day_labels && noon < span.end {
                area.draw(&Text::new(
                    local.format("%a %-d %b").to_string(),
                    (x(noon), y + if hour_labels { 38 } else { 22 }),
                    text(SMALL, &INK, HPos::Center, VPos::Center),
                ))?;
            }
        }
        t += if hours > 24 * 40 {
            Duration::hours(24)
        } else {
            Duration::minutes(30)
        };
    }
    Ok(())
}

/// Percent completed over time.
pub(crate) fn progress(
    title: &str,
    desc: &str,
    points: &[(DateTime<Utc>, f64)],
    zone: Tz,
) -> Result<String, ReportError> {
    const W: i32 = 720;
    const H: i32 = 280;
    const LEFT: i32 = 64;
    const RIGHT: i32 = 24;
    const TOP: i32 = 16;
    const BOTTOM: i32 = 48;
    let (Some(first), Some(last)) = (points.first(), points.last()) else {
        return draw("progress", (W as u32, H as u32), title, desc, |_| Ok(()));
    };
    let (start, end) = (first.0, last.0.max(first.0 + Duration::minutes(1)));
    let total = (end - start).num_seconds().max(1) as f64;
    let x = |t: DateTime<Utc>| {
        LEFT + (((t - start).num_seconds() as f64) / total * f64::from(W - LEFT - RIGHT)).round()
            as i32
    };
    let y = |p: f64| H - BOTTOM - (p / 100.0 * f64::from(H - TOP - BOTTOM)).round() as i32;
    draw("progress", (W as u32, H as u32), title, desc, |area| {
        for p in [0.0, 25.0, 50.0, 75.0, 100.0] {
            area.draw(&PathElement::new(
                [(LEFT, y(p)), (W - RIGHT, y(p))],
                RULE.stroke_width(1),
            ))?;
            area.draw(&Text::new(
                format!("{p:.0} %"),
                (LEFT - 8, y(p)),
                text(SMALL, &MUTED, HPos::Right, VPos::Center),
            ))?;
        }
        area.draw(&PathElement::new(
            points
                .iter()
                .map(|(t, p)| (x(*t), y(*p)))
                .collect::<Vec<_>>(),
            BLUE.stroke_width(3),
        ))?;
        for (t, p) in points {
            area.draw(&Circle::new((x(*t), y(*p)), 3, BLUE.filled()))?;
        }
        let multi_day = (end - start).num_hours() >= 20;
        for i in 0..=4 {
            let t = start + Duration::seconds((total * f64::from(i) / 4.0) as i64);
            let local = zone.from_utc_datetime(&t.naive_utc());
            let label = if multi_day {
                local.format("%-d %b %H:%M").to_string()
            } else {
                local.format("%H:%M").to_string()
            };
            area.draw(&Text::new(
                label,
                (x(t), H - BOTTOM + 20),
                text(SMALL, &MUTED, HPos::Center, VPos::Center),
            ))?;
        }
        area.draw(&Text::new(
            format!("{} time", zone.name()),
            (LEFT, H - 10),
            text(SMALL, &MUTED, HPos::Left, VPos::Center),
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charts_carry_their_title_and_description() {
        let svg = bars(
            "t",
            "Reasons <&>",
            "two reasons",
            &[
                Bar {
                    label: "duplicate".into(),
                    value: 3.0,
                    shown: "3".into(),
                    color: BLUE,
                },
                Bar {
                    label: "a very long reason name that does not fit".into(),
                    value: 0.0,
                    shown: "0".into(),
                    color: ORANGE,
                },
            ],
        )
        .unwrap();
        assert!(svg.starts_with("<svg"), "{svg}");
        assert!(svg.contains(r#"role="img" aria-label="Reasons &lt;&amp;&gt;""#));
        assert!(svg.contains("<title>Reasons &lt;&amp;&gt;</title>"));
        assert!(svg.contains(r#"<desc id="t-desc">two reasons</desc>"#));
        assert!(svg.contains("a very long reason …"));
        assert!(svg.contains("viewBox"));
    }
}
