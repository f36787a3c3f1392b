//! Answers to data points: typed values with units, and the first-class
//! comply-or-explain answers "not applicable" and "not disclosed".

use std::collections::BTreeMap;

use chrono::NaiveDate;
use egret_i18n::{Lang, Msg};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::catalog::{Catalogs, DataPoint, ValueKind};
use crate::refdata::ReferenceData;
use crate::units::{check_dimension, convert};

/// Longest text answer.
pub const MAX_TEXT_CHARS: usize = 20_000;
/// Most decimal places kept.
pub const MAX_SCALE: u32 = 12;

/// A typed value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum Value {
    Quantity { amount: Decimal, unit: String },
    Amount { amount: Decimal, unit: String },
    Percentage(Decimal),
    Count(i64),
    Boolean(bool),
    Choice(String),
    Date(NaiveDate),
    Text(String),
    Table(Vec<BTreeMap<String, String>>),
}

impl Value {
    /// A figure: quantities and amounts with their unit, percentages
    /// (`%`) and counts (`count`); None for other kinds.
    pub fn figure(&self) -> Option<(Decimal, &str)> {
        match self {
            Value::Quantity { amount, unit } | Value::Amount { amount, unit } => {
                Some((*amount, unit.as_str()))
            }
            Value::Percentage(d) => Some((*d, "%")),
            Value::Count(n) => Some((Decimal::from(*n), "count")),
            _ => None,
        }
    }
}

/// An answer: a value, or an explanation why there is none.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "answer", rename_all = "snake_case")]
pub enum Answer {
    Value(Value),
    NotApplicable {
        #[serde(default)]
        reason: Option<String>,
    },
    NotDisclosed {
        reason: String,
    },
}

/// Normalises human number input: full-width digits and signs, thousands
/// separators, spaces.
fn clean_number(raw: &str) -> String {
    raw.trim()
        .chars()
        .filter_map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32),
            '．' => Some('.'),
            '－' => Some('-'),
            ',' | '，' | ' ' | '\u{a0}' | '_' => None,
            c => Some(c),
        })
        .collect()
}

/// Thousands separators must group by three (so "1,5" is not read as 15).
fn grouping_ok(raw: &str) -> bool {
    let t = raw.trim().trim_start_matches(['-', '－', '+']);
    let int = t.split(['.', '．']).next().unwrap_or_default();
    let groups: Vec<&str> = int.split([',', '，']).collect();
    groups.len() == 1
        || (!groups[0].is_empty()
            && groups[0].chars().count() <= 3
            && groups[1..].iter().all(|g| g.chars().count() == 3))
}

/// A number as a person types it: optional thousands separators (checked
/// for their grouping), decimal point. The error names the text.
pub fn parse_decimal(raw: &str) -> Result<Decimal, Msg> {
    if !grouping_ok(raw) {
        return Err(Msg::new("value-not-number").arg("value", raw.trim()));
    }
    let s = clean_number(raw);
    let d = s
        .parse::<Decimal>()
        .or_else(|_| Decimal::from_scientific(&s))
        .map_err(|_| Msg::new("value-not-number").arg("value", raw.trim()))?;
    if d.normalize().scale() > MAX_SCALE {
        return Err(Msg::new("value-too-precise").arg("max", MAX_SCALE));
    }
    Ok(d.normalize())
}

fn range_check(dp: &DataPoint, x: Decimal, default_min: Option<Decimal>) -> Result<(), Msg> {
    let min = dp.min.or(default_min);
    if min.is_some_and(|m| x < m) || dp.max.is_some_and(|m| x > m) {
        return Err(Msg::new("value-out-of-range")
            .arg("value", x)
            .arg(
                "min",
                min.map(|d| d.to_string()).unwrap_or_else(|| "—".into()),
            )
            .arg(
                "max",
                dp.max.map(|d| d.to_string()).unwrap_or_else(|| "—".into()),
            ));
    }
    Ok(())
}

/// A unit a value of a data point may be entered in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EntryUnit<'a> {
    pub code: &'a str,
    pub name_zh: &'a str,
    pub name_en: &'a str,
}

impl EntryUnit<'_> {
    pub fn name(&self, lang: Lang) -> &str {
        match lang {
            Lang::ZhCn => self.name_zh,
            Lang::En => self.name_en,
        }
    }
}

