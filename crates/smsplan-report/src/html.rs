//! The page, written with maud: escaped by construction, one function per section.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use maud::{DOCTYPE, Markup, PreEscaped, html};
use smsplan_core::money::Money;
use smsplan_core::text::{self, Encoding, Options};
use smsplan_formats::v1::campaign::{Confirmation, MessageClass, OutsideWindow, SenderKind};
use smsplan_formats::v1::plan::{self as wire, CheckStatus};

use crate::chart::{self, Bar};
use crate::report::{PlanReport, Timeline};
use crate::tally::Forcing;
use crate::{Delivery, ReportError};

const CSS: &str = include_str!("report.css");

/// Characters that forced UCS-2, shown with a chart and a table.
const TOP_CHARACTERS: usize = 12;
/// Characters shown with a highlighted sample.
const SAMPLES: usize = 3;
/// Regions and error codes shown in charts; tables show them all.
const TOP_BARS: usize = 12;

/// `1,883`.
pub(crate) fn count(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn percent(part: u64, whole: u64) -> String {
    if whole == 0 {
        return "0 %".to_owned();
    }
    format!("{:.1} %", part as f64 * 100.0 / whole as f64)
}

fn when(t: DateTime<Utc>, zone: Tz) -> String {
    t.with_timezone(&zone)
        .format("%a %-d %b %Y, %H:%M %Z")
        .to_string()
}

fn when_short(t: DateTime<Utc>, zone: Tz) -> String {
    t.with_timezone(&zone).format("%-d %b %H:%M:%S").to_string()
}

fn utc(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M:%S UTC").to_string()
}

fn status(s: CheckStatus) -> (&'static str, &'static str, &'static str) {
    match s {
        CheckStatus::Pass => ("pass", "✓", "pass"),
        CheckStatus::Warn => ("warn", "!", "warn"),
        CheckStatus::Fail => ("fail", "✗", "fail"),
    }
}

fn state_name(state: wire::State) -> &'static str {
    use wire::State as S;
    match state {
        S::Draft => "draft",
        S::Prepared => "prepared",
        S::AwaitingApproval => "awaiting approval",
        S::Approved => "approved",
        S::Rejected => "rejected",
        S::Scheduled => "scheduled",
        S::Sending => "sending",
        S::Held => "held",
        S::Completed => "completed",
        S::Expired => "expired",
        S::Cancelled => "cancelled",
    }
}

/// A chart with its visible caption (the summary sentence) and, in a disclosure, the
/// data as a table.
fn figure(svg: &str, caption: &str, table: Markup) -> Markup {
    figure_with(svg, caption, table, false)
}

/// A chart too detailed to shrink to a phone's width: it scrolls sideways there.
fn figure_wide(svg: &str, caption: &str, table: Markup) -> Markup {
    figure_with(svg, caption, table, true)
}

fn figure_with(svg: &str, caption: &str, table: Markup, wide: bool) -> Markup {
    html! {
        figure.chart {
            @if wide {
                div.wide tabindex="0" role="group" aria-label="Chart, scrolls sideways on small screens" { (PreEscaped(svg)) }
            } @else {
                (PreEscaped(svg))
            }
            figcaption { (caption) }
            details {
                summary { "The data as a table" }
                (table)
            }
        }
    }
}

