//! Import of organisation registers from CSV (UTF-8) and XLSX files.
//!
//! The first non-empty row is the header. Each column is recognised by its
//! English id (case-insensitive) or its Chinese label; a trailing unit in
//! brackets (`营业收入（元）`) is ignored. See `docs/import-format.md`.
//!
//! | id                      | 中文        | required | content                                   |
//! |-------------------------|-------------|----------|-------------------------------------------|
//! | `uscc`                  | 统一社会信用代码 | yes  | 18-character credit code                  |
//! | `name_zh`               | 中文名称    | yes      | registered Chinese name                   |
//! | `name_en`               | 英文名称    |          | English name                              |
//! | `industry_code`         | 行业代码    | yes      | GB/T 4754-2017 code, 2–4 digits           |
//! | `cluster`               | 产业集群    |          | cluster id or name                        |
//! | `ownership`             | 所有制      | yes      | ownership code or Chinese label           |
//! | `listings`              | 上市信息    |          | `sse:600153;hkex:02020` (or `600153.SH`)  |
//! | `indices`               | 指数        |          | `;`-separated index ids                   |
//! | `foreign_business`      | 涉外业务    |          | true/false, 是/否, 1/0, yes/no            |
//! | `financial_institution` | 金融机构    |          | as above                                  |
//! | `district`              | 区          | yes      | district code or name                     |
//! | `zones`                 | 试点区域    |          | `;`-separated zone ids or names           |
//! | `employees`             | 从业人员    |          | whole number                              |
//! | `revenue_cny`           | 营业收入    |          | yuan, at most 2 decimals                  |
//! | `total_assets_cny`      | 资产总额    |          | yuan, at most 2 decimals                  |
//! | `size_basis_year`       | 规模年度    |          | year of the size figures                  |
//!
//! Errors name the spreadsheet row (1-based, header included; for CSV the
//! line where the record starts) and the column header as written in the
//! file. File-level problems (encoding, unreadable workbook, header) are
//! reported on row 1.

pub mod activities;
pub mod annex;
pub mod archive;
pub mod datasheet;
pub mod olca;
pub mod table;
pub mod triplets;

use std::collections::HashMap;
use std::fmt;
use std::io::Cursor;
use std::str::FromStr;

use calamine::{Data, Reader, Xlsx};
use egret_domain::org::{Exchange, ListingInput, OrgInput, OrgProfile};
use egret_domain::refdata::ReferenceData;
use egret_domain::uscc::Uscc;
use egret_i18n::{Lang, Msg};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde::Serialize;

/// One column of the import format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Column {
    /// English id, equal to the [`OrgInput`] field name (except `indices`,
    /// which fills the listings' index lists).
    pub id: &'static str,
    /// Chinese header label.
    pub zh: &'static str,
    pub required: bool,
}

const fn col(id: &'static str, zh: &'static str, required: bool) -> Column {
    Column { id, zh, required }
}

/// The accepted columns, in the recommended order.
pub const COLUMNS: &[Column] = &[
    col("uscc", "统一社会信用代码", true),
    col("name_zh", "中文名称", true),
    col("name_en", "英文名称", false),
    col("industry_code", "行业代码", true),
    col("cluster", "产业集群", false),
    col("ownership", "所有制", true),
    col("listings", "上市信息", false),
    col("indices", "指数", false),
    col("foreign_business", "涉外业务", false),
    col("financial_institution", "金融机构", false),
    col("district", "区", true),
    col("zones", "试点区域", false),
    col("employees", "从业人员", false),
    col("revenue_cny", "营业收入", false),
    col("total_assets_cny", "资产总额", false),
    col("size_basis_year", "规模年度", false),
];

/// A row that validated.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ImportedRow {
    /// Spreadsheet row number, 1-based, header = row 1.
    pub row: usize,
    pub org: OrgProfile,
}

/// A problem in a row (or, on row 1, with the file or its header).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowError {
    /// Spreadsheet row number, 1-based, header = row 1.
    pub row: usize,
    /// The column header as written in the file (or the column id if the
    /// column is absent); `None` for problems not tied to a column.
    pub column: Option<String>,
    pub msg: Msg,
}

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.column {
            Some(c) => write!(f, "row {}, {c}: {}", self.row, self.msg.render(Lang::En)),
            None => write!(f, "row {}: {}", self.row, self.msg.render(Lang::En)),
        }
    }
}

