//! Reference data: versioned files under `data/reference/`, embedded in the
//! binary and also loadable from a directory (so a deployment can ship newer
//! data without a rebuild).
//!
//! | File                | Contents                                              |
//! |---------------------|-------------------------------------------------------|
//! | `districts.toml`    | the city (350200) and its six districts               |
//! | `zones.toml`        | ESG pilot zones and the districts they span           |
//! | `clusters.toml`     | the 4+4+6 industry clusters and typical divisions     |
//! | `industries.csv`    | GB/T 4754-2017 sections and divisions                 |
//! | `size-classes.toml` | the national enterprise size table                    |
//! | `indices.toml`      | stock indices and whether they mandate a SR           |
//! | `uscc-types.toml`   | credit-code authority and entity-type codes           |
//! | `units.toml`        | units of measure and exact conversion factors         |
//! | `currencies.toml`   | foreign currencies and reference exchange rates       |
//!
//! Each TOML file has a `[meta]` table and the CSV file `# key: value` header
//! comments with `version`, `source` and `confidence`. Everything is checked
//! at load; an error names the file and the entry/field (`district[3].code`,
//! 1-based) or the line and column (`15:size_category`).

use std::collections::{BTreeMap, HashSet};
use std::fmt;
use std::path::Path;
use std::sync::OnceLock;

use egret_i18n::{Lang, Msg};
use serde::{Deserialize, Serialize};

use crate::org::Exchange;
use crate::size::Indicator;
use crate::uscc::symbol_value;

/// The reference files, in load order.
pub const FILES: [&str; 9] = [
    "districts.toml",
    "zones.toml",
    "clusters.toml",
    "industries.csv",
    "size-classes.toml",
    "indices.toml",
    "uscc-types.toml",
    "units.toml",
    "currencies.toml",
];

macro_rules! embedded_files {
    ($($name:literal),* $(,)?) => {
        &[$(($name, include_str!(concat!("../../../data/reference/", $name)))),*]
    };
}

const EMBEDDED: &[(&str, &str)] = embedded_files![
    "districts.toml",
    "zones.toml",
    "clusters.toml",
    "industries.csv",
    "size-classes.toml",
    "indices.toml",
    "uscc-types.toml",
    "units.toml",
    "currencies.toml",
];

/// How well a fact is sourced: H = two independent sources agree, M = one
/// credible source, L = memory, derived or weak source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Confidence {
    #[serde(rename = "H")]
    High,
    #[serde(rename = "M")]
    Medium,
    #[serde(rename = "L")]
    Low,
}

impl Confidence {
    pub fn parse(s: &str) -> Option<Confidence> {
        match s.trim().chars().next()? {
            'H' => Some(Confidence::High),
            'M' => Some(Confidence::Medium),
            'L' => Some(Confidence::Low),
            _ => None,
        }
    }
}

/// Provenance of one reference file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Meta {
    pub version: String,
    pub source: String,
    pub confidence: Confidence,
    #[serde(default)]
    pub notes: Option<String>,
}

/// The city itself.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct City {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    pub population_2020: Option<u64>,
    pub population_confidence: Confidence,
}

/// A district (市辖区) with its GB/T 2260 code.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct District {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    /// Resident population at the 2020 census.
    pub population_2020: Option<u64>,
    pub population_confidence: Confidence,
    /// [column, row] on the dashboards' schematic tile map.
    #[serde(default)]
    pub tile: Option<[u8; 2]>,
}

/// An ESG pilot zone (or any other park) spanning one or more districts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Zone {
    pub id: String,
    pub name_zh: String,
    pub name_en: String,
    pub districts: Vec<String>,
    pub districts_confidence: Confidence,
    pub source: String,
}

/// Group of a 4+4+6 cluster.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClusterGroup {
    /// 支柱产业集群
    Pillar,
    /// 战略性新兴产业
    Emerging,
    /// 未来产业
    Future,
}

/// An industry cluster of the 4+4+6 system.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cluster {
    pub id: String,
    pub group: ClusterGroup,
    pub name_zh: String,
    pub name_en: String,
    pub confidence: Confidence,
    pub name_zh_confidence: Confidence,
    /// Typical GB/T 4754 divisions (Egret's own mapping).
    pub divisions: Vec<String>,
}

/// A GB/T 4754 section (门类), `A`–`T`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Section {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
}

/// A GB/T 4754 division (大类), two digits.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Division {
    pub code: String,
    /// Section letter.
    pub section: String,
    pub name_zh: String,
    pub name_en: String,
    /// Size-table category id (see [`SizeCategory`]).
    pub size_category: String,
}

/// Lower bounds of one indicator in the size table (persons or 万元).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Threshold {
    pub indicator: Indicator,
    pub large: u64,
    pub medium: u64,
    pub small: u64,
    pub confidence: Confidence,
}

