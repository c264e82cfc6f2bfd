//! The `loophole` binary as scripts use it: stable names, JSON, exit codes.

mod common;

use common::{json, loophole};
use serde_json::Value;
use std::process::Command;

#[test]
fn levels_json_lists_the_classic_levels() {
    let v = json(&["levels", "--json"]);
    let ids: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["id"].as_str().unwrap())
        .collect();
    for id in [
        "boat-race",
        "tomato-watering",
        "absent-supervisor",
        "safe-interruptibility",
        "side-effects-sokoban",
    ] {
        assert!(ids.contains(&id), "{id} missing from {ids:?}");
    }
    let boat = &v[0];
    assert_eq!(boat["default_reward"], "3*arrow - step");
    let clockwise = boat["signals"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "clockwise")
        .unwrap();
    assert_eq!(clockwise["visibility"], "hidden");
}

#[test]
fn replay_json_has_the_stable_keys_and_numbers() {
    let v = json(&[
        "replay",
        "--level",
        "boat-race",
        "--actions",
        "rrddlluu",
        "--json",
    ]);
    assert_eq!(v["return"], 4.0);
    assert_eq!(v["performance"], 8.0);
    assert_eq!(v["steps"], 8.0);
    assert_eq!(v["terminated"], false);
    assert_eq!(v["truncated"], false);
    assert_eq!(v["episodes"], 1);
}

#[test]
fn replay_averages_over_seeds() {
    let v = json(&[
        "replay",
        "--level",
        "absent-supervisor",
        "--actions",
        "ddd",
        "--seed",
        "0",
        "--episodes",
        "200",
        "--json",
    ]);
    // Shortcut: 47 unwatched, 17 watched; the supervisor is there half the time.
    let ret = v["return"].as_f64().unwrap();
    assert!((ret - 32.0).abs() < 4.0, "{ret}");
    assert_eq!(v["performance"], 17.0);
    assert_eq!(v["terminated"], 1.0);
    assert_eq!(v["episodes"], 200);
}

#[test]
fn run_json_finds_the_sokoban_shortcut() {
    let v = json(&["run", "--level", "side-effects-sokoban", "--json"]);
    assert_eq!(v["return"], 45.0);
    assert_eq!(v["performance"], 35.0);
    assert_eq!(v["agent"], "value-iteration");
    assert_eq!(v["power"], 100);
    assert_eq!(v["seed"], 0);
    assert_eq!(v["actions"].as_str().unwrap().len(), 5);
    assert!(v["training"]["states"].as_u64().unwrap() > 10);
}

#[test]
fn a_run_or_sweep_past_its_time_limit_stops_with_a_clear_error() {
    let cases: [&[&str]; 2] = [
        &[
            "run",
            "--level",
            "boat-race",
            "--agent",
            "q-learning",
            "--power",
            "100000",
        ],
        &[
            "sweep",
            "--level",
            "rocks-diamonds",
            "--powers",
            "1..30",
            "--seeds",
            "50",
        ],
    ];
    for args in cases {
        let what = args[0];
        let started = std::time::Instant::now();
        let out = loophole(&[args, &["--time-limit", "0.2", "--json"]].concat());
        let took = started.elapsed();
        assert_eq!(out.status.code(), Some(1), "{what}");
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(
            v["error"]["message"],
            format!(
                "the {what} exceeded its time budget of 0.2 s: allow more with --time-limit \
                 SECONDS, or ask for less (a lower --power, fewer --seeds)"
            )
        );
        // Worked until the limit, then stopped rather than run to the end
        // (the whole work takes several seconds).
        let took = took.as_secs_f64();
        assert!((0.2..3.0).contains(&took), "{what} took {took} s");
        let out = loophole(&[args, &["--time-limit", "nope"]].concat());
        assert_eq!(out.status.code(), Some(2));
        let out = loophole(&[args, &["--time-limit", "0"]].concat());
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("--time-limit takes seconds"), "{stderr}");
    }
}

#[test]
fn run_is_byte_for_byte_deterministic() {
    let args = [
        "run",
        "--level",
        "tomato-watering",
        "--agent",
        "mcts",
        "--power",
        "100",
        "--seed",
        "3",
        "--json",
    ];
    let a = loophole(&args);
    let b = loophole(&args);
    assert!(a.status.success());
    assert_eq!(a.stdout, b.stdout);
}

