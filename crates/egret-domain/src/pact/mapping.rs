//! From Egret's footprint record ([`PcfInput`]) and what the platform adds
//! ([`FootprintMeta`]) to PACT v3 and v2 footprints.

use std::fmt;

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

use super::v2::{AssuranceV2, CarbonFootprintV2, DataQualityIndicatorsV2, ProductFootprintV2};
use super::v3::{
    CarbonFootprintV3, DataQualityIndicatorsV3, ProductFootprintV3, VerificationCoverage,
    VerificationV3, plus_three_years,
};
use super::{DeclaredUnit, FootprintStatus, RegionOrSubregion, V2_SPEC_VERSION, V3_SPEC_VERSION};
use crate::pcf::{PcfInput, STANDARDS};

/// What the platform knows about a footprint beyond the record itself.
#[derive(Debug, Clone, PartialEq)]
pub struct FootprintMeta {
    /// The footprint's UUID (lower-case text form). In v3 every change
    /// makes a new footprint with a new id.
    pub id: String,
    /// v2's version counter (1 for a first version); not part of v3.
    pub version: u32,
    /// When the footprint was created (published).
    pub created: DateTime<Utc>,
    /// v2's `updated`; not part of v3.
    pub updated: Option<DateTime<Utc>>,
    /// `Active`, or `Deprecated` once superseded or withdrawn.
    pub status: FootprintStatus,
    /// Ids of the footprints this one supersedes.
    pub preceding_pf_ids: Vec<String>,
    /// The data owner's name.
    pub company_name: String,
    /// URNs identifying the data owner (at least one).
    pub company_ids: Vec<String>,
    /// Start (inclusive) and end (exclusive) of the validity period, if the
    /// owner set one. PACT confines it to `referencePeriodEnd` …
    /// `referencePeriodEnd` + 3 years; [`to_v3`] clips it to that window and
    /// leaves it out if nothing remains (the default period then applies).
    pub validity: Option<(DateTime<Utc>, DateTime<Utc>)>,
    /// The certificate, if a registered certifier verified the footprint.
    pub verification: Option<VerificationInfo>,
}

/// A certifier's verification of a footprint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerificationInfo {
    /// The certificate's number.
    pub certificate_number: String,
    /// A standard id of [`STANDARDS`] (its name is written as
    /// `standardName`); any other text is written as is.
    pub standard_id: String,
    /// The certifier's (institution's) name.
    pub provider_name: String,
    /// When the verification was completed (signed).
    pub completed_at: DateTime<Utc>,
    /// What was verified; a certificate on one footprint is `ProductLevel`.
    pub coverage: VerificationCoverage,
    /// The certificate's scope text.
    pub scope: String,
    /// First day the certificate is valid.
    pub valid_from: NaiveDate,
    /// Last day the certificate is valid.
    pub valid_to: NaiveDate,
    /// The public page where the certificate can be checked.
    pub verification_url: Option<String>,
}

impl VerificationInfo {
    /// The standard's name as `standardName` carries it.
    fn standard_name(&self) -> String {
        STANDARDS
            .iter()
            .find(|(id, _)| *id == self.standard_id)
            .map_or_else(|| self.standard_id.clone(), |(_, name)| name.to_string())
    }

    fn comments(&self) -> String {
        let mut s = format!(
            "Certificate {}; scope: {}; valid {} to {}",
            self.certificate_number.trim(),
            self.scope.trim(),
            self.valid_from,
            self.valid_to
        );
        if let Some(url) = &self.verification_url {
            s.push_str("; verify at ");
            s.push_str(url);
        }
        s
    }
}

/// The v3 `crossSectoralStandards` value of one of Egret's standard ids
/// ([`STANDARDS`]).
pub fn cross_sectoral_standard(id: &str) -> Option<&'static str> {
    Some(match id {
        "iso-14067" => "ISO14067",
        "pas-2050" => "PAS2050",
        "ghgp-product" => "GHGP-Product",
        "pact-methodology" => "PACT-3.0",
        "iso-14044" => "ISO14040-44",
        _ => return None,
    })
}

