//! Product carbon footprints (PCF): what a footprint declares, checked on
//! entry, and the certificates that verify one.
//!
//! The fields follow the PACT v3 data model's CarbonFootprint (declared
//! unit, reference period, geography, the fossil / biogenic split, primary
//! data share, data-quality ratings) so a record can be exchanged as is;
//! amounts are exact decimals in kgCO2e per declared unit. The v3 fields
//! that apply only to some products (land-use change, biogenic CO2 uptake,
//! aircraft, packaging and outbound logistics emissions, CCU, product or
//! sector rules, allocation rules, secondary emission factor sources) are
//! optional and left out of the stored JSON when absent, so records stored
//! before they existed keep their canonical JSON and [`PcfInput::digest`].

use chrono::NaiveDate;
use egret_i18n::Msg;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::org::FieldError;

/// Declared units of PACT v3.
pub const DECLARED_UNITS: [&str; 10] = [
    "liter",
    "kilogram",
    "cubic meter",
    "kilowatt hour",
    "megajoule",
    "ton kilometer",
    "square meter",
    "piece",
    "hour",
    "megabit second",
];

/// Standards a footprint can be calculated to: (id, name).
pub const STANDARDS: [(&str, &str); 5] = [
    ("iso-14067", "ISO 14067:2018"),
    ("pas-2050", "PAS 2050:2011"),
    ("ghgp-product", "GHG Protocol Product Standard"),
    ("pact-methodology", "PACT Methodology v3"),
    ("iso-14044", "ISO 14044:2006"),
];

pub const BOUNDARIES: [&str; 2] = ["cradle-to-gate", "cradle-to-grave"];

pub const GWP_SETS: [&str; 2] = ["AR5", "AR6"];

/// Data-quality ratings. PACT v3 rates technological, temporal and
/// geographical representativeness from 1 (best) to 5 (worst); v2 rated
/// them from 1 to 3 and also had coverage, completeness and reliability,
/// which v3 dropped and which keep v2's 1 to 3 here.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DataQuality {
    /// Share of the footprint covered by the ratings, percent (v2 only).
    pub coverage_percent: Decimal,
    /// 1–5 ([`DQR_V3`]).
    pub technological: u8,
    /// 1–5 ([`DQR_V3`]).
    pub temporal: u8,
    /// 1–5 ([`DQR_V3`]).
    pub geographical: u8,
    /// 1–3 ([`DQR_V2`]; v2 only).
    pub completeness: u8,
    /// 1–3 ([`DQR_V2`]; v2 only).
    pub reliability: u8,
}

/// The range of a PACT v3 data quality rating.
pub const DQR_V3: std::ops::RangeInclusive<u8> = 1..=5;
/// The range of a PACT v2 data quality rating.
pub const DQR_V2: std::ops::RangeInclusive<u8> = 1..=3;

/// Operators of product or sector specific rules (PACT
/// `ProductOrSectorSpecificRule.operator`); `Other` names the operator in
/// `other_operator_name`.
pub const RULE_OPERATORS: [&str; 3] = ["PEF", "EPD International", "Other"];

/// CCU calculation approaches (PACT v3 `ccuCalculationApproach`).
pub const CCU_APPROACHES: [&str; 2] = ["Cut-off", "Credit"];

/// A secondary emission factor database used in the calculation (PACT
/// `EmissionFactorSource`), e.g. `ecoinvent` `3.9.1`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmissionFactorSource {
    pub name: String,
    pub version: String,
}

/// Product or sector specific rules (PCR, PEFCR) the calculation followed
/// (PACT `ProductOrSectorSpecificRule`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SectorRule {
    /// One of [`RULE_OPERATORS`].
    pub operator: String,
    /// The rules' names; at least one, each once.
    pub rule_names: Vec<String>,
    /// The operator's name, when `operator` is `Other`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub other_operator_name: Option<String>,
}

