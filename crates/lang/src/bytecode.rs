//! The compiled form: a flat list of stack-machine operations.
//!
//! The top of the stack lives in a local (`acc`) and the rest in a fixed
//! array on the native stack, so evaluating allocates nothing. A binary
//! operation whose right operand is a constant, a signal or `k*signal` is
//! fused with it into one operation: dispatching an operation costs more
//! than the arithmetic, and `50*goal - step - 30*punished` takes three
//! operations instead of nine.
//!
//! Most rewards are sums of scaled signals (`50*goal - step`). Such a
//! program is also kept as a [`Chain`] of terms and, when its signals are
//! far enough inside the range that nothing can saturate, evaluated by one
//! loop without dispatch, which performs the same floating-point operations
//! in the same order as the operations it replaces: the results are the same
//! bits (`crates/engine/tests/eval_fast_path.rs` checks it against the stack
//! machine). Other inputs run on the stack machine.
//!
//! Every program is verified when it is built: no operation pops an empty
//! stack, the stack never outgrows its array, every jump goes forward to a
//! valid target, and exactly one value is left at the end. That is what lets
//! [`Program::eval`] index without fear of panicking and guarantees it ends.

use std::sync::Arc;

use super::diagnostic::Diagnostic;
use super::ir::{self, sanitize, BinOp, Node, UnOp};
use super::{MAX_DEPTH, MAX_VALUE};

/// Stack slots. A node needs at most one slot more than its tallest child
/// (chains, `min`, `max` and `clamp` combine their operands pairwise), so a
/// tree within [`MAX_DEPTH`] levels fits; the verifier checks it anyway.
const STACK_SLOTS: usize = MAX_DEPTH;

#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum Op {
    Const(f64),
    Signal(u32),
    Unary(UnOp),
    /// Pops the right operand; the left is the top.
    Binary(BinOp),
    /// The top, combined with a constant right operand.
    BinaryConst(BinOp, f64),
    /// The top, combined with a signal as right operand.
    BinarySignal(BinOp, u32),
    // The binary operations rewards use most, once more as flat variants,
    // which saves a second dispatch on the inner operator.
    Add,
    Sub,
    Mul,
    AddConst(f64),
    SubConst(f64),
    MulConst(f64),
    AddSignal(u32),
    SubSignal(u32),
    MulSignal(u32),
    // `k*signal`, the commonest term of a reward, as one operation: pushed,
    // or added to or subtracted from the top.
    ScaledSignal(f64, u32),
    AddScaled(f64, u32),
    SubScaled(f64, u32),
    /// Pops the condition; jumps when it is false (0).
    JumpIfFalse(u32),
    Jump(u32),
}

impl Op {
    fn binary(op: BinOp) -> Op {
        match op {
            BinOp::Add => Op::Add,
            BinOp::Sub => Op::Sub,
            BinOp::Mul => Op::Mul,
            _ => Op::Binary(op),
        }
    }

    fn binary_const(op: BinOp, c: f64) -> Op {
        match op {
            BinOp::Add => Op::AddConst(c),
            BinOp::Sub => Op::SubConst(c),
            BinOp::Mul => Op::MulConst(c),
            _ => Op::BinaryConst(op, c),
        }
    }

    fn binary_signal(op: BinOp, i: u32) -> Op {
        match op {
            BinOp::Add => Op::AddSignal(i),
            BinOp::Sub => Op::SubSignal(i),
            BinOp::Mul => Op::MulSignal(i),
            _ => Op::BinarySignal(op, i),
        }
    }

    /// The signal this operation reads, if any.
    fn signal(self) -> Option<u32> {
        match self {
            Op::Signal(i)
            | Op::BinarySignal(_, i)
            | Op::AddSignal(i)
            | Op::SubSignal(i)
            | Op::MulSignal(i)
            | Op::ScaledSignal(_, i)
            | Op::AddScaled(_, i)
            | Op::SubScaled(_, i) => Some(i),
            _ => None,
        }
    }

    /// (values it needs on the stack, values it pops, values it pushes)
    fn stack_effect(self) -> (usize, usize, usize) {
        match self {
            Op::Const(_) | Op::Signal(_) | Op::ScaledSignal(..) => (0, 0, 1),
            Op::Unary(_)
            | Op::BinaryConst(..)
            | Op::BinarySignal(..)
            | Op::AddConst(_)
            | Op::SubConst(_)
            | Op::MulConst(_)
            | Op::AddSignal(_)
            | Op::SubSignal(_)
            | Op::MulSignal(_)
            | Op::AddScaled(..)
            | Op::SubScaled(..) => (1, 0, 0),
            Op::Binary(_) | Op::Add | Op::Sub | Op::Mul => (2, 1, 0),
            Op::JumpIfFalse(_) => (1, 1, 0),
            Op::Jump(_) => (0, 0, 0),
        }
    }
}

