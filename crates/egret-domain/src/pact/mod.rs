//! The PACT data exchange model (WBCSD Partnership for Carbon Transparency,
//! Technical Specifications v3.0, with the v2.3 model for older peers).
//!
//! Pure: types, mapping from Egret's own [`PcfInput`](crate::pcf::PcfInput),
//! schema checks written from the specification's OpenAPI documents, list
//! filters, CloudEvents, error bodies and pagination links. HTTP, storage
//! and authentication live elsewhere.
//!
//! - [`v3`] and [`v2`]: the `ProductFootprint` / `CarbonFootprint` types with
//!   the exact JSON property names; decimals travel as JSON strings,
//!   date-times as RFC 3339 strings in UTC (`2025-01-01T00:00:00Z`).
//! - [`to_v3`] / [`to_v2`]: a footprint record plus what the platform knows
//!   about it ([`FootprintMeta`]) becomes a PACT footprint.
//! - [`check_v3_footprint`] / [`check_v2_footprint`] (and the response and
//!   error-body variants): every schema violation as `"path: reason"`.
//!   Neither OpenAPI document sets `additionalProperties: false`, so unknown
//!   properties are accepted, as the specification requires of hosts.
//! - [`FootprintFilter`]: the v3 `ListFootprints` query parameters (also the
//!   data of a `RequestCreatedEvent`), and whether a footprint matches.
//! - [`parse_event`] / [`Event`]: CloudEvents 1.0 structured JSON for the v3
//!   (and v2) event types.
//! - [`ErrorCode`] / [`ErrorBody`]: the `{code, message}` error body and the
//!   HTTP status of each code.
//! - [`link_header`] / [`Paging`]: RFC 8288 `Link` pagination.

mod check;
mod error;
mod events;
mod filter;
mod formats;
mod mapping;
mod paging;
mod supplier;
pub mod v2;
pub mod v3;

pub use check::{
    check_error_body, check_v2_footprint, check_v2_get_response, check_v2_list_response,
    check_v3_footprint, check_v3_get_response, check_v3_list_response,
};
pub use error::{ErrorBody, ErrorCode};
pub use events::{
    Event, EventData, V2_PUBLISHED, V2_REQUEST_CREATED, V2_REQUEST_FULFILLED, V2_REQUEST_REJECTED,
    V3_PUBLISHED, V3_REQUEST_CREATED, V3_REQUEST_FULFILLED, V3_REQUEST_REJECTED, parse_event,
};
pub use filter::{FilterError, FootprintFilter};
pub use formats::{format_date_time, is_country_code, is_urn, is_uuid, parse_date_time};
pub use mapping::{
    FootprintMeta, V2Gap, VerificationInfo, cross_sectoral_standard, to_v2, to_v3,
    v2_cross_sectoral_standard_used,
};
pub use paging::{Paging, link_header, page_range};
pub use supplier::{received_from_v3, supplier_process};
pub use v2::ProductFootprintV2;
pub use v3::ProductFootprintV3;

/// The `specVersion` Egret writes into v3 footprints (the OpenAPI document
/// it implements).
pub const V3_SPEC_VERSION: &str = "3.0.3";
/// The `specVersion` Egret writes into v2 footprints.
pub const V2_SPEC_VERSION: &str = "2.3.3";

/// The major version of the PACT API an endpoint, footprint or event
/// belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ApiVersion {
    /// Version 2.x (`/2/…`), deprecated by PACT on 1 April 2026.
    V2,
    /// Version 3.x (`/3/…`).
    V3,
}

