//! The transparent rating engine. A methodology (`data/rating/*.toml`) is
//! a versioned tree pillar → issue → indicator over data points, with
//! issue weights per industry cluster, a scoring function per indicator,
//! a data-quality level kept apart from the score, controversy deductions
//! that decay by year, and a grade scale.
//!
//! Exactness: every indicator's contribution is a decimal rounded to two
//! places, and the score is defined as their sum minus the (rounded)
//! deduction — so an explanation always adds up to its score. The engine
//! is deterministic: organisations are rated in id order, peers ranked by
//! value then id, no floating point anywhere.

use std::collections::{BTreeMap, HashSet};

use chrono::{Datelike, NaiveDate};
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

use crate::refdata::{Meta, ReferenceData};

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct MethodologyInfo {
    pub id: String,
    pub version: String,
    pub name_zh: String,
    pub name_en: String,
    /// industry-relative | absolute
    pub mode: String,
    pub min_peers: usize,
    pub decay: Decimal,
    pub max_deduction: Decimal,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Named {
    pub id: String,
    pub name_zh: String,
    pub name_en: String,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Issue {
    pub id: String,
    pub pillar: String,
    pub name_zh: String,
    pub name_en: String,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Band {
    #[serde(default)]
    pub upto: Option<Decimal>,
    pub points: Decimal,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Indicator {
    pub id: String,
    pub issue: String,
    pub datapoint: String,
    pub name_zh: String,
    pub name_en: String,
    /// disclosed | boolean | bands | percentile | trend
    pub scoring: String,
    pub weight: Decimal,
    #[serde(default)]
    pub better: Option<String>,
    #[serde(default)]
    pub per: Option<String>,
    #[serde(default)]
    pub step: Option<Decimal>,
    #[serde(default)]
    pub bands: Vec<Band>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ControversyKind {
    pub id: String,
    pub name_zh: String,
    pub name_en: String,
    pub points: Decimal,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Grade {
    pub id: String,
    pub min: Decimal,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Quality {
    pub id: String,
    pub name_zh: String,
    pub name_en: String,
    pub min_coverage: Decimal,
    pub min_assured: Decimal,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Methodology {
    pub meta: Meta,
    pub methodology: MethodologyInfo,
    pub pillar: Vec<Named>,
    pub issue: Vec<Issue>,
    /// Cluster id (or `default`) → issue id → weight.
    pub weights: BTreeMap<String, BTreeMap<String, Decimal>>,
    pub indicator: Vec<Indicator>,
    pub controversy: Vec<ControversyKind>,
    pub grade: Vec<Grade>,
    pub quality: Vec<Quality>,
}

/// The shipped methodologies: (key `id@version`, file text).
const SHIPPED: [(&str, &str); 1] = [(
    "egret-esg@2026.1",
    include_str!("../../../data/rating/egret-esg@2026.1.toml"),
)];

impl Methodology {
    /// `id@version`.
    pub fn key(&self) -> String {
        format!("{}@{}", self.methodology.id, self.methodology.version)
    }

    /// Parses and checks a methodology file.
    pub fn parse(text: &str, rd: &ReferenceData) -> Result<Methodology, String> {
        let m: Methodology = toml::from_str(text).map_err(|e| e.to_string())?;
        let pillars: HashSet<&str> = m.pillar.iter().map(|p| p.id.as_str()).collect();
        let issues: HashSet<&str> = m.issue.iter().map(|i| i.id.as_str()).collect();
        if !matches!(
            m.methodology.mode.as_str(),
            "industry-relative" | "absolute"
        ) {
            return Err("methodology.mode: industry-relative or absolute".into());
        }
        if m.methodology.decay < Decimal::ZERO || m.methodology.decay > Decimal::ONE {
            return Err("methodology.decay: between 0 and 1".into());
        }
        if let Some(i) = m
            .issue
            .iter()
            .find(|i| !pillars.contains(i.pillar.as_str()))
        {
            return Err(format!("issue {}: unknown pillar {}", i.id, i.pillar));
        }
        if !m.weights.contains_key("default") {
            return Err("weights.default is required".into());
        }
        for (cluster, w) in &m.weights {
            if cluster != "default" && rd.cluster(cluster).is_none() {
                return Err(format!("weights.{cluster}: unknown cluster"));
            }
            if let Some(i) = issues.iter().find(|i| !w.contains_key(**i)) {
                return Err(format!("weights.{cluster}: no weight for issue {i}"));
            }
            if let Some(k) = w.keys().find(|k| !issues.contains(k.as_str())) {
                return Err(format!("weights.{cluster}.{k}: unknown issue"));
            }
            if w.values().any(|v| *v < Decimal::ZERO)
                || w.values().sum::<Decimal>() <= Decimal::ZERO
            {
                return Err(format!("weights.{cluster}: weights must be positive"));
            }
        }
        let mut ids = HashSet::new();
        for x in &m.indicator {
            let at = format!("indicator {}", x.id);
            if !ids.insert(x.id.as_str()) {
                return Err(format!("{at}: duplicate id"));
            }
            if !issues.contains(x.issue.as_str()) {
                return Err(format!("{at}: unknown issue {}", x.issue));
            }
            if x.weight <= Decimal::ZERO {
                return Err(format!("{at}: weight must be positive"));
            }
            let better_ok = matches!(x.better.as_deref(), Some("lower" | "higher"));
            match x.scoring.as_str() {
                "disclosed" | "boolean" => {}
                "bands"
                    if !x.bands.is_empty() && x.bands.last().is_some_and(|b| b.upto.is_none()) => {}
                "percentile" if better_ok => {}
                "trend" if better_ok && x.step.is_some_and(|s| s > Decimal::ZERO) => {}
                other => return Err(format!("{at}: scoring {other} is incomplete or unknown")),
            }
            if x.per.as_deref().is_some_and(|p| p != "revenue") {
                return Err(format!("{at}: per must be revenue"));
            }
        }
        if m.grade.is_empty() || m.grade.last().is_some_and(|g| g.min != Decimal::ZERO) {
            return Err("grade: the last grade must start at 0".into());
        }
        if m.grade.windows(2).any(|w| w[0].min <= w[1].min) {
            return Err("grade: minimums must fall from the first grade to the last".into());
        }
        if m.quality
            .last()
            .is_none_or(|q| q.min_coverage != Decimal::ZERO)
        {
            return Err("quality: the last level must need no coverage".into());
        }
        Ok(m)
    }

    /// The methodologies built into Egret.
    pub fn shipped() -> &'static [Methodology] {
        static M: std::sync::OnceLock<Vec<Methodology>> = std::sync::OnceLock::new();
        M.get_or_init(|| {
            SHIPPED
                .iter()
                .map(|(key, text)| {
                    let m = Methodology::parse(text, ReferenceData::embedded())
                        .unwrap_or_else(|e| panic!("data/rating/{key}.toml: {e}"));
                    assert_eq!(m.key(), *key, "data/rating/{key}.toml: key");
                    m
                })
                .collect()
        })
    }

    pub fn find(key: &str) -> Option<&'static Methodology> {
        Self::shipped().iter().find(|m| m.key() == key)
    }

    /// The default: the first shipped one.
    pub fn default_key() -> String {
        Self::shipped()[0].key()
    }

    fn weights_for(&self, cluster: Option<&str>) -> &BTreeMap<String, Decimal> {
        cluster
            .and_then(|c| self.weights.get(c))
            .unwrap_or(&self.weights["default"])
    }

    pub fn grade_of(&self, score: Decimal) -> &str {
        self.grade
            .iter()
            .find(|g| score >= g.min)
            .map_or("", |g| g.id.as_str())
    }
}

/// An "ESG pioneer" list: the top organisations of a programme segment.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Pioneer {
    pub id: String,
    pub name_zh: String,
    pub name_en: String,
    pub segment: String,
    pub top: usize,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rankings {
    pub meta: Meta,
    pub pioneer: Vec<Pioneer>,
}

impl Rankings {
    pub fn parse(text: &str, p: &crate::programme::Programme) -> Result<Rankings, String> {
        let r: Rankings = toml::from_str(text).map_err(|e| e.to_string())?;
        if let Some(x) = r.pioneer.iter().find(|x| p.segment(&x.segment).is_none()) {
            return Err(format!("pioneer {}: unknown segment {}", x.id, x.segment));
        }
        if let Some(x) = r.pioneer.iter().find(|x| x.top == 0) {
            return Err(format!("pioneer {}: top must be at least 1", x.id));
        }
        Ok(r)
    }

    /// The shipped file (`data/rating/rankings.toml`).
    pub fn embedded() -> &'static Rankings {
        static R: std::sync::OnceLock<Rankings> = std::sync::OnceLock::new();
        R.get_or_init(|| {
            Rankings::parse(
                include_str!("../../../data/rating/rankings.toml"),
                crate::programme::Programme::embedded(),
            )
            .unwrap_or_else(|e| panic!("data/rating/rankings.toml: {e}"))
        })
    }
}

/// Orders results for a ranking: score, then the governance pillar (`G`),
/// both descending, then `name` ascending.
pub fn ranking_order(a: (&RatingResult, &str), b: (&RatingResult, &str)) -> std::cmp::Ordering {
    let g = |r: &RatingResult| r.pillars.get("G").copied().unwrap_or_default();
    b.0.score
        .cmp(&a.0.score)
        .then(g(b.0).cmp(&g(a.0)))
        .then(a.1.cmp(b.1))
}

/// What an organisation disclosed for a data point.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Fact {
    Number(Decimal),
    Bool(bool),
    /// Answered with text, a table or a choice.
    Answered,
    /// Explained (not applicable / not disclosed).
    Explained,
}

/// One data point's fact and whether a signed assurance conclusion covers
/// it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Datum {
    pub fact: Fact,
    pub assured: bool,
}

/// A recorded controversy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Controversy {
    pub kind: String,
    pub occurred_on: NaiveDate,
}

/// Everything the engine needs of one organisation for the rated year.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct RatingInput {
    pub org_id: String,
    pub cluster: Option<String>,
    /// Revenue in 10,000 yuan, for intensities.
    pub revenue_wan: Option<Decimal>,
    pub data: BTreeMap<String, Datum>,
    /// The prior year's numbers, for trends.
    pub prior: BTreeMap<String, Decimal>,
    pub controversies: Vec<Controversy>,
}

/// One indicator's part in a rating.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndicatorResult {
    pub indicator: String,
    pub issue: String,
    /// The value used (after normalisation), if any.
    pub value: Option<Decimal>,
    /// 0–100, None when left out for lack of data.
    pub points: Option<Decimal>,
    /// assured | reported | explained | missing
    pub quality: String,
    /// Points added to the score (2 decimals).
    pub contribution: Decimal,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RatingResult {
    pub org_id: String,
    /// Sum of the contributions minus the deduction, 0–100, 2 decimals.
    pub score: Decimal,
    pub grade: String,
    /// Pillar id → points contributed.
    pub pillars: BTreeMap<String, Decimal>,
    pub indicators: Vec<IndicatorResult>,
    pub deduction: Decimal,
    pub quality: String,
    /// Share of indicator weight with data, and assured, 0–1 (4 decimals).
    pub coverage: Decimal,
    pub assured_share: Decimal,
    /// `cluster:<id>` or `all`.
    pub peer_group: String,
}

fn r2(d: Decimal) -> Decimal {
    d.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

fn r4(d: Decimal) -> Decimal {
    d.round_dp_with_strategy(4, RoundingStrategy::MidpointAwayFromZero)
}

/// The number an indicator works with, after normalisation.
fn value_of(ind: &Indicator, input: &RatingInput) -> Option<Decimal> {
    let Fact::Number(v) = input.data.get(&ind.datapoint)?.fact else {
        return None;
    };
    match ind.per.as_deref() {
        Some(_) => {
            let r = input.revenue_wan.filter(|r| *r > Decimal::ZERO)?;
            Some(v / r)
        }
        None => Some(v),
    }
}

/// Percentile ranks (0–100, 4 decimals) of each value in `peers` (ties
/// share the mean rank), best = 100.
fn percentiles(values: &[(usize, Decimal)], lower_better: bool) -> BTreeMap<usize, Decimal> {
    let mut sorted: Vec<(usize, Decimal)> = values.to_vec();
    sorted.sort_by(|a, b| a.1.cmp(&b.1).then(a.0.cmp(&b.0)));
    if lower_better {
        sorted.reverse();
    }
    let n = sorted.len();
    let mut out = BTreeMap::new();
    if n == 1 {
        out.insert(sorted[0].0, Decimal::ONE_HUNDRED);
        return out;
    }
    let mut i = 0;
    while i < n {
        let mut j = i;
        while j + 1 < n && sorted[j + 1].1 == sorted[i].1 {
            j += 1;
        }
        // Ranks i..=j (0 = worst) share their mean.
        let mean = Decimal::from(i + j) / Decimal::TWO;
        let p = r4(mean * Decimal::ONE_HUNDRED / Decimal::from(n - 1));
        for (k, _) in &sorted[i..=j] {
            out.insert(*k, p);
        }
        i = j + 1;
    }
    out
}

/// Rates every organisation of `inputs` (sorted by id first) as of `on`
/// (for the controversies' age).
pub fn rate(m: &Methodology, inputs: &mut [RatingInput], on: NaiveDate) -> Vec<RatingResult> {
    inputs.sort_by(|a, b| a.org_id.cmp(&b.org_id));
    let relative = m.methodology.mode == "industry-relative";
    // Peer groups: the cluster when it has enough organisations.
    let mut cluster_size: BTreeMap<&str, usize> = BTreeMap::new();
    for i in inputs.iter() {
        if let Some(c) = i.cluster.as_deref() {
            *cluster_size.entry(c).or_default() += 1;
        }
    }
    let peer_of = |i: &RatingInput| -> String {
        match i.cluster.as_deref() {
            Some(c) if relative && cluster_size[c] >= m.methodology.min_peers => {
                format!("cluster:{c}")
            }
            _ => "all".into(),
        }
    };
    let groups: Vec<String> = inputs.iter().map(peer_of).collect();
    // Percentile points per (indicator, organisation index).
    let mut pct: BTreeMap<(&str, usize), Decimal> = BTreeMap::new();
    for ind in m.indicator.iter().filter(|x| x.scoring == "percentile") {
        let mut by_group: BTreeMap<&str, Vec<(usize, Decimal)>> = BTreeMap::new();
        for (k, input) in inputs.iter().enumerate() {
            if let Some(v) = value_of(ind, input) {
                by_group.entry(groups[k].as_str()).or_default().push((k, v));
            }
        }
        let lower = ind.better.as_deref() == Some("lower");
        for vals in by_group.values() {
            for (k, p) in percentiles(vals, lower) {
                pct.insert((ind.id.as_str(), k), p);
            }
        }
    }
    let issue_pillar: BTreeMap<&str, &str> = m
        .issue
        .iter()
        .map(|i| (i.id.as_str(), i.pillar.as_str()))
        .collect();
    let total_weight_all: Decimal = m.indicator.iter().map(|x| x.weight).sum();
    inputs
        .iter()
        .enumerate()
        .map(|(k, input)| {
            let weights = m.weights_for(input.cluster.as_deref());
            let wsum: Decimal = weights.values().copied().sum();
            let mut results: Vec<IndicatorResult> = Vec::new();
            let (mut covered, mut assured) = (Decimal::ZERO, Decimal::ZERO);
            for ind in &m.indicator {
                let datum = input.data.get(&ind.datapoint);
                let quality = match datum {
                    Some(d) if d.fact == Fact::Explained => "explained",
                    Some(d) if d.assured => "assured",
                    Some(_) => "reported",
                    None => "missing",
                };
                let value = value_of(ind, input);
                let points = match ind.scoring.as_str() {
                    "disclosed" => Some(match datum.map(|d| &d.fact) {
                        Some(Fact::Explained) | None => Decimal::ZERO,
                        Some(_) => Decimal::ONE_HUNDRED,
                    }),
                    "boolean" => match datum.map(|d| &d.fact) {
                        Some(Fact::Bool(b)) => Some(if *b {
                            Decimal::ONE_HUNDRED
                        } else {
                            Decimal::ZERO
                        }),
                        _ => None,
                    },
                    "bands" => value.map(|v| {
                        ind.bands
                            .iter()
                            .find(|b| b.upto.is_none_or(|u| v <= u))
                            .map_or(Decimal::ZERO, |b| b.points)
                    }),
                    "percentile" => pct.get(&(ind.id.as_str(), k)).copied(),
                    "trend" => {
                        let prior = input.prior.get(&ind.datapoint).copied();
                        match (value, prior) {
                            (Some(v), Some(p)) if p != Decimal::ZERO => {
                                let change = (v - p) * Decimal::ONE_HUNDRED / p.abs();
                                let step = ind.step.unwrap_or(Decimal::ONE);
                                let better = if ind.better.as_deref() == Some("lower") {
                                    -change
                                } else {
                                    change
                                };
                                Some(if better >= step {
                                    Decimal::ONE_HUNDRED
                                } else if better > -step {
                                    Decimal::from(50)
                                } else {
                                    Decimal::ZERO
                                })
                            }
                            _ => None,
                        }
                    }
                    _ => None,
                };
                if matches!(quality, "assured" | "reported") {
                    covered += ind.weight;
                    if quality == "assured" {
                        assured += ind.weight;
                    }
                }
                results.push(IndicatorResult {
                    indicator: ind.id.clone(),
                    issue: ind.issue.clone(),
                    value,
                    points,
                    quality: quality.into(),
                    contribution: Decimal::ZERO,
                });
            }
            // Contributions: issue weight share × indicator weight share
            // (among the issue's indicators with points) × points.
            let mut pillars: BTreeMap<String, Decimal> = m
                .pillar
                .iter()
                .map(|p| (p.id.clone(), Decimal::ZERO))
                .collect();
            for issue in &m.issue {
                let w_issue = weights[&issue.id] / wsum;
                let scored: Decimal = m
                    .indicator
                    .iter()
                    .zip(&results)
                    .filter(|(x, r)| x.issue == issue.id && r.points.is_some())
                    .map(|(x, _)| x.weight)
                    .sum();
                if scored == Decimal::ZERO {
                    continue;
                }
                for (x, r) in m.indicator.iter().zip(results.iter_mut()) {
                    if x.issue != issue.id {
                        continue;
                    }
                    if let Some(p) = r.points {
                        r.contribution = r2(w_issue * x.weight / scored * p);
                        *pillars
                            .get_mut(issue_pillar[issue.id.as_str()])
                            .expect("checked pillar") += r.contribution;
                    }
                }
            }
            let gross: Decimal = results.iter().map(|r| r.contribution).sum();
            let deduction = r2(input
                .controversies
                .iter()
                .filter_map(|c| {
                    let kind = m.controversy.iter().find(|k| k.id == c.kind)?;
                    let years = (on.year()
                        - c.occurred_on.year()
                        - i32::from(
                            (on.month(), on.day()) < (c.occurred_on.month(), c.occurred_on.day()),
                        ))
                    .max(0);
                    let mut pts = kind.points;
                    for _ in 0..years {
                        pts *= m.methodology.decay;
                    }
                    Some(pts)
                })
                .sum::<Decimal>()
                .min(m.methodology.max_deduction)
                .min(gross));
            let score = gross - deduction;
            let coverage = r4(covered / total_weight_all);
            let assured_share = r4(assured / total_weight_all);
            let quality = m
                .quality
                .iter()
                .find(|q| coverage >= q.min_coverage && assured_share >= q.min_assured)
                .map_or(String::new(), |q| q.id.clone());
            RatingResult {
                org_id: input.org_id.clone(),
                grade: m.grade_of(score).to_string(),
                score,
                pillars,
                indicators: results,
                deduction,
                quality,
                coverage,
                assured_share,
                peer_group: groups[k].clone(),
            }
        })
        .collect()
}

/// What-if: for each indicator, the most points it could add to the score
/// were it disclosed and at its best (its full share of its issue's weight
/// minus what it contributes now), largest first. Missing and explained
/// data show here as the first things to improve.
pub fn headroom(
    m: &Methodology,
    result: &RatingResult,
    cluster: Option<&str>,
) -> Vec<(String, Decimal)> {
    let weights = m.weights_for(cluster);
    let wsum: Decimal = weights.values().copied().sum();
    let mut out: Vec<(String, Decimal)> = m
        .indicator
        .iter()
        .filter_map(|x| {
            let issue_total: Decimal = m
                .indicator
                .iter()
                .filter(|y| y.issue == x.issue)
                .map(|y| y.weight)
                .sum();
            let full = r2(weights[&x.issue] / wsum * x.weight / issue_total * Decimal::ONE_HUNDRED);
            let now = result
                .indicators
                .iter()
                .find(|r| r.indicator == x.id)
                .map_or(Decimal::ZERO, |r| r.contribution);
            let gain = full - now;
            (gain > Decimal::ZERO).then(|| (x.id.clone(), gain))
        })
        .collect();
    out.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    out
}

/// SHA-256 over the canonical JSON of results (fields in declaration
/// order, maps sorted, no spaces), streamed: two runs with identical
/// inputs print the same digest.
pub fn results_digest(results: &[RatingResult]) -> String {
    use sha2::{Digest, Sha256};
    struct Hashing(Sha256);
    impl std::io::Write for Hashing {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.update(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut h = Hashing(Sha256::new());
    // Writing to a hash cannot fail.
    serde_json::to_writer(&mut h, results).expect("serialising results");
    hex::encode(h.0.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m() -> &'static Methodology {
        Methodology::find("egret-esg@2026.1").unwrap()
    }

    fn num(v: i64) -> Datum {
        Datum {
            fact: Fact::Number(Decimal::from(v)),
            assured: false,
        }
    }

    fn input(id: &str, scope1: i64, revenue: i64) -> RatingInput {
        RatingInput {
            org_id: id.into(),
            cluster: Some("electronic-info".into()),
            revenue_wan: Some(Decimal::from(revenue)),
            data: BTreeMap::from([
                ("ghg.scope1".to_string(), num(scope1)),
                ("anti-corruption.cases".to_string(), num(0)),
                (
                    "gov.sustainability-oversight".to_string(),
                    Datum {
                        fact: Fact::Answered,
                        assured: true,
                    },
                ),
            ]),
            ..Default::default()
        }
    }

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn the_shipped_method_loads_and_bad_ones_are_refused() {
        assert_eq!(Methodology::default_key(), "egret-esg@2026.1");
        assert_eq!(m().grade.len(), 9);
        let rd = ReferenceData::embedded();
        let text = SHIPPED[0].1;
        let bad = text.replacen(
            "issue = \"climate\"\ndatapoint",
            "issue = \"weather\"\ndatapoint",
            1,
        );
        assert!(
            Methodology::parse(&bad, rd)
                .unwrap_err()
                .contains("unknown issue weather")
        );
        let bad = text.replacen("[weights.new-energy]", "[weights.moon-mining]", 1);
        assert!(
            Methodology::parse(&bad, rd)
                .unwrap_err()
                .contains("unknown cluster")
        );
    }

    #[test]
    fn explanations_add_up_exactly_and_missing_data_is_named() {
        let mut inputs = vec![
            input("b", 500, 1000),
            input("a", 100, 1000),
            input("c", 900, 1000),
        ];
        let out = rate(m(), &mut inputs, day("2026-06-30"));
        assert_eq!(
            out.iter().map(|r| r.org_id.as_str()).collect::<Vec<_>>(),
            ["a", "b", "c"],
            "id order"
        );
        for r in &out {
            let sum: Decimal = r.indicators.iter().map(|i| i.contribution).sum();
            assert_eq!(sum - r.deduction, r.score, "{}", r.org_id);
            assert_eq!(r.pillars.values().copied().sum::<Decimal>(), sum);
            let water = r.indicators.iter().find(|i| i.indicator == "E6").unwrap();
            assert_eq!((water.points, water.quality.as_str()), (None, "missing"));
            let g1 = r.indicators.iter().find(|i| i.indicator == "G1").unwrap();
            assert_eq!(g1.quality, "assured");
        }
        // Lower intensity ranks higher among the peers.
        let e2 = |r: &RatingResult| {
            r.indicators
                .iter()
                .find(|i| i.indicator == "E2")
                .unwrap()
                .points
        };
        assert_eq!(e2(&out[0]), Some(Decimal::ONE_HUNDRED));
        assert_eq!(e2(&out[2]), Some(Decimal::ZERO));
        assert!(out[0].score > out[2].score);
        assert_eq!(out[0].peer_group, "all", "too few peers in the cluster");
    }

    #[test]
    fn one_value_changes_only_what_depends_on_it() {
        let base = vec![input("a", 100, 1000), input("b", 500, 1000)];
        let before = rate(m(), &mut base.clone(), day("2026-06-30"));
        let mut changed = base.clone();
        changed[1]
            .data
            .insert("anti-corruption.cases".into(), num(2));
        let after = rate(m(), &mut changed, day("2026-06-30"));
        assert_eq!(before[0], after[0], "the other organisation is untouched");
        for (x, y) in before[1].indicators.iter().zip(&after[1].indicators) {
            if x.issue == "ethics" {
                continue;
            }
            assert_eq!(x, y, "only the ethics issue moves");
        }
        assert!(after[1].score < before[1].score);
        assert_eq!(
            results_digest(&before),
            results_digest(&rate(m(), &mut base.clone(), day("2026-06-30")))
        );
    }

    #[test]
    fn headroom_puts_missing_disclosures_first() {
        let r = &rate(m(), &mut [input("a", 100, 1000)], day("2026-06-30"))[0];
        let h = headroom(m(), r, Some("electronic-info"));
        assert!(!h.is_empty());
        assert!(h.windows(2).all(|w| w[0].1 >= w[1].1));
        assert!(
            h.iter().all(|(id, _)| id != "E1"),
            "E1 is already at its best"
        );
    }

    #[test]
    fn controversies_deduct_and_decay_by_year() {
        let mut a = input("a", 100, 1000);
        a.controversies = vec![
            Controversy {
                kind: "corruption-case".into(),
                occurred_on: day("2024-03-01"),
            },
            Controversy {
                kind: "safety-accident".into(),
                occurred_on: day("2026-01-10"),
            },
        ];
        let r = &rate(m(), &mut [a], day("2026-06-30"))[0];
        // 10 × 0.5² (two full years) + 8 × 0.5⁰.
        assert_eq!(r.deduction, "10.50".parse().unwrap());
    }

    #[test]
    fn rankings_load_and_order_by_score_then_governance_then_name() {
        assert!(!Rankings::embedded().pioneer.is_empty());
        let mut rs = rate(
            m(),
            &mut [
                input("a", 100, 1000),
                input("b", 100, 1000),
                input("c", 900, 1000),
            ],
            day("2026-06-30"),
        );
        let names = ["乙", "甲", "丙"];
        let mut order: Vec<usize> = (0..3).collect();
        order.sort_by(|x, y| ranking_order((&rs[*x], names[*x]), (&rs[*y], names[*y])));
        assert_eq!(order[2], 2, "the highest intensity ranks last");
        assert_eq!(rs[0].score, rs[1].score);
        assert_eq!(
            order[..2],
            [0, 1],
            "ties by name (乙 U+4E59 before 甲 U+7532)"
        );
        rs.clear();
    }

    #[test]
    fn percentile_ties_share_the_mean_rank() {
        let p = percentiles(
            &[(0, Decimal::ONE), (1, Decimal::ONE), (2, Decimal::TWO)],
            false,
        );
        assert_eq!(p[&2], Decimal::ONE_HUNDRED);
        assert_eq!(p[&0], Decimal::from(25));
        assert_eq!(p[&1], Decimal::from(25));
    }
}