/// The whole page.
pub(crate) fn page(
    report: &PlanReport,
    delivery: Option<&Delivery>,
) -> Result<String, ReportError> {
    let zone = report.zone();
    let runs = report.runs();
    let campaign = runs.first().map_or("", |r| r.campaign.as_str());
    let timeline = report.timeline(zone);
    let generated = runs
        .first()
        .map(|r| when(r.generated_at.utc(), zone))
        .unwrap_or_default();
    let sections = [
        ("summary", "Summary"),
        ("timeline", "Send timeline"),
        ("fragments", "Fragments"),
        ("exclusions", "Exclusions"),
        ("cost", "Cost by region"),
    ];
    let markup = html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="generator" content="smsplan report";
                title { "Send plan report: " (campaign) }
                style { (PreEscaped(CSS)) }
            }
            body {
                header.top {
                    p.kicker { "Send plan report" }
                    h1 { (campaign) }
                    p.meta {
                        "Planned " (generated)
                        " · times in " (zone.name())
                        " · phone numbers masked"
                    }
                }
                nav aria-label="Sections" {
                    ul {
                        @for (id, name) in sections {
                            li { a href=(format!("#{id}")) { (name) } }
                        }
                        @if delivery.is_some() {
                            li { a href="#delivery" { "Delivery" } }
                        }
                    }
                }
                main {
                    (summary(report, zone)?)
                    (timeline_section(report, timeline.as_ref(), zone)?)
                    (fragments(report)?)
                    (exclusions(report)?)
                    (cost(report)?)
                    @if let Some(d) = delivery {
                        (delivery_section(report, d, zone)?)
                    }
                }
                footer {
                    p {
                        "Written by " code { "smsplan report" }
                        @if delivery.is_some() { " from the plan and the campaign store: " } @else { " from the plan alone: " }
                        "no row is listed, "
                        "figures are the plan's own totals, and every phone number is masked. "
                        "This page loads nothing from the network."
                    }
                }
            }
        }
    };
    Ok(markup.into_string())
}

fn figure_item(label: &str, key: &str, value: &str, note: Option<&str>) -> Markup {
    html! {
        div.figure {
            dt { (label) }
            dd data-figure=(key) { (value) }
            @if let Some(n) = note { dd.note { (n) } }
        }
    }
}

fn sender_text(plan: &wire::SendPlan) -> String {
    let Some(s) = &plan.sender else {
        return "none (the plan is a draft)".to_owned();
    };
    let kind = match s.kind {
        SenderKind::Alphanumeric => "alphanumeric",
        SenderKind::ShortCode => "short code",
        SenderKind::LongCode => "long code",
        SenderKind::TollFree => "toll-free",
    };
    let value = if matches!(s.kind, SenderKind::Alphanumeric) {
        s.value.clone()
    } else {
        smsplan_core::phone::mask(&s.value)
    };
    match s.parts_per_second {
        Some(pps) => format!("{value} ({kind}, {pps} parts/s)"),
        None => format!("{value} ({kind})"),
    }
}

