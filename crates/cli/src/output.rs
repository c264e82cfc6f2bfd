//! How results and errors are printed: text for people, JSON for scripts.

use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};
use loophole_engine::agents::{Invalid, RunError, TrainStats};
use loophole_engine::lang::{excerpt, Diagnostic, Visibility};
use loophole_engine::level::{Level, LevelError};
use loophole_engine::run::RunResult;
use loophole_engine::score::{Budget, Verdict};
use loophole_server::wire::round;
use serde::Serialize;
use serde_json::json;

/// A failed command: what to print and the exit status.
pub struct Failure {
    message: String,
    /// Printed instead of `message` on a terminal (carets and context).
    rendered: Option<String>,
    span: Option<(usize, usize)>,
    location: Option<(usize, usize)>,
    status: u8,
}

impl Failure {
    pub fn usage(message: String) -> Failure {
        Failure {
            message,
            rendered: None,
            span: None,
            location: None,
            status: 2,
        }
    }

    /// A failure of the environment (a port in use, a database that cannot be
    /// opened), not of the command's arguments: exit status 1.
    pub fn runtime(message: String) -> Failure {
        Failure {
            message,
            rendered: None,
            span: None,
            location: None,
            status: 1,
        }
    }

    /// Why the engine did not run: a reward's mistake shown in `reward`,
    /// anything else asked for wrongly a usage error.
    pub fn engine(reward: &str, e: RunError) -> Failure {
        match e {
            RunError::Invalid(Invalid::Reward(d)) => Failure::reward(reward, d),
            RunError::Stopped => Failure::runtime(e.to_string()),
            other => Failure::usage(other.to_string()),
        }
    }

    /// As [`Failure::engine`], but work stopped by the command's time
    /// budget says so and how to give it more: exit status 1.
    pub fn budgeted(reward: &str, budget: &Budget, e: RunError) -> Failure {
        match e {
            RunError::Stopped => Failure::runtime(budget.exceeded(
                "allow more with --time-limit SECONDS, or ask for less (a lower --power, fewer --seeds)",
            )),
            other => Failure::engine(reward, other),
        }
    }

    pub fn reward(src: &str, d: Diagnostic) -> Failure {
        let mut message = d.message.clone();
        if let Some(h) = &d.help {
            message = format!("{message} ({h})");
        }
        // Rendered against the reward with its control characters escaped,
        // the span moved to match, so the carets stay under the mistake.
        let shown = Diagnostic {
            span: (escaped_offset(src, d.span.0), escaped_offset(src, d.span.1)),
            ..d.clone()
        };
        Failure {
            message,
            rendered: Some(shown.render(&escape_controls(src))),
            span: Some(d.span),
            location: None,
            status: 2,
        }
    }

    pub fn level_file(path: &Path, text: &str, e: LevelError) -> Failure {
        let line = text.lines().nth(e.line.saturating_sub(1)).unwrap_or("");
        // The column counts characters; the caret goes under the same one
        // once the line's control characters are escaped, in a window of
        // the line however long it is.
        let before: String = line.chars().take(e.column.saturating_sub(1)).collect();
        let shown = excerpt(
            &escape_controls(line),
            escape_controls(&before).chars().count(),
            1,
        );
        let (line, caret) = (shown.text, format!("{}{}", shown.pad, shown.carets));
        let rendered = format!(
            "error: {}:{}:{}: {}\n  {line}\n  {caret}",
            path.display(),
            e.line,
            e.column,
            e.message
        );
        Failure {
            message: format!("{}:{}:{}: {}", path.display(), e.line, e.column, e.message),
            rendered: Some(rendered),
            span: None,
            location: Some((e.line, e.column)),
            status: 2,
        }
    }

