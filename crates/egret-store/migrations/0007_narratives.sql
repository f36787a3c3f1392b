-- The narrative an organisation writes for each section of a report
-- (per period, catalog, section and language). Frozen into the snapshot
-- when submitted; edits before then are audited.

CREATE TABLE report_narratives (
    org_id      TEXT NOT NULL,
    period_id   TEXT NOT NULL,
    catalog_key TEXT NOT NULL,
    section_id  TEXT NOT NULL,
    -- zh | en
    lang        TEXT NOT NULL,
    body        TEXT NOT NULL,
    version     BIGINT NOT NULL,
    written_by  TEXT NOT NULL,
    written_at  TEXT NOT NULL,
    PRIMARY KEY (org_id, period_id, catalog_key, section_id, lang),
    FOREIGN KEY (org_id, period_id) REFERENCES reporting_periods (org_id, period_id)
);
