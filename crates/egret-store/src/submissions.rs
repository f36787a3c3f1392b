//! Submitted disclosures. Submitting freezes what a catalog asks of an
//! organisation for a period — the organisation, the period, every stored
//! answer the catalog uses with its provenance, and the completeness — as
//! canonical JSON, and chains it: each submission's SHA-256 digest covers
//! the previous submission's digest of the same organisation and its own
//! snapshot. Nothing submitted is edited or deleted: a correction is a new
//! version with a reason; publication and withdrawal are recorded events.
//! [`Store::verify_chains`] recomputes every chain.

use std::collections::BTreeSet;

use egret_domain::access::Principal;
use egret_domain::catalog::Catalogs;
use egret_domain::completeness::{ReqStatus, completeness};
use egret_domain::org::FieldError;
use egret_domain::refdata::ReferenceData;
use egret_i18n::Msg;
use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::audit::{Change, record};
use crate::data::{MAX_NOTE_CHARS, answer_states, check_write};
use crate::db::{new_id, now};
use crate::orgs::PeriodRecord;
use crate::{Result, Store, StoreError};

/// The figure of a stored answer (quantities, amounts, percentages,
/// counts), if it is one.
fn figure_of(v: &crate::ValueRecord) -> Option<(rust_decimal::Decimal, &str)> {
    match &v.answer {
        egret_domain::value::Answer::Value(x) => x.figure(),
        _ => None,
    }
}

/// The digest before an organisation's first submission.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// A submission as stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SubmissionRecord {
    pub org_id: String,
    pub submission_id: String,
    pub seq: i64,
    pub period_id: String,
    pub fiscal_year: i32,
    pub catalog_key: String,
    pub version: i64,
    pub reason: Option<String>,
    pub prev_digest: String,
    pub digest: String,
    pub submitted_by: String,
    pub submitted_at: String,
    /// draft-free states: submitted | published | withdrawn
    pub status: String,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub snapshot: serde_json::Value,
}

/// A chain link that does not hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrokenLink {
    pub org_id: String,
    pub submission_id: String,
    pub seq: i64,
    /// What is wrong, in English (for operators).
    pub problem: String,
}

/// The canonical text of a JSON value: keys sorted (serde_json's map is
/// ordered), no insignificant whitespace.
pub fn canonical(v: &serde_json::Value) -> String {
    v.to_string()
}

/// SHA-256 over the previous digest, a newline and the canonical snapshot.
pub fn chain_digest(prev: &str, canonical_snapshot: &str) -> String {
    let mut h = Sha256::new();
    h.update(prev.as_bytes());
    h.update(b"\n");
    h.update(canonical_snapshot.as_bytes());
    hex::encode(h.finalize())
}

const COLUMNS: &str = "s.org_id, s.submission_id, s.seq, s.period_id, p.fiscal_year, \
    s.catalog_key, s.version, s.reason, s.prev_digest, s.digest, s.submitted_by, \
    s.submitted_at, s.snapshot, \
    (SELECT e.action FROM submission_events e WHERE e.org_id = s.org_id \
     AND e.submission_id = s.submission_id ORDER BY e.at DESC, e.event_id DESC LIMIT 1) AS last_event";

fn submission(r: &AnyRow) -> Result<SubmissionRecord> {
    let snapshot: String = r.try_get("snapshot")?;
    let last: Option<String> = r.try_get("last_event")?;
    Ok(SubmissionRecord {
        org_id: r.try_get("org_id")?,
        submission_id: r.try_get("submission_id")?,
        seq: r.try_get("seq")?,
        period_id: r.try_get("period_id")?,
        fiscal_year: i32::try_from(r.try_get::<i64, _>("fiscal_year")?)
            .map_err(|_| crate::error::corrupt("fiscal year"))?,
        catalog_key: r.try_get("catalog_key")?,
        version: r.try_get("version")?,
        reason: r.try_get("reason")?,
        prev_digest: r.try_get("prev_digest")?,
        digest: r.try_get("digest")?,
        submitted_by: r.try_get("submitted_by")?,
        submitted_at: r.try_get("submitted_at")?,
        status: match last.as_deref() {
            Some("publish") => "published".into(),
            Some("withdraw") => "withdrawn".into(),
            _ => "submitted".into(),
        },
        snapshot: serde_json::from_str(&snapshot)
            .map_err(|e| crate::error::corrupt(format!("snapshot: {e}")))?,
    })
}

