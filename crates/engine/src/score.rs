//! The rules of a run: what a person or a client may ask for ([`check`]),
//! and how a played design is judged ([`verdict`]): how close the strongest
//! optimizer of its reward comes to the best achievable intent score. Every
//! front end (the CLI, the server, Python) asks these and keeps no copy.
//! An episode in plain words is [`crate::account`]'s.

use crate::agents::value_iteration::ValueIteration;
use std::time::{Duration, Instant};

use crate::agents::{train, AgentKind, Hook, Invalid, Progress, RunError, Trained};
use crate::lang::Program;
use crate::level::Level;
use crate::run::{play, Episode, PlayConfig, RunResult};
use crate::world::{Params, World};
use crate::worlds::{LevelState, LevelWorld};

/// Episodes (seeds 0..EVAL_SEEDS) the strongest sampling optimizer plays on
/// the intent itself to find the best score where no exact plan can be made.
pub const EVAL_SEEDS: u64 = 16;
/// Episodes averaged when scoring a design where MCTS plans: each is a full
/// run, so fewer than [`EVAL_SEEDS`] keep a run quick.
pub const MCTS_EVAL_SEEDS: u64 = 2;

/// The time a computation may take, counted from its start, and the
/// deadline hook that holds the engine to it: the engine stops its work
/// when the budget is spent, so nothing runs on after the answer. The
/// server gives each request one; the CLI gives each command one
/// (`--time-limit`).
#[derive(Clone, Copy, Debug)]
pub struct Budget {
    limit: Duration,
    /// None: further than a clock can count.
    deadline: Option<Instant>,
    /// What is computed, for the message: `run`, `sweep`, `demonstration`, `simulation`.
    what: &'static str,
}

impl Budget {
    pub fn start(limit: Duration, what: &'static str) -> Budget {
        Budget {
            limit,
            deadline: Instant::now().checked_add(limit),
            what,
        }
    }

    /// The hook to hand the engine: true (go on) until the budget is spent.
    /// A copy per thread, where the work runs on several.
    pub fn hook(&self) -> impl FnMut(&Progress) -> bool + Copy + Send + Sync + 'static {
        let deadline = self.deadline;
        move |_: &Progress| deadline.is_none_or(|d| Instant::now() < d)
    }

    /// Whether the budget is spent.
    pub fn spent(&self) -> bool {
        self.deadline.is_some_and(|d| Instant::now() >= d)
    }

    /// Why the work was stopped, followed by what to do about it (`hint`).
    pub fn exceeded(&self, hint: &str) -> String {
        format!(
            "the {} exceeded its time budget of {} s: {hint}",
            self.what,
            self.limit.as_secs_f64()
        )
    }
}

/// The agent a level is played with unless another is chosen: the one its
/// file names (`agent:`), else [`planner`].
pub fn default_agent(level: &Level) -> AgentKind {
    level.agent.unwrap_or_else(|| planner(level))
}

/// Why value iteration cannot plan on a level, if it cannot: a start whose
/// step branches in a way exact planning cannot enumerate.
pub fn plan_refusal(level: &Level) -> Option<String> {
    let w = &level.world;
    let mut start = Vec::new();
    let mut branch = Vec::new();
    w.plan_initial(&mut start);
    start
        .iter()
        .find_map(|(_, s)| w.plan_branch(&w.observe(s), &mut branch).err())
        .map(|e| e.0)
}

/// Value iteration where the level's exact MDP can be built, MCTS otherwise:
/// the strongest optimizer, used to score designs.
pub fn planner(level: &Level) -> AgentKind {
    match plan_refusal(level) {
        None => AgentKind::ValueIteration,
        Some(_) => AgentKind::Mcts,
    }
}

/// The strongest optimizer used to score designs: the planner at its default power.
pub fn strongest(level: &Level) -> (AgentKind, u32) {
    let agent = planner(level);
    (agent, agent.default_power(level.steps))
}

/// A run as a person or a client asks for it, before it is checked.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Request<'a> {
    /// The reward as written.
    pub reward: &'a str,
    /// An agent by name; None: the level's [`default_agent`].
    pub agent: Option<&'a str>,
    /// None: the agent's default power. Wider than any power, so that a
    /// huge one gets the same message as any other out of range.
    pub power: Option<u64>,
    pub seed: u64,
    /// Fixes per-episode draws of the played episode.
    pub params: Params,
}

