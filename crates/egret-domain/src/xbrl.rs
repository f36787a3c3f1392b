//! xBRL-JSON (OIM, xBRL-JSON 1.0) from a submission snapshot: one fact per
//! stored value, tagged with the IFRS Sustainability Disclosure Taxonomy
//! 2024 concept where the data point maps to one (`taxonomy.ifrs-sds` in
//! `datapoints.toml`) and with Egret's own concept otherwise. Scope 3
//! categories and greenhouse gases use the IFRS axes; other breakdowns use
//! Egret axes (explicit, except the organisation's own sites, a typed axis
//! whose value is the site id). Explanations (not applicable / not
//! disclosed) are not facts.
//!
//! Egret's concepts, axes, members and choice values are declared by the
//! extension taxonomy schema [`extension_schema`] (published at
//! [`EGRET_SCHEMA_URL`]), generated from the catalogs; [`ifrs_stub_schema`]
//! is a stand-in for the IFRS taxonomy for offline validation.
//!
//! [`check_structure`] is the structural validator the tests use: document
//! info, declared prefixes, core dimensions, period syntax, numeric values.

use std::collections::BTreeMap;

use chrono::{Duration, NaiveDate};
use rust_decimal::Decimal;
use serde_json::{Map, Value as Json, json};

use crate::catalog::{Catalogs, DataPoint, ValueKind};
use crate::refdata::ReferenceData;
use crate::units::convert;
use crate::value::{Answer, Value};

pub const DOCUMENT_TYPE: &str = "https://xbrl.org/2021/xbrl-json";
pub const IFRS_SDS_NS: &str = "https://xbrl.ifrs.org/taxonomy/2024-04-26/ifrs-sds";
pub const IFRS_SDS_ENTRY: &str =
    "https://xbrl.ifrs.org/taxonomy/ifrs_sds/2024-04-26/ifrs_sds_2024-04-26.xsd";
/// Egret's own concepts, axes and units (a project namespace).
pub const EGRET_NS: &str = "https://egret.city/xbrl/2026";
/// Where Egret's extension taxonomy schema ([`extension_schema`]) lives;
/// every document lists it next to the IFRS entry point.
pub const EGRET_SCHEMA_URL: &str = "https://egret.city/xbrl/2026/egret.xsd";
/// The entity scheme for unified social credit codes (a project choice; no
/// official scheme was found).
pub const USCC_NS: &str = "https://egret.city/id/uscc";

/// Data point units listed in the XBRL Units Registry: Egret's code, the
/// UTR unit and the DTR item type the registry allows it on. Quantities
/// in other units carry an `egret:` unit and have `xbrli:decimalItemType`.
const UTR_UNITS: [(&str, &str, &str); 7] = [
    ("tCO2e", "utr:tCO2e", "dtr-types:ghgEmissionsItemType"),
    ("MWh", "utr:MWh", "dtr-types:energyItemType"),
    ("kWh", "utr:kWh", "dtr-types:energyItemType"),
    ("GJ", "utr:GJ", "dtr-types:energyItemType"),
    ("t", "utr:t", "dtr-types:massItemType"),
    ("kg", "utr:kg", "dtr-types:massItemType"),
    ("m3", "utr:m3", "dtr-types:volumeItemType"),
];

/// The unit of a quantity fact reported in Egret's unit `code`.
fn quantity_unit(code: &str) -> String {
    match UTR_UNITS.iter().find(|u| u.0 == code) {
        Some(u) => u.1.to_string(),
        None => format!("egret:{}", ncname(code)),
    }
}

/// The concept a data point's facts are tagged with.
fn concept(dp: &DataPoint) -> String {
    match dp.taxonomy.get("ifrs-sds") {
        Some(name) => format!("ifrs-sds:{name}"),
        None => format!("egret:{}", ncname(&dp.id)),
    }
}

