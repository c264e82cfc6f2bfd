//! Scoring a reward design: how close the strongest optimizer of a reward
//! comes to the best achievable intent score, and an episode in plain words.

use crate::agents::value_iteration::ValueIteration;
use crate::agents::{AgentKind, MAX_POWER};
use crate::lang::Program;
use crate::level::Level;
use crate::run::{play, run, Episode, RunConfig};
use crate::world::{Params, World};

/// Episodes (seeds 0..EVAL_SEEDS) averaged when scoring a design.
pub const EVAL_SEEDS: u64 = 16;

/// The agent a level is played with unless another is chosen: the one its
/// file names (`agent:`), else [`planner`].
pub fn default_agent(level: &Level) -> AgentKind {
    level.agent.unwrap_or_else(|| planner(level))
}

/// Value iteration where the level's exact MDP can be built, MCTS otherwise:
/// the strongest optimizer, used to score designs.
pub fn planner(level: &Level) -> AgentKind {
    let w = &level.world;
    let mut start = Vec::new();
    let mut branch = Vec::new();
    w.plan_initial(&mut start);
    if start
        .iter()
        .all(|(_, s)| w.plan_branch(&w.observe(s), &mut branch).is_ok())
    {
        AgentKind::ValueIteration
    } else {
        AgentKind::Mcts
    }
}

/// Highest power an agent may be given on a level.
pub fn max_power(agent: AgentKind, level: &Level) -> u32 {
    match agent {
        AgentKind::ValueIteration => level.steps,
        AgentKind::QLearning => 100_000.min(MAX_POWER),
        AgentKind::Mcts => 5_000,
    }
}

/// The strongest optimizer used to score designs: the planner at its default power.
pub fn strongest(level: &Level) -> (AgentKind, u32) {
    let agent = planner(level);
    (agent, agent.default_power(level.steps))
}

/// Mean performance of the strongest optimizer of `reward` over `seeds`
/// episodes (per-episode draws at random, as the level deals them).
pub fn mean_performance(level: &Level, reward: &Program, seeds: u64) -> Result<f64, String> {
    let (agent, power) = strongest(level);
    let seeds = seeds.max(1);
    let mut total = 0.0;
    match agent {
        AgentKind::ValueIteration => {
            let vi = ValueIteration::solve(
                &level.world,
                reward,
                &level.intent,
                level.steps,
                power,
                0,
                &mut |_| true,
            )
            .map_err(|e| e.0)?;
            for seed in 0..seeds {
                let ep = play(
                    &level.world,
                    reward,
                    &level.intent,
                    level.steps,
                    seed,
                    &Params::new(),
                    false,
                    |v, t| Some(vi.act(v, t)),
                )?;
                total += ep.performance;
            }
        }
        _ => {
            for seed in 0..seeds {
                let cfg = RunConfig {
                    agent,
                    power: Some(power),
                    seed,
                    params: Params::new(),
                };
                total += run(level, reward, &cfg, &mut |_| true)?.episode.performance;
            }
        }
    }
    Ok(total / seeds as f64)
}

/// The best mean performance the strongest optimizer reaches when it
/// optimizes the intent itself.
pub fn best_performance(level: &Level, seeds: u64) -> Result<f64, String> {
    mean_performance(level, &level.intent, seeds)
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