/// One industry category of the size table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SizeCategory {
    pub id: String,
    pub name_zh: String,
    pub name_en: String,
    /// Classified by another standard (finance); `indicators` is empty.
    #[serde(default)]
    pub separate_standard: bool,
    pub indicators: Vec<Threshold>,
}

/// A 3-digit group whose size category differs from its division's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SizeOverride {
    pub group: String,
    pub category: String,
    pub note: String,
}

/// A stock index.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StockIndex {
    pub id: String,
    /// Exchanges whose listings can be constituents.
    pub exchanges: Vec<Exchange>,
    pub name_zh: String,
    pub name_en: String,
    /// Constituents must publish an exchange sustainability report.
    pub mandates_sr: bool,
}

impl StockIndex {
    /// Spans more than one exchange (e.g. CSI 300).
    pub fn is_cross_exchange(&self) -> bool {
        self.exchanges.len() > 1
    }
}

/// A registration-authority code (credit-code position 1).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UsccAuthority {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
}

/// An authority + entity-type code (credit-code positions 1–2).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UsccType {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
}

/// What went wrong with a reference file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefDataProblem {
    /// The file could not be read.
    Io(String),
    /// TOML/CSV syntax or shape error (parser's own text, with position).
    Syntax(String),
    /// A required field or header entry is missing or empty.
    Missing,
    /// An id/code occurs twice.
    Duplicate(String),
    /// A reference to an id/code that is not defined.
    UnknownRef(String),
    /// A value breaks a rule (`rule` is a short technical description).
    Invalid { value: String, rule: &'static str },
}

/// A reference-data error naming the file and, where known, the location.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefDataError {
    pub file: String,
    /// `entry[n].field` (1-based) for TOML, `line:column` for CSV.
    pub location: String,
    pub problem: RefDataProblem,
}

impl RefDataError {
    pub(crate) fn new(file: &str, location: impl Into<String>, problem: RefDataProblem) -> Self {
        RefDataError {
            file: file.to_string(),
            location: location.into(),
            problem,
        }
    }

    /// The user-facing message.
    pub fn msg(&self) -> Msg {
        let base = |key: &'static str| {
            Msg::new(key)
                .arg("file", &self.file)
                .arg("location", &self.location)
        };
        match &self.problem {
            RefDataProblem::Io(detail) => base("domain-refdata-io").arg("detail", detail),
            RefDataProblem::Syntax(detail) => base("domain-refdata-syntax").arg("detail", detail),
            RefDataProblem::Missing => base("domain-refdata-missing"),
            RefDataProblem::Duplicate(v) => base("domain-refdata-duplicate").arg("value", v),
            RefDataProblem::UnknownRef(v) => base("domain-refdata-unknown").arg("value", v),
            RefDataProblem::Invalid { value, rule } => base("domain-refdata-invalid")
                .arg("value", value)
                .arg("rule", rule),
        }
    }
}

impl fmt::Display for RefDataError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.msg().render(Lang::En))
    }
}

impl std::error::Error for RefDataError {}

/// All reference data, validated.
#[derive(Debug, Clone, PartialEq)]
pub struct ReferenceData {
    meta: BTreeMap<String, Meta>,
    city: City,
    districts: Vec<District>,
    zones: Vec<Zone>,
    clusters: Vec<Cluster>,
    sections: Vec<Section>,
    divisions: Vec<Division>,
    size_categories: Vec<SizeCategory>,
    size_overrides: Vec<SizeOverride>,
    indices: Vec<StockIndex>,
    uscc_authorities: Vec<UsccAuthority>,
    uscc_types: Vec<UsccType>,
    units: crate::units::UnitTable,
    fx: crate::fx::FxTable,
}

