//! The city's ESG programme as data (`data/programme/`): the segments its
//! disclosure targets count (rules over the register), the targets, the
//! plan's measures with their departments, tasks, indicators and
//! milestones — and the disclosure statistics computed from them. Every
//! figure is the length of a list of organisations, so the list behind a
//! number is always at hand.

use std::collections::{BTreeMap, HashSet};
use std::sync::OnceLock;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::refdata::{Meta, ReferenceData};

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProgrammeInfo {
    pub id: String,
    pub name_zh: String,
    pub name_en: String,
    pub start_year: i32,
    pub end_year: i32,
    pub coordinator: String,
}

/// A group of organisations a target counts: every condition given holds.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Segment {
    pub id: String,
    pub name_zh: String,
    pub name_en: String,
    #[serde(default)]
    pub listed: Option<bool>,
    #[serde(default)]
    pub state_controlled: Option<bool>,
    #[serde(default)]
    pub foreign_business: Option<bool>,
    #[serde(default)]
    pub financial_institution: Option<bool>,
    #[serde(default)]
    pub ownership: Option<Vec<String>>,
    #[serde(default)]
    pub size_class: Option<Vec<String>>,
    #[serde(default)]
    pub clusters: Option<Vec<String>>,
}

/// What the statistics need to know of an organisation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OrgFacts {
    pub org_id: String,
    pub uscc: String,
    pub name_zh: String,
    pub name_en: Option<String>,
    pub district: String,
    pub cluster: Option<String>,
    /// Ownership code (`private`, `local_soe`, …).
    pub ownership: String,
    pub size_class: Option<String>,
    pub listed: bool,
    pub state_controlled: bool,
    pub foreign_business: bool,
    pub financial_institution: bool,
    pub zones: Vec<String>,
}

