//! The city's cockpit: disclosure against the programme's targets by
//! segment, pilot zone and district, the trend and projection, assurance
//! coverage and published emissions — every number a link to the list of
//! organisations behind it, exportable as CSV or XLSX. Figures come from
//! published reports only.

use std::collections::{BTreeMap, HashSet};

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use egret_domain::programme::{
    Count, DisclosureRow, OrgFacts, Programme, Scope, carbon_groups, disclosed_by_year, project,
    rate,
};
use egret_domain::refdata::ReferenceData;
use egret_i18n::Lang;
use egret_store::CityFacts;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde::Deserialize;

use crate::AppState;
use crate::auth::{Ctx, UserCtx};
use crate::charts::{self, Chart, Series};
use crate::error::{AppError, AppResult};
use crate::pages::render;
use crate::view::{PageCtx, by_lang};

/// Data points whose published figures the cockpit sums.
pub const CARBON_DATAPOINTS: [&str; 2] = ["ghg.scope1", "ghg.scope2-location"];

fn programme() -> &'static Programme {
    Programme::embedded()
}

fn rd() -> &'static ReferenceData {
    ReferenceData::embedded()
}

fn pct(d: Option<Decimal>) -> String {
    d.map(|d| format!("{d}%")).unwrap_or_else(|| "—".into())
}

/// A number and the list behind it.
pub struct Cell {
    pub n: usize,
    pub href: String,
}

pub struct RowView {
    pub name: String,
    pub eligible: Cell,
    pub disclosed: Cell,
    pub missing: Cell,
    pub rate: String,
    pub target: String,
    /// met | below | "" (no target)
    pub status: &'static str,
}

fn list_href(year: i32, segment: &str, scope: &Scope, status: &str) -> String {
    format!(
        "/cockpit/list?year={year}&segment={segment}&scope={}&status={status}",
        scope.key()
    )
}

fn row_view(lang: Lang, year: i32, scope: &Scope, r: &DisclosureRow) -> RowView {
    let seg = &r.segment.id;
    let cell = |n: usize, status: &str| Cell {
        n,
        href: list_href(year, seg, scope, status),
    };
    let rate_now = r.count.rate();
    RowView {
        name: by_lang(lang, &r.segment.name_zh, &r.segment.name_en).to_string(),
        eligible: cell(r.count.eligible.len(), "eligible"),
        disclosed: cell(r.count.disclosed.len(), "disclosed"),
        missing: cell(r.count.missing().len(), "missing"),
        rate: pct(rate_now),
        target: match (r.target, r.target_year) {
            (Some(t), Some(y)) => format!("{t}% ({y})"),
            _ => "—".into(),
        },
        status: match (rate_now, r.target) {
            (Some(now), Some(t)) if now >= t => "met",
            (Some(_), Some(_)) => "below",
            _ => "",
        },
    }
}

pub struct ScopeView {
    pub name: String,
    pub rows: Vec<RowView>,
}

pub struct TrendRow {
    pub name: String,
    /// Rate per year of `years`.
    pub rates: Vec<String>,
    pub projection: String,
    pub target: String,
}

pub struct CarbonView {
    pub name: String,
    pub orgs: Cell,
    pub total_t: String,
    pub intensity: String,
}

#[derive(Template)]
#[template(path = "cockpit.html")]
struct CockpitPage {
    ctx: PageCtx,
    programme: String,
    year: i32,
    years: Vec<i32>,
    end_year: i32,
    city: Vec<RowView>,
    city_chart: String,
    trend: Vec<TrendRow>,
    trend_chart: String,
    zones: Vec<(ScopeView, ScopeView)>,
    districts: Vec<ScopeView>,
    district_map: String,
    /// (year, disclosing, assured, rate, hrefs)
    assurance: Vec<(i32, Cell, Cell, String)>,
    carbon_clusters: Vec<CarbonView>,
    carbon_districts: Vec<CarbonView>,
    /// (year, disclosing, rated, share) per year.
    rated: Vec<(i32, usize, Cell, String)>,
    /// (grade, organisations) for the year, best first, and its chart.
    grades: Vec<(String, Cell)>,
    grade_chart: String,
}

