//! The factor library, the worked examples of the shared factor notes
//! (`/shared/reference/factors.md` §6), property tests of the kernel and the
//! batch engine.

use egret_carbon::batch::{read_factors, run_csv, synthetic_csv, write_summary};
use egret_carbon::calc::{Activity, Category, Engine, Instrument, Totals, kernel};
use egret_carbon::library::{Library, Method, Origin};
use egret_domain::refdata::{Confidence, ReferenceData};
use egret_i18n::Lang;
use proptest::prelude::*;
use rust_decimal::Decimal;

fn rd() -> &'static ReferenceData {
    ReferenceData::embedded()
}

fn lib() -> &'static Library {
    Library::embedded()
}

fn d(s: &str) -> Decimal {
    s.parse().unwrap()
}

fn act<'a>(category: &str, quantity: &str, unit: &'a str, factor: &'a str) -> Activity<'a> {
    Activity {
        id: "a",
        org: "o",
        site: "s",
        period: "2025",
        category: Category::parse(category).unwrap(),
        quantity: d(quantity),
        unit,
        factor,
        instrument: Instrument::None,
        market_factor: None,
        date: None,
    }
}

fn co2e(engine: &mut Engine, a: &Activity) -> Decimal {
    engine.calculate(a).unwrap().co2e_t
}

#[test]
fn the_shipped_library_loads_with_sources() {
    let l = lib();
    assert!(l.len() > 100, "{}", l.len());
    for f in l.factors() {
        assert!(!f.source.is_empty(), "{} has no source", f.id);
        assert!(rd().unit(&f.per_unit).is_some(), "{}", f.id);
        assert!(!f.gases.is_empty(), "{}", f.id);
        assert!(matches!(f.origin, Origin::Shipped { .. }));
    }
    // Derived fuel factors keep their inputs.
    let gas = l.get("cn.fuel.natural-gas").unwrap();
    let dv = gas.derivation.as_ref().unwrap();
    assert_eq!(
        (dv.ncv_gj, dv.carbon_tc_per_gj, dv.oxidation_pct),
        (d("389.31"), d("0.0153"), d("99"))
    );
    assert_eq!(gas.per_unit, "10^4Nm3");
    // Residual factors are found by year; the recalled ETS value is marked L.
    assert_eq!(
        l.residual_for(Some(2022)).unwrap().gases[0].value,
        d("0.5856")
    );
    assert_eq!(
        l.get("cn.ets.grid.2021").unwrap().confidence,
        Confidence::Low
    );
    assert_eq!(
        l.get("cn.grid.residual.2021").unwrap().method,
        Method::Residual
    );
}

/// factors.md §6 Test 2: per-unit CO2 factors of the reference sheet
/// (kg CO2 per kg, natural gas per m³), to 4 decimals.
#[test]
fn derived_fuel_factors_reproduce_the_reference_sheet() {
    let mut e = Engine::new(lib(), rd(), "ar6").unwrap();
    for (fuel, unit, expected) in [
        ("raw-coal", "kg", "0.0019003"),
        ("coke", "kg", "0.0028604"),
        ("crude-oil", "kg", "0.0030202"),
        ("fuel-oil", "kg", "0.0031705"),
        ("gasoline", "kg", "0.0029251"),
        ("diesel", "kg", "0.0030959"),
        ("lpg", "kg", "0.0031013"),
        ("natural-gas", "m3", "0.0021622"),
    ] {
        // 1 kg (or m³) → tonnes CO2, compared at the sheet's 4 decimals of kg.
        let t = co2e(
            &mut e,
            &act("scope1.stationary", "1", unit, &format!("cn.fuel.{fuel}")),
        );
        assert_eq!(t.round_dp(7), d(expected), "{fuel}");
    }
}

