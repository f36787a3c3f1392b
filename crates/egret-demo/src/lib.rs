//! The demo city: a deterministic, synthetic Xiamen written through the
//! store (so it obeys the same validation, access rules and audit log as
//! real data). The plan — counts, mixes, name parts, accounts — is data in
//! `data/demo/city.toml`; real reference data (districts, zones, clusters,
//! industries) comes from `data/reference/`.
//!
//! [`generate`] is pure: the same plan and seed give the same city.
//! [`load`] writes it in one transaction.

mod carbon;
mod footprints;
mod values;

use std::collections::{BTreeMap, HashSet};

use anyhow::{Context, Result, bail};
use egret_domain::access::{Principal, Role};
use egret_domain::org::{ListingInput, OrgInput, OrgProfile, Ownership, PeriodInput, SiteInput};
use egret_domain::refdata::ReferenceData;
use egret_domain::uscc;
use egret_store::{NewUser, Store};
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rust_decimal::Decimal;
use serde::Deserialize;

/// The shipped demo plan.
const SHIPPED: &str = include_str!("../../../data/demo/city.toml");

/// What the generator makes; see `data/demo/city.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DemoPlan {
    pub version: String,
    pub seed: u64,
    pub organizations: usize,
    pub listed: usize,
    pub listed_soe_foreign: usize,
    pub listed_mandatory_index: usize,
    pub fiscal_years: Vec<i32>,
    pub password: String,
    pub sme_reporting_every: usize,
    pub intensity: BTreeMap<String, values::Intensity>,
    pub activity: Vec<carbon::ActivityPlan>,
    pub ownership_weights: BTreeMap<String, u32>,
    pub zone_per_mille: BTreeMap<String, u32>,
    pub accounts: Vec<DemoAccount>,
    #[serde(default)]
    pub institution: Vec<DemoInstitution>,
    /// Report narrative templates by section dimension.
    #[serde(default)]
    pub narratives: BTreeMap<String, Narrative>,
    #[serde(default)]
    pub plan: Option<PlanDemo>,
    pub names: Names,
}

/// Demo tracking of the action plan.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanDemo {
    pub members: Vec<PlanMember>,
    pub quarters: Vec<String>,
    pub done_per_mille: u32,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanMember {
    pub email: String,
    pub department: String,
}

/// A narrative template in both languages (`{name}`, `{name_en}`,
/// `{year}` are filled in).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Narrative {
    pub zh: String,
    pub en: String,
}

/// A service institution of the registry, with its qualifications and the
/// demo accounts that act for it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DemoInstitution {
    pub name_zh: String,
    pub name_en: String,
    pub services: Vec<String>,
    #[serde(default)]
    pub district: Option<String>,
    #[serde(default)]
    pub members: Vec<String>,
    #[serde(default)]
    pub qualification: Vec<egret_domain::institution::QualificationInput>,
}

/// A demo log-in.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DemoAccount {
    pub role: String,
    pub email: String,
    pub name_zh: String,
    pub name_en: String,
    /// Selectors: `listed-soe-foreign:N`, `listed:N`, `sme:N` (1-based).
    pub orgs: Vec<String>,
}

/// Parts of synthetic company names.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Names {
    pub cores: Vec<(String, String)>,
    /// Trade words by GB/T 4754 section letter.
    pub trades: BTreeMap<String, Vec<(String, String)>>,
}

impl DemoPlan {
    /// The plan shipped in `data/demo/city.toml`.
    pub fn shipped() -> Result<DemoPlan> {
        DemoPlan::from_toml(SHIPPED).context("data/demo/city.toml")
    }

    /// Parses and checks a plan.
    pub fn from_toml(text: &str) -> Result<DemoPlan> {
        let plan: DemoPlan = toml::from_str(text)?;
        plan.check()?;
        Ok(plan)
    }

