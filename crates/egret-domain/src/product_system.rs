//! Product systems as an enterprise builds them: its own processes (a bill
//! of materials and primary data), background datasets from the carbon
//! library or a cited secondary source, suppliers' footprints received over
//! PACT, and processes imported from openLCA JSON-LD. A model is checked
//! here and turned into string-id matrices ([`Matrices`]) for the LCA
//! engine; what the engine returns comes back as a [`Calculation`] of exact
//! decimals.
//!
//! Conventions: every process produces one product (`output` of it per
//! run); inputs name a product some process of the system produces;
//! emissions are kilograms of an elementary flow — a gas of the GWP set
//! (`CO2`, `CH4-fossil`, `N2O`, …), `CO2e` (already characterised), or a
//! flow the model defines with its own factor (an imported LCIA method).
//! Each emission has a kind (fossil, biogenic, biogenic uptake, land-use
//! change) so a footprint's PACT split comes out of the calculation.

use std::collections::{BTreeMap, BTreeSet};

use egret_i18n::Msg;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::org::FieldError;

/// A product system: the processes and the functional unit.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProductSystemModel {
    pub name: String,
    /// The product of the functional unit (a product some process makes).
    pub reference_product: String,
    /// How much of it the functional unit is, in that process's unit.
    pub amount: Decimal,
    /// `AR5` or `AR6`.
    pub gwp_set: String,
    #[serde(default)]
    pub processes: Vec<ProcessModel>,
    /// Elementary flows with their own characterisation factors (kgCO2e
    /// per kg), e.g. from an imported openLCA impact category.
    #[serde(default)]
    pub flows: Vec<FlowModel>,
}

/// One process: makes `output` `unit` of `product` per run from its inputs,
/// emitting its emissions.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProcessModel {
    pub id: String,
    pub name: String,
    pub product: String,
    pub unit: String,
    pub output: Decimal,
    #[serde(default)]
    pub source: ProcessSource,
    #[serde(default)]
    pub inputs: Vec<InputModel>,
    #[serde(default)]
    pub emissions: Vec<EmissionModel>,
}

/// Where a process's data come from (shown beside every number).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum ProcessSource {
    /// The enterprise's own measured data (primary data).
    #[default]
    Own,
    /// An emission factor of the carbon library: id, library version, and
    /// the factor's source document.
    Factor {
        factor_id: String,
        library_version: String,
        document: String,
    },
    /// A supplier's footprint received over PACT (or entered from its
    /// declaration): the footprint id, the supplier, the stored copy.
    Supplier {
        pf_id: String,
        company: String,
        received_id: String,
        #[serde(default)]
        certificate: Option<String>,
    },
    /// A secondary dataset cited from a database or the literature.
    Secondary { citation: String },
    /// Imported from a file (openLCA JSON-LD: the file and `@id`).
    Imported { origin: String },
}

impl ProcessSource {
    /// Primary data: the enterprise's own processes.
    pub fn is_primary(&self) -> bool {
        matches!(self, ProcessSource::Own)
    }

    /// A short label: `own`, `factor`, `supplier`, `secondary`, `imported`.
    pub fn kind(&self) -> &'static str {
        match self {
            ProcessSource::Own => "own",
            ProcessSource::Factor { .. } => "factor",
            ProcessSource::Supplier { .. } => "supplier",
            ProcessSource::Secondary { .. } => "secondary",
            ProcessSource::Imported { .. } => "imported",
        }
    }
}

/// An input of a product made by another process of the system.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InputModel {
    pub product: String,
    pub amount: Decimal,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uncertainty: Option<UncertaintySpec>,
}

/// Kilograms of an elementary flow emitted (negative: taken up).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmissionModel {
    pub flow: String,
    pub amount: Decimal,
    #[serde(default)]
    pub kind: EmissionKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uncertainty: Option<UncertaintySpec>,
}

/// The PACT split an emission belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum EmissionKind {
    #[default]
    Fossil,
    /// Biogenic emissions other than CO2 uptake (e.g. biogenic CH4).
    Biogenic,
    /// Biogenic CO2 taken up (a negative amount).
    Uptake,
    /// Direct land-use change.
    LandUse,
}

