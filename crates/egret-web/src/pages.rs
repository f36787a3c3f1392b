//! Server-rendered pages. Each handler: extract, call the store, render.

use askama::Template;
use axum::extract::{Multipart, Path, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};
use egret_domain::access::Role;
use egret_domain::org::{ListingInput, OrgInput, Ownership, PeriodInput, SiteInput, SiteKind};
use egret_domain::refdata::ReferenceData;
use egret_domain::size;
use egret_i18n::{Lang, Msg};
use egret_store::{
    ApiTokenInfo, AuditEntry, ImportMode, NewUser, OrgFilter, OrgRecord, Page, PageOf,
    PeriodRecord, RegisterSummary, SiteRecord, User,
};
use serde::Deserialize;

use crate::AppState;
use crate::auth::{Auth, CsrfForm, Ctx, LANG_COOKIE, SESSION_COOKIE, UserCtx, check_token};
use crate::error::{AppError, AppResult};
use crate::view::{PageCtx, safe_next, urlencode};

pub(crate) fn render<T: Template>(t: &T) -> AppResult<Response> {
    t.render().map(|h| Html(h).into_response()).map_err(|e| {
        tracing::error!(error = %e, "template failed");
        AppError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            Msg::new("store-internal"),
        )
    })
}

// ---------------------------------------------------------------- public

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    ctx: PageCtx,
    summary: RegisterSummary,
}

pub async fn home(State(st): State<AppState>, Ctx(ctx, _): Ctx) -> AppResult<Response> {
    let summary = st.store.register_summary().await?;
    render(&HomePage { ctx, summary })
}

pub async fn healthz(State(st): State<AppState>) -> Response {
    match st.store.count_orgs().await {
        Ok(_) => (
            [(header::CONTENT_TYPE, "application/json")],
            format!(
                r#"{{"status":"ok","uptime_seconds":{}}}"#,
                st.started.elapsed().as_secs()
            ),
        )
            .into_response(),
        Err(e) => {
            tracing::error!(error = %e, "health check failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                [(header::CONTENT_TYPE, "application/json")],
                r#"{"status":"unavailable"}"#,
            )
                .into_response()
        }
    }
}

pub async fn metrics(State(st): State<AppState>) -> Response {
    metrics::gauge!("egret_uptime_seconds").set(st.started.elapsed().as_secs_f64());
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        st.metrics.render(),
    )
        .into_response()
}

pub async fn stylesheet() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../static/egret.css"),
    )
        .into_response()
}

#[derive(Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

pub async fn switch_lang(
    Path(lang): Path<String>,
    axum::extract::Query(q): axum::extract::Query<NextQuery>,
    jar: CookieJar,
) -> AppResult<Response> {
    let lang = Lang::parse(&lang).ok_or_else(AppError::not_found)?;
    let cookie = Cookie::build((LANG_COOKIE, lang.tag()))
        .path("/")
        .same_site(SameSite::Lax)
        .permanent()
        .build();
    let next = safe_next(q.next.as_deref());
    Ok((jar.add(cookie), Redirect::to(&next)).into_response())
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    ctx: PageCtx,
    next: String,
    email: String,
    error: Option<String>,
    demo_logins: Vec<(String, String, String)>,
}

fn demo_logins(st: &AppState, ctx: &PageCtx) -> Vec<(String, String, String)> {
    st.config
        .demo_logins
        .iter()
        .map(|(role, email, pw)| {
            let label = role
                .parse::<Role>()
                .map(|r| ctx.t(r.label_key()))
                .unwrap_or_else(|_| role.clone());
            (label, email.clone(), pw.clone())
        })
        .collect()
}

pub async fn login_form(
    State(st): State<AppState>,
    Ctx(ctx, auth): Ctx,
    axum::extract::Query(q): axum::extract::Query<NextQuery>,
) -> AppResult<Response> {
    if auth.is_some() {
        return Ok(Redirect::to(&safe_next(q.next.as_deref())).into_response());
    }
    let logins = demo_logins(&st, &ctx);
    render(&LoginPage {
        next: safe_next(q.next.as_deref()),
        email: String::new(),
        error: None,
        demo_logins: logins,
        ctx,
    })
}

#[derive(Deserialize)]
pub struct LoginForm {
    email: String,
    password: String,
    next: Option<String>,
}

