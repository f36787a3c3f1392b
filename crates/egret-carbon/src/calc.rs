//! Activity records, the calculation kernel and inventory totals.
//!
//! A record's CO2e is `quantity × coefficient`, where the coefficient of a
//! (factor, activity unit, GWP set) is resolved once and cached: the
//! activity unit converted to the factor's unit by dimension (exact), each
//! gas in tonnes, times its GWP. Everything is exact decimal arithmetic.
//! Purchased electricity also gets a market-based figure: zero for
//! quantities covered by green certificates or green-power trades, the
//! supplier's factor when one is named, else the residual-mix factor of the
//! location factor's year.

use std::collections::BTreeMap;
use std::sync::Arc;

use egret_domain::refdata::ReferenceData;
use egret_domain::units::convert;
use egret_i18n::Msg;
use rust_decimal::Decimal;
use rustc_hash::FxHashMap;
use serde::Serialize;

use crate::library::{Factor, Library, Method};

/// An activity category: the seven scope 1/2 sources and the fifteen GHG
/// Protocol scope 3 categories.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Category(u8);

const S12: [(&str, &str, &str, &str); 7] = [
    (
        "scope1.stationary",
        "固定源燃烧",
        "Stationary combustion",
        "stationary-combustion",
    ),
    (
        "scope1.mobile",
        "移动源燃烧",
        "Mobile combustion",
        "mobile-combustion",
    ),
    (
        "scope1.process",
        "工业生产过程",
        "Process emissions",
        "process",
    ),
    (
        "scope1.fugitive",
        "逸散排放",
        "Fugitive emissions",
        "fugitive",
    ),
    (
        "scope2.electricity",
        "外购电力",
        "Purchased electricity",
        "purchased-electricity",
    ),
    (
        "scope2.heat",
        "外购热力",
        "Purchased heat",
        "purchased-heat",
    ),
    (
        "scope2.steam",
        "外购蒸汽",
        "Purchased steam",
        "purchased-heat",
    ),
];

/// Number of categories (7 + 15).
pub const CATEGORIES: usize = 22;

impl Category {
    pub const ELECTRICITY: Category = Category(4);

    pub fn all() -> impl Iterator<Item = Category> {
        (0..CATEGORIES as u8).map(Category)
    }

    pub fn parse(s: &str) -> Option<Category> {
        let s = s.trim();
        if let Some(i) = S12.iter().position(|c| c.0 == s) {
            return Some(Category(i as u8));
        }
        let n: u8 = s.strip_prefix("scope3.c")?.parse().ok()?;
        (1..=15).contains(&n).then_some(Category(6 + n))
    }

    pub fn index(self) -> usize {
        self.0 as usize
    }

    /// 1, 2 or 3.
    pub fn scope(self) -> u8 {
        match self.0 {
            0..=3 => 1,
            4..=6 => 2,
            _ => 3,
        }
    }

    /// The scope 3 category number (1–15).
    pub fn scope3_number(self) -> Option<u8> {
        (self.0 >= 7).then(|| self.0 - 6)
    }

    pub fn code(self) -> &'static str {
        const S3: [&str; 15] = [
            "scope3.c1",
            "scope3.c2",
            "scope3.c3",
            "scope3.c4",
            "scope3.c5",
            "scope3.c6",
            "scope3.c7",
            "scope3.c8",
            "scope3.c9",
            "scope3.c10",
            "scope3.c11",
            "scope3.c12",
            "scope3.c13",
            "scope3.c14",
            "scope3.c15",
        ];
        match self.scope3_number() {
            Some(n) => S3[n as usize - 1],
            None => S12[self.index()].0,
        }
    }

    /// The member of the catalogs' `emission_source` breakdown (scopes 1
    /// and 2).
    pub fn emission_source(self) -> Option<&'static str> {
        S12.get(self.index()).map(|c| c.3)
    }

    /// Name in `lang` (scope 3 names come from the message catalog).
    pub fn name(self, lang: egret_i18n::Lang) -> String {
        match (self.scope3_number(), lang) {
            (Some(n), _) => Msg::new("carbon-scope3-category").arg("n", n).render(lang),
            (None, egret_i18n::Lang::ZhCn) => S12[self.index()].1.to_string(),
            (None, egret_i18n::Lang::En) => S12[self.index()].2.to_string(),
        }
    }
}

/// A contractual instrument for market-based scope 2.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Instrument {
    /// None: the residual mix applies (or the named supplier factor).
    #[default]
    None,
    /// Green electricity certificates (绿证) covering the quantity.
    Certificate,
    /// A green-power trade (绿电交易) covering the quantity.
    GreenPower,
}

