-- Schema version 1: campaigns, their plans and their approval sessions.
-- Instants are integer microseconds since the Unix epoch (UTC).

CREATE TABLE campaigns (
    id          TEXT PRIMARY KEY,
    revision    INTEGER NOT NULL,
    spec        TEXT NOT NULL,          -- smsplan.campaign/v1 JSON
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);

CREATE TABLE plans (
    campaign    TEXT NOT NULL REFERENCES campaigns (id),
    revision    INTEGER NOT NULL,
    run         TEXT,                   -- the run key of a recurring campaign
    digest      TEXT NOT NULL,          -- sha256: of `plan`
    plan        TEXT NOT NULL,          -- canonical smsplan.plan/v1 JSON
    stored_at   INTEGER NOT NULL,
    PRIMARY KEY (campaign, revision)
);

CREATE TABLE sessions (
    campaign        TEXT NOT NULL REFERENCES campaigns (id),
    number          INTEGER NOT NULL,
    outside_window  TEXT NOT NULL,
    confirmation    TEXT NOT NULL,
    opened_at       INTEGER NOT NULL,
    state           TEXT NOT NULL,      -- the last event's to_state, for queries
    PRIMARY KEY (campaign, number)
);

-- The audit trail: who, when, what, from, to, why; replayed to rebuild the session.
CREATE TABLE session_events (
    campaign    TEXT NOT NULL,
    session     INTEGER NOT NULL,
    seq         INTEGER NOT NULL,
    at          INTEGER NOT NULL,
    actor       TEXT NOT NULL,
    event       TEXT NOT NULL,
    from_state  TEXT NOT NULL,
    to_state    TEXT NOT NULL,
    reason      TEXT,
    checklist   TEXT,                   -- prepare: smsplan.plan/v1 checks, JSON
    digest      TEXT,                   -- prepare, approve: the plan's digest
    PRIMARY KEY (campaign, session, seq),
    FOREIGN KEY (campaign, session) REFERENCES sessions (campaign, number)
);
