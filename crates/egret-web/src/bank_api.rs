//! The bank API (`/api/bank/v1`): green-finance services for banks.
//!
//! Every request under the prefix passes [`gate`]: the caller is a
//! bank-role user bound to its bank (API token, or the bank user's browser
//! session), is rate-limited per token, and the call is logged to the
//! bank's call log. Token look-ups and organisations' grade cards are
//! cached in memory for a few seconds (a token revoked in this process is
//! dropped at once; elsewhere within [`TOKEN_TTL`]); the call log is
//! written by one background task in batches.

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use axum::Json;
use axum::body::Bytes;
use axum::extract::{FromRequestParts, Path, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use egret_domain::access::Role;
use egret_domain::greenfin::Edition;
use egret_i18n::Msg;
use egret_store::{BankCall, FacilityInput, Page, Store, bank_of};
use governor::{Quota, RateLimiter};
use serde::Deserialize;
use serde_json::json;
use tokio::sync::{mpsc, oneshot};

use crate::AppState;
use crate::api::{ApiJson, ApiQuery};
use crate::auth::Auth;
use crate::error::{AppError, AppResult};
use crate::view::lang_from_headers;

pub const PREFIX: &str = "/api/bank/";
/// How long a token look-up is trusted.
pub const TOKEN_TTL: Duration = Duration::from_secs(30);
/// How long an organisation's grade card is served from memory.
pub const CARD_TTL: Duration = Duration::from_secs(5);
/// Calls written per transaction at most.
const LOG_BATCH: usize = 5_000;

type Limiter = RateLimiter<
    String,
    governor::state::keyed::HashMapStateStore<String>,
    governor::clock::DefaultClock,
>;

/// Proof that the gate admitted the call (a bank user bound to its bank,
/// within its rate); handlers take it so they cannot be reached otherwise.
#[derive(Debug, Clone, Copy)]
pub struct BankCaller;

struct CachedToken {
    auth: Auth,
    token_id: String,
    at: Instant,
}

enum LogMsg {
    Call(BankCall),
    Flush(oneshot::Sender<()>),
}

/// The gate's shared state: caches, limiter and the log writer.
pub struct BankGate {
    tokens: Mutex<HashMap<String, Arc<CachedToken>>>,
    cards: Mutex<HashMap<String, (Bytes, Instant)>>,
    limiter: Limiter,
    log: OnceLock<mpsc::Sender<LogMsg>>,
}

impl BankGate {
    /// `per_second` sustained calls per token, bursts up to `burst`.
    pub fn new(per_second: u32, burst: u32) -> BankGate {
        let rate = NonZeroU32::new(per_second.max(1)).expect("at least 1");
        let burst = NonZeroU32::new(burst.max(1)).expect("at least 1");
        BankGate {
            tokens: Mutex::new(HashMap::new()),
            cards: Mutex::new(HashMap::new()),
            limiter: RateLimiter::hashmap(Quota::per_second(rate).allow_burst(burst)),
            log: OnceLock::new(),
        }
    }

    /// Forgets every cached token (after a revocation).
    pub fn forget_tokens(&self) {
        self.tokens.lock().expect("token cache").clear();
    }

    /// Forgets every cached grade card (after a rating run or publication).
    pub fn forget_cards(&self) {
        self.cards.lock().expect("card cache").clear();
    }

    fn sender(&self, store: &Store) -> &mpsc::Sender<LogMsg> {
        self.log.get_or_init(|| {
            let (tx, rx) = mpsc::channel(100_000);
            tokio::spawn(write_log(store.clone(), rx));
            tx
        })
    }

    /// Waits until every call logged so far is stored.
    pub async fn flush(&self) {
        if let Some(tx) = self.log.get() {
            let (ack, done) = oneshot::channel();
            if tx.send(LogMsg::Flush(ack)).await.is_ok() {
                let _ = done.await;
            }
        }
    }

    async fn token(&self, store: &Store, secret: &str) -> AppResult<Arc<CachedToken>> {
        if let Some(t) = self.tokens.lock().expect("token cache").get(secret)
            && t.at.elapsed() < TOKEN_TTL
        {
            return Ok(t.clone());
        }
        let Some((user, principal, token_id)) = store.token_lookup(secret).await? else {
            self.tokens.lock().expect("token cache").remove(secret);
            return Err(AppError::unauthorized());
        };
        let t = Arc::new(CachedToken {
            auth: Auth {
                user,
                principal,
                csrf: None,
            },
            token_id,
            at: Instant::now(),
        });
        self.tokens
            .lock()
            .expect("token cache")
            .insert(secret.to_string(), t.clone());
        Ok(t)
    }
}

async fn write_log(store: Store, mut rx: mpsc::Receiver<LogMsg>) {
    let mut batch = Vec::new();
    let mut acks = Vec::new();
    while let Some(first) = rx.recv().await {
        let mut next = Some(first);
        while let Some(m) = next.take() {
            match m {
                LogMsg::Call(c) => batch.push(c),
                LogMsg::Flush(a) => acks.push(a),
            }
            if batch.len() < LOG_BATCH {
                next = rx.try_recv().ok();
            }
        }
        let mut tries = 0;
        while !batch.is_empty() {
            match store.log_bank_calls(&batch).await {
                Ok(()) => batch.clear(),
                Err(e) if tries < 3 => {
                    tries += 1;
                    tracing::warn!(error = %e, tries, "bank call log: retrying");
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
                Err(e) => {
                    tracing::error!(error = %e, lost = batch.len(), "bank call log: calls lost");
                    metrics::counter!("egret_bank_calls_lost_total").increment(batch.len() as u64);
                    batch.clear();
                }
            }
        }
        for a in acks.drain(..) {
            let _ = a.send(());
        }
    }
}

fn bearer(req: &Request) -> Option<&str> {
    req.headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
}

/// Authenticates, rate-limits and logs every bank API call.
pub async fn gate(State(st): State<AppState>, req: Request, next: Next) -> Response {
    if !req.uri().path().starts_with(PREFIX) {
        return next.run(req).await;
    }
    let start = Instant::now();
    let (auth, token_id) = match bearer(&req) {
        Some(secret) => match st.bank.token(&st.store, secret).await {
            Ok(t) => (t.auth.clone(), t.token_id.clone()),
            Err(e) => return e.into_response(),
        },
        None => {
            let (mut parts, body) = req.into_parts();
            let auth = match Auth::from_request_parts(&mut parts, &st).await {
                Ok(a) => a,
                Err(r) => return r,
            };
            return finish(
                st,
                Request::from_parts(parts, body),
                next,
                auth,
                "session".into(),
                start,
            )
            .await;
        }
    };
    finish(st, req, next, auth, token_id, start).await
}

async fn finish(
    st: AppState,
    mut req: Request,
    next: Next,
    auth: Auth,
    token_id: String,
    start: Instant,
) -> Response {
    let bank = match (auth.user.role, bank_of(&auth.principal)) {
        (Role::Bank, Ok(b)) => b.to_string(),
        _ => {
            return AppError::from(egret_store::StoreError::Forbidden { action: "bank" })
                .into_response();
        }
    };
    let key = if token_id == "session" {
        format!("session:{}", auth.user.user_id)
    } else {
        token_id.clone()
    };
    let method = req.method().to_string();
    let path = req
        .uri()
        .path_and_query()
        .map(|p| p.as_str().chars().take(300).collect())
        .unwrap_or_default();
    let user_id = auth.user.user_id.clone();
    let resp = match st.bank.limiter.check_key(&key) {
        Ok(()) => {
            req.extensions_mut().insert(BankCaller);
            req.extensions_mut().insert(auth);
            next.run(req).await
        }
        Err(not_until) => {
            let wait = not_until.wait_time_from(governor::clock::Clock::now(
                &governor::clock::DefaultClock::default(),
            ));
            let mut r = AppError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "rate_limited",
                Msg::new("web-bank-rate-limited"),
            )
            .into_response();
            r.headers_mut().insert(
                header::RETRY_AFTER,
                HeaderValue::from(wait.as_secs().max(1)),
            );
            r
        }
    };
    let call = BankCall::new(
        bank,
        token_id,
        user_id,
        method,
        path,
        resp.status().as_u16(),
        i64::try_from(start.elapsed().as_micros()).unwrap_or(i64::MAX),
    );
    // Back-pressure rather than loss when the log falls behind.
    if st
        .bank
        .sender(&st.store)
        .send(LogMsg::Call(call))
        .await
        .is_err()
    {
        tracing::error!("bank call log writer stopped");
    }
    resp
}

impl<S: Send + Sync> FromRequestParts<S> for BankCaller {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _: &S,
    ) -> Result<Self, AppError> {
        parts
            .extensions
            .get::<BankCaller>()
            .cloned()
            .ok_or_else(AppError::unauthorized)
    }
}

