//! openLCA JSON-LD (olca-schema) → a [`ProductSystemModel`].
//!
//! openLCA exports data as a zip of JSON files, one `<@id>.json` per data set
//! in a folder per type (`processes/`, `flows/`, `flow_properties/`,
//! `unit_groups/`, `lcia_categories/`, `lcia_methods/`, …). This module reads
//! such an archive (or an unpacked directory), links the processes into one
//! product system and characterises its elementary flows with one impact
//! category of the archive. Field names of schema version 2 are read, with the
//! version 1 names (`input`, `quantitativeReference`, `avoidedProduct`,
//! `referenceFlowProperty`, `referenceUnit`) accepted as well.
//!
//! # Mapping
//!
//! * **Processes.** Each process becomes a [`ProcessModel`] with the process
//!   `@id` as id and `Imported { origin: "<archive>:processes/<@id>.json" }`
//!   as source. Its quantitative reference is either a product output or a
//!   waste input (a waste treatment); the product of the model process is the
//!   `@id` of that flow, its `output` the reference amount and its `unit` the
//!   reference unit of the flow. When several processes of the archive have
//!   the same reference flow, their products are told apart as
//!   `<flow @id>@<process @id>`.
//! * **Units.** Every amount is converted to the reference unit of its flow:
//!   amount × (unit factor in the unit group) ÷ (the flow's factor for the flow
//!   property), as openLCA does when it builds its matrices.
//! * **Linking.** A product input is linked to its `defaultProvider`, else to
//!   the one process whose reference is that flow. A waste output is treated
//!   the same way by the process whose reference is that waste (as its input)
//!   and becomes an [`InputModel`] of the treatment's product with a positive
//!   amount: openLCA puts the waste output (+) and the treatment's waste input
//!   (−) into one row, which solves to the same scaling as Egret's product
//!   output (+) and input (−).
//! * **Which processes.** The reference process is the one named in the
//!   options (`@id` or name), else the only process that is not an input of
//!   another one. Only the processes it reaches through links are imported
//!   (breadth first, in exchange order), and only their problems are reported
//!   — except problems that make a process unusable as a provider (unreadable
//!   file, no or several quantitative references), which are reported first
//!   and alone, wherever they are.
//! * **Elementary flows.** The category's factor for a flow is converted to
//!   the flow's reference unit (value × flow-property factor ÷ unit factor).
//!   openLCA computes an impact as factor × amount with inputs negative in the
//!   intervention matrix and the factor negated for flows whose direction is
//!   input (the category's `direction` if set, else whether the flow is an
//!   input); so an exchange's share of the score is `factor × amount` as
//!   entered when it goes in the flow's direction, and the opposite when not.
//!   Egret keeps exactly that number as `amount × factor`, with the factor
//!   |openLCA factor| and the amount the quantity (in the reference unit)
//!   carrying the sign of the share. In the common cases this is "outputs
//!   positive, inputs negative": CO2 emitted is `+`, `Carbon dioxide, in air`
//!   taken up (factor −1 for an input in openLCA) is `−` with factor 1. A
//!   flow with a zero factor keeps outputs positive and inputs negative.
//!   * An amount below zero (the exchange lowers the score) is of kind
//!     [`EmissionKind::Uptake`] — Egret's check requires uptake exactly for
//!     negative amounts. This covers biogenic CO2 uptake, and equally any
//!     other exchange the method credits.
//!   * A positive amount takes its kind from the flow name: `biogenic` or
//!     `non-fossil` → biogenic; `land use change`, `land transformation` or
//!     `soil or biomass stock` → land use; everything else fossil.
//!   * Conflict resolved this way: an *input* whose factor raises the score
//!     (say a resource flow with a positive factor, or soil carbon released)
//!     is not recorded as uptake with a negative factor but as a positive
//!     amount with a positive factor, of the kind its name gives, because
//!     calling it uptake would misstate the PACT split.
//!   * One [`FlowModel`] per flow used carries the factor (kgCO2e per
//!     reference unit, i.e. per kg for mass flows) and the source
//!     `<category> (<method>, <version or @id>)`. Flows without a factor in
//!     the category are left out and listed in
//!     [`OlcaImport::skipped_flows`]. Regionalised factors (with a location)
//!     are ignored, as in a non-regionalised openLCA calculation.
//! * **Uncertainty** (converted with the amount): log-normal → `lognormal`
//!   with scale ln(geomSd); normal → `normal` with scale sd; triangle and
//!   uniform → `triangular`/`uniform` with minimum and maximum. The
//!   distribution is centred on the exchange amount (the geometric mean, mean
//!   or mode of the file are not used); parameters that do not fit the
//!   amount are an error. Other distributions are ignored.
//! * **Numbers** are read as the shortest decimal that gives the same
//!   double; a number a decimal cannot hold (beyond ±7.9·10²⁸, or so small
//!   that it would be rounded away) is an error.
//! * Exchanges with a zero amount are skipped; the uncertainty of a
//!   reference amount is not kept (Egret's outputs are exact).
//!
//! # Not supported (an error names the exchange)
//!
//! Co-products (a process with several product outputs, or several treated
//! wastes: apply allocation in openLCA, or split the process, before
//! export); avoided products and wastes; negative product inputs or waste
//! outputs; links defined only in a product system's `processLinks` (the
//! default providers and unique providers are used; `product_systems/` is
//! not read). Parameters and formulas are not evaluated: the amounts stored
//! in the file are used. Costs, social aspects, data quality and locations
//! are not imported.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet, VecDeque};
use std::fmt;
use std::io::{Cursor, Read};
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::str::FromStr;

use egret_domain::product_system::{
    EmissionKind, EmissionModel, FlowModel, InputModel, ProcessModel, ProcessSource,
    ProductSystemModel, UncertaintySpec,
};
use egret_i18n::{Lang, Msg};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde::Serialize;
use serde_json::Value;
use zip::ZipArchive;

/// What to import from an archive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OlcaOptions {
    /// The impact category (name or `@id`). `None`: the only category of
    /// the archive, or the one whose name says climate change / global
    /// warming / GWP (preferring 100 years and the total over the fossil,
    /// biogenic and land-use sub-categories).
    pub impact_category: Option<String>,
    /// The process of the functional unit (`@id` or name). `None`: the only
    /// process that is not an input of another one.
    pub reference_process: Option<String>,
    /// The functional unit amount (in the reference unit of the reference
    /// product); `None`: the reference process's output.
    pub amount: Option<Decimal>,
    /// `AR5` or `AR6`.
    pub gwp_set: String,
    /// The model's name; `None`: the reference process's name.
    pub name: Option<String>,
}

impl Default for OlcaOptions {
    fn default() -> Self {
        OlcaOptions {
            impact_category: None,
            reference_process: None,
            amount: None,
            gwp_set: "AR6".into(),
            name: None,
        }
    }
}

/// An imported product system.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OlcaImport {
    pub model: ProductSystemModel,
    /// Elementary flows of the imported processes that have no factor in
    /// the category, by name (sorted, each once).
    pub skipped_flows: Vec<String>,
    /// The name of the impact category used.
    pub category: String,
    /// How many processes were imported.
    pub processes: usize,
}

