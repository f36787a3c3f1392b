//! Sparse LU of the technosphere matrix with faer, split into a symbolic
//! part (the column ordering and, for faer's supernodal LU, the fill
//! structure), kept for re-factorisations with new values (Monte Carlo),
//! and a numeric part (L, U and the row pivots), kept for re-solves with
//! new demand vectors.
//!
//! Orderings:
//! - [`Ordering::BlockTriangular`]: processes in the block-triangular order
//!   of [`crate::ordering`] (suppliers first, loops as consecutive blocks),
//!   then faer's left-looking (Gilbert–Peierls) LU with partial pivoting.
//!   For databases that are triangular apart from small loops, L and U have
//!   barely more non-zeros than A.
//! - [`Ordering::Colamd`]: faer's COLAMD fill-reducing column ordering with
//!   the same left-looking LU.
//! - [`Ordering::Supernodal`]: faer's default sparse LU (COLAMD and a
//!   supernodal factorisation when it predicts many flops).
//! - [`Ordering::Auto`] (default): block-triangular when the largest loop
//!   has at most [`AUTO_MAX_BLOCK`] processes, else supernodal.

use faer::dyn_stack::{MemBuffer, MemStack, StackReq};
use faer::perm::PermRef;
use faer::sparse::linalg::lu::simplicial::{self, SimplicialLu};
use faer::sparse::linalg::lu::{LuRef, NumericLu, SymbolicLu};
use faer::sparse::linalg::{LuError, colamd};
use faer::sparse::{SparseColMatRef, SymbolicSparseColMatRef};
use faer::{Conj, MatMut, Par};

use crate::ordering::{BlockOrder, block_order};
use crate::system::Pattern;

/// Largest loop for which [`Ordering::Auto`] picks the block-triangular
/// ordering.
pub const AUTO_MAX_BLOCK: usize = 1000;

/// A pivot smaller than this times the largest magnitude in its column of A
/// means the matrix is (numerically) singular.
pub const PIVOT_TOLERANCE: f64 = 1e-12;

/// Column ordering and factorisation kind.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Ordering {
    #[default]
    Auto,
    BlockTriangular,
    Colamd,
    Supernodal,
}

impl Ordering {
    /// Name used in output and options.
    pub fn name(self) -> &'static str {
        match self {
            Ordering::Auto => "auto",
            Ordering::BlockTriangular => "block-triangular",
            Ordering::Colamd => "colamd",
            Ordering::Supernodal => "supernodal",
        }
    }

    /// Parses [`Ordering::name`].
    pub fn parse(s: &str) -> Option<Ordering> {
        [
            Ordering::Auto,
            Ordering::BlockTriangular,
            Ordering::Colamd,
            Ordering::Supernodal,
        ]
        .into_iter()
        .find(|o| o.name() == s)
    }
}

/// Why a numeric factorisation failed.
#[derive(Clone, Debug, PartialEq)]
pub enum FactorError {
    /// The pivot of the process (column) with this index vanished.
    Singular { process: usize, pivot: f64 },
    /// Memory or another failure inside faer.
    Solver(String),
}

enum SymKind {
    Simplicial { fwd: Vec<usize>, inv: Vec<usize> },
    Supernodal(SymbolicLu<usize>),
}

/// The symbolic factorisation: reusable for any values with the same
/// sparsity pattern.
pub struct Symbolic {
    n: usize,
    kind: SymKind,
    ordering: Ordering,
    blocks: Option<BlockOrder>,
    scratch: StackReq,
}

enum NumKind {
    Empty,
    Simplicial {
        lu: SimplicialLu<usize, f64>,
        row_fwd: Vec<usize>,
        row_inv: Vec<usize>,
    },
    Supernodal(NumericLu<usize, f64>),
}

/// A numeric factorisation (L, U, row pivots) for one set of values.
pub struct Numeric {
    kind: NumKind,
}

impl Default for Numeric {
    fn default() -> Self {
        Numeric {
            kind: NumKind::Empty,
        }
    }
}

/// Scratch memory for factorising and solving (one per thread).
pub struct Workspace {
    buf: MemBuffer,
    colmax: Vec<f64>,
}

fn symbolic_ref(p: &Pattern) -> SymbolicSparseColMatRef<'_, usize> {
    SymbolicSparseColMatRef::new_checked(p.nrows, p.ncols, &p.col_ptr, None, &p.row_idx)
}

