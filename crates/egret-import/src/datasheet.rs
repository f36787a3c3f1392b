//! The disclosure-data workbook: download a template for an organisation ×
//! catalog × fiscal year, fill it in offline, upload it again.
//!
//! # Layout (template format [`FORMAT_VERSION`])
//!
//! - A bilingual guide sheet comes first: the organisation, catalog and
//!   year, how to fill the workbook in, the answer codes, one line per data
//!   sheet and the list of required data points with their status.
//! - One data sheet per catalog section (topic) that has applicable
//!   requirements, named `<section id> <Chinese name>` (at most 31
//!   characters, unique, without the characters Excel forbids).
//! - A hidden sheet [`META_SHEET`] records the credit code, catalog key,
//!   fiscal year, template format and data sheet names (column A keys,
//!   column B values) and holds the drop-down lists (columns D onwards).
//!
//! Every data sheet has the same columns:
//!
//! | col | code         | content                                             | editable |
//! |-----|--------------|-----------------------------------------------------|----------|
//! | A   | `datapoint`  | data point id                                       | no (grey)|
//! | B   | `breakdown`  | breakdown key (`""` total, `gender:female`, ...)    | no (grey)|
//! | C   | `name`       | name in both languages, with the breakdown member   | no       |
//! | D   | `obligation` | how strongly the catalog asks                       | no       |
//! | E   | `answer`     | value / not applicable / not disclosed (drop-down)  | yes      |
//! | F   | `value`      | the value; choices and yes/no as drop-downs         | yes      |
//! | G   | `unit`       | unit of quantities and amounts (drop-down)          | yes      |
//! | H   | `prior`      | the prior year's answer, for reference              | no (grey)|
//! | I   | `reason`     | reason (required for "not disclosed")               | yes      |
//! | J   | `comment`    | free comment                                        | yes      |
//!
//! Row 1 is hidden and holds the column codes above; the reader finds the
//! columns (and recognises data sheets) by these codes, so it does not
//! depend on the translated headers. Row 2 is the visible header
//! (`值 / Value`); data start on row 3. The sheets are protected without a
//! password so that the grey columns are not changed by accident.
//!
//! # Reading
//!
//! [`read_filled`] is all-or-nothing: it returns every problem of the file
//! (sheet, row, column, message) or the answers of every row. Rows:
//!
//! - The answer cell takes a code (`value`, `not_applicable`,
//!   `not_disclosed`), a label in either language or the drop-down entry;
//!   empty with a value means "value".
//! - Values are read with [`Value::parse`] (lenient: thousands separators,
//!   是/否, choice codes or labels). Number cells are read from the stored
//!   number printed in its shortest exact form (`0.1` stays `0.1`); date
//!   cells become dates. An empty unit means the data point's default.
//! - "not disclosed" needs a reason; "not applicable" and "not disclosed"
//!   take no value. A reason on a "value" row is ignored.
//! - A row whose answer and value are both empty is returned with
//!   `answer: None` (a reason or comment on such a row is an error), and
//!   [`diff`] treats it as "no change": an upload never deletes a stored
//!   answer (that is done in the web form).
//! - Data sheets are recognised by the hidden code row, not by name, so
//!   renamed sheets still count and extra sheets of the user are ignored.
//! - Number cells with a percentage format are read as shown (0.25 shown
//!   as `25%` is `25%`), so "25%" typed into Excel means 25 per cent.
//! - Problems with the file as a whole (not a template, wrong
//!   organisation, catalog or year) have an empty sheet name and row 0.
//! - Sheets are streamed cell by cell (only the first [`MAX_COLUMNS`]
//!   columns are kept, at most [`MAX_CELLS`] cells per workbook), so memory
//!   follows the content of the file, not the extent of its sheets.

use std::borrow::Cow;
use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;
use std::io::Cursor;
use std::panic::AssertUnwindSafe;

use calamine::{DataRef, Reader, SheetType, Xlsx};
use egret_domain::catalog::{Catalog, Catalogs, DataPoint, Obligation, Section, ValueKind};
use egret_domain::org::OrgProfile;
use egret_domain::refdata::ReferenceData;
use egret_domain::value::{Answer, Value, entry_units};
use egret_i18n::{Lang, Msg, t};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use rust_xlsxwriter::{
    Color, DataValidation, DataValidationErrorStyle, ExcelDateTime, Format, FormatAlign,
    FormatBorder, Formula, Note, ProtectionOptions, Workbook, Worksheet, XlsxError,
};
use serde::Serialize;

/// Version of the workbook layout written by [`write_template`] and
/// accepted by [`read_filled`].
pub const FORMAT_VERSION: u32 = 1;

/// Name of the hidden sheet with the template's identification and lists.
pub const META_SHEET: &str = "_egret";

/// Longest text accepted in a value, reason or comment cell.
pub const MAX_TEXT_CHARS: usize = egret_domain::value::MAX_TEXT_CHARS;

/// Content of cell A1 of [`META_SHEET`].
const MARKER: &str = "egret-datasheet";

/// 0-based index of the first data row (row 3 as Excel shows it).
const FIRST_DATA_ROW: u32 = 2;

/// First column of [`META_SHEET`] holding drop-down lists (D).
const FIRST_LIST_COL: u16 = 3;

/// Largest magnitude that a `Decimal` can hold (about 7.9 × 10²⁸).
const DECIMAL_LIMIT: f64 = 7.9e28;

// ------------------------------------------------------------------ columns

/// The columns of a data sheet, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Col {
    Datapoint,
    Breakdown,
    Name,
    Obligation,
    Answer,
    Value,
    Unit,
    Prior,
    Reason,
    Comment,
}

impl Col {
    const ALL: [Col; 10] = [
        Col::Datapoint,
        Col::Breakdown,
        Col::Name,
        Col::Obligation,
        Col::Answer,
        Col::Value,
        Col::Unit,
        Col::Prior,
        Col::Reason,
        Col::Comment,
    ];

    /// Columns a data sheet must have for it to be read.
    const REQUIRED: [Col; 7] = [
        Col::Datapoint,
        Col::Breakdown,
        Col::Answer,
        Col::Value,
        Col::Unit,
        Col::Reason,
        Col::Comment,
    ];

    /// The machine-readable code in the hidden first row.
    fn code(self) -> &'static str {
        match self {
            Col::Datapoint => "datapoint",
            Col::Breakdown => "breakdown",
            Col::Name => "name",
            Col::Obligation => "obligation",
            Col::Answer => "answer",
            Col::Value => "value",
            Col::Unit => "unit",
            Col::Prior => "prior",
            Col::Reason => "reason",
            Col::Comment => "comment",
        }
    }

    fn from_code(code: &str) -> Option<Col> {
        Col::ALL.into_iter().find(|c| c.code() == code)
    }

    /// The visible header, in both languages.
    fn header(self, fiscal_year: i32) -> String {
        let msg = match self {
            Col::Datapoint => Msg::new("sheet-col-datapoint"),
            Col::Breakdown => Msg::new("sheet-col-breakdown"),
            Col::Name => Msg::new("sheet-col-name"),
            Col::Obligation => Msg::new("sheet-col-obligation"),
            Col::Answer => Msg::new("sheet-col-answer"),
            Col::Value => Msg::new("sheet-col-value"),
            Col::Unit => Msg::new("sheet-col-unit"),
            Col::Prior => Msg::new("sheet-col-prior").arg("year", fiscal_year - 1),
            Col::Reason => Msg::new("sheet-col-reason"),
            Col::Comment => Msg::new("sheet-col-comment"),
        };
        bilingual(&msg)
    }

    fn width(self) -> f64 {
        match self {
            Col::Datapoint => 30.0,
            Col::Breakdown => 22.0,
            Col::Name => 56.0,
            Col::Obligation => 18.0,
            Col::Answer => 26.0,
            Col::Value => 22.0,
            Col::Unit => 18.0,
            Col::Prior => 24.0,
            Col::Reason => 36.0,
            Col::Comment => 36.0,
        }
    }

    fn index(self) -> u16 {
        self as u16
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

/// "中文 / English" (or one of them when both are the same).
fn bilingual(msg: &Msg) -> String {
    pair(&msg.render(Lang::ZhCn), &msg.render(Lang::En))
}

fn pair(zh: &str, en: &str) -> String {
    if zh == en || en.is_empty() {
        zh.to_string()
    } else if zh.is_empty() {
        en.to_string()
    } else {
        format!("{zh} / {en}")
    }
}

/// Whether `s` is `zh / en` as written by [`pair`].
fn is_pair(s: &str, zh: &str, en: &str) -> bool {
    s.strip_prefix(zh)
        .and_then(|r| r.strip_prefix(" / "))
        .is_some_and(|r| r == en)
}

// ------------------------------------------------------------------ answers

/// The three kinds of answer a row can give.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum AnswerKind {
    Value,
    NotApplicable,
    NotDisclosed,
}

