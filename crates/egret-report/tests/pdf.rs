//! A typeset report: Chinese text embedded and extractable, several pages
//! (cover, contents, a long table that breaks across pages), page numbers.

use std::process::Command;

use egret_report::{Fonts, TEMPLATE, render_pdf};
use serde_json::json;

fn tool(name: &str) -> Option<String> {
    let path = format!("/usr/bin/{name}");
    if std::path::Path::new(&path).exists() {
        return Some(path);
    }
    assert!(
        std::env::var("CI").is_err(),
        "CI must install poppler-utils and fonts-wqy-microhei for the PDF test"
    );
    None
}

#[test]
fn a_report_typesets_with_chinese_text_and_page_numbers() {
    let fonts = Fonts::load(std::path::Path::new(egret_report::DEFAULT_FONT_DIR));
    let pdf = render_pdf(TEMPLATE, &egret_report::sample_report(3, 40), &fonts).unwrap();
    assert!(pdf.starts_with(b"%PDF"));
    let (Some(pdftotext), Some(pdfinfo)) = (tool("pdftotext"), tool("pdfinfo")) else {
        eprintln!("skipped the text check: poppler-utils missing");
        return;
    };
    assert!(fonts.directory_faces > 0, "a CJK font is installed");
    let dir = std::env::temp_dir().join(format!("egret-pdf-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("r.pdf");
    std::fs::write(&file, &pdf).unwrap();
    let info =
        String::from_utf8(Command::new(pdfinfo).arg(&file).output().unwrap().stdout).unwrap();
    let pages: usize = info
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok())
        .unwrap();
    assert!(
        pages >= 4,
        "cover, contents and a table over pages: {pages}"
    );
    let text = String::from_utf8(
        Command::new(pdftotext)
            .arg(&file)
            .arg("-")
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    std::fs::remove_dir_all(&dir).ok();
    for want in [
        "厦门白鹭测试股份有限公司",
        "范围一温室气体排放量",
        "1119 吨二氧化碳当量",
        "已鉴证",
        "目录",
        // The narrative and the comparatives' year columns.
        "可持续发展委员会",
        "财年2024",
        "1010 吨二氧化碳当量",
    ] {
        // typst puts a thin space between Chinese and Latin text, which
        // the extractor turns into a space.
        assert!(
            text.replace(' ', "").contains(&want.replace(' ', "")),
            "{want} missing from the PDF text"
        );
    }
    // Numbered from the contents page on (the cover has none); the text
    // extractor drops the spaces around the slash.
    assert!(
        text.replace(' ', "").contains(&format!("2/{}", pages - 1)),
        "page numbers"
    );
}

#[test]
fn template_errors_are_reported_not_panicked() {
    let fonts = Fonts::load(std::path::Path::new("/nonexistent"));
    let err = render_pdf("#let x = json(\"data.json\")\n#x.nope", &json!({}), &fonts).unwrap_err();
    assert!(!err.is_empty());
}
