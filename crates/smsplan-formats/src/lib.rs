//! The versioned serde wire formats of smsplan that other applications read.
#![warn(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

pub mod v1;