/// Signs in. The login form carries no CSRF token (there is no session
/// yet); the origin guard still refuses cross-site posts.
pub async fn login(
    State(st): State<AppState>,
    Ctx(ctx, _): Ctx,
    jar: CookieJar,
    form: Result<axum::extract::Form<LoginForm>, axum::extract::rejection::FormRejection>,
) -> AppResult<Response> {
    let axum::extract::Form(form) = form?;
    match st.store.authenticate(&form.email, &form.password).await? {
        Some(user) => {
            let (token, _csrf) = st.store.create_session(&user).await?;
            let cookie = Cookie::build((SESSION_COOKIE, token))
                .path("/")
                .http_only(true)
                .secure(st.config.secure_cookies)
                .same_site(SameSite::Lax)
                .build();
            tracing::info!(user = %user.user_id, role = %user.role, "signed in");
            Ok((
                jar.add(cookie),
                Redirect::to(&safe_next(form.next.as_deref())),
            )
                .into_response())
        }
        None => {
            let logins = demo_logins(&st, &ctx);
            let page = LoginPage {
                next: safe_next(form.next.as_deref()),
                email: form.email,
                error: Some(ctx.t("login-failed")),
                demo_logins: logins,
                ctx,
            };
            let mut resp = render(&page)?;
            *resp.status_mut() = StatusCode::UNAUTHORIZED;
            Ok(resp)
        }
    }
}

#[derive(Deserialize)]
pub struct CsrfOnly {
    #[allow(dead_code)]
    csrf: String,
}

pub async fn logout(
    State(st): State<AppState>,
    jar: CookieJar,
    CsrfForm(_, _, _): CsrfForm<CsrfOnly>,
) -> AppResult<Response> {
    if let Some(c) = jar.get(SESSION_COOKIE) {
        st.store.end_session(c.value()).await?;
    }
    let jar = jar.remove(Cookie::build(SESSION_COOKIE).path("/").build());
    Ok((jar, Redirect::to("/")).into_response())
}

// ------------------------------------------------------------ dashboard

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    ctx: PageCtx,
    intro_key: &'static str,
    own_title_key: &'static str,
    own: Vec<OrgRecord>,
    summary: Option<RegisterSummary>,
}

pub async fn dashboard(
    State(st): State<AppState>,
    UserCtx(ctx, auth): UserCtx,
) -> AppResult<Response> {
    let role = auth.user.role;
    let own = match role {
        Role::Enterprise | Role::Assurer => {
            st.store
                .list_orgs(
                    &auth.principal,
                    &OrgFilter::default(),
                    Page::new(Some(1), Some(50)),
                )
                .await?
                .items
        }
        _ => Vec::new(),
    };
    let summary = match role {
        Role::PlatformAdmin | Role::CityGov | Role::Analyst | Role::Bank => {
            Some(st.store.register_summary().await?)
        }
        _ => None,
    };
    let (intro_key, own_title_key) = match role {
        Role::PlatformAdmin => ("dash-intro-admin", "dash-own-orgs"),
        Role::CityGov => ("dash-intro-city", "dash-own-orgs"),
        Role::Analyst => ("dash-intro-analyst", "dash-own-orgs"),
        Role::Bank => ("dash-intro-bank", "dash-own-orgs"),
        Role::Assurer => ("dash-intro-assurer", "dash-engagements"),
        Role::Enterprise => ("dash-intro-enterprise", "dash-own-orgs"),
    };
    render(&DashboardPage {
        ctx,
        intro_key,
        own_title_key,
        own,
        summary,
    })
}

// -------------------------------------------------------- organisations

type Options = Vec<(String, String)>;

fn district_options(ctx: &PageCtx) -> Options {
    ReferenceData::embedded()
        .districts()
        .map(|d| (d.code.clone(), ctx.district_name(&d.code)))
        .collect()
}

fn zone_options(ctx: &PageCtx) -> Options {
    ReferenceData::embedded()
        .zones()
        .map(|z| (z.id.clone(), ctx.zone_name(&z.id)))
        .collect()
}

fn cluster_options(ctx: &PageCtx) -> Options {
    ReferenceData::embedded()
        .clusters()
        .map(|c| (c.id.clone(), ctx.cluster_name(&Some(c.id.clone()))))
        .collect()
}

fn industry_options(ctx: &PageCtx) -> Options {
    ReferenceData::embedded()
        .divisions()
        .map(|d| (d.code.clone(), ctx.industry_name(&d.code)))
        .collect()
}

fn ownership_options(ctx: &PageCtx) -> Options {
    Ownership::ALL
        .iter()
        .map(|o| (o.as_str().to_string(), ctx.t(o.label_key())))
        .collect()
}