impl std::error::Error for RowError {}

/// The result of reading a file: valid rows and every error found.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ImportOutcome {
    pub rows: Vec<ImportedRow>,
    pub errors: Vec<RowError>,
}

impl ImportOutcome {
    /// No errors at all (rows may still be empty for an empty file).
    pub fn is_clean(&self) -> bool {
        self.errors.is_empty()
    }

    fn file_error(column: Option<String>, msg: Msg) -> ImportOutcome {
        ImportOutcome {
            rows: Vec::new(),
            errors: vec![RowError {
                row: 1,
                column,
                msg,
            }],
        }
    }
}

/// Reads a UTF-8 CSV file (a byte-order mark is allowed).
pub fn read_orgs_csv(bytes: &[u8], rd: &ReferenceData) -> ImportOutcome {
    match csv_table(bytes) {
        Ok(rows) => process(rows, 0, rd),
        Err(e) => ImportOutcome {
            rows: Vec::new(),
            errors: vec![e],
        },
    }
}

/// The rows of a CSV file as cells, with their 1-based line numbers
/// (blank lines skipped); a file-level problem is one error.
pub(crate) fn csv_table(bytes: &[u8]) -> Result<Vec<Row>, RowError> {
    let file_error = |msg: Msg| RowError {
        row: 1,
        column: None,
        msg,
    };
    if bytes.starts_with(b"PK\x03\x04") {
        return Err(file_error(Msg::new("import-csv-is-xlsx")));
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Err(e) = std::str::from_utf8(bytes) {
        let line = bytes[..e.valid_up_to()]
            .iter()
            .filter(|b| **b == b'\n')
            .count()
            + 1;
        return Err(file_error(Msg::new("import-not-utf8").arg("line", line)));
    }
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut rows = Vec::new();
    // The reader skips blank lines and its positions point before them, so
    // line numbers are counted here: (byte offset, line number) so far.
    let (mut offset, mut line) = (0usize, 1usize);
    for record in reader.records() {
        match record {
            Ok(r) => {
                let mut start = r
                    .position()
                    .map_or(offset, |p| p.byte() as usize)
                    .max(offset);
                while bytes.get(start).is_some_and(|b| *b == b'\n' || *b == b'\r') {
                    start += 1;
                }
                let start = start.min(bytes.len());
                line += bytes[offset..start].iter().filter(|b| **b == b'\n').count();
                offset = start;
                rows.push((line, r.iter().map(|s| Cell::Text(s.to_string())).collect()));
            }
            Err(e) => {
                let line = e.position().map_or(1, |p| p.line() as usize);
                return Err(RowError {
                    row: line,
                    column: None,
                    msg: Msg::new("import-csv-syntax").arg("detail", e),
                });
            }
        }
    }
    Ok(rows)
}

/// Reads the first worksheet of an XLSX workbook.
pub fn read_orgs_xlsx(bytes: &[u8], rd: &ReferenceData) -> ImportOutcome {
    match xlsx_table(bytes) {
        Ok((rows, first_col)) => process(rows, first_col, rd),
        Err(e) => ImportOutcome {
            rows: Vec::new(),
            errors: vec![e],
        },
    }
}

/// The rows of the first worksheet as cells, with their 1-based row
/// numbers, and the index of the first used column.
pub(crate) fn xlsx_table(bytes: &[u8]) -> Result<(Vec<Row>, usize), RowError> {
    let file_error = |msg: Msg| RowError {
        row: 1,
        column: None,
        msg,
    };
    // A malformed workbook must not take the server down with it.
    let opened = std::panic::catch_unwind(|| {
        let mut workbook = Xlsx::new(Cursor::new(bytes)).map_err(|e| e.to_string())?;
        workbook
            .worksheet_range_at(0)
            .transpose()
            .map_err(|e| e.to_string())
    });
    let range = match opened {
        Ok(Ok(Some(range))) => range,
        Ok(Ok(None)) => return Err(file_error(Msg::new("import-xlsx-no-sheet"))),
        Ok(Err(detail)) => {
            return Err(file_error(
                Msg::new("import-xlsx-unreadable").arg("detail", detail),
            ));
        }
        Err(_) => {
            return Err(file_error(
                Msg::new("import-xlsx-unreadable").arg("detail", "malformed workbook"),
            ));
        }
    };
    let (first_row, first_col) = range.start().unwrap_or((0, 0));
    let rows = range
        .rows()
        .enumerate()
        .map(|(i, cells)| {
            let row = first_row as usize + i + 1;
            (row, cells.iter().map(Cell::from_xlsx).collect())
        })
        .collect();
    Ok((rows, first_col as usize))
}

/// A file row: its 1-based number and its cells.
pub(crate) type Row = (usize, Vec<Cell>);

/// A cell value before interpretation.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Cell {
    Text(String),
    Number(f64),
    Int(i64),
    Bool(bool),
    Date,
    Error(String),
    Empty,
}

