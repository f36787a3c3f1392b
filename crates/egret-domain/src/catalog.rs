//! Disclosure catalogs: the standards enterprises report to, mapped onto
//! one shared dictionary of data points (`data/catalogs/`, format in
//! `docs/catalog-format.md`). Loaded and validated at start; every error
//! names the file and the entry.

use std::collections::{BTreeMap, HashSet};
use std::path::Path;
use std::sync::OnceLock;

use chrono::NaiveDate;
use egret_i18n::{Lang, Msg};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::checks::Rule;
use crate::org::{OrgProfile, Ownership, SizeClass};
use crate::refdata::{Confidence, ReferenceData};

/// The catalog files shipped with Egret (file name, text).
const EMBEDDED: &[(&str, &str)] = &[
    (
        "datapoints.toml",
        include_str!("../../../data/catalogs/datapoints.toml"),
    ),
    (
        "breakdowns.toml",
        include_str!("../../../data/catalogs/breakdowns.toml"),
    ),
    (
        "rules.toml",
        include_str!("../../../data/catalogs/rules.toml"),
    ),
    (
        "cn-exchange-sr@2024.toml",
        include_str!("../../../data/catalogs/cn-exchange-sr@2024.toml"),
    ),
    (
        "cn-mof-basic@2024.toml",
        include_str!("../../../data/catalogs/cn-mof-basic@2024.toml"),
    ),
    (
        "cn-mof-climate@2025.toml",
        include_str!("../../../data/catalogs/cn-mof-climate@2025.toml"),
    ),
    (
        "issb-s1s2@2023.toml",
        include_str!("../../../data/catalogs/issb-s1s2@2023.toml"),
    ),
    (
        "gri-core@2021.toml",
        include_str!("../../../data/catalogs/gri-core@2021.toml"),
    ),
    (
        "xm-lite@1.toml",
        include_str!("../../../data/catalogs/xm-lite@1.toml"),
    ),
];

macro_rules! code_enum {
    ($(#[$m:meta])* $name:ident { $($v:ident = $code:literal / $label:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($v),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$v),+];
            pub fn as_str(self) -> &'static str {
                match self { $($name::$v => $code),+ }
            }
            /// Catalog key of the display name.
            pub fn label_key(self) -> &'static str {
                match self { $($name::$v => $label),+ }
            }
        }
    };
}

code_enum!(
    /// What kind of answer a data point takes.
    ValueKind {
        Quantity = "quantity" / "catalog-kind-quantity",
        Amount = "amount" / "catalog-kind-amount",
        Percentage = "percentage" / "catalog-kind-percentage",
        Count = "count" / "catalog-kind-count",
        Boolean = "boolean" / "catalog-kind-boolean",
        Choice = "choice" / "catalog-kind-choice",
        Date = "date" / "catalog-kind-date",
        Text = "text" / "catalog-kind-text",
        Table = "table" / "catalog-kind-table",
    }
);

code_enum!(
    /// How strongly a catalog asks for a requirement.
    Obligation {
        Required = "required" / "catalog-obligation-required",
        RequiredIfMaterial = "required_if_material" / "catalog-obligation-if-material",
        Encouraged = "encouraged" / "catalog-obligation-encouraged",
    }
);

code_enum!(
    /// Whether an organisation must report under a catalog.
    ReportingDuty {
        Mandatory = "mandatory" / "catalog-duty-mandatory",
        Encouraged = "encouraged" / "catalog-duty-encouraged",
        Voluntary = "voluntary" / "catalog-duty-voluntary",
    }
);

/// A labelled code (choice option, breakdown member).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Choice {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
}

/// A column of a table data point.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TableColumn {
    pub id: String,
    pub name_zh: String,
    pub name_en: String,
    pub kind: ValueKind,
}

