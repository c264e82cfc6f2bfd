//! The handlers of docs/API.md and of the pages.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::sse::{KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::Json;
use loophole_engine::score::{self, Design};
use loophole_store::NewDesign;

use crate::assets;
use crate::error::ApiError;
use crate::extract::{ApiJson, ApiPath, Client};
use crate::runs::{self, RunJob};
use crate::state::{AppState, LevelSlot};
use crate::wire::{CheckRequest, CheckResponse, DesignCreated, LevelBody, RunCreated, RunRequest};

/// Longest id accepted in a path before any lookup (ids are much shorter).
const MAX_ID_LEN: usize = 64;

pub async fn levels(State(state): State<AppState>) -> Result<Response, ApiError> {
    let mut bests = Vec::with_capacity(state.levels().len());
    for slot in state.levels() {
        bests.push(state.best(slot).await?);
    }
    let bodies: Vec<LevelBody> = state
        .levels()
        .iter()
        .zip(bests)
        .map(|(slot, best)| slot.body(Some(best), false))
        .collect();
    Ok(Json(bodies).into_response())
}

pub async fn level(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
) -> Result<Response, ApiError> {
    let slot = state.level(&id)?;
    let best = state.best(&slot).await?;
    Ok(Json(slot.body(Some(best), true)).into_response())
}

pub async fn check(
    State(state): State<AppState>,
    ApiJson(req): ApiJson<CheckRequest>,
) -> Result<Json<CheckResponse>, ApiError> {
    let slot = state.level(&req.level)?;
    // A reward being typed is expected to be wrong for a while: its error is
    // the answer, not a failed request (runs and saves still refuse it, 400).
    let answer = match slot.level.compile_reward(&req.reward) {
        Ok(program) => CheckResponse::new(&slot.level, &program),
        Err(d) => CheckResponse::refused(ApiError::reward(d).body().error),
    };
    Ok(Json(answer))
}

/// The level of a run, and the run checked against it by the engine's
/// rules (`score::check`): every run, sweep and saved design goes through here.
pub(crate) fn checked(
    state: &AppState,
    level: &str,
    ask: &score::Request<'_>,
) -> Result<(Arc<LevelSlot>, Design), ApiError> {
    let slot = state.level(level)?;
    let design = score::check(&slot.level, ask)?;
    Ok((slot, design))
}

fn validate(state: &AppState, req: &RunRequest) -> Result<(Arc<LevelSlot>, Design), ApiError> {
    let ask = score::Request {
        reward: &req.reward,
        agent: req.agent.as_deref(),
        power: req.power,
        seed: req.seed.unwrap_or(0),
        params: Default::default(),
    };
    checked(state, &req.level, &ask)
}

pub async fn start_run(
    State(state): State<AppState>,
    Client(client): Client,
    ApiJson(req): ApiJson<RunRequest>,
) -> Result<Response, ApiError> {
    let (slot, design) = validate(&state, &req)?;
    let cost = crate::slots::price(&slot.level, &design, &req.reward);
    let permit = state.run_slot(client, cost).await?;
    let job = RunJob {
        slot,
        reward_text: req.reward,
        design,
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
    Client(client): Client,
    ApiJson(req): ApiJson<RunRequest>,
) -> Result<Response, ApiError> {
    let (slot, checked) = validate(&state, &req)?;
    if let Some(ip) = client {
        state.inner.saves.allow(ip, std::time::Instant::now())?;
    }
    let design = NewDesign {
        level: slot.level.id.clone(),
        reward: req.reward,
        agent: checked.agent.name().to_string(),
        power: checked.power,
        seed: checked.seed,
    };
    let store = state.inner.store.clone();
    let saved = tokio::task::spawn_blocking(move || store.save(&design))
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?
        .map_err(|e| match e {
            full @ loophole_store::StoreError::Full { .. } => ApiError::Full(full.to_string()),
            other => ApiError::Internal(other.to_string()),
        })?;
    // The same design saved before: its link, which already existed.
    let status = if saved.new {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    let id = saved.id;
    let url = format!("/s/{id}");
    Ok((status, Json(DesignCreated { id, url })).into_response())
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
        Some(d) => Ok(Json(DesignBody(&d)).into_response()),
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

// A saved design as the API writes it.
loophole_wire::wire_form!(DesignBody = loophole_store::Design, |d| {
    "id": d.id,
    "level": d.level,
    "reward": d.reward,
    "agent": d.agent,
    "power": d.power,
    "seed": d.seed,
    "created": d.created,
});
