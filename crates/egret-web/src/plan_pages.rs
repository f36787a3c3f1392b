//! The action plan's 20 measures for the city: status of every measure
//! (latest evaluation, milestones, last report, what is overdue), one
//! measure's tasks, indicators (computed ones live from the platform),
//! milestones and full history, and the forms departments and the
//! coordinating department use.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use egret_domain::plan::{ReportInput, milestone_states, previous_quarter, quarter};
use egret_domain::programme::{Measure, Programme, disclosed_by_year, rate};
use egret_i18n::Lang;
use egret_store::{CityFacts, PlanRecord};
use serde::Deserialize;

use crate::AppState;
use crate::auth::{CsrfForm, UserCtx};
use crate::error::{AppError, AppResult};
use crate::pages::render;
use crate::view::{PageCtx, by_lang};

fn programme() -> &'static Programme {
    Programme::embedded()
}

fn dept_name(lang: Lang, id: &str) -> String {
    programme().department(id).map_or(id.to_string(), |d| {
        by_lang(lang, &d.name_zh, &d.name_en).to_string()
    })
}

fn today() -> NaiveDate {
    chrono::Utc::now().date_naive()
}

/// The platform's current value of a computed indicator, with the year it
/// refers to.
fn computed_value(
    id: &str,
    facts: &CityFacts,
    institutions: &[egret_store::InstitutionRecord],
) -> String {
    let year = facts.published.iter().map(|(_, y)| *y).max();
    let pct = |d: Option<rust_decimal::Decimal>| d.map_or("—".to_string(), |d| format!("{d}%"));
    match id.split_once(':') {
        Some(("disclosure-rate", seg)) => {
            let (Some(y), Some(s)) = (year, programme().segment(seg)) else {
                return "—".into();
            };
            let d = disclosed_by_year(&facts.published);
            let c = egret_domain::programme::count(&facts.orgs, s, &d[&y], |_| true);
            format!("{} ({y})", pct(c.rate()))
        }
        Some(("institutions", service)) => institutions
            .iter()
            .filter(|i| service == "any" || i.offers(service, today()))
            .count()
            .to_string(),
        _ if id == "footprints:enterprises" => facts.footprint_orgs.len().to_string(),
        _ if id == "assurance-rate" => {
            let Some(y) = year else { return "—".into() };
            let n = |v: &[(String, i32)]| v.iter().filter(|(_, fy)| *fy == y).count();
            format!(
                "{} ({y})",
                pct(rate(n(&facts.assured), n(&facts.published)))
            )
        }
        _ => "—".into(),
    }
}

pub struct MeasureRow {
    number: u32,
    title: String,
    lead: String,
    co: String,
    rating: String,
    rating_code: String,
    milestones: String,
    overdue: usize,
    last_report: String,
    report_due: bool,
}

#[derive(Template)]
#[template(path = "plan.html")]
struct PlanPage {
    ctx: PageCtx,
    programme: String,
    department: String,
    due_quarter: String,
    rows: Vec<MeasureRow>,
    /// (measure, milestone text, due) of every overdue milestone.
    overdue: Vec<(u32, String, String)>,
}

fn rating_label(ctx: &PageCtx, code: &str) -> String {
    ctx.t(&format!("plan-rating-{}", code.replace('_', "-")))
}

pub async fn plan_page(
    State(st): State<AppState>,
    UserCtx(ctx, auth): UserCtx,
) -> AppResult<Response> {
    let rec = st.store.plan_record(&auth.principal).await?;
    let p = programme();
    let lang = ctx.lang;
    let due_quarter = previous_quarter(&quarter(today())).unwrap_or_default();
    let mut rows = Vec::new();
    let mut overdue = Vec::new();
    for m in &p.measures {
        let states = milestone_states(
            m,
            &rec.due_dates(m.number),
            &rec.milestone_status(m.number),
            today(),
        );
        for s in states.iter().filter(|s| s.overdue) {
            overdue.push((
                m.number,
                by_lang(lang, &s.milestone.text_zh, &s.milestone.text_en).to_string(),
                s.due.to_string(),
            ));
        }
        let last = rec.reports.iter().rfind(|r| r.measure == m.number);
        let ev = rec.latest_evaluation(m.number);
        rows.push(MeasureRow {
            number: m.number,
            title: by_lang(lang, &m.title_zh, &m.title_en).to_string(),
            lead: dept_name(lang, &m.lead),
            co: m
                .co
                .iter()
                .map(|d| dept_name(lang, d))
                .collect::<Vec<_>>()
                .join("、"),
            rating: ev.map_or_else(String::new, |e| {
                format!("{} ({})", rating_label(&ctx, &e.rating), e.period)
            }),
            rating_code: ev.map(|e| e.rating.clone()).unwrap_or_default(),
            milestones: format!(
                "{}/{}",
                states.iter().filter(|s| s.status == "done").count(),
                states.len()
            ),
            overdue: states.iter().filter(|s| s.overdue).count(),
            last_report: last.map_or_else(String::new, |r| {
                format!("{} · {}", r.period, dept_name(lang, &r.department))
            }),
            report_due: !rec
                .reports
                .iter()
                .any(|r| r.measure == m.number && r.period == due_quarter),
        });
    }
    let department = st
        .store
        .department_of(&auth.user.user_id)
        .await?
        .map(|d| dept_name(lang, &d))
        .unwrap_or_default();
    render(&PlanPage {
        programme: by_lang(lang, &p.info.name_zh, &p.info.name_en).to_string(),
        department,
        due_quarter,
        rows,
        overdue,
        ctx,
    })
}

