//! The bundled campaign's report in a real browser (headless Chromium over the DevTools
//! protocol), at a desktop and a phone width: no request beyond the file itself, no
//! console error, every chart drawn with its text alternative, and the summary's figures
//! equal to the plan's totals. Without Chromium they print `SKIPPED` (and fail under `CI`).

use serde_json::Value;
use smsplan_report::{Delivery, PlanReport, ProgressPoint};

use crate::support::{Browser, chromium_or_skip, sample_plan, temp_dir};

/// What the tests read from the page.
const PROBE: &str = r#"(() => {
  const fig = {};
  const hidden = [];
  document.querySelectorAll('[data-figure]').forEach(e => {
    fig[e.dataset.figure] = e.textContent.trim();
    const r = e.getBoundingClientRect();
    if (r.width === 0 || r.height === 0 || e.closest('details:not([open])')) hidden.push(e.dataset.figure);
  });
  const svgs = [...document.querySelectorAll('svg')].map(s => {
    const r = s.getBoundingClientRect();
    return {id: s.id, role: s.getAttribute('role'), label: s.getAttribute('aria-label') || '',
            title: (s.querySelector('title') || {}).textContent || '',
            desc: (s.querySelector('desc') || {}).textContent || '',
            shapes: s.querySelectorAll('rect,path,polyline,polygon,circle,line').length,
            texts: s.querySelectorAll('text').length, width: r.width, height: r.height,
            box: (s.closest('.wide') || s).getBoundingClientRect().width};
  });
  const rows = sel => Object.fromEntries([...document.querySelectorAll(sel)].map(t =>
      [Object.values(t.dataset)[0], t.querySelector('td.num').textContent]));
  return {
    fig, hidden, svgs,
    checks: [...document.querySelectorAll('tr[data-check]')].map(t => [t.dataset.check, t.querySelector('td').className]),
    reasons: rows('tr[data-reason]'),
    encodings: rows('tr[data-encoding]'),
    foot: [...document.querySelectorAll('table.regions tfoot td')].map(t => t.textContent),
    sections: [...document.querySelectorAll('main > section')].map(s => s.id),
    refs: [...document.querySelectorAll('[src],[href],[srcset],[poster],[data]')]
        .map(e => e.getAttribute('src') || e.getAttribute('href') || '?').filter(u => !u.startsWith('#')),
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
  };
})()"#;

fn number(text: &Value) -> u64 {
    text.as_str()
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .replace(',', "")
        .parse()
        .unwrap()
}

/// Opens `html` at `width` × `height` and checks what every width must show; returns the
/// probe and writes a screenshot next to the test binaries' scratch files.
fn open(test: &str, html: &str, width: u32, height: u32, mobile: bool) -> Option<Value> {
    let binary = chromium_or_skip(test)?;
    let dir = temp_dir(test);
    let file = dir.join("report.html");
    std::fs::write(&file, html).unwrap();
    let url = format!("file://{}", file.display());
    let mut browser = Browser::start(&binary);
    browser.viewport(width, height, mobile);
    browser.open(&url);
    let page = browser.eval(PROBE);
    let requests = browser.requests();
    assert_eq!(
        requests,
        std::slice::from_ref(&url),
        "the page requested more than itself"
    );
    assert_eq!(
        browser.problems(),
        Vec::<String>::new(),
        "console or log errors"
    );
    assert_eq!(
        page["refs"],
        serde_json::json!([]),
        "references to other resources"
    );
    assert!(
        page["scrollWidth"].as_u64() <= page["innerWidth"].as_u64(),
        "the page is wider than the window at {width} px: {} px",
        page["scrollWidth"]
    );
    for svg in page["svgs"].as_array().unwrap() {
        let id = &svg["id"];
        assert_eq!(svg["role"], "img", "{id}");
        assert!(
            !svg["title"].as_str().unwrap().is_empty(),
            "{id} has no title"
        );
        assert_eq!(svg["label"], svg["title"], "{id}");
        assert!(
            svg["desc"].as_str().unwrap().len() > 20,
            "{id}: {}",
            svg["desc"]
        );
        assert!(svg["shapes"].as_u64().unwrap() > 2, "{id} draws nothing");
        assert!(svg["texts"].as_u64().unwrap() > 0, "{id} has no labels");
        assert!(svg["width"].as_f64().unwrap() > 100.0, "{id}: {svg}");
        assert!(svg["height"].as_f64().unwrap() > 30.0, "{id}: {svg}");
        // Wide charts scroll sideways inside their box; the box fits the window.
        assert!(
            svg["box"].as_f64().unwrap() <= f64::from(width),
            "{id} overflows: {svg}"
        );
    }
    let shot = browser.screenshot();
    assert!(shot.starts_with(b"\x89PNG"), "not a PNG");
    let out = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("{test}.png"));
    std::fs::write(&out, shot).unwrap();
    println!("screenshot: {}", out.display());
    let _ = std::fs::remove_dir_all(dir);
    Some(page)
}