impl EmissionKind {
    pub const ALL: [EmissionKind; 4] = [
        EmissionKind::Fossil,
        EmissionKind::Biogenic,
        EmissionKind::Uptake,
        EmissionKind::LandUse,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EmissionKind::Fossil => "fossil",
            EmissionKind::Biogenic => "biogenic",
            EmissionKind::Uptake => "uptake",
            EmissionKind::LandUse => "land_use",
        }
    }

    pub fn parse(s: &str) -> Option<EmissionKind> {
        EmissionKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// A flow the model characterises itself.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FlowModel {
    pub id: String,
    pub name: String,
    /// kgCO2e per kg.
    pub factor: Decimal,
    /// Where the factor comes from (method and version).
    pub source: String,
}

/// Uncertainty of an amount in Brightway's conventions, centred on the
/// amount: lognormal `scale` = σ of ln (loc = ln|amount|); normal `scale` =
/// standard deviation (loc = amount); triangular `min`/`max` around the
/// amount as mode; uniform `min`/`max`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UncertaintySpec {
    pub distribution: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale: Option<Decimal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<Decimal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<Decimal>,
}

pub const DISTRIBUTIONS: [&str; 4] = ["lognormal", "normal", "triangular", "uniform"];

impl UncertaintySpec {
    /// Checks the parameters against the amount they describe.
    fn check(&self, amount: Decimal) -> Result<(), &'static str> {
        let positive = |d: Option<Decimal>| d.is_some_and(|v| v > Decimal::ZERO);
        let around = || match (self.min, self.max) {
            (Some(lo), Some(hi)) => lo <= amount && amount <= hi && lo < hi,
            _ => false,
        };
        let ok = match self.distribution.as_str() {
            "lognormal" => positive(self.scale) && !amount.is_zero(),
            "normal" => positive(self.scale),
            "triangular" | "uniform" => around(),
            _ => return Err("domain-ps-distribution"),
        };
        if ok {
            Ok(())
        } else {
            Err("domain-ps-uncertainty")
        }
    }
}

/// One matrix entry: `row` (a product or a flow id) × `col` (a process id).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub row: String,
    pub col: String,
    /// Signed: production positive, inputs negative (technosphere).
    pub amount: Decimal,
    pub uncertainty: Option<UncertaintySpec>,
}

/// The model as matrices with string ids, ready for the engine.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Matrices {
    pub technosphere: Vec<Entry>,
    /// Rows are `flow|kind` (e.g. `CO2|fossil`).
    pub biosphere: Vec<Entry>,
    /// kgCO2e per kg for each biosphere row.
    pub factors: Vec<(String, Decimal)>,
    pub demand_product: String,
    pub demand_amount: Decimal,
}

/// The biosphere row id of a flow of a kind.
pub fn flow_row(flow: &str, kind: EmissionKind) -> String {
    format!("{flow}|{}", kind.as_str())
}

/// Splits a biosphere row id back into flow and kind.
pub fn split_flow_row(row: &str) -> Option<(&str, EmissionKind)> {
    let (flow, kind) = row.rsplit_once('|')?;
    Some((flow, EmissionKind::parse(kind)?))
}

/// The id of a flow already in CO2e.
pub const CO2E: &str = "CO2e";

fn err(field: String, key: &'static str) -> FieldError {
    FieldError::new(field, Msg::new(key))
}