impl Cell {
    fn from_xlsx(d: &Data) -> Cell {
        match d {
            Data::Empty => Cell::Empty,
            Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => Cell::Text(s.clone()),
            Data::Float(f) => Cell::Number(*f),
            Data::Int(i) => Cell::Int(*i),
            Data::Bool(b) => Cell::Bool(*b),
            Data::DateTime(_) => Cell::Date,
            Data::Error(e) => Cell::Error(e.to_string()),
        }
    }

    pub(crate) fn is_blank(&self) -> bool {
        match self {
            Cell::Empty => true,
            Cell::Text(s) => s.trim().is_empty(),
            _ => false,
        }
    }
}

/// Largest magnitude below which an f64 holds every integer digit exactly
/// as Excel shows it (Excel keeps 15 significant digits).
const EXACT_DIGITS_LIMIT: f64 = 1e15;

/// Turns a cell into text. Numbers typed into text columns (a district
/// code, an industry code, a year) become their integer form; a long code
/// that Excel stored as a number has lost digits and is rejected.
pub(crate) fn cell_text(cell: &Cell, column: &str) -> Result<String, Msg> {
    match cell {
        Cell::Empty => Ok(String::new()),
        Cell::Text(s) => Ok(s.trim().to_string()),
        Cell::Bool(b) => Ok(b.to_string()),
        Cell::Int(i) => Ok(pad_industry(column, i.to_string())),
        Cell::Number(f) if f.fract() == 0.0 && f.abs() < EXACT_DIGITS_LIMIT => {
            Ok(pad_industry(column, format!("{}", *f as i64)))
        }
        Cell::Number(_) if column == "uscc" => Err(Msg::new("import-number-precision")),
        Cell::Number(f) => Ok(format!("{f}")),
        Cell::Date => Err(Msg::new("import-cell-date")),
        Cell::Error(e) => Err(Msg::new("import-cell-error").arg("value", e)),
    }
}

/// Excel drops the leading zero of divisions 01–09 typed as numbers.
fn pad_industry(column: &str, s: String) -> String {
    if column == "industry_code" && s.len() == 1 {
        format!("0{s}")
    } else {
        s
    }
}

/// Where each known column sits in the file.
struct Layout {
    /// Per file column: index into [`COLUMNS`], or `None` for a blank header.
    by_position: Vec<Option<usize>>,
    /// Per [`COLUMNS`] entry: the header as written, if present.
    headers: Vec<Option<String>>,
}

impl Layout {
    /// File position of a header as written (for ordering a row's errors);
    /// errors without a column come first.
    fn position(&self, header: Option<&str>) -> usize {
        let Some(header) = header else { return 0 };
        self.by_position
            .iter()
            .position(|ci| ci.is_some_and(|i| self.headers[i].as_deref() == Some(header)))
            .map_or(usize::MAX, |p| p + 1)
    }

    /// The header of `id` as written, or the id if the file lacks it.
    fn header(&self, id: &str) -> String {
        COLUMNS
            .iter()
            .position(|c| c.id == id)
            .and_then(|i| self.headers[i].clone())
            .unwrap_or_else(|| id.to_string())
    }
}

fn normalise_header(h: &str) -> String {
    let mut h = h.trim().trim_start_matches('\u{FEFF}').trim();
    // Drop a trailing unit or note in brackets: 营业收入（元）, revenue_cny (yuan).
    for (open, close) in [('(', ')'), ('（', '）')] {
        if h.ends_with(close)
            && let Some(i) = h.rfind(open)
        {
            h = h[..i].trim_end();
        }
    }
    h.to_lowercase().replace([' ', '-'], "_")
}