/// A problem with an archive.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OlcaError {
    /// The entry inside the archive (`processes/<@id>.json`); the archive's
    /// own name for problems with the archive as a whole or the options.
    pub file: String,
    /// Where in the entry's JSON, e.g. `exchanges[3].defaultProvider`
    /// (`options.<field>` for the options); `None` for the whole entry.
    pub path: Option<String>,
    pub msg: Msg,
}

impl fmt::Display for OlcaError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.path {
            Some(p) => write!(f, "{}: {p}: {}", self.file, self.msg.render(Lang::En)),
            None => write!(f, "{}: {}", self.file, self.msg.render(Lang::En)),
        }
    }
}

impl std::error::Error for OlcaError {}

/// Reads an openLCA JSON-LD zip. `file_name` is the upload's name (used in
/// the processes' origins and archive-level errors). Either the model or
/// every problem found; never panics, whatever the bytes.
pub fn read_olca_zip(
    file_name: &str,
    bytes: &[u8],
    opts: &OlcaOptions,
) -> Result<OlcaImport, Vec<OlcaError>> {
    let run = || {
        let archive = ZipArchive::new(Cursor::new(bytes)).map_err(|e| {
            vec![archive_error(
                file_name,
                Msg::new("import-olca-zip").arg("detail", e),
            )]
        })?;
        let mut pkg = Package::new(file_name, Source::Zip(Box::new(archive)));
        import(&mut pkg, opts)
    };
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(run)).unwrap_or_else(|_| {
        Err(vec![archive_error(
            file_name,
            Msg::new("import-olca-zip").arg("detail", "malformed archive"),
        )])
    })
}

/// Reads an unpacked openLCA JSON-LD export (the directory holding
/// `processes/`, `flows/`, …).
pub fn read_olca_dir(dir: &Path, opts: &OlcaOptions) -> Result<OlcaImport, Vec<OlcaError>> {
    let name = dir
        .file_name()
        .map_or_else(|| dir.display().to_string(), |n| n.to_string_lossy().into());
    let mut pkg = Package::new(&name, Source::Dir(dir.to_path_buf()));
    import(&mut pkg, opts)
}

fn archive_error(archive: &str, msg: Msg) -> OlcaError {
    OlcaError {
        file: archive.to_string(),
        path: None,
        msg,
    }
}

// ---------------------------------------------------------------------------
// The archive

/// Largest entry read (unpacked).
const MAX_ENTRY_MB: u64 = 64;

enum Source<'a> {
    Zip(Box<ZipArchive<Cursor<&'a [u8]>>>),
    Dir(PathBuf),
}

/// The archive's entries, read on demand and kept once parsed.
struct Package<'a> {
    name: String,
    source: Source<'a>,
    /// folder → `@id` → entry name.
    index: BTreeMap<String, BTreeMap<String, String>>,
    docs: HashMap<String, Rc<Value>>,
    flows: HashMap<String, Rc<FlowInfo>>,
    /// Unit groups by flow property `@id`.
    groups: HashMap<String, Rc<UnitGroup>>,
}

