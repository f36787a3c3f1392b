//! The engine behind the domain's product systems: [`solve_matrices`] takes
//! the string-id [`Matrices`] an enterprise's model turns into, solves them
//! and returns a [`Calculation`] of exact decimals. Its signature is the
//! domain's [`egret_domain::product_system::SolveFn`], so the binary can
//! hand it to the web layer as `Arc::new(egret_lca::model::solve_matrices)`.
//!
//! **Conversions.** Decimal amounts enter as the nearest f64 (parsed from
//! their text, so correctly rounded); results leave through
//! [`crate::decimal::to_decimal`] rounded to [`SIGNIFICANT_DIGITS`]
//! significant digits. Each figure is rounded on its own, so parts (kinds,
//! processes, flows) add up to the score within that rounding, not always
//! to the last digit.
//!
//! **Matrices.** Technosphere entries are (`row` = product, `col` =
//! process), signed as in A; biosphere rows are `flow|kind` ids; the
//! characterisation vector comes from `factors`. Several entries for the
//! same cell are summed (a process using some of its own product produces
//! the difference), each keeping its own uncertainty.
//!
//! **Uncertainty.** Brightway's conventions centred on the signed amount:
//! lognormal `loc` = ln|amount|, `scale` = σ; normal `loc` = amount,
//! `scale`; triangular `min`, mode = amount, `max`; uniform `min`, `max`.
//! The domain has already flipped the bounds of negated inputs.
//!
//! **Errors** become a [`SolveError`] with an `lca-*` catalog key and,
//! where there is one, the process and the product at fault.

use std::collections::{HashMap, HashSet};

use egret_domain::product_system::{
    CalcOptions, Calculation, EmissionKind, FlowShare, Matrices, McSummary, ProcessShare,
    SolveError, TreeNode, UncertaintySpec, split_flow_row,
};
use egret_i18n::Msg;
use rust_decimal::Decimal;

use crate::contribution::{SupplyChainNode, TreeOptions};
use crate::decimal::{DEFAULT_SIGNIFICANT_DIGITS, to_decimal};
use crate::error::LcaError;
use crate::lca::{Lca, LcaOptions};
use crate::montecarlo::{McOptions, McStats};
use crate::system::{BioExchange, CharFactor, ProductSystem, SystemData, TechExchange};
use crate::uncertainty::Uncertainty;

/// Significant digits of every decimal in a [`Calculation`].
pub const SIGNIFICANT_DIGITS: u32 = DEFAULT_SIGNIFICANT_DIGITS;

/// Supply-chain cut-off (share of the score) when the options give zero.
pub const DEFAULT_CUTOFF: f64 = 0.01;

/// Bins of the Monte Carlo histogram.
pub const HISTOGRAM_BINS: usize = 20;

