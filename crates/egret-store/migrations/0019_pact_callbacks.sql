-- Where a partner receives the answers to its footprint requests: its own
-- PACT base URL and the credentials it issued to this organisation (kept
-- usable, so in clear text: protect the database accordingly).
ALTER TABLE pact_clients ADD COLUMN callback_url TEXT;
ALTER TABLE pact_clients ADD COLUMN callback_client_id TEXT;
ALTER TABLE pact_clients ADD COLUMN callback_secret TEXT;
