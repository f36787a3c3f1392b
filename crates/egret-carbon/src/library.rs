//! The emission-factor library: versioned data files under `data/carbon/`,
//! embedded in the binary and loadable from a directory.
//!
//! | File          | Contents                                                   |
//! |---------------|------------------------------------------------------------|
//! | `factors.csv` | factors, one row per gas (rows sharing an id form a factor) |
//! | `fuels.csv`   | fuel parameters; each fuel's CO2 factor is derived at load  |
//! | `gwp.csv`     | 100-year GWP per assessment report (AR4, AR5, AR6)          |
//!
//! Fuel combustion factors are derived the way the Chinese guidelines do:
//! NCV (GJ per unit) × carbon content (tC/GJ) × oxidation rate × 44/12,
//! with the inputs kept on the factor. Every gas of the GWP table also has a
//! direct factor `gas.<GAS>` (1 t of gas per t released) for fugitive and
//! process losses measured as gas mass. Added factors (by an organisation or
//! the city) never replace a shipped one.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::OnceLock;

use egret_domain::refdata::{Confidence, ReferenceData};
use egret_i18n::Msg;
use rust_decimal::Decimal;
use serde::Serialize;

/// The data files, in load order.
pub const FILES: [&str; 3] = ["gwp.csv", "fuels.csv", "factors.csv"];

const EMBEDDED: [(&str, &str); 3] = [
    ("gwp.csv", include_str!("../../../data/carbon/gwp.csv")),
    ("fuels.csv", include_str!("../../../data/carbon/fuels.csv")),
    (
        "factors.csv",
        include_str!("../../../data/carbon/factors.csv"),
    ),
];

/// Decimal places of a derived fuel factor (t CO2 per activity unit).
pub const DERIVED_DECIMALS: u32 = 12;

/// The GWP sets a calculation may use.
pub const GWP_SETS: [&str; 3] = ["ar4", "ar5", "ar6"];

/// A problem in a library file, naming the file, line and column.
#[derive(Debug, Clone, PartialEq)]
pub struct LibraryError {
    pub file: String,
    /// `line:column` (1-based line of the file), or empty.
    pub location: String,
    pub msg: Msg,
}

impl std::fmt::Display for LibraryError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} {}: {}",
            self.file,
            self.location,
            self.msg.render(egret_i18n::Lang::En)
        )
    }
}

impl std::error::Error for LibraryError {}

/// How a factor is meant to be used for purchased electricity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// Grid average of where the energy is used.
    Location,
    /// Residual mix: what is left after contractual instruments.
    Residual,
    /// A supplier- or instrument-specific factor.
    Supplier,
    /// Not an electricity factor.
    None,
}

impl Method {
    fn parse(s: &str) -> Option<Method> {
        Some(match s {
            "location" => Method::Location,
            "residual" => Method::Residual,
            "supplier" | "market" => Method::Supplier,
            "none" | "" => Method::None,
            _ => return None,
        })
    }
}

/// One gas of a factor: `value` `unit` (t or kg) of gas per factor unit.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GasValue {
    pub gas: String,
    pub value: Decimal,
    /// Mass unit of the gas (`t` or `kg`).
    pub unit: String,
    pub confidence: Confidence,
    /// The document (and table) this gas's value comes from; gases of one
    /// factor may come from different tables.
    pub source: String,
}

/// The inputs of a derived fuel factor.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Derivation {
    pub ncv_gj: Decimal,
    pub carbon_tc_per_gj: Decimal,
    pub oxidation_pct: Decimal,
}

/// Where a factor came from.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Origin {
    /// Shipped in `data/carbon/` at this version.
    Shipped { version: String },
    /// Added by a user or the city, with their note on the source.
    Added { by: String },
}

