use super::*;
use proptest::prelude::*;

fn observed(name: &str) -> SignalDecl {
    SignalDecl {
        name: name.to_string(),
        visibility: Visibility::Observed,
        description: String::new(),
    }
}

fn hidden(name: &str) -> SignalDecl {
    SignalDecl {
        visibility: Visibility::Hidden,
        ..observed(name)
    }
}

/// A level's worth of signals; `watered` is the only hidden one.
fn level() -> Vec<SignalDecl> {
    let mut decls: Vec<SignalDecl> = [
        "step",
        "goal",
        "arrow",
        "watered_seen",
        "punished",
        "should_interrupt",
        "on_bucket",
        "a",
        "b",
        "c",
        "x",
    ]
    .into_iter()
    .map(observed)
    .collect();
    decls.insert(4, hidden("watered"));
    decls
}

fn values(decls: &[SignalDecl], pairs: &[(&str, f64)]) -> Vec<f64> {
    decls
        .iter()
        .map(|d| {
            pairs
                .iter()
                .find(|(n, _)| *n == d.name)
                .map_or(0.0, |&(_, v)| v)
        })
        .collect()
}

fn index_of(decls: &[SignalDecl], name: &str) -> usize {
    decls.iter().position(|d| d.name == name).unwrap()
}

/// Compiles `src` as an intent over [`level`] and evaluates it.
fn run(src: &str, pairs: &[(&str, f64)]) -> f64 {
    let decls = level();
    let program =
        compile(src, &decls, Access::Intent).unwrap_or_else(|d| panic!("{}", d.render(src)));
    program.eval(&values(&decls, pairs))
}

/// The error compiling `src` as a reward over [`level`].
fn error(src: &str) -> Diagnostic {
    error_as(src, Access::Reward)
}

fn error_as(src: &str, access: Access) -> Diagnostic {
    match compile(src, &level(), access) {
        Ok(_) => panic!("`{src}` compiled"),
        Err(d) => {
            assert_span_valid(src, &d);
            d
        }
    }
}

fn assert_span_valid(src: &str, d: &Diagnostic) {
    let (start, end) = d.span;
    assert!(start <= end && end <= src.len(), "{d:?} in {src:?}");
    assert!(
        src.is_char_boundary(start) && src.is_char_boundary(end),
        "{d:?} in {src:?}"
    );
    assert!(src.is_empty() || end > start, "{d:?} in {src:?}");
    assert!(!d.message.contains('\n'), "{d:?}");
}

fn assert_error(src: &str, span: (usize, usize), message: &str) -> Diagnostic {
    let d = error(src);
    assert_eq!(d.span, span, "span of {d:?} for {src:?}");
    assert!(
        d.message.contains(message),
        "{:?} lacks {message:?}",
        d.message
    );
    d
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
}

// ---------------------------------------------------------------- examples

#[test]
fn the_examples_compile_and_evaluate() {
    let v = [
        ("step", 10.0),
        ("goal", 1.0),
        ("arrow", 4.0),
        ("watered_seen", 100.0),
        ("punished", 1.0),
        ("watered", 8.0),
        ("on_bucket", 1.0),
        ("a", 3.0),
        ("b", -2.0),
        ("c", 5.0),
        ("x", -7.0),
    ];
    let cases = [
        ("3*arrow - step", 2.0),
        ("0.02 * watered_seen", 2.0),
        ("50*goal - step - 30*punished", 10.0),
        ("if should_interrupt > 0 then 0 else 50*goal - step", 40.0),
        ("max(0, watered - 5) + min(a, b, c) - abs(x)", -6.0),
        (
            "if on_bucket == 1 and step > 0 then -1 else 0.02*watered_seen",
            -1.0,
        ),
    ];
    for (src, want) in cases {
        let got = run(src, &v);
        assert!(close(got, want), "{src}: {got} != {want}");
    }
    let interrupted = [("should_interrupt", 1.0), ("goal", 1.0)];
    assert_eq!(
        run(
            "if should_interrupt > 0 then 0 else 50*goal - step",
            &interrupted
        ),
        0.0
    );
    let off_bucket = [("on_bucket", 0.0), ("step", 3.0), ("watered_seen", 100.0)];
    let got = run(
        "if on_bucket == 1 and step > 0 then -1 else 0.02*watered_seen",
        &off_bucket,
    );
    assert!(close(got, 2.0));
}

#[test]
fn the_observed_examples_compile_as_rewards() {
    for src in [
        "3*arrow - step",
        "0.02 * watered_seen",
        "50*goal - step - 30*punished",
        "if should_interrupt > 0 then 0 else 50*goal - step",
        "if on_bucket == 1 and step > 0 then -1 else 0.02*watered_seen",
    ] {
        compile(src, &level(), Access::Reward).unwrap();
    }
}

#[test]
fn numbers_and_whitespace() {
    assert_eq!(run("3", &[]), 3.0);
    assert_eq!(run(".5", &[]), 0.5);
    assert_eq!(run("1.5e3", &[]), 1500.0);
    assert_eq!(run("2E-1", &[]), 0.2);
    assert_eq!(run("5.", &[]), 5.0);
    assert_eq!(run("1e-999", &[]), 0.0);
    assert_eq!(run("1e12", &[]), 1e12);
    assert_eq!(run(" \n\t3\r\n *\n a ", &[("a", 2.0)]), 6.0);
    // A non-breaking space pasted from a document is whitespace.
    assert_eq!(run("3\u{a0}+\u{3000}a", &[("a", 2.0)]), 5.0);
    assert_eq!(run("if true then 1 else 2", &[]), 1.0);
    assert_eq!(run("if false then 1 else 2", &[]), 2.0);
}