/// A footprint as entered or calculated.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PcfInput {
    pub product_name_zh: String,
    #[serde(default)]
    pub product_name_en: Option<String>,
    /// Product identifiers as URNs (e.g. `urn:gtin:...`, `urn:pact:...`).
    pub product_ids: Vec<String>,
    /// Classifications as URNs (e.g. `urn:pact:productclassification:un-cpc:...`).
    #[serde(default)]
    pub product_classifications: Vec<String>,
    pub product_description: String,
    pub declared_unit: String,
    pub declared_unit_amount: Decimal,
    /// kg of product per declared unit.
    pub product_mass_per_declared_unit: Decimal,
    pub boundary: String,
    pub reference_period_start: NaiveDate,
    /// Exclusive end, as PACT.
    pub reference_period_end: NaiveDate,
    /// ISO 3166-1 alpha-2 country, or ISO 3166-2 subdivision (`CN-FJ`).
    pub geography: String,
    pub standards: Vec<String>,
    pub gwp_set: String,
    /// kgCO2e per declared unit.
    pub pcf_excluding_biogenic_uptake: Decimal,
    pub pcf_including_biogenic_uptake: Decimal,
    pub fossil_ghg_emissions: Decimal,
    /// kgC per declared unit.
    pub fossil_carbon_content: Decimal,
    #[serde(default)]
    pub biogenic_carbon_content: Option<Decimal>,
    /// 0–5 percent.
    pub exempted_emissions_percent: Decimal,
    #[serde(default)]
    pub exempted_emissions_description: String,
    pub packaging_emissions_included: bool,
    /// Percent of the footprint from primary data.
    #[serde(default)]
    pub primary_data_share: Option<Decimal>,
    #[serde(default)]
    pub dqi: Option<DataQuality>,
    /// Where the numbers come from: `manual`, or `lca:<calculation id>`.
    pub calculation: String,
    #[serde(default)]
    pub comment: String,
    // The PACT v3 fields that apply only to some products. Each is left out
    // of the JSON when absent, so older records keep their digest.
    /// Land-use change emissions, kgCO2e per declared unit; ≥ 0
    /// (`landUseChangeGhgEmissions`, v2 `dLucGhgEmissions`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub land_use_change_ghg_emissions: Option<Decimal>,
    /// Biogenic CO2 taken up by the product, kgCO2e per declared unit; ≤ 0
    /// and exactly `pcf_including_biogenic_uptake` −
    /// `pcf_excluding_biogenic_uptake` (`biogenicCO2Uptake`, v2
    /// `biogenicCarbonWithdrawal`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub biogenic_co2_uptake: Option<Decimal>,
    /// Emissions of aircraft transport of the product, kgCO2e per declared
    /// unit; ≥ 0 (`aircraftGhgEmissions`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aircraft_ghg_emissions: Option<Decimal>,
    /// Emissions of the packaging, kgCO2e per declared unit; ≥ 0 and only
    /// when packaging is included (`packagingGhgEmissions`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub packaging_ghg_emissions: Option<Decimal>,
    /// Emissions of outbound logistics the owner is responsible for, kgCO2e
    /// per declared unit; ≥ 0 (`outboundLogisticsGhgEmissions`, v3 only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outbound_logistics_ghg_emissions: Option<Decimal>,
    /// Carbon captured in CCU and held in the product, kgC per declared
    /// unit; ≥ 0 (`ccuCarbonContent`, v3 only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ccu_carbon_content: Option<Decimal>,
    /// One of [`CCU_APPROACHES`] (`ccuCalculationApproach`, v3 only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ccu_calculation_approach: Option<String>,
    /// An http(s) URL of the crediting scheme's certification, only with the
    /// `Credit` approach (`ccuCreditCertification`, v3 only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ccu_credit_certification: Option<String>,
    /// `productOrSectorSpecificRules`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub product_or_sector_specific_rules: Vec<SectorRule>,
    /// How foreground data are allocated to the declared unit, and why
    /// (`allocationRulesDescription`).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub allocation_rules_description: String,
    /// Secondary emission factor databases used; each once
    /// (`secondaryEmissionFactorSources`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub secondary_emission_factor_sources: Vec<EmissionFactorSource>,
}

fn err(field: &'static str, key: &'static str) -> FieldError {
    FieldError::new(field, Msg::new(key))
}

fn is_urn(s: &str) -> bool {
    let s = s.trim();
    s.len() > 4 && s[..4].eq_ignore_ascii_case("urn:") && s.matches(':').count() >= 2
}

