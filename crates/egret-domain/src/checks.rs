//! Validation rules as data (`data/catalogs/rules.toml`): ranges, sums,
//! breakdowns adding up to totals, year-over-year jumps and intensity
//! plausibility, plus each data point's own min/max.

use std::collections::BTreeMap;

use egret_i18n::Msg;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::catalog::{Breakdown, Catalogs, DataPoint, ValueKind};
use crate::refdata::ReferenceData;
use crate::value::Value;

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Error,
    #[default]
    Warning,
}

fn dec<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Decimal, D::Error> {
    let s = String::deserialize(d)?;
    s.parse().map_err(serde::de::Error::custom)
}

fn opt_dec<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Decimal>, D::Error> {
    let s: Option<String> = Option::deserialize(d)?;
    s.map(|s| s.parse().map_err(serde::de::Error::custom))
        .transpose()
}

/// One validation rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Rule {
    Range {
        id: String,
        datapoint: String,
        #[serde(default, deserialize_with = "opt_dec")]
        min: Option<Decimal>,
        #[serde(default, deserialize_with = "opt_dec")]
        max: Option<Decimal>,
        #[serde(default)]
        severity: Severity,
    },
    BreakdownSum {
        id: String,
        datapoint: String,
        breakdown: String,
        #[serde(default, deserialize_with = "opt_dec")]
        tolerance: Option<Decimal>,
        #[serde(default)]
        severity: Severity,
    },
    Sum {
        id: String,
        total: String,
        parts: Vec<String>,
        #[serde(default, deserialize_with = "opt_dec")]
        tolerance: Option<Decimal>,
        #[serde(default)]
        severity: Severity,
    },
    YoyChange {
        id: String,
        datapoint: String,
        #[serde(deserialize_with = "dec")]
        max_pct: Decimal,
        #[serde(default)]
        severity: Severity,
    },
    Intensity {
        id: String,
        numerator: String,
        numerator_unit: String,
        denominator: String,
        denominator_unit: String,
        #[serde(default, deserialize_with = "opt_dec")]
        min: Option<Decimal>,
        #[serde(default, deserialize_with = "opt_dec")]
        max: Option<Decimal>,
        #[serde(default)]
        severity: Severity,
    },
}

fn numeric_kind(dp: &DataPoint) -> bool {
    matches!(
        dp.kind,
        ValueKind::Quantity | ValueKind::Amount | ValueKind::Percentage | ValueKind::Count
    )
}

impl Rule {
    pub fn id(&self) -> &str {
        match self {
            Rule::Range { id, .. }
            | Rule::BreakdownSum { id, .. }
            | Rule::Sum { id, .. }
            | Rule::YoyChange { id, .. }
            | Rule::Intensity { id, .. } => id,
        }
    }

    /// Checks the rule's references against the dictionary (at load).
    pub(crate) fn check(
        &self,
        index: &BTreeMap<String, usize>,
        dps: &[DataPoint],
        breakdowns: &[Breakdown],
        rd: &ReferenceData,
    ) -> Result<(), Msg> {
        let get = |id: &str| -> Result<&DataPoint, Msg> {
            let dp = index
                .get(id)
                .map(|i| &dps[*i])
                .ok_or_else(|| Msg::new("catalog-unknown-datapoint").arg("id", id))?;
            if numeric_kind(dp) {
                Ok(dp)
            } else {
                Err(Msg::new("check-not-numeric").arg("id", id))
            }
        };
        let dim = |dp: &DataPoint| -> Option<String> {
            match dp.kind {
                ValueKind::Percentage => Some("ratio".to_string()),
                ValueKind::Count => Some("count".to_string()),
                _ => dp.unit_dimension().map(str::to_string),
            }
        };
        match self {
            Rule::Range { datapoint, .. } | Rule::YoyChange { datapoint, .. } => {
                get(datapoint).map(|_| ())
            }
            Rule::BreakdownSum {
                datapoint,
                breakdown,
                ..
            } => {
                let dp = get(datapoint)?;
                if !dp.breakdowns.contains(breakdown)
                    || !breakdowns.iter().any(|b| &b.id == breakdown)
                {
                    return Err(Msg::new("catalog-unknown-breakdown").arg("id", breakdown));
                }
                Ok(())
            }
            Rule::Sum { total, parts, .. } => {
                let t = get(total)?;
                for p in parts {
                    if dim(get(p)?) != dim(t) {
                        return Err(Msg::new("check-dimension-mismatch").arg("id", p));
                    }
                }
                Ok(())
            }
            Rule::Intensity {
                numerator,
                numerator_unit,
                denominator,
                denominator_unit,
                ..
            } => {
                for (id, unit) in [(numerator, numerator_unit), (denominator, denominator_unit)] {
                    let dp = get(id)?;
                    rd.unit(unit)
                        .ok_or_else(|| Msg::new("unit-unknown").arg("code", unit))?;
                    if dim(dp).is_none_or(|d| rd.unit_in(unit, &d).is_none()) {
                        return Err(Msg::new("check-dimension-mismatch").arg("id", id));
                    }
                }
                Ok(())
            }
        }
    }
}

