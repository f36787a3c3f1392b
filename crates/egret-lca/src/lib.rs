//! Egret's life cycle assessment engine: product systems as sparse
//! matrices, solved with faer's sparse LU.
//!
//! - [`system`]: string-id triplets → indexed technosphere A, biosphere B
//!   and characterisation c, validated (square, one producer per product).
//! - [`solver`]: symbolic and numeric LU with a block-triangular ordering
//!   (loops as diagonal blocks) or faer's COLAMD/supernodal LU.
//! - [`lca`]: A·s = f, inventory g = B·s, score cᵀ·g; re-solves with new
//!   demands and new values.
//! - [`contribution`]: top processes and flows, the supply-chain tree.
//! - [`uncertainty`], [`montecarlo`]: Brightway-style distributions, a
//!   seeded, parallel Monte Carlo.
//! - [`files`]: the CSV matrix format; [`report`]: the JSON result;
//!   [`synth`]: a synthetic background database; [`decimal`]: the f64 →
//!   decimal boundary.
//! - [`model`]: the domain's product systems (`egret_domain::product_system`
//!   matrices in, an exact-decimal `Calculation` out, errors as catalog
//!   messages): [`model::solve_matrices`] is the domain's `SolveFn`.
//!
//! No I/O beyond the files a caller names: no HTTP, no SQL, no async.

pub mod bench;
pub mod contribution;
pub mod decimal;
pub mod error;
pub mod files;
pub mod lca;
pub mod model;
pub mod montecarlo;
pub mod ordering;
pub mod report;
pub mod solver;
pub mod synth;
pub mod system;
pub mod uncertainty;

pub use contribution::{FlowContribution, ProcessContribution, SupplyChain, TreeOptions};
pub use decimal::to_decimal;
pub use error::{LcaError, MatrixKind, Result};
pub use lca::{Lca, LcaOptions, LcaResult};
pub use montecarlo::{McOptions, McResult, McStats};
pub use solver::Ordering;
pub use system::{BioExchange, CharFactor, ProductSystem, SystemData, TechExchange};
pub use uncertainty::Uncertainty;