#[derive(Template)]
#[template(path = "org_list.html")]
struct OrgListPage {
    ctx: PageCtx,
    f: OrgFilter,
    page: PageOf<OrgRecord>,
    pages: i64,
    count_msg: Msg,
    prev_href: Option<String>,
    next_href: Option<String>,
    districts: Options,
    zones: Options,
    clusters: Options,
    ownerships: Options,
}

/// The list's query string: filters plus paging, all optional. Empty
/// values (from an untouched filter form) mean "no filter".
#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct ListParams {
    q: Option<String>,
    district: Option<String>,
    cluster: Option<String>,
    ownership: Option<String>,
    zone: Option<String>,
    size_class: Option<String>,
    listed: Option<String>,
    sr_mandatory: Option<String>,
    foreign_business: Option<String>,
    page: Option<u32>,
    per_page: Option<u32>,
}

fn opt_bool(v: &Option<String>) -> Option<bool> {
    match v.as_deref() {
        Some("true") => Some(true),
        Some("false") => Some(false),
        _ => None,
    }
}

impl ListParams {
    fn filter(&self) -> OrgFilter {
        let s = |v: &Option<String>| v.clone().filter(|x| !x.trim().is_empty());
        OrgFilter {
            q: s(&self.q),
            district: s(&self.district),
            cluster: s(&self.cluster),
            ownership: s(&self.ownership),
            zone: s(&self.zone),
            size_class: s(&self.size_class),
            listed: opt_bool(&self.listed),
            sr_mandatory: opt_bool(&self.sr_mandatory),
            foreign_business: opt_bool(&self.foreign_business),
        }
    }
}

fn filter_query(f: &OrgFilter, page: u32) -> String {
    let mut parts = Vec::new();
    let mut push = |k: &str, v: &Option<String>| {
        if let Some(v) = v {
            parts.push(format!("{k}={}", urlencode(v)));
        }
    };
    push("q", &f.q);
    push("district", &f.district);
    push("cluster", &f.cluster);
    push("ownership", &f.ownership);
    push("zone", &f.zone);
    push("size_class", &f.size_class);
    push("listed", &f.listed.map(|b| b.to_string()));
    push("sr_mandatory", &f.sr_mandatory.map(|b| b.to_string()));
    push(
        "foreign_business",
        &f.foreign_business.map(|b| b.to_string()),
    );
    parts.push(format!("page={page}"));
    format!("/orgs?{}", parts.join("&"))
}

pub async fn org_list(
    State(st): State<AppState>,
    UserCtx(ctx, auth): UserCtx,
    q: Result<axum::extract::Query<ListParams>, axum::extract::rejection::QueryRejection>,
) -> AppResult<Response> {
    let axum::extract::Query(params) = q?;
    let f = params.filter();
    let page = st
        .store
        .list_orgs(&auth.principal, &f, Page::new(params.page, params.per_page))
        .await?;
    let pages = ((page.total + i64::from(page.per_page) - 1) / i64::from(page.per_page)).max(1);
    let prev_href = (page.page > 1).then(|| filter_query(&f, page.page - 1));
    let next_href = (i64::from(page.page) < pages).then(|| filter_query(&f, page.page + 1));
    render(&OrgListPage {
        count_msg: Msg::new("org-count").arg("count", page.total),
        pages,
        prev_href,
        next_href,
        districts: district_options(&ctx),
        zones: zone_options(&ctx),
        clusters: cluster_options(&ctx),
        ownerships: ownership_options(&ctx),
        f,
        page,
        ctx,
    })
}

#[derive(Template)]
#[template(path = "org_detail.html")]
struct OrgDetailPage {
    ctx: PageCtx,
    o: OrgRecord,
    sites: Vec<SiteRecord>,
    periods: Vec<PeriodRecord>,
    can_write: bool,
    can_audit: bool,
    can_read_data: bool,
    size_reason: String,
    notice: Option<String>,
    site_kinds: Options,
    districts: Options,
}

impl OrgDetailPage {
    fn site_kind_key(&self, kind: &str) -> &'static str {
        kind.parse::<SiteKind>()
            .map(|k| k.label_key())
            .unwrap_or("none")
    }
}

#[derive(Deserialize)]
pub struct NoticeQuery {
    saved: Option<String>,
}