pub struct IndicatorView {
    id: String,
    name: String,
    unit: String,
    value: String,
    target: String,
    computed: bool,
}

#[derive(Template)]
#[template(path = "measure.html")]
struct MeasurePage {
    ctx: PageCtx,
    number: u32,
    title: String,
    group: String,
    lead: String,
    co: String,
    tasks: Vec<String>,
    indicators: Vec<IndicatorView>,
    /// (id, text, due, status, overdue)
    milestones: Vec<(String, String, String, String, bool)>,
    history: Vec<(String, String, String)>,
    can_report: bool,
    can_coordinate: bool,
    quarter: String,
    statuses: Vec<(String, String)>,
    ratings: Vec<(String, String)>,
}

fn measure_of(n: u32) -> Result<&'static Measure, AppError> {
    programme().measure(n).ok_or_else(AppError::not_found)
}

/// The measure's history as (when, who/what, text), oldest first.
fn history(ctx: &PageCtx, rec: &PlanRecord, n: u32) -> Vec<(String, String, String)> {
    let lang = ctx.lang;
    let mut out: Vec<(String, String, String)> = Vec::new();
    for r in rec.reports.iter().filter(|r| r.measure == n) {
        let mut text = r.progress.clone();
        for (k, v) in &r.indicators {
            text.push_str(&format!(" · {k} = {v}"));
        }
        for (k, v) in &r.milestones {
            text.push_str(&format!(
                " · {k}: {}",
                ctx.t(&format!("plan-ms-{}", v.replace('_', "-")))
            ));
        }
        if !r.evidence.is_empty() {
            text.push_str(&format!(" · {}: {}", ctx.t("plan-evidence"), r.evidence));
        }
        out.push((
            r.submitted_at.clone(),
            format!(
                "{} · {} · {}",
                ctx.t("plan-report"),
                r.period,
                dept_name(lang, &r.department)
            ),
            text,
        ));
    }
    for e in rec.evaluations.iter().filter(|e| e.measure == n) {
        out.push((
            e.evaluated_at.clone(),
            format!("{} · {}", ctx.t("plan-evaluation"), e.period),
            format!("{} · {}", rating_label(ctx, &e.rating), e.comment),
        ));
    }
    for a in rec.adjustments.iter().filter(|a| a.measure == n) {
        out.push((
            a.adjusted_at.clone(),
            ctx.t("plan-adjustment"),
            format!("{} → {} · {}", a.milestone, a.new_due, a.reason),
        ));
    }
    out.sort();
    out
}

