-- Rating runs and their results. A run rates every organisation with a
-- published report of a fiscal year under a named methodology version;
-- results are never changed (a new run is a new run). Since this
-- migration, submission_figures also holds non-numeric facts: booleans as
-- 1/0 with unit `bool`, other answers as unit `answered`, explanations as
-- unit `explained` (no value).

CREATE TABLE rating_runs (
    run_id        TEXT NOT NULL PRIMARY KEY,
    methodology   TEXT NOT NULL,
    fiscal_year   BIGINT NOT NULL,
    organisations BIGINT NOT NULL,
    -- SHA-256 over the canonical results.
    digest        TEXT NOT NULL,
    run_by        TEXT NOT NULL,
    run_at        TEXT NOT NULL
);

CREATE TABLE rating_results (
    org_id        TEXT NOT NULL,
    run_id        TEXT NOT NULL,
    score         TEXT NOT NULL,
    grade         TEXT NOT NULL,
    quality       TEXT NOT NULL,
    peer_group    TEXT NOT NULL,
    -- The full result (pillars, indicators, deduction, coverage) as JSON.
    detail        TEXT NOT NULL,
    PRIMARY KEY (org_id, run_id)
);
CREATE INDEX rating_results_run ON rating_results (run_id, org_id);
