//! A bank's green-finance preference rules, as data the bank writes
//! itself (TOML), and their evaluation against what the platform knows of
//! an organisation, with every condition explained.
//!
//! A rule says: when every condition holds, the product's rate moves by
//! `effect_bp` basis points (negative = cheaper). Missing data never
//! passes a condition: it is reported as unknown and the rule does not
//! apply.

use std::collections::{BTreeMap, HashSet};

use egret_i18n::Msg;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::rating::Methodology;

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RuleSetInfo {
    pub id: String,
    pub version: String,
    pub name_zh: String,
    pub name_en: String,
    /// The rating methodology whose grades and quality levels the rules
    /// name (`id@version`).
    pub methodology: String,
    /// How eligible rules of one product combine: `sum` or `best` (the
    /// most favourable, i.e. lowest, effect).
    pub combine: String,
    /// The largest cut in basis points a product can reach, as a
    /// non-negative number (e.g. 30 → never below −30 bp).
    #[serde(default)]
    pub max_cut_bp: Option<i32>,
}

/// Data points whose sum is the organisation's emissions for
/// `emission_cut_pct` and `emissions_t`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Emissions {
    pub datapoints: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Condition {
    pub field: String,
    pub op: String,
    pub value: toml::Value,
    /// For emission fields: every figure used must be covered by a signed
    /// assurance conclusion.
    #[serde(default)]
    pub verified: bool,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    pub id: String,
    pub name_zh: String,
    pub name_en: String,
    pub product: String,
    pub effect_bp: i32,
    pub condition: Vec<Condition>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RuleSet {
    pub rules: RuleSetInfo,
    pub emissions: Emissions,
    pub rule: Vec<Rule>,
}

/// The fields a condition can test, and their kind.
pub const FIELDS: [(&str, Kind); 9] = [
    ("grade", Kind::Grade),
    ("score", Kind::Number),
    ("quality", Kind::Quality),
    ("rating_published", Kind::Bool),
    ("disclosed", Kind::Bool),
    ("assured", Kind::Bool),
    ("emissions_t", Kind::Number),
    ("emission_cut_pct", Kind::Number),
    ("controversies", Kind::Number),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Grade,
    Quality,
    Number,
    Bool,
}

const OPS: [&str; 6] = [">=", ">", "<=", "<", "=", "!="];

fn kind_of(field: &str) -> Option<Kind> {
    FIELDS.iter().find(|(f, _)| *f == field).map(|(_, k)| *k)
}

/// A condition's required value, normalised.
#[derive(Debug, Clone, PartialEq)]
enum Want {
    Rank(usize),
    Number(Decimal),
    Bool(bool),
}

impl RuleSet {
    /// `id@version`.
    pub fn key(&self) -> String {
        format!("{}@{}", self.rules.id, self.rules.version)
    }

    /// Parses and checks a bank's rule file. Errors name the rule, the
    /// condition (1-based) and the field.
    pub fn parse(text: &str) -> Result<RuleSet, Msg> {
        let r: RuleSet = toml::from_str(text)
            .map_err(|e| Msg::new("domain-bank-toml").arg("error", e.to_string().trim()))?;
        let m = Methodology::find(&r.rules.methodology).ok_or_else(|| {
            Msg::new("domain-bank-methodology").arg("methodology", &r.rules.methodology)
        })?;
        if !matches!(r.rules.combine.as_str(), "sum" | "best") {
            return Err(Msg::new("domain-bank-combine").arg("value", &r.rules.combine));
        }
        if r.rules.max_cut_bp.is_some_and(|c| c < 0) {
            return Err(Msg::new("domain-bank-max-cut"));
        }
        if r.emissions.datapoints.is_empty() {
            return Err(Msg::new("domain-bank-emissions"));
        }
        if r.rule.is_empty() {
            return Err(Msg::new("domain-bank-no-rules"));
        }
        let mut ids = HashSet::new();
        for rule in &r.rule {
            if !ids.insert(rule.id.as_str()) {
                return Err(Msg::new("domain-bank-duplicate").arg("rule", &rule.id));
            }
            if rule.condition.is_empty() {
                return Err(Msg::new("domain-bank-no-conditions").arg("rule", &rule.id));
            }
            for (n, c) in rule.condition.iter().enumerate() {
                want(m, c).map_err(|key| {
                    Msg::new(key)
                        .arg("rule", &rule.id)
                        .arg("n", n + 1)
                        .arg("field", &c.field)
                })?;
            }
        }
        Ok(r)
    }

    /// Evaluates every rule against an organisation's facts.
    pub fn evaluate(&self, facts: &Facts) -> Evaluation {
        let m = Methodology::find(&self.rules.methodology)
            .expect("a parsed rule set names a shipped methodology");
        let rules: Vec<RuleOutcome> = self
            .rule
            .iter()
            .map(|rule| {
                let conditions: Vec<ConditionOutcome> =
                    rule.condition.iter().map(|c| check(m, c, facts)).collect();
                RuleOutcome {
                    rule: rule.id.clone(),
                    name_zh: rule.name_zh.clone(),
                    name_en: rule.name_en.clone(),
                    product: rule.product.clone(),
                    effect_bp: rule.effect_bp,
                    eligible: conditions.iter().all(|c| c.met == Some(true)),
                    conditions,
                }
            })
            .collect();
        let mut products: BTreeMap<String, i32> = BTreeMap::new();
        for r in rules.iter().filter(|r| r.eligible) {
            let e = products.entry(r.product.clone()).or_insert(0);
            *e = match self.rules.combine.as_str() {
                "sum" => *e + r.effect_bp,
                _ => (*e).min(r.effect_bp),
            };
        }
        if let Some(cap) = self.rules.max_cut_bp {
            for v in products.values_mut() {
                *v = (*v).max(-cap);
            }
        }
        Evaluation {
            rule_set: self.key(),
            rules,
            products,
        }
    }
}

fn want(m: &Methodology, c: &Condition) -> Result<Want, &'static str> {
    let kind = kind_of(&c.field).ok_or("domain-bank-field")?;
    if !OPS.contains(&c.op.as_str()) {
        return Err("domain-bank-op");
    }
    if c.verified && !matches!(c.field.as_str(), "emissions_t" | "emission_cut_pct") {
        return Err("domain-bank-verified");
    }
    let text = c.value.as_str();
    let rank = |ids: Vec<&String>| {
        let t = text.ok_or("domain-bank-value")?;
        ids.iter()
            .position(|id| *id == t)
            .ok_or("domain-bank-value")
    };
    Ok(match kind {
        Kind::Grade => Want::Rank(rank(m.grade.iter().map(|g| &g.id).collect())?),
        Kind::Quality => Want::Rank(rank(m.quality.iter().map(|q| &q.id).collect())?),
        Kind::Bool => {
            if !matches!(c.op.as_str(), "=" | "!=") {
                return Err("domain-bank-op");
            }
            Want::Bool(c.value.as_bool().ok_or("domain-bank-value")?)
        }
        Kind::Number => Want::Number(match &c.value {
            toml::Value::Integer(i) => Decimal::from(*i),
            toml::Value::String(s) => s.parse().map_err(|_| "domain-bank-value")?,
            _ => return Err("domain-bank-value"),
        }),
    })
}

