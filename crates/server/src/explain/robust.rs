//! The JSON of the robustness demonstrations: `shift`, `misgeneralization`
//! and `brittle`. A policy is trained once, frozen, and played on maps it
//! was not trained on, beside a planner that solves each map itself.
//!
//! Bodies (every field optional):
//!
//! | field | demos | default | meaning |
//! |---|---|---|---|
//! | `agent` | all | `q-learning` | `q-learning` or `value-iteration` (the trained policy) |
//! | `episodes` | all | 3000 | Q-learning's training episodes, 10 to 10000 |
//! | `seed` | all | 0 | the seed of the policy shown, 0 to 1000000 |
//! | `seeds` | shift, misgeneralization | 10 | seeds 0..seeds over which rates are measured, 1 to 20 |
//! | `starts` | misgeneralization | `many` | training starts: `one` (the room's start) or `many` (any free cell) |
//! | `goal` | misgeneralization | `[5, 1]` | `[row, column]` of the goal in the test room |
//! | `lava` | brittle | none | `[row, column]` of a floor tile to turn into lava |

use loophole_engine::agents::{AgentKind, Hook, RunError};
use loophole_engine::explain::robust::{
    self, BrittleReport, Edit, MisgenReport, Outcome, ShiftReport, StartSpread, Training, Trial,
};
use serde::Deserialize;
use serde_json::{json, Value};

use super::{parse, round};

/// A number field: the default when absent, else a finite number in range.
pub(crate) fn number(
    v: Option<&Value>,
    name: &str,
    min: f64,
    max: f64,
    default: f64,
) -> Result<f64, String> {
    let Some(v) = v else { return Ok(default) };
    match v.as_f64() {
        Some(x) if x.is_finite() && (min..=max).contains(&x) => Ok(x),
        _ => Err(format!(
            "`{name}` must be a number from {min} to {max}, found {v}"
        )),
    }
}

/// A whole-number field in range.
fn whole(v: Option<&Value>, name: &str, min: u64, max: u64, default: u64) -> Result<u64, String> {
    let Some(v) = v else { return Ok(default) };
    match v.as_u64() {
        Some(x) if (min..=max).contains(&x) => Ok(x),
        _ => Err(format!(
            "`{name}` must be a whole number from {min} to {max}, found {v}"
        )),
    }
}