impl AnswerKind {
    const ALL: [AnswerKind; 3] = [
        AnswerKind::Value,
        AnswerKind::NotApplicable,
        AnswerKind::NotDisclosed,
    ];

    fn code(self) -> &'static str {
        match self {
            AnswerKind::Value => "value",
            AnswerKind::NotApplicable => "not_applicable",
            AnswerKind::NotDisclosed => "not_disclosed",
        }
    }

    fn label_key(self) -> &'static str {
        match self {
            AnswerKind::Value => "sheet-answer-value",
            AnswerKind::NotApplicable => "sheet-answer-not-applicable",
            AnswerKind::NotDisclosed => "sheet-answer-not-disclosed",
        }
    }

    /// The drop-down entry, in both languages.
    fn label(self) -> String {
        bilingual(&Msg::new(self.label_key()))
    }

    fn of(answer: &Answer) -> AnswerKind {
        match answer {
            Answer::Value(_) => AnswerKind::Value,
            Answer::NotApplicable { .. } => AnswerKind::NotApplicable,
            Answer::NotDisclosed { .. } => AnswerKind::NotDisclosed,
        }
    }
}

/// Labels shared by writing and reading, rendered once.
struct Labels {
    /// Lower-cased spellings of each answer kind.
    answers: HashMap<String, AnswerKind>,
    yes: String,
    no: String,
    yes_parts: (String, String),
    no_parts: (String, String),
}

impl Labels {
    fn new() -> Labels {
        let mut answers = HashMap::new();
        // Codes and the usual spellings, in both languages, then the
        // catalog's labels (also as written by the template).
        let spellings: [(AnswerKind, &[&str]); 3] = [
            (
                AnswerKind::Value,
                &["v", "填报", "数值", "值", "填报数值", "披露"],
            ),
            (
                AnswerKind::NotApplicable,
                &["not-applicable", "not applicable", "n/a", "na", "不适用"],
            ),
            (
                AnswerKind::NotDisclosed,
                &[
                    "not-disclosed",
                    "not disclosed",
                    "nd",
                    "不披露",
                    "未披露",
                    "不予披露",
                ],
            ),
        ];
        for (kind, words) in spellings {
            for w in words {
                answers.insert((*w).to_string(), kind);
            }
        }
        for kind in AnswerKind::ALL {
            answers.insert(kind.code().to_string(), kind);
            for lang in Lang::ALL {
                answers.insert(t(lang, kind.label_key()).to_lowercase(), kind);
            }
            answers.insert(kind.label().to_lowercase(), kind);
        }
        let yes_parts = (t(Lang::ZhCn, "yes"), t(Lang::En, "yes"));
        let no_parts = (t(Lang::ZhCn, "no"), t(Lang::En, "no"));
        Labels {
            answers,
            yes: pair(&yes_parts.0, &yes_parts.1),
            no: pair(&no_parts.0, &no_parts.1),
            yes_parts,
            no_parts,
        }
    }

    /// Reads an answer cell: a code, a label in either language, or the
    /// drop-down entry; `None` if not recognised.
    fn answer(&self, raw: &str) -> Option<AnswerKind> {
        let s = raw.trim();
        if let Some(k) = self.answers.get(s) {
            return Some(*k);
        }
        let lower = s.to_lowercase();
        if let Some(k) = self.answers.get(&lower) {
            return Some(*k);
        }
        // "不适用 / Not applicable" written by an older catalog text: any
        // part that is a known spelling decides, if the parts agree.
        let mut found = None;
        for part in lower.split(['/', '／', '|', ' ', '\u{3000}']) {
            let part = part.trim();
            if part.is_empty() {
                continue;
            }
            match (self.answers.get(part), found) {
                (Some(k), None) => found = Some(*k),
                (Some(k), Some(f)) if *k != f => return None,
                _ => {}
            }
        }
        found
    }

    fn boolean(&self, b: bool) -> &str {
        if b { &self.yes } else { &self.no }
    }

    /// Maps the template's yes/no drop-down entries to what
    /// [`Value::parse`] reads.
    fn boolean_input<'s>(&self, raw: &'s str) -> &'s str {
        let s = raw.trim();
        if s == self.yes || is_pair(s, &self.yes_parts.0, &self.yes_parts.1) {
            "true"
        } else if s == self.no || is_pair(s, &self.no_parts.0, &self.no_parts.1) {
            "false"
        } else {
            s
        }
    }
}

/// The drop-down entry of a choice.
fn choice_label(zh: &str, en: &str) -> String {
    pair(zh, en)
}

/// Maps a choice drop-down entry (`女性 / Female`) to its code; other input
/// is left for [`Value::parse`] (which reads codes and either label).
fn choice_input<'a>(dp: &'a DataPoint, raw: &'a str) -> &'a str {
    let s = raw.trim();
    dp.choices
        .iter()
        .find(|c| is_pair(s, &c.name_zh, &c.name_en))
        .map_or(s, |c| c.code.as_str())
}

// -------------------------------------------------------------------- units

/// The unit drop-down entry: `CNY_10k（万元）`, or the code alone.
fn unit_label(rd: &ReferenceData, code: &str) -> String {
    let zh = rd
        .unit(code)
        .map(|u| u.name_zh.as_str())
        .or_else(|| rd.currency(code).map(|c| c.name_zh.as_str()));
    match zh {
        Some(zh) if zh != code && !zh.is_empty() => format!("{code}（{zh}）"),
        _ => code.to_string(),
    }
}

/// Strips the `（名称）` part of a unit drop-down entry.
fn unit_code_part(raw: &str) -> &str {
    let s = raw.trim();
    for (open, close) in [('（', '）'), ('(', ')')] {
        if s.ends_with(close)
            && let Some(i) = s.find(open)
            && i > 0
        {
            return s[..i].trim_end();
        }
    }
    s
}

/// Reads a unit cell for a data point: `Ok(None)` means "the data point's
/// default" (or no unit for kinds without one).
fn resolve_unit<'r>(
    dp: &'r DataPoint,
    raw: &str,
    rd: &'r ReferenceData,
) -> Result<Option<&'r str>, Msg> {
    let s = raw.trim();
    if s.is_empty() {
        return Ok(None);
    }
    let Some(dim) = dp.unit_dimension() else {
        if dp.kind == ValueKind::Percentage && matches!(s, "%" | "％" | "percent" | "per cent") {
            return Ok(None);
        }
        return Err(Msg::new("sheet-unit-unexpected").arg("unit", s));
    };
    let code = unit_code_part(s);
    if dp.kind == ValueKind::Amount
        && let Some(c) = rd.currency(code)
    {
        return Ok(Some(c.code.as_str()));
    }
    let by_name = |u: &&egret_domain::units::Unit| {
        u.name_zh == code || u.name_en.eq_ignore_ascii_case(code) || u.name_zh == s
    };
    if let Some(u) = rd
        .unit_in(code, dim)
        .or_else(|| rd.units_of(dim).find(by_name))
    {
        return Ok(Some(u.code.as_str()));
    }
    if rd.unit(code).is_some() || rd.units().any(|u| by_name(&u)) {
        let dimension = rd
            .dimension(dim)
            .map_or_else(|| dim.to_string(), |d| pair(&d.name_zh, &d.name_en));
        let units: Vec<&str> = rd.units_of(dim).map(|u| u.code.as_str()).collect();
        return Err(Msg::new("sheet-unit-dimension")
            .arg("unit", s)
            .arg("dimension", dimension)
            .arg("units", units.join(", ")));
    }
    Err(Msg::new("sheet-unit-unknown").arg("unit", s))
}

// ------------------------------------------------------------------ numbers

/// An exact decimal as an Excel number when Excel keeps it exactly (at
/// most 15 significant digits and an `f64` that prints back the same
/// digits); `None` when it must be written as text.
fn excel_number(d: Decimal) -> Option<f64> {
    let n = d.normalize();
    if n.mantissa().unsigned_abs().to_string().len() > 15 {
        return None;
    }
    let f = n.to_f64()?;
    let back: Decimal = format!("{f}").parse().ok()?;
    (back == n).then_some(f)
}

/// The text of a number cell: the shortest decimal that reads back as the
/// same `f64`, so `0.1` stays `0.1`.
fn float_text(f: f64) -> Result<String, Msg> {
    if !f.is_finite() || f.abs() >= DECIMAL_LIMIT {
        return Err(Msg::new("sheet-number-invalid").arg("value", f));
    }
    Ok(format!("{f}"))
}

