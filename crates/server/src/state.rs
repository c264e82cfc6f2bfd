//! What every request shares: the levels, the store, the run registry and the limits.

use std::sync::Arc;
use std::time::Duration;

use loophole_engine::agents::{AgentKind, RunError};
use loophole_engine::level::Level;
use loophole_engine::score::Benchmark;
use loophole_engine::{levels, score};
use loophole_store::Store;
use tokio::sync::OnceCell;

use crate::error::{ApiError, ServerError};
use crate::runs::RunRegistry;
use crate::slots::{Cost, RunPermit, Slots};

/// Limits on the work the server takes on.
#[derive(Clone, Debug, PartialEq)]
pub struct Limits {
    /// Runs computing at once; a run beyond that waits up to `slot_wait`
    /// for a slot, then is refused with 429. Dear runs may take all but one
    /// of them, and a client one at a time (see `slots.rs`).
    pub max_runs: usize,
    /// How long a request may wait for a free run slot. A page that asks for
    /// several computations at once gets them one after the other instead of
    /// a 429, but no request ever waits longer than this.
    pub slot_wait: Duration,
    /// Wall-clock time a run (training, the episode and its scoring) may take.
    pub run_budget: Duration,
    /// How long a finished run's events stay readable.
    pub keep_results: Duration,
    /// Most finished runs kept at once (the oldest go first).
    pub max_kept: usize,
    /// API requests one client address may make at once...
    pub per_client_burst: u32,
    /// ...and per second after that.
    pub per_client_per_sec: f64,
    /// Designs one client address may save at once and per minute...
    pub saves_per_minute: u32,
    /// ...and per hour.
    pub saves_per_hour: u32,
}

impl Default for Limits {
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        Limits {
            max_runs: cores.max(2),
            slot_wait: Duration::from_secs(3),
            run_budget: Duration::from_secs(10),
            keep_results: Duration::from_secs(5 * 60),
            max_kept: 64,
            per_client_burst: 60,
            per_client_per_sec: 20.0,
            saves_per_minute: 30,
            saves_per_hour: 300,
        }
    }
}

/// The shared state of the app; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub(crate) inner: Arc<Shared>,
}

pub(crate) struct Shared {
    pub levels: Vec<Arc<LevelSlot>>,
    pub store: Arc<Store>,
    pub runs: RunRegistry,
    pub slots: Slots,
    pub limiter: crate::limit::RateLimiter,
    pub saves: crate::limit::SaveQuota,
    pub limits: Limits,
}

/// A level with what is worked out about it once.
pub struct LevelSlot {
    pub level: Level,
    /// The agent the level is played with unless another is chosen.
    pub default_agent: AgentKind,
    /// Why value iteration cannot plan on this level, if it cannot.
    pub vi_refusal: Option<String>,
    bench: OnceCell<Arc<Benchmark>>,
    /// The best intent score a design has reached here, where the benchmark
    /// is only the best found by search (raised as designs beat it).
    record: std::sync::Mutex<f64>,
}

impl LevelSlot {
    pub fn new(level: Level) -> LevelSlot {
        LevelSlot {
            vi_refusal: score::plan_refusal(&level),
            default_agent: score::default_agent(&level),
            level,
            bench: OnceCell::new(),
            record: std::sync::Mutex::new(f64::NEG_INFINITY),
        }
    }

    /// The level as the API writes it (see [`crate::wire::LevelBody::new`]).
    pub fn body(&self, best: Option<(f64, bool)>, with_agents: bool) -> crate::wire::LevelBody<'_> {
        let agents = with_agents.then_some(crate::wire::LevelAgents {
            default: self.default_agent,
            vi_refusal: self.vi_refusal.as_deref(),
        });
        crate::wire::LevelBody::new(&self.level, best, agents)
    }

    /// The best a design has reached here before (see [`score::verdict`]).
    pub fn record(&self) -> f64 {
        *self.record.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Raises the record to what a verdict found, where it found more;
    /// returns the new record when it was raised.
    pub fn raise_record(&self, verdict: &score::Verdict) -> Option<f64> {
        if verdict.best_exact {
            return None;
        }
        let mut r = self.record.lock().unwrap_or_else(|e| e.into_inner());
        (verdict.best_performance > *r).then(|| {
            *r = verdict.best_performance;
            *r
        })
    }

    /// The record as saved before (the store's), where it is more.
    fn restore_record(&self, performance: f64) {
        let mut r = self.record.lock().unwrap_or_else(|e| e.into_inner());
        *r = r.max(performance);
    }

    /// The best intent score to show, and whether it is exact: the
    /// benchmark's, raised by the record where it is not exact.
    pub fn best(&self, bench: &Benchmark) -> (f64, bool) {
        if bench.exact {
            (bench.best, true)
        } else {
            (bench.best.max(self.record()), false)
        }
    }
}

/// A request's time budget is the engine's ([`score::Budget`]); this is
/// what the server tells a client when it is spent.
pub(crate) use loophole_engine::score::Budget;

pub(crate) trait BudgetAnswer {
    /// Why the work was stopped, and what to ask instead.
    fn message(&self) -> String;
    /// The answer to work that failed: stopped by this budget, 422 (asking
    /// again would only spend the budget again); else as the engine's error says.
    fn error(&self, e: RunError) -> ApiError;
}

