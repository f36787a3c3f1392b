//! Pages for ESG data collection: entering and reviewing values per
//! organisation, period and catalog, evidence, completeness, and the
//! spreadsheet round trip.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use egret_domain::catalog::{Catalog, Catalogs, DataPoint, ReportingDuty, ValueKind};
use egret_domain::checks::Severity;
use egret_domain::completeness::{Completeness, ReqStatus, completeness};
use egret_domain::refdata::ReferenceData;
use egret_domain::value::{Answer, Value, entry_units};
use egret_i18n::{Lang, Msg};
use egret_import::datasheet;
use egret_store::{OrgRecord, PeriodRecord, Source, ValueInput, ValueRecord};
use serde::Deserialize;

use crate::AppState;
use crate::auth::{Auth, CsrfForm, UserCtx, check_token};
use crate::error::{AppError, AppResult};
use crate::pages::render;
use crate::view::{PageCtx, by_lang, urlencode};

/// The catalog to show: the one asked for, else the first one the
/// organisation must report under, else the city's lightweight standard.
pub fn pick_catalog<'a>(
    cats: &'a Catalogs,
    asked: Option<&str>,
    org: &OrgRecord,
) -> AppResult<&'a Catalog> {
    let rd = ReferenceData::embedded();
    if let Some(k) = asked.filter(|k| !k.is_empty()) {
        return cats.catalog(k).ok_or_else(AppError::not_found);
    }
    cats.catalogs()
        .find(|c| c.duty(&org.profile, rd) == ReportingDuty::Mandatory)
        .or_else(|| {
            cats.catalogs()
                .find(|c| c.duty(&org.profile, rd) == ReportingDuty::Encouraged)
        })
        .or_else(|| cats.catalogs().next())
        .ok_or_else(AppError::not_found)
}

async fn period(
    st: &AppState,
    auth: &Auth,
    org_id: &str,
    year: Option<i32>,
) -> AppResult<PeriodRecord> {
    let periods = st.store.list_periods(&auth.principal, org_id).await?;
    match year {
        Some(y) => periods
            .into_iter()
            .find(|p| p.fiscal_year == y)
            .ok_or_else(AppError::not_found),
        None => periods.into_iter().next().ok_or_else(AppError::not_found),
    }
}

/// The members of a data point's breakdowns, as (key, label).
fn breakdown_members(
    cats: &Catalogs,
    dp: &DataPoint,
    sites: &[(String, String)],
    lang: Lang,
) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for b in dp.breakdowns.iter().filter_map(|b| cats.breakdown(b)) {
        let bname = by_lang(lang, &b.name_zh, &b.name_en);
        if b.dynamic.as_deref() == Some("sites") {
            for (id, sname) in sites {
                out.push((format!("{}:{id}", b.id), format!("{bname}: {sname}")));
            }
        } else {
            for m in &b.members {
                out.push((
                    format!("{}:{}", b.id, m.code),
                    format!("{bname}: {}", by_lang(lang, &m.name_zh, &m.name_en)),
                ));
            }
        }
    }
    out
}

/// One answerable line (a data point total or one breakdown member).
pub struct Line {
    pub breakdown: String,
    pub label: String,
    pub answer: String,
    pub value_input: String,
    pub unit: String,
    pub display: String,
    pub reason: String,
    pub comment: String,
    pub status: String,
    pub provenance: String,
    pub evidence: Vec<String>,
    pub prior: String,
}

pub struct Row {
    pub reference: String,
    pub obligation: String,
    pub status: ReqStatus,
    pub dp_id: String,
    pub dp_name: String,
    pub dp_help: String,
    pub kind: ValueKind,
    pub units: Vec<(String, String)>,
    pub choices: Vec<(String, String)>,
    pub served_by: Vec<String>,
    pub total: Line,
    pub parts: Vec<Line>,
}

pub struct SectionView {
    pub id: String,
    pub name: String,
    pub rows: Vec<Row>,
}

#[derive(Template)]
#[template(path = "data.html")]
struct DataPage {
    ctx: PageCtx,
    o: OrgRecord,
    year: i32,
    years: Vec<i32>,
    catalog_key: String,
    catalog_name: String,
    catalogs: Vec<(String, String, String)>,
    duty: String,
    percent: String,
    counts: egret_domain::completeness::Counts,
    sections: Vec<SectionView>,
    findings: Vec<(String, String, String)>,
    /// Currencies in use or with an own rate: (code, name, rate, source).
    fx: Vec<(String, String, String, String)>,
    currencies: Vec<(String, String)>,
    can_write: bool,
    notice: Option<String>,
}

