//! Optimizers of a reward, each with one `power` knob, behind one interface:
//! [`train`] an agent of any [`AgentKind`] on a [`Task`], then drive the
//! [`Trained`] agent, a [`Policy`], through an episode
//! ([`crate::run::play`]).
//!
//! | agent | power means | default | at most |
//! |---|---|---|---|
//! | [`value_iteration`] | planning horizon in steps (the level's step limit = exact optimum) | the step limit | the step limit |
//! | [`q_learning`] | training episodes | [`q_learning::DEFAULT_POWER`] | 100,000 |
//! | [`mcts`] | simulations per move | [`mcts::DEFAULT_POWER`] | 5,000 |
//!
//! Every agent acts on the agent's view of the state ([`crate::world::World::observe`]),
//! is a pure function of its seed, and breaks ties between equally good
//! actions by a hash of the seed, so that "which of two equal actions" is
//! reproducible but not biased toward the first action listed.
//!
//! ```
//! use loophole_engine::agents::{train, AgentKind, RunError};
//! use loophole_engine::levels;
//! let level = levels::builtin("tomato-watering").unwrap();
//! let reward = level.compile_reward(&level.default_reward).unwrap();
//! // Exact planning is out of reach where every tomato may dry on every step.
//! let err = train(AgentKind::ValueIteration, &level.task(&reward), 100, 0, &mut |_| true);
//! assert!(matches!(err, Err(RunError::Refused(_))));
//! ```

pub mod mcts;
pub mod q_learning;
pub mod value_iteration;

use std::fmt;

use crate::lang::Diagnostic;
use crate::rng::mix;
use crate::world::{PlanError, World};
use mcts::Mcts;
use q_learning::{QLearning, QStats};
use value_iteration::{ValueIteration, ViStats};

/// Most actions any world has.
pub const MAX_ACTIONS: usize = 8;

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

    /// The highest power a run may ask of this agent on a level of
    /// `step_limit` steps (the lowest is 1): a horizon past the step limit
    /// plans nothing more, and the other two stop where a run would take
    /// longer than anyone waits for it.
    pub fn max_power(self, step_limit: u32) -> u32 {
        match self {
            AgentKind::ValueIteration => step_limit,
            AgentKind::QLearning => 100_000,
            AgentKind::Mcts => 5_000,
        }
    }
}

/// The hook a long computation calls now and then: it sees the progress and
/// returns false to stop the work (a time budget spent, a client gone).
pub type Hook<'a> = dyn FnMut(&Progress) -> bool + 'a;

/// Why a run (or any computation that trains or plays) did not finish.
#[derive(Clone, Debug, PartialEq)]
pub enum RunError {
    /// The hook asked to stop.
    Stopped,
    /// The agent cannot work on this task: exact planning where one step
    /// branches into too many outcomes, or over too many states.
    Refused(String),
    /// What was asked for is not valid: a power out of range, an unknown
    /// agent or parameter, a reward that does not compile.
    Invalid(Invalid),
}

/// What is invalid in a request.
#[derive(Clone, Debug, PartialEq)]
pub enum Invalid {
    /// A text of the reward language that does not compile (a reward, a
    /// principle), with the place of the mistake in it.
    Reward(Diagnostic),
    /// Any other setting; the message names it.
    Setting(String),
}

impl RunError {
    /// An invalid setting, with a message that names it.
    pub fn invalid(message: impl Into<String>) -> RunError {
        RunError::Invalid(Invalid::Setting(message.into()))
    }
}

impl fmt::Display for RunError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RunError::Stopped => f.write_str("the work was stopped before it finished"),
            RunError::Refused(m) | RunError::Invalid(Invalid::Setting(m)) => f.write_str(m),
            RunError::Invalid(Invalid::Reward(d)) => match &d.help {
                Some(help) => write!(f, "{} ({help})", d.message),
                None => f.write_str(&d.message),
            },
        }
    }
}

impl std::error::Error for RunError {}

/// The engine's own checks report in words; each of them is a setting out of place.
impl From<String> for RunError {
    fn from(message: String) -> RunError {
        RunError::invalid(message)
    }
}

