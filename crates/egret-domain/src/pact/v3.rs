//! The PACT v3.0 data model: `ProductFootprint` and `CarbonFootprint` with
//! the property names of the v3 OpenAPI document.
//!
//! Emissions are in kgCO2e per declared unit, where the declared unit is
//! `declaredUnitAmount` × `declaredUnitOfMeasurement` (a 12 l bottle, one
//! piece). Optional properties are omitted when absent (never `null`), and
//! optional sets that the schema wants non-empty are omitted when empty.
//! Deserialising accepts unknown properties; run
//! [`check_v3_footprint`](super::check_v3_footprint) on input first.

use chrono::{DateTime, Months, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::formats::rfc3339;
use super::{
    DataModelExtension, DeclaredUnit, EmissionFactorSource, FootprintStatus,
    ProductOrSectorSpecificRule, RegionOrSubregion, str_enum,
};

/// A product footprint as exchanged over `/3/footprints`. Each field is the
/// specification's property of the same name in snake case (`company_ids` is
/// `companyIds`); see the v3 OpenAPI document for their full meaning.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProductFootprintV3 {
    /// The footprint's UUID; a changed footprint gets a new one.
    pub id: String,
    /// Version of the technical specifications, `3.x.y`.
    pub spec_version: String,
    /// Ids of the footprints this one supersedes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub preceding_pf_ids: Vec<String>,
    #[serde(with = "rfc3339")]
    pub created: DateTime<Utc>,
    pub status: FootprintStatus,
    /// Start of the validity period (inclusive).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "rfc3339::option"
    )]
    pub validity_period_start: Option<DateTime<Utc>>,
    /// End of the validity period (exclusive).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "rfc3339::option"
    )]
    pub validity_period_end: Option<DateTime<Utc>>,
    pub company_name: String,
    /// URNs of the data owner.
    pub company_ids: Vec<String>,
    pub product_description: String,
    /// URNs of the product.
    pub product_ids: Vec<String>,
    /// URNs of product classifications (CPC, ECLASS, CAS …).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub product_classifications: Vec<String>,
    /// The product's trade name.
    pub product_name_company: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    pub pcf: CarbonFootprintV3,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub extensions: Vec<DataModelExtension>,
}

impl ProductFootprintV3 {
    /// The validity period as the specification defines it: the given
    /// bounds, or else from `referencePeriodEnd` for three years.
    pub fn validity(&self) -> (DateTime<Utc>, DateTime<Utc>) {
        let reference_end = self.pcf.reference_period_end;
        (
            self.validity_period_start.unwrap_or(reference_end),
            self.validity_period_end
                .unwrap_or_else(|| plus_three_years(reference_end)),
        )
    }

    /// The footprint's geography as given (country, subdivision or
    /// region), or `None` for a global footprint.
    pub fn geography(&self) -> Option<&str> {
        let p = &self.pcf;
        p.geography_country
            .as_deref()
            .or(p.geography_country_subdivision.as_deref())
            .or(p
                .geography_region_or_subregion
                .map(RegionOrSubregion::as_str))
    }
}

/// `t` plus three calendar years (29 February becomes 28 February).
pub(crate) fn plus_three_years(t: DateTime<Utc>) -> DateTime<Utc> {
    t.checked_add_months(Months::new(36)).unwrap_or(t)
}

