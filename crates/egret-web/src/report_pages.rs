//! Submitted disclosures: submitting from the data pages, the list of an
//! organisation's submissions, one submission as a report (sections of its
//! catalog, values with units and breakdowns, an index of every
//! requirement: answered, explained or not applicable), publication and
//! withdrawal, the public list of published reports, and the API.

use askama::Template;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use egret_domain::catalog::Catalogs;
use egret_domain::refdata::ReferenceData;
use egret_store::SubmissionRecord;
use serde::Deserialize;
use serde_json::json;

use crate::AppState;
use crate::api::ApiJson;
use crate::auth::{Auth, CsrfForm, Ctx, UserCtx};
use crate::error::AppResult;
use crate::pages::render;
use crate::report_view::{self, ReportContent, ReportLang, assured_on};
use crate::view::{PageCtx, by_lang};

fn status_label(ctx: &PageCtx, status: &str) -> String {
    ctx.t(&format!("sub-status-{status}"))
}

#[derive(Deserialize)]
pub struct SubmitForm {
    catalog: String,
    #[serde(default)]
    reason: String,
}

pub async fn submit(
    State(st): State<AppState>,
    Path((id, year)): Path<(String, i32)>,
    CsrfForm(_, auth, f): CsrfForm<SubmitForm>,
) -> AppResult<Response> {
    let p = st.store.period_for_year(&auth.principal, &id, year).await?;
    let s = st
        .store
        .submit(&auth.principal, &p, &f.catalog, Some(&f.reason))
        .await?;
    Ok(Redirect::to(&format!("/orgs/{id}/submissions/{}", s.submission_id)).into_response())
}

#[derive(Deserialize)]
pub struct EventForm {
    #[serde(default)]
    reason: String,
}

pub async fn publish(
    State(st): State<AppState>,
    Path((id, sid)): Path<(String, String)>,
    CsrfForm(_, auth, f): CsrfForm<EventForm>,
) -> AppResult<Response> {
    event(&st, &auth, &id, &sid, "publish", &f.reason).await
}

pub async fn withdraw(
    State(st): State<AppState>,
    Path((id, sid)): Path<(String, String)>,
    CsrfForm(_, auth, f): CsrfForm<EventForm>,
) -> AppResult<Response> {
    event(&st, &auth, &id, &sid, "withdraw", &f.reason).await
}

async fn event(
    st: &AppState,
    auth: &Auth,
    id: &str,
    sid: &str,
    action: &str,
    reason: &str,
) -> AppResult<Response> {
    st.store
        .submission_event(&auth.principal, id, sid, action, Some(reason))
        .await?;
    Ok(Redirect::to(&format!("/orgs/{id}/submissions/{sid}")).into_response())
}

// -------------------------------------------------------------- narrative

pub struct NarrativeSection {
    id: String,
    name: String,
    zh: String,
    en: String,
    /// Who last wrote it, when (empty when nothing is written).
    written: String,
}

#[derive(Template)]
#[template(path = "narrative.html")]
struct NarrativePage {
    ctx: PageCtx,
    org_id: String,
    org_name: String,
    year: i32,
    catalog_key: String,
    catalog_name: String,
    sections: Vec<NarrativeSection>,
}

#[derive(Deserialize)]
pub struct CatalogQuery {
    catalog: String,
}

