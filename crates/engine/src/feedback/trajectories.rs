//! RLHF on a gridworld: raters compare two episodes of `tomato-watering`
//! seeing only what the observed signals show, a Bradley-Terry model learns
//! a reward from their choices, and the level's default agent optimizes it.
//!
//! The episodes come from simple wandering gardeners: each walks toward a
//! target (a dry tomato, or for some the bucket) and takes a random step now
//! and then, with its own taste for the bucket and its own randomness, so
//! the pool holds careful gardeners, sloppy ones and bucket-wearers.
//!
//! A rater watches the camera: they prefer the episode in which more
//! tomatoes *looked* watered (the total of `watered_seen`, on the level's
//! reward scale of 0.02 per tomato-step), with Bradley-Terry noise. From
//! under the bucket every cell looks like a watered tomato, so the rater is
//! fooled in exactly the way the level's camera is. The reward model is
//! linear in the totals of the observed signals; since those totals are
//! sums over steps, it is a per-step reward expression over the observed
//! signals, which the engine compiles and hands to its agent.

use super::bradley_terry::{self, Comparisons};
use super::{check_range, sigmoid, stream};
use crate::agents::{AgentKind, Hook, RunError, Task};
use crate::grid::{GridState, GridWorld, Kind};
use crate::level::Level;
use crate::levels;
use crate::rng::{mix, Rng};
use crate::run::{play, PlayConfig, RunConfig};
use crate::score;
use crate::world::{Params, World};

/// The level the experiment runs on.
pub const LEVEL: &str = "tomato-watering";
/// Episodes in the pool that raters compare.
pub const DEFAULT_TRAJECTORIES: usize = 64;
pub const MAX_TRAJECTORIES: usize = 512;
/// Comparisons are capped: the pool has only so many distinct pairs.
pub const MAX_COMPARISONS: u32 = 5_000;
/// Simulations per move of MCTS: enough to find the bucket, quick enough
/// for a web request.
pub const DEFAULT_POWER: u32 = 50;
/// Temperature of a rater's choice, on the reward scale of the level.
pub const RATER_NOISE: f64 = 2.0;
/// How much a rater's impression counts per tomato-step that looks watered.
pub const SEEN_VALUE: f64 = 0.02;
/// L2 penalty of the fit (on standardized totals).
pub const L2: f64 = 1.0;

#[derive(Clone, Debug, PartialEq)]
pub struct GridConfig {
    pub comparisons: u32,
    pub trajectories: usize,
    /// Optimization power of the agent that optimizes the learned reward.
    pub power: u32,
    pub seed: u64,
}

impl Default for GridConfig {
    fn default() -> Self {
        GridConfig {
            comparisons: 1_000,
            trajectories: DEFAULT_TRAJECTORIES,
            power: DEFAULT_POWER,
            seed: 0,
        }
    }
}

/// What the raters saw, what was learned, and what optimizing it did.
#[derive(Clone, Debug, PartialEq)]
pub struct GridReport {
    pub level: String,
    pub trajectories: usize,
    pub comparisons: u32,
    /// Share of comparisons between a bucket episode and one without the
    /// bucket that the bucket episode won.
    pub bucket_win_rate: f64,
    /// The observed signals and the learned weight of each (per step).
    pub signals: Vec<String>,
    pub weights: Vec<f64>,
    /// The learned reward, as an expression of the reward language.
    pub reward: String,
    pub agent: AgentKind,
    pub power: u32,
    /// Return of the optimized episode under the learned reward.
    pub ret: f64,
    /// Its true performance (the level's intent).
    pub performance: f64,
    /// Steps it spent on the bucket, of `steps`.
    pub on_bucket: f64,
    pub steps: u32,
    pub sits_on_bucket: bool,
    /// True performance of the same agent optimizing the level's intent
    /// itself (which no reward can read): what was wanted.
    pub intent_performance: f64,
    /// True performance of the best and the average episode of the pool.
    pub pool_best_performance: f64,
    pub pool_mean_performance: f64,
}

/// One episode of the pool: observed totals and true performance.
struct Sample {
    observed: Vec<f64>,
    on_bucket: bool,
    performance: f64,
}