// ------------------------------------------------- precedence and totality

#[test]
fn precedence_and_associativity() {
    let v = [("a", 3.0), ("b", -2.0)];
    let cases = [
        ("1 - 2 - 3", -4.0),
        ("2 + 3 * 4", 14.0),
        ("(2 + 3) * 4", 20.0),
        ("-2*3", -6.0),
        ("8/2/2", 2.0),
        ("8/(2/2)", 8.0),
        ("2*3-4*5", -14.0),
        ("-a*b", 6.0),
        ("2 - -3", 5.0),
        ("--3", 3.0),
        ("a - b - 1", 4.0),
        ("if not 1 > 2 then 1 else 0", 1.0),
        // `and` binds tighter than `or`: true or (false and false).
        ("if true or false and false then 1 else 0", 1.0),
        ("if (true or false) and false then 1 else 0", 0.0),
        ("if not true or true then 1 else 0", 1.0),
        // `else` takes everything after it.
        ("if a < 0 then 1 else 2 + 3", 5.0),
        ("(if a < 0 then 1 else 2) + 3", 5.0),
        ("1 + (if a > 0 then 10 else 20)", 11.0),
        ("if a > 0 then if b > 0 then 1 else 2 else 3", 2.0),
        (
            "if a >= 3 and a <= 3 and a == 3 and a != 4 then 1 else 0",
            1.0,
        ),
        ("clamp(a, 0, 1) + clamp(b, 0, 1) + clamp(0.5, 0, 1)", 1.5),
        ("clamp(5, 3, 1)", 1.0),
        ("min(4) + max(a, 7, b)", 11.0),
    ];
    for (src, want) in cases {
        assert_eq!(run(src, &v), want, "{src}");
    }
}

#[test]
fn division_by_zero_gives_zero() {
    let v = [("a", 3.0), ("b", 2.0)];
    assert_eq!(run("a / 0", &v), 0.0);
    assert_eq!(run("a / (b - b)", &v), 0.0);
    assert_eq!(run("0 / 0", &v), 0.0);
    assert_eq!(run("1 + a / -0", &v), 1.0);
}

#[test]
fn results_saturate_and_signals_are_sanitized() {
    assert_eq!(run("1e12 * 1e12", &[]), MAX_VALUE);
    assert_eq!(run("-1e12 * 1e12 * 1e12", &[]), -MAX_VALUE);
    assert_eq!(run("1e12 * 1e12 - 1e12 * 1e12", &[]), 0.0);
    assert_eq!(run("a * 2", &[("a", f64::MAX)]), MAX_VALUE);
    assert_eq!(run("a / 1e-12", &[("a", 1e300)]), MAX_VALUE);
    assert_eq!(run("a / b", &[("a", 1e12), ("b", 1e-300)]), MAX_VALUE);
    assert_eq!(run("a", &[("a", f64::NAN)]), 0.0);
    assert_eq!(run("a + 1", &[("a", f64::INFINITY)]), MAX_VALUE);
    assert_eq!(run("-a", &[("a", f64::NEG_INFINITY)]), MAX_VALUE);
    assert_eq!(run("a - a", &[("a", f64::INFINITY)]), 0.0);
}

#[test]
fn missing_signals_read_as_zero() {
    let decls = level();
    let program = compile("3*arrow - step + 1", &decls, Access::Reward).unwrap();
    assert_eq!(program.eval(&[]), 1.0);
    assert_eq!(program.eval(&[5.0]), -4.0);
    let cloned = program.clone();
    assert_eq!(cloned.eval(&values(&decls, &[("arrow", 2.0)])), 7.0);
}

#[test]
fn constants_fold() {
    let decls = level();
    let program = compile("2 + 3 * 4 - max(1, 2) / 2", &decls, Access::Reward).unwrap();
    assert_eq!(program.ops.len(), 1);
    assert_eq!(program.eval(&[]), 13.0);
    let program = compile("if 1 > 0 then a else b", &decls, Access::Reward).unwrap();
    assert_eq!(program.signals_used(), &[index_of(&decls, "a")]);
    // The commonest terms fuse: `3*arrow` and `- step` are one operation each.
    let program = compile("3*arrow - step", &decls, Access::Reward).unwrap();
    assert_eq!(program.ops.len(), 2);
    let program = compile("50*goal - step - punished*30 + 1", &decls, Access::Reward).unwrap();
    assert_eq!(program.ops.len(), 4);
}

#[test]
fn signals_used_is_sorted_and_deduplicated() {
    let decls = level();
    let program = compile(
        "b + a * a - (if x > 0 then a else step)",
        &decls,
        Access::Reward,
    )
    .unwrap();
    let mut want: Vec<usize> = ["a", "b", "x", "step"]
        .iter()
        .map(|n| index_of(&decls, n))
        .collect();
    want.sort_unstable();
    assert_eq!(program.signals_used(), want.as_slice());
    let program = compile("1 + 2", &decls, Access::Reward).unwrap();
    assert!(program.signals_used().is_empty());
}

// ------------------------------------------------------------------ linear