/// factors.md §6 Test 1: a Xiamen manufacturer with the guideline
/// defaults. Inputs: 1,000 t bituminous coal, 100 × 10⁴ Nm³ natural gas,
/// 50 t diesel, 5,000 GJ purchased heat, 10,000 MWh electricity at the
/// 2022 Fujian provincial factor. Expected (t CO2, 4 decimals): coal
/// 1,741.7496; gas 2,162.1888; diesel 154.7955; scope 1 4,058.7339; heat
/// 550; electricity 4,092; total 8,700.7339.
#[test]
fn worked_example_xiamen_manufacturer() {
    let mut e = Engine::new(lib(), rd(), "ar6").unwrap();
    let rows = [
        act("scope1.stationary", "1000", "t", "cn.fuel.bituminous-coal"),
        act("scope1.stationary", "100", "10^4Nm3", "cn.fuel.natural-gas"),
        act("scope1.mobile", "50", "t", "cn.fuel.diesel"),
        act("scope2.heat", "5000", "GJ", "cn.heat.default"),
        act("scope2.electricity", "10000", "MWh", "cn.grid.fujian.2022"),
    ];
    let r: Vec<Decimal> = rows.iter().map(|a| co2e(&mut e, a)).collect();
    let r4: Vec<Decimal> = r.iter().map(|x| x.round_dp(4)).collect();
    assert_eq!(
        r4,
        [
            d("1741.7496"),
            d("2162.1888"),
            d("154.7955"),
            d("550"),
            d("4092")
        ]
    );
    let mut t = Totals::default();
    for a in &rows {
        t.add(a.site, &e.calculate(a).unwrap());
    }
    assert_eq!(t.scope1().round_dp(4), d("4058.7339"));
    assert_eq!(
        (t.scope1() + t.scope2_location()).round_dp(4),
        d("8700.7339")
    );
    // The same electricity with the 2022 national average instead.
    let national = co2e(
        &mut e,
        &act(
            "scope2.electricity",
            "10000",
            "MWh",
            "cn.grid.national.2022",
        ),
    );
    assert_eq!(national, d("5366"));
}

/// factors.md §6 Test 3: IPCC Tier 1, 1 TJ of fuel, kg CO2e by GWP set
/// (AR6 with fossil methane 29.8).
#[test]
fn worked_example_ipcc_tier1_gwp_sets() {
    for (fuel, ar4, ar5, ar6) in [
        ("ipcc2006.gas-diesel-oil", "74353.8", "74343.0", "74353.2"),
        (
            "ipcc2006.other-bituminous-coal",
            "95072.0",
            "95025.5",
            "95039.3",
        ),
        ("ipcc2006.natural-gas", "56154.8", "56154.5", "56157.1"),
    ] {
        for (set, expected) in [("ar4", ar4), ("ar5", ar5), ("ar6", ar6)] {
            let mut e = Engine::new(lib(), rd(), set).unwrap();
            let kg = co2e(&mut e, &act("scope1.stationary", "1", "TJ", fuel)) * d("1000");
            assert_eq!(kg.round_dp(1), d(expected), "{fuel} {set}");
        }
    }
}

#[test]
fn market_based_electricity_follows_the_instruments() {
    let mut e = Engine::new(lib(), rd(), "ar6").unwrap();
    let base = act("scope2.electricity", "1000", "MWh", "cn.grid.fujian.2022");
    let r = e.calculate(&base).unwrap();
    assert_eq!(r.co2e_t, d("409.2"));
    assert_eq!(r.co2e_market_t, Some(d("585.6")), "residual 2022");
    assert_eq!(r.market_factor.as_deref(), Some("cn.grid.residual.2022"));
    let gec = Activity {
        instrument: Instrument::Certificate,
        ..base.clone()
    };
    assert_eq!(
        e.calculate(&gec).unwrap().co2e_market_t,
        Some(Decimal::ZERO)
    );
    let supplier = Activity {
        market_factor: Some("cn.grid.national.2022"),
        ..base.clone()
    };
    assert_eq!(
        e.calculate(&supplier).unwrap().co2e_market_t,
        Some(d("536.6"))
    );
    let mut t = Totals::default();
    t.add("s", &e.calculate(&base).unwrap());
    t.add("s", &e.calculate(&gec).unwrap());
    assert_eq!(t.scope2_location(), d("818.4"));
    assert_eq!(t.scope2_market(), d("585.6"));
    // Heat has no market instruments.
    let bad = Activity {
        category: Category::parse("scope2.heat").unwrap(),
        instrument: Instrument::GreenPower,
        unit: "GJ",
        factor: "cn.heat.default",
        ..base.clone()
    };
    assert_eq!(e.calculate(&bad).unwrap_err().field, "instrument");
    // No residual factor is published for 2023.
    let y2023 = Activity {
        factor: "cn.grid.national.2023",
        ..base
    };
    let r = e.calculate(&y2023).unwrap();
    assert_eq!(r.market_factor.as_deref(), Some("cn.grid.residual.2023"));
}