impl Segment {
    pub fn matches(&self, o: &OrgFacts) -> bool {
        let flag = |want: Option<bool>, have: bool| want.is_none_or(|w| w == have);
        let one_of = |want: &Option<Vec<String>>, have: Option<&str>| {
            want.as_ref()
                .is_none_or(|w| have.is_some_and(|h| w.iter().any(|x| x == h)))
        };
        flag(self.listed, o.listed)
            && flag(self.state_controlled, o.state_controlled)
            && flag(self.foreign_business, o.foreign_business)
            && flag(self.financial_institution, o.financial_institution)
            && one_of(&self.ownership, Some(&o.ownership))
            && one_of(&self.size_class, o.size_class.as_deref())
            && one_of(&self.clusters, o.cluster.as_deref())
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Target {
    pub segment: String,
    pub year: i32,
    /// A share to reach, in percent.
    #[serde(default)]
    pub rate: Option<Decimal>,
    /// A rise in percentage points over the rate of `baseline_year`.
    #[serde(default)]
    pub baseline_year: Option<i32>,
    #[serde(default)]
    pub increase: Option<Decimal>,
    pub text_zh: String,
    pub text_en: String,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
struct ProgrammeFile {
    meta: Meta,
    programme: ProgrammeInfo,
    segment: Vec<Segment>,
    target: Vec<Target>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Department {
    pub id: String,
    pub name_zh: String,
    pub name_en: String,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Group {
    pub id: String,
    pub name_zh: String,
    pub name_en: String,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Task {
    pub id: String,
    pub text_zh: String,
    pub text_en: String,
}

/// Figures the platform computes for an indicator.
pub const COMPUTED: [&str; 11] = [
    "disclosure-rate:listed",
    "disclosure-rate:listed-soe-foreign",
    "disclosure-rate:private",
    "disclosure-rate:foreign-related",
    "disclosure-rate:financial",
    "assurance-rate",
    "institutions:assurance",
    "institutions:rating",
    "institutions:pcf-certification",
    "institutions:any",
    "footprints:enterprises",
];

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Indicator {
    pub id: String,
    pub name_zh: String,
    pub name_en: String,
    /// count | percent | yuan | text
    pub unit: String,
    #[serde(default)]
    pub computed: Option<String>,
    #[serde(default)]
    pub target: Option<Decimal>,
    #[serde(default)]
    pub target_year: Option<i32>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Milestone {
    pub id: String,
    pub due: NaiveDate,
    pub text_zh: String,
    pub text_en: String,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Measure {
    pub number: u32,
    pub group: String,
    pub title_zh: String,
    pub title_en: String,
    pub lead: String,
    #[serde(default)]
    pub co: Vec<String>,
    #[serde(default)]
    pub task: Vec<Task>,
    #[serde(default)]
    pub indicator: Vec<Indicator>,
    #[serde(default)]
    pub milestone: Vec<Milestone>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
struct MeasuresFile {
    meta: Meta,
    department: Vec<Department>,
    group: Vec<Group>,
    measure: Vec<Measure>,
}

/// The programme: segments, targets and measures.
#[derive(Debug, Clone, PartialEq)]
pub struct Programme {
    pub meta: Meta,
    pub info: ProgrammeInfo,
    pub segments: Vec<Segment>,
    pub targets: Vec<Target>,
    pub measures_meta: Meta,
    pub departments: Vec<Department>,
    pub groups: Vec<Group>,
    pub measures: Vec<Measure>,
}

fn unique<'a>(what: &str, ids: impl Iterator<Item = &'a str>) -> Result<(), String> {
    let mut seen = HashSet::new();
    for id in ids {
        if !seen.insert(id) {
            return Err(format!("{what}: duplicate id {id}"));
        }
    }
    Ok(())
}

impl Programme {
    /// Parses and checks both files (`programme.toml`, `measures.toml`).
    pub fn parse(programme: &str, measures: &str, rd: &ReferenceData) -> Result<Programme, String> {
        let p: ProgrammeFile =
            toml::from_str(programme).map_err(|e| format!("programme.toml: {e}"))?;
        let m: MeasuresFile =
            toml::from_str(measures).map_err(|e| format!("measures.toml: {e}"))?;
        unique(
            "programme.toml segment",
            p.segment.iter().map(|s| s.id.as_str()),
        )?;
        for (i, s) in p.segment.iter().enumerate() {
            if let Some(c) = s
                .clusters
                .iter()
                .flatten()
                .find(|c| rd.cluster(c).is_none())
            {
                return Err(format!(
                    "programme.toml segment[{}].clusters: unknown {c}",
                    i + 1
                ));
            }
        }
        for (i, t) in p.target.iter().enumerate() {
            let at = format!("programme.toml target[{}]", i + 1);
            if !p.segment.iter().any(|s| s.id == t.segment) {
                return Err(format!("{at}.segment: unknown {}", t.segment));
            }
            match (t.rate, t.baseline_year, t.increase) {
                (Some(r), None, None) if r >= Decimal::ZERO && r <= Decimal::ONE_HUNDRED => {}
                (None, Some(b), Some(inc)) if b < t.year && inc > Decimal::ZERO => {}
                _ => {
                    return Err(format!(
                        "{at}: give either rate (0–100) or baseline_year (before year) with a positive increase"
                    ));
                }
            }
        }
        unique(
            "measures.toml department",
            m.department.iter().map(|d| d.id.as_str()),
        )?;
        unique("measures.toml group", m.group.iter().map(|g| g.id.as_str()))?;
        let dept = |id: &str| m.department.iter().any(|d| d.id == id);
        if !dept(&p.programme.coordinator) {
            return Err(format!(
                "programme.toml programme.coordinator: unknown department {}",
                p.programme.coordinator
            ));
        }
        for (i, x) in m.measure.iter().enumerate() {
            let at = format!("measures.toml measure[{}]", i + 1);
            if x.number as usize != i + 1 {
                return Err(format!("{at}.number: expected {}", i + 1));
            }
            if !m.group.iter().any(|g| g.id == x.group) {
                return Err(format!("{at}.group: unknown {}", x.group));
            }
            if let Some(d) = std::iter::once(&x.lead).chain(&x.co).find(|d| !dept(d)) {
                return Err(format!("{at}: unknown department {d}"));
            }
            unique(&format!("{at} task"), x.task.iter().map(|t| t.id.as_str()))?;
            unique(
                &format!("{at} indicator"),
                x.indicator.iter().map(|t| t.id.as_str()),
            )?;
            unique(
                &format!("{at} milestone"),
                x.milestone.iter().map(|t| t.id.as_str()),
            )?;
            for ind in &x.indicator {
                if let Some(c) = ind.computed.as_deref().filter(|c| !COMPUTED.contains(c)) {
                    return Err(format!("{at} indicator {}: unknown computed {c}", ind.id));
                }
                if ind.target.is_some() != ind.target_year.is_some() {
                    return Err(format!(
                        "{at} indicator {}: target and target_year go together",
                        ind.id
                    ));
                }
            }
        }
        Ok(Programme {
            meta: p.meta,
            info: p.programme,
            segments: p.segment,
            targets: p.target,
            measures_meta: m.meta,
            departments: m.department,
            groups: m.group,
            measures: m.measure,
        })
    }

    /// The shipped files.
    pub fn embedded() -> &'static Programme {
        static P: OnceLock<Programme> = OnceLock::new();
        P.get_or_init(|| {
            Programme::parse(
                include_str!("../../../data/programme/programme.toml"),
                include_str!("../../../data/programme/measures.toml"),
                ReferenceData::embedded(),
            )
            .unwrap_or_else(|e| panic!("data/programme: {e}"))
        })
    }

    pub fn segment(&self, id: &str) -> Option<&Segment> {
        self.segments.iter().find(|s| s.id == id)
    }

    pub fn department(&self, id: &str) -> Option<&Department> {
        self.departments.iter().find(|d| d.id == id)
    }

    pub fn measure(&self, number: u32) -> Option<&Measure> {
        self.measures.iter().find(|m| m.number == number)
    }

    /// The target of a segment (the latest, when several).
    pub fn target(&self, segment: &str) -> Option<&Target> {
        self.targets
            .iter()
            .filter(|t| t.segment == segment)
            .max_by_key(|t| t.year)
    }
}

/// Organisations eligible and disclosing (indices into the facts).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Count {
    pub eligible: Vec<usize>,
    pub disclosed: Vec<usize>,
}

impl Count {
    /// The missing ones: eligible and not disclosed.
    pub fn missing(&self) -> Vec<usize> {
        let d: HashSet<usize> = self.disclosed.iter().copied().collect();
        self.eligible
            .iter()
            .copied()
            .filter(|i| !d.contains(i))
            .collect()
    }

    /// Disclosed share in percent, one decimal (None when nobody is
    /// eligible).
    pub fn rate(&self) -> Option<Decimal> {
        rate(self.disclosed.len(), self.eligible.len())
    }
}

/// `part` of `whole` in percent, rounded half-up to one decimal.
pub fn rate(part: usize, whole: usize) -> Option<Decimal> {
    (whole > 0).then(|| {
        (Decimal::from(part) * Decimal::ONE_HUNDRED / Decimal::from(whole))
            .round_dp_with_strategy(1, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
            .normalize()
    })
}

/// Counts a segment among the organisations that pass `within` (the whole
/// city, a zone, a district…): `disclosed` holds the ids of organisations
/// with a published report for the year.
pub fn count(
    orgs: &[OrgFacts],
    segment: &Segment,
    disclosed: &HashSet<&str>,
    within: impl Fn(&OrgFacts) -> bool,
) -> Count {
    let mut c = Count::default();
    for (i, o) in orgs.iter().enumerate() {
        if within(o) && segment.matches(o) {
            c.eligible.push(i);
            if disclosed.contains(o.org_id.as_str()) {
                c.disclosed.push(i);
            }
        }
    }
    c
}

/// The rate a target asks for: its rate, or the baseline year's rate plus
/// the increase (None while the baseline is unknown). Capped at 100.
pub fn target_rate(t: &Target, rates: &BTreeMap<i32, Decimal>) -> Option<Decimal> {
    match (t.rate, t.baseline_year, t.increase) {
        (Some(r), _, _) => Some(r),
        (None, Some(b), Some(inc)) => rates.get(&b).map(|r| (*r + inc).min(Decimal::ONE_HUNDRED)),
        _ => None,
    }
}

/// A straight-line (least squares) projection of yearly rates to `year`,
/// one decimal, within 0–100. Needs two years or more.
pub fn project(rates: &BTreeMap<i32, Decimal>, year: i32) -> Option<Decimal> {
    if rates.len() < 2 {
        return None;
    }
    let n = Decimal::from(rates.len());
    let mx = rates.keys().map(|y| Decimal::from(*y)).sum::<Decimal>() / n;
    let my = rates.values().copied().sum::<Decimal>() / n;
    let (mut sxy, mut sxx) = (Decimal::ZERO, Decimal::ZERO);
    for (y, r) in rates {
        let dx = Decimal::from(*y) - mx;
        sxy += dx * (*r - my);
        sxx += dx * dx;
    }
    let slope = sxy / sxx;
    let v = my + slope * (Decimal::from(year) - mx);
    Some(
        v.clamp(Decimal::ZERO, Decimal::ONE_HUNDRED)
            .round_dp_with_strategy(1, rust_decimal::RoundingStrategy::MidpointAwayFromZero),
    )
}

/// Where a figure is counted: the whole city, a pilot zone, the city
/// outside a zone, or a district.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Scope {
    City,
    Zone(String),
    OutsideZone(String),
    District(String),
}

impl Scope {
    /// From `city`, `zone:ID`, `outside:ID` or `district:CODE`, checked
    /// against the reference data.
    pub fn parse(s: &str, rd: &ReferenceData) -> Option<Scope> {
        match s.split_once(':') {
            None if s == "city" => Some(Scope::City),
            Some(("zone", z)) if rd.zone(z).is_some() => Some(Scope::Zone(z.into())),
            Some(("outside", z)) if rd.zone(z).is_some() => Some(Scope::OutsideZone(z.into())),
            Some(("district", d)) if rd.district(d).is_some() => Some(Scope::District(d.into())),
            _ => None,
        }
    }

    pub fn key(&self) -> String {
        match self {
            Scope::City => "city".into(),
            Scope::Zone(z) => format!("zone:{z}"),
            Scope::OutsideZone(z) => format!("outside:{z}"),
            Scope::District(d) => format!("district:{d}"),
        }
    }

    pub fn contains(&self, o: &OrgFacts) -> bool {
        match self {
            Scope::City => true,
            Scope::Zone(z) => o.zones.contains(z),
            Scope::OutsideZone(z) => !o.zones.contains(z),
            Scope::District(d) => &o.district == d,
        }
    }

    /// Its name in both languages.
    pub fn names(&self, rd: &ReferenceData) -> (String, String) {
        match self {
            Scope::City => (rd.city().name_zh.clone(), rd.city().name_en.clone()),
            Scope::Zone(z) => rd.zone(z).map_or((z.clone(), z.clone()), |x| {
                (x.name_zh.clone(), x.name_en.clone())
            }),
            Scope::OutsideZone(z) => {
                let (zh, en) = Scope::Zone(z.clone()).names(rd);
                (format!("{zh}以外"), format!("Outside {en}"))
            }
            Scope::District(d) => rd.district(d).map_or((d.clone(), d.clone()), |x| {
                (x.name_zh.clone(), x.name_en.clone())
            }),
        }
    }
}

/// Organisations with a published report, by fiscal year.
pub fn disclosed_by_year(published: &[(String, i32)]) -> BTreeMap<i32, HashSet<&str>> {
    let mut out: BTreeMap<i32, HashSet<&str>> = BTreeMap::new();
    for (org, year) in published {
        out.entry(*year).or_default().insert(org.as_str());
    }
    out
}

/// One segment's disclosure in a scope and year, with its target.
#[derive(Debug, Clone, PartialEq)]
pub struct DisclosureRow<'a> {
    pub segment: &'a Segment,
    pub count: Count,
    /// The rate the programme asks for by its target year (None without a
    /// target, or while an increase target's baseline is unknown).
    pub target: Option<Decimal>,
    pub target_year: Option<i32>,
}

impl Programme {
    /// Every segment's disclosure in `scope` for `year`. Increase targets
    /// take their baseline from the same scope.
    pub fn disclosure<'a>(
        &'a self,
        orgs: &[OrgFacts],
        disclosed: &BTreeMap<i32, HashSet<&str>>,
        year: i32,
        scope: &Scope,
    ) -> Vec<DisclosureRow<'a>> {
        let none = HashSet::new();
        let of = |y: i32| disclosed.get(&y).unwrap_or(&none);
        self.segments
            .iter()
            .map(|seg| {
                let now = count(orgs, seg, of(year), |o| scope.contains(o));
                let t = self.target(&seg.id);
                let target = t.and_then(|t| {
                    let mut base = BTreeMap::new();
                    if let Some(b) = t.baseline_year
                        && let Some(r) = count(orgs, seg, of(b), |o| scope.contains(o)).rate()
                    {
                        base.insert(b, r);
                    }
                    target_rate(t, &base)
                });
                DisclosureRow {
                    segment: seg,
                    count: now,
                    target,
                    target_year: t.map(|t| t.year),
                }
            })
            .collect()
    }
}

/// Published greenhouse-gas emissions of a group of organisations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CarbonGroup {
    pub key: String,
    /// Organisations whose published report of the year gives scope 1 or
    /// 2 (location-based) emissions.
    pub orgs: Vec<usize>,
    /// Scope 1 + scope 2 (location-based), tCO2e.
    pub total_t: Decimal,
    /// Revenue of those with a revenue in the register, 10,000 yuan.
    pub revenue_wan: Decimal,
    /// tCO2e per 10,000 yuan over the organisations with both.
    pub intensity: Option<Decimal>,
}

/// Groups published scope 1 + 2 emissions by `key` (cluster, district…).
/// `emissions` holds, per organisation index, its tonnes of the year;
/// `revenue` its revenue in yuan.
pub fn carbon_groups(
    orgs: &[OrgFacts],
    emissions: &BTreeMap<usize, Decimal>,
    revenue: impl Fn(&OrgFacts) -> Option<Decimal>,
    key: impl Fn(&OrgFacts) -> Option<String>,
) -> Vec<CarbonGroup> {
    let mut groups: BTreeMap<String, (Vec<usize>, Decimal, Decimal, Decimal)> = BTreeMap::new();
    for (i, t) in emissions {
        let o = &orgs[*i];
        let Some(k) = key(o) else { continue };
        let g = groups.entry(k).or_default();
        g.0.push(*i);
        g.1 += *t;
        if let Some(r) = revenue(o).filter(|r| *r > Decimal::ZERO) {
            g.2 += *t;
            g.3 += r / Decimal::from(10_000);
        }
    }
    groups
        .into_iter()
        .map(
            |(key, (orgs, total_t, t_with_rev, revenue_wan))| CarbonGroup {
                key,
                orgs,
                total_t,
                intensity: (revenue_wan > Decimal::ZERO)
                    .then(|| (t_with_rev / revenue_wan).round_dp(4)),
                revenue_wan: revenue_wan.round_dp(2),
            },
        )
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn org(id: &str, listed: bool, soe: bool, foreign: bool, ownership: &str) -> OrgFacts {
        OrgFacts {
            org_id: id.into(),
            uscc: String::new(),
            name_zh: id.into(),
            name_en: None,
            district: "350203".into(),
            cluster: None,
            ownership: ownership.into(),
            size_class: None,
            listed,
            state_controlled: soe,
            foreign_business: foreign,
            financial_institution: false,
            zones: vec![],
        }
    }

    #[test]
    fn shipped_programme_loads_with_the_plans_targets() {
        let p = Programme::embedded();
        assert_eq!(p.measures.len(), 20);
        assert_eq!(p.target("listed").unwrap().rate, Some(Decimal::from(70)));
        assert_eq!(
            p.target("listed-soe-foreign").unwrap().rate,
            Some(Decimal::from(100))
        );
        assert!(
            p.measure(2)
                .unwrap()
                .indicator
                .iter()
                .any(|i| { i.computed.as_deref() == Some("disclosure-rate:listed-soe-foreign") })
        );
    }

    #[test]
    fn bad_files_are_refused_naming_the_place() {
        let rd = ReferenceData::embedded();
        let prog = include_str!("../../../data/programme/programme.toml");
        let meas = include_str!("../../../data/programme/measures.toml");
        let bad = prog.replacen(
            "segment = \"listed\"\nyear",
            "segment = \"nobody\"\nyear",
            1,
        );
        assert!(
            Programme::parse(&bad, meas, rd)
                .unwrap_err()
                .contains("target[1].segment: unknown nobody")
        );
        let bad = prog.replacen("rate = \"70\"", "rate = \"170\"", 1);
        assert!(
            Programme::parse(&bad, meas, rd)
                .unwrap_err()
                .contains("target[1]")
        );
        let bad = meas.replacen("number = 2", "number = 3", 1);
        assert!(
            Programme::parse(prog, &bad, rd)
                .unwrap_err()
                .contains("measure[2].number")
        );
    }

    #[test]
    fn segments_count_the_list_behind_the_rate() {
        let p = Programme::embedded();
        let orgs = vec![
            org("a", true, true, true, "local_soe"),
            org("b", true, true, false, "local_soe"),
            org("c", true, false, false, "private"),
            org("d", false, false, false, "private"),
        ];
        let disclosed: HashSet<&str> = ["a", "c"].into();
        let listed = count(&orgs, p.segment("listed").unwrap(), &disclosed, |_| true);
        assert_eq!((listed.eligible.len(), listed.disclosed.len()), (3, 2));
        assert_eq!(listed.missing(), [1]);
        assert_eq!(listed.rate(), Some("66.7".parse().unwrap()));
        let soe = count(
            &orgs,
            p.segment("listed-soe-foreign").unwrap(),
            &disclosed,
            |_| true,
        );
        assert_eq!(soe.eligible, [0]);
        let private = count(&orgs, p.segment("private").unwrap(), &disclosed, |o| {
            o.org_id != "c"
        });
        assert_eq!(
            (private.rate(), private.eligible),
            (Some(Decimal::ZERO), vec![3])
        );
    }

    #[test]
    fn targets_with_a_baseline_and_projections() {
        let p = Programme::embedded();
        let t = p.target("private").unwrap();
        let mut rates = BTreeMap::new();
        assert_eq!(target_rate(t, &rates), None, "baseline unknown");
        rates.insert(2024, Decimal::from(12));
        assert_eq!(target_rate(t, &rates), Some(Decimal::from(22)));
        rates.insert(2023, Decimal::from(10));
        rates.insert(2025, Decimal::from(14));
        assert_eq!(project(&rates, 2027), Some(Decimal::from(18)));
        rates.insert(2025, Decimal::from(90));
        assert_eq!(project(&rates, 2030), Some(Decimal::ONE_HUNDRED), "capped");
        assert_eq!(project(&BTreeMap::from([(2025, Decimal::ONE)]), 2027), None);
    }

    #[test]
    fn scopes_parse_and_contain() {
        let rd = ReferenceData::embedded();
        let mut o = org("a", true, false, false, "private");
        o.zones = vec!["ftz-xiamen".into()];
        let zone = Scope::parse("zone:ftz-xiamen", rd).unwrap();
        assert!(zone.contains(&o));
        assert!(!Scope::parse("outside:ftz-xiamen", rd).unwrap().contains(&o));
        assert!(Scope::parse("district:350203", rd).unwrap().contains(&o));
        assert_eq!(Scope::parse("zone:nowhere", rd), None);
        assert_eq!(zone.key(), "zone:ftz-xiamen");
    }

    #[test]
    fn carbon_groups_sum_and_divide_exactly() {
        let mut a = org("a", true, false, false, "private");
        a.cluster = Some("x".into());
        let mut b = a.clone();
        b.org_id = "b".into();
        let orgs = vec![a, b];
        let em = BTreeMap::from([(0, Decimal::from(300)), (1, Decimal::from(100))]);
        let g = carbon_groups(
            &orgs,
            &em,
            |o| (o.org_id == "a").then(|| Decimal::from(1_000_000)),
            |o| o.cluster.clone(),
        );
        assert_eq!(g.len(), 1);
        assert_eq!((g[0].orgs.len(), g[0].total_t), (2, Decimal::from(400)));
        assert_eq!(
            g[0].intensity,
            Some(Decimal::from(3)),
            "300 t / 100 × 10,000 yuan"
        );
    }

    proptest! {
        #[test]
        fn counts_and_rates_agree(flags in proptest::collection::vec((any::<bool>(), any::<bool>()), 0..60)) {
            let p = Programme::embedded();
            let orgs: Vec<OrgFacts> = flags
                .iter()
                .enumerate()
                .map(|(i, (l, _))| org(&i.to_string(), *l, false, false, "private"))
                .collect();
            let ids: Vec<String> = flags.iter().enumerate().filter(|(_, f)| f.1).map(|(i, _)| i.to_string()).collect();
            let disclosed: HashSet<&str> = ids.iter().map(String::as_str).collect();
            let c = count(&orgs, p.segment("listed").unwrap(), &disclosed, |_| true);
            prop_assert_eq!(c.eligible.len(), flags.iter().filter(|f| f.0).count());
            prop_assert_eq!(c.disclosed.len() + c.missing().len(), c.eligible.len());
            if let Some(r) = c.rate() {
                prop_assert!(r >= Decimal::ZERO && r <= Decimal::ONE_HUNDRED);
            }
        }
    }
}