/// The item type of a data point's concept, matching the facts
/// [`from_snapshot`] emits: quantities by their default unit (the unit
/// facts are converted to; the UTR allows its units only on their DTR
/// type), amounts monetary, percentages (as fractions) and counts without
/// a unit (pure), choices QNames, tables JSON text.
fn item_type(dp: &DataPoint) -> &'static str {
    match dp.kind {
        ValueKind::Quantity => dp
            .unit
            .as_deref()
            .and_then(|code| UTR_UNITS.iter().find(|u| u.0 == code))
            .map_or("xbrli:decimalItemType", |u| u.2),
        ValueKind::Amount => "xbrli:monetaryItemType",
        ValueKind::Percentage => "dtr-types:percentItemType",
        ValueKind::Count => "xbrli:integerItemType",
        ValueKind::Boolean => "xbrli:booleanItemType",
        ValueKind::Choice => "xbrli:QNameItemType",
        ValueKind::Date => "xbrli:dateItemType",
        ValueKind::Text | ValueKind::Table => "xbrli:stringItemType",
    }
}

/// The kind of a value.
fn kind_of(v: &Value) -> ValueKind {
    match v {
        Value::Quantity { .. } => ValueKind::Quantity,
        Value::Amount { .. } => ValueKind::Amount,
        Value::Percentage(_) => ValueKind::Percentage,
        Value::Count(_) => ValueKind::Count,
        Value::Boolean(_) => ValueKind::Boolean,
        Value::Choice(_) => ValueKind::Choice,
        Value::Date(_) => ValueKind::Date,
        Value::Text(_) => ValueKind::Text,
        Value::Table(_) => ValueKind::Table,
    }
}

/// A choice code as a QName value.
fn choice_value(code: &str) -> String {
    format!("egret:{}", ncname(code))
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

/// The (axis, value) of a breakdown key `breakdown:member`: an explicit
/// member QName, or for a dynamic breakdown (the organisation's sites) the
/// member code itself as the value of a typed axis.
fn dimension(cats: &Catalogs, key: &str) -> Option<(String, String)> {
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
        _ if typed_axis(cats, b) => Some((axis(b), m.to_string())),
        _ => Some((axis(b), format!("egret:{}Member", ncname(m)))),
    }
}

/// Egret's axis of a breakdown.
fn axis(breakdown: &str) -> String {
    format!("egret:{}Axis", ncname(breakdown))
}

/// Whether a breakdown's members are the organisation's own (a typed axis).
fn typed_axis(cats: &Catalogs, breakdown: &str) -> bool {
    cats.breakdown(breakdown)
        .is_some_and(|b| b.dynamic.is_some())
}

/// The typed domain element of a typed axis (local name).
fn typed_domain(breakdown: &str) -> String {
    format!("{}Domain", ncname(breakdown))
}

/// The period `[start, end]` (ISO dates) as an OIM interval.
fn period(start: &str, end: &str) -> Option<String> {
    let s = NaiveDate::parse_from_str(start, "%Y-%m-%d").ok()?;
    let e = NaiveDate::parse_from_str(end, "%Y-%m-%d").ok()? + Duration::days(1);
    Some(format!("{s}T00:00:00/{e}T00:00:00"))
}

/// Builds the xBRL-JSON report of a submission snapshot. A value whose kind
/// does not match its data point's (the catalog changed since) is left
/// out: its concept's type would reject it.
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
        if kind_of(&value) != dp.kind {
            continue;
        }
        let mut dims = Map::new();
        dims.insert("concept".into(), json!(concept(dp)));
        dims.insert("entity".into(), json!(format!("uscc:{uscc}")));
        dims.insert("period".into(), json!(per));
        let bk = v["breakdown"].as_str().unwrap_or_default();
        if !bk.is_empty() {
            let Some((axis, member)) = dimension(cats, bk) else {
                continue;
            };
            dims.insert(axis, json!(member));
        }
        let (text, unit): (String, Option<String>) = match &value {
            Value::Quantity { amount, unit } => {
                let default = dp.unit.as_deref().unwrap_or(unit);
                match convert(rd, *amount, unit, default) {
                    Ok(x) => (x.normalize().to_string(), Some(quantity_unit(default))),
                    // Reported as entered rather than mislabelled.
                    Err(_) => (amount.normalize().to_string(), Some(quantity_unit(unit))),
                }
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
            Value::Choice(c) => (choice_value(c), None),
            Value::Date(d) => (d.to_string(), None),
            Value::Text(t) => (t.clone(), None),
            Value::Table(t) => (serde_json::to_string(t).unwrap_or_default(), None),
        };
        if matches!(dp.kind, ValueKind::Text | ValueKind::Table) {
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
            "taxonomy": [IFRS_SDS_ENTRY, EGRET_SCHEMA_URL],
        },
        "facts": facts,
    })
}