impl ProductSystemModel {
    /// Checks the model and builds its matrices. `gwp` gives the factor of
    /// a gas in the model's GWP set (None: not a gas of the set). Every
    /// error names its field, e.g. `processes[2].inputs[0].product`.
    pub fn matrices(
        &self,
        gwp: impl Fn(&str) -> Option<Decimal>,
    ) -> Result<Matrices, Vec<FieldError>> {
        let mut e = Vec::new();
        if self.name.trim().is_empty() {
            e.push(err("name".into(), "domain-required"));
        }
        if !crate::pcf::GWP_SETS.contains(&self.gwp_set.as_str()) {
            e.push(err("gwp_set".into(), "domain-pcf-gwp"));
        }
        if self.amount <= Decimal::ZERO {
            e.push(err("amount".into(), "domain-pcf-positive"));
        }
        let mut own_flows: BTreeMap<&str, Decimal> = BTreeMap::new();
        for (i, f) in self.flows.iter().enumerate() {
            if f.id.trim().is_empty() || f.id.contains('|') {
                e.push(err(format!("flows[{i}].id"), "domain-ps-id"));
            } else if own_flows.insert(f.id.as_str(), f.factor).is_some() {
                e.push(err(format!("flows[{i}].id"), "domain-ps-duplicate"));
            }
        }
        let mut ids = BTreeSet::new();
        let mut producers: BTreeMap<&str, &str> = BTreeMap::new();
        for (i, p) in self.processes.iter().enumerate() {
            let at = |f: &str| format!("processes[{i}].{f}");
            if p.id.trim().is_empty() {
                e.push(err(at("id"), "domain-required"));
            } else if !ids.insert(p.id.as_str()) {
                e.push(err(at("id"), "domain-ps-duplicate"));
            }
            if p.name.trim().is_empty() {
                e.push(err(at("name"), "domain-required"));
            }
            if p.product.trim().is_empty() {
                e.push(err(at("product"), "domain-required"));
            } else if producers
                .insert(p.product.as_str(), p.id.as_str())
                .is_some()
            {
                e.push(err(at("product"), "domain-ps-two-producers"));
            }
            if p.output <= Decimal::ZERO {
                e.push(err(at("output"), "domain-pcf-positive"));
            }
        }
        if self.processes.is_empty() {
            e.push(err("processes".into(), "domain-required"));
        } else if !producers.contains_key(self.reference_product.as_str()) {
            e.push(err("reference_product".into(), "domain-ps-no-producer"));
        }
        let mut tech = Vec::new();
        let mut bio = Vec::new();
        let mut factors: BTreeMap<String, Decimal> = BTreeMap::new();
        for (i, p) in self.processes.iter().enumerate() {
            tech.push(Entry {
                row: p.product.clone(),
                col: p.id.clone(),
                amount: p.output,
                uncertainty: None,
            });
            for (j, x) in p.inputs.iter().enumerate() {
                let at = |f: &str| format!("processes[{i}].inputs[{j}].{f}");
                if !producers.contains_key(x.product.as_str()) {
                    e.push(err(at("product"), "domain-ps-no-producer"));
                }
                // A negative input would be a second output of the
                // process: co-products must be allocated first.
                if x.amount <= Decimal::ZERO {
                    e.push(err(at("amount"), "domain-pcf-positive"));
                }
                if let Some(u) = &x.uncertainty
                    && let Err(k) = u.check(x.amount)
                {
                    e.push(err(at("uncertainty"), k));
                }
                // Inputs are negative in A; the uncertainty is on the
                // magnitude as entered, so its bounds flip with it.
                tech.push(Entry {
                    row: x.product.clone(),
                    col: p.id.clone(),
                    amount: -x.amount,
                    uncertainty: x.uncertainty.as_ref().map(negated),
                });
            }
            for (j, m) in p.emissions.iter().enumerate() {
                let at = |f: &str| format!("processes[{i}].emissions[{j}].{f}");
                let factor = if m.flow == CO2E {
                    Some(Decimal::ONE)
                } else {
                    own_flows
                        .get(m.flow.as_str())
                        .copied()
                        .or_else(|| gwp(&m.flow))
                };
                match factor {
                    Some(f) => {
                        factors.insert(flow_row(&m.flow, m.kind), f);
                    }
                    None => e.push(err(at("flow"), "domain-ps-flow")),
                }
                if m.amount.is_zero() {
                    e.push(err(at("amount"), "domain-ps-zero"));
                }
                if (m.kind == EmissionKind::Uptake) != (m.amount < Decimal::ZERO) {
                    e.push(err(at("kind"), "domain-ps-uptake-sign"));
                }
                if let Some(u) = &m.uncertainty
                    && let Err(k) = u.check(m.amount)
                {
                    e.push(err(at("uncertainty"), k));
                }
                bio.push(Entry {
                    row: flow_row(&m.flow, m.kind),
                    col: p.id.clone(),
                    amount: m.amount,
                    uncertainty: m.uncertainty.clone(),
                });
            }
        }
        if !e.is_empty() {
            return Err(e);
        }
        Ok(Matrices {
            technosphere: tech,
            biosphere: bio,
            factors: factors.into_iter().collect(),
            demand_product: self.reference_product.clone(),
            demand_amount: self.amount,
        })
    }

