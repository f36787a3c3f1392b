//! Product carbon footprints: an organisation's footprints (record,
//! correct, publish), certification by a qualified body, the public
//! certificate check, and the JSON API.

use askama::Template;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use egret_domain::pcf::{
    BOUNDARIES, CCU_APPROACHES, CertificateInput, DECLARED_UNITS, EmissionFactorSource, GWP_SETS,
    PcfInput, RULE_OPERATORS, STANDARDS, SectorRule, certificate_status,
};
use egret_domain::product_system::{Calculation, EmissionKind, ProcessSource, ProductSystemModel};
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
    /// The optional PACT fields' inputs, prefilled.
    more: MoreFields,
    ccu_approaches: Vec<&'static str>,
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
    /// Land-use change emissions per unit; empty when there are none.
    land_use: String,
    /// Biogenic CO2 uptake per unit (including − excluding); empty when
    /// there is none.
    uptake: String,
    /// The model's library factors and cited secondary datasets.
    sources: Vec<EmissionFactorSource>,
}

/// The inputs of the optional PACT fields as the form shows them.
#[derive(Default)]
pub struct MoreFields {
    land_use: String,
    uptake: String,
    aircraft: String,
    packaging: String,
    outbound: String,
    ccu_carbon: String,
    ccu_approach: String,
    ccu_certification: String,
    /// One rule per line: `operator | rule; rule`.
    rules: String,
    allocation: String,
    /// One source per line: `name | version`.
    sources: String,
}

impl MoreFields {
    /// The descriptions of the version a correction replaces, and the
    /// figures and sources of a calculation.
    fn prefill(replaces: Option<&PcfRecord>, calc: Option<&FromCalculation>) -> MoreFields {
        let mut m = MoreFields::default();
        if let Some(r) = replaces {
            let p = &r.input;
            m.ccu_approach = p.ccu_calculation_approach.clone().unwrap_or_default();
            m.ccu_certification = p.ccu_credit_certification.clone().unwrap_or_default();
            m.rules = rule_lines(&p.product_or_sector_specific_rules);
            m.allocation = p.allocation_rules_description.clone();
            m.sources = source_lines(&p.secondary_emission_factor_sources);
        }
        if let Some(c) = calc {
            m.land_use = c.land_use.clone();
            m.uptake = c.uptake.clone();
            if !c.sources.is_empty() {
                m.sources = source_lines(&c.sources);
            }
        }
        m
    }
}

/// The version a cited dataset without one is given (PACT requires a
/// non-empty `version`).
const UNSPECIFIED_VERSION: &str = "unspecified";

/// One line of the form's text: no line breaks, no `|` that would split it.
fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `name | version` per line.
fn source_lines(sources: &[EmissionFactorSource]) -> String {
    sources
        .iter()
        .map(|s| format!("{} | {}", one_line(&s.name), one_line(&s.version)))
        .collect::<Vec<_>>()
        .join("\n")
}

/// `operator | rule; rule` per line; `Other` is written as the operator's
/// name.
fn rule_lines(rules: &[SectorRule]) -> String {
    rules
        .iter()
        .map(|r| {
            let operator = match (&*r.operator, &r.other_operator_name) {
                ("Other", Some(name)) => one_line(name),
                (op, _) => one_line(op),
            };
            let names: Vec<String> = r.rule_names.iter().map(|n| one_line(n)).collect();
            format!("{operator} | {}", names.join("; "))
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The form's `name | version` lines (the last `|` splits, so a name may
/// hold one); a line without `|` has an empty version, which the domain
/// check reports.
fn parse_sources(text: &str) -> Vec<EmissionFactorSource> {
    let mut out: Vec<EmissionFactorSource> = Vec::new();
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let (name, version) = line.rsplit_once('|').unwrap_or((line, ""));
        let s = EmissionFactorSource {
            name: name.trim().to_string(),
            version: version.trim().to_string(),
        };
        if !out.contains(&s) {
            out.push(s);
        }
    }
    out
}

/// The form's `operator | rule; rule` lines. `PEF` and `EPD International`
/// (in any case) are PACT's operators; `Other` alone is `Other` without a
/// name (which the domain check reports); any other text names an `Other`
/// operator.
fn parse_rules(text: &str) -> Vec<SectorRule> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|line| {
            let (operator, names) = line.split_once('|').unwrap_or((line, ""));
            let operator = operator.trim();
            let known = RULE_OPERATORS
                .iter()
                .find(|o| o.eq_ignore_ascii_case(operator));
            let (operator, other_operator_name) = match known {
                Some(&"Other") => ("Other".to_string(), None),
                Some(o) => (o.to_string(), None),
                None => ("Other".to_string(), Some(operator.to_string())),
            };
            SectorRule {
                operator,
                rule_names: names
                    .split(';')
                    .map(str::trim)
                    .filter(|n| !n.is_empty())
                    .map(str::to_string)
                    .collect(),
                other_operator_name,
            }
        })
        .collect()
}

