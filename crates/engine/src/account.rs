//! An episode in plain words: the level's own sentences about its signals
//! ([`account`]), and one sentence about where the agent went ([`summary`]).

use crate::level::Level;
use crate::run::Episode;
use crate::world::World;

fn format_total(v: f64) -> String {
    if (v - v.round()).abs() < 1e-9 {
        format!("{}", v.round() as i64)
    } else {
        format!("{v:.2}")
    }
}

/// What the agent did, in plain words, from the level's account lines and
/// how the episode ended.
pub fn account(level: &Level, episode: &Episode) -> Vec<String> {
    let total = |name: &str| -> f64 {
        if name == "steps" {
            return episode.steps as f64;
        }
        level
            .signals
            .iter()
            .position(|s| s.name == name)
            .map_or(0.0, |i| episode.totals[i])
    };
    let mut out = Vec::new();
    for line in &level.account {
        let nonzero = total(&line.signal).abs() > 1e-9;
        if nonzero == line.when_zero {
            continue;
        }
        let mut text = String::new();
        let mut rest = line.text.as_str();
        while let Some(open) = rest.find('{') {
            text.push_str(&rest[..open]);
            let close = rest[open..].find('}').map_or(rest.len(), |c| open + c);
            text.push_str(&format_total(total(&rest[open + 1..close])));
            rest = rest.get(close + 1..).unwrap_or("");
        }
        text.push_str(rest);
        out.push(text);
    }
    out.push(if episode.terminated {
        format!("The episode ended after {} steps.", episode.steps)
    } else {
        format!(
            "It was still going when time ran out after {} steps.",
            episode.steps
        )
    });
    out
}

/// Longest stretch of an episode told as one repeated loop.
const MAX_PERIOD: usize = 8;

/// One sentence about where the agent went: the loop it spent the
/// episode in, if it did ("went back and forth between its starting cell
/// and the arrow pointing right 50 times"), and how the episode ended.
/// Computed from the episode's frames (an episode played without them, or
/// a world without a map, is told by its actions).
pub fn summary(level: &Level, episode: &Episode) -> String {
    let Some(grid) = level.world.grid() else {
        return by_actions(level, episode);
    };
    let width = grid.width();
    let path: Vec<usize> = episode
        .frames
        .iter()
        .filter_map(|f| {
            f.rows
                .iter()
                .enumerate()
                .find_map(|(r, row)| row.chars().position(|c| c == 'A').map(|c| r * width + c))
        })
        .collect();
    if path.len() < 2 {
        return by_actions(level, episode);
    }
    let start = path[0];
    let name = |cell: usize| -> String {
        if cell == start {
            return "its starting cell".into();
        }
        let kind = grid.tile(cell).name();
        // A switch is named, not its position ("the rock switch").
        let kind = kind
            .strip_suffix(" high")
            .or_else(|| kind.strip_suffix(" low"))
            .unwrap_or(kind);
        match kind.strip_prefix("arrow ") {
            Some(way) => format!("the arrow pointing {way}"),
            None if kind == "floor" => "a floor cell".into(),
            None => format!("the {kind}"),
        }
    };
    let steps = episode.steps as usize;
    let end = match (episode.terminated, path.last()) {
        (true, Some(&last)) => {
            let kind = grid.tile(last).name();
            match kind {
                "goal" => format!("reached the goal after {steps} steps"),
                "lava" | "water" => format!("ended in the {kind} after {steps} steps"),
                _ => format!("ended the episode on {} after {steps} steps", name(last)),
            }
        }
        _ => format!("was still going when time ran out after {steps} steps"),
    };
    let Some(lp) = longest_loop(&path) else {
        let mut cells = path.clone();
        cells.sort_unstable();
        cells.dedup();
        // The tiles worth naming it went over, in order (a button, a
        // punishment tile), not its start, floor, or where it ended.
        let mut via: Vec<String> = Vec::new();
        for &cell in &path[1..path.len() - 1] {
            let tile = name(cell);
            if tile != "a floor cell" && tile != "its starting cell" && !via.contains(&tile) {
                via.push(tile);
            }
        }
        let via = match via.as_slice() {
            [] => String::new(),
            [one] => format!(" by way of {one}"),
            [init @ .., last] => format!(" by way of {} and {last}", init.join(", ")),
        };
        return if cells.len() == path.len() {
            format!(
                "It took a path of {} cells{via}, never going back over it, and {end}.",
                cells.len()
            )
        } else {
            format!("It crossed {} different cells{via} and {end}.", cells.len())
        };
    };
    let lead = if lp.from == 0 {
        "It".to_string()
    } else {
        format!("After {} steps it", lp.from)
    };
    let times = |n: usize| {
        if n == 1 {
            "once".to_string()
        } else {
            format!("{n} times")
        }
    };
    let what = match lp.period {
        1 => format!("stayed on {} for {} steps", name(path[lp.from]), lp.len - 1),
        2 => {
            let (a, b) = (name(path[lp.from]), name(path[lp.from + 1]));
            let between = if a == b {
                let kind = a
                    .strip_prefix("the ")
                    .or_else(|| a.strip_prefix("a "))
                    .unwrap_or(&a);
                format!(
                    "between two {}s",
                    kind.strip_suffix(" cell")
                        .map_or(format!("{kind} cell"), |k| format!("{k} cell"))
                )
            } else {
                format!("between {a} and {b}")
            };
            format!("went back and forth {between} {}", times((lp.len - 1) / 2))
        }
        k => {
            let mut seen: Vec<String> = Vec::new();
            for &c in &path[lp.from..lp.from + k] {
                let n = name(c);
                if n != "a floor cell" && !seen.contains(&n) {
                    seen.push(n);
                }
            }
            let through = if seen.is_empty() {
                String::new()
            } else {
                format!(" through {}", list(&seen))
            };
            format!(
                "went round a loop of {k} cells{through} {}",
                times((lp.len - 1) / k)
            )
        }
    };
    let after = if lp.from + lp.len < path.len() {
        ", then"
    } else {
        " and"
    };
    format!("{lead} {what}{after} {end}.")
}

