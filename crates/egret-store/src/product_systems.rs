//! Product systems (LCA models), their calculations, and the footprints
//! suppliers serve over PACT.
//!
//! A product system is saved as versions that are never changed: saving
//! inserts the next version, and only on top of the latest one (a form
//! edited from an older version is refused, nothing is written). A
//! calculation belongs to one stored version, keeps the model's digest,
//! the options and the exact result, and a SHA-256 over all of them; it is
//! never changed either. A footprint that rests on a calculation names it
//! (`lca:<calculation id>`, checked in [`Store::create_pcf`]).
//!
//! Suppliers are the PACT endpoints an organisation reads, with the OAuth2
//! client credentials the supplier issued to it. Received footprints are
//! kept verbatim (canonical JSON) with their digest: an unchanged document
//! fetched again adds nothing, a changed one (e.g. now `Deprecated`) is a
//! new row, and lists show the latest row of each footprint.
//!
//! Access: an organisation's own staff (and platform administrators)
//! write; its staff, engaged assurers and platform administrators read
//! (models, calculations and suppliers' data are not published, so they
//! are readable like unpublished footprints, see
//! [`Principal::can_read_esg_data`]). Others who can see the organisation
//! get [`StoreError::Forbidden`]; those who cannot see it get
//! [`StoreError::NotFound`]. Every write is audited in its transaction.
//!
//! Known limit: a supplier's client secret is stored as given, in clear
//! text, because it has to be presented to the supplier; there is no
//! encryption at rest yet, so protect the database (and its backups)
//! accordingly. Only the organisation's staff and administrators can read
//! it back ([`Store::pact_supplier_credentials`]); it never appears in
//! lists, records or the audit log.

use egret_domain::access::Principal;
use egret_domain::org::FieldError;
use egret_domain::pact::Received;
use egret_domain::product_system::{CalcOptions, Calculation, ProductSystemModel};
use egret_i18n::Msg;
use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::audit::{Change, record, record_many};
use crate::db::{new_id, now};
use crate::submissions::canonical;
use crate::{Result, Store, StoreError};

/// One stored version of a product system.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SystemVersion {
    pub org_id: String,
    pub system_id: String,
    pub version: i64,
    pub model: ProductSystemModel,
    /// SHA-256 of the model ([`ProductSystemModel::digest`]).
    pub digest: String,
    pub note: String,
    pub saved_by: String,
    pub saved_at: String,
}

/// A product system in a list: its latest version and its calculations.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SystemSummary {
    pub system_id: String,
    pub name: String,
    pub reference_product: String,
    /// The latest version.
    pub version: i64,
    pub saved_by: String,
    pub saved_at: String,
    /// Calculations of any version.
    pub calculations: i64,
    /// The id of the newest calculation.
    pub latest_calculation: Option<String>,
}

/// A version in a system's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VersionInfo {
    pub version: i64,
    pub digest: String,
    pub note: String,
    pub saved_by: String,
    pub saved_at: String,
}

/// A stored calculation of one version of a product system.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CalculationRecord {
    pub org_id: String,
    pub calculation_id: String,
    pub system_id: String,
    pub version: i64,
    /// The digest of the version's model.
    pub model_digest: String,
    pub options: CalcOptions,
    pub result: Calculation,
    /// SHA-256 over the canonical JSON of the organisation, system,
    /// version, model digest, options and result.
    pub digest: String,
    pub computed_by: String,
    pub computed_at: String,
}

/// A supplier's PACT endpoint (without its client secret).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PactSupplier {
    pub org_id: String,
    pub supplier_id: String,
    pub name: String,
    /// Without a trailing `/`.
    pub base_url: String,
    pub client_id: String,
    pub created_by: String,
    pub created_at: String,
}

/// A footprint as received from a supplier.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReceivedFootprint {
    pub org_id: String,
    pub received_id: String,
    pub supplier_id: String,
    pub supplier_name: String,
    pub received: Received,
    /// SHA-256 of the canonical JSON of the document.
    pub digest: String,
    pub fetched_by: String,
    pub fetched_at: String,
}