impl<'a> Package<'a> {
    fn new(name: &str, source: Source<'a>) -> Package<'a> {
        let names: Vec<String> = match &source {
            Source::Zip(z) => z
                .file_names()
                .filter_map(Result::ok)
                .map(Into::into)
                .collect(),
            Source::Dir(root) => dir_entries(root),
        };
        let mut index: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
        for entry in names {
            // Like olca-schema's own reader: `…/<folder>/<@id>.json`.
            let parts: Vec<&str> = entry.split('/').collect();
            let [.., folder, file] = parts.as_slice() else {
                continue;
            };
            if let Some(id) = file.strip_suffix(".json").filter(|id| !id.is_empty()) {
                index
                    .entry(folder.to_string())
                    .or_default()
                    .entry(id.to_string())
                    .or_insert(entry.clone());
            }
        }
        Package {
            name: name.to_string(),
            source,
            index,
            docs: HashMap::new(),
            flows: HashMap::new(),
            groups: HashMap::new(),
        }
    }

    fn ids(&self, folder: &str) -> Vec<String> {
        self.index
            .get(folder)
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default()
    }

    fn entry(&self, folder: &str, id: &str) -> Option<String> {
        self.index.get(folder)?.get(id).cloned()
    }

    fn read(&mut self, entry: &str) -> Result<Vec<u8>, OlcaError> {
        let unreadable = |detail: String| OlcaError {
            file: entry.to_string(),
            path: None,
            msg: Msg::new("import-olca-unreadable").arg("detail", detail),
        };
        let limit = MAX_ENTRY_MB * 1024 * 1024;
        let mut bytes = Vec::new();
        match &mut self.source {
            Source::Zip(z) => {
                let f = z.by_name(entry).map_err(|e| unreadable(e.to_string()))?;
                f.take(limit + 1)
                    .read_to_end(&mut bytes)
                    .map_err(|e| unreadable(e.to_string()))?;
            }
            Source::Dir(root) => {
                let f =
                    std::fs::File::open(root.join(entry)).map_err(|e| unreadable(e.to_string()))?;
                f.take(limit + 1)
                    .read_to_end(&mut bytes)
                    .map_err(|e| unreadable(e.to_string()))?;
            }
        }
        if bytes.len() as u64 > limit {
            return Err(OlcaError {
                file: entry.to_string(),
                path: None,
                msg: Msg::new("import-olca-too-large").arg("limit", MAX_ENTRY_MB),
            });
        }
        Ok(bytes)
    }

    /// An entry's JSON object.
    fn json(&mut self, entry: &str) -> Result<Rc<Value>, OlcaError> {
        if let Some(v) = self.docs.get(entry) {
            return Ok(v.clone());
        }
        let bytes = self.read(entry)?;
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
        let v: Value = serde_json::from_slice(bytes).map_err(|e| OlcaError {
            file: entry.to_string(),
            path: None,
            msg: Msg::new("import-olca-json")
                .arg("line", e.line())
                .arg("column", e.column())
                .arg("detail", e),
        })?;
        if !v.is_object() {
            return Err(OlcaError {
                file: entry.to_string(),
                path: None,
                msg: Msg::new("import-olca-not-object"),
            });
        }
        let v = Rc::new(v);
        self.docs.insert(entry.to_string(), v.clone());
        Ok(v)
    }

    /// The entry and JSON of a data set that `from` refers to.
    fn entity(
        &mut self,
        folder: &str,
        id: &str,
        from: &At,
    ) -> Result<(String, Rc<Value>), OlcaError> {
        let Some(entry) = self.entry(folder, id) else {
            return Err(from.err(
                Msg::new("import-olca-missing-entity")
                    .arg("folder", folder)
                    .arg("id", id),
            ));
        };
        let v = self.json(&entry)?;
        Ok((entry, v))
    }

    /// A flow that `from` refers to.
    fn flow(&mut self, id: &str, from: &At) -> Result<Rc<FlowInfo>, OlcaError> {
        if let Some(f) = self.flows.get(id) {
            return Ok(f.clone());
        }
        let (entry, doc) = self.entity("flows", id, from)?;
        let root = At::root(&doc, &entry);
        let name = root.opt_text("name")?.unwrap_or_default().to_string();
        let kind_at = root.req("flowType")?;
        let kind = match kind_at.text()? {
            "ELEMENTARY_FLOW" => FlowType::Elementary,
            "PRODUCT_FLOW" => FlowType::Product,
            "WASTE_FLOW" => FlowType::Waste,
            other => {
                return Err(kind_at.err(Msg::new("import-olca-flow-type").arg("value", other)));
            }
        };
        let mut props = Vec::new();
        let mut ref_prop = None;
        for p in root.list("flowProperties")? {
            let prop = p.req("flowProperty")?.req("@id")?.text()?.to_string();
            let factor = p.req("conversionFactor")?.number()?;
            if p.flag(&["isRefFlowProperty", "referenceFlowProperty"])? {
                ref_prop = Some(prop.clone());
            }
            props.push((prop, factor));
        }
        if ref_prop.is_none() && props.len() == 1 {
            ref_prop = Some(props[0].0.clone());
        }
        let flow = Rc::new(FlowInfo {
            id: id.to_string(),
            name,
            kind,
            entry,
            props,
            ref_prop,
        });
        self.flows.insert(id.to_string(), flow.clone());
        Ok(flow)
    }

    /// The unit group of a flow property that `from` refers to.
    fn unit_group(&mut self, prop: &str, from: &At) -> Result<Rc<UnitGroup>, OlcaError> {
        if let Some(g) = self.groups.get(prop) {
            return Ok(g.clone());
        }
        let (fp_entry, fp) = self.entity("flow_properties", prop, from)?;
        let fp_root = At::root(&fp, &fp_entry);
        let ug_ref = fp_root.req("unitGroup")?;
        let ug_id = ug_ref.req("@id")?.text()?.to_string();
        let (entry, doc) = self.entity("unit_groups", &ug_id, &ug_ref)?;
        let root = At::root(&doc, &entry);
        let mut units = Vec::new();
        for u in root.list("units")? {
            units.push(Unit {
                id: u.opt_text("@id")?.map(str::to_string),
                name: u.opt_text("name")?.unwrap_or_default().to_string(),
                factor: u.req("conversionFactor")?.number()?,
                is_ref: u.flag(&["isRefUnit", "referenceUnit"])?,
            });
        }
        let group = Rc::new(UnitGroup {
            name: root.opt_text("name")?.unwrap_or(&ug_id).to_string(),
            entry,
            units,
        });
        self.groups.insert(prop.to_string(), group.clone());
        Ok(group)
    }

    /// The factor from `unit` of `prop` (default: the reference unit of the
    /// flow's reference property) to the flow's reference unit; `at` is the
    /// exchange or impact factor (with `flowProperty` and `unit` fields).
    fn reference_factor(
        &mut self,
        flow: &FlowInfo,
        prop: Option<&str>,
        unit: Option<&UnitRef>,
        at: &At,
    ) -> Result<Decimal, OlcaError> {
        let Some(prop) = prop.or(flow.ref_prop.as_deref()) else {
            return Err(flow.no_ref_property());
        };
        let Some(pf) = flow.props.iter().find(|(p, _)| p == prop).map(|(_, f)| *f) else {
            return Err(at.child("flowProperty").err(
                Msg::new("import-olca-flow-property")
                    .arg("flow", flow.label())
                    .arg("property", prop),
            ));
        };
        if pf <= Decimal::ZERO {
            return Err(OlcaError {
                file: flow.entry.clone(),
                path: Some("flowProperties".into()),
                msg: Msg::new("import-olca-conversion").arg("value", pf),
            });
        }
        let uf = match unit {
            None => Decimal::ONE,
            Some(u) => {
                let group = self.unit_group(prop, at)?;
                let found = group
                    .units
                    .iter()
                    .find(|x| u.id.is_some() && x.id == u.id)
                    .or_else(|| {
                        let name = u.name.as_deref()?;
                        group.units.iter().find(|x| x.name == name)
                    });
                let Some(found) = found else {
                    return Err(at.child("unit").err(
                        Msg::new("import-olca-unit")
                            .arg("unit", u.label())
                            .arg("flow", flow.label()),
                    ));
                };
                if found.factor <= Decimal::ZERO {
                    return Err(OlcaError {
                        file: group.entry.clone(),
                        path: Some("units".into()),
                        msg: Msg::new("import-olca-conversion").arg("value", found.factor),
                    });
                }
                found.factor
            }
        };
        uf.checked_div(pf)
            .map(|d| d.normalize())
            .ok_or_else(|| at.err(Msg::new("import-olca-number").arg("value", uf)))
    }

    /// The name of the flow's reference unit.
    fn ref_unit(&mut self, flow: &FlowInfo, from: &At) -> Result<String, OlcaError> {
        let Some(prop) = flow.ref_prop.clone() else {
            return Err(flow.no_ref_property());
        };
        let group = self.unit_group(&prop, from)?;
        group
            .units
            .iter()
            .find(|u| u.is_ref)
            .or_else(|| {
                let mut ones = group.units.iter().filter(|u| u.factor == Decimal::ONE);
                ones.next().filter(|_| ones.next().is_none())
            })
            .map(|u| u.name.clone())
            .ok_or_else(|| OlcaError {
                file: group.entry.clone(),
                path: Some("units".into()),
                msg: Msg::new("import-olca-no-ref-unit").arg("group", &group.name),
            })
    }
}

/// `<folder>/<file>.json` below a directory (one level of folders).
fn dir_entries(root: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let Ok(folders) = std::fs::read_dir(root) else {
        return out;
    };
    for folder in folders.flatten() {
        if !folder.file_type().is_ok_and(|t| t.is_dir()) {
            continue;
        }
        let Ok(files) = std::fs::read_dir(folder.path()) else {
            continue;
        };
        let folder_name = folder.file_name().to_string_lossy().into_owned();
        for f in files.flatten() {
            let name = f.file_name().to_string_lossy().into_owned();
            if name.ends_with(".json") && f.file_type().is_ok_and(|t| t.is_file()) {
                out.push(format!("{folder_name}/{name}"));
            }
        }
    }
    out.sort();
    out
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FlowType {
    Elementary,
    Product,
    Waste,
}

struct FlowInfo {
    id: String,
    name: String,
    kind: FlowType,
    entry: String,
    /// (flow property `@id`, conversion factor).
    props: Vec<(String, Decimal)>,
    ref_prop: Option<String>,
}

impl FlowInfo {
    /// The name, or the `@id` of a flow without one.
    fn label(&self) -> &str {
        if self.name.trim().is_empty() {
            &self.id
        } else {
            &self.name
        }
    }

    fn no_ref_property(&self) -> OlcaError {
        OlcaError {
            file: self.entry.clone(),
            path: Some("flowProperties".into()),
            msg: Msg::new("import-olca-no-ref-property").arg("flow", self.label()),
        }
    }
}

struct Unit {
    id: Option<String>,
    name: String,
    factor: Decimal,
    is_ref: bool,
}

struct UnitGroup {
    name: String,
    entry: String,
    units: Vec<Unit>,
}

/// A reference to a unit (`{"@id", "name"}`).
struct UnitRef {
    id: Option<String>,
    name: Option<String>,
}

impl UnitRef {
    fn label(&self) -> &str {
        self.name
            .as_deref()
            .or(self.id.as_deref())
            .unwrap_or_default()
    }
}

// ---------------------------------------------------------------------------
// JSON access with paths

/// A JSON value, the entry it is in and its path there.
#[derive(Clone)]
struct At<'v> {
    v: &'v Value,
    file: &'v str,
    path: String,
}

impl<'v> At<'v> {
    fn root(v: &'v Value, file: &'v str) -> At<'v> {
        At {
            v,
            file,
            path: String::new(),
        }
    }

