//! ESG data collection: values per organisation, period, data point and
//! breakdown (shared by every catalog), evidence files, review, and
//! spreadsheet uploads waiting for confirmation.
//!
//! Reading needs `can_read_esg_data` (own staff, engaged assurers, admins);
//! writing needs `can_write_org`. Every input is checked against the
//! catalogs before anything is written, and every changed value is audited
//! with its before and after state in the same transaction.

use std::collections::BTreeMap;

use base64::Engine;
use egret_domain::access::Principal;
use egret_domain::catalog::Catalogs;
use egret_domain::checks::ValueSet;
use egret_domain::completeness::AnswerState;
use egret_domain::org::FieldError;
use egret_domain::refdata::ReferenceData;
use egret_domain::value::{Answer, Value, check_breakdown_key};
use egret_i18n::Msg;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::audit::{Change, record, record_many};
use crate::db::{new_id, now, placeholders};
use crate::error::corrupt;
use crate::orgs::{PeriodRecord, Tx};
use crate::{Result, Store, StoreError};

/// Rows per multi-row insert of values (15 parameters each).
const VALUE_CHUNK: usize = 100;

/// Largest evidence file accepted.
pub const MAX_EVIDENCE_BYTES: usize = 10 * 1024 * 1024;
/// Longest comment or reason.
pub const MAX_NOTE_CHARS: usize = 20_000;

/// Where a value came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Source {
    /// Typed in a form or sent through the API.
    Manual,
    /// From an uploaded spreadsheet.
    Import { file: String },
    /// Computed by an engine (e.g. the carbon inventory); `reference` links
    /// back to the calculation.
    Calculated { reference: String },
}

impl Source {
    pub(crate) fn parts(&self) -> (&'static str, Option<&str>) {
        match self {
            Source::Manual => ("manual", None),
            Source::Import { file } => ("import", Some(file)),
            Source::Calculated { reference } => ("calculated", Some(reference)),
        }
    }
}

/// One answer to store.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ValueInput {
    pub datapoint: String,
    /// "" for the total, else `breakdown:member`.
    #[serde(default)]
    pub breakdown: String,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub answer: Answer,
    #[serde(default)]
    pub comment: Option<String>,
}

/// A stored answer with its provenance.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ValueRecord {
    pub org_id: String,
    pub period_id: String,
    pub datapoint: String,
    pub breakdown: String,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub answer: Answer,
    pub comment: Option<String>,
    /// manual | import | calculated
    pub source: String,
    pub source_ref: Option<String>,
    /// draft | reviewed
    pub status: String,
    pub version: i64,
    pub entered_by: String,
    pub entered_at: String,
    pub reviewed_by: Option<String>,
    pub reviewed_at: Option<String>,
    /// SHA-256 of the evidence files attached.
    pub evidence: Vec<String>,
}

/// What [`Store::put_values`] did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct PutReport {
    pub created: usize,
    pub changed: usize,
    pub unchanged: usize,
}

/// An evidence file's description.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EvidenceInfo {
    pub sha256: String,
    pub file_name: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub uploaded_by: String,
    pub uploaded_at: String,
}

/// A spreadsheet upload waiting for confirmation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PendingUpload {
    pub upload_id: String,
    pub period_id: String,
    pub catalog_key: String,
    pub file_name: String,
    pub inputs: Vec<ValueInput>,
    pub created_by: String,
}

fn org_not_found(org_id: &str) -> StoreError {
    StoreError::NotFound {
        entity: "organization",
        id: org_id.to_string(),
    }
}

/// Answers keyed by (data point, breakdown), with their comments (what
/// the spreadsheet template and its diff work on).
pub fn answer_map(values: &[ValueRecord]) -> BTreeMap<(String, String), (Answer, Option<String>)> {
    values
        .iter()
        .map(|v| {
            (
                (v.datapoint.clone(), v.breakdown.clone()),
                (v.answer.clone(), v.comment.clone()),
            )
        })
        .collect()
}

/// The state of each total answer, for completeness.
pub fn answer_states(values: &[ValueRecord]) -> BTreeMap<String, AnswerState> {
    values
        .iter()
        .filter(|v| v.breakdown.is_empty())
        .map(|v| {
            let s = match v.answer {
                Answer::Value(_) => AnswerState::Value,
                Answer::NotApplicable { .. } => AnswerState::NotApplicable,
                Answer::NotDisclosed { .. } => AnswerState::NotDisclosed,
            };
            (v.datapoint.clone(), s)
        })
        .collect()
}

