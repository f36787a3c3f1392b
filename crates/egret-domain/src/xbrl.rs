//! xBRL-JSON (OIM, xBRL-JSON 1.0) from a submission snapshot: one fact per
//! stored value, tagged with the IFRS Sustainability Disclosure Taxonomy
//! 2024 concept where the data point maps to one (`taxonomy.ifrs-sds` in
//! `datapoints.toml`) and with Egret's own concept otherwise. Scope 3
//! categories and greenhouse gases use the IFRS axes; other breakdowns use
//! Egret axes. Explanations (not applicable / not disclosed) are not facts.
//!
//! [`check_structure`] is the structural validator the tests use: document
//! info, declared prefixes, core dimensions, period syntax, numeric values.

use std::collections::BTreeMap;

use chrono::{Duration, NaiveDate};
use rust_decimal::Decimal;
use serde_json::{Map, Value as Json, json};

use crate::catalog::{Catalogs, ValueKind};
use crate::refdata::ReferenceData;
use crate::units::convert;
use crate::value::{Answer, Value};

pub const DOCUMENT_TYPE: &str = "https://xbrl.org/2021/xbrl-json";
pub const IFRS_SDS_NS: &str = "https://xbrl.ifrs.org/taxonomy/2024-04-26/ifrs-sds";
pub const IFRS_SDS_ENTRY: &str =
    "https://xbrl.ifrs.org/taxonomy/ifrs_sds/2024-04-26/ifrs_sds_2024-04-26.xsd";
/// Egret's own concepts, axes and units (a project namespace).
pub const EGRET_NS: &str = "https://egret.city/xbrl/2026";
/// The entity scheme for unified social credit codes (a project choice; no
/// official scheme was found).
pub const USCC_NS: &str = "https://egret.city/id/uscc";

/// Units of the XBRL Units Registry for the data points' default units.
fn utr_unit(code: &str) -> Option<&'static str> {
    Some(match code {
        "tCO2e" => "utr:tCO2e",
        "MWh" => "utr:MWh",
        "kWh" => "utr:kWh",
        "GJ" => "utr:GJ",
        "t" => "utr:t",
        "kg" => "utr:kg",
        "m3" => "utr:m3",
        _ => return None,
    })
}

/// An NCName from any text (letters, digits, `_`, `-`, `.`; not starting
/// with a digit).
fn ncname(s: &str) -> String {
    let mut out: String = s
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect();
    if out
        .chars()
        .next()
        .is_none_or(|c| !c.is_ascii_alphabetic() && c != '_')
    {
        out.insert(0, '_');
    }
    out
}

const SCOPE3_MEMBERS: [&str; 15] = [
    "Category1PurchasedGoodsAndServicesMember",
    "Category2CapitalGoodsMember",
    "Category3FuelAndEnergyrelatedActivitiesNotIncludedInScope1OrScope2Member",
    "Category4UpstreamTransportationAndDistributionMember",
    "Category5WasteGeneratedInOperationsMember",
    "Category6BusinessTravelMember",
    "Category7EmployeeCommutingMember",
    "Category8UpstreamLeasedAssetsMember",
    "Category9DownstreamTransportationAndDistributionMember",
    "Category10ProcessingOfSoldProductsMember",
    "Category11UseOfSoldProductsMember",
    "Category12EndoflifeTreatmentOfSoldProductsMember",
    "Category13DownstreamLeasedAssetsMember",
    "Category14FranchisesMember",
    "Category15InvestmentsMember",
];

fn gas_member(code: &str) -> Option<&'static str> {
    Some(match code {
        "co2" => "CarbonDioxideCO2Member",
        "ch4" => "MethaneCH4Member",
        "n2o" => "NitrousOxideN2OMember",
        "hfcs" => "HydrofluorocarbonsHFCsMember",
        "pfcs" => "PerfluorocarbonsPFCsMember",
        "sf6" => "SulphurHexafluorideSF6Member",
        "nf3" => "NitrogenTrifluorideNF3Member",
        _ => return None,
    })
}

/// The (axis, member) of a breakdown key `breakdown:member`.
fn dimension(key: &str) -> Option<(String, String)> {
    let (b, m) = key.split_once(':')?;
    match b {
        "scope3_category" => {
            let n: usize = m.parse().ok()?;
            let member = SCOPE3_MEMBERS.get(n.checked_sub(1)?)?;
            Some((
                "ifrs-sds:Scope3EmissionsCategoriesAxis".into(),
                format!("ifrs-sds:{member}"),
            ))
        }
        "gas" => Some((
            "ifrs-sds:ConstituentGreenhouseGasAxis".into(),
            format!("ifrs-sds:{}", gas_member(m)?),
        )),
        _ => Some((
            format!("egret:{}Axis", ncname(b)),
            format!("egret:{}Member", ncname(m)),
        )),
    }
}

