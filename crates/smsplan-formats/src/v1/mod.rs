//! Version 1 of the wire formats. A new shape means `v2`; a changed v1 golden file is a break.

pub mod audience;
pub mod campaign;
pub mod contacts;
pub mod convert;
pub mod mirror;
pub mod plan;
pub mod policy;
pub mod values;
