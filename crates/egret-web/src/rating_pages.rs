//! Ratings: the analysts' page (runs, running one, open objections) and an
//! organisation's explanation (every indicator's value, points, data
//! quality and contribution, the deduction, peers, what would raise the
//! score most) with its objections.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use egret_domain::rating::{Methodology, headroom};
use egret_i18n::Lang;
use serde::Deserialize;

use crate::AppState;
use crate::auth::{CsrfForm, UserCtx};
use crate::error::{AppError, AppResult};
use crate::pages::render;
use crate::view::{PageCtx, by_lang};

fn method(key: &str) -> Result<&'static Methodology, AppError> {
    Methodology::find(key).ok_or_else(AppError::not_found)
}

#[derive(Template)]
#[template(path = "ratings.html")]
struct RatingsPage {
    ctx: PageCtx,
    /// (run id, methodology, year, organisations, digest, when)
    /// (run id, methodology, year, organisations, digest, run at,
    /// published)
    runs: Vec<(String, String, i32, i64, String, String, bool)>,
    /// (org id, objection id, indicator, text, evidence, filed)
    open: Vec<(String, String, String, String, String, String)>,
    can_run: bool,
    methodologies: Vec<String>,
}

pub async fn ratings_page(
    State(st): State<AppState>,
    UserCtx(ctx, auth): UserCtx,
) -> AppResult<Response> {
    let mut runs = Vec::new();
    for r in st.store.rating_runs().await? {
        let published = st.store.rating_run_published(&r.run_id).await?;
        runs.push((
            r.run_id,
            r.methodology,
            r.fiscal_year,
            r.organisations,
            r.digest,
            r.run_at,
            published,
        ));
    }
    let can_run = matches!(
        auth.principal.role,
        egret_domain::access::Role::Analyst | egret_domain::access::Role::PlatformAdmin
    );
    let open = if can_run {
        st.store
            .objections(&auth.principal, None)
            .await?
            .into_iter()
            .filter(|o| o.resolution.is_none())
            .map(|o| {
                (
                    o.org_id,
                    o.objection_id,
                    o.indicator.unwrap_or_default(),
                    o.objection,
                    o.evidence,
                    o.filed_at,
                )
            })
            .collect()
    } else {
        Vec::new()
    };
    render(&RatingsPage {
        runs,
        open,
        can_run,
        methodologies: Methodology::shipped()
            .iter()
            .map(Methodology::key)
            .collect(),
        ctx,
    })
}

#[derive(Deserialize)]
pub struct RunForm {
    year: i32,
    methodology: String,
}

pub async fn run(
    State(st): State<AppState>,
    CsrfForm(_, auth, f): CsrfForm<RunForm>,
) -> AppResult<Response> {
    st.store
        .run_rating(&auth.principal, f.year, &f.methodology)
        .await?;
    st.bank.forget_cards();
    Ok(Redirect::to("/ratings").into_response())
}

pub struct IndicatorRow {
    id: String,
    issue: String,
    name: String,
    datapoint: String,
    value: String,
    points: String,
    quality: String,
    contribution: String,
}

#[derive(Template)]
#[template(path = "rating.html")]
struct RatingPage {
    ctx: PageCtx,
    org_id: String,
    org_name: String,
    run_id: String,
    methodology: String,
    year: i32,
    grade: String,
    score: String,
    deduction: String,
    quality: String,
    coverage: String,
    peer_group: String,
    /// (pillar, points)
    pillars: Vec<(String, String)>,
    rows: Vec<IndicatorRow>,
    /// (indicator name, up to points)
    what_if: Vec<(String, String)>,
    /// (id, indicator, text, evidence, filed, resolution, response)
    objections: Vec<(String, String, String, String, String, String, String)>,
    can_object: bool,
    can_resolve: bool,
    /// Other runs: (run id, year, grade, score)
    history: Vec<(String, i32, String, String)>,
    /// (date, kind, description, source)
    controversies: Vec<(String, String, String, String)>,
    /// (id, name) of the methodology's controversy kinds.
    kinds: Vec<(String, String)>,
}

