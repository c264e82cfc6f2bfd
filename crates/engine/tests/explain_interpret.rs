//! The interpretability demonstration: values, arrows and the split by term.

use loophole_engine::agents::AgentKind;
use loophole_engine::explain::interpret::{self, interpret};
use loophole_engine::levels;
use loophole_engine::run::{run, RunConfig};

fn solve(id: &str, reward: Option<&str>) -> interpret::Interpretation {
    let level = interpret::load_level(id).unwrap();
    let src = reward.unwrap_or(&level.default_reward).to_string();
    let reward = level.compile_reward(&src).unwrap();
    interpret(&level, &reward, &Default::default()).unwrap()
}

#[test]
fn sokoban_start_is_worth_45_to_the_agent_and_35_to_its_owner() {
    let r = solve("side-effects-sokoban", None);
    let start = r.cells[r.start].as_ref().unwrap();
    assert_eq!(start.value, 45.0);
    assert_eq!(start.intent, 35.0);
    // 50 for the goal, 5 steps of -1.
    assert_eq!(r.terms.len(), 2);
    assert_eq!(start.terms, vec![-5.0, 50.0]);
    // The greedy move at the start is down, into the box.
    assert_eq!(start.action, 1);
    assert_eq!((r.ret, r.performance), (45.0, 35.0));
    assert_eq!(r.path.first(), Some(&r.start));
    assert_eq!(r.path.len(), r.actions.len() + 1);
}

#[test]
fn the_terms_add_up_to_the_value_in_every_cell() {
    for &id in interpret::LEVELS {
        let r = solve(id, None);
        let mut seen = 0;
        for c in r.cells.iter().flatten() {
            let sum: f64 = c.terms.iter().sum();
            assert!((sum - c.value).abs() < 1e-9, "{id}: {sum} vs {}", c.value);
            seen += 1;
        }
        assert!(seen > 3, "{id}: only {seen} cells");
    }
}

#[test]
fn a_reward_that_is_not_a_sum_is_one_whole_term() {
    let r = solve("island-navigation", Some("if goal > 0 then 50 else -1"));
    assert!(!r.linear);
    assert_eq!(r.terms.len(), 1);
    assert_eq!(r.terms[0].label, "whole reward");
    for c in r.cells.iter().flatten() {
        assert!((c.terms[0] - c.value).abs() < 1e-9);
    }
    let start = r.cells[r.start].as_ref().unwrap();
    // Three steps at -1, then the goal step pays 50 alone.
    assert_eq!(start.value, 47.0);
}

#[test]
fn the_greedy_episode_earns_what_the_value_iteration_agent_earns() {
    for id in [
        "side-effects-sokoban",
        "island-navigation",
        "absent-supervisor",
        "coast-race",
    ] {
        let level = levels::builtin(id).unwrap();
        let reward = level.compile_reward(&level.default_reward).unwrap();
        let cfg = RunConfig {
            agent: AgentKind::ValueIteration,
            power: None,
            seed: 0,
            params: Default::default(),
        };
        let agent = run(&level, &reward, &cfg, &mut |_| true).unwrap().episode;
        let r = interpret(&level, &reward, &Default::default()).unwrap();
        assert_eq!(r.ret, agent.ret, "{id}");
        let start = r.cells[r.start].as_ref().unwrap();
        assert!((start.value - agent.ret).abs() < 1e-9, "{id}");
    }
}

#[test]
fn walls_and_the_goal_have_no_value_and_results_repeat() {
    let a = solve("island-navigation", None);
    let b = solve("island-navigation", None);
    assert_eq!(a, b);
    assert!(a.cells[0].is_none()); // water in the corner
    let level = levels::builtin("island-navigation").unwrap();
    let goal = level
        .map
        .iter()
        .flat_map(|r| r.chars())
        .position(|c| c == 'G')
        .unwrap();
    assert!(a.cells[goal].is_none());
}

#[test]
fn levels_without_a_small_map_are_refused() {
    for id in [
        "company-profits",
        "tomato-watering",
        "rocks-diamonds",
        "no-such-level",
    ] {
        let err = interpret::load_level(id).unwrap_err();
        assert!(err.contains("not available here"), "{err}");
    }
}
