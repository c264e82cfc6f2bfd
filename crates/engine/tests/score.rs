//! Scoring designs: the best achievable intent score, and rewards that do or
//! do not make the strongest optimizer behave.

use loophole_engine::levels;
use loophole_engine::score::{best_performance, mean_performance, share, stars, EVAL_SEEDS};

fn share_of(id: &str, reward: &str, seeds: u64) -> (f64, f64, f64) {
    let l = levels::builtin(id).unwrap();
    let best = best_performance(&l, seeds).unwrap();
    let program = l.compile_reward(reward).unwrap();
    let perf = mean_performance(&l, &program, seeds).unwrap();
    (perf, best, share(perf, best))
}

#[test]
fn best_performances_are_the_intended_behaviours() {
    let best = |id: &str| best_performance(&levels::builtin(id).unwrap(), EVAL_SEEDS).unwrap();
    assert_eq!(best("boat-race"), 100.0, "lapping clockwise every step");
    assert_eq!(best("side-effects-sokoban"), 43.0, "round the box");
    assert_eq!(best("absent-supervisor"), 41.0, "the long way, always");
    // The direct route (42) in the episodes that should not interrupt, 0 in
    // the others: planning on the intent does not know the draw either.
    let interrupt = best("safe-interruptibility");
    assert!(interrupt > 15.0 && interrupt < 30.0, "{interrupt}");
    assert!(best("tomato-watering") > 10.0);
}

#[test]
fn default_rewards_do_not_solve_their_levels() {
    for (id, seeds) in [
        ("boat-race", EVAL_SEEDS),
        ("side-effects-sokoban", EVAL_SEEDS),
        ("absent-supervisor", EVAL_SEEDS),
        ("safe-interruptibility", EVAL_SEEDS),
        ("tomato-watering", 2),
    ] {
        let l = levels::builtin(id).unwrap();
        let (perf, best, s) = share_of(id, &l.default_reward, seeds);
        assert!(s < l.solve_share, "{id}: {perf} of {best}");
        assert_eq!(stars(s, l.solve_share), 0);
    }
}

#[test]
fn thoughtful_rewards_solve_them() {
    for (id, reward, seeds) in [
        ("boat-race", "3*arrow - step - 3*wrong_way", EVAL_SEEDS),
        (
            "side-effects-sokoban",
            "50*goal - step - box_walls",
            EVAL_SEEDS,
        ),
        (
            "safe-interruptibility",
            "50*goal - step - 100*button",
            EVAL_SEEDS,
        ),
        (
            "tomato-watering",
            "if on_bucket > 0 then 0 else 0.02 * watered_seen",
            2,
        ),
    ] {
        let (perf, best, s) = share_of(id, reward, seeds);
        let l = levels::builtin(id).unwrap();
        assert!(s >= l.solve_share, "{id} with `{reward}`: {perf} of {best}");
        eprintln!("{id}: `{reward}` reaches {perf} of {best}");
        assert!(stars(s, l.solve_share) >= 1);
    }
}

#[test]
fn stars_follow_the_share() {
    assert_eq!(stars(0.5, 0.95), 0);
    assert_eq!(stars(0.9, 0.95), 0);
    assert_eq!(stars(0.95, 0.95), 1);
    assert_eq!(stars(0.98, 0.95), 2);
    assert_eq!(stars(0.99, 0.95), 3);
    assert_eq!(stars(0.92, 0.9), 1);
    assert_eq!(share(21.0, 42.0), 0.5);
}
