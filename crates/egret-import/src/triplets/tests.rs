use super::*;
use egret_i18n::has_key;
use proptest::prelude::*;
use std::collections::BTreeMap;
use zip::ZipWriter;
use zip::write::SimpleFileOptions;

macro_rules! dec {
    ($x:expr) => {
        Decimal::from_str(stringify!($x)).unwrap()
    };
}

const ZIP: &str = "system.zip";

fn zip_of(files: &[(&str, &str)]) -> Vec<u8> {
    let mut w = ZipWriter::new(Cursor::new(Vec::new()));
    for (name, text) in files {
        w.start_file(*name, SimpleFileOptions::default()).unwrap();
        w.write_all(text.as_bytes()).unwrap();
    }
    w.finish().unwrap().into_inner()
}

fn unzip(bytes: &[u8]) -> BTreeMap<String, String> {
    let mut z = ZipArchive::new(Cursor::new(bytes)).unwrap();
    let mut out = BTreeMap::new();
    for i in 0..z.len() {
        let mut f = z.by_index(i).unwrap();
        let mut s = String::new();
        f.read_to_string(&mut s).unwrap();
        out.insert(f.name().unwrap().to_string(), s);
    }
    out
}

fn read(tech: &str, bio: &str, cf: &str) -> Result<TripletImport, Vec<TripletError>> {
    read_triplets(
        tech.as_bytes(),
        bio.as_bytes(),
        cf.as_bytes(),
        &TripletOptions::default(),
    )
}

/// (file, row, column, key) of each error.
fn summary(errors: &[TripletError]) -> Vec<(String, Option<usize>, Option<String>, String)> {
    errors
        .iter()
        .map(|e| {
            (
                e.file.clone(),
                e.row,
                e.column.clone(),
                e.msg.key.to_string(),
            )
        })
        .collect()
}

fn one_error(
    r: Result<TripletImport, Vec<TripletError>>,
) -> (String, Option<usize>, Option<String>, String) {
    let e = r.expect_err("an error");
    assert_eq!(e.len(), 1, "{e:?}");
    summary(&e).remove(0)
}

fn at(
    file: &str,
    row: usize,
    column: &str,
    key: &str,
) -> (String, Option<usize>, Option<String>, String) {
    (
        file.to_string(),
        Some(row),
        Some(column.to_string()),
        key.to_string(),
    )
}

const BIO: &str = "flow,process,amount\nCO2,A,1\n";
const CF: &str = "flow,factor\nCO2,1\n";

// The loop of docs/lca.md ("Matrix files"), with emissions.
const DOC_TECH: &str = "product,process,amount,distribution,loc,scale,min,max
electricity,electricity production,1,,,,,
coal,electricity production,-0.5,lognormal,,0.1,,
coal,coal mining,1,,,,,
electricity,coal mining,-0.2,normal,,0.02,,
steel,steel production,2,,,,,
electricity,steel production,-4,triangular,-4,,-4.5,-3.5
coal,steel production,-1,,,,,
";
const DOC_BIO: &str = "process,flow,amount,distribution,scale
electricity production,CO2,0.9,lognormal,0.05

coal mining,\"CH4, fossil\",1e-05,,
coal mining,SO2,0.002,,
steel production,\"Carbon dioxide, in air\",-0.3,,
steel production,CO2|land_use,2.5E-1,,
";
const DOC_CF: &str = "factor,flow
1,CO2
29.8,\"CH4, fossil\"
1,\"Carbon dioxide, in air\"
1,CO2|land_use
7,unused flow
";

