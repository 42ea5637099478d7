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
#![warn(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

pub use smsplan_core as core;
pub use smsplan_formats as formats;
pub use smsplan_provider as provider;

/// The chrono version smsplan's API uses.
pub use smsplan_core::chrono;
/// The chrono-tz version smsplan's API uses.
pub use smsplan_core::chrono_tz;

pub use smsplan_core::phone::{NumberKind, PhoneError, PhoneNumber, Region};
pub use smsplan_core::text::{Analysis, Encoding, TextError};

#[doc = include_str!("../README.md")]
#[cfg(doctest)]
struct ReadmeDoctests;