impl From<&str> for RunError {
    fn from(message: &str) -> RunError {
        RunError::invalid(message)
    }
}

impl From<PlanError> for RunError {
    fn from(e: PlanError) -> RunError {
        RunError::Refused(e.0)
    }
}

pub use crate::env::Task;

/// What a policy answers: the action to take, `None` to end the episode
/// there (an action string that has run out), or why it cannot go on.
pub type Act = Result<Option<usize>, RunError>;

/// Whatever chooses the actions of an episode: a trained agent, a planner, a
/// replayed action string (any `FnMut(&view, step) -> Option<action>` is one).
pub trait Policy<W: World> {
    /// The action at step `t` of an episode of `world`, from the agent's
    /// view. `hook` sees the planning done here, by a planner that plans as
    /// it goes (MCTS), and may stop it.
    fn act(&mut self, world: &W, view: &W::State, t: u32, hook: &mut Hook<'_>) -> Act;
}

impl<W: World, F: FnMut(&W::State, u32) -> Option<usize>> Policy<W> for F {
    fn act(&mut self, _: &W, view: &W::State, t: u32, _: &mut Hook<'_>) -> Act {
        Ok(self(view, t))
    }
}

/// An agent after [`train`]: ready to act, as a [`Policy`], on any world with
/// the same states as the one it was trained on.
pub enum Trained<'a, W: World> {
    ValueIteration(ValueIteration<W::State>),
    QLearning(QLearning),
    /// MCTS learns nothing ahead: it plans at every step of the episode.
    Mcts(Mcts<'a, W>),
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

impl<W: World> Trained<'_, W> {
    /// What the agent has done so far (for MCTS, the planning of the moves played).
    pub fn stats(&self) -> TrainStats {
        match self {
            Trained::ValueIteration(vi) => TrainStats::ValueIteration(vi.stats.clone()),
            Trained::QLearning(q) => TrainStats::QLearning(q.stats.clone()),
            Trained::Mcts(m) => TrainStats::Mcts {
                simulations: m.simulations_run,
                steps_simulated: m.steps_simulated,
            },
        }
    }
}

impl<W: World, V: World<State = W::State>> Policy<V> for Trained<'_, W> {
    fn act(&mut self, world: &V, view: &V::State, t: u32, hook: &mut Hook<'_>) -> Act {
        match self {
            Trained::ValueIteration(vi) => Policy::<V>::act(vi, world, view, t, hook),
            Trained::QLearning(q) => Policy::<V>::act(q, world, view, t, hook),
            Trained::Mcts(m) => Policy::<V>::act(m, world, view, t, hook),
        }
    }
}

/// Trains an agent of `kind` at `power` on `task`; `seed` drives the agent's
/// own chance. `hook` sees the progress of training and may stop it. Every
/// front end trains through here: the rules of what a person may ask for
/// (the power's range among them) are [`crate::score::check`]'s.
pub fn train<'a, W: World>(
    kind: AgentKind,
    task: &Task<'a, W>,
    power: u32,
    seed: u64,
    hook: &mut Hook<'_>,
) -> Result<Trained<'a, W>, RunError> {
    Ok(match kind {
        AgentKind::ValueIteration => {
            // The planner reports a stop as a refusal like any other: tell them apart here.
            let mut stopped = false;
            let mut watched = |p: &Progress| {
                let go = hook(p);
                stopped = !go;
                go
            };
            let solved = ValueIteration::solve(
                task.world,
                task.reward,
                task.intent,
                task.limit,
                power,
                seed,
                &mut watched,
            );
            match solved {
                Ok(vi) => Trained::ValueIteration(vi),
                Err(_) if stopped => return Err(RunError::Stopped),
                Err(e) => return Err(e.into()),
            }
        }
        AgentKind::QLearning => Trained::QLearning(QLearning::train(task, power, seed, hook)?),
        AgentKind::Mcts => Trained::Mcts(Mcts::new(task, power, seed)),
    })
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
