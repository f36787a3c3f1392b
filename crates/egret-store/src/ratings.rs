//! Rating runs. The inputs of a year come from published reports only (the
//! latest published one per organisation, its facts in
//! `submission_figures`, the data points a signed conclusion on it covers,
//! and the prior year's numbers for trends); the engine is
//! `egret_domain::rating`. A run and its results are written in one
//! transaction and never changed.

use std::collections::{BTreeMap, HashMap};

use egret_domain::access::{Principal, Role};
use egret_domain::org::FieldError;
use egret_domain::rating::{
    Datum, Fact, Methodology, RatingInput, RatingResult, rate, results_digest,
};
use egret_i18n::Msg;
use rust_decimal::Decimal;
use serde::Serialize;
use sqlx::Row;

use crate::audit::{Change, PLATFORM, record};
use crate::db::{PUBLISHED, new_id, now, placeholders};
use crate::{Result, Store, StoreError};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RatingRun {
    pub run_id: String,
    pub methodology: String,
    pub fiscal_year: i32,
    pub organisations: i64,
    pub digest: String,
    pub run_by: String,
    pub run_at: String,
}

const RESULT_CHUNK: usize = 200;

fn can_rate(actor: &Principal) -> Result<()> {
    if matches!(actor.role, Role::Analyst | Role::PlatformAdmin) {
        Ok(())
    } else {
        Err(StoreError::Forbidden { action: "rate" })
    }
}

