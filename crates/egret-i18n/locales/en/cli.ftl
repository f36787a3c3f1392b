# Command-line messages.
cli-uscc-valid = valid: { $code } (type { $type }, registered in { $division })
cli-uscc-invalid = invalid: { $code }: { $reason }
cli-demo-loaded = Demo city loaded: { $orgs } organisations, { $sites } sites, { $periods } reporting periods, { $users } accounts, { $values } ESG values in { $seconds } s (synthetic data).
cli-demo-present = The demo city is already in this database; nothing was written.
cli-demo-not-empty = This database already holds organisations that are not demo data; the demo city was not written. Use a new database (--db).
cli-catalog-ok = All { $catalogs } catalogs and { $datapoints } data points are valid.
cli-catalog-errors = { $count } error(s) in the catalog files.
