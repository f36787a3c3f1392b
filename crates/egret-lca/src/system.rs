//! Product systems: string-id triplets in, indexed sparse matrices out.
//!
//! **Sign convention.** Technosphere amounts are the signed entries of the
//! matrix A: a process's production of its product is positive, its inputs
//! are negative. Brightway stores inputs as positive numbers with a
//! `flip_array` that negates them while building A; the resulting matrix is
//! the same as ours, so an Egret file holds the matrix Brightway builds, not
//! the numbers in its datapackage.
//!
//! **Indices.** Processes are numbered in order of first appearance in the
//! technosphere list. Each product takes the number of the process that
//! produces it (its positive entry), so A has production on its diagonal.
//! Elementary flows are numbered in order of first appearance in the
//! biosphere list, then flows that only appear in the characterisation
//! list.
//!
//! **Duplicates.** Several entries for the same (row, column) are summed,
//! as Brightway does; each keeps its own uncertainty, so a Monte Carlo draw
//! sums independent draws.

use std::collections::HashMap;

use serde::Serialize;

use crate::error::{LcaError, MatrixKind, Result};
use crate::uncertainty::Uncertainty;

/// One technosphere entry: `amount` of `product` per unit of `process`
/// (production positive, inputs negative).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TechExchange {
    pub product: String,
    pub process: String,
    pub amount: f64,
    pub uncertainty: Uncertainty,
}

/// One biosphere entry: `amount` of elementary `flow` per unit of `process`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BioExchange {
    pub flow: String,
    pub process: String,
    pub amount: f64,
    pub uncertainty: Uncertainty,
}

/// One characterisation factor: impact per unit of `flow`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CharFactor {
    pub flow: String,
    pub factor: f64,
    pub uncertainty: Uncertainty,
}

/// A product system as lists of entries with string ids (what the files
/// hold).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SystemData {
    pub technosphere: Vec<TechExchange>,
    pub biosphere: Vec<BioExchange>,
    pub characterisation: Vec<CharFactor>,
}

/// The fixed sparsity pattern of a matrix in compressed sparse columns
/// (row indices sorted within each column), with the map from each input
/// entry to its value slot.
#[derive(Clone, Debug)]
pub struct Pattern {
    pub nrows: usize,
    pub ncols: usize,
    pub col_ptr: Vec<usize>,
    pub row_idx: Vec<usize>,
    /// For entry `e` of the input list, the index into the value array it
    /// adds to.
    pub slot_of_entry: Vec<usize>,
}

impl Pattern {
    /// Builds the pattern from (row, column) pairs; duplicates share a slot.
    fn build(nrows: usize, ncols: usize, coords: &[(usize, usize)]) -> Pattern {
        let mut count = vec![0usize; ncols + 1];
        for &(_, c) in coords {
            count[c + 1] += 1;
        }
        for c in 0..ncols {
            count[c + 1] += count[c];
        }
        // Entries bucketed by column, then sorted by row within a column.
        let mut order = vec![0usize; coords.len()];
        let mut next = count.clone();
        for (e, &(_, c)) in coords.iter().enumerate() {
            order[next[c]] = e;
            next[c] += 1;
        }
        let mut col_ptr = Vec::with_capacity(ncols + 1);
        let mut row_idx = Vec::with_capacity(coords.len());
        let mut slot_of_entry = vec![0usize; coords.len()];
        col_ptr.push(0);
        for c in 0..ncols {
            let bucket = &mut order[count[c]..count[c + 1]];
            bucket.sort_unstable_by_key(|&e| coords[e].0);
            let mut last = usize::MAX;
            for &e in bucket.iter() {
                let r = coords[e].0;
                if r != last {
                    row_idx.push(r);
                    last = r;
                }
                slot_of_entry[e] = row_idx.len() - 1;
            }
            col_ptr.push(row_idx.len());
        }
        Pattern {
            nrows,
            ncols,
            col_ptr,
            row_idx,
            slot_of_entry,
        }
    }

