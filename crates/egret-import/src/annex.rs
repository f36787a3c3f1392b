//! The XLSX data annex of a submitted disclosure: every value of the frozen
//! snapshot with its data point, breakdown, unit and provenance, the index
//! of requirements with their status, and the submission's identity and
//! chain digests. Built from the snapshot only, so it always matches the
//! submitted version.

use egret_domain::catalog::Catalogs;
use egret_domain::value::Answer;
use rust_xlsxwriter::{Format, Workbook, XlsxError};
use serde_json::Value as Json;

/// Writes the annex workbook.
pub fn write_annex(
    snapshot: &Json,
    digest: &str,
    prev_digest: &str,
    cats: &Catalogs,
    assured: &std::collections::BTreeMap<String, String>,
) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold();
    let s = |v: &Json| v.as_str().unwrap_or_default().to_string();

    let info = wb.add_worksheet().set_name("提交 Submission")?;
    let org = &snapshot["organisation"];
    let rows = [
        ("单位 Organisation", s(&org["name_zh"])),
        ("统一社会信用代码 Credit code", s(&org["uscc"])),
        ("标准 Catalog", s(&snapshot["catalog"])),
        (
            "期间 Period",
            format!(
                "{} – {}",
                s(&snapshot["period"]["start"]),
                s(&snapshot["period"]["end"])
            ),
        ),
        ("版本 Version", snapshot["version"].to_string()),
        ("更正原因 Reason", s(&snapshot["reason"])),
        ("提交人 Submitted by", s(&snapshot["submitted_by"])),
        ("提交时间 Submitted at", s(&snapshot["submitted_at"])),
        ("SHA-256", digest.to_string()),
        ("前一摘要 Previous digest", prev_digest.to_string()),
    ];
    for (i, (k, v)) in rows.iter().enumerate() {
        info.write_string_with_format(i as u32, 0, *k, &bold)?;
        info.write_string(i as u32, 1, v)?;
    }
    info.set_column_width(0, 28)?;
    info.set_column_width(1, 70)?;

    let values = wb.add_worksheet().set_name("数据 Values")?;
    let head = [
        "数据点 Data point",
        "名称",
        "Name",
        "细分 Breakdown",
        "答案 Answer",
        "数值 Value",
        "单位 Unit",
        "来源 Source",
        "状态 Status",
        "录入 Entered",
        "鉴证 Assured",
    ];
    for (c, h) in head.iter().enumerate() {
        values.write_string_with_format(0, c as u16, *h, &bold)?;
    }
    for (r, v) in (1u32..).zip(snapshot["values"].as_array().into_iter().flatten()) {
        let dp_id = s(&v["datapoint"]);
        let dp = cats.datapoint(&dp_id);
        let answer: Option<Answer> = serde_json::from_value(v["answer"].clone()).ok();
        let (kind, value, unit) = match (&answer, dp) {
            // The canonical text: exact decimals, ISO dates, codes.
            (Some(Answer::Value(val)), _) => {
                let (text, unit) = val.encode();
                ("value", text, unit.unwrap_or_default())
            }
            (Some(Answer::NotApplicable { reason }), _) => (
                "not_applicable",
                reason.clone().unwrap_or_default(),
                String::new(),
            ),
            (Some(Answer::NotDisclosed { reason }), _) => {
                ("not_disclosed", reason.clone(), String::new())
            }
            _ => ("", String::new(), String::new()),
        };
        let cells = [
            dp_id.clone(),
            dp.map(|d| d.name_zh.clone()).unwrap_or_default(),
            dp.map(|d| d.name_en.clone()).unwrap_or_default(),
            s(&v["breakdown"]),
            kind.to_string(),
            value,
            unit,
            format!("{} {}", s(&v["source"]), s(&v["source_ref"]))
                .trim()
                .to_string(),
            s(&v["status"]),
            format!("{} {}", s(&v["entered_by"]), s(&v["entered_at"])),
            assured.get(&dp_id).cloned().unwrap_or_default(),
        ];
        for (c, text) in cells.iter().enumerate() {
            values.write_string(r, c as u16, text)?;
        }
    }
    values.set_column_width(0, 30)?;
    values.set_column_width(1, 30)?;
    values.set_column_width(2, 40)?;

    let index = wb.add_worksheet().set_name("索引 Index")?;
    for (c, h) in [
        "要求 Requirement",
        "条款 Reference",
        "数据点 Data point",
        "义务 Obligation",
        "状态 Status",
    ]
    .iter()
    .enumerate()
    {
        index.write_string_with_format(0, c as u16, *h, &bold)?;
    }
    for (i, q) in snapshot["requirements"]
        .as_array()
        .into_iter()
        .flatten()
        .enumerate()
    {
        let r = i as u32 + 1;
        for (c, key) in ["id", "reference", "datapoint", "obligation", "status"]
            .iter()
            .enumerate()
        {
            index.write_string(r, c as u16, s(&q[*key]))?;
        }
    }
    wb.save_to_buffer()
}