    fn child_path(&self, key: &str) -> String {
        if self.path.is_empty() {
            key.to_string()
        } else {
            format!("{}.{key}", self.path)
        }
    }

    /// A (possibly absent) field, for error paths.
    fn child(&self, key: &str) -> At<'v> {
        static NULL: Value = Value::Null;
        At {
            v: &NULL,
            file: self.file,
            path: self.child_path(key),
        }
    }

    fn err(&self, msg: Msg) -> OlcaError {
        OlcaError {
            file: self.file.to_string(),
            path: (!self.path.is_empty()).then(|| self.path.clone()),
            msg,
        }
    }

    /// A field; `None` when absent or null.
    fn opt(&self, key: &str) -> Option<At<'v>> {
        match self.v.get(key) {
            None | Some(Value::Null) => None,
            Some(v) => Some(At {
                v,
                file: self.file,
                path: self.child_path(key),
            }),
        }
    }

    fn req(&self, key: &str) -> Result<At<'v>, OlcaError> {
        self.opt(key).ok_or_else(|| {
            self.child(key)
                .err(Msg::new("import-olca-missing").arg("field", key))
        })
    }

    fn text(&self) -> Result<&'v str, OlcaError> {
        self.v
            .as_str()
            .ok_or_else(|| self.err(Msg::new("import-olca-not-text")))
    }

    fn opt_text(&self, key: &str) -> Result<Option<&'v str>, OlcaError> {
        self.opt(key).map(|a| a.text()).transpose()
    }

    fn float(&self) -> Result<f64, OlcaError> {
        let x = self
            .v
            .as_f64()
            .ok_or_else(|| self.err(Msg::new("import-olca-not-number")))?;
        if x.is_finite() {
            Ok(x)
        } else {
            Err(self.err(Msg::new("import-olca-number").arg("value", x)))
        }
    }

    fn number(&self) -> Result<Decimal, OlcaError> {
        let x = self.float()?;
        decimal(x).ok_or_else(|| self.err(Msg::new("import-olca-number").arg("value", x)))
    }

    /// The first of `keys` present (version 2 name, then version 1);
    /// absent: false.
    fn flag(&self, keys: &[&str]) -> Result<bool, OlcaError> {
        for key in keys {
            if let Some(a) = self.opt(key) {
                return a
                    .v
                    .as_bool()
                    .ok_or_else(|| a.err(Msg::new("import-olca-not-bool")));
            }
        }
        Ok(false)
    }

    /// A list field; absent: empty.
    fn list(&self, key: &str) -> Result<Vec<At<'v>>, OlcaError> {
        let Some(a) = self.opt(key) else {
            return Ok(Vec::new());
        };
        let items =
            a.v.as_array()
                .ok_or_else(|| a.err(Msg::new("import-olca-not-list")))?;
        Ok(items
            .iter()
            .enumerate()
            .map(|(i, v)| At {
                v,
                file: self.file,
                path: format!("{}[{i}]", a.path),
            })
            .collect())
    }

    /// The `@id` of a reference field, if present.
    fn ref_id(&self, key: &str) -> Result<Option<&'v str>, OlcaError> {
        match self.opt(key) {
            None => Ok(None),
            Some(r) => Ok(Some(r.req("@id")?.text()?)),
        }
    }

    fn unit_ref(&self, key: &str) -> Result<Option<UnitRef>, OlcaError> {
        let Some(u) = self.opt(key) else {
            return Ok(None);
        };
        let r = UnitRef {
            id: u.opt_text("@id")?.map(str::to_string),
            name: u.opt_text("name")?.map(str::to_string),
        };
        Ok((r.id.is_some() || r.name.is_some()).then_some(r))
    }
}

/// A JSON double as a decimal: the shortest decimal giving the same double
/// (rounded to 28 places); `None` when a decimal cannot hold it.
fn decimal(x: f64) -> Option<Decimal> {
    if !x.is_finite() {
        return None;
    }
    // `Display` of f64 is the shortest round-tripping digits, never with an
    // exponent; the parser rounds beyond 28 decimal places and fails beyond
    // the range.
    let d = Decimal::from_str(&x.to_string()).ok()?;
    if x != 0.0 {
        let back = d.to_f64()?;
        if back == 0.0 || ((back - x) / x).abs() > 1e-9 {
            return None;
        }
    }
    Some(d.normalize())
}

fn checked_mul(a: Decimal, b: Decimal, at: &At) -> Result<Decimal, OlcaError> {
    a.checked_mul(b)
        .map(|d| d.normalize())
        .ok_or_else(|| at.err(Msg::new("import-olca-number").arg("value", a)))
}

// ---------------------------------------------------------------------------
// The impact category

struct Category {
    name: String,
    /// `<category> (<method>, <version or @id>)`.
    source: String,
    /// The category's `direction`: Some(true) for INPUT.
    input_direction: Option<bool>,
    /// Factors by flow `@id` (non-regionalised only).
    factors: HashMap<String, Vec<RawFactor>>,
    entry: String,
}

struct RawFactor {
    index: usize,
    value: Decimal,
    prop: Option<String>,
    unit: Option<UnitRef>,
}

