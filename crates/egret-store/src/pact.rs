//! PACT data exchange, the storage side: the partners (OAuth2 clients) an
//! organisation lets read its published footprints, their short-lived
//! access tokens, and the events partners send.

use egret_domain::access::Principal;
use egret_i18n::Msg;
use serde::Serialize;
use sqlx::Row;

use crate::accounts::{digest, random_hex};
use crate::audit::{Change, record};
use crate::db::{new_id, now};
use crate::{Result, Store, StoreError};

/// How long a PACT access token lives, seconds.
pub const PACT_TOKEN_SECONDS: i64 = 3600;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PactClient {
    pub client_id: String,
    pub name: String,
    pub created_by: String,
    pub created_at: String,
    pub revoked_at: Option<String>,
    /// The partner's PACT base URL for answers to its requests.
    pub callback_url: Option<String>,
}

/// Where and how to answer a partner: its base URL and the credentials
/// it issued to the organisation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PactCallback {
    pub url: String,
    pub client_id: String,
    pub secret: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PactEventRecord {
    pub event_id: String,
    pub client_id: String,
    pub source_id: String,
    pub event_type: String,
    pub body: String,
    pub received_at: String,
}

impl Store {
    /// Registers a partner; returns the client and its secret (shown once).
    pub async fn create_pact_client(
        &self,
        actor: &Principal,
        org_id: &str,
        name: &str,
    ) -> Result<(PactClient, String)> {
        if !actor.can_write_org(org_id) {
            return Err(StoreError::Forbidden { action: "pact" });
        }
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 100 {
            return Err(StoreError::Conflict(Msg::new("store-token-name")));
        }
        let secret = random_hex(24);
        let client = PactClient {
            client_id: format!("pact-{}", random_hex(8)),
            name: name.to_string(),
            created_by: actor.user_id.clone(),
            created_at: now(),
            revoked_at: None,
            callback_url: None,
        };
        let mut tx = self.begin(actor).await?;
        sqlx::query(
            "INSERT INTO pact_clients (org_id, client_id, secret_hash, name, created_by, \
             created_at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(org_id)
        .bind(&client.client_id)
        .bind(digest(&secret))
        .bind(&client.name)
        .bind(&client.created_by)
        .bind(&client.created_at)
        .execute(tx.conn_mut())
        .await?;
        record(
            tx.conn_mut(),
            actor,
            Change {
                tenant: org_id,
                entity: "pact_client",
                entity_id: &client.client_id,
                action: "create",
                before: None,
                after: Some(serde_json::json!({"name": client.name})),
            },
        )
        .await?;
        tx.commit().await?;
        Ok((client, secret))
    }

    /// The organisation's partners (its staff and administrators).
    pub async fn pact_clients(&self, actor: &Principal, org_id: &str) -> Result<Vec<PactClient>> {
        if !actor.can_write_org(org_id) {
            return Err(StoreError::Forbidden { action: "pact" });
        }
        let rows = sqlx::query(
            "SELECT client_id, name, created_by, created_at, revoked_at, callback_url \
             FROM pact_clients WHERE org_id = $1 ORDER BY created_at DESC",
        )
        .bind(org_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(PactClient {
                    client_id: r.try_get("client_id")?,
                    name: r.try_get("name")?,
                    created_by: r.try_get("created_by")?,
                    created_at: r.try_get("created_at")?,
                    revoked_at: r.try_get("revoked_at")?,
                    callback_url: r.try_get("callback_url")?,
                })
            })
            .collect()
    }

