//! The engine's one error type: every failure is named in plain English,
//! with the file, row and column, or the process and product concerned.

use std::fmt;

/// Which matrix an entry belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MatrixKind {
    /// Technosphere A (products × processes).
    Technosphere,
    /// Biosphere B (elementary flows × processes).
    Biosphere,
    /// Characterisation factors C (one factor per flow).
    Characterisation,
}

impl fmt::Display for MatrixKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            MatrixKind::Technosphere => "technosphere",
            MatrixKind::Biosphere => "biosphere",
            MatrixKind::Characterisation => "characterisation",
        })
    }
}

/// Everything that can go wrong, from reading a file to a Monte Carlo draw.
#[derive(Debug, thiserror::Error)]
pub enum LcaError {
    /// A bad value in an input file: file name, 1-based line number (the
    /// header is line 1) and column name.
    #[error("{file} row {line}, column {column}: {message}")]
    Input {
        file: String,
        line: u64,
        column: String,
        message: String,
    },
    /// The file could not be read or written.
    #[error("{file}: {source}")]
    Io {
        file: String,
        #[source]
        source: std::io::Error,
    },
    /// An amount (or uncertainty parameter) is NaN or infinite.
    #[error("{matrix} entry ({row}, process '{process}') is not a finite number ({value})")]
    NonFinite {
        matrix: MatrixKind,
        /// "product 'x'" or "flow 'x'".
        row: String,
        process: String,
        value: f64,
    },
    /// An exchange carries an impossible uncertainty description.
    #[error("{matrix} entry ({row}, process '{process}'): {message}")]
    InvalidUncertainty {
        matrix: MatrixKind,
        row: String,
        process: String,
        message: String,
    },
    /// The technosphere has no entries.
    #[error("the technosphere is empty: a product system needs at least one process")]
    Empty,
    /// Numbers of products and processes differ.
    #[error(
        "the technosphere is not square: {products} products but {processes} processes \
         (each product must be produced by exactly one process){hint}"
    )]
    NonSquare {
        products: usize,
        processes: usize,
        /// Names a first culprit, e.g. "; product 'x' is not produced by any process".
        hint: String,
    },
    /// A product (row) has no positive entry.
    #[error(
        "product '{product}' is not produced by any process (it is only consumed: no positive \
         entry in its row)"
    )]
    NoProducer { product: String },
    /// A product (row) has positive entries in several columns.
    #[error(
        "product '{product}' is produced by several processes ({}); each product needs exactly \
         one producer (model the alternatives as a market process)", quoted(.processes)
    )]
    SeveralProducers {
        product: String,
        processes: Vec<String>,
    },
    /// A process (column) has no positive entry.
    #[error("process '{process}' produces nothing (no positive entry in its column)")]
    ProducesNothing { process: String },
    /// A process (column) has positive entries in several rows.
    #[error(
        "process '{process}' produces several products ({}); allocate or substitute \
         multi-output processes first", quoted(.products)
    )]
    SeveralProducts {
        process: String,
        products: Vec<String>,
    },
    /// A biosphere entry names a process that is not in the technosphere.
    #[error(
        "{matrix} entry for flow '{flow}' names process '{process}', which is not in the technosphere"
    )]
    UnknownProcess {
        matrix: MatrixKind,
        flow: String,
        process: String,
    },
    /// A demand names a product that is not in the system.
    #[error("the demand names product '{product}', which is not in the technosphere")]
    UnknownProduct { product: String },
    /// A demand is unusable.
    #[error("invalid demand: {message}")]
    InvalidDemand { message: String },
    /// The technosphere matrix cannot be inverted.
    #[error(
        "the technosphere matrix is singular at process '{process}' (product '{product}'): \
         {detail}"
    )]
    Singular {
        process: String,
        product: String,
        detail: String,
    },
    /// The solution has NaN or infinite entries (an ill-conditioned system).
    #[error(
        "the solution is not finite at process '{process}': the technosphere matrix is \
         singular or too ill-conditioned"
    )]
    NonFiniteSolution { process: String },
    /// A value cannot be represented as a decimal.
    #[error("cannot convert {value} to a decimal: {message}")]
    Decimal { value: f64, message: String },
    /// A Monte Carlo draw failed.
    #[error("Monte Carlo draw {draw}: {source}")]
    MonteCarlo {
        draw: usize,
        #[source]
        source: Box<LcaError>,
    },
    /// Options that make no sense (e.g. zero draws).
    #[error("invalid option: {0}")]
    Options(String),
    /// An internal failure of the sparse solver (out of memory, ...).
    #[error("sparse solver failure: {0}")]
    Solver(String),
}

fn quoted(items: &[String]) -> String {
    let mut out = String::new();
    for (i, s) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        out.push('\'');
        out.push_str(s);
        out.push('\'');
    }
    out
}

/// Shorthand for results of this crate.
pub type Result<T, E = LcaError> = std::result::Result<T, E>;
