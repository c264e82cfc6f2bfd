//! Exact finite-horizon value iteration over the compiled reachable MDP.
//!
//! `V_k(s)` is the best expected undiscounted return over the next `k` steps.
//! With power `H`, the agent at step `t` of an episode of `T` steps acts
//! greedily on `Q_k` with `k = min(H, T - t)`: a planner that looks `H` steps
//! ahead. `H = T` is the exact optimum. Sweeps stop early once `V_k` no longer
//! changes (the values have converged), so goal levels are cheap.
//! Memory: per sweep kept, one code per state into the table of the sweep's
//! distinct (value, tie-breaker) pairs (a byte while there are at most 256,
//! two while at most 65,536; past that the two f64 themselves), plus the MDP.

use std::collections::HashMap;
use std::hash::BuildHasherDefault;

use crate::agents::{argmax_tiebreak, Act, Hook, Policy, Progress, MAX_ACTIONS};
use crate::lang::Program;
use crate::mdp::{self, Kind, Mdp, StateHasher, Value};
use crate::rng::mix;
use crate::world::{PlanError, World};

/// Statistics of a solve.
#[derive(Clone, Debug, PartialEq)]
pub struct ViStats {
    pub states: usize,
    pub transitions: usize,
    pub sweeps: u32,
    /// The sweep after which values stopped changing, if they did.
    pub converged_at: Option<u32>,
}

/// A solved planner.
pub struct ValueIteration<S> {
    pub mdp: Mdp<S>,
    /// `values[k].at(s)` = (V_k(s), its tie-breaking value), for k =
    /// 0..=sweeps. The tie-breaking value of the plan behind V_k(s) is its
    /// reward discounted by [`SOONER`], so that of two plans worth the same
    /// the one that pays sooner is preferred. The two are stored as one pair
    /// because every read of one is a read of the other.
    values: Vec<Sweep>,
    horizon: u32,
    limit: u32,
    seed: u64,
    pub stats: ViStats,
}

impl<S: Copy + Eq + std::hash::Hash> ValueIteration<S> {
    /// Compiles the MDP and runs the sweeps the horizon needs.
    pub fn solve<W: World<State = S>>(
        world: &W,
        reward: &Program,
        intent: &Program,
        limit: u32,
        horizon: u32,
        seed: u64,
        progress: &mut dyn FnMut(&Progress) -> bool,
    ) -> Result<Self, PlanError> {
        let mdp = mdp::compile(
            world,
            reward,
            intent,
            mdp::MAX_STATES,
            &mut |done, total| {
                progress(&Progress {
                    done: done as u64,
                    total: total as u64 * 2,
                    point: None,
                })
            },
        )?;
        Self::from_mdp(mdp, limit, horizon, seed, progress)
    }

    /// Runs the sweeps the horizon needs over an already compiled MDP.
    /// `progress` sees each sweep (`done` of `total` = the horizon).
    pub fn from_mdp(
        mdp: Mdp<S>,
        limit: u32,
        horizon: u32,
        seed: u64,
        progress: &mut dyn FnMut(&Progress) -> bool,
    ) -> Result<Self, PlanError> {
        let horizon = horizon.clamp(1, limit.max(1));
        let n = mdp.len();
        // V_0 is zero everywhere: one pair, and codes the allocator hands
        // out zeroed.
        let mut values = vec![Sweep::Narrow {
            table: vec![(0.0, 0.0)],
            codes: vec![0; n],
        }];
        let mut converged_at = None;
        for k in 1..=horizon {
            let mut next = Encoder::new(n);
            // One loop per storage of V_{k-1}, each with its reads inlined;
            // the first sweep reads V_0 without touching it.
            let change = match &values[(k - 1) as usize] {
                _ if k == 1 => sweep(&mdp, &Zeros, n, &mut next),
                Sweep::Narrow { table, codes } => {
                    sweep(&mdp, &Coded { table, codes }, n, &mut next)
                }
                Sweep::Wide { table, codes } => sweep(&mdp, &Coded { table, codes }, n, &mut next),
                Sweep::Full(v) => sweep(&mdp, &v.as_slice(), n, &mut next),
            };
            values.push(next.finish());
            if !progress(&Progress {
                done: k as u64,
                total: horizon as u64,
                point: None,
            }) {
                return Err(PlanError("stopped".into()));
            }
            if change < 1e-9 {
                converged_at = Some(k);
                break;
            }
        }
        let stats = ViStats {
            states: n,
            transitions: mdp.transitions(),
            sweeps: (values.len() - 1) as u32,
            converged_at,
        };
        Ok(ValueIteration {
            mdp,
            values,
            horizon,
            limit,
            seed,
            stats,
        })
    }

