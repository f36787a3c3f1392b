//! Product systems (life cycle models) an enterprise builds, their
//! calculations, and the suppliers whose PACT footprints feed them.
//!
//! Every edit saves a new version of the model (with what changed); a
//! calculation solves one version with the engine the binary supplies and
//! is stored once, with the model's digest. A footprint made from a
//! calculation names it (`lca:<id>`), so every number traces back to its
//! processes, factors (library version and document), suppliers'
//! footprints and the people who entered them.

use std::collections::BTreeMap;

use askama::Template;
use axum::Json;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use egret_carbon::library::{Factor, Library};
use egret_domain::FieldError;
use egret_domain::pcf::GWP_SETS;
use egret_domain::product_system::{
    CO2E, CalcOptions, Calculation, DISTRIBUTIONS, EmissionKind, EmissionModel, InputModel,
    ProcessModel, ProcessSource, ProductSystemModel, SolveError, UncertaintySpec,
};
use egret_i18n::Msg;
use egret_store::{
    CalculationRecord, PactSupplier, ReceivedFootprint, SystemSummary, SystemVersion, VersionInfo,
};
use rust_decimal::Decimal;
use serde::Deserialize;

use crate::AppState;
use crate::api::ApiJson;
use crate::auth::{Auth, CsrfForm, UserCtx, check_token};
use crate::error::{AppError, AppResult};
use crate::pages::render;
use crate::view::{PageCtx, by_lang};

fn lib() -> &'static Library {
    Library::embedded()
}

/// The GWP of a gas in a set, from the carbon library.
fn gwp(set: &str) -> impl Fn(&str) -> Option<Decimal> + '_ {
    move |gas| lib().gwp.value(set, gas)
}

fn field(name: impl Into<String>, key: &'static str) -> FieldError {
    FieldError::new(name, Msg::new(key))
}

fn decimal(name: &str, raw: &str) -> Result<Decimal, AppError> {
    egret_domain::value::parse_decimal(raw)
        .map_err(|m| AppError::invalid(vec![FieldError::new(name, m)]))
}

fn opt_decimal(name: &str, raw: &str) -> Result<Option<Decimal>, AppError> {
    if raw.trim().is_empty() {
        Ok(None)
    } else {
        decimal(name, raw).map(Some)
    }
}

async fn org_name(st: &AppState, ctx: &PageCtx, auth: &Auth, id: &str) -> AppResult<String> {
    let org = st.store.get_org(&auth.principal, id).await?;
    Ok(by_lang(
        ctx.lang,
        &org.profile.name_zh,
        org.profile
            .name_en
            .as_deref()
            .unwrap_or(&org.profile.name_zh),
    )
    .to_string())
}

// ---------------------------------------------------------------- list

#[derive(Template)]
#[template(path = "products.html")]
struct ProductsPage {
    ctx: PageCtx,
    org_id: String,
    org_name: String,
    systems: Vec<SystemSummary>,
    can_write: bool,
    gwp_sets: Vec<&'static str>,
}

pub async fn products_page(
    State(st): State<AppState>,
    UserCtx(ctx, auth): UserCtx,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let org_name = org_name(&st, &ctx, &auth, &id).await?;
    let systems = st.store.product_systems_of(&auth.principal, &id).await?;
    render(&ProductsPage {
        can_write: auth.principal.can_write_org(&id),
        org_id: id,
        org_name,
        systems,
        gwp_sets: GWP_SETS.to_vec(),
        ctx,
    })
}

#[derive(Deserialize)]
pub struct NewSystemForm {
    name: String,
    process_name: String,
    product: String,
    unit: String,
    amount: String,
    gwp_set: String,
}

/// A new system: its reference process (the product), nothing else yet.
pub async fn product_create(
    State(st): State<AppState>,
    Path(id): Path<String>,
    CsrfForm(_, auth, f): CsrfForm<NewSystemForm>,
) -> AppResult<Response> {
    let amount = decimal("amount", &f.amount)?;
    let product = f.product.trim().to_string();
    let model = ProductSystemModel {
        name: f.name.trim().into(),
        reference_product: product.clone(),
        amount,
        gwp_set: f.gwp_set,
        processes: vec![ProcessModel {
            id: slug(&product, &[]),
            name: f.process_name.trim().into(),
            product,
            unit: f.unit.trim().into(),
            output: Decimal::ONE,
            source: ProcessSource::Own,
            inputs: vec![],
            emissions: vec![],
        }],
        flows: vec![],
    };
    check_new(&model)?;
    let v = st
        .store
        .create_product_system(&auth.principal, &id, &model, "created")
        .await?;
    Ok(Redirect::to(&system_href(&id, &v.system_id)).into_response())
}

/// The checks a model must pass to be stored at all (a draft may still
/// have open inputs; the engine's checks come at calculation).
fn check_new(m: &ProductSystemModel) -> AppResult<()> {
    let mut e = Vec::new();
    if m.name.trim().is_empty() {
        e.push(field("name", "domain-required"));
    }
    if m.reference_product.trim().is_empty() {
        e.push(field("product", "domain-required"));
    }
    if m.processes.iter().any(|p| p.name.trim().is_empty()) {
        e.push(field("process_name", "domain-required"));
    }
    if m.amount <= Decimal::ZERO {
        e.push(field("amount", "domain-pcf-positive"));
    }
    if !GWP_SETS.contains(&m.gwp_set.as_str()) {
        e.push(field("gwp_set", "domain-pcf-gwp"));
    }
    if e.is_empty() {
        Ok(())
    } else {
        Err(AppError::invalid(e))
    }
}

