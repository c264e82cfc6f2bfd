//! Tokens to a syntax tree, by recursive descent.
//!
//! Recursion happens only where the text opens a new level (`(`, `-`, `not`,
//! `if`, a call), and each such level is counted before descending, so no
//! input can exhaust the stack: the parser gives up at [`MAX_DEPTH`] open
//! levels. Chains of one operator (`a + b - c`, `p and q and r`) are flat
//! nodes, not left-leaning towers, so a long sum is shallow.

use super::diagnostic::{quote, Diagnostic, Span};
use super::ir::BinOp;
use super::lexer::{Tok, Token};
use super::{MAX_DEPTH, MAX_NODES};

#[derive(Debug)]
pub(super) struct Expr {
    pub kind: ExprKind,
    /// Includes any parentheses around the expression.
    pub span: Span,
    /// Levels of the tree from here down, counting parentheses.
    pub height: usize,
}

#[derive(Debug)]
pub(super) enum ExprKind {
    Num(f64),
    Bool(bool),
    /// A signal, named by the source text at this span (the node's own span
    /// may be wider, with parentheses).
    Name(Span),
    Call {
        name: Span,
        args: Vec<Expr>,
    },
    Neg(Box<Expr>),
    Not(Box<Expr>),
    /// `first op₁ e₁ op₂ e₂ …`, evaluated left to right; all the operators
    /// are of one precedence level (a comparison has exactly one).
    Binary {
        first: Box<Expr>,
        rest: Vec<(BinOp, Expr)>,
    },
    If {
        cond: Box<Expr>,
        then: Box<Expr>,
        els: Box<Expr>,
    },
}

type PResult<T> = Result<T, Diagnostic>;

pub(super) fn parse(src: &str, tokens: &[Token]) -> PResult<Expr> {
    let mut p = Parser {
        src,
        tokens,
        pos: 0,
        open: 0,
        nodes: 0,
    };
    let expr = p.expr()?;
    let t = p.peek();
    match t.tok {
        Tok::Eof => Ok(expr),
        Tok::RParen => Err(Diagnostic::new(
            "unmatched `)`: no `(` is open here",
            t.span,
        )),
        _ => {
            let d = Diagnostic::new(
                format!(
                    "unexpected {} after a complete expression: is an operator missing?",
                    p.describe(t)
                ),
                t.span,
            );
            Err(match t.tok {
                Tok::Then | Tok::Else => d.with_help("a condition reads `if … then … else …`"),
                Tok::Comma => {
                    d.with_help("commas separate the arguments of a function, e.g. `max(a, b)`")
                }
                _ => d,
            })
        }
    }
}

