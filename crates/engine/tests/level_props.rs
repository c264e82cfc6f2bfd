//! Untrusted text through the engine, in the ordinary test run: the fuzz
//! targets' checked-in corpus, proptest-generated levels and bytes, and
//! the size limits that refuse huge inputs early. The checks are those of
//! the cargo-fuzz targets (`loophole_engine::fuzzing`, docs/ROBUSTNESS.md).

use std::path::PathBuf;
use std::time::{Duration, Instant};

use loophole_engine::fuzzing::{self, check_level_text};
use loophole_engine::grid::{Config, GridWorld, Kind};
use loophole_engine::level::{parse, MAX_LEVEL_BYTES};
use loophole_engine::levels::BUILTIN;
use loophole_engine::world::World;
use proptest::prelude::*;

/// The files of one fuzz target's corpus, by name.
fn corpus(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fuzz/corpus")
        .join(target);
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(&path).unwrap())
        })
        .collect();
    files.sort();
    files
}

/// Runs `check` on every file of a corpus, naming the file that fails.
fn replay(target: &str, check: fn(&[u8])) -> usize {
    let files = corpus(target);
    for (name, data) in &files {
        let outcome = std::panic::catch_unwind(|| check(data));
        assert!(
            outcome.is_ok(),
            "fuzz/corpus/{target}/{name} fails the check"
        );
    }
    files.len()
}

#[test]
fn the_reward_language_corpus_passes_its_check() {
    let n = replay("reward_lang", fuzzing::reward_lang);
    assert!(n >= 20, "only {n} files in fuzz/corpus/reward_lang");
}

#[test]
fn the_level_format_corpus_passes_its_check() {
    let n = replay("level_format", fuzzing::level_format);
    assert!(n >= 20, "only {n} files in fuzz/corpus/level_format");
}

#[test]
fn every_builtin_level_passes_the_level_check() {
    for &(_, text) in BUILTIN {
        check_level_text(text);
    }
}

// ----- size limits: a huge input is refused early, with a clear message -----

/// Runs `f`, failing if it takes longer than `limit` (the test profile is
/// optimized; the bounds are an order of magnitude above what it takes).
fn within<T>(limit: Duration, what: &str, f: impl FnOnce() -> T) -> T {
    let t = Instant::now();
    let out = f();
    eprintln!("{what}: {:?}", t.elapsed());
    assert!(t.elapsed() < limit, "{what} took {:?}", t.elapsed());
    out
}

#[test]
fn a_level_file_over_the_limit_is_refused_before_it_is_read() {
    let huge = format!("id: x\n{}", "map:\n  #\n".repeat(1_000_000));
    let e = within(Duration::from_millis(50), "10 MB level", || {
        parse(&huge).unwrap_err()
    });
    assert_eq!((e.line, e.column), (1, 1));
    assert!(
        e.message
            .contains(&format!("the limit is {MAX_LEVEL_BYTES}")),
        "{e}"
    );
}

#[test]
fn a_repeated_word_is_reported_where_it_is() {
    let boat = BUILTIN[0].1;
    let line = boat.lines().position(|l| l == "  arrows").unwrap() + 1;
    let e = parse(&boat.replace("\n  arrows\n", "\n  arrows x=1 \u{e9}x=2 x\n")).unwrap_err();
    assert_eq!((e.line, e.column), (line, 19), "{e}");
    assert!(e.message.ends_with("found `x`"), "{e}");
}

#[test]
fn control_characters_are_refused_where_they_are() {
    let boat = BUILTIN[0].1;
    let line = boat.lines().position(|l| l == "title: Boat race").unwrap() + 1;
    for bad in ['\0', '\u{1b}', '\u{7}', '\u{7f}', '\u{85}', '\r', '\u{c}'] {
        let text = boat.replace("title: Boat race", &format!("title: Boat{bad}race"));
        let e = parse(&text).unwrap_err();
        assert_eq!((e.line, e.column), (line, 12), "{bad:?}: {e}");
        assert!(e.message.contains("control character"), "{e}");
    }
    // Tabs are text, CR LF is a line end, and other Unicode is welcome.
    assert!(parse(&boat.replace('\n', "\r\n")).is_ok());
    let text = boat.replace("title: Boat race", "title: Boat\trace \u{202e}🦀 e\u{301}");
    assert_eq!(
        parse(&text).unwrap().title,
        "Boat\trace \u{202e}🦀 e\u{301}"
    );
}