fn find_column(header: &str) -> Option<usize> {
    let h = normalise_header(header);
    COLUMNS.iter().position(|c| c.id == h || c.zh == h)
}

fn read_header(row: usize, cells: &[Cell]) -> Result<Layout, Vec<RowError>> {
    let mut errors = Vec::new();
    let mut layout = Layout {
        by_position: Vec::new(),
        headers: vec![None; COLUMNS.len()],
    };
    for cell in cells {
        let text = cell_text(cell, "").unwrap_or_default();
        let text = text.trim_start_matches('\u{FEFF}').trim().to_string();
        if text.is_empty() {
            layout.by_position.push(None);
            continue;
        }
        let err = |key: &'static str| RowError {
            row,
            column: Some(text.clone()),
            msg: Msg::new(key).arg("column", &text),
        };
        match find_column(&text) {
            None => errors.push(err("import-unknown-column")),
            Some(i) if layout.headers[i].is_some() => errors.push(err("import-duplicate-column")),
            Some(i) => layout.headers[i] = Some(text.clone()),
        }
        layout.by_position.push(find_column(&text));
    }
    for (c, h) in COLUMNS.iter().zip(&layout.headers) {
        if c.required && h.is_none() {
            errors.push(RowError {
                row,
                column: Some(c.id.to_string()),
                msg: Msg::new("import-missing-column")
                    .arg("column", c.id)
                    .arg("label", c.zh),
            });
        }
    }
    if errors.is_empty() {
        Ok(layout)
    } else {
        Err(errors)
    }
}

/// Spreadsheet column letters for a 0-based index (0 → A, 26 → AA).
fn column_letters(mut i: usize) -> String {
    let mut s = Vec::new();
    loop {
        s.push(b'A' + (i % 26) as u8);
        if i < 26 {
            break;
        }
        i = i / 26 - 1;
    }
    s.reverse();
    String::from_utf8(s).unwrap_or_default()
}

fn process(rows: Vec<(usize, Vec<Cell>)>, first_col: usize, rd: &ReferenceData) -> ImportOutcome {
    let mut rows = rows
        .into_iter()
        .filter(|(_, cells)| !cells.iter().all(Cell::is_blank));
    let Some((header_row, header_cells)) = rows.next() else {
        return ImportOutcome::file_error(None, Msg::new("import-no-header"));
    };
    let layout = match read_header(header_row, &header_cells) {
        Ok(l) => l,
        Err(errors) => {
            return ImportOutcome {
                rows: Vec::new(),
                errors,
            };
        }
    };
    let mut out = ImportOutcome::default();
    let mut seen: HashMap<Uscc, usize> = HashMap::new();
    for (row, cells) in rows {
        let BuiltRow {
            input,
            mut errors,
            failed,
        } = build_input(row, &cells, &layout, first_col, rd);
        let duplicate = Uscc::parse_with(&input.uscc, rd)
            .ok()
            .and_then(|u| match seen.get(&u) {
                Some(first) => Some(*first),
                None => {
                    seen.insert(u, row);
                    None
                }
            });
        match input.validate(rd) {
            Ok(org) if errors.is_empty() && duplicate.is_none() => {
                out.rows.push(ImportedRow { row, org });
                continue;
            }
            Ok(_) => {}
            Err(field_errors) => {
                for fe in field_errors {
                    let id = field_column(&fe.field);
                    if !id.is_some_and(|id| failed.contains(&id)) {
                        errors.push(RowError {
                            row,
                            column: id.map(|id| layout.header(id)),
                            msg: fe.msg,
                        });
                    }
                }
            }
        }
        if let Some(first) = duplicate {
            errors.push(RowError {
                row,
                column: Some(layout.header("uscc")),
                msg: Msg::new("import-duplicate-uscc").arg("row", first),
            });
        }
        errors.sort_by_key(|e| layout.position(e.column.as_deref()));
        out.errors.extend(errors);
    }
    out
}

/// The import column an [`OrgInput`] field error belongs to.
fn field_column(field: &str) -> Option<&'static str> {
    let name = if field.contains(".indices") {
        "indices"
    } else {
        field.split(['[', '.']).next().unwrap_or(field)
    };
    COLUMNS.iter().find(|c| c.id == name).map(|c| c.id)
}