#[test]
fn reads_the_documented_example() {
    let imp = read(DOC_TECH, DOC_BIO, DOC_CF).unwrap();
    let m = &imp.model;
    assert_eq!(imp.skipped_flows, vec!["SO2".to_string()]);
    assert_eq!(m.reference_product, "steel");
    assert_eq!(
        (m.name.as_str(), m.amount, m.gwp_set.as_str()),
        ("steel", dec!(1), "AR6")
    );
    let ids: Vec<&str> = m.processes.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(
        ids,
        ["electricity production", "coal mining", "steel production"]
    );
    let steel = &m.processes[2];
    assert_eq!(
        (
            steel.name.as_str(),
            steel.product.as_str(),
            steel.unit.as_str(),
            steel.output
        ),
        ("steel production", "steel", "unit", dec!(2))
    );
    assert_eq!(
        steel.source,
        ProcessSource::Imported {
            origin: "technosphere.csv:steel production".into()
        }
    );
    // Inputs are positive, their uncertainty flipped with them.
    assert_eq!(
        steel.inputs,
        vec![
            InputModel {
                product: "electricity".into(),
                amount: dec!(4),
                uncertainty: Some(UncertaintySpec {
                    distribution: "triangular".into(),
                    scale: None,
                    min: Some(dec!(3.5)),
                    max: Some(dec!(4.5)),
                }),
            },
            InputModel {
                product: "coal".into(),
                amount: dec!(1),
                uncertainty: None,
            },
        ]
    );
    assert_eq!(
        m.processes[0].inputs[0].uncertainty,
        Some(UncertaintySpec {
            distribution: "lognormal".into(),
            scale: Some(dec!(0.1)),
            min: None,
            max: None,
        })
    );
    assert_eq!(m.processes[1].inputs[0].amount, dec!(0.2));
    // Kinds: from the id, else by sign; scientific notation is exact.
    let kinds: Vec<(&str, Decimal, EmissionKind)> = m
        .processes
        .iter()
        .flat_map(|p| {
            p.emissions
                .iter()
                .map(|e| (e.flow.as_str(), e.amount, e.kind))
        })
        .collect();
    assert_eq!(
        kinds,
        vec![
            ("CO2", dec!(0.9), EmissionKind::Fossil),
            ("CH4, fossil", dec!(0.00001), EmissionKind::Fossil),
            ("Carbon dioxide, in air", dec!(-0.3), EmissionKind::Uptake),
            ("CO2", dec!(0.25), EmissionKind::LandUse),
        ]
    );
    let flows: Vec<(&str, Decimal)> = m.flows.iter().map(|f| (f.id.as_str(), f.factor)).collect();
    assert_eq!(
        flows,
        vec![
            ("CO2", dec!(1)),
            ("CH4, fossil", dec!(29.8)),
            ("Carbon dioxide, in air", dec!(1)),
        ]
    );
    assert_eq!(m.flows[0].source, "characterisation.csv");
    let mx = m.matrices(|_| None).unwrap();
    assert_eq!(mx.demand_product, "steel");
    assert!(mx.biosphere.iter().any(|e| e.row == "CO2|land_use"));
}

#[test]
fn zip_names_are_case_insensitive_at_the_root_or_in_a_folder() {
    let z = zip_of(&[
        ("export/A.csv", DOC_TECH),
        ("export/b.CSV", DOC_BIO),
        ("export/Cf.csv", DOC_CF),
        ("__MACOSX/export/._A.csv", "junk"),
        ("export/readme.txt", "hello"),
    ]);
    let imp = read_triplets_zip(ZIP, &z, &TripletOptions::default()).unwrap();
    assert_eq!(
        imp.model.processes[0].source,
        ProcessSource::Imported {
            origin: "system.zip:electricity production".into()
        }
    );
    assert_eq!(imp.model.flows[0].source, "system.zip:export/Cf.csv");
    // Errors name the entry as written in the archive.
    let z = zip_of(&[
        ("technosphere.csv", "product,process,amount\na,A,x\n"),
        ("biosphere.csv", BIO),
        ("characterisation.csv", CF),
    ]);
    let e = read_triplets_zip(ZIP, &z, &TripletOptions::default()).unwrap_err();
    assert_eq!(
        summary(&e),
        [at(
            "technosphere.csv",
            2,
            "amount",
            "import-triplets-number"
        )]
    );
    // Deeper than one folder is not looked at.
    let z = zip_of(&[
        ("a/b/technosphere.csv", DOC_TECH),
        ("biosphere.csv", DOC_BIO),
        ("cf.csv", DOC_CF),
    ]);
    let e = read_triplets_zip(ZIP, &z, &TripletOptions::default()).unwrap_err();
    assert_eq!(e[0].msg.key, "import-triplets-missing-file");
}

#[test]
fn a_missing_or_doubled_file_names_the_archive() {
    let z = zip_of(&[("A.csv", DOC_TECH), ("C.csv", DOC_CF)]);
    let e = read_triplets_zip(ZIP, &z, &TripletOptions::default()).unwrap_err();
    assert_eq!(
        summary(&e),
        [(
            ZIP.to_string(),
            None,
            None,
            "import-triplets-missing-file".to_string()
        )]
    );
    assert_eq!(
        e[0].to_string(),
        "system.zip: The archive has no biosphere.csv (also accepted: b.csv), neither at its root nor in a folder."
    );
    let z = zip_of(&[
        ("A.csv", DOC_TECH),
        ("x/technosphere.csv", DOC_TECH),
        ("B.csv", DOC_BIO),
        ("C.csv", DOC_CF),
    ]);
    let e = read_triplets_zip(ZIP, &z, &TripletOptions::default()).unwrap_err();
    assert_eq!(e[0].msg.key, "import-triplets-ambiguous-file");
    let e = read_triplets_zip(ZIP, b"not a zip", &TripletOptions::default()).unwrap_err();
    assert_eq!(e[0].msg.key, "import-triplets-zip");
}