/// One shared data point.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DataPoint {
    pub id: String,
    pub name_zh: String,
    pub name_en: String,
    #[serde(default)]
    pub help_zh: String,
    #[serde(default)]
    pub help_en: String,
    pub kind: ValueKind,
    #[serde(default)]
    pub dimension: Option<String>,
    #[serde(default)]
    pub unit: Option<String>,
    #[serde(default)]
    pub breakdowns: Vec<String>,
    #[serde(default)]
    pub choices: Vec<Choice>,
    #[serde(default)]
    pub columns: Vec<TableColumn>,
    #[serde(default, with = "opt_decimal")]
    pub min: Option<Decimal>,
    #[serde(default, with = "opt_decimal")]
    pub max: Option<Decimal>,
    #[serde(default)]
    pub taxonomy: BTreeMap<String, String>,
    #[serde(default)]
    pub topic: Option<String>,
}

impl DataPoint {
    /// The unit dimension values are entered in: the data point's own for
    /// quantities, renminbi for amounts (foreign currencies are accepted
    /// too, see [`crate::value::entry_units`]).
    pub fn unit_dimension(&self) -> Option<&str> {
        match self.kind {
            ValueKind::Amount => Some("currency_cny"),
            ValueKind::Quantity => self.dimension.as_deref(),
            _ => None,
        }
    }

    pub fn name(&self, lang: Lang) -> &str {
        match lang {
            Lang::ZhCn => &self.name_zh,
            Lang::En => &self.name_en,
        }
    }
}

/// Decimals written as strings in the files.
mod opt_decimal {
    use rust_decimal::Decimal;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &Option<Decimal>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(d) => s.serialize_str(&d.to_string()),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Decimal>, D::Error> {
        let s: Option<String> = Option::deserialize(d)?;
        s.map(|s| s.parse().map_err(serde::de::Error::custom))
            .transpose()
    }
}

/// A breakdown dimension (gender, scope 3 category, site, ...).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Breakdown {
    pub id: String,
    pub name_zh: String,
    pub name_en: String,
    #[serde(default)]
    pub members: Vec<Choice>,
    /// `sites`: the members are the organisation's own sites.
    #[serde(default)]
    pub dynamic: Option<String>,
}

/// To whom a requirement is relevant at all (separate from obligation).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Applicability {
    #[serde(default)]
    pub listed: Option<bool>,
    #[serde(default)]
    pub state_controlled: Option<bool>,
    #[serde(default)]
    pub financial: Option<bool>,
    /// GB/T 4754 section letters.
    #[serde(default)]
    pub industry_sections: Vec<String>,
    #[serde(default)]
    pub size_classes: Vec<SizeClass>,
}

impl Applicability {
    pub fn applies_to(&self, p: &OrgProfile, rd: &ReferenceData) -> bool {
        let section = rd.division(&p.industry_code).map(|d| d.section.as_str());
        self.listed.is_none_or(|v| v == p.is_listed())
            && self
                .state_controlled
                .is_none_or(|v| v == p.is_state_controlled())
            && self.financial.is_none_or(|v| v == p.financial_institution)
            && (self.industry_sections.is_empty()
                || section.is_some_and(|s| self.industry_sections.iter().any(|x| x == s)))
            && (self.size_classes.is_empty()
                || p.size_class.is_some_and(|c| self.size_classes.contains(&c)))
    }
}

/// A condition of a catalog's scope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Condition {
    Index(String),
    DualListed,
    Listed,
    StateControlled,
    StateControlledListed,
    Financial,
    Size(SizeClass),
    PrivateSme,
}

impl Condition {
    fn parse(s: &str, rd: &ReferenceData) -> Option<Condition> {
        Some(match s.split_once(':') {
            Some(("index", id)) => {
                rd.index(id)?;
                Condition::Index(id.to_string())
            }
            Some(("size", c)) => Condition::Size(c.parse().ok()?),
            Some(_) => return None,
            None => match s {
                "dual_listed" => Condition::DualListed,
                "listed" => Condition::Listed,
                "state_controlled" => Condition::StateControlled,
                "state_controlled_listed" => Condition::StateControlledListed,
                "financial" => Condition::Financial,
                "private_sme" => Condition::PrivateSme,
                _ => return None,
            },
        })
    }