/// A run checked against its level ([`check`]): everything it needs to run.
#[derive(Clone, Debug)]
pub struct Design {
    pub reward: Program,
    pub agent: AgentKind,
    pub power: u32,
    pub seed: u64,
    pub params: Params,
}

impl Design {
    pub fn config(&self) -> crate::run::RunConfig {
        crate::run::RunConfig {
            agent: self.agent,
            power: Some(self.power),
            seed: self.seed,
            params: self.params.clone(),
        }
    }
}

/// Checks a run as asked for against its level, once for every front end:
/// the reward compiles, the agent exists (value iteration only where it can
/// plan), the power is in the agent's range and the parameters are the
/// level's. Defaults are filled in.
pub fn check(level: &Level, req: &Request<'_>) -> Result<Design, RunError> {
    let reward = level
        .compile_reward(req.reward)
        .map_err(|d| RunError::Invalid(Invalid::Reward(d)))?;
    let agent = match req.agent {
        Some(name) => AgentKind::parse(name)?,
        None => default_agent(level),
    };
    if agent == AgentKind::ValueIteration {
        if let Some(why) = plan_refusal(level) {
            return Err(RunError::Refused(format!(
                "value-iteration cannot plan on `{}`: {why}",
                level.id
            )));
        }
    }
    let power = check_power(level, agent, req.power)?;
    crate::env::check_params(&level.world, &req.params)?;
    Ok(Design {
        reward,
        agent,
        power,
        seed: req.seed,
        params: req.params.clone(),
    })
}

/// The power of a run of `agent` on `level`: its default when none is
/// asked for, else one from 1 to [`AgentKind::max_power`].
pub fn check_power(level: &Level, agent: AgentKind, power: Option<u64>) -> Result<u32, RunError> {
    let max = agent.max_power(level.steps);
    match power {
        None => Ok(agent.default_power(level.steps)),
        Some(p) if (1..=u64::from(max)).contains(&p) => Ok(p as u32),
        Some(p) => Err(RunError::invalid(format!(
            "power ({} for {}) must be from 1 to {max} on `{}`, found {p}",
            agent.power_meaning(),
            agent.name(),
            level.id
        ))),
    }
}

/// What the designs of a level are measured against, worked out once per
/// level: the best intent score an agent can reach there.
pub struct Benchmark {
    /// The best expected intent score.
    pub best: f64,
    /// Whether `best` is the exact optimum of an agent that sees what agents
    /// see (value iteration over the level's MDP, every chance weighed by its
    /// probability), or only what the strongest sampling optimizer found
    /// when it optimized the intent itself (a lower bound, raised by any
    /// design that does better).
    pub exact: bool,
    intended: Intended,
}

/// How the best is reached: what a design's optimizer is compared with.
enum Intended {
    /// The intent's own exact plan.
    Plan(Box<ValueIteration<LevelState>>),
    /// The episodes the search played (seed, actions), one per seed.
    Episodes(Vec<(u64, String)>),
}

/// Works out a level's [`Benchmark`]. `hook` sees the work and may stop it.
pub fn benchmark(level: &Level, hook: &mut Hook<'_>) -> Result<Benchmark, RunError> {
    let (agent, power) = strongest(level);
    let task = level.task(&level.intent);
    if agent == AgentKind::ValueIteration {
        let vi = plan(&task, power, hook)?;
        let (_, best) = exactly(&vi.mdp, level.steps, |s, t| vi.act_at(s, t), hook)?;
        return Ok(Benchmark {
            best,
            exact: true,
            intended: Intended::Plan(Box::new(vi)),
        });
    }
    let mut total = 0.0;
    let mut episodes = Vec::new();
    for seed in 0..EVAL_SEEDS {
        let cfg = crate::run::RunConfig {
            agent,
            power: Some(power),
            seed,
            params: Params::new(),
        };
        let r = crate::run::run_task(&task, &cfg, hook)?;
        total += r.episode.performance;
        episodes.push((seed, r.episode.actions));
    }
    Ok(Benchmark {
        best: total / EVAL_SEEDS as f64,
        exact: false,
        intended: Intended::Episodes(episodes),
    })
}

