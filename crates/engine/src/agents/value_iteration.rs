//! Exact finite-horizon value iteration over the compiled reachable MDP.
//!
//! `V_k(s)` is the best expected undiscounted return over the next `k` steps.
//! With power `H`, the agent at step `t` of an episode of `T` steps acts
//! greedily on `Q_k` with `k = min(H, T - t)`: a planner that looks `H` steps
//! ahead. `H = T` is the exact optimum. Sweeps stop early once `V_k` no longer
//! changes (the values have converged), so goal levels are cheap.
//! Memory: two f64 per state per sweep kept (the value and its tie-breaker,
//! side by side), plus the MDP itself.

use crate::agents::{argmax_tiebreak, Progress, MAX_ACTIONS};
use crate::lang::Program;
use crate::mdp::{self, Mdp};
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
    /// `values[k][s]` = (V_k(s), its tie-breaking value), for k = 0..=sweeps.
    /// The tie-breaking value of the plan behind V_k(s) is its reward
    /// discounted by [`SOONER`], so that of two plans worth the same the one
    /// that pays sooner is preferred. The two sit side by side because every
    /// read of one is a read of the other: one cache line instead of two.
    values: Vec<Vec<(f64, f64)>>,
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
        let mut values: Vec<Vec<(f64, f64)>> = vec![vec![(0.0, 0.0); n]];
        let mut converged_at = None;
        for k in 1..=horizon {
            let prev = &values[(k - 1) as usize];
            let mut next = Vec::with_capacity(n);
            let mut change = 0.0f64;
            for (s, &(before, _)) in prev.iter().enumerate() {
                let (best, best_sooner) = best_pair(&mdp, prev, s);
                change = change.max((best - before).abs());
                next.push((best, best_sooner));
            }
            values.push(next);
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
        let sweeps: usize = self
            .values
            .iter()
            .map(|v| v.capacity() * std::mem::size_of::<(f64, f64)>())
            .sum();
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
                .map(|a| q_pair(&self.mdp, prev, s as usize, a).0)
                .collect(),
        )
    }

    /// V of a view with `remaining` steps left.
    pub fn value(&self, view: &S, remaining: u32) -> Option<f64> {
        let s = self.mdp.state_of(view)?;
        Some(self.values[self.depth(remaining)][s as usize].0)
    }

    /// The greedy action at step `t` of the episode. Among actions whose
    /// plans are worth the same within the horizon, the one whose plan pays
    /// sooner wins: a planner that breaks such ties arbitrarily can postpone
    /// forever, since waiting a step and then acting looks just as good from
    /// every step. Remaining ties go by the seed.
    pub fn act(&self, view: &S, t: u32) -> usize {
        let remaining = self.limit.saturating_sub(t);
        let Some(s) = self.mdp.state_of(view) else {
            // Unreachable views cannot occur in the MDP's own episodes.
            return 0;
        };
        let s = s as usize;
        let k = self.depth(remaining);
        let n = self.mdp.actions;
        let mut choice = [0.0; MAX_ACTIONS];
        if k > 0 {
            let prev = &self.values[k - 1];
            let mut q = [(0.0, 0.0); MAX_ACTIONS];
            for (a, slot) in q.iter_mut().enumerate().take(n) {
                *slot = q_pair(&self.mdp, prev, s, a);
            }
            let best = q[..n].iter().map(|p| p.0).fold(f64::NEG_INFINITY, f64::max);
            for a in 0..n {
                choice[a] = if q[a].0 >= best - TIE {
                    q[a].1
                } else {
                    f64::NEG_INFINITY
                };
            }
        }
        argmax_tiebreak(&choice[..n], mix(&[self.seed, s as u64, k as u64]))
    }
}

/// Values closer than this are equal.
const TIE: f64 = 1e-9;
/// Discount of the tie-breaking value only; planning itself is undiscounted.
pub const SOONER: f64 = 0.9;

/// The best value of state `s` and the tie-breaking value of the best plan.
#[inline]
fn best_pair<S>(mdp: &Mdp<S>, prev: &[(f64, f64)], s: usize) -> (f64, f64) {
    let mut best = f64::NEG_INFINITY;
    let mut q = [(0.0, 0.0); MAX_ACTIONS];
    for (a, slot) in q.iter_mut().enumerate().take(mdp.actions) {
        *slot = q_pair(mdp, prev, s, a);
        best = best.max(slot.0);
    }
    let best_sooner = q[..mdp.actions]
        .iter()
        .filter(|p| p.0 >= best - TIE)
        .map(|p| p.1)
        .fold(f64::NEG_INFINITY, f64::max);
    (best, best_sooner)
}

/// Q of (s, a) and its tie-breaking value, in one pass over the outcomes.
/// Each is summed in outcome order from the same start as `Iterator::sum`,
/// so the values are exactly those of summing them apart.
#[inline]
fn q_pair<S>(mdp: &Mdp<S>, prev: &[(f64, f64)], s: usize, a: usize) -> (f64, f64) {
    let start = sum_start();
    let (mut q, mut sooner) = (start, start);
    for o in mdp.outcomes(s, a) {
        let (v, w) = if o.terminal {
            (0.0, 0.0)
        } else {
            let (v, w) = prev[o.next as usize];
            (v, SOONER * w)
        };
        q += o.p * (o.reward + v);
        sooner += o.p * (o.reward + w);
    }
    (q, sooner)
}

/// The value `Iterator::sum` starts from for `f64` (it decides the sign of
/// a sum of zeros).
#[inline]
fn sum_start() -> f64 {
    std::iter::empty::<f64>().sum()
}
