//! Provider traits, keyword handling, pacing and gateway adapters for smsplan.
#![warn(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

pub mod delivery;
pub mod gateway;
pub mod keyword;
pub mod number;
pub mod pacing;
pub mod sender;
