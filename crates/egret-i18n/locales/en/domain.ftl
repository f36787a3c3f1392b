# Domain messages: credit codes, reference data, organisations, sizes.

## Unified social credit code (GB 32100-2015)
domain-uscc-length = A unified social credit code has { $expected } characters; this one has { $found }.
domain-uscc-char = Character “{ $char }” at position { $position } is not allowed. Credit codes use digits and capital letters except I, O, S, V and Z.
domain-uscc-authority = The first character “{ $char }” is not a registration-authority code (1–9, A, N or Y).
domain-uscc-type = “{ $code }” (positions 1–2) is not a valid combination of registration authority and entity type.
domain-uscc-division = Positions 3–8 must be a six-digit administrative division code; found “{ $value }”.
domain-uscc-check = The check character (position 18) should be “{ $expected }” but is “{ $found }”. The code is probably mistyped.

## Reference data files
domain-refdata-io = Cannot read reference file { $file }: { $detail }
domain-refdata-syntax = Reference file { $file } { $location } cannot be parsed: { $detail }
domain-refdata-missing = Reference file { $file }: { $location } is missing or empty.
domain-refdata-duplicate = Reference file { $file }: { $location } repeats “{ $value }”.
domain-refdata-unknown = Reference file { $file }: { $location } refers to unknown “{ $value }”.
domain-refdata-invalid = Reference file { $file }: { $location } has invalid value “{ $value }” (expected { $rule }).

## Code lists
domain-code-unknown = “{ $value }” is not a valid choice. Allowed: { $allowed }.
domain-ownership-central-soe = Central state-owned enterprise
domain-ownership-local-soe = Local state-owned enterprise
domain-ownership-private = Private enterprise
domain-ownership-foreign-invested = Foreign-invested enterprise
domain-ownership-hk-macao-taiwan = Hong Kong, Macao or Taiwan invested enterprise
domain-ownership-other = Other ownership
domain-exchange-sse = Shanghai Stock Exchange
domain-exchange-szse = Shenzhen Stock Exchange
domain-exchange-bse = Beijing Stock Exchange
domain-exchange-hkex = Hong Kong Stock Exchange
domain-exchange-overseas = Overseas exchange
domain-size-large = Large
domain-size-medium = Medium
domain-size-small = Small
domain-size-micro = Micro
domain-site-factory = Factory
domain-site-office = Office
domain-site-warehouse = Warehouse
domain-site-store = Store
domain-site-port = Port or terminal
domain-site-data-center = Data centre
domain-site-other = Other site

## Field validation
domain-required = This field is required.
domain-too-long = Too long: at most { $max } characters, found { $found }.
domain-control-chars = Must not contain control characters such as line breaks or tabs.
domain-name-needs-cjk = The Chinese name must contain Chinese characters.
domain-industry-unknown = “{ $code }” is not a GB/T 4754-2017 industry code (2–4 digits, e.g. 3914 or C3914).
domain-cluster-unknown = “{ $value }” is not a known industry cluster.
domain-district-unknown = “{ $value }” is not a district of the city.
domain-zone-unknown = “{ $value }” is not a known pilot zone.
domain-zone-duplicate = Pilot zone “{ $value }” is listed twice.
domain-employees-range = The number of employees must be between 0 and { $max } (exclusive).
domain-money-negative = Amounts must not be negative.
domain-money-scale = “{ $value }” has more than two decimal places (amounts are in yuan).
domain-year-range = The year must be between { $min } and { $max }.
domain-financial-required = Companies in the finance section (J) must be marked as financial institutions.
domain-ticker-format = { $exchange ->
    [sse] Shanghai tickers are 6 digits starting with 60, 68 or 90
    [szse] Shenzhen tickers are 6 digits starting with 00, 30 or 20
    [bse] Beijing tickers are 6 digits starting with 8, 4 or 92
    [hkex] Hong Kong stock codes are 4 or 5 digits
   *[other] Overseas tickers have 1 to 10 characters without spaces
}; found “{ $ticker }”.
domain-index-unknown = “{ $id }” is not a known stock index.
domain-index-duplicate = Index “{ $id }” is listed twice.
domain-index-exchange = Index “{ $id }” has no constituents on { $exchange ->
    [sse] { domain-exchange-sse }
    [szse] { domain-exchange-szse }
    [bse] { domain-exchange-bse }
    [hkex] { domain-exchange-hkex }
   *[other] { domain-exchange-overseas }
}.
domain-listing-duplicate = Listing { $exchange }:{ $ticker } is entered twice.

