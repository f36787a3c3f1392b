use egret_domain::access::Principal;
use serde::Serialize;
use sqlx::{AnyConnection, Row};

use crate::db::{new_id, now};
use crate::{Result, Store, StoreError};

/// The tenant id of platform-level records (users, tokens).
pub(crate) const PLATFORM: &str = "_platform";

/// One recorded write.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct AuditEntry {
    pub tenant_id: String,
    pub audit_id: String,
    pub at: String,
    pub actor: String,
    pub actor_role: String,
    pub entity: String,
    pub entity_id: String,
    pub action: String,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

/// What changed, for [`record`].
pub(crate) struct Change<'a> {
    pub tenant: &'a str,
    pub entity: &'static str,
    pub entity_id: &'a str,
    pub action: &'static str,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

/// Writes an audit entry on the transaction's connection, so it commits or
/// rolls back together with the change it describes.
pub(crate) async fn record(
    conn: &mut AnyConnection,
    actor: &Principal,
    change: Change<'_>,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO audit_log (tenant_id, audit_id, at, actor, actor_role, entity, entity_id, \
         action, before_json, after_json) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(change.tenant)
    .bind(new_id())
    .bind(now())
    .bind(&actor.user_id)
    .bind(actor.role.as_str())
    .bind(change.entity)
    .bind(change.entity_id)
    .bind(change.action)
    .bind(change.before.map(|v| v.to_string()))
    .bind(change.after.map(|v| v.to_string()))
    .execute(conn)
    .await?;
    Ok(())
}

/// Writes several audit entries with few statements (same semantics as
/// [`record`] for each change).
pub(crate) async fn record_many(
    conn: &mut AnyConnection,
    actor: &Principal,
    changes: Vec<Change<'_>>,
) -> Result<()> {
    let at = now();
    for chunk in changes.chunks(100) {
        let sql = format!(
            "INSERT INTO audit_log (tenant_id, audit_id, at, actor, actor_role, entity, \
             entity_id, action, before_json, after_json) VALUES {}",
            crate::db::placeholders(chunk.len(), 10)
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for c in chunk {
            q = q
                .bind(c.tenant)
                .bind(new_id())
                .bind(at.clone())
                .bind(&actor.user_id)
                .bind(actor.role.as_str())
                .bind(c.entity)
                .bind(c.entity_id)
                .bind(c.action)
                .bind(c.before.as_ref().map(|v| v.to_string()))
                .bind(c.after.as_ref().map(|v| v.to_string()));
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

impl Store {
    /// The write history of one organisation, newest first.
    pub async fn audit_for_org(
        &self,
        actor: &Principal,
        org_id: &str,
        limit: i64,
    ) -> Result<Vec<AuditEntry>> {
        if !actor.can_read_org(org_id) {
            return Err(StoreError::NotFound {
                entity: "organization",
                id: org_id.to_string(),
            });
        }
        if !actor.can_read_audit(org_id) {
            return Err(StoreError::Forbidden {
                action: "read-audit",
            });
        }
        let rows = sqlx::query(
            "SELECT tenant_id, audit_id, at, actor, actor_role, entity, entity_id, action, \
             before_json, after_json FROM audit_log WHERE tenant_id = $1 \
             ORDER BY audit_id DESC LIMIT $2",
        )
        .bind(org_id)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(entry_from_row).collect()
    }
}

impl Store {
    /// Platform-level history (accounts, sign-ins, tokens), newest first;
    /// platform admins only.
    pub async fn platform_audit(&self, actor: &Principal, limit: i64) -> Result<Vec<AuditEntry>> {
        if !actor.can_manage_users() {
            return Err(StoreError::Forbidden {
                action: "read-audit",
            });
        }
        let rows = sqlx::query(
            "SELECT tenant_id, audit_id, at, actor, actor_role, entity, entity_id, action, \
             before_json, after_json FROM audit_log WHERE tenant_id = $1 \
             ORDER BY audit_id DESC LIMIT $2",
        )
        .bind(PLATFORM)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(entry_from_row).collect()
    }
}

fn entry_from_row(r: &sqlx::any::AnyRow) -> Result<AuditEntry> {
    let json = |col: &str| -> Result<Option<serde_json::Value>> {
        let raw: Option<String> = r.try_get(col)?;
        raw.map(|s| serde_json::from_str(&s).map_err(crate::error::corrupt))
            .transpose()
    };
    Ok(AuditEntry {
        tenant_id: r.try_get("tenant_id")?,
        audit_id: r.try_get("audit_id")?,
        at: r.try_get("at")?,
        actor: r.try_get("actor")?,
        actor_role: r.try_get("actor_role")?,
        entity: r.try_get("entity")?,
        entity_id: r.try_get("entity_id")?,
        action: r.try_get("action")?,
        before: json("before_json")?,
        after: json("after_json")?,
    })
}
