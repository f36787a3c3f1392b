//! Excellent cases: curated write-ups published by the city or an analyst,
//! each resting on a published report of the organisation (the evidence).
//! Public once published.

use egret_domain::access::{Principal, Role};
use egret_domain::org::FieldError;
use egret_i18n::Msg;
use serde::{Deserialize, Serialize};
use sqlx::Row;

use crate::audit::{Change, record};
use crate::db::{new_id, now};
use crate::{Result, Store, StoreError};

/// What a case says, in both languages (English optional).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CaseInput {
    pub org_id: String,
    pub submission_id: String,
    pub title_zh: String,
    #[serde(default)]
    pub title_en: Option<String>,
    pub body_zh: String,
    #[serde(default)]
    pub body_en: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CaseRecord {
    pub case_id: String,
    #[serde(flatten)]
    pub case: CaseInput,
    pub org_name: String,
    pub published_by: String,
    pub published_at: String,
}

const MAX_BODY: usize = 20_000;

impl Store {
    /// Publishes an excellent case (city government, analysts,
    /// administrators). The evidence must be a published report of the
    /// same organisation.
    pub async fn publish_case(&self, actor: &Principal, input: &CaseInput) -> Result<CaseRecord> {
        if !matches!(
            actor.role,
            Role::CityGov | Role::Analyst | Role::PlatformAdmin
        ) {
            return Err(StoreError::Forbidden { action: "cases" });
        }
        let mut errors = Vec::new();
        for (field, text, max) in [
            ("title_zh", input.title_zh.as_str(), 200),
            ("body_zh", input.body_zh.as_str(), MAX_BODY),
        ] {
            if text.trim().is_empty() {
                errors.push(FieldError::new(field, Msg::new("domain-required")));
            } else if text.chars().count() > max {
                errors.push(FieldError::new(
                    field,
                    Msg::new("store-output-text").arg("max", max),
                ));
            }
        }
        let evidence = self
            .submission(&Principal::anonymous(), &input.org_id, &input.submission_id)
            .await;
        if evidence.is_err() {
            errors.push(FieldError::new(
                "submission_id",
                Msg::new("store-case-evidence"),
            ));
        }
        if !errors.is_empty() {
            return Err(StoreError::Invalid(errors));
        }
        let clean = |o: &Option<String>| {
            o.as_deref()
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(str::to_string)
        };
        let case = CaseInput {
            org_id: input.org_id.clone(),
            submission_id: input.submission_id.clone(),
            title_zh: input.title_zh.trim().to_string(),
            title_en: clean(&input.title_en),
            body_zh: input.body_zh.trim().to_string(),
            body_en: clean(&input.body_en),
        };
        let id = new_id();
        let at = now();
        let mut tx = self.begin(actor).await?;
        sqlx::query(
            "INSERT INTO excellent_cases (org_id, case_id, title_zh, title_en, body_zh, body_en, \
             submission_id, published_by, published_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(&case.org_id)
        .bind(&id)
        .bind(&case.title_zh)
        .bind(&case.title_en)
        .bind(&case.body_zh)
        .bind(&case.body_en)
        .bind(&case.submission_id)
        .bind(&actor.user_id)
        .bind(&at)
        .execute(tx.conn_mut())
        .await?;
        record(
            tx.conn_mut(),
            actor,
            Change {
                tenant: &case.org_id,
                entity: "excellent_case",
                entity_id: &id,
                action: "create",
                before: None,
                after: Some(serde_json::to_value(&case).unwrap_or_default()),
            },
        )
        .await?;
        tx.commit().await?;
        self.cases()
            .await?
            .into_iter()
            .find(|c| c.case_id == id)
            .ok_or_else(|| crate::error::corrupt("case vanished"))
    }

    /// Every published case, newest first (public). A case whose report
    /// was withdrawn since is not shown.
    pub async fn cases(&self) -> Result<Vec<CaseRecord>> {
        let rows = sqlx::query(
            "SELECT c.org_id, c.case_id, c.title_zh, c.title_en, c.body_zh, c.body_en, \
             c.submission_id, c.published_by, c.published_at, o.name_zh FROM excellent_cases c \
             JOIN organizations o ON o.org_id = c.org_id \
             WHERE (SELECT e.action FROM submission_events e WHERE e.org_id = c.org_id \
               AND e.submission_id = c.submission_id ORDER BY e.at DESC, e.event_id DESC LIMIT 1) \
               = 'publish' \
             ORDER BY c.published_at DESC, c.case_id",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(CaseRecord {
                    case_id: r.try_get("case_id")?,
                    case: CaseInput {
                        org_id: r.try_get("org_id")?,
                        submission_id: r.try_get("submission_id")?,
                        title_zh: r.try_get("title_zh")?,
                        title_en: r.try_get("title_en")?,
                        body_zh: r.try_get("body_zh")?,
                        body_en: r.try_get("body_en")?,
                    },
                    org_name: r.try_get("name_zh")?,
                    published_by: r.try_get("published_by")?,
                    published_at: r.try_get("published_at")?,
                })
            })
            .collect()
    }
}
