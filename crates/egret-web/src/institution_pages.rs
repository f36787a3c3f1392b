//! The public registry of ESG service institutions, and the forms the city
//! uses to keep it: registration, qualifications, practitioners, status.

use askama::Template;
use axum::Json;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use egret_domain::institution::{InstitutionCatalog, InstitutionInput, QualificationInput};
use egret_domain::refdata::ReferenceData;
use egret_store::InstitutionRecord;
use serde::Deserialize;

use crate::AppState;
use crate::auth::{Auth, CsrfForm, Ctx};
use crate::error::AppResult;
use crate::pages::render;
use crate::view::{PageCtx, by_lang};

fn catalog() -> &'static InstitutionCatalog {
    InstitutionCatalog::embedded()
}

/// A qualification as shown: (kind, number, issuer, validity, valid today).
pub struct QualView {
    kind: String,
    number: String,
    issuer: String,
    validity: String,
    scope: String,
    valid: bool,
}

pub struct InstitutionView {
    id: String,
    name: String,
    uscc: String,
    services: String,
    district: String,
    status: String,
    active: bool,
    qualifications: Vec<QualView>,
    engagements: i64,
    concluded: i64,
    findings: i64,
    findings_answered: i64,
    rating_runs: i64,
    objections: i64,
    objections_upheld: i64,
}

fn view(ctx: &PageCtx, i: &InstitutionRecord) -> InstitutionView {
    let lang = ctx.lang;
    let cat = catalog();
    let today = chrono::Utc::now().date_naive();
    InstitutionView {
        id: i.institution_id.clone(),
        name: match (&i.name_en, lang) {
            (Some(en), egret_i18n::Lang::En) => en.clone(),
            _ => i.name_zh.clone(),
        },
        uscc: i.uscc.clone(),
        services: i
            .services
            .iter()
            .map(|s| {
                cat.service(s).map_or(s.clone(), |x| {
                    by_lang(lang, &x.name_zh, &x.name_en).to_string()
                })
            })
            .collect::<Vec<_>>()
            .join(" · "),
        district: i
            .district
            .as_deref()
            .and_then(|d| ReferenceData::embedded().district(d))
            .map(|d| by_lang(lang, &d.name_zh, &d.name_en).to_string())
            .unwrap_or_default(),
        status: ctx.t(&format!("inst-status-{}", i.status)),
        active: i.status == "active",
        qualifications: i
            .qualifications
            .iter()
            .map(|q| {
                let q = &q.qualification;
                let kind = cat.kind(&q.kind);
                QualView {
                    kind: kind.map_or(q.kind.clone(), |k| {
                        by_lang(lang, &k.name_zh, &k.name_en).to_string()
                    }),
                    number: q.number.clone(),
                    issuer: kind.map(|k| k.issuer.clone()).unwrap_or_default(),
                    validity: format!(
                        "{} – {}",
                        q.valid_from,
                        q.valid_to.map(|d| d.to_string()).unwrap_or_default()
                    ),
                    scope: q.scope.clone(),
                    valid: q.valid_on(today),
                }
            })
            .collect(),
        engagements: i.record.engagements,
        concluded: i.record.concluded,
        findings: i.record.findings,
        findings_answered: i.record.findings_answered,
        rating_runs: i.record.rating_runs,
        objections: i.record.objections,
        objections_upheld: i.record.objections_upheld,
    }
}

#[derive(Template)]
#[template(path = "institutions.html")]
struct InstitutionsPage {
    ctx: PageCtx,
    rows: Vec<InstitutionView>,
    can_manage: bool,
    /// (id, name) of every service and of the city's districts.
    services: Vec<(String, String)>,
    districts: Vec<(String, String)>,
}

pub async fn institutions_page(
    State(st): State<AppState>,
    Ctx(ctx, auth): Ctx,
) -> AppResult<Response> {
    let lang = ctx.lang;
    let rows = st
        .store
        .institutions()
        .await?
        .iter()
        .map(|i| view(&ctx, i))
        .collect();
    render(&InstitutionsPage {
        rows,
        can_manage: auth.is_some_and(|a| a.principal.can_manage_reference_data()),
        services: catalog()
            .service
            .iter()
            .map(|s| {
                (
                    s.id.clone(),
                    by_lang(lang, &s.name_zh, &s.name_en).to_string(),
                )
            })
            .collect(),
        districts: ReferenceData::embedded()
            .districts()
            .map(|d| {
                (
                    d.code.clone(),
                    by_lang(lang, &d.name_zh, &d.name_en).to_string(),
                )
            })
            .collect(),
        ctx,
    })
}

#[derive(Template)]
#[template(path = "institution.html")]
struct InstitutionPage {
    ctx: PageCtx,
    i: InstitutionView,
    can_manage: bool,
    members: Vec<(String, String)>,
    /// Assurer and analyst accounts that may be added: (id, name).
    candidates: Vec<(String, String)>,
    kinds: Vec<(String, String)>,
}

