-- Schema version 4: the final outcome of the rows the ledger does not settle: expired by
-- the deadline, opted out before their submit, refused by the dispatcher or the gateway.
-- The first outcome recorded for a message stays (a row is final once).
CREATE TABLE row_outcomes (
    message     TEXT PRIMARY KEY,
    campaign    TEXT NOT NULL REFERENCES campaigns (id),
    contact     TEXT NOT NULL,
    outcome     TEXT NOT NULL,
    detail      TEXT NOT NULL,
    at          INTEGER NOT NULL
);

CREATE INDEX row_outcomes_by_campaign ON row_outcomes (campaign);