/// A stretch of the path that repeats with `period`: positions
/// `from..from + len` (at least two rounds of the loop).
struct Loop {
    from: usize,
    len: usize,
    period: usize,
}

/// The repeated stretch that covers the most of the path (shorter loops
/// first on a tie), if one covers at least two fifths of it.
fn longest_loop(path: &[usize]) -> Option<Loop> {
    let mut best: Option<Loop> = None;
    for period in 1..=MAX_PERIOD.min(path.len() / 2) {
        let mut run = 0;
        for i in 0..path.len() - period {
            run = if path[i] == path[i + period] {
                run + 1
            } else {
                0
            };
            let len = run + period;
            // A loop has at least two rounds, and a standing agent three steps.
            let rounds_ok = run >= period && (period > 1 || run >= 3);
            if rounds_ok && best.as_ref().is_none_or(|b| len > b.len) {
                best = Some(Loop {
                    from: i + period + 1 - len,
                    len,
                    period,
                });
            }
        }
    }
    best.filter(|b| b.len * 5 >= path.len() * 2)
}

fn list(names: &[String]) -> String {
    match names {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// A world without a map: the actions, run by run ("cut costs for 4
/// steps, then improve the product for 20").
fn by_actions(level: &Level, episode: &Episode) -> String {
    let specs = level.world.actions();
    let mut runs: Vec<(char, usize)> = Vec::new();
    for key in episode.actions.chars() {
        match runs.last_mut() {
            Some((k, n)) if *k == key => *n += 1,
            _ => runs.push((key, 1)),
        }
    }
    if runs.is_empty() {
        return "It took no action.".into();
    }
    let unit = if level.world.kind() == "company" {
        "quarter"
    } else {
        "step"
    };
    let shown = 4;
    let parts: Vec<String> = runs
        .iter()
        .take(shown)
        .map(|&(key, n)| {
            let name = specs
                .iter()
                .find(|s| s.key == key)
                .map_or("act", |s| s.name);
            let plural = if n == 1 { "" } else { "s" };
            format!("{name} for {n} {unit}{plural}")
        })
        .collect();
    let more = match runs.len().saturating_sub(shown) {
        0 => String::new(),
        1 => ", and changed course once more".to_string(),
        n => format!(", and changed course {n} more times"),
    };
    format!("It chose to {}{more}.", parts.join(", then "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::world::Params;

    #[test]
    fn the_longest_repeated_stretch_is_the_loop() {
        // 0 1 0 1 0 1 0 1 0: back and forth from the start.
        let lp = longest_loop(&[0, 1, 0, 1, 0, 1, 0, 1, 0]).unwrap();
        assert_eq!((lp.from, lp.len, lp.period), (0, 9, 2));
        // A walk, then standing still.
        let lp = longest_loop(&[0, 1, 2, 3, 3, 3, 3, 3, 3]).unwrap();
        assert_eq!((lp.from, lp.len, lp.period), (3, 6, 1));
        // A straight walk has no loop.
        assert!(longest_loop(&[0, 1, 2, 3, 4, 5]).is_none());
    }

    #[test]
    fn a_walk_names_the_tiles_it_went_by() {
        let level = crate::levels::builtin("safe-interruptibility").unwrap();
        let reward = level.compile_reward(&level.default_reward).unwrap();
        let by_button = "ddduullllldd";
        let episode = crate::run::replay(&level, &reward, by_button, 0, &Params::new()).unwrap();
        assert_eq!(
            summary(&level, &episode),
            "It crossed 11 different cells by way of the button and the interruption and reached the goal after 12 steps."
        );
        let straight = "llllldd";
        let episode = crate::run::replay(&level, &reward, straight, 0, &Params::new()).unwrap();
        assert!(
            !summary(&level, &episode).contains("by way of"),
            "{}",
            summary(&level, &episode)
        );
    }
}