    /// The process making `product`.
    pub fn producer(&self, product: &str) -> Option<&ProcessModel> {
        self.processes.iter().find(|p| p.product == product)
    }

    /// SHA-256 over the canonical JSON of the model.
    pub fn digest(&self) -> String {
        let json = serde_json::to_vec(self).expect("a model serialises");
        hex::encode(Sha256::digest(&json))
    }
}

/// The uncertainty of an input as it sits in A (negated amount).
fn negated(u: &UncertaintySpec) -> UncertaintySpec {
    UncertaintySpec {
        distribution: u.distribution.clone(),
        scale: u.scale,
        min: u.max.map(|v| -v),
        max: u.min.map(|v| -v),
    }
}

/// What to compute.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct CalcOptions {
    /// Monte Carlo draws (0: none).
    pub draws: u32,
    pub seed: u64,
    /// Supply-chain tree cut-off, share of the score (e.g. 0.01).
    pub cutoff: Decimal,
}

/// One process's part in a result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProcessShare {
    pub process: String,
    /// How many runs of it the functional unit needs.
    pub scaling: Decimal,
    /// Its own emissions times its scaling, kgCO2e.
    pub direct: Decimal,
}

/// One flow's part in a result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlowShare {
    pub flow: String,
    pub kind: EmissionKind,
    /// kg of the flow over the whole system.
    pub amount: Decimal,
    /// kgCO2e.
    pub impact: Decimal,
}

/// A node of the supply-chain tree (depth-first order).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TreeNode {
    pub depth: u32,
    pub process: String,
    /// Amount of its product this branch needs.
    pub amount: Decimal,
    /// kgCO2e of this branch including its upstream.
    pub cumulative: Decimal,
    /// The node closes a loop (its upstream is shown higher up).
    pub loop_back: bool,
}

/// Monte Carlo statistics of the score.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct McSummary {
    pub draws: u32,
    pub seed: u64,
    pub mean: Decimal,
    pub sd: Decimal,
    pub p2_5: Decimal,
    pub p50: Decimal,
    pub p97_5: Decimal,
    /// Histogram: lower bound of the first bin, bin width, counts.
    pub hist_start: Decimal,
    pub hist_width: Decimal,
    pub hist_counts: Vec<u32>,
}

/// What a calculation found, in kgCO2e for the functional unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Calculation {
    pub score: Decimal,
    /// Score by emission kind.
    pub by_kind: Vec<(EmissionKind, Decimal)>,
    pub processes: Vec<ProcessShare>,
    pub flows: Vec<FlowShare>,
    pub tree: Vec<TreeNode>,
    pub mc: Option<McSummary>,
    /// Engine and ordering used, for the record.
    pub engine: String,
}

impl Calculation {
    /// The part of the score of one kind.
    pub fn of_kind(&self, kind: EmissionKind) -> Decimal {
        self.by_kind
            .iter()
            .filter(|(k, _)| *k == kind)
            .map(|(_, v)| *v)
            .sum()
    }

    /// PACT `pcfExcludingBiogenicUptake`: everything but the uptake.
    pub fn excluding_uptake(&self) -> Decimal {
        self.score - self.of_kind(EmissionKind::Uptake)
    }

