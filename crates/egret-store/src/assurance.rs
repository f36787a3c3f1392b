//! Third-party assurance of submissions. An enterprise engages an assurer
//! (a user with the assurer role bound to the organisation, acting for an
//! institution of the city's registry that is qualified for assurance) for one of its
//! submissions: standard and level (data, `data/assurance/standards.toml`),
//! scope, criteria, materiality. Only that assurer raises findings on data
//! points in scope; the enterprise answers each (submitting a corrected
//! version where asked). When every finding is answered the assurer signs
//! the conclusion — on the latest version of the same period and catalog —
//! naming the practitioner. Nothing is changed afterwards.

use egret_domain::access::{Principal, Role};
use egret_domain::assurance::AssuranceStandards;
use egret_domain::org::FieldError;
use egret_i18n::Msg;
use serde::{Deserialize, Serialize};
use sqlx::Row;

use crate::audit::{Change, record};
use crate::data::check_write;
use crate::db::{new_id, now};
use crate::{Result, Store, StoreError};

/// What an enterprise engages an assurer for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct EngagementInput {
    /// A user with the assurer role bound to the organisation, acting for
    /// a registered institution qualified for assurance.
    pub assurer_id: String,
    /// A standard id of data/assurance/standards.toml.
    pub standard: String,
    /// limited | reasonable
    pub level: String,
    /// Data points in scope; empty means every answered data point.
    #[serde(default)]
    pub scope: Vec<String>,
    pub criteria: String,
    #[serde(default)]
    pub materiality: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Finding {
    pub finding_id: String,
    pub datapoint: String,
    pub finding: String,
    pub requested_correction: Option<String>,
    pub raised_by: String,
    pub raised_at: String,
    pub response: Option<String>,
    pub responded_by: Option<String>,
    pub responded_at: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Conclusion {
    /// The version concluded on.
    pub submission_id: String,
    /// negative (limited) | positive (reasonable)
    pub form: String,
    pub procedures: String,
    pub conclusion: String,
    pub practitioner: String,
    pub signed_by: String,
    pub signed_at: String,
}

/// Assurance coverage of one fiscal year.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CoverageYear {
    pub fiscal_year: i32,
    /// Latest versions of (organisation, period, catalog).
    pub submissions: usize,
    pub published: usize,
    /// With a signed conclusion on that version.
    pub assured: usize,
    pub datapoints_answered: usize,
    pub datapoints_assured: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Engagement {
    pub engagement_id: String,
    pub submission_id: String,
    pub assurer_id: String,
    /// The registered institution (None only for engagements made before
    /// the registry existed).
    pub institution_id: Option<String>,
    /// The institution's name when engaged.
    pub provider: String,
    pub standard: String,
    pub level: String,
    pub scope: Vec<String>,
    pub criteria: String,
    pub materiality: Option<String>,
    pub created_at: String,
    pub findings: Vec<Finding>,
    pub conclusion: Option<Conclusion>,
}

fn invalid(field: &str, msg: Msg) -> StoreError {
    StoreError::Invalid(vec![FieldError::new(field, msg)])
}

fn required(field: &str, v: &str) -> Result<()> {
    if v.trim().is_empty() || v.chars().count() > 20_000 {
        return Err(invalid(
            field,
            Msg::new("store-output-text").arg("max", 20_000),
        ));
    }
    Ok(())
}

impl Store {
    /// The assurers bound to an organisation: (user id, "display name ·
    /// institution").
    pub async fn org_assurers(
        &self,
        actor: &Principal,
        org_id: &str,
    ) -> Result<Vec<(String, String)>> {
        check_write(actor, org_id)?;
        let rows = sqlx::query(
            "SELECT u.user_id, u.display_name, i.name_zh AS institution FROM org_bindings b \
             JOIN users u ON u.user_id = b.user_id \
             LEFT JOIN institution_members m ON m.user_id = u.user_id \
             LEFT JOIN institutions i ON i.institution_id = m.institution_id \
             WHERE b.org_id = $1 AND u.role = 'assurer' ORDER BY u.display_name",
        )
        .bind(org_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let name: String = r.try_get("display_name")?;
                let inst: Option<String> = r.try_get("institution")?;
                Ok((
                    r.try_get("user_id")?,
                    match inst {
                        Some(i) => format!("{name} · {i}"),
                        None => name,
                    },
                ))
            })
            .collect()
    }

    /// Engages an assurer for a submission.
    pub async fn engage(
        &self,
        actor: &Principal,
        org_id: &str,
        submission_id: &str,
        input: &EngagementInput,
    ) -> Result<Engagement> {
        check_write(actor, org_id)?;
        let sub = self.submission(actor, org_id, submission_id).await?;
        let std = AssuranceStandards::embedded();
        let standard = std.standard(&input.standard).ok_or_else(|| {
            invalid(
                "standard",
                Msg::new("store-assurance-standard").arg("value", &input.standard),
            )
        })?;
        if !standard.levels.contains(&input.level) {
            return Err(invalid(
                "level",
                Msg::new("store-assurance-level").arg("value", &input.level),
            ));
        }
        required("criteria", &input.criteria)?;
        if !self
            .org_assurers(actor, org_id)
            .await?
            .iter()
            .any(|(id, _)| *id == input.assurer_id)
        {
            return Err(invalid("assurer_id", Msg::new("store-assurance-assurer")));
        }
        let answered: Vec<String> = sub.snapshot["values"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|v| v["breakdown"] == "" && v["answer"]["answer"] == "value")
            .filter_map(|v| v["datapoint"].as_str().map(str::to_string))
            .collect();
        let scope = if input.scope.is_empty() {
            answered.clone()
        } else {
            if let Some(dp) = input.scope.iter().find(|d| !answered.contains(d)) {
                return Err(invalid(
                    "scope",
                    Msg::new("store-assurance-scope").arg("id", dp),
                ));
            }
            input.scope.clone()
        };
        let institution = self
            .institution_of(&input.assurer_id)
            .await?
            .ok_or_else(|| invalid("assurer_id", Msg::new("store-assurance-no-institution")))?;
        let today = chrono::Utc::now().date_naive();
        if !institution.offers("assurance", today) {
            return Err(invalid(
                "assurer_id",
                Msg::new("store-assurance-unqualified").arg("name", &institution.name_zh),
            ));
        }
        let provider = match &institution.name_en {
            Some(en) => format!("{} / {en}", institution.name_zh),
            None => institution.name_zh.clone(),
        };
        let id = new_id();
        let at = now();
        let mut tx = self.begin(actor).await?;
        sqlx::query(
            "INSERT INTO engagements (org_id, engagement_id, submission_id, assurer_id, \
             institution_id, provider, standard, level, scope, criteria, materiality, \
             created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
        )
        .bind(org_id)
        .bind(&id)
        .bind(submission_id)
        .bind(&input.assurer_id)
        .bind(&institution.institution_id)
        .bind(&provider)
        .bind(&input.standard)
        .bind(&input.level)
        .bind(serde_json::to_string(&scope).unwrap_or_default())
        .bind(input.criteria.trim())
        .bind(input.materiality.as_deref().map(str::trim))
        .bind(&actor.user_id)
        .bind(&at)
        .execute(tx.conn_mut())
        .await?;
        record(
            tx.conn_mut(),
            actor,
            Change {
                tenant: org_id,
                entity: "engagement",
                entity_id: &id,
                action: "create",
                before: None,
                after: Some(serde_json::to_value(input).unwrap_or_default()),
            },
        )
        .await?;
        tx.commit().await?;
        self.engagement(actor, org_id, &id).await
    }

    /// One engagement with its findings and conclusion (for whoever may
    /// read the organisation's ESG data, or everyone once the submission is
    /// published).
    pub async fn engagement(
        &self,
        actor: &Principal,
        org_id: &str,
        engagement_id: &str,
    ) -> Result<Engagement> {
        let e = self.load_engagement(org_id, engagement_id).await?;
        // Visibility follows the engaged submission's.
        self.submission(actor, org_id, &e.submission_id)
            .await
            .map_err(|_| StoreError::NotFound {
                entity: "engagement",
                id: engagement_id.to_string(),
            })?;
        Ok(e)
    }

    /// An engagement without access checks (callers check).
    async fn load_engagement(&self, org_id: &str, engagement_id: &str) -> Result<Engagement> {
        let not_found = || StoreError::NotFound {
            entity: "engagement",
            id: engagement_id.to_string(),
        };
        let r = sqlx::query(
            "SELECT engagement_id, submission_id, assurer_id, institution_id, provider, standard, \
             level, scope, criteria, materiality, created_at FROM engagements \
             WHERE org_id = $1 AND engagement_id = $2",
        )
        .bind(org_id)
        .bind(engagement_id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(not_found)?;
        let submission_id: String = r.try_get("submission_id")?;
        let findings = sqlx::query(
            "SELECT finding_id, datapoint, finding, requested_correction, raised_by, raised_at, \
             response, responded_by, responded_at FROM engagement_findings \
             WHERE org_id = $1 AND engagement_id = $2 ORDER BY raised_at, finding_id",
        )
        .bind(org_id)
        .bind(engagement_id)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|f| {
            Ok(Finding {
                finding_id: f.try_get("finding_id")?,
                datapoint: f.try_get("datapoint")?,
                finding: f.try_get("finding")?,
                requested_correction: f.try_get("requested_correction")?,
                raised_by: f.try_get("raised_by")?,
                raised_at: f.try_get("raised_at")?,
                response: f.try_get("response")?,
                responded_by: f.try_get("responded_by")?,
                responded_at: f.try_get("responded_at")?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
        let level: String = r.try_get("level")?;
        let conclusion = sqlx::query(
            "SELECT submission_id, procedures, conclusion, practitioner, signed_by, signed_at \
             FROM engagement_conclusions WHERE org_id = $1 AND engagement_id = $2",
        )
        .bind(org_id)
        .bind(engagement_id)
        .fetch_optional(&self.pool)
        .await?
        .map(|c| {
            Ok::<_, StoreError>(Conclusion {
                submission_id: c.try_get("submission_id")?,
                form: AssuranceStandards::embedded()
                    .level(&level)
                    .map_or_else(String::new, |l| l.form.clone()),
                procedures: c.try_get("procedures")?,
                conclusion: c.try_get("conclusion")?,
                practitioner: c.try_get("practitioner")?,
                signed_by: c.try_get("signed_by")?,
                signed_at: c.try_get("signed_at")?,
            })
        })
        .transpose()?;
        let scope: String = r.try_get("scope")?;
        Ok(Engagement {
            engagement_id: r.try_get("engagement_id")?,
            submission_id,
            assurer_id: r.try_get("assurer_id")?,
            institution_id: r.try_get("institution_id")?,
            provider: r.try_get("provider")?,
            standard: r.try_get("standard")?,
            level,
            scope: serde_json::from_str(&scope).map_err(crate::error::corrupt)?,
            criteria: r.try_get("criteria")?,
            materiality: r.try_get("materiality")?,
            created_at: r.try_get("created_at")?,
            findings,
            conclusion,
        })
    }

    /// Engagements on any version of a submission's period and catalog.
    pub async fn engagements_for(
        &self,
        actor: &Principal,
        org_id: &str,
        submission_id: &str,
    ) -> Result<Vec<Engagement>> {
        let sub = self.submission(actor, org_id, submission_id).await?;
        let ids: Vec<String> = sqlx::query_scalar(
            "SELECT e.engagement_id FROM engagements e JOIN submissions s \
             ON s.org_id = e.org_id AND s.submission_id = e.submission_id \
             WHERE e.org_id = $1 AND s.period_id = $2 AND s.catalog_key = $3 ORDER BY e.created_at",
        )
        .bind(org_id)
        .bind(&sub.period_id)
        .bind(&sub.catalog_key)
        .fetch_all(&self.pool)
        .await?;
        // Visible with the submission asked for (same period and catalog).
        let mut out = Vec::new();
        for id in ids {
            out.push(self.load_engagement(org_id, &id).await?);
        }
        Ok(out)
    }

    /// Assurance coverage per fiscal year, for the city: submissions (the
    /// latest version of each organisation, period and catalog), how many
    /// of them are published, how many carry a signed conclusion, and the
    /// data points answered and assured in them. Needs the register-wide
    /// view (city government, platform admin).
    pub async fn assurance_coverage(&self, actor: &Principal) -> Result<Vec<CoverageYear>> {
        if !actor.can_register_orgs() {
            return Err(StoreError::Forbidden {
                action: "read-statistics",
            });
        }
        let rows = sqlx::query(
            "SELECT s.org_id, s.submission_id, p.fiscal_year, s.snapshot, \
             (SELECT e.action FROM submission_events e WHERE e.org_id = s.org_id \
              AND e.submission_id = s.submission_id ORDER BY e.at DESC, e.event_id DESC LIMIT 1) AS last_event \
             FROM submissions s JOIN reporting_periods p \
             ON p.org_id = s.org_id AND p.period_id = s.period_id \
             WHERE s.version = (SELECT MAX(s2.version) FROM submissions s2 WHERE s2.org_id = s.org_id \
               AND s2.period_id = s.period_id AND s2.catalog_key = s.catalog_key)",
        )
        .fetch_all(&self.pool)
        .await?;
        let concluded = sqlx::query(
            "SELECT c.org_id, c.submission_id, e.scope FROM engagement_conclusions c \
             JOIN engagements e ON e.org_id = c.org_id AND e.engagement_id = c.engagement_id",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut assured: std::collections::BTreeMap<(String, String), usize> = Default::default();
        for c in &concluded {
            let scope: Vec<String> = serde_json::from_str(&c.try_get::<String, _>("scope")?)
                .map_err(crate::error::corrupt)?;
            *assured
                .entry((c.try_get("org_id")?, c.try_get("submission_id")?))
                .or_default() += scope.len();
        }
        let mut years: std::collections::BTreeMap<i32, CoverageYear> = Default::default();
        for r in &rows {
            let year = i32::try_from(r.try_get::<i64, _>("fiscal_year")?)
                .map_err(|_| crate::error::corrupt("fiscal year"))?;
            let y = years.entry(year).or_insert_with(|| CoverageYear {
                fiscal_year: year,
                ..Default::default()
            });
            let key = (
                r.try_get::<String, _>("org_id")?,
                r.try_get::<String, _>("submission_id")?,
            );
            let snapshot: serde_json::Value =
                serde_json::from_str(&r.try_get::<String, _>("snapshot")?)
                    .map_err(crate::error::corrupt)?;
            let answered = snapshot["values"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|v| v["breakdown"] == "" && v["answer"]["answer"] == "value")
                .count();
            y.submissions += 1;
            if r.try_get::<Option<String>, _>("last_event")?.as_deref() == Some("publish") {
                y.published += 1;
            }
            y.datapoints_answered += answered;
            if let Some(n) = assured.get(&key) {
                y.assured += 1;
                y.datapoints_assured += n;
            }
        }
        Ok(years.into_values().collect())
    }

    fn check_assurer(actor: &Principal, e: &Engagement) -> Result<()> {
        if actor.role == Role::Assurer && actor.user_id == e.assurer_id {
            Ok(())
        } else {
            Err(StoreError::Forbidden { action: "assure" })
        }
    }

    /// The engaged assurer raises a finding on a data point in scope.
    pub async fn raise_finding(
        &self,
        actor: &Principal,
        org_id: &str,
        engagement_id: &str,
        datapoint: &str,
        finding: &str,
        requested_correction: Option<&str>,
    ) -> Result<()> {
        let e = self.engagement(actor, org_id, engagement_id).await?;
        Self::check_assurer(actor, &e)?;
        if e.conclusion.is_some() {
            return Err(invalid("engagement", Msg::new("store-assurance-concluded")));
        }
        if !e.scope.iter().any(|d| d == datapoint) {
            return Err(invalid(
                "datapoint",
                Msg::new("store-assurance-scope").arg("id", datapoint),
            ));
        }
        required("finding", finding)?;
        let id = new_id();
        let mut tx = self.begin(actor).await?;
        sqlx::query(
            "INSERT INTO engagement_findings (org_id, engagement_id, finding_id, datapoint, \
             finding, requested_correction, raised_by, raised_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(org_id)
        .bind(engagement_id)
        .bind(&id)
        .bind(datapoint)
        .bind(finding.trim())
        .bind(
            requested_correction
                .map(str::trim)
                .filter(|s| !s.is_empty()),
        )
        .bind(&actor.user_id)
        .bind(now())
        .execute(tx.conn_mut())
        .await?;
        record(
            tx.conn_mut(),
            actor,
            Change {
                tenant: org_id,
                entity: "engagement_finding",
                entity_id: &id,
                action: "create",
                before: None,
                after: Some(serde_json::json!({ "datapoint": datapoint, "finding": finding })),
            },
        )
        .await?;
        tx.commit().await
    }

    /// The enterprise answers a finding (once).
    pub async fn respond_finding(
        &self,
        actor: &Principal,
        org_id: &str,
        engagement_id: &str,
        finding_id: &str,
        response: &str,
    ) -> Result<()> {
        check_write(actor, org_id)?;
        let e = self.engagement(actor, org_id, engagement_id).await?;
        let f = e
            .findings
            .iter()
            .find(|f| f.finding_id == finding_id)
            .ok_or_else(|| StoreError::NotFound {
                entity: "finding",
                id: finding_id.to_string(),
            })?;
        if f.response.is_some() || e.conclusion.is_some() {
            return Err(invalid("finding", Msg::new("store-assurance-answered")));
        }
        required("response", response)?;
        let mut tx = self.begin(actor).await?;
        sqlx::query(
            "UPDATE engagement_findings SET response = $1, responded_by = $2, responded_at = $3 \
             WHERE org_id = $4 AND engagement_id = $5 AND finding_id = $6 AND response IS NULL",
        )
        .bind(response.trim())
        .bind(&actor.user_id)
        .bind(now())
        .bind(org_id)
        .bind(engagement_id)
        .bind(finding_id)
        .execute(tx.conn_mut())
        .await?;
        record(
            tx.conn_mut(),
            actor,
            Change {
                tenant: org_id,
                entity: "engagement_finding",
                entity_id: finding_id,
                action: "respond",
                before: None,
                after: Some(serde_json::json!({ "response": response })),
            },
        )
        .await?;
        tx.commit().await
    }

    /// The engaged assurer signs the conclusion once every finding is
    /// answered. It is on the latest version of the period and catalog.
    pub async fn conclude(
        &self,
        actor: &Principal,
        org_id: &str,
        engagement_id: &str,
        procedures: &str,
        conclusion: &str,
        practitioner: &str,
    ) -> Result<Conclusion> {
        let e = self.engagement(actor, org_id, engagement_id).await?;
        Self::check_assurer(actor, &e)?;
        if e.conclusion.is_some() {
            return Err(invalid("engagement", Msg::new("store-assurance-concluded")));
        }
        if let Some(f) = e.findings.iter().find(|f| f.response.is_none()) {
            return Err(invalid(
                "findings",
                Msg::new("store-assurance-open").arg("id", &f.datapoint),
            ));
        }
        required("procedures", procedures)?;
        required("conclusion", conclusion)?;
        required("practitioner", practitioner)?;
        let sub = self.submission(actor, org_id, &e.submission_id).await?;
        let latest: String = sqlx::query_scalar(
            "SELECT submission_id FROM submissions WHERE org_id = $1 AND period_id = $2 \
             AND catalog_key = $3 ORDER BY version DESC LIMIT 1",
        )
        .bind(org_id)
        .bind(&sub.period_id)
        .bind(&sub.catalog_key)
        .fetch_one(&self.pool)
        .await?;
        let at = now();
        let mut tx = self.begin(actor).await?;
        sqlx::query(
            "INSERT INTO engagement_conclusions (org_id, engagement_id, submission_id, procedures, \
             conclusion, practitioner, signed_by, signed_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(org_id)
        .bind(engagement_id)
        .bind(&latest)
        .bind(procedures.trim())
        .bind(conclusion.trim())
        .bind(practitioner.trim())
        .bind(&actor.user_id)
        .bind(&at)
        .execute(tx.conn_mut())
        .await?;
        record(
            tx.conn_mut(),
            actor,
            Change {
                tenant: org_id,
                entity: "engagement",
                entity_id: engagement_id,
                action: "conclude",
                before: None,
                after: Some(serde_json::json!({
                    "submission_id": latest, "practitioner": practitioner, "conclusion": conclusion,
                })),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(self
            .engagement(actor, org_id, engagement_id)
            .await?
            .conclusion
            .expect("just signed"))
    }
}
