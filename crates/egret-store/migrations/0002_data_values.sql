-- ESG data collection: one value per organisation, period, data point and
-- breakdown, shared by every disclosure catalog. Tenant tables, org_id
-- first.

CREATE TABLE data_values (
    org_id       TEXT NOT NULL,
    period_id    TEXT NOT NULL,
    datapoint_id TEXT NOT NULL,
    -- '' for the total, else "breakdown:member" (e.g. gender:female).
    breakdown    TEXT NOT NULL,
    -- value | not_applicable | not_disclosed
    answer       TEXT NOT NULL,
    -- The value in its canonical text form (decimal, ISO date, JSON table).
    value_text   TEXT,
    unit         TEXT,
    reason       TEXT,
    comment      TEXT,
    -- manual | import | calculated, and what it came from (file, engine run).
    source       TEXT NOT NULL,
    source_ref   TEXT,
    -- draft | reviewed
    status       TEXT NOT NULL,
    version      BIGINT NOT NULL,
    entered_by   TEXT NOT NULL,
    entered_at   TEXT NOT NULL,
    reviewed_by  TEXT,
    reviewed_at  TEXT,
    PRIMARY KEY (org_id, period_id, datapoint_id, breakdown),
    FOREIGN KEY (org_id, period_id) REFERENCES reporting_periods (org_id, period_id)
);

-- Evidence files, content-addressed by SHA-256 within the organisation.
-- The content is base64 text: the portable column type for both backends.
CREATE TABLE evidence_files (
    org_id       TEXT NOT NULL,
    sha256       TEXT NOT NULL,
    file_name    TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size_bytes   BIGINT NOT NULL,
    content_b64  TEXT NOT NULL,
    uploaded_by  TEXT NOT NULL,
    uploaded_at  TEXT NOT NULL,
    PRIMARY KEY (org_id, sha256),
    FOREIGN KEY (org_id) REFERENCES organizations (org_id)
);

CREATE TABLE value_evidence (
    org_id       TEXT NOT NULL,
    period_id    TEXT NOT NULL,
    datapoint_id TEXT NOT NULL,
    breakdown    TEXT NOT NULL,
    sha256       TEXT NOT NULL,
    linked_by    TEXT NOT NULL,
    linked_at    TEXT NOT NULL,
    PRIMARY KEY (org_id, period_id, datapoint_id, breakdown, sha256),
    FOREIGN KEY (org_id, sha256) REFERENCES evidence_files (org_id, sha256)
);

-- Spreadsheet uploads waiting for the user to confirm the shown changes.
CREATE TABLE pending_uploads (
    org_id      TEXT NOT NULL,
    upload_id   TEXT NOT NULL,
    period_id   TEXT NOT NULL,
    catalog_key TEXT NOT NULL,
    file_name   TEXT NOT NULL,
    changes     TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    PRIMARY KEY (org_id, upload_id)
);
