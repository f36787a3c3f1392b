-- Excellent cases: curated write-ups of an organisation's practice, linked
-- to the published report that evidences them, published by the city or an
-- analyst. Tenant table: org_id first.

CREATE TABLE excellent_cases (
    org_id        TEXT NOT NULL,
    case_id       TEXT NOT NULL,
    title_zh      TEXT NOT NULL,
    title_en      TEXT,
    body_zh       TEXT NOT NULL,
    body_en       TEXT,
    -- The published submission the case rests on.
    submission_id TEXT NOT NULL,
    published_by  TEXT NOT NULL,
    published_at  TEXT NOT NULL,
    PRIMARY KEY (org_id, case_id),
    FOREIGN KEY (org_id, submission_id) REFERENCES submissions (org_id, submission_id)
);