    fn check(&self) -> Result<()> {
        let rd = ReferenceData::embedded();
        if self.listed > self.organizations {
            bail!(
                "listed ({}) exceeds organizations ({})",
                self.listed,
                self.organizations
            );
        }
        if self.listed_soe_foreign + self.listed_mandatory_index > self.listed * 2 {
            bail!("listed_soe_foreign and listed_mandatory_index do not fit in listed");
        }
        for k in self.ownership_weights.keys() {
            k.parse::<Ownership>()
                .map_err(|_| anyhow::anyhow!("ownership_weights: unknown ownership `{k}`"))?;
        }
        for z in self.zone_per_mille.keys() {
            if rd.zone(z).is_none() {
                bail!("zone_per_mille: unknown zone `{z}`");
            }
        }
        for a in &self.accounts {
            a.role
                .parse::<Role>()
                .map_err(|e| anyhow::anyhow!("accounts[{}].role: {e}", a.email))?;
            for sel in &a.orgs {
                parse_selector(sel).with_context(|| format!("accounts[{}].orgs", a.email))?;
            }
        }
        let cats = egret_domain::catalog::Catalogs::embedded();
        if let Some(d) = self.narratives.keys().find(|d| {
            !cats
                .catalogs()
                .any(|c| c.sections.iter().any(|s| &s.dimension == *d))
        }) {
            bail!("narratives.{d}: no catalog section has this dimension");
        }
        if let Some(pd) = &self.plan {
            let prog = egret_domain::programme::Programme::embedded();
            for m in &pd.members {
                if !self
                    .accounts
                    .iter()
                    .any(|a| a.email == m.email && a.role == "city_gov")
                {
                    bail!("plan.members: `{}` is not a city_gov demo account", m.email);
                }
                if prog.department(&m.department).is_none() {
                    bail!("plan.members: unknown department `{}`", m.department);
                }
            }
            if let Some(q) = pd
                .quarters
                .iter()
                .find(|q| egret_domain::plan::quarter_end(q).is_none())
            {
                bail!("plan.quarters: `{q}` is not YYYY-Qn");
            }
        }
        let inst = egret_domain::institution::InstitutionCatalog::embedded();
        for (i, d) in self.institution.iter().enumerate() {
            let at = |what: &str| format!("institution[{}].{what}", i + 1);
            if let Some(s) = d.services.iter().find(|s| inst.service(s).is_none()) {
                bail!("{}: unknown service `{s}`", at("services"));
            }
            if let Some(m) = d
                .members
                .iter()
                .find(|m| !self.accounts.iter().any(|a| a.email == **m))
            {
                bail!("{}: `{m}` is not a demo account", at("members"));
            }
            for (j, q) in d.qualification.iter().enumerate() {
                if let Err(e) = q.validate(inst) {
                    bail!(
                        "{}: {}",
                        at(&format!("qualification[{}]", j + 1)),
                        e.iter()
                            .map(|e| format!("{}: {}", e.field, e.msg.render(egret_i18n::Lang::En)))
                            .collect::<Vec<_>>()
                            .join("; ")
                    );
                }
            }
        }
        for s in rd.sections() {
            if !self.names.trades.contains_key(&s.code) {
                bail!("names.trades has no words for section {}", s.code);
            }
        }
        if self.names.cores.len() < 10 {
            bail!("names.cores needs at least 10 entries");
        }
        if self.password.chars().count() < egret_store::MIN_PASSWORD_LEN {
            bail!(
                "password is shorter than {} characters",
                egret_store::MIN_PASSWORD_LEN
            );
        }
        Ok(())
    }
}

fn parse_selector(sel: &str) -> Result<(&str, usize)> {
    let (kind, n) = sel
        .split_once(':')
        .ok_or_else(|| anyhow::anyhow!("selector `{sel}` must be KIND:N"))?;
    if !matches!(kind, "listed-soe-foreign" | "listed" | "sme" | "financial") {
        bail!("selector `{sel}`: unknown kind `{kind}`");
    }
    let n: usize = n
        .parse()
        .ok()
        .filter(|n| *n >= 1)
        .ok_or_else(|| anyhow::anyhow!("selector `{sel}`: N must be a positive number"))?;
    Ok((kind, n))
}

/// A generated organisation with its sites and what kind of demo role it
/// plays.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoOrg {
    pub profile: OrgProfile,
    pub sites: Vec<SiteInput>,
    pub listed_soe_foreign: bool,
    pub sme: bool,
}

/// The whole synthetic city.
#[derive(Debug, Clone, PartialEq)]
pub struct City {
    pub orgs: Vec<DemoOrg>,
}

/// Counts of what was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stats {
    pub values: usize,
    pub activities: usize,
    pub submissions: usize,
    pub organizations: usize,
    pub sites: usize,
    pub periods: usize,
    pub users: usize,
    /// Product footprint versions.
    pub footprints: usize,
}

/// What [`load`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Loaded(Stats),
    /// The database already holds the demo city; nothing written.
    AlreadyPresent,
    /// The database holds other data; nothing written.
    NotEmpty,
}

/// Characters allowed in a credit code's body.
const BODY_CHARS: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";

/// GB 11714 check character of an 8-character organisation-code body.
fn org_code_check(body: &[u8]) -> char {
    const W: [u32; 8] = [3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = body
        .iter()
        .zip(W)
        .map(|(c, w)| {
            let v = match c {
                b'0'..=b'9' => u32::from(c - b'0'),
                _ => u32::from(c - b'A') + 10,
            };
            v * w
        })
        .sum();
    match 11 - sum % 11 {
        10 => 'X',
        11 => '0',
        n => char::from_digit(n, 10).expect("0..=9"),
    }
}

fn credit_code(rng: &mut ChaCha8Rng, district: &str, taken: &mut HashSet<String>) -> String {
    loop {
        let body: Vec<u8> = (0..8)
            .map(|_| *BODY_CHARS.choose(rng).expect("non-empty"))
            .collect();
        let mut first17 = format!("91{district}{}", String::from_utf8_lossy(&body));
        first17.push(org_code_check(&body));
        let code = format!(
            "{first17}{}",
            uscc::check_char(&first17).expect("generated prefix is well-formed")
        );
        if taken.insert(code.clone()) {
            return code;
        }
    }
}

fn weighted<'a, T>(rng: &mut ChaCha8Rng, items: &'a [(T, u32)]) -> &'a T {
    let total: u32 = items.iter().map(|(_, w)| w).sum();
    let mut x = rng.random_range(0..total.max(1));
    for (item, w) in items {
        if x < *w {
            return item;
        }
        x -= w;
    }
    &items[items.len() - 1].0
}

/// Employees and revenue (yuan) typical of a size band; the size class
/// itself is computed by the domain from these, as for real data.
fn size_figures(rng: &mut ChaCha8Rng, band: usize) -> (i64, Decimal) {
    let (emp, rev_wan): ((i64, i64), (i64, i64)) = match band {
        0 => ((3, 19), (30, 290)),
        1 => ((20, 290), (320, 1_900)),
        2 => ((310, 990), (2_100, 39_000)),
        _ => ((1_000, 30_000), (41_000, 5_000_000)),
    };
    let employees = rng.random_range(emp.0..=emp.1);
    let revenue_wan = rng.random_range(rev_wan.0..=rev_wan.1);
    let extra_yuan = rng.random_range(0..10_000);
    (employees, Decimal::from(revenue_wan * 10_000 + extra_yuan))
}

