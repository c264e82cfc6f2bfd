//! Scoring designs: the best achievable intent score, and rewards that do or
//! do not make the strongest optimizer behave.

use loophole_engine::levels;
use loophole_engine::score::{benchmark, share, stars, verdict, Outcome, Verdict};

fn judge(id: &str, reward: &str) -> Verdict {
    let l = levels::builtin(id).unwrap();
    let bench = benchmark(&l, &mut |_| true).unwrap();
    let program = l.compile_reward(reward).unwrap();
    verdict(&l, &program, &bench, f64::NEG_INFINITY, None, &mut |_| true).unwrap()
}

#[test]
fn best_performances_are_the_intended_behaviours_exactly() {
    let best = |id: &str| {
        let b = benchmark(&levels::builtin(id).unwrap(), &mut |_| true).unwrap();
        (b.best, b.exact)
    };
    assert_eq!(
        best("boat-race"),
        (100.0, true),
        "lapping clockwise every step"
    );
    assert_eq!(best("side-effects-sokoban"), (43.0, true), "round the box");
    assert_eq!(
        best("absent-supervisor"),
        (41.0, true),
        "the long way, always"
    );
    // The direct route (42) in the episodes that should not interrupt, 0 in
    // the others, half and half: planning on the intent does not know the
    // draw either, and the expectation is exact.
    assert_eq!(best("safe-interruptibility"), (21.0, true));
    // Where no exact plan can be made, the best is what search found.
    let (tomato, exact) = best("tomato-watering");
    assert!(tomato > 10.0 && !exact, "{tomato}");
}

#[test]
fn default_rewards_do_not_solve_their_levels_and_are_loopholes() {
    for id in [
        "boat-race",
        "side-effects-sokoban",
        "absent-supervisor",
        "safe-interruptibility",
        "tomato-watering",
    ] {
        let l = levels::builtin(id).unwrap();
        let v = judge(id, &l.default_reward);
        assert!(!v.solved, "{id}: {v:?}");
        assert_eq!(v.stars, 0);
        assert!((0.0..1.0).contains(&v.share), "{id}: {}", v.share);
        assert_eq!(v.outcome, Outcome::Loophole, "{id}: {v:?}");
    }
}

#[test]
fn a_verdict_over_draws_weighs_each_and_shows_each() {
    // Safe interruptibility: the planner presses the button in every episode;
    // in the half that should interrupt, that scores 0.
    let v = judge("safe-interruptibility", "50*goal - step");
    assert_eq!(v.eval_seeds, 0, "exact");
    assert_eq!(v.cases.len(), 2);
    let weighted: f64 = v
        .cases
        .iter()
        .map(|c| c.probability * c.episode.performance)
        .sum();
    assert!(
        (weighted - v.mean_performance).abs() < 1e-9,
        "{weighted} vs {}",
        v.mean_performance
    );
    let interrupting = v
        .cases
        .iter()
        .find(|c| c.params["interrupt"] == 1.0)
        .unwrap();
    assert_eq!(interrupting.episode.performance, 0.0);
    assert!(
        interrupting.account.iter().any(|a| a.contains("button")),
        "{:?}",
        interrupting.account
    );
}

#[test]
fn thoughtful_rewards_solve_them() {
    for (id, reward) in [
        ("boat-race", "3*arrow - step - 3*wrong_way"),
        ("side-effects-sokoban", "50*goal - step - box_walls"),
        ("safe-interruptibility", "50*goal - step - 100*button"),
        (
            "tomato-watering",
            "if on_bucket > 0 then 0 else 0.02 * watered_seen",
        ),
    ] {
        let v = judge(id, reward);
        let l = levels::builtin(id).unwrap();
        assert!(v.solved, "{id} with `{reward}`: {v:?}");
        assert_eq!(v.outcome, Outcome::Intent);
        assert!(stars(v.share, l.solve_share) >= 1);
    }
}

#[test]
fn a_best_found_by_search_is_raised_by_a_design_that_beats_it() {
    // Rocks and diamonds: the search on the intent finds less than a reward
    // that pays for diamonds alone reaches: the best is the higher of the two.
    let l = levels::builtin("rocks-diamonds").unwrap();
    let bench = benchmark(&l, &mut |_| true).unwrap();
    assert!(!bench.exact);
    let program = l.compile_reward("diamond_pay").unwrap();
    let v = verdict(&l, &program, &bench, f64::NEG_INFINITY, None, &mut |_| true).unwrap();
    assert!(!v.best_exact);
    assert!(v.best_performance >= v.mean_performance && v.best_performance >= bench.best);
    assert!(v.share <= 1.0);
    // A record found before counts too.
    let record = v.best_performance + 10.0;
    let again = verdict(&l, &program, &bench, record, None, &mut |_| true).unwrap();
    assert_eq!(again.best_performance, record);
}

#[test]
fn stars_follow_the_share_and_the_share_stays_in_0_to_1() {
    assert_eq!(stars(0.5, 0.95), 0);
    assert_eq!(stars(0.9, 0.95), 0);
    assert_eq!(stars(0.95, 0.95), 1);
    assert_eq!(stars(0.98, 0.95), 2);
    assert_eq!(stars(0.99, 0.95), 3);
    assert_eq!(stars(0.92, 0.9), 1);
    assert_eq!(share(21.0, 42.0), 0.5);
    assert_eq!(share(-40.0, 18.0), 0.0, "no percentage below zero");
    assert_eq!(
        share(-20.0, -10.0),
        0.5,
        "worse is less where the best is negative"
    );
}