    /// Sets where the partner receives answers to its requests (its PACT
    /// base URL, https unless on loopback) and the credentials it issued.
    pub async fn set_pact_callback(
        &self,
        actor: &Principal,
        org_id: &str,
        client_id: &str,
        callback: &PactCallback,
    ) -> Result<()> {
        if !actor.can_write_org(org_id) {
            return Err(StoreError::Forbidden { action: "pact" });
        }
        let url = callback.url.trim().trim_end_matches('/');
        let loopback = ["http://127.0.0.1", "http://localhost", "http://[::1]"]
            .iter()
            .any(|p| url.starts_with(p));
        if !(url.starts_with("https://") || loopback) || url.contains(char::is_whitespace) {
            return Err(StoreError::Invalid(vec![
                egret_domain::org::FieldError::new(
                    "callback_url",
                    Msg::new("store-pact-callback-url"),
                ),
            ]));
        }
        let mut tx = self.begin(actor).await?;
        let n = sqlx::query(
            "UPDATE pact_clients SET callback_url = $1, callback_client_id = $2, \
             callback_secret = $3 WHERE org_id = $4 AND client_id = $5",
        )
        .bind(url)
        .bind(callback.client_id.trim())
        .bind(&callback.secret)
        .bind(org_id)
        .bind(client_id)
        .execute(tx.conn_mut())
        .await?
        .rows_affected();
        if n == 0 {
            return Err(StoreError::NotFound {
                entity: "pact_client",
                id: client_id.to_string(),
            });
        }
        record(
            tx.conn_mut(),
            actor,
            Change {
                tenant: org_id,
                entity: "pact_client",
                entity_id: client_id,
                action: "set_callback",
                before: None,
                after: Some(
                    serde_json::json!({"url": url, "client_id": callback.client_id.trim()}),
                ),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Where to answer a live partner's requests, if it said.
    pub async fn pact_callback(
        &self,
        org_id: &str,
        client_id: &str,
    ) -> Result<Option<PactCallback>> {
        let r = sqlx::query(
            "SELECT callback_url, callback_client_id, callback_secret FROM pact_clients \
             WHERE org_id = $1 AND client_id = $2 AND revoked_at IS NULL",
        )
        .bind(org_id)
        .bind(client_id)
        .fetch_optional(&self.pool)
        .await?;
        let Some(r) = r else { return Ok(None) };
        let url: Option<String> = r.try_get("callback_url")?;
        let id: Option<String> = r.try_get("callback_client_id")?;
        let secret: Option<String> = r.try_get("callback_secret")?;
        Ok(match (url, id, secret) {
            (Some(url), Some(client_id), Some(secret)) => Some(PactCallback {
                url,
                client_id,
                secret,
            }),
            _ => None,
        })
    }

    /// Revokes a partner: its tokens stop working at once.
    pub async fn revoke_pact_client(
        &self,
        actor: &Principal,
        org_id: &str,
        client_id: &str,
    ) -> Result<()> {
        if !actor.can_write_org(org_id) {
            return Err(StoreError::Forbidden { action: "pact" });
        }
        let mut tx = self.begin(actor).await?;
        let n = sqlx::query(
            "UPDATE pact_clients SET revoked_at = $1 WHERE org_id = $2 AND client_id = $3 \
             AND revoked_at IS NULL",
        )
        .bind(now())
        .bind(org_id)
        .bind(client_id)
        .execute(tx.conn_mut())
        .await?
        .rows_affected();
        if n == 0 {
            // Revoking twice changes nothing; an unknown client is an error.
            let known: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM pact_clients WHERE org_id = $1 AND client_id = $2",
            )
            .bind(org_id)
            .bind(client_id)
            .fetch_one(tx.conn_mut())
            .await?;
            if known == 0 {
                return Err(StoreError::NotFound {
                    entity: "pact_client",
                    id: client_id.to_string(),
                });
            }
            return Ok(());
        }
        sqlx::query("DELETE FROM pact_tokens WHERE org_id = $1 AND client_id = $2")
            .bind(org_id)
            .bind(client_id)
            .execute(tx.conn_mut())
            .await?;
        record(
            tx.conn_mut(),
            actor,
            Change {
                tenant: org_id,
                entity: "pact_client",
                entity_id: client_id,
                action: "revoke",
                before: None,
                after: None,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// OAuth2 client credentials: a new access token for a live client of
    /// the organisation, or `None` for wrong credentials.
    pub async fn pact_token(
        &self,
        org_id: &str,
        client_id: &str,
        secret: &str,
    ) -> Result<Option<String>> {
        let hash: Option<String> = sqlx::query_scalar(
            "SELECT secret_hash FROM pact_clients WHERE org_id = $1 AND client_id = $2 \
             AND revoked_at IS NULL",
        )
        .bind(org_id)
        .bind(client_id)
        .fetch_optional(&self.pool)
        .await?;
        let expected = digest(secret);
        let ok = hash.is_some_and(|h| {
            h.len() == expected.len()
                && h.bytes()
                    .zip(expected.bytes())
                    .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                    == 0
        });
        if !ok {
            return Ok(None);
        }
        let token = random_hex(32);
        let expires = chrono::Utc::now() + chrono::Duration::seconds(PACT_TOKEN_SECONDS);
        let _w = self.writer().await;
        let mut tx = self.write_tx().await?;
        // Expired tokens of the organisation are dropped as new ones come.
        sqlx::query("DELETE FROM pact_tokens WHERE org_id = $1 AND expires_at < $2")
            .bind(org_id)
            .bind(now())
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO pact_tokens (org_id, token_hash, client_id, expires_at) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(org_id)
        .bind(digest(&token))
        .bind(client_id)
        .bind(expires.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(Some(token))
    }

    /// The client behind a live access token of the organisation.
    pub async fn pact_client_of_token(&self, org_id: &str, token: &str) -> Result<Option<String>> {
        Ok(sqlx::query_scalar(
            "SELECT client_id FROM pact_tokens WHERE org_id = $1 AND token_hash = $2 \
             AND expires_at > $3",
        )
        .bind(org_id)
        .bind(digest(token))
        .bind(now())
        .fetch_optional(&self.pool)
        .await?)
    }

    /// Keeps an event a partner sent.
    pub async fn record_pact_event(
        &self,
        org_id: &str,
        client_id: &str,
        source_id: &str,
        event_type: &str,
        body: &serde_json::Value,
    ) -> Result<String> {
        let id = new_id();
        let _w = self.writer().await;
        sqlx::query(
            "INSERT INTO pact_events (org_id, event_id, client_id, source_id, event_type, body, \
             received_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(org_id)
        .bind(&id)
        .bind(client_id)
        .bind(source_id)
        .bind(event_type)
        .bind(body.to_string())
        .bind(now())
        .execute(&self.pool)
        .await?;
        Ok(id)
    }

    /// Events partners sent the organisation, newest first (its staff).
    pub async fn pact_events(
        &self,
        actor: &Principal,
        org_id: &str,
    ) -> Result<Vec<PactEventRecord>> {
        if !actor.can_write_org(org_id) {
            return Err(StoreError::Forbidden { action: "pact" });
        }
        let rows = sqlx::query(
            "SELECT event_id, client_id, source_id, event_type, body, received_at \
             FROM pact_events WHERE org_id = $1 ORDER BY received_at DESC, event_id DESC",
        )
        .bind(org_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(PactEventRecord {
                    event_id: r.try_get("event_id")?,
                    client_id: r.try_get("client_id")?,
                    source_id: r.try_get("source_id")?,
                    event_type: r.try_get("event_type")?,
                    body: r.try_get("body")?,
                    received_at: r.try_get("received_at")?,
                })
            })
            .collect()
    }
}
