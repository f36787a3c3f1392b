//! The PACT v2.3 data model, served on `/2/footprints` to peers that have
//! not moved to v3.
//!
//! Unlike v3, emissions are per ONE declared unit (per kilogram, per liter)
//! and `unitaryProductAmount` says how many of those the product holds;
//! percentages and data quality ratings are JSON numbers.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::formats::rfc3339;
use super::{
    DataModelExtension, DeclaredUnit, EmissionFactorSource, FootprintStatus,
    ProductOrSectorSpecificRule, RegionOrSubregion,
};

/// A product footprint as exchanged over `/2/footprints`. Each field is the
/// v2.3 property of the same name in snake case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProductFootprintV2 {
    pub id: String,
    /// `2.x.y`.
    pub spec_version: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub preceding_pf_ids: Vec<String>,
    /// 1 for a first version, increased on every change.
    pub version: u32,
    #[serde(with = "rfc3339")]
    pub created: DateTime<Utc>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "rfc3339::option"
    )]
    pub updated: Option<DateTime<Utc>>,
    pub status: FootprintStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_comment: Option<String>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "rfc3339::option"
    )]
    pub validity_period_start: Option<DateTime<Utc>>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "rfc3339::option"
    )]
    pub validity_period_end: Option<DateTime<Utc>>,
    pub company_name: String,
    pub company_ids: Vec<String>,
    pub product_description: String,
    pub product_ids: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub product_classifications: Vec<String>,
    /// UN CPC code of the product.
    pub product_category_cpc: String,
    pub product_name_company: String,
    /// Required in v2; may be empty.
    pub comment: String,
    pub pcf: CarbonFootprintV2,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub extensions: Vec<DataModelExtension>,
}

/// The v2 carbon footprint.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CarbonFootprintV2 {
    /// One of the first seven [`DeclaredUnit`]s.
    pub declared_unit: DeclaredUnit,
    /// How many declared units the product contains; > 0.
    pub unitary_product_amount: Decimal,
    /// kg per declared unit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product_mass_per_declared_unit: Option<Decimal>,
    /// kgCO2e per declared unit; ≥ 0.
    pub p_cf_excluding_biogenic: Decimal,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub p_cf_including_biogenic: Option<Decimal>,
    pub fossil_ghg_emissions: Decimal,
    pub fossil_carbon_content: Decimal,
    pub biogenic_carbon_content: Decimal,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub d_luc_ghg_emissions: Option<Decimal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub land_management_ghg_emissions: Option<Decimal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub other_biogenic_ghg_emissions: Option<Decimal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub i_luc_ghg_emissions: Option<Decimal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub biogenic_carbon_withdrawal: Option<Decimal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aircraft_ghg_emissions: Option<Decimal>,
    pub packaging_emissions_included: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub packaging_ghg_emissions: Option<Decimal>,
    /// Deprecated single value, `AR5` or `AR6`.
    pub characterization_factors: String,
    pub ipcc_characterization_factors_sources: Vec<String>,
    /// Deprecated: `GHG Protocol Product standard`, `ISO Standard 14067`,
    /// `ISO Standard 14044`.
    pub cross_sectoral_standards_used: Vec<String>,
    /// The v2.3 successor of `crossSectoralStandardsUsed` (closed set in v2).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cross_sectoral_standards: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub product_or_sector_specific_rules: Vec<ProductOrSectorSpecificRule>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub biogenic_accounting_methodology: Option<String>,
    /// Required in v2; may be empty.
    pub boundary_processes_description: String,
    #[serde(with = "rfc3339")]
    pub reference_period_start: DateTime<Utc>,
    #[serde(with = "rfc3339")]
    pub reference_period_end: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub geography_region_or_subregion: Option<RegionOrSubregion>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub geography_country: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub geography_country_subdivision: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub secondary_emission_factor_sources: Vec<EmissionFactorSource>,
    /// 0–5 percent, a JSON number.
    pub exempted_emissions_percent: f64,
    pub exempted_emissions_description: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allocation_rules_description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uncertainty_assessment_description: Option<String>,
    /// 0–100 percent, a JSON number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub primary_data_share: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dqi: Option<DataQualityIndicatorsV2>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assurance: Option<AssuranceV2>,
}

/// Data quality of v2: coverage and five ratings from 1 (good) to 3 (fair),
/// JSON numbers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DataQualityIndicatorsV2 {
    #[serde(rename = "coveragePercent")]
    pub coverage_percent: f64,
    #[serde(rename = "technologicalDQR")]
    pub technological_dqr: f64,
    #[serde(rename = "temporalDQR")]
    pub temporal_dqr: f64,
    #[serde(rename = "geographicalDQR")]
    pub geographical_dqr: f64,
    #[serde(rename = "completenessDQR")]
    pub completeness_dqr: f64,
    #[serde(rename = "reliabilityDQR")]
    pub reliability_dqr: f64,
}

/// v2 assurance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AssuranceV2 {
    /// Whether the footprint was assured.
    pub assurance: bool,
    /// `corporate level`, `product line`, `PCF system` or `product level`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coverage: Option<String>,
    /// `limited` or `reasonable`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<String>,
    /// `Gate-to-Gate` or `Cradle-to-Gate`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub boundary: Option<String>,
    pub provider_name: String,
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
