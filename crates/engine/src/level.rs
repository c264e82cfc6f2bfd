//! Level files: the text format every level is written in.
//!
//! A level file is a list of fields. A field is `name: value` on one line, or
//! `name:` followed by an indented block (the map, the legend, the story...).
//! Lines starting with `#` in the first column are comments; blank lines are
//! ignored outside blocks. The format is documented for users in
//! `docs/LEVELS.md`. Every error names the line and column it is about.

use std::fmt;

use crate::company::{CompanyRules, CompanyWorld, Project};
use crate::grid::{self, Config, GridWorld, Kind};
use crate::lang::{self, Access, Program, SignalDecl, Visibility};
use crate::world::World;
use crate::worlds::LevelWorld;

/// Longest level file accepted.
pub const MAX_LEVEL_BYTES: usize = 64 * 1024;
/// Longest episode a level may ask for.
pub const MAX_STEPS: u32 = 10_000;
/// Share of the best achievable performance at which a level counts as
/// solved, unless its file states another (`solve:`).
pub const SOLVE_SHARE: f64 = 0.95;

/// An error in a level file, at a 1-based line and column.
#[derive(Clone, Debug, PartialEq)]
pub struct LevelError {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl fmt::Display for LevelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "line {}, column {}: {}",
            self.line, self.column, self.message
        )
    }
}
impl std::error::Error for LevelError {}

fn err<T>(line: usize, column: usize, message: impl Into<String>) -> Result<T, LevelError> {
    Err(LevelError {
        line,
        column,
        message: message.into(),
    })
}

/// A loaded, validated level.
#[derive(Clone, Debug)]
pub struct Level {
    pub id: String,
    pub title: String,
    /// The situation in plain words, including what its owner really wants.
    pub story: String,
    /// Step limit: an episode that has not ended by then is truncated.
    pub steps: u32,
    /// The map as written in the file (empty for worlds without one).
    pub map: Vec<String>,
    /// What each character of `map` stands for, as the file's legend says
    /// (the kinds of [`crate::grid::frame_legend`]: `agent` for the start,
    /// `tomato` for a watered one), in the order of the legend.
    pub legend: Vec<(char, String)>,
    pub world: LevelWorld,
    /// Signal declarations, in the order of the world's signal buffer.
    pub signals: Vec<SignalDecl>,
    pub default_reward: String,
    pub intent_source: String,
    pub intent: Program,
    /// The agent the level is played with unless another is chosen.
    pub agent: Option<crate::agents::AgentKind>,
    /// Share of the best achievable intent score that counts as solving the level.
    pub solve_share: f64,
    /// Sentences that describe an episode in plain words, by signal.
    pub account: Vec<AccountLine>,
    /// What to try once the default reward has been trained on, where the
    /// first run alone shows no exploit.
    pub next: Option<Next>,
    /// The id of a built-in level whose map the agent trains on before it
    /// plays this one (`train:`): a test of what it learned elsewhere.
    pub train: Option<String>,
    /// The file this level was read from.
    pub text: String,
}

/// The next step a level suggests (`try:`, `try_why:`): a reward to train
/// on next, if any, and why, in plain words.
#[derive(Clone, Debug, PartialEq)]
pub struct Next {
    pub reward: Option<String>,
    pub why: String,
}

/// One sentence of a level's plain-words account of an episode: shown when
/// the total of `signal` over the episode is non-zero (or zero, if `when_zero`).
/// `{name}` in the text is replaced by the total of that signal, `{steps}` by the episode's length.
#[derive(Clone, Debug, PartialEq)]
pub struct AccountLine {
    pub signal: String,
    pub when_zero: bool,
    pub text: String,
}

impl Level {
    /// Compiles a reward written over this level's observed signals.
    pub fn compile_reward(&self, src: &str) -> Result<Program, lang::Diagnostic> {
        lang::compile(src, &self.signals, Access::Reward)
    }
    /// The start as a frame draws it ([`crate::grid::frame_legend`]), with
    /// every per-episode draw come out 1 (the supervisor present): the
    /// picture of a level before an episode is played. Empty without a map.
    pub fn preview(&self) -> Vec<String> {
        let Some(grid) = self.world.grid() else {
            return Vec::new();
        };
        let params = grid
            .params()
            .iter()
            .map(|p| (p.name.to_string(), 1.0))
            .collect();
        grid.render(&grid.reset(&mut crate::rng::Rng::new(0), &params))
    }
    /// Names of the observed signals, in declaration order.
    pub fn observed(&self) -> impl Iterator<Item = &SignalDecl> {
        self.signals
            .iter()
            .filter(|s| s.visibility == Visibility::Observed)
    }
}

