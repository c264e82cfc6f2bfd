//! `loophole sweep`: the Goodhart curve, on the real command's output.

use std::process::Command;

use serde_json::Value;

fn sweep(args: &[&str], threads: &str) -> Vec<u8> {
    let out = Command::new(env!("CARGO_BIN_EXE_loophole"))
        .arg("sweep")
        .args(args)
        .env("RAYON_NUM_THREADS", threads)
        .output()
        .expect("the binary runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

fn points(stdout: &[u8]) -> Vec<(u64, f64, f64)> {
    let v: Value = serde_json::from_slice(stdout).unwrap();
    v["points"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["power"].as_u64().unwrap(),
                p["return_mean"].as_f64().unwrap(),
                p["performance_mean"].as_f64().unwrap(),
            )
        })
        .collect()
}

/// Return never falls as power grows (within `tolerance`), and the intent at
/// the highest power is at least `drop` below its peak at a lower power.
fn assert_goodhart(points: &[(u64, f64, f64)], tolerance: f64, drop: f64) {
    for w in points.windows(2) {
        assert!(
            w[1].1 >= w[0].1 - tolerance,
            "return fell from {:?} to {:?}",
            w[0],
            w[1]
        );
    }
    let (peak_at, _, peak) =
        points.iter().copied().fold(
            (0, 0.0, f64::NEG_INFINITY),
            |a, p| if p.2 > a.2 { p } else { a },
        );
    let last = points.last().unwrap();
    assert!(peak_at < last.0, "the intent peaks at the highest power");
    assert!(
        peak - last.2 >= drop,
        "intent {} at power {} vs peak {peak} at power {peak_at}",
        last.2,
        last.0
    );
}

#[test]
fn company_profits_is_a_goodhart_curve() {
    let out = sweep(
        &[
            "--level",
            "company-profits",
            "--powers",
            "1..24",
            "--seeds",
            "10",
            "--json",
        ],
        "2",
    );
    let pts = points(&out);
    assert_eq!(pts.len(), 24);
    // Short-sighted: cut costs every quarter, 168 either way.
    assert_eq!((pts[0].1, pts[0].2), (168.0, 168.0));
    // Far-sighted: every harmful project; the most profit, the least intent.
    assert_eq!(pts[23].1, 379.0);
    assert_goodhart(&pts, 1.0, 150.0);
}

#[test]
fn output_is_the_same_whatever_the_number_of_threads() {
    let args = [
        "--level",
        "tomato-watering",
        "--agent",
        "q-learning",
        "--powers",
        "10..400:4",
        "--seeds",
        "3",
        "--json",
    ];
    assert_eq!(sweep(&args, "1"), sweep(&args, "2"));
}

#[test]
fn csv_and_svg_are_written() {
    let dir = std::env::temp_dir().join(format!("loophole-sweep-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let csv = dir.join("c.csv");
    let svg = dir.join("c.svg");
    sweep(
        &[
            "--level",
            "side-effects-sokoban",
            "--powers",
            "1,5",
            "--seeds",
            "2",
            "--csv",
            csv.to_str().unwrap(),
            "--svg",
            svg.to_str().unwrap(),
        ],
        "2",
    );
    let csv = std::fs::read_to_string(&csv).unwrap();
    assert_eq!(
        csv.lines().next(),
        Some("power,return_mean,return_sd,performance_mean,performance_sd")
    );
    assert!(csv.contains("\n5,45,0,35,0\n"), "{csv}");
    let svg = std::fs::read_to_string(&svg).unwrap();
    assert!(
        svg.starts_with("<svg") && svg.contains("optimization power") && svg.contains("intent")
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn bad_power_lists_are_refused() {
    let out = Command::new(env!("CARGO_BIN_EXE_loophole"))
        .args(["sweep", "--level", "boat-race", "--powers", "5..1"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("empty"));
}

fn loophole(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_loophole"))
        .args(args)
        .output()
        .expect("the binary runs")
}

#[test]
fn shards_merged_in_any_order_are_the_whole_sweep_byte_for_byte() {
    let dir = std::env::temp_dir().join(format!("loophole-shards-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let args = [
        "--level",
        "cleaning-robot",
        "--powers",
        "1..40:20",
        "--seeds",
        "10",
    ];
    let whole = sweep(&[&args[..], &["--json"]].concat(), "2");
    let mut files = Vec::new();
    for i in [2, 0, 1] {
        let shard = format!("{i}/3");
        let out = sweep(&[&args[..], &["--shard", &shard]].concat(), "1");
        let body: Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(body["shard"], serde_json::json!([i, 3]));
        // Every third job, from the shard's own.
        let jobs: Vec<u64> = body["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r[0].as_u64().unwrap())
            .collect();
        assert!(jobs.iter().all(|k| k % 3 == i), "{jobs:?}");
        let path = dir.join(format!("s{i}.json"));
        std::fs::write(&path, out).unwrap();
        files.push(path);
    }
    let paths: Vec<&str> = files.iter().map(|p| p.to_str().unwrap()).collect();
    let merged = loophole(&[&["merge"][..], &paths].concat());
    assert!(
        merged.status.success(),
        "{}",
        String::from_utf8_lossy(&merged.stdout)
    );
    assert_eq!(
        merged.stdout, whole,
        "merged shards differ from the whole sweep"
    );

    // A shard missing, given twice, or of another sweep: a clear error.
    let missing = loophole(&["merge", paths[0], paths[1]]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stdout).contains("shard 1/3 is missing"));
    let twice = loophole(&["merge", paths[0], paths[0], paths[1]]);
    assert!(String::from_utf8_lossy(&twice.stdout).contains("given twice"));
    let other = sweep(
        &[
            "--level",
            "cleaning-robot",
            "--powers",
            "1..40:20",
            "--seeds",
            "9",
            "--shard",
            "1/3",
        ],
        "1",
    );
    let other_path = dir.join("other.json");
    std::fs::write(&other_path, other).unwrap();
    let mixed = loophole(&["merge", paths[1], other_path.to_str().unwrap(), paths[2]]);
    assert!(String::from_utf8_lossy(&mixed.stdout).contains("a shard of another sweep"));
    let bad = loophole(&[
        "sweep",
        "--level",
        "boat-race",
        "--powers",
        "1,2",
        "--shard",
        "3/3",
    ]);
    assert!(String::from_utf8_lossy(&bad.stdout).contains("a shard is I/N"));
    std::fs::remove_dir_all(&dir).unwrap();
}
