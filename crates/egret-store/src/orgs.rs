//! The organisation register: organisations, their listings and zones,
//! sites, reporting periods. Every function checks the principal's rights
//! and writes an audit entry in the same transaction.

use egret_domain::access::{OrgScope, Principal};
use egret_domain::org::{
    Exchange, Listing, OrgProfile, Ownership, PeriodInput, SiteInput, SizeClass,
};
use egret_domain::refdata::ReferenceData;
use egret_domain::uscc::Uscc;
use egret_i18n::Msg;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::audit::{Change, record};
use crate::db::{Arg, Sql, b, new_id, now};
use crate::error::corrupt;
use crate::{Result, Store, StoreError};

/// A stored organisation.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrgRecord {
    pub org_id: String,
    #[serde(flatten)]
    pub profile: OrgProfile,
    /// Whether the exchanges' sustainability-reporting guideline makes a
    /// report mandatory (index membership or dual listing).
    pub sr_mandatory: bool,
    /// Part of the synthetic demo city.
    pub synthetic: bool,
    pub version: i64,
    pub created_at: String,
    pub created_by: String,
    pub updated_at: String,
    pub updated_by: String,
}

/// Filters for [`Store::list_orgs`]. Empty fields do not filter.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct OrgFilter {
    /// Part of the Chinese or English name, or of the credit code.
    pub q: Option<String>,
    pub district: Option<String>,
    pub cluster: Option<String>,
    pub ownership: Option<String>,
    pub zone: Option<String>,
    pub size_class: Option<String>,
    pub listed: Option<bool>,
    pub sr_mandatory: Option<bool>,
    pub foreign_business: Option<bool>,
}

/// A page request (1-based).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    pub page: u32,
    pub per_page: u32,
}

impl Page {
    pub const MAX_PER_PAGE: u32 = 200;

    pub fn new(page: Option<u32>, per_page: Option<u32>) -> Page {
        Page {
            page: page.unwrap_or(1).max(1),
            per_page: per_page.unwrap_or(50).clamp(1, Self::MAX_PER_PAGE),
        }
    }
}

/// One page of results and the total count.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PageOf<T> {
    pub items: Vec<T>,
    pub total: i64,
    pub page: u32,
    pub per_page: u32,
}

/// A stored site.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SiteRecord {
    pub org_id: String,
    pub site_id: String,
    pub name_zh: String,
    pub name_en: Option<String>,
    pub kind: String,
    pub district: String,
    pub address: Option<String>,
    pub zone: Option<String>,
}

/// A stored reporting period (fiscal year).
#[derive(Debug, Clone, Serialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PeriodRecord {
    pub org_id: String,
    pub period_id: String,
    pub fiscal_year: i32,
    pub start: String,
    pub end: String,
}

/// What to do when some rows of an import cannot be stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ImportMode {
    /// Store nothing if any row fails.
    #[default]
    AllOrNothing,
    /// Store the good rows, report the bad ones.
    SkipBad,
}

/// Outcome of [`Store::import_orgs`].
#[derive(Debug, Clone, Default, Serialize)]
pub struct ImportReport {
    /// (spreadsheet row, new organisation id) of every stored row.
    pub created: Vec<(usize, String)>,
    /// (spreadsheet row, reason) of every refused row.
    pub refused: Vec<(usize, Msg)>,
    /// Whether anything was written.
    pub committed: bool,
}

const ORG_COLUMNS: &str = "org_id, uscc, name_zh, name_en, industry_code, cluster, ownership, \
    foreign_business, financial_institution, district, employees, revenue_fen, \
    total_assets_fen, size_basis_year, size_class, sr_mandatory, synthetic, version, \
    created_at, created_by, updated_at, updated_by";

fn to_fen(v: Option<Decimal>) -> Result<Option<i64>> {
    v.map(|d| {
        crate::db::hundredths(d).ok_or_else(|| {
            StoreError::Conflict(Msg::new("store-amount-out-of-range").arg("value", d))
        })
    })
    .transpose()
}

