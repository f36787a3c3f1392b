//! From Egret's footprint record ([`PcfInput`]) and what the platform adds
//! ([`FootprintMeta`]) to PACT v3 and v2 footprints.

use std::fmt;

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

use super::v2::{AssuranceV2, CarbonFootprintV2, DataQualityIndicatorsV2, ProductFootprintV2};
use super::v3::{
    CarbonFootprintV3, CcuCalculationApproach, DataQualityIndicatorsV3, ProductFootprintV3,
    VerificationCoverage, VerificationV3, plus_three_years,
};
use super::{
    DeclaredUnit, EmissionFactorSource, FootprintStatus, ProductOrSectorSpecificRule,
    RegionOrSubregion, RuleOperator, V2_SPEC_VERSION, V3_SPEC_VERSION,
};
use crate::pcf::{PcfInput, STANDARDS, SectorRule};

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

/// A rule as PACT writes it, or `None` if the operator is unknown or no
/// rule name remains: names trimmed and de-duplicated, the operator's name
/// only with `Other`.
fn sector_rule(r: &SectorRule) -> Option<ProductOrSectorSpecificRule> {
    let operator = RuleOperator::parse(r.operator.trim())?;
    let rule_names = unique(&r.rule_names);
    let other_operator_name = match operator {
        RuleOperator::Other => Some(r.other_operator_name.as_deref().and_then(non_empty)?),
        _ => None,
    };
    (!rule_names.is_empty()).then_some(ProductOrSectorSpecificRule {
        operator,
        rule_names,
        other_operator_name,
    })
}

/// The record's rules as PACT writes them, each once.
fn sector_rules(pcf: &PcfInput) -> Vec<ProductOrSectorSpecificRule> {
    let mut out: Vec<ProductOrSectorSpecificRule> = Vec::new();
    for r in pcf
        .product_or_sector_specific_rules
        .iter()
        .filter_map(sector_rule)
    {
        if !out.contains(&r) {
            out.push(r);
        }
    }
    out
}

/// The record's secondary emission factor sources, trimmed, complete and
/// each once.
fn factor_sources(pcf: &PcfInput) -> Vec<EmissionFactorSource> {
    let mut out: Vec<EmissionFactorSource> = Vec::new();
    for s in &pcf.secondary_emission_factor_sources {
        if let (Some(name), Some(version)) = (non_empty(&s.name), non_empty(&s.version)) {
            let s = EmissionFactorSource { name, version };
            if !out.contains(&s) {
                out.push(s);
            }
        }
    }
    out
}

