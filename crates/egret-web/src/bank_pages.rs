//! The bank's page: its preference rules (upload, versions), an
//! eligibility check for any organisation with every condition explained,
//! loans and bonds tagged against the green-finance catalogue, and the
//! latest API calls.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use egret_domain::greenfin::{Edition, INSTRUMENTS};
use egret_store::{BankCall, Facility, FacilityInput, Page, RuleSetRecord, bank_of};
use serde::Deserialize;

use crate::AppState;
use crate::auth::{CsrfForm, UserCtx};
use crate::error::{AppError, AppResult};
use crate::pages::render;
use crate::view::{PageCtx, by_lang};

/// One condition as shown: field, requirement, actual, verdict, note.
pub struct ConditionView {
    field: String,
    required: String,
    actual: String,
    verdict: &'static str,
    note: String,
}

pub struct RuleView {
    id: String,
    name: String,
    product: String,
    effect_bp: i32,
    eligible: bool,
    conditions: Vec<ConditionView>,
}

pub struct EligibilityView {
    uscc: String,
    org_id: String,
    name: String,
    rules: Vec<RuleView>,
    /// (product, adjustment in bp)
    products: Vec<(String, i32)>,
    /// (label key, value)
    facts: Vec<(&'static str, String)>,
}

pub struct EditionView {
    key: String,
    name: String,
    window: String,
    instruments: String,
    confidence: String,
    /// (code, name)
    items: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "bank.html")]
struct BankPage {
    ctx: PageCtx,
    rules: Vec<RuleSetRecord>,
    current: String,
    uscc: String,
    eligibility: Option<EligibilityView>,
    error: Option<String>,
    facilities: Vec<Facility>,
    editions: Vec<EditionView>,
    kinds: Vec<&'static str>,
    calls: Vec<BankCall>,
    calls_total: i64,
}

#[derive(Deserialize)]
pub struct BankQuery {
    #[serde(default)]
    uscc: Option<String>,
}

fn opt<T: ToString>(v: &Option<T>) -> String {
    v.as_ref()
        .map(ToString::to_string)
        .unwrap_or_else(|| "—".into())
}