    /// Number of stored entries (after summing duplicates).
    pub fn nnz(&self) -> usize {
        self.row_idx.len()
    }

    /// Sums entry values into slot values.
    pub fn values_from(&self, amounts: impl Iterator<Item = f64>) -> Vec<f64> {
        let mut v = vec![0.0; self.nnz()];
        for (e, a) in amounts.enumerate() {
            v[self.slot_of_entry[e]] += a;
        }
        v
    }
}

/// A validated, indexed product system: technosphere A (n × n), biosphere
/// B (flows × n), characterisation vector c (one factor per flow), with the
/// entry lists kept for uncertainty.
#[derive(Clone, Debug)]
pub struct ProductSystem {
    /// Process ids by index.
    pub processes: Vec<String>,
    /// Product ids by index (product i is produced by process i).
    pub products: Vec<String>,
    /// Elementary flow ids by index.
    pub flows: Vec<String>,
    process_index: HashMap<String, usize>,
    product_index: HashMap<String, usize>,
    flow_index: HashMap<String, usize>,
    /// Pattern of A.
    pub a: Pattern,
    /// Values of A (sums of the technosphere entries' amounts).
    pub a_values: Vec<f64>,
    /// Pattern of B.
    pub b: Pattern,
    /// Values of B.
    pub b_values: Vec<f64>,
    /// Characterisation factor per flow (0 where none).
    pub c: Vec<f64>,
    /// For characterisation entry `e`, its flow index.
    pub flow_of_factor: Vec<usize>,
    /// The entries, in input order (for Monte Carlo).
    pub data: SystemData,
}

fn intern(map: &mut HashMap<String, usize>, names: &mut Vec<String>, id: &str) -> usize {
    if let Some(&i) = map.get(id) {
        return i;
    }
    let i = names.len();
    map.insert(id.to_string(), i);
    names.push(id.to_string());
    i
}

fn check_entry(
    matrix: MatrixKind,
    row: impl Fn() -> String,
    process: &str,
    amount: f64,
    u: &Uncertainty,
) -> Result<()> {
    if !amount.is_finite() {
        return Err(LcaError::NonFinite {
            matrix,
            row: row(),
            process: process.to_string(),
            value: amount,
        });
    }
    u.check(amount)
        .map_err(|(col, message)| LcaError::InvalidUncertainty {
            matrix,
            row: row(),
            process: process.to_string(),
            message: format!("{col}: {message}"),
        })
}

