//! A campaign in a few lines: [`Campaign::builder`], and [`Campaign::plan`] on every core.

use std::num::NonZeroUsize;

use chrono::{DateTime, NaiveDateTime, Utc};
use chrono_tz::Tz;

use super::{Campaign, Credits, Message, PlanError, SendPlan, Timing, plan};
use crate::approval::{self, CampaignId};
use crate::audience::{Project, ProjectKey, Selection};
use crate::contact::{Contact, IdError};
use crate::dedup::DedupMode;
use crate::group::{Group, GroupId};
use crate::money::Money;
use crate::phone::Region;
use crate::schedule::Schedule;
use crate::sender::SenderKind;
use crate::template::{Template, TemplateError};
use crate::window::MessageClass;

/// The group a builder puts every contact in when no group is given.
pub const ALL_CONTACTS: &str = "all";

/// Builds a [`Campaign`] with the documented defaults; see [`Campaign::builder`].
#[derive(Debug, Clone)]
#[must_use = "a builder does nothing until `build` is called"]
pub struct CampaignBuilder {
    id: String,
    key: ProjectKey,
    default_region: Region,
    contacts: Vec<Contact>,
    groups: Vec<Group>,
    selected: Option<Vec<GroupId>>,
    dedup: DedupMode,
    template: Option<String>,
    sender: Option<(SenderKind, String)>,
    class: MessageClass,
    schedule: Schedule,
    deadline: Option<DateTime<Utc>>,
    credits: Option<Credits>,
}

/// Why a [`CampaignBuilder`] could not build its campaign.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    /// The campaign id is not a valid id.
    #[error("campaign id {id:?}")]
    Id {
        /// The id given.
        id: String,
        /// Why.
        #[source]
        source: approval::IdError,
    },
    /// [`CampaignBuilder::message`] was not called.
    #[error("no message: call `message` with the template")]
    NoMessage,
    /// The template does not parse.
    #[error("message template")]
    Template(#[source] TemplateError),
    /// [`CampaignBuilder::credits`] was not called.
    #[error("no credits: call `credits` with the balance and the price of one part")]
    NoCredits,
    /// The implicit group of every contact could not be named (never happens).
    #[error("group id")]
    Group(#[source] IdError),
}

impl Campaign {
    /// Starts a campaign named `id` (also its id) over contacts whose national numbers are
    /// read in `default_region`.
    ///
    /// Defaults: contacts identified by e-mail ([`ProjectKey::Email`]) with every region
    /// accepted; without [`CampaignBuilder::group`], every contact in one group
    /// [`ALL_CONTACTS`], and every group selected unless [`CampaignBuilder::select`] says
    /// otherwise; one SMS per number ([`DedupMode::PerNumber`]); a marketing message without
    /// sender (the `sender` check fails until one is set); sent now ([`Schedule::Now`]), the
    /// legal windows of [`super::default_policies`], no deadline; confirmation required. The
    /// message and the credits have no default. Every field of the built [`Campaign`] stays
    /// public for what the builder does not cover.
    ///
    /// ```
    /// use smsplan_core::contact::{Consent, ConsentStatus, Contact, ContactId};
    /// use smsplan_core::money::{Currency, Money};
    /// use smsplan_core::phone::Region;
    /// use smsplan_core::plan::Campaign;
    ///
    /// let ana = Contact::new(ContactId::new("c1")?)
    ///     .with_phone("06 12 34 56 78")
    ///     .with_field("first_name", "Ana")
    ///     .with_consent(Consent::new(ConsentStatus::Subscribed));
    /// let campaign = Campaign::builder("winter-sale", Region::FR)
    ///     .contact(ana)
    ///     .message("Hi {{first_name|there}}, -20% today. STOP 36111")
    ///     .send_at("2026-12-24T20:30:00".parse()?, chrono_tz::Europe::Paris)
    ///     .credits(Money::parse("250", Currency::EUR)?, Money::parse("0.045", Currency::EUR)?)
    ///     .build()?;
    /// // Christmas Eve 20:30 is closed, the 25th a holiday: Saturday 26th, 08:00 in Paris.
    /// let plans = campaign.plan("2026-12-20T09:00:00Z".parse()?)?;
    /// assert_eq!(plans[0].recipients[0].send_at.to_rfc3339(), "2026-12-26T07:00:00+00:00");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn builder(id: impl Into<String>, default_region: Region) -> CampaignBuilder {
        CampaignBuilder {
            id: id.into(),
            key: ProjectKey::Email,
            default_region,
            contacts: Vec::new(),
            groups: Vec::new(),
            selected: None,
            dedup: DedupMode::PerNumber,
            template: None,
            sender: None,
            class: MessageClass::Marketing,
            schedule: Schedule::Now,
            deadline: None,
            credits: None,
        }
    }

    /// Plans at `now` on every available core: [`plan`] with the thread count chosen for
    /// you (the result does not depend on it).
    ///
    /// # Errors
    /// As [`plan`].
    pub fn plan(&self, now: DateTime<Utc>) -> Result<Vec<SendPlan>, PlanError> {
        let threads = std::thread::available_parallelism().unwrap_or(NonZeroUsize::MIN);
        plan(self, now, threads)
    }
}

