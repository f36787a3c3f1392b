use super::*;
use egret_i18n::has_key;
use serde_json::json;
use std::io::Write;
use zip::ZipWriter;
use zip::write::SimpleFileOptions;

macro_rules! dec {
    ($x:expr) => {
        Decimal::from_str(stringify!($x)).unwrap()
    };
}

const ZIP: &str = "system.zip";

/// The files of a small openLCA export: widget assembly from steel and
/// electricity, its scrap to landfill; a climate category of a method and
/// an acidification category.
fn files() -> BTreeMap<String, Value> {
    let mut f = BTreeMap::new();
    let mut put = |folder: &str, v: Value| {
        let id = v["@id"].as_str().unwrap().to_string();
        f.insert(format!("{folder}/{id}.json"), v);
    };
    let unit = |id: &str, name: &str, factor: f64, is_ref: bool| json!({"@type": "Unit", "@id": id, "name": name, "conversionFactor": factor, "isRefUnit": is_ref});
    put(
        "unit_groups",
        json!({"@type": "UnitGroup", "@id": "ug-mass", "name": "Units of mass", "units": [
            unit("u-kg", "kg", 1.0, true), unit("u-g", "g", 0.001, false), unit("u-t", "t", 1000.0, false)
        ]}),
    );
    put(
        "unit_groups",
        json!({"@type": "UnitGroup", "@id": "ug-energy", "name": "Units of energy", "units": [
            unit("u-mj", "MJ", 1.0, true), unit("u-kwh", "kWh", 3.6, false)
        ]}),
    );
    put(
        "flow_properties",
        json!({"@type": "FlowProperty", "@id": "prop-mass", "name": "Mass", "unitGroup": {"@id": "ug-mass"}}),
    );
    put(
        "flow_properties",
        json!({"@type": "FlowProperty", "@id": "prop-energy", "name": "Energy", "unitGroup": {"@id": "ug-energy"}}),
    );
    let flows = [
        ("f-widget", "Widget", "PRODUCT_FLOW", "prop-mass"),
        ("f-steel", "Steel", "PRODUCT_FLOW", "prop-mass"),
        (
            "f-elec",
            "Electricity, medium voltage",
            "PRODUCT_FLOW",
            "prop-energy",
        ),
        ("f-scrap", "Scrap", "WASTE_FLOW", "prop-mass"),
        ("f-slag", "Slag", "PRODUCT_FLOW", "prop-mass"),
        (
            "f-co2",
            "Carbon dioxide, fossil",
            "ELEMENTARY_FLOW",
            "prop-mass",
        ),
        ("f-ch4", "Methane, fossil", "ELEMENTARY_FLOW", "prop-mass"),
        (
            "f-ch4b",
            "Methane, biogenic",
            "ELEMENTARY_FLOW",
            "prop-mass",
        ),
        (
            "f-co2air",
            "Carbon dioxide, in air",
            "ELEMENTARY_FLOW",
            "prop-mass",
        ),
        (
            "f-co2luc",
            "Carbon dioxide, land use change",
            "ELEMENTARY_FLOW",
            "prop-mass",
        ),
        (
            "f-soilc",
            "Carbon, organic, in soil or biomass stock",
            "ELEMENTARY_FLOW",
            "prop-mass",
        ),
        ("f-water", "Water, cooling", "ELEMENTARY_FLOW", "prop-mass"),
        ("f-so2", "Sulfur dioxide", "ELEMENTARY_FLOW", "prop-mass"),
    ];
    for (id, name, kind, fp) in flows {
        put(
            "flows",
            json!({"@type": "Flow", "@id": id, "name": name, "flowType": kind, "flowProperties": [
                {"@type": "FlowPropertyFactor", "isRefFlowProperty": true, "conversionFactor": 1.0,
                 "flowProperty": {"@id": fp}}
            ]}),
        );
    }
    put(
        "processes",
        json!({"@type": "Process", "@id": "p-widget", "name": "Widget assembly", "exchanges": [
            ex(1, "f-widget", false, 1.0, "u-kg").with("isQuantitativeReference", json!(true)),
            ex(2, "f-steel", true, 2500.0, "u-g")
                .with("defaultProvider", json!({"@id": "p-steel"}))
                .with("uncertainty", json!({"distributionType": "LOG_NORMAL_DISTRIBUTION",
                    "geomMean": 2500.0, "geomSd": 1.2})),
            ex(3, "f-elec", true, 3.0, "u-kwh").with("defaultProvider", json!({"@id": "p-elec"})),
            ex(4, "f-scrap", false, 0.1, "u-kg"),
            ex(5, "f-co2", false, 0.5, "u-kg"),
            ex(6, "f-ch4", false, 2.0, "u-g"),
            ex(7, "f-co2air", true, 0.3, "u-kg"),
            ex(8, "f-water", true, 1.0, "u-kg"),
            ex(9, "f-co2", false, 0.0, "u-kg"),
        ]}),
    );
    put(
        "processes",
        json!({"@type": "Process", "@id": "p-steel", "name": "Steel production", "exchanges": [
            ex(1, "f-steel", false, 1.0, "u-kg").with("isQuantitativeReference", json!(true)),
            ex(2, "f-elec", true, 5.0, "u-mj"),
            ex(3, "f-co2", false, 1.8, "u-kg").with("uncertainty",
                json!({"distributionType": "NORMAL_DISTRIBUTION", "mean": 1.8, "sd": 0.1})),
            ex(4, "f-co2luc", false, 0.05, "u-kg"),
        ]}),
    );
    put(
        "processes",
        json!({"@type": "Process", "@id": "p-elec", "name": "Electricity generation", "exchanges": [
            ex(1, "f-elec", false, 1.0, "u-mj").with("isQuantitativeReference", json!(true)),
            ex(2, "f-co2", false, 0.15, "u-kg").with("uncertainty",
                json!({"distributionType": "TRIANGLE_DISTRIBUTION", "minimum": 0.1, "mode": 0.15, "maximum": 0.2})),
            ex(3, "f-ch4", false, 0.0003, "u-kg").with("uncertainty",
                json!({"distributionType": "UNIFORM_DISTRIBUTION", "minimum": 0.0002, "maximum": 0.0004})),
        ]}),
    );
    put(
        "processes",
        json!({"@type": "Process", "@id": "p-landfill", "name": "Landfill of scrap", "exchanges": [
            ex(1, "f-scrap", true, 1.0, "u-kg").with("isQuantitativeReference", json!(true)),
            ex(2, "f-elec", true, 0.1, "u-mj"),
            ex(3, "f-ch4b", false, 20.0, "u-g"),
        ]}),
    );
    let factor = |flow: &str, value: f64, unit: &str| {
        json!({"@type": "ImpactFactor", "flow": {"@id": flow}, "value": value,
               "unit": {"@id": unit}, "flowProperty": {"@id": "prop-mass"}})
    };
    put(
        "lcia_categories",
        json!({"@type": "ImpactCategory", "@id": "c-gwp", "name": "GWP 100", "version": "01.00.000",
               "refUnit": "kg CO2 eq", "impactFactors": [
            factor("f-co2", 1.0, "u-kg"),
            factor("f-ch4", 29.7, "u-kg"),
            // per gram: 27.2 per kg
            factor("f-ch4b", 0.0272, "u-g"),
            factor("f-co2air", -1.0, "u-kg"),
            factor("f-co2luc", 1.0, "u-kg"),
            factor("f-soilc", 3.67, "u-kg"),
            // regionalised: ignored
            {"flow": {"@id": "f-water"}, "value": 5.0, "location": {"@id": "loc-cn"}},
        ]}),
    );
    put(
        "lcia_categories",
        json!({"@type": "ImpactCategory", "@id": "c-acid", "name": "Acidification", "impactFactors": [
            factor("f-so2", 1.0, "u-kg"),
        ]}),
    );
    put(
        "lcia_methods",
        json!({"@type": "ImpactMethod", "@id": "m-ipcc", "name": "IPCC 2021 AR6",
               "impactCategories": [{"@id": "c-gwp", "name": "GWP 100"}]}),
    );
    f
}

