//! Product carbon footprints: an organisation's footprints (record,
//! correct, publish), certification by a qualified body, the public
//! certificate check, and the JSON API.

use askama::Template;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use egret_domain::pcf::{
    BOUNDARIES, CertificateInput, DECLARED_UNITS, GWP_SETS, PcfInput, STANDARDS, certificate_status,
};
use egret_store::{CertificateRecord, PcfRecord};
use serde::Deserialize;

use crate::AppState;
use crate::api::ApiJson;
use crate::auth::{Auth, CsrfForm, Ctx, UserCtx};
use crate::error::{AppError, AppResult};
use crate::pages::render;
use crate::view::{PageCtx, by_lang};

fn standard_name(id: &str) -> &str {
    STANDARDS
        .iter()
        .find(|(s, _)| *s == id)
        .map_or(id, |(_, n)| n)
}

pub struct PcfView {
    rec: PcfRecord,
    name: String,
    standards: String,
    certificates: Vec<CertificateRecord>,
}

#[derive(Template)]
#[template(path = "footprints.html")]
struct FootprintsPage {
    ctx: PageCtx,
    org_id: String,
    org_name: String,
    footprints: Vec<PcfView>,
    can_write: bool,
    can_certify: bool,
    units: Vec<&'static str>,
    boundaries: Vec<&'static str>,
    gwp_sets: Vec<&'static str>,
    standards: Vec<(&'static str, &'static str)>,
    /// The version a correction replaces (from `?replace=`).
    replaces: Option<PcfRecord>,
    /// Values from a calculation (from `?calculation=`).
    from_calc: Option<FromCalculation>,
}

/// A footprint's figures taken from a stored calculation, per one unit of
/// the reference product (declared unit amount 1).
pub struct FromCalculation {
    calculation: String,
    declared_unit: &'static str,
    excluding: rust_decimal::Decimal,
    including: rust_decimal::Decimal,
    fossil: rust_decimal::Decimal,
    primary: String,
}

/// The PACT declared unit for a process unit, where one matches.
fn declared_unit(unit: &str) -> &'static str {
    let u = unit.trim();
    if let Some(d) = DECLARED_UNITS.iter().find(|d| d.eq_ignore_ascii_case(u)) {
        return d;
    }
    match u {
        "kg" | "公斤" | "千克" => "kilogram",
        "l" | "L" | "升" => "liter",
        "m3" | "立方米" => "cubic meter",
        "kWh" | "kwh" | "千瓦时" => "kilowatt hour",
        "MJ" => "megajoule",
        "tkm" | "t*km" => "ton kilometer",
        "m2" | "平方米" => "square meter",
        "h" | "小时" => "hour",
        _ => "piece",
    }
}

async fn from_calculation(
    st: &AppState,
    auth: &Auth,
    org: &str,
    calc: &str,
) -> AppResult<FromCalculation> {
    let c = st
        .store
        .calculation(&auth.principal, org, calc)
        .await?
        .ok_or_else(AppError::not_found)?;
    let model = st
        .store
        .product_system(&auth.principal, org, &c.system_id, Some(c.version))
        .await?
        .ok_or_else(AppError::not_found)?
        .model;
    let per = |v: rust_decimal::Decimal| (v / model.amount).round_dp(6).normalize();
    let r = &c.result;
    let unit = model
        .producer(&model.reference_product)
        .map(|p| p.unit.as_str())
        .unwrap_or_default();
    Ok(FromCalculation {
        declared_unit: declared_unit(unit),
        excluding: per(r.excluding_uptake()),
        including: per(r.score),
        fossil: per(r.of_kind(egret_domain::product_system::EmissionKind::Fossil)),
        primary: r
            .primary_share(&model)
            .map(|p| p.to_string())
            .unwrap_or_default(),
        calculation: c.calculation_id,
    })
}

#[derive(Deserialize)]
pub struct FootprintsQuery {
    #[serde(default)]
    replace: Option<String>,
    #[serde(default)]
    calculation: Option<String>,
}

