//! The spreadsheet round trip: template → fill → read back, all or nothing.

mod fixture;

use std::collections::{BTreeMap, HashSet};
use std::io::Cursor;
use std::sync::OnceLock;

use calamine::{Data, Reader, SheetVisible, Xlsx};
use chrono::NaiveDate;
use egret_domain::catalog::{Catalogs, ValueKind};
use egret_domain::value::{Answer, Value};
use egret_i18n::{Lang, has_key};
use egret_import::datasheet::{
    Change, Expect, FilledAnswer, META_SHEET, SheetError, TemplateContext, diff, read_filled,
    write_template,
};
use fixture::{catalogs, profile, rd, site_ids, sites};
use proptest::prelude::*;
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};

type Stored = BTreeMap<(String, String), (Answer, Option<String>)>;

const CATALOG: &str = "lite@1";
const YEAR: i32 = 2025;

fn key(dp: &str, bk: &str) -> (String, String) {
    (dp.to_string(), bk.to_string())
}

fn q(x: &str, unit: &str) -> Answer {
    Answer::Value(Value::Quantity {
        amount: x.parse().unwrap(),
        unit: unit.into(),
    })
}

fn v(value: Value) -> Answer {
    Answer::Value(value)
}

/// Stored answers covering every kind, a site breakdown, a number Excel
/// cannot hold exactly, both explanations, comments, and a value for a site
/// that no longer exists.
fn stored() -> Stored {
    let mut s = Stored::new();
    let mut put = |dp: &str, bk: &str, a: Answer, c: Option<&str>| {
        s.insert(key(dp, bk), (a, c.map(str::to_string)));
    };
    put("ghg.scope1", "", q("0.1", "tCO2e"), Some("估算"));
    put(
        "ghg.scope1",
        "site:site-1",
        q("12345678.123456789", "tCO2e"),
        None,
    );
    put("ghg.scope1", "site:site-2", q("1500", "kgCO2e"), None);
    put("ghg.scope1", "site:site-9", q("1", "tCO2e"), None);
    put(
        "energy.total",
        "",
        Answer::NotApplicable {
            reason: Some("无能耗设备".into()),
        },
        None,
    );
    put(
        "finance.revenue",
        "",
        v(Value::Amount {
            amount: "1234567.89".parse().unwrap(),
            unit: "CNY_10k".into(),
        }),
        None,
    );
    put("workforce.headcount", "", v(Value::Count(12)), None);
    put(
        "workforce.headcount",
        "gender:female",
        v(Value::Count(5)),
        None,
    );
    put(
        "workforce.female-share",
        "",
        v(Value::Percentage("41.7".parse().unwrap())),
        None,
    );
    put(
        "workforce.contract",
        "",
        v(Value::Choice("temporary".into())),
        None,
    );
    put("general.policy", "", v(Value::Boolean(true)), None);
    put(
        "general.report-date",
        "",
        v(Value::Date(NaiveDate::from_ymd_opt(2025, 3, 31).unwrap())),
        None,
    );
    put(
        "gov.oversight",
        "",
        Answer::NotDisclosed {
            reason: "保密".into(),
        },
        Some("董事会决议"),
    );
    s
}

fn prior() -> BTreeMap<(String, String), Answer> {
    let mut p = BTreeMap::new();
    p.insert(key("ghg.scope1", ""), q("0.2", "tCO2e"));
    p.insert(
        key("workforce.contract", ""),
        v(Value::Choice("permanent".into())),
    );
    p
}

fn template_for(stored: &Stored, cats: &Catalogs, catalog: &str) -> Vec<u8> {
    let p = profile();
    write_template(&TemplateContext {
        cats,
        catalog: cats.catalog(catalog).unwrap(),
        profile: &p,
        rd: rd(),
        fiscal_year: YEAR,
        sites: &sites(),
        current: stored,
        prior: &prior(),
    })
    .unwrap()
}

fn template(stored: &Stored) -> Vec<u8> {
    template_for(stored, &catalogs(), CATALOG)
}

fn read_as(
    bytes: &[u8],
    uscc: &str,
    catalog: &str,
    year: i32,
) -> Result<Vec<FilledAnswer>, Vec<SheetError>> {
    read_filled(
        bytes,
        &Expect {
            uscc,
            catalog_key: catalog,
            fiscal_year: year,
        },
        &catalogs(),
        rd(),
        &site_ids(),
    )
}

fn read(bytes: &[u8]) -> Result<Vec<FilledAnswer>, Vec<SheetError>> {
    read_as(bytes, profile().uscc.as_str(), CATALOG, YEAR)
}

/// Sheet names of the fixture's template, in order.
fn sheet_names(bytes: &[u8]) -> Vec<String> {
    let wb: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).unwrap();
    wb.sheet_names().to_vec()
}