/// A number shown as a percentage, as shown: 0.417 → `41.7%` (exact).
fn percent_text(f: f64) -> Result<String, Msg> {
    let text = float_text(f)?;
    let exact = text
        .parse::<Decimal>()
        .ok()
        .and_then(|d| d.checked_mul(Decimal::ONE_HUNDRED));
    Ok(match exact {
        Some(d) => format!("{}%", d.normalize()),
        None => format!("{}%", float_text(f * 100.0)?),
    })
}

/// `YYYY-MM-DD` of an Excel date cell.
fn excel_date_text(dt: &calamine::ExcelDateTime) -> String {
    let (y, m, d, ..) = dt.to_ymd_hms_milli();
    format!("{y:04}-{m:02}-{d:02}")
}

// ================================================================= template

/// What a template is made for, and the answers it is pre-filled with.
pub struct TemplateContext<'a> {
    pub cats: &'a Catalogs,
    pub catalog: &'a Catalog,
    pub profile: &'a OrgProfile,
    pub rd: &'a ReferenceData,
    pub fiscal_year: i32,
    /// The organisation's sites (id, name): the members of the `site`
    /// breakdown.
    pub sites: &'a [(String, String)],
    /// Stored answers of the year, by (data point, breakdown key), with
    /// their comments.
    pub current: &'a BTreeMap<(String, String), (Answer, Option<String>)>,
    /// The prior year's answers, shown for reference.
    pub prior: &'a BTreeMap<(String, String), Answer>,
}

/// One planned template row.
struct PlannedRow<'c> {
    dp: &'c DataPoint,
    key: String,
    /// Breakdown member label (zh, en); `None` for the total.
    member: Option<(String, String)>,
    obligation: Obligation,
}

/// One planned data sheet.
struct PlannedSheet<'c> {
    section: &'c Section,
    name: String,
    rows: Vec<PlannedRow<'c>>,
}

/// Makes a sheet name Excel accepts: at most 31 UTF-16 units, none of
/// `[]:*?/\`, no leading or trailing apostrophe, unique (case-insensitive).
fn sheet_name(wanted: &str, used: &mut Vec<String>) -> String {
    let clean: String = wanted
        .chars()
        .map(|c| {
            if matches!(c, '[' | ']' | ':' | '*' | '?' | '/' | '\\') || c.is_control() {
                '_'
            } else {
                c
            }
        })
        .collect();
    let base = clean.trim().trim_matches('\'').trim();
    let base = if base.is_empty() { "sheet" } else { base };
    for n in 1usize.. {
        let suffix = if n == 1 {
            String::new()
        } else {
            format!(" ~{n}")
        };
        let mut name = String::new();
        let mut units = 0;
        for c in base.chars() {
            units += c.len_utf16();
            if units + suffix.len() > 31 {
                break;
            }
            name.push(c);
        }
        let mut name = name.trim_end().trim_end_matches('\'').to_string();
        name.push_str(&suffix);
        let lower = name.to_lowercase();
        if !name.is_empty() && lower != "history" && !used.iter().any(|u| u.to_lowercase() == lower)
        {
            used.push(name.clone());
            return name;
        }
    }
    unreachable!("some suffix is always free")
}

/// The sheets and rows of a template: per section, the applicable
/// requirements' data points (each once in the workbook, where first
/// asked), each with its total and its breakdown members.
fn plan<'c>(ctx: &TemplateContext<'c>, used: &mut Vec<String>) -> Vec<PlannedSheet<'c>> {
    let mut seen: HashSet<&str> = HashSet::new();
    let mut sheets = Vec::new();
    for section in &ctx.catalog.sections {
        let mut rows = Vec::new();
        for r in ctx
            .catalog
            .requirements
            .iter()
            .filter(|r| r.section == section.id && r.applies.applies_to(ctx.profile, ctx.rd))
        {
            let Some(dp) = ctx.cats.datapoint(&r.datapoint) else {
                continue;
            };
            if !seen.insert(dp.id.as_str()) {
                continue;
            }
            rows.push(PlannedRow {
                dp,
                key: String::new(),
                member: None,
                obligation: r.obligation,
            });
            for b in dp.breakdowns.iter().filter_map(|b| ctx.cats.breakdown(b)) {
                let members: Vec<(String, String, String)> = match b.dynamic.as_deref() {
                    Some("sites") => ctx
                        .sites
                        .iter()
                        .map(|(id, name)| (id.clone(), name.clone(), name.clone()))
                        .collect(),
                    _ => b
                        .members
                        .iter()
                        .map(|m| (m.code.clone(), m.name_zh.clone(), m.name_en.clone()))
                        .collect(),
                };
                for (code, zh, en) in members {
                    rows.push(PlannedRow {
                        dp,
                        key: egret_domain::value::breakdown_key(&b.id, &code),
                        member: Some((
                            format!("{}：{zh}", b.name_zh),
                            format!("{}: {en}", b.name_en),
                        )),
                        obligation: r.obligation,
                    });
                }
            }
        }
        if !rows.is_empty() {
            let name = sheet_name(&format!("{} {}", section.id, section.name_zh), used);
            sheets.push(PlannedSheet {
                section,
                name,
                rows,
            });
        }
    }
    sheets
}

/// The cell formats of a template.
struct Styles {
    header: Format,
    code: Format,
    grey: Format,
    fixed: Format,
    edit_text: Format,
    edit_long: Format,
    edit_general: Format,
    edit_count: Format,
    edit_amount: Format,
    edit_date: Format,
    title: Format,
    heading: Format,
    guide: Format,
}

impl Styles {
    fn new() -> Styles {
        let border = |f: Format| {
            f.set_border(FormatBorder::Thin)
                .set_border_color(Color::RGB(0xBFBFBF))
                .set_align(FormatAlign::Top)
        };
        let edit = || border(Format::new().set_unlocked());
        Styles {
            header: border(
                Format::new()
                    .set_bold()
                    .set_text_wrap()
                    .set_background_color(Color::RGB(0xDDEBF7)),
            ),
            code: Format::new().set_font_color(Color::RGB(0x808080)),
            grey: border(
                Format::new()
                    .set_background_color(Color::RGB(0xE7E6E6))
                    .set_font_color(Color::RGB(0x595959))
                    .set_num_format("@"),
            ),
            fixed: border(
                Format::new()
                    .set_background_color(Color::RGB(0xF2F2F2))
                    .set_num_format("@"),
            ),
            edit_text: edit().set_num_format("@"),
            edit_long: edit().set_num_format("@").set_text_wrap(),
            edit_general: edit().set_num_format("General"),
            edit_count: edit().set_num_format("#,##0"),
            edit_amount: edit().set_num_format("#,##0.00##"),
            edit_date: edit().set_num_format("yyyy-mm-dd"),
            title: Format::new().set_bold().set_font_size(14),
            heading: Format::new()
                .set_bold()
                .set_background_color(Color::RGB(0xDDEBF7)),
            guide: Format::new().set_text_wrap().set_align(FormatAlign::Top),
        }
    }

    fn value_format(&self, kind: ValueKind) -> &Format {
        match kind {
            ValueKind::Quantity | ValueKind::Percentage => &self.edit_general,
            ValueKind::Amount => &self.edit_amount,
            ValueKind::Count => &self.edit_count,
            ValueKind::Date => &self.edit_date,
            ValueKind::Text | ValueKind::Table => &self.edit_long,
            ValueKind::Boolean | ValueKind::Choice => &self.edit_text,
        }
    }
}

/// Drop-down lists, written to [`META_SHEET`] (one column per distinct
/// list) and referenced by formula, which avoids Excel's 255-character
/// limit on inline lists.
#[derive(Default)]
struct Lists {
    columns: Vec<Vec<String>>,
    index: HashMap<Vec<String>, usize>,
}

impl Lists {
    /// The range formula of a list, adding it if new.
    fn formula(&mut self, items: Vec<String>) -> String {
        let n = items.len().max(1);
        let i = match self.index.get(&items) {
            Some(i) => *i,
            None => {
                self.columns.push(items.clone());
                self.index.insert(items, self.columns.len() - 1);
                self.columns.len() - 1
            }
        };
        let col = column_letters(FIRST_LIST_COL as usize + i);
        format!("='{META_SHEET}'!${col}$1:${col}${n}")
    }
}