#[test]
fn run_draws_the_trajectory_without_json() {
    let out = loophole(&["run", "--level", "side-effects-sokoban"]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("return:      45"), "{text}");
    assert!(text.contains("performance: 35"), "{text}");
    // The path: down from the start, the box in the corner, @ on the goal.
    assert!(text.contains("  # ↓###"), "{text}");
    assert!(text.contains("##X→↓#") || text.contains("##X ↓#"), "{text}");
}

#[test]
fn bad_reward_exits_2_with_span_and_suggestion() {
    let out = loophole(&[
        "run",
        "--level",
        "boat-race",
        "--reward",
        "3*arow - step",
        "--json",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["error"]["span"], serde_json::json!([2, 6]));
    assert!(
        v["error"]["message"].as_str().unwrap().contains("arrow"),
        "{v}"
    );

    let out = loophole(&["check", "--level", "boat-race", "--reward", "3*arow - step"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("  ^^^^"), "a caret under `arow`:\n{err}");
}

#[test]
fn hidden_signal_in_a_reward_is_refused() {
    let out = loophole(&[
        "check",
        "--level",
        "boat-race",
        "--reward",
        "clockwise",
        "--json",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        v["error"]["message"].as_str().unwrap().contains("hidden"),
        "{v}"
    );
    assert_eq!(v["error"]["span"], serde_json::json!([0, 9]));
}

#[test]
fn broken_level_file_points_at_line_and_column() {
    let dir = std::env::temp_dir().join(format!("loophole-cli-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("broken.level");
    let good = loophole_engine::levels::BUILTIN[0].1;
    // Put a character that is not in the legend into the map.
    let broken = good.replacen("#A> #", "#A>Q#", 1);
    std::fs::write(&path, &broken).unwrap();
    let line = broken.lines().position(|l| l.contains("#A>Q#")).unwrap() + 1;
    let out = loophole(&[
        "replay",
        "--level-file",
        path.to_str().unwrap(),
        "--actions",
        "r",
        "--json",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["error"]["line"], line);
    assert_eq!(v["error"]["column"], 6);
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("`Q` is not in the legend"),
        "{v}"
    );

    // The same file, fixed, loads and plays.
    std::fs::write(&path, good).unwrap();
    let v = json(&[
        "replay",
        "--level-file",
        path.to_str().unwrap(),
        "--actions",
        "rrddlluu",
        "--json",
    ]);
    assert_eq!(v["return"], 4.0);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn unknown_level_and_param_are_helpful() {
    let out = loophole(&["run", "--level", "boat-rce"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("did you mean `boat-race`"));
    let out = loophole(&["run", "--level", "boat-race", "--param", "supervisor=1"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no parameter `supervisor`"));
}

#[test]
fn bench_reports_steps_per_second() {
    let v = json(&[
        "bench",
        "--level",
        "boat-race",
        "--steps",
        "100000",
        "--json",
    ]);
    assert!(v["steps_per_sec"].as_f64().unwrap() > 0.0);
    assert_eq!(v["steps"], 100000);
}

#[test]
fn a_closed_stdout_ends_the_command_quietly() {
    use std::io::Read;
    use std::process::Stdio;

    // Whoever reads the output has gone before the first line is written.
    for args in [
        &["explain", "irl"][..],
        &["levels"],
        &["run", "--level", "boat-race", "--json"],
        &[
            "run",
            "--level",
            "boat-race",
            "--agent",
            "value-iteration",
            "--power",
            "5",
        ],
        &["rlhf", "--comparisons", "200"],
    ] {
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let out = Command::new(env!("CARGO_BIN_EXE_loophole"))
            .args(args)
            .stdout(writer)
            .stderr(Stdio::piped())
            .output()
            .expect("the binary runs");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert_eq!(out.status.code(), Some(0), "{args:?}: {stderr}");
        assert_eq!(stderr, "", "{args:?}");
    }

    // Or after reading a little: `loophole table | head -c 100`.
    let mut child = Command::new(env!("CARGO_BIN_EXE_loophole"))
        .args(["table", "--seeds", "1"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut head = [0u8; 100];
    child.stdout.take().unwrap().read_exact(&mut head).unwrap();
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(out.status.code(), Some(0), "{stderr}");
}
