//! Monte Carlo: each draw samples every uncertain exchange of A, B and C,
//! re-factorises A numerically with the kept symbolic analysis, solves and
//! scores. Draw `i` uses its own ChaCha8 stream (`seed`, stream `i`), so the
//! scores do not depend on the number of threads or on scheduling.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering as AtomicOrdering};

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

use crate::error::{LcaError, Result};
use crate::lca::{Lca, check_finite, factor_error};
use crate::solver::Numeric;
use crate::uncertainty::Uncertainty;

/// Options of [`Lca::monte_carlo`].
#[derive(Clone, Copy, Debug)]
pub struct McOptions {
    pub draws: usize,
    pub seed: u64,
    /// Worker threads; 0 = all available cores.
    pub threads: usize,
    /// Histogram bins.
    pub bins: usize,
}

impl Default for McOptions {
    fn default() -> Self {
        McOptions {
            draws: 1000,
            seed: 0,
            threads: 0,
            bins: 20,
        }
    }
}

/// Equal-width histogram over [min, max]; `edges` has one more entry than
/// `counts`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Histogram {
    pub edges: Vec<f64>,
    pub counts: Vec<usize>,
}

/// Summary statistics of the scores.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct McStats {
    pub n: usize,
    pub mean: f64,
    /// Sample standard deviation (n − 1 in the denominator).
    pub sd: f64,
    pub min: f64,
    pub max: f64,
    /// Percentiles by linear interpolation between order statistics
    /// (NumPy's default method).
    pub p2_5: f64,
    pub p5: f64,
    pub p50: f64,
    pub p95: f64,
    pub p97_5: f64,
    pub histogram: Histogram,
}

/// Every draw's score (in draw order) and their statistics.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct McResult {
    pub seed: u64,
    pub stats: McStats,
    #[serde(skip)]
    pub scores: Vec<f64>,
}

/// Percentile `p` (0..=1) of sorted values, linear interpolation.
pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    assert!(!sorted.is_empty());
    let h = p.clamp(0.0, 1.0) * (sorted.len() - 1) as f64;
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(sorted.len() - 1);
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

/// Statistics of a non-empty sample.
pub fn statistics(scores: &[f64], bins: usize) -> McStats {
    let n = scores.len();
    assert!(n > 0);
    let mut sorted = scores.to_vec();
    sorted.sort_by(f64::total_cmp);
    let (min, max) = (sorted[0], sorted[n - 1]);
    // The rounded sum can leave [min, max] (n equal draws x need not sum
    // to n·x exactly); equal draws have no spread at all.
    let mean = (scores.iter().sum::<f64>() / n as f64).clamp(min, max);
    let sd = if n > 1 && max > min {
        (scores.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64).sqrt()
    } else {
        0.0
    };
    let bins = bins.max(1);
    let (edges, counts) = if max > min {
        let width = (max - min) / bins as f64;
        let edges: Vec<f64> = (0..=bins)
            .map(|k| {
                if k == bins {
                    max
                } else {
                    min + width * k as f64
                }
            })
            .collect();
        let mut counts = vec![0usize; bins];
        for &x in &sorted {
            let k = (((x - min) / width) as usize).min(bins - 1);
            counts[k] += 1;
        }
        (edges, counts)
    } else {
        (vec![min, max], vec![n])
    };
    McStats {
        n,
        mean,
        sd,
        min,
        max,
        p2_5: percentile(&sorted, 0.025),
        p5: percentile(&sorted, 0.05),
        p50: percentile(&sorted, 0.5),
        p95: percentile(&sorted, 0.95),
        p97_5: percentile(&sorted, 0.975),
        histogram: Histogram { edges, counts },
    }
}

/// Fixed part of a matrix's values plus its uncertain entries.
struct Sampler {
    base: Vec<f64>,
    uncertain: Vec<(usize, f64, Uncertainty)>,
}

impl Sampler {
    fn new(len: usize, entries: impl Iterator<Item = (usize, f64, Uncertainty)>) -> Sampler {
        let mut base = vec![0.0; len];
        let mut uncertain = Vec::new();
        for (slot, amount, u) in entries {
            if u.is_none() {
                base[slot] += amount;
            } else {
                uncertain.push((slot, amount, u));
            }
        }
        Sampler { base, uncertain }
    }

    fn draw(&self, out: &mut Vec<f64>, rng: &mut ChaCha8Rng) {
        out.clear();
        out.extend_from_slice(&self.base);
        for (slot, amount, u) in &self.uncertain {
            out[*slot] += u.sample(*amount, rng);
        }
    }
}

/// The random number generator of draw `draw`.
pub fn draw_rng(seed: u64, draw: usize) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(draw as u64);
    rng
}