/// An emission factor.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Factor {
    pub id: String,
    pub family: String,
    pub name_zh: String,
    pub name_en: String,
    pub region: String,
    pub year: Option<i32>,
    pub method: Method,
    /// The activity unit the gas values are per (a unit code of units.toml).
    pub per_unit: String,
    pub gases: Vec<GasValue>,
    pub confidence: Confidence,
    /// Source document and table.
    pub source: String,
    /// Row(s) of the reference table the values come from.
    pub reference: String,
    pub derivation: Option<Derivation>,
    /// First and last day the factor may be used for (ISO dates), if the
    /// source limits it.
    pub valid_from: Option<String>,
    pub valid_to: Option<String>,
    pub origin: Origin,
}

/// An ISO calendar date `YYYY-MM-DD` (checked for shape and ranges).
pub fn is_iso_date(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let num = |r: std::ops::Range<usize>| s[r].parse::<u32>().ok();
    matches!((num(0..4), num(5..7), num(8..10)), (Some(_), Some(m), Some(d)) if (1..=12).contains(&m) && (1..=31).contains(&d))
}

impl Factor {
    pub fn name(&self, lang: egret_i18n::Lang) -> &str {
        match lang {
            egret_i18n::Lang::ZhCn => &self.name_zh,
            egret_i18n::Lang::En => &self.name_en,
        }
    }
}

/// GWP values per set and gas.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Gwp {
    sets: BTreeMap<String, BTreeMap<String, (Decimal, Confidence)>>,
    pub source: String,
}

impl Gwp {
    /// The GWP of `gas` in `set`. A variant the set does not list
    /// (`CH4-fossil` in AR4) uses the base gas's value (`CH4`).
    /// Set names are matched without regard to case (`AR6` = `ar6`).
    pub fn value(&self, set: &str, gas: &str) -> Option<Decimal> {
        let s = self.set(set)?;
        s.get(gas)
            .or_else(|| gas.split_once('-').and_then(|(base, _)| s.get(base)))
            .map(|(v, _)| *v)
    }

    pub fn gases(&self, set: &str) -> impl Iterator<Item = (&String, &Decimal)> {
        self.set(set)
            .into_iter()
            .flat_map(|m| m.iter().map(|(g, (v, _))| (g, v)))
    }
}

impl Gwp {
    fn set(&self, set: &str) -> Option<&BTreeMap<String, (Decimal, Confidence)>> {
        self.sets
            .get(set)
            .or_else(|| self.sets.get(&set.to_ascii_lowercase()))
    }
}

/// The factor library.
#[derive(Debug, Clone, PartialEq)]
pub struct Library {
    pub version: String,
    factors: BTreeMap<String, Factor>,
    pub gwp: Gwp,
}

/// A CSV file with `# key: value` header comments.
struct Sheet {
    file: String,
    meta: BTreeMap<String, String>,
    header: Vec<String>,
    /// (1-based line, fields)
    rows: Vec<(usize, Vec<String>)>,
}

impl Sheet {
    fn parse(file: &str, text: &str) -> Result<Sheet, LibraryError> {
        let err = |line: usize, msg: Msg| LibraryError {
            file: file.to_string(),
            location: if line > 0 {
                line.to_string()
            } else {
                String::new()
            },
            msg,
        };
        let mut meta = BTreeMap::new();
        let mut skipped = 0;
        for line in text.lines() {
            let Some(c) = line.strip_prefix('#') else {
                break;
            };
            skipped += 1;
            if let Some((k, v)) = c.split_once(':') {
                meta.insert(k.trim().to_string(), v.trim().to_string());
            }
        }
        let body: String = text.lines().skip(skipped).collect::<Vec<_>>().join("\n");
        let mut r = csv::ReaderBuilder::new()
            .has_headers(true)
            .from_reader(body.as_bytes());
        let header: Vec<String> = r
            .headers()
            .map_err(|e| err(skipped + 1, Msg::new("carbon-file-syntax").arg("detail", e)))?
            .iter()
            .map(str::to_string)
            .collect();
        let mut rows = Vec::new();
        for rec in r.records() {
            let rec = rec.map_err(|e| {
                let line = e.position().map_or(0, |p| p.line() as usize + skipped);
                err(line, Msg::new("carbon-file-syntax").arg("detail", e))
            })?;
            let line = rec.position().map_or(0, |p| p.line() as usize + skipped);
            rows.push((line, rec.iter().map(|s| s.trim().to_string()).collect()));
        }
        for key in ["version", "source"] {
            if meta.get(key).is_none_or(|v| v.is_empty()) {
                return Err(err(0, Msg::new("carbon-file-meta").arg("key", key)));
            }
        }
        Ok(Sheet {
            file: file.to_string(),
            meta,
            header,
            rows,
        })
    }