impl DataPage {
    fn status_label(&self, s: &ReqStatus) -> String {
        self.ctx.t(s.label_key())
    }
    fn status_code(&self, s: &ReqStatus) -> &'static str {
        s.as_str()
    }
    fn is_kind(&self, k: &ValueKind, want: &str) -> bool {
        k.as_str() == want
    }
    fn anchor(&self, dp: &str) -> String {
        dp.replace('.', "-")
    }
}

#[derive(Deserialize, Default)]
pub struct DataQuery {
    year: Option<i32>,
    catalog: Option<String>,
    saved: Option<String>,
}

fn line_for(
    rd: &ReferenceData,
    lang: Lang,
    dp: &DataPoint,
    breakdown: &str,
    label: String,
    stored: Option<&ValueRecord>,
    prior: Option<&ValueRecord>,
) -> Line {
    let (answer, value_input, unit, display, reason) = match stored.map(|v| &v.answer) {
        Some(Answer::Value(v)) => {
            let (text, unit) = v.encode();
            (
                "value".to_string(),
                text,
                unit.unwrap_or_default(),
                v.display(lang, dp, rd),
                String::new(),
            )
        }
        Some(Answer::NotApplicable { reason }) => (
            "not_applicable".into(),
            String::new(),
            String::new(),
            egret_i18n::t(lang, "data-answer-not-applicable"),
            reason.clone().unwrap_or_default(),
        ),
        Some(Answer::NotDisclosed { reason }) => (
            "not_disclosed".into(),
            String::new(),
            String::new(),
            egret_i18n::t(lang, "data-answer-not-disclosed"),
            reason.clone(),
        ),
        None => (
            String::new(),
            String::new(),
            dp.unit.clone().unwrap_or_default(),
            String::new(),
            String::new(),
        ),
    };
    let prior = match prior.map(|v| &v.answer) {
        Some(Answer::Value(v)) => v.display(lang, dp, rd),
        Some(_) => "—".into(),
        None => String::new(),
    };
    Line {
        breakdown: breakdown.to_string(),
        label,
        answer,
        value_input,
        unit,
        display,
        reason,
        comment: stored.and_then(|v| v.comment.clone()).unwrap_or_default(),
        status: stored.map(|v| v.status.clone()).unwrap_or_default(),
        provenance: stored
            .map(|v| {
                let src = v
                    .source_ref
                    .as_ref()
                    .map(|r| format!("{} ({r})", v.source))
                    .unwrap_or_else(|| v.source.clone());
                format!("{src} · {} · {}", v.entered_by, v.entered_at)
            })
            .unwrap_or_default(),
        evidence: stored.map(|v| v.evidence.clone()).unwrap_or_default(),
        prior,
    }
}

/// Everything the data and completeness views compute from the store.
pub struct Loaded<'a> {
    pub org: OrgRecord,
    pub period: PeriodRecord,
    pub years: Vec<i32>,
    pub catalog: &'a Catalog,
    pub values: Vec<ValueRecord>,
    /// The prior fiscal year's period, if there is one, and its values.
    pub prior_period: Option<PeriodRecord>,
    pub prior: Vec<ValueRecord>,
    pub sites: Vec<(String, String)>,
}

pub async fn load<'a>(
    st: &AppState,
    auth: &Auth,
    cats: &'a Catalogs,
    org_id: &str,
    year: Option<i32>,
    catalog: Option<&str>,
    lang: Lang,
) -> AppResult<Loaded<'a>> {
    let org = st.store.get_org(&auth.principal, org_id).await?;
    if !auth.principal.can_read_esg_data(org_id) {
        return Err(AppError::forbidden());
    }
    let catalog = pick_catalog(cats, catalog, &org)?;
    let periods = st.store.list_periods(&auth.principal, org_id).await?;
    let period = period(st, auth, org_id, year).await?;
    let values = st
        .store
        .list_values(&auth.principal, org_id, &period.period_id)
        .await?;
    let prior_period = periods
        .iter()
        .find(|p| p.fiscal_year == period.fiscal_year - 1)
        .cloned();
    let prior = match &prior_period {
        Some(p) => {
            st.store
                .list_values(&auth.principal, org_id, &p.period_id)
                .await?
        }
        None => Vec::new(),
    };
    let sites = st
        .store
        .list_sites(&auth.principal, org_id)
        .await?
        .into_iter()
        .map(|s| {
            let n = match (lang, &s.name_en) {
                (Lang::En, Some(en)) => en.clone(),
                _ => s.name_zh.clone(),
            };
            (s.site_id, n)
        })
        .collect();
    Ok(Loaded {
        years: periods.iter().map(|p| p.fiscal_year).collect(),
        org,
        period,
        catalog,
        values,
        prior_period,
        prior,
        sites,
    })
}

