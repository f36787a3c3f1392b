//! Carbon accounting for Egret: the emission-factor library as versioned
//! data ([`library`]), activity records and the exact calculation kernel
//! with inventory totals ([`calc`]), and the streaming batch engine behind
//! `egret carbon calc` ([`batch`]); library factors as background processes
//! of product systems ([`lca`]).
//!
//! Pure domain logic: no HTTP, no SQL. Quantities, factors and results are
//! exact decimals; every result names the factor it used, and every factor
//! names its source document, table and confidence.

pub mod batch;
pub mod calc;
pub mod lca;
pub mod library;
