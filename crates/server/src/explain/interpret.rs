//! The JSON of the `interpret` demonstration: a value heat map of a grid
//! level, the greedy action in every cell, and each cell's value split by
//! the reward's terms beside the intent the same policy earns.
//!
//! Body (every field optional):
//!
//! | field | default | meaning |
//! |---|---|---|
//! | `level` | `side-effects-sokoban` | one of [`interpret::LEVELS`] |
//! | `reward` | the level's own reward | a reward expression over the level's observed signals |

use std::collections::BTreeMap;

use loophole_engine::agents::{Hook, RunError};
use loophole_engine::explain::interpret::{self, Interpretation};
use loophole_engine::level::Level;
use loophole_engine::world::World;
use serde::Deserialize;
use serde_json::{json, Value};

use super::{parse, round};

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Request {
    level: Option<String>,
    reward: Option<String>,
}

/// The level's start as frame characters, and what each character stands for.
pub(crate) fn picture(level: &Level) -> (Vec<String>, BTreeMap<String, &'static str>) {
    (level.preview(), crate::wire::frame_legend())
}

/// Arrow direction of an action key, for the page.
fn arrow(key: char) -> &'static str {
    match key {
        'u' => "up",
        'd' => "down",
        'l' => "left",
        'r' => "right",
        _ => "stay",
    }
}

fn answer(level: &Level, reward: &str, r: &Interpretation) -> Value {
    let keys: Vec<char> = level.world.actions().iter().map(|a| a.key).collect();
    let cells: Vec<Value> = r
        .cells
        .iter()
        .map(|c| match c {
            None => Value::Null,
            Some(c) => json!({
                "value": round(c.value),
                "action": keys[c.action].to_string(),
                "arrow": arrow(keys[c.action]),
                "terms": c.terms.iter().map(|&t| round(t)).collect::<Vec<_>>(),
                "intent": round(c.intent),
            }),
        })
        .collect();
    let start = r.cells[r.start].as_ref();
    let (rows, legend) = picture(level);
    json!({
        "level": level.id,
        "title": level.title,
        "levels": interpret::LEVELS,
        "reward": reward,
        "intent_expression": level.intent_source,
        "horizon": r.horizon,
        "width": r.width,
        "height": r.height,
        "rows": rows,
        "legend": legend,
        "linear": r.linear,
        "terms": r.terms.iter().map(|t| json!({
            "label": t.label,
            "signal": t.signal,
            "coefficient": round(t.coefficient),
        })).collect::<Vec<_>>(),
        "cells": cells,
        "start": r.start,
        "start_value": start.map(|c| round(c.value)),
        "start_intent": start.map(|c| round(c.intent)),
        "path": r.path,
        "actions": r.actions,
        "return": round(r.ret),
        "intent": round(r.performance),
        "states": r.states,
        "supervisor": r.supervised,
    })
}

/// Nothing here trains an agent: the hook has nothing to watch (the
/// level's reachable states, capped, bound the work).
pub fn run(body: Value, _: &mut Hook<'_>) -> Result<Value, RunError> {
    let req: Request = parse(body)?;
    let id = req.level.as_deref().unwrap_or(interpret::DEFAULT_LEVEL);
    let level = interpret::load_level(id)?;
    let src = req.reward.unwrap_or_else(|| level.default_reward.clone());
    let reward = level
        .compile_reward(&src)
        .map_err(|e| format!("reward: {}", e.message))?;
    let r = interpret::interpret(&level, &reward, &Default::default())?;
    Ok(answer(&level, &src, &r))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    fn run(body: serde_json::Value) -> Result<serde_json::Value, String> {
        crate::explain::run("interpret", body, &mut |_| true).map_err(|e| e.to_string())
    }

    #[test]
    fn the_default_is_sokoban_with_its_own_reward() {
        let v = run(json!({})).unwrap();
        assert_eq!(v["level"], "side-effects-sokoban");
        assert_eq!(v["reward"], "50*goal - step");
        assert_eq!(v["start_value"], 45.0);
        assert_eq!(v["start_intent"], 35.0);
        let (w, h) = (v["width"].as_u64().unwrap(), v["height"].as_u64().unwrap());
        assert_eq!(v["cells"].as_array().unwrap().len() as u64, w * h);
        assert_eq!(v["rows"].as_array().unwrap().len() as u64, h);
        let start = &v["cells"][v["start"].as_u64().unwrap() as usize];
        assert_eq!(start["arrow"], "down");
        assert_eq!(start["terms"], json!([-5.0, 50.0]));
        assert_eq!(v["terms"][1]["label"], "50*goal");
        assert_eq!(v["path"][0], v["start"]);
    }

    #[test]
    fn another_level_and_reward() {
        let v = run(json!({"level": "island-navigation", "reward": "50*goal - 2*step"})).unwrap();
        assert_eq!(v["start_value"], 42.0);
        assert_eq!(v["linear"], true);
    }

    #[test]
    fn bad_bodies_say_what_is_wrong() {
        for (body, needle) in [
            (json!({"level": "nope"}), "not available here"),
            (json!({"level": "company-profits"}), "not available here"),
            (json!({"reward": "water"}), "reward:"),
            (json!({"reward": "1 +"}), "reward:"),
            (json!({"reward": 3}), "bad settings"),
            (json!({"extra": 1}), "unknown field"),
        ] {
            let err = run(body).unwrap_err();
            assert!(err.contains(needle), "{err}");
        }
    }
}