/// The period `[start, end]` (ISO dates) as an OIM interval.
fn period(start: &str, end: &str) -> Option<String> {
    let s = NaiveDate::parse_from_str(start, "%Y-%m-%d").ok()?;
    let e = NaiveDate::parse_from_str(end, "%Y-%m-%d").ok()? + Duration::days(1);
    Some(format!("{s}T00:00:00/{e}T00:00:00"))
}

/// Builds the xBRL-JSON report of a submission snapshot.
pub fn from_snapshot(snapshot: &Json, cats: &Catalogs, rd: &ReferenceData) -> Json {
    let uscc = snapshot["organisation"]["uscc"]
        .as_str()
        .unwrap_or_default();
    let per = period(
        snapshot["period"]["start"].as_str().unwrap_or_default(),
        snapshot["period"]["end"].as_str().unwrap_or_default(),
    )
    .unwrap_or_default();
    let mut facts = Map::new();
    let values = snapshot["values"].as_array().cloned().unwrap_or_default();
    for (i, v) in values.iter().enumerate() {
        let Some(dp) = v["datapoint"].as_str().and_then(|d| cats.datapoint(d)) else {
            continue;
        };
        let Ok(Answer::Value(value)) = serde_json::from_value::<Answer>(v["answer"].clone()) else {
            continue;
        };
        let concept = match dp.taxonomy.get("ifrs-sds") {
            Some(name) => format!("ifrs-sds:{name}"),
            None => format!("egret:{}", ncname(&dp.id)),
        };
        let mut dims = Map::new();
        dims.insert("concept".into(), json!(concept));
        dims.insert("entity".into(), json!(format!("uscc:{uscc}")));
        dims.insert("period".into(), json!(per));
        let bk = v["breakdown"].as_str().unwrap_or_default();
        if !bk.is_empty() {
            let Some((axis, member)) = dimension(bk) else {
                continue;
            };
            dims.insert(axis, json!(member));
        }
        let (text, unit): (String, Option<String>) = match &value {
            Value::Quantity { amount, unit } => {
                let default = dp.unit.clone().unwrap_or_else(|| unit.clone());
                let x = convert(rd, *amount, unit, &default).unwrap_or(*amount);
                let u = utr_unit(&default)
                    .map(str::to_string)
                    .unwrap_or_else(|| format!("egret:{}", ncname(&default)));
                (x.normalize().to_string(), Some(u))
            }
            Value::Amount { amount, unit } => match convert(rd, *amount, unit, "CNY") {
                Ok(cny) => (cny.normalize().to_string(), Some("iso4217:CNY".into())),
                // A foreign currency is reported as entered.
                Err(_) => (
                    amount.normalize().to_string(),
                    Some(format!("iso4217:{unit}")),
                ),
            },
            // Pure numbers carry no unit dimension in xBRL-JSON (a
            // `xbrli:pure` unit is illegal there).
            Value::Percentage(p) => ((*p / Decimal::ONE_HUNDRED).normalize().to_string(), None),
            Value::Count(n) => (n.to_string(), None),
            Value::Boolean(b) => (b.to_string(), None),
            Value::Choice(c) => (format!("egret:{}", ncname(c)), None),
            Value::Date(d) => (d.to_string(), None),
            Value::Text(t) => {
                dims.insert("language".into(), json!("zh"));
                (t.clone(), None)
            }
            Value::Table(t) => (serde_json::to_string(t).unwrap_or_default(), None),
        };
        if dp.kind == ValueKind::Table {
            dims.insert("language".into(), json!("zh"));
        }
        if let Some(u) = unit {
            dims.insert("unit".into(), json!(u));
        }
        facts.insert(
            format!("f{}", i + 1),
            json!({ "value": text, "dimensions": dims }),
        );
    }
    json!({
        "documentInfo": {
            "documentType": DOCUMENT_TYPE,
            "namespaces": {
                "ifrs-sds": IFRS_SDS_NS,
                "egret": EGRET_NS,
                "uscc": USCC_NS,
                "iso4217": "http://www.xbrl.org/2003/iso4217",
                "utr": "http://www.xbrl.org/2009/utr",
                "xbrli": "http://www.xbrl.org/2003/instance",
            },
            "taxonomy": [IFRS_SDS_ENTRY],
        },
        "facts": facts,
    })
}

