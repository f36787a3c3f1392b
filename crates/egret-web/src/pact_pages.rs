//! An organisation's PACT endpoint as its staff manage it: the endpoint's
//! address, the partners (OAuth2 clients) allowed to read its published
//! footprints, and the events partners sent.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use egret_store::{PactClient, PactEventRecord};
use serde::Deserialize;

use crate::AppState;
use crate::auth::{CsrfForm, UserCtx};
use crate::error::AppResult;
use crate::pages::render;
use crate::view::{PageCtx, by_lang};

#[derive(Template)]
#[template(path = "pact.html")]
struct PactPage {
    ctx: PageCtx,
    org_id: String,
    org_name: String,
    endpoint: String,
    clients: Vec<PactClient>,
    events: Vec<PactEventRecord>,
    /// A new client's id and secret, shown once.
    created: Option<(String, String)>,
}

async fn page(
    st: &AppState,
    ctx: PageCtx,
    auth: &crate::auth::Auth,
    id: String,
    headers: &HeaderMap,
    created: Option<(String, String)>,
) -> AppResult<Response> {
    let org = st.store.get_org(&auth.principal, &id).await?;
    let clients = st.store.pact_clients(&auth.principal, &id).await?;
    let events = st.store.pact_events(&auth.principal, &id).await?;
    let host = headers
        .get(axum::http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost");
    let scheme = if st.config.secure_cookies {
        "https"
    } else {
        "http"
    };
    render(&PactPage {
        org_name: by_lang(
            ctx.lang,
            &org.profile.name_zh,
            org.profile
                .name_en
                .as_deref()
                .unwrap_or(&org.profile.name_zh),
        )
        .to_string(),
        endpoint: format!("{scheme}://{host}/pact/{}", org.profile.uscc),
        org_id: id,
        clients,
        events,
        created,
        ctx,
    })
}

pub async fn pact_page(
    State(st): State<AppState>,
    UserCtx(ctx, auth): UserCtx,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> AppResult<Response> {
    page(&st, ctx, &auth, id, &headers, None).await
}

#[derive(Deserialize)]
pub struct ClientForm {
    name: String,
}

pub async fn client_create(
    State(st): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    CsrfForm(ctx, auth, f): CsrfForm<ClientForm>,
) -> AppResult<Response> {
    let (client, secret) = st
        .store
        .create_pact_client(&auth.principal, &id, &f.name)
        .await?;
    page(
        &st,
        ctx,
        &auth,
        id,
        &headers,
        Some((client.client_id, secret)),
    )
    .await
}

#[derive(Deserialize)]
pub struct CallbackForm {
    url: String,
    client_id: String,
    secret: String,
}

pub async fn client_callback(
    State(st): State<AppState>,
    Path((id, client)): Path<(String, String)>,
    CsrfForm(_, auth, f): CsrfForm<CallbackForm>,
) -> AppResult<Response> {
    st.store
        .set_pact_callback(
            &auth.principal,
            &id,
            &client,
            &egret_store::PactCallback {
                url: f.url,
                client_id: f.client_id,
                secret: f.secret,
            },
        )
        .await?;
    Ok(Redirect::to(&format!("/orgs/{id}/pact")).into_response())
}

#[derive(Deserialize)]
pub struct Empty {}

pub async fn client_revoke(
    State(st): State<AppState>,
    Path((id, client)): Path<(String, String)>,
    CsrfForm(_, auth, _f): CsrfForm<Empty>,
) -> AppResult<Response> {
    st.store
        .revoke_pact_client(&auth.principal, &id, &client)
        .await?;
    Ok(Redirect::to(&format!("/orgs/{id}/pact")).into_response())
}