    pub fn report(self, json: bool) -> ExitCode {
        if json {
            let mut err = json!({ "message": self.message });
            if let Some((a, b)) = self.span {
                err["span"] = json!([a, b]);
            }
            if let Some((l, c)) = self.location {
                err["line"] = json!(l);
                err["column"] = json!(c);
            }
            print_json(&json!({ "error": err }));
        } else {
            // Whatever a message quotes (a level id, a path, a line of a
            // file) reaches the terminal with its control characters escaped.
            match self.rendered {
                Some(r) => eprintln!("{}", escape_controls(&r)),
                None => eprintln!("error: {}", escape_controls(&self.message)),
            }
        }
        ExitCode::from(self.status)
    }
}

/// `text` with every control character but a line end (`\n`, or `\r`
/// before it) and a tab written out (`\x1b` for an escape, `\u{9b}` for a
/// C1 control), so that text from a file or an argument cannot move the
/// cursor, clear the screen or retitle the window when it is quoted back on
/// a terminal.
pub fn escape_controls(text: &str) -> String {
    escape_upto(text, text.len())
}

/// Where byte `offset` of `text` lands in `escape_controls(text)`.
fn escaped_offset(text: &str, offset: usize) -> usize {
    escape_upto(text, offset).len() + offset.saturating_sub(text.len())
}