/// Adds a list validation over each run of consecutive rows that share a
/// list (`None` = no list).
fn add_list_runs(
    ws: &mut Worksheet,
    col: Col,
    first_row: u32,
    lists: &[Option<String>],
) -> Result<(), XlsxError> {
    let mut i = 0;
    while i < lists.len() {
        let Some(formula) = &lists[i] else {
            i += 1;
            continue;
        };
        let mut j = i + 1;
        while j < lists.len() && lists[j].as_ref() == Some(formula) {
            j += 1;
        }
        let dv = DataValidation::new()
            .allow_list_formula(Formula::new(formula))
            .set_error_style(DataValidationErrorStyle::Warning);
        ws.add_data_validation(
            first_row + i as u32,
            col.index(),
            first_row + j as u32 - 1,
            col.index(),
            &dv,
        )?;
        i = j;
    }
    Ok(())
}

fn write_failed(e: XlsxError) -> Msg {
    Msg::new("sheet-write-failed").arg("detail", e)
}

/// Writes the template workbook (XLSX bytes) for an organisation, catalog
/// and fiscal year, pre-filled with the stored answers and comments.
pub fn write_template(ctx: &TemplateContext) -> Result<Vec<u8>, Msg> {
    write(ctx).map_err(write_failed)
}

fn write(ctx: &TemplateContext) -> Result<Vec<u8>, XlsxError> {
    let labels = Labels::new();
    let styles = Styles::new();
    let mut lists = Lists::default();
    let guide_name = format!(
        "{} {}",
        t(Lang::ZhCn, "sheet-guide-tab"),
        t(Lang::En, "sheet-guide-tab")
    );
    let mut used = vec![META_SHEET.to_string()];
    let guide_name = sheet_name(&guide_name, &mut used);
    let sheets = plan(ctx, &mut used);

    let mut wb = Workbook::new();
    let guide = write_guide(ctx, &guide_name, &sheets, &styles)?;
    wb.push_worksheet(guide);
    for sheet in &sheets {
        let ws = write_data_sheet(ctx, sheet, &styles, &labels, &mut lists)?;
        wb.push_worksheet(ws);
    }
    wb.push_worksheet(write_meta(ctx, &sheets, &lists)?);
    wb.save_to_buffer()
}

/// Writes the guide sheet line by line: column A Chinese, column B English.
struct Guide {
    ws: Worksheet,
    row: u32,
}

impl Guide {
    /// One line with each side rendered in its own language.
    fn sides(&mut self, zh: &Msg, en: &Msg, fmt: &Format) -> Result<(), XlsxError> {
        self.ws
            .write_string_with_format(self.row, 0, zh.render(Lang::ZhCn), fmt)?;
        self.ws
            .write_string_with_format(self.row, 1, en.render(Lang::En), fmt)?;
        self.row += 1;
        Ok(())
    }

    fn line(&mut self, msg: &Msg, fmt: &Format) -> Result<(), XlsxError> {
        self.sides(msg, msg, fmt)
    }

    fn gap(&mut self) {
        self.row += 1;
    }
}

/// The guide sheet: identification, how to fill in, the answers, the
/// sheets and the required data points with their status.
fn write_guide(
    ctx: &TemplateContext,
    name: &str,
    sheets: &[PlannedSheet],
    styles: &Styles,
) -> Result<Worksheet, XlsxError> {
    let mut g = Guide {
        ws: Worksheet::new(),
        row: 0,
    };
    g.ws.set_name(name)?;
    g.ws.set_active(true);
    g.ws.set_column_width(0, 80)?;
    g.ws.set_column_width(1, 80)?;
    g.line(&Msg::new("sheet-guide-title"), &styles.title)?;
    g.line(
        &Msg::new("sheet-guide-org")
            .arg("name", &ctx.profile.name_zh)
            .arg("uscc", ctx.profile.uscc.as_str()),
        &styles.guide,
    )?;
    let catalog_key = ctx.catalog.key();
    let catalog = |name: &str| {
        Msg::new("sheet-guide-catalog")
            .arg("name", name)
            .arg("catalog", &catalog_key)
    };
    g.sides(
        &catalog(&ctx.catalog.name_zh),
        &catalog(&ctx.catalog.name_en),
        &styles.guide,
    )?;
    g.line(
        &Msg::new("sheet-guide-year").arg("year", ctx.fiscal_year),
        &styles.guide,
    )?;
    g.gap();

    g.line(&Msg::new("sheet-guide-how"), &styles.heading)?;
    for i in 1..=7 {
        g.line(&Msg::new(format!("sheet-guide-step-{i}")), &styles.guide)?;
    }
    g.gap();

    g.line(&Msg::new("sheet-guide-answers"), &styles.heading)?;
    for (kind, key) in [
        (AnswerKind::Value, "sheet-guide-answer-value"),
        (
            AnswerKind::NotApplicable,
            "sheet-guide-answer-not-applicable",
        ),
        (AnswerKind::NotDisclosed, "sheet-guide-answer-not-disclosed"),
    ] {
        g.line(&Msg::new(key).arg("label", kind.label()), &styles.guide)?;
    }
    g.line(&Msg::new("sheet-guide-obligations"), &styles.guide)?;
    g.gap();

    g.line(&Msg::new("sheet-guide-sections"), &styles.heading)?;
    let is_required = |r: &PlannedRow| r.obligation == Obligation::Required;
    for s in sheets {
        let required = s.rows.iter().filter(|r| is_required(r)).count();
        let msg = |section: &str| {
            Msg::new("sheet-guide-section")
                .arg("sheet", &s.name)
                .arg("section", section)
                .arg("rows", s.rows.len())
                .arg("required", required)
        };
        g.sides(
            &msg(&s.section.name_zh),
            &msg(&s.section.name_en),
            &styles.guide,
        )?;
    }
    g.gap();

    g.line(&Msg::new("sheet-guide-required"), &styles.heading)?;
    let mut any = false;
    let mut key = (String::new(), String::new());
    for s in sheets {
        for r in s.rows.iter().filter(|r| is_required(r) && r.key.is_empty()) {
            any = true;
            key.0.clone_from(&r.dp.id);
            let status = if ctx.current.contains_key(&key) {
                "sheet-guide-status-answered"
            } else {
                "sheet-guide-status-open"
            };
            let msg = |lang: Lang| {
                Msg::new("sheet-guide-required-item")
                    .arg("name", r.dp.name(lang))
                    .arg("id", &r.dp.id)
                    .arg("sheet", &s.name)
                    .arg("status", t(lang, status))
            };
            g.sides(&msg(Lang::ZhCn), &msg(Lang::En), &styles.guide)?;
        }
    }
    if !any {
        g.line(&Msg::new("sheet-guide-none-required"), &styles.guide)?;
    }
    Ok(g.ws)
}

