//! Library factors as background processes of product systems: a factor
//! becomes a process making one unit of its activity (`factor:<id>`) and
//! emitting its gases in kilograms, with the library version and the
//! factor's source document as its data source.

use egret_domain::product_system::{
    EmissionKind, EmissionModel, ProcessModel, ProcessSource, ProductSystemModel,
};
use rust_decimal::Decimal;

use crate::library::{Factor, Library};

/// The product (and process) id of a library factor.
pub fn factor_product(id: &str) -> String {
    format!("factor:{id}")
}

impl Library {
    /// The process of factor `f`.
    pub fn factor_process(&self, f: &Factor) -> ProcessModel {
        let kg = |v: Decimal, unit: &str| {
            if unit == "t" {
                v * Decimal::from(1000)
            } else {
                v
            }
        };
        ProcessModel {
            id: factor_product(&f.id),
            name: format!("{} / {}", f.name_zh, f.name_en),
            product: factor_product(&f.id),
            unit: f.per_unit.clone(),
            output: Decimal::ONE,
            source: ProcessSource::Factor {
                factor_id: f.id.clone(),
                library_version: self.version.clone(),
                document: f.source.clone(),
            },
            inputs: vec![],
            emissions: f
                .gases
                .iter()
                .map(|g| EmissionModel {
                    flow: g.gas.clone(),
                    amount: kg(g.value, &g.unit),
                    kind: if g.gas.to_ascii_lowercase().contains("biogenic") {
                        EmissionKind::Biogenic
                    } else {
                        EmissionKind::Fossil
                    },
                    uncertainty: None,
                })
                .collect(),
        }
    }

    /// Adds the process of every `factor:<id>` input that has no producer
    /// yet; returns the factor ids the library does not have.
    pub fn complete_factor_processes(&self, m: &mut ProductSystemModel) -> Vec<String> {
        let wanted: Vec<String> = m
            .processes
            .iter()
            .flat_map(|p| p.inputs.iter())
            .filter_map(|x| x.product.strip_prefix("factor:"))
            .map(str::to_string)
            .collect();
        let mut unknown = Vec::new();
        for id in wanted {
            if m.producer(&factor_product(&id)).is_some() {
                continue;
            }
            match self.get(&id) {
                Some(f) => {
                    let p = self.factor_process(f);
                    m.processes.push(p);
                }
                None if !unknown.contains(&id) => unknown.push(id),
                None => {}
            }
        }
        unknown
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use egret_domain::product_system::InputModel;

    #[test]
    fn a_factor_becomes_a_process_in_kilograms_with_its_source() {
        let lib = Library::embedded();
        let f = lib.get("cn.grid.east.2023").unwrap();
        let p = lib.factor_process(f);
        assert_eq!(p.product, "factor:cn.grid.east.2023");
        assert_eq!(p.unit, "MWh");
        assert_eq!(p.emissions.len(), 1);
        assert_eq!(p.emissions[0].flow, "CO2");
        assert_eq!(p.emissions[0].amount, Decimal::new(550, 0));
        match &p.source {
            ProcessSource::Factor {
                library_version,
                document,
                ..
            } => {
                assert_eq!(library_version, &lib.version);
                assert!(document.contains("MEE"), "{document}");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn factor_inputs_get_their_processes_once() {
        let lib = Library::embedded();
        let input = |product: &str| InputModel {
            product: product.into(),
            amount: Decimal::ONE,
            uncertainty: None,
        };
        let mut m = ProductSystemModel {
            processes: vec![ProcessModel {
                id: "a".into(),
                product: "a".into(),
                inputs: vec![
                    input("factor:cn.grid.east.2023"),
                    input("factor:cn.grid.east.2023"),
                    input("factor:no.such"),
                ],
                ..Default::default()
            }],
            ..Default::default()
        };
        assert_eq!(lib.complete_factor_processes(&mut m), vec!["no.such"]);
        assert_eq!(m.processes.len(), 2);
    }
}
