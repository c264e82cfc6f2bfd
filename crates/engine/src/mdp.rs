//! The reachable MDP of a world, compiled for exact planning.
//!
//! States are the agent's *views* (see [`World::observe`]): unrevealed draws
//! stay chance until the step that reveals them, so a planner over this MDP
//! knows only what the agent could know. Each (state, action) pair lists its
//! outcomes with the reward and intent of that transition already evaluated.

use std::collections::hash_map::Entry;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use crate::lang::Program;
use crate::rng::Rng;
use crate::world::{PlanError, World};

/// Most states a compiled MDP may have (about 250 bytes each once compiled,
/// with four actions; docs/PERFORMANCE.md).
pub const MAX_STATES: usize = 2_000_000;

/// The hasher of the state index: a multiply-rotate mix per word (as in
/// FxHash) and a full avalanche at the end. States are the engine's own
/// values, never chosen by an adversary, so the flood resistance of std's
/// SipHash buys nothing here and costs a third of compiling; being fixed,
/// this hasher is also the same on every run.
#[derive(Clone, Copy, Debug, Default)]
pub struct StateHasher(u64);

impl StateHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
}

impl Hasher for StateHasher {
    #[inline]
    fn finish(&self) -> u64 {
        // MurmurHash3's finaliser: every input bit reaches the low bits,
        // which pick the bucket.
        let mut h = self.0;
        h ^= h >> 33;
        h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
        h ^= h >> 33;
        h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
        h ^ (h >> 33)
    }
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.add(u64::from_le_bytes(w));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut w = [0u8; 8];
            w[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(w) ^ ((rest.len() as u64) << 56));
        }
    }
    #[inline]
    fn write_u8(&mut self, x: u8) {
        self.add(x as u64);
    }
    #[inline]
    fn write_u16(&mut self, x: u16) {
        self.add(x as u64);
    }
    #[inline]
    fn write_u32(&mut self, x: u32) {
        self.add(x as u64);
    }
    #[inline]
    fn write_u64(&mut self, x: u64) {
        self.add(x);
    }
    #[inline]
    fn write_usize(&mut self, x: usize) {
        self.add(x as u64);
    }
}

/// The index from a view to its state number.
pub type StateIndex<S> = HashMap<S, u32, BuildHasherDefault<StateHasher>>;

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
    pub index: StateIndex<S>,
    pub initial: Vec<(f64, u32)>,
    pub actions: usize,
    pub offsets: Vec<u32>,
    pub outcomes: Vec<Outcome>,
}

impl<S> Mdp<S> {
    pub fn len(&self) -> usize {
        self.states.len()
    }
    pub fn is_empty(&self) -> bool {
        self.states.is_empty()
    }
    /// Bytes held on the heap: every array's capacity, and the index's
    /// table estimated as the hash table lays it out (one slot of key and
    /// value plus one control byte per bucket, at most 7/8 of them full).
    pub fn heap_bytes(&self) -> usize {
        let slot = std::mem::size_of::<(S, u32)>() + 1;
        let buckets = (self.index.capacity() * 8 / 7).next_power_of_two();
        self.states.capacity() * std::mem::size_of::<S>()
            + buckets * slot
            + self.initial.capacity() * std::mem::size_of::<(f64, u32)>()
            + self.offsets.capacity() * std::mem::size_of::<u32>()
            + self.outcomes.capacity() * std::mem::size_of::<Outcome>()
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
    let mut index = StateIndex::<W::State>::default();
    let mut start = Vec::new();
    world.plan_initial(&mut start);
    let mut initial = Vec::new();
    // One hash and one probe per lookup, whether the view is new or not.
    let mut intern = |s: W::State, states: &mut Vec<W::State>| -> Result<u32, PlanError> {
        let n = states.len();
        match index.entry(s) {
            Entry::Occupied(e) => Ok(*e.get()),
            Entry::Vacant(_) if n >= max_states => Err(PlanError(format!(
                "the level has more than {max_states} reachable states, the cap for exact planning; \
                 use the mcts or q-learning agent"
            ))),
            Entry::Vacant(e) => {
                e.insert(n as u32);
                states.push(s);
                Ok(n as u32)
            }
        }
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
    // Growth by doubling leaves up to half of each array unused.
    states.shrink_to_fit();
    offsets.shrink_to_fit();
    outcomes.shrink_to_fit();
    Ok(Mdp {
        states,
        index,
        initial,
        actions,
        offsets,
        outcomes,
    })
}
