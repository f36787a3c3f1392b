//! The city's registry of ESG service institutions, their qualifications
//! and practitioners, and each institution's service record built from
//! what happened on the platform. Kept by the platform administrator or the
//! city; readable by everyone (it is a public registry).

use chrono::NaiveDate;
use egret_domain::access::{Principal, Role};
use egret_domain::institution::{
    InstitutionCatalog, InstitutionInput, Qualification, QualificationInput,
};
use egret_domain::org::FieldError;
use egret_domain::refdata::ReferenceData;
use egret_i18n::Msg;
use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::audit::{Change, PLATFORM, record};
use crate::db::{new_id, now};
use crate::{Result, Store, StoreError};

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct QualificationRecord {
    pub qualification_id: String,
    #[serde(flatten)]
    pub qualification: Qualification,
    pub recorded_by: String,
    pub recorded_at: String,
}

/// What an institution did on the platform.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ServiceRecord {
    pub engagements: i64,
    /// With a signed conclusion.
    pub concluded: i64,
    pub findings: i64,
    /// Findings the enterprise answered.
    pub findings_answered: i64,
    /// Rating runs its practitioners made.
    pub rating_runs: i64,
    /// Objections to those ratings, and those upheld.
    pub objections: i64,
    pub objections_upheld: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InstitutionRecord {
    pub institution_id: String,
    pub uscc: String,
    pub name_zh: String,
    pub name_en: Option<String>,
    pub services: Vec<String>,
    pub district: Option<String>,
    /// active | suspended
    pub status: String,
    pub registered_by: String,
    pub registered_at: String,
    pub qualifications: Vec<QualificationRecord>,
    pub record: ServiceRecord,
}

impl InstitutionRecord {
    /// Whether it may offer `service` on `day` (active and qualified).
    pub fn offers(&self, service: &str, day: NaiveDate) -> bool {
        let qs: Vec<Qualification> = self
            .qualifications
            .iter()
            .map(|q| q.qualification.clone())
            .collect();
        self.status == "active"
            && self.services.iter().any(|s| s == service)
            && InstitutionCatalog::embedded().qualified(service, &qs, day)
    }
}

fn invalid(field: &str, msg: Msg) -> StoreError {
    StoreError::Invalid(vec![FieldError::new(field, msg)])
}

fn check_admin(actor: &Principal) -> Result<()> {
    if actor.can_manage_reference_data() {
        Ok(())
    } else {
        Err(StoreError::Forbidden {
            action: "manage-institutions",
        })
    }
}

fn institution_row(r: &AnyRow) -> Result<InstitutionRecord> {
    let services: String = r.try_get("services")?;
    Ok(InstitutionRecord {
        institution_id: r.try_get("institution_id")?,
        uscc: r.try_get("uscc")?,
        name_zh: r.try_get("name_zh")?,
        name_en: r.try_get("name_en")?,
        services: serde_json::from_str(&services)
            .map_err(|e| crate::error::corrupt(format!("institution services: {e}")))?,
        district: r.try_get("district")?,
        status: r.try_get("status")?,
        registered_by: r.try_get("registered_by")?,
        registered_at: r.try_get("registered_at")?,
        qualifications: Vec::new(),
        record: ServiceRecord::default(),
    })
}

fn date(s: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|_| crate::error::corrupt(format!("qualification date {s}")))
}

fn qualification_row(r: &AnyRow) -> Result<(String, QualificationRecord)> {
    let to: Option<String> = r.try_get("valid_to")?;
    Ok((
        r.try_get("institution_id")?,
        QualificationRecord {
            qualification_id: r.try_get("qualification_id")?,
            qualification: Qualification {
                kind: r.try_get("kind")?,
                number: r.try_get("number")?,
                valid_from: date(&r.try_get::<String, _>("valid_from")?)?,
                valid_to: to.as_deref().map(date).transpose()?,
                scope: r.try_get("scope")?,
            },
            recorded_by: r.try_get("recorded_by")?,
            recorded_at: r.try_get("recorded_at")?,
        },
    ))
}