#[derive(Deserialize)]
pub struct YearQuery {
    year: Option<i32>,
}

/// Years with published reports (and the programme's years so far).
fn years_of(facts: &CityFacts) -> Vec<i32> {
    let mut years: Vec<i32> = facts.published.iter().map(|(_, y)| *y).collect();
    years.sort_unstable();
    years.dedup();
    years
}

/// Published scope 1 + 2 (location-based) tonnes per organisation index.
fn emissions(facts: &CityFacts, year: i32) -> BTreeMap<usize, Decimal> {
    let index: std::collections::HashMap<&str, usize> = facts
        .orgs
        .iter()
        .enumerate()
        .map(|(i, o)| (o.org_id.as_str(), i))
        .collect();
    let mut out: BTreeMap<usize, Decimal> = BTreeMap::new();
    for f in facts.figures.iter().filter(|f| f.fiscal_year == year) {
        let Some(i) = index.get(f.org_id.as_str()) else {
            continue;
        };
        // Units are checked on entry; a figure in another mass unit of
        // CO2e is converted, anything else is left out.
        if let Ok(t) = egret_domain::units::convert(rd(), f.value, &f.unit, "tCO2e") {
            *out.entry(*i).or_default() += t;
        }
    }
    out
}

pub async fn cockpit(
    State(st): State<AppState>,
    UserCtx(ctx, auth): UserCtx,
    Query(q): Query<YearQuery>,
) -> AppResult<Response> {
    let facts = st
        .store
        .city_facts(&auth.principal, &CARBON_DATAPOINTS)
        .await?;
    let p = programme();
    let lang = ctx.lang;
    let years = years_of(&facts);
    let year = q
        .year
        .or_else(|| years.last().copied())
        .unwrap_or(p.info.start_year);
    let disclosed = disclosed_by_year(&facts.published);
    let rows = |scope: &Scope| -> Vec<RowView> {
        p.disclosure(&facts.orgs, &disclosed, year, scope)
            .iter()
            .map(|r| row_view(lang, year, scope, r))
            .collect()
    };
    let scope_view = |scope: Scope| {
        let (zh, en) = scope.names(rd());
        ScopeView {
            name: by_lang(lang, &zh, &en).to_string(),
            rows: rows(&scope),
        }
    };
    let city_rows = p.disclosure(&facts.orgs, &disclosed, year, &Scope::City);
    let seg_names: Vec<String> = p
        .segments
        .iter()
        .map(|s| by_lang(lang, &s.name_zh, &s.name_en).to_string())
        .collect();
    let to_f = |d: Option<Decimal>| d.and_then(|d| d.to_f64());
    let city_chart = charts::bar_chart(&Chart {
        title: &ctx.t("ck-chart-rates"),
        description: &ctx.t("ck-chart-rates-desc"),
        categories: &seg_names,
        series: &[
            Series {
                name: format!("{} {year}", ctx.t("ck-rate")),
                values: city_rows.iter().map(|r| to_f(r.count.rate())).collect(),
            },
            Series {
                name: ctx.t("ck-target"),
                values: city_rows.iter().map(|r| to_f(r.target)).collect(),
            },
        ],
        references: &[],
        y_max: Some(100.0),
        unit: "%",
    });
    // Trend and projection to the programme's last year.
    let mut trend = Vec::new();
    let mut trend_series = Vec::new();
    for seg in &p.segments {
        let by_year: BTreeMap<i32, Decimal> = years
            .iter()
            .filter_map(|y| {
                let none = HashSet::new();
                let d = disclosed.get(y).unwrap_or(&none);
                egret_domain::programme::count(&facts.orgs, seg, d, |_| true)
                    .rate()
                    .map(|r| (*y, r))
            })
            .collect();
        let target = city_rows
            .iter()
            .find(|r| r.segment.id == seg.id)
            .and_then(|r| r.target);
        trend_series.push(Series {
            name: by_lang(lang, &seg.name_zh, &seg.name_en).to_string(),
            values: years
                .iter()
                .map(|y| to_f(by_year.get(y).copied()))
                .collect(),
        });
        trend.push(TrendRow {
            name: by_lang(lang, &seg.name_zh, &seg.name_en).to_string(),
            rates: years.iter().map(|y| pct(by_year.get(y).copied())).collect(),
            projection: pct(project(&by_year, p.info.end_year)),
            target: pct(target),
        });
    }
    let year_labels: Vec<String> = years.iter().map(i32::to_string).collect();
    let trend_chart = charts::line_chart(&Chart {
        title: &ctx.t("ck-chart-trend"),
        description: &ctx.t("ck-chart-trend-desc"),
        categories: &year_labels,
        series: &trend_series,
        references: &[],
        y_max: Some(100.0),
        unit: "%",
    });
    let zones = rd()
        .zones()
        .map(|z| {
            (
                scope_view(Scope::Zone(z.id.clone())),
                scope_view(Scope::OutsideZone(z.id.clone())),
            )
        })
        .collect();
    let districts = rd()
        .districts()
        .map(|d| scope_view(Scope::District(d.code.clone())))
        .collect();
    // The first segment's rate by district on the schematic map.
    let district_map = p.segments.first().map_or_else(String::new, |seg| {
        let tiles: Vec<charts::Tile> = rd()
            .districts()
            .filter_map(|d| {
                let [col, row] = d.tile?;
                let scope = Scope::District(d.code.clone());
                let c = egret_domain::programme::count(
                    &facts.orgs,
                    seg,
                    disclosed.get(&year).unwrap_or(&HashSet::new()),
                    |o| scope.contains(o),
                );
                Some(charts::Tile {
                    label: by_lang(lang, &d.name_zh, &d.name_en).to_string(),
                    col,
                    row,
                    value: to_f(c.rate()),
                    href: list_href(year, &seg.id, &scope, "missing"),
                })
            })
            .collect();
        charts::tile_map(
            &format!(
                "{} · {}",
                ctx.t("ck-map"),
                by_lang(lang, &seg.name_zh, &seg.name_en)
            ),
            &ctx.t("ck-map-desc"),
            &tiles,
            100.0,
            "%",
        )
    });
    // Assurance: of the organisations disclosing each year, those whose
    // published report carries a signed conclusion.
    let assurance = years
        .iter()
        .map(|y| {
            let n_pub = facts.published.iter().filter(|(_, fy)| fy == y).count();
            let n_ass = facts.assured.iter().filter(|(_, fy)| fy == y).count();
            (
                *y,
                Cell {
                    n: n_pub,
                    href: format!("/cockpit/list?year={y}&status=published"),
                },
                Cell {
                    n: n_ass,
                    href: format!("/cockpit/list?year={y}&status=assured"),
                },
                pct(rate(n_ass, n_pub)),
            )
        })
        .collect();
    // Ratings: organisations rated in each year's latest run, of those
    // disclosing; the grade distribution of the chosen year.
    let rated = years
        .iter()
        .map(|y| {
            let n_pub = facts.published.iter().filter(|(_, fy)| fy == y).count();
            let n = facts.grades.keys().filter(|(_, fy)| fy == y).count();
            (
                *y,
                n_pub,
                Cell {
                    n,
                    href: format!("/cockpit/list?year={y}&status=rated"),
                },
                pct(rate(n, n_pub)),
            )
        })
        .collect();
    let scale = &egret_domain::rating::Methodology::shipped()[0].grade;
    let grades: Vec<(String, Cell)> = scale
        .iter()
        .map(|g| {
            let n = facts
                .grades
                .iter()
                .filter(|((_, fy), gr)| *fy == year && **gr == g.id)
                .count();
            (
                g.id.clone(),
                Cell {
                    n,
                    href: format!("/cockpit/list?year={year}&status=rated&grade={}", g.id),
                },
            )
        })
        .collect();
    let grade_chart = charts::histogram(
        &format!("{} · {year}", ctx.t("ck-grades")),
        &ctx.t("ck-grades-desc"),
        &grades.iter().map(|g| g.0.clone()).collect::<Vec<_>>(),
        &grades.iter().map(|g| g.1.n as u64).collect::<Vec<_>>(),
    );
    let em = emissions(&facts, year);
    let revenue = |o: &OrgFacts| facts.revenue_cny.get(&o.org_id).copied();
    let carbon = |by: &str| -> Vec<CarbonView> {
        let key = |o: &OrgFacts| match by {
            "cluster" => o.cluster.clone(),
            _ => Some(o.district.clone()),
        };
        carbon_groups(&facts.orgs, &em, revenue, key)
            .into_iter()
            .map(|g| CarbonView {
                name: match by {
                    "cluster" => rd().cluster(&g.key).map_or(g.key.clone(), |c| {
                        by_lang(lang, &c.name_zh, &c.name_en).to_string()
                    }),
                    _ => rd().district(&g.key).map_or(g.key.clone(), |d| {
                        by_lang(lang, &d.name_zh, &d.name_en).to_string()
                    }),
                },
                orgs: Cell {
                    n: g.orgs.len(),
                    href: format!(
                        "/cockpit/list?year={year}&status=carbon&group={by}:{}",
                        g.key
                    ),
                },
                total_t: egret_domain::value::group_thousands(&g.total_t.round_dp(1).to_string()),
                intensity: g
                    .intensity
                    .map(|i| i.to_string())
                    .unwrap_or_else(|| "—".into()),
            })
            .collect()
    };
    render(&CockpitPage {
        programme: by_lang(lang, &p.info.name_zh, &p.info.name_en).to_string(),
        year,
        end_year: p.info.end_year,
        city: city_rows
            .iter()
            .map(|r| row_view(lang, year, &Scope::City, r))
            .collect(),
        city_chart,
        trend,
        trend_chart,
        zones,
        districts,
        district_map,
        assurance,
        carbon_clusters: carbon("cluster"),
        carbon_districts: carbon("district"),
        rated,
        grades,
        grade_chart,
        years,
        ctx,
    })
}

