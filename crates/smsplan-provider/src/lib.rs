//! Provider traits, keyword handling, pacing and gateway adapters for smsplan.
#![warn(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

pub mod delivery;
mod events;
pub mod gateway;
#[cfg(feature = "kannel")]
pub mod kannel;
pub mod keyword;
mod ledger;
pub mod memory;
pub mod number;
pub mod pacing;
pub mod sender;
#[cfg(feature = "testing")]
pub mod testing;