fn choose_category(pkg: &mut Package, opts: &OlcaOptions) -> Result<Category, Vec<OlcaError>> {
    let ids = pkg.ids("lcia_categories");
    if ids.is_empty() {
        return Err(vec![archive_error(
            &pkg.name,
            Msg::new("import-olca-no-category"),
        )]);
    }
    let mut all = Vec::new();
    let mut errors = Vec::new();
    for id in &ids {
        let entry = pkg.entry("lcia_categories", id).unwrap_or_default();
        match pkg.json(&entry) {
            Ok(doc) => {
                let name = doc.get("name").and_then(Value::as_str).unwrap_or(id);
                all.push((id.clone(), name.trim().to_string()));
            }
            Err(e) => errors.push(e),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let names = |list: &[&(String, String)]| {
        short_list(&list.iter().map(|(_, n)| n.as_str()).collect::<Vec<_>>())
    };
    let option_error = |msg: Msg| OlcaError {
        file: pkg.name.clone(),
        path: Some("options.impact_category".into()),
        msg,
    };
    let chosen: &(String, String) = match opts.impact_category.as_deref().map(str::trim) {
        Some(wanted) => {
            let by_id: Vec<_> = all.iter().filter(|(id, _)| id == wanted).collect();
            let by_name: Vec<_> = all
                .iter()
                .filter(|(_, n)| n.to_lowercase() == wanted.to_lowercase())
                .collect();
            let found = if by_id.is_empty() { by_name } else { by_id };
            match found.as_slice() {
                [one] => one,
                [] => {
                    let every: Vec<_> = all.iter().collect();
                    return Err(vec![option_error(
                        Msg::new("import-olca-unknown-category")
                            .arg("category", wanted)
                            .arg("available", names(&every)),
                    )]);
                }
                several => {
                    return Err(vec![option_error(
                        Msg::new("import-olca-choose-category")
                            .arg("candidates", ids_and_names(several)),
                    )]);
                }
            }
        }
        None if all.len() == 1 => &all[0],
        None => {
            let lower = |s: &str| s.to_lowercase();
            let mut cands: Vec<&(String, String)> = all
                .iter()
                .filter(|(_, n)| {
                    let n = lower(n);
                    n.contains("climate change")
                        || n.contains("global warming")
                        || n.contains("gwp")
                })
                .collect();
            if cands.len() > 1 {
                let centennial: Vec<_> = cands
                    .iter()
                    .copied()
                    .filter(|(_, n)| n.contains("100"))
                    .collect();
                if !centennial.is_empty() {
                    cands = centennial;
                }
            }
            if cands.len() > 1 {
                let totals: Vec<_> = cands
                    .iter()
                    .copied()
                    .filter(|(_, n)| {
                        let n = lower(n);
                        !["biogenic", "fossil", "land use", "luluc"]
                            .iter()
                            .any(|k| n.contains(k))
                    })
                    .collect();
                if !totals.is_empty() {
                    cands = totals;
                }
            }
            match cands.as_slice() {
                [one] => one,
                [] => {
                    let every: Vec<_> = all.iter().collect();
                    return Err(vec![option_error(
                        Msg::new("import-olca-choose-category").arg("candidates", names(&every)),
                    )]);
                }
                several => {
                    return Err(vec![option_error(
                        Msg::new("import-olca-choose-category")
                            .arg("candidates", ids_and_names(several)),
                    )]);
                }
            }
        }
    };
    let (id, name) = chosen.clone();
    read_category(pkg, &id, &name).map_err(|e| vec![e])
}

fn ids_and_names(list: &[&(String, String)]) -> String {
    short_list(
        &list
            .iter()
            .map(|(id, n)| format!("{n} [{id}]"))
            .collect::<Vec<_>>(),
    )
}

/// The first ten items, comma-separated.
fn short_list<S: AsRef<str>>(items: &[S]) -> String {
    let shown: Vec<&str> = items.iter().take(10).map(AsRef::as_ref).collect();
    if items.len() > 10 {
        format!("{}, …", shown.join(", "))
    } else {
        shown.join(", ")
    }
}

fn read_category(pkg: &mut Package, id: &str, name: &str) -> Result<Category, OlcaError> {
    let entry = pkg.entry("lcia_categories", id).unwrap_or_default();
    let doc = pkg.json(&entry)?;
    let root = At::root(&doc, &entry);
    let input_direction = match root.opt("direction") {
        None => None,
        Some(d) => match d.text()? {
            "INPUT" => Some(true),
            "OUTPUT" => Some(false),
            other => {
                return Err(d.err(Msg::new("import-olca-direction").arg("value", other)));
            }
        },
    };
    let mut factors: HashMap<String, Vec<RawFactor>> = HashMap::new();
    for (index, f) in root.list("impactFactors")?.into_iter().enumerate() {
        if f.opt("location").is_some() {
            continue;
        }
        let flow = f.req("flow")?.req("@id")?.text()?.to_string();
        factors.entry(flow).or_default().push(RawFactor {
            index,
            value: f.req("value")?.number()?,
            prop: f.ref_id("flowProperty")?.map(str::to_string),
            unit: f.unit_ref("unit")?,
        });
    }
    // The method that lists the category, for the factors' source.
    let mut method = None;
    for mid in pkg.ids("lcia_methods") {
        let mentry = pkg.entry("lcia_methods", &mid).unwrap_or_default();
        let mdoc = pkg.json(&mentry)?;
        let mroot = At::root(&mdoc, &mentry);
        let lists = mroot
            .list("impactCategories")?
            .iter()
            .any(|c| c.v.get("@id").and_then(Value::as_str) == Some(id));
        if lists {
            method = Some(mroot.opt_text("name")?.unwrap_or(&mid).to_string());
            break;
        }
    }
    let tag = root
        .opt_text("version")?
        .filter(|v| !v.trim().is_empty())
        .unwrap_or(id);
    let source = match method {
        Some(m) => format!("{name} ({m}, {tag})"),
        None => format!("{name} ({tag})"),
    };
    Ok(Category {
        name: name.to_string(),
        source,
        input_direction,
        factors,
        entry,
    })
}

impl Category {
    /// The factor per reference unit of `flow`, `None` when the category
    /// has none.
    fn factor(&self, pkg: &mut Package, flow: &FlowInfo) -> Result<Option<Decimal>, OlcaError> {
        let Some(raw) = self.factors.get(&flow.id) else {
            return Ok(None);
        };
        let doc = pkg.json(&self.entry)?;
        let mut found: Option<Decimal> = None;
        for r in raw {
            let at = &At {
                v: &doc["impactFactors"][r.index],
                file: &self.entry,
                path: format!("impactFactors[{}]", r.index),
            };
            let c = pkg.reference_factor(flow, r.prop.as_deref(), r.unit.as_ref(), at)?;
            // value per unit → per reference unit: value ÷ (unit → reference).
            let per_ref = r
                .value
                .checked_div(c)
                .map(|d| d.normalize())
                .ok_or_else(|| at.err(Msg::new("import-olca-number").arg("value", r.value)))?;
            match found {
                Some(prev) if prev != per_ref => {
                    return Err(
                        at.err(Msg::new("import-olca-duplicate-factor").arg("flow", flow.label()))
                    );
                }
                _ => found = Some(per_ref),
            }
        }
        Ok(found)
    }
}

// ---------------------------------------------------------------------------
// Processes

struct Proc {
    id: String,
    name: String,
    entry: String,
    ref_flow: String,
    ref_path: String,
    unit: String,
    output: Decimal,
    techs: Vec<Tech>,
    elems: Vec<Elem>,
    /// Problems that matter only if the process is imported.
    errors: Vec<OlcaError>,
}

/// A product input or waste output, to be linked to a provider.
struct Tech {
    path: String,
    label: String,
    flow: Rc<FlowInfo>,
    amount: Decimal,
    uncertainty: Option<UncertaintySpec>,
    provider: Option<String>,
}

struct Elem {
    path: String,
    flow: Rc<FlowInfo>,
    input: bool,
    /// In the flow's reference unit, as entered (not signed by direction).
    amount: Decimal,
    uncertainty: Option<UncertaintySpec>,
}

fn exchange_label(x: &At, index: usize) -> String {
    match x.v.get("internalId").and_then(Value::as_i64) {
        Some(id) => format!("#{id}"),
        None => format!("[{index}]"),
    }
}

/// Reads a process. `Err`: it cannot even serve as a provider.
fn read_process(pkg: &mut Package, id: &str) -> Result<Proc, OlcaError> {
    let entry = pkg.entry("processes", id).unwrap_or_default();
    let doc = pkg.json(&entry)?;
    let root = At::root(&doc, &entry);
    let id_at = root.req("@id")?;
    let pid = id_at.text()?;
    if pid != id {
        return Err(id_at.err(
            Msg::new("import-olca-id-mismatch")
                .arg("id", pid)
                .arg("file", &entry),
        ));
    }
    let name = root
        .opt_text("name")?
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .unwrap_or(pid)
        .to_string();
    let exchanges = root.list("exchanges")?;
    let mut refs = Vec::new();
    for (i, x) in exchanges.iter().enumerate() {
        if x.flag(&["isQuantitativeReference", "quantitativeReference"])? {
            refs.push(i);
        }
    }
    let r = match refs.as_slice() {
        [] => {
            return Err(root
                .child("exchanges")
                .err(Msg::new("import-olca-no-reference").arg("process", &name)));
        }
        [one] => *one,
        [_, second, ..] => {
            return Err(exchanges[*second]
                .err(Msg::new("import-olca-several-references").arg("process", &name)));
        }
    };
    let rx = &exchanges[r];
    let flow_at = rx.req("flow")?;
    let flow = pkg.flow(flow_at.req("@id")?.text()?, &flow_at)?;
    let input = rx.flag(&["isInput", "input"])?;
    let avoided = rx.flag(&["isAvoidedProduct", "avoidedProduct"])?;
    match (flow.kind, input) {
        (FlowType::Product, false) | (FlowType::Waste, true) if !avoided => {}
        _ => {
            return Err(flow_at.err(
                Msg::new("import-olca-reference-kind")
                    .arg("process", &name)
                    .arg("flow", flow.label()),
            ));
        }
    }
    let mut p = Proc {
        id: pid.to_string(),
        name,
        entry: entry.clone(),
        ref_flow: flow.id.clone(),
        ref_path: rx.path.clone(),
        unit: String::new(),
        output: Decimal::ZERO,
        techs: Vec::new(),
        elems: Vec::new(),
        errors: Vec::new(),
    };
    // The reference amount and unit.
    let reference = (|| -> Result<(Decimal, String), OlcaError> {
        let amount = rx.req("amount")?.number()?;
        let prop = rx.ref_id("flowProperty")?;
        let unit = rx.unit_ref("unit")?;
        let c = pkg.reference_factor(&flow, prop, unit.as_ref(), rx)?;
        let output = checked_mul(amount, c, rx)?;
        if output <= Decimal::ZERO {
            return Err(rx.child("amount").err(
                Msg::new("import-olca-reference-amount")
                    .arg("process", &p.name)
                    .arg("flow", flow.label()),
            ));
        }
        Ok((output, pkg.ref_unit(&flow, &flow_at)?))
    })();
    match reference {
        Ok((output, unit)) => {
            p.output = output;
            p.unit = unit;
        }
        Err(e) => p.errors.push(e),
    }
    for (i, x) in exchanges.iter().enumerate() {
        if i != r
            && let Err(e) = read_exchange(pkg, &mut p, x, i)
        {
            p.errors.push(e);
        }
    }
    Ok(p)
}

/// Reads one exchange other than the reference. A product input or waste
/// output is kept for linking even when its amount cannot be read, so that
/// its provider still counts as used.
fn read_exchange(pkg: &mut Package, p: &mut Proc, x: &At, i: usize) -> Result<(), OlcaError> {
    let flow_at = x.req("flow")?;
    let flow = pkg.flow(flow_at.req("@id")?.text()?, &flow_at)?;
    let input = x.flag(&["isInput", "input"])?;
    let avoided = x.flag(&["isAvoidedProduct", "avoidedProduct"])?;
    let label = exchange_label(x, i);
    let named = |key: &'static str| {
        Msg::new(key)
            .arg("exchange", &label)
            .arg("process", &p.name)
            .arg("flow", flow.label())
    };
    let linkable = match (flow.kind, input) {
        (FlowType::Elementary, _) => false,
        (FlowType::Product, true) | (FlowType::Waste, false) => true,
        (FlowType::Product, false) | (FlowType::Waste, true) => {
            return Err(x.err(if avoided {
                named("import-olca-avoided")
            } else {
                Msg::new("import-olca-co-products")
                    .arg("process", &p.name)
                    .arg("flow", flow.label())
            }));
        }
    };
    if linkable && avoided {
        return Err(x.err(named("import-olca-avoided")));
    }
    let amounts = (|| -> Result<Option<(Decimal, Option<UncertaintySpec>)>, OlcaError> {
        let entered = x.req("amount")?.number()?;
        if entered.is_zero() {
            return Ok(None);
        }
        let prop = x.ref_id("flowProperty")?;
        let unit = x.unit_ref("unit")?;
        let c = pkg.reference_factor(&flow, prop, unit.as_ref(), x)?;
        let amount = checked_mul(entered, c, x)?;
        if linkable && amount < Decimal::ZERO {
            return Err(x.child("amount").err(named("import-olca-negative")));
        }
        let uncertainty = match x.opt("uncertainty") {
            Some(u) => read_uncertainty(&u, amount, c)?,
            None => None,
        };
        Ok(Some((amount, uncertainty)))
    })();
    if linkable {
        let provider = x.ref_id("defaultProvider")?.map(str::to_string);
        let (amount, uncertainty) = match amounts {
            Ok(None) => return Ok(()),
            Ok(Some(a)) => a,
            Err(e) => {
                p.errors.push(e);
                (Decimal::ZERO, None)
            }
        };
        p.techs.push(Tech {
            path: x.path.clone(),
            label,
            flow,
            amount,
            uncertainty,
            provider,
        });
    } else if let Some((amount, uncertainty)) = amounts? {
        p.elems.push(Elem {
            path: x.path.clone(),
            flow,
            input,
            amount,
            uncertainty,
        });
    }
    Ok(())
}

/// An exchange's uncertainty for `amount` (already in the reference unit;
/// `c` converts the file's parameters to it).
fn read_uncertainty(
    u: &At,
    amount: Decimal,
    c: Decimal,
) -> Result<Option<UncertaintySpec>, OlcaError> {
    let Some(kind) = u.opt_text("distributionType")? else {
        return Ok(None);
    };
    let spec = |distribution: &str, scale, min, max| UncertaintySpec {
        distribution: distribution.into(),
        scale,
        min,
        max,
    };
    let bad = || {
        u.err(
            Msg::new("import-olca-uncertainty")
                .arg("distribution", kind)
                .arg("amount", amount),
        )
    };
    let s = match kind {
        "LOG_NORMAL_DISTRIBUTION" => {
            let at = u.req("geomSd")?;
            let g = at.float()?;
            if g <= 1.0 {
                return Err(bad());
            }
            let scale = decimal(g.ln())
                .ok_or_else(|| at.err(Msg::new("import-olca-number").arg("value", g)))?;
            spec("lognormal", Some(scale), None, None)
        }
        "NORMAL_DISTRIBUTION" => {
            let at = u.req("sd")?;
            let sd = checked_mul(at.number()?, c, &at)?;
            if sd <= Decimal::ZERO {
                return Err(bad());
            }
            spec("normal", Some(sd), None, None)
        }
        "TRIANGLE_DISTRIBUTION" | "UNIFORM_DISTRIBUTION" => {
            let lo_at = u.req("minimum")?;
            let hi_at = u.req("maximum")?;
            let lo = checked_mul(lo_at.number()?, c, &lo_at)?;
            let hi = checked_mul(hi_at.number()?, c, &hi_at)?;
            if !(lo <= amount && amount <= hi && lo < hi) {
                return Err(bad());
            }
            let name = if kind == "UNIFORM_DISTRIBUTION" {
                "uniform"
            } else {
                "triangular"
            };
            spec(name, None, Some(lo), Some(hi))
        }
        _ => return Ok(None),
    };
    Ok(Some(s))
}

/// The distribution of −x given that of x.
fn negated(u: &UncertaintySpec) -> UncertaintySpec {
    UncertaintySpec {
        distribution: u.distribution.clone(),
        scale: u.scale,
        min: u.max.map(|v| -v),
        max: u.min.map(|v| -v),
    }
}

/// The kind of an emission with a positive amount, from the flow name.
fn kind_by_name(name: &str) -> EmissionKind {
    let n = name.to_lowercase();
    if n.contains("biogenic") || n.contains("non-fossil") {
        EmissionKind::Biogenic
    } else if [
        "land use change",
        "land transformation",
        "soil or biomass stock",
    ]
    .iter()
    .any(|k| n.contains(k))
    {
        EmissionKind::LandUse
    } else {
        EmissionKind::Fossil
    }
}

// ---------------------------------------------------------------------------
// The import

/// Where each model item came from, to place the model check's findings.
struct Trace {
    entry: String,
    reference: String,
    inputs: Vec<String>,
    emissions: Vec<String>,
}

fn import(pkg: &mut Package, opts: &OlcaOptions) -> Result<OlcaImport, Vec<OlcaError>> {
    let ids = pkg.ids("processes");
    if ids.is_empty() {
        return Err(vec![archive_error(
            &pkg.name,
            Msg::new("import-olca-no-processes"),
        )]);
    }
    let category = choose_category(pkg, opts)?;

    let mut global = Vec::new();
    let mut procs: Vec<Proc> = Vec::new();
    for id in &ids {
        match read_process(pkg, id) {
            Ok(p) => procs.push(p),
            Err(e) => global.push(e),
        }
    }
    if !global.is_empty() {
        // Until these are fixed, links to and from the processes involved
        // would only report follow-on errors.
        return Err(dedup(global));
    }
    let by_id: HashMap<&str, usize> = procs
        .iter()
        .enumerate()
        .map(|(i, p)| (p.id.as_str(), i))
        .collect();
    let mut producers: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, p) in procs.iter().enumerate() {
        producers.entry(p.ref_flow.as_str()).or_default().push(i);
    }
    let product = |i: usize| {
        let p = &procs[i];
        if producers[p.ref_flow.as_str()].len() == 1 {
            p.ref_flow.clone()
        } else {
            format!("{}@{}", p.ref_flow, p.id)
        }
    };

    // Link every product input and waste output.
    let mut links: Vec<Vec<Option<usize>>> = Vec::new();
    let mut link_errors: Vec<Vec<OlcaError>> = Vec::new();
    for p in &procs {
        let mut ls = Vec::new();
        let mut es = Vec::new();
        for t in &p.techs {
            let named = |key: &'static str| {
                Msg::new(key)
                    .arg("exchange", &t.label)
                    .arg("process", &p.name)
                    .arg("flow", t.flow.label())
            };
            let fail = |field: &str, msg: Msg| OlcaError {
                file: p.entry.clone(),
                path: Some(format!("{}.{field}", t.path)),
                msg,
            };
            let linked = match &t.provider {
                Some(pid) => match by_id.get(pid.as_str()) {
                    Some(&k) if procs[k].ref_flow == t.flow.id => Ok(k),
                    Some(&k) => Err(fail(
                        "defaultProvider",
                        named("import-olca-provider-mismatch").arg("provider", &procs[k].name),
                    )),
                    None => Err(fail(
                        "defaultProvider",
                        named("import-olca-provider-absent").arg("provider", pid),
                    )),
                },
                None => match producers.get(t.flow.id.as_str()).map(Vec::as_slice) {
                    Some([k]) => Ok(*k),
                    None | Some([]) => Err(fail("flow", named("import-olca-no-provider"))),
                    Some(several) => {
                        let names: Vec<&str> =
                            several.iter().map(|k| procs[*k].name.as_str()).collect();
                        Err(fail(
                            "flow",
                            named("import-olca-two-providers").arg("providers", short_list(&names)),
                        ))
                    }
                },
            };
            match linked {
                Ok(k) => ls.push(Some(k)),
                Err(e) => {
                    ls.push(None);
                    es.push(e);
                }
            }
        }
        links.push(ls);
        link_errors.push(es);
    }

    // The reference process.
    // Without a chosen reference, failed links may be why no single root
    // shows: they go with the request to choose.
    let with_links = |first: OlcaError| {
        let mut v = vec![first];
        v.extend(link_errors.iter().flatten().cloned());
        v
    };
    let option_error = |msg: Msg| OlcaError {
        file: pkg.name.clone(),
        path: Some("options.reference_process".into()),
        msg,
    };
    let reference = match opts.reference_process.as_deref().map(str::trim) {
        Some(wanted) => {
            let found: Vec<usize> = match by_id.get(wanted) {
                Some(&k) => vec![k],
                None => (0..procs.len())
                    .filter(|&k| procs[k].name.to_lowercase() == wanted.to_lowercase())
                    .collect(),
            };
            match found.as_slice() {
                [k] => *k,
                [] => {
                    return Err(vec![option_error(
                        Msg::new("import-olca-unknown-process").arg("process", wanted),
                    )]);
                }
                several => {
                    let names: Vec<String> = several
                        .iter()
                        .map(|k| format!("{} [{}]", procs[*k].name, procs[*k].id))
                        .collect();
                    return Err(vec![option_error(
                        Msg::new("import-olca-choose-process")
                            .arg("candidates", short_list(&names)),
                    )]);
                }
            }
        }
        None => {
            let mut consumed: HashSet<usize> = HashSet::new();
            for (i, ls) in links.iter().enumerate() {
                consumed.extend(ls.iter().flatten().filter(|&&k| k != i));
            }
            let roots: Vec<usize> = (0..procs.len()).filter(|k| !consumed.contains(k)).collect();
            match roots.as_slice() {
                [k] => *k,
                [] => {
                    return Err(with_links(option_error(Msg::new("import-olca-no-root"))));
                }
                several => {
                    let names: Vec<&str> =
                        several.iter().map(|k| procs[*k].name.as_str()).collect();
                    return Err(with_links(option_error(
                        Msg::new("import-olca-choose-process")
                            .arg("candidates", short_list(&names)),
                    )));
                }
            }
        }
    };

    // The processes it reaches, breadth first.
    let mut order = vec![reference];
    let mut seen: HashSet<usize> = HashSet::from([reference]);
    let mut queue = VecDeque::from([reference]);
    while let Some(i) = queue.pop_front() {
        for &k in links[i].iter().flatten() {
            if seen.insert(k) {
                order.push(k);
                queue.push_back(k);
            }
        }
    }
    let mut errors = Vec::new();
    for &i in &order {
        errors.extend(procs[i].errors.iter().cloned());
        errors.extend(link_errors[i].iter().cloned());
    }
    if !errors.is_empty() {
        return Err(dedup(errors));
    }

    // Flow directions (where the category does not set one): input when
    // the flow only occurs as an input.
    let mut only_input: HashMap<&str, bool> = HashMap::new();
    for &i in &order {
        for e in &procs[i].elems {
            let v = only_input.entry(e.flow.id.as_str()).or_insert(true);
            *v &= e.input;
        }
    }

    let mut factors: HashMap<String, Option<Decimal>> = HashMap::new();
    let mut flows: Vec<FlowModel> = Vec::new();
    let mut skipped = BTreeSet::new();
    let mut processes = Vec::new();
    let mut traces = Vec::new();
    for &i in &order {
        let p = &procs[i];
        let mut trace = Trace {
            entry: p.entry.clone(),
            reference: p.ref_path.clone(),
            inputs: Vec::new(),
            emissions: Vec::new(),
        };
        let mut inputs = Vec::new();
        for (t, k) in p.techs.iter().zip(&links[i]) {
            let k = k.expect("links of imported processes succeeded");
            inputs.push(InputModel {
                product: product(k),
                amount: t.amount,
                uncertainty: t.uncertainty.clone(),
            });
            trace.inputs.push(t.path.clone());
        }
        let mut emissions = Vec::new();
        for e in &p.elems {
            let cf = match factors.get(&e.flow.id) {
                Some(f) => *f,
                None => {
                    let f = category.factor(pkg, &e.flow).map_err(|err| vec![err])?;
                    factors.insert(e.flow.id.clone(), f);
                    if let Some(f) = f {
                        flows.push(FlowModel {
                            id: e.flow.id.clone(),
                            name: e.flow.label().to_string(),
                            factor: f.abs(),
                            source: category.source.clone(),
                        });
                    }
                    f
                }
            };
            let Some(cf) = cf else {
                skipped.insert(e.flow.label().to_string());
                continue;
            };
            if e.flow.id.contains('|') {
                return Err(vec![OlcaError {
                    file: p.entry.clone(),
                    path: Some(format!("{}.flow", e.path)),
                    msg: Msg::new("import-olca-id-char").arg("id", &e.flow.id),
                }]);
            }
            // openLCA's share of the score: cf × amount in the flow's
            // direction, −cf × amount against it.
            let input_direction = category
                .input_direction
                .unwrap_or(only_input[e.flow.id.as_str()]);
            let along = e.input == input_direction;
            // Egret: amount × |cf|, the amount carrying the share's sign
            // (with no share, outputs positive and inputs negative).
            let positive_share = if cf.is_zero() {
                !e.input
            } else {
                along == (cf > Decimal::ZERO)
            };
            let amount = if positive_share { e.amount } else { -e.amount };
            let kind = if amount < Decimal::ZERO {
                EmissionKind::Uptake
            } else {
                kind_by_name(&e.flow.name)
            };
            emissions.push(EmissionModel {
                flow: e.flow.id.clone(),
                amount,
                kind,
                uncertainty: if positive_share {
                    e.uncertainty.clone()
                } else {
                    e.uncertainty.as_ref().map(negated)
                },
            });
            trace.emissions.push(e.path.clone());
        }
        processes.push(ProcessModel {
            id: p.id.clone(),
            name: p.name.clone(),
            product: product(i),
            unit: p.unit.clone(),
            output: p.output,
            source: ProcessSource::Imported {
                origin: format!("{}:{}", pkg.name, p.entry),
            },
            inputs,
            emissions,
        });
        traces.push(trace);
    }

    let root = &procs[reference];
    let model = ProductSystemModel {
        name: opts
            .name
            .as_deref()
            .map(str::trim)
            .unwrap_or(&root.name)
            .to_string(),
        reference_product: product(reference),
        amount: opts.amount.unwrap_or(root.output),
        gwp_set: opts.gwp_set.trim().to_string(),
        processes,
        flows,
    };

    let mut errors = Vec::new();
    let option_error = |field: &str, msg: Msg| OlcaError {
        file: pkg.name.clone(),
        path: Some(format!("options.{field}")),
        msg,
    };
    if model.name.is_empty() {
        errors.push(option_error("name", Msg::new("import-olca-name")));
    }
    if !egret_domain::pcf::GWP_SETS.contains(&model.gwp_set.as_str()) {
        errors.push(option_error(
            "gwp_set",
            Msg::new("import-olca-gwp-set").arg("value", &model.gwp_set),
        ));
    }
    if model.amount <= Decimal::ZERO {
        errors.push(option_error("amount", Msg::new("import-olca-amount")));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    // Every flow used is defined by the model itself.
    if let Err(found) = model.matrices(|_| None) {
        return Err(found
            .into_iter()
            .map(|fe| {
                let (file, path) = locate(&fe.field, &traces, &pkg.name);
                OlcaError {
                    file,
                    path: Some(path),
                    msg: fe.msg,
                }
            })
            .collect());
    }
    Ok(OlcaImport {
        processes: model.processes.len(),
        model,
        skipped_flows: skipped.into_iter().collect(),
        category: category.name,
    })
}

