//! Tabular Q-learning with epsilon-greedy exploration.
//!
//! Power is the number of training episodes. Exploration falls linearly from
//! 1 to 0.05 over the first 80% of training. Rewards are discounted by
//! [`GAMMA`] when bootstrapping: without time in its table, an undiscounted
//! learner's values would grow without bound on levels that loop (boat race).
//! Truncation by the step limit bootstraps; true termination does not.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use crate::agents::{
    argmax_tiebreak, Act, CurvePoint, Hook, Policy, Progress, RunError, Task, MAX_ACTIONS,
};
use crate::env::Env;
use crate::rng::{mix, Rng};
use crate::world::{Params, World};

pub const DEFAULT_POWER: u32 = 3_000;
pub const GAMMA: f64 = 0.99;
pub const ALPHA: f64 = 0.2;
const EPSILON_END: f64 = 0.05;
const TRAIN_STREAM: u64 = 0x51_4C; // "QL"

/// Keys are already well mixed, so the table hashes them as they are.
#[derive(Default)]
pub struct IdentityHasher(u64);
impl Hasher for IdentityHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ b as u64;
        }
    }
    fn write_u64(&mut self, x: u64) {
        self.0 = x;
    }
}
type Table = HashMap<u64, [f64; MAX_ACTIONS], BuildHasherDefault<IdentityHasher>>;

/// Statistics of training.
#[derive(Clone, Debug, PartialEq)]
pub struct QStats {
    pub episodes: u32,
    pub steps: u64,
    pub table_size: usize,
    pub curve: Vec<CurvePoint>,
}

/// A trained table.
pub struct QLearning {
    table: Table,
    actions: usize,
    seed: u64,
    pub stats: QStats,
}

impl QLearning {
    /// Learns from `episodes` training episodes of `task`; `progress` sees
    /// each point of the learning curve and may stop the training.
    pub fn train<W: World>(
        task: &Task<'_, W>,
        episodes: u32,
        seed: u64,
        progress: &mut Hook<'_>,
    ) -> Result<Self, RunError> {
        let world = task.world;
        let actions = world.actions().len();
        let mut table = Table::default();
        let mut rng = Rng::stream(seed, TRAIN_STREAM);
        let mut env = Env::new(world, task.reward, task.intent, task.limit);
        let explore_until = (episodes as f64 * 0.8).max(1.0);
        let chunk = (episodes / 200).max(1);
        let (mut sum_ret, mut sum_perf, mut in_chunk) = (0.0, 0.0, 0u32);
        let mut steps = 0u64;
        let mut curve = Vec::new();
        for e in 0..episodes {
            let epsilon = (1.0 - e as f64 / explore_until).max(EPSILON_END);
            let (obs, _) = env.reset(mix(&[seed, e as u64]), &Params::new())?;
            let mut key = world.tabular_key(&obs);
            loop {
                let row = *table.entry(key).or_insert([0.0; MAX_ACTIONS]);
                let a = if rng.chance(epsilon) {
                    rng.below(actions as u64) as usize
                } else {
                    argmax_tiebreak(&row[..actions], rng.next_u64())
                };
                let step = env.step(a);
                steps += 1;
                let next_key = world.tabular_key(&step.obs);
                let target = if step.terminated {
                    step.reward
                } else {
                    let next = table.get(&next_key).map_or(0.0, |r| max(&r[..actions]));
                    step.reward + GAMMA * next
                };
                let done = step.terminated || step.truncated;
                let q = &mut table.get_mut(&key).expect("inserted above")[a];
                *q += ALPHA * (target - *q);
                key = next_key;
                if done {
                    break;
                }
            }
            sum_ret += env.ret();
            sum_perf += env.performance();
            in_chunk += 1;
            if in_chunk == chunk || e + 1 == episodes {
                let point = CurvePoint {
                    x: e as u64 + 1,
                    ret: sum_ret / in_chunk as f64,
                    performance: sum_perf / in_chunk as f64,
                };
                curve.push(point);
                (sum_ret, sum_perf, in_chunk) = (0.0, 0.0, 0);
                if !progress(&Progress {
                    done: e as u64 + 1,
                    total: episodes as u64,
                    point: Some(point),
                }) {
                    return Err(RunError::Stopped);
                }
            }
        }
        let stats = QStats {
            episodes,
            steps,
            table_size: table.len(),
            curve,
        };
        Ok(QLearning {
            table,
            actions,
            seed,
            stats,
        })
    }

    /// Q-values of a view (zeros where the table never saw it).
    pub fn q_values<W: World>(&self, world: &W, view: &W::State) -> Vec<f64> {
        let key = world.tabular_key(view);
        let row = self.table.get(&key).copied().unwrap_or([0.0; MAX_ACTIONS]);
        row[..self.actions].to_vec()
    }

    /// The greedy action.
    pub fn act<W: World>(&self, world: &W, view: &W::State) -> usize {
        let key = world.tabular_key(view);
        let row = self.table.get(&key).copied().unwrap_or([0.0; MAX_ACTIONS]);
        argmax_tiebreak(&row[..self.actions], mix(&[self.seed, key]))
    }
}

impl<W: World> Policy<W> for QLearning {
    fn act(&mut self, world: &W, view: &W::State, _: u32, _: &mut Hook<'_>) -> Act {
        Ok(Some(QLearning::act(self, world, view)))
    }
}

fn max(xs: &[f64]) -> f64 {
    xs.iter().copied().fold(f64::NEG_INFINITY, f64::max)
}