fn from_fen(v: Option<i64>) -> Option<Decimal> {
    v.map(|f| Decimal::new(f, 2).normalize())
}

fn not_found(id: &str) -> StoreError {
    StoreError::NotFound {
        entity: "organization",
        id: id.to_string(),
    }
}

/// A write transaction on behalf of one principal. Dropping it without
/// [`Tx::commit`] rolls everything back.
pub struct Tx<'a> {
    tx: sqlx::Transaction<'static, sqlx::Any>,
    actor: &'a Principal,
    _writer: Option<tokio::sync::MutexGuard<'a, ()>>,
}

impl Store {
    /// Starts a write transaction for `actor`.
    pub async fn begin<'a>(&'a self, actor: &'a Principal) -> Result<Tx<'a>> {
        let writer = self.writer().await;
        let tx = self.write_tx().await?;
        Ok(Tx {
            tx,
            actor,
            _writer: writer,
        })
    }

    /// Registers one organisation.
    pub async fn create_org(&self, actor: &Principal, profile: &OrgProfile) -> Result<OrgRecord> {
        let mut tx = self.begin(actor).await?;
        let id = tx.create_org(profile, false).await?;
        tx.commit().await?;
        self.get_org(actor, &id).await
    }

    /// Replaces an organisation's profile. `expected_version`, when given,
    /// must match the stored version (optimistic locking for forms).
    pub async fn update_org(
        &self,
        actor: &Principal,
        org_id: &str,
        expected_version: Option<i64>,
        profile: &OrgProfile,
    ) -> Result<OrgRecord> {
        let mut tx = self.begin(actor).await?;
        tx.update_org(org_id, expected_version, profile).await?;
        tx.commit().await?;
        self.get_org(actor, org_id).await
    }

    /// Stores the rows of an import in one transaction.
    pub async fn import_orgs(
        &self,
        actor: &Principal,
        rows: &[(usize, OrgProfile)],
        mode: ImportMode,
    ) -> Result<ImportReport> {
        if !actor.can_register_orgs() {
            return Err(StoreError::Forbidden {
                action: "register-organizations",
            });
        }
        let mut tx = self.begin(actor).await?;
        let mut report = ImportReport::default();
        for (row, profile) in rows {
            match tx.create_org(profile, false).await {
                Ok(id) => report.created.push((*row, id)),
                Err(StoreError::Conflict(m)) => report.refused.push((*row, m)),
                Err(e) => return Err(e),
            }
        }
        if report.refused.is_empty() || mode == ImportMode::SkipBad {
            tx.commit().await?;
            report.committed = true;
        } else {
            report.created.clear();
        }
        Ok(report)
    }

