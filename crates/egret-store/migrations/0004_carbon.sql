-- Carbon accounting: activity data per organisation, site and period, and
-- calculation runs with per-record results. Tenant tables lead with
-- org_id. Quantities and results are exact decimal text.

CREATE TABLE carbon_activities (
    org_id        TEXT NOT NULL,
    period_id     TEXT NOT NULL,
    activity_id   TEXT NOT NULL,
    site_id       TEXT,
    -- scope1.stationary ... scope3.c15
    category      TEXT NOT NULL,
    description   TEXT,
    quantity      TEXT NOT NULL,
    unit          TEXT NOT NULL,
    factor_id     TEXT NOT NULL,
    -- Market-based scope 2: contractual instrument and supplier factor.
    instrument    TEXT,
    market_factor TEXT,
    source        TEXT NOT NULL,
    source_ref    TEXT,
    version       BIGINT NOT NULL,
    entered_by    TEXT NOT NULL,
    entered_at    TEXT NOT NULL,
    PRIMARY KEY (org_id, period_id, activity_id),
    FOREIGN KEY (org_id, period_id) REFERENCES reporting_periods (org_id, period_id)
);

-- A calculation of a period's inventory. Never updated: a new calculation
-- is a new run; the latest run is the current inventory.
CREATE TABLE carbon_runs (
    org_id          TEXT NOT NULL,
    run_id          TEXT NOT NULL,
    period_id       TEXT NOT NULL,
    gwp_set         TEXT NOT NULL,
    library_version TEXT NOT NULL,
    activities      BIGINT NOT NULL,
    scope1_t        TEXT NOT NULL,
    scope2_location_t TEXT NOT NULL,
    scope2_market_t TEXT NOT NULL,
    scope3_t        TEXT NOT NULL,
    computed_by     TEXT NOT NULL,
    computed_at     TEXT NOT NULL,
    PRIMARY KEY (org_id, run_id),
    FOREIGN KEY (org_id, period_id) REFERENCES reporting_periods (org_id, period_id)
);

CREATE TABLE carbon_results (
    org_id        TEXT NOT NULL,
    run_id        TEXT NOT NULL,
    activity_id   TEXT NOT NULL,
    site_id       TEXT,
    category      TEXT NOT NULL,
    quantity      TEXT NOT NULL,
    unit          TEXT NOT NULL,
    factor_id     TEXT NOT NULL,
    co2e_t        TEXT NOT NULL,
    -- Market-based CO2e for purchased electricity, else NULL.
    co2e_market_t TEXT,
    market_factor TEXT,
    -- Tonnes per gas: "CO2=1.5;CH4-fossil=0.001".
    gases         TEXT NOT NULL,
    PRIMARY KEY (org_id, run_id, activity_id),
    FOREIGN KEY (org_id, run_id) REFERENCES carbon_runs (org_id, run_id)
);

-- Emission factors an organisation adds for its own use (supplier-specific
-- factors, EPDs); ids start with "org.". Never replace library factors.
CREATE TABLE org_factors (
    org_id      TEXT NOT NULL,
    factor_id   TEXT NOT NULL,
    -- The factor as entered (JSON), with its source.
    definition  TEXT NOT NULL,
    entered_by  TEXT NOT NULL,
    entered_at  TEXT NOT NULL,
    PRIMARY KEY (org_id, factor_id),
    FOREIGN KEY (org_id) REFERENCES organizations (org_id)
);

-- Emission factors the city adds for everyone; ids start with "city.".
-- Shared reference data: no tenant id.
CREATE TABLE shared_factors (
    factor_id   TEXT NOT NULL PRIMARY KEY,
    definition  TEXT NOT NULL,
    entered_by  TEXT NOT NULL,
    entered_at  TEXT NOT NULL
);

-- Production output of a period (e.g. tonnes of cement, 10,000 pieces),
-- for emission intensities per unit of output.
CREATE TABLE carbon_outputs (
    org_id       TEXT NOT NULL,
    period_id    TEXT NOT NULL,
    output_id    TEXT NOT NULL,
    description  TEXT NOT NULL,
    quantity     TEXT NOT NULL,
    unit         TEXT NOT NULL,
    entered_by   TEXT NOT NULL,
    entered_at   TEXT NOT NULL,
    PRIMARY KEY (org_id, period_id, output_id),
    FOREIGN KEY (org_id, period_id) REFERENCES reporting_periods (org_id, period_id)
);
