//! JSON API for catalogs and ESG data collection.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use egret_domain::catalog::Catalogs;
use egret_domain::checks::Severity;
use egret_i18n::Lang;
use egret_store::{FxRateRecord, PutReport, Source, ValueInput, ValueRecord};
use serde::Deserialize;
use serde_json::json;

use crate::AppState;
use crate::api::ApiJson;
use crate::auth::Auth;
use crate::data_pages::{completeness_csv, completeness_json, compute, load};
use crate::error::{AppError, AppResult};

#[utoipa::path(get, path = "/api/v1/catalogs", tag = "catalogs",
    responses((status = 200, description = "Every disclosure catalog: key, names, issuer, effective dates, requirement count")))]
pub async fn list_catalogs() -> Json<serde_json::Value> {
    let cats = Catalogs::embedded();
    Json(json!(
        cats.catalogs()
            .map(|c| json!({
                "key": c.key(), "id": c.id, "version": c.version,
                "name_zh": c.name_zh, "name_en": c.name_en,
                "issuer_zh": c.issuer_zh, "issuer_en": c.issuer_en, "source": c.source,
                "effective_from": c.effective_from, "effective_to": c.effective_to,
                "requirements": c.requirements.len(),
            }))
            .collect::<Vec<_>>()
    ))
}

#[utoipa::path(get, path = "/api/v1/catalogs/{key}", tag = "catalogs",
    params(("key" = String, Path, description = "Catalog key id@version, or id for the latest version")),
    responses((status = 200, description = "Sections and requirements, each with its data point and the other catalogs that data point serves"),
              (status = 404, body = crate::error::ErrorBody)))]
pub async fn get_catalog(Path(key): Path<String>) -> AppResult<Json<serde_json::Value>> {
    let cats = Catalogs::embedded();
    let c = cats.catalog(&key).ok_or_else(AppError::not_found)?;
    Ok(Json(json!({
        "key": c.key(), "name_zh": c.name_zh, "name_en": c.name_en, "source": c.source,
        "effective_from": c.effective_from, "effective_to": c.effective_to,
        "sections": c.sections.iter().map(|s| json!({
            "id": s.id, "dimension": s.dimension, "name_zh": s.name_zh, "name_en": s.name_en,
            "reference": s.reference,
        })).collect::<Vec<_>>(),
        "requirements": c.requirements.iter().map(|r| {
            let dp = cats.datapoint(&r.datapoint);
            json!({
                "id": r.id, "section": r.section, "datapoint": r.datapoint,
                "obligation": r.obligation.as_str(), "reference": r.reference,
                "kind": dp.map(|d| d.kind.as_str()), "unit": dp.and_then(|d| d.unit.clone()),
                "taxonomy": dp.map(|d| d.taxonomy.clone()),
                "also_serves": cats.served_by(&r.datapoint).into_iter()
                    .filter(|(o, _)| o.key() != c.key())
                    .map(|(o, req)| json!({"catalog": o.key(), "requirement": req.id}))
                    .collect::<Vec<_>>(),
            })
        }).collect::<Vec<_>>(),
    })))
}

#[utoipa::path(get, path = "/api/v1/organizations/{id}/periods/{year}/values", tag = "data",
    params(("id" = String, Path), ("year" = i32, Path, description = "Fiscal year")),
    responses((status = 200, body = Vec<ValueRecord>), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
pub async fn list_values(
    State(st): State<AppState>,
    auth: Auth,
    Path((id, year)): Path<(String, i32)>,
) -> AppResult<Json<Vec<ValueRecord>>> {
    let p = st.store.period_for_year(&auth.principal, &id, year).await?;
    Ok(Json(
        st.store
            .list_values(&auth.principal, &id, &p.period_id)
            .await?,
    ))
}

/// A batch of answers.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ValuesBody {
    values: Vec<ValueInput>,
}

