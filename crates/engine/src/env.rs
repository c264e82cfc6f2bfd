//! The environment API, in Gymnasium's shape.
//!
//! ```
//! use loophole_engine::{env::Env, levels, world::Params};
//! let level = levels::builtin("boat-race").unwrap();
//! let reward = level.compile_reward(&level.default_reward).unwrap();
//! let mut env = Env::new(&level.world, &reward, &level.intent, level.steps);
//! env.reset(0, &Params::new()).unwrap();
//! let step = env.step(3); // right: onto the first arrow
//! assert_eq!(step.reward, 2.0);
//! assert_eq!(step.info.performance, 1.0);
//! ```

use crate::lang::Program;
use crate::rng::{mix, Rng};
use crate::world::{Params, World};

/// Purpose tag of the random stream that drives an episode's own chance.
pub const EPISODE_STREAM: u64 = 0x45_50_49_53; // "EPIS"

/// What `step` returns besides the observation.
#[derive(Clone, Copy, Debug)]
pub struct Info<'e> {
    /// Every signal of this step, observed and hidden, in the level's order.
    pub signals: &'e [f64],
    /// This step's intent score.
    pub intent: f64,
    /// The running intent score (the hidden performance) of the episode.
    pub performance: f64,
    /// The running return of the episode.
    pub ret: f64,
    /// Steps taken so far.
    pub t: u32,
}

/// One transition: `(obs, reward, terminated, truncated, info)`.
#[derive(Clone, Copy, Debug)]
pub struct Step<'e, S> {
    /// What the agent observes after the step.
    pub obs: S,
    pub reward: f64,
    /// The episode truly ended (the goal was reached).
    pub terminated: bool,
    /// The episode hit the step limit.
    pub truncated: bool,
    pub info: Info<'e>,
}

/// Checks overrides of per-episode draws against what the world offers.
pub fn check_params<W: World>(world: &W, params: &Params) -> Result<(), String> {
    for (name, value) in params {
        let Some(spec) = world.params().iter().find(|p| p.name == name) else {
            let known: Vec<&str> = world.params().iter().map(|p| p.name).collect();
            return Err(if known.is_empty() {
                format!("this level has no parameter `{name}` (it has none)")
            } else {
                format!(
                    "this level has no parameter `{name}`; it has: {}",
                    known.join(", ")
                )
            });
        };
        if *value != 0.0 && *value != 1.0 {
            return Err(format!(
                "`{}` must be 0 or 1 ({}), found {value}",
                spec.name, spec.description
            ));
        }
    }
    Ok(())
}

/// What an agent optimizes: a world, the reward it is paid, the intent it
/// is scored on (never shown to it) and the step limit of an episode.
#[derive(Debug)]
pub struct Task<'a, W: World> {
    pub world: &'a W,
    pub reward: &'a Program,
    pub intent: &'a Program,
    pub limit: u32,
}

// Derived, these would ask `W` itself to be `Clone`; a task only borrows it.
impl<W: World> Clone for Task<'_, W> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<W: World> Copy for Task<'_, W> {}

/// What one step did, besides changing the state.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Outcome {
    pub reward: f64,
    /// This step's intent score.
    pub intent: f64,
    /// The episode truly ended (the goal was reached).
    pub terminated: bool,
    /// The episode hit the step limit.
    pub truncated: bool,
}

/// One episode as an environment steps it: the state, the episode's chance
/// and its running totals, without the task it is stepped with. Many of
/// these can share one task (a vector of environments), and each can be
/// stepped with any task of the same world.
#[derive(Clone, Debug)]
pub struct EnvState<S> {
    state: S,
    rng: Rng,
    /// The seed the episodes were last seeded with, and how many have
    /// started since (see [`EnvState::reset_seeded`]); whether any was.
    base: u64,
    episodes: u64,
    seeded: bool,
    t: u32,
    signals: Vec<f64>,
    ret: f64,
    performance: f64,
    done: bool,
    /// Whether the reward and the intent cover the world's signal bound
    /// (see [`Program::covers`]), so that evaluating them needs no checks.
    reward_known: bool,
    intent_known: bool,
    /// When both are known and the intent is the reward followed by more
    /// terms (say `50*goal - step` and `50*goal - step - side_effect`), the
    /// number of the reward's terms: the intent's sum goes on from the
    /// reward instead of starting over (same bits).
    intent_after_reward: Option<usize>,
}