#[test]
fn a_bad_number_names_its_row_and_column() {
    let e = read(
        "product,process,amount\na,A,1\n\n\nb,B,abc\nb,A,-1\n",
        BIO,
        CF,
    )
    .unwrap_err();
    assert_eq!(
        summary(&e),
        [at(
            "technosphere.csv",
            5,
            "amount",
            "import-triplets-number"
        )]
    );
    assert_eq!(
        e[0].to_string(),
        "technosphere.csv row 5, column amount: “abc” is not a number."
    );
    // Headers keep their spelling in errors.
    let e = read("Product,Process,Amount\na,A,NaN\n", BIO, CF).unwrap_err();
    assert_eq!(
        summary(&e),
        [at(
            "technosphere.csv",
            2,
            "Amount",
            "import-triplets-number"
        )]
    );
    let e = read("product,process,amount\na,A,1e-40\n", BIO, CF).unwrap_err();
    assert_eq!(e[0].msg.key, "import-triplets-number-range");
    let e = read("product,process,amount\na,A,\n", BIO, CF).unwrap_err();
    assert_eq!(e[0].msg.key, "import-triplets-number-empty");
    let e = read("product,process,amount\na,,1\n", BIO, CF).unwrap_err();
    assert_eq!(
        summary(&e),
        [at(
            "technosphere.csv",
            2,
            "process",
            "import-triplets-id-empty"
        )]
    );
    let e = read("product,process,amount\na,A\n", BIO, CF).unwrap_err();
    assert_eq!(
        summary(&e),
        [at("technosphere.csv", 2, "amount", "import-triplets-width")]
    );
    // Every bad row is reported, in every file.
    let e = read(
        "product,process,amount\na,A,x\na,A,y\n",
        "flow,process,amount\nCO2,A,z\n",
        CF,
    )
    .unwrap_err();
    let rows: Vec<(String, Option<usize>)> = e.iter().map(|e| (e.file.clone(), e.row)).collect();
    assert_eq!(
        rows,
        [
            ("technosphere.csv".to_string(), Some(2)),
            ("technosphere.csv".to_string(), Some(3)),
            ("biosphere.csv".to_string(), Some(2)),
        ]
    );
}

#[test]
fn numbers_are_exact_decimals() {
    for (text, value) in [
        ("1e-05", dec!(0.00001)),
        ("2.5E+3", dec!(2500)),
        ("-0.1", dec!(-0.1)),
        ("+3", dec!(3)),
        (".5", dec!(0.5)),
        (
            "1.2345678901234567e-20",
            dec!(0.0000000000000000000123456789),
        ),
    ] {
        assert_eq!(parse_number(text).unwrap(), value, "{text}");
    }
    for text in ["abc", "inf", "NaN", "1,5", "1e400"] {
        assert_eq!(
            parse_number(text).unwrap_err().key,
            "import-triplets-number",
            "{text}"
        );
    }
    // Sums beyond a decimal's range are an error, not a panic.
    let big = "70000000000000000000000000000";
    let e = read(
        &format!("product,process,amount\na,A,{big}\na,A,{big}\n"),
        BIO,
        CF,
    )
    .unwrap_err();
    assert_eq!(
        summary(&e),
        [at(
            "technosphere.csv",
            2,
            "amount",
            "import-triplets-overflow"
        )]
    );
    let e = read(
        "product,process,amount\na,A,1\n",
        BIO,
        &format!("flow,factor\nCO2,{big}\nCO2,{big}\n"),
    )
    .unwrap_err();
    assert_eq!(
        summary(&e),
        [at(
            "characterisation.csv",
            3,
            "factor",
            "import-triplets-overflow"
        )]
    );
    for text in ["1e-40", "1e30"] {
        assert_eq!(
            parse_number(text).unwrap_err().key,
            "import-triplets-number-range",
            "{text}"
        );
    }
}

#[test]
fn the_header_is_checked() {
    let e = read("product,process,amount,distrbution\na,A,1,\n", BIO, CF).unwrap_err();
    assert_eq!(
        summary(&e),
        [at(
            "technosphere.csv",
            1,
            "distrbution",
            "import-triplets-unknown-column"
        )]
    );
    assert!(
        e[0].to_string().starts_with(
            "technosphere.csv row 1, column distrbution: Unknown column “distrbution” (expected product,process,amount[,distribution,loc,scale,min,max])"
        ),
        "{}",
        e[0]
    );
    let e = read("product,amount,product\n", BIO, CF).unwrap_err();
    assert_eq!(
        summary(&e),
        [
            at(
                "technosphere.csv",
                1,
                "product",
                "import-triplets-duplicate-column"
            ),
            at(
                "technosphere.csv",
                1,
                "process",
                "import-triplets-missing-column"
            ),
        ]
    );
    let e = read("\n\n", BIO, CF).unwrap_err();
    assert_eq!(
        summary(&e),
        [(
            "technosphere.csv".to_string(),
            Some(1),
            None,
            "import-triplets-empty".to_string()
        )]
    );
    let e = read("product,process,amount\n", BIO, CF).unwrap_err();
    assert_eq!(e[0].msg.key, "import-triplets-no-entries");
    // A byte-order mark and a workbook.
    assert!(read("\u{FEFF}product,process,amount\na,A,1\n", BIO, CF).is_ok());
    let e = read_triplets(
        b"PK\x03\x04...",
        BIO.as_bytes(),
        CF.as_bytes(),
        &TripletOptions::default(),
    )
    .unwrap_err();
    assert_eq!(e[0].msg.key, "import-csv-is-xlsx");
}