fn data_sheet(bytes: &[u8], prefix: &str) -> String {
    sheet_names(bytes)
        .into_iter()
        .find(|n| n.starts_with(prefix))
        .unwrap()
}

// ------------------------------------------------------------ the template

#[test]
fn the_template_has_a_guide_one_sheet_per_section_and_a_hidden_id_sheet() {
    let t = template(&stored());
    let mut wb: Xlsx<_> = Xlsx::new(Cursor::new(&t)).unwrap();
    let meta: Vec<(String, SheetVisible)> = wb
        .sheets_metadata()
        .iter()
        .map(|s| (s.name.clone(), s.visible))
        .collect();
    let names: Vec<&str> = meta.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names[0], "说明 Guide");
    assert_eq!(names[1], "env 环境");
    assert_eq!(names[2], "soc 社会");
    // Forbidden characters replaced, cut to 31 characters.
    let gov = names[3];
    assert!(gov.starts_with("gov 治理：董事会_监督_测试_"), "{gov}");
    assert_eq!(gov.encode_utf16().count(), 31, "{gov}");
    // The section without applicable requirements has no sheet.
    assert_eq!(names[4], META_SHEET);
    assert_eq!(names.len(), 5);
    assert_eq!(meta[4].1, SheetVisible::Hidden);

    let id = wb.worksheet_range(META_SHEET).unwrap();
    let pairs: Vec<(String, String)> = id
        .rows()
        .map(|r| (r[0].to_string(), r[1].to_string()))
        .take(5)
        .collect();
    assert_eq!(pairs[1], ("format".into(), "1".into()));
    assert_eq!(pairs[2], ("uscc".into(), profile().uscc.as_str().into()));
    assert_eq!(pairs[3], ("catalog".into(), CATALOG.into()));
    assert_eq!(pairs[4], ("fiscal_year".into(), "2025".into()));

    let env = wb.worksheet_range("env 环境").unwrap();
    let codes: Vec<String> = env
        .rows()
        .next()
        .unwrap()
        .iter()
        .map(|c| c.to_string())
        .collect();
    assert_eq!(
        codes,
        [
            "datapoint",
            "breakdown",
            "name",
            "obligation",
            "answer",
            "value",
            "unit",
            "prior",
            "reason",
            "comment"
        ]
    );
    let header: Vec<String> = env
        .rows()
        .nth(1)
        .unwrap()
        .iter()
        .map(|c| c.to_string())
        .collect();
    assert_eq!(header[5], "值 / Value");
    assert_eq!(header[7], "上年值（2024） / Prior year (2024)");
    let rows: Vec<Vec<Data>> = env.rows().skip(2).map(|r| r.to_vec()).collect();
    let ids: Vec<(String, String)> = rows
        .iter()
        .map(|r| (r[0].to_string(), r[1].to_string()))
        .collect();
    // Total first, then one row per site; the requirement that does not
    // apply (financial institutions only) is left out.
    assert_eq!(
        ids,
        [
            key("ghg.scope1", ""),
            key("ghg.scope1", "site:site-1"),
            key("ghg.scope1", "site:site-2"),
            key("energy.total", ""),
        ]
    );
    assert_eq!(
        rows[0][2].to_string(),
        "范围一排放 / Scope 1 emissions — 合计 / Total"
    );
    assert_eq!(
        rows[1][2].to_string(),
        "范围一排放 / Scope 1 emissions — 场所：一厂 / Site: 一厂"
    );
    // Pre-filled: numbers as numbers (0.1 exactly), a number Excel cannot
    // hold as text, the unit, the prior year and the comment.
    assert_eq!(rows[0][4].to_string(), "填报数值 / Value");
    assert_eq!(rows[0][5], Data::Float(0.1));
    assert_eq!(rows[0][6].to_string(), "tCO2e（吨二氧化碳当量）");
    assert!(rows[0][7].to_string().contains("0.2"), "{:?}", rows[0][7]);
    assert_eq!(rows[0][9].to_string(), "估算");
    assert_eq!(rows[1][5], Data::String("12345678.123456789".into()));
    assert_eq!(rows[3][4].to_string(), "不适用 / Not applicable");
    assert_eq!(rows[3][8].to_string(), "无能耗设备");

    // energy.total is asked again in "gov": it appears only once.
    let gov = wb.worksheet_range(gov).unwrap();
    let gov_ids: Vec<String> = gov.rows().skip(2).map(|r| r[0].to_string()).collect();
    assert_eq!(
        gov_ids,
        [
            "general.policy",
            "general.report-date",
            "gov.oversight",
            "finance.revenue"
        ]
    );
    let gov_rows: Vec<Vec<Data>> = gov.rows().skip(2).map(|r| r.to_vec()).collect();
    assert_eq!(gov_rows[0][5].to_string(), "是 / Yes");
    assert!(
        matches!(gov_rows[1][5], Data::DateTime(_)),
        "{:?}",
        gov_rows[1][5]
    );
    assert_eq!(gov_rows[3][6].to_string(), "CNY_10k（万元）");

    let guide = wb.worksheet_range("说明 Guide").unwrap();
    let text: String = guide
        .rows()
        .flat_map(|r| r.iter().map(|c| c.to_string()))
        .collect::<Vec<_>>()
        .join("\n");
    assert!(text.contains("厦门表格测试有限公司"));
    assert!(text.contains("Fiscal year: 2025"));
    assert!(text.contains("gov.oversight"), "required items are listed");
}

