//! Product carbon footprints and their certificates.
//!
//! A footprint version is inserted once and never changed; a correction is
//! a new version naming the one it replaces (the older one is then
//! deprecated). Publication is an insert-only event: published footprints
//! are public and shared with banks and supply-chain partners. A
//! certificate is signed by a practitioner of a registered institution
//! qualified for PCF certification on the day, and can be checked by
//! anyone through its digest.

use chrono::NaiveDate;
use egret_domain::access::{Principal, Role};
use egret_domain::org::FieldError;
use egret_domain::pcf::{CertificateInput, PcfInput, certificate_digest};
use egret_i18n::Msg;
use serde::Serialize;
use sqlx::Row;

use crate::audit::{Change, record};
use crate::db::{new_id, now};
use crate::{Result, Store, StoreError};

/// A stored footprint version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PcfRecord {
    pub org_id: String,
    pub pcf_id: String,
    pub product_key: String,
    pub version: i64,
    pub preceding_pcf_id: Option<String>,
    pub input: PcfInput,
    pub digest: String,
    pub created_by: String,
    pub created_at: String,
    pub published_at: Option<String>,
    /// A newer version exists (PACT status `Deprecated`).
    pub superseded: bool,
}

/// A signed certificate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CertificateRecord {
    pub org_id: String,
    pub certificate_id: String,
    pub pcf_id: String,
    pub institution_id: String,
    pub institution_name: String,
    #[serde(flatten)]
    pub certificate: CertificateInput,
    pub pcf_digest: String,
    pub digest: String,
    pub signed_by: String,
    pub signed_at: String,
}

const PCF_COLUMNS: &str = "f.org_id, f.pcf_id, f.product_key, f.version, f.preceding_pcf_id, \
    f.record, f.digest, f.created_by, f.created_at, p.published_at, \
    (SELECT COUNT(*) FROM product_footprints n WHERE n.org_id = f.org_id \
     AND n.product_key = f.product_key AND n.version > f.version) AS newer";

const PCF_FROM: &str = "product_footprints f LEFT JOIN pcf_publications p \
    ON p.org_id = f.org_id AND p.pcf_id = f.pcf_id";

fn pcf_row(r: &sqlx::any::AnyRow) -> Result<PcfRecord> {
    let text: String = r.try_get("record")?;
    Ok(PcfRecord {
        org_id: r.try_get("org_id")?,
        pcf_id: r.try_get("pcf_id")?,
        product_key: r.try_get("product_key")?,
        version: r.try_get("version")?,
        preceding_pcf_id: r.try_get("preceding_pcf_id")?,
        input: serde_json::from_str(&text)
            .map_err(|e| crate::error::corrupt(format!("footprint record: {e}")))?,
        digest: r.try_get("digest")?,
        created_by: r.try_get("created_by")?,
        created_at: r.try_get("created_at")?,
        published_at: r.try_get("published_at")?,
        superseded: r.try_get::<i64, _>("newer")? > 0,
    })
}

const CERT_COLUMNS: &str = "c.org_id, c.certificate_id, c.pcf_id, c.institution_id, i.name_zh, \
    c.number, c.standard, c.scope, c.valid_from, c.valid_to, c.statement, c.pcf_digest, c.digest, \
    c.signed_by, c.signed_at";

const CERT_FROM: &str =
    "pcf_certificates c JOIN institutions i ON i.institution_id = c.institution_id";

fn day(r: &sqlx::any::AnyRow, col: &str) -> Result<NaiveDate> {
    let s: String = r.try_get(col)?;
    s.parse()
        .map_err(|_| crate::error::corrupt(format!("{col}: {s}")))
}

fn cert_row(r: &sqlx::any::AnyRow) -> Result<CertificateRecord> {
    Ok(CertificateRecord {
        org_id: r.try_get("org_id")?,
        certificate_id: r.try_get("certificate_id")?,
        pcf_id: r.try_get("pcf_id")?,
        institution_id: r.try_get("institution_id")?,
        institution_name: r.try_get("name_zh")?,
        certificate: CertificateInput {
            number: r.try_get("number")?,
            standard: r.try_get("standard")?,
            scope: r.try_get("scope")?,
            valid_from: day(r, "valid_from")?,
            valid_to: day(r, "valid_to")?,
            statement: r.try_get("statement")?,
        },
        pcf_digest: r.try_get("pcf_digest")?,
        digest: r.try_get("digest")?,
        signed_by: r.try_get("signed_by")?,
        signed_at: r.try_get("signed_at")?,
    })
}