/// Imports a model from a file: openLCA JSON-LD (`.zip`) or Egret's own
/// model (`.toml` / `.json`).
pub async fn product_import(
    State(st): State<AppState>,
    UserCtx(_, auth): UserCtx,
    Path(id): Path<String>,
    mp: Multipart,
) -> AppResult<Response> {
    let (fields, file) = crate::data_pages::multipart_fields(mp).await?;
    check_token(fields.get("csrf").map(String::as_str), &auth)?;
    let (fname, _, bytes) =
        file.ok_or_else(|| AppError::bad_request(Msg::new("upload-no-file")))?;
    let get = |k: &str| {
        fields
            .get(k)
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
    };
    let gwp_set = get("gwp_set").unwrap_or_else(|| "AR6".into());
    let lower = fname.to_ascii_lowercase();
    let (model, note) = if lower.ends_with(".zip") && egret_import::archive::zip_holds_csv(&bytes) {
        let opts = egret_import::triplets::TripletOptions {
            demand_product: get("reference"),
            amount: get("amount").map(|a| decimal("amount", &a)).transpose()?,
            gwp_set,
            name: get("name"),
        };
        let imp =
            egret_import::triplets::read_triplets_zip(&fname, &bytes, &opts).map_err(|errs| {
                AppError::invalid(
                    errs.into_iter()
                        .map(|e| {
                            let mut at = format!("{fname}: {}", e.file);
                            if let Some(r) = e.row {
                                at.push_str(&format!(", row {r}"));
                            }
                            if let Some(c) = &e.column {
                                at.push_str(&format!(", column {c}"));
                            }
                            FieldError::new(at, e.msg)
                        })
                        .collect(),
                )
            })?;
        let note = format!(
            "matrix files {fname}: {} processes ({} flows without factor)",
            imp.model.processes.len(),
            imp.skipped_flows.len()
        );
        (imp.model, note)
    } else if lower.ends_with(".zip") {
        let opts = egret_import::olca::OlcaOptions {
            impact_category: get("category"),
            reference_process: get("reference"),
            amount: get("amount").map(|a| decimal("amount", &a)).transpose()?,
            gwp_set,
            name: get("name"),
        };
        let imp = egret_import::olca::read_olca_zip(&fname, &bytes, &opts).map_err(|errs| {
            AppError::invalid(
                errs.into_iter()
                    .map(|e| {
                        let at = match &e.path {
                            Some(p) if e.file != fname => format!("{fname}: {}: {p}", e.file),
                            Some(p) => format!("{fname}: {p}"),
                            None if e.file != fname => format!("{fname}: {}", e.file),
                            None => fname.clone(),
                        };
                        FieldError::new(at, e.msg)
                    })
                    .collect(),
            )
        })?;
        let note = format!(
            "openLCA JSON-LD {fname}: {} processes, {} ({} flows without factor)",
            imp.processes,
            imp.category,
            imp.skipped_flows.len()
        );
        (imp.model, note)
    } else {
        let text = std::str::from_utf8(&bytes).map_err(|_| {
            AppError::invalid(vec![FieldError::new(
                fname.clone(),
                Msg::new("psys-import-format"),
            )])
        })?;
        let parsed: Result<ProductSystemModel, String> = if lower.ends_with(".json") {
            serde_json::from_str(text).map_err(|e| e.to_string())
        } else if lower.ends_with(".toml") {
            toml::from_str(text).map_err(|e| e.to_string())
        } else {
            Err(String::new())
        };
        let model = parsed.map_err(|detail| {
            AppError::invalid(vec![FieldError::new(
                fname.clone(),
                Msg::new("psys-import-parse").arg("detail", detail),
            )])
        })?;
        (model, format!("imported {fname}"))
    };
    let mut model = model;
    let unknown = lib().complete_factor_processes(&mut model);
    if !unknown.is_empty() {
        return Err(AppError::invalid(
            unknown
                .into_iter()
                .map(|f| {
                    FieldError::new(format!("{fname}: factor:{f}"), Msg::new("psys-no-factor"))
                })
                .collect(),
        ));
    }
    if let Err(e) = model.matrices(gwp(&model.gwp_set)) {
        return Err(AppError::invalid(
            e.into_iter()
                .map(|x| FieldError::new(format!("{fname}: {}", x.field), x.msg))
                .collect(),
        ));
    }
    let v = st
        .store
        .create_product_system(&auth.principal, &id, &model, &note)
        .await?;
    Ok(Redirect::to(&system_href(&id, &v.system_id)).into_response())
}

fn system_href(org: &str, system: &str) -> String {
    format!("/orgs/{org}/products/{system}")
}

// ---------------------------------------------------------------- one system

/// A process as the page shows it.
struct ProcessView {
    p: ProcessModel,
    source: String,
    is_reference: bool,
}

#[derive(Template)]
#[template(path = "product_system.html")]
struct SystemPage {
    ctx: PageCtx,
    org_id: String,
    org_name: String,
    v: SystemVersion,
    latest: i64,
    processes: Vec<ProcessView>,
    products: Vec<(String, String)>,
    problems: Vec<FieldError>,
    versions: Vec<VersionInfo>,
    calculations: Vec<CalculationRecord>,
    can_write: bool,
    engine: bool,
    factors: Vec<(String, String)>,
    received: Vec<ReceivedFootprint>,
    gases: Vec<String>,
    kinds: Vec<&'static str>,
    distributions: Vec<&'static str>,
}