## Reporting periods
domain-period-order = The period must end after it starts.
domain-period-span = A fiscal year must last { $min } to { $max } days; this period lasts { $days }.
domain-period-year = The fiscal year is named after the year it ends in ({ $year }).

## Enterprise size classification
domain-size-reason-finance = Financial enterprises are classified by a separate standard.
domain-size-reason-unknown-industry = Cannot classify: “{ $code }” is not a known industry code.
domain-size-reason-micro = Micro: { $indicator ->
    [employees] the number of employees
    [revenue] operating revenue
   *[assets] total assets
} is below the small-enterprise lower bound.
domain-size-reason-missing = Cannot classify yet: { $indicator ->
    [employees] the number of employees
    [revenue] operating revenue
   *[assets] total assets
} is missing.
domain-size-reason-all-met = { $class ->
    [large] { domain-size-large }
    [medium] { domain-size-medium }
   *[small] { domain-size-small }
}: every indicator meets this class's lower bound.
domain-size-reason-limited = { $class ->
    [large] { domain-size-large }
    [medium] { domain-size-medium }
   *[small] { domain-size-small }
}: limited by { $indicator ->
    [employees] the number of employees
    [revenue] operating revenue
   *[assets] total assets
}, which does not reach the next class's lower bound.
fx-rate-missing = No exchange rate for { $currency } in { $year }: enter the rate your financial statements use for this period; until then the amount is not converted to yuan or checked.
fx-rate-reference = reference rate { $year } ({ $basis })
fx-rate-own = organisation's rate ({ $note })
domain-institution-service = “{ $value }” is not a known service. See data/institutions/qualifications.toml.
domain-institution-kind = “{ $value }” is not a known qualification kind. See data/institutions/qualifications.toml.
domain-institution-dates = The end of validity is before its start.
domain-date = “{ $value }” is not a date; write it as YYYY-MM-DD.
domain-plan-measure = There is no measure { $value } in the plan.
domain-plan-period = “{ $value }” is not a quarter of the plan; write it as YYYY-Qn (e.g. 2025-Q4).
domain-plan-indicator = “{ $value }” is not an indicator of this measure that departments report.
domain-plan-number = “{ $value }” is not a number.
domain-plan-milestone = “{ $value }” is not a milestone of this measure.
domain-plan-status = “{ $value }” is not a milestone status; use not_started, in_progress or done.
domain-award-window = Applications are accepted from { $from } to { $to }.
domain-award-segment = Only for: { $en } ({ $zh }).
domain-award-assured = Needs a published { $year } report with a signed assurance conclusion.
domain-award-not-new = Not a new certification: a report was already assured on { $date }, before { $from }.

## Green-finance catalogues and bank preference rules
domain-greenfin-kind = Unknown instrument kind “{ $kind }”: use loan, bond or other.
domain-greenfin-edition = Unknown green-finance catalogue edition “{ $edition }”.
domain-greenfin-not-in-force = The catalogue { $edition } did not classify { $kind } instruments approved on { $date }; the edition in force then is { $right }.
domain-greenfin-item = Item { $item } is not in the catalogue { $edition }.
domain-bank-toml = The rule file is not valid TOML or misses a field: { $error }
domain-bank-methodology = The rules name an unknown rating methodology “{ $methodology }”.
domain-bank-combine = rules.combine must be “sum” or “best”, not “{ $value }”.
domain-bank-max-cut = rules.max_cut_bp must be zero or more.
domain-bank-emissions = emissions.datapoints must name at least one data point.
domain-bank-no-rules = The file has no [[rule]].
domain-bank-duplicate = Rule “{ $rule }” appears twice.
domain-bank-no-conditions = Rule “{ $rule }” has no condition.
domain-bank-field = Rule “{ $rule }”, condition { $n }: unknown field “{ $field }”.
domain-bank-op = Rule “{ $rule }”, condition { $n } ({ $field }): the operator is not allowed for this field.
domain-bank-value = Rule “{ $rule }”, condition { $n } ({ $field }): the value is not valid for this field.
domain-bank-verified = Rule “{ $rule }”, condition { $n } ({ $field }): “verified” applies only to emission fields.
domain-bank-missing = No data on the platform.
domain-bank-unverified = Figures not covered by a signed assurance conclusion.