#[test]
fn bad_records_are_refused_naming_the_field() {
    let mut e = Engine::new(lib(), rd(), "ar6").unwrap();
    let err = |a: Activity, e: &mut Engine| e.calculate(&a).unwrap_err();
    let x = err(act("scope1.mobile", "-1", "t", "cn.fuel.diesel"), &mut e);
    assert_eq!(
        (x.field, &*x.msg.key),
        ("quantity", "carbon-quantity-negative")
    );
    let x = err(act("scope1.mobile", "1", "kWh", "cn.fuel.diesel"), &mut e);
    assert_eq!((x.field, &*x.msg.key), ("unit", "carbon-unit-mismatch"));
    assert!(x.msg.render(Lang::ZhCn).contains("kWh"));
    let x = err(act("scope1.mobile", "1", "t", "no.such"), &mut e);
    assert_eq!((x.field, &*x.msg.key), ("factor", "carbon-factor-unknown"));
    let x = err(
        act("scope2.electricity", "1", "MWh", "cn.grid.residual.2022"),
        &mut e,
    );
    assert_eq!(x.msg.key, "carbon-residual-as-location");
    assert!(Engine::new(lib(), rd(), "ar3").is_err());
}

#[test]
fn fugitive_refrigerant_uses_the_gas_gwp() {
    let mut e = Engine::new(lib(), rd(), "ar5").unwrap();
    // 10 kg HFC-134a leaked: 0.01 t × 1,300.
    let r = e
        .calculate(&act("scope1.fugitive", "10", "kg", "gas.HFC-134a"))
        .unwrap();
    assert_eq!(r.co2e_t, d("13"));
    assert_eq!(r.gases, vec![(std::sync::Arc::from("HFC-134a"), d("0.01"))]);
}

#[test]
fn totals_map_to_the_catalog_data_points() {
    let mut e = Engine::new(lib(), rd(), "ar6").unwrap();
    let mut t = Totals::default();
    for a in [
        act("scope1.stationary", "10", "t", "cn.fuel.diesel"),
        act("scope1.mobile", "1", "t", "cn.fuel.gasoline"),
        act("scope2.electricity", "100", "MWh", "cn.grid.fujian.2022"),
    ] {
        t.add("s", &e.calculate(&a).unwrap());
    }
    let rows = t.datapoint_values();
    let get = |dp: &str, bk: &str| {
        rows.iter()
            .find(|(d, b, _)| *d == dp && b == bk)
            .map(|r| r.2)
    };
    assert_eq!(get("ghg.scope2-location", ""), Some(d("40.92")));
    assert_eq!(get("ghg.scope12", ""), Some(t.scope1() + d("40.92")));
    assert_eq!(
        get("ghg.scope1", "emission_source:mobile-combustion").unwrap()
            + get("ghg.scope1", "emission_source:stationary-combustion").unwrap(),
        get("ghg.scope1", "").unwrap()
    );
    assert_eq!(
        get("ghg.scope3", ""),
        None,
        "no scope 3 records, no scope 3 value"
    );
    // Every key is a breakdown the catalogs allow.
    let cats = egret_domain::catalog::Catalogs::embedded();
    for (dp, bk, _) in &rows {
        let point = cats.datapoint(dp).unwrap_or_else(|| panic!("{dp}"));
        egret_domain::value::check_breakdown_key(cats, point, bk, &[]).unwrap();
    }
}