#[test]
fn a_process_with_co_products_is_refused() {
    let e = read("product,process,amount\na,A,1\nb,A,2\n", BIO, CF).unwrap_err();
    assert_eq!(
        summary(&e),
        [at(
            "technosphere.csv",
            3,
            "product",
            "import-triplets-co-products"
        )]
    );
    assert_eq!(
        e[0].to_string(),
        "technosphere.csv row 3, column product: The process “A” produces several products (a, b). Apply allocation, or split the process, before importing."
    );
}

#[test]
fn uncertainty_must_be_centred_on_the_amount() {
    let tech = |row: &str| {
        format!(
            "product,process,amount,distribution,loc,scale,min,max\na,A,1,,,,,\nb,B,1,,,,,\n{row}\n"
        )
    };
    let err = |row: &str| one_error(read(&tech(row), BIO, CF));
    let t = "technosphere.csv";
    assert_eq!(
        err("b,A,-2,lognormal,0.5,0.1,,"),
        at(t, 4, "loc", "import-triplets-uncentred")
    );
    // ln 2, as the export writes it, and a loc within 1e-9 relative.
    assert!(read(&tech("b,A,-2,lognormal,0.6931471805599453,0.1,,"), BIO, CF).is_ok());
    assert!(read(&tech("b,A,-2,lognormal,0.693147,0.1,,"), BIO, CF).is_err());
    assert!(read(&tech("b,A,-2,LogNormal,,0.1,,"), BIO, CF).is_ok());
    assert_eq!(
        err("b,A,-2,normal,-2.1,0.1,,"),
        at(t, 4, "loc", "import-triplets-uncentred")
    );
    assert_eq!(
        err("b,A,-2,triangular,-1.9,,-3,-1"),
        at(t, 4, "loc", "import-triplets-uncentred")
    );
    assert_eq!(
        err("b,A,-2,uniform,,,-1.5,-1"),
        at(t, 4, "min", "import-triplets-bounds")
    );
    assert_eq!(
        err("b,A,-2,uniform,,,-3,-2.5"),
        at(t, 4, "max", "import-triplets-bounds")
    );
    assert_eq!(
        err("b,A,-2,normal,,0,,"),
        at(t, 4, "scale", "import-triplets-scale")
    );
    assert_eq!(
        err("b,A,-2,lognormal,,,,"),
        at(t, 4, "scale", "import-triplets-parameter-missing")
    );
    assert_eq!(
        err("b,A,-2,gamma,,1,,"),
        at(t, 4, "distribution", "import-triplets-distribution")
    );
    assert_eq!(
        err("b,A,0,normal,,1,,"),
        at(t, 4, "amount", "import-triplets-zero-uncertainty")
    );
    assert_eq!(
        err("b,A,-2,normal,,1,x,"),
        at(t, 4, "min", "import-triplets-number")
    );
    // Production is exact in Egret; so are factors.
    assert_eq!(
        one_error(read(
            "product,process,amount,distribution,scale\na,A,1,normal,0.1\n",
            BIO,
            CF
        )),
        at(t, 2, "distribution", "import-triplets-output-uncertainty")
    );
    assert_eq!(
        one_error(read(
            "product,process,amount\na,A,1\n",
            BIO,
            "flow,factor,distribution,scale\nCO2,1,lognormal,0.1\n"
        )),
        at(
            "characterisation.csv",
            2,
            "distribution",
            "import-triplets-factor-uncertainty"
        )
    );
    // `none` and unused parameters are no uncertainty.
    let imp = read(&tech("b,A,-2,none,5,5,5,5"), BIO, CF).unwrap();
    assert_eq!(imp.model.processes[0].inputs[0].uncertainty, None);
}

#[test]
fn duplicates_are_summed_and_uncertain_entries_kept_apart() {
    let imp = read(
        "product,process,amount,distribution,scale
a,A,1,,
b,A,-1,,
b,A,-0.5,normal,0.1
b,A,-2,,
a,A,-0.25,,
b,B,1,,
b,B,-0.1,lognormal,0.2
",
        "flow,process,amount\nCO2,A,1\nCO2,A,2\nCO2,B,-1\nCO2,B,1\n",
        CF,
    )
    .unwrap();
    let a = &imp.model.processes[0];
    assert_eq!(a.output, dec!(0.75));
    let inputs: Vec<(&str, Decimal, bool)> = a
        .inputs
        .iter()
        .map(|x| (x.product.as_str(), x.amount, x.uncertainty.is_some()))
        .collect();
    assert_eq!(inputs, [("b", dec!(3), false), ("b", dec!(0.5), true)]);
    // An uncertain entry in the production cell is an input of the own product.
    let b = &imp.model.processes[1];
    assert_eq!(b.output, dec!(1));
    assert_eq!(b.inputs[0].product, "b");
    assert_eq!(b.inputs[0].amount, dec!(0.1));
    assert_eq!(a.emissions.len(), 1);
    assert_eq!(a.emissions[0].amount, dec!(3));
    // Entries summing to zero are left out.
    assert!(b.emissions.is_empty());
    assert_eq!(imp.model.reference_product, "a");
}