    /// Share of the score (excluding uptake) from primary data, percent
    /// with two decimals (PACT primary data share): the direct emissions of
    /// the enterprise's own processes, plus the part of each library factor
    /// process that its own processes consume (metered activity data with
    /// an emission factor is primary data under the PACT methodology).
    pub fn primary_share(&self, model: &ProductSystemModel) -> Option<Decimal> {
        let total = self.excluding_uptake();
        if total <= Decimal::ZERO {
            return None;
        }
        let share = |id: &str| self.processes.iter().find(|s| s.process == id);
        let mut primary = Decimal::ZERO;
        for p in &model.processes {
            let Some(s) = share(&p.id) else { continue };
            match p.source {
                ProcessSource::Own => primary += s.direct,
                ProcessSource::Factor { .. } => {
                    let made = s.scaling * p.output;
                    if made.is_zero() {
                        continue;
                    }
                    let used_by_own: Decimal = model
                        .processes
                        .iter()
                        .filter(|q| q.source.is_primary())
                        .filter_map(|q| Some((q, share(&q.id)?)))
                        .flat_map(|(q, qs)| {
                            q.inputs
                                .iter()
                                .filter(|x| x.product == p.product)
                                .map(move |x| x.amount * qs.scaling)
                        })
                        .sum();
                    primary += s.direct * used_by_own / made;
                }
                _ => {}
            }
        }
        Some((primary.max(Decimal::ZERO) * Decimal::ONE_HUNDRED / total).round_dp(2))
    }
}

/// The engine behind a calculation: the caller (the binary) wires the LCA
/// crate in; the domain only names the contract.
pub type SolveFn = dyn Fn(&Matrices, &CalcOptions) -> Result<Calculation, SolveError> + Send + Sync;

