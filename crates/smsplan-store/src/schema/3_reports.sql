-- Schema version 3: what comes back: delivery reports, inbound messages, consents, test SMS.

-- The latest state of each part (forward only), and how many reports were received.
CREATE TABLE deliveries (
    message     TEXT NOT NULL,
    part        INTEGER NOT NULL,
    state       TEXT NOT NULL,
    code        TEXT,
    reported_at INTEGER,
    updated_at  INTEGER NOT NULL,
    reports     INTEGER NOT NULL,
    PRIMARY KEY (message, part)
) WITHOUT ROWID;

CREATE TABLE inbound (
    id          TEXT PRIMARY KEY,       -- the gateway's id: repeats are dropped
    sender      TEXT NOT NULL,
    recipient   TEXT NOT NULL,
    text        TEXT NOT NULL,
    received_at INTEGER NOT NULL
);

-- The consent in force per number (E.164), and every change with its evidence.
CREATE TABLE consents (
    number      TEXT PRIMARY KEY,
    status      TEXT NOT NULL,
    changed_at  INTEGER NOT NULL,
    source      TEXT NOT NULL
);

CREATE TABLE consent_changes (
    seq         INTEGER PRIMARY KEY,
    number      TEXT NOT NULL,
    status      TEXT NOT NULL,
    at          INTEGER NOT NULL,
    source      TEXT NOT NULL,
    inbound     TEXT REFERENCES inbound (id)
);

CREATE TABLE test_sms (
    campaign    TEXT NOT NULL REFERENCES campaigns (id),
    seq         INTEGER NOT NULL,
    number      TEXT NOT NULL,
    contact     TEXT,
    message     TEXT NOT NULL,
    at          INTEGER NOT NULL,
    PRIMARY KEY (campaign, seq)
);
