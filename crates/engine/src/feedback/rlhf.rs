//! The RLHF experiment: raters compare responses, a Bradley-Terry reward
//! model learns from them, and a policy is optimized against the reward
//! model by best-of-n and by KL-regularized tilting. For every strength it
//! measures the proxy (reward model) score, the gold score and the KL
//! divergence from the base policy, and fits Gao et al.'s forms.
//!
//! Scores are reported relative to the base policy: the proxy in standard
//! deviations of the reward model's score over base responses, the gold score
//! in its own units (1 = one standard deviation of true helpfulness).

use super::bradley_terry::{self, Comparisons, RewardModel};
use super::fit::{self, Fit, Form};
use super::optimize::{self, Weights};
use super::raters::Rater;
use super::responses::{self, Response, OBSERVED};
use super::trajectories::{self, GridConfig, GridReport};
use super::{check_range, stream};
use crate::agents::{Hook, RunError};
use crate::rng::Rng;

/// Settings of one experiment.
#[derive(Clone, Debug, PartialEq)]
pub struct RlhfConfig {
    /// Pairwise comparisons the reward model is trained on.
    pub comparisons: u32,
    /// How strongly raters are drawn to long, confident, flattering answers.
    pub rater_bias: f64,
    /// Largest n of best-of-n; the KL-regularized sweep covers the same range of KL.
    pub max_n: u32,
    pub seed: u64,
    /// Also run the gridworld version (raters comparing tomato-watering episodes).
    pub gridworld: bool,
}

pub const DEFAULT_COMPARISONS: u32 = 1_000;
pub const DEFAULT_RATER_BIAS: f64 = 1.0;
pub const DEFAULT_MAX_N: u32 = 1_024;
pub const MIN_COMPARISONS: u32 = 10;
pub const MAX_COMPARISONS: u32 = 100_000;
pub const MAX_RATER_BIAS: f64 = 5.0;
pub const MIN_MAX_N: u32 = 2;
pub const MAX_MAX_N: u32 = 4_096;

/// Base responses every optimizer reweights.
pub const BASE_SAMPLE: usize = 1 << 16;
/// Held-out comparisons on which the reward model's agreement is measured.
pub const HELD_OUT: usize = 4_000;
/// L2 penalty of the reward model's fit.
pub const L2: f64 = 1.0;
/// Points of the KL-regularized sweep, evenly spaced in d before the cutoff.
pub const KL_POINTS: usize = 40;
/// The KL-regularized sweep stops where the importance weights are worth
/// fewer than this many responses: beyond, the estimate is noise.
pub const MIN_ESS: f64 = (BASE_SAMPLE / 64) as f64;

/// One line saying what this is, for every page and printout that shows it.
pub const SUMMARY: &str = "A simulation, not a language model: responses are lists of numbers, \
raters and the reward model are formulas, and every figure is computed from them.";

/// The assumptions the results rest on, in plain words.
pub const ASSUMPTIONS: &[&str] = &[
    "A response is 30 numbers: how helpful and how correct it really is (hidden), how helpful \
     it looks, its length, confidence and flattery, and 24 habits of style. The base policy \
     draws them from one fixed normal distribution.",
    "The gold score, what the asker really wants: helpfulness plus correctness, minus a cost \
     that grows with the square of how far length, confidence, flattery and each habit of \
     style stray from typical.",
    "Raters see only the visible features, cannot check correctness, and are drawn to long, \
     confident, flattering answers in proportion to the rater bias. Their choices are very \
     noisy: two raters given the same pair agree on only about 55% of pairs, so one simulated \
     comparison carries less than a real one.",
    "The reward model is linear in the visible features, fitted to the comparisons by \
     Bradley-Terry with an L2 penalty.",
    "Best-of-n and the KL-regularized policy are exact reweightings of one sample of 65,536 \
     base responses. The KL of best-of-n is the closed form ln n - (n-1)/n, an upper bound; \
     the KL-regularized sweep stops once its importance weights are worth fewer than 1,024 \
     responses.",
    "Scores are relative to the base policy, and d = sqrt(KL).",
    "Gridworld: raters compare two tomato-watering episodes by how many tomatoes looked \
     watered to the camera; the learned reward is handed to the level's own optimizer.",
];

impl Default for RlhfConfig {
    fn default() -> Self {
        RlhfConfig {
            comparisons: DEFAULT_COMPARISONS,
            rater_bias: DEFAULT_RATER_BIAS,
            max_n: DEFAULT_MAX_N,
            seed: 0,
            gridworld: true,
        }
    }
}

impl RlhfConfig {
    /// Checks every setting against its range.
    pub fn validate(&self) -> Result<(), String> {
        check_range(
            "comparisons",
            self.comparisons,
            MIN_COMPARISONS,
            MAX_COMPARISONS,
        )?;
        if !self.rater_bias.is_finite() {
            return Err("rater bias must be a finite number".into());
        }
        check_range("rater bias", self.rater_bias, 0.0, MAX_RATER_BIAS)?;
        check_range("max n", self.max_n, MIN_MAX_N, MAX_MAX_N)?;
        Ok(())
    }
}