/// Builds the synthetic city from a plan (pure and deterministic).
pub fn generate(plan: &DemoPlan) -> Result<City> {
    let rd = ReferenceData::embedded();
    let mut rng = ChaCha8Rng::seed_from_u64(plan.seed);
    let districts: Vec<(String, u32)> = rd
        .districts()
        .map(|d| {
            let w = d.population_2020.map_or(50, |p| (p / 10_000) as u32);
            (d.code.clone(), w.max(1))
        })
        .collect();
    let clusters: Vec<_> = rd.clusters().collect();
    let all_divisions: Vec<_> = rd.divisions().collect();
    let ownership: Vec<(Ownership, u32)> = plan
        .ownership_weights
        .iter()
        .map(|(k, w)| (k.parse::<Ownership>().expect("checked"), *w))
        .collect();

    let mut taken_codes = HashSet::new();
    let mut taken_names = HashSet::new();
    let mut taken_tickers = HashSet::new();
    let mut orgs = Vec::with_capacity(plan.organizations);
    for i in 0..plan.organizations {
        let listed = i < plan.listed;
        let soe_foreign = listed && i < plan.listed_soe_foreign;
        let district = weighted(&mut rng, &districts).clone();
        // Industry: most organisations belong to a city cluster; the rest
        // are spread over every division.
        let in_cluster = rng.random_ratio(7, 10);
        let (industry, cluster) = match clusters
            .choose(&mut rng)
            .filter(|c| in_cluster && !c.divisions.is_empty())
        {
            Some(c) => (
                c.divisions.choose(&mut rng).expect("non-empty").clone(),
                Some(c.id.clone()),
            ),
            None => (
                all_divisions
                    .choose(&mut rng)
                    .expect("divisions")
                    .code
                    .clone(),
                None,
            ),
        };
        let division = rd.division(&industry).expect("from reference data");
        let section = division.section.clone();
        let own = if soe_foreign {
            if rng.random_ratio(1, 4) {
                Ownership::CentralSoe
            } else {
                Ownership::LocalSoe
            }
        } else if listed {
            *weighted(
                &mut rng,
                &[
                    (Ownership::Private, 60),
                    (Ownership::LocalSoe, 22),
                    (Ownership::CentralSoe, 6),
                    (Ownership::HkMacaoTaiwan, 6),
                    (Ownership::ForeignInvested, 6),
                ],
            )
        } else {
            *weighted(&mut rng, &ownership)
        };

        // Listing, with index memberships that mandate reporting.
        let mut listings = Vec::new();
        if listed {
            let exch = if soe_foreign && i % 3 == 0 {
                vec!["sse", "hkex"]
            } else {
                vec![*weighted(
                    &mut rng,
                    &[("sse", 45), ("szse", 45), ("bse", 4), ("hkex", 6)],
                )]
            };
            let mandatory = i >= plan.listed_soe_foreign / 2
                && i < plan.listed_soe_foreign / 2 + plan.listed_mandatory_index;
            for ex in exch {
                let ticker = loop {
                    let t = match ex {
                        "sse" => {
                            if rng.random_ratio(1, 5) {
                                format!("688{:03}", rng.random_range(0..1000))
                            } else {
                                format!("60{:04}", rng.random_range(0..4000))
                            }
                        }
                        "szse" => match rng.random_range(0..3) {
                            0 => format!("000{:03}", rng.random_range(1..1000)),
                            1 => format!("002{:03}", rng.random_range(0..1000)),
                            _ => format!("300{:03}", rng.random_range(0..1000)),
                        },
                        "bse" => format!("83{:04}", rng.random_range(0..10000)),
                        _ => format!("{:05}", rng.random_range(1..10000)),
                    };
                    if taken_tickers.insert(format!("{ex}:{t}")) {
                        break t;
                    }
                };
                let mut indices = Vec::new();
                if mandatory {
                    match ex {
                        "sse" if ticker.starts_with("688") => indices.push("star-50".to_string()),
                        "sse" => indices.push("sse-180".to_string()),
                        "szse" if ticker.starts_with("300") => indices.push("chinext".to_string()),
                        "szse" => indices.push("szse-100".to_string()),
                        _ => {}
                    }
                    if matches!(ex, "sse" | "szse") && rng.random_ratio(1, 2) {
                        indices.push("csi-300".to_string());
                    }
                }
                listings.push(ListingInput {
                    exchange: ex.to_string(),
                    ticker,
                    indices,
                });
            }
        }

        // Pilot zones: only where the zone spans the district.
        let zones: Vec<String> = rd
            .zones()
            .filter(|z| z.districts.contains(&district))
            .filter(|z| {
                let pm = plan.zone_per_mille.get(&z.id).copied().unwrap_or(0);
                rng.random_range(0..1000) < pm
            })
            .map(|z| z.id.clone())
            .collect();

        // Size band: listed companies are medium or large.
        let band = if listed {
            if rng.random_ratio(3, 4) { 3 } else { 2 }
        } else {
            *weighted(&mut rng, &[(0usize, 45), (1, 35), (2, 15), (3, 5)])
        };
        let (employees, revenue) = size_figures(&mut rng, band);
        let assets =
            (revenue * Decimal::from(rng.random_range(80..250)) / Decimal::from(100)).round_dp(2);
        let sme = !listed && own == Ownership::Private && band <= 1;

        // Names: city + two cores + trade + suffix; redrawn on collision.
        let trades = &plan.names.trades[&section];
        let (name_zh, name_en) = loop {
            let a = plan.names.cores.choose(&mut rng).expect("cores");
            let b = plan.names.cores.choose(&mut rng).expect("cores");
            if a == b {
                continue;
            }
            let (tz, te) = trades.choose(&mut rng).expect("trades");
            let (sz, se) = if listed {
                ("股份有限公司", "Co., Ltd.")
            } else {
                ("有限公司", "Co., Ltd.")
            };
            let zh = format!("厦门{}{}{tz}{sz}", a.0, b.0);
            if taken_names.insert(zh.clone()) {
                break (
                    zh,
                    format!("Xiamen {}{} {te} {se}", a.1, b.1.to_lowercase()),
                );
            }
        };
        let uscc = credit_code(&mut rng, &district, &mut taken_codes);
        let input = OrgInput {
            uscc,
            name_zh: name_zh.clone(),
            name_en: Some(name_en.clone()),
            industry_code: industry.clone(),
            cluster,
            ownership: own.as_str().to_string(),
            listings,
            foreign_business: soe_foreign || rng.random_ratio(3, 10),
            financial_institution: section == "J",
            district: district.clone(),
            zones: zones.clone(),
            employees: Some(employees),
            revenue_cny: Some(revenue),
            total_assets_cny: Some(assets),
            size_basis_year: plan
                .fiscal_years
                .iter()
                .copied()
                .filter(|y| *y < 2025)
                .max(),
        };
        let profile = input.validate(rd).map_err(|errs| {
            anyhow::anyhow!(
                "demo organisation {i} is invalid: {}",
                errs.iter()
                    .map(|e| e.to_string())
                    .collect::<Vec<_>>()
                    .join("; ")
            )
        })?;

        // Sites: head office, plus a works for producing industries.
        let mut sites = vec![SiteInput {
            name_zh: format!("{name_zh}总部"),
            name_en: Some(format!("{name_en} head office")),
            kind: "office".into(),
            district: district.clone(),
            address: Some(format!("synthetic address {}", i + 1)),
            zone: zones.first().cloned(),
        }];
        if matches!(section.as_str(), "B" | "C" | "D" | "G") {
            let (kind, zh, en) = match section.as_str() {
                "G" => ("warehouse", "仓储中心", "warehouse"),
                "D" => ("factory", "生产站", "plant"),
                _ => ("factory", "生产基地", "works"),
            };
            let site_district = weighted(&mut rng, &districts).clone();
            let site_zone = zones
                .iter()
                .find(|z| {
                    rd.zone(z)
                        .is_some_and(|zz| zz.districts.contains(&site_district))
                })
                .cloned();
            sites.push(SiteInput {
                name_zh: format!("{name_zh}{zh}"),
                name_en: Some(format!("{name_en} {en}")),
                kind: kind.into(),
                district: site_district,
                address: Some(format!("synthetic address {}-2", i + 1)),
                zone: site_zone,
            });
        }
        orgs.push(DemoOrg {
            profile,
            sites,
            listed_soe_foreign: soe_foreign,
            sme,
        });
    }
    Ok(City { orgs })
}