/// The units values of `dp` may be entered in: its dimension's units and,
/// for amounts, the foreign currencies (converted at the period's rate).
pub fn entry_units<'a>(rd: &'a ReferenceData, dp: &DataPoint) -> Vec<EntryUnit<'a>> {
    let Some(dim) = dp.unit_dimension() else {
        return Vec::new();
    };
    let mut out: Vec<EntryUnit> = rd
        .units()
        .filter(|u| u.dimension == dim)
        .map(|u| EntryUnit {
            code: &u.code,
            name_zh: &u.name_zh,
            name_en: &u.name_en,
        })
        .collect();
    if dp.kind == ValueKind::Amount {
        out.extend(rd.currencies().map(|c| EntryUnit {
            code: &c.code,
            name_zh: &c.name_zh,
            name_en: &c.name_en,
        }));
    }
    out
}

fn parse_bool(raw: &str) -> Option<bool> {
    match raw.trim().to_lowercase().as_str() {
        "true" | "yes" | "y" | "1" | "是" | "有" => Some(true),
        "false" | "no" | "n" | "0" | "否" | "无" => Some(false),
        _ => None,
    }
}

fn parse_date(raw: &str) -> Option<NaiveDate> {
    let s = raw.trim();
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(s, "%Y/%m/%d"))
        .or_else(|_| NaiveDate::parse_from_str(s, "%Y年%m月%d日"))
        .ok()
}

impl Value {
    /// Reads a value as a person typed it, for a data point.
    pub fn parse(
        dp: &DataPoint,
        raw: &str,
        unit: Option<&str>,
        rd: &ReferenceData,
    ) -> Result<Value, Msg> {
        if raw.trim().is_empty() {
            return Err(Msg::new("value-empty"));
        }
        match dp.kind {
            ValueKind::Quantity | ValueKind::Amount => {
                let dim = dp.unit_dimension().unwrap_or_default();
                let default = match dp.kind {
                    ValueKind::Amount => dp.unit.as_deref().or(Some(crate::fx::CNY)),
                    _ => dp.unit.as_deref(),
                };
                let code = unit
                    .filter(|u| !u.trim().is_empty())
                    .or(default)
                    .ok_or_else(|| Msg::new("value-unit-missing"))?;
                let amount = parse_decimal(raw)?;
                // A foreign currency converts at the period's rate, which
                // is not known here: only its sign can be checked.
                if dp.kind == ValueKind::Amount
                    && let Some(c) = rd.currency(code)
                {
                    if amount.is_sign_negative() && !amount.is_zero() {
                        return Err(Msg::new("value-out-of-range")
                            .arg("value", amount)
                            .arg("min", 0)
                            .arg("max", "—"));
                    }
                    return Ok(Value::Amount {
                        amount,
                        unit: c.code.clone(),
                    });
                }
                let u = check_dimension(rd, code, dim).map_err(|e| e.msg())?;
                // Ranges are stated in the data point's default unit.
                let in_default = match default {
                    Some(def) => convert(rd, amount, &u.code, def).map_err(|e| e.msg())?,
                    None => amount,
                };
                // Quantities and amounts are never negative unless the data
                // point's own minimum says so.
                range_check(dp, in_default, Some(Decimal::ZERO))?;
                Ok(match dp.kind {
                    ValueKind::Amount => Value::Amount {
                        amount,
                        unit: u.code.clone(),
                    },
                    _ => Value::Quantity {
                        amount,
                        unit: u.code.clone(),
                    },
                })
            }
            ValueKind::Percentage => {
                let x = parse_decimal(raw.trim().trim_end_matches(['%', '％']))?;
                let mut dp_range = dp.clone();
                dp_range.max = dp.max.or(Some(Decimal::ONE_HUNDRED));
                range_check(&dp_range, x, Some(Decimal::ZERO))?;
                Ok(Value::Percentage(x))
            }
            ValueKind::Count => {
                let x = parse_decimal(raw)?;
                if !x.fract().is_zero() || x.is_sign_negative() && !x.is_zero() {
                    return Err(Msg::new("value-not-count").arg("value", raw.trim()));
                }
                range_check(dp, x, Some(Decimal::ZERO))?;
                let n = i64::try_from(x)
                    .map_err(|_| Msg::new("value-not-count").arg("value", raw.trim()))?;
                Ok(Value::Count(n))
            }
            ValueKind::Boolean => parse_bool(raw)
                .map(Value::Boolean)
                .ok_or_else(|| Msg::new("value-not-boolean").arg("value", raw.trim())),
            ValueKind::Choice => {
                let s = raw.trim();
                dp.choices
                    .iter()
                    .find(|c| c.code == s || c.name_zh == s || c.name_en.eq_ignore_ascii_case(s))
                    .map(|c| Value::Choice(c.code.clone()))
                    .ok_or_else(|| {
                        let codes: Vec<&str> = dp.choices.iter().map(|c| c.code.as_str()).collect();
                        Msg::new("value-not-choice")
                            .arg("value", s)
                            .arg("allowed", codes.join(", "))
                    })
            }
            ValueKind::Date => parse_date(raw)
                .map(Value::Date)
                .ok_or_else(|| Msg::new("value-not-date").arg("value", raw.trim())),
            ValueKind::Text => {
                let t = raw.trim();
                if t.chars().count() > MAX_TEXT_CHARS {
                    return Err(Msg::new("value-too-long").arg("max", MAX_TEXT_CHARS));
                }
                Ok(Value::Text(t.to_string()))
            }
            ValueKind::Table => {
                let rows: Vec<BTreeMap<String, serde_json::Value>> =
                    serde_json::from_str(raw.trim())
                        .map_err(|e| Msg::new("value-not-table").arg("detail", e))?;
                let mut out = Vec::new();
                for row in rows {
                    let mut r = BTreeMap::new();
                    for (k, v) in row {
                        if !dp.columns.iter().any(|c| c.id == k) {
                            return Err(Msg::new("value-unknown-column").arg("column", k));
                        }
                        let text = match v {
                            serde_json::Value::String(s) => s,
                            serde_json::Value::Null => continue,
                            other => other.to_string(),
                        };
                        // Numeric columns must hold numbers.
                        let kind = dp.columns.iter().find(|c| c.id == k).map(|c| c.kind);
                        let numeric = matches!(
                            kind,
                            Some(
                                ValueKind::Count
                                    | ValueKind::Quantity
                                    | ValueKind::Amount
                                    | ValueKind::Percentage
                            )
                        );
                        if numeric && !text.trim().is_empty() && parse_decimal(&text).is_err() {
                            return Err(Msg::new("value-table-cell")
                                .arg("column", &k)
                                .arg("value", &text));
                        }
                        r.insert(k, text);
                    }
                    out.push(r);
                }
                Ok(Value::Table(out))
            }
        }
    }