type LinearTerms = Arc<[(usize, f64)]>;

/// `k·signal`: one term of a [`Chain`].
#[derive(Clone, Copy, Debug, PartialEq)]
struct Term {
    k: f64,
    signal: u32,
}

/// A program whose operations are one `Const`, `Signal` or `ScaledSignal`
/// followed only by additions and subtractions of signals and scaled
/// signals, as a start and a list of terms `k·x` added in order.
///
/// When every signal read is within `limit`, no value reaches the edge of
/// the range: the start is at most `MAX_VALUE/2`, and the terms add at most
/// `Σ|k|·limit <= MAX_VALUE/4`, times `(1+2^-53)` per rounding, which over
/// the few thousand operations a program can have stays far inside the
/// margin. Sanitizing and saturating then change nothing, and the chain
/// computes exactly what the operations do, in the same order, without
/// them: a plain signal `x` is `1·x` (that is `x`), subtracting `k·x` is
/// adding `(-k)·x` (negating is exact, and `a - b` is by definition
/// `a + (-b)` in IEEE arithmetic), and a chain that begins with a signal
/// starts from `-0`, which added to any `y` gives `y`, bit for bit. Any
/// other input is left to the stack machine.
#[derive(Clone, Debug)]
struct Chain {
    start: f64,
    terms: Arc<[Term]>,
    /// The largest signal magnitude for which the sum needs no check;
    /// negative when the start is too large for any.
    limit: f64,
}

impl Chain {
    /// The chain of `ops`, if they have that form.
    fn of(ops: &[Op]) -> Option<Chain> {
        // Constants are always in range; a chain is only taken when it provably is.
        let term = |k: f64, signal: u32| (k.abs() <= MAX_VALUE).then_some(Term { k, signal });
        let (first, rest) = ops.split_first()?;
        let (start, first) = match *first {
            Op::Const(c) => (c, None),
            Op::Signal(i) => (-0.0, Some(term(1.0, i)?)),
            Op::ScaledSignal(k, i) => (-0.0, Some(term(k, i)?)),
            _ => return None,
        };
        let rest = rest.iter().map(|op| match *op {
            Op::AddSignal(i) => term(1.0, i),
            Op::SubSignal(i) => term(-1.0, i),
            Op::AddScaled(k, i) => term(k, i),
            Op::SubScaled(k, i) => term(k, i).map(|t| Term { k: -t.k, ..t }),
            _ => None,
        });
        let terms = first
            .map(Some)
            .into_iter()
            .chain(rest)
            .collect::<Option<Vec<Term>>>()?;
        let weight: f64 = terms.iter().map(|t| t.k.abs()).sum();
        let limit = if start.abs() > MAX_VALUE / 2.0 {
            -1.0
        } else if weight > 0.0 {
            (MAX_VALUE / 4.0 / weight).min(MAX_VALUE)
        } else {
            MAX_VALUE
        };
        Some(Chain {
            start,
            terms: terms.into(),
            limit,
        })
    }

    /// The sum, or `None` when a signal is beyond the limit (or NaN).
    /// With `CHECK` false the caller has established that no signal is
    /// (see [`Program::covers`]), and the check is left out.
    #[inline(always)]
    fn eval<const CHECK: bool>(&self, signals: &[f64]) -> Option<f64> {
        let x = |t: Term| signals.get(t.signal as usize).copied().unwrap_or(0.0);
        let ok = |v: f64| !CHECK || v.abs() <= self.limit;
        let start = self.start;
        // Rewards have a few terms: straight-line code for up to four
        // costs less than a loop's bookkeeping, and keeps the sum in a
        // register. The terms are added in order, one rounding each.
        let (sum, within) = match *self.terms {
            [a] => {
                let xa = x(a);
                (start + a.k * xa, ok(xa))
            }
            [a, b] => {
                let (xa, xb) = (x(a), x(b));
                (start + a.k * xa + b.k * xb, ok(xa) & ok(xb))
            }
            [a, b, c] => {
                let (xa, xb, xc) = (x(a), x(b), x(c));
                (
                    start + a.k * xa + b.k * xb + c.k * xc,
                    ok(xa) & ok(xb) & ok(xc),
                )
            }
            [a, b, c, d] => {
                let (xa, xb, xc, xd) = (x(a), x(b), x(c), x(d));
                (
                    start + a.k * xa + b.k * xb + c.k * xc + d.k * xd,
                    ok(xa) & ok(xb) & ok(xc) & ok(xd),
                )
            }
            ref terms => terms.iter().fold((start, true), |(acc, within), &t| {
                let v = x(t);
                (acc + t.k * v, within & ok(v))
            }),
        };
        within.then_some(sum)
    }
}