pub async fn org_detail(
    State(st): State<AppState>,
    UserCtx(ctx, auth): UserCtx,
    Path(id): Path<String>,
    axum::extract::Query(nq): axum::extract::Query<NoticeQuery>,
) -> AppResult<Response> {
    let o = st.store.get_org(&auth.principal, &id).await?;
    let sites = st.store.list_sites(&auth.principal, &id).await?;
    let periods = st.store.list_periods(&auth.principal, &id).await?;
    let outcome = size::classify(
        ReferenceData::embedded(),
        &o.profile.industry_code,
        o.profile.employees,
        o.profile
            .revenue_cny
            .map(|y| y / rust_decimal::Decimal::from(10_000)),
        o.profile
            .total_assets_cny
            .map(|y| y / rust_decimal::Decimal::from(10_000)),
    );
    let notice = nq.saved.map(|_| ctx.t("form-saved"));
    render(&OrgDetailPage {
        can_write: auth.principal.can_write_org(&id),
        can_audit: auth.principal.can_read_audit(&id),
        can_read_data: auth.principal.can_read_esg_data(&id),
        size_reason: ctx.m(&outcome.reason),
        site_kinds: SiteKind::ALL
            .iter()
            .map(|k| (k.as_str().to_string(), ctx.t(k.label_key())))
            .collect(),
        districts: district_options(&ctx),
        notice,
        o,
        sites,
        periods,
        ctx,
    })
}

/// The organisation form's fields as text (re-shown on errors).
#[derive(Debug, Default, Deserialize, Clone)]
pub struct OrgFormValues {
    #[serde(default)]
    uscc: String,
    #[serde(default)]
    name_zh: String,
    #[serde(default)]
    name_en: String,
    #[serde(default)]
    industry_code: String,
    #[serde(default)]
    cluster: String,
    #[serde(default)]
    ownership: String,
    #[serde(default)]
    listings: String,
    #[serde(default)]
    indices: String,
    #[serde(default)]
    foreign_business: bool,
    #[serde(default)]
    financial_institution: bool,
    #[serde(default)]
    district: String,
    #[serde(default)]
    zones: Vec<String>,
    #[serde(default)]
    employees: String,
    #[serde(default)]
    revenue_cny: String,
    #[serde(default)]
    total_assets_cny: String,
    #[serde(default)]
    size_basis_year: String,
    #[serde(default)]
    version: String,
}

impl OrgFormValues {
    fn from_record(o: &OrgRecord) -> OrgFormValues {
        let p = &o.profile;
        OrgFormValues {
            uscc: p.uscc.as_str().to_string(),
            name_zh: p.name_zh.clone(),
            name_en: p.name_en.clone().unwrap_or_default(),
            industry_code: p.industry_code.clone(),
            cluster: p.cluster.clone().unwrap_or_default(),
            ownership: p.ownership.as_str().to_string(),
            listings: p
                .listings
                .iter()
                .map(|l| format!("{}:{}", l.exchange.as_str(), l.ticker))
                .collect::<Vec<_>>()
                .join(";"),
            indices: p
                .listings
                .iter()
                .flat_map(|l| l.indices.iter().cloned())
                .collect::<Vec<_>>()
                .join(";"),
            foreign_business: p.foreign_business,
            financial_institution: p.financial_institution,
            district: p.district.clone(),
            zones: p.zones.clone(),
            employees: p.employees.map(|n| n.to_string()).unwrap_or_default(),
            revenue_cny: p.revenue_cny.map(|d| d.to_string()).unwrap_or_default(),
            total_assets_cny: p
                .total_assets_cny
                .map(|d| d.to_string())
                .unwrap_or_default(),
            size_basis_year: p.size_basis_year.map(|y| y.to_string()).unwrap_or_default(),
            version: o.version.to_string(),
        }
    }