// ------------------------------------------------------------------ lists

#[derive(Deserialize)]
pub struct ListQuery {
    year: i32,
    #[serde(default)]
    segment: Option<String>,
    #[serde(default)]
    scope: Option<String>,
    /// eligible | disclosed | missing | published | assured | carbon
    status: String,
    /// For `carbon`: `cluster:ID` or `district:CODE`.
    #[serde(default)]
    group: Option<String>,
    /// For `rated`: one grade only.
    #[serde(default)]
    grade: Option<String>,
    /// csv | xlsx (else the page)
    #[serde(default)]
    format: Option<String>,
}

/// The organisations behind a cockpit figure, with a title; `extra` is a
/// value per organisation (tonnes for carbon lists).
pub struct OrgList {
    pub title: String,
    pub orgs: Vec<usize>,
    pub extra: BTreeMap<usize, Decimal>,
}

fn bad(field: &str) -> AppError {
    AppError::bad_request(egret_i18n::Msg::new("ck-bad-query").arg("field", field))
}

/// Resolves a list query against the facts (shared by the page, the
/// exports and the figure-equals-list test).
pub fn resolve(facts: &CityFacts, q: &ListQuery, lang: Lang) -> Result<OrgList, AppError> {
    let p = programme();
    let disclosed = disclosed_by_year(&facts.published);
    let none = HashSet::new();
    let of_year = disclosed.get(&q.year).unwrap_or(&none);
    let index_of = |pairs: &[(String, i32)]| -> Vec<usize> {
        let ids: HashSet<&str> = pairs
            .iter()
            .filter(|(_, y)| *y == q.year)
            .map(|(o, _)| o.as_str())
            .collect();
        (0..facts.orgs.len())
            .filter(|i| ids.contains(facts.orgs[*i].org_id.as_str()))
            .collect()
    };
    let t = |k: &str| egret_i18n::t(lang, k);
    Ok(match q.status.as_str() {
        "published" | "assured" => OrgList {
            title: format!("{} · {}", t(&format!("ck-list-{}", q.status)), q.year),
            orgs: index_of(if q.status == "published" {
                &facts.published
            } else {
                &facts.assured
            }),
            extra: BTreeMap::new(),
        },
        "rated" => OrgList {
            title: format!(
                "{} {} · {}",
                t("ck-list-rated"),
                q.grade.as_deref().unwrap_or_default(),
                q.year
            ),
            orgs: (0..facts.orgs.len())
                .filter(|i| {
                    facts
                        .grades
                        .get(&(facts.orgs[*i].org_id.clone(), q.year))
                        .is_some_and(|g| q.grade.as_ref().is_none_or(|want| want == g))
                })
                .collect(),
            extra: BTreeMap::new(),
        },
        "carbon" => {
            let group = q.group.as_deref().ok_or_else(|| bad("group"))?;
            let (by, key) = group.split_once(':').ok_or_else(|| bad("group"))?;
            let em = emissions(facts, q.year);
            let orgs: Vec<usize> = em
                .keys()
                .copied()
                .filter(|i| {
                    let o = &facts.orgs[*i];
                    match by {
                        "cluster" => o.cluster.as_deref() == Some(key),
                        _ => o.district == key,
                    }
                })
                .collect();
            OrgList {
                title: format!("{} · {group} · {}", t("ck-carbon"), q.year),
                extra: orgs.iter().map(|i| (*i, em[i])).collect(),
                orgs,
            }
        }
        status @ ("eligible" | "disclosed" | "missing") => {
            let seg_id = q.segment.as_deref().ok_or_else(|| bad("segment"))?;
            let seg = p.segment(seg_id).ok_or_else(|| bad("segment"))?;
            let scope = Scope::parse(q.scope.as_deref().unwrap_or("city"), rd())
                .ok_or_else(|| bad("scope"))?;
            let c: Count =
                egret_domain::programme::count(&facts.orgs, seg, of_year, |o| scope.contains(o));
            let (zh, en) = scope.names(rd());
            OrgList {
                title: format!(
                    "{} · {} · {} · {}",
                    by_lang(lang, &seg.name_zh, &seg.name_en),
                    by_lang(lang, &zh, &en),
                    t(&format!("ck-{status}")),
                    q.year
                ),
                orgs: match status {
                    "eligible" => c.eligible.clone(),
                    "disclosed" => c.disclosed.clone(),
                    _ => c.missing(),
                },
                extra: BTreeMap::new(),
            }
        }
        _ => return Err(bad("status")),
    })
}

