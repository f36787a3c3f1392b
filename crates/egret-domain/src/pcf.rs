//! Product carbon footprints (PCF): what a footprint declares, checked on
//! entry, and the certificates that verify one.
//!
//! The fields follow the PACT v3 data model's CarbonFootprint (declared
//! unit, reference period, geography, the fossil / biogenic split, primary
//! data share, data-quality ratings) so a record can be exchanged as is;
//! amounts are exact decimals in kgCO2e per declared unit.

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

/// Data-quality ratings (PACT: 1 good … 3 fair).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DataQuality {
    /// Share of the footprint covered by the ratings, percent.
    pub coverage_percent: Decimal,
    pub technological: u8,
    pub temporal: u8,
    pub geographical: u8,
    pub completeness: u8,
    pub reliability: u8,
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
}

fn err(field: &'static str, key: &'static str) -> FieldError {
    FieldError::new(field, Msg::new(key))
}

fn is_urn(s: &str) -> bool {
    let s = s.trim();
    s.len() > 4 && s[..4].eq_ignore_ascii_case("urn:") && s.matches(':').count() >= 2
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
            if !pct(q.coverage_percent) || ratings.iter().any(|r| !(1..=3).contains(r)) {
                e.push(err("dqi", "domain-pcf-dqi"));
            }
        }
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
