//! Train an agent on a level and play the episode it chooses; replay action strings.

use crate::agents::mcts::Mcts;
use crate::agents::q_learning::{QLearning, QStats};
use crate::agents::value_iteration::{ValueIteration, ViStats};
use crate::agents::{AgentKind, Progress, MAX_POWER};
use crate::env::Env;
use crate::lang::Program;
use crate::level::Level;
use crate::world::{Params, World};

/// Longest action string accepted by [`parse_actions`].
pub const MAX_ACTIONS_LEN: usize = 100_000;

/// How to run an agent.
#[derive(Clone, Debug, PartialEq)]
pub struct RunConfig {
    pub agent: AgentKind,
    /// None means the agent's documented default.
    pub power: Option<u32>,
    pub seed: u64,
    /// Fixes per-episode draws of the evaluated episode. Training and
    /// planning never see them: they only know the draws' probabilities.
    pub params: Params,
}

/// One step of an episode as shown to people.
#[derive(Clone, Debug, PartialEq)]
pub struct Frame {
    /// The action taken to reach this frame (None for the start).
    pub action: Option<char>,
    /// The map after the step.
    pub rows: Vec<String>,
    /// Every signal of the step.
    pub signals: Vec<f64>,
    pub reward: f64,
    pub intent: f64,
}

/// An episode played out.
#[derive(Clone, Debug, PartialEq)]
pub struct Episode {
    pub ret: f64,
    pub performance: f64,
    pub steps: u32,
    pub terminated: bool,
    pub truncated: bool,
    pub actions: String,
    pub frames: Vec<Frame>,
    /// Sum of each signal over the episode, in the level's order.
    pub totals: Vec<f64>,
}

