//! The reachable MDP of a world, compiled for exact planning.
//!
//! States are the agent's *views* (see [`World::observe`]): unrevealed draws
//! stay chance until the step that reveals them, so a planner over this MDP
//! knows only what the agent could know. Each (state, action) pair lists its
//! outcomes with the reward and intent of that transition already evaluated.
//!
//! The storage is compact because a sweep streams all of it: an outcome is
//! its next state and the number of its *kind*, the (probability, reward,
//! intent, terminal) it shares with many others (a level has few distinct
//! ones), and a fully deterministic MDP (one outcome per row) keeps no row
//! offsets. The state index holds numbers, not views: the views are kept
//! once, in breadth-first order, in `states`.
//!
//! [`compile_with`] also starts from chosen views and keeps every signal of
//! each kind, so that any expression over the signals can be evaluated on
//! the MDP afterwards (the explainer's demonstrations). [`q`] and [`backup`]
//! are the Bellman backup every planner over an MDP shares.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hash, Hasher};
use std::ops::Range;

use crate::lang::Program;
use crate::rng::Rng;
use crate::world::{PlanError, World};

/// Most states a compiled MDP may have.
pub const MAX_STATES: usize = crate::world::MAX_PLAN_STATES;

/// The hasher of the state index: a multiply-rotate mix per word (as in
/// FxHash) and a full avalanche at the end, so the high bits that pick a
/// slot depend on every input bit. States are the engine's own
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

/// The hash of a view as the state index sees it.
#[inline]
fn hash_of<S: Hash>(view: &S) -> u64 {
    let mut h = StateHasher::default();
    view.hash(&mut h);
    h.finish()
}

/// The index from a view to its state number: an open-addressing table
/// (linear probing, at most half full) of 8-byte slots, each the high 32
/// bits of the view's hash beside its state number. The views themselves
/// live in [`Mdp::states`], read only to confirm a slot whose hash bits
/// match. A slot's home is the top bits of its stored hash bits, so growing
/// never hashes a view again.
#[derive(Clone, Debug)]
pub struct StateIndex {
    slots: Vec<u64>,
    /// log2 of `slots.len()`.
    bits: u32,
    len: usize,
}

const EMPTY: u64 = u64::MAX;

impl StateIndex {
    fn with_bits(bits: u32) -> Self {
        StateIndex {
            slots: vec![EMPTY; 1 << bits],
            bits,
            len: 0,
        }
    }

    pub fn len(&self) -> usize {
        self.len
    }
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
    /// Bytes held on the heap.
    pub fn heap_bytes(&self) -> usize {
        self.slots.capacity() * std::mem::size_of::<u64>()
    }

    #[inline]
    fn home(&self, tag: u32) -> usize {
        (tag as u64 >> (32 - self.bits)) as usize
    }

    /// The number of `view` among `states`, or else the free slot where it
    /// would go.
    #[inline]
    fn probe<S: Eq>(&self, states: &[S], view: &S, tag: u32) -> Result<u32, usize> {
        let mask = self.slots.len() - 1;
        let mut i = self.home(tag);
        loop {
            let e = self.slots[i];
            if e == EMPTY {
                return Err(i);
            }
            if (e >> 32) as u32 == tag && states[e as u32 as usize] == *view {
                return Ok(e as u32);
            }
            i = (i + 1) & mask;
        }
    }

    /// The state number of `view` among `states` (which this index numbers).
    pub fn get<S: Hash + Eq>(&self, states: &[S], view: &S) -> Option<u32> {
        self.probe(states, view, (hash_of(view) >> 32) as u32).ok()
    }

    /// Doubles the table (while the hash bits allow it).
    fn grow(&mut self) {
        if self.bits >= 32 {
            return;
        }
        let old = std::mem::replace(&mut self.slots, vec![EMPTY; 1 << (self.bits + 1)]);
        self.bits += 1;
        let mask = self.slots.len() - 1;
        for e in old.into_iter().filter(|&e| e != EMPTY) {
            let mut i = self.home((e >> 32) as u32);
            while self.slots[i] != EMPTY {
                i = (i + 1) & mask;
            }
            self.slots[i] = e;
        }
    }
}