pub async fn measure_page(
    State(st): State<AppState>,
    UserCtx(ctx, auth): UserCtx,
    Path(n): Path<u32>,
) -> AppResult<Response> {
    let m = measure_of(n)?;
    let rec = st.store.plan_record(&auth.principal).await?;
    let facts = st.store.city_facts(&auth.principal, &[]).await?;
    let institutions = st.store.institutions().await?;
    let lang = ctx.lang;
    let p = programme();
    let dept = st.store.department_of(&auth.user.user_id).await?;
    let reported: BTreeMap<String, String> = rec
        .reports
        .iter()
        .filter(|r| r.measure == n)
        .flat_map(|r| r.indicators.clone())
        .collect();
    let indicators = m
        .indicator
        .iter()
        .map(|i| IndicatorView {
            id: i.id.clone(),
            name: by_lang(lang, &i.name_zh, &i.name_en).to_string(),
            unit: i.unit.clone(),
            value: match &i.computed {
                Some(c) => computed_value(c, &facts, &institutions),
                None => reported.get(&i.id).cloned().unwrap_or_else(|| "—".into()),
            },
            target: match (i.target, i.target_year) {
                (Some(t), Some(y)) => format!("{t} ({y})"),
                _ => String::new(),
            },
            computed: i.computed.is_some(),
        })
        .collect();
    let milestones = milestone_states(m, &rec.due_dates(n), &rec.milestone_status(n), today())
        .into_iter()
        .map(|s| {
            (
                s.milestone.id.clone(),
                by_lang(lang, &s.milestone.text_zh, &s.milestone.text_en).to_string(),
                s.due.to_string(),
                ctx.t(&format!("plan-ms-{}", s.status.replace('_', "-"))),
                s.overdue,
            )
        })
        .collect();
    render(&MeasurePage {
        number: n,
        title: by_lang(lang, &m.title_zh, &m.title_en).to_string(),
        group: p
            .groups
            .iter()
            .find(|g| g.id == m.group)
            .map(|g| by_lang(lang, &g.name_zh, &g.name_en).to_string())
            .unwrap_or_default(),
        lead: dept_name(lang, &m.lead),
        co: m
            .co
            .iter()
            .map(|d| dept_name(lang, d))
            .collect::<Vec<_>>()
            .join("、"),
        tasks: m
            .task
            .iter()
            .map(|t| by_lang(lang, &t.text_zh, &t.text_en).to_string())
            .collect(),
        indicators,
        milestones,
        history: history(&ctx, &rec, n),
        can_report: dept
            .as_ref()
            .is_some_and(|d| *d == m.lead || m.co.contains(d)),
        can_coordinate: dept.as_deref() == Some(p.info.coordinator.as_str())
            || auth.principal.role == egret_domain::access::Role::PlatformAdmin,
        quarter: previous_quarter(&quarter(today())).unwrap_or_default(),
        statuses: egret_domain::plan::MILESTONE_STATUSES
            .iter()
            .map(|s| {
                (
                    s.to_string(),
                    ctx.t(&format!("plan-ms-{}", s.replace('_', "-"))),
                )
            })
            .collect(),
        ratings: egret_domain::plan::RATINGS
            .iter()
            .map(|r| (r.to_string(), rating_label(&ctx, r)))
            .collect(),
        ctx,
    })
}

/// The progress form: `period`, `progress`, `evidence`, `ind.<id>` and
/// `ms.<id>` fields.
pub async fn report_add(
    State(st): State<AppState>,
    Path(n): Path<u32>,
    CsrfForm(_, auth, fields): CsrfForm<Vec<(String, String)>>,
) -> AppResult<Response> {
    let get = |k: &str| {
        fields
            .iter()
            .find(|(f, _)| f == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let prefixed = |p: &str| -> BTreeMap<String, String> {
        fields
            .iter()
            .filter_map(|(k, v)| Some((k.strip_prefix(p)?.to_string(), v.clone())))
            .filter(|(_, v)| !v.trim().is_empty())
            .collect()
    };
    let input = ReportInput {
        measure: n,
        period: get("period"),
        progress: get("progress"),
        indicators: prefixed("ind."),
        milestones: prefixed("ms."),
        evidence: get("evidence"),
    };
    st.store
        .file_measure_report(&auth.principal, &input)
        .await?;
    Ok(Redirect::to(&format!("/plan/{n}#history")).into_response())
}

#[derive(Deserialize)]
pub struct EvaluationForm {
    period: String,
    rating: String,
    #[serde(default)]
    comment: String,
}

pub async fn evaluation_add(
    State(st): State<AppState>,
    Path(n): Path<u32>,
    CsrfForm(_, auth, f): CsrfForm<EvaluationForm>,
) -> AppResult<Response> {
    st.store
        .evaluate_measure(&auth.principal, n, &f.period, &f.rating, &f.comment)
        .await?;
    Ok(Redirect::to(&format!("/plan/{n}#history")).into_response())
}

#[derive(Deserialize)]
pub struct AdjustmentForm {
    milestone: String,
    new_due: String,
    reason: String,
}

pub async fn adjustment_add(
    State(st): State<AppState>,
    Path(n): Path<u32>,
    CsrfForm(_, auth, f): CsrfForm<AdjustmentForm>,
) -> AppResult<Response> {
    st.store
        .adjust_milestone(&auth.principal, n, &f.milestone, &f.new_due, &f.reason)
        .await?;
    Ok(Redirect::to(&format!("/plan/{n}#history")).into_response())
}
