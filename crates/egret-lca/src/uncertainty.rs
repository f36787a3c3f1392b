//! Per-exchange uncertainty in the conventions of Brightway and
//! stats_arrays (as used by ecoinvent):
//!
//! | distribution | parameters | a draw |
//! |---|---|---|
//! | lognormal | `loc` = ln\|amount\|, `scale` = σ of the underlying normal | sign(amount) · exp(N(loc, σ)) |
//! | normal | `loc` = mean, `scale` = standard deviation | N(loc, scale) |
//! | triangular | `min`, `loc` = mode, `max` | triangular(min, mode, max) |
//! | uniform | `min`, `max` | U(min, max) |
//!
//! All parameters are in the signed units of the matrix entry (inputs are
//! negative), except the lognormal, which is defined on the magnitude and
//! takes its sign from the amount, as stats_arrays does with its `negative`
//! flag.

use rand::Rng;
use rand_distr::{Distribution, StandardNormal};
use serde::Serialize;

/// The uncertainty of one exchange (one matrix entry before duplicates are
/// summed).
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
#[serde(tag = "distribution", rename_all = "lowercase")]
pub enum Uncertainty {
    /// No uncertainty: every draw is the amount.
    #[default]
    None,
    /// Lognormal on the magnitude; `loc` = ln|amount|, `scale` = σ.
    Lognormal { loc: f64, scale: f64 },
    /// Normal with mean `loc` and standard deviation `scale`.
    Normal { loc: f64, scale: f64 },
    /// Triangular on [`min`, `max`] with mode `mode` (the `loc` column).
    Triangular { min: f64, mode: f64, max: f64 },
    /// Uniform on [`min`, `max`].
    Uniform { min: f64, max: f64 },
}

/// The distribution names accepted in files.
pub const DISTRIBUTION_NAMES: [&str; 4] = ["lognormal", "normal", "triangular", "uniform"];

impl Uncertainty {
    /// A lognormal around `amount` with σ = `sigma` (loc = ln|amount|).
    pub fn lognormal_around(amount: f64, sigma: f64) -> Self {
        Uncertainty::Lognormal {
            loc: amount.abs().ln(),
            scale: sigma,
        }
    }