/// Solves a product system's matrices for its functional unit: score,
/// split by emission kind, every process's scaling and direct impact, every
/// flow's amount and impact, the supply-chain tree, and Monte Carlo
/// statistics when `o.draws > 0` (seeded with `o.seed`).
pub fn solve_matrices(m: &Matrices, o: &CalcOptions) -> Result<Calculation, SolveError> {
    let cutoff = cutoff(o.cutoff)?;
    let data = system_data(m)?;
    let fail = |e: LcaError| solve_error(m, e);
    let system = ProductSystem::build(data).map_err(fail)?;
    // The demand is checked before the factorisation, which may fail.
    let f = system
        .demand_vector(&[(m.demand_product.as_str(), number(m.demand_amount))])
        .map_err(fail)?;
    let lca = Lca::new(system, LcaOptions::default()).map_err(fail)?;
    let result = lca.solve_vector(f).map_err(fail)?;
    let sys = lca.system();
    // Trailing zeros say nothing about precision here: normalised.
    let dec = |v: f64| {
        to_decimal(v, SIGNIFICANT_DIGITS)
            .map(|d| d.normalize())
            .map_err(fail)
    };

    // Flows: every biosphere row, largest |impact| first.
    let rows: HashSet<&str> = m.biosphere.iter().map(|e| e.row.as_str()).collect();
    let mut kind_sums = [0.0f64; EmissionKind::ALL.len()];
    let mut flows = Vec::new();
    for (i, id) in sys.flows.iter().enumerate() {
        if !rows.contains(id.as_str()) {
            continue;
        }
        // Every biosphere row was parsed in `system_data`.
        let Some((flow, kind)) = split_flow_row(id) else {
            continue;
        };
        let impact = result.inventory[i] * sys.c[i];
        kind_sums[kind_position(kind)] += impact;
        flows.push(FlowShare {
            flow: flow.to_string(),
            kind,
            amount: dec(result.inventory[i])?,
            impact: dec(impact)?,
        });
    }
    flows.sort_by(|a, b| {
        b.impact
            .abs()
            .cmp(&a.impact.abs())
            .then_with(|| a.flow.cmp(&b.flow))
            .then_with(|| a.kind.cmp(&b.kind))
    });
    let mut by_kind = Vec::new();
    for (kind, sum) in EmissionKind::ALL.into_iter().zip(kind_sums) {
        let v = dec(sum)?;
        if !v.is_zero() {
            by_kind.push((kind, v));
        }
    }

    // Processes: every one, largest |direct| first.
    let mut processes = Vec::with_capacity(sys.len());
    for (j, id) in sys.processes.iter().enumerate() {
        let s = result.scaling[j];
        processes.push(ProcessShare {
            process: id.clone(),
            scaling: dec(s)?,
            direct: dec(lca.direct_impacts()[j] * s)?,
        });
    }
    processes.sort_by(|a, b| {
        b.direct
            .abs()
            .cmp(&a.direct.abs())
            .then_with(|| a.process.cmp(&b.process))
    });

    let chain = lca
        .supply_chain(
            &result,
            TreeOptions {
                cutoff,
                ..TreeOptions::default()
            },
        )
        .map_err(fail)?;
    let mut tree = Vec::new();
    for root in &chain.roots {
        flatten(root, 0, &mut tree, &dec)?;
    }

    let mc = if o.draws > 0 {
        let r = lca
            .monte_carlo(
                &result.demand,
                McOptions {
                    draws: o.draws as usize,
                    seed: o.seed,
                    threads: 0,
                    bins: HISTOGRAM_BINS,
                },
            )
            .map_err(fail)?;
        Some(summary(o, &r.stats, &dec)?)
    } else {
        None
    };

    Ok(Calculation {
        score: dec(result.score)?,
        by_kind,
        processes,
        flows,
        tree,
        mc,
        engine: format!(
            "egret-lca {}, {}",
            env!("CARGO_PKG_VERSION"),
            lca.symbolic().ordering().name()
        ),
    })
}

fn kind_position(kind: EmissionKind) -> usize {
    EmissionKind::ALL
        .iter()
        .position(|k| *k == kind)
        .expect("ALL lists every kind")
}

/// The nearest f64 to a decimal (its text parses correctly rounded).
fn number(d: Decimal) -> f64 {
    d.to_string().parse().unwrap_or(f64::NAN)
}

fn cutoff(c: Decimal) -> Result<f64, SolveError> {
    if c.is_zero() {
        Ok(DEFAULT_CUTOFF)
    } else if c.is_sign_negative() {
        Err(SolveError {
            msg: Msg::new("lca-cutoff").arg("value", c),
            process: None,
            product: None,
        })
    } else {
        Ok(number(c))
    }
}

/// Depth-first, each node followed by its inputs.
fn flatten(
    node: &SupplyChainNode,
    depth: u32,
    out: &mut Vec<TreeNode>,
    dec: &impl Fn(f64) -> Result<Decimal, SolveError>,
) -> Result<(), SolveError> {
    out.push(TreeNode {
        depth,
        process: node.process.clone(),
        amount: dec(node.amount)?,
        cumulative: dec(node.cumulative)?,
        loop_back: node.loop_back,
    });
    for child in &node.children {
        flatten(child, depth + 1, out, dec)?;
    }
    Ok(())
}

fn summary(
    o: &CalcOptions,
    s: &McStats,
    dec: &impl Fn(f64) -> Result<Decimal, SolveError>,
) -> Result<McSummary, SolveError> {
    let h = &s.histogram;
    let bins = h.counts.len();
    let start = h.edges.first().copied().unwrap_or(s.min);
    let end = h.edges.last().copied().unwrap_or(s.max);
    // One bin of zero width when every draw gave the same score.
    let width = if bins > 1 {
        (end - start) / bins as f64
    } else {
        0.0
    };
    Ok(McSummary {
        draws: o.draws,
        seed: o.seed,
        mean: dec(s.mean)?,
        sd: dec(s.sd)?,
        p2_5: dec(s.p2_5)?,
        p50: dec(s.p50)?,
        p97_5: dec(s.p97_5)?,
        hist_start: dec(start)?,
        hist_width: dec(width)?,
        hist_counts: h
            .counts
            .iter()
            .map(|&n| u32::try_from(n).unwrap_or(u32::MAX))
            .collect(),
    })
}