fn inverse(fwd: &[usize]) -> Vec<usize> {
    let mut inv = vec![0; fwd.len()];
    for (i, &p) in fwd.iter().enumerate() {
        inv[p] = i;
    }
    inv
}

impl Symbolic {
    /// Analyses the pattern of a square matrix whose diagonal holds each
    /// process's production.
    pub fn analyse(a: &Pattern, ordering: Ordering) -> Result<Symbolic, FactorError> {
        let n = a.ncols;
        let solver = |e: faer::sparse::FaerError| FactorError::Solver(format!("{e:?}"));
        let mut blocks = None;
        let resolved = match ordering {
            Ordering::Auto => {
                let b = block_order(a);
                let pick = if b.largest_block() <= AUTO_MAX_BLOCK {
                    Ordering::BlockTriangular
                } else {
                    Ordering::Supernodal
                };
                blocks = Some(b);
                pick
            }
            o => o,
        };
        let kind = match resolved {
            Ordering::BlockTriangular => {
                let b = blocks.get_or_insert_with(|| block_order(a));
                let fwd = b.order.clone();
                let inv = inverse(&fwd);
                SymKind::Simplicial { fwd, inv }
            }
            Ordering::Colamd => {
                let mut fwd = vec![0usize; n];
                let mut inv = vec![0usize; n];
                let mut mem = MemBuffer::try_new(colamd::order_scratch::<usize>(n, n, a.nnz()))
                    .map_err(|_| FactorError::Solver("out of memory".into()))?;
                colamd::order(
                    &mut fwd,
                    &mut inv,
                    symbolic_ref(a),
                    Default::default(),
                    MemStack::new(&mut mem),
                )
                .map_err(solver)?;
                SymKind::Simplicial { fwd, inv }
            }
            _ => SymKind::Supernodal(
                faer::sparse::linalg::lu::factorize_symbolic_lu(
                    symbolic_ref(a),
                    Default::default(),
                )
                .map_err(solver)?,
            ),
        };
        let scratch = match &kind {
            SymKind::Simplicial { .. } => StackReq::any_of(&[
                simplicial::factorize_simplicial_numeric_lu_scratch::<usize, f64>(n, n),
                simplicial::solve_in_place_scratch::<usize, f64>(n, 1, Par::Seq),
            ]),
            SymKind::Supernodal(s) => StackReq::any_of(&[
                s.factorize_numeric_lu_scratch::<f64>(Par::Seq, Default::default()),
                s.solve_in_place_scratch::<f64>(1, Par::Seq),
            ]),
        };
        Ok(Symbolic {
            n,
            kind,
            ordering: if ordering == Ordering::Auto && resolved == Ordering::Supernodal {
                Ordering::Supernodal
            } else {
                resolved
            },
            blocks,
            scratch,
        })
    }

    /// The ordering in use (never `Auto`).
    pub fn ordering(&self) -> Ordering {
        self.ordering
    }

    /// The loops found, when the block-triangular analysis ran.
    pub fn blocks(&self) -> Option<&BlockOrder> {
        self.blocks.as_ref()
    }

    /// Order of the matrix.
    pub fn n(&self) -> usize {
        self.n
    }

    /// Scratch memory sized for this factorisation.
    pub fn workspace(&self) -> Workspace {
        Workspace {
            buf: MemBuffer::new(self.scratch),
            colmax: Vec::new(),
        }
    }

    /// The process factorised at step `k`, when known.
    fn process_at_step(&self, k: usize) -> usize {
        match &self.kind {
            SymKind::Simplicial { fwd, .. } => fwd[k],
            SymKind::Supernodal(s) => s.col_perm().arrays().0[k],
        }
    }

