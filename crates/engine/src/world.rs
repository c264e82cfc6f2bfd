//! The world abstraction every level runs on.
//!
//! A [`World`] is a deterministic simulator with a small `Copy` state: grids
//! implement it, and so can worlds that are not grids (a company run quarter by
//! quarter). Agents and the environment are generic over it.

use std::collections::BTreeMap;
use std::fmt::Debug;
use std::hash::Hash;

use crate::rng::Rng;

/// One action of a world: the key used in action strings and a readable name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ActionSpec {
    pub key: char,
    pub name: &'static str,
}

/// A per-episode draw that a caller may override, e.g. `supervisor=1`.
#[derive(Clone, Debug, PartialEq)]
pub struct ParamSpec {
    pub name: &'static str,
    pub description: String,
    /// Probability that the draw is 1 when it is not overridden.
    pub probability: f64,
}

/// Overrides of per-episode draws, by parameter name (values 0 or 1).
pub type Params = BTreeMap<String, f64>;

/// Most states exact planning compiles (about 80 bytes each once compiled,
/// with four actions; docs/PERFORMANCE.md). Worlds refuse planning that
/// would need more, before compiling.
pub const MAX_PLAN_STATES: usize = 2_000_000;

/// Why exact planning over a world is refused.
#[derive(Clone, Debug, PartialEq)]
pub struct PlanError(pub String);

impl std::fmt::Display for PlanError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}
impl std::error::Error for PlanError {}

/// A simulator. States are small values; everything random comes from the
/// `Rng` handed in, so a world is a pure function of its inputs.
pub trait World: Sync {
    type State: Copy + Eq + Hash + Debug + Send + Sync;

    /// The actions, indexed 0..n; an action is its index.
    fn actions(&self) -> &[ActionSpec];
    /// Names of the signals the world emits, in the order of the signal buffer.
    fn signal_names(&self) -> &[&'static str];
    /// The per-episode draws that `reset` makes and that may be overridden.
    fn params(&self) -> &[ParamSpec];

    /// A fresh episode: per-episode draws come from `rng` unless `params` fixes them.
    fn reset(&self, rng: &mut Rng, params: &Params) -> Self::State;
    /// Advances one step, writing every signal into `signals` (all slots are
    /// overwritten). Returns true when the episode has truly ended (not a time limit).
    fn step(&self, s: &mut Self::State, action: usize, rng: &mut Rng, signals: &mut [f64]) -> bool;

    /// No signal this world emits is ever larger than this in magnitude
    /// (nor NaN). Environments use it to skip range checks when evaluating
    /// rewards; the default promises nothing.
    fn signal_bound(&self) -> f64 {
        f64::INFINITY
    }

    /// What the agent knows: the state with every unrevealed draw forgotten.
    /// Agents plan and learn on these views, never on hidden draws.
    fn observe(&self, s: &Self::State) -> Self::State;
    /// The possible starting views with their probabilities.
    fn plan_initial(&self, out: &mut Vec<(f64, Self::State)>);
    /// The concrete states a step from `view` may start from, with their
    /// probabilities: every draw the view does not know is expanded. The
    /// next views stay the same until a step reveals a draw, so a planner
    /// still cannot act on it, but the intent (which may read the draw) is
    /// evaluated in expectation. Errors when the step itself is random in a
    /// way exact planning cannot enumerate.
    fn plan_branch(
        &self,
        view: &Self::State,
        out: &mut Vec<(f64, Self::State)>,
    ) -> Result<(), PlanError>;
    /// Draws a concrete state consistent with a view, for sample-based planning.
    fn sample(&self, view: &Self::State, rng: &mut Rng) -> Self::State;
    /// The key a tabular learner files this view under.
    fn tabular_key(&self, view: &Self::State) -> u64;

    /// How many numbers [`World::index`] uses (0 to this minus 1), where the
    /// world numbers its views; None where it does not, or where the count
    /// would not fit in 63 bits.
    fn index_size(&self) -> Option<u64> {
        None
    }
    /// The view's number among every view a tabular learner tells apart (as
    /// [`World::tabular_key`] does), dense from 0: a Gymnasium `Discrete`
    /// observation. Only meaningful where [`World::index_size`] is Some.
    fn index(&self, _view: &Self::State) -> u64 {
        0
    }

    /// What this episode's per-episode draws ([`World::params`]) came out
    /// as, in their order, as 0 or 1: read off the true state (not a view),
    /// to report an episode, never to show an agent.
    fn drawn(&self, _s: &Self::State, out: &mut Vec<f64>) {
        out.clear();
    }

    /// A text picture of the state, one string per row.
    fn render(&self, s: &Self::State) -> Vec<String>;
}
