//! How results and errors are printed: text for people, JSON for scripts.

use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};
use loophole_engine::lang::{Diagnostic, Visibility};
use loophole_engine::level::{Level, LevelError};
use loophole_engine::run::{RunResult, TrainStats};
use serde_json::{json, Value};

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

    pub fn reward(src: &str, d: Diagnostic) -> Failure {
        let mut message = d.message.clone();
        if let Some(h) = &d.help {
            message = format!("{message} ({h})");
        }
        Failure {
            message,
            rendered: Some(d.render(src)),
            span: Some(d.span),
            location: None,
            status: 2,
        }
    }

    pub fn level_file(path: &Path, text: &str, e: LevelError) -> Failure {
        let line = text.lines().nth(e.line.saturating_sub(1)).unwrap_or("");
        let caret = format!("{}^", " ".repeat(e.column.saturating_sub(1)));
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
            match self.rendered {
                Some(r) => eprintln!("{r}"),
                None => eprintln!("error: {}", self.message),
            }
        }
        ExitCode::from(self.status)
    }
}

pub fn print_json(v: &Value) {
    println!(
        "{}",
        serde_json::to_string_pretty(v).unwrap_or_else(|_| "null".into())
    );
}

/// Rounds for display (1e-9), so float noise never reaches scripts.
pub fn round(x: f64) -> f64 {
    let r = (x * 1e9).round() / 1e9;
    if r == 0.0 {
        0.0
    } else {
        r
    }
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

pub fn level_json(l: &Level) -> Value {
    json!({
        "id": l.id,
        "title": l.title,
        "story": l.story,
        "steps": l.steps,
        "world": l.world.kind(),
        "width": l.world.width(),
        "height": l.world.height(),
        "map": l.map,
        "default_reward": l.default_reward,
        "intent": l.intent_source,
        "signals": l.signals.iter().map(|s| json!({
            "name": s.name, "visibility": visibility(s.visibility), "description": s.description,
        })).collect::<Vec<_>>(),
    })
}

fn stats_json(stats: &TrainStats) -> Value {
    match stats {
        TrainStats::ValueIteration(s) => json!({
            "states": s.states, "transitions": s.transitions, "sweeps": s.sweeps, "converged_at": s.converged_at,
        }),
        TrainStats::QLearning(s) => json!({
            "episodes": s.episodes, "steps": s.steps, "table_size": s.table_size,
            "curve": s.curve.iter().map(|p| json!({
                "episode": p.x, "return": round(p.ret), "performance": round(p.performance),
            })).collect::<Vec<_>>(),
        }),
        TrainStats::Mcts {
            simulations,
            steps_simulated,
        } => json!({
            "simulations": simulations, "steps_simulated": steps_simulated,
        }),
    }
}

fn totals_json(level: &Level, totals: &[f64]) -> Value {
    let mut m = serde_json::Map::new();
    for (s, v) in level.signals.iter().zip(totals) {
        m.insert(s.name.clone(), json!(round(*v)));
    }
    Value::Object(m)
}

pub fn run_json(level: &Level, reward: &str, r: &RunResult) -> Value {
    let e = &r.episode;
    json!({
        "level": level.id,
        "reward": reward,
        "agent": r.agent.name(),
        "power": r.power,
        "seed": r.seed,
        "return": round(e.ret),
        "performance": round(e.performance),
        "steps": e.steps,
        "terminated": e.terminated,
        "truncated": e.truncated,
        "actions": e.actions,
        "signal_totals": totals_json(level, &e.totals),
        "training": stats_json(&r.stats),
    })
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

pub fn print_run(level: &Level, reward: &str, r: &RunResult, elapsed: Duration) {
    let e = &r.episode;
    println!(
        "{} — {} (power {}, seed {})",
        level.title,
        r.agent.name(),
        r.power,
        r.seed
    );
    println!("reward:      {reward}");
    println!("intent:      {}", level.intent_source);
    println!();
    for row in trajectory(r) {
        println!("  {row}");
    }
    println!();
    println!("return:      {}", num(e.ret));
    println!(
        "performance: {}   (the intent score the reward could not see)",
        num(e.performance)
    );
    let end = if e.terminated {
        "terminated"
    } else {
        "truncated at the step limit"
    };
    println!("steps:       {} ({end})", e.steps);
    println!("actions:     {}", e.actions);
    println!();
    println!("signal totals:");
    for (s, v) in level.signals.iter().zip(&e.totals) {
        println!(
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
    println!();
    println!(
        "training:    {stats}; {:.0} ms",
        elapsed.as_secs_f64() * 1000.0
    );
}
