//! The LCA engine's matrix-triplet CSV files (docs/lca.md, "Matrix files")
//! as an import and an export of product systems.
//!
//! Three files with a header line — technosphere `product,process,amount`,
//! biosphere `flow,process,amount`, characterisation `flow,factor` — each
//! with the optional columns `distribution,loc,scale,min,max` in
//! Brightway's conventions; columns in any order (names case-insensitive),
//! blank lines skipped, production positive and inputs negative, duplicate
//! entries summed. A zip may also hold `demand.csv` (`product,amount`, one
//! row), which the export writes for `egret lca solve --demand-file`.
//!
//! # Reading ([`read_triplets_zip`], [`read_triplets`])
//!
//! * **Processes.** One [`ProcessModel`] per process id of the technosphere
//!   (in order of first appearance), named by its id, unit `unit`, source
//!   `Imported { origin: "<file>:<process id>" }`. Entries are summed per
//!   (product, process) as the engine does; the product whose sum is
//!   positive is the process's product and the sum its output. No positive
//!   sum is an error (the process produces nothing), several are an error
//!   (co-products: allocate first), and so is a product made by several
//!   processes or an input of a product nobody makes.
//! * **Inputs** are the negative sums, stored as positive amounts. Entries
//!   with a distribution are not summed (the engine draws each on its own):
//!   each becomes an input of its own, and a negative one in a process's
//!   production cell becomes an input of the process's own product. Egret
//!   keeps outputs exact, so a distribution on a positive technosphere entry
//!   is an error.
//! * **Emissions.** The biosphere entries of flows the characterisation file
//!   gives a factor, summed per (flow, process) likewise. A flow id
//!   `<flow>|<kind>` (Egret's own export: `CO2|fossil`) gives the flow and its
//!   kind; any other id is the flow, of kind uptake when the amount is
//!   negative and fossil otherwise. Each flow becomes a [`FlowModel`] with
//!   the factor (a flow written with several kinds must have one factor);
//!   `CO2e` is Egret's own, already characterised flow and needs factor 1.
//!   Entries of flows without a factor contribute nothing in the engine and
//!   are left out, listed in [`TripletImport::skipped_flows`]; factors of
//!   flows no process emits are ignored. Characterisation factors are exact
//!   in Egret: a distribution on one is an error.
//! * **Uncertainty** maps to [`UncertaintySpec`] only when it is centred on
//!   the amount, as Egret's model keeps it: lognormal `loc` empty or
//!   ln|amount| (within 10⁻⁹ relative), normal `loc` empty or the amount,
//!   triangular `loc` (mode) empty or the amount; triangular and uniform
//!   need `min` ≤ amount ≤ `max` and `min` < `max`; `scale` > 0. Anything
//!   else is an error naming the file, row and column. The spec of an input
//!   is flipped to the positive magnitude the model stores (the domain's
//!   `matrices()` flips it back). Parameters a distribution does not use
//!   are ignored, as in the engine.
//! * **Functional unit.** The product: the option, else `demand.csv`, else
//!   the one product no other process consumes. The amount: the option,
//!   else `demand.csv`, else 1.
//! * **Numbers** are read as exact decimals (`1e-05` included); a number a
//!   decimal cannot hold within 10⁻⁹ (beyond ±7.9·10²⁸, or lost to the 28
//!   decimal places) is an error.
//!
//! Every error names the file (the entry inside a zip), the 1-based line
//! (the header is line 1) and the column; problems with the archive or the
//! options name the archive and, for options, the option.
//!
//! # Writing ([`write_triplets_zip`])
//!
//! [`Matrices`] as `technosphere.csv`, `biosphere.csv` (rows `flow|kind`),
//! `characterisation.csv` and `demand.csv`, amounts as exact decimal text,
//! uncertainty in Brightway's conventions in signed units (lognormal `loc`
//! = ln|amount| as the shortest f64 text; normal `loc` = amount; triangular
//! `loc` = amount as the mode). The engine reads the files as they are.

use std::collections::{BTreeSet, HashMap};
use std::fmt;
use std::io::{Cursor, Read, Write};
use std::str::FromStr;

use egret_domain::pcf::GWP_SETS;
use egret_domain::product_system::{
    CO2E, DISTRIBUTIONS, EmissionKind, EmissionModel, Entry, FlowModel, InputModel, Matrices,
    ProcessModel, ProcessSource, ProductSystemModel, UncertaintySpec, split_flow_row,
};
use egret_i18n::{Lang, Msg};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde::Serialize;
use zip::ZipArchive;

/// File names the export writes (and the first name the import looks for).
pub const TECHNOSPHERE_FILE: &str = "technosphere.csv";
pub const BIOSPHERE_FILE: &str = "biosphere.csv";
pub const CHARACTERISATION_FILE: &str = "characterisation.csv";
pub const DEMAND_FILE: &str = "demand.csv";

/// The optional uncertainty columns.
pub const UNCERTAINTY_COLUMNS: [&str; 5] = ["distribution", "loc", "scale", "min", "max"];

/// Largest file read from an archive (unpacked).
const MAX_ENTRY_MB: u64 = 64;

/// What to make of the files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TripletOptions {
    /// The product of the functional unit. `None`: the product of
    /// `demand.csv`, else the one product no other process consumes.
    pub demand_product: Option<String>,
    /// The functional unit amount. `None`: the amount of `demand.csv`,
    /// else 1.
    pub amount: Option<Decimal>,
    /// `AR5` or `AR6`.
    pub gwp_set: String,
    /// The model's name; `None`: the product of the functional unit.
    pub name: Option<String>,
}

impl Default for TripletOptions {
    fn default() -> Self {
        TripletOptions {
            demand_product: None,
            amount: None,
            gwp_set: "AR6".into(),
            name: None,
        }
    }
}

/// An imported product system.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TripletImport {
    pub model: ProductSystemModel,
    /// Biosphere flow ids (as written) without a characterisation factor,
    /// whose entries were left out; sorted, each once.
    pub skipped_flows: Vec<String>,
}

/// A problem with the files.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TripletError {
    /// The file (inside a zip: the entry as named there); the archive for
    /// problems with the archive as a whole or with the options.
    pub file: String,
    /// 1-based line, the header being line 1; `None` for the whole file.
    pub row: Option<usize>,
    /// The column as named in the header (or the expected name when it is
    /// missing); for options, the option's name.
    pub column: Option<String>,
    pub msg: Msg,
}