#[test]
fn an_unchanged_template_reads_back_with_no_changes() {
    let s = stored();
    let filled = read(&template(&s)).unwrap();
    assert_eq!(filled.len(), 13, "every template row is read: {filled:?}");
    for f in &filled {
        let k = key(&f.datapoint, &f.breakdown);
        match s.get(&k) {
            Some((a, c)) => {
                assert_eq!(f.answer.as_ref(), Some(a), "{k:?}");
                assert_eq!(&f.comment, c, "{k:?}");
            }
            None => assert_eq!(f.answer, None, "{k:?}"),
        }
    }
    let scope1 = filled.iter().find(|f| f.datapoint == "ghg.scope1").unwrap();
    assert_eq!((scope1.sheet.as_str(), scope1.row), ("env 环境", 3));
    assert!(diff(&s, &filled).is_empty(), "{:?}", diff(&s, &filled));
}

#[test]
fn an_empty_template_reads_back_as_empty_rows() {
    let filled = read(&template(&Stored::new())).unwrap();
    assert_eq!(filled.len(), 13);
    assert!(
        filled
            .iter()
            .all(|f| f.answer.is_none() && f.comment.is_none())
    );
    assert!(
        diff(&stored(), &filled).is_empty(),
        "empty rows delete nothing"
    );
}

// ------------------------------------------------------- filling it in

/// A change to make to a copied workbook.
enum Edit {
    Text(&'static str),
    Owned(String),
    Num(f64),
    /// A number with a percentage format, as Excel stores "45.5%".
    Percent(f64),
    Date(u16, u8, u8),
    Blank,
}

/// Copies the template's cells into a new workbook, as a user's spreadsheet
/// program would save it, with `edits` applied: (sheet, row as Excel shows
/// it, column letter, edit). Sheets are renamed by `rename` and an extra
/// sheet of the user's is added when `extra` is set.
fn filled_copy_with(
    bytes: &[u8],
    edits: &[(&str, u32, char, Edit)],
    rename: &[(&str, &str)],
    extra: bool,
) -> Vec<u8> {
    let mut src: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).unwrap();
    let mut wb = Workbook::new();
    // Spreadsheet programs give typed dates a date format.
    let date_format = Format::new().set_num_format("yyyy-mm-dd");
    let percent_format = Format::new().set_num_format("0.0%");
    for name in src.sheet_names().to_vec() {
        let range = src.worksheet_range(&name).unwrap();
        let ws = wb.add_worksheet();
        let new_name = rename
            .iter()
            .find(|(a, _)| *a == name)
            .map_or(name.as_str(), |(_, b)| b);
        ws.set_name(new_name).unwrap();
        let mine: Vec<&(&str, u32, char, Edit)> = edits.iter().filter(|e| e.0 == name).collect();
        let (r0, c0) = range.start().unwrap_or((0, 0));
        for (r, row) in range.rows().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                let (r, c) = (r0 + r as u32, (c0 as usize + c) as u16);
                if mine
                    .iter()
                    .any(|e| e.1 == r + 1 && (e.2 as u16 - 'A' as u16) == c)
                {
                    continue;
                }
                match cell {
                    Data::String(s) => {
                        ws.write_string(r, c, s).unwrap();
                    }
                    Data::Float(f) => {
                        ws.write_number(r, c, *f).unwrap();
                    }
                    Data::Int(i) => {
                        ws.write_number(r, c, *i as f64).unwrap();
                    }
                    Data::Bool(b) => {
                        ws.write_boolean(r, c, *b).unwrap();
                    }
                    Data::DateTime(d) => {
                        let x = ExcelDateTime::from_serial_datetime(d.as_f64()).unwrap();
                        ws.write_datetime_with_format(r, c, x, &date_format)
                            .unwrap();
                    }
                    _ => {}
                }
            }
        }
        for (_, row, col, edit) in mine {
            let (r, c) = (*row - 1, *col as u16 - 'A' as u16);
            match edit {
                Edit::Text(t) => {
                    ws.write_string(r, c, *t).unwrap();
                }
                Edit::Owned(t) => {
                    ws.write_string(r, c, t).unwrap();
                }
                Edit::Num(n) => {
                    ws.write_number(r, c, *n).unwrap();
                }
                Edit::Percent(n) => {
                    ws.write_number_with_format(r, c, *n, &percent_format)
                        .unwrap();
                }
                Edit::Date(y, m, d) => {
                    let x = ExcelDateTime::from_ymd(*y, *m, *d).unwrap();
                    ws.write_datetime_with_format(r, c, x, &date_format)
                        .unwrap();
                }
                Edit::Blank => {}
            }
        }
    }
    if extra {
        let ws = wb.add_worksheet();
        ws.set_name("我的草稿").unwrap();
        ws.write_string(0, 0, "datapoints I still need to ask about")
            .unwrap();
        ws.write_string(2, 0, "ghg.scope1").unwrap();
    }
    wb.save_to_buffer().unwrap()
}

