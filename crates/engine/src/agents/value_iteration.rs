//! Exact finite-horizon value iteration over the compiled reachable MDP.
//!
//! `V_k(s)` is the best expected undiscounted return over the next `k` steps.
//! With power `H`, the agent at step `t` of an episode of `T` steps acts
//! greedily on `Q_k` with `k = min(H, T - t)`: a planner that looks `H` steps
//! ahead. `H = T` is the exact optimum. Sweeps stop early once `V_k` no longer
//! changes (the values have converged), so goal levels are cheap.
//! Memory: two f64 per state per sweep kept (the value and its tie-breaker),
//! plus the MDP itself.

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
    /// `values[k][s]` = V_k(s), for k = 0..=sweeps.
    values: Vec<Vec<f64>>,
    /// The tie-breaking value of the plan behind `values[k][s]`: its reward
    /// discounted by [`SOONER`], so that of two plans worth the same the one
    /// that pays sooner is preferred.
    sooner: Vec<Vec<f64>>,
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
        let horizon = horizon.clamp(1, limit);
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
        let n = mdp.len();
        let mut values: Vec<Vec<f64>> = vec![vec![0.0; n]];
        let mut sooner: Vec<Vec<f64>> = vec![vec![0.0; n]];
        let mut converged_at = None;
        for k in 1..=horizon {
            let (prev, prev_sooner) = (&values[(k - 1) as usize], &sooner[(k - 1) as usize]);
            let mut next = vec![0.0; n];
            let mut next_sooner = vec![0.0; n];
            let mut change = 0.0f64;
            for s in 0..n {
                let (best, best_sooner) = best_pair(&mdp, prev, prev_sooner, s);
                change = change.max((best - prev[s]).abs());
                next[s] = best;
                next_sooner[s] = best_sooner;
            }
            values.push(next);
            sooner.push(next_sooner);
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
            transitions: mdp.outcomes.len(),
            sweeps: (values.len() - 1) as u32,
            converged_at,
        };
        Ok(ValueIteration {
            mdp,
            values,
            sooner,
            horizon,
            limit,
            seed,
            stats,
        })
    }

    /// The planning depth used with `remaining` steps left.
    fn depth(&self, remaining: u32) -> usize {
        (self.horizon.min(remaining) as usize).min(self.values.len() - 1)
    }

    /// Q-values of a view with `remaining` steps left (None if unreachable).
    pub fn q_values(&self, view: &S, remaining: u32) -> Option<Vec<f64>> {
        let &s = self.mdp.index.get(view)?;
        let k = self.depth(remaining);
        if k == 0 {
            return Some(vec![0.0; self.mdp.actions]);
        }
        let prev = &self.values[k - 1];
        Some(
            (0..self.mdp.actions)
                .map(|a| q_value(&self.mdp, prev, s as usize, a))
                .collect(),
        )
    }

    /// V of a view with `remaining` steps left.
    pub fn value(&self, view: &S, remaining: u32) -> Option<f64> {
        let &s = self.mdp.index.get(view)?;
        Some(self.values[self.depth(remaining)][s as usize])
    }

    /// The greedy action at step `t` of the episode. Among actions whose
    /// plans are worth the same within the horizon, the one whose plan pays
    /// sooner wins: a planner that breaks such ties arbitrarily can postpone
    /// forever, since waiting a step and then acting looks just as good from
    /// every step. Remaining ties go by the seed.
    pub fn act(&self, view: &S, t: u32) -> usize {
        let remaining = self.limit.saturating_sub(t);
        let Some(&s) = self.mdp.index.get(view) else {
            // Unreachable views cannot occur in the MDP's own episodes.
            return 0;
        };
        let s = s as usize;
        let k = self.depth(remaining);
        let n = self.mdp.actions;
        let mut choice = [0.0; MAX_ACTIONS];
        if k > 0 {
            let (prev, prev_sooner) = (&self.values[k - 1], &self.sooner[k - 1]);
            let q: Vec<f64> = (0..n).map(|a| q_value(&self.mdp, prev, s, a)).collect();
            let best = q.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            for a in 0..n {
                choice[a] = if q[a] >= best - TIE {
                    q_sooner(&self.mdp, prev_sooner, s, a)
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
fn best_pair<S: Copy + Eq + std::hash::Hash>(
    mdp: &Mdp<S>,
    prev: &[f64],
    prev_sooner: &[f64],
    s: usize,
) -> (f64, f64) {
    let mut best = f64::NEG_INFINITY;
    let mut q = [0.0; MAX_ACTIONS];
    for (a, slot) in q.iter_mut().enumerate().take(mdp.actions) {
        *slot = q_value(mdp, prev, s, a);
        best = best.max(*slot);
    }
    let best_sooner = (0..mdp.actions)
        .filter(|&a| q[a] >= best - TIE)
        .map(|a| q_sooner(mdp, prev_sooner, s, a))
        .fold(f64::NEG_INFINITY, f64::max);
    (best, best_sooner)
}

#[inline]
fn q_sooner<S: Copy + Eq + std::hash::Hash>(
    mdp: &Mdp<S>,
    prev_sooner: &[f64],
    s: usize,
    a: usize,
) -> f64 {
    mdp.outcomes(s, a)
        .iter()
        .map(|o| {
            o.p * (o.reward
                + if o.terminal {
                    0.0
                } else {
                    SOONER * prev_sooner[o.next as usize]
                })
        })
        .sum()
}

#[inline]
fn q_value<S: Copy + Eq + std::hash::Hash>(mdp: &Mdp<S>, prev: &[f64], s: usize, a: usize) -> f64 {
    mdp.outcomes(s, a)
        .iter()
        .map(|o| {
            o.p * (o.reward
                + if o.terminal {
                    0.0
                } else {
                    prev[o.next as usize]
                })
        })
        .sum()
}