#[test]
fn linear_terms() {
    let decls = vec![observed("arrow"), observed("step"), observed("goal")];
    let terms = |src: &str| compile(src, &decls, Access::Reward).unwrap().linear_terms();
    assert_eq!(
        terms("3*arrow - step"),
        Some((0.0, vec![(0, 3.0), (1, -1.0)]))
    );
    assert_eq!(
        terms("-step + arrow*3"),
        Some((0.0, vec![(0, 3.0), (1, -1.0)]))
    );
    assert_eq!(
        terms("50*goal - step - 30 + 2"),
        Some((-28.0, vec![(1, -1.0), (2, 50.0)]))
    );
    assert_eq!(terms("goal/4 + 1"), Some((1.0, vec![(2, 0.25)])));
    assert_eq!(
        terms("-(arrow - 2*step)"),
        Some((0.0, vec![(0, -1.0), (1, 2.0)]))
    );
    assert_eq!(terms("2*3*arrow"), Some((0.0, vec![(0, 6.0)])));
    assert_eq!(terms("(1 + 2) * (arrow + 1)"), Some((3.0, vec![(0, 3.0)])));
    assert_eq!(terms("arrow - arrow + 1"), Some((1.0, vec![])));
    assert_eq!(terms("7"), Some((7.0, vec![])));
    assert_eq!(
        terms("if true then step else arrow"),
        Some((0.0, vec![(1, 1.0)]))
    );
    for nonlinear in [
        "arrow * step",
        "1 / arrow",
        "arrow / 0",
        "arrow / (step - step)",
        "if arrow > 0 then arrow else 0",
        "max(arrow, 0)",
        "abs(arrow)",
        "clamp(arrow, 0, 1)",
    ] {
        assert_eq!(terms(nonlinear), None, "{nonlinear}");
    }
    let decls = vec![observed("step"), observed("arrow")];
    let program = compile("3*arrow - step", &decls, Access::Reward).unwrap();
    assert_eq!(
        program.linear_terms(),
        Some((0.0, vec![(0, -1.0), (1, 3.0)]))
    );
}

// ------------------------------------------------------------------ errors

#[test]
fn empty_source() {
    let d = compile("", &level(), Access::Reward).unwrap_err();
    assert_eq!(d.span, (0, 0));
    assert!(d
        .message
        .starts_with("the expression is empty: write a number or a signal, e.g. `step`"));
    let d = error(" \n\t ");
    assert_eq!(d.span, (0, 4));
    assert!(d.message.contains("the expression is empty"));
    assert!(d
        .render(" \n\t ")
        .contains("error: the expression is empty"));
    assert!(d.render("").contains('^'));
}

#[test]
fn unexpected_characters_are_whole_characters() {
    assert_error("3 $ 4", (2, 3), "unexpected character `$`");
    assert_error("1 + é", (4, 6), "unexpected character `é`");
    assert_error("a → b", (2, 5), "unexpected character `→`");
    assert_error("a;", (1, 2), "unexpected character `;`");
    assert_error("a.b", (1, 2), "unexpected character `.`");
    let d = assert_error("a = 1", (2, 3), "unexpected character `=`");
    assert!(d.help.unwrap().contains("`==`"));
    let d = assert_error("a && b", (2, 3), "unexpected character `&`");
    assert!(d.help.unwrap().contains("`and`"));
    let d = assert_error("a − b", (2, 5), "unexpected character `−`");
    assert!(d.help.unwrap().contains("`-`"));
    assert_error("a\u{0}", (1, 2), "unexpected character `\\0`");
}

#[test]
fn malformed_and_out_of_range_numbers() {
    let d = assert_error("3arrow", (0, 6), "malformed number `3arrow`");
    assert_eq!(d.help.as_deref(), Some("to multiply, write `3*arrow`"));
    assert_error("1.2.3", (0, 5), "malformed number `1.2.3`");
    let d = assert_error("2 * 1e", (4, 6), "malformed number `1e`");
    assert!(d.help.unwrap().contains("exponent"));
    assert_error("1e13", (0, 4), "too large");
    assert_error("a + 1e999", (4, 9), "too large");
    assert_error("-1000000000001", (1, 14), "too large");
}

#[test]
fn parse_errors_say_what_was_expected() {
    let d = assert_error("3 * * 4", (4, 5), "");
    assert_eq!(
        d.message,
        "expected a number, a signal name or `(`, found `*`"
    );
    assert_error(
        "if a > 0 1 else 2",
        (9, 10),
        "expected `then` after the condition of `if`, found `1`",
    );
    assert_error(
        "if a > 0 then 1",
        (14, 15),
        "expected `else` after the `then` branch of `if`, found the end of the expression",
    );
    assert_error("3 + ", (2, 3), "found the end of the expression");
    assert_error("(a + 1", (0, 1), "unclosed `(`");
    assert_error("((a + 1)", (0, 1), "unclosed `(`");
    assert_error("max(a, b", (3, 4), "unclosed `max(`");
    let d = assert_error("(a b)", (3, 4), "expected `)` to close `(`, found `b`");
    assert_eq!(d.help.as_deref(), Some("is an operator missing?"));
    assert_error(
        "max(a b)",
        (6, 7),
        "expected `,` or `)` after an argument of `max`, found `b`",
    );
    let d = assert_error("a b", (2, 3), "");
    assert_eq!(
        d.message,
        "unexpected `b` after a complete expression: is an operator missing?"
    );
    assert_error("a + 1)", (5, 6), "unmatched `)`");
    let d = assert_error("a < b < c", (6, 7), "comparisons cannot be chained");
    assert!(d.help.unwrap().contains("a < b and b < c"));
    assert_error("a == b != c", (7, 9), "cannot be chained");
    let d = assert_error("1 + if a > 0 then 1 else 0", (4, 6), "found `if`");
    assert!(d.help.unwrap().contains("parentheses"));
    assert_error("max(a,)", (6, 7), "found `)`");
    assert_error("a > 0 then 1", (6, 10), "unexpected `then`");
}