/// The page's figures and tables against the plan's own totals and checklist.
fn assert_figures_are_the_plans(page: &Value, plan: &Value) {
    let t = &plan["totals"];
    let fig = &page["fig"];
    assert_eq!(
        page["hidden"],
        serde_json::json!([]),
        "figures hidden at load"
    );
    for key in ["recipients", "excluded", "segments", "held"] {
        assert_eq!(number(&fig[key]), t[key].as_u64().unwrap(), "{key}");
    }
    let cost = format!(
        "{} {}",
        t["cost"].as_str().unwrap(),
        t["currency"].as_str().unwrap()
    );
    assert_eq!(fig["cost"], cost.as_str());
    assert_eq!(
        fig["cost"], "91.755 EUR",
        "the money is exact, never rounded"
    );
    assert_eq!(fig["state"], plan["state"]);
    assert!(fig["sender"].as_str().unwrap().starts_with("WINTERSHOP"));
    let checks: Vec<(String, String)> = plan["checklist"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["id"].as_str().unwrap().into(),
                c["status"].as_str().unwrap().into(),
            )
        })
        .collect();
    let shown: Vec<(String, String)> = serde_json::from_value(page["checks"].clone()).unwrap();
    assert_eq!(shown, checks);
    for (reason, n) in t["by_reason"].as_object().unwrap() {
        assert_eq!(
            page["reasons"][reason].as_str().unwrap().replace(',', ""),
            n.to_string(),
            "{reason}"
        );
    }
    let rows = plan["recipients"].as_array().unwrap();
    for (name, wire) in [("GSM-7", "gsm7"), ("UCS-2", "ucs2")] {
        let n = rows.iter().filter(|r| r["encoding"] == wire).count();
        assert_eq!(
            page["encodings"][name].as_str().unwrap().replace(',', ""),
            n.to_string()
        );
    }
    let foot = page["foot"].as_array().unwrap();
    assert_eq!(number(&foot[0]), t["recipients"].as_u64().unwrap());
    assert_eq!(number(&foot[1]), t["segments"].as_u64().unwrap());
    assert_eq!(foot[2], cost.as_str());
    let ids: Vec<&str> = page["svgs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [
            "timeline",
            "segments",
            "encoding",
            "characters",
            "exclusions",
            "cost-by-region"
        ]
    );
}

fn sample() -> (Value, String) {
    let bytes = sample_plan();
    let plan: Value = serde_json::from_slice(&bytes).unwrap();
    let html = PlanReport::read(bytes.as_slice())
        .unwrap()
        .render(None)
        .unwrap();
    (plan, html)
}

#[test]
fn browser_desktop_report_of_the_sample_is_offline_and_shows_the_plans_figures() {
    let (plan, html) = sample();
    let Some(page) = open("browser_desktop", &html, 1280, 900, false) else {
        return;
    };
    assert_figures_are_the_plans(&page, &plan);
    assert_eq!(
        page["sections"],
        serde_json::json!(["summary", "timeline", "fragments", "exclusions", "cost"])
    );
}

#[test]
fn browser_phone_report_of_the_sample_fits_the_width_and_shows_the_plans_figures() {
    let (plan, html) = sample();
    let Some(page) = open("browser_phone", &html, 390, 844, true) else {
        return;
    };
    assert_figures_are_the_plans(&page, &plan);
}

#[test]
fn browser_delivery_section_draws_its_charts() {
    let bytes = sample_plan();
    let at = |m: i64| {
        "2026-12-24T18:45:00Z"
            .parse::<chrono::DateTime<chrono::Utc>>()
            .unwrap()
            + chrono::Duration::minutes(m)
    };
    let mut delivery = Delivery::default();
    for (m, percent) in [(0, 0.0), (1, 31.5), (2, 64.0), (3, 97.2), (10, 100.0)] {
        delivery.progress.push(ProgressPoint { at: at(m), percent });
    }
    delivery.states.insert("delivered".into(), 1850);
    delivery.states.insert("undeliverable".into(), 21);
    delivery.states.insert("expired".into(), 12);
    delivery.failures_by_code.insert("0x00000045".into(), 21);
    delivery.failures_by_code.insert("0x00000062".into(), 12);
    delivery.opt_outs = 7;
    let html = PlanReport::read(bytes.as_slice())
        .unwrap()
        .render(Some(&delivery))
        .unwrap();
    let Some(page) = open("browser_delivery", &html, 1280, 900, false) else {
        return;
    };
    assert_eq!(page["fig"]["completed"], "100.0 %");
    assert_eq!(page["fig"]["failures"], "33");
    assert_eq!(page["fig"]["opt-outs"], "7");
    assert_eq!(page["fig"]["reported"], "1,883");
    let ids: Vec<&str> = page["svgs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert!(
        ids.ends_with(&["progress", "delivery-states", "failures"]),
        "{ids:?}"
    );
}