impl Instrument {
    pub fn parse(s: &str) -> Option<Instrument> {
        Some(match s.trim() {
            "" | "none" => Instrument::None,
            "gec" | "certificate" | "绿证" => Instrument::Certificate,
            "green_power" | "green-power" | "绿电" => Instrument::GreenPower,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Instrument::None => "none",
            Instrument::Certificate => "gec",
            Instrument::GreenPower => "green_power",
        }
    }
}

/// One activity record.
#[derive(Debug, Clone, PartialEq)]
pub struct Activity<'a> {
    pub id: &'a str,
    pub org: &'a str,
    pub site: &'a str,
    pub period: &'a str,
    pub category: Category,
    pub quantity: Decimal,
    pub unit: &'a str,
    pub factor: &'a str,
    pub instrument: Instrument,
    /// Supplier-specific factor for market-based scope 2.
    pub market_factor: Option<&'a str>,
    /// The date the activity belongs to (ISO `YYYY-MM-DD`, e.g. the end of
    /// the reporting period), checked against the factors' validity.
    pub date: Option<&'a str>,
}

/// A problem with one record, naming the field.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordError {
    pub field: &'static str,
    pub msg: Msg,
}

fn rec_err(field: &'static str, msg: Msg) -> RecordError {
    RecordError { field, msg }
}

/// Tonnes of each gas and of CO2e per activity unit, for one factor,
/// activity unit and GWP set.
#[derive(Debug, Clone, PartialEq)]
pub struct Coefficient<'l> {
    /// The factor it was resolved from.
    pub factor: &'l Factor,
    pub gases: Vec<(Arc<str>, Decimal)>,
    pub co2e: Decimal,
}

/// The result for one record.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordResult {
    pub category: Category,
    /// Tonnes per gas.
    pub gases: Vec<(Arc<str>, Decimal)>,
    /// Tonnes CO2e (location-based for electricity).
    pub co2e_t: Decimal,
    /// Market-based tonnes CO2e (purchased electricity only).
    pub co2e_market_t: Option<Decimal>,
    /// The factor behind the market-based figure, if any.
    pub market_factor: Option<Arc<str>>,
}

/// Refuses a factor outside its validity for the activity's date (ISO
/// dates compare as text).
fn check_valid(f: &Factor, date: Option<&str>, field: &'static str) -> Result<(), RecordError> {
    let Some(date) = date else {
        return Ok(());
    };
    let before = f.valid_from.as_deref().is_some_and(|from| date < from);
    let after = f.valid_to.as_deref().is_some_and(|to| date > to);
    if before || after {
        return Err(rec_err(
            field,
            Msg::new("carbon-factor-not-valid")
                .arg("id", &f.id)
                .arg("date", date)
                .arg("from", f.valid_from.as_deref().unwrap_or("—"))
                .arg("to", f.valid_to.as_deref().unwrap_or("—")),
        ));
    }
    Ok(())
}

/// Calculates records with one library and GWP set, caching coefficients.
pub struct Engine<'l> {
    lib: &'l Library,
    rd: &'l ReferenceData,
    gwp_set: String,
    /// Resolved coefficients, and their index by factor id then unit.
    coefficients: Vec<Coefficient<'l>>,
    index: FxHashMap<String, FxHashMap<String, usize>>,
    /// Residual-mix factor id per data year (looked up once).
    residual: FxHashMap<Option<i32>, Option<Arc<str>>>,
}

impl<'l> Engine<'l> {
    pub fn new(lib: &'l Library, rd: &'l ReferenceData, gwp_set: &str) -> Result<Self, Msg> {
        if !crate::library::GWP_SETS.contains(&gwp_set) {
            return Err(Msg::new("carbon-gwp-set").arg("set", gwp_set));
        }
        Ok(Engine {
            lib,
            rd,
            gwp_set: gwp_set.to_string(),
            coefficients: Vec::new(),
            index: FxHashMap::default(),
            residual: FxHashMap::default(),
        })
    }

    pub fn gwp_set(&self) -> &str {
        &self.gwp_set
    }

    pub fn library(&self) -> &Library {
        self.lib
    }

