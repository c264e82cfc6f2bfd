//! Optimizing a policy against a proxy score, over a fixed sample from the
//! base policy.
//!
//! Both optimizers are represented exactly as reweightings of one large
//! sample of `m` base responses, so that their expectations need no further
//! random draws:
//!
//! - **Best-of-n** draws n responses and keeps the one the proxy scores
//!   highest. Drawing from the sample itself (with replacement), the
//!   response of rank i (1 = lowest proxy) is kept with probability
//!   `(i/m)^n - ((i-1)/m)^n`: the order statistics of the sample.
//! - **KL-regularized** optimization maximizes `E[proxy] - beta * KL(pi || base)`,
//!   whose solution is the base policy tilted by `exp(proxy / beta)`. Its
//!   expectations are self-normalized importance-weighted averages over the
//!   sample. As `beta` shrinks the weight piles onto a few responses; the
//!   effective sample size `1 / sum(w^2)` says how far the estimate can be trusted.
//!
//! The KL divergence of either reweighting from the sample's uniform weights
//! is `sum w ln(m w)`: the *empirical* KL. For best-of-n on a continuous base
//! policy the closed form `ln n - (n-1)/n` (Stiennon et al. 2020) is an upper
//! bound on the true KL; the sample estimate sits just below it until n
//! approaches the sample size.

/// Weights of a sample under a policy: non-negative, summing to 1.
#[derive(Clone, Debug, PartialEq)]
pub struct Weights(pub Vec<f64>);

impl Weights {
    /// The expectation of `values` (in the same order as the weights).
    pub fn mean(&self, values: &[f64]) -> f64 {
        self.0.iter().zip(values).map(|(w, v)| w * v).sum()
    }

    /// KL divergence from the sample's uniform weights, in nats.
    pub fn kl(&self) -> f64 {
        let m = self.0.len() as f64;
        self.0
            .iter()
            .filter(|&&w| w > 0.0)
            .map(|&w| w * (m * w).ln())
            .sum::<f64>()
            .max(0.0)
    }

    /// Effective sample size: how many equally weighted responses the
    /// reweighting is worth.
    pub fn ess(&self) -> f64 {
        let s2: f64 = self.0.iter().map(|w| w * w).sum();
        if s2 > 0.0 {
            1.0 / s2
        } else {
            0.0
        }
    }
}

/// The indices of `scores` from the lowest score to the highest (ties by index).
pub fn ranking(scores: &[f64]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by(|&a, &b| scores[a].total_cmp(&scores[b]).then(a.cmp(&b)));
    order
}

/// Best-of-n weights of a sample whose ranking by the proxy is `order`
/// (from [`ranking`]).
pub fn best_of_n(order: &[usize], n: u32) -> Weights {
    let m = order.len();
    let mut w = vec![0.0; m];
    let mf = m as f64;
    let n = f64::from(n);
    let mut below = 0.0; // ((i-1)/m)^n
                         // Ranks far below the top get weights under 1e-300: skip to where they matter.
    let start = ((mf * (-700.0 / n).exp()) as usize).min(m);
    if start > 0 {
        below = ((start as f64) / mf).powf(n);
    }
    for (i, &idx) in order.iter().enumerate().skip(start) {
        let upto = (((i + 1) as f64) / mf).powf(n);
        w[idx] = upto - below;
        below = upto;
    }
    Weights(w)
}

/// The closed-form KL of best-of-n from a continuous base policy (an upper bound).
pub fn best_of_n_kl_bound(n: u32) -> f64 {
    let n = f64::from(n);
    n.ln() - (n - 1.0) / n
}

/// The base policy tilted by `exp(scores / beta)`, self-normalized.
pub fn tilt(scores: &[f64], beta: f64) -> Weights {
    let top = scores.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let mut w: Vec<f64> = scores.iter().map(|s| ((s - top) / beta).exp()).collect();
    let total: f64 = w.iter().sum();
    w.iter_mut().for_each(|v| *v /= total);
    Weights(w)
}

/// The n values of a best-of-n sweep: 1, 2, 3, 4, 6, 8, 11, 16, … (about
/// √2 apart) up to and including `max_n`.
pub fn n_grid(max_n: u32) -> Vec<u32> {
    let mut out = vec![1u32];
    let mut k = 1;
    loop {
        let n = (2f64.powf(f64::from(k) / 2.0)).round() as u32;
        k += 1;
        if n >= max_n {
            break;
        }
        if n > *out.last().unwrap_or(&0) {
            out.push(n);
        }
    }
    if max_n > 1 {
        out.push(max_n);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::feedback::normal;
    use crate::rng::Rng;

    #[test]
    fn best_of_n_matches_the_order_statistics_of_a_normal() {
        let mut rng = Rng::new(1);
        let xs: Vec<f64> = (0..200_000).map(|_| normal(&mut rng)).collect();
        let order = ranking(&xs);
        // E[max of 2 standard normals] = 1/sqrt(pi).
        let w = best_of_n(&order, 2);
        let got = w.mean(&xs);
        assert!(
            (got - 1.0 / std::f64::consts::PI.sqrt()).abs() < 0.01,
            "{got}"
        );
        assert!((w.0.iter().sum::<f64>() - 1.0).abs() < 1e-9);
        // The sample KL sits just below the closed-form bound.
        for n in [2, 16, 256] {
            let kl = best_of_n(&order, n).kl();
            let bound = best_of_n_kl_bound(n);
            assert!(
                kl <= bound + 1e-3 && kl > bound - 0.05,
                "n={n}: {kl} vs {bound}"
            );
        }
    }

    #[test]
    fn tilting_a_normal_shifts_it_by_one_over_beta() {
        let mut rng = Rng::new(2);
        let xs: Vec<f64> = (0..200_000).map(|_| normal(&mut rng)).collect();
        let w = tilt(&xs, 2.0);
        // exp(x/2) tilts N(0,1) into N(0.5, 1); KL = 0.5^2 / 2.
        assert!((w.mean(&xs) - 0.5).abs() < 0.01);
        assert!((w.kl() - 0.125).abs() < 0.01, "{}", w.kl());
        assert!(w.ess() > 100_000.0 && w.ess() < 200_000.0);
    }

    #[test]
    fn the_n_grid_is_increasing_and_ends_at_max_n() {
        assert_eq!(n_grid(2), vec![1, 2]);
        assert_eq!(n_grid(16), vec![1, 2, 3, 4, 6, 8, 11, 16]);
        let g = n_grid(4096);
        assert!(g.windows(2).all(|p| p[0] < p[1]));
        assert_eq!(*g.last().unwrap(), 4096);
    }
}
