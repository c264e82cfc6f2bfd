//! Load: many clients training at once against the real server on loopback.
//!
//! Starts `loophole serve` on a fresh database, then in two phases:
//!
//! 1. `LOAD_CLIENTS` clients (default 40) each send `LOAD_REQUESTS` (default
//!    5) Train requests in turn: `POST /api/runs`, then the run's events to
//!    its result; a 429 is waited out as its `Retry-After` says.
//! 2. A crowd of `LOAD_CROWD` (default 32) dear runs arrives at once, more
//!    than the run slots can serve within the 3 s a request may wait.
//!
//! Each client speaks from its own loopback address (127.0.1.2, 127.0.1.3,
//! …) as separate people would, so the per-client rate limit does not apply
//! (`LOAD_ONE_ADDRESS=1` sends everything from 127.0.0.1 instead; then the
//! rate limit's 429s, told apart by their message, are expected, the runs of
//! that one client go one at a time, and a run may be forgotten before its
//! follower, held up by the rate limit, reads it; the report counts those).
//!
//! It checks what docs/ROBUSTNESS.md promises: no 5xx, no failed or stalled
//! request; beyond the run slots, a 429 with `Retry-After` after at most the
//! slot wait, never an endless queue; every accepted run ends with its
//! result; the run registry forgets old runs; the server's peak memory
//! (`VmHWM`) stays under a bound. It prints latency percentiles, counts by
//! status and the peak memory. The short version runs in `cargo test`; the
//! long one is
//!
//! ```text
//! LOAD_CLIENTS=64 LOAD_REQUESTS=20 cargo test --release -p loophole --test load -- --nocapture
//! ```

mod common;

use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{http, start_server};

/// Longest any one answer (a run's whole event stream included) may take.
const STALL: Duration = Duration::from_secs(60);
/// Peak resident memory the server may reach under the load.
const MEMORY_BOUND_MIB: u64 = 1024;

fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// A field of `/proc/PID/status` in KiB (`VmHWM`, `VmRSS`).
fn proc_kib(pid: u32, field: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// The Train requests of the load, by request number: cheap and dearer
/// runs of several levels and agents.
fn train_body(i: usize) -> String {
    let bodies = [
        r#"{"level": "boat-race", "reward": "3*arrow - step", "agent": "value-iteration"}"#,
        r#"{"level": "side-effects-sokoban", "reward": "50*goal - step"}"#,
        r#"{"level": "boat-race", "reward": "3*arrow - step", "agent": "q-learning", "power": 2000}"#,
        r#"{"level": "company-profits", "reward": "profit"}"#,
        r#"{"level": "absent-supervisor", "reward": "50*goal - step - 30*punished", "agent": "value-iteration"}"#,
    ];
    let body = bodies[i % bodies.len()];
    // A seed per request, so that no two runs are the same.
    format!("{}, \"seed\": {i}}}", &body[..body.len() - 1])
}

#[derive(Default)]
struct Tally {
    /// Answers to `POST /api/runs`, by status (429s split by why).
    statuses: BTreeMap<String, usize>,
    /// Time to answer `POST /api/runs`, accepted or not (ms).
    answer_ms: Vec<f64>,
    /// Time from `POST /api/runs` to the run's `result` event (ms).
    train_ms: Vec<f64>,
    results: usize,
    error_events: Vec<String>,
    failures: Vec<String>,
    run_ids: Vec<String>,
    retry_after_missing: usize,
    /// Accepted runs forgotten before their events were read (one address only).
    forgotten: usize,
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[i]
}

fn summary(name: &str, values: &mut [f64]) -> String {
    values.sort_by(f64::total_cmp);
    format!(
        "{name}: n={} p50={:.0} p90={:.0} p99={:.0} max={:.0} ms",
        values.len(),
        percentile(values, 0.5),
        percentile(values, 0.9),
        percentile(values, 0.99),
        values.last().copied().unwrap_or(f64::NAN)
    )
}

/// One client: `requests` Train requests in turn; a busy answer is waited
/// out as `Retry-After` says and counts as one request.
async fn client(
    id: usize,
    from: Option<IpAddr>,
    to: SocketAddr,
    requests: usize,
    body: fn(usize) -> String,
    tally: Arc<Mutex<Tally>>,
) {
    for k in 0..requests {
        let i = id * requests + k;
        let started = Instant::now();
        let answer =
            tokio::time::timeout(STALL, http(from, to, "POST", "/api/runs", &body(i))).await;
        let answer_ms = started.elapsed().as_secs_f64() * 1e3;
        let answer = match answer {
            Err(_) => {
                tally
                    .lock()
                    .unwrap()
                    .failures
                    .push(format!("request {i}: no answer in {STALL:?}"));
                continue;
            }
            Ok(Err(e)) => {
                tally
                    .lock()
                    .unwrap()
                    .failures
                    .push(format!("request {i}: {e}"));
                continue;
            }
            Ok(Ok(a)) => a,
        };
        let key = match answer.status {
            429 if answer.body.contains("from your address") => "429 rate-limited".to_string(),
            429 => "429 busy".to_string(),
            s => s.to_string(),
        };
        {
            let mut t = tally.lock().unwrap();
            *t.statuses.entry(key).or_default() += 1;
            t.answer_ms.push(answer_ms);
        }
        match answer.status {
            201 => {}
            429 => {
                let wait = answer.header("retry-after").and_then(|v| v.parse().ok());
                if wait.is_none() {
                    tally.lock().unwrap().retry_after_missing += 1;
                }
                tokio::time::sleep(Duration::from_secs(wait.unwrap_or(1))).await;
                continue;
            }
            s => {
                tally
                    .lock()
                    .unwrap()
                    .failures
                    .push(format!("request {i}: {s} {}", answer.body));
                continue;
            }
        }
        let created: serde_json::Value = serde_json::from_str(&answer.body).unwrap();
        let events_url = created["events"].as_str().unwrap().to_string();
        tally
            .lock()
            .unwrap()
            .run_ids
            .push(created["id"].as_str().unwrap().to_string());
        // Follow the events; a rate-limited follow is retried.
        loop {
            let events = tokio::time::timeout(STALL, http(from, to, "GET", &events_url, "")).await;
            if matches!(&events, Ok(Ok(r)) if r.status == 429) {
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            }
            let mut t = tally.lock().unwrap();
            match events {
                Ok(Ok(r)) if r.status == 200 && r.body.contains("event: result") => {
                    t.results += 1;
                    t.train_ms.push(started.elapsed().as_secs_f64() * 1e3);
                }
                Ok(Ok(r)) if r.status == 200 => {
                    t.error_events.push(r.body.chars().take(300).collect());
                }
                // From one address the followers wait out its rate limit
                // while its runs go on one after the other: more than the 64
                // kept may finish before a follower is let in.
                Ok(Ok(r)) if r.status == 404 && from.is_none() => t.forgotten += 1,
                Ok(Ok(r)) => t
                    .failures
                    .push(format!("events of {i}: {} {}", r.status, r.body)),
                Ok(Err(e)) => t.failures.push(format!("events of {i}: {e}")),
                Err(_) => t
                    .failures
                    .push(format!("events of {i}: not finished in {STALL:?}")),
            }
            break;
        }
    }
}

/// A Train request dear enough (about 2 s on one core) that a crowd of
/// them keeps every run slot busy for longer than a request waits for one.
fn dear_body(i: usize) -> String {
    format!(
        r#"{{"level": "tomato-watering", "reward": "0.02 * watered_seen", "agent": "mcts", "power": 2000, "seed": {i}}}"#
    )
}

/// The loopback address of client `c`, when clients have their own.
fn address(distinct: bool, c: usize) -> Option<IpAddr> {
    distinct.then(|| {
        IpAddr::from(Ipv4Addr::new(
            127,
            0,
            1 + (c / 250) as u8,
            2 + (c % 250) as u8,
        ))
    })
}

/// Runs `clients` clients of `requests` requests each, all at once.
fn phase(
    rt: &tokio::runtime::Runtime,
    addr: SocketAddr,
    distinct: bool,
    clients: usize,
    requests: usize,
    body: fn(usize) -> String,
) -> (Tally, Duration) {
    let tally = Arc::new(Mutex::new(Tally::default()));
    let started = Instant::now();
    rt.block_on(async {
        let tasks: Vec<_> = (0..clients)
            .map(|c| {
                tokio::spawn(client(
                    c,
                    address(distinct, c),
                    addr,
                    requests,
                    body,
                    tally.clone(),
                ))
            })
            .collect();
        for t in tasks {
            t.await.unwrap();
        }
    });
    let tally = std::mem::take(&mut *tally.lock().unwrap());
    (tally, started.elapsed())
}

/// Prints a phase's figures and checks what holds in every phase: every
/// request answered (201 or 429 with `Retry-After`, within the slot wait),
/// none failed or stalled, every accepted run ended with its result.
fn report_and_check(name: &str, t: &mut Tally, requests: usize, elapsed: Duration, distinct: bool) {
    let accepted = t.statuses.get("201").copied().unwrap_or(0);
    let total: usize = t.statuses.values().sum();
    println!(
        "{name}: {requests} Train requests in {:.1} s",
        elapsed.as_secs_f64()
    );
    println!("  answers to POST /api/runs: {:?}", t.statuses);
    println!("  {}", summary("answer latency", &mut t.answer_ms));
    println!(
        "  {}",
        summary("train latency (POST to result)", &mut t.train_ms)
    );
    assert!(t.failures.is_empty(), "{name}: failures: {:#?}", t.failures);
    assert!(
        t.error_events.is_empty(),
        "{name}: runs that ended in an error: {:#?}",
        t.error_events
    );
    assert_eq!(total, requests, "{name}: {:?}", t.statuses);
    assert!(
        t.statuses
            .keys()
            .all(|k| k == "201" || k.starts_with("429")),
        "{name}: {:?}",
        t.statuses
    );
    assert_eq!(
        t.retry_after_missing, 0,
        "{name}: a 429 without Retry-After"
    );
    if t.forgotten > 0 {
        println!(
            "  accepted runs forgotten before a follower was let in: {}",
            t.forgotten
        );
    }
    assert_eq!(
        t.results + t.forgotten,
        accepted,
        "{name}: every accepted run sends its result"
    );
    assert!(
        accepted > 0,
        "{name}: no run was accepted: {:?}",
        t.statuses
    );
    if distinct {
        assert!(
            !t.statuses.contains_key("429 rate-limited"),
            "{name}: {:?}",
            t.statuses
        );
    }
    // Nothing queues for long: a request gets a slot or a 429 within the
    // server's slot wait (3 s).
    let slowest_answer = t.answer_ms.last().copied().unwrap_or(0.0);
    assert!(
        slowest_answer < 5_000.0,
        "{name}: an answer to POST /api/runs took {slowest_answer:.0} ms"
    );
}

#[test]
fn many_concurrent_train_requests_are_answered_and_memory_stays_bounded() {
    let clients = env_number("LOAD_CLIENTS", 40);
    let requests = env_number("LOAD_REQUESTS", 5);
    let crowd = env_number("LOAD_CROWD", 32);
    let one_address = env_number("LOAD_ONE_ADDRESS", 0) == 1;
    let dir = std::env::temp_dir().join(format!("loophole-load-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (server, addr) = start_server(&dir.join("load.db"));
    let server = common::Running(server);
    let pid = server.0.id();
    let idle_kib = proc_kib(pid, "VmRSS").unwrap_or(0);

    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    // Separate loopback addresses, where the system allows binding them.
    let probe = IpAddr::from(Ipv4Addr::new(127, 0, 0, 2));
    let distinct = !one_address
        && rt
            .block_on(http(
                Some(probe),
                addr,
                "GET",
                "/api/levels/tomato-watering",
                "",
            ))
            .is_ok();
    println!(
        "load on {addr}, {}",
        if distinct {
            "one loopback address per client"
        } else {
            "all clients from one address"
        }
    );

    // Many clients, each training in turn.
    let (mut steady, elapsed) = phase(&rt, addr, distinct, clients, requests, train_body);
    report_and_check(
        &format!("{clients} clients x {requests}"),
        &mut steady,
        clients * requests,
        elapsed,
        distinct,
    );
    // The registry keeps a bounded number of finished runs: with more
    // accepted runs than that, the first is forgotten.
    let accepted = steady.statuses.get("201").copied().unwrap_or(0);
    let first = steady.run_ids.first().map(|id| {
        let url = format!("/api/runs/{id}/events");
        rt.block_on(http(None, addr, "GET", &url, ""))
            .map(|r| r.status)
    });
    println!("  the first run's events afterwards: {first:?}");
    if accepted > 64 {
        assert_eq!(first, Some(Ok(404)), "more than 64 finished runs are kept");
    }

    // A crowd of dear runs at once: beyond the slots, 429 with Retry-After.
    let (mut burst, elapsed) = phase(&rt, addr, distinct, crowd, 1, dear_body);
    report_and_check(
        &format!("a crowd of {crowd} dear runs"),
        &mut burst,
        crowd,
        elapsed,
        distinct,
    );
    if crowd > 16 {
        assert!(
            burst.statuses.contains_key("429 busy"),
            "{crowd} dear runs at once never found the run slots full: {:?}",
            burst.statuses
        );
    }

    let peak_kib = proc_kib(pid, "VmHWM").unwrap_or(0);
    let rss_kib = proc_kib(pid, "VmRSS").unwrap_or(0);
    drop(server);
    std::fs::remove_dir_all(&dir).ok();
    println!(
        "server memory: idle {} MiB, peak (VmHWM) {} MiB, after the load {} MiB",
        idle_kib / 1024,
        peak_kib / 1024,
        rss_kib / 1024
    );
    assert!(
        peak_kib > 0 && peak_kib / 1024 < MEMORY_BOUND_MIB,
        "peak memory {} MiB",
        peak_kib / 1024
    );
}