fn select<'a>(city: &'a City, sel: &str) -> Result<usize> {
    let (kind, n) = parse_selector(sel)?;
    let matches: Box<dyn Iterator<Item = (usize, &'a DemoOrg)>> = match kind {
        "listed-soe-foreign" => Box::new(
            city.orgs
                .iter()
                .enumerate()
                .filter(|(_, o)| o.listed_soe_foreign),
        ),
        "listed" => Box::new(
            city.orgs
                .iter()
                .enumerate()
                .filter(|(_, o)| o.profile.is_listed()),
        ),
        "financial" => Box::new(
            city.orgs
                .iter()
                .enumerate()
                .filter(|(_, o)| o.profile.financial_institution),
        ),
        _ => Box::new(city.orgs.iter().enumerate().filter(|(_, o)| o.sme)),
    };
    matches
        .map(|(i, _)| i)
        .nth(n - 1)
        .ok_or_else(|| anyhow::anyhow!("selector `{sel}` matches no organisation"))
}

/// Writes the demo city into `store` in one transaction, unless the
/// database already holds data.
pub async fn load(store: &Store, plan: &DemoPlan) -> Result<Outcome> {
    load_with_lca(store, plan, None).await
}

/// [`load`] with an LCA engine: the demo's product systems are calculated
/// and the footprints resting on them recorded.
pub async fn load_with_lca(
    store: &Store,
    plan: &DemoPlan,
    lca: Option<&egret_domain::product_system::SolveFn>,
) -> Result<Outcome> {
    let t0 = std::time::Instant::now();
    if store.count_orgs().await? > 0 {
        return Ok(if store.has_synthetic_data().await? {
            Outcome::AlreadyPresent
        } else {
            Outcome::NotEmpty
        });
    }
    let city = generate(plan)?;
    let system = Principal::system("demo");
    // One hash for the shared demo password; each account still stores
    // its own PHC string (same salt is acceptable for published demo
    // credentials and saves seconds of argon2 work).
    let pw = plan.password.clone();
    let hash = tokio::task::spawn_blocking(move || egret_store::hash_password(&pw)).await??;
    let mut tx = store.begin(&system).await?;
    let mut ids = Vec::with_capacity(city.orgs.len());
    let mut stats = Stats {
        values: 0,
        activities: 0,
        submissions: 0,
        organizations: 0,
        sites: 0,
        periods: 0,
        users: 0,
        footprints: 0,
    };
    let cats = egret_domain::catalog::Catalogs::embedded();
    let rd = ReferenceData::embedded();
    let lib = egret_carbon::library::Library::embedded();
    carbon::check(&plan.activity, lib, rd)?;
    let mut rng = ChaCha8Rng::seed_from_u64(plan.seed ^ 0x5eed_da7a);
    let first_year = plan.fiscal_years.iter().copied().min().unwrap_or(2023);
    let latest = plan
        .fiscal_years
        .iter()
        .copied()
        .max()
        .unwrap_or(first_year);
    let mut smes = 0usize;
    // Reporting organisations and years, submitted after the commit.
    let mut to_submit = Vec::new();
    for (i, org) in city.orgs.iter().enumerate() {
        let id = tx.create_org(&org.profile, true).await?;
        for site in &org.sites {
            tx.add_site(&id, site).await?;
            stats.sites += 1;
        }
        // Who reports, and how far they got: listed companies mostly
        // complete; one in N private SMEs on the lightweight standard.
        let reports = if org.profile.is_listed() {
            true
        } else if org.sme {
            smes += 1;
            smes.is_multiple_of(plan.sme_reporting_every.max(1))
        } else {
            false
        };
        // Reporting spreads year by year: four in ten organisations complete
        // the first year, one more in ten each year after; the next three in
        // ten are part-way, the rest have not started.
        let progress = |year: i32| {
            let complete = 4 + usize::try_from(year - first_year).unwrap_or(0);
            match i % 10 {
                k if k < complete => values::Progress::Complete,
                k if k < complete + 3 => values::Progress::Partial,
                _ => values::Progress::NotStarted,
            }
        };
        for year in &plan.fiscal_years {
            let period = tx.add_period(&id, &PeriodInput::calendar(*year)).await?;
            stats.periods += 1;
            let p = progress(*year);
            // Carbon activity data for every organisation (but those that
            // have not started the latest year), calculated into an
            // inventory whose totals become the ghg.* values.
            if !(p == values::Progress::NotStarted && *year == latest) {
                let trend = 1.03f64.powi(*year - first_year);
                let acts = carbon::activities(
                    &plan.activity,
                    lib,
                    rd,
                    &org.profile,
                    i as u64,
                    *year,
                    trend,
                );
                if !acts.is_empty() {
                    let source = egret_store::Source::Import {
                        file: "synthetic demo city".into(),
                    };
                    stats.activities +=
                        tx.put_activities(&id, &period, &acts, &source).await?.len();
                    tx.calculate_inventory(&id, &period, "ar6").await?;
                }
            }
            if !reports {
                continue;
            }
            if p != values::Progress::NotStarted {
                to_submit.push((id.clone(), *year, org.profile.is_listed(), p));
            }
            let inputs = values::answers(
                cats,
                rd,
                &org.profile,
                *year,
                first_year,
                p,
                &plan.intensity,
                &mut rng,
            );
            if !inputs.is_empty() {
                let source = egret_store::Source::Import {
                    file: "synthetic demo city".into(),
                };
                stats.values += tx.put_values(&id, &period, &inputs, &source).await?.created;
            }
        }
        ids.push(id);
        stats.organizations += 1;
    }
    let mut user_ids = BTreeMap::new();
    for a in &plan.accounts {
        let role: Role = a.role.parse().map_err(anyhow::Error::msg)?;
        let mut orgs = Vec::new();
        for sel in &a.orgs {
            orgs.push(ids[select(&city, sel)?].clone());
        }
        let id = tx
            .create_user_hashed(
                &NewUser {
                    email: a.email.clone(),
                    display_name: format!("{} / {}", a.name_zh, a.name_en),
                    role,
                    password: String::new(),
                    orgs,
                },
                &hash,
            )
            .await?;
        user_ids.insert(a.email.clone(), id);
        stats.users += 1;
    }
    tx.commit().await?;
    let phase =
        |name: &str| tracing::info!(seconds = t0.elapsed().as_secs_f64(), "demo: {name} written");
    phase("register, values and inventories");
    let mut taken: HashSet<String> = city
        .orgs
        .iter()
        .map(|o| o.profile.uscc.to_string())
        .collect();
    register_institutions(store, plan, &user_ids, &mut taken).await?;
    if let Some(pd) = &plan.plan {
        track_plan(store, pd, &user_ids, plan.seed).await?;
    }
    stats.submissions = submit_reports(
        store,
        &system,
        cats,
        rd,
        &plan.narratives,
        &to_submit,
        &mut rng,
    )
    .await?;
    phase("institutions, plan and submissions");
    apply_for_awards(store, &system).await?;
    phase("awards");
    // Every year is rated with the default methodology, by the demo
    // analyst when there is one (their agency's record counts the runs).
    let rater = match plan.accounts.iter().find(|a| a.role == "analyst") {
        Some(a) => {
            store
                .principal(&store.user(&user_ids[&a.email]).await?)
                .await?
        }
        None => system.clone(),
    };
    // A few synthetic controversies, so some ratings show a deduction.
    if rater.role == Role::Analyst {
        let facts = store.city_facts(&system, &[]).await?;
        let events = [
            ("environmental-penalty", "2023-06-12"),
            ("safety-accident", "2024-09-03"),
            ("corruption-case", "2025-04-21"),
        ];
        for ((org, _), (kind, day)) in facts.published.iter().step_by(7).zip(events) {
            store
                .record_controversy(
                    &rater,
                    org,
                    kind,
                    day,
                    "（合成演示）虚构事件 / (synthetic demo) invented event",
                    "（合成演示）无真实来源 / (synthetic demo) no real source",
                )
                .await?;
        }
    }
    for year in &plan.fiscal_years {
        let (run, _) = store
            .run_rating(
                &rater,
                *year,
                &egret_domain::rating::Methodology::default_key(),
            )
            .await?;
        // Earlier years are published; the latest is in its review window.
        if Some(year) != plan.fiscal_years.last() {
            store.publish_rating_run(&rater, &run.run_id).await?;
        }
    }
    // One excellent case, on the first published report.
    if let Some(s) = store.published_submissions(1).await?.first() {
        let name = s.snapshot["organisation"]["name_zh"]
            .as_str()
            .unwrap_or_default();
        store
            .publish_case(
                &system,
                &egret_store::CaseInput {
                    org_id: s.org_id.clone(),
                    submission_id: s.submission_id.clone(),
                    title_zh: format!("（合成演示）{name}：能源管理数字化"),
                    title_en: Some("(Synthetic demo) Digital energy management".into()),
                    body_zh: format!(
                        "（合成演示）{name}建立了能源与排放月度统计制度，并在报告中披露了范围一、范围二排放及其同比变化。\n\n案例依据为该公司已发布的报告。"
                    ),
                    body_en: Some("(Synthetic demo) The company set up monthly energy and emissions reporting and discloses scope 1 and 2 emissions with their year-on-year change.\n\nThe case rests on its published report.".into()),
                },
            )
            .await?;
    }
    phase("ratings and cases");
    bank_demo(store, plan, &user_ids, &system).await?;
    // Product footprints: the demo assurer certifies where it is bound.
    let entries = footprints::shipped()?;
    let mut owners = Vec::with_capacity(entries.len());
    for e in &entries {
        owners.push(ids[select(&city, &e.org)?].clone());
    }
    let certifier = match plan.accounts.iter().find(|a| a.role == "assurer") {
        Some(a) => Some(
            store
                .principal(&store.user(&user_ids[&a.email]).await?)
                .await?,
        ),
        None => None,
    };
    stats.footprints =
        footprints::load(store, &system, certifier.as_ref(), lca, &entries, &owners).await?;
    phase("bank and footprints");
    Ok(Outcome::Loaded(stats))
}