#[derive(Deserialize)]
pub struct VersionQuery {
    #[serde(default)]
    v: Option<i64>,
}

/// How a process's data source reads on a page.
fn source_text(ctx: &PageCtx, s: &ProcessSource) -> String {
    match s {
        ProcessSource::Own => ctx.t("psys-src-own"),
        ProcessSource::Factor {
            factor_id,
            library_version,
            document,
        } => format!(
            "{} {factor_id} (v{library_version}) — {document}",
            ctx.t("psys-src-factor")
        ),
        ProcessSource::Supplier {
            pf_id,
            company,
            certificate,
            ..
        } => format!(
            "{} {company}, PACT {pf_id}{}",
            ctx.t("psys-src-supplier"),
            certificate
                .as_deref()
                .map(|c| format!(", {c}"))
                .unwrap_or_default()
        ),
        ProcessSource::Secondary { citation } => {
            format!("{} {citation}", ctx.t("psys-src-secondary"))
        }
        ProcessSource::Imported { origin } => format!("{} {origin}", ctx.t("psys-src-imported")),
    }
}

fn factor_label(ctx: &PageCtx, f: &Factor) -> String {
    format!(
        "{} · {} ({}/{})",
        f.id,
        f.name(ctx.lang),
        "kg CO2e",
        f.per_unit
    )
}

pub async fn system_page(
    State(st): State<AppState>,
    UserCtx(ctx, auth): UserCtx,
    Path((id, sid)): Path<(String, String)>,
    Query(q): Query<VersionQuery>,
) -> AppResult<Response> {
    let org_name = org_name(&st, &ctx, &auth, &id).await?;
    let p = &auth.principal;
    let v = st
        .store
        .product_system(p, &id, &sid, q.v)
        .await?
        .ok_or_else(AppError::not_found)?;
    let versions = st.store.product_system_versions(p, &id, &sid).await?;
    let latest = versions.first().map_or(v.version, |x| x.version);
    let calculations = st.store.calculations_of(p, &id, &sid).await?;
    let can_write = p.can_write_org(&id);
    let received = if can_write {
        st.store.received_footprints(p, &id).await?
    } else {
        Vec::new()
    };
    let problems = v
        .model
        .matrices(gwp(&v.model.gwp_set))
        .err()
        .unwrap_or_default();
    let processes = v
        .model
        .processes
        .iter()
        .map(|pr| ProcessView {
            source: source_text(&ctx, &pr.source),
            is_reference: pr.product == v.model.reference_product,
            p: pr.clone(),
        })
        .collect();
    let products = v
        .model
        .processes
        .iter()
        .map(|pr| (pr.product.clone(), format!("{} ({})", pr.name, pr.unit)))
        .collect();
    let mut gases: Vec<String> = std::iter::once(CO2E.to_string())
        .chain(lib().gwp.gases(&v.model.gwp_set).map(|(g, _)| g.clone()))
        .chain(v.model.flows.iter().map(|f| f.id.clone()))
        .collect();
    gases.dedup();
    let factors = lib()
        .factors()
        .map(|f| (f.id.clone(), factor_label(&ctx, f)))
        .collect();
    render(&SystemPage {
        org_id: id,
        org_name,
        latest,
        processes,
        products,
        problems,
        versions,
        calculations,
        can_write,
        engine: st.lca.is_some(),
        factors,
        received,
        gases,
        kinds: EmissionKind::ALL.iter().map(|k| k.as_str()).collect(),
        distributions: DISTRIBUTIONS.to_vec(),
        v,
        ctx,
    })
}

/// One edit of a model. Every edit is saved as a new version naming what
/// changed; `base` is the version the editor saw (a stale one is refused).
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct EditForm {
    base: i64,
    op: String,
    process: String,
    name: String,
    product: String,
    unit: String,
    output: String,
    amount: String,
    citation: String,
    factor: String,
    received: String,
    flow: String,
    kind: String,
    distribution: String,
    scale: String,
    min: String,
    max: String,
    index: usize,
    gwp_set: String,
}

/// A process id not yet used, from a name.
fn slug(name: &str, taken: &[&str]) -> String {
    let base: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect::<String>()
        .split('-')
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    let base = if base.is_empty() {
        "p".to_string()
    } else {
        base
    };
    let mut id = base.clone();
    let mut n = 2;
    while taken.contains(&id.as_str()) {
        id = format!("{base}-{n}");
        n += 1;
    }
    id
}

fn uncertainty(f: &EditForm) -> AppResult<Option<UncertaintySpec>> {
    if f.distribution.trim().is_empty() {
        return Ok(None);
    }
    Ok(Some(UncertaintySpec {
        distribution: f.distribution.trim().into(),
        scale: opt_decimal("scale", &f.scale)?,
        min: opt_decimal("min", &f.min)?,
        max: opt_decimal("max", &f.max)?,
    }))
}

fn process_mut<'m>(m: &'m mut ProductSystemModel, id: &str) -> AppResult<&'m mut ProcessModel> {
    m.processes
        .iter_mut()
        .find(|p| p.id == id)
        .ok_or_else(|| AppError::invalid(vec![field("process", "psys-no-process")]))
}

