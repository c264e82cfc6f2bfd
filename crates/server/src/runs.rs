//! Runs: the engine's work on a blocking thread, its events, and the
//! registry that keeps them readable as Server-Sent Events.
//!
//! A run's events are appended to a log held in a `watch` channel. Readers
//! replay the log from its start and then wait for more, so a client that
//! connects late, or after the run has finished, still sees every event
//! (there are at most [`MAX_PROGRESS_EVENTS`] + 1 of them).

use std::collections::{HashMap, VecDeque};
use std::convert::Infallible;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::response::sse::Event;
use futures_util::stream::{self, Stream};
use loophole_engine::agents::{Progress, RunError};
use loophole_engine::run::run;
use loophole_engine::score::{self, Benchmark, Design};
use tokio::sync::watch;

use crate::error::ErrorBody;
use crate::slots::RunPermit;
use crate::state::{AppState, Budget, BudgetAnswer, LevelSlot};
use crate::wire;

/// Most `progress` events sent for one run.
pub const MAX_PROGRESS_EVENTS: u64 = 30;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum EventKind {
    Progress,
    Result,
    Error,
}

/// One server-sent event, its data already serialized.
#[derive(Clone, Debug)]
pub(crate) struct RunEvent {
    kind: EventKind,
    data: Arc<str>,
}

impl RunEvent {
    fn to_sse(&self) -> Event {
        let name = match self.kind {
            EventKind::Progress => "progress",
            EventKind::Result => "result",
            EventKind::Error => "error",
        };
        Event::default().event(name).data(&*self.data)
    }
    fn is_last(&self) -> bool {
        self.kind != EventKind::Progress
    }
}

/// The events of one run so far.
pub(crate) struct RunLog {
    tx: watch::Sender<Vec<RunEvent>>,
}

impl RunLog {
    fn new() -> RunLog {
        RunLog {
            tx: watch::Sender::new(Vec::new()),
        }
    }

    fn push(&self, kind: EventKind, data: String) {
        let event = RunEvent {
            kind,
            data: data.into(),
        };
        self.tx.send_modify(|log| log.push(event));
    }

    /// Every event of the run, from the first, ending after the last.
    pub(crate) fn events(&self) -> impl Stream<Item = Result<Event, Infallible>> + Send + 'static {
        let reader = Reader {
            rx: self.tx.subscribe(),
            next: 0,
            done: false,
        };
        stream::unfold(reader, |mut r| async move {
            let event = r.next().await?;
            Some((Ok(event.to_sse()), r))
        })
    }
}

struct Reader {
    rx: watch::Receiver<Vec<RunEvent>>,
    next: usize,
    done: bool,
}

impl Reader {
    async fn next(&mut self) -> Option<RunEvent> {
        if self.done {
            return None;
        }
        loop {
            if let Some(event) = self.rx.borrow_and_update().get(self.next).cloned() {
                self.next += 1;
                self.done = event.is_last();
                return Some(event);
            }
            if self.rx.changed().await.is_err() {
                // The run was dropped from the registry: read what is left.
                let event = self.rx.borrow().get(self.next).cloned();
                self.done = true;
                return event;
            }
        }
    }
}

/// Runs by id: those computing, and finished ones for a while.
pub(crate) struct RunRegistry {
    inner: Mutex<Registry>,
    keep: Duration,
    max_kept: usize,
}

#[derive(Default)]
struct Registry {
    runs: HashMap<String, Arc<RunLog>>,
    /// Finished runs, oldest first, with when they finished.
    finished: VecDeque<(Instant, String)>,
}

