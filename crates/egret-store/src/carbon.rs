//! Carbon inventories: activity data per organisation, site and period,
//! and calculation runs. A run calculates every activity of a period with
//! the factor library, stores each record's result with the factor it
//! used, and writes the totals into the shared disclosure data points as
//! calculated values that link back to the run — in one transaction.
//! Runs are never changed; the latest one is the period's inventory.
//!
//! Reading follows the ESG-data rule, writing the organisation-write rule.

use std::collections::BTreeMap;

use egret_carbon::calc::{Activity, Category, Engine, Instrument, Totals};
use egret_domain::access::Principal;
use egret_domain::org::FieldError;
use egret_domain::refdata::ReferenceData;
use egret_domain::value::{Answer, Value};
use egret_i18n::Msg;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::audit::{Change, record, record_many};
use crate::data::{MAX_NOTE_CHARS, Source, ValueInput, check_write};
use crate::db::{new_id, now, placeholders};
use crate::error::corrupt;
use crate::factors::library_for;
use crate::orgs::{PeriodRecord, Tx};
use crate::{Result, Store, StoreError};

/// One activity to store.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ActivityInput {
    /// Given to replace an existing activity; a new id is made otherwise.
    #[serde(default)]
    pub activity_id: Option<String>,
    #[serde(default)]
    pub site_id: Option<String>,
    /// scope1.stationary … scope3.c15
    pub category: String,
    #[serde(default)]
    pub description: Option<String>,
    /// Exact decimal.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    #[serde(with = "rust_decimal::serde::str")]
    pub quantity: Decimal,
    pub unit: String,
    pub factor: String,
    /// Purchased electricity: gec or green_power.
    #[serde(default)]
    pub instrument: Option<String>,
    /// Purchased electricity: supplier-specific factor id.
    #[serde(default)]
    pub market_factor: Option<String>,
}

/// A stored activity with its provenance.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ActivityRecord {
    pub activity_id: String,
    pub site_id: Option<String>,
    pub category: String,
    pub description: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub quantity: Decimal,
    pub unit: String,
    pub factor: String,
    pub instrument: Option<String>,
    pub market_factor: Option<String>,
    pub source: String,
    pub source_ref: Option<String>,
    pub version: i64,
    pub entered_by: String,
    pub entered_at: String,
}

/// A calculation run.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RunRecord {
    pub run_id: String,
    pub period_id: String,
    pub gwp_set: String,
    pub library_version: String,
    pub activities: i64,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub scope1_t: Decimal,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub scope2_location_t: Decimal,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub scope2_market_t: Decimal,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub scope3_t: Decimal,
    pub computed_by: String,
    pub computed_at: String,
}

/// One record's result in a run.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ResultRecord {
    pub activity_id: String,
    pub site_id: Option<String>,
    pub category: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub quantity: Decimal,
    pub unit: String,
    pub factor: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub co2e_t: Decimal,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub co2e_market_t: Option<Decimal>,
    pub market_factor: Option<String>,
    /// Tonnes per gas, `CO2=1.5;CH4-fossil=0.001`.
    pub gases: String,
}

const ACTIVITY_COLUMNS: &str = "activity_id, site_id, category, description, quantity, unit, \
    factor_id, instrument, market_factor, source, source_ref, version, entered_by, entered_at";

fn dec(r: &AnyRow, col: &str) -> Result<Decimal> {
    let s: String = r.try_get(col)?;
    s.parse().map_err(|_| corrupt(format!("{col} `{s}`")))
}

fn opt_dec(r: &AnyRow, col: &str) -> Result<Option<Decimal>> {
    let s: Option<String> = r.try_get(col)?;
    s.map(|s| s.parse().map_err(|_| corrupt(format!("{col} `{s}`"))))
        .transpose()
}

fn activity(r: &AnyRow) -> Result<ActivityRecord> {
    Ok(ActivityRecord {
        activity_id: r.try_get("activity_id")?,
        site_id: r.try_get("site_id")?,
        category: r.try_get("category")?,
        description: r.try_get("description")?,
        quantity: dec(r, "quantity")?,
        unit: r.try_get("unit")?,
        factor: r.try_get("factor_id")?,
        instrument: r.try_get("instrument")?,
        market_factor: r.try_get("market_factor")?,
        source: r.try_get("source")?,
        source_ref: r.try_get("source_ref")?,
        version: r.try_get("version")?,
        entered_by: r.try_get("entered_by")?,
        entered_at: r.try_get("entered_at")?,
    })
}