    /// Converts to the domain input; number-format problems become field
    /// errors like every other validation failure.
    fn to_input(&self) -> Result<OrgInput, Vec<(String, Msg)>> {
        let mut errors = Vec::new();
        let opt = |s: &str| {
            let s = s.trim();
            (!s.is_empty()).then(|| s.to_string())
        };
        let mut num = |field: &str, s: &str| -> Option<i64> {
            let s = s.trim().replace([',', '，'], "");
            if s.is_empty() {
                return None;
            }
            match s.parse::<i64>() {
                Ok(n) => Some(n),
                Err(_) => {
                    errors.push((
                        field.to_string(),
                        Msg::new("web-error-not-integer").arg("value", &s),
                    ));
                    None
                }
            }
        };
        let employees = num("employees", &self.employees);
        let size_basis_year = num("size_basis_year", &self.size_basis_year);
        let mut dec = |field: &str, s: &str| -> Option<rust_decimal::Decimal> {
            let s = s.trim().replace([',', '，'], "");
            if s.is_empty() {
                return None;
            }
            match s.parse::<rust_decimal::Decimal>() {
                Ok(d) => Some(d),
                Err(_) => {
                    errors.push((
                        field.to_string(),
                        Msg::new("web-error-not-decimal").arg("value", &s),
                    ));
                    None
                }
            }
        };
        let revenue_cny = dec("revenue_cny", &self.revenue_cny);
        let total_assets_cny = dec("total_assets_cny", &self.total_assets_cny);
        let listings = match egret_import::parse_listings(
            &self.listings,
            &self.indices,
            ReferenceData::embedded(),
        ) {
            Ok(l) => l,
            Err(errs) => {
                errors.extend(errs.into_iter().map(|(f, m)| (f.to_string(), m)));
                Vec::<ListingInput>::new()
            }
        };
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(OrgInput {
            uscc: self.uscc.clone(),
            name_zh: self.name_zh.clone(),
            name_en: opt(&self.name_en),
            industry_code: self.industry_code.clone(),
            cluster: opt(&self.cluster),
            ownership: self.ownership.clone(),
            listings,
            foreign_business: self.foreign_business,
            financial_institution: self.financial_institution,
            district: self.district.clone(),
            zones: self.zones.clone(),
            employees,
            revenue_cny,
            total_assets_cny,
            size_basis_year: size_basis_year.and_then(|y| i32::try_from(y).ok()),
        })
    }
}

#[derive(Template)]
#[template(path = "org_form.html")]
struct OrgFormPage {
    ctx: PageCtx,
    title_key: &'static str,
    action: String,
    editing: bool,
    version: String,
    v: OrgFormValues,
    errors: Vec<(String, String)>,
    industries: Options,
    clusters: Options,
    ownerships: Options,
    districts: Options,
    zones: Options,
}

fn org_form(
    ctx: PageCtx,
    action: String,
    editing: bool,
    v: OrgFormValues,
    errors: Vec<(String, Msg)>,
) -> AppResult<Response> {
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = OrgFormPage {
        title_key: if editing { "org-edit" } else { "org-new" },
        action,
        editing,
        version: v.version.clone(),
        errors: errors.iter().map(|(f, m)| (f.clone(), ctx.m(m))).collect(),
        industries: industry_options(&ctx),
        clusters: cluster_options(&ctx),
        ownerships: ownership_options(&ctx),
        districts: district_options(&ctx),
        zones: zone_options(&ctx),
        v,
        ctx,
    };
    let mut resp = render(&page)?;
    *resp.status_mut() = status;
    Ok(resp)
}

pub async fn org_new_form(UserCtx(ctx, auth): UserCtx) -> AppResult<Response> {
    if !auth.principal.can_register_orgs() {
        return Err(AppError::forbidden());
    }
    let v = OrgFormValues {
        ownership: "private".into(),
        district: "350206".into(),
        ..Default::default()
    };
    org_form(ctx, "/orgs".into(), false, v, vec![])
}

fn validate_form(v: &OrgFormValues) -> Result<egret_domain::org::OrgProfile, Vec<(String, Msg)>> {
    let input = v.to_input()?;
    input
        .validate(ReferenceData::embedded())
        .map_err(|errs| errs.into_iter().map(|e| (e.field, e.msg)).collect())
}

