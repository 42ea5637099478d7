//! The HTML without a browser: figures, masking, references, recurring plans, the
//! delivery section and located errors.

use serde_json::Value;
use smsplan_formats::v1::plan::SendPlan;
use smsplan_report::{Delivery, PlanReport, ProgressPoint, ReportError};

use crate::support::sample_plan;

fn golden(name: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/../smsplan-formats/tests/golden/v1/plan/{name}.json",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

fn render(bytes: &[u8]) -> String {
    PlanReport::read(bytes).unwrap().render(None).unwrap()
}

#[test]
fn the_summary_shows_the_plans_totals_exactly() {
    let bytes = sample_plan();
    let plan: Value = serde_json::from_slice(&bytes).unwrap();
    let html = render(&bytes);
    let t = &plan["totals"];
    assert_eq!(t["cost"], "91.755");
    assert!(html.contains(r#"<dd data-figure="cost">91.755 EUR</dd>"#));
    assert!(html.contains(r#"<dd data-figure="recipients">1,883</dd>"#));
    assert!(html.contains(r#"<dd data-figure="excluded">452</dd>"#));
    assert!(html.contains(r#"<dd data-figure="segments">2,039</dd>"#));
    assert!(html.contains("estimated cost 91.755 EUR of a balance of 400.00 EUR"));
    assert!(html.contains("WINTERSHOP (alphanumeric, 10 parts/s)"));
}

#[test]
fn the_page_references_nothing_outside_itself() {
    let html = render(&sample_plan());
    for needle in [
        "http:", "https:", "<script", "<link", "<img", "<iframe", "@import", "url(", "src=",
        "//fonts",
    ] {
        assert!(!html.contains(needle), "found {needle:?}");
    }
    assert!(html.contains("@media print"));
    assert!(html.len() < 500_000, "{} bytes", html.len());
}

#[test]
fn every_chart_has_a_title_a_description_and_a_caption() {
    let html = render(&sample_plan());
    let charts = html.matches("<svg").count();
    assert_eq!(charts, 6);
    assert_eq!(html.matches(r#"role="img""#).count(), charts);
    assert_eq!(
        html.matches("<title>").count(),
        charts + 1,
        "the page's title and one per chart"
    );
    assert_eq!(html.matches("<desc id=").count(), charts);
    assert_eq!(html.matches("<figcaption>").count(), charts);
}

#[test]
fn no_recipients_number_appears_unmasked() {
    let bytes = sample_plan();
    let plan: Value = serde_json::from_slice(&bytes).unwrap();
    let html = render(&bytes);
    for row in plan["recipients"].as_array().unwrap() {
        let phone = row["phone"].as_str().unwrap();
        assert!(!html.contains(phone), "{phone} in the report");
        assert!(
            !html.contains(&phone[1..]),
            "{phone} without + in the report"
        );
    }
    // The samples of exclusions are there, with their reasons.
    assert!(html.contains("the contact unsubscribed"));
    assert!(html.contains(", which is kept"));
}

#[test]
fn the_ucs2_section_names_the_characters_and_the_smart_replacement() {
    let html = render(&sample_plan());
    assert!(html.contains("U+00EB"), "ë in Raphaël forces UCS-2");
    assert!(html.contains("<mark>ë</mark>"));
    assert!(html.contains(r#"<ins title="U+00EB replaced">e</ins>"#));
    assert!(html.contains("With the smart replacements the message is GSM-7, 1 segment."));
}

#[test]
fn a_recurring_campaigns_array_reports_every_run() {
    let runs: Vec<SendPlan> = (0..3)
        .map(|i| serde_json::from_str(&golden(&format!("recurring-us-run{i}"))).unwrap())
        .collect();
    let array = serde_json::to_vec(&runs).unwrap();
    let report = PlanReport::read(array.as_slice()).unwrap();
    assert_eq!(report.plans().len(), 3);
    let recipients: u64 = runs.iter().map(|r| r.totals.recipients).sum();
    assert_eq!(report.totals().recipients, recipients);
    let html = report.render(None).unwrap();
    assert!(html.contains("<h3>Runs</h3>"));
    assert!(html.contains("(in 3 of 3 runs)"));
    // Streaming and in-memory reading give the same page.
    let memory = PlanReport::from_plans(&runs).unwrap().render(None).unwrap();
    assert_eq!(html, memory);
}

#[test]
fn the_delivery_section_appears_only_when_given() {
    let bytes = sample_plan();
    let report = PlanReport::read(bytes.as_slice()).unwrap();
    assert!(!report.render(None).unwrap().contains(r#"id="delivery""#));
    let at = "2026-12-24T18:45:00Z".parse().unwrap();
    let delivery = Delivery {
        progress: vec![
            ProgressPoint { at, percent: 0.0 },
            ProgressPoint {
                at: at + chrono::Duration::minutes(4),
                percent: 98.9,
            },
        ],
        states: [("delivered".to_owned(), 1862), ("rejected".to_owned(), 21)].into(),
        failures_by_code: [("err:045".to_owned(), 21)].into(),
        opt_outs: 3,
    };
    let html = report.render(Some(&delivery)).unwrap();
    assert!(html.contains(r#"<section id="delivery""#));
    assert!(html.contains(r#"<dd data-figure="completed">98.9 %</dd>"#));
    assert!(html.contains(r#"<dd data-figure="failures">21</dd>"#));
    assert!(html.contains(r#"<dd data-figure="opt-outs">3</dd>"#));
    assert!(html.contains("err:045 21"));
    for id in ["progress", "delivery-states", "failures"] {
        assert!(html.contains(&format!(r#"id="{id}""#)), "{id}");
    }
    let backwards = Delivery {
        progress: vec![
            ProgressPoint { at, percent: 10.0 },
            ProgressPoint {
                at: at - chrono::Duration::minutes(1),
                percent: 20.0,
            },
        ],
        ..Delivery::default()
    };
    assert!(matches!(
        report.render(Some(&backwards)),
        Err(ReportError::Progress { index: 1, .. })
    ));
}

#[test]
fn bad_documents_are_located() {
    let text = golden("minimal");
    let mut plan: Value = serde_json::from_str(&text).unwrap();
    plan["excluded"][0]["reason"] = 5.into();
    let err = PlanReport::read(plan.to_string().as_bytes()).unwrap_err();
    let ReportError::Json { at, source } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(at, "the plan's excluded[0]");
    assert!(source.to_string().contains("line 1"), "{source}");

    let mut plan: Value = serde_json::from_str(&text).unwrap();
    plan["totals"]["held"] = "many".into();
    let err = PlanReport::read(plan.to_string().as_bytes()).unwrap_err();
    assert!(
        matches!(&err, ReportError::Head { path, .. } if path == "totals.held"),
        "{err:?}"
    );

    let mut plan: Value = serde_json::from_str(&text).unwrap();
    plan["recipients"][0]["cost"] = "0.0000001".into();
    let err = PlanReport::read(plan.to_string().as_bytes()).unwrap_err();
    assert!(
        matches!(&err, ReportError::Cost { at, .. } if at == "the plan's recipients[0].cost"),
        "{err:?}"
    );

    let array = format!("[{text},{{\"format\": 1}}]");
    let err = PlanReport::read(array.as_bytes()).unwrap_err();
    assert!(
        matches!(&err, ReportError::Head { at, .. } if at == "plan 2"),
        "{err:?}"
    );
    assert!(matches!(
        PlanReport::read(&b"[]"[..]),
        Err(ReportError::Empty)
    ));
    assert!(matches!(
        PlanReport::read(&b"{\"a\": "[..]),
        Err(ReportError::Json { .. })
    ));
}

#[test]
fn totals_that_disagree_with_the_rows_are_noticed() {
    let mut plan: Value = serde_json::from_str(&golden("minimal")).unwrap();
    plan["totals"]["recipients"] = 7.into();
    let html = render(plan.to_string().as_bytes());
    assert!(html.contains("totals do not match its rows"));
    assert!(html.contains("the totals say 7 recipients, the rows 1"));
}