/// The narrative editor: one text per section and language.
pub async fn narrative_page(
    State(st): State<AppState>,
    UserCtx(ctx, auth): UserCtx,
    Path((id, year)): Path<(String, i32)>,
    Query(q): Query<CatalogQuery>,
) -> AppResult<Response> {
    let org = st.store.get_org(&auth.principal, &id).await?;
    if !auth.principal.can_write_org(&id) {
        return Err(crate::error::AppError::not_found());
    }
    let p = st.store.period_for_year(&auth.principal, &id, year).await?;
    let catalog = Catalogs::embedded()
        .catalog(&q.catalog)
        .ok_or_else(crate::error::AppError::not_found)?;
    let written = st.store.narratives(&auth.principal, &p, &q.catalog).await?;
    let lang = ctx.lang;
    let sections = catalog
        .sections
        .iter()
        .map(|sec| {
            let of = |l: &str| written.iter().find(|n| n.section == sec.id && n.lang == l);
            let last = of("zh")
                .into_iter()
                .chain(of("en"))
                .max_by(|a, b| a.written_at.cmp(&b.written_at));
            NarrativeSection {
                id: sec.id.clone(),
                name: by_lang(lang, &sec.name_zh, &sec.name_en).to_string(),
                zh: of("zh").map(|n| n.body.clone()).unwrap_or_default(),
                en: of("en").map(|n| n.body.clone()).unwrap_or_default(),
                written: last.map_or_else(String::new, |n| {
                    egret_i18n::Msg::new("nar-written")
                        .arg("version", n.version)
                        .arg("who", &n.written_by)
                        .arg("at", &n.written_at)
                        .render(lang)
                }),
            }
        })
        .collect();
    render(&NarrativePage {
        org_id: id,
        org_name: by_lang(
            lang,
            &org.profile.name_zh,
            org.profile
                .name_en
                .as_deref()
                .unwrap_or(&org.profile.name_zh),
        )
        .to_string(),
        year,
        catalog_key: catalog.key(),
        catalog_name: by_lang(lang, &catalog.name_zh, &catalog.name_en).to_string(),
        sections,
        ctx,
    })
}

#[derive(Deserialize)]
pub struct NarrativeForm {
    catalog: String,
    section: String,
    #[serde(default)]
    text_zh: String,
    #[serde(default)]
    text_en: String,
}

pub async fn narrative_save(
    State(st): State<AppState>,
    Path((id, year)): Path<(String, i32)>,
    CsrfForm(_, auth, f): CsrfForm<NarrativeForm>,
) -> AppResult<Response> {
    let p = st.store.period_for_year(&auth.principal, &id, year).await?;
    st.store
        .put_narrative(
            &auth.principal,
            &p,
            &f.catalog,
            &f.section,
            &[("zh", &f.text_zh), ("en", &f.text_en)],
        )
        .await?;
    Ok(Redirect::to(&format!(
        "/orgs/{id}/report/{year}/narrative?catalog={}#narrative-{}",
        f.catalog, f.section
    ))
    .into_response())
}

// ------------------------------------------------------------------ lists

pub struct SubmissionRow {
    org_id: String,
    org_name: String,
    id: String,
    year: i32,
    catalog: String,
    version: i64,
    status: String,
    submitted_at: String,
    digest: String,
}

fn row(ctx: &PageCtx, s: &SubmissionRecord) -> SubmissionRow {
    let org = &s.snapshot["organisation"];
    let name = by_lang(
        ctx.lang,
        org["name_zh"].as_str().unwrap_or_default(),
        org["name_en"]
            .as_str()
            .or(org["name_zh"].as_str())
            .unwrap_or_default(),
    );
    let cats = Catalogs::embedded();
    SubmissionRow {
        org_id: s.org_id.clone(),
        org_name: name.to_string(),
        id: s.submission_id.clone(),
        year: s.fiscal_year,
        catalog: cats.catalog(&s.catalog_key).map_or_else(
            || s.catalog_key.clone(),
            |c| by_lang(ctx.lang, &c.name_zh, &c.name_en).to_string(),
        ),
        version: s.version,
        status: status_label(ctx, &s.status),
        submitted_at: s.submitted_at.clone(),
        digest: s.digest[..16].to_string(),
    }
}

#[derive(Template)]
#[template(path = "submissions.html")]
struct SubmissionsPage {
    ctx: PageCtx,
    title: String,
    rows: Vec<SubmissionRow>,
}

pub async fn org_submissions(
    State(st): State<AppState>,
    Ctx(ctx, auth): Ctx,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let principal = viewer(auth);
    let subs = st.store.list_submissions(&principal, &id).await?;
    render(&SubmissionsPage {
        title: ctx.t("sub-title"),
        rows: subs.iter().map(|s| row(&ctx, s)).collect(),
        ctx,
    })
}

