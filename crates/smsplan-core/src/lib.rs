//! The pure domain model and algorithms of smsplan.
//!
//! Everything here is a function of its arguments: no clock, no I/O, no global state.
//! Time is always passed in; the outside world sits behind `smsplan-provider`'s traits.
//!
//! ```
//! use chrono::{DateTime, Utc};
//! use smsplan_core::phone::{PhoneNumber, Region};
//! use smsplan_core::text::{analyze, Options};
//! use smsplan_core::window::{next_allowed, Preset};
//!
//! // Who: a number as people type it, kept as E.164, with its time zones.
//! let number = PhoneNumber::parse("06 12 34 56 78", Region::FR)?;
//! assert_eq!(number.as_e164(), "+33612345678");
//!
//! // What: the parts the message is billed for.
//! let report = analyze("Winter sale: -20% today only. STOP 36111", &Options::default())?;
//! assert_eq!(report.segments, 1);
//!
//! // When: Saturday 20:30 in Paris is outside the French commercial window, which opens
//! // again on Monday at 08:00.
//! let at: DateTime<Utc> = "2026-11-28T19:30:00Z".parse()?;
//! let send_at = next_allowed(&Preset::FrCommercial.policy(), number.time_zones(), at)?;
//! assert_eq!(send_at.to_rfc3339(), "2026-11-30T07:00:00+00:00");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! | module | what it holds |
//! |---|---|
//! | [`text`] | fragments: GSM 7-bit and UCS-2 (TS 23.038), concatenation (TS 23.040); the `smsplan-text` crate |
//! | [`money`] | exact decimal amounts for prices and credits |
//! | [`phone`] | [`phone::PhoneNumber`] (libphonenumber metadata) and its time zones |
//! | [`contact`], [`group`], [`dedup`], [`audience`] | who may receive a send, and why others may not |
//! | [`holiday`], [`window`], [`schedule`] | legal send windows, holidays, schedules, deadlines |
//! | [`template`], [`sender`], [`checklist`], [`plan`] | the send plan and its compliance checklist |
//! | [`approval`], [`progress`] | the approval state machine and progress of a send |
//! | [`parallel`] | how many worker threads the parallel phases use |
//! | [`error`] | an error written with its causes |
//!
//! What it does not do: serialization (see `smsplan-formats`), sending (see
//! `smsplan-provider`), or reading the clock.
#![cfg_attr(docsrs, feature(doc_cfg))]
#![warn(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

pub mod approval;
pub mod audience;
pub mod checklist;
pub mod contact;
pub mod dedup;
pub mod error;
#[cfg(test)]
mod every_variant;
pub mod group;
pub mod holiday;
pub mod parallel;
pub mod phone;
pub mod plan;
pub mod progress;
pub mod schedule;
pub mod sender;
pub mod template;
pub mod window;

pub use chrono;
pub use chrono_tz;
/// The fragment encoder ([`smsplan_text`]): alphabets, counting, splitting, PDU parts.
pub use smsplan_text as text;
/// Exact decimal amounts for prices and credits ([`smsplan_text::money`]).
pub use smsplan_text::money;

#[doc = include_str!("../README.md")]
#[cfg(doctest)]
struct ReadmeDoctests;