impl Store {
    /// Registers an institution (platform admin or city).
    pub async fn register_institution(
        &self,
        actor: &Principal,
        input: &InstitutionInput,
    ) -> Result<InstitutionRecord> {
        check_admin(actor)?;
        let p = input
            .validate(InstitutionCatalog::embedded(), ReferenceData::embedded())
            .map_err(StoreError::Invalid)?;
        let mut tx = self.begin(actor).await?;
        let taken: Option<String> =
            sqlx::query_scalar("SELECT institution_id FROM institutions WHERE uscc = $1")
                .bind(p.uscc.as_str())
                .fetch_optional(tx.conn_mut())
                .await?;
        if taken.is_some() {
            return Err(invalid(
                "uscc",
                Msg::new("store-institution-uscc-taken").arg("uscc", p.uscc.as_str()),
            ));
        }
        let id = new_id();
        let at = now();
        let services = serde_json::to_string(&p.services).unwrap_or_default();
        sqlx::query(
            "INSERT INTO institutions (institution_id, uscc, name_zh, name_en, services, \
             district, status, registered_by, registered_at) \
             VALUES ($1, $2, $3, $4, $5, $6, 'active', $7, $8)",
        )
        .bind(&id)
        .bind(p.uscc.as_str())
        .bind(&p.name_zh)
        .bind(&p.name_en)
        .bind(&services)
        .bind(&p.district)
        .bind(&actor.user_id)
        .bind(&at)
        .execute(tx.conn_mut())
        .await?;
        record(
            tx.conn_mut(),
            actor,
            Change {
                tenant: PLATFORM,
                entity: "institution",
                entity_id: &id,
                action: "create",
                before: None,
                after: Some(serde_json::to_value(input).unwrap_or_default()),
            },
        )
        .await?;
        tx.commit().await?;
        self.institution(&id).await
    }