#[derive(Template)]
#[template(path = "cockpit_list.html")]
struct ListPage {
    ctx: PageCtx,
    title: String,
    header: Vec<String>,
    rows: Vec<(String, Vec<String>)>,
    csv_href: String,
    xlsx_href: String,
    back: String,
}

fn table(
    facts: &CityFacts,
    list: &OrgList,
    lang: Lang,
) -> (Vec<String>, Vec<(String, Vec<String>)>) {
    let t = |k: &str| egret_i18n::t(lang, k);
    let mut header = vec![
        t("field-name-zh"),
        t("field-name-en"),
        t("field-uscc"),
        t("field-district"),
        t("field-cluster"),
        t("field-ownership"),
        t("ck-zones"),
    ];
    if !list.extra.is_empty() {
        header.push("tCO2e".into());
    }
    let rows = list
        .orgs
        .iter()
        .map(|i| {
            let o = &facts.orgs[*i];
            let mut cells = vec![
                o.name_zh.clone(),
                o.name_en.clone().unwrap_or_default(),
                o.uscc.clone(),
                rd().district(&o.district).map_or(o.district.clone(), |d| {
                    by_lang(lang, &d.name_zh, &d.name_en).to_string()
                }),
                o.cluster
                    .as_deref()
                    .and_then(|c| rd().cluster(c))
                    .map(|c| by_lang(lang, &c.name_zh, &c.name_en).to_string())
                    .unwrap_or_default(),
                t(&format!(
                    "domain-ownership-{}",
                    o.ownership.replace('_', "-")
                )),
                o.zones.join(" "),
            ];
            if let Some(v) = list.extra.get(i) {
                cells.push(v.normalize().to_string());
            }
            (o.org_id.clone(), cells)
        })
        .collect();
    (header, rows)
}

