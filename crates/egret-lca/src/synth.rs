//! A deterministic synthetic product system with the structure of a
//! background database: processes in tiers and in sectors of about 100
//! processes; 70 % of a process's inputs come from earlier processes of its
//! own sector, the rest from the whole economy (mostly lower tiers) with a
//! power-law popularity (a few "market hubs" such as electricity feed
//! thousands of processes); a handful of small loops
//! (electricity ↔ coal mining and a few dozen cycles of 2–5 processes),
//! every column diagonally dominant (inputs add up to 30–80 % of the
//! production), and lognormal σ = 0.1 uncertainty on every input.
//!
//! Process and product ids are shuffled and the entries are listed in
//! shuffled process order, so nothing in the files gives the tier order
//! away.

use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};

use crate::system::{BioExchange, CharFactor, SystemData, TechExchange};
use crate::uncertainty::Uncertainty;

/// Size and shape of the synthetic system.
#[derive(Clone, Copy, Debug)]
pub struct SynthOptions {
    pub processes: usize,
    pub seed: u64,
    /// Mean number of technosphere inputs per process.
    pub inputs_per_process: usize,
    pub flows: usize,
    /// Mean number of biosphere entries per process.
    pub flows_per_process: usize,
    pub factors: usize,
    /// Loops of 2–5 processes besides electricity ↔ coal mining.
    pub loops: usize,
    /// σ of the lognormal on every input.
    pub sigma: f64,
}

impl SynthOptions {
    /// The shape described in the module documentation; 20,000 processes
    /// give ~260,000 technosphere and ~400,000 biosphere non-zeros, 2,500
    /// flows, 150 factors and 40 loops.
    pub fn new(processes: usize, seed: u64) -> SynthOptions {
        let processes = processes.max(10);
        SynthOptions {
            processes,
            seed,
            inputs_per_process: 12,
            flows: (processes / 8).max(20),
            flows_per_process: 20,
            factors: 150.min((processes / 8).max(20)),
            loops: (processes / 500).max(2),
            sigma: 0.1,
        }
    }
}

/// The system, a demand of one unit of the most downstream product, and
/// the number of loops built.
pub struct Synthetic {
    pub data: SystemData,
    pub demand: Vec<(String, f64)>,
    pub loops: usize,
}

/// Share of a process's inputs drawn from its own sector.
const LOCAL_SHARE: f64 = 0.7;

fn normal(rng: &mut ChaCha8Rng) -> f64 {
    StandardNormal.sample(rng)
}

/// Picks an index in [lo, hi) with probability proportional to its weight,
/// given prefix sums `cum` (cum[k] = sum of weights below k).
fn pick(cum: &[f64], lo: usize, hi: usize, rng: &mut ChaCha8Rng) -> Option<usize> {
    let (a, b) = (cum[lo], cum[hi]);
    if b <= a {
        return None;
    }
    let x = a + rng.random::<f64>() * (b - a);
    // First k with cum[k + 1] > x.
    let k = cum[lo + 1..=hi].partition_point(|&c| c <= x) + lo;
    Some(k.min(hi - 1))
}

