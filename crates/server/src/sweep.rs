//! `POST /api/sweep`: the Goodhart curve of a reward on a level, computed live.

use std::time::{Duration, Instant};

use axum::extract::State;
use axum::Json;
use loophole_engine::experiment::{self, SweepPoint};
use loophole_engine::run::{run, RunConfig};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::ApiError;
use crate::extract::ApiJson;
use crate::state::AppState;
use crate::wire::round;

/// Most episodes per power a client may ask for.
pub const MAX_SWEEP_SEEDS: u64 = 10;
/// Time a sweep may take before it is stopped.
pub const SWEEP_BUDGET: Duration = Duration::from_secs(10);

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SweepRequest {
    pub level: String,
    pub reward: String,
    pub agent: Option<String>,
    pub seeds: Option<u64>,
}

#[derive(Debug, Serialize)]
pub struct PointBody {
    pub power: u32,
    pub return_mean: f64,
    pub return_sd: f64,
    pub performance_mean: f64,
    pub performance_sd: f64,
}

#[derive(Debug, Serialize)]
pub struct SweepBody {
    pub level: String,
    pub agent: &'static str,
    pub power_meaning: &'static str,
    pub reward: String,
    pub seeds: u64,
    pub points: Vec<PointBody>,
    pub elapsed_ms: u64,
}

pub async fn sweep(
    State(state): State<AppState>,
    ApiJson(req): ApiJson<SweepRequest>,
) -> Result<Json<SweepBody>, ApiError> {
    let (slot, reward, agent) =
        crate::api::level_reward_agent(&state, &req.level, &req.reward, &req.agent)?;
    let (powers, default_seeds) = experiment::default_powers(agent, &slot.level);
    let seeds = req.seeds.unwrap_or(default_seeds);
    if !(1..=MAX_SWEEP_SEEDS).contains(&seeds) {
        return Err(ApiError::BadRequest(format!(
            "seeds must be from 1 to {MAX_SWEEP_SEEDS}, found {seeds}"
        )));
    }
    let started = Instant::now();
    let level_slot = slot.clone();
    let points: Result<Vec<SweepPoint>, String> = state
        .compute(move || {
            let level = &level_slot.level;
            let jobs = experiment::jobs(&powers, seeds);
            let results: Vec<Result<(f64, f64), String>> = jobs
                .par_iter()
                .map(|&(power, seed)| {
                    let cfg = RunConfig {
                        agent,
                        power: Some(power),
                        seed,
                        params: Default::default(),
                    };
                    let in_time = || started.elapsed() < SWEEP_BUDGET;
                    run(level, &reward, &cfg, &mut |_| in_time())
                        .map(|r| (r.episode.ret, r.episode.performance))
                        .map_err(|e| {
                            if e == "stopped" {
                                format!(
                                    "the sweep exceeded its time budget of {} s",
                                    SWEEP_BUDGET.as_secs()
                                )
                            } else {
                                e
                            }
                        })
                })
                .collect();
            let results: Vec<(f64, f64)> = results.into_iter().collect::<Result<_, _>>()?;
            Ok(experiment::summarize(&powers, seeds, &results))
        })
        .await?;
    let points = points.map_err(ApiError::BadRequest)?;
    Ok(Json(SweepBody {
        level: slot.level.id.clone(),
        agent: agent.name(),
        power_meaning: agent.power_meaning(),
        reward: req.reward,
        seeds,
        points: points
            .iter()
            .map(|p| PointBody {
                power: p.power,
                return_mean: round(p.return_mean),
                return_sd: round(p.return_sd),
                performance_mean: round(p.performance_mean),
                performance_sd: round(p.performance_sd),
            })
            .collect(),
        elapsed_ms: started.elapsed().as_millis() as u64,
    }))
}