impl Store {
    /// Records a footprint version for an organisation (its staff or an
    /// administrator). `replaces` names the version it corrects.
    pub async fn create_pcf(
        &self,
        actor: &Principal,
        org_id: &str,
        input: &PcfInput,
        replaces: Option<&str>,
    ) -> Result<PcfRecord> {
        if !actor.can_write_org(org_id) {
            return Err(StoreError::Forbidden { action: "pcf" });
        }
        input.validate().map_err(StoreError::Invalid)?;
        let mut tx = self.begin(actor).await?;
        // Traceability: a footprint resting on a calculation names one of
        // this organisation's stored calculations.
        if let Some(calc) = input.calculation.strip_prefix("lca:") {
            let n: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM lca_calculations WHERE org_id = $1 AND calculation_id = $2",
            )
            .bind(org_id)
            .bind(calc)
            .fetch_one(tx.conn_mut())
            .await?;
            if n == 0 {
                return Err(StoreError::Invalid(vec![FieldError::new(
                    "calculation",
                    Msg::new("store-pcf-calculation").arg("id", calc),
                )]));
            }
        }
        let (product_key, version) = match replaces {
            Some(prev) => {
                let r = sqlx::query(
                    "SELECT product_key, version, (SELECT MAX(version) FROM product_footprints n \
                     WHERE n.org_id = f.org_id AND n.product_key = f.product_key) AS latest \
                     FROM product_footprints f WHERE f.org_id = $1 AND f.pcf_id = $2",
                )
                .bind(org_id)
                .bind(prev)
                .fetch_optional(tx.conn_mut())
                .await?
                .ok_or_else(|| StoreError::NotFound {
                    entity: "product_footprint",
                    id: prev.to_string(),
                })?;
                let v: i64 = r.try_get("version")?;
                if r.try_get::<i64, _>("latest")? != v {
                    return Err(StoreError::Conflict(Msg::new("store-pcf-not-latest")));
                }
                (r.try_get::<String, _>("product_key")?, v + 1)
            }
            None => {
                let key = input.product_ids[0].trim().to_string();
                let n: i64 = sqlx::query_scalar(
                    "SELECT COUNT(*) FROM product_footprints WHERE org_id = $1 AND product_key = $2",
                )
                .bind(org_id)
                .bind(&key)
                .fetch_one(tx.conn_mut())
                .await?;
                if n > 0 {
                    return Err(StoreError::Conflict(
                        Msg::new("store-pcf-exists").arg("product", &key),
                    ));
                }
                (key, 1)
            }
        };
        let rec = PcfRecord {
            org_id: org_id.to_string(),
            // A UUID (version 7), as PACT requires of footprint ids.
            pcf_id: new_id(),
            product_key,
            version,
            preceding_pcf_id: replaces.map(str::to_string),
            input: input.clone(),
            digest: input.digest(),
            created_by: actor.user_id.clone(),
            created_at: now(),
            published_at: None,
            superseded: false,
        };
        sqlx::query(
            "INSERT INTO product_footprints (org_id, pcf_id, product_key, version, \
             preceding_pcf_id, record, digest, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(org_id)
        .bind(&rec.pcf_id)
        .bind(&rec.product_key)
        .bind(rec.version)
        .bind(&rec.preceding_pcf_id)
        .bind(serde_json::to_string(input).map_err(crate::error::corrupt)?)
        .bind(&rec.digest)
        .bind(&rec.created_by)
        .bind(&rec.created_at)
        .execute(tx.conn_mut())
        .await?;
        record(
            tx.conn_mut(),
            actor,
            Change {
                tenant: org_id,
                entity: "product_footprint",
                entity_id: &rec.pcf_id,
                action: if replaces.is_some() {
                    "correct"
                } else {
                    "create"
                },
                before: None,
                after: Some(serde_json::json!({"digest": rec.digest, "version": rec.version})),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(rec)
    }

    /// An organisation's footprints, newest first: every version for its
    /// staff, assurers and administrators; published ones for others.
    pub async fn pcfs_of(&self, actor: &Principal, org_id: &str) -> Result<Vec<PcfRecord>> {
        let all = actor.can_read_esg_data(org_id);
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {PCF_COLUMNS} FROM {PCF_FROM} WHERE f.org_id = $1 {} \
             ORDER BY f.created_at DESC, f.pcf_id",
            if all {
                ""
            } else {
                "AND p.published_at IS NOT NULL"
            }
        )))
        .bind(org_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(pcf_row).collect()
    }