pub async fn published_reports(
    State(st): State<AppState>,
    Ctx(ctx, _): Ctx,
) -> AppResult<Response> {
    let subs = st.store.published_submissions(200).await?;
    render(&SubmissionsPage {
        title: ctx.t("sub-published-title"),
        rows: subs.iter().map(|s| row(&ctx, s)).collect(),
        ctx,
    })
}

// ----------------------------------------------------------------- report

pub struct FindingView {
    id: String,
    datapoint: String,
    finding: String,
    requested: String,
    response: String,
    raised: String,
}

pub struct EngagementView {
    id: String,
    provider: String,
    /// The registry entry of the provider.
    institution_id: Option<String>,
    standard: String,
    level: String,
    scope: String,
    criteria: String,
    materiality: String,
    findings: Vec<FindingView>,
    /// (practitioner, signed at, procedures, conclusion, form, on this version)
    conclusion: Option<(String, String, String, String, String, bool)>,
    /// The signed-in user is the engaged assurer and it is not concluded.
    can_assure: bool,
    scope_ids: Vec<String>,
}

#[derive(Template)]
#[template(path = "report.html")]
struct ReportPage {
    ctx: PageCtx,
    s: SubmissionRow,
    reason: String,
    prev_digest: String,
    full_digest: String,
    completeness: String,
    report: ReportContent,
    /// The report's language(s): zh | en | both.
    langs: &'static str,
    /// (code, label, current) of each report language.
    lang_links: Vec<(&'static str, String, bool)>,
    can_write: bool,
    status_code: String,
    engagements: Vec<EngagementView>,
    catalog_key: String,
    /// Assurers bound to the organisation (id, name), for the engage form.
    assurers: Vec<(String, String)>,
    standards: Vec<(String, String)>,
}

#[derive(Deserialize)]
pub struct LangsQuery {
    langs: Option<String>,
}

pub async fn report_page(
    State(st): State<AppState>,
    Ctx(ctx, auth): Ctx,
    Path((id, sid)): Path<(String, String)>,
    Query(q): Query<LangsQuery>,
) -> AppResult<Response> {
    let principal = viewer(auth);
    let s = st.store.submission(&principal, &id, &sid).await?;
    let engagements = st.store.engagements_for(&principal, &id, &sid).await?;
    let standards = egret_domain::assurance::AssuranceStandards::embedded();
    let lang = ctx.lang;
    let rl = ReportLang::parse(q.langs.as_deref(), lang);
    let report = report_view::content(rl, &s, &engagements);
    let c = &s.snapshot["completeness"];
    let can_write = principal.can_write_org(&id);
    let assurers = if can_write {
        st.store.org_assurers(&principal, &id).await?
    } else {
        Vec::new()
    };
    let engagement_views = engagements
        .iter()
        .map(|e| EngagementView {
            id: e.engagement_id.clone(),
            provider: e.provider.clone(),
            institution_id: e.institution_id.clone(),
            standard: standards
                .standard(&e.standard)
                .map_or(e.standard.clone(), |x| {
                    by_lang(lang, &x.name_zh, &x.name_en).to_string()
                }),
            level: standards.level(&e.level).map_or(e.level.clone(), |l| {
                by_lang(lang, &l.name_zh, &l.name_en).to_string()
            }),
            scope: e.scope.join(", "),
            criteria: e.criteria.clone(),
            materiality: e.materiality.clone().unwrap_or_default(),
            findings: e
                .findings
                .iter()
                .map(|f| FindingView {
                    id: f.finding_id.clone(),
                    datapoint: f.datapoint.clone(),
                    finding: f.finding.clone(),
                    requested: f.requested_correction.clone().unwrap_or_default(),
                    response: f.response.clone().unwrap_or_default(),
                    raised: format!("{} · {}", f.raised_by, f.raised_at),
                })
                .collect(),
            conclusion: e.conclusion.as_ref().map(|c| {
                (
                    c.practitioner.clone(),
                    c.signed_at.clone(),
                    c.procedures.clone(),
                    c.conclusion.clone(),
                    ctx.t(&format!("sub-form-{}", c.form)),
                    c.submission_id == sid,
                )
            }),
            can_assure: principal.role == egret_domain::access::Role::Assurer
                && principal.user_id == e.assurer_id
                && e.conclusion.is_none(),
            scope_ids: e.scope.clone(),
        })
        .collect();
    render(&ReportPage {
        completeness: format!(
            "{} {} · {} {} · {} {}",
            ctx.t("data-answered"),
            c["answered"],
            ctx.t("data-explained"),
            c["explained"],
            ctx.t("data-missing"),
            c["missing"]
        ),
        reason: s.reason.clone().unwrap_or_default(),
        prev_digest: s.prev_digest.clone(),
        full_digest: s.digest.clone(),
        can_write,
        status_code: s.status.clone(),
        engagements: engagement_views,
        catalog_key: s.catalog_key.clone(),
        assurers,
        standards: standards
            .standard
            .iter()
            .map(|x| {
                (
                    x.id.clone(),
                    by_lang(lang, &x.name_zh, &x.name_en).to_string(),
                )
            })
            .collect(),
        s: row(&ctx, &s),
        report,
        langs: rl.code(),
        lang_links: ["zh", "en", "both"]
            .into_iter()
            .map(|c| (c, ctx.t(&format!("sub-langs-{c}")), c == rl.code()))
            .collect(),
        ctx,
    })
}

/// The submission as a typeset PDF.
pub async fn report_pdf(
    State(st): State<AppState>,
    Ctx(ctx, auth): Ctx,
    Path((id, sid)): Path<(String, String)>,
    Query(q): Query<LangsQuery>,
) -> AppResult<Response> {
    let principal = viewer(auth);
    let s = st.store.submission(&principal, &id, &sid).await?;
    let engagements = st.store.engagements_for(&principal, &id, &sid).await?;
    let render = st
        .pdf
        .clone()
        .ok_or_else(crate::error::AppError::not_found)?;
    let rl = ReportLang::parse(q.langs.as_deref(), ctx.lang);
    let data = report_view::pdf_data(rl, &s, &engagements);
    let pdf = tokio::task::spawn_blocking(move || render(&data))
        .await
        .map_err(|_| internal())?
        .map_err(|e| {
            tracing::error!(error = %e, "typesetting the report failed");
            internal()
        })?;
    Ok(file_response(
        "application/pdf",
        &format!("inline; filename=\"{sid}.pdf\""),
        pdf,
    ))
}

fn internal() -> crate::error::AppError {
    crate::error::AppError::new(
        axum::http::StatusCode::INTERNAL_SERVER_ERROR,
        "internal",
        egret_i18n::Msg::new("store-internal"),
    )
}

#[derive(Deserialize)]
pub struct EngageForm {
    assurer_id: String,
    standard: String,
    level: String,
    #[serde(default)]
    scope: String,
    criteria: String,
    #[serde(default)]
    materiality: String,
}

pub async fn engage(
    State(st): State<AppState>,
    Path((id, sid)): Path<(String, String)>,
    CsrfForm(_, auth, f): CsrfForm<EngageForm>,
) -> AppResult<Response> {
    let input = egret_store::EngagementInput {
        assurer_id: f.assurer_id,
        standard: f.standard,
        level: f.level,
        scope: f
            .scope
            .split([',', '，', ' '])
            .map(str::trim)
            .filter(|x| !x.is_empty())
            .map(str::to_string)
            .collect(),
        criteria: f.criteria,
        materiality: Some(f.materiality).filter(|m| !m.trim().is_empty()),
    };
    st.store.engage(&auth.principal, &id, &sid, &input).await?;
    Ok(Redirect::to(&format!("/orgs/{id}/submissions/{sid}#assurance")).into_response())
}

#[derive(Deserialize)]
pub struct FindingForm {
    sid: String,
    datapoint: String,
    finding: String,
    #[serde(default)]
    requested_correction: String,
}

pub async fn raise_finding(
    State(st): State<AppState>,
    Path((id, eid)): Path<(String, String)>,
    CsrfForm(_, auth, f): CsrfForm<FindingForm>,
) -> AppResult<Response> {
    st.store
        .raise_finding(
            &auth.principal,
            &id,
            &eid,
            &f.datapoint,
            &f.finding,
            Some(&f.requested_correction),
        )
        .await?;
    Ok(Redirect::to(&format!("/orgs/{id}/submissions/{}#assurance", f.sid)).into_response())
}

#[derive(Deserialize)]
pub struct RespondForm {
    sid: String,
    response: String,
}

pub async fn respond_finding(
    State(st): State<AppState>,
    Path((id, eid, fid)): Path<(String, String, String)>,
    CsrfForm(_, auth, f): CsrfForm<RespondForm>,
) -> AppResult<Response> {
    st.store
        .respond_finding(&auth.principal, &id, &eid, &fid, &f.response)
        .await?;
    Ok(Redirect::to(&format!("/orgs/{id}/submissions/{}#assurance", f.sid)).into_response())
}

#[derive(Deserialize)]
pub struct ConcludeForm {
    sid: String,
    procedures: String,
    conclusion: String,
    practitioner: String,
}

pub async fn conclude(
    State(st): State<AppState>,
    Path((id, eid)): Path<(String, String)>,
    CsrfForm(_, auth, f): CsrfForm<ConcludeForm>,
) -> AppResult<Response> {
    let c = st
        .store
        .conclude(
            &auth.principal,
            &id,
            &eid,
            &f.procedures,
            &f.conclusion,
            &f.practitioner,
        )
        .await?;
    let _ = f.sid;
    Ok(Redirect::to(&format!(
        "/orgs/{id}/submissions/{}#assurance",
        c.submission_id
    ))
    .into_response())
}

// -------------------------------------------------------------------- API

#[utoipa::path(get, path = "/api/v1/organizations/{id}/submissions", tag = "disclosure",
    params(("id" = String, Path)),
    responses((status = 200, body = Vec<SubmissionRecord>, description = "Submissions, newest first (published ones only for outsiders), each with its frozen snapshot and chain digests")))]
