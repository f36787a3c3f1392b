//! The content of a submitted report, built from its frozen snapshot only:
//! sections of the catalog with the organisation's narrative, data tables
//! with comparatives, assured marks, and the comply-or-explain index — in
//! Chinese, English or both. The HTML page and the PDF both use it.

use std::collections::BTreeMap;

use egret_domain::catalog::{Catalogs, DataPoint};
use egret_domain::refdata::ReferenceData;
use egret_domain::value::{Answer, Value};
use egret_i18n::Lang;
use egret_store::{Engagement, SubmissionRecord};
use serde_json::json;

use crate::view::by_lang;

/// The language(s) a report is rendered in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportLang {
    One(Lang),
    /// Chinese and English side by side ("中文 / English").
    Both,
}

impl ReportLang {
    /// From a `langs` query parameter (`zh`, `en`, `both`), else the page's
    /// language.
    pub fn parse(q: Option<&str>, page: Lang) -> ReportLang {
        match q {
            Some("both") => ReportLang::Both,
            Some("zh" | "zh-CN") => ReportLang::One(Lang::ZhCn),
            Some("en") => ReportLang::One(Lang::En),
            _ => ReportLang::One(page),
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            ReportLang::One(Lang::ZhCn) => "zh",
            ReportLang::One(Lang::En) => "en",
            ReportLang::Both => "both",
        }
    }

    /// The language of the document's typography (Chinese first when both).
    pub fn primary(self) -> Lang {
        match self {
            ReportLang::One(l) => l,
            ReportLang::Both => Lang::ZhCn,
        }
    }

    /// A text given in both languages.
    pub fn text(self, zh: &str, en: &str) -> String {
        match self {
            ReportLang::One(l) => by_lang(l, zh, en).to_string(),
            ReportLang::Both if en.is_empty() || zh == en => zh.to_string(),
            ReportLang::Both => format!("{zh} / {en}"),
        }
    }

    /// A message of the UI catalogs.
    pub fn t(self, key: &str) -> String {
        self.text(
            &egret_i18n::t(Lang::ZhCn, key),
            &egret_i18n::t(Lang::En, key),
        )
    }

    fn value(self, v: &Value, dp: &DataPoint, rd: &ReferenceData) -> String {
        match self {
            ReportLang::One(l) => v.display(l, dp, rd),
            ReportLang::Both => {
                self.text(&v.display(Lang::ZhCn, dp, rd), &v.display(Lang::En, dp, rd))
            }
        }
    }
}

pub struct ReportLine {
    pub label: String,
    pub value: String,
    /// The same line in the preceding years (`—` where nothing was stored),
    /// aligned with [`ReportContent::prior_years`].
    pub prior: Vec<String>,
}

pub struct ReportItem {
    pub reference: String,
    pub name: String,
    pub status: String,
    /// "Assured (limited) by …" when a signed conclusion on this version
    /// covers the data point.
    pub assured: String,
    pub lines: Vec<ReportLine>,
    /// Some line has a comparative.
    pub has_prior: bool,
}

pub struct ReportSection {
    pub name: String,
    /// The organisation's narrative, one paragraph per entry.
    pub narrative: Vec<String>,
    pub items: Vec<ReportItem>,
}

pub struct ReportContent {
    pub sections: Vec<ReportSection>,
    /// (reference, data point, status) for every requirement.
    pub index: Vec<(String, String, String)>,
    pub year: i32,
    /// Fiscal years of the comparatives, newest first.
    pub prior_years: Vec<i32>,
}

/// Data points assured on this very version: data point → (level,
/// practitioner).
pub fn assured_on(engagements: &[Engagement], sid: &str) -> BTreeMap<String, (String, String)> {
    let mut out = BTreeMap::new();
    for e in engagements {
        if let Some(c) = e.conclusion.as_ref().filter(|c| c.submission_id == sid) {
            for dp in &e.scope {
                out.insert(dp.clone(), (e.level.clone(), c.practitioner.clone()));
            }
        }
    }
    out
}

fn level_name(rl: ReportLang, id: &str) -> String {
    egret_domain::assurance::AssuranceStandards::embedded()
        .level(id)
        .map_or(id.to_string(), |l| rl.text(&l.name_zh, &l.name_en))
}

fn paragraphs(body: &str) -> impl Iterator<Item = String> + '_ {
    body.split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_string)
}