/// One strength of best-of-n.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BonPoint {
    pub n: u32,
    /// The closed form `ln n - (n-1)/n` (an upper bound), as in Gao et al.
    pub kl: f64,
    /// The KL of the reweighted sample, estimated from its weights.
    pub kl_empirical: f64,
    /// `sqrt(kl)`.
    pub d: f64,
    pub proxy: f64,
    pub gold: f64,
}

/// One strength of KL-regularized optimization.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct KlPoint {
    /// The KL penalty's coefficient (in units of the proxy score); smaller is stronger.
    pub beta: f64,
    /// KL of the tilted policy from the base policy, from the importance weights.
    pub kl: f64,
    pub d: f64,
    pub proxy: f64,
    pub gold: f64,
    /// Effective sample size of the importance weights.
    pub ess: f64,
}

/// A sweep of optimization strengths with its fit.
#[derive(Clone, Debug, PartialEq)]
pub struct Curve<P> {
    pub points: Vec<P>,
    pub fit: Fit,
    /// Index of the point with the highest gold score.
    pub peak: usize,
    /// Where the fitted form peaks, in d (None if it does not turn down).
    pub fitted_peak_d: Option<f64>,
}

/// What the reward model learned and how well it agrees with people and with gold.
#[derive(Clone, Debug, PartialEq)]
pub struct RewardModelSummary {
    pub features: Vec<&'static str>,
    pub weights: Vec<f64>,
    /// Share of held-out comparisons where the model picks what the rater picked.
    pub rater_agreement: f64,
    /// Share of held-out pairs the model orders as the gold score does.
    pub gold_agreement: f64,
    /// Share of held-out pairs on which two raters, judging independently, agree.
    pub inter_rater_agreement: f64,
}

#[derive(Clone, Debug, PartialEq)]
pub struct RlhfReport {
    pub config: RlhfConfig,
    pub reward_model: RewardModelSummary,
    pub best_of_n: Curve<BonPoint>,
    pub kl_regularized: Curve<KlPoint>,
    pub gridworld: Option<GridReport>,
}

/// Runs the experiment. `hook` sees the gridworld agent's work and may stop it.
pub fn rlhf(cfg: &RlhfConfig, hook: &mut Hook<'_>) -> Result<RlhfReport, RunError> {
    cfg.validate()?;
    let rater = Rater {
        bias: cfg.rater_bias,
    };

    // 1. People compare pairs of base responses.
    let mut rng = Rng::stream(cfg.seed, stream::COMPARISONS);
    let mut data = Comparisons::new(OBSERVED.len());
    for _ in 0..cfg.comparisons {
        let a = Response::sample(&mut rng);
        let b = Response::sample(&mut rng);
        let won = rater.prefers(&a, &b, &mut rng);
        data.push(&a.observed(), &b.observed(), if won { 1.0 } else { 0.0 });
    }

    // 2. The reward model.
    let model = bradley_terry::fit(&data, L2);
    let reward_model = summarize(&model, &rater, cfg.seed);

    // 3. Optimize against it over one fixed base sample.
    let mut rng = Rng::stream(cfg.seed, stream::BASE_SAMPLE);
    let base = responses::sample(BASE_SAMPLE, &mut rng);
    let raw: Vec<f64> = base.iter().map(|r| model.score(&r.observed())).collect();
    let proxy = standardize(&raw);
    let gold_raw: Vec<f64> = base.iter().map(Response::gold).collect();
    let gold_base = gold_raw.iter().sum::<f64>() / gold_raw.len() as f64;
    let gold: Vec<f64> = gold_raw.iter().map(|g| g - gold_base).collect();

    let best_of_n = best_of_n_sweep(&proxy, &gold, cfg.max_n);
    let d_max = optimize::best_of_n_kl_bound(cfg.max_n).sqrt();
    let kl_regularized = kl_sweep(&proxy, &gold, d_max);

    let gridworld = if cfg.gridworld {
        let grid = GridConfig {
            comparisons: cfg.comparisons.min(trajectories::MAX_COMPARISONS),
            seed: cfg.seed,
            ..GridConfig::default()
        };
        Some(trajectories::run(&grid, hook)?)
    } else {
        None
    };

    Ok(RlhfReport {
        config: cfg.clone(),
        reward_model,
        best_of_n,
        kl_regularized,
        gridworld,
    })
}