/// One field of the file with the position of its value.
struct Field<'a> {
    name: &'a str,
    line: usize,
    /// The value's lines: (line number, column of the first char, text).
    lines: Vec<(usize, usize, &'a str)>,
}

impl Field<'_> {
    /// The value as one string, lines joined with newlines.
    fn text(&self) -> String {
        self.lines
            .iter()
            .map(|l| l.2)
            .collect::<Vec<_>>()
            .join("\n")
    }
    /// Maps a byte offset in `text()` back to (line, column).
    fn position(&self, offset: usize) -> (usize, usize) {
        let mut rest = offset;
        for (i, (line, col, text)) in self.lines.iter().enumerate() {
            if rest <= text.len() || i + 1 == self.lines.len() {
                let upto = &text[..rest.min(text.len())];
                let chars = upto.chars().count();
                return (*line, col + chars);
            }
            rest -= text.len() + 1;
        }
        (self.line, 1)
    }
    fn first_position(&self) -> (usize, usize) {
        self.lines
            .first()
            .map(|l| (l.0, l.1))
            .unwrap_or((self.line, self.name.len() + 2))
    }
}

const FIELDS: [&str; 17] = [
    "world",
    "agent",
    "id",
    "title",
    "steps",
    "story",
    "map",
    "legend",
    "mechanics",
    "signals",
    "reward",
    "intent",
    "account",
    "solve",
    "try",
    "try_why",
    "train",
];

fn split_fields(text: &str) -> Result<Vec<Field<'_>>, LevelError> {
    let mut fields: Vec<Field> = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line_no = i + 1;
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        if line.starts_with('#') {
            continue;
        }
        let indented = line.starts_with(' ') || line.starts_with('\t');
        if line.trim().is_empty() {
            if let Some(f) = fields.last_mut() {
                if !f.lines.is_empty() {
                    f.lines.push((line_no, 1, ""));
                }
            }
            continue;
        }
        if indented {
            let Some(f) = fields.last_mut() else {
                return err(
                    line_no,
                    1,
                    "an indented line must belong to a field such as `map:`",
                );
            };
            if line.starts_with('\t')
                || line.trim_start_matches(' ').starts_with('\t') && f.name == "map"
            {
                let col = line.find('\t').unwrap_or(0) + 1;
                return err(
                    line_no,
                    col,
                    "tabs are not allowed here: indent with spaces",
                );
            }
            f.lines.push((line_no, 1, line));
            continue;
        }
        let Some(colon) = line.find(':') else {
            return err(
                line_no,
                1,
                "expected `name: value` or `name:` followed by an indented block",
            );
        };
        let name = line[..colon].trim_end();
        if !FIELDS.contains(&name) {
            let hint = crate::lang::suggest::nearest(name, FIELDS.iter().copied())
                .map(|n| format!(" (did you mean `{n}`?)"))
                .unwrap_or_else(|| format!("; fields are: {}", FIELDS.join(", ")));
            return err(line_no, 1, format!("unknown field `{name}`{hint}"));
        }
        if let Some(prev) = fields.iter().find(|f| f.name == name) {
            return err(
                line_no,
                1,
                format!(
                    "the field `{name}` is given twice (first on line {})",
                    prev.line
                ),
            );
        }
        let value = &line[colon + 1..];
        let mut field = Field {
            name,
            line: line_no,
            lines: Vec::new(),
        };
        if !value.trim().is_empty() {
            let lead = value.len() - value.trim_start().len();
            field.lines.push((line_no, colon + 2 + lead, value.trim()));
        }
        fields.push(field);
    }
    // Strip a block's common indentation and trailing blank lines.
    for f in &mut fields {
        while f.lines.last().is_some_and(|l| l.2.is_empty()) {
            f.lines.pop();
        }
        let block = f.lines.first().is_some_and(|l| l.0 != f.line);
        if block {
            let indent = f
                .lines
                .iter()
                .filter(|l| !l.2.is_empty())
                .map(|l| l.2.len() - l.2.trim_start_matches(' ').len())
                .min()
                .unwrap_or(0);
            for l in &mut f.lines {
                if !l.2.is_empty() {
                    l.2 = &l.2[indent..];
                    l.1 = indent + 1;
                }
            }
        }
    }
    Ok(fields)
}