    /// One footprint version (as [`Store::pcfs_of`] would show it).
    pub async fn pcf(&self, actor: &Principal, org_id: &str, pcf_id: &str) -> Result<PcfRecord> {
        let r = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {PCF_COLUMNS} FROM {PCF_FROM} WHERE f.org_id = $1 AND f.pcf_id = $2"
        )))
        .bind(org_id)
        .bind(pcf_id)
        .fetch_optional(&self.pool)
        .await?;
        let rec = r.as_ref().map(pcf_row).transpose()?;
        match rec {
            Some(p) if p.published_at.is_some() || actor.can_read_esg_data(org_id) => Ok(p),
            _ => Err(StoreError::NotFound {
                entity: "product_footprint",
                id: pcf_id.to_string(),
            }),
        }
    }

    /// Every published footprint of the platform (PACT host), in a stable
    /// order.
    pub async fn published_pcfs(&self, org_id: Option<&str>) -> Result<Vec<PcfRecord>> {
        let sql = format!(
            "SELECT {PCF_COLUMNS} FROM {PCF_FROM} WHERE p.published_at IS NOT NULL {} \
             ORDER BY f.org_id, f.created_at, f.pcf_id",
            if org_id.is_some() {
                "AND f.org_id = $1"
            } else {
                ""
            }
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        if let Some(o) = org_id {
            q = q.bind(o);
        }
        let rows = q.fetch_all(&self.pool).await?;
        rows.iter().map(pcf_row).collect()
    }

    /// Publishes a footprint version (the organisation's staff).
    pub async fn publish_pcf(&self, actor: &Principal, org_id: &str, pcf_id: &str) -> Result<()> {
        if !actor.can_write_org(org_id) {
            return Err(StoreError::Forbidden { action: "pcf" });
        }
        let p = self.pcf(actor, org_id, pcf_id).await?;
        if p.published_at.is_some() {
            return Ok(());
        }
        let mut tx = self.begin(actor).await?;
        sqlx::query(
            "INSERT INTO pcf_publications (org_id, pcf_id, published_by, published_at) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(org_id)
        .bind(pcf_id)
        .bind(&actor.user_id)
        .bind(now())
        .execute(tx.conn_mut())
        .await?;
        record(
            tx.conn_mut(),
            actor,
            Change {
                tenant: org_id,
                entity: "product_footprint",
                entity_id: pcf_id,
                action: "publish",
                before: None,
                after: None,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// A certifier signs a certificate for a footprint version: an
    /// assurer bound to the organisation, acting for a registered
    /// institution qualified for PCF certification today.
    pub async fn certify_pcf(
        &self,
        actor: &Principal,
        org_id: &str,
        pcf_id: &str,
        input: &CertificateInput,
    ) -> Result<CertificateRecord> {
        if actor.role != Role::Assurer || !actor.is_bound_to(org_id) {
            return Err(StoreError::Forbidden { action: "certify" });
        }
        input.validate().map_err(StoreError::Invalid)?;
        let pcf = self.pcf(actor, org_id, pcf_id).await?;
        let institution = self.institution_of(&actor.user_id).await?.ok_or_else(|| {
            StoreError::Invalid(vec![FieldError::new(
                "institution",
                Msg::new("store-assurance-no-institution"),
            )])
        })?;
        let today = chrono::Utc::now().date_naive();
        if !institution.offers("pcf-certification", today) {
            return Err(StoreError::Invalid(vec![FieldError::new(
                "institution",
                Msg::new("store-pcf-unqualified").arg("name", &institution.name_zh),
            )]));
        }
        let digest = certificate_digest(
            input,
            &pcf.digest,
            &institution.institution_id,
            &actor.user_id,
        );
        let id = new_id();
        let signed_at = now();
        let mut tx = self.begin(actor).await?;
        let taken: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM pcf_certificates WHERE org_id = $1 AND number = $2",
        )
        .bind(org_id)
        .bind(input.number.trim())
        .fetch_one(tx.conn_mut())
        .await?;
        if taken > 0 {
            return Err(StoreError::Conflict(
                Msg::new("store-pcf-certificate-number").arg("number", input.number.trim()),
            ));
        }
        sqlx::query(
            "INSERT INTO pcf_certificates (org_id, certificate_id, pcf_id, institution_id, \
             number, standard, scope, valid_from, valid_to, statement, pcf_digest, digest, \
             signed_by, signed_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
        )
        .bind(org_id)
        .bind(&id)
        .bind(pcf_id)
        .bind(&institution.institution_id)
        .bind(input.number.trim())
        .bind(&input.standard)
        .bind(input.scope.trim())
        .bind(input.valid_from.to_string())
        .bind(input.valid_to.to_string())
        .bind(input.statement.trim())
        .bind(&pcf.digest)
        .bind(&digest)
        .bind(&actor.user_id)
        .bind(&signed_at)
        .execute(tx.conn_mut())
        .await?;
        sqlx::query(
            "INSERT INTO certificate_directory (digest, org_id, certificate_id) VALUES ($1, $2, $3)",
        )
        .bind(&digest)
        .bind(org_id)
        .bind(&id)
        .execute(tx.conn_mut())
        .await?;
        record(
            tx.conn_mut(),
            actor,
            Change {
                tenant: org_id,
                entity: "pcf_certificate",
                entity_id: &id,
                action: "sign",
                before: None,
                after: Some(serde_json::json!({"pcf": pcf_id, "digest": digest})),
            },
        )
        .await?;
        tx.commit().await?;
        self.certificate(org_id, &id)
            .await?
            .ok_or_else(|| crate::error::corrupt("certificate just written"))
    }

    async fn certificate(&self, org_id: &str, id: &str) -> Result<Option<CertificateRecord>> {
        let r = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {CERT_COLUMNS} FROM {CERT_FROM} WHERE c.org_id = $1 AND c.certificate_id = $2"
        )))
        .bind(org_id)
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        r.as_ref().map(cert_row).transpose()
    }

    /// The certificates of an organisation (public: certificates are
    /// meant to be shown).
    pub async fn certificates_of(&self, org_id: &str) -> Result<Vec<CertificateRecord>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {CERT_COLUMNS} FROM {CERT_FROM} WHERE c.org_id = $1 ORDER BY c.signed_at DESC"
        )))
        .bind(org_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(cert_row).collect()
    }

    /// A certificate by its digest, with its footprint version, for the
    /// public check. The stored digest is recomputed from the stored
    /// content: `Ok(Some((cert, pcf, intact)))`.
    pub async fn certificate_by_digest(
        &self,
        digest: &str,
    ) -> Result<Option<(CertificateRecord, PcfRecord, bool)>> {
        let hit = sqlx::query(
            "SELECT org_id, certificate_id FROM certificate_directory WHERE digest = $1",
        )
        .bind(digest.trim().to_ascii_lowercase())
        .fetch_optional(&self.pool)
        .await?;
        let Some(hit) = hit else { return Ok(None) };
        let org: String = hit.try_get("org_id")?;
        let id: String = hit.try_get("certificate_id")?;
        let Some(cert) = self.certificate(&org, &id).await? else {
            return Ok(None);
        };
        let r = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {PCF_COLUMNS} FROM {PCF_FROM} WHERE f.org_id = $1 AND f.pcf_id = $2"
        )))
        .bind(&org)
        .bind(&cert.pcf_id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| crate::error::corrupt("certificate without footprint"))?;
        let pcf = pcf_row(&r)?;
        let intact = pcf.input.digest() == pcf.digest
            && pcf.digest == cert.pcf_digest
            && certificate_digest(
                &cert.certificate,
                &pcf.digest,
                &cert.institution_id,
                &cert.signed_by,
            ) == cert.digest;
        Ok(Some((cert, pcf, intact)))
    }
}