    fn col(&self, name: &str) -> Result<usize, LibraryError> {
        self.header
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| LibraryError {
                file: self.file.clone(),
                location: String::new(),
                msg: Msg::new("carbon-file-column").arg("column", name),
            })
    }

    fn error(&self, line: usize, column: &str, msg: Msg) -> LibraryError {
        LibraryError {
            file: self.file.clone(),
            location: format!("{line}:{column}"),
            msg,
        }
    }
}

/// Reads the named columns of every row.
fn columns<'s, const N: usize>(
    sheet: &'s Sheet,
    names: [&str; N],
) -> Result<Vec<(usize, [&'s str; N])>, LibraryError> {
    let idx: Vec<usize> = names
        .iter()
        .map(|n| sheet.col(n))
        .collect::<Result<_, _>>()?;
    Ok(sheet
        .rows
        .iter()
        .map(|(line, f)| {
            let mut out = [""; N];
            for (o, i) in out.iter_mut().zip(&idx) {
                *o = f.get(*i).map_or("", String::as_str);
            }
            (*line, out)
        })
        .collect())
}

fn decimal(sheet: &Sheet, line: usize, column: &str, s: &str) -> Result<Decimal, LibraryError> {
    s.parse::<Decimal>()
        .ok()
        .filter(|d| !d.is_sign_negative())
        .ok_or_else(|| sheet.error(line, column, Msg::new("carbon-file-number").arg("value", s)))
}

fn confidence(sheet: &Sheet, line: usize, s: &str) -> Result<Confidence, LibraryError> {
    Confidence::parse(s).ok_or_else(|| {
        sheet.error(
            line,
            "confidence",
            Msg::new("carbon-file-confidence").arg("value", s),
        )
    })
}

const MASS_UNITS: [&str; 2] = ["t", "kg"];

impl Library {
    /// The library shipped in the binary. Panics only if the shipped files
    /// are invalid, which the tests rule out.
    pub fn embedded() -> &'static Library {
        static LIB: OnceLock<Library> = OnceLock::new();
        LIB.get_or_init(|| {
            Library::from_texts(ReferenceData::embedded(), |name| {
                Ok(EMBEDDED
                    .iter()
                    .find(|(n, _)| *n == name)
                    .map(|(_, t)| (*t).to_string())
                    .unwrap_or_default())
            })
            .unwrap_or_else(|e| panic!("embedded factor library is invalid: {e}"))
        })
    }

    /// Loads and validates the library files from `dir`.
    pub fn load_dir(rd: &ReferenceData, dir: impl AsRef<Path>) -> Result<Library, LibraryError> {
        let dir = dir.as_ref();
        Library::from_texts(rd, |name| {
            std::fs::read_to_string(dir.join(name)).map_err(|e| LibraryError {
                file: name.to_string(),
                location: String::new(),
                msg: Msg::new("carbon-file-io").arg("detail", e),
            })
        })
    }

    /// Builds the library from the three files' texts.
    pub fn from_texts(
        rd: &ReferenceData,
        get: impl Fn(&str) -> Result<String, LibraryError>,
    ) -> Result<Library, LibraryError> {
        let gwp_sheet = Sheet::parse("gwp.csv", &get("gwp.csv")?)?;
        let mut gwp = Gwp {
            sets: BTreeMap::new(),
            source: gwp_sheet.meta["source"].clone(),
        };
        for (line, [set, gas, value, conf]) in
            columns(&gwp_sheet, ["set", "gas", "value", "confidence"])?
        {
            if !GWP_SETS.contains(&set) {
                return Err(gwp_sheet.error(
                    line,
                    "set",
                    Msg::new("carbon-gwp-set").arg("set", set),
                ));
            }
            let v = decimal(&gwp_sheet, line, "value", value)?;
            let c = confidence(&gwp_sheet, line, conf)?;
            if gwp
                .sets
                .entry(set.to_string())
                .or_default()
                .insert(gas.to_string(), (v, c))
                .is_some()
            {
                return Err(gwp_sheet.error(
                    line,
                    "gas",
                    Msg::new("carbon-file-duplicate").arg("value", format!("{set} {gas}")),
                ));
            }
        }
        for set in GWP_SETS {
            for gas in ["CO2", "CH4", "N2O"] {
                if gwp.value(set, gas).is_none() {
                    return Err(LibraryError {
                        file: "gwp.csv".into(),
                        location: String::new(),
                        msg: Msg::new("carbon-gwp-missing")
                            .arg("set", set)
                            .arg("gas", gas),
                    });
                }
            }
        }

        let mut lib = Library {
            version: String::new(),
            factors: BTreeMap::new(),
            gwp,
        };

        let fuels = Sheet::parse("fuels.csv", &get("fuels.csv")?)?;
        let version = fuels.meta["version"].clone();
        for (line, [id, zh, en, per_unit, ncv, cc, of, conf, source, reference]) in columns(
            &fuels,
            [
                "id",
                "name_zh",
                "name_en",
                "per_unit",
                "ncv_gj",
                "carbon_tc_per_gj",
                "oxidation_pct",
                "confidence",
                "source",
                "ref",
            ],
        )? {
            let ncv_gj = decimal(&fuels, line, "ncv_gj", ncv)?;
            let carbon = decimal(&fuels, line, "carbon_tc_per_gj", cc)?;
            let oxidation = decimal(&fuels, line, "oxidation_pct", of)?;
            if oxidation > Decimal::ONE_HUNDRED {
                return Err(fuels.error(
                    line,
                    "oxidation_pct",
                    Msg::new("carbon-file-number").arg("value", of),
                ));
            }
            if rd.unit(per_unit).is_none() {
                return Err(fuels.error(
                    line,
                    "per_unit",
                    Msg::new("unit-unknown").arg("code", per_unit),
                ));
            }
            let c = confidence(&fuels, line, conf)?;
            // The guideline formula. 44/12 does not terminate in decimal,
            // so the factor is rounded once, to DERIVED_DECIMALS places —
            // far finer than the inputs' 3–5 significant digits — which
            // keeps every later product and sum exact.
            let value = (ncv_gj * carbon * oxidation / Decimal::ONE_HUNDRED * Decimal::from(44)
                / Decimal::from(12))
            .round_dp(DERIVED_DECIMALS);
            lib.insert_new(
                &fuels,
                line,
                Factor {
                    id: format!("cn.fuel.{id}"),
                    family: "China industry guideline fuel default".into(),
                    name_zh: format!("{zh}（燃烧，指南缺省值）"),
                    name_en: format!("{en} (combustion, guideline default)"),
                    region: "CN".into(),
                    year: None,
                    method: Method::None,
                    per_unit: per_unit.to_string(),
                    gases: vec![GasValue {
                        gas: "CO2".into(),
                        value,
                        unit: "t".into(),
                        confidence: c,
                        source: format!("derived from {source}"),
                    }],
                    confidence: c,
                    source: source.to_string(),
                    reference: reference.to_string(),
                    derivation: Some(Derivation {
                        ncv_gj,
                        carbon_tc_per_gj: carbon,
                        oxidation_pct: oxidation,
                    }),
                    valid_from: None,
                    valid_to: None,
                    origin: Origin::Shipped {
                        version: version.clone(),
                    },
                },
            )?;
        }

        let fs = Sheet::parse("factors.csv", &get("factors.csv")?)?;
        lib.version = fs.meta["version"].clone();
        for (
            line,
            [
                id,
                family,
                zh,
                en,
                region,
                year,
                gas,
                value,
                gas_unit,
                per_unit,
                method,
                conf,
                source,
                reference,
                valid_from,
                valid_to,
            ],
        ) in columns(
            &fs,
            [
                "id",
                "family",
                "name_zh",
                "name_en",
                "region",
                "year",
                "gas",
                "value",
                "gas_unit",
                "per_unit",
                "method",
                "confidence",
                "source",
                "ref",
                "valid_from",
                "valid_to",
            ],
        )? {
            if id.is_empty() {
                return Err(fs.error(line, "id", Msg::new("carbon-file-missing")));
            }
            let v = decimal(&fs, line, "value", value)?;
            let c = confidence(&fs, line, conf)?;
            if !MASS_UNITS.contains(&gas_unit) {
                return Err(fs.error(
                    line,
                    "gas_unit",
                    Msg::new("carbon-gas-unit").arg("unit", gas_unit),
                ));
            }
            if lib.gwp.value("ar6", gas).is_none() {
                return Err(fs.error(line, "gas", Msg::new("carbon-gas-unknown").arg("gas", gas)));
            }
            if rd.unit(per_unit).is_none() {
                return Err(fs.error(
                    line,
                    "per_unit",
                    Msg::new("unit-unknown").arg("code", per_unit),
                ));
            }
            let method = Method::parse(method).ok_or_else(|| {
                fs.error(
                    line,
                    "method",
                    Msg::new("carbon-method").arg("value", method),
                )
            })?;
            let year = if year.is_empty() {
                None
            } else {
                Some(year.parse::<i32>().map_err(|_| {
                    fs.error(
                        line,
                        "year",
                        Msg::new("carbon-file-number").arg("value", year),
                    )
                })?)
            };
            let gv = GasValue {
                gas: gas.to_string(),
                value: v,
                unit: gas_unit.to_string(),
                confidence: c,
                source: source.to_string(),
            };
            match lib.factors.get_mut(id) {
                // Further gases of the factor on the rows that follow.
                Some(f) if matches!(f.origin, Origin::Shipped { .. }) && f.derivation.is_none() => {
                    if f.per_unit != per_unit || f.gases.iter().any(|g| g.gas == gas) {
                        return Err(fs.error(
                            line,
                            "id",
                            Msg::new("carbon-file-duplicate").arg("value", format!("{id} {gas}")),
                        ));
                    }
                    f.gases.push(gv);
                    f.confidence = weaker(f.confidence, c);
                    if !f.reference.split(';').any(|r| r == reference) {
                        f.reference = format!("{};{reference}", f.reference);
                    }
                }
                Some(_) => {
                    return Err(fs.error(
                        line,
                        "id",
                        Msg::new("carbon-file-duplicate").arg("value", id),
                    ));
                }
                None => {
                    let valid = |col: &str, v: &str| -> Result<Option<String>, LibraryError> {
                        match v {
                            "" => Ok(None),
                            v if is_iso_date(v) => Ok(Some(v.to_string())),
                            v => Err(fs.error(
                                line,
                                col,
                                Msg::new("carbon-file-date").arg("value", v),
                            )),
                        }
                    };
                    let (valid_from, valid_to) = (
                        valid("valid_from", valid_from)?,
                        valid("valid_to", valid_to)?,
                    );
                    lib.factors.insert(
                        id.to_string(),
                        Factor {
                            id: id.to_string(),
                            family: family.to_string(),
                            name_zh: zh.to_string(),
                            name_en: en.to_string(),
                            region: region.to_string(),
                            year,
                            method,
                            per_unit: per_unit.to_string(),
                            gases: vec![gv],
                            confidence: c,
                            source: source.to_string(),
                            reference: reference.to_string(),
                            derivation: None,
                            valid_from,
                            valid_to,
                            origin: Origin::Shipped {
                                version: lib.version.clone(),
                            },
                        },
                    );
                }
            }
        }

        // Direct gas factors for fugitive and process releases.
        let gases: Vec<String> = lib.gwp.gases("ar6").map(|(g, _)| g.clone()).collect();
        for gas in gases {
            let id = format!("gas.{gas}");
            lib.factors.insert(
                id.clone(),
                Factor {
                    id,
                    family: "Direct release".into(),
                    name_zh: format!("{gas} 直接排放"),
                    name_en: format!("{gas} released"),
                    region: "GLOBAL".into(),
                    year: None,
                    method: Method::None,
                    per_unit: "t".into(),
                    gases: vec![GasValue {
                        gas: gas.clone(),
                        value: Decimal::ONE,
                        unit: "t".into(),
                        confidence: Confidence::High,
                        source: "by definition".into(),
                    }],
                    confidence: Confidence::High,
                    source: "by definition (1 t of gas per t released); GWP from gwp.csv".into(),
                    reference: String::new(),
                    derivation: None,
                    valid_from: None,
                    valid_to: None,
                    origin: Origin::Shipped {
                        version: lib.version.clone(),
                    },
                },
            );
        }
        Ok(lib)
    }

    fn insert_new(&mut self, sheet: &Sheet, line: usize, f: Factor) -> Result<(), LibraryError> {
        if self.factors.contains_key(&f.id) {
            return Err(sheet.error(
                line,
                "id",
                Msg::new("carbon-file-duplicate").arg("value", &f.id),
            ));
        }
        self.factors.insert(f.id.clone(), f);
        Ok(())
    }

    pub fn get(&self, id: &str) -> Option<&Factor> {
        self.factors.get(id)
    }

    pub fn factors(&self) -> impl Iterator<Item = &Factor> {
        self.factors.values()
    }

    pub fn len(&self) -> usize {
        self.factors.len()
    }

    pub fn is_empty(&self) -> bool {
        self.factors.is_empty()
    }

    /// The residual-mix factor published for `year`, for market-based
    /// scope 2 without an instrument.
    pub fn residual_for(&self, year: Option<i32>) -> Option<&Factor> {
        self.factors
            .values()
            .find(|f| f.method == Method::Residual && f.year == year)
    }

    /// A copy with factors added by a user or the city. An id that exists
    /// (shipped or added before) is refused; nothing is replaced.
    pub fn with_added(
        &self,
        rd: &ReferenceData,
        added: impl IntoIterator<Item = Factor>,
    ) -> Result<Library, Msg> {
        let mut lib = self.clone();
        for f in added {
            check_added(&lib, rd, &f)?;
            lib.factors.insert(f.id.clone(), f);
        }
        Ok(lib)
    }
}

