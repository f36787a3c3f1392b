-- Objections to a rating, filed by the rated organisation with evidence,
-- and the analyst's resolution (upheld or dismissed, with a response).
-- Tenant table: org_id first. Inserted, then resolved once.

CREATE TABLE rating_objections (
    org_id        TEXT NOT NULL,
    objection_id  TEXT NOT NULL,
    run_id        TEXT NOT NULL,
    indicator     TEXT,
    objection     TEXT NOT NULL,
    evidence      TEXT NOT NULL,
    filed_by      TEXT NOT NULL,
    filed_at      TEXT NOT NULL,
    -- upheld | dismissed (NULL while open)
    resolution    TEXT,
    response      TEXT,
    resolved_by   TEXT,
    resolved_at   TEXT,
    PRIMARY KEY (org_id, objection_id),
    FOREIGN KEY (org_id, run_id) REFERENCES rating_results (org_id, run_id)
);
