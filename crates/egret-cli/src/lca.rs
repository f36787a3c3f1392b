//! `egret lca solve|synth` (life cycle assessment from matrix files,
//! docs/lca.md) and `egret bench lca`.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result, anyhow, bail};
use clap::Subcommand;
use egret_lca::bench::{BenchOptions, run as run_bench};
use egret_lca::files::{read_demand_file, read_system, write_system};
use egret_lca::report::Report;
use egret_lca::synth::{SynthOptions, generate};
use egret_lca::{Lca, LcaOptions, McOptions, Ordering, ProductSystem, TreeOptions};

#[derive(Subcommand)]
pub enum LcaCommand {
    /// Solve a product system given as matrix files; prints `score=` (and
    /// the Monte Carlo statistics with --mc), writes the scaling vector and
    /// contributions as JSON to --out.
    Solve {
        /// Technosphere file: product,process,amount[,distribution,loc,scale,min,max].
        #[arg(long)]
        technosphere: PathBuf,
        /// Biosphere file: flow,process,amount[,...].
        #[arg(long)]
        biosphere: PathBuf,
        /// Characterisation factors: flow,factor[,...].
        #[arg(long)]
        cf: PathBuf,
        /// PRODUCT=AMOUNT (repeatable).
        #[arg(long = "demand")]
        demand: Vec<String>,
        /// A demand file (product,amount), added to any --demand.
        #[arg(long)]
        demand_file: Option<PathBuf>,
        /// Monte Carlo draws.
        #[arg(long)]
        mc: Option<usize>,
        /// Seed of the Monte Carlo draws.
        #[arg(long, default_value_t = 0)]
        seed: u64,
        /// Monte Carlo threads (0 = all cores).
        #[arg(long, default_value_t = 0)]
        threads: usize,
        /// JSON result: scaling vector, inventory, contributions, supply chain.
        #[arg(long)]
        out: Option<PathBuf>,
        /// LU column ordering: auto, block-triangular, colamd or supernodal.
        #[arg(long, default_value = "auto")]
        ordering: String,
        /// Processes and flows listed in the contributions.
        #[arg(long, default_value_t = 20)]
        top: usize,
        /// Supply-chain cut-off, as a share of the score.
        #[arg(long, default_value_t = 0.01)]
        cutoff: f64,
    },
    /// Write the synthetic background database (technosphere.csv,
    /// biosphere.csv, cf.csv, demand.csv) into a directory.
    Synth {
        #[arg(long, default_value_t = 20_000)]
        processes: usize,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        #[arg(long)]
        out: PathBuf,
    },
}