/// One data sheet.
fn write_data_sheet(
    ctx: &TemplateContext,
    sheet: &PlannedSheet,
    styles: &Styles,
    labels: &Labels,
    lists: &mut Lists,
) -> Result<Worksheet, XlsxError> {
    let mut ws = Worksheet::new();
    ws.set_name(&sheet.name)?;
    for c in Col::ALL {
        ws.set_column_width(c.index(), c.width())?;
        ws.write_string_with_format(0, c.index(), c.code(), &styles.code)?;
        ws.write_string_with_format(1, c.index(), c.header(ctx.fiscal_year), &styles.header)?;
    }
    ws.set_row_hidden(0)?;
    ws.set_row_height(1, 30)?;
    ws.set_freeze_panes(FIRST_DATA_ROW, Col::Obligation.index())?;

    let answer_list = lists.formula(AnswerKind::ALL.iter().map(|k| k.label()).collect());
    let bool_list = lists.formula(vec![labels.yes.clone(), labels.no.clone()]);
    let mut value_lists = Vec::with_capacity(sheet.rows.len());
    let mut unit_lists = Vec::with_capacity(sheet.rows.len());
    let mut key = (String::new(), String::new());

    for (i, r) in sheet.rows.iter().enumerate() {
        let row = FIRST_DATA_ROW + i as u32;
        let dp = r.dp;
        ws.write_string_with_format(row, Col::Datapoint.index(), &dp.id, &styles.grey)?;
        ws.write_string_with_format(row, Col::Breakdown.index(), &r.key, &styles.grey)?;
        let mut name = pair(&dp.name_zh, &dp.name_en);
        match &r.member {
            Some((zh, en)) => {
                name.push_str(" — ");
                name.push_str(&pair(zh, en));
            }
            None if !dp.breakdowns.is_empty() => {
                name.push_str(" — ");
                name.push_str(&bilingual(&Msg::new("sheet-total")));
            }
            None => {}
        }
        ws.write_string_with_format(row, Col::Name.index(), &name, &styles.fixed)?;
        if r.member.is_none() && !(dp.help_zh.is_empty() && dp.help_en.is_empty()) {
            let help = [dp.help_zh.as_str(), dp.help_en.as_str()]
                .iter()
                .filter(|s| !s.is_empty())
                .copied()
                .collect::<Vec<_>>()
                .join("\n\n");
            ws.insert_note(
                row,
                Col::Name.index(),
                &Note::new(help).set_author("Egret").add_author_prefix(false),
            )?;
        }
        let obligation = pair(
            &t(Lang::ZhCn, r.obligation.label_key()),
            &t(Lang::En, r.obligation.label_key()),
        );
        ws.write_string_with_format(row, Col::Obligation.index(), &obligation, &styles.fixed)?;

        key.0.clone_from(&dp.id);
        key.1.clone_from(&r.key);
        let current = ctx.current.get(&key);
        let value_fmt = styles.value_format(dp.kind);
        let answer = current.map(|(a, _)| a);
        match answer {
            Some(a) => ws.write_string_with_format(
                row,
                Col::Answer.index(),
                AnswerKind::of(a).label(),
                &styles.edit_text,
            )?,
            None => ws.write_blank(row, Col::Answer.index(), &styles.edit_text)?,
        };
        let default_unit = dp
            .unit
            .as_deref()
            .map(|u| unit_label(ctx.rd, u))
            .or_else(|| (dp.kind == ValueKind::Percentage).then(|| "%".to_string()));
        let mut unit = default_unit;
        match answer {
            Some(Answer::Value(v)) => {
                if let Some(u) = write_value(&mut ws, row, dp, v, value_fmt, labels)? {
                    unit = Some(unit_label(ctx.rd, &u));
                }
            }
            _ => {
                ws.write_blank(row, Col::Value.index(), value_fmt)?;
            }
        }
        match &unit {
            Some(u) => ws.write_string_with_format(row, Col::Unit.index(), u, &styles.edit_text)?,
            None => ws.write_blank(row, Col::Unit.index(), &styles.edit_text)?,
        };
        match ctx.prior.get(&key) {
            Some(p) => ws.write_string_with_format(
                row,
                Col::Prior.index(),
                prior_text(p, dp, ctx.rd),
                &styles.grey,
            )?,
            None => ws.write_blank(row, Col::Prior.index(), &styles.grey)?,
        };
        let reason = match answer {
            Some(Answer::NotApplicable { reason }) => reason.as_deref(),
            Some(Answer::NotDisclosed { reason }) => Some(reason.as_str()),
            _ => None,
        };
        let comment = current.and_then(|(_, c)| c.as_deref());
        for (col, text) in [(Col::Reason, reason), (Col::Comment, comment)] {
            match text {
                Some(s) => ws.write_string_with_format(row, col.index(), s, &styles.edit_long)?,
                None => ws.write_blank(row, col.index(), &styles.edit_long)?,
            };
        }

        value_lists.push(match dp.kind {
            ValueKind::Boolean => Some(bool_list.clone()),
            ValueKind::Choice => Some(
                lists.formula(
                    dp.choices
                        .iter()
                        .map(|c| choice_label(&c.name_zh, &c.name_en))
                        .collect(),
                ),
            ),
            _ => None,
        });
        let units = entry_units(ctx.rd, dp);
        unit_lists
            .push((!units.is_empty()).then(|| {
                lists.formula(units.iter().map(|u| unit_label(ctx.rd, u.code)).collect())
            }));
    }

    let last = FIRST_DATA_ROW + sheet.rows.len() as u32 - 1;
    let answers = DataValidation::new()
        .allow_list_formula(Formula::new(&answer_list))
        .set_error_style(DataValidationErrorStyle::Warning);
    ws.add_data_validation(
        FIRST_DATA_ROW,
        Col::Answer.index(),
        last,
        Col::Answer.index(),
        &answers,
    )?;
    add_list_runs(&mut ws, Col::Value, FIRST_DATA_ROW, &value_lists)?;
    add_list_runs(&mut ws, Col::Unit, FIRST_DATA_ROW, &unit_lists)?;
    ws.autofilter(1, 0, last, Col::Comment.index())?;
    let protection = ProtectionOptions {
        format_columns: true,
        format_rows: true,
        use_autofilter: true,
        ..ProtectionOptions::new()
    };
    ws.protect_with_options(&protection);
    Ok(ws)
}

/// Writes a stored value into the value cell; returns its unit.
fn write_value(
    ws: &mut Worksheet,
    row: u32,
    dp: &DataPoint,
    v: &Value,
    fmt: &Format,
    labels: &Labels,
) -> Result<Option<String>, XlsxError> {
    let col = Col::Value.index();
    let number = |ws: &mut Worksheet, d: Decimal| -> Result<(), XlsxError> {
        match excel_number(d) {
            Some(f) => ws.write_number_with_format(row, col, f, fmt)?,
            None => ws.write_string_with_format(row, col, d.normalize().to_string(), fmt)?,
        };
        Ok(())
    };
    match v {
        Value::Quantity { amount, unit } | Value::Amount { amount, unit } => {
            number(ws, *amount)?;
            return Ok(Some(unit.clone()));
        }
        Value::Percentage(d) => number(ws, *d)?,
        Value::Count(n) => number(ws, Decimal::from(*n))?,
        Value::Boolean(b) => {
            ws.write_string_with_format(row, col, labels.boolean(*b), fmt)?;
        }
        Value::Choice(code) => {
            let label = dp
                .choices
                .iter()
                .find(|c| &c.code == code)
                .map_or_else(|| code.clone(), |c| choice_label(&c.name_zh, &c.name_en));
            ws.write_string_with_format(row, col, label, fmt)?;
        }
        Value::Date(d) => {
            use chrono::Datelike;
            let excel = u16::try_from(d.year())
                .ok()
                .and_then(|y| ExcelDateTime::from_ymd(y, d.month() as u8, d.day() as u8).ok());
            match excel {
                Some(x) => ws.write_datetime_with_format(row, col, x, fmt)?,
                None => ws.write_string_with_format(row, col, d.to_string(), fmt)?,
            };
        }
        Value::Text(_) | Value::Table(_) => {
            ws.write_string_with_format(row, col, v.encode().0, fmt)?;
        }
    }
    Ok(None)
}

/// The prior year's answer as shown (both languages when they differ).
fn prior_text(a: &Answer, dp: &DataPoint, rd: &ReferenceData) -> String {
    match a {
        Answer::Value(v) => pair(&v.display(Lang::ZhCn, dp, rd), &v.display(Lang::En, dp, rd)),
        other => AnswerKind::of(other).label(),
    }
}

/// The hidden identification sheet.
fn write_meta(
    ctx: &TemplateContext,
    sheets: &[PlannedSheet],
    lists: &Lists,
) -> Result<Worksheet, XlsxError> {
    let mut ws = Worksheet::new();
    ws.set_name(META_SHEET)?;
    let rows: [(&str, String); 5] = [
        (MARKER, String::new()),
        ("format", FORMAT_VERSION.to_string()),
        ("uscc", ctx.profile.uscc.as_str().to_string()),
        ("catalog", ctx.catalog.key()),
        ("fiscal_year", ctx.fiscal_year.to_string()),
    ];
    let mut row = 0u32;
    for (k, v) in rows {
        ws.write_string(row, 0, k)?;
        ws.write_string(row, 1, v)?;
        row += 1;
    }
    for s in sheets {
        ws.write_string(row, 0, "sheet")?;
        ws.write_string(row, 1, &s.name)?;
        row += 1;
    }
    for (i, items) in lists.columns.iter().enumerate() {
        let col = FIRST_LIST_COL + i as u16;
        for (r, item) in items.iter().enumerate() {
            ws.write_string(r as u32, col, item)?;
        }
    }
    ws.set_hidden(true);
    Ok(ws)
}

// ================================================================== reading

/// Which template an upload must be.
pub struct Expect<'a> {
    /// Credit code of the organisation.
    pub uscc: &'a str,
    /// `id@version` of the catalog.
    pub catalog_key: &'a str,
    pub fiscal_year: i32,
}

/// A problem in an uploaded workbook.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SheetError {
    /// The sheet name; empty for problems with the file as a whole.
    pub sheet: String,
    /// Row number as Excel shows it (1-based); 0 for problems with the
    /// file or a sheet as a whole.
    pub row: usize,
    /// Column letter and header as in the file, e.g. `F (值 / Value)`.
    pub column: Option<String>,
    pub msg: Msg,
}

impl fmt::Display for SheetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.sheet.is_empty() {
            write!(f, "sheet “{}”, ", self.sheet)?;
        }
        if self.row > 0 {
            write!(f, "row {}, ", self.row)?;
        }
        if let Some(c) = &self.column {
            write!(f, "column {c}, ")?;
        }
        f.write_str(&self.msg.render(Lang::En))
    }
}

