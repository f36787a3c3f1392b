-- Tracking the programme's measures: department members, progress
-- reports, the coordinating department's evaluations and adjustments.
-- Keyed by programme first (the programme is the tenant of this data).
-- Rows are only inserted: the history is the record.

CREATE TABLE department_members (
    programme_id  TEXT NOT NULL,
    department_id TEXT NOT NULL,
    user_id       TEXT NOT NULL,
    added_by      TEXT NOT NULL,
    added_at      TEXT NOT NULL,
    PRIMARY KEY (programme_id, user_id),
    FOREIGN KEY (user_id) REFERENCES users (user_id)
);

CREATE TABLE measure_reports (
    programme_id   TEXT NOT NULL,
    report_id      TEXT NOT NULL,
    measure_number BIGINT NOT NULL,
    department_id  TEXT NOT NULL,
    -- YYYY-Qn
    period         TEXT NOT NULL,
    progress       TEXT NOT NULL,
    -- JSON: [{"indicator": id, "value": text}], [{"milestone": id, "status": s}]
    indicators     TEXT NOT NULL,
    milestones     TEXT NOT NULL,
    evidence       TEXT NOT NULL,
    submitted_by   TEXT NOT NULL,
    submitted_at   TEXT NOT NULL,
    PRIMARY KEY (programme_id, report_id)
);
CREATE INDEX measure_reports_measure ON measure_reports (programme_id, measure_number, period);

CREATE TABLE measure_evaluations (
    programme_id   TEXT NOT NULL,
    evaluation_id  TEXT NOT NULL,
    measure_number BIGINT NOT NULL,
    period         TEXT NOT NULL,
    -- on_track | at_risk | off_track
    rating         TEXT NOT NULL,
    comment        TEXT NOT NULL,
    evaluated_by   TEXT NOT NULL,
    evaluated_at   TEXT NOT NULL,
    PRIMARY KEY (programme_id, evaluation_id)
);

-- A milestone moved (new due date) or otherwise changed, with the reason.
CREATE TABLE measure_adjustments (
    programme_id   TEXT NOT NULL,
    adjustment_id  TEXT NOT NULL,
    measure_number BIGINT NOT NULL,
    milestone_id   TEXT NOT NULL,
    new_due        TEXT NOT NULL,
    reason         TEXT NOT NULL,
    adjusted_by    TEXT NOT NULL,
    adjusted_at    TEXT NOT NULL,
    PRIMARY KEY (programme_id, adjustment_id)
);
