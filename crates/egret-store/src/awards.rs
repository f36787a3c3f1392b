//! Award applications and their workflow. An enterprise (or the city on
//! its behalf) applies; the rules of `data/programme/awards.toml` are
//! checked against the platform's records and an ineligible application is
//! refused with every reason. The city approves (the rules are checked
//! again and a grant row — one per award and organisation — is written in
//! the same transaction, so an award is never approved or paid twice),
//! rejects with a reason, or records the payment of an approved one.

use egret_domain::access::{Principal, Role};
use egret_domain::awards::Awards;
use egret_domain::org::FieldError;
use egret_domain::programme::Programme;
use egret_i18n::Msg;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde::Serialize;
use sqlx::Row;

use crate::audit::{Change, record};
use crate::data::check_write;
use crate::db::{new_id, now};
use crate::{Result, Store, StoreError};

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AwardApplication {
    pub application_id: String,
    pub award_id: String,
    pub org_id: String,
    pub org_name: String,
    pub applied_by: String,
    pub applied_at: String,
    /// applied | approved | rejected | paid
    pub status: String,
    /// The last event's reason or payment reference.
    pub note: Option<String>,
    /// Paid amount in yuan.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub paid_cny: Option<Decimal>,
}

fn invalid(field: &str, msgs: Vec<Msg>) -> StoreError {
    StoreError::Invalid(
        msgs.into_iter()
            .map(|m| FieldError::new(field, m))
            .collect(),
    )
}

fn pid() -> &'static str {
    &Programme::embedded().info.id
}

fn city_only(actor: &Principal) -> Result<()> {
    if matches!(actor.role, Role::CityGov | Role::PlatformAdmin) {
        Ok(())
    } else {
        Err(StoreError::Forbidden { action: "awards" })
    }
}

impl Store {
    /// Why an organisation is not eligible for an award on `today` (empty:
    /// eligible), for its staff and the city.
    pub async fn award_refusals(
        &self,
        actor: &Principal,
        award_id: &str,
        org_id: &str,
        today: chrono::NaiveDate,
    ) -> Result<Vec<Msg>> {
        if city_only(actor).is_err() {
            check_write(actor, org_id)?;
        }
        let award = Awards::embedded()
            .get(award_id)
            .ok_or_else(|| StoreError::NotFound {
                entity: "award",
                id: award_id.to_string(),
            })?;
        let (facts, held) = self.org_assurance_facts(org_id).await?;
        Ok(award.refusals(&facts, &held, today))
    }

    /// Applies for an award for an organisation (its own staff, or the
    /// city). Refused, with every reason, when the rules do not hold on
    /// `today`.
    pub async fn apply_for_award(
        &self,
        actor: &Principal,
        award_id: &str,
        org_id: &str,
        today: chrono::NaiveDate,
    ) -> Result<AwardApplication> {
        if city_only(actor).is_err() {
            check_write(actor, org_id)?;
        }
        let award = Awards::embedded()
            .get(award_id)
            .ok_or_else(|| StoreError::NotFound {
                entity: "award",
                id: award_id.to_string(),
            })?;
        let (facts, held) = self.org_assurance_facts(org_id).await?;
        let refusals = award.refusals(&facts, &held, today);
        if !refusals.is_empty() {
            return Err(invalid("award", refusals));
        }
        let id = new_id();
        let at = now();
        let mut tx = self.begin(actor).await?;
        let open: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM award_applications a WHERE a.org_id = $1 \
             AND a.programme_id = $2 AND a.award_id = $3 AND NOT EXISTS (SELECT 1 FROM award_events e \
             WHERE e.org_id = a.org_id AND e.application_id = a.application_id \
             AND e.action = 'reject')",
        )
        .bind(org_id)
        .bind(pid())
        .bind(award_id)
        .fetch_one(tx.conn_mut())
        .await?;
        if open > 0 {
            return Err(invalid("award", vec![Msg::new("store-award-duplicate")]));
        }
        sqlx::query(
            "INSERT INTO award_applications (org_id, application_id, programme_id, award_id, \
             eligibility, applied_by, applied_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(org_id)
        .bind(&id)
        .bind(pid())
        .bind(award_id)
        .bind(
            serde_json::json!({
                "checked_on": at, "assured": held.assured.iter().map(|a| serde_json::json!({
                    "fiscal_year": a.fiscal_year, "signed_on": a.signed_on, "published": a.published,
                })).collect::<Vec<_>>(),
                "pcf_certificates": held.pcf_certificates.iter().map(|c| serde_json::json!({
                    "signed_on": c.signed_on, "valid_from": c.valid_from, "valid_to": c.valid_to,
                })).collect::<Vec<_>>(),
            })
            .to_string(),
        )
        .bind(&actor.user_id)
        .bind(&at)
        .execute(tx.conn_mut())
        .await?;
        record(
            tx.conn_mut(),
            actor,
            Change {
                tenant: org_id,
                entity: "award_application",
                entity_id: &id,
                action: "create",
                before: None,
                after: Some(serde_json::json!({ "award": award_id, "org_id": org_id })),
            },
        )
        .await?;
        tx.commit().await?;
        self.award_application(&id).await
    }

