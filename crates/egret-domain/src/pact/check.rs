//! Schema checks written from the PACT OpenAPI documents (v3.0.3, v2.3.3):
//! required properties, types, enumerations, string formats, decimal
//! patterns and signs, array sizes and uniqueness, stated numeric ranges,
//! and the rules the specification states in prose (one geography at most,
//! the validity window, packaging and CCS consistency).
//!
//! Every violation is reported as `"path: reason"`, where the path is
//! dotted with array indices (`pcf.crossSectoralStandards[1]`) and
//! `(root)` is the document itself. Unknown properties are accepted: no
//! PACT schema sets `additionalProperties: false`.

use rust_decimal::Decimal;
use serde_json::{Map, Value};

use super::error::{V2_ERROR_CODES, V3_ERROR_CODES};
use super::formats::{
    DecimalFault, Sign, check_decimal, is_country_code, is_ipcc_report, is_spec_version,
    is_subdivision_code, is_uri, is_uri_reference, is_urn, is_uuid, parse_date_time,
};
use super::v3::plus_three_years;
use super::{
    ApiVersion, DeclaredUnit, FootprintStatus, RegionOrSubregion, RuleOperator, V2_DECLARED_UNITS,
    v3::{CcuCalculationApproach, VerificationCoverage},
};

/// The kind of value a property must hold.
pub(crate) enum Ty {
    /// Any string.
    Str,
    /// A string of at least one character.
    NonEmpty,
    Uuid,
    /// RFC 3339 `date-time`.
    DateTime,
    Urn,
    /// Absolute URI.
    Uri,
    /// URI reference (CloudEvents `source`).
    UriRef,
    Bool,
    /// `specVersion` with this major version.
    SpecVersion(u32),
    Enum(&'static [&'static str]),
    /// `^AR\d+$`.
    Ipcc,
    /// ISO 3166-1 alpha-2.
    Country,
    /// ISO 3166-2.
    Subdivision,
    /// A decimal string with a sign constraint.
    Dec(Sign),
    /// A decimal string within inclusive bounds.
    DecRange(i64, i64),
    /// A JSON integer within inclusive bounds.
    Int(i64, i64),
    /// A JSON number within inclusive bounds.
    Num(f64, f64),
    Array {
        item: &'static Ty,
        min: usize,
        unique: bool,
    },
    Obj(&'static Shape),
    /// Any JSON object.
    AnyObj,
    /// `Active`/`Deprecated`, or an array of them (the status criterion of
    /// a `RequestCreatedEvent`, a string in v3.0.3, an array in v3.0.4).
    StatusOneOrMany,
}

/// A property of an object.
pub(crate) struct Field {
    name: &'static str,
    required: bool,
    ty: Ty,
}

/// A rule across the properties of an object: checker, object path, object.
pub(crate) type Rule = fn(&mut Checker, &str, &Map<String, Value>);

/// An object schema: its properties and the rules across them.
pub(crate) struct Shape {
    fields: &'static [Field],
    rule: Option<Rule>,
}

pub(crate) const fn req(name: &'static str, ty: Ty) -> Field {
    Field {
        name,
        required: true,
        ty,
    }
}

pub(crate) const fn opt(name: &'static str, ty: Ty) -> Field {
    Field {
        name,
        required: false,
        ty,
    }
}

pub(crate) const fn shape(fields: &'static [Field], rule: Option<Rule>) -> Shape {
    Shape { fields, rule }
}

/// Collects violations.
#[derive(Default)]
pub(crate) struct Checker {
    pub(crate) errs: Vec<String>,
}