impl BudgetAnswer for Budget {
    fn message(&self) -> String {
        self.exceeded("ask for less (a lower power, fewer seeds)")
    }

    fn error(&self, e: RunError) -> ApiError {
        match e {
            RunError::Stopped => ApiError::OverBudget(self.message()),
            other => other.into(),
        }
    }
}

impl AppState {
    /// Takes a run slot for work of `cost` from `client`, waiting at most
    /// `limits.slot_wait` for it (and for the client's computation before,
    /// if one is running); then the server is busy (429 with Retry-After).
    pub(crate) async fn run_slot(
        &self,
        client: Option<std::net::IpAddr>,
        cost: Cost,
    ) -> Result<RunPermit, ApiError> {
        self.inner
            .slots
            .acquire(client, cost, self.inner.limits.slot_wait)
            .await
    }

    /// Runs `work` on the blocking pool while holding a run slot (taken as
    /// [`AppState::run_slot`] does): every computation a request asks for
    /// goes through here or through a run.
    pub(crate) async fn compute<T, F>(
        &self,
        client: Option<std::net::IpAddr>,
        cost: Cost,
        work: F,
    ) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce() -> T + Send + 'static,
    {
        let permit = self.run_slot(client, cost).await?;
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            work()
        })
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))
    }

    /// The state with the default [`Limits`].
    pub fn new(store: Store) -> Result<AppState, ServerError> {
        AppState::with_limits(store, Limits::default())
    }

    pub fn with_limits(store: Store, limits: Limits) -> Result<AppState, ServerError> {
        let levels = levels::all().map_err(|e| ServerError::Levels(e.to_string()))?;
        let levels: Vec<Arc<LevelSlot>> = levels
            .into_iter()
            .map(|level| Arc::new(LevelSlot::new(level)))
            .collect();
        // The records designs reached before a restart (of levels that still exist).
        for (id, performance) in store.records()? {
            if let Some(slot) = levels.iter().find(|s| s.level.id == id) {
                slot.restore_record(performance);
            }
        }
        let state = AppState {
            inner: Arc::new(Shared {
                levels,
                store: Arc::new(store),
                runs: RunRegistry::new(limits.keep_results, limits.max_kept),
                slots: Slots::new(limits.max_runs),
                limiter: crate::limit::RateLimiter::new(
                    limits.per_client_burst,
                    limits.per_client_per_sec,
                ),
                saves: crate::limit::SaveQuota::new(limits.saves_per_minute, limits.saves_per_hour),
                limits,
            }),
        };
        state.start_sweeper();
        Ok(state)
    }

    /// Drops expired finished runs now and then, so that a quiet server lets
    /// go of them too (on the runtime the state was made on, if any; it ends
    /// with the state).
    fn start_sweeper(&self) {
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        let every = self.inner.runs.sweep_every();
        let shared = Arc::downgrade(&self.inner);
        runtime.spawn(async move {
            let mut ticks = tokio::time::interval(every);
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                ticks.tick().await;
                let Some(shared) = shared.upgrade() else {
                    return;
                };
                shared.runs.sweep(std::time::Instant::now());
            }
        });
    }

    pub fn limits(&self) -> &Limits {
        &self.inner.limits
    }

    pub(crate) fn levels(&self) -> &[Arc<LevelSlot>] {
        &self.inner.levels
    }

    /// A level by id, or a 404 that names the nearest id.
    pub(crate) fn level(&self, id: &str) -> Result<Arc<LevelSlot>, ApiError> {
        match self.inner.levels.iter().find(|s| s.level.id == id) {
            Some(slot) => Ok(slot.clone()),
            // The engine's message suggests the nearest id and lists them all.
            None => Err(ApiError::NotFound(
                levels::builtin(id)
                    .err()
                    .unwrap_or_else(|| format!("no level `{id}`")),
            )),
        }
    }

    /// A level's [`Benchmark`], worked out on first use and kept.
    pub(crate) async fn benchmark(
        &self,
        slot: &Arc<LevelSlot>,
    ) -> Result<Arc<Benchmark>, ApiError> {
        let bench = slot
            .bench
            .get_or_try_init(|| {
                let slot = slot.clone();
                async move {
                    let id = slot.level.id.clone();
                    let failed =
                        |e: String| ApiError::Internal(format!("best performance of `{id}`: {e}"));
                    tokio::task::spawn_blocking(move || {
                        score::benchmark(&slot.level, &mut |_| true).map(Arc::new)
                    })
                    .await
                    .map_err(|e| failed(e.to_string()))?
                    .map_err(|e| failed(e.to_string()))
                }
            })
            .await?;
        Ok(bench.clone())
    }

    /// A level's best intent score to show, and whether it is exact.
    pub(crate) async fn best(&self, slot: &Arc<LevelSlot>) -> Result<(f64, bool), ApiError> {
        Ok(slot.best(&*self.benchmark(slot).await?))
    }

    /// Works out every level's best performance in the background, so that
    /// the first visitor does not wait for it.
    pub(crate) fn warm_up(&self) {
        let state = self.clone();
        tokio::spawn(async move {
            for slot in state.levels() {
                if let Err(e) = state.benchmark(slot).await {
                    tracing::error!("{e}");
                }
            }
        });
    }
}
