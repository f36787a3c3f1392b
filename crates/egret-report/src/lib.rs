//! Typeset PDF reports. The report's content arrives as JSON (built by the
//! caller from a frozen submission) and is laid out by a versioned typst
//! template (`templates/report.typ`): cover, contents, page numbers, and
//! tables that break across pages. Fonts: typst's embedded Latin fonts plus
//! every font file in the configured directory (the Debian package
//! `fonts-wqy-microhei` by default), so Chinese text is embedded and
//! extractable.

use std::path::Path;
use std::sync::OnceLock;

use typst::diag::{FileError, FileResult};
use typst::foundations::{Bytes, Datetime, Duration};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};
use typst_kit::fonts::FontStore;

/// The default report template.
pub const TEMPLATE: &str = include_str!("../templates/report.typ");

/// Where fonts are read from unless `EGRET_FONT_DIR` says otherwise.
pub const DEFAULT_FONT_DIR: &str = "/usr/share/fonts/truetype/wqy";

/// Fonts loaded once per process.
pub struct Fonts {
    store: FontStore,
    /// Number of faces read from the font directory.
    pub directory_faces: usize,
}

impl Fonts {
    /// typst's embedded fonts plus every .ttf/.otf/.ttc in `dir`.
    pub fn load(dir: &Path) -> Fonts {
        let mut store = FontStore::new();
        store.extend(typst_kit::fonts::embedded());
        let mut directory_faces = 0;
        if let Ok(entries) = std::fs::read_dir(dir) {
            let mut paths: Vec<_> = entries.flatten().map(|e| e.path()).collect();
            paths.sort();
            for p in paths {
                let ext = p
                    .extension()
                    .and_then(|e| e.to_str())
                    .unwrap_or("")
                    .to_lowercase();
                if !matches!(ext.as_str(), "ttf" | "otf" | "ttc") {
                    continue;
                }
                if let Ok(data) = std::fs::read(&p) {
                    for font in Font::iter(Bytes::new(data)) {
                        let info = font.info().clone();
                        store.push((font, info));
                        directory_faces += 1;
                    }
                }
            }
        }
        Fonts {
            store,
            directory_faces,
        }
    }

    /// The process-wide fonts (directory from `EGRET_FONT_DIR`).
    pub fn shared() -> &'static Fonts {
        static F: OnceLock<Fonts> = OnceLock::new();
        F.get_or_init(|| {
            let dir = std::env::var("EGRET_FONT_DIR").unwrap_or_else(|_| DEFAULT_FONT_DIR.into());
            Fonts::load(Path::new(&dir))
        })
    }
}

struct ReportWorld<'f> {
    library: LazyHash<Library>,
    fonts: &'f Fonts,
    main: Source,
    data: Bytes,
    data_id: FileId,
}

fn file_id(name: &str) -> FileId {
    RootedPath::new(
        VirtualRoot::Project,
        VirtualPath::new(name).expect("a valid virtual path"),
    )
    .intern()
}

impl World for ReportWorld<'_> {
    fn library(&self) -> &LazyHash<Library> {
        &self.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        self.fonts.store.book()
    }

    fn main(&self) -> FileId {
        self.main.id()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main.id() {
            Ok(self.main.clone())
        } else {
            Err(FileError::AccessDenied)
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == self.data_id {
            Ok(self.data.clone())
        } else {
            Err(FileError::AccessDenied)
        }
    }

    fn font(&self, index: usize) -> Option<Font> {
        self.fonts.store.font(index)
    }

    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        None
    }
}

/// Renders `data` (read by the template as `json("data.json")`) with
/// `template` into a PDF.
pub fn render_pdf(
    template: &str,
    data: &serde_json::Value,
    fonts: &Fonts,
) -> Result<Vec<u8>, String> {
    let world = ReportWorld {
        library: LazyHash::new(Library::default()),
        fonts,
        main: Source::new(file_id("/report.typ"), template.to_string()),
        data: Bytes::new(serde_json::to_vec(data).map_err(|e| e.to_string())?),
        data_id: file_id("/data.json"),
    };
    let doc = typst::compile::<typst_layout::PagedDocument>(&world)
        .output
        .map_err(|errs| {
            errs.iter()
                .map(|e| e.message.to_string())
                .collect::<Vec<_>>()
                .join("; ")
        })?;
    typst_pdf::pdf(&doc, &typst_pdf::PdfOptions::default()).map_err(|errs| {
        errs.iter()
            .map(|e| e.message.to_string())
            .collect::<Vec<_>>()
            .join("; ")
    })
}

/// A synthetic report of `sections` × `items` data points (three lines
/// each, every other one with two years of comparatives), a narrative per
/// section, and their index, in Chinese: for tests and `egret bench report`.
pub fn sample_report(sections: usize, items: usize) -> serde_json::Value {
    serde_json::json!({
        "lang": "zh", "title": "测试报告", "organisation": "厦门白鹭测试股份有限公司",
        "uscc": "91350200MA00000000", "catalog": "上海证券交易所可持续发展报告指引",
        "period": "2025-01-01 – 2025-12-31", "version": 2, "status": "已发布",
        "digest": "ab".repeat(32),
        "years": ["财年2025", "财年2024", "财年2023"],
        "labels": {"contents": "目录", "index": "披露要求索引", "reference": "条款", "datapoint": "数据点",
                   "status": "状态", "version": "版本", "uscc": "统一社会信用代码", "assurance": "第三方鉴证",
                   "generated": "Egret"},
        "sections": (0..sections).map(|s| serde_json::json!({
            "name": format!("第{}部分 环境信息", s + 1),
            "narrative": [format!("本部分说明公司第{}部分的管理方针、目标与进展。", s + 1),
                          "公司设立可持续发展委员会，每季度审议气候相关风险与机遇。"],
            "items": (0..items).map(|i| serde_json::json!({
                "name": format!("范围一温室气体排放量 {s}.{i}"), "reference": format!("第{}条", 20 + i),
                "status": "已披露", "assured": if i % 3 == 0 { "✓ 已鉴证 · 有限保证 · 张三" } else { "" },
                "has_prior": i % 2 == 0,
                "lines": (0..3).map(|l| serde_json::json!({
                    "label": format!("场所 {l}"), "value": format!("{} 吨二氧化碳当量", 1000 + s * 100 + i * 3 + l),
                    "prior": [format!("{} 吨二氧化碳当量", 1010 + s * 100 + i * 3 + l), "—"],
                })).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "index": (0..sections * items).map(|i| serde_json::json!({
            "reference": format!("第{i}条"), "name": "温室气体排放", "status": "已披露",
        })).collect::<Vec<_>>(),
        "assurance": [{"provider": "嘉禾鉴证事务所", "standard": "ISAE 3410", "level": "有限保证",
                       "conclusion": "我们未发现任何事项。", "signed": "张三 · 2026-01-01"}],
    })
}
