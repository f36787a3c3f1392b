use super::*;
use egret_domain::org::{Exchange, SizeClass};
use egret_i18n::has_key;
use proptest::prelude::*;
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};

fn rd() -> &'static ReferenceData {
    ReferenceData::embedded()
}

/// (row, column, key) of one error.
type Summary<'a> = (usize, Option<&'a str>, &'a str);

/// (row, column, key) of every error, for exact assertions.
fn summary(out: &ImportOutcome) -> Vec<Summary<'_>> {
    out.errors
        .iter()
        .map(|e| (e.row, e.column.as_deref(), e.msg.key.as_ref()))
        .collect()
}

const SAMPLE: &[u8] = include_bytes!("../../../data/samples/orgs-sample-synthetic.csv");
const BAD: &[u8] = include_bytes!("../../../data/samples/orgs-bad.csv");

const HEADER: &str = "uscc,name_zh,industry_code,ownership,district";
const GOOD_USCC: &str = "91350203MAEGRET01J";

#[test]
fn the_synthetic_sample_imports_cleanly() {
    let out = read_orgs_csv(SAMPLE, rd());
    assert!(out.is_clean(), "{:?}", out.errors);
    let rows: Vec<usize> = out.rows.iter().map(|r| r.row).collect();
    assert_eq!(rows, [2, 3, 4, 5, 6]);

    let first = &out.rows[0].org;
    assert_eq!(first.uscc.as_str(), GOOD_USCC);
    assert_eq!(first.district, "350203");
    assert_eq!(first.zones, ["torch-hitech"]);
    assert!(first.foreign_business && !first.financial_institution);
    assert_eq!(first.revenue_cny, Some(Decimal::from(286_000_000)));
    // Industry, 420 staff and 28,600 万元 revenue: medium.
    assert_eq!(first.size_class, Some(SizeClass::Medium));

    let star = &out.rows[1].org;
    assert_eq!(star.ownership, egret_domain::org::Ownership::LocalSoe);
    assert_eq!(star.listings[0].exchange, Exchange::Sse);
    assert_eq!(star.listings[0].indices, ["star-50"]);
    assert!(star.sr_mandatory(rd()));

    let chinext = &out.rows[2].org;
    assert_eq!(chinext.listings[0].indices, ["chinext", "csi-300"]);
    assert_eq!(chinext.zones, ["ftz-xiamen", "torch-hitech"]);
    assert_eq!(chinext.size_class, Some(SizeClass::Large));

    assert_eq!(out.rows[3].org.name_en, None);
    let lender = &out.rows[4].org;
    assert!(lender.financial_institution);
    assert_eq!(lender.size_class, None);
}

#[test]
fn the_bad_sample_reports_each_problem_where_it_is() {
    let out = read_orgs_csv(BAD, rd());
    assert_eq!(out.rows.len(), 1);
    assert_eq!(out.rows[0].row, 2);
    assert_eq!(
        summary(&out),
        [
            (3, Some("uscc"), "domain-uscc-check"),
            (4, Some("uscc"), "domain-uscc-length"),
            (4, Some("name_zh"), "domain-name-needs-cjk"),
            (4, Some("industry_code"), "domain-industry-unknown"),
            (5, Some("uscc"), "import-duplicate-uscc"),
            (6, Some("ownership"), "domain-code-unknown"),
            (6, Some("listings"), "import-listing-format"),
            (6, Some("foreign_business"), "import-bool"),
            (6, Some("zones"), "domain-zone-unknown"),
            (6, Some("employees"), "import-integer"),
            (
                7,
                Some("financial_institution"),
                "domain-financial-required"
            ),
            (7, Some("district"), "domain-district-unknown"),
            (7, Some("size_basis_year"), "domain-year-range"),
        ]
    );
    let dup = &out.errors[4];
    assert_eq!(dup.msg, Msg::new("import-duplicate-uscc").arg("row", 2));
    assert_eq!(
        dup.to_string(),
        "row 5, uscc: This credit code already appears in row 2."
    );
}

