//! The reward language of Loophole: the small expression language in which
//! a player writes a **reward** and a level author writes an **intent**.
//!
//! Every step of an environment emits named numeric **signals** (`step`,
//! `goal`, `arrow`, `watered_seen`, …). A reward or an intent is one
//! expression over those signals, evaluated once per step, that gives one
//! number. For example:
//!
//! ```text
//! 3*arrow - step
//! 50*goal - step - 30*punished
//! if should_interrupt > 0 then 0 else 50*goal - step
//! max(0, watered - 5) + min(a, b, c) - abs(x)
//! if on_bucket == 1 and step > 0 then -1 else 0.02*watered_seen
//! ```
//!
//! The crate depends on nothing: it knows a level's signals only by the
//! declarations [`compile`] is given, in the order their values will come.
//!
//! ```
//! use loophole_lang::{compile, Access, SignalDecl, Visibility};
//! let signal = |name: &str, visibility| SignalDecl {
//!     name: name.into(),
//!     visibility,
//!     description: String::new(),
//! };
//! let decls = [
//!     signal("step", Visibility::Observed),
//!     signal("goal", Visibility::Observed),
//!     signal("side_effect", Visibility::Hidden),
//! ];
//! let reward = compile("50*goal - step", &decls, Access::Reward).unwrap();
//! // A step that reaches the goal: step = 1, goal = 1.
//! assert_eq!(reward.eval(&[1.0, 1.0, 0.0]), 49.0);
//! // A reward cannot read what its sensors cannot see.
//! let err = compile("-side_effect", &decls, Access::Reward).unwrap_err();
//! assert!(err.message.contains("hidden"));
//! ```
//!
//! # Grammar
//!
//! From the loosest binding to the tightest:
//!
//! ```text
//! expr    := 'if' expr 'then' expr 'else' expr | or
//! or      := and ('or' and)*
//! and     := not ('and' not)*
//! not     := 'not' not | cmp
//! cmp     := add (('<' | '<=' | '>' | '>=' | '==' | '!=') add)?
//! add     := mul (('+' | '-') mul)*
//! mul     := unary (('*' | '/') unary)*
//! unary   := '-' unary | primary
//! primary := NUMBER | 'true' | 'false' | IDENT | IDENT '(' expr (',' expr)* ')' | '(' expr ')'
//! ```
//!
//! - Arithmetic is left-associative: `1 - 2 - 3` is `-4`, `8/2/2` is `2`.
//! - Comparisons do not chain: `a < b < c` is an error; write `a < b and b < c`.
//! - An `if` inside a larger expression needs parentheses: `1 + (if a > 0 then 1 else 0)`.
//! - A NUMBER is decimal: `3`, `0.02`, `1.5e3`, `.5`. There are no negative
//!   literals; `-3` is the minus operator applied to `3`.
//! - A name (IDENT) is `[A-Za-z_][A-Za-z0-9_]*`. The keywords `if then else
//!   and or not true false` are not names.
//! - Whitespace (spaces, tabs, newlines and any other Unicode whitespace)
//!   only separates tokens.
//!
//! The functions are `min(…)` and `max(…)` of 1 to 16 numbers, `abs(x)`, and
//! `clamp(x, lo, hi)`, which is `min(max(x, lo), hi)` (so it gives `hi` when
//! `lo > hi`).
//!
//! # Types
//!
//! A value is a **number** or a **boolean** (true or false). Numbers, signals,
//! arithmetic and the functions give numbers; comparisons, `and`, `or`, `not`,
//! `true` and `false` give booleans. Arithmetic, comparisons and function
//! arguments take numbers; `and`, `or`, `not` and the condition of `if` take
//! booleans; both branches of an `if` must have the same type. A whole reward
//! or intent must be a number: `if goal > 0 then 1 else 0` turns a condition
//! into one. Every mistake is reported before anything runs, with the place in
//! the text, what was expected and what was found.
//!
//! # Observed and hidden signals
//!
//! Each signal is *observed* (a reward's sensors can see it) or *hidden* (it
//! records what really happened). A reward may read observed signals only; an
//! intent may read them all. A reward that names a hidden signal does not
//! compile.
//!
//! # Totality
//!
//! An expression has no loops, no recursion and no side effects, so it always
//! finishes, and evaluation never fails:
//!
//! - dividing by zero gives 0;
//! - every arithmetic result is saturated into [-1e15, 1e15], so there is no
//!   overflow, no infinity and no NaN;
//! - a signal that is NaN reads as 0, and one beyond ±1e15 reads as ±1e15;
//! - `and` and `or` evaluate both sides (there is nothing to short-circuit).
//!
//! # Limits
//!
//! - A source is at most 4096 bytes ([`MAX_SOURCE_BYTES`]).
//! - Its syntax tree is at most 64 levels deep ([`MAX_DEPTH`]). A level is
//!   an operator, a function call, an `if`, a `not`, a minus sign or a pair
//!   of parentheses; a run of one operator (`a + b - c + …`) is one level.
//! - It has at most 1024 numbers, names and operations ([`MAX_NODES`]).
//! - A number written in it is at most 1e12 in size ([`MAX_LITERAL`]).
//!
//! # Compilation
//!
//! [`compile`] lexes, parses, resolves names, checks types, folds constants
//! and emits a flat stack bytecode, which [`Program::eval`] runs without
//! allocating.

