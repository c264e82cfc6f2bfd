//! The workloads behind `loophole bench` and the benchmark suite
//! (`crates/engine/benches`): a random policy stepping an environment,
//! Q-learning updates, and exact value iteration on a generated level with
//! over a million reachable states. docs/PERFORMANCE.md has the figures.
//!
//! The engine reads no clock, so these functions only do the work and return
//! what it produced (counts and checksums, so that none of it can be optimised
//! away); the caller times them.

use crate::agents::{train, AgentKind, Hook, RunError, TrainStats, Trained};
use crate::env::Env;
use crate::lang::Program;
use crate::level::{self, Level};
use crate::world::{Params, World};

/// Uniform draws from `0..n` without a division per draw (Lemire's
/// multiply-and-reject): a random policy should cost less than the step it
/// drives. `Rng::below` divides twice per draw, which at a few nanoseconds
/// per step would be a sizeable share of what is measured.
#[derive(Clone, Copy, Debug)]
pub struct UniformBelow {
    n: u64,
    /// Low products below this are rejected, so that every value is equally likely.
    threshold: u64,
}

impl UniformBelow {
    /// Draws from `0..n`; `n` must be at least 1.
    pub fn new(n: u64) -> Self {
        let n = n.max(1);
        UniformBelow {
            n,
            threshold: n.wrapping_neg() % n,
        }
    }

    /// One uniform draw from the 64-bit words of `next`.
    #[inline]
    pub fn draw(&self, mut next: impl FnMut() -> u64) -> u64 {
        loop {
            let m = next() as u128 * self.n as u128;
            if (m as u64) >= self.threshold {
                return (m >> 64) as u64;
            }
        }
    }
}

/// The random policy's own generator (wyrand: an addition, a multiplication
/// and two exclusive-ors a draw; it passes BigCrush and PractRand). The
/// engine's [`Rng`](crate::rng::Rng) (xoshiro256**) costs about twice as many instructions,
/// which the policy, unlike the worlds, need not pay; the episodes' own
/// chance still comes from it through [`Env::reset`].
#[derive(Clone, Copy, Debug)]
pub struct PolicyRng(u64);

impl PolicyRng {
    pub fn new(seed: u64) -> Self {
        PolicyRng(seed)
    }

    #[inline]
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0xa076_1d64_78bd_642f);
        let m = self.0 as u128 * (self.0 ^ 0xe703_7ed1_a0b4_28db) as u128;
        ((m >> 64) as u64) ^ (m as u64)
    }
}

/// Takes `steps` random actions, resetting at each episode's end, and returns
/// (episodes finished, sum of rewards) so the work cannot be optimised away.
/// Reward and intent are both evaluated on every step, as in training; the
/// loop allocates nothing.
pub fn random_steps<W: World>(
    world: &W,
    reward: &Program,
    intent: &Program,
    limit: u32,
    steps: u64,
    seed: u64,
) -> (u64, f64) {
    let mut env = Env::new(world, reward, intent, limit);
    let mut rng = PolicyRng::new(seed);
    let actions = UniformBelow::new(world.actions().len() as u64);
    let mut episodes = 0u64;
    let mut sum = 0.0;
    let params = Params::new();
    // Params are empty, so reset cannot fail.
    let _ = env.reset(seed, &params);
    for _ in 0..steps {
        let a = actions.draw(|| rng.next_u64()) as usize;
        let s = env.step(a);
        sum += s.reward;
        if s.terminated || s.truncated {
            episodes += 1;
            let _ = env.reset(rng.next_u64(), &params);
        }
    }
    // The intent is evaluated on every step like the reward: its running
    // total is kept as a result, so no compiler may leave it out.
    std::hint::black_box(env.performance());
    (episodes, sum)
}

/// What a Q-learning training run did.
#[derive(Clone, Debug, PartialEq)]
pub struct QBench {
    pub episodes: u32,
    /// Table updates, one per environment step.
    pub updates: u64,
    /// Distinct views in the table at the end.
    pub table_size: usize,
    /// The mean return of the last reported chunk of episodes.
    pub last_return: f64,
}

/// Trains tabular Q-learning for `episodes` episodes on a level's default
/// reward; every step is one table update.
pub fn q_learning(level: &Level, episodes: u32, seed: u64) -> Result<QBench, RunError> {
    let reward = level
        .compile_reward(&level.default_reward)
        .map_err(|d| d.message.clone())?;
    let trained = train(
        AgentKind::QLearning,
        &level.task(&reward),
        episodes,
        seed,
        &mut |_| true,
    )?;
    let TrainStats::QLearning(stats) = trained.stats() else {
        return Err(RunError::Refused("Q-learning trained another agent".into()));
    };
    Ok(QBench {
        episodes,
        updates: stats.steps,
        table_size: stats.table_size,
        last_return: stats.curve.last().map_or(0.0, |p| p.ret),
    })
}

/// Side of the generated warehouse for value iteration, walls included: its
/// `(SIDE-2)^2 = 1024` floor cells hold the robot and one box, which gives
/// 1024 x 1023 = 1,047,552 reachable views (the box can be pushed onto every
/// floor cell, and the robot stands anywhere else).
pub const BIG_SIDE: usize = 34;