impl fmt::Display for TripletError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let msg = self.msg.render(Lang::En);
        match (self.row, &self.column) {
            (Some(r), Some(c)) => write!(f, "{} row {r}, column {c}: {msg}", self.file),
            (Some(r), None) => write!(f, "{} row {r}: {msg}", self.file),
            (None, Some(c)) => write!(f, "{}, {c}: {msg}", self.file),
            (None, None) => write!(f, "{}: {msg}", self.file),
        }
    }
}

impl std::error::Error for TripletError {}

fn file_error(file: &str, msg: Msg) -> TripletError {
    TripletError {
        file: file.to_string(),
        row: None,
        column: None,
        msg,
    }
}

fn option_error(file: &str, option: &str, msg: Msg) -> TripletError {
    TripletError {
        file: file.to_string(),
        row: None,
        column: Some(option.to_string()),
        msg,
    }
}

// ---------------------------------------------------------------------------
// Files and their roles

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Technosphere,
    Biosphere,
    Characterisation,
    Demand,
}

impl Role {
    const ALL: [Role; 4] = [
        Role::Technosphere,
        Role::Biosphere,
        Role::Characterisation,
        Role::Demand,
    ];

    /// Accepted file names, lower case, the canonical one first.
    fn names(self) -> &'static [&'static str] {
        match self {
            Role::Technosphere => &[TECHNOSPHERE_FILE, "a.csv"],
            Role::Biosphere => &[BIOSPHERE_FILE, "b.csv"],
            Role::Characterisation => &[
                CHARACTERISATION_FILE,
                "characterization.csv",
                "cf.csv",
                "c.csv",
            ],
            Role::Demand => &[DEMAND_FILE],
        }
    }

    fn required(self) -> &'static [&'static str] {
        match self {
            Role::Technosphere => &["product", "process", "amount"],
            Role::Biosphere => &["flow", "process", "amount"],
            Role::Characterisation => &["flow", "factor"],
            Role::Demand => &["product", "amount"],
        }
    }

    fn optional(self) -> &'static [&'static str] {
        match self {
            Role::Demand => &[],
            _ => &UNCERTAINTY_COLUMNS,
        }
    }
}

/// A file's name (for errors) and contents.
struct Named<'a> {
    name: String,
    bytes: &'a [u8],
}