    /// Numeric factorisation of `values` (laid out as `a`'s pattern) into
    /// `num`, reusing its memory. Checks every pivot of the left-looking
    /// LU; the supernodal LU's pivots are checked through the solution.
    pub fn factorize(
        &self,
        a: &Pattern,
        values: &[f64],
        num: &mut Numeric,
        ws: &mut Workspace,
    ) -> Result<(), FactorError> {
        let mat = SparseColMatRef::new(symbolic_ref(a), values);
        let stack = MemStack::new(&mut ws.buf);
        let map_err = |e: LuError| match e {
            LuError::SymbolicSingular { index } => FactorError::Singular {
                process: self.process_at_step(index),
                pivot: 0.0,
            },
            LuError::Generic(g) => FactorError::Solver(format!("{g:?}")),
        };
        match &self.kind {
            SymKind::Simplicial { fwd, inv } => {
                if !matches!(num.kind, NumKind::Simplicial { .. }) {
                    num.kind = NumKind::Simplicial {
                        lu: SimplicialLu::new(),
                        row_fwd: vec![0; self.n],
                        row_inv: vec![0; self.n],
                    };
                }
                let NumKind::Simplicial {
                    lu,
                    row_fwd,
                    row_inv,
                } = &mut num.kind
                else {
                    unreachable!()
                };
                let col_perm = PermRef::new_checked(fwd, inv, self.n);
                simplicial::factorize_simplicial_numeric_lu(
                    row_fwd, row_inv, lu, mat, col_perm, stack,
                )
                .map_err(map_err)?;
                // Pivot check: the last entry of U's column k is the pivot.
                ws.colmax.clear();
                ws.colmax.extend((0..self.n).map(|j| {
                    values[a.col_ptr[j]..a.col_ptr[j + 1]]
                        .iter()
                        .fold(0.0f64, |m, v| m.max(v.abs()))
                }));
                let u = lu.u_factor_unsorted();
                for (k, &process) in fwd.iter().enumerate() {
                    let pivot = *u.val_of_col(k).last().unwrap_or(&0.0);
                    let negligible = pivot.abs() <= PIVOT_TOLERANCE * ws.colmax[process];
                    if negligible || !pivot.is_finite() {
                        return Err(FactorError::Singular { process, pivot });
                    }
                }
                Ok(())
            }
            SymKind::Supernodal(s) => {
                if !matches!(num.kind, NumKind::Supernodal(_)) {
                    num.kind = NumKind::Supernodal(NumericLu::new());
                }
                let NumKind::Supernodal(lu) = &mut num.kind else {
                    unreachable!()
                };
                s.factorize_numeric_lu(lu, mat, Par::Seq, stack, Default::default())
                    .map_err(map_err)?;
                Ok(())
            }
        }
    }

    /// Solves A·x = rhs in place with a numeric factorisation.
    pub fn solve_in_place(&self, num: &Numeric, rhs: &mut [f64], ws: &mut Workspace) {
        self.solve_impl(num, rhs, ws, false)
    }

    /// Solves Aᵀ·x = rhs in place with a numeric factorisation.
    pub fn solve_transpose_in_place(&self, num: &Numeric, rhs: &mut [f64], ws: &mut Workspace) {
        self.solve_impl(num, rhs, ws, true)
    }

    fn solve_impl(&self, num: &Numeric, rhs: &mut [f64], ws: &mut Workspace, transpose: bool) {
        assert_eq!(rhs.len(), self.n, "right-hand side length");
        let n = self.n;
        let x = MatMut::from_column_major_slice_mut(rhs, n, 1);
        let stack = MemStack::new(&mut ws.buf);
        match (&self.kind, &num.kind) {
            (
                SymKind::Simplicial { fwd, inv },
                NumKind::Simplicial {
                    lu,
                    row_fwd,
                    row_inv,
                },
            ) => {
                let col_perm = PermRef::new_checked(fwd, inv, n);
                let row_perm = PermRef::new_checked(row_fwd, row_inv, n);
                if transpose {
                    lu.solve_transpose_in_place_with_conj(
                        row_perm,
                        col_perm,
                        Conj::No,
                        x,
                        Par::Seq,
                        stack,
                    );
                } else {
                    lu.solve_in_place_with_conj(row_perm, col_perm, Conj::No, x, Par::Seq, stack);
                }
            }
            (SymKind::Supernodal(s), NumKind::Supernodal(lu)) => {
                let r = LuRef::new_unchecked(s, lu);
                if transpose {
                    r.solve_transpose_in_place_with_conj(Conj::No, x, Par::Seq, stack);
                } else {
                    r.solve_in_place_with_conj(Conj::No, x, Par::Seq, stack);
                }
            }
            _ => panic!("solve before a successful factorisation"),
        }
    }