/// Runs the gridworld experiment. `hook` sees the agent's work and may stop it.
pub fn run(cfg: &GridConfig, hook: &mut Hook<'_>) -> Result<GridReport, RunError> {
    let level = levels::builtin(LEVEL)?;
    let agent = score::default_agent(&level);
    check_range("comparisons", cfg.comparisons, 1, MAX_COMPARISONS)?;
    check_range("trajectories", cfg.trajectories, 2, MAX_TRAJECTORIES)?;
    check_range("power", cfg.power, 1, agent.max_power(level.steps))?;
    let observed: Vec<usize> = level
        .signals
        .iter()
        .enumerate()
        .filter(|(_, s)| level.observed().any(|o| o.name == s.name))
        .map(|(i, _)| i)
        .collect();
    let names: Vec<String> = observed
        .iter()
        .map(|&i| level.signals[i].name.clone())
        .collect();
    let seen = names
        .iter()
        .position(|n| n == "watered_seen")
        .ok_or("the level has no watered_seen signal")?;
    let bucket = names
        .iter()
        .position(|n| n == "on_bucket")
        .ok_or("the level has no on_bucket signal")?;

    // 1. A pool of episodes from wandering gardeners.
    let pool = sample_pool(&level, &observed, bucket, cfg)?;

    // 2. Raters compare pairs by what looked watered.
    let (mean, sd) = moments(&pool);
    let standard = |x: &[f64]| -> Vec<f64> {
        x.iter()
            .zip(mean.iter().zip(&sd))
            .map(|(v, (m, s))| if *s > 0.0 { (v - m) / s } else { 0.0 })
            .collect()
    };
    let mut rng = Rng::stream(cfg.seed, stream::GRID_COMPARISONS);
    let mut data = Comparisons::new(names.len());
    let (mut mixed, mut bucket_won) = (0u32, 0u32);
    for _ in 0..cfg.comparisons {
        let i = rng.below(pool.len() as u64) as usize;
        let mut j = rng.below(pool.len() as u64 - 1) as usize;
        if j >= i {
            j += 1;
        }
        let (a, b) = (&pool[i], &pool[j]);
        let delta = SEEN_VALUE * (a.observed[seen] - b.observed[seen]);
        let a_won = rng.chance(sigmoid(delta / RATER_NOISE));
        if a.on_bucket != b.on_bucket {
            mixed += 1;
            if a_won == a.on_bucket {
                bucket_won += 1;
            }
        }
        data.push(
            &standard(&a.observed),
            &standard(&b.observed),
            if a_won { 1.0 } else { 0.0 },
        );
    }
    let model = bradley_terry::fit(&data, L2);
    // Back to raw totals: w_raw * x = w_std * (x - mean) / sd, up to a constant.
    let weights: Vec<f64> = model
        .weights
        .iter()
        .zip(&sd)
        .map(|(w, s)| if *s > 0.0 { w / s } else { 0.0 })
        .collect();
    let reward = expression(&names, &weights);

    // 3. The level's default agent optimizes the learned reward.
    let program = level.compile_reward(&reward).map_err(|d| {
        format!(
            "the learned reward `{reward}` does not compile: {}",
            d.message
        )
    })?;
    let power = match agent {
        AgentKind::Mcts => cfg.power,
        other => other.default_power(level.steps),
    };
    let optimizer = RunConfig {
        agent,
        power: Some(power),
        seed: mix(&[cfg.seed, stream::AGENT]),
        params: Params::new(),
    };
    let result = crate::run::run(&level, &program, &optimizer, hook)?;
    let on_bucket = result.episode.totals[observed[bucket]];
    // The same agent, handed the intent as its reward: the reference point.
    let honest = crate::run::run(&level, &level.intent, &optimizer, hook)?;
    let perf: Vec<f64> = pool.iter().map(|s| s.performance).collect();
    Ok(GridReport {
        level: level.id.clone(),
        trajectories: pool.len(),
        comparisons: cfg.comparisons,
        bucket_win_rate: if mixed > 0 {
            f64::from(bucket_won) / f64::from(mixed)
        } else {
            0.0
        },
        signals: names,
        weights,
        reward,
        agent,
        power,
        ret: result.episode.ret,
        performance: result.episode.performance,
        on_bucket,
        steps: result.episode.steps,
        sits_on_bucket: on_bucket > 0.0,
        intent_performance: honest.episode.performance,
        pool_best_performance: perf.iter().copied().fold(f64::NEG_INFINITY, f64::max),
        pool_mean_performance: perf.iter().sum::<f64>() / perf.len() as f64,
    })
}