#[utoipa::path(put, path = "/api/v1/organizations/{id}/periods/{year}/values", tag = "data",
    params(("id" = String, Path), ("year" = i32, Path, description = "Fiscal year")),
    request_body = ValuesBody,
    responses((status = 200, description = "Counts of created, changed and unchanged values"), (status = 403, body = crate::error::ErrorBody),
              (status = 404, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn put_values(
    State(st): State<AppState>,
    auth: Auth,
    Path((id, year)): Path<(String, i32)>,
    ApiJson(body): ApiJson<ValuesBody>,
) -> AppResult<Json<PutReport>> {
    let p = st.store.period_for_year(&auth.principal, &id, year).await?;
    Ok(Json(
        st.store
            .put_values(
                &auth.principal,
                &id,
                &p.period_id,
                &body.values,
                &Source::Manual,
            )
            .await?,
    ))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct FormatQuery {
    /// json (default) or csv
    format: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/organizations/{id}/periods/{year}/completeness/{catalog}", tag = "data",
    params(("id" = String, Path), ("year" = i32, Path), ("catalog" = String, Path, description = "Catalog key"), FormatQuery),
    responses((status = 200, description = "Required, answered, explained and missing requirements"), (status = 404, body = crate::error::ErrorBody)))]
pub async fn completeness(
    State(st): State<AppState>,
    auth: Auth,
    Path((id, year, catalog)): Path<(String, i32, String)>,
    q: Result<Query<FormatQuery>, axum::extract::rejection::QueryRejection>,
) -> AppResult<Response> {
    let Query(q) = q?;
    let cats = Catalogs::embedded();
    let l = load(&st, &auth, cats, &id, Some(year), Some(&catalog), Lang::En).await?;
    let comp = compute(cats, &l);
    Ok(match q.format.as_deref() {
        Some("csv") => (
            [(header::CONTENT_TYPE, "text/csv; charset=utf-8")],
            completeness_csv(&comp, Lang::En),
        )
            .into_response(),
        _ => Json(completeness_json(&comp, &id, year)).into_response(),
    })
}

#[utoipa::path(get, path = "/api/v1/organizations/{id}/periods/{year}/checks", tag = "data",
    params(("id" = String, Path), ("year" = i32, Path)),
    responses((status = 200, description = "Findings of the validation rules (ranges, sums, year-over-year jumps, intensities)"), (status = 404, body = crate::error::ErrorBody)))]
pub async fn checks(
    State(st): State<AppState>,
    auth: Auth,
    headers: axum::http::HeaderMap,
    Path((id, year)): Path<(String, i32)>,
) -> AppResult<Json<serde_json::Value>> {
    let lang = crate::view::lang_from_headers(&headers);
    let p = st.store.period_for_year(&auth.principal, &id, year).await?;
    let findings = st.store.check_period(&auth.principal, &p).await?;
    Ok(Json(json!(findings.iter().map(|f| json!({
        "rule": f.rule, "datapoint": f.datapoint, "breakdown": f.breakdown,
        "severity": match f.severity { Severity::Error => "error", Severity::Warning => "warning" },
        "message": f.msg.render(lang), "message_key": f.msg.key,
    })).collect::<Vec<_>>())))
}

#[utoipa::path(get, path = "/api/v1/organizations/{id}/periods/{year}/fx-rates", tag = "data",
    params(("id" = String, Path), ("year" = i32, Path)),
    responses((status = 200, body = Vec<FxRateRecord>, description = "The organisation's own exchange rates for the period (they take precedence over the reference rates)"),
              (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
pub async fn list_fx_rates(
    State(st): State<AppState>,
    auth: Auth,
    Path((id, year)): Path<(String, i32)>,
) -> AppResult<Json<Vec<FxRateRecord>>> {
    let p = st.store.period_for_year(&auth.principal, &id, year).await?;
    Ok(Json(
        st.store
            .fx_rates(&auth.principal, &id, &p.period_id)
            .await?,
    ))
}

/// An exchange rate for one currency in a period.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FxRateBody {
    /// ISO 4217 code, e.g. USD.
    currency: String,
    /// Yuan per one unit of the currency, as a decimal string.
    cny_per_unit: String,
    /// Where the rate comes from.
    note: String,
}

#[utoipa::path(put, path = "/api/v1/organizations/{id}/periods/{year}/fx-rates", tag = "data",
    params(("id" = String, Path), ("year" = i32, Path)),
    request_body = FxRateBody,
    responses((status = 200, body = FxRateRecord), (status = 403, body = crate::error::ErrorBody),
              (status = 404, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn put_fx_rate(
    State(st): State<AppState>,
    auth: Auth,
    Path((id, year)): Path<(String, i32)>,
    ApiJson(body): ApiJson<FxRateBody>,
) -> AppResult<Json<FxRateRecord>> {
    let p = st.store.period_for_year(&auth.principal, &id, year).await?;
    Ok(Json(
        st.store
            .set_fx_rate(
                &auth.principal,
                &id,
                &p.period_id,
                &body.currency,
                &body.cny_per_unit,
                &body.note,
            )
            .await?,
    ))
}