/// An absolute `http`/`https` URL with a host and no white space.
fn is_web_url(s: &str) -> bool {
    let lower = s.to_ascii_lowercase();
    let rest = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"));
    rest.is_some_and(|r| !r.is_empty() && !r.starts_with('/'))
        && !s.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// Whether the items have no repeats.
fn all_distinct<T: PartialEq>(items: &[T]) -> bool {
    items
        .iter()
        .enumerate()
        .all(|(i, x)| !items[..i].contains(x))
}

impl SectorRule {
    fn is_valid(&self) -> bool {
        let named = self
            .other_operator_name
            .as_deref()
            .is_some_and(|n| !n.trim().is_empty());
        RULE_OPERATORS.contains(&self.operator.as_str())
            && (self.operator != "Other" || named)
            && !self.rule_names.is_empty()
            && self.rule_names.iter().all(|n| !n.trim().is_empty())
            && all_distinct(&self.rule_names)
    }
}

fn geography_ok(g: &str) -> bool {
    let b = g.as_bytes();
    let alpha2 = |x: &[u8]| x.len() == 2 && x.iter().all(u8::is_ascii_uppercase);
    match b.len() {
        2 => alpha2(b),
        4..=6 => {
            alpha2(&b[..2])
                && b[2] == b'-'
                && b[3..]
                    .iter()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
        }
        _ => false,
    }
}

impl PcfInput {
    /// Checks the footprint; every error names its field.
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut e = Vec::new();
        if self.product_name_zh.trim().is_empty() {
            e.push(err("product_name_zh", "domain-required"));
        }
        if self.product_description.trim().is_empty() {
            e.push(err("product_description", "domain-required"));
        }
        if self.product_ids.is_empty() || !self.product_ids.iter().all(|u| is_urn(u)) {
            e.push(err("product_ids", "domain-pcf-urn"));
        }
        if !self.product_classifications.iter().all(|u| is_urn(u)) {
            e.push(err("product_classifications", "domain-pcf-urn"));
        }
        if !DECLARED_UNITS.contains(&self.declared_unit.as_str()) {
            e.push(err("declared_unit", "domain-pcf-unit"));
        }
        if self.declared_unit_amount <= Decimal::ZERO {
            e.push(err("declared_unit_amount", "domain-pcf-positive"));
        }
        if self.product_mass_per_declared_unit < Decimal::ZERO {
            e.push(err(
                "product_mass_per_declared_unit",
                "domain-pcf-non-negative",
            ));
        }
        if !BOUNDARIES.contains(&self.boundary.as_str()) {
            e.push(err("boundary", "domain-pcf-boundary"));
        }
        if self.reference_period_end <= self.reference_period_start {
            e.push(err("reference_period_end", "domain-pcf-period"));
        }
        if !geography_ok(&self.geography) {
            e.push(err("geography", "domain-pcf-geography"));
        }
        if self.standards.is_empty()
            || !self
                .standards
                .iter()
                .all(|s| STANDARDS.iter().any(|(id, _)| id == s))
        {
            e.push(err("standards", "domain-pcf-standard"));
        }
        if !GWP_SETS.contains(&self.gwp_set.as_str()) {
            e.push(err("gwp_set", "domain-pcf-gwp"));
        }
        if self.fossil_ghg_emissions < Decimal::ZERO {
            e.push(err("fossil_ghg_emissions", "domain-pcf-non-negative"));
        }
        if self.fossil_carbon_content < Decimal::ZERO {
            e.push(err("fossil_carbon_content", "domain-pcf-non-negative"));
        }
        if self
            .biogenic_carbon_content
            .is_some_and(|b| b < Decimal::ZERO)
        {
            e.push(err("biogenic_carbon_content", "domain-pcf-non-negative"));
        }
        // Excluding biogenic uptake, the footprint is at least its fossil part
        // and never below including the uptake.
        if self.pcf_excluding_biogenic_uptake < self.fossil_ghg_emissions {
            e.push(err("pcf_excluding_biogenic_uptake", "domain-pcf-split"));
        }
        if self.pcf_including_biogenic_uptake > self.pcf_excluding_biogenic_uptake {
            e.push(err("pcf_including_biogenic_uptake", "domain-pcf-uptake"));
        }
        if self.exempted_emissions_percent < Decimal::ZERO
            || self.exempted_emissions_percent > Decimal::from(5)
        {
            e.push(err("exempted_emissions_percent", "domain-pcf-exempted"));
        }
        let pct = |d: Decimal| d >= Decimal::ZERO && d <= Decimal::ONE_HUNDRED;
        if self.primary_data_share.is_some_and(|p| !pct(p)) {
            e.push(err("primary_data_share", "domain-pcf-percent"));
        }
        if let Some(q) = &self.dqi {
            let ratings = [
                q.technological,
                q.temporal,
                q.geographical,
                q.completeness,
                q.reliability,
            ];
            if !pct(q.coverage_percent)
                || ratings[..3].iter().any(|r| !DQR_V3.contains(r))
                || ratings[3..].iter().any(|r| !DQR_V2.contains(r))
            {
                e.push(err("dqi", "domain-pcf-dqr"));
            }
        }
        self.validate_when_applicable(&mut e);
        if !(self.calculation == "manual"
            || self
                .calculation
                .strip_prefix("lca:")
                .is_some_and(|id| !id.is_empty()))
        {
            e.push(err("calculation", "domain-pcf-calculation"));
        }
        if e.is_empty() { Ok(()) } else { Err(e) }
    }

    /// The checks of the fields PACT asks for only when they apply.
    fn validate_when_applicable(&self, e: &mut Vec<FieldError>) {
        let amounts = [
            (
                "land_use_change_ghg_emissions",
                self.land_use_change_ghg_emissions,
            ),
            ("aircraft_ghg_emissions", self.aircraft_ghg_emissions),
            ("packaging_ghg_emissions", self.packaging_ghg_emissions),
            (
                "outbound_logistics_ghg_emissions",
                self.outbound_logistics_ghg_emissions,
            ),
            ("ccu_carbon_content", self.ccu_carbon_content),
        ];
        for (field, v) in amounts {
            if v.is_some_and(|v| v < Decimal::ZERO) {
                e.push(err(field, "domain-pcf-non-negative"));
            }
        }
        if self.packaging_ghg_emissions.is_some() && !self.packaging_emissions_included {
            e.push(err("packaging_ghg_emissions", "domain-pcf-packaging"));
        }
        if let Some(u) = self.biogenic_co2_uptake {
            if u > Decimal::ZERO {
                e.push(err("biogenic_co2_uptake", "domain-pcf-non-positive"));
            } else if u != self.pcf_including_biogenic_uptake - self.pcf_excluding_biogenic_uptake {
                e.push(err("biogenic_co2_uptake", "domain-pcf-uptake-sum"));
            }
        }
        if self
            .ccu_calculation_approach
            .as_deref()
            .is_some_and(|a| !CCU_APPROACHES.contains(&a))
        {
            e.push(err("ccu_calculation_approach", "domain-pcf-ccu-approach"));
        }
        if let Some(url) = &self.ccu_credit_certification {
            if !is_web_url(url) {
                e.push(err("ccu_credit_certification", "domain-pcf-url"));
            } else if self.ccu_calculation_approach.as_deref() != Some("Credit") {
                e.push(err("ccu_credit_certification", "domain-pcf-ccu-credit"));
            }
        }
        let rules = &self.product_or_sector_specific_rules;
        if !rules.iter().all(SectorRule::is_valid) || !all_distinct(rules) {
            e.push(err("product_or_sector_specific_rules", "domain-pcf-rule"));
        }
        let sources = &self.secondary_emission_factor_sources;
        if !sources
            .iter()
            .all(|s| !s.name.trim().is_empty() && !s.version.trim().is_empty())
            || !all_distinct(sources)
        {
            e.push(err(
                "secondary_emission_factor_sources",
                "domain-pcf-ef-source",
            ));
        }
    }

    /// SHA-256 over the canonical JSON of the record.
    pub fn digest(&self) -> String {
        let json = serde_json::to_vec(self).expect("a PCF serialises");
        hex::encode(Sha256::digest(&json))
    }
}