/// A compiled expression: cheap to clone, cheap to evaluate.
#[derive(Clone, Debug)]
pub struct Program {
    pub(super) ops: Arc<[Op]>,
    /// The most values on the stack at once, as found by the verifier.
    max_stack: usize,
    signals_used: Arc<[usize]>,
    /// `(constant, (signal, coefficient)…)`, see [`Program::linear_terms`].
    linear: Option<(f64, LinearTerms)>,
    /// The same program as a chain of terms, when it is one.
    chain: Option<Chain>,
}

impl Program {
    /// Builds the program for a checked, folded tree.
    pub(super) fn from_ir(node: Node, src: &str) -> Result<Program, Diagnostic> {
        let mut ops = Vec::new();
        emit(&node, &mut ops);
        // Never expected: a failure here is a bug in the compiler, reported
        // rather than risked at run time.
        let max_stack = verify(&ops).map_err(|why| {
            Diagnostic::new(
                format!("internal error: the compiler produced an invalid program ({why})"),
                (0, src.len()),
            )
        })?;
        let mut signals_used: Vec<usize> = ops
            .iter()
            .filter_map(|op| op.signal().map(|i| i as usize))
            .collect();
        signals_used.sort_unstable();
        signals_used.dedup();
        let chain = Chain::of(&ops);
        Ok(Program {
            chain,
            ops: ops.into(),
            max_stack,
            signals_used: signals_used.into(),
            linear: ir::linear(&node).map(|(c, terms)| (c, terms.into())),
        })
    }

    /// Evaluate with `signals[i]` the value of the i-th declared signal (same
    /// order as the `decls` given to [`compile`](super::compile)).
    ///
    /// Never panics, never allocates, and always returns a finite number in
    /// `[-1e15, 1e15]`. A signal missing from a shorter slice reads as 0.
    #[inline]
    pub fn eval(&self, signals: &[f64]) -> f64 {
        self.eval_known(signals, false)
    }

    /// When both programs are chains and `self`'s is the start of `other`'s
    /// (the same start and the same first terms, bit for bit), the number
    /// of `self`'s terms: `other` is then `self` followed by more terms, and
    /// its sum can go on from `self`'s (see [`Program::continue_known`]).
    pub fn chain_prefix_of(&self, other: &Program) -> Option<usize> {
        let (a, b) = (self.chain.as_ref()?, other.chain.as_ref()?);
        let same = |x: &Term, y: &Term| x.k.to_bits() == y.k.to_bits() && x.signal == y.signal;
        let prefix = a.start.to_bits() == b.start.to_bits()
            && a.terms.len() <= b.terms.len()
            && a.terms.iter().zip(b.terms.iter()).all(|(x, y)| same(x, y));
        prefix.then_some(a.terms.len())
    }

    /// The program's value from the sum of its first `done` terms, for a
    /// caller that knows `covers(b)`, that no signal exceeds `b`, and that
    /// `sum` is what the chain's first `done` terms add up to (the value of
    /// a program whose [`Program::chain_prefix_of`] this is is that sum).
    /// Bit for bit what [`Program::eval`] gives.
    #[inline(always)]
    pub fn continue_known(&self, signals: &[f64], sum: f64, done: usize) -> f64 {
        let Some(c) = &self.chain else {
            return self.eval_stack_machine(signals);
        };
        let x = |t: Term| signals.get(t.signal as usize).copied().unwrap_or(0.0);
        match *c.terms.get(done..).unwrap_or(&[]) {
            [] => sum,
            [a] => sum + a.k * x(a),
            [a, b] => sum + a.k * x(a) + b.k * x(b),
            ref rest => rest.iter().fold(sum, |acc, &t| acc + t.k * x(t)),
        }
    }

    /// Whether every signal vector whose values are all within `bound` in
    /// magnitude (no NaN) takes the fast path: the program is a chain and
    /// `bound` is within its limit.
    pub fn covers(&self, bound: f64) -> bool {
        self.chain.as_ref().is_some_and(|c| bound <= c.limit)
    }