fn run(r: &AnyRow) -> Result<RunRecord> {
    Ok(RunRecord {
        run_id: r.try_get("run_id")?,
        period_id: r.try_get("period_id")?,
        gwp_set: r.try_get("gwp_set")?,
        library_version: r.try_get("library_version")?,
        activities: r.try_get("activities")?,
        scope1_t: dec(r, "scope1_t")?,
        scope2_location_t: dec(r, "scope2_location_t")?,
        scope2_market_t: dec(r, "scope2_market_t")?,
        scope3_t: dec(r, "scope3_t")?,
        computed_by: r.try_get("computed_by")?,
        computed_at: r.try_get("computed_at")?,
    })
}

/// The engine's view of a stored or proposed activity.
fn as_activity<'a>(
    a: &'a ActivityInput,
    id: &'a str,
    date: &'a str,
) -> std::result::Result<Activity<'a>, FieldError> {
    let category = Category::parse(&a.category).ok_or_else(|| {
        FieldError::new(
            "category",
            Msg::new("carbon-category-unknown").arg("value", &a.category),
        )
    })?;
    let instrument = Instrument::parse(a.instrument.as_deref().unwrap_or("")).ok_or_else(|| {
        FieldError::new(
            "instrument",
            Msg::new("carbon-instrument-unknown")
                .arg("value", a.instrument.as_deref().unwrap_or("")),
        )
    })?;
    Ok(Activity {
        id,
        org: "",
        site: a.site_id.as_deref().unwrap_or(""),
        period: "",
        category,
        quantity: a.quantity,
        unit: a.unit.trim(),
        factor: a.factor.trim(),
        instrument,
        market_factor: a.market_factor.as_deref().filter(|s| !s.trim().is_empty()),
        date: Some(date),
    })
}