#[derive(Deserialize)]
pub struct RunQuery {
    run: Option<String>,
}

fn name(lang: Lang, zh: &str, en: &str) -> String {
    by_lang(lang, zh, en).to_string()
}

pub async fn rating_page(
    State(st): State<AppState>,
    UserCtx(ctx, auth): UserCtx,
    Path(id): Path<String>,
    Query(q): Query<RunQuery>,
) -> AppResult<Response> {
    let org = st.store.get_org(&auth.principal, &id).await?;
    let history = st.store.ratings_of(&auth.principal, &id).await?;
    let run = match q.run {
        Some(r) => history
            .iter()
            .find(|(k, _, _)| k.run_id == r)
            .ok_or_else(AppError::not_found)?,
        None => history.first().ok_or_else(AppError::not_found)?,
    };
    let (run, _, _) = run;
    let m = method(&run.methodology)?;
    let r = st
        .store
        .rating_of(&auth.principal, &id, &run.run_id)
        .await?;
    let lang = ctx.lang;
    let ind_name = |iid: &str| {
        m.indicator
            .iter()
            .find(|x| x.id == iid)
            .map_or(iid.to_string(), |x| name(lang, &x.name_zh, &x.name_en))
    };
    let rows = r
        .indicators
        .iter()
        .map(|i| {
            let x = m.indicator.iter().find(|x| x.id == i.indicator);
            IndicatorRow {
                id: i.indicator.clone(),
                issue: m
                    .issue
                    .iter()
                    .find(|s| s.id == i.issue)
                    .map_or(i.issue.clone(), |s| name(lang, &s.name_zh, &s.name_en)),
                name: ind_name(&i.indicator),
                datapoint: x.map(|x| x.datapoint.clone()).unwrap_or_default(),
                value: i
                    .value
                    .map(|v| v.round_dp(4).normalize().to_string())
                    .unwrap_or_default(),
                points: i
                    .points
                    .map_or_else(|| ctx.t("rt-left-out"), |p| p.normalize().to_string()),
                quality: ctx.t(&format!("rt-q-{}", i.quality)),
                contribution: i.contribution.to_string(),
            }
        })
        .collect();
    let objections = st
        .store
        .objections(&auth.principal, Some(&id))
        .await?
        .into_iter()
        .filter(|o| o.run_id == run.run_id)
        .map(|o| {
            (
                o.objection_id,
                o.indicator.as_deref().map(&ind_name).unwrap_or_default(),
                o.objection,
                o.evidence,
                o.filed_at,
                o.resolution
                    .map(|s| ctx.t(&format!("rt-resolution-{s}")))
                    .unwrap_or_else(|| ctx.t("rt-open")),
                o.response.unwrap_or_default(),
            )
        })
        .collect();
    let controversies = st
        .store
        .controversies_of(&auth.principal, &id)
        .await?
        .into_iter()
        .map(|c| {
            let kind = m
                .controversy
                .iter()
                .find(|k| k.id == c.kind)
                .map_or(c.kind.clone(), |k| name(lang, &k.name_zh, &k.name_en));
            (c.occurred_on, kind, c.description, c.source)
        })
        .collect();
    let quality = m
        .quality
        .iter()
        .find(|q| q.id == r.quality)
        .map_or(r.quality.clone(), |q| name(lang, &q.name_zh, &q.name_en));
    render(&RatingPage {
        org_name: name(
            lang,
            &org.profile.name_zh,
            org.profile
                .name_en
                .as_deref()
                .unwrap_or(&org.profile.name_zh),
        ),
        org_id: id.clone(),
        run_id: run.run_id.clone(),
        methodology: format!(
            "{} ({})",
            name(lang, &m.methodology.name_zh, &m.methodology.name_en),
            m.key()
        ),
        year: run.fiscal_year,
        grade: r.grade.clone(),
        score: r.score.to_string(),
        deduction: r.deduction.to_string(),
        coverage: format!(
            "{}% / {}%",
            (r.coverage * rust_decimal::Decimal::ONE_HUNDRED).normalize(),
            (r.assured_share * rust_decimal::Decimal::ONE_HUNDRED).normalize()
        ),
        quality,
        peer_group: r.peer_group.clone(),
        pillars: m
            .pillar
            .iter()
            .map(|p| {
                (
                    name(lang, &p.name_zh, &p.name_en),
                    r.pillars
                        .get(&p.id)
                        .map(|d| d.to_string())
                        .unwrap_or_default(),
                )
            })
            .collect(),
        rows,
        what_if: headroom(m, &r, org.profile.cluster.as_deref())
            .into_iter()
            .take(5)
            .map(|(i, gain)| (ind_name(&i), gain.to_string()))
            .collect(),
        objections,
        can_object: auth.principal.can_write_org(&id),
        can_resolve: matches!(
            auth.principal.role,
            egret_domain::access::Role::Analyst | egret_domain::access::Role::PlatformAdmin
        ),
        controversies,
        kinds: m
            .controversy
            .iter()
            .map(|k| (k.id.clone(), name(lang, &k.name_zh, &k.name_en)))
            .collect(),
        history: history
            .iter()
            .map(|(k, g, s)| (k.run_id.clone(), k.fiscal_year, g.clone(), s.clone()))
            .collect(),
        ctx,
    })
}

