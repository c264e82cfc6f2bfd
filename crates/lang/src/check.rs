//! Names and types: the syntax tree to the checked tree ([`Node`]).
//!
//! Errors come in source order: the tree is checked children first, left to
//! right, and the first mistake found is the one reported.

use super::diagnostic::{nearest, quote, Diagnostic, Span};
use super::ir::{BinOp, Node, UnOp};
use super::lexer::KEYWORDS;
use super::parser::{Expr, ExprKind};
use super::{Access, SignalDecl, Visibility};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Ty {
    Number,
    Boolean,
}

impl Ty {
    /// As what was expected.
    fn expected(self) -> &'static str {
        match self {
            Ty::Number => "a number",
            Ty::Boolean => "true or false",
        }
    }

    /// As what was found.
    fn found(self) -> &'static str {
        match self {
            Ty::Number => "a number",
            Ty::Boolean => "a boolean (true or false)",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Func {
    Min,
    Max,
    Abs,
    Clamp,
}

const FUNCTIONS: [(&str, Func); 4] = [
    ("min", Func::Min),
    ("max", Func::Max),
    ("abs", Func::Abs),
    ("clamp", Func::Clamp),
];

/// The most arguments `min` and `max` take.
const MAX_ARGS: usize = 16;

impl Func {
    fn lookup(name: &str) -> Option<Func> {
        FUNCTIONS.iter().find(|(n, _)| *n == name).map(|&(_, f)| f)
    }

    fn example(self) -> &'static str {
        match self {
            Func::Min => "min(a, b)",
            Func::Max => "max(0, x)",
            Func::Abs => "abs(x)",
            Func::Clamp => "clamp(x, 0, 1)",
        }
    }

    /// `None` if `n` arguments are fine, else what the function takes.
    fn arity_error(self, n: usize) -> Option<&'static str> {
        match self {
            Func::Min | Func::Max if (1..=MAX_ARGS).contains(&n) => None,
            Func::Min | Func::Max => Some("1 to 16 arguments"),
            Func::Abs if n == 1 => None,
            Func::Abs => Some("exactly 1 argument"),
            Func::Clamp if n == 3 => None,
            Func::Clamp => Some("exactly 3 arguments (x, lo, hi)"),
        }
    }
}

pub(super) fn check(
    src: &str,
    tree: &Expr,
    decls: &[SignalDecl],
    access: Access,
) -> Result<Node, Diagnostic> {
    let checker = Checker { src, decls, access };
    let (node, ty) = checker.check(tree)?;
    if ty != Ty::Number {
        let noun = access.noun();
        return Err(Diagnostic::new(
            format!("{noun} must be a number, found {}", ty.found()),
            tree.span,
        )
        .with_help("write `if … then 1 else 0` to turn a condition into a number"));
    }
    Ok(node)
}

struct Checker<'a> {
    src: &'a str,
    decls: &'a [SignalDecl],
    access: Access,
}

