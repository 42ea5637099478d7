//! [`SqliteStore`]: the embedded default [`Store`] on SQLite (compiled in by `rusqlite`'s
//! `bundled` feature: nothing to install), in WAL mode, one transaction per operation.
//!
//! Instants are stored as integer microseconds since the Unix epoch, money as integer
//! micro-units with its currency, documents as the formats crate's v1 JSON.

use std::path::Path;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, Transaction, TransactionBehavior, params};
use smsplan_core::approval::{Actor, CampaignId, SessionError, StateKind};
use smsplan_core::contact::{Consent, ConsentStatus, ContactId};
use smsplan_core::money::{Currency, Money};
use smsplan_core::phone::PhoneNumber;
use smsplan_formats::v1::campaign::CampaignSpec;
use smsplan_formats::v1::plan::SendPlan;
use smsplan_provider::delivery::{DeliveryState, Transition};
use smsplan_provider::gateway::{DeliveryReport, InboundMessage, MessageId, Submission};
use smsplan_provider::keyword::ConsentChange;
use smsplan_provider::number::Msisdn;

use crate::error::{CreditError, DocumentError, PlanDigest, StoreError};
use crate::model::{
    Consents, CreditEntry, CreditKind, DeliveryOutcome, InboundOutcome, IntentOutcome, Lease,
    LedgerBatch, LedgerPart, MessageIntent, MessageSummary, PartDelivery, PartReceipt, PartState,
    PlanRecord, ReceiptKind, Resolution, RowOutcome, RowOutcomeKind, SessionEntry, SessionSettings,
    StoredCampaign, StoredSession, TestSmsRecord,
};
use crate::session;
use crate::{Store, canonical_plan};

/// How much a commit survives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Durability {
    /// `synchronous = NORMAL`: a commit survives the process being killed (SIGKILL
    /// included); a power loss may undo the last commits. The default.
    #[default]
    Process,
    /// `synchronous = FULL`: each commit is synced to the disk and survives a power loss,
    /// at the cost of one `fsync` per commit.
    PowerLoss,
}

/// The schema versions, in order; each migration runs in its own transaction.
const MIGRATIONS: [(u32, &str); 4] = [
    (1, include_str!("schema/1_campaigns.sql")),
    (2, include_str!("schema/2_ledger.sql")),
    (3, include_str!("schema/3_reports.sql")),
    (4, include_str!("schema/4_outcomes.sql")),
];

/// The newest schema version this build knows.
pub(crate) const SCHEMA_VERSION: u32 = 4;

/// The SQLite [`Store`] (see the [crate docs](crate)).
///
/// ```
/// use smsplan_store::{SqliteStore, Store};
/// let dir = std::env::temp_dir().join(format!("smsplan-store-doc-{}", std::process::id()));
/// std::fs::create_dir_all(&dir)?;
/// let store = SqliteStore::open(dir.join("campaigns.db"))?;
/// assert!(store.campaigns()?.is_empty());
/// # std::fs::remove_dir_all(&dir)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct SqliteStore {
    conn: Mutex<Connection>,
}

fn backend(operation: &'static str) -> impl Fn(rusqlite::Error) -> StoreError {
    move |source| StoreError::Backend {
        operation,
        source: Box::new(source),
    }
}

fn micros(at: DateTime<Utc>) -> i64 {
    at.timestamp_micros()
}

fn instant(micros: i64) -> Result<DateTime<Utc>, StoreError> {
    DateTime::from_timestamp_micros(micros).ok_or_else(|| StoreError::corrupt("instant"))
}

fn after(at: DateTime<Utc>, ttl: Duration) -> Result<DateTime<Utc>, StoreError> {
    chrono::Duration::from_std(ttl)
        .ok()
        .and_then(|d| at.checked_add_signed(d))
        .ok_or_else(|| StoreError::Unrepresentable {
            what: format!("lease of {ttl:?}"),
        })
}

/// Money from stored micro-units (core builds amounts from decimal text only).
fn money(micros: i64, currency: &str) -> Result<Money, StoreError> {
    let currency = Currency::parse(currency).map_err(|_| StoreError::corrupt("currency"))?;
    let sign = if micros < 0 { "-" } else { "" };
    let abs = micros.unsigned_abs();
    Money::parse(
        &format!("{sign}{}.{:06}", abs / 1_000_000, abs % 1_000_000),
        currency,
    )
    .map_err(|_| StoreError::corrupt("amount"))
}

fn campaign_id(text: &str) -> Result<CampaignId, StoreError> {
    text.parse()
        .map_err(|_| StoreError::corrupt(format!("campaign id {text:?}")))
}

fn message_id(text: &str) -> Result<MessageId, StoreError> {
    MessageId::new(text).map_err(|_| StoreError::corrupt("message id"))
}

fn contact_id(text: String) -> Result<ContactId, StoreError> {
    ContactId::new(text).map_err(|_| StoreError::corrupt("contact id"))
}

fn msisdn(text: &str) -> Result<Msisdn, StoreError> {
    Msisdn::parse(text).map_err(|_| StoreError::corrupt("number"))
}

fn phone(text: &str) -> Result<PhoneNumber, StoreError> {
    PhoneNumber::parse_international(text).map_err(|_| StoreError::corrupt("number"))
}

fn part_number(value: i64) -> Result<u16, StoreError> {
    u16::try_from(value).map_err(|_| StoreError::corrupt("part number"))
}

fn count(value: i64) -> Result<u32, StoreError> {
    u32::try_from(value).map_err(|_| StoreError::corrupt("count"))
}

fn to_json<T: serde::Serialize>(what: &str, value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|_| StoreError::Unrepresentable { what: what.into() })
}

fn from_json<T: serde::de::DeserializeOwned>(what: String, text: &str) -> Result<T, StoreError> {
    serde_json::from_str(text).map_err(|e| StoreError::Corrupt {
        what,
        source: Some(DocumentError::from(&e)),
    })
}

stored_names!("submission", Submission, submission_name, submission_from, {
    Submission::Accepted => "accepted",
    Submission::Queued => "queued",
    Submission::AlreadySubmitted => "already_submitted",
});

stored_names!("delivery state", DeliveryState, delivery_name, delivery_from, {
    DeliveryState::Accepted => "accepted",
    DeliveryState::Buffered => "buffered",
    DeliveryState::Delivered => "delivered",
    DeliveryState::Undeliverable => "undeliverable",
    DeliveryState::Rejected => "rejected",
    DeliveryState::Expired => "expired",
});

stored_names!("consent", ConsentStatus, consent_name, consent_from, {
    ConsentStatus::Subscribed => "subscribed",
    ConsentStatus::Unsubscribed => "unsubscribed",
    ConsentStatus::Unknown => "unknown",
});

stored_names!("row outcome", RowOutcomeKind, outcome_name, outcome_from, {
    RowOutcomeKind::Expired => "expired",
    RowOutcomeKind::OptedOut => "opted_out",
    RowOutcomeKind::Refused => "refused",
});

stored_names!("credit kind", CreditKind, credit_kind_name, credit_kind_from, {
    CreditKind::TopUp => "top_up",
    CreditKind::Debit => "debit",
    CreditKind::Refund => "refund",
});

/// The ledger's part states, as stored.
mod state {
    pub(super) const INTENDED: &str = "intended";
    pub(super) const SUBMITTED: &str = "submitted";
    pub(super) const NOT_SENT: &str = "not_sent";
    pub(super) const ABANDONED: &str = "abandoned";
    pub(super) const RETRY: &str = "retry";
}