/// Runs an `egret lca` command; errors are printed in English.
pub fn run(command: &LcaCommand) -> ExitCode {
    let outcome = match command {
        LcaCommand::Solve { .. } => solve(command),
        LcaCommand::Synth {
            processes,
            seed,
            out,
        } => synth(*processes, *seed, out),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("egret lca: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn parse_demand(text: &str) -> Result<(String, f64)> {
    let (product, amount) = text
        .rsplit_once('=')
        .ok_or_else(|| anyhow!("--demand {text}: expected PRODUCT=AMOUNT"))?;
    let amount: f64 = amount
        .trim()
        .parse()
        .map_err(|_| anyhow!("--demand {text}: '{amount}' is not a number"))?;
    if !amount.is_finite() {
        bail!("--demand {text}: the amount is not a finite number");
    }
    Ok((product.trim().to_string(), amount))
}

fn solve(command: &LcaCommand) -> Result<()> {
    let LcaCommand::Solve {
        technosphere,
        biosphere,
        cf,
        demand,
        demand_file,
        mc,
        seed,
        threads,
        out,
        ordering,
        top,
        cutoff,
    } = command
    else {
        unreachable!()
    };
    let ordering = Ordering::parse(ordering).ok_or_else(|| {
        anyhow!("--ordering {ordering}: expected auto, block-triangular, colamd or supernodal")
    })?;
    let mut wanted = demand
        .iter()
        .map(|d| parse_demand(d))
        .collect::<Result<Vec<_>>>()?;
    if let Some(path) = demand_file {
        wanted.extend(read_demand_file(path)?);
    }
    if wanted.is_empty() {
        bail!("no demand: give --demand PRODUCT=AMOUNT or --demand-file");
    }
    let data = read_system(technosphere, biosphere, cf)?;
    let system = ProductSystem::build(data)?;
    // Check the demand before the (possibly failing) factorisation.
    system.demand_vector(&wanted)?;
    let lca = Lca::new(system, LcaOptions { ordering })?;
    let result = lca.solve(&wanted)?;
    println!("score={:e}", result.score);
    let stats = match mc {
        Some(draws) => {
            let r = lca.monte_carlo(
                &result.demand,
                McOptions {
                    draws: *draws,
                    seed: *seed,
                    threads: *threads,
                    bins: 20,
                },
            )?;
            let s = &r.stats;
            println!("mc_n={}", s.n);
            println!("mc_seed={seed}");
            println!("mc_mean={:e}", s.mean);
            println!("mc_sd={:e}", s.sd);
            println!("mc_p2_5={:e}", s.p2_5);
            println!("mc_p5={:e}", s.p5);
            println!("mc_p50={:e}", s.p50);
            println!("mc_p95={:e}", s.p95);
            println!("mc_p97_5={:e}", s.p97_5);
            Some(r.stats)
        }
        None => None,
    };
    if let Some(path) = out {
        let tree = TreeOptions {
            cutoff: *cutoff,
            ..TreeOptions::default()
        };
        Report::new(&lca, &result, *top, tree, stats)?.write_json(path)?;
    }
    Ok(())
}

fn synth(processes: usize, seed: u64, out: &std::path::Path) -> Result<()> {
    let s = generate(&SynthOptions::new(processes, seed));
    let (n_tech, n_bio, n_cf) = (
        s.data.technosphere.len(),
        s.data.biosphere.len(),
        s.data.characterisation.len(),
    );
    write_system(out, &s.data, &s.demand).with_context(|| format!("{}", out.display()))?;
    println!(
        "processes={processes} seed={seed} technosphere_entries={n_tech} biosphere_entries={n_bio} \
         factors={n_cf} loops={} demand={} dir={}",
        s.loops,
        s.demand[0].0,
        out.display()
    );
    Ok(())
}

/// `egret bench lca`: first solve, re-solve with a new demand, one Monte
/// Carlo draw and many draws on the synthetic system.
pub fn bench(processes: usize, draws: usize, seed: u64, ordering: &str) -> ExitCode {
    let Some(ordering) = Ordering::parse(ordering) else {
        eprintln!(
            "egret bench lca: --ordering {ordering}: expected auto, block-triangular, colamd or supernodal"
        );
        return ExitCode::FAILURE;
    };
    let opts = BenchOptions {
        processes,
        draws,
        seed,
        ordering,
        ..BenchOptions::default()
    };
    let r = match run_bench(&opts) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("egret bench lca: {e}");
            return ExitCode::FAILURE;
        }
    };
    println!(
        "bench=lca processes={} nnz_a={} nnz_b={} flows={} factors={} loops={} largest_loop={} \
         ordering={} nnz_lu={} threads={}",
        r.processes,
        r.nnz_a,
        r.nnz_b,
        r.flows,
        r.factors,
        r.loops,
        r.largest_loop,
        r.ordering,
        r.nnz_lu.map_or("-".to_string(), |n| n.to_string()),
        r.threads
    );
    println!("generate_seconds={:.4}", r.generate_seconds);
    println!("build_seconds={:.4}", r.build_seconds);
    println!("first_solve_seconds={:.5}", r.first_solve_seconds);
    println!(
        "resolve_new_demand_seconds={:.6}",
        r.resolve_new_demand_seconds
    );
    println!("mc_draw_seconds={:.5}", r.mc_draw_seconds);
    println!("mc_{}_draws_seconds={:.3}", r.draws, r.mc_draws_seconds);
    println!("score={:e} residual={:e}", r.score, r.residual);
    println!("mc_mean={:e} mc_sd={:e}", r.mc_mean, r.mc_sd);
    ExitCode::SUCCESS
}