// ------------------------------------------------------------------ input

/// The matrices as the engine's entry lists, uncertainty checked.
fn system_data(m: &Matrices) -> Result<SystemData, SolveError> {
    let mut data = SystemData::default();
    for e in &m.technosphere {
        let amount = number(e.amount);
        data.technosphere.push(TechExchange {
            product: e.row.clone(),
            process: e.col.clone(),
            amount,
            uncertainty: uncertainty(e.uncertainty.as_ref(), amount, &e.col, &e.row, true)?,
        });
    }
    for e in &m.biosphere {
        let Some((flow, _)) = split_flow_row(&e.row) else {
            return Err(SolveError {
                msg: Msg::new("lca-flow-row")
                    .arg("flow", &e.row)
                    .arg("process", &e.col),
                process: Some(e.col.clone()),
                product: None,
            });
        };
        let amount = number(e.amount);
        data.biosphere.push(BioExchange {
            flow: e.row.clone(),
            process: e.col.clone(),
            amount,
            uncertainty: uncertainty(e.uncertainty.as_ref(), amount, &e.col, flow, false)?,
        });
    }
    for (flow, factor) in &m.factors {
        data.characterisation.push(CharFactor {
            flow: flow.clone(),
            factor: number(*factor),
            uncertainty: Uncertainty::None,
        });
    }
    Ok(data)
}

/// An entry's uncertainty in Brightway's conventions, centred on `amount`;
/// `row` is the product (technosphere) or flow (biosphere) of the entry.
fn uncertainty(
    spec: Option<&UncertaintySpec>,
    amount: f64,
    process: &str,
    row: &str,
    technosphere: bool,
) -> Result<Uncertainty, SolveError> {
    let Some(spec) = spec else {
        return Ok(Uncertainty::None);
    };
    let at = |msg: Msg| SolveError {
        msg: msg.arg("process", process).arg("row", row),
        process: Some(process.to_string()),
        product: technosphere.then(|| row.to_string()),
    };
    let invalid = |param: &str| at(Msg::new("lca-uncertainty").arg("param", param));
    let need = |v: Option<Decimal>, param: &str| v.map(number).ok_or_else(|| invalid(param));
    let u = match spec.distribution.as_str() {
        "lognormal" => Uncertainty::Lognormal {
            loc: amount.abs().ln(),
            scale: need(spec.scale, "scale")?,
        },
        "normal" => Uncertainty::Normal {
            loc: amount,
            scale: need(spec.scale, "scale")?,
        },
        "triangular" => Uncertainty::Triangular {
            min: need(spec.min, "min")?,
            mode: amount,
            max: need(spec.max, "max")?,
        },
        "uniform" => Uncertainty::Uniform {
            min: need(spec.min, "min")?,
            max: need(spec.max, "max")?,
        },
        other => {
            return Err(at(Msg::new("lca-distribution").arg("distribution", other)));
        }
    };
    // The engine names the mode `loc`; here it is the amount itself.
    u.check(amount).map_err(|(param, _)| {
        invalid(match param {
            "loc" if matches!(u, Uncertainty::Triangular { .. }) => "min, max",
            "loc" | "distribution" => "amount",
            p => p,
        })
    })?;
    Ok(u)
}

// ------------------------------------------------------------------ errors

/// Net technosphere amounts per (product, process), distinct cells in
/// input order, summed exactly.
fn net_cells(m: &Matrices) -> Vec<(&str, &str, Decimal)> {
    let mut at: HashMap<(&str, &str), usize> = HashMap::new();
    let mut cells: Vec<(&str, &str, Decimal)> = Vec::new();
    for e in &m.technosphere {
        let key = (e.row.as_str(), e.col.as_str());
        match at.get(&key) {
            Some(&i) => cells[i].2 += e.amount,
            None => {
                at.insert(key, cells.len());
                cells.push((key.0, key.1, e.amount));
            }
        }
    }
    cells
}

/// The product a process makes per the raw entries: its first positive
/// entry, else its first entry.
fn product_of<'a>(m: &'a Matrices, process: &str) -> Option<&'a str> {
    let mut col = m.technosphere.iter().filter(|e| e.col == process);
    let first = col.clone().next();
    col.find(|e| e.amount > Decimal::ZERO)
        .or(first)
        .map(|e| e.row.as_str())
}