pub async fn cockpit_list(
    State(st): State<AppState>,
    UserCtx(ctx, auth): UserCtx,
    axum::extract::RawQuery(raw): axum::extract::RawQuery,
    Query(q): Query<ListQuery>,
) -> AppResult<Response> {
    let facts = st
        .store
        .city_facts(&auth.principal, &CARBON_DATAPOINTS)
        .await?;
    let list = resolve(&facts, &q, ctx.lang)?;
    let (header, rows) = table(&facts, &list, ctx.lang);
    let base: String = form_urlencoded::parse(raw.unwrap_or_default().as_bytes())
        .filter(|(k, _)| k != "format")
        .fold(
            form_urlencoded::Serializer::new(String::new()),
            |mut s, (k, v)| {
                s.append_pair(&k, &v);
                s
            },
        )
        .finish();
    let name = format!("egret-{}-{}", q.status, q.year);
    match q.format.as_deref() {
        Some("csv") => {
            let h: Vec<&str> = header.iter().map(String::as_str).collect();
            let body: Vec<Vec<String>> = rows.into_iter().map(|(_, c)| c).collect();
            Ok(crate::report_pages::file_response(
                "text/csv; charset=utf-8",
                &format!("attachment; filename=\"{name}.csv\""),
                egret_import::table::write_csv(&h, &body),
            ))
        }
        Some("xlsx") => {
            let h: Vec<&str> = header.iter().map(String::as_str).collect();
            let body: Vec<Vec<String>> = rows.into_iter().map(|(_, c)| c).collect();
            let bytes = egret_import::table::write_xlsx("list", &h, &body).map_err(|e| {
                tracing::error!(error = %e, "writing the list failed");
                AppError::new(
                    axum::http::StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    egret_i18n::Msg::new("store-internal"),
                )
            })?;
            Ok(crate::report_pages::file_response(
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                &format!("attachment; filename=\"{name}.xlsx\""),
                bytes,
            ))
        }
        _ => render(&ListPage {
            title: list.title,
            header,
            rows,
            csv_href: format!("/cockpit/list?{base}&format=csv"),
            xlsx_href: format!("/cockpit/list?{base}&format=xlsx"),
            back: format!("/cockpit?year={}", q.year),
            ctx,
        }),
    }
}