/// Checks activities with the engine (category, unit dimension, factor,
/// sign, instruments) and the organisation's sites; every problem at once.
fn validate(
    engine: &mut Engine,
    inputs: &[ActivityInput],
    sites: &[String],
    date: &str,
) -> std::result::Result<(), Vec<FieldError>> {
    let mut errors = Vec::new();
    for (i, a) in inputs.iter().enumerate() {
        let at = |f: &str| format!("activities[{i}].{f}");
        if let Some(s) = &a.site_id
            && !sites.contains(s)
        {
            errors.push(FieldError::new(
                at("site_id"),
                Msg::new("store-unknown-site").arg("site", s),
            ));
        }
        if a.description
            .as_ref()
            .is_some_and(|d| d.chars().count() > MAX_NOTE_CHARS)
        {
            errors.push(FieldError::new(
                at("description"),
                Msg::new("store-note-too-long").arg("max", MAX_NOTE_CHARS),
            ));
        }
        match as_activity(a, "", date) {
            Err(e) => errors.push(FieldError::new(at(&e.field), e.msg)),
            Ok(act) => {
                if let Err(e) = engine.calculate(&act) {
                    errors.push(FieldError::new(at(e.field), e.msg));
                }
            }
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// Rows per multi-row insert (12 or 16 parameters each, well below both
/// backends' limits).
const RESULT_CHUNK: usize = 200;
const ACTIVITY_CHUNK: usize = 100;

fn gases_text(gases: &[(std::sync::Arc<str>, Decimal)]) -> String {
    gases
        .iter()
        .map(|(g, t)| format!("{g}={}", t.normalize()))
        .collect::<Vec<_>>()
        .join(";")
}

impl Store {
    /// A period's activities.
    pub async fn list_activities(
        &self,
        actor: &Principal,
        org_id: &str,
        period_id: &str,
    ) -> Result<Vec<ActivityRecord>> {
        Self::check_read_data(actor, org_id)?;
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {ACTIVITY_COLUMNS} FROM carbon_activities \
             WHERE org_id = $1 AND period_id = $2 ORDER BY category, activity_id"
        )))
        .bind(org_id)
        .bind(period_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(activity).collect()
    }

    /// Removes an activity (audited). Past runs keep their results.
    pub async fn delete_activity(
        &self,
        actor: &Principal,
        org_id: &str,
        period_id: &str,
        activity_id: &str,
    ) -> Result<()> {
        check_write(actor, org_id)?;
        let mut tx = self.begin(actor).await?;
        let before = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {ACTIVITY_COLUMNS} FROM carbon_activities \
             WHERE org_id = $1 AND period_id = $2 AND activity_id = $3"
        )))
        .bind(org_id)
        .bind(period_id)
        .bind(activity_id)
        .fetch_optional(tx.conn_mut())
        .await?
        .ok_or_else(|| StoreError::NotFound {
            entity: "carbon_activity",
            id: activity_id.to_string(),
        })?;
        let before = activity(&before)?;
        sqlx::query(
            "DELETE FROM carbon_activities WHERE org_id = $1 AND period_id = $2 \
             AND activity_id = $3",
        )
        .bind(org_id)
        .bind(period_id)
        .bind(activity_id)
        .execute(tx.conn_mut())
        .await?;
        record(
            tx.conn_mut(),
            actor,
            Change {
                tenant: org_id,
                entity: "carbon_activity",
                entity_id: &format!("{period_id}/{activity_id}"),
                action: "delete",
                before: Some(serde_json::to_value(before).unwrap_or_default()),
                after: None,
            },
        )
        .await?;
        tx.commit().await
    }

    /// Stores activities (new, or replacing those whose id is given), all
    /// or nothing: every problem is reported by index and field.
    pub async fn put_activities(
        &self,
        actor: &Principal,
        org_id: &str,
        period_id: &str,
        inputs: &[ActivityInput],
        source: &Source,
    ) -> Result<Vec<String>> {
        check_write(actor, org_id)?;
        let mut tx = self.begin(actor).await?;
        let ids = tx.put_activities(org_id, period_id, inputs, source).await?;
        tx.commit().await?;
        Ok(ids)
    }

    /// Calculates the period's inventory (see [`Tx::calculate_inventory`]).
    pub async fn calculate_inventory(
        &self,
        actor: &Principal,
        period: &PeriodRecord,
        gwp_set: &str,
    ) -> Result<RunRecord> {
        check_write(actor, &period.org_id)?;
        let mut tx = self.begin(actor).await?;
        let run = tx
            .calculate_inventory(&period.org_id, &period.period_id, gwp_set)
            .await?;
        tx.commit().await?;
        Ok(run)
    }

    /// The runs of a period, newest first.
    pub async fn carbon_runs(
        &self,
        actor: &Principal,
        org_id: &str,
        period_id: &str,
    ) -> Result<Vec<RunRecord>> {
        Self::check_read_data(actor, org_id)?;
        let rows = sqlx::query(
            "SELECT run_id, period_id, gwp_set, library_version, activities, scope1_t, \
             scope2_location_t, scope2_market_t, scope3_t, computed_by, computed_at \
             FROM carbon_runs WHERE org_id = $1 AND period_id = $2 \
             ORDER BY computed_at DESC, run_id DESC",
        )
        .bind(org_id)
        .bind(period_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(run).collect()
    }

    /// The results of one run, by category then activity.
    pub async fn carbon_results(
        &self,
        actor: &Principal,
        org_id: &str,
        run_id: &str,
    ) -> Result<Vec<ResultRecord>> {
        Self::check_read_data(actor, org_id)?;
        let rows = sqlx::query(
            "SELECT activity_id, site_id, category, quantity, unit, factor_id, co2e_t, \
             co2e_market_t, market_factor, gases FROM carbon_results \
             WHERE org_id = $1 AND run_id = $2 ORDER BY category, activity_id",
        )
        .bind(org_id)
        .bind(run_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(ResultRecord {
                    activity_id: r.try_get("activity_id")?,
                    site_id: r.try_get("site_id")?,
                    category: r.try_get("category")?,
                    quantity: dec(r, "quantity")?,
                    unit: r.try_get("unit")?,
                    factor: r.try_get("factor_id")?,
                    co2e_t: dec(r, "co2e_t")?,
                    co2e_market_t: opt_dec(r, "co2e_market_t")?,
                    market_factor: r.try_get("market_factor")?,
                    gases: r.try_get("gases")?,
                })
            })
            .collect()
    }
}