/// Best-of-n for every n of [`optimize::n_grid`].
pub fn best_of_n_sweep(proxy: &[f64], gold: &[f64], max_n: u32) -> Curve<BonPoint> {
    let order = optimize::ranking(proxy);
    let points: Vec<BonPoint> = optimize::n_grid(max_n)
        .into_iter()
        .map(|n| {
            let w = optimize::best_of_n(&order, n);
            let kl = optimize::best_of_n_kl_bound(n);
            BonPoint {
                n,
                kl,
                kl_empirical: w.kl(),
                d: kl.max(0.0).sqrt(),
                proxy: w.mean(proxy),
                gold: w.mean(gold),
            }
        })
        .collect();
    curve(points, Form::BestOfN, |p| (p.d, p.gold))
}

/// KL-regularized policies at strengths chosen so that, were the proxy
/// normal, d would step evenly up to `d_max`; the sweep stops when the
/// importance weights become too few to trust ([`MIN_ESS`]).
pub fn kl_sweep(proxy: &[f64], gold: &[f64], d_max: f64) -> Curve<KlPoint> {
    let mut points = Vec::with_capacity(KL_POINTS);
    for j in 1..=KL_POINTS {
        // For a standard normal proxy, tilting by exp(x/beta) gives KL = 1/(2 beta^2).
        let d_target = d_max * j as f64 / KL_POINTS as f64;
        let beta = 1.0 / (std::f64::consts::SQRT_2 * d_target);
        let w: Weights = optimize::tilt(proxy, beta);
        let ess = w.ess();
        if ess < MIN_ESS {
            break;
        }
        let kl = w.kl();
        points.push(KlPoint {
            beta,
            kl,
            d: kl.sqrt(),
            proxy: w.mean(proxy),
            gold: w.mean(gold),
            ess,
        });
    }
    curve(points, Form::Rl, |p| (p.d, p.gold))
}

fn curve<P>(points: Vec<P>, form: Form, dg: impl Fn(&P) -> (f64, f64)) -> Curve<P> {
    let (d, gold): (Vec<f64>, Vec<f64>) = points.iter().map(&dg).unzip();
    let fit = fit::fit(form, &d, &gold);
    let peak = gold
        .iter()
        .enumerate()
        .fold(0, |best, (i, &g)| if g > gold[best] { i } else { best });
    Curve {
        fitted_peak_d: form.peak(&fit),
        points,
        fit,
        peak,
    }
}

/// Mean 0, standard deviation 1 (a constant stays 0).
fn standardize(xs: &[f64]) -> Vec<f64> {
    let n = xs.len().max(1) as f64;
    let mean = xs.iter().sum::<f64>() / n;
    let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n;
    let sd = var.sqrt();
    xs.iter()
        .map(|x| if sd > 0.0 { (x - mean) / sd } else { 0.0 })
        .collect()
}

/// The model's weights and its agreement with raters and with gold on fresh pairs.
fn summarize(model: &RewardModel, rater: &Rater, seed: u64) -> RewardModelSummary {
    let mut rng = Rng::stream(seed, stream::HELD_OUT);
    let (mut with_rater, mut with_gold, mut raters_agree) = (0usize, 0usize, 0usize);
    for _ in 0..HELD_OUT {
        let a = Response::sample(&mut rng);
        let b = Response::sample(&mut rng);
        let model_a = model.score(&a.observed()) > model.score(&b.observed());
        let first = rater.prefers(&a, &b, &mut rng);
        if model_a == first {
            with_rater += 1;
        }
        if first == rater.prefers(&a, &b, &mut rng) {
            raters_agree += 1;
        }
        if model_a == (a.gold() > b.gold()) {
            with_gold += 1;
        }
    }
    RewardModelSummary {
        features: OBSERVED.to_vec(),
        weights: model.weights.clone(),
        rater_agreement: with_rater as f64 / HELD_OUT as f64,
        gold_agreement: with_gold as f64 / HELD_OUT as f64,
        inter_rater_agreement: raters_agree as f64 / HELD_OUT as f64,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_out_of_range_are_refused_with_their_name() {
        for (cfg, word) in [
            (
                RlhfConfig {
                    comparisons: 5,
                    ..RlhfConfig::default()
                },
                "comparisons",
            ),
            (
                RlhfConfig {
                    rater_bias: -0.1,
                    ..RlhfConfig::default()
                },
                "rater bias",
            ),
            (
                RlhfConfig {
                    rater_bias: f64::NAN,
                    ..RlhfConfig::default()
                },
                "rater bias",
            ),
            (
                RlhfConfig {
                    max_n: 5000,
                    ..RlhfConfig::default()
                },
                "max n",
            ),
        ] {
            let e = rlhf(&cfg, &mut |_| true).unwrap_err().to_string();
            assert!(e.contains(word), "{e}");
        }
    }

    #[test]
    fn standardize_gives_mean_zero_and_unit_spread() {
        let z = standardize(&[1.0, 2.0, 3.0, 4.0]);
        assert!(z.iter().sum::<f64>().abs() < 1e-12);
        assert!((z.iter().map(|x| x * x).sum::<f64>() / 4.0 - 1.0).abs() < 1e-12);
        assert_eq!(standardize(&[5.0, 5.0]), vec![0.0, 0.0]);
    }
}
