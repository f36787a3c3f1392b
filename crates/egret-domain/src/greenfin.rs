//! Green-finance project catalogues (the national 2021 green-bond and 2025
//! green-finance catalogues): versioned editions with effective dates, and
//! the rule that a loan or bond is tagged under the edition in force on the
//! day it was approved.
//!
//! Editions are data (`data/greenfinance/*.toml`), embedded and checked at
//! start.

use std::collections::HashSet;

use chrono::NaiveDate;
use egret_i18n::Msg;
use serde::{Deserialize, Serialize};

use crate::refdata::Meta;

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct EditionInfo {
    pub id: String,
    pub version: String,
    pub name_zh: String,
    pub name_en: String,
    pub issuers: String,
    pub effective_from: NaiveDate,
    /// First day on which the edition no longer applies to new approvals.
    #[serde(default)]
    pub effective_to: Option<NaiveDate>,
    /// Instrument kinds the edition classifies: loan, bond, other.
    pub instruments: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Item {
    pub code: String,
    #[serde(default)]
    pub parent: Option<String>,
    pub name_zh: String,
    pub name_en: String,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Edition {
    pub meta: Meta,
    pub edition: EditionInfo,
    pub item: Vec<Item>,
}

pub const INSTRUMENTS: [&str; 3] = ["loan", "bond", "other"];

const SHIPPED: [(&str, &str); 2] = [
    (
        "cn-green-bond@2021",
        include_str!("../../../data/greenfinance/cn-green-bond@2021.toml"),
    ),
    (
        "cn-green-finance@2025",
        include_str!("../../../data/greenfinance/cn-green-finance@2025.toml"),
    ),
];

impl Edition {
    /// `id@version`.
    pub fn key(&self) -> String {
        format!("{}@{}", self.edition.id, self.edition.version)
    }

    /// Parses and checks an edition file.
    pub fn parse(text: &str) -> Result<Edition, String> {
        let e: Edition = toml::from_str(text).map_err(|e| e.to_string())?;
        if e.edition
            .effective_to
            .is_some_and(|to| to <= e.edition.effective_from)
        {
            return Err("edition.effective_to must come after effective_from".into());
        }
        if let Some(k) = e
            .edition
            .instruments
            .iter()
            .find(|k| !INSTRUMENTS.contains(&k.as_str()))
        {
            return Err(format!("edition.instruments: unknown kind {k}"));
        }
        let mut codes = HashSet::new();
        for i in &e.item {
            if i.code.trim().is_empty() {
                return Err("item: empty code".into());
            }
            if !codes.insert(i.code.as_str()) {
                return Err(format!("item {}: duplicate code", i.code));
            }
            if let Some(p) = &i.parent
                && !codes.contains(p.as_str())
            {
                return Err(format!(
                    "item {}: parent {p} must be listed before it",
                    i.code
                ));
            }
        }
        if e.item.is_empty() {
            return Err("an edition needs at least one item".into());
        }
        Ok(e)
    }

    /// The editions built into Egret, oldest first.
    pub fn shipped() -> &'static [Edition] {
        static E: std::sync::OnceLock<Vec<Edition>> = std::sync::OnceLock::new();
        E.get_or_init(|| {
            SHIPPED
                .iter()
                .map(|(key, text)| {
                    let e = Edition::parse(text)
                        .unwrap_or_else(|err| panic!("data/greenfinance/{key}.toml: {err}"));
                    assert_eq!(e.key(), *key, "data/greenfinance/{key}.toml: key");
                    e
                })
                .collect()
        })
    }

    pub fn find(key: &str) -> Option<&'static Edition> {
        Self::shipped().iter().find(|e| e.key() == key)
    }

    pub fn item(&self, code: &str) -> Option<&Item> {
        self.item.iter().find(|i| i.code == code)
    }

    /// Whether the edition classifies `kind` instruments approved on `on`.
    pub fn in_force(&self, kind: &str, on: NaiveDate) -> bool {
        self.edition.instruments.iter().any(|k| k == kind)
            && on >= self.edition.effective_from
            && self.edition.effective_to.is_none_or(|to| on < to)
    }

    /// The edition in force for a kind of instrument approved on a day.
    pub fn for_approval(kind: &str, on: NaiveDate) -> Option<&'static Edition> {
        Self::shipped().iter().find(|e| e.in_force(kind, on))
    }
}

