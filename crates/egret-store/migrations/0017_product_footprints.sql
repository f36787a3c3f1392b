-- Product carbon footprints: each version is a new row that is never
-- changed (a correction names the version it replaces); publication is an
-- insert-only event. Tenant tables lead with org_id.

CREATE TABLE product_footprints (
    org_id           TEXT NOT NULL,
    pcf_id           TEXT NOT NULL,
    -- The first product id (URN): the versions of one product's footprint.
    product_key      TEXT NOT NULL,
    version          BIGINT NOT NULL,
    preceding_pcf_id TEXT,
    -- Canonical JSON of the footprint as entered, and its SHA-256.
    record           TEXT NOT NULL,
    digest           TEXT NOT NULL,
    created_by       TEXT NOT NULL,
    created_at       TEXT NOT NULL,
    PRIMARY KEY (org_id, pcf_id),
    UNIQUE (org_id, product_key, version)
);

CREATE TABLE pcf_publications (
    org_id       TEXT NOT NULL,
    pcf_id       TEXT NOT NULL,
    published_by TEXT NOT NULL,
    published_at TEXT NOT NULL,
    PRIMARY KEY (org_id, pcf_id)
);

-- Certificates signed by a practitioner of a registered institution
-- qualified for PCF certification; the digest covers the certificate, the
-- footprint's digest, the institution and the signer.
CREATE TABLE pcf_certificates (
    org_id         TEXT NOT NULL,
    certificate_id TEXT NOT NULL,
    pcf_id         TEXT NOT NULL,
    institution_id TEXT NOT NULL,
    number         TEXT NOT NULL,
    standard       TEXT NOT NULL,
    scope          TEXT NOT NULL,
    valid_from     TEXT NOT NULL,
    valid_to       TEXT NOT NULL,
    statement      TEXT NOT NULL,
    pcf_digest     TEXT NOT NULL,
    digest         TEXT NOT NULL,
    signed_by      TEXT NOT NULL,
    signed_at      TEXT NOT NULL,
    PRIMARY KEY (org_id, certificate_id),
    UNIQUE (org_id, number)
);

-- Public look-up of a certificate by its digest (shared, like the credit
-- code directory).
CREATE TABLE certificate_directory (
    digest         TEXT PRIMARY KEY,
    org_id         TEXT NOT NULL,
    certificate_id TEXT NOT NULL
);