fn summary(report: &PlanReport, zone: Tz) -> Result<Markup, ReportError> {
    let runs = report.runs();
    let t = report.totals();
    let Some(first) = runs.first() else {
        return Err(ReportError::Empty);
    };
    let credit = checklist_rows(runs).into_iter().find(|c| c.id == "credit");
    let schedule = if runs.len() > 1 {
        format!(
            "{} runs, first {}",
            runs.len(),
            when(first.scheduled_at.utc(), zone)
        )
    } else {
        when(first.scheduled_at.utc(), zone)
    };
    let deadline = report.deadline().map(|d| when(d, zone));
    let class = match first.class {
        Some(MessageClass::Transactional) => "transactional",
        Some(MessageClass::Marketing) => "marketing",
        None => "not stated",
    };
    let outside = match first.outside_window {
        Some(OutsideWindow::Hold) => "held until the window reopens",
        Some(OutsideWindow::RequireReapproval) => "needs a new approval",
        None => "not stated",
    };
    let confirmation = match first.confirmation {
        Some(Confirmation::Required) => "a person confirms before sending",
        Some(Confirmation::NotRequired) => "no confirmation before sending",
        None => "not stated",
    };
    let state = first.state;
    let mismatches = &report.tally.mismatches;
    let cost_shown = format!("{} {}", t.cost.as_str(), t.currency);
    Ok(html! {
        section #summary aria-labelledby="summary-h" {
            h2 #summary-h { "Summary" }
            p.state {
                "State: "
                span.badge data-figure="state" data-state=(format!("{state:?}").to_lowercase()) { (state_name(state)) }
                @if runs.len() > 1 { " (first run)" }
            }
            @for m in mismatches {
                p.notice role="note" { "The plan's totals do not match its rows — " (m) }
            }
            dl.figures {
                (figure_item("Recipients", "recipients", &count(t.recipients), None))
                (figure_item("Excluded", "excluded", &count(t.excluded), Some(&format!("{} of the selected contacts", percent(t.excluded, t.recipients + t.excluded)))))
                (figure_item("Segments", "segments", &count(t.segments), Some(&format!("{} per message", if t.recipients > 0 { format!("{:.2}", t.segments as f64 / t.recipients as f64) } else { "–".to_owned() }))))
                (figure_item("Cost", "cost", &cost_shown, credit.as_ref().map(|c| c.detail.as_str())))
            }
            dl.facts {
                dt { "Schedule" } dd data-figure="scheduled" { (schedule) }
                dt { "Deadline" } dd { (deadline.unwrap_or_else(|| "none".to_owned())) }
                dt { "Sender" } dd data-figure="sender" { (sender_text(first)) }
                dt { "Message" } dd { (class) }
                dt { "When a window closes" } dd { (outside) }
                dt { "Confirmation" } dd { (confirmation) }
                dt { "Held to a later window" } dd data-figure="held" { (count(t.held)) " messages" }
            }
            h3 { "Checklist" }
            table.checklist {
                thead { tr { th scope="col" { "Check" } th scope="col" { "Result" } th scope="col" { "What it found" } } }
                tbody {
                    @for c in checklist_rows(runs) {
                        @let (class, mark, word) = status(c.status);
                        tr data-check=(c.id) {
                            th scope="row" title=(c.id) { (c.id.replace('_', " ")) }
                            td class=(class) { span.mark aria-hidden="true" { (mark) } " " (word) }
                            td { (mask_e164(&c.detail)) }
                        }
                    }
                }
            }
            @if runs.len() > 1 {
                h3 { "Runs" }
                div.scroll {
                    table {
                        thead { tr {
                            th scope="col" { "Run" } th scope="col" { "Scheduled" } th scope="col" { "State" }
                            th.num scope="col" { "Recipients" } th.num scope="col" { "Excluded" }
                            th.num scope="col" { "Segments" } th.num scope="col" { "Cost" }
                        } }
                        tbody {
                            @for r in runs {
                                tr {
                                    th scope="row" { (r.run.as_ref().map_or_else(String::new, |x| x.key.clone())) }
                                    td { (when(r.scheduled_at.utc(), zone)) }
                                    td { (state_name(r.state)) }
                                    td.num { (count(r.totals.recipients)) }
                                    td.num { (count(r.totals.excluded)) }
                                    td.num { (count(r.totals.segments)) }
                                    td.num { (r.totals.cost.as_str()) " " (r.totals.currency) }
                                }
                            }
                        }
                    }
                }
            }
        }
    })
}

/// Masks the E.164 numbers (`+` and 7 to 17 digits) in a check's detail, which core writes
/// from validated data (`test SMS sent to +33612345678`). Unlike
/// [`smsplan_core::phone::mask_in_text`], meant for text that quotes input, it leaves
/// counts next to a short code alone (`STOP 36111 (1121 recipients in France)`).
fn mask_e164(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for (i, word) in text.split(' ').enumerate() {
        if i > 0 {
            out.push(' ');
        }
        let number = word.trim_end_matches(|c: char| !c.is_ascii_digit());
        let digits = number.strip_prefix('+').unwrap_or("");
        if (7..=17).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit()) {
            out.push_str(&smsplan_core::phone::mask(number));
            out.push_str(word.get(number.len()..).unwrap_or(""));
        } else {
            out.push_str(word);
        }
    }
    out
}

/// One line of the checklist; for several runs, each check's worst outcome.
struct CheckRow {
    id: String,
    status: CheckStatus,
    detail: String,
}

fn rank(s: CheckStatus) -> u8 {
    match s {
        CheckStatus::Pass => 0,
        CheckStatus::Warn => 1,
        CheckStatus::Fail => 2,
    }
}

fn checklist_rows(runs: &[wire::SendPlan]) -> Vec<CheckRow> {
    let mut rows: Vec<(CheckRow, usize)> = Vec::new();
    for run in runs {
        for c in &run.checklist {
            match rows.iter_mut().find(|(r, _)| r.id == c.id) {
                Some((row, worst)) => {
                    if rank(c.status) > rank(row.status) {
                        row.status = c.status;
                        row.detail.clone_from(&c.detail);
                        *worst = 1;
                    } else if rank(c.status) == rank(row.status) {
                        *worst += 1;
                    }
                }
                None => rows.push((
                    CheckRow {
                        id: c.id.clone(),
                        status: c.status,
                        detail: c.detail.clone(),
                    },
                    1,
                )),
            }
        }
    }
    let n = runs.len();
    rows.into_iter()
        .map(|(mut row, worst)| {
            if n > 1 {
                row.detail = format!("{} (in {worst} of {n} runs)", row.detail);
            }
            row
        })
        .collect()
}