struct Parser<'a> {
    src: &'a str,
    tokens: &'a [Token],
    pos: usize,
    /// Levels opened and not yet closed: bounds the recursion.
    open: usize,
    /// Numbers, names and operations seen so far.
    nodes: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Token {
        // The last token is always Eof, and `bump` never moves past it.
        self.tokens[self.pos.min(self.tokens.len() - 1)]
    }

    fn bump(&mut self) -> Token {
        let t = self.peek();
        if t.tok != Tok::Eof {
            self.pos += 1;
        }
        t
    }

    fn describe(&self, t: Token) -> String {
        match t.tok {
            Tok::Eof => "the end of the expression".to_string(),
            _ => quote(&self.src[t.span.0..t.span.1]),
        }
    }

    /// Counts one number, name or operation.
    fn count(&mut self, span: Span) -> PResult<()> {
        self.nodes += 1;
        if self.nodes > MAX_NODES {
            return Err(Diagnostic::new(
                format!("the expression is too large: the limit is {MAX_NODES} numbers, names and operations"),
                span,
            )
            .with_help("simplify it"));
        }
        Ok(())
    }

    /// Opens a level before descending into it. A level holds at least one
    /// more below it, so `MAX_DEPTH - 1` open levels are the most a tree
    /// within the limit can have.
    fn enter(&mut self, span: Span) -> PResult<()> {
        if self.open + 2 > MAX_DEPTH {
            return Err(too_deep(span));
        }
        self.open += 1;
        Ok(())
    }

    fn leave(&mut self) {
        self.open -= 1;
    }

    /// A node one level above its tallest child.
    fn node(&self, kind: ExprKind, span: Span, child_height: usize) -> PResult<Expr> {
        let height = child_height + 1;
        if height > MAX_DEPTH {
            return Err(too_deep(span));
        }
        Ok(Expr { kind, span, height })
    }

    fn expect(&mut self, tok: Tok, what: &str) -> PResult<Token> {
        let t = self.peek();
        if t.tok == tok {
            return Ok(self.bump());
        }
        Err(Diagnostic::new(
            format!("{what}, found {}", self.describe(t)),
            t.span,
        ))
    }

    fn expr(&mut self) -> PResult<Expr> {
        let t = self.peek();
        if t.tok != Tok::If {
            return self.or();
        }
        self.bump();
        self.count(t.span)?;
        self.enter(t.span)?;
        let cond = self.expr()?;
        self.expect(Tok::Then, "expected `then` after the condition of `if`")?;
        let then = self.expr()?;
        self.expect(Tok::Else, "expected `else` after the `then` branch of `if`")?;
        let els = self.expr()?;
        self.leave();
        let height = cond.height.max(then.height).max(els.height);
        let span = (t.span.0, els.span.1);
        self.node(
            ExprKind::If {
                cond: Box::new(cond),
                then: Box::new(then),
                els: Box::new(els),
            },
            span,
            height,
        )
    }

    /// `operand (op operand)*` for the operators that `op_of` recognizes.
    fn chain(
        &mut self,
        operand: fn(&mut Self) -> PResult<Expr>,
        op_of: fn(Tok) -> Option<BinOp>,
    ) -> PResult<Expr> {
        let first = operand(self)?;
        let mut rest = Vec::new();
        while let Some(op) = op_of(self.peek().tok) {
            let t = self.bump();
            self.count(t.span)?;
            rest.push((op, operand(self)?));
        }
        let Some((_, last)) = rest.last() else {
            return Ok(first);
        };
        let span = (first.span.0, last.span.1);
        let height = rest
            .iter()
            .map(|(_, e)| e.height)
            .fold(first.height, usize::max);
        self.node(
            ExprKind::Binary {
                first: Box::new(first),
                rest,
            },
            span,
            height,
        )
    }

    fn or(&mut self) -> PResult<Expr> {
        self.chain(Self::and, |t| (t == Tok::Or).then_some(BinOp::Or))
    }

    fn and(&mut self) -> PResult<Expr> {
        self.chain(Self::not, |t| (t == Tok::And).then_some(BinOp::And))
    }

    fn not(&mut self) -> PResult<Expr> {
        let t = self.peek();
        if t.tok != Tok::Not {
            return self.cmp();
        }
        self.bump();
        self.count(t.span)?;
        self.enter(t.span)?;
        let inner = self.not()?;
        self.leave();
        let (span, height) = ((t.span.0, inner.span.1), inner.height);
        self.node(ExprKind::Not(Box::new(inner)), span, height)
    }

    fn cmp(&mut self) -> PResult<Expr> {
        let lhs = self.add()?;
        let Some(op) = cmp_op(self.peek().tok) else {
            return Ok(lhs);
        };
        let t = self.bump();
        self.count(t.span)?;
        let rhs = self.add()?;
        let again = self.peek();
        if cmp_op(again.tok).is_some() {
            return Err(Diagnostic::new(
                format!(
                    "comparisons cannot be chained: {} cannot follow {}",
                    self.describe(again),
                    quote(op.symbol())
                ),
                again.span,
            )
            .with_help("compare two values at a time and join the comparisons with `and`, e.g. `a < b and b < c`"));
        }
        let span = (lhs.span.0, rhs.span.1);
        let height = lhs.height.max(rhs.height);
        self.node(
            ExprKind::Binary {
                first: Box::new(lhs),
                rest: vec![(op, rhs)],
            },
            span,
            height,
        )
    }

    fn add(&mut self) -> PResult<Expr> {
        self.chain(Self::mul, |t| match t {
            Tok::Plus => Some(BinOp::Add),
            Tok::Minus => Some(BinOp::Sub),
            _ => None,
        })
    }

    fn mul(&mut self) -> PResult<Expr> {
        self.chain(Self::unary, |t| match t {
            Tok::Star => Some(BinOp::Mul),
            Tok::Slash => Some(BinOp::Div),
            _ => None,
        })
    }

    fn unary(&mut self) -> PResult<Expr> {
        let t = self.peek();
        if t.tok != Tok::Minus {
            return self.primary();
        }
        self.bump();
        self.count(t.span)?;
        self.enter(t.span)?;
        let inner = self.unary()?;
        self.leave();
        let (span, height) = ((t.span.0, inner.span.1), inner.height);
        self.node(ExprKind::Neg(Box::new(inner)), span, height)
    }

    fn primary(&mut self) -> PResult<Expr> {
        let t = self.peek();
        let leaf = |kind| Expr {
            kind,
            span: t.span,
            height: 1,
        };
        match t.tok {
            Tok::Num(v) => {
                self.bump();
                self.count(t.span)?;
                Ok(leaf(ExprKind::Num(v)))
            }
            Tok::True | Tok::False => {
                self.bump();
                self.count(t.span)?;
                Ok(leaf(ExprKind::Bool(t.tok == Tok::True)))
            }
            Tok::Ident => {
                self.bump();
                self.count(t.span)?;
                if self.peek().tok == Tok::LParen {
                    self.call(t)
                } else {
                    Ok(leaf(ExprKind::Name(t.span)))
                }
            }
            Tok::LParen => {
                self.bump();
                self.enter(t.span)?;
                let mut inner = self.expr()?;
                let close = self.peek();
                if close.tok == Tok::Eof {
                    return Err(unclosed(t, "`(`"));
                }
                if close.tok != Tok::RParen {
                    let message =
                        format!("expected `)` to close `(`, found {}", self.describe(close));
                    return Err(maybe_missing_operator(
                        Diagnostic::new(message, close.span),
                        close,
                    ));
                }
                self.bump();
                self.leave();
                // The parentheses are part of what the reader sees as this
                // expression, and a level of nesting like any other.
                inner.span = (t.span.0, close.span.1);
                inner.height += 1;
                if inner.height > MAX_DEPTH {
                    return Err(too_deep(inner.span));
                }
                Ok(inner)
            }
            _ => {
                let d = Diagnostic::new(
                    format!(
                        "expected a number, a signal name or `(`, found {}",
                        self.describe(t)
                    ),
                    t.span,
                );
                Err(match t.tok {
                    Tok::If => d.with_help("an `if` inside a larger expression needs parentheses: `(if … then … else …)`"),
                    Tok::Not => d.with_help("a `not` after an operator needs parentheses: `(not …)`"),
                    _ => d,
                })
            }
        }
    }

    /// `name(arg, …)`, with `name` consumed and `(` next.
    fn call(&mut self, name: Token) -> PResult<Expr> {
        let open = self.bump();
        self.enter(open.span)?;
        let function = &self.src[name.span.0..name.span.1];
        let mut args = Vec::new();
        let close = if self.peek().tok == Tok::RParen {
            self.bump()
        } else {
            loop {
                args.push(self.expr()?);
                let t = self.bump();
                match t.tok {
                    Tok::Comma => {}
                    Tok::RParen => break t,
                    Tok::Eof => return Err(unclosed(open, &format!("`{function}(`"))),
                    _ => {
                        let message = format!(
                            "expected `,` or `)` after an argument of `{function}`, found {}",
                            self.describe(t)
                        );
                        return Err(maybe_missing_operator(Diagnostic::new(message, t.span), t));
                    }
                }
            }
        };
        self.leave();
        let height = args.iter().map(|a| a.height).max().unwrap_or(0);
        self.node(
            ExprKind::Call {
                name: name.span,
                args,
            },
            (name.span.0, close.span.1),
            height,
        )
    }
}

