//! `smsplan.plan/v1`: the send plan written by `smsplan plan`.
//!
//! What will be sent to whom, when and at what cost, what was left out and why, the
//! prepare checklist and the approval state. Every contact of the selected groups is in
//! `recipients` or in `excluded`, exactly once.

use std::collections::BTreeMap;

#[cfg(feature = "schema")]
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::values::{Decimal, Instant};

/// The `format` tag of a plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub enum PlanFormat {
    /// Version 1.
    #[serde(rename = "smsplan.plan/v1")]
    V1,
}

/// A send plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct SendPlan {
    /// Always `"smsplan.plan/v1"`.
    pub format: PlanFormat,
    /// The campaign's name.
    pub campaign: String,
    /// For a recurring campaign: which run this plan is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run: Option<Run>,
    /// The `now` the plan was computed at.
    pub generated_at: Instant,
    /// The scheduled instant before windows apply (the first run's for `now` mode: `now`).
    pub scheduled_at: Instant,
    /// The delivery deadline, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deadline: Option<Instant>,
    /// The approval state of the send.
    pub state: State,
    /// Who receives what, when.
    pub recipients: Vec<Recipient>,
    /// Who was left out, and why.
    pub excluded: Vec<Excluded>,
    /// Sums over the rows.
    pub totals: Totals,
    /// The prepare checklist.
    pub checklist: Vec<Check>,
}

/// One run of a recurring campaign.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Run {
    /// 0 for the first run.
    pub index: u32,
    /// The aggregation key for reports: `2026-12-24` (daily), `2026-W52` (weekly),
    /// `2026-12` (monthly).
    pub key: String,
}

/// The approval state, snake_case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case")]
#[allow(
    missing_docs,
    reason = "the names are the states of the approval state machine"
)]
pub enum State {
    Draft,
    Prepared,
    AwaitingApproval,
    Approved,
    Rejected,
    Scheduled,
    Sending,
    Held,
    Completed,
    Expired,
    Cancelled,
}

/// One message to send.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Recipient {
    /// The contact's id.
    pub contact: String,
    /// The number in E.164.
    pub phone: String,
    /// The first allowed instant at or after the scheduled one, in all the recipient's
    /// zones, written with the offset of its first zone.
    pub send_at: Instant,
    /// The recipient's IANA zones (all of them are respected).
    pub time_zones: Vec<String>,
    /// `gsm7` or `ucs2`.
    pub encoding: Encoding,
    /// Parts billed.
    pub segments: u32,
    /// `segments × price_per_segment`, a decimal string.
    pub cost: Decimal,
    /// The rendered message.
    pub text: String,
}

/// The character set of a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Encoding {
    /// GSM 7-bit default alphabet (with national tables when allowed).
    Gsm7,
    /// UCS-2 / UTF-16.
    Ucs2,
}

/// A contact left out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Excluded {
    /// The contact's id.
    pub contact: String,
    /// Why, snake_case (`duplicate`, `missing_field`, `expired`, ...).
    pub reason: String,
    /// Details for a person.
    pub detail: String,
    /// For a `duplicate`: the contact that keeps the number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kept: Option<String>,
}

/// Sums over the rows of the plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Totals {
    /// Rows in `recipients`.
    pub recipients: u64,
    /// Rows in `excluded`.
    pub excluded: u64,
    /// Parts over all recipients.
    pub segments: u64,
    /// Cost over all recipients, a decimal string.
    pub cost: Decimal,
    /// ISO 4217 code of `cost`.
    pub currency: String,
    /// Excluded contacts per reason.
    pub by_reason: BTreeMap<String, u64>,
    /// Recipients per number of parts (`"1"`, `"2"`, ...): the segment histogram.
    pub by_segments: BTreeMap<String, u64>,
}

/// One check of the prepare checklist.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Check {
    /// The check's id (`audience_not_empty`, `sender`, `credit`, ...).
    pub id: String,
    /// Its outcome.
    pub status: CheckStatus,
    /// What it found.
    pub detail: String,
}

/// The outcome of a check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum CheckStatus {
    /// Nothing to say.
    Pass,
    /// Worth a look; does not block.
    Warn,
    /// Blocks preparation.
    Fail,
}
