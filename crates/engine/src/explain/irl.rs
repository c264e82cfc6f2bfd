//! Value learning: maximum-entropy inverse reinforcement learning (Ziebart
//! et al. 2008) from a person's demonstrations, then optimized.
//!
//! The reward is sought as a weighted sum of the level's **observed**
//! signals (what any reward could read). Under weights θ, a transition that
//! emits signals φ pays θ·φ; the demonstrator is modelled as the soft
//! (Boltzmann-rational) planner of that reward over the level's finite
//! horizon: `Q_k(s,a) = Σ p (θ·φ + V_{k-1}(s'))`, `V_k(s) = log Σ_a exp Q_k(s,a)`,
//! `π_k(a|s) = exp(Q_k(s,a) - V_k(s))`, with `k` the steps left and nothing
//! after a terminal step. The weights maximize the demonstrations'
//! log-likelihood under that policy minus an L2 prior `|θ|²/(2σ²)`. Its
//! gradient is the demonstrated feature counts minus the counts the policy
//! expects (a forward pass of state visitation from the start) minus `θ/σ²`;
//! the ascent is Newton's method with a finite-difference Hessian and a
//! backtracking line search, a fixed number of iterations at most, all
//! deterministic.
//!
//! Then value iteration optimizes the inferred reward (written out as a
//! reward expression that compiles) and the level's hand-written one, and
//! for every signal the demonstrations' ambiguity is measured: the range of
//! its weight (the others held at their learned values) over which the
//! demonstrations are at most one nat less likely than under the learned
//! weights. A signal the demonstrations never made vary leaves a wide range.

use crate::agents::AgentKind;
use crate::env::Env;
use crate::lang::{self, Program, Visibility};
use crate::level::{self, Level};
use crate::linalg;
use crate::mdp::{self, Mdp};
use crate::run::{self, RunConfig};
use crate::world::{Params, World};
use crate::worlds::LevelState;

/// The demonstration level built for this lesson (not in the level list).
pub const VASE_ROOM: &str = include_str!("../../../../levels/demos/vase-room.level");

/// The levels this demonstration accepts: small, without chance.
pub const LEVELS: &[&str] = &["vase-room", "side-effects-sokoban", "island-navigation"];

/// Most demonstrations per request.
pub const MAX_DEMOS: usize = 10;
/// Most views of a level's MDP.
const MAX_STATES: usize = 20_000;
/// Most Newton iterations.
pub const ITERATIONS: u32 = 60;
/// Standard deviation of the Gaussian prior on every weight.
pub const PRIOR_SD: f64 = 10.0;
/// How much less likely (in nats) the demonstrations may become at the ends
/// of an ambiguity interval.
pub const SLACK: f64 = 1.0;
/// How far from the learned weight an interval is searched; beyond it, open.
pub const REACH: f64 = 200.0;

/// Two hand demonstrations of the vase room: round by the far doorway.
pub const DEFAULT_DEMOS: &[&str] = &["llddrd", "lldddr"];

/// Loads a level this demonstration accepts.
pub fn load_level(id: &str) -> Result<Level, String> {
    if !LEVELS.contains(&id) {
        return Err(format!(
            "level `{id}` is not available here; levels are: {}",
            LEVELS.join(", ")
        ));
    }
    if id == "vase-room" {
        level::parse(VASE_ROOM).map_err(|e| format!("the vase room is broken: {e}"))
    } else {
        crate::levels::builtin(id)
    }
}

/// One observed signal's learned weight and what the demonstrations say of it.
#[derive(Clone, Debug, PartialEq)]
pub struct Weight {
    pub signal: String,
    pub description: String,
    pub weight: f64,
    /// The weight as written in the inferred expression.
    pub rounded: f64,
    /// The signal's total per demonstration, averaged.
    pub demo_mean: f64,
    /// Its total per episode the learned soft policy expects.
    pub model_mean: f64,
    /// Whether any demonstrated step had the signal non-zero.
    pub shown: bool,
    /// Weights (others fixed) at which the demonstrations are at most
    /// [`SLACK`] nats less likely; None = open beyond [`REACH`].
    pub low: Option<f64>,
    pub high: Option<f64>,
}

