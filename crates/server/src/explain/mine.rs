//! The JSON of the `shallow` and `conflict` demonstrations.

use loophole_engine::agents::{Hook, RunError};
use loophole_engine::explain::{conflict, shallow};
use loophole_engine::run::Episode;
use serde::Deserialize;
use serde_json::{json, Value};

use super::{parse, round};

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ShallowRequest {
    /// The reward to train on (default: the level's).
    reward: Option<String>,
    seed: Option<u64>,
}

fn episode(e: &Episode) -> Value {
    json!({
        "return": round(e.ret),
        "performance": round(e.performance),
        "steps": e.steps,
        "actions": e.actions,
        "frames": e.frames.iter().map(|f| &f.rows).collect::<Vec<_>>(),
    })
}

fn case(c: &shallow::Case) -> Value {
    json!({
        "watched": c.watched,
        "episode": episode(&c.episode),
        "shortcuts": round(c.shortcuts),
        "punished": round(c.punished),
        "account": c.account,
    })
}

pub fn shallow(body: Value, hook: &mut Hook<'_>) -> Result<Value, RunError> {
    let req: ShallowRequest = parse(body)?;
    if req.reward.as_ref().is_some_and(|r| r.len() > 2000) {
        return Err("reward: longer than 2000 bytes".into());
    }
    let r = shallow::shallow(req.reward.as_deref(), req.seed.unwrap_or(0), hook)?;
    Ok(json!({
        "level": r.level,
        "reward": r.reward,
        "agent": r.agent.name(),
        "power": r.power,
        "seed": r.seed,
        "watched": case(&r.watched),
        "unwatched": case(&r.unwatched),
        "expected_performance": round(r.expected_performance),
    }))
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConflictRequest {
    helpful: Option<f64>,
    harmless: Option<f64>,
    honest: Option<f64>,
}

fn behaviour(b: &conflict::Behaviour) -> Value {
    json!({
        "weights": b.weights.map(round),
        "picks": b.picks,
        "scores": b.scores.map(round),
    })
}

/// Nothing here trains: the hook has nothing to watch.
pub fn conflict(body: Value, _: &mut Hook<'_>) -> Result<Value, RunError> {
    let req: ConflictRequest = parse(body)?;
    let w = [req.helpful, req.harmless, req.honest].map(|x| x.unwrap_or(1.0));
    let r = conflict::conflict(w)?;
    Ok(json!({
        "aims": conflict::AIMS,
        "simulation": "An illustration, not a measurement: the replies and their scores below are assumptions written by hand; the optimization over them is computed.",
        "requests": conflict::REQUESTS.iter().map(|q| json!({
            "prompt": q.prompt,
            "replies": q.replies.iter().map(|(text, s)| json!({"text": text, "scores": s})).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "chosen": behaviour(&r.chosen),
        "behaviours": r.behaviours.iter().map(|(b, n)| {
            let mut v = behaviour(b);
            v["weightings"] = json!(n);
            v
        }).collect::<Vec<_>>(),
        "grid_steps": conflict::STEPS,
        "ideal": r.ideal.map(round),
        "best_worst_gap": round(r.best_worst_gap),
        "pareto": r.pareto,
    }))
}