/// A v3 data quality rating (1–5) on v2's scale (1–3): the same
/// position between best and worst, `1 + (r − 1) / 2`.
fn dqr_v3_to_v2(r: u8) -> Decimal {
    (Decimal::from(r) + Decimal::ONE) / Decimal::TWO
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
///
/// The optional fields map to their namesakes (`landUseChangeGhgEmissions`,
/// `biogenicCO2Uptake`, `aircraftGhgEmissions`, `packagingGhgEmissions` —
/// only when packaging is included —, `outboundLogisticsGhgEmissions`, the
/// CCU fields, `productOrSectorSpecificRules`, `allocationRulesDescription`,
/// `secondaryEmissionFactorSources`); absent, empty or unusable values are
/// left out, and rules and sources are written once each.
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
        land_use_change_ghg_emissions: pcf.land_use_change_ghg_emissions.map(clean),
        land_carbon_leakage: None,
        land_management_fossil_ghg_emissions: None,
        land_management_biogenic_co2_emissions: None,
        land_management_biogenic_co2_removals: None,
        biogenic_co2_uptake: pcf.biogenic_co2_uptake.map(clean),
        biogenic_non_co2_emissions: None,
        land_area_occupation: None,
        aircraft_ghg_emissions: pcf.aircraft_ghg_emissions.map(clean),
        packaging_emissions_included: Some(pcf.packaging_emissions_included),
        packaging_ghg_emissions: pcf
            .packaging_ghg_emissions
            .filter(|_| pcf.packaging_emissions_included)
            .map(clean),
        packaging_biogenic_carbon_content: None,
        outbound_logistics_ghg_emissions: pcf.outbound_logistics_ghg_emissions.map(clean),
        ccs_technological_co2_capture_included: None,
        ccs_technological_co2_capture: None,
        technological_co2_capture_origin: None,
        technological_co2_removals: None,
        ccu_carbon_content: pcf.ccu_carbon_content.map(clean),
        ccu_calculation_approach: pcf
            .ccu_calculation_approach
            .as_deref()
            .and_then(|a| CcuCalculationApproach::parse(a.trim())),
        ccu_credit_certification: pcf.ccu_credit_certification.as_deref().and_then(non_empty),
        ipcc_characterization_factors: vec![pcf.gwp_set.clone()],
        cross_sectoral_standards: standards,
        product_or_sector_specific_rules: sector_rules(pcf),
        exempted_emissions_percent: clean(pcf.exempted_emissions_percent),
        exempted_emissions_description: non_empty(&pcf.exempted_emissions_description),
        allocation_rules_description: non_empty(&pcf.allocation_rules_description),
        secondary_emission_factor_sources: factor_sources(pcf),
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
///
/// The technological, temporal and geographical ratings (1–5 in v3) are
/// restated on v2's 1–3 scale by [`dqr_v3_to_v2`]; completeness and
/// reliability are v2's own. Land-use change becomes `dLucGhgEmissions`
/// and the biogenic CO2 uptake `biogenicCarbonWithdrawal` (their v2
/// predecessors), aircraft and packaging emissions, rules, allocation rules
/// and emission factor sources keep their names; v2 has no outbound
/// logistics or CCU fields, so those stay out.
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
        d_luc_ghg_emissions: c.land_use_change_ghg_emissions.map(per_unit),
        land_management_ghg_emissions: None,
        other_biogenic_ghg_emissions: None,
        i_luc_ghg_emissions: None,
        biogenic_carbon_withdrawal: c.biogenic_co2_uptake.map(per_unit),
        aircraft_ghg_emissions: c.aircraft_ghg_emissions.map(per_unit),
        packaging_emissions_included: pcf.packaging_emissions_included,
        packaging_ghg_emissions: c.packaging_ghg_emissions.map(per_unit),
        characterization_factors: pcf.gwp_set.clone(),
        ipcc_characterization_factors_sources: vec![pcf.gwp_set.clone()],
        cross_sectoral_standards_used: used,
        cross_sectoral_standards: standards,
        product_or_sector_specific_rules: c.product_or_sector_specific_rules.clone(),
        biogenic_accounting_methodology: None,
        boundary_processes_description: boundary_description(&pcf.boundary),
        reference_period_start: c.reference_period_start,
        reference_period_end: c.reference_period_end,
        geography_region_or_subregion: c.geography_region_or_subregion,
        geography_country: c.geography_country.clone(),
        geography_country_subdivision: c.geography_country_subdivision.clone(),
        secondary_emission_factor_sources: c.secondary_emission_factor_sources.clone(),
        exempted_emissions_percent: number(c.exempted_emissions_percent),
        exempted_emissions_description: pcf.exempted_emissions_description.trim().to_string(),
        allocation_rules_description: c.allocation_rules_description.clone(),
        uncertainty_assessment_description: None,
        primary_data_share: c.primary_data_share.map(number),
        dqi: pcf.dqi.as_ref().map(|q| DataQualityIndicatorsV2 {
            coverage_percent: number(q.coverage_percent),
            technological_dqr: number(dqr_v3_to_v2(q.technological)),
            temporal_dqr: number(dqr_v3_to_v2(q.temporal)),
            geographical_dqr: number(dqr_v3_to_v2(q.geographical)),
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
    use crate::pcf::{full_sample, sample};
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
    fn every_optional_field_maps_to_v3() {
        let fp = to_v3(&full_sample(), &meta());
        let v = serde_json::to_value(&fp).unwrap();
        assert_eq!(check_v3_footprint(&v), Vec::<String>::new());
        let c = v["pcf"].as_object().unwrap();
        let plain = serde_json::to_value(to_v3(&sample(), &meta())).unwrap();
        let added: serde_json::Map<String, serde_json::Value> = c
            .iter()
            .filter(|(k, _)| plain["pcf"].get(k.as_str()).is_none())
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        assert_eq!(
            serde_json::Value::Object(added),
            json!({
                "landUseChangeGhgEmissions": "1.25",
                "biogenicCO2Uptake": "-2.4",
                "aircraftGhgEmissions": "0.5",
                "packagingGhgEmissions": "3.3",
                "outboundLogisticsGhgEmissions": "6.05",
                "ccuCarbonContent": "0.02",
                "ccuCalculationApproach": "Credit",
                "ccuCreditCertification": "https://registry.example/ccu/123",
                "productOrSectorSpecificRules": [
                    {"operator": "EPD International", "ruleNames": ["PCR 2019:14"]},
                    {"operator": "Other", "ruleNames": ["PV module PCR", "CPIA guide"],
                     "otherOperatorName": "China PV Industry Association"}
                ],
                "allocationRulesDescription": "Mass allocation between modules and offcuts.",
                "secondaryEmissionFactorSources": [
                    {"name": "ecoinvent", "version": "3.9.1"},
                    {"name": "CLCD", "version": "0.8"}
                ]
            })
        );
        // Everything else is as without them.
        let mut rest = v.clone();
        for k in c.keys().filter(|k| plain["pcf"].get(k.as_str()).is_none()) {
            rest["pcf"].as_object_mut().unwrap().remove(k);
        }
        assert_eq!(rest, plain);
        let back: ProductFootprintV3 = serde_json::from_value(v).unwrap();
        assert_eq!(back, fp);
    }

    #[test]
    fn unusable_optional_values_stay_out_of_v3() {
        let mut p = full_sample();
        p.packaging_emissions_included = false;
        p.ccu_calculation_approach = Some("credit".into());
        p.ccu_credit_certification = Some("  ".into());
        p.allocation_rules_description = " ".into();
        p.product_or_sector_specific_rules = vec![
            SectorRule {
                operator: "PCR".into(),
                rule_names: vec!["PCR-A".into()],
                other_operator_name: None,
            },
            SectorRule {
                operator: "Other".into(),
                rule_names: vec!["PCR-B".into()],
                other_operator_name: None,
            },
            SectorRule {
                operator: "PEF".into(),
                rule_names: vec![" ".into()],
                other_operator_name: None,
            },
            SectorRule {
                operator: "PEF".into(),
                rule_names: vec!["PEF 3.1".into(), " PEF 3.1 ".into()],
                other_operator_name: Some("ignored".into()),
            },
            SectorRule {
                operator: "PEF".into(),
                rule_names: vec!["PEF 3.1".into()],
                other_operator_name: None,
            },
        ];
        let source = |name: &str, version: &str| crate::pcf::EmissionFactorSource {
            name: name.into(),
            version: version.into(),
        };
        p.secondary_emission_factor_sources = vec![
            source(" ecoinvent ", "3.9.1"),
            source("ecoinvent", "3.9.1 "),
            source("GaBi", ""),
        ];
        let v = serde_json::to_value(to_v3(&p, &meta())).unwrap();
        assert_eq!(check_v3_footprint(&v), Vec::<String>::new());
        let c = &v["pcf"];
        for k in [
            "packagingGhgEmissions",
            "ccuCalculationApproach",
            "ccuCreditCertification",
            "allocationRulesDescription",
        ] {
            assert!(c.get(k).is_none(), "{k}");
        }
        assert_eq!(
            c["productOrSectorSpecificRules"],
            json!([{"operator": "PEF", "ruleNames": ["PEF 3.1"]}])
        );
        assert_eq!(
            c["secondaryEmissionFactorSources"],
            json!([{"name": "ecoinvent", "version": "3.9.1"}])
        );
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
    fn the_sample_maps_to_the_exact_v2_json() {
        // As before the optional fields existed, but for the ratings, which
        // are restated from v3's 1–5 on v2's 1–3 (2 → 1.5, 1 → 1).
        let v = serde_json::to_value(to_v2(&sample(), &meta()).unwrap()).unwrap();
        let pcf = json!({
            "declaredUnit": "kilogram",
            "unitaryProductAmount": "27.5",
            "productMassPerDeclaredUnit": "1",
            "pCfExcludingBiogenic": "15",
            "pCfIncludingBiogenic": "14.912727272727",
            "fossilGhgEmissions": "14.727272727273",
            "fossilCarbonContent": "0",
            "biogenicCarbonContent": "0.025454545455",
            "packagingEmissionsIncluded": true,
            "characterizationFactors": "AR6",
            "ipccCharacterizationFactorsSources": ["AR6"],
            "crossSectoralStandardsUsed": ["ISO Standard 14067"],
            "crossSectoralStandards": ["ISO14067"],
            "boundaryProcessesDescription": "System boundary: cradle-to-gate.",
            "referencePeriodStart": "2025-01-01T00:00:00Z",
            "referencePeriodEnd": "2026-01-01T00:00:00Z",
            "geographyCountrySubdivision": "CN-FJ",
            "exemptedEmissionsPercent": 0.8,
            "exemptedEmissionsDescription": "capital goods",
            "primaryDataShare": 62.5,
            "dqi": {
                "coveragePercent": 80.0,
                "technologicalDQR": 1.5,
                "temporalDQR": 1.0,
                "geographicalDQR": 1.5,
                "completenessDQR": 2.0,
                "reliabilityDQR": 1.0
            }
        });
        assert_eq!(
            v,
            json!({
                "id": "0194f6c2-7a1e-7c3d-9b2a-5e8f1d2c3b4a",
                "specVersion": "2.3.3",
                "version": 1,
                "created": "2026-02-01T08:30:00Z",
                "status": "Active",
                "companyName": "Minjiang Solar Co., Ltd.",
                "companyIds": ["urn:pact:egret.example:uscc:91350100MA2XYZ1234"],
                "productDescription": "550 W monocrystalline module",
                "productIds": ["urn:pact:sample.com:product-id:pv-550"],
                "productClassifications": ["urn:pact:productclassification:un-cpc:46410"],
                "productCategoryCpc": "46410",
                "productNameCompany": "PV module",
                "comment": "",
                "pcf": pcf
            })
        );
        assert_eq!(check_v2_footprint(&v), Vec::<String>::new());
    }

    #[test]
    fn v3_ratings_fit_v2s_scale() {
        assert_eq!(
            (1..=5).map(dqr_v3_to_v2).collect::<Vec<_>>(),
            ["1", "1.5", "2", "2.5", "3"]
                .map(|s| s.parse::<Decimal>().unwrap())
                .to_vec()
        );
        let mut p = sample();
        let q = p.dqi.as_mut().unwrap();
        (q.technological, q.temporal, q.geographical) = (5, 4, 3);
        let v3 = serde_json::to_value(to_v3(&p, &meta())).unwrap();
        assert_eq!(check_v3_footprint(&v3), Vec::<String>::new());
        assert_eq!(
            v3["pcf"]["dqi"],
            json!({"technologicalDQR": "5", "geographicalDQR": "3", "temporalDQR": "4"})
        );
        let v2 = serde_json::to_value(to_v2(&p, &meta()).unwrap()).unwrap();
        assert_eq!(check_v2_footprint(&v2), Vec::<String>::new());
        let d = &v2["pcf"]["dqi"];
        assert_eq!(
            (
                &d["technologicalDQR"],
                &d["temporalDQR"],
                &d["geographicalDQR"]
            ),
            (&json!(3.0), &json!(2.5), &json!(2.0))
        );
    }

    #[test]
    fn every_optional_field_v2_knows_maps_to_v2_per_kilogram() {
        let v = serde_json::to_value(to_v2(&full_sample(), &meta()).unwrap()).unwrap();
        assert_eq!(check_v2_footprint(&v), Vec::<String>::new());
        let c = &v["pcf"];
        // Per kilogram: the piece weighs 27.5 kg.
        assert_eq!(c["dLucGhgEmissions"], "0.045454545455");
        assert_eq!(c["biogenicCarbonWithdrawal"], "-0.087272727273");
        assert_eq!(c["aircraftGhgEmissions"], "0.018181818182");
        assert_eq!(c["packagingGhgEmissions"], "0.12");
        assert_eq!(
            c["allocationRulesDescription"],
            "Mass allocation between modules and offcuts."
        );
        assert_eq!(
            c["secondaryEmissionFactorSources"],
            json!([
                {"name": "ecoinvent", "version": "3.9.1"},
                {"name": "CLCD", "version": "0.8"}
            ])
        );
        assert_eq!(
            c["productOrSectorSpecificRules"][1],
            json!({"operator": "Other", "ruleNames": ["PV module PCR", "CPIA guide"],
                   "otherOperatorName": "China PV Industry Association"})
        );
        // v2 has no outbound logistics or CCU; nothing else changes.
        let plain = serde_json::to_value(to_v2(&sample(), &meta()).unwrap()).unwrap();
        let mut rest = v.clone();
        for k in [
            "dLucGhgEmissions",
            "biogenicCarbonWithdrawal",
            "aircraftGhgEmissions",
            "packagingGhgEmissions",
            "allocationRulesDescription",
            "secondaryEmissionFactorSources",
            "productOrSectorSpecificRules",
        ] {
            rest["pcf"].as_object_mut().unwrap().remove(k);
        }
        assert_eq!(rest, plain);
        let back: ProductFootprintV2 = serde_json::from_value(v).unwrap();
        assert_eq!(back, to_v2(&full_sample(), &meta()).unwrap());
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