/// The demo bank uploads its preference rules and tags three facilities
/// (two loans under the 2025 catalogue, one 2024 bond under the 2021 one).
async fn bank_demo(
    store: &Store,
    plan: &DemoPlan,
    user_ids: &BTreeMap<String, String>,
    system: &Principal,
) -> Result<()> {
    let Some(a) = plan
        .accounts
        .iter()
        .find(|a| a.role == "bank" && !a.orgs.is_empty())
    else {
        return Ok(());
    };
    let bank = store
        .principal(&store.user(&user_ids[&a.email]).await?)
        .await?;
    store
        .upload_bank_rules(&bank, include_str!("../../../data/demo/bank-rules.toml"))
        .await?;
    let facts = store.city_facts(system, &[]).await?;
    let facilities = [
        (
            "LDGB-2026-0031",
            "loan",
            "2026-03-15",
            "120,000,000.00",
            "1",
        ),
        ("LDGB-2025-0107", "loan", "2025-11-20", "35,000,000.00", "8"),
        (
            "LDGB-B-2024-002",
            "bond",
            "2024-06-28",
            "500,000,000.00",
            "3",
        ),
    ];
    for ((org, _), (reference, kind, day, amount, item)) in
        facts.published.iter().skip(2).step_by(5).zip(facilities)
    {
        let uscc = store.get_org(system, org).await?.profile.uscc.to_string();
        store
            .record_facility(
                &bank,
                &egret_store::FacilityInput {
                    reference: reference.into(),
                    kind: kind.into(),
                    borrower_uscc: uscc,
                    amount: amount.into(),
                    currency: "CNY".into(),
                    approved_on: day.into(),
                    edition: None,
                    item: item.into(),
                },
            )
            .await?;
    }
    Ok(())
}