/// Reading an organisation's product systems, calculations and suppliers'
/// data.
fn may_read(who: &Principal, org_id: &str) -> Result<()> {
    if who.can_read_esg_data(org_id) {
        Ok(())
    } else if who.can_read_org(org_id) {
        Err(StoreError::Forbidden { action: "lca" })
    } else {
        Err(org_not_found(org_id))
    }
}

/// Writing them (the organisation's staff, administrators).
fn may_write(who: &Principal, org_id: &str) -> Result<()> {
    if who.can_write_org(org_id) {
        Ok(())
    } else if who.can_read_org(org_id) {
        Err(StoreError::Forbidden { action: "lca" })
    } else {
        Err(org_not_found(org_id))
    }
}

fn org_not_found(org_id: &str) -> StoreError {
    StoreError::NotFound {
        entity: "organization",
        id: org_id.to_string(),
    }
}

fn sha256(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

fn to_json<T: Serialize>(v: &T) -> Result<String> {
    serde_json::to_string(v).map_err(crate::error::corrupt)
}

fn from_json<T: serde::de::DeserializeOwned>(what: &str, text: &str) -> Result<T> {
    serde_json::from_str(text).map_err(|e| crate::error::corrupt(format!("{what}: {e}")))
}

/// The digest of a calculation: SHA-256 over the canonical JSON of what
/// it was computed from and what it found.
fn calculation_digest(
    org_id: &str,
    system_id: &str,
    version: i64,
    model_digest: &str,
    options: &CalcOptions,
    result: &Calculation,
) -> Result<String> {
    let v = serde_json::json!({
        "org_id": org_id,
        "system_id": system_id,
        "version": version,
        "model_digest": model_digest,
        "options": serde_json::to_value(options).map_err(crate::error::corrupt)?,
        "result": serde_json::to_value(result).map_err(crate::error::corrupt)?,
    });
    Ok(sha256(&canonical(&v)))
}

/// Whether a database error is a duplicate key (a concurrent insert).
fn is_duplicate(e: &StoreError) -> bool {
    matches!(e, StoreError::Db(sqlx::Error::Database(d)) if d.is_unique_violation())
}

const VERSION_COLUMNS: &str =
    "v.org_id, v.system_id, v.version, v.model, v.digest, v.note, v.saved_by, v.saved_at";

fn version_row(r: &AnyRow) -> Result<SystemVersion> {
    let model: String = r.try_get("model")?;
    Ok(SystemVersion {
        org_id: r.try_get("org_id")?,
        system_id: r.try_get("system_id")?,
        version: r.try_get("version")?,
        model: from_json("product system model", &model)?,
        digest: r.try_get("digest")?,
        note: r.try_get("note")?,
        saved_by: r.try_get("saved_by")?,
        saved_at: r.try_get("saved_at")?,
    })
}

const CALC_COLUMNS: &str = "org_id, calculation_id, system_id, version, model_digest, options, \
    result, digest, computed_by, computed_at";

fn calc_row(r: &AnyRow) -> Result<CalculationRecord> {
    let options: String = r.try_get("options")?;
    let result: String = r.try_get("result")?;
    Ok(CalculationRecord {
        org_id: r.try_get("org_id")?,
        calculation_id: r.try_get("calculation_id")?,
        system_id: r.try_get("system_id")?,
        version: r.try_get("version")?,
        model_digest: r.try_get("model_digest")?,
        options: from_json("calculation options", &options)?,
        result: from_json("calculation result", &result)?,
        digest: r.try_get("digest")?,
        computed_by: r.try_get("computed_by")?,
        computed_at: r.try_get("computed_at")?,
    })
}

const SUPPLIER_COLUMNS: &str =
    "org_id, supplier_id, name, base_url, client_id, created_by, created_at";

fn supplier_row(r: &AnyRow) -> Result<PactSupplier> {
    Ok(PactSupplier {
        org_id: r.try_get("org_id")?,
        supplier_id: r.try_get("supplier_id")?,
        name: r.try_get("name")?,
        base_url: r.try_get("base_url")?,
        client_id: r.try_get("client_id")?,
        created_by: r.try_get("created_by")?,
        created_at: r.try_get("created_at")?,
    })
}

const RECEIVED_COLUMNS: &str = "r.org_id, r.received_id, r.supplier_id, s.name AS supplier_name, \
    r.pf_id, r.status, r.spec_version, r.document, r.digest, r.fetched_by, r.fetched_at";

const RECEIVED_FROM: &str = "received_footprints r JOIN pact_suppliers s \
    ON s.org_id = r.org_id AND s.supplier_id = r.supplier_id";

fn received_row(r: &AnyRow) -> Result<ReceivedFootprint> {
    let document: String = r.try_get("document")?;
    Ok(ReceivedFootprint {
        org_id: r.try_get("org_id")?,
        received_id: r.try_get("received_id")?,
        supplier_id: r.try_get("supplier_id")?,
        supplier_name: r.try_get("supplier_name")?,
        received: Received {
            pf_id: r.try_get("pf_id")?,
            status: r.try_get("status")?,
            spec_version: r.try_get("spec_version")?,
            document: from_json("received footprint", &document)?,
        },
        digest: r.try_get("digest")?,
        fetched_by: r.try_get("fetched_by")?,
        fetched_at: r.try_get("fetched_at")?,
    })
}

/// Checks a supplier's entry; every error names its field. Returns the
/// trimmed name and client id and the base URL without trailing `/`.
fn check_supplier<'a>(
    name: &'a str,
    base_url: &'a str,
    client_id: &'a str,
    client_secret: &str,
) -> Result<(&'a str, &'a str, &'a str)> {
    let mut e = Vec::new();
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        e.push(FieldError::new("name", Msg::new("store-supplier-name")));
    }
    let url = base_url.trim().trim_end_matches('/');
    if !supplier_url_ok(url) {
        e.push(FieldError::new(
            "base_url",
            Msg::new("store-supplier-url").arg("url", url),
        ));
    }
    let client_id = client_id.trim();
    if client_id.is_empty() {
        e.push(FieldError::new(
            "client_id",
            Msg::new("store-supplier-client-id"),
        ));
    }
    if client_secret.is_empty() {
        e.push(FieldError::new(
            "client_secret",
            Msg::new("store-supplier-secret"),
        ));
    }
    if e.is_empty() {
        Ok((name, url, client_id))
    } else {
        Err(StoreError::Invalid(e))
    }
}