    /// One organisation, if the principal may see it.
    pub async fn get_org(&self, actor: &Principal, org_id: &str) -> Result<OrgRecord> {
        if !actor.can_read_org(org_id) {
            return Err(not_found(org_id));
        }
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {ORG_COLUMNS} FROM organizations WHERE org_id = $1"
        )))
        .bind(org_id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| not_found(org_id))?;
        let mut recs = self.hydrate(vec![row]).await?;
        Ok(recs.pop().expect("one row in, one record out"))
    }

    /// The organisation registered under a credit code, if visible.
    pub async fn find_org_by_uscc(&self, actor: &Principal, uscc: &str) -> Result<OrgRecord> {
        let id: Option<String> =
            sqlx::query_scalar("SELECT org_id FROM uscc_directory WHERE uscc = $1")
                .bind(uscc)
                .fetch_optional(&self.pool)
                .await?;
        match id {
            Some(id) => self.get_org(actor, &id).await,
            None => Err(not_found(uscc)),
        }
    }

    /// Organisations the principal may see, filtered and paged, by name.
    pub async fn list_orgs(
        &self,
        actor: &Principal,
        filter: &OrgFilter,
        page: Page,
    ) -> Result<PageOf<OrgRecord>> {
        let mut wh = Sql::new(" WHERE 1 = 1");
        if let OrgScope::Only(ids) = actor.org_scope() {
            if ids.is_empty() {
                return Ok(PageOf {
                    items: vec![],
                    total: 0,
                    page: page.page,
                    per_page: page.per_page,
                });
            }
            wh.push(" AND o.org_id IN (");
            for (i, id) in ids.iter().enumerate() {
                if i > 0 {
                    wh.push(", ");
                }
                wh.bind(Arg::Text(id.clone()));
            }
            wh.push(")");
        }
        fn text(v: &Option<String>) -> Option<&str> {
            v.as_deref().map(str::trim).filter(|s| !s.is_empty())
        }
        if let Some(q) = text(&filter.q) {
            let like = format!("%{}%", q.to_lowercase());
            wh.push(" AND (LOWER(o.name_zh) LIKE ")
                .bind(Arg::Text(like.clone()))
                .push(" OR LOWER(COALESCE(o.name_en, '')) LIKE ")
                .bind(Arg::Text(like.clone()))
                .push(" OR LOWER(o.uscc) LIKE ")
                .bind(Arg::Text(like))
                .push(")");
        }
        for (col, v) in [
            ("o.district", &filter.district),
            ("o.cluster", &filter.cluster),
            ("o.ownership", &filter.ownership),
            ("o.size_class", &filter.size_class),
        ] {
            if let Some(v) = text(v) {
                wh.push(&format!(" AND {col} = "))
                    .bind(Arg::Text(v.to_string()));
            }
        }
        if let Some(z) = text(&filter.zone) {
            wh.push(
                " AND EXISTS (SELECT 1 FROM org_zones z WHERE z.org_id = o.org_id AND z.zone_id = ",
            )
            .bind(Arg::Text(z.to_string()))
            .push(")");
        }
        for (col, v) in [
            ("o.is_listed", filter.listed),
            ("o.sr_mandatory", filter.sr_mandatory),
            ("o.foreign_business", filter.foreign_business),
        ] {
            if let Some(v) = v {
                wh.push(&format!(" AND {col} = ")).bind(Arg::Int(b(v)));
            }
        }
        let total: i64 = wh
            .prefixed("SELECT COUNT(*) AS n FROM organizations o")
            .fetch_all(&self.pool)
            .await?[0]
            .try_get("n")?;
        let columns = ORG_COLUMNS
            .split(", ")
            .map(|c| format!("o.{}", c.trim()))
            .collect::<Vec<_>>()
            .join(", ");
        let mut q = wh.prefixed(&format!("SELECT {columns} FROM organizations o"));
        q.push(" ORDER BY o.name_zh, o.org_id LIMIT ")
            .bind(Arg::Int(i64::from(page.per_page)))
            .push(" OFFSET ")
            .bind(Arg::Int(
                i64::from(page.page - 1) * i64::from(page.per_page),
            ));
        let rows = q.fetch_all(&self.pool).await?;
        Ok(PageOf {
            items: self.hydrate(rows).await?,
            total,
            page: page.page,
            per_page: page.per_page,
        })
    }

    /// Turns organisation rows into records, loading listings and zones.
    async fn hydrate(&self, rows: Vec<AnyRow>) -> Result<Vec<OrgRecord>> {
        if rows.is_empty() {
            return Ok(vec![]);
        }
        let ids: Vec<String> = rows
            .iter()
            .map(|r| r.try_get::<String, _>("org_id"))
            .collect::<std::result::Result<_, _>>()?;
        let in_list = |sql: &str| {
            let mut s = Sql::new(sql);
            s.push(" WHERE org_id IN (");
            for (i, id) in ids.iter().enumerate() {
                if i > 0 {
                    s.push(", ");
                }
                s.bind(Arg::Text(id.clone()));
            }
            s.push(")");
            s
        };
        let mut listings =
            in_list("SELECT org_id, seq, exchange, ticker, indices FROM org_listings");
        listings.push(" ORDER BY org_id, seq");
        let listing_rows = listings.fetch_all(&self.pool).await?;
        let mut zones = in_list("SELECT org_id, zone_id FROM org_zones");
        zones.push(" ORDER BY org_id, zone_id");
        let zone_rows = zones.fetch_all(&self.pool).await?;

        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let id: String = r.try_get("org_id")?;
            let mut ls = Vec::new();
            for l in listing_rows
                .iter()
                .filter(|l| l.try_get::<String, _>("org_id").ok().as_deref() == Some(&id))
            {
                let exchange: String = l.try_get("exchange")?;
                let indices: String = l.try_get("indices")?;
                ls.push(Listing {
                    exchange: exchange.parse::<Exchange>().map_err(corrupt)?,
                    ticker: l.try_get("ticker")?,
                    indices: indices
                        .split(';')
                        .filter(|s| !s.is_empty())
                        .map(str::to_string)
                        .collect(),
                });
            }
            let zs: Vec<String> = zone_rows
                .iter()
                .filter(|z| z.try_get::<String, _>("org_id").ok().as_deref() == Some(&id))
                .map(|z| z.try_get("zone_id"))
                .collect::<std::result::Result<_, _>>()?;
            out.push(record_from_row(r, ls, zs)?);
        }
        Ok(out)
    }

    /// Sites of an organisation.
    pub async fn list_sites(&self, actor: &Principal, org_id: &str) -> Result<Vec<SiteRecord>> {
        if !actor.can_read_org(org_id) {
            return Err(not_found(org_id));
        }
        let rows = sqlx::query(
            "SELECT org_id, site_id, name_zh, name_en, kind, district, address, zone_id \
             FROM sites WHERE org_id = $1 ORDER BY name_zh, site_id",
        )
        .bind(org_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(SiteRecord {
                    org_id: r.try_get("org_id")?,
                    site_id: r.try_get("site_id")?,
                    name_zh: r.try_get("name_zh")?,
                    name_en: r.try_get("name_en")?,
                    kind: r.try_get("kind")?,
                    district: r.try_get("district")?,
                    address: r.try_get("address")?,
                    zone: r.try_get("zone_id")?,
                })
            })
            .collect()
    }

    /// Reporting periods of an organisation, latest first.
    pub async fn list_periods(&self, actor: &Principal, org_id: &str) -> Result<Vec<PeriodRecord>> {
        if !actor.can_read_org(org_id) {
            return Err(not_found(org_id));
        }
        let rows = sqlx::query(
            "SELECT org_id, period_id, fiscal_year, start_date, end_date \
             FROM reporting_periods WHERE org_id = $1 ORDER BY fiscal_year DESC",
        )
        .bind(org_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(PeriodRecord {
                    org_id: r.try_get("org_id")?,
                    period_id: r.try_get("period_id")?,
                    fiscal_year: i32::try_from(r.try_get::<i64, _>("fiscal_year")?)
                        .map_err(corrupt)?,
                    start: r.try_get("start_date")?,
                    end: r.try_get("end_date")?,
                })
            })
            .collect()
    }

    /// Adds a site (one transaction).
    pub async fn add_site(
        &self,
        actor: &Principal,
        org_id: &str,
        site: &SiteInput,
    ) -> Result<String> {
        let mut tx = self.begin(actor).await?;
        let id = tx.add_site(org_id, site).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Adds a reporting period (one transaction).
    pub async fn add_period(
        &self,
        actor: &Principal,
        org_id: &str,
        period: &PeriodInput,
    ) -> Result<String> {
        let mut tx = self.begin(actor).await?;
        let id = tx.add_period(org_id, period).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Whether the register holds synthetic (demo) organisations.
    pub async fn has_synthetic_data(&self) -> Result<bool> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM organizations WHERE synthetic = 1")
            .fetch_one(&self.pool)
            .await?;
        Ok(n > 0)
    }

    /// Number of organisations in the register (all, regardless of role:
    /// a public aggregate).
    pub async fn count_orgs(&self) -> Result<i64> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM organizations")
            .fetch_one(&self.pool)
            .await?)
    }
}

