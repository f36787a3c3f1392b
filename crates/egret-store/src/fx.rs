//! Exchange rates an organisation uses for a reporting period. They take
//! precedence over the shipped reference rates when foreign-currency
//! amounts are converted to yuan ([`egret_domain::fx::PeriodRates`]).
//! Reading follows the ESG-data rule, writing the organisation-write rule;
//! every change is audited.

use egret_domain::access::Principal;
use egret_domain::checks::{Finding, run_checks};
use egret_domain::fx::PeriodRates;
use egret_domain::org::FieldError;
use egret_domain::refdata::ReferenceData;
use egret_i18n::Msg;
use rust_decimal::Decimal;
use serde::Serialize;
use sqlx::Row;

use crate::audit::{Change, record};
use crate::data::ValueRecord;
use crate::data::{MAX_NOTE_CHARS, check_write, value_set};
use crate::db::now;
use crate::error::corrupt;
use crate::orgs::PeriodRecord;
use crate::{Result, Store, StoreError};

/// An organisation's rate for one currency and period.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FxRateRecord {
    pub currency: String,
    /// Yuan per one unit of the currency.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub cny_per_unit: Decimal,
    /// Where the rate comes from (e.g. "2024 annual report, note 5").
    pub note: String,
    pub entered_by: String,
    pub entered_at: String,
}

/// The year whose reference rates apply to a period: the year it ends in.
fn period_year(p: &PeriodRecord) -> i32 {
    p.end
        .get(..4)
        .and_then(|y| y.parse().ok())
        .unwrap_or(p.fiscal_year)
}

