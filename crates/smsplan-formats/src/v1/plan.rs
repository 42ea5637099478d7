//! `smsplan.plan/v1`: the send plan written by `smsplan plan`.
//!
//! What will be sent to whom, when and at what cost, what was left out and why, the
//! prepare checklist and the approval state. Every contact of the selected groups is in
//! `recipients` or in `excluded`, exactly once.
//!
//! A plan carries everything sending must honour, so a sender needs no campaign file: the
//! sender and its capacity, the message class, the outside-window mode, the confirmation
//! setting and the deadline; per recipient the instant it goes out at the sender's pace
//! (`send_at`), the end of its window (`window_end`) and the names of the window policies
//! that apply (`policies`: presets, or the definitions in the plan's `policies`).
//!
//! Fields added after the first release of v1 (`sender`, `class`, `outside_window`,
//! `confirmation`, `skipped_runs`, `policies`, the rows' `window_end` and `policies`, the
//! totals' `by_window` and `held`) are optional when read, so earlier plans still parse.

use std::collections::BTreeMap;

#[cfg(feature = "schema")]
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::campaign::{Confirmation, MessageClass, OutsideWindow, Sender};
use super::policy::PolicySpec;
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
    /// The delivery deadline, if any: nothing goes out at or after it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deadline: Option<Instant>,
    /// The sender the checklist approved, with the capacity (`parts_per_second`) the plan
    /// is paced at; absent when the campaign has no valid sender (the plan is a draft).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sender: Option<Sender>,
    /// `marketing` or `transactional`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub class: Option<MessageClass>,
    /// `hold` or `require_reapproval`: what happens when a window closes with messages
    /// left.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outside_window: Option<OutsideWindow>,
    /// `required` or `not_required`: whether a person confirms before sending starts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confirmation: Option<Confirmation>,
    /// For a recurring campaign: the runs before the planning instant that were skipped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skipped_runs: Option<u64>,
    /// The definitions (`smsplan.policy/v1`) of the policies that rows name and that are
    /// not presets (or replace a preset of the same name).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub policies: Vec<PolicySpec>,
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
    /// When the message goes out: allowed by every policy in every zone of the
    /// recipient, at or after the scheduled instant, at the sender's pace; written with
    /// the offset of its first zone.
    pub send_at: Instant,
    /// The end (exclusive) of the allowed window `send_at` falls in, written like
    /// `send_at`; absent when no policy restricts the message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window_end: Option<Instant>,
    /// The window policies that apply to the message (all must allow a send); absent
    /// when none does.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub policies: Vec<String>,
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
    /// Recipients per window opening (RFC 3339, UTC): the instant from which a group of
    /// messages may go (the scheduled instant, or the opening of the window they wait
    /// for); the sender's pace spreads them from there.
    #[serde(default)]
    pub by_window: BTreeMap<String, u64>,
    /// Recipients that go out in a later window than the first one open to them, because
    /// the sender cannot send them all before it closes.
    #[serde(default)]
    pub held: u64,
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
