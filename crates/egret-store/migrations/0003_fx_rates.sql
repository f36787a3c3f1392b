-- Exchange rates an organisation uses for a reporting period (the rates of
-- its financial statements); they take precedence over the reference rates
-- shipped in data/reference/currencies.toml. Tenant-owned: org_id leads.
CREATE TABLE fx_rates (
    org_id        TEXT NOT NULL,
    period_id     TEXT NOT NULL,
    currency      TEXT NOT NULL,
    -- Yuan per one unit of the currency, exact decimal text.
    cny_per_unit  TEXT NOT NULL,
    note          TEXT NOT NULL,
    entered_by    TEXT NOT NULL,
    entered_at    TEXT NOT NULL,
    PRIMARY KEY (org_id, period_id, currency),
    FOREIGN KEY (org_id, period_id) REFERENCES reporting_periods (org_id, period_id)
);
