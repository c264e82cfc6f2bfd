//! Errors, their rendering, and "did you mean" suggestions.

use std::fmt;

/// A byte range `[start, end)` into the source.
pub(super) type Span = (usize, usize);

/// Why a source does not compile, and where.
#[derive(Clone, Debug, PartialEq)]
pub struct Diagnostic {
    /// One line: what is wrong and what was expected.
    pub message: String,
    /// Byte offsets `[start, end)` into the source, on char boundaries;
    /// `end > start` whenever the source is non-empty.
    pub span: (usize, usize),
    /// A suggestion, e.g. "did you mean `watered_seen`?".
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn new(message: impl Into<String>, span: (usize, usize)) -> Self {
        Diagnostic {
            message: message.into(),
            span,
            help: None,
        }
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Multi-line human rendering: `error: MESSAGE`, the source line, a caret
    /// line under the span, then `help: …` if any.
    ///
    /// A source of several lines gets line numbers. Carets go under
    /// characters, not bytes, and a span that runs past its line is cut at the
    /// line's end. Never panics, even for a span that does not fit `src`.
    pub fn render(&self, src: &str) -> String {
        let start = super::floor_char_boundary(src, self.span.0);
        let end = super::floor_char_boundary(src, self.span.1).max(start);
        let line_start = src[..start].rfind('\n').map_or(0, |i| i + 1);
        let line_end = src[start..].find('\n').map_or(src.len(), |i| start + i);
        let line = src[line_start..line_end].trim_end_matches('\r');
        let before = src[line_start..start].chars().count();
        let marked = src[start..end.min(line_start + line.len()).max(start)]
            .chars()
            .count();
        let Excerpt {
            text: line,
            pad,
            carets,
        } = excerpt(line, before, marked);

        let mut out = format!("error: {}\n", self.message);
        if src.contains('\n') {
            let number = src[..line_start].matches('\n').count() + 1;
            let gutter = " ".repeat(number.to_string().len());
            out.push_str(&format!("{number} | {line}\n{gutter} | {pad}{carets}"));
        } else {
            out.push_str(&format!("  {line}\n  {pad}{carets}"));
        }
        if let Some(help) = &self.help {
            out.push_str(&format!("\nhelp: {help}"));
        }
        out
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        if let Some(help) = &self.help {
            write!(f, " (help: {help})")?;
        }
        Ok(())
    }
}

impl std::error::Error for Diagnostic {}

/// A window of a source line for a caret diagram, at most
/// [`Excerpt::WIDTH`] characters around the marked ones, `…` where it is
/// cut, so that a ten-megabyte line is quoted as a readable one.
#[derive(Clone, Debug, PartialEq)]
pub struct Excerpt {
    /// The quoted part of the line.
    pub text: String,
    /// What goes before the carets: a space per character (a tab per tab,
    /// so they line up however wide a terminal draws tabs).
    pub pad: String,
    /// At least one `^`, under the marked characters.
    pub carets: String,
}

impl Excerpt {
    /// The most characters of the line quoted.
    pub const WIDTH: usize = 100;
    /// Characters kept before the mark when the line is cut.
    const CONTEXT: usize = 40;
}

/// The excerpt of `line` that shows its characters `start..start + len`
/// (counted in characters; either may run past the line's end).
pub fn excerpt(line: &str, start: usize, len: usize) -> Excerpt {
    let chars: Vec<char> = line.chars().collect();
    let start = start.min(chars.len());
    let (from, len) = if chars.len() <= Excerpt::WIDTH {
        (0, len.max(1))
    } else {
        (
            start.saturating_sub(Excerpt::CONTEXT),
            len.clamp(1, Excerpt::WIDTH - Excerpt::CONTEXT),
        )
    };
    let to = chars.len().min(from + Excerpt::WIDTH);
    let mut text = String::new();
    let mut pad = String::new();
    if from > 0 {
        text.push('…');
        pad.push(' ');
    }
    text.extend(&chars[from..to]);
    if to < chars.len() {
        text.push('…');
    }
    pad.extend(
        chars[from..start]
            .iter()
            .map(|&c| if c == '\t' { '\t' } else { ' ' }),
    );
    Excerpt {
        text,
        pad,
        carets: "^".repeat(len),
    }
}

/// Source text quoted in a message: kept short so that a message stays one readable line.
pub(super) fn quote(text: &str) -> String {
    const MAX_CHARS: usize = 32;
    if text.chars().count() <= MAX_CHARS {
        format!("`{text}`")
    } else {
        let head: String = text.chars().take(MAX_CHARS).collect();
        format!("`{head}…`")
    }
}

#[cfg(test)]
pub(super) use crate::suggest::distance;
pub(super) use crate::suggest::nearest;