/// What a taxonomy element declares.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Decl {
    /// A concept of this item type.
    Concept(&'static str),
    /// An explicit axis.
    Axis,
    /// A typed axis and the local name of its domain element.
    TypedAxis(String),
    /// The domain element of a typed axis (a site id).
    TypedDomain,
    /// An axis member, or a choice code used as a QName value.
    Member,
}

/// Every QName Egret can emit as a concept, axis, member or choice value,
/// with its declaration, in the order found (a name can recur, e.g. the
/// choice code `other` of several data points).
fn declarations(cats: &Catalogs) -> Vec<(String, Decl)> {
    let mut out = Vec::new();
    for dp in cats.datapoints() {
        out.push((concept(dp), Decl::Concept(item_type(dp))));
        for c in &dp.choices {
            out.push((choice_value(&c.code), Decl::Member));
        }
        for b in &dp.breakdowns {
            let Some(bd) = cats.breakdown(b) else {
                continue;
            };
            if bd.dynamic.is_some() {
                out.push((axis(b), Decl::TypedAxis(typed_domain(b))));
                out.push((format!("egret:{}", typed_domain(b)), Decl::TypedDomain));
                continue;
            }
            for m in &bd.members {
                if let Some((axis, member)) = dimension(cats, &format!("{b}:{}", m.code)) {
                    out.push((axis, Decl::Axis));
                    out.push((member, Decl::Member));
                }
            }
        }
    }
    out
}

/// The declarations of one prefix, by local name (the first declaration of
/// a recurring name wins; the tests check that recurrences agree).
fn declared(cats: &Catalogs, prefix: &str) -> BTreeMap<String, Decl> {
    let mut out = BTreeMap::new();
    for (qname, decl) in declarations(cats) {
        if let Some((p, local)) = qname.split_once(':')
            && p == prefix
        {
            out.entry(local.to_string()).or_insert(decl);
        }
    }
    out
}

/// An XML Schema for a namespace declaring `decls` (sorted by name, so the
/// text is deterministic).
fn schema(prefix: &str, ns: &str, title: &str, decls: &BTreeMap<String, Decl>) -> String {
    let mut out = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<!-- {title} -->
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"
  xmlns:xbrli="http://www.xbrl.org/2003/instance"
  xmlns:xbrldt="http://xbrl.org/2005/xbrldt"
  xmlns:nonnum="http://www.xbrl.org/dtr/type/non-numeric"
  xmlns:dtr-types="http://www.xbrl.org/dtr/type/2024-01-31"
  xmlns:{prefix}="{ns}"
  targetNamespace="{ns}" elementFormDefault="qualified" attributeFormDefault="unqualified">
  <xs:import namespace="http://www.xbrl.org/2003/instance" schemaLocation="http://www.xbrl.org/2003/xbrl-instance-2003-12-31.xsd"/>
  <xs:import namespace="http://xbrl.org/2005/xbrldt" schemaLocation="http://www.xbrl.org/2005/xbrldt-2005.xsd"/>
  <xs:import namespace="http://www.xbrl.org/dtr/type/non-numeric" schemaLocation="http://www.xbrl.org/dtr/type/nonNumeric-2009-12-16.xsd"/>
  <xs:import namespace="http://www.xbrl.org/dtr/type/2024-01-31" schemaLocation="https://www.xbrl.org/dtr/type/2024-01-31/types.xsd"/>
"#
    );
    for (name, decl) in decls {
        let id = format!("{prefix}_{name}");
        let item = |ty: &str, group: &str, extra: &str| {
            format!(
                "  <xs:element id=\"{id}\" name=\"{name}\" type=\"{ty}\" substitutionGroup=\"{group}\"{extra} xbrli:periodType=\"duration\" nillable=\"true\"/>\n"
            )
        };
        out += &match decl {
            Decl::Concept(ty) => item(ty, "xbrli:item", ""),
            Decl::Axis => item(
                "xbrli:stringItemType",
                "xbrldt:dimensionItem",
                " abstract=\"true\"",
            ),
            Decl::TypedAxis(domain) => item(
                "xbrli:stringItemType",
                "xbrldt:dimensionItem",
                &format!(" abstract=\"true\" xbrldt:typedDomainRef=\"#{prefix}_{domain}\""),
            ),
            Decl::TypedDomain => {
                format!("  <xs:element id=\"{id}\" name=\"{name}\" type=\"xs:string\"/>\n")
            }
            Decl::Member => item("nonnum:domainItemType", "xbrli:item", " abstract=\"true\""),
        };
    }
    out += "</xs:schema>\n";
    out
}