fn filled_copy(bytes: &[u8], edits: &[(&str, u32, char, Edit)]) -> Vec<u8> {
    filled_copy_with(bytes, edits, &[], false)
}

#[test]
fn a_filled_template_gives_exactly_the_changed_answers() {
    let s = stored();
    let t = template(&s);
    let (env, soc, gov) = (
        data_sheet(&t, "env"),
        data_sheet(&t, "soc"),
        data_sheet(&t, "gov"),
    );
    let (env, soc, gov) = (env.as_str(), soc.as_str(), gov.as_str());
    let filled = filled_copy(
        &t,
        &[
            // A number cell: 0.3 must stay exactly 0.3.
            (env, 3, 'F', Edit::Num(0.3)),
            // Zh answer label, number typed as text, another unit.
            (env, 4, 'E', Edit::Text("数值")),
            (env, 4, 'F', Edit::Text("1,234.5")),
            (env, 4, 'G', Edit::Text("kgCO2e")),
            // Emptied row where a value is stored: not a deletion.
            (env, 5, 'E', Edit::Blank),
            (env, 5, 'F', Edit::Blank),
            // Not applicable → a value, unit by its Chinese name; the old
            // reason is ignored.
            (env, 6, 'E', Edit::Text("value")),
            (env, 6, 'F', Edit::Num(1500.0)),
            (env, 6, 'G', Edit::Text("吨标准煤")),
            // Only the comment changes.
            (soc, 3, 'J', Edit::Text("含外包人员")),
            // A value without an answer counts as a value.
            (soc, 5, 'F', Edit::Num(7.0)),
            // "45.5%" typed into Excel is stored as 0.455.
            (soc, 6, 'F', Edit::Percent(0.455)),
            // Choice by its Chinese label, boolean as 否, a date cell.
            (soc, 7, 'F', Edit::Text("长期")),
            (gov, 3, 'F', Edit::Text("否")),
            (gov, 4, 'F', Edit::Date(2025, 4, 30)),
            // Not disclosed → not applicable (drop-down entry), no reason.
            (gov, 5, 'E', Edit::Text("不适用 / Not applicable")),
            (gov, 5, 'I', Edit::Blank),
        ],
    );
    let answers = read(&filled).unwrap();
    let changes = diff(&s, &answers);
    let summary: Vec<(&str, &str, Option<&Answer>, Option<&str>)> = changes
        .iter()
        .map(|c: &Change| {
            let (a, comment) = c.after.as_ref().unwrap();
            (
                c.datapoint.as_str(),
                c.breakdown.as_str(),
                Some(a),
                comment.as_deref(),
            )
        })
        .collect();
    let date = v(Value::Date(NaiveDate::from_ymd_opt(2025, 4, 30).unwrap()));
    let expected: Vec<(&str, &str, Answer, Option<&str>)> = vec![
        ("energy.total", "", q("1500", "tce"), None),
        ("general.policy", "", v(Value::Boolean(false)), None),
        ("general.report-date", "", date, None),
        ("ghg.scope1", "", q("0.3", "tCO2e"), Some("估算")),
        ("ghg.scope1", "site:site-1", q("1234.5", "kgCO2e"), None),
        (
            "gov.oversight",
            "",
            Answer::NotApplicable { reason: None },
            Some("董事会决议"),
        ),
        (
            "workforce.contract",
            "",
            v(Value::Choice("permanent".into())),
            None,
        ),
        (
            "workforce.female-share",
            "",
            v(Value::Percentage("45.5".parse().unwrap())),
            None,
        ),
        (
            "workforce.headcount",
            "",
            v(Value::Count(12)),
            Some("含外包人员"),
        ),
        (
            "workforce.headcount",
            "gender:male",
            v(Value::Count(7)),
            None,
        ),
    ];
    let expected: Vec<(&str, &str, Option<&Answer>, Option<&str>)> = expected
        .iter()
        .map(|(d, b, a, c)| (*d, *b, Some(a), *c))
        .collect();
    assert_eq!(summary, expected);
    // Exactly 0.3, not 0.299999…
    assert_eq!(
        changes[3].after.as_ref().unwrap().0,
        q("0.3", "tCO2e"),
        "{:?}",
        changes[3]
    );
    assert_eq!(changes[3].before, s.get(&key("ghg.scope1", "")).cloned());
    assert_eq!(changes[9].before, None, "a new value has nothing before");
    let emptied = answers
        .iter()
        .find(|f| f.breakdown == "site:site-2")
        .unwrap();
    assert_eq!(emptied.answer, None);
}

