//! Units of measure and exact conversion within a dimension.
//!
//! Units are data (`data/reference/units.toml`): each has a dimension and a
//! factor to the dimension's base unit, written as an exact decimal
//! (`"29.3076"`) or a ratio (`"2000/3"` for the mu in m²). Conversion
//! multiplies by the source factor and divides by the target factor, with
//! ratio denominators folded into a single final division, so decimal
//! factors convert exactly.

use std::collections::HashSet;

use egret_i18n::Msg;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::refdata::{Meta, RefDataError, RefDataProblem, ReferenceData};

/// A quantity dimension (energy, mass, ...).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Dimension {
    pub id: String,
    pub name_zh: String,
    pub name_en: String,
    /// Code of the base unit; every factor converts to it.
    pub base: String,
}

/// An exact conversion factor to the base unit: `num / den`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Factor {
    pub num: Decimal,
    pub den: Decimal,
}

impl Factor {
    fn parse(s: &str) -> Option<Factor> {
        let (num, den) = match s.split_once('/') {
            Some((n, d)) => (n.trim().parse().ok()?, d.trim().parse().ok()?),
            None => (s.trim().parse().ok()?, Decimal::ONE),
        };
        (num > Decimal::ZERO && den > Decimal::ZERO).then_some(Factor { num, den })
    }
}

/// A unit of measure.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Unit {
    pub code: String,
    pub dimension: String,
    pub name_zh: String,
    pub name_en: String,
    /// Other spellings accepted on input (`吨标准煤`, `万元`).
    pub aliases: Vec<String>,
    pub factor: Factor,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawUnit {
    code: String,
    dimension: String,
    name_zh: String,
    name_en: String,
    #[serde(default)]
    aliases: Vec<String>,
    factor: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UnitsFile {
    meta: Meta,
    dimension: Vec<Dimension>,
    unit: Vec<RawUnit>,
}

/// The unit table of the reference data.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct UnitTable {
    pub(crate) dimensions: Vec<Dimension>,
    pub(crate) units: Vec<Unit>,
}

/// Parses and checks `units.toml`.
pub(crate) fn load(file: &str, text: &str) -> Result<(Meta, UnitTable), RefDataError> {
    let raw: UnitsFile = toml::from_str(text)
        .map_err(|e| RefDataError::new(file, "", RefDataProblem::Syntax(e.to_string())))?;
    let mut seen = HashSet::new();
    for (i, d) in raw.dimension.iter().enumerate() {
        if !seen.insert(d.id.clone()) {
            return Err(RefDataError::new(
                file,
                format!("dimension[{}].id", i + 1),
                RefDataProblem::Duplicate(d.id.clone()),
            ));
        }
    }
    // Codes and aliases are unique within a dimension ("t" may be a tonne
    // of mass and a tonne of water).
    let mut codes = HashSet::new();
    let mut units = Vec::new();
    for (i, u) in raw.unit.into_iter().enumerate() {
        let at = |f: &str| format!("unit[{}].{f}", i + 1);
        if !seen.contains(&u.dimension) {
            return Err(RefDataError::new(
                file,
                at("dimension"),
                RefDataProblem::UnknownRef(u.dimension),
            ));
        }
        let mut own = HashSet::new();
        for name in std::iter::once(&u.code).chain(&u.aliases) {
            if !own.insert(name.to_lowercase()) {
                continue;
            }
            if !codes.insert((u.dimension.clone(), name.to_lowercase())) {
                return Err(RefDataError::new(
                    file,
                    at("code"),
                    RefDataProblem::Duplicate(name.clone()),
                ));
            }
        }
        let factor = Factor::parse(&u.factor).ok_or_else(|| {
            RefDataError::new(
                file,
                at("factor"),
                RefDataProblem::Invalid {
                    value: u.factor.clone(),
                    rule: "a positive decimal or ratio such as 2000/3",
                },
            )
        })?;
        units.push(Unit {
            code: u.code,
            dimension: u.dimension,
            name_zh: u.name_zh,
            name_en: u.name_en,
            aliases: u.aliases,
            factor,
        });
    }
    for (i, d) in raw.dimension.iter().enumerate() {
        let base = units
            .iter()
            .find(|u| u.code == d.base && u.dimension == d.id);
        if base.is_none_or(|u| u.dimension != d.id || u.factor.num != u.factor.den) {
            return Err(RefDataError::new(
                file,
                format!("dimension[{}].base", i + 1),
                RefDataProblem::Invalid {
                    value: d.base.clone(),
                    rule: "a unit of this dimension with factor 1",
                },
            ));
        }
    }
    Ok((
        raw.meta,
        UnitTable {
            dimensions: raw.dimension,
            units,
        },
    ))
}