pub async fn org_create(
    State(st): State<AppState>,
    CsrfForm(ctx, auth, v): CsrfForm<OrgFormValues>,
) -> AppResult<Response> {
    if !auth.principal.can_register_orgs() {
        return Err(AppError::forbidden());
    }
    let profile = match validate_form(&v) {
        Ok(p) => p,
        Err(errors) => return org_form(ctx, "/orgs".into(), false, v, errors),
    };
    match st.store.create_org(&auth.principal, &profile).await {
        Ok(rec) => Ok(Redirect::to(&format!("/orgs/{}?saved=1", rec.org_id)).into_response()),
        Err(egret_store::StoreError::Conflict(m)) => {
            org_form(ctx, "/orgs".into(), false, v, vec![("uscc".into(), m)])
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn org_edit_form(
    State(st): State<AppState>,
    UserCtx(ctx, auth): UserCtx,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let o = st.store.get_org(&auth.principal, &id).await?;
    if !auth.principal.can_write_org(&id) {
        return Err(AppError::forbidden());
    }
    org_form(
        ctx,
        format!("/orgs/{id}"),
        true,
        OrgFormValues::from_record(&o),
        vec![],
    )
}

pub async fn org_update(
    State(st): State<AppState>,
    Path(id): Path<String>,
    CsrfForm(ctx, auth, v): CsrfForm<OrgFormValues>,
) -> AppResult<Response> {
    st.store.get_org(&auth.principal, &id).await?;
    if !auth.principal.can_write_org(&id) {
        return Err(AppError::forbidden());
    }
    let profile = match validate_form(&v) {
        Ok(p) => p,
        Err(errors) => return org_form(ctx, format!("/orgs/{id}"), true, v, errors),
    };
    let version = v.version.trim().parse::<i64>().ok();
    match st
        .store
        .update_org(&auth.principal, &id, version, &profile)
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/orgs/{id}?saved=1")).into_response()),
        Err(egret_store::StoreError::Conflict(m)) => org_form(
            ctx,
            format!("/orgs/{id}"),
            true,
            v,
            vec![("version".into(), m)],
        ),
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct SiteForm {
    name_zh: String,
    #[serde(default)]
    name_en: String,
    kind: String,
    district: String,
    #[serde(default)]
    address: String,
    #[serde(default)]
    zone: String,
}

pub async fn site_create(
    State(st): State<AppState>,
    Path(id): Path<String>,
    CsrfForm(_, auth, f): CsrfForm<SiteForm>,
) -> AppResult<Response> {
    let opt = |s: String| (!s.trim().is_empty()).then_some(s);
    let input = SiteInput {
        name_zh: f.name_zh,
        name_en: opt(f.name_en),
        kind: f.kind,
        district: f.district,
        address: opt(f.address),
        zone: opt(f.zone),
    };
    st.store.add_site(&auth.principal, &id, &input).await?;
    Ok(Redirect::to(&format!("/orgs/{id}?saved=1")).into_response())
}

#[derive(Deserialize)]
pub struct PeriodForm {
    fiscal_year: String,
    #[serde(default)]
    start: String,
    #[serde(default)]
    end: String,
}

pub async fn period_create(
    State(st): State<AppState>,
    Path(id): Path<String>,
    CsrfForm(_, auth, f): CsrfForm<PeriodForm>,
) -> AppResult<Response> {
    let year: i32 = f.fiscal_year.trim().parse().map_err(|_| {
        AppError::invalid(vec![egret_domain::org::FieldError {
            field: "fiscal_year".into(),
            msg: Msg::new("web-error-not-integer").arg("value", &f.fiscal_year),
        }])
    })?;
    let date = |field: &str, s: &str| -> AppResult<Option<chrono::NaiveDate>> {
        if s.trim().is_empty() {
            return Ok(None);
        }
        s.trim().parse().map(Some).map_err(|_| {
            AppError::invalid(vec![egret_domain::org::FieldError {
                field: field.into(),
                msg: Msg::new("web-error-not-date").arg("value", s),
            }])
        })
    };
    let calendar = PeriodInput::calendar(year);
    let input = PeriodInput {
        fiscal_year: year,
        start: date("start", &f.start)?.unwrap_or(calendar.start),
        end: date("end", &f.end)?.unwrap_or(calendar.end),
    };
    st.store.add_period(&auth.principal, &id, &input).await?;
    Ok(Redirect::to(&format!("/orgs/{id}?saved=1")).into_response())
}

#[derive(Template)]
#[template(path = "org_audit.html")]
struct AuditPage {
    ctx: PageCtx,
    o: OrgRecord,
    entries: Vec<AuditEntry>,
}

impl AuditPage {
    /// The fields an entry changed, as `field: before → after` lines.
    fn changes_of(&self, e: &AuditEntry) -> Vec<String> {
        use serde_json::Value;
        let empty = serde_json::Map::new();
        let obj = |v: &Option<Value>| v.as_ref().and_then(Value::as_object).cloned();
        let before = obj(&e.before).unwrap_or_else(|| empty.clone());
        let after = obj(&e.after).unwrap_or(empty);
        let mut keys: Vec<&String> = before.keys().chain(after.keys()).collect();
        keys.sort();
        keys.dedup();
        keys.into_iter()
            .filter(|k| before.get(*k) != after.get(*k))
            .map(|k| {
                let show =
                    |v: Option<&Value>| v.map(Value::to_string).unwrap_or_else(|| "—".into());
                format!("{k}: {} → {}", show(before.get(k)), show(after.get(k)))
            })
            .collect()
    }
}

pub async fn org_audit(
    State(st): State<AppState>,
    UserCtx(ctx, auth): UserCtx,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let o = st.store.get_org(&auth.principal, &id).await?;
    let entries = st.store.audit_for_org(&auth.principal, &id, 500).await?;
    render(&AuditPage { ctx, o, entries })
}

// --------------------------------------------------------------- import

struct ImportView {
    committed: bool,
    summary: String,
    rows: Vec<(usize, String, String)>,
}

#[derive(Template)]
#[template(path = "import.html")]
struct ImportPage {
    ctx: PageCtx,
    result: Option<ImportView>,
}

pub async fn import_form(UserCtx(ctx, auth): UserCtx) -> AppResult<Response> {
    if !auth.principal.can_register_orgs() {
        return Err(AppError::forbidden());
    }
    render(&ImportPage { ctx, result: None })
}

pub async fn import_upload(
    State(st): State<AppState>,
    UserCtx(ctx, auth): UserCtx,
    mut multipart: Multipart,
) -> AppResult<Response> {
    let mut csrf = None;
    let mut file: Option<(String, Vec<u8>)> = None;
    let mut mode = ImportMode::AllOrNothing;
    let mut dry_run = false;
    let bad_upload = |e: axum::extract::multipart::MultipartError| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            crate::error::too_large()
        } else {
            AppError::bad_request(Msg::new("web-error-form").arg("detail", e.body_text()))
        }
    };
    while let Some(field) = multipart.next_field().await.map_err(bad_upload)? {
        match field.name().unwrap_or_default() {
            "csrf" => csrf = Some(field.text().await.map_err(bad_upload)?),
            "mode" => {
                let skip = field.text().await.map_err(bad_upload)? == "skip";
                mode = if skip {
                    ImportMode::SkipBad
                } else {
                    ImportMode::AllOrNothing
                };
            }
            "dry_run" => dry_run = field.text().await.map_err(bad_upload)? == "true",
            "file" => {
                let name = field.file_name().unwrap_or("upload").to_string();
                file = Some((name, field.bytes().await.map_err(bad_upload)?.to_vec()));
            }
            _ => {}
        }
    }
    check_token(csrf.as_deref(), &auth)?;
    if !auth.principal.can_register_orgs() {
        return Err(AppError::forbidden());
    }
    let (name, bytes) = file.ok_or_else(|| AppError::bad_request(Msg::new("upload-no-file")))?;
    let view = run_import(&st, &auth, &ctx, &name, &bytes, mode, dry_run).await?;
    let status = if view.committed || dry_run && view.rows.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let mut resp = render(&ImportPage {
        ctx,
        result: Some(view),
    })?;
    *resp.status_mut() = status;
    Ok(resp)
}

async fn run_import(
    st: &AppState,
    auth: &Auth,
    ctx: &PageCtx,
    name: &str,
    bytes: &[u8],
    mode: ImportMode,
    dry_run: bool,
) -> AppResult<ImportView> {
    let rd = ReferenceData::embedded();
    let parsed = if name.to_lowercase().ends_with(".xlsx") {
        egret_import::read_orgs_xlsx(bytes, rd)
    } else {
        egret_import::read_orgs_csv(bytes, rd)
    };
    let mut rows: Vec<(usize, String, String)> = parsed
        .errors
        .iter()
        .map(|e| (e.row, e.column.clone().unwrap_or_default(), ctx.m(&e.msg)))
        .collect();
    let good: Vec<(usize, egret_domain::org::OrgProfile)> =
        parsed.rows.into_iter().map(|r| (r.row, r.org)).collect();
    if dry_run || (!rows.is_empty() && mode == ImportMode::AllOrNothing) {
        let summary = if dry_run {
            Msg::new("upload-dry-summary")
                .arg("file", name)
                .arg("good", good.len())
                .arg("bad", rows.len())
        } else {
            Msg::new("upload-refused")
                .arg("file", name)
                .arg("bad", rows.len())
        };
        return Ok(ImportView {
            committed: false,
            summary: ctx.m(&summary),
            rows,
        });
    }
    let report = st.store.import_orgs(&auth.principal, &good, mode).await?;
    rows.extend(
        report
            .refused
            .iter()
            .map(|(row, m)| (*row, "uscc".to_string(), ctx.m(m))),
    );
    rows.sort_by_key(|r| r.0);
    let summary = if report.committed {
        Msg::new("upload-done")
            .arg("file", name)
            .arg("created", report.created.len())
            .arg("skipped", rows.len())
    } else {
        Msg::new("upload-refused")
            .arg("file", name)
            .arg("bad", rows.len())
    };
    Ok(ImportView {
        committed: report.committed,
        summary: ctx.m(&summary),
        rows,
    })
}

// -------------------------------------------------------------- account

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    ctx: PageCtx,
    tokens: Vec<ApiTokenInfo>,
    new_secret: Option<String>,
}

pub async fn account(
    State(st): State<AppState>,
    UserCtx(ctx, auth): UserCtx,
) -> AppResult<Response> {
    let tokens = st.store.list_api_tokens(&auth.principal).await?;
    render(&AccountPage {
        ctx,
        tokens,
        new_secret: None,
    })
}

#[derive(Deserialize)]
pub struct TokenForm {
    name: String,
}

pub async fn token_create(
    State(st): State<AppState>,
    CsrfForm(ctx, auth, f): CsrfForm<TokenForm>,
) -> AppResult<Response> {
    let (secret, _) = st.store.create_api_token(&auth.principal, &f.name).await?;
    let tokens = st.store.list_api_tokens(&auth.principal).await?;
    render(&AccountPage {
        ctx,
        tokens,
        new_secret: Some(secret),
    })
}

pub async fn token_revoke(
    State(st): State<AppState>,
    Path(id): Path<String>,
    CsrfForm(_, auth, _): CsrfForm<CsrfOnly>,
) -> AppResult<Response> {
    st.store.revoke_api_token(&auth.principal, &id).await?;
    st.bank.forget_tokens();
    Ok(Redirect::to("/account").into_response())
}

// ---------------------------------------------------------------- users

#[derive(Template)]
#[template(path = "users.html")]
struct UsersPage {
    ctx: PageCtx,
    users: Vec<User>,
    roles: Options,
    notice: Option<String>,
    error: Option<String>,
}

async fn users_page(
    st: &AppState,
    ctx: PageCtx,
    auth: &Auth,
    notice: Option<String>,
    error: Option<String>,
) -> AppResult<Response> {
    let users = st.store.list_users(&auth.principal).await?;
    let roles = Role::ALL
        .iter()
        .map(|r| (r.as_str().to_string(), ctx.t(r.label_key())))
        .collect();
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let mut resp = render(&UsersPage {
        ctx,
        users,
        roles,
        notice,
        error,
    })?;
    *resp.status_mut() = status;
    Ok(resp)
}

pub async fn users(State(st): State<AppState>, UserCtx(ctx, auth): UserCtx) -> AppResult<Response> {
    users_page(&st, ctx, &auth, None, None).await
}

#[derive(Deserialize)]
pub struct UserForm {
    display_name: String,
    email: String,
    role: String,
    password: String,
    #[serde(default)]
    orgs: String,
}

pub async fn user_create(
    State(st): State<AppState>,
    CsrfForm(ctx, auth, f): CsrfForm<UserForm>,
) -> AppResult<Response> {
    if !auth.principal.can_manage_users() {
        return Err(AppError::forbidden());
    }
    let role: Role = match f.role.parse() {
        Ok(r) => r,
        Err(_) => {
            let e = ctx.m(&Msg::new("web-error-role").arg("role", &f.role));
            return users_page(&st, ctx, &auth, None, Some(e)).await;
        }
    };
    // Organisations are given by credit code, comma or space separated.
    let mut orgs = Vec::new();
    for code in f
        .orgs
        .split([',', ' ', ';', '\n'])
        .filter(|s| !s.trim().is_empty())
    {
        match st
            .store
            .find_org_by_uscc(&auth.principal, code.trim())
            .await
        {
            Ok(o) => orgs.push(o.org_id),
            Err(e) => {
                let msg = ctx.m(&e.msg());
                return users_page(&st, ctx, &auth, None, Some(msg)).await;
            }
        }
    }
    let new = NewUser {
        email: f.email,
        display_name: f.display_name,
        role,
        password: f.password,
        orgs,
    };
    match st.store.create_user(&auth.principal, &new).await {
        Ok(_) => {
            let n = ctx.m(&Msg::new("user-created").arg("email", &new.email));
            users_page(&st, ctx, &auth, Some(n), None).await
        }
        Err(egret_store::StoreError::Conflict(m)) => {
            let e = ctx.m(&m);
            users_page(&st, ctx, &auth, None, Some(e)).await
        }
        Err(e) => Err(e.into()),
    }
}