#[test]
fn a_map_wider_or_taller_than_64_is_refused() {
    let boat = BUILTIN[0].1;
    // Rows of walls: a row of spaces only would be a blank line.
    for (w, h) in [(65, 3), (3, 65), (200, 200)] {
        let mut rows = vec![format!("A>{}", " ".repeat(w - 2))];
        rows.extend((1..h).map(|_| "#".repeat(w)));
        let map: String = rows.iter().map(|r| format!("  {r}\n")).collect();
        let text = replace_block(boat, "map:", &map);
        let e = parse(&text).unwrap_err();
        assert!(e.message.contains("between 1x1 and 64x64"), "{w}x{h}: {e}");
    }
    // The largest map is accepted and runs.
    let mut rows = vec![format!("A>{}", " ".repeat(62))];
    rows.extend((1..64).map(|i| format!("{}#{}", " ".repeat(i % 7), " ".repeat(63 - i % 7))));
    let map: String = rows.iter().map(|r| format!("  {r}\n")).collect();
    let text = replace_block(boat, "map:", &map);
    let level = parse(&text).unwrap();
    assert_eq!((level.world.width(), level.world.height()), (64, 64));
    within(Duration::from_secs(20), "a 64x64 level's check", || {
        check_level_text(&text)
    });
}

/// `text` with the indented block under the field `head` replaced by `block`.
fn replace_block(text: &str, head: &str, block: &str) -> String {
    let mut out = String::new();
    let mut skipping = false;
    for line in text.lines() {
        if skipping && line.starts_with(' ') {
            continue;
        }
        skipping = false;
        out.push_str(line);
        out.push('\n');
        if line == head {
            out.push_str(block);
            skipping = true;
        }
    }
    out
}

#[test]
fn the_worst_lines_of_64_kib_parse_quickly() {
    let boat = BUILTIN[0].1;
    let fill = |unit: &str| unit.repeat((MAX_LEVEL_BYTES - boat.len() - 64) / unit.len());
    let long_mechanics = replace_block(boat, "mechanics:", &format!("  arrows {}\n", fill("k=1 ")));
    let distinct: String = (0..)
        .map(|i| format!("k{i}=1 "))
        .scan(0, |len, w| {
            *len += w.len();
            (*len < MAX_LEVEL_BYTES - boat.len() - 64).then_some(w)
        })
        .collect();
    let distinct_mechanics = replace_block(boat, "mechanics:", &format!("  arrows {distinct}\n"));
    let company = BUILTIN
        .iter()
        .find(|(id, _)| *id == "company-profits")
        .unwrap()
        .1;
    let distinct_numbers: String = (0..)
        .map(|i| format!("profit={} ", i % 1000))
        .scan(0, |len, w| {
            *len += w.len();
            (*len < MAX_LEVEL_BYTES - company.len() - 64).then_some(w)
        })
        .collect();
    let company_settings = replace_block(
        company,
        "mechanics:",
        &format!("  base {distinct_numbers}\n"),
    );
    let cases = [
        (
            "one long map row",
            replace_block(boat, "map:", &format!("  A{}\n", fill(" "))),
        ),
        ("many map rows", replace_block(boat, "map:", &fill("  A\n"))),
        ("one long mechanics line", long_mechanics),
        ("distinct settings", distinct_mechanics),
        ("distinct company settings", company_settings),
        (
            "many legend lines",
            replace_block(boat, "legend:", &fill("  # wall\n")),
        ),
        (
            "many signal lines",
            replace_block(boat, "signals:", &fill("  step observed x\n")),
        ),
        (
            "many account lines",
            replace_block(boat, "account:", &fill("  arrow: {arrow}{arrow}\n")),
        ),
        (
            "a long story",
            replace_block(boat, "story:", &fill("  <script>alert(1)</script>\n")),
        ),
        (
            "a long unknown field",
            format!("{}: x\n", "y".repeat(60_000)),
        ),
        ("blank lines", format!("story:\n  x\n{}", fill("\n"))),
        ("comments", fill("#\n")),
    ];
    for (what, text) in cases {
        assert!(
            text.len() <= MAX_LEVEL_BYTES,
            "{what}: {} bytes",
            text.len()
        );
        within(Duration::from_millis(100), what, || {
            let _ = parse(&text);
        });
    }
}

