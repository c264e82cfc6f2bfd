//! `Program::eval` takes a fast path for sums of scaled signals; it must give
//! the same bits as the stack machine for every program and every input,
//! including signals that are huge, infinite, NaN or negative zero, and sums
//! that saturate.

use loophole_engine::lang::{compile, Access, Program, SignalDecl, Visibility};
use loophole_engine::levels;
use loophole_engine::world::World;
use proptest::prelude::*;

const NAMES: [&str; 5] = ["a", "b", "c", "d", "e"];

fn decls() -> Vec<SignalDecl> {
    NAMES
        .iter()
        .map(|n| SignalDecl {
            name: n.to_string(),
            visibility: Visibility::Observed,
            description: String::new(),
        })
        .collect()
}

fn build(src: &str) -> Program {
    compile(src, &decls(), Access::Reward).unwrap_or_else(|d| panic!("{}", d.render(src)))
}

/// Coefficients as written in the source, ordinary and extreme.
fn coefficient() -> impl Strategy<Value = String> {
    prop_oneof![
        (1u32..100).prop_map(|k| k.to_string()),
        (0u32..1000).prop_map(|k| format!("{}.{}", k / 10, k % 10)),
        prop::sample::select(vec![
            "0",
            "0.0",
            "1",
            "0.5",
            "1e12",
            "999999999999",
            "1e-300",
            "3e-5",
            "0.1",
            "1e6",
        ])
        .prop_map(str::to_string),
    ]
}

/// One term: a signal, `k*signal`, `signal*k`, a constant, or something that
/// is not a chain (so the generator also covers the other path).
fn term() -> impl Strategy<Value = String> {
    let name = prop::sample::select(NAMES.to_vec());
    prop_oneof![
        4 => name.clone().prop_map(str::to_string),
        4 => (coefficient(), name.clone()).prop_map(|(k, n)| format!("{k}*{n}")),
        2 => (name.clone(), coefficient()).prop_map(|(n, k)| format!("{n}*{k}")),
        2 => (coefficient(), name.clone()).prop_map(|(k, n)| format!("-{k}*{n}")),
        1 => coefficient(),
        1 => (name.clone(), coefficient()).prop_map(|(n, k)| format!("{n}/({k}+1)")),
        1 => name.prop_map(|n| format!("max({n}, 0)")),
    ]
}

fn program_source() -> impl Strategy<Value = String> {
    (term(), prop::collection::vec((any::<bool>(), term()), 0..8)).prop_map(|(first, rest)| {
        let mut src = first;
        for (plus, t) in rest {
            src.push_str(if plus { " + " } else { " - " });
            src.push_str(&t);
        }
        src
    })
}

fn signal_value() -> impl Strategy<Value = f64> {
    prop_oneof![
        4 => -1e3f64..1e3,
        2 => (-20i32..20).prop_map(f64::from),
        2 => any::<f64>(),
        1 => prop::sample::select(vec![
            0.0,
            -0.0,
            f64::NAN,
            -f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::MAX,
            f64::MIN,
            f64::MIN_POSITIVE,
            5e-324,
            1e15,
            -1e15,
            1e15 + 0.125,
            1.0000000000000002e15,
            -1e16,
            1e30,
            1e-300,
        ]),
    ]
}