impl ProductSystem {
    /// Validates and indexes a product system; see the module documentation
    /// for the conventions. Fails on the first problem found, naming it.
    pub fn build(data: SystemData) -> Result<ProductSystem> {
        if data.technosphere.is_empty() {
            return Err(LcaError::Empty);
        }
        let mut process_index = HashMap::new();
        let mut processes = Vec::new();
        let mut product_tmp_index: HashMap<String, usize> = HashMap::new();
        let mut products_tmp = Vec::new();
        let mut tech_coords_tmp = Vec::with_capacity(data.technosphere.len());
        for x in &data.technosphere {
            check_entry(
                MatrixKind::Technosphere,
                || format!("product '{}'", x.product),
                &x.process,
                x.amount,
                &x.uncertainty,
            )?;
            let c = intern(&mut process_index, &mut processes, &x.process);
            let r = intern(&mut product_tmp_index, &mut products_tmp, &x.product);
            tech_coords_tmp.push((r, c));
        }
        // Sum duplicates to decide who produces what.
        let mut sums: HashMap<(usize, usize), f64> = HashMap::with_capacity(tech_coords_tmp.len());
        for (x, &rc) in data.technosphere.iter().zip(&tech_coords_tmp) {
            *sums.entry(rc).or_insert(0.0) += x.amount;
        }
        let n_proc = processes.len();
        let n_prod = products_tmp.len();
        let mut producers: Vec<Vec<usize>> = vec![Vec::new(); n_prod];
        let mut outputs: Vec<Vec<usize>> = vec![Vec::new(); n_proc];
        // Deterministic: walk the distinct coordinates in input order.
        let mut seen = std::collections::HashSet::with_capacity(sums.len());
        for &rc in &tech_coords_tmp {
            if seen.insert(rc) && sums[&rc] > 0.0 {
                producers[rc.0].push(rc.1);
                outputs[rc.1].push(rc.0);
            }
        }
        let first_unproduced = producers.iter().position(|p| p.is_empty());
        let first_idle = outputs.iter().position(|o| o.is_empty());
        if n_prod != n_proc {
            let hint = if let Some(r) = first_unproduced {
                format!(
                    "; product '{}' is not produced by any process",
                    products_tmp[r]
                )
            } else if let Some(c) = first_idle {
                format!("; process '{}' produces nothing", processes[c])
            } else if let Some(c) = outputs.iter().position(|o| o.len() > 1) {
                format!("; process '{}' produces several products", processes[c])
            } else {
                String::new()
            };
            return Err(LcaError::NonSquare {
                products: n_prod,
                processes: n_proc,
                hint,
            });
        }
        if let Some(r) = first_unproduced {
            return Err(LcaError::NoProducer {
                product: products_tmp[r].clone(),
            });
        }
        if let Some(c) = first_idle {
            return Err(LcaError::ProducesNothing {
                process: processes[c].clone(),
            });
        }
        if let Some(c) = outputs.iter().position(|o| o.len() > 1) {
            return Err(LcaError::SeveralProducts {
                process: processes[c].clone(),
                products: outputs[c]
                    .iter()
                    .map(|&r| products_tmp[r].clone())
                    .collect(),
            });
        }
        if let Some(r) = producers.iter().position(|p| p.len() > 1) {
            return Err(LcaError::SeveralProducers {
                product: products_tmp[r].clone(),
                processes: producers[r].iter().map(|&c| processes[c].clone()).collect(),
            });
        }
        // Product r takes the index of its one producer.
        let mut products = vec![String::new(); n_proc];
        let mut product_index = HashMap::with_capacity(n_proc);
        let mut row_of_tmp = vec![0usize; n_prod];
        for (r, p) in producers.iter().enumerate() {
            row_of_tmp[r] = p[0];
            products[p[0]] = products_tmp[r].clone();
            product_index.insert(products_tmp[r].clone(), p[0]);
        }
        let tech_coords: Vec<(usize, usize)> = tech_coords_tmp
            .iter()
            .map(|&(r, c)| (row_of_tmp[r], c))
            .collect();
        let a = Pattern::build(n_proc, n_proc, &tech_coords);
        let a_values = a.values_from(data.technosphere.iter().map(|x| x.amount));

        let mut flow_index = HashMap::new();
        let mut flows = Vec::new();
        let mut bio_coords = Vec::with_capacity(data.biosphere.len());
        for x in &data.biosphere {
            check_entry(
                MatrixKind::Biosphere,
                || format!("flow '{}'", x.flow),
                &x.process,
                x.amount,
                &x.uncertainty,
            )?;
            let Some(&c) = process_index.get(&x.process) else {
                return Err(LcaError::UnknownProcess {
                    matrix: MatrixKind::Biosphere,
                    flow: x.flow.clone(),
                    process: x.process.clone(),
                });
            };
            let r = intern(&mut flow_index, &mut flows, &x.flow);
            bio_coords.push((r, c));
        }
        let mut flow_of_factor = Vec::with_capacity(data.characterisation.len());
        for x in &data.characterisation {
            if !x.factor.is_finite() {
                return Err(LcaError::NonFinite {
                    matrix: MatrixKind::Characterisation,
                    row: format!("flow '{}'", x.flow),
                    process: "-".into(),
                    value: x.factor,
                });
            }
            x.uncertainty.check(x.factor).map_err(|(col, message)| {
                LcaError::InvalidUncertainty {
                    matrix: MatrixKind::Characterisation,
                    row: format!("flow '{}'", x.flow),
                    process: "-".into(),
                    message: format!("{col}: {message}"),
                }
            })?;
            flow_of_factor.push(intern(&mut flow_index, &mut flows, &x.flow));
        }
        let n_flows = flows.len();
        let b = Pattern::build(n_flows, n_proc, &bio_coords);
        let b_values = b.values_from(data.biosphere.iter().map(|x| x.amount));
        let mut c = vec![0.0; n_flows];
        for (x, &f) in data.characterisation.iter().zip(&flow_of_factor) {
            c[f] += x.factor;
        }
        Ok(ProductSystem {
            processes,
            products,
            flows,
            process_index,
            product_index,
            flow_index,
            a,
            a_values,
            b,
            b_values,
            c,
            flow_of_factor,
            data,
        })
    }