    fn factor(&self, id: &str, field: &'static str) -> Result<&'l Factor, RecordError> {
        self.lib
            .get(id)
            .ok_or_else(|| rec_err(field, Msg::new("carbon-factor-unknown").arg("id", id)))
    }

    /// The index of the coefficient of `factor` for quantities in `unit`
    /// (resolved on first use, then a lookup without allocation).
    pub fn resolve(
        &mut self,
        factor: &str,
        unit: &str,
        field: &'static str,
    ) -> Result<usize, RecordError> {
        if let Some(i) = self.index.get(factor).and_then(|m| m.get(unit)) {
            return Ok(*i);
        }
        let f = self.factor(factor, field)?;
        // One activity unit expressed in the factor's unit.
        let per = convert(self.rd, Decimal::ONE, unit, &f.per_unit).map_err(|_| {
            rec_err(
                "unit",
                Msg::new("carbon-unit-mismatch")
                    .arg("unit", unit)
                    .arg("factor", &f.id)
                    .arg("expected", &f.per_unit),
            )
        })?;
        let mut gases = Vec::with_capacity(f.gases.len());
        let mut co2e = Decimal::ZERO;
        for g in &f.gases {
            let to_t = if g.unit == "kg" {
                Decimal::new(1, 3)
            } else {
                Decimal::ONE
            };
            let t = per * g.value * to_t;
            let gwp = self.lib.gwp.value(&self.gwp_set, &g.gas).ok_or_else(|| {
                rec_err(
                    field,
                    Msg::new("carbon-gwp-gas")
                        .arg("gas", &g.gas)
                        .arg("set", &self.gwp_set),
                )
            })?;
            co2e += t * gwp;
            gases.push((Arc::from(g.gas.as_str()), t));
        }
        self.coefficients.push(Coefficient {
            factor: f,
            gases,
            co2e,
        });
        let i = self.coefficients.len() - 1;
        self.index
            .entry(factor.to_string())
            .or_default()
            .insert(unit.to_string(), i);
        Ok(i)
    }

    /// A resolved coefficient.
    pub fn coefficient(&self, i: usize) -> &Coefficient<'l> {
        &self.coefficients[i]
    }

    /// Calculates one record.
    pub fn calculate(&mut self, a: &Activity) -> Result<RecordResult, RecordError> {
        if a.quantity.is_sign_negative() && !a.quantity.is_zero() {
            return Err(rec_err(
                "quantity",
                Msg::new("carbon-quantity-negative").arg("value", a.quantity),
            ));
        }
        // One hash lookup finds the factor and its coefficient for the unit.
        let i = self.resolve(a.factor, a.unit, "factor")?;
        let f = self.coefficients[i].factor;
        check_valid(f, a.date, "factor")?;
        if let Some(mf) = a.market_factor {
            check_valid(self.factor(mf, "market_factor")?, a.date, "market_factor")?;
        }
        let electricity = a.category == Category::ELECTRICITY;
        if f.method == Method::Residual && electricity {
            return Err(rec_err(
                "factor",
                Msg::new("carbon-residual-as-location").arg("id", &f.id),
            ));
        }
        if !electricity && (a.instrument != Instrument::None || a.market_factor.is_some()) {
            return Err(rec_err(
                "instrument",
                Msg::new("carbon-instrument-not-electricity"),
            ));
        }
        let year = f.year;
        let c = &self.coefficients[i];
        let q = a.quantity;
        let gases = c.gases.iter().map(|(g, k)| (g.clone(), q * k)).collect();
        let co2e_t = q * c.co2e;
        let (co2e_market_t, market_factor) = if electricity {
            match (a.instrument, a.market_factor) {
                (Instrument::Certificate | Instrument::GreenPower, _) => {
                    (Some(Decimal::ZERO), None)
                }
                (Instrument::None, Some(mf)) => {
                    let i = self.resolve(mf, a.unit, "market_factor")?;
                    let k = self.coefficients[i].co2e;
                    (Some(q * k), Some(Arc::from(mf)))
                }
                (Instrument::None, None) => {
                    let lib = self.lib;
                    let id = self
                        .residual
                        .entry(year)
                        .or_insert_with(|| lib.residual_for(year).map(|r| Arc::from(r.id.as_str())))
                        .clone()
                        .ok_or_else(|| {
                            rec_err(
                                "market_factor",
                                Msg::new("carbon-residual-missing")
                                    .arg("year", year.map_or("—".to_string(), |y| y.to_string())),
                            )
                        })?;
                    let i = self.resolve(&id, a.unit, "factor")?;
                    let k = self.coefficients[i].co2e;
                    (Some(q * k), Some(id))
                }
            }
        } else {
            (None, None)
        };
        Ok(RecordResult {
            category: a.category,
            gases,
            co2e_t,
            co2e_market_t,
            market_factor,
        })
    }
}

/// Totals of one organisation and period. Merging totals of any split of a
/// batch gives the totals of the whole batch.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Totals {
    pub records: u64,
    /// Tonnes CO2e per category (location-based for electricity).
    pub by_category: BTreeMap<Category, Decimal>,
    /// Market-based purchased electricity.
    pub electricity_market: Decimal,
    /// Tonnes of each gas.
    pub by_gas: BTreeMap<String, Decimal>,
    /// Tonnes CO2e per site (location-based).
    pub by_site: BTreeMap<String, Decimal>,
}