#[test]
fn headers_match_ids_case_insensitively_labels_and_units() {
    let csv = format!(
        "\u{FEFF}USCC,Name ZH,行业代码,Ownership,区,营业收入（元）,Revenue_CNY\n{GOOD_USCC},甲公司,39,private,思明,1,2\n"
    );
    let out = read_orgs_csv(csv.as_bytes(), rd());
    assert_eq!(
        summary(&out),
        [(1, Some("Revenue_CNY"), "import-duplicate-column")]
    );
    let csv = format!(
        "\u{FEFF}USCC,Name ZH,行业代码,Ownership,区,营业收入（元）\n{GOOD_USCC},甲公司,39,private,思明,100\n"
    );
    let out = read_orgs_csv(csv.as_bytes(), rd());
    assert!(out.is_clean(), "{:?}", out.errors);
    assert_eq!(out.rows[0].org.revenue_cny, Some(Decimal::from(100)));
}

#[test]
fn file_level_problems_are_reported_on_row_1() {
    let cases: Vec<(Vec<u8>, Vec<Summary>)> = vec![
        (Vec::new(), vec![(1, None, "import-no-header")]),
        (b"\n , ,\n\n".to_vec(), vec![(1, None, "import-no-header")]),
        // "厦门" in GBK.
        (
            b"uscc\n\xcf\xc3\xc3\xc5\n".to_vec(),
            vec![(1, None, "import-not-utf8")],
        ),
        (
            b"PK\x03\x04rest".to_vec(),
            vec![(1, None, "import-csv-is-xlsx")],
        ),
        (
            format!("{HEADER},colour\n").into_bytes(),
            vec![(1, Some("colour"), "import-unknown-column")],
        ),
        (
            b"uscc,name_zh,industry_code,ownership\n".to_vec(),
            vec![(1, Some("district"), "import-missing-column")],
        ),
    ];
    for (bytes, expected) in cases {
        let out = read_orgs_csv(&bytes, rd());
        assert_eq!(
            summary(&out),
            expected,
            "{}",
            String::from_utf8_lossy(&bytes)
        );
        assert!(out.rows.is_empty());
    }
    let out = read_orgs_csv(b"uscc\n\xcf\xc3\xc3\xc5\n", rd());
    assert_eq!(
        out.errors[0].msg,
        Msg::new("import-not-utf8").arg("line", 2)
    );
    let out = read_orgs_csv(b"name_en\n", rd());
    assert_eq!(out.errors.len(), 5, "every required column is named");
}

#[test]
fn blank_lines_are_skipped_and_rows_keep_their_line_numbers() {
    let second = "91350205MAEGRET02J";
    let csv = format!(
        "{HEADER}\n\n{GOOD_USCC},甲公司,39,private,350203\n,,,,\n{second},乙公司,39,private,350205,extra\n"
    );
    let out = read_orgs_csv(csv.as_bytes(), rd());
    assert_eq!(out.rows.iter().map(|r| r.row).collect::<Vec<_>>(), [3]);
    assert_eq!(summary(&out), [(5, None, "import-unnamed-column")]);
    assert_eq!(out.errors[0].msg.args[0].1, "F");
}

#[test]
fn columns_are_named_as_written_and_missing_values_are_required() {
    let csv = "统一社会信用代码,中文名称,行业代码,所有制,区\n,,,,思明区\n";
    let out = read_orgs_csv(csv.as_bytes(), rd());
    assert_eq!(
        summary(&out),
        [
            (2, Some("统一社会信用代码"), "domain-required"),
            (2, Some("中文名称"), "domain-required"),
            (2, Some("行业代码"), "domain-required"),
            (2, Some("所有制"), "domain-required"),
        ]
    );
}

