-- Egret foundation schema. One migration history for SQLite and PostgreSQL:
-- only the portable subset of SQL and the column types sqlx's Any driver
-- carries (TEXT, BIGINT). Booleans are BIGINT 0/1, timestamps are RFC 3339
-- UTC text, money is BIGINT fen (0.01 CNY), ids are UUIDv7 text.
--
-- Tenancy: every table holding an organisation's data has org_id first in
-- its primary key and in every unique key, so PostgreSQL + Citus can
-- distribute it by org_id. Tables without org_id are reference or
-- platform tables (users, sessions, tokens, the credit-code directory).

CREATE TABLE users (
    user_id       TEXT PRIMARY KEY,
    email         TEXT NOT NULL,
    display_name  TEXT NOT NULL,
    role          TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    lang          TEXT NOT NULL,
    active        BIGINT NOT NULL,
    created_at    TEXT NOT NULL
);
CREATE UNIQUE INDEX users_email ON users (email);

CREATE TABLE organizations (
    org_id                TEXT NOT NULL,
    uscc                  TEXT NOT NULL,
    name_zh               TEXT NOT NULL,
    name_en               TEXT,
    industry_code         TEXT NOT NULL,
    cluster               TEXT,
    ownership             TEXT NOT NULL,
    foreign_business      BIGINT NOT NULL,
    financial_institution BIGINT NOT NULL,
    district              TEXT NOT NULL,
    employees             BIGINT,
    revenue_fen           BIGINT,
    total_assets_fen      BIGINT,
    size_basis_year       BIGINT,
    size_class            TEXT,
    is_listed             BIGINT NOT NULL,
    state_controlled      BIGINT NOT NULL,
    sr_mandatory          BIGINT NOT NULL,
    synthetic             BIGINT NOT NULL,
    version               BIGINT NOT NULL,
    created_at            TEXT NOT NULL,
    created_by            TEXT NOT NULL,
    updated_at            TEXT NOT NULL,
    updated_by            TEXT NOT NULL,
    PRIMARY KEY (org_id)
);
CREATE INDEX organizations_district ON organizations (district, org_id);
CREATE INDEX organizations_cluster ON organizations (cluster, org_id);
CREATE INDEX organizations_name ON organizations (name_zh);

-- The credit code is unique across the whole register. A distributed table
-- cannot enforce that, so the directory from code to organisation is a
-- reference table of its own.
CREATE TABLE uscc_directory (
    uscc   TEXT PRIMARY KEY,
    org_id TEXT NOT NULL
);

CREATE TABLE org_listings (
    org_id   TEXT NOT NULL,
    seq      BIGINT NOT NULL,
    exchange TEXT NOT NULL,
    ticker   TEXT NOT NULL,
    indices  TEXT NOT NULL,
    PRIMARY KEY (org_id, seq),
    FOREIGN KEY (org_id) REFERENCES organizations (org_id)
);

CREATE TABLE org_zones (
    org_id  TEXT NOT NULL,
    zone_id TEXT NOT NULL,
    PRIMARY KEY (org_id, zone_id),
    FOREIGN KEY (org_id) REFERENCES organizations (org_id)
);
CREATE INDEX org_zones_zone ON org_zones (zone_id, org_id);

CREATE TABLE sites (
    org_id     TEXT NOT NULL,
    site_id    TEXT NOT NULL,
    name_zh    TEXT NOT NULL,
    name_en    TEXT,
    kind       TEXT NOT NULL,
    district   TEXT NOT NULL,
    address    TEXT,
    zone_id    TEXT,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    PRIMARY KEY (org_id, site_id),
    FOREIGN KEY (org_id) REFERENCES organizations (org_id)
);

CREATE TABLE reporting_periods (
    org_id      TEXT NOT NULL,
    period_id   TEXT NOT NULL,
    fiscal_year BIGINT NOT NULL,
    start_date  TEXT NOT NULL,
    end_date    TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    PRIMARY KEY (org_id, period_id),
    FOREIGN KEY (org_id) REFERENCES organizations (org_id)
);
CREATE UNIQUE INDEX reporting_periods_year ON reporting_periods (org_id, fiscal_year);

-- Users bound to organisations: enterprise staff (member) and assurers
-- (engagement). Tenant data: org_id first.
CREATE TABLE org_bindings (
    org_id     TEXT NOT NULL,
    user_id    TEXT NOT NULL,
    relation   TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (org_id, user_id),
    FOREIGN KEY (org_id) REFERENCES organizations (org_id)
);
CREATE INDEX org_bindings_user ON org_bindings (user_id);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL,
    csrf_token TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE api_tokens (
    token_hash   TEXT PRIMARY KEY,
    token_id     TEXT NOT NULL,
    user_id      TEXT NOT NULL,
    name         TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    last_used_at TEXT,
    revoked_at   TEXT
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

-- Every write, with who, when, what and the state before and after.
-- tenant_id is the organisation's id, or '_platform' for platform records.
CREATE TABLE audit_log (
    tenant_id   TEXT NOT NULL,
    audit_id    TEXT NOT NULL,
    at          TEXT NOT NULL,
    actor       TEXT NOT NULL,
    actor_role  TEXT NOT NULL,
    entity      TEXT NOT NULL,
    entity_id   TEXT NOT NULL,
    action      TEXT NOT NULL,
    before_json TEXT,
    after_json  TEXT,
    PRIMARY KEY (tenant_id, audit_id)
);
CREATE INDEX audit_log_entity ON audit_log (tenant_id, entity, entity_id);