fn record_from_row(r: &AnyRow, listings: Vec<Listing>, zones: Vec<String>) -> Result<OrgRecord> {
    let flag = |c: &str| -> Result<bool> { Ok(r.try_get::<i64, _>(c)? != 0) };
    let uscc: String = r.try_get("uscc")?;
    let ownership: String = r.try_get("ownership")?;
    let size_class: Option<String> = r.try_get("size_class")?;
    let profile = OrgProfile {
        uscc: Uscc::parse(&uscc).map_err(corrupt)?,
        name_zh: r.try_get("name_zh")?,
        name_en: r.try_get("name_en")?,
        industry_code: r.try_get("industry_code")?,
        cluster: r.try_get("cluster")?,
        ownership: ownership.parse::<Ownership>().map_err(corrupt)?,
        listings,
        foreign_business: flag("foreign_business")?,
        financial_institution: flag("financial_institution")?,
        district: r.try_get("district")?,
        zones,
        employees: r.try_get("employees")?,
        revenue_cny: from_fen(r.try_get("revenue_fen")?),
        total_assets_cny: from_fen(r.try_get("total_assets_fen")?),
        size_basis_year: r
            .try_get::<Option<i64>, _>("size_basis_year")?
            .map(i32::try_from)
            .transpose()
            .map_err(corrupt)?,
        size_class: size_class
            .map(|s| s.parse::<SizeClass>())
            .transpose()
            .map_err(corrupt)?,
    };
    Ok(OrgRecord {
        org_id: r.try_get("org_id")?,
        profile,
        sr_mandatory: flag("sr_mandatory")?,
        synthetic: flag("synthetic")?,
        version: r.try_get("version")?,
        created_at: r.try_get("created_at")?,
        created_by: r.try_get("created_by")?,
        updated_at: r.try_get("updated_at")?,
        updated_by: r.try_get("updated_by")?,
    })
}

