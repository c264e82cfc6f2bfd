//! Simulated raters: people who compare two responses and say which is better.
//!
//! A rater cannot check facts and reads quickly. Their judgment of a response
//! is how helpful it looks, plus a pull toward long, confident and flattering
//! answers whose strength is the **rater bias**:
//!
//! ```text
//! impression = looks_helpful + bias * (0.5*length + 0.5*confidence + 0.5*flattery)
//! ```
//!
//! Between two responses they pick the first with probability
//! `sigmoid((impression_a - impression_b) / NOISE)`: the Bradley-Terry model
//! itself, so the reward model's form is right and only its inputs and the
//! data are limited.

use super::responses::Response;
use super::sigmoid;
use crate::rng::Rng;

/// Temperature of a rater's choice: how noisy a single comparison is.
pub const NOISE: f64 = 3.0;
/// Pull of each of length, confidence and flattery per unit of bias.
pub const PULL: f64 = 0.5;

/// A rater with a given bias toward long, confident, flattering answers.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rater {
    pub bias: f64,
}

impl Rater {
    /// How good a response seems to this rater.
    pub fn impression(&self, r: &Response) -> f64 {
        r.looks_helpful + self.bias * PULL * (r.length + r.confidence + r.flattery)
    }

    /// Probability that the rater prefers `a` to `b`.
    pub fn p_prefers(&self, a: &Response, b: &Response) -> f64 {
        sigmoid((self.impression(a) - self.impression(b)) / NOISE)
    }

    /// One comparison: true when the rater prefers `a`.
    pub fn prefers(&self, a: &Response, b: &Response, rng: &mut Rng) -> bool {
        rng.chance(self.p_prefers(a, b))
    }
}