impl<S: Copy> EnvState<S> {
    /// A state for `task`'s episodes; [`EnvState::reset`] before stepping.
    pub fn new<W: World<State = S>>(task: &Task<'_, W>) -> Self {
        let mut rng = Rng::new(0);
        let state = task.world.reset(&mut rng, &Params::new());
        let bound = task.world.signal_bound();
        let (reward_known, intent_known) = (task.reward.covers(bound), task.intent.covers(bound));
        EnvState {
            state,
            rng,
            base: 0,
            episodes: 0,
            seeded: false,
            t: 0,
            signals: vec![0.0; task.world.signal_names().len()],
            ret: 0.0,
            performance: 0.0,
            done: true,
            reward_known,
            intent_known,
            intent_after_reward: if reward_known && intent_known {
                task.reward.chain_prefix_of(task.intent)
            } else {
                None
            },
        }
    }

    /// Starts an episode. Its chance (per-episode draws, tomatoes drying) is
    /// a function of `seed`; `params` may fix the per-episode draws.
    pub fn reset<W: World<State = S>>(
        &mut self,
        task: &Task<'_, W>,
        seed: u64,
        params: &Params,
    ) -> Result<(), String> {
        self.start(task, seed, params)?;
        (self.base, self.episodes, self.seeded) = (seed, 0, true);
        Ok(())
    }

    /// Starts an episode with a seed, or, without one, the next episode of
    /// the last seed given: the `n`th after seed `s` draws from
    /// `mix([s, n])`, and an environment never seeded counts from seed 0.
    /// Gymnasium's `reset(seed=None)`, and an autoreset, are this with None,
    /// so a run of episodes is a function of its first seed.
    pub fn reset_seeded<W: World<State = S>>(
        &mut self,
        task: &Task<'_, W>,
        seed: Option<u64>,
        params: &Params,
    ) -> Result<(), String> {
        match seed {
            Some(seed) => self.reset(task, seed, params),
            None if !self.seeded => self.reset(task, 0, params),
            None => {
                let next = self.episodes + 1;
                let seed = mix(&[self.base, next]);
                self.start(task, seed, params)?;
                self.episodes = next;
                Ok(())
            }
        }
    }

    /// Where the episodes are in their run: the last seed given, and how
    /// many episodes have started since. [`EnvState::resume`] with the same
    /// two, then the same actions, reproduces an episode exactly (how an
    /// environment is saved and restored: by its inputs, not its bytes).
    pub fn position(&self) -> (u64, u64) {
        (self.base, self.episodes)
    }

    /// Starts episode number `episodes` of the run seeded with `base`, as
    /// [`EnvState::reset_seeded`] would have got there.
    pub fn resume<W: World<State = S>>(
        &mut self,
        task: &Task<'_, W>,
        base: u64,
        episodes: u64,
        params: &Params,
    ) -> Result<(), String> {
        let seed = if episodes == 0 {
            base
        } else {
            mix(&[base, episodes])
        };
        self.start(task, seed, params)?;
        (self.base, self.episodes, self.seeded) = (base, episodes, true);
        Ok(())
    }

    fn start<W: World<State = S>>(
        &mut self,
        task: &Task<'_, W>,
        seed: u64,
        params: &Params,
    ) -> Result<(), String> {
        check_params(task.world, params)?;
        self.rng = Rng::stream(seed, EPISODE_STREAM);
        self.state = task.world.reset(&mut self.rng, params);
        self.t = 0;
        self.ret = 0.0;
        self.performance = 0.0;
        self.done = false;
        self.signals.fill(0.0);
        Ok(())
    }

    /// Takes one action (an index into the world's actions). After the
    /// episode has ended, further steps change nothing and return 0.
    #[inline]
    pub fn step<W: World<State = S>>(&mut self, task: &Task<'_, W>, action: usize) -> Outcome {
        if self.done {
            self.signals.fill(0.0);
            let terminated = self.t < task.limit;
            return Outcome {
                reward: 0.0,
                intent: 0.0,
                terminated,
                truncated: !terminated,
            };
        }
        let terminated = task
            .world
            .step(&mut self.state, action, &mut self.rng, &mut self.signals);
        self.t += 1;
        debug_assert!(
            self.signals
                .iter()
                .all(|x| x.abs() <= task.world.signal_bound()),
            "a signal beyond the world's bound: {:?}",
            self.signals
        );
        let reward = task.reward.eval_known(&self.signals, self.reward_known);
        let intent = match self.intent_after_reward {
            Some(done) => task.intent.continue_known(&self.signals, reward, done),
            None => task.intent.eval_known(&self.signals, self.intent_known),
        };
        self.ret += reward;
        self.performance += intent;
        let truncated = !terminated && self.t >= task.limit;
        self.done = terminated || truncated;
        Outcome {
            reward,
            intent,
            terminated,
            truncated,
        }
    }

