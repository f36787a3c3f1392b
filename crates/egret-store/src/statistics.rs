//! What the city's statistics are computed from, read in a few queries:
//! the register's facts, which organisations have a published report of
//! each fiscal year, which of those carry a signed assurance conclusion,
//! and the published figures of chosen data points. Only published
//! disclosures count; nothing private reaches the statistics.

use std::collections::{BTreeMap, HashMap};

use egret_domain::access::Principal;
use egret_domain::programme::OrgFacts;
use rust_decimal::Decimal;
use sqlx::Row;

use crate::db::PUBLISHED;
use crate::{Result, Store, StoreError};

/// A figure of an organisation's latest published report of a year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishedFigure {
    pub org_id: String,
    pub fiscal_year: i32,
    pub datapoint: String,
    pub value: Decimal,
    pub unit: String,
    /// The submission it comes from.
    pub submission_id: String,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct CityFacts {
    pub orgs: Vec<OrgFacts>,
    /// Revenue in yuan by organisation (from the register), for
    /// intensities.
    pub revenue_cny: HashMap<String, Decimal>,
    /// (organisation, fiscal year) with a published report.
    pub published: Vec<(String, i32)>,
    /// (organisation, fiscal year) whose published report carries a signed
    /// assurance conclusion.
    pub assured: Vec<(String, i32)>,
    pub figures: Vec<PublishedFigure>,
    /// (organisation, fiscal year) → grade in the year's latest rating run.
    pub grades: BTreeMap<(String, i32), String>,
    /// Organisations with a published or certified product footprint.
    pub footprint_orgs: Vec<String>,
}

const FACT_COLUMNS: &str = "org_id, uscc, name_zh, name_en, district, cluster, ownership, \
    size_class, is_listed, state_controlled, foreign_business, financial_institution, revenue_fen";

fn org_facts(r: &sqlx::any::AnyRow, zones: &mut HashMap<String, Vec<String>>) -> Result<OrgFacts> {
    let org_id: String = r.try_get("org_id")?;
    let flag = |c: &str| -> Result<bool> { Ok(r.try_get::<i64, _>(c)? != 0) };
    Ok(OrgFacts {
        zones: zones.remove(&org_id).unwrap_or_default(),
        org_id,
        uscc: r.try_get("uscc")?,
        name_zh: r.try_get("name_zh")?,
        name_en: r.try_get("name_en")?,
        district: r.try_get("district")?,
        cluster: r.try_get("cluster")?,
        ownership: r.try_get("ownership")?,
        size_class: r.try_get("size_class")?,
        listed: flag("is_listed")?,
        state_controlled: flag("state_controlled")?,
        foreign_business: flag("foreign_business")?,
        financial_institution: flag("financial_institution")?,
    })
}

fn year(r: &sqlx::any::AnyRow) -> Result<i32> {
    i32::try_from(r.try_get::<i64, _>("fiscal_year")?)
        .map_err(|_| crate::error::corrupt("fiscal year"))
}

