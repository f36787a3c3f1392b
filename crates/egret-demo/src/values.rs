//! Synthetic ESG data for the demo city: values for the catalogs each
//! organisation reports under, across the fiscal years, with some
//! organisations complete, some partial and some not started. Magnitudes
//! follow the organisation's revenue and workforce (intensity ranges per
//! dimension are in `data/demo/city.toml`), breakdowns add up to their
//! totals, and sum rules hold, so the demo passes the validation rules
//! unless a finding is wanted.

use std::collections::BTreeMap;

use egret_domain::catalog::{Catalog, Catalogs, DataPoint, Obligation, ReportingDuty, ValueKind};
use egret_domain::checks::Rule;
use egret_domain::org::OrgProfile;
use egret_domain::refdata::ReferenceData;
use egret_domain::units::convert;
use egret_domain::value::{Answer, Value};
use egret_store::ValueInput;
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use rust_decimal::Decimal;
use rust_decimal::prelude::FromPrimitive;
use serde::Deserialize;

/// How much of its catalogs an organisation has filled in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    Complete,
    Partial,
    NotStarted,
}

/// Value ranges per unit dimension, in the dimension's listed unit: amount
/// per 10,000 yuan of revenue, or, when `absolute`, the value itself (rates
/// and intensities that do not grow with the company).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Intensity {
    pub unit: String,
    pub min: f64,
    pub max: f64,
    #[serde(default)]
    pub absolute: bool,
}

fn dec(x: f64, dp: u32) -> Decimal {
    Decimal::from_f64(x)
        .unwrap_or_default()
        .round_dp(dp)
        .normalize()
}

/// The catalogs an organisation reports to in the demo.
pub fn catalogs_for<'a>(
    cats: &'a Catalogs,
    p: &OrgProfile,
    rd: &ReferenceData,
) -> Vec<&'a Catalog> {
    cats.catalogs()
        .filter(|c| c.duty(p, rd) != ReportingDuty::Voluntary)
        .collect()
}

/// A number in [0, 1) fixed for an organisation and a data point, so a
/// company's magnitudes stay stable from year to year (FNV-1a hash).
fn stable_fraction(org: &str, dp: &str) -> f64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in org.bytes().chain([0]).chain(dp.bytes()) {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    (h >> 11) as f64 / (1u64 << 53) as f64
}

struct Ctx<'a> {
    org_key: &'a str,
    rd: &'a ReferenceData,
    revenue_wan: f64,
    employees: f64,
    name_zh: &'a str,
    name_en: String,
    year_end: chrono::NaiveDate,
    intensity: &'a BTreeMap<String, Intensity>,
}

fn quantity(ctx: &Ctx, dp: &DataPoint, rng: &mut ChaCha8Rng, trend: f64) -> Option<Value> {
    let dim = dp.dimension.as_deref()?;
    let unit = dp.unit.clone()?;
    let x = if dim == "duration" {
        // Hours (e.g. training hours per employee).
        rng.random_range(8.0..48.0)
    } else if let Some(i) = ctx.intensity.get(dim) {
        let per_wan = i.min + (i.max - i.min) * stable_fraction(ctx.org_key, &dp.id);
        let scale = if i.absolute { 1.0 } else { ctx.revenue_wan };
        let in_i_unit = dec(per_wan * scale * trend, 4);
        convert(ctx.rd, in_i_unit, &i.unit, &unit)
            .ok()?
            .round_dp(3)
            .try_into()
            .ok()?
    } else {
        (1.0 + 99.0 * stable_fraction(ctx.org_key, &dp.id)) * trend
    };
    let mut amount = dec(x, 3);
    if dp.min.is_some_and(|m| amount < m) {
        amount = dp.min.unwrap_or_default();
    }
    if let Some(max) = dp.max
        && amount > max
    {
        amount = max;
    }
    Some(Value::Quantity { amount, unit })
}

