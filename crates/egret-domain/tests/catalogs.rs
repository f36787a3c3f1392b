//! Catalog loading, validation, values, completeness and checks, on a small
//! fixture set (the shipped set has its own test below).

use std::collections::BTreeMap;

use egret_domain::catalog::{Catalogs, ReportingDuty};
use egret_domain::checks::{Severity, ValueSet, run_checks};
use egret_domain::completeness::{AnswerState, ReqStatus, completeness};
use egret_domain::org::OrgInput;
use egret_domain::refdata::ReferenceData;
use egret_domain::uscc::check_char;
use egret_domain::value::{Answer, Value, check_breakdown_key};
use egret_i18n::Lang;
use rust_decimal::Decimal;

const DATAPOINTS: &str = r#"
[[datapoint]]
id = "ghg.scope1"
name_zh = "范围一排放"
name_en = "Scope 1 emissions"
kind = "quantity"
dimension = "ghg"
unit = "tCO2e"
min = "0"
taxonomy = { ifrs-sds = "GrossScope1GreenhouseGasEmissions" }

[[datapoint]]
id = "ghg.scope2"
name_zh = "范围二排放"
name_en = "Scope 2 emissions"
kind = "quantity"
dimension = "ghg"
unit = "tCO2e"
min = "0"

[[datapoint]]
id = "ghg.scope12"
name_zh = "范围一二排放"
name_en = "Scope 1+2 emissions"
kind = "quantity"
dimension = "ghg"
unit = "tCO2e"

[[datapoint]]
id = "energy.total"
name_zh = "综合能耗"
name_en = "Energy consumption"
kind = "quantity"
dimension = "energy"
unit = "tce"
min = "0"

[[datapoint]]
id = "workforce.headcount"
name_zh = "员工人数"
name_en = "Headcount"
kind = "count"
breakdowns = ["gender"]

[[datapoint]]
id = "workforce.female-share"
name_zh = "女性员工占比"
name_en = "Share of women"
kind = "percentage"

[[datapoint]]
id = "finance.revenue"
name_zh = "营业收入"
name_en = "Revenue"
kind = "amount"
unit = "CNY"

[[datapoint]]
id = "gov.oversight"
name_zh = "治理"
name_en = "Oversight"
kind = "text"

[[datapoint]]
id = "general.policy"
name_zh = "有无政策"
name_en = "Has a policy"
kind = "boolean"

[[datapoint]]
id = "general.contract"
name_zh = "合同类型"
name_en = "Contract type"
kind = "choice"
choices = [ { code = "permanent", name_zh = "长期", name_en = "Permanent" }, { code = "temporary", name_zh = "临时", name_en = "Temporary" } ]
"#;

const BREAKDOWNS: &str = r#"
[[breakdown]]
id = "gender"
name_zh = "性别"
name_en = "Gender"
members = [ { code = "female", name_zh = "女", name_en = "Female" }, { code = "male", name_zh = "男", name_en = "Male" } ]
"#;

const RULES: &str = r#"
[[rule]]
id = "gender-sum"
kind = "breakdown_sum"
datapoint = "workforce.headcount"
breakdown = "gender"

[[rule]]
id = "scope12"
kind = "sum"
total = "ghg.scope12"
parts = ["ghg.scope1", "ghg.scope2"]
tolerance = "0.5"
severity = "error"

[[rule]]
id = "headcount-range"
kind = "range"
datapoint = "workforce.headcount"
max = "1000"

[[rule]]
id = "energy-yoy"
kind = "yoy_change"
datapoint = "energy.total"
max_pct = "50"

[[rule]]
id = "ghg-intensity"
kind = "intensity"
numerator = "ghg.scope12"
numerator_unit = "tCO2e"
denominator = "finance.revenue"
denominator_unit = "CNY_10k"
max = "5"
"#;