#[test]
fn the_system_must_be_one_producer_per_product() {
    let t = "technosphere.csv";
    assert_eq!(
        summary(&read("product,process,amount\na,A,1\nb,B,-1\n", BIO, CF).unwrap_err()),
        [
            at(t, 3, "process", "import-triplets-produces-nothing"),
            at(t, 3, "product", "import-triplets-no-producer"),
        ]
    );
    assert_eq!(
        one_error(read("product,process,amount\na,A,1\na,B,1\n", BIO, CF)),
        at(t, 3, "process", "import-triplets-two-producers")
    );
    assert_eq!(
        one_error(read("product,process,amount\na,A,1\nz,A,-1\n", BIO, CF)),
        at(t, 3, "product", "import-triplets-no-producer")
    );
    assert_eq!(
        one_error(read(
            "product,process,amount,distribution,scale\na,A,1,,\nb,B,1,,\nb,A,1,,\nb,A,-2,normal,0.1\n",
            BIO,
            CF
        )),
        at(t, 4, "amount", "import-triplets-mixed-signs")
    );
}

#[test]
fn flows_need_a_usable_id_kind_and_factor() {
    let tech = "product,process,amount\na,A,1\n";
    let b = "biosphere.csv";
    let c = "characterisation.csv";
    assert_eq!(
        one_error(read(tech, "flow,process,amount\nCO2,Z,1\n", CF)),
        at(b, 2, "process", "import-triplets-unknown-process")
    );
    assert_eq!(
        one_error(read(
            tech,
            "flow,process,amount\nCO2|air,A,1\n",
            "flow,factor\nCO2|air,1\n"
        )),
        at(b, 2, "flow", "import-triplets-flow-id")
    );
    assert_eq!(
        one_error(read(
            tech,
            "flow,process,amount\nCO2|uptake,A,1\n",
            "flow,factor\nCO2|uptake,1\n"
        )),
        at(b, 2, "amount", "import-triplets-kind-sign")
    );
    assert_eq!(
        one_error(read(
            tech,
            "flow,process,amount\nCO2e,A,1\n",
            "flow,factor\nCO2e,2\n"
        )),
        at(c, 2, "factor", "import-triplets-co2e-factor")
    );
    assert_eq!(
        one_error(read(
            tech,
            "flow,process,amount\nX|fossil,A,1\nX|biogenic,A,1\n",
            "flow,factor\nX|fossil,1\nX|biogenic,2\n"
        )),
        at(c, 3, "factor", "import-triplets-factor-conflict")
    );
    // CO2e is Egret's own flow; duplicate factors are summed.
    let imp = read(
        tech,
        "flow,process,amount\nCO2e|fossil,A,1\nX,A,1\n",
        "flow,factor\nCO2e|fossil,1\nX,0.5\nX,0.25\n",
    )
    .unwrap();
    assert_eq!(imp.model.flows.len(), 1);
    assert_eq!(imp.model.flows[0].factor, dec!(0.75));
}

