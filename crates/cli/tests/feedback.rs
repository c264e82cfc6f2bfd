//! `loophole rlhf` and `loophole cai` on the real command's output: the
//! JSON of the issue, text for people, SVG, and clear refusals (exit 2).

mod common;

use common::{json, loophole};
use serde_json::Value;

/// A fresh directory for one test's files (removed by the test).
fn scratch(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("loophole-feedback-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn rlhf_json_has_the_documented_keys_and_an_interior_gold_peak() {
    let v = json(&["rlhf", "--json", "--no-gridworld"]);
    let bon = &v["best_of_n"];
    for p in bon["points"].as_array().unwrap() {
        for key in ["n", "kl", "d", "proxy", "gold"] {
            assert!(p[key].is_number(), "best_of_n point without {key}: {p}");
        }
    }
    for p in v["kl_regularized"]["points"].as_array().unwrap() {
        for key in ["beta", "kl", "d", "proxy", "gold"] {
            assert!(
                p[key].is_number(),
                "kl_regularized point without {key}: {p}"
            );
        }
    }
    for curve in ["best_of_n", "kl_regularized"] {
        for key in ["alpha", "beta", "r2"] {
            assert!(v[curve]["fit"][key].is_number(), "{curve}.fit.{key}");
        }
        let peak = v[curve]["peak"].as_u64().unwrap() as usize;
        let len = v[curve]["points"].as_array().unwrap().len();
        assert!(peak > 0 && peak + 1 < len, "{curve}: peak {peak} of {len}");
    }
    assert!(v["gridworld"].is_null());
    // The same settings, the same bytes.
    assert_eq!(v, json(&["rlhf", "--json", "--no-gridworld"]));
}

#[test]
fn rlhf_text_says_where_gold_peaks_and_the_svg_is_written() {
    let dir = scratch("rlhf-svg");
    let svg = dir.join("rlhf.svg");
    let out = loophole(&["rlhf", "--max-n", "64", "--svg", svg.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("simulation"), "{text}");
    assert!(text.contains("gold peaks at n ="), "{text}");
    assert!(text.contains("learned reward:"), "{text}");
    let svg = std::fs::read_to_string(svg).unwrap();
    std::fs::remove_dir_all(dir).unwrap();
    assert!(svg.starts_with("<svg") && svg.contains("best-of-n") && svg.contains("KL-regularized"));
}

#[test]
fn cai_json_and_svg_cover_every_stage() {
    let dir = scratch("cai-svg");
    let svg = dir.join("cai.svg");
    let v = json(&[
        "cai",
        "--json",
        "--principle",
        "harmless: -harmful",
        "--principle",
        "helpful: helpful",
        "--svg",
        svg.to_str().unwrap(),
    ]);
    assert_eq!(v["constitution"].as_array().unwrap().len(), 2);
    assert_eq!(v["revisions"].as_array().unwrap().len(), 5);
    assert!(v["rl"]["points"].as_array().unwrap().len() > 5);
    assert_eq!(v["front"]["points"].as_array().unwrap().len(), 11);
    let drawn = std::fs::read_to_string(svg).unwrap();
    std::fs::remove_dir_all(dir).unwrap();
    assert!(drawn.contains("trade-off front"));
}

#[test]
fn cai_reads_a_constitution_file() {
    let dir = scratch("constitution");
    let path = dir.join("constitution.txt");
    std::fs::write(&path, "# mine\nharmless: -harmful - 0.5*evasive\n").unwrap();
    let v = json(&["cai", "--json", "--constitution", path.to_str().unwrap()]);
    std::fs::remove_dir_all(dir).unwrap();
    assert_eq!(v["constitution"][0]["expression"], "-harmful - 0.5*evasive");
    assert!(v["front"]["points"].as_array().unwrap().is_empty());
}

#[test]
fn bad_settings_are_refused_with_exit_status_2() {
    for (args, word) in [
        (&["rlhf", "--comparisons", "5"][..], "--comparisons"),
        (&["rlhf", "--rater-bias", "-1"][..], "--rater-bias"),
        (&["rlhf", "--max-n", "9999"][..], "--max-n"),
        (&["cai", "--revisions", "40"][..], "--revisions"),
        (
            &["cai", "--principle", "harmless: -harmfull"][..],
            "harmfull",
        ),
    ] {
        let out = loophole(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(word), "{args:?}: {err}");
    }
    // With --json the error is JSON too.
    let out = loophole(&["cai", "--json", "--principle", "x: nope"]);
    assert_eq!(out.status.code(), Some(2));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v["error"]["message"].as_str().unwrap().contains("nope"));
    assert_eq!(v["error"]["span"], serde_json::json!([3, 7]));
}