/// Problems with the structure of an xBRL-JSON document (empty when it
/// holds): document type, declared prefixes of every QName, core
/// dimensions on every fact, period syntax, numeric values with units.
pub fn check_structure(doc: &Json) -> Vec<String> {
    let mut problems = Vec::new();
    let info = &doc["documentInfo"];
    if info["documentType"] != DOCUMENT_TYPE {
        problems.push("documentInfo.documentType".to_string());
    }
    let ns: BTreeMap<String, String> = info["namespaces"]
        .as_object()
        .map(|m| {
            m.iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
                .collect()
        })
        .unwrap_or_default();
    if ns.is_empty() {
        problems.push("documentInfo.namespaces".into());
    }
    if info["taxonomy"].as_array().is_none_or(|t| t.is_empty()) {
        problems.push("documentInfo.taxonomy".into());
    }
    let qname_ok = |q: &str| {
        q.split_once(':')
            .is_some_and(|(p, local)| ns.contains_key(p) && !local.is_empty())
    };
    let Some(facts) = doc["facts"].as_object() else {
        problems.push("facts".into());
        return problems;
    };
    let interval = |p: &str| {
        let ok = |t: &str| chrono::NaiveDateTime::parse_from_str(t, "%Y-%m-%dT%H:%M:%S").is_ok();
        match p.split_once('/') {
            Some((a, b)) => ok(a) && ok(b) && a < b,
            None => ok(p),
        }
    };
    for (id, f) in facts {
        let d = &f["dimensions"];
        for core in ["concept", "entity", "period"] {
            if d[core].as_str().is_none() {
                problems.push(format!("facts.{id}.dimensions.{core} missing"));
            }
        }
        if let Some(c) = d["concept"].as_str()
            && !qname_ok(c)
        {
            problems.push(format!("facts.{id}: concept {c} has an undeclared prefix"));
        }
        if let Some(e) = d["entity"].as_str()
            && !qname_ok(e)
        {
            problems.push(format!("facts.{id}: entity {e} has an undeclared scheme"));
        }
        if let Some(p) = d["period"].as_str()
            && !interval(p)
        {
            problems.push(format!("facts.{id}: period {p}"));
        }
        if d["unit"] == "xbrli:pure" {
            problems.push(format!(
                "facts.{id}: a pure number must have no unit (oime:illegalPureUnit)"
            ));
        }
        if let Some(u) = d["unit"].as_str() {
            if !u.split('/').all(qname_ok) {
                problems.push(format!("facts.{id}: unit {u} has an undeclared prefix"));
            }
            if f["value"]
                .as_str()
                .is_none_or(|v| v.parse::<Decimal>().is_err())
            {
                problems.push(format!("facts.{id}: numeric value {}", f["value"]));
            }
        }
        for (k, v) in d.as_object().into_iter().flatten() {
            if matches!(
                k.as_str(),
                "concept" | "entity" | "period" | "unit" | "language"
            ) {
                continue;
            }
            if !qname_ok(k) || v.as_str().is_none_or(|m| !qname_ok(m)) {
                problems.push(format!("facts.{id}: dimension {k}={v}"));
            }
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_and_names() {
        assert_eq!(
            period("2025-01-01", "2025-12-31").unwrap(),
            "2025-01-01T00:00:00/2026-01-01T00:00:00"
        );
        assert_eq!(ncname("10^4Nm3"), "_10_4Nm3");
        assert_eq!(
            dimension("scope3_category:4").unwrap().1,
            "ifrs-sds:Category4UpstreamTransportationAndDistributionMember"
        );
        assert_eq!(
            dimension("gas:ch4").unwrap().0,
            "ifrs-sds:ConstituentGreenhouseGasAxis"
        );
        assert_eq!(dimension("gender:female").unwrap().0, "egret:genderAxis");
    }

    #[test]
    fn the_checker_finds_structural_faults() {
        let doc = json!({
            "documentInfo": {"documentType": DOCUMENT_TYPE, "namespaces": {"a": "x"}, "taxonomy": ["t"]},
            "facts": {
                "ok": {"value": "1", "dimensions": {"concept": "a:b", "entity": "a:1", "period": "2025-01-01T00:00:00/2026-01-01T00:00:00", "unit": "a:u"}},
                "bad": {"value": "x", "dimensions": {"concept": "z:b", "period": "2025", "unit": "a:u"}},
                "pure": {"value": "3", "dimensions": {"concept": "a:b", "entity": "a:1", "period": "2025-01-01T00:00:00/2026-01-01T00:00:00", "unit": "xbrli:pure"}}
            }
        });
        let p = check_structure(&doc);
        assert_eq!(p.len(), 6, "{p:?}");
        assert!(p.iter().any(|x| x.contains("illegalPureUnit")), "{p:?}");
    }
}