impl std::error::Error for SheetError {}

/// One data row of an uploaded workbook.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FilledAnswer {
    pub datapoint: String,
    /// Breakdown key ("" = total).
    pub breakdown: String,
    /// `None` when the row's answer and value are both empty.
    pub answer: Option<Answer>,
    pub comment: Option<String>,
    pub sheet: String,
    /// Row number as Excel shows it.
    pub row: usize,
}

fn file_error(msg: Msg) -> SheetError {
    SheetError {
        sheet: String::new(),
        row: 0,
        column: None,
        msg,
    }
}

/// Reads a filled template. All or nothing: either every row's answer, or
/// every problem found (a file that is not a template for `expect` gives
/// only that problem). Never panics, whatever the bytes.
pub fn read_filled(
    bytes: &[u8],
    expect: &Expect,
    cats: &Catalogs,
    rd: &ReferenceData,
    site_ids: &[String],
) -> Result<Vec<FilledAnswer>, Vec<SheetError>> {
    // A malformed archive must not take the server down with it.
    std::panic::catch_unwind(AssertUnwindSafe(|| read(bytes, expect, cats, rd, site_ids)))
        .unwrap_or_else(|_| {
            Err(vec![file_error(
                Msg::new("sheet-unreadable").arg("detail", "malformed workbook"),
            )])
        })
}

fn read(
    bytes: &[u8],
    expect: &Expect,
    cats: &Catalogs,
    rd: &ReferenceData,
    site_ids: &[String],
) -> Result<Vec<FilledAnswer>, Vec<SheetError>> {
    let unreadable = |e: &dyn fmt::Display| {
        vec![file_error(
            Msg::new("sheet-unreadable").arg("detail", e.to_string()),
        )]
    };
    let mut wb: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(|e| unreadable(&e))?;
    let sheets: Vec<(String, SheetType)> = wb
        .sheets_metadata()
        .iter()
        .map(|s| (s.name.clone(), s.typ))
        .collect();
    if !sheets.iter().any(|(n, _)| n == META_SHEET) {
        return Err(vec![file_error(Msg::new("sheet-not-template"))]);
    }
    let mut budget = MAX_CELLS;
    let meta: Vec<(u32, u32, Option<String>)> = sheet_cells(&mut wb, META_SHEET, 2, &mut budget)?
        .iter()
        .map(|(r, c, d, _)| (*r, *c, meta_text(d)))
        .collect();
    let listed_sheets = check_meta(&meta, expect)?;
    let catalog = cats.catalog(expect.catalog_key).ok_or_else(|| {
        vec![file_error(
            Msg::new("sheet-catalog-unknown").arg("catalog", expect.catalog_key),
        )]
    })?;

    let mut reader = RowReader {
        cats,
        rd,
        catalog_key: expect.catalog_key,
        in_catalog: catalog
            .requirements
            .iter()
            .map(|r| r.datapoint.as_str())
            .collect(),
        sites: site_ids.iter().map(String::as_str).collect(),
        labels: Labels::new(),
        seen: HashMap::new(),
        sheet_names: Vec::new(),
        errors: Vec::new(),
        out: Vec::new(),
    };
    let mut data_sheets = 0;
    for (name, typ) in &sheets {
        if name == META_SHEET || *typ != SheetType::WorkSheet {
            continue;
        }
        let cells = sheet_cells(&mut wb, name, MAX_COLUMNS, &mut budget)?;
        if reader.sheet(name, &cells) {
            data_sheets += 1;
        }
    }
    if data_sheets == 0 && listed_sheets > 0 {
        reader
            .errors
            .push(file_error(Msg::new("sheet-no-data-sheets")));
    }
    if reader.errors.is_empty() {
        Ok(reader.out)
    } else {
        Err(reader.errors)
    }
}

/// Columns of a sheet that are read (A to BL); cells further right are
/// ignored.
pub const MAX_COLUMNS: u32 = 64;

/// Most cells read from one workbook: bounds the memory a hostile or
/// accidental huge file can take (a 100,000-value template has about
/// 1.1 million).
pub const MAX_CELLS: usize = 5_000_000;

/// A cell: 0-based row and column, its value, and whether it is a number
/// shown as a percentage (Excel stores "25%" as 0.25).
type SheetCell<'a> = (u32, u32, DataRef<'a>, bool);

/// Whether a number format shows percentages (`0%`, `0.0%`, not `"%"`
/// as literal text in quotes or escaped).
fn is_percent_format(code: &str) -> bool {
    let mut quoted = false;
    let mut escaped = false;
    for c in code.chars() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '"' => quoted = !quoted,
            '%' if !quoted => return true,
            _ => {}
        }
    }
    false
}

/// The cells of a sheet in its first `max_col` columns, sorted by row
/// and column. Streams the sheet instead of building a dense range, whose
/// size follows the sheet's extent (one stray cell at XFD1048576 would
/// ask for 17 billion cells) rather than its content.
fn sheet_cells<'a, RS: std::io::Read + std::io::Seek>(
    wb: &'a mut Xlsx<RS>,
    name: &str,
    max_col: u32,
    budget: &mut usize,
) -> Result<Vec<SheetCell<'a>>, Vec<SheetError>> {
    let unreadable = |e: calamine::XlsxError| {
        vec![file_error(
            Msg::new("sheet-unreadable").arg("detail", e.to_string()),
        )]
    };
    let mut reader = wb.worksheet_cells_reader(name).map_err(unreadable)?;
    let percent: Vec<bool> = reader
        .styles()
        .iter()
        .map(|s| {
            s.number_format
                .as_ref()
                .is_some_and(|n| is_percent_format(&n.format_code))
        })
        .collect();
    let mut cells: Vec<SheetCell<'a>> = Vec::new();
    while let Some((cell, style)) = reader.next_cell_with_style_id().map_err(unreadable)? {
        let (row, col) = cell.get_position();
        if col >= max_col || matches!(cell.get_value(), DataRef::Empty) {
            continue;
        }
        if *budget == 0 {
            return Err(vec![file_error(
                Msg::new("sheet-too-large").arg("max", MAX_CELLS),
            )]);
        }
        *budget -= 1;
        let value = cell.get_value().clone();
        let shown_as_percent = matches!(value, DataRef::Float(_) | DataRef::Int(_))
            && percent.get(style).copied().unwrap_or(false);
        cells.push((row, col, value, shown_as_percent));
    }
    // Spreadsheet programs write rows and cells in order; sort otherwise.
    if !cells.is_sorted_by_key(|(r, c, ..)| (*r, *c)) {
        cells.sort_by_key(|(r, c, ..)| (*r, *c));
    }
    Ok(cells)
}

/// Text of a cell of the meta sheet.
fn meta_text(d: &DataRef<'_>) -> Option<String> {
    match d {
        DataRef::String(s) => Some(s.trim().to_string()),
        DataRef::SharedString(s) => Some(s.trim().to_string()),
        DataRef::Int(i) => Some(i.to_string()),
        DataRef::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => Some(format!("{}", *f as i64)),
        DataRef::Float(f) => Some(f.to_string()),
        _ => None,
    }
}

/// Checks the identification in [`META_SHEET`] against `expect`;
/// returns the number of data sheets the template was written with.
fn check_meta(
    meta: &[(u32, u32, Option<String>)],
    expect: &Expect,
) -> Result<usize, Vec<SheetError>> {
    // Column A keys, column B values, by row.
    let mut rows: BTreeMap<u32, (String, String)> = BTreeMap::new();
    for (r, c, text) in meta {
        let entry = rows.entry(*r).or_default();
        let text = text.clone().unwrap_or_default();
        if *c == 0 {
            entry.0 = text;
        } else {
            entry.1 = text;
        }
    }
    let mut fields: HashMap<String, String> = HashMap::new();
    let mut marker = false;
    let mut sheets = 0;
    for (key, value) in rows.into_values() {
        match key.as_str() {
            MARKER => marker = true,
            "sheet" => sheets += 1,
            _ => {}
        }
        fields.entry(key).or_insert(value);
    }
    if !marker {
        return Err(vec![file_error(Msg::new("sheet-not-template"))]);
    }
    let field = |name: &str| -> Result<&str, Vec<SheetError>> {
        fields
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
            .ok_or_else(|| {
                vec![file_error(
                    Msg::new("sheet-meta-missing").arg("field", name),
                )]
            })
    };
    let format = field("format")?;
    if format.parse::<u32>().ok() != Some(FORMAT_VERSION) {
        return Err(vec![file_error(
            Msg::new("sheet-format-unsupported").arg("version", format),
        )]);
    }
    let mut errors = Vec::new();
    let uscc = field("uscc")?;
    if !uscc.eq_ignore_ascii_case(expect.uscc) {
        errors.push(file_error(
            Msg::new("sheet-wrong-org")
                .arg("found", uscc)
                .arg("expected", expect.uscc),
        ));
    }
    let catalog = field("catalog")?;
    if catalog != expect.catalog_key {
        errors.push(file_error(
            Msg::new("sheet-wrong-catalog")
                .arg("found", catalog)
                .arg("expected", expect.catalog_key),
        ));
    }
    let year = field("fiscal_year")?;
    if year.parse::<i32>().ok() != Some(expect.fiscal_year) {
        errors.push(file_error(
            Msg::new("sheet-wrong-year")
                .arg("found", year)
                .arg("expected", expect.fiscal_year),
        ));
    }
    if errors.is_empty() {
        Ok(sheets)
    } else {
        Err(errors)
    }
}