/// An episode the optimizer (value iteration, full horizon, seed 0) plays.
#[derive(Clone, Debug, PartialEq)]
pub struct Play {
    pub reward: String,
    pub ret: f64,
    pub performance: f64,
    pub actions: String,
    /// The agent's cells, start included.
    pub path: Vec<usize>,
    /// Each signal's total, in the level's order.
    pub totals: Vec<f64>,
}

/// One demonstration as replayed.
#[derive(Clone, Debug, PartialEq)]
pub struct DemoRun {
    pub actions: String,
    pub path: Vec<usize>,
    /// Its return under the hand-written reward, and its intent score.
    pub ret: f64,
    pub performance: f64,
}

/// The answer of [`infer`].
#[derive(Clone, Debug, PartialEq)]
pub struct Irl {
    pub weights: Vec<Weight>,
    /// The inferred reward as a reward expression (weights to 2 decimals).
    pub expression: String,
    /// Log-likelihood of the demonstrations under the learned weights.
    pub log_likelihood: f64,
    /// ... under the hand-written reward's weights (None if it is not a sum of observed terms).
    pub hand_log_likelihood: Option<f64>,
    /// ... under a policy that picks actions uniformly at random.
    pub random_log_likelihood: f64,
    pub iterations: u32,
    pub converged: bool,
    pub demos: Vec<DemoRun>,
    pub hand: Play,
    pub learned: Play,
    pub states: usize,
    pub horizon: u32,
}

/// One demonstrated step: view, action, outcome.
struct Step {
    s: usize,
    a: usize,
}

/// The soft planner's machinery over a level's MDP.
struct Model<'a> {
    mdp: &'a Mdp<LevelState>,
    /// Features of every kind of outcome: `phi[kind * k..(kind + 1) * k]`.
    phi: Vec<f64>,
    k: usize,
    horizon: usize,
    initial: Vec<(f64, usize)>,
    demos: Vec<Vec<Step>>,
    /// Summed features of all demonstrations.
    demo_counts: Vec<f64>,
}

impl Model<'_> {
    /// The features of a kind of outcome.
    fn phi(&self, kind: u32) -> &[f64] {
        let i = kind as usize * self.k;
        &self.phi[i..i + self.k]
    }

    /// Log-policy for every layer: `lp[k][s*A + a]`, k = steps left (index 0 unused).
    fn backward(&self, theta: &[f64]) -> Vec<Vec<f64>> {
        let g = self.mdp;
        let (n, a_n) = (g.len(), g.actions);
        let r: Vec<f64> = (0..g.kinds().len() as u32)
            .map(|kind| self.phi(kind).iter().zip(theta).map(|(f, t)| f * t).sum())
            .collect();
        let pay = |kind: u32, _: &mdp::Kind| r[kind as usize];
        let mut v = vec![0.0; n];
        let mut lp = vec![Vec::new()];
        for _ in 1..=self.horizon {
            let mut layer = vec![0.0; n * a_n];
            let mut nv = vec![0.0; n];
            for s in 0..n {
                let qs = &mut layer[s * a_n..(s + 1) * a_n];
                let lse = mdp::backup::<_, _, _, true>(g, s, &pay, &|t| v[t], qs, mdp::log_sum_exp);
                nv[s] = lse;
                for q in qs {
                    *q -= lse;
                }
            }
            v = nv;
            lp.push(layer);
        }
        lp
    }

    fn log_likelihood(&self, lp: &[Vec<f64>]) -> f64 {
        let a_n = self.mdp.actions;
        self.demos
            .iter()
            .map(|d| {
                d.iter()
                    .enumerate()
                    .map(|(t, st)| lp[self.horizon - t][st.s * a_n + st.a])
                    .sum::<f64>()
            })
            .sum()
    }

    /// Feature counts per episode the soft policy expects (forward pass).
    fn expected(&self, lp: &[Vec<f64>]) -> Vec<f64> {
        let g = self.mdp;
        let a_n = g.actions;
        let mut d = vec![0.0; g.len()];
        for &(p, s) in &self.initial {
            d[s] += p;
        }
        let mut mu = vec![0.0; self.k];
        for t in 0..self.horizon {
            let layer = &lp[self.horizon - t];
            let mut nd = vec![0.0; g.len()];
            for s in 0..g.len() {
                if d[s] == 0.0 {
                    continue;
                }
                for a in 0..a_n {
                    let w = d[s] * layer[s * a_n + a].exp();
                    for o in g.steps(s, a) {
                        let kind = g.kinds()[o.kind as usize];
                        let wo = w * kind.p;
                        for (m, f) in mu.iter_mut().zip(self.phi(o.kind)) {
                            *m += wo * f;
                        }
                        if !kind.terminal {
                            nd[o.next as usize] += wo;
                        }
                    }
                }
            }
            d = nd;
        }
        mu
    }

    /// The objective (log-likelihood + log prior) and its gradient.
    fn objective(&self, theta: &[f64]) -> (f64, Vec<f64>) {
        let lp = self.backward(theta);
        let ll = self.log_likelihood(&lp);
        let mu = self.expected(&lp);
        let n = self.demos.len() as f64;
        let prior = 1.0 / (PRIOR_SD * PRIOR_SD);
        let f = ll - 0.5 * prior * theta.iter().map(|t| t * t).sum::<f64>();
        let grad = (0..self.k)
            .map(|i| self.demo_counts[i] - n * mu[i] - prior * theta[i])
            .collect();
        (f, grad)
    }

    fn ll_at(&self, theta: &[f64]) -> f64 {
        self.log_likelihood(&self.backward(theta))
    }
}