pub async fn footprints_page(
    State(st): State<AppState>,
    UserCtx(ctx, auth): UserCtx,
    Path(id): Path<String>,
    Query(q): Query<FootprintsQuery>,
) -> AppResult<Response> {
    let org = st.store.get_org(&auth.principal, &id).await?;
    let certs = st.store.certificates_of(&id).await?;
    let footprints = st
        .store
        .pcfs_of(&auth.principal, &id)
        .await?
        .into_iter()
        .map(|rec| PcfView {
            name: by_lang(
                ctx.lang,
                &rec.input.product_name_zh,
                rec.input
                    .product_name_en
                    .as_deref()
                    .unwrap_or(&rec.input.product_name_zh),
            )
            .to_string(),
            standards: rec
                .input
                .standards
                .iter()
                .map(|s| standard_name(s))
                .collect::<Vec<_>>()
                .join(", "),
            certificates: certs
                .iter()
                .filter(|c| c.pcf_id == rec.pcf_id)
                .cloned()
                .collect(),
            rec,
        })
        .collect::<Vec<_>>();
    let from_calc = match q.calculation.as_deref() {
        Some(c) if auth.principal.can_write_org(&id) => {
            Some(from_calculation(&st, &auth, &id, c).await?)
        }
        _ => None,
    };
    let replaces = match q.replace {
        Some(p) => Some(st.store.pcf(&auth.principal, &id, &p).await?),
        None => None,
    };
    render(&FootprintsPage {
        org_name: by_lang(
            ctx.lang,
            &org.profile.name_zh,
            org.profile
                .name_en
                .as_deref()
                .unwrap_or(&org.profile.name_zh),
        )
        .to_string(),
        can_write: auth.principal.can_write_org(&id),
        can_certify: auth.principal.role == egret_domain::access::Role::Assurer
            && auth.principal.is_bound_to(&id),
        org_id: id,
        footprints,
        units: DECLARED_UNITS.to_vec(),
        boundaries: BOUNDARIES.to_vec(),
        gwp_sets: GWP_SETS.to_vec(),
        standards: STANDARDS.to_vec(),
        replaces,
        from_calc,
        ctx,
    })
}

/// The footprint form: one product id, classification and standard; the
/// API takes lists.
#[derive(Deserialize)]
pub struct FootprintForm {
    product_name_zh: String,
    #[serde(default)]
    product_name_en: String,
    product_id: String,
    #[serde(default)]
    classification: String,
    product_description: String,
    declared_unit: String,
    declared_unit_amount: String,
    product_mass_per_declared_unit: String,
    boundary: String,
    reference_period_start: String,
    reference_period_end: String,
    geography: String,
    standard: String,
    gwp_set: String,
    pcf_excluding_biogenic_uptake: String,
    pcf_including_biogenic_uptake: String,
    fossil_ghg_emissions: String,
    fossil_carbon_content: String,
    #[serde(default)]
    biogenic_carbon_content: String,
    exempted_emissions_percent: String,
    #[serde(default)]
    exempted_emissions_description: String,
    #[serde(default)]
    packaging_emissions_included: Option<String>,
    #[serde(default)]
    primary_data_share: String,
    #[serde(default)]
    comment: String,
    #[serde(default)]
    replaces: String,
    /// `lca:<calculation id>` when the figures come from a calculation.
    #[serde(default)]
    calculation: String,
}