pub(crate) fn join(path: &str, name: &str) -> String {
    if path.is_empty() {
        name.to_string()
    } else {
        format!("{path}.{name}")
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn list(names: &[&str]) -> String {
    names.join(", ")
}

impl Checker {
    pub(crate) fn err(&mut self, path: &str, reason: impl AsRef<str>) {
        let path = if path.is_empty() { "(root)" } else { path };
        self.errs.push(format!("{path}: {}", reason.as_ref()));
    }

    fn string<'v>(&mut self, path: &str, v: &'v Value) -> Option<&'v str> {
        match v {
            Value::String(s) => Some(s),
            other => {
                self.err(path, format!("must be a string (found {})", kind(other)));
                None
            }
        }
    }

    fn number(&mut self, path: &str, v: &Value, lo: f64, hi: f64, integer: bool) {
        let Some(n) = v.as_f64() else {
            let what = if integer { "an integer" } else { "a number" };
            self.err(path, format!("must be {what} (found {})", kind(v)));
            return;
        };
        if integer && n.fract() != 0.0 {
            self.err(path, "must be an integer");
        } else if n < lo || n > hi {
            self.err(path, format!("must be between {lo} and {hi} (found {n})"));
        }
    }

    /// Checks `v` at `path` against `ty`.
    pub(crate) fn value(&mut self, path: &str, ty: &Ty, v: &Value) {
        match ty {
            Ty::Str => {
                self.string(path, v);
            }
            Ty::NonEmpty => {
                if self.string(path, v).is_some_and(str::is_empty) {
                    self.err(path, "must not be empty");
                }
            }
            Ty::Uuid => {
                if self.string(path, v).is_some_and(|s| !is_uuid(s)) {
                    self.err(path, "must be a UUID (8-4-4-4-12 hexadecimal digits)");
                }
            }
            Ty::DateTime => {
                if self
                    .string(path, v)
                    .is_some_and(|s| parse_date_time(s).is_none())
                {
                    self.err(
                        path,
                        "must be an RFC 3339 date-time such as 2025-01-01T00:00:00Z",
                    );
                }
            }
            Ty::Urn => {
                if self.string(path, v).is_some_and(|s| !is_urn(s)) {
                    self.err(path, "must be a URN (urn:<namespace>:<specific string>)");
                }
            }
            Ty::Uri => {
                if self.string(path, v).is_some_and(|s| !is_uri(s)) {
                    self.err(path, "must be an absolute URI");
                }
            }
            Ty::UriRef => {
                if self.string(path, v).is_some_and(|s| !is_uri_reference(s)) {
                    self.err(path, "must be a non-empty URI reference without spaces");
                }
            }
            Ty::Bool => {
                if !v.is_boolean() {
                    self.err(path, format!("must be a boolean (found {})", kind(v)));
                }
            }
            Ty::SpecVersion(major) => {
                if self
                    .string(path, v)
                    .is_some_and(|s| !is_spec_version(s, *major))
                {
                    self.err(path, format!("must be a version {major}.x.y"));
                }
            }
            Ty::Enum(names) => {
                if let Some(s) = self.string(path, v)
                    && !names.contains(&s)
                {
                    self.err(
                        path,
                        format!("must be one of: {} (found {s:?})", list(names)),
                    );
                }
            }
            Ty::Ipcc => {
                if self.string(path, v).is_some_and(|s| !is_ipcc_report(s)) {
                    self.err(path, "must name an IPCC assessment report, e.g. AR6");
                }
            }
            Ty::Country => {
                if self.string(path, v).is_some_and(|s| !is_country_code(s)) {
                    self.err(path, "must be an ISO 3166-1 alpha-2 country code");
                }
            }
            Ty::Subdivision => {
                if self
                    .string(path, v)
                    .is_some_and(|s| !is_subdivision_code(s))
                {
                    self.err(path, "must be an ISO 3166-2 subdivision code such as CN-FJ");
                }
            }
            Ty::Dec(sign) => {
                if let Some(s) = self.string(path, v) {
                    match check_decimal(s, *sign) {
                        Ok(()) => {}
                        Err(DecimalFault::Syntax) => self.err(
                            path,
                            format!("must be a decimal string such as \"12.5\" (found {s:?})"),
                        ),
                        Err(DecimalFault::Sign) => self.err(
                            path,
                            match sign {
                                Sign::Positive => "must be greater than 0",
                                Sign::PositiveOrZero => "must be 0 or greater (without minus sign)",
                                Sign::NegativeOrZero => "must be 0 or less",
                                Sign::Any => "must be a decimal",
                            },
                        ),
                    }
                }
            }
            Ty::DecRange(lo, hi) => {
                if let Some(s) = self.string(path, v) {
                    if check_decimal(s, Sign::Any).is_err() {
                        self.err(
                            path,
                            format!("must be a decimal string such as \"12.5\" (found {s:?})"),
                        );
                    } else {
                        let in_range = s
                            .trim_start_matches('+')
                            .parse::<Decimal>()
                            .is_ok_and(|d| d >= Decimal::from(*lo) && d <= Decimal::from(*hi));
                        if !in_range {
                            self.err(path, format!("must be between {lo} and {hi} (found {s})"));
                        }
                    }
                }
            }
            Ty::Int(lo, hi) => self.number(path, v, *lo as f64, *hi as f64, true),
            Ty::Num(lo, hi) => self.number(path, v, *lo, *hi, false),
            Ty::Array { item, min, unique } => {
                let Some(items) = v.as_array() else {
                    self.err(path, format!("must be an array (found {})", kind(v)));
                    return;
                };
                if items.len() < *min {
                    self.err(path, format!("must have at least {min} item(s)"));
                }
                for (i, x) in items.iter().enumerate() {
                    let p = format!("{path}[{i}]");
                    if *unique && items[..i].contains(x) {
                        self.err(&p, "repeats an earlier item (items must be unique)");
                    }
                    self.value(&p, item, x);
                }
            }
            Ty::Obj(shape) => self.object(path, shape, v),
            Ty::AnyObj => {
                if !v.is_object() {
                    self.err(path, format!("must be an object (found {})", kind(v)));
                }
            }
            Ty::StatusOneOrMany => {
                if v.is_array() {
                    self.value(
                        path,
                        &Ty::Array {
                            item: &Ty::Enum(FootprintStatus::NAMES),
                            min: 1,
                            unique: false,
                        },
                        v,
                    );
                } else {
                    self.value(path, &Ty::Enum(FootprintStatus::NAMES), v);
                }
            }
        }
    }

    /// Checks an object against a shape.
    pub(crate) fn object(&mut self, path: &str, shape: &Shape, v: &Value) {
        let Some(map) = v.as_object() else {
            self.err(path, format!("must be an object (found {})", kind(v)));
            return;
        };
        for f in shape.fields {
            match map.get(f.name) {
                Some(x) => self.value(&join(path, f.name), &f.ty, x),
                None if f.required => self.err(&join(path, f.name), "required property is missing"),
                None => {}
            }
        }
        if let Some(rule) = shape.rule {
            rule(self, path, map);
        }
    }
}

fn date_at(m: &Map<String, Value>, name: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    m.get(name)
        .and_then(Value::as_str)
        .and_then(parse_date_time)
}

/// Prose rules of the validity period (v2 and v3 alike).
fn validity_rule(c: &mut Checker, path: &str, m: &Map<String, Value>) {
    let start = date_at(m, "validityPeriodStart");
    let end = date_at(m, "validityPeriodEnd");
    let reference_end = m
        .get("pcf")
        .and_then(Value::as_object)
        .and_then(|p| date_at(p, "referencePeriodEnd"));
    if let (Some(s), Some(r)) = (start, reference_end)
        && s < r
    {
        c.err(
            &join(path, "validityPeriodStart"),
            "must not be before pcf.referencePeriodEnd",
        );
    }
    if let (Some(e), Some(r)) = (end, reference_end)
        && e > plus_three_years(r)
    {
        c.err(
            &join(path, "validityPeriodEnd"),
            "must not be later than three years after pcf.referencePeriodEnd",
        );
    }
    if let (Some(s), Some(e)) = (start, end)
        && e <= s
    {
        c.err(
            &join(path, "validityPeriodEnd"),
            "must be after validityPeriodStart",
        );
    }
}