pub fn compute<'a>(cats: &'a Catalogs, l: &Loaded<'a>) -> Completeness<'a> {
    completeness(
        cats,
        l.catalog,
        &l.org.profile,
        ReferenceData::embedded(),
        &egret_store::answer_states(&l.values),
    )
}

pub async fn data_page(
    State(st): State<AppState>,
    UserCtx(ctx, auth): UserCtx,
    Path(id): Path<String>,
    Query(q): Query<DataQuery>,
) -> AppResult<Response> {
    let cats = Catalogs::embedded();
    let rd = ReferenceData::embedded();
    let lang = ctx.lang;
    let l = load(&st, &auth, cats, &id, q.year, q.catalog.as_deref(), lang).await?;
    let comp = compute(cats, &l);
    let by_key: BTreeMap<(&str, &str), &ValueRecord> = l
        .values
        .iter()
        .map(|v| ((v.datapoint.as_str(), v.breakdown.as_str()), v))
        .collect();
    let prior: BTreeMap<(&str, &str), &ValueRecord> = l
        .prior
        .iter()
        .map(|v| ((v.datapoint.as_str(), v.breakdown.as_str()), v))
        .collect();
    let mut sections: Vec<SectionView> = Vec::new();
    for row in &comp.rows {
        let dp = row.datapoint;
        if sections.last().is_none_or(|s| s.id != row.section.id) {
            sections.push(SectionView {
                id: row.section.id.clone(),
                name: by_lang(lang, &row.section.name_zh, &row.section.name_en).to_string(),
                rows: Vec::new(),
            });
        }
        let units = entry_units(rd, dp)
            .iter()
            .map(|u| (u.code.to_string(), u.name(lang).to_string()))
            .collect();
        let choices = match dp.kind {
            ValueKind::Boolean => vec![
                ("true".to_string(), ctx.t("yes")),
                ("false".to_string(), ctx.t("no")),
            ],
            _ => dp
                .choices
                .iter()
                .map(|c| {
                    (
                        c.code.clone(),
                        by_lang(lang, &c.name_zh, &c.name_en).to_string(),
                    )
                })
                .collect(),
        };
        let served_by = cats
            .served_by(&dp.id)
            .into_iter()
            .filter(|(c, _)| c.key() != l.catalog.key())
            .map(|(c, r)| format!("{} {}", c.key(), r.reference.clone().unwrap_or_default()))
            .collect();
        let total = line_for(
            rd,
            lang,
            dp,
            "",
            ctx.t("data-total"),
            by_key.get(&(dp.id.as_str(), "")).copied(),
            prior.get(&(dp.id.as_str(), "")).copied(),
        );
        let parts = breakdown_members(cats, dp, &l.sites, lang)
            .into_iter()
            .map(|(key, label)| {
                let stored = by_key.get(&(dp.id.as_str(), key.as_str())).copied();
                let pr = prior.get(&(dp.id.as_str(), key.as_str())).copied();
                line_for(rd, lang, dp, &key, label, stored, pr)
            })
            .collect();
        sections.last_mut().expect("pushed above").rows.push(Row {
            reference: row.requirement.reference.clone().unwrap_or_default(),
            obligation: ctx.t(row.requirement.obligation.label_key()),
            status: row.status,
            dp_id: dp.id.clone(),
            dp_name: by_lang(lang, &dp.name_zh, &dp.name_en).to_string(),
            dp_help: by_lang(lang, &dp.help_zh, &dp.help_en).to_string(),
            kind: dp.kind,
            units,
            choices,
            served_by,
            total,
            parts,
        });
    }
    // The values are loaded already: only the rates are read.
    let rates = st
        .store
        .period_rates(&auth.principal, rd, &l.period)
        .await?;
    let prior_rates = match &l.prior_period {
        Some(p) => Some(st.store.period_rates(&auth.principal, rd, p).await?),
        None => None,
    };
    let findings = egret_store::findings(
        &l.values,
        &rates,
        prior_rates.as_ref().map(|r| (l.prior.as_slice(), r)),
    )
    .into_iter()
    .map(|f| {
        (
            match f.severity {
                Severity::Error => ctx.t("data-check-error"),
                Severity::Warning => ctx.t("data-check-warning"),
            },
            format!("{} {}", f.datapoint, f.breakdown)
                .trim()
                .to_string(),
            ctx.m(&f.msg),
        )
    })
    .collect();
    let catalogs = cats
        .catalogs()
        .map(|c| {
            (
                c.key(),
                by_lang(lang, &c.name_zh, &c.name_en).to_string(),
                ctx.t(c.duty(&l.org.profile, rd).label_key()),
            )
        })
        .collect();
    let mut in_use: Vec<String> = l
        .values
        .iter()
        .filter_map(|v| match &v.answer {
            Answer::Value(Value::Amount { unit, .. }) if rd.currency(unit).is_some() => {
                Some(unit.clone())
            }
            _ => None,
        })
        .chain(
            st.store
                .fx_rates(&auth.principal, &id, &l.period.period_id)
                .await?
                .into_iter()
                .map(|r| r.currency),
        )
        .collect();
    in_use.sort();
    in_use.dedup();
    let fx = in_use
        .into_iter()
        .map(|code| {
            let cname = rd
                .currency(&code)
                .map(|c| by_lang(lang, &c.name_zh, &c.name_en).to_string())
                .unwrap_or_default();
            match rates.rate(&code) {
                Some(r) => (
                    code,
                    cname,
                    r.cny_per_unit.normalize().to_string(),
                    ctx.m(&r.source.msg()),
                ),
                None => {
                    let missing = Msg::new("fx-rate-missing")
                        .arg("currency", &code)
                        .arg("year", rates.year);
                    (code, cname, "—".into(), ctx.m(&missing))
                }
            }
        })
        .collect();
    let currencies = rd
        .currencies()
        .map(|c| {
            (
                c.code.clone(),
                format!("{} {}", c.code, by_lang(lang, &c.name_zh, &c.name_en)),
            )
        })
        .collect();
    let counts = comp.counts();
    let page = DataPage {
        year: l.period.fiscal_year,
        years: l.years.clone(),
        catalog_key: l.catalog.key(),
        catalog_name: by_lang(lang, &l.catalog.name_zh, &l.catalog.name_en).to_string(),
        catalogs,
        duty: ctx.t(comp.duty.label_key()),
        percent: comp.percent_complete().to_string(),
        counts,
        sections,
        findings,
        fx,
        currencies,
        can_write: auth.principal.can_write_org(&id),
        notice: q.saved.map(|_| ctx.t("form-saved")),
        o: l.org.clone(),
        ctx,
    };
    render(&page)
}