fn weaker(a: Confidence, b: Confidence) -> Confidence {
    let rank = |c: Confidence| match c {
        Confidence::Low => 0,
        Confidence::Medium => 1,
        Confidence::High => 2,
    };
    if rank(a) <= rank(b) { a } else { b }
}

/// Checks a factor someone adds.
pub fn check_added(lib: &Library, rd: &ReferenceData, f: &Factor) -> Result<(), Msg> {
    if f.id.trim().is_empty() || f.id.contains(',') || f.id.chars().any(char::is_whitespace) {
        return Err(Msg::new("carbon-factor-id").arg("id", &f.id));
    }
    if lib.get(&f.id).is_some() {
        return Err(Msg::new("carbon-factor-exists").arg("id", &f.id));
    }
    if !matches!(f.origin, Origin::Added { .. }) || f.source.trim().is_empty() {
        return Err(Msg::new("carbon-factor-source").arg("id", &f.id));
    }
    if rd.unit(&f.per_unit).is_none() {
        return Err(Msg::new("unit-unknown").arg("code", &f.per_unit));
    }
    if f.gases.is_empty() {
        return Err(Msg::new("carbon-factor-gases").arg("id", &f.id));
    }
    for d in [&f.valid_from, &f.valid_to].into_iter().flatten() {
        if !is_iso_date(d) {
            return Err(Msg::new("carbon-file-date").arg("value", d));
        }
    }
    for g in &f.gases {
        if lib.gwp.value("ar6", &g.gas).is_none() {
            return Err(Msg::new("carbon-gas-unknown").arg("gas", &g.gas));
        }
        if !MASS_UNITS.contains(&g.unit.as_str()) {
            return Err(Msg::new("carbon-gas-unit").arg("unit", &g.unit));
        }
        if g.value.is_sign_negative() {
            return Err(Msg::new("carbon-file-number").arg("value", g.value));
        }
    }
    Ok(())
}