const GEOGRAPHY: [&str; 3] = [
    "geographyRegionOrSubregion",
    "geographyCountry",
    "geographyCountrySubdivision",
];

/// Rules across the properties of a carbon footprint, both versions.
fn carbon_rule(c: &mut Checker, path: &str, m: &Map<String, Value>) {
    let given: Vec<&str> = GEOGRAPHY
        .iter()
        .copied()
        .filter(|g| m.contains_key(*g))
        .collect();
    if given.len() > 1 {
        c.err(
            path,
            format!(
                "at most one of {} may be given (found {})",
                list(&GEOGRAPHY),
                list(&given)
            ),
        );
    }
    if m.get("packagingEmissionsIncluded") == Some(&Value::Bool(false))
        && m.contains_key("packagingGhgEmissions")
    {
        c.err(
            &join(path, "packagingGhgEmissions"),
            "must be absent when packagingEmissionsIncluded is false",
        );
    }
    if m.get("ccsTechnologicalCO2CaptureIncluded") == Some(&Value::Bool(false)) {
        for f in [
            "ccsTechnologicalCO2Capture",
            "technologicalCO2Removals",
            "technologicalCO2CaptureOrigin",
        ] {
            if m.contains_key(f) {
                c.err(
                    &join(path, f),
                    "must be absent when ccsTechnologicalCO2CaptureIncluded is false",
                );
            }
        }
    }
    if let (Some(s), Some(e)) = (
        date_at(m, "referencePeriodStart"),
        date_at(m, "referencePeriodEnd"),
    ) && e <= s
    {
        c.err(
            &join(path, "referencePeriodEnd"),
            "must be after referencePeriodStart",
        );
    }
}

fn rule_rule(c: &mut Checker, path: &str, m: &Map<String, Value>) {
    if m.get("operator").and_then(Value::as_str) == Some("Other")
        && !m.contains_key("otherOperatorName")
    {
        c.err(
            &join(path, "otherOperatorName"),
            "required when operator is Other",
        );
    }
}

const URN_SET: Ty = Ty::Array {
    item: &Ty::Urn,
    min: 1,
    unique: true,
};
const UUID_SET: Ty = Ty::Array {
    item: &Ty::Uuid,
    min: 1,
    unique: true,
};
const IPCC_SET: Ty = Ty::Array {
    item: &Ty::Ipcc,
    min: 1,
    unique: true,
};

static RULE: Shape = shape(
    &[
        req("operator", Ty::Enum(RuleOperator::NAMES)),
        req(
            "ruleNames",
            Ty::Array {
                item: &Ty::NonEmpty,
                min: 1,
                unique: true,
            },
        ),
        opt("otherOperatorName", Ty::NonEmpty),
    ],
    Some(rule_rule),
);
static RULE_ITEM: Ty = Ty::Obj(&RULE);

static EF_SOURCE: Shape = shape(
    &[req("name", Ty::NonEmpty), req("version", Ty::NonEmpty)],
    None,
);
static EF_SOURCE_ITEM: Ty = Ty::Obj(&EF_SOURCE);

static EXTENSION: Shape = shape(
    &[
        req("specVersion", Ty::Str),
        req("dataSchema", Ty::Uri),
        opt("documentation", Ty::Uri),
        req("data", Ty::AnyObj),
    ],
    None,
);
static EXTENSION_ITEM: Ty = Ty::Obj(&EXTENSION);

// ---------------------------------------------------------------- v3

static DQI_V3: Shape = shape(
    &[
        req("technologicalDQR", Ty::DecRange(1, 5)),
        req("geographicalDQR", Ty::DecRange(1, 5)),
        req("temporalDQR", Ty::DecRange(1, 5)),
    ],
    None,
);

static VERIFICATION_V3: Shape = shape(
    &[
        opt("coverage", Ty::Enum(VerificationCoverage::NAMES)),
        opt("providerName", Ty::NonEmpty),
        opt("completedAt", Ty::DateTime),
        opt("standardName", Ty::Str),
        opt("comments", Ty::Str),
    ],
    None,
);