fn unclosed(open: Token, what: &str) -> Diagnostic {
    Diagnostic::new(
        format!("unclosed {what}: expected `)` before the end of the expression"),
        open.span,
    )
    .with_help("add the missing `)`")
}

/// Adds a hint when `found` could begin an operand, as in `(a b)`.
fn maybe_missing_operator(d: Diagnostic, found: Token) -> Diagnostic {
    let starts_operand = matches!(
        found.tok,
        Tok::Num(_) | Tok::Ident | Tok::LParen | Tok::True | Tok::False | Tok::Not | Tok::If
    );
    if starts_operand {
        d.with_help("is an operator missing?")
    } else {
        d
    }
}

fn cmp_op(t: Tok) -> Option<BinOp> {
    Some(match t {
        Tok::Lt => BinOp::Lt,
        Tok::Le => BinOp::Le,
        Tok::Gt => BinOp::Gt,
        Tok::Ge => BinOp::Ge,
        Tok::EqEq => BinOp::Eq,
        Tok::Ne => BinOp::Ne,
        _ => return None,
    })
}

fn too_deep(span: Span) -> Diagnostic {
    Diagnostic::new(
        format!("the expression is nested too deeply: the limit is {MAX_DEPTH} levels"),
        span,
    )
    .with_help("each pair of parentheses, operator, function call and `if` adds a level")
}