pub async fn api_submissions(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Json<Vec<SubmissionRecord>>> {
    Ok(Json(st.store.list_submissions(&auth.principal, &id).await?))
}

/// What to submit.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SubmitBody {
    /// Catalog key, e.g. cn-exchange-sr@2024.
    catalog: String,
    /// Required for a correction (a second submission of the period and catalog).
    #[serde(default)]
    reason: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/organizations/{id}/periods/{year}/submissions", tag = "disclosure",
    params(("id" = String, Path), ("year" = i32, Path)),
    request_body = SubmitBody,
    responses((status = 200, body = SubmissionRecord), (status = 403, body = crate::error::ErrorBody),
              (status = 404, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody, description = "Required data points missing (listed), or a correction without a reason")))]
pub async fn api_submit(
    State(st): State<AppState>,
    auth: Auth,
    Path((id, year)): Path<(String, i32)>,
    ApiJson(body): ApiJson<SubmitBody>,
) -> AppResult<Json<SubmissionRecord>> {
    let p = st.store.period_for_year(&auth.principal, &id, year).await?;
    Ok(Json(
        st.store
            .submit(&auth.principal, &p, &body.catalog, body.reason.as_deref())
            .await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/reports", tag = "disclosure",
    responses((status = 200, description = "Published submissions (newest first, at most 200): organisation, year, catalog, version, digest")))]
pub async fn api_published(State(st): State<AppState>) -> AppResult<Json<serde_json::Value>> {
    let subs = st.store.published_submissions(200).await?;
    Ok(Json(json!(
        subs.iter()
            .map(|s| json!({
                "org_id": s.org_id, "submission_id": s.submission_id, "fiscal_year": s.fiscal_year,
                "catalog": s.catalog_key, "version": s.version, "digest": s.digest,
                "submitted_at": s.submitted_at,
            }))
            .collect::<Vec<_>>()
    )))
}

/// The submission as xBRL-JSON (IFRS SDS concepts where mapped).
pub async fn xbrl_json(
    State(st): State<AppState>,
    Ctx(_, auth): Ctx,
    Path((id, sid)): Path<(String, String)>,
) -> AppResult<Response> {
    let principal = viewer(auth);
    let s = st.store.submission(&principal, &id, &sid).await?;
    let doc = egret_domain::xbrl::from_snapshot(
        &s.snapshot,
        Catalogs::embedded(),
        ReferenceData::embedded(),
    );
    Ok(download(&doc, &format!("{sid}.xbrl.json")))
}

/// Egret's XBRL extension taxonomy schema (the concepts, axes and
/// members its xBRL-JSON uses that IFRS does not define).
pub async fn egret_schema() -> Response {
    file_response(
        "application/xml; charset=utf-8",
        "inline; filename=\"egret.xsd\"",
        egret_domain::xbrl::extension_schema(Catalogs::embedded(), ReferenceData::embedded())
            .into_bytes(),
    )
}

/// The frozen snapshot itself (Egret's JSON; its digest is in the chain).
pub async fn egret_json(
    State(st): State<AppState>,
    Ctx(_, auth): Ctx,
    Path((id, sid)): Path<(String, String)>,
) -> AppResult<Response> {
    let principal = viewer(auth);
    let s = st.store.submission(&principal, &id, &sid).await?;
    let engagements = st.store.engagements_for(&principal, &id, &sid).await?;
    Ok(download(
        &json!({
            "submission_id": s.submission_id, "seq": s.seq, "digest": s.digest,
            "prev_digest": s.prev_digest, "snapshot": s.snapshot,
            "assured": assured_on(&engagements, &sid).into_iter()
                .map(|(dp, (level, practitioner))| json!({"datapoint": dp, "level": level, "practitioner": practitioner}))
                .collect::<Vec<_>>(),
            "engagements": engagements,
        }),
        &format!("{sid}.egret.json"),
    ))
}

/// The XLSX data annex of a submission.
pub async fn annex_xlsx(
    State(st): State<AppState>,
    Ctx(_, auth): Ctx,
    Path((id, sid)): Path<(String, String)>,
) -> AppResult<Response> {
    let principal = viewer(auth);
    let s = st.store.submission(&principal, &id, &sid).await?;
    let engagements = st.store.engagements_for(&principal, &id, &sid).await?;
    let assured = assured_on(&engagements, &sid)
        .into_iter()
        .map(|(dp, (level, practitioner))| (dp, format!("{level} · {practitioner}")))
        .collect();
    let bytes = egret_import::annex::write_annex(
        &s.snapshot,
        &s.digest,
        &s.prev_digest,
        Catalogs::embedded(),
        &assured,
    )
    .map_err(|e| {
        tracing::error!(error = %e, "writing the annex failed");
        internal()
    })?;
    Ok(file_response(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        &format!("attachment; filename=\"{sid}.annex.xlsx\""),
        bytes,
    ))
}

fn download(v: &serde_json::Value, name: &str) -> Response {
    file_response(
        "application/json",
        &format!("attachment; filename=\"{name}\""),
        serde_json::to_string_pretty(v)
            .unwrap_or_default()
            .into_bytes(),
    )
}

/// A file with its content type and disposition.
pub(crate) fn file_response(content_type: &str, disposition: &str, bytes: Vec<u8>) -> Response {
    (
        [
            (axum::http::header::CONTENT_TYPE, content_type.to_string()),
            (
                axum::http::header::CONTENT_DISPOSITION,
                disposition.to_string(),
            ),
        ],
        bytes,
    )
        .into_response()
}

/// Who is looking: the signed-in principal, or an anonymous visitor who
/// may read only what is public.
fn viewer(auth: Option<Auth>) -> egret_domain::access::Principal {
    auth.map(|a| a.principal)
        .unwrap_or_else(egret_domain::access::Principal::anonymous)
}

#[utoipa::path(get, path = "/api/v1/city/assurance-coverage", tag = "disclosure",
    responses((status = 200, body = Vec<egret_store::CoverageYear>, description = "Per fiscal year: latest submissions, published, assured, data points answered and assured"),
              (status = 403, body = crate::error::ErrorBody)))]
pub async fn api_assurance_coverage(
    State(st): State<AppState>,
    auth: Auth,
) -> AppResult<Json<Vec<egret_store::CoverageYear>>> {
    Ok(Json(st.store.assurance_coverage(&auth.principal).await?))
}