static CARBON_V3: Shape = shape(
    &[
        req("declaredUnitOfMeasurement", Ty::Enum(DeclaredUnit::NAMES)),
        req("declaredUnitAmount", Ty::Dec(Sign::Positive)),
        req("productMassPerDeclaredUnit", Ty::Dec(Sign::Any)),
        req("referencePeriodStart", Ty::DateTime),
        req("referencePeriodEnd", Ty::DateTime),
        opt(
            "geographyRegionOrSubregion",
            Ty::Enum(RegionOrSubregion::NAMES),
        ),
        opt("geographyCountry", Ty::Country),
        opt("geographyCountrySubdivision", Ty::Subdivision),
        opt("boundaryProcessesDescription", Ty::Str),
        req("pcfExcludingBiogenicUptake", Ty::Dec(Sign::Any)),
        req("pcfIncludingBiogenicUptake", Ty::Dec(Sign::Any)),
        req("fossilCarbonContent", Ty::Dec(Sign::PositiveOrZero)),
        opt("biogenicCarbonContent", Ty::Dec(Sign::PositiveOrZero)),
        opt("recycledCarbonContent", Ty::Dec(Sign::PositiveOrZero)),
        req("fossilGhgEmissions", Ty::Dec(Sign::PositiveOrZero)),
        opt("landUseChangeGhgEmissions", Ty::Dec(Sign::PositiveOrZero)),
        opt("landCarbonLeakage", Ty::Dec(Sign::PositiveOrZero)),
        opt(
            "landManagementFossilGhgEmissions",
            Ty::Dec(Sign::PositiveOrZero),
        ),
        opt(
            "landManagementBiogenicCO2Emissions",
            Ty::Dec(Sign::PositiveOrZero),
        ),
        opt(
            "landManagementBiogenicCO2Removals",
            Ty::Dec(Sign::NegativeOrZero),
        ),
        opt("biogenicCO2Uptake", Ty::Dec(Sign::NegativeOrZero)),
        opt("biogenicNonCO2Emissions", Ty::Dec(Sign::PositiveOrZero)),
        opt("landAreaOccupation", Ty::Dec(Sign::PositiveOrZero)),
        opt("aircraftGhgEmissions", Ty::Dec(Sign::PositiveOrZero)),
        opt("packagingEmissionsIncluded", Ty::Bool),
        opt("packagingGhgEmissions", Ty::Dec(Sign::PositiveOrZero)),
        opt(
            "packagingBiogenicCarbonContent",
            Ty::Dec(Sign::PositiveOrZero),
        ),
        opt(
            "outboundLogisticsGhgEmissions",
            Ty::Dec(Sign::PositiveOrZero),
        ),
        opt("ccsTechnologicalCO2CaptureIncluded", Ty::Bool),
        opt("ccsTechnologicalCO2Capture", Ty::Dec(Sign::NegativeOrZero)),
        opt("technologicalCO2CaptureOrigin", Ty::Str),
        opt("technologicalCO2Removals", Ty::Dec(Sign::NegativeOrZero)),
        opt("ccuCarbonContent", Ty::Dec(Sign::PositiveOrZero)),
        opt(
            "ccuCalculationApproach",
            Ty::Enum(CcuCalculationApproach::NAMES),
        ),
        opt("ccuCreditCertification", Ty::Uri),
        req("ipccCharacterizationFactors", IPCC_SET),
        req(
            "crossSectoralStandards",
            Ty::Array {
                item: &Ty::Str,
                min: 1,
                unique: true,
            },
        ),
        opt(
            "productOrSectorSpecificRules",
            Ty::Array {
                item: &RULE_ITEM,
                min: 1,
                unique: true,
            },
        ),
        req("exemptedEmissionsPercent", Ty::DecRange(0, 100)),
        opt("exemptedEmissionsDescription", Ty::Str),
        opt("allocationRulesDescription", Ty::Str),
        opt(
            "secondaryEmissionFactorSources",
            Ty::Array {
                item: &EF_SOURCE_ITEM,
                min: 1,
                unique: false,
            },
        ),
        opt("primaryDataShare", Ty::DecRange(0, 100)),
        opt("dqi", Ty::Obj(&DQI_V3)),
        opt("verification", Ty::Obj(&VERIFICATION_V3)),
    ],
    Some(carbon_rule),
);

pub(crate) static FOOTPRINT_V3: Shape = shape(
    &[
        req("id", Ty::Uuid),
        req("specVersion", Ty::SpecVersion(3)),
        opt("precedingPfIds", UUID_SET),
        req("created", Ty::DateTime),
        req("status", Ty::Enum(FootprintStatus::NAMES)),
        opt("validityPeriodStart", Ty::DateTime),
        opt("validityPeriodEnd", Ty::DateTime),
        req("companyName", Ty::NonEmpty),
        req("companyIds", URN_SET),
        req("productDescription", Ty::Str),
        req("productIds", URN_SET),
        opt("productClassifications", URN_SET),
        req("productNameCompany", Ty::NonEmpty),
        opt("comment", Ty::Str),
        req("pcf", Ty::Obj(&CARBON_V3)),
        opt(
            "extensions",
            Ty::Array {
                item: &EXTENSION_ITEM,
                min: 0,
                unique: false,
            },
        ),
    ],
    Some(validity_rule),
);
pub(crate) static FOOTPRINT_V3_ITEM: Ty = Ty::Obj(&FOOTPRINT_V3);

static LIST_V3: Shape = shape(
    &[req(
        "data",
        Ty::Array {
            item: &FOOTPRINT_V3_ITEM,
            min: 0,
            unique: false,
        },
    )],
    None,
);
static GET_V3: Shape = shape(&[req("data", Ty::Obj(&FOOTPRINT_V3))], None);

// ---------------------------------------------------------------- v2

static DQI_V2: Shape = shape(
    &[
        req("coveragePercent", Ty::Num(0.0, 100.0)),
        req("technologicalDQR", Ty::Num(1.0, 3.0)),
        req("temporalDQR", Ty::Num(1.0, 3.0)),
        req("geographicalDQR", Ty::Num(1.0, 3.0)),
        req("completenessDQR", Ty::Num(1.0, 3.0)),
        req("reliabilityDQR", Ty::Num(1.0, 3.0)),
    ],
    None,
);

static ASSURANCE_V2: Shape = shape(
    &[
        req("assurance", Ty::Bool),
        opt(
            "coverage",
            Ty::Enum(&[
                "corporate level",
                "product line",
                "PCF system",
                "product level",
            ]),
        ),
        opt("level", Ty::Enum(&["limited", "reasonable"])),
        opt("boundary", Ty::Enum(&["Gate-to-Gate", "Cradle-to-Gate"])),
        req("providerName", Ty::Str),
        opt("completedAt", Ty::DateTime),
        opt("standardName", Ty::Str),
        opt("comments", Ty::Str),
    ],
    None,
);