/// The v2 `crossSectoralStandardsUsed` value of one of Egret's standard ids;
/// PAS 2050 and the PACT methodology have none.
pub fn v2_cross_sectoral_standard_used(id: &str) -> Option<&'static str> {
    Some(match id {
        "iso-14067" => "ISO Standard 14067",
        "ghgp-product" => "GHG Protocol Product standard",
        "iso-14044" => "ISO Standard 14044",
        _ => return None,
    })
}

/// The v2.3 `crossSectoralStandards` value (a closed set without PAS 2050).
fn v2_cross_sectoral_standard(id: &str) -> Option<&'static str> {
    cross_sectoral_standard(id).filter(|s| *s != "PAS2050")
}

fn midnight(d: NaiveDate) -> DateTime<Utc> {
    d.and_time(NaiveTime::MIN).and_utc()
}

/// Trimmed, without empty strings and without repeats, in first-seen order.
fn unique<'a>(items: impl IntoIterator<Item = &'a String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for item in items {
        let item = item.trim();
        if !item.is_empty() && !out.iter().any(|o| o == item) {
            out.push(item.to_string());
        }
    }
    out
}

/// A decimal as written: no trailing zeros, no negative zero.
fn clean(d: Decimal) -> Decimal {
    let n = d.normalize();
    if n.is_zero() { Decimal::ZERO } else { n }
}

fn non_empty(s: &str) -> Option<String> {
    let s = s.trim();
    (!s.is_empty()).then(|| s.to_string())
}

fn boundary_description(boundary: &str) -> String {
    match boundary {
        "cradle-to-gate" => "System boundary: cradle-to-gate.".to_string(),
        "cradle-to-grave" => "System boundary: cradle-to-grave.".to_string(),
        other => format!("System boundary: {other}."),
    }
}

fn product_name(pcf: &PcfInput) -> String {
    pcf.product_name_en
        .as_deref()
        .and_then(non_empty)
        .unwrap_or_else(|| pcf.product_name_zh.trim().to_string())
}

/// Country, subdivision or region of a geography string.
fn geography(g: &str) -> (Option<RegionOrSubregion>, Option<String>, Option<String>) {
    let g = g.trim();
    if let Some(region) = RegionOrSubregion::parse(g) {
        (Some(region), None, None)
    } else if g.len() == 2 {
        (None, Some(g.to_string()), None)
    } else {
        (None, None, Some(g.to_string()))
    }
}

/// The validity period clipped to what PACT allows, or `None`.
fn clipped_validity(
    meta: &FootprintMeta,
    reference_end: DateTime<Utc>,
) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
    let (start, end) = meta.validity?;
    let start = start.max(reference_end);
    let end = end.min(plus_three_years(reference_end));
    (start < end).then_some((start, end))
}