/// Defines a closed string enumeration of the specification: the variants,
/// their JSON strings, `as_str`, `parse`, `Display` and serde as that string.
macro_rules! str_enum {
    (
        $(#[$meta:meta])*
        $name:ident { $( $(#[$vmeta:meta])* $variant:ident = $text:literal ),+ $(,)? }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $( $(#[$vmeta])* $variant ),+
        }

        impl $name {
            /// Every value, in the specification's order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            /// Every value's JSON string, in the specification's order.
            pub const NAMES: &'static [&'static str] = &[$($text),+];

            /// The value's JSON string.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }

            /// The value with this exact JSON string.
            pub fn parse(s: &str) -> Option<Self> {
                match s {
                    $($text => Some($name::$variant),)+
                    _ => None,
                }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <String as ::serde::Deserialize>::deserialize(d)?;
                $name::parse(&s).ok_or_else(|| {
                    <D::Error as ::serde::de::Error>::unknown_variant(&s, $name::NAMES)
                })
            }
        }
    };
}
pub(crate) use str_enum;

str_enum! {
    /// `ProductFootprint.status`.
    FootprintStatus {
        /// The most recent version, to be used.
        Active = "Active",
        /// Superseded or withdrawn; kept for reference.
        Deprecated = "Deprecated",
    }
}

str_enum! {
    /// The declared unit of measurement (`declaredUnitOfMeasurement` in v3,
    /// `declaredUnit` in v2, where only the first seven exist).
    DeclaredUnit {
        Liter = "liter",
        Kilogram = "kilogram",
        CubicMeter = "cubic meter",
        KilowattHour = "kilowatt hour",
        Megajoule = "megajoule",
        TonKilometer = "ton kilometer",
        SquareMeter = "square meter",
        Piece = "piece",
        Hour = "hour",
        MegabitSecond = "megabit second",
    }
}

impl DeclaredUnit {
    /// Whether the v2 model knows this unit (`piece`, `hour` and
    /// `megabit second` arrived with v3).
    pub const fn in_v2(self) -> bool {
        !matches!(
            self,
            DeclaredUnit::Piece | DeclaredUnit::Hour | DeclaredUnit::MegabitSecond
        )
    }
}

/// The declared units of the v2 model.
pub(crate) const V2_DECLARED_UNITS: &[&str] = &[
    "liter",
    "kilogram",
    "cubic meter",
    "kilowatt hour",
    "megajoule",
    "ton kilometer",
    "square meter",
];

str_enum! {
    /// `geographyRegionOrSubregion`: a UN M49 region or subregion.
    RegionOrSubregion {
        Africa = "Africa",
        Americas = "Americas",
        Asia = "Asia",
        Europe = "Europe",
        Oceania = "Oceania",
        AustraliaAndNewZealand = "Australia and New Zealand",
        CentralAsia = "Central Asia",
        EasternAsia = "Eastern Asia",
        EasternEurope = "Eastern Europe",
        LatinAmericaAndTheCaribbean = "Latin America and the Caribbean",
        Melanesia = "Melanesia",
        Micronesia = "Micronesia",
        NorthernAfrica = "Northern Africa",
        NorthernAmerica = "Northern America",
        NorthernEurope = "Northern Europe",
        Polynesia = "Polynesia",
        SouthEasternAsia = "South-eastern Asia",
        SouthernAsia = "Southern Asia",
        SouthernEurope = "Southern Europe",
        SubSaharanAfrica = "Sub-Saharan Africa",
        WesternAsia = "Western Asia",
        WesternEurope = "Western Europe",
    }
}

str_enum! {
    /// `ProductOrSectorSpecificRule.operator`.
    RuleOperator {
        Pef = "PEF",
        EpdInternational = "EPD International",
        /// Name the operator in `otherOperatorName`.
        Other = "Other",
    }
}

/// Product- or sector-specific rules (PCR, PEFCR) applied in the
/// calculation; the same shape in v2 and v3.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProductOrSectorSpecificRule {
    pub operator: RuleOperator,
    /// Non-empty, unique, each non-empty.
    pub rule_names: Vec<String>,
    /// Required when `operator` is `Other`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub other_operator_name: Option<String>,
}

/// A secondary emission factor database (`EmissionFactorSource` in v3,
/// `EmissionFactorDatabases` in v2).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct EmissionFactorSource {
    /// e.g. `ecoinvent`.
    pub name: String,
    /// e.g. `3.9.1`.
    pub version: String,
}

/// A data model extension attached to a footprint; the same in v2 and v3.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DataModelExtension {
    /// Version of the extension specification (`major.minor.patch`).
    pub spec_version: String,
    /// URL of the extension's JSON schema.
    pub data_schema: String,
    /// URL of the extension's documentation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub documentation: Option<String>,
    /// The extension's data, conforming to `data_schema`.
    pub data: serde_json::Map<String, serde_json::Value>,
}

/// A supplier's footprint as received from its PACT endpoint: the v3
/// `ProductFootprint` document kept verbatim, with the fields a list needs.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Received {
    pub pf_id: String,
    /// `Active` or `Deprecated`.
    pub status: String,
    pub spec_version: String,
    pub document: serde_json::Value,
}
