//! Synthetic carbon activity data for the demo city: per organisation and
//! year, quantities proportional to revenue or workforce with a rate fixed
//! per organisation (the ranges are data, `[[activity]]` in
//! `data/demo/city.toml`), calculated into inventories through the store.

use egret_carbon::library::Library;
use egret_domain::org::OrgProfile;
use egret_domain::refdata::ReferenceData;
use egret_store::ActivityInput;
use rust_decimal::Decimal;
use rust_decimal::prelude::FromPrimitive;
use serde::Deserialize;

/// One kind of activity the demo organisations have.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActivityPlan {
    pub category: String,
    /// A factor id, or `grid`: the latest published Fujian provincial (else
    /// East China regional) grid factor up to the year.
    pub factor: String,
    pub unit: String,
    /// `revenue` (per 10,000 yuan) or `employees` (per person).
    pub basis: String,
    pub min: f64,
    pub max: f64,
    /// GB/T 4754 sections that have this activity (empty: all).
    #[serde(default)]
    pub sections: Vec<String>,
    /// Only one organisation in this many has it (1: all).
    #[serde(default = "one")]
    pub every: u64,
    /// Purchased electricity covered by green certificates.
    #[serde(default)]
    pub instrument: Option<String>,
    pub description_zh: String,
    pub description_en: String,
}

fn one() -> u64 {
    1
}

/// Checks the plan against the library and units.
pub fn check(plans: &[ActivityPlan], lib: &Library, rd: &ReferenceData) -> anyhow::Result<()> {
    for (i, a) in plans.iter().enumerate() {
        let at = format!("city.toml activity[{}]", i + 1);
        if egret_carbon::calc::Category::parse(&a.category).is_none() {
            anyhow::bail!("{at}.category: unknown category `{}`", a.category);
        }
        if a.factor != "grid" && lib.get(&a.factor).is_none() {
            anyhow::bail!("{at}.factor: unknown factor `{}`", a.factor);
        }
        if rd.unit(&a.unit).is_none() {
            anyhow::bail!("{at}.unit: unknown unit `{}`", a.unit);
        }
        if !matches!(a.basis.as_str(), "revenue" | "employees") || a.min < 0.0 || a.max < a.min {
            anyhow::bail!("{at}: basis must be revenue or employees and 0 ≤ min ≤ max");
        }
    }
    Ok(())
}

/// The grid factor a company would use for `year`: the latest published
/// one up to that year, Fujian provincial before East China regional.
pub fn grid_factor(lib: &Library, year: i32) -> Option<String> {
    (2015..=year).rev().find_map(|y| {
        ["fujian", "east"]
            .iter()
            .map(|g| format!("cn.grid.{g}.{y}"))
            .find(|id| lib.get(id).is_some())
    })
}

/// FNV-1a over the organisation and item: a number in [0, 1) that stays
/// the same from year to year.
fn stable(org: &str, item: usize) -> f64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in org.bytes().chain([0, item as u8]) {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    (h >> 11) as f64 / (1u64 << 53) as f64
}

/// The activities of one organisation in one year; `trend` scales them
/// (e.g. growth, efficiency gains).
pub fn activities(
    plans: &[ActivityPlan],
    lib: &Library,
    rd: &ReferenceData,
    p: &OrgProfile,
    org_index: u64,
    year: i32,
    trend: f64,
) -> Vec<ActivityInput> {
    let revenue_wan = p
        .revenue_cny
        .and_then(|r| f64::try_from(r / Decimal::from(10_000)).ok())
        .unwrap_or(1_000.0);
    let employees = p.employees.unwrap_or(50) as f64;
    let section = p
        .industry_code
        .get(..2)
        .and_then(|d| rd.division(d))
        .map_or("", |d| d.section.as_str());
    let mut out = Vec::new();
    for (i, a) in plans.iter().enumerate() {
        if !a.sections.is_empty() && !a.sections.iter().any(|s| s == section) {
            continue;
        }
        if !org_index.is_multiple_of(a.every.max(1)) {
            continue;
        }
        let factor = if a.factor == "grid" {
            match grid_factor(lib, year) {
                Some(f) => f,
                None => continue,
            }
        } else {
            a.factor.clone()
        };
        let rate = a.min + (a.max - a.min) * stable(p.uscc.as_str(), i);
        let basis = if a.basis == "revenue" {
            revenue_wan
        } else {
            employees
        };
        let Some(quantity) = Decimal::from_f64(basis * rate * trend).map(|d| d.round_dp(3)) else {
            continue;
        };
        if quantity.is_zero() {
            continue;
        }
        out.push(ActivityInput {
            activity_id: None,
            site_id: None,
            category: a.category.clone(),
            description: Some(format!("{} / {}", a.description_zh, a.description_en)),
            quantity: quantity.normalize(),
            unit: a.unit.clone(),
            factor,
            instrument: a.instrument.clone(),
            market_factor: None,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grid_factor_is_the_latest_published() {
        let lib = Library::embedded();
        assert_eq!(
            grid_factor(lib, 2022).as_deref(),
            Some("cn.grid.fujian.2022")
        );
        assert_eq!(grid_factor(lib, 2023).as_deref(), Some("cn.grid.east.2023"));
        assert_eq!(grid_factor(lib, 2025).as_deref(), Some("cn.grid.east.2023"));
    }
}