// ------------------------------------------------------------------ public

#[derive(Template)]
#[template(path = "city.html")]
struct CityPage {
    ctx: PageCtx,
    programme: String,
    year: i32,
    /// (segment, rate, target)
    rows: Vec<(String, String, String)>,
    published: usize,
    assured: usize,
    institutions: usize,
}

/// The public page: headline figures only (no lists).
pub async fn city_page(State(st): State<AppState>, Ctx(ctx, _): Ctx) -> AppResult<Response> {
    let facts = st.store.public_city_facts().await?;
    let p = programme();
    let lang = ctx.lang;
    let year = years_of(&facts)
        .last()
        .copied()
        .unwrap_or(p.info.start_year);
    let disclosed = disclosed_by_year(&facts.published);
    let rows = p
        .disclosure(&facts.orgs, &disclosed, year, &Scope::City)
        .iter()
        .map(|r| {
            (
                by_lang(lang, &r.segment.name_zh, &r.segment.name_en).to_string(),
                pct(r.count.rate()),
                p.target(&r.segment.id)
                    .map(|t| by_lang(lang, &t.text_zh, &t.text_en).to_string())
                    .unwrap_or_default(),
            )
        })
        .collect();
    render(&CityPage {
        programme: by_lang(lang, &p.info.name_zh, &p.info.name_en).to_string(),
        year,
        rows,
        published: facts.published.iter().filter(|(_, y)| *y == year).count(),
        assured: facts.assured.iter().filter(|(_, y)| *y == year).count(),
        institutions: st.store.institutions().await?.len(),
        ctx,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_links_carry_the_scope_and_status() {
        assert_eq!(
            list_href(2025, "listed", &Scope::District("350203".into()), "missing"),
            "/cockpit/list?year=2025&segment=listed&scope=district:350203&status=missing"
        );
        assert_eq!(pct(None), "—");
        assert_eq!(pct(Some("70.5".parse().unwrap())), "70.5%");
    }
}
