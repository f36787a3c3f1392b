//! Carbon inventory pages and API: activity entry, calculation runs with
//! drill-down from totals to records to factors to their sources, and the
//! public factor library.

use std::collections::BTreeMap;

use askama::Template;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use egret_carbon::calc::Category;
use egret_carbon::library::{Factor, Library, Origin};
use egret_domain::refdata::ReferenceData;
use egret_i18n::Lang;
use egret_store::{
    ActivityInput, ActivityRecord, FactorInput, FactorOwner, GasInput, OrgRecord, ResultRecord,
    RunRecord, Source,
};
use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::json;

use crate::AppState;
use crate::api::ApiJson;
use crate::auth::{Auth, CsrfForm, UserCtx};
use crate::error::{AppError, AppResult};
use crate::pages::render;
use crate::view::PageCtx;

fn num(d: Decimal) -> String {
    egret_domain::value::group_thousands(&d.round_dp(3).normalize().to_string())
}

fn lib() -> &'static Library {
    Library::embedded()
}

// ------------------------------------------------------------------ pages

pub struct RunView {
    run_id: String,
    gwp: String,
    library_version: String,
    computed_by: String,
    computed_at: String,
    scope1: String,
    scope2_location: String,
    scope2_market: String,
    scope3: String,
}

pub struct ResultView {
    category: String,
    activity_id: String,
    quantity: String,
    unit: String,
    factor: String,
    co2e: String,
    market: String,
    gases: String,
}

pub struct ActivityView {
    id: String,
    category: String,
    description: String,
    quantity: String,
    unit: String,
    factor: String,
    instrument: String,
    entered: String,
}

#[derive(Template)]
#[template(path = "carbon.html")]
struct CarbonPage {
    ctx: PageCtx,
    o: OrgRecord,
    year: i32,
    years: Vec<i32>,
    run: Option<RunView>,
    /// (description, quantity, unit) of the period's production outputs.
    outputs: Vec<(String, String, String)>,
    /// (label, value, unit) indicators: intensity, year-over-year change.
    indicators: Vec<(String, String, String)>,
    by_category: Vec<(String, String)>,
    by_gas: Vec<(String, String)>,
    by_site: Vec<(String, String)>,
    results: Vec<ResultView>,
    activities: Vec<ActivityView>,
    categories: Vec<(String, String)>,
    factors: Vec<(String, String)>,
    own_factors: Vec<FactorView>,
    units: Vec<String>,
    sites: Vec<(String, String)>,
    can_write: bool,
    notice: Option<String>,
}

impl CarbonPage {
    /// Where the own-factor form posts.
    fn factor_action(&self) -> String {
        format!("/orgs/{}/carbon/factors", self.o.org_id)
    }
}

#[derive(Deserialize)]
pub struct YearQuery {
    year: Option<i32>,
    saved: Option<String>,
}

fn category_name(code: &str, lang: Lang) -> String {
    Category::parse(code).map_or_else(|| code.to_string(), |c| c.name(lang))
}

fn run_view(r: &RunRecord) -> RunView {
    RunView {
        run_id: r.run_id.clone(),
        gwp: r.gwp_set.to_uppercase(),
        library_version: r.library_version.clone(),
        computed_by: r.computed_by.clone(),
        computed_at: r.computed_at.clone(),
        scope1: num(r.scope1_t),
        scope2_location: num(r.scope2_location_t),
        scope2_market: num(r.scope2_market_t),
        scope3: num(r.scope3_t),
    }
}

fn result_view(r: &ResultRecord, lang: Lang) -> ResultView {
    ResultView {
        category: category_name(&r.category, lang),
        activity_id: r.activity_id.clone(),
        quantity: num(r.quantity),
        unit: r.unit.clone(),
        factor: r.factor.clone(),
        co2e: num(r.co2e_t),
        market: r.co2e_market_t.map(num).unwrap_or_default(),
        gases: r.gases.clone(),
    }
}