#[test]
fn renamed_sheets_are_read_and_the_users_own_sheets_ignored() {
    let s = stored();
    let t = template(&s);
    let soc = data_sheet(&t, "soc");
    let copy = filled_copy_with(
        &t,
        &[(soc.as_str(), 6, 'F', Edit::Num(50.0))],
        &[(soc.as_str(), "员工")],
        true,
    );
    let answers = read(&copy).unwrap();
    let changes = diff(&s, &answers);
    assert_eq!(changes.len(), 1, "{changes:?}");
    assert_eq!(changes[0].datapoint, "workforce.female-share");
    let row = answers
        .iter()
        .find(|f| f.datapoint == "workforce.female-share")
        .unwrap();
    assert_eq!((row.sheet.as_str(), row.row), ("员工", 6));
}

// ------------------------------------------------------------- refusals

#[test]
fn a_file_with_errors_is_refused_whole_and_every_error_is_located() {
    let t = template(&stored());
    let (env, soc, gov) = (
        data_sheet(&t, "env"),
        data_sheet(&t, "soc"),
        data_sheet(&t, "gov"),
    );
    let (env, soc, gov) = (env.as_str(), soc.as_str(), gov.as_str());
    let bad = filled_copy(
        &t,
        &[
            (env, 3, 'F', Edit::Text("lots")),
            (env, 4, 'G', Edit::Text("kg")),
            (env, 5, 'F', Edit::Date(2025, 1, 1)),
            (env, 6, 'E', Edit::Text("不披露")),
            (env, 6, 'I', Edit::Blank),
            (soc, 3, 'E', Edit::Text("maybe")),
            (soc, 4, 'F', Edit::Percent(0.5)),
            (soc, 6, 'E', Edit::Text("不适用")),
            // Rows added at the end by the user.
            (soc, 8, 'A', Edit::Text("workforce.headcount")),
            (soc, 8, 'B', Edit::Text("gender:female")),
            (soc, 8, 'F', Edit::Num(1.0)),
            (soc, 9, 'A', Edit::Text("nope.dp")),
            (soc, 9, 'F', Edit::Num(1.0)),
            (soc, 10, 'A', Edit::Text("ghg.scope1")),
            (soc, 10, 'B', Edit::Text("site:site-9")),
            (soc, 10, 'F', Edit::Num(1.0)),
            (soc, 11, 'A', Edit::Text("other.metric")),
            (soc, 11, 'F', Edit::Num(1.0)),
            (soc, 12, 'J', Edit::Text("a comment on a row without id")),
            (gov, 3, 'J', Edit::Owned("长".repeat(20_001))),
            (gov, 5, 'E', Edit::Blank),
            (gov, 6, 'F', Edit::Text("12.5.3")),
        ],
    );
    let errs = read(&bad).unwrap_err();
    let found: Vec<(&str, usize, Option<&str>, &str)> = errs
        .iter()
        .map(|e| {
            (
                e.sheet.as_str(),
                e.row,
                e.column.as_deref(),
                e.msg.key.as_ref(),
            )
        })
        .collect();
    let (a, b, e, f, g, i, j) = (
        Some("A (数据点 / Data point)"),
        Some("B (细分 / Breakdown)"),
        Some("E (填报方式 / Answer)"),
        Some("F (值 / Value)"),
        Some("G (单位 / Unit)"),
        Some("I (原因 / Reason)"),
        Some("J (备注 / Comment)"),
    );
    assert_eq!(
        found,
        [
            (env, 3, f, "value-not-number"),
            (env, 4, g, "sheet-unit-dimension"),
            (env, 5, f, "sheet-cell-date"),
            (env, 6, i, "sheet-reason-missing"),
            (soc, 3, e, "sheet-answer-unknown"),
            (soc, 4, f, "value-not-number"),
            (soc, 6, f, "sheet-value-with-answer"),
            (soc, 8, a, "sheet-duplicate-row"),
            (soc, 9, a, "sheet-datapoint-unknown"),
            (soc, 10, b, "sheet-breakdown-invalid"),
            (soc, 11, a, "sheet-datapoint-not-in-catalog"),
            (soc, 12, a, "sheet-datapoint-missing"),
            (gov, 3, j, "sheet-text-too-long"),
            (gov, 5, e, "sheet-answer-missing"),
            (gov, 6, f, "value-not-number"),
        ]
    );
    // Messages exist in both languages and say what is expected.
    for err in &errs {
        for lang in Lang::ALL {
            let text = err.msg.render(lang);
            assert!(!text.starts_with('[') && !text.contains('{'), "{text}");
        }
    }
    let unit = &errs[1];
    let en = unit.msg.render(Lang::En);
    assert!(
        en.contains("Greenhouse gas emissions"),
        "names the dimension: {en}"
    );
    assert!(en.contains("tCO2e"), "names the allowed units: {en}");
    assert!(errs[5].msg.render(Lang::En).contains("50%"), "as shown");
    let dup = errs[7].msg.render(Lang::En);
    assert!(dup.contains(&format!("“{soc}”, row 4")), "{dup}");
    let long = errs[12].msg.render(Lang::En);
    assert!(long.contains("20001") && long.contains("20000"), "{long}");
    assert_eq!(
        errs[0].to_string(),
        format!(
            "sheet “{env}”, row 3, column F (值 / Value), {}",
            errs[0].msg.render(Lang::En)
        )
    );
}