/// Generates the system.
pub fn generate(opts: &SynthOptions) -> Synthetic {
    let n = opts.processes;
    let mut rng = ChaCha8Rng::seed_from_u64(opts.seed);
    // Tiers: 5 %, 10 %, 20 %, 30 %, 35 % of the processes.
    let shares = [0.05, 0.10, 0.20, 0.30];
    let mut tier_start = vec![0usize];
    let mut acc = 0.0;
    for s in shares {
        acc += s;
        tier_start.push(((acc * n as f64) as usize).max(tier_start.last().unwrap() + 1));
    }
    tier_start.push(n);
    let tier_of = |j: usize| tier_start.partition_point(|&s| s <= j) - 1;

    // Popularity: Pareto weights, plus market hubs in the lowest tier.
    let mut weight: Vec<f64> = (0..n)
        .map(|_| (1.0 - rng.random::<f64>()).powf(-1.0 / 0.8))
        .collect();
    // Sectors of about 100 processes: most inputs come from the process's
    // own sector (earlier members), the rest from the whole economy by
    // popularity (markets).
    let sectors = (n / 100).max(1);
    let sector_of: Vec<usize> = (0..n).map(|_| rng.random_range(0..sectors)).collect();
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); sectors];
    for (j, &sec) in sector_of.iter().enumerate() {
        members[sec].push(j);
    }
    let electricity = 1usize;
    let coal = 0usize;
    let hubs = (n / 2000).clamp(3, 12);
    for (h, w) in weight.iter_mut().enumerate().take(hubs + 2).skip(1) {
        *w = if h == electricity { 4000.0 } else { 1500.0 };
    }
    // Loops: members other than the last take no part in the general pool,
    // so the loop is exactly its members.
    let mut extra_inputs: Vec<Vec<usize>> = vec![Vec::new(); n];
    weight[coal] = 0.0;
    extra_inputs[coal].push(electricity);
    extra_inputs[electricity].push(coal);
    let mut used = vec![false; n];
    for u in used.iter_mut().take(hubs + 2) {
        *u = true;
    }
    let mut loops = 1;
    let mut attempts = 0;
    while loops < opts.loops + 1 && attempts < opts.loops * 50 {
        attempts += 1;
        let size = rng.random_range(2..=5usize);
        let t = rng.random_range(1..tier_start.len() - 1);
        let (lo, hi) = (tier_start[t], tier_start[t + 1]);
        if hi - lo < size * 4 {
            continue;
        }
        let start = rng.random_range(lo..hi - size * 3);
        let members: Vec<usize> = (0..size).map(|k| start + k * 3).collect();
        if members.iter().any(|&m| used[m]) {
            continue;
        }
        for w in members.windows(2) {
            extra_inputs[w[1]].push(w[0]);
        }
        extra_inputs[members[0]].push(members[size - 1]);
        for &m in &members {
            used[m] = true;
        }
        for &m in &members[..size - 1] {
            weight[m] = 0.0;
        }
        loops += 1;
    }
    let mut cum = vec![0.0; n + 1];
    for k in 0..n {
        cum[k + 1] = cum[k] + weight[k];
    }

    // Ids, shuffled.
    let mut labels: Vec<usize> = (0..n).collect();
    labels.shuffle(&mut rng);
    let width = n.to_string().len();
    let process_id = |j: usize| match j {
        0 => "coal mining".to_string(),
        1 => "electricity production".to_string(),
        _ => format!("process-{:0width$}", labels[j]),
    };
    let product_id = |j: usize| match j {
        0 => "coal".to_string(),
        1 => "electricity".to_string(),
        _ => format!("product-{:0width$}", labels[j]),
    };

    // Technosphere columns.
    let mut columns: Vec<Vec<TechExchange>> = Vec::with_capacity(n);
    for (j, extra) in extra_inputs.iter().enumerate() {
        let production = if rng.random::<f64>() < 0.2 {
            (0.8 * normal(&mut rng)).exp()
        } else {
            1.0
        };
        let t = tier_of(j);
        let target =
            rng.random_range(opts.inputs_per_process / 2..=opts.inputs_per_process * 3 / 2);
        let mut inputs: Vec<usize> = extra.clone();
        let mut tries = 0;
        while inputs.len() < target && tries < target * 4 {
            tries += 1;
            if rng.random::<f64>() < LOCAL_SHARE {
                let own = &members[sector_of[j]];
                let below = own.partition_point(|&k| k < j);
                if below > 0 {
                    let k = own[rng.random_range(0..below)];
                    if weight[k] > 0.0 && !inputs.contains(&k) {
                        inputs.push(k);
                    }
                }
                continue;
            }
            let from_lower = t > 0 && rng.random::<f64>() < 0.8;
            let (lo, hi) = if from_lower {
                (0, tier_start[t])
            } else {
                (tier_start[t], j)
            };
            if hi <= lo {
                continue;
            }
            if let Some(k) = pick(&cum, lo, hi, &mut rng)
                && k != j
                && !inputs.contains(&k)
            {
                inputs.push(k);
            }
        }
        let raw: Vec<f64> = inputs
            .iter()
            .map(|_| (1.5 * normal(&mut rng)).exp())
            .collect();
        let total: f64 = raw.iter().sum();
        let share = rng.random_range(0.3..0.8) * production;
        let mut col = vec![TechExchange {
            product: product_id(j),
            process: process_id(j),
            amount: production,
            uncertainty: Uncertainty::None,
        }];
        for (&k, r) in inputs.iter().zip(&raw) {
            let amount = -(r / total) * share;
            col.push(TechExchange {
                product: product_id(k),
                process: process_id(j),
                amount,
                uncertainty: Uncertainty::lognormal_around(amount, opts.sigma),
            });
        }
        columns.push(col);
    }

    // Biosphere columns; flow popularity is a power law too.
    let nf = opts.flows;
    let fw: Vec<f64> = (0..nf)
        .map(|_| (1.0 - rng.random::<f64>()).powf(-1.0 / 0.9))
        .collect();
    let mut fcum = vec![0.0; nf + 1];
    for f in 0..nf {
        fcum[f + 1] = fcum[f] + fw[f];
    }
    let flow_id = |f: usize| match f {
        0 => "carbon dioxide, fossil".to_string(),
        1 => "methane, fossil".to_string(),
        2 => "dinitrogen monoxide".to_string(),
        _ => format!("flow-{f:05}"),
    };
    let mut bio_columns: Vec<Vec<BioExchange>> = Vec::with_capacity(n);
    for j in 0..n {
        let m = rng.random_range(opts.flows_per_process / 2..=opts.flows_per_process * 3 / 2);
        let mut chosen: Vec<usize> = Vec::with_capacity(m);
        if rng.random::<f64>() < 0.9 {
            chosen.push(0);
        }
        let mut tries = 0;
        while chosen.len() < m.min(nf) && tries < m * 30 {
            tries += 1;
            if let Some(f) = pick(&fcum, 0, nf, &mut rng)
                && !chosen.contains(&f)
            {
                chosen.push(f);
            }
        }
        let col = chosen
            .into_iter()
            .map(|f| {
                let sign = if rng.random::<f64>() < 0.02 {
                    -1.0
                } else {
                    1.0
                };
                BioExchange {
                    flow: flow_id(f),
                    process: process_id(j),
                    amount: sign * (2.0 * normal(&mut rng) - 3.0).exp(),
                    uncertainty: Uncertainty::None,
                }
            })
            .collect();
        bio_columns.push(col);
    }

    // Characterisation: CO2 = 1, CH4, N2O, then a mix of popular and rare
    // flows with factors spread over 0.01–25,000.
    let mut cf_flows: Vec<usize> = vec![0, 1, 2];
    let mut tries = 0;
    while cf_flows.len() < opts.factors.min(nf) && tries < opts.factors * 20 {
        tries += 1;
        let f = if rng.random::<f64>() < 0.3 {
            rng.random_range(0..nf.min(100))
        } else {
            rng.random_range(0..nf)
        };
        if !cf_flows.contains(&f) {
            cf_flows.push(f);
        }
    }
    let characterisation = cf_flows
        .iter()
        .map(|&f| CharFactor {
            flow: flow_id(f),
            factor: match f {
                0 => 1.0,
                1 => 29.8,
                2 => 273.0,
                _ => (rng.random_range(0.01f64.ln()..25_000f64.ln())).exp(),
            },
            uncertainty: Uncertainty::None,
        })
        .collect();

    // Output in shuffled process order.
    let mut order: Vec<usize> = (0..n).collect();
    order.shuffle(&mut rng);
    let mut technosphere = Vec::new();
    let mut biosphere = Vec::new();
    for &j in &order {
        technosphere.append(&mut columns[j]);
        biosphere.append(&mut bio_columns[j]);
    }
    Synthetic {
        data: SystemData {
            technosphere,
            biosphere,
            characterisation,
        },
        demand: vec![(product_id(n - 1), 1.0)],
        loops,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::system::ProductSystem;

    #[test]
    fn deterministic_and_shaped_like_a_database() {
        let a = generate(&SynthOptions::new(2_000, 3));
        let b = generate(&SynthOptions::new(2_000, 3));
        assert_eq!(a.data, b.data);
        let c = generate(&SynthOptions::new(2_000, 4));
        assert_ne!(a.data, c.data);
        let s = ProductSystem::build(a.data).unwrap();
        assert_eq!(s.len(), 2_000);
        let per = s.a.nnz() as f64 / 2_000.0;
        assert!((10.0..14.0).contains(&per), "{per} non-zeros per column");
        let blocks = crate::ordering::block_order(&s.a);
        assert_eq!(blocks.loops(), a.loops);
        assert!((2..=5).contains(&blocks.largest_block()));
    }
}