static CARBON_V2: Shape = shape(
    &[
        req("declaredUnit", Ty::Enum(V2_DECLARED_UNITS)),
        req("unitaryProductAmount", Ty::Dec(Sign::Positive)),
        opt("productMassPerDeclaredUnit", Ty::Dec(Sign::PositiveOrZero)),
        req("pCfExcludingBiogenic", Ty::Dec(Sign::PositiveOrZero)),
        opt("pCfIncludingBiogenic", Ty::Dec(Sign::Any)),
        req("fossilGhgEmissions", Ty::Dec(Sign::PositiveOrZero)),
        req("fossilCarbonContent", Ty::Dec(Sign::PositiveOrZero)),
        req("biogenicCarbonContent", Ty::Dec(Sign::PositiveOrZero)),
        opt("dLucGhgEmissions", Ty::Dec(Sign::PositiveOrZero)),
        opt("landManagementGhgEmissions", Ty::Dec(Sign::Any)),
        opt("otherBiogenicGhgEmissions", Ty::Dec(Sign::PositiveOrZero)),
        opt("iLucGhgEmissions", Ty::Dec(Sign::PositiveOrZero)),
        opt("biogenicCarbonWithdrawal", Ty::Dec(Sign::NegativeOrZero)),
        opt("aircraftGhgEmissions", Ty::Dec(Sign::PositiveOrZero)),
        req("packagingEmissionsIncluded", Ty::Bool),
        opt("packagingGhgEmissions", Ty::Dec(Sign::PositiveOrZero)),
        req("characterizationFactors", Ty::Enum(&["AR6", "AR5"])),
        req("ipccCharacterizationFactorsSources", IPCC_SET),
        req(
            "crossSectoralStandardsUsed",
            Ty::Array {
                item: &Ty::Enum(&[
                    "GHG Protocol Product standard",
                    "ISO Standard 14067",
                    "ISO Standard 14044",
                ]),
                min: 1,
                unique: true,
            },
        ),
        opt(
            "crossSectoralStandards",
            Ty::Array {
                item: &Ty::Enum(&[
                    "ISO14067",
                    "ISO14083",
                    "ISO14040-44",
                    "GHGP-Product",
                    "PEF",
                    "PACT-1.0",
                    "PACT-2.0",
                    "PACT-3.0",
                ]),
                min: 1,
                unique: true,
            },
        ),
        opt(
            "productOrSectorSpecificRules",
            Ty::Array {
                item: &RULE_ITEM,
                min: 1,
                unique: true,
            },
        ),
        opt(
            "biogenicAccountingMethodology",
            Ty::Enum(&["PEF", "ISO", "GHGP", "Quantis"]),
        ),
        req("boundaryProcessesDescription", Ty::Str),
        req("referencePeriodStart", Ty::DateTime),
        req("referencePeriodEnd", Ty::DateTime),
        opt(
            "geographyRegionOrSubregion",
            Ty::Enum(RegionOrSubregion::NAMES),
        ),
        opt("geographyCountry", Ty::Country),
        opt("geographyCountrySubdivision", Ty::Subdivision),
        opt(
            "secondaryEmissionFactorSources",
            Ty::Array {
                item: &EF_SOURCE_ITEM,
                min: 1,
                unique: false,
            },
        ),
        req("exemptedEmissionsPercent", Ty::Num(0.0, 5.0)),
        req("exemptedEmissionsDescription", Ty::Str),
        opt("allocationRulesDescription", Ty::Str),
        opt("uncertaintyAssessmentDescription", Ty::Str),
        opt("primaryDataShare", Ty::Num(0.0, 100.0)),
        opt("dqi", Ty::Obj(&DQI_V2)),
        opt("assurance", Ty::Obj(&ASSURANCE_V2)),
    ],
    Some(carbon_rule),
);

pub(crate) static FOOTPRINT_V2: Shape = shape(
    &[
        req("id", Ty::Uuid),
        req("specVersion", Ty::SpecVersion(2)),
        opt("precedingPfIds", UUID_SET),
        req("version", Ty::Int(0, i32::MAX as i64)),
        req("created", Ty::DateTime),
        opt("updated", Ty::DateTime),
        req("status", Ty::Enum(FootprintStatus::NAMES)),
        opt("statusComment", Ty::Str),
        opt("validityPeriodStart", Ty::DateTime),
        opt("validityPeriodEnd", Ty::DateTime),
        req("companyName", Ty::NonEmpty),
        req("companyIds", URN_SET),
        req("productDescription", Ty::Str),
        req("productIds", URN_SET),
        opt("productClassifications", URN_SET),
        req("productCategoryCpc", Ty::NonEmpty),
        req("productNameCompany", Ty::NonEmpty),
        req("comment", Ty::Str),
        req("pcf", Ty::Obj(&CARBON_V2)),
        opt(
            "extensions",
            Ty::Array {
                item: &EXTENSION_ITEM,
                min: 0,
                unique: false,
            },
        ),
    ],
    Some(validity_rule),
);
pub(crate) static FOOTPRINT_V2_ITEM: Ty = Ty::Obj(&FOOTPRINT_V2);

static LIST_V2: Shape = shape(
    &[req(
        "data",
        Ty::Array {
            item: &FOOTPRINT_V2_ITEM,
            min: 0,
            unique: false,
        },
    )],
    None,
);
static GET_V2: Shape = shape(&[req("data", Ty::Obj(&FOOTPRINT_V2))], None);

// ---------------------------------------------------------------- errors

pub(crate) static ERROR_V3: Shape = shape(
    &[
        req("code", Ty::Enum(V3_ERROR_CODES)),
        req("message", Ty::Str),
    ],
    None,
);
pub(crate) static ERROR_V2: Shape = shape(
    &[
        req("code", Ty::Enum(V2_ERROR_CODES)),
        req("message", Ty::Str),
    ],
    None,
);