/// Reads the data rows of every data sheet, collecting answers and errors.
struct RowReader<'c> {
    cats: &'c Catalogs,
    rd: &'c ReferenceData,
    catalog_key: &'c str,
    in_catalog: HashSet<&'c str>,
    sites: HashSet<&'c str>,
    labels: Labels,
    /// First (sheet index, row) of each (data point, breakdown).
    seen: HashMap<(&'c str, String), (usize, usize)>,
    sheet_names: Vec<String>,
    errors: Vec<SheetError>,
    out: Vec<FilledAnswer>,
}

/// Where a data sheet's columns are.
struct Layout {
    /// Per [`Col`]: 0-based column index in the sheet (below
    /// [`MAX_COLUMNS`]).
    at: [Option<usize>; 10],
    /// Per [`Col`]: `F (值 / Value)` for messages.
    names: Vec<String>,
}

/// A cell's content, borrowed.
#[derive(Clone, Copy)]
enum Cell<'a> {
    Empty,
    Text(&'a str),
    Float(f64),
    /// A number shown as a percentage: 0.25 shown as 25%.
    Percent(f64),
    Int(i64),
    Bool(bool),
    Date(&'a calamine::ExcelDateTime),
    Error(&'a calamine::CellErrorType),
}

impl<'a> Cell<'a> {
    fn of(d: &'a DataRef<'_>, percent: bool) -> Cell<'a> {
        match d {
            DataRef::Float(f) if percent => Cell::Percent(*f),
            DataRef::Int(i) if percent => Cell::Percent(*i as f64),
            DataRef::Empty => Cell::Empty,
            DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => {
                Cell::Text(s.as_str())
            }
            DataRef::SharedString(s) => Cell::Text(s),
            DataRef::Float(f) => Cell::Float(*f),
            DataRef::Int(i) => Cell::Int(*i),
            DataRef::Bool(b) => Cell::Bool(*b),
            DataRef::DateTime(dt) => Cell::Date(dt),
            DataRef::Error(e) => Cell::Error(e),
        }
    }

    fn is_blank(self) -> bool {
        match self {
            Cell::Empty => true,
            Cell::Text(s) => s.trim().is_empty(),
            _ => false,
        }
    }

    /// The cell as text (numbers in their shortest exact form, dates as
    /// `YYYY-MM-DD`), trimmed; `None` if blank.
    fn text(self) -> Result<Option<Cow<'a, str>>, Msg> {
        Ok(match self {
            Cell::Empty => None,
            Cell::Text(s) => Some(s.trim()).filter(|s| !s.is_empty()).map(Cow::Borrowed),
            Cell::Float(f) => Some(Cow::Owned(float_text(f)?)),
            Cell::Percent(f) => Some(Cow::Owned(percent_text(f)?)),
            Cell::Int(i) => Some(Cow::Owned(i.to_string())),
            Cell::Bool(b) => Some(Cow::Borrowed(if b { "true" } else { "false" })),
            Cell::Date(dt) => Some(Cow::Owned(excel_date_text(dt))),
            Cell::Error(e) => return Err(Msg::new("sheet-cell-error").arg("value", e)),
        })
    }

    /// Text of a cell that must not hold a date.
    fn plain_text(self) -> Result<Option<Cow<'a, str>>, Msg> {
        match self {
            Cell::Date(_) => Err(Msg::new("sheet-cell-date")),
            c => c.text(),
        }
    }
}

/// Checks the length of a text cell.
fn check_length(s: &str) -> Result<(), Msg> {
    // Bytes bound characters from above: count only when it may matter.
    if s.len() > MAX_TEXT_CHARS {
        let n = s.chars().count();
        if n > MAX_TEXT_CHARS {
            return Err(Msg::new("sheet-text-too-long")
                .arg("length", n)
                .arg("max", MAX_TEXT_CHARS));
        }
    }
    Ok(())
}

impl<'c> RowReader<'c> {
    /// Reads one worksheet (cells sorted by row and column); returns
    /// whether it is a data sheet.
    fn sheet(&mut self, name: &str, cells: &[SheetCell<'_>]) -> bool {
        let row_of = |r: u32| {
            let from = cells.partition_point(|(row, ..)| *row < r);
            let to = cells.partition_point(|(row, ..)| *row <= r);
            &cells[from..to]
        };
        // The hidden code row (row 1) decides whether this is a data sheet.
        let mut at = [None; 10];
        let mut field_of = [None; MAX_COLUMNS as usize];
        for (_, col, d, _) in row_of(0) {
            if let Cell::Text(s) = Cell::of(d, false)
                && let Some(c) = Col::from_code(s.trim())
                && at[c as usize].is_none()
            {
                at[c as usize] = Some(*col as usize);
                field_of[*col as usize] = Some(c);
            }
        }
        if at[Col::Datapoint as usize].is_none() {
            return false;
        }
        let sheet_idx = self.sheet_names.len();
        self.sheet_names.push(name.to_string());
        let headers = row_of(1);
        let names = Col::ALL
            .iter()
            .map(|c| match at[*c as usize] {
                Some(i) => {
                    let header = headers
                        .iter()
                        .find(|(_, col, ..)| *col as usize == i)
                        .and_then(|(_, _, d, _)| match Cell::of(d, false) {
                            Cell::Text(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
                            _ => None,
                        })
                        .unwrap_or_else(|| c.code().to_string());
                    format!("{} ({header})", column_letters(i))
                }
                None => c.code().to_string(),
            })
            .collect();
        let layout = Layout { at, names };
        let mut broken = false;
        for c in Col::REQUIRED {
            if layout.at[c as usize].is_none() {
                broken = true;
                self.errors.push(SheetError {
                    sheet: name.to_string(),
                    row: 0,
                    column: None,
                    msg: Msg::new("sheet-layout-broken").arg("column", c.code()),
                });
            }
        }
        if broken {
            return true;
        }
        let first = cells.partition_point(|(row, ..)| *row < FIRST_DATA_ROW);
        for group in cells[first..].chunk_by(|a, b| a.0 == b.0) {
            let mut row = [Cell::Empty; 10];
            for (_, col, d, percent) in group {
                if let Some(c) = field_of[*col as usize] {
                    row[c as usize] = Cell::of(d, *percent);
                }
            }
            self.row(sheet_idx, &layout, group[0].0 as usize + 1, &row);
        }
        true
    }

    fn error(&mut self, sheet: usize, layout: &Layout, row: usize, col: Option<Col>, msg: Msg) {
        self.errors.push(SheetError {
            sheet: self.sheet_names[sheet].clone(),
            row,
            column: col.map(|c| layout.names[c as usize].clone()),
            msg,
        });
    }

    /// Reads one data row (`row` as Excel shows it).
    fn row<'r>(&mut self, sheet: usize, layout: &Layout, row: usize, cells: &[Cell<'r>; 10]) {
        let get = |c: Col| cells[c as usize];
        let id_cell = get(Col::Datapoint);
        let answer_cell = get(Col::Answer);
        let value_cell = get(Col::Value);
        let reason_cell = get(Col::Reason);
        let comment_cell = get(Col::Comment);
        let bk_cell = get(Col::Breakdown);
        if [
            id_cell,
            bk_cell,
            answer_cell,
            value_cell,
            reason_cell,
            comment_cell,
        ]
        .iter()
        .all(|c| c.is_blank())
        {
            return;
        }
        let mut ok = true;
        let mut fail = |me: &mut Self, col: Col, msg: Msg| {
            ok = false;
            me.error(sheet, layout, row, Some(col), msg);
        };

        // Identification.
        let id = match id_cell.plain_text() {
            Ok(Some(id)) => id,
            Ok(None) => {
                fail(self, Col::Datapoint, Msg::new("sheet-datapoint-missing"));
                return;
            }
            Err(m) => {
                fail(self, Col::Datapoint, m);
                return;
            }
        };
        let Some(dp) = self.cats.datapoint(&id) else {
            fail(
                self,
                Col::Datapoint,
                Msg::new("sheet-datapoint-unknown").arg("id", &id),
            );
            return;
        };
        if !self.in_catalog.contains(dp.id.as_str()) {
            fail(
                self,
                Col::Datapoint,
                Msg::new("sheet-datapoint-not-in-catalog")
                    .arg("id", &dp.id)
                    .arg("catalog", self.catalog_key),
            );
            return;
        }
        let bk: String = match bk_cell.plain_text() {
            Ok(b) => b.map(Cow::into_owned).unwrap_or_default(),
            Err(m) => {
                fail(self, Col::Breakdown, m);
                return;
            }
        };
        if !self.breakdown_allowed(dp, &bk) {
            fail(
                self,
                Col::Breakdown,
                Msg::new("sheet-breakdown-invalid")
                    .arg("key", &bk)
                    .arg("id", &dp.id),
            );
        } else {
            match self.seen.entry((dp.id.as_str(), bk.clone())) {
                Entry::Occupied(first) => {
                    let (s, r) = *first.get();
                    let msg = Msg::new("sheet-duplicate-row")
                        .arg("sheet", &self.sheet_names[s])
                        .arg("row", r);
                    fail(self, Col::Datapoint, msg);
                }
                Entry::Vacant(v) => {
                    v.insert((sheet, row));
                }
            }
        }

        // Texts.
        let mut text_of = |me: &mut Self, col: Col, cell: Cell<'r>| -> Option<String> {
            match cell.text().and_then(|t| {
                if let Some(s) = &t {
                    check_length(s)?;
                }
                Ok(t)
            }) {
                Ok(t) => t.map(Cow::into_owned),
                Err(m) => {
                    fail(me, col, m);
                    None
                }
            }
        };
        let reason = text_of(self, Col::Reason, reason_cell);
        let comment = text_of(self, Col::Comment, comment_cell);