/// Applies one edit; returns the note saved with the new version.
fn apply(
    m: &mut ProductSystemModel,
    f: &EditForm,
    received: Option<&ReceivedFootprint>,
) -> AppResult<String> {
    let taken: Vec<String> = m.processes.iter().map(|p| p.id.clone()).collect();
    let taken: Vec<&str> = taken.iter().map(String::as_str).collect();
    let note = match f.op.as_str() {
        "settings" => {
            m.name = f.name.trim().into();
            m.amount = decimal("amount", &f.amount)?;
            m.gwp_set = f.gwp_set.clone();
            if !f.product.trim().is_empty() {
                m.reference_product = f.product.trim().into();
            }
            check_new(m)?;
            format!(
                "settings: {} {} {}",
                m.reference_product, m.amount, m.gwp_set
            )
        }
        "add_process" => {
            let name = f.name.trim();
            let product = f.product.trim();
            let mut e = Vec::new();
            if name.is_empty() {
                e.push(field("name", "domain-required"));
            }
            if product.is_empty() {
                e.push(field("product", "domain-required"));
            } else if m.producer(product).is_some() {
                e.push(field("product", "domain-ps-two-producers"));
            }
            if !e.is_empty() {
                return Err(AppError::invalid(e));
            }
            let source = if f.citation.trim().is_empty() {
                ProcessSource::Own
            } else {
                ProcessSource::Secondary {
                    citation: f.citation.trim().into(),
                }
            };
            m.processes.push(ProcessModel {
                id: slug(name, &taken),
                name: name.into(),
                product: product.into(),
                unit: f.unit.trim().into(),
                output: decimal("output", &f.output)?,
                source,
                inputs: vec![],
                emissions: vec![],
            });
            format!("add process {name}")
        }
        "add_input" | "add_factor" | "add_supplier" => {
            let amount = decimal("amount", &f.amount)?;
            let uncertainty = uncertainty(f)?;
            let product = match f.op.as_str() {
                "add_factor" => {
                    let factor = lib().get(f.factor.trim()).ok_or_else(|| {
                        AppError::invalid(vec![field("factor", "psys-no-factor")])
                    })?;
                    let fp = lib().factor_process(factor);
                    let product = fp.product.clone();
                    if m.producer(&product).is_none() {
                        m.processes.push(fp);
                    }
                    product
                }
                "add_supplier" => {
                    let r = received.ok_or_else(|| {
                        AppError::invalid(vec![field("received", "psys-no-received")])
                    })?;
                    let pid = slug(&format!("supplier-{}", r.received.pf_id), &taken);
                    let sp =
                        egret_domain::pact::supplier_process(&r.received, &r.received_id, &pid)
                            .map_err(AppError::invalid)?;
                    let product = sp.product.clone();
                    if m.producer(&product).is_none() {
                        m.processes.push(sp);
                    }
                    product
                }
                _ => f.product.trim().to_string(),
            };
            if m.producer(&product).is_none() {
                return Err(AppError::invalid(vec![field(
                    "product",
                    "domain-ps-no-producer",
                )]));
            }
            let target = process_mut(m, f.process.trim())?;
            target.inputs.push(InputModel {
                product: product.clone(),
                amount,
                uncertainty,
            });
            format!("add input {product} {amount} → {}", target.id)
        }
        "add_emission" => {
            let kind = EmissionKind::parse(&f.kind)
                .ok_or_else(|| AppError::invalid(vec![field("kind", "psys-kind-invalid")]))?;
            let e = EmissionModel {
                flow: f.flow.trim().into(),
                amount: decimal("amount", &f.amount)?,
                kind,
                uncertainty: uncertainty(f)?,
            };
            let target = process_mut(m, f.process.trim())?;
            let note = format!("add emission {} {} kg → {}", e.flow, e.amount, target.id);
            target.emissions.push(e);
            note
        }
        "remove_input" | "remove_emission" => {
            let target = process_mut(m, f.process.trim())?;
            let list_len = if f.op == "remove_input" {
                target.inputs.len()
            } else {
                target.emissions.len()
            };
            if f.index >= list_len {
                return Err(AppError::invalid(vec![field("index", "psys-no-process")]));
            }
            if f.op == "remove_input" {
                let x = target.inputs.remove(f.index);
                format!("remove input {} from {}", x.product, target.id)
            } else {
                let x = target.emissions.remove(f.index);
                format!("remove emission {} from {}", x.flow, target.id)
            }
        }
        "remove_process" => {
            let id = f.process.trim();
            let pos = m
                .processes
                .iter()
                .position(|p| p.id == id)
                .ok_or_else(|| AppError::invalid(vec![field("process", "psys-no-process")]))?;
            if m.processes[pos].product == m.reference_product {
                return Err(AppError::invalid(vec![field(
                    "process",
                    "psys-reference-process",
                )]));
            }
            let gone = m.processes.remove(pos);
            // Inputs of its product go with it.
            for p in &mut m.processes {
                p.inputs.retain(|x| x.product != gone.product);
            }
            format!("remove process {}", gone.id)
        }
        _ => return Err(AppError::bad_request(Msg::new("psys-op"))),
    };
    Ok(note)
}