/// `https://host[:port][/path]`, or `http://` on this machine only (PACT
/// requires HTTPS, and the client secret travels with every token
/// request); no credentials, query or fragment.
fn supplier_url_ok(url: &str) -> bool {
    let rest = if let Some(rest) = url.strip_prefix("https://") {
        rest
    } else if let Some(rest) = url.strip_prefix("http://") {
        let host = rest.split(['/', ':']).next().unwrap_or("");
        let v6_loopback =
            rest == "[::1]" || rest.starts_with("[::1]:") || rest.starts_with("[::1]/");
        if !(host == "127.0.0.1" || host == "localhost" || v6_loopback) {
            return false;
        }
        rest
    } else {
        return false;
    };
    let authority = rest.split('/').next().unwrap_or("");
    !authority.is_empty()
        && !authority.starts_with(':')
        && !url.contains(|c: char| c.is_whitespace() || c.is_control())
        && !url.contains(['?', '#', '@'])
}

impl Store {
    /// Stores a new product system as its version 1 (the organisation's
    /// staff). The model may still be incomplete (its problems are shown
    /// where it is edited); it needs a name.
    pub async fn create_product_system(
        &self,
        who: &Principal,
        org_id: &str,
        model: &ProductSystemModel,
        note: &str,
    ) -> Result<SystemVersion> {
        may_write(who, org_id)?;
        check_model(model)?;
        let v = SystemVersion {
            org_id: org_id.to_string(),
            system_id: new_id(),
            version: 1,
            model: model.clone(),
            digest: model.digest(),
            note: note.trim().to_string(),
            saved_by: who.user_id.clone(),
            saved_at: now(),
        };
        let mut tx = self.begin(who).await?;
        sqlx::query(
            "INSERT INTO product_systems (org_id, system_id, name, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(org_id)
        .bind(&v.system_id)
        .bind(model.name.trim())
        .bind(&v.saved_by)
        .bind(&v.saved_at)
        .execute(tx.conn_mut())
        .await?;
        insert_version(tx.conn_mut(), &v).await?;
        record(
            tx.conn_mut(),
            who,
            Change {
                tenant: org_id,
                entity: "product_system",
                entity_id: &v.system_id,
                action: "create",
                before: None,
                after: Some(serde_json::json!({
                    "name": model.name.trim(), "version": 1, "digest": v.digest, "note": v.note,
                })),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(v)
    }

    /// Saves a new version of a product system on top of `base_version`,
    /// which must be the latest (otherwise someone saved meanwhile: a
    /// [`StoreError::Conflict`], nothing written).
    pub async fn save_product_system(
        &self,
        who: &Principal,
        org_id: &str,
        system_id: &str,
        base_version: i64,
        model: &ProductSystemModel,
        note: &str,
    ) -> Result<SystemVersion> {
        may_write(who, org_id)?;
        check_model(model)?;
        let stale = |latest: i64| {
            StoreError::Conflict(
                Msg::new("store-ps-stale")
                    .arg("base", base_version)
                    .arg("latest", latest),
            )
        };
        let mut tx = self.begin(who).await?;
        let latest: Option<i64> = sqlx::query_scalar(
            "SELECT MAX(version) FROM product_system_versions \
             WHERE org_id = $1 AND system_id = $2",
        )
        .bind(org_id)
        .bind(system_id)
        .fetch_one(tx.conn_mut())
        .await?;
        let Some(latest) = latest else {
            return Err(StoreError::NotFound {
                entity: "product_system",
                id: system_id.to_string(),
            });
        };
        if latest != base_version {
            return Err(stale(latest));
        }
        let v = SystemVersion {
            org_id: org_id.to_string(),
            system_id: system_id.to_string(),
            version: latest + 1,
            model: model.clone(),
            digest: model.digest(),
            note: note.trim().to_string(),
            saved_by: who.user_id.clone(),
            saved_at: now(),
        };
        // Two saves on the same base race to the same key (PostgreSQL; on
        // SQLite writers queue): the loser is told someone saved meanwhile.
        if let Err(e) = insert_version(tx.conn_mut(), &v).await {
            return Err(if is_duplicate(&e) {
                stale(latest + 1)
            } else {
                e
            });
        }
        sqlx::query("UPDATE product_systems SET name = $1 WHERE org_id = $2 AND system_id = $3")
            .bind(model.name.trim())
            .bind(org_id)
            .bind(system_id)
            .execute(tx.conn_mut())
            .await?;
        record(
            tx.conn_mut(),
            who,
            Change {
                tenant: org_id,
                entity: "product_system",
                entity_id: system_id,
                action: "save",
                before: Some(serde_json::json!({"version": latest})),
                after: Some(serde_json::json!({
                    "name": model.name.trim(), "version": v.version, "digest": v.digest,
                    "note": v.note,
                })),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(v)
    }

    /// The organisation's product systems, each at its latest version,
    /// ordered by name.
    pub async fn product_systems_of(
        &self,
        who: &Principal,
        org_id: &str,
    ) -> Result<Vec<SystemSummary>> {
        may_read(who, org_id)?;
        let rows = sqlx::query(
            "SELECT s.system_id, s.name, v.version, v.model, v.saved_by, v.saved_at, \
             (SELECT COUNT(*) FROM lca_calculations c WHERE c.org_id = s.org_id \
              AND c.system_id = s.system_id) AS calculations, \
             (SELECT c.calculation_id FROM lca_calculations c WHERE c.org_id = s.org_id \
              AND c.system_id = s.system_id \
              ORDER BY c.computed_at DESC, c.calculation_id DESC LIMIT 1) AS latest_calculation \
             FROM product_systems s JOIN product_system_versions v \
             ON v.org_id = s.org_id AND v.system_id = s.system_id \
             AND v.version = (SELECT MAX(m.version) FROM product_system_versions m \
                              WHERE m.org_id = s.org_id AND m.system_id = s.system_id) \
             WHERE s.org_id = $1 ORDER BY s.name, s.system_id",
        )
        .bind(org_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let model: String = r.try_get("model")?;
                let model: ProductSystemModel = from_json("product system model", &model)?;
                Ok(SystemSummary {
                    system_id: r.try_get("system_id")?,
                    name: r.try_get("name")?,
                    reference_product: model.reference_product,
                    version: r.try_get("version")?,
                    saved_by: r.try_get("saved_by")?,
                    saved_at: r.try_get("saved_at")?,
                    calculations: r.try_get("calculations")?,
                    latest_calculation: r.try_get("latest_calculation")?,
                })
            })
            .collect()
    }

    /// One version of a product system (`None`: the latest).
    pub async fn product_system(
        &self,
        who: &Principal,
        org_id: &str,
        system_id: &str,
        version: Option<i64>,
    ) -> Result<Option<SystemVersion>> {
        may_read(who, org_id)?;
        let row = match version {
            Some(n) => {
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "SELECT {VERSION_COLUMNS} FROM product_system_versions v \
                     WHERE v.org_id = $1 AND v.system_id = $2 AND v.version = $3"
                )))
                .bind(org_id)
                .bind(system_id)
                .bind(n)
                .fetch_optional(&self.pool)
                .await?
            }
            None => {
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "SELECT {VERSION_COLUMNS} FROM product_system_versions v \
                     WHERE v.org_id = $1 AND v.system_id = $2 \
                     ORDER BY v.version DESC LIMIT 1"
                )))
                .bind(org_id)
                .bind(system_id)
                .fetch_optional(&self.pool)
                .await?
            }
        };
        row.as_ref().map(version_row).transpose()
    }

    /// The versions of a product system, newest first (empty for an
    /// unknown system).
    pub async fn product_system_versions(
        &self,
        who: &Principal,
        org_id: &str,
        system_id: &str,
    ) -> Result<Vec<VersionInfo>> {
        may_read(who, org_id)?;
        let rows = sqlx::query(
            "SELECT version, digest, note, saved_by, saved_at FROM product_system_versions \
             WHERE org_id = $1 AND system_id = $2 ORDER BY version DESC",
        )
        .bind(org_id)
        .bind(system_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(VersionInfo {
                    version: r.try_get("version")?,
                    digest: r.try_get("digest")?,
                    note: r.try_get("note")?,
                    saved_by: r.try_get("saved_by")?,
                    saved_at: r.try_get("saved_at")?,
                })
            })
            .collect()
    }

    /// Stores what the engine computed for a stored version (which must
    /// exist: otherwise [`StoreError::NotFound`]).
    pub async fn record_calculation(
        &self,
        who: &Principal,
        org_id: &str,
        system_id: &str,
        version: i64,
        options: &CalcOptions,
        result: &Calculation,
    ) -> Result<CalculationRecord> {
        may_write(who, org_id)?;
        let mut tx = self.begin(who).await?;
        let model_digest: String = sqlx::query_scalar(
            "SELECT digest FROM product_system_versions \
             WHERE org_id = $1 AND system_id = $2 AND version = $3",
        )
        .bind(org_id)
        .bind(system_id)
        .bind(version)
        .fetch_optional(tx.conn_mut())
        .await?
        .ok_or_else(|| StoreError::NotFound {
            entity: "product_system_version",
            id: format!("{system_id}@{version}"),
        })?;
        let rec = CalculationRecord {
            org_id: org_id.to_string(),
            calculation_id: new_id(),
            system_id: system_id.to_string(),
            version,
            digest: calculation_digest(org_id, system_id, version, &model_digest, options, result)?,
            model_digest,
            options: options.clone(),
            result: result.clone(),
            computed_by: who.user_id.clone(),
            computed_at: now(),
        };
        sqlx::query(
            "INSERT INTO lca_calculations (org_id, calculation_id, system_id, version, \
             model_digest, options, result, digest, computed_by, computed_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(org_id)
        .bind(&rec.calculation_id)
        .bind(system_id)
        .bind(version)
        .bind(&rec.model_digest)
        .bind(to_json(options)?)
        .bind(to_json(result)?)
        .bind(&rec.digest)
        .bind(&rec.computed_by)
        .bind(&rec.computed_at)
        .execute(tx.conn_mut())
        .await?;
        record(
            tx.conn_mut(),
            who,
            Change {
                tenant: org_id,
                entity: "lca_calculation",
                entity_id: &rec.calculation_id,
                action: "calculate",
                before: None,
                after: Some(serde_json::json!({
                    "system": system_id, "version": version, "digest": rec.digest,
                    "score": result.score.to_string(),
                })),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(rec)
    }

    /// One calculation.
    pub async fn calculation(
        &self,
        who: &Principal,
        org_id: &str,
        calculation_id: &str,
    ) -> Result<Option<CalculationRecord>> {
        may_read(who, org_id)?;
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {CALC_COLUMNS} FROM lca_calculations \
             WHERE org_id = $1 AND calculation_id = $2"
        )))
        .bind(org_id)
        .bind(calculation_id)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(calc_row).transpose()
    }

    /// The calculations of a product system (every version), newest first.
    pub async fn calculations_of(
        &self,
        who: &Principal,
        org_id: &str,
        system_id: &str,
    ) -> Result<Vec<CalculationRecord>> {
        may_read(who, org_id)?;
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {CALC_COLUMNS} FROM lca_calculations WHERE org_id = $1 AND system_id = $2 \
             ORDER BY computed_at DESC, calculation_id DESC"
        )))
        .bind(org_id)
        .bind(system_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(calc_row).collect()
    }

    /// Registers a supplier's PACT endpoint and the credentials it issued
    /// to the organisation. The base URL is `https://…` (`http://` on this
    /// machine only), kept without a trailing `/`.
    pub async fn add_pact_supplier(
        &self,
        who: &Principal,
        org_id: &str,
        name: &str,
        base_url: &str,
        client_id: &str,
        client_secret: &str,
    ) -> Result<PactSupplier> {
        may_write(who, org_id)?;
        let (name, base_url, client_id) = check_supplier(name, base_url, client_id, client_secret)?;
        let s = PactSupplier {
            org_id: org_id.to_string(),
            supplier_id: new_id(),
            name: name.to_string(),
            base_url: base_url.to_string(),
            client_id: client_id.to_string(),
            created_by: who.user_id.clone(),
            created_at: now(),
        };
        let mut tx = self.begin(who).await?;
        sqlx::query(
            "INSERT INTO pact_suppliers (org_id, supplier_id, name, base_url, client_id, \
             client_secret, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(org_id)
        .bind(&s.supplier_id)
        .bind(&s.name)
        .bind(&s.base_url)
        .bind(&s.client_id)
        .bind(client_secret)
        .bind(&s.created_by)
        .bind(&s.created_at)
        .execute(tx.conn_mut())
        .await?;
        record(
            tx.conn_mut(),
            who,
            Change {
                tenant: org_id,
                entity: "pact_supplier",
                entity_id: &s.supplier_id,
                action: "create",
                before: None,
                // Never the secret.
                after: Some(serde_json::json!({
                    "name": s.name, "base_url": s.base_url, "client_id": s.client_id,
                })),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(s)
    }

    /// The organisation's suppliers, by name.
    pub async fn pact_suppliers(&self, who: &Principal, org_id: &str) -> Result<Vec<PactSupplier>> {
        may_read(who, org_id)?;
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {SUPPLIER_COLUMNS} FROM pact_suppliers WHERE org_id = $1 \
             ORDER BY name, supplier_id"
        )))
        .bind(org_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(supplier_row).collect()
    }

    /// A supplier with its client secret, for the caller that fetches its
    /// footprints (the organisation's staff and administrators only).
    pub async fn pact_supplier_credentials(
        &self,
        who: &Principal,
        org_id: &str,
        supplier_id: &str,
    ) -> Result<Option<(PactSupplier, String)>> {
        may_write(who, org_id)?;
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {SUPPLIER_COLUMNS}, client_secret FROM pact_suppliers \
             WHERE org_id = $1 AND supplier_id = $2"
        )))
        .bind(org_id)
        .bind(supplier_id)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| Ok((supplier_row(&r)?, r.try_get("client_secret")?)))
            .transpose()
    }

    /// Stores the footprints fetched from a supplier, in one transaction:
    /// a document already stored unchanged (same supplier, id and digest)
    /// is skipped. Returns how many rows were new.
    pub async fn store_received_footprints(
        &self,
        who: &Principal,
        org_id: &str,
        supplier_id: &str,
        docs: &[Received],
    ) -> Result<usize> {
        may_write(who, org_id)?;
        let mut e = Vec::new();
        for (i, d) in docs.iter().enumerate() {
            if d.pf_id.trim().is_empty() {
                e.push(FieldError::new(
                    format!("docs[{i}].pf_id"),
                    Msg::new("store-received-id"),
                ));
            }
            if !matches!(d.status.as_str(), "Active" | "Deprecated") {
                e.push(FieldError::new(
                    format!("docs[{i}].status"),
                    Msg::new("store-received-status").arg("status", d.status.as_str()),
                ));
            }
        }
        if !e.is_empty() {
            return Err(StoreError::Invalid(e));
        }
        let mut tx = self.begin(who).await?;
        let known: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM pact_suppliers WHERE org_id = $1 AND supplier_id = $2",
        )
        .bind(org_id)
        .bind(supplier_id)
        .fetch_one(tx.conn_mut())
        .await?;
        if known == 0 {
            return Err(StoreError::NotFound {
                entity: "pact_supplier",
                id: supplier_id.to_string(),
            });
        }
        let at = now();
        let mut new = Vec::new();
        for d in docs {
            let document = canonical(&d.document);
            let digest = sha256(&document);
            let id = new_id();
            let n = sqlx::query(
                "INSERT INTO received_footprints (org_id, received_id, supplier_id, pf_id, \
                 status, spec_version, document, digest, fetched_by, fetched_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
                 ON CONFLICT (org_id, supplier_id, pf_id, digest) DO NOTHING",
            )
            .bind(org_id)
            .bind(&id)
            .bind(supplier_id)
            .bind(&d.pf_id)
            .bind(&d.status)
            .bind(&d.spec_version)
            .bind(&document)
            .bind(&digest)
            .bind(&who.user_id)
            .bind(&at)
            .execute(tx.conn_mut())
            .await?
            .rows_affected();
            if n > 0 {
                new.push((id, d, digest));
            }
        }
        if new.is_empty() {
            return Ok(0);
        }
        let changes = new
            .iter()
            .map(|(id, d, digest)| Change {
                tenant: org_id,
                entity: "received_footprint",
                entity_id: id,
                action: "receive",
                before: None,
                after: Some(serde_json::json!({
                    "supplier": supplier_id, "pf_id": d.pf_id, "status": d.status,
                    "digest": digest,
                })),
            })
            .collect();
        record_many(tx.conn_mut(), who, changes).await?;
        tx.commit().await?;
        Ok(new.len())
    }

    /// The footprints received from the organisation's suppliers: the
    /// latest row of each (supplier, footprint id), newest first.
    pub async fn received_footprints(
        &self,
        who: &Principal,
        org_id: &str,
    ) -> Result<Vec<ReceivedFootprint>> {
        may_read(who, org_id)?;
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {RECEIVED_COLUMNS} FROM {RECEIVED_FROM} WHERE r.org_id = $1 \
             AND NOT EXISTS (SELECT 1 FROM received_footprints n WHERE n.org_id = r.org_id \
                 AND n.supplier_id = r.supplier_id AND n.pf_id = r.pf_id \
                 AND (n.fetched_at > r.fetched_at \
                      OR (n.fetched_at = r.fetched_at AND n.received_id > r.received_id))) \
             ORDER BY r.fetched_at DESC, r.received_id DESC"
        )))
        .bind(org_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(received_row).collect()
    }

    /// One received footprint row (any, not only the latest).
    pub async fn received_footprint(
        &self,
        who: &Principal,
        org_id: &str,
        received_id: &str,
    ) -> Result<Option<ReceivedFootprint>> {
        may_read(who, org_id)?;
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {RECEIVED_COLUMNS} FROM {RECEIVED_FROM} \
             WHERE r.org_id = $1 AND r.received_id = $2"
        )))
        .bind(org_id)
        .bind(received_id)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(received_row).transpose()
    }
}

