//! JSON API under `/api/v1`. Authentication by bearer token (machine
//! clients) or session cookie plus `x-csrf-token` (the browser). Every
//! error is a JSON body `{code, message, message_key, fields}`.

use axum::Json;
use axum::extract::{FromRequest, FromRequestParts, Path, Query, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use egret_domain::org::{OrgInput, PeriodInput, SiteInput};
use egret_domain::refdata::ReferenceData;
use egret_i18n::Msg;
use egret_store::{OrgFilter, OrgRecord, Page, PageOf, PeriodRecord, SiteRecord};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::AppState;
use crate::auth::Auth;
use crate::error::{AppError, AppResult};

/// JSON body extractor whose rejections are [`AppError`]s (so malformed
/// JSON, unknown fields and oversize bodies get a JSON 4xx).
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for ApiJson<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, AppError> {
        Json::<T>::from_request(req, state)
            .await
            .map(|Json(v)| ApiJson(v))
            .map_err(AppError::from)
    }
}

/// Query-string extractor with [`AppError`] rejections.
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned + Send> FromRequestParts<AppState> for ApiQuery<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        Query::<T>::from_request_parts(parts, state)
            .await
            .map(|Query(v)| ApiQuery(v))
            .map_err(AppError::from)
    }
}

/// Who is calling.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Me {
    user_id: String,
    email: String,
    display_name: String,
    role: String,
    organizations: Vec<String>,
}

#[utoipa::path(get, path = "/api/v1/me", tag = "accounts",
    responses((status = 200, body = Me), (status = 401, body = crate::error::ErrorBody)))]
pub async fn me(auth: Auth) -> Json<Me> {
    Json(Me {
        user_id: auth.user.user_id,
        email: auth.user.email,
        display_name: auth.user.display_name,
        role: auth.user.role.as_str().to_string(),
        organizations: auth.principal.orgs,
    })
}

#[utoipa::path(get, path = "/api/v1/reference", tag = "reference",
    responses((status = 200, description = "Districts, pilot zones, industry clusters, industry divisions and indices the register uses")))]
pub async fn reference() -> Json<serde_json::Value> {
    let rd = ReferenceData::embedded();
    Json(json!({
        "districts": rd.districts().map(|d| json!({"code": d.code, "name_zh": d.name_zh, "name_en": d.name_en})).collect::<Vec<_>>(),
        "zones": rd.zones().map(|z| json!({"id": z.id, "name_zh": z.name_zh, "name_en": z.name_en})).collect::<Vec<_>>(),
        "clusters": rd.clusters().map(|c| json!({"id": c.id, "group": c.group, "name_zh": c.name_zh, "name_en": c.name_en})).collect::<Vec<_>>(),
        "industries": rd.divisions().map(|d| json!({"code": d.code, "section": d.section, "name_zh": d.name_zh, "name_en": d.name_en})).collect::<Vec<_>>(),
        "indices": rd.indices().map(|i| json!({"id": i.id, "name_zh": i.name_zh, "name_en": i.name_en, "mandates_sr": i.mandates_sr})).collect::<Vec<_>>(),
    }))
}

/// Filters and paging for the organisation list.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Part of the name (zh or en) or of the credit code.
    q: Option<String>,
    /// District code (GB/T 2260), e.g. 350206.
    district: Option<String>,
    /// Industry-cluster id.
    cluster: Option<String>,
    /// Ownership code, e.g. local_soe.
    ownership: Option<String>,
    /// Pilot-zone id, e.g. ftz-xiamen.
    zone: Option<String>,
    /// large, medium, small or micro.
    size_class: Option<String>,
    listed: Option<bool>,
    sr_mandatory: Option<bool>,
    foreign_business: Option<bool>,
    /// 1-based page number.
    page: Option<u32>,
    /// Items per page (1–200, default 50).
    per_page: Option<u32>,
}

impl ListQuery {
    pub fn split(self) -> (OrgFilter, Page) {
        (
            OrgFilter {
                q: self.q,
                district: self.district,
                cluster: self.cluster,
                ownership: self.ownership,
                zone: self.zone,
                size_class: self.size_class,
                listed: self.listed,
                sr_mandatory: self.sr_mandatory,
                foreign_business: self.foreign_business,
            },
            Page::new(self.page, self.per_page),
        )
    }
}

#[utoipa::path(get, path = "/api/v1/organizations", tag = "organizations", params(ListQuery),
    responses((status = 200, body = PageOf<OrgRecord>), (status = 400, body = crate::error::ErrorBody), (status = 401, body = crate::error::ErrorBody)))]