#[test]
fn templates_for_another_organisation_catalog_or_year_are_refused() {
    let t = template(&stored());
    let uscc = profile().uscc.as_str().to_string();
    let other = fixture::profile_with("91350206MA0000043");

    let e = read_as(&t, &uscc, CATALOG, 2024).unwrap_err();
    assert_eq!(e.len(), 1);
    assert_eq!(e[0].msg.key, "sheet-wrong-year");
    assert_eq!(
        (e[0].sheet.as_str(), e[0].row, &e[0].column),
        ("", 0, &None)
    );

    let e = read_as(&t, other.uscc.as_str(), CATALOG, YEAR).unwrap_err();
    assert_eq!(e[0].msg.key, "sheet-wrong-org");
    assert!(e[0].msg.render(Lang::ZhCn).contains(&uscc));

    let e = read_as(&t, &uscc, "lite@2", YEAR).unwrap_err();
    assert_eq!(e[0].msg.key, "sheet-wrong-catalog");

    let e = read_as(&t, other.uscc.as_str(), "lite@2", 2030).unwrap_err();
    let keys: Vec<&str> = e.iter().map(|e| e.msg.key.as_ref()).collect();
    assert_eq!(
        keys,
        ["sheet-wrong-org", "sheet-wrong-catalog", "sheet-wrong-year"]
    );
}

#[test]
fn files_that_are_not_templates_are_refused() {
    let mut wb = Workbook::new();
    wb.add_worksheet().write_string(0, 0, "hello").unwrap();
    let e = read(&wb.save_to_buffer().unwrap()).unwrap_err();
    assert_eq!(e.len(), 1);
    assert_eq!(e[0].msg.key, "sheet-not-template");

    let e = read(b"not a zip").unwrap_err();
    assert_eq!(e[0].msg.key, "sheet-unreadable");
    let e = read(b"").unwrap_err();
    assert_eq!(e[0].msg.key, "sheet-unreadable");

    // A template whose data sheets were all deleted.
    let t = template(&stored());
    let mut src: Xlsx<_> = Xlsx::new(Cursor::new(&t)).unwrap();
    let id = src.worksheet_range(META_SHEET).unwrap();
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name(META_SHEET).unwrap();
    for (r, row) in id.rows().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            if let Data::String(s) = cell {
                ws.write_string(r as u32, c as u16, s).unwrap();
            }
        }
    }
    let e = read(&wb.save_to_buffer().unwrap()).unwrap_err();
    assert_eq!(e[0].msg.key, "sheet-no-data-sheets");
}

// ------------------------------------------------------ shipped catalogs

/// A plausible value of every kind, for the shipped catalogs' round trip.
fn sample(dp: &egret_domain::catalog::DataPoint) -> Answer {
    match dp.kind {
        ValueKind::Quantity => q("1.5", dp.unit.as_deref().unwrap()),
        // Revenue in a foreign currency: it must survive the round trip
        // with its currency.
        ValueKind::Amount => v(Value::Amount {
            amount: "2500.75".parse().unwrap(),
            unit: if dp.id == "finance.revenue" {
                "USD".into()
            } else {
                dp.unit.clone().unwrap()
            },
        }),
        ValueKind::Count => v(Value::Count(3)),
        ValueKind::Percentage => v(Value::Percentage("12.5".parse().unwrap())),
        ValueKind::Boolean => v(Value::Boolean(false)),
        ValueKind::Choice => v(Value::Choice(dp.choices[0].code.clone())),
        ValueKind::Date => v(Value::Date(NaiveDate::from_ymd_opt(2025, 6, 30).unwrap())),
        ValueKind::Text => v(Value::Text("见年度报告 / see the annual report".into())),
        ValueKind::Table => Answer::NotApplicable {
            reason: Some("n/a".into()),
        },
    }
}