fn timeline_section(
    report: &PlanReport,
    timeline: Option<&Timeline>,
    zone: Tz,
) -> Result<Markup, ReportError> {
    let Some(tl) = timeline else {
        return Ok(html! {
            section #timeline aria-labelledby="timeline-h" {
                h2 #timeline-h { "Send timeline" }
                p { "No message is planned." }
            }
        });
    };
    let t = report.totals();
    let bin = match tl.span.bin.num_hours() {
        1 => "hour".to_owned(),
        24 => "day".to_owned(),
        h => format!("{h} hours"),
    };
    let openings: Vec<String> = tl
        .openings
        .iter()
        .take(4)
        .map(|(at, n)| format!("{} from {}", count(*n), when(*at, zone)))
        .collect();
    let mut sentence = format!(
        "Messages per {bin}, {} to {}, one lane per window policy and time zone; shaded: \
         the times each lane's policies allow. {} messages go out between {} and {}",
        when(tl.span.start, zone),
        when(tl.span.end, zone),
        count(t.recipients),
        when(tl.first, zone),
        when(tl.last, zone),
    );
    if !openings.is_empty() {
        sentence.push_str(&format!(" ({}", openings.join("; ")));
        if tl.openings.len() > 4 {
            sentence.push_str(&format!("; {} more window openings", tl.openings.len() - 4));
        }
        sentence.push(')');
    }
    sentence.push_str(&format!(
        "; {} held to a later window than the first open to them",
        count(t.held)
    ));
    match (tl.deadline, tl.deadline_shown) {
        (Some(d), true) => sentence.push_str(&format!("; deadline {}", when(d, zone))),
        (Some(d), false) => sentence.push_str(&format!(
            "; deadline {} (after the chart's end)",
            when(d, zone)
        )),
        (None, _) => sentence.push_str("; no deadline"),
    }
    sentence.push('.');
    let svg = chart::timeline("Send timeline", &sentence, tl.span, &tl.lanes, &tl.markers)?;
    let table = html! {
        div.scroll {
            table {
                thead { tr {
                    th scope="col" { "Window opening" } th.num scope="col" { "Messages" }
                } }
                tbody {
                    @for (at, n) in &tl.openings {
                        tr { td { (when(*at, zone)) } td.num { (count(*n)) } }
                    }
                }
            }
        }
    };
    Ok(html! {
        section #timeline aria-labelledby="timeline-h" {
            h2 #timeline-h { "Send timeline" }
            p.lead {
                "When messages go out at the sender's pace, in each time zone and under each window policy. "
                "The plan paces every message at the sender's capacity; a message that does not fit before its "
                "window closes moves to the next window."
            }
            (figure_wide(&svg, &sentence, table))
            p.keys aria-hidden="true" {
                span.key.k-bar { "messages" }
                span.key.k-open { "allowed window" }
                span.key.k-closed { "closed" }
                span.key.k-start { "window opening" }
                span.key.k-deadline { "deadline" }
            }
            h3 { "Lanes" }
            div.scroll {
                table.lanes {
                    thead { tr {
                        th scope="col" { "Policies" } th scope="col" { "Time zones" } th.num scope="col" { "Messages" }
                        th scope="col" { "First send (local)" } th scope="col" { "Last send (local)" } th scope="col" { "Window closes (local)" }
                    } }
                    tbody {
                        @for row in &tl.rows {
                            tr {
                                th scope="row" { (row.label) }
                                td { (row.zones) }
                                td.num { (count(row.messages)) }
                                td title=(utc(row.first)) { (when_short(row.first, row.zone)) }
                                td title=(utc(row.last)) { (when_short(row.last, row.zone)) }
                                td { (row.window_end.map_or_else(|| "no window".to_owned(), |e| when_short(e, row.zone))) }
                            }
                        }
                    }
                }
            }
        }
    })
}