impl RunRegistry {
    pub fn new(keep: Duration, max_kept: usize) -> RunRegistry {
        RunRegistry {
            inner: Mutex::new(Registry::default()),
            keep,
            max_kept,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Registry> {
        // The registry is a plain map: it stays consistent even if a holder panicked.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Registers a new run under a fresh id.
    fn create(&self) -> Result<(String, Arc<RunLog>), String> {
        let mut reg = self.lock();
        loop {
            let id = format!("r-{}", loophole_store::new_id().map_err(|e| e.to_string())?);
            if !reg.runs.contains_key(&id) {
                let log = Arc::new(RunLog::new());
                reg.runs.insert(id.clone(), log.clone());
                return Ok((id, log));
            }
        }
    }

    /// A run by id; a finished run older than the keep time is gone.
    pub fn get(&self, id: &str) -> Option<Arc<RunLog>> {
        let mut reg = self.lock();
        self.expire(&mut reg, Instant::now());
        reg.runs.get(id).cloned()
    }

    /// Marks a run finished and forgets finished runs that are too old or too many.
    fn finish(&self, id: String) {
        let mut reg = self.lock();
        let now = Instant::now();
        reg.finished.push_back((now, id));
        self.expire(&mut reg, now);
    }

    /// Forgets the finished runs that are too old by `now`, or beyond the
    /// most kept, oldest first. The server's sweeper calls it now and then,
    /// so that a quiet server lets go of them too.
    pub fn sweep(&self, now: Instant) {
        self.expire(&mut self.lock(), now);
    }

    fn expire(&self, reg: &mut Registry, now: Instant) {
        while let Some((at, _)) = reg.finished.front() {
            if now.saturating_duration_since(*at) <= self.keep
                && reg.finished.len() <= self.max_kept
            {
                break;
            }
            if let Some((_, old)) = reg.finished.pop_front() {
                reg.runs.remove(&old);
            }
        }
    }

    /// How often the sweeper looks for expired runs: a quarter of the keep
    /// time, from 10 ms to 10 s.
    pub fn sweep_every(&self) -> Duration {
        (self.keep / 4).clamp(Duration::from_millis(10), Duration::from_secs(10))
    }

    /// Number of runs held (computing or finished).
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.lock().runs.len()
    }
}

/// A validated request to run an agent.
pub(crate) struct RunJob {
    pub slot: Arc<LevelSlot>,
    pub reward_text: String,
    pub design: Design,
}

/// Starts a run on a blocking thread; returns its id at once. The permit
/// (one of the server's run slots) is held until the run has finished.
pub(crate) fn start(state: &AppState, job: RunJob, permit: RunPermit) -> Result<String, String> {
    let (id, log) = state.inner.runs.create()?;
    let state = state.clone();
    let run_id = id.clone();
    tokio::spawn(async move {
        let _permit = permit;
        let started = Instant::now();
        let (level, agent, power) = (
            job.slot.level.id.clone(),
            job.design.agent.name(),
            job.design.power,
        );
        let limit = state.limits().run_budget;
        // Worked out once per level, and not charged to this run's budget.
        let outcome = match state.benchmark(&job.slot).await {
            Ok(bench) => {
                let log = log.clone();
                let store = state.inner.store.clone();
                tokio::task::spawn_blocking(move || {
                    execute(&job, &bench, Budget::start(limit, "run"), &log, &store)
                })
                .await
                .unwrap_or_else(|e| Err(Failure::Internal(format!("the run panicked: {e}"))))
            }
            Err(e) => Err(Failure::Internal(e.to_string())),
        };
        let ms = started.elapsed().as_secs_f64() * 1e3;
        let ended = if outcome.is_ok() { "result" } else { "error" };
        tracing::info!(target: "loophole::run", run = %run_id, %level, agent, power, ms = format_args!("{ms:.0}"), ended, "run");
        match outcome {
            Ok(result) => log.push(EventKind::Result, result),
            Err(failure) => {
                let message = match failure {
                    Failure::Engine(m) => m,
                    Failure::Internal(m) => {
                        tracing::error!("run {run_id}: {m}");
                        "the run failed inside the server; the fault is logged".to_string()
                    }
                };
                log.push(EventKind::Error, json(&ErrorBody::message(message)));
            }
        }
        state.inner.runs.finish(run_id);
    });
    Ok(id)
}

enum Failure {
    /// The engine refused or was stopped, with a message for the user.
    Engine(String),
    Internal(String),
}

fn json<T: serde::Serialize>(value: &T) -> String {
    // Our wire types have string keys and infallible fields: this cannot fail.
    serde_json::to_string(value).unwrap_or_else(|_| {
        r#"{"error":{"message":"the server could not encode its answer"}}"#.to_string()
    })
}

/// The run itself: train, play, judge. Returns the `result` event's data.
fn execute(
    job: &RunJob,
    bench: &Benchmark,
    budget: Budget,
    log: &RunLog,
    store: &loophole_store::Store,
) -> Result<String, Failure> {
    let started = Instant::now();
    let failed = |e: RunError| {
        Failure::Engine(match e {
            RunError::Stopped => budget.message(),
            other => other.to_string(),
        })
    };
    let level = &job.slot.level;
    let mut in_time = budget.hook();
    let (mut sent, mut last_bucket) = (0u64, u64::MAX);
    let mut progress = |p: &Progress| {
        if !in_time(p) {
            return false;
        }
        // At most MAX_PROGRESS_EVENTS events: one per 1/30 of the work.
        let bucket = p.done.saturating_mul(MAX_PROGRESS_EVENTS) / p.total.max(1);
        if bucket != last_bucket && sent < MAX_PROGRESS_EVENTS {
            last_bucket = bucket;
            sent += 1;
            log.push(EventKind::Progress, json(&wire::ProgressEvent::from(p)));
        }
        true
    };
    let design = &job.design;
    let result = run(level, &design.reward, &design.config(), &mut progress).map_err(failed)?;
    let verdict = score::verdict(
        level,
        &design.reward,
        bench,
        job.slot.record(),
        Some(&result),
        &mut budget.hook(),
    )
    .map_err(failed)?;
    if let Some(record) = job.slot.raise_record(&verdict) {
        // Kept across restarts; a failure to write it costs only that.
        if let Err(e) = store.raise_record(&level.id, record) {
            tracing::error!("cannot save the record of `{}`: {e}", level.id);
        }
    }
    let elapsed_ms = started.elapsed().as_millis() as u64;
    let body =
        wire::RunResultBody::new(level, &job.reward_text, &result, &verdict, Some(elapsed_ms));
    Ok(json(&body))
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures_util::StreamExt;

    #[tokio::test]
    async fn a_late_reader_sees_every_event_and_the_stream_ends() {
        let log = RunLog::new();
        log.push(EventKind::Progress, "{}".into());
        let reader = log.events();
        log.push(EventKind::Result, "{\"return\":1}".into());
        log.push(EventKind::Progress, "{}".into());
        assert_eq!(reader.count().await, 2);
        assert_eq!(log.events().count().await, 2);
    }

    #[test]
    fn finished_runs_beyond_the_limit_are_forgotten_oldest_first() {
        let reg = RunRegistry::new(Duration::from_secs(60), 2);
        let ids: Vec<String> = (0..3).map(|_| reg.create().unwrap().0).collect();
        for id in &ids {
            reg.finish(id.clone());
        }
        assert_eq!(reg.len(), 2);
        assert!(reg.get(&ids[0]).is_none());
        assert!(reg.get(&ids[2]).is_some());
        let expired = RunRegistry::new(Duration::ZERO, 10);
        let (a, _) = expired.create().unwrap();
        let (b, _) = expired.create().unwrap();
        expired.finish(a.clone());
        std::thread::sleep(Duration::from_millis(2));
        expired.finish(b.clone());
        assert!(expired.get(&a).is_none());
    }

    #[test]
    fn the_sweep_forgets_expired_runs_without_any_other_call() {
        let reg = RunRegistry::new(Duration::from_millis(50), 10);
        let (a, _) = reg.create().unwrap();
        let (running, _) = reg.create().unwrap();
        reg.finish(a.clone());
        let t = Instant::now();
        reg.sweep(t);
        assert_eq!(reg.len(), 2, "kept within its time");
        reg.sweep(t + Duration::from_millis(60));
        assert_eq!(
            reg.len(),
            1,
            "the finished run is forgotten, the running one kept"
        );
        assert!(reg.lock().runs.contains_key(&running));
        assert_eq!(reg.sweep_every(), Duration::from_micros(12_500));
        let long = RunRegistry::new(Duration::from_secs(300), 64);
        assert_eq!(long.sweep_every(), Duration::from_secs(10));
    }

    async fn call(app: &axum::Router, method: &str, uri: &str, body: &str) -> (u16, String) {
        use http_body_util::BodyExt;
        use tower::ServiceExt;
        let request = axum::http::Request::builder()
            .method(method)
            .uri(uri)
            .header("content-type", "application/json")
            .body(axum::body::Body::from(body.to_string()))
            .unwrap();
        let response = app.clone().oneshot(request).await.unwrap();
        let status = response.status().as_u16();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        (status, String::from_utf8_lossy(&bytes).into_owned())
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_finished_run_expires_on_a_quiet_server() {
        let keep = Duration::from_millis(300);
        let limits = crate::Limits {
            keep_results: keep,
            ..Default::default()
        };
        let state = AppState::with_limits(loophole_store::Store::open_in_memory().unwrap(), limits)
            .unwrap();
        let app = crate::app(state.clone());
        let (status, created) = call(
            &app,
            "POST",
            "/api/runs",
            r#"{"level": "boat-race", "reward": "3*arrow - step", "agent": "value-iteration"}"#,
        )
        .await;
        assert_eq!(status, 201, "{created}");
        let created: serde_json::Value = serde_json::from_str(&created).unwrap();
        let events = created["events"].as_str().unwrap().to_string();
        let (status, body) = call(&app, "GET", &events, "").await;
        assert_eq!(status, 200);
        assert!(body.contains("event: result"), "{body}");
        let finished = Instant::now();
        let (status, _) = call(&app, "GET", &events, "").await;
        assert_eq!(status, 200, "readable again within its keep time");
        assert_eq!(state.inner.runs.len(), 1);
        // No request at all while the keep time runs out: the sweeper alone
        // forgets the run.
        tokio::time::sleep(keep * 2).await;
        assert_eq!(state.inner.runs.len(), 0, "after {:?}", finished.elapsed());
        let (status, body) = call(&app, "GET", &events, "").await;
        assert_eq!(status, 404, "{body}");
        assert!(body.contains("runs are kept for a few minutes"), "{body}");
    }
}