/// [`escape_controls`] of the characters of `text` that start before `end`.
fn escape_upto(text: &str, end: usize) -> String {
    use std::fmt::Write as _;
    let mut out = String::with_capacity(text.len());
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if i >= end {
            break;
        }
        let line_end = c == '\r' && chars.peek().is_some_and(|&(_, next)| next == '\n');
        match c {
            '\n' | '\t' => out.push(c),
            _ if line_end => out.push(c),
            c if c.is_ascii_control() => {
                let _ = write!(out, "\\x{:02x}", u32::from(c));
            }
            c if c.is_control() => {
                let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out
}

/// Prints a body of the one JSON vocabulary (`loophole_server::wire`).
pub fn print_json<T: Serialize + ?Sized>(v: &T) {
    out!(
        "{}",
        serde_json::to_string_pretty(v).unwrap_or_else(|_| "null".into())
    );
}

pub fn num(x: f64) -> String {
    let r = round(x);
    if r.fract() == 0.0 && r.abs() < 1e15 {
        format!("{}", r as i64)
    } else {
        format!("{:.4}", r).trim_end_matches('0').to_string()
    }
}

pub fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

pub fn progress_bar(visible: bool) -> Option<ProgressBar> {
    if !visible {
        return None;
    }
    let bar = ProgressBar::new(1);
    let style = ProgressStyle::with_template("{spinner} training [{bar:32}] {pos}/{len} ({eta})")
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ");
    bar.set_style(style);
    Some(bar)
}

fn visibility(v: Visibility) -> &'static str {
    match v {
        Visibility::Observed => "observed",
        Visibility::Hidden => "hidden",
    }
}

/// The final map with the path drawn over it: an arrow on each cell the agent
/// left (its last move from there), `•` where it stayed put, `@` where it ended.
/// Boxes keep their final place.
fn trajectory(r: &RunResult) -> Vec<String> {
    let frames = &r.episode.frames;
    let (Some(first), Some(last)) = (frames.first(), frames.last()) else {
        return Vec::new();
    };
    let find = |rows: &[String]| -> Option<(usize, usize)> {
        rows.iter()
            .enumerate()
            .find_map(|(y, row)| row.chars().position(|c| c == 'A').map(|x| (y, x)))
    };
    let mut grid: Vec<Vec<char>> = last.rows.iter().map(|r| r.chars().collect()).collect();
    let mut at = find(&first.rows);
    for f in &frames[1..] {
        let next = find(&f.rows);
        if let (Some((y, x)), Some(action)) = (at, f.action) {
            if grid[y][x] == 'X' {
                at = next.or(at);
                continue;
            }
            grid[y][x] = if next == at {
                '•'
            } else {
                match action {
                    'u' => '↑',
                    'd' => '↓',
                    'l' => '←',
                    'r' => '→',
                    _ => '•',
                }
            };
        }
        at = next.or(at);
    }
    if let Some((y, x)) = at {
        grid[y][x] = '@';
    }
    grid.into_iter().map(|r| r.into_iter().collect()).collect()
}

pub fn print_run(level: &Level, reward: &str, r: &RunResult, verdict: &Verdict, elapsed: Duration) {
    let e = &r.episode;
    out!(
        "{} — {} (power {}, seed {})",
        level.title,
        r.agent.name(),
        r.power,
        r.seed
    );
    out!("reward:      {reward}");
    out!("intent:      {}", level.intent_source);
    out!();
    for row in trajectory(r) {
        out!("  {row}");
    }
    out!();
    out!("return:      {}", num(e.ret));
    out!(
        "performance: {}   (the intent score the reward could not see)",
        num(e.performance)
    );
    let end = if e.terminated {
        "terminated"
    } else {
        "truncated at the step limit"
    };
    out!("steps:       {} ({end})", e.steps);
    out!("actions:     {}", e.actions);
    out!();
    out!("signal totals:");
    for (s, v) in level.signals.iter().zip(&e.totals) {
        out!(
            "  {:<18} {:>10}  {}",
            s.name,
            num(*v),
            visibility(s.visibility)
        );
    }
    let stats = match &r.stats {
        TrainStats::ValueIteration(s) => format!(
            "{} states, {} transitions, {} sweeps{}",
            s.states,
            s.transitions,
            s.sweeps,
            s.converged_at
                .map(|k| format!(" (converged after {k})"))
                .unwrap_or_default()
        ),
        TrainStats::QLearning(s) => format!(
            "{} episodes, {} steps, {} table entries",
            s.episodes, s.steps, s.table_size
        ),
        TrainStats::Mcts {
            simulations,
            steps_simulated,
        } => {
            format!("{simulations} simulations, {steps_simulated} simulated steps")
        }
    };
    out!();
    out!(
        "training:    {stats} (trained, played and judged in {:.0} ms)",
        elapsed.as_secs_f64() * 1000.0
    );
    out!(
        "summary:     {}",
        loophole_engine::account::summary(level, &r.episode)
    );
    out!("verdict:     {}", verdict_line(level, verdict));
    if verdict.cases.len() > 1 {
        for c in &verdict.cases {
            let draws: Vec<String> = c.params.iter().map(|(k, v)| format!("{k}={v}")).collect();
            out!(
                "  when {} (probability {}): intent {}. {}",
                draws.join(", "),
                num(c.probability),
                num(c.episode.performance),
                c.summary
            );
        }
    }
}

/// The verdict in words, as the level page gives it.
fn verdict_line(level: &Level, v: &Verdict) -> String {
    let pct = |x: f64| format!("{}%", (x * 100.0).round());
    let over = if v.eval_seeds == 0 {
        "exact, every chance weighed by its probability".to_string()
    } else {
        format!("mean of {} episodes", v.eval_seeds)
    };
    let best = if v.best_exact {
        "the best achievable intent score"
    } else {
        "the best intent score found so far"
    };
    let judged = format!(
        "the strongest optimizer of this reward reaches {} of {best}, {} ({} needed; {over}); {}",
        pct(v.share),
        num(v.best_performance),
        pct(level.solve_share),
        match v.outcome {
            loophole_engine::score::Outcome::Intent => "it does what was wanted",
            loophole_engine::score::Outcome::Loophole =>
                "it found a loophole: the reward pays it at least as much as for what was wanted",
            loophole_engine::score::Outcome::Other => "it misses what was wanted",
        }
    );
    if v.solved {
        let stars: String = (0..3)
            .map(|i| if i < v.stars { '★' } else { '☆' })
            .collect();
        format!("solved {stars}: {judged}")
    } else {
        format!("not solved: {judged}")
    }
}