/// Reads the three files of a zip (at its root or in one folder; names
/// case-insensitive: `technosphere.csv` or `A.csv`, `biosphere.csv` or
/// `B.csv`, `characterisation.csv`, `cf.csv` or `C.csv`; optionally
/// `demand.csv`). `file_name` is the upload's name, used in the processes'
/// origins and archive-level errors. Either the model or every problem
/// found; never panics, whatever the bytes.
pub fn read_triplets_zip(
    file_name: &str,
    bytes: &[u8],
    opts: &TripletOptions,
) -> Result<TripletImport, Vec<TripletError>> {
    let run = || {
        let mut archive = ZipArchive::new(Cursor::new(bytes)).map_err(|e| {
            vec![file_error(
                file_name,
                Msg::new("import-triplets-zip").arg("detail", e),
            )]
        })?;
        let entries = find_entries(file_name, &archive)?;
        let mut contents: Vec<Option<(String, Vec<u8>)>> = Vec::new();
        let mut errors = Vec::new();
        for entry in entries {
            match entry {
                None => contents.push(None),
                Some((index, name)) => match read_entry(&mut archive, index, &name) {
                    Ok(data) => contents.push(Some((name, data))),
                    Err(e) => errors.push(e),
                },
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let named = |i: usize| {
            contents[i].as_ref().map(|(name, data)| Named {
                name: name.clone(),
                bytes: data,
            })
        };
        let (Some(tech), Some(bio), Some(cf)) = (named(0), named(1), named(2)) else {
            unreachable!("find_entries reports missing files");
        };
        import(
            Origin {
                archive: Some(file_name),
            },
            [tech, bio, cf],
            named(3),
            opts,
        )
    };
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(run)).unwrap_or_else(|_| {
        Err(vec![file_error(
            file_name,
            Msg::new("import-triplets-zip").arg("detail", "malformed archive"),
        )])
    })
}

/// Reads three separate files (technosphere, biosphere, characterisation).
/// Errors name them `technosphere.csv`, `biosphere.csv` and
/// `characterisation.csv`; the processes' origins are
/// `technosphere.csv:<process id>`.
pub fn read_triplets(
    tech: &[u8],
    bio: &[u8],
    cf: &[u8],
    opts: &TripletOptions,
) -> Result<TripletImport, Vec<TripletError>> {
    let named = |name: &str, bytes| Named {
        name: name.to_string(),
        bytes,
    };
    import(
        Origin { archive: None },
        [
            named(TECHNOSPHERE_FILE, tech),
            named(BIOSPHERE_FILE, bio),
            named(CHARACTERISATION_FILE, cf),
        ],
        None,
        opts,
    )
}

/// The entry (index, name) of each role in [`Role::ALL`] order; the three
/// required ones are present when this succeeds.
type Entries = Vec<Option<(usize, String)>>;

fn find_entries<R: Read + std::io::Seek>(
    archive_name: &str,
    archive: &ZipArchive<R>,
) -> Result<Entries, Vec<TripletError>> {
    let mut found: Vec<Vec<(usize, String)>> = vec![Vec::new(); Role::ALL.len()];
    for (index, name) in archive.file_names().enumerate() {
        let Ok(name) = name else { continue };
        let path = name.replace('\\', "/");
        if path.ends_with('/') || path.starts_with("__MACOSX/") {
            continue;
        }
        let parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty()).collect();
        let Some(base) = parts.last() else { continue };
        if parts.len() > 2 || base.starts_with("._") {
            continue;
        }
        let base = base.to_lowercase();
        for (i, role) in Role::ALL.iter().enumerate() {
            if role.names().contains(&base.as_str()) {
                found[i].push((index, name.to_string()));
            }
        }
    }
    let mut errors = Vec::new();
    let mut out = Vec::new();
    for (role, mut candidates) in Role::ALL.into_iter().zip(found) {
        let names = role.names();
        match candidates.len() {
            0 if role != Role::Demand => errors.push(file_error(
                archive_name,
                Msg::new("import-triplets-missing-file")
                    .arg("file", names[0])
                    .arg("aliases", names[1..].join(", ")),
            )),
            0 => out.push(None),
            1 => out.push(candidates.pop()),
            _ => errors.push(file_error(
                archive_name,
                Msg::new("import-triplets-ambiguous-file")
                    .arg("file", names[0])
                    .arg(
                        "entries",
                        candidates
                            .iter()
                            .map(|(_, n)| n.as_str())
                            .collect::<Vec<_>>()
                            .join(", "),
                    ),
            )),
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

fn read_entry<R: Read + std::io::Seek>(
    archive: &mut ZipArchive<R>,
    index: usize,
    name: &str,
) -> Result<Vec<u8>, TripletError> {
    let unreadable = |detail: String| {
        file_error(
            name,
            Msg::new("import-triplets-unreadable").arg("detail", detail),
        )
    };
    let limit = MAX_ENTRY_MB * 1024 * 1024;
    let mut data = Vec::new();
    archive
        .by_index(index)
        .map_err(|e| unreadable(e.to_string()))?
        .take(limit + 1)
        .read_to_end(&mut data)
        .map_err(|e| unreadable(e.to_string()))?;
    if data.len() as u64 > limit {
        return Err(file_error(
            name,
            Msg::new("import-triplets-too-large").arg("limit", MAX_ENTRY_MB),
        ));
    }
    Ok(data)
}

// ---------------------------------------------------------------------------
// Tables

/// A CSV file: its name, header columns (lower case) and non-blank rows.
struct Table {
    file: String,
    header_line: usize,
    columns: HashMap<String, usize>,
    /// The header as written, by position.
    header: Vec<String>,
    rows: Vec<(usize, Vec<String>)>,
}

fn read_table(f: &Named, role: Role) -> Result<Table, Vec<TripletError>> {
    let at = |row: usize, column: Option<String>, msg: Msg| TripletError {
        file: f.name.clone(),
        row: Some(row),
        column,
        msg,
    };
    let rows = crate::csv_table(f.bytes).map_err(|e| vec![at(e.row, e.column, e.msg)])?;
    let mut rows = rows
        .into_iter()
        .map(|(line, cells)| {
            let cells: Vec<String> = cells
                .iter()
                .map(|c| match c {
                    crate::Cell::Text(s) => s.trim().to_string(),
                    _ => String::new(),
                })
                .collect();
            (line, cells)
        })
        .filter(|(_, cells)| cells.iter().any(|c| !c.is_empty()));
    let required = role.required();
    let Some((header_line, header)) = rows.next() else {
        return Err(vec![at(
            1,
            None,
            Msg::new("import-triplets-empty").arg("header", required.join(",")),
        )]);
    };
    let mut errors = Vec::new();
    let mut columns = HashMap::new();
    for (i, h) in header.iter().enumerate() {
        let name = h.trim_start_matches('\u{FEFF}').trim().to_lowercase();
        if !required.contains(&name.as_str()) && !role.optional().contains(&name.as_str()) {
            let expected = if role.optional().is_empty() {
                required.join(",")
            } else {
                format!("{}[,{}]", required.join(","), role.optional().join(","))
            };
            errors.push(at(
                header_line,
                Some(h.clone()),
                Msg::new("import-triplets-unknown-column")
                    .arg("column", h)
                    .arg("expected", expected),
            ));
        } else if columns.insert(name, i).is_some() {
            errors.push(at(
                header_line,
                Some(h.clone()),
                Msg::new("import-triplets-duplicate-column").arg("column", h),
            ));
        }
    }
    for r in required {
        if !columns.contains_key(*r) {
            errors.push(at(
                header_line,
                Some(r.to_string()),
                Msg::new("import-triplets-missing-column").arg("column", r),
            ));
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(Table {
        file: f.name.clone(),
        header_line,
        columns,
        header,
        rows: rows.collect(),
    })
}

/// One row of a table.
struct Line<'t> {
    table: &'t Table,
    line: usize,
    cells: &'t [String],
}

impl Table {
    fn lines(&self) -> impl Iterator<Item = Line<'_>> {
        self.rows.iter().map(|(line, cells)| Line {
            table: self,
            line: *line,
            cells,
        })
    }
}

impl Line<'_> {
    /// The header of a column as written (the name when absent).
    fn header(&self, column: &str) -> String {
        self.table.column_header(column)
    }

    fn err(&self, column: &str, msg: Msg) -> TripletError {
        TripletError {
            file: self.table.file.clone(),
            row: Some(self.line),
            column: Some(self.header(column)),
            msg,
        }
    }

    fn check_width(&self) -> Result<(), TripletError> {
        let n = self.table.header.len();
        if self.cells.len() == n {
            return Ok(());
        }
        let column = &self.table.header[self.cells.len().min(n - 1)];
        Err(TripletError {
            file: self.table.file.clone(),
            row: Some(self.line),
            column: Some(column.clone()),
            msg: Msg::new("import-triplets-width")
                .arg("fields", self.cells.len())
                .arg("columns", n),
        })
    }

    /// A cell's text, empty when the column is absent.
    fn text(&self, column: &str) -> &str {
        self.table
            .columns
            .get(column)
            .and_then(|&i| self.cells.get(i))
            .map_or("", String::as_str)
    }

    fn id(&self, column: &str) -> Result<String, TripletError> {
        let v = self.text(column);
        if v.is_empty() {
            return Err(self.err(column, Msg::new("import-triplets-id-empty")));
        }
        Ok(v.to_string())
    }

    fn number(&self, column: &str) -> Result<Decimal, TripletError> {
        self.optional_number(column)?
            .ok_or_else(|| self.err(column, Msg::new("import-triplets-number-empty")))
    }

    fn optional_number(&self, column: &str) -> Result<Option<Decimal>, TripletError> {
        let v = self.text(column);
        if v.is_empty() {
            return Ok(None);
        }
        parse_number(v)
            .map(Some)
            .map_err(|msg| self.err(column, msg))
    }

    /// The uncertainty columns of an entry of `amount` (signed, as in the
    /// file), checked to be centred on it.
    fn uncertainty(&self, amount: Decimal) -> Result<Option<UncertaintySpec>, TripletError> {
        let name = self.text("distribution").to_lowercase();
        let loc = self.optional_number("loc")?;
        let scale = self.optional_number("scale")?;
        let min = self.optional_number("min")?;
        let max = self.optional_number("max")?;
        if name.is_empty() || name == "none" {
            return Ok(None);
        }
        if !DISTRIBUTIONS.contains(&name.as_str()) {
            return Err(self.err(
                "distribution",
                Msg::new("import-triplets-distribution").arg("value", self.text("distribution")),
            ));
        }
        if amount.is_zero() {
            return Err(self.err("amount", Msg::new("import-triplets-zero-uncertainty")));
        }
        let need = |column: &str, v: Option<Decimal>| {
            v.ok_or_else(|| {
                self.err(
                    column,
                    Msg::new("import-triplets-parameter-missing").arg("distribution", &name),
                )
            })
        };
        let positive = |v: Decimal| {
            if v > Decimal::ZERO {
                Ok(v)
            } else {
                Err(self.err("scale", Msg::new("import-triplets-scale").arg("value", v)))
            }
        };
        let uncentred = |column: &str, value: String, expected: String| {
            self.err(
                column,
                Msg::new("import-triplets-uncentred")
                    .arg("distribution", &name)
                    .arg("column", self.header(column))
                    .arg("value", value)
                    .arg("expected", expected)
                    .arg("amount", amount),
            )
        };
        let centred_loc = || match loc {
            Some(l) if !close(l, amount) => {
                Err(uncentred("loc", l.to_string(), amount.to_string()))
            }
            _ => Ok(()),
        };
        let bounds = || {
            let (lo, hi) = (need("min", min)?, need("max", max)?);
            let column = if lo > amount { "min" } else { "max" };
            if lo <= amount && amount <= hi && lo < hi {
                Ok((lo, hi))
            } else {
                Err(self.err(
                    column,
                    Msg::new("import-triplets-bounds")
                        .arg("distribution", &name)
                        .arg("min", lo)
                        .arg("amount", amount)
                        .arg("max", hi),
                ))
            }
        };
        let spec = |scale, (min, max)| UncertaintySpec {
            distribution: name.clone(),
            scale,
            min,
            max,
        };
        let u = match name.as_str() {
            "lognormal" => {
                let s = positive(need("scale", scale)?)?;
                if let Some(l) = loc {
                    let expected = amount.to_f64().unwrap_or(f64::NAN).abs().ln();
                    let got = l.to_f64().unwrap_or(f64::NAN);
                    // NaN (an amount f64 cannot hold) is not within.
                    let within = (got - expected).abs() <= 1e-9 * expected.abs().max(1.0);
                    if !within {
                        return Err(uncentred("loc", l.to_string(), format!("{expected}")));
                    }
                }
                spec(Some(s), (None, None))
            }
            "normal" => {
                let s = positive(need("scale", scale)?)?;
                centred_loc()?;
                spec(Some(s), (None, None))
            }
            "triangular" => {
                centred_loc()?;
                let (lo, hi) = bounds()?;
                spec(None, (Some(lo), Some(hi)))
            }
            _ => {
                let (lo, hi) = bounds()?;
                spec(None, (Some(lo), Some(hi)))
            }
        };
        Ok(Some(u))
    }
}

/// Equal, or within 10⁻⁹ of `b` relative.
fn close(a: Decimal, b: Decimal) -> bool {
    a == b
        || a.checked_sub(b)
            .is_some_and(|d| d.abs() <= b.abs() * Decimal::new(1, 9))
}

/// The sum of the amounts, `None` beyond what a decimal holds.
fn total<'r>(amounts: impl IntoIterator<Item = &'r Decimal>) -> Option<Decimal> {
    amounts
        .into_iter()
        .try_fold(Decimal::ZERO, |acc, x| acc.checked_add(*x))
}

/// A number as an exact decimal (plain or scientific notation).
fn parse_number(text: &str) -> Result<Decimal, Msg> {
    let not_a_number = || Msg::new("import-triplets-number").arg("value", text);
    let range = || Msg::new("import-triplets-number-range").arg("value", text);
    let x: f64 = text.parse().map_err(|_| not_a_number())?;
    if !x.is_finite() {
        return Err(not_a_number());
    }
    let d = if text.contains(['e', 'E']) {
        Decimal::from_scientific(text).or_else(|_| Decimal::from_scientific_lossy(text))
    } else {
        Decimal::from_str(text)
    }
    .map_err(|_| range())?;
    if x != 0.0 {
        let back = d.to_f64().ok_or_else(range)?;
        if back == 0.0 || ((back - x) / x).abs() > 1e-9 {
            return Err(range());
        }
    }
    Ok(d.normalize())
}

// ---------------------------------------------------------------------------
// Rows

struct TechRow {
    line: usize,
    product: String,
    process: String,
    amount: Decimal,
    uncertainty: Option<UncertaintySpec>,
}

struct BioRow {
    line: usize,
    flow: String,
    process: String,
    amount: Decimal,
    uncertainty: Option<UncertaintySpec>,
}

/// A characterisation factor: the sum of the file's rows for the flow, and
/// the line of the first.
struct Factor {
    line: usize,
    factor: Decimal,
}

fn tech_rows(t: &Table, errors: &mut Vec<TripletError>) -> Vec<TechRow> {
    let mut out = Vec::new();
    for l in t.lines() {
        let row = (|| {
            l.check_width()?;
            let product = l.id("product")?;
            let process = l.id("process")?;
            let amount = l.number("amount")?;
            let uncertainty = l.uncertainty(amount)?;
            Ok(TechRow {
                line: l.line,
                product,
                process,
                amount,
                uncertainty,
            })
        })();
        match row {
            Ok(r) => out.push(r),
            Err(e) => errors.push(e),
        }
    }
    out
}

fn bio_rows(t: &Table, errors: &mut Vec<TripletError>) -> Vec<BioRow> {
    let mut out = Vec::new();
    for l in t.lines() {
        let row = (|| {
            l.check_width()?;
            let flow = l.id("flow")?;
            let process = l.id("process")?;
            let amount = l.number("amount")?;
            let uncertainty = l.uncertainty(amount)?;
            Ok(BioRow {
                line: l.line,
                flow,
                process,
                amount,
                uncertainty,
            })
        })();
        match row {
            Ok(r) => out.push(r),
            Err(e) => errors.push(e),
        }
    }
    out
}

fn cf_rows(t: &Table, errors: &mut Vec<TripletError>) -> HashMap<String, Factor> {
    let mut out: HashMap<String, Factor> = HashMap::new();
    for l in t.lines() {
        let row = (|| {
            l.check_width()?;
            let flow = l.id("flow")?;
            let factor = l.number("factor")?;
            if l.uncertainty(factor)?.is_some() {
                return Err(l.err(
                    "distribution",
                    Msg::new("import-triplets-factor-uncertainty").arg("flow", &flow),
                ));
            }
            Ok((flow, factor))
        })();
        match row {
            Ok((flow, factor)) => match out.get_mut(&flow) {
                // Duplicates are summed, as in the engine.
                Some(f) => match f.factor.checked_add(factor) {
                    Some(sum) => f.factor = sum,
                    None => errors.push(l.err("factor", Msg::new("import-triplets-overflow"))),
                },
                None => {
                    out.insert(
                        flow,
                        Factor {
                            line: l.line,
                            factor,
                        },
                    );
                }
            },
            Err(e) => errors.push(e),
        }
    }
    out
}

/// The one row of a demand file: (line, product, amount).
fn demand_row(t: &Table, errors: &mut Vec<TripletError>) -> Option<(usize, String, Decimal)> {
    let mut out = None;
    for (i, l) in t.lines().enumerate() {
        let row = (|| {
            l.check_width()?;
            if i > 0 {
                return Err(l.err("product", Msg::new("import-triplets-demand-several")));
            }
            Ok((l.line, l.id("product")?, l.number("amount")?))
        })();
        match row {
            Ok(r) => out = Some(r),
            Err(e) => errors.push(e),
        }
    }
    out
}

// ---------------------------------------------------------------------------
// The model

/// Entries of one (row, process) cell, in file order.
struct Cell<'r, R> {
    key: (&'r str, &'r str),
    rows: Vec<&'r R>,
}

