//! Provider traits, keyword handling, pacing and gateway adapters for smsplan.
#![warn(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