fn same_bits(p: &Program, signals: &[f64]) -> Result<(), TestCaseError> {
    let fast = p.eval(signals);
    let slow = p.eval_stack_machine(signals);
    prop_assert_eq!(
        fast.to_bits(),
        slow.to_bits(),
        "fast {} vs stack machine {} on {:?}",
        fast,
        slow,
        signals
    );
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4000))]

    /// A caller that knows its signals are within a bound the program
    /// covers skips the checks, and still gets the stack machine's bits.
    #[test]
    fn unchecked_sums_within_the_bound_give_the_same_bits(
        src in program_source(),
        bound in prop::sample::select(vec![1.0, 4096.0, 1e6, 1e9]),
        raw in prop::collection::vec(-1.0f64..=1.0, NAMES.len()),
        zeros in prop::collection::vec(any::<bool>(), NAMES.len()),
    ) {
        let p = build(&src);
        if !p.covers(bound) {
            // Not a chain, or coefficients too large for the bound: `eval_known` is `eval`.
            return Ok(());
        }
        let signals: Vec<f64> = raw
            .iter()
            .zip(&zeros)
            .map(|(x, z)| if *z { x.signum() * 0.0 } else { (x * bound).round().clamp(-bound, bound) })
            .collect();
        let known = p.eval_known(&signals, true);
        let slow = p.eval_stack_machine(&signals);
        prop_assert_eq!(known.to_bits(), slow.to_bits(), "{} on {:?}", src, signals);
    }

    #[test]
    fn fast_path_gives_the_stack_machines_bits(
        src in program_source(),
        signals in prop::collection::vec(signal_value(), 0..=NAMES.len()),
    ) {
        let p = build(&src);
        // A shorter slice reads the missing signals as 0.
        same_bits(&p, &signals)?;
        let mut full = signals.clone();
        full.resize(NAMES.len(), -0.0);
        same_bits(&p, &full)?;
    }
}

#[test]
fn sums_of_scaled_signals_take_the_fast_path() {
    for src in [
        "a",
        "7",
        "50*a - b",
        "50*a - b - c",
        "a*3 + b - 2*c + 0.5*d - e",
        "-2*a + b",
    ] {
        assert!(build(src).is_chain(), "{src}");
    }
    for src in [
        "a / 2",
        "a - 1",
        "max(a, b)",
        "a * b",
        "if a > 0 then 1 else 2",
    ] {
        assert!(!build(src).is_chain(), "{src}");
    }
}

#[test]
fn saturating_sums_agree() {
    let p = build("1e12*a + 1e12*b - 999999999999*c");
    assert!(p.is_chain());
    for signals in [
        [1e15, 1e15, -1e15, 0.0, 0.0],
        [f64::INFINITY, f64::NAN, f64::NEG_INFINITY, 0.0, 0.0],
        [-0.0, -0.0, 0.0, 0.0, 0.0],
        [1e3, -1e3, 2.0, 0.0, 0.0],
    ] {
        assert_eq!(
            p.eval(&signals).to_bits(),
            p.eval_stack_machine(&signals).to_bits()
        );
    }
    assert_eq!(p.eval(&[1e15, 1e15, -1e15, 0.0, 0.0]), 1e15);
}

#[test]
fn every_levels_reward_and_intent_agree() {
    let odd = [
        0.0,
        -0.0,
        1.0,
        -1.0,
        3.5,
        f64::NAN,
        f64::INFINITY,
        -1e16,
        1e15,
    ];
    for level in levels::all().expect("the built-in levels load") {
        let id = &level.id;
        let reward = level
            .compile_reward(&level.default_reward)
            .expect("the default reward compiles");
        let n = level.world.signal_names().len();
        for p in [&reward, &level.intent] {
            for shift in 0..odd.len() {
                let signals: Vec<f64> = (0..n).map(|i| odd[(i + shift) % odd.len()]).collect();
                assert_eq!(
                    p.eval(&signals).to_bits(),
                    p.eval_stack_machine(&signals).to_bits(),
                    "{id}"
                );
            }
        }
    }
}

/// Environments skip the fast path's checks when the world promises a
/// bound on its signals: random walks through every built-in level never
/// emit a signal beyond its world's bound.
#[test]
fn every_level_keeps_its_signals_within_its_bound() {
    use loophole_engine::env::Env;
    use loophole_engine::rng::Rng;
    use loophole_engine::world::Params;
    for level in levels::all().unwrap() {
        let bound = level.world.signal_bound();
        let reward = level.compile_reward(&level.default_reward).unwrap();
        let mut env = Env::new(&level.world, &reward, &level.intent, level.steps);
        let mut rng = Rng::new(7);
        let n = level.world.actions().len() as u64;
        for episode in 0..200u64 {
            env.reset(episode, &Params::new()).unwrap();
            while !env.done() {
                env.step(rng.below(n) as usize);
                for (name, x) in level.world.signal_names().iter().zip(env.signals()) {
                    assert!(
                        x.abs() <= bound,
                        "{}: `{name}` = {x} is beyond the bound {bound}",
                        level.id
                    );
                }
            }
        }
    }
}