/// An exchange in the olca-schema layout.
fn ex(id: i64, flow: &str, input: bool, amount: f64, unit: &str) -> Value {
    let fp = if unit == "u-mj" || unit == "u-kwh" {
        "prop-energy"
    } else {
        "prop-mass"
    };
    json!({"@type": "Exchange", "internalId": id, "amount": amount, "isInput": input,
           "flow": {"@id": flow}, "unit": {"@id": unit}, "flowProperty": {"@id": fp}})
}

trait With {
    fn with(self, key: &str, v: Value) -> Value;
}

impl With for Value {
    fn with(mut self, key: &str, v: Value) -> Value {
        self[key] = v;
        self
    }
}

fn zip_bytes(entries: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut w = ZipWriter::new(Cursor::new(Vec::new()));
    for (name, bytes) in entries {
        w.start_file(name.as_str(), SimpleFileOptions::default())
            .unwrap();
        w.write_all(bytes).unwrap();
    }
    w.finish().unwrap().into_inner()
}

fn zip_of(files: &BTreeMap<String, Value>) -> Vec<u8> {
    let entries: Vec<(String, Vec<u8>)> = files
        .iter()
        .map(|(k, v)| (k.clone(), serde_json::to_vec_pretty(v).unwrap()))
        .collect();
    zip_bytes(&entries)
}

