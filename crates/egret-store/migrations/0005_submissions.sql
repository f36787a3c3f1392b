-- Submitted disclosures: frozen snapshots in a SHA-256 hash chain per
-- organisation. Rows are only ever inserted; publication and withdrawal
-- are events. Tenant tables, org_id first.

CREATE TABLE submissions (
    org_id        TEXT NOT NULL,
    submission_id TEXT NOT NULL,
    -- Position in the organisation's chain, 1, 2, 3, ...
    seq           BIGINT NOT NULL,
    period_id     TEXT NOT NULL,
    catalog_key   TEXT NOT NULL,
    -- 1 for the first submission of a period and catalog; corrections count up.
    version       BIGINT NOT NULL,
    reason        TEXT,
    -- The canonical JSON snapshot the digest is computed over.
    snapshot      TEXT NOT NULL,
    prev_digest   TEXT NOT NULL,
    digest        TEXT NOT NULL,
    submitted_by  TEXT NOT NULL,
    submitted_at  TEXT NOT NULL,
    PRIMARY KEY (org_id, submission_id),
    UNIQUE (org_id, seq),
    FOREIGN KEY (org_id, period_id) REFERENCES reporting_periods (org_id, period_id)
);

CREATE TABLE submission_events (
    org_id        TEXT NOT NULL,
    submission_id TEXT NOT NULL,
    event_id      TEXT NOT NULL,
    -- publish | withdraw
    action        TEXT NOT NULL,
    reason        TEXT,
    actor         TEXT NOT NULL,
    at            TEXT NOT NULL,
    PRIMARY KEY (org_id, submission_id, event_id),
    FOREIGN KEY (org_id, submission_id) REFERENCES submissions (org_id, submission_id)
);