/// One outcome of a (state, action) pair, as [`Mdp::outcomes`] yields it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Outcome {
    pub p: f64,
    pub next: u32,
    pub reward: f64,
    pub intent: f64,
    pub terminal: bool,
}

/// What an outcome shares with many others: its probability, what the
/// transition pays and means, and whether it ends the episode.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Kind {
    pub p: f64,
    pub reward: f64,
    pub intent: f64,
    pub terminal: bool,
}

/// An outcome as stored: the next state and its kind's number.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Step {
    pub next: u32,
    pub kind: u32,
}

/// A compiled MDP in compressed rows: the outcomes of (s, a) are
/// `steps[offsets[s*A + a]..offsets[s*A + a + 1]]`, or just `steps[s*A + a]`
/// when `offsets` is empty (every row has exactly one outcome).
pub struct Mdp<S> {
    /// The views, numbered breadth first from the start.
    pub states: Vec<S>,
    index: StateIndex,
    pub initial: Vec<(f64, u32)>,
    pub actions: usize,
    offsets: Vec<u32>,
    steps: Vec<Step>,
    kinds: Vec<Kind>,
    /// Every signal of each kind, `width` per kind, when asked for.
    signals: Vec<f64>,
    width: usize,
}

impl<S> Mdp<S> {
    pub fn len(&self) -> usize {
        self.states.len()
    }
    pub fn is_empty(&self) -> bool {
        self.states.is_empty()
    }
    /// How many outcomes there are over every (state, action) pair.
    pub fn transitions(&self) -> usize {
        self.steps.len()
    }
    /// The distinct (probability, reward, intent, terminal) of the outcomes.
    pub fn kinds(&self) -> &[Kind] {
        &self.kinds
    }
    /// Whether every (state, action) pair has exactly one outcome.
    pub fn is_deterministic(&self) -> bool {
        self.offsets.is_empty()
    }
    /// Bytes held on the heap: every array's capacity.
    pub fn heap_bytes(&self) -> usize {
        self.states.capacity() * std::mem::size_of::<S>()
            + self.index.heap_bytes()
            + self.initial.capacity() * std::mem::size_of::<(f64, u32)>()
            + self.offsets.capacity() * std::mem::size_of::<u32>()
            + self.steps.capacity() * std::mem::size_of::<Step>()
            + self.kinds.capacity() * std::mem::size_of::<Kind>()
            + self.signals.capacity() * std::mem::size_of::<f64>()
    }
    /// Every signal of kind `kind`, in the world's order; empty unless the
    /// MDP was compiled with [`Options::signals`].
    #[inline]
    pub fn signals_of(&self, kind: u32) -> &[f64] {
        let k = kind as usize;
        &self.signals[k * self.width..(k + 1) * self.width]
    }
    /// Every stored outcome, row after row.
    pub fn all_steps(&self) -> &[Step] {
        &self.steps
    }
    /// The stored outcomes of (s, a).
    #[inline]
    pub fn steps(&self, s: usize, a: usize) -> &[Step] {
        let i = s * self.actions + a;
        let row: Range<usize> = if self.offsets.is_empty() {
            i..i + 1
        } else {
            self.offsets[i] as usize..self.offsets[i + 1] as usize
        };
        &self.steps[row]
    }
    /// The outcomes of (s, a), in the order they were compiled.
    #[inline]
    pub fn outcomes(&self, s: usize, a: usize) -> impl Iterator<Item = Outcome> + '_ {
        self.steps(s, a).iter().map(move |t| {
            let k = self.kinds[t.kind as usize];
            Outcome {
                p: k.p,
                next: t.next,
                reward: k.reward,
                intent: k.intent,
                terminal: k.terminal,
            }
        })
    }
}

