//! Source text to tokens.

use super::diagnostic::{quote, Diagnostic, Span};
use super::MAX_LITERAL;

#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum Tok {
    Num(f64),
    Ident,
    If,
    Then,
    Else,
    And,
    Or,
    Not,
    True,
    False,
    Plus,
    Minus,
    Star,
    Slash,
    Lt,
    Le,
    Gt,
    Ge,
    EqEq,
    Ne,
    LParen,
    RParen,
    Comma,
    Eof,
}

#[derive(Clone, Copy, Debug)]
pub(super) struct Token {
    pub tok: Tok,
    pub span: Span,
}

/// Splits `src` into tokens, ending with `Eof`.
///
/// Whitespace is anything Unicode calls whitespace, so that a non-breaking
/// space pasted from a document is not an error.
pub(super) fn lex(src: &str) -> Result<Vec<Token>, Diagnostic> {
    let bytes = src.as_bytes();
    let mut tokens = Vec::new();
    let mut i = 0;
    while let Some(c) = src[i..].chars().next() {
        let start = i;
        if c.is_whitespace() {
            i += c.len_utf8();
            continue;
        }
        let next = bytes.get(i + 1).copied();
        let (tok, len) = match c {
            '0'..='9' => lex_number(src, start)?,
            '.' if next.is_some_and(|b| b.is_ascii_digit()) => lex_number(src, start)?,
            'a'..='z' | 'A'..='Z' | '_' => {
                let len = bytes[start..]
                    .iter()
                    .take_while(|b| b.is_ascii_alphanumeric() || **b == b'_')
                    .count();
                (keyword(&src[start..start + len]).unwrap_or(Tok::Ident), len)
            }
            '+' => (Tok::Plus, 1),
            '-' => (Tok::Minus, 1),
            '*' => (Tok::Star, 1),
            '/' => (Tok::Slash, 1),
            '(' => (Tok::LParen, 1),
            ')' => (Tok::RParen, 1),
            ',' => (Tok::Comma, 1),
            '<' if next == Some(b'=') => (Tok::Le, 2),
            '<' => (Tok::Lt, 1),
            '>' if next == Some(b'=') => (Tok::Ge, 2),
            '>' => (Tok::Gt, 1),
            '=' if next == Some(b'=') => (Tok::EqEq, 2),
            '!' if next == Some(b'=') => (Tok::Ne, 2),
            _ => return Err(unexpected_char(c, start, next)),
        };
        tokens.push(Token {
            tok,
            span: (start, start + len),
        });
        i = start + len;
    }
    tokens.push(Token {
        tok: Tok::Eof,
        span: eof_span(src),
    });
    Ok(tokens)
}

fn keyword(word: &str) -> Option<Tok> {
    Some(match word {
        "if" => Tok::If,
        "then" => Tok::Then,
        "else" => Tok::Else,
        "and" => Tok::And,
        "or" => Tok::Or,
        "not" => Tok::Not,
        "true" => Tok::True,
        "false" => Tok::False,
        _ => return None,
    })
}

pub(super) const KEYWORDS: [&str; 8] = ["if", "then", "else", "and", "or", "not", "true", "false"];

/// Reads `digits [. digits] [e [+-] digits]` (or `. digits …`) at `start`.
fn lex_number(src: &str, start: usize) -> Result<(Tok, usize), Diagnostic> {
    let b = src.as_bytes();
    let digits_from = |mut i: usize| {
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        i
    };
    let mut end = digits_from(start);
    if b.get(end) == Some(&b'.') {
        end = digits_from(end + 1);
    }
    if matches!(b.get(end), Some(b'e' | b'E')) {
        let mut j = end + 1;
        if matches!(b.get(j), Some(b'+' | b'-')) {
            j += 1;
        }
        if b.get(j).is_some_and(u8::is_ascii_digit) {
            end = digits_from(j);
        }
    }
    let number = &src[start..end];

    // `3arrow`, `1.2.3` and `1e` are one mistake each, not a number and then something else.
    let junk = b[end..]
        .iter()
        .take_while(|c| c.is_ascii_alphanumeric() || **c == b'_' || **c == b'.')
        .count();
    if junk > 0 {
        let rest = &src[end..end + junk];
        let whole = &src[start..end + junk];
        let diagnostic = Diagnostic::new(
            format!("malformed number {}", quote(whole)),
            (start, end + junk),
        );
        return Err(
            if rest.starts_with(['e', 'E']) && rest[1..].bytes().all(|c| c.is_ascii_digit()) {
                diagnostic.with_help("an exponent needs digits, e.g. `1.5e3`")
            } else if rest.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
                && !rest.contains('.')
            {
                diagnostic.with_help(format!("to multiply, write `{number}*{rest}`"))
            } else {
                diagnostic
            },
        );
    }

    let value: f64 = number.parse().map_err(|_| {
        Diagnostic::new(format!("malformed number {}", quote(number)), (start, end))
    })?;
    if !value.is_finite() || value.abs() > MAX_LITERAL {
        return Err(Diagnostic::new(
            format!(
                "the number {} is too large: numbers in an expression are at most 1e12 in size",
                quote(number)
            ),
            (start, end),
        ));
    }
    Ok((Tok::Num(value), end - start))
}

fn unexpected_char(c: char, start: usize, next: Option<u8>) -> Diagnostic {
    let shown: String = c.escape_debug().collect();
    let help = match c {
        '=' => Some("to compare, write `==`"),
        '!' => Some("to negate a condition, write `not`"),
        '&' => Some("to require both conditions, write `and`"),
        '|' => Some("to accept either condition, write `or`"),
        '^' => Some("there is no power operator: multiply, e.g. `x*x`"),
        '%' => Some("there is no remainder operator"),
        '[' | ']' | '{' | '}' => Some("group with `(` and `)`"),
        ';' => Some("an expression is one formula: there are no statements"),
        '"' | '\'' => Some("there are no strings: write a number or a signal name"),
        '.' => Some("a number after `.` needs a digit, e.g. `.5`; names cannot contain `.`"),
        '−' | '–' | '—' => Some("write minus as `-`"),
        '×' | '·' => Some("write multiplication as `*`"),
        '÷' => Some("write division as `/`"),
        '≤' => Some("write `<=`"),
        '≥' => Some("write `>=`"),
        '≠' => Some("write `!=`"),
        _ if c.is_alphabetic() => {
            Some("names use only the letters A to Z and a to z, digits and `_`")
        }
        _ => None,
    };
    // `=>` is a likely slip for `>=`, and `=<` for `<=`.
    let help = match (c, next) {
        ('=', Some(b'>')) => Some("to compare, write `>=`"),
        ('=', Some(b'<')) => Some("to compare, write `<=`"),
        _ => help,
    };
    let diagnostic = Diagnostic::new(
        format!("unexpected character `{shown}`"),
        (start, start + c.len_utf8()),
    );
    match help {
        Some(help) => diagnostic.with_help(help),
        None => diagnostic,
    }
}

/// Where "found the end of the expression" points: the last visible
/// character, so that the caret lands on something the reader can see.
fn eof_span(src: &str) -> Span {
    src.char_indices()
        .rev()
        .find(|(_, c)| !c.is_whitespace())
        .or_else(|| src.char_indices().next_back())
        .map_or((0, 0), |(i, c)| (i, i + c.len_utf8()))
}