impl Store {
    /// The rating inputs of every organisation with a published report of
    /// `year`, sorted by organisation.
    pub async fn rating_inputs(&self, year: i32) -> Result<Vec<RatingInput>> {
        // Latest published submission per (organisation, year) for the
        // year and the one before.
        let mut latest: BTreeMap<(String, i64), (i64, String)> = BTreeMap::new();
        for r in sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT s.org_id, s.submission_id, s.seq, p.fiscal_year FROM submissions s \
             JOIN reporting_periods p ON p.org_id = s.org_id AND p.period_id = s.period_id \
             WHERE p.fiscal_year IN ($1, $2) AND {PUBLISHED}"
        )))
        .bind(i64::from(year))
        .bind(i64::from(year) - 1)
        .fetch_all(&self.pool)
        .await?
        {
            let key = (
                r.try_get::<String, _>("org_id")?,
                r.try_get::<i64, _>("fiscal_year")?,
            );
            let seq: i64 = r.try_get("seq")?;
            if latest.get(&key).is_none_or(|(s, _)| *s < seq) {
                latest.insert(key, (seq, r.try_get("submission_id")?));
            }
        }
        let which: HashMap<String, (String, bool)> = latest
            .iter()
            .map(|((org, y), (_, sid))| (sid.clone(), (org.clone(), *y == i64::from(year))))
            .collect();
        let mut inputs: BTreeMap<String, RatingInput> = BTreeMap::new();
        for (org, y) in latest.keys() {
            if *y == i64::from(year) {
                inputs.insert(
                    org.clone(),
                    RatingInput {
                        org_id: org.clone(),
                        ..Default::default()
                    },
                );
            }
        }
        if inputs.is_empty() {
            return Ok(Vec::new());
        }
        for r in sqlx::query("SELECT org_id, cluster, revenue_fen FROM organizations")
            .fetch_all(&self.pool)
            .await?
        {
            let org: String = r.try_get("org_id")?;
            if let Some(i) = inputs.get_mut(&org) {
                i.cluster = r.try_get("cluster")?;
                i.revenue_wan = r
                    .try_get::<Option<i64>, _>("revenue_fen")?
                    .map(|f| Decimal::new(f, 2) / Decimal::from(10_000));
            }
        }
        // Data points a signed conclusion on the rated submission covers.
        let mut assured: HashMap<String, Vec<String>> = HashMap::new();
        for r in sqlx::query(
            "SELECT c.submission_id, e.scope FROM engagement_conclusions c JOIN engagements e \
             ON e.org_id = c.org_id AND e.engagement_id = c.engagement_id",
        )
        .fetch_all(&self.pool)
        .await?
        {
            let sid: String = r.try_get("submission_id")?;
            if which.get(&sid).is_some_and(|(_, now)| *now) {
                let scope: String = r.try_get("scope")?;
                let dps: Vec<String> = serde_json::from_str(&scope)
                    .map_err(|e| crate::error::corrupt(format!("engagement scope: {e}")))?;
                assured.entry(sid).or_default().extend(dps);
            }
        }
        for r in sqlx::query(
            "SELECT submission_id, datapoint_id, value_text, unit FROM submission_figures \
             ORDER BY org_id, submission_id, datapoint_id",
        )
        .fetch_all(&self.pool)
        .await?
        {
            let sid: String = r.try_get("submission_id")?;
            let Some((org, current)) = which.get(&sid) else {
                continue;
            };
            let Some(input) = inputs.get_mut(org) else {
                continue;
            };
            let dp: String = r.try_get("datapoint_id")?;
            let text: String = r.try_get("value_text")?;
            let unit: String = r.try_get("unit")?;
            let number = || {
                text.parse::<Decimal>()
                    .map_err(|_| crate::error::corrupt(format!("figure {text}")))
            };
            if !*current {
                if !matches!(unit.as_str(), "bool" | "answered" | "explained") {
                    input.prior.insert(dp, number()?);
                }
                continue;
            }
            let fact = match unit.as_str() {
                "bool" => Fact::Bool(text == "1"),
                "answered" => Fact::Answered,
                "explained" => Fact::Explained,
                _ => Fact::Number(number()?),
            };
            let is_assured = assured.get(&sid).is_some_and(|a| a.contains(&dp));
            input.data.insert(
                dp,
                Datum {
                    fact,
                    assured: is_assured,
                },
            );
        }
        // Controversies up to the end of the rated year.
        for r in sqlx::query(
            "SELECT org_id, kind, occurred_on FROM controversies WHERE occurred_on <= $1 \
             ORDER BY org_id, occurred_on, event_id",
        )
        .bind(format!("{year}-12-31"))
        .fetch_all(&self.pool)
        .await?
        {
            let org: String = r.try_get("org_id")?;
            if let Some(i) = inputs.get_mut(&org) {
                let on: String = r.try_get("occurred_on")?;
                i.controversies.push(egret_domain::rating::Controversy {
                    kind: r.try_get("kind")?,
                    occurred_on: chrono::NaiveDate::parse_from_str(&on, "%Y-%m-%d")
                        .map_err(|_| crate::error::corrupt(format!("controversy date {on}")))?,
                });
            }
        }
        Ok(inputs.into_values().collect())
    }

    /// Records a controversy (analysts and administrators), with its source.
    pub async fn record_controversy(
        &self,
        actor: &Principal,
        org_id: &str,
        kind: &str,
        occurred_on: &str,
        description: &str,
        source: &str,
    ) -> Result<ControversyRecord> {
        can_rate(actor)?;
        self.get_org(actor, org_id).await?;
        let mut errors = Vec::new();
        let known = Methodology::shipped()
            .iter()
            .any(|m| m.controversy.iter().any(|k| k.id == kind));
        if !known {
            errors.push(FieldError::new(
                "kind",
                Msg::new("store-controversy-kind").arg("value", kind),
            ));
        }
        let day = chrono::NaiveDate::parse_from_str(occurred_on.trim(), "%Y-%m-%d").ok();
        if day.is_none() {
            errors.push(FieldError::new(
                "occurred_on",
                Msg::new("domain-date").arg("value", occurred_on),
            ));
        }
        for (field, text) in [("description", description), ("source", source)] {
            if text.trim().is_empty() {
                errors.push(FieldError::new(field, Msg::new("domain-required")));
            }
        }
        let Some(day) = day.filter(|_| errors.is_empty()) else {
            return Err(StoreError::Invalid(errors));
        };
        let c = ControversyRecord {
            event_id: new_id(),
            kind: kind.to_string(),
            occurred_on: day.to_string(),
            description: description.trim().to_string(),
            source: source.trim().to_string(),
            recorded_by: actor.user_id.clone(),
            recorded_at: now(),
        };
        let mut tx = self.begin(actor).await?;
        sqlx::query(
            "INSERT INTO controversies (org_id, event_id, kind, occurred_on, description, source, \
             recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(org_id)
        .bind(&c.event_id)
        .bind(&c.kind)
        .bind(&c.occurred_on)
        .bind(&c.description)
        .bind(&c.source)
        .bind(&c.recorded_by)
        .bind(&c.recorded_at)
        .execute(tx.conn_mut())
        .await?;
        record(
            tx.conn_mut(),
            actor,
            Change {
                tenant: org_id,
                entity: "controversy",
                entity_id: &c.event_id,
                action: "create",
                before: None,
                after: Some(serde_json::to_value(&c).unwrap_or_default()),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(c)
    }

    /// An organisation's recorded controversies (whoever may read it).
    pub async fn controversies_of(
        &self,
        actor: &Principal,
        org_id: &str,
    ) -> Result<Vec<ControversyRecord>> {
        self.get_org(actor, org_id).await?;
        let rows = sqlx::query(
            "SELECT event_id, kind, occurred_on, description, source, recorded_by, recorded_at \
             FROM controversies WHERE org_id = $1 ORDER BY occurred_on, event_id",
        )
        .bind(org_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(ControversyRecord {
                    event_id: r.try_get("event_id")?,
                    kind: r.try_get("kind")?,
                    occurred_on: r.try_get("occurred_on")?,
                    description: r.try_get("description")?,
                    source: r.try_get("source")?,
                    recorded_by: r.try_get("recorded_by")?,
                    recorded_at: r.try_get("recorded_at")?,
                })
            })
            .collect()
    }

    /// Rates every organisation with a published report of `year` under a
    /// methodology (analysts and administrators) and stores the run.
    pub async fn run_rating(
        &self,
        actor: &Principal,
        year: i32,
        methodology: &str,
    ) -> Result<(RatingRun, Vec<RatingResult>)> {
        can_rate(actor)?;
        let m = Methodology::find(methodology).ok_or_else(|| StoreError::NotFound {
            entity: "methodology",
            id: methodology.to_string(),
        })?;
        let mut inputs = self.rating_inputs(year).await?;
        // Controversies age as of the end of the rated year, so a re-run
        // gives the same result whatever the day.
        let on = chrono::NaiveDate::from_ymd_opt(year, 12, 31)
            .ok_or_else(|| crate::error::corrupt("year"))?;
        let results = rate(m, &mut inputs, on);
        let run = RatingRun {
            run_id: new_id(),
            methodology: m.key(),
            fiscal_year: year,
            organisations: i64::try_from(results.len()).unwrap_or(i64::MAX),
            digest: results_digest(&results),
            run_by: actor.user_id.clone(),
            run_at: now(),
        };
        let mut tx = self.begin(actor).await?;
        sqlx::query(
            "INSERT INTO rating_runs (run_id, methodology, fiscal_year, organisations, digest, \
             run_by, run_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&run.run_id)
        .bind(&run.methodology)
        .bind(i64::from(year))
        .bind(run.organisations)
        .bind(&run.digest)
        .bind(&run.run_by)
        .bind(&run.run_at)
        .execute(tx.conn_mut())
        .await?;
        for chunk in results.chunks(RESULT_CHUNK) {
            let sql = format!(
                "INSERT INTO rating_results (org_id, run_id, score, grade, quality, peer_group, \
                 detail) VALUES {}",
                placeholders(chunk.len(), 7)
            );
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for r in chunk {
                q = q
                    .bind(&r.org_id)
                    .bind(&run.run_id)
                    .bind(r.score.to_string())
                    .bind(&r.grade)
                    .bind(&r.quality)
                    .bind(&r.peer_group)
                    .bind(serde_json::to_string(r).unwrap_or_default());
            }
            q.execute(tx.conn_mut()).await?;
        }
        record(
            tx.conn_mut(),
            actor,
            Change {
                tenant: PLATFORM,
                entity: "rating_run",
                entity_id: &run.run_id,
                action: "create",
                before: None,
                after: Some(serde_json::to_value(&run).unwrap_or_default()),
            },
        )
        .await?;
        tx.commit().await?;
        Ok((run, results))
    }

    /// Publishes a run (analysts and administrators): its results become
    /// public. Once only.
    pub async fn publish_rating_run(&self, actor: &Principal, run_id: &str) -> Result<()> {
        can_rate(actor)?;
        let exists: Option<String> =
            sqlx::query_scalar("SELECT run_id FROM rating_runs WHERE run_id = $1")
                .bind(run_id)
                .fetch_optional(&self.pool)
                .await?;
        if exists.is_none() {
            return Err(StoreError::NotFound {
                entity: "rating_run",
                id: run_id.to_string(),
            });
        }
        let mut tx = self.begin(actor).await?;
        let done: Option<String> =
            sqlx::query_scalar("SELECT run_id FROM rating_publications WHERE run_id = $1")
                .bind(run_id)
                .fetch_optional(tx.conn_mut())
                .await?;
        if done.is_some() {
            return Err(StoreError::Invalid(vec![FieldError::new(
                "run_id",
                Msg::new("store-rating-published"),
            )]));
        }
        sqlx::query(
            "INSERT INTO rating_publications (run_id, published_by, published_at) \
             VALUES ($1, $2, $3)",
        )
        .bind(run_id)
        .bind(&actor.user_id)
        .bind(now())
        .execute(tx.conn_mut())
        .await?;
        record(
            tx.conn_mut(),
            actor,
            Change {
                tenant: PLATFORM,
                entity: "rating_run",
                entity_id: run_id,
                action: "publish",
                before: None,
                after: None,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The latest published run of a year, if any (public).
    pub async fn latest_published_run(&self, year: i32) -> Result<Option<RatingRun>> {
        let r = sqlx::query(
            "SELECT k.run_id, k.methodology, k.fiscal_year, k.organisations, k.digest, k.run_by, \
             k.run_at FROM rating_runs k JOIN rating_publications p ON p.run_id = k.run_id \
             WHERE k.fiscal_year = $1 ORDER BY p.published_at DESC, k.run_id DESC LIMIT 1",
        )
        .bind(i64::from(year))
        .fetch_optional(&self.pool)
        .await?;
        r.as_ref().map(run_row).transpose()
    }

    /// Whether a run is published.
    pub async fn rating_run_published(&self, run_id: &str) -> Result<bool> {
        let r: Option<String> =
            sqlx::query_scalar("SELECT run_id FROM rating_publications WHERE run_id = $1")
                .bind(run_id)
                .fetch_optional(&self.pool)
                .await?;
        Ok(r.is_some())
    }

    /// Every run, newest first.
    pub async fn rating_runs(&self) -> Result<Vec<RatingRun>> {
        let rows = sqlx::query(
            "SELECT run_id, methodology, fiscal_year, organisations, digest, run_by, run_at \
             FROM rating_runs ORDER BY run_at DESC, run_id DESC",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(run_row).collect()
    }

    /// The latest run of a year, if any.
    pub async fn latest_rating_run(&self, year: i32) -> Result<Option<RatingRun>> {
        let r = sqlx::query(
            "SELECT run_id, methodology, fiscal_year, organisations, digest, run_by, run_at \
             FROM rating_runs WHERE fiscal_year = $1 ORDER BY run_at DESC, run_id DESC LIMIT 1",
        )
        .bind(i64::from(year))
        .fetch_optional(&self.pool)
        .await?;
        r.as_ref().map(run_row).transpose()
    }

    /// The results of a run, by organisation.
    pub async fn rating_results(&self, run_id: &str) -> Result<Vec<RatingResult>> {
        let rows =
            sqlx::query("SELECT detail FROM rating_results WHERE run_id = $1 ORDER BY org_id")
                .bind(run_id)
                .fetch_all(&self.pool)
                .await?;
        rows.iter()
            .map(|r| {
                let d: String = r.try_get("detail")?;
                serde_json::from_str(&d)
                    .map_err(|e| crate::error::corrupt(format!("rating result: {e}")))
            })
            .collect()
    }
    /// An organisation's result in a run (whoever may read the
    /// organisation).
    pub async fn rating_of(
        &self,
        actor: &Principal,
        org_id: &str,
        run_id: &str,
    ) -> Result<RatingResult> {
        if !actor.can_read_org(org_id) {
            return Err(StoreError::NotFound {
                entity: "rating",
                id: org_id.to_string(),
            });
        }
        let d: Option<String> = sqlx::query_scalar(
            "SELECT detail FROM rating_results WHERE org_id = $1 AND run_id = $2",
        )
        .bind(org_id)
        .bind(run_id)
        .fetch_optional(&self.pool)
        .await?;
        let d = d.ok_or_else(|| StoreError::NotFound {
            entity: "rating",
            id: format!("{org_id}/{run_id}"),
        })?;
        serde_json::from_str(&d).map_err(|e| crate::error::corrupt(format!("rating result: {e}")))
    }

    /// An organisation's ratings, newest run first: (run, grade, score).
    pub async fn ratings_of(
        &self,
        actor: &Principal,
        org_id: &str,
    ) -> Result<Vec<(RatingRun, String, String)>> {
        if !actor.can_read_org(org_id) {
            return Err(StoreError::NotFound {
                entity: "rating",
                id: org_id.to_string(),
            });
        }
        let rows = sqlx::query(
            "SELECT k.run_id, k.methodology, k.fiscal_year, k.organisations, k.digest, k.run_by, \
             k.run_at, r.grade, r.score FROM rating_results r JOIN rating_runs k \
             ON k.run_id = r.run_id WHERE r.org_id = $1 ORDER BY k.run_at DESC, k.run_id DESC",
        )
        .bind(org_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| Ok((run_row(r)?, r.try_get("grade")?, r.try_get("score")?)))
            .collect()
    }

    /// The rated organisation objects to its rating, with evidence.
    pub async fn file_objection(
        &self,
        actor: &Principal,
        org_id: &str,
        run_id: &str,
        indicator: Option<&str>,
        objection: &str,
        evidence: &str,
    ) -> Result<Objection> {
        crate::data::check_write(actor, org_id)?;
        let result = self.rating_of(actor, org_id, run_id).await?;
        let mut errors = Vec::new();
        if let Some(i) = indicator.filter(|i| !result.indicators.iter().any(|x| x.indicator == *i))
        {
            errors.push(FieldError::new(
                "indicator",
                Msg::new("store-objection-indicator").arg("value", i),
            ));
        }
        for (field, text) in [("objection", objection), ("evidence", evidence)] {
            if text.trim().is_empty() {
                errors.push(FieldError::new(field, Msg::new("domain-required")));
            }
        }
        if !errors.is_empty() {
            return Err(StoreError::Invalid(errors));
        }
        let o = Objection {
            objection_id: new_id(),
            org_id: org_id.to_string(),
            run_id: run_id.to_string(),
            indicator: indicator.map(str::to_string),
            objection: objection.trim().to_string(),
            evidence: evidence.trim().to_string(),
            filed_by: actor.user_id.clone(),
            filed_at: now(),
            resolution: None,
            response: None,
            resolved_by: None,
            resolved_at: None,
        };
        let mut tx = self.begin(actor).await?;
        sqlx::query(
            "INSERT INTO rating_objections (org_id, objection_id, run_id, indicator, objection, \
             evidence, filed_by, filed_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(org_id)
        .bind(&o.objection_id)
        .bind(run_id)
        .bind(&o.indicator)
        .bind(&o.objection)
        .bind(&o.evidence)
        .bind(&o.filed_by)
        .bind(&o.filed_at)
        .execute(tx.conn_mut())
        .await?;
        record(
            tx.conn_mut(),
            actor,
            Change {
                tenant: org_id,
                entity: "rating_objection",
                entity_id: &o.objection_id,
                action: "create",
                before: None,
                after: Some(serde_json::to_value(&o).unwrap_or_default()),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(o)
    }

    /// An analyst upholds or dismisses an open objection, with a response.
    pub async fn resolve_objection(
        &self,
        actor: &Principal,
        org_id: &str,
        objection_id: &str,
        resolution: &str,
        response: &str,
    ) -> Result<Objection> {
        can_rate(actor)?;
        let mut errors = Vec::new();
        if !matches!(resolution, "upheld" | "dismissed") {
            errors.push(FieldError::new(
                "resolution",
                Msg::new("store-objection-resolution").arg("value", resolution),
            ));
        }
        if response.trim().is_empty() {
            errors.push(FieldError::new("response", Msg::new("domain-required")));
        }
        if !errors.is_empty() {
            return Err(StoreError::Invalid(errors));
        }
        let mut tx = self.begin(actor).await?;
        let done = sqlx::query(
            "UPDATE rating_objections SET resolution = $1, response = $2, resolved_by = $3, \
             resolved_at = $4 WHERE org_id = $5 AND objection_id = $6 AND resolution IS NULL",
        )
        .bind(resolution)
        .bind(response.trim())
        .bind(&actor.user_id)
        .bind(now())
        .bind(org_id)
        .bind(objection_id)
        .execute(tx.conn_mut())
        .await?
        .rows_affected();
        if done == 0 {
            return Err(StoreError::Invalid(vec![FieldError::new(
                "objection",
                Msg::new("store-objection-closed"),
            )]));
        }
        record(
            tx.conn_mut(),
            actor,
            Change {
                tenant: org_id,
                entity: "rating_objection",
                entity_id: objection_id,
                action: "update",
                before: None,
                after: Some(
                    serde_json::json!({ "resolution": resolution, "response": response.trim() }),
                ),
            },
        )
        .await?;
        tx.commit().await?;
        self.objections(actor, Some(org_id))
            .await?
            .into_iter()
            .find(|o| o.objection_id == objection_id)
            .ok_or_else(|| crate::error::corrupt("objection vanished"))
    }

    /// Objections: of one organisation (whoever may read it), or all of
    /// them (analysts and administrators).
    pub async fn objections(
        &self,
        actor: &Principal,
        org_id: Option<&str>,
    ) -> Result<Vec<Objection>> {
        match org_id {
            Some(o) if !actor.can_read_org(o) => {
                return Err(StoreError::NotFound {
                    entity: "organization",
                    id: o.to_string(),
                });
            }
            None => can_rate(actor)?,
            _ => {}
        }
        let rows = sqlx::query(
            "SELECT org_id, objection_id, run_id, indicator, objection, evidence, filed_by, \
             filed_at, resolution, response, resolved_by, resolved_at FROM rating_objections \
             WHERE ($1 = '' OR org_id = $1) ORDER BY filed_at, objection_id",
        )
        .bind(org_id.unwrap_or(""))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Objection {
                    objection_id: r.try_get("objection_id")?,
                    org_id: r.try_get("org_id")?,
                    run_id: r.try_get("run_id")?,
                    indicator: r.try_get("indicator")?,
                    objection: r.try_get("objection")?,
                    evidence: r.try_get("evidence")?,
                    filed_by: r.try_get("filed_by")?,
                    filed_at: r.try_get("filed_at")?,
                    resolution: r.try_get("resolution")?,
                    response: r.try_get("response")?,
                    resolved_by: r.try_get("resolved_by")?,
                    resolved_at: r.try_get("resolved_at")?,
                })
            })
            .collect()
    }
}

/// An objection to a rating and its resolution.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Objection {
    pub objection_id: String,
    pub org_id: String,
    pub run_id: String,
    pub indicator: Option<String>,
    pub objection: String,
    pub evidence: String,
    pub filed_by: String,
    pub filed_at: String,
    /// upheld | dismissed; None while open.
    pub resolution: Option<String>,
    pub response: Option<String>,
    pub resolved_by: Option<String>,
    pub resolved_at: Option<String>,
}

fn run_row(r: &sqlx::any::AnyRow) -> Result<RatingRun> {
    Ok(RatingRun {
        run_id: r.try_get("run_id")?,
        methodology: r.try_get("methodology")?,
        fiscal_year: i32::try_from(r.try_get::<i64, _>("fiscal_year")?)
            .map_err(|_| crate::error::corrupt("fiscal year"))?,
        organisations: r.try_get("organisations")?,
        digest: r.try_get("digest")?,
        run_by: r.try_get("run_by")?,
        run_at: r.try_get("run_at")?,
    })
}

/// A recorded controversy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ControversyRecord {
    pub event_id: String,
    pub kind: String,
    pub occurred_on: String,
    pub description: String,
    pub source: String,
    pub recorded_by: String,
    pub recorded_at: String,
}