/// What a certifier signs for a footprint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CertificateInput {
    pub number: String,
    /// A standard id of [`STANDARDS`].
    pub standard: String,
    pub scope: String,
    pub valid_from: NaiveDate,
    pub valid_to: NaiveDate,
    pub statement: String,
}

impl CertificateInput {
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut e = Vec::new();
        if self.number.trim().is_empty() {
            e.push(err("number", "domain-required"));
        }
        if !STANDARDS.iter().any(|(id, _)| *id == self.standard) {
            e.push(err("standard", "domain-pcf-standard"));
        }
        if self.scope.trim().is_empty() {
            e.push(err("scope", "domain-required"));
        }
        if self.statement.trim().is_empty() {
            e.push(err("statement", "domain-required"));
        }
        if self.valid_to <= self.valid_from {
            e.push(err("valid_to", "domain-pcf-period"));
        }
        if e.is_empty() { Ok(()) } else { Err(e) }
    }
}

/// The content a certificate's digest covers: the certificate, the
/// footprint's digest and the signer.
pub fn certificate_digest(
    c: &CertificateInput,
    pcf_digest: &str,
    institution_id: &str,
    signed_by: &str,
) -> String {
    let content = serde_json::json!({
        "certificate": c,
        "pcf": pcf_digest,
        "institution": institution_id,
        "signed_by": signed_by,
    });
    hex::encode(Sha256::digest(content.to_string().as_bytes()))
}

