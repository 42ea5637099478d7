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

pub mod money;
pub mod text;