#[test]
fn every_shipped_catalog_round_trips() {
    let cats = Catalogs::embedded();
    let p = profile();
    let mut seen = 0;
    for catalog in cats.catalogs() {
        let mut current = Stored::new();
        for r in &catalog.requirements {
            let dp = cats.datapoint(&r.datapoint).unwrap();
            current.insert(key(&dp.id, ""), (sample(dp), Some("备注".into())));
        }
        let bytes = write_template(&TemplateContext {
            cats,
            catalog,
            profile: &p,
            rd: rd(),
            fiscal_year: YEAR,
            sites: &sites(),
            current: &current,
            prior: &BTreeMap::new(),
        })
        .unwrap();
        let filled = read_filled(
            &bytes,
            &Expect {
                uscc: p.uscc.as_str(),
                catalog_key: &catalog.key(),
                fiscal_year: YEAR,
            },
            cats,
            rd(),
            &site_ids(),
        )
        .unwrap_or_else(|e| panic!("{}: {:?}", catalog.key(), &e[..e.len().min(5)]));
        let changes = diff(&current, &filled);
        assert!(changes.is_empty(), "{}: {:?}", catalog.key(), &changes[..1]);
        let names: HashSet<&str> = filled.iter().map(|f| f.sheet.as_str()).collect();
        assert!(names.iter().all(|n| n.encode_utf16().count() <= 31));
        seen += 1;
    }
    assert!(seen >= 2, "shipped catalogs: {seen}");
    for wanted in ["xm-lite@1", "cn-exchange-sr@2024"] {
        assert!(cats.catalog(wanted).is_some(), "{wanted} is shipped");
    }
}

// ---------------------------------------------------------------- i18n

#[test]
fn every_message_key_of_the_module_is_in_both_catalogs() {
    let src = include_str!("../src/datasheet.rs");
    let mut keys: Vec<String> = Vec::new();
    let mut rest = src;
    while let Some(i) = rest.find("\"sheet-") {
        let tail = &rest[i + 1..];
        let end = tail.find('"').unwrap();
        let k = &tail[..end];
        if !k.ends_with('-') && !k.contains('{') {
            keys.push(k.to_string());
        }
        rest = &tail[end..];
    }
    keys.extend((1..=7).map(|i| format!("sheet-guide-step-{i}")));
    assert!(keys.len() > 40, "{keys:?}");
    for k in keys {
        for lang in Lang::ALL {
            assert!(has_key(lang, &k), "{k} missing in {lang}");
        }
    }
}

// ---------------------------------------------------------- robustness

fn template_bytes() -> &'static [u8] {
    static T: OnceLock<Vec<u8>> = OnceLock::new();
    T.get_or_init(|| template(&stored()))
}

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic_the_reader(
        bytes in proptest::collection::vec(any::<u8>(), 0..4096)
    ) {
        let _ = read(&bytes);
    }

    #[test]
    fn damaged_templates_never_panic_the_reader(
        flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
        cut in any::<prop::sample::Index>(),
        truncate in any::<bool>(),
    ) {
        let mut bytes = template_bytes().to_vec();
        for (at, b) in flips {
            let i = at.index(bytes.len());
            bytes[i] = b;
        }
        if truncate {
            bytes.truncate(cut.index(bytes.len()));
        }
        match read(&bytes) {
            Ok(rows) => prop_assert!(rows.len() <= 13),
            Err(errors) => prop_assert!(!errors.is_empty()),
        }
    }
}