/// The v3 footprint of a record. `pcf` is expected to have passed
/// [`PcfInput::validate`]; the result then passes
/// [`check_v3_footprint`](super::check_v3_footprint).
///
/// Mapping: the English product name (else the Chinese one) becomes
/// `productNameCompany`; the reference period's dates become midnight UTC
/// (end exclusive, as in the record); the geography becomes exactly one of
/// `geographyCountry` / `geographyCountrySubdivision` (or a UN region, by
/// name); standards map by [`cross_sectoral_standard`]; the GWP set becomes
/// `ipccCharacterizationFactors`; the data quality ratings keep their
/// technological, geographical and temporal values (v3 has no coverage,
/// completeness or reliability); the boundary becomes
/// `boundaryProcessesDescription`; ids and URNs are trimmed and de-duplicated.
pub fn to_v3(pcf: &PcfInput, meta: &FootprintMeta) -> ProductFootprintV3 {
    let reference_end = midnight(pcf.reference_period_end);
    let validity = clipped_validity(meta, reference_end);
    let (region, country, subdivision) = geography(&pcf.geography);
    let mut standards: Vec<String> = Vec::new();
    for s in &pcf.standards {
        if let Some(v) = cross_sectoral_standard(s)
            && !standards.iter().any(|x| x == v)
        {
            standards.push(v.to_string());
        }
    }
    let carbon = CarbonFootprintV3 {
        declared_unit_of_measurement: DeclaredUnit::parse(&pcf.declared_unit)
            .unwrap_or(DeclaredUnit::Kilogram),
        declared_unit_amount: clean(pcf.declared_unit_amount),
        product_mass_per_declared_unit: clean(pcf.product_mass_per_declared_unit),
        reference_period_start: midnight(pcf.reference_period_start),
        reference_period_end: reference_end,
        geography_region_or_subregion: region,
        geography_country: country,
        geography_country_subdivision: subdivision,
        boundary_processes_description: Some(boundary_description(&pcf.boundary)),
        pcf_excluding_biogenic_uptake: clean(pcf.pcf_excluding_biogenic_uptake),
        pcf_including_biogenic_uptake: clean(pcf.pcf_including_biogenic_uptake),
        fossil_carbon_content: clean(pcf.fossil_carbon_content),
        biogenic_carbon_content: pcf.biogenic_carbon_content.map(clean),
        recycled_carbon_content: None,
        fossil_ghg_emissions: clean(pcf.fossil_ghg_emissions),
        land_use_change_ghg_emissions: None,
        land_carbon_leakage: None,
        land_management_fossil_ghg_emissions: None,
        land_management_biogenic_co2_emissions: None,
        land_management_biogenic_co2_removals: None,
        biogenic_co2_uptake: None,
        biogenic_non_co2_emissions: None,
        land_area_occupation: None,
        aircraft_ghg_emissions: None,
        packaging_emissions_included: Some(pcf.packaging_emissions_included),
        packaging_ghg_emissions: None,
        packaging_biogenic_carbon_content: None,
        outbound_logistics_ghg_emissions: None,
        ccs_technological_co2_capture_included: None,
        ccs_technological_co2_capture: None,
        technological_co2_capture_origin: None,
        technological_co2_removals: None,
        ccu_carbon_content: None,
        ccu_calculation_approach: None,
        ccu_credit_certification: None,
        ipcc_characterization_factors: vec![pcf.gwp_set.clone()],
        cross_sectoral_standards: standards,
        product_or_sector_specific_rules: Vec::new(),
        exempted_emissions_percent: clean(pcf.exempted_emissions_percent),
        exempted_emissions_description: non_empty(&pcf.exempted_emissions_description),
        allocation_rules_description: None,
        secondary_emission_factor_sources: Vec::new(),
        primary_data_share: pcf.primary_data_share.map(clean),
        dqi: pcf.dqi.as_ref().map(|q| DataQualityIndicatorsV3 {
            technological_dqr: Decimal::from(q.technological),
            geographical_dqr: Decimal::from(q.geographical),
            temporal_dqr: Decimal::from(q.temporal),
        }),
        verification: meta.verification.as_ref().map(|v| VerificationV3 {
            coverage: Some(v.coverage),
            provider_name: non_empty(&v.provider_name),
            completed_at: Some(v.completed_at),
            standard_name: Some(v.standard_name()),
            comments: Some(v.comments()),
        }),
    };
    ProductFootprintV3 {
        id: meta.id.trim().to_ascii_lowercase(),
        spec_version: V3_SPEC_VERSION.to_string(),
        preceding_pf_ids: unique(&meta.preceding_pf_ids),
        created: meta.created,
        status: meta.status,
        validity_period_start: validity.map(|v| v.0),
        validity_period_end: validity.map(|v| v.1),
        company_name: meta.company_name.trim().to_string(),
        company_ids: unique(&meta.company_ids),
        product_description: pcf.product_description.trim().to_string(),
        product_ids: unique(&pcf.product_ids),
        product_classifications: unique(&pcf.product_classifications),
        product_name_company: product_name(pcf),
        comment: non_empty(&pcf.comment),
        pcf: carbon,
        extensions: Vec::new(),
    }
}