impl<'a> Tx<'a> {
    pub(crate) fn conn_mut(&mut self) -> &mut AnyConnection {
        &mut self.tx
    }

    pub fn actor(&self) -> &'a Principal {
        self.actor
    }

    /// Commits every write of the transaction.
    pub async fn commit(self) -> Result<()> {
        self.tx.commit().await?;
        Ok(())
    }

    /// Registers an organisation and returns its new id. A credit code that
    /// is already registered is a [`StoreError::Conflict`] and writes
    /// nothing.
    pub async fn create_org(&mut self, p: &OrgProfile, synthetic: bool) -> Result<String> {
        if !self.actor.can_register_orgs() {
            return Err(StoreError::Forbidden {
                action: "register-organizations",
            });
        }
        let existing: Option<String> =
            sqlx::query_scalar("SELECT org_id FROM uscc_directory WHERE uscc = $1")
                .bind(p.uscc.as_str())
                .fetch_optional(self.conn_mut())
                .await?;
        if existing.is_some() {
            return Err(StoreError::Conflict(
                Msg::new("store-uscc-taken").arg("uscc", p.uscc.as_str()),
            ));
        }
        let id = new_id();
        let at = now();
        let rd = ReferenceData::embedded();
        sqlx::query(
            "INSERT INTO organizations (org_id, uscc, name_zh, name_en, industry_code, cluster, \
             ownership, foreign_business, financial_institution, district, employees, \
             revenue_fen, total_assets_fen, size_basis_year, size_class, is_listed, \
             state_controlled, sr_mandatory, synthetic, version, created_at, created_by, \
             updated_at, updated_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, \
             $12, $13, $14, $15, $16, $17, $18, $19, 1, $20, $21, $20, $21)",
        )
        .bind(&id)
        .bind(p.uscc.as_str())
        .bind(&p.name_zh)
        .bind(&p.name_en)
        .bind(&p.industry_code)
        .bind(&p.cluster)
        .bind(p.ownership.as_str())
        .bind(b(p.foreign_business))
        .bind(b(p.financial_institution))
        .bind(&p.district)
        .bind(p.employees)
        .bind(to_fen(p.revenue_cny)?)
        .bind(to_fen(p.total_assets_cny)?)
        .bind(p.size_basis_year.map(i64::from))
        .bind(p.size_class.map(|c| c.as_str()))
        .bind(b(p.is_listed()))
        .bind(b(p.is_state_controlled()))
        .bind(b(p.sr_mandatory(rd)))
        .bind(b(synthetic))
        .bind(&at)
        .bind(&self.actor.user_id)
        .execute(self.conn_mut())
        .await?;
        sqlx::query("INSERT INTO uscc_directory (uscc, org_id) VALUES ($1, $2)")
            .bind(p.uscc.as_str())
            .bind(&id)
            .execute(self.conn_mut())
            .await?;
        self.write_children(&id, p).await?;
        let actor = self.actor;
        record(
            self.conn_mut(),
            actor,
            Change {
                tenant: &id,
                entity: "organization",
                entity_id: &id,
                action: "create",
                before: None,
                after: Some(serde_json::to_value(p).map_err(corrupt)?),
            },
        )
        .await?;
        Ok(id)
    }

    async fn write_children(&mut self, id: &str, p: &OrgProfile) -> Result<()> {
        sqlx::query("DELETE FROM org_listings WHERE org_id = $1")
            .bind(id)
            .execute(self.conn_mut())
            .await?;
        sqlx::query("DELETE FROM org_zones WHERE org_id = $1")
            .bind(id)
            .execute(self.conn_mut())
            .await?;
        for (seq, l) in p.listings.iter().enumerate() {
            sqlx::query(
                "INSERT INTO org_listings (org_id, seq, exchange, ticker, indices) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(id)
            .bind(seq as i64)
            .bind(l.exchange.as_str())
            .bind(&l.ticker)
            .bind(l.indices.join(";"))
            .execute(self.conn_mut())
            .await?;
        }
        let mut zones = p.zones.clone();
        zones.sort();
        zones.dedup();
        for z in zones {
            sqlx::query("INSERT INTO org_zones (org_id, zone_id) VALUES ($1, $2)")
                .bind(id)
                .bind(z)
                .execute(self.conn_mut())
                .await?;
        }
        Ok(())
    }

    /// Replaces a profile; see [`Store::update_org`].
    pub async fn update_org(
        &mut self,
        org_id: &str,
        expected_version: Option<i64>,
        p: &OrgProfile,
    ) -> Result<()> {
        if !self.actor.can_read_org(org_id) {
            return Err(not_found(org_id));
        }
        if !self.actor.can_write_org(org_id) {
            return Err(StoreError::Forbidden {
                action: "update-organization",
            });
        }
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {ORG_COLUMNS} FROM organizations WHERE org_id = $1"
        )))
        .bind(org_id)
        .fetch_optional(self.conn_mut())
        .await?
        .ok_or_else(|| not_found(org_id))?;
        let version: i64 = row.try_get("version")?;
        let stored_uscc: String = row.try_get("uscc")?;
        if let Some(v) = expected_version
            && v != version
        {
            return Err(StoreError::Conflict(
                Msg::new("store-stale-version")
                    .arg("expected", v)
                    .arg("stored", version),
            ));
        }
        if stored_uscc != p.uscc.as_str() {
            return Err(StoreError::Conflict(
                Msg::new("store-uscc-immutable").arg("uscc", stored_uscc),
            ));
        }
        // The "before" state for the audit log, read inside the transaction.
        let listings: Vec<AnyRow> = sqlx::query(
            "SELECT org_id, seq, exchange, ticker, indices FROM org_listings \
             WHERE org_id = $1 ORDER BY seq",
        )
        .bind(org_id)
        .fetch_all(self.conn_mut())
        .await?;
        let zones: Vec<String> =
            sqlx::query_scalar("SELECT zone_id FROM org_zones WHERE org_id = $1 ORDER BY zone_id")
                .bind(org_id)
                .fetch_all(self.conn_mut())
                .await?;
        let mut ls = Vec::new();
        for l in &listings {
            let exchange: String = l.try_get("exchange")?;
            let indices: String = l.try_get("indices")?;
            ls.push(Listing {
                exchange: exchange.parse::<Exchange>().map_err(corrupt)?,
                ticker: l.try_get("ticker")?,
                indices: indices
                    .split(';')
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
                    .collect(),
            });
        }
        let before = record_from_row(&row, ls, zones)?.profile;
        let rd = ReferenceData::embedded();
        let at = now();
        sqlx::query(
            "UPDATE organizations SET name_zh = $1, name_en = $2, industry_code = $3, \
             cluster = $4, ownership = $5, foreign_business = $6, financial_institution = $7, \
             district = $8, employees = $9, revenue_fen = $10, total_assets_fen = $11, \
             size_basis_year = $12, size_class = $13, is_listed = $14, state_controlled = $15, \
             sr_mandatory = $16, version = version + 1, updated_at = $17, updated_by = $18 \
             WHERE org_id = $19",
        )
        .bind(&p.name_zh)
        .bind(&p.name_en)
        .bind(&p.industry_code)
        .bind(&p.cluster)
        .bind(p.ownership.as_str())
        .bind(b(p.foreign_business))
        .bind(b(p.financial_institution))
        .bind(&p.district)
        .bind(p.employees)
        .bind(to_fen(p.revenue_cny)?)
        .bind(to_fen(p.total_assets_cny)?)
        .bind(p.size_basis_year.map(i64::from))
        .bind(p.size_class.map(|c| c.as_str()))
        .bind(b(p.is_listed()))
        .bind(b(p.is_state_controlled()))
        .bind(b(p.sr_mandatory(rd)))
        .bind(&at)
        .bind(&self.actor.user_id)
        .bind(org_id)
        .execute(self.conn_mut())
        .await?;
        self.write_children(org_id, p).await?;
        let actor = self.actor;
        record(
            self.conn_mut(),
            actor,
            Change {
                tenant: org_id,
                entity: "organization",
                entity_id: org_id,
                action: "update",
                before: Some(serde_json::to_value(&before).map_err(corrupt)?),
                after: Some(serde_json::to_value(p).map_err(corrupt)?),
            },
        )
        .await?;
        Ok(())
    }

    fn check_write(&self, org_id: &str) -> Result<()> {
        if !self.actor.can_read_org(org_id) {
            return Err(not_found(org_id));
        }
        if !self.actor.can_write_org(org_id) {
            return Err(StoreError::Forbidden {
                action: "update-organization",
            });
        }
        Ok(())
    }

    async fn ensure_org(&mut self, org_id: &str) -> Result<()> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM organizations WHERE org_id = $1")
            .bind(org_id)
            .fetch_one(self.conn_mut())
            .await?;
        if n == 0 {
            return Err(not_found(org_id));
        }
        Ok(())
    }

    /// Adds a validated site to an organisation.
    pub async fn add_site(&mut self, org_id: &str, input: &SiteInput) -> Result<String> {
        self.check_write(org_id)?;
        let site = input
            .validate(ReferenceData::embedded())
            .map_err(StoreError::Invalid)?;
        self.ensure_org(org_id).await?;
        let id = new_id();
        sqlx::query(
            "INSERT INTO sites (org_id, site_id, name_zh, name_en, kind, district, address, \
             zone_id, created_at, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(org_id)
        .bind(&id)
        .bind(&site.name_zh)
        .bind(&site.name_en)
        .bind(site.kind.as_str())
        .bind(&site.district)
        .bind(&site.address)
        .bind(&site.zone)
        .bind(now())
        .bind(&self.actor.user_id)
        .execute(self.conn_mut())
        .await?;
        let actor = self.actor;
        record(
            self.conn_mut(),
            actor,
            Change {
                tenant: org_id,
                entity: "site",
                entity_id: &id,
                action: "create",
                before: None,
                after: Some(serde_json::to_value(&site).map_err(corrupt)?),
            },
        )
        .await?;
        Ok(id)
    }

    /// Adds a reporting period; a second period for the same fiscal year is
    /// a conflict.
    pub async fn add_period(&mut self, org_id: &str, input: &PeriodInput) -> Result<String> {
        self.check_write(org_id)?;
        input.validate().map_err(StoreError::Invalid)?;
        self.ensure_org(org_id).await?;
        let taken: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM reporting_periods WHERE org_id = $1 AND fiscal_year = $2",
        )
        .bind(org_id)
        .bind(i64::from(input.fiscal_year))
        .fetch_one(self.conn_mut())
        .await?;
        if taken > 0 {
            return Err(StoreError::Conflict(
                Msg::new("store-period-exists").arg("year", input.fiscal_year),
            ));
        }
        let id = new_id();
        sqlx::query(
            "INSERT INTO reporting_periods (org_id, period_id, fiscal_year, start_date, \
             end_date, created_at, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(org_id)
        .bind(&id)
        .bind(i64::from(input.fiscal_year))
        .bind(input.start.to_string())
        .bind(input.end.to_string())
        .bind(now())
        .bind(&self.actor.user_id)
        .execute(self.conn_mut())
        .await?;
        let actor = self.actor;
        record(
            self.conn_mut(),
            actor,
            Change {
                tenant: org_id,
                entity: "reporting_period",
                entity_id: &id,
                action: "create",
                before: None,
                after: Some(serde_json::to_value(input).map_err(corrupt)?),
            },
        )
        .await?;
        Ok(id)
    }
}