/// Egret's extension taxonomy schema (served at [`EGRET_SCHEMA_URL`]): a
/// concept for every data point of the shared dictionary not mapped to an
/// IFRS concept, typed as [`from_snapshot`] reports it; an axis for every
/// breakdown and an abstract member for every breakdown member (the
/// organisation's sites: a typed axis whose value is the site id); and
/// every choice code as an abstract element, the QName values of choice
/// facts. Generated from the catalogs, deterministically (the reference
/// data is not needed yet: units map to types through the catalogs'
/// default units alone).
pub fn extension_schema(cats: &Catalogs, _rd: &ReferenceData) -> String {
    schema(
        "egret",
        EGRET_NS,
        "Egret extension taxonomy, generated from Egret's catalogs.",
        &declared(cats, "egret"),
    )
}

/// A STAND-IN for the IFRS Sustainability Disclosure Taxonomy, for
/// offline validation only: it is not the IFRS taxonomy. It declares just
/// the `ifrs-sds` concepts, axes and members Egret emits, with the item
/// types Egret's facts have (which may differ from the real taxonomy's),
/// so that a validator without internet access can load documents that
/// reference [`IFRS_SDS_ENTRY`]. Never publish it at that address.
pub fn ifrs_stub_schema(cats: &Catalogs) -> String {
    schema(
        "ifrs-sds",
        IFRS_SDS_NS,
        "NOT the IFRS Sustainability Disclosure Taxonomy: an offline stand-in generated by Egret declaring only the ifrs-sds names Egret emits.",
        &declared(cats, "ifrs-sds"),
    )
}

/// A synthetic snapshot with a value for every data point of the shared
/// dictionary (one of each value kind) and for every breakdown member it
/// accepts (a site `site-1` for site breakdowns): for checking the
/// schemas against what [`from_snapshot`] emits, here and with a validator.
pub fn example_snapshot(cats: &Catalogs) -> Json {
    let mut values = Vec::new();
    for dp in cats.datapoints() {
        let value = match dp.kind {
            ValueKind::Quantity => Value::Quantity {
                amount: Decimal::new(12345, 1),
                unit: dp.unit.clone().unwrap_or_default(),
            },
            ValueKind::Amount => Value::Amount {
                amount: Decimal::new(15, 0),
                unit: dp.unit.clone().unwrap_or_else(|| "CNY".into()),
            },
            ValueKind::Percentage => Value::Percentage(Decimal::new(125, 1)),
            ValueKind::Count => Value::Count(7),
            ValueKind::Boolean => Value::Boolean(true),
            ValueKind::Choice => Value::Choice(
                dp.choices
                    .first()
                    .map(|c| c.code.clone())
                    .unwrap_or_default(),
            ),
            ValueKind::Date => {
                Value::Date(NaiveDate::from_ymd_opt(2025, 6, 30).unwrap_or_default())
            }
            ValueKind::Text => Value::Text("示例 example <&>".into()),
            ValueKind::Table => Value::Table(vec![
                dp.columns
                    .iter()
                    .map(|c| (c.id.clone(), "x".to_string()))
                    .collect(),
            ]),
        };
        let answer = serde_json::to_value(Answer::Value(value)).unwrap_or_default();
        let mut keys = vec![String::new()];
        for b in &dp.breakdowns {
            let Some(bd) = cats.breakdown(b) else {
                continue;
            };
            if bd.dynamic.is_some() {
                keys.push(format!("{b}:site-1"));
            }
            keys.extend(bd.members.iter().map(|m| format!("{b}:{}", m.code)));
        }
        for k in keys {
            values.push(json!({"datapoint": dp.id, "breakdown": k, "answer": answer}));
        }
    }
    json!({
        "organisation": {"uscc": "91350200MA2XYZ0000"},
        "period": {"start": "2025-01-01", "end": "2025-12-31"},
        "values": values,
    })
}