/// A certificate's standing on a day.
pub fn certificate_status(
    valid_from: NaiveDate,
    valid_to: NaiveDate,
    on: NaiveDate,
) -> &'static str {
    if on < valid_from {
        "not-yet-valid"
    } else if on > valid_to {
        "expired"
    } else {
        "valid"
    }
}

#[cfg(test)]
pub(crate) fn sample() -> PcfInput {
    let d = |s: &str| -> Decimal { s.parse().unwrap() };
    let day = |s: &str| -> NaiveDate { s.parse().unwrap() };
    PcfInput {
        product_name_zh: "光伏组件".into(),
        product_name_en: Some("PV module".into()),
        product_ids: vec!["urn:pact:sample.com:product-id:pv-550".into()],
        product_classifications: vec!["urn:pact:productclassification:un-cpc:46410".into()],
        product_description: "550 W monocrystalline module".into(),
        declared_unit: "piece".into(),
        declared_unit_amount: d("1"),
        product_mass_per_declared_unit: d("27.5"),
        boundary: "cradle-to-gate".into(),
        reference_period_start: day("2025-01-01"),
        reference_period_end: day("2026-01-01"),
        geography: "CN-FJ".into(),
        standards: vec!["iso-14067".into()],
        gwp_set: "AR6".into(),
        pcf_excluding_biogenic_uptake: d("412.5"),
        pcf_including_biogenic_uptake: d("410.1"),
        fossil_ghg_emissions: d("405.0"),
        fossil_carbon_content: d("0"),
        biogenic_carbon_content: Some(d("0.7")),
        exempted_emissions_percent: d("0.8"),
        exempted_emissions_description: "capital goods".into(),
        packaging_emissions_included: true,
        primary_data_share: Some(d("62.5")),
        dqi: Some(DataQuality {
            coverage_percent: d("80"),
            technological: 2,
            temporal: 1,
            geographical: 2,
            completeness: 2,
            reliability: 1,
        }),
        calculation: "manual".into(),
        comment: String::new(),
        land_use_change_ghg_emissions: None,
        biogenic_co2_uptake: None,
        aircraft_ghg_emissions: None,
        packaging_ghg_emissions: None,
        outbound_logistics_ghg_emissions: None,
        ccu_carbon_content: None,
        ccu_calculation_approach: None,
        ccu_credit_certification: None,
        product_or_sector_specific_rules: Vec::new(),
        allocation_rules_description: String::new(),
        secondary_emission_factor_sources: Vec::new(),
    }
}