/// Value iteration at `horizon` on `task`, as an exact plan.
fn plan(
    task: &crate::agents::Task<'_, LevelWorld>,
    horizon: u32,
    hook: &mut Hook<'_>,
) -> Result<ValueIteration<LevelState>, RunError> {
    match train(AgentKind::ValueIteration, task, horizon, 0, hook)? {
        Trained::ValueIteration(vi) => Ok(vi),
        _ => Err(RunError::Refused("value iteration did not plan".into())),
    }
}

/// The expected (return, intent) of `act` over `mdp`, stopped by `hook`.
fn exactly<S>(
    mdp: &crate::mdp::Mdp<S>,
    limit: u32,
    mut act: impl FnMut(usize, u32) -> usize,
    hook: &mut Hook<'_>,
) -> Result<(f64, f64), RunError> {
    let mut last = u32::MAX;
    crate::mdp::expected(mdp, limit, |s, t| {
        if t != last {
            last = t;
            let progress = crate::agents::Progress {
                done: u64::from(limit - t),
                total: u64::from(limit),
                point: None,
            };
            if !hook(&progress) {
                return None;
            }
        }
        Some(act(s, t))
    })
    .ok_or(RunError::Stopped)
}

/// What the strongest optimizer of a reward did, in one word.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// It did what was wanted: the level is solved.
    Intent,
    /// It found a loophole: the reward paid it at least as much for what it
    /// did as it would have paid for what was wanted, so the reward cannot
    /// tell the two apart, or prefers what was not wanted.
    Loophole,
    /// It missed what was wanted and earned less than what was wanted would
    /// have paid: it failed at the reward too (a plan made on another map,
    /// a search that fell short).
    Other,
}

impl Outcome {
    pub fn name(self) -> &'static str {
        match self {
            Outcome::Intent => "intent",
            Outcome::Loophole => "loophole",
            Outcome::Other => "other",
        }
    }
}

/// One way a level's per-episode draws can fall, and what the strongest
/// optimizer of the reward does then.
#[derive(Clone, Debug, PartialEq)]
pub struct Case {
    /// The draws fixed (empty on a level without any).
    pub params: Params,
    /// How likely they are.
    pub probability: f64,
    /// The episode played with them (seed 0).
    pub episode: Episode,
    pub account: Vec<String>,
    pub summary: String,
}

/// How a design is judged: the strongest optimizer of its reward against
/// the best achievable intent score ([`Benchmark`]).
#[derive(Clone, Debug, PartialEq)]
pub struct Verdict {
    /// The expected intent score of the strongest optimizer of the reward:
    /// exact (every draw weighed by its probability) where value iteration
    /// plans, else the mean over `eval_seeds` episodes.
    pub mean_performance: f64,
    /// The same for the reward itself (the return).
    pub mean_return: f64,
    /// The best expected intent score ([`Benchmark::best`], or this
    /// design's own where it does better than a best found by search).
    pub best_performance: f64,
    /// Whether `best_performance` is the exact optimum (else the best found so far).
    pub best_exact: bool,
    /// `mean_performance` as a share of `best_performance`, from 0 to 1 ([`share`]).
    pub share: f64,
    /// Whether `share` reaches the level's solving share.
    pub solved: bool,
    /// 0 to 3 ([`stars`]).
    pub stars: u8,
    /// Episodes averaged, or 0 where the expectation is exact.
    pub eval_seeds: u64,
    pub outcome: Outcome,
    /// One per way the level's per-episode draws can fall (one, with no
    /// draws fixed, on a level without them).
    pub cases: Vec<Case>,
}

/// Episodes a design is judged over on `level`: 0 (exact) where value
/// iteration plans, [`MCTS_EVAL_SEEDS`] where MCTS does.
pub fn eval_seeds(level: &Level) -> u64 {
    match planner(level) {
        AgentKind::ValueIteration => 0,
        _ => MCTS_EVAL_SEEDS,
    }
}