fn highlight(message: &str, marks: &[usize]) -> Markup {
    html! {
        @for (i, ch) in message.chars().enumerate() {
            @if marks.contains(&i) { mark { (ch) } } @else { (ch) }
        }
    }
}

fn smart_view(message: &str) -> (Markup, String) {
    let smart = text::smart_encode(message);
    let verdict = match text::analyze(&smart.text, &Options::default()) {
        Ok(a) if a.encoding == Encoding::Gsm7 => format!(
            "With the smart replacements the message is GSM-7, {} segment{}.",
            a.segments,
            if a.segments == 1 { "" } else { "s" }
        ),
        Ok(a) => format!(
            "Still UCS-2 after the smart replacements ({} segment{}): {} has no GSM look-alike.",
            a.segments,
            if a.segments == 1 { "" } else { "s" },
            a.non_gsm
                .iter()
                .map(|n| format!("{} ({})", n.ch, codepoint(n.ch)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Err(_) => String::new(),
    };
    let markup = html! {
        @for (i, ch) in message.chars().enumerate() {
            @match smart.replacements.iter().find(|r| r.offset == i) {
                Some(r) => ins title=(format!("{} replaced", codepoint(r.original))) { (r.replacement) },
                None => (ch),
            }
        }
    };
    (markup, verdict)
}

fn codepoint(ch: char) -> String {
    format!("U+{:04X}", u32::from(ch))
}

fn replacement(ch: char) -> String {
    let smart = text::smart_encode(&ch.to_string());
    match smart.replacements.first() {
        Some(r) if r.replacement.is_empty() => "removed (invisible)".to_owned(),
        Some(r) => format!("“{}”", r.replacement),
        None => "none: stays UCS-2".to_owned(),
    }
}

fn fragments(report: &PlanReport) -> Result<Markup, ReportError> {
    let t = report.totals();
    let tally = &report.tally;
    let mut segments: Vec<(u64, u64)> = t
        .by_segments
        .iter()
        .filter_map(|(k, v)| k.parse().ok().map(|k| (k, *v)))
        .collect();
    segments.sort_unstable();
    let seg_bars: Vec<Bar> = segments
        .iter()
        .map(|(k, v)| Bar {
            label: format!("{k} segment{}", if *k == 1 { "" } else { "s" }),
            value: *v as f64,
            shown: format!("{} ({})", count(*v), percent(*v, t.recipients)),
            color: chart::BLUE,
        })
        .collect();
    let seg_sentence = format!(
        "Messages by number of segments: {}.",
        segments
            .iter()
            .map(|(k, v)| format!("{} with {k}", count(*v)))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let seg_svg = chart::bars("segments", "Segments per message", &seg_sentence, &seg_bars)?;
    let enc = [
        ("GSM-7", tally.gsm7, chart::BLUE),
        ("UCS-2", tally.ucs2, chart::ORANGE),
    ];
    let enc_bars: Vec<Bar> = enc
        .iter()
        .map(|(name, c, color)| Bar {
            label: (*name).to_owned(),
            value: c.messages as f64,
            shown: format!(
                "{} ({})",
                count(c.messages),
                percent(c.messages, tally.all.messages)
            ),
            color: *color,
        })
        .collect();
    let enc_sentence = format!(
        "{} messages in GSM-7 ({} segments), {} in UCS-2 ({} segments). UCS-2 holds 70 \
         characters per segment instead of 160. The smart replacements would bring {} UCS-2 \
         messages to GSM-7 and save {} segments.",
        count(tally.gsm7.messages),
        count(tally.gsm7.segments),
        count(tally.ucs2.messages),
        count(tally.ucs2.segments),
        count(tally.smart_fixable),
        count(tally.smart_saved),
    );
    let enc_svg = chart::bars(
        "encoding",
        "GSM-7 and UCS-2 messages",
        &enc_sentence,
        &enc_bars,
    )?;
    let mut chars: Vec<(&char, &Forcing)> = tally.forcing.iter().collect();
    chars.sort_by(|a, b| b.1.messages.cmp(&a.1.messages).then(a.0.cmp(b.0)));
    let char_bars: Vec<Bar> = chars
        .iter()
        .take(TOP_CHARACTERS)
        .map(|(ch, f)| Bar {
            label: format!("{ch}  {}", codepoint(**ch)),
            value: f.messages as f64,
            shown: format!("{} messages", count(f.messages)),
            color: chart::VERMILLION,
        })
        .collect();
    let char_sentence = if chars.is_empty() {
        "No character forced UCS-2.".to_owned()
    } else {
        format!(
            "Characters that forced UCS-2, by messages containing them: {}.",
            chars
                .iter()
                .take(TOP_CHARACTERS)
                .map(|(ch, f)| format!("{ch} ({}) in {}", codepoint(**ch), count(f.messages)))
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    let char_svg = if chars.is_empty() {
        None
    } else {
        Some(chart::bars(
            "characters",
            "Characters that forced UCS-2",
            &char_sentence,
            &char_bars,
        )?)
    };
    Ok(html! {
        section #fragments aria-labelledby="fragments-h" {
            h2 #fragments-h { "Fragments" }
            p.lead { "Every segment is billed. A single character outside the GSM 7-bit alphabet turns the whole message into UCS-2." }
            div.pair {
                (figure(&seg_svg, &seg_sentence, html! {
                    table { thead { tr { th scope="col" { "Segments" } th.num scope="col" { "Messages" } } }
                        tbody { @for (k, v) in &segments { tr { td { (k) } td.num { (count(*v)) } } } } }
                }))
                (figure(&enc_svg, &enc_sentence, html! {
                    table { thead { tr { th scope="col" { "Encoding" } th.num scope="col" { "Messages" } th.num scope="col" { "Segments" } } }
                        tbody { @for (name, c, _) in &enc { tr data-encoding=(name) { td { (name) } td.num { (count(c.messages)) } td.num { (count(c.segments)) } } } } }
                }))
            }
            @if let Some(svg) = &char_svg {
                h3 { "What forced UCS-2" }
                (figure(svg, &char_sentence, html! {
                    table {
                        thead { tr { th scope="col" { "Character" } th scope="col" { "Code point" } th.num scope="col" { "Messages" } th.num scope="col" { "Times" } th scope="col" { "Smart replacement" } } }
                        tbody { @for (ch, f) in &chars {
                            tr { td.char { (ch) } td { (codepoint(**ch)) } td.num { (count(f.messages)) } td.num { (count(f.occurrences)) } td { (replacement(**ch)) } }
                        } }
                    }
                }))
                h3 { "Samples" }
                @for (ch, f) in chars.iter().take(SAMPLES) {
                    @let (smart, verdict) = smart_view(&f.sample);
                    div.sample {
                        p.sample-head { "A message with " span.char { (ch) } " (" (codepoint(**ch)) "), highlighted where UCS-2 was forced:" }
                        p.message { (highlight(&f.sample, &f.marks)) }
                        p.sample-head { "With " code { "smart" } " replacements (underlined):" }
                        p.message { (smart) }
                        p.verdict { (verdict) }
                    }
                }
            } @else {
                p { "No message needs UCS-2." }
            }
        }
    })
}

fn exclusions(report: &PlanReport) -> Result<Markup, ReportError> {
    let t = report.totals();
    let mut reasons: Vec<(&String, &u64)> = t.by_reason.iter().collect();
    reasons.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    let bars: Vec<Bar> = reasons
        .iter()
        .map(|(reason, n)| Bar {
            label: reason.replace('_', " "),
            value: **n as f64,
            shown: count(**n),
            color: chart::VERMILLION,
        })
        .collect();
    let sentence = if reasons.is_empty() {
        "No contact was excluded.".to_owned()
    } else {
        format!(
            "{} contacts excluded: {}.",
            count(t.excluded),
            reasons
                .iter()
                .map(|(r, n)| format!("{} {}", count(**n), r.replace('_', " ")))
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    let svg = if reasons.is_empty() {
        None
    } else {
        Some(chart::bars(
            "exclusions",
            "Exclusions by reason",
            &sentence,
            &bars,
        )?)
    };
    let samples = &report.tally.reasons;
    Ok(html! {
        section #exclusions aria-labelledby="exclusions-h" {
            h2 #exclusions-h { "Exclusions" }
            p.lead { "Every selected contact is a recipient or an exclusion with one reason." }
            @if let Some(svg) = &svg {
                (figure(svg, &sentence, html! {
                    table { thead { tr { th scope="col" { "Reason" } th.num scope="col" { "Contacts" } } }
                        tbody { @for (r, n) in &reasons { tr data-reason=(r) { td { (r) } td.num { (count(**n)) } } } } }
                }))
                h3 { "Samples" }
                div.scroll {
                    table.samples {
                        thead { tr { th scope="col" { "Reason" } th scope="col" { "Contact" } th scope="col" { "Detail" } } }
                        tbody {
                            @for (reason, _) in &reasons {
                                @if let Some((_, rows)) = samples.get(*reason) {
                                    @for (i, s) in rows.iter().enumerate() {
                                        tr {
                                            @if i == 0 { th scope="rowgroup" rowspan=(rows.len()) { (reason) } }
                                            td { code { (s.contact) } }
                                            td {
                                                @match &s.kept {
                                                    Some(k) if *k == s.detail => { "same number as " code { (k) } ", which is kept" }
                                                    Some(k) => { (s.detail) " (kept: " code { (k) } ")" }
                                                    None => { (s.detail) }
                                                }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            } @else {
                p { (sentence) }
            }
        }
    })
}

fn cost(report: &PlanReport) -> Result<Markup, ReportError> {
    let t = report.totals();
    let total = report.money(&t.cost)?;
    let mut regions: Vec<(&String, &crate::tally::RegionStat)> =
        report.tally.regions.iter().collect();
    regions.sort_by(|a, b| b.1.cost.micros().cmp(&a.1.cost.micros()).then(a.0.cmp(b.0)));
    let share = |m: Money| {
        if total.micros() == 0 {
            "0 %".to_owned()
        } else {
            format!("{:.1} %", m.micros() as f64 * 100.0 / total.micros() as f64)
        }
    };
    let bars: Vec<Bar> = regions
        .iter()
        .take(TOP_BARS)
        .map(|(r, s)| Bar {
            label: (*r).clone(),
            value: s.cost.micros() as f64,
            shown: format!("{} {}", s.cost, t.currency),
            color: chart::GREEN,
        })
        .collect();
    let sentence = format!(
        "Cost {} {} over {} regions: {}.",
        t.cost.as_str(),
        t.currency,
        regions.len(),
        regions
            .iter()
            .take(TOP_BARS)
            .map(|(r, s)| format!("{r} {} {} ({})", s.cost, t.currency, share(s.cost)))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let svg = chart::bars("cost-by-region", "Cost by region", &sentence, &bars)?;
    Ok(html! {
        section #cost aria-labelledby="cost-h" {
            h2 #cost-h { "Cost by region" }
            p.lead { "The region of each recipient's number (libphonenumber metadata), with the exact cost of its messages." }
            (figure(&svg, &sentence, html! { p { "The table below lists every region." } }))
            div.scroll {
                table.regions {
                    thead { tr {
                        th scope="col" { "Region" } th.num scope="col" { "Messages" } th.num scope="col" { "Segments" }
                        th.num scope="col" { "Cost" } th.num scope="col" { "Share" }
                    } }
                    tbody {
                        @for (r, s) in &regions {
                            tr data-region=(r) {
                                th scope="row" { (r) }
                                td.num { (count(s.count.messages)) }
                                td.num { (count(s.count.segments)) }
                                td.num { (s.cost) " " (t.currency) }
                                td.num { (share(s.cost)) }
                            }
                        }
                    }
                    tfoot {
                        tr {
                            th scope="row" { "All" }
                            td.num { (count(t.recipients)) }
                            td.num { (count(t.segments)) }
                            td.num { (t.cost.as_str()) " " (t.currency) }
                            td.num { "100 %" }
                        }
                    }
                }
            }
        }
    })
}

fn delivery_section(report: &PlanReport, d: &Delivery, zone: Tz) -> Result<Markup, ReportError> {
    let points: Vec<(DateTime<Utc>, f64)> = d.progress.iter().map(|p| (p.at, p.percent)).collect();
    let latest = points.last().map(|(_, p)| *p).unwrap_or(0.0);
    let progress_sentence = match (points.first(), points.last()) {
        (Some(a), Some(b)) => format!(
            "Completed: {:.1} % at {}, {:.1} % at {} ({} points).",
            a.1,
            when(a.0, zone),
            b.1,
            when(b.0, zone),
            points.len()
        ),
        _ => "No progress recorded yet.".to_owned(),
    };
    let progress_svg = chart::progress(
        "Percent completed over time",
        &progress_sentence,
        &points,
        zone,
    )?;
    let total_states: u64 = d.states.values().sum();
    let state_bars = labelled_bars(&d.states, total_states, chart::BLUE);
    let states_sentence = format!("Messages by delivery state: {}.", listing(&d.states));
    let states_svg = chart::bars(
        "delivery-states",
        "Delivery states",
        &states_sentence,
        &state_bars,
    )?;
    let failures = d.failures();
    let failure_bars = labelled_bars(&d.failures_by_code, failures, chart::VERMILLION);
    let failures_sentence = if failures == 0 {
        "No failure reported.".to_owned()
    } else {
        format!(
            "{} failures by operator error code: {}.",
            count(failures),
            listing(&d.failures_by_code)
        )
    };
    let failures_svg = chart::bars(
        "failures",
        "Failures by operator error code",
        &failures_sentence,
        &failure_bars,
    )?;
    let recipients = report.totals().recipients;
    Ok(html! {
        section #delivery aria-labelledby="delivery-h" {
            h2 #delivery-h { "Delivery" }
            dl.figures {
                (figure_item("Completed", "completed", &format!("{latest:.1} %"), None))
                (figure_item("Delivery reports", "reported", &count(total_states), Some(&format!("of {} messages", count(recipients)))))
                (figure_item("Failures", "failures", &count(failures), None))
                (figure_item("Opt-outs received", "opt-outs", &count(d.opt_outs), Some(&percent(d.opt_outs, recipients))))
            }
            (figure(&progress_svg, &progress_sentence, html! {
                table { thead { tr { th scope="col" { "When" } th.num scope="col" { "Completed" } } }
                    tbody { @for (at, p) in &points { tr { td { (when(*at, zone)) } td.num { (format!("{p:.1} %")) } } } } }
            }))
            div.pair {
                (figure(&states_svg, &states_sentence, map_table("State", &d.states)))
                (figure(&failures_svg, &failures_sentence, map_table("Error code", &d.failures_by_code)))
            }
        }
    })
}

fn labelled_bars(
    map: &BTreeMap<String, u64>,
    total: u64,
    color: plotters::style::RGBColor,
) -> Vec<Bar> {
    let mut rows: Vec<(&String, &u64)> = map.iter().collect();
    rows.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    rows.into_iter()
        .take(TOP_BARS)
        .map(|(k, v)| Bar {
            label: k.clone(),
            value: *v as f64,
            shown: format!("{} ({})", count(*v), percent(*v, total)),
            color,
        })
        .collect()
}

fn listing(map: &BTreeMap<String, u64>) -> String {
    map.iter()
        .map(|(k, v)| format!("{k} {}", count(*v)))
        .collect::<Vec<_>>()
        .join(", ")
}

fn map_table(head: &str, map: &BTreeMap<String, u64>) -> Markup {
    html! {
        table { thead { tr { th scope="col" { (head) } th.num scope="col" { "Messages" } } }
            tbody { @for (k, v) in map { tr { td { (k) } td.num { (count(*v)) } } } } }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_details_mask_numbers_and_keep_counts() {
        assert_eq!(
            mask_e164("test SMS sent to +33612345678, ok"),
            "test SMS sent to +33 6•• •• •• 78, ok"
        );
        let kept = "opt-out mention STOP 36111 (1121 recipients in France)";
        assert_eq!(mask_e164(kept), kept);
        assert_eq!(mask_e164("+1 and +12"), "+1 and +12");
    }

    #[test]
    fn counts_have_thousands_separators() {
        assert_eq!(count(0), "0");
        assert_eq!(count(999), "999");
        assert_eq!(count(1883), "1,883");
        assert_eq!(count(1_000_000), "1,000,000");
    }
}
