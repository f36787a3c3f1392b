//! Accounts, their bindings to organisations, browser sessions and API
//! tokens. Passwords are stored as argon2id PHC strings; session and API
//! tokens only as SHA-256 digests, so a copy of the database does not let
//! anyone sign in.

use argon2::{Argon2, PasswordHasher, PasswordVerifier};
use egret_domain::access::{Principal, Relation, Role};
use egret_i18n::Msg;
use rand::RngCore;
use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::Row;

use crate::audit::{Change, PLATFORM, record};
use crate::db::{b, new_id, now};
use crate::error::corrupt;
use crate::orgs::Tx;
use crate::{Result, Store, StoreError};

/// How long a browser session lasts.
const SESSION_HOURS: i64 = 12;
/// Shortest password accepted.
pub const MIN_PASSWORD_LEN: usize = 10;

/// A stored account (never includes the password hash).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct User {
    pub user_id: String,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub active: bool,
}

/// An account to create.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub password: String,
    /// Organisations to bind (members for enterprise users, engagements for
    /// assurers; must be empty for other roles).
    pub orgs: Vec<String>,
}

/// A live browser session.
#[derive(Debug, Clone)]
pub struct SessionInfo {
    pub user: User,
    pub principal: Principal,
    pub csrf_token: String,
}

/// An API token as listed to its owner (the secret is shown only once).
#[derive(Debug, Clone, Serialize)]
pub struct ApiTokenInfo {
    pub token_id: String,
    pub name: String,
    pub created_at: String,
    pub last_used_at: Option<String>,
    pub revoked_at: Option<String>,
}

pub(crate) fn digest(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

pub(crate) fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::rng().fill_bytes(&mut buf);
    hex::encode(buf)
}

/// Hashes a password with argon2id (blocking; call off the async runtime).
pub fn hash_password(password: &str) -> Result<String> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(corrupt)
}

fn user_from_row(r: &sqlx::any::AnyRow) -> Result<User> {
    let role: String = r.try_get("role")?;
    Ok(User {
        user_id: r.try_get("user_id")?,
        email: r.try_get("email")?,
        display_name: r.try_get("display_name")?,
        role: role.parse().map_err(corrupt)?,
        active: r.try_get::<i64, _>("active")? != 0,
    })
}

impl Tx<'_> {
    /// Creates an account with an already computed password hash.
    pub async fn create_user_hashed(
        &mut self,
        user: &NewUser,
        password_hash: &str,
    ) -> Result<String> {
        if !self.actor().can_manage_users() {
            return Err(StoreError::Forbidden {
                action: "manage-users",
            });
        }
        let email = user.email.trim().to_lowercase();
        if !email.contains('@') || email.len() > 254 {
            return Err(StoreError::Conflict(
                Msg::new("store-bad-email").arg("email", &user.email),
            ));
        }
        let relation = user.role.binding();
        if relation.is_none() && !user.orgs.is_empty() {
            return Err(StoreError::Conflict(
                Msg::new("store-role-no-orgs").arg("role", user.role.as_str()),
            ));
        }
        let taken: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE email = $1")
            .bind(&email)
            .fetch_one(self.conn_mut())
            .await?;
        if taken > 0 {
            return Err(StoreError::Conflict(
                Msg::new("store-email-taken").arg("email", &email),
            ));
        }
        let id = new_id();
        let at = now();
        sqlx::query(
            "INSERT INTO users (user_id, email, display_name, role, password_hash, lang, active, \
             created_at) VALUES ($1, $2, $3, $4, $5, 'zh-CN', 1, $6)",
        )
        .bind(&id)
        .bind(&email)
        .bind(user.display_name.trim())
        .bind(user.role.as_str())
        .bind(password_hash)
        .bind(&at)
        .execute(self.conn_mut())
        .await?;
        let actor = self.actor();
        record(
            self.conn_mut(),
            actor,
            Change {
                tenant: PLATFORM,
                entity: "user",
                entity_id: &id,
                action: "create",
                before: None,
                after: Some(serde_json::json!({
                    "email": email, "display_name": user.display_name, "role": user.role,
                })),
            },
        )
        .await?;
        if let Some(rel) = relation {
            for org in &user.orgs {
                self.bind_user(&id, org, rel).await?;
            }
        }
        Ok(id)
    }

    /// Binds a user to an organisation.
    pub async fn bind_user(&mut self, user_id: &str, org_id: &str, rel: Relation) -> Result<()> {
        if !self.actor().can_manage_users() {
            return Err(StoreError::Forbidden {
                action: "manage-users",
            });
        }
        let exists: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM organizations WHERE org_id = $1")
                .bind(org_id)
                .fetch_one(self.conn_mut())
                .await?;
        if exists == 0 {
            return Err(StoreError::NotFound {
                entity: "organization",
                id: org_id.to_string(),
            });
        }
        sqlx::query(
            "INSERT INTO org_bindings (org_id, user_id, relation, created_at) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(org_id)
        .bind(user_id)
        .bind(rel.as_str())
        .bind(now())
        .execute(self.conn_mut())
        .await?;
        let actor = self.actor();
        record(
            self.conn_mut(),
            actor,
            Change {
                tenant: org_id,
                entity: "org_binding",
                entity_id: user_id,
                action: "create",
                before: None,
                after: Some(serde_json::json!({ "user_id": user_id, "relation": rel })),
            },
        )
        .await
    }
}

