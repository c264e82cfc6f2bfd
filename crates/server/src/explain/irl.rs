//! The JSON of the `irl` demonstration: maximum-entropy inverse RL from a
//! person's demonstrations, the inferred reward, what its optimizer does
//! beside the hand-written reward's, and how much the demonstrations leave
//! each weight open.
//!
//! Body (every field optional):
//!
//! | field | default | meaning |
//! |---|---|---|
//! | `level` | `vase-room` | one of [`irl::LEVELS`] |
//! | `demos` | [`irl::DEFAULT_DEMOS`] (vase room), else required | 1 to 10 action strings in the level's keys (`u d l r`), each a whole episode: it ends where the episode ends, or uses every step |

use loophole_engine::agents::{Hook, RunError};
use loophole_engine::explain::irl::{self, Irl, Play};
use loophole_engine::level::Level;
use loophole_engine::world::World;
use serde::Deserialize;
use serde_json::{json, Value};

use super::interpret::picture;
use super::{parse, round};

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Request {
    level: Option<String>,
    demos: Option<Vec<String>>,
}

fn play(level: &Level, p: &Play) -> Value {
    let totals: serde_json::Map<String, Value> = level
        .signals
        .iter()
        .zip(&p.totals)
        .map(|(d, &t)| (d.name.clone(), Value::from(round(t))))
        .collect();
    json!({
        "reward": p.reward,
        "return": round(p.ret),
        "intent": round(p.performance),
        "actions": p.actions,
        "path": p.path,
        "totals": totals,
    })
}

fn answer(level: &Level, r: &Irl) -> Value {
    let (rows, legend) = picture(level);
    let start = level.world.grid().map(|g| g.start().agent as usize);
    json!({
        "level": level.id,
        "title": level.title,
        "levels": irl::LEVELS,
        "story": level.story,
        "horizon": r.horizon,
        "width": level.world.width(),
        "height": level.world.height(),
        "rows": rows,
        "legend": legend,
        "start": start,
        "keys": level.world.actions().iter().map(|a| json!({"key": a.key.to_string(), "name": a.name})).collect::<Vec<_>>(),
        "intent_expression": level.intent_source,
        "demos": r.demos.iter().map(|d| json!({
            "actions": d.actions,
            "path": d.path,
            "return": round(d.ret),
            "intent": round(d.performance),
        })).collect::<Vec<_>>(),
        "weights": r.weights.iter().map(|w| json!({
            "signal": w.signal,
            "description": w.description,
            "weight": round(w.weight),
            "rounded": round(w.rounded),
            "demo_mean": round(w.demo_mean),
            "model_mean": round(w.model_mean),
            "shown": w.shown,
            "low": w.low.map(round),
            "high": w.high.map(round),
        })).collect::<Vec<_>>(),
        "expression": r.expression,
        "log_likelihood": round(r.log_likelihood),
        "hand_log_likelihood": r.hand_log_likelihood.map(round),
        "random_log_likelihood": round(r.random_log_likelihood),
        "iterations": r.iterations,
        "converged": r.converged,
        "prior_sd": irl::PRIOR_SD,
        "slack": irl::SLACK,
        "reach": irl::REACH,
        "hand": play(level, &r.hand),
        "learned": play(level, &r.learned),
        "states": r.states,
    })
}

/// Not stopped by the hook: the inference has no checkpoint for it yet;
/// its settings bound the work instead.
pub fn run(body: Value, _: &mut Hook<'_>) -> Result<Value, RunError> {
    let req: Request = parse(body)?;
    let id = req.level.as_deref().unwrap_or("vase-room");
    let level = irl::load_level(id)?;
    let demos = match req.demos {
        Some(d) => d,
        None if id == "vase-room" => irl::DEFAULT_DEMOS.iter().map(|s| s.to_string()).collect(),
        None => return Err(format!("demos: give the demonstrations for level `{id}`").into()),
    };
    if demos.len() > irl::MAX_DEMOS {
        return Err(format!(
            "demos: {} given; the limit is {}",
            demos.len(),
            irl::MAX_DEMOS
        )
        .into());
    }
    if let Some((i, d)) = demos
        .iter()
        .enumerate()
        .find(|(_, d)| d.len() > 4 * level.steps as usize + 64)
    {
        return Err(format!(
            "demos: demonstration {} is {} characters long; the level ends after {} steps",
            i + 1,
            d.len(),
            level.steps
        )
        .into());
    }
    let r = irl::infer(&level, &demos).map_err(|e| format!("demos: {e}"))?;
    Ok(answer(&level, &r))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    fn run(body: serde_json::Value) -> Result<serde_json::Value, String> {
        crate::explain::run("irl", body, &mut |_| true).map_err(|e| e.to_string())
    }

    #[test]
    fn the_default_demonstrations_walk_round_the_crate() {
        let v = run(json!({})).unwrap();
        assert_eq!(v["level"], "vase-room");
        assert_eq!(v["demos"].as_array().unwrap().len(), 2);
        let pushed = v["weights"]
            .as_array()
            .unwrap()
            .iter()
            .find(|w| w["signal"] == "pushed")
            .unwrap();
        assert!(pushed["weight"].as_f64().unwrap() < -3.0);
        assert_eq!(pushed["shown"], false);
        assert_eq!(pushed["low"], serde_json::Value::Null);
        assert_eq!(v["hand"]["totals"]["pushed"], 2.0);
        assert_eq!(v["learned"]["totals"]["pushed"], 0.0);
        assert_eq!(v["learned"]["reward"], v["expression"]);
        assert_eq!(v["hand"]["intent"], 6.0);
        assert_eq!(v["learned"]["intent"], 44.0);
        assert_eq!(v["keys"][0]["key"], "u");
    }

    #[test]
    fn bad_bodies_say_what_is_wrong() {
        let many: Vec<&str> = vec!["llddrd"; 11];
        for (body, needle) in [
            (json!({"level": "boat-race"}), "not available here"),
            (
                json!({"level": "side-effects-sokoban"}),
                "give the demonstrations",
            ),
            (json!({"demos": ["llz"]}), "unknown action `z`"),
            (json!({"demos": ["dd"]}), "stops after 2 steps"),
            (json!({"demos": []}), "at least one"),
            (json!({"demos": many}), "limit is 10"),
            (json!({"demos": "llddrd"}), "bad settings"),
            (json!({"demos": ["d".repeat(500)]}), "characters long"),
            (json!({"demo": ["llddrd"]}), "unknown field"),
        ] {
            let err = run(body).unwrap_err();
            assert!(err.contains(needle), "{err}");
        }
    }
}
