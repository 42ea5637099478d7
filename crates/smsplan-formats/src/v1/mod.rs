//! Version 1 of the wire formats.

pub mod campaign;
pub mod plan;
pub mod values;