/// Every assured organisation applies for every award it is eligible for
/// today;
/// the first application of each award is approved and paid, the rest
/// wait for the city.
async fn apply_for_awards(store: &Store, system: &Principal) -> Result<()> {
    let today = chrono::Utc::now().date_naive();
    // Every shipped award needs an assured report: only those organisations
    // can be eligible.
    let mut assured: Vec<String> = store
        .city_facts(system, &[])
        .await?
        .assured
        .into_iter()
        .map(|(org, _)| org)
        .collect();
    assured.dedup();
    for award in &egret_domain::awards::Awards::embedded().award {
        let mut first = true;
        for org in &assured {
            if !store
                .award_refusals(system, &award.id, org, today)
                .await?
                .is_empty()
            {
                continue;
            }
            let app = store.apply_for_award(system, &award.id, org, today).await?;
            if first {
                store
                    .decide_award(system, &app.application_id, "approve", "", today)
                    .await?;
                store
                    .decide_award(
                        system,
                        &app.application_id,
                        "pay",
                        "（演示）财政拨付凭证 / (demo) payment voucher 0001",
                        today,
                    )
                    .await?;
                first = false;
            }
        }
    }
    Ok(())
}

/// The registry of service institutions (codes drawn from their own
/// stream so the rest of the city does not change with it).
async fn register_institutions(
    store: &Store,
    plan: &DemoPlan,
    user_ids: &BTreeMap<String, String>,
    taken: &mut HashSet<String>,
) -> Result<()> {
    let admin = Principal::system("demo");
    let mut rng = ChaCha8Rng::seed_from_u64(plan.seed ^ 0x1257_1705);
    let city_code = &ReferenceData::embedded().city().code;
    for d in &plan.institution {
        let district = d.district.clone().unwrap_or_else(|| city_code.clone());
        let inst = store
            .register_institution(
                &admin,
                &egret_domain::institution::InstitutionInput {
                    uscc: credit_code(&mut rng, &district, taken),
                    name_zh: d.name_zh.clone(),
                    name_en: Some(d.name_en.clone()),
                    services: d.services.clone(),
                    district: d.district.clone(),
                },
            )
            .await?;
        for q in &d.qualification {
            store
                .add_qualification(&admin, &inst.institution_id, q)
                .await?;
        }
        for m in &d.members {
            store
                .add_institution_member(&admin, &inst.institution_id, &user_ids[m])
                .await?;
        }
    }
    Ok(())
}