/// The secondary emission factor sources of a calculated model: each
/// library factor process the calculation used (its source document, else
/// the factor id, with the library version) and each cited secondary
/// dataset (the citation, version [`UNSPECIFIED_VERSION`]); each once, in
/// model order.
fn factor_sources(model: &ProductSystemModel, result: &Calculation) -> Vec<EmissionFactorSource> {
    let mut out: Vec<EmissionFactorSource> = Vec::new();
    for p in &model.processes {
        let unused = result
            .processes
            .iter()
            .any(|s| s.process == p.id && s.scaling.is_zero());
        if unused {
            continue;
        }
        let (name, version) = match &p.source {
            ProcessSource::Factor {
                factor_id,
                library_version,
                document,
            } => (
                if document.trim().is_empty() {
                    factor_id
                } else {
                    document
                },
                library_version.as_str(),
            ),
            ProcessSource::Secondary { citation } => (citation, ""),
            _ => continue,
        };
        let name = one_line(name);
        let version = match one_line(version) {
            v if v.is_empty() => UNSPECIFIED_VERSION.to_string(),
            v => v,
        };
        let s = EmissionFactorSource { name, version };
        if !s.name.is_empty() && !out.contains(&s) {
            out.push(s);
        }
    }
    out
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
    let excluding = per(r.excluding_uptake());
    let including = per(r.score);
    let non_zero = |d: rust_decimal::Decimal| {
        if d.is_zero() {
            String::new()
        } else {
            d.normalize().to_string()
        }
    };
    Ok(FromCalculation {
        declared_unit: declared_unit(unit),
        excluding,
        including,
        fossil: per(r.of_kind(EmissionKind::Fossil)),
        primary: r
            .primary_share(&model)
            .map(|p| p.to_string())
            .unwrap_or_default(),
        land_use: non_zero(per(r.of_kind(EmissionKind::LandUse))),
        // The difference of the two prefilled figures, so that it matches
        // them exactly after rounding.
        uptake: non_zero(including - excluding),
        sources: factor_sources(&model, r),
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
    let more = MoreFields::prefill(replaces.as_ref(), from_calc.as_ref());
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
        more,
        ccu_approaches: CCU_APPROACHES.to_vec(),
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
    // The optional PACT fields (the "more PACT fields" section).
    #[serde(default)]
    land_use_change_ghg_emissions: String,
    #[serde(default)]
    biogenic_co2_uptake: String,
    #[serde(default)]
    aircraft_ghg_emissions: String,
    #[serde(default)]
    packaging_ghg_emissions: String,
    #[serde(default)]
    outbound_logistics_ghg_emissions: String,
    #[serde(default)]
    ccu_carbon_content: String,
    #[serde(default)]
    ccu_calculation_approach: String,
    #[serde(default)]
    ccu_credit_certification: String,
    /// One rule per line: `operator | rule; rule`.
    #[serde(default)]
    product_or_sector_specific_rules: String,
    #[serde(default)]
    allocation_rules_description: String,
    /// One source per line: `name | version`.
    #[serde(default)]
    secondary_emission_factor_sources: String,
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
    let mut opt_num =
        |field: &'static str, raw: &str| (!raw.trim().is_empty()).then(|| num(field, raw));
    let land_use = opt_num(
        "land_use_change_ghg_emissions",
        &f.land_use_change_ghg_emissions,
    );
    let uptake = opt_num("biogenic_co2_uptake", &f.biogenic_co2_uptake);
    let aircraft = opt_num("aircraft_ghg_emissions", &f.aircraft_ghg_emissions);
    let packaging = opt_num("packaging_ghg_emissions", &f.packaging_ghg_emissions);
    let outbound = opt_num(
        "outbound_logistics_ghg_emissions",
        &f.outbound_logistics_ghg_emissions,
    );
    let ccu_carbon = opt_num("ccu_carbon_content", &f.ccu_carbon_content);
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
        land_use_change_ghg_emissions: land_use,
        biogenic_co2_uptake: uptake,
        aircraft_ghg_emissions: aircraft,
        packaging_ghg_emissions: packaging,
        outbound_logistics_ghg_emissions: outbound,
        ccu_carbon_content: ccu_carbon,
        ccu_calculation_approach: opt(&f.ccu_calculation_approach),
        ccu_credit_certification: opt(&f.ccu_credit_certification),
        product_or_sector_specific_rules: parse_rules(&f.product_or_sector_specific_rules),
        allocation_rules_description: f.allocation_rules_description.trim().into(),
        secondary_emission_factor_sources: parse_sources(&f.secondary_emission_factor_sources),
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

#[cfg(test)]
mod tests {
    use super::*;
    use egret_domain::product_system::{Calculation, ProcessModel, ProcessShare};

    fn process(id: &str, source: ProcessSource) -> ProcessModel {
        ProcessModel {
            id: id.into(),
            name: id.into(),
            product: id.into(),
            unit: "kg".into(),
            output: rust_decimal::Decimal::ONE,
            source,
            ..Default::default()
        }
    }

    fn factor(id: &str, document: &str) -> ProcessSource {
        ProcessSource::Factor {
            factor_id: id.into(),
            library_version: "2025.1".into(),
            document: document.into(),
        }
    }

    fn source(name: &str, version: &str) -> EmissionFactorSource {
        EmissionFactorSource {
            name: name.into(),
            version: version.into(),
        }
    }

    #[test]
    fn sources_are_the_used_library_factors_and_cited_datasets_once() {
        let model = ProductSystemModel {
            processes: vec![
                process("module", ProcessSource::Own),
                process(
                    "factor:grid",
                    factor("cn.grid.east.2023", "MEE 2023\nannouncement"),
                ),
                process("factor:steam", factor("cn.steam", "MEE  2023 announcement")),
                process("factor:diesel", factor("cn.diesel", " ")),
                process("factor:unused", factor("cn.unused", "Unused source")),
                process(
                    "glass",
                    ProcessSource::Secondary {
                        citation: "supplier EPD 2025".into(),
                    },
                ),
                process(
                    "frame",
                    ProcessSource::Supplier {
                        pf_id: "x".into(),
                        company: "y".into(),
                        received_id: "z".into(),
                        certificate: None,
                    },
                ),
            ],
            ..Default::default()
        };
        let share = |p: &str, scaling: i64| ProcessShare {
            process: p.into(),
            scaling: scaling.into(),
            direct: rust_decimal::Decimal::ZERO,
        };
        let result = Calculation {
            score: rust_decimal::Decimal::ZERO,
            by_kind: vec![],
            processes: vec![share("factor:grid", 3), share("factor:unused", 0)],
            flows: vec![],
            tree: vec![],
            mc: None,
            engine: String::new(),
        };
        assert_eq!(
            factor_sources(&model, &result),
            [
                source("MEE 2023 announcement", "2025.1"),
                source("cn.diesel", "2025.1"),
                source("supplier EPD 2025", UNSPECIFIED_VERSION),
            ]
        );
    }

    #[test]
    fn the_form_lines_read_back() {
        let sources = vec![source("ecoinvent", "3.9.1"), source("a | b", "1")];
        assert_eq!(parse_sources(&source_lines(&sources)), sources);
        assert_eq!(
            parse_sources(" ecoinvent | 3.9.1 \r\n\r\necoinvent|3.9.1\nGaBi\n"),
            [source("ecoinvent", "3.9.1"), source("GaBi", "")]
        );
        let rules = parse_rules(
            "pef | PEF 1.0; PEF 2.0\nEPD International|PCR 2019:14;\nChina PV Industry Association | PV PCR\nOther | X\n",
        );
        let rule = |op: &str, names: &[&str], other: Option<&str>| SectorRule {
            operator: op.into(),
            rule_names: names.iter().map(|n| n.to_string()).collect(),
            other_operator_name: other.map(str::to_string),
        };
        assert_eq!(
            rules,
            [
                rule("PEF", &["PEF 1.0", "PEF 2.0"], None),
                rule("EPD International", &["PCR 2019:14"], None),
                rule("Other", &["PV PCR"], Some("China PV Industry Association")),
                rule("Other", &["X"], None),
            ]
        );
        assert_eq!(parse_rules(&rule_lines(&rules[..3])), rules[..3]);
    }

    #[test]
    fn a_calculation_prefills_its_figures_and_sources() {
        let calc = FromCalculation {
            calculation: "c1".into(),
            declared_unit: "piece",
            excluding: "412.5".parse().unwrap(),
            including: "410.1".parse().unwrap(),
            fossil: "405".parse().unwrap(),
            primary: String::new(),
            land_use: "1.25".into(),
            uptake: "-2.4".into(),
            sources: vec![source("ecoinvent", "3.9.1"), source("CLCD", "0.8")],
        };
        let m = MoreFields::prefill(None, Some(&calc));
        assert_eq!(m.land_use, "1.25");
        assert_eq!(m.uptake, "-2.4");
        assert_eq!(m.sources, "ecoinvent | 3.9.1\nCLCD | 0.8");
        assert_eq!(m.aircraft, "");
        let m = MoreFields::prefill(None, None);
        assert_eq!((m.sources.as_str(), m.land_use.as_str()), ("", ""));

        // A correction carries the descriptions over; a calculation's
        // sources replace the old ones.
        let mut input = parse_form(&form(&[])).unwrap();
        input.ccu_calculation_approach = Some("Cut-off".into());
        input.allocation_rules_description = "by mass".into();
        input.product_or_sector_specific_rules = parse_rules("PEF | PEF 3.1");
        input.secondary_emission_factor_sources = vec![source("GaBi", "2024")];
        input.aircraft_ghg_emissions = Some("1".parse().unwrap());
        let old = PcfRecord {
            org_id: "o".into(),
            pcf_id: "p".into(),
            product_key: "k".into(),
            version: 1,
            preceding_pcf_id: None,
            digest: input.digest(),
            input,
            created_by: "u".into(),
            created_at: String::new(),
            published_at: None,
            superseded: false,
        };
        let m = MoreFields::prefill(Some(&old), None);
        assert_eq!(
            (
                m.ccu_approach.as_str(),
                m.allocation.as_str(),
                m.rules.as_str(),
                m.sources.as_str(),
                m.aircraft.as_str()
            ),
            ("Cut-off", "by mass", "PEF | PEF 3.1", "GaBi | 2024", "")
        );
        let m = MoreFields::prefill(Some(&old), Some(&calc));
        assert_eq!(m.sources, "ecoinvent | 3.9.1\nCLCD | 0.8");
        assert_eq!(m.rules, "PEF | PEF 3.1");
    }

    /// The footprint form with the required fields and `extra`.
    fn form(extra: &[(&str, &str)]) -> FootprintForm {
        let mut m = serde_json::json!({
            "product_name_zh": "光伏组件",
            "product_id": "urn:pact:test.example:product-id:pv-550",
            "product_description": "550 W module",
            "declared_unit": "piece",
            "declared_unit_amount": "1",
            "product_mass_per_declared_unit": "27.5",
            "boundary": "cradle-to-gate",
            "reference_period_start": "2025-01-01",
            "reference_period_end": "2026-01-01",
            "geography": "CN-FJ",
            "standard": "iso-14067",
            "gwp_set": "AR6",
            "pcf_excluding_biogenic_uptake": "412.5",
            "pcf_including_biogenic_uptake": "410.1",
            "fossil_ghg_emissions": "405",
            "fossil_carbon_content": "0",
            "exempted_emissions_percent": "0.8",
            "packaging_emissions_included": "on"
        });
        for (k, v) in extra {
            m[*k] = serde_json::json!(v);
        }
        serde_json::from_value(m).unwrap()
    }

    #[test]
    fn the_form_reads_the_optional_fields() {
        // Without them the record has none, and its JSON none of their names.
        let p = parse_form(&form(&[])).unwrap();
        assert_eq!(p.validate(), Ok(()));
        let json = serde_json::to_string(&p).unwrap();
        for name in ["land_use", "ccu_", "allocation", "secondary", "aircraft"] {
            assert!(!json.contains(name), "{name}");
        }
        let p = parse_form(&form(&[
            ("land_use_change_ghg_emissions", " 1.25 "),
            ("biogenic_co2_uptake", "-2.4"),
            ("aircraft_ghg_emissions", "0.5"),
            ("packaging_ghg_emissions", "3.3"),
            ("outbound_logistics_ghg_emissions", "6.05"),
            ("ccu_carbon_content", "0.02"),
            ("ccu_calculation_approach", "Credit"),
            ("ccu_credit_certification", "https://registry.example/ccu/1"),
            ("allocation_rules_description", " by mass "),
            ("product_or_sector_specific_rules", "PEF | PEF 3.1\r\n"),
            (
                "secondary_emission_factor_sources",
                "ecoinvent | 3.9.1\r\nCLCD | 0.8",
            ),
        ]))
        .unwrap();
        assert_eq!(p.validate(), Ok(()));
        assert_eq!(
            p.land_use_change_ghg_emissions,
            Some("1.25".parse().unwrap())
        );
        assert_eq!(p.biogenic_co2_uptake, Some("-2.4".parse().unwrap()));
        assert_eq!(p.ccu_calculation_approach.as_deref(), Some("Credit"));
        assert_eq!(p.allocation_rules_description, "by mass");
        assert_eq!(p.product_or_sector_specific_rules.len(), 1);
        assert_eq!(
            p.secondary_emission_factor_sources,
            [source("ecoinvent", "3.9.1"), source("CLCD", "0.8")]
        );
        // A number that is not one names its field.
        let Err(e) = parse_form(&form(&[("aircraft_ghg_emissions", "lots")])) else {
            panic!("accepted");
        };
        assert!(format!("{e:?}").contains("aircraft_ghg_emissions"), "{e:?}");
    }
}