pub async fn system_edit(
    State(st): State<AppState>,
    Path((id, sid)): Path<(String, String)>,
    CsrfForm(_, auth, f): CsrfForm<EditForm>,
) -> AppResult<Response> {
    let p = &auth.principal;
    let v = st
        .store
        .product_system(p, &id, &sid, Some(f.base))
        .await?
        .ok_or_else(AppError::not_found)?;
    let received = if f.op == "add_supplier" {
        st.store
            .received_footprint(p, &id, f.received.trim())
            .await?
    } else {
        None
    };
    let mut model = v.model;
    let note = apply(&mut model, &f, received.as_ref())?;
    st.store
        .save_product_system(p, &id, &sid, f.base, &model, &note)
        .await?;
    Ok(Redirect::to(&format!("{}#processes", system_href(&id, &sid))).into_response())
}

/// A version as CSV matrix files (technosphere, biosphere,
/// characterisation) in a zip: what `egret lca solve` and Brightway read.
pub async fn system_matrices(
    State(st): State<AppState>,
    UserCtx(_, auth): UserCtx,
    Path((id, sid)): Path<(String, String)>,
    Query(q): Query<VersionQuery>,
) -> AppResult<Response> {
    let v = st
        .store
        .product_system(&auth.principal, &id, &sid, q.v)
        .await?
        .ok_or_else(AppError::not_found)?;
    let m = v
        .model
        .matrices(gwp(&v.model.gwp_set))
        .map_err(AppError::invalid)?;
    let bytes = egret_import::triplets::write_triplets_zip(&m);
    let name = format!("product-system-{sid}-v{}.zip", v.version);
    Ok((
        [
            (
                axum::http::header::CONTENT_TYPE,
                "application/zip".to_string(),
            ),
            (
                axum::http::header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        bytes,
    )
        .into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CalcForm {
    version: i64,
    draws: String,
    seed: String,
}

const MAX_DRAWS: u32 = 10_000;

fn calc_options(draws: &str, seed: &str) -> AppResult<CalcOptions> {
    let draws = if draws.trim().is_empty() {
        0
    } else {
        draws
            .trim()
            .parse::<u32>()
            .ok()
            .filter(|d| *d <= MAX_DRAWS)
            .ok_or_else(|| {
                AppError::invalid(vec![FieldError::new(
                    "draws",
                    Msg::new("psys-draws-invalid").arg("max", MAX_DRAWS),
                )])
            })?
    };
    let seed = if seed.trim().is_empty() {
        1
    } else {
        seed.trim()
            .parse::<u64>()
            .map_err(|_| AppError::invalid(vec![field("seed", "psys-seed-invalid")]))?
    };
    Ok(CalcOptions {
        draws,
        seed,
        cutoff: Decimal::new(1, 2),
    })
}

/// Solves a stored version and records the calculation.
async fn calculate(
    st: &AppState,
    auth: &Auth,
    id: &str,
    sid: &str,
    version: Option<i64>,
    options: CalcOptions,
) -> AppResult<CalculationRecord> {
    let p = &auth.principal;
    if !p.can_write_org(id) {
        return Err(AppError::forbidden());
    }
    let solve = st.lca.clone().ok_or_else(|| {
        AppError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "lca",
            Msg::new("psys-no-engine"),
        )
    })?;
    let v = st
        .store
        .product_system(p, id, sid, version)
        .await?
        .ok_or_else(AppError::not_found)?;
    let matrices = v
        .model
        .matrices(gwp(&v.model.gwp_set))
        .map_err(AppError::invalid)?;
    let opts = options.clone();
    let result: Result<Calculation, SolveError> =
        tokio::task::spawn_blocking(move || solve(&matrices, &opts))
            .await
            .map_err(|_| AppError::bad_request(Msg::new("psys-no-engine")))?;
    let result = result.map_err(|e| {
        let at = match (&e.process, &e.product) {
            (Some(pr), Some(pd)) => format!("process {pr}, product {pd}"),
            (Some(pr), None) => format!("process {pr}"),
            (None, Some(pd)) => format!("product {pd}"),
            (None, None) => "system".into(),
        };
        AppError::invalid(vec![FieldError::new(at, e.msg)])
    })?;
    Ok(st
        .store
        .record_calculation(p, id, sid, v.version, &options, &result)
        .await?)
}

pub async fn system_calculate(
    State(st): State<AppState>,
    Path((id, sid)): Path<(String, String)>,
    CsrfForm(_, auth, f): CsrfForm<CalcForm>,
) -> AppResult<Response> {
    let options = calc_options(&f.draws, &f.seed)?;
    let c = calculate(&st, &auth, &id, &sid, Some(f.version), options).await?;
    Ok(Redirect::to(&calc_href(&id, &c.calculation_id)).into_response())
}

fn calc_href(org: &str, calc: &str) -> String {
    format!("/orgs/{org}/calculations/{calc}")
}

// ---------------------------------------------------------------- a calculation

struct ShareRow {
    process: String,
    name: String,
    source: String,
    primary: bool,
    scaling: Decimal,
    direct: Decimal,
    percent: Decimal,
}

struct TreeRow {
    indent: u32,
    name: String,
    amount: Decimal,
    unit: String,
    cumulative: Decimal,
    loop_back: bool,
}

#[derive(Template)]
#[template(path = "calculation.html")]
struct CalculationPage {
    ctx: PageCtx,
    org_id: String,
    org_name: String,
    c: CalculationRecord,
    model: ProductSystemModel,
    unit: String,
    per_unit: Decimal,
    excluding_uptake: Decimal,
    kinds: Vec<(String, Decimal)>,
    shares: Vec<ShareRow>,
    tree: Vec<TreeRow>,
    histogram: String,
    primary_share: Option<Decimal>,
    can_write: bool,
}

fn percent(part: Decimal, whole: Decimal) -> Decimal {
    if whole.is_zero() {
        Decimal::ZERO
    } else {
        (part * Decimal::ONE_HUNDRED / whole).round_dp(1)
    }
}

pub async fn calculation_page(
    State(st): State<AppState>,
    UserCtx(ctx, auth): UserCtx,
    Path((id, cid)): Path<(String, String)>,
) -> AppResult<Response> {
    let org_name = org_name(&st, &ctx, &auth, &id).await?;
    let p = &auth.principal;
    let c = st
        .store
        .calculation(p, &id, &cid)
        .await?
        .ok_or_else(AppError::not_found)?;
    let model = st
        .store
        .product_system(p, &id, &c.system_id, Some(c.version))
        .await?
        .ok_or_else(AppError::not_found)?
        .model;
    let r = &c.result;
    let by_id: BTreeMap<&str, &ProcessModel> =
        model.processes.iter().map(|p| (p.id.as_str(), p)).collect();
    let shares = r
        .processes
        .iter()
        .map(|s| {
            let pm = by_id.get(s.process.as_str());
            ShareRow {
                name: pm.map_or_else(|| s.process.clone(), |p| p.name.clone()),
                source: pm.map(|p| source_text(&ctx, &p.source)).unwrap_or_default(),
                primary: pm.is_some_and(|p| p.source.is_primary()),
                scaling: s.scaling,
                direct: s.direct,
                percent: percent(s.direct, r.score),
                process: s.process.clone(),
            }
        })
        .collect();
    let tree = r
        .tree
        .iter()
        .map(|n| {
            let pm = by_id.get(n.process.as_str());
            TreeRow {
                // Indentation classes go to 8 levels (egret.css).
                indent: n.depth.min(8),
                name: pm.map_or_else(|| n.process.clone(), |p| p.name.clone()),
                unit: pm.map(|p| p.unit.clone()).unwrap_or_default(),
                amount: n.amount,
                cumulative: n.cumulative,
                loop_back: n.loop_back,
            }
        })
        .collect();
    let histogram = r.mc.as_ref().map_or_else(String::new, |mc| {
        let labels: Vec<String> = (0..mc.hist_counts.len())
            .map(|i| {
                (mc.hist_start + mc.hist_width * Decimal::from(i as u64))
                    .round_dp(3)
                    .normalize()
                    .to_string()
            })
            .collect();
        let counts: Vec<u64> = mc.hist_counts.iter().map(|&n| u64::from(n)).collect();
        crate::charts::histogram(
            &ctx.t("psys-mc-histogram"),
            &ctx.t("psys-mc-histogram-desc"),
            &labels,
            &counts,
        )
    });
    let unit = model
        .producer(&model.reference_product)
        .map(|p| p.unit.clone())
        .unwrap_or_default();
    render(&CalculationPage {
        org_id: id.clone(),
        org_name,
        per_unit: (r.score / model.amount).round_dp(6).normalize(),
        excluding_uptake: r.excluding_uptake(),
        kinds: r
            .by_kind
            .iter()
            .map(|(k, v)| (ctx.t(&format!("psys-kind-{}", k.as_str())), *v))
            .collect(),
        shares,
        tree,
        histogram,
        primary_share: r.primary_share(&model),
        can_write: p.can_write_org(&id),
        unit,
        model,
        c,
        ctx,
    })
}

// ---------------------------------------------------------------- suppliers

#[derive(Template)]
#[template(path = "suppliers.html")]
struct SuppliersPage {
    ctx: PageCtx,
    org_id: String,
    org_name: String,
    suppliers: Vec<PactSupplier>,
    received: Vec<(ReceivedFootprint, String)>,
    fetched: Option<String>,
}

#[derive(Deserialize)]
pub struct FetchedQuery {
    #[serde(default)]
    fetched: Option<String>,
}

pub async fn suppliers_page(
    State(st): State<AppState>,
    UserCtx(ctx, auth): UserCtx,
    Path(id): Path<String>,
    Query(q): Query<FetchedQuery>,
) -> AppResult<Response> {
    let org_name = org_name(&st, &ctx, &auth, &id).await?;
    let p = &auth.principal;
    if !p.can_write_org(&id) {
        return Err(AppError::forbidden());
    }
    let suppliers = st.store.pact_suppliers(p, &id).await?;
    let received = st
        .store
        .received_footprints(p, &id)
        .await?
        .into_iter()
        .map(|r| {
            let pcf = &r.received.document["pcf"];
            let text = format!(
                "{} kgCO2e / {} {}",
                pcf["pcfExcludingBiogenicUptake"].as_str().unwrap_or("?"),
                pcf["declaredUnitAmount"].as_str().unwrap_or("?"),
                pcf["declaredUnitOfMeasurement"].as_str().unwrap_or("?"),
            );
            (r, text)
        })
        .collect();
    render(&SuppliersPage {
        org_id: id,
        org_name,
        suppliers,
        received,
        fetched: q.fetched,
        ctx,
    })
}

#[derive(Deserialize)]
pub struct SupplierForm {
    name: String,
    base_url: String,
    client_id: String,
    client_secret: String,
}

pub async fn supplier_add(
    State(st): State<AppState>,
    Path(id): Path<String>,
    CsrfForm(_, auth, f): CsrfForm<SupplierForm>,
) -> AppResult<Response> {
    st.store
        .add_pact_supplier(
            &auth.principal,
            &id,
            f.name.trim(),
            f.base_url.trim(),
            f.client_id.trim(),
            &f.client_secret,
        )
        .await?;
    Ok(Redirect::to(&format!("/orgs/{id}/suppliers")).into_response())
}

#[derive(Deserialize)]
pub struct Empty {}

/// Fetches a supplier's footprints over PACT and stores what passes the
/// v3 schema checks; the page then says how many were new and rejected.
pub async fn supplier_fetch(
    State(st): State<AppState>,
    Path((id, sup)): Path<(String, String)>,
    CsrfForm(_, auth, _f): CsrfForm<Empty>,
) -> AppResult<Response> {
    let p = &auth.principal;
    let (s, secret) = st
        .store
        .pact_supplier_credentials(p, &id, &sup)
        .await?
        .ok_or_else(AppError::not_found)?;
    let fetched = crate::pact_client::fetch_v3(&st.http, &s.base_url, &s.client_id, &secret)
        .await
        // The supplier's failure, shown to the user as a problem with
        // what they entered (the endpoint or credentials), not ours.
        .map_err(|e| AppError::new(StatusCode::UNPROCESSABLE_ENTITY, "supplier", e.msg()))?;
    let new = st
        .store
        .store_received_footprints(p, &id, &sup, &fetched.received)
        .await?;
    let summary = format!(
        "{}:{}:{}",
        fetched.received.len(),
        new,
        fetched.rejected.len()
    );
    Ok(Redirect::to(&format!("/orgs/{id}/suppliers?fetched={summary}")).into_response())
}

// ---------------------------------------------------------------- API

/// An organisation's product systems (latest versions).
#[utoipa::path(get, path = "/api/v1/organizations/{id}/product-systems", tag = "footprints",
    params(("id" = String, Path)),
    responses((status = 200, description = "system_id, name, reference_product, version, saved_by, saved_at, calculations, latest_calculation")))]
pub async fn api_systems(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Json<Vec<SystemSummary>>> {
    Ok(Json(
        st.store.product_systems_of(&auth.principal, &id).await?,
    ))
}

/// Stores a new product system from its model (JSON of the model format
/// documented in docs/lca.md).
#[utoipa::path(post, path = "/api/v1/organizations/{id}/product-systems", tag = "footprints",
    params(("id" = String, Path)),
    request_body(content = serde_json::Value, description = "{model: {...ProductSystemModel}, note?}"),
    responses((status = 201, description = "The stored version"), (status = 422, body = crate::error::ErrorBody)))]