/// Why a footprint cannot be written in the v2 model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum V2Gap {
    /// A v3-only unit (`piece`, `hour`, `megabit second`) without a product
    /// mass to restate the footprint per kilogram.
    Unit(String),
    /// v2 requires `productCategoryCpc` and no classification is a UN CPC
    /// URN (`urn:cpc:<code>`, `urn:…:un-cpc:<code>`).
    NoCpcCode,
    /// v2 requires `crossSectoralStandardsUsed`, whose values cover only
    /// ISO 14067, ISO 14044 and the GHG Protocol Product Standard.
    NoV2Standard,
    /// v2 requires `biogenicCarbonContent`; the record leaves it unknown.
    NoBiogenicCarbonContent,
}

impl fmt::Display for V2Gap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            V2Gap::Unit(u) => write!(
                f,
                "declared unit {u:?} does not exist in PACT v2 and the product mass is 0"
            ),
            V2Gap::NoCpcCode => f.write_str("PACT v2 requires a UN CPC classification"),
            V2Gap::NoV2Standard => f.write_str(
                "PACT v2 requires ISO 14067, ISO 14044 or the GHG Protocol Product Standard",
            ),
            V2Gap::NoBiogenicCarbonContent => {
                f.write_str("PACT v2 requires the biogenic carbon content")
            }
        }
    }
}

impl std::error::Error for V2Gap {}

/// The UN CPC code of the first classification that is one:
/// `urn:cpc:<code>` or a URN whose second-last part is `un-cpc`/`cpc`.
fn cpc_code(classifications: &[String]) -> Option<String> {
    classifications.iter().find_map(|c| {
        let parts: Vec<&str> = c.trim().split(':').collect();
        let n = parts.len();
        (n >= 3
            && parts[0].eq_ignore_ascii_case("urn")
            && (parts[n - 2].eq_ignore_ascii_case("un-cpc")
                || parts[n - 2].eq_ignore_ascii_case("cpc"))
            && !parts[n - 1].is_empty())
        .then(|| parts[n - 1].to_string())
    })
}