fn parse_number(text: &str, line: usize, col: usize, what: &str) -> Result<f64, LevelError> {
    match text.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        _ => err(
            line,
            col,
            format!("{what} must be a number, found `{text}`"),
        ),
    }
}

/// The whitespace-separated words of a line, each with the number of
/// characters before it. Counted as the words go: searching for each word
/// again would take time quadratic in the line's length.
fn words(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let (mut chars, mut last) = (0, 0);
    text.split_whitespace().map(move |w| {
        let at = w.as_ptr() as usize - text.as_ptr() as usize;
        chars += text[last..at].chars().count();
        last = at;
        (chars, w)
    })
}

/// The mechanics a `mechanics:` block declares, with their settings.
fn parse_mechanics(field: &Field) -> Result<Config, LevelError> {
    let mut config = Config::default();
    for &(line, col, text) in &field.lines {
        config.add_line(text).map_err(|e| LevelError {
            line,
            column: col + text[..e.offset.min(text.len())].chars().count(),
            message: e.message,
        })?;
    }
    Ok(config)
}

/// A map's characters and the kinds they stand for.
type Legend = Vec<(char, String)>;

type Require<'a, 'f> = dyn Fn(&str) -> Result<&'f Field<'a>, LevelError> + 'f;

/// The map, legend and mechanics of a grid level.
fn build_grid<'a, 'f>(
    fields: &'f [Field<'a>],
    require: &Require<'a, 'f>,
) -> Result<(LevelWorld, Vec<String>, Legend), LevelError> {
    let get = |name: &str| fields.iter().find(|f| f.name == name);
    // Legend: one character and its kind per line.
    let legend_f = require("legend")?;
    let mut legend: Vec<(char, Kind)> = vec![(' ', Kind::FLOOR)];
    for &(line, col, text) in &legend_f.lines {
        if text.is_empty() {
            continue;
        }
        let mut chars = text.chars();
        let ch = chars.next().unwrap_or(' ');
        let rest = chars.as_str();
        if !rest.starts_with(' ') {
            return err(
                line,
                col,
                "a legend line is one character, a space, and what it stands for, e.g. `# wall`",
            );
        }
        if ch.is_whitespace() || ch.is_control() || !ch.is_ascii() {
            return err(line, col, "map characters must be printable ASCII");
        }
        let words: Vec<&str> = rest.split_whitespace().collect();
        let Some(kind) = Kind::placeable(&words.join(" ")) else {
            let kcol = col + 1 + (rest.len() - rest.trim_start().len());
            return err(
                line,
                kcol,
                format!(
                    "unknown kind `{}`; kinds are: {}",
                    words.join(" "),
                    grid::legend_kinds()
                ),
            );
        };
        if legend.iter().any(|(c2, _)| *c2 == ch) {
            return err(line, col, format!("`{ch}` is in the legend twice"));
        }
        legend.push((ch, kind));
    }

    // Map: a rectangle of legend characters.
    let map_f = require("map")?;
    if map_f.lines.first().is_some_and(|l| l.0 == map_f.line) {
        return err(
            map_f.line,
            5,
            "the map goes on the lines below `map:`, indented",
        );
    }
    let map: Vec<String> = map_f.lines.iter().map(|l| l.2.to_string()).collect();
    let width = map[0].chars().count();
    let mut cells: Vec<Kind> = Vec::new();
    for (&(line, col, text), row) in map_f.lines.iter().zip(&map) {
        let w = row.chars().count();
        if w != width {
            return err(
                line,
                col + w.min(width),
                format!("this map row is {w} wide but the first is {width}: rows must be equally wide (trailing spaces count)"),
            );
        }
        for (i, ch) in text.chars().enumerate() {
            match legend.iter().find(|(c2, _)| *c2 == ch) {
                Some((_, cell)) => cells.push(*cell),
                None => return err(line, col + i, format!("`{ch}` is not in the legend")),
            }
        }
    }
    let mechanics_f = get("mechanics");
    let mechanics = match mechanics_f {
        Some(f) => parse_mechanics(f)?,
        None => Config::default(),
    };
    let world = GridWorld::new(width, map.len(), &cells, mechanics).map_err(|e| {
        // A mistake at a cell points at it; one about the mechanics at their block.
        let (line, column) = match e.cell {
            Some(cell) => {
                let (l, c, _) = map_f.lines[cell / width];
                (l, c + cell % width)
            }
            None => mechanics_f.map(|f| (f.line, 1)).unwrap_or((map_f.line, 1)),
        };
        LevelError {
            line,
            column,
            message: e.message,
        }
    })?;

    // The legend of the characters the map uses (the floor only if it does).
    let names = legend
        .into_iter()
        .filter(|(ch, _)| map.iter().any(|row| row.contains(*ch)))
        .map(|(ch, kind)| (ch, kind.name().to_string()))
        .collect();
    Ok((LevelWorld::Grid(world), map, names))
}