/// The sample with every optional PACT field set.
#[cfg(test)]
pub(crate) fn full_sample() -> PcfInput {
    let d = |s: &str| -> Decimal { s.parse().unwrap() };
    PcfInput {
        land_use_change_ghg_emissions: Some(d("1.25")),
        biogenic_co2_uptake: Some(d("-2.4")),
        aircraft_ghg_emissions: Some(d("0.5")),
        packaging_ghg_emissions: Some(d("3.3")),
        outbound_logistics_ghg_emissions: Some(d("6.05")),
        ccu_carbon_content: Some(d("0.02")),
        ccu_calculation_approach: Some("Credit".into()),
        ccu_credit_certification: Some("https://registry.example/ccu/123".into()),
        product_or_sector_specific_rules: vec![
            SectorRule {
                operator: "EPD International".into(),
                rule_names: vec!["PCR 2019:14".into()],
                other_operator_name: None,
            },
            SectorRule {
                operator: "Other".into(),
                rule_names: vec!["PV module PCR".into(), "CPIA guide".into()],
                other_operator_name: Some("China PV Industry Association".into()),
            },
        ],
        allocation_rules_description: "Mass allocation between modules and offcuts.".into(),
        secondary_emission_factor_sources: vec![
            EmissionFactorSource {
                name: "ecoinvent".into(),
                version: "3.9.1".into(),
            },
            EmissionFactorSource {
                name: "CLCD".into(),
                version: "0.8".into(),
            },
        ],
        ..sample()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_complete_footprint_passes() {
        assert_eq!(sample().validate(), Ok(()));
    }

    #[test]
    fn every_error_names_its_field() {
        let mut p = sample();
        p.product_ids = vec!["pv-550".into()];
        p.declared_unit = "tonne".into();
        p.geography = "Fujian".into();
        p.pcf_including_biogenic_uptake = "500".parse().unwrap();
        p.exempted_emissions_percent = "7".parse().unwrap();
        p.calculation = "lca:".into();
        let fields: Vec<String> = p
            .validate()
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(
            fields,
            [
                "product_ids",
                "declared_unit",
                "geography",
                "pcf_including_biogenic_uptake",
                "exempted_emissions_percent",
                "calculation"
            ]
        );
    }

    /// Records as stored before the optional PACT fields existed: the
    /// sample, and a minimal record with every `Option` unknown.
    const STORED: [(&str, &str); 2] = [
        (
            r#"{"product_name_zh":"光伏组件","product_name_en":"PV module","product_ids":["urn:pact:sample.com:product-id:pv-550"],"product_classifications":["urn:pact:productclassification:un-cpc:46410"],"product_description":"550 W monocrystalline module","declared_unit":"piece","declared_unit_amount":"1","product_mass_per_declared_unit":"27.5","boundary":"cradle-to-gate","reference_period_start":"2025-01-01","reference_period_end":"2026-01-01","geography":"CN-FJ","standards":["iso-14067"],"gwp_set":"AR6","pcf_excluding_biogenic_uptake":"412.5","pcf_including_biogenic_uptake":"410.1","fossil_ghg_emissions":"405.0","fossil_carbon_content":"0","biogenic_carbon_content":"0.7","exempted_emissions_percent":"0.8","exempted_emissions_description":"capital goods","packaging_emissions_included":true,"primary_data_share":"62.5","dqi":{"coverage_percent":"80","technological":2,"temporal":1,"geographical":2,"completeness":2,"reliability":1},"calculation":"manual","comment":""}"#,
            "e2baf115108a76916adb85d2ac7e190f12cf1e9fa139eaad571d886256c6b766",
        ),
        (
            r#"{"product_name_zh":"光伏组件","product_name_en":null,"product_ids":["urn:pact:test.example:product-id:pv-550"],"product_classifications":[],"product_description":"550 W module","declared_unit":"piece","declared_unit_amount":"1","product_mass_per_declared_unit":"27.5","boundary":"cradle-to-gate","reference_period_start":"2025-01-01","reference_period_end":"2026-01-01","geography":"CN-FJ","standards":["iso-14067"],"gwp_set":"AR6","pcf_excluding_biogenic_uptake":"412.5","pcf_including_biogenic_uptake":"410.1","fossil_ghg_emissions":"405","fossil_carbon_content":"0","biogenic_carbon_content":null,"exempted_emissions_percent":"0.8","exempted_emissions_description":"","packaging_emissions_included":true,"primary_data_share":null,"dqi":null,"calculation":"manual","comment":""}"#,
            "04774026ed80c6a1e8c611f2b80be3047c364fe444103d84bf52934dcd02d11b",
        ),
    ];

    #[test]
    fn stored_records_keep_their_canonical_json_and_digest() {
        for (json, digest) in STORED {
            let p: PcfInput = serde_json::from_str(json).unwrap();
            assert_eq!(serde_json::to_string(&p).unwrap(), json);
            assert_eq!(p.digest(), digest);
            assert_eq!(p.validate(), Ok(()));
        }
        let first: PcfInput = serde_json::from_str(STORED[0].0).unwrap();
        assert_eq!(first, sample());
        assert_eq!(sample().digest(), STORED[0].1);
    }

    #[test]
    fn every_optional_field_set_passes_and_round_trips() {
        let p = full_sample();
        assert_eq!(p.validate(), Ok(()));
        let json = serde_json::to_string(&p).unwrap();
        let back: PcfInput = serde_json::from_str(&json).unwrap();
        assert_eq!(back, p);
        assert_eq!(back.digest(), p.digest());
        assert_ne!(p.digest(), sample().digest());
        // Unknown fields are still refused.
        let mut v: serde_json::Value = serde_json::from_str(&json).unwrap();
        v["dLucGhgEmissions"] = serde_json::json!("1");
        assert!(serde_json::from_value::<PcfInput>(v).is_err());
    }

    fn fields(p: &PcfInput) -> Vec<String> {
        p.validate()
            .err()
            .unwrap_or_default()
            .into_iter()
            .map(|e| e.field)
            .collect()
    }

    fn keys(p: &PcfInput) -> Vec<String> {
        p.validate()
            .err()
            .unwrap_or_default()
            .into_iter()
            .map(|e| e.msg.key.to_string())
            .collect()
    }

    #[test]
    fn optional_amounts_are_not_negative_and_uptake_is_the_difference() {
        let d = |s: &str| -> Decimal { s.parse().unwrap() };
        let mut p = full_sample();
        p.land_use_change_ghg_emissions = Some(d("-0.1"));
        p.aircraft_ghg_emissions = Some(d("-1"));
        p.packaging_ghg_emissions = Some(d("-1"));
        p.outbound_logistics_ghg_emissions = Some(d("-0.001"));
        p.ccu_carbon_content = Some(d("-2"));
        p.biogenic_co2_uptake = Some(d("0.5"));
        assert_eq!(
            fields(&p),
            [
                "land_use_change_ghg_emissions",
                "aircraft_ghg_emissions",
                "packaging_ghg_emissions",
                "outbound_logistics_ghg_emissions",
                "ccu_carbon_content",
                "biogenic_co2_uptake",
            ]
        );
        assert_eq!(keys(&p)[5], "domain-pcf-non-positive");
        // Zero is a value like any other.
        let mut p = full_sample();
        p.land_use_change_ghg_emissions = Some(Decimal::ZERO);
        p.outbound_logistics_ghg_emissions = Some(Decimal::ZERO);
        assert_eq!(p.validate(), Ok(()));
        // The uptake is exactly including − excluding (410.1 − 412.5).
        p.biogenic_co2_uptake = Some(d("-2.5"));
        assert_eq!(keys(&p), ["domain-pcf-uptake-sum"]);
        p.biogenic_co2_uptake = Some(d("-2.400"));
        assert_eq!(p.validate(), Ok(()));
    }

    #[test]
    fn packaging_emissions_only_when_packaging_is_included() {
        let mut p = full_sample();
        p.packaging_emissions_included = false;
        assert_eq!(fields(&p), ["packaging_ghg_emissions"]);
        assert_eq!(keys(&p), ["domain-pcf-packaging"]);
        p.packaging_ghg_emissions = None;
        assert_eq!(p.validate(), Ok(()));
    }

    #[test]
    fn ccu_approach_and_certification() {
        let mut p = full_sample();
        p.ccu_calculation_approach = Some("credit".into());
        assert_eq!(
            keys(&p),
            ["domain-pcf-ccu-approach", "domain-pcf-ccu-credit"]
        );
        p.ccu_calculation_approach = Some("Cut-off".into());
        assert_eq!(fields(&p), ["ccu_credit_certification"]);
        assert_eq!(keys(&p), ["domain-pcf-ccu-credit"]);
        p.ccu_credit_certification = None;
        assert_eq!(p.validate(), Ok(()));
        p.ccu_calculation_approach = Some("Credit".into());
        for bad in [
            "registry.example/ccu",
            "https://",
            "https:///x",
            "ftp://a.b",
            "https://a b",
        ] {
            p.ccu_credit_certification = Some(bad.into());
            assert_eq!(keys(&p), ["domain-pcf-url"], "{bad}");
        }
        p.ccu_credit_certification = Some("HTTP://registry.example".into());
        assert_eq!(p.validate(), Ok(()));
    }

    #[test]
    fn rules_and_factor_sources_are_complete_and_listed_once() {
        let rule = |op: &str, names: &[&str], other: Option<&str>| SectorRule {
            operator: op.into(),
            rule_names: names.iter().map(|n| n.to_string()).collect(),
            other_operator_name: other.map(str::to_string),
        };
        for bad in [
            rule("PCR", &["PCR-A"], None),
            rule("Other", &["PCR-A"], None),
            rule("Other", &["PCR-A"], Some(" ")),
            rule("PEF", &[], None),
            rule("PEF", &["PEF 1.0", " "], None),
            rule("PEF", &["PEF 1.0", "PEF 1.0"], None),
        ] {
            let mut p = full_sample();
            p.product_or_sector_specific_rules = vec![bad.clone()];
            assert_eq!(fields(&p), ["product_or_sector_specific_rules"], "{bad:?}");
            assert_eq!(keys(&p), ["domain-pcf-rule"]);
        }
        let mut p = full_sample();
        p.product_or_sector_specific_rules
            .push(p.product_or_sector_specific_rules[0].clone());
        assert_eq!(keys(&p), ["domain-pcf-rule"]);

        let source = |name: &str, version: &str| EmissionFactorSource {
            name: name.into(),
            version: version.into(),
        };
        for bad in [
            vec![source("ecoinvent", "")],
            vec![source(" ", "3.9.1")],
            vec![source("ecoinvent", "3.9.1"), source("ecoinvent", "3.9.1")],
        ] {
            let mut p = full_sample();
            p.secondary_emission_factor_sources = bad;
            assert_eq!(fields(&p), ["secondary_emission_factor_sources"]);
            assert_eq!(keys(&p), ["domain-pcf-ef-source"]);
        }
        let mut p = full_sample();
        p.secondary_emission_factor_sources =
            vec![source("ecoinvent", "3.9.1"), source("ecoinvent", "3.10")];
        assert_eq!(p.validate(), Ok(()));
    }

    #[test]
    fn data_quality_ratings_follow_pact_v3() {
        let mut p = sample();
        let q = p.dqi.as_mut().unwrap();
        q.technological = 5;
        q.temporal = 4;
        q.geographical = 1;
        assert_eq!(p.validate(), Ok(()));
        for edit in [
            |q: &mut DataQuality| q.technological = 6,
            |q: &mut DataQuality| q.geographical = 0,
            // Completeness and reliability exist only in v2 (1 to 3).
            |q: &mut DataQuality| q.completeness = 4,
            |q: &mut DataQuality| q.reliability = 0,
            |q: &mut DataQuality| q.coverage_percent = Decimal::from(101),
        ] {
            let mut p = sample();
            edit(p.dqi.as_mut().unwrap());
            assert_eq!(keys(&p), ["domain-pcf-dqr"]);
            assert_eq!(fields(&p), ["dqi"]);
        }
    }

    #[test]
    fn certificate_digests_cover_the_footprint_and_status_follows_the_day() {
        let c = CertificateInput {
            number: "CQC-PCF-2026-001".into(),
            standard: "iso-14067".into(),
            scope: "PV module, cradle to gate".into(),
            valid_from: "2026-01-10".parse().unwrap(),
            valid_to: "2029-01-09".parse().unwrap(),
            statement: "verified".into(),
        };
        assert_eq!(c.validate(), Ok(()));
        let a = certificate_digest(&c, &sample().digest(), "i1", "u1");
        let mut other = sample();
        other.fossil_ghg_emissions = "406".parse().unwrap();
        assert_ne!(a, certificate_digest(&c, &other.digest(), "i1", "u1"));
        assert_eq!(a, certificate_digest(&c, &sample().digest(), "i1", "u1"));
        let day = |s: &str| s.parse().unwrap();
        assert_eq!(
            certificate_status(c.valid_from, c.valid_to, day("2027-01-01")),
            "valid"
        );
        assert_eq!(
            certificate_status(c.valid_from, c.valid_to, day("2029-01-10")),
            "expired"
        );
    }
}