/// Why a conversion or unit lookup failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UnitError {
    Unknown {
        code: String,
    },
    Incompatible {
        unit: String,
        dimension: String,
        expected: String,
    },
    /// The converted amount is too large to hold exactly.
    Overflow {
        value: String,
        unit: String,
    },
}

impl UnitError {
    pub fn msg(&self) -> Msg {
        match self {
            UnitError::Unknown { code } => Msg::new("unit-unknown").arg("code", code),
            UnitError::Overflow { value, unit } => Msg::new("unit-overflow")
                .arg("value", value)
                .arg("unit", unit),
            UnitError::Incompatible {
                unit,
                dimension,
                expected,
            } => {
                let rd = ReferenceData::embedded();
                let allowed: Vec<&str> = rd.units_of(expected).map(|u| u.code.as_str()).collect();
                let name = |id: &str| {
                    rd.dimension(id)
                        .map(|d| format!("{}（{}）", d.name_zh, d.name_en.to_lowercase()))
                        .unwrap_or_else(|| id.to_string())
                };
                Msg::new("unit-incompatible")
                    .arg("unit", unit)
                    .arg("dimension", name(dimension))
                    .arg("expected", name(expected))
                    .arg("allowed", allowed.join(", "))
            }
        }
    }
}

impl std::fmt::Display for UnitError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.msg().render(egret_i18n::Lang::En))
    }
}

impl std::error::Error for UnitError {}

impl ReferenceData {
    /// A unit by exact code, or by alias. A code
    /// used in several dimensions gives the first; use [`Self::unit_in`]
    /// when the dimension is known.
    pub fn unit(&self, code: &str) -> Option<&Unit> {
        self.find_unit(code, None)
    }

    /// A unit by code or alias within one dimension.
    pub fn unit_in(&self, code: &str, dimension: &str) -> Option<&Unit> {
        self.find_unit(code, Some(dimension))
    }

    fn find_unit(&self, code: &str, dimension: Option<&str>) -> Option<&Unit> {
        let code = code.trim();
        let mut all = self
            .unit_table()
            .units
            .iter()
            .filter(|u| dimension.is_none_or(|d| u.dimension == d));
        // Codes match exactly (mL and ML differ by 10⁹); aliases may be
        // written in any letter case.
        let exact = all.clone().find(|u| u.code == code);
        exact
            .or_else(|| all.clone().find(|u| u.aliases.iter().any(|a| a == code)))
            .or_else(|| all.find(|u| u.aliases.iter().any(|a| a.eq_ignore_ascii_case(code))))
    }

    pub fn units(&self) -> impl Iterator<Item = &Unit> {
        self.unit_table().units.iter()
    }

    pub fn dimension(&self, id: &str) -> Option<&Dimension> {
        self.unit_table().dimensions.iter().find(|d| d.id == id)
    }

    pub fn dimensions(&self) -> impl Iterator<Item = &Dimension> {
        self.unit_table().dimensions.iter()
    }

    /// The units of one dimension, in file order.
    pub fn units_of<'a>(&'a self, dimension: &'a str) -> impl Iterator<Item = &'a Unit> {
        self.unit_table()
            .units
            .iter()
            .filter(move |u| u.dimension == dimension)
    }
}

fn lookup<'a>(rd: &'a ReferenceData, code: &str) -> Result<&'a Unit, UnitError> {
    rd.unit(code).ok_or_else(|| UnitError::Unknown {
        code: code.to_string(),
    })
}

/// Converts `value` from one unit to another of the same dimension (the
/// dimension both codes share).
pub fn convert(
    rd: &ReferenceData,
    value: Decimal,
    from: &str,
    to: &str,
) -> Result<Decimal, UnitError> {
    let f0 = lookup(rd, from)?;
    let t0 = lookup(rd, to)?;
    let pair = rd
        .dimensions()
        .find_map(|d| Some((rd.unit_in(from, &d.id)?, rd.unit_in(to, &d.id)?)));
    let Some((f, t)) = pair else {
        return Err(UnitError::Incompatible {
            unit: f0.code.clone(),
            dimension: f0.dimension.clone(),
            expected: t0.dimension.clone(),
        });
    };
    if f.code == t.code {
        return Ok(value);
    }
    // value × (fn/fd) ÷ (tn/td) = value × fn × td ÷ (fd × tn)
    let overflow = || UnitError::Overflow {
        value: value.to_string(),
        unit: t.code.clone(),
    };
    let num = value
        .checked_mul(f.factor.num)
        .and_then(|x| x.checked_mul(t.factor.den))
        .ok_or_else(overflow)?;
    let den = f
        .factor
        .den
        .checked_mul(t.factor.num)
        .ok_or_else(overflow)?;
    Ok(num.checked_div(den).ok_or_else(overflow)?.normalize())
}