/// The constants of a company level: `name key=value …` per line.
fn parse_company(field: &Field) -> Result<CompanyRules, LevelError> {
    let mut r = CompanyRules::default();
    const NAMES: [&str; 6] = ["base", "improve", "cut", "lobby", "pollute", "manipulate"];
    for &(line, col, text) in &field.lines {
        let mut words = words(text);
        let Some((_, name)) = words.next() else {
            continue;
        };
        if !NAMES.contains(&name) {
            let hint = crate::lang::suggest::nearest(name, NAMES.iter().copied())
                .map(|n| format!(" (did you mean `{n}`?)"))
                .unwrap_or_else(|| format!("; company mechanics are: {}", NAMES.join(", ")));
            return err(
                line,
                col,
                format!("unknown company mechanic `{name}`{hint}"),
            );
        }
        for (at, w) in words {
            let wcol = col + at;
            let Some((k, v)) = w.split_once('=') else {
                return err(
                    line,
                    wcol,
                    format!("expected a setting `name=value`, found `{w}`"),
                );
            };
            let x = parse_number(v, line, wcol, &format!("`{k}`"))?;
            if !(0.0..=1000.0).contains(&x) {
                return err(line, wcol, format!("`{k}` must be from 0 to 1000"));
            }
            let project = |p: &mut Project, k: &str| -> Result<(), LevelError> {
                match k {
                    "setup" if (1.0..=20.0).contains(&x) && x.fract() == 0.0 => p.setup = x as u8,
                    "setup" => return err(line, wcol, "`setup` is a whole number of quarters from 1 to 20"),
                    "spend" => p.spend = x,
                    "gain" => p.gain = x,
                    "harm" => p.harm = x,
                    _ => return err(line, wcol, format!("`{name}` has no setting `{k}` (its settings: setup, spend, gain, harm)")),
                }
                Ok(())
            };
            match (name, k) {
                ("base", "profit") => r.base = x,
                ("improve", "cost") => r.improve_cost = x,
                ("improve", "gain") => r.improve_gain = x,
                ("improve", "max") if (1.0..=20.0).contains(&x) && x.fract() == 0.0 => {
                    r.max_quality = x as u8
                }
                ("improve", "max") => {
                    return err(
                        line,
                        wcol,
                        "`max` is a whole number of quality levels from 1 to 20",
                    )
                }
                ("cut", "saving") => r.cut = x,
                ("lobby", k) => project(&mut r.lobby, k)?,
                ("pollute", k) => project(&mut r.pollute, k)?,
                ("manipulate", k) => project(&mut r.manipulate, k)?,
                (name, k) => {
                    let settings = match name {
                        "base" => "profit",
                        "improve" => "cost, gain, max",
                        _ => "saving",
                    };
                    return err(
                        line,
                        wcol,
                        format!("`{name}` has no setting `{k}` (its settings: {settings})"),
                    );
                }
            }
        }
    }
    Ok(r)
}

/// The first control character of a text other than a tab or a line end
/// (`\n`, or `\r` before it), with its line and column from 1. Refused so
/// that a title or a story never carries terminal escapes or NULs to a
/// terminal, a page or a JSON consumer.
fn control_character(text: &str) -> Option<(usize, usize, char)> {
    text.split('\n').enumerate().find_map(|(i, line)| {
        let line = line.strip_suffix('\r').unwrap_or(line);
        line.chars()
            .enumerate()
            .find(|&(_, c)| c.is_control() && c != '\t')
            .map(|(col, c)| (i + 1, col + 1, c))
    })
}

