//! `POST /api/sweep`: the Goodhart curve of a reward on a level, computed live.

use std::time::Instant;

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::Json;
use loophole_engine::agents::RunError;
use loophole_engine::experiment;
use loophole_engine::score;
use loophole_engine::world::Params;
use rayon::prelude::*;
use serde::Deserialize;

use crate::error::ApiError;
use crate::extract::{ApiJson, Client};
use crate::slots::Cost;
use crate::state::{AppState, Budget, BudgetAnswer};
use crate::wire::SweepBody;

/// Most episodes per power a client may ask for.
pub const MAX_SWEEP_SEEDS: u64 = 10;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SweepRequest {
    pub level: String,
    pub reward: String,
    pub agent: Option<String>,
    pub seeds: Option<u64>,
}

pub async fn sweep(
    State(state): State<AppState>,
    Client(client): Client,
    ApiJson(req): ApiJson<SweepRequest>,
) -> Result<Response, ApiError> {
    // The budget counts from the request, waiting for a slot included.
    let budget = Budget::start(state.limits().run_budget, "sweep");
    let started = Instant::now();
    let ask = score::Request {
        reward: &req.reward,
        agent: req.agent.as_deref(),
        ..Default::default()
    };
    let (slot, design) = crate::api::checked(&state, &req.level, &ask)?;
    let agent = design.agent;
    let (powers, default_seeds) = experiment::default_powers(agent, &slot.level);
    let seeds = req.seeds.unwrap_or(default_seeds);
    if !(1..=MAX_SWEEP_SEEDS).contains(&seeds) {
        return Err(ApiError::BadRequest(format!(
            "seeds must be from 1 to {MAX_SWEEP_SEEDS}, found {seeds}"
        )));
    }
    let level_slot = slot.clone();
    // Many runs at every power: dear, whatever the reward.
    let swept = state
        .compute(client, Cost::Dear, move || {
            let level = &level_slot.level;
            let jobs = experiment::jobs(&powers, seeds);
            let params = Params::new();
            // Results come back in job order, whatever the number of threads.
            let results = jobs
                .par_iter()
                .map(|&(power, seed)| {
                    let mut in_time = budget.hook();
                    experiment::run_job(
                        level,
                        &design.reward,
                        agent,
                        power,
                        seed,
                        &params,
                        &mut in_time,
                    )
                })
                .collect::<Result<Vec<_>, RunError>>()?;
            Ok(experiment::summarize(&powers, seeds, &results))
        })
        .await?;
    let points = swept.map_err(|e| budget.error(e))?;
    let body = SweepBody::new(
        &slot.level,
        agent,
        &req.reward,
        seeds,
        &points,
        Some(started.elapsed().as_millis() as u64),
    );
    Ok(Json(body).into_response())
}