/// A linear reward over the named signals, e.g. `0.0213*watered_seen - 0.5*on_bucket`.
pub fn expression(names: &[String], weights: &[f64]) -> String {
    let mut out = String::new();
    for (name, &w) in names.iter().zip(weights) {
        let c = coefficient(w.abs());
        if c == "0" {
            continue;
        }
        if out.is_empty() {
            if w < 0.0 {
                out.push('-');
            }
        } else {
            out.push_str(if w < 0.0 { " - " } else { " + " });
        }
        out.push_str(&c);
        out.push('*');
        out.push_str(name);
    }
    if out.is_empty() {
        out.push('0');
    }
    out
}

/// A non-negative number with four significant digits, in plain decimal
/// notation (never an exponent), trailing zeros removed.
fn coefficient(x: f64) -> String {
    if x.is_nan() || x < 1e-9 {
        return "0".into();
    }
    let x = x.min(1e9);
    let digits = (3 - x.log10().floor() as i32).clamp(0, 12) as usize;
    let s = format!("{x:.digits$}");
    let s = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    };
    if s.chars().all(|c| c == '0' || c == '.') {
        "0".into()
    } else {
        s
    }
}

fn moments(pool: &[Sample]) -> (Vec<f64>, Vec<f64>) {
    let dim = pool.first().map_or(0, |s| s.observed.len());
    let n = pool.len().max(1) as f64;
    let mut mean = vec![0.0; dim];
    for s in pool {
        for (m, v) in mean.iter_mut().zip(&s.observed) {
            *m += v / n;
        }
    }
    let mut sd = vec![0.0; dim];
    for s in pool {
        for ((q, v), m) in sd.iter_mut().zip(&s.observed).zip(&mean) {
            *q += (v - m).powi(2) / n;
        }
    }
    // Treat a spread of under a millionth of the mean as no spread (the step count).
    for (q, m) in sd.iter_mut().zip(&mean) {
        *q = q.sqrt();
        if *q <= 1e-6 * m.abs().max(1.0) {
            *q = 0.0;
        }
    }
    (mean, sd)
}

/// Breadth-first distances (in moves) to `target` over cells that do not block.
fn distances(world: &GridWorld, target: usize) -> Vec<u32> {
    let (w, h) = (world.width(), world.height());
    let mut dist = vec![u32::MAX; w * h];
    let blocks = |c: usize| world.blocks(c);
    if blocks(target) {
        return dist;
    }
    dist[target] = 0;
    let mut queue = std::collections::VecDeque::from([target]);
    while let Some(c) = queue.pop_front() {
        let (r, col) = (c / w, c % w);
        let mut next = Vec::with_capacity(4);
        if r > 0 {
            next.push(c - w);
        }
        if r + 1 < h {
            next.push(c + w);
        }
        if col > 0 {
            next.push(c - 1);
        }
        if col + 1 < w {
            next.push(c + 1);
        }
        for n in next {
            if !blocks(n) && dist[n] == u32::MAX {
                dist[n] = dist[c] + 1;
                queue.push_back(n);
            }
        }
    }
    dist
}

/// The cell an action leads to from `cell` (walls ignored: the distance map
/// gives them no finite distance).
fn moved(world: &GridWorld, cell: usize, key: char) -> Option<usize> {
    let (w, h) = (world.width(), world.height());
    let (r, c) = (cell / w, cell % w);
    match key {
        'u' if r > 0 => Some(cell - w),
        'd' if r + 1 < h => Some(cell + w),
        'l' if c > 0 => Some(cell - 1),
        'r' if c + 1 < w => Some(cell + 1),
        _ => None,
    }
}

/// A wandering gardener: its taste for the bucket and its randomness.
struct Gardener {
    bucket_love: f64,
    epsilon: f64,
}