#[test]
fn a_stray_cell_far_away_costs_nothing() {
    // A dense reader would allocate rows × columns cells for this sheet
    // (17 billion); the template is read cell by cell instead.
    let s = stored();
    let t = template(&s);
    let soc = data_sheet(&t, "soc");
    let mut copy = filled_copy_with(&t, &[], &[], true);
    let mut src: Xlsx<_> = Xlsx::new(Cursor::new(&copy)).unwrap();
    let mut wb = Workbook::new();
    for name in src.sheet_names().to_vec() {
        let range = src.worksheet_range(&name).unwrap();
        let ws = wb.add_worksheet();
        ws.set_name(&name).unwrap();
        for (r, row) in range.rows().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                match cell {
                    Data::String(x) => ws.write_string(r as u32, c as u16, x).unwrap(),
                    Data::Float(f) => ws.write_number(r as u32, c as u16, *f).unwrap(),
                    Data::DateTime(d) => {
                        let x = ExcelDateTime::from_serial_datetime(d.as_f64()).unwrap();
                        let f = Format::new().set_num_format("yyyy-mm-dd");
                        ws.write_datetime_with_format(r as u32, c as u16, x, &f)
                            .unwrap()
                    }
                    _ => ws,
                };
            }
        }
        if name == soc || name == "我的草稿" {
            ws.write_string(1_048_575, 16_383, "far away").unwrap();
        }
    }
    copy = wb.save_to_buffer().unwrap();
    let filled = read(&copy).unwrap();
    assert_eq!(filled.len(), 13);
    assert!(diff(&s, &filled).is_empty());
}

// ------------------------------------------------------- a real office suite

/// LibreOffice Calc (Debian `libreoffice-calc-nogui`), or None outside CI
/// when it is missing.
fn soffice() -> Option<&'static str> {
    let path = "/usr/bin/soffice";
    if std::path::Path::new(path).exists() {
        return Some(path);
    }
    assert!(
        std::env::var("CI").is_err(),
        "CI must install libreoffice-calc-nogui for the office round trip"
    );
    None
}

/// The template opened and saved again by LibreOffice Calc — a real office
/// program that rewrites every part of the file in its own way (shared
/// strings, styles, validations) — still reads back with no changes and
/// keeps its drop-downs. What users do in Excel or WPS is the same: open,
/// fill, save.
#[test]
fn a_template_saved_by_libreoffice_reads_back_unchanged() {
    let Some(soffice) = soffice() else {
        eprintln!("skipped: LibreOffice is not installed");
        return;
    };
    let cats = Catalogs::embedded();
    let catalog = cats.catalog("xm-lite@1").unwrap();
    let p = profile();
    let mut current = Stored::new();
    for r in &catalog.requirements {
        let dp = cats.datapoint(&r.datapoint).unwrap();
        current.insert(key(&dp.id, ""), (sample(dp), Some("备注".into())));
    }
    let bytes = write_template(&TemplateContext {
        cats,
        catalog,
        profile: &p,
        rd: rd(),
        fiscal_year: YEAR,
        sites: &sites(),
        current: &current,
        prior: &BTreeMap::new(),
    })
    .unwrap();
    let dir = std::env::temp_dir().join(format!("egret-lo-{}", std::process::id()));
    let (inp, out) = (dir.join("in"), dir.join("out"));
    std::fs::create_dir_all(&inp).unwrap();
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(inp.join("template.xlsx"), &bytes).unwrap();
    let status = std::process::Command::new(soffice)
        .arg(format!(
            "-env:UserInstallation=file://{}/profile",
            dir.display()
        ))
        .args(["--headless", "--norestore", "--convert-to"])
        .arg("xlsx:Calc MS Excel 2007 XML")
        .arg("--outdir")
        .arg(&out)
        .arg(inp.join("template.xlsx"))
        .status()
        .expect("soffice runs");
    assert!(status.success());
    let resaved = std::fs::read(out.join("template.xlsx")).expect("LibreOffice wrote the file");
    std::fs::remove_dir_all(&dir).ok();
    assert_ne!(resaved, bytes, "LibreOffice rewrote the file");
    let filled = read_filled(
        &resaved,
        &Expect {
            uscc: p.uscc.as_str(),
            catalog_key: &catalog.key(),
            fiscal_year: YEAR,
        },
        cats,
        rd(),
        &site_ids(),
    )
    .unwrap_or_else(|e| panic!("{:?}", &e[..e.len().min(5)]));
    let changes = diff(&current, &filled);
    assert!(changes.is_empty(), "{:?}", &changes[..changes.len().min(3)]);
    // The drop-downs survive the trip.
    let wb: Xlsx<_> = Xlsx::new(Cursor::new(resaved.clone())).unwrap();
    assert!(wb.sheet_names().iter().any(|n| n == META_SHEET));
    assert!(
        zip_sheet_xml(&resaved)
            .iter()
            .any(|x| x.contains("<dataValidation")),
        "data validations are kept"
    );
}

/// The XML of every worksheet in an xlsx file.
fn zip_sheet_xml(bytes: &[u8]) -> Vec<String> {
    use std::io::Read;
    let mut z = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    let mut out = Vec::new();
    for i in 0..z.len() {
        let mut f = z.by_index(i).unwrap();
        if f.name().unwrap().starts_with("xl/worksheets/sheet") {
            let mut s = String::new();
            f.read_to_string(&mut s).unwrap();
            out.push(s);
        }
    }
    out
}
