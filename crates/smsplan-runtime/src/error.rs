//! The runtime's typed errors.

use chrono::{DateTime, Utc};
use smsplan_core::approval::{CampaignId, StateKind};
use smsplan_core::plan::PlanError;
use smsplan_formats::v1::convert::ConvertError;
use smsplan_provider::dispatch::DispatchError;
use smsplan_provider::gateway::ProviderError;
use smsplan_store::{CreditError, StoreError};

/// Why a workflow step or a run failed. Numbers are masked in every message.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RuntimeError {
    /// The store refused or failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The stored campaign is not a valid campaign (it was stored by another version).
    #[error("campaign {campaign}: the stored spec")]
    Campaign {
        /// The campaign.
        campaign: CampaignId,
        /// Where and what.
        #[source]
        source: ConvertError,
    },
    /// Planning failed.
    #[error("campaign {campaign}: planning")]
    Plan {
        /// The campaign.
        campaign: CampaignId,
        /// Why.
        #[source]
        source: PlanError,
    },
    /// Planning gave no plan (a recurring campaign whose runs are all over).
    #[error("campaign {campaign}: nothing left to plan (every run is over)")]
    NothingToPlan {
        /// The campaign.
        campaign: CampaignId,
    },
    /// A stored plan cannot be sent as it is (a field of `smsplan.plan/v1` is refused).
    #[error("campaign {campaign}: stored plan, field {field}: {problem}")]
    StoredPlan {
        /// The campaign, as the plan names it.
        campaign: String,
        /// The field path (`recipients[3].phone`).
        field: String,
        /// What is wrong.
        problem: String,
    },
    /// The step is not possible in the session's state.
    #[error("campaign {campaign}: cannot {step} in state {state}")]
    WrongState {
        /// The campaign.
        campaign: CampaignId,
        /// What was asked (`prepare`, `run`…).
        step: &'static str,
        /// The session's state.
        state: StateKind,
    },
    /// The campaign was never prepared.
    #[error("campaign {campaign}: not prepared yet (run prepare first)")]
    NotPrepared {
        /// The campaign.
        campaign: CampaignId,
    },
    /// The send needs a confirmation that was not given.
    #[error("campaign {campaign}: the send is scheduled but not confirmed (run confirm first)")]
    NotConfirmed {
        /// The campaign.
        campaign: CampaignId,
    },
    /// The contact asked for a test SMS is not a recipient of the plan.
    #[error("campaign {campaign}: contact {contact} is not a recipient of the plan")]
    NoSuchRecipient {
        /// The campaign.
        campaign: CampaignId,
        /// The contact asked for.
        contact: String,
    },
    /// The plan has no recipient to render a test SMS from.
    #[error("campaign {campaign}: the plan has no recipient to render a test message from")]
    NoRecipient {
        /// The campaign.
        campaign: CampaignId,
    },
    /// A test number that is not a valid phone number.
    #[error("test number {number}: {problem}")]
    TestNumber {
        /// The number, masked.
        number: String,
        /// Why it is refused.
        problem: String,
    },
    /// The gateway refused a test SMS or a reply.
    #[error("gateway")]
    Gateway(#[from] ProviderError),
    /// The dispatcher refused the plan as a whole.
    #[error("dispatch")]
    Dispatch(#[from] DispatchError),
    /// The credit balance no longer covers the next message: sending stopped (Mailify's
    /// rule). Top up and run again.
    #[error(
        "campaign {campaign}: sending stopped at {at}: the credit balance does not cover the next message"
    )]
    NoCredit {
        /// The campaign.
        campaign: CampaignId,
        /// When.
        at: DateTime<Utc>,
        /// Balance and need.
        #[source]
        source: CreditError,
    },
    /// Another runner holds the campaign and did not let go in time.
    #[error("campaign {campaign}: another runner ({owner}) holds it until {until}")]
    Busy {
        /// The campaign.
        campaign: CampaignId,
        /// The other runner.
        owner: String,
        /// Its lease's end.
        until: DateTime<Utc>,
    },
    /// Writing the events file failed.
    #[error("events")]
    Events(#[source] std::io::Error),
}
