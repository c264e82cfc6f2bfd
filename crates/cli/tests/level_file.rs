//! Hostile level files through `--level-file`: markup in the title and the
//! story is printed as the text it is (and JSON-escaped in `--json`),
//! control characters and oversized files are refused with a clean error
//! naming the place, and nothing panics (docs/ROBUSTNESS.md).

use std::path::PathBuf;
use std::process::{Command, Output};

const BOAT: &str = include_str!("../../../levels/boat-race.level");
const MARKUP: &str =
    "<script>alert(1)</script><img src=x onerror=alert(2)> \u{202e}🦀 \"quoted\" & {}";

fn write_level(name: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("loophole-level-file-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn run(args: &[&str], file: &PathBuf) -> Output {
    Command::new(env!("CARGO_BIN_EXE_loophole"))
        .args(args)
        .arg("--level-file")
        .arg(file)
        .output()
        .expect("the command runs")
}

fn hostile_level() -> String {
    BOAT.replace("title: Boat race", &format!("title: {MARKUP}"))
        .replace(
            "  A little boat is supposed",
            &format!("  {MARKUP}\n  A little boat is supposed"),
        )
}

#[test]
fn markup_in_a_level_file_is_printed_as_text() {
    let file = write_level("markup.level", &hostile_level());
    let out = run(
        &["run", "--agent", "value-iteration", "--power", "5"],
        &file,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.starts_with(MARKUP), "{stdout}");

    let out = run(
        &[
            "run",
            "--agent",
            "value-iteration",
            "--power",
            "5",
            "--json",
        ],
        &file,
    );
    assert!(out.status.success());
    let stdout = String::from_utf8(out.stdout).unwrap();
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(v["level"], "boat-race", "{stdout}");
    assert!(v["return"].is_number());
}

#[test]
fn control_characters_in_a_level_file_are_a_clean_error() {
    for (name, bad) in [
        ("escape", "\u{1b}[2J\u{1b}]0;owned\u{7}"),
        ("nul", "\0"),
        ("backspace", "\u{8}\u{8}\u{8}"),
        ("c1", "\u{9b}31m"),
    ] {
        let text = BOAT.replace("title: Boat race", &format!("title: Boat {bad}race"));
        let file = write_level(&format!("{name}.level"), &text);
        for json in [false, true] {
            let mut args = vec!["run"];
            if json {
                args.push("--json");
            }
            let out = run(&args, &file);
            assert_eq!(out.status.code(), Some(2), "{name}");
            let stderr = String::from_utf8_lossy(&out.stderr);
            let stdout = String::from_utf8_lossy(&out.stdout);
            assert!(!stderr.contains("panicked"), "{name}: {stderr}");
            let message = if json {
                let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
                assert_eq!(
                    (v["error"]["line"].as_u64(), v["error"]["column"].as_u64()),
                    (Some(3), Some(13)),
                    "{name}: {v}"
                );
                v["error"]["message"].as_str().unwrap().to_string()
            } else {
                stderr.lines().next().unwrap_or("").to_string()
            };
            assert!(
                message.contains(":3:13: the control character U+"),
                "{name}: {message:?}"
            );
        }
    }
}

#[test]
fn an_oversized_or_binary_level_file_is_a_clean_error() {
    let huge = format!("{BOAT}\n#{}\n", "x".repeat(200_000));
    let long_line = BOAT.replace(
        "title: Boat race",
        &format!("title: {}", "<b>".repeat(30_000)),
    );
    let binary: Vec<u8> = (0..=255u8).cycle().take(4096).collect();
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("huge", huge.into_bytes(), "the limit is 65536"),
        ("long-line", long_line.into_bytes(), "the limit is 65536"),
        ("binary", binary, "cannot read level file"),
        ("empty", Vec::new(), "missing"),
    ];
    for (name, bytes, expected) in cases {
        let dir = std::env::temp_dir().join(format!("loophole-level-file-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join(format!("{name}.level"));
        std::fs::write(&file, &bytes).unwrap();
        let out = run(&["run", "--json"], &file);
        assert!(
            matches!(out.status.code(), Some(1 | 2)),
            "{name}: {:?}",
            out.status
        );
        let stdout = String::from_utf8_lossy(&out.stdout);
        let v: serde_json::Value = serde_json::from_str(&stdout)
            .unwrap_or_else(|e| panic!("{name}: not JSON ({e}): {stdout}"));
        let message = v["error"]["message"].as_str().unwrap();
        assert!(message.contains(expected), "{name}: {message}");
        assert!(
            stdout.len() < 2_000,
            "{name}: {} bytes of error",
            stdout.len()
        );
    }
}

/// No control character but a line end or a tab.
fn has_terminal_controls(text: &str) -> bool {
    text.chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
}

#[test]
fn control_characters_quoted_in_errors_are_escaped_on_the_terminal() {
    // A file whose name and title carry escapes: clear the screen, retitle
    // the window, ring the bell, a C1 control sequence introducer.
    let title = "title: Boat \u{1b}[2J\u{1b}]0;owned\u{7}\t\u{9b}31mrace";
    let text = BOAT.replace("title: Boat race", title);
    let file = write_level("named-\u{1b}[31m.level", &text);
    let out = run(&["run"], &file);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(!has_terminal_controls(&stderr), "{stderr:?}");
    let lines: Vec<&str> = stderr.lines().collect();
    assert!(
        lines[0].contains("named-\\x1b[31m.level:3:13: the control character U+001B"),
        "{stderr}"
    );
    assert_eq!(
        lines[1], "  title: Boat \\x1b[2J\\x1b]0;owned\\x07\t\\u{9b}31mrace",
        "{stderr}"
    );
    // The caret is under the escaped character.
    assert_eq!(lines[2].find('^'), lines[1].find('\\'), "{stderr}");

    // `--json` keeps the text itself, JSON-escaped.
    let out = run(&["run", "--json"], &file);
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(!has_terminal_controls(&stdout), "{stdout:?}");
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert!(v["error"]["message"]
        .as_str()
        .unwrap()
        .contains("named-\u{1b}[31m.level:3:13"));
}

#[test]
fn control_characters_in_a_reward_or_a_level_id_are_escaped_in_errors() {
    let loophole = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_loophole"))
            .args(args)
            .output()
            .expect("the command runs")
    };
    // A reward: the line is quoted with its escapes written out and the
    // carets moved to stay under the offending character.
    let out = loophole(&[
        "check",
        "--level",
        "boat-race",
        "--reward",
        "step\u{1b}[2J + \u{9b}1",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(!has_terminal_controls(&stderr), "{stderr:?}");
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines[1], "  step\\x1b[2J + \\u{9b}1", "{stderr}");
    assert_eq!(lines[2], "      ^^^^", "{stderr}");

    // A level id, quoted back in "no level `…`".
    let out = loophole(&["run", "--level", "boat\u{1b}]0;owned\u{7}"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(!has_terminal_controls(&stderr), "{stderr:?}");
    assert!(stderr.contains("boat\\x1b]0;owned\\x07"), "{stderr}");
}

#[test]
fn a_long_bad_line_is_quoted_as_a_window_of_itself() {
    // Under the size limit, but one line of 60,000 characters with its
    // mistake at the start: the terminal gets a readable excerpt.
    let text = BOAT.replace("steps: 100", &format!("steps: 100{}", "9".repeat(60_000)));
    let file = write_level("long-steps.level", &text);
    let out = run(&["run"], &file);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.len() < 400, "{} bytes: {stderr}", stderr.len());
    let lines: Vec<&str> = stderr.lines().collect();
    assert!(
        lines[0].contains(":4:8: `steps` must be a whole number"),
        "{stderr}"
    );
    assert!(lines[1].starts_with("  steps: 1009") && lines[1].ends_with('…'));
    assert_eq!(lines[2], "         ^");
}