fn read(files: &BTreeMap<String, Value>, opts: &OlcaOptions) -> Result<OlcaImport, Vec<OlcaError>> {
    read_olca_zip(ZIP, &zip_of(files), opts)
}

/// (file, path, key) of every error, for exact assertions.
fn summary(e: &[OlcaError]) -> Vec<(&str, Option<&str>, &str)> {
    e.iter()
        .map(|e| (e.file.as_str(), e.path.as_deref(), e.msg.key.as_ref()))
        .collect()
}

fn arg<'a>(e: &'a OlcaError, name: &str) -> &'a str {
    e.msg
        .args
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .unwrap_or_else(|| panic!("no {name} in {:?}", e.msg))
}

fn process<'a>(files: &'a mut BTreeMap<String, Value>, id: &str) -> &'a mut Value {
    files.get_mut(&format!("processes/{id}.json")).unwrap()
}

fn exchanges<'a>(files: &'a mut BTreeMap<String, Value>, id: &str) -> &'a mut Vec<Value> {
    process(files, id)["exchanges"].as_array_mut().unwrap()
}

fn origin(id: &str) -> ProcessSource {
    ProcessSource::Imported {
        origin: format!("{ZIP}:processes/{id}.json"),
    }
}

fn input(product: &str, amount: Decimal) -> InputModel {
    InputModel {
        product: product.into(),
        amount,
        uncertainty: None,
    }
}

fn emission(flow: &str, amount: Decimal, kind: EmissionKind) -> EmissionModel {
    EmissionModel {
        flow: flow.into(),
        amount,
        kind,
        uncertainty: None,
    }
}

fn range(distribution: &str, min: Decimal, max: Decimal) -> Option<UncertaintySpec> {
    Some(UncertaintySpec {
        distribution: distribution.into(),
        scale: None,
        min: Some(min),
        max: Some(max),
    })
}

fn scale(distribution: &str, scale: Decimal) -> Option<UncertaintySpec> {
    Some(UncertaintySpec {
        distribution: distribution.into(),
        scale: Some(scale),
        min: None,
        max: None,
    })
}

fn expected_model() -> ProductSystemModel {
    use EmissionKind::*;
    let source = "GWP 100 (IPCC 2021 AR6, 01.00.000)".to_string();
    let flow = |id: &str, name: &str, factor: Decimal| FlowModel {
        id: id.into(),
        name: name.into(),
        factor,
        source: source.clone(),
    };
    ProductSystemModel {
        name: "Widget assembly".into(),
        reference_product: "f-widget".into(),
        amount: dec!(1),
        gwp_set: "AR6".into(),
        processes: vec![
            ProcessModel {
                id: "p-widget".into(),
                name: "Widget assembly".into(),
                product: "f-widget".into(),
                unit: "kg".into(),
                output: dec!(1),
                source: origin("p-widget"),
                inputs: vec![
                    InputModel {
                        // 2500 g
                        uncertainty: scale("lognormal", dec!(0.1823215567939546)),
                        ..input("f-steel", dec!(2.5))
                    },
                    // 3 kWh
                    input("f-elec", dec!(10.8)),
                    // the scrap, treated by the landfill
                    input("f-scrap", dec!(0.1)),
                ],
                emissions: vec![
                    emission("f-co2", dec!(0.5), Fossil),
                    emission("f-ch4", dec!(0.002), Fossil),
                    emission("f-co2air", dec!(-0.3), Uptake),
                ],
            },
            ProcessModel {
                id: "p-steel".into(),
                name: "Steel production".into(),
                product: "f-steel".into(),
                unit: "kg".into(),
                output: dec!(1),
                source: origin("p-steel"),
                inputs: vec![input("f-elec", dec!(5))],
                emissions: vec![
                    EmissionModel {
                        uncertainty: scale("normal", dec!(0.1)),
                        ..emission("f-co2", dec!(1.8), Fossil)
                    },
                    emission("f-co2luc", dec!(0.05), LandUse),
                ],
            },
            ProcessModel {
                id: "p-elec".into(),
                name: "Electricity generation".into(),
                product: "f-elec".into(),
                unit: "MJ".into(),
                output: dec!(1),
                source: origin("p-elec"),
                inputs: vec![],
                emissions: vec![
                    EmissionModel {
                        uncertainty: range("triangular", dec!(0.1), dec!(0.2)),
                        ..emission("f-co2", dec!(0.15), Fossil)
                    },
                    EmissionModel {
                        uncertainty: range("uniform", dec!(0.0002), dec!(0.0004)),
                        ..emission("f-ch4", dec!(0.0003), Fossil)
                    },
                ],
            },
            ProcessModel {
                id: "p-landfill".into(),
                name: "Landfill of scrap".into(),
                product: "f-scrap".into(),
                unit: "kg".into(),
                output: dec!(1),
                source: origin("p-landfill"),
                inputs: vec![input("f-elec", dec!(0.1))],
                emissions: vec![emission("f-ch4b", dec!(0.02), Biogenic)],
            },
        ],
        flows: vec![
            flow("f-co2", "Carbon dioxide, fossil", dec!(1)),
            flow("f-ch4", "Methane, fossil", dec!(29.7)),
            flow("f-co2air", "Carbon dioxide, in air", dec!(1)),
            flow("f-co2luc", "Carbon dioxide, land use change", dec!(1)),
            flow("f-ch4b", "Methane, biogenic", dec!(27.2)),
        ],
    }
}