/// Checks a tag: the instrument kind, that the named edition was in force
/// for it on the approval day, and that the item exists in it. Returns the
/// edition and item.
pub fn check_tag(
    kind: &str,
    approved_on: NaiveDate,
    edition: &str,
    item: &str,
) -> Result<(&'static Edition, &'static Item), Msg> {
    if !INSTRUMENTS.contains(&kind) {
        return Err(Msg::new("domain-greenfin-kind").arg("kind", kind));
    }
    let e = Edition::find(edition)
        .ok_or_else(|| Msg::new("domain-greenfin-edition").arg("edition", edition))?;
    if !e.in_force(kind, approved_on) {
        let right = Edition::for_approval(kind, approved_on)
            .map(|e| e.key())
            .unwrap_or_else(|| "-".into());
        return Err(Msg::new("domain-greenfin-not-in-force")
            .arg("edition", edition)
            .arg("kind", kind)
            .arg("date", approved_on)
            .arg("right", right));
    }
    let i = e.item(item).ok_or_else(|| {
        Msg::new("domain-greenfin-item")
            .arg("item", item)
            .arg("edition", edition)
    })?;
    Ok((e, i))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn shipped_editions_parse() {
        assert_eq!(Edition::shipped().len(), 2);
        assert_eq!(
            Edition::find("cn-green-finance@2025").unwrap().item.len(),
            9
        );
    }

    #[test]
    fn the_edition_follows_the_approval_date() {
        assert_eq!(
            Edition::for_approval("bond", d("2025-09-30"))
                .unwrap()
                .key(),
            "cn-green-bond@2021"
        );
        assert_eq!(
            Edition::for_approval("bond", d("2025-10-01"))
                .unwrap()
                .key(),
            "cn-green-finance@2025"
        );
        // The 2021 catalogue classified bonds only.
        assert!(Edition::for_approval("loan", d("2024-05-01")).is_none());
        assert!(Edition::for_approval("bond", d("2021-06-30")).is_none());
    }

    #[test]
    fn tags_are_checked() {
        assert!(check_tag("loan", d("2026-03-01"), "cn-green-finance@2025", "8").is_ok());
        let e = check_tag("bond", d("2026-03-01"), "cn-green-bond@2021", "1").unwrap_err();
        assert_eq!(e.key, "domain-greenfin-not-in-force");
        assert!(
            e.render(egret_i18n::Lang::En)
                .contains("cn-green-finance@2025")
        );
        let e = check_tag("bond", d("2024-03-01"), "cn-green-bond@2021", "9").unwrap_err();
        assert_eq!(e.key, "domain-greenfin-item");
        let e = check_tag("swap", d("2026-03-01"), "cn-green-finance@2025", "1").unwrap_err();
        assert_eq!(e.key, "domain-greenfin-kind");
        let e = check_tag("loan", d("2026-03-01"), "eu-taxonomy@2020", "1").unwrap_err();
        assert_eq!(e.key, "domain-greenfin-edition");
    }

    #[test]
    fn bad_editions_are_refused() {
        let base = include_str!("../../../data/greenfinance/cn-green-finance@2025.toml");
        let bad = base.replace(
            "effective_from = \"2025-10-01\"",
            "effective_from = \"2025-10-01\"\neffective_to = \"2020-01-01\"",
        );
        assert!(Edition::parse(&bad).unwrap_err().contains("effective_to"));
        let bad = base.replace("code = \"9\"", "code = \"8\"");
        assert!(Edition::parse(&bad).unwrap_err().contains("duplicate"));
        let bad = base.replace("\"other\"]", "\"swap\"]");
        assert!(Edition::parse(&bad).unwrap_err().contains("swap"));
    }
}