/// What a stored model needs: a name (the rest may still be incomplete).
fn check_model(model: &ProductSystemModel) -> Result<()> {
    if model.name.trim().is_empty() {
        return Err(StoreError::Invalid(vec![FieldError::new(
            "name",
            Msg::new("store-ps-name"),
        )]));
    }
    Ok(())
}

async fn insert_version(conn: &mut sqlx::AnyConnection, v: &SystemVersion) -> Result<()> {
    sqlx::query(
        "INSERT INTO product_system_versions (org_id, system_id, version, model, digest, \
         note, saved_by, saved_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(&v.org_id)
    .bind(&v.system_id)
    .bind(v.version)
    .bind(to_json(&v.model)?)
    .bind(&v.digest)
    .bind(&v.note)
    .bind(&v.saved_by)
    .bind(&v.saved_at)
    .execute(conn)
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn supplier_urls() {
        for ok in [
            "https://pact.example.com",
            "https://pact.example.com:8443/api/v3",
            "http://127.0.0.1:8080/pact/x",
            "http://localhost/pact",
            "http://[::1]:9000",
        ] {
            assert!(supplier_url_ok(ok), "{ok}");
        }
        for bad in [
            "",
            "pact.example.com",
            "ftp://pact.example.com",
            "http://pact.example.com",
            "http://127.0.0.1.example.com",
            "http://[::1]evil.example",
            "https://",
            "https:///x",
            "https://:443",
            "https://user:pw@pact.example.com",
            "https://pact.example.com/x?y=1",
            "https://pact.example.com/#x",
            "https://pact example.com",
        ] {
            assert!(!supplier_url_ok(bad), "{bad}");
        }
    }

    #[test]
    fn supplier_entry_errors_name_their_fields() {
        match check_supplier(" ", "pact.example.com", "", "") {
            Err(StoreError::Invalid(e)) => assert_eq!(
                e.iter().map(|e| e.field.as_str()).collect::<Vec<_>>(),
                vec!["name", "base_url", "client_id", "client_secret"]
            ),
            other => panic!("{other:?}"),
        }
        let (_, url, _) = check_supplier("S", " https://s.example/pact// ", "c", "x").unwrap();
        assert_eq!(url, "https://s.example/pact");
    }
}