    /// The true state (including hidden draws): for display, not for agents.
    pub fn state(&self) -> &S {
        &self.state
    }
    pub fn done(&self) -> bool {
        self.done
    }
    pub fn t(&self) -> u32 {
        self.t
    }
    pub fn ret(&self) -> f64 {
        self.ret
    }
    pub fn performance(&self) -> f64 {
        self.performance
    }
    /// Every signal of the last step, observed and hidden, in the level's order.
    pub fn signals(&self) -> &[f64] {
        &self.signals
    }
}

/// An environment: a world with a reward and an intent, stepped one action at a time.
pub struct Env<'a, W: World> {
    task: Task<'a, W>,
    st: EnvState<W::State>,
}

impl<'a, W: World> Env<'a, W> {
    /// A new environment; call [`Env::reset`] before stepping.
    pub fn new(world: &'a W, reward: &'a Program, intent: &'a Program, limit: u32) -> Self {
        let task = Task {
            world,
            reward,
            intent,
            limit,
        };
        Env {
            st: EnvState::new(&task),
            task,
        }
    }

    /// Starts an episode. Its chance (per-episode draws, tomatoes drying) is
    /// a function of `seed`; `params` may fix the per-episode draws.
    pub fn reset(&mut self, seed: u64, params: &Params) -> Result<(W::State, Info<'_>), String> {
        self.st.reset(&self.task, seed, params)?;
        Ok((self.task.world.observe(&self.st.state), self.info(0.0)))
    }

    fn info(&self, intent: f64) -> Info<'_> {
        Info {
            signals: &self.st.signals,
            intent,
            performance: self.st.performance,
            ret: self.st.ret,
            t: self.st.t,
        }
    }

    /// Takes one action (an index into the world's actions). After the
    /// episode has ended, further steps change nothing and return 0.
    #[inline]
    pub fn step(&mut self, action: usize) -> Step<'_, W::State> {
        let o = self.st.step(&self.task, action);
        Step {
            obs: self.task.world.observe(&self.st.state),
            reward: o.reward,
            terminated: o.terminated,
            truncated: o.truncated,
            info: self.info(o.intent),
        }
    }

    /// The true state (including hidden draws): for display, not for agents.
    pub fn state(&self) -> &W::State {
        self.st.state()
    }
    pub fn done(&self) -> bool {
        self.st.done
    }
    pub fn t(&self) -> u32 {
        self.st.t
    }
    pub fn ret(&self) -> f64 {
        self.st.ret
    }
    pub fn performance(&self) -> f64 {
        self.st.performance
    }
    pub fn signals(&self) -> &[f64] {
        &self.st.signals
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::levels;

    /// A run of episodes: each episode's signals of every step.
    fn run(level: &crate::level::Level, first: Option<u64>, episodes: u64) -> Vec<Vec<f64>> {
        let reward = level.compile_reward(&level.default_reward).unwrap();
        let task = level.task(&reward);
        let mut st = EnvState::new(&task);
        let mut out = Vec::new();
        for e in 0..episodes {
            st.reset_seeded(&task, if e == 0 { first } else { None }, &Params::new())
                .unwrap();
            let mut a = 0;
            while !st.done() {
                st.step(&task, a % task.world.actions().len());
                out.push(st.signals().to_vec());
                a += 1;
            }
        }
        out
    }

    #[test]
    fn a_run_of_episodes_is_a_function_of_its_first_seed_and_resumes_anywhere() {
        let level = levels::builtin("tomato-watering").unwrap();
        assert!(run(&level, Some(5), 3) == run(&level, Some(5), 3));
        assert!(run(&level, Some(5), 3) != run(&level, Some(6), 3));
        // Never seeded counts from seed 0.
        assert!(run(&level, None, 2) == run(&level, Some(0), 2));
        // The third episode of seed 5, resumed from its position alone.
        let reward = level.compile_reward(&level.default_reward).unwrap();
        let task = level.task(&reward);
        let mut a = EnvState::new(&task);
        a.reset(&task, 5, &Params::new()).unwrap();
        for _ in 0..2 {
            a.reset_seeded(&task, None, &Params::new()).unwrap();
        }
        let mut b = EnvState::new(&task);
        b.resume(&task, 5, 2, &Params::new()).unwrap();
        assert_eq!(a.position(), b.position());
        for step in 0..20 {
            a.step(&task, step % 4);
            b.step(&task, step % 4);
            assert_eq!(a.signals(), b.signals());
        }
    }
}