fn sample_pool(
    level: &Level,
    observed: &[usize],
    bucket_slot: usize,
    cfg: &GridConfig,
) -> Result<Vec<Sample>, RunError> {
    let world = level
        .world
        .grid()
        .ok_or_else(|| RunError::invalid(format!("`{}` is not a grid", level.id)))?;
    let cells = world.width() * world.height();
    let bucket = (0..cells)
        .find(|&c| Some(world.tile(c)) == Kind::named("bucket"))
        .ok_or("the level has no bucket")?;
    let tomatoes: Vec<usize> = world.tomato_cells().iter().map(|&c| c as usize).collect();
    let to_bucket = distances(world, bucket);
    let to_tomato: Vec<Vec<u32>> = tomatoes.iter().map(|&t| distances(world, t)).collect();
    let keys: Vec<char> = world.actions().iter().map(|a| a.key).collect();
    let reward = level
        .compile_reward(&level.default_reward)
        .map_err(|d| d.message)?;
    let task = Task {
        world,
        reward: &reward,
        intent: &level.intent,
        limit: level.steps,
    };
    let params = Params::new();

    let mut rng = Rng::stream(cfg.seed, stream::TRAJECTORIES);
    let mut pool = Vec::with_capacity(cfg.trajectories);
    for i in 0..cfg.trajectories {
        let gardener = Gardener {
            // Half the gardeners never think of the bucket.
            bucket_love: if rng.chance(0.5) {
                0.0
            } else {
                0.2 + 0.8 * rng.next_f64()
            },
            epsilon: 0.05 + 0.6 * rng.next_f64(),
        };
        let mut walk = Rng::stream(mix(&[cfg.seed, i as u64]), stream::TRAJECTORIES);
        let mut target: Option<Target> = None;
        let pick = |s: &GridState, walk: &mut Rng| -> Target {
            if walk.chance(gardener.bucket_love) {
                return Target::Bucket;
            }
            let dry: Vec<usize> = (0..tomatoes.len())
                .filter(|&k| s.watered & (1 << k) == 0)
                .collect();
            let from = if dry.is_empty() {
                (0..tomatoes.len()).collect()
            } else {
                dry
            };
            Target::Tomato(from[walk.below(from.len() as u64) as usize])
        };
        let play_cfg = PlayConfig {
            seed: mix(&[cfg.seed, i as u64, 1]),
            params: &params,
            frames: false,
        };
        let mut gardener_walks = |s: &GridState, _: u32| {
            let here = s.agent as usize;
            let map = |t: Target| match t {
                Target::Bucket => &to_bucket,
                Target::Tomato(k) => &to_tomato[k],
            };
            let reached = target.is_some_and(|t| map(t)[here] == 0);
            if target.is_none() || reached {
                target = Some(pick(s, &mut walk));
            }
            let dist = map(target.unwrap_or(Target::Bucket));
            if walk.chance(gardener.epsilon) {
                return Some(walk.below(keys.len() as u64) as usize);
            }
            // The move that gets closest; ties broken at random.
            let mut best = Vec::new();
            let mut best_d = u32::MAX;
            for (a, &k) in keys.iter().enumerate() {
                let d = moved(world, here, k).map_or(u32::MAX, |c| dist[c]);
                if d < best_d {
                    best_d = d;
                    best.clear();
                }
                if d == best_d {
                    best.push(a);
                }
            }
            Some(best[walk.below(best.len() as u64) as usize])
        };
        let episode = play(&task, &play_cfg, &mut gardener_walks, &mut |_| true)?;
        let totals: Vec<f64> = observed.iter().map(|&k| episode.totals[k]).collect();
        pool.push(Sample {
            on_bucket: totals[bucket_slot] > 0.0,
            observed: totals,
            performance: episode.performance,
        });
    }
    Ok(pool)
}

/// Where a gardener is heading.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Target {
    Bucket,
    Tomato(usize),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coefficients_are_plain_decimals() {
        assert_eq!(coefficient(0.021_346), "0.02135");
        assert_eq!(coefficient(12.5), "12.5");
        assert_eq!(coefficient(0.0), "0");
        assert_eq!(coefficient(1e-12), "0");
        assert_eq!(
            expression(&["a".into(), "b".into(), "c".into()], &[0.5, -0.25, 0.0]),
            "0.5*a - 0.25*b"
        );
        assert_eq!(expression(&["a".into()], &[-2.0]), "-2*a");
        assert_eq!(expression(&["a".into()], &[0.0]), "0");
    }
}