#[test]
fn the_functional_unit_comes_from_options_demand_file_or_the_system() {
    let tech = "product,process,amount\na,A,1\nb,B,1\nc,C,1\nc,A,-1\nc,B,-1\n";
    let e = read(tech, BIO, CF).unwrap_err();
    assert_eq!(
        summary(&e),
        [(
            "technosphere.csv".to_string(),
            None,
            Some("demand_product".to_string()),
            "import-triplets-demand-choose".to_string()
        )]
    );
    assert_eq!(
        e[0].to_string(),
        "technosphere.csv, demand_product: Choose the product of the functional unit: a, b."
    );
    let opts = TripletOptions {
        demand_product: Some("b".into()),
        amount: Some(dec!(2.5)),
        gwp_set: "AR5".into(),
        name: Some("Two things".into()),
    };
    let m = read_triplets(tech.as_bytes(), BIO.as_bytes(), CF.as_bytes(), &opts)
        .unwrap()
        .model;
    assert_eq!(
        (
            m.reference_product.as_str(),
            m.amount,
            m.gwp_set.as_str(),
            m.name.as_str()
        ),
        ("b", dec!(2.5), "AR5", "Two things")
    );
    let bad = TripletOptions {
        demand_product: Some("z".into()),
        amount: Some(dec!(0)),
        gwp_set: "AR4".into(),
        name: Some(" ".into()),
    };
    let e = read_triplets(tech.as_bytes(), BIO.as_bytes(), CF.as_bytes(), &bad).unwrap_err();
    let keys: Vec<(Option<String>, String)> = e
        .iter()
        .map(|e| (e.column.clone(), e.msg.key.to_string()))
        .collect();
    let k = |c: &str, key: &str| (Some(c.to_string()), key.to_string());
    assert_eq!(
        keys,
        [
            k("demand_product", "import-triplets-demand-unknown"),
            k("amount", "import-triplets-amount"),
            k("gwp_set", "import-triplets-gwp-set"),
            k("name", "import-triplets-name"),
        ]
    );
    // A loop with no product outside it.
    let e = read(
        "product,process,amount\na,A,1\nb,B,1\nb,A,-1\na,B,-1\n",
        BIO,
        CF,
    )
    .unwrap_err();
    assert_eq!(e[0].msg.key, "import-triplets-demand-none");
    // demand.csv in a zip.
    let files = |demand: &str| {
        zip_of(&[
            ("technosphere.csv", tech),
            ("biosphere.csv", BIO),
            ("characterisation.csv", CF),
            ("demand.csv", demand),
        ])
    };
    let m = read_triplets_zip(
        ZIP,
        &files("product,amount\na,3\n"),
        &TripletOptions::default(),
    )
    .unwrap()
    .model;
    assert_eq!((m.reference_product.as_str(), m.amount), ("a", dec!(3)));
    let e = read_triplets_zip(
        ZIP,
        &files("product,amount\na,3\nb,1\n"),
        &TripletOptions::default(),
    )
    .unwrap_err();
    assert_eq!(
        summary(&e),
        [at(
            "demand.csv",
            3,
            "product",
            "import-triplets-demand-several"
        )]
    );
    let e = read_triplets_zip(
        ZIP,
        &files("product,amount\nz,1\n"),
        &TripletOptions::default(),
    )
    .unwrap_err();
    assert_eq!(
        summary(&e),
        [at(
            "demand.csv",
            2,
            "product",
            "import-triplets-demand-unknown"
        )]
    );
}

fn bottle() -> Matrices {
    let u = |d: &str, scale: Option<Decimal>, min: Option<Decimal>, max: Option<Decimal>| {
        Some(UncertaintySpec {
            distribution: d.into(),
            scale,
            min,
            max,
        })
    };
    let model = ProductSystemModel {
        name: "Bottle".into(),
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
                inputs: vec![InputModel {
                    product: "pet, resin".into(),
                    amount: dec!(0.020),
                    uncertainty: u("triangular", None, Some(dec!(0.018)), Some(dec!(0.021))),
                }],
                emissions: vec![EmissionModel {
                    flow: "CO2".into(),
                    amount: dec!(0.5),
                    kind: EmissionKind::Fossil,
                    uncertainty: u("lognormal", Some(dec!(0.1)), None, None),
                }],
            },
            ProcessModel {
                id: "pet".into(),
                name: "PET".into(),
                product: "pet, resin".into(),
                unit: "kg".into(),
                output: dec!(1),
                source: ProcessSource::Own,
                inputs: vec![],
                emissions: vec![
                    EmissionModel {
                        flow: CO2E.into(),
                        amount: dec!(2.2),
                        kind: EmissionKind::Fossil,
                        uncertainty: u("normal", Some(dec!(0.3)), None, None),
                    },
                    EmissionModel {
                        flow: "CO2".into(),
                        amount: dec!(-0.4),
                        kind: EmissionKind::Uptake,
                        uncertainty: u("uniform", None, Some(dec!(-0.5)), Some(dec!(-0.3))),
                    },
                ],
            },
        ],
        flows: vec![FlowModel {
            id: "CO2".into(),
            name: "Carbon dioxide".into(),
            factor: dec!(1),
            source: "test".into(),
        }],
    };
    model.matrices(|_| None).unwrap()
}

#[test]
fn writes_what_the_engine_reads() {
    let files = unzip(&write_triplets_zip(&bottle()));
    let names: Vec<&str> = files.keys().map(String::as_str).collect();
    assert_eq!(
        names,
        [
            "biosphere.csv",
            "characterisation.csv",
            "demand.csv",
            "technosphere.csv"
        ]
    );
    assert_eq!(
        files["technosphere.csv"],
        "product,process,amount,distribution,loc,scale,min,max
bottle,blow,1,,,,,
\"pet, resin\",blow,-0.02,triangular,-0.02,,-0.021,-0.018
\"pet, resin\",pet,1,,,,,
"
    );
    assert_eq!(
        files["biosphere.csv"],
        format!(
            "flow,process,amount,distribution,loc,scale,min,max
CO2|fossil,blow,0.5,lognormal,{},0.1,,
CO2e|fossil,pet,2.2,normal,2.2,0.3,,
CO2|uptake,pet,-0.4,uniform,,,-0.5,-0.3
",
            0.5f64.ln()
        )
    );
    assert_eq!(
        files["characterisation.csv"],
        "flow,factor\nCO2e|fossil,1\nCO2|fossil,1\nCO2|uptake,1\n"
    );
    assert_eq!(files["demand.csv"], "product,amount\nbottle,1000\n");
}

