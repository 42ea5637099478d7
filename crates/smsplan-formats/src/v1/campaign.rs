//! `smsplan.campaign/v1`: a campaign — who, what, when, under which rules — as read by
//! `smsplan plan`.
//!
//! The audience part (`project`, `contacts`, `groups`, `audience`) is the audience format's
//! own types ([`super::audience`]), embedded as they are, with their defaults. Optional fields and their defaults:
//!
//! | field | default |
//! |---|---|
//! | `message.sender` | none: the `sender` check fails |
//! | `message.sender.parts_per_second` | by kind: alphanumeric 10, long code 1, short code 100, toll-free 3 |
//! | `message.class` | `marketing` |
//! | `message.missing_field` | `exclude`: a contact without a field the template needs (and without default) is excluded with reason `missing_field`; `error` fails the plan |
//! | `message.topic` | none (frequency caps "per topic" then count untopical sends) |
//! | `schedule.at` | required for `later`, `optimized` and `recurring`; `now` uses the `--now` instant |
//! | `schedule.time_zone` | required with `at` |
//! | `schedule.deadline` | none: nothing expires |
//! | `schedule.policies` | the built-in defaults per region (see `smsplan_core::plan::default_policies`); keys are ISO 3166-1 regions, ISO 3166-2 subdivisions or `*`, each at most once; a list is never empty: `["none"]` says no window applies |
//! | `schedule.custom_policies` | none: `policies` names presets only |
//! | `schedule.outside_window` | `hold` |
//! | `schedule.subdivision_field` | `subdivision`: the contact field holding an ISO 3166-2 code (`FR-67`, `US-TX`) used to choose policies |
//! | `schedule.preferred_hour_field` | `preferred_hour` (mode `optimized`): the contact field with the preferred local hour 0–23 |
//! | `schedule.recurrence` | required for `recurring` |
//! | `approval.confirmation` | `required`: a person confirms before sending starts |
//! | `test_sms` | none: the `test_sms` check warns |
//! | `history` | empty: no past sends count against frequency caps |

use std::collections::BTreeMap;

#[cfg(feature = "schema")]
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::audience::{Contact, Group, Project, Selection};
use super::policy::PolicySpec;
use super::values::{Decimal, Instant, LocalDateTime, TimeZoneName};

/// The `format` tag of a campaign.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub enum CampaignFormat {
    /// Version 1.
    #[serde(rename = "smsplan.campaign/v1")]
    V1,
}

/// A campaign.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct CampaignSpec {
    /// Always `"smsplan.campaign/v1"`.
    pub format: CampaignFormat,
    /// The campaign's name, also its id (1 to 128 characters).
    pub name: String,
    /// The project: primary key, default and accepted regions.
    pub project: Project,
    /// The project's contacts.
    pub contacts: Vec<Contact>,
    /// The project's groups.
    pub groups: Vec<Group>,
    /// The selected groups, the dedup mode and the suppressions.
    pub audience: Selection,
    /// What is sent.
    pub message: Message,
    /// When.
    pub schedule: Schedule,
    /// The account's credit.
    pub credits: Credits,
    /// Approval settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approval: Option<Approval>,
    /// The test SMS sent before the campaign.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub test_sms: Option<TestSms>,
    /// Past sends, for frequency caps.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub history: Vec<PastSend>,
    /// What a runner does with a part *in doubt* (its intent recorded, its receipt lost
    /// in a crash) when no delivery report proves it was sent: `at_most_once` (default:
    /// reported, never resent) or `at_least_once` (resent: a duplicate is possible).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub in_doubt: Option<InDoubt>,
}

/// The campaign's choice for parts in doubt after a crash.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum InDoubt {
    /// Reported in doubt, never sent again (no recipient gets a message twice).
    #[default]
    AtMostOnce,
    /// Sent again (no recipient is missed; one may get the message twice).
    AtLeastOnce,
}

/// What is sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Message {
    /// The text with `{{field}}` / `{{field|default}}` placeholders.
    pub template: String,
    /// Who it comes from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sender: Option<Sender>,
    /// `marketing` (default) or `transactional`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub class: Option<MessageClass>,
    /// `exclude` (default) or `error`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub missing_field: Option<MissingField>,
    /// The topic, for frequency caps counted per topic.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub topic: Option<String>,
}

/// A sender identity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Sender {
    /// Its kind.
    pub kind: SenderKind,
    /// The name or number.
    pub value: String,
    /// The parts per second the sender delivers (at least 1); the plan places messages
    /// at this pace. Default by kind: alphanumeric 10, long code 1, short code 100,
    /// toll-free 3.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parts_per_second: Option<u32>,
}