pub async fn api_create_system(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<NewSystem>,
) -> AppResult<Response> {
    check_new(&body.model)?;
    let v = st
        .store
        .create_product_system(
            &auth.principal,
            &id,
            &body.model,
            body.note.as_deref().unwrap_or("api"),
        )
        .await?;
    Ok((StatusCode::CREATED, Json(v)).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewSystem {
    model: ProductSystemModel,
    #[serde(default)]
    note: Option<String>,
}

/// One product system (latest version, or `?v=`).
#[utoipa::path(get, path = "/api/v1/organizations/{id}/product-systems/{sid}", tag = "footprints",
    params(("id" = String, Path), ("sid" = String, Path), ("v" = Option<i64>, Query)),
    responses((status = 200, description = "The version: model, digest, note, saved_by, saved_at"), (status = 404)))]
pub async fn api_system(
    State(st): State<AppState>,
    auth: Auth,
    Path((id, sid)): Path<(String, String)>,
    Query(q): Query<VersionQuery>,
) -> AppResult<Json<SystemVersion>> {
    Ok(Json(
        st.store
            .product_system(&auth.principal, &id, &sid, q.v)
            .await?
            .ok_or_else(AppError::not_found)?,
    ))
}

#[derive(Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct CalcRequest {
    version: Option<i64>,
    draws: u32,
    seed: Option<u64>,
}

