-- PACT data exchange: each organisation hosts its own PACT endpoint.
-- Its staff register the partners (OAuth2 clients) that may read its
-- published footprints; access tokens are short-lived; events partners
-- send (footprint requests, publications) are kept as received.

CREATE TABLE pact_clients (
    org_id        TEXT NOT NULL,
    client_id     TEXT NOT NULL,
    -- SHA-256 of the client secret (24 random bytes, shown once).
    secret_hash   TEXT NOT NULL,
    name          TEXT NOT NULL,
    created_by    TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    revoked_at    TEXT,
    PRIMARY KEY (org_id, client_id)
);

CREATE TABLE pact_tokens (
    org_id        TEXT NOT NULL,
    token_hash    TEXT NOT NULL,
    client_id     TEXT NOT NULL,
    expires_at    TEXT NOT NULL,
    PRIMARY KEY (org_id, token_hash)
);

CREATE TABLE pact_events (
    org_id        TEXT NOT NULL,
    event_id      TEXT NOT NULL,
    client_id     TEXT NOT NULL,
    -- The CloudEvents id and type as sent.
    source_id     TEXT NOT NULL,
    event_type    TEXT NOT NULL,
    body          TEXT NOT NULL,
    received_at   TEXT NOT NULL,
    PRIMARY KEY (org_id, event_id)
);