/// What training produced, per agent.
#[derive(Clone, Debug, PartialEq)]
pub enum TrainStats {
    ValueIteration(ViStats),
    QLearning(QStats),
    Mcts {
        simulations: u64,
        steps_simulated: u64,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub struct RunResult {
    pub agent: AgentKind,
    pub power: u32,
    pub seed: u64,
    pub episode: Episode,
    pub stats: TrainStats,
}

/// Reads an action string (`u d l r n`, or the world's own keys; spaces ignored).
pub fn parse_actions<W: World>(world: &W, text: &str) -> Result<Vec<usize>, String> {
    if text.len() > MAX_ACTIONS_LEN {
        return Err(format!(
            "the action string is {} bytes; the limit is {MAX_ACTIONS_LEN}",
            text.len()
        ));
    }
    let specs = world.actions();
    let mut out = Vec::with_capacity(text.len());
    for (i, ch) in text.chars().enumerate() {
        if ch.is_whitespace() {
            continue;
        }
        match specs.iter().position(|s| s.key == ch) {
            Some(a) => out.push(a),
            None => {
                let keys: Vec<String> = specs
                    .iter()
                    .map(|s| format!("{} ({})", s.key, s.name))
                    .collect();
                return Err(format!(
                    "unknown action `{ch}` at position {}; this level's actions are: {}",
                    i + 1,
                    keys.join(", ")
                ));
            }
        }
    }
    Ok(out)
}

/// Plays one episode with `seed`'s chance, asking `policy` for each action.
#[allow(clippy::too_many_arguments)]
pub fn play<W: World>(
    world: &W,
    reward: &Program,
    intent: &Program,
    limit: u32,
    seed: u64,
    params: &Params,
    record_frames: bool,
    mut policy: impl FnMut(&W::State, u32) -> Option<usize>,
) -> Result<Episode, String> {
    let mut env = Env::new(world, reward, intent, limit);
    let (mut obs, _) = env.reset(seed, params)?;
    let n = world.signal_names().len();
    let mut totals = vec![0.0; n];
    let mut frames = Vec::new();
    if record_frames {
        frames.push(Frame {
            action: None,
            rows: world.render(env.state()),
            signals: vec![0.0; n],
            reward: 0.0,
            intent: 0.0,
        });
    }
    let mut actions = String::new();
    let (mut terminated, mut truncated) = (false, false);
    while !env.done() {
        let Some(a) = policy(&obs, env.t()) else {
            break;
        };
        let step = env.step(a);
        obs = step.obs;
        terminated = step.terminated;
        truncated = step.truncated;
        for (t, s) in totals.iter_mut().zip(step.info.signals) {
            *t += s;
        }
        let (reward, intent) = (step.reward, step.info.intent);
        actions.push(world.actions()[a].key);
        if record_frames {
            frames.push(Frame {
                action: Some(world.actions()[a].key),
                rows: world.render(env.state()),
                signals: env.signals().to_vec(),
                reward,
                intent,
            });
        }
    }
    Ok(Episode {
        ret: env.ret(),
        performance: env.performance(),
        steps: env.t(),
        terminated,
        truncated,
        actions,
        frames,
        totals,
    })
}

/// Replays an action string on a level; stops early if the episode ends.
pub fn replay(
    level: &Level,
    reward: &Program,
    actions: &str,
    seed: u64,
    params: &Params,
) -> Result<Episode, String> {
    let acts = parse_actions(&level.world, actions)?;
    let mut it = acts.into_iter();
    play(
        &level.world,
        reward,
        &level.intent,
        level.steps,
        seed,
        params,
        true,
        |_, _| it.next(),
    )
}

/// Trains the configured agent on `level` with `reward`, then plays one
/// greedy episode on `cfg.seed`. `progress` may return false to stop early.
pub fn run(
    level: &Level,
    reward: &Program,
    cfg: &RunConfig,
    progress: &mut dyn FnMut(&Progress) -> bool,
) -> Result<RunResult, String> {
    run_world(
        &level.world,
        reward,
        &level.intent,
        level.steps,
        cfg,
        progress,
    )
}

/// [`run`] for any world.
pub fn run_world<W: World>(
    world: &W,
    reward: &Program,
    intent: &Program,
    limit: u32,
    cfg: &RunConfig,
    progress: &mut dyn FnMut(&Progress) -> bool,
) -> Result<RunResult, String> {
    crate::env::check_params(world, &cfg.params)?;
    let power = cfg.power.unwrap_or_else(|| cfg.agent.default_power(limit));
    if power == 0 || power > MAX_POWER {
        return Err(format!(
            "power ({}) must be from 1 to {MAX_POWER}, found {power}",
            cfg.agent.power_meaning()
        ));
    }
    let seed = cfg.seed;
    let (episode, stats) = match cfg.agent {
        AgentKind::ValueIteration => {
            let vi = ValueIteration::solve(world, reward, intent, limit, power, seed, progress)
                .map_err(|e| e.0)?;
            let ep = play(
                world,
                reward,
                intent,
                limit,
                seed,
                &cfg.params,
                true,
                |v, t| Some(vi.act(v, t)),
            )?;
            (ep, TrainStats::ValueIteration(vi.stats))
        }
        AgentKind::QLearning => {
            let q = QLearning::train(world, reward, intent, limit, power, seed, progress)?;
            let ep = play(
                world,
                reward,
                intent,
                limit,
                seed,
                &cfg.params,
                true,
                |v, _| Some(q.act(world, v)),
            )?;
            (ep, TrainStats::QLearning(q.stats))
        }
        AgentKind::Mcts => {
            let mut m = Mcts::new(world, reward, limit, power, seed);
            let mut stopped = false;
            let ep = play(
                world,
                reward,
                intent,
                limit,
                seed,
                &cfg.params,
                true,
                |v, t| {
                    if stopped
                        || !progress(&Progress {
                            done: t as u64,
                            total: limit as u64,
                            point: None,
                        })
                    {
                        stopped = true;
                        return None;
                    }
                    Some(m.act(v, t))
                },
            )?;
            if stopped {
                return Err("stopped".into());
            }
            (
                ep,
                TrainStats::Mcts {
                    simulations: m.simulations_run,
                    steps_simulated: m.steps_simulated,
                },
            )
        }
    };
    Ok(RunResult {
        agent: cfg.agent,
        power,
        seed,
        episode,
        stats,
    })
}