/// The values (without explanations), for the validation rules.
pub fn value_set(values: &[ValueRecord]) -> ValueSet {
    values
        .iter()
        .filter_map(|v| match &v.answer {
            Answer::Value(val) => Some(((v.datapoint.clone(), v.breakdown.clone()), val.clone())),
            _ => None,
        })
        .collect()
}

/// The principal may change this organisation's ESG data.
pub(crate) fn check_write(actor: &Principal, org_id: &str) -> Result<()> {
    if !actor.can_read_org(org_id) {
        return Err(org_not_found(org_id));
    }
    if !actor.can_write_org(org_id) {
        return Err(StoreError::Forbidden {
            action: "write-values",
        });
    }
    Ok(())
}

fn encode_answer(a: &Answer) -> (&'static str, Option<String>, Option<String>, Option<String>) {
    match a {
        Answer::Value(v) => {
            let (text, unit) = v.encode();
            ("value", Some(text), unit, None)
        }
        Answer::NotApplicable { reason } => ("not_applicable", None, None, reason.clone()),
        Answer::NotDisclosed { reason } => ("not_disclosed", None, None, Some(reason.clone())),
    }
}

fn decode_answer(cats: &Catalogs, r: &AnyRow) -> Result<Answer> {
    let dp_id: String = r.try_get("datapoint_id")?;
    let kind: String = r.try_get("answer")?;
    let reason: Option<String> = r.try_get("reason")?;
    match kind.as_str() {
        "value" => {
            let dp = cats
                .datapoint(&dp_id)
                .ok_or_else(|| corrupt(format!("stored value for unknown data point {dp_id}")))?;
            let text: Option<String> = r.try_get("value_text")?;
            let unit: Option<String> = r.try_get("unit")?;
            let v = Value::decode(dp, text.as_deref().unwrap_or_default(), unit.as_deref())
                .map_err(|m| corrupt(format!("{dp_id}: {}", m.render(egret_i18n::Lang::En))))?;
            Ok(Answer::Value(v))
        }
        "not_applicable" => Ok(Answer::NotApplicable { reason }),
        "not_disclosed" => Ok(Answer::NotDisclosed {
            reason: reason.unwrap_or_default(),
        }),
        other => Err(corrupt(format!("unknown answer kind {other}"))),
    }
}

const VALUE_COLUMNS: &str = "org_id, period_id, datapoint_id, breakdown, answer, value_text, \
    unit, reason, comment, source, source_ref, status, version, entered_by, entered_at, \
    reviewed_by, reviewed_at";

fn record_from_row(cats: &Catalogs, r: &AnyRow, evidence: Vec<String>) -> Result<ValueRecord> {
    Ok(ValueRecord {
        org_id: r.try_get("org_id")?,
        period_id: r.try_get("period_id")?,
        datapoint: r.try_get("datapoint_id")?,
        breakdown: r.try_get("breakdown")?,
        answer: decode_answer(cats, r)?,
        comment: r.try_get("comment")?,
        source: r.try_get("source")?,
        source_ref: r.try_get("source_ref")?,
        status: r.try_get("status")?,
        version: r.try_get("version")?,
        entered_by: r.try_get("entered_by")?,
        entered_at: r.try_get("entered_at")?,
        reviewed_by: r.try_get("reviewed_by")?,
        reviewed_at: r.try_get("reviewed_at")?,
        evidence,
    })
}

/// The JSON form of an answer for the audit log.
fn audit_json(a: &Answer, comment: &Option<String>) -> serde_json::Value {
    serde_json::json!({ "answer": a, "comment": comment })
}

fn note_ok(field: String, text: &Option<String>, errors: &mut Vec<FieldError>) {
    if let Some(t) = text
        && t.chars().count() > MAX_NOTE_CHARS
    {
        errors.push(FieldError::new(
            field,
            Msg::new("store-note-too-long").arg("max", MAX_NOTE_CHARS),
        ));
    }
}

