//! smsplan: plan, check and send SMS campaigns correctly.
//!
//! This facade re-exports the parts of the SDK.
#![warn(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

pub use smsplan_core as core;
pub use smsplan_formats as formats;
pub use smsplan_provider as provider;
