//! Measured figures on the synthetic system (`egret bench lca`); nothing
//! here is asserted by tests.

use std::time::Instant;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::error::Result;
use crate::lca::{Lca, LcaOptions};
use crate::montecarlo::McOptions;
use crate::solver::Ordering;
use crate::synth::{SynthOptions, generate};
use crate::system::ProductSystem;

/// What to measure.
#[derive(Clone, Copy, Debug)]
pub struct BenchOptions {
    pub processes: usize,
    pub draws: usize,
    pub seed: u64,
    /// Threads for the many-draw run; 0 = all cores.
    pub threads: usize,
    pub ordering: Ordering,
    /// Repetitions of first solve and re-solve (the median is reported).
    pub repeats: usize,
}

impl Default for BenchOptions {
    fn default() -> Self {
        BenchOptions {
            processes: 20_000,
            draws: 1000,
            seed: 1,
            threads: 0,
            ordering: Ordering::Auto,
            repeats: 7,
        }
    }
}

/// The figures, in seconds unless named otherwise.
#[derive(Clone, Debug)]
pub struct BenchReport {
    pub processes: usize,
    pub nnz_a: usize,
    pub nnz_b: usize,
    pub flows: usize,
    pub factors: usize,
    pub loops: usize,
    pub largest_loop: usize,
    pub ordering: &'static str,
    pub nnz_lu: Option<usize>,
    pub generate_seconds: f64,
    pub build_seconds: f64,
    pub first_solve_seconds: f64,
    pub resolve_new_demand_seconds: f64,
    pub mc_draw_seconds: f64,
    pub draws: usize,
    pub mc_draws_seconds: f64,
    pub threads: usize,
    pub score: f64,
    pub residual: f64,
    pub mc_mean: f64,
    pub mc_sd: f64,
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// Runs the benchmark.
pub fn run(opts: &BenchOptions) -> Result<BenchReport> {
    let t = Instant::now();
    let synth = generate(&SynthOptions::new(opts.processes, opts.seed));
    let generate_seconds = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let system = ProductSystem::build(synth.data)?;
    let build_seconds = t.elapsed().as_secs_f64();
    let lca_opts = LcaOptions {
        ordering: opts.ordering,
    };
    let repeats = opts.repeats.max(1);

    // First solve: analysis, factorisation, solve and score from the
    // assembled matrices, each time with a fresh calculation.
    let mut first = Vec::new();
    let mut kept = None;
    for _ in 0..repeats {
        let sys = system.clone();
        let t = Instant::now();
        let lca = Lca::new(sys, lca_opts)?;
        let result = lca.solve(&synth.demand)?;
        first.push(t.elapsed().as_secs_f64());
        kept = Some((lca, result));
    }
    let (lca, result) = kept.expect("at least one repetition");

    // Re-solve with new demand vectors (other products), same factors.
    let mut rng = ChaCha8Rng::seed_from_u64(opts.seed ^ 0x5eed);
    let mut resolve = Vec::new();
    for _ in 0..repeats.max(20) {
        let product = lca.system().products[rng.random_range(0..lca.system().len())].clone();
        let t = Instant::now();
        let r = lca.solve(&[(product, 1.0)])?;
        resolve.push(t.elapsed().as_secs_f64());
        std::hint::black_box(r.score);
    }

    // One draw (single thread, averaged), then many draws on all threads.
    let f = lca.system().demand_vector(&synth.demand)?;
    let single = opts.draws.clamp(1, 50);
    let t = Instant::now();
    lca.monte_carlo(
        &f,
        McOptions {
            draws: single,
            seed: opts.seed,
            threads: 1,
            bins: 20,
        },
    )?;
    let mc_draw_seconds = t.elapsed().as_secs_f64() / single as f64;
    let threads = if opts.threads == 0 {
        std::thread::available_parallelism().map_or(1, |n| n.get())
    } else {
        opts.threads
    };
    let t = Instant::now();
    let mc = lca.monte_carlo(
        &f,
        McOptions {
            draws: opts.draws.max(1),
            seed: opts.seed,
            threads,
            bins: 20,
        },
    )?;
    let mc_draws_seconds = t.elapsed().as_secs_f64();

    let blocks = lca.symbolic().blocks();
    Ok(BenchReport {
        processes: lca.system().len(),
        nnz_a: lca.system().a.nnz(),
        nnz_b: lca.system().b.nnz(),
        flows: lca.system().flows.len(),
        factors: lca.system().data.characterisation.len(),
        loops: blocks.map_or(0, |b| b.loops()),
        largest_loop: blocks.map_or(0, |b| b.largest_block()),
        ordering: lca.symbolic().ordering().name(),
        nnz_lu: lca.factor_nnz(),
        generate_seconds,
        build_seconds,
        first_solve_seconds: median(first),
        resolve_new_demand_seconds: median(resolve),
        mc_draw_seconds,
        draws: opts.draws.max(1),
        mc_draws_seconds,
        threads,
        score: result.score,
        residual: lca.residual(&result),
        mc_mean: mc.stats.mean,
        mc_sd: mc.stats.sd,
    })
}