/// Groups rows by (row id, process), in order of first appearance.
fn cells<'r, R>(rows: &'r [R], key: impl Fn(&'r R) -> (&'r str, &'r str)) -> Vec<Cell<'r, R>> {
    let mut index: HashMap<(&str, &str), usize> = HashMap::new();
    let mut out: Vec<Cell<R>> = Vec::new();
    for r in rows {
        let k = key(r);
        match index.get(&k) {
            Some(&i) => out[i].rows.push(r),
            None => {
                index.insert(k, out.len());
                out.push(Cell {
                    key: k,
                    rows: vec![r],
                });
            }
        }
    }
    out
}

/// The spec of an input as the model stores it (positive magnitude): the
/// file's spec on the negative amount, bounds flipped.
fn flipped(u: &UncertaintySpec) -> UncertaintySpec {
    UncertaintySpec {
        distribution: u.distribution.clone(),
        scale: u.scale,
        min: u.max.map(|v| -v),
        max: u.min.map(|v| -v),
    }
}

/// Where the files come from: the archive (for origins, sources and
/// errors about the whole), or `None` for separate files.
struct Origin<'a> {
    archive: Option<&'a str>,
}

impl Origin<'_> {
    /// The name errors about the archive or the options carry, and the
    /// prefix of process origins.
    fn name(&self) -> &str {
        self.archive.unwrap_or(TECHNOSPHERE_FILE)
    }

    fn factor_source(&self, cf_file: &str) -> String {
        match self.archive {
            Some(a) => format!("{a}:{cf_file}"),
            None => cf_file.to_string(),
        }
    }
}

