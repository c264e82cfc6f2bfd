//! The workload behind `loophole bench`: a random policy stepping an environment.

use crate::env::Env;
use crate::lang::Program;
use crate::rng::Rng;
use crate::world::{Params, World};

/// Takes `steps` random actions, resetting at each episode's end, and returns
/// (episodes finished, sum of rewards) so the work cannot be optimised away.
pub fn random_steps<W: World>(
    world: &W,
    reward: &Program,
    intent: &Program,
    limit: u32,
    steps: u64,
    seed: u64,
) -> (u64, f64) {
    let mut env = Env::new(world, reward, intent, limit);
    let mut rng = Rng::new(seed);
    let actions = world.actions().len() as u64;
    let mut episodes = 0u64;
    let mut sum = 0.0;
    let params = Params::new();
    // Params are empty, so reset cannot fail.
    let _ = env.reset(seed, &params);
    for _ in 0..steps {
        let a = rng.below(actions) as usize;
        let s = env.step(a);
        sum += s.reward;
        if s.terminated || s.truncated {
            episodes += 1;
            let _ = env.reset(rng.next_u64(), &params);
        }
    }
    (episodes, sum)
}