#[derive(Deserialize)]
pub struct ObjectionForm {
    run_id: String,
    #[serde(default)]
    indicator: String,
    objection: String,
    evidence: String,
}

pub async fn object(
    State(st): State<AppState>,
    Path(id): Path<String>,
    CsrfForm(_, auth, f): CsrfForm<ObjectionForm>,
) -> AppResult<Response> {
    let indicator = Some(f.indicator.as_str()).filter(|i| !i.is_empty());
    st.store
        .file_objection(
            &auth.principal,
            &id,
            &f.run_id,
            indicator,
            &f.objection,
            &f.evidence,
        )
        .await?;
    Ok(Redirect::to(&format!("/orgs/{id}/rating?run={}#objections", f.run_id)).into_response())
}

#[derive(Deserialize)]
pub struct ResolveForm {
    run_id: String,
    resolution: String,
    response: String,
}

pub async fn resolve(
    State(st): State<AppState>,
    Path((id, oid)): Path<(String, String)>,
    CsrfForm(_, auth, f): CsrfForm<ResolveForm>,
) -> AppResult<Response> {
    st.store
        .resolve_objection(&auth.principal, &id, &oid, &f.resolution, &f.response)
        .await?;
    Ok(Redirect::to(&format!("/orgs/{id}/rating?run={}#objections", f.run_id)).into_response())
}

#[derive(Deserialize)]
pub struct ControversyForm {
    kind: String,
    occurred_on: String,
    description: String,
    source: String,
}

pub async fn controversy_add(
    State(st): State<AppState>,
    Path(id): Path<String>,
    CsrfForm(_, auth, f): CsrfForm<ControversyForm>,
) -> AppResult<Response> {
    st.store
        .record_controversy(
            &auth.principal,
            &id,
            &f.kind,
            &f.occurred_on,
            &f.description,
            &f.source,
        )
        .await?;
    Ok(Redirect::to(&format!("/orgs/{id}/rating#controversies")).into_response())
}

pub async fn publish(
    State(st): State<AppState>,
    Path(run): Path<String>,
    CsrfForm(_, auth, _f): CsrfForm<Empty>,
) -> AppResult<Response> {
    st.store.publish_rating_run(&auth.principal, &run).await?;
    st.bank.forget_cards();
    Ok(Redirect::to("/ratings").into_response())
}