fn activity_view(a: &ActivityRecord, ctx: &PageCtx) -> ActivityView {
    ActivityView {
        id: a.activity_id.clone(),
        category: category_name(&a.category, ctx.lang),
        description: a.description.clone().unwrap_or_default(),
        quantity: num(a.quantity),
        unit: a.unit.clone(),
        factor: a.factor.clone(),
        instrument: match a.instrument.as_deref() {
            Some("gec") => ctx.t("inv-instrument-gec"),
            Some("green_power") => ctx.t("inv-instrument-green-power"),
            Some(other) => other.to_string(),
            None => String::new(),
        },
        entered: format!("{} · {} · v{}", a.entered_by, a.entered_at, a.version),
    }
}

pub async fn carbon_page(
    State(st): State<AppState>,
    UserCtx(ctx, auth): UserCtx,
    Path(id): Path<String>,
    Query(q): Query<YearQuery>,
) -> AppResult<Response> {
    let org = st.store.get_org(&auth.principal, &id).await?;
    if !auth.principal.can_read_esg_data(&id) {
        return Err(AppError::forbidden());
    }
    let periods = st.store.list_periods(&auth.principal, &id).await?;
    let period = match q.year {
        Some(y) => periods.iter().find(|p| p.fiscal_year == y),
        None => periods.first(),
    }
    .ok_or_else(AppError::not_found)?
    .clone();
    let lang = ctx.lang;
    let activities = st
        .store
        .list_activities(&auth.principal, &id, &period.period_id)
        .await?;
    let runs = st
        .store
        .carbon_runs(&auth.principal, &id, &period.period_id)
        .await?;
    let site_list = st.store.list_sites(&auth.principal, &id).await?;
    let site_name = |sid: &Option<String>| match sid {
        Some(sid) => site_list
            .iter()
            .find(|s| &s.site_id == sid)
            .map(|s| match (lang, &s.name_en) {
                (Lang::En, Some(en)) => en.clone(),
                _ => s.name_zh.clone(),
            })
            .unwrap_or_else(|| sid.clone()),
        None => ctx.t("inv-org-level"),
    };
    let outputs = st
        .store
        .list_outputs(&auth.principal, &id, &period.period_id)
        .await?;
    let mut indicators = Vec::new();
    let (run, by_category, by_gas, by_site, results) = match runs.first() {
        Some(r) => {
            let res = st
                .store
                .carbon_results(&auth.principal, &id, &r.run_id)
                .await?;
            let cats = egret_store::by_category(&res)
                .into_iter()
                .map(|(c, v)| (category_name(&c, lang), num(v)))
                .collect();
            let mut gases: BTreeMap<String, Decimal> = BTreeMap::new();
            let mut sites: BTreeMap<String, Decimal> = BTreeMap::new();
            for x in &res {
                for part in x.gases.split(';').filter(|p| !p.is_empty()) {
                    if let Some((g, t)) = part.split_once('=')
                        && let Ok(t) = t.parse::<Decimal>()
                    {
                        *gases.entry(g.to_string()).or_default() += t;
                    }
                }
                *sites.entry(site_name(&x.site_id)).or_default() += x.co2e_t;
            }
            let total12 = r.scope1_t + r.scope2_location_t;
            // Intensity per 10,000 yuan of the period's reported revenue.
            let values = st
                .store
                .list_values(&auth.principal, &id, &period.period_id)
                .await?;
            let rates = st
                .store
                .period_rates(&auth.principal, ReferenceData::embedded(), &period)
                .await?;
            let revenue = values
                .iter()
                .find(|v| v.datapoint == "finance.revenue" && v.breakdown.is_empty())
                .and_then(|v| match &v.answer {
                    egret_domain::value::Answer::Value(val) => match rates.to_cny(val) {
                        Some(Ok((cny, _))) => Some(cny),
                        Some(Err(_)) => None,
                        None => val.in_unit(ReferenceData::embedded(), "CNY"),
                    },
                    _ => None,
                });
            if let Some(i) = revenue.and_then(|rev| {
                egret_carbon::calc::intensity_per_revenue(
                    ReferenceData::embedded(),
                    total12,
                    rev,
                    "CNY",
                )
            }) {
                indicators.push((
                    ctx.t("inv-intensity-revenue"),
                    i.round_dp(4).normalize().to_string(),
                    "tCO2e/万元".to_string(),
                ));
            }
            // Intensity per unit of each recorded output.
            for o in &outputs {
                indicators.push((
                    format!("{} · {}", ctx.t("inv-intensity-output"), o.description),
                    (total12 / o.quantity).round_dp(6).normalize().to_string(),
                    format!("tCO2e/{}", o.unit),
                ));
            }
            // Year-over-year change against the prior year's latest run.
            if let Some(prior) = periods
                .iter()
                .find(|p| p.fiscal_year == period.fiscal_year - 1)
            {
                let prior_runs = st
                    .store
                    .carbon_runs(&auth.principal, &id, &prior.period_id)
                    .await?;
                if let Some(pr) = prior_runs.first() {
                    for (label, now, before) in [
                        (
                            "inv-yoy-scope12",
                            total12,
                            pr.scope1_t + pr.scope2_location_t,
                        ),
                        (
                            "inv-yoy-scope2-market",
                            r.scope2_market_t,
                            pr.scope2_market_t,
                        ),
                    ] {
                        if let Some(pct) = egret_carbon::calc::yoy_change_pct(now, before) {
                            indicators.push((ctx.t(label), pct.to_string(), "%".into()));
                        }
                    }
                }
            }
            (
                Some(run_view(r)),
                cats,
                gases.into_iter().map(|(g, t)| (g, num(t))).collect(),
                sites.into_iter().map(|(s, t)| (s, num(t))).collect(),
                res.iter().map(|x| result_view(x, lang)).collect(),
            )
        }
        None => (None, Vec::new(), Vec::new(), Vec::new(), Vec::new()),
    };
    let sites = site_list
        .iter()
        .map(|s| {
            let n = match (lang, &s.name_en) {
                (Lang::En, Some(en)) => en.clone(),
                _ => s.name_zh.clone(),
            };
            (s.site_id.clone(), n)
        })
        .collect();
    let own = st.store.org_factors(&auth.principal, &id).await?;
    let added: Vec<Factor> = st
        .store
        .city_factors()
        .await?
        .into_iter()
        .chain(own.clone())
        .collect();
    let units = activity_units();
    let page = CarbonPage {
        year: period.fiscal_year,
        years: periods.iter().map(|p| p.fiscal_year).collect(),
        run,
        outputs: outputs
            .iter()
            .map(|o| (o.description.clone(), num(o.quantity), o.unit.clone()))
            .collect(),
        indicators,
        by_category,
        by_gas,
        by_site,
        results,
        activities: activities.iter().map(|a| activity_view(a, &ctx)).collect(),
        categories: Category::all()
            .map(|c| (c.code().to_string(), c.name(lang)))
            .collect(),
        factors: added
            .iter()
            .chain(lib().factors())
            .map(|f| (f.id.clone(), format!("{} · {}", f.name(lang), f.id)))
            .collect(),
        own_factors: own.iter().map(|f| factor_view(f, lang)).collect(),
        units,
        sites,
        can_write: auth.principal.can_write_org(&id),
        notice: q.saved.map(|_| ctx.t("form-saved")),
        o: org,
        ctx,
    };
    render(&page)
}

