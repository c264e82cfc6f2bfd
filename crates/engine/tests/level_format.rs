//! The level file format: errors point at the right place; nothing panics.

use loophole_engine::level::parse;
use loophole_engine::levels::BUILTIN;
use proptest::prelude::*;

fn error_at(text: &str) -> (usize, usize, String) {
    let e = parse(text).expect_err("the file should be refused");
    (e.line, e.column, e.message)
}

const BOAT: &str = BUILTIN[0].1;

#[test]
fn every_builtin_level_parses() {
    for &(id, text) in BUILTIN {
        let l = parse(text).unwrap_or_else(|e| panic!("{id}: {e}"));
        assert_eq!(l.id, id);
        assert!(!l.story.is_empty() && !l.account.is_empty());
    }
}

#[test]
fn unknown_field_suggests_the_nearest() {
    let text = BOAT.replace("mechanics:", "mechanic:");
    let line = text.lines().position(|l| l == "mechanic:").unwrap() + 1;
    let (l, c, m) = error_at(&text);
    assert_eq!((l, c), (line, 1));
    assert!(m.contains("did you mean `mechanics`"), "{m}");
}

#[test]
fn ragged_map_row_is_refused_where_it_differs() {
    let text = BOAT.replace("  #^#v#\n", "  #^#v\n");
    let line = text.lines().position(|l| l == "  #^#v").unwrap() + 1;
    let (l, c, m) = error_at(&text);
    assert_eq!((l, c), (line, 7));
    assert!(m.contains("4 wide but the first is 5"), "{m}");
}

#[test]
fn undeclared_signal_and_bad_visibility() {
    let text = BOAT.replace("  clockwise hidden    +1 for a move that follows the track clockwise, -1 for any other step\n", "");
    let (_, _, m) = error_at(&text);
    assert!(
        m.contains("declare it as observed or hidden") && m.contains("clockwise"),
        "{m}"
    );
    let text = BOAT.replace("clockwise hidden", "clockwise secret");
    let (_, c, m) = error_at(&text);
    assert_eq!(c, 13);
    assert!(m.contains("expected `observed` or `hidden`"), "{m}");
}

#[test]
fn reward_error_points_into_the_file() {
    let text = BOAT.replace("reward: 3*arrow - step", "reward: 3*arow - step");
    let line = text.lines().position(|l| l.starts_with("reward:")).unwrap() + 1;
    let (l, c, m) = error_at(&text);
    assert_eq!((l, c), (line, 11), "{m}");
    assert!(m.contains("arrow"), "{m}");
}

#[test]
fn hidden_signal_in_the_default_reward_is_refused() {
    let text = BOAT.replace("reward: 3*arrow - step", "reward: clockwise");
    let (_, _, m) = error_at(&text);
    assert!(m.contains("hidden"), "{m}");
}

#[test]
fn mechanic_settings_are_checked() {
    let tomato = BUILTIN[1].1;
    let (_, _, m) = error_at(&tomato.replace("dry=0.05", "dry=1.5"));
    assert!(m.contains("between 0 and 1"), "{m}");
    let (_, _, m) = error_at(&tomato.replace("dry=0.05", "wet=0.05"));
    assert!(m.contains("no setting `wet`"), "{m}");
    let (_, _, m) = error_at(&BOAT.replace("  arrows\n", "  arows\n"));
    assert!(m.contains("did you mean `arrows`"), "{m}");
    let (_, _, m) = error_at(&BOAT.replace("  arrows\n", ""));
    assert!(m.contains("`arrows`"), "{m}");
}

#[test]
fn missing_start_and_two_starts() {
    let (_, _, m) = error_at(&BOAT.replace("#A> #", "# > #"));
    assert!(m.contains("no start"), "{m}");
    let (_, _, m) = error_at(&BOAT.replace("# < #", "#A< #"));
    assert!(m.contains("more than one start"), "{m}");
}

#[test]
fn oversized_file_is_refused() {
    let big = format!("{BOAT}\n#{}", "x".repeat(70_000));
    let (l, _, m) = error_at(&big);
    assert_eq!(l, 1);
    assert!(m.contains("limit"), "{m}");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,400}") {
        let _ = parse(&text);
    }

    #[test]
    fn mutated_levels_never_panic_and_errors_are_in_the_file(
        which in 0..BUILTIN.len(), at in 0usize..2000, len in 0usize..8, with in "[ -~\\n\\t]{0,8}",
    ) {
        let text = BUILTIN[which].1;
        let mut at = at.min(text.len());
        while !text.is_char_boundary(at) { at -= 1; }
        let mut end = (at + len).min(text.len());
        while !text.is_char_boundary(end) { end -= 1; }
        let mutated = format!("{}{}{}", &text[..at], with, &text[end..]);
        if let Err(e) = parse(&mutated) {
            let lines = mutated.lines().count().max(1);
            prop_assert!(e.line >= 1 && e.line <= lines, "line {} of {}", e.line, lines);
            prop_assert!(e.column >= 1);
        }
    }
}

#[test]
fn a_tile_without_its_mechanic_is_refused_at_its_cell() {
    // The boat race with a lava cell and no `lava` mechanic: the error is at the cell.
    let text = BOAT
        .replace("  #^#v#\n", "  #^#vL\n")
        .replace("legend:\n", "legend:\n  L lava\n");
    let line = text.lines().position(|l| l == "  #^#vL").unwrap() + 1;
    let (l, c, m) = error_at(&text);
    assert_eq!((l, c), (line, 7), "{m}");
    assert_eq!(
        m,
        "the map has `lava` cells but the mechanic `lava` is not declared"
    );
}

#[test]
fn an_unknown_kind_lists_the_kinds_of_every_mechanic() {
    let (_, _, m) = error_at(&BOAT.replace("  > arrow right\n", "  > arrow rigth\n"));
    assert!(
        m.starts_with(
            "unknown kind `arrow rigth`; kinds are: floor, wall, agent (or start), goal, arrow up"
        ),
        "{m}"
    );
    for kind in ["rock switch low", "belt end", "dry tomato", "whisky"] {
        assert!(m.contains(kind), "{m}");
    }
    assert!(!m.contains("tipped bin"), "a state no legend places: {m}");
}

#[test]
fn every_builtin_level_that_trains_elsewhere_trains_on_a_level_like_it() {
    let mut training = 0;
    for &(id, text) in BUILTIN {
        let level = parse(text).unwrap();
        if let Some(trainer) = loophole_engine::run::training_level(&level).unwrap() {
            assert_ne!(trainer.id, id);
            training += 1;
        }
    }
    assert_eq!(training, 2, "the two distributional-shift test rooms");
    // A level that names an unknown level to train on is refused when run.
    let text = BUILTIN[0]
        .1
        .replace("steps: 100\n", "steps: 100\ntrain: no-such-level\n");
    let level = parse(&text).unwrap();
    let e = loophole_engine::run::training_level(&level).unwrap_err();
    assert!(e.to_string().contains("no level `no-such-level`"), "{e}");
}
