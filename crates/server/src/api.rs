//! The handlers of docs/API.md and of the pages.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::sse::{KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::Json;
use loophole_engine::agents::AgentKind;
use loophole_engine::lang::Program;
use loophole_engine::score;
use loophole_store::NewDesign;

use crate::assets;
use crate::error::ApiError;
use crate::extract::{ApiJson, ApiPath};
use crate::runs::{self, RunJob};
use crate::state::{AppState, LevelSlot};
use crate::wire::{
    CheckRequest, CheckResponse, DesignBody, DesignCreated, LevelBody, RunCreated, RunRequest,
};

/// Longest id accepted in a path before any lookup (ids are much shorter).
const MAX_ID_LEN: usize = 64;

pub async fn levels(State(state): State<AppState>) -> Result<Response, ApiError> {
    let mut bests = Vec::with_capacity(state.levels().len());
    for slot in state.levels() {
        bests.push(state.best_performance(slot).await?);
    }
    let bodies: Vec<LevelBody> = state
        .levels()
        .iter()
        .zip(bests)
        .map(|(slot, best)| LevelBody::new(slot, best, false))
        .collect();
    Ok(Json(bodies).into_response())
}

pub async fn level(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
) -> Result<Response, ApiError> {
    let slot = state.level(&id)?;
    let best = state.best_performance(&slot).await?;
    Ok(Json(LevelBody::new(&slot, best, true)).into_response())
}

pub async fn check(
    State(state): State<AppState>,
    ApiJson(req): ApiJson<CheckRequest>,
) -> Result<Json<CheckResponse>, ApiError> {
    let slot = state.level(&req.level)?;
    let program = slot
        .level
        .compile_reward(&req.reward)
        .map_err(ApiError::reward)?;
    let signals = program
        .signals_used()
        .iter()
        .filter_map(|&i| slot.level.signals.get(i))
        .map(|s| s.name.clone())
        .collect();
    Ok(Json(CheckResponse { ok: true, signals }))
}

/// A run request checked against the level: everything a run or a saved design needs.
struct Validated {
    slot: Arc<LevelSlot>,
    reward: Program,
    agent: AgentKind,
    power: u32,
    seed: u64,
}

/// The level, the compiled reward and the agent of a request (the level's
/// default agent unless one is named); value iteration is refused where the
/// level's exact MDP cannot be built.
pub(crate) fn level_reward_agent(
    state: &AppState,
    level: &str,
    reward: &str,
    agent: &Option<String>,
) -> Result<(Arc<LevelSlot>, Program, AgentKind), ApiError> {
    let slot = state.level(level)?;
    let program = slot
        .level
        .compile_reward(reward)
        .map_err(ApiError::reward)?;
    let agent = match agent {
        Some(name) => AgentKind::parse(name).map_err(ApiError::BadRequest)?,
        None => slot.default_agent,
    };
    if let (AgentKind::ValueIteration, Some(why)) = (agent, &slot.vi_refusal) {
        return Err(ApiError::BadRequest(format!(
            "value-iteration cannot plan on `{}`: {why}; use mcts or q-learning",
            slot.level.id
        )));
    }
    Ok((slot, program, agent))
}

fn validate(state: &AppState, req: &RunRequest) -> Result<Validated, ApiError> {
    let (slot, reward, agent) = level_reward_agent(state, &req.level, &req.reward, &req.agent)?;
    let level = &slot.level;
    let max = score::max_power(agent, level);
    let power = match req.power {
        None => agent.default_power(level.steps).min(max),
        Some(p) if (1..=u64::from(max)).contains(&p) => p as u32,
        Some(p) => {
            return Err(ApiError::BadRequest(format!(
                "power ({} for {}) must be from 1 to {max} on `{}`, found {p}",
                agent.power_meaning(),
                agent.name(),
                level.id
            )))
        }
    };
    Ok(Validated {
        slot,
        reward,
        agent,
        power,
        seed: req.seed.unwrap_or(0),
    })
}

pub async fn start_run(
    State(state): State<AppState>,
    ApiJson(req): ApiJson<RunRequest>,
) -> Result<Response, ApiError> {
    let v = validate(&state, &req)?;
    let permit = state.run_slot().await?;
    let job = RunJob {
        slot: v.slot,
        reward_text: req.reward,
        reward: v.reward,
        agent: v.agent,
        power: v.power,
        seed: v.seed,
    };
    let id = runs::start(&state, job, permit).map_err(ApiError::Internal)?;
    let events = format!("/api/runs/{id}/events");
    Ok((StatusCode::CREATED, Json(RunCreated { id, events })).into_response())
}

pub async fn run_events(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
) -> Result<Response, ApiError> {
    let log = state.inner.runs.get(&id).ok_or_else(|| {
        ApiError::NotFound("no such run: runs are kept for a few minutes after they finish".into())
    })?;
    Ok(Sse::new(log.events())
        .keep_alive(KeepAlive::default())
        .into_response())
}

pub async fn save_design(
    State(state): State<AppState>,
    ApiJson(req): ApiJson<RunRequest>,
) -> Result<Response, ApiError> {
    let v = validate(&state, &req)?;
    let design = NewDesign {
        level: v.slot.level.id.clone(),
        reward: req.reward,
        agent: v.agent.name().to_string(),
        power: v.power,
        seed: v.seed,
    };
    let store = state.inner.store.clone();
    let id = tokio::task::spawn_blocking(move || store.save_design(&design))
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    let url = format!("/s/{id}");
    Ok((StatusCode::CREATED, Json(DesignCreated { id, url })).into_response())
}

async fn find_design(
    state: &AppState,
    id: String,
) -> Result<Option<loophole_store::Design>, ApiError> {
    if id.is_empty() || id.len() > MAX_ID_LEN {
        return Ok(None);
    }
    let store = state.inner.store.clone();
    tokio::task::spawn_blocking(move || store.load_design(&id))
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?
        .map_err(|e| ApiError::Internal(e.to_string()))
}

pub async fn design(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
) -> Result<Response, ApiError> {
    match find_design(&state, id).await? {
        Some(d) => Ok(Json(DesignBody::from(d)).into_response()),
        None => Err(ApiError::NotFound("no saved design has this id".into())),
    }
}

// ----- pages -----

pub async fn index(headers: HeaderMap) -> Response {
    assets::file("index.html", &headers)
}

pub async fn play(headers: HeaderMap) -> Response {
    assets::file("play.html", &headers)
}

pub async fn play_level(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    headers: HeaderMap,
) -> Response {
    match state.level(&id) {
        Ok(_) => assets::file("level.html", &headers),
        Err(_) => assets::not_found_page(),
    }
}

pub async fn shared_design(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    headers: HeaderMap,
) -> Response {
    match find_design(&state, id).await {
        Ok(Some(_)) => assets::file("level.html", &headers),
        Ok(None) => assets::not_found_page(),
        Err(e) => e.into_response(),
    }
}

pub async fn static_file(ApiPath(path): ApiPath<String>, headers: HeaderMap) -> Response {
    assets::static_file(&path, &headers)
}

/// Unknown addresses: a JSON error under `/api/`, a page elsewhere.
pub async fn not_found(uri: Uri) -> Response {
    if uri.path().starts_with("/api/") {
        ApiError::NotFound("no such endpoint; see docs/API.md".into()).into_response()
    } else {
        assets::not_found_page()
    }
}

pub async fn method_not_allowed() -> Response {
    ApiError::Body {
        status: StatusCode::METHOD_NOT_ALLOWED,
        message: "this address does not answer that method".into(),
    }
    .into_response()
}