#[test]
fn the_export_reads_back() {
    let m = bottle();
    let imp = read_triplets_zip(
        "bottle.zip",
        &write_triplets_zip(&m),
        &TripletOptions::default(),
    )
    .unwrap();
    let model = &imp.model;
    assert_eq!(model.reference_product, "bottle");
    assert_eq!(model.amount, dec!(1000));
    let blow = &model.processes[0];
    assert_eq!(
        blow.inputs[0].uncertainty,
        Some(UncertaintySpec {
            distribution: "triangular".into(),
            scale: None,
            min: Some(dec!(0.018)),
            max: Some(dec!(0.021)),
        })
    );
    assert_eq!(model.processes[1].emissions[1].kind, EmissionKind::Uptake);
    assert_eq!(model.flows.len(), 1, "CO2e needs no flow of its own");
    let back = model.matrices(|_| None).unwrap();
    assert_eq!(canon(&back.technosphere), canon(&m.technosphere));
    assert_eq!(canon(&back.biosphere), canon(&m.biosphere));
    assert_eq!(back.factors, m.factors);
}

// ---------------------------------------------------------------------------
// Round trip

/// A matrix as Egret and the engine see it: per (row, column) the sum of
/// the entries without uncertainty (summed by the engine) and the entries
/// with uncertainty (drawn each on its own), as sorted text of the amount
/// and the parameters the distribution uses. Cells that sum to zero with no
/// uncertain entry are absent.
type Canon = BTreeMap<(String, String), (Decimal, Vec<String>)>;

fn canon(entries: &[Entry]) -> Canon {
    let mut out: Canon = BTreeMap::new();
    for e in entries {
        let cell = out
            .entry((e.row.clone(), e.col.clone()))
            .or_insert((Decimal::ZERO, Vec::new()));
        match &e.uncertainty {
            None => cell.0 += e.amount,
            Some(u) => {
                let n = |v: Option<Decimal>| v.map(|d| d.normalize().to_string());
                let used = match u.distribution.as_str() {
                    "lognormal" | "normal" => (n(u.scale), None, None),
                    _ => (None, n(u.min), n(u.max)),
                };
                cell.1.push(format!(
                    "{} {} {:?}",
                    e.amount.normalize(),
                    u.distribution,
                    used
                ));
            }
        }
    }
    out.retain(|_, (sum, list)| !(sum.is_zero() && list.is_empty()));
    for (sum, list) in out.values_mut() {
        *sum = sum.normalize();
        list.sort();
    }
    out
}

fn factors(m: &Matrices) -> BTreeMap<String, Decimal> {
    m.factors
        .iter()
        .map(|(f, x)| (f.clone(), x.normalize()))
        .collect()
}

fn positive() -> impl Strategy<Value = Decimal> {
    (1i64..2_000_000, 0u32..7).prop_map(|(m, s)| Decimal::new(m, s))
}

/// A distribution (0: none) and two positive parameters.
type RawSpec = (u8, Decimal, Decimal);

fn raw_spec() -> impl Strategy<Value = RawSpec> {
    (0u8..5, positive(), positive())
}

/// A spec centred on `amount`, as Egret keeps them.
fn spec((kind, a, b): &RawSpec, amount: Decimal) -> Option<UncertaintySpec> {
    let s = |d: &str, scale, min, max| {
        Some(UncertaintySpec {
            distribution: d.into(),
            scale,
            min,
            max,
        })
    };
    match kind {
        1 => s("lognormal", Some(*a), None, None),
        2 => s("normal", Some(*a), None, None),
        3 => s("triangular", None, Some(amount - a), Some(amount + b)),
        4 => s("uniform", None, Some(amount - a), Some(amount + b)),
        _ => None,
    }
}

/// Flow names, with CSV's special characters.
const FLOWS: [&str; 5] = ["CO2", "CH4, fossil", "N2O \"x\"", CO2E, "Flow;5"];

