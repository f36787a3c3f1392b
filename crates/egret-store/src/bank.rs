//! Green finance for banks: preference rule files (versioned), what the
//! platform knows of an organisation for them (ratings, published reports,
//! assurance, emissions, controversies), loans and bonds tagged against the
//! green-finance catalogue, and the log of every bank API call.
//!
//! A bank is an organisation of the register that its bank-role users are
//! bound to; its id is the tenant of every bank table.

use std::collections::{BTreeMap, HashSet};

use chrono::NaiveDate;
use egret_domain::access::{Principal, Role};
use egret_domain::bank::{Evaluation, Facts, RuleSet};
use egret_domain::greenfin;
use egret_domain::org::FieldError;
use egret_domain::rating::RatingResult;
use egret_domain::refdata::ReferenceData;
use egret_i18n::Msg;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use sqlx::Row;

use crate::audit::{Change, record};
use crate::db::{PUBLISHED, new_id, now, placeholders};
use crate::orgs::{Page, PageOf};
use crate::{Result, Store, StoreError};

/// Controversies that happened within this many years count for the
/// `controversies` field of the rules.
const CONTROVERSY_YEARS: u32 = 3;

/// The bank an actor works for: a bank-role user bound to one
/// organisation.
pub fn bank_of(actor: &Principal) -> Result<&str> {
    match (actor.role, actor.orgs.first()) {
        (Role::Bank, Some(b)) => Ok(b),
        _ => Err(StoreError::Forbidden { action: "bank" }),
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuleSetRecord {
    pub version_no: i64,
    pub rule_set_key: String,
    pub source: String,
    pub digest: String,
    pub uploaded_by: String,
    pub uploaded_at: String,
}

/// A loan or bond to tag, as entered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FacilityInput {
    pub reference: String,
    /// loan | bond | other
    pub kind: String,
    /// The borrower's or issuer's unified social credit code.
    pub borrower_uscc: String,
    /// Exact decimal, in `currency`.
    pub amount: String,
    #[serde(default = "cny")]
    pub currency: String,
    pub approved_on: String,
    /// Catalogue edition key, e.g. `cn-green-finance@2025`; by default the
    /// edition in force on the approval day.
    #[serde(default)]
    pub edition: Option<String>,
    pub item: String,
}

fn cny() -> String {
    "CNY".into()
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Facility {
    pub facility_id: String,
    pub reference: String,
    pub kind: String,
    pub borrower_org_id: String,
    pub borrower_name: String,
    /// Exact decimal text.
    pub amount: String,
    pub currency: String,
    pub approved_on: String,
    pub edition: String,
    pub item_code: String,
    pub recorded_by: String,
    pub recorded_at: String,
}

/// One bank API call, as logged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BankCall {
    pub bank_org_id: String,
    pub call_id: String,
    pub at: String,
    pub token_id: String,
    pub user_id: String,
    pub method: String,
    pub path: String,
    pub status: u16,
    pub micros: i64,
}

impl BankCall {
    pub fn new(
        bank_org_id: String,
        token_id: String,
        user_id: String,
        method: String,
        path: String,
        status: u16,
        micros: i64,
    ) -> BankCall {
        BankCall {
            bank_org_id,
            call_id: new_id(),
            at: now(),
            token_id,
            user_id,
            method,
            path,
            status,
            micros,
        }
    }
}

/// An organisation's current grade, as banks read it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GradeCard {
    pub org_id: String,
    pub uscc: String,
    pub name_zh: String,
    pub name_en: Option<String>,
    pub grade: Option<String>,
    pub score: Option<String>,
    pub quality: Option<String>,
    pub pillars: BTreeMap<String, Decimal>,
    pub methodology: Option<String>,
    pub fiscal_year: Option<i32>,
    pub run_id: Option<String>,
    /// False while the run is in its review window.
    pub published: bool,
    pub rated_at: Option<String>,
}

/// A published report of an organisation, for banks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DisclosureSummary {
    pub fiscal_year: i32,
    pub submission_id: String,
    pub version: i64,
    pub catalog: String,
    pub assured: bool,
    /// Data points covered by signed assurance conclusions.
    pub assured_points: Vec<String>,
    /// Carbon totals as reported: data point → (value, unit).
    pub carbon: BTreeMap<String, (String, String)>,
}

