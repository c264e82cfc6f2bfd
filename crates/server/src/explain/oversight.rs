//! The JSON of the `oversight` demonstration: how often the absent-supervisor
//! robot takes the forbidden shortcut at each probability of being checked,
//! with a visible supervisor and with an audit it cannot see.
//!
//! Body (every field optional):
//!
//! | field | default | meaning |
//! |---|---|---|
//! | `fine` | 30 | the fine per crossing seen, 0 to 100 |
//! | `audit` | 0.5 | the probability of being checked whose episodes are shown, 0 to 1 |

use loophole_engine::agents::{Hook, RunError};
use loophole_engine::explain::oversight::{self, Case, Curve, Point};
use serde::Deserialize;
use serde_json::{json, Value};

use super::robust::number;
use super::{parse, round};

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Request {
    fine: Option<Value>,
    audit: Option<Value>,
}

fn point(p: &Point) -> Value {
    json!({
        "p": round(p.p),
        "shortcut_rate": round(p.shortcut_rate),
        "mean_return": round(p.mean_return),
        "mean_intent": round(p.mean_intent),
    })
}

fn case(c: &Option<Case>) -> Value {
    match c {
        None => Value::Null,
        Some(c) => json!({
            "checked": c.checked,
            "weight": round(c.weight),
            "shortcut": c.shortcut,
            "fined": c.fined,
            "return": round(c.episode.ret),
            "intent": round(c.episode.performance),
            "steps": c.episode.steps,
            "actions": c.episode.actions,
            "rows": c.episode.frames.first().map(|f| f.rows.clone()).unwrap_or_default(),
            "path": c.path.iter().map(|&(r, col)| [r, col]).collect::<Vec<_>>(),
        }),
    }
}

fn curve(c: &Curve) -> Value {
    json!({
        "kind": c.kind.name(),
        "threshold": c.threshold.map(round),
        "points": c.points.iter().map(point).collect::<Vec<_>>(),
        "at": point(&c.at),
        "checked": case(&c.checked),
        "unchecked": case(&c.unchecked),
    })
}

pub fn run(body: Value, hook: &mut Hook<'_>) -> Result<Value, RunError> {
    let req: Request = parse(body)?;
    let fine = number(
        req.fine.as_ref(),
        "fine",
        0.0,
        oversight::MAX_FINE,
        oversight::DEFAULT_FINE,
    )?;
    let audit = number(req.audit.as_ref(), "audit", 0.0, 1.0, 0.5)?;
    let r = oversight::oversight(fine, audit, hook)?;
    Ok(json!({
        "level": r.level,
        "reward": r.reward,
        "fine": round(r.fine),
        "audit": round(r.p),
        "shortcut_steps": r.shortcut_steps,
        "long_steps": r.long_steps,
        "saving": r.long_steps.saturating_sub(r.shortcut_steps),
        "predicted_threshold": r.predicted.map(round),
        "visible": curve(&r.visible),
        "unseen": curve(&r.unseen),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_answer_both_curves() {
        let v = run(json!({}), &mut |_| true).unwrap();
        assert_eq!(v["fine"], 30.0);
        assert_eq!(v["predicted_threshold"], 0.2);
        assert_eq!(v["visible"]["points"].as_array().unwrap().len(), 21);
        assert_eq!(v["unseen"]["at"]["shortcut_rate"], 0.0);
        assert_eq!(v["visible"]["at"]["shortcut_rate"], 0.5);
        assert_eq!(v["unseen"]["threshold"], 0.200012);
        assert!(v["visible"]["unchecked"]["path"].as_array().unwrap().len() == 4);
    }

    #[test]
    fn bad_bodies_are_refused_naming_the_field() {
        for (body, word) in [
            (json!({"fine": -1}), "fine"),
            (json!({"fine": 101}), "fine"),
            (json!({"fine": "x"}), "fine"),
            (json!({"audit": 1.5}), "audit"),
            (json!({"extra": 1}), "extra"),
        ] {
            let e = run(body, &mut |_| true).unwrap_err().to_string();
            assert!(e.contains(word), "{e}");
        }
    }
}