impl Store {
    /// One organisation's facts and its signed assurance conclusions (with
    /// whether the assured report is published). Callers check access.
    pub(crate) async fn org_assurance_facts(
        &self,
        org_id: &str,
    ) -> Result<(OrgFacts, egret_domain::awards::AwardRecord)> {
        let mut zones: HashMap<String, Vec<String>> = HashMap::new();
        for r in sqlx::query("SELECT zone_id FROM org_zones WHERE org_id = $1 ORDER BY zone_id")
            .bind(org_id)
            .fetch_all(&self.pool)
            .await?
        {
            zones
                .entry(org_id.to_string())
                .or_default()
                .push(r.try_get("zone_id")?);
        }
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {FACT_COLUMNS} FROM organizations WHERE org_id = $1"
        )))
        .bind(org_id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| StoreError::NotFound {
            entity: "organization",
            id: org_id.to_string(),
        })?;
        let facts = org_facts(&row, &mut zones)?;
        let mut assured = Vec::new();
        for r in sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT p.fiscal_year, c.signed_at, CASE WHEN {PUBLISHED} THEN 1 ELSE 0 END AS published \
             FROM engagement_conclusions c \
             JOIN submissions s ON s.org_id = c.org_id AND s.submission_id = c.submission_id \
             JOIN reporting_periods p ON p.org_id = s.org_id AND p.period_id = s.period_id \
             WHERE c.org_id = $1 ORDER BY c.signed_at"
        )))
        .bind(org_id)
        .fetch_all(&self.pool)
        .await?
        {
            let signed: String = r.try_get("signed_at")?;
            assured.push(egret_domain::awards::AssuredReport {
                fiscal_year: year(&r)?,
                signed_on: chrono::NaiveDate::parse_from_str(signed.get(..10).unwrap_or(""), "%Y-%m-%d")
                    .map_err(|_| crate::error::corrupt(format!("signed_at {signed}")))?,
                published: r.try_get::<i64, _>("published")? != 0,
            });
        }
        let pcf_certificates = self
            .certificates_of(org_id)
            .await?
            .into_iter()
            .map(|c| egret_domain::awards::PcfCertificate {
                signed_on: chrono::NaiveDate::parse_from_str(
                    c.signed_at.get(..10).unwrap_or(""),
                    "%Y-%m-%d",
                )
                .unwrap_or(c.certificate.valid_from),
                valid_from: c.certificate.valid_from,
                valid_to: c.certificate.valid_to,
            })
            .collect();
        Ok((
            facts,
            egret_domain::awards::AwardRecord {
                assured,
                pcf_certificates,
            },
        ))
    }

    /// The facts behind the city's statistics (city government and platform
    /// administrators), with the published figures of `datapoints`.
    pub async fn city_facts(&self, actor: &Principal, datapoints: &[&str]) -> Result<CityFacts> {
        if !actor.can_register_orgs() {
            return Err(StoreError::Forbidden {
                action: "read-statistics",
            });
        }
        self.load_city_facts(datapoints).await
    }

    /// The same facts for the public headline figures, which show
    /// aggregates only (callers must not show the lists).
    pub async fn public_city_facts(&self) -> Result<CityFacts> {
        self.load_city_facts(&[]).await
    }

    async fn load_city_facts(&self, datapoints: &[&str]) -> Result<CityFacts> {
        let mut zones: HashMap<String, Vec<String>> = HashMap::new();
        for r in sqlx::query("SELECT org_id, zone_id FROM org_zones ORDER BY org_id, zone_id")
            .fetch_all(&self.pool)
            .await?
        {
            zones
                .entry(r.try_get("org_id")?)
                .or_default()
                .push(r.try_get("zone_id")?);
        }
        let mut out = CityFacts::default();
        for r in sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {FACT_COLUMNS} FROM organizations ORDER BY name_zh, org_id"
        )))
        .fetch_all(&self.pool)
        .await?
        {
            let o = org_facts(&r, &mut zones)?;
            if let Some(fen) = r.try_get::<Option<i64>, _>("revenue_fen")? {
                out.revenue_cny
                    .insert(o.org_id.clone(), Decimal::new(fen, 2));
            }
            out.orgs.push(o);
        }
        // Published submissions: (org, year) → the latest one (highest seq).
        let mut latest: BTreeMap<(String, i32), (i64, String)> = BTreeMap::new();
        for r in sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT s.org_id, s.submission_id, s.seq, p.fiscal_year FROM submissions s \
             JOIN reporting_periods p ON p.org_id = s.org_id AND p.period_id = s.period_id \
             WHERE {PUBLISHED}"
        )))
        .fetch_all(&self.pool)
        .await?
        {
            let key = (r.try_get::<String, _>("org_id")?, year(&r)?);
            let seq: i64 = r.try_get("seq")?;
            if latest.get(&key).is_none_or(|(s, _)| *s < seq) {
                latest.insert(key, (seq, r.try_get("submission_id")?));
            }
        }
        out.published = latest.keys().cloned().collect();
        for r in sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT DISTINCT s.org_id, p.fiscal_year FROM engagement_conclusions c \
             JOIN submissions s ON s.org_id = c.org_id AND s.submission_id = c.submission_id \
             JOIN reporting_periods p ON p.org_id = s.org_id AND p.period_id = s.period_id \
             WHERE {PUBLISHED} ORDER BY s.org_id, p.fiscal_year"
        )))
        .fetch_all(&self.pool)
        .await?
        {
            out.assured.push((r.try_get("org_id")?, year(&r)?));
        }
        for r in sqlx::query(
            "SELECT r.org_id, r.grade, k.fiscal_year FROM rating_results r \
             JOIN rating_runs k ON k.run_id = r.run_id \
             WHERE k.run_id = (SELECT k2.run_id FROM rating_runs k2 \
               WHERE k2.fiscal_year = k.fiscal_year ORDER BY k2.run_at DESC, k2.run_id DESC LIMIT 1)",
        )
        .fetch_all(&self.pool)
        .await?
        {
            out.grades
                .insert((r.try_get("org_id")?, year(&r)?), r.try_get("grade")?);
        }
        out.footprint_orgs = sqlx::query_scalar(
            "SELECT org_id FROM pcf_publications UNION SELECT org_id FROM pcf_certificates \
             ORDER BY 1",
        )
        .fetch_all(&self.pool)
        .await?;
        if !datapoints.is_empty() {
            let wanted: HashMap<&str, (String, i32)> = latest
                .iter()
                .map(|(k, (_, sid))| (sid.as_str(), k.clone()))
                .collect();
            let marks: Vec<String> = (1..=datapoints.len()).map(|i| format!("${i}")).collect();
            let sql = format!(
                "SELECT org_id, submission_id, datapoint_id, value_text, unit \
                 FROM submission_figures WHERE datapoint_id IN ({}) \
                 ORDER BY org_id, submission_id, datapoint_id",
                marks.join(", ")
            );
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for d in datapoints {
                q = q.bind(*d);
            }
            for r in q.fetch_all(&self.pool).await? {
                let sid: String = r.try_get("submission_id")?;
                let dp: String = r.try_get("datapoint_id")?;
                let Some((org_id, fy)) = wanted.get(sid.as_str()) else {
                    continue;
                };
                let unit: String = r.try_get("unit")?;
                if matches!(unit.as_str(), "bool" | "answered" | "explained") {
                    continue;
                }
                let text: String = r.try_get("value_text")?;
                out.figures.push(PublishedFigure {
                    org_id: org_id.clone(),
                    fiscal_year: *fy,
                    datapoint: dp,
                    value: text
                        .parse()
                        .map_err(|_| crate::error::corrupt(format!("figure {text}")))?,
                    unit,
                    submission_id: sid,
                });
            }
        }
        Ok(out)
    }
}