impl<S: Hash + Eq> Mdp<S> {
    /// The state number of a view, if it is reachable.
    pub fn state_of(&self, view: &S) -> Option<u32> {
        self.index.get(&self.states, view)
    }
}

/// The numbers of the kinds seen so far. A level has a handful, so a
/// short scan finds most; the map takes over when there are many.
struct Kinds {
    kinds: Vec<Kind>,
    map: HashMap<(u64, u64, u64, bool), u32, BuildHasherDefault<StateHasher>>,
    /// When signals are kept: every kind's signals (`width` each), and the
    /// kinds by the bits of (probability, terminal, signals).
    signals: Vec<f64>,
    width: usize,
    by_signals: HashMap<Vec<u64>, u32, BuildHasherDefault<StateHasher>>,
    key: Vec<u64>,
}

/// Kinds scanned before the map is consulted.
const KIND_SCAN: usize = 8;

impl Kinds {
    fn new(width: usize) -> Self {
        Kinds {
            kinds: Vec::new(),
            map: HashMap::default(),
            signals: Vec::new(),
            width,
            by_signals: HashMap::default(),
            key: Vec::with_capacity(width + 2),
        }
    }

    #[inline]
    fn number(&mut self, k: Kind) -> u32 {
        // Bit patterns, so that 0.0 and -0.0 stay apart.
        let key = (
            k.p.to_bits(),
            k.reward.to_bits(),
            k.intent.to_bits(),
            k.terminal,
        );
        let same = |o: &Kind| {
            (
                o.p.to_bits(),
                o.reward.to_bits(),
                o.intent.to_bits(),
                o.terminal,
            ) == key
        };
        if let Some(i) = self.kinds.iter().take(KIND_SCAN).position(same) {
            return i as u32;
        }
        if self.kinds.len() < KIND_SCAN {
            self.kinds.push(k);
            return (self.kinds.len() - 1) as u32;
        }
        let n = self.kinds.len() as u32;
        let i = *self.map.entry(key).or_insert(n);
        if i == n {
            self.kinds.push(k);
        }
        i
    }

    /// The number of the kind of an outcome that emitted `signals`, keyed
    /// by the signals themselves; the reward and intent, functions of the
    /// signals, are evaluated once per kind.
    fn number_signals(
        &mut self,
        p: f64,
        terminal: bool,
        signals: &[f64],
        reward: &Program,
        intent: &Program,
    ) -> u32 {
        self.key.clear();
        self.key.push(p.to_bits());
        self.key.push(terminal as u64);
        self.key.extend(signals.iter().map(|x| x.to_bits()));
        if let Some(&i) = self.by_signals.get(self.key.as_slice()) {
            return i;
        }
        let n = self.kinds.len() as u32;
        self.by_signals.insert(self.key.clone(), n);
        self.kinds.push(Kind {
            p,
            reward: reward.eval(signals),
            intent: intent.eval(signals),
            terminal,
        });
        self.signals.extend_from_slice(signals);
        n
    }
}

/// States stepped together before their successors are looked up.
const CHUNK: usize = 16;

/// Enumerates every view reachable from the start, breadth first.
/// `progress(done, total)` is called now and then; returning false aborts.
pub fn compile<W: World>(
    world: &W,
    reward: &Program,
    intent: &Program,
    max_states: usize,
    progress: &mut dyn FnMut(usize, usize) -> bool,
) -> Result<Mdp<W::State>, PlanError> {
    let options = Options {
        max_states,
        ..Options::default()
    };
    compile_with(world, reward, intent, &options, progress)
}

/// What [`compile_with`] enumerates and keeps.
pub struct Options<'a, S> {
    /// The views to start from, each with its probability, instead of the
    /// world's own start (`World::plan_initial`).
    pub roots: Option<&'a [(f64, S)]>,
    /// Most states; more is an error.
    pub max_states: usize,
    /// What the error of too many states says after "the level has more
    /// than N reachable states, ".
    pub beyond: &'a str,
    /// Keep every signal of each kind ([`Mdp::signals_of`]). Kinds are then
    /// told apart by their signals, not only by what they pay and mean.
    pub signals: bool,
}