/// The v2 footprint of a record, or why it has none.
///
/// v2 states emissions per one unit of `declaredUnit` and the product's
/// amount in `unitaryProductAmount`, so amounts per declared unit are
/// divided by `declaredUnitAmount` (rounded to 12 decimal places). A v3-only
/// unit (`piece`, `hour`, `megabit second`) is restated per kilogram when
/// the product mass is known (ADR-33's pre-v3 practice); otherwise there is
/// no v2 footprint. Percentages and data quality become JSON numbers;
/// verification becomes `assurance`.
pub fn to_v2(pcf: &PcfInput, meta: &FootprintMeta) -> Result<ProductFootprintV2, V2Gap> {
    let v3 = to_v3(pcf, meta);
    let c = &v3.pcf;
    let (unit, amount, mass_per_unit) = if c.declared_unit_of_measurement.in_v2() {
        (
            c.declared_unit_of_measurement,
            c.declared_unit_amount,
            c.product_mass_per_declared_unit / c.declared_unit_amount,
        )
    } else if c.product_mass_per_declared_unit > Decimal::ZERO {
        (
            DeclaredUnit::Kilogram,
            c.product_mass_per_declared_unit,
            Decimal::ONE,
        )
    } else {
        return Err(V2Gap::Unit(c.declared_unit_of_measurement.to_string()));
    };
    let per_unit = |d: Decimal| clean((d / amount).round_dp(12));
    let product_category_cpc = cpc_code(&v3.product_classifications).ok_or(V2Gap::NoCpcCode)?;
    let mut used: Vec<String> = Vec::new();
    let mut standards: Vec<String> = Vec::new();
    for s in &pcf.standards {
        if let Some(v) = v2_cross_sectoral_standard_used(s)
            && !used.iter().any(|x| x == v)
        {
            used.push(v.to_string());
        }
        if let Some(v) = v2_cross_sectoral_standard(s)
            && !standards.iter().any(|x| x == v)
        {
            standards.push(v.to_string());
        }
    }
    if used.is_empty() {
        return Err(V2Gap::NoV2Standard);
    }
    let biogenic = c
        .biogenic_carbon_content
        .ok_or(V2Gap::NoBiogenicCarbonContent)?;
    let number = |d: Decimal| d.to_f64().unwrap_or(0.0);
    let carbon = CarbonFootprintV2 {
        declared_unit: unit,
        unitary_product_amount: clean(amount),
        product_mass_per_declared_unit: Some(clean(mass_per_unit.round_dp(12))),
        p_cf_excluding_biogenic: per_unit(c.pcf_excluding_biogenic_uptake),
        p_cf_including_biogenic: Some(per_unit(c.pcf_including_biogenic_uptake)),
        fossil_ghg_emissions: per_unit(c.fossil_ghg_emissions),
        fossil_carbon_content: per_unit(c.fossil_carbon_content),
        biogenic_carbon_content: per_unit(biogenic),
        d_luc_ghg_emissions: None,
        land_management_ghg_emissions: None,
        other_biogenic_ghg_emissions: None,
        i_luc_ghg_emissions: None,
        biogenic_carbon_withdrawal: None,
        aircraft_ghg_emissions: None,
        packaging_emissions_included: pcf.packaging_emissions_included,
        packaging_ghg_emissions: None,
        characterization_factors: pcf.gwp_set.clone(),
        ipcc_characterization_factors_sources: vec![pcf.gwp_set.clone()],
        cross_sectoral_standards_used: used,
        cross_sectoral_standards: standards,
        product_or_sector_specific_rules: Vec::new(),
        biogenic_accounting_methodology: None,
        boundary_processes_description: boundary_description(&pcf.boundary),
        reference_period_start: c.reference_period_start,
        reference_period_end: c.reference_period_end,
        geography_region_or_subregion: c.geography_region_or_subregion,
        geography_country: c.geography_country.clone(),
        geography_country_subdivision: c.geography_country_subdivision.clone(),
        secondary_emission_factor_sources: Vec::new(),
        exempted_emissions_percent: number(c.exempted_emissions_percent),
        exempted_emissions_description: pcf.exempted_emissions_description.trim().to_string(),
        allocation_rules_description: None,
        uncertainty_assessment_description: None,
        primary_data_share: c.primary_data_share.map(number),
        dqi: pcf.dqi.as_ref().map(|q| DataQualityIndicatorsV2 {
            coverage_percent: number(q.coverage_percent),
            technological_dqr: f64::from(q.technological),
            temporal_dqr: f64::from(q.temporal),
            geographical_dqr: f64::from(q.geographical),
            completeness_dqr: f64::from(q.completeness),
            reliability_dqr: f64::from(q.reliability),
        }),
        assurance: meta.verification.as_ref().map(|v| AssuranceV2 {
            assurance: true,
            coverage: (v.coverage == VerificationCoverage::ProductLevel)
                .then(|| "product level".to_string()),
            level: None,
            boundary: (pcf.boundary == "cradle-to-gate").then(|| "Cradle-to-Gate".to_string()),
            provider_name: v.provider_name.trim().to_string(),
            completed_at: Some(v.completed_at),
            standard_name: Some(v.standard_name()),
            comments: Some(v.comments()),
        }),
    };
    Ok(ProductFootprintV2 {
        id: v3.id,
        spec_version: V2_SPEC_VERSION.to_string(),
        preceding_pf_ids: v3.preceding_pf_ids,
        version: meta.version,
        created: meta.created,
        updated: meta.updated,
        status: meta.status,
        status_comment: None,
        validity_period_start: v3.validity_period_start,
        validity_period_end: v3.validity_period_end,
        company_name: v3.company_name,
        company_ids: v3.company_ids,
        product_description: v3.product_description,
        product_ids: v3.product_ids,
        product_classifications: v3.product_classifications,
        product_category_cpc,
        product_name_company: v3.product_name_company,
        comment: pcf.comment.trim().to_string(),
        pcf: carbon,
        extensions: Vec::new(),
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::pact::{check_v2_footprint, check_v3_footprint};
    use crate::pcf::sample;
    use serde_json::json;

    pub(crate) fn meta() -> FootprintMeta {
        let t = |s: &str| crate::pact::parse_date_time(s).unwrap();
        FootprintMeta {
            id: "0194f6c2-7a1e-7c3d-9b2a-5e8f1d2c3b4a".into(),
            version: 1,
            created: t("2026-02-01T08:30:00Z"),
            updated: None,
            status: FootprintStatus::Active,
            preceding_pf_ids: vec![],
            company_name: "Minjiang Solar Co., Ltd.".into(),
            company_ids: vec!["urn:pact:egret.example:uscc:91350100MA2XYZ1234".into()],
            validity: None,
            verification: None,
        }
    }

    fn verification() -> VerificationInfo {
        VerificationInfo {
            certificate_number: "CQC-PCF-2026-001".into(),
            standard_id: "iso-14067".into(),
            provider_name: "Fujian Certification Centre".into(),
            completed_at: crate::pact::parse_date_time("2026-01-10T02:00:00Z").unwrap(),
            coverage: VerificationCoverage::ProductLevel,
            scope: "PV module, cradle to gate".into(),
            valid_from: "2026-01-10".parse().unwrap(),
            valid_to: "2029-01-09".parse().unwrap(),
            verification_url: Some("https://egret.example/verify/ab12".into()),
        }
    }

    #[test]
    fn the_sample_maps_to_the_exact_v3_json() {
        let v = serde_json::to_value(to_v3(&sample(), &meta())).unwrap();
        assert_eq!(
            v,
            json!({
                "id": "0194f6c2-7a1e-7c3d-9b2a-5e8f1d2c3b4a",
                "specVersion": "3.0.3",
                "created": "2026-02-01T08:30:00Z",
                "status": "Active",
                "companyName": "Minjiang Solar Co., Ltd.",
                "companyIds": ["urn:pact:egret.example:uscc:91350100MA2XYZ1234"],
                "productDescription": "550 W monocrystalline module",
                "productIds": ["urn:pact:sample.com:product-id:pv-550"],
                "productClassifications": ["urn:pact:productclassification:un-cpc:46410"],
                "productNameCompany": "PV module",
                "pcf": {
                    "declaredUnitOfMeasurement": "piece",
                    "declaredUnitAmount": "1",
                    "productMassPerDeclaredUnit": "27.5",
                    "referencePeriodStart": "2025-01-01T00:00:00Z",
                    "referencePeriodEnd": "2026-01-01T00:00:00Z",
                    "geographyCountrySubdivision": "CN-FJ",
                    "boundaryProcessesDescription": "System boundary: cradle-to-gate.",
                    "pcfExcludingBiogenicUptake": "412.5",
                    "pcfIncludingBiogenicUptake": "410.1",
                    "fossilCarbonContent": "0",
                    "biogenicCarbonContent": "0.7",
                    "fossilGhgEmissions": "405",
                    "packagingEmissionsIncluded": true,
                    "ipccCharacterizationFactors": ["AR6"],
                    "crossSectoralStandards": ["ISO14067"],
                    "exemptedEmissionsPercent": "0.8",
                    "exemptedEmissionsDescription": "capital goods",
                    "primaryDataShare": "62.5",
                    "dqi": {"technologicalDQR": "2", "geographicalDQR": "2", "temporalDQR": "1"}
                }
            })
        );
        assert_eq!(check_v3_footprint(&v), Vec::<String>::new());
        let back: ProductFootprintV3 = serde_json::from_value(v).unwrap();
        assert_eq!(back, to_v3(&sample(), &meta()));
    }

    #[test]
    fn every_variant_maps_to_a_valid_v3_footprint() {
        let mut m = meta();
        m.status = FootprintStatus::Deprecated;
        m.preceding_pf_ids = vec![
            "f4b1225a-bd44-4c8e-861d-079e4e1dfd69".into(),
            "f4b1225a-bd44-4c8e-861d-079e4e1dfd69".into(),
        ];
        m.company_ids.push(m.company_ids[0].clone());
        m.verification = Some(verification());
        let mut p = sample();
        for (geo, field) in [
            ("CN", "geographyCountry"),
            ("CN-FJ", "geographyCountrySubdivision"),
            ("Eastern Asia", "geographyRegionOrSubregion"),
        ] {
            p.geography = geo.into();
            p.standards = STANDARDS.iter().map(|(id, _)| id.to_string()).collect();
            p.product_ids.push(p.product_ids[0].clone());
            p.comment = "calculated with Egret".into();
            p.exempted_emissions_description = String::new();
            p.dqi = None;
            p.primary_data_share = None;
            p.biogenic_carbon_content = None;
            p.product_classifications.clear();
            let fp = to_v3(&p, &m);
            let v = serde_json::to_value(&fp).unwrap();
            assert_eq!(check_v3_footprint(&v), Vec::<String>::new(), "{geo}");
            assert_eq!(v["pcf"][field], geo);
            assert_eq!(fp.geography(), Some(geo));
            assert_eq!(v["precedingPfIds"].as_array().unwrap().len(), 1);
            assert_eq!(v["productIds"].as_array().unwrap().len(), 1);
            assert!(v.get("productClassifications").is_none());
            assert_eq!(
                v["pcf"]["crossSectoralStandards"],
                json!([
                    "ISO14067",
                    "PAS2050",
                    "GHGP-Product",
                    "PACT-3.0",
                    "ISO14040-44"
                ])
            );
            assert_eq!(
                v["pcf"]["verification"],
                json!({
                    "coverage": "product level",
                    "providerName": "Fujian Certification Centre",
                    "completedAt": "2026-01-10T02:00:00Z",
                    "standardName": "ISO 14067:2018",
                    "comments": "Certificate CQC-PCF-2026-001; scope: PV module, cradle to gate; \
                                 valid 2026-01-10 to 2029-01-09; verify at https://egret.example/verify/ab12"
                })
            );
        }
    }

    #[test]
    fn validity_is_clipped_to_what_pact_allows() {
        let t = |s: &str| crate::pact::parse_date_time(s).unwrap();
        let mut m = meta();
        m.validity = Some((t("2025-06-01T00:00:00Z"), t("2030-01-01T00:00:00Z")));
        let fp = to_v3(&sample(), &m);
        assert_eq!(fp.validity_period_start, Some(t("2026-01-01T00:00:00Z")));
        assert_eq!(fp.validity_period_end, Some(t("2029-01-01T00:00:00Z")));
        let v = serde_json::to_value(&fp).unwrap();
        assert_eq!(check_v3_footprint(&v), Vec::<String>::new());

        m.validity = Some((t("2026-03-01T00:00:00Z"), t("2027-03-01T00:00:00Z")));
        let fp = to_v3(&sample(), &m);
        assert_eq!(
            fp.validity(),
            (t("2026-03-01T00:00:00Z"), t("2027-03-01T00:00:00Z"))
        );

        m.validity = Some((t("2020-01-01T00:00:00Z"), t("2025-01-01T00:00:00Z")));
        let fp = to_v3(&sample(), &m);
        assert_eq!(fp.validity_period_start, None);
        assert_eq!(
            fp.validity(),
            (t("2026-01-01T00:00:00Z"), t("2029-01-01T00:00:00Z"))
        );
    }

    #[test]
    fn v2_restates_pieces_per_kilogram() {
        let mut m = meta();
        m.verification = Some(verification());
        let fp = to_v2(&sample(), &m).unwrap();
        let v = serde_json::to_value(&fp).unwrap();
        assert_eq!(check_v2_footprint(&v), Vec::<String>::new());
        assert_eq!(v["specVersion"], "2.3.3");
        assert_eq!(v["version"], 1);
        assert_eq!(v["productCategoryCpc"], "46410");
        assert_eq!(v["comment"], "");
        let c = &v["pcf"];
        assert_eq!(c["declaredUnit"], "kilogram");
        assert_eq!(c["unitaryProductAmount"], "27.5");
        assert_eq!(c["productMassPerDeclaredUnit"], "1");
        assert_eq!(c["pCfExcludingBiogenic"], "15");
        assert_eq!(c["pCfIncludingBiogenic"], "14.912727272727");
        assert_eq!(c["fossilGhgEmissions"], "14.727272727273");
        assert_eq!(c["biogenicCarbonContent"], "0.025454545455");
        assert_eq!(c["characterizationFactors"], "AR6");
        assert_eq!(
            c["crossSectoralStandardsUsed"],
            json!(["ISO Standard 14067"])
        );
        assert_eq!(c["crossSectoralStandards"], json!(["ISO14067"]));
        assert_eq!(c["exemptedEmissionsPercent"], 0.8);
        assert_eq!(c["primaryDataShare"], 62.5);
        assert_eq!(c["dqi"]["coveragePercent"], 80.0);
        assert_eq!(c["dqi"]["reliabilityDQR"], 1.0);
        assert_eq!(c["assurance"]["assurance"], true);
        assert_eq!(c["assurance"]["boundary"], "Cradle-to-Gate");
        let back: ProductFootprintV2 = serde_json::from_value(v).unwrap();
        assert_eq!(back, fp);
    }

    #[test]
    fn v2_divides_by_the_declared_amount_for_v2_units() {
        let mut p = sample();
        p.declared_unit = "liter".into();
        p.declared_unit_amount = "12".parse().unwrap();
        p.product_mass_per_declared_unit = "9.468".parse().unwrap();
        p.pcf_excluding_biogenic_uptake = "18".parse().unwrap();
        p.pcf_including_biogenic_uptake = "18".parse().unwrap();
        p.fossil_ghg_emissions = "18".parse().unwrap();
        p.geography = "CN".into();
        p.standards = vec!["ghgp-product".into(), "pas-2050".into()];
        p.product_classifications = vec!["urn:cpc:0151".into()];
        let v = serde_json::to_value(to_v2(&p, &meta()).unwrap()).unwrap();
        assert_eq!(check_v2_footprint(&v), Vec::<String>::new());
        let c = &v["pcf"];
        assert_eq!(c["declaredUnit"], "liter");
        assert_eq!(c["unitaryProductAmount"], "12");
        assert_eq!(c["pCfExcludingBiogenic"], "1.5");
        assert_eq!(c["productMassPerDeclaredUnit"], "0.789");
        assert_eq!(c["geographyCountry"], "CN");
        assert_eq!(v["productCategoryCpc"], "0151");
        assert_eq!(
            c["crossSectoralStandardsUsed"],
            json!(["GHG Protocol Product standard"])
        );
        assert_eq!(c["crossSectoralStandards"], json!(["GHGP-Product"]));
    }

    #[test]
    fn v2_gaps_are_named() {
        let m = meta();
        let mut p = sample();
        p.product_mass_per_declared_unit = Decimal::ZERO;
        assert_eq!(to_v2(&p, &m), Err(V2Gap::Unit("piece".into())));
        let mut p = sample();
        p.product_classifications = vec!["urn:eclass:28070000".into()];
        assert_eq!(to_v2(&p, &m), Err(V2Gap::NoCpcCode));
        let mut p = sample();
        p.standards = vec!["pact-methodology".into(), "pas-2050".into()];
        assert_eq!(to_v2(&p, &m), Err(V2Gap::NoV2Standard));
        let mut p = sample();
        p.biogenic_carbon_content = None;
        assert_eq!(to_v2(&p, &m), Err(V2Gap::NoBiogenicCarbonContent));
        assert!(V2Gap::NoCpcCode.to_string().contains("CPC"));
    }
}