impl ReferenceData {
    /// The data shipped in the binary. Panics only if the shipped files are
    /// invalid, which the test suite rules out.
    pub fn embedded() -> &'static ReferenceData {
        static DATA: OnceLock<ReferenceData> = OnceLock::new();
        DATA.get_or_init(|| {
            ReferenceData::from_texts(|name| {
                EMBEDDED
                    .iter()
                    .find(|(n, _)| *n == name)
                    .map(|(_, text)| (*text).to_string())
                    .ok_or_else(|| RefDataError::new(name, "", RefDataProblem::Missing))
            })
            .unwrap_or_else(|e| panic!("embedded reference data is invalid: {e}"))
        })
    }

    /// Loads and validates the reference files from `dir`.
    pub fn load_dir(dir: impl AsRef<Path>) -> Result<ReferenceData, RefDataError> {
        let dir = dir.as_ref();
        ReferenceData::from_texts(|name| {
            std::fs::read_to_string(dir.join(name))
                .map_err(|e| RefDataError::new(name, "", RefDataProblem::Io(e.to_string())))
        })
    }

    fn from_texts(
        get: impl Fn(&'static str) -> Result<String, RefDataError>,
    ) -> Result<ReferenceData, RefDataError> {
        let mut meta = BTreeMap::new();

        let f = "districts.toml";
        let raw: DistrictsFile = parse_toml(f, &get(f)?)?;
        meta.insert(f.to_string(), check_meta(f, raw.meta)?);
        let (city, districts) = check_districts(f, raw.city, raw.district)?;

        let f = "uscc-types.toml";
        let raw: UsccFile = parse_toml(f, &get(f)?)?;
        meta.insert(f.to_string(), check_meta(f, raw.meta)?);
        check_uscc(f, &raw.authority, &raw.r#type)?;

        let f = "size-classes.toml";
        let raw_size: SizeFile = parse_toml(f, &get(f)?)?;
        meta.insert(f.to_string(), check_meta(f, raw_size.meta.clone())?);
        check_size_categories(f, &raw_size.category)?;

        let f = "industries.csv";
        let (industries_meta, sections, divisions) =
            parse_industries(f, &get(f)?, &raw_size.category)?;
        meta.insert(f.to_string(), industries_meta);

        let mut rd = ReferenceData {
            meta,
            city,
            districts,
            zones: Vec::new(),
            clusters: Vec::new(),
            sections,
            divisions,
            size_categories: raw_size.category,
            size_overrides: Vec::new(),
            indices: Vec::new(),
            uscc_authorities: raw.authority,
            uscc_types: raw.r#type,
            units: Default::default(),
            fx: Default::default(),
        };
        rd.size_overrides = check_overrides("size-classes.toml", &rd, raw_size.r#override)?;

        let f = "zones.toml";
        let raw: ZonesFile = parse_toml(f, &get(f)?)?;
        rd.meta.insert(f.to_string(), check_meta(f, raw.meta)?);
        rd.zones = check_zones(f, &rd, raw.zone)?;

        let f = "clusters.toml";
        let raw: ClustersFile = parse_toml(f, &get(f)?)?;
        rd.meta.insert(f.to_string(), check_meta(f, raw.meta)?);
        rd.clusters = check_clusters(f, &rd, raw.cluster)?;

        let f = "indices.toml";
        let raw: IndicesFile = parse_toml(f, &get(f)?)?;
        rd.meta.insert(f.to_string(), check_meta(f, raw.meta)?);
        rd.indices = check_indices(f, raw.index)?;

        let f = "units.toml";
        let (units_meta, units) = crate::units::load(f, &get(f)?)?;
        rd.meta.insert(f.to_string(), check_meta(f, units_meta)?);
        rd.units = units;

        let f = "currencies.toml";
        let (fx_meta, fx) = crate::fx::load(f, &get(f)?)?;
        rd.meta.insert(f.to_string(), check_meta(f, fx_meta)?);
        rd.fx = fx;

        Ok(rd)
    }

    pub(crate) fn unit_table(&self) -> &crate::units::UnitTable {
        &self.units
    }

    pub(crate) fn fx_table(&self) -> &crate::fx::FxTable {
        &self.fx
    }

    /// Provenance of a file (`"districts.toml"`, ...).
    pub fn meta(&self, file: &str) -> Option<&Meta> {
        self.meta.get(file)
    }

    pub fn city(&self) -> &City {
        &self.city
    }

    /// District by GB/T 2260 code.
    pub fn district(&self, code: &str) -> Option<&District> {
        self.districts.iter().find(|d| d.code == code.trim())
    }

    /// District by code, Chinese name (with or without the trailing 区) or
    /// English name (case-insensitive, with or without "District").
    pub fn find_district(&self, s: &str) -> Option<&District> {
        let s = s.trim();
        if s.is_empty() {
            return None;
        }
        let lower = s.to_lowercase();
        self.districts.iter().find(|d| {
            d.code == s
                || d.name_zh == s
                || d.name_zh.trim_end_matches('区') == s
                || d.name_en.to_lowercase() == lower
                || d.name_en.to_lowercase().trim_end_matches(" district") == lower
        })
    }

    pub fn districts(&self) -> impl Iterator<Item = &District> {
        self.districts.iter()
    }

    pub fn zone(&self, id: &str) -> Option<&Zone> {
        self.zones.iter().find(|z| z.id == id.trim())
    }

    pub fn zones(&self) -> impl Iterator<Item = &Zone> {
        self.zones.iter()
    }

    pub fn cluster(&self, id: &str) -> Option<&Cluster> {
        self.clusters.iter().find(|c| c.id == id.trim())
    }

    pub fn clusters(&self) -> impl Iterator<Item = &Cluster> {
        self.clusters.iter()
    }

    /// Section by letter (`"C"`).
    pub fn section(&self, code: &str) -> Option<&Section> {
        self.sections
            .iter()
            .find(|s| s.code.eq_ignore_ascii_case(code.trim()))
    }

    pub fn sections(&self) -> impl Iterator<Item = &Section> {
        self.sections.iter()
    }

    /// The division of an industry code of 2–4 digits (division, group or
    /// class), optionally prefixed by its section letter (`C3914`). Resolves
    /// by the first two digits; group/class digits beyond that are not
    /// checked against the full classification. `None` if malformed, the
    /// division is unknown or the letter does not match.
    pub fn division(&self, code: &str) -> Option<&Division> {
        let (letter, digits) = split_industry_code(code)?;
        let d = self.divisions.iter().find(|d| d.code == digits[..2])?;
        match letter {
            Some(l) if !d.section.eq_ignore_ascii_case(l) => None,
            _ => Some(d),
        }
    }

    /// The digits of a valid industry code (`"C3914"` → `"3914"`).
    pub fn normalize_industry_code(&self, code: &str) -> Option<String> {
        self.division(code)?;
        split_industry_code(code).map(|(_, digits)| digits.to_string())
    }

    pub fn divisions(&self) -> impl Iterator<Item = &Division> {
        self.divisions.iter()
    }

    pub fn size_category(&self, id: &str) -> Option<&SizeCategory> {
        self.size_categories.iter().find(|c| c.id == id)
    }

    pub fn size_categories(&self) -> impl Iterator<Item = &SizeCategory> {
        self.size_categories.iter()
    }

    pub fn size_overrides(&self) -> impl Iterator<Item = &SizeOverride> {
        self.size_overrides.iter()
    }

    /// The size-table category of an industry code: the division's category
    /// unless a 3-digit group override applies.
    pub fn size_category_for(&self, industry_code: &str) -> Option<&SizeCategory> {
        let division = self.division(industry_code)?;
        let (_, digits) = split_industry_code(industry_code)?;
        let id = digits
            .get(..3)
            .and_then(|g| self.size_overrides.iter().find(|o| o.group == g))
            .map_or(division.size_category.as_str(), |o| o.category.as_str());
        self.size_category(id)
    }

    pub fn index(&self, id: &str) -> Option<&StockIndex> {
        self.indices
            .iter()
            .find(|i| i.id.eq_ignore_ascii_case(id.trim()))
    }

    pub fn indices(&self) -> impl Iterator<Item = &StockIndex> {
        self.indices.iter()
    }

    pub fn uscc_authority(&self, code: char) -> Option<&UsccAuthority> {
        self.uscc_authorities
            .iter()
            .find(|a| a.code.chars().eq(std::iter::once(code)))
    }

    pub fn uscc_authorities(&self) -> impl Iterator<Item = &UsccAuthority> {
        self.uscc_authorities.iter()
    }

    pub fn uscc_type(&self, code: &str) -> Option<&UsccType> {
        self.uscc_types.iter().find(|t| t.code == code)
    }

    pub fn uscc_types(&self) -> impl Iterator<Item = &UsccType> {
        self.uscc_types.iter()
    }
}

/// Splits `[letter]digits` and checks the shape (2–4 ASCII digits).
fn split_industry_code(code: &str) -> Option<(Option<&str>, &str)> {
    let code = code.trim();
    let (letter, digits) = match code.chars().next()? {
        c if c.is_ascii_alphabetic() => (Some(&code[..1]), &code[1..]),
        _ => (None, code),
    };
    ((2..=4).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit()))
        .then_some((letter, digits))
}

// ---- raw file shapes -------------------------------------------------------

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DistrictsFile {
    meta: Meta,
    city: City,
    district: Vec<District>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ZonesFile {
    meta: Meta,
    zone: Vec<Zone>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ClustersFile {
    meta: Meta,
    cluster: Vec<Cluster>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SizeFile {
    meta: Meta,
    category: Vec<SizeCategory>,
    #[serde(default)]
    r#override: Vec<SizeOverride>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct IndicesFile {
    meta: Meta,
    index: Vec<StockIndex>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UsccFile {
    meta: Meta,
    authority: Vec<UsccAuthority>,
    r#type: Vec<UsccType>,
}

#[derive(Deserialize)]
struct IndustryRow {
    code: String,
    level: String,
    parent: String,
    name_zh: String,
    name_en: String,
    size_category: String,
}

// ---- checks ----------------------------------------------------------------

fn parse_toml<T: serde::de::DeserializeOwned>(file: &str, text: &str) -> Result<T, RefDataError> {
    toml::from_str(text)
        .map_err(|e| RefDataError::new(file, "", RefDataProblem::Syntax(e.to_string())))
}

fn at(entry: &str, n: usize, field: &str) -> String {
    format!("{entry}[{}].{field}", n + 1)
}

fn missing(file: &str, location: String) -> RefDataError {
    RefDataError::new(file, location, RefDataProblem::Missing)
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

fn require(file: &str, location: String, value: &str) -> Result<(), RefDataError> {
    if value.trim().is_empty() {
        Err(missing(file, location))
    } else {
        Ok(())
    }
}

/// Inserts into `seen`, failing on a duplicate.
fn unique(
    file: &str,
    seen: &mut HashSet<String>,
    location: String,
    value: &str,
) -> Result<(), RefDataError> {
    if seen.insert(value.to_string()) {
        Ok(())
    } else {
        Err(RefDataError::new(
            file,
            location,
            RefDataProblem::Duplicate(value.to_string()),
        ))
    }
}

fn is_id(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
}

fn is_digits(s: &str, n: usize) -> bool {
    s.len() == n && s.bytes().all(|b| b.is_ascii_digit())
}

fn check_meta(file: &str, meta: Meta) -> Result<Meta, RefDataError> {
    require(file, "meta.version".into(), &meta.version)?;
    require(file, "meta.source".into(), &meta.source)?;
    Ok(meta)
}

fn check_districts(
    f: &str,
    city: City,
    districts: Vec<District>,
) -> Result<(City, Vec<District>), RefDataError> {
    if !is_digits(&city.code, 6) || !city.code.ends_with("00") {
        return Err(invalid(
            f,
            "city.code".into(),
            &city.code,
            "GB/T 2260 city code (6 digits ending in 00)",
        ));
    }
    require(f, "city.name_zh".into(), &city.name_zh)?;
    require(f, "city.name_en".into(), &city.name_en)?;
    let (mut codes, mut names) = (HashSet::new(), HashSet::new());
    for (n, d) in districts.iter().enumerate() {
        if !is_digits(&d.code, 6) || d.code[..4] != city.code[..4] || d.code == city.code {
            return Err(invalid(
                f,
                at("district", n, "code"),
                &d.code,
                "6-digit GB/T 2260 code within the city",
            ));
        }
        unique(f, &mut codes, at("district", n, "code"), &d.code)?;
        require(f, at("district", n, "name_zh"), &d.name_zh)?;
        require(f, at("district", n, "name_en"), &d.name_en)?;
        unique(f, &mut names, at("district", n, "name_zh"), &d.name_zh)?;
    }
    if districts.is_empty() {
        return Err(missing(f, "district".into()));
    }
    Ok((city, districts))
}

fn check_zones(f: &str, rd: &ReferenceData, zones: Vec<Zone>) -> Result<Vec<Zone>, RefDataError> {
    let mut ids = HashSet::new();
    for (n, z) in zones.iter().enumerate() {
        if !is_id(&z.id) {
            return Err(invalid(
                f,
                at("zone", n, "id"),
                &z.id,
                "lowercase id [a-z0-9-]",
            ));
        }
        unique(f, &mut ids, at("zone", n, "id"), &z.id)?;
        require(f, at("zone", n, "name_zh"), &z.name_zh)?;
        require(f, at("zone", n, "name_en"), &z.name_en)?;
        if z.districts.is_empty() {
            return Err(missing(f, at("zone", n, "districts")));
        }
        for d in &z.districts {
            if rd.district(d).is_none() {
                return Err(RefDataError::new(
                    f,
                    at("zone", n, "districts"),
                    RefDataProblem::UnknownRef(d.clone()),
                ));
            }
        }
    }
    Ok(zones)
}

fn check_clusters(
    f: &str,
    rd: &ReferenceData,
    clusters: Vec<Cluster>,
) -> Result<Vec<Cluster>, RefDataError> {
    let mut ids = HashSet::new();
    for (n, c) in clusters.iter().enumerate() {
        if !is_id(&c.id) {
            return Err(invalid(
                f,
                at("cluster", n, "id"),
                &c.id,
                "lowercase id [a-z0-9-]",
            ));
        }
        unique(f, &mut ids, at("cluster", n, "id"), &c.id)?;
        require(f, at("cluster", n, "name_zh"), &c.name_zh)?;
        require(f, at("cluster", n, "name_en"), &c.name_en)?;
        for d in &c.divisions {
            if !is_digits(d, 2) || rd.division(d).is_none() {
                return Err(RefDataError::new(
                    f,
                    at("cluster", n, "divisions"),
                    RefDataProblem::UnknownRef(d.clone()),
                ));
            }
        }
    }
    Ok(clusters)
}

fn check_size_categories(f: &str, cats: &[SizeCategory]) -> Result<(), RefDataError> {
    let mut ids = HashSet::new();
    for (n, c) in cats.iter().enumerate() {
        if !is_id(&c.id) {
            return Err(invalid(
                f,
                at("category", n, "id"),
                &c.id,
                "lowercase id [a-z0-9_]",
            ));
        }
        unique(f, &mut ids, at("category", n, "id"), &c.id)?;
        require(f, at("category", n, "name_zh"), &c.name_zh)?;
        require(f, at("category", n, "name_en"), &c.name_en)?;
        if c.separate_standard != c.indicators.is_empty() {
            return Err(invalid(
                f,
                at("category", n, "indicators"),
                &c.indicators.len().to_string(),
                "empty exactly when separate_standard = true",
            ));
        }
        let mut seen = HashSet::new();
        for t in &c.indicators {
            let loc = format!(
                "{}[{}]",
                at("category", n, "indicators"),
                t.indicator.as_str()
            );
            unique(f, &mut seen, loc.clone(), t.indicator.as_str())?;
            if !(t.large > t.medium && t.medium > t.small && t.small > 0) {
                return Err(invalid(
                    f,
                    loc,
                    &format!("{}/{}/{}", t.large, t.medium, t.small),
                    "large > medium > small > 0",
                ));
            }
        }
    }
    Ok(())
}

fn check_overrides(
    f: &str,
    rd: &ReferenceData,
    overrides: Vec<SizeOverride>,
) -> Result<Vec<SizeOverride>, RefDataError> {
    let mut groups = HashSet::new();
    for (n, o) in overrides.iter().enumerate() {
        if !is_digits(&o.group, 3) {
            return Err(invalid(
                f,
                at("override", n, "group"),
                &o.group,
                "3-digit GB/T 4754 group",
            ));
        }
        if rd.division(&o.group).is_none() {
            return Err(RefDataError::new(
                f,
                at("override", n, "group"),
                RefDataProblem::UnknownRef(o.group.clone()),
            ));
        }
        unique(f, &mut groups, at("override", n, "group"), &o.group)?;
        if rd.size_category(&o.category).is_none() {
            return Err(RefDataError::new(
                f,
                at("override", n, "category"),
                RefDataProblem::UnknownRef(o.category.clone()),
            ));
        }
    }
    Ok(overrides)
}

fn check_indices(f: &str, indices: Vec<StockIndex>) -> Result<Vec<StockIndex>, RefDataError> {
    let mut ids = HashSet::new();
    for (n, i) in indices.iter().enumerate() {
        if !is_id(&i.id) {
            return Err(invalid(
                f,
                at("index", n, "id"),
                &i.id,
                "lowercase id [a-z0-9-]",
            ));
        }
        unique(f, &mut ids, at("index", n, "id"), &i.id)?;
        require(f, at("index", n, "name_zh"), &i.name_zh)?;
        require(f, at("index", n, "name_en"), &i.name_en)?;
        if i.exchanges.is_empty() {
            return Err(missing(f, at("index", n, "exchanges")));
        }
    }
    Ok(indices)
}

fn check_uscc(
    f: &str,
    authorities: &[UsccAuthority],
    types: &[UsccType],
) -> Result<(), RefDataError> {
    let mut seen = HashSet::new();
    for (n, a) in authorities.iter().enumerate() {
        let mut chars = a.code.chars();
        let ok =
            matches!((chars.next(), chars.next()), (Some(c), None) if symbol_value(c).is_some());
        if !ok {
            return Err(invalid(
                f,
                at("authority", n, "code"),
                &a.code,
                "one credit-code symbol",
            ));
        }
        unique(f, &mut seen, at("authority", n, "code"), &a.code)?;
        require(f, at("authority", n, "name_zh"), &a.name_zh)?;
    }
    let mut seen = HashSet::new();
    for (n, t) in types.iter().enumerate() {
        let chars: Vec<char> = t.code.chars().collect();
        if chars.len() != 2 || chars.iter().any(|c| symbol_value(*c).is_none()) {
            return Err(invalid(
                f,
                at("type", n, "code"),
                &t.code,
                "two credit-code symbols",
            ));
        }
        if !authorities.iter().any(|a| a.code.starts_with(chars[0])) {
            return Err(RefDataError::new(
                f,
                at("type", n, "code"),
                RefDataProblem::UnknownRef(chars[0].to_string()),
            ));
        }
        unique(f, &mut seen, at("type", n, "code"), &t.code)?;
        require(f, at("type", n, "name_zh"), &t.name_zh)?;
    }
    Ok(())
}

/// Parses `industries.csv`: `# key: value` provenance comments, then rows.
fn parse_industries(
    f: &str,
    text: &str,
    categories: &[SizeCategory],
) -> Result<(Meta, Vec<Section>, Vec<Division>), RefDataError> {
    let mut header = BTreeMap::new();
    for line in text.lines().take_while(|l| l.starts_with('#')) {
        if let Some((k, v)) = line.trim_start_matches('#').split_once(':') {
            header.insert(k.trim().to_lowercase(), v.trim().to_string());
        }
    }
    let get = |k: &str| -> Result<String, RefDataError> {
        header
            .get(k)
            .filter(|v| !v.is_empty())
            .cloned()
            .ok_or_else(|| missing(f, format!("# {k}")))
    };
    let confidence_text = get("confidence")?;
    let meta = Meta {
        version: get("version")?,
        source: get("source")?,
        confidence: Confidence::parse(&confidence_text)
            .ok_or_else(|| invalid(f, "# confidence".into(), &confidence_text, "H, M or L"))?,
        notes: header.get("notes").cloned(),
    };

    let mut reader = csv::ReaderBuilder::new()
        .comment(Some(b'#'))
        .from_reader(text.as_bytes());
    let (mut sections, mut divisions) = (Vec::<Section>::new(), Vec::<Division>::new());
    let mut codes = HashSet::new();
    let syntax = |e: csv::Error| {
        let line = e.position().map_or(String::new(), |p| p.line().to_string());
        RefDataError::new(f, line, RefDataProblem::Syntax(e.to_string()))
    };
    let headers = reader.headers().map_err(syntax)?.clone();
    for result in reader.records() {
        let record = result.map_err(syntax)?;
        let line = record.position().map_or(0, |p| p.line());
        let row: IndustryRow = record.deserialize(Some(&headers)).map_err(syntax)?;
        let loc = |col: &str| format!("{line}:{col}");
        unique(f, &mut codes, loc("code"), &row.code)?;
        require(f, loc("name_zh"), &row.name_zh)?;
        require(f, loc("name_en"), &row.name_en)?;
        match row.level.as_str() {
            "section" => {
                if !(row.code.len() == 1 && row.code.bytes().all(|b| b.is_ascii_uppercase())) {
                    return Err(invalid(f, loc("code"), &row.code, "section letter A-Z"));
                }
                sections.push(Section {
                    code: row.code,
                    name_zh: row.name_zh,
                    name_en: row.name_en,
                });
            }
            "division" => {
                if !is_digits(&row.code, 2) {
                    return Err(invalid(f, loc("code"), &row.code, "2-digit division code"));
                }
                if !sections.iter().any(|s| s.code == row.parent) {
                    return Err(RefDataError::new(
                        f,
                        loc("parent"),
                        RefDataProblem::UnknownRef(row.parent),
                    ));
                }
                if !categories.iter().any(|c| c.id == row.size_category) {
                    return Err(RefDataError::new(
                        f,
                        loc("size_category"),
                        RefDataProblem::UnknownRef(row.size_category),
                    ));
                }
                divisions.push(Division {
                    code: row.code,
                    section: row.parent,
                    name_zh: row.name_zh,
                    name_en: row.name_en,
                    size_category: row.size_category,
                });
            }
            other => return Err(invalid(f, loc("level"), other, "section or division")),
        }
    }
    if let Some(s) = sections
        .iter()
        .find(|s| !divisions.iter().any(|d| d.section == s.code))
    {
        return Err(missing(f, format!("divisions of section {}", s.code)));
    }
    Ok((meta, sections, divisions))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn embedded_text(name: &str) -> String {
        EMBEDDED
            .iter()
            .find(|(n, _)| *n == name)
            .unwrap()
            .1
            .to_string()
    }

    /// Loads the embedded files with one file replaced.
    fn with_file(name: &'static str, text: &str) -> Result<ReferenceData, RefDataError> {
        ReferenceData::from_texts(|n| {
            Ok(if n == name {
                text.to_string()
            } else {
                embedded_text(n)
            })
        })
    }

    #[test]
    fn shipped_files_are_valid_and_complete() {
        let rd = ReferenceData::embedded();
        assert_eq!(rd.city().code, "350200");
        assert_eq!(rd.districts().count(), 6);
        assert_eq!(rd.sections().count(), 20);
        assert_eq!(rd.divisions().count(), 97);
        assert_eq!(rd.zones().count(), 2);
        let groups = |g| rd.clusters().filter(|c| c.group == g).count();
        assert_eq!(
            (
                groups(ClusterGroup::Pillar),
                groups(ClusterGroup::Emerging),
                groups(ClusterGroup::Future)
            ),
            (4, 4, 6)
        );
        for f in FILES {
            assert!(rd.meta(f).is_some(), "{f}");
        }
        // Every division maps to a size category.
        for d in rd.divisions() {
            assert!(rd.size_category_for(&d.code).is_some(), "{}", d.code);
        }
        let mandating: Vec<_> = rd
            .indices()
            .filter(|i| i.mandates_sr)
            .map(|i| i.id.as_str())
            .collect();
        assert_eq!(mandating, ["sse-180", "star-50", "szse-100", "chinext"]);
    }

    #[test]
    fn the_shipped_directory_loads_like_the_embedded_copy() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/reference");
        assert_eq!(
            &ReferenceData::load_dir(dir).unwrap(),
            ReferenceData::embedded()
        );
    }

    #[test]
    fn accessors_resolve_codes() {
        let rd = ReferenceData::embedded();
        assert_eq!(rd.district("350203").unwrap().name_en, "Siming District");
        assert_eq!(rd.find_district("湖里区").unwrap().code, "350206");
        assert_eq!(rd.find_district("湖里").unwrap().code, "350206");
        assert_eq!(rd.find_district("huli").unwrap().code, "350206");
        assert!(rd.find_district("350204").is_none());
        assert_eq!(
            rd.zone("ftz-xiamen").unwrap().districts,
            ["350205", "350206"]
        );
        assert_eq!(
            rd.cluster("electronic-info").unwrap().group,
            ClusterGroup::Pillar
        );
        assert_eq!(rd.division("39").unwrap().section, "C");
        assert_eq!(rd.division("3914").unwrap().code, "39");
        assert_eq!(rd.division("C3914").unwrap().code, "39");
        assert_eq!(rd.normalize_industry_code(" c391 ").unwrap(), "391");
        assert!(rd.division("A3914").is_none());
        assert!(rd.division("98").is_none());
        assert!(rd.division("3").is_none());
        assert!(rd.division("39145").is_none());
        assert!(rd.division("3a").is_none());
        assert!(rd.division("").is_none());
        assert_eq!(
            rd.size_category_for("70").unwrap().id,
            "real_estate_development"
        );
        assert_eq!(
            rd.size_category_for("7020").unwrap().id,
            "property_management"
        );
        assert_eq!(rd.size_category_for("591").unwrap().id, "transport");
        assert_eq!(rd.size_category_for("5920").unwrap().id, "warehousing");
        assert_eq!(rd.size_category_for("66").unwrap().id, "finance");
        assert!(rd.index("csi-300").unwrap().is_cross_exchange());
        assert_eq!(rd.uscc_type("91").unwrap().name_en, "Enterprise");
        assert!(rd.uscc_authority('B').is_none());
    }

    #[test]
    fn errors_name_the_file_and_the_entry() {
        let districts = embedded_text("districts.toml");
        let e = with_file("districts.toml", &districts.replace("350206", "350203")).unwrap_err();
        assert_eq!(e.file, "districts.toml");
        assert_eq!(e.location, "district[3].code");
        assert_eq!(e.problem, RefDataProblem::Duplicate("350203".into()));

        let zones =
            embedded_text("zones.toml").replace("\"350205\", \"350206\"", "\"350205\", \"350299\"");
        let e = with_file("zones.toml", &zones).unwrap_err();
        assert_eq!(
            (e.file.as_str(), e.location.as_str()),
            ("zones.toml", "zone[1].districts")
        );
        assert_eq!(e.problem, RefDataProblem::UnknownRef("350299".into()));

        let clusters = embedded_text("clusters.toml").replacen("\"future\"", "\"someday\"", 1);
        let e = with_file("clusters.toml", &clusters).unwrap_err();
        assert!(matches!(e.problem, RefDataProblem::Syntax(_)), "{e:?}");

        let industries = embedded_text("industries.csv").replace(
            "52,division,F,零售业,Retail trade,retail",
            "52,division,F,零售业,Retail trade,shops",
        );
        let e = with_file("industries.csv", &industries).unwrap_err();
        assert_eq!(e.problem, RefDataProblem::UnknownRef("shops".into()));
        let line = industries
            .lines()
            .position(|l| l.starts_with("52,"))
            .unwrap()
            + 1;
        assert_eq!(e.location, format!("{line}:size_category"));

        let industries =
            embedded_text("industries.csv").replace("# version: 1.0", "# revision: 1.0");
        let e = with_file("industries.csv", &industries).unwrap_err();
        assert_eq!(
            (e.location.as_str(), &e.problem),
            ("# version", &RefDataProblem::Missing)
        );

        let size = embedded_text("size-classes.toml").replace(
            "large = 1000, medium = 300, small = 20",
            "large = 100, medium = 300, small = 20",
        );
        let e = with_file("size-classes.toml", &size).unwrap_err();
        assert_eq!(e.location, "category[2].indicators[employees]");

        let size = embedded_text("size-classes.toml").replace("group = \"702\"", "group = \"992\"");
        let e = with_file("size-classes.toml", &size).unwrap_err();
        assert_eq!(
            (e.location.as_str(), &e.problem),
            (
                "override[2].group",
                &RefDataProblem::UnknownRef("992".into())
            )
        );

        let indices =
            embedded_text("indices.toml").replace("exchanges = [\"hkex\"]", "exchanges = []");
        let e = with_file("indices.toml", &indices).unwrap_err();
        assert_eq!(e.location, "index[9].exchanges");

        let uscc = embedded_text("uscc-types.toml").replace("code = \"Y1\"", "code = \"Z1\"");
        let e = with_file("uscc-types.toml", &uscc).unwrap_err();
        assert!(matches!(e.problem, RefDataProblem::Invalid { .. }), "{e:?}");

        let e = ReferenceData::load_dir("/nonexistent-egret-dir").unwrap_err();
        assert!(matches!(e.problem, RefDataProblem::Io(_)));
        assert!(e.to_string().contains("districts.toml"), "{e}");
    }

    #[test]
    fn every_error_kind_has_a_message_in_both_languages() {
        let kinds = [
            RefDataProblem::Io("x".into()),
            RefDataProblem::Syntax("x".into()),
            RefDataProblem::Missing,
            RefDataProblem::Duplicate("x".into()),
            RefDataProblem::UnknownRef("x".into()),
            RefDataProblem::Invalid {
                value: "x".into(),
                rule: "y",
            },
        ];
        for problem in kinds {
            let msg = RefDataError::new("f.toml", "a[1].b", problem).msg();
            for lang in Lang::ALL {
                assert!(egret_i18n::has_key(lang, &msg.key), "{}", msg.key);
            }
        }
    }
}