fn run(shape: &Shape, v: &Value) -> Vec<String> {
    let mut c = Checker::default();
    c.object("", shape, v);
    c.errs
}

/// Every violation of the v3 `ProductFootprint` schema in `v`, as
/// `"path: reason"` (dotted path with array indices, e.g.
/// `pcf.crossSectoralStandards[1]`; `(root)` for `v` itself); empty when
/// `v` is a valid v3 footprint. Besides the schema it enforces the
/// specification's prose rules: at most one geography property, the
/// validity window (`referencePeriodEnd` … + 3 years), no
/// `packagingGhgEmissions` when packaging is excluded, no CCS amounts when
/// CCS is excluded, DQRs 1–5, percentages 0–100. Unknown properties are
/// accepted (no PACT schema forbids them).
pub fn check_v3_footprint(v: &Value) -> Vec<String> {
    run(&FOOTPRINT_V3, v)
}

/// Every violation of the v2.3 `ProductFootprint` schema (and the v2
/// prose: 0–5 % exempted emissions, non-negative amounts, one geography).
pub fn check_v2_footprint(v: &Value) -> Vec<String> {
    run(&FOOTPRINT_V2, v)
}

/// Checks a v3 `ListFootprints` response body `{"data": [...]}`.
pub fn check_v3_list_response(v: &Value) -> Vec<String> {
    run(&LIST_V3, v)
}

/// Checks a v3 `GetFootprint` response body `{"data": {...}}`.
pub fn check_v3_get_response(v: &Value) -> Vec<String> {
    run(&GET_V3, v)
}

/// Checks a v2 `ListFootprints` response body.
pub fn check_v2_list_response(v: &Value) -> Vec<String> {
    run(&LIST_V2, v)
}

/// Checks a v2 `GetFootprint` response body.
pub fn check_v2_get_response(v: &Value) -> Vec<String> {
    run(&GET_V2, v)
}

