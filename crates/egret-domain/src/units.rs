//! Units of measure and exact conversion within a dimension.
//!
//! Units are data (`data/reference/units.toml`, format in
//! `docs/catalog-format.md`): each belongs to a dimension (energy, mass,
//! money, ...) and has an exact factor to the dimension's base unit, written
//! as a decimal (`"29.3076"`: 1 tce = 29.3076 GJ) or a ratio (`"2000/3"`:
//! 1 mu = 2000/3 m²). A unit may list `aliases`, other spellings people type
//! (`吨标准煤`, `万元`).
//!
//! Conversion multiplies by the source factor and divides by the target
//! factor; ratio denominators are folded in so that there is exactly one
//! division, at the end. Between decimal factors a conversion whose factor
//! ratio terminates (`kWh → MWh`, `tce → GJ`, `亿元 → 万元`) is therefore
//! exact; the others are correct to 28 significant digits.
//!
//! The same code may exist in two dimensions (`t` is a tonne of mass and,
//! by reporting convention, a tonne of water; `m3` is a volume and a water
//! quantity): [`ReferenceData::unit_in`] resolves a code within the
//! dimension a value needs, and [`convert`] uses the dimension both codes
//! share.

use std::collections::HashSet;
use std::fmt;

use egret_i18n::{Lang, Msg};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::refdata::{Meta, RefDataError, RefDataProblem, ReferenceData};

/// A quantity dimension (energy, mass, money, ...).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Dimension {
    /// Stable id (`energy`, `currency_cny`).
    pub id: String,
    pub name_zh: String,
    pub name_en: String,
    /// Code of the base unit (factor 1); every factor converts to it.
    pub base: String,
}

impl Dimension {
    /// The name in `lang`.
    pub fn name(&self, lang: Lang) -> &str {
        match lang {
            Lang::ZhCn => &self.name_zh,
            Lang::En => &self.name_en,
        }
    }
}

/// An exact conversion factor to the base unit of the dimension:
/// `num / den` (`den` is 1 for a decimal factor).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Factor {
    pub num: Decimal,
    pub den: Decimal,
}

impl Factor {
    /// Reads `"29.3076"` or `"2000/3"`; both parts must be positive.
    pub fn parse(s: &str) -> Option<Factor> {
        let (num, den) = match s.split_once('/') {
            Some((n, d)) => (n.trim().parse().ok()?, d.trim().parse().ok()?),
            None => (s.trim().parse().ok()?, Decimal::ONE),
        };
        (num > Decimal::ZERO && den > Decimal::ZERO).then_some(Factor { num, den })
    }

    /// Whether the factor is a plain decimal (no ratio).
    pub fn is_decimal(&self) -> bool {
        self.den == Decimal::ONE
    }

    /// The factor as a decimal, when it is one.
    pub fn as_decimal(&self) -> Option<Decimal> {
        self.is_decimal().then_some(self.num)
    }

    fn is_one(&self) -> bool {
        self.num == self.den
    }
}

impl fmt::Display for Factor {
    /// As written in the file: `29.3076` or `2000/3`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_decimal() {
            write!(f, "{}", self.num.normalize())
        } else {
            write!(f, "{}/{}", self.num.normalize(), self.den.normalize())
        }
    }
}

/// A unit of measure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Unit {
    /// The code as stored and as users usually write it (`tce`, `CNY_10k`).
    pub code: String,
    /// The id of its [`Dimension`].
    pub dimension: String,
    pub name_zh: String,
    pub name_en: String,
    /// Other spellings accepted on input (`吨标准煤`, `万元`).
    pub aliases: Vec<String>,
    /// `1 unit = factor × base unit`.
    pub factor: Factor,
}

impl Unit {
    /// The name in `lang`.
    pub fn name(&self, lang: Lang) -> &str {
        match lang {
            Lang::ZhCn => &self.name_zh,
            Lang::En => &self.name_en,
        }
    }

    /// Whether `s` is this unit's code or one of its aliases, ignoring case.
    pub fn answers_to(&self, s: &str) -> bool {
        let s = s.trim();
        self.code.eq_ignore_ascii_case(s) || self.aliases.iter().any(|a| a.eq_ignore_ascii_case(s))
    }
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
    #[serde(default)]
    dimension: Vec<Dimension>,
    #[serde(default)]
    unit: Vec<RawUnit>,
}