mod bytecode;
mod check;
mod diagnostic;
mod ir;
mod lexer;
mod parser;
pub mod suggest;

#[cfg(test)]
mod tests;

pub use bytecode::Program;
pub use diagnostic::{excerpt, Diagnostic, Excerpt};

/// The longest source accepted, in bytes.
pub const MAX_SOURCE_BYTES: usize = 4096;
/// The deepest syntax tree accepted, in levels.
pub const MAX_DEPTH: usize = 64;
/// The most numbers, names and operations accepted in one expression.
pub const MAX_NODES: usize = 1024;
/// The largest magnitude of a number written in the source.
pub const MAX_LITERAL: f64 = 1e12;
/// Every value an expression computes lies in `[-MAX_VALUE, MAX_VALUE]`.
pub const MAX_VALUE: f64 = 1e15;

/// Whether a reward's sensors can see a signal.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Visibility {
    Observed,
    Hidden,
}

/// A signal a level emits at every step.
#[derive(Clone, Debug, PartialEq)]
pub struct SignalDecl {
    pub name: String,
    pub visibility: Visibility,
    pub description: String,
}

/// Who is reading the signals: a reward may read observed signals only; an intent may read all.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    Reward,
    Intent,
}

impl Access {
    /// Whether an expression compiled for `self` may read a signal of this visibility.
    pub fn can_read(self, visibility: Visibility) -> bool {
        self == Access::Intent || visibility == Visibility::Observed
    }

    /// "a reward" or "an intent", for messages.
    fn noun(self) -> &'static str {
        match self {
            Access::Reward => "a reward",
            Access::Intent => "an intent",
        }
    }
}

/// Parse, type-check and compile.
///
/// `decls` fixes the signals' names and their order: [`Program::eval`] takes
/// the signals' values in that order.
pub fn compile(src: &str, decls: &[SignalDecl], access: Access) -> Result<Program, Diagnostic> {
    // Checked before anything else so that no later stage ever sees a huge input.
    if src.len() > MAX_SOURCE_BYTES {
        let start = floor_char_boundary(src, MAX_SOURCE_BYTES);
        return Err(Diagnostic::new(
            format!(
                "the expression is {} bytes long; the limit is {MAX_SOURCE_BYTES}",
                src.len()
            ),
            (start, src.len()),
        )
        .with_help("shorten it: the marked part is past the limit"));
    }
    if src.trim().is_empty() {
        let example = decls
            .iter()
            .find(|d| access.can_read(d.visibility))
            .map_or("1", |d| d.name.as_str());
        return Err(Diagnostic::new(
            format!("the expression is empty: write a number or a signal, e.g. `{example}`"),
            (0, src.len()),
        ));
    }
    let tokens = lexer::lex(src)?;
    let tree = parser::parse(src, &tokens)?;
    let node = check::check(src, &tree, decls, access)?;
    Program::from_ir(ir::fold(node), src)
}

/// A number as source text, for a program that writes an expression (an
/// inferred reward, a term's label): at most `decimals` decimals, without
/// trailing zeros, and `0` for a negative zero.
///
/// ```
/// assert_eq!(loophole_lang::write_number(-2.5, 4), "-2.5");
/// assert_eq!(loophole_lang::write_number(50.0, 2), "50");
/// assert_eq!(loophole_lang::write_number(-0.001, 2), "0");
/// ```
pub fn write_number(x: f64, decimals: usize) -> String {
    let s = format!("{x:.decimals$}");
    let s = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    };
    if s == "-0" {
        "0".into()
    } else {
        s
    }
}

/// The largest char boundary of `s` at or below `i`.
fn floor_char_boundary(s: &str, i: usize) -> usize {
    let mut i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}