fn err(msg: Msg, process: Option<&str>, product: Option<&str>) -> SolveError {
    SolveError {
        msg,
        process: process.map(str::to_string),
        product: product.map(str::to_string),
    }
}

/// A product without a net producer: used up by the process that makes
/// it, or made by none.
fn no_producer(m: &Matrices, product: &str) -> SolveError {
    let entries = || m.technosphere.iter().filter(|e| e.row == product);
    if let Some(p) = entries().find(|e| e.amount > Decimal::ZERO) {
        return err(
            Msg::new("lca-own-output-consumed")
                .arg("process", &p.col)
                .arg("product", product),
            Some(&p.col),
            Some(product),
        );
    }
    let user = entries().next().map_or("", |e| e.col.as_str());
    err(
        Msg::new("lca-no-producer")
            .arg("process", user)
            .arg("product", product),
        (!user.is_empty()).then_some(user),
        Some(product),
    )
}

fn produces_nothing(m: &Matrices, process: &str) -> SolveError {
    let product = product_of(m, process);
    err(
        Msg::new("lca-produces-nothing")
            .arg("process", process)
            .arg("product", product.unwrap_or("-")),
        Some(process),
        product,
    )
}

fn numerical(detail: impl ToString, process: Option<&str>, product: Option<&str>) -> SolveError {
    err(
        Msg::new("lca-numerical").arg("detail", detail.to_string()),
        process,
        product,
    )
}

