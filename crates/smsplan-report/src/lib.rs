//! The report people look at before they approve a send: one self-contained HTML page
//! built from a `smsplan.plan/v1` document.
//!
//! [`PlanReport::read`] streams a plan (or the JSON array of plans of a recurring
//! campaign) and keeps only aggregates: counts per time zone and policy per minute, per
//! encoding, per character that forced UCS-2, per region and per exclusion reason, and a
//! few masked samples. [`PlanReport::render`] turns them into HTML with inline SVG charts:
//! a summary with the checklist, the send timeline with the allowed windows, fragments,
//! exclusions and cost by region, and, given a [`Delivery`], the progress and outcome of
//! the send.
//!
//! ```
//! use smsplan_report::PlanReport;
//!
//! let plan = std::fs::read(concat!(
//!     env!("CARGO_MANIFEST_DIR"),
//!     "/../smsplan-formats/tests/golden/v1/plan/minimal.json"
//! ))?;
//! let report = PlanReport::read(plan.as_slice())?;
//! assert_eq!(report.totals().recipients, 1);
//! let html = report.render(None)?;
//! assert!(html.starts_with("<!DOCTYPE html>"));
//! assert!(!html.contains("http://") && !html.contains("https://"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! The page loads nothing: styles are inline, charts are inline SVG, there is no script
//! and no font file, so it opens offline and prints (its print styles drop the navigation
//! and keep sections whole). Money is shown exactly as the plan writes it (`91.755 EUR`),
//! counts are the plan's own totals, and phone numbers are masked (`+33 6•• •• •• 78`).
//!
//! What it does not do: read a campaign store (the caller builds the [`Delivery`]), list
//! every row (a million-recipient plan gives a page of a few hundred kilobytes), or
//! recompute the plan (it reports what the plan says).
#![warn(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod chart;
mod delivery;
mod error;
mod html;
mod read;
mod report;
mod tally;

pub use delivery::{Delivery, ProgressPoint};
pub use error::ReportError;
pub use report::PlanReport;