    /// Size of L + U (non-zeros), for reports; `None` for the supernodal LU.
    pub fn factor_nnz(&self, num: &Numeric) -> Option<usize> {
        match &num.kind {
            NumKind::Simplicial { lu, .. } => Some(
                lu.l_factor_unsorted().compute_nnz() + lu.u_factor_unsorted().compute_nnz()
                    - self.n,
            ),
            _ => None,
        }
    }
}

/// Finds the process whose pivot vanishes with a left-looking LU in COLAMD
/// order, to name it when the supernodal LU gave a non-finite solution.
pub fn diagnose(a: &Pattern, values: &[f64]) -> Option<(usize, f64)> {
    let sym = Symbolic::analyse(a, Ordering::Colamd).ok()?;
    let mut ws = sym.workspace();
    let mut num = Numeric::default();
    match sym.factorize(a, values, &mut num, &mut ws) {
        Err(FactorError::Singular { process, pivot }) => Some((process, pivot)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::system::{ProductSystem, SystemData, TechExchange};
    use crate::uncertainty::Uncertainty;

    fn sys(entries: &[(&str, &str, f64)]) -> ProductSystem {
        ProductSystem::build(SystemData {
            technosphere: entries
                .iter()
                .map(|&(p, q, v)| TechExchange {
                    product: p.into(),
                    process: q.into(),
                    amount: v,
                    uncertainty: Uncertainty::None,
                })
                .collect(),
            ..Default::default()
        })
        .unwrap()
    }

    fn residual(s: &ProductSystem, x: &[f64], f: &[f64]) -> f64 {
        let mut r = f.to_vec();
        for (j, xj) in x.iter().enumerate() {
            for k in s.a.col_ptr[j]..s.a.col_ptr[j + 1] {
                r[s.a.row_idx[k]] -= s.a_values[k] * xj;
            }
        }
        r.iter().fold(0.0f64, |m, v| m.max(v.abs()))
    }

    #[test]
    fn every_ordering_solves_a_loop_and_its_transpose() {
        let s = sys(&[
            ("elec", "power", 1.0),
            ("coal", "power", -0.4),
            ("coal", "mine", 1.0),
            ("elec", "mine", -0.1),
            ("steel", "mill", 2.0),
            ("elec", "mill", -3.0),
            ("coal", "mill", -0.5),
        ]);
        for o in [
            Ordering::Auto,
            Ordering::BlockTriangular,
            Ordering::Colamd,
            Ordering::Supernodal,
        ] {
            let sym = Symbolic::analyse(&s.a, o).unwrap();
            let mut ws = sym.workspace();
            let mut num = Numeric::default();
            sym.factorize(&s.a, &s.a_values, &mut num, &mut ws).unwrap();
            let f = vec![0.5, -1.0, 3.0];
            let mut x = f.clone();
            sym.solve_in_place(&num, &mut x, &mut ws);
            assert!(residual(&s, &x, &f) < 1e-14, "{o:?}");
            let mut y = f.clone();
            sym.solve_transpose_in_place(&num, &mut y, &mut ws);
            // Check Aᵀ·y = f.
            for (j, fj) in f.iter().enumerate() {
                let v: f64 = (s.a.col_ptr[j]..s.a.col_ptr[j + 1])
                    .map(|k| s.a_values[k] * y[s.a.row_idx[k]])
                    .sum();
                assert!((v - fj).abs() < 1e-14, "{o:?}");
            }
        }
    }

    #[test]
    fn a_vanishing_pivot_names_a_process_of_the_loop() {
        // p and q consume all of each other's output: A = [[1,-1],[-1,1]].
        let s = sys(&[
            ("a", "p", 1.0),
            ("b", "p", -1.0),
            ("b", "q", 1.0),
            ("a", "q", -1.0),
        ]);
        for o in [Ordering::BlockTriangular, Ordering::Colamd] {
            let sym = Symbolic::analyse(&s.a, o).unwrap();
            let mut ws = sym.workspace();
            let mut num = Numeric::default();
            let e = sym
                .factorize(&s.a, &s.a_values, &mut num, &mut ws)
                .unwrap_err();
            assert!(
                matches!(e, FactorError::Singular { process, .. } if process < 2),
                "{e:?}"
            );
        }
        assert!(diagnose(&s.a, &s.a_values).is_some());
    }
}
