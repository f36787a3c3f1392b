//! Who is calling: browser sessions (cookie) or API tokens (bearer), and
//! the CSRF defences for browser requests that change state.
//!
//! CSRF has two layers. [`csrf_origin_guard`] refuses any state-changing
//! browser request whose `Sec-Fetch-Site` or `Origin` says it came from
//! another site. Behind it, every form and every cookie-authenticated API
//! write must carry the session's synchronizer token ([`CsrfForm`], the
//! `x-csrf-token` header).

use axum::extract::{FromRequest, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use egret_domain::access::Principal;
use egret_i18n::Msg;
use egret_store::User;
use serde::de::DeserializeOwned;

use crate::AppState;
use crate::error::AppError;
use crate::view::{PageCtx, lang_from_headers, urlencode};

pub const SESSION_COOKIE: &str = "egret_session";
pub const LANG_COOKIE: &str = "egret_lang";

/// An authenticated caller.
#[derive(Debug, Clone)]
pub struct Auth {
    pub user: User,
    pub principal: Principal,
    /// The session's CSRF token; `None` when authenticated by API token.
    pub csrf: Option<String>,
}

fn is_unsafe(m: &Method) -> bool {
    !matches!(*m, Method::GET | Method::HEAD | Method::OPTIONS)
}

fn bearer(parts: &Parts) -> Option<&str> {
    parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
}

async fn authenticate(parts: &Parts, state: &AppState) -> Result<Option<Auth>, AppError> {
    if let Some(token) = bearer(parts) {
        return match state.store.token_principal(token).await? {
            Some((user, principal)) => Ok(Some(Auth {
                user,
                principal,
                csrf: None,
            })),
            None => Err(AppError::unauthorized()),
        };
    }
    let jar = CookieJar::from_headers(&parts.headers);
    let Some(cookie) = jar.get(SESSION_COOKIE) else {
        return Ok(None);
    };
    Ok(state.store.session(cookie.value()).await?.map(|s| Auth {
        user: s.user,
        principal: s.principal,
        csrf: Some(s.csrf_token),
    }))
}

impl FromRequestParts<AppState> for Auth {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        if let Some(a) = parts.extensions.get::<Auth>() {
            return Ok(a.clone());
        }
        let api = parts.uri.path().starts_with("/api/");
        match authenticate(parts, state).await {
            Ok(Some(auth)) => {
                // Cookie-authenticated API writes need the CSRF header.
                if api
                    && is_unsafe(&parts.method)
                    && let Some(expected) = &auth.csrf
                {
                    let sent = parts
                        .headers
                        .get("x-csrf-token")
                        .and_then(|v| v.to_str().ok());
                    if sent != Some(expected.as_str()) {
                        return Err(csrf_error().into_response());
                    }
                }
                parts.extensions.insert(auth.clone());
                Ok(auth)
            }
            Ok(None) if api => Err(AppError::unauthorized().into_response()),
            Ok(None) => {
                let here = parts
                    .uri
                    .path_and_query()
                    .map(|p| p.as_str())
                    .unwrap_or("/");
                Err(Redirect::to(&format!("/login?next={}", urlencode(here))).into_response())
            }
            Err(e) => Err(e.into_response()),
        }
    }
}

/// The caller if signed in, for pages anyone may see.
pub struct MaybeAuth(pub Option<Auth>);

impl FromRequestParts<AppState> for MaybeAuth {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        if bearer(parts).is_some() {
            return Auth::from_request_parts(parts, state)
                .await
                .map(|a| MaybeAuth(Some(a)));
        }
        authenticate(parts, state)
            .await
            .map(MaybeAuth)
            .map_err(IntoResponse::into_response)
    }
}

/// A page's context, for anyone (signed in or not).
pub struct Ctx(pub PageCtx, pub Option<Auth>);

