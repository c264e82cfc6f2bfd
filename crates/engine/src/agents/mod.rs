//! Optimizers of a reward, each with one `power` knob.
//!
//! | agent | power means | default |
//! |---|---|---|
//! | [`value_iteration`] | planning horizon in steps (the level's step limit = exact optimum) | the step limit |
//! | [`q_learning`] | training episodes | [`q_learning::DEFAULT_POWER`] |
//! | [`mcts`] | simulations per move | [`mcts::DEFAULT_POWER`] |
//!
//! Every agent acts on the agent's view of the state ([`crate::world::World::observe`]),
//! is a pure function of its seed, and breaks ties between equally good
//! actions by a hash of the seed, so that "which of two equal actions" is
//! reproducible but not biased toward the first action listed.

pub mod mcts;
pub mod q_learning;
pub mod value_iteration;

use crate::rng::mix;

/// Most actions any world has.
pub const MAX_ACTIONS: usize = 8;

/// Highest power any agent accepts.
pub const MAX_POWER: u32 = 1_000_000;

/// Which optimizer to run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AgentKind {
    ValueIteration,
    QLearning,
    Mcts,
}

impl AgentKind {
    pub const ALL: [AgentKind; 3] = [
        AgentKind::ValueIteration,
        AgentKind::QLearning,
        AgentKind::Mcts,
    ];

    /// The name used on the command line and in JSON.
    pub fn name(self) -> &'static str {
        match self {
            AgentKind::ValueIteration => "value-iteration",
            AgentKind::QLearning => "q-learning",
            AgentKind::Mcts => "mcts",
        }
    }

    pub fn parse(name: &str) -> Result<AgentKind, String> {
        AgentKind::ALL
            .into_iter()
            .find(|k| k.name() == name)
            .ok_or_else(|| {
                format!("unknown agent `{name}`; agents are: value-iteration, q-learning, mcts")
            })
    }

    /// What `power` means for this agent, in words.
    pub fn power_meaning(self) -> &'static str {
        match self {
            AgentKind::ValueIteration => "planning horizon in steps",
            AgentKind::QLearning => "training episodes",
            AgentKind::Mcts => "simulations per move",
        }
    }

    /// The documented default power, strong enough to find each level's exploit.
    pub fn default_power(self, step_limit: u32) -> u32 {
        match self {
            AgentKind::ValueIteration => step_limit,
            AgentKind::QLearning => q_learning::DEFAULT_POWER,
            AgentKind::Mcts => mcts::DEFAULT_POWER,
        }
    }
}

/// Progress of training or planning, reported now and then.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Progress {
    pub done: u64,
    pub total: u64,
    /// A point of the learning curve, where the agent has one.
    pub point: Option<CurvePoint>,
}

/// Mean return and performance of the training episodes around `x`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CurvePoint {
    pub x: u64,
    pub ret: f64,
    pub performance: f64,
}

/// The index of the largest value; values within 1e-9 of the best tie, and a
/// tie goes to the action with the largest hash of (salt, action).
pub fn argmax_tiebreak(values: &[f64], salt: u64) -> usize {
    let best = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let mut pick = 0;
    let mut pick_hash = 0u64;
    let mut first = true;
    for (a, &v) in values.iter().enumerate() {
        if v >= best - 1e-9 {
            let h = mix(&[salt, a as u64]);
            if first || h > pick_hash {
                pick = a;
                pick_hash = h;
                first = false;
            }
        }
    }
    pick
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn argmax_picks_the_best_and_breaks_ties_by_salt() {
        assert_eq!(argmax_tiebreak(&[1.0, 3.0, 2.0], 0), 1);
        let picks: std::collections::BTreeSet<usize> = (0..64)
            .map(|salt| argmax_tiebreak(&[5.0, 5.0, 1.0, 5.0], salt))
            .collect();
        assert_eq!(picks, [0, 1, 3].into_iter().collect());
    }
}