        // The answer.
        let kind = match answer_cell.plain_text() {
            Ok(None) => None,
            Ok(Some(s)) => match self.labels.answer(&s) {
                Some(k) => Some(k),
                None => {
                    fail(
                        self,
                        Col::Answer,
                        Msg::new("sheet-answer-unknown").arg("value", &s),
                    );
                    return;
                }
            },
            Err(m) => {
                fail(self, Col::Answer, m);
                return;
            }
        };
        let has_value = !value_cell.is_blank();
        let kind = kind.or(has_value.then_some(AnswerKind::Value));
        let answer = match kind {
            None => {
                if reason.is_some() || comment.is_some() {
                    fail(self, Col::Answer, Msg::new("sheet-answer-missing"));
                }
                None
            }
            Some(AnswerKind::Value) => {
                if has_value {
                    self.value(dp, value_cell, get(Col::Unit))
                        .map_err(|(col, m)| fail(self, col, m))
                        .ok()
                        .map(Answer::Value)
                } else {
                    fail(self, Col::Value, Msg::new("sheet-value-missing"));
                    None
                }
            }
            Some(k) => {
                if has_value {
                    fail(
                        self,
                        Col::Value,
                        Msg::new("sheet-value-with-answer").arg("answer", k.label()),
                    );
                }
                match k {
                    AnswerKind::NotApplicable => Some(Answer::NotApplicable { reason }),
                    _ => match reason {
                        Some(reason) => Some(Answer::NotDisclosed { reason }),
                        None => {
                            fail(self, Col::Reason, Msg::new("sheet-reason-missing"));
                            None
                        }
                    },
                }
            }
        };
        if ok && self.errors.is_empty() {
            self.out.push(FilledAnswer {
                datapoint: dp.id.clone(),
                breakdown: bk,
                answer,
                comment,
                sheet: self.sheet_names[sheet].clone(),
                row,
            });
        }
    }

    /// Whether `key` is a breakdown key the data point accepts (the same
    /// rule as [`egret_domain::value::check_breakdown_key`], with the sites
    /// in a set).
    fn breakdown_allowed(&self, dp: &DataPoint, key: &str) -> bool {
        if key.is_empty() {
            return true;
        }
        let Some((b, member)) = key.split_once(':') else {
            return false;
        };
        if !dp.breakdowns.iter().any(|x| x == b) {
            return false;
        }
        let Some(breakdown) = self.cats.breakdown(b) else {
            return false;
        };
        match breakdown.dynamic.as_deref() {
            Some("sites") => self.sites.contains(member),
            _ => breakdown.members.iter().any(|m| m.code == member),
        }
    }

    /// Reads the value and unit cells of a row answered with a value.
    fn value(&self, dp: &DataPoint, cell: Cell<'_>, unit: Cell<'_>) -> Result<Value, (Col, Msg)> {
        let raw = match (cell, dp.kind) {
            (Cell::Date(dt), ValueKind::Date | ValueKind::Text) => Cow::Owned(excel_date_text(dt)),
            (Cell::Date(_), _) => return Err((Col::Value, Msg::new("sheet-cell-date"))),
            _ => cell
                .text()
                .map_err(|m| (Col::Value, m))?
                .unwrap_or_default(),
        };
        if matches!(dp.kind, ValueKind::Text | ValueKind::Table) {
            check_length(&raw).map_err(|m| (Col::Value, m))?;
        }
        let unit_text = unit.plain_text().map_err(|m| (Col::Unit, m))?;
        let unit = match &unit_text {
            Some(u) => resolve_unit(dp, u, self.rd).map_err(|m| (Col::Unit, m))?,
            None => None,
        };
        let input = match dp.kind {
            ValueKind::Boolean => self.labels.boolean_input(&raw),
            ValueKind::Choice => choice_input(dp, &raw),
            _ => &raw,
        };
        Value::parse(dp, input, unit, self.rd).map_err(|m| (Col::Value, m))
    }
}

// ===================================================================== diff

/// A change an upload would make.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change {
    pub datapoint: String,
    pub breakdown: String,
    /// The stored answer and comment, `None` if nothing is stored.
    pub before: Option<(Answer, Option<String>)>,
    /// The uploaded answer and comment. [`diff`] never produces `None`
    /// (uploads do not delete); the field is optional for callers that
    /// describe deletions the same way.
    pub after: Option<(Answer, Option<String>)>,
}

/// A comment as compared: trimmed, empty = none.
fn norm_comment(c: &Option<String>) -> Option<&str> {
    c.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// The changes an upload makes to the stored answers, ordered by
/// (data point, breakdown key).
///
/// - A filled row whose answer and comment equal the stored ones is no
///   change (numbers compare by value: `1.50` equals `1.5`; a different
///   unit is a change).
/// - A row left empty (`answer: None`) is no change, even where an answer
///   is stored: an upload never deletes. Stored answers without a row in
///   the upload are left alone too.
/// - If `filled` holds the same (data point, breakdown) twice (which
///   [`read_filled`] refuses), the later row wins.
pub fn diff(
    stored: &BTreeMap<(String, String), (Answer, Option<String>)>,
    filled: &[FilledAnswer],
) -> Vec<Change> {
    // Latest row per key, in key order, without allocating keys.
    let mut rows: Vec<(usize, &FilledAnswer)> = filled
        .iter()
        .enumerate()
        .filter(|(_, f)| f.answer.is_some())
        .collect();
    rows.sort_unstable_by(|(i, a), (j, b)| {
        (a.datapoint.as_str(), a.breakdown.as_str())
            .cmp(&(b.datapoint.as_str(), b.breakdown.as_str()))
            .then(i.cmp(j))
    });
    let mut changes = Vec::new();
    let mut st = stored.iter().peekable();
    for (k, (_, f)) in rows.iter().enumerate() {
        let key = (f.datapoint.as_str(), f.breakdown.as_str());
        if rows
            .get(k + 1)
            .is_some_and(|(_, n)| (n.datapoint.as_str(), n.breakdown.as_str()) == key)
        {
            continue;
        }
        while st
            .peek()
            .is_some_and(|((d, b), _)| (d.as_str(), b.as_str()) < key)
        {
            st.next();
        }
        let before = st
            .peek()
            .filter(|((d, b), _)| (d.as_str(), b.as_str()) == key)
            .map(|(_, v)| *v);
        let Some(answer) = &f.answer else { continue };
        let same =
            before.is_some_and(|(a, c)| a == answer && norm_comment(c) == norm_comment(&f.comment));
        if !same {
            changes.push(Change {
                datapoint: f.datapoint.clone(),
                breakdown: f.breakdown.clone(),
                before: before.cloned(),
                after: Some((answer.clone(), f.comment.clone())),
            });
        }
    }
    changes
}