/// Calculates a version (latest by default) and stores the result.
#[utoipa::path(post, path = "/api/v1/organizations/{id}/product-systems/{sid}/calculations", tag = "footprints",
    params(("id" = String, Path), ("sid" = String, Path)),
    request_body(content = serde_json::Value, description = "{version?, draws?, seed?}"),
    responses((status = 201, description = "The stored calculation"), (status = 422, body = crate::error::ErrorBody), (status = 503, description = "No LCA engine in this server")))]
pub async fn api_calculate(
    State(st): State<AppState>,
    auth: Auth,
    Path((id, sid)): Path<(String, String)>,
    ApiJson(body): ApiJson<CalcRequest>,
) -> AppResult<Response> {
    let options = calc_options(&body.draws.to_string(), &body.seed.unwrap_or(1).to_string())?;
    let c = calculate(&st, &auth, &id, &sid, body.version, options).await?;
    Ok((StatusCode::CREATED, Json(c)).into_response())
}

/// One calculation: options, result (score, split, processes, flows,
/// tree, Monte Carlo), the model version and digest it solved.
#[utoipa::path(get, path = "/api/v1/organizations/{id}/calculations/{cid}", tag = "footprints",
    params(("id" = String, Path), ("cid" = String, Path)),
    responses((status = 200, description = "The calculation"), (status = 404)))]
