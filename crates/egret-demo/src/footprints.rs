//! The demo city's product carbon footprints (`data/demo/footprints.toml`):
//! recorded, one corrected, published, one certified by the demo assurer;
//! one calculated from a product system (`data/demo/systems/`) by the LCA
//! engine the binary supplies.

use anyhow::{Context, Result};
use egret_domain::access::Principal;
use egret_domain::pcf::{CertificateInput, PcfInput};
use egret_domain::product_system::{CalcOptions, EmissionKind, ProductSystemModel, SolveFn};
use egret_store::Store;
use rust_decimal::Decimal;
use serde::Deserialize;

const SHIPPED: &str = include_str!("../../../data/demo/footprints.toml");

/// The demo's product systems, by name.
const SYSTEMS: &[(&str, &str)] = &[(
    "pv-module-450",
    include_str!("../../../data/demo/systems/pv-module-450.toml"),
)];

/// Monte Carlo draws of the demo calculations (and their seed).
const DEMO_DRAWS: u32 = 500;
const DEMO_SEED: u64 = 2025;

/// A shipped product system, with its library factors' processes added and
/// checked.
pub fn system(name: &str) -> Result<ProductSystemModel> {
    let (_, text) = SYSTEMS
        .iter()
        .find(|(n, _)| *n == name)
        .with_context(|| format!("no demo product system {name}"))?;
    let file = format!("data/demo/systems/{name}.toml");
    let mut m: ProductSystemModel = toml::from_str(text).with_context(|| file.clone())?;
    let lib = egret_carbon::library::Library::embedded();
    let unknown = lib.complete_factor_processes(&mut m);
    anyhow::ensure!(unknown.is_empty(), "{file}: unknown factors {unknown:?}");
    m.matrices(|gas| lib.gwp.value(&m.gwp_set, gas))
        .map_err(|e| anyhow::anyhow!("{file}: {e:?}"))?;
    Ok(m)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    footprint: Vec<Entry>,
}

#[derive(Debug, Deserialize)]
pub struct Entry {
    /// An organisation selector, as the demo accounts use.
    pub org: String,
    #[serde(flatten)]
    pub input: PcfInput,
    /// A second version with this fossil figure (kgCO2e).
    #[serde(default)]
    pub correction: Option<Decimal>,
    #[serde(default)]
    pub publish: bool,
    #[serde(default)]
    pub certificate: Option<CertificateInput>,
    /// A product system of `data/demo/systems/`: the footprint's figures
    /// come from its calculation (per one reference unit).
    #[serde(default)]
    pub system: Option<String>,
}

/// The shipped footprints, each checked.
pub fn shipped() -> Result<Vec<Entry>> {
    let f: File = toml::from_str(SHIPPED).context("data/demo/footprints.toml")?;
    for (i, e) in f.footprint.iter().enumerate() {
        e.input
            .validate()
            .map_err(|errs| anyhow::anyhow!("{:?}", errs))
            .with_context(|| format!("data/demo/footprints.toml: footprint {}", i + 1))?;
        if let Some(name) = &e.system {
            system(name)?;
        }
    }
    Ok(f.footprint)
}

/// Writes the footprints; `orgs[i]` is the organisation of entry `i`.
/// Without an LCA engine the product systems are stored but not
/// calculated, and footprints resting on them are left out.
pub async fn load(
    store: &Store,
    system: &Principal,
    certifier: Option<&Principal>,
    lca: Option<&SolveFn>,
    entries: &[Entry],
    orgs: &[String],
) -> Result<usize> {
    let mut n = 0;
    for (e, org) in entries.iter().zip(orgs) {
        let mut input = e.input.clone();
        if let Some(name) = &e.system {
            let model = self::system(name)?;
            let v = store
                .create_product_system(system, org, &model, "demo")
                .await?;
            let Some(solve) = lca else { continue };
            let lib = egret_carbon::library::Library::embedded();
            let matrices = model
                .matrices(|gas| lib.gwp.value(&model.gwp_set, gas))
                .map_err(|e| anyhow::anyhow!("{e:?}"))?;
            let options = CalcOptions {
                draws: DEMO_DRAWS,
                seed: DEMO_SEED,
                cutoff: Decimal::new(1, 2),
            };
            let result = solve(&matrices, &options)
                .map_err(|e| anyhow::anyhow!("{name}: {}", e.msg.render(egret_i18n::Lang::En)))?;
            let calc = store
                .record_calculation(system, org, &v.system_id, v.version, &options, &result)
                .await?;
            let per = |d: Decimal| (d / model.amount).round_dp(6).normalize();
            input.declared_unit_amount = Decimal::ONE;
            input.pcf_excluding_biogenic_uptake = per(result.excluding_uptake());
            input.pcf_including_biogenic_uptake = per(result.score);
            input.fossil_ghg_emissions = per(result.of_kind(EmissionKind::Fossil));
            input.primary_data_share = result.primary_share(&model);
            input.calculation = format!("lca:{}", calc.calculation_id);
        }
        let mut rec = store.create_pcf(system, org, &input, None).await?;
        n += 1;
        if let Some(fossil) = e.correction {
            let mut fixed = input.clone();
            let shift = input.fossil_ghg_emissions - fossil;
            fixed.fossil_ghg_emissions = fossil;
            fixed.pcf_excluding_biogenic_uptake -= shift;
            fixed.pcf_including_biogenic_uptake -= shift;
            fixed.comment =
                "（合成演示）更正化石排放 / (synthetic demo) fossil figure corrected".into();
            rec = store
                .create_pcf(system, org, &fixed, Some(&rec.pcf_id))
                .await?;
            n += 1;
        }
        if e.publish {
            store.publish_pcf(system, org, &rec.pcf_id).await?;
        }
        if let (Some(c), Some(who)) = (&e.certificate, certifier)
            && who.is_bound_to(org)
        {
            store.certify_pcf(who, org, &rec.pcf_id, c).await?;
        }
    }
    Ok(n)
}
