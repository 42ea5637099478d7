//! Version 1 of the wire formats.

pub mod campaign;
pub mod convert;
pub mod plan;
pub mod values;
