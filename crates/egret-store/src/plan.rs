//! Tracking the programme's measures (see `egret_domain::plan`): which
//! department a city user works for, progress reports filed by the lead
//! and co-responsible departments, the coordinating department's
//! evaluations and milestone adjustments. Everything is inserted, never
//! changed, so the full history stays; the latest entry is the current one.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use egret_domain::access::{Principal, Role};
use egret_domain::org::FieldError;
use egret_domain::plan::{RATINGS, ReportInput, quarter_end};
use egret_domain::programme::Programme;
use egret_i18n::Msg;
use serde::Serialize;
use sqlx::Row;

use crate::audit::{Change, record};
use crate::db::{new_id, now};
use crate::{Result, Store, StoreError};

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MeasureReport {
    pub report_id: String,
    pub measure: u32,
    pub department: String,
    pub period: String,
    pub progress: String,
    pub indicators: BTreeMap<String, String>,
    pub milestones: BTreeMap<String, String>,
    pub evidence: String,
    pub submitted_by: String,
    pub submitted_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Evaluation {
    pub measure: u32,
    pub period: String,
    pub rating: String,
    pub comment: String,
    pub evaluated_by: String,
    pub evaluated_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Adjustment {
    pub measure: u32,
    pub milestone: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub new_due: NaiveDate,
    pub reason: String,
    pub adjusted_by: String,
    pub adjusted_at: String,
}

/// The whole tracking record, oldest first.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct PlanRecord {
    pub reports: Vec<MeasureReport>,
    pub evaluations: Vec<Evaluation>,
    pub adjustments: Vec<Adjustment>,
}

impl PlanRecord {
    /// Latest reported status per milestone of a measure.
    pub fn milestone_status(&self, measure: u32) -> BTreeMap<String, String> {
        let mut out = BTreeMap::new();
        for r in self.reports.iter().filter(|r| r.measure == measure) {
            out.extend(r.milestones.clone());
        }
        out
    }

    /// Adjusted due dates per milestone of a measure.
    pub fn due_dates(&self, measure: u32) -> BTreeMap<String, NaiveDate> {
        self.adjustments
            .iter()
            .filter(|a| a.measure == measure)
            .map(|a| (a.milestone.clone(), a.new_due))
            .collect()
    }

    pub fn latest_evaluation(&self, measure: u32) -> Option<&Evaluation> {
        self.evaluations.iter().rfind(|e| e.measure == measure)
    }
}

fn invalid(field: &str, msg: Msg) -> StoreError {
    StoreError::Invalid(vec![FieldError::new(field, msg)])
}

fn city_only(actor: &Principal) -> Result<()> {
    if matches!(actor.role, Role::CityGov | Role::PlatformAdmin) {
        Ok(())
    } else {
        Err(StoreError::Forbidden { action: "plan" })
    }
}

fn programme() -> &'static Programme {
    Programme::embedded()
}