async fn period_id(
    st: &AppState,
    auth: &Auth,
    id: &str,
    year: i32,
) -> AppResult<egret_store::PeriodRecord> {
    Ok(st.store.period_for_year(&auth.principal, id, year).await?)
}

/// Units activity data and factors are usually given in.
fn activity_units() -> Vec<String> {
    let rd = ReferenceData::embedded();
    [
        "energy",
        "mass",
        "volume",
        "distance",
        "freight",
        "passenger_transport",
        "currency_cny",
    ]
    .iter()
    .flat_map(|d| rd.units_of(d).map(|u| u.code.clone()))
    .collect()
}

/// A number typed in a form, or an error naming the field.
fn number(field: &str, raw: &str) -> AppResult<Decimal> {
    egret_domain::value::parse_decimal(raw)
        .map_err(|m| AppError::invalid(vec![egret_domain::org::FieldError::new(field, m)]))
}

fn carbon_href(id: &str, year: i32) -> String {
    format!("/orgs/{id}/carbon?year={year}&saved=1")
}

#[derive(Deserialize)]
pub struct ActivityForm {
    category: String,
    #[serde(default)]
    description: String,
    quantity: String,
    unit: String,
    factor: String,
    #[serde(default)]
    site_id: String,
    #[serde(default)]
    instrument: String,
}