/// Names what went wrong in the reader's language, with the process and
/// product at fault where the engine knows them.
fn solve_error(m: &Matrices, e: LcaError) -> SolveError {
    match e {
        LcaError::Empty => err(Msg::new("lca-empty"), None, None),
        LcaError::NonSquare { .. } => {
            // Find the culprit the engine only describes in English.
            let cells = net_cells(m);
            let produced: HashSet<&str> = cells
                .iter()
                .filter(|c| c.2 > Decimal::ZERO)
                .map(|c| c.0)
                .collect();
            let producing: HashSet<&str> = cells
                .iter()
                .filter(|c| c.2 > Decimal::ZERO)
                .map(|c| c.1)
                .collect();
            if let Some(c) = cells.iter().find(|c| !produced.contains(c.0)) {
                no_producer(m, c.0)
            } else if let Some(c) = cells.iter().find(|c| !producing.contains(c.1)) {
                produces_nothing(m, c.1)
            } else {
                numerical(e, None, None)
            }
        }
        LcaError::NoProducer { product } => no_producer(m, &product),
        LcaError::ProducesNothing { process } => produces_nothing(m, &process),
        LcaError::SeveralProducts { process, products } => {
            let own = product_of(m, &process);
            let extra = products
                .iter()
                .find(|p| Some(p.as_str()) != own)
                .or(products.last())
                .map_or("-", String::as_str);
            err(
                Msg::new("lca-several-products")
                    .arg("process", &process)
                    .arg("product", extra),
                Some(&process),
                Some(extra),
            )
        }
        LcaError::SeveralProducers { product, processes } => {
            let second = processes.last().map_or("-", String::as_str);
            err(
                Msg::new("lca-several-producers")
                    .arg("process", second)
                    .arg("product", &product),
                Some(second),
                Some(&product),
            )
        }
        LcaError::UnknownProcess { flow, process, .. } => {
            let name = split_flow_row(&flow).map_or(flow.as_str(), |(f, _)| f);
            err(
                Msg::new("lca-unknown-process")
                    .arg("flow", name)
                    .arg("process", &process),
                Some(&process),
                None,
            )
        }
        LcaError::UnknownProduct { product } => err(
            Msg::new("lca-unknown-demand").arg("product", &product),
            None,
            Some(&product),
        ),
        LcaError::Singular {
            process, product, ..
        } => err(
            Msg::new("lca-singular")
                .arg("process", &process)
                .arg("product", &product),
            Some(&process),
            Some(&product),
        ),
        LcaError::NonFiniteSolution { process } => {
            let product = product_of(m, &process).unwrap_or("-");
            err(
                Msg::new("lca-not-finite")
                    .arg("process", &process)
                    .arg("product", product),
                Some(&process),
                Some(product),
            )
        }
        LcaError::Decimal { value, .. } => err(
            Msg::new("lca-number").arg("value", format!("{value:e}")),
            None,
            None,
        ),
        LcaError::MonteCarlo { draw, source } => {
            let draw = draw + 1;
            let (process, product) = match *source {
                LcaError::Singular {
                    process, product, ..
                } => (process, product),
                LcaError::NonFiniteSolution { process } => {
                    let product = product_of(m, &process).unwrap_or("-").to_string();
                    (process, product)
                }
                other => {
                    return err(
                        Msg::new("lca-mc-failed")
                            .arg("draw", draw)
                            .arg("detail", other),
                        None,
                        None,
                    );
                }
            };
            err(
                Msg::new("lca-mc-singular")
                    .arg("draw", draw)
                    .arg("process", &process)
                    .arg("product", &product),
                Some(&process),
                Some(&product),
            )
        }
        LcaError::InvalidUncertainty { ref process, .. }
        | LcaError::NonFinite { ref process, .. } => {
            let process = process.clone();
            numerical(e, Some(&process), None)
        }
        e @ (LcaError::Input { .. }
        | LcaError::Io { .. }
        | LcaError::InvalidDemand { .. }
        | LcaError::Options(_)
        | LcaError::Solver(_)) => numerical(e, None, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use egret_domain::product_system::Entry;
    use egret_i18n::Lang;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    fn spec(
        distribution: &str,
        scale: Option<&str>,
        min: Option<&str>,
        max: Option<&str>,
    ) -> UncertaintySpec {
        UncertaintySpec {
            distribution: distribution.into(),
            scale: scale.map(d),
            min: min.map(d),
            max: max.map(d),
        }
    }

    #[test]
    fn uncertainty_follows_brightway_centred_on_the_amount() {
        let u = |s: &UncertaintySpec, a: f64| uncertainty(Some(s), a, "P", "x", true);
        assert_eq!(
            u(&spec("lognormal", Some("0.2"), None, None), -0.5).unwrap(),
            Uncertainty::Lognormal {
                loc: 0.5f64.ln(),
                scale: 0.2
            }
        );
        assert_eq!(
            u(&spec("normal", Some("0.1"), None, None), -2.0).unwrap(),
            Uncertainty::Normal {
                loc: -2.0,
                scale: 0.1
            }
        );
        assert_eq!(
            u(
                &spec("triangular", None, Some("-0.021"), Some("-0.018")),
                -0.02
            )
            .unwrap(),
            Uncertainty::Triangular {
                min: -0.021,
                mode: -0.02,
                max: -0.018
            }
        );
        assert_eq!(
            u(&spec("uniform", None, Some("1"), Some("3")), 2.0).unwrap(),
            Uncertainty::Uniform { min: 1.0, max: 3.0 }
        );
        assert_eq!(
            uncertainty(None, 1.0, "P", "x", true).unwrap(),
            Uncertainty::None
        );
    }

    #[test]
    fn bad_uncertainty_names_process_and_parameter() {
        let e = uncertainty(
            Some(&spec("weibull", Some("1"), None, None)),
            1.0,
            "P",
            "x",
            true,
        )
        .unwrap_err();
        assert_eq!(e.msg.key, "lca-distribution");
        assert_eq!(
            (e.process.as_deref(), e.product.as_deref()),
            (Some("P"), Some("x"))
        );
        let e = uncertainty(
            Some(&spec("triangular", None, None, Some("2"))),
            1.0,
            "P",
            "CO2",
            false,
        )
        .unwrap_err();
        assert_eq!(e.msg.key, "lca-uncertainty");
        assert_eq!(e.product, None);
        assert!(e.msg.render(Lang::En).contains("check min"), "{:?}", e.msg);
        // The amount outside [min, max].
        let e = uncertainty(
            Some(&spec("triangular", None, Some("2"), Some("3"))),
            1.0,
            "P",
            "x",
            true,
        )
        .unwrap_err();
        assert!(e.msg.render(Lang::En).contains("check min, max"));
        let e = uncertainty(
            Some(&spec("lognormal", Some("0.1"), None, None)),
            0.0,
            "P",
            "x",
            true,
        )
        .unwrap_err();
        assert!(e.msg.render(Lang::En).contains("check amount"));
    }

    #[test]
    fn decimals_enter_as_the_nearest_f64() {
        assert_eq!(number(d("0.1")), 0.1);
        assert_eq!(number(d("-530.6")), -530.6);
        assert_eq!(number(d("0.0000000000000000000000000001")), 1e-28);
    }

    #[test]
    fn hand_built_matrices_get_named_culprits() {
        let t = |row: &str, col: &str, a: &str| Entry {
            row: row.into(),
            col: col.into(),
            amount: d(a),
            uncertainty: None,
        };
        let mut m = Matrices {
            technosphere: vec![t("a", "A", "1"), t("b", "A", "-1")],
            biosphere: vec![],
            factors: vec![],
            demand_product: "a".into(),
            demand_amount: d("1"),
        };
        let o = CalcOptions::default();
        let e = solve_matrices(&m, &o).unwrap_err();
        assert_eq!(e.msg.key, "lca-no-producer");
        assert_eq!(
            (e.process.as_deref(), e.product.as_deref()),
            (Some("A"), Some("b"))
        );
        m.technosphere = vec![t("a", "A", "1"), t("a", "B", "1"), t("b", "B", "1")];
        let e = solve_matrices(&m, &o).unwrap_err();
        assert_eq!(e.msg.key, "lca-several-products");
        assert_eq!(
            (e.process.as_deref(), e.product.as_deref()),
            (Some("B"), Some("b"))
        );
        m.technosphere = vec![t("a", "A", "1")];
        m.biosphere = vec![t("CO2", "A", "1")];
        let e = solve_matrices(&m, &o).unwrap_err();
        assert_eq!(e.msg.key, "lca-flow-row");
        m.biosphere = vec![t("CO2|fossil", "Z", "1")];
        let e = solve_matrices(&m, &o).unwrap_err();
        assert_eq!(e.msg.key, "lca-unknown-process");
        assert_eq!(e.process.as_deref(), Some("Z"));
        m.biosphere.clear();
        let e = solve_matrices(
            &m,
            &CalcOptions {
                cutoff: d("-0.1"),
                ..CalcOptions::default()
            },
        )
        .unwrap_err();
        assert_eq!(e.msg.key, "lca-cutoff");
        m.technosphere.clear();
        assert_eq!(solve_matrices(&m, &o).unwrap_err().msg.key, "lca-empty");
    }

    #[test]
    fn engine_errors_map_to_catalog_messages() {
        let t = |row: &str, col: &str, a: &str| Entry {
            row: row.into(),
            col: col.into(),
            amount: d(a),
            uncertainty: None,
        };
        let m = Matrices {
            technosphere: vec![t("a", "A", "1"), t("b", "B", "1"), t("a", "B", "-1")],
            biosphere: vec![],
            factors: vec![],
            demand_product: "a".into(),
            demand_amount: d("1"),
        };
        let singular = || LcaError::Singular {
            process: "B".into(),
            product: "b".into(),
            detail: String::new(),
        };
        let cases = [
            (singular(), "lca-singular", Some("B"), Some("b")),
            (
                LcaError::NonFiniteSolution {
                    process: "B".into(),
                },
                "lca-not-finite",
                Some("B"),
                Some("b"),
            ),
            (
                LcaError::MonteCarlo {
                    draw: 4,
                    source: Box::new(singular()),
                },
                "lca-mc-singular",
                Some("B"),
                Some("b"),
            ),
            (
                LcaError::MonteCarlo {
                    draw: 4,
                    source: Box::new(LcaError::Solver("out of memory".into())),
                },
                "lca-mc-failed",
                None,
                None,
            ),
            (
                LcaError::SeveralProducers {
                    product: "a".into(),
                    processes: vec!["A".into(), "B".into()],
                },
                "lca-several-producers",
                Some("B"),
                Some("a"),
            ),
            (
                LcaError::ProducesNothing {
                    process: "B".into(),
                },
                "lca-produces-nothing",
                Some("B"),
                Some("b"),
            ),
            (
                LcaError::Decimal {
                    value: 1e30,
                    message: String::new(),
                },
                "lca-number",
                None,
                None,
            ),
            (
                LcaError::Solver("out of memory".into()),
                "lca-numerical",
                None,
                None,
            ),
        ];
        for (e, key, process, product) in cases {
            let s = solve_error(&m, e);
            assert_eq!(s.msg.key, key);
            assert_eq!(
                (s.process.as_deref(), s.product.as_deref()),
                (process, product)
            );
            for lang in Lang::ALL {
                let text = s.msg.render(lang);
                assert!(!text.starts_with('[') && !text.contains('{'), "{text}");
            }
            if key.starts_with("lca-mc") {
                // Draws are counted from 1 for readers.
                assert!(s.msg.render(Lang::En).contains("draw 5"));
            }
        }
    }
}