impl Store {
    /// Submits the organisation's disclosure under `catalog_key` for a
    /// period. Refused, listing them, while required data points are
    /// neither answered nor explained. A later submission of the same
    /// period and catalog is a correction and needs a reason.
    pub async fn submit(
        &self,
        actor: &Principal,
        period: &PeriodRecord,
        catalog_key: &str,
        reason: Option<&str>,
    ) -> Result<SubmissionRecord> {
        let org_id = &period.org_id;
        check_write(actor, org_id)?;
        let cats = Catalogs::embedded();
        let rd = ReferenceData::embedded();
        let catalog = cats
            .catalog(catalog_key)
            .ok_or_else(|| StoreError::NotFound {
                entity: "catalog",
                id: catalog_key.to_string(),
            })?;
        let org = self.get_org(actor, org_id).await?;
        let values = self.list_values(actor, org_id, &period.period_id).await?;
        let comp = completeness(cats, catalog, &org.profile, rd, &answer_states(&values));
        let missing: Vec<FieldError> = comp
            .rows
            .iter()
            .filter(|r| {
                r.status == ReqStatus::Missing
                    && r.requirement.obligation == egret_domain::catalog::Obligation::Required
            })
            .map(|r| {
                FieldError::new(
                    format!("datapoints.{}", r.datapoint.id),
                    Msg::new("store-submit-missing")
                        .arg("id", &r.datapoint.id)
                        .arg("name", &r.datapoint.name_zh)
                        .arg(
                            "reference",
                            r.requirement.reference.clone().unwrap_or_default(),
                        ),
                )
            })
            .collect();
        if !missing.is_empty() {
            return Err(StoreError::Invalid(missing));
        }
        let reason = reason.map(str::trim).filter(|r| !r.is_empty());
        if reason.is_some_and(|r| r.chars().count() > MAX_NOTE_CHARS) {
            return Err(StoreError::Invalid(vec![FieldError::new(
                "reason",
                Msg::new("store-note-too-long").arg("max", MAX_NOTE_CHARS),
            )]));
        }
        let used: BTreeSet<&str> = comp.rows.iter().map(|r| r.datapoint.id.as_str()).collect();
        let narratives = self.narratives(actor, period, catalog_key).await?;
        // Comparatives: the stored figures (quantities, amounts, shares,
        // counts) of the two preceding fiscal years, frozen with this
        // submission.
        let mut prior = Vec::new();
        for p in self.list_periods(actor, org_id).await? {
            if p.fiscal_year < period.fiscal_year && p.fiscal_year >= period.fiscal_year - 2 {
                for v in self.list_values(actor, org_id, &p.period_id).await? {
                    if figure_of(&v).is_some() && used.contains(v.datapoint.as_str()) {
                        prior.push(serde_json::json!({
                            "fiscal_year": p.fiscal_year,
                            "datapoint": v.datapoint,
                            "breakdown": v.breakdown,
                            "answer": v.answer,
                        }));
                    }
                }
            }
        }
        let mut tx = self.begin(actor).await?;
        // The chain's head and this period and catalog's last version, read
        // inside the write transaction (writers are serialised).
        let head = sqlx::query(
            "SELECT seq, digest FROM submissions WHERE org_id = $1 ORDER BY seq DESC LIMIT 1",
        )
        .bind(org_id)
        .fetch_optional(tx.conn_mut())
        .await?;
        let (seq, prev) = match head {
            Some(r) => (
                r.try_get::<i64, _>("seq")? + 1,
                r.try_get::<String, _>("digest")?,
            ),
            None => (1, GENESIS.to_string()),
        };
        let version: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM submissions WHERE org_id = $1 AND period_id = $2 \
             AND catalog_key = $3",
        )
        .bind(org_id)
        .bind(&period.period_id)
        .bind(catalog_key)
        .fetch_one(tx.conn_mut())
        .await?;
        let version = version + 1;
        if version > 1 && reason.is_none() {
            return Err(StoreError::Invalid(vec![FieldError::new(
                "reason",
                Msg::new("store-submit-reason"),
            )]));
        }
        let at = now();
        let counts = comp.counts();
        let snapshot = serde_json::json!({
            "format": "egret-submission/2",
            "organisation": {
                "org_id": org_id,
                "uscc": org.profile.uscc.as_str(),
                "name_zh": org.profile.name_zh,
                "name_en": org.profile.name_en,
            },
            "period": {
                "fiscal_year": period.fiscal_year,
                "start": period.start,
                "end": period.end,
            },
            "catalog": catalog.key(),
            "version": version,
            "reason": reason,
            "submitted_by": actor.user_id,
            "submitted_at": at,
            "completeness": {
                "applicable": counts.applicable,
                "answered": counts.answered,
                "explained": counts.explained,
                "missing": counts.missing,
            },
            "requirements": comp.rows.iter().map(|r| serde_json::json!({
                "id": r.requirement.id,
                "datapoint": r.datapoint.id,
                "reference": r.requirement.reference,
                "obligation": r.requirement.obligation.as_str(),
                "status": r.status.as_str(),
            })).collect::<Vec<_>>(),
            "values": values.iter().filter(|v| used.contains(v.datapoint.as_str())).map(|v| serde_json::json!({
                "datapoint": v.datapoint,
                "breakdown": v.breakdown,
                "answer": v.answer,
                "comment": v.comment,
                "source": v.source,
                "source_ref": v.source_ref,
                "status": v.status,
                "version": v.version,
                "entered_by": v.entered_by,
                "entered_at": v.entered_at,
                "reviewed_by": v.reviewed_by,
                "evidence": v.evidence,
            })).collect::<Vec<_>>(),
            "narratives": narratives.iter().map(|n| serde_json::json!({
                "section": n.section,
                "lang": n.lang,
                "body": n.body,
                "version": n.version,
                "written_by": n.written_by,
                "written_at": n.written_at,
            })).collect::<Vec<_>>(),
            "prior": prior,
        });
        let text = canonical(&snapshot);
        let digest = chain_digest(&prev, &text);
        let id = new_id();
        sqlx::query(
            "INSERT INTO submissions (org_id, submission_id, seq, period_id, catalog_key, \
             version, reason, snapshot, prev_digest, digest, submitted_by, submitted_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .bind(org_id)
        .bind(&id)
        .bind(seq)
        .bind(&period.period_id)
        .bind(catalog.key())
        .bind(version)
        .bind(reason)
        .bind(&text)
        .bind(&prev)
        .bind(&digest)
        .bind(&actor.user_id)
        .bind(&at)
        .execute(tx.conn_mut())
        .await?;
        // The submission's facts (totals only): numbers with their unit;
        // other answers as what the ratings need — a boolean's value, or
        // that it was answered or explained.
        let facts: Vec<(&str, String, String)> = values
            .iter()
            .filter(|v| used.contains(v.datapoint.as_str()) && v.breakdown.is_empty())
            .map(|v| {
                use egret_domain::value::{Answer, Value};
                let (text, unit) = match (&v.answer, figure_of(v)) {
                    (_, Some((amount, unit))) => (amount.normalize().to_string(), unit.to_string()),
                    (Answer::Value(Value::Boolean(b)), _) => {
                        (if *b { "1" } else { "0" }.to_string(), "bool".to_string())
                    }
                    (Answer::Value(_), _) => (String::new(), "answered".to_string()),
                    _ => (String::new(), "explained".to_string()),
                };
                (v.datapoint.as_str(), text, unit)
            })
            .collect();
        for chunk in facts.chunks(200) {
            let sql = format!(
                "INSERT INTO submission_figures (org_id, submission_id, datapoint_id, value_text, \
                 unit) VALUES {}",
                crate::db::placeholders(chunk.len(), 5)
            );
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for (dp, text, unit) in chunk {
                q = q.bind(org_id).bind(&id).bind(*dp).bind(text).bind(unit);
            }
            q.execute(tx.conn_mut()).await?;
        }
        record(
            tx.conn_mut(),
            actor,
            Change {
                tenant: org_id,
                entity: "submission",
                entity_id: &id,
                action: "create",
                before: None,
                after: Some(serde_json::json!({
                    "seq": seq, "catalog": catalog.key(), "version": version, "digest": digest,
                })),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(SubmissionRecord {
            org_id: org_id.clone(),
            submission_id: id,
            seq,
            period_id: period.period_id.clone(),
            fiscal_year: period.fiscal_year,
            catalog_key: catalog.key(),
            version,
            reason: reason.map(str::to_string),
            prev_digest: prev,
            digest,
            submitted_by: actor.user_id.clone(),
            submitted_at: at,
            status: "submitted".into(),
            snapshot,
        })
    }

    /// Publishes or withdraws a submission (recorded as an event; a
    /// withdrawal needs a reason).
    pub async fn submission_event(
        &self,
        actor: &Principal,
        org_id: &str,
        submission_id: &str,
        action: &str,
        reason: Option<&str>,
    ) -> Result<()> {
        check_write(actor, org_id)?;
        let action: &'static str = match action {
            "publish" => "publish",
            "withdraw" => "withdraw",
            other => {
                return Err(StoreError::Invalid(vec![FieldError::new(
                    "action",
                    Msg::new("store-submit-action").arg("value", other),
                )]));
            }
        };
        let reason = reason.map(str::trim).filter(|r| !r.is_empty());
        if action == "withdraw" && reason.is_none() {
            return Err(StoreError::Invalid(vec![FieldError::new(
                "reason",
                Msg::new("store-withdraw-reason"),
            )]));
        }
        let current = self.submission(actor, org_id, submission_id).await?;
        let allowed = matches!(
            (current.status.as_str(), action),
            ("submitted" | "withdrawn", "publish") | ("published" | "submitted", "withdraw")
        );
        if !allowed {
            return Err(StoreError::Invalid(vec![FieldError::new(
                "action",
                Msg::new("store-submit-state")
                    .arg("status", &current.status)
                    .arg("action", action),
            )]));
        }
        let mut tx = self.begin(actor).await?;
        let event = new_id();
        sqlx::query(
            "INSERT INTO submission_events (org_id, submission_id, event_id, action, reason, \
             actor, at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(org_id)
        .bind(submission_id)
        .bind(&event)
        .bind(action)
        .bind(reason)
        .bind(&actor.user_id)
        .bind(now())
        .execute(tx.conn_mut())
        .await?;
        record(
            tx.conn_mut(),
            actor,
            Change {
                tenant: org_id,
                entity: "submission",
                entity_id: submission_id,
                action,
                before: Some(serde_json::json!({ "status": current.status })),
                after: Some(serde_json::json!({ "reason": reason })),
            },
        )
        .await?;
        tx.commit().await
    }

    /// One submission: for whoever may read the organisation's ESG data,
    /// and for everyone once it is published.
    pub async fn submission(
        &self,
        actor: &Principal,
        org_id: &str,
        submission_id: &str,
    ) -> Result<SubmissionRecord> {
        let not_found = || StoreError::NotFound {
            entity: "submission",
            id: submission_id.to_string(),
        };
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM submissions s JOIN reporting_periods p \
             ON p.org_id = s.org_id AND p.period_id = s.period_id \
             WHERE s.org_id = $1 AND s.submission_id = $2"
        )))
        .bind(org_id)
        .bind(submission_id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(not_found)?;
        let rec = submission(&row)?;
        if rec.status == "published" || actor.can_read_esg_data(org_id) {
            Ok(rec)
        } else {
            Err(not_found())
        }
    }