pub async fn activity_save(
    State(st): State<AppState>,
    Path((id, year)): Path<(String, i32)>,
    CsrfForm(_, auth, f): CsrfForm<ActivityForm>,
) -> AppResult<Response> {
    let p = period_id(&st, &auth, &id, year).await?;
    let quantity = number("quantity", &f.quantity)?;
    let opt = |s: &str| (!s.trim().is_empty()).then(|| s.trim().to_string());
    st.store
        .put_activities(
            &auth.principal,
            &id,
            &p.period_id,
            &[ActivityInput {
                activity_id: None,
                site_id: opt(&f.site_id),
                category: f.category,
                description: opt(&f.description),
                quantity,
                unit: f.unit,
                factor: f.factor,
                instrument: opt(&f.instrument),
                market_factor: None,
            }],
            &Source::Manual,
        )
        .await?;
    Ok(Redirect::to(&carbon_href(&id, year)).into_response())
}

/// Uploads activity data from a CSV or XLSX file (the batch columns). All
/// rows are stored or none; every problem names its row and column.
pub async fn activity_import(
    State(st): State<AppState>,
    UserCtx(_, auth): UserCtx,
    Path((id, year)): Path<(String, i32)>,
    mp: axum::extract::Multipart,
) -> AppResult<Response> {
    let (fields, file) = crate::data_pages::multipart_fields(mp).await?;
    crate::auth::check_token(fields.get("csrf").map(String::as_str), &auth)?;
    let (fname, _, bytes) =
        file.ok_or_else(|| AppError::bad_request(egret_i18n::Msg::new("upload-no-file")))?;
    let p = period_id(&st, &auth, &id, year).await?;
    let at = |row: usize, column: &str| format!("{fname}: row {row}, {column}");
    let rows = egret_import::activities::read_activities(&bytes).map_err(|errs| {
        AppError::invalid(
            errs.into_iter()
                .map(|e| {
                    egret_domain::org::FieldError::new(
                        at(e.row, e.column.as_deref().unwrap_or("—")),
                        e.msg,
                    )
                })
                .collect(),
        )
    })?;
    // Sites by id or name.
    let sites = st.store.list_sites(&auth.principal, &id).await?;
    let site = |s: &Option<String>| {
        s.as_ref().map(|s| {
            sites
                .iter()
                .find(|x| &x.site_id == s || &x.name_zh == s || x.name_en.as_ref() == Some(s))
                .map_or_else(|| s.clone(), |x| x.site_id.clone())
        })
    };
    let inputs: Vec<ActivityInput> = rows
        .iter()
        .map(|r| ActivityInput {
            activity_id: r.id.clone(),
            site_id: site(&r.site),
            category: r.category.clone(),
            description: r.description.clone(),
            quantity: r.quantity,
            unit: r.unit.clone(),
            factor: r.factor.clone(),
            instrument: r.instrument.clone(),
            market_factor: r.market_factor.clone(),
        })
        .collect();
    let source = Source::Import {
        file: fname.clone(),
    };
    match st
        .store
        .put_activities(&auth.principal, &id, &p.period_id, &inputs, &source)
        .await
    {
        Ok(_) => Ok(Redirect::to(&carbon_href(&id, year)).into_response()),
        // The store names `activities[i].field`: point at the file's row.
        Err(egret_store::StoreError::Invalid(errs)) => Err(AppError::invalid(
            errs.into_iter()
                .map(|e| {
                    let (i, field) = e
                        .field
                        .strip_prefix("activities[")
                        .and_then(|r| r.split_once("]."))
                        .and_then(|(i, f)| Some((i.parse::<usize>().ok()?, f.to_string())))
                        .unwrap_or((usize::MAX, e.field.clone()));
                    let row = rows.get(i).map_or(0, |r| r.row);
                    egret_domain::org::FieldError::new(at(row, &field), e.msg)
                })
                .collect(),
        )),
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct EmptyForm {}

pub async fn activity_delete(
    State(st): State<AppState>,
    Path((id, year, activity)): Path<(String, i32, String)>,
    CsrfForm(_, auth, _f): CsrfForm<EmptyForm>,
) -> AppResult<Response> {
    let p = period_id(&st, &auth, &id, year).await?;
    st.store
        .delete_activity(&auth.principal, &id, &p.period_id, &activity)
        .await?;
    Ok(Redirect::to(&carbon_href(&id, year)).into_response())
}

#[derive(Deserialize)]
pub struct OutputForm {
    description: String,
    quantity: String,
    unit: String,
}

/// Records a production output (for intensity per unit of output).
pub async fn output_add(
    State(st): State<AppState>,
    Path((id, year)): Path<(String, i32)>,
    CsrfForm(_, auth, f): CsrfForm<OutputForm>,
) -> AppResult<Response> {
    let p = period_id(&st, &auth, &id, year).await?;
    let quantity = number("quantity", &f.quantity)?;
    st.store
        .add_output(
            &auth.principal,
            &id,
            &p.period_id,
            &f.description,
            quantity,
            &f.unit,
        )
        .await?;
    Ok(Redirect::to(&carbon_href(&id, year)).into_response())
}

#[derive(Deserialize)]
pub struct CalculateForm {
    gwp: String,
}

pub async fn calculate(
    State(st): State<AppState>,
    Path((id, year)): Path<(String, i32)>,
    CsrfForm(_, auth, f): CsrfForm<CalculateForm>,
) -> AppResult<Response> {
    let p = period_id(&st, &auth, &id, year).await?;
    st.store
        .calculate_inventory(&auth.principal, &p, &f.gwp)
        .await?;
    Ok(Redirect::to(&carbon_href(&id, year)).into_response())
}

// ----------------------------------------------------------- factor pages

pub struct FactorView {
    id: String,
    name: String,
    family: String,
    region: String,
    year: String,
    method: String,
    per_unit: String,
    confidence: String,
    source: String,
    reference: String,
    valid: String,
    origin: String,
    /// (gas, value, unit, confidence, source)
    gases: Vec<(String, String, String, String, String)>,
    derivation: Option<String>,
}

fn confidence(c: egret_domain::refdata::Confidence) -> &'static str {
    match c {
        egret_domain::refdata::Confidence::High => "H",
        egret_domain::refdata::Confidence::Medium => "M",
        egret_domain::refdata::Confidence::Low => "L",
    }
}

fn factor_view(f: &Factor, lang: Lang) -> FactorView {
    FactorView {
        id: f.id.clone(),
        name: f.name(lang).to_string(),
        family: f.family.clone(),
        region: f.region.clone(),
        year: f.year.map(|y| y.to_string()).unwrap_or_else(|| "—".into()),
        method: format!("{:?}", f.method).to_lowercase(),
        per_unit: f.per_unit.clone(),
        confidence: confidence(f.confidence).into(),
        source: f.source.clone(),
        reference: f.reference.clone(),
        valid: match (&f.valid_from, &f.valid_to) {
            (None, None) => String::new(),
            (a, b) => format!(
                "{} – {}",
                a.as_deref().unwrap_or("…"),
                b.as_deref().unwrap_or("…")
            ),
        },
        origin: match &f.origin {
            Origin::Shipped { version } => format!("data/carbon {version}"),
            Origin::Added { by } => by.clone(),
        },
        gases: f
            .gases
            .iter()
            .map(|g| {
                (
                    g.gas.clone(),
                    g.value.normalize().to_string(),
                    format!("{}/{}", g.unit, f.per_unit),
                    confidence(g.confidence).into(),
                    g.source.clone(),
                )
            })
            .collect(),
        derivation: f.derivation.as_ref().map(|d| {
            format!(
                "{} GJ/{} × {} tC/GJ × {}% × 44/12",
                d.ncv_gj.normalize(),
                f.per_unit,
                d.carbon_tc_per_gj.normalize(),
                d.oxidation_pct.normalize()
            )
        }),
    }
}

#[derive(Template)]
#[template(path = "factors.html")]
struct FactorsPage {
    ctx: PageCtx,
    version: String,
    q: String,
    /// (id, name, family, region, year, gases, confidence)
    factors: Vec<(String, String, String, String, String, String, String)>,
    can_add: bool,
    units: Vec<String>,
}

#[derive(Deserialize)]
pub struct SearchQuery {
    q: Option<String>,
}

fn matches(f: &Factor, q: &str) -> bool {
    let q = q.to_lowercase();
    q.is_empty()
        || [&f.id, &f.name_zh, &f.name_en, &f.family, &f.region]
            .iter()
            .any(|s| s.to_lowercase().contains(&q))
}

pub async fn factors_page(
    State(st): State<AppState>,
    crate::auth::Ctx(ctx, auth): crate::auth::Ctx,
    Query(q): Query<SearchQuery>,
) -> AppResult<Response> {
    let query = q.q.unwrap_or_default();
    let lang = ctx.lang;
    let city = st.store.city_factors().await?;
    let factors = city
        .iter()
        .chain(lib().factors())
        .filter(|f| matches(f, query.trim()))
        .map(|f| {
            (
                f.id.clone(),
                f.name(lang).to_string(),
                f.family.clone(),
                f.region.clone(),
                f.year.map(|y| y.to_string()).unwrap_or_default(),
                f.gases
                    .iter()
                    .map(|g| {
                        format!(
                            "{} {} {}/{}",
                            g.gas,
                            g.value.normalize(),
                            g.unit,
                            f.per_unit
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("; "),
                confidence(f.confidence).to_string(),
            )
        })
        .collect();
    render(&FactorsPage {
        version: lib().version.clone(),
        q: query,
        factors,
        can_add: auth
            .as_ref()
            .is_some_and(|a| a.principal.can_manage_reference_data()),
        units: activity_units(),
        ctx,
    })
}

#[derive(Template)]
#[template(path = "factor.html")]
struct FactorPage {
    ctx: PageCtx,
    f: FactorView,
}

pub async fn factor_page(
    State(st): State<AppState>,
    crate::auth::Ctx(ctx, _): crate::auth::Ctx,
    Path(fid): Path<String>,
) -> AppResult<Response> {
    let f = match lib().get(&fid) {
        Some(f) => f.clone(),
        None => st
            .store
            .city_factors()
            .await?
            .into_iter()
            .find(|f| f.id == fid)
            .ok_or_else(AppError::not_found)?,
    };
    render(&FactorPage {
        f: factor_view(&f, ctx.lang),
        ctx,
    })
}

#[derive(Deserialize)]
pub struct FactorForm {
    id: String,
    name_zh: String,
    #[serde(default)]
    name_en: String,
    per_unit: String,
    gas: String,
    value: String,
    gas_unit: String,
    source: String,
    #[serde(default)]
    supplier_electricity: Option<String>,
    #[serde(default)]
    valid_from: String,
    #[serde(default)]
    valid_to: String,
}

impl FactorForm {
    fn input(self) -> AppResult<FactorInput> {
        let value = number("value", &self.value)?;
        Ok(FactorInput {
            id: self.id,
            name_zh: self.name_zh,
            name_en: self.name_en,
            per_unit: self.per_unit,
            gases: vec![GasInput {
                gas: self.gas,
                value,
                unit: self.gas_unit,
            }],
            source: self.source,
            year: None,
            supplier_electricity: self.supplier_electricity.is_some(),
            valid_from: Some(self.valid_from).filter(|d| !d.trim().is_empty()),
            valid_to: Some(self.valid_to).filter(|d| !d.trim().is_empty()),
        })
    }
}

/// An organisation adds its own factor (e.g. a supplier's).
pub async fn org_factor_add(
    State(st): State<AppState>,
    Path(id): Path<String>,
    CsrfForm(_, auth, f): CsrfForm<FactorForm>,
) -> AppResult<Response> {
    let input = f.input()?;
    st.store
        .add_factor(&auth.principal, FactorOwner::Org(&id), &input)
        .await?;
    Ok(Redirect::to(&format!("/orgs/{id}/carbon?saved=1#own-factors")).into_response())
}

/// The city adds a factor for everyone.
pub async fn city_factor_add(
    State(st): State<AppState>,
    CsrfForm(_, auth, f): CsrfForm<FactorForm>,
) -> AppResult<Response> {
    let input = f.input()?;
    let added = st
        .store
        .add_factor(&auth.principal, FactorOwner::City, &input)
        .await?;
    Ok(Redirect::to(&format!("/carbon/factors/{}", added.id)).into_response())
}

// -------------------------------------------------------------------- API

#[utoipa::path(get, path = "/api/v1/carbon/factors", tag = "carbon",
    responses((status = 200, description = "Every factor of the library with its gases, unit, source and confidence")))]
pub async fn api_factors(State(st): State<AppState>) -> AppResult<Json<serde_json::Value>> {
    let city = st.store.city_factors().await?;
    Ok(Json(json!({
        "version": lib().version,
        "factors": city.iter().chain(lib().factors()).collect::<Vec<_>>(),
    })))
}

#[utoipa::path(get, path = "/api/v1/carbon/factors/{factor}", tag = "carbon",
    params(("factor" = String, Path, description = "Factor id")),
    responses((status = 200, description = "One factor, with derivation inputs where derived"), (status = 404, body = crate::error::ErrorBody)))]