    /// The distribution's name in files ("" for none).
    pub fn name(&self) -> &'static str {
        match self {
            Uncertainty::None => "",
            Uncertainty::Lognormal { .. } => "lognormal",
            Uncertainty::Normal { .. } => "normal",
            Uncertainty::Triangular { .. } => "triangular",
            Uncertainty::Uniform { .. } => "uniform",
        }
    }

    /// Whether draws differ from the amount.
    pub fn is_none(&self) -> bool {
        matches!(self, Uncertainty::None)
    }

    /// Checks the parameters against the static amount; the message names
    /// the offending parameter by its file column (`loc`, `scale`, `min`,
    /// `max`).
    pub fn check(&self, amount: f64) -> Result<(), (&'static str, String)> {
        fn finite(col: &'static str, v: f64) -> Result<(), (&'static str, String)> {
            if v.is_finite() {
                Ok(())
            } else {
                Err((col, format!("{v} is not a finite number")))
            }
        }
        fn positive(col: &'static str, v: f64) -> Result<(), (&'static str, String)> {
            finite(col, v)?;
            if v > 0.0 {
                Ok(())
            } else {
                Err((col, format!("must be greater than 0, is {v}")))
            }
        }
        match *self {
            Uncertainty::None => Ok(()),
            Uncertainty::Lognormal { loc, scale } => {
                if amount == 0.0 {
                    return Err((
                        "distribution",
                        "a lognormal needs a non-zero amount (its sign is the amount's)".into(),
                    ));
                }
                finite("loc", loc)?;
                positive("scale", scale)
            }
            Uncertainty::Normal { loc, scale } => {
                finite("loc", loc)?;
                positive("scale", scale)
            }
            Uncertainty::Triangular { min, mode, max } => {
                finite("min", min)?;
                finite("loc", mode)?;
                finite("max", max)?;
                if min >= max {
                    return Err(("max", format!("max {max} must be greater than min {min}")));
                }
                if !(min..=max).contains(&mode) {
                    return Err(("loc", format!("mode {mode} is outside [{min}, {max}]")));
                }
                Ok(())
            }
            Uncertainty::Uniform { min, max } => {
                finite("min", min)?;
                finite("max", max)?;
                if min >= max {
                    Err(("max", format!("max {max} must be greater than min {min}")))
                } else {
                    Ok(())
                }
            }
        }
    }

    /// One draw for an exchange of static value `amount`.
    #[inline]
    pub fn sample<R: Rng + ?Sized>(&self, amount: f64, rng: &mut R) -> f64 {
        match *self {
            Uncertainty::None => amount,
            Uncertainty::Lognormal { loc, scale } => {
                let z: f64 = StandardNormal.sample(rng);
                (loc + scale * z).exp().copysign(amount)
            }
            Uncertainty::Normal { loc, scale } => {
                let z: f64 = StandardNormal.sample(rng);
                loc + scale * z
            }
            Uncertainty::Triangular { min, mode, max } => {
                // Inverse of the cumulative distribution function.
                let u: f64 = rng.random();
                let width = max - min;
                let left = (mode - min) / width;
                if u < left {
                    min + (u * width * (mode - min)).sqrt()
                } else {
                    max - ((1.0 - u) * width * (max - mode)).sqrt()
                }
            }
            Uncertainty::Uniform { min, max } => {
                let u: f64 = rng.random();
                min + u * (max - min)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    fn moments(u: Uncertainty, amount: f64, n: usize) -> (f64, f64, f64, f64) {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let xs: Vec<f64> = (0..n).map(|_| u.sample(amount, &mut rng)).collect();
        let mean = xs.iter().sum::<f64>() / n as f64;
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
        let min = xs.iter().copied().fold(f64::INFINITY, f64::min);
        let max = xs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        (mean, var.sqrt(), min, max)
    }

    #[test]
    fn lognormal_keeps_the_sign_and_median() {
        let u = Uncertainty::lognormal_around(-0.3, 0.1);
        let (mean, sd, _, max) = moments(u, -0.3, 200_000);
        assert!(max < 0.0, "all draws negative");
        // Mean of a lognormal: exp(mu + sigma^2 / 2).
        let expect = -(0.3f64.ln() + 0.005).exp();
        assert!((mean - expect).abs() < 1e-3, "{mean} vs {expect}");
        assert!((sd - 0.3 * 0.1).abs() < 2e-3, "{sd}");
    }

    #[test]
    fn normal_triangular_uniform_moments() {
        let (m, s, _, _) = moments(
            Uncertainty::Normal {
                loc: 2.0,
                scale: 0.5,
            },
            2.0,
            200_000,
        );
        assert!((m - 2.0).abs() < 5e-3 && (s - 0.5).abs() < 5e-3);
        let t = Uncertainty::Triangular {
            min: 1.0,
            mode: 2.0,
            max: 4.0,
        };
        let (m, s, lo, hi) = moments(t, 2.0, 200_000);
        // Mean (a+b+c)/3, variance (a²+b²+c²-ab-ac-bc)/18.
        assert!((m - 7.0 / 3.0).abs() < 5e-3, "{m}");
        assert!((s - (7.0f64 / 18.0).sqrt()).abs() < 5e-3, "{s}");
        assert!(lo >= 1.0 && hi <= 4.0);
        let (m, s, lo, hi) = moments(
            Uncertainty::Uniform {
                min: -3.0,
                max: -1.0,
            },
            -2.0,
            200_000,
        );
        assert!((m + 2.0).abs() < 5e-3 && (s - (1.0f64 / 3.0).sqrt()).abs() < 5e-3);
        assert!(lo >= -3.0 && hi <= -1.0);
    }

    #[test]
    fn checks_name_the_parameter() {
        assert_eq!(
            Uncertainty::Lognormal {
                loc: 0.0,
                scale: 0.0
            }
            .check(1.0)
            .unwrap_err()
            .0,
            "scale"
        );
        assert_eq!(
            Uncertainty::Lognormal {
                loc: 0.0,
                scale: 0.1
            }
            .check(0.0)
            .unwrap_err()
            .0,
            "distribution"
        );
        assert_eq!(
            Uncertainty::Triangular {
                min: 0.0,
                mode: 3.0,
                max: 2.0
            }
            .check(1.0)
            .unwrap_err()
            .0,
            "loc"
        );
        assert_eq!(
            Uncertainty::Uniform { min: 1.0, max: 1.0 }
                .check(1.0)
                .unwrap_err()
                .0,
            "max"
        );
        assert!(
            Uncertainty::Normal {
                loc: f64::NAN,
                scale: 1.0
            }
            .check(1.0)
            .is_err()
        );
        assert!(Uncertainty::None.check(5.0).is_ok());
    }
}
