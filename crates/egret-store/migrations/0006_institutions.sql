-- The city's registry of ESG service institutions (assurance providers,
-- verifiers, certifiers, rating agencies, consultancies): platform-level
-- data kept by the city, not owned by an enterprise tenant.

CREATE TABLE institutions (
    institution_id TEXT NOT NULL PRIMARY KEY,
    uscc           TEXT NOT NULL UNIQUE,
    name_zh        TEXT NOT NULL,
    name_en        TEXT,
    -- JSON array of service ids (data/institutions/qualifications.toml).
    services       TEXT NOT NULL,
    district       TEXT,
    -- active | suspended
    status         TEXT NOT NULL,
    registered_by  TEXT NOT NULL,
    registered_at  TEXT NOT NULL
);

-- Qualifications as recorded; a lapsed one stays (valid_to tells).
CREATE TABLE institution_qualifications (
    institution_id   TEXT NOT NULL,
    qualification_id TEXT NOT NULL,
    kind             TEXT NOT NULL,
    number           TEXT NOT NULL,
    valid_from       TEXT NOT NULL,
    valid_to         TEXT,
    scope            TEXT NOT NULL,
    recorded_by      TEXT NOT NULL,
    recorded_at      TEXT NOT NULL,
    PRIMARY KEY (institution_id, qualification_id),
    UNIQUE (institution_id, kind, number),
    FOREIGN KEY (institution_id) REFERENCES institutions (institution_id)
);

-- Practitioners: users who act for an institution.
CREATE TABLE institution_members (
    institution_id TEXT NOT NULL,
    user_id        TEXT NOT NULL,
    added_by       TEXT NOT NULL,
    added_at       TEXT NOT NULL,
    PRIMARY KEY (institution_id, user_id),
    FOREIGN KEY (institution_id) REFERENCES institutions (institution_id),
    FOREIGN KEY (user_id) REFERENCES users (user_id)
);

-- The institution an engagement was given to (NULL only for engagements
-- made before the registry existed).
ALTER TABLE engagements ADD COLUMN institution_id TEXT;
