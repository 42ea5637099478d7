//! The versioned serde wire formats of smsplan that other applications read.
//!
//! Every document carries a `"format"` field (`"smsplan.campaign/v1"`,
//! `"smsplan.plan/v1"`, `"smsplan.audience/v1"`, `"smsplan.audience-result/v1"`,
//! `"smsplan.policy/v1"`); unknown fields are refused with their path; instants are
//! RFC 3339 with an offset and money is a decimal string. JSON Schemas generated from these
//! types are committed under `schema/`, and golden files under `tests/golden/v1/` fail the
//! tests when a change alters a v1 shape. Conversions to and from `smsplan-core` types live
//! in [`v1::convert`] and next to each type.
//!
//! ```
//! use smsplan_formats::read::from_json;
//! use smsplan_formats::v1::policy::PolicySpec;
//!
//! let json = r#"{"format": "smsplan.policy/v1", "name": "weekdays",
//!               "days": {"monday": ["09:00-18:00"], "tuesday": ["09:00-18:00"]}}"#;
//! let spec: PolicySpec = from_json(json)?;
//! let policy = smsplan_core::window::Policy::try_from(spec)?;
//! assert_eq!(policy.name(), "weekdays");
//!
//! // Errors say where: the field path of a wrong value.
//! let err = from_json::<PolicySpec>(r#"{"format": "smsplan.policy/v1", "name": "x", "dayz": {}}"#).unwrap_err();
//! assert!(err.to_string().contains("dayz"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![cfg_attr(docsrs, feature(doc_cfg))]
#![warn(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

pub mod read;
pub mod v1;