// ----- generated levels -----

/// Legend entries of the generated maps: character, kind, and the
/// mechanic (an index into [`MECHANICS`]) its tiles need.
const LEGEND: &[(char, &str, usize)] = &[
    ('#', "wall", NONE),
    ('G', "goal", 0),
    ('>', "arrow right", 1),
    ('^', "arrow up", 1),
    ('X', "box", 2),
    ('P', "punishment", 3),
    ('B', "button", 4),
    ('d', "dirt", 6),
    ('L', "lava", 7),
    ('~', "water", 8),
    ('=', "belt", 9),
    ('E', "belt end", 9),
    ('V', "vase", 9),
    ('r', "rock", 10),
    ('D', "diamond", 10),
    ('g', "goal area", 10),
    ('s', "rock switch high", 10),
    ('z', "diamond switch low", 10),
    ('S', "supervisor", 11),
    ('I', "interruption", 12),
    ('O', "bucket", 13),
    ('T', "tomato", 13),
    ('t', "dry tomato", 13),
    ('x', "target", 14),
    ('b', "bin", 15),
    ('W', "whisky", 16),
];
/// No mechanic needed.
const NONE: usize = usize::MAX;

/// Mechanics lines of the generated levels.
const MECHANICS: &[&str] = &[
    "goal",
    "arrows",
    "boxes corner=-5 wall=-1",
    "punishment",
    "button",
    "noop",
    "dirt",
    "lava",
    "water",
    "belt",
    "rocks",
    "supervisor p=0.5",
    "interruption p=0.5",
    "tomatoes dry=0.03",
    "targets respawn=3",
    "bin refill=5",
    "whisky explore=0.9",
];

/// A level file around a generated map and step limit, with the mechanics
/// its tiles need, each flipped where `flip` says, and whether the grid
/// accepts the map with those mechanics.
fn level_text(
    width: usize,
    cells: &[usize],
    start: usize,
    flip: &[bool],
    steps: u32,
    hidden: &[bool],
) -> (String, Option<GridWorld>) {
    let height = cells.len() / width;
    let kind = |name: &str| Kind::placeable(name).unwrap();
    let mut grid_cells: Vec<Kind> = cells
        .iter()
        .map(|&i| i.checked_sub(1).map_or(Kind::FLOOR, |i| kind(LEGEND[i].1)))
        .collect();
    grid_cells[start] = Kind::AGENT;
    let mut mechanics: Vec<bool> = flip.to_vec();
    for (i, &c) in cells.iter().enumerate() {
        if let Some(&(_, _, needs)) = c.checked_sub(1).map(|c| &LEGEND[c]) {
            if needs != NONE && i != start {
                mechanics[needs] = !flip[needs];
            }
        }
    }
    let mut m = Config::default();
    let mut mechanics_text = String::new();
    for (on, line) in mechanics.iter().zip(MECHANICS) {
        if *on {
            m.add_line(line).unwrap();
            mechanics_text.push_str(&format!("  {line}\n"));
        }
    }
    let world = GridWorld::new(width, height, &grid_cells, m).ok();
    let mut map = String::new();
    for (i, &c) in cells.iter().enumerate() {
        if i % width == 0 {
            map.push_str("  ");
        }
        map.push(match c {
            _ if i == start => 'A',
            0 => '.',
            c => LEGEND[c - 1].0,
        });
        if i % width == width - 1 {
            map.push('\n');
        }
    }
    let legend: String = ["  A start\n".to_string(), "  . floor\n".to_string()]
        .into_iter()
        .chain(LEGEND.iter().map(|(c, kind, ..)| format!("  {c} {kind}\n")))
        .collect();
    // Signals from the grid when it builds, else a plausible list.
    let names: Vec<&str> = match &world {
        Some(w) => w.signal_names().to_vec(),
        None => vec!["step"],
    };
    let mut signals = String::new();
    let mut observed = Vec::new();
    for (i, name) in names.iter().enumerate() {
        let hide = i > 0 && hidden.get(i).copied().unwrap_or(false);
        if !hide {
            observed.push(*name);
        }
        let vis = if hide { "hidden" } else { "observed" };
        signals.push_str(&format!("  {name} {vis} generated\n"));
    }
    let reward = observed.join(" + ");
    let intent = names.join(" - ");
    let mut text = format!(
        "id: generated\ntitle: Generated\nsteps: {steps}\nstory:\n  A generated level.\nmap:\n{map}legend:\n{legend}"
    );
    if !mechanics_text.is_empty() {
        text.push_str(&format!("mechanics:\n{mechanics_text}"));
    }
    text.push_str(&format!(
        "signals:\n{signals}reward: {reward}\nintent: {intent}\naccount:\n  step: {{step}} steps.\n"
    ));
    (text, world)
}