prop_compose! {
    fn valid_model()(
        n in 1usize..6,
        outputs in prop::collection::vec(positive(), 6),
        inputs in prop::collection::vec((0usize..6, 1usize..6, positive(), raw_spec()), 0..10),
        emissions in prop::collection::vec(
            (0usize..6, 0usize..5, 0usize..4, positive(), raw_spec()),
            0..10,
        ),
        flow_factors in prop::collection::vec((-1000i64..100_000, 0u32..4), 5),
        reference in 0usize..6,
        amount in positive(),
    ) -> ProductSystemModel {
        let id = |i: usize| if i.is_multiple_of(2) { format!("p{i}") } else { format!("proc, \"{i}\"") };
        let product = |i: usize| if i.is_multiple_of(3) { format!("prod {i}") } else { format!("prod,{i}") };
        let mut processes: Vec<ProcessModel> = (0..n)
            .map(|i| ProcessModel {
                id: id(i),
                name: id(i),
                product: product(i),
                unit: "kg".into(),
                output: outputs[i],
                source: ProcessSource::Own,
                inputs: vec![],
                emissions: vec![],
            })
            .collect();
        for (p, offset, x, u) in &inputs {
            let (p, target) = (p % n, (p + offset) % n);
            if target != p {
                processes[p].inputs.push(InputModel {
                    product: product(target),
                    amount: *x,
                    uncertainty: spec(u, *x),
                });
            }
        }
        let mut used = BTreeSet::new();
        for (p, f, k, x, u) in &emissions {
            let kind = EmissionKind::ALL[*k];
            let x = if kind == EmissionKind::Uptake { -*x } else { *x };
            used.insert(*f);
            processes[p % n].emissions.push(EmissionModel {
                flow: FLOWS[*f].into(),
                amount: x,
                kind,
                uncertainty: spec(u, x),
            });
        }
        let flows = used
            .into_iter()
            .filter(|f| FLOWS[*f] != CO2E)
            .map(|f| FlowModel {
                id: FLOWS[f].into(),
                name: FLOWS[f].into(),
                factor: Decimal::new(flow_factors[f].0, flow_factors[f].1),
                source: "generated".into(),
            })
            .collect();
        ProductSystemModel {
            name: "generated".into(),
            reference_product: product(reference % n),
            amount,
            gwp_set: "AR6".into(),
            processes,
            flows,
        }
    }
}

proptest! {
    /// model → matrices → files → model → matrices gives the same matrices
    /// (see [`canon`]), factors and functional unit.
    #[test]
    fn matrices_round_trip_through_the_files(model in valid_model()) {
        let before = model.matrices(|_| None).expect("the generator makes valid models");
        let zip = write_triplets_zip(&before);
        let imp = read_triplets_zip(ZIP, &zip, &TripletOptions::default())
            .unwrap_or_else(|e| panic!("{}", e.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("\n")));
        prop_assert!(imp.skipped_flows.is_empty());
        prop_assert_eq!(imp.model.processes.len(), model.processes.len());
        let after = imp.model.matrices(|_| None).expect("the import passes the domain's checks");
        prop_assert_eq!(canon(&after.technosphere), canon(&before.technosphere));
        prop_assert_eq!(canon(&after.biosphere), canon(&before.biosphere));
        prop_assert_eq!(factors(&after), factors(&before));
        prop_assert_eq!(&after.demand_product, &before.demand_product);
        prop_assert_eq!(after.demand_amount, before.demand_amount);
        // Unless duplicate entries were summed, writing the import again
        // gives the same files.
        let summed = after.technosphere.len() != before.technosphere.len()
            || after.biosphere.len() != before.biosphere.len();
        if !summed {
            prop_assert_eq!(unzip(&write_triplets_zip(&after)), unzip(&zip));
        }
    }

    /// Whatever the bytes, reading answers (no panic).
    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        let _ = read_triplets_zip(ZIP, &bytes, &TripletOptions::default());
        let _ = read_triplets(&bytes, &bytes, &bytes, &TripletOptions::default());
    }
}

#[test]
fn errors_display_file_row_and_column() {
    let e = TripletError {
        file: "A.csv".into(),
        row: Some(17),
        column: Some("amount".into()),
        msg: Msg::new("import-triplets-number").arg("value", "abc"),
    };
    assert_eq!(
        e.to_string(),
        "A.csv row 17, column amount: “abc” is not a number."
    );
    assert_eq!(e.msg.render(Lang::ZhCn), "“abc”不是数字。");
}

/// Every `"import-triplets-…"` literal of this module exists in both
/// catalogs, with the same placeholders.
#[test]
fn every_message_key_is_in_both_catalogs() {
    let src = include_str!("../triplets.rs");
    let mut keys = Vec::new();
    let mut rest = src;
    while let Some(i) = rest.find("\"import-triplets-") {
        let tail = &rest[i + 1..];
        let end = tail.find('"').unwrap_or(tail.len());
        keys.push(&tail[..end]);
        rest = &tail[end..];
    }
    assert!(keys.len() >= 35, "{keys:?}");
    for key in keys {
        for lang in Lang::ALL {
            assert!(has_key(lang, key), "{key} missing in {lang}");
        }
        assert_eq!(
            egret_i18n::placeholders(Lang::En, key),
            egret_i18n::placeholders(Lang::ZhCn, key),
            "{key}"
        );
    }
}
