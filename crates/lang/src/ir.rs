//! The checked program as a tree: names resolved to signal indices, booleans
//! as 0 and 1, functions lowered to operators. Constant folding and the
//! linearity analysis work here; the bytecode is emitted from it.
//!
//! The operators' semantics live here too, in one place, so that folding at
//! compile time and evaluation at run time cannot disagree.

use super::MAX_VALUE;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    Min,
    Max,
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
    Ne,
    And,
    Or,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum UnOp {
    Neg,
    Not,
    Abs,
}

#[derive(Clone, Debug, PartialEq)]
pub(super) enum Node {
    Const(f64),
    Signal(usize),
    Unary(UnOp, Box<Node>),
    /// A left fold: `((first op₁ e₁) op₂ e₂) …`. Flat so that long sums stay shallow.
    Chain(Box<Node>, Vec<(BinOp, Node)>),
    If(Box<Node>, Box<Node>, Box<Node>),
}

/// Brings a value into `[-MAX_VALUE, MAX_VALUE]`. Operands are always finite
/// and in range, so a sum, difference or product is finite (at most 1e30) and
/// a quotient at worst infinite: never NaN.
///
/// In range is by far the common case, and a branch the processor predicts
/// costs nothing, whereas clamping with `min` and `max` would add their
/// latency to every operation of a program.
#[inline(always)]
pub(super) fn saturate(x: f64) -> f64 {
    if x.abs() <= MAX_VALUE {
        x
    } else {
        out_of_range(x)
    }
}

/// A signal's value as the program sees it: in range, NaN as 0.
#[inline(always)]
pub(super) fn sanitize(x: f64) -> f64 {
    // NaN fails the comparison too, and is handled off the fast path.
    if x.abs() <= MAX_VALUE {
        x
    } else {
        out_of_range(x)
    }
}

#[cold]
#[inline(never)]
fn out_of_range(x: f64) -> f64 {
    if x.is_nan() {
        0.0
    } else {
        MAX_VALUE.copysign(x)
    }
}

#[inline(always)]
fn truth(b: bool) -> f64 {
    if b {
        1.0
    } else {
        0.0
    }
}

impl BinOp {
    #[inline(always)]
    pub(super) fn apply(self, a: f64, b: f64) -> f64 {
        match self {
            BinOp::Add => saturate(a + b),
            BinOp::Sub => saturate(a - b),
            BinOp::Mul => saturate(a * b),
            BinOp::Div => {
                if b == 0.0 {
                    0.0
                } else {
                    saturate(a / b)
                }
            }
            BinOp::Min => a.min(b),
            BinOp::Max => a.max(b),
            BinOp::Lt => truth(a < b),
            BinOp::Le => truth(a <= b),
            BinOp::Gt => truth(a > b),
            BinOp::Ge => truth(a >= b),
            BinOp::Eq => truth(a == b),
            BinOp::Ne => truth(a != b),
            BinOp::And => truth(a != 0.0 && b != 0.0),
            BinOp::Or => truth(a != 0.0 || b != 0.0),
        }
    }

    pub(super) fn symbol(self) -> &'static str {
        match self {
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::Min => "min",
            BinOp::Max => "max",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
            BinOp::Eq => "==",
            BinOp::Ne => "!=",
            BinOp::And => "and",
            BinOp::Or => "or",
        }
    }
}

impl UnOp {
    #[inline(always)]
    pub(super) fn apply(self, a: f64) -> f64 {
        match self {
            UnOp::Neg => -a,
            UnOp::Not => truth(a == 0.0),
            UnOp::Abs => a.abs(),
        }
    }
}