fn part_state(name: &str, submission: Option<&str>) -> Result<PartState, StoreError> {
    Ok(match name {
        state::INTENDED => PartState::Intended,
        state::SUBMITTED => PartState::Submitted {
            submission: submission.map(submission_from).transpose()?,
        },
        state::NOT_SENT => PartState::NotSent,
        state::ABANDONED => PartState::Abandoned,
        state::RETRY => PartState::Retry,
        other => return Err(StoreError::corrupt(format!("ledger state {other:?}"))),
    })
}

/// Applies the schema migrations after `from` up to `to`, each in one transaction.
fn migrate(conn: &mut Connection, to: u32) -> Result<(), StoreError> {
    let db = backend("migrate schema");
    conn.execute_batch("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);")
        .map_err(&db)?;
    let found: Option<i64> = conn
        .query_row("SELECT MAX(version) FROM schema_version", [], |r| r.get(0))
        .map_err(&db)?;
    let found = u32::try_from(found.unwrap_or(0)).map_err(|_| StoreError::SchemaTooNew {
        found: u32::MAX,
        supported: SCHEMA_VERSION,
    })?;
    if found > SCHEMA_VERSION {
        return Err(StoreError::SchemaTooNew {
            found,
            supported: SCHEMA_VERSION,
        });
    }
    for (version, sql) in MIGRATIONS {
        if version <= found || version > to {
            continue;
        }
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(&db)?;
        tx.execute_batch(sql).map_err(&db)?;
        tx.execute("DELETE FROM schema_version", []).map_err(&db)?;
        tx.execute(
            "INSERT INTO schema_version (version) VALUES (?1)",
            [version],
        )
        .map_err(&db)?;
        tx.commit().map_err(&db)?;
    }
    Ok(())
}

impl SqliteStore {
    /// Opens (or creates) a store file, migrates its schema to this build's version and
    /// turns WAL mode on, with [`Durability::Process`].
    ///
    /// # Errors
    /// [`StoreError::SchemaTooNew`] for a database of a newer build, or the backend's
    /// (the file cannot be opened or is not a database).
    pub fn open(path: impl AsRef<Path>) -> Result<Self, StoreError> {
        Self::open_with(path, Durability::default())
    }

    /// Like [`SqliteStore::open`], with a chosen durability.
    ///
    /// # Errors
    /// As [`SqliteStore::open`].
    pub fn open_with(path: impl AsRef<Path>, durability: Durability) -> Result<Self, StoreError> {
        let conn = Connection::open(path).map_err(backend("open"))?;
        Self::setup(conn, durability, SCHEMA_VERSION)
    }

    /// A store in memory, gone when dropped (tests, dry runs).
    ///
    /// # Errors
    /// The backend's.
    pub fn open_in_memory() -> Result<Self, StoreError> {
        let conn = Connection::open_in_memory().map_err(backend("open"))?;
        Self::setup(conn, Durability::default(), SCHEMA_VERSION)
    }