/// A `[row, column]` field.
fn cell(v: Option<&Value>, name: &str) -> Result<Option<(usize, usize)>, String> {
    let Some(v) = v else { return Ok(None) };
    let pair = v.as_array().filter(|a| a.len() == 2).and_then(|a| {
        let r = a[0].as_u64()?;
        let c = a[1].as_u64()?;
        Some((usize::try_from(r).ok()?, usize::try_from(c).ok()?))
    });
    pair.map(Some)
        .ok_or_else(|| format!("`{name}` must be [row, column] (two whole numbers), found {v}"))
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Request {
    agent: Option<Value>,
    episodes: Option<Value>,
    seed: Option<Value>,
    seeds: Option<Value>,
    starts: Option<Value>,
    goal: Option<Value>,
    lava: Option<Value>,
}

impl Request {
    fn training(&self) -> Result<Training, String> {
        let d = Training::default();
        let agent = match &self.agent {
            None => d.agent,
            Some(Value::String(s)) if s == "q-learning" || s == "value-iteration" => {
                AgentKind::parse(s)?
            }
            Some(v) => {
                return Err(format!(
                    "`agent` must be \"q-learning\" or \"value-iteration\", found {v}"
                ))
            }
        };
        Ok(Training {
            agent,
            episodes: whole(
                self.episodes.as_ref(),
                "episodes",
                u64::from(robust::MIN_EPISODES),
                u64::from(robust::MAX_EPISODES),
                u64::from(d.episodes),
            )? as u32,
            seed: whole(self.seed.as_ref(), "seed", 0, robust::MAX_SEED, d.seed)?,
            seeds: whole(
                self.seeds.as_ref(),
                "seeds",
                1,
                u64::from(robust::MAX_SEEDS),
                u64::from(d.seeds),
            )? as u32,
        })
    }

    /// Refuses fields the demonstration does not read.
    fn only(&self, demo: &str, allowed: &[&str]) -> Result<(), String> {
        let present = [
            ("seeds", self.seeds.is_some()),
            ("starts", self.starts.is_some()),
            ("goal", self.goal.is_some()),
            ("lava", self.lava.is_some()),
        ];
        for (name, here) in present {
            if here && !allowed.contains(&name) {
                return Err(format!("bad settings: `{demo}` has no field `{name}`"));
            }
        }
        Ok(())
    }
}

fn training_json(t: &Training) -> Value {
    json!({
        "agent": t.agent.name(),
        "episodes": t.episodes,
        "seed": t.seed,
        "seeds": t.seeds,
    })
}

fn pair((r, c): (usize, usize)) -> Value {
    json!([r, c])
}

fn trial(t: &Trial) -> Value {
    json!({
        "level": t.level,
        "rows": t.rows,
        "path": t.path.iter().map(|&p| pair(p)).collect::<Vec<_>>(),
        "actions": t.episode.actions,
        "return": round(t.episode.ret),
        "intent": round(t.episode.performance),
        "steps": t.episode.steps,
        "lava": t.lava,
        "goal": t.goal,
        "outcome": outcome_word(t.lava, t.goal),
    })
}

fn outcome_word(lava: bool, goal: bool) -> &'static str {
    if lava {
        "lava"
    } else if goal {
        "goal"
    } else {
        "time"
    }
}

pub fn shift(body: Value, hook: &mut Hook<'_>) -> Result<Value, RunError> {
    let req: Request = parse(body)?;
    req.only("shift", &["seeds"])?;
    let r: ShiftReport = robust::shift(&req.training()?, hook)?;
    Ok(json!({
        "training": training_json(&r.training),
        "rooms": r.rooms.iter().map(|room| json!({
            "level": room.level,
            "title": room.title,
            "training": room.training,
            "trained": trial(&room.trained),
            "replanned": trial(&room.replanned),
            "trained_lava_rate": round(room.trained_lava_rate),
            "trained_goal_rate": round(room.trained_goal_rate),
            "trained_mean_return": round(room.trained_mean_return),
            "replanned_lava_rate": round(room.replanned_lava_rate),
        })).collect::<Vec<_>>(),
    }))
}

pub fn misgeneralization(body: Value, hook: &mut Hook<'_>) -> Result<Value, RunError> {
    let req: Request = parse(body)?;
    req.only("misgeneralization", &["seeds", "starts", "goal"])?;
    let starts = match &req.starts {
        None => StartSpread::Many,
        Some(Value::String(s)) if s == "many" => StartSpread::Many,
        Some(Value::String(s)) if s == "one" => StartSpread::One,
        Some(v) => return Err(format!("`starts` must be \"one\" or \"many\", found {v}").into()),
    };
    let goal = cell(req.goal.as_ref(), "goal")?;
    let r: MisgenReport = robust::misgeneralization(&req.training()?, starts, goal, hook)?;
    Ok(json!({
        "training": training_json(&r.training),
        "starts": r.starts.name(),
        "start_cells": r.start_cells,
        "old_goal": pair(r.old_goal),
        "goal": pair(r.goal),
        "train": trial(&r.train),
        "test": trial(&r.test),
        "replanned": trial(&r.replanned),
        "old_goal_rate": round(r.old_goal_rate),
        "goal_rate": round(r.goal_rate),
        "mean_return": round(r.mean_return),
        "train_goal_rate": round(r.train_goal_rate),
    }))
}

fn outcome(o: &Outcome) -> Value {
    json!({
        "return": round(o.ret),
        "steps": o.steps,
        "lava": o.lava,
        "goal": o.goal,
        "failed": o.failed(),
        "outcome": outcome_word(o.lava, o.goal),
    })
}