    pub fn holds(&self, p: &OrgProfile) -> bool {
        match self {
            Condition::Index(id) => p.listings.iter().any(|l| l.indices.iter().any(|i| i == id)),
            Condition::DualListed => {
                p.listings.iter().any(|l| l.exchange.is_mainland())
                    && p.listings.iter().any(|l| !l.exchange.is_mainland())
            }
            Condition::Listed => p.is_listed(),
            Condition::StateControlled => p.is_state_controlled(),
            Condition::StateControlledListed => p.is_state_controlled() && p.is_listed(),
            Condition::Financial => p.financial_institution,
            Condition::Size(c) => p.size_class == Some(*c),
            Condition::PrivateSme => {
                p.ownership == Ownership::Private
                    && !p.is_listed()
                    && matches!(
                        p.size_class,
                        Some(SizeClass::Medium | SizeClass::Small | SizeClass::Micro)
                    )
            }
        }
    }
}

/// Who must (or is encouraged to) report under a catalog.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Scope {
    pub mandatory_when: Vec<Condition>,
    pub encouraged_when: Vec<Condition>,
}

/// A section (topic, element, module) of a catalog.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Section {
    pub id: String,
    #[serde(default)]
    pub parent: Option<String>,
    pub dimension: String,
    pub name_zh: String,
    pub name_en: String,
    #[serde(default)]
    pub reference: Option<String>,
}

/// One requirement: a catalog asks for a data point.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Requirement {
    pub id: String,
    pub section: String,
    pub datapoint: String,
    pub obligation: Obligation,
    #[serde(default)]
    pub reference: Option<String>,
    #[serde(default)]
    pub applies: Applicability,
}

/// A disclosure standard as a versioned catalog.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Catalog {
    pub id: String,
    pub version: String,
    pub name_zh: String,
    pub name_en: String,
    pub issuer_zh: String,
    pub issuer_en: String,
    pub source: String,
    pub effective_from: NaiveDate,
    pub effective_to: Option<NaiveDate>,
    pub confidence: Confidence,
    pub scope: Option<Scope>,
    pub sections: Vec<Section>,
    pub requirements: Vec<Requirement>,
}

impl Catalog {
    /// `id@version`.
    pub fn key(&self) -> String {
        format!("{}@{}", self.id, self.version)
    }

    pub fn duty(&self, p: &OrgProfile, _rd: &ReferenceData) -> ReportingDuty {
        match &self.scope {
            Some(s) if s.mandatory_when.iter().any(|c| c.holds(p)) => ReportingDuty::Mandatory,
            Some(s) if s.encouraged_when.iter().any(|c| c.holds(p)) => ReportingDuty::Encouraged,
            _ => ReportingDuty::Voluntary,
        }
    }

    pub fn section(&self, id: &str) -> Option<&Section> {
        self.sections.iter().find(|s| s.id == id)
    }
}

/// A problem in a catalog file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogError {
    pub file: String,
    /// `datapoint[3].unit` (1-based) or empty for the whole file.
    pub location: String,
    pub msg: Msg,
}

impl std::fmt::Display for CatalogError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}: {}: {}",
            self.file,
            self.location,
            self.msg.render(Lang::En)
        )
    }
}

impl std::error::Error for CatalogError {}