/// Checks an error body `{code, message}` against the version's code list.
pub fn check_error_body(v: &Value, version: ApiVersion) -> Vec<String> {
    match version {
        ApiVersion::V3 => run(&ERROR_V3, v),
        ApiVersion::V2 => run(&ERROR_V2, v),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pact::mapping::tests::meta;
    use crate::pact::{to_v2, to_v3};
    use crate::pcf::sample;
    use serde_json::json;

    fn v3() -> Value {
        serde_json::to_value(to_v3(&sample(), &meta())).unwrap()
    }

    fn v2() -> Value {
        serde_json::to_value(to_v2(&sample(), &meta()).unwrap()).unwrap()
    }

    /// The errors after `edit`, which must be exactly `want`.
    fn broken(mut v: Value, edit: impl FnOnce(&mut Value), want: &[&str]) {
        edit(&mut v);
        assert_eq!(check_v3_footprint(&v), want);
    }

    fn broken_v2(mut v: Value, edit: impl FnOnce(&mut Value), want: &[&str]) {
        edit(&mut v);
        assert_eq!(check_v2_footprint(&v), want);
    }

    fn remove(v: &mut Value, path: &[&str]) {
        let (last, parents) = path.split_last().unwrap();
        let mut o = v;
        for p in parents {
            o = &mut o[*p];
        }
        o.as_object_mut().unwrap().remove(*last);
    }

    #[test]
    fn the_specifications_example_is_valid() {
        // The example body of the conformance documentation (test case #13).
        let pcf = example_pcf();
        let example = json!({
            "id": "b1f8c0d2-7c4e-4e67-9a9c-2e4c12345678",
            "specVersion": "3.0.0",
            "created": "2023-01-15T10:15:30Z",
            "status": "Active",
            "validityPeriodStart": "2024-09-30T00:00:00+00:00",
            "validityPeriodEnd": "2025-12-31T00:00:00Z",
            "companyName": "Acme Corp",
            "companyIds": ["urn:uuid:abc12345-6789-4def-0123-456789abcdef"],
            "productDescription": "Renewable Diesel, soybean feedstock (bulk - no packaging)",
            "productIds": ["urn:gtin:1234567890123"],
            "productClassifications": ["urn:eclass:0173-1#01-AAA123#005"],
            "productNameCompany": "Renewable Diesel",
            "version": 1,
            "pcf": pcf,
            "extensions": [{"specVersion": "2.0.0",
                            "dataSchema": "https://reg.carbon-transparency.org/shipment/1.0.0/data-model.json",
                            "data": {"shipmentId": "S1234567890"}}]
        });
        assert_eq!(check_v3_footprint(&example), Vec::<String>::new());
    }

    fn example_pcf() -> Value {
        json!({
                "declaredUnitOfMeasurement": "liter",
                "declaredUnitAmount": "1",
                "productMassPerDeclaredUnit": "25",
                "referencePeriodStart": "2024-02-28T00:00:00+00:00",
                "referencePeriodEnd": "2024-09-30T00:00:00+00:00",
                "geographyCountry": "DE",
                "boundaryProcessesDescription": "Cradle-to-gate",
                "pcfExcludingBiogenicUptake": "77.0",
                "pcfIncludingBiogenicUptake": "77.0",
                "fossilGhgEmissions": "70",
                "fossilCarbonContent": "11.72",
                "ipccCharacterizationFactors": ["AR6"],
                "crossSectoralStandards": ["ISO14067", "PACT-3.0", "SOME-FUTURE-STANDARD"],
                "exemptedEmissionsPercent": "5.3",
                "productOrSectorSpecificRules": [
                    {"operator": "PEF", "ruleNames": ["PEF 1.0", "PEF 2.0"]},
                    {"operator": "Other", "ruleNames": ["PCR-A"], "otherOperatorName": "Acme PCR"}
                ],
                "secondaryEmissionFactorSources": [{"name": "ecoinvent", "version": "3.9.1"}],
                "biogenicCO2Uptake": "-0",
                "ccsTechnologicalCO2CaptureIncluded": true,
                "ccsTechnologicalCO2Capture": "-4.34",
                "ccuCalculationApproach": "Cut-off",
                "ccuCreditCertification": "https://example.com/ccu",
                "dqi": {"technologicalDQR": "5.0", "geographicalDQR": "2.0", "temporalDQR": "3.0"},
                "verification": {"coverage": "PCF program", "providerName": "My Auditor",
                                 "completedAt": "2025-04-08T14:47:32Z", "standardName": "ISO 14044"}
        })
    }

    #[test]
    fn the_example_is_accepted_in_lists_and_parsed() {
        let mut example = v3();
        example["pcf"] = example_pcf();
        assert_eq!(check_v3_footprint(&example), Vec::<String>::new());
        let list = json!({"data": [example.clone(), v3()]});
        assert_eq!(check_v3_list_response(&list), Vec::<String>::new());
        assert_eq!(
            check_v3_list_response(&json!({"data": []})),
            Vec::<String>::new()
        );
        assert_eq!(
            check_v3_get_response(&json!({"data": example})),
            Vec::<String>::new()
        );
        let fp: crate::pact::ProductFootprintV3 =
            serde_json::from_value(list["data"][0].clone()).unwrap();
        assert_eq!(fp.pcf.cross_sectoral_standards.len(), 3);
    }

    #[test]
    fn missing_required_properties_are_named() {
        broken(
            v3(),
            |v| {
                remove(v, &["id"]);
                remove(v, &["pcf", "declaredUnitAmount"]);
                remove(v, &["pcf", "crossSectoralStandards"]);
            },
            &[
                "id: required property is missing",
                "pcf.declaredUnitAmount: required property is missing",
                "pcf.crossSectoralStandards: required property is missing",
            ],
        );
        assert_eq!(
            check_v3_footprint(&json!([])),
            ["(root): must be an object (found array)"]
        );
        assert_eq!(
            check_v3_list_response(&json!({"data": null})),
            ["data: must be an array (found null)"]
        );
    }

    #[test]
    fn formats_and_types_are_checked() {
        broken(
            v3(),
            |v| {
                v["id"] = json!("pv-550");
                v["specVersion"] = json!("2.3.0");
                v["created"] = json!("2026-02-01 08:30:00");
                v["status"] = json!("active");
                v["companyIds"] = json!(["91350100MA2XYZ1234"]);
                v["productIds"] = json!([]);
                v["productNameCompany"] = json!("");
                v["comment"] = json!(null);
                v["pcf"]["declaredUnitOfMeasurement"] = json!("tonne");
                v["pcf"]["declaredUnitAmount"] = json!("0");
                v["pcf"]["pcfExcludingBiogenicUptake"] = json!(412.5);
                v["pcf"]["fossilCarbonContent"] = json!("-1");
                v["pcf"]["fossilGhgEmissions"] = json!("4.05e2");
                v["pcf"]["geographyCountrySubdivision"] = json!("XX-FJ");
                v["pcf"]["ipccCharacterizationFactors"] = json!(["AR6", "AR6", "ar5"]);
            },
            &[
                "id: must be a UUID (8-4-4-4-12 hexadecimal digits)",
                "specVersion: must be a version 3.x.y",
                "created: must be an RFC 3339 date-time such as 2025-01-01T00:00:00Z",
                "status: must be one of: Active, Deprecated (found \"active\")",
                "companyIds[0]: must be a URN (urn:<namespace>:<specific string>)",
                "productIds: must have at least 1 item(s)",
                "productNameCompany: must not be empty",
                "comment: must be a string (found null)",
                "pcf.declaredUnitOfMeasurement: must be one of: liter, kilogram, cubic meter, \
                 kilowatt hour, megajoule, ton kilometer, square meter, piece, hour, megabit \
                 second (found \"tonne\")",
                "pcf.declaredUnitAmount: must be greater than 0",
                "pcf.geographyCountrySubdivision: must be an ISO 3166-2 subdivision code such as CN-FJ",
                "pcf.pcfExcludingBiogenicUptake: must be a string (found number)",
                "pcf.fossilCarbonContent: must be 0 or greater (without minus sign)",
                "pcf.fossilGhgEmissions: must be a decimal string such as \"12.5\" (found \"4.05e2\")",
                "pcf.ipccCharacterizationFactors[1]: repeats an earlier item (items must be unique)",
                "pcf.ipccCharacterizationFactors[2]: must name an IPCC assessment report, e.g. AR6",
            ],
        );
    }

    #[test]
    fn ranges_and_nested_objects_are_checked() {
        broken(
            v3(),
            |v| {
                v["pcf"]["dqi"]["temporalDQR"] = json!("6");
                remove(v, &["pcf", "dqi", "geographicalDQR"]);
                v["pcf"]["exemptedEmissionsPercent"] = json!("-0.5");
                v["pcf"]["primaryDataShare"] = json!("100.01");
                v["pcf"]["biogenicCO2Uptake"] = json!("0.3");
                v["pcf"]["verification"] = json!({"coverage": "everything", "completedAt": "soon"});
                v["pcf"]["productOrSectorSpecificRules"] =
                    json!([{"operator": "Other", "ruleNames": [""]}]);
                v["pcf"]["secondaryEmissionFactorSources"] = json!([{"name": "ecoinvent"}]);
                v["extensions"] =
                    json!([{"specVersion": "1.0.0", "dataSchema": "schema.json", "data": 1}]);
            },
            &[
                "pcf.biogenicCO2Uptake: must be 0 or less",
                "pcf.productOrSectorSpecificRules[0].ruleNames[0]: must not be empty",
                "pcf.productOrSectorSpecificRules[0].otherOperatorName: required when operator is Other",
                "pcf.exemptedEmissionsPercent: must be between 0 and 100 (found -0.5)",
                "pcf.secondaryEmissionFactorSources[0].version: required property is missing",
                "pcf.primaryDataShare: must be between 0 and 100 (found 100.01)",
                "pcf.dqi.geographicalDQR: required property is missing",
                "pcf.dqi.temporalDQR: must be between 1 and 5 (found 6)",
                "pcf.verification.coverage: must be one of: PCF calculation model, PCF program, \
                 product level (found \"everything\")",
                "pcf.verification.completedAt: must be an RFC 3339 date-time such as 2025-01-01T00:00:00Z",
                "extensions[0].dataSchema: must be an absolute URI",
                "extensions[0].data: must be an object (found number)",
            ],
        );
    }

    #[test]
    fn cross_property_rules_are_checked() {
        broken(
            v3(),
            |v| {
                v["pcf"]["geographyCountry"] = json!("CN");
                v["pcf"]["packagingEmissionsIncluded"] = json!(false);
                v["pcf"]["packagingGhgEmissions"] = json!("1.2");
                v["pcf"]["ccsTechnologicalCO2CaptureIncluded"] = json!(false);
                v["pcf"]["technologicalCO2Removals"] = json!("-1");
                v["pcf"]["referencePeriodStart"] = json!("2026-01-01T00:00:00Z");
                v["validityPeriodStart"] = json!("2025-12-31T00:00:00Z");
                v["validityPeriodEnd"] = json!("2029-01-01T00:00:01Z");
            },
            &[
                "pcf: at most one of geographyRegionOrSubregion, geographyCountry, \
                 geographyCountrySubdivision may be given (found geographyCountry, \
                 geographyCountrySubdivision)",
                "pcf.packagingGhgEmissions: must be absent when packagingEmissionsIncluded is false",
                "pcf.technologicalCO2Removals: must be absent when ccsTechnologicalCO2CaptureIncluded is false",
                "pcf.referencePeriodEnd: must be after referencePeriodStart",
                "validityPeriodStart: must not be before pcf.referencePeriodEnd",
                "validityPeriodEnd: must not be later than three years after pcf.referencePeriodEnd",
            ],
        );
        broken(
            v3(),
            |v| {
                v["validityPeriodStart"] = json!("2027-01-01T00:00:00Z");
                v["validityPeriodEnd"] = json!("2026-06-01T00:00:00Z");
            },
            &["validityPeriodEnd: must be after validityPeriodStart"],
        );
        // No geography at all is a global footprint.
        broken(
            v3(),
            |v| remove(v, &["pcf", "geographyCountrySubdivision"]),
            &[],
        );
    }

    #[test]
    fn v2_is_checked_against_the_v2_schema() {
        broken_v2(
            v2(),
            |v| {
                remove(v, &["productCategoryCpc"]);
                v["version"] = json!(-1);
                v["specVersion"] = json!("3.0.0");
                v["pcf"]["declaredUnit"] = json!("piece");
                v["pcf"]["exemptedEmissionsPercent"] = json!(7);
                v["pcf"]["primaryDataShare"] = json!("62.5");
                v["pcf"]["dqi"]["reliabilityDQR"] = json!(4);
                v["pcf"]["crossSectoralStandardsUsed"] = json!(["ISO14067"]);
                v["pcf"]["assurance"] = json!({"providerName": "x"});
                remove(v, &["pcf", "biogenicCarbonContent"]);
            },
            &[
                "specVersion: must be a version 2.x.y",
                "version: must be between 0 and 2147483647 (found -1)",
                "productCategoryCpc: required property is missing",
                "pcf.declaredUnit: must be one of: liter, kilogram, cubic meter, kilowatt hour, \
                 megajoule, ton kilometer, square meter (found \"piece\")",
                "pcf.biogenicCarbonContent: required property is missing",
                "pcf.crossSectoralStandardsUsed[0]: must be one of: GHG Protocol Product standard, \
                 ISO Standard 14067, ISO Standard 14044 (found \"ISO14067\")",
                "pcf.exemptedEmissionsPercent: must be between 0 and 5 (found 7)",
                "pcf.primaryDataShare: must be a number (found string)",
                "pcf.dqi.reliabilityDQR: must be between 1 and 3 (found 4)",
                "pcf.assurance.assurance: required property is missing",
            ],
        );
        assert_eq!(
            check_v2_list_response(&json!({"data": [v2()]})),
            Vec::<String>::new()
        );
        assert_eq!(
            check_v2_get_response(&json!({"data": v2()})),
            Vec::<String>::new()
        );
        // A v3 footprint is not a v2 one.
        assert!(check_v2_footprint(&v3()).len() > 5);
    }

    #[test]
    fn error_bodies() {
        let ok = json!({"code": "NotFound", "message": "no such footprint"});
        assert_eq!(check_error_body(&ok, ApiVersion::V3), Vec::<String>::new());
        let v2 = json!({"code": "NoSuchFootprint", "message": "no such footprint"});
        assert_eq!(check_error_body(&v2, ApiVersion::V2), Vec::<String>::new());
        assert_eq!(
            check_error_body(&v2, ApiVersion::V3),
            [
                "code: must be one of: BadRequest, AccessDenied, TokenExpired, NotFound, \
              InternalError, NotImplemented (found \"NoSuchFootprint\")"
            ]
        );
        assert_eq!(
            check_error_body(&json!({"code": "BadRequest"}), ApiVersion::V3),
            ["message: required property is missing"]
        );
    }
}