/// The unit table of the reference data (dimensions and units in file
/// order).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct UnitTable {
    pub(crate) dimensions: Vec<Dimension>,
    pub(crate) units: Vec<Unit>,
}

fn invalid(file: &str, location: String, value: &str, rule: &'static str) -> RefDataError {
    RefDataError::new(
        file,
        location,
        RefDataProblem::Invalid {
            value: value.to_string(),
            rule,
        },
    )
}

/// Parses and checks `units.toml`: dimension ids unique and well formed,
/// every unit in a known dimension, codes and aliases unique within their
/// dimension, factors positive decimals or ratios, and every dimension's
/// base a unit of it with factor 1.
pub(crate) fn load(file: &str, text: &str) -> Result<(Meta, UnitTable), RefDataError> {
    let raw: UnitsFile = toml::from_str(text)
        .map_err(|e| RefDataError::new(file, "", RefDataProblem::Syntax(e.to_string())))?;
    let mut dims = HashSet::new();
    for (i, d) in raw.dimension.iter().enumerate() {
        let at = |f: &str| format!("dimension[{}].{f}", i + 1);
        if d.id.is_empty()
            || !d
                .id
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        {
            return Err(invalid(
                file,
                at("id"),
                &d.id,
                "lowercase ASCII letters, digits and _",
            ));
        }
        if !dims.insert(d.id.as_str()) {
            return Err(RefDataError::new(
                file,
                at("id"),
                RefDataProblem::Duplicate(d.id.clone()),
            ));
        }
        if d.name_zh.trim().is_empty() || d.name_en.trim().is_empty() {
            return Err(invalid(file, at("name_en"), "", "a name in both languages"));
        }
    }
    // Codes and aliases are unique within a dimension, ignoring case ("t"
    // may be a tonne of mass and a tonne of water).
    let mut names = HashSet::new();
    let mut units = Vec::with_capacity(raw.unit.len());
    for (i, u) in raw.unit.into_iter().enumerate() {
        let at = |f: &str| format!("unit[{}].{f}", i + 1);
        if !dims.contains(u.dimension.as_str()) {
            return Err(RefDataError::new(
                file,
                at("dimension"),
                RefDataProblem::UnknownRef(u.dimension),
            ));
        }
        if u.code.is_empty() || u.code.chars().any(char::is_whitespace) {
            return Err(invalid(file, at("code"), &u.code, "a code without spaces"));
        }
        if u.name_zh.trim().is_empty() || u.name_en.trim().is_empty() {
            return Err(invalid(file, at("name_en"), "", "a name in both languages"));
        }
        let mut own = HashSet::new();
        for (n, name) in std::iter::once(&u.code).chain(&u.aliases).enumerate() {
            let field = if n == 0 {
                at("code")
            } else {
                at(&format!("aliases[{n}]"))
            };
            if name.trim().is_empty() {
                return Err(invalid(file, field, name, "a non-empty spelling"));
            }
            let folded = name.trim().to_lowercase();
            // The same spelling twice within one unit is harmless.
            if own.insert(folded.clone()) && !names.insert((u.dimension.clone(), folded)) {
                return Err(RefDataError::new(
                    file,
                    field,
                    RefDataProblem::Duplicate(name.clone()),
                ));
            }
        }
        let factor = Factor::parse(&u.factor).ok_or_else(|| {
            invalid(
                file,
                at("factor"),
                &u.factor,
                "a positive decimal or a ratio such as 2000/3",
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
        if !base.is_some_and(|u| u.factor.is_one()) {
            return Err(invalid(
                file,
                format!("dimension[{}].base", i + 1),
                &d.base,
                "the code of a unit of this dimension with factor 1",
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

/// Why a unit lookup or conversion failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UnitError {
    /// No unit has this code or alias.
    Unknown { code: String },
    /// The unit (of `dimension`) cannot express a value of `expected`.
    Incompatible {
        unit: String,
        dimension: String,
        expected: String,
    },
    /// The converted value does not fit in a decimal (about 7.9 × 10²⁸).
    Overflow,
}

impl UnitError {
    /// The user-facing message. For an incompatible unit it names the
    /// expected dimension and lists its units (from the embedded reference
    /// data): “kWh is a unit of energy; this value needs a unit of mass
    /// (t, kg, g)”.
    pub fn msg(&self) -> Msg {
        match self {
            UnitError::Unknown { code } => Msg::new("unit-unknown").arg("code", code),
            UnitError::Incompatible {
                unit,
                dimension,
                expected,
            } => {
                let allowed: Vec<&str> = ReferenceData::embedded()
                    .units_of(expected)
                    .map(|u| u.code.as_str())
                    .collect();
                Msg::new("unit-incompatible")
                    .arg("unit", unit)
                    .arg("dimension", dimension)
                    .arg("expected", expected)
                    .arg("allowed", allowed.join(", "))
            }
            UnitError::Overflow => Msg::new("unit-overflow"),
        }
    }
}

impl fmt::Display for UnitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.msg().render(Lang::En))
    }
}

impl std::error::Error for UnitError {}

impl ReferenceData {
    /// A unit by code or alias: the exact code first, then an exact alias,
    /// then the code ignoring ASCII case, then an alias ignoring case. A
    /// code used in several dimensions (`t`, `m3`) gives the first in file
    /// order; use [`Self::unit_in`] when the dimension is known.
    pub fn unit(&self, code: &str) -> Option<&Unit> {
        self.find_unit(code, None)
    }

    /// A unit by code or alias within one dimension (same order as
    /// [`Self::unit`]).
    pub fn unit_in(&self, code: &str, dimension: &str) -> Option<&Unit> {
        self.find_unit(code, Some(dimension))
    }

    fn find_unit(&self, code: &str, dimension: Option<&str>) -> Option<&Unit> {
        let code = code.trim();
        let all = || {
            self.unit_table()
                .units
                .iter()
                .filter(move |u| dimension.is_none_or(|d| u.dimension == d))
        };
        all()
            .find(|u| u.code == code)
            .or_else(|| all().find(|u| u.aliases.iter().any(|a| a == code)))
            .or_else(|| all().find(|u| u.code.eq_ignore_ascii_case(code)))
            .or_else(|| all().find(|u| u.aliases.iter().any(|a| a.eq_ignore_ascii_case(code))))
    }

    /// Every unit, in file order.
    pub fn units(&self) -> impl Iterator<Item = &Unit> {
        self.unit_table().units.iter()
    }

    /// A dimension by id.
    pub fn dimension(&self, id: &str) -> Option<&Dimension> {
        self.unit_table().dimensions.iter().find(|d| d.id == id)
    }

    /// Every dimension, in file order.
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

/// `value × (f.num / f.den) ÷ (t.num / t.den)` with one division.
fn apply(value: Decimal, f: Factor, t: Factor) -> Result<Decimal, UnitError> {
    let num = value
        .checked_mul(f.num)
        .and_then(|x| x.checked_mul(t.den))
        .ok_or(UnitError::Overflow)?;
    let den = f.den.checked_mul(t.num).ok_or(UnitError::Overflow)?;
    num.checked_div(den)
        .map(|x| x.normalize())
        .ok_or(UnitError::Overflow)
}

/// Converts `value` from one unit to another of the same dimension (the
/// dimension both codes share, so `t → kg` is mass and `ML → t` water).
///
/// ```
/// # use egret_domain::{ReferenceData, units::convert};
/// # use rust_decimal::Decimal;
/// let rd = ReferenceData::embedded();
/// let gj = convert(rd, Decimal::ONE, "tce", "GJ").unwrap();
/// assert_eq!(gj, "29.3076".parse::<Decimal>().unwrap());
/// ```
pub fn convert(
    rd: &ReferenceData,
    value: Decimal,
    from: &str,
    to: &str,
) -> Result<Decimal, UnitError> {
    let f0 = lookup(rd, from)?;
    let t0 = lookup(rd, to)?;
    let pair = if f0.dimension == t0.dimension {
        Some((f0, t0))
    } else {
        rd.dimensions()
            .find_map(|d| Some((rd.unit_in(from, &d.id)?, rd.unit_in(to, &d.id)?)))
    };
    let Some((f, t)) = pair else {
        return Err(UnitError::Incompatible {
            unit: f0.code.clone(),
            dimension: f0.dimension.clone(),
            expected: t0.dimension.clone(),
        });
    };
    if std::ptr::eq(f, t) {
        return Ok(value);
    }
    apply(value, f.factor, t.factor)
}

/// `value` in the base unit of its dimension, with the dimension id.
pub fn to_base(
    rd: &ReferenceData,
    value: Decimal,
    unit: &str,
) -> Result<(Decimal, String), UnitError> {
    let u = lookup(rd, unit)?;
    // The base unit has factor 1 (checked at load).
    let one = Factor {
        num: Decimal::ONE,
        den: Decimal::ONE,
    };
    Ok((apply(value, u.factor, one)?, u.dimension.clone()))
}

/// The unit `unit` resolved within `dimension`, or why it cannot be used
/// there (unknown, or a unit of another dimension).
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

    fn conv(v: &str, from: &str, to: &str) -> Decimal {
        convert(rd(), d(v), from, to).unwrap()
    }

    #[test]
    fn energy_conversions_are_exact() {
        assert_eq!(conv("1", "tce", "GJ"), d("29.3076"));
        assert_eq!(conv("1", "MWh", "GJ"), d("3.6"));
        assert_eq!(conv("1000", "kWh", "MWh"), d("1"));
        assert_eq!(conv("293.076", "GJ", "tce"), d("10"));
        assert_eq!(conv("1", "kgce", "tce"), d("0.001"));
        assert_eq!(conv("36", "GJ", "MWh"), d("10"));
        assert_eq!(conv("1", "吨标准煤", "tce"), d("1"));
        // 1 tce = 29.3076 GJ = 8141 kWh exactly.
        assert_eq!(conv("1", "tce", "kWh"), d("8141"));
        assert_eq!(conv("8141", "kWh", "tce"), d("1"));
    }

    #[test]
    fn money_area_and_shared_codes() {
        assert_eq!(conv("3", "CNY_100m", "CNY_10k"), d("30000"));
        assert_eq!(conv("12345.67", "万元", "CNY"), d("123456700"));
        assert_eq!(conv("1.5", "亿元", "万元"), d("15000"));
        assert_eq!(conv("250000", "元", "万元"), d("25"));
        assert_eq!(conv("3", "mu", "m2"), d("2000"));
        assert_eq!(conv("15", "亩", "ha"), d("1"));
        assert_eq!(conv("2", "ML", "t"), d("2000"), "water tonnes");
        assert_eq!(conv("2", "t", "kg"), d("2000"), "mass tonnes");
        assert_eq!(conv("50", "%", "fraction"), d("0.5"));
        assert_eq!(
            to_base(rd(), d("2"), "CNY_10k").unwrap(),
            (d("20000"), "currency_cny".to_string())
        );
        assert_eq!(to_base(rd(), d("3"), "mu").unwrap().0, d("2000"));
    }

    #[test]
    fn lookup_prefers_exact_codes_then_aliases_then_case() {
        assert_eq!(rd().unit("kWh").unwrap().code, "kWh");
        assert_eq!(rd().unit("KWH").unwrap().code, "kWh");
        assert_eq!(rd().unit("万元").unwrap().code, "CNY_10k");
        assert_eq!(rd().unit(" tce ").unwrap().code, "tce");
        assert_eq!(rd().unit("t").unwrap().dimension, "mass");
        assert_eq!(rd().unit_in("吨", "water").unwrap().dimension, "water");
        assert!(rd().unit("furlong").is_none());
        assert_eq!(rd().dimension("energy").unwrap().base, "GJ");
        let mass: Vec<&str> = rd().units_of("mass").map(|u| u.code.as_str()).collect();
        assert!(mass.contains(&"kg") && mass.contains(&"t"), "{mass:?}");
        assert_eq!(rd().unit("mu").unwrap().factor.to_string(), "2000/3");
    }

    #[test]
    fn incompatible_units_name_the_expected_dimension() {
        let e = convert(rd(), d("1"), "kWh", "t").unwrap_err();
        assert!(matches!(&e, UnitError::Incompatible { expected, .. } if expected == "mass"));
        let en = e.msg().render(Lang::En);
        assert!(
            en.contains("energy") && en.contains("mass") && en.contains("kg"),
            "{en}"
        );
        let zh = e.msg().render(Lang::ZhCn);
        assert!(zh.contains("能源") && zh.contains("质量"), "{zh}");
        assert!(matches!(
            convert(rd(), d("1"), "furlong", "m"),
            Err(UnitError::Unknown { .. })
        ));
        assert!(check_dimension(rd(), "kWh", "energy").is_ok());
        assert!(matches!(
            check_dimension(rd(), "万元", "ghg"),
            Err(UnitError::Incompatible { .. })
        ));
    }

    #[test]
    fn overflow_is_an_error_not_a_panic() {
        assert_eq!(
            convert(rd(), Decimal::MAX, "CNY_100m", "CNY"),
            Err(UnitError::Overflow)
        );
        assert!(
            !UnitError::Overflow
                .msg()
                .render(Lang::ZhCn)
                .starts_with('[')
        );
    }

    #[test]
    fn every_dimension_has_its_base_unit() {
        for dim in rd().dimensions() {
            let base = rd().unit_in(&dim.base, &dim.id).unwrap();
            assert!(base.factor.is_one(), "{}", dim.id);
        }
        assert!(rd().units().count() >= 25);
    }

    const HEAD: &str = "[meta]\nversion='1'\nsource='s'\nconfidence='H'\n\
        [[dimension]]\nid='mass'\nname_zh='质量'\nname_en='Mass'\nbase='kg'\n\
        [[unit]]\ncode='kg'\ndimension='mass'\nname_zh='千克'\nname_en='kilogram'\nfactor='1'\n";

    fn bad(extra: &str) -> RefDataError {
        load("units.toml", &format!("{HEAD}{extra}")).unwrap_err()
    }

    #[test]
    fn bad_unit_files_are_refused_with_the_entry() {
        assert!(load("units.toml", HEAD).is_ok());
        let unit = |dim: &str, code: &str, aliases: &str, factor: &str| {
            format!(
                "[[unit]]\ncode='{code}'\ndimension='{dim}'\nname_zh='吨'\nname_en='tonne'\n\
                 aliases=[{aliases}]\nfactor='{factor}'\n"
            )
        };
        let e = bad(&unit("weight", "t", "", "1000"));
        assert_eq!(
            (e.location.as_str(), &e.problem),
            (
                "unit[2].dimension",
                &RefDataProblem::UnknownRef("weight".into())
            )
        );
        assert_eq!(bad(&unit("mass", "t", "", "-5")).location, "unit[2].factor");
        assert_eq!(
            bad(&unit("mass", "t", "", "1/0")).location,
            "unit[2].factor"
        );
        assert_eq!(bad(&unit("mass", "KG", "", "1")).location, "unit[2].code");
        assert_eq!(
            bad(&unit("mass", "t", "'吨', 'kg'", "1000")).location,
            "unit[2].aliases[2]",
            "an alias that is another unit's code"
        );
        assert_eq!(
            load("units.toml", &HEAD.replace("factor='1'", "factor='2'"))
                .unwrap_err()
                .location,
            "dimension[1].base"
        );
        assert!(matches!(
            bad("colour='red'\n").problem,
            RefDataProblem::Syntax(_)
        ));
    }

    /// Ordered pairs of decimal-factor units of one dimension whose factor
    /// ratio terminates, so that a → b is exact.
    fn exact_pairs() -> Vec<(String, String)> {
        let mut out = Vec::new();
        for a in rd().units() {
            for b in rd().units_of(&a.dimension) {
                let (Some(fa), Some(fb)) = (a.factor.as_decimal(), b.factor.as_decimal()) else {
                    continue;
                };
                if a.code != b.code && (fa / fb) * fb == fa {
                    out.push((a.code.clone(), b.code.clone()));
                }
            }
        }
        out
    }

    #[test]
    fn most_decimal_pairs_are_exact() {
        let pairs = exact_pairs();
        assert!(pairs.len() >= 30, "{pairs:?}");
        assert!(pairs.contains(&("tce".into(), "GJ".into())));
        assert!(pairs.contains(&("CNY_100m".into(), "CNY_10k".into())));
    }

    proptest! {
        #[test]
        fn conversion_round_trips_exactly(
            mantissa in -1_000_000_000_000_000i64..1_000_000_000_000_000,
            scale in 0u32..=6,
            pair in proptest::sample::select(exact_pairs()),
        ) {
            let (a, b) = pair;
            let v = Decimal::new(mantissa, scale);
            let there = convert(rd(), v, &a, &b).unwrap();
            let back = convert(rd(), there, &b, &a).unwrap();
            prop_assert_eq!(back, v, "{} {} → {} {} → {}", v, a, there, b, a);
        }

        #[test]
        fn the_other_direction_is_exact_to_fifteen_digits(
            mantissa in 1i64..1_000_000_000_000_000,
            scale in 0u32..=6,
            pair in proptest::sample::select(exact_pairs()),
        ) {
            let (a, b) = pair;
            let v = Decimal::new(mantissa, scale);
            let there = convert(rd(), v, &b, &a).unwrap();
            let back = convert(rd(), there, &a, &b).unwrap();
            let err = ((back - v) / v).abs();
            prop_assert!(err < Decimal::new(1, 15), "{} {} → {} → {}", v, b, a, back);
        }
    }
}