    fn setup(mut conn: Connection, durability: Durability, to: u32) -> Result<Self, StoreError> {
        let db = backend("configure");
        conn.busy_timeout(Duration::from_secs(5)).map_err(&db)?;
        // In memory the answer is `memory`: WAL applies to files only.
        let _mode: String = conn
            .pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get(0))
            .map_err(&db)?;
        let sync = match durability {
            Durability::Process => "NORMAL",
            Durability::PowerLoss => "FULL",
        };
        conn.pragma_update(None, "synchronous", sync).map_err(&db)?;
        // A checkpoint syncs the WAL and the database (two fsyncs, 3–6 ms each here):
        // at the default 1,000 pages one came every ~170 single-message commits and cost
        // more than the commits themselves. 16,384 pages (64 MiB of WAL) make them rare.
        conn.pragma_update(None, "wal_autocheckpoint", 16_384)
            .map_err(&db)?;
        conn.pragma_update(None, "foreign_keys", "ON")
            .map_err(&db)?;
        migrate(&mut conn, to)?;
        Ok(Self {
            conn: Mutex::new(conn),
        })
    }

    /// The journal mode in force (`wal` for a file).
    ///
    /// # Errors
    /// The backend's.
    pub fn journal_mode(&self) -> Result<String, StoreError> {
        self.lock()
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .map_err(backend("read journal mode"))
    }

    /// The schema version of the open database.
    ///
    /// # Errors
    /// The backend's.
    pub fn schema_version(&self) -> Result<u32, StoreError> {
        let v: i64 = self
            .lock()
            .query_row("SELECT MAX(version) FROM schema_version", [], |r| r.get(0))
            .map_err(backend("read schema version"))?;
        u32::try_from(v).map_err(|_| StoreError::corrupt("schema version"))
    }

    fn lock(&self) -> MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Runs `f` in one immediate transaction: committed when it returns `Ok`, rolled back
    /// otherwise.
    fn write<T>(
        &self,
        operation: &'static str,
        f: impl FnOnce(&Transaction<'_>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        self.transaction(operation, TransactionBehavior::Immediate, true, f)
    }

    /// Runs `f` in one read transaction (a consistent snapshot).
    fn read<T>(
        &self,
        operation: &'static str,
        f: impl FnOnce(&Transaction<'_>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        self.transaction(operation, TransactionBehavior::Deferred, false, f)
    }

    fn transaction<T>(
        &self,
        operation: &'static str,
        behavior: TransactionBehavior,
        commit: bool,
        f: impl FnOnce(&Transaction<'_>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut conn = self.lock();
        let tx = conn
            .transaction_with_behavior(behavior)
            .map_err(backend(operation))?;
        let out = f(&tx)?;
        if commit {
            tx.commit().map_err(backend(operation))?;
        }
        Ok(out)
    }
}

fn require_campaign(tx: &Transaction<'_>, id: &CampaignId) -> Result<(), StoreError> {
    let found: Option<i64> = tx
        .prepare_cached("SELECT 1 FROM campaigns WHERE id = ?1")
        .and_then(|mut s| s.query_row([id.as_str()], |r| r.get(0)).optional())
        .map_err(backend("find campaign"))?;
    found
        .map(|_| ())
        .ok_or_else(|| StoreError::CampaignNotFound {
            campaign: id.clone(),
        })
}

fn load_campaign(tx: &Transaction<'_>, id: &CampaignId) -> Result<StoredCampaign, StoreError> {
    let row: Option<(i64, String, i64, i64)> = tx
        .prepare_cached(
            "SELECT revision, spec, created_at, updated_at FROM campaigns WHERE id = ?1",
        )
        .and_then(|mut s| {
            s.query_row([id.as_str()], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })
            .optional()
        })
        .map_err(backend("read campaign"))?;
    let (revision, spec, created, updated) = row.ok_or_else(|| StoreError::CampaignNotFound {
        campaign: id.clone(),
    })?;
    Ok(StoredCampaign {
        id: id.clone(),
        revision: count(revision)?,
        spec: from_json(format!("campaign {id}"), &spec)?,
        created_at: instant(created)?,
        updated_at: instant(updated)?,
    })
}

fn load_session(
    tx: &Transaction<'_>,
    id: &CampaignId,
) -> Result<Option<StoredSession>, StoreError> {
    let db = backend("read session");
    let head: Option<(i64, String, String, i64)> = tx
        .prepare_cached(
            "SELECT number, outside_window, confirmation, opened_at FROM sessions
             WHERE campaign = ?1 ORDER BY number DESC LIMIT 1",
        )
        .and_then(|mut s| {
            s.query_row([id.as_str()], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })
            .optional()
        })
        .map_err(&db)?;
    let Some((number, outside, confirmation, opened)) = head else {
        return Ok(None);
    };
    let mut stmt = tx
        .prepare_cached(
            "SELECT at, actor, event, from_state, to_state, reason, checklist, digest
             FROM session_events WHERE campaign = ?1 AND session = ?2 ORDER BY seq",
        )
        .map_err(&db)?;
    type Row = (
        i64,
        String,
        String,
        String,
        String,
        Option<String>,
        Option<String>,
        Option<String>,
    );
    let rows: Vec<Row> = stmt
        .query_map(params![id.as_str(), number], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
                r.get(7)?,
            ))
        })
        .and_then(Iterator::collect)
        .map_err(&db)?;
    let state = |s: &str| -> Result<StateKind, StoreError> {
        s.parse()
            .map_err(|_| StoreError::corrupt(format!("state {s:?}")))
    };
    let entries = rows
        .into_iter()
        .map(|(at, actor, event, from, to, reason, checklist, digest)| {
            Ok(SessionEntry {
                actor: Actor::new(&actor).map_err(|_| StoreError::corrupt("actor"))?,
                at: instant(at)?,
                event: session::event_from_columns(&event, reason, checklist.as_deref())?,
                from: state(&from)?,
                to: state(&to)?,
                digest: digest.map(|d| d.parse()).transpose()?,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    Ok(Some(StoredSession {
        campaign: id.clone(),
        number: count(number)?,
        settings: SessionSettings::new(
            session::outside_window_from(&outside)?,
            session::confirmation_from(&confirmation)?,
        ),
        opened_at: instant(opened)?,
        entries,
    }))
}

fn check_lease(tx: &Transaction<'_>, lease: &Lease, at: DateTime<Utc>) -> Result<(), StoreError> {
    let row: Option<(String, i64, i64)> = tx
        .prepare_cached("SELECT owner, token, expires_at FROM claims WHERE campaign = ?1")
        .and_then(|mut s| {
            s.query_row([lease.campaign.as_str()], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .optional()
        })
        .map_err(backend("check lease"))?;
    match row {
        Some((owner, token, expires))
            if owner == lease.owner
                && u64::try_from(token).ok() == Some(lease.token)
                && expires > micros(at) =>
        {
            Ok(())
        }
        _ => Err(StoreError::LeaseLost {
            campaign: lease.campaign.clone(),
            owner: lease.owner.clone(),
        }),
    }
}

fn balance_micros(tx: &Transaction<'_>, currency: Currency) -> Result<i64, StoreError> {
    let b: Option<i64> = tx
        .prepare_cached("SELECT micros FROM balances WHERE currency = ?1")
        .and_then(|mut s| s.query_row([currency.as_str()], |r| r.get(0)).optional())
        .map_err(backend("read balance"))?;
    Ok(b.unwrap_or(0))
}

/// Moves the balance by `delta` micro-units and records the movement.
fn move_credits(
    tx: &Transaction<'_>,
    currency: Currency,
    delta: i64,
    kind: CreditKind,
    at: DateTime<Utc>,
    note: &str,
) -> Result<i64, StoreError> {
    let db = backend("move credits");
    let kind = credit_kind_name(kind)?;
    let balance = balance_micros(tx, currency)?
        .checked_add(delta)
        .ok_or_else(|| StoreError::Unrepresentable {
            what: "credit balance".into(),
        })?;
    tx.prepare_cached(
        "INSERT INTO balances (currency, micros) VALUES (?1, ?2)
         ON CONFLICT (currency) DO UPDATE SET micros = excluded.micros",
    )
    .and_then(|mut s| s.execute(params![currency.as_str(), balance]))
    .map_err(&db)?;
    tx.prepare_cached(
        "INSERT INTO credits (currency, micros, kind, at, note) VALUES (?1, ?2, ?3, ?4, ?5)",
    )
    .and_then(|mut s| s.execute(params![currency.as_str(), delta, kind, micros(at), note]))
    .map_err(&db)?;
    Ok(balance)
}

fn debit_credits(
    tx: &Transaction<'_>,
    amount: Money,
    at: DateTime<Utc>,
    note: &str,
) -> Result<i64, StoreError> {
    if amount.micros() < 0 {
        return Err(CreditError::Negative { amount }.into());
    }
    let balance = balance_micros(tx, amount.currency())?;
    if balance < amount.micros() {
        return Err(CreditError::Insufficient {
            balance: money(balance, amount.currency().as_str())?,
            needed: amount,
        }
        .into());
    }
    move_credits(
        tx,
        amount.currency(),
        -amount.micros(),
        CreditKind::Debit,
        at,
        note,
    )
}

fn apply_receipt(
    tx: &Transaction<'_>,
    receipt: &PartReceipt,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    let db = backend("record receipt");
    let row: Option<(String, i64, String)> = tx
        .prepare_cached(
            "SELECT state, price_micros, currency FROM ledger WHERE message = ?1 AND part = ?2",
        )
        .and_then(|mut s| {
            s.query_row(params![receipt.message.as_str(), receipt.part], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .optional()
        })
        .map_err(&db)?;
    let (current, price, currency) = match row {
        Some((s, _, _)) if s == state::SUBMITTED => {
            return Err(StoreError::AlreadySubmitted {
                message: receipt.message.clone(),
                part: receipt.part,
            });
        }
        Some(row) if row.0 == state::INTENDED => row,
        _ => {
            return Err(StoreError::NoIntent {
                message: receipt.message.clone(),
                part: receipt.part,
            });
        }
    };
    debug_assert_eq!(current, state::INTENDED);
    let (next, submission) = match receipt.kind {
        ReceiptKind::Submitted(s) => (state::SUBMITTED, Some(submission_name(s)?)),
        ReceiptKind::NotSent => (state::NOT_SENT, None),
    };
    tx.prepare_cached(
        "UPDATE ledger SET state = ?3, submission = ?4, settled_at = ?5
         WHERE message = ?1 AND part = ?2",
    )
    .and_then(|mut s| {
        s.execute(params![
            receipt.message.as_str(),
            receipt.part,
            next,
            submission,
            micros(at)
        ])
    })
    .map_err(&db)?;
    if receipt.kind == ReceiptKind::NotSent && price > 0 {
        let currency = Currency::parse(&currency).map_err(|_| StoreError::corrupt("currency"))?;
        move_credits(
            tx,
            currency,
            price,
            CreditKind::Refund,
            at,
            &format!("{} part {} not sent", receipt.message, receipt.part),
        )?;
    }
    Ok(())
}

fn apply_intent(
    tx: &Transaction<'_>,
    campaign: &CampaignId,
    intent: &MessageIntent,
    at: DateTime<Utc>,
) -> Result<IntentOutcome, StoreError> {
    let db = backend("record intent");
    let consent: Option<(String, i64)> = tx
        .prepare_cached("SELECT status, changed_at FROM consents WHERE number = ?1")
        .and_then(|mut s| {
            s.query_row([intent.number.as_e164()], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()
        })
        .map_err(&db)?;
    if let Some((status, since)) = consent
        && consent_from(&status)? == ConsentStatus::Unsubscribed
    {
        return Ok(IntentOutcome::OptedOut {
            number: msisdn(intent.number.as_e164())?,
            since: instant(since)?,
        });
    }
    let existing: Vec<(i64, String, i64)> = tx
        .prepare_cached("SELECT part, state, attempt FROM ledger WHERE message = ?1")
        .and_then(|mut s| {
            s.query_map([intent.message.as_str()], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })?
            .collect()
        })
        .map_err(&db)?;
    let mut attempt = 1u32;
    let mut parts = Vec::new();
    for part in 1..=intent.parts {
        match existing.iter().find(|(p, _, _)| *p == i64::from(part)) {
            None => parts.push(part),
            Some((_, s, a)) => {
                attempt = attempt.max(count(*a)?.saturating_add(1));
                match s.as_str() {
                    state::NOT_SENT | state::RETRY => parts.push(part),
                    state::INTENDED => return Ok(IntentOutcome::InDoubt { part }),
                    _ => {}
                }
            }
        }
    }
    if parts.is_empty() {
        return Ok(IntentOutcome::AlreadySubmitted);
    }
    let price = intent.price_per_part;
    let total = u64::try_from(parts.len())
        .ok()
        .and_then(|n| price.checked_mul(n).ok())
        .ok_or_else(|| StoreError::Unrepresentable {
            what: "message price".into(),
        })?;
    match debit_credits(tx, total, at, intent.message.as_str()) {
        Ok(_) => {}
        Err(StoreError::Credit(reason)) => return Ok(IntentOutcome::NoCredit(reason)),
        Err(other) => return Err(other),
    }
    let mut insert = tx
        .prepare_cached(
            "INSERT INTO ledger (campaign, message, part, parts, contact, attempt, state,
                                 price_micros, currency, intended_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'intended', ?7, ?8, ?9)
             ON CONFLICT (message, part) DO UPDATE SET
                attempt = excluded.attempt, state = 'intended', submission = NULL,
                price_micros = excluded.price_micros, currency = excluded.currency,
                intended_at = excluded.intended_at, settled_at = NULL",
        )
        .map_err(&db)?;
    for part in &parts {
        insert
            .execute(params![
                campaign.as_str(),
                intent.message.as_str(),
                part,
                intent.parts,
                intent.contact.as_str(),
                attempt,
                price.micros(),
                price.currency().as_str(),
                micros(at),
            ])
            .map_err(&db)?;
    }
    Ok(IntentOutcome::Recorded { parts, attempt })
}

fn ledger_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<LedgerRow> {
    Ok(LedgerRow {
        campaign: r.get(0)?,
        message: r.get(1)?,
        part: r.get(2)?,
        parts: r.get(3)?,
        contact: r.get(4)?,
        attempt: r.get(5)?,
        state: r.get(6)?,
        submission: r.get(7)?,
        intended_at: r.get(8)?,
        settled_at: r.get(9)?,
    })
}

const LEDGER_COLUMNS: &str =
    "campaign, message, part, parts, contact, attempt, state, submission, intended_at, settled_at";

struct LedgerRow {
    campaign: String,
    message: String,
    part: i64,
    parts: i64,
    contact: String,
    attempt: i64,
    state: String,
    submission: Option<String>,
    intended_at: i64,
    settled_at: Option<i64>,
}

impl LedgerRow {
    fn into_part(self) -> Result<LedgerPart, StoreError> {
        Ok(LedgerPart {
            campaign: campaign_id(&self.campaign)?,
            message: message_id(&self.message)?,
            part: part_number(self.part)?,
            parts: part_number(self.parts)?,
            contact: contact_id(self.contact)?,
            attempt: count(self.attempt)?,
            state: part_state(&self.state, self.submission.as_deref())?,
            intended_at: instant(self.intended_at)?,
            settled_at: self.settled_at.map(instant).transpose()?,
        })
    }
}

impl Store for SqliteStore {
    fn create_campaign(
        &self,
        id: &CampaignId,
        spec: &CampaignSpec,
        at: DateTime<Utc>,
    ) -> Result<StoredCampaign, StoreError> {
        let json = to_json("campaign spec", spec)?;
        self.write("create campaign", |tx| {
            let inserted = tx
                .prepare_cached(
                    "INSERT INTO campaigns (id, revision, spec, created_at, updated_at)
                     VALUES (?1, 1, ?2, ?3, ?3) ON CONFLICT (id) DO NOTHING",
                )
                .and_then(|mut s| s.execute(params![id.as_str(), json, micros(at)]))
                .map_err(backend("create campaign"))?;
            if inserted == 0 {
                return Err(StoreError::CampaignExists {
                    campaign: id.clone(),
                });
            }
            load_campaign(tx, id)
        })
    }

    fn update_campaign(
        &self,
        id: &CampaignId,
        spec: &CampaignSpec,
        at: DateTime<Utc>,
    ) -> Result<StoredCampaign, StoreError> {
        let json = to_json("campaign spec", spec)?;
        self.write("update campaign", |tx| {
            let changed = tx
                .prepare_cached(
                    "UPDATE campaigns SET spec = ?2, revision = revision + 1, updated_at = ?3
                     WHERE id = ?1",
                )
                .and_then(|mut s| s.execute(params![id.as_str(), json, micros(at)]))
                .map_err(backend("update campaign"))?;
            if changed == 0 {
                return Err(StoreError::CampaignNotFound {
                    campaign: id.clone(),
                });
            }
            load_campaign(tx, id)
        })
    }

    fn campaign(&self, id: &CampaignId) -> Result<StoredCampaign, StoreError> {
        self.read("read campaign", |tx| load_campaign(tx, id))
    }

    fn campaigns(&self) -> Result<Vec<CampaignId>, StoreError> {
        self.read("list campaigns", |tx| {
            let ids: Vec<String> = tx
                .prepare_cached("SELECT id FROM campaigns ORDER BY id")
                .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
                .map_err(backend("list campaigns"))?;
            ids.iter().map(|i| campaign_id(i)).collect()
        })
    }

    fn put_plan(
        &self,
        id: &CampaignId,
        plan: &SendPlan,
        at: DateTime<Utc>,
    ) -> Result<PlanRecord, StoreError> {
        let (json, digest) = canonical_plan(plan)?;
        let run = plan.run.as_ref().map(|r| r.key.clone());
        self.write("store plan", |tx| {
            require_campaign(tx, id)?;
            let db = backend("store plan");
            let revision: i64 = tx
                .prepare_cached(
                    "SELECT COALESCE(MAX(revision), 0) + 1 FROM plans WHERE campaign = ?1",
                )
                .and_then(|mut s| s.query_row([id.as_str()], |r| r.get(0)))
                .map_err(&db)?;
            tx.prepare_cached(
                "INSERT INTO plans (campaign, revision, run, digest, plan, stored_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )
            .and_then(|mut s| {
                s.execute(params![
                    id.as_str(),
                    revision,
                    run,
                    digest.as_str(),
                    json,
                    micros(at)
                ])
            })
            .map_err(&db)?;
            Ok(PlanRecord {
                campaign: id.clone(),
                run: run.clone(),
                revision: count(revision)?,
                digest: digest.clone(),
                stored_at: at,
            })
        })
    }

    fn latest_plan(&self, id: &CampaignId) -> Result<Option<(PlanRecord, SendPlan)>, StoreError> {
        self.read("read plan", |tx| {
            let row: Option<(i64, Option<String>, String, String, i64)> = tx
                .prepare_cached(
                    "SELECT revision, run, digest, plan, stored_at FROM plans
                     WHERE campaign = ?1 ORDER BY revision DESC LIMIT 1",
                )
                .and_then(|mut s| {
                    s.query_row([id.as_str()], |r| {
                        Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
                    })
                    .optional()
                })
                .map_err(backend("read plan"))?;
            let Some((revision, run, digest, json, stored)) = row else {
                return Ok(None);
            };
            let digest: PlanDigest = digest.parse()?;
            if PlanDigest::of_bytes(json.as_bytes()) != digest {
                return Err(StoreError::corrupt(format!(
                    "plan {revision} of campaign {id}: digest mismatch"
                )));
            }
            let plan = from_json(format!("plan {revision} of campaign {id}"), &json)?;
            Ok(Some((
                PlanRecord {
                    campaign: id.clone(),
                    run,
                    revision: count(revision)?,
                    digest,
                    stored_at: instant(stored)?,
                },
                plan,
            )))
        })
    }

    fn open_session(
        &self,
        id: &CampaignId,
        settings: SessionSettings,
        at: DateTime<Utc>,
    ) -> Result<StoredSession, StoreError> {
        let outside = session::outside_window_name(settings.outside_window)?;
        let confirmation = session::confirmation_name(settings.confirmation)?;
        self.write("open session", |tx| {
            require_campaign(tx, id)?;
            let number = match load_session(tx, id)? {
                Some(s) if !s.state().is_terminal() => {
                    return Err(SessionError::AlreadyPending {
                        campaign: id.clone(),
                        state: s.state(),
                    }
                    .into());
                }
                Some(s) => s.number + 1,
                None => 1,
            };
            tx.prepare_cached(
                "INSERT INTO sessions (campaign, number, outside_window, confirmation, opened_at, state)
                 VALUES (?1, ?2, ?3, ?4, ?5, 'draft')",
            )
            .and_then(|mut s| s.execute(params![id.as_str(), number, outside, confirmation, micros(at)]))
            .map_err(backend("open session"))?;
            Ok(StoredSession {
                campaign: id.clone(),
                number,
                settings,
                opened_at: at,
                entries: Vec::new(),
            })
        })
    }

    fn current_session(&self, id: &CampaignId) -> Result<Option<StoredSession>, StoreError> {
        self.read("read session", |tx| load_session(tx, id))
    }

    fn append_session_entry(
        &self,
        id: &CampaignId,
        number: u32,
        expected: usize,
        entry: &SessionEntry,
    ) -> Result<(), StoreError> {
        let columns = session::event_columns(&entry.event)?;
        self.write("append session event", |tx| {
            let db = backend("append session event");
            let current = load_session(tx, id)?.ok_or_else(|| session::no_session(id))?;
            if current.number != number || current.entries.len() != expected {
                return Err(StoreError::Conflict {
                    campaign: id.clone(),
                    expected,
                    found: current.entries.len(),
                });
            }
            tx.prepare_cached(
                "INSERT INTO session_events (campaign, session, seq, at, actor, event,
                     from_state, to_state, reason, checklist, digest)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            )
            .and_then(|mut s| {
                s.execute(params![
                    id.as_str(),
                    number,
                    i64::try_from(expected).unwrap_or(i64::MAX),
                    micros(entry.at),
                    entry.actor.as_str(),
                    columns.kind,
                    entry.from.as_str(),
                    entry.to.as_str(),
                    columns.reason,
                    columns.checklist,
                    entry.digest.as_ref().map(PlanDigest::as_str),
                ])
            })
            .map_err(&db)?;
            tx.prepare_cached("UPDATE sessions SET state = ?3 WHERE campaign = ?1 AND number = ?2")
                .and_then(|mut s| s.execute(params![id.as_str(), number, entry.to.as_str()]))
                .map_err(&db)?;
            Ok(())
        })
    }

    fn claim(
        &self,
        id: &CampaignId,
        owner: &str,
        at: DateTime<Utc>,
        ttl: Duration,
    ) -> Result<Lease, StoreError> {
        let until = after(at, ttl)?;
        self.write("claim campaign", |tx| {
            require_campaign(tx, id)?;
            let db = backend("claim campaign");
            let row: Option<(String, i64, i64)> = tx
                .prepare_cached("SELECT owner, token, expires_at FROM claims WHERE campaign = ?1")
                .and_then(|mut s| {
                    s.query_row([id.as_str()], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                        .optional()
                })
                .map_err(&db)?;
            let token = match row {
                None => 1,
                Some((holder, token, _)) if holder == owner => token,
                Some((_, token, expires)) if expires <= micros(at) => token + 1,
                Some((holder, _, expires)) => {
                    return Err(StoreError::Claimed {
                        campaign: id.clone(),
                        owner: holder,
                        until: instant(expires)?,
                    });
                }
            };
            tx.prepare_cached(
                "INSERT INTO claims (campaign, owner, token, expires_at) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (campaign) DO UPDATE SET owner = excluded.owner,
                    token = excluded.token, expires_at = excluded.expires_at",
            )
            .and_then(|mut s| s.execute(params![id.as_str(), owner, token, micros(until)]))
            .map_err(&db)?;
            Ok(Lease {
                campaign: id.clone(),
                owner: owner.to_owned(),
                token: u64::try_from(token).map_err(|_| StoreError::corrupt("lease token"))?,
                expires_at: until,
            })
        })
    }

    fn renew(&self, lease: &Lease, at: DateTime<Utc>, ttl: Duration) -> Result<Lease, StoreError> {
        let until = after(at, ttl)?;
        self.write("renew lease", |tx| {
            check_lease(tx, lease, at)?;
            tx.prepare_cached("UPDATE claims SET expires_at = ?2 WHERE campaign = ?1")
                .and_then(|mut s| s.execute(params![lease.campaign.as_str(), micros(until)]))
                .map_err(backend("renew lease"))?;
            Ok(Lease {
                expires_at: until,
                ..lease.clone()
            })
        })
    }

    fn release(&self, lease: &Lease) -> Result<(), StoreError> {
        // The row stays, so that the next claim's token is larger than this one.
        self.write("release lease", |tx| {
            tx.prepare_cached(
                "UPDATE claims SET expires_at = ?4
                 WHERE campaign = ?1 AND owner = ?2 AND token = ?3",
            )
            .and_then(|mut s| {
                s.execute(params![
                    lease.campaign.as_str(),
                    lease.owner,
                    i64::try_from(lease.token).unwrap_or(i64::MAX),
                    i64::MIN
                ])
            })
            .map_err(backend("release lease"))?;
            Ok(())
        })
    }

    fn record(
        &self,
        lease: &Lease,
        batch: &LedgerBatch,
        at: DateTime<Utc>,
    ) -> Result<Vec<IntentOutcome>, StoreError> {
        self.write("record ledger batch", |tx| {
            check_lease(tx, lease, at)?;
            for receipt in &batch.receipts {
                apply_receipt(tx, receipt, at)?;
            }
            batch
                .intents
                .iter()
                .map(|intent| apply_intent(tx, &lease.campaign, intent, at))
                .collect()
        })
    }

    fn in_doubt(&self, id: &CampaignId) -> Result<Vec<LedgerPart>, StoreError> {
        self.read("list parts in doubt", |tx| {
            let rows: Vec<LedgerRow> = tx
                .prepare_cached(&format!(
                    "SELECT {LEDGER_COLUMNS} FROM ledger
                     WHERE campaign = ?1 AND state = 'intended' ORDER BY message, part"
                ))
                .and_then(|mut s| s.query_map([id.as_str()], ledger_row)?.collect())
                .map_err(backend("list parts in doubt"))?;
            rows.into_iter().map(LedgerRow::into_part).collect()
        })
    }

    fn resolve_in_doubt(
        &self,
        lease: &Lease,
        message: &MessageId,
        part: u16,
        resolution: Resolution,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let next = match resolution {
            Resolution::AtMostOnce => state::ABANDONED,
            Resolution::AtLeastOnce => state::RETRY,
        };
        self.write("resolve part in doubt", |tx| {
            check_lease(tx, lease, at)?;
            let db = backend("resolve part in doubt");
            let current: Option<String> = tx
                .prepare_cached(
                    "SELECT state FROM ledger WHERE message = ?1 AND part = ?2 AND campaign = ?3",
                )
                .and_then(|mut s| {
                    s.query_row(
                        params![message.as_str(), part, lease.campaign.as_str()],
                        |r| r.get(0),
                    )
                    .optional()
                })
                .map_err(&db)?;
            match current.as_deref() {
                None => Err(StoreError::NoIntent {
                    message: message.clone(),
                    part,
                }),
                Some(state::INTENDED) => {
                    tx.prepare_cached(
                        "UPDATE ledger SET state = ?3, settled_at = ?4 WHERE message = ?1 AND part = ?2",
                    )
                    .and_then(|mut s| s.execute(params![message.as_str(), part, next, micros(at)]))
                    .map_err(&db)?;
                    Ok(())
                }
                Some(_) => Err(StoreError::NotInDoubt {
                    message: message.clone(),
                    part,
                }),
            }
        })
    }

    fn ledger_part(
        &self,
        message: &MessageId,
        part: u16,
    ) -> Result<Option<LedgerPart>, StoreError> {
        self.read("read ledger part", |tx| {
            let row: Option<LedgerRow> = tx
                .prepare_cached(&format!(
                    "SELECT {LEDGER_COLUMNS} FROM ledger WHERE message = ?1 AND part = ?2"
                ))
                .and_then(|mut s| {
                    s.query_row(params![message.as_str(), part], ledger_row)
                        .optional()
                })
                .map_err(backend("read ledger part"))?;
            row.map(LedgerRow::into_part).transpose()
        })
    }

    fn message_summaries(&self, id: &CampaignId) -> Result<Vec<MessageSummary>, StoreError> {
        self.read("summarize messages", |tx| {
            type Row = (String, String, i64, i64, i64, i64, i64, i64);
            let rows: Vec<Row> = tx
                .prepare_cached(
                    "SELECT l.message, MIN(l.contact), MAX(l.parts),
                        SUM(l.state = 'submitted'), SUM(l.state = 'intended'),
                        SUM(l.state = 'abandoned'),
                        SUM(COALESCE(d.state = 'delivered', 0)),
                        SUM(COALESCE(d.state IN ('undeliverable', 'rejected', 'expired'), 0))
                     FROM ledger l LEFT JOIN deliveries d ON d.message = l.message AND d.part = l.part
                     WHERE l.campaign = ?1 GROUP BY l.message ORDER BY l.message",
                )
                .and_then(|mut s| {
                    s.query_map([id.as_str()], |r| {
                        Ok((
                            r.get(0)?,
                            r.get(1)?,
                            r.get(2)?,
                            r.get(3)?,
                            r.get(4)?,
                            r.get(5)?,
                            r.get(6)?,
                            r.get(7)?,
                        ))
                    })?
                    .collect()
                })
                .map_err(backend("summarize messages"))?;
            rows.into_iter()
                .map(
                    |(message, contact, parts, submitted, intended, abandoned, delivered, failed)| {
                        Ok(MessageSummary {
                            message: message_id(&message)?,
                            contact: contact_id(contact)?,
                            parts: part_number(parts)?,
                            submitted: part_number(submitted)?,
                            intended: part_number(intended)?,
                            abandoned: part_number(abandoned)?,
                            delivered: part_number(delivered)?,
                            failed: part_number(failed)?,
                        })
                    },
                )
                .collect()
        })
    }

    fn record_deliveries(
        &self,
        reports: &[DeliveryReport],
        at: DateTime<Utc>,
    ) -> Result<Vec<DeliveryOutcome>, StoreError> {
        self.write("record delivery reports", |tx| {
            let db = backend("record delivery reports");
            reports
                .iter()
                .map(|report| {
                    let current: Option<String> = tx
                        .prepare_cached(
                            "SELECT state FROM deliveries WHERE message = ?1 AND part = ?2",
                        )
                        .and_then(|mut s| {
                            s.query_row(params![report.message.as_str(), report.part], |r| {
                                r.get(0)
                            })
                            .optional()
                        })
                        .map_err(&db)?;
                    let transition = match current {
                        None => Transition::Advanced(report.state),
                        Some(s) => delivery_from(&s)?.apply(report.state),
                    };
                    let advanced = match transition {
                        Transition::Advanced(state) => Some(delivery_name(state)?),
                        _ => None,
                    };
                    match advanced {
                        Some(state) => tx
                            .prepare_cached(
                                "INSERT INTO deliveries (message, part, state, code, reported_at, updated_at, reports)
                                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, 1)
                                 ON CONFLICT (message, part) DO UPDATE SET state = excluded.state,
                                    code = excluded.code, reported_at = excluded.reported_at,
                                    updated_at = excluded.updated_at, reports = reports + 1",
                            )
                            .and_then(|mut s| {
                                s.execute(params![
                                    report.message.as_str(),
                                    report.part,
                                    state,
                                    report.code,
                                    report.at.map(micros),
                                    micros(at)
                                ])
                            }),
                        None => tx
                            .prepare_cached(
                                "UPDATE deliveries SET updated_at = ?3, reports = reports + 1
                                 WHERE message = ?1 AND part = ?2",
                            )
                            .and_then(|mut s| {
                                s.execute(params![report.message.as_str(), report.part, micros(at)])
                            }),
                    }
                    .map_err(&db)?;
                    // A report carrying our id proves the part reached the gateway.
                    let resolved = tx
                        .prepare_cached(
                            "UPDATE ledger SET state = 'submitted', submission = NULL, settled_at = ?3
                             WHERE message = ?1 AND part = ?2
                               AND state IN ('intended', 'abandoned', 'retry')",
                        )
                        .and_then(|mut s| {
                            s.execute(params![report.message.as_str(), report.part, micros(at)])
                        })
                        .map_err(&db)?;
                    Ok(DeliveryOutcome {
                        transition,
                        resolved_in_doubt: resolved > 0,
                    })
                })
                .collect()
        })
    }

    fn delivery(&self, message: &MessageId, part: u16) -> Result<Option<PartDelivery>, StoreError> {
        self.read("read delivery", |tx| {
            let row: Option<(String, Option<String>, i64, i64)> = tx
                .prepare_cached(
                    "SELECT state, code, reports, updated_at FROM deliveries
                     WHERE message = ?1 AND part = ?2",
                )
                .and_then(|mut s| {
                    s.query_row(params![message.as_str(), part], |r| {
                        Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
                    })
                    .optional()
                })
                .map_err(backend("read delivery"))?;
            row.map(|(state, code, reports, updated)| {
                Ok(PartDelivery {
                    message: message.clone(),
                    part,
                    state: delivery_from(&state)?,
                    code,
                    reports: count(reports)?,
                    updated_at: instant(updated)?,
                })
            })
            .transpose()
        })
    }

    fn record_inbound(
        &self,
        message: &InboundMessage,
        change: Option<&ConsentChange>,
    ) -> Result<InboundOutcome, StoreError> {
        let consent = change
            .map(|c| -> Result<_, StoreError> {
                Ok((
                    c.number.as_str().to_owned(),
                    consent_name(c.status)?,
                    micros(c.at),
                    c.source.describe(),
                ))
            })
            .transpose()?;
        self.write("record inbound message", |tx| {
            let db = backend("record inbound message");
            let inserted = tx
                .prepare_cached(
                    "INSERT INTO inbound (id, sender, recipient, text, received_at)
                     VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (id) DO NOTHING",
                )
                .and_then(|mut s| {
                    s.execute(params![
                        message.id,
                        message.from.as_str(),
                        message.to.as_str(),
                        message.text,
                        micros(message.received_at)
                    ])
                })
                .map_err(&db)?;
            if inserted == 0 {
                return Ok(InboundOutcome::Duplicate);
            }
            if let Some((number, status, changed_at, source)) = &consent {
                tx.prepare_cached(
                    "INSERT INTO consent_changes (number, status, at, source, inbound)
                     VALUES (?1, ?2, ?3, ?4, ?5)",
                )
                .and_then(|mut s| s.execute(params![number, status, changed_at, source, message.id]))
                .map_err(&db)?;
                // The latest change wins, whatever order the callbacks came in.
                tx.prepare_cached(
                    "INSERT INTO consents (number, status, changed_at, source) VALUES (?1, ?2, ?3, ?4)
                     ON CONFLICT (number) DO UPDATE SET status = excluded.status,
                        changed_at = excluded.changed_at, source = excluded.source
                     WHERE excluded.changed_at >= consents.changed_at",
                )
                .and_then(|mut s| s.execute(params![number, status, changed_at, source]))
                .map_err(&db)?;
            }
            Ok(InboundOutcome::New)
        })
    }

    fn inbound(&self) -> Result<Vec<InboundMessage>, StoreError> {
        self.read("list inbound messages", |tx| {
            let rows: Vec<(String, String, String, String, i64)> = tx
                .prepare_cached(
                    "SELECT id, sender, recipient, text, received_at FROM inbound
                     ORDER BY received_at, id",
                )
                .and_then(|mut s| {
                    s.query_map([], |r| {
                        Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
                    })?
                    .collect()
                })
                .map_err(backend("list inbound messages"))?;
            rows.into_iter()
                .map(|(id, from, to, text, at)| {
                    Ok(InboundMessage {
                        id,
                        from: msisdn(&from)?,
                        to: msisdn(&to)?,
                        text,
                        received_at: instant(at)?,
                    })
                })
                .collect()
        })
    }

    fn consents(&self) -> Result<Consents, StoreError> {
        self.read("read consents", |tx| {
            let rows: Vec<(String, String, i64, String)> = tx
                .prepare_cached("SELECT number, status, changed_at, source FROM consents")
                .and_then(|mut s| {
                    s.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
                        .collect()
                })
                .map_err(backend("read consents"))?;
            let map = rows
                .into_iter()
                .map(|(number, status, at, source)| {
                    let mut consent = Consent::new(consent_from(&status)?);
                    consent.changed_at = Some(instant(at)?);
                    consent.source = Some(source);
                    Ok((number, consent))
                })
                .collect::<Result<_, StoreError>>()?;
            Ok(Consents(map))
        })
    }

    fn record_test_sms(&self, record: &TestSmsRecord) -> Result<(), StoreError> {
        self.write("record test SMS", |tx| {
            require_campaign(tx, &record.campaign)?;
            tx.prepare_cached(
                "INSERT INTO test_sms (campaign, seq, number, contact, message, at)
                 VALUES (?1, (SELECT COALESCE(MAX(seq), 0) + 1 FROM test_sms WHERE campaign = ?1),
                         ?2, ?3, ?4, ?5)",
            )
            .and_then(|mut s| {
                s.execute(params![
                    record.campaign.as_str(),
                    record.to.as_e164(),
                    record.contact.as_ref().map(ContactId::as_str),
                    record.message.as_str(),
                    micros(record.at)
                ])
            })
            .map_err(backend("record test SMS"))?;
            Ok(())
        })
    }

    fn record_row_outcomes(
        &self,
        lease: &Lease,
        outcomes: &[RowOutcome],
        at: DateTime<Utc>,
    ) -> Result<usize, StoreError> {
        self.write("record row outcomes", |tx| {
            check_lease(tx, lease, at)?;
            let mut insert = tx
                .prepare_cached(
                    "INSERT INTO row_outcomes (message, campaign, contact, outcome, detail, at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (message) DO NOTHING",
                )
                .map_err(backend("record row outcomes"))?;
            let mut new = 0;
            for o in outcomes {
                new += insert
                    .execute(params![
                        o.message.as_str(),
                        lease.campaign.as_str(),
                        o.contact.as_str(),
                        outcome_name(o.kind)?,
                        o.detail,
                        micros(o.at),
                    ])
                    .map_err(backend("record row outcomes"))?;
            }
            Ok(new)
        })
    }

    fn row_outcomes(&self, id: &CampaignId) -> Result<Vec<RowOutcome>, StoreError> {
        self.read("list row outcomes", |tx| {
            let rows: Vec<(String, String, String, String, i64)> = tx
                .prepare_cached(
                    "SELECT message, contact, outcome, detail, at FROM row_outcomes
                     WHERE campaign = ?1 ORDER BY at, message",
                )
                .and_then(|mut s| {
                    s.query_map([id.as_str()], |r| {
                        Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
                    })?
                    .collect()
                })
                .map_err(backend("list row outcomes"))?;
            rows.into_iter()
                .map(|(message, contact, outcome, detail, at)| {
                    Ok(RowOutcome {
                        message: message_id(&message)?,
                        contact: contact_id(contact)?,
                        kind: outcome_from(&outcome)?,
                        detail,
                        at: instant(at)?,
                    })
                })
                .collect()
        })
    }

    fn test_sms(&self, id: &CampaignId) -> Result<Vec<TestSmsRecord>, StoreError> {
        self.read("list test SMS", |tx| {
            let rows: Vec<(String, Option<String>, String, i64)> = tx
                .prepare_cached(
                    "SELECT number, contact, message, at FROM test_sms WHERE campaign = ?1 ORDER BY seq",
                )
                .and_then(|mut s| {
                    s.query_map([id.as_str()], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
                        .collect()
                })
                .map_err(backend("list test SMS"))?;
            rows.into_iter()
                .map(|(number, contact, message, at)| {
                    Ok(TestSmsRecord {
                        campaign: id.clone(),
                        to: phone(&number)?,
                        contact: contact.map(contact_id).transpose()?,
                        message: message_id(&message)?,
                        at: instant(at)?,
                    })
                })
                .collect()
        })
    }

    fn top_up(&self, amount: Money, at: DateTime<Utc>, note: &str) -> Result<Money, StoreError> {
        if amount.micros() < 0 {
            return Err(CreditError::Negative { amount }.into());
        }
        self.write("top up credits", |tx| {
            let balance = move_credits(
                tx,
                amount.currency(),
                amount.micros(),
                CreditKind::TopUp,
                at,
                note,
            )?;
            money(balance, amount.currency().as_str())
        })
    }

    fn debit(&self, amount: Money, at: DateTime<Utc>, note: &str) -> Result<Money, StoreError> {
        self.write("debit credits", |tx| {
            let balance = debit_credits(tx, amount, at, note)?;
            money(balance, amount.currency().as_str())
        })
    }

    fn balance(&self, currency: Currency) -> Result<Money, StoreError> {
        self.read("read balance", |tx| {
            money(balance_micros(tx, currency)?, currency.as_str())
        })
    }

    fn credit_entries(&self, currency: Currency) -> Result<Vec<CreditEntry>, StoreError> {
        self.read("list credit entries", |tx| {
            let rows: Vec<(i64, String, i64, String)> = tx
                .prepare_cached(
                    "SELECT micros, kind, at, note FROM credits WHERE currency = ?1 ORDER BY seq",
                )
                .and_then(|mut s| {
                    s.query_map([currency.as_str()], |r| {
                        Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
                    })?
                    .collect()
                })
                .map_err(backend("list credit entries"))?;
            rows.into_iter()
                .map(|(amount, kind, at, note)| {
                    Ok(CreditEntry {
                        amount: money(amount, currency.as_str())?,
                        kind: credit_kind_from(&kind)?,
                        at: instant(at)?,
                        note,
                    })
                })
                .collect()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    /// A database path in a fresh directory, removed when dropped.
    struct Temp(std::path::PathBuf);

    impl Temp {
        fn path(&self) -> std::path::PathBuf {
            self.0.join("store.db")
        }
    }

    impl Drop for Temp {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    fn temp(name: &str) -> Temp {
        let dir =
            std::env::temp_dir().join(format!("smsplan-store-unit-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Temp(dir)
    }

    fn tables(conn: &Connection) -> Vec<String> {
        conn.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    }

    fn at() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 20, 9, 0, 0).unwrap()
    }

    #[test]
    fn a_fresh_database_gets_every_migration_in_wal_mode() {
        let dir = temp("fresh");
        let path = dir.path();
        let store = SqliteStore::open(&path).unwrap();
        assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
        assert_eq!(store.journal_mode().unwrap(), "wal");
        let names = tables(&store.lock());
        for table in [
            "campaigns",
            "plans",
            "sessions",
            "session_events",
            "claims",
            "ledger",
            "balances",
            "credits",
            "deliveries",
            "inbound",
            "consents",
            "consent_changes",
            "test_sms",
            "schema_version",
        ] {
            assert!(
                names.iter().any(|n| n == table),
                "{table} missing: {names:?}"
            );
        }
        drop(store);
        // Opening again applies nothing twice.
        assert_eq!(
            SqliteStore::open(&path).unwrap().schema_version().unwrap(),
            SCHEMA_VERSION
        );
    }

    #[test]
    fn an_old_version_database_is_migrated_keeping_its_data() {
        let dir = temp("old");
        let path = dir.path();
        let mut conn = Connection::open(&path).unwrap();
        migrate(&mut conn, 1).unwrap();
        assert!(!tables(&conn).iter().any(|t| t == "ledger"));
        let spec = include_str!("../../smsplan-formats/tests/golden/v1/campaign/minimal.json");
        let spec: CampaignSpec = serde_json::from_str(spec).unwrap();
        conn.execute(
            "INSERT INTO campaigns (id, revision, spec, created_at, updated_at) VALUES ('old', 1, ?1, 0, 0)",
            [serde_json::to_string(&spec).unwrap()],
        )
        .unwrap();
        drop(conn);
        let store = SqliteStore::open(&path).unwrap();
        assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
        let id: CampaignId = "old".parse().unwrap();
        assert_eq!(store.campaign(&id).unwrap().spec, spec);
        // The tables of the later versions work.
        store
            .claim(&id, "runner", at(), Duration::from_secs(5))
            .unwrap();
        assert_eq!(
            store.balance(Currency::EUR).unwrap(),
            Money::zero(Currency::EUR)
        );
    }

    #[test]
    fn a_newer_version_database_is_refused_untouched() {
        let dir = temp("newer");
        let path = dir.path();
        let mut conn = Connection::open(&path).unwrap();
        migrate(&mut conn, SCHEMA_VERSION).unwrap();
        conn.execute("UPDATE schema_version SET version = 99", [])
            .unwrap();
        drop(conn);
        match SqliteStore::open(&path) {
            Err(StoreError::SchemaTooNew { found, supported }) => {
                assert_eq!((found, supported), (99, SCHEMA_VERSION));
            }
            other => panic!("{other:?}"),
        }
        let conn = Connection::open(&path).unwrap();
        let v: i64 = conn
            .query_row("SELECT version FROM schema_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(v, 99);
    }

    #[test]
    fn a_failed_migration_leaves_the_previous_version() {
        let dir = temp("failed-migration");
        let path = dir.path();
        let mut conn = Connection::open(&path).unwrap();
        migrate(&mut conn, 1).unwrap();
        // Something in the way of migration 2: it must roll back as a whole.
        conn.execute_batch("CREATE TABLE balances (x INTEGER);")
            .unwrap();
        drop(conn);
        assert!(matches!(
            SqliteStore::open(&path),
            Err(StoreError::Backend {
                operation: "migrate schema",
                ..
            })
        ));
        let conn = Connection::open(&path).unwrap();
        let v: i64 = conn
            .query_row("SELECT version FROM schema_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(v, 1);
        assert!(
            !tables(&conn).iter().any(|t| t == "claims"),
            "migration 2 rolled back whole"
        );
    }

    #[test]
    fn tampered_documents_are_reported_without_their_content() {
        let dir = temp("tampered");
        let path = dir.path();
        let store = SqliteStore::open(&path).unwrap();
        let spec = include_str!("../../smsplan-formats/tests/golden/v1/campaign/minimal.json");
        let spec: CampaignSpec = serde_json::from_str(spec).unwrap();
        let plan = include_str!("../../smsplan-formats/tests/golden/v1/plan/minimal.json");
        let plan: SendPlan = serde_json::from_str(plan).unwrap();
        let id: CampaignId = "c".parse().unwrap();
        store.create_campaign(&id, &spec, at()).unwrap();
        store.put_plan(&id, &plan, at()).unwrap();
        let conn = store.lock();
        conn.execute("UPDATE plans SET plan = replace(plan, '+33', '+34')", [])
            .unwrap();
        conn.execute(
            "UPDATE campaigns SET spec = '{\"format\": \"smsplan.campaign/v1\", \"name\": 7, \"phone\": \"+33612345678\"}'",
            [],
        )
        .unwrap();
        drop(conn);
        let err = store.latest_plan(&id).unwrap_err();
        assert!(err.to_string().contains("digest mismatch"), "{err}");
        let err = store.campaign(&id).unwrap_err();
        let text = format!(
            "{err} / {:?}",
            std::error::Error::source(&err).map(ToString::to_string)
        );
        assert!(text.contains("line 1"), "{text}");
        assert!(!text.contains("612345678"), "{text}");
    }
}