/// A problem the rules found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    pub rule: String,
    pub datapoint: String,
    pub breakdown: String,
    pub severity: Severity,
    pub msg: Msg,
}

/// Values of one organisation and period: (data point, breakdown key) →
/// value.
pub type ValueSet = BTreeMap<(String, String), Value>;

fn num_in(rd: &ReferenceData, v: &Value, unit: Option<&str>) -> Option<Decimal> {
    match unit {
        Some(u) => v.in_unit(rd, u),
        None => v.numeric(),
    }
}

/// Runs every rule and every data point's own range over `current`
/// (`prior` is the previous period, for year-over-year rules). Rules whose
/// inputs are absent are skipped.
pub fn run_checks(
    cats: &Catalogs,
    rd: &ReferenceData,
    current: &ValueSet,
    prior: Option<&ValueSet>,
) -> Vec<Finding> {
    let mut out = Vec::new();
    let total = |id: &str| current.get(&(id.to_string(), String::new()));
    // Each data point's own min/max, in its default unit.
    for ((dp_id, bk), v) in current {
        let Some(dp) = cats.datapoint(dp_id) else {
            continue;
        };
        let Some(x) = num_in(rd, v, dp.unit.as_deref()) else {
            continue;
        };
        if dp.min.is_some_and(|m| x < m) || dp.max.is_some_and(|m| x > m) {
            out.push(Finding {
                rule: "datapoint-range".into(),
                datapoint: dp_id.clone(),
                breakdown: bk.clone(),
                severity: Severity::Error,
                msg: Msg::new("check-range")
                    .arg("value", x)
                    .arg(
                        "min",
                        dp.min.map(|d| d.to_string()).unwrap_or_else(|| "—".into()),
                    )
                    .arg(
                        "max",
                        dp.max.map(|d| d.to_string()).unwrap_or_else(|| "—".into()),
                    ),
            });
        }
    }
    for rule in cats.rules() {
        match rule {
            Rule::Range {
                id,
                datapoint,
                min,
                max,
                severity,
            } => {
                let unit = cats.datapoint(datapoint).and_then(|d| d.unit.clone());
                // The total and every breakdown value.
                for ((_, bk), v) in current.iter().filter(|((d, _), _)| d == datapoint) {
                    let Some(x) = num_in(rd, v, unit.as_deref()) else {
                        continue;
                    };
                    if !(min.is_some_and(|m| x < m) || max.is_some_and(|m| x > m)) {
                        continue;
                    }
                    out.push(Finding {
                        rule: id.clone(),
                        datapoint: datapoint.clone(),
                        breakdown: bk.clone(),
                        severity: *severity,
                        msg: Msg::new("check-range")
                            .arg("value", x)
                            .arg(
                                "min",
                                min.map(|d| d.to_string()).unwrap_or_else(|| "—".into()),
                            )
                            .arg(
                                "max",
                                max.map(|d| d.to_string()).unwrap_or_else(|| "—".into()),
                            ),
                    });
                }
            }
            Rule::BreakdownSum {
                id,
                datapoint,
                breakdown,
                tolerance,
                severity,
            } => {
                let unit = cats.datapoint(datapoint).and_then(|d| d.unit.clone());
                let Some(t) = total(datapoint).and_then(|v| num_in(rd, v, unit.as_deref())) else {
                    continue;
                };
                let prefix = format!("{breakdown}:");
                let parts: Vec<Decimal> = current
                    .iter()
                    .filter(|((d, b), _)| d == datapoint && b.starts_with(&prefix))
                    .filter_map(|(_, v)| num_in(rd, v, unit.as_deref()))
                    .collect();
                // Only a complete breakdown must add up to the total.
                let members = cats
                    .breakdown(breakdown)
                    .filter(|b| b.dynamic.is_none())
                    .map_or(0, |b| b.members.len());
                if parts.is_empty() || parts.len() < members {
                    continue;
                }
                let sum: Decimal = parts.iter().sum();
                if (sum - t).abs() > tolerance.unwrap_or_default() {
                    out.push(Finding {
                        rule: id.clone(),
                        datapoint: datapoint.clone(),
                        breakdown: String::new(),
                        severity: *severity,
                        msg: Msg::new("check-breakdown-sum")
                            .arg("breakdown", breakdown)
                            .arg("sum", sum.normalize())
                            .arg("total", t.normalize()),
                    });
                }
            }
            Rule::Sum {
                id,
                total: t_id,
                parts,
                tolerance,
                severity,
            } => {
                let unit = cats.datapoint(t_id).and_then(|d| d.unit.clone());
                let Some(t) = total(t_id).and_then(|v| num_in(rd, v, unit.as_deref())) else {
                    continue;
                };
                let vals: Option<Vec<Decimal>> = parts
                    .iter()
                    .map(|p| total(p).and_then(|v| num_in(rd, v, unit.as_deref())))
                    .collect();
                let Some(vals) = vals else { continue };
                let sum: Decimal = vals.iter().sum();
                if (sum - t).abs() > tolerance.unwrap_or_default() {
                    out.push(Finding {
                        rule: id.clone(),
                        datapoint: t_id.clone(),
                        breakdown: String::new(),
                        severity: *severity,
                        msg: Msg::new("check-sum")
                            .arg("parts", parts.join(" + "))
                            .arg("sum", sum.normalize())
                            .arg("total", t.normalize()),
                    });
                }
            }
            Rule::YoyChange {
                id,
                datapoint,
                max_pct,
                severity,
            } => {
                let unit = cats.datapoint(datapoint).and_then(|d| d.unit.clone());
                let now = total(datapoint).and_then(|v| num_in(rd, v, unit.as_deref()));
                let before = prior
                    .and_then(|p| p.get(&(datapoint.clone(), String::new())))
                    .and_then(|v| num_in(rd, v, unit.as_deref()));
                if let (Some(now), Some(before)) = (now, before)
                    && !before.is_zero()
                {
                    let pct = ((now - before) / before * Decimal::ONE_HUNDRED).round_dp(1);
                    if pct.abs() > *max_pct {
                        out.push(Finding {
                            rule: id.clone(),
                            datapoint: datapoint.clone(),
                            breakdown: String::new(),
                            severity: *severity,
                            msg: Msg::new("check-yoy").arg("change", pct).arg("max", max_pct),
                        });
                    }
                }
            }
            Rule::Intensity {
                id,
                numerator,
                numerator_unit,
                denominator,
                denominator_unit,
                min,
                max,
                severity,
            } => {
                let n = total(numerator).and_then(|v| v.in_unit(rd, numerator_unit));
                let d = total(denominator).and_then(|v| v.in_unit(rd, denominator_unit));
                if let (Some(n), Some(d)) = (n, d)
                    && !d.is_zero()
                {
                    let x = n / d;
                    if min.is_some_and(|m| x < m) || max.is_some_and(|m| x > m) {
                        out.push(Finding {
                            rule: id.clone(),
                            datapoint: numerator.clone(),
                            breakdown: String::new(),
                            severity: *severity,
                            msg: Msg::new("check-intensity")
                                .arg("value", x.round_dp(4))
                                .arg("unit", format!("{numerator_unit}/{denominator_unit}"))
                                .arg(
                                    "min",
                                    min.map(|v| v.to_string()).unwrap_or_else(|| "—".into()),
                                )
                                .arg(
                                    "max",
                                    max.map(|v| v.to_string()).unwrap_or_else(|| "—".into()),
                                ),
                        });
                    }
                }
            }
        }
    }
    out
}