#[derive(Deserialize)]
pub struct Empty {}

/// A ranked group: (name, rows of (rank, organisation, grade, score)).
type Group = (String, Vec<(usize, String, String, String)>);

#[derive(Template)]
#[template(path = "rankings.html")]
struct RankingsPage {
    ctx: PageCtx,
    year: i32,
    years: Vec<i32>,
    by: String,
    published: bool,
    methodology: String,
    pioneers: Vec<Group>,
    groups: Vec<Group>,
}

#[derive(Deserialize)]
pub struct RankingsQuery {
    year: Option<i32>,
    by: Option<String>,
}

/// Public rankings of the latest published run of a year: ESG pioneer
/// lists and rankings by industry cluster, district, pilot zone or
/// ownership.
pub async fn rankings_page(
    State(st): State<AppState>,
    crate::auth::Ctx(ctx, _): crate::auth::Ctx,
    Query(q): Query<RankingsQuery>,
) -> AppResult<Response> {
    use egret_domain::rating::{Rankings, ranking_order};
    let facts = st.store.public_city_facts().await?;
    let mut years: Vec<i32> = facts.published.iter().map(|(_, y)| *y).collect();
    years.sort_unstable();
    years.dedup();
    let year = q.year.or_else(|| years.last().copied()).unwrap_or(2025);
    let by = match q.by.as_deref() {
        Some(b @ ("district" | "zone" | "ownership")) => b.to_string(),
        _ => "cluster".to_string(),
    };
    let lang = ctx.lang;
    let rd = egret_domain::refdata::ReferenceData::embedded();
    let run = st.store.latest_published_run(year).await?;
    let results = match &run {
        Some(r) => st.store.rating_results(&r.run_id).await?,
        None => Vec::new(),
    };
    let orgs: std::collections::HashMap<&str, &egret_domain::programme::OrgFacts> =
        facts.orgs.iter().map(|o| (o.org_id.as_str(), o)).collect();
    let named: Vec<(
        &egret_domain::rating::RatingResult,
        &egret_domain::programme::OrgFacts,
        String,
    )> = results
        .iter()
        .filter_map(|r| {
            let o = orgs.get(r.org_id.as_str())?;
            let n = name(lang, &o.name_zh, o.name_en.as_deref().unwrap_or(&o.name_zh));
            Some((r, *o, n))
        })
        .collect();
    let ranked = |mut rows: Vec<&(
        &egret_domain::rating::RatingResult,
        &egret_domain::programme::OrgFacts,
        String,
    )>,
                  top: usize| {
        rows.sort_by(|a, b| ranking_order((a.0, &a.2), (b.0, &b.2)));
        rows.into_iter()
            .take(top)
            .enumerate()
            .map(|(i, (r, _, n))| (i + 1, n.clone(), r.grade.clone(), r.score.to_string()))
            .collect::<Vec<_>>()
    };
    let p = egret_domain::programme::Programme::embedded();
    let pioneers = Rankings::embedded()
        .pioneer
        .iter()
        .map(|x| {
            let seg = p.segment(&x.segment);
            let rows = named
                .iter()
                .filter(|(_, o, _)| seg.is_some_and(|s| s.matches(o)))
                .collect();
            (name(lang, &x.name_zh, &x.name_en), ranked(rows, x.top))
        })
        .collect();
    let keys = |o: &egret_domain::programme::OrgFacts| -> Vec<String> {
        match by.as_str() {
            "district" => vec![o.district.clone()],
            "zone" => o.zones.clone(),
            "ownership" => vec![o.ownership.clone()],
            _ => o.cluster.clone().into_iter().collect(),
        }
    };
    let mut by_key: std::collections::BTreeMap<String, Vec<_>> = Default::default();
    for row in &named {
        for k in keys(row.1) {
            by_key.entry(k).or_default().push(row);
        }
    }
    let groups = by_key
        .into_iter()
        .map(|(k, rows)| {
            let title = match by.as_str() {
                "district" => rd.district(&k).map(|d| name(lang, &d.name_zh, &d.name_en)),
                "zone" => rd.zone(&k).map(|z| name(lang, &z.name_zh, &z.name_en)),
                "ownership" => Some(ctx.t(&format!("domain-ownership-{}", k.replace('_', "-")))),
                _ => rd.cluster(&k).map(|c| name(lang, &c.name_zh, &c.name_en)),
            }
            .unwrap_or(k);
            (title, ranked(rows, usize::MAX))
        })
        .collect();
    render(&RankingsPage {
        published: run.is_some(),
        methodology: run.map(|r| r.methodology).unwrap_or_default(),
        year,
        years,
        by,
        pioneers,
        groups,
        ctx,
    })
}