    /// Number of processes (= products).
    pub fn len(&self) -> usize {
        self.processes.len()
    }

    /// Whether the system has no process (never true once built).
    pub fn is_empty(&self) -> bool {
        self.processes.is_empty()
    }

    /// Index of a product id.
    pub fn product(&self, id: &str) -> Option<usize> {
        self.product_index.get(id).copied()
    }

    /// Index of a process id.
    pub fn process(&self, id: &str) -> Option<usize> {
        self.process_index.get(id).copied()
    }

    /// Index of a flow id.
    pub fn flow(&self, id: &str) -> Option<usize> {
        self.flow_index.get(id).copied()
    }

    /// The demand vector f for (product id, amount) pairs; amounts of the
    /// same product add up.
    pub fn demand_vector<S: AsRef<str>>(&self, demand: &[(S, f64)]) -> Result<Vec<f64>> {
        if demand.is_empty() {
            return Err(LcaError::InvalidDemand {
                message: "no product demanded".into(),
            });
        }
        let mut f = vec![0.0; self.len()];
        for (id, amount) in demand {
            let id = id.as_ref();
            let i = self.product(id).ok_or_else(|| LcaError::UnknownProduct {
                product: id.to_string(),
            })?;
            if !amount.is_finite() {
                return Err(LcaError::InvalidDemand {
                    message: format!("the amount of '{id}' is not a finite number ({amount})"),
                });
            }
            f[i] += amount;
        }
        Ok(f)
    }

    /// Characterised direct emissions per unit of each process: h = Bᵀ·c.
    pub fn direct_impacts(&self, b_values: &[f64], c: &[f64]) -> Vec<f64> {
        (0..self.len())
            .map(|j| {
                let (lo, hi) = (self.b.col_ptr[j], self.b.col_ptr[j + 1]);
                self.b.row_idx[lo..hi]
                    .iter()
                    .zip(&b_values[lo..hi])
                    .map(|(&f, &v)| c[f] * v)
                    .sum()
            })
            .collect()
    }

    /// Inventory g = B·s (one amount per flow).
    pub fn inventory(&self, b_values: &[f64], s: &[f64]) -> Vec<f64> {
        let mut g = vec![0.0; self.flows.len()];
        for (j, &sj) in s.iter().enumerate() {
            if sj == 0.0 {
                continue;
            }
            let (lo, hi) = (self.b.col_ptr[j], self.b.col_ptr[j + 1]);
            for (&f, &v) in self.b.row_idx[lo..hi].iter().zip(&b_values[lo..hi]) {
                g[f] += v * sj;
            }
        }
        g
    }

