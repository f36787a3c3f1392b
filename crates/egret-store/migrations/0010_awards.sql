-- Award applications, their workflow events (approve, reject, pay) and the
-- grants that make paying an award twice impossible: one grant per
-- organisation, programme and award. Rows are only inserted. Tenant
-- tables: org_id first.

CREATE TABLE award_applications (
    org_id         TEXT NOT NULL,
    application_id TEXT NOT NULL,
    programme_id   TEXT NOT NULL,
    award_id       TEXT NOT NULL,
    -- The eligibility check at application (JSON), for the record.
    eligibility    TEXT NOT NULL,
    applied_by     TEXT NOT NULL,
    applied_at     TEXT NOT NULL,
    PRIMARY KEY (org_id, application_id)
);

CREATE TABLE award_events (
    org_id         TEXT NOT NULL,
    application_id TEXT NOT NULL,
    event_id       TEXT NOT NULL,
    -- approve | reject | pay
    action         TEXT NOT NULL,
    reason         TEXT,
    -- Payment: amount in fen and the payment reference.
    amount_fen     BIGINT,
    reference      TEXT,
    actor          TEXT NOT NULL,
    at             TEXT NOT NULL,
    PRIMARY KEY (org_id, application_id, event_id),
    FOREIGN KEY (org_id, application_id) REFERENCES award_applications (org_id, application_id)
);

CREATE TABLE award_grants (
    org_id         TEXT NOT NULL,
    programme_id   TEXT NOT NULL,
    award_id       TEXT NOT NULL,
    application_id TEXT NOT NULL,
    granted_at     TEXT NOT NULL,
    PRIMARY KEY (org_id, programme_id, award_id)
);