/// The file and JSON path behind a field of the model check
/// (`processes[2].inputs[0].amount` → `processes/….json`,
/// `exchanges[5].amount`).
fn locate(field: &str, traces: &[Trace], archive: &str) -> (String, String) {
    let fallback = || (archive.to_string(), field.to_string());
    let Some(rest) = field.strip_prefix("processes[") else {
        return fallback();
    };
    let Some((i, rest)) = rest.split_once(']') else {
        return fallback();
    };
    let Some(t) = i.parse::<usize>().ok().and_then(|i| traces.get(i)) else {
        return fallback();
    };
    let rest = rest.trim_start_matches('.');
    let item = |list: &[String], rest: &str| -> Option<String> {
        let (j, tail) = rest.split_once(']')?;
        let path = list.get(j.parse::<usize>().ok()?)?;
        let tail = match tail.trim_start_matches('.') {
            "product" | "flow" | "kind" => "flow",
            other => other,
        };
        Some(format!("{path}.{tail}"))
    };
    let path = if let Some(r) = rest.strip_prefix("inputs[") {
        item(&t.inputs, r)
    } else if let Some(r) = rest.strip_prefix("emissions[") {
        item(&t.emissions, r)
    } else {
        Some(match rest {
            "id" => "@id".to_string(),
            "name" => "name".to_string(),
            "product" => format!("{}.flow", t.reference),
            _ => format!("{}.amount", t.reference),
        })
    };
    match path {
        Some(p) => (t.entry.clone(), p),
        None => fallback(),
    }
}

/// Drops repeated errors (a broken flow file is met once per use).
fn dedup(errors: Vec<OlcaError>) -> Vec<OlcaError> {
    let mut out: Vec<OlcaError> = Vec::new();
    for e in errors {
        if !out.contains(&e) {
            out.push(e);
        }
    }
    out
}

#[cfg(test)]
mod tests;