/// The parsed files.
struct Parsed {
    /// Technosphere, biosphere, characterisation and (optionally) demand.
    tables: Vec<Table>,
    tech: Vec<TechRow>,
    bio: Vec<BioRow>,
    factors: HashMap<String, Factor>,
    demand: Option<(usize, String, Decimal)>,
}

impl Parsed {
    /// An error at a row of table `t`, its column named as in the header.
    fn at(&self, t: usize, line: usize, column: &str, msg: Msg) -> TripletError {
        TripletError {
            file: self.tables[t].file.clone(),
            row: Some(line),
            column: Some(self.tables[t].column_header(column)),
            msg,
        }
    }
}

/// Indices of the tables in [`Parsed::tables`].
const T_TECH: usize = 0;
const T_BIO: usize = 1;
const T_CF: usize = 2;
const T_DEMAND: usize = 3;

fn parse(files: [Named; 3], demand: Option<Named>) -> Result<Parsed, Vec<TripletError>> {
    let mut errors = Vec::new();
    let mut tables = Vec::new();
    let roles = [Role::Technosphere, Role::Biosphere, Role::Characterisation];
    let named = files
        .iter()
        .zip(roles)
        .chain(demand.as_ref().map(|d| (d, Role::Demand)));
    for (f, role) in named {
        match read_table(f, role) {
            Ok(t) => tables.push(t),
            Err(e) => errors.extend(e),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let tech = tech_rows(&tables[T_TECH], &mut errors);
    let bio = bio_rows(&tables[T_BIO], &mut errors);
    let factors = cf_rows(&tables[T_CF], &mut errors);
    let demand = tables
        .get(T_DEMAND)
        .and_then(|t| demand_row(t, &mut errors));
    if tech.is_empty() && errors.is_empty() {
        let t = &tables[T_TECH];
        errors.push(TripletError {
            file: t.file.clone(),
            row: Some(t.header_line),
            column: None,
            msg: Msg::new("import-triplets-no-entries"),
        });
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(Parsed {
        tables,
        tech,
        bio,
        factors,
        demand,
    })
}

/// The processes as the technosphere describes them.
struct Processes<'p> {
    /// Process ids in order of first appearance, with that line.
    ids: Vec<(&'p str, usize)>,
    index: HashMap<&'p str, usize>,
    /// Per process: its product and output.
    outputs: Vec<Option<(&'p str, Decimal)>>,
    /// Per process: its inputs with the line they come from.
    inputs: Vec<Vec<(usize, InputModel)>>,
    /// Products some process makes.
    produced: BTreeSet<&'p str>,
}

fn sum(rows: &[&TechRow]) -> Option<Decimal> {
    total(rows.iter().map(|r| &r.amount))
}

fn processes<'p>(p: &'p Parsed, errors: &mut Vec<TripletError>) -> Processes<'p> {
    let at = |line: usize, column: &str, msg: Msg| p.at(T_TECH, line, column, msg);
    let mut ids: Vec<(&str, usize)> = Vec::new();
    let mut index: HashMap<&str, usize> = HashMap::new();
    for r in &p.tech {
        if !index.contains_key(r.process.as_str()) {
            index.insert(&r.process, ids.len());
            ids.push((&r.process, r.line));
        }
    }
    let cells = cells(&p.tech, |r| (r.product.as_str(), r.process.as_str()));
    // Per process: the cells whose sum is positive (what it produces).
    // A cell beyond a decimal's range is reported below.
    let mut production: Vec<Vec<&Cell<TechRow>>> = vec![Vec::new(); ids.len()];
    let mut overflow = vec![false; ids.len()];
    for c in &cells {
        let pi = index[c.key.1];
        match sum(&c.rows) {
            Some(s) if s > Decimal::ZERO => production[pi].push(c),
            Some(_) => {}
            None => overflow[pi] = true,
        }
    }
    // Product → its producers (process, line of the production entry), and
    // the products in order of first appearance.
    let mut producers: HashMap<&str, Vec<(&str, usize)>> = HashMap::new();
    let mut products: Vec<&str> = Vec::new();
    for (pi, (&(process, first_line), made)) in ids.iter().zip(&production).enumerate() {
        if made.is_empty() && !overflow[pi] {
            errors.push(at(
                first_line,
                "process",
                Msg::new("import-triplets-produces-nothing").arg("process", process),
            ));
        }
        if let [_, second, ..] = made.as_slice() {
            let names: Vec<&str> = made.iter().map(|c| c.key.0).collect();
            errors.push(at(
                second.rows[0].line,
                "product",
                Msg::new("import-triplets-co-products")
                    .arg("process", process)
                    .arg("products", names.join(", ")),
            ));
        }
        for c in made {
            let list = producers.entry(c.key.0).or_default();
            if list.is_empty() {
                products.push(c.key.0);
            }
            list.push((process, c.rows[0].line));
        }
    }
    for product in &products {
        let list = &producers[product];
        if let [_, second, ..] = list.as_slice() {
            let names: Vec<&str> = list.iter().map(|(process, _)| *process).collect();
            errors.push(at(
                second.1,
                "process",
                Msg::new("import-triplets-two-producers")
                    .arg("product", product)
                    .arg("processes", names.join(", ")),
            ));
        }
    }
    let produced: BTreeSet<&str> = products.into_iter().collect();

    let mut outputs: Vec<Option<(&str, Decimal)>> = vec![None; ids.len()];
    let mut inputs: Vec<Vec<(usize, InputModel)>> = vec![Vec::new(); ids.len()];
    for c in &cells {
        let (product, process) = c.key;
        let pi = index[process];
        let certain: Vec<&TechRow> = c
            .rows
            .iter()
            .copied()
            .filter(|r| r.uncertainty.is_none())
            .collect();
        let (Some(certain_sum), Some(cell_sum)) = (sum(&certain), sum(&c.rows)) else {
            errors.push(at(
                c.rows[0].line,
                "amount",
                Msg::new("import-triplets-overflow"),
            ));
            continue;
        };
        let produces = cell_sum > Decimal::ZERO;
        if produces {
            // The uncertain entries are negative (else an error below), so
            // the certain ones sum to more than the whole: the output.
            outputs[pi] = Some((product, certain_sum));
        } else if !produced.contains(product) {
            errors.push(at(
                c.rows[0].line,
                "product",
                Msg::new("import-triplets-no-producer").arg("product", product),
            ));
            continue;
        } else if certain_sum > Decimal::ZERO {
            errors.push(at(
                certain[0].line,
                "amount",
                Msg::new("import-triplets-mixed-signs")
                    .arg("row", product)
                    .arg("process", process),
            ));
        } else if certain_sum < Decimal::ZERO {
            let input = InputModel {
                product: product.to_string(),
                amount: -certain_sum,
                uncertainty: None,
            };
            inputs[pi].push((certain[0].line, input));
        }
        for r in &c.rows {
            let Some(u) = &r.uncertainty else { continue };
            if r.amount > Decimal::ZERO {
                errors.push(if produces {
                    at(
                        r.line,
                        "distribution",
                        Msg::new("import-triplets-output-uncertainty")
                            .arg("product", product)
                            .arg("process", process),
                    )
                } else {
                    at(
                        r.line,
                        "amount",
                        Msg::new("import-triplets-mixed-signs")
                            .arg("row", product)
                            .arg("process", process),
                    )
                });
                continue;
            }
            // Kept on its own (the engine draws it on its own); in the
            // production cell, an input of the process's own product.
            let input = InputModel {
                product: product.to_string(),
                amount: -r.amount,
                uncertainty: Some(flipped(u)),
            };
            inputs[pi].push((r.line, input));
        }
    }
    Processes {
        ids,
        index,
        outputs,
        inputs,
        produced,
    }
}

/// The emissions of the processes, the flows they need and the flow ids
/// left out for want of a factor.
struct Emissions {
    by_process: Vec<Vec<(usize, EmissionModel)>>,
    flows: Vec<FlowModel>,
    skipped: BTreeSet<String>,
}

fn emissions(
    p: &Parsed,
    procs: &Processes,
    origin: &Origin,
    errors: &mut Vec<TripletError>,
) -> Emissions {
    let mut out = Emissions {
        by_process: vec![Vec::new(); procs.ids.len()],
        flows: Vec::new(),
        skipped: BTreeSet::new(),
    };
    let mut known = Vec::new();
    for r in &p.bio {
        if procs.index.contains_key(r.process.as_str()) {
            known.push(r);
        } else {
            errors.push(p.at(
                T_BIO,
                r.line,
                "process",
                Msg::new("import-triplets-unknown-process").arg("process", &r.process),
            ));
        }
    }
    // Flow → (factor, the row id it came with); row ids already checked.
    let mut flow_factor: HashMap<&str, (Decimal, &str)> = HashMap::new();
    let mut checked: BTreeSet<&str> = BTreeSet::new();
    for c in cells(&known, |r| (r.flow.as_str(), r.process.as_str())) {
        let (id, process) = c.key;
        let Some(factor) = p.factors.get(id) else {
            out.skipped.insert(id.to_string());
            continue;
        };
        let (flow, kind) = match split_flow_row(id) {
            Some((flow, kind)) => (flow, Some(kind)),
            None => (id, None),
        };
        if flow.trim().is_empty() || flow.contains('|') {
            errors.push(p.at(
                T_BIO,
                c.rows[0].line,
                "flow",
                Msg::new("import-triplets-flow-id").arg("flow", id),
            ));
            continue;
        }
        // The flow and its factor, once per row id.
        if checked.insert(id) {
            let cf_error = |msg: Msg| p.at(T_CF, factor.line, "factor", msg);
            if flow == CO2E {
                if factor.factor != Decimal::ONE {
                    errors.push(cf_error(
                        Msg::new("import-triplets-co2e-factor").arg("value", factor.factor),
                    ));
                }
            } else {
                match flow_factor.get(flow) {
                    Some((f, other)) if *f != factor.factor => errors.push(cf_error(
                        Msg::new("import-triplets-factor-conflict")
                            .arg("flow", flow)
                            .arg("factor", factor.factor)
                            .arg("other", f)
                            .arg("row_id", other),
                    )),
                    Some(_) => {}
                    None => {
                        flow_factor.insert(flow, (factor.factor, id));
                        out.flows.push(FlowModel {
                            id: flow.to_string(),
                            name: flow.to_string(),
                            factor: factor.factor,
                            source: origin.factor_source(&p.tables[T_CF].file),
                        });
                    }
                }
            }
        }
        let certain: Vec<&BioRow> = c
            .rows
            .iter()
            .map(|r| **r)
            .filter(|r| r.uncertainty.is_none())
            .collect();
        let Some(certain_sum) = total(certain.iter().map(|r| &r.amount)) else {
            errors.push(p.at(
                T_BIO,
                certain[0].line,
                "amount",
                Msg::new("import-triplets-overflow"),
            ));
            continue;
        };
        let pi = procs.index[process];
        let mut emit = |line: usize, amount: Decimal, uncertainty: Option<UncertaintySpec>| {
            let by_sign = if amount < Decimal::ZERO {
                EmissionKind::Uptake
            } else {
                EmissionKind::Fossil
            };
            let kind = kind.unwrap_or(by_sign);
            if (kind == EmissionKind::Uptake) != (amount < Decimal::ZERO) {
                errors.push(
                    p.at(
                        T_BIO,
                        line,
                        "amount",
                        Msg::new("import-triplets-kind-sign")
                            .arg("kind", kind.as_str())
                            .arg("amount", amount),
                    ),
                );
                return;
            }
            let emission = EmissionModel {
                flow: flow.to_string(),
                amount,
                kind,
                uncertainty,
            };
            out.by_process[pi].push((line, emission));
        };
        if !certain_sum.is_zero() {
            emit(certain[0].line, certain_sum, None);
        }
        for r in &c.rows {
            if r.uncertainty.is_some() {
                emit(r.line, r.amount, r.uncertainty.clone());
            }
        }
    }
    out
}

/// The functional unit: product, amount, GWP set and name.
fn functional_unit(
    p: &Parsed,
    procs: &Processes,
    origin: &Origin,
    opts: &TripletOptions,
    errors: &mut Vec<TripletError>,
) -> (String, Decimal, String, String) {
    let option = |name: &str, msg: Msg| option_error(origin.name(), name, msg);
    let wanted = opts
        .demand_product
        .as_deref()
        .map(str::trim)
        .filter(|p| !p.is_empty());
    let reference = match (wanted, &p.demand) {
        (Some(product), _) => {
            if !procs.produced.contains(product) {
                errors.push(option(
                    "demand_product",
                    Msg::new("import-triplets-demand-unknown").arg("product", product),
                ));
            }
            product.to_string()
        }
        (None, Some((line, product, _))) => {
            if !procs.produced.contains(product.as_str()) {
                errors.push(p.at(
                    T_DEMAND,
                    *line,
                    "product",
                    Msg::new("import-triplets-demand-unknown").arg("product", product),
                ));
            }
            product.clone()
        }
        (None, None) => {
            // Products no other process consumes.
            let consumed: BTreeSet<&str> = procs
                .outputs
                .iter()
                .zip(&procs.inputs)
                .flat_map(|(out, ins)| {
                    let own = out.map(|(product, _)| product);
                    ins.iter()
                        .map(|(_, x)| x.product.as_str())
                        .filter(move |x| Some(*x) != own)
                })
                .collect();
            let roots: Vec<&str> = procs
                .outputs
                .iter()
                .flatten()
                .map(|(product, _)| *product)
                .filter(|product| !consumed.contains(product))
                .collect();
            match roots.as_slice() {
                [one] => one.to_string(),
                [] => {
                    errors.push(option(
                        "demand_product",
                        Msg::new("import-triplets-demand-none"),
                    ));
                    String::new()
                }
                several => {
                    errors.push(option(
                        "demand_product",
                        Msg::new("import-triplets-demand-choose")
                            .arg("candidates", short_list(several)),
                    ));
                    String::new()
                }
            }
        }
    };
    let amount = match (opts.amount, &p.demand) {
        (Some(a), _) => {
            if a <= Decimal::ZERO {
                errors.push(option("amount", Msg::new("import-triplets-amount")));
            }
            a
        }
        (None, Some((line, _, a))) => {
            if *a <= Decimal::ZERO {
                errors.push(p.at(
                    T_DEMAND,
                    *line,
                    "amount",
                    Msg::new("import-triplets-amount"),
                ));
            }
            *a
        }
        (None, None) => Decimal::ONE,
    };
    let gwp_set = opts.gwp_set.trim().to_string();
    if !GWP_SETS.contains(&gwp_set.as_str()) {
        errors.push(option(
            "gwp_set",
            Msg::new("import-triplets-gwp-set").arg("value", &gwp_set),
        ));
    }
    let name = match opts.name.as_deref().map(str::trim) {
        Some(n) => n.to_string(),
        None => reference.clone(),
    };
    if name.is_empty() && !reference.is_empty() {
        errors.push(option("name", Msg::new("import-triplets-name")));
    }
    (reference, amount, gwp_set, name)
}

fn import(
    origin: Origin,
    files: [Named; 3],
    demand: Option<Named>,
    opts: &TripletOptions,
) -> Result<TripletImport, Vec<TripletError>> {
    let parsed = parse(files, demand)?;
    let mut errors = Vec::new();
    let mut procs = processes(&parsed, &mut errors);
    let mut ems = emissions(&parsed, &procs, &origin, &mut errors);
    if !errors.is_empty() {
        return Err(errors);
    }
    let (reference, amount, gwp_set, name) =
        functional_unit(&parsed, &procs, &origin, opts, &mut errors);
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut processes = Vec::with_capacity(procs.ids.len());
    for (pi, (id, _)) in procs.ids.iter().enumerate() {
        let Some((product, output)) = procs.outputs[pi] else {
            unreachable!("a process without output is an error above");
        };
        let mut inputs = std::mem::take(&mut procs.inputs[pi]);
        inputs.sort_by_key(|(line, _)| *line);
        let mut emissions = std::mem::take(&mut ems.by_process[pi]);
        emissions.sort_by_key(|(line, _)| *line);
        processes.push(ProcessModel {
            id: id.to_string(),
            name: id.to_string(),
            product: product.to_string(),
            unit: "unit".into(),
            output,
            source: ProcessSource::Imported {
                origin: format!("{}:{id}", origin.name()),
            },
            inputs: inputs.into_iter().map(|(_, x)| x).collect(),
            emissions: emissions.into_iter().map(|(_, x)| x).collect(),
        });
    }
    let model = ProductSystemModel {
        name,
        reference_product: reference,
        amount,
        gwp_set,
        processes,
        flows: ems.flows,
    };
    // Everything above is checked against the files' rows; this is the
    // domain's own word on the result (every flow is the model's own).
    if let Err(e) = model.matrices(|_| None) {
        return Err(e
            .into_iter()
            .map(|fe| option_error(origin.name(), &fe.field, fe.msg))
            .collect());
    }
    Ok(TripletImport {
        model,
        skipped_flows: ems.skipped.into_iter().collect(),
    })
}

impl Table {
    fn column_header(&self, column: &str) -> String {
        self.columns
            .get(column)
            .and_then(|&i| self.header.get(i))
            .cloned()
            .unwrap_or_else(|| column.to_string())
    }
}

/// The first ten items, comma-separated.
fn short_list(items: &[&str]) -> String {
    let shown = items
        .iter()
        .take(10)
        .copied()
        .collect::<Vec<_>>()
        .join(", ");
    if items.len() > 10 {
        format!("{shown}, …")
    } else {
        shown
    }
}

// ---------------------------------------------------------------------------
// Writing

/// The files of [`write_triplets_zip`], by name: `technosphere.csv`,
/// `biosphere.csv`, `characterisation.csv`, `demand.csv`.
pub fn write_triplets(m: &Matrices) -> Vec<(&'static str, Vec<u8>)> {
    let mut head = vec!["product", "process", "amount"];
    head.extend(UNCERTAINTY_COLUMNS);
    let tech = write_csv(&head, m.technosphere.iter().map(entry_record));
    head[0] = "flow";
    let bio = write_csv(&head, m.biosphere.iter().map(entry_record));
    let cf = write_csv(
        &["flow", "factor"],
        m.factors.iter().map(|(f, x)| vec![f.clone(), number(*x)]),
    );
    let demand = write_csv(
        &["product", "amount"],
        std::iter::once(vec![m.demand_product.clone(), number(m.demand_amount)]),
    );
    vec![
        (TECHNOSPHERE_FILE, tech),
        (BIOSPHERE_FILE, bio),
        (CHARACTERISATION_FILE, cf),
        (DEMAND_FILE, demand),
    ]
}

/// The matrices as a zip of the engine's CSV files (see the module
/// documentation): what `egret lca solve --technosphere technosphere.csv
/// --biosphere biosphere.csv --cf characterisation.csv --demand-file
/// demand.csv` reads, and what [`read_triplets_zip`] reads back.
pub fn write_triplets_zip(m: &Matrices) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default();
    for (name, data) in write_triplets(m) {
        zip.start_file(name, options)
            .expect("a zip entry can be started in memory");
        zip.write_all(&data).expect("writing to memory");
    }
    zip.finish()
        .expect("a zip can be finished in memory")
        .into_inner()
}

fn write_csv(header: &[&str], rows: impl Iterator<Item = Vec<String>>) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(header).expect("writing to memory");
    for r in rows {
        w.write_record(&r).expect("writing to memory");
    }
    w.into_inner().expect("writing to memory")
}