#[test]
fn added_factors_never_replace_shipped_ones() {
    let csv = "id,gas,value,unit,source\n\
               supplier.xm-power,CO2,0.31,t/MWh,Supplier letter 2025-03\n\
               supplier.steel,CO2,1850,kg/t,EPD 123\n\
               supplier.steel,CH4-fossil,0.2,kg/t,EPD 123\n";
    let l = read_factors("f.csv", csv.as_bytes(), lib(), rd()).unwrap();
    assert_eq!(l.len(), lib().len() + 2);
    let mut e = Engine::new(&l, rd(), "ar6").unwrap();
    let r = e
        .calculate(&act("scope3.c1", "2", "t", "supplier.steel"))
        .unwrap();
    assert_eq!(r.co2e_t, d("3.70") + d("0.0004") * d("29.8"));
    let clash = "id,gas,value,unit\ncn.fuel.diesel,CO2,1,t/t\n";
    let err = read_factors("f.csv", clash.as_bytes(), lib(), rd()).unwrap_err();
    assert_eq!(err.msg.key, "carbon-factor-exists");
    let bad = "id,gas,value,unit\nx,CO2,abc,t/t\n";
    let err = read_factors("f.csv", bad.as_bytes(), lib(), rd()).unwrap_err();
    assert!(
        err.msg.render(Lang::En).contains("Row 2, column value"),
        "{err}"
    );
}

#[test]
fn broken_library_files_name_the_file_line_and_column() {
    let files = |fuels: &str| {
        let fuels = fuels.to_string();
        move |name: &str| {
            Ok(match name {
                "fuels.csv" => fuels.clone(),
                "gwp.csv" => include_str!("../../../data/carbon/gwp.csv").to_string(),
                _ => include_str!("../../../data/carbon/factors.csv").to_string(),
            })
        }
    };
    let head = "# version: 1\n# source: test\n\
                id,name_zh,name_en,per_unit,ncv_gj,carbon_tc_per_gj,oxidation_pct,confidence,source,ref\n";
    let e = Library::from_texts(
        rd(),
        files(&format!("{head}diesel,柴油,diesel,t,42.652,x,98,H,s,r\n")),
    )
    .unwrap_err();
    assert_eq!(
        (e.file.as_str(), e.location.as_str()),
        ("fuels.csv", "4:carbon_tc_per_gj")
    );
    let e = Library::from_texts(
        rd(),
        files(&format!("{head}diesel,柴油,diesel,furlong,1,1,98,H,s,r\n")),
    )
    .unwrap_err();
    assert_eq!(e.location, "4:per_unit");
    let e = Library::from_texts(rd(), files("id,name_zh\n")).unwrap_err();
    assert_eq!(e.msg.key, "carbon-file-meta");
}

#[test]
fn the_batch_streams_results_and_reports_bad_rows() {
    let input = "id,org,site,period,category,quantity,unit,factor,instrument\n\
                 r1,o1,s1,2025,scope1.mobile,50,t,cn.fuel.diesel,\n\
                 r2,o1,s1,2025,scope2.electricity,10000,MWh,cn.grid.fujian.2022,gec\n\
                 r3,o1,s2,2025,scope9.x,1,t,cn.fuel.diesel,\n\
                 r4,o2,s1,2025,scope1.mobile,-4,t,cn.fuel.diesel,\n\
                 r5,o2,s1,2025,scope1.mobile,4,kWh,cn.fuel.diesel,\n";
    let (mut out, mut errs) = (Vec::new(), Vec::new());
    let mut e = Engine::new(lib(), rd(), "ar6").unwrap();
    let mut seen = 0;
    let s = run_csv(
        "a.csv",
        input.as_bytes(),
        &mut e,
        &mut out,
        &mut errs,
        &mut |n| seen = n,
    )
    .unwrap();
    assert_eq!((s.rows, s.failed, seen), (5, 3, 5));
    let out = String::from_utf8(out).unwrap();
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines[0],
        "id,org,site,period,scope,category,factor,gwp,co2e_t,co2e_market_t,gases_t"
    );
    assert!(
        lines[1].starts_with("r1,o1,s1,2025,1,scope1.mobile,cn.fuel.diesel,ar6,154.79"),
        "{}",
        lines[1]
    );
    assert!(lines[2].contains(",4092,0,CO2=4092"), "{}", lines[2]);
    let errs = String::from_utf8(errs).unwrap();
    let e_lines: Vec<&str> = errs.lines().collect();
    assert_eq!(e_lines.len(), 4);
    assert!(e_lines[1].starts_with("4,r3,category,"), "{}", e_lines[1]);
    assert!(e_lines[2].starts_with("5,r4,quantity,"), "{}", e_lines[2]);
    assert!(e_lines[3].starts_with("6,r5,unit,"), "{}", e_lines[3]);
    let t = &s.inventory[&("o1".to_string(), "2025".to_string())];
    assert_eq!(t.scope2_market(), Decimal::ZERO);
    let mut summary = Vec::new();
    write_summary(&s.inventory, &mut summary).unwrap();
    assert!(
        String::from_utf8(summary)
            .unwrap()
            .lines()
            .nth(1)
            .unwrap()
            .starts_with("o1,2025,2,154.79")
    );
    // A missing column stops the run with the column's name.
    let err = run_csv(
        "b.csv",
        "id,org\n".as_bytes(),
        &mut e,
        Vec::new(),
        Vec::new(),
        &mut |_| {},
    )
    .unwrap_err();
    assert_eq!(
        (err.file.as_str(), &*err.msg.key),
        ("b.csv", "carbon-file-column")
    );
}