impl Store {
    /// Creates an account (hashing the password) in one transaction.
    pub async fn create_user(&self, actor: &Principal, user: &NewUser) -> Result<String> {
        if user.password.chars().count() < MIN_PASSWORD_LEN {
            return Err(StoreError::Conflict(
                Msg::new("store-password-short").arg("min", MIN_PASSWORD_LEN),
            ));
        }
        let pw = user.password.clone();
        let hash = tokio::task::spawn_blocking(move || hash_password(&pw))
            .await
            .map_err(corrupt)??;
        let mut tx = self.begin(actor).await?;
        let id = tx.create_user_hashed(user, &hash).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Checks an e-mail and password. `Ok(None)` for any mismatch, unknown
    /// address or disabled account (callers must not say which).
    pub async fn authenticate(&self, email: &str, password: &str) -> Result<Option<User>> {
        let row = sqlx::query(
            "SELECT user_id, email, display_name, role, active, password_hash FROM users \
             WHERE email = $1",
        )
        .bind(email.trim().to_lowercase())
        .fetch_optional(&self.pool)
        .await?;
        let (user, hash) = match &row {
            Some(r) => (
                Some(user_from_row(r)?),
                r.try_get::<String, _>("password_hash")?,
            ),
            // Verify against a fixed hash anyway so unknown addresses take
            // as long as wrong passwords.
            None => (None, dummy_hash()?),
        };
        let pw = password.to_string();
        let ok = tokio::task::spawn_blocking(move || {
            Argon2::default()
                .verify_password(pw.as_bytes(), hash.as_str())
                .is_ok()
        })
        .await
        .map_err(corrupt)?;
        Ok(user.filter(|u| ok && u.active))
    }

    /// The principal of a user: role plus bound organisations.
    pub async fn principal(&self, user: &User) -> Result<Principal> {
        let mut orgs: Vec<String> = match user.role.binding() {
            Some(rel) => {
                sqlx::query_scalar(
                    "SELECT org_id FROM org_bindings WHERE user_id = $1 AND relation = $2",
                )
                .bind(&user.user_id)
                .bind(rel.as_str())
                .fetch_all(&self.pool)
                .await?
            }
            None => Vec::new(),
        };
        orgs.sort();
        Ok(Principal {
            user_id: user.user_id.clone(),
            role: user.role,
            orgs,
        })
    }

    /// A user by id.
    pub async fn user(&self, user_id: &str) -> Result<User> {
        let row = sqlx::query(
            "SELECT user_id, email, display_name, role, active FROM users WHERE user_id = $1",
        )
        .bind(user_id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| StoreError::NotFound {
            entity: "user",
            id: user_id.to_string(),
        })?;
        user_from_row(&row)
    }

    /// All accounts (platform admins only).
    pub async fn list_users(&self, actor: &Principal) -> Result<Vec<User>> {
        if !actor.can_manage_users() {
            return Err(StoreError::Forbidden {
                action: "manage-users",
            });
        }
        let rows = sqlx::query(
            "SELECT user_id, email, display_name, role, active FROM users ORDER BY role, email",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(user_from_row).collect()
    }

    /// Starts a session; returns the cookie secret and the CSRF token.
    pub async fn create_session(&self, user: &User) -> Result<(String, String)> {
        let token = random_hex(32);
        let csrf = random_hex(16);
        let expires = chrono::Utc::now() + chrono::Duration::hours(SESSION_HOURS);
        let actor = Principal {
            user_id: user.user_id.clone(),
            role: user.role,
            orgs: Vec::new(),
        };
        let mut tx = self.begin(&actor).await?;
        let session_id = new_id();
        sqlx::query(
            "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(digest(&token))
        .bind(&user.user_id)
        .bind(&csrf)
        .bind(now())
        .bind(expires.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
        .execute(tx.conn_mut())
        .await?;
        // Sign-ins are recorded; the session secret is not.
        record(
            tx.conn_mut(),
            &actor,
            Change {
                tenant: PLATFORM,
                entity: "session",
                entity_id: &session_id,
                action: "sign_in",
                before: None,
                after: Some(serde_json::json!({ "user_id": user.user_id })),
            },
        )
        .await?;
        tx.commit().await?;
        Ok((token, csrf))
    }

    /// The live session for a cookie secret, if any.
    pub async fn session(&self, token: &str) -> Result<Option<SessionInfo>> {
        let row = sqlx::query(
            "SELECT s.csrf_token, s.expires_at, u.user_id, u.email, u.display_name, u.role, \
             u.active FROM sessions s JOIN users u ON u.user_id = s.user_id \
             WHERE s.token_hash = $1",
        )
        .bind(digest(token))
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let expires: String = row.try_get("expires_at")?;
        if expires < now() {
            return Ok(None);
        }
        let user = user_from_row(&row)?;
        if !user.active {
            return Ok(None);
        }
        let principal = self.principal(&user).await?;
        Ok(Some(SessionInfo {
            user,
            principal,
            csrf_token: row.try_get("csrf_token")?,
        }))
    }

    /// Ends a session (logout).
    pub async fn end_session(&self, token: &str) -> Result<()> {
        let user_id: Option<String> =
            sqlx::query_scalar("SELECT user_id FROM sessions WHERE token_hash = $1")
                .bind(digest(token))
                .fetch_optional(&self.pool)
                .await?;
        let user = match user_id {
            Some(id) => Some(self.user(&id).await?),
            None => None,
        };
        let _w = self.writer().await;
        let mut tx = self.write_tx().await?;
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1 OR expires_at < $2")
            .bind(digest(token))
            .bind(now())
            .execute(&mut *tx)
            .await?;
        if let Some(user) = user {
            let actor = Principal {
                user_id: user.user_id.clone(),
                role: user.role,
                orgs: Vec::new(),
            };
            record(
                &mut tx,
                &actor,
                Change {
                    tenant: PLATFORM,
                    entity: "session",
                    entity_id: &user.user_id,
                    action: "sign_out",
                    before: None,
                    after: None,
                },
            )
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Issues an API token for the actor; the secret is returned once.
    pub async fn create_api_token(
        &self,
        actor: &Principal,
        name: &str,
    ) -> Result<(String, ApiTokenInfo)> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 100 {
            return Err(StoreError::Conflict(Msg::new("store-token-name")));
        }
        let secret = format!("egt_{}", random_hex(24));
        let info = ApiTokenInfo {
            token_id: new_id(),
            name: name.to_string(),
            created_at: now(),
            last_used_at: None,
            revoked_at: None,
        };
        let mut tx = self.begin(actor).await?;
        sqlx::query(
            "INSERT INTO api_tokens (token_hash, token_id, user_id, name, created_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(digest(&secret))
        .bind(&info.token_id)
        .bind(&actor.user_id)
        .bind(&info.name)
        .bind(&info.created_at)
        .execute(tx.conn_mut())
        .await?;
        record(
            tx.conn_mut(),
            actor,
            Change {
                tenant: PLATFORM,
                entity: "api_token",
                entity_id: &info.token_id,
                action: "create",
                before: None,
                after: Some(serde_json::json!({ "name": info.name, "user_id": actor.user_id })),
            },
        )
        .await?;
        tx.commit().await?;
        Ok((secret, info))
    }

    /// The actor's own tokens.
    pub async fn list_api_tokens(&self, actor: &Principal) -> Result<Vec<ApiTokenInfo>> {
        let rows = sqlx::query(
            "SELECT token_id, name, created_at, last_used_at, revoked_at FROM api_tokens \
             WHERE user_id = $1 ORDER BY created_at DESC",
        )
        .bind(&actor.user_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(ApiTokenInfo {
                    token_id: r.try_get("token_id")?,
                    name: r.try_get("name")?,
                    created_at: r.try_get("created_at")?,
                    last_used_at: r.try_get("last_used_at")?,
                    revoked_at: r.try_get("revoked_at")?,
                })
            })
            .collect()
    }

    /// Revokes one of the actor's tokens (kept, marked revoked).
    pub async fn revoke_api_token(&self, actor: &Principal, token_id: &str) -> Result<()> {
        let mut tx = self.begin(actor).await?;
        let n = sqlx::query(
            "UPDATE api_tokens SET revoked_at = $1 WHERE token_id = $2 AND user_id = $3 \
             AND revoked_at IS NULL",
        )
        .bind(now())
        .bind(token_id)
        .bind(&actor.user_id)
        .execute(tx.conn_mut())
        .await?
        .rows_affected();
        if n == 0 {
            return Err(StoreError::NotFound {
                entity: "api_token",
                id: token_id.to_string(),
            });
        }
        record(
            tx.conn_mut(),
            actor,
            Change {
                tenant: PLATFORM,
                entity: "api_token",
                entity_id: token_id,
                action: "revoke",
                before: None,
                after: None,
            },
        )
        .await?;
        tx.commit().await
    }

    /// The user and principal behind a bearer token, if valid.
    pub async fn token_principal(&self, secret: &str) -> Result<Option<(User, Principal)>> {
        let Some((user, p, token_id)) = self.token_lookup(secret).await? else {
            return Ok(None);
        };
        {
            let _w = self.writer().await;
            sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE token_id = $2")
                .bind(now())
                .bind(&token_id)
                .execute(&self.pool)
                .await?;
        }
        Ok(Some((user, p)))
    }

    /// The account and token id behind an API token secret (active
    /// account, token not revoked), without recording its use: callers
    /// that log every call (the bank API) record the last use with the log.
    pub async fn token_lookup(&self, secret: &str) -> Result<Option<(User, Principal, String)>> {
        let row = sqlx::query(
            "SELECT u.user_id, u.email, u.display_name, u.role, u.active, t.token_id \
             FROM api_tokens t JOIN users u ON u.user_id = t.user_id \
             WHERE t.token_hash = $1 AND t.revoked_at IS NULL",
        )
        .bind(digest(secret))
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let user = user_from_row(&row)?;
        if !user.active {
            return Ok(None);
        }
        let token_id: String = row.try_get("token_id")?;
        let p = self.principal(&user).await?;
        Ok(Some((user, p, token_id)))
    }

    /// Disables or re-enables an account.
    pub async fn set_user_active(
        &self,
        actor: &Principal,
        user_id: &str,
        active: bool,
    ) -> Result<()> {
        if !actor.can_manage_users() {
            return Err(StoreError::Forbidden {
                action: "manage-users",
            });
        }
        let mut tx = self.begin(actor).await?;
        sqlx::query("UPDATE users SET active = $1 WHERE user_id = $2")
            .bind(b(active))
            .bind(user_id)
            .execute(tx.conn_mut())
            .await?;
        record(
            tx.conn_mut(),
            actor,
            Change {
                tenant: PLATFORM,
                entity: "user",
                entity_id: user_id,
                action: if active { "enable" } else { "disable" },
                before: None,
                after: Some(serde_json::json!({ "active": active })),
            },
        )
        .await?;
        tx.commit().await
    }
}

/// argon2id hash of a random secret nobody knows, used to equalise timing.
fn dummy_hash() -> Result<String> {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    if let Some(h) = HASH.get() {
        return Ok(h.clone());
    }
    let h = hash_password(&random_hex(16))?;
    Ok(HASH.get_or_init(|| h).clone())
}
