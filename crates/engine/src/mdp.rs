//! The reachable MDP of a world, compiled for exact planning.
//!
//! States are the agent's *views* (see [`World::observe`]): unrevealed draws
//! stay chance until the step that reveals them, so a planner over this MDP
//! knows only what the agent could know. Each (state, action) pair lists its
//! outcomes with the reward and intent of that transition already evaluated.

use std::collections::HashMap;

use crate::lang::Program;
use crate::rng::Rng;
use crate::world::{PlanError, World};

/// Most states a compiled MDP may have (about 100 bytes each while compiling).
pub const MAX_STATES: usize = 2_000_000;

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Outcome {
    pub p: f64,
    pub next: u32,
    pub reward: f64,
    pub intent: f64,
    pub terminal: bool,
}

/// A compiled MDP in compressed rows: outcomes of (s, a) are
/// `outcomes[offsets[s*A + a]..offsets[s*A + a + 1]]`.
pub struct Mdp<S> {
    pub states: Vec<S>,
    pub index: HashMap<S, u32>,
    pub initial: Vec<(f64, u32)>,
    pub actions: usize,
    pub offsets: Vec<u32>,
    pub outcomes: Vec<Outcome>,
}

impl<S: Copy + Eq + std::hash::Hash> Mdp<S> {
    pub fn len(&self) -> usize {
        self.states.len()
    }
    pub fn is_empty(&self) -> bool {
        self.states.is_empty()
    }
    #[inline]
    pub fn outcomes(&self, s: usize, a: usize) -> &[Outcome] {
        let i = s * self.actions + a;
        &self.outcomes[self.offsets[i] as usize..self.offsets[i + 1] as usize]
    }
}

/// Enumerates every view reachable from the start, breadth first.
/// `progress(done, total)` is called now and then; returning false aborts.
pub fn compile<W: World>(
    world: &W,
    reward: &Program,
    intent: &Program,
    max_states: usize,
    progress: &mut dyn FnMut(usize, usize) -> bool,
) -> Result<Mdp<W::State>, PlanError> {
    let actions = world.actions().len();
    let mut states: Vec<W::State> = Vec::new();
    let mut index: HashMap<W::State, u32> = HashMap::new();
    let mut start = Vec::new();
    world.plan_initial(&mut start);
    let mut initial = Vec::new();
    let mut intern = |s: W::State, states: &mut Vec<W::State>| -> Result<u32, PlanError> {
        if let Some(&i) = index.get(&s) {
            return Ok(i);
        }
        if states.len() >= max_states {
            return Err(PlanError(format!(
                "the level has more than {max_states} reachable states, the cap for exact planning; \
                 use the mcts or q-learning agent"
            )));
        }
        let i = states.len() as u32;
        states.push(s);
        index.insert(s, i);
        Ok(i)
    };
    for (p, s) in start {
        let v = world.observe(&s);
        let i = intern(v, &mut states)?;
        initial.push((p, i));
    }
    let mut offsets = vec![0u32];
    let mut outcomes = Vec::new();
    let mut branch = Vec::new();
    let mut signals = vec![0.0; world.signal_names().len()];
    // Exact planning only enumerates deterministic steps: unknown draws were
    // expanded by plan_branch, so this generator is never consulted.
    let mut unused = Rng::new(0);
    let mut s = 0;
    while s < states.len() {
        let view = states[s];
        world.plan_branch(&view, &mut branch)?;
        for a in 0..actions {
            for &(p, from) in &branch {
                let mut next = from;
                let terminal = world.step(&mut next, a, &mut unused, &mut signals);
                let next = intern(world.observe(&next), &mut states)?;
                outcomes.push(Outcome {
                    p,
                    next,
                    reward: reward.eval(&signals),
                    intent: intent.eval(&signals),
                    terminal,
                });
            }
            offsets.push(outcomes.len() as u32);
        }
        s += 1;
        if s % 4096 == 0 && !progress(s, states.len()) {
            return Err(PlanError("stopped".into()));
        }
    }
    Ok(Mdp {
        states,
        index,
        initial,
        actions,
        offsets,
        outcomes,
    })
}