async fn org_of(st: &AppState, uscc: &str) -> AppResult<String> {
    st.store
        .org_id_of_uscc(uscc)
        .await?
        .ok_or_else(AppError::not_found)
}

/// An organisation's current grade (served from memory for up to
/// [`CARD_TTL`]).
#[utoipa::path(get, path = "/api/bank/v1/orgs/{uscc}/grade", tag = "bank",
    params(("uscc" = String, Path, description = "Unified social credit code")),
    responses((status = 200, description = "Grade, score, data-quality level, pillars, methodology and run; `published` is false while the run is in its review window"),
        (status = 401, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody),
        (status = 429, body = crate::error::ErrorBody)))]
pub async fn grade(
    State(st): State<AppState>,
    _: BankCaller,
    auth: Auth,
    Path(uscc): Path<String>,
) -> AppResult<Response> {
    let cached = st
        .bank
        .cards
        .lock()
        .expect("card cache")
        .get(&uscc)
        .filter(|(_, at)| at.elapsed() < CARD_TTL)
        .map(|(b, _)| b.clone());
    let body = match cached {
        Some(b) => b,
        None => {
            let org = org_of(&st, &uscc).await?;
            let card = st.store.grade_card(&auth.principal, &org).await?;
            let mut v = serde_json::to_value(&card).map_err(|_| AppError::not_found())?;
            v["explanation"] = json!(format!("/orgs/{org}/rating"));
            let b = Bytes::from(serde_json::to_vec(&v).expect("JSON value"));
            st.bank
                .cards
                .lock()
                .expect("card cache")
                .insert(uscc, (b.clone(), Instant::now()));
            b
        }
    };
    Ok((
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        body,
    )
        .into_response())
}

