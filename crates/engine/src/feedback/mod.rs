//! Learned rewards and how they get overoptimized: small, seeded simulations
//! of RLHF and Constitutional AI.
//!
//! Nothing here is a language model. A *response* is a handful of numbers
//! (how helpful it really is, how correct, how long, how flattering, …), a
//! *rater* compares two of them the way a hurried person would, and a
//! *reward model* is a Bradley-Terry fit to those comparisons. Optimizing a
//! policy against the reward model (best-of-n, or tilting the base policy
//! under a KL penalty) then shows the published shape of the failure: the
//! reward model's score keeps rising while the score of what was really
//! wanted (the *gold* score) rises, peaks and falls. Every assumption is
//! written down in `docs/FEEDBACK.md`.
//!
//! - [`responses`]: the toy response space, the base policy and the gold score.
//! - [`raters`]: simulated people comparing two responses.
//! - [`bradley_terry`]: the reward model (regularized logistic regression on
//!   pairs, fitted by Newton's method with a fixed number of steps).
//! - [`optimize`]: best-of-n and KL-regularized policies over a fixed sample.
//! - [`fit`]: the functional forms of Gao, Schulman and Hilton (2022).
//! - [`rlhf`]: the RLHF experiment; [`cai`]: the Constitutional AI one.
//! - [`trajectories`]: raters comparing gridworld episodes by what the
//!   observed signals show, and the engine's agents optimizing what they learned.
//!
//! Like the rest of the engine, every result is a pure function of its
//! settings and seed.
//!
//! ```
//! use loophole_engine::feedback::rlhf::{rlhf, RlhfConfig};
//! let cfg = RlhfConfig { gridworld: false, ..RlhfConfig::default() };
//! let report = rlhf(&cfg, &mut |_| true).unwrap();
//! let peak = report.best_of_n.peak;
//! // Gold peaks at an interior n while the proxy keeps rising.
//! assert!(peak > 0 && peak + 1 < report.best_of_n.points.len());
//! ```

pub mod bradley_terry;
pub mod cai;
pub mod fit;
pub mod optimize;
pub mod raters;
pub mod responses;
pub mod rlhf;
pub mod trajectories;

use crate::rng::Rng;

/// A standard normal draw (Box-Muller; the second of the pair is discarded
/// so that a draw depends only on the generator's position, never on a cache).
pub(crate) fn normal(rng: &mut Rng) -> f64 {
    normal_pair(rng).0
}

/// Two independent standard normal draws (Box-Muller).
pub(crate) fn normal_pair(rng: &mut Rng) -> (f64, f64) {
    // 1 - u lies in (0, 1], so the logarithm is finite.
    let u1 = 1.0 - rng.next_f64();
    let u2 = rng.next_f64();
    let r = (-2.0 * u1.ln()).sqrt();
    let (s, c) = (std::f64::consts::TAU * u2).sin_cos();
    (r * c, r * s)
}

/// Fills `out` with standard normal draws, two per Box-Muller step.
pub(crate) fn normals(rng: &mut Rng, out: &mut [f64]) {
    let mut chunks = out.chunks_exact_mut(2);
    for pair in &mut chunks {
        let (a, b) = normal_pair(rng);
        pair[0] = a;
        pair[1] = b;
    }
    if let [last] = chunks.into_remainder() {
        *last = normal(rng);
    }
}

/// The logistic function, computed without overflow for large |x|.
pub(crate) fn sigmoid(x: f64) -> f64 {
    if x >= 0.0 {
        1.0 / (1.0 + (-x).exp())
    } else {
        let e = x.exp();
        e / (1.0 + e)
    }
}

/// ln(1 + e^x), computed without overflow.
pub(crate) fn softplus(x: f64) -> f64 {
    if x > 30.0 {
        x
    } else {
        x.exp().ln_1p()
    }
}

/// Checks that `value` lies in `lo..=hi`; the message names the setting.
pub(crate) fn check_range<T: PartialOrd + std::fmt::Display + Copy>(
    name: &str,
    value: T,
    lo: T,
    hi: T,
) -> Result<(), String> {
    if value >= lo && value <= hi {
        Ok(())
    } else {
        Err(format!("{name} must be from {lo} to {hi}, found {value}"))
    }
}

/// Seeds of the independent random streams of one experiment, so that
/// changing one setting (say, the number of comparisons) leaves every other
/// draw where it was.
pub(crate) mod stream {
    pub const COMPARISONS: u64 = 1;
    pub const BASE_SAMPLE: u64 = 2;
    pub const HELD_OUT: u64 = 3;
    pub const REVISIONS: u64 = 4;
    pub const TRAJECTORIES: u64 = 5;
    pub const AGENT: u64 = 6;
    pub const GRID_COMPARISONS: u64 = 7;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normal_draws_have_mean_zero_and_unit_variance() {
        let mut rng = Rng::new(3);
        let xs: Vec<f64> = (0..100_000).map(|_| normal(&mut rng)).collect();
        let mean = xs.iter().sum::<f64>() / xs.len() as f64;
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / xs.len() as f64;
        assert!(mean.abs() < 0.01, "{mean}");
        assert!((var - 1.0).abs() < 0.02, "{var}");
    }

    #[test]
    fn sigmoid_and_softplus_are_finite_everywhere() {
        for x in [-1e300, -800.0, -1.0, 0.0, 1.0, 800.0, 1e300] {
            assert!(sigmoid(x).is_finite() && softplus(x).is_finite(), "{x}");
        }
        assert!((sigmoid(0.0) - 0.5).abs() < 1e-12);
        assert!((softplus(0.0) - 2f64.ln()).abs() < 1e-12);
    }
}
