-- Schema version 2: runner leases, the dispatch ledger and the credits ledger.

-- One row per campaign ever claimed; `token` only grows (fencing).
CREATE TABLE claims (
    campaign    TEXT PRIMARY KEY REFERENCES campaigns (id),
    owner       TEXT NOT NULL,
    token       INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL
);

-- One row per message part: the intent before the submit, the receipt after.
-- state: intended (no receipt: in doubt after a crash), submitted, not_sent, abandoned, retry.
CREATE TABLE ledger (
    campaign     TEXT NOT NULL REFERENCES campaigns (id),
    message      TEXT NOT NULL,
    part         INTEGER NOT NULL,
    parts        INTEGER NOT NULL,
    contact      TEXT NOT NULL,
    attempt      INTEGER NOT NULL,
    state        TEXT NOT NULL,
    submission   TEXT,                  -- accepted, queued, already_submitted; NULL: proved by a report
    price_micros INTEGER NOT NULL,      -- debited for this attempt, refunded when not sent
    currency     TEXT NOT NULL,
    intended_at  INTEGER NOT NULL,
    settled_at   INTEGER,
    PRIMARY KEY (message, part)
) WITHOUT ROWID;                        -- one b-tree per change, not a table and an index
CREATE INDEX ledger_by_campaign_state ON ledger (campaign, state);

CREATE TABLE balances (
    currency    TEXT PRIMARY KEY,
    micros      INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE credits (
    seq         INTEGER PRIMARY KEY,    -- rows are never deleted: no AUTOINCREMENT needed
    currency    TEXT NOT NULL,
    micros      INTEGER NOT NULL,       -- signed: debits are negative
    kind        TEXT NOT NULL,          -- top_up, debit, refund
    at          INTEGER NOT NULL,
    note        TEXT NOT NULL
);
