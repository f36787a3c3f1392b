//! The narrative an organisation writes for each section of a report, in
//! Chinese and English. Private like the organisation's ESG data until a
//! submission that froze it is published; each save is audited with the
//! text before and after, and the next submission freezes it.

use egret_domain::access::Principal;
use egret_domain::catalog::Catalogs;
use egret_domain::org::FieldError;
use egret_i18n::Msg;
use serde::Serialize;
use sqlx::Row;

use crate::audit::{Change, record};
use crate::data::check_write;
use crate::db::now;
use crate::orgs::PeriodRecord;
use crate::{Result, Store, StoreError};

/// Longest narrative per section and language (characters).
pub const MAX_NARRATIVE_CHARS: usize = 20_000;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NarrativeRecord {
    pub section: String,
    /// zh | en
    pub lang: String,
    pub body: String,
    pub version: i64,
    pub written_by: String,
    pub written_at: String,
}

fn invalid(field: &str, msg: Msg) -> StoreError {
    StoreError::Invalid(vec![FieldError::new(field, msg)])
}

impl Store {
    /// The narratives of a period's report under a catalog, by section then
    /// language.
    pub async fn narratives(
        &self,
        actor: &Principal,
        period: &PeriodRecord,
        catalog_key: &str,
    ) -> Result<Vec<NarrativeRecord>> {
        let (org_id, period_id) = (&period.org_id, &period.period_id);
        Self::check_read_data(actor, org_id)?;
        let rows = sqlx::query(
            "SELECT section_id, lang, body, version, written_by, written_at \
             FROM report_narratives WHERE org_id = $1 AND period_id = $2 AND catalog_key = $3 \
             ORDER BY section_id, lang",
        )
        .bind(org_id)
        .bind(period_id)
        .bind(catalog_key)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(NarrativeRecord {
                    section: r.try_get("section_id")?,
                    lang: r.try_get("lang")?,
                    body: r.try_get("body")?,
                    version: r.try_get("version")?,
                    written_by: r.try_get("written_by")?,
                    written_at: r.try_get("written_at")?,
                })
            })
            .collect()
    }

    /// Writes (or, with an empty text, clears) the narrative of a section
    /// in each of the given languages (`zh`, `en`), all in one
    /// transaction. Unchanged texts write nothing.
    pub async fn put_narrative(
        &self,
        actor: &Principal,
        period: &PeriodRecord,
        catalog_key: &str,
        section: &str,
        texts: &[(&str, &str)],
    ) -> Result<()> {
        let (org_id, period_id) = (&period.org_id, &period.period_id);
        check_write(actor, org_id)?;
        let catalog =
            Catalogs::embedded()
                .catalog(catalog_key)
                .ok_or_else(|| StoreError::NotFound {
                    entity: "catalog",
                    id: catalog_key.to_string(),
                })?;
        if !catalog.sections.iter().any(|s| s.id == section) {
            return Err(invalid(
                "section",
                Msg::new("store-narrative-section").arg("value", section),
            ));
        }
        let mut errors = Vec::new();
        for (lang, body) in texts {
            if !matches!(*lang, "zh" | "en") {
                errors.push(FieldError::new(
                    "lang",
                    Msg::new("store-narrative-lang").arg("value", lang),
                ));
            } else if body.trim().chars().count() > MAX_NARRATIVE_CHARS {
                errors.push(FieldError::new(
                    format!("text_{lang}"),
                    Msg::new("store-output-text").arg("max", MAX_NARRATIVE_CHARS),
                ));
            }
        }
        if !errors.is_empty() {
            return Err(StoreError::Invalid(errors));
        }
        let mut tx = self.begin(actor).await?;
        for (lang, body) in texts {
            let body = body.trim();
            let before = sqlx::query(
                "SELECT body, version FROM report_narratives WHERE org_id = $1 \
                 AND period_id = $2 AND catalog_key = $3 AND section_id = $4 AND lang = $5",
            )
            .bind(org_id)
            .bind(period_id)
            .bind(catalog_key)
            .bind(section)
            .bind(lang)
            .fetch_optional(tx.conn_mut())
            .await?;
            let before: Option<(String, i64)> = match before {
                Some(r) => Some((r.try_get("body")?, r.try_get("version")?)),
                None => None,
            };
            if before.as_ref().map_or("", |(b, _)| b.as_str()) == body {
                continue;
            }
            let at = now();
            let action = match (&before, body.is_empty()) {
                (Some(_), true) => {
                    sqlx::query(
                        "DELETE FROM report_narratives WHERE org_id = $1 AND period_id = $2 \
                         AND catalog_key = $3 AND section_id = $4 AND lang = $5",
                    )
                    .bind(org_id)
                    .bind(period_id)
                    .bind(catalog_key)
                    .bind(section)
                    .bind(lang)
                    .execute(tx.conn_mut())
                    .await?;
                    "delete"
                }
                (Some((_, version)), false) => {
                    sqlx::query(
                        "UPDATE report_narratives SET body = $1, version = $2, written_by = $3, \
                         written_at = $4 WHERE org_id = $5 AND period_id = $6 \
                         AND catalog_key = $7 AND section_id = $8 AND lang = $9",
                    )
                    .bind(body)
                    .bind(version + 1)
                    .bind(&actor.user_id)
                    .bind(&at)
                    .bind(org_id)
                    .bind(period_id)
                    .bind(catalog_key)
                    .bind(section)
                    .bind(lang)
                    .execute(tx.conn_mut())
                    .await?;
                    "update"
                }
                (None, _) => {
                    sqlx::query(
                        "INSERT INTO report_narratives (org_id, period_id, catalog_key, \
                         section_id, lang, body, version, written_by, written_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, 1, $7, $8)",
                    )
                    .bind(org_id)
                    .bind(period_id)
                    .bind(catalog_key)
                    .bind(section)
                    .bind(lang)
                    .bind(body)
                    .bind(&actor.user_id)
                    .bind(&at)
                    .execute(tx.conn_mut())
                    .await?;
                    "create"
                }
            };
            record(
                tx.conn_mut(),
                actor,
                Change {
                    tenant: org_id,
                    entity: "narrative",
                    entity_id: &format!("{period_id}/{catalog_key}/{section}/{lang}"),
                    action,
                    before: before.map(|(b, _)| serde_json::json!({ "body": b })),
                    after: Some(serde_json::json!({ "body": body })).filter(|_| !body.is_empty()),
                },
            )
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }
}