pub async fn bank_page(
    State(st): State<AppState>,
    UserCtx(ctx, auth): UserCtx,
    Query(q): Query<BankQuery>,
) -> AppResult<Response> {
    bank_of(&auth.principal)?;
    let lang = ctx.lang;
    let rules = st.store.bank_rule_sets(&auth.principal).await?;
    let current = rules
        .first()
        .map(|r| r.source.clone())
        .unwrap_or_else(|| include_str!("../../../data/demo/bank-rules.toml").to_string());
    let uscc = q.uscc.unwrap_or_default().trim().to_string();
    let mut eligibility = None;
    let mut error = None;
    if !uscc.is_empty() {
        match st.store.org_id_of_uscc(&uscc).await? {
            None => error = Some(ctx.t("bank-unknown-org")),
            Some(org) => {
                let today = chrono::Utc::now().date_naive();
                match st
                    .store
                    .evaluate_bank_rules(&auth.principal, &org, today)
                    .await
                {
                    Ok((_, facts, eval)) => {
                        let p = st.store.get_org(&auth.principal, &org).await?.profile;
                        let name =
                            by_lang(lang, &p.name_zh, p.name_en.as_deref().unwrap_or(&p.name_zh))
                                .to_string();
                        let rules = eval
                            .rules
                            .iter()
                            .map(|r| RuleView {
                                id: r.rule.clone(),
                                name: by_lang(lang, &r.name_zh, &r.name_en).to_string(),
                                product: r.product.clone(),
                                effect_bp: r.effect_bp,
                                eligible: r.eligible,
                                conditions: r
                                    .conditions
                                    .iter()
                                    .map(|c| ConditionView {
                                        field: c.field.clone(),
                                        required: format!("{} {}", c.op, c.required),
                                        actual: opt(&c.actual),
                                        verdict: match c.met {
                                            Some(true) => "met",
                                            Some(false) => "not-met",
                                            None => "unknown",
                                        },
                                        note: c
                                            .note
                                            .as_ref()
                                            .map(|m| m.render(lang))
                                            .unwrap_or_default(),
                                    })
                                    .collect(),
                            })
                            .collect();
                        let facts = vec![
                            (
                                "bank-fact-rating",
                                match (&facts.rating_run, facts.rating_year) {
                                    (Some(run), Some(y)) => format!(
                                        "{} · {y} · {}",
                                        run,
                                        ctx.t(if facts.rating_published {
                                            "bank-published"
                                        } else {
                                            "bank-review-window"
                                        })
                                    ),
                                    _ => "—".into(),
                                },
                            ),
                            ("bank-fact-report", opt(&facts.report)),
                            ("bank-fact-emissions", opt(&facts.emissions_t)),
                            ("bank-fact-prior-emissions", opt(&facts.prior_emissions_t)),
                            ("bank-fact-cut", opt(&facts.emission_cut_pct())),
                            ("bank-fact-controversies", facts.controversies.to_string()),
                        ];
                        eligibility = Some(EligibilityView {
                            uscc: uscc.clone(),
                            org_id: org,
                            name,
                            rules,
                            products: eval.products.into_iter().collect(),
                            facts,
                        });
                    }
                    Err(e) => error = Some(AppError::from(e).msg.render(lang)),
                }
            }
        }
    }
    let calls = st
        .store
        .bank_calls(&auth.principal, Page::new(Some(1), Some(20)))
        .await?;
    let editions = Edition::shipped()
        .iter()
        .map(|e| EditionView {
            key: e.key(),
            name: by_lang(lang, &e.edition.name_zh, &e.edition.name_en).to_string(),
            window: format!(
                "{} – {}",
                e.edition.effective_from,
                e.edition
                    .effective_to
                    .map(|d| d.to_string())
                    .unwrap_or_default()
            ),
            instruments: e.edition.instruments.join(", "),
            confidence: format!("{:?}", e.meta.confidence),
            items: e
                .item
                .iter()
                .map(|i| {
                    (
                        i.code.clone(),
                        by_lang(lang, &i.name_zh, &i.name_en).to_string(),
                    )
                })
                .collect(),
        })
        .collect();
    render(&BankPage {
        facilities: st.store.facilities(&auth.principal).await?,
        rules,
        current,
        uscc,
        eligibility,
        error,
        editions,
        kinds: INSTRUMENTS.to_vec(),
        calls_total: calls.total,
        calls: calls.items,
        ctx,
    })
}

#[derive(Deserialize)]
pub struct RulesForm {
    source: String,
}

pub async fn rules_upload(
    State(st): State<AppState>,
    CsrfForm(_, auth, f): CsrfForm<RulesForm>,
) -> AppResult<Response> {
    st.store
        .upload_bank_rules(&auth.principal, &f.source)
        .await?;
    Ok(Redirect::to("/bank#rules").into_response())
}

/// The facility form (the input plus the form's CSRF field).
#[derive(Deserialize)]
pub struct FacilityForm {
    reference: String,
    kind: String,
    borrower_uscc: String,
    amount: String,
    currency: String,
    approved_on: String,
    #[serde(default)]
    edition: Option<String>,
    item: String,
}

pub async fn facility_add(
    State(st): State<AppState>,
    CsrfForm(_, auth, f): CsrfForm<FacilityForm>,
) -> AppResult<Response> {
    let input = FacilityInput {
        reference: f.reference,
        kind: f.kind,
        borrower_uscc: f.borrower_uscc,
        amount: f.amount,
        currency: f.currency,
        approved_on: f.approved_on,
        edition: f.edition,
        item: f.item,
    };
    st.store.record_facility(&auth.principal, &input).await?;
    Ok(Redirect::to("/bank#facilities").into_response())
}
