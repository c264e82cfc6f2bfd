//! Run slots: who may compute, and when.
//!
//! Every computation (a run, a sweep, a feedback simulation, a
//! demonstration) holds a [`RunPermit`] while it computes. A permit is
//!
//! - one of the server's run slots (`Limits::max_runs`);
//! - for a dear computation ([`Cost::Dear`]), also one of the dear slots,
//!   one fewer than the run slots, so that a slot is always left for cheap
//!   work however many dear requests arrive;
//! - for a request with a client address, its client's turn: one
//!   computation at a time per client (its rate-limit key, an IPv4 address
//!   or an IPv6 /64). A second one from the same client waits in its
//!   client's queue for the first to finish.
//!
//! A request waits at most `Limits::slot_wait` in all for everything it
//! needs, then gets 429 with `Retry-After`, its message saying which it
//! waited for.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use loophole_engine::level::Level;
use loophole_engine::score::Design;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::{timeout_at, Instant};

use crate::error::ApiError;

/// How dear a computation is expected to be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cost {
    /// About a default run or less: never kept waiting by dear work.
    Cheap,
    /// May use every slot but one.
    Dear,
}

/// A run of more than this many default runs' work is dear.
pub const DEAR_RUNS: f64 = 4.0;

/// The expected work of a run, in default runs: the run's power over its
/// agent's default, times the level's step limit over 100, times the reward's
/// length over 64 bytes (at least 1). A default run of any agent with a short
/// reward on a 100-step level is 1.
pub fn run_work(level: &Level, design: &Design, reward_text: &str) -> f64 {
    let default = design.agent.default_power(level.steps).max(1);
    let power = f64::from(design.power) / f64::from(default);
    let steps = f64::from(level.steps) / 100.0;
    let reward = (reward_text.len() as f64 / 64.0).max(1.0);
    power * steps * reward
}

/// The price of a run ([`run_work`] against [`DEAR_RUNS`]).
pub fn price(level: &Level, design: &Design, reward_text: &str) -> Cost {
    if run_work(level, design, reward_text) > DEAR_RUNS {
        Cost::Dear
    } else {
        Cost::Cheap
    }
}

/// What a computation holds while it computes; dropping it frees all.
pub(crate) struct RunPermit {
    _slot: OwnedSemaphorePermit,
    _dear: Option<OwnedSemaphorePermit>,
    _turn: Option<ClientTurn>,
}

/// The server's run slots, its dear slots and its clients' turns.
pub(crate) struct Slots {
    all: Arc<Semaphore>,
    dear: Arc<Semaphore>,
    max_runs: usize,
    turns: Turns,
}

type Turns = Arc<Mutex<HashMap<IpAddr, Arc<Semaphore>>>>;

impl Slots {
    pub fn new(max_runs: usize) -> Slots {
        Slots {
            all: Arc::new(Semaphore::new(max_runs)),
            dear: Arc::new(Semaphore::new(dear_slots(max_runs))),
            max_runs,
            turns: Arc::default(),
        }
    }

    /// Most dear computations at once.
    pub fn max_dear(&self) -> usize {
        dear_slots(self.max_runs)
    }

    /// Takes a permit for a computation of `cost` from `client` (None: no
    /// address known, no turn taken), waiting at most `wait` in all.
    pub async fn acquire(
        &self,
        client: Option<IpAddr>,
        cost: Cost,
        wait: Duration,
    ) -> Result<RunPermit, ApiError> {
        let deadline = Instant::now() + wait;
        let turn = match client {
            Some(ip) => Some(self.turn(ip, deadline).await.ok_or_else(|| {
                ApiError::Busy(
                    "one computation at a time per client: wait for your run to finish".into(),
                )
            })?),
            None => None,
        };
        let busy = |what: String| ApiError::Busy(format!("{what}; try again in a moment"));
        let dear = match cost {
            Cost::Cheap => None,
            Cost::Dear => Some(take(&self.dear, deadline).await.ok_or_else(|| {
                busy(format!(
                    "the server is already running {} dear optimizations (a high power, a long reward or a sweep), \
                     the most it runs at once so that cheap ones are never kept waiting",
                    self.max_dear()
                ))
            })?),
        };
        let slot = take(&self.all, deadline).await.ok_or_else(|| {
            busy(format!(
                "the server is already running {} optimizations",
                self.max_runs
            ))
        })?;
        Ok(RunPermit {
            _slot: slot,
            _dear: dear,
            _turn: turn,
        })
    }

    /// `ip`'s turn, once its computation before (if any) has finished.
    async fn turn(&self, ip: IpAddr, deadline: Instant) -> Option<ClientTurn> {
        let key = crate::limit::client_key(ip);
        let queue = {
            let mut turns = self.turns.lock().unwrap_or_else(|e| e.into_inner());
            turns
                .entry(key)
                .or_insert_with(|| Arc::new(Semaphore::new(1)))
                .clone()
        };
        let permit = take(&queue, deadline).await;
        drop(queue);
        match permit {
            Some(permit) => Some(ClientTurn {
                permit: Some(permit),
                turns: self.turns.clone(),
                key,
            }),
            None => {
                forget_if_idle(&self.turns, key);
                None
            }
        }
    }

    /// Clients with a computation running or waiting.
    #[cfg(test)]
    fn clients(&self) -> usize {
        self.turns.lock().unwrap().len()
    }
}