#[derive(Deserialize)]
pub struct ValueForm {
    catalog: String,
    datapoint: String,
    #[serde(default)]
    breakdown: String,
    answer: String,
    #[serde(default)]
    value: String,
    #[serde(default)]
    unit: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    comment: String,
}

fn data_href(id: &str, year: i32, catalog: &str, dp: Option<&str>) -> String {
    let anchor = dp
        .map(|d| format!("#dp-{}", d.replace('.', "-")))
        .unwrap_or_default();
    format!(
        "/orgs/{id}/data?year={year}&catalog={}&saved=1{anchor}",
        urlencode(catalog)
    )
}

fn field_error(field: &str, msg: Msg) -> AppError {
    AppError::invalid(vec![egret_domain::org::FieldError::new(field, msg)])
}

pub async fn value_save(
    State(st): State<AppState>,
    Path((id, year)): Path<(String, i32)>,
    CsrfForm(_, auth, f): CsrfForm<ValueForm>,
) -> AppResult<Response> {
    let cats = Catalogs::embedded();
    let rd = ReferenceData::embedded();
    st.store.get_org(&auth.principal, &id).await?;
    if !auth.principal.can_write_org(&id) {
        return Err(AppError::forbidden());
    }
    let p = period(&st, &auth, &id, Some(year)).await?;
    let dp = cats.datapoint(&f.datapoint).ok_or_else(|| {
        field_error(
            "datapoint",
            Msg::new("store-unknown-datapoint").arg("id", &f.datapoint),
        )
    })?;
    let opt = |s: &str| (!s.trim().is_empty()).then(|| s.trim().to_string());
    let answer = match f.answer.as_str() {
        "clear" => {
            st.store
                .clear_value(
                    &auth.principal,
                    &id,
                    &p.period_id,
                    &f.datapoint,
                    &f.breakdown,
                )
                .await?;
            return Ok(
                Redirect::to(&data_href(&id, year, &f.catalog, Some(&f.datapoint))).into_response(),
            );
        }
        "value" => Answer::Value(
            Value::parse(dp, &f.value, opt(&f.unit).as_deref(), rd)
                .map_err(|m| field_error("value", m))?,
        ),
        "not_applicable" => Answer::NotApplicable {
            reason: opt(&f.reason),
        },
        "not_disclosed" => Answer::NotDisclosed {
            reason: f.reason.trim().to_string(),
        },
        other => {
            return Err(field_error(
                "answer",
                Msg::new("data-bad-answer").arg("value", other),
            ));
        }
    };
    st.store
        .put_values(
            &auth.principal,
            &id,
            &p.period_id,
            &[ValueInput {
                datapoint: f.datapoint.clone(),
                breakdown: f.breakdown.clone(),
                answer,
                comment: opt(&f.comment),
            }],
            &Source::Manual,
        )
        .await?;
    Ok(Redirect::to(&data_href(&id, year, &f.catalog, Some(&f.datapoint))).into_response())
}