/// What the platform knows of an organisation, for the rules.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Facts {
    /// The rating used: run id, fiscal year, whether published.
    pub rating_run: Option<String>,
    pub rating_year: Option<i32>,
    pub rating_published: bool,
    pub grade: Option<String>,
    pub score: Option<Decimal>,
    pub quality: Option<String>,
    /// Latest fiscal year with a published report, and that report's
    /// submission id and version.
    pub disclosed_year: Option<i32>,
    pub report: Option<String>,
    /// A signed assurance conclusion covers the latest published report.
    pub assured: bool,
    /// Emissions (sum of the rule set's data points, tCO2e) of the latest
    /// published year and the year before, and whether every figure is
    /// assured.
    pub emissions_t: Option<Decimal>,
    pub emissions_assured: bool,
    pub prior_emissions_t: Option<Decimal>,
    pub prior_emissions_assured: bool,
    /// Controversies still deducting points in the rating.
    pub controversies: u32,
}

impl Facts {
    /// Percent cut of emissions from the year before (positive = fewer
    /// emissions), 2 decimals.
    pub fn emission_cut_pct(&self) -> Option<Decimal> {
        let now = self.emissions_t?;
        let before = self.prior_emissions_t.filter(|p| *p > Decimal::ZERO)?;
        Some(((before - now) * Decimal::ONE_HUNDRED / before).round_dp(2))
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConditionOutcome {
    pub field: String,
    pub op: String,
    pub required: String,
    /// The organisation's value, `None` when the platform has none.
    pub actual: Option<String>,
    /// `None` = unknown (missing data or unverified), never passes.
    pub met: Option<bool>,
    /// Why a condition could not be decided, as a message.
    pub note: Option<Msg>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RuleOutcome {
    pub rule: String,
    pub name_zh: String,
    pub name_en: String,
    pub product: String,
    pub effect_bp: i32,
    pub eligible: bool,
    pub conditions: Vec<ConditionOutcome>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evaluation {
    pub rule_set: String,
    pub rules: Vec<RuleOutcome>,
    /// Product → combined rate adjustment in basis points (eligible rules
    /// only).
    pub products: BTreeMap<String, i32>,
}

fn compare<T: PartialOrd>(op: &str, a: &T, b: &T) -> bool {
    match op {
        ">=" => a >= b,
        ">" => a > b,
        "<=" => a <= b,
        "<" => a < b,
        "=" => a == b,
        _ => a != b,
    }
}

fn check(m: &Methodology, c: &Condition, f: &Facts) -> ConditionOutcome {
    let w = want(m, c).expect("conditions were checked on parse");
    let required = match &c.value {
        toml::Value::String(s) => s.clone(),
        v => v.to_string(),
    };
    let mut note = None;
    let (actual, met): (Option<String>, Option<bool>) = match (c.field.as_str(), &w) {
        ("grade", Want::Rank(r)) => {
            let rank = f
                .grade
                .as_ref()
                .and_then(|g| m.grade.iter().position(|x| &x.id == g));
            // Grades are listed best first: a lower position is better.
            let met = rank.map(|a| compare(&c.op, &std::cmp::Reverse(a), &std::cmp::Reverse(*r)));
            (f.grade.clone(), met)
        }
        ("quality", Want::Rank(r)) => {
            let rank = f
                .quality
                .as_ref()
                .and_then(|q| m.quality.iter().position(|x| &x.id == q));
            let met = rank.map(|a| compare(&c.op, &std::cmp::Reverse(a), &std::cmp::Reverse(*r)));
            (f.quality.clone(), met)
        }
        (field, Want::Bool(b)) => {
            let v = match field {
                "rating_published" => f.rating_published,
                "disclosed" => f.disclosed_year.is_some(),
                _ => f.assured,
            };
            (Some(v.to_string()), Some(compare(&c.op, &v, b)))
        }
        (field, Want::Number(n)) => {
            let (v, verified) = match field {
                "score" => (f.score, true),
                "emissions_t" => (f.emissions_t, f.emissions_assured),
                "emission_cut_pct" => (
                    f.emission_cut_pct(),
                    f.emissions_assured && f.prior_emissions_assured,
                ),
                _ => (Some(Decimal::from(f.controversies)), true),
            };
            match v {
                Some(v) if c.verified && !verified => {
                    note = Some(Msg::new("domain-bank-unverified"));
                    (Some(v.to_string()), None)
                }
                Some(v) => (Some(v.to_string()), Some(compare(&c.op, &v, n))),
                None => (None, None),
            }
        }
        _ => unreachable!("want() matches the field's kind"),
    };
    if actual.is_none() {
        note = Some(Msg::new("domain-bank-missing"));
    }
    ConditionOutcome {
        field: c.field.clone(),
        op: c.op.clone(),
        required,
        actual,
        met,
        note,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    const SAMPLE: &str = include_str!("../../../data/demo/bank-rules.toml");

    fn facts() -> Facts {
        Facts {
            rating_run: Some("r1".into()),
            rating_year: Some(2025),
            rating_published: true,
            grade: Some("AA".into()),
            score: Some(dec("71.5")),
            quality: Some("assured".into()),
            disclosed_year: Some(2025),
            report: Some("s1".into()),
            assured: true,
            emissions_t: Some(dec("940")),
            emissions_assured: true,
            prior_emissions_t: Some(dec("1000")),
            prior_emissions_assured: true,
            controversies: 0,
        }
    }

    #[test]
    fn the_sample_parses_and_explains() {
        let r = RuleSet::parse(SAMPLE).unwrap();
        let e = r.evaluate(&facts());
        assert!(e.rules.iter().all(|r| r.eligible), "{e:#?}");
        assert_eq!(
            facts().emission_cut_pct(),
            Some(dec("6.00")),
            "(1000 − 940) / 1000"
        );
    }

    #[test]
    fn grade_order_follows_the_methodology() {
        let r = RuleSet::parse(SAMPLE).unwrap();
        let mut f = facts();
        f.grade = Some("BBB".into());
        let e = r.evaluate(&f);
        let grade_rule = e
            .rules
            .iter()
            .find(|r| r.conditions.iter().any(|c| c.field == "grade"))
            .unwrap();
        assert!(!grade_rule.eligible);
        let c = grade_rule
            .conditions
            .iter()
            .find(|c| c.field == "grade")
            .unwrap();
        assert_eq!(c.met, Some(false));
        assert_eq!(c.actual.as_deref(), Some("BBB"));
    }

    #[test]
    fn missing_or_unverified_data_never_passes() {
        let r = RuleSet::parse(SAMPLE).unwrap();
        let mut f = facts();
        f.prior_emissions_assured = false;
        let e = r.evaluate(&f);
        let cut = e
            .rules
            .iter()
            .flat_map(|r| &r.conditions)
            .find(|c| c.field == "emission_cut_pct")
            .unwrap();
        assert_eq!(cut.met, None);
        assert_eq!(cut.note.as_ref().unwrap().key, "domain-bank-unverified");
        let mut f = facts();
        f.grade = None;
        f.score = None;
        let e = r.evaluate(&f);
        let g = e
            .rules
            .iter()
            .flat_map(|r| &r.conditions)
            .find(|c| c.field == "grade")
            .unwrap();
        assert_eq!((g.met, g.actual.clone()), (None, None));
        assert_eq!(g.note.as_ref().unwrap().key, "domain-bank-missing");
    }

    #[test]
    fn effects_combine_and_are_capped() {
        let text = r#"
[rules]
id = "t"
version = "1"
name_zh = "测试"
name_en = "Test"
methodology = "egret-esg@2026.1"
combine = "sum"
max_cut_bp = 25
[emissions]
datapoints = ["ghg.scope1"]
[[rule]]
id = "a"
name_zh = "甲"
name_en = "A"
product = "loan"
effect_bp = -15
[[rule.condition]]
field = "disclosed"
op = "="
value = true
[[rule]]
id = "b"
name_zh = "乙"
name_en = "B"
product = "loan"
effect_bp = -20
[[rule.condition]]
field = "score"
op = ">="
value = "60"
"#;
        let r = RuleSet::parse(text).unwrap();
        assert_eq!(r.evaluate(&facts()).products["loan"], -25, "−35 capped");
        let best = RuleSet::parse(&text.replace("\"sum\"", "\"best\"")).unwrap();
        assert_eq!(best.evaluate(&facts()).products["loan"], -20);
        let mut f = facts();
        f.score = Some(dec("59.99"));
        assert_eq!(r.evaluate(&f).products["loan"], -15);
    }

    #[test]
    fn bad_rules_name_the_place() {
        let bad = SAMPLE.replacen("field = \"grade\"", "field = \"colour\"", 1);
        let e = RuleSet::parse(&bad).unwrap_err();
        assert_eq!(e.key, "domain-bank-field");
        assert!(e.render(egret_i18n::Lang::En).contains("colour"));
        let bad = SAMPLE.replacen("value = \"A\"", "value = \"A+\"", 1);
        assert_eq!(RuleSet::parse(&bad).unwrap_err().key, "domain-bank-value");
        let bad = SAMPLE.replacen("op = \">=\"", "op = \"~\"", 1);
        assert_eq!(RuleSet::parse(&bad).unwrap_err().key, "domain-bank-op");
        let e = RuleSet::parse("rules = 1").unwrap_err();
        assert_eq!(e.key, "domain-bank-toml");
    }
}