#[test]
fn a_linked_system_imports_exactly() {
    let out = read(&files(), &OlcaOptions::default()).unwrap();
    assert_eq!(out.model, expected_model());
    assert_eq!(out.skipped_flows, ["Water, cooling"]);
    assert_eq!(out.category, "GWP 100");
    assert_eq!(out.processes, 4);
    // The model defines every flow it uses: no GWP set needed.
    let m = out.model.matrices(|_| None).unwrap();
    assert_eq!(m.demand_product, "f-widget");
    assert_eq!(
        m.factors,
        vec![
            ("f-ch4b|biogenic".to_string(), dec!(27.2)),
            ("f-ch4|fossil".to_string(), dec!(29.7)),
            ("f-co2air|uptake".to_string(), dec!(1)),
            ("f-co2luc|land_use".to_string(), dec!(1)),
            ("f-co2|fossil".to_string(), dec!(1)),
        ]
    );
}

#[test]
fn options_choose_the_reference_amount_name_and_category() {
    let opts = OlcaOptions {
        reference_process: Some("p-steel".into()),
        amount: Some(dec!(1000)),
        name: Some("Steel, per tonne".into()),
        gwp_set: "AR5".into(),
        impact_category: Some("c-gwp".into()),
    };
    let out = read(&files(), &opts).unwrap();
    let ids: Vec<&str> = out.model.processes.iter().map(|p| p.id.as_str()).collect();
    // Only what steel reaches.
    assert_eq!(ids, ["p-steel", "p-elec"]);
    assert_eq!(out.model.reference_product, "f-steel");
    assert_eq!(out.model.amount, dec!(1000));
    assert_eq!(out.model.name, "Steel, per tonne");
    assert_eq!(out.model.gwp_set, "AR5");
    assert!(out.skipped_flows.is_empty());

    // By name, in any case; a category without factors for these flows.
    let opts = OlcaOptions {
        impact_category: Some("acidification".into()),
        ..OlcaOptions::default()
    };
    let out = read(&files(), &opts).unwrap();
    assert_eq!(out.category, "Acidification");
    assert!(out.model.flows.is_empty());
    assert!(out.model.processes.iter().all(|p| p.emissions.is_empty()));
    assert_eq!(
        out.skipped_flows,
        [
            "Carbon dioxide, fossil",
            "Carbon dioxide, in air",
            "Carbon dioxide, land use change",
            "Methane, biogenic",
            "Methane, fossil",
            "Water, cooling"
        ]
    );
    out.model.matrices(|_| None).unwrap();
}