    /// Records a qualification an institution holds.
    pub async fn add_qualification(
        &self,
        actor: &Principal,
        institution_id: &str,
        input: &QualificationInput,
    ) -> Result<QualificationRecord> {
        check_admin(actor)?;
        let q = input
            .validate(InstitutionCatalog::embedded())
            .map_err(StoreError::Invalid)?;
        self.institution(institution_id).await?;
        let mut tx = self.begin(actor).await?;
        let dup: Option<String> = sqlx::query_scalar(
            "SELECT qualification_id FROM institution_qualifications \
             WHERE institution_id = $1 AND kind = $2 AND number = $3",
        )
        .bind(institution_id)
        .bind(&q.kind)
        .bind(&q.number)
        .fetch_optional(tx.conn_mut())
        .await?;
        if dup.is_some() {
            return Err(invalid(
                "number",
                Msg::new("store-qualification-taken").arg("number", &q.number),
            ));
        }
        let id = new_id();
        let at = now();
        sqlx::query(
            "INSERT INTO institution_qualifications (institution_id, qualification_id, kind, \
             number, valid_from, valid_to, scope, recorded_by, recorded_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(institution_id)
        .bind(&id)
        .bind(&q.kind)
        .bind(&q.number)
        .bind(q.valid_from.to_string())
        .bind(q.valid_to.map(|d| d.to_string()))
        .bind(&q.scope)
        .bind(&actor.user_id)
        .bind(&at)
        .execute(tx.conn_mut())
        .await?;
        record(
            tx.conn_mut(),
            actor,
            Change {
                tenant: PLATFORM,
                entity: "institution_qualification",
                entity_id: &id,
                action: "create",
                before: None,
                after: Some(serde_json::json!({
                    "institution_id": institution_id, "qualification": q,
                })),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(QualificationRecord {
            qualification_id: id,
            qualification: q,
            recorded_by: actor.user_id.clone(),
            recorded_at: at,
        })
    }

    /// Makes a user (an assurer or analyst account) a practitioner of an
    /// institution. A user acts for one institution only.
    pub async fn add_institution_member(
        &self,
        actor: &Principal,
        institution_id: &str,
        user_id: &str,
    ) -> Result<()> {
        check_admin(actor)?;
        self.institution(institution_id).await?;
        let mut tx = self.begin(actor).await?;
        let role: Option<String> = sqlx::query_scalar("SELECT role FROM users WHERE user_id = $1")
            .bind(user_id)
            .fetch_optional(tx.conn_mut())
            .await?;
        let Some(role) = role else {
            return Err(StoreError::NotFound {
                entity: "user",
                id: user_id.to_string(),
            });
        };
        if role != Role::Assurer.as_str() && role != Role::Analyst.as_str() {
            return Err(invalid(
                "user_id",
                Msg::new("store-institution-member-role"),
            ));
        }
        let other: Option<String> =
            sqlx::query_scalar("SELECT institution_id FROM institution_members WHERE user_id = $1")
                .bind(user_id)
                .fetch_optional(tx.conn_mut())
                .await?;
        if other.is_some() {
            return Err(invalid(
                "user_id",
                Msg::new("store-institution-member-taken"),
            ));
        }
        sqlx::query(
            "INSERT INTO institution_members (institution_id, user_id, added_by, added_at) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(institution_id)
        .bind(user_id)
        .bind(&actor.user_id)
        .bind(now())
        .execute(tx.conn_mut())
        .await?;
        record(
            tx.conn_mut(),
            actor,
            Change {
                tenant: PLATFORM,
                entity: "institution_member",
                entity_id: institution_id,
                action: "create",
                before: None,
                after: Some(serde_json::json!({ "user_id": user_id })),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Suspends or reactivates an institution (with a reason, audited).
    pub async fn set_institution_status(
        &self,
        actor: &Principal,
        institution_id: &str,
        status: &str,
        reason: &str,
    ) -> Result<()> {
        check_admin(actor)?;
        if !matches!(status, "active" | "suspended") {
            return Err(invalid(
                "status",
                Msg::new("store-institution-status").arg("value", status),
            ));
        }
        if reason.trim().is_empty() {
            return Err(invalid("reason", Msg::new("domain-required")));
        }
        let before = self.institution(institution_id).await?;
        let mut tx = self.begin(actor).await?;
        sqlx::query("UPDATE institutions SET status = $1 WHERE institution_id = $2")
            .bind(status)
            .bind(institution_id)
            .execute(tx.conn_mut())
            .await?;
        record(
            tx.conn_mut(),
            actor,
            Change {
                tenant: PLATFORM,
                entity: "institution",
                entity_id: institution_id,
                action: "update",
                before: Some(serde_json::json!({ "status": before.status })),
                after: Some(serde_json::json!({ "status": status, "reason": reason.trim() })),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Every registered institution with its qualifications and service
    /// record, by Chinese name.
    pub async fn institutions(&self) -> Result<Vec<InstitutionRecord>> {
        let rows = sqlx::query(
            "SELECT institution_id, uscc, name_zh, name_en, services, district, status, \
             registered_by, registered_at FROM institutions ORDER BY name_zh, institution_id",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut out = rows
            .iter()
            .map(institution_row)
            .collect::<Result<Vec<_>>>()?;
        let quals = sqlx::query(
            "SELECT institution_id, qualification_id, kind, number, valid_from, valid_to, scope, \
             recorded_by, recorded_at FROM institution_qualifications \
             ORDER BY valid_from, qualification_id",
        )
        .fetch_all(&self.pool)
        .await?;
        let records = self.service_records().await?;
        for r in &quals {
            let (inst, q) = qualification_row(r)?;
            if let Some(i) = out.iter_mut().find(|i| i.institution_id == inst) {
                i.qualifications.push(q);
            }
        }
        for i in &mut out {
            if let Some(r) = records.get(&i.institution_id) {
                i.record = r.clone();
            }
        }
        Ok(out)
    }

    /// One institution.
    pub async fn institution(&self, institution_id: &str) -> Result<InstitutionRecord> {
        self.institutions()
            .await?
            .into_iter()
            .find(|i| i.institution_id == institution_id)
            .ok_or_else(|| StoreError::NotFound {
                entity: "institution",
                id: institution_id.to_string(),
            })
    }

    /// The institution a user acts for.
    pub async fn institution_of(&self, user_id: &str) -> Result<Option<InstitutionRecord>> {
        let id: Option<String> =
            sqlx::query_scalar("SELECT institution_id FROM institution_members WHERE user_id = $1")
                .bind(user_id)
                .fetch_optional(&self.pool)
                .await?;
        match id {
            Some(id) => Ok(Some(self.institution(&id).await?)),
            None => Ok(None),
        }
    }

    /// Practitioners of an institution: (user id, display name).
    pub async fn institution_members(&self, institution_id: &str) -> Result<Vec<(String, String)>> {
        let rows = sqlx::query(
            "SELECT u.user_id, u.display_name FROM institution_members m JOIN users u \
             ON u.user_id = m.user_id WHERE m.institution_id = $1 ORDER BY u.display_name",
        )
        .bind(institution_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("user_id")?, r.try_get("display_name")?)))
            .collect()
    }

    /// Assurer and analyst accounts that may act for an institution:
    /// (user id, display name), for those who keep the registry.
    pub async fn practitioner_candidates(
        &self,
        actor: &Principal,
    ) -> Result<Vec<(String, String)>> {
        check_admin(actor)?;
        let rows = sqlx::query(
            "SELECT user_id, display_name FROM users WHERE role IN ('assurer', 'analyst') \
             AND user_id NOT IN (SELECT user_id FROM institution_members) ORDER BY display_name",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("user_id")?, r.try_get("display_name")?)))
            .collect()
    }

    /// Per institution: engagements, concluded ones, findings raised and
    /// answered; rating runs, objections and those upheld (a city-wide
    /// aggregate over every organisation).
    async fn service_records(&self) -> Result<std::collections::HashMap<String, ServiceRecord>> {
        let mut out: std::collections::HashMap<String, ServiceRecord> = Default::default();
        let rows = sqlx::query(
            "SELECT e.institution_id, COUNT(*) AS n, COUNT(c.engagement_id) AS concluded \
             FROM engagements e LEFT JOIN engagement_conclusions c \
             ON c.org_id = e.org_id AND c.engagement_id = e.engagement_id \
             WHERE e.institution_id IS NOT NULL GROUP BY e.institution_id",
        )
        .fetch_all(&self.pool)
        .await?;
        for r in &rows {
            let e = out.entry(r.try_get("institution_id")?).or_default();
            e.engagements = r.try_get("n")?;
            e.concluded = r.try_get("concluded")?;
        }
        let rows = sqlx::query(
            "SELECT e.institution_id, COUNT(*) AS n, COUNT(f.responded_at) AS answered \
             FROM engagement_findings f JOIN engagements e \
             ON e.org_id = f.org_id AND e.engagement_id = f.engagement_id \
             WHERE e.institution_id IS NOT NULL GROUP BY e.institution_id",
        )
        .fetch_all(&self.pool)
        .await?;
        for r in &rows {
            let e = out.entry(r.try_get("institution_id")?).or_default();
            e.findings = r.try_get("n")?;
            e.findings_answered = r.try_get("answered")?;
        }
        let rows = sqlx::query(
            "SELECT m.institution_id, COUNT(*) AS n FROM rating_runs k \
             JOIN institution_members m ON m.user_id = k.run_by GROUP BY m.institution_id",
        )
        .fetch_all(&self.pool)
        .await?;
        for r in &rows {
            out.entry(r.try_get("institution_id")?)
                .or_default()
                .rating_runs = r.try_get("n")?;
        }
        let rows = sqlx::query(
            "SELECT m.institution_id, COUNT(*) AS n, \
             CAST(COALESCE(SUM(CASE WHEN o.resolution = 'upheld' THEN 1 ELSE 0 END), 0) AS BIGINT) AS upheld \
             FROM rating_objections o JOIN rating_runs k ON k.run_id = o.run_id \
             JOIN institution_members m ON m.user_id = k.run_by GROUP BY m.institution_id",
        )
        .fetch_all(&self.pool)
        .await?;
        for r in &rows {
            let e = out.entry(r.try_get("institution_id")?).or_default();
            e.objections = r.try_get("n")?;
            e.objections_upheld = r.try_get("upheld")?;
        }
        Ok(out)
    }
}