    /// Bytes held on the heap: the MDP and every sweep's values.
    pub fn heap_bytes(&self) -> usize {
        let sweeps: usize = self.values.iter().map(Sweep::heap_bytes).sum();
        self.mdp.heap_bytes() + sweeps
    }

    /// The planning depth used with `remaining` steps left.
    fn depth(&self, remaining: u32) -> usize {
        (self.horizon.min(remaining) as usize).min(self.values.len() - 1)
    }

    /// Q-values of a view with `remaining` steps left (None if unreachable).
    pub fn q_values(&self, view: &S, remaining: u32) -> Option<Vec<f64>> {
        let s = self.mdp.state_of(view)?;
        let k = self.depth(remaining);
        if k == 0 {
            return Some(vec![0.0; self.mdp.actions]);
        }
        let prev = &self.values[k - 1];
        Some(
            (0..self.mdp.actions)
                .map(|a| {
                    mdp::q::<_, _, false>(&self.mdp, s as usize, a, &reward, &|t| prev.at(t)).0
                })
                .collect(),
        )
    }

    /// V of a view with `remaining` steps left.
    pub fn value(&self, view: &S, remaining: u32) -> Option<f64> {
        let s = self.mdp.state_of(view)?;
        Some(self.values[self.depth(remaining)].at(s as usize).0)
    }

    /// The greedy action at step `t` of the episode. Among actions whose
    /// plans are worth the same within the horizon, the one whose plan pays
    /// sooner wins: a planner that breaks such ties arbitrarily can postpone
    /// forever, since waiting a step and then acting looks just as good from
    /// every step. Remaining ties go by the seed.
    pub fn act(&self, view: &S, t: u32) -> usize {
        match self.mdp.state_of(view) {
            Some(s) => self.act_at(s as usize, t),
            // Unreachable views cannot occur in the MDP's own episodes.
            None => 0,
        }
    }

    /// [`ValueIteration::act`] in state number `s` of its own MDP.
    pub fn act_at(&self, s: usize, t: u32) -> usize {
        let remaining = self.limit.saturating_sub(t);
        let k = self.depth(remaining);
        let n = self.mdp.actions;
        let tie = mix(&[self.seed, s as u64, k as u64]);
        if k == 0 {
            return argmax_tiebreak(&[0.0; MAX_ACTIONS][..n], tie);
        }
        let prev = &self.values[k - 1];
        let mut q = [(0.0, 0.0); MAX_ACTIONS];
        mdp::backup::<_, _, _, false>(
            &self.mdp,
            s,
            &reward,
            &|t| prev.at(t),
            &mut q[..n],
            |q, best| greedy(q, best, tie),
        )
    }
}

/// What a transition pays the planner: its reward.
#[inline(always)]
fn reward(_: u32, k: &Kind) -> f64 {
    k.reward
}

/// The action to take given each action's (Q, tie-breaking value) and the
/// best Q: among the actions within [`TIE`] of it, the one whose plan pays
/// soonest; the remaining ties go by `tie` (a hash of the seed, the state
/// and the depth).
pub fn greedy(q: &[(f64, f64)], best: f64, tie: u64) -> usize {
    let mut choice = [0.0; MAX_ACTIONS];
    for (c, &(v, sooner)) in choice.iter_mut().zip(q) {
        *c = if v >= best - TIE {
            sooner
        } else {
            f64::NEG_INFINITY
        };
    }
    argmax_tiebreak(&choice[..q.len()], tie)
}

impl<W: World> Policy<W> for ValueIteration<W::State> {
    fn act(&mut self, _: &W, view: &W::State, t: u32, _: &mut Hook<'_>) -> Act {
        Ok(Some(ValueIteration::act(self, view, t)))
    }
}

/// Values closer than this are equal.
pub const TIE: f64 = 1e-9;
/// Discount of the tie-breaking value only; planning itself is undiscounted.
pub const SOONER: f64 = 0.9;

/// Computes V_k from V_{k-1} (`prev`) into `next`; returns the largest
/// change of a value.
fn sweep<S, R: Values>(mdp: &Mdp<S>, prev: &R, n: usize, next: &mut Encoder) -> f64 {
    if mdp.is_deterministic() {
        sweep_rows::<S, R, true>(mdp, prev, n, next)
    } else {
        sweep_rows::<S, R, false>(mdp, prev, n, next)
    }
}

/// [`sweep`], with `ONE` when every row has exactly one outcome.
fn sweep_rows<S, R: Values, const ONE: bool>(
    mdp: &Mdp<S>,
    prev: &R,
    n: usize,
    next: &mut Encoder,
) -> f64 {
    let mut change = 0.0f64;
    let mut q = [(0.0, 0.0); MAX_ACTIONS];
    let later = |t| prev.at(t);
    for s in 0..n {
        let before = prev.at(s).0;
        let (best, best_sooner) =
            mdp::backup::<_, _, _, ONE>(mdp, s, &reward, &later, &mut q[..mdp.actions], best_pair);
        change = change.max((best - before).abs());
        next.push((best, best_sooner));
    }
    change
}