#[test]
fn default_providers_tell_apart_producers_of_the_same_flow() {
    let mut f = files();
    f.insert(
        "processes/p-wind.json".into(),
        json!({"@id": "p-wind", "name": "Electricity from wind", "exchanges": [
            ex(1, "f-elec", false, 1.0, "u-mj").with("isQuantitativeReference", json!(true)),
        ]}),
    );
    // Unlinked electricity inputs now have two providers.
    let opts = OlcaOptions {
        reference_process: Some("widget assembly".into()),
        ..OlcaOptions::default()
    };
    let e = read(&f, &opts).unwrap_err();
    assert_eq!(
        summary(&e),
        [
            (
                "processes/p-steel.json",
                Some("exchanges[1].flow"),
                "import-olca-two-providers"
            ),
            (
                "processes/p-landfill.json",
                Some("exchanges[1].flow"),
                "import-olca-two-providers"
            ),
        ]
    );
    assert_eq!(arg(&e[0], "exchange"), "#2");
    assert_eq!(arg(&e[0], "process"), "Steel production");
    assert_eq!(arg(&e[0], "flow"), "Electricity, medium voltage");
    assert_eq!(
        arg(&e[0], "providers"),
        "Electricity generation, Electricity from wind"
    );
    // Without a chosen reference, wind is a second root.
    let e = read(&f, &OlcaOptions::default()).unwrap_err();
    assert_eq!(e[0].msg.key, "import-olca-choose-process");
    assert_eq!(e[0].path.as_deref(), Some("options.reference_process"));
    assert_eq!(
        arg(&e[0], "candidates"),
        "Widget assembly, Electricity from wind"
    );
    assert_eq!(e.len(), 3);

    // Linked by default providers, products become flow@process.
    for p in ["p-steel", "p-landfill"] {
        exchanges(&mut f, p)[1]["defaultProvider"] = json!({"@id": "p-elec"});
    }
    let out = read(&f, &opts).unwrap();
    // Wind is not reached.
    assert_eq!(out.processes, 4);
    let elec = out.model.producer("f-elec@p-elec").unwrap();
    assert_eq!(elec.id, "p-elec");
    assert_eq!(out.model.processes[0].inputs[1].product, "f-elec@p-elec");
    out.model.matrices(|_| None).unwrap();
}

#[test]
fn a_missing_provider_names_process_exchange_and_flow() {
    let mut f = files();
    f.remove("processes/p-landfill.json");
    let e = read(&f, &OlcaOptions::default()).unwrap_err();
    assert_eq!(
        summary(&e),
        [(
            "processes/p-widget.json",
            Some("exchanges[3].flow"),
            "import-olca-no-provider"
        )]
    );
    assert_eq!(arg(&e[0], "exchange"), "#4");
    assert_eq!(arg(&e[0], "process"), "Widget assembly");
    assert_eq!(arg(&e[0], "flow"), "Scrap");
    assert_eq!(
        e[0].to_string(),
        "processes/p-widget.json: exchanges[3].flow: Exchange #4 of the process “Widget \
         assembly” needs “Scrap”, but no process in the archive provides it. Export its \
         provider as well."
    );

    // A default provider that is not in the archive, or makes something else.
    let mut f = files();
    exchanges(&mut f, "p-widget")[2]["defaultProvider"] = json!({"@id": "p-gone"});
    exchanges(&mut f, "p-steel")[1]["defaultProvider"] = json!({"@id": "p-landfill"});
    let e = read(&f, &OlcaOptions::default()).unwrap_err();
    assert_eq!(
        summary(&e),
        [
            (
                "processes/p-widget.json",
                Some("exchanges[2].defaultProvider"),
                "import-olca-provider-absent"
            ),
            (
                "processes/p-steel.json",
                Some("exchanges[1].defaultProvider"),
                "import-olca-provider-mismatch"
            ),
        ]
    );
}

#[test]
fn co_products_and_avoided_flows_are_refused() {
    let mut f = files();
    exchanges(&mut f, "p-steel").push(ex(5, "f-slag", false, 0.2, "u-kg"));
    exchanges(&mut f, "p-elec")
        .push(ex(4, "f-steel", true, 0.1, "u-kg").with("isAvoidedProduct", json!(true)));
    let e = read(&f, &OlcaOptions::default()).unwrap_err();
    assert_eq!(
        summary(&e),
        [
            (
                "processes/p-steel.json",
                Some("exchanges[4]"),
                "import-olca-co-products"
            ),
            (
                "processes/p-elec.json",
                Some("exchanges[3]"),
                "import-olca-avoided"
            ),
        ]
    );
    assert_eq!(arg(&e[0], "process"), "Steel production");
    assert_eq!(arg(&e[0], "flow"), "Slag");
    assert!(
        e[0].msg
            .render(Lang::En)
            .contains("Apply allocation in openLCA"),
        "{}",
        e[0]
    );
}

#[test]
fn problems_of_processes_not_imported_do_not_count() {
    let mut f = files();
    exchanges(&mut f, "p-widget")[8]["amount"] = json!(-1.0);
    exchanges(&mut f, "p-widget")[8]["flow"] = json!({"@id": "f-steel"});
    exchanges(&mut f, "p-widget")[8]["isInput"] = json!(true);
    exchanges(&mut f, "p-widget")[8]["unit"] = json!({"@id": "u-kg"});
    let e = read(&f, &OlcaOptions::default()).unwrap_err();
    assert_eq!(
        summary(&e),
        [(
            "processes/p-widget.json",
            Some("exchanges[8].amount"),
            "import-olca-negative"
        )]
    );
    // Steel and electricity do not reach the widget.
    let opts = OlcaOptions {
        reference_process: Some("Steel production".into()),
        ..OlcaOptions::default()
    };
    assert_eq!(read(&f, &opts).unwrap().processes, 2);
}