#[test]
fn the_kernel_agrees_with_record_by_record_calculation() {
    let mut csv = Vec::new();
    synthetic_csv(600, &mut csv).unwrap();
    let mut e = Engine::new(lib(), rd(), "ar6").unwrap();
    let s = run_csv(
        "s.csv",
        &csv[..],
        &mut e,
        std::io::sink(),
        std::io::sink(),
        &mut |_| {},
    )
    .unwrap();
    assert_eq!(s.failed, 0);
    let mut rdr = csv::Reader::from_reader(&csv[..]);
    let (mut q, mut k, mut c) = (Vec::new(), Vec::new(), Vec::new());
    for r in rdr.records() {
        let r = r.unwrap();
        q.push(d(&r[5]));
        k.push(e.resolve(&r[7], &r[6], "factor").unwrap());
        c.push(Category::parse(&r[4]).unwrap());
    }
    let sums = kernel(&e, &q, &k, &c);
    let mut all = Totals::default();
    for t in s.inventory.values() {
        all.merge(t);
    }
    for cat in Category::all() {
        assert_eq!(
            sums[cat.index()],
            all.by_category.get(&cat).copied().unwrap_or_default(),
            "{}",
            cat.code()
        );
    }
}

const KINDS: [(&str, &str, &str, &str); 5] = [
    ("scope1.mobile", "t", "kg", "cn.fuel.diesel"),
    ("scope2.electricity", "MWh", "kWh", "cn.grid.fujian.2022"),
    ("scope1.stationary", "10^4Nm3", "m3", "cn.fuel.natural-gas"),
    ("scope2.heat", "GJ", "MJ", "cn.heat.default"),
    ("scope1.fugitive", "t", "kg", "gas.SF6"),
];