/// The carbon footprint of a product (`ProductFootprint.pcf`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CarbonFootprintV3 {
    pub declared_unit_of_measurement: DeclaredUnit,
    /// Amount of the unit in the declared unit; > 0.
    pub declared_unit_amount: Decimal,
    /// kg of product (without packaging) per declared unit; 0 where mass is
    /// not relevant.
    pub product_mass_per_declared_unit: Decimal,
    /// Inclusive.
    #[serde(with = "rfc3339")]
    pub reference_period_start: DateTime<Utc>,
    /// Exclusive.
    #[serde(with = "rfc3339")]
    pub reference_period_end: DateTime<Utc>,
    /// At most one of the three geography properties; none means global.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub geography_region_or_subregion: Option<RegionOrSubregion>,
    /// ISO 3166-1 alpha-2.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub geography_country: Option<String>,
    /// ISO 3166-2.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub geography_country_subdivision: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub boundary_processes_description: Option<String>,
    pub pcf_excluding_biogenic_uptake: Decimal,
    pub pcf_including_biogenic_uptake: Decimal,
    /// kgC per declared unit; ≥ 0.
    pub fossil_carbon_content: Decimal,
    /// kgC per declared unit; ≥ 0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub biogenic_carbon_content: Option<Decimal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recycled_carbon_content: Option<Decimal>,
    /// ≥ 0.
    pub fossil_ghg_emissions: Decimal,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub land_use_change_ghg_emissions: Option<Decimal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub land_carbon_leakage: Option<Decimal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub land_management_fossil_ghg_emissions: Option<Decimal>,
    #[serde(
        rename = "landManagementBiogenicCO2Emissions",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub land_management_biogenic_co2_emissions: Option<Decimal>,
    /// ≤ 0.
    #[serde(
        rename = "landManagementBiogenicCO2Removals",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub land_management_biogenic_co2_removals: Option<Decimal>,
    /// ≤ 0.
    #[serde(
        rename = "biogenicCO2Uptake",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub biogenic_co2_uptake: Option<Decimal>,
    #[serde(
        rename = "biogenicNonCO2Emissions",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub biogenic_non_co2_emissions: Option<Decimal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub land_area_occupation: Option<Decimal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aircraft_ghg_emissions: Option<Decimal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub packaging_emissions_included: Option<bool>,
    /// Must be absent when packaging emissions are not included.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub packaging_ghg_emissions: Option<Decimal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub packaging_biogenic_carbon_content: Option<Decimal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outbound_logistics_ghg_emissions: Option<Decimal>,
    #[serde(
        rename = "ccsTechnologicalCO2CaptureIncluded",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub ccs_technological_co2_capture_included: Option<bool>,
    /// ≤ 0.
    #[serde(
        rename = "ccsTechnologicalCO2Capture",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub ccs_technological_co2_capture: Option<Decimal>,
    #[serde(
        rename = "technologicalCO2CaptureOrigin",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub technological_co2_capture_origin: Option<String>,
    /// ≤ 0.
    #[serde(
        rename = "technologicalCO2Removals",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub technological_co2_removals: Option<Decimal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ccu_carbon_content: Option<Decimal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ccu_calculation_approach: Option<CcuCalculationApproach>,
    /// URL of the crediting scheme's certification.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ccu_credit_certification: Option<String>,
    /// `AR5`, `AR6` …; non-empty.
    pub ipcc_characterization_factors: Vec<String>,
    /// `ISO14067`, `GHGP-Product`, `PACT-3.0` …; non-empty, open set.
    pub cross_sectoral_standards: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub product_or_sector_specific_rules: Vec<ProductOrSectorSpecificRule>,
    /// Percent of emissions exempted (v3 removed the 5 % ceiling).
    pub exempted_emissions_percent: Decimal,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exempted_emissions_description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allocation_rules_description: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub secondary_emission_factor_sources: Vec<EmissionFactorSource>,
    /// Percent of `pcfExcludingBiogenicUptake` from primary data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub primary_data_share: Option<Decimal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dqi: Option<DataQualityIndicatorsV3>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verification: Option<VerificationV3>,
}

str_enum! {
    /// `ccuCalculationApproach`.
    CcuCalculationApproach {
        CutOff = "Cut-off",
        Credit = "Credit",
    }
}

/// Data quality ratings of v3: three indicators, each 1 to 5.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DataQualityIndicatorsV3 {
    #[serde(rename = "technologicalDQR")]
    pub technological_dqr: Decimal,
    #[serde(rename = "geographicalDQR")]
    pub geographical_dqr: Decimal,
    #[serde(rename = "temporalDQR")]
    pub temporal_dqr: Decimal,
}

str_enum! {
    /// `Verification.coverage`.
    VerificationCoverage {
        PcfCalculationModel = "PCF calculation model",
        PcfProgram = "PCF program",
        ProductLevel = "product level",
    }
}

/// Third-party verification (v2's `assurance`); every property optional.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VerificationV3 {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coverage: Option<VerificationCoverage>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider_name: Option<String>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "rfc3339::option"
    )]
    pub completed_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub standard_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comments: Option<String>,
}