    /// The canonical storage text and unit.
    pub fn encode(&self) -> (String, Option<String>) {
        match self {
            Value::Quantity { amount, unit } | Value::Amount { amount, unit } => {
                (amount.normalize().to_string(), Some(unit.clone()))
            }
            Value::Percentage(d) => (d.normalize().to_string(), None),
            Value::Count(n) => (n.to_string(), None),
            Value::Boolean(b) => (b.to_string(), None),
            Value::Choice(c) => (c.clone(), None),
            Value::Date(d) => (d.to_string(), None),
            Value::Text(t) => (t.clone(), None),
            Value::Table(rows) => (
                serde_json::to_string(rows).expect("string maps serialise"),
                None,
            ),
        }
    }

    /// Reads the canonical storage form back (no range checks: stored
    /// values were checked when written).
    pub fn decode(dp: &DataPoint, text: &str, unit: Option<&str>) -> Result<Value, Msg> {
        let bad = || Msg::new("value-corrupt").arg("id", &dp.id);
        Ok(match dp.kind {
            ValueKind::Quantity | ValueKind::Amount => {
                let amount: Decimal = text.parse().map_err(|_| bad())?;
                let unit = unit.ok_or_else(bad)?.to_string();
                if dp.kind == ValueKind::Amount {
                    Value::Amount { amount, unit }
                } else {
                    Value::Quantity { amount, unit }
                }
            }
            ValueKind::Percentage => Value::Percentage(text.parse().map_err(|_| bad())?),
            ValueKind::Count => Value::Count(text.parse().map_err(|_| bad())?),
            ValueKind::Boolean => Value::Boolean(text.parse().map_err(|_| bad())?),
            ValueKind::Choice => Value::Choice(text.to_string()),
            ValueKind::Date => Value::Date(text.parse().map_err(|_| bad())?),
            ValueKind::Text => Value::Text(text.to_string()),
            ValueKind::Table => Value::Table(serde_json::from_str(text).map_err(|_| bad())?),
        })
    }