    /// The value of A at (row, col), 0 when not stored.
    pub fn a_entry(&self, row: usize, col: usize) -> f64 {
        let (lo, hi) = (self.a.col_ptr[col], self.a.col_ptr[col + 1]);
        match self.a.row_idx[lo..hi].binary_search(&row) {
            Ok(k) => self.a_values[lo + k],
            Err(_) => 0.0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn t(product: &str, process: &str, amount: f64) -> TechExchange {
        TechExchange {
            product: product.into(),
            process: process.into(),
            amount,
            uncertainty: Uncertainty::None,
        }
    }

    fn data(tech: Vec<TechExchange>) -> SystemData {
        SystemData {
            technosphere: tech,
            ..Default::default()
        }
    }

    #[test]
    fn products_take_their_producers_index_and_duplicates_sum() {
        let s = ProductSystem::build(data(vec![
            t("steel", "steel mill", -0.5), // input listed before production
            t("iron", "steel mill", 1.0),
            t("steel", "steel plant", 1.0),
            t("iron", "steel plant", -0.5),
            t("iron", "steel plant", -0.25),
        ]))
        .unwrap();
        // Processes in first appearance; "iron" is made by "steel mill" (0).
        assert_eq!(s.processes, ["steel mill", "steel plant"]);
        assert_eq!(s.products, ["iron", "steel"]);
        assert_eq!(s.a_entry(0, 1), -0.75);
        assert_eq!(s.a_entry(1, 0), -0.5);
        assert_eq!(s.a_entry(0, 0), 1.0);
        assert_eq!(s.a.nnz(), 4);
    }

    #[test]
    fn inconsistent_systems_are_named() {
        let e = ProductSystem::build(data(vec![t("a", "A", 1.0), t("b", "A", -1.0)])).unwrap_err();
        assert!(matches!(e, LcaError::NonSquare { .. }), "{e}");
        assert!(e.to_string().contains("product 'b' is not produced"), "{e}");
        let e = ProductSystem::build(data(vec![
            t("a", "A", 1.0),
            t("b", "A", -1.0),
            t("a", "B", -1.0),
        ]))
        .unwrap_err();
        assert!(
            matches!(e, LcaError::NoProducer { ref product } if product == "b"),
            "{e}"
        );
        let e = ProductSystem::build(data(vec![
            t("a", "A", 1.0),
            t("b", "A", 1.0),
            t("a", "B", -1.0),
        ]))
        .unwrap_err();
        assert!(
            matches!(e, LcaError::ProducesNothing { ref process } if process == "B"),
            "{e}"
        );
        let e = ProductSystem::build(data(vec![
            t("a", "A", 1.0),
            t("a", "B", 1.0),
            t("b", "B", 1.0),
            t("b", "A", -1.0),
        ]))
        .unwrap_err();
        assert!(
            matches!(e, LcaError::SeveralProducts { ref process, .. } if process == "B"),
            "{e}"
        );
        let e = ProductSystem::build(data(vec![t("a", "A", f64::NAN)])).unwrap_err();
        assert!(matches!(e, LcaError::NonFinite { .. }), "{e}");
        assert!(matches!(
            ProductSystem::build(data(vec![])).unwrap_err(),
            LcaError::Empty
        ));
    }

    #[test]
    fn biosphere_must_name_known_processes() {
        let mut d = data(vec![t("a", "A", 1.0)]);
        d.biosphere.push(BioExchange {
            flow: "CO2".into(),
            process: "Z".into(),
            amount: 1.0,
            uncertainty: Uncertainty::None,
        });
        let e = ProductSystem::build(d).unwrap_err();
        assert!(e.to_string().contains("process 'Z'"), "{e}");
    }

    #[test]
    fn demand_vector_checks_ids_and_amounts() {
        let s = ProductSystem::build(data(vec![t("a", "A", 1.0)])).unwrap();
        assert_eq!(
            s.demand_vector(&[("a", 2.0), ("a", 1.0)]).unwrap(),
            vec![3.0]
        );
        assert!(matches!(
            s.demand_vector(&[("x", 1.0)]).unwrap_err(),
            LcaError::UnknownProduct { .. }
        ));
        assert!(s.demand_vector(&[("a", f64::INFINITY)]).is_err());
        assert!(s.demand_vector::<&str>(&[]).is_err());
    }
}