#[derive(Deserialize)]
pub struct FxForm {
    catalog: String,
    currency: String,
    cny_per_unit: String,
    note: String,
}

pub async fn fx_rate_save(
    State(st): State<AppState>,
    Path((id, year)): Path<(String, i32)>,
    CsrfForm(_, auth, f): CsrfForm<FxForm>,
) -> AppResult<Response> {
    let p = period(&st, &auth, &id, Some(year)).await?;
    st.store
        .set_fx_rate(
            &auth.principal,
            &id,
            &p.period_id,
            &f.currency,
            &f.cny_per_unit,
            &f.note,
        )
        .await?;
    Ok(Redirect::to(&format!("{}#fx", data_href(&id, year, &f.catalog, None))).into_response())
}

#[derive(Deserialize)]
pub struct ReviewForm {
    catalog: String,
}

pub async fn review(
    State(st): State<AppState>,
    Path((id, year)): Path<(String, i32)>,
    CsrfForm(_, auth, f): CsrfForm<ReviewForm>,
) -> AppResult<Response> {
    let p = period(&st, &auth, &id, Some(year)).await?;
    st.store
        .review_values(&auth.principal, &id, &p.period_id, &[])
        .await?;
    Ok(Redirect::to(&data_href(&id, year, &f.catalog, None)).into_response())
}

pub(crate) async fn multipart_fields(
    mut mp: Multipart,
) -> AppResult<(BTreeMap<String, String>, Option<(String, String, Vec<u8>)>)> {
    let bad = |e: axum::extract::multipart::MultipartError| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            crate::error::too_large()
        } else {
            AppError::bad_request(Msg::new("web-error-form").arg("detail", e.body_text()))
        }
    };
    let mut fields = BTreeMap::new();
    let mut file = None;
    while let Some(field) = mp.next_field().await.map_err(bad)? {
        let name = field.name().unwrap_or_default().to_string();
        if name == "file" {
            let fname = field.file_name().unwrap_or("upload").to_string();
            let ctype = field
                .content_type()
                .unwrap_or("application/octet-stream")
                .to_string();
            file = Some((fname, ctype, field.bytes().await.map_err(bad)?.to_vec()));
        } else {
            fields.insert(name, field.text().await.map_err(bad)?);
        }
    }
    Ok((fields, file))
}

pub async fn evidence_upload(
    State(st): State<AppState>,
    UserCtx(_, auth): UserCtx,
    Path((id, year)): Path<(String, i32)>,
    mp: Multipart,
) -> AppResult<Response> {
    let (fields, file) = multipart_fields(mp).await?;
    check_token(fields.get("csrf").map(String::as_str), &auth)?;
    let (fname, ctype, bytes) =
        file.ok_or_else(|| AppError::bad_request(Msg::new("upload-no-file")))?;
    let p = period(&st, &auth, &id, Some(year)).await?;
    let get = |k: &str| fields.get(k).cloned().unwrap_or_default();
    st.store
        .attach_evidence(
            &auth.principal,
            &id,
            &p.period_id,
            &get("datapoint"),
            &get("breakdown"),
            &fname,
            &ctype,
            &bytes,
        )
        .await?;
    Ok(Redirect::to(&data_href(
        &id,
        year,
        &get("catalog"),
        Some(&get("datapoint")),
    ))
    .into_response())
}

