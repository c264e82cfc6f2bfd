//! The Loophole engine: worlds with a hidden intent beside the reward, level
//! files and the agents that optimize rewards written in the reward language
//! (the `loophole-lang` crate, re-exported as [`lang`]).
//!
//! The engine does no I/O, reads no clock, keeps no global state and never
//! spawns threads: every result is a pure function of (level, reward text,
//! agent config, seed).
//!
//! ```
//! use loophole_engine::{agents::AgentKind, levels, run::{run, RunConfig}};
//! let level = levels::builtin("side-effects-sokoban").unwrap();
//! let reward = level.compile_reward(&level.default_reward).unwrap();
//! let cfg = RunConfig { agent: AgentKind::ValueIteration, power: None, seed: 0, params: Default::default() };
//! let result = run(&level, &reward, &cfg, &mut |_| true).unwrap();
//! // The optimizer pushes the box into the corner: 45 reward, 35 intent.
//! assert_eq!((result.episode.ret, result.episode.performance), (45.0, 35.0));
//! ```

pub mod account;
pub mod agents;
pub mod bench;
pub mod company;
pub mod env;
pub mod experiment;
pub mod explain;
pub mod feedback;
#[doc(hidden)]
pub mod fuzzing;
pub mod grid;
pub mod level;
pub mod levels;
pub mod linalg;
pub mod mdp;
pub mod rng;
pub mod run;
pub mod score;
pub mod world;
pub mod worlds;

/// The reward language, its own crate (it depends on nothing); re-exported
/// so that `loophole_engine::lang` names it for every user of the engine.
pub use loophole_lang as lang;