fn invalid(field: &'static str, m: Msg) -> StoreError {
    StoreError::Invalid(vec![FieldError::new(field, m)])
}

/// Amount text → minor units (2 decimals), exact.
fn minor_units(amount: &str) -> std::result::Result<i64, Msg> {
    egret_domain::value::parse_decimal(amount)
        .ok()
        .filter(|d| *d > Decimal::ZERO)
        .and_then(crate::db::hundredths)
        .ok_or_else(|| Msg::new("store-bank-amount").arg("value", amount))
}

fn rule_set_row(r: &sqlx::any::AnyRow) -> Result<RuleSetRecord> {
    Ok(RuleSetRecord {
        version_no: r.try_get("version_no")?,
        rule_set_key: r.try_get("rule_set_key")?,
        source: r.try_get("source")?,
        digest: r.try_get("digest")?,
        uploaded_by: r.try_get("uploaded_by")?,
        uploaded_at: r.try_get("uploaded_at")?,
    })
}

impl Store {
    /// The organisation with a credit code (`None` if unknown).
    pub async fn org_id_of_uscc(&self, uscc: &str) -> Result<Option<String>> {
        Ok(
            sqlx::query_scalar("SELECT org_id FROM uscc_directory WHERE uscc = $1")
                .bind(uscc)
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    /// Stores a new version of the bank's rule file, after checking it.
    pub async fn upload_bank_rules(
        &self,
        actor: &Principal,
        source: &str,
    ) -> Result<RuleSetRecord> {
        let bank = bank_of(actor)?.to_string();
        let rules = RuleSet::parse(source).map_err(|m| invalid("rules", m))?;
        let mut tx = self.begin(actor).await?;
        let last: Option<i64> =
            sqlx::query_scalar("SELECT MAX(version_no) FROM bank_rule_sets WHERE bank_org_id = $1")
                .bind(&bank)
                .fetch_one(tx.conn_mut())
                .await?;
        let rec = RuleSetRecord {
            version_no: last.unwrap_or(0) + 1,
            rule_set_key: rules.key(),
            source: source.to_string(),
            digest: hex::encode(Sha256::digest(source.as_bytes())),
            uploaded_by: actor.user_id.clone(),
            uploaded_at: now(),
        };
        sqlx::query(
            "INSERT INTO bank_rule_sets (bank_org_id, version_no, rule_set_key, source, digest, \
             uploaded_by, uploaded_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&bank)
        .bind(rec.version_no)
        .bind(&rec.rule_set_key)
        .bind(&rec.source)
        .bind(&rec.digest)
        .bind(&rec.uploaded_by)
        .bind(&rec.uploaded_at)
        .execute(tx.conn_mut())
        .await?;
        record(
            tx.conn_mut(),
            actor,
            Change {
                tenant: &bank,
                entity: "bank_rule_set",
                entity_id: &rec.version_no.to_string(),
                action: "upload",
                before: None,
                after: Some(serde_json::json!({"key": rec.rule_set_key, "digest": rec.digest})),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(rec)
    }

    /// Every version of the bank's rule file, newest first.
    pub async fn bank_rule_sets(&self, actor: &Principal) -> Result<Vec<RuleSetRecord>> {
        let bank = bank_of(actor)?;
        let rows = sqlx::query(
            "SELECT version_no, rule_set_key, source, digest, uploaded_by, uploaded_at \
             FROM bank_rule_sets WHERE bank_org_id = $1 ORDER BY version_no DESC",
        )
        .bind(bank)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(rule_set_row).collect()
    }

    /// The organisation's latest rating (latest fiscal year, then latest
    /// run), if any: (run id, fiscal year, methodology, run at, result,
    /// published).
    async fn latest_rating(
        &self,
        org_id: &str,
    ) -> Result<Option<(String, i32, String, String, RatingResult, bool)>> {
        let r = sqlx::query(
            "SELECT k.run_id, k.fiscal_year, k.methodology, k.run_at, r.detail, \
             (SELECT COUNT(*) FROM rating_publications p WHERE p.run_id = k.run_id) AS published \
             FROM rating_results r JOIN rating_runs k ON k.run_id = r.run_id \
             WHERE r.org_id = $1 ORDER BY k.fiscal_year DESC, k.run_at DESC, k.run_id DESC LIMIT 1",
        )
        .bind(org_id)
        .fetch_optional(&self.pool)
        .await?;
        let Some(r) = r else { return Ok(None) };
        let detail: String = r.try_get("detail")?;
        let result: RatingResult = serde_json::from_str(&detail)
            .map_err(|e| crate::error::corrupt(format!("rating result: {e}")))?;
        let year: i64 = r.try_get("fiscal_year")?;
        Ok(Some((
            r.try_get("run_id")?,
            i32::try_from(year).map_err(crate::error::corrupt)?,
            r.try_get("methodology")?,
            r.try_get("run_at")?,
            result,
            r.try_get::<i64, _>("published")? > 0,
        )))
    }

    /// An organisation's current grade (banks, analysts, the city and the
    /// organisation itself).
    pub async fn grade_card(&self, actor: &Principal, org_id: &str) -> Result<GradeCard> {
        let org = self.get_org(actor, org_id).await?;
        let rating = self.latest_rating(org_id).await?;
        let mut card = GradeCard {
            org_id: org.org_id.clone(),
            uscc: org.profile.uscc.to_string(),
            name_zh: org.profile.name_zh.clone(),
            name_en: org.profile.name_en.clone(),
            grade: None,
            score: None,
            quality: None,
            pillars: BTreeMap::new(),
            methodology: None,
            fiscal_year: None,
            run_id: None,
            published: false,
            rated_at: None,
        };
        if let Some((run, year, m, at, result, published)) = rating {
            card.grade = Some(result.grade);
            card.score = Some(result.score.to_string());
            card.quality = Some(result.quality);
            card.pillars = result.pillars;
            card.methodology = Some(m);
            card.fiscal_year = Some(year);
            card.run_id = Some(run);
            card.published = published;
            card.rated_at = Some(at);
        }
        Ok(card)
    }

    /// The organisation's published reports (latest version of each year),
    /// newest year first, with assurance and carbon totals.
    pub async fn published_disclosures(
        &self,
        actor: &Principal,
        org_id: &str,
    ) -> Result<Vec<DisclosureSummary>> {
        if !actor.can_read_org(org_id) {
            return Err(StoreError::NotFound {
                entity: "organization",
                id: org_id.to_string(),
            });
        }
        let mut latest: BTreeMap<i64, (i64, String, i64, String)> = BTreeMap::new();
        for r in sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT s.submission_id, s.seq, s.version, s.catalog_key, p.fiscal_year \
             FROM submissions s JOIN reporting_periods p ON p.org_id = s.org_id \
             AND p.period_id = s.period_id WHERE s.org_id = $1 AND {PUBLISHED}"
        )))
        .bind(org_id)
        .fetch_all(&self.pool)
        .await?
        {
            let year: i64 = r.try_get("fiscal_year")?;
            let seq: i64 = r.try_get("seq")?;
            if latest.get(&year).is_none_or(|(s, ..)| *s < seq) {
                latest.insert(
                    year,
                    (
                        seq,
                        r.try_get("submission_id")?,
                        r.try_get("version")?,
                        r.try_get("catalog_key")?,
                    ),
                );
            }
        }
        let mut out = Vec::with_capacity(latest.len());
        for (year, (_, sid, version, catalog)) in latest.into_iter().rev() {
            let mut assured_points = Vec::new();
            let mut assured = false;
            for r in sqlx::query(
                "SELECT e.scope FROM engagement_conclusions c JOIN engagements e \
                 ON e.org_id = c.org_id AND e.engagement_id = c.engagement_id \
                 WHERE c.org_id = $1 AND c.submission_id = $2",
            )
            .bind(org_id)
            .bind(&sid)
            .fetch_all(&self.pool)
            .await?
            {
                assured = true;
                let scope: String = r.try_get("scope")?;
                let dps: Vec<String> = serde_json::from_str(&scope)
                    .map_err(|e| crate::error::corrupt(format!("engagement scope: {e}")))?;
                assured_points.extend(dps);
            }
            assured_points.sort();
            assured_points.dedup();
            let mut carbon = BTreeMap::new();
            for r in sqlx::query(
                "SELECT datapoint_id, value_text, unit FROM submission_figures \
                 WHERE org_id = $1 AND submission_id = $2 AND datapoint_id LIKE 'ghg.%'",
            )
            .bind(org_id)
            .bind(&sid)
            .fetch_all(&self.pool)
            .await?
            {
                let dp: String = r.try_get("datapoint_id")?;
                carbon.insert(dp, (r.try_get("value_text")?, r.try_get("unit")?));
            }
            out.push(DisclosureSummary {
                fiscal_year: i32::try_from(year).map_err(crate::error::corrupt)?,
                submission_id: sid,
                version,
                catalog,
                assured,
                assured_points,
                carbon,
            });
        }
        Ok(out)
    }

    /// What the rules can test of an organisation on day `on`.
    pub async fn bank_facts(
        &self,
        actor: &Principal,
        org_id: &str,
        emissions: &[String],
        on: NaiveDate,
    ) -> Result<Facts> {
        let reports = self.published_disclosures(actor, org_id).await?;
        let mut f = Facts::default();
        if let Some((run, year, _, _, result, published)) = self.latest_rating(org_id).await? {
            f.rating_run = Some(run);
            f.rating_year = Some(year);
            f.rating_published = published;
            f.grade = Some(result.grade);
            f.score = Some(result.score);
            f.quality = Some(result.quality);
        }
        let rd = ReferenceData::embedded();
        // (total tCO2e, all assured) of one report, None if a point is missing.
        let total = |d: &DisclosureSummary| -> Option<(Decimal, bool)> {
            let mut sum = Decimal::ZERO;
            let mut all = true;
            for dp in emissions {
                let (v, unit) = d.carbon.get(dp)?;
                let v: Decimal = v.parse().ok()?;
                sum += egret_domain::units::convert(rd, v, unit, "tCO2e").ok()?;
                all &= d.assured_points.binary_search(dp).is_ok();
            }
            Some((sum, all))
        };
        if let Some(latest) = reports.first() {
            f.disclosed_year = Some(latest.fiscal_year);
            f.report = Some(format!("{} v{}", latest.submission_id, latest.version));
            f.assured = latest.assured;
            if let Some((t, a)) = total(latest) {
                f.emissions_t = Some(t);
                f.emissions_assured = a;
            }
            if let Some(prior) = reports
                .iter()
                .find(|d| d.fiscal_year == latest.fiscal_year - 1)
                && let Some((t, a)) = total(prior)
            {
                f.prior_emissions_t = Some(t);
                f.prior_emissions_assured = a;
            }
        }
        let since = on
            .checked_sub_months(chrono::Months::new(12 * CONTROVERSY_YEARS))
            .unwrap_or(on);
        let n: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM controversies WHERE org_id = $1 AND occurred_on >= $2",
        )
        .bind(org_id)
        .bind(since.to_string())
        .fetch_one(&self.pool)
        .await?;
        f.controversies = u32::try_from(n).unwrap_or(u32::MAX);
        Ok(f)
    }

    /// Evaluates the bank's latest rules for an organisation.
    pub async fn evaluate_bank_rules(
        &self,
        actor: &Principal,
        org_id: &str,
        on: NaiveDate,
    ) -> Result<(RuleSetRecord, Facts, Evaluation)> {
        let Some(rec) = self.bank_rule_sets(actor).await?.into_iter().next() else {
            return Err(StoreError::Conflict(Msg::new("store-bank-no-rules")));
        };
        let rules = RuleSet::parse(&rec.source)
            .map_err(|m| crate::error::corrupt(m.render(egret_i18n::Lang::En)))?;
        let facts = self
            .bank_facts(actor, org_id, &rules.emissions.datapoints, on)
            .await?;
        let eval = rules.evaluate(&facts);
        Ok((rec, facts, eval))
    }

    /// Records a loan or bond tagged against the catalogue edition in
    /// force on its approval day.
    pub async fn record_facility(
        &self,
        actor: &Principal,
        input: &FacilityInput,
    ) -> Result<Facility> {
        let bank = bank_of(actor)?.to_string();
        let mut errors = Vec::new();
        let reference = input.reference.trim();
        if reference.is_empty() || reference.chars().count() > 100 {
            errors.push(FieldError::new("reference", Msg::new("domain-required")));
        }
        let borrower = self.org_id_of_uscc(input.borrower_uscc.trim()).await?;
        if borrower.is_none() {
            errors.push(FieldError::new(
                "borrower_uscc",
                Msg::new("store-bank-borrower").arg("uscc", input.borrower_uscc.trim()),
            ));
        }
        let amount = minor_units(input.amount.trim());
        if let Err(m) = &amount {
            errors.push(FieldError::new("amount", m.clone()));
        }
        let currency = match input.currency.trim() {
            c if c.eq_ignore_ascii_case("CNY") => Some("CNY".to_string()),
            c => ReferenceData::embedded()
                .currency(c)
                .map(|x| x.code.clone()),
        };
        if currency.is_none() {
            errors.push(FieldError::new(
                "currency",
                Msg::new("store-bank-currency").arg("currency", input.currency.trim()),
            ));
        }
        let approved: Option<NaiveDate> = input.approved_on.trim().parse().ok();
        if approved.is_none() {
            errors.push(FieldError::new(
                "approved_on",
                Msg::new("store-bank-date").arg("value", input.approved_on.trim()),
            ));
        }
        let mut edition_key = String::new();
        if let Some(day) = approved {
            let edition = match input.edition.as_deref().map(str::trim) {
                Some(e) if !e.is_empty() => Some(e.to_string()),
                _ => greenfin::Edition::for_approval(input.kind.trim(), day).map(|e| e.key()),
            };
            match edition {
                None => errors.push(FieldError::new(
                    "edition",
                    Msg::new("store-bank-no-edition")
                        .arg("kind", input.kind.trim())
                        .arg("date", day),
                )),
                Some(e) => match greenfin::check_tag(input.kind.trim(), day, &e, input.item.trim())
                {
                    Ok(_) => edition_key = e,
                    Err(m) => errors.push(FieldError::new(
                        if m.key == "domain-greenfin-item" {
                            "item"
                        } else {
                            "edition"
                        },
                        m,
                    )),
                },
            }
        }
        let (Some(borrower), Ok(amount), Some(currency), Some(approved), true) =
            (borrower, amount, currency, approved, errors.is_empty())
        else {
            return Err(StoreError::Invalid(errors));
        };
        let f = Facility {
            facility_id: new_id(),
            reference: reference.to_string(),
            kind: input.kind.trim().to_string(),
            borrower_name: self.get_org(actor, &borrower).await?.profile.name_zh,
            borrower_org_id: borrower,
            amount: Decimal::new(amount, 2).to_string(),
            currency,
            approved_on: approved.to_string(),
            edition: edition_key,
            item_code: input.item.trim().to_string(),
            recorded_by: actor.user_id.clone(),
            recorded_at: now(),
        };
        let mut tx = self.begin(actor).await?;
        let dup: Option<String> = sqlx::query_scalar(
            "SELECT facility_id FROM green_facilities WHERE bank_org_id = $1 AND reference = $2",
        )
        .bind(&bank)
        .bind(&f.reference)
        .fetch_optional(tx.conn_mut())
        .await?;
        if dup.is_some() {
            return Err(StoreError::Conflict(
                Msg::new("store-bank-duplicate").arg("reference", &f.reference),
            ));
        }
        sqlx::query(
            "INSERT INTO green_facilities (bank_org_id, facility_id, reference, kind, \
             borrower_org_id, amount_minor, currency, approved_on, edition, item_code, \
             recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .bind(&bank)
        .bind(&f.facility_id)
        .bind(&f.reference)
        .bind(&f.kind)
        .bind(&f.borrower_org_id)
        .bind(amount)
        .bind(&f.currency)
        .bind(&f.approved_on)
        .bind(&f.edition)
        .bind(&f.item_code)
        .bind(&f.recorded_by)
        .bind(&f.recorded_at)
        .execute(tx.conn_mut())
        .await?;
        record(
            tx.conn_mut(),
            actor,
            Change {
                tenant: &bank,
                entity: "green_facility",
                entity_id: &f.facility_id,
                action: "record",
                before: None,
                after: Some(serde_json::to_value(&f).map_err(crate::error::corrupt)?),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(f)
    }

    /// The bank's tagged loans and bonds, newest approval first.
    pub async fn facilities(&self, actor: &Principal) -> Result<Vec<Facility>> {
        let bank = bank_of(actor)?;
        let rows = sqlx::query(
            "SELECT f.facility_id, f.reference, f.kind, f.borrower_org_id, o.name_zh, \
             f.amount_minor, f.currency, f.approved_on, f.edition, f.item_code, f.recorded_by, \
             f.recorded_at FROM green_facilities f JOIN organizations o \
             ON o.org_id = f.borrower_org_id WHERE f.bank_org_id = $1 \
             ORDER BY f.approved_on DESC, f.reference",
        )
        .bind(bank)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Facility {
                    facility_id: r.try_get("facility_id")?,
                    reference: r.try_get("reference")?,
                    kind: r.try_get("kind")?,
                    borrower_org_id: r.try_get("borrower_org_id")?,
                    borrower_name: r.try_get("name_zh")?,
                    amount: Decimal::new(r.try_get("amount_minor")?, 2).to_string(),
                    currency: r.try_get("currency")?,
                    approved_on: r.try_get("approved_on")?,
                    edition: r.try_get("edition")?,
                    item_code: r.try_get("item_code")?,
                    recorded_by: r.try_get("recorded_by")?,
                    recorded_at: r.try_get("recorded_at")?,
                })
            })
            .collect()
    }

    /// Writes a batch of API calls in one transaction, and each token's
    /// last use.
    pub async fn log_bank_calls(&self, calls: &[BankCall]) -> Result<()> {
        if calls.is_empty() {
            return Ok(());
        }
        const COLS: usize = 9;
        let _w = self.writer().await;
        let mut tx = self.write_tx().await?;
        // Stay under SQLite's bound-parameter limit.
        for chunk in calls.chunks(900 / COLS) {
            let sql = format!(
                "INSERT INTO bank_api_calls (bank_org_id, call_id, at, token_id, user_id, method, \
                 path, status, micros) VALUES {}",
                placeholders(chunk.len(), COLS)
            );
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for c in chunk {
                q = q
                    .bind(&c.bank_org_id)
                    .bind(&c.call_id)
                    .bind(&c.at)
                    .bind(&c.token_id)
                    .bind(&c.user_id)
                    .bind(&c.method)
                    .bind(&c.path)
                    .bind(i32::from(c.status))
                    .bind(c.micros);
            }
            q.execute(&mut *tx).await?;
        }
        let mut seen = HashSet::new();
        for c in calls.iter().rev() {
            if seen.insert(&c.token_id) {
                sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE token_id = $2")
                    .bind(&c.at)
                    .bind(&c.token_id)
                    .execute(&mut *tx)
                    .await?;
            }
        }
        tx.commit().await?;
        Ok(())
    }

    /// The bank's API calls, newest first.
    pub async fn bank_calls(&self, actor: &Principal, page: Page) -> Result<PageOf<BankCall>> {
        let bank = bank_of(actor)?;
        let total: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM bank_api_calls WHERE bank_org_id = $1")
                .bind(bank)
                .fetch_one(&self.pool)
                .await?;
        let rows = sqlx::query(
            "SELECT bank_org_id, call_id, at, token_id, user_id, method, path, status, micros \
             FROM bank_api_calls WHERE bank_org_id = $1 ORDER BY at DESC, call_id DESC \
             LIMIT $2 OFFSET $3",
        )
        .bind(bank)
        .bind(i64::from(page.per_page))
        .bind(i64::from(page.per_page) * i64::from(page.page.saturating_sub(1)))
        .fetch_all(&self.pool)
        .await?;
        let items = rows
            .iter()
            .map(|r| {
                Ok(BankCall {
                    bank_org_id: r.try_get("bank_org_id")?,
                    call_id: r.try_get("call_id")?,
                    at: r.try_get("at")?,
                    token_id: r.try_get("token_id")?,
                    user_id: r.try_get("user_id")?,
                    method: r.try_get("method")?,
                    path: r.try_get("path")?,
                    status: u16::try_from(r.try_get::<i32, _>("status")?)
                        .map_err(crate::error::corrupt)?,
                    micros: r.try_get("micros")?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(PageOf {
            items,
            total,
            page: page.page,
            per_page: page.per_page,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_exact_minor_units() {
        assert_eq!(minor_units("1,000,000.50"), Ok(100_000_050));
        assert_eq!(minor_units("20000000"), Ok(2_000_000_000));
        assert!(minor_units("0").is_err());
        assert!(minor_units("-5").is_err());
        assert!(minor_units("1.005").is_err());
        assert!(minor_units("abc").is_err());
    }
}