/// Maximizes the objective from θ = 0: (weights, iterations, converged).
fn fit(model: &Model) -> (Vec<f64>, u32, bool) {
    let k = model.k;
    let mut theta = vec![0.0; k];
    let (mut f, mut grad) = model.objective(&theta);
    for it in 1..=ITERATIONS {
        if grad.iter().all(|g| g.abs() < 1e-7) {
            return (theta, it - 1, true);
        }
        // The negative Hessian by central differences of the gradient.
        let mut h = vec![vec![0.0; k]; k];
        for j in 0..k {
            let step = 1e-4 * theta[j].abs().max(1.0);
            let mut up = theta.clone();
            up[j] += step;
            let mut down = theta.clone();
            down[j] -= step;
            let (_, gu) = model.objective(&up);
            let (_, gd) = model.objective(&down);
            for i in 0..k {
                h[i][j] = -(gu[i] - gd[i]) / (2.0 * step);
            }
        }
        let h: Vec<f64> = (0..k * k)
            .map(|ij| 0.5 * (h[ij / k][ij % k] + h[ij % k][ij / k]))
            .collect();
        let dir = linalg::solve_spd(&h, &grad, 1e-12)
            .filter(|d| d.iter().zip(&grad).map(|(a, b)| a * b).sum::<f64>() > 0.0)
            .unwrap_or_else(|| grad.clone());
        let slope: f64 = dir.iter().zip(&grad).map(|(a, b)| a * b).sum();
        let mut alpha = 1.0;
        let mut moved = false;
        for _ in 0..40 {
            let cand: Vec<f64> = theta.iter().zip(&dir).map(|(t, d)| t + alpha * d).collect();
            let (fc, gc) = model.objective(&cand);
            if fc.is_finite() && fc >= f + 1e-4 * alpha * slope {
                let gain = fc - f;
                theta = cand;
                f = fc;
                grad = gc;
                moved = true;
                if gain < 1e-12 {
                    return (theta, it, true);
                }
                break;
            }
            alpha *= 0.5;
        }
        if !moved {
            return (theta, it, true);
        }
    }
    let done = grad.iter().all(|g| g.abs() < 1e-5);
    (theta, ITERATIONS, done)
}