    /// Approves, rejects (`reason` required) or records the payment
    /// (`reference` required) of an application (city government).
    pub async fn decide_award(
        &self,
        actor: &Principal,
        application_id: &str,
        action: &str,
        note: &str,
        today: chrono::NaiveDate,
    ) -> Result<AwardApplication> {
        city_only(actor)?;
        let app = self.award_application(application_id).await?;
        let award = Awards::embedded()
            .get(&app.award_id)
            .ok_or_else(|| crate::error::corrupt(format!("award {}", app.award_id)))?;
        let note = note.trim();
        let next_ok = matches!(
            (app.status.as_str(), action),
            ("applied", "approve" | "reject") | ("approved", "pay")
        );
        if !next_ok {
            return Err(invalid(
                "action",
                vec![
                    Msg::new("store-award-step")
                        .arg("status", &app.status)
                        .arg("action", action),
                ],
            ));
        }
        let action: &'static str = match action {
            "approve" => "approve",
            "reject" => "reject",
            _ => "pay",
        };
        if matches!(action, "reject" | "pay") && note.is_empty() {
            return Err(invalid(
                if action == "pay" {
                    "reference"
                } else {
                    "reason"
                },
                vec![Msg::new("domain-required")],
            ));
        }
        if action == "approve" {
            // The rules must still hold when approving.
            let (facts, held) = self.org_assurance_facts(&app.org_id).await?;
            let refusals = award.refusals(&facts, &held, today);
            if !refusals.is_empty() {
                return Err(invalid("award", refusals));
            }
        }
        let mut tx = self.begin(actor).await?;
        if action == "approve" {
            let granted: Option<String> = sqlx::query_scalar(
                "SELECT application_id FROM award_grants WHERE org_id = $1 \
                 AND programme_id = $2 AND award_id = $3",
            )
            .bind(&app.org_id)
            .bind(pid())
            .bind(&app.award_id)
            .fetch_optional(tx.conn_mut())
            .await?;
            if granted.is_some() {
                return Err(invalid("award", vec![Msg::new("store-award-granted")]));
            }
            // The primary key refuses a concurrent second grant too.
            sqlx::query(
                "INSERT INTO award_grants (org_id, programme_id, award_id, application_id, \
                 granted_at) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(&app.org_id)
            .bind(pid())
            .bind(&app.award_id)
            .bind(application_id)
            .bind(now())
            .execute(tx.conn_mut())
            .await?;
        }
        let amount_fen = if action == "pay" {
            Some(
                (award.amount_cny * Decimal::ONE_HUNDRED)
                    .to_i64()
                    .ok_or_else(|| crate::error::corrupt("award amount"))?,
            )
        } else {
            None
        };
        let event = new_id();
        sqlx::query(
            "INSERT INTO award_events (org_id, application_id, event_id, action, reason, \
             amount_fen, reference, actor, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(&app.org_id)
        .bind(application_id)
        .bind(&event)
        .bind(action)
        .bind((action != "pay" && !note.is_empty()).then_some(note))
        .bind(amount_fen)
        .bind((action == "pay").then_some(note))
        .bind(&actor.user_id)
        .bind(now())
        .execute(tx.conn_mut())
        .await?;
        record(
            tx.conn_mut(),
            actor,
            Change {
                tenant: &app.org_id,
                entity: "award_application",
                entity_id: application_id,
                action,
                before: Some(serde_json::json!({ "status": app.status })),
                after: Some(serde_json::json!({ "note": note, "amount_fen": amount_fen })),
            },
        )
        .await?;
        tx.commit().await?;
        self.award_application(application_id).await
    }

    async fn award_application(&self, application_id: &str) -> Result<AwardApplication> {
        self.award_applications_where("a.application_id = $2", application_id)
            .await?
            .pop()
            .ok_or_else(|| StoreError::NotFound {
                entity: "award_application",
                id: application_id.to_string(),
            })
    }

    /// Applications visible to the actor: all for the city, its own
    /// organisations' for enterprise staff.
    pub async fn award_applications(&self, actor: &Principal) -> Result<Vec<AwardApplication>> {
        let all = self
            .award_applications_where("a.application_id <> $2", "")
            .await?;
        Ok(all
            .into_iter()
            .filter(|a| city_only(actor).is_ok() || actor.can_write_org(&a.org_id))
            .collect())
    }

    async fn award_applications_where(
        &self,
        cond: &'static str,
        arg: &str,
    ) -> Result<Vec<AwardApplication>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT a.application_id, a.award_id, a.org_id, o.name_zh, a.applied_by, a.applied_at, \
             (SELECT e.action FROM award_events e WHERE e.org_id = a.org_id \
              AND e.application_id = a.application_id ORDER BY e.at DESC, e.event_id DESC LIMIT 1) AS last, \
             (SELECT COALESCE(e.reason, e.reference) FROM award_events e WHERE e.org_id = a.org_id \
              AND e.application_id = a.application_id ORDER BY e.at DESC, e.event_id DESC LIMIT 1) AS note, \
             (SELECT e.amount_fen FROM award_events e WHERE e.org_id = a.org_id \
              AND e.application_id = a.application_id AND e.action = 'pay' LIMIT 1) AS paid \
             FROM award_applications a JOIN organizations o ON o.org_id = a.org_id \
             WHERE a.programme_id = $1 AND {cond} ORDER BY a.applied_at, a.application_id"
        )))
        .bind(pid())
        .bind(arg)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let last: Option<String> = r.try_get("last")?;
                Ok(AwardApplication {
                    application_id: r.try_get("application_id")?,
                    award_id: r.try_get("award_id")?,
                    org_id: r.try_get("org_id")?,
                    org_name: r.try_get("name_zh")?,
                    applied_by: r.try_get("applied_by")?,
                    applied_at: r.try_get("applied_at")?,
                    status: match last.as_deref() {
                        Some("approve") => "approved",
                        Some("reject") => "rejected",
                        Some("pay") => "paid",
                        _ => "applied",
                    }
                    .into(),
                    note: r.try_get("note")?,
                    paid_cny: r
                        .try_get::<Option<i64>, _>("paid")?
                        .map(|f| Decimal::new(f, 2)),
                })
            })
            .collect()
    }
}