#[test]
fn listings_and_indices_are_attached_by_exchange() {
    let csv = format!(
        "{HEADER},listings,indices\n\
         {GOOD_USCC},甲公司,39,private,350203,600153.SH；hkex：02020,csi-300;hsi\n\
         91350205MAEGRET02J,乙公司,39,private,350205,,sse-180\n\
         91350206MAEGRET034,丙公司,39,private,350206,szse:300001,sse-180;nope\n"
    );
    let out = read_orgs_csv(csv.as_bytes(), rd());
    let org = &out.rows[0].org;
    assert_eq!(org.listings.len(), 2);
    assert_eq!(
        (org.listings[0].exchange, org.listings[0].indices.as_slice()),
        (Exchange::Sse, &["csi-300".to_string()][..])
    );
    assert_eq!(
        (org.listings[1].exchange, org.listings[1].indices.as_slice()),
        (Exchange::Hkex, &["hsi".to_string()][..])
    );
    assert!(org.sr_mandatory(rd()), "dual-listed");
    assert_eq!(
        summary(&out),
        [
            (3, Some("indices"), "import-index-no-listing"),
            (4, Some("indices"), "import-index-no-listing"),
            (4, Some("indices"), "domain-index-unknown"),
        ]
    );
}

fn xlsx(build: impl FnOnce(&mut rust_xlsxwriter::Worksheet)) -> Vec<u8> {
    let mut wb = Workbook::new();
    build(wb.add_worksheet());
    wb.save_to_buffer().unwrap()
}

#[test]
fn xlsx_with_chinese_headers_and_numeric_cells() {
    let bytes = xlsx(|ws| {
        let headers = [
            "统一社会信用代码",
            "中文名称",
            "行业代码",
            "所有制",
            "区",
            "从业人员",
            "营业收入",
            "涉外业务",
            "规模年度",
        ];
        for (c, h) in headers.iter().enumerate() {
            ws.write_string(0, c as u16, *h).unwrap();
        }
        ws.write_string(1, 0, GOOD_USCC).unwrap();
        ws.write_string(1, 1, "厦门白鹭农业有限公司").unwrap();
        ws.write_number(1, 2, 1).unwrap(); // "01" typed as a number
        ws.write_string(1, 3, "民营企业").unwrap();
        ws.write_number(1, 4, 350211).unwrap();
        ws.write_number(1, 5, 12).unwrap();
        ws.write_number(1, 6, 1234567.89).unwrap();
        ws.write_boolean(1, 7, true).unwrap();
        ws.write_number(1, 8, 2024).unwrap();
        // Row 3 left blank; row 4: an all-digit code Excel stored as a number.
        ws.write_number(3, 0, 913502036120015674.0).unwrap();
        ws.write_string(3, 1, "厦门数字公司").unwrap();
        ws.write_string(3, 2, "65").unwrap();
        ws.write_string(3, 3, "private").unwrap();
        ws.write_string(3, 4, "思明区").unwrap();
        ws.write_number(3, 5, 12.5).unwrap();
        let date = ExcelDateTime::from_ymd(2024, 12, 31).unwrap();
        ws.write_datetime_with_format(3, 8, &date, &Format::new().set_num_format("yyyy-mm-dd"))
            .unwrap();
        // Row 5: the same digits typed as text are fine.
        ws.write_string(4, 0, "913502036120015674").unwrap();
        ws.write_string(4, 1, "厦门数字公司").unwrap();
        ws.write_string(4, 2, "65").unwrap();
        ws.write_string(4, 3, "private").unwrap();
        ws.write_string(4, 4, "思明区").unwrap();
    });
    let out = read_orgs_xlsx(&bytes, rd());
    assert_eq!(
        summary(&out),
        [
            (4, Some("统一社会信用代码"), "import-number-precision"),
            (4, Some("从业人员"), "import-integer"),
            (4, Some("规模年度"), "import-cell-date"),
        ]
    );
    assert_eq!(out.rows.iter().map(|r| r.row).collect::<Vec<_>>(), [2, 5]);
    let org = &out.rows[0].org;
    assert_eq!(org.industry_code, "01");
    assert_eq!(org.district, "350211");
    assert_eq!(org.employees, Some(12));
    assert_eq!(
        org.revenue_cny,
        Some(Decimal::from_str("1234567.89").unwrap())
    );
    assert!(org.foreign_business);
    assert_eq!(org.size_basis_year, Some(2024));
    assert_eq!(org.ownership, egret_domain::org::Ownership::Private);
    assert_eq!(out.rows[1].org.uscc.as_str(), "913502036120015674");
}