/// `value` in the base unit of its dimension, with the dimension id.
pub fn to_base(
    rd: &ReferenceData,
    value: Decimal,
    unit: &str,
) -> Result<(Decimal, String), UnitError> {
    let u = lookup(rd, unit)?;
    let dim = rd
        .dimension(&u.dimension)
        .expect("units reference known dimensions");
    let base = rd.unit_in(&dim.base, &dim.id).expect("checked at load");
    Ok((
        value * u.factor.num / u.factor.den / base.factor.num * base.factor.den,
        dim.id.clone(),
    ))
}

/// Checks that `unit` belongs to `dimension`.
pub fn check_dimension<'a>(
    rd: &'a ReferenceData,
    unit: &str,
    dimension: &str,
) -> Result<&'a Unit, UnitError> {
    match rd.unit_in(unit, dimension) {
        Some(u) => Ok(u),
        None => {
            let u = lookup(rd, unit)?;
            Err(UnitError::Incompatible {
                unit: u.code.clone(),
                dimension: u.dimension.clone(),
                expected: dimension.to_string(),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn rd() -> &'static ReferenceData {
        ReferenceData::embedded()
    }

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    #[test]
    fn energy_conversions_are_exact() {
        assert_eq!(convert(rd(), d("1"), "tce", "GJ").unwrap(), d("29.3076"));
        assert_eq!(convert(rd(), d("1"), "MWh", "GJ").unwrap(), d("3.6"));
        assert_eq!(convert(rd(), d("1000"), "kWh", "MWh").unwrap(), d("1"));
        assert_eq!(convert(rd(), d("293.076"), "GJ", "tce").unwrap(), d("10"));
        assert_eq!(convert(rd(), d("1"), "吨标准煤", "tce").unwrap(), d("1"));
    }

    #[test]
    fn money_and_ratio_units() {
        assert_eq!(
            convert(rd(), d("3"), "CNY_100m", "CNY_10k").unwrap(),
            d("30000")
        );
        assert_eq!(
            convert(rd(), d("12345.67"), "万元", "CNY").unwrap(),
            d("123456700")
        );
        assert_eq!(convert(rd(), d("3"), "mu", "m2").unwrap(), d("2000"));
        assert_eq!(
            convert(rd(), d("2"), "ML", "t").unwrap(),
            d("2000"),
            "water tonnes"
        );
        assert_eq!(
            convert(rd(), d("2"), "t", "kg").unwrap(),
            d("2000"),
            "mass tonnes"
        );
    }

    #[test]
    fn incompatible_units_name_the_expected_dimension() {
        let e = convert(rd(), d("1"), "kWh", "t").unwrap_err();
        assert!(matches!(&e, UnitError::Incompatible { expected, .. } if expected == "mass"));
        let text = e.msg().render(egret_i18n::Lang::En);
        assert!(text.contains("mass") && text.contains("kg"), "{text}");
        assert!(matches!(
            convert(rd(), d("1"), "furlong", "m"),
            Err(UnitError::Unknown { .. })
        ));
    }

    #[test]
    fn every_dimension_has_its_base_unit() {
        for dim in rd().dimensions() {
            assert!(rd().unit_in(&dim.base, &dim.id).is_some(), "{}", dim.id);
        }
        assert!(rd().units().count() >= 25);
    }

    #[test]
    fn bad_unit_files_are_refused_with_the_entry() {
        let text = "[meta]\nversion='1'\nsource='s'\nconfidence='H'\n\
            [[dimension]]\nid='mass'\nname_zh='质量'\nname_en='Mass'\nbase='kg'\n\
            [[unit]]\ncode='kg'\ndimension='mass'\nname_zh='千克'\nname_en='kilogram'\nfactor='1'\n\
            [[unit]]\ncode='t'\ndimension='weight'\nname_zh='吨'\nname_en='tonne'\nfactor='1000'\n";
        let e = load("units.toml", text).unwrap_err();
        assert_eq!(e.location, "unit[2].dimension");
    }

    proptest! {
        #[test]
        fn conversion_round_trips(mantissa in -1_000_000_000_000i64..1_000_000_000_000, scale in 0u32..=6, pair in 0usize..6) {
            let pairs = [("tce", "GJ"), ("kWh", "MWh"), ("t", "kg"), ("CNY_10k", "CNY"), ("tCO2e", "kgCO2e"), ("ML", "m3")];
            // "m3" is both a volume and a water unit; ML only water.
            let (a, b) = pairs[pair];
            let v = Decimal::new(mantissa, scale);
            let there = convert(rd(), v, a, b).unwrap();
            let back = convert(rd(), there, b, a).unwrap();
            prop_assert_eq!(back, v.normalize());
        }
    }
}