#[test]
fn unknown_names_get_suggestions() {
    let d = assert_error("3*arow - step", (2, 6), "");
    assert_eq!(d.message, "unknown signal `arow`");
    assert_eq!(d.help.as_deref(), Some("did you mean `arrow`?"));
    // A swap of neighbours is one edit.
    let d = assert_error("wtaered_seen", (0, 12), "unknown signal");
    assert_eq!(d.help.as_deref(), Some("did you mean `watered_seen`?"));
    let d = assert_error("zzzzqqq + 1", (0, 7), "unknown signal `zzzzqqq`");
    assert_eq!(
        d.help.as_deref(),
        Some(
            "a reward may read these signals: step, goal, arrow, watered_seen, punished, \
             should_interrupt, on_bucket, a, b, c, x"
        )
    );
    let d = assert_error("TRUE", (0, 4), "unknown signal `TRUE`");
    assert!(d.help.unwrap().contains("`true`"));

    let d = assert_error("mx(a, b)", (0, 2), "");
    assert_eq!(d.message, "unknown function `mx`");
    assert_eq!(d.help.as_deref(), Some("did you mean `max`?"));
    let d = assert_error("foo(a)", (0, 3), "unknown function `foo`");
    assert!(d.help.unwrap().contains("`min`, `max`, `abs` and `clamp`"));
    let d = assert_error("1 + step(2)", (4, 8), "`step` is a signal, not a function");
    assert!(d.help.unwrap().contains("step*(…)"));
    let d = assert_error("max + 1", (0, 3), "`max` is a function, not a signal");
    assert!(d.help.unwrap().contains("max(0, x)"));

    assert_eq!(diagnostic::distance("watered", "waterd"), 1);
    assert_eq!(diagnostic::distance("ab", "ba"), 1);
    assert_eq!(diagnostic::distance("", "abc"), 3);
    assert_eq!(diagnostic::nearest("stpe", ["goal", "step"]), Some("step"));
    assert_eq!(diagnostic::nearest("q", ["step"]), None);
}

#[test]
fn a_reward_cannot_read_hidden_signals() {
    let decls = vec![
        observed("step"),
        hidden("watered"),
        observed("watered_seen"),
    ];
    let d = compile("watered + 1", &decls, Access::Reward).unwrap_err();
    assert_eq!(d.span, (0, 7));
    assert_eq!(
        d.message,
        "`watered` is a hidden signal: a reward cannot read it"
    );
    assert_eq!(
        d.help.as_deref(),
        Some(
            "hidden signals record what really happened, which the reward's sensors cannot see; \
             a reward may read only observed signals: step, watered_seen"
        )
    );
    let intent = compile("watered + 1", &decls, Access::Intent).unwrap();
    assert_eq!(intent.eval(&[0.0, 4.0, 0.0]), 5.0);
    assert_eq!(intent.signals_used(), &[1]);

    // A reward is not steered towards a hidden name; an intent is.
    let d = compile("waterd", &decls, Access::Reward).unwrap_err();
    assert_eq!(
        d.help.as_deref(),
        Some("a reward may read these signals: step, watered_seen")
    );
    let d = compile("waterd", &decls, Access::Intent).unwrap_err();
    assert_eq!(d.help.as_deref(), Some("did you mean `watered`?"));

    let only_hidden = vec![hidden("watered")];
    let d = compile("watered", &only_hidden, Access::Reward).unwrap_err();
    assert!(d
        .help
        .unwrap()
        .ends_with("this level has no observed signals"));
}

#[test]
fn function_arguments_are_counted() {
    assert_error(
        "abs(a, b)",
        (0, 9),
        "`abs` takes exactly 1 argument, found 2",
    );
    assert_error(
        "clamp(a, b)",
        (0, 11),
        "`clamp` takes exactly 3 arguments (x, lo, hi), found 2",
    );
    assert_error(
        "1 + max()",
        (4, 9),
        "`max` takes 1 to 16 arguments, found none",
    );
    let src = format!("min({}a)", "a, ".repeat(16));
    let d = error(&src);
    assert_eq!(d.span, (0, src.len()));
    assert!(d.message.contains("found 17"));
    run(&format!("min({}a)", "a, ".repeat(15)), &[]);
}

#[test]
fn type_errors_say_what_was_expected_and_found() {
    let d = assert_error("if goal then 1 else 0", (3, 7), "");
    assert_eq!(
        d.message,
        "the condition of `if` must be true or false, found a number"
    );
    assert_eq!(d.help.as_deref(), Some("compare it, e.g. `goal > 0`"));

    let d = assert_error("a > 0", (0, 5), "");
    assert_eq!(
        d.message,
        "a reward must be a number, found a boolean (true or false)"
    );
    assert_eq!(
        d.help.as_deref(),
        Some("write `if … then 1 else 0` to turn a condition into a number")
    );
    let d = error_as("true", Access::Intent);
    assert_eq!(
        d.message,
        "an intent must be a number, found a boolean (true or false)"
    );

    let d = assert_error("1 + (a > 0)", (4, 11), "");
    assert_eq!(
        d.message,
        "expected a number on each side of `+`, found a boolean (true or false)"
    );
    assert!(d.help.unwrap().contains("if … then 1 else 0"));
    let d = assert_error("goal and step > 0", (0, 4), "");
    assert_eq!(
        d.message,
        "expected true or false on each side of `and`, found a number"
    );
    assert_eq!(d.help.as_deref(), Some("compare it, e.g. `goal > 0`"));
    let d = assert_error(
        "if a > 0 or b - 1 then 1 else 0",
        (12, 17),
        "on each side of `or`",
    );
    assert_eq!(d.help.as_deref(), Some("compare it, e.g. `b - 1 > 0`"));
    assert_error(
        "if a > 0 then 1 else true",
        (21, 25),
        "the branches of `if` must have the same type",
    );
    let d = assert_error("-(a > 0)", (1, 8), "expected a number after `-`");
    assert!(d.help.unwrap().contains("`not`"));
    assert_error(
        "if not a then 1 else 0",
        (7, 8),
        "expected true or false after `not`, found a number",
    );
    let d = assert_error("(a > 0) == (b > 0)", (0, 7), "on each side of `==`");
    assert!(d.help.unwrap().contains("`and`, `or` and `not`"));
    assert_error(
        "max(a, true)",
        (7, 11),
        "expected a number as an argument of `max`, found a boolean",
    );
    // The first mistake in the text is the one reported.
    assert_error("waterd + true", (0, 6), "unknown signal");
}