/// Splits a list cell on `;` (also full-width `；`, `,`, `，` and `、`).
fn split_list(s: &str) -> impl Iterator<Item = &str> {
    s.split([';', '；', ',', '，', '、'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
}

/// The text values of one row, by column id, with the headers as written.
struct RowValues {
    values: HashMap<&'static str, (String, String)>,
}

impl RowValues {
    fn text(&self, id: &str) -> &str {
        self.values.get(id).map_or("", |(t, _)| t.as_str())
    }

    fn optional(&self, id: &str) -> Option<String> {
        Some(self.text(id).to_string()).filter(|s| !s.is_empty())
    }

    fn header(&self, id: &'static str) -> String {
        self.values
            .get(id)
            .map_or_else(|| id.to_string(), |(_, h)| h.clone())
    }
}

/// A row converted to an [`OrgInput`], with the conversion errors and the
/// ids of the columns that failed to convert (left empty in the input, so
/// their validation errors are not reported twice).
struct BuiltRow {
    input: OrgInput,
    errors: Vec<RowError>,
    failed: Vec<&'static str>,
}

impl BuiltRow {
    fn fail(&mut self, row: usize, id: &'static str, header: String, msg: Msg) {
        self.failed.push(id);
        self.errors.push(RowError {
            row,
            column: Some(header),
            msg,
        });
    }
}

/// Builds the input from a row, collecting conversion errors.
fn build_input(
    row: usize,
    cells: &[Cell],
    layout: &Layout,
    first_col: usize,
    rd: &ReferenceData,
) -> BuiltRow {
    let mut b = BuiltRow {
        input: OrgInput::default(),
        errors: Vec::new(),
        failed: Vec::new(),
    };
    let mut v = RowValues {
        values: HashMap::new(),
    };
    for (pos, cell) in cells.iter().enumerate() {
        let Some(Some(ci)) = layout.by_position.get(pos) else {
            if !cell.is_blank() {
                b.errors.push(RowError {
                    row,
                    column: None,
                    msg: Msg::new("import-unnamed-column")
                        .arg("position", column_letters(first_col + pos)),
                });
            }
            continue;
        };
        let column = COLUMNS[*ci];
        let header = layout.headers[*ci].clone().unwrap_or_default();
        match cell_text(cell, column.id) {
            Ok(text) => {
                v.values.insert(column.id, (text, header));
            }
            Err(msg) => b.fail(row, column.id, header, msg),
        }
    }

    b.input = OrgInput {
        uscc: v.text("uscc").to_string(),
        name_zh: v.text("name_zh").to_string(),
        name_en: v.optional("name_en"),
        industry_code: v.text("industry_code").to_string(),
        cluster: v.optional("cluster").map(|c| cluster_id(rd, &c)),
        ownership: v.text("ownership").to_string(),
        district: v.text("district").to_string(),
        zones: split_list(v.text("zones"))
            .map(|z| zone_id(rd, z))
            .collect(),
        ..OrgInput::default()
    };
    for id in ["foreign_business", "financial_institution"] {
        match parse_bool(v.text(id)) {
            Some(x) if id == "foreign_business" => b.input.foreign_business = x,
            Some(x) => b.input.financial_institution = x,
            None => b.fail(
                row,
                id,
                v.header(id),
                Msg::new("import-bool").arg("value", v.text(id)),
            ),
        }
    }
    match parse_integer(v.text("employees")) {
        Ok(x) => b.input.employees = x,
        Err(msg) => b.fail(row, "employees", v.header("employees"), msg),
    }
    let year = v.text("size_basis_year");
    match parse_integer(year).map(|y| y.map(i32::try_from).transpose()) {
        Ok(Ok(y)) => b.input.size_basis_year = y,
        _ => b.fail(
            row,
            "size_basis_year",
            v.header("size_basis_year"),
            Msg::new("import-integer").arg("value", year),
        ),
    }
    for id in ["revenue_cny", "total_assets_cny"] {
        match parse_decimal(v.text(id)) {
            Ok(x) if id == "revenue_cny" => b.input.revenue_cny = x,
            Ok(x) => b.input.total_assets_cny = x,
            Err(msg) => b.fail(row, id, v.header(id), msg),
        }
    }
    match parse_listings(v.text("listings"), v.text("indices"), rd) {
        Ok(listings) => b.input.listings = listings,
        Err(errors) => {
            for (column, msg) in errors {
                b.fail(row, column, v.header(column), msg);
            }
        }
    }
    b
}

fn parse_bool(s: &str) -> Option<bool> {
    match s.trim().to_lowercase().as_str() {
        "" | "false" | "否" | "0" | "no" | "n" => Some(false),
        "true" | "是" | "1" | "yes" | "y" => Some(true),
        _ => None,
    }
}

/// Strips thousands separators and spaces.
fn clean_number(s: &str) -> String {
    s.chars()
        .filter(|c| !matches!(c, ',' | '，' | ' ' | '_'))
        .collect()
}

fn parse_decimal(s: &str) -> Result<Option<Decimal>, Msg> {
    let t = clean_number(s);
    if t.is_empty() {
        return Ok(None);
    }
    Decimal::from_str(&t)
        .or_else(|_| Decimal::from_scientific(&t))
        .map(Some)
        .map_err(|_| Msg::new("import-decimal").arg("value", s))
}

fn parse_integer(s: &str) -> Result<Option<i64>, Msg> {
    let bad = || Msg::new("import-integer").arg("value", s);
    match parse_decimal(s) {
        Ok(None) => Ok(None),
        Ok(Some(d)) if d.fract().is_zero() => d.to_i64().map(Some).ok_or_else(bad),
        _ => Err(bad()),
    }
}

/// Parses the two listing cells (also used by the web form): `listings`
/// holds `exchange:ticker` entries (or `600153.SH`), `indices` index ids
/// that are attached to the listing on the index's exchange. Errors name
/// the column (`listings` or `indices`).
pub fn parse_listings(
    listings: &str,
    indices: &str,
    rd: &ReferenceData,
) -> Result<Vec<ListingInput>, Vec<(&'static str, Msg)>> {
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for part in split_list(listings) {
        match parse_listing(part) {
            Some((exchange, ticker)) => out.push(ListingInput {
                exchange,
                ticker,
                indices: Vec::new(),
            }),
            None => errors.push((
                "listings",
                Msg::new("import-listing-format").arg("value", part),
            )),
        }
    }
    for id in split_list(indices) {
        let Some(index) = find_index(rd, id) else {
            errors.push(("indices", Msg::new("domain-index-unknown").arg("id", id)));
            continue;
        };
        let target = out.iter_mut().find(|l: &&mut ListingInput| {
            Exchange::parse_lenient(&l.exchange).is_ok_and(|e| index.exchanges.contains(&e))
        });
        match target {
            Some(l) => l.indices.push(index.id.clone()),
            None => errors.push((
                "indices",
                Msg::new("import-index-no-listing").arg("id", &index.id),
            )),
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// `sse:600153`, or the suffix form `600153.SH`.
fn parse_listing(part: &str) -> Option<(String, String)> {
    let part = part.replace('：', ":");
    if let Some((exchange, ticker)) = part.split_once(':') {
        return Some((exchange.trim().to_string(), ticker.trim().to_string()));
    }
    let (ticker, suffix) = part.rsplit_once('.')?;
    ["SH", "SZ", "BJ", "HK"]
        .iter()
        .any(|s| s.eq_ignore_ascii_case(suffix.trim()))
        .then(|| (suffix.trim().to_string(), ticker.trim().to_string()))
}

fn cluster_id(rd: &ReferenceData, s: &str) -> String {
    rd.clusters()
        .find(|c| c.name_zh == s || c.name_en.eq_ignore_ascii_case(s))
        .map_or_else(|| s.to_string(), |c| c.id.clone())
}

fn zone_id(rd: &ReferenceData, s: &str) -> String {
    rd.zones()
        .find(|z| z.name_zh == s || z.name_en.eq_ignore_ascii_case(s))
        .map_or_else(|| s.to_string(), |z| z.id.clone())
}

fn find_index<'a>(rd: &'a ReferenceData, s: &str) -> Option<&'a egret_domain::refdata::StockIndex> {
    rd.index(s).or_else(|| {
        rd.indices()
            .find(|i| i.name_zh == s || i.name_en.eq_ignore_ascii_case(s))
    })
}

#[cfg(test)]
mod tests;