impl Checker<'_> {
    fn text(&self, span: Span) -> &str {
        &self.src[span.0..span.1]
    }

    fn check(&self, e: &Expr) -> Result<(Node, Ty), Diagnostic> {
        Ok(match &e.kind {
            ExprKind::Num(v) => (Node::Const(*v), Ty::Number),
            ExprKind::Bool(b) => (Node::Const(if *b { 1.0 } else { 0.0 }), Ty::Boolean),
            ExprKind::Name(name) => (Node::Signal(self.signal(*name)?), Ty::Number),
            ExprKind::Call { name, args } => (self.call(e.span, *name, args)?, Ty::Number),
            ExprKind::Neg(x) => {
                let x = self.want(x, Ty::Number, Place::Neg)?;
                (Node::Unary(UnOp::Neg, Box::new(x)), Ty::Number)
            }
            ExprKind::Not(x) => {
                let x = self.want(x, Ty::Boolean, Place::Not)?;
                (Node::Unary(UnOp::Not, Box::new(x)), Ty::Boolean)
            }
            ExprKind::Binary { first, rest } => self.binary(first, rest)?,
            ExprKind::If { cond, then, els } => {
                let (c, cond_ty) = self.check(cond)?;
                if cond_ty != Ty::Boolean {
                    return Err(Diagnostic::new(
                        format!(
                            "the condition of `if` must be true or false, found {}",
                            cond_ty.found()
                        ),
                        cond.span,
                    )
                    .with_help(self.compare_hint(cond)));
                }
                let (t, then_ty) = self.check(then)?;
                let (f, else_ty) = self.check(els)?;
                if then_ty != else_ty {
                    return Err(Diagnostic::new(
                        format!(
                            "the branches of `if` must have the same type: `then` gives {} but `else` gives {}",
                            then_ty.found(),
                            else_ty.found()
                        ),
                        els.span,
                    )
                    .with_help("give both branches numbers, or both true or false"));
                }
                (Node::If(Box::new(c), Box::new(t), Box::new(f)), then_ty)
            }
        })
    }

    fn binary(&self, first: &Expr, rest: &[(BinOp, Expr)]) -> Result<(Node, Ty), Diagnostic> {
        let Some(&(op0, _)) = rest.first() else {
            return self.check(first);
        };
        let (operand, result) = match op0 {
            BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div | BinOp::Min | BinOp::Max => {
                (Ty::Number, Ty::Number)
            }
            BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge | BinOp::Eq | BinOp::Ne => {
                (Ty::Number, Ty::Boolean)
            }
            BinOp::And | BinOp::Or => (Ty::Boolean, Ty::Boolean),
        };
        let head = self.want(first, operand, Place::Side(op0))?;
        let mut tail = Vec::with_capacity(rest.len());
        for (op, e) in rest {
            tail.push((*op, self.want(e, operand, Place::Side(*op))?));
        }
        Ok((Node::Chain(Box::new(head), tail), result))
    }

    /// Checks `e`, which stands at `place`, and insists on type `ty`.
    fn want(&self, e: &Expr, ty: Ty, place: Place) -> Result<Node, Diagnostic> {
        let (node, found) = self.check(e)?;
        if found == ty {
            return Ok(node);
        }
        let d = Diagnostic::new(
            format!(
                "expected {} {}, found {}",
                ty.expected(),
                place.describe(),
                found.found()
            ),
            e.span,
        );
        Err(match (ty, place) {
            (Ty::Boolean, _) => d.with_help(self.compare_hint(e)),
            (Ty::Number, Place::Neg) => d.with_help("to negate a condition, write `not`"),
            (Ty::Number, Place::Side(op)) if is_comparison(op) => {
                d.with_help("conditions are not compared: combine them with `and`, `or` and `not`")
            }
            (Ty::Number, _) => {
                d.with_help("write `if … then 1 else 0` to turn a condition into a number")
            }
        })
    }

    /// "compare it, e.g. `goal > 0`", quoting the number-valued expression itself when short.
    fn compare_hint(&self, e: &Expr) -> String {
        let text = self.text(e.span);
        let example = if text.len() > 32 || text.contains('\n') {
            "…".to_string()
        } else if matches!(e.kind, ExprKind::If { .. }) && !text.starts_with('(') {
            format!("({text})")
        } else {
            text.to_string()
        };
        format!("compare it, e.g. `{example} > 0`")
    }

    fn call(&self, span: Span, name: Span, args: &[Expr]) -> Result<Node, Diagnostic> {
        let text = self.text(name);
        let Some(func) = Func::lookup(text) else {
            if self.decls.iter().any(|d| d.name == text) {
                return Err(Diagnostic::new(format!("`{text}` is a signal, not a function"), name)
                    .with_help(format!("read a signal by its name alone, `{text}`; to multiply, write `{text}*(…)`")));
            }
            let d = Diagnostic::new(format!("unknown function {}", quote(text)), name);
            return Err(match nearest(text, FUNCTIONS.iter().map(|(n, _)| *n)) {
                Some(near) => d.with_help(format!("did you mean `{near}`?")),
                None => d.with_help("the functions are `min`, `max`, `abs` and `clamp`"),
            });
        };
        if let Some(takes) = func.arity_error(args.len()) {
            let found = match args.len() {
                0 => "none".to_string(),
                n => n.to_string(),
            };
            return Err(
                Diagnostic::new(format!("`{text}` takes {takes}, found {found}"), span)
                    .with_help(format!("for example `{}`", func.example())),
            );
        }
        let mut nodes = Vec::with_capacity(args.len());
        for a in args {
            nodes.push(self.want(a, Ty::Number, Place::Arg(text))?);
        }
        let mut nodes = nodes.into_iter();
        // Every function takes at least one argument, and the count was checked above.
        let first = Box::new(nodes.next().unwrap_or(Node::Const(0.0)));
        Ok(match func {
            Func::Abs => Node::Unary(UnOp::Abs, first),
            Func::Min | Func::Max => {
                let op = if func == Func::Min {
                    BinOp::Min
                } else {
                    BinOp::Max
                };
                let rest: Vec<_> = nodes.map(|n| (op, n)).collect();
                if rest.is_empty() {
                    *first
                } else {
                    Node::Chain(first, rest)
                }
            }
            // min(max(x, lo), hi) as one chain: a stack of two at most, like any binary operator.
            Func::Clamp => Node::Chain(
                first,
                [BinOp::Max, BinOp::Min].into_iter().zip(nodes).collect(),
            ),
        })
    }

    fn signal(&self, span: Span) -> Result<usize, Diagnostic> {
        let name = self.text(span);
        if let Some(i) = self.decls.iter().position(|d| d.name == name) {
            if !self.access.can_read(self.decls[i].visibility) {
                return Err(Diagnostic::new(format!("`{name}` is a hidden signal: a reward cannot read it"), span)
                    .with_help(format!(
                        "hidden signals record what really happened, which the reward's sensors cannot see; {}",
                        self.readable_list("a reward may read only observed signals")
                    )));
            }
            return Ok(i);
        }
        if let Some(func) = Func::lookup(name) {
            return Err(
                Diagnostic::new(format!("`{name}` is a function, not a signal"), span).with_help(
                    format!(
                        "call it with its arguments in parentheses, e.g. `{}`",
                        func.example()
                    ),
                ),
            );
        }
        let d = Diagnostic::new(format!("unknown signal {}", quote(name)), span);
        let lower = name.to_ascii_lowercase();
        if lower != name && KEYWORDS.contains(&lower.as_str()) {
            return Err(d.with_help(format!("keywords are written in lowercase: `{lower}`")));
        }
        let readable = self.readable().map(|d| d.name.as_str());
        Err(match nearest(name, readable) {
            Some(near) => d.with_help(format!("did you mean `{near}`?")),
            None => d.with_help(self.readable_list(match self.access {
                Access::Reward => "a reward may read these signals",
                Access::Intent => "the signals are",
            })),
        })
    }

    fn readable(&self) -> impl Iterator<Item = &SignalDecl> {
        self.decls
            .iter()
            .filter(|d| self.access.can_read(d.visibility))
    }

    /// "`lead`: a, b, c", or a sentence saying there are none.
    fn readable_list(&self, lead: &str) -> String {
        let names: Vec<&str> = self.readable().map(|d| d.name.as_str()).collect();
        if names.is_empty() {
            return match self.access {
                Access::Reward
                    if self
                        .decls
                        .iter()
                        .any(|d| d.visibility == Visibility::Hidden) =>
                {
                    "this level has no observed signals".to_string()
                }
                _ => "this level declares no signals".to_string(),
            };
        }
        format!("{lead}: {}", names.join(", "))
    }
}

/// Where an operand stands, for messages.
#[derive(Clone, Copy)]
enum Place<'a> {
    Side(BinOp),
    Neg,
    Not,
    Arg(&'a str),
}

impl Place<'_> {
    fn describe(self) -> String {
        match self {
            Place::Side(op) => format!("on each side of `{}`", op.symbol()),
            Place::Neg => "after `-`".to_string(),
            Place::Not => "after `not`".to_string(),
            Place::Arg(function) => format!("as an argument of `{function}`"),
        }
    }
}

fn is_comparison(op: BinOp) -> bool {
    matches!(
        op,
        BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge | BinOp::Eq | BinOp::Ne
    )
}