// ------------------------------------------------------------------ limits

#[test]
fn too_long() {
    let src = "1".repeat(MAX_SOURCE_BYTES + 1);
    let d = assert_error(&src, (4096, 4097), "");
    assert_eq!(
        d.message,
        "the expression is 4097 bytes long; the limit is 4096"
    );
    // The span never splits a character.
    let src = format!("a{}", "é".repeat(2100));
    assert_error(&src, (4095, src.len()), "the limit is 4096");
    let src = "(".repeat(100_000);
    assert_error(&src, (4096, 100_000), "100000 bytes long");
    // Exactly at the limit is fine.
    let src = format!("1{}", " ".repeat(MAX_SOURCE_BYTES - 1));
    assert_eq!(run(&src, &[]), 1.0);
}

#[test]
fn too_deep() {
    let ok = format!(
        "{}1{}",
        "(".repeat(MAX_DEPTH - 1),
        ")".repeat(MAX_DEPTH - 1)
    );
    assert_eq!(run(&ok, &[]), 1.0);
    let deep = format!("{}1{}", "(".repeat(MAX_DEPTH), ")".repeat(MAX_DEPTH));
    assert_error(&deep, (63, 64), "nested too deeply");
    assert_error(&"(".repeat(4000), (63, 64), "nested too deeply");
    assert_eq!(run(&format!("{}1", "-".repeat(MAX_DEPTH - 1)), &[]), -1.0);
    assert_error(
        &format!("{}1", "-".repeat(4000)),
        (63, 64),
        "nested too deeply",
    );
    assert_error(
        &format!("{}true", "not ".repeat(1000)),
        (252, 255),
        "nested too deeply",
    );
    assert_error(&"max(".repeat(1000), (255, 256), "nested too deeply");
    assert_error(&"if ".repeat(1000), (189, 191), "nested too deeply");
    // Levels of precedence count too: each `a+b*(` adds three.
    let stacked = format!("{}1{}", "a+b*(".repeat(30), ")".repeat(30));
    let d = error(&stacked);
    assert!(d.message.contains("nested too deeply"), "{d:?}");
}

#[test]
fn deep_but_legal_programs_fit_the_stack() {
    // Right-nested sums need one stack slot per level.
    let n = MAX_DEPTH / 2 - 1;
    let src = format!("{}a{}", "a+(".repeat(n), ")".repeat(n));
    assert_eq!(run(&src, &[("a", 1.0)]), (n + 1) as f64);
    let src = format!("{}a{}", "max(a, ".repeat(n), ")".repeat(n));
    assert_eq!(run(&src, &[("a", 2.0)]), 2.0);
    let src = format!("{}1{}", "clamp(a, b, ".repeat(n), ")".repeat(n));
    assert_eq!(run(&src, &[("a", 5.0), ("b", 0.0)]), 1.0);
    // A long flat sum is shallow.
    let src = format!("{}1", "a + ".repeat(300));
    assert_eq!(run(&src, &[("a", 1.0)]), 301.0);
}

#[test]
fn too_many_nodes() {
    let src = format!("{}1", "1+".repeat(600));
    assert_error(&src, (1024, 1025), "too large");
    let src = format!("{}1", "1+".repeat(511));
    assert_eq!(run(&src, &[]), 512.0);
}

// ------------------------------------------------------------------ render

#[test]
fn render_puts_carets_under_the_span() {
    let src = "3*arow - step";
    let d = error(src);
    assert_eq!(
        d.render(src),
        "error: unknown signal `arow`\n  3*arow - step\n    ^^^^\nhelp: did you mean `arrow`?"
    );
    assert_eq!(
        d.to_string(),
        "unknown signal `arow` (help: did you mean `arrow`?)"
    );
    let d = Diagnostic::new("no help", (0, 1));
    assert_eq!(d.to_string(), "no help");
    let boxed: Box<dyn std::error::Error> = Box::new(d);
    assert_eq!(boxed.to_string(), "no help");
}

#[test]
fn render_counts_characters_not_bytes() {
    // A non-breaking space (two bytes, one character) before the error.
    let src = "1 +\u{a0}arow";
    let d = error(src);
    assert_eq!(d.span, (5, 9));
    assert_eq!(d.render(src).lines().nth(2), Some("      ^^^^"));
    // The offending character itself is one caret wide.
    let src = "é + é";
    let d = error(src);
    assert_eq!(d.span, (0, 2));
    assert_eq!(d.render(src).lines().nth(2), Some("  ^"));
    let d = Diagnostic::new("m", (5, 7));
    assert_eq!(d.render(src).lines().nth(2), Some("      ^"));
}

