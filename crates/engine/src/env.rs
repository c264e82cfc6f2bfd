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
use crate::rng::Rng;
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

/// An environment: a world with a reward and an intent, stepped one action at a time.
pub struct Env<'a, W: World> {
    world: &'a W,
    reward: &'a Program,
    intent: &'a Program,
    limit: u32,
    state: W::State,
    rng: Rng,
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

impl<'a, W: World> Env<'a, W> {
    /// A new environment; call [`Env::reset`] before stepping.
    pub fn new(world: &'a W, reward: &'a Program, intent: &'a Program, limit: u32) -> Self {
        let mut rng = Rng::new(0);
        let state = world.reset(&mut rng, &Params::new());
        let bound = world.signal_bound();
        let (reward_known, intent_known) = (reward.covers(bound), intent.covers(bound));
        Env {
            world,
            reward,
            intent,
            limit,
            state,
            rng,
            t: 0,
            signals: vec![0.0; world.signal_names().len()],
            ret: 0.0,
            performance: 0.0,
            done: true,
            reward_known,
            intent_known,
            intent_after_reward: if reward_known && intent_known {
                reward.chain_prefix_of(intent)
            } else {
                None
            },
        }
    }

    /// Starts an episode. Its chance (per-episode draws, tomatoes drying) is
    /// a function of `seed`; `params` may fix the per-episode draws.
    pub fn reset(&mut self, seed: u64, params: &Params) -> Result<(W::State, Info<'_>), String> {
        check_params(self.world, params)?;
        self.rng = Rng::stream(seed, EPISODE_STREAM);
        self.state = self.world.reset(&mut self.rng, params);
        self.t = 0;
        self.ret = 0.0;
        self.performance = 0.0;
        self.done = false;
        self.signals.fill(0.0);
        Ok((self.world.observe(&self.state), self.info(0.0)))
    }

    fn info(&self, intent: f64) -> Info<'_> {
        Info {
            signals: &self.signals,
            intent,
            performance: self.performance,
            ret: self.ret,
            t: self.t,
        }
    }

    /// Takes one action (an index into the world's actions). After the
    /// episode has ended, further steps change nothing and return 0.
    #[inline]
    pub fn step(&mut self, action: usize) -> Step<'_, W::State> {
        if self.done {
            self.signals.fill(0.0);
            let terminated = self.t < self.limit;
            return Step {
                obs: self.world.observe(&self.state),
                reward: 0.0,
                terminated,
                truncated: !terminated,
                info: self.info(0.0),
            };
        }
        let terminated = self
            .world
            .step(&mut self.state, action, &mut self.rng, &mut self.signals);
        self.t += 1;
        debug_assert!(
            self.signals
                .iter()
                .all(|x| x.abs() <= self.world.signal_bound()),
            "a signal beyond the world's bound: {:?}",
            self.signals
        );
        let reward = self.reward.eval_known(&self.signals, self.reward_known);
        let intent = match self.intent_after_reward {
            Some(done) => self.intent.continue_known(&self.signals, reward, done),
            None => self.intent.eval_known(&self.signals, self.intent_known),
        };
        self.ret += reward;
        self.performance += intent;
        let truncated = !terminated && self.t >= self.limit;
        self.done = terminated || truncated;
        Step {
            obs: self.world.observe(&self.state),
            reward,
            terminated,
            truncated,
            info: self.info(intent),
        }
    }

    /// The true state (including hidden draws): for display, not for agents.
    pub fn state(&self) -> &W::State {
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
    pub fn signals(&self) -> &[f64] {
        &self.signals
    }
}
