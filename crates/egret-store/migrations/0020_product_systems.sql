-- Product systems (LCA models) an organisation builds, the calculations
-- made on them, and the footprints its suppliers serve over PACT.
-- Versions, calculations and received footprints are insert-only.
-- Tenant tables lead with org_id (primary and unique keys).

CREATE TABLE product_systems (
    org_id       TEXT NOT NULL,
    system_id    TEXT NOT NULL,
    -- The name of the latest version (for ordering lists).
    name         TEXT NOT NULL,
    created_by   TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    PRIMARY KEY (org_id, system_id)
);

-- Saving a product system inserts a new version; none is ever changed.
CREATE TABLE product_system_versions (
    org_id       TEXT NOT NULL,
    system_id    TEXT NOT NULL,
    version      BIGINT NOT NULL,
    -- JSON of the model and its SHA-256.
    model        TEXT NOT NULL,
    digest       TEXT NOT NULL,
    note         TEXT NOT NULL,
    saved_by     TEXT NOT NULL,
    saved_at     TEXT NOT NULL,
    PRIMARY KEY (org_id, system_id, version)
);

-- A calculation of one version: the options, the exact result (JSON with
-- decimals as text) and a SHA-256 over the organisation, system, version,
-- model digest, options and result.
CREATE TABLE lca_calculations (
    org_id         TEXT NOT NULL,
    calculation_id TEXT NOT NULL,
    system_id      TEXT NOT NULL,
    version        BIGINT NOT NULL,
    model_digest   TEXT NOT NULL,
    options        TEXT NOT NULL,
    result         TEXT NOT NULL,
    digest         TEXT NOT NULL,
    computed_by    TEXT NOT NULL,
    computed_at    TEXT NOT NULL,
    PRIMARY KEY (org_id, calculation_id)
);

-- Suppliers whose PACT endpoints the organisation reads. The client
-- secret is kept as given (it is presented to the supplier): protect the
-- database accordingly.
CREATE TABLE pact_suppliers (
    org_id        TEXT NOT NULL,
    supplier_id   TEXT NOT NULL,
    name          TEXT NOT NULL,
    base_url      TEXT NOT NULL,
    client_id     TEXT NOT NULL,
    client_secret TEXT NOT NULL,
    created_by    TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    PRIMARY KEY (org_id, supplier_id)
);

-- Footprints as received, verbatim (canonical JSON) with their SHA-256:
-- fetching an unchanged document again adds nothing, a changed one (e.g.
-- now Deprecated) is a new row.
CREATE TABLE received_footprints (
    org_id        TEXT NOT NULL,
    received_id   TEXT NOT NULL,
    supplier_id   TEXT NOT NULL,
    pf_id         TEXT NOT NULL,
    status        TEXT NOT NULL,
    spec_version  TEXT NOT NULL,
    document      TEXT NOT NULL,
    digest        TEXT NOT NULL,
    fetched_by    TEXT NOT NULL,
    fetched_at    TEXT NOT NULL,
    PRIMARY KEY (org_id, received_id),
    UNIQUE (org_id, supplier_id, pf_id, digest)
);

CREATE INDEX lca_calculations_system ON lca_calculations (org_id, system_id, computed_at);
CREATE INDEX received_footprints_pf ON received_footprints (org_id, supplier_id, pf_id, fetched_at);
