//! Contribution analysis: which processes and flows make the score, and the
//! supply chain from the demand down to a cut-off.

use serde::Serialize;

use crate::error::{LcaError, Result};
use crate::lca::{Lca, LcaResult};

/// A process's share of the score: its characterised direct emissions
/// times its scaling factor.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ProcessContribution {
    pub process: String,
    pub product: String,
    pub scaling: f64,
    pub score: f64,
    /// score / total (0 when the total is 0).
    pub share: f64,
}

/// A flow's share of the score: inventory amount times factor.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FlowContribution {
    pub flow: String,
    pub amount: f64,
    pub factor: f64,
    pub score: f64,
    pub share: f64,
}

fn share(x: f64, total: f64) -> f64 {
    if total == 0.0 { 0.0 } else { x / total }
}

fn top_by_magnitude(values: &[f64], n: usize) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..values.len()).filter(|&i| values[i] != 0.0).collect();
    // Largest magnitude first; ties by index, so the order is stable.
    idx.sort_by(|&a, &b| values[b].abs().total_cmp(&values[a].abs()).then(a.cmp(&b)));
    idx.truncate(n);
    idx
}

impl Lca {
    /// The `n` processes with the largest |direct score| for this result.
    pub fn top_processes(&self, result: &LcaResult, n: usize) -> Vec<ProcessContribution> {
        let sys = self.system();
        let scores: Vec<f64> = self
            .direct_impacts()
            .iter()
            .zip(&result.scaling)
            .map(|(h, s)| h * s)
            .collect();
        top_by_magnitude(&scores, n)
            .into_iter()
            .map(|j| ProcessContribution {
                process: sys.processes[j].clone(),
                product: sys.products[j].clone(),
                scaling: result.scaling[j],
                score: scores[j],
                share: share(scores[j], result.score),
            })
            .collect()
    }

    /// The `n` flows with the largest |characterised amount|.
    pub fn top_flows(&self, result: &LcaResult, n: usize) -> Vec<FlowContribution> {
        let sys = self.system();
        let scores: Vec<f64> = result
            .inventory
            .iter()
            .zip(&sys.c)
            .map(|(g, c)| g * c)
            .collect();
        top_by_magnitude(&scores, n)
            .into_iter()
            .map(|f| FlowContribution {
                flow: sys.flows[f].clone(),
                amount: result.inventory[f],
                factor: sys.c[f],
                score: scores[f],
                share: share(scores[f], result.score),
            })
            .collect()
    }
}

/// Limits of [`Lca::supply_chain`].
#[derive(Clone, Copy, Debug)]
pub struct TreeOptions {
    /// Expand a node only when |its cumulative score| ≥ cutoff × |total|.
    pub cutoff: f64,
    /// Deepest level expanded (the demanded products are level 0).
    pub max_depth: usize,
    /// Stop adding nodes beyond this many.
    pub max_nodes: usize,
}

impl Default for TreeOptions {
    fn default() -> Self {
        TreeOptions {
            cutoff: 0.01,
            max_depth: 12,
            max_nodes: 2_000,
        }
    }
}

/// One node: an amount of a product, made by its process.
#[derive(Clone, Debug, Serialize)]
pub struct SupplyChainNode {
    pub product: String,
    pub process: String,
    /// Amount of the product this node supplies.
    pub amount: f64,
    /// Characterised direct emissions of the process for this amount.
    pub direct: f64,
    /// Cradle-to-gate score of this amount (direct + everything upstream,
    /// loops included).
    pub cumulative: f64,
    /// The process already appears above this node (a loop); not expanded
    /// again, its cumulative score already counts the loop.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub loop_back: bool,
    /// Sum of the cumulative scores of inputs below the cut-off (not shown).
    pub below_cutoff: f64,
    pub children: Vec<SupplyChainNode>,
}

/// The supply chain of a demand.
#[derive(Clone, Debug, Serialize)]
pub struct SupplyChain {
    pub total: f64,
    pub cutoff: f64,
    /// Whether max_depth or max_nodes stopped an expansion.
    pub truncated: bool,
    pub roots: Vec<SupplyChainNode>,
}

struct Walk<'a> {
    lca: &'a Lca,
    unit: Vec<f64>,
    threshold: f64,
    opts: TreeOptions,
    nodes: usize,
    truncated: bool,
    path: Vec<usize>,
}

impl Walk<'_> {
    fn node(&mut self, product: usize, amount: f64, depth: usize) -> SupplyChainNode {
        let sys = self.lca.system();
        self.nodes += 1;
        let production = sys.a_entry(product, product);
        let scale = amount / production;
        let mut node = SupplyChainNode {
            product: sys.products[product].clone(),
            process: sys.processes[product].clone(),
            amount,
            direct: scale * self.lca.direct_impacts()[product],
            cumulative: amount * self.unit[product],
            loop_back: self.path.contains(&product),
            below_cutoff: 0.0,
            children: Vec::new(),
        };
        if node.loop_back {
            return node;
        }
        // Inputs of the process: the other entries of its column.
        let (lo, hi) = (sys.a.col_ptr[product], sys.a.col_ptr[product + 1]);
        let mut inputs: Vec<(usize, f64, f64)> = (lo..hi)
            .filter(|&k| sys.a.row_idx[k] != product)
            .map(|k| {
                let i = sys.a.row_idx[k];
                let x = -sys.a_values[k] * scale;
                (i, x, x * self.unit[i])
            })
            .collect();
        inputs.sort_by(|a, b| b.2.abs().total_cmp(&a.2.abs()).then(a.0.cmp(&b.0)));
        self.path.push(product);
        for (i, x, cum) in inputs {
            if cum.abs() < self.threshold || cum == 0.0 {
                node.below_cutoff += cum;
                continue;
            }
            if depth + 1 > self.opts.max_depth || self.nodes >= self.opts.max_nodes {
                self.truncated = true;
                node.below_cutoff += cum;
                continue;
            }
            let child = self.node(i, x, depth + 1);
            node.children.push(child);
        }
        self.path.pop();
        node
    }
}

impl Lca {
    /// The supply chain of a result's demand, expanded while a node's
    /// cumulative score is at least `cutoff` of the total. Loops are cut
    /// where a process reappears on its own path; depth and node count are
    /// capped.
    pub fn supply_chain(&self, result: &LcaResult, opts: TreeOptions) -> Result<SupplyChain> {
        if !(opts.cutoff >= 0.0 && opts.cutoff.is_finite()) {
            return Err(LcaError::Options(format!(
                "cut-off {} is not a share between 0 and 1",
                opts.cutoff
            )));
        }
        let unit = self.unit_cumulative()?;
        let total = result.score;
        let mut walk = Walk {
            lca: self,
            unit,
            threshold: opts.cutoff * total.abs(),
            opts,
            nodes: 0,
            truncated: false,
            path: Vec::new(),
        };
        let roots = (0..result.demand.len())
            .filter(|&i| result.demand[i] != 0.0)
            .map(|i| walk.node(i, result.demand[i], 0))
            .collect();
        Ok(SupplyChain {
            total,
            cutoff: opts.cutoff,
            truncated: walk.truncated,
            roots,
        })
    }
}