fn value_for(ctx: &Ctx, dp: &DataPoint, rng: &mut ChaCha8Rng, trend: f64) -> Option<Value> {
    Some(match dp.kind {
        ValueKind::Quantity => quantity(ctx, dp, rng, trend)?,
        ValueKind::Amount => {
            let share = if dp.id.contains("revenue") {
                1.0
            } else if dp.id.contains("assets") {
                rng.random_range(0.8..2.5)
            } else {
                rng.random_range(0.001..0.03)
            };
            let yuan = dec(ctx.revenue_wan * 10_000.0 * share * trend, 2);
            Value::Amount {
                amount: yuan,
                unit: "CNY".into(),
            }
        }
        ValueKind::Percentage => {
            let max = dp.max.and_then(|m| f64::try_from(m).ok()).unwrap_or(100.0);
            Value::Percentage(dec(rng.random_range(5.0..max.clamp(6.0, 95.0)), 1))
        }
        ValueKind::Count => {
            let n = if dp.id.contains("headcount") || dp.id.contains("employees") {
                ctx.employees
            } else {
                rng.random_range(0.0..(ctx.employees / 100.0).clamp(1.0, 30.0))
                    .floor()
            };
            Value::Count(n.round() as i64)
        }
        ValueKind::Boolean => Value::Boolean(rng.random_ratio(4, 5)),
        ValueKind::Choice => Value::Choice(dp.choices.first()?.code.clone()),
        ValueKind::Date => Value::Date(ctx.year_end),
        ValueKind::Text => Value::Text(format!(
            "（合成演示）{}：{}已建立相应制度，明确责任部门并每年检查执行情况。\n(Synthetic demo) {}: {} has a policy, a responsible unit and an annual review.",
            dp.name_zh, ctx.name_zh, dp.name_en, ctx.name_en
        )),
        ValueKind::Table => {
            let row = dp
                .columns
                .iter()
                .map(|c| {
                    let v = match c.kind {
                        ValueKind::Count | ValueKind::Quantity | ValueKind::Percentage => {
                            "2030".to_string()
                        }
                        _ => format!("{}（合成演示 synthetic）", c.name_zh),
                    };
                    (c.id.clone(), v)
                })
                .collect();
            Value::Table(vec![row])
        }
    })
}

/// Data points the carbon inventory calculates (see the `carbon` module);
/// they are never typed in.
const CALCULATED: [&str; 5] = [
    "ghg.scope1",
    "ghg.scope2-location",
    "ghg.scope2-market",
    "ghg.scope12",
    "ghg.scope123",
];

/// Generates the answers of one organisation for one fiscal year.
#[allow(clippy::too_many_arguments)]
pub fn answers(
    cats: &Catalogs,
    rd: &ReferenceData,
    p: &OrgProfile,
    year: i32,
    first_year: i32,
    progress: Progress,
    intensity: &BTreeMap<String, Intensity>,
    rng: &mut ChaCha8Rng,
) -> Vec<ValueInput> {
    let catalogs = catalogs_for(cats, p, rd);
    if catalogs.is_empty() || progress == Progress::NotStarted {
        return Vec::new();
    }
    let ctx = Ctx {
        org_key: p.uscc.as_str(),
        rd,
        revenue_wan: p
            .revenue_cny
            .and_then(|r| f64::try_from(r / Decimal::from(10_000)).ok())
            .unwrap_or(1_000.0),
        employees: p.employees.unwrap_or(50) as f64,
        name_zh: &p.name_zh,
        name_en: p.name_en.clone().unwrap_or_default(),
        year_end: chrono::NaiveDate::from_ymd_opt(year, 12, 31).expect("valid"),
        intensity,
    };
    // Growth of about 4% a year with a little noise, so year-over-year
    // checks pass.
    let trend = 1.04f64.powi(year - first_year) * rng.random_range(0.97..1.03);
    let mut out: BTreeMap<(String, String), Answer> = BTreeMap::new();
    for c in catalogs {
        for r in c
            .requirements
            .iter()
            .filter(|r| r.applies.applies_to(p, rd))
        {
            let key = (r.datapoint.clone(), String::new());
            if out.contains_key(&key) || CALCULATED.contains(&r.datapoint.as_str()) {
                continue;
            }
            if progress == Progress::Partial && rng.random_ratio(3, 10) {
                continue;
            }
            let Some(dp) = cats.datapoint(&r.datapoint) else {
                continue;
            };
            let answer = if r.obligation != Obligation::Required && rng.random_ratio(1, 8) {
                Answer::NotApplicable {
                    reason: Some(
                        "经重要性评估不具重要性（合成演示）/ Not material (synthetic demo)".into(),
                    ),
                }
            } else {
                match value_for(&ctx, dp, rng, trend) {
                    Some(v) => Answer::Value(v),
                    None => continue,
                }
            };
            // Breakdowns of counts (e.g. headcount by gender) that add up.
            if let (Answer::Value(Value::Count(total)), Some(b)) = (
                &answer,
                dp.breakdowns.first().and_then(|b| cats.breakdown(b)),
            ) && b.dynamic.is_none()
                && !b.members.is_empty()
            {
                let mut left = *total;
                let n = b.members.len();
                for (i, m) in b.members.iter().enumerate() {
                    let part = if i + 1 == n {
                        left
                    } else {
                        let share = rng.random_range(0..=left.max(0) as u64 / 2) as i64;
                        left -= share;
                        share
                    };
                    out.insert(
                        (dp.id.clone(), format!("{}:{}", b.id, m.code)),
                        Answer::Value(Value::Count(part)),
                    );
                }
            }
            out.insert(key, answer);
        }
    }
    enforce_sums(cats, rd, &mut out);
    out.into_iter()
        .map(|((datapoint, breakdown), answer)| ValueInput {
            datapoint,
            breakdown,
            answer,
            comment: None,
        })
        .collect()
}