#[test]
fn render_multi_line_sources() {
    let src = "50*goal\n  - arow\n  + 1";
    let d = error(src);
    assert_eq!(d.span, (12, 16));
    assert_eq!(
        d.render(src),
        "error: unknown signal `arow`\n2 |   - arow\n  |     ^^^^\nhelp: did you mean `arrow`?"
    );
    // A span over several lines is marked to the end of its first line.
    let src = "1 + (a >\n 0)";
    let d = error(src);
    assert_eq!(d.span, (4, 12));
    assert_eq!(d.render(src).lines().nth(2), Some("  |     ^^^^"));
    // Tabs are kept so that the carets line up.
    let src = "1 +\n\t\tarow\r\n";
    let d = error(src);
    assert_eq!(d.render(src).lines().nth(1), Some("2 | \t\tarow"));
    assert_eq!(d.render(src).lines().nth(2), Some("  | \t\t^^^^"));
}

#[test]
fn render_survives_spans_that_do_not_fit() {
    for span in [(0, 0), (3, 1), (100, 200), (1, 2), (2, 100)] {
        let d = Diagnostic::new("m", span).with_help("h");
        for src in ["", "é", "ab\ncd", "\n", "→→"] {
            let out = d.render(src);
            assert!(
                out.starts_with("error: m\n") && out.ends_with("help: h"),
                "{out:?}"
            );
        }
    }
}

#[test]
fn render_quotes_a_window_of_a_long_line() {
    // A mistake at the end of a 4,000-character reward: the quote is a
    // window around it, cut with `…`, and the carets stay under it.
    let src = format!("step +{}arow", " ".repeat(4000));
    let d = error(&src);
    let out = d.render(&src);
    let lines: Vec<&str> = out.lines().collect();
    assert!(out.len() < 400, "{} bytes", out.len());
    assert!(
        lines[1].starts_with("  …") && lines[1].ends_with("   arow"),
        "{out}"
    );
    let caret = lines[2].chars().position(|c| c == '^').unwrap();
    let under: String = lines[1].chars().skip(caret).collect();
    assert_eq!(under, "arow", "{out}");
    assert_eq!(lines[2].trim(), "^^^^");
    // In the middle of the line: cut on both sides, at most WIDTH quoted.
    let x = excerpt(&"a".repeat(1000), 500, 3);
    assert_eq!(x.text.chars().count(), Excerpt::WIDTH + 2);
    assert!(x.text.starts_with('…') && x.text.ends_with('…'));
    assert_eq!(x.pad.len(), 41);
    assert_eq!(x.carets, "^^^");
    // A short line is quoted whole; a long mark is cut.
    assert_eq!(excerpt("1 + arow", 4, 4).text, "1 + arow");
    assert_eq!(excerpt(&"b".repeat(500), 0, 500).carets.len(), 60);
}

// -------------------------------------------------------------- properties