impl FromRequestParts<AppState> for Ctx {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let MaybeAuth(auth) = MaybeAuth::from_request_parts(parts, state).await?;
        Ok(Ctx(page_ctx(parts, state, auth.as_ref()), auth))
    }
}

/// A page's context for a signed-in user (others are sent to the login).
pub struct UserCtx(pub PageCtx, pub Auth);

impl FromRequestParts<AppState> for UserCtx {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let auth = Auth::from_request_parts(parts, state).await?;
        Ok(UserCtx(page_ctx(parts, state, Some(&auth)), auth))
    }
}

fn page_ctx(parts: &Parts, state: &AppState, auth: Option<&Auth>) -> PageCtx {
    PageCtx {
        lang: lang_from_headers(&parts.headers),
        user: auth.map(|a| a.user.clone()),
        csrf: auth.and_then(|a| a.csrf.clone()).unwrap_or_default(),
        here: parts
            .uri
            .path_and_query()
            .map(|p| p.as_str().to_string())
            .unwrap_or_else(|| "/".into()),
        demo: state.config.demo_notice,
    }
}

fn csrf_error() -> AppError {
    AppError::new(StatusCode::FORBIDDEN, "csrf", Msg::new("web-error-csrf"))
}

/// A urlencoded form from a signed-in user whose `csrf` field matches the
/// session's token. Extracts the page context too.
pub struct CsrfForm<T>(pub PageCtx, pub Auth, pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for CsrfForm<T> {
    type Rejection = Response;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Response> {
        let (mut parts, body) = req.into_parts();
        let UserCtx(ctx, auth) = UserCtx::from_request_parts(&mut parts, state).await?;
        let req = Request::from_parts(parts, body);
        let bytes = axum::body::Bytes::from_request(req, state)
            .await
            .map_err(|r| {
                if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    crate::error::too_large().into_response()
                } else {
                    AppError::bad_request(Msg::new("web-error-form").arg("detail", r.body_text()))
                        .into_response()
                }
            })?;
        check_form_csrf(&bytes, &auth).map_err(IntoResponse::into_response)?;
        let value = serde_html_form::from_bytes::<T>(&bytes).map_err(|e| {
            AppError::bad_request(Msg::new("web-error-form").arg("detail", e)).into_response()
        })?;
        Ok(CsrfForm(ctx, auth, value))
    }
}

fn check_form_csrf(body: &[u8], auth: &Auth) -> Result<(), AppError> {
    let sent = form_urlencoded::parse(body)
        .find(|(k, _)| k == "csrf")
        .map(|(_, v)| v.into_owned());
    check_token(sent.as_deref(), auth)
}

/// Compares a submitted CSRF token with the session's.
pub fn check_token(sent: Option<&str>, auth: &Auth) -> Result<(), AppError> {
    match (&auth.csrf, sent) {
        // Token-authenticated callers are not browsers.
        (None, _) => Ok(()),
        (Some(expected), Some(sent)) if constant_eq(expected.as_bytes(), sent.as_bytes()) => Ok(()),
        _ => Err(csrf_error()),
    }
}

fn constant_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Refuses state-changing browser requests that come from another site.
pub async fn csrf_origin_guard(State(_): State<AppState>, req: Request, next: Next) -> Response {
    if is_unsafe(req.method()) && !req.headers().contains_key(header::AUTHORIZATION) {
        let h = req.headers();
        let cross_site = h
            .get("sec-fetch-site")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v == "cross-site");
        let origin_mismatch = match (
            h.get(header::ORIGIN).and_then(|v| v.to_str().ok()),
            h.get(header::HOST).and_then(|v| v.to_str().ok()),
        ) {
            (Some("null"), _) => true,
            (Some(origin), Some(host)) => {
                origin.split_once("://").map(|(_, rest)| rest) != Some(host)
            }
            _ => false,
        };
        if cross_site || origin_mismatch {
            let _ = lang_from_headers(h);
            return csrf_error().into_response();
        }
    }
    next.run(req).await
}