#[test]
fn bad_json_names_file_line_and_column() {
    let mut entries: Vec<(String, Vec<u8>)> = files()
        .iter()
        .map(|(k, v)| (k.clone(), serde_json::to_vec_pretty(v).unwrap()))
        .collect();
    let broken = b"{\n  \"@id\": \"p-elec\",\n  \"name\": oops\n}".to_vec();
    for (name, bytes) in &mut entries {
        if name == "processes/p-elec.json" {
            *bytes = broken.clone();
        }
    }
    let e = read_olca_zip(ZIP, &zip_bytes(&entries), &OlcaOptions::default()).unwrap_err();
    assert_eq!(
        summary(&e),
        [("processes/p-elec.json", None, "import-olca-json")]
    );
    assert_eq!((arg(&e[0], "line"), arg(&e[0], "column")), ("3", "11"));

    // A field of the wrong type.
    let mut f = files();
    exchanges(&mut f, "p-steel")[2]["amount"] = json!("1.8");
    let e = read(&f, &OlcaOptions::default()).unwrap_err();
    assert_eq!(
        summary(&e),
        [(
            "processes/p-steel.json",
            Some("exchanges[2].amount"),
            "import-olca-not-number"
        )]
    );
}

#[test]
fn unknown_or_unclear_impact_categories_are_errors() {
    let opts = OlcaOptions {
        impact_category: Some("Ozone depletion".into()),
        ..OlcaOptions::default()
    };
    let e = read(&files(), &opts).unwrap_err();
    assert_eq!(
        summary(&e),
        [(
            ZIP,
            Some("options.impact_category"),
            "import-olca-unknown-category"
        )]
    );
    assert_eq!(arg(&e[0], "available"), "Acidification, GWP 100");

    // Two climate categories of equal standing: the user chooses.
    let mut f = files();
    let mut other = f["lcia_categories/c-gwp.json"].clone();
    other["@id"] = json!("c-gwp2");
    other["name"] = json!("Climate change, GWP 100a");
    f.insert("lcia_categories/c-gwp2.json".into(), other);
    let e = read(&f, &OlcaOptions::default()).unwrap_err();
    assert_eq!(e[0].msg.key, "import-olca-choose-category");
    // The 100-year total wins over 20 years and the sub-categories.
    let mut f = files();
    for (id, name) in [
        ("c-gwp20", "Climate change - GWP 20"),
        ("c-bio", "Climate change - biogenic (GWP 100)"),
    ] {
        let mut c = f["lcia_categories/c-gwp.json"].clone();
        c["@id"] = json!(id);
        c["name"] = json!(name);
        f.insert(format!("lcia_categories/{id}.json"), c);
    }
    assert_eq!(
        read(&f, &OlcaOptions::default()).unwrap().category,
        "GWP 100"
    );

    // No category at all.
    let mut f = files();
    f.retain(|k, _| !k.starts_with("lcia_categories/"));
    let e = read(&f, &OlcaOptions::default()).unwrap_err();
    assert_eq!(summary(&e), [(ZIP, None, "import-olca-no-category")]);
}

#[test]
fn an_archive_without_processes_or_not_a_zip_is_refused() {
    let mut f = files();
    f.retain(|k, _| !k.starts_with("processes/"));
    let e = read(&f, &OlcaOptions::default()).unwrap_err();
    assert_eq!(summary(&e), [(ZIP, None, "import-olca-no-processes")]);

    let e = read_olca_zip(ZIP, b"not a zip", &OlcaOptions::default()).unwrap_err();
    assert_eq!(summary(&e), [(ZIP, None, "import-olca-zip")]);
    let e = read_olca_zip(ZIP, b"", &OlcaOptions::default()).unwrap_err();
    assert_eq!(summary(&e), [(ZIP, None, "import-olca-zip")]);
}

#[test]
fn the_digest_is_stable_for_the_same_archive() {
    let f = files();
    let bytes = zip_of(&f);
    let a = read_olca_zip(ZIP, &bytes, &OlcaOptions::default()).unwrap();
    let b = read_olca_zip(ZIP, &bytes, &OlcaOptions::default()).unwrap();
    assert_eq!(a.model.digest(), b.model.digest());
    // The order of the entries in the archive does not matter.
    let mut entries: Vec<(String, Vec<u8>)> = f
        .iter()
        .map(|(k, v)| (k.clone(), serde_json::to_vec(v).unwrap()))
        .collect();
    entries.reverse();
    let c = read_olca_zip(ZIP, &zip_bytes(&entries), &OlcaOptions::default()).unwrap();
    assert_eq!(c.model, a.model);
    assert_eq!(c.model.digest(), a.model.digest());
}