/// Reads and validates a level file.
pub fn parse(text: &str) -> Result<Level, LevelError> {
    if text.len() > MAX_LEVEL_BYTES {
        return err(
            1,
            1,
            format!(
                "the file is {} bytes; the limit is {MAX_LEVEL_BYTES}",
                text.len()
            ),
        );
    }
    if let Some((line, column, ch)) = control_character(text) {
        return err(
            line,
            column,
            format!(
                "the control character U+{:04X} is not allowed in a level file",
                u32::from(ch)
            ),
        );
    }
    let fields = split_fields(text)?;
    let get = |name: &str| fields.iter().find(|f| f.name == name);
    let last_line = text.lines().count().max(1);
    let require = |name: &str| -> Result<&Field, LevelError> {
        match get(name) {
            Some(f) if !f.lines.is_empty() => Ok(f),
            Some(f) => err(f.line, 1, format!("the field `{name}` is empty")),
            None => err(last_line, 1, format!("the field `{name}:` is missing")),
        }
    };

    let id_f = require("id")?;
    let id = id_f.text();
    let (l, c) = id_f.first_position();
    if id.is_empty()
        || id.len() > 64
        || !id
            .chars()
            .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '-')
    {
        return err(l, c, "an id is 1 to 64 characters of a-z, 0-9 and `-`");
    }
    let title = require("title")?.text();
    let story = require("story")?.text();

    let steps_f = require("steps")?;
    let (l, c) = steps_f.first_position();
    let steps: u32 = match steps_f.text().parse() {
        Ok(n) if (1..=MAX_STEPS).contains(&n) => n,
        _ => {
            return err(
                l,
                c,
                format!("`steps` must be a whole number from 1 to {MAX_STEPS}"),
            )
        }
    };

    let world_f = get("world");
    let (world, map, legend) = match world_f.map(|f| (f.text(), f.first_position())) {
        None => build_grid(&fields, &require)?,
        Some((kind, _)) if kind == "grid" => build_grid(&fields, &require)?,
        Some((kind, _)) if kind == "company" => {
            if let Some(f) = get("map") {
                return err(f.line, 1, "a company level has no map");
            }
            let rules = match get("mechanics") {
                Some(f) => parse_company(f)?,
                None => CompanyRules::default(),
            };
            (
                LevelWorld::Company(CompanyWorld::new(rules)),
                Vec::new(),
                Vec::new(),
            )
        }
        Some((kind, (l, c))) => {
            return err(
                l,
                c,
                format!("unknown world `{kind}`: worlds are grid and company"),
            )
        }
    };

    // Signals: every emitted signal declared once, observed or hidden.
    let signals_f = require("signals")?;
    let emitted = world.signal_names();
    let mut declared: Vec<Option<SignalDecl>> = vec![None; emitted.len()];
    for &(line, col, text) in &signals_f.lines {
        if text.is_empty() {
            continue;
        }
        let mut parts = text.splitn(3, char::is_whitespace);
        let name = parts.next().unwrap_or("");
        let rest = parts.next().map(str::trim).unwrap_or("");
        let tail = parts.next().unwrap_or("").trim();
        let (vis_word, description) = match rest {
            "" => tail.split_once(char::is_whitespace).unwrap_or((tail, "")),
            r => (r, tail),
        };
        let Some(slot) = emitted.iter().position(|n| *n == name) else {
            return err(
                line,
                col,
                format!(
                    "no mechanic of this level emits `{name}`; it emits: {}",
                    emitted.join(", ")
                ),
            );
        };
        let visibility = match vis_word {
            "observed" => Visibility::Observed,
            "hidden" => Visibility::Hidden,
            other => {
                let vcol = col
                    + text
                        .find(other)
                        .filter(|_| !other.is_empty())
                        .unwrap_or(name.len());
                return err(
                    line,
                    vcol,
                    format!("expected `observed` or `hidden` after `{name}`, found `{other}`"),
                );
            }
        };
        if declared[slot].is_some() {
            return err(line, col, format!("the signal `{name}` is declared twice"));
        }
        declared[slot] = Some(SignalDecl {
            name: name.to_string(),
            visibility,
            description: description.trim().to_string(),
        });
    }
    let mut signals = Vec::with_capacity(emitted.len());
    for (slot, d) in declared.into_iter().enumerate() {
        match d {
            Some(d) => signals.push(d),
            None => {
                return err(
                    signals_f.line,
                    1,
                    format!(
                        "the mechanics emit `{}`: declare it as observed or hidden",
                        emitted[slot]
                    ),
                )
            }
        }
    }

    let compile_field = |name: &str, access: Access| -> Result<(String, Program), LevelError> {
        let f = require(name)?;
        let src = f.text();
        lang::compile(&src, &signals, access)
            .map(|p| (src.clone(), p))
            .map_err(|d| {
                let (line, column) = f.position(d.span.0);
                let help = d.help.map(|h| format!(" ({h})")).unwrap_or_default();
                LevelError {
                    line,
                    column,
                    message: format!("in `{name}`: {}{help}", d.message),
                }
            })
    };
    let (default_reward, _) = compile_field("reward", Access::Reward)?;
    let (intent_source, intent) = compile_field("intent", Access::Intent)?;

    let solve_share = match get("solve") {
        Some(f) => {
            let (l, c) = f.first_position();
            match f.text().parse::<f64>() {
                Ok(v) if v > 0.0 && v <= 1.0 => v,
                _ => return err(l, c, "`solve` is the share of the best intent score that solves the level: a number in (0, 1]"),
            }
        }
        None => SOLVE_SHARE,
    };
    let agent = match get("agent") {
        Some(f) => {
            let (l, c) = f.first_position();
            Some(crate::agents::AgentKind::parse(&f.text()).or_else(|m| err(l, c, m))?)
        }
        None => None,
    };
    let mut account = Vec::new();
    if let Some(f) = get("account") {
        for &(line, col, text) in &f.lines {
            if text.is_empty() {
                continue;
            }
            let Some((key, sentence)) = text.split_once(':') else {
                return err(
                    line,
                    col,
                    "an account line is `signal: sentence` or `not signal: sentence`",
                );
            };
            let (when_zero, name) = match key.trim().strip_prefix("not ") {
                Some(n) => (true, n.trim()),
                None => (false, key.trim()),
            };
            if !signals.iter().any(|s| s.name == name) {
                return err(line, col, format!("`{name}` is not a signal of this level"));
            }
            let sentence = sentence.trim();
            let mut rest = sentence;
            while let Some(open) = rest.find('{') {
                let Some(close) = rest[open..].find('}') else {
                    return err(line, col, "a `{` without its `}`");
                };
                let inner = &rest[open + 1..open + close];
                if inner != "steps" && !signals.iter().any(|s| s.name == inner) {
                    return err(
                        line,
                        col,
                        format!(
                            "`{{{inner}}}`: `{inner}` is not a signal of this level (or `steps`)"
                        ),
                    );
                }
                rest = &rest[open + close + 1..];
            }
            account.push(AccountLine {
                signal: name.to_string(),
                when_zero,
                text: sentence.to_string(),
            });
        }
    }

    let next = match (get("try"), get("try_why")) {
        (None, None) => None,
        (Some(f), None) => {
            return err(
                f.line,
                1,
                "`try:` needs `try_why:`, the reason to try it, in plain words",
            )
        }
        (reward, Some(why)) => {
            let reward = match reward {
                Some(_) => Some(compile_field("try", Access::Reward)?.0),
                None => None,
            };
            Some(Next {
                reward,
                why: require(why.name)?.text(),
            })
        }
    };
    let train = match get("train") {
        None => None,
        Some(f) => {
            let (l, c) = f.first_position();
            let id = f.text();
            if id == *id_f.text()
                || id.is_empty()
                || !id
                    .chars()
                    .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '-')
            {
                return err(
                    l,
                    c,
                    "`train:` names another level by its id (a-z, 0-9 and `-`)",
                );
            }
            Some(id)
        }
    };

    Ok(Level {
        id,
        title,
        story,
        steps,
        map,
        legend,
        world,
        signals,
        default_reward,
        intent_source,
        intent,
        agent,
        solve_share,
        account,
        next,
        train,
        text: text.to_string(),
    })
}