/// The report of a submission in `rl`.
pub fn content(rl: ReportLang, s: &SubmissionRecord, engagements: &[Engagement]) -> ReportContent {
    let cats = Catalogs::embedded();
    let rd = ReferenceData::embedded();
    let assured: BTreeMap<String, String> = assured_on(engagements, &s.submission_id)
        .into_iter()
        .map(|(dp, (level, practitioner))| {
            (
                dp,
                format!(
                    "✓ {} · {} · {}",
                    rl.t("sub-assured"),
                    level_name(rl, &level),
                    practitioner
                ),
            )
        })
        .collect();
    let mut out = ReportContent {
        sections: Vec::new(),
        index: Vec::new(),
        year: s.fiscal_year,
        prior_years: Vec::new(),
    };
    let Some(catalog) = cats.catalog(&s.catalog_key) else {
        return out;
    };
    let empty = Vec::new();
    let values = s.snapshot["values"].as_array().unwrap_or(&empty);
    let prior = s.snapshot["prior"].as_array().unwrap_or(&empty);
    let mut years: Vec<i32> = prior
        .iter()
        .filter_map(|p| {
            p["fiscal_year"]
                .as_i64()
                .and_then(|y| i32::try_from(y).ok())
        })
        .collect();
    years.sort_unstable_by(|a, b| b.cmp(a));
    years.dedup();
    // (datapoint, breakdown, year) → answer of the comparatives.
    let prior_of: BTreeMap<(&str, &str, i64), &serde_json::Value> = prior
        .iter()
        .filter_map(|p| {
            Some((
                (
                    p["datapoint"].as_str()?,
                    p["breakdown"].as_str().unwrap_or_default(),
                    p["fiscal_year"].as_i64()?,
                ),
                &p["answer"],
            ))
        })
        .collect();
    let status_of: BTreeMap<&str, &str> = s.snapshot["requirements"]
        .as_array()
        .unwrap_or(&empty)
        .iter()
        .filter_map(|r| Some((r["id"].as_str()?, r["status"].as_str()?)))
        .collect();
    let narratives = s.snapshot["narratives"].as_array().unwrap_or(&empty);
    let narrative = |section: &str| -> Vec<String> {
        let body = |lang: &str| {
            narratives
                .iter()
                .find(|n| n["section"] == section && n["lang"] == lang)
                .and_then(|n| n["body"].as_str())
        };
        let (zh, en) = (body("zh"), body("en"));
        let chosen: Vec<&str> = match rl {
            ReportLang::Both => zh.into_iter().chain(en).collect(),
            // The other language's text when this one has none.
            ReportLang::One(Lang::ZhCn) => zh.or(en).into_iter().collect(),
            ReportLang::One(Lang::En) => en.or(zh).into_iter().collect(),
        };
        chosen.into_iter().flat_map(paragraphs).collect()
    };
    let display = |answer: &Answer, dp: &DataPoint| match answer {
        Answer::Value(val) => rl.value(val, dp, rd),
        Answer::NotApplicable { reason } => format!(
            "{}{}",
            rl.t("sub-not-applicable"),
            reason
                .as_deref()
                .map(|r| format!(": {r}"))
                .unwrap_or_default()
        ),
        Answer::NotDisclosed { reason } => format!("{}: {reason}", rl.t("sub-not-disclosed")),
    };
    for sec in &catalog.sections {
        let mut items = Vec::new();
        for r in catalog.requirements.iter().filter(|r| r.section == sec.id) {
            let Some(dp) = cats.datapoint(&r.datapoint) else {
                continue;
            };
            let status = status_of
                .get(r.id.as_str())
                .copied()
                .unwrap_or("out_of_scope");
            let status_text = rl.t(&format!("sub-req-{status}"));
            let reference = r.reference.clone().unwrap_or_default();
            let name = rl.text(&dp.name_zh, &dp.name_en);
            out.index
                .push((reference.clone(), name.clone(), status_text.clone()));
            if status == "out_of_scope" {
                continue;
            }
            let lines: Vec<ReportLine> = values
                .iter()
                .filter(|v| v["datapoint"] == dp.id.as_str())
                .filter_map(|v| {
                    let answer: Answer = serde_json::from_value(v["answer"].clone()).ok()?;
                    let bk = v["breakdown"].as_str().unwrap_or_default();
                    let prior = years
                        .iter()
                        .map(|y| {
                            prior_of
                                .get(&(dp.id.as_str(), bk, i64::from(*y)))
                                .and_then(|a| serde_json::from_value::<Answer>((*a).clone()).ok())
                                .map_or_else(|| "—".to_string(), |a| display(&a, dp))
                        })
                        .collect();
                    Some(ReportLine {
                        label: bk.to_string(),
                        value: display(&answer, dp),
                        prior,
                    })
                })
                .collect();
            items.push(ReportItem {
                reference,
                name,
                status: status_text,
                assured: assured.get(&dp.id).cloned().unwrap_or_default(),
                has_prior: lines.iter().any(|l| l.prior.iter().any(|p| p != "—")),
                lines,
            });
        }
        let narrative = narrative(&sec.id);
        if !items.is_empty() || !narrative.is_empty() {
            out.sections.push(ReportSection {
                name: rl.text(&sec.name_zh, &sec.name_en),
                narrative,
                items,
            });
        }
    }
    out.prior_years = years;
    out
}

