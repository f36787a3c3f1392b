//! Emission factors users add: an organisation's own (ids `org.…`, tenant
//! data) and the city's (ids `city.…`, shared reference data). Each keeps
//! its source and who entered it; none replaces a library factor. The
//! library a calculation for an organisation uses is the shipped one plus
//! the city's factors plus the organisation's own.

use std::borrow::Cow;

use egret_carbon::library::{Factor, GasValue, Library, Method, Origin, check_added};
use egret_domain::access::Principal;
use egret_domain::org::FieldError;
use egret_domain::refdata::{Confidence, ReferenceData};
use egret_i18n::Msg;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use sqlx::{AnyConnection, Row};

use crate::audit::{Change, PLATFORM, record};
use crate::data::check_write;
use crate::db::now;
use crate::{Result, Store, StoreError};

/// One gas of a factor someone adds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct GasInput {
    /// IPCC gas name: CO2, CH4-fossil, N2O, HFC-134a, …
    pub gas: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    #[serde(with = "rust_decimal::serde::str")]
    pub value: Decimal,
    /// Mass unit of the gas: t or kg.
    pub unit: String,
}

/// A factor someone adds, with its source.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct FactorInput {
    /// Must start with `org.` (an organisation's) or `city.` (the city's).
    pub id: String,
    pub name_zh: String,
    pub name_en: String,
    /// The activity unit the values are per (a unit code, e.g. MWh, t).
    pub per_unit: String,
    pub gases: Vec<GasInput>,
    /// Document, table or supplier statement the values come from.
    pub source: String,
    #[serde(default)]
    pub year: Option<i32>,
    /// Supplier-specific electricity factors may be used for market-based
    /// scope 2.
    #[serde(default)]
    pub supplier_electricity: bool,
    /// First and last day the factor may be used for (ISO dates).
    #[serde(default)]
    pub valid_from: Option<String>,
    #[serde(default)]
    pub valid_to: Option<String>,
}

/// Whose factor it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FactorOwner<'a> {
    Org(&'a str),
    City,
}

fn to_factor(f: &FactorInput, by: &str) -> Factor {
    Factor {
        id: f.id.trim().to_string(),
        family: if f.id.starts_with("city.") {
            "City-added".into()
        } else {
            "Organisation-added".into()
        },
        name_zh: f.name_zh.trim().to_string(),
        name_en: f.name_en.trim().to_string(),
        region: String::new(),
        year: f.year,
        method: if f.supplier_electricity {
            Method::Supplier
        } else {
            Method::None
        },
        per_unit: f.per_unit.trim().to_string(),
        gases: f
            .gases
            .iter()
            .map(|g| GasValue {
                gas: g.gas.trim().to_string(),
                value: g.value,
                unit: g.unit.trim().to_string(),
                confidence: Confidence::Medium,
                source: f.source.trim().to_string(),
            })
            .collect(),
        confidence: Confidence::Medium,
        source: f.source.trim().to_string(),
        reference: String::new(),
        derivation: None,
        valid_from: f.valid_from.clone().filter(|d| !d.trim().is_empty()),
        valid_to: f.valid_to.clone().filter(|d| !d.trim().is_empty()),
        origin: Origin::Added { by: by.to_string() },
    }
}

/// Factors from rows of (definition, entered_by).
fn decode_rows(rows: &[sqlx::any::AnyRow]) -> Result<Vec<Factor>> {
    rows.iter()
        .map(|r| {
            decode(
                &r.try_get::<String, _>("definition")?,
                &r.try_get::<String, _>("entered_by")?,
            )
        })
        .collect()
}

fn decode(definition: &str, by: &str) -> Result<Factor> {
    let f: FactorInput = serde_json::from_str(definition)
        .map_err(|e| crate::error::corrupt(format!("factor definition: {e}")))?;
    Ok(to_factor(&f, by))
}

/// The added factors visible to a calculation for `org_id`: the city's,
/// then the organisation's own.
pub(crate) async fn added_factors(conn: &mut AnyConnection, org_id: &str) -> Result<Vec<Factor>> {
    let rows = sqlx::query(
        "SELECT definition, entered_by FROM shared_factors \
         UNION ALL SELECT definition, entered_by FROM org_factors WHERE org_id = $1",
    )
    .bind(org_id)
    .fetch_all(&mut *conn)
    .await?;
    decode_rows(&rows)
}