impl Tx<'_> {
    /// The last day of a period (ISO date): factors must be valid then.
    async fn period_end(&mut self, org_id: &str, period_id: &str) -> Result<String> {
        sqlx::query_scalar(
            "SELECT end_date FROM reporting_periods WHERE org_id = $1 AND period_id = $2",
        )
        .bind(org_id)
        .bind(period_id)
        .fetch_optional(self.conn_mut())
        .await?
        .ok_or_else(|| StoreError::NotFound {
            entity: "reporting_period",
            id: period_id.to_string(),
        })
    }

    /// Stores activities (new, or replacing those whose id is given), all
    /// or nothing: every problem is reported by index and field.
    pub async fn put_activities(
        &mut self,
        org_id: &str,
        period_id: &str,
        inputs: &[ActivityInput],
        source: &Source,
    ) -> Result<Vec<String>> {
        let actor = self.actor();
        check_write(actor, org_id)?;
        let rd = ReferenceData::embedded();
        self.check_period(org_id, period_id).await?;
        let lib = library_for(self.conn_mut(), org_id).await?;
        let mut engine = Engine::new(&lib, rd, "ar6")
            .map_err(|m| StoreError::Invalid(vec![FieldError::new("gwp", m)]))?;
        let sites = self.site_ids(org_id).await?;
        let period_end = self.period_end(org_id, period_id).await?;
        validate(&mut engine, inputs, &sites, &period_end).map_err(StoreError::Invalid)?;
        let (source_kind, source_ref) = source.parts();
        let at = now();
        let mut ids = Vec::new();
        // (activity, id, version, before)
        let mut rows: Vec<(&ActivityInput, String, i64, Option<ActivityRecord>)> = Vec::new();
        for a in inputs {
            let before = match &a.activity_id {
                Some(id) => sqlx::query(sqlx::AssertSqlSafe(format!(
                    "SELECT {ACTIVITY_COLUMNS} FROM carbon_activities \
                     WHERE org_id = $1 AND period_id = $2 AND activity_id = $3"
                )))
                .bind(org_id)
                .bind(period_id)
                .bind(id)
                .fetch_optional(self.conn_mut())
                .await?
                .map(|r| activity(&r))
                .transpose()?,
                None => None,
            };
            let id = a.activity_id.clone().unwrap_or_else(new_id);
            if before.is_some() {
                sqlx::query(
                    "DELETE FROM carbon_activities WHERE org_id = $1 AND period_id = $2 \
                     AND activity_id = $3",
                )
                .bind(org_id)
                .bind(period_id)
                .bind(&id)
                .execute(self.conn_mut())
                .await?;
            }
            let version = before.as_ref().map_or(1, |b| b.version + 1);
            ids.push(id.clone());
            rows.push((a, id, version, before));
        }
        let trimmed = |s: &Option<String>| {
            s.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        };
        for chunk in rows.chunks(ACTIVITY_CHUNK) {
            let sql = format!(
                "INSERT INTO carbon_activities (org_id, period_id, activity_id, site_id, \
                 category, description, quantity, unit, factor_id, instrument, market_factor, \
                 source, source_ref, version, entered_by, entered_at) VALUES {}",
                placeholders(chunk.len(), 16)
            );
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for (a, id, version, _) in chunk {
                q = q
                    .bind(org_id)
                    .bind(period_id)
                    .bind(id.clone())
                    .bind(a.site_id.clone())
                    .bind(a.category.trim().to_string())
                    .bind(trimmed(&a.description))
                    .bind(a.quantity.normalize().to_string())
                    .bind(a.unit.trim().to_string())
                    .bind(a.factor.trim().to_string())
                    .bind(trimmed(&a.instrument))
                    .bind(trimmed(&a.market_factor))
                    .bind(source_kind)
                    .bind(source_ref)
                    .bind(*version)
                    .bind(&actor.user_id)
                    .bind(&at);
            }
            q.execute(self.conn_mut()).await?;
        }
        let entity_ids: Vec<String> = rows
            .iter()
            .map(|r| format!("{period_id}/{}", r.1))
            .collect();
        let changes = rows
            .iter()
            .zip(&entity_ids)
            .map(|((a, _, _, before), eid)| Change {
                tenant: org_id,
                entity: "carbon_activity",
                entity_id: eid,
                action: if before.is_some() { "update" } else { "create" },
                before: before
                    .as_ref()
                    .map(|b| serde_json::to_value(b).unwrap_or_default()),
                after: Some(serde_json::to_value(a).unwrap_or_default()),
            })
            .collect();
        record_many(self.conn_mut(), actor, changes).await?;
        Ok(ids)
    }

    /// Calculates the period's inventory from its activities, stores the
    /// run with every record's result, and writes the totals into the
    /// catalogs' data points (source "calculated", linked to the run).
    pub async fn calculate_inventory(
        &mut self,
        org_id: &str,
        period_id: &str,
        gwp_set: &str,
    ) -> Result<RunRecord> {
        let actor = self.actor();
        check_write(actor, org_id)?;
        self.check_period(org_id, period_id).await?;
        let period_end = self.period_end(org_id, period_id).await?;
        let lib = library_for(self.conn_mut(), org_id).await?;
        let mut engine = Engine::new(&lib, ReferenceData::embedded(), gwp_set)
            .map_err(|m| StoreError::Invalid(vec![FieldError::new("gwp", m)]))?;
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {ACTIVITY_COLUMNS} FROM carbon_activities \
             WHERE org_id = $1 AND period_id = $2 ORDER BY category, activity_id"
        )))
        .bind(org_id)
        .bind(period_id)
        .fetch_all(self.conn_mut())
        .await?;
        let activities: Vec<ActivityRecord> = rows.iter().map(activity).collect::<Result<_>>()?;
        let mut totals = Totals::default();
        let mut results = Vec::with_capacity(activities.len());
        let mut errors = Vec::new();
        for (i, a) in activities.iter().enumerate() {
            let input = ActivityInput {
                activity_id: Some(a.activity_id.clone()),
                site_id: a.site_id.clone(),
                category: a.category.clone(),
                description: None,
                quantity: a.quantity,
                unit: a.unit.clone(),
                factor: a.factor.clone(),
                instrument: a.instrument.clone(),
                market_factor: a.market_factor.clone(),
            };
            let act = match as_activity(&input, &a.activity_id, &period_end) {
                Ok(act) => act,
                Err(e) => {
                    errors.push(FieldError::new(
                        format!("activities[{i}].{}", e.field),
                        e.msg,
                    ));
                    continue;
                }
            };
            match engine.calculate(&act) {
                Ok(r) => {
                    totals.add(act.site, &r);
                    results.push((a, r));
                }
                // A factor withdrawn since the activity was stored.
                Err(e) => errors.push(FieldError::new(
                    format!("activities[{i}].{}", e.field),
                    e.msg,
                )),
            }
        }
        if !errors.is_empty() {
            return Err(StoreError::Invalid(errors));
        }
        let run_id = new_id();
        let at = now();
        let rec = RunRecord {
            run_id: run_id.clone(),
            period_id: period_id.to_string(),
            gwp_set: gwp_set.to_string(),
            library_version: lib.version.clone(),
            activities: results.len() as i64,
            scope1_t: totals.scope1(),
            scope2_location_t: totals.scope2_location(),
            scope2_market_t: totals.scope2_market(),
            scope3_t: totals.scope3(),
            computed_by: actor.user_id.clone(),
            computed_at: at.clone(),
        };
        sqlx::query(
            "INSERT INTO carbon_runs (org_id, run_id, period_id, gwp_set, library_version, \
             activities, scope1_t, scope2_location_t, scope2_market_t, scope3_t, computed_by, \
             computed_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .bind(org_id)
        .bind(&run_id)
        .bind(period_id)
        .bind(gwp_set)
        .bind(&rec.library_version)
        .bind(rec.activities)
        .bind(rec.scope1_t.normalize().to_string())
        .bind(rec.scope2_location_t.normalize().to_string())
        .bind(rec.scope2_market_t.normalize().to_string())
        .bind(rec.scope3_t.normalize().to_string())
        .bind(&actor.user_id)
        .bind(&at)
        .execute(self.conn_mut())
        .await?;
        // Many rows per statement: one round trip per chunk.
        for chunk in results.chunks(RESULT_CHUNK) {
            let sql = format!(
                "INSERT INTO carbon_results (org_id, run_id, activity_id, site_id, category, \
                 quantity, unit, factor_id, co2e_t, co2e_market_t, market_factor, gases) \
                 VALUES {}",
                placeholders(chunk.len(), 12)
            );
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for (a, r) in chunk {
                q = q
                    .bind(org_id)
                    .bind(&run_id)
                    .bind(&a.activity_id)
                    .bind(&a.site_id)
                    .bind(&a.category)
                    .bind(a.quantity.normalize().to_string())
                    .bind(&a.unit)
                    .bind(&a.factor)
                    .bind(r.co2e_t.normalize().to_string())
                    .bind(r.co2e_market_t.map(|m| m.normalize().to_string()))
                    .bind(r.market_factor.as_deref().map(str::to_string))
                    .bind(gases_text(&r.gases));
            }
            q.execute(self.conn_mut()).await?;
        }
        record(
            self.conn_mut(),
            actor,
            Change {
                tenant: org_id,
                entity: "carbon_run",
                entity_id: &run_id,
                action: "create",
                before: None,
                after: Some(serde_json::to_value(&rec).unwrap_or_default()),
            },
        )
        .await?;
        // The totals flow into the disclosure data points.
        let values: Vec<ValueInput> = totals
            .datapoint_values()
            .into_iter()
            .map(|(dp, bk, t)| ValueInput {
                datapoint: dp.to_string(),
                breakdown: bk,
                answer: Answer::Value(Value::Quantity {
                    amount: t.round_dp(6).normalize(),
                    unit: "tCO2e".into(),
                }),
                comment: None,
            })
            .collect();
        // Written even for an empty inventory, so no earlier run's
        // figures stay behind.
        self.put_values(
            org_id,
            period_id,
            &values,
            &Source::Calculated {
                reference: format!("carbon-run:{run_id}"),
            },
        )
        .await?;
        Ok(rec)
    }
}