impl CampaignBuilder {
    /// Contacts are identified by `key` (default [`ProjectKey::Email`]).
    pub fn key(mut self, key: ProjectKey) -> Self {
        self.key = key;
        self
    }

    /// Adds a contact.
    pub fn contact(mut self, contact: Contact) -> Self {
        self.contacts.push(contact);
        self
    }

    /// Adds contacts, in order (the first of contacts sharing a number keeps it).
    pub fn contacts(mut self, contacts: impl IntoIterator<Item = Contact>) -> Self {
        self.contacts.extend(contacts);
        self
    }

    /// Adds a group. With groups, contacts are members of the groups that list them only.
    pub fn group(mut self, group: Group) -> Self {
        self.groups.push(group);
        self
    }

    /// Selects these groups (default: every group).
    pub fn select(mut self, groups: impl IntoIterator<Item = GroupId>) -> Self {
        self.selected = Some(groups.into_iter().collect());
        self
    }

    /// How contacts sharing a number are counted (default [`DedupMode::PerNumber`]).
    pub fn dedup(mut self, dedup: DedupMode) -> Self {
        self.dedup = dedup;
        self
    }

    /// The message template, with `{{field}}` and `{{field|default}}` placeholders.
    pub fn message(mut self, template: impl Into<String>) -> Self {
        self.template = Some(template.into());
        self
    }

    /// The sender identity (checked by the `sender` check).
    pub fn sender(mut self, kind: SenderKind, value: impl Into<String>) -> Self {
        self.sender = Some((kind, value.into()));
        self
    }

    /// Marketing (default) or transactional.
    pub fn class(mut self, class: MessageClass) -> Self {
        self.class = class;
        self
    }

    /// When the campaign is sent (default [`Schedule::Now`]).
    pub fn schedule(mut self, schedule: Schedule) -> Self {
        self.schedule = schedule;
        self
    }

    /// Sends at a local date and time in `zone` ([`Schedule::Later`]); `zone` is also the
    /// campaign's zone for recipients whose zone is unknown.
    pub fn send_at(self, local: NaiveDateTime, zone: Tz) -> Self {
        self.schedule(Schedule::Later { local, zone })
    }

    /// No message goes out at or after `deadline`.
    pub fn deadline(mut self, deadline: DateTime<Utc>) -> Self {
        self.deadline = Some(deadline);
        self
    }

    /// The account's balance and the price of one part (same currency, or the credit check
    /// fails).
    pub fn credits(mut self, balance: Money, price_per_segment: Money) -> Self {
        self.credits = Some(Credits {
            balance,
            price_per_segment,
        });
        self
    }

