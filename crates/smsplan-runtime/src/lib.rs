//! The durable campaign runtime of smsplan: the workflow (create, prepare, test SMS,
//! approve or reject, confirm, cancel, status) over a [`Store`](smsplan_store::Store), and
//! the [`Runner`] that sends an approved plan through any gateway, crash-safely.
//!
//! A whole lifecycle on virtual time, through the in-memory gateway:
//!
//! ```
//! use std::sync::atomic::AtomicBool;
//! use chrono::{DateTime, Utc};
//! use smsplan_core::approval::Actor;
//! use smsplan_provider::memory::{AutoReport, InMemoryGateway};
//! use smsplan_runtime::{Finish, NoEvents, RunOptions, Runner, VirtualClock, Workflow};
//! use smsplan_store::SqliteStore;
//!
//! let store = SqliteStore::open_in_memory()?;
//! let spec = serde_json::from_str(include_str!("../../../testdata/sample/campaign.json"))?;
//! let now: DateTime<Utc> = "2026-12-20T10:00:00+01:00".parse()?;
//! let flow = Workflow::new(&store);
//! let id = flow.create(&spec, None, now)?;
//! let gateway = InMemoryGateway::default().with_auto_reports(AutoReport::Delivered);
//! let ana = Actor::new("ana")?;
//! flow.prepare(&id, &ana, now)?; // plans; the test SMS check asks for a test first
//! flow.test_sms(&id, "+33612345678", None, &gateway, now)?;
//! let prepared = flow.prepare(&id, &ana, now)?;
//! assert_eq!(prepared.state.as_str(), "prepared");
//! flow.approve(&id, &Actor::new("bob")?, now)?;
//! flow.confirm(&id, &Actor::new("bob")?, now)?;
//!
//! let clock = VirtualClock::new(now);
//! let stop = AtomicBool::new(false);
//! let runner = Runner::new(&store, &gateway, &clock, RunOptions::new("doc"), &stop);
//! let summary = runner.run(&id, &mut NoEvents, &mut |_| {})?;
//! assert_eq!(summary.finish, Finish::Completed);
//! assert!(summary.status.is_final());
//! assert_eq!(summary.status.delivered, summary.status.recipients);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Crash safety
//!
//! Before each submit the runner records an intent in the store's ledger (which also
//! checks the number's consent and debits the credits), and the gateway's receipt after
//! it, written with the next intent (an outbox). A
//! runner killed at any instant leaves at most the message in flight *in doubt*; the next
//! run settles it by evidence (a delivery report with our id) or by the campaign's
//! `in_doubt` choice, and never submits a recorded part twice. The lease on the campaign
//! expires within seconds, so a restart is not blocked by a dead runner.
//!
//! # What it does not do
//!
//! It does not plan (core does), talk HTTP (the provider's gateways do) or read a clock
//! of its own ([`Clock`]). The plan sent is the plan approved, or, when the campaign asks
//! for it (`audience.refresh_at_send`), that plan's audience re-resolved when the send
//! starts, with the difference in the audit trail.
#![warn(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

pub mod clock;
mod error;
mod ledgered;
pub mod runner;
pub mod sendable;
pub mod workflow;

pub use clock::{Clock, SystemClock, VirtualClock};
pub use error::RuntimeError;
pub use runner::{
    EventKind, EventSink, Finish, JsonLines, NoEvents, Progress, RunEvent, RunOptions, RunSummary,
    Runner,
};
pub use sendable::sendable;
pub use workflow::{Prepared, Status, TestSent, Workflow};