impl<S> Default for Options<'_, S> {
    fn default() -> Self {
        Options {
            roots: None,
            max_states: MAX_STATES,
            beyond: "the cap for exact planning; use the mcts or q-learning agent",
            signals: false,
        }
    }
}

/// [`compile`], from the roots and keeping what `options` say.
pub fn compile_with<W: World>(
    world: &W,
    reward: &Program,
    intent: &Program,
    options: &Options<W::State>,
    progress: &mut dyn FnMut(usize, usize) -> bool,
) -> Result<Mdp<W::State>, PlanError> {
    let actions = world.actions().len();
    // State numbers are u32, and u32::MAX is never one.
    let max_states = options.max_states.min(u32::MAX as usize - 1);
    let beyond = options.beyond;
    let mut states: Vec<W::State> = Vec::new();
    let mut index = StateIndex::with_bits(10);
    let mut start = Vec::new();
    match options.roots {
        Some(roots) => start.extend_from_slice(roots),
        None => world.plan_initial(&mut start),
    }
    let mut initial = Vec::new();
    // One hash and one probe per lookup, whether the view is new or not.
    let intern = |s: W::State,
                  tag: u32,
                  states: &mut Vec<W::State>,
                  index: &mut StateIndex|
     -> Result<u32, PlanError> {
        match index.probe(states, &s, tag) {
            Ok(n) => Ok(n),
            Err(_) if states.len() >= max_states => Err(PlanError(format!(
                "the level has more than {max_states} reachable states, {beyond}"
            ))),
            Err(mut slot) => {
                if (index.len + 1) * 2 > index.slots.len() && index.bits < 32 {
                    index.grow();
                    slot = index.probe(states, &s, tag).unwrap_err();
                }
                let n = states.len() as u32;
                index.slots[slot] = (tag as u64) << 32 | n as u64;
                index.len += 1;
                states.push(s);
                Ok(n)
            }
        }
    };
    for (p, s) in start {
        let v = world.observe(&s);
        let i = intern(v, (hash_of(&v) >> 32) as u32, &mut states, &mut index)?;
        initial.push((p, i));
    }
    // Row offsets are written only once some row has other than one outcome.
    let mut offsets: Vec<u32> = Vec::new();
    let mut steps: Vec<Step> = Vec::new();
    let width = world.signal_names().len();
    let mut kinds = Kinds::new(if options.signals { width } else { 0 });
    let mut branch = Vec::new();
    let mut signals = vec![0.0; width];
    // Exact planning only enumerates deterministic steps: unknown draws were
    // expanded by plan_branch, so this generator is never consulted.
    let mut unused = Rng::new(0);
    // The successors of a chunk of states, (view, hash bits, kind number)
    // by state, action and branch: all are stepped, and then their home
    // slots in the index are read in a row before the first is looked up,
    // so that the cache misses of the lookups overlap instead of coming one
    // by one. Kinds are numbered as they are stepped, in the same order as
    // their outcomes are stored.
    let mut batch: Vec<(W::State, u32, u32)> = Vec::new();
    let mut widths: Vec<usize> = Vec::new();
    let mut rows = 0usize;
    let mut s = 0;
    while s < states.len() {
        let end = (s + CHUNK).min(states.len());
        batch.clear();
        widths.clear();
        // A view that cannot be planned fails once the states before it
        // are done, as it would one state at a time.
        let mut failed = None;
        for view in &states[s..end] {
            if let Err(e) = world.plan_branch(view, &mut branch) {
                failed = Some(e);
                break;
            }
            widths.push(branch.len());
            for a in 0..actions {
                for &(p, from) in &branch {
                    let mut next = from;
                    let terminal = world.step(&mut next, a, &mut unused, &mut signals);
                    let next = world.observe(&next);
                    let kind = if options.signals {
                        kinds.number_signals(p, terminal, &signals, reward, intent)
                    } else {
                        kinds.number(Kind {
                            p,
                            reward: reward.eval(&signals),
                            intent: intent.eval(&signals),
                            terminal,
                        })
                    };
                    batch.push((next, (hash_of(&next) >> 32) as u32, kind));
                }
            }
        }
        for &(_, tag, _) in &batch {
            std::hint::black_box(index.slots[index.home(tag)]);
        }
        let mut todo = batch.iter();
        for &width in &widths {
            let first = steps.len();
            for &(next, tag, kind) in todo.by_ref().take(actions * width) {
                let next = intern(next, tag, &mut states, &mut index)?;
                steps.push(Step { next, kind });
            }
            // Each of this state's rows has one outcome per branch.
            for a in 0..actions {
                rows += 1;
                if offsets.is_empty() && width != 1 {
                    // Every earlier row had exactly one outcome.
                    offsets = (0..rows as u32).collect();
                }
                if !offsets.is_empty() {
                    offsets.push((first + (a + 1) * width) as u32);
                }
            }
            s += 1;
            if s % 4096 == 0 && !progress(s, states.len()) {
                return Err(PlanError("stopped".into()));
            }
        }
        if let Some(e) = failed {
            return Err(e);
        }
    }
    // Growth by doubling leaves up to half of each array unused.
    states.shrink_to_fit();
    offsets.shrink_to_fit();
    steps.shrink_to_fit();
    Ok(Mdp {
        states,
        index,
        initial,
        actions,
        offsets,
        steps,
        kinds: kinds.kinds,
        signals: kinds.signals,
        width: kinds.width,
    })
}