/// The best Q and the tie-breaking value of the best plan: how a planner's
/// actions combine into the value of their state.
#[inline(always)]
fn best_pair(q: &[(f64, f64)], best: f64) -> (f64, f64) {
    let best_sooner = q
        .iter()
        .filter(|p| p.0 >= best - TIE)
        .map(|p| p.1)
        .fold(f64::NEG_INFINITY, f64::max);
    (best, best_sooner)
}

/// A value beside its tie-breaking value, summed over the same outcomes in
/// one pass; the tie-breaking value of what follows is discounted by
/// [`SOONER`]. Each is summed from the same start as `Iterator::sum`, so
/// the two are exactly those of summing them apart.
impl Value for (f64, f64) {
    const NOTHING: (f64, f64) = (0.0, 0.0);
    #[inline(always)]
    fn empty() -> (f64, f64) {
        (f64::empty(), f64::empty())
    }
    #[inline(always)]
    fn add(self, p: f64, pay: f64, later: (f64, f64)) -> (f64, f64) {
        (
            self.0 + p * (pay + later.0),
            self.1 + p * (pay + SOONER * later.1),
        )
    }
    #[inline(always)]
    fn main(self) -> f64 {
        self.0
    }
}

/// Read access to one sweep's (value, tie-breaker) pairs.
trait Values {
    fn at(&self, s: usize) -> (f64, f64);
}

/// V_0, without reading memory.
struct Zeros;

impl Values for Zeros {
    #[inline]
    fn at(&self, _: usize) -> (f64, f64) {
        (0.0, 0.0)
    }
}

impl Values for &[(f64, f64)] {
    #[inline]
    fn at(&self, s: usize) -> (f64, f64) {
        self[s]
    }
}

/// A sweep stored as codes into its table of distinct pairs.
struct Coded<'a, C> {
    table: &'a [(f64, f64)],
    codes: &'a [C],
}

impl<C: Copy + Into<usize>> Values for Coded<'_, C> {
    #[inline]
    fn at(&self, s: usize) -> (f64, f64) {
        self.table[self.codes[s].into()]
    }
}

/// One sweep's values. A level's values take few distinct (value,
/// tie-breaker) pairs (a million-state warehouse has k + 1 after k sweeps),
/// so a sweep is usually a byte per state; the pairs are stored exactly,
/// so reading a code gives back the very bits computed.
enum Sweep {
    Narrow {
        table: Vec<(f64, f64)>,
        codes: Vec<u8>,
    },
    Wide {
        table: Vec<(f64, f64)>,
        codes: Vec<u16>,
    },
    Full(Vec<(f64, f64)>),
}

impl Sweep {
    fn heap_bytes(&self) -> usize {
        let pair = std::mem::size_of::<(f64, f64)>();
        match self {
            Sweep::Narrow { table, codes } => table.capacity() * pair + codes.capacity(),
            Sweep::Wide { table, codes } => table.capacity() * pair + codes.capacity() * 2,
            Sweep::Full(v) => v.capacity() * pair,
        }
    }
}

impl Values for Sweep {
    #[inline]
    fn at(&self, s: usize) -> (f64, f64) {
        match self {
            Sweep::Narrow { table, codes } => table[codes[s] as usize],
            Sweep::Wide { table, codes } => table[codes[s] as usize],
            Sweep::Full(v) => v[s],
        }
    }
}

/// Slots of the encoder's cache of recently coded pairs.
const CACHE: usize = 256;

/// Builds a [`Sweep`] pair by pair, widening its codes when the distinct
/// pairs outgrow them.
struct Encoder {
    sweep: Sweep,
    /// Bit patterns (so 0.0 and -0.0 stay apart) to code.
    map: HashMap<(u64, u64), u32, BuildHasherDefault<StateHasher>>,
    /// A direct-mapped cache in front of `map`: (bits, bits, code).
    cache: Vec<(u64, u64, u32)>,
    n: usize,
}

impl Encoder {
    fn new(n: usize) -> Self {
        Encoder {
            sweep: Sweep::Narrow {
                table: Vec::new(),
                codes: Vec::with_capacity(n),
            },
            map: HashMap::default(),
            // No pair has these bits as its value: they are a NaN.
            cache: vec![(u64::MAX, u64::MAX, 0); CACHE],
            n,
        }
    }