/// An organisation for a bank: grade, rating history, published reports
/// with assurance and carbon totals.
#[utoipa::path(get, path = "/api/bank/v1/orgs/{uscc}", tag = "bank",
    params(("uscc" = String, Path, description = "Unified social credit code")),
    responses((status = 200, description = "grade (as /grade), ratings (every run, newest first), disclosures (latest published version per year: assurance, assured data points, carbon totals with units), footprints (published product footprints, kgCO2e per declared unit, with their certificates)"),
        (status = 404, body = crate::error::ErrorBody)))]
pub async fn organisation(
    State(st): State<AppState>,
    _: BankCaller,
    auth: Auth,
    Path(uscc): Path<String>,
) -> AppResult<Json<serde_json::Value>> {
    let org = org_of(&st, &uscc).await?;
    let card = st.store.grade_card(&auth.principal, &org).await?;
    let mut ratings = Vec::new();
    for (run, grade, score) in st.store.ratings_of(&auth.principal, &org).await? {
        ratings.push(json!({
            "run_id": run.run_id,
            "fiscal_year": run.fiscal_year,
            "methodology": run.methodology,
            "rated_at": run.run_at,
            "digest": run.digest,
            "grade": grade,
            "score": score,
            "published": st.store.rating_run_published(&run.run_id).await?,
        }));
    }
    let disclosures = st
        .store
        .published_disclosures(&auth.principal, &org)
        .await?;
    let certificates = st.store.certificates_of(&org).await?;
    let footprints: Vec<serde_json::Value> = st
        .store
        .published_pcfs(Some(&org))
        .await?
        .into_iter()
        .map(|p| {
            let certs: Vec<&egret_store::CertificateRecord> = certificates
                .iter()
                .filter(|c| c.pcf_id == p.pcf_id)
                .collect();
            json!({
                "pcf_id": p.pcf_id,
                "product_key": p.product_key,
                "version": p.version,
                "superseded": p.superseded,
                "published_at": p.published_at,
                "digest": p.digest,
                "footprint": p.input,
                "certificates": certs,
            })
        })
        .collect();
    Ok(Json(json!({
        "grade": card,
        "ratings": ratings,
        "disclosures": disclosures,
        "footprints": footprints,
    })))
}

/// The bank's own rules evaluated for an organisation, condition by
/// condition, with the facts and their sources.
#[utoipa::path(get, path = "/api/bank/v1/orgs/{uscc}/eligibility", tag = "bank",
    params(("uscc" = String, Path, description = "Unified social credit code")),
    responses((status = 200, description = "rule_set (version, key, digest), facts (with the rating run and report used), rules (each condition: required, actual, met — null when data are missing or unverified — and a note), products (combined rate adjustment in basis points)"),
        (status = 409, body = crate::error::ErrorBody)))]
pub async fn eligibility(
    State(st): State<AppState>,
    _: BankCaller,
    auth: Auth,
    headers: axum::http::HeaderMap,
    Path(uscc): Path<String>,
) -> AppResult<Json<serde_json::Value>> {
    let org = org_of(&st, &uscc).await?;
    let today = chrono::Utc::now().date_naive();
    let (rec, facts, eval) = st
        .store
        .evaluate_bank_rules(&auth.principal, &org, today)
        .await?;
    Ok(Json(eligibility_json(
        &rec,
        &facts,
        &eval,
        lang_from_headers(&headers),
    )))
}