#[test]
fn signs_follow_the_share_of_the_score() {
    use EmissionKind::*;
    let mut f = files();
    // A field taking up CO2 and losing soil carbon, with fossil CO2 both
    // emitted and (as a raw material) taken in.
    f.insert(
        "processes/p-farm.json".into(),
        json!({"@id": "p-farm", "name": "Farm", "exchanges": [
            ex(1, "f-widget", false, 1.0, "u-kg").with("isQuantitativeReference", json!(true)),
            ex(2, "f-co2air", true, 1.5, "u-kg").with("uncertainty",
                json!({"distributionType": "UNIFORM_DISTRIBUTION", "minimum": 1.0, "maximum": 2.0})),
            ex(3, "f-soilc", true, 0.2, "u-kg"),
            ex(4, "f-co2", false, 0.4, "u-kg"),
            ex(5, "f-co2", true, 0.1, "u-kg"),
        ]}),
    );
    let opts = OlcaOptions {
        reference_process: Some("p-farm".into()),
        ..OlcaOptions::default()
    };
    let out = read(&f, &opts).unwrap();
    let farm = &out.model.processes[0];
    assert_eq!(
        farm.emissions,
        [
            EmissionModel {
                // −1.5 kg with factor 1; the range flips with the sign.
                uncertainty: range("uniform", dec!(-2), dec!(-1)),
                ..emission("f-co2air", dec!(-1.5), Uptake)
            },
            // An input that raises the score: positive, by its name.
            emission("f-soilc", dec!(0.2), LandUse),
            emission("f-co2", dec!(0.4), Fossil),
            // Against the flow's direction: lowers the score.
            emission("f-co2", dec!(-0.1), Uptake),
        ]
    );
    let factor = |id: &str| {
        out.model
            .flows
            .iter()
            .find(|x| x.id == id)
            .map(|x| x.factor)
            .unwrap()
    };
    assert_eq!(factor("f-co2air"), dec!(1));
    assert_eq!(factor("f-soilc"), dec!(3.67));
    // openLCA: −1 × 1.5 + 3.67 × 0.2 + 1 × 0.4 − 1 × 0.1.
    let score: Decimal = farm
        .emissions
        .iter()
        .map(|e| e.amount * factor(&e.flow))
        .sum();
    assert_eq!(score, dec!(-0.466));
    out.model.matrices(|_| None).unwrap();

    // A category that sets the direction.
    let mut f = f.clone();
    f.get_mut("lcia_categories/c-gwp.json").unwrap()["direction"] = json!("OUTPUT");
    let out = read(&f, &opts).unwrap();
    let amounts: Vec<(&str, Decimal)> = out.model.processes[0]
        .emissions
        .iter()
        .map(|e| (e.flow.as_str(), e.amount))
        .collect();
    // openLCA now counts inputs against the direction: taking up CO2
    // (factor −1) raises the score and losing soil carbon lowers it.
    assert_eq!(
        amounts,
        [
            ("f-co2air", dec!(1.5)),
            ("f-soilc", dec!(-0.2)),
            ("f-co2", dec!(0.4)),
            ("f-co2", dec!(-0.1)),
        ]
    );
}

#[test]
fn uncertainty_that_does_not_fit_is_an_error() {
    let mut f = files();
    exchanges(&mut f, "p-elec")[1]["uncertainty"] =
        json!({"distributionType": "TRIANGLE_DISTRIBUTION", "minimum": 0.2, "maximum": 0.3});
    exchanges(&mut f, "p-steel")[2]["uncertainty"] =
        json!({"distributionType": "LOG_NORMAL_DISTRIBUTION", "geomSd": 0.9});
    // Unknown distributions are ignored.
    exchanges(&mut f, "p-landfill")[2]["uncertainty"] =
        json!({"distributionType": "WEIBULL", "shape": 2});
    let e = read(&f, &OlcaOptions::default()).unwrap_err();
    assert_eq!(
        summary(&e),
        [
            (
                "processes/p-steel.json",
                Some("exchanges[2].uncertainty"),
                "import-olca-uncertainty"
            ),
            (
                "processes/p-elec.json",
                Some("exchanges[1].uncertainty"),
                "import-olca-uncertainty"
            ),
        ]
    );
    assert_eq!(arg(&e[1], "amount"), "0.15");
}