const SR: &str = r#"
id = "test-sr"
version = "2024"
name_zh = "交易所指引"
name_en = "Exchange guideline"
issuer_zh = "交易所"
issuer_en = "Exchanges"
source = "test"
effective_from = 2024-05-01
confidence = "M"
[scope]
mandatory_when = ["index:sse-180", "dual_listed"]
encouraged_when = ["listed"]
[[section]]
id = "climate"
dimension = "environment"
name_zh = "气候"
name_en = "Climate"
[[requirement]]
id = "climate.s1"
section = "climate"
datapoint = "ghg.scope1"
obligation = "required"
[[requirement]]
id = "climate.energy"
section = "climate"
datapoint = "energy.total"
obligation = "required_if_material"
[[requirement]]
id = "climate.listed-only"
section = "climate"
datapoint = "gov.oversight"
obligation = "encouraged"
applies = { listed = true }
"#;

const ISSB: &str = r#"
id = "test-issb"
version = "2023"
name_zh = "国际准则"
name_en = "ISSB"
issuer_zh = "ISSB"
issuer_en = "ISSB"
source = "test"
effective_from = "2024-01-01"
confidence = "H"
[[section]]
id = "metrics"
dimension = "metrics"
name_zh = "指标"
name_en = "Metrics"
[[requirement]]
id = "29a"
section = "metrics"
datapoint = "ghg.scope1"
obligation = "required"
[[requirement]]
id = "29b"
section = "metrics"
datapoint = "workforce.headcount"
obligation = "required"
"#;

fn rd() -> &'static ReferenceData {
    ReferenceData::embedded()
}