/// Evaluates every subtree that reads no signal. Only a constant *prefix* of
/// a chain folds: `x + 1 + 2` is `(x + 1) + 2`, and reassociating it could
/// change where saturation happens.
pub(super) fn fold(node: Node) -> Node {
    match node {
        Node::Const(_) | Node::Signal(_) => node,
        Node::Unary(op, x) => match fold(*x) {
            Node::Const(a) => Node::Const(op.apply(a)),
            x => Node::Unary(op, Box::new(x)),
        },
        Node::Chain(first, rest) => {
            let mut first = fold(*first);
            let mut rest = rest.into_iter().map(|(op, n)| (op, fold(n))).peekable();
            while let Node::Const(a) = first {
                match rest.peek() {
                    Some(&(op, Node::Const(b))) => {
                        first = Node::Const(op.apply(a, b));
                        rest.next();
                    }
                    _ => break,
                }
            }
            let rest: Vec<_> = rest.collect();
            if rest.is_empty() {
                first
            } else {
                Node::Chain(Box::new(first), rest)
            }
        }
        Node::If(cond, then, els) => match fold(*cond) {
            Node::Const(c) => fold(if c != 0.0 { *then } else { *els }),
            cond => Node::If(Box::new(cond), Box::new(fold(*then)), Box::new(fold(*els))),
        },
    }
}

/// `constant + Σ coefficient·signal`, with terms sorted by signal and merged.
#[derive(Clone, Debug, PartialEq)]
struct Linear {
    constant: f64,
    terms: Vec<(usize, f64)>,
}

impl Linear {
    /// Applies `f` to the constant and every coefficient.
    fn map(mut self, f: impl Fn(f64) -> f64) -> Linear {
        self.constant = f(self.constant);
        for (_, c) in &mut self.terms {
            *c = f(*c);
        }
        self.normalize()
    }

    fn add(mut self, other: Linear, sign: f64) -> Linear {
        self.constant += sign * other.constant;
        self.terms
            .extend(other.terms.into_iter().map(|(i, c)| (i, sign * c)));
        self.normalize()
    }

    /// Sorts by signal, merges repeats and drops terms that cancelled, so that
    /// `(x - x) * y` is seen to be constant.
    fn normalize(mut self) -> Linear {
        self.terms.sort_by_key(|&(i, _)| i);
        let mut merged: Vec<(usize, f64)> = Vec::with_capacity(self.terms.len());
        for (i, c) in self.terms {
            match merged.last_mut() {
                Some((j, total)) if *j == i => *total += c,
                _ => merged.push((i, c)),
            }
        }
        merged.retain(|&(_, c)| c != 0.0);
        self.terms = merged;
        self
    }

    fn as_constant(&self) -> Option<f64> {
        self.terms.is_empty().then_some(self.constant)
    }
}

/// The program as `constant + Σ coefficient·signal`, if it is one, ignoring
/// saturation. Products need a constant factor and quotients a non-zero
/// constant divisor; anything with `if`, a comparison or a function is not linear.
pub(super) fn linear(node: &Node) -> Option<(f64, Vec<(usize, f64)>)> {
    let l = linear_of(node)?;
    let finite = l.constant.is_finite() && l.terms.iter().all(|(_, c)| c.is_finite());
    finite.then_some((l.constant, l.terms))
}

fn linear_of(node: &Node) -> Option<Linear> {
    match node {
        Node::Const(c) => Some(Linear {
            constant: *c,
            terms: Vec::new(),
        }),
        Node::Signal(i) => Some(Linear {
            constant: 0.0,
            terms: vec![(*i, 1.0)],
        }),
        Node::Unary(UnOp::Neg, x) => Some(linear_of(x)?.map(|c| -c)),
        Node::Unary(..) | Node::If(..) => None,
        Node::Chain(first, rest) => {
            let mut acc = linear_of(first)?;
            for (op, n) in rest {
                let rhs = linear_of(n)?;
                acc = match op {
                    BinOp::Add => acc.add(rhs, 1.0),
                    BinOp::Sub => acc.add(rhs, -1.0),
                    BinOp::Mul => match (acc.as_constant(), rhs.as_constant()) {
                        (Some(k), _) => rhs.map(|c| k * c),
                        (_, Some(k)) => acc.map(|c| c * k),
                        _ => return None,
                    },
                    BinOp::Div => match rhs.as_constant() {
                        Some(k) if k != 0.0 => acc.map(|c| c / k),
                        _ => return None,
                    },
                    _ => return None,
                };
            }
            Some(acc)
        }
    }
}