pub async fn evidence_download(
    State(st): State<AppState>,
    auth: Auth,
    Path((id, sha)): Path<(String, String)>,
) -> AppResult<Response> {
    let (info, bytes) = st.store.evidence(&auth.principal, &id, &sha).await?;
    let disposition = format!(
        "attachment; filename*=UTF-8''{}",
        urlencode(&info.file_name)
    );
    Ok((
        [
            (header::CONTENT_TYPE, "application/octet-stream".to_string()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response())
}

// ------------------------------------------------------- completeness

#[derive(Template)]
#[template(path = "completeness.html")]
struct CompletenessPage {
    ctx: PageCtx,
    o: OrgRecord,
    year: i32,
    catalog_key: String,
    catalog_name: String,
    duty: String,
    percent: String,
    counts: egret_domain::completeness::Counts,
    rows: Vec<(String, String, String, String, String, String, &'static str)>,
}

#[derive(Deserialize, Default)]
pub struct CompletenessQuery {
    year: Option<i32>,
    catalog: Option<String>,
    format: Option<String>,
}

/// Completeness rows as (section, requirement, reference, data point id,
/// data point name, obligation, status).
pub fn completeness_rows(comp: &Completeness<'_>, lang: Lang) -> Vec<[String; 7]> {
    comp.rows
        .iter()
        .map(|r| {
            [
                by_lang(lang, &r.section.name_zh, &r.section.name_en).to_string(),
                r.requirement.id.clone(),
                r.requirement.reference.clone().unwrap_or_default(),
                r.datapoint.id.clone(),
                by_lang(lang, &r.datapoint.name_zh, &r.datapoint.name_en).to_string(),
                r.requirement.obligation.as_str().to_string(),
                r.status.as_str().to_string(),
            ]
        })
        .collect()
}

pub fn completeness_csv(comp: &Completeness<'_>, lang: Lang) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record([
        "section",
        "requirement",
        "reference",
        "datapoint",
        "name",
        "obligation",
        "status",
    ]);
    for row in completeness_rows(comp, lang) {
        let _ = w.write_record(&row);
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

pub fn completeness_json(comp: &Completeness<'_>, org_id: &str, year: i32) -> serde_json::Value {
    let c = comp.counts();
    serde_json::json!({
        "org_id": org_id,
        "fiscal_year": year,
        "catalog": comp.catalog.key(),
        "duty": comp.duty.as_str(),
        "percent_complete": comp.percent_complete().to_string(),
        "counts": {
            "total": c.total, "applicable": c.applicable, "required": c.required,
            "answered": c.answered, "explained": c.explained, "missing": c.missing,
            "required_missing": c.required_missing,
        },
        "requirements": comp.rows.iter().map(|r| serde_json::json!({
            "requirement": r.requirement.id,
            "section": r.section.id,
            "reference": r.requirement.reference,
            "datapoint": r.datapoint.id,
            "obligation": r.requirement.obligation.as_str(),
            "status": r.status.as_str(),
        })).collect::<Vec<_>>(),
    })
}

pub async fn completeness_page(
    State(st): State<AppState>,
    UserCtx(ctx, auth): UserCtx,
    Path(id): Path<String>,
    Query(q): Query<CompletenessQuery>,
) -> AppResult<Response> {
    let cats = Catalogs::embedded();
    let l = load(
        &st,
        &auth,
        cats,
        &id,
        q.year,
        q.catalog.as_deref(),
        ctx.lang,
    )
    .await?;
    let comp = compute(cats, &l);
    match q.format.as_deref() {
        Some("json") => {
            return Ok(
                axum::Json(completeness_json(&comp, &id, l.period.fiscal_year)).into_response(),
            );
        }
        Some("csv") => {
            let file = format!(
                "attachment; filename=\"completeness-{}-{}.csv\"",
                l.catalog.key().replace('@', "_"),
                l.period.fiscal_year
            );
            return Ok((
                [
                    (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
                    (header::CONTENT_DISPOSITION, file),
                ],
                completeness_csv(&comp, ctx.lang),
            )
                .into_response());
        }
        _ => {}
    }
    let rows = comp
        .rows
        .iter()
        .map(|r| {
            (
                by_lang(ctx.lang, &r.section.name_zh, &r.section.name_en).to_string(),
                r.requirement.reference.clone().unwrap_or_default(),
                r.datapoint.id.clone(),
                by_lang(ctx.lang, &r.datapoint.name_zh, &r.datapoint.name_en).to_string(),
                ctx.t(r.requirement.obligation.label_key()),
                ctx.t(r.status.label_key()),
                r.status.as_str(),
            )
        })
        .collect();
    let page = CompletenessPage {
        year: l.period.fiscal_year,
        catalog_key: l.catalog.key(),
        catalog_name: by_lang(ctx.lang, &l.catalog.name_zh, &l.catalog.name_en).to_string(),
        duty: ctx.t(comp.duty.label_key()),
        percent: comp.percent_complete().to_string(),
        counts: comp.counts(),
        rows,
        o: l.org.clone(),
        ctx,
    };
    render(&page)
}

// ------------------------------------------------------- spreadsheets

#[derive(Deserialize)]
pub struct TemplateQuery {
    catalog: Option<String>,
}

pub async fn template_download(
    State(st): State<AppState>,
    UserCtx(ctx, auth): UserCtx,
    Path((id, year)): Path<(String, i32)>,
    Query(q): Query<TemplateQuery>,
) -> AppResult<Response> {
    let cats = Catalogs::embedded();
    let rd = ReferenceData::embedded();
    let l = load(
        &st,
        &auth,
        cats,
        &id,
        Some(year),
        q.catalog.as_deref(),
        ctx.lang,
    )
    .await?;
    let current = egret_store::answer_map(&l.values);
    let prior = l
        .prior
        .iter()
        .map(|v| ((v.datapoint.clone(), v.breakdown.clone()), v.answer.clone()))
        .collect();
    let bytes = datasheet::write_template(&datasheet::TemplateContext {
        cats,
        catalog: l.catalog,
        profile: &l.org.profile,
        rd,
        fiscal_year: year,
        sites: &l.sites,
        current: &current,
        prior: &prior,
    })
    .map_err(|m| AppError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", m))?;
    let file = format!(
        "attachment; filename=\"egret-{}-{}-{year}.xlsx\"",
        l.org.profile.uscc.as_str(),
        l.catalog.key().replace('@', "_")
    );
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string(),
            ),
            (header::CONTENT_DISPOSITION, file),
        ],
        bytes,
    )
        .into_response())
}

pub struct ChangeView {
    pub datapoint: String,
    pub breakdown: String,
    pub before: String,
    pub after: String,
}

#[derive(Template)]
#[template(path = "upload_preview.html")]
struct UploadPage {
    ctx: PageCtx,
    o: OrgRecord,
    year: i32,
    catalog_key: String,
    file_name: String,
    errors: Vec<(String, usize, String, String)>,
    changes: Vec<ChangeView>,
    upload_id: Option<String>,
}

fn show_answer(a: &Option<(Answer, Option<String>)>, dp: Option<&DataPoint>, lang: Lang) -> String {
    let rd = ReferenceData::embedded();
    match (a, dp) {
        (None, _) => "—".into(),
        (Some((Answer::Value(v), c)), Some(dp)) => {
            let mut s = v.display(lang, dp, rd);
            if let Some(c) = c {
                s.push_str(&format!(" ({c})"));
            }
            s
        }
        (Some((Answer::NotApplicable { .. }, _)), _) => {
            egret_i18n::t(lang, "data-answer-not-applicable")
        }
        (Some((Answer::NotDisclosed { reason }, _)), _) => {
            format!(
                "{}: {reason}",
                egret_i18n::t(lang, "data-answer-not-disclosed")
            )
        }
        (Some((Answer::Value(_), _)), None) => "?".into(),
    }
}

pub async fn upload(
    State(st): State<AppState>,
    UserCtx(ctx, auth): UserCtx,
    Path((id, year)): Path<(String, i32)>,
    mp: Multipart,
) -> AppResult<Response> {
    let (fields, file) = multipart_fields(mp).await?;
    check_token(fields.get("csrf").map(String::as_str), &auth)?;
    let cats = Catalogs::embedded();
    let rd = ReferenceData::embedded();
    let catalog = fields.get("catalog").map(String::as_str);
    let l = load(&st, &auth, cats, &id, Some(year), catalog, ctx.lang).await?;
    if !auth.principal.can_write_org(&id) {
        return Err(AppError::forbidden());
    }
    let (file_name, _, bytes) =
        file.ok_or_else(|| AppError::bad_request(Msg::new("upload-no-file")))?;
    let site_ids: Vec<String> = l.sites.iter().map(|(s, _)| s.clone()).collect();
    let key = l.catalog.key();
    let expect = datasheet::Expect {
        uscc: l.org.profile.uscc.as_str(),
        catalog_key: &key,
        fiscal_year: year,
    };
    let mut page = UploadPage {
        year,
        catalog_key: key.clone(),
        file_name: file_name.clone(),
        errors: Vec::new(),
        changes: Vec::new(),
        upload_id: None,
        o: l.org.clone(),
        ctx,
    };
    match datasheet::read_filled(&bytes, &expect, cats, rd, &site_ids) {
        Err(errors) => {
            page.errors = errors
                .iter()
                .map(|e| {
                    (
                        e.sheet.clone(),
                        e.row,
                        e.column.clone().unwrap_or_default(),
                        page.ctx.m(&e.msg),
                    )
                })
                .collect();
            let mut resp = render(&page)?;
            *resp.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(resp)
        }
        Ok(filled) => {
            let stored = egret_store::answer_map(&l.values);
            let changes = datasheet::diff(&stored, &filled);
            let inputs: Vec<ValueInput> = changes
                .iter()
                .filter_map(|c| {
                    c.after.as_ref().map(|(a, comment)| ValueInput {
                        datapoint: c.datapoint.clone(),
                        breakdown: c.breakdown.clone(),
                        answer: a.clone(),
                        comment: comment.clone(),
                    })
                })
                .collect();
            page.changes = changes
                .iter()
                .map(|c| {
                    let dp = cats.datapoint(&c.datapoint);
                    ChangeView {
                        datapoint: c.datapoint.clone(),
                        breakdown: c.breakdown.clone(),
                        before: show_answer(&c.before, dp, page.ctx.lang),
                        after: show_answer(&c.after, dp, page.ctx.lang),
                    }
                })
                .collect();
            if !inputs.is_empty() {
                page.upload_id = Some(
                    st.store
                        .save_pending_upload(
                            &auth.principal,
                            &id,
                            &l.period.period_id,
                            &key,
                            &file_name,
                            &inputs,
                        )
                        .await?,
                );
            }
            render(&page)
        }
    }
}

#[derive(Deserialize)]
pub struct ConfirmForm {
    #[allow(dead_code)]
    csrf: String,
}

pub async fn upload_confirm(
    State(st): State<AppState>,
    Path((id, year, upload_id)): Path<(String, i32, String)>,
    CsrfForm(_, auth, _): CsrfForm<ConfirmForm>,
) -> AppResult<Response> {
    let (pending, _) = st
        .store
        .confirm_pending_upload(&auth.principal, &id, &upload_id)
        .await?;
    Ok(Redirect::to(&data_href(&id, year, &pending.catalog_key, None)).into_response())
}

// ------------------------------------------------------------- catalogs

#[derive(Template)]
#[template(path = "catalogs.html")]
struct CatalogsPage {
    ctx: PageCtx,
    rows: Vec<(String, String, String, String, usize)>,
}

pub async fn catalogs_page(crate::auth::Ctx(ctx, _): crate::auth::Ctx) -> AppResult<Response> {
    let cats = Catalogs::embedded();
    let rows = cats
        .catalogs()
        .map(|c| {
            (
                c.key(),
                by_lang(ctx.lang, &c.name_zh, &c.name_en).to_string(),
                by_lang(ctx.lang, &c.issuer_zh, &c.issuer_en).to_string(),
                c.effective_from.to_string(),
                c.requirements.len(),
            )
        })
        .collect();
    render(&CatalogsPage { ctx, rows })
}

/// (reference, data point id, name, kind, obligation, other catalogs).
type ReqLine = (String, String, String, String, String, Vec<String>);

#[derive(Template)]
#[template(path = "catalog.html")]
struct CatalogPage {
    ctx: PageCtx,
    key: String,
    title: String,
    issuer: String,
    source: String,
    effective: String,
    confidence: String,
    sections: Vec<(String, Vec<ReqLine>)>,
}

pub async fn catalog_page(
    crate::auth::Ctx(ctx, _): crate::auth::Ctx,
    Path(key): Path<String>,
) -> AppResult<Response> {
    let cats = Catalogs::embedded();
    let c = cats.catalog(&key).ok_or_else(AppError::not_found)?;
    let lang = ctx.lang;
    let sections = c
        .sections
        .iter()
        .map(|s| {
            let reqs = c
                .requirements
                .iter()
                .filter(|r| r.section == s.id)
                .filter_map(|r| cats.datapoint(&r.datapoint).map(|dp| (r, dp)))
                .map(|(r, dp)| {
                    (
                        r.reference.clone().unwrap_or_default(),
                        dp.id.clone(),
                        by_lang(lang, &dp.name_zh, &dp.name_en).to_string(),
                        ctx.t(dp.kind.label_key()),
                        ctx.t(r.obligation.label_key()),
                        cats.served_by(&dp.id)
                            .into_iter()
                            .filter(|(other, _)| other.key() != c.key())
                            .map(|(other, _)| other.key())
                            .collect(),
                    )
                })
                .collect();
            (by_lang(lang, &s.name_zh, &s.name_en).to_string(), reqs)
        })
        .collect();
    render(&CatalogPage {
        key: c.key(),
        title: by_lang(lang, &c.name_zh, &c.name_en).to_string(),
        issuer: by_lang(lang, &c.issuer_zh, &c.issuer_en).to_string(),
        source: c.source.clone(),
        effective: match c.effective_to {
            Some(to) => format!("{} – {to}", c.effective_from),
            None => format!("{} –", c.effective_from),
        },
        confidence: format!("{:?}", c.confidence),
        sections,
        ctx,
    })
}
