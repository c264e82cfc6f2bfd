//! The checks behind the fuzz targets of `fuzz/` (cargo-fuzz, see
//! docs/ROBUSTNESS.md), shared with the ordinary tests that replay the
//! checked-in corpus and proptest-generated inputs through them.
//!
//! Each check takes any bytes, runs them through a part of the engine that
//! reads untrusted text, and panics when a promise of that part is broken:
//! a fuzzer reports the panic with the input that caused it. Every check
//! bounds its own work (steps, states, simulations), so a slow input is a
//! finding of the fuzzer's timeout, never a consequence of the check.

use crate::agents::{AgentKind, Task};
use crate::env::Env;
use crate::lang::{self, Access, Program, SignalDecl, Visibility, MAX_VALUE};
use crate::level::{self, Level};
use crate::mdp;
use crate::rng::Rng;
use crate::run::{run_task, RunConfig};
use crate::world::{Params, World};

/// Steps played at random on a level that parses.
pub const RANDOM_STEPS: u32 = 300;
/// States beyond which a parsed level is not planned on exactly.
pub const PLAN_STATES: usize = 2_000;
/// Steps of the short planned and searched episodes.
pub const PLAN_LIMIT: u32 = 20;

/// The signal values a compiled expression is evaluated on: ordinary,
/// extreme and not-a-number, then values taken from the input's tail.
const ODD_VALUES: [f64; 10] = [
    0.0,
    1.0,
    -1.0,
    0.5,
    1e300,
    -1e300,
    f64::NAN,
    f64::INFINITY,
    f64::NEG_INFINITY,
    f64::MIN_POSITIVE,
];

/// Signal declarations of the checks when none are given: observed and
/// hidden names like the levels', some of them prefixes of others.
pub fn sample_decls() -> Vec<SignalDecl> {
    let decl = |name: &str, visibility| SignalDecl {
        name: name.to_string(),
        visibility,
        description: String::new(),
    };
    vec![
        decl("step", Visibility::Observed),
        decl("goal", Visibility::Observed),
        decl("arrow", Visibility::Observed),
        decl("clockwise", Visibility::Hidden),
        decl("goal_seen", Visibility::Observed),
        decl("harm", Visibility::Hidden),
        decl("x", Visibility::Observed),
        decl("_", Visibility::Hidden),
    ]
}

/// Splits the input into reward text and signal values: the text is the
/// input as UTF-8 (invalid bytes replaced) up to the first `\0\0`, the
/// values are read from what follows, eight bytes each.
fn split_input(data: &[u8]) -> (String, Vec<f64>) {
    let cut = data.windows(2).position(|w| w == [0, 0]);
    let (text, tail) = match cut {
        Some(i) => (&data[..i], &data[i + 2..]),
        None => (data, &[][..]),
    };
    let values = tail
        .chunks_exact(8)
        .take(64)
        .map(|c| f64::from_le_bytes(c.try_into().unwrap_or([0; 8])))
        .collect();
    (String::from_utf8_lossy(text).into_owned(), values)
}

/// The reward language on any bytes: compiled as a reward and as an intent
/// over [`sample_decls`]; see [`check_expression`].
pub fn reward_lang(data: &[u8]) {
    let (src, values) = split_input(data);
    check_expression(&src, &sample_decls(), &values);
}

/// The promises of [`lang::compile`] on one source over `decls`:
///
/// - it never panics, and an error's span lies within the source on
///   character boundaries and renders;
/// - a reward reads observed signals only, and whatever compiles as a
///   reward compiles as an intent to the same program;
/// - a program evaluates to a finite number within `±MAX_VALUE` on every
///   signal values, NaN and infinities included, and the same again;
/// - its signals and linear terms name declared signals only.
pub fn check_expression(src: &str, decls: &[SignalDecl], values: &[f64]) {
    let reward = lang::compile(src, decls, Access::Reward);
    let intent = lang::compile(src, decls, Access::Intent);
    for result in [&reward, &intent] {
        match result {
            Ok(program) => check_program(program, decls, values),
            Err(d) => {
                let (start, end) = d.span;
                assert!(
                    start <= end && end <= src.len(),
                    "span {start}..{end} outside a source of {} bytes: {src:?}",
                    src.len()
                );
                assert!(
                    src.is_char_boundary(start) && src.is_char_boundary(end),
                    "span {start}..{end} splits a character: {src:?}"
                );
                assert!(!d.message.is_empty());
                assert!(d.render(src).starts_with("error: "));
            }
        }
    }
    if let Ok(program) = &reward {
        for &i in program.signals_used() {
            assert_eq!(
                decls[i].visibility,
                Visibility::Observed,
                "a reward reads the hidden signal `{}`: {src:?}",
                decls[i].name
            );
        }
        let intent = intent
            .as_ref()
            .unwrap_or_else(|d| panic!("compiles as a reward, not as an intent ({d:?}): {src:?}"));
        let mut signals = vec![0.0; decls.len()];
        for (i, s) in signals.iter_mut().enumerate() {
            *s = values.get(i).copied().unwrap_or(ODD_VALUES[i % 10]);
        }
        let (a, b) = (program.eval(&signals), intent.eval(&signals));
        assert!(
            a.to_bits() == b.to_bits(),
            "{src:?}: {a} as a reward, {b} as an intent"
        );
    }
}