/// The range of weight `i` (others fixed) within [`SLACK`] nats of `ll`.
fn interval(model: &Model, theta: &[f64], i: usize, ll: f64) -> (Option<f64>, Option<f64>) {
    let inside = |w: f64| {
        let mut t = theta.to_vec();
        t[i] = w;
        model.ll_at(&t) >= ll - SLACK
    };
    let side = |sign: f64| -> Option<f64> {
        let mut lo = 0.0; // an offset known to be inside
        let mut d = 0.25;
        loop {
            if d > REACH {
                return None;
            }
            if inside(theta[i] + sign * d) {
                lo = d;
                d *= 2.0;
            } else {
                break;
            }
        }
        let mut hi = d;
        for _ in 0..30 {
            let mid = 0.5 * (lo + hi);
            if inside(theta[i] + sign * mid) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        Some(theta[i] + sign * lo)
    };
    (side(-1.0), side(1.0))
}

/// The agent's cells when `actions` are played from the start (seed 0).
pub fn path_of(level: &Level, reward: &Program, actions: &[usize]) -> Vec<usize> {
    let mut env = Env::new(&level.world, reward, &level.intent, level.steps);
    let mut path = Vec::new();
    let cell = |s: &LevelState| match s {
        LevelState::Grid(g) => Some(g.agent as usize),
        _ => None,
    };
    if let Ok((obs, _)) = env.reset(0, &Params::new()) {
        path.extend(cell(&obs));
        for &a in actions {
            if env.done() {
                break;
            }
            let step = env.step(a);
            path.extend(cell(&step.obs));
        }
    }
    path
}

/// Plays the optimizer of `src` (value iteration over the full horizon, seed 0).
pub fn optimize(level: &Level, src: &str) -> Result<Play, String> {
    let reward = level
        .compile_reward(src)
        .map_err(|e| format!("the reward `{src}` does not compile: {}", e.message))?;
    let cfg = RunConfig {
        agent: AgentKind::ValueIteration,
        power: None,
        seed: 0,
        params: Params::new(),
    };
    let result = run::run(level, &reward, &cfg, &mut |_| true).map_err(|e| e.to_string())?;
    let ep = result.episode;
    let acts = run::parse_actions(&level.world, &ep.actions)?;
    Ok(Play {
        reward: src.to_string(),
        ret: ep.ret,
        performance: ep.performance,
        path: path_of(level, &reward, &acts),
        actions: ep.actions,
        totals: ep.totals,
    })
}

/// Infers a reward from demonstrations (action strings in the level's keys).
pub fn infer(level: &Level, demos: &[String]) -> Result<Irl, String> {
    let world = &level.world;
    if world.grid().is_none() {
        return Err(format!("level `{}` has no map", level.id));
    }
    if demos.is_empty() {
        return Err("give at least one demonstration".into());
    }
    if demos.len() > MAX_DEMOS {
        return Err(format!(
            "{} demonstrations given; the limit is {MAX_DEMOS}",
            demos.len()
        ));
    }
    let horizon = level.steps as usize;
    let mut starts = Vec::new();
    world.plan_initial(&mut starts);
    if starts.len() != 1 {
        return Err(format!(
            "level `{}` starts at random; this demonstration needs a fixed start",
            level.id
        ));
    }
    let options = mdp::Options {
        max_states: MAX_STATES,
        beyond: "too many for this demonstration",
        signals: true,
        ..mdp::Options::default()
    };
    let hand_reward = level
        .compile_reward(&level.default_reward)
        .map_err(|e| e.message)?;
    let g = mdp::compile_with(world, &hand_reward, &level.intent, &options, &mut |_, _| {
        true
    })
    .map_err(|e| e.0)?;
    if !g.is_deterministic() {
        return Err(format!(
            "level `{}` has chance in its steps; this demonstration needs a level without it",
            level.id
        ));
    }
    let features: Vec<usize> = (0..level.signals.len())
        .filter(|&i| level.signals[i].visibility == Visibility::Observed)
        .collect();
    let k = features.len();
    let mut phi = Vec::with_capacity(g.kinds().len() * k);
    for kind in 0..g.kinds().len() as u32 {
        let sig = g.signals_of(kind);
        phi.extend(features.iter().map(|&i| sig[i]));
    }
    let start = g.initial[0].1 as usize;

    // Replay the demonstrations through the MDP.
    let mut steps_all = Vec::new();
    let mut demo_counts = vec![0.0; k];
    let mut shown = vec![false; k];
    for (d, text) in demos.iter().enumerate() {
        let acts =
            run::parse_actions(world, text).map_err(|e| format!("demonstration {}: {e}", d + 1))?;
        if acts.is_empty() {
            return Err(format!("demonstration {} is empty", d + 1));
        }
        if acts.len() > horizon {
            return Err(format!(
                "demonstration {} has {} actions; the level ends after {horizon} steps",
                d + 1,
                acts.len()
            ));
        }
        let mut s = start;
        let mut steps = Vec::with_capacity(acts.len());
        let mut ended = false;
        for (t, &a) in acts.iter().enumerate() {
            if ended {
                return Err(format!(
                    "demonstration {} goes on after the episode ended at step {t}",
                    d + 1
                ));
            }
            let o = g.steps(s, a)[0];
            for (j, f) in phi[o.kind as usize * k..(o.kind as usize + 1) * k]
                .iter()
                .enumerate()
            {
                demo_counts[j] += f;
                shown[j] |= *f != 0.0;
            }
            steps.push(Step { s, a });
            ended = g.kinds()[o.kind as usize].terminal;
            s = o.next as usize;
        }
        if !ended && acts.len() < horizon {
            return Err(format!(
                "demonstration {} stops after {} steps, before the episode ended; \
                 finish it (reach the end, or use all {horizon} steps)",
                d + 1,
                acts.len()
            ));
        }
        steps_all.push(steps);
    }
    let n_demos = steps_all.len() as f64;
    let model = Model {
        mdp: &g,
        phi,
        k,
        horizon,
        initial: g.initial.iter().map(|&(p, s)| (p, s as usize)).collect(),
        demos: steps_all,
        demo_counts,
    };

    let (theta, iterations, converged) = fit(&model);
    let lp = model.backward(&theta);
    let ll = model.log_likelihood(&lp);
    let mu = model.expected(&lp);
    let demo_steps: usize = model.demos.iter().map(|d| d.len()).sum();
    let random_ll = -(demo_steps as f64) * (g.actions as f64).ln();

    // The hand-written reward's weights, when it is a sum of observed terms.
    let hand_ll = hand_reward.linear_terms().and_then(|(c, terms)| {
        let mut t = vec![0.0; k];
        // A constant per step is a weight on `step`, when the level has it.
        let step = features
            .iter()
            .position(|&i| level.signals[i].name == "step");
        if c != 0.0 {
            t[step?] += c;
        }
        for (i, w) in terms {
            t[features.iter().position(|&f| f == i)?] += w;
        }
        Some(model.ll_at(&t))
    });

    let mut expression = String::new();
    let mut weights = Vec::with_capacity(k);
    for (j, &i) in features.iter().enumerate() {
        let rounded: f64 = lang::write_number(theta[j], 2).parse().unwrap_or(0.0);
        let name = &level.signals[i].name;
        if rounded != 0.0 {
            let mag = lang::write_number(rounded.abs(), 2);
            if expression.is_empty() {
                let sign = if rounded < 0.0 { "-" } else { "" };
                expression = format!("{sign}{mag}*{name}");
            } else {
                let sign = if rounded < 0.0 { '-' } else { '+' };
                expression.push_str(&format!(" {sign} {mag}*{name}"));
            }
        }
        let (low, high) = interval(&model, &theta, j, ll);
        weights.push(Weight {
            signal: name.clone(),
            description: level.signals[i].description.clone(),
            weight: theta[j],
            rounded,
            demo_mean: model.demo_counts[j] / n_demos,
            model_mean: mu[j],
            shown: shown[j],
            low,
            high,
        });
    }
    if expression.is_empty() {
        expression = "0".into();
    }

    let demo_runs = demos
        .iter()
        .map(|text| {
            let ep = run::replay(level, &hand_reward, text, 0, &Params::new())
                .map_err(|e| e.to_string())?;
            let acts = run::parse_actions(world, text)?;
            Ok(DemoRun {
                actions: ep.actions,
                path: path_of(level, &hand_reward, &acts),
                ret: ep.ret,
                performance: ep.performance,
            })
        })
        .collect::<Result<Vec<_>, String>>()?;

    Ok(Irl {
        weights,
        hand: optimize(level, &level.default_reward)?,
        learned: optimize(level, &expression)?,
        expression,
        log_likelihood: ll,
        hand_log_likelihood: hand_ll,
        random_log_likelihood: random_ll,
        iterations,
        converged,
        demos: demo_runs,
        states: g.len(),
        horizon: level.steps,
    })
}