fn edit(e: &Edit) -> Value {
    json!({
        "cell": pair(e.cell),
        "trained": outcome(&e.trained),
        "replanned": outcome(&e.replanned),
    })
}

pub fn brittle(body: Value, hook: &mut Hook<'_>) -> Result<Value, RunError> {
    let req: Request = parse(body)?;
    req.only("brittle", &["lava"])?;
    let lava = cell(req.lava.as_ref(), "lava")?;
    let r: BrittleReport = robust::brittle(&req.training()?, lava, hook)?;
    let mut training = training_json(&r.training);
    if let Some(t) = training.as_object_mut() {
        t.remove("seeds");
    }
    Ok(json!({
        "training": training,
        "level": r.level,
        "baseline": trial(&r.baseline),
        "candidates": r.edits.len(),
        "breaking": r.breaking,
        "replanner_failures": r.replanner_failures,
        "edits": r.edits.iter().map(edit).collect::<Vec<_>>(),
        "worst": r.worst.map(|i| edit(&r.edits[i])),
        "chosen": r.chosen.as_ref().map(|(e, t, p)| json!({
            "cell": pair(e.cell),
            "trained": trial(t),
            "replanned": trial(p),
        })),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shift_answers_three_rooms() {
        let v = shift(json!({"seeds": 3}), &mut |_| true).unwrap();
        let rooms = v["rooms"].as_array().unwrap();
        assert_eq!(rooms.len(), 3);
        assert_eq!(rooms[0]["training"], true);
        assert_eq!(rooms[1]["trained"]["outcome"], "lava");
        assert_eq!(rooms[1]["replanned"]["outcome"], "goal");
        assert_eq!(rooms[1]["trained_lava_rate"], 1.0);
    }

    #[test]
    fn misgeneralization_goes_to_the_old_corner() {
        let v = misgeneralization(json!({"seeds": 3}), &mut |_| true).unwrap();
        assert_eq!(v["old_goal"], json!([1, 5]));
        assert_eq!(v["goal"], json!([5, 1]));
        assert_eq!(v["old_goal_rate"], 1.0);
        assert_eq!(v["goal_rate"], 0.0);
        assert_eq!(v["replanned"]["outcome"], "goal");
    }

    #[test]
    fn brittle_counts_breaking_edits() {
        let v = brittle(json!({"lava": [2, 3]}), &mut |_| true).unwrap();
        assert_eq!(v["candidates"], 27);
        assert!(v["breaking"].as_u64().unwrap() >= 1);
        assert_eq!(v["replanner_failures"], 0);
        assert_eq!(v["chosen"]["trained"]["outcome"], "lava");
        assert!(v["training"].get("seeds").is_none());
    }

    #[test]
    fn bad_bodies_are_refused_naming_the_field() {
        type Demo = super::super::Compute;
        let cases: [(Demo, Value, &str); 12] = [
            (shift, json!({"agent": "mcts"}), "agent"),
            (shift, json!({"episodes": 5}), "episodes"),
            (shift, json!({"episodes": 1.5}), "episodes"),
            (shift, json!({"seeds": 21}), "seeds"),
            (shift, json!({"seed": -1}), "seed"),
            (shift, json!({"goal": [1, 1]}), "goal"),
            (shift, json!({"nope": 1}), "nope"),
            (misgeneralization, json!({"starts": "all"}), "starts"),
            (misgeneralization, json!({"goal": [0, 0]}), "wall"),
            (misgeneralization, json!({"goal": [1]}), "goal"),
            (brittle, json!({"lava": [1, 1]}), "lava"),
            (brittle, json!({"seeds": 2}), "seeds"),
        ];
        for (f, body, word) in cases {
            let e = f(body.clone(), &mut |_| true).unwrap_err().to_string();
            assert!(e.contains(word), "{body}: {e}");
        }
    }
}
