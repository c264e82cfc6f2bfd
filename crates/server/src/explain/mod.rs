//! `POST /api/explain/{name}`: the numbers of the explainer page's widgets.
//!
//! Each demonstration reads its own JSON body (unknown fields refused) and
//! answers JSON built here and nowhere else: `loophole explain NAME --input
//! JSON` prints [`run`]'s answer, so the page and the command line agree.

mod interpret;
mod irl;
mod mine;
mod oversight;
mod robust;

use axum::extract::State;
use axum::Json;
use loophole_engine::agents::{Hook, RunError};
use serde_json::Value;

use crate::error::ApiError;
use crate::extract::{ApiJson, ApiPath, Client};
use crate::slots::Cost;
use crate::state::{AppState, Budget, BudgetAnswer};

/// A demonstration's computation: its answer to a body, within what the
/// hook allows (the server's hook stops it when its time budget is spent).
pub type Compute = fn(Value, &mut Hook<'_>) -> Result<Value, RunError>;

/// One demonstration: its name, what it shows, and its computation.
pub struct Demo {
    pub name: &'static str,
    pub about: &'static str,
    pub run: Compute,
}

/// Every demonstration, in the order of the page.
pub const DEMOS: &[Demo] = &[
    Demo {
        name: "shallow",
        about: "the same trained robot, watched and unwatched (absent supervisor)",
        run: mine::shallow,
    },
    Demo {
        name: "conflict",
        about: "helpful, harmless, honest: every behaviour some weighting can produce",
        run: mine::conflict,
    },
    Demo {
        name: "interpret",
        about: "value heat map, policy arrows and the value split by reward term",
        run: interpret::run,
    },
    Demo {
        name: "oversight",
        about: "how much unseen auditing keeps the absent-supervisor robot honest",
        run: oversight::run,
    },
    Demo {
        name: "irl",
        about: "maximum-entropy inverse RL from demonstrations, then optimized",
        run: irl::run,
    },
    Demo {
        name: "shift",
        about: "a policy trained on one map, tested on others (distributional shift)",
        run: robust::shift,
    },
    Demo {
        name: "misgeneralization",
        about: "a goal always in the same place during training, moved at test",
        run: robust::misgeneralization,
    },
    Demo {
        name: "brittle",
        about: "the one-tile change an adversary would make to break a trained policy",
        run: robust::brittle,
    },
];

/// Finds a demonstration by name, or says which exist.
pub fn find(name: &str) -> Result<&'static Demo, String> {
    DEMOS.iter().find(|d| d.name == name).ok_or_else(|| {
        let names: Vec<&str> = DEMOS.iter().map(|d| d.name).collect();
        let hint = loophole_engine::lang::suggest::nearest(name, names.iter().copied())
            .map(|n| format!(" (did you mean `{n}`?)"))
            .unwrap_or_default();
        format!(
            "no demonstration `{name}`{hint}; there are: {}",
            names.join(", ")
        )
    })
}

/// Runs a demonstration on a JSON body: the answer, or why the body is
/// wrong. `hook` sees the work and may stop it.
pub fn run(name: &str, body: Value, hook: &mut Hook<'_>) -> Result<Value, RunError> {
    answer(find(name)?, body, hook)
}

/// A demonstration's answer, with the frame legend that names the
/// characters of the maps it draws (`legend`).
fn answer(demo: &Demo, body: Value, hook: &mut Hook<'_>) -> Result<Value, RunError> {
    let mut answer = (demo.run)(body, hook)?;
    if let Some(fields) = answer.as_object_mut() {
        fields
            .entry("legend")
            .or_insert_with(|| serde_json::json!(crate::wire::frame_legend()));
    }
    Ok(answer)
}

/// Reads a request body into a demonstration's own settings.
pub(crate) fn parse<T: serde::de::DeserializeOwned>(body: Value) -> Result<T, String> {
    serde_json::from_value(body).map_err(|e| format!("bad settings: {e}"))
}

/// Rounds for the wire (shared with the other simulations' answers).
pub(crate) use crate::wire::round;

pub async fn handler(
    State(state): State<AppState>,
    Client(client): Client,
    ApiPath(name): ApiPath<String>,
    ApiJson(body): ApiJson<Value>,
) -> Result<Json<Value>, ApiError> {
    let demo = find(&name).map_err(ApiError::NotFound)?;
    // The budget counts from the request, waiting for a slot included.
    let budget = Budget::start(state.limits().run_budget, "demonstration");
    let answer = state
        // The explainer's settings bound each demonstration to a moment's work.
        .compute(client, Cost::Cheap, move || {
            answer(demo, body, &mut budget.hook())
        })
        .await?
        .map_err(|e| budget.error(e))?;
    Ok(Json(answer))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every map row anywhere in an answer (`rows`, or the rows of `frames`).
    fn rows_in(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::Object(fields) => {
                for (k, v) in fields {
                    if k == "rows" || k == "frames" {
                        collect_strings(v, out);
                    } else {
                        rows_in(v, out);
                    }
                }
            }
            Value::Array(items) => items.iter().for_each(|v| rows_in(v, out)),
            _ => {}
        }
    }
    fn collect_strings(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::String(s) => out.push(s.clone()),
            Value::Array(items) => items.iter().for_each(|v| collect_strings(v, out)),
            Value::Object(_) => rows_in(v, out),
            _ => {}
        }
    }

    #[test]
    fn every_answer_that_draws_a_map_names_its_characters() {
        let mut drawing = 0;
        for demo in DEMOS {
            let v = run(demo.name, serde_json::json!({}), &mut |_| true).unwrap();
            let mut rows = Vec::new();
            rows_in(&v, &mut rows);
            if !rows.is_empty() {
                drawing += 1;
            }
            for row in rows {
                for ch in row.chars() {
                    assert!(
                        v["legend"][ch.to_string()].is_string(),
                        "{}: `{ch}` of {row:?} is not in its legend",
                        demo.name
                    );
                }
            }
        }
        assert!(drawing >= 6, "{drawing} demonstrations draw maps");
    }
}