/// One fewer than the run slots; with a single slot, dear work may use it
/// (there is no other), and with none, nothing runs.
fn dear_slots(max_runs: usize) -> usize {
    max_runs.saturating_sub(1).max(1).min(max_runs)
}

/// A permit of `semaphore`, at once or by `deadline`.
async fn take(semaphore: &Arc<Semaphore>, deadline: Instant) -> Option<OwnedSemaphorePermit> {
    if let Ok(permit) = semaphore.clone().try_acquire_owned() {
        return Some(permit);
    }
    timeout_at(deadline, semaphore.clone().acquire_owned())
        .await
        .ok()?
        .ok()
}

/// A client's turn to compute; its queue is forgotten when nobody holds
/// or waits for it, so the table holds only clients computing or waiting.
struct ClientTurn {
    permit: Option<OwnedSemaphorePermit>,
    turns: Turns,
    key: IpAddr,
}

impl Drop for ClientTurn {
    fn drop(&mut self) {
        drop(self.permit.take());
        forget_if_idle(&self.turns, self.key);
    }
}

fn forget_if_idle(turns: &Turns, key: IpAddr) {
    let mut turns = turns.lock().unwrap_or_else(|e| e.into_inner());
    // Only the table holds it: no turn taken, nobody waiting.
    if turns.get(&key).is_some_and(|q| Arc::strong_count(q) == 1) {
        turns.remove(&key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use loophole_engine::{levels, score};

    const WAIT: Duration = Duration::from_millis(200);

    fn ip(last: u8) -> Option<IpAddr> {
        Some(IpAddr::from([127, 0, 1, last]))
    }

    #[tokio::test]
    async fn a_client_computes_one_thing_at_a_time_and_waits_its_turn() {
        let slots = Slots::new(4);
        let first = slots.acquire(ip(2), Cost::Cheap, WAIT).await.unwrap();
        let started = Instant::now();
        let second = slots.acquire(ip(2), Cost::Cheap, WAIT).await;
        let waited = started.elapsed();
        let err = second
            .err()
            .expect("the client's second computation waits, then 429");
        assert_eq!(err.status(), axum::http::StatusCode::TOO_MANY_REQUESTS);
        assert!(err
            .to_string()
            .contains("one computation at a time per client"));
        assert!(waited >= WAIT, "{waited:?}");
        // Another client is not held up, and neither is a request with no address.
        let other = slots.acquire(ip(3), Cost::Cheap, WAIT).await.unwrap();
        let anonymous = slots.acquire(None, Cost::Cheap, WAIT).await.unwrap();
        assert_eq!(slots.clients(), 2);
        // A waiting second computation gets its turn when the first ends.
        let waiting = tokio::spawn({
            let slots = Arc::new(slots);
            let s = slots.clone();
            async move {
                let got = s.acquire(ip(2), Cost::Cheap, Duration::from_secs(5)).await;
                (got.is_ok(), s)
            }
        });
        tokio::time::sleep(Duration::from_millis(50)).await;
        drop(first);
        let (got, slots) = waiting.await.unwrap();
        assert!(got);
        drop((other, anonymous));
        assert_eq!(
            slots.clients(),
            0,
            "the table forgets clients with nothing running"
        );
    }

    #[tokio::test]
    async fn dear_work_leaves_a_slot_for_cheap_work() {
        let slots = Slots::new(3);
        assert_eq!(slots.max_dear(), 2);
        let a = slots.acquire(ip(2), Cost::Dear, WAIT).await.unwrap();
        let b = slots.acquire(ip(3), Cost::Dear, WAIT).await.unwrap();
        let c = slots.acquire(ip(4), Cost::Dear, WAIT).await;
        let err = c
            .err()
            .expect("a third dear computation finds the dear slots taken");
        assert!(err.to_string().contains("2 dear optimizations"), "{err}");
        let cheap = slots.acquire(ip(5), Cost::Cheap, WAIT).await.unwrap();
        let full = slots.acquire(ip(6), Cost::Cheap, WAIT).await;
        assert!(full
            .err()
            .unwrap()
            .to_string()
            .contains("already running 3 optimizations"));
        drop((a, b, cheap));
        assert_eq!(slots.clients(), 0);
    }

    #[test]
    fn runs_are_priced_by_power_level_and_reward() {
        let level = levels::builtin("boat-race").unwrap();
        let work = |reward: &str, agent: &str, power: Option<u64>| {
            let ask = score::Request {
                reward,
                agent: Some(agent),
                power,
                ..Default::default()
            };
            let design = score::check(&level, &ask).unwrap();
            (
                run_work(&level, &design, reward),
                price(&level, &design, reward),
            )
        };
        assert_eq!(work("3*arrow - step", "mcts", None), (1.0, Cost::Cheap));
        assert_eq!(
            work("3*arrow - step", "q-learning", Some(6000)),
            (2.0, Cost::Cheap)
        );
        assert_eq!(
            work("3*arrow - step", "mcts", Some(5000)),
            (25.0, Cost::Dear)
        );
        let long = vec!["max(arrow,step)"; 250].join("+");
        let (w, cost) = work(&long, "mcts", Some(5000));
        assert_eq!(cost, Cost::Dear);
        assert!((w - 25.0 * long.len() as f64 / 64.0).abs() < 1e-9, "{w}");
        assert_eq!(
            work(&long, "mcts", None).1,
            Cost::Dear,
            "a long reward alone is dear"
        );
        assert_eq!(work(&long, "mcts", Some(1)).1, Cost::Cheap);
    }
}
