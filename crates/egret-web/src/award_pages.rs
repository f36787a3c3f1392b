//! Awards and subsidies: the programmes with their rules, each enterprise
//! user's eligibility with the reasons, applications, and the city's
//! approval, rejection and payment records.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use egret_domain::awards::Awards;
use serde::Deserialize;

use crate::AppState;
use crate::auth::{CsrfForm, UserCtx};
use crate::error::AppResult;
use crate::pages::render;
use crate::view::{PageCtx, by_lang};

fn today() -> chrono::NaiveDate {
    chrono::Utc::now().date_naive()
}

pub struct AwardView {
    id: String,
    name: String,
    measure: u32,
    department: String,
    amount: String,
    window: String,
    /// (org id, org name, reasons it is not eligible; empty: eligible)
    orgs: Vec<(String, String, Vec<String>)>,
}

pub struct ApplicationView {
    id: String,
    award: String,
    org: String,
    applied: String,
    status_code: String,
    status: String,
    note: String,
}

#[derive(Template)]
#[template(path = "awards.html")]
struct AwardsPage {
    ctx: PageCtx,
    awards: Vec<AwardView>,
    applications: Vec<ApplicationView>,
    is_city: bool,
}

pub async fn awards_page(
    State(st): State<AppState>,
    UserCtx(ctx, auth): UserCtx,
) -> AppResult<Response> {
    let lang = ctx.lang;
    let p = egret_domain::programme::Programme::embedded();
    let is_city = ctx.can_register();
    let mut awards = Vec::new();
    for a in &Awards::embedded().award {
        let mut orgs = Vec::new();
        if !is_city {
            for org_id in &auth.principal.orgs {
                if !auth.principal.can_write_org(org_id) {
                    continue;
                }
                let org = st.store.get_org(&auth.principal, org_id).await?;
                let reasons = st
                    .store
                    .award_refusals(&auth.principal, &a.id, org_id, today())
                    .await?
                    .iter()
                    .map(|m| m.render(lang))
                    .collect();
                orgs.push((org_id.clone(), org.profile.name_zh.clone(), reasons));
            }
        }
        awards.push(AwardView {
            id: a.id.clone(),
            name: by_lang(lang, &a.name_zh, &a.name_en).to_string(),
            measure: a.measure,
            department: p
                .department(&a.department)
                .map(|d| by_lang(lang, &d.name_zh, &d.name_en).to_string())
                .unwrap_or_default(),
            amount: egret_domain::value::group_thousands(&a.amount_cny.normalize().to_string()),
            window: format!("{} – {}", a.applications_from, a.applications_to),
            orgs,
        });
    }
    let applications = st
        .store
        .award_applications(&auth.principal)
        .await?
        .into_iter()
        .map(|x| ApplicationView {
            award: Awards::embedded()
                .get(&x.award_id)
                .map_or(x.award_id.clone(), |a| {
                    by_lang(lang, &a.name_zh, &a.name_en).to_string()
                }),
            org: x.org_name,
            applied: x.applied_at,
            status: ctx.t(&format!("award-status-{}", x.status)),
            status_code: x.status,
            note: match (x.note, x.paid_cny) {
                (Some(n), Some(p)) => format!("{n} · ¥{p}"),
                (Some(n), None) => n,
                _ => String::new(),
            },
            id: x.application_id,
        })
        .collect();
    render(&AwardsPage {
        awards,
        applications,
        is_city,
        ctx,
    })
}

#[derive(Deserialize)]
pub struct ApplyForm {
    org_id: String,
}

pub async fn apply(
    State(st): State<AppState>,
    Path(award): Path<String>,
    CsrfForm(_, auth, f): CsrfForm<ApplyForm>,
) -> AppResult<Response> {
    st.store
        .apply_for_award(&auth.principal, &award, &f.org_id, today())
        .await?;
    Ok(Redirect::to("/awards#applications").into_response())
}

#[derive(Deserialize)]
pub struct DecisionForm {
    action: String,
    #[serde(default)]
    note: String,
}

pub async fn decide(
    State(st): State<AppState>,
    Path(id): Path<String>,
    CsrfForm(_, auth, f): CsrfForm<DecisionForm>,
) -> AppResult<Response> {
    st.store
        .decide_award(&auth.principal, &id, &f.action, &f.note, today())
        .await?;
    Ok(Redirect::to("/awards#applications").into_response())
}