    /// [`Program::eval`], for a caller that knows `covers(b)` and that no
    /// signal exceeds `b` (`known` true): then the fast path's check of
    /// every signal is left out, and the result is the same bit for bit.
    /// With `known` false this is `eval`.
    #[inline(always)]
    pub fn eval_known(&self, signals: &[f64], known: bool) -> f64 {
        let fast = if known {
            self.chain.as_ref().and_then(|c| c.eval::<false>(signals))
        } else {
            self.chain.as_ref().and_then(|c| c.eval::<true>(signals))
        };
        match fast {
            Some(v) => v,
            None => self.eval_stack_machine(signals),
        }
    }

    /// Whether [`Program::eval`] takes the fast path: the program is a
    /// chain of added and subtracted (scaled) signals.
    pub fn is_chain(&self) -> bool {
        self.chain.is_some()
    }

    /// Evaluates by running the operations one at a time, never the fast
    /// path: the same result as [`Program::eval`], bit for bit.
    #[inline(never)]
    pub fn eval_stack_machine(&self, signals: &[f64]) -> f64 {
        // Zeroing the whole array costs more than running a small program,
        // so small programs get a small one.
        match self.max_stack {
            0..=4 => self.run::<4>(signals),
            5..=16 => self.run::<16>(signals),
            _ => self.run::<STACK_SLOTS>(signals),
        }
    }

    /// Runs with an `N`-slot stack; `N >= self.max_stack`, which the
    /// verifier has bounded by `STACK_SLOTS`.
    #[inline]
    fn run<const N: usize>(&self, signals: &[f64]) -> f64 {
        let read = |i: u32| sanitize(signals.get(i as usize).copied().unwrap_or(0.0));
        // `stack[..sp]` holds everything under the top; `stack[0]` is a dummy
        // pushed with the first value so that pushing never needs a branch.
        let mut stack = [0.0f64; N];
        let mut sp = 0usize;
        let mut acc = 0.0f64;
        let mut pc = 0usize;
        while let Some(&op) = self.ops.get(pc) {
            pc += 1;
            match op {
                Op::Const(c) => {
                    stack[sp] = acc;
                    sp += 1;
                    acc = c;
                }
                Op::Signal(i) => {
                    stack[sp] = acc;
                    sp += 1;
                    acc = read(i);
                }
                Op::Unary(u) => acc = u.apply(acc),
                Op::Binary(b) => {
                    sp -= 1;
                    acc = b.apply(stack[sp], acc);
                }
                Op::BinaryConst(b, c) => acc = b.apply(acc, c),
                Op::BinarySignal(b, i) => acc = b.apply(acc, read(i)),
                Op::Add => {
                    sp -= 1;
                    acc = BinOp::Add.apply(stack[sp], acc);
                }
                Op::Sub => {
                    sp -= 1;
                    acc = BinOp::Sub.apply(stack[sp], acc);
                }
                Op::Mul => {
                    sp -= 1;
                    acc = BinOp::Mul.apply(stack[sp], acc);
                }
                Op::AddConst(c) => acc = BinOp::Add.apply(acc, c),
                Op::SubConst(c) => acc = BinOp::Sub.apply(acc, c),
                Op::MulConst(c) => acc = BinOp::Mul.apply(acc, c),
                Op::AddSignal(i) => acc = BinOp::Add.apply(acc, read(i)),
                Op::SubSignal(i) => acc = BinOp::Sub.apply(acc, read(i)),
                Op::MulSignal(i) => acc = BinOp::Mul.apply(acc, read(i)),
                Op::ScaledSignal(k, i) => {
                    stack[sp] = acc;
                    sp += 1;
                    acc = BinOp::Mul.apply(k, read(i));
                }
                Op::AddScaled(k, i) => acc = BinOp::Add.apply(acc, BinOp::Mul.apply(k, read(i))),
                Op::SubScaled(k, i) => acc = BinOp::Sub.apply(acc, BinOp::Mul.apply(k, read(i))),
                Op::JumpIfFalse(target) => {
                    let cond = acc;
                    sp -= 1;
                    acc = stack[sp];
                    if cond == 0.0 {
                        pc = target as usize;
                    }
                }
                Op::Jump(target) => pc = target as usize,
            }
        }
        acc
    }

    /// Indices (into decls) of the signals this program reads, sorted,
    /// deduplicated. Signals only in a branch that constant folding removed
    /// are not read.
    pub fn signals_used(&self) -> &[usize] {
        &self.signals_used
    }