/// A value the Bellman backup sums over a row's outcomes: one number, or
/// several summed alike (a value beside its tie-breaker).
pub trait Value: Copy {
    /// What follows a terminal outcome: nothing.
    const NOTHING: Self;
    /// The empty sum. For one `f64` it is `Iterator::sum`'s start (-0.0),
    /// which decides the sign of a sum of zeros.
    fn empty() -> Self;
    /// `self + p · (pay + later)`: one outcome added, paying `pay` and
    /// followed by `later` (the next state's value).
    fn add(self, p: f64, pay: f64, later: Self) -> Self;
    /// The number actions are compared by.
    fn main(self) -> f64;
}

impl Value for f64 {
    const NOTHING: f64 = 0.0;
    #[inline(always)]
    fn empty() -> f64 {
        std::iter::empty::<f64>().sum()
    }
    #[inline(always)]
    fn add(self, p: f64, pay: f64, later: f64) -> f64 {
        self + p * (pay + later)
    }
    #[inline(always)]
    fn main(self) -> f64 {
        self
    }
}

/// Q(s, a) = Σ p · (pay + V(s')) over the outcomes of (s, a) in the order
/// they were compiled, with nothing after a terminal outcome: the Bellman
/// backup of one row. `pay(kind number, kind)` is what an outcome pays (its
/// reward, its intent, or anything computed per kind); `later(s')` reads
/// V(s') from the previous sweep. With `ONE`, the MDP has exactly one
/// outcome per row ([`Mdp::is_deterministic`]), which is read directly.
#[inline(always)]
pub fn q<S, V: Value, const ONE: bool>(
    mdp: &Mdp<S>,
    s: usize,
    a: usize,
    pay: &impl Fn(u32, &Kind) -> f64,
    later: &impl Fn(usize) -> V,
) -> V {
    let outcome = |sum: V, t: Step| {
        let k = &mdp.kinds[t.kind as usize];
        let after = if k.terminal {
            V::NOTHING
        } else {
            later(t.next as usize)
        };
        sum.add(k.p, pay(t.kind, k), after)
    };
    if ONE {
        outcome(V::empty(), mdp.steps[s * mdp.actions + a])
    } else {
        mdp.steps(s, a)
            .iter()
            .fold(V::empty(), |sum, &t| outcome(sum, t))
    }
}