    /// The cache slot of a pair's bits.
    #[inline(always)]
    fn slot(key: (u64, u64)) -> usize {
        ((key.0 ^ key.1.rotate_left(29)).wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 56) as usize % CACHE
    }

    /// The code of a pair, adding it to the table if new.
    fn code(&mut self, pair: (f64, f64)) -> usize {
        let key = (pair.0.to_bits(), pair.1.to_bits());
        let slot = Self::slot(key);
        let c = self.cache[slot];
        if (c.0, c.1) == key {
            return c.2 as usize;
        }
        let fresh = self.map.len() as u32;
        let code = *self.map.entry(key).or_insert(fresh);
        if code == fresh {
            match &mut self.sweep {
                Sweep::Narrow { table, .. } | Sweep::Wide { table, .. } => table.push(pair),
                Sweep::Full(_) => unreachable!("a full sweep codes nothing"),
            }
        }
        self.cache[slot] = (key.0, key.1, code);
        code as usize
    }

    /// Appends the next state's pair.
    #[inline(always)]
    fn push(&mut self, pair: (f64, f64)) {
        // The common case: a byte code of a pair coded recently.
        if let Sweep::Narrow { codes, .. } = &mut self.sweep {
            let key = (pair.0.to_bits(), pair.1.to_bits());
            let c = self.cache[Self::slot(key)];
            if (c.0, c.1) == key && c.2 <= u8::MAX as u32 {
                codes.push(c.2 as u8);
                return;
            }
        }
        self.push_slow(pair);
    }

    #[inline(never)]
    fn push_slow(&mut self, pair: (f64, f64)) {
        if let Sweep::Full(v) = &mut self.sweep {
            v.push(pair);
            return;
        }
        let code = self.code(pair);
        match &mut self.sweep {
            Sweep::Narrow { codes, .. } if code <= u8::MAX as usize => codes.push(code as u8),
            Sweep::Wide { codes, .. } if code <= u16::MAX as usize => codes.push(code as u16),
            _ => {
                self.widen();
                self.push_slow(pair);
            }
        }
    }

    /// Bytes to u16 codes, or u16 codes to the pairs themselves.
    #[cold]
    fn widen(&mut self) {
        let n = self.n;
        let old = std::mem::replace(&mut self.sweep, Sweep::Full(Vec::new()));
        self.sweep = match old {
            Sweep::Narrow { table, codes } => {
                let mut wide = Vec::with_capacity(n);
                wide.extend(codes.iter().map(|&c| c as u16));
                Sweep::Wide { table, codes: wide }
            }
            Sweep::Wide { table, codes } => {
                let mut full = Vec::with_capacity(n);
                full.extend(codes.iter().map(|&c| table[c as usize]));
                self.map = HashMap::default();
                Sweep::Full(full)
            }
            Sweep::Full(v) => Sweep::Full(v),
        };
    }

    fn finish(self) -> Sweep {
        match self.sweep {
            Sweep::Narrow { mut table, codes } => {
                table.shrink_to_fit();
                Sweep::Narrow { table, codes }
            }
            Sweep::Wide { mut table, codes } => {
                table.shrink_to_fit();
                Sweep::Wide { table, codes }
            }
            full => full,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Encodes `pairs` and checks every one reads back bit for bit.
    fn round_trip(pairs: &[(f64, f64)]) -> Sweep {
        let mut e = Encoder::new(pairs.len());
        for &p in pairs {
            e.push(p);
        }
        let sweep = e.finish();
        for (s, &(v, w)) in pairs.iter().enumerate() {
            let (a, b) = sweep.at(s);
            assert_eq!(
                (a.to_bits(), b.to_bits()),
                (v.to_bits(), w.to_bits()),
                "state {s}"
            );
        }
        sweep
    }

    #[test]
    fn a_sweep_keeps_every_bit_and_widens_as_pairs_grow() {
        // Zeros of both signs are different pairs.
        let few = [
            (0.0, -0.0),
            (-0.0, 0.0),
            (0.0, 0.0),
            (0.0, -0.0),
            (1.5, 2.5),
        ];
        assert!(matches!(round_trip(&few), Sweep::Narrow { ref table, .. } if table.len() == 4));
        // Past 256 distinct pairs, two-byte codes; repeats keep their codes.
        let some: Vec<(f64, f64)> = (0..3000)
            .map(|i| ((i % 700) as f64, -((i % 700) as f64) * 0.9))
            .collect();
        assert!(matches!(round_trip(&some), Sweep::Wide { ref table, .. } if table.len() == 700));
        // Past 65,536, the pairs themselves.
        let many: Vec<(f64, f64)> = (0..70_000)
            .map(|i| (i as f64 * 0.5, (i % 3) as f64))
            .collect();
        assert!(matches!(round_trip(&many), Sweep::Full(_)));
    }
}