    /// If the program is `constant + Σ coefficient·signal` after constant
    /// folding, return (constant, (signal index, coefficient) in signal
    /// order, with terms that cancel out left out); else `None`.
    ///
    /// `-x`, `a - b`, `c*x`, `x*c` and `x/c` with `c` a non-zero constant are
    /// linear; `if`, comparisons and functions are not. Saturation is
    /// ignored: the terms describe the program where no value reaches ±1e15.
    pub fn linear_terms(&self) -> Option<(f64, Vec<(usize, f64)>)> {
        self.linear.as_ref().map(|(c, terms)| (*c, terms.to_vec()))
    }
}

fn emit(node: &Node, ops: &mut Vec<Op>) {
    if let Some((k, i)) = scaled_signal(node) {
        ops.push(Op::ScaledSignal(k, i));
        return;
    }
    match node {
        Node::Const(c) => ops.push(Op::Const(*c)),
        Node::Signal(i) => ops.push(Op::Signal(index(*i))),
        Node::Unary(op, x) => {
            emit(x, ops);
            ops.push(Op::Unary(*op));
        }
        Node::Chain(first, rest) => {
            emit(first, ops);
            for (op, n) in rest {
                match (n, scaled_signal(n)) {
                    (_, Some((k, i))) if *op == BinOp::Add => ops.push(Op::AddScaled(k, i)),
                    (_, Some((k, i))) if *op == BinOp::Sub => ops.push(Op::SubScaled(k, i)),
                    (Node::Const(c), _) => ops.push(Op::binary_const(*op, *c)),
                    (Node::Signal(i), _) => ops.push(Op::binary_signal(*op, index(*i))),
                    _ => {
                        emit(n, ops);
                        ops.push(Op::binary(*op));
                    }
                }
            }
        }
        Node::If(cond, then, els) => {
            emit(cond, ops);
            let jump_to_else = ops.len();
            ops.push(Op::JumpIfFalse(0));
            emit(then, ops);
            let jump_to_end = ops.len();
            ops.push(Op::Jump(0));
            ops[jump_to_else] = Op::JumpIfFalse(index(ops.len()));
            emit(els, ops);
            ops[jump_to_end] = Op::Jump(index(ops.len()));
        }
    }
}

/// `k*signal` or `signal*k` (the same, as multiplying is commutative even
/// when it saturates).
fn scaled_signal(node: &Node) -> Option<(f64, u32)> {
    let Node::Chain(first, rest) = node else {
        return None;
    };
    match (&**first, rest.as_slice()) {
        (Node::Const(k), [(BinOp::Mul, Node::Signal(i))])
        | (Node::Signal(i), [(BinOp::Mul, Node::Const(k))]) => Some((*k, index(*i))),
        _ => None,
    }
}

/// Indices and jump targets are far below `u32::MAX` (programs have at most
/// a few thousand operations); saturating keeps a wrong one detectable by
/// the verifier instead of wrapping into a plausible one.
fn index(i: usize) -> u32 {
    u32::try_from(i).unwrap_or(u32::MAX)
}

/// Checks the stack discipline and the jumps of `ops` by following the stack
/// depth through every path. Returns the largest depth.
fn verify(ops: &[Op]) -> Result<usize, &'static str> {
    // The depth at each operation (and at the end), as reached by any path.
    let mut depth_at: Vec<Option<usize>> = vec![None; ops.len() + 1];
    depth_at[0] = Some(0);
    let mut max = 0;
    let arrive = |depth_at: &mut Vec<Option<usize>>, at: usize, from: usize, depth: usize| {
        if at <= from || at > ops.len() {
            return Err("a jump does not go forward");
        }
        match depth_at[at] {
            Some(d) if d != depth => Err("two paths disagree on the stack depth"),
            _ => {
                depth_at[at] = Some(depth);
                Ok(())
            }
        }
    };
    for (pc, op) in ops.iter().enumerate() {
        let depth = depth_at[pc].ok_or("an operation is unreachable")?;
        let (needs, pops, pushes) = op.stack_effect();
        if depth < needs {
            return Err("an operation pops an empty stack");
        }
        let after = depth - pops + pushes;
        if after > STACK_SLOTS {
            return Err("the stack outgrows its array");
        }
        max = max.max(after);
        match *op {
            Op::Jump(target) => arrive(&mut depth_at, target as usize, pc, after)?,
            Op::JumpIfFalse(target) => {
                arrive(&mut depth_at, target as usize, pc, after)?;
                arrive(&mut depth_at, pc + 1, pc, after)?;
            }
            _ => arrive(&mut depth_at, pc + 1, pc, after)?,
        }
    }
    match depth_at[ops.len()] {
        Some(1) => Ok(max),
        _ => Err("the program does not leave exactly one value"),
    }
}