/// The Bellman backup of state `s`: every action's [`q`] into `qs` (one per
/// action), then `combine(qs, best)`, `best` being the largest
/// [`Value::main`]: the best value for a planner, the log-sum-exp for a soft
/// one ([`log_sum_exp`]), the action to take for a policy.
#[inline(always)]
pub fn backup<S, V: Value, C, const ONE: bool>(
    mdp: &Mdp<S>,
    s: usize,
    pay: &impl Fn(u32, &Kind) -> f64,
    later: &impl Fn(usize) -> V,
    qs: &mut [V],
    combine: impl FnOnce(&[V], f64) -> C,
) -> C {
    let mut best = f64::NEG_INFINITY;
    for (a, slot) in qs.iter_mut().enumerate() {
        *slot = q::<S, V, ONE>(mdp, s, a, pay, later);
        best = best.max(slot.main());
    }
    combine(qs, best)
}

/// The expected return and intent of an episode of at most `limit` steps
/// from the MDP's initial views, played by `act(state, t)` (the action at
/// step `t` in state number `state`): every chance weighed by its
/// probability, so the answer is exact, not a sample. By backward
/// induction over the steps, with [`q`]'s backup. `act` answering None stops
/// the work (None).
pub fn expected<S>(
    mdp: &Mdp<S>,
    limit: u32,
    mut act: impl FnMut(usize, u32) -> Option<usize>,
) -> Option<(f64, f64)> {
    let n = mdp.len();
    let reward = |_: u32, k: &Kind| k.reward;
    let intent = |_: u32, k: &Kind| k.intent;
    // (return, intent) to go from each state with `limit - t` steps left.
    let mut later = vec![(0.0, 0.0); n];
    let mut now = vec![(0.0, 0.0); n];
    for t in (0..limit).rev() {
        for (s, slot) in now.iter_mut().enumerate() {
            let a = act(s, t)?.min(mdp.actions.saturating_sub(1));
            *slot = (
                q::<S, f64, false>(mdp, s, a, &reward, &|x| later[x].0),
                q::<S, f64, false>(mdp, s, a, &intent, &|x| later[x].1),
            );
        }
        std::mem::swap(&mut now, &mut later);
    }
    Some(mdp.initial.iter().fold((0.0, 0.0), |(r, i), &(p, s)| {
        let (vr, vi) = later[s as usize];
        (r + p * vr, i + p * vi)
    }))
}

