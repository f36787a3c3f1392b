//! Assurance standards and levels as data (`data/assurance/standards.toml`).
//! A limited-assurance conclusion is negative in form ("nothing has come to
//! our attention…"), a reasonable-assurance one positive ("…is prepared, in
//! all material respects, in accordance with…").

use std::collections::HashSet;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::refdata::Meta;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Standard {
    pub id: String,
    pub name_zh: String,
    pub name_en: String,
    pub issuer: String,
    pub levels: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Level {
    pub id: String,
    pub name_zh: String,
    pub name_en: String,
    /// negative | positive
    pub form: String,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssuranceStandards {
    pub meta: Meta,
    pub standard: Vec<Standard>,
    pub level: Vec<Level>,
}

impl AssuranceStandards {
    /// Parses and checks the file: unique ids, known levels, forms.
    pub fn parse(text: &str) -> Result<AssuranceStandards, String> {
        let s: AssuranceStandards = toml::from_str(text).map_err(|e| e.to_string())?;
        let levels: HashSet<&str> = s.level.iter().map(|l| l.id.as_str()).collect();
        if levels.len() != s.level.len() {
            return Err("duplicate level id".into());
        }
        if let Some(l) = s
            .level
            .iter()
            .find(|l| !matches!(l.form.as_str(), "negative" | "positive"))
        {
            return Err(format!("level {}: form must be negative or positive", l.id));
        }
        let mut ids = HashSet::new();
        for (i, st) in s.standard.iter().enumerate() {
            if !ids.insert(st.id.as_str()) {
                return Err(format!("standard[{}].id: duplicate {}", i + 1, st.id));
            }
            if let Some(l) = st.levels.iter().find(|l| !levels.contains(l.as_str())) {
                return Err(format!("standard[{}].levels: unknown level {l}", i + 1));
            }
        }
        Ok(s)
    }

    /// The shipped file.
    pub fn embedded() -> &'static AssuranceStandards {
        static S: OnceLock<AssuranceStandards> = OnceLock::new();
        S.get_or_init(|| {
            AssuranceStandards::parse(include_str!("../../../data/assurance/standards.toml"))
                .unwrap_or_else(|e| panic!("data/assurance/standards.toml: {e}"))
        })
    }

    pub fn standard(&self, id: &str) -> Option<&Standard> {
        self.standard.iter().find(|s| s.id == id)
    }

    pub fn level(&self, id: &str) -> Option<&Level> {
        self.level.iter().find(|l| l.id == id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_standards_load_and_bad_files_are_refused() {
        let s = AssuranceStandards::embedded();
        assert!(s.standard("isae-3000").is_some());
        assert_eq!(s.level("limited").unwrap().form, "negative");
        let bad = include_str!("../../../data/assurance/standards.toml")
            .replace("\"reasonable\"]", "\"absolute\"]");
        assert!(
            AssuranceStandards::parse(&bad)
                .unwrap_err()
                .contains("unknown level")
        );
    }
}