pub async fn api_calculation(
    State(st): State<AppState>,
    auth: Auth,
    Path((id, cid)): Path<(String, String)>,
) -> AppResult<Json<CalculationRecord>> {
    Ok(Json(
        st.store
            .calculation(&auth.principal, &id, &cid)
            .await?
            .ok_or_else(AppError::not_found)?,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model() -> ProductSystemModel {
        ProductSystemModel {
            name: "Bottle".into(),
            reference_product: "bottle".into(),
            amount: Decimal::from(1000),
            gwp_set: "AR6".into(),
            processes: vec![ProcessModel {
                id: "bottle".into(),
                name: "Blow moulding".into(),
                product: "bottle".into(),
                unit: "piece".into(),
                output: Decimal::ONE,
                ..Default::default()
            }],
            flows: vec![],
        }
    }

    fn form(op: &str, pairs: &[(&str, &str)]) -> EditForm {
        let mut f = EditForm {
            op: op.into(),
            ..Default::default()
        };
        for (k, v) in pairs {
            let v = v.to_string();
            match *k {
                "process" => f.process = v,
                "name" => f.name = v,
                "product" => f.product = v,
                "unit" => f.unit = v,
                "output" => f.output = v,
                "amount" => f.amount = v,
                "factor" => f.factor = v,
                "flow" => f.flow = v,
                "kind" => f.kind = v,
                "citation" => f.citation = v,
                "distribution" => f.distribution = v,
                "min" => f.min = v,
                "max" => f.max = v,
                _ => panic!("{k}"),
            }
        }
        f
    }

    #[test]
    fn edits_build_a_system_the_domain_accepts() {
        let mut m = model();
        apply(
            &mut m,
            &form(
                "add_process",
                &[
                    ("name", "PET resin"),
                    ("product", "pet"),
                    ("unit", "kg"),
                    ("output", "1"),
                    ("citation", "CLCD 2023"),
                ],
            ),
            None,
        )
        .unwrap();
        apply(
            &mut m,
            &form(
                "add_input",
                &[
                    ("process", "bottle"),
                    ("product", "pet"),
                    ("amount", "0.02"),
                    ("distribution", "uniform"),
                    ("min", "0.019"),
                    ("max", "0.021"),
                ],
            ),
            None,
        )
        .unwrap();
        apply(
            &mut m,
            &form(
                "add_emission",
                &[
                    ("process", "pet-resin"),
                    ("flow", "CO2e"),
                    ("amount", "2.2"),
                    ("kind", "fossil"),
                ],
            ),
            None,
        )
        .unwrap();
        let note = apply(
            &mut m,
            &form(
                "add_factor",
                &[
                    ("process", "bottle"),
                    ("factor", "cn.grid.national.2023"),
                    ("amount", "0.0001"),
                ],
            ),
            None,
        )
        .unwrap();
        assert!(note.contains("factor:cn.grid.national.2023"), "{note}");
        let grid = m.producer("factor:cn.grid.national.2023").unwrap();
        assert_eq!(grid.unit, "MWh");
        // 0.5306 t CO2/MWh → 530.6 kg.
        assert_eq!(grid.emissions[0].amount, Decimal::new(5306, 1));
        assert!(
            matches!(&grid.source, ProcessSource::Factor { library_version, .. } if !library_version.is_empty())
        );
        if let Err(e) = m.matrices(gwp("AR6")) {
            panic!("{e:?}");
        }
        // The reference process cannot be removed; removing another takes
        // its inputs along.
        assert!(
            apply(
                &mut m,
                &form("remove_process", &[("process", "bottle")]),
                None
            )
            .is_err()
        );
        apply(
            &mut m,
            &form("remove_process", &[("process", "pet-resin")]),
            None,
        )
        .unwrap();
        assert!(m.processes[0].inputs.iter().all(|x| x.product != "pet"));
        if let Err(e) = m.matrices(gwp("AR6")) {
            panic!("{e:?}");
        }
    }

    #[test]
    fn bad_edits_name_the_field() {
        let mut m = model();
        let e = apply(
            &mut m,
            &form(
                "add_input",
                &[("process", "bottle"), ("product", "nylon"), ("amount", "1")],
            ),
            None,
        )
        .unwrap_err();
        assert!(format!("{e:?}").contains("product"), "{e:?}");
        let e = apply(
            &mut m,
            &form(
                "add_process",
                &[("name", "Again"), ("product", "bottle"), ("output", "1")],
            ),
            None,
        )
        .unwrap_err();
        assert!(
            format!("{e:?}").contains("domain-ps-two-producers"),
            "{e:?}"
        );
        let e = apply(
            &mut m,
            &form(
                "add_emission",
                &[
                    ("process", "bottle"),
                    ("flow", "CO2"),
                    ("amount", "x"),
                    ("kind", "fossil"),
                ],
            ),
            None,
        )
        .unwrap_err();
        assert!(format!("{e:?}").contains("amount"), "{e:?}");
    }

    #[test]
    fn slugs_are_unique() {
        assert_eq!(slug("PET resin", &[]), "pet-resin");
        assert_eq!(slug("PET resin", &["pet-resin"]), "pet-resin-2");
        assert_eq!(slug("聚酯", &[]), "p");
    }

    #[test]
    fn options_are_checked() {
        assert_eq!(calc_options("", "").unwrap().draws, 0);
        assert_eq!(calc_options("500", "7").unwrap().seed, 7);
        assert!(calc_options("20000", "").is_err());
        assert!(calc_options("10", "-1").is_err());
    }
}