/// Exact decimal text (no exponent, no trailing zeros).
fn number(d: Decimal) -> String {
    d.normalize().to_string()
}

fn entry_record(e: &Entry) -> Vec<String> {
    let mut r = vec![e.row.clone(), e.col.clone(), number(e.amount)];
    r.extend(uncertainty_fields(e.amount, e.uncertainty.as_ref()));
    r
}

/// `distribution,loc,scale,min,max` in Brightway's conventions.
fn uncertainty_fields(amount: Decimal, u: Option<&UncertaintySpec>) -> [String; 5] {
    let Some(u) = u else {
        return Default::default();
    };
    let d = |v: Option<Decimal>| v.map(number).unwrap_or_default();
    let name = u.distribution.clone();
    match u.distribution.as_str() {
        "lognormal" => {
            let ln = amount
                .to_f64()
                .map(|a| a.abs().ln())
                .filter(|l| l.is_finite());
            [
                name,
                ln.map(|l| format!("{l}")).unwrap_or_default(),
                d(u.scale),
                String::new(),
                String::new(),
            ]
        }
        "normal" => [
            name,
            number(amount),
            d(u.scale),
            String::new(),
            String::new(),
        ],
        "triangular" => [name, number(amount), String::new(), d(u.min), d(u.max)],
        "uniform" => [name, String::new(), String::new(), d(u.min), d(u.max)],
        _ => [name, String::new(), d(u.scale), d(u.min), d(u.max)],
    }
}

#[cfg(test)]
mod tests;
