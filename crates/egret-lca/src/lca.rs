//! The calculation: factorise A once, solve A·s = f for any demand, and
//! score g = C·B·s.

use serde::Serialize;

use crate::error::{LcaError, Result};
use crate::solver::{self, FactorError, Numeric, Ordering, Symbolic};
use crate::system::ProductSystem;

/// Options of [`Lca::new`].
#[derive(Clone, Copy, Debug, Default)]
pub struct LcaOptions {
    pub ordering: Ordering,
}

/// A product system with its technosphere factorised.
pub struct Lca {
    system: ProductSystem,
    symbolic: Symbolic,
    numeric: Numeric,
    /// Characterised direct emissions per unit of each process (Bᵀ·c).
    direct: Vec<f64>,
}

/// The result for one demand vector.
#[derive(Clone, Debug, Serialize)]
pub struct LcaResult {
    /// The demand vector f (one amount per product).
    #[serde(skip)]
    pub demand: Vec<f64>,
    /// Scaling vector s (A·s = f), one factor per process.
    pub scaling: Vec<f64>,
    /// Inventory g = B·s, one amount per elementary flow.
    pub inventory: Vec<f64>,
    /// Score cᵀ·g.
    pub score: f64,
}

pub(crate) fn factor_error(system: &ProductSystem, e: FactorError) -> LcaError {
    match e {
        FactorError::Singular { process, pivot } => LcaError::Singular {
            process: system.processes[process].clone(),
            product: system.products[process].clone(),
            detail: if pivot == 0.0 {
                "its pivot is zero after elimination: its column depends linearly on other \
                 processes' columns (e.g. a loop that produces nothing net, or duplicated processes)"
                    .into()
            } else {
                format!(
                    "its pivot after elimination is {pivot:e}, negligible against its column: \
                     its column depends linearly on other processes' columns (e.g. a loop that \
                     produces nothing net, or duplicated processes)"
                )
            },
        },
        FactorError::Solver(m) => LcaError::Solver(m),
    }
}

/// Fails naming a process when `x` has a non-finite entry.
pub(crate) fn check_finite(system: &ProductSystem, a_values: &[f64], x: &[f64]) -> Result<()> {
    if let Some(j) = x.iter().position(|v| !v.is_finite()) {
        if let Some((process, pivot)) = solver::diagnose(&system.a, a_values) {
            return Err(factor_error(
                system,
                FactorError::Singular { process, pivot },
            ));
        }
        return Err(LcaError::NonFiniteSolution {
            process: system.processes[j].clone(),
        });
    }
    Ok(())
}

impl Lca {
    /// Analyses and factorises the technosphere matrix.
    pub fn new(system: ProductSystem, options: LcaOptions) -> Result<Lca> {
        let symbolic =
            Symbolic::analyse(&system.a, options.ordering).map_err(|e| factor_error(&system, e))?;
        let mut numeric = Numeric::default();
        let mut ws = symbolic.workspace();
        symbolic
            .factorize(&system.a, &system.a_values, &mut numeric, &mut ws)
            .map_err(|e| factor_error(&system, e))?;
        let direct = system.direct_impacts(&system.b_values, &system.c);
        Ok(Lca {
            system,
            symbolic,
            numeric,
            direct,
        })
    }

    /// The product system.
    pub fn system(&self) -> &ProductSystem {
        &self.system
    }

    /// The symbolic factorisation (ordering, loops).
    pub fn symbolic(&self) -> &Symbolic {
        &self.symbolic
    }

    /// Non-zeros of L + U (left-looking LU only).
    pub fn factor_nnz(&self) -> Option<usize> {
        self.symbolic.factor_nnz(&self.numeric)
    }

    /// Characterised direct emissions per unit of each process (Bᵀ·c).
    pub fn direct_impacts(&self) -> &[f64] {
        &self.direct
    }

    /// Replaces the values of A, B and c (same patterns), re-factorising A
    /// with the kept symbolic analysis.
    pub fn set_values(
        &mut self,
        a_values: Vec<f64>,
        b_values: Vec<f64>,
        c: Vec<f64>,
    ) -> Result<()> {
        if a_values.len() != self.system.a_values.len()
            || b_values.len() != self.system.b_values.len()
            || c.len() != self.system.c.len()
        {
            return Err(LcaError::Options(
                "new values do not fit the matrices' patterns".into(),
            ));
        }
        if let Some(v) = a_values
            .iter()
            .chain(&b_values)
            .chain(&c)
            .find(|v| !v.is_finite())
        {
            return Err(LcaError::Options(format!("new values include {v}")));
        }
        let mut ws = self.symbolic.workspace();
        self.symbolic
            .factorize(&self.system.a, &a_values, &mut self.numeric, &mut ws)
            .map_err(|e| factor_error(&self.system, e))?;
        self.system.a_values = a_values;
        self.system.b_values = b_values;
        self.system.c = c;
        self.direct = self
            .system
            .direct_impacts(&self.system.b_values, &self.system.c);
        Ok(())
    }

    /// Solves for a demand given as (product id, amount) pairs.
    pub fn solve<S: AsRef<str>>(&self, demand: &[(S, f64)]) -> Result<LcaResult> {
        let f = self.system.demand_vector(demand)?;
        self.solve_vector(f)
    }

    /// Solves for a demand vector f (one amount per product index), reusing
    /// the numeric factorisation.
    pub fn solve_vector(&self, f: Vec<f64>) -> Result<LcaResult> {
        let mut s = f.clone();
        let mut ws = self.symbolic.workspace();
        self.symbolic.solve_in_place(&self.numeric, &mut s, &mut ws);
        check_finite(&self.system, &self.system.a_values, &s)?;
        let inventory = self.system.inventory(&self.system.b_values, &s);
        let score = inventory
            .iter()
            .zip(&self.system.c)
            .map(|(g, c)| g * c)
            .sum();
        Ok(LcaResult {
            demand: f,
            scaling: s,
            inventory,
            score,
        })
    }

    /// Cumulative (cradle-to-gate) score per unit of each product:
    /// u = A⁻ᵀ·(Bᵀ·c), so that score = fᵀ·u.
    pub fn unit_cumulative(&self) -> Result<Vec<f64>> {
        let mut u = self.direct.clone();
        let mut ws = self.symbolic.workspace();
        self.symbolic
            .solve_transpose_in_place(&self.numeric, &mut u, &mut ws);
        check_finite(&self.system, &self.system.a_values, &u)?;
        Ok(u)
    }

    /// Relative residual max|A·s − f| / max(|f|, max|A|·max|s|).
    pub fn residual(&self, result: &LcaResult) -> f64 {
        let sys = &self.system;
        let mut r = result.demand.clone();
        let mut amax = 0.0f64;
        for j in 0..sys.len() {
            for k in sys.a.col_ptr[j]..sys.a.col_ptr[j + 1] {
                r[sys.a.row_idx[k]] -= sys.a_values[k] * result.scaling[j];
                amax = amax.max(sys.a_values[k].abs());
            }
        }
        let inf = |v: &[f64]| v.iter().fold(0.0f64, |m, x| m.max(x.abs()));
        let scale = inf(&result.demand).max(amax * inf(&result.scaling));
        if scale == 0.0 { 0.0 } else { inf(&r) / scale }
    }
}