/// Every catalog, the shared dictionary, breakdowns and rules, validated.
#[derive(Debug, Clone, PartialEq)]
pub struct Catalogs {
    datapoints: Vec<DataPoint>,
    index: BTreeMap<String, usize>,
    breakdowns: Vec<Breakdown>,
    rules: Vec<Rule>,
    catalogs: Vec<Catalog>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DatapointsFile {
    #[serde(default)]
    datapoint: Vec<DataPoint>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BreakdownsFile {
    #[serde(default)]
    breakdown: Vec<Breakdown>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RulesFile {
    #[serde(default)]
    rule: Vec<Rule>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum DateField {
    Toml(toml::value::Datetime),
    Text(String),
}

impl DateField {
    fn date(&self) -> Option<NaiveDate> {
        let s = match self {
            DateField::Toml(d) => d.to_string(),
            DateField::Text(s) => s.clone(),
        };
        s.parse().ok()
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScope {
    #[serde(default)]
    mandatory_when: Vec<String>,
    #[serde(default)]
    encouraged_when: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CatalogFile {
    id: String,
    version: String,
    name_zh: String,
    name_en: String,
    issuer_zh: String,
    issuer_en: String,
    source: String,
    effective_from: DateField,
    #[serde(default)]
    effective_to: Option<DateField>,
    confidence: Confidence,
    #[serde(default)]
    scope: Option<RawScope>,
    #[serde(default)]
    section: Vec<Section>,
    #[serde(default)]
    requirement: Vec<Requirement>,
}

fn valid_id(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '-' | '_'))
}

/// Collects errors while loading.
struct Errors(Vec<CatalogError>);

impl Errors {
    fn add(&mut self, file: &str, location: impl Into<String>, msg: Msg) {
        self.0.push(CatalogError {
            file: file.to_string(),
            location: location.into(),
            msg,
        });
    }
}

fn at(entry: &str, n: usize, field: &str) -> String {
    format!("{entry}[{}].{field}", n + 1)
}

impl Catalogs {
    /// The catalogs shipped in the binary.
    pub fn embedded() -> &'static Catalogs {
        static DATA: OnceLock<Catalogs> = OnceLock::new();
        DATA.get_or_init(|| {
            Catalogs::from_sources(EMBEDDED, ReferenceData::embedded()).unwrap_or_else(|errs| {
                let text: Vec<String> = errs.iter().map(|e| e.to_string()).collect();
                panic!("shipped catalogs are invalid:\n{}", text.join("\n"))
            })
        })
    }

    /// Loads every `.toml` file of a directory.
    pub fn load_dir(dir: &Path, rd: &ReferenceData) -> Result<Catalogs, Vec<CatalogError>> {
        let entries = std::fs::read_dir(dir).map_err(|e| {
            vec![CatalogError {
                file: dir.display().to_string(),
                location: String::new(),
                msg: Msg::new("catalog-io").arg("detail", e),
            }]
        })?;
        let mut files = Vec::new();
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if name.ends_with(".toml") {
                match std::fs::read_to_string(e.path()) {
                    Ok(text) => files.push((name, text)),
                    Err(err) => {
                        return Err(vec![CatalogError {
                            file: name,
                            location: String::new(),
                            msg: Msg::new("catalog-io").arg("detail", err),
                        }]);
                    }
                }
            }
        }
        files.sort();
        let refs: Vec<(&str, &str)> = files
            .iter()
            .map(|(n, t)| (n.as_str(), t.as_str()))
            .collect();
        Catalogs::from_sources(&refs, rd)
    }

    /// Loads and validates a set of files given as (file name, text);
    /// returns every problem found.
    pub fn from_sources(
        files: &[(&str, &str)],
        rd: &ReferenceData,
    ) -> Result<Catalogs, Vec<CatalogError>> {
        let mut errs = Errors(Vec::new());
        let text_of = |name: &str| files.iter().find(|(n, _)| *n == name).map(|(_, t)| *t);
        fn parse<T: serde::de::DeserializeOwned>(
            errs: &mut Errors,
            file: &str,
            text: Option<&str>,
        ) -> Option<T> {
            let Some(text) = text else {
                errs.add(file, "", Msg::new("catalog-file-missing"));
                return None;
            };
            toml::from_str(text)
                .map_err(|e| {
                    errs.add(
                        file,
                        "",
                        Msg::new("catalog-syntax").arg("detail", e.to_string().trim()),
                    )
                })
                .ok()
        }
        let dps: Option<DatapointsFile> =
            parse(&mut errs, "datapoints.toml", text_of("datapoints.toml"));
        let bds: Option<BreakdownsFile> =
            parse(&mut errs, "breakdowns.toml", text_of("breakdowns.toml"));
        let rules: Option<RulesFile> = parse(&mut errs, "rules.toml", text_of("rules.toml"));
        let datapoints = dps.map(|d| d.datapoint).unwrap_or_default();
        let breakdowns = bds.map(|b| b.breakdown).unwrap_or_default();
        let rules = rules.map(|r| r.rule).unwrap_or_default();

        // Breakdowns.
        let f = "breakdowns.toml";
        let mut seen = HashSet::new();
        for (i, b) in breakdowns.iter().enumerate() {
            if !valid_id(&b.id) {
                errs.add(
                    f,
                    at("breakdown", i, "id"),
                    Msg::new("catalog-bad-id").arg("id", &b.id),
                );
            }
            if !seen.insert(b.id.as_str()) {
                errs.add(
                    f,
                    at("breakdown", i, "id"),
                    Msg::new("catalog-duplicate").arg("id", &b.id),
                );
            }
            match (&b.dynamic, b.members.is_empty()) {
                (Some(d), _) if d != "sites" => errs.add(
                    f,
                    at("breakdown", i, "dynamic"),
                    Msg::new("catalog-bad-value").arg("value", d),
                ),
                (None, true) => errs.add(
                    f,
                    at("breakdown", i, "members"),
                    Msg::new("catalog-no-members"),
                ),
                _ => {}
            }
            let mut codes = HashSet::new();
            for m in &b.members {
                if !valid_id(&m.code) {
                    errs.add(
                        f,
                        at("breakdown", i, "members"),
                        Msg::new("catalog-bad-id").arg("id", &m.code),
                    );
                }
                if !codes.insert(m.code.as_str()) {
                    errs.add(
                        f,
                        at("breakdown", i, "members"),
                        Msg::new("catalog-duplicate").arg("id", &m.code),
                    );
                }
            }
        }

        // Data points.
        let f = "datapoints.toml";
        let mut index = BTreeMap::new();
        for (i, dp) in datapoints.iter().enumerate() {
            let loc = |field: &str| at("datapoint", i, field);
            if !valid_id(&dp.id) {
                errs.add(f, loc("id"), Msg::new("catalog-bad-id").arg("id", &dp.id));
            }
            if index.insert(dp.id.clone(), i).is_some() {
                errs.add(
                    f,
                    loc("id"),
                    Msg::new("catalog-duplicate").arg("id", &dp.id),
                );
            }
            check_datapoint(&mut errs, f, i, dp, rd, &breakdowns);
        }

        // Rules.
        let mut rule_ids = HashSet::new();
        for (i, r) in rules.iter().enumerate() {
            if !rule_ids.insert(r.id()) {
                errs.add(
                    "rules.toml",
                    at("rule", i, "id"),
                    Msg::new("catalog-duplicate").arg("id", r.id()),
                );
            }
            if let Err(m) = r.check(&index, &datapoints, &breakdowns, rd) {
                errs.add("rules.toml", at("rule", i, "id"), m);
            }
        }

        // Catalog files: every other .toml.
        let mut catalogs = Vec::new();
        let mut keys = HashSet::new();
        for (name, text) in files {
            if ["datapoints.toml", "breakdowns.toml", "rules.toml"].contains(name) {
                continue;
            }
            let Some(raw) = parse::<CatalogFile>(&mut errs, name, Some(text)) else {
                continue;
            };
            if let Some(c) = check_catalog(&mut errs, name, raw, &index, rd) {
                if keys.insert(c.key()) {
                    catalogs.push(c);
                } else {
                    errs.add(name, "id", Msg::new("catalog-duplicate").arg("id", c.key()));
                }
            }
        }
        if errs.0.is_empty() {
            Ok(Catalogs {
                datapoints,
                index,
                breakdowns,
                rules,
                catalogs,
            })
        } else {
            Err(errs.0)
        }
    }

    pub fn catalogs(&self) -> impl Iterator<Item = &Catalog> {
        self.catalogs.iter()
    }

    /// By `id@version`, or by `id` (the latest effective version).
    pub fn catalog(&self, key: &str) -> Option<&Catalog> {
        self.catalogs.iter().find(|c| c.key() == key).or_else(|| {
            self.catalogs
                .iter()
                .filter(|c| c.id == key)
                .max_by_key(|c| c.effective_from)
        })
    }

    pub fn datapoint(&self, id: &str) -> Option<&DataPoint> {
        self.index.get(id).map(|i| &self.datapoints[*i])
    }

    pub fn datapoints(&self) -> impl Iterator<Item = &DataPoint> {
        self.datapoints.iter()
    }

    pub fn breakdown(&self, id: &str) -> Option<&Breakdown> {
        self.breakdowns.iter().find(|b| b.id == id)
    }

    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// Every requirement, of every catalog, that asks for a data point.
    pub fn served_by(&self, datapoint: &str) -> Vec<(&Catalog, &Requirement)> {
        self.catalogs
            .iter()
            .flat_map(|c| {
                c.requirements
                    .iter()
                    .filter(move |r| r.datapoint == datapoint)
                    .map(move |r| (c, r))
            })
            .collect()
    }
}

fn check_datapoint(
    errs: &mut Errors,
    f: &str,
    i: usize,
    dp: &DataPoint,
    rd: &ReferenceData,
    breakdowns: &[Breakdown],
) {
    let loc = |field: &str| at("datapoint", i, field);
    let measured = matches!(dp.kind, ValueKind::Quantity | ValueKind::Amount);
    match (dp.kind, &dp.dimension) {
        (ValueKind::Quantity, None) => {
            errs.add(f, loc("dimension"), Msg::new("catalog-no-dimension"))
        }
        (ValueKind::Quantity, Some(d)) if rd.dimension(d).is_none() => errs.add(
            f,
            loc("dimension"),
            Msg::new("catalog-unknown-dimension").arg("id", d),
        ),
        (ValueKind::Amount, Some(d)) if d != "currency_cny" => errs.add(
            f,
            loc("dimension"),
            Msg::new("catalog-amount-currency").arg("unit", d),
        ),
        (k, Some(_)) if !measured => errs.add(
            f,
            loc("dimension"),
            Msg::new("catalog-field-not-for-kind").arg("kind", k.as_str()),
        ),
        _ => {}
    }
    if let Some(u) = &dp.unit {
        match (rd.unit(u), dp.unit_dimension()) {
            (None, _) => errs.add(f, loc("unit"), Msg::new("unit-unknown").arg("code", u)),
            (Some(_), Some(d)) if rd.unit_in(u, d).is_none() => errs.add(
                f,
                loc("unit"),
                Msg::new("catalog-unit-dimension")
                    .arg("unit", u)
                    .arg("dimension", d),
            ),
            (Some(_), None) => errs.add(
                f,
                loc("unit"),
                Msg::new("catalog-field-not-for-kind").arg("kind", dp.kind.as_str()),
            ),
            _ => {}
        }
    } else if measured {
        errs.add(f, loc("unit"), Msg::new("catalog-no-unit"));
    }
    if dp.kind == ValueKind::Choice && dp.choices.is_empty() {
        errs.add(f, loc("choices"), Msg::new("catalog-no-choices"));
    }
    if dp.kind == ValueKind::Table && dp.columns.is_empty() {
        errs.add(f, loc("columns"), Msg::new("catalog-no-columns"));
    }
    let mut codes = HashSet::new();
    for c in &dp.choices {
        if c.code.is_empty() || c.code.contains(':') {
            errs.add(
                f,
                loc("choices"),
                Msg::new("catalog-bad-id").arg("id", &c.code),
            );
        }
        if !codes.insert(c.code.as_str()) {
            errs.add(
                f,
                loc("choices"),
                Msg::new("catalog-duplicate").arg("id", &c.code),
            );
        }
    }
    for b in &dp.breakdowns {
        if !breakdowns.iter().any(|x| &x.id == b) {
            errs.add(
                f,
                loc("breakdowns"),
                Msg::new("catalog-unknown-breakdown").arg("id", b),
            );
        }
    }
    if let (Some(min), Some(max)) = (dp.min, dp.max)
        && min > max
    {
        errs.add(f, loc("max"), Msg::new("catalog-bad-range"));
    }
}

fn check_catalog(
    errs: &mut Errors,
    file: &str,
    raw: CatalogFile,
    index: &BTreeMap<String, usize>,
    rd: &ReferenceData,
) -> Option<Catalog> {
    let before = errs.0.len();
    let key = format!("{}@{}", raw.id, raw.version);
    if file != format!("{key}.toml") {
        errs.add(file, "id", Msg::new("catalog-file-name").arg("key", &key));
    }
    if !valid_id(&raw.id) {
        errs.add(file, "id", Msg::new("catalog-bad-id").arg("id", &raw.id));
    }
    let from = raw.effective_from.date();
    if from.is_none() {
        errs.add(file, "effective_from", Msg::new("catalog-bad-date"));
    }
    let to = match &raw.effective_to {
        Some(d) => match d.date() {
            Some(t) => Some(t),
            None => {
                errs.add(file, "effective_to", Msg::new("catalog-bad-date"));
                None
            }
        },
        None => None,
    };
    if let (Some(f), Some(t)) = (from, to)
        && t < f
    {
        errs.add(file, "effective_to", Msg::new("catalog-dates-order"));
    }
    let scope = raw.scope.map(|s| {
        let mut conds = |list: &[String], field: &str| -> Vec<Condition> {
            list.iter()
                .filter_map(|c| {
                    let parsed = Condition::parse(c, rd);
                    if parsed.is_none() {
                        errs.add(
                            file,
                            format!("scope.{field}"),
                            Msg::new("catalog-bad-condition").arg("value", c),
                        );
                    }
                    parsed
                })
                .collect()
        };
        Scope {
            mandatory_when: conds(&s.mandatory_when, "mandatory_when"),
            encouraged_when: conds(&s.encouraged_when, "encouraged_when"),
        }
    });
    let mut ids = HashSet::new();
    for (i, s) in raw.section.iter().enumerate() {
        if !valid_id(&s.id) {
            errs.add(
                file,
                at("section", i, "id"),
                Msg::new("catalog-bad-id").arg("id", &s.id),
            );
        }
        if !ids.insert(s.id.as_str()) {
            errs.add(
                file,
                at("section", i, "id"),
                Msg::new("catalog-duplicate").arg("id", &s.id),
            );
        }
    }
    const DIMENSIONS: [&str; 9] = [
        "general",
        "governance",
        "strategy",
        "risk",
        "metrics",
        "environment",
        "social",
        "governance_topic",
        "economic",
    ];
    for (i, s) in raw.section.iter().enumerate() {
        if !DIMENSIONS.contains(&s.dimension.as_str()) {
            errs.add(
                file,
                at("section", i, "dimension"),
                Msg::new("catalog-bad-value").arg("value", &s.dimension),
            );
        }
        if let Some(p) = &s.parent
            && !ids.contains(p.as_str())
        {
            errs.add(
                file,
                at("section", i, "parent"),
                Msg::new("catalog-unknown-section").arg("id", p),
            );
        }
        // Parents must not loop back.
        let mut seen = HashSet::new();
        let mut cur = s.parent.as_deref();
        while let Some(p) = cur {
            if p == s.id || !seen.insert(p) {
                errs.add(
                    file,
                    at("section", i, "parent"),
                    Msg::new("catalog-parent-loop").arg("id", &s.id),
                );
                break;
            }
            cur = raw
                .section
                .iter()
                .find(|x| x.id == p)
                .and_then(|x| x.parent.as_deref());
        }
    }
    let mut req_ids = HashSet::new();
    for (i, r) in raw.requirement.iter().enumerate() {
        if !req_ids.insert(r.id.as_str()) {
            errs.add(
                file,
                at("requirement", i, "id"),
                Msg::new("catalog-duplicate").arg("id", &r.id),
            );
        }
        if !ids.contains(r.section.as_str()) {
            errs.add(
                file,
                at("requirement", i, "section"),
                Msg::new("catalog-unknown-section").arg("id", &r.section),
            );
        }
        if !index.contains_key(&r.datapoint) {
            errs.add(
                file,
                at("requirement", i, "datapoint"),
                Msg::new("catalog-unknown-datapoint").arg("id", &r.datapoint),
            );
        }
        for s in &r.applies.industry_sections {
            if rd.section(s).is_none() {
                errs.add(
                    file,
                    at("requirement", i, "applies"),
                    Msg::new("catalog-bad-value").arg("value", s),
                );
            }
        }
    }
    if raw.requirement.is_empty() {
        errs.add(file, "requirement", Msg::new("catalog-no-requirements"));
    }
    if errs.0.len() > before {
        return None;
    }
    Some(Catalog {
        id: raw.id,
        version: raw.version,
        name_zh: raw.name_zh,
        name_en: raw.name_en,
        issuer_zh: raw.issuer_zh,
        issuer_en: raw.issuer_en,
        source: raw.source,
        effective_from: from?,
        effective_to: to,
        confidence: raw.confidence,
        scope,
        sections: raw.section,
        requirements: raw.requirement,
    })
}
