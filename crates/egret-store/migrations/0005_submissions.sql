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

-- Assurance engagements on a submission: the assurer (a user with the
-- assurer role bound to the organisation), the standard and level, scope,
-- criteria and materiality; findings per data point that the enterprise
-- answers (with a corrected submission where needed); and the signed
-- conclusion on the version finally assured.
CREATE TABLE engagements (
    org_id        TEXT NOT NULL,
    engagement_id TEXT NOT NULL,
    submission_id TEXT NOT NULL,
    assurer_id    TEXT NOT NULL,
    provider      TEXT NOT NULL,
    standard      TEXT NOT NULL,
    level         TEXT NOT NULL,
    -- JSON array of data point ids in scope.
    scope         TEXT NOT NULL,
    criteria      TEXT NOT NULL,
    materiality   TEXT,
    created_by    TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    PRIMARY KEY (org_id, engagement_id),
    FOREIGN KEY (org_id, submission_id) REFERENCES submissions (org_id, submission_id)
);

CREATE TABLE engagement_findings (
    org_id        TEXT NOT NULL,
    engagement_id TEXT NOT NULL,
    finding_id    TEXT NOT NULL,
    datapoint     TEXT NOT NULL,
    finding       TEXT NOT NULL,
    requested_correction TEXT,
    raised_by     TEXT NOT NULL,
    raised_at     TEXT NOT NULL,
    response      TEXT,
    responded_by  TEXT,
    responded_at  TEXT,
    PRIMARY KEY (org_id, engagement_id, finding_id),
    FOREIGN KEY (org_id, engagement_id) REFERENCES engagements (org_id, engagement_id)
);

CREATE TABLE engagement_conclusions (
    org_id        TEXT NOT NULL,
    engagement_id TEXT NOT NULL,
    -- The version the conclusion is on (the last correction).
    submission_id TEXT NOT NULL,
    procedures    TEXT NOT NULL,
    conclusion    TEXT NOT NULL,
    practitioner  TEXT NOT NULL,
    signed_by     TEXT NOT NULL,
    signed_at     TEXT NOT NULL,
    PRIMARY KEY (org_id, engagement_id),
    FOREIGN KEY (org_id, submission_id) REFERENCES submissions (org_id, submission_id)
);
