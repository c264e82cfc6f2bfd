//! The rules of a run: what a person or a client may ask for ([`check`]),
//! and how a played design is judged ([`verdict`]): how close the strongest
//! optimizer of its reward comes to the best achievable intent score. Every
//! front end (the CLI, the server, Python) asks these and keeps no copy.
//! Also an episode in plain words ([`account`]).

use crate::agents::{train, AgentKind, Hook, Invalid, RunError};
use crate::lang::Program;
use crate::level::Level;
use crate::run::{play, Episode, PlayConfig, RunResult};
use crate::world::{Params, World};

/// Episodes (seeds 0..EVAL_SEEDS) averaged when scoring a design where value
/// iteration plans (one plan, cheap episodes), and always for the best
/// achievable performance.
pub const EVAL_SEEDS: u64 = 16;
/// Episodes averaged when scoring a design where MCTS plans: each is a full
/// run, so fewer than [`EVAL_SEEDS`] keep a run quick.
pub const MCTS_EVAL_SEEDS: u64 = 2;

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

/// How a played design is judged.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Verdict {
    /// Mean performance of the strongest optimizer of the design's reward
    /// over `eval_seeds` episodes (per-episode draws at random).
    pub mean_performance: f64,
    /// The same for the level's intent itself: the best achievable.
    pub best_performance: f64,
    /// `mean_performance` as a share of `best_performance` ([`share`]).
    pub share: f64,
    /// Whether `share` reaches the level's solving share.
    pub solved: bool,
    /// 0 to 3 ([`stars`]).
    pub stars: u8,
    /// Episodes averaged ([`eval_seeds`]).
    pub eval_seeds: u64,
}

/// Episodes a design is judged over on `level`: [`EVAL_SEEDS`] where value
/// iteration plans, [`MCTS_EVAL_SEEDS`] where MCTS does.
pub fn eval_seeds(level: &Level) -> u64 {
    match planner(level) {
        AgentKind::ValueIteration => EVAL_SEEDS,
        _ => MCTS_EVAL_SEEDS,
    }
}

/// Judges `reward` on `level` against `best` ([`best_performance`], worked
/// out once per level). `played`, a run just made, is reused where it is one
/// of the episodes judged. `hook` sees the work and may stop it.
pub fn verdict(
    level: &Level,
    reward: &Program,
    best: f64,
    played: Option<&RunResult>,
    hook: &mut Hook<'_>,
) -> Result<Verdict, RunError> {
    let eval_seeds = eval_seeds(level);
    let mean_performance = judged(level, reward, eval_seeds, played, hook)?;
    let share = share(mean_performance, best);
    Ok(Verdict {
        mean_performance,
        best_performance: best,
        share,
        solved: share >= level.solve_share,
        stars: stars(share, level.solve_share),
        eval_seeds,
    })
}

/// Mean performance of the strongest optimizer of `reward` over `seeds`
/// episodes (per-episode draws at random, as the level deals them).
pub fn mean_performance(level: &Level, reward: &Program, seeds: u64) -> Result<f64, RunError> {
    judged(level, reward, seeds, None, &mut |_| true)
}

/// The best mean performance the strongest optimizer reaches when it
/// optimizes the intent itself.
pub fn best_performance(level: &Level, seeds: u64) -> Result<f64, RunError> {
    mean_performance(level, &level.intent, seeds)
}

/// [`mean_performance`], reusing `played` where it is one of the episodes.
fn judged(
    level: &Level,
    reward: &Program,
    seeds: u64,
    played: Option<&RunResult>,
    hook: &mut Hook<'_>,
) -> Result<f64, RunError> {
    let (agent, power) = strongest(level);
    let seeds = seeds.max(1);
    let task = level.task(reward);
    let params = Params::new();
    // An exact plan serves every episode: one plan (seed 0), then cheap
    // episodes. MCTS plans as it plays: a full run per seed.
    let mut plan = match agent {
        AgentKind::ValueIteration => Some(train(agent, &task, power, 0, hook)?),
        _ => None,
    };
    let mut total = 0.0;
    for seed in 0..seeds {
        let cfg = PlayConfig {
            seed,
            params: &params,
            frames: false,
        };
        total += match (&mut plan, played) {
            (Some(plan), _) => play(&task, &cfg, plan, hook)?.performance,
            (None, Some(r))
                if (r.agent, r.power, r.seed, &r.params) == (agent, power, seed, &params) =>
            {
                r.episode.performance
            }
            (None, _) => {
                let mut planner = train(agent, &task, power, seed, hook)?;
                play(&task, &cfg, &mut planner, hook)?.performance
            }
        };
    }
    Ok(total / seeds as f64)
}

/// The share of the best performance that `performance` reaches (may be negative).
pub fn share(performance: f64, best: f64) -> f64 {
    if best.abs() < 1e-12 {
        return if performance >= 0.0 { 1.0 } else { 0.0 };
    }
    performance / best
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

fn format_total(v: f64) -> String {
    if (v - v.round()).abs() < 1e-9 {
        format!("{}", v.round() as i64)
    } else {
        format!("{v:.2}")
    }
}

/// What the agent did, in plain words, from the level's account lines and
/// how the episode ended.
pub fn account(level: &Level, episode: &Episode) -> Vec<String> {
    let total = |name: &str| -> f64 {
        if name == "steps" {
            return episode.steps as f64;
        }
        level
            .signals
            .iter()
            .position(|s| s.name == name)
            .map_or(0.0, |i| episode.totals[i])
    };
    let mut out = Vec::new();
    for line in &level.account {
        let nonzero = total(&line.signal).abs() > 1e-9;
        if nonzero == line.when_zero {
            continue;
        }
        let mut text = String::new();
        let mut rest = line.text.as_str();
        while let Some(open) = rest.find('{') {
            text.push_str(&rest[..open]);
            let close = rest[open..].find('}').map_or(rest.len(), |c| open + c);
            text.push_str(&format_total(total(&rest[open + 1..close])));
            rest = rest.get(close + 1..).unwrap_or("");
        }
        text.push_str(rest);
        out.push(text);
    }
    out.push(if episode.terminated {
        format!("The episode ended after {} steps.", episode.steps)
    } else {
        format!(
            "It was still going when time ran out after {} steps.",
            episode.steps
        )
    });
    out
}