/// A well-typed expression, for the generators.
#[derive(Clone, Debug)]
enum T {
    Num(f64),
    Sig(usize),
    Bool(bool),
    Neg(Box<T>),
    Not(Box<T>),
    Bin(&'static str, Box<T>, Box<T>),
    If(Box<T>, Box<T>, Box<T>),
    Call(&'static str, Vec<T>),
}

const NAMES: [&str; 5] = ["a", "b", "step", "goal", "x_1"];

fn decls_for_generated() -> Vec<SignalDecl> {
    NAMES.iter().map(|n| observed(n)).collect()
}

fn bin(op: &'static str, l: T, r: T) -> T {
    T::Bin(op, Box::new(l), Box::new(r))
}

fn ite(c: T, t: T, e: T) -> T {
    T::If(Box::new(c), Box::new(t), Box::new(e))
}

/// Number- and boolean-valued expressions up to `levels` operators deep.
fn typed(levels: usize) -> (BoxedStrategy<T>, BoxedStrategy<T>) {
    let mut num = prop_oneof![
        (0u32..100).prop_map(|n| T::Num(f64::from(n))),
        prop::sample::select(vec![0.5, 0.02, 1500.0, 2.25, 1e12, 0.001, 0.0]).prop_map(T::Num),
        (0..NAMES.len()).prop_map(T::Sig),
    ]
    .boxed();
    let mut boolean = any::<bool>().prop_map(T::Bool).boxed();
    for _ in 0..levels {
        let (n, b) = (num.clone(), boolean.clone());
        let arith = prop::sample::select(vec!["+", "-", "*", "/"]);
        let cmp = prop::sample::select(vec!["<", "<=", ">", ">=", "==", "!="]);
        let new_num = prop_oneof![
            3 => n.clone(),
            1 => n.clone().prop_map(|x| T::Neg(Box::new(x))),
            4 => (arith, n.clone(), n.clone()).prop_map(|(op, l, r)| bin(op, l, r)),
            1 => (b.clone(), n.clone(), n.clone()).prop_map(|(c, t, e)| ite(c, t, e)),
            1 => (prop::sample::select(vec!["min", "max"]), prop::collection::vec(n.clone(), 1..4))
                .prop_map(|(f, args)| T::Call(f, args)),
            1 => n.clone().prop_map(|x| T::Call("abs", vec![x])),
            1 => (n.clone(), n.clone(), n.clone()).prop_map(|(x, lo, hi)| T::Call("clamp", vec![x, lo, hi])),
        ]
        .boxed();
        let new_bool = prop_oneof![
            2 => b.clone(),
            1 => b.clone().prop_map(|x| T::Not(Box::new(x))),
            2 => (prop::sample::select(vec!["and", "or"]), b.clone(), b.clone())
                .prop_map(|(op, l, r)| bin(op, l, r)),
            3 => (cmp, n.clone(), n.clone()).prop_map(|(op, l, r)| bin(op, l, r)),
            1 => (b.clone(), b.clone(), b.clone()).prop_map(|(c, t, e)| ite(c, t, e)),
        ]
        .boxed();
        num = new_num;
        boolean = new_bool;
    }
    (num, boolean)
}

fn precedence(t: &T) -> u8 {
    match t {
        T::If(..) => 0,
        T::Bin("or", ..) => 1,
        T::Bin("and", ..) => 2,
        T::Not(_) => 3,
        T::Bin("<" | "<=" | ">" | ">=" | "==" | "!=", ..) => 4,
        T::Bin("+" | "-", ..) => 5,
        T::Bin(..) => 6,
        T::Neg(_) => 7,
        T::Num(_) | T::Sig(_) | T::Bool(_) | T::Call(..) => 8,
    }
}

/// Source text with only the parentheses the grammar needs, so that the
/// parser's precedence and associativity are what is tested.
fn render(t: &T, min: u8) -> String {
    let p = precedence(t);
    let text = match t {
        T::Num(v) => format!("{v}"),
        T::Sig(i) => NAMES[*i].to_string(),
        T::Bool(b) => b.to_string(),
        T::Neg(x) => format!("-{}", render(x, 7)),
        T::Not(x) => format!("not {}", render(x, 3)),
        // Left-associative: the right operand must bind tighter; comparisons
        // do not associate at all.
        T::Bin(op, l, r) => {
            let left = if p == 4 { p + 1 } else { p };
            format!("{} {op} {}", render(l, left), render(r, p + 1))
        }
        T::If(c, a, b) => format!(
            "if {} then {} else {}",
            render(c, 0),
            render(a, 0),
            render(b, 0)
        ),
        T::Call(f, args) => {
            let args: Vec<String> = args.iter().map(|a| render(a, 0)).collect();
            format!("{f}({})", args.join(", "))
        }
    };
    if p < min {
        format!("({text})")
    } else {
        text
    }
}

/// The reference semantics, written independently of the compiler: a plain
/// tree walk over the generator's own tree.
#[derive(Clone, Copy, Debug, PartialEq)]
enum V {
    N(f64),
    B(bool),
}

fn reference(t: &T, signals: &[f64]) -> V {
    reference_with(t, signals, 1e15, &mut 0.0)
}

/// Evaluates with results saturated at `limit`, recording in `largest` the
/// largest magnitude of any number met on the way.
fn reference_with(t: &T, signals: &[f64], limit: f64, largest: &mut f64) -> V {
    let sat = |x: f64| {
        if x > limit {
            limit
        } else if x < -limit {
            -limit
        } else {
            x
        }
    };
    let v = match t {
        T::Num(v) => V::N(*v),
        T::Sig(i) => {
            let v = signals.get(*i).copied().unwrap_or(0.0);
            V::N(if v.is_nan() { 0.0 } else { sat(v) })
        }
        T::Bool(b) => V::B(*b),
        T::Neg(x) => V::N(-number(x, signals, limit, largest)),
        T::Not(x) => V::B(!boolean(x, signals, limit, largest)),
        T::Bin(op @ ("and" | "or"), l, r) => {
            let (l, r) = (
                boolean(l, signals, limit, largest),
                boolean(r, signals, limit, largest),
            );
            V::B(if *op == "and" { l && r } else { l || r })
        }
        T::Bin(op, l, r) => {
            let (a, b) = (
                number(l, signals, limit, largest),
                number(r, signals, limit, largest),
            );
            match *op {
                "+" => V::N(sat(a + b)),
                "-" => V::N(sat(a - b)),
                "*" => V::N(sat(a * b)),
                "/" => V::N(if b == 0.0 { 0.0 } else { sat(a / b) }),
                "<" => V::B(a < b),
                "<=" => V::B(a <= b),
                ">" => V::B(a > b),
                ">=" => V::B(a >= b),
                "==" => V::B(a == b),
                "!=" => V::B(a != b),
                other => panic!("unknown operator {other}"),
            }
        }
        T::If(c, a, b) => {
            let branch = if boolean(c, signals, limit, largest) {
                a
            } else {
                b
            };
            reference_with(branch, signals, limit, largest)
        }
        T::Call(f, args) => {
            let xs: Vec<f64> = args
                .iter()
                .map(|a| number(a, signals, limit, largest))
                .collect();
            V::N(match *f {
                "min" => xs[1..]
                    .iter()
                    .fold(xs[0], |m, &x| if x < m { x } else { m }),
                "max" => xs[1..]
                    .iter()
                    .fold(xs[0], |m, &x| if x > m { x } else { m }),
                "abs" => xs[0].abs(),
                "clamp" => {
                    let lifted = if xs[1] > xs[0] { xs[1] } else { xs[0] };
                    if xs[2] < lifted {
                        xs[2]
                    } else {
                        lifted
                    }
                }
                other => panic!("unknown function {other}"),
            })
        }
    };
    if let V::N(x) = v {
        *largest = largest.max(x.abs());
        if x.is_nan() {
            *largest = f64::NAN;
        }
    }
    v
}

fn number(t: &T, signals: &[f64], limit: f64, largest: &mut f64) -> f64 {
    match reference_with(t, signals, limit, largest) {
        V::N(x) => x,
        V::B(_) => panic!("ill-typed generator output"),
    }
}

fn boolean(t: &T, signals: &[f64], limit: f64, largest: &mut f64) -> bool {
    match reference_with(t, signals, limit, largest) {
        V::B(b) => b,
        V::N(_) => panic!("ill-typed generator output"),
    }
}

fn signal_value() -> impl Strategy<Value = f64> {
    prop_oneof![
        4 => -100.0..100.0f64,
        2 => (-5i32..5).prop_map(f64::from),
        1 => prop::num::f64::NORMAL | prop::num::f64::ZERO | prop::num::f64::SUBNORMAL,
    ]
}

/// Text likely to reach deep into the lexer and the parser.
fn token_soup() -> impl Strategy<Value = String> {
    let tokens = vec![
        "(", ")", "-", "+", "*", "/", "if", "then", "else", "and", "or", "not", "true", "false",
        "<", "<=", "==", "!=", ">", ">=", ",", "min", "max", "abs", "clamp", "a", "step",
        "watered", "waterd", "3", ".5", "1e3", "1e13", "0", " ", "\n", "é", "→", "$", "=", "!",
        "&", "3x", "1.2.", "\u{a0}",
    ];
    (
        prop::collection::vec(prop::sample::select(tokens), 0..80),
        any::<bool>(),
    )
        .prop_map(|(parts, spaced)| parts.join(if spaced { " " } else { "" }))
}

fn nasty_source() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        token_soup(),
        (
            0usize..6000,
            prop::sample::select(vec!["(", "-", "not ", "max(", "a+(", "if "]),
            token_soup()
        )
            .prop_map(|(n, unit, tail)| format!("{}{tail}", unit.repeat(n))),
        (0usize..5000, any::<String>()).prop_map(|(n, s)| format!("{}{s}", "(".repeat(n))),
    ]
}