fn check_program(program: &Program, decls: &[SignalDecl], values: &[f64]) {
    let finite = |v: f64| v.is_finite() && v.abs() <= MAX_VALUE;
    let n = decls.len();
    let mut signals = vec![0.0; n];
    for round in 0..ODD_VALUES.len() {
        for (i, s) in signals.iter_mut().enumerate() {
            *s = ODD_VALUES[(i + round) % ODD_VALUES.len()];
        }
        let v = program.eval(&signals);
        assert!(finite(v), "{v} on {signals:?}");
        assert_eq!(v.to_bits(), program.eval(&signals).to_bits());
    }
    if !values.is_empty() {
        let v = program.eval(values);
        assert!(finite(v), "{v} on {values:?}");
    }
    assert!(finite(program.eval(&[])), "on no signals");
    assert!(program.signals_used().iter().all(|&i| i < n));
    if let Some((constant, terms)) = program.linear_terms() {
        assert!(constant.is_finite());
        assert!(terms.iter().all(|&(i, k)| i < n && k.is_finite()));
    }
}

/// The level format on any bytes (as UTF-8, invalid bytes replaced); see
/// [`check_level_text`].
pub fn level_format(data: &[u8]) {
    check_level_text(&String::from_utf8_lossy(data));
}

/// The promises of [`level::parse`] on one text:
///
/// - it never panics, and an error names a line of the text (or the line
///   after its last) and a column from 1;
/// - a level that parses runs: [`RANDOM_STEPS`] random steps on two seeds
///   with its default reward and its intent, every reward and score finite,
///   every frame drawable; its default reward compiles again to the same
///   program;
/// - a level whose exact MDP has at most [`PLAN_STATES`] states is solved by
///   value iteration over a short horizon, and every level is played briefly
///   by MCTS and Q-learning at a small power.
pub fn check_level_text(text: &str) {
    match level::parse(text) {
        Err(e) => {
            let lines = text.lines().count().max(1);
            assert!(
                e.line >= 1 && e.line <= lines + 1,
                "line {} of {lines}: {e}",
                e.line
            );
            assert!(e.column >= 1, "{e}");
            assert!(!e.message.is_empty());
        }
        Ok(level) => check_level(&level),
    }
}

/// Runs a parsed level as described in [`check_level_text`].
pub fn check_level(level: &Level) {
    let world = &level.world;
    let reward = level
        .compile_reward(&level.default_reward)
        .unwrap_or_else(|d| panic!("the default reward compiled once, not again: {d:?}"));
    assert_eq!(world.signal_names().len(), level.signals.len());
    let actions = world.actions().len();
    assert!((1..=crate::agents::MAX_ACTIONS).contains(&actions));
    for seed in 0..2 {
        let mut env = Env::new(world, &reward, &level.intent, level.steps);
        let mut rng = Rng::new(seed);
        env.reset(seed, &Params::new())
            .unwrap_or_else(|e| panic!("no parameters, yet refused: {e}"));
        assert!(!world.render(env.state()).is_empty() || world.grid().is_none());
        for _ in 0..RANDOM_STEPS {
            let a = (rng.next_u64() % actions as u64) as usize;
            let step = env.step(a);
            assert!(step.reward.is_finite() && step.info.intent.is_finite());
            assert!(step.info.ret.is_finite() && step.info.performance.is_finite());
            let _ = world.render(env.state());
            if env.done() {
                break;
            }
        }
        let _ = world.observe(env.state());
        let _ = world.tabular_key(env.state());
    }
    // Every per-episode draw, overridden both ways.
    for spec in world.params() {
        for value in [0.0, 1.0] {
            let mut params = Params::new();
            params.insert(spec.name.to_string(), value);
            let mut env = Env::new(world, &reward, &level.intent, level.steps);
            env.reset(1, &params)
                .unwrap_or_else(|e| panic!("`{}` = {value} refused: {e}", spec.name));
            env.step(0);
        }
    }

    let limit = level.steps.min(PLAN_LIMIT);
    let small = mdp::compile(world, &reward, &level.intent, PLAN_STATES, &mut |_, _| true);
    let mut agents = vec![(AgentKind::Mcts, 4), (AgentKind::QLearning, 5)];
    if let Ok(m) = small {
        assert!(m.len() <= PLAN_STATES && !m.initial.is_empty());
        let p: f64 = m.initial.iter().map(|&(p, _)| p).sum();
        assert!((p - 1.0).abs() < 1e-9, "initial probabilities sum to {p}");
        agents.push((AgentKind::ValueIteration, limit));
    }
    for (agent, power) in agents {
        let cfg = RunConfig {
            agent,
            power: Some(power),
            seed: 3,
            params: Params::new(),
        };
        let task = Task {
            world,
            reward: &reward,
            intent: &level.intent,
            limit,
        };
        let result = run_task(&task, &cfg, &mut |_| true)
            .unwrap_or_else(|e| panic!("{} refused a level that parses: {e}", agent.name()));
        let ep = &result.episode;
        assert!(ep.ret.is_finite() && ep.performance.is_finite());
        assert!(ep.steps <= limit, "{} steps of {limit}", ep.steps);
    }
}