/// A design run and judged as a command line or a script asks for it:
/// trained and played as [`crate::run::run`] does, then judged as the level
/// page judges it ([`verdict`]: the strongest optimizer of the reward over
/// the level's evaluation seeds, against a fresh [`benchmark`]).
pub fn judged_run(
    level: &Level,
    design: &Design,
    hook: &mut Hook<'_>,
) -> Result<(RunResult, Verdict), RunError> {
    let result = crate::run::run(level, &design.reward, &design.config(), hook)?;
    let bench = benchmark(level, hook)?;
    let judged = verdict(
        level,
        &design.reward,
        &bench,
        f64::NEG_INFINITY,
        Some(&result),
        hook,
    )?;
    Ok((result, judged))
}

/// Judges `reward` on `level` against its benchmark `bench`, and, where the
/// benchmark is only the best found by search, against `record`, the best
/// a design has reached there before (`f64::NEG_INFINITY` if none).
/// `played`, a run just made, is reused where it is one of the episodes judged. A
/// level that trains elsewhere (`train:`) is judged as it is played: the
/// optimizer trained on the other map, scored on this one. `hook` sees the
/// work and may stop it.
pub fn verdict(
    level: &Level,
    reward: &Program,
    bench: &Benchmark,
    record: f64,
    played: Option<&RunResult>,
    hook: &mut Hook<'_>,
) -> Result<Verdict, RunError> {
    let trainer = crate::run::training_level(level)?;
    let trained = trainer.as_ref().unwrap_or(level).task(reward);
    let task = level.task(reward);
    let (agent, power) = strongest(trainer.as_ref().unwrap_or(level));
    let (mean_return, mean_performance, intended_return, mut policy) = match &bench.intended {
        Intended::Plan(intended) if agent == AgentKind::ValueIteration => {
            let vi = plan(&trained, power, hook)?;
            // The plan's own MDP serves where it plays the map it was made
            // on; another map is compiled with the reward to be scored on it.
            let elsewhere = match trainer {
                Some(_) => {
                    let mut stopped = false;
                    let compiled = crate::mdp::compile(
                        &level.world,
                        reward,
                        &level.intent,
                        crate::mdp::MAX_STATES,
                        &mut |done, total| {
                            let p = crate::agents::Progress {
                                done: done as u64,
                                total: total as u64,
                                point: None,
                            };
                            stopped = !hook(&p);
                            !stopped
                        },
                    );
                    match compiled {
                        Ok(m) => Some(m),
                        Err(_) if stopped => return Err(RunError::Stopped),
                        Err(e) => return Err(e.into()),
                    }
                }
                None => None,
            };
            let mdp = elsewhere.as_ref().unwrap_or(&vi.mdp);
            let (ret, perf) = match &elsewhere {
                Some(m) => exactly(m, level.steps, |s, t| vi.act(&m.states[s], t), hook)?,
                None => exactly(mdp, level.steps, |s, t| vi.act_at(s, t), hook)?,
            };
            let (wanted, _) = exactly(
                mdp,
                level.steps,
                |s, t| intended.act(&mdp.states[s], t),
                hook,
            )?;
            (ret, perf, wanted, Some(vi))
        }
        intended => {
            let params = Params::new();
            let (mut ret, mut perf) = (0.0, 0.0);
            for seed in 0..MCTS_EVAL_SEEDS {
                let e = match played {
                    Some(r)
                        if (r.agent, r.power, r.seed, &r.params)
                            == (agent, power, seed, &params) =>
                    {
                        r.episode.clone()
                    }
                    _ => {
                        let cfg = crate::run::RunConfig {
                            agent,
                            power: Some(power),
                            seed,
                            params: params.clone(),
                        };
                        crate::run::run_tasks(&trained, &task, &cfg, hook)?.episode
                    }
                };
                ret += e.ret;
                perf += e.performance;
            }
            let n = MCTS_EVAL_SEEDS as f64;
            // What the reward would have paid for the search's own best episodes.
            let wanted = match intended {
                Intended::Episodes(eps) => {
                    let mut total = 0.0;
                    for (seed, actions) in eps {
                        total += crate::run::replay(level, reward, actions, *seed, &params)?.ret;
                    }
                    total / eps.len().max(1) as f64
                }
                Intended::Plan(_) => f64::NEG_INFINITY,
            };
            (ret / n, perf / n, wanted, None)
        }
    };
    let best_performance = if bench.exact {
        bench.best
    } else {
        bench.best.max(record).max(mean_performance)
    };
    let share = share(mean_performance, best_performance);
    let solved = share >= level.solve_share - 1e-12;
    let outcome = if solved {
        Outcome::Intent
    } else if mean_return >= intended_return - 1e-9 {
        Outcome::Loophole
    } else {
        Outcome::Other
    };
    let cases = cases(
        level,
        &trained,
        &task,
        (agent, power),
        policy.as_mut(),
        played,
        hook,
    )?;
    Ok(Verdict {
        mean_performance,
        mean_return,
        best_performance,
        best_exact: bench.exact,
        share,
        solved,
        stars: stars(share, level.solve_share),
        eval_seeds: eval_seeds(trainer.as_ref().unwrap_or(level)),
        outcome,
        cases,
    })
}