fn parse_form(f: &FootprintForm) -> Result<PcfInput, AppError> {
    let mut errors = Vec::new();
    let mut num = |field: &'static str, raw: &str| {
        egret_domain::value::parse_decimal(raw).unwrap_or_else(|m| {
            errors.push(egret_domain::FieldError::new(field, m));
            Default::default()
        })
    };
    let declared_unit_amount = num("declared_unit_amount", &f.declared_unit_amount);
    let product_mass = num(
        "product_mass_per_declared_unit",
        &f.product_mass_per_declared_unit,
    );
    let excl = num(
        "pcf_excluding_biogenic_uptake",
        &f.pcf_excluding_biogenic_uptake,
    );
    let incl = num(
        "pcf_including_biogenic_uptake",
        &f.pcf_including_biogenic_uptake,
    );
    let fossil = num("fossil_ghg_emissions", &f.fossil_ghg_emissions);
    let fossil_c = num("fossil_carbon_content", &f.fossil_carbon_content);
    let exempted = num("exempted_emissions_percent", &f.exempted_emissions_percent);
    let biogenic = (!f.biogenic_carbon_content.trim().is_empty())
        .then(|| num("biogenic_carbon_content", &f.biogenic_carbon_content));
    let primary = (!f.primary_data_share.trim().is_empty())
        .then(|| num("primary_data_share", &f.primary_data_share));
    let mut date = |field: &'static str, raw: &str| {
        raw.trim().parse().unwrap_or_else(|_| {
            errors.push(egret_domain::FieldError::new(
                field,
                egret_i18n::Msg::new("store-bank-date").arg("value", raw.trim()),
            ));
            chrono::NaiveDate::default()
        })
    };
    let start = date("reference_period_start", &f.reference_period_start);
    let end = date("reference_period_end", &f.reference_period_end);
    if !errors.is_empty() {
        return Err(AppError::invalid(errors));
    }
    let opt = |s: &str| (!s.trim().is_empty()).then(|| s.trim().to_string());
    Ok(PcfInput {
        product_name_zh: f.product_name_zh.trim().into(),
        product_name_en: opt(&f.product_name_en),
        product_ids: vec![f.product_id.trim().into()],
        product_classifications: opt(&f.classification).into_iter().collect(),
        product_description: f.product_description.trim().into(),
        declared_unit: f.declared_unit.clone(),
        declared_unit_amount,
        product_mass_per_declared_unit: product_mass,
        boundary: f.boundary.clone(),
        reference_period_start: start,
        reference_period_end: end,
        geography: f.geography.trim().into(),
        standards: vec![f.standard.clone()],
        gwp_set: f.gwp_set.clone(),
        pcf_excluding_biogenic_uptake: excl,
        pcf_including_biogenic_uptake: incl,
        fossil_ghg_emissions: fossil,
        fossil_carbon_content: fossil_c,
        biogenic_carbon_content: biogenic,
        exempted_emissions_percent: exempted,
        exempted_emissions_description: f.exempted_emissions_description.trim().into(),
        packaging_emissions_included: f.packaging_emissions_included.is_some(),
        primary_data_share: primary,
        dqi: None,
        calculation: if f.calculation.trim().is_empty() {
            "manual".into()
        } else {
            f.calculation.trim().into()
        },
        comment: f.comment.trim().into(),
    })
}

pub async fn footprint_create(
    State(st): State<AppState>,
    Path(id): Path<String>,
    CsrfForm(_, auth, f): CsrfForm<FootprintForm>,
) -> AppResult<Response> {
    let input = parse_form(&f)?;
    let replaces = (!f.replaces.trim().is_empty()).then(|| f.replaces.trim().to_string());
    st.store
        .create_pcf(&auth.principal, &id, &input, replaces.as_deref())
        .await?;
    Ok(Redirect::to(&format!("/orgs/{id}/footprints")).into_response())
}

#[derive(Deserialize)]
pub struct Empty {}

pub async fn footprint_publish(
    State(st): State<AppState>,
    Path((id, pcf)): Path<(String, String)>,
    CsrfForm(_, auth, _f): CsrfForm<Empty>,
) -> AppResult<Response> {
    st.store.publish_pcf(&auth.principal, &id, &pcf).await?;
    Ok(Redirect::to(&format!("/orgs/{id}/footprints")).into_response())
}

#[derive(Deserialize)]
pub struct CertifyForm {
    number: String,
    standard: String,
    scope: String,
    valid_from: String,
    valid_to: String,
    statement: String,
}

pub async fn footprint_certify(
    State(st): State<AppState>,
    Path((id, pcf)): Path<(String, String)>,
    CsrfForm(_, auth, f): CsrfForm<CertifyForm>,
) -> AppResult<Response> {
    let day = |field: &'static str, raw: &str| {
        raw.trim().parse::<chrono::NaiveDate>().map_err(|_| {
            AppError::invalid(vec![egret_domain::FieldError::new(
                field,
                egret_i18n::Msg::new("store-bank-date").arg("value", raw.trim()),
            )])
        })
    };
    let input = CertificateInput {
        number: f.number.trim().into(),
        standard: f.standard,
        scope: f.scope,
        valid_from: day("valid_from", &f.valid_from)?,
        valid_to: day("valid_to", &f.valid_to)?,
        statement: f.statement,
    };
    let c = st
        .store
        .certify_pcf(&auth.principal, &id, &pcf, &input)
        .await?;
    Ok(Redirect::to(&format!("/certificates/{}", c.digest)).into_response())
}