/// Checks inputs against the catalogs and the organisation's sites; all
/// problems are returned together.
pub(crate) fn validate_inputs(
    cats: &Catalogs,
    inputs: &[ValueInput],
    site_ids: &[String],
) -> std::result::Result<(), Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for (i, inp) in inputs.iter().enumerate() {
        let at = |f: &str| format!("values[{i}].{f}");
        let Some(dp) = cats.datapoint(&inp.datapoint) else {
            errors.push(FieldError::new(
                at("datapoint"),
                Msg::new("store-unknown-datapoint").arg("id", &inp.datapoint),
            ));
            continue;
        };
        if !seen.insert((inp.datapoint.as_str(), inp.breakdown.as_str())) {
            errors.push(FieldError::new(
                at("breakdown"),
                Msg::new("store-duplicate-value")
                    .arg("id", &inp.datapoint)
                    .arg("breakdown", &inp.breakdown),
            ));
        }
        if let Err(m) = check_breakdown_key(cats, dp, &inp.breakdown, site_ids) {
            errors.push(FieldError::new(at("breakdown"), m));
        }
        match &inp.answer {
            Answer::Value(v) => {
                // The canonical form, read as if typed, must give the same
                // value for this data point: that applies every check of
                // kind, unit dimension, range and precision.
                let (text, unit) = v.encode();
                match Value::parse(dp, &text, unit.as_deref(), ReferenceData::embedded()) {
                    Ok(back) if &back == v => {}
                    Ok(_) => errors.push(FieldError::new(
                        at("answer"),
                        Msg::new("store-value-kind").arg("kind", dp.kind.as_str()),
                    )),
                    Err(m) => errors.push(FieldError::new(at("answer"), m)),
                }
            }
            Answer::NotDisclosed { reason } if reason.trim().is_empty() => {
                errors.push(FieldError::new(
                    at("answer"),
                    Msg::new("store-reason-required"),
                ));
            }
            _ => {}
        }
        note_ok(at("comment"), &inp.comment, &mut errors);
        if let Answer::NotApplicable { reason } = &inp.answer {
            note_ok(at("reason"), reason, &mut errors);
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

impl Tx<'_> {
    pub(crate) async fn site_ids(&mut self, org_id: &str) -> Result<Vec<String>> {
        Ok(
            sqlx::query_scalar("SELECT site_id FROM sites WHERE org_id = $1")
                .bind(org_id)
                .fetch_all(self.conn_mut())
                .await?,
        )
    }

    pub(crate) async fn check_period(&mut self, org_id: &str, period_id: &str) -> Result<()> {
        let n: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM reporting_periods WHERE org_id = $1 AND period_id = $2",
        )
        .bind(org_id)
        .bind(period_id)
        .fetch_one(self.conn_mut())
        .await?;
        if n == 0 {
            return Err(StoreError::NotFound {
                entity: "reporting_period",
                id: period_id.to_string(),
            });
        }
        Ok(())
    }

    /// Stores answers; only those that differ from what is stored are
    /// written (and audited). A changed value goes back to draft.
    pub async fn put_values(
        &mut self,
        org_id: &str,
        period_id: &str,
        inputs: &[ValueInput],
        source: &Source,
    ) -> Result<PutReport> {
        let actor = self.actor();
        check_write(actor, org_id)?;
        self.check_period(org_id, period_id).await?;
        let cats = Catalogs::embedded();
        let sites = self.site_ids(org_id).await?;
        validate_inputs(cats, inputs, &sites).map_err(StoreError::Invalid)?;
        let existing = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {VALUE_COLUMNS} FROM data_values WHERE org_id = $1 AND period_id = $2"
        )))
        .bind(org_id)
        .bind(period_id)
        .fetch_all(self.conn_mut())
        .await?;
        let mut stored: BTreeMap<(String, String), (Answer, Option<String>, i64)> = BTreeMap::new();
        for r in &existing {
            stored.insert(
                (r.try_get("datapoint_id")?, r.try_get("breakdown")?),
                (
                    decode_answer(cats, r)?,
                    r.try_get("comment")?,
                    r.try_get("version")?,
                ),
            );
        }
        let (source_kind, source_ref) = source.parts();
        let mut report = PutReport::default();
        let at = now();
        // New rows go in with multi-row inserts; every change is audited.
        let mut created = Vec::new();
        let mut audits: Vec<(
            String,
            &'static str,
            Option<serde_json::Value>,
            serde_json::Value,
        )> = Vec::new();
        for inp in inputs {
            let key = (inp.datapoint.clone(), inp.breakdown.clone());
            let comment = inp.comment.clone().filter(|c| !c.trim().is_empty());
            let id = format!("{period_id}/{}/{}", inp.datapoint, inp.breakdown);
            match stored.get(&key) {
                Some((a, c, _)) if *a == inp.answer && *c == comment => {
                    report.unchanged += 1;
                }
                Some((a, c, version)) => {
                    let (kind, text, unit, reason) = encode_answer(&inp.answer);
                    sqlx::query(
                        "UPDATE data_values SET answer = $1, value_text = $2, unit = $3, \
                         reason = $4, comment = $5, source = $6, source_ref = $7, \
                         status = 'draft', version = $8, entered_by = $9, entered_at = $10, \
                         reviewed_by = NULL, reviewed_at = NULL \
                         WHERE org_id = $11 AND period_id = $12 AND datapoint_id = $13 \
                         AND breakdown = $14",
                    )
                    .bind(kind)
                    .bind(text)
                    .bind(unit)
                    .bind(reason)
                    .bind(&comment)
                    .bind(source_kind)
                    .bind(source_ref)
                    .bind(version + 1)
                    .bind(&actor.user_id)
                    .bind(&at)
                    .bind(org_id)
                    .bind(period_id)
                    .bind(&inp.datapoint)
                    .bind(&inp.breakdown)
                    .execute(self.conn_mut())
                    .await?;
                    audits.push((
                        id,
                        "update",
                        Some(audit_json(a, c)),
                        audit_json(&inp.answer, &comment),
                    ));
                    report.changed += 1;
                }
                None => {
                    audits.push((id, "create", None, audit_json(&inp.answer, &comment)));
                    created.push((inp, comment));
                    report.created += 1;
                }
            }
        }
        for chunk in created.chunks(VALUE_CHUNK) {
            let sql = format!(
                "INSERT INTO data_values (org_id, period_id, datapoint_id, breakdown, answer, \
                 value_text, unit, reason, comment, source, source_ref, status, version, \
                 entered_by, entered_at) VALUES {}",
                placeholders(chunk.len(), 15)
            );
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for (inp, comment) in chunk {
                let (kind, text, unit, reason) = encode_answer(&inp.answer);
                q = q
                    .bind(org_id)
                    .bind(period_id)
                    .bind(&inp.datapoint)
                    .bind(&inp.breakdown)
                    .bind(kind)
                    .bind(text)
                    .bind(unit)
                    .bind(reason)
                    .bind(comment.clone())
                    .bind(source_kind)
                    .bind(source_ref)
                    .bind("draft")
                    .bind(1i64)
                    .bind(&actor.user_id)
                    .bind(&at);
            }
            q.execute(self.conn_mut()).await?;
        }
        let changes = audits
            .iter()
            .map(|(id, action, before, after)| Change {
                tenant: org_id,
                entity: "data_value",
                entity_id: id,
                action,
                before: before.clone(),
                after: Some(after.clone()),
            })
            .collect();
        record_many(self.conn_mut(), actor, changes).await?;
        Ok(report)
    }
}

