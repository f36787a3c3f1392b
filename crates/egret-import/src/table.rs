//! A plain table (a header row and text rows) as CSV or as an XLSX sheet:
//! the exports of the lists behind the city's figures.

use rust_xlsxwriter::{Format, Workbook, XlsxError};

/// CSV with a header row (UTF-8 with a byte-order mark, so spreadsheet
/// programs read Chinese correctly).
pub fn write_csv(header: &[&str], rows: &[Vec<String>]) -> Vec<u8> {
    let mut out = b"\xEF\xBB\xBF".to_vec();
    {
        let mut w = csv::Writer::from_writer(&mut out);
        // Writing to memory cannot fail.
        w.write_record(header).expect("in-memory CSV");
        for r in rows {
            w.write_record(r).expect("in-memory CSV");
        }
        w.flush().expect("in-memory CSV");
    }
    out
}

/// One worksheet named `sheet` with a bold, frozen header row.
pub fn write_xlsx(
    sheet: &str,
    header: &[&str],
    rows: &[Vec<String>],
) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold();
    let ws = wb.add_worksheet().set_name(sheet)?;
    for (c, h) in (0u16..).zip(header) {
        ws.write_string_with_format(0, c, *h, &bold)?;
        ws.set_column_width(c, 24)?;
    }
    for (r, row) in (1u32..).zip(rows) {
        for (c, v) in (0u16..).zip(row) {
            ws.write_string(r, c, v)?;
        }
    }
    ws.set_freeze_panes(1, 0)?;
    wb.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_and_xlsx_carry_every_row() {
        let rows = vec![
            vec!["甲公司".to_string(), "a,\"b\"".to_string()],
            vec!["乙".to_string(), String::new()],
        ];
        let csv = write_csv(&["名称 Name", "x"], &rows);
        let text = String::from_utf8(csv[3..].to_vec()).unwrap();
        assert_eq!(text, "名称 Name,x\n甲公司,\"a,\"\"b\"\"\"\n乙,\n");
        let xlsx = write_xlsx("列表 List", &["名称 Name", "x"], &rows).unwrap();
        let mut wb: calamine::Xlsx<_> =
            calamine::open_workbook_from_rs(std::io::Cursor::new(xlsx)).unwrap();
        use calamine::Reader;
        let range = wb.worksheet_range("列表 List").unwrap();
        assert_eq!(range.height(), 3);
        assert_eq!(range.get((1, 0)).unwrap().to_string(), "甲公司");
    }
}