pub async fn list_orgs(
    State(st): State<AppState>,
    auth: Auth,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> AppResult<Json<PageOf<OrgRecord>>> {
    let (filter, page) = q.split();
    Ok(Json(
        st.store.list_orgs(&auth.principal, &filter, page).await?,
    ))
}

#[utoipa::path(post, path = "/api/v1/organizations", tag = "organizations",
    request_body = OrgInput,
    responses((status = 201, body = OrgRecord), (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn create_org(
    State(st): State<AppState>,
    auth: Auth,
    ApiJson(input): ApiJson<OrgInput>,
) -> AppResult<Response> {
    if !auth.principal.can_register_orgs() {
        return Err(AppError::forbidden());
    }
    let profile = input
        .validate(ReferenceData::embedded())
        .map_err(AppError::invalid)?;
    let rec = st.store.create_org(&auth.principal, &profile).await?;
    let location = format!("/api/v1/organizations/{}", rec.org_id);
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(rec),
    )
        .into_response())
}

#[utoipa::path(get, path = "/api/v1/organizations/{id}", tag = "organizations",
    params(("id" = String, Path, description = "Organisation id")),
    responses((status = 200, body = OrgRecord), (status = 404, body = crate::error::ErrorBody)))]
pub async fn get_org(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Json<OrgRecord>> {
    Ok(Json(st.store.get_org(&auth.principal, &id).await?))
}

fn if_match_version(headers: &HeaderMap) -> AppResult<Option<i64>> {
    match headers.get(header::IF_MATCH) {
        None => Ok(None),
        Some(v) => v
            .to_str()
            .ok()
            .map(|s| s.trim().trim_start_matches("W/").trim_matches('"'))
            .and_then(|s| s.parse::<i64>().ok())
            .map(Some)
            .ok_or_else(|| AppError::bad_request(Msg::new("web-error-if-match"))),
    }
}

#[utoipa::path(put, path = "/api/v1/organizations/{id}", tag = "organizations",
    params(("id" = String, Path, description = "Organisation id"),
           ("If-Match" = Option<String>, Header, description = "Expected version; the update is refused with 409 if the record changed")),
    request_body = OrgInput,
    responses((status = 200, body = OrgRecord), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn update_org(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    headers: HeaderMap,
    ApiJson(input): ApiJson<OrgInput>,
) -> AppResult<Json<OrgRecord>> {
    let version = if_match_version(&headers)?;
    // Existence and visibility first, so a stranger gets 404 not 422.
    st.store.get_org(&auth.principal, &id).await?;
    if !auth.principal.can_write_org(&id) {
        return Err(AppError::forbidden());
    }
    let profile = input
        .validate(ReferenceData::embedded())
        .map_err(AppError::invalid)?;
    Ok(Json(
        st.store
            .update_org(&auth.principal, &id, version, &profile)
            .await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/organizations/{id}/sites", tag = "organizations",
    params(("id" = String, Path, description = "Organisation id")),
    responses((status = 200, body = Vec<SiteRecord>), (status = 404, body = crate::error::ErrorBody)))]
pub async fn list_sites(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Json<Vec<SiteRecord>>> {
    Ok(Json(st.store.list_sites(&auth.principal, &id).await?))
}

#[utoipa::path(post, path = "/api/v1/organizations/{id}/sites", tag = "organizations",
    params(("id" = String, Path, description = "Organisation id")),
    request_body = SiteInput,
    responses((status = 201, description = "Created; body holds the new site id"), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn create_site(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<SiteInput>,
) -> AppResult<Response> {
    let site_id = st.store.add_site(&auth.principal, &id, &input).await?;
    Ok((StatusCode::CREATED, Json(json!({ "site_id": site_id }))).into_response())
}

#[utoipa::path(get, path = "/api/v1/organizations/{id}/periods", tag = "organizations",
    params(("id" = String, Path, description = "Organisation id")),
    responses((status = 200, body = Vec<PeriodRecord>), (status = 404, body = crate::error::ErrorBody)))]
pub async fn list_periods(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Json<Vec<PeriodRecord>>> {
    Ok(Json(st.store.list_periods(&auth.principal, &id).await?))
}

#[utoipa::path(post, path = "/api/v1/organizations/{id}/periods", tag = "organizations",
    params(("id" = String, Path, description = "Organisation id")),
    request_body = PeriodInput,
    responses((status = 201, description = "Created; body holds the new period id"), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn create_period(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<PeriodInput>,
) -> AppResult<Response> {
    let period_id = st.store.add_period(&auth.principal, &id, &input).await?;
    Ok((StatusCode::CREATED, Json(json!({ "period_id": period_id }))).into_response())
}

#[utoipa::path(get, path = "/api/openapi.json", tag = "meta",
    responses((status = 200, description = "This OpenAPI document")))]
pub async fn openapi() -> Json<utoipa::openapi::OpenApi> {
    Json(crate::openapi::document())
}