#[test]
fn units_must_be_known() {
    let mut f = files();
    exchanges(&mut f, "p-steel")[1]["unit"] = json!({"@id": "u-kg", "name": "kg"});
    exchanges(&mut f, "p-widget")[5]["unit"] = json!({"@id": "u-lb", "name": "lb"});
    f.remove("unit_groups/ug-energy.json");
    let e = read(&f, &OlcaOptions::default()).unwrap_err();
    assert_eq!(
        summary(&e),
        [
            (
                "flow_properties/prop-energy.json",
                Some("unitGroup"),
                "import-olca-missing-entity"
            ),
            (
                "processes/p-widget.json",
                Some("exchanges[5].unit"),
                "import-olca-unit"
            ),
        ]
    );
}

#[test]
fn a_directory_reads_like_the_zip() {
    let dir = std::env::temp_dir().join(format!("egret-olca-{}", std::process::id()));
    for (name, v) in files() {
        let path = dir.join(&name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, serde_json::to_vec(&v).unwrap()).unwrap();
    }
    let from_dir = read_olca_dir(&dir, &OlcaOptions::default());
    std::fs::remove_dir_all(&dir).unwrap();
    let mut from_dir = from_dir.unwrap();
    let dir_name = dir.file_name().unwrap().to_string_lossy().into_owned();
    for p in &mut from_dir.model.processes {
        let ProcessSource::Imported { origin } = &mut p.source else {
            panic!("{:?}", p.source)
        };
        *origin = origin.replace(&dir_name, ZIP);
    }
    assert_eq!(from_dir.model, expected_model());
}

#[test]
fn numbers_become_the_shortest_decimal() {
    assert_eq!(decimal(0.1 + 0.2), Some(dec!(0.30000000000000004)));
    assert_eq!(decimal(1.0943318963E-9), Some(dec!(0.0000000010943318963)));
    assert_eq!(decimal(2500.0), Some(dec!(2500)));
    assert_eq!(decimal(-0.0003), Some(dec!(-0.0003)));
    assert_eq!(decimal(0.0), Some(Decimal::ZERO));
    assert_eq!(decimal(1e30), None);
    assert_eq!(decimal(1e-40), None);
    assert_eq!(decimal(f64::NAN), None);
    assert_eq!(decimal(f64::INFINITY), None);
}

#[test]
fn version_1_field_names_are_read() {
    let mut f = files();
    for id in ["p-widget", "p-steel", "p-elec", "p-landfill"] {
        for x in exchanges(&mut f, id) {
            let o = x.as_object_mut().unwrap();
            for (new, old) in [
                ("isInput", "input"),
                ("isQuantitativeReference", "quantitativeReference"),
            ] {
                if let Some(v) = o.remove(new) {
                    o.insert(old.into(), v);
                }
            }
        }
    }
    assert_eq!(
        read(&f, &OlcaOptions::default()).unwrap().model,
        expected_model()
    );
}

/// Every `"import-olca-…"` literal of this module exists in both catalogs.
#[test]
fn every_message_key_is_in_both_catalogs() {
    let src = include_str!("../olca.rs");
    let mut keys = Vec::new();
    let mut rest = src;
    while let Some(i) = rest.find("\"import-olca-") {
        let tail = &rest[i + 1..];
        let end = tail.find('"').unwrap_or(tail.len());
        keys.push(&tail[..end]);
        rest = &tail[end..];
    }
    assert!(keys.len() >= 40, "{keys:?}");
    for key in keys {
        for lang in Lang::ALL {
            assert!(has_key(lang, key), "{key} missing in {lang}");
        }
    }
}

#[test]
fn model_check_findings_point_back_into_the_files() {
    let traces = [Trace {
        entry: "processes/p.json".into(),
        reference: "exchanges[0]".into(),
        inputs: vec!["exchanges[2]".into()],
        emissions: vec!["exchanges[1]".into(), "exchanges[4]".into()],
    }];
    let at = |field: &str| locate(field, &traces, ZIP);
    let file = "processes/p.json".to_string();
    assert_eq!(
        at("processes[0].inputs[0].product"),
        (file.clone(), "exchanges[2].flow".into())
    );
    assert_eq!(
        at("processes[0].emissions[1].uncertainty"),
        (file.clone(), "exchanges[4].uncertainty".into())
    );
    assert_eq!(
        at("processes[0].output"),
        (file.clone(), "exchanges[0].amount".into())
    );
    assert_eq!(at("processes[0].name"), (file, "name".into()));
    assert_eq!(at("gwp_set"), (ZIP.to_string(), "gwp_set".into()));
    assert_eq!(
        at("processes[7].name"),
        (ZIP.to_string(), "processes[7].name".into())
    );
}