    /// An organisation's submissions, newest first (published ones only
    /// for those who may not read its ESG data).
    pub async fn list_submissions(
        &self,
        actor: &Principal,
        org_id: &str,
    ) -> Result<Vec<SubmissionRecord>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM submissions s JOIN reporting_periods p \
             ON p.org_id = s.org_id AND p.period_id = s.period_id \
             WHERE s.org_id = $1 ORDER BY s.seq DESC"
        )))
        .bind(org_id)
        .fetch_all(&self.pool)
        .await?;
        let all = rows.iter().map(submission).collect::<Result<Vec<_>>>()?;
        Ok(if actor.can_read_esg_data(org_id) {
            all
        } else {
            all.into_iter()
                .filter(|s| s.status == "published")
                .collect()
        })
    }

    /// Published submissions of all organisations, newest first (public).
    pub async fn published_submissions(&self, limit: i64) -> Result<Vec<SubmissionRecord>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT * FROM (SELECT {COLUMNS} FROM submissions s JOIN reporting_periods p \
             ON p.org_id = s.org_id AND p.period_id = s.period_id) x \
             WHERE x.last_event = 'publish' ORDER BY x.submitted_at DESC LIMIT $1"
        )))
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(submission).collect()
    }

    /// Recomputes every organisation's chain: each snapshot's canonical
    /// form and digest, each link to the previous digest, and gapless
    /// sequence numbers. Returns every link that does not hold. An
    /// operator's check: it reads all tenants.
    pub async fn verify_chains(&self) -> Result<(usize, Vec<BrokenLink>)> {
        let rows = sqlx::query(
            "SELECT org_id, submission_id, seq, snapshot, prev_digest, digest \
             FROM submissions ORDER BY org_id, seq",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut broken = Vec::new();
        let mut prev: Option<(String, i64, String)> = None;
        for r in &rows {
            let org: String = r.try_get("org_id")?;
            let id: String = r.try_get("submission_id")?;
            let seq: i64 = r.try_get("seq")?;
            let text: String = r.try_get("snapshot")?;
            let prev_digest: String = r.try_get("prev_digest")?;
            let digest: String = r.try_get("digest")?;
            let mut bad = |problem: String| {
                broken.push(BrokenLink {
                    org_id: org.clone(),
                    submission_id: id.clone(),
                    seq,
                    problem,
                })
            };
            let (expect_seq, expect_prev) = match &prev {
                Some((o, s, d)) if *o == org => (s + 1, d.clone()),
                _ => (1, GENESIS.to_string()),
            };
            if seq != expect_seq {
                bad(format!("sequence {seq}, expected {expect_seq}"));
            }
            if prev_digest != expect_prev {
                bad("previous digest does not match the chain".into());
            }
            match serde_json::from_str::<serde_json::Value>(&text) {
                Ok(v) if canonical(&v) == text => {
                    if chain_digest(&prev_digest, &text) != digest {
                        bad("digest does not match the snapshot".into());
                    }
                }
                Ok(_) => bad("snapshot is not in canonical form".into()),
                Err(e) => bad(format!("snapshot is not JSON: {e}")),
            }
            prev = Some((org, seq, digest));
        }
        Ok((rows.len(), broken))
    }
}