pub async fn institution_page(
    State(st): State<AppState>,
    Ctx(ctx, auth): Ctx,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let inst = st.store.institution(&id).await?;
    let manager = auth.filter(|a| a.principal.can_manage_reference_data());
    let (members, candidates) = match &manager {
        Some(a) => (
            st.store.institution_members(&id).await?,
            st.store.practitioner_candidates(&a.principal).await?,
        ),
        None => (Vec::new(), Vec::new()),
    };
    let lang = ctx.lang;
    render(&InstitutionPage {
        i: view(&ctx, &inst),
        can_manage: manager.is_some(),
        members,
        candidates,
        kinds: catalog()
            .kind
            .iter()
            .map(|k| {
                (
                    k.id.clone(),
                    by_lang(lang, &k.name_zh, &k.name_en).to_string(),
                )
            })
            .collect(),
        ctx,
    })
}

#[derive(Deserialize)]
pub struct InstitutionForm {
    uscc: String,
    name_zh: String,
    #[serde(default)]
    name_en: String,
    #[serde(default)]
    services: Vec<String>,
    #[serde(default)]
    district: String,
}

pub async fn institution_create(
    State(st): State<AppState>,
    CsrfForm(_, auth, f): CsrfForm<InstitutionForm>,
) -> AppResult<Response> {
    let inst = st
        .store
        .register_institution(
            &auth.principal,
            &InstitutionInput {
                uscc: f.uscc,
                name_zh: f.name_zh,
                name_en: Some(f.name_en),
                services: f.services,
                district: Some(f.district),
            },
        )
        .await?;
    Ok(Redirect::to(&format!("/institutions/{}", inst.institution_id)).into_response())
}

pub async fn qualification_add(
    State(st): State<AppState>,
    Path(id): Path<String>,
    CsrfForm(_, auth, q): CsrfForm<QualificationForm>,
) -> AppResult<Response> {
    st.store
        .add_qualification(&auth.principal, &id, &q.into())
        .await?;
    Ok(Redirect::to(&format!("/institutions/{id}")).into_response())
}

#[derive(Deserialize)]
pub struct QualificationForm {
    kind: String,
    number: String,
    valid_from: String,
    #[serde(default)]
    valid_to: String,
    #[serde(default)]
    scope: String,
}

impl From<QualificationForm> for QualificationInput {
    fn from(f: QualificationForm) -> Self {
        QualificationInput {
            kind: f.kind,
            number: f.number,
            valid_from: f.valid_from,
            valid_to: Some(f.valid_to),
            scope: f.scope,
        }
    }
}

#[derive(Deserialize)]
pub struct MemberForm {
    user_id: String,
}

pub async fn member_add(
    State(st): State<AppState>,
    Path(id): Path<String>,
    CsrfForm(_, auth, f): CsrfForm<MemberForm>,
) -> AppResult<Response> {
    st.store
        .add_institution_member(&auth.principal, &id, &f.user_id)
        .await?;
    Ok(Redirect::to(&format!("/institutions/{id}")).into_response())
}

#[derive(Deserialize)]
pub struct StatusForm {
    status: String,
    #[serde(default)]
    reason: String,
}

pub async fn status_set(
    State(st): State<AppState>,
    Path(id): Path<String>,
    CsrfForm(_, auth, f): CsrfForm<StatusForm>,
) -> AppResult<Response> {
    st.store
        .set_institution_status(&auth.principal, &id, &f.status, &f.reason)
        .await?;
    Ok(Redirect::to(&format!("/institutions/{id}")).into_response())
}

// -------------------------------------------------------------------- API

#[utoipa::path(get, path = "/api/v1/institutions", tag = "institutions",
    responses((status = 200, body = Vec<InstitutionRecord>, description = "The registry: every institution with its qualifications and service record")))]
pub async fn api_institutions(
    State(st): State<AppState>,
) -> AppResult<Json<Vec<InstitutionRecord>>> {
    Ok(Json(st.store.institutions().await?))
}

#[utoipa::path(post, path = "/api/v1/institutions", tag = "institutions",
    request_body = InstitutionInput,
    responses((status = 200, body = InstitutionRecord), (status = 403, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn api_register(
    State(st): State<AppState>,
    auth: Auth,
    crate::api::ApiJson(input): crate::api::ApiJson<InstitutionInput>,
) -> AppResult<Json<InstitutionRecord>> {
    Ok(Json(
        st.store
            .register_institution(&auth.principal, &input)
            .await?,
    ))
}

#[utoipa::path(post, path = "/api/v1/institutions/{id}/qualifications", tag = "institutions",
    params(("id" = String, Path)),
    request_body = QualificationInput,
    responses((status = 200, body = egret_store::QualificationRecord), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn api_add_qualification(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    crate::api::ApiJson(input): crate::api::ApiJson<QualificationInput>,
) -> AppResult<Json<egret_store::QualificationRecord>> {
    Ok(Json(
        st.store
            .add_qualification(&auth.principal, &id, &input)
            .await?,
    ))
}
