-- Green finance for banks. A bank is an organisation of the register (a
-- financial institution) that its bank-role users are bound to; its id
-- leads every key (tenant tables).

-- The bank's preference rule files (TOML as uploaded), every version kept;
-- the highest version applies.
CREATE TABLE bank_rule_sets (
    bank_org_id   TEXT NOT NULL,
    version_no    BIGINT NOT NULL,
    rule_set_key  TEXT NOT NULL,
    source        TEXT NOT NULL,
    digest        TEXT NOT NULL,
    uploaded_by   TEXT NOT NULL,
    uploaded_at   TEXT NOT NULL,
    PRIMARY KEY (bank_org_id, version_no)
);

-- Loans and bonds tagged against a green-finance catalogue edition in force
-- on the approval day. Amounts in minor units (fen for CNY), exact.
CREATE TABLE green_facilities (
    bank_org_id     TEXT NOT NULL,
    facility_id     TEXT NOT NULL,
    reference       TEXT NOT NULL,
    kind            TEXT NOT NULL,
    borrower_org_id TEXT NOT NULL,
    amount_minor    BIGINT NOT NULL,
    currency        TEXT NOT NULL,
    approved_on     TEXT NOT NULL,
    edition         TEXT NOT NULL,
    item_code       TEXT NOT NULL,
    recorded_by     TEXT NOT NULL,
    recorded_at     TEXT NOT NULL,
    PRIMARY KEY (bank_org_id, facility_id),
    UNIQUE (bank_org_id, reference)
);

-- Every call of the bank API, written in batches by the server.
CREATE TABLE bank_api_calls (
    bank_org_id    TEXT NOT NULL,
    call_id        TEXT NOT NULL,
    at             TEXT NOT NULL,
    token_id       TEXT NOT NULL,
    user_id        TEXT NOT NULL,
    method         TEXT NOT NULL,
    path           TEXT NOT NULL,
    status         INTEGER NOT NULL,
    micros         BIGINT NOT NULL,
    PRIMARY KEY (bank_org_id, call_id)
);
CREATE INDEX bank_api_calls_at ON bank_api_calls (bank_org_id, at);