/// Department members, quarterly progress reports on the measures their
/// departments lead, and the coordinator's evaluation of each reported
/// measure for the last quarter.
async fn track_plan(
    store: &Store,
    pd: &PlanDemo,
    user_ids: &BTreeMap<String, String>,
    seed: u64,
) -> Result<()> {
    use egret_domain::plan::{ReportInput, milestone_states, quarter_end};
    let admin = Principal::system("demo");
    let prog = egret_domain::programme::Programme::embedded();
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x9a7e_2025);
    let mut coordinator = None;
    for m in &pd.members {
        store
            .add_department_member(&admin, &m.department, &user_ids[&m.email])
            .await?;
        let user = store.user(&user_ids[&m.email]).await?;
        let principal = store.principal(&user).await?;
        if m.department == prog.info.coordinator {
            coordinator = Some(principal.clone());
        }
        for measure in prog.measures.iter().filter(|x| x.lead == m.department) {
            let mut status = BTreeMap::new();
            for q in &pd.quarters {
                let end = quarter_end(q).expect("checked");
                for ms in measure.milestone.iter().filter(|x| x.due <= end) {
                    if status.get(&ms.id).is_none_or(|s| s != "done") {
                        let done = rng.random_ratio(pd.done_per_mille, 1000);
                        status.insert(
                            ms.id.clone(),
                            if done { "done" } else { "in_progress" }.to_string(),
                        );
                    }
                }
                store
                    .file_measure_report(
                        &principal,
                        &ReportInput {
                            measure: measure.number,
                            period: q.clone(),
                            progress: format!(
                                "（合成演示）{q} 季度按计划推进“{}”相关工作。/ (Synthetic demo) Work on “{}” went ahead in {q}.",
                                measure.title_zh, measure.title_en
                            ),
                            indicators: BTreeMap::new(),
                            milestones: status.clone(),
                            evidence: String::new(),
                        },
                    )
                    .await?;
            }
            if let (Some(c), Some(last)) = (&coordinator, pd.quarters.last()) {
                let end = quarter_end(last).expect("checked");
                let overdue = milestone_states(measure, &BTreeMap::new(), &status, end)
                    .iter()
                    .filter(|s| s.overdue)
                    .count();
                let rating = match overdue {
                    0 => "on_track",
                    1 => "at_risk",
                    _ => "off_track",
                };
                store
                    .evaluate_measure(
                        c,
                        measure.number,
                        last,
                        rating,
                        "（合成演示）季度评估 / (synthetic demo) quarterly review",
                    )
                    .await?;
            }
        }
    }
    Ok(())
}

