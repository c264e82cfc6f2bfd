//! Maximum-entropy inverse RL on the vase room.

use loophole_engine::explain::irl::{self, Irl};

fn infer(demos: &[&str]) -> Result<Irl, String> {
    let level = irl::load_level("vase-room").unwrap();
    let demos: Vec<String> = demos.iter().map(|s| s.to_string()).collect();
    irl::infer(&level, &demos)
}

fn weight<'a>(r: &'a Irl, name: &str) -> &'a irl::Weight {
    r.weights.iter().find(|w| w.signal == name).unwrap()
}

#[test]
fn demonstrations_round_the_crate_teach_a_negative_weight_on_pushing() {
    let r = infer(irl::DEFAULT_DEMOS).unwrap();
    assert!(r.converged);
    let pushed = weight(&r, "pushed");
    assert!(!pushed.shown);
    assert!(pushed.weight < -3.0, "{}", pushed.weight);
    // The hand-written reward's optimizer shoves the crate twice...
    assert_eq!((r.hand.ret, r.hand.performance), (46.0, 6.0));
    assert_eq!(r.hand.totals[2], 2.0);
    // ...the learned reward's optimizer walks round it, as the demonstrator did.
    assert_eq!(r.learned.totals[2], 0.0);
    assert_eq!(r.learned.performance, 44.0);
    assert_eq!(r.learned.path, r.demos[1].path);
    // The learned weights explain the demonstrations far better than chance
    // or the hand-written reward.
    assert!(r.log_likelihood > -3.0);
    assert!(r.log_likelihood > r.random_log_likelihood + 10.0);
    assert!(r.log_likelihood > r.hand_log_likelihood.unwrap() + 10.0);
    // Pushing is bad, the demonstrations say, but not how bad: open below.
    assert_eq!(pushed.low, None);
    assert!(pushed.high.unwrap() < -1.0);
}

#[test]
fn the_pond_the_demonstrations_never_went_near_is_left_open() {
    let r = infer(irl::DEFAULT_DEMOS).unwrap();
    let water = weight(&r, "water");
    assert!(!water.shown);
    assert!(water.weight.abs() < 0.01, "{}", water.weight);
    assert_eq!(water.low, None);
    assert!(water.high.unwrap() > 10.0, "{:?}", water.high);
    // The step cost is pinned down from both sides.
    let step = weight(&r, "step");
    assert!(step.shown);
    assert!(step.low.unwrap() < step.weight && step.weight < step.high.unwrap());
    assert!(step.high.unwrap() - step.low.unwrap() < 10.0);
}

#[test]
fn demonstrations_that_shove_the_crate_teach_no_care_for_it() {
    let r = infer(&["ddld", "ddld"]).unwrap();
    let pushed = weight(&r, "pushed");
    assert!(pushed.shown);
    assert!(pushed.weight > -0.5, "{}", pushed.weight);
    assert_eq!(r.learned.totals[2], 2.0);
    assert_eq!(r.learned.performance, 6.0);
}

#[test]
fn the_inferred_expression_compiles_and_results_repeat() {
    let a = infer(irl::DEFAULT_DEMOS).unwrap();
    let b = infer(irl::DEFAULT_DEMOS).unwrap();
    assert_eq!(a, b);
    let level = irl::load_level("vase-room").unwrap();
    assert!(level.compile_reward(&a.expression).is_ok());
    assert_eq!(a.learned.reward, a.expression);
    assert!(a.expression.contains("pushed"), "{}", a.expression);
}

#[test]
fn bad_demonstrations_are_refused_with_reasons() {
    let cases: &[(&[&str], &str)] = &[
        (&[], "at least one"),
        (&["dd"], "stops after 2 steps"),
        (&["llddrdr"], "goes on after the episode ended"),
        (&["llxd"], "unknown action `x`"),
        (&["llddrd"; 11], "limit is 10"),
        (&[""], "empty"),
    ];
    for (demos, needle) in cases {
        let err = infer(demos).unwrap_err();
        assert!(err.contains(needle), "{err}");
    }
    assert!(irl::load_level("boat-race").is_err());
}

#[test]
fn other_levels_work_too() {
    let level = irl::load_level("side-effects-sokoban").unwrap();
    // Round the box: push it right, not down into the corner.
    let r = irl::infer(&level, &["ldrdrrd".to_string()]).unwrap();
    assert!(r.converged);
    assert!(r.learned.performance >= r.hand.performance);
}
