//! The toy response space of the RLHF simulation, its base policy and its
//! gold score.
//!
//! A response is described by latent features that the base policy (the
//! model before any optimization) draws from a normal distribution with mean
//! 0 and variance 1 (`looks_helpful`: 1 + its error's variance):
//!
//! | feature | meaning | seen by raters and the reward model |
//! |---|---|---|
//! | `helpful` | how much the response really helps | no |
//! | `correct` | whether what it says is true | no |
//! | `looks_helpful` | how helpful it looks: `helpful` plus an impression error | yes |
//! | `length` | how long it is; longer answers tend to say more (corr. 0.5 with `helpful`) | yes |
//! | `confidence` | how sure it sounds; weakly tracks correctness (corr. 0.3 with `correct`) | yes |
//! | `flattery` | how much it praises the reader | yes |
//! | [`QUIRKS`] | 24 habits of style that matter to nobody in moderation (markdown, jargon, …) | yes |
//!
//! The **gold** score is what the asker really wants: help and truth, in a
//! moderate style. Every style feature costs quadratically as it moves away
//! from what the base policy typically writes: a little longer or a little
//! warmer is harmless, an answer three times too long or dripping with
//! praise is worse.

use super::normals;
use crate::rng::Rng;

/// Style habits that neither the raters nor the gold score care about for
/// typical responses, but which the gold score penalizes at extremes.
pub const QUIRKS: [&str; 24] = [
    "markdown",
    "jargon",
    "emoji",
    "hedging",
    "exclamations",
    "anecdotes",
    "quotes",
    "tangents",
    "headings",
    "bold",
    "analogies",
    "questions",
    "apologies",
    "disclaimers",
    "lists",
    "code_blocks",
    "citations",
    "humour",
    "formality",
    "repetition",
    "summaries",
    "metaphors",
    "numbers",
    "capitals",
];

/// Observable features: what a rater (and the reward model) can see.
pub const OBSERVED: [&str; 4 + QUIRKS.len()] = {
    let mut names = [""; 4 + QUIRKS.len()];
    names[0] = "looks_helpful";
    names[1] = "length";
    names[2] = "confidence";
    names[3] = "flattery";
    let mut i = 0;
    while i < QUIRKS.len() {
        names[4 + i] = QUIRKS[i];
        i += 1;
    }
    names
};

/// Number of observable features.
pub const N_OBSERVED: usize = OBSERVED.len();

/// Standard deviation of the impression error in `looks_helpful`.
pub const IMPRESSION_NOISE: f64 = 0.7;
/// Correlation of `length` with `helpful` in the base policy.
pub const LENGTH_HELPFUL_CORR: f64 = 0.5;
/// Correlation of `confidence` with `correct` in the base policy.
pub const CONFIDENCE_CORRECT_CORR: f64 = 0.3;
/// Gold cost per squared unit of length, confidence or flattery.
pub const STYLE_COST: f64 = 0.4;
/// Gold cost per squared unit of each quirk.
pub const QUIRK_COST: f64 = 0.4;

/// One response, as latent features.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Response {
    pub helpful: f64,
    pub correct: f64,
    pub looks_helpful: f64,
    pub length: f64,
    pub confidence: f64,
    pub flattery: f64,
    pub quirks: [f64; QUIRKS.len()],
}

impl Response {
    /// One draw from the base policy.
    pub fn sample(rng: &mut Rng) -> Response {
        let mut z = [0.0; 6 + QUIRKS.len()];
        normals(rng, &mut z);
        let helpful = z[0];
        let correct = z[1];
        let looks_helpful = helpful + IMPRESSION_NOISE * z[2];
        let r = LENGTH_HELPFUL_CORR;
        let length = r * helpful + (1.0 - r * r).sqrt() * z[3];
        let r = CONFIDENCE_CORRECT_CORR;
        let confidence = r * correct + (1.0 - r * r).sqrt() * z[4];
        let flattery = z[5];
        let mut quirks = [0.0; QUIRKS.len()];
        quirks.copy_from_slice(&z[6..]);
        Response {
            helpful,
            correct,
            looks_helpful,
            length,
            confidence,
            flattery,
            quirks,
        }
    }

    /// The observable features, in the order of [`OBSERVED`].
    pub fn observed(&self) -> [f64; N_OBSERVED] {
        let mut x = [0.0; N_OBSERVED];
        x[0] = self.looks_helpful;
        x[1] = self.length;
        x[2] = self.confidence;
        x[3] = self.flattery;
        x[4..].copy_from_slice(&self.quirks);
        x
    }

    /// What the asker really wants: help and truth in a moderate style.
    pub fn gold(&self) -> f64 {
        let style = cost(self.length) + cost(self.confidence) + cost(self.flattery);
        let quirks: f64 = self.quirks.iter().map(|&q| cost(q)).sum();
        self.helpful + self.correct - STYLE_COST * style - QUIRK_COST * quirks
    }
}

/// The gold cost of a style feature `x` standard deviations from typical.
pub fn cost(x: f64) -> f64 {
    x * x
}

/// `count` draws from the base policy.
pub fn sample(count: usize, rng: &mut Rng) -> Vec<Response> {
    (0..count).map(|_| Response::sample(rng)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_base_policy_has_the_documented_correlations() {
        let mut rng = Rng::new(11);
        let xs = sample(50_000, &mut rng);
        let n = xs.len() as f64;
        let corr = |f: &dyn Fn(&Response) -> f64, g: &dyn Fn(&Response) -> f64| {
            let (mf, mg) = (
                xs.iter().map(f).sum::<f64>() / n,
                xs.iter().map(g).sum::<f64>() / n,
            );
            let cov = xs.iter().map(|r| (f(r) - mf) * (g(r) - mg)).sum::<f64>() / n;
            let vf = xs.iter().map(|r| (f(r) - mf).powi(2)).sum::<f64>() / n;
            let vg = xs.iter().map(|r| (g(r) - mg).powi(2)).sum::<f64>() / n;
            cov / (vf * vg).sqrt()
        };
        let c = corr(&|r| r.length, &|r| r.helpful);
        assert!((c - LENGTH_HELPFUL_CORR).abs() < 0.02, "{c}");
        let c = corr(&|r| r.confidence, &|r| r.correct);
        assert!((c - CONFIDENCE_CORRECT_CORR).abs() < 0.02, "{c}");
        let c = corr(&|r| r.flattery, &|r| r.helpful);
        assert!(c.abs() < 0.02, "{c}");
    }
}