pub fn eligibility_json(
    rec: &egret_store::RuleSetRecord,
    facts: &egret_domain::bank::Facts,
    eval: &egret_domain::bank::Evaluation,
    lang: egret_i18n::Lang,
) -> serde_json::Value {
    let rules: Vec<serde_json::Value> = eval
        .rules
        .iter()
        .map(|r| {
            json!({
                "rule": r.rule,
                "name": crate::view::by_lang(lang, &r.name_zh, &r.name_en),
                "product": r.product,
                "effect_bp": r.effect_bp,
                "eligible": r.eligible,
                "conditions": r.conditions.iter().map(|c| json!({
                    "field": c.field,
                    "op": c.op,
                    "required": c.required,
                    "actual": c.actual,
                    "met": c.met,
                    "note": c.note.as_ref().map(|m| m.render(lang)),
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    json!({
        "rule_set": {"version": rec.version_no, "key": rec.rule_set_key, "digest": rec.digest},
        "facts": facts,
        "emission_cut_pct": facts.emission_cut_pct(),
        "rules": rules,
        "products": eval.products,
    })
}

/// Every version of the bank's rules, newest first (with the source).
#[utoipa::path(get, path = "/api/bank/v1/rules", tag = "bank",
    responses((status = 200, description = "Versions, newest first: version_no, rule_set_key, source (TOML), digest, uploaded_by, uploaded_at")))]
pub async fn rules(
    State(st): State<AppState>,
    _: BankCaller,
    auth: Auth,
) -> AppResult<Json<serde_json::Value>> {
    Ok(Json(json!(st.store.bank_rule_sets(&auth.principal).await?)))
}

/// Uploads a new version of the bank's rules (TOML body, checked first;
/// errors name the rule, condition and field).
#[utoipa::path(put, path = "/api/bank/v1/rules", tag = "bank",
    request_body(content = String, content_type = "application/toml"),
    responses((status = 201, description = "The stored version"), (status = 422, body = crate::error::ErrorBody)))]
pub async fn put_rules(
    State(st): State<AppState>,
    _: BankCaller,
    auth: Auth,
    body: String,
) -> AppResult<Response> {
    let rec = st.store.upload_bank_rules(&auth.principal, &body).await?;
    Ok((StatusCode::CREATED, Json(rec)).into_response())
}

/// The bank's loans and bonds with their green-finance catalogue tags.
#[utoipa::path(get, path = "/api/bank/v1/facilities", tag = "bank",
    responses((status = 200, description = "Tagged facilities, newest approval first")))]
pub async fn facilities(
    State(st): State<AppState>,
    _: BankCaller,
    auth: Auth,
) -> AppResult<Json<serde_json::Value>> {
    Ok(Json(json!(st.store.facilities(&auth.principal).await?)))
}

/// Records a loan or bond, tagged under the catalogue edition in force on
/// its approval day (the edition may be omitted and is then chosen so).
#[utoipa::path(post, path = "/api/bank/v1/facilities", tag = "bank",
    request_body(content = serde_json::Value, description = "reference, kind (loan|bond|other), borrower_uscc, amount (exact decimal), currency (default CNY), approved_on (YYYY-MM-DD), edition (optional, e.g. cn-green-finance@2025), item"),
    responses((status = 201, description = "The stored facility"), (status = 422, body = crate::error::ErrorBody)))]
pub async fn add_facility(
    State(st): State<AppState>,
    _: BankCaller,
    auth: Auth,
    ApiJson(input): ApiJson<FacilityInput>,
) -> AppResult<Response> {
    let f = st.store.record_facility(&auth.principal, &input).await?;
    Ok((StatusCode::CREATED, Json(f)).into_response())
}

/// The green-finance catalogue editions, with effective dates and items.
#[utoipa::path(get, path = "/api/bank/v1/catalogues", tag = "bank",
    responses((status = 200, description = "Editions (key, names, issuers, effective_from, effective_to, instruments, source, confidence) with their items")))]
pub async fn catalogues(_: BankCaller) -> Json<serde_json::Value> {
    Json(json!(
        Edition::shipped()
            .iter()
            .map(|e| json!({"key": e.key(), "edition": e.edition, "meta": e.meta, "items": e.item}))
            .collect::<Vec<_>>()
    ))
}

#[derive(Deserialize)]
pub struct CallsQuery {
    page: Option<u32>,
    per_page: Option<u32>,
}

/// The bank's call log, newest first.
#[utoipa::path(get, path = "/api/bank/v1/calls", tag = "bank",
    params(("page" = Option<u32>, Query), ("per_page" = Option<u32>, Query)),
    responses((status = 200, description = "Calls: at, token_id, user_id, method, path, status, micros")))]
pub async fn calls(
    State(st): State<AppState>,
    _: BankCaller,
    auth: Auth,
    ApiQuery(q): ApiQuery<CallsQuery>,
) -> AppResult<Json<serde_json::Value>> {
    st.bank.flush().await;
    let page = st
        .store
        .bank_calls(&auth.principal, Page::new(q.page, q.per_page))
        .await?;
    Ok(Json(json!(page)))
}