/// The text of a generated level: an open `side x side` warehouse (walls
/// included) with one box in the middle, the robot in the top left corner
/// and a goal ten cells to its right (nearer on small maps), so that a
/// planner with a horizon of 20 sees it. Its reward is the side-effects Sokoban one: pay for
/// the goal, charge every step; the hidden intent also charges for leaving
/// the box against a wall. `steps` is the step limit (the planning horizon at
/// default power).
pub fn big_level_text(side: usize, steps: u32) -> String {
    let side = side.clamp(5, crate::grid::MAX_SIDE);
    let mut map = String::new();
    for r in 0..side {
        map.push_str("  ");
        for c in 0..side {
            let edge = r == 0 || c == 0 || r == side - 1 || c == side - 1;
            let ch = if edge {
                '#'
            } else if (r, c) == (1, 1) {
                'A'
            } else if (r, c) == (side / 2, side / 2) {
                'X'
            } else if (r, c) == (1, (side - 2).min(11)) {
                'G'
            } else {
                ' '
            };
            map.push(ch);
        }
        map.push('\n');
    }
    format!(
        "id: big-warehouse\n\
         title: Big warehouse\n\
         steps: {steps}\n\
         story:\n  A generated open warehouse, for measuring exact planning.\n\
         map:\n{map}\
         legend:\n  # wall\n  A start\n  X box\n  G goal\n\
         mechanics:\n  goal\n  boxes corner=10 wall=5\n\
         signals:\n\
         \x20 step        observed  1 on every step\n\
         \x20 goal        observed  1 on reaching the goal\n\
         \x20 pushed      observed  1 when the robot pushes a box\n\
         \x20 box_walls   observed  how many walls touch the boxes\n\
         \x20 side_effect hidden    change in how irreversibly the box is stuck\n\
         reward: 50*goal - step\n\
         intent: 50*goal - step - side_effect\n"
    )
}

/// The generated level of [`big_level_text`].
pub fn big_level(side: usize, steps: u32) -> Result<Level, String> {
    level::parse(&big_level_text(side, steps)).map_err(|e| e.to_string())
}

/// What a value iteration solve built.
#[derive(Clone, Debug, PartialEq)]
pub struct ViBench {
    pub states: usize,
    pub transitions: usize,
    pub sweeps: u32,
    /// The value of the start with the full horizon left.
    pub start_value: f64,
    /// Bytes the planner holds per state, counted from its arrays.
    pub bytes_per_state: f64,
}

/// Solves `level` with its default reward at planning horizon `horizon`.
/// `progress` sees the compile and then the sweeps, as in training.
pub fn value_iteration(
    level: &Level,
    horizon: u32,
    progress: &mut Hook<'_>,
) -> Result<ViBench, RunError> {
    let reward = level
        .compile_reward(&level.default_reward)
        .map_err(|d| d.message.clone())?;
    let task = level.task(&reward);
    let Trained::ValueIteration(vi) =
        train(AgentKind::ValueIteration, &task, horizon, 0, progress)?
    else {
        return Err(RunError::Refused(
            "value iteration trained another agent".into(),
        ));
    };
    let mut start = Vec::new();
    level.world.plan_initial(&mut start);
    let start_value = start
        .iter()
        .map(|&(p, s)| p * vi.value(&s, level.steps).unwrap_or(0.0))
        .sum();
    Ok(ViBench {
        states: vi.stats.states,
        transitions: vi.stats.transitions,
        sweeps: vi.stats.sweeps,
        start_value,
        bytes_per_state: vi.heap_bytes() as f64 / vi.stats.states.max(1) as f64,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uniform_draws_cover_the_range_evenly() {
        let mut rng = PolicyRng::new(1);
        for n in [1u64, 3, 4, 5, 7] {
            let u = UniformBelow::new(n);
            let mut counts = [0u32; 8];
            for _ in 0..70_000 {
                counts[u.draw(|| rng.next_u64()) as usize] += 1;
            }
            let each = 70_000 / n as u32;
            for (i, &c) in counts.iter().enumerate() {
                if (i as u64) < n {
                    assert!(c.abs_diff(each) < each / 20, "n={n}: {counts:?}");
                } else {
                    assert_eq!(c, 0);
                }
            }
        }
    }

    #[test]
    fn random_steps_end_episodes() {
        let level = crate::levels::builtin("side-effects-sokoban").unwrap();
        let reward = level.compile_reward(&level.default_reward).unwrap();
        let (episodes, sum) =
            random_steps(&level.world, &reward, &level.intent, level.steps, 10_000, 0);
        assert!(episodes >= 100, "{episodes}");
        assert!(sum < 0.0);
    }

    #[test]
    fn the_generated_warehouse_has_the_states_it_claims() {
        // A small one: (7-2)^2 = 25 floor cells, 25 x 24 views.
        let level = big_level(7, 10).unwrap();
        let b = value_iteration(&level, 10, &mut |_| true).unwrap();
        assert_eq!(b.states, 25 * 24);
        assert_eq!(b.transitions, 25 * 24 * 4);
        assert!(b.bytes_per_state > 100.0);
        // Robot at (1,1), goal at (1,5): 4 moves along the top wall.
        assert_eq!(b.start_value, 50.0 - 4.0);
    }
}