/// Why the engine could not solve a system; `process` and `product` name
/// the culprit where there is one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SolveError {
    pub msg: Msg,
    pub process: Option<String>,
    pub product: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    macro_rules! dec {
        ($x:expr) => {
            Decimal::from_str(stringify!($x)).unwrap()
        };
    }

    fn gwp(gas: &str) -> Option<Decimal> {
        match gas {
            "CO2" => Some(dec!(1)),
            "CH4-fossil" => Some(dec!(29.8)),
            _ => None,
        }
    }

    fn bottle() -> ProductSystemModel {
        ProductSystemModel {
            name: "PET bottle".into(),
            reference_product: "bottle".into(),
            amount: dec!(1000),
            gwp_set: "AR6".into(),
            processes: vec![
                ProcessModel {
                    id: "blow".into(),
                    name: "Blow moulding".into(),
                    product: "bottle".into(),
                    unit: "piece".into(),
                    output: dec!(1),
                    source: ProcessSource::Own,
                    inputs: vec![
                        InputModel {
                            product: "pet".into(),
                            amount: dec!(0.02),
                            uncertainty: Some(UncertaintySpec {
                                distribution: "triangular".into(),
                                scale: None,
                                min: Some(dec!(0.018)),
                                max: Some(dec!(0.021)),
                            }),
                        },
                        InputModel {
                            product: "grid".into(),
                            amount: dec!(0.0001),
                            uncertainty: None,
                        },
                    ],
                    emissions: vec![EmissionModel {
                        flow: "CO2".into(),
                        amount: dec!(0.001),
                        kind: EmissionKind::Fossil,
                        uncertainty: None,
                    }],
                },
                ProcessModel {
                    id: "pet".into(),
                    name: "PET resin".into(),
                    product: "pet".into(),
                    unit: "kg".into(),
                    output: dec!(1),
                    source: ProcessSource::Secondary {
                        citation: "supplier EPD".into(),
                    },
                    inputs: vec![],
                    emissions: vec![EmissionModel {
                        flow: CO2E.into(),
                        amount: dec!(2.2),
                        kind: EmissionKind::Fossil,
                        uncertainty: None,
                    }],
                },
                ProcessModel {
                    id: "grid".into(),
                    name: "Grid electricity".into(),
                    product: "grid".into(),
                    unit: "MWh".into(),
                    output: dec!(1),
                    source: ProcessSource::Factor {
                        factor_id: "cn.grid.national.2023".into(),
                        library_version: "2026.1".into(),
                        document: "MEE/NBS".into(),
                    },
                    inputs: vec![],
                    emissions: vec![EmissionModel {
                        flow: "CO2".into(),
                        amount: dec!(530.6),
                        kind: EmissionKind::Fossil,
                        uncertainty: None,
                    }],
                },
            ],
            flows: vec![],
        }
    }

    #[test]
    fn matrices_have_signed_entries_and_factors() {
        let m = bottle().matrices(gwp).unwrap();
        assert_eq!(m.technosphere.len(), 5);
        let pet_in = m
            .technosphere
            .iter()
            .find(|x| x.row == "pet" && x.col == "blow")
            .unwrap();
        assert_eq!(pet_in.amount, dec!(-0.02));
        let u = pet_in.uncertainty.as_ref().unwrap();
        assert_eq!((u.min, u.max), (Some(dec!(-0.021)), Some(dec!(-0.018))));
        assert_eq!(
            m.factors,
            vec![
                ("CO2e|fossil".to_string(), dec!(1)),
                ("CO2|fossil".to_string(), dec!(1))
            ]
        );
        assert_eq!(
            (m.demand_product.as_str(), m.demand_amount),
            ("bottle", dec!(1000))
        );
    }

    #[test]
    fn errors_name_their_field() {
        let mut s = bottle();
        s.processes[0].inputs[0].product = "nylon".into();
        s.processes[1].emissions[0].flow = "XYZ".into();
        s.processes[2].product = "pet".into();
        s.processes[0].emissions[0].kind = EmissionKind::Uptake;
        let fields: Vec<String> = s
            .matrices(gwp)
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(
            fields,
            vec![
                "processes[2].product",
                "processes[0].inputs[0].product",
                // grid lost its producer to the duplicate
                "processes[0].inputs[1].product",
                "processes[0].emissions[0].kind",
                "processes[1].emissions[0].flow",
            ]
        );
    }

    #[test]
    fn uncertainty_must_fit_the_amount() {
        let mut s = bottle();
        s.processes[0].inputs[0].uncertainty = Some(UncertaintySpec {
            distribution: "uniform".into(),
            scale: None,
            min: Some(dec!(0.03)),
            max: Some(dec!(0.04)),
        });
        let e = s.matrices(gwp).unwrap_err();
        assert_eq!(e[0].field, "processes[0].inputs[0].uncertainty");
        s.processes[0].inputs[0].uncertainty = Some(UncertaintySpec {
            distribution: "weibull".into(),
            scale: Some(dec!(1)),
            min: None,
            max: None,
        });
        assert_eq!(
            s.matrices(gwp).unwrap_err()[0].msg.key,
            "domain-ps-distribution"
        );
    }

    #[test]
    fn model_round_trips_through_toml_and_json() {
        let s = bottle();
        let t = toml::to_string(&s).unwrap();
        assert_eq!(toml::from_str::<ProductSystemModel>(&t).unwrap(), s);
        let j = serde_json::to_string(&s).unwrap();
        assert_eq!(serde_json::from_str::<ProductSystemModel>(&j).unwrap(), s);
        assert_eq!(s.digest().len(), 64);
    }

    #[test]
    fn primary_share_counts_own_processes() {
        let s = bottle();
        let c = Calculation {
            score: dec!(100),
            by_kind: vec![(EmissionKind::Fossil, dec!(100))],
            processes: vec![
                ProcessShare {
                    process: "blow".into(),
                    scaling: dec!(1000),
                    direct: dec!(25),
                },
                ProcessShare {
                    process: "pet".into(),
                    scaling: dec!(20),
                    direct: dec!(75),
                },
            ],
            flows: vec![],
            tree: vec![],
            mc: None,
            engine: String::new(),
        };
        assert_eq!(c.primary_share(&s), Some(dec!(25)));
        // The grid electricity the own process uses counts as primary.
        let mut c = c;
        c.score = dec!(150);
        c.by_kind = vec![(EmissionKind::Fossil, dec!(150))];
        c.processes.push(ProcessShare {
            process: "grid".into(),
            scaling: dec!(0.1),
            direct: dec!(50),
        });
        assert_eq!(c.primary_share(&s), Some(dec!(50)));
        assert_eq!(c.excluding_uptake(), dec!(150));
    }
}