prop_compose! {
    fn generated_level()(width in 1usize..7, height in 1usize..7)(
        cells in prop::collection::vec(
            prop_oneof![6 => Just(0usize), 3 => Just(1usize), 4 => 1..=LEGEND.len()],
            width * height,
        ),
        start in 0..width * height,
        flip in prop::collection::vec(prop::bool::weighted(0.02), MECHANICS.len()),
        steps in 1u32..60,
        hidden in prop::collection::vec(any::<bool>(), 24),
        width in Just(width),
    ) -> (String, bool) {
        let (text, world) = level_text(width, &cells, start, &flip, steps, &hidden);
        (text, world.is_some())
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// A generated level parses exactly when its grid builds, and every
    /// one that parses runs, plans and searches within the check's bounds.
    #[test]
    fn generated_levels_parse_when_their_grid_builds_and_then_run(
        (text, builds) in generated_level(),
    ) {
        let parsed = parse(&text);
        prop_assert_eq!(parsed.is_ok(), builds, "{}\n{:?}", text, parsed.err());
        check_level_text(&text);
    }

    #[test]
    fn mutated_builtin_levels_pass_the_level_check(
        which in 0..BUILTIN.len(), at in 0usize..3000, len in 0usize..12,
        with in prop_oneof!["[ -~\\n]{0,12}", "\\PC{0,6}", Just("\u{202e}\u{200d}\0".to_string())],
    ) {
        let text = BUILTIN[which].1;
        let mut at = at.min(text.len());
        while !text.is_char_boundary(at) { at -= 1; }
        let mut end = (at + len).min(text.len());
        while !text.is_char_boundary(end) { end -= 1; }
        check_level_text(&format!("{}{}{}", &text[..at], with, &text[end..]));
    }

    #[test]
    fn arbitrary_bytes_pass_both_checks(data in prop::collection::vec(any::<u8>(), 0..600)) {
        fuzzing::reward_lang(&data);
        fuzzing::level_format(&data);
    }

    #[test]
    fn rewards_of_signal_names_and_odd_text_pass_the_language_check(
        parts in prop::collection::vec(
            prop_oneof![
                Just("step"), Just("goal"), Just("clockwise"), Just("harm"), Just("x"), Just("_"),
                Just("+"), Just("-"), Just("*"), Just("/"), Just("("), Just(")"), Just(","),
                Just("max("), Just("min("), Just("clamp("), Just("abs("), Just("if "), Just(" then "),
                Just(" else "), Just(" and "), Just(" or "), Just("not "), Just("<"), Just("=="),
                Just("1e12"), Just("0.5"), Just("1e13"), Just("9"), Just("\u{202e}"), Just("\u{200d}"),
                Just("\0"), Just("🦀"), Just("e\u{301}"), Just("\u{feff}"), Just("ＭＡＸ"),
            ],
            0..40,
        ),
        values in prop::collection::vec(any::<f64>(), 0..10),
    ) {
        let src: String = parts.concat();
        fuzzing::check_expression(&src, &fuzzing::sample_decls(), &values);
    }
}