/// The kind of a sender.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum SenderKind {
    /// Up to 11 characters, at least one letter.
    Alphanumeric,
    /// 3 to 8 digits.
    ShortCode,
    /// An E.164 number.
    LongCode,
    /// An E.164 toll-free number.
    TollFree,
}

/// The class of a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum MessageClass {
    /// Promotional: windows and opt-out mentions apply.
    Marketing,
    /// Functional: exempt from windows unless a policy says otherwise.
    Transactional,
}

/// What to do with a contact lacking a template field that has no default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum MissingField {
    /// Exclude the contact with reason `missing_field`.
    Exclude,
    /// Fail the plan.
    Error,
}

/// When it is sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Schedule {
    /// `now`, `later`, `optimized` or `recurring`.
    pub mode: Mode,
    /// The local date-time, read in `time_zone` (first run for `recurring`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<LocalDateTime>,
    /// The zone `at` is read in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_zone: Option<TimeZoneName>,
    /// No message goes out at or after this instant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deadline: Option<Instant>,
    /// Region (`FR`), subdivision (`US-TX`) or `*` → the policy names whose intersection
    /// applies to recipients there; `["none"]` for no window. A key given twice is an
    /// error.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "unique_keys"
    )]
    pub policies: Option<BTreeMap<String, Vec<String>>>,
    /// User-defined policies (`smsplan.policy/v1` documents) that `policies` may name; a
    /// custom policy named like a preset replaces it in this campaign.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub custom_policies: Vec<PolicySpec>,
    /// `hold` (default) or `require_reapproval`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outside_window: Option<OutsideWindow>,
    /// The contact field with the recipient's ISO 3166-2 subdivision.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subdivision_field: Option<String>,
    /// The contact field with the preferred local hour (`optimized`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preferred_hour_field: Option<String>,
    /// How a `recurring` campaign repeats.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recurrence: Option<Recurrence>,
}

/// The schedule mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// At the planning instant.
    Now,
    /// At `at` in `time_zone`.
    Later,
    /// On `at`'s day, at each recipient's preferred local hour (clamped into the windows).
    Optimized,
    /// Repeatedly from `at`.
    Recurring,
}

/// What happens when a window closes during sending.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum OutsideWindow {
    /// Resume on its own at the next allowed instant.
    Hold,
    /// Wait for a new approval.
    RequireReapproval,
}

/// How a recurring campaign repeats.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Recurrence {
    /// `daily`, `weekly` or `monthly`.
    pub frequency: Frequency,
    /// The last run is at or before this local date-time.
    pub until: LocalDateTime,
}

/// How often a recurring campaign runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Frequency {
    /// Every day at the same local time.
    Daily,
    /// Every week on the same weekday.
    Weekly,
    /// Every month on the same day (clamped to the month's last day).
    Monthly,
}

/// The account's credit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Credits {
    /// The balance at the scheduled date.
    pub balance: Decimal,
    /// The price of one part.
    pub price_per_segment: Decimal,
    /// ISO 4217 code of both.
    pub currency: String,
}

/// Approval settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Approval {
    /// `required` (default) or `not_required`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confirmation: Option<Confirmation>,
}

/// Whether a person confirms before sending starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Confirmation {
    /// A confirmation is needed.
    Required,
    /// Sending starts without one.
    NotRequired,
}

/// A test SMS sent before the campaign, recorded by the caller.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct TestSms {
    /// The test number.
    pub to: String,
    /// When it was sent.
    pub at: Instant,
}

/// A past send to a contact, for frequency caps.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct PastSend {
    /// The contact's id.
    pub contact: String,
    /// When it was sent.
    pub at: Instant,
    /// Its topic, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub topic: Option<String>,
}

/// Reads a JSON object into a map, refusing a key given twice (serde's own map keeps the
/// last value silently).
fn unique_keys<'de, D, V>(d: D) -> Result<Option<BTreeMap<String, V>>, D::Error>
where
    D: serde::Deserializer<'de>,
    V: Deserialize<'de>,
{
    struct Visitor<V>(std::marker::PhantomData<V>);
    impl<'de, V: Deserialize<'de>> serde::de::Visitor<'de> for Visitor<V> {
        type Value = BTreeMap<String, V>;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("an object")
        }
        fn visit_map<A: serde::de::MapAccess<'de>>(
            self,
            mut map: A,
        ) -> Result<Self::Value, A::Error> {
            let mut out = BTreeMap::new();
            while let Some(key) = map.next_key::<String>()? {
                if out.contains_key(&key) {
                    return Err(serde::de::Error::custom(format_args!(
                        "key {key:?} given twice"
                    )));
                }
                let value = map.next_value()?;
                out.insert(key, value);
            }
            Ok(out)
        }
    }
    d.deserialize_map(Visitor(std::marker::PhantomData))
        .map(Some)
}