pub async fn api_factor(Path(fid): Path<String>) -> AppResult<Json<serde_json::Value>> {
    let f = lib().get(&fid).ok_or_else(AppError::not_found)?;
    Ok(Json(json!(f)))
}

#[utoipa::path(get, path = "/api/v1/organizations/{id}/periods/{year}/activities", tag = "carbon",
    params(("id" = String, Path), ("year" = i32, Path)),
    responses((status = 200, body = Vec<ActivityRecord>), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
pub async fn api_activities(
    State(st): State<AppState>,
    auth: Auth,
    Path((id, year)): Path<(String, i32)>,
) -> AppResult<Json<Vec<ActivityRecord>>> {
    let p = period_id(&st, &auth, &id, year).await?;
    Ok(Json(
        st.store
            .list_activities(&auth.principal, &id, &p.period_id)
            .await?,
    ))
}

/// Activities to store.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActivitiesBody {
    activities: Vec<ActivityInput>,
}

#[utoipa::path(put, path = "/api/v1/organizations/{id}/periods/{year}/activities", tag = "carbon",
    params(("id" = String, Path), ("year" = i32, Path)),
    request_body = ActivitiesBody,
    responses((status = 200, description = "The ids of the stored activities"), (status = 403, body = crate::error::ErrorBody),
              (status = 404, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn api_put_activities(
    State(st): State<AppState>,
    auth: Auth,
    Path((id, year)): Path<(String, i32)>,
    ApiJson(body): ApiJson<ActivitiesBody>,
) -> AppResult<Json<serde_json::Value>> {
    let p = period_id(&st, &auth, &id, year).await?;
    let ids = st
        .store
        .put_activities(
            &auth.principal,
            &id,
            &p.period_id,
            &body.activities,
            &Source::Manual,
        )
        .await?;
    Ok(Json(json!({ "ids": ids })))
}

/// Which GWP set to calculate with.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CalculateBody {
    /// ar4, ar5 or ar6 (default ar6).
    #[serde(default)]
    gwp: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/organizations/{id}/periods/{year}/inventory", tag = "carbon",
    params(("id" = String, Path), ("year" = i32, Path)),
    request_body = CalculateBody,
    responses((status = 200, body = RunRecord, description = "The new run; its totals are written to the ghg.* data points"),
              (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn api_calculate(
    State(st): State<AppState>,
    auth: Auth,
    Path((id, year)): Path<(String, i32)>,
    ApiJson(body): ApiJson<CalculateBody>,
) -> AppResult<Json<RunRecord>> {
    let p = period_id(&st, &auth, &id, year).await?;
    Ok(Json(
        st.store
            .calculate_inventory(&auth.principal, &p, body.gwp.as_deref().unwrap_or("ar6"))
            .await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/organizations/{id}/periods/{year}/inventory", tag = "carbon",
    params(("id" = String, Path), ("year" = i32, Path)),
    responses((status = 200, description = "The latest run and its per-record results (each naming its factor); run is null before the first calculation"),
              (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
pub async fn api_inventory(
    State(st): State<AppState>,
    auth: Auth,
    Path((id, year)): Path<(String, i32)>,
) -> AppResult<Json<serde_json::Value>> {
    let p = period_id(&st, &auth, &id, year).await?;
    let runs = st
        .store
        .carbon_runs(&auth.principal, &id, &p.period_id)
        .await?;
    let outputs = st
        .store
        .list_outputs(&auth.principal, &id, &p.period_id)
        .await?;
    let Some(run) = runs.first() else {
        return Ok(Json(
            json!({ "run": null, "results": [], "outputs": outputs }),
        ));
    };
    let results = st
        .store
        .carbon_results(&auth.principal, &id, &run.run_id)
        .await?;
    let total12 = run.scope1_t + run.scope2_location_t;
    let intensities: Vec<_> = outputs
        .iter()
        .map(|o| {
            json!({
                "output": o.description, "unit": format!("tCO2e/{}", o.unit),
                "value": (total12 / o.quantity).round_dp(6).normalize().to_string(),
            })
        })
        .collect();
    Ok(Json(json!({
        "run": run, "results": results, "outputs": outputs,
        "intensity_per_output": intensities,
    })))
}

#[utoipa::path(get, path = "/api/v1/organizations/{id}/factors", tag = "carbon",
    params(("id" = String, Path)),
    responses((status = 200, description = "The organisation's own emission factors"), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
pub async fn api_org_factors(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Json<serde_json::Value>> {
    Ok(Json(json!(
        st.store.org_factors(&auth.principal, &id).await?
    )))
}

#[utoipa::path(post, path = "/api/v1/organizations/{id}/factors", tag = "carbon",
    params(("id" = String, Path)),
    request_body = FactorInput,
    responses((status = 200, description = "The added factor"), (status = 403, body = crate::error::ErrorBody),
              (status = 404, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn api_add_org_factor(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<FactorInput>,
) -> AppResult<Json<serde_json::Value>> {
    let f = st
        .store
        .add_factor(&auth.principal, FactorOwner::Org(&id), &body)
        .await?;
    Ok(Json(json!(f)))
}

#[utoipa::path(post, path = "/api/v1/carbon/factors", tag = "carbon",
    request_body = FactorInput,
    responses((status = 200, description = "The added city factor"), (status = 403, body = crate::error::ErrorBody),
              (status = 422, body = crate::error::ErrorBody)))]
pub async fn api_add_city_factor(
    State(st): State<AppState>,
    auth: Auth,
    ApiJson(body): ApiJson<FactorInput>,
) -> AppResult<Json<serde_json::Value>> {
    let f = st
        .store
        .add_factor(&auth.principal, FactorOwner::City, &body)
        .await?;
    Ok(Json(json!(f)))
}
