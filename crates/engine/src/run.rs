//! Train an agent on a level and play the episode it chooses; replay action strings.

use crate::agents::{train, AgentKind, Hook, Policy, RunError, Task, TrainStats};
use crate::env::Env;
use crate::lang::Program;
use crate::level::Level;
use crate::world::{Params, World};
use crate::worlds::{LevelState, LevelWorld};

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

#[derive(Clone, Debug, PartialEq)]
pub struct RunResult {
    pub agent: AgentKind,
    pub power: u32,
    pub seed: u64,
    /// The per-episode draws the played episode fixed.
    pub params: Params,
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

/// How to play an episode.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PlayConfig<'a> {
    /// The episode's own chance (per-episode draws, tomatoes drying).
    pub seed: u64,
    /// Fixes per-episode draws.
    pub params: &'a Params,
    /// Keep a [`Frame`] of every step (for people; scoring needs none).
    pub frames: bool,
}

// `Level` is defined where the level format is; a task of it is made here,
// beside the episode player, so that agents need not know what a level is.
impl Level {
    /// The task of optimizing `reward` on this level.
    pub fn task<'a>(&'a self, reward: &'a Program) -> Task<'a, LevelWorld> {
        Task {
            world: &self.world,
            reward,
            intent: &self.intent,
            limit: self.steps,
        }
    }
}

/// Plays one episode of `task`, asking `policy` for each action; `hook`
/// sees the planning a policy does as it goes and may stop it.
pub fn play<W: World, P: Policy<W> + ?Sized>(
    task: &Task<'_, W>,
    cfg: &PlayConfig<'_>,
    policy: &mut P,
    hook: &mut Hook<'_>,
) -> Result<Episode, RunError> {
    let world = task.world;
    let mut env = Env::new(world, task.reward, task.intent, task.limit);
    let (mut obs, _) = env.reset(cfg.seed, cfg.params)?;
    let n = world.signal_names().len();
    let mut totals = vec![0.0; n];
    let mut frames = Vec::new();
    if cfg.frames {
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
        let Some(a) = policy.act(world, &obs, env.t(), hook)? else {
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
        if cfg.frames {
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
) -> Result<Episode, RunError> {
    let mut acts = parse_actions(&level.world, actions)?.into_iter();
    let cfg = PlayConfig {
        seed,
        params,
        frames: true,
    };
    let mut next = |_: &LevelState, _: u32| acts.next();
    play(&level.task(reward), &cfg, &mut next, &mut |_| true)
}

/// Most episodes [`replay_episodes`] plays.
pub const MAX_REPLAY_EPISODES: u64 = 100_000;

/// [`replay`] on seeds `seed`, `seed + 1`, … (`episodes` of them, 1 to
/// [`MAX_REPLAY_EPISODES`]).
pub fn replay_episodes(
    level: &Level,
    reward: &Program,
    actions: &str,
    seed: u64,
    episodes: u64,
    params: &Params,
) -> Result<Vec<Episode>, RunError> {
    if !(1..=MAX_REPLAY_EPISODES).contains(&episodes) {
        return Err(RunError::invalid(format!(
            "the episodes must be from 1 to {MAX_REPLAY_EPISODES}, found {episodes}"
        )));
    }
    (0..episodes)
        .map(|i| replay(level, reward, actions, seed.wrapping_add(i), params))
        .collect()
}

/// Trains the configured agent on `level` with `reward`, then plays one
/// greedy episode on `cfg.seed`. `hook` sees the progress of both and may
/// stop them.
///
/// A level that trains elsewhere (`train:`) trains the agent on that
/// level's map and plays it here, without training again.
pub fn run(
    level: &Level,
    reward: &Program,
    cfg: &RunConfig,
    hook: &mut Hook<'_>,
) -> Result<RunResult, RunError> {
    let trainer = training_level(level)?;
    let play = level.task(reward);
    match &trainer {
        Some(t) => run_tasks(&t.task(reward), &play, cfg, hook),
        None => run_task(&play, cfg, hook),
    }
}

/// The level whose map `level`'s agents train on (its `train:`, a built-in
/// level), checked to emit the same signals, so that a reward and a plan
/// mean the same on both; None for a level that trains on its own map.
pub fn training_level(level: &Level) -> Result<Option<Level>, RunError> {
    let Some(id) = &level.train else {
        return Ok(None);
    };
    let trainer = crate::levels::builtin(id)
        .map_err(|e| RunError::invalid(format!("`{}` trains on another level: {e}", level.id)))?;
    let names = |l: &Level| -> Vec<(String, crate::lang::Visibility)> {
        l.signals
            .iter()
            .map(|s| (s.name.clone(), s.visibility))
            .collect()
    };
    if names(&trainer) != names(level) || trainer.steps != level.steps {
        return Err(RunError::invalid(format!(
            "`{}` trains on `{id}`, but the two differ in their signals or step limit",
            level.id
        )));
    }
    Ok(Some(trainer))
}

/// [`run`] for any task.
pub fn run_task<W: World>(
    task: &Task<'_, W>,
    cfg: &RunConfig,
    hook: &mut Hook<'_>,
) -> Result<RunResult, RunError> {
    run_tasks(task, task, cfg, hook)
}

/// Trains on `trained` and plays `task` (the same task, or one on another
/// map with the same states and signals).
pub fn run_tasks<W: World>(
    trained: &Task<'_, W>,
    task: &Task<'_, W>,
    cfg: &RunConfig,
    hook: &mut Hook<'_>,
) -> Result<RunResult, RunError> {
    crate::env::check_params(task.world, &cfg.params)?;
    let power = cfg
        .power
        .unwrap_or_else(|| cfg.agent.default_power(task.limit));
    let mut agent = train(cfg.agent, trained, power, cfg.seed, hook)?;
    let play_cfg = PlayConfig {
        seed: cfg.seed,
        params: &cfg.params,
        frames: true,
    };
    let episode = play(task, &play_cfg, &mut agent, hook)?;
    Ok(RunResult {
        agent: cfg.agent,
        power,
        seed: cfg.seed,
        params: cfg.params.clone(),
        episode,
        stats: agent.stats(),
    })
}