    /// The campaign.
    ///
    /// # Errors
    /// [`BuildError`] for an invalid id, a missing or unparsable message, or missing
    /// credits.
    pub fn build(self) -> Result<Campaign, BuildError> {
        let id: CampaignId = self.id.parse().map_err(|source| BuildError::Id {
            id: self.id.clone(),
            source,
        })?;
        let template = Template::parse(self.template.as_deref().ok_or(BuildError::NoMessage)?)
            .map_err(BuildError::Template)?;
        let credits = self.credits.ok_or(BuildError::NoCredits)?;
        let mut groups = self.groups;
        if groups.is_empty() {
            let all = GroupId::new(ALL_CONTACTS).map_err(BuildError::Group)?;
            groups.push(Group::new(all, self.contacts.iter().map(|c| c.id.clone())));
        }
        let selected = self
            .selected
            .unwrap_or_else(|| groups.iter().map(|g| g.id.clone()).collect());
        let mut message = Message::new(template);
        message.sender = self.sender;
        message.class = self.class;
        let mut timing = Timing::new(self.schedule);
        timing.deadline = self.deadline;
        Ok(Campaign::new(
            id,
            (
                Project::new(self.key, self.default_region),
                self.contacts,
                groups,
            ),
            Selection::new(selected, self.dedup),
            message,
            timing,
            credits,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contact::{Consent, ConsentStatus, ContactId};
    use crate::money::Currency;

    fn contact(id: &str, phone: &str) -> Contact {
        Contact::new(ContactId::new(id).unwrap())
            .with_phone(phone)
            .with_consent(Consent::new(ConsentStatus::Subscribed))
    }

    fn eur(amount: &str) -> Money {
        Money::parse(amount, Currency::EUR).unwrap()
    }

    #[test]
    fn every_contact_is_selected_without_groups() {
        let campaign = Campaign::builder("sale", Region::FR)
            .contacts([contact("c1", "0612345678"), contact("c2", "0612345679")])
            .message("Hi. STOP 36111")
            .credits(eur("10"), eur("0.05"))
            .build()
            .unwrap();
        assert_eq!(campaign.groups.len(), 1);
        assert_eq!(campaign.groups[0].members.len(), 2);
        let now = "2026-12-21T09:00:00Z".parse().unwrap();
        let plans = campaign.plan(now).unwrap();
        assert_eq!(plans[0].recipients.len(), 2);
    }

    #[test]
    fn given_groups_and_a_selection_are_kept() {
        let vip = Group::new(
            GroupId::new("vip").unwrap(),
            [ContactId::new("c1").unwrap()],
        );
        let staff = Group::new(
            GroupId::new("staff").unwrap(),
            [ContactId::new("c2").unwrap()],
        );
        let campaign = Campaign::builder("sale", Region::FR)
            .contacts([contact("c1", "0612345678"), contact("c2", "0612345679")])
            .group(vip)
            .group(staff)
            .select([GroupId::new("vip").unwrap()])
            .message("Hi. STOP 36111")
            .credits(eur("10"), eur("0.05"))
            .build()
            .unwrap();
        let now = "2026-12-21T09:00:00Z".parse().unwrap();
        let plans = campaign.plan(now).unwrap();
        assert_eq!(plans[0].recipients.len(), 1);
        assert_eq!(plans[0].recipients[0].contact.as_str(), "c1");
    }

    #[test]
    fn missing_parts_are_named() {
        let builder = Campaign::builder("sale", Region::FR);
        assert_eq!(builder.clone().build().unwrap_err(), BuildError::NoMessage);
        let with_message = builder.message("Hi {{oops");
        assert!(matches!(
            with_message.clone().credits(eur("1"), eur("1")).build(),
            Err(BuildError::Template(_))
        ));
        assert_eq!(
            with_message.message("Hi").build().unwrap_err(),
            BuildError::NoCredits
        );
        assert!(matches!(
            Campaign::builder("", Region::FR).build(),
            Err(BuildError::Id { .. })
        ));
    }
}