/// Makes `sum` rules hold: the total becomes the sum of its parts.
fn enforce_sums(cats: &Catalogs, rd: &ReferenceData, out: &mut BTreeMap<(String, String), Answer>) {
    for rule in cats.rules() {
        let Rule::Sum { total, parts, .. } = rule else {
            continue;
        };
        let Some(unit) = cats.datapoint(total).and_then(|d| d.unit.clone()) else {
            continue;
        };
        let key = (total.clone(), String::new());
        if !matches!(out.get(&key), Some(Answer::Value(_))) {
            continue;
        }
        let sum: Option<Decimal> = parts
            .iter()
            .map(|p| match out.get(&(p.clone(), String::new())) {
                Some(Answer::Value(v)) => v.in_unit(rd, &unit),
                _ => None,
            })
            .sum();
        match sum {
            Some(s) => {
                out.insert(
                    key,
                    Answer::Value(Value::Quantity {
                        amount: s.round_dp(3).normalize(),
                        unit,
                    }),
                );
            }
            None => {
                out.remove(&key);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use egret_domain::checks::run_checks;
    use rand::SeedableRng;

    #[test]
    fn demo_data_is_consistent_year_over_year_and_passes_the_rules() {
        let plan = crate::DemoPlan::shipped().unwrap();
        let mut small = plan.clone();
        small.organizations = 200;
        let city = crate::generate(&small).unwrap();
        let cats = Catalogs::embedded();
        let rd = ReferenceData::embedded();
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let mut checked = 0;
        for org in city.orgs.iter().filter(|o| o.profile.is_listed()).take(15) {
            let mut prior: Option<egret_domain::checks::ValueSet> = None;
            for year in [2023, 2024, 2025] {
                let inputs = answers(
                    cats,
                    rd,
                    &org.profile,
                    year,
                    2023,
                    Progress::Complete,
                    &plan.intensity,
                    &mut rng,
                );
                assert!(!inputs.is_empty());
                let set: egret_domain::checks::ValueSet = inputs
                    .into_iter()
                    .filter_map(|i| match i.answer {
                        Answer::Value(v) => Some(((i.datapoint, i.breakdown), v)),
                        _ => None,
                    })
                    .collect();
                let findings = run_checks(cats, rd, &set, prior.as_ref());
                assert!(
                    findings.is_empty(),
                    "{} {year}: {:?}",
                    org.profile.name_zh,
                    findings
                        .iter()
                        .map(|f| (&f.rule, &f.datapoint, f.msg.render(egret_i18n::Lang::En)))
                        .collect::<Vec<_>>()
                );
                prior = Some(set);
                checked += 1;
            }
        }
        assert_eq!(checked, 45);
    }
}
