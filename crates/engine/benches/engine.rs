//! The engine's benchmark suite: `cargo bench -p loophole-engine`.
//!
//! Environment steps with a random policy on every built-in level,
//! Q-learning training, the MDP compile and the sweeps of value iteration on
//! the generated warehouse (docs/PERFORMANCE.md). Not run in CI: timings on
//! shared machines are noise, and the suite takes minutes.

use divan::{black_box, Bencher};
use loophole_engine::agents::value_iteration::ValueIteration;
use loophole_engine::level::Level;
use loophole_engine::{bench, levels, mdp};

fn main() {
    divan::main();
}

/// Every built-in level, by id.
fn ids() -> Vec<String> {
    levels::all()
        .expect("the built-in levels load")
        .into_iter()
        .map(|l| l.id)
        .collect()
}

fn level(id: &str) -> Level {
    levels::builtin(id).expect("a built-in level")
}

/// 100,000 random steps per iteration; divide the time by 100,000 for a step.
#[divan::bench(args = ids())]
fn random_steps_100k(b: Bencher, id: &str) {
    let level = level(id);
    let reward = level.compile_reward(&level.default_reward).unwrap();
    b.counter(divan::counter::ItemsCount::new(100_000usize))
        .bench_local(|| {
            bench::random_steps(
                &level.world,
                &reward,
                &level.intent,
                level.steps,
                black_box(100_000),
                0,
            )
        });
}

/// 200 training episodes of Q-learning (one table update per step).
#[divan::bench(args = ["boat-race", "side-effects-sokoban", "tomato-watering"], sample_count = 20)]
fn q_learning_200_episodes(b: Bencher, id: &str) {
    let level = level(id);
    b.bench_local(|| bench::q_learning(&level, black_box(200), 0).unwrap());
}

/// Compiling the MDP of a generated warehouse: `side` 18 has 256 x 255 =
/// 65,280 states; `loophole bench --suite value-iteration` runs the
/// million-state one.
#[divan::bench(args = [10, 18], sample_count = 10)]
fn mdp_compile(b: Bencher, side: usize) {
    let level = bench::big_level(side, 20).unwrap();
    let reward = level.compile_reward(&level.default_reward).unwrap();
    b.bench_local(|| {
        mdp::compile(
            &level.world,
            &reward,
            &level.intent,
            mdp::MAX_STATES,
            &mut |_, _| true,
        )
        .unwrap()
        .len()
    });
}

/// Twenty sweeps of value iteration over a compiled warehouse of 65,280 states.
#[divan::bench(sample_count = 10)]
fn value_iteration_20_sweeps(b: Bencher) {
    let level = bench::big_level(18, 20).unwrap();
    let reward = level.compile_reward(&level.default_reward).unwrap();
    let compile = || {
        mdp::compile(
            &level.world,
            &reward,
            &level.intent,
            mdp::MAX_STATES,
            &mut |_, _| true,
        )
        .unwrap()
    };
    b.with_inputs(compile).bench_local_values(|m| {
        ValueIteration::from_mdp(m, 20, 20, 0, &mut |_| true)
            .unwrap()
            .stats
            .sweeps
    });
}