## Product carbon footprints
domain-pcf-urn = Identifiers must be URNs, e.g. urn:gtin:06901234567892 or urn:pact:company.com:product-id:A1.
domain-pcf-unit = Use a PACT declared unit: liter, kilogram, cubic meter, kilowatt hour, megajoule, ton kilometer, square meter, piece, hour or megabit second.
domain-pcf-positive = Must be greater than zero.
domain-pcf-non-negative = Must not be negative.
domain-pcf-boundary = The system boundary is cradle-to-gate or cradle-to-grave.
domain-pcf-period = The end must come after the start.
domain-pcf-geography = Use an ISO 3166 country (CN) or subdivision (CN-FJ) code.
domain-pcf-standard = Name at least one known standard (ISO 14067, PAS 2050, GHG Protocol Product Standard, PACT Methodology, ISO 14044).
domain-pcf-gwp = The GWP set is AR5 or AR6.
domain-pcf-split = The footprint excluding biogenic uptake cannot be below its fossil emissions.
domain-pcf-uptake = Including biogenic uptake, the footprint cannot exceed the footprint excluding it.
domain-pcf-exempted = Exempted emissions are between 0 and 5 percent.
domain-pcf-percent = A percentage between 0 and 100.
domain-pcf-calculation = The calculation is “manual” or “lca:<calculation id>”.
domain-award-pcf = Needs a product carbon footprint certificate signed on or after { $from } and valid today.
domain-ps-id = An id must not be empty or contain “|”.
domain-ps-duplicate = This id is used twice.
domain-ps-two-producers = Another process already makes this product; each product has one producer.
domain-ps-no-producer = No process of the system makes this product.
domain-ps-zero = The amount must not be zero.
domain-ps-flow = Unknown flow: use a gas of the GWP set (CO2, CH4-fossil, N2O, …), CO2e, or a flow the system defines.
domain-ps-uptake-sign = Biogenic uptake is a negative amount, and only uptake is negative.
domain-ps-distribution = The distribution is lognormal, normal, triangular or uniform.
domain-ps-uncertainty = The uncertainty does not fit the amount: lognormal and normal need a positive scale; triangular and uniform need min ≤ amount ≤ max.
domain-pact-supplier-schema = Not a valid PACT v3 footprint: { $reason }
domain-pact-supplier-decimal = This number cannot be held exactly (at most 28 significant digits).
domain-pact-supplier-id = The footprint's id does not match the id it was received under.
domain-pcf-dqr = Coverage is 0–100 %; the technological, temporal and geographical ratings are 1 (best) to 5 as in PACT v3; completeness and reliability (PACT v2 only) are 1 to 3.
domain-pcf-non-positive = Must be zero or negative.
domain-pcf-uptake-sum = The biogenic CO2 uptake is the footprint including uptake minus the footprint excluding it.
domain-pcf-packaging = Packaging emissions are given only when packaging is included in the footprint.
domain-pcf-ccu-approach = The CCU calculation approach is Cut-off or Credit.
domain-pcf-url = Use a web address starting with https:// or http://.
domain-pcf-ccu-credit = Only the Credit approach has a CCU credit certification.
domain-pcf-rule = Each product or sector rule names its operator (PEF, EPD International, or Other with the operator's name) and at least one rule, each once; no rule is listed twice.
domain-pcf-ef-source = Each secondary emission factor source has a name and a version and is listed once.
