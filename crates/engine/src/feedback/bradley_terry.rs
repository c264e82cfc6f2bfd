//! The Bradley-Terry reward model: a linear score over observable features,
//! fitted to pairwise comparisons.
//!
//! The model says the first of two responses is preferred with probability
//! `sigmoid(w · (x_a - x_b))`. The weights `w` minimize the cross-entropy of
//! the labels (hard 0/1 choices, or soft probabilities from AI feedback)
//! plus an L2 penalty `l2/2 * |w|^2`, by Newton's method with a backtracking
//! line search and a fixed number of steps: the fit is deterministic and,
//! since the penalized loss is strictly convex, converges to its one minimum
//! well within those steps.

use super::sigmoid;
use crate::linalg;

/// Newton steps taken; the loss is strictly convex and smooth, so a dozen
/// steps reach its minimum to machine precision for any data set here.
pub const NEWTON_STEPS: usize = 16;

/// Comparisons of pairs, stored as feature differences `x_a - x_b` with the
/// probability that `a` was preferred.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Comparisons {
    dim: usize,
    diffs: Vec<f64>,
    labels: Vec<f64>,
}

impl Comparisons {
    pub fn new(dim: usize) -> Comparisons {
        Comparisons {
            dim,
            diffs: Vec::new(),
            labels: Vec::new(),
        }
    }

    /// Adds one comparison; `p_first` is 1 when `a` won, 0 when `b` won, or
    /// a soft label in between.
    pub fn push(&mut self, a: &[f64], b: &[f64], p_first: f64) {
        debug_assert!(a.len() == self.dim && b.len() == self.dim);
        self.diffs.extend(a.iter().zip(b).map(|(x, y)| x - y));
        self.labels.push(p_first.clamp(0.0, 1.0));
    }

    pub fn len(&self) -> usize {
        self.labels.len()
    }

    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    pub fn dim(&self) -> usize {
        self.dim
    }

    fn pairs(&self) -> impl Iterator<Item = (&[f64], f64)> {
        self.diffs
            .chunks_exact(self.dim.max(1))
            .zip(self.labels.iter().copied())
    }
}

/// A fitted reward model: one weight per observable feature.
#[derive(Clone, Debug, PartialEq)]
pub struct RewardModel {
    pub weights: Vec<f64>,
}

impl RewardModel {
    /// The model's score of a response's observable features.
    pub fn score(&self, x: &[f64]) -> f64 {
        self.weights.iter().zip(x).map(|(w, v)| w * v).sum()
    }

    /// Probability the model gives to the first of two responses being preferred.
    pub fn p_prefers(&self, a: &[f64], b: &[f64]) -> f64 {
        sigmoid(self.score(a) - self.score(b))
    }
}

/// Penalized cross-entropy of the labels under weights `w`.
fn loss(data: &Comparisons, w: &[f64], l2: f64) -> f64 {
    let mut total = 0.5 * l2 * w.iter().map(|v| v * v).sum::<f64>();
    for (d, y) in data.pairs() {
        let z: f64 = w.iter().zip(d).map(|(a, b)| a * b).sum();
        // -[y ln s(z) + (1-y) ln s(-z)] = softplus(z) - y z, stable for any z.
        total += super::softplus(z) - y * z;
    }
    total
}

/// Fits the weights by penalized maximum likelihood. `l2` must be positive,
/// which makes the problem strictly convex even when the data are separable.
pub fn fit(data: &Comparisons, l2: f64) -> RewardModel {
    let p = data.dim;
    let l2 = l2.max(1e-9);
    let mut w = vec![0.0; p];
    let mut grad = vec![0.0; p];
    let mut hess = vec![0.0; p * p];
    let mut current = loss(data, &w, l2);
    for _ in 0..NEWTON_STEPS {
        grad.iter_mut().zip(&w).for_each(|(g, wi)| *g = l2 * wi);
        hess.iter_mut().for_each(|h| *h = 0.0);
        for i in 0..p {
            hess[i * p + i] = l2;
        }
        for (d, y) in data.pairs() {
            let z: f64 = w.iter().zip(d).map(|(a, b)| a * b).sum();
            let s = sigmoid(z);
            let r = s - y;
            let c = s * (1.0 - s);
            for i in 0..p {
                grad[i] += r * d[i];
                let cd = c * d[i];
                for j in 0..=i {
                    hess[i * p + j] += cd * d[j];
                }
            }
        }
        for i in 0..p {
            for j in 0..i {
                hess[j * p + i] = hess[i * p + j];
            }
        }
        let Some(step) = linalg::solve_spd(&hess, &grad, 0.0) else {
            break;
        };
        // The Newton decrement: how much the loss can still fall. Once it is
        // down to rounding, a line search would only chase noise.
        let decrement: f64 = grad.iter().zip(&step).map(|(g, s)| g * s).sum();
        if decrement <= 1e-12 * (1.0 + current.abs()) {
            break;
        }
        // Backtracking: halve the Newton step until the loss does not rise.
        let mut t = 1.0;
        let mut accepted = false;
        for _ in 0..30 {
            let trial: Vec<f64> = w.iter().zip(&step).map(|(wi, si)| wi - t * si).collect();
            let l = loss(data, &trial, l2);
            if l <= current {
                w = trial;
                current = l;
                accepted = true;
                break;
            }
            t *= 0.5;
        }
        if !accepted {
            break;
        }
    }
    RewardModel { weights: w }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::feedback::normal;
    use crate::rng::Rng;

    #[test]
    fn recovers_the_weights_that_generated_the_choices() {
        let truth = [1.5, -0.5, 0.0];
        let mut rng = Rng::new(5);
        let mut data = Comparisons::new(3);
        for _ in 0..20_000 {
            let a: Vec<f64> = (0..3).map(|_| normal(&mut rng)).collect();
            let b: Vec<f64> = (0..3).map(|_| normal(&mut rng)).collect();
            let z: f64 = (0..3).map(|i| truth[i] * (a[i] - b[i])).sum();
            let won = rng.chance(sigmoid(z));
            data.push(&a, &b, if won { 1.0 } else { 0.0 });
        }
        let model = fit(&data, 1.0);
        for (w, t) in model.weights.iter().zip(truth) {
            assert!((w - t).abs() < 0.06, "{:?}", model.weights);
        }
    }

    #[test]
    fn soft_labels_at_one_half_teach_nothing() {
        let mut data = Comparisons::new(2);
        data.push(&[1.0, 0.0], &[0.0, 1.0], 0.5);
        data.push(&[0.0, 2.0], &[1.0, 0.0], 0.5);
        let model = fit(&data, 0.1);
        assert!(model.weights.iter().all(|w| w.abs() < 1e-9), "{model:?}");
    }

    #[test]
    fn separable_data_give_finite_weights() {
        let mut data = Comparisons::new(1);
        for _ in 0..50 {
            data.push(&[1.0], &[0.0], 1.0);
        }
        let model = fit(&data, 1.0);
        assert!(model.weights[0].is_finite() && model.weights[0] > 1.0);
    }
}
