//! The JSON document `egret lca solve --out FILE` writes: score, scaling
//! vector, inventory, contributions, supply chain and Monte Carlo
//! statistics. Numbers are written with the shortest text that parses back
//! to the same f64.

use std::io::Write;
use std::path::Path;

use serde::Serialize;

use crate::contribution::{FlowContribution, ProcessContribution, SupplyChain, TreeOptions};
use crate::error::{LcaError, Result};
use crate::lca::{Lca, LcaResult};
use crate::montecarlo::McStats;

/// One demanded product.
#[derive(Clone, Debug, Serialize)]
pub struct DemandEntry {
    pub product: String,
    pub amount: f64,
}

/// One process's scaling factor.
#[derive(Clone, Debug, Serialize)]
pub struct ScalingEntry {
    pub process: String,
    pub product: String,
    pub scaling: f64,
}

/// One flow's inventory amount.
#[derive(Clone, Debug, Serialize)]
pub struct InventoryEntry {
    pub flow: String,
    pub amount: f64,
}

/// Everything about one solve.
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    pub score: f64,
    pub demand: Vec<DemandEntry>,
    /// Column ordering used by the LU (block-triangular, colamd, supernodal).
    pub ordering: String,
    /// Every process, in index order (first appearance in the technosphere).
    pub scaling: Vec<ScalingEntry>,
    /// Every flow, in index order.
    pub inventory: Vec<InventoryEntry>,
    pub top_processes: Vec<ProcessContribution>,
    pub top_flows: Vec<FlowContribution>,
    pub supply_chain: SupplyChain,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub monte_carlo: Option<McStats>,
}

impl Report {
    /// Assembles the report of `result` (top `top` processes and flows,
    /// supply chain with `tree` limits).
    pub fn new(
        lca: &Lca,
        result: &LcaResult,
        top: usize,
        tree: TreeOptions,
        monte_carlo: Option<McStats>,
    ) -> Result<Report> {
        let sys = lca.system();
        Ok(Report {
            score: result.score,
            demand: result
                .demand
                .iter()
                .enumerate()
                .filter(|(_, a)| **a != 0.0)
                .map(|(i, a)| DemandEntry {
                    product: sys.products[i].clone(),
                    amount: *a,
                })
                .collect(),
            ordering: lca.symbolic().ordering().name().to_string(),
            scaling: (0..sys.len())
                .map(|j| ScalingEntry {
                    process: sys.processes[j].clone(),
                    product: sys.products[j].clone(),
                    scaling: result.scaling[j],
                })
                .collect(),
            inventory: (0..sys.flows.len())
                .map(|f| InventoryEntry {
                    flow: sys.flows[f].clone(),
                    amount: result.inventory[f],
                })
                .collect(),
            top_processes: lca.top_processes(result, top),
            top_flows: lca.top_flows(result, top),
            supply_chain: lca.supply_chain(result, tree)?,
            monte_carlo,
        })
    }

    /// Writes the report as pretty-printed JSON.
    pub fn write_json(&self, path: &Path) -> Result<()> {
        let io = |source| LcaError::Io {
            file: path.display().to_string(),
            source,
        };
        let file = std::fs::File::create(path).map_err(io)?;
        let mut w = std::io::BufWriter::new(file);
        serde_json::to_writer_pretty(&mut w, self).map_err(|e| io(e.into()))?;
        w.write_all(b"\n").map_err(io)?;
        w.flush().map_err(io)
    }
}