impl Store {
    /// The reporting period of an organisation for a fiscal year.
    pub async fn period_for_year(
        &self,
        actor: &Principal,
        org_id: &str,
        year: i32,
    ) -> Result<PeriodRecord> {
        self.list_periods(actor, org_id)
            .await?
            .into_iter()
            .find(|p| p.fiscal_year == year)
            .ok_or_else(|| StoreError::NotFound {
                entity: "reporting_period",
                id: year.to_string(),
            })
    }

    pub(crate) fn check_read_data(actor: &Principal, org_id: &str) -> Result<()> {
        if !actor.can_read_org(org_id) {
            return Err(org_not_found(org_id));
        }
        if !actor.can_read_esg_data(org_id) {
            return Err(StoreError::Forbidden {
                action: "read-values",
            });
        }
        Ok(())
    }

    /// Every stored answer of an organisation for a period.
    pub async fn list_values(
        &self,
        actor: &Principal,
        org_id: &str,
        period_id: &str,
    ) -> Result<Vec<ValueRecord>> {
        Self::check_read_data(actor, org_id)?;
        let cats = Catalogs::embedded();
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {VALUE_COLUMNS} FROM data_values WHERE org_id = $1 AND period_id = $2 \
             ORDER BY datapoint_id, breakdown"
        )))
        .bind(org_id)
        .bind(period_id)
        .fetch_all(&self.pool)
        .await?;
        let links = sqlx::query(
            "SELECT datapoint_id, breakdown, sha256 FROM value_evidence \
             WHERE org_id = $1 AND period_id = $2 ORDER BY linked_at",
        )
        .bind(org_id)
        .bind(period_id)
        .fetch_all(&self.pool)
        .await?;
        let mut evidence: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
        for l in &links {
            evidence
                .entry((l.try_get("datapoint_id")?, l.try_get("breakdown")?))
                .or_default()
                .push(l.try_get("sha256")?);
        }
        rows.iter()
            .map(|r| {
                let key = (r.try_get("datapoint_id")?, r.try_get("breakdown")?);
                record_from_row(cats, r, evidence.remove(&key).unwrap_or_default())
            })
            .collect()
    }

    /// Stores answers in one transaction (see [`Tx::put_values`]).
    pub async fn put_values(
        &self,
        actor: &Principal,
        org_id: &str,
        period_id: &str,
        inputs: &[ValueInput],
        source: &Source,
    ) -> Result<PutReport> {
        let mut tx = self.begin(actor).await?;
        let report = tx.put_values(org_id, period_id, inputs, source).await?;
        tx.commit().await?;
        Ok(report)
    }

    /// Removes an answer (kept in the audit log).
    pub async fn clear_value(
        &self,
        actor: &Principal,
        org_id: &str,
        period_id: &str,
        datapoint: &str,
        breakdown: &str,
    ) -> Result<()> {
        check_write(actor, org_id)?;
        let cats = Catalogs::embedded();
        let mut tx = self.begin(actor).await?;
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {VALUE_COLUMNS} FROM data_values WHERE org_id = $1 AND period_id = $2 \
             AND datapoint_id = $3 AND breakdown = $4"
        )))
        .bind(org_id)
        .bind(period_id)
        .bind(datapoint)
        .bind(breakdown)
        .fetch_optional(tx.conn_mut())
        .await?
        .ok_or_else(|| StoreError::NotFound {
            entity: "data_value",
            id: format!("{datapoint}/{breakdown}"),
        })?;
        let before = audit_json(&decode_answer(cats, &row)?, &row.try_get("comment")?);
        sqlx::query(
            "DELETE FROM value_evidence WHERE org_id = $1 AND period_id = $2 \
             AND datapoint_id = $3 AND breakdown = $4",
        )
        .bind(org_id)
        .bind(period_id)
        .bind(datapoint)
        .bind(breakdown)
        .execute(tx.conn_mut())
        .await?;
        sqlx::query(
            "DELETE FROM data_values WHERE org_id = $1 AND period_id = $2 \
             AND datapoint_id = $3 AND breakdown = $4",
        )
        .bind(org_id)
        .bind(period_id)
        .bind(datapoint)
        .bind(breakdown)
        .execute(tx.conn_mut())
        .await?;
        let id = format!("{period_id}/{datapoint}/{breakdown}");
        record(
            tx.conn_mut(),
            actor,
            Change {
                tenant: org_id,
                entity: "data_value",
                entity_id: &id,
                action: "delete",
                before: Some(before),
                after: None,
            },
        )
        .await?;
        tx.commit().await
    }

    /// Marks draft answers as reviewed. The reviewer must not be the person
    /// who entered the value (four eyes). Returns how many were reviewed;
    /// `keys` empty means every draft of the period.
    pub async fn review_values(
        &self,
        actor: &Principal,
        org_id: &str,
        period_id: &str,
        keys: &[(String, String)],
    ) -> Result<usize> {
        let values = self.list_values(actor, org_id, period_id).await?;
        if !actor.can_write_org(org_id) {
            return Err(StoreError::Forbidden {
                action: "review-values",
            });
        }
        let chosen: Vec<&ValueRecord> = values
            .iter()
            .filter(|v| v.status == "draft")
            .filter(|v| {
                keys.is_empty()
                    || keys
                        .iter()
                        .any(|(d, b)| *d == v.datapoint && *b == v.breakdown)
            })
            .collect();
        if let Some(own) = chosen.iter().find(|v| v.entered_by == actor.user_id) {
            return Err(StoreError::Conflict(
                Msg::new("store-review-own").arg("id", &own.datapoint),
            ));
        }
        let mut tx = self.begin(actor).await?;
        let at = now();
        for v in &chosen {
            sqlx::query(
                "UPDATE data_values SET status = 'reviewed', reviewed_by = $1, reviewed_at = $2 \
                 WHERE org_id = $3 AND period_id = $4 AND datapoint_id = $5 AND breakdown = $6 \
                 AND version = $7",
            )
            .bind(&actor.user_id)
            .bind(&at)
            .bind(org_id)
            .bind(period_id)
            .bind(&v.datapoint)
            .bind(&v.breakdown)
            .bind(v.version)
            .execute(tx.conn_mut())
            .await?;
            let id = format!("{period_id}/{}/{}", v.datapoint, v.breakdown);
            record(
                tx.conn_mut(),
                actor,
                Change {
                    tenant: org_id,
                    entity: "data_value",
                    entity_id: &id,
                    action: "review",
                    before: Some(serde_json::json!({ "status": "draft" })),
                    after: Some(serde_json::json!({ "status": "reviewed" })),
                },
            )
            .await?;
        }
        tx.commit().await?;
        Ok(chosen.len())
    }

    /// Stores an evidence file (content-addressed: the same bytes are kept
    /// once per organisation) and links it to an answer.
    #[allow(clippy::too_many_arguments)]
    pub async fn attach_evidence(
        &self,
        actor: &Principal,
        org_id: &str,
        period_id: &str,
        datapoint: &str,
        breakdown: &str,
        file_name: &str,
        content_type: &str,
        bytes: &[u8],
    ) -> Result<String> {
        check_write(actor, org_id)?;
        if bytes.is_empty() || bytes.len() > MAX_EVIDENCE_BYTES {
            return Err(StoreError::Conflict(
                Msg::new("store-evidence-size")
                    .arg("size", bytes.len())
                    .arg("max", MAX_EVIDENCE_BYTES),
            ));
        }
        let name = file_name.trim();
        if name.is_empty() || name.chars().count() > 255 {
            return Err(StoreError::Conflict(Msg::new("store-evidence-name")));
        }
        let sha = hex::encode(Sha256::digest(bytes));
        let mut tx = self.begin(actor).await?;
        let has_value: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM data_values WHERE org_id = $1 AND period_id = $2 \
             AND datapoint_id = $3 AND breakdown = $4",
        )
        .bind(org_id)
        .bind(period_id)
        .bind(datapoint)
        .bind(breakdown)
        .fetch_one(tx.conn_mut())
        .await?;
        if has_value == 0 {
            return Err(StoreError::NotFound {
                entity: "data_value",
                id: format!("{datapoint}/{breakdown}"),
            });
        }
        let known: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM evidence_files WHERE org_id = $1 AND sha256 = $2",
        )
        .bind(org_id)
        .bind(&sha)
        .fetch_one(tx.conn_mut())
        .await?;
        let at = now();
        if known == 0 {
            sqlx::query(
                "INSERT INTO evidence_files (org_id, sha256, file_name, content_type, \
                 size_bytes, content_b64, uploaded_by, uploaded_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(org_id)
            .bind(&sha)
            .bind(name)
            .bind(content_type)
            .bind(bytes.len() as i64)
            .bind(base64::engine::general_purpose::STANDARD.encode(bytes))
            .bind(&actor.user_id)
            .bind(&at)
            .execute(tx.conn_mut())
            .await?;
        }
        let linked: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM value_evidence WHERE org_id = $1 AND period_id = $2 \
             AND datapoint_id = $3 AND breakdown = $4 AND sha256 = $5",
        )
        .bind(org_id)
        .bind(period_id)
        .bind(datapoint)
        .bind(breakdown)
        .bind(&sha)
        .fetch_one(tx.conn_mut())
        .await?;
        if linked == 0 {
            sqlx::query(
                "INSERT INTO value_evidence (org_id, period_id, datapoint_id, breakdown, sha256, \
                 linked_by, linked_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(org_id)
            .bind(period_id)
            .bind(datapoint)
            .bind(breakdown)
            .bind(&sha)
            .bind(&actor.user_id)
            .bind(&at)
            .execute(tx.conn_mut())
            .await?;
            let id = format!("{period_id}/{datapoint}/{breakdown}");
            record(
                tx.conn_mut(),
                actor,
                Change {
                    tenant: org_id,
                    entity: "value_evidence",
                    entity_id: &id,
                    action: "attach",
                    before: None,
                    after: Some(serde_json::json!({
                        "sha256": sha, "file_name": name, "size_bytes": bytes.len(),
                    })),
                },
            )
            .await?;
        }
        tx.commit().await?;
        Ok(sha)
    }

    /// An evidence file and its content.
    pub async fn evidence(
        &self,
        actor: &Principal,
        org_id: &str,
        sha256: &str,
    ) -> Result<(EvidenceInfo, Vec<u8>)> {
        Self::check_read_data(actor, org_id)?;
        let row = sqlx::query(
            "SELECT sha256, file_name, content_type, size_bytes, content_b64, uploaded_by, \
             uploaded_at FROM evidence_files WHERE org_id = $1 AND sha256 = $2",
        )
        .bind(org_id)
        .bind(sha256)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| StoreError::NotFound {
            entity: "evidence",
            id: sha256.to_string(),
        })?;
        let b64: String = row.try_get("content_b64")?;
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(b64)
            .map_err(corrupt)?;
        if hex::encode(Sha256::digest(&bytes)) != sha256 {
            return Err(corrupt(format!(
                "evidence {sha256} does not match its digest"
            )));
        }
        Ok((
            EvidenceInfo {
                sha256: row.try_get("sha256")?,
                file_name: row.try_get("file_name")?,
                content_type: row.try_get("content_type")?,
                size_bytes: row.try_get("size_bytes")?,
                uploaded_by: row.try_get("uploaded_by")?,
                uploaded_at: row.try_get("uploaded_at")?,
            },
            bytes,
        ))
    }

    /// Keeps a checked spreadsheet upload until the user confirms it.
    pub async fn save_pending_upload(
        &self,
        actor: &Principal,
        org_id: &str,
        period_id: &str,
        catalog_key: &str,
        file_name: &str,
        inputs: &[ValueInput],
    ) -> Result<String> {
        check_write(actor, org_id)?;
        let id = new_id();
        let _w = self.writer().await;
        sqlx::query(
            "INSERT INTO pending_uploads (org_id, upload_id, period_id, catalog_key, file_name, \
             changes, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(org_id)
        .bind(&id)
        .bind(period_id)
        .bind(catalog_key)
        .bind(file_name)
        .bind(serde_json::to_string(inputs).map_err(corrupt)?)
        .bind(&actor.user_id)
        .bind(now())
        .execute(&self.pool)
        .await?;
        Ok(id)
    }

    /// Applies a pending upload (only by the user who uploaded it) and
    /// removes it, in one transaction.
    pub async fn confirm_pending_upload(
        &self,
        actor: &Principal,
        org_id: &str,
        upload_id: &str,
    ) -> Result<(PendingUpload, PutReport)> {
        if !actor.can_read_org(org_id) {
            return Err(org_not_found(org_id));
        }
        let mut tx = self.begin(actor).await?;
        let row = sqlx::query(
            "SELECT upload_id, period_id, catalog_key, file_name, changes, created_by \
             FROM pending_uploads WHERE org_id = $1 AND upload_id = $2",
        )
        .bind(org_id)
        .bind(upload_id)
        .fetch_optional(tx.conn_mut())
        .await?
        .ok_or_else(|| StoreError::NotFound {
            entity: "upload",
            id: upload_id.to_string(),
        })?;
        let created_by: String = row.try_get("created_by")?;
        if created_by != actor.user_id {
            return Err(StoreError::NotFound {
                entity: "upload",
                id: upload_id.to_string(),
            });
        }
        let changes: String = row.try_get("changes")?;
        let pending = PendingUpload {
            upload_id: row.try_get("upload_id")?,
            period_id: row.try_get("period_id")?,
            catalog_key: row.try_get("catalog_key")?,
            file_name: row.try_get("file_name")?,
            inputs: serde_json::from_str(&changes).map_err(corrupt)?,
            created_by,
        };
        let report = tx
            .put_values(
                org_id,
                &pending.period_id,
                &pending.inputs,
                &Source::Import {
                    file: pending.file_name.clone(),
                },
            )
            .await?;
        sqlx::query("DELETE FROM pending_uploads WHERE org_id = $1 AND upload_id = $2")
            .bind(org_id)
            .bind(upload_id)
            .execute(tx.conn_mut())
            .await?;
        tx.commit().await?;
        Ok((pending, report))
    }
}