    /// The number in its own unit (quantities, amounts, percentages,
    /// counts).
    pub fn numeric(&self) -> Option<Decimal> {
        match self {
            Value::Quantity { amount, .. } | Value::Amount { amount, .. } => Some(*amount),
            Value::Percentage(d) => Some(*d),
            Value::Count(n) => Some(Decimal::from(*n)),
            _ => None,
        }
    }

    /// The number converted to `unit` (None if not numeric or incompatible).
    pub fn in_unit(&self, rd: &ReferenceData, unit: &str) -> Option<Decimal> {
        match self {
            Value::Quantity { amount, unit: u } | Value::Amount { amount, unit: u } => {
                convert(rd, *amount, u, unit).ok()
            }
            Value::Percentage(d) => convert(rd, *d, "%", unit).ok(),
            Value::Count(n) => rd.unit_in(unit, "count").map(|_| Decimal::from(*n)),
            _ => None,
        }
    }

    /// Human-readable, in `lang`.
    pub fn display(&self, lang: Lang, dp: &DataPoint, rd: &ReferenceData) -> String {
        let group = |d: &Decimal| group_thousands(&d.normalize().to_string());
        match self {
            Value::Quantity { amount, unit } | Value::Amount { amount, unit } => {
                let uname = rd
                    .unit(unit)
                    .map(|u| match lang {
                        Lang::ZhCn => u.name_zh.clone(),
                        Lang::En => u.code.clone(),
                    })
                    .or_else(|| {
                        rd.currency(unit).map(|c| match lang {
                            Lang::ZhCn => c.name_zh.clone(),
                            Lang::En => c.code.clone(),
                        })
                    })
                    .unwrap_or_else(|| unit.clone());
                format!("{} {uname}", group(amount))
            }
            Value::Percentage(d) => format!("{}%", d.normalize()),
            Value::Count(n) => group_thousands(&n.to_string()),
            Value::Boolean(b) => egret_i18n::t(lang, if *b { "yes" } else { "no" }),
            Value::Choice(c) => dp
                .choices
                .iter()
                .find(|x| &x.code == c)
                .map(|x| match lang {
                    Lang::ZhCn => x.name_zh.clone(),
                    Lang::En => x.name_en.clone(),
                })
                .unwrap_or_else(|| c.clone()),
            Value::Date(d) => d.to_string(),
            Value::Text(t) => {
                let short: String = t.chars().take(200).collect();
                if short.len() < t.len() {
                    format!("{short}…")
                } else {
                    short
                }
            }
            Value::Table(rows) => egret_i18n::Msg::new("value-table-rows")
                .arg("count", rows.len())
                .render(lang),
        }
    }
}

/// `1234567.5` → `1,234,567.5`.
pub fn group_thousands(s: &str) -> String {
    let (sign, rest) = s.strip_prefix('-').map_or(("", s), |r| ("-", r));
    let (int, frac) = rest
        .split_once('.')
        .map_or((rest, None), |(i, f)| (i, Some(f)));
    let mut out = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    match frac {
        Some(f) => format!("{sign}{out}.{f}"),
        None => format!("{sign}{out}"),
    }
}

/// The key of a breakdown member (`gender:female`); "" is the total.
pub fn breakdown_key(breakdown: &str, member: &str) -> String {
    if breakdown.is_empty() && member.is_empty() {
        String::new()
    } else {
        format!("{breakdown}:{member}")
    }
}

/// Checks that a breakdown key is allowed for a data point.
pub fn check_breakdown_key(
    cats: &Catalogs,
    dp: &DataPoint,
    key: &str,
    site_ids: &[String],
) -> Result<(), Msg> {
    if key.is_empty() {
        return Ok(());
    }
    let bad = || {
        Msg::new("value-bad-breakdown")
            .arg("key", key)
            .arg("id", &dp.id)
    };
    let (b, member) = key.split_once(':').ok_or_else(bad)?;
    if !dp.breakdowns.iter().any(|x| x == b) {
        return Err(bad());
    }
    let breakdown = cats.breakdown(b).ok_or_else(bad)?;
    let ok = match breakdown.dynamic.as_deref() {
        Some("sites") => site_ids.iter().any(|s| s == member),
        _ => breakdown.members.iter().any(|m| m.code == member),
    };
    if ok { Ok(()) } else { Err(bad()) }
}
