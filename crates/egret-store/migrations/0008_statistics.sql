-- Figures of a submission (numeric totals, as frozen in its snapshot),
-- written with the submission and never changed: the city's statistics
-- read them instead of re-parsing every snapshot.

CREATE TABLE submission_figures (
    org_id        TEXT NOT NULL,
    submission_id TEXT NOT NULL,
    datapoint_id  TEXT NOT NULL,
    -- Exact decimal text and the unit as entered.
    value_text    TEXT NOT NULL,
    unit          TEXT NOT NULL,
    PRIMARY KEY (org_id, submission_id, datapoint_id),
    FOREIGN KEY (org_id, submission_id) REFERENCES submissions (org_id, submission_id)
);
