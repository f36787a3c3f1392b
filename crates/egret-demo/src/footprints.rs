//! The demo city's product carbon footprints (`data/demo/footprints.toml`):
//! recorded, one corrected, published, one certified by the demo assurer.

use anyhow::{Context, Result};
use egret_domain::access::Principal;
use egret_domain::pcf::{CertificateInput, PcfInput};
use egret_store::Store;
use rust_decimal::Decimal;
use serde::Deserialize;

const SHIPPED: &str = include_str!("../../../data/demo/footprints.toml");

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
}

/// The shipped footprints, each checked.
pub fn shipped() -> Result<Vec<Entry>> {
    let f: File = toml::from_str(SHIPPED).context("data/demo/footprints.toml")?;
    for (i, e) in f.footprint.iter().enumerate() {
        e.input
            .validate()
            .map_err(|errs| anyhow::anyhow!("{:?}", errs))
            .with_context(|| format!("data/demo/footprints.toml: footprint {}", i + 1))?;
    }
    Ok(f.footprint)
}

/// Writes the footprints; `orgs[i]` is the organisation of entry `i`.
pub async fn load(
    store: &Store,
    system: &Principal,
    certifier: Option<&Principal>,
    entries: &[Entry],
    orgs: &[String],
) -> Result<usize> {
    let mut n = 0;
    for (e, org) in entries.iter().zip(orgs) {
        let mut rec = store.create_pcf(system, org, &e.input, None).await?;
        n += 1;
        if let Some(fossil) = e.correction {
            let mut fixed = e.input.clone();
            let shift = e.input.fossil_ghg_emissions - fossil;
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
