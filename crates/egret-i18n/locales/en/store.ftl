# Storage errors shown to users.
store-not-found = { $entity } “{ $id }” was not found or you may not see it.
store-forbidden = You are not allowed to do this ({ $action }).
store-invalid = { $count } field(s) are invalid.
store-internal = An internal error occurred; nothing was changed. Please try again or contact the platform administrator.
store-bad-url = Unsupported database URL “{ $url }”: use sqlite:PATH or postgres://…
store-amount-out-of-range = The amount { $value } cannot be stored exactly (at most 2 decimal places, below 92 trillion).
store-uscc-taken = The credit code { $uscc } is already registered.
store-uscc-immutable = The credit code of a registered organisation cannot be changed (it is { $uscc }).
store-stale-version = Someone else changed this record meanwhile (you edited version { $expected }, it is now { $stored }). Reload and try again.
store-period-exists = A reporting period for fiscal year { $year } already exists.
store-bad-email = “{ $email }” is not a valid e-mail address.
store-role-no-orgs = Accounts with the role { $role } are not bound to organisations.
store-email-taken = An account with the e-mail { $email } already exists.
store-password-short = The password must have at least { $min } characters.
store-token-name = Give the token a name of 1 to 100 characters.