/// The content of the PDF (read by the typst template as `data.json`).
pub fn pdf_data(
    rl: ReportLang,
    s: &SubmissionRecord,
    engagements: &[Engagement],
) -> serde_json::Value {
    let standards = egret_domain::assurance::AssuranceStandards::embedded();
    let c = content(rl, s, engagements);
    let org = &s.snapshot["organisation"];
    let org_name = rl.text(
        org["name_zh"].as_str().unwrap_or_default(),
        org["name_en"].as_str().unwrap_or_default(),
    );
    let catalog = Catalogs::embedded().catalog(&s.catalog_key).map_or_else(
        || s.catalog_key.clone(),
        |c| rl.text(&c.name_zh, &c.name_en),
    );
    let year_label = |y: i32| format!("{}{y}", rl.t("sub-fy"));
    json!({
        "lang": match rl.primary() { Lang::ZhCn => "zh", Lang::En => "en" },
        "title": format!("{org_name} · {catalog} · {}", s.fiscal_year),
        "organisation": org_name,
        "uscc": org["uscc"],
        "catalog": catalog,
        "period": format!("{} – {}", s.snapshot["period"]["start"].as_str().unwrap_or_default(),
            s.snapshot["period"]["end"].as_str().unwrap_or_default()),
        "version": s.version,
        "status": rl.t(&format!("sub-status-{}", s.status)),
        "digest": s.digest,
        "years": std::iter::once(c.year).chain(c.prior_years.iter().copied()).map(year_label).collect::<Vec<_>>(),
        "labels": {
            "contents": rl.t("sub-contents"),
            "index": rl.t("sub-index"),
            "reference": rl.t("data-reference"),
            "datapoint": rl.t("data-datapoint"),
            "status": rl.t("data-status"),
            "version": rl.t("sub-version"),
            "uscc": rl.t("field-uscc"),
            "assurance": rl.t("sub-assurance"),
            "generated": format!("Egret · {}", s.submitted_at),
        },
        "sections": c.sections.iter().map(|sec| json!({
            "name": sec.name,
            "narrative": sec.narrative,
            "items": sec.items.iter().map(|it| json!({
                "name": it.name, "reference": it.reference, "status": it.status,
                "assured": it.assured, "has_prior": it.has_prior,
                "lines": it.lines.iter().map(|l| json!({
                    "label": l.label, "value": l.value, "prior": l.prior,
                })).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "index": c.index.iter().map(|(reference, name, status)| json!({
            "reference": reference, "name": name, "status": status,
        })).collect::<Vec<_>>(),
        "assurance": engagements.iter().filter_map(|e| {
            let c = e.conclusion.as_ref()?;
            Some(json!({
                "provider": e.provider,
                "standard": standards.standard(&e.standard).map_or(e.standard.clone(), |x| rl.text(&x.name_zh, &x.name_en)),
                "level": level_name(rl, &e.level),
                "conclusion": c.conclusion,
                "signed": format!("{} · {}", c.practitioner, c.signed_at),
            }))
        }).collect::<Vec<_>>(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_languages_join_and_single_languages_pick() {
        assert_eq!(
            ReportLang::Both.text("治理", "Governance"),
            "治理 / Governance"
        );
        assert_eq!(ReportLang::Both.text("ISO", "ISO"), "ISO");
        assert_eq!(ReportLang::Both.text("治理", ""), "治理");
        assert_eq!(
            ReportLang::One(Lang::En).text("治理", "Governance"),
            "Governance"
        );
        assert_eq!(ReportLang::parse(Some("both"), Lang::En), ReportLang::Both);
        assert_eq!(
            ReportLang::parse(Some("nonsense"), Lang::En),
            ReportLang::One(Lang::En)
        );
        assert_eq!(ReportLang::parse(None, Lang::ZhCn).code(), "zh");
    }

    #[test]
    fn narratives_split_into_paragraphs() {
        let p: Vec<String> = paragraphs("一段。\n\n  二段。\n\n\n").collect();
        assert_eq!(p, ["一段。", "二段。"]);
    }
}
