-- Controversies recorded against an organisation (environmental
-- penalties, safety accidents, corruption cases), with their source. The
-- rating deducts points for them, decaying by year. Tenant table.

CREATE TABLE controversies (
    org_id        TEXT NOT NULL,
    event_id      TEXT NOT NULL,
    -- A controversy kind of the methodology (environmental-penalty, ...).
    kind          TEXT NOT NULL,
    occurred_on   TEXT NOT NULL,
    description   TEXT NOT NULL,
    source        TEXT NOT NULL,
    recorded_by   TEXT NOT NULL,
    recorded_at   TEXT NOT NULL,
    PRIMARY KEY (org_id, event_id)
);