proptest! {
    /// Splitting a batch anywhere and merging the parts' totals gives the
    /// totals of the whole.
    #[test]
    fn splitting_a_batch_gives_the_same_totals(
        rows in prop::collection::vec((0usize..5, 0u64..10_000_000, 0u8..4), 1..60),
        cut in 0usize..60,
    ) {
        let mut e = Engine::new(lib(), rd(), "ar6").unwrap();
        let results: Vec<_> = rows
            .iter()
            .map(|(k, q, site)| {
                let (cat, unit, _, f) = KINDS[*k];
                let a = Activity {
                    quantity: Decimal::new(*q as i64, 3),
                    site: ["a", "b", "c", "d"][*site as usize],
                    ..act(cat, "0", unit, f)
                };
                (a.site, e.calculate(&a).unwrap())
            })
            .collect();
        let cut = cut.min(results.len());
        let mut whole = Totals::default();
        for (s, r) in &results { whole.add(s, r); }
        let (mut left, mut right) = (Totals::default(), Totals::default());
        for (s, r) in &results[..cut] { left.add(s, r); }
        for (s, r) in &results[cut..] { right.add(s, r); }
        right.merge(&left);
        prop_assert_eq!(whole, right);
    }

    /// Giving the quantity in another unit of the same dimension changes
    /// nothing.
    #[test]
    fn converting_units_first_changes_nothing(k in 0usize..5, q in 0u64..1_000_000_000) {
        let (cat, unit, small, f) = KINDS[k];
        let mut e = Engine::new(lib(), rd(), "ar5").unwrap();
        let qty = Decimal::new(q as i64, 2);
        let in_small = egret_domain::units::convert(rd(), qty, unit, small).unwrap();
        let a = Activity { quantity: qty, ..act(cat, "0", unit, f) };
        let b = Activity { quantity: in_small, ..act(cat, "0", small, f) };
        let (ra, rb) = (e.calculate(&a).unwrap(), e.calculate(&b).unwrap());
        prop_assert_eq!(ra.co2e_t.normalize(), rb.co2e_t.normalize());
        prop_assert_eq!(ra.co2e_market_t.map(|x| x.normalize()), rb.co2e_market_t.map(|x| x.normalize()));
    }
}

/// Scope 3 methods are expressed by the factor's unit: spend-based per
/// 10,000 yuan, distance-based per tonne-kilometre, mass-based per tonne.
#[test]
fn scope3_spend_distance_and_mass_based_factors() {
    let csv = "id,gas,value,unit,source\n\
               x.spend,CO2,0.8,t/CNY_10k,supplier EEIO note\n\
               x.freight,CO2,0.1,kg/tkm,carrier statement\n\
               x.steel,CO2,1.9,t/t,steel EPD\n";
    let l = read_factors("f.csv", csv.as_bytes(), lib(), rd()).unwrap();
    let mut e = Engine::new(&l, rd(), "ar6").unwrap();
    assert_eq!(
        co2e(&mut e, &act("scope3.c1", "250", "CNY_10k", "x.spend")),
        d("200")
    );
    assert_eq!(
        co2e(&mut e, &act("scope3.c1", "2500000", "CNY", "x.spend")),
        d("200")
    );
    assert_eq!(
        co2e(&mut e, &act("scope3.c4", "2", "10^4tkm", "x.freight")),
        d("2")
    );
    assert_eq!(
        co2e(&mut e, &act("scope3.c1", "10", "t", "x.steel")),
        d("19")
    );
    let err = e
        .calculate(&act("scope3.c4", "2", "km", "x.freight"))
        .unwrap_err();
    assert_eq!(err.field, "unit", "distance is not freight");
}

#[test]
fn factors_are_refused_outside_their_validity() {
    let mut f = lib().get("cn.fuel.diesel").unwrap().clone();
    f.id = "x.valid-2024".into();
    f.valid_from = Some("2024-01-01".into());
    f.valid_to = Some("2024-12-31".into());
    f.origin = Origin::Added { by: "test".into() };
    let l = lib().with_added(rd(), [f]).unwrap();
    let mut e = Engine::new(&l, rd(), "ar6").unwrap();
    let inside = Activity {
        date: Some("2024-12-31"),
        ..act("scope1.mobile", "1", "t", "x.valid-2024")
    };
    assert!(e.calculate(&inside).is_ok());
    let outside = Activity {
        date: Some("2025-12-31"),
        ..inside.clone()
    };
    let err = e.calculate(&outside).unwrap_err();
    assert_eq!(
        (err.field, &*err.msg.key),
        ("factor", "carbon-factor-not-valid")
    );
    assert!(err.msg.render(Lang::ZhCn).contains("2024-12-31"));
    // Bad dates in added factors are refused.
    let mut bad = lib().get("cn.fuel.diesel").unwrap().clone();
    bad.id = "x.bad-date".into();
    bad.valid_from = Some("2024-13-01".into());
    bad.origin = Origin::Added { by: "test".into() };
    assert_eq!(
        lib().with_added(rd(), [bad]).unwrap_err().key,
        "carbon-file-date"
    );
}