/// Counts of one group of the register.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Bucket {
    pub key: String,
    pub total: i64,
    pub listed: i64,
}

/// Headline figures of the register. These are public aggregates: they
/// reveal no organisation's own data, so every role (and the public) may
/// read them.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RegisterSummary {
    pub total: i64,
    pub listed: i64,
    pub sr_mandatory: i64,
    /// State-controlled listed companies with foreign business (the plan's
    /// 100% disclosure segment).
    pub soe_listed_foreign: i64,
    pub by_district: Vec<Bucket>,
    pub by_zone: Vec<Bucket>,
}

impl Store {
    /// Headline counts of the register.
    pub async fn register_summary(&self) -> Result<RegisterSummary> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS total, CAST(COALESCE(SUM(is_listed), 0) AS BIGINT) AS listed, \
             CAST(COALESCE(SUM(sr_mandatory), 0) AS BIGINT) AS sr, \
             CAST(COALESCE(SUM(is_listed * state_controlled * foreign_business), 0) AS BIGINT) AS soe \
             FROM organizations",
        )
        .fetch_one(&self.pool)
        .await?;
        let buckets = |rows: Vec<AnyRow>| -> Result<Vec<Bucket>> {
            rows.iter()
                .map(|r| {
                    Ok(Bucket {
                        key: r.try_get("k")?,
                        total: r.try_get("total")?,
                        listed: r.try_get("listed")?,
                    })
                })
                .collect()
        };
        let by_district = buckets(
            sqlx::query(
                "SELECT district AS k, COUNT(*) AS total, CAST(COALESCE(SUM(is_listed), 0) AS BIGINT) AS listed \
                 FROM organizations GROUP BY district ORDER BY district",
            )
            .fetch_all(&self.pool)
            .await?,
        )?;
        let by_zone = buckets(
            sqlx::query(
                "SELECT z.zone_id AS k, COUNT(*) AS total, CAST(COALESCE(SUM(o.is_listed), 0) AS BIGINT) AS listed \
                 FROM org_zones z JOIN organizations o ON o.org_id = z.org_id \
                 GROUP BY z.zone_id ORDER BY z.zone_id",
            )
            .fetch_all(&self.pool)
            .await?,
        )?;
        Ok(RegisterSummary {
            total: row.try_get("total")?,
            listed: row.try_get("listed")?,
            sr_mandatory: row.try_get("sr")?,
            soe_listed_foreign: row.try_get("soe")?,
            by_district,
            by_zone,
        })
    }
}