/// Problems with the structure of an xBRL-JSON document (empty when it
/// holds): document type, declared prefixes of every QName, core
/// dimensions on every fact, period syntax, numeric values with units,
/// QName members of explicit axes (of the shipped catalogs).
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
    // Typed axes (the organisation's sites) take a plain value.
    let typed: Vec<String> = declarations(Catalogs::embedded())
        .into_iter()
        .filter(|(_, d)| matches!(d, Decl::TypedAxis(_)))
        .map(|(q, _)| q)
        .collect();
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
            let member_ok = |m: &str| {
                if typed.contains(k) {
                    !m.is_empty()
                } else {
                    qname_ok(m)
                }
            };
            if !qname_ok(k) || v.as_str().is_none_or(|m| !member_ok(m)) {
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
        let cats = Catalogs::embedded();
        assert_eq!(
            period("2025-01-01", "2025-12-31").unwrap(),
            "2025-01-01T00:00:00/2026-01-01T00:00:00"
        );
        assert_eq!(ncname("10^4Nm3"), "_10_4Nm3");
        assert_eq!(
            dimension(cats, "scope3_category:4").unwrap().1,
            "ifrs-sds:Category4UpstreamTransportationAndDistributionMember"
        );
        assert_eq!(
            dimension(cats, "gas:ch4").unwrap().0,
            "ifrs-sds:ConstituentGreenhouseGasAxis"
        );
        assert_eq!(
            dimension(cats, "gender:female").unwrap(),
            ("egret:genderAxis".into(), "egret:femaleMember".into())
        );
        assert_eq!(
            dimension(cats, "site:s-1").unwrap(),
            ("egret:siteAxis".into(), "s-1".into()),
            "sites are a typed axis"
        );
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

    /// Checks that an XML text is well formed as far as the schemas need:
    /// tags balanced and properly nested, attribute values quoted, no
    /// stray `<` or `&`. Returns the first problem.
    fn well_formed(xml: &str) -> Result<(), String> {
        let mut open: Vec<&str> = Vec::new();
        let mut rest = xml;
        let mut roots = 0;
        while let Some(lt) = rest.find('<') {
            let text = &rest[..lt];
            if text.contains('>') || (text.contains('&') && !text.contains("&amp;")) {
                return Err(format!("stray character in text {text:?}"));
            }
            if open.is_empty() && !text.trim().is_empty() {
                return Err(format!("text outside the root: {text:?}"));
            }
            rest = &rest[lt..];
            let (end, skip) = if rest.starts_with("<!--") {
                (rest.find("-->").ok_or("unclosed comment")?, 3)
            } else if rest.starts_with("<?") {
                (rest.find("?>").ok_or("unclosed declaration")?, 2)
            } else {
                (rest.find('>').ok_or("unclosed tag")?, 1)
            };
            let tag = &rest[..end + skip];
            rest = &rest[end + skip..];
            if tag.starts_with("<!--") || tag.starts_with("<?") {
                continue;
            }
            if tag[1..].contains('<') || !tag.matches('"').count().is_multiple_of(2) {
                return Err(format!("malformed tag {tag}"));
            }
            let name_of = |t: &'_ str| -> String {
                t.trim_start_matches("</")
                    .trim_start_matches('<')
                    .split(|c: char| c.is_whitespace() || c == '>' || c == '/')
                    .next()
                    .unwrap_or_default()
                    .to_string()
            };
            if tag.starts_with("</") {
                let name = name_of(tag);
                match open.pop() {
                    Some(o) if name_of(o) == name => {}
                    o => return Err(format!("{tag} closes {o:?}")),
                }
            } else if tag.ends_with("/>") {
                if open.is_empty() {
                    roots += 1;
                }
            } else {
                if open.is_empty() {
                    roots += 1;
                }
                open.push(tag);
            }
        }
        if !rest.trim().is_empty() {
            return Err(format!("trailing text {rest:?}"));
        }
        if let Some(o) = open.pop() {
            return Err(format!("{o} not closed"));
        }
        if roots != 1 {
            return Err(format!("{roots} root elements"));
        }
        Ok(())
    }

    /// The `name` → `type` of every element a schema declares.
    fn elements(xsd: &str) -> BTreeMap<String, String> {
        let attr = |tag: &str, a: &str| {
            tag.split(&format!(" {a}=\""))
                .nth(1)
                .and_then(|r| r.split('"').next())
                .map(str::to_string)
        };
        xsd.split("<xs:element ")
            .skip(1)
            .map(|t| t.split("/>").next().unwrap_or_default())
            .map(|t| (attr(t, "name").unwrap(), attr(t, "type").unwrap()))
            .collect()
    }

    #[test]
    fn the_well_formedness_checker_finds_faults() {
        assert_eq!(
            well_formed("<?xml version=\"1.0\"?><!-- c --><a x=\"1\"><b/></a>\n"),
            Ok(())
        );
        for bad in [
            "<a><b></a></b>",
            "<a>",
            "<a/><b/>",
            "<a x=\"1></a>",
            "<a>1 > 0</a>",
            "x<a/>",
        ] {
            assert!(well_formed(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_schemas_are_well_formed_and_deterministic() {
        let (cats, rd) = (Catalogs::embedded(), ReferenceData::embedded());
        let ext = extension_schema(cats, rd);
        let stub = ifrs_stub_schema(cats);
        for xsd in [&ext, &stub] {
            well_formed(xsd).unwrap();
            assert_eq!(
                xsd.matches("<xs:element ").count(),
                elements(xsd).len(),
                "each name declared once"
            );
            let ids: Vec<&str> = xsd
                .split(" id=\"")
                .skip(1)
                .filter_map(|r| r.split('"').next())
                .collect();
            let unique: std::collections::BTreeSet<&str> = ids.iter().copied().collect();
            assert_eq!(ids.len(), unique.len(), "ids unique");
        }
        assert_eq!(ext, extension_schema(cats, rd));
        assert_eq!(stub, ifrs_stub_schema(cats));
        assert!(stub.contains("NOT the IFRS"), "the stub says what it is");
        assert!(ext.contains(&format!("targetNamespace=\"{EGRET_NS}\"")));
        assert!(stub.contains(&format!("targetNamespace=\"{IFRS_SDS_NS}\"")));
        // Every unmapped data point has a concept; no mapped one does.
        let egret = elements(&ext);
        let ifrs = elements(&stub);
        for dp in cats.datapoints() {
            match dp.taxonomy.get("ifrs-sds") {
                Some(n) => {
                    assert!(ifrs.contains_key(n), "{n}");
                    assert!(!egret.contains_key(&ncname(&dp.id)), "{}", dp.id);
                }
                None => assert_eq!(egret[&ncname(&dp.id)], item_type(dp), "{}", dp.id),
            }
        }
        assert_eq!(
            ifrs.len(),
            cats.datapoints()
                .filter(|d| d.taxonomy.contains_key("ifrs-sds"))
                .count()
                + 2
                + 15
                + 7,
            "IFRS concepts, the two IFRS axes and their members only"
        );
        assert_eq!(
            egret["anti-corruption.trained-share"],
            "dtr-types:percentItemType"
        );
        assert_eq!(egret["siteAxis"], "xbrli:stringItemType");
        assert!(ext.contains("xbrldt:typedDomainRef=\"#egret_siteDomain\""));
        assert_eq!(egret["siteDomain"], "xs:string");
        assert_eq!(
            ifrs["AbsoluteGrossScope1GHGEmissions"],
            "dtr-types:ghgEmissionsItemType"
        );
    }

    #[test]
    fn recurring_names_are_declared_alike() {
        let mut seen: BTreeMap<String, Decl> = BTreeMap::new();
        for (q, d) in declarations(Catalogs::embedded()) {
            let prev = seen.entry(q.clone()).or_insert_with(|| d.clone());
            assert_eq!(*prev, d, "{q}");
        }
    }

    /// The shipped catalogs plus a date data point (the dictionary has
    /// none yet), so that every value kind is covered.
    fn catalogs_with_every_kind() -> Catalogs {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/catalogs");
        let mut files: Vec<(String, String)> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .map(|p| {
                let name = p.file_name().unwrap().to_string_lossy().into_owned();
                (name, std::fs::read_to_string(&p).unwrap())
            })
            .collect();
        for (name, text) in &mut files {
            if name == "datapoints.toml" {
                text.push_str(
                    "\n[[datapoint]]\nid = \"test.date\"\nname_zh = \"日期\"\nname_en = \"Date\"\n\
                     help_zh = \"日期\"\nhelp_en = \"Date\"\nkind = \"date\"\n",
                );
            }
        }
        let refs: Vec<(&str, &str)> = files
            .iter()
            .map(|(n, t)| (n.as_str(), t.as_str()))
            .collect();
        Catalogs::from_sources(&refs, ReferenceData::embedded()).unwrap()
    }

    #[test]
    fn every_name_emitted_is_declared_with_a_matching_type() {
        let cats = &catalogs_with_every_kind();
        let rd = ReferenceData::embedded();
        let snapshot = example_snapshot(cats);
        let doc = from_snapshot(&snapshot, cats, rd);
        assert_eq!(check_structure(&doc), Vec::<String>::new());
        assert_eq!(
            doc["documentInfo"]["taxonomy"],
            json!([IFRS_SDS_ENTRY, EGRET_SCHEMA_URL])
        );
        let facts = doc["facts"].as_object().unwrap();
        assert_eq!(
            facts.len(),
            snapshot["values"].as_array().unwrap().len(),
            "every value is a fact"
        );
        let mut kinds: Vec<ValueKind> = cats.datapoints().map(|d| d.kind).collect();
        kinds.sort_by_key(|k| k.as_str());
        kinds.dedup();
        assert_eq!(kinds.len(), ValueKind::ALL.len(), "all value kinds covered");
        let mut declared: BTreeMap<String, String> = BTreeMap::new();
        for (p, xsd) in [
            ("egret", extension_schema(cats, rd)),
            ("ifrs-sds", ifrs_stub_schema(cats)),
        ] {
            for (n, t) in elements(&xsd) {
                declared.insert(format!("{p}:{n}"), t);
            }
        }
        let typed = |q: &str| {
            declared
                .get(q)
                .cloned()
                .unwrap_or_else(|| panic!("{q} not declared"))
        };
        let mut axes = std::collections::BTreeSet::new();
        for (id, f) in facts {
            let d = f["dimensions"].as_object().unwrap();
            let c = d["concept"].as_str().unwrap();
            let ty = typed(c);
            let value = f["value"].as_str().unwrap();
            match d.get("unit").and_then(|u| u.as_str()) {
                Some(u) if u.starts_with("iso4217:") => {
                    assert_eq!(ty, "xbrli:monetaryItemType", "{id} {c}")
                }
                Some(u) => {
                    let code = UTR_UNITS.iter().find(|x| x.1 == u);
                    assert_eq!(
                        ty,
                        code.map_or("xbrli:decimalItemType", |x| x.2),
                        "{id} {c} {u}"
                    );
                }
                None => assert!(
                    !ty.contains("decimal")
                        && !ty.contains("monetary")
                        && !UTR_UNITS.iter().any(|x| x.2 == ty),
                    "{id} {c}: {ty} needs a unit"
                ),
            }
            if ty == "xbrli:QNameItemType" {
                typed(value);
            }
            if ty == "xbrli:integerItemType" || ty == "dtr-types:percentItemType" {
                assert!(value.parse::<Decimal>().is_ok(), "{id}");
            }
            for (k, v) in d {
                if k.contains(':') {
                    assert_eq!(typed(k), "xbrli:stringItemType", "{k}");
                    axes.insert(k.clone());
                    let v = v.as_str().unwrap();
                    if k == "egret:siteAxis" {
                        assert_eq!(v, "site-1");
                    } else {
                        assert_eq!(typed(v), "nonnum:domainItemType", "{k}={v}");
                    }
                }
            }
        }
        assert!(
            axes.contains("egret:siteAxis")
                && axes.contains("ifrs-sds:ConstituentGreenhouseGasAxis")
        );
        assert_eq!(doc, from_snapshot(&snapshot, cats, rd), "deterministic");
    }

    #[test]
    fn a_value_of_another_kind_is_not_a_fact() {
        let (cats, rd) = (Catalogs::embedded(), ReferenceData::embedded());
        let snapshot = json!({
            "organisation": {"uscc": "x"},
            "period": {"start": "2025-01-01", "end": "2025-12-31"},
            "values": [
                {"datapoint": "ghg.scope1", "breakdown": "", "answer": {"answer": "value", "kind": "count", "value": 3}},
                {"datapoint": "ghg.scope1", "breakdown": "", "answer": {"answer": "value", "kind": "quantity", "value": {"amount": "1500", "unit": "kgCO2e"}}},
            ],
        });
        let doc = from_snapshot(&snapshot, cats, rd);
        let facts = doc["facts"].as_object().unwrap();
        assert_eq!(facts.len(), 1);
        assert_eq!(facts["f2"]["value"], "1.5");
        assert_eq!(facts["f2"]["dimensions"]["unit"], "utr:tCO2e");
    }
}