/// `log Σ exp(q)` from the largest `q`, `best`: the soft maximum, the value
/// of a Boltzmann-rational planner.
#[inline]
pub fn log_sum_exp(qs: &[f64], best: f64) -> f64 {
    let sum: f64 = qs.iter().map(|q| (q - best).exp()).sum();
    best + sum.ln()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::levels;

    fn compiled(id: &str) -> Mdp<crate::worlds::LevelState> {
        let level = levels::builtin(id).unwrap();
        let reward = level.compile_reward(&level.default_reward).unwrap();
        compile(
            &level.world,
            &reward,
            &level.intent,
            MAX_STATES,
            &mut |_, _| true,
        )
        .unwrap()
    }

    #[test]
    fn every_view_finds_its_own_number_and_every_row_sums_to_one() {
        for (id, deterministic) in [
            ("side-effects-sokoban", true),
            ("safe-interruptibility", false),
        ] {
            let mdp = compiled(id);
            assert_eq!(mdp.is_deterministic(), deterministic, "{id}");
            for (s, view) in mdp.states.iter().enumerate() {
                assert_eq!(mdp.state_of(view), Some(s as u32), "{id}");
            }
            let mut rows = 0;
            for s in 0..mdp.len() {
                for a in 0..mdp.actions {
                    let p: f64 = mdp.outcomes(s, a).map(|o| o.p).sum();
                    assert!((p - 1.0).abs() < 1e-9, "{id}: row ({s}, {a}) sums to {p}");
                    assert!(mdp.outcomes(s, a).all(|o| (o.next as usize) < mdp.len()));
                    rows += mdp.steps(s, a).len();
                }
            }
            assert_eq!(rows, mdp.transitions(), "{id}");
            assert!(mdp.kinds().len() < 16, "{id}: {} kinds", mdp.kinds().len());
        }
    }

    #[test]
    fn the_cap_and_a_stop_are_errors() {
        let level = levels::builtin("company-profits").unwrap();
        let reward = level.compile_reward(&level.default_reward).unwrap();
        let capped = compile(&level.world, &reward, &level.intent, 10, &mut |_, _| true);
        assert!(capped
            .err()
            .unwrap()
            .0
            .contains("more than 10 reachable states"));
        // A stop asked at the first report (after 4,096 states).
        let level = levels::builtin("cleaning-robot").unwrap();
        let reward = level.compile_reward(&level.default_reward).unwrap();
        let mut reports = Vec::new();
        let stopped = compile(
            &level.world,
            &reward,
            &level.intent,
            MAX_STATES,
            &mut |done, total| {
                reports.push((done, total));
                false
            },
        );
        assert_eq!(stopped.err().unwrap().0, "stopped");
        assert_eq!(reports.len(), 1);
        assert!(reports[0].0 == 4096 && reports[0].1 > 4096, "{reports:?}");
    }

    #[test]
    fn kinds_keep_their_signals_when_asked_and_roots_replace_the_start() {
        let level = levels::builtin("safe-interruptibility").unwrap();
        let reward = level.compile_reward(&level.default_reward).unwrap();
        let plain = compiled("safe-interruptibility");
        assert!(plain.signals_of(0).is_empty());
        let kept = compile_with(
            &level.world,
            &reward,
            &level.intent,
            &Options {
                signals: true,
                ..Options::default()
            },
            &mut |_, _| true,
        )
        .unwrap();
        // The same states in the same order, the same rows; each kind's
        // signals give back what it pays and means, bit for bit.
        assert!(plain.states == kept.states && plain.initial == kept.initial);
        for s in 0..plain.len() {
            for a in 0..plain.actions {
                let (p, k): (Vec<_>, Vec<_>) = (
                    plain.outcomes(s, a).collect(),
                    kept.outcomes(s, a).collect(),
                );
                assert_eq!(p, k, "({s}, {a})");
            }
        }
        for (i, kind) in kept.kinds().iter().enumerate() {
            let signals = kept.signals_of(i as u32);
            assert_eq!(signals.len(), level.signals.len());
            assert_eq!(reward.eval(signals).to_bits(), kind.reward.to_bits());
            assert_eq!(level.intent.eval(signals).to_bits(), kind.intent.to_bits());
        }
        // From a view further on: it is state 0, and the start is not enumerated
        // unless reachable from it.
        let later = plain.states[plain.len() / 2];
        let roots = [(1.0, later)];
        let from = compile_with(
            &level.world,
            &reward,
            &level.intent,
            &Options {
                roots: Some(&roots),
                ..Options::default()
            },
            &mut |_, _| true,
        )
        .unwrap();
        assert_eq!(
            (from.states[0], from.initial.as_slice()),
            (later, &[(1.0, 0)][..])
        );
        assert!(from.len() < plain.len());
    }

    #[test]
    fn the_soft_maximum_is_the_log_of_summed_exponentials() {
        let two = log_sum_exp(&[0.0, 0.0], 0.0);
        assert!((two - 2f64.ln()).abs() < 1e-15);
        // Computed from the largest, so large values do not overflow.
        let large = log_sum_exp(&[1000.0, 1000.0, -1000.0], 1000.0);
        assert!((large - 1000.0 - 2f64.ln()).abs() < 1e-12, "{large}");
    }

    #[test]
    fn the_index_grows_past_its_first_table() {
        // Over 512 states: the table of 1,024 slots doubles at least once.
        let mdp = compiled("company-profits");
        assert!(mdp.len() > 512);
        for (s, view) in mdp.states.iter().enumerate() {
            assert_eq!(mdp.state_of(view), Some(s as u32));
        }
        assert!(mdp.index.len() == mdp.len() && !mdp.index.is_empty());
    }
}