impl Lca {
    /// Runs `opts.draws` draws for demand vector `f` (one amount per
    /// product index; see [`crate::ProductSystem::demand_vector`]).
    pub fn monte_carlo(&self, f: &[f64], opts: McOptions) -> Result<McResult> {
        if opts.draws == 0 {
            return Err(LcaError::Options(
                "Monte Carlo needs at least one draw".into(),
            ));
        }
        let sys = self.system();
        if f.len() != sys.len() {
            return Err(LcaError::Options(
                "demand vector has the wrong length".into(),
            ));
        }
        let data = &sys.data;
        let a = Sampler::new(
            sys.a.nnz(),
            data.technosphere
                .iter()
                .zip(&sys.a.slot_of_entry)
                .map(|(x, &s)| (s, x.amount, x.uncertainty)),
        );
        let b = Sampler::new(
            sys.b.nnz(),
            data.biosphere
                .iter()
                .zip(&sys.b.slot_of_entry)
                .map(|(x, &s)| (s, x.amount, x.uncertainty)),
        );
        let c = Sampler::new(
            sys.flows.len(),
            data.characterisation
                .iter()
                .zip(&sys.flow_of_factor)
                .map(|(x, &s)| (s, x.factor, x.uncertainty)),
        );
        let fixed_direct = (b.uncertain.is_empty() && c.uncertain.is_empty())
            .then(|| sys.direct_impacts(&b.base, &c.base));
        let threads = if opts.threads == 0 {
            std::thread::available_parallelism().map_or(1, |n| n.get())
        } else {
            opts.threads
        }
        .min(opts.draws);
        let next = AtomicUsize::new(0);
        let scores = Mutex::new(vec![f64::NAN; opts.draws]);
        let failure: Mutex<Option<(usize, LcaError)>> = Mutex::new(None);
        let symbolic = self.symbolic();
        std::thread::scope(|scope| {
            for _ in 0..threads {
                scope.spawn(|| {
                    let mut ws = symbolic.workspace();
                    let mut num = Numeric::default();
                    let (mut av, mut bv, mut cv) = (Vec::new(), Vec::new(), Vec::new());
                    let mut s = vec![0.0; f.len()];
                    let mut local: Vec<(usize, f64)> = Vec::new();
                    loop {
                        let i = next.fetch_add(1, AtomicOrdering::Relaxed);
                        if i >= opts.draws {
                            break;
                        }
                        let mut rng = draw_rng(opts.seed, i);
                        a.draw(&mut av, &mut rng);
                        b.draw(&mut bv, &mut rng);
                        c.draw(&mut cv, &mut rng);
                        let outcome = symbolic
                            .factorize(&sys.a, &av, &mut num, &mut ws)
                            .map_err(|e| factor_error(sys, e))
                            .and_then(|()| {
                                s.copy_from_slice(f);
                                symbolic.solve_in_place(&num, &mut s, &mut ws);
                                check_finite(sys, &av, &s)
                            });
                        if let Err(e) = outcome {
                            let mut slot = failure.lock().expect("no panics hold this lock");
                            if slot.as_ref().is_none_or(|(d, _)| i < *d) {
                                *slot = Some((i, e));
                            }
                            break;
                        }
                        let score: f64 = match &fixed_direct {
                            Some(h) => h.iter().zip(&s).map(|(h, s)| h * s).sum(),
                            None => sys
                                .direct_impacts(&bv, &cv)
                                .iter()
                                .zip(&s)
                                .map(|(h, s)| h * s)
                                .sum(),
                        };
                        local.push((i, score));
                    }
                    let mut all = scores.lock().expect("no panics hold this lock");
                    for (i, v) in local {
                        all[i] = v;
                    }
                });
            }
        });
        if let Some((draw, e)) = failure.into_inner().expect("threads joined") {
            return Err(LcaError::MonteCarlo {
                draw,
                source: Box::new(e),
            });
        }
        let scores = scores.into_inner().expect("threads joined");
        Ok(McResult {
            seed: opts.seed,
            stats: statistics(&scores, opts.bins),
            scores,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_interpolate_like_numpy() {
        let x = [1.0, 2.0, 3.0, 4.0];
        assert_eq!(percentile(&x, 0.5), 2.5);
        assert_eq!(percentile(&x, 0.0), 1.0);
        assert_eq!(percentile(&x, 1.0), 4.0);
        assert!((percentile(&x, 0.025) - 1.075).abs() < 1e-15);
    }

    #[test]
    fn statistics_and_histogram() {
        let x: Vec<f64> = (0..100).map(f64::from).collect();
        let s = statistics(&x, 10);
        assert_eq!(s.mean, 49.5);
        assert!((s.sd - 29.011491975882016).abs() < 1e-12);
        assert_eq!(s.histogram.counts, vec![10; 10]);
        assert_eq!(s.histogram.edges.len(), 11);
        assert_eq!(s.histogram.edges[10], 99.0);
        // 0.1 × 3 / 3 is not 0.1 in f64; equal draws still give their value.
        let same = statistics(&[0.1; 3], 4);
        assert_eq!((same.mean, same.sd), (0.1, 0.0));
        let one = statistics(&[3.0], 5);
        assert_eq!((one.sd, one.p2_5, one.p97_5), (0.0, 3.0, 3.0));
        assert_eq!(one.histogram.counts, vec![1]);
    }

    #[test]
    fn draw_streams_differ_and_repeat() {
        use rand::Rng;
        let a: u64 = draw_rng(1, 0).random();
        let b: u64 = draw_rng(1, 1).random();
        let c: u64 = draw_rng(1, 0).random();
        assert_ne!(a, b);
        assert_eq!(a, c);
    }
}