impl Store {
    /// The department a city user works for.
    pub async fn department_of(&self, user_id: &str) -> Result<Option<String>> {
        Ok(sqlx::query_scalar(
            "SELECT department_id FROM department_members WHERE programme_id = $1 AND user_id = $2",
        )
        .bind(&programme().info.id)
        .bind(user_id)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// Makes a city-government user a member of a department (platform
    /// administrator or the coordinating department).
    pub async fn add_department_member(
        &self,
        actor: &Principal,
        department: &str,
        user_id: &str,
    ) -> Result<()> {
        self.check_coordinator(actor).await?;
        let p = programme();
        if p.department(department).is_none() {
            return Err(invalid(
                "department",
                Msg::new("store-plan-department").arg("value", department),
            ));
        }
        let user = self.user(user_id).await?;
        if user.role != Role::CityGov {
            return Err(invalid("user_id", Msg::new("store-plan-member-role")));
        }
        let mut tx = self.begin(actor).await?;
        sqlx::query("DELETE FROM department_members WHERE programme_id = $1 AND user_id = $2")
            .bind(&p.info.id)
            .bind(user_id)
            .execute(tx.conn_mut())
            .await?;
        sqlx::query(
            "INSERT INTO department_members (programme_id, department_id, user_id, added_by, \
             added_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&p.info.id)
        .bind(department)
        .bind(user_id)
        .bind(&actor.user_id)
        .bind(now())
        .execute(tx.conn_mut())
        .await?;
        record(
            tx.conn_mut(),
            actor,
            Change {
                tenant: &p.info.id,
                entity: "department_member",
                entity_id: user_id,
                action: "create",
                before: None,
                after: Some(serde_json::json!({ "department": department })),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The platform administrator, or a member of the coordinating
    /// department.
    async fn check_coordinator(&self, actor: &Principal) -> Result<()> {
        if actor.role == Role::PlatformAdmin {
            return Ok(());
        }
        city_only(actor)?;
        match self.department_of(&actor.user_id).await? {
            Some(d) if d == programme().info.coordinator => Ok(()),
            _ => Err(StoreError::Forbidden {
                action: "coordinate-plan",
            }),
        }
    }

    /// Files a department's progress report. The reporter must work for
    /// the measure's lead or a co-responsible department.
    pub async fn file_measure_report(
        &self,
        actor: &Principal,
        input: &ReportInput,
    ) -> Result<MeasureReport> {
        city_only(actor)?;
        let p = programme();
        let m = input.validate(p).map_err(StoreError::Invalid)?;
        let dept = self.department_of(&actor.user_id).await?;
        let Some(dept) = dept.filter(|d| *d == m.lead || m.co.contains(d)) else {
            return Err(invalid(
                "measure",
                Msg::new("store-plan-not-responsible").arg("measure", m.number),
            ));
        };
        let r = MeasureReport {
            report_id: new_id(),
            measure: m.number,
            department: dept,
            period: input.period.clone(),
            progress: input.progress.trim().to_string(),
            indicators: input
                .indicators
                .iter()
                .filter(|(_, v)| !v.trim().is_empty())
                .map(|(k, v)| (k.clone(), v.trim().to_string()))
                .collect(),
            milestones: input.milestones.clone(),
            evidence: input.evidence.trim().to_string(),
            submitted_by: actor.user_id.clone(),
            submitted_at: now(),
        };
        let mut tx = self.begin(actor).await?;
        sqlx::query(
            "INSERT INTO measure_reports (programme_id, report_id, measure_number, department_id, \
             period, progress, indicators, milestones, evidence, submitted_by, submitted_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(&p.info.id)
        .bind(&r.report_id)
        .bind(i64::from(r.measure))
        .bind(&r.department)
        .bind(&r.period)
        .bind(&r.progress)
        .bind(serde_json::to_string(&r.indicators).unwrap_or_default())
        .bind(serde_json::to_string(&r.milestones).unwrap_or_default())
        .bind(&r.evidence)
        .bind(&r.submitted_by)
        .bind(&r.submitted_at)
        .execute(tx.conn_mut())
        .await?;
        record(
            tx.conn_mut(),
            actor,
            Change {
                tenant: &p.info.id,
                entity: "measure_report",
                entity_id: &r.report_id,
                action: "create",
                before: None,
                after: Some(serde_json::to_value(&r).unwrap_or_default()),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(r)
    }

    /// The coordinating department's evaluation of a measure for a quarter.
    pub async fn evaluate_measure(
        &self,
        actor: &Principal,
        measure: u32,
        period: &str,
        rating: &str,
        comment: &str,
    ) -> Result<Evaluation> {
        self.check_coordinator(actor).await?;
        let p = programme();
        let mut e = Vec::new();
        if p.measure(measure).is_none() {
            e.push(FieldError::new(
                "measure",
                Msg::new("domain-plan-measure").arg("value", measure),
            ));
        }
        if quarter_end(period).is_none() {
            e.push(FieldError::new(
                "period",
                Msg::new("domain-plan-period").arg("value", period),
            ));
        }
        if !RATINGS.contains(&rating) {
            e.push(FieldError::new(
                "rating",
                Msg::new("store-plan-rating").arg("value", rating),
            ));
        }
        if comment.chars().count() > 20_000 {
            e.push(FieldError::new(
                "comment",
                Msg::new("store-output-text").arg("max", 20_000),
            ));
        }
        if !e.is_empty() {
            return Err(StoreError::Invalid(e));
        }
        let ev = Evaluation {
            measure,
            period: period.to_string(),
            rating: rating.to_string(),
            comment: comment.trim().to_string(),
            evaluated_by: actor.user_id.clone(),
            evaluated_at: now(),
        };
        let id = new_id();
        let mut tx = self.begin(actor).await?;
        sqlx::query(
            "INSERT INTO measure_evaluations (programme_id, evaluation_id, measure_number, period, \
             rating, comment, evaluated_by, evaluated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(&p.info.id)
        .bind(&id)
        .bind(i64::from(measure))
        .bind(&ev.period)
        .bind(&ev.rating)
        .bind(&ev.comment)
        .bind(&ev.evaluated_by)
        .bind(&ev.evaluated_at)
        .execute(tx.conn_mut())
        .await?;
        record(
            tx.conn_mut(),
            actor,
            Change {
                tenant: &p.info.id,
                entity: "measure_evaluation",
                entity_id: &id,
                action: "create",
                before: None,
                after: Some(serde_json::to_value(&ev).unwrap_or_default()),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(ev)
    }

    /// Moves a milestone's due date, with the reason (coordinating
    /// department).
    pub async fn adjust_milestone(
        &self,
        actor: &Principal,
        measure: u32,
        milestone: &str,
        new_due: &str,
        reason: &str,
    ) -> Result<Adjustment> {
        self.check_coordinator(actor).await?;
        let p = programme();
        let known = p
            .measure(measure)
            .is_some_and(|m| m.milestone.iter().any(|x| x.id == milestone));
        if !known {
            return Err(invalid(
                "milestone",
                Msg::new("domain-plan-milestone").arg("value", milestone),
            ));
        }
        let due = NaiveDate::parse_from_str(new_due.trim(), "%Y-%m-%d")
            .map_err(|_| invalid("new_due", Msg::new("domain-date").arg("value", new_due)))?;
        if reason.trim().is_empty() {
            return Err(invalid("reason", Msg::new("domain-required")));
        }
        let a = Adjustment {
            measure,
            milestone: milestone.to_string(),
            new_due: due,
            reason: reason.trim().to_string(),
            adjusted_by: actor.user_id.clone(),
            adjusted_at: now(),
        };
        let id = new_id();
        let mut tx = self.begin(actor).await?;
        sqlx::query(
            "INSERT INTO measure_adjustments (programme_id, adjustment_id, measure_number, \
             milestone_id, new_due, reason, adjusted_by, adjusted_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(&p.info.id)
        .bind(&id)
        .bind(i64::from(measure))
        .bind(milestone)
        .bind(due.to_string())
        .bind(&a.reason)
        .bind(&a.adjusted_by)
        .bind(&a.adjusted_at)
        .execute(tx.conn_mut())
        .await?;
        record(
            tx.conn_mut(),
            actor,
            Change {
                tenant: &p.info.id,
                entity: "measure_adjustment",
                entity_id: &id,
                action: "create",
                before: None,
                after: Some(serde_json::to_value(&a).unwrap_or_default()),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(a)
    }

    /// The full tracking record (city government and administrators).
    pub async fn plan_record(&self, actor: &Principal) -> Result<PlanRecord> {
        city_only(actor)?;
        let pid = &programme().info.id;
        let measure = |r: &sqlx::any::AnyRow| -> Result<u32> {
            u32::try_from(r.try_get::<i64, _>("measure_number")?)
                .map_err(|_| crate::error::corrupt("measure number"))
        };
        let json_map = |s: String| -> Result<BTreeMap<String, String>> {
            serde_json::from_str(&s).map_err(|e| crate::error::corrupt(format!("plan json: {e}")))
        };
        let mut out = PlanRecord::default();
        for r in sqlx::query(
            "SELECT * FROM measure_reports WHERE programme_id = $1 ORDER BY submitted_at, report_id",
        )
        .bind(pid)
        .fetch_all(&self.pool)
        .await?
        {
            out.reports.push(MeasureReport {
                report_id: r.try_get("report_id")?,
                measure: measure(&r)?,
                department: r.try_get("department_id")?,
                period: r.try_get("period")?,
                progress: r.try_get("progress")?,
                indicators: json_map(r.try_get("indicators")?)?,
                milestones: json_map(r.try_get("milestones")?)?,
                evidence: r.try_get("evidence")?,
                submitted_by: r.try_get("submitted_by")?,
                submitted_at: r.try_get("submitted_at")?,
            });
        }
        for r in sqlx::query(
            "SELECT * FROM measure_evaluations WHERE programme_id = $1 \
             ORDER BY evaluated_at, evaluation_id",
        )
        .bind(pid)
        .fetch_all(&self.pool)
        .await?
        {
            out.evaluations.push(Evaluation {
                measure: measure(&r)?,
                period: r.try_get("period")?,
                rating: r.try_get("rating")?,
                comment: r.try_get("comment")?,
                evaluated_by: r.try_get("evaluated_by")?,
                evaluated_at: r.try_get("evaluated_at")?,
            });
        }
        for r in sqlx::query(
            "SELECT * FROM measure_adjustments WHERE programme_id = $1 \
             ORDER BY adjusted_at, adjustment_id",
        )
        .bind(pid)
        .fetch_all(&self.pool)
        .await?
        {
            let due: String = r.try_get("new_due")?;
            out.adjustments.push(Adjustment {
                measure: measure(&r)?,
                milestone: r.try_get("milestone_id")?,
                new_due: NaiveDate::parse_from_str(&due, "%Y-%m-%d")
                    .map_err(|_| crate::error::corrupt(format!("due date {due}")))?,
                reason: r.try_get("reason")?,
                adjusted_by: r.try_get("adjusted_by")?,
                adjusted_at: r.try_get("adjusted_at")?,
            });
        }
        Ok(out)
    }
}