#[derive(Template)]
#[template(path = "cases.html")]
struct CasesPage {
    ctx: PageCtx,
    /// (title, organisation, paragraphs, report link, published)
    cases: Vec<(String, String, Vec<String>, String, String)>,
    can_publish: bool,
    /// (org id · submission id, label) of published reports.
    reports: Vec<(String, String)>,
}

/// Excellent cases (public), and the form the city and analysts use.
pub async fn cases_page(
    State(st): State<AppState>,
    crate::auth::Ctx(ctx, auth): crate::auth::Ctx,
) -> AppResult<Response> {
    let lang = ctx.lang;
    let can_publish = auth.as_ref().is_some_and(|a| {
        matches!(
            a.principal.role,
            egret_domain::access::Role::CityGov
                | egret_domain::access::Role::Analyst
                | egret_domain::access::Role::PlatformAdmin
        )
    });
    let cases = st
        .store
        .cases()
        .await?
        .into_iter()
        .map(|c| {
            let title = match (&c.case.title_en, lang) {
                (Some(en), Lang::En) => en.clone(),
                _ => c.case.title_zh.clone(),
            };
            let body = match (&c.case.body_en, lang) {
                (Some(en), Lang::En) => en.clone(),
                _ => c.case.body_zh.clone(),
            };
            (
                title,
                c.org_name,
                body.split("\n\n")
                    .map(str::trim)
                    .filter(|p| !p.is_empty())
                    .map(str::to_string)
                    .collect(),
                format!(
                    "/orgs/{}/submissions/{}",
                    c.case.org_id, c.case.submission_id
                ),
                c.published_at,
            )
        })
        .collect();
    let reports = if can_publish {
        st.store
            .published_submissions(200)
            .await?
            .into_iter()
            .map(|s| {
                let org = s.snapshot["organisation"]["name_zh"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string();
                (
                    format!("{} {}", s.org_id, s.submission_id),
                    format!("{org} · {} · {}", s.fiscal_year, s.catalog_key),
                )
            })
            .collect()
    } else {
        Vec::new()
    };
    render(&CasesPage {
        cases,
        can_publish,
        reports,
        ctx,
    })
}

#[derive(Deserialize)]
pub struct CaseForm {
    /// "ORG_ID SUBMISSION_ID"
    report: String,
    title_zh: String,
    #[serde(default)]
    title_en: String,
    body_zh: String,
    #[serde(default)]
    body_en: String,
}

pub async fn case_add(
    State(st): State<AppState>,
    CsrfForm(_, auth, f): CsrfForm<CaseForm>,
) -> AppResult<Response> {
    let (org_id, submission_id) = f.report.split_once(' ').unwrap_or((f.report.as_str(), ""));
    st.store
        .publish_case(
            &auth.principal,
            &egret_store::CaseInput {
                org_id: org_id.to_string(),
                submission_id: submission_id.to_string(),
                title_zh: f.title_zh,
                title_en: Some(f.title_en),
                body_zh: f.body_zh,
                body_en: Some(f.body_en),
            },
        )
        .await?;
    Ok(Redirect::to("/cases").into_response())
}
