//! The pure domain model and algorithms of smsplan.
//!
//! Everything here is a function of its arguments: no clock, no I/O, no global state.
//! Time is always passed in; the outside world sits behind `smsplan-provider`'s traits.
#![warn(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

pub mod audience;
pub mod contact;
pub mod dedup;
pub mod group;
pub mod holiday;
pub mod money;
pub mod phone;
pub mod schedule;
pub mod text;
pub mod window;

pub use chrono;
pub use chrono_tz;