/// The library for calculations of `org_id` (the shipped one itself when
/// nothing was added, so most calculations copy nothing).
pub(crate) async fn library_for(
    conn: &mut AnyConnection,
    org_id: &str,
) -> Result<Cow<'static, Library>> {
    let added = added_factors(conn, org_id).await?;
    if added.is_empty() {
        return Ok(Cow::Borrowed(Library::embedded()));
    }
    Library::embedded()
        .with_added(ReferenceData::embedded(), added)
        .map(Cow::Owned)
        .map_err(|m| StoreError::Invalid(vec![FieldError::new("factor", m)]))
}

impl Store {
    /// Adds a factor for an organisation (its writers) or for the whole
    /// city (city government and platform administrators). The id, unit,
    /// gases and source are checked; an existing id is refused.
    pub async fn add_factor(
        &self,
        actor: &Principal,
        owner: FactorOwner<'_>,
        input: &FactorInput,
    ) -> Result<Factor> {
        let (prefix, tenant) = match owner {
            FactorOwner::Org(org) => {
                check_write(actor, org)?;
                ("org.", org)
            }
            FactorOwner::City => {
                if !actor.can_manage_reference_data() {
                    return Err(StoreError::Forbidden {
                        action: "add-city-factor",
                    });
                }
                ("city.", PLATFORM)
            }
        };
        let id = input.id.trim();
        let mut errs = Vec::new();
        if !id.starts_with(prefix) || id.len() <= prefix.len() {
            errs.push(FieldError::new(
                "id",
                Msg::new("store-factor-prefix").arg("prefix", prefix),
            ));
        }
        if input.name_zh.trim().is_empty() && input.name_en.trim().is_empty() {
            errs.push(FieldError::new("name_zh", Msg::new("store-factor-name")));
        }
        let mut tx = self.begin(actor).await?;
        let org_for_library = match owner {
            FactorOwner::Org(org) => org,
            FactorOwner::City => "",
        };
        let lib = library_for(tx.conn_mut(), org_for_library).await?;
        let factor = to_factor(input, &actor.user_id);
        if let Err(m) = check_added(&lib, ReferenceData::embedded(), &factor) {
            errs.push(FieldError::new("factor", m));
        }
        if !errs.is_empty() {
            return Err(StoreError::Invalid(errs));
        }
        let definition = serde_json::to_string(input).map_err(crate::error::corrupt)?;
        let at = now();
        match owner {
            FactorOwner::Org(org) => {
                sqlx::query(
                    "INSERT INTO org_factors (org_id, factor_id, definition, entered_by, \
                     entered_at) VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(org)
                .bind(id)
                .bind(&definition)
                .bind(&actor.user_id)
                .bind(&at)
                .execute(tx.conn_mut())
                .await?;
            }
            FactorOwner::City => {
                sqlx::query(
                    "INSERT INTO shared_factors (factor_id, definition, entered_by, entered_at) \
                     VALUES ($1, $2, $3, $4)",
                )
                .bind(id)
                .bind(&definition)
                .bind(&actor.user_id)
                .bind(&at)
                .execute(tx.conn_mut())
                .await?;
            }
        }
        record(
            tx.conn_mut(),
            actor,
            Change {
                tenant,
                entity: "emission_factor",
                entity_id: id,
                action: "create",
                before: None,
                after: Some(serde_json::to_value(input).unwrap_or_default()),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(factor)
    }

    /// The city's added factors (public reference data).
    pub async fn city_factors(&self) -> Result<Vec<Factor>> {
        let rows =
            sqlx::query("SELECT definition, entered_by FROM shared_factors ORDER BY factor_id")
                .fetch_all(&self.pool)
                .await?;
        decode_rows(&rows)
    }

    /// An organisation's own factors.
    pub async fn org_factors(&self, actor: &Principal, org_id: &str) -> Result<Vec<Factor>> {
        Self::check_read_data(actor, org_id)?;
        let rows = sqlx::query(
            "SELECT definition, entered_by FROM org_factors WHERE org_id = $1 ORDER BY factor_id",
        )
        .bind(org_id)
        .fetch_all(&self.pool)
        .await?;
        decode_rows(&rows)
    }
}