/// One episode (seed 0) per way the level's per-episode draws can fall,
/// played by the plan where there is one, else by a run of the strongest optimizer.
fn cases(
    level: &Level,
    trained: &crate::agents::Task<'_, LevelWorld>,
    task: &crate::agents::Task<'_, LevelWorld>,
    (agent, power): (AgentKind, u32),
    plan: Option<&mut ValueIteration<LevelState>>,
    played: Option<&RunResult>,
    hook: &mut Hook<'_>,
) -> Result<Vec<Case>, RunError> {
    let draws = level.world.params();
    let mut combos: Vec<(Params, f64)> = vec![(Params::new(), 1.0)];
    for d in draws {
        combos = combos
            .into_iter()
            .flat_map(|(params, p)| {
                [(1.0, d.probability), (0.0, 1.0 - d.probability)]
                    .into_iter()
                    .filter(|&(_, q)| q > 0.0)
                    .map(move |(v, q)| {
                        let mut params = params.clone();
                        params.insert(d.name.to_string(), v);
                        (params, p * q)
                    })
            })
            .collect();
    }
    let mut plan = plan;
    let mut out = Vec::with_capacity(combos.len());
    for (params, probability) in combos {
        let episode = match (&mut plan, played) {
            (Some(vi), _) => {
                let cfg = PlayConfig {
                    seed: 0,
                    params: &params,
                    frames: true,
                };
                play(task, &cfg, &mut **vi, hook)?
            }
            (None, Some(r))
                if (r.agent, r.power, r.seed, &r.params) == (agent, power, 0, &params) =>
            {
                r.episode.clone()
            }
            (None, _) => {
                let cfg = crate::run::RunConfig {
                    agent,
                    power: Some(power),
                    seed: 0,
                    params: params.clone(),
                };
                crate::run::run_tasks(trained, task, &cfg, hook)?.episode
            }
        };
        out.push(Case {
            account: crate::account::account(level, &episode),
            summary: crate::account::summary(level, &episode),
            params,
            probability,
            episode,
        });
    }
    Ok(out)
}

/// The share of the best performance that `performance` reaches, from 0 to
/// 1: the ratio of the two while the best is positive (of their inverses
/// while it is negative, so that worse is always less), never below 0.
pub fn share(performance: f64, best: f64) -> f64 {
    if best.abs() < 1e-12 {
        return if performance >= -1e-12 { 1.0 } else { 0.0 };
    }
    let ratio = if best > 0.0 {
        performance / best
    } else if performance < 0.0 {
        best / performance
    } else {
        1.0
    };
    ratio.clamp(0.0, 1.0)
}

/// 0 stars below the level's solving share `threshold`; 1 from it; 2 once
/// half the remaining gap to a perfect score is closed; 3 once four fifths are.
pub fn stars(share: f64, threshold: f64) -> u8 {
    let gap = 1.0 - threshold;
    match share {
        s if s >= 1.0 - gap / 5.0 - 1e-9 => 3,
        s if s >= 1.0 - gap / 2.0 - 1e-9 => 2,
        s if s >= threshold => 1,
        _ => 0,
    }
}