#[derive(Template)]
#[template(path = "certificate.html")]
struct CertificatePage {
    ctx: PageCtx,
    digest: String,
    /// valid | expired | not-yet-valid | mismatch | unknown
    status: &'static str,
    status_text: String,
    cert: Option<CertificateRecord>,
    pcf: Option<PcfRecord>,
    product: String,
    standard: String,
}

#[derive(Deserialize)]
pub struct CheckQuery {
    #[serde(default)]
    digest: Option<String>,
}

/// The public certificate check: `/certificates?digest=` redirects to the
/// certificate's page.
pub async fn certificate_check(Query(q): Query<CheckQuery>) -> Response {
    match q.digest.as_deref().map(str::trim).filter(|d| !d.is_empty()) {
        Some(d) => {
            Redirect::to(&format!("/certificates/{}", crate::view::urlencode(d))).into_response()
        }
        None => Redirect::to("/certificates/-").into_response(),
    }
}

pub async fn certificate_page(
    State(st): State<AppState>,
    Ctx(ctx, _): Ctx,
    Path(digest): Path<String>,
) -> AppResult<Response> {
    let found = if digest.len() == 64 && digest.bytes().all(|b| b.is_ascii_hexdigit()) {
        st.store.certificate_by_digest(&digest).await?
    } else {
        None
    };
    let today = chrono::Utc::now().date_naive();
    let (status, cert, pcf) = match found {
        None => ("unknown", None, None),
        Some((c, p, false)) => ("mismatch", Some(c), Some(p)),
        Some((c, p, true)) => (
            certificate_status(c.certificate.valid_from, c.certificate.valid_to, today),
            Some(c),
            Some(p),
        ),
    };
    let product = pcf
        .as_ref()
        .map(|p| {
            by_lang(
                ctx.lang,
                &p.input.product_name_zh,
                p.input
                    .product_name_en
                    .as_deref()
                    .unwrap_or(&p.input.product_name_zh),
            )
            .to_string()
        })
        .unwrap_or_default();
    let standard = cert
        .as_ref()
        .map(|c| standard_name(&c.certificate.standard).to_string())
        .unwrap_or_default();
    let code = if status == "unknown" && digest != "-" {
        StatusCode::NOT_FOUND
    } else {
        StatusCode::OK
    };
    let page = render(&CertificatePage {
        status_text: ctx.t(&format!("cert-status-{status}")),
        ctx,
        digest,
        status,
        cert,
        pcf,
        product,
        standard,
    })?;
    Ok((code, page).into_response())
}

/// An organisation's footprints (every version for its staff and
/// assurers; published ones for others).
#[utoipa::path(get, path = "/api/v1/organizations/{id}/footprints", tag = "footprints",
    params(("id" = String, Path)),
    responses((status = 200, description = "Footprint versions, newest first: pcf_id, product_key, version, preceding_pcf_id, input (the declared footprint, kgCO2e per declared unit), digest, published_at, superseded")))]
pub async fn api_footprints(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Json<Vec<PcfRecord>>> {
    st.store.get_org(&auth.principal, &id).await?;
    Ok(Json(st.store.pcfs_of(&auth.principal, &id).await?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewFootprint {
    footprint: PcfInput,
    #[serde(default)]
    replaces: Option<String>,
}

/// Records a footprint version (`replaces`: the version it corrects).
#[utoipa::path(post, path = "/api/v1/organizations/{id}/footprints", tag = "footprints",
    params(("id" = String, Path)),
    request_body(content = serde_json::Value, description = "{footprint: {...PcfInput}, replaces?: pcf_id}"),
    responses((status = 201, description = "The stored version"), (status = 422, body = crate::error::ErrorBody)))]
pub async fn api_create_footprint(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<NewFootprint>,
) -> AppResult<Response> {
    let rec = st
        .store
        .create_pcf(
            &auth.principal,
            &id,
            &body.footprint,
            body.replaces.as_deref(),
        )
        .await?;
    Ok((StatusCode::CREATED, Json(rec)).into_response())
}