impl Totals {
    pub fn add(&mut self, site: &str, r: &RecordResult) {
        self.records += 1;
        *self.by_category.entry(r.category).or_default() += r.co2e_t;
        if let Some(m) = r.co2e_market_t {
            self.electricity_market += m;
        }
        // Look up before inserting: no allocation once a key is known.
        for (g, t) in &r.gases {
            match self.by_gas.get_mut(&**g) {
                Some(v) => *v += t,
                None => {
                    self.by_gas.insert(g.to_string(), *t);
                }
            }
        }
        match self.by_site.get_mut(site) {
            Some(v) => *v += r.co2e_t,
            None => {
                self.by_site.insert(site.to_string(), r.co2e_t);
            }
        }
    }

    pub fn merge(&mut self, other: &Totals) {
        self.records += other.records;
        for (k, v) in &other.by_category {
            *self.by_category.entry(*k).or_default() += v;
        }
        self.electricity_market += other.electricity_market;
        for (k, v) in &other.by_gas {
            *self.by_gas.entry(k.clone()).or_default() += v;
        }
        for (k, v) in &other.by_site {
            *self.by_site.entry(k.clone()).or_default() += v;
        }
    }

    fn sum(&self, scope: u8) -> Decimal {
        self.by_category
            .iter()
            .filter(|(c, _)| c.scope() == scope)
            .map(|(_, v)| *v)
            .sum()
    }

    pub fn scope1(&self) -> Decimal {
        self.sum(1)
    }

    pub fn scope2_location(&self) -> Decimal {
        self.sum(2)
    }

    /// Market-based scope 2: electricity market-based plus heat and steam.
    pub fn scope2_market(&self) -> Decimal {
        self.sum(2)
            - self
                .by_category
                .get(&Category::ELECTRICITY)
                .copied()
                .unwrap_or_default()
            + self.electricity_market
    }

    pub fn scope3(&self) -> Decimal {
        self.sum(3)
    }

    /// (data point, breakdown key, tonnes CO2e) rows for the disclosure
    /// catalogs' shared data points. Scope 1+2 uses location-based scope 2.
    pub fn datapoint_values(&self) -> Vec<(&'static str, String, Decimal)> {
        let mut out = vec![
            ("ghg.scope1", String::new(), self.scope1()),
            ("ghg.scope2-location", String::new(), self.scope2_location()),
            ("ghg.scope2-market", String::new(), self.scope2_market()),
            (
                "ghg.scope12",
                String::new(),
                self.scope1() + self.scope2_location(),
            ),
        ];
        let has_scope3 = self.by_category.keys().any(|c| c.scope() == 3);
        if has_scope3 {
            out.push(("ghg.scope3", String::new(), self.scope3()));
            out.push((
                "ghg.scope123",
                String::new(),
                self.scope1() + self.scope2_location() + self.scope3(),
            ));
        }
        // Scope 1 by source type.
        let mut by_source: BTreeMap<&str, Decimal> = BTreeMap::new();
        for (c, v) in &self.by_category {
            if c.scope() == 1
                && let Some(s) = c.emission_source()
            {
                *by_source.entry(s).or_default() += v;
            }
            if let Some(n) = c.scope3_number() {
                out.push(("ghg.scope3", format!("scope3_category:{n}"), *v));
            }
        }
        for (s, v) in by_source {
            out.push(("ghg.scope1", format!("emission_source:{s}"), v));
        }
        out
    }
}

/// Totals per (organisation, period).
pub type Inventory = BTreeMap<(String, String), Totals>;

/// Year-over-year change in per cent, one decimal; `None` without a base.
pub fn yoy_change_pct(now: Decimal, before: Decimal) -> Option<Decimal> {
    (!before.is_zero()).then(|| ((now - before) / before * Decimal::ONE_HUNDRED).round_dp(1))
}

/// Tonnes CO2e per 10,000 yuan of revenue (revenue in any renminbi unit).
pub fn intensity_per_revenue(
    rd: &ReferenceData,
    tco2e: Decimal,
    revenue: Decimal,
    revenue_unit: &str,
) -> Option<Decimal> {
    let wan = convert(rd, revenue, revenue_unit, "CNY_10k").ok()?;
    (!wan.is_zero()).then(|| tco2e / wan)
}

/// The in-memory kernel: CO2e of each record from its quantity and the
/// index of its resolved coefficient, summed per category. Exact.
pub fn kernel(
    engine: &Engine,
    quantities: &[Decimal],
    coefficient: &[usize],
    category: &[Category],
) -> [Decimal; CATEGORIES] {
    let mut sums = [Decimal::ZERO; CATEGORIES];
    let ks: Vec<Decimal> = engine.coefficients.iter().map(|c| c.co2e).collect();
    for ((q, i), c) in quantities.iter().zip(coefficient).zip(category) {
        sums[c.index()] += q * ks[*i];
    }
    sums
}