/// Submits what the reporting organisations filed, catalog by catalog:
/// complete ones are submitted (an incomplete one is refused by the store,
/// as for real users), most published — listed companies more often than
/// SMEs — and some corrected with a reason.
async fn submit_reports(
    store: &Store,
    system: &Principal,
    cats: &egret_domain::catalog::Catalogs,
    rd: &ReferenceData,
    narratives: &BTreeMap<String, Narrative>,
    items: &[(String, i32, bool, values::Progress)],
    rng: &mut ChaCha8Rng,
) -> Result<usize> {
    let mut n = 0;
    for (org_id, year, listed, progress) in items {
        if *progress != values::Progress::Complete {
            continue;
        }
        let org = store.get_org(system, org_id).await?;
        let period = store.period_for_year(system, org_id, *year).await?;
        let fill = |t: &str| {
            t.replace("{name}", &org.profile.name_zh)
                .replace(
                    "{name_en}",
                    org.profile
                        .name_en
                        .as_deref()
                        .unwrap_or(&org.profile.name_zh),
                )
                .replace("{year}", &year.to_string())
        };
        for c in values::catalogs_for(cats, &org.profile, rd) {
            // The narrative of the first section of each dimension.
            let mut seen = HashSet::new();
            for sec in &c.sections {
                if let Some(t) = narratives.get(&sec.dimension)
                    && seen.insert(sec.dimension.as_str())
                {
                    store
                        .put_narrative(
                            system,
                            &period,
                            &c.key(),
                            &sec.id,
                            &[("zh", &fill(&t.zh)), ("en", &fill(&t.en))],
                        )
                        .await?;
                }
            }
            let sub = match store.submit(system, &period, &c.key(), None).await {
                Ok(s) => s,
                Err(egret_store::StoreError::Invalid(_)) => continue,
                Err(e) => return Err(e.into()),
            };
            n += 1;
            let publish = if *listed {
                rng.random_ratio(17, 20)
            } else {
                rng.random_ratio(2, 5)
            };
            let last = if rng.random_ratio(1, 12) {
                n += 1;
                store
                    .submit(
                        system,
                        &period,
                        &c.key(),
                        Some("更正计算错误（合成演示）/ Corrected a calculation error (synthetic demo)"),
                    )
                    .await?
            } else {
                sub
            };
            // Organisations with an engaged assurer get their latest
            // version assured (limited assurance, no findings).
            if let Some((assurer_id, _)) = store.org_assurers(system, org_id).await?.first() {
                let e = store
                    .engage(
                        system,
                        org_id,
                        &last.submission_id,
                        &egret_store::EngagementInput {
                            assurer_id: assurer_id.clone(),
                            standard: "isae-3000".into(),
                            level: "limited".into(),
                            scope: Vec::new(),
                            criteria: "交易所可持续发展报告指引 / exchange sustainability reporting guidelines".into(),
                            materiality: Some("5%".into()),
                        },
                    )
                    .await?;
                let assurer = store.principal(&store.user(assurer_id).await?).await?;
                store
                    .conclude(
                        &assurer,
                        org_id,
                        &e.engagement_id,
                        "询问、分析程序、抽样检查（合成演示）/ inquiry, analytics, sampling (synthetic demo)",
                        "基于已执行的程序和获取的证据，我们未发现任何事项使我们认为鉴证范围内的数据在所有重大方面未按标准编制。/ Based on the procedures performed and evidence obtained, nothing has come to our attention that causes us to believe the data in scope are not prepared, in all material respects, in accordance with the criteria.",
                        "演示鉴证师 / Demo practitioner",
                    )
                    .await?;
            }
            if publish {
                store
                    .submission_event(system, org_id, &last.submission_id, "publish", None)
                    .await?;
            }
        }
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn small() -> DemoPlan {
        let mut p = DemoPlan::shipped().unwrap();
        p.organizations = 300;
        p
    }

    #[test]
    fn shipped_plan_is_valid() {
        let p = DemoPlan::shipped().unwrap();
        assert!(p.organizations >= 3000);
        assert_eq!(p.listed, 100);
    }

    #[test]
    fn same_seed_same_city_other_seed_other_city() {
        let p = small();
        let a = generate(&p).unwrap();
        let b = generate(&p).unwrap();
        assert_eq!(a, b);
        let mut q = p.clone();
        q.seed += 1;
        assert_ne!(generate(&q).unwrap(), a);
    }

    #[test]
    fn city_covers_what_the_programme_needs() {
        let p = small();
        let city = generate(&p).unwrap();
        let rd = ReferenceData::embedded();
        assert_eq!(city.orgs.len(), 300);
        let listed = city.orgs.iter().filter(|o| o.profile.is_listed()).count();
        assert_eq!(listed, p.listed);
        let soe_foreign = city
            .orgs
            .iter()
            .filter(|o| {
                o.profile.is_listed()
                    && o.profile.is_state_controlled()
                    && o.profile.foreign_business
            })
            .count();
        assert!(soe_foreign >= p.listed_soe_foreign, "{soe_foreign}");
        assert!(
            city.orgs
                .iter()
                .filter(|o| o.profile.sr_mandatory(rd))
                .count()
                >= 20
        );
        for d in rd.districts() {
            assert!(
                city.orgs.iter().any(|o| o.profile.district == d.code),
                "district {}",
                d.code
            );
        }
        for z in rd.zones() {
            assert!(
                city.orgs.iter().any(|o| o.profile.zones.contains(&z.id)),
                "zone {}",
                z.id
            );
        }
        for own in Ownership::ALL {
            assert!(
                city.orgs.iter().any(|o| o.profile.ownership == *own),
                "{own:?}"
            );
        }
        let codes: HashSet<_> = city.orgs.iter().map(|o| o.profile.uscc.as_str()).collect();
        assert_eq!(codes.len(), city.orgs.len(), "credit codes are unique");
        assert!(city.orgs.iter().any(|o| o.sme));
    }

    #[test]
    fn organisation_code_check_character_follows_gb11714() {
        // Worked example: body 12345678 → Σ = 3+14+27+40+25+48+28+16 = 201,
        // 201 mod 11 = 3, 11 - 3 = 8.
        assert_eq!(org_code_check(b"12345678"), '8');
    }

    #[test]
    fn bad_plans_are_refused_with_the_field() {
        let text = SHIPPED.replace("organizations = 3000", "organizations = 10");
        let err = DemoPlan::from_toml(&text).unwrap_err().to_string();
        assert!(err.contains("listed"), "{err}");
        let text = SHIPPED.replace("orgs = [\"sme:1\"]", "orgs = [\"vip:1\"]");
        let err = format!("{:#}", DemoPlan::from_toml(&text).unwrap_err());
        assert!(err.contains("vip"), "{err}");
    }
}