fn files(extra: &[(&'static str, String)]) -> Vec<(&'static str, String)> {
    let mut f = vec![
        ("datapoints.toml", DATAPOINTS.to_string()),
        ("breakdowns.toml", BREAKDOWNS.to_string()),
        ("rules.toml", RULES.to_string()),
        ("test-sr@2024.toml", SR.to_string()),
        ("test-issb@2023.toml", ISSB.to_string()),
    ];
    for (name, text) in extra {
        f.retain(|(n, _)| n != name);
        f.push((name, text.clone()));
    }
    f
}

fn load(
    extra: &[(&'static str, String)],
) -> Result<Catalogs, Vec<egret_domain::catalog::CatalogError>> {
    let f = files(extra);
    let refs: Vec<(&str, &str)> = f.iter().map(|(n, t)| (*n, t.as_str())).collect();
    Catalogs::from_sources(&refs, rd())
}

fn cats() -> Catalogs {
    load(&[]).unwrap()
}

fn d(s: &str) -> Decimal {
    s.parse().unwrap()
}

fn profile(listed: bool) -> egret_domain::org::OrgProfile {
    let first17 = "91350206MA0000001";
    let mut i = OrgInput {
        uscc: format!("{first17}{}", check_char(first17).unwrap()),
        name_zh: "厦门测试有限公司".into(),
        industry_code: "39".into(),
        ownership: "private".into(),
        district: "350206".into(),
        ..Default::default()
    };
    if listed {
        i.listings = vec![egret_domain::org::ListingInput {
            exchange: "sse".into(),
            ticker: "600153".into(),
            indices: vec!["sse-180".into()],
        }];
    }
    i.validate(rd()).unwrap()
}

#[test]
fn the_shipped_catalogs_load_and_every_requirement_maps_to_a_data_point() {
    let cats = Catalogs::embedded();
    for key in [
        "cn-exchange-sr@2024",
        "cn-mof-basic@2024",
        "cn-mof-climate@2025",
        "issb-s1s2@2023",
        "gri-core@2021",
        "xm-lite@1",
    ] {
        let c = cats
            .catalog(key)
            .unwrap_or_else(|| panic!("{key} is shipped"));
        assert!(!c.requirements.is_empty(), "{key}");
        for r in &c.requirements {
            assert!(cats.datapoint(&r.datapoint).is_some(), "{key}: {}", r.id);
        }
    }
    // Collect once, report to every standard: scope 1 serves several.
    let shared = cats
        .datapoints()
        .filter(|dp| cats.served_by(&dp.id).len() >= 2)
        .count();
    assert!(shared >= 10, "only {shared} data points are shared");
}

#[test]
fn a_requirement_pointing_to_a_missing_data_point_fails_with_file_and_entry() {
    let bad = SR.replace(
        "datapoint = \"energy.total\"",
        "datapoint = \"energy.totl\"",
    );
    let errs = load(&[("test-sr@2024.toml", bad)]).unwrap_err();
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert_eq!(errs[0].file, "test-sr@2024.toml");
    assert_eq!(errs[0].location, "requirement[2].datapoint");
    assert!(errs[0].to_string().contains("energy.totl"));
}

#[test]
fn every_kind_of_catalog_error_is_named() {
    let cases: Vec<(&'static str, String, &str)> = vec![
        (
            "datapoints.toml",
            DATAPOINTS.replace("unit = \"tce\"", "unit = \"kg\""),
            "datapoint[4].unit",
        ),
        (
            "datapoints.toml",
            DATAPOINTS.replace("dimension = \"energy\"", "dimension = \"heat\""),
            "datapoint[4].dimension",
        ),
        (
            "datapoints.toml",
            DATAPOINTS.replace("breakdowns = [\"gender\"]", "breakdowns = [\"colour\"]"),
            "datapoint[5].breakdowns",
        ),
        (
            "datapoints.toml",
            DATAPOINTS.replace("id = \"ghg.scope2\"", "id = \"ghg.scope1\""),
            "datapoint[2].id",
        ),
        (
            "datapoints.toml",
            DATAPOINTS.replace("unit = \"CNY\"", "unit = \"tCO2e\""),
            "datapoint[7].unit",
        ),
        (
            "test-sr@2024.toml",
            SR.replace(
                "section = \"climate\"\ndatapoint = \"ghg.scope1\"",
                "section = \"water\"\ndatapoint = \"ghg.scope1\"",
            ),
            "requirement[1].section",
        ),
        (
            "test-sr@2024.toml",
            SR.replace("\"dual_listed\"", "\"famous\""),
            "scope.mandatory_when",
        ),
        (
            "test-sr@2024.toml",
            SR.replace("version = \"2024\"", "version = \"2025\""),
            "id",
        ),
        (
            "test-sr@2024.toml",
            SR.replace("confidence = \"M\"", "confidence = \"M\"\ncolour = \"red\""),
            "",
        ),
        (
            "rules.toml",
            RULES.replace(
                "parts = [\"ghg.scope1\", \"ghg.scope2\"]",
                "parts = [\"ghg.scope1\", \"energy.total\"]",
            ),
            "rule[2].id",
        ),
        (
            "rules.toml",
            RULES.replace("id = \"energy-yoy\"", "id = \"scope12\""),
            "rule[4].id",
        ),
        (
            "breakdowns.toml",
            BREAKDOWNS.replace("code = \"male\"", "code = \"ma:le\""),
            "breakdown[1].members",
        ),
        ("test-issb@2023.toml", SR.to_string(), "id"),
        (
            "test-sr@2024.toml",
            SR.replace("dimension = \"environment\"", "dimension = \"weather\""),
            "section[1].dimension",
        ),
        (
            "test-sr@2024.toml",
            SR.replace(
                "dimension = \"environment\"",
                "dimension = \"environment\"\nparent = \"climate\"",
            ),
            "section[1].parent",
        ),
    ];
    for (file, text, location) in cases {
        let errs = load(&[(file, text)]).expect_err(location);
        assert!(
            errs.iter()
                .any(|e| e.file == file && e.location == location),
            "expected {file} {location}, got {errs:?}"
        );
    }
}

#[test]
fn duty_follows_the_scope_rules() {
    let c = cats();
    let sr = c.catalog("test-sr").unwrap();
    assert_eq!(sr.duty(&profile(true), rd()), ReportingDuty::Mandatory);
    assert_eq!(sr.duty(&profile(false), rd()), ReportingDuty::Voluntary);
    assert_eq!(
        c.catalog("test-issb@2023")
            .unwrap()
            .duty(&profile(true), rd()),
        ReportingDuty::Voluntary
    );
}

#[test]
fn one_stored_answer_changes_completeness_in_every_catalog_that_asks_for_it() {
    let c = cats();
    let (sr, issb) = (
        c.catalog("test-sr@2024").unwrap(),
        c.catalog("test-issb@2023").unwrap(),
    );
    let p = profile(false);
    let mut answers = BTreeMap::new();
    let before_sr = completeness(&c, sr, &p, rd(), &answers);
    let before_issb = completeness(&c, issb, &p, rd(), &answers);
    assert_eq!(before_sr.counts().missing, 2);
    assert_eq!(
        before_sr.rows[2].status,
        ReqStatus::OutOfScope,
        "listed-only requirement"
    );
    answers.insert("ghg.scope1".to_string(), AnswerState::Value);
    answers.insert("energy.total".to_string(), AnswerState::NotDisclosed);
    let after_sr = completeness(&c, sr, &p, rd(), &answers);
    let after_issb = completeness(&c, issb, &p, rd(), &answers);
    assert_eq!(after_sr.counts().answered, 1);
    assert_eq!(after_sr.counts().explained, 1);
    assert_eq!(after_sr.percent_complete(), d("100"));
    assert_eq!(
        after_issb.counts().answered,
        before_issb.counts().answered + 1
    );
    assert_eq!(after_issb.counts().required_missing, 1);
    assert_eq!(after_issb.percent_complete(), d("50"));
}

#[test]
fn values_parse_leniently_and_refuse_bad_input_with_reasons() {
    let c = cats();
    let dp = |id: &str| c.datapoint(id).unwrap();
    assert_eq!(
        Value::parse(dp("energy.total"), "１,２34.5", None, rd()).unwrap(),
        Value::Quantity {
            amount: d("1234.5"),
            unit: "tce".into()
        }
    );
    assert_eq!(
        Value::parse(dp("energy.total"), "1000", Some("MWh"), rd()).unwrap(),
        Value::Quantity {
            amount: d("1000"),
            unit: "MWh".into()
        }
    );
    let e = Value::parse(dp("energy.total"), "5", Some("t"), rd()).unwrap_err();
    assert!(
        e.render(Lang::En).contains("energy"),
        "names the expected dimension"
    );
    assert_eq!(
        Value::parse(dp("finance.revenue"), "12.5", Some("万元"), rd()).unwrap(),
        Value::Amount {
            amount: d("12.5"),
            unit: "CNY_10k".into()
        }
    );
    assert!(
        Value::parse(dp("ghg.scope1"), "-1", None, rd()).is_err(),
        "negative emissions refused"
    );
    assert_eq!(
        Value::parse(dp("workforce.female-share"), "45.5%", None, rd()).unwrap(),
        Value::Percentage(d("45.5"))
    );
    assert!(Value::parse(dp("workforce.female-share"), "120", None, rd()).is_err());
    assert_eq!(
        Value::parse(dp("workforce.headcount"), "1,200", None, rd()).unwrap(),
        Value::Count(1200)
    );
    assert!(Value::parse(dp("workforce.headcount"), "12.5", None, rd()).is_err());
    assert_eq!(
        Value::parse(dp("general.policy"), "是", None, rd()).unwrap(),
        Value::Boolean(true)
    );
    assert_eq!(
        Value::parse(dp("general.contract"), "临时", None, rd()).unwrap(),
        Value::Choice("temporary".into())
    );
    assert!(Value::parse(dp("general.contract"), "forever", None, rd()).is_err());
    assert!(Value::parse(dp("gov.oversight"), "  ", None, rd()).is_err());
    assert!(
        Value::parse(dp("energy.total"), "1,5", None, rd()).is_err(),
        "bad grouping"
    );
    assert!(
        Value::parse(dp("ghg.scope12"), "-5", None, rd()).is_err(),
        "negative without a minimum"
    );
    assert_eq!(
        Value::parse(dp("finance.revenue"), "100", None, rd()).unwrap(),
        Value::Amount {
            amount: d("100"),
            unit: "CNY".into()
        }
    );
    assert!(
        Value::parse(
            dp("finance.revenue"),
            "1000000000000000000000",
            Some("亿元"),
            rd()
        )
        .is_err(),
        "overflow is an error"
    );
    assert_eq!(
        Value::Count(5).in_unit(rd(), "t"),
        None,
        "counts are not masses"
    );
    assert_eq!(egret_domain::value::breakdown_key("", ""), "");
    let extra = format!(
        "{DATAPOINTS}\n[[datapoint]]\nid = \"t.targets\"\nname_zh = \"目标\"\nname_en = \"Targets\"\nkind = \"table\"\ncolumns = [ {{ id = \"year\", name_zh = \"年\", name_en = \"Year\", kind = \"count\" }} ]\n"
    );
    let table = load(&[("datapoints.toml", extra)]).unwrap();
    let t = table.datapoint("t.targets").unwrap();
    assert!(Value::parse(t, r#"[{"year": "2030"}]"#, None, rd()).is_ok());
    assert!(
        Value::parse(t, r#"[{"year": "soon"}]"#, None, rd()).is_err(),
        "numeric column"
    );
}

#[test]
fn values_round_trip_through_their_storage_form() {
    let c = cats();
    for (id, raw, unit) in [
        ("energy.total", "12.340", Some("GJ")),
        ("workforce.headcount", "7", None),
        ("workforce.female-share", "33.3", None),
        ("general.policy", "no", None),
        ("general.contract", "permanent", None),
        ("gov.oversight", "董事会可持续发展委员会负责。", None),
    ] {
        let dp = c.datapoint(id).unwrap();
        let v = Value::parse(dp, raw, unit, rd()).unwrap();
        let (text, u) = v.encode();
        assert_eq!(Value::decode(dp, &text, u.as_deref()).unwrap(), v, "{id}");
        assert_eq!(
            Value::parse(dp, &text, u.as_deref(), rd()).unwrap(),
            v,
            "{id} re-parses"
        );
    }
}

#[test]
fn breakdown_keys_are_checked() {
    let c = cats();
    let hc = c.datapoint("workforce.headcount").unwrap();
    assert!(check_breakdown_key(&c, hc, "", &[]).is_ok());
    assert!(check_breakdown_key(&c, hc, "gender:female", &[]).is_ok());
    assert!(check_breakdown_key(&c, hc, "gender:robot", &[]).is_err());
    assert!(
        check_breakdown_key(&c, c.datapoint("ghg.scope1").unwrap(), "gender:female", &[]).is_err()
    );
}

fn set(items: &[(&str, &str, Value)]) -> ValueSet {
    items
        .iter()
        .map(|(d, b, v)| ((d.to_string(), b.to_string()), v.clone()))
        .collect()
}

fn q(x: &str, unit: &str) -> Value {
    Value::Quantity {
        amount: d(x),
        unit: unit.into(),
    }
}

#[test]
fn every_rule_kind_fires_when_broken_and_stays_quiet_otherwise() {
    let c = cats();
    let good = set(&[
        ("workforce.headcount", "", Value::Count(10)),
        ("workforce.headcount", "gender:female", Value::Count(4)),
        ("workforce.headcount", "gender:male", Value::Count(6)),
        ("ghg.scope1", "", q("100", "tCO2e")),
        ("ghg.scope2", "", q("50000", "kgCO2e")),
        ("ghg.scope12", "", q("150.2", "tCO2e")),
        ("energy.total", "", q("10", "tce")),
        (
            "finance.revenue",
            "",
            Value::Amount {
                amount: d("1000"),
                unit: "CNY_10k".into(),
            },
        ),
    ]);
    let prior = set(&[("energy.total", "", q("293.076", "GJ"))]);
    assert!(
        run_checks(&c, rd(), &good, Some(&prior)).is_empty(),
        "{:?}",
        run_checks(&c, rd(), &good, Some(&prior))
    );

    // A breakdown that is only partly filled in is not checked.
    let mut partial = good.clone();
    partial.remove(&("workforce.headcount".to_string(), "gender:male".to_string()));
    assert!(
        run_checks(&c, rd(), &partial, None)
            .iter()
            .all(|f| f.rule != "gender-sum")
    );

    // Range rules look at breakdown values too.
    let mut big_part = good.clone();
    big_part.insert(
        ("workforce.headcount".into(), "gender:male".into()),
        Value::Count(5000),
    );
    assert!(
        run_checks(&c, rd(), &big_part, None)
            .iter()
            .any(|f| f.rule == "headcount-range" && f.breakdown == "gender:male")
    );

    let mut bad = good.clone();
    bad.insert(
        ("workforce.headcount".into(), "gender:male".into()),
        Value::Count(7),
    );
    bad.insert(("ghg.scope12".into(), String::new()), q("160", "tCO2e"));
    bad.insert(
        ("finance.revenue".into(), String::new()),
        Value::Amount {
            amount: d("10"),
            unit: "CNY_10k".into(),
        },
    );
    let prior = set(&[("energy.total", "", q("5", "tce"))]);
    let findings = run_checks(&c, rd(), &bad, Some(&prior));
    let rules: Vec<&str> = findings.iter().map(|f| f.rule.as_str()).collect();
    for r in ["gender-sum", "scope12", "energy-yoy", "ghg-intensity"] {
        assert!(rules.contains(&r), "{r} did not fire: {rules:?}");
    }
    assert_eq!(
        findings
            .iter()
            .find(|f| f.rule == "scope12")
            .unwrap()
            .severity,
        Severity::Error
    );
    assert!(
        findings
            .iter()
            .all(|f| !f.msg.render(Lang::ZhCn).starts_with('['))
    );
}

#[test]
fn answers_serialise_with_their_kind() {
    let a = Answer::Value(q("1.5", "tCO2e"));
    let json = serde_json::to_value(&a).unwrap();
    assert_eq!(json["answer"], "value");
    assert_eq!(serde_json::from_value::<Answer>(json).unwrap(), a);
    let nd = Answer::NotDisclosed {
        reason: "商业秘密".into(),
    };
    assert_eq!(
        serde_json::from_str::<Answer>(&serde_json::to_string(&nd).unwrap()).unwrap(),
        nd
    );
}

#[test]
fn amounts_may_be_entered_in_foreign_currencies() {
    let c = Catalogs::embedded();
    let dp = c.datapoint("finance.revenue").unwrap();
    let v = Value::parse(dp, "1,000,000", Some("usd"), rd()).unwrap();
    assert_eq!(
        v,
        Value::Amount {
            amount: "1000000".parse().unwrap(),
            unit: "USD".into()
        }
    );
    assert_eq!(v.display(Lang::ZhCn, dp, rd()), "1,000,000 美元");
    assert_eq!(
        Value::parse(dp, "-5", Some("USD"), rd()).unwrap_err().key,
        "value-out-of-range"
    );
    // Not convertible without the period's rate.
    assert_eq!(v.in_unit(rd(), "CNY"), None);
    // The entry units offer renminbi units and the currencies.
    let codes: Vec<&str> = egret_domain::value::entry_units(rd(), dp)
        .iter()
        .map(|u| u.code)
        .collect();
    assert!(
        codes.contains(&"CNY_10k") && codes.contains(&"HKD"),
        "{codes:?}"
    );
    // Quantities do not take currencies.
    let q = c.datapoint("ghg.scope1").unwrap();
    assert!(Value::parse(q, "5", Some("USD"), rd()).is_err());
}

#[test]
fn injury_rates_convert_between_bases() {
    let c = Catalogs::embedded();
    let dp = c.datapoint("ohs.recordable-injury-rate").unwrap();
    let v = Value::parse(dp, "2.5", Some("per_1m_h"), rd()).unwrap();
    assert_eq!(v.in_unit(rd(), "per_200k_h"), Some("0.5".parse().unwrap()));
    assert!(Value::parse(dp, "3", Some("item"), rd()).is_err());
}