/// A period's production output, for intensities per unit of output.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OutputRecord {
    pub output_id: String,
    pub description: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub quantity: Decimal,
    /// Free text: the product's unit (e.g. "t cement", "10,000 pieces").
    pub unit: String,
    pub entered_by: String,
    pub entered_at: String,
}

impl Store {
    /// Records a production output of the period (audited).
    pub async fn add_output(
        &self,
        actor: &Principal,
        org_id: &str,
        period_id: &str,
        description: &str,
        quantity: Decimal,
        unit: &str,
    ) -> Result<OutputRecord> {
        check_write(actor, org_id)?;
        let mut errs = Vec::new();
        let (description, unit) = (description.trim(), unit.trim());
        if description.is_empty() || description.chars().count() > 200 {
            errs.push(FieldError::new(
                "description",
                Msg::new("store-output-text").arg("max", 200),
            ));
        }
        if unit.is_empty() || unit.chars().count() > 50 {
            errs.push(FieldError::new(
                "unit",
                Msg::new("store-output-text").arg("max", 50),
            ));
        }
        if quantity <= Decimal::ZERO {
            errs.push(FieldError::new(
                "quantity",
                Msg::new("store-output-quantity").arg("value", quantity),
            ));
        }
        if !errs.is_empty() {
            return Err(StoreError::Invalid(errs));
        }
        let mut tx = self.begin(actor).await?;
        tx.check_period(org_id, period_id).await?;
        let rec = OutputRecord {
            output_id: new_id(),
            description: description.to_string(),
            quantity: quantity.normalize(),
            unit: unit.to_string(),
            entered_by: actor.user_id.clone(),
            entered_at: now(),
        };
        sqlx::query(
            "INSERT INTO carbon_outputs (org_id, period_id, output_id, description, quantity, \
             unit, entered_by, entered_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(org_id)
        .bind(period_id)
        .bind(&rec.output_id)
        .bind(&rec.description)
        .bind(rec.quantity.to_string())
        .bind(&rec.unit)
        .bind(&rec.entered_by)
        .bind(&rec.entered_at)
        .execute(tx.conn_mut())
        .await?;
        record(
            tx.conn_mut(),
            actor,
            Change {
                tenant: org_id,
                entity: "carbon_output",
                entity_id: &format!("{period_id}/{}", rec.output_id),
                action: "create",
                before: None,
                after: Some(serde_json::to_value(&rec).unwrap_or_default()),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(rec)
    }

    /// A period's production outputs.
    pub async fn list_outputs(
        &self,
        actor: &Principal,
        org_id: &str,
        period_id: &str,
    ) -> Result<Vec<OutputRecord>> {
        Self::check_read_data(actor, org_id)?;
        let rows = sqlx::query(
            "SELECT output_id, description, quantity, unit, entered_by, entered_at \
             FROM carbon_outputs WHERE org_id = $1 AND period_id = $2 ORDER BY entered_at",
        )
        .bind(org_id)
        .bind(period_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(OutputRecord {
                    output_id: r.try_get("output_id")?,
                    description: r.try_get("description")?,
                    quantity: dec(r, "quantity")?,
                    unit: r.try_get("unit")?,
                    entered_by: r.try_get("entered_by")?,
                    entered_at: r.try_get("entered_at")?,
                })
            })
            .collect()
    }
}

/// Totals per category of a run's results (location-based), for pages.
pub fn by_category(results: &[ResultRecord]) -> BTreeMap<String, Decimal> {
    let mut m = BTreeMap::new();
    for r in results {
        *m.entry(r.category.clone()).or_default() += r.co2e_t;
    }
    m
}