proptest! {
    #[test]
    fn compile_never_panics(src in nasty_source(), intent in any::<bool>()) {
        let access = if intent { Access::Intent } else { Access::Reward };
        match compile(&src, &level(), access) {
            Ok(program) => {
                let v = program.eval(&[1.0, -2.0, f64::NAN, 3.0, f64::INFINITY]);
                prop_assert!(v.is_finite() && v.abs() <= MAX_VALUE);
            }
            Err(d) => {
                assert_span_valid(&src, &d);
                let rendered = d.render(&src);
                prop_assert!(rendered.starts_with("error: "));
                let _ = d.to_string();
            }
        }
    }

    #[test]
    fn generated_expressions_compile_and_stay_finite(
        t in typed(4).0,
        signals in prop::collection::vec(signal_value(), NAMES.len()),
    ) {
        let src = render(&t, 0);
        let program = compile(&src, &decls_for_generated(), Access::Reward)
            .map_err(|d| TestCaseError::fail(d.render(&src)))?;
        let v = program.eval(&signals);
        prop_assert!(v.is_finite() && v.abs() <= MAX_VALUE, "{src} gave {v}");
        let odd = [f64::NAN, f64::INFINITY, f64::NEG_INFINITY, f64::MAX, -0.0];
        let v = program.eval(&odd);
        prop_assert!(v.is_finite() && v.abs() <= MAX_VALUE, "{src} gave {v}");
    }

    #[test]
    fn bytecode_agrees_with_the_reference_evaluator(
        t in typed(5).0,
        signals in prop::collection::vec(signal_value(), NAMES.len()),
    ) {
        let src = render(&t, 0);
        let program = compile(&src, &decls_for_generated(), Access::Reward)
            .map_err(|d| TestCaseError::fail(d.render(&src)))?;
        let V::N(want) = reference(&t, &signals) else {
            return Err(TestCaseError::fail("the generator made a boolean"));
        };
        let got = program.eval(&signals);
        prop_assert!(close(got, want), "{src}: bytecode {got}, reference {want}, signals {signals:?}");
        // Linear terms describe the program where nothing saturates: check
        // them where no number met on the way is large.
        let mut largest = 0.0;
        let unsaturated = reference_with(&t, &signals, f64::INFINITY, &mut largest);
        if let (Some((constant, terms)), V::N(exact), true) = (program.linear_terms(), unsaturated, largest <= 1e6) {
            let sum = terms.iter().fold(constant, |sum, &(i, k)| sum + k * signals[i]);
            prop_assert!((sum - exact).abs() <= 1e-6, "{src}: terms {sum}, exact {exact}");
        }
    }

    #[test]
    fn generated_conditions_are_refused_as_rewards(t in typed(3).1) {
        let src = render(&t, 0);
        let d = compile(&src, &decls_for_generated(), Access::Reward).unwrap_err();
        prop_assert!(d.message.starts_with("a reward must be a number"), "{src}: {d:?}");
        prop_assert_eq!(d.span, (0, src.len()));
    }
}

/// The textbook full-table optimal string alignment distance.
fn osa_reference(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    d[0] = (0..=b.len()).collect();
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            d[i][j] = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d[i][j] = d[i][j].min(d[i - 2][j - 2] + 1);
            }
        }
    }
    d[a.len()][b.len()]
}

proptest! {
    #[test]
    fn edit_distance_matches_the_full_table(a in "[abé_]{0,8}", b in "[abé_]{0,8}") {
        prop_assert_eq!(diagnostic::distance(&a, &b), osa_reference(&a, &b));
        prop_assert_eq!(diagnostic::distance(&a, &b), diagnostic::distance(&b, &a));
    }
}
