//! The errors of a store. Numbers are masked wherever they appear ([`Msisdn`]'s
//! `Display`), and stored documents that fail to decode report where, never what they
//! held.

use std::fmt;

use chrono::{DateTime, Utc};
use smsplan_core::approval::{CampaignId, SessionError, StateKind};
use smsplan_core::money::Money;
use smsplan_provider::gateway::MessageId;

/// Why a store operation failed. Nothing was changed when an operation returns one.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The database (file, connection, SQL) failed; `operation` says what was being done.
    #[error("store: {operation} failed")]
    Backend {
        /// What the store was doing (`open`, `record ledger batch`, …).
        operation: &'static str,
        /// The database's error.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// The database was written by a newer smsplan: its schema is unknown here.
    #[error("store: schema version {found} is newer than the {supported} this build knows")]
    SchemaTooNew {
        /// The version found in the database.
        found: u32,
        /// The newest version this build migrates to.
        supported: u32,
    },
    /// A campaign with this id exists already.
    #[error("campaign {campaign} exists already")]
    CampaignExists {
        /// The campaign.
        campaign: CampaignId,
    },
    /// No campaign with this id.
    #[error("campaign {campaign} not found")]
    CampaignNotFound {
        /// The campaign.
        campaign: CampaignId,
    },
    /// A session cannot be opened or moved: core's [`SessionError`] (the campaign has a
    /// pending session already, has no session, or the state machine refuses the move).
    #[error(transparent)]
    Session(#[from] SessionError),
    /// Someone else changed the session since it was read: read it again and retry.
    #[error(
        "campaign {campaign}: the session has {found} events, expected {expected} (changed meanwhile)"
    )]
    Conflict {
        /// The campaign.
        campaign: CampaignId,
        /// The number of events the caller read.
        expected: usize,
        /// The number of events stored now.
        found: usize,
    },
    /// The campaign has no stored plan.
    #[error("campaign {campaign} has no plan")]
    NoPlan {
        /// The campaign.
        campaign: CampaignId,
    },
    /// The campaign's session is not approved (or past approval).
    #[error("campaign {campaign} is not approved (state {state})")]
    NotApproved {
        /// The campaign.
        campaign: CampaignId,
        /// Its session's state.
        state: StateKind,
    },
    /// The plan changed since it was approved: prepare and approve it again.
    #[error("campaign {campaign}: plan {current} is not the approved plan {approved}")]
    ApprovalStale {
        /// The campaign.
        campaign: CampaignId,
        /// The digest of the plan the approver saw.
        approved: PlanDigest,
        /// The digest of the plan stored now.
        current: PlanDigest,
    },
    /// Another runner holds the campaign's lease.
    #[error("campaign {campaign} is claimed by {owner} until {until}")]
    Claimed {
        /// The campaign.
        campaign: CampaignId,
        /// Who holds it.
        owner: String,
        /// When the lease ends unless renewed.
        until: DateTime<Utc>,
    },
    /// The caller's lease expired or was taken over: stop writing, claim again.
    #[error("campaign {campaign}: the lease of {owner} is no longer valid")]
    LeaseLost {
        /// The campaign.
        campaign: CampaignId,
        /// The lease's owner.
        owner: String,
    },
    /// A receipt or resolution for a part whose submit was never intended.
    #[error("message {message} part {part}: no intent recorded")]
    NoIntent {
        /// The message.
        message: MessageId,
        /// The part (1-based).
        part: u16,
    },
    /// A second receipt for a part already recorded as submitted.
    #[error("message {message} part {part}: already recorded as submitted")]
    AlreadySubmitted {
        /// The message.
        message: MessageId,
        /// The part (1-based).
        part: u16,
    },
    /// A resolution for a part that is not in doubt.
    #[error("message {message} part {part}: not in doubt")]
    NotInDoubt {
        /// The message.
        message: MessageId,
        /// The part (1-based).
        part: u16,
    },
    /// The credits ledger refused a debit.
    #[error(transparent)]
    Credit(#[from] CreditError),
    /// A value cannot be written in the store's representation (a new variant of a core
    /// enum, an amount out of range).
    #[error("{what} cannot be stored")]
    Unrepresentable {
        /// What.
        what: String,
    },
    /// A stored document (campaign, plan, checklist) does not decode, or a row holds a
    /// value this build does not know.
    #[error("stored {what} is unreadable")]
    Corrupt {
        /// What, and where.
        what: String,
        /// Why, without the stored text (it may hold numbers).
        #[source]
        source: Option<DocumentError>,
    },
}

impl StoreError {
    /// A [`StoreError::Corrupt`] about `what`, for a backend or a caller that finds
    /// stored data it cannot read.
    ///
    /// ```
    /// let e = smsplan_store::StoreError::corrupt("ledger part");
    /// assert!(e.to_string().contains("ledger part"));
    /// ```
    #[must_use]
    pub fn corrupt(what: impl Into<String>) -> Self {
        Self::Corrupt {
            what: what.into(),
            source: None,
        }
    }
}

/// Why the credits ledger refused a debit.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CreditError {
    /// The balance does not cover the debit: nothing was debited (nor intended).
    #[error("credit balance {balance} does not cover {needed}")]
    Insufficient {
        /// The balance before the debit.
        balance: Money,
        /// The amount asked for.
        needed: Money,
    },
    /// A top-up or price that is negative.
    #[error("credit amount {amount} must not be negative")]
    Negative {
        /// The amount given.
        amount: Money,
    },
}

/// Where a stored JSON document failed to decode: category, line and column only (the
/// decoder's message may quote the stored values, numbers included).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{category} at line {line}, column {column}")]
pub struct DocumentError {
    /// `syntax`, `data`, `eof` or `io`.
    pub category: &'static str,
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
}

impl From<&serde_json::Error> for DocumentError {
    fn from(e: &serde_json::Error) -> Self {
        let category = match e.classify() {
            serde_json::error::Category::Io => "io",
            serde_json::error::Category::Syntax => "syntax",
            serde_json::error::Category::Data => "data",
            serde_json::error::Category::Eof => "eof",
        };
        Self {
            category,
            line: e.line(),
            column: e.column(),
        }
    }
}

/// The SHA-256 of a plan's canonical JSON, as `sha256:` and 64 hex digits.
///
/// ```
/// use smsplan_store::PlanDigest;
/// let d = PlanDigest::of_bytes(b"{}");
/// assert!(d.as_str().starts_with("sha256:44136fa3"));
/// assert_eq!(d, d.as_str().parse()?);
/// # Ok::<(), smsplan_store::StoreError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PlanDigest(Box<str>);

impl PlanDigest {
    /// The digest of these bytes.
    #[must_use]
    pub fn of_bytes(bytes: &[u8]) -> Self {
        use sha2::{Digest, Sha256};
        let digest = Sha256::digest(bytes);
        let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
        Self(format!("sha256:{hex}").into())
    }

    /// The digest as text.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for PlanDigest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::str::FromStr for PlanDigest {
    type Err = StoreError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let hex = s
            .strip_prefix("sha256:")
            .filter(|h| h.len() == 64 && h.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')))
            .ok_or_else(|| StoreError::corrupt("plan digest"))?;
        Ok(Self(format!("sha256:{hex}").into()))
    }
}