#[test]
fn xlsx_header_below_blank_rows_keeps_sheet_row_numbers() {
    let bytes = xlsx(|ws| {
        for (c, h) in [
            "uscc",
            "name_zh",
            "industry_code",
            "ownership",
            "district",
            "colour",
        ]
        .iter()
        .enumerate()
        {
            ws.write_string(2, c as u16 + 1, *h).unwrap();
        }
    });
    let out = read_orgs_xlsx(&bytes, rd());
    assert_eq!(
        summary(&out),
        [(3, Some("colour"), "import-unknown-column")]
    );
}

#[test]
fn unreadable_workbooks_are_file_errors() {
    let out = read_orgs_xlsx(b"not a workbook", rd());
    assert_eq!(summary(&out), [(1, None, "import-xlsx-unreadable")]);
    let out = read_orgs_xlsx(&xlsx(|_| {}), rd());
    assert_eq!(summary(&out), [(1, None, "import-no-header")]);
}

/// Every `"import-…"` / `"domain-…"` literal in this crate exists in both
/// catalogs.
#[test]
fn every_message_key_is_in_both_catalogs() {
    let src = include_str!("lib.rs");
    let mut keys = Vec::new();
    for prefix in ["\"import-", "\"domain-"] {
        let mut rest = src;
        while let Some(i) = rest.find(prefix) {
            let tail = &rest[i + 1..];
            let end = tail.find('"').unwrap_or(tail.len());
            keys.push(&tail[..end]);
            rest = &tail[end..];
        }
    }
    assert!(keys.len() >= 19, "{keys:?}");
    for key in keys {
        for lang in Lang::ALL {
            assert!(has_key(lang, key), "{key} missing in {lang}");
        }
    }
}

#[test]
fn column_letters_follow_spreadsheets() {
    assert_eq!(column_letters(0), "A");
    assert_eq!(column_letters(25), "Z");
    assert_eq!(column_letters(26), "AA");
    assert_eq!(column_letters(701), "ZZ");
    assert_eq!(column_letters(702), "AAA");
}

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic_the_csv_reader(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = read_orgs_csv(&bytes, rd());
    }

    #[test]
    fn arbitrary_text_rows_never_panic(rows in proptest::collection::vec("[^\r\n]{0,80}", 0..6)) {
        let csv = format!("{HEADER},listings,indices,employees,zones\n{}", rows.join("\n"));
        let out = read_orgs_csv(csv.as_bytes(), rd());
        for e in &out.errors {
            prop_assert!(e.row >= 1);
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic_the_xlsx_reader(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
        let _ = read_orgs_xlsx(&bytes, rd());
    }
}

#[test]
fn crlf_and_multi_line_cells_keep_line_numbers() {
    let csv = format!(
        "{HEADER},name_en\r\n\r\n{GOOD_USCC},甲公司,39,private,350203,\"Two\r\nlines\"\r\n91350205MAEGRET02J,乙公司,39,private,nowhere,\r\n"
    );
    let out = read_orgs_csv(csv.as_bytes(), rd());
    assert!(out.rows.is_empty());
    assert_eq!(
        summary(&out),
        [
            (3, Some("name_en"), "domain-control-chars"),
            (5, Some("district"), "domain-district-unknown"),
        ]
    );
}

#[test]
fn the_examples_in_the_format_docs_import_cleanly() {
    let doc = include_str!("../../../docs/import-format.md");
    let blocks: Vec<&str> = doc
        .split("```csv\n")
        .skip(1)
        .map(|b| b.split("```").next().unwrap())
        .collect();
    assert_eq!(blocks.len(), 2);
    for block in blocks {
        let out = read_orgs_csv(block.as_bytes(), rd());
        assert!(out.is_clean() && out.rows.len() == 1, "{:?}", out.errors);
    }
}
