//! smsplan: plan, check and send SMS campaigns correctly.
//!
//! This facade re-exports the parts of the SDK: [`core`] (the pure domain model and
//! algorithms), [`provider`] (gateway traits and adapters) and [`formats`] (the versioned
//! wire formats).
//!
//! ```
//! use smsplan::core::text::{analyze, Encoding, Options};
//!
//! let report = analyze("Your order has shipped. STOP 36111", &Options::default())?;
//! assert_eq!(report.encoding, Encoding::Gsm7);
//! assert_eq!(report.segments, 1);
//! # Ok::<(), smsplan::core::text::TextError>(())
//! ```
//!
//! What smsplan does not do: it reads no clock and performs no I/O outside the provider
//! adapters; callers pass the current instant in.
//!
//! # Features
//!
//! | feature | default | what it adds |
//! |---|---|---|
//! | `provider` | yes | [`provider`]: gateway traits, dispatch, pacing, the in-memory gateway |
//! | `formats` | yes | [`formats`]: the versioned JSON wire formats and the contact file layout |
//! | `kannel` | no | `provider::kannel`, the Kannel HTTP adapter and its callback listener |
//! | `testing` | no | `provider::testing`, the conformance suite every gateway adapter runs |
//! | `schema` | no | `schemars::JsonSchema` on the wire types of [`formats`] |
//!
//! Only counting fragments? Depend on `smsplan-text` alone (also here as [`text`]): it
//! needs two small crates and builds on `no_std`.
#![cfg_attr(docsrs, feature(doc_cfg))]
#![warn(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

pub use smsplan_core as core;
#[cfg(feature = "formats")]
pub use smsplan_formats as formats;
#[cfg(feature = "provider")]
pub use smsplan_provider as provider;
/// The durable campaign workflow and runner (`smsplan-runtime`).
#[cfg(feature = "runtime")]
pub use smsplan_runtime as runtime;
/// Durable campaign state: the `Store` trait and SQLite (`smsplan-store`).
#[cfg(feature = "runtime")]
pub use smsplan_store as store;
pub use smsplan_text as text;

/// The chrono version smsplan's API uses.
pub use smsplan_core::chrono;
/// The chrono-tz version smsplan's API uses.
pub use smsplan_core::chrono_tz;

pub use smsplan_core::phone::{NumberKind, PhoneError, PhoneNumber, Region};
pub use smsplan_core::text::{Analysis, Encoding, TextError};

#[doc = include_str!("../README.md")]
#[cfg(doctest)]
struct ReadmeDoctests;