impl Store {
    /// The organisation's own rates for a period.
    pub async fn fx_rates(
        &self,
        actor: &Principal,
        org_id: &str,
        period_id: &str,
    ) -> Result<Vec<FxRateRecord>> {
        Self::check_read_data(actor, org_id)?;
        let rows = sqlx::query(
            "SELECT currency, cny_per_unit, note, entered_by, entered_at FROM fx_rates \
             WHERE org_id = $1 AND period_id = $2 ORDER BY currency",
        )
        .bind(org_id)
        .bind(period_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let text: String = r.try_get("cny_per_unit")?;
                Ok(FxRateRecord {
                    currency: r.try_get("currency")?,
                    cny_per_unit: text
                        .parse()
                        .map_err(|_| corrupt(format!("fx rate `{text}`")))?,
                    note: r.try_get("note")?,
                    entered_by: r.try_get("entered_by")?,
                    entered_at: r.try_get("entered_at")?,
                })
            })
            .collect()
    }

    /// The rates that convert a period's foreign-currency amounts.
    pub async fn period_rates<'r>(
        &self,
        actor: &Principal,
        rd: &'r ReferenceData,
        period: &PeriodRecord,
    ) -> Result<PeriodRates<'r>> {
        let own = self
            .fx_rates(actor, &period.org_id, &period.period_id)
            .await?;
        Ok(PeriodRates::new(
            rd,
            period_year(period),
            own.into_iter()
                .map(|r| (r.currency, r.cny_per_unit, r.note)),
        ))
    }

    /// Sets (or replaces) the organisation's rate for a currency in a
    /// period. `currency` may be a code or alias; the rate must be positive.
    pub async fn set_fx_rate(
        &self,
        actor: &Principal,
        org_id: &str,
        period_id: &str,
        currency: &str,
        cny_per_unit: &str,
        note: &str,
    ) -> Result<FxRateRecord> {
        check_write(actor, org_id)?;
        let rd = ReferenceData::embedded();
        let mut errs = Vec::new();
        let code = match rd.currency(currency) {
            Some(c) => c.code.clone(),
            None => {
                errs.push(FieldError {
                    field: "currency".into(),
                    msg: Msg::new("fx-currency-unknown").arg("code", currency.trim()),
                });
                String::new()
            }
        };
        let rate = match cny_per_unit.trim().parse::<Decimal>() {
            Ok(r) if r > Decimal::ZERO => r,
            _ => {
                errs.push(FieldError {
                    field: "cny_per_unit".into(),
                    msg: Msg::new("fx-rate-invalid").arg("value", cny_per_unit.trim()),
                });
                Decimal::ZERO
            }
        };
        let note = note.trim();
        if note.is_empty() {
            errs.push(FieldError {
                field: "note".into(),
                msg: Msg::new("fx-note-missing"),
            });
        } else if note.chars().count() > MAX_NOTE_CHARS {
            errs.push(FieldError {
                field: "note".into(),
                msg: Msg::new("store-note-too-long").arg("max", MAX_NOTE_CHARS),
            });
        }
        if !errs.is_empty() {
            return Err(StoreError::Invalid(errs));
        }
        let mut tx = self.begin(actor).await?;
        let before = sqlx::query(
            "SELECT cny_per_unit, note FROM fx_rates \
             WHERE org_id = $1 AND period_id = $2 AND currency = $3",
        )
        .bind(org_id)
        .bind(period_id)
        .bind(&code)
        .fetch_optional(tx.conn_mut())
        .await?;
        let before = match before {
            Some(r) => Some(serde_json::json!({
                "cny_per_unit": r.try_get::<String, _>("cny_per_unit")?,
                "note": r.try_get::<String, _>("note")?,
            })),
            None => None,
        };
        let at = now();
        let rate_text = rate.normalize().to_string();
        let sql = if before.is_some() {
            "UPDATE fx_rates SET cny_per_unit = $4, note = $5, entered_by = $6, entered_at = $7 \
             WHERE org_id = $1 AND period_id = $2 AND currency = $3"
        } else {
            "INSERT INTO fx_rates (org_id, period_id, currency, cny_per_unit, note, entered_by, \
             entered_at) VALUES ($1, $2, $3, $4, $5, $6, $7)"
        };
        sqlx::query(sql)
            .bind(org_id)
            .bind(period_id)
            .bind(&code)
            .bind(&rate_text)
            .bind(note)
            .bind(&actor.user_id)
            .bind(&at)
            .execute(tx.conn_mut())
            .await
            .map_err(|e| match e {
                // The period does not belong to the organisation.
                sqlx::Error::Database(d) if d.is_foreign_key_violation() => StoreError::NotFound {
                    entity: "period",
                    id: period_id.to_string(),
                },
                e => e.into(),
            })?;
        record(
            tx.conn_mut(),
            actor,
            Change {
                tenant: org_id,
                entity: "fx_rate",
                entity_id: &format!("{period_id}/{code}"),
                action: if before.is_some() { "update" } else { "create" },
                before,
                after: Some(serde_json::json!({ "cny_per_unit": rate_text, "note": note })),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(FxRateRecord {
            currency: code,
            cny_per_unit: rate.normalize(),
            note: note.to_string(),
            entered_by: actor.user_id.clone(),
            entered_at: at,
        })
    }

    /// Runs the validation rules over a period's values (foreign-currency
    /// amounts converted at the period's rates) against the prior period,
    /// if there is one.
    pub async fn check_period(
        &self,
        actor: &Principal,
        period: &PeriodRecord,
    ) -> Result<Vec<Finding>> {
        let rd = ReferenceData::embedded();
        let org = &period.org_id;
        let rates = self.period_rates(actor, rd, period).await?;
        let current = self.list_values(actor, org, &period.period_id).await?;
        let prior = match self
            .period_for_year(actor, org, period.fiscal_year - 1)
            .await
        {
            Ok(pp) => Some((
                self.list_values(actor, org, &pp.period_id).await?,
                self.period_rates(actor, rd, &pp).await?,
            )),
            Err(StoreError::NotFound { .. }) => None,
            Err(e) => return Err(e),
        };
        Ok(findings(
            &current,
            &rates,
            prior.as_ref().map(|(v, r)| (v.as_slice(), r)),
        ))
    }
}

/// The validation rules over a period's values, foreign-currency amounts
/// converted at the period's rates, against the prior period's (for
/// year-over-year rules). Missing rates are findings too.
pub fn findings(
    current: &[ValueRecord],
    rates: &PeriodRates,
    prior: Option<(&[ValueRecord], &PeriodRates)>,
) -> Vec<Finding> {
    let rd = ReferenceData::embedded();
    let cats = egret_domain::catalog::Catalogs::embedded();
    let (current, mut out) = rates.in_cny(&value_set(current));
    let prior = prior.map(|(v, r)| r.in_cny(&value_set(v)).0);
    out.extend(run_checks(cats, rd, &current, prior.as_ref()));
    out
}
