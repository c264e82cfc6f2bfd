//! `loophole bench`: every suite runs and reports real numbers (small sizes:
//! the timings themselves are not checked, only what was measured).

mod common;

use common::{json, loophole};

#[test]
fn value_iteration_on_a_small_warehouse_counts_its_states() {
    let v = json(&[
        "bench",
        "--suite",
        "value-iteration",
        "--side",
        "7",
        "--horizon",
        "10",
        "--json",
    ]);
    // 5x5 floor cells: the robot and the box on any two of them.
    assert_eq!(v["states"], 25 * 24);
    assert_eq!(v["transitions"], 25 * 24 * 4);
    assert_eq!(v["sweeps"], 10);
    // Four steps along the top wall to the goal: 50 - 4.
    assert_eq!(v["start_value"], 46.0);
    assert!(v["bytes_per_state"].as_f64().unwrap() > 100.0);
    assert!(v["compile_seconds"].as_f64().unwrap() >= 0.0);
}

#[test]
fn q_learning_counts_one_update_per_step() {
    let v = json(&[
        "bench",
        "--suite",
        "q-learning",
        "--level",
        "boat-race",
        "--episodes",
        "50",
        "--json",
    ]);
    // Boat race never ends early: 50 episodes of 100 steps.
    assert_eq!(v["updates"], 5000);
    assert!(v["updates_per_sec"].as_f64().unwrap() > 0.0);
}

#[test]
fn server_latency_is_measured_over_http() {
    let v = json(&[
        "bench",
        "--suite",
        "server",
        "--level",
        "side-effects-sokoban",
        "--repeats",
        "2",
        "--json",
    ]);
    assert_eq!(v["agent"], "value-iteration");
    assert_eq!(v["power"], 100);
    assert_eq!(v["runs"], 2);
    let median = v["median_ms"].as_f64().unwrap();
    assert!(median > 0.0 && median < 10_000.0, "{median}");
}

#[test]
fn bench_refuses_sizes_out_of_range() {
    for args in [
        ["--side", "65"],
        ["--horizon", "0"],
        ["--repeats", "0"],
        ["--episodes", "0"],
    ] {
        let mut all = vec!["bench", "--suite", "value-iteration"];
        all.extend(args);
        let out = loophole(&all);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(args[0]), "{args:?}: {err}");
    }
}
