//! Fair compute: a client that floods the server with dear runs never keeps
//! another client's cheap run waiting.
//!
//! Against the real `loophole serve` on loopback, each client from its own
//! loopback address. The attacker sends, from several connections at once,
//! runs as dear as the API allows (MCTS at power 5000 on boat race with a
//! reward of 250 `max(arrow,step)` terms), over and over; meanwhile another
//! client trains the default reward of side-effects sokoban with its
//! default agent (`POST /api/runs`, then its events to the result), several
//! times, and each must answer completely within 1 s. Then the same with
//! the attack coming from four addresses at once.

mod common;

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{http, start_server};

/// The longest the other client's whole Train may take.
const CHEAP_WITHIN: Duration = Duration::from_secs(1);
/// Trains timed per phase.
const TRIES: usize = 5;
/// Connections each attacking address floods from at once.
const FLOOD_CONNECTIONS: usize = 6;

fn dear_body() -> String {
    let reward = vec!["max(arrow,step)"; 250].join("+");
    format!(r#"{{"level": "boat-race", "reward": "{reward}", "agent": "mcts", "power": 5000}}"#)
}

const CHEAP_BODY: &str = r#"{"level": "side-effects-sokoban", "reward": "50*goal - step"}"#;

fn ip(c: u8) -> IpAddr {
    IpAddr::from(Ipv4Addr::new(127, 0, 1, c))
}

#[derive(Default, Debug)]
struct Attack {
    /// Dear runs the server accepted.
    accepted: usize,
    /// 429s saying the client already computes.
    one_at_a_time: usize,
    /// 429s saying the dear slots are taken.
    dear_slots_taken: usize,
    other: Vec<String>,
}

/// One attacking connection: dear runs back to back, each followed to its
/// end; a 429 is retried after 50 ms, sooner than its `Retry-After`.
async fn flood(from: IpAddr, to: SocketAddr, stop: Arc<AtomicBool>, tally: Arc<Mutex<Attack>>) {
    let body = dear_body();
    while !stop.load(Ordering::Relaxed) {
        let answer = http(Some(from), to, "POST", "/api/runs", &body).await;
        match answer {
            Ok(r) if r.status == 201 => {
                tally.lock().unwrap().accepted += 1;
                let created: serde_json::Value = serde_json::from_str(&r.body).unwrap();
                let events = created["events"].as_str().unwrap().to_string();
                let _ = http(Some(from), to, "GET", &events, "").await;
            }
            Ok(r) if r.status == 429 => {
                assert!(r.header("retry-after").is_some(), "{}", r.body);
                {
                    let mut t = tally.lock().unwrap();
                    if r.body.contains("one computation at a time per client") {
                        t.one_at_a_time += 1;
                    } else if r.body.contains("dear optimizations") {
                        t.dear_slots_taken += 1;
                    } else {
                        t.other.push(r.body);
                    }
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            Ok(r) => tally
                .lock()
                .unwrap()
                .other
                .push(format!("{} {}", r.status, r.body)),
            Err(e) => tally.lock().unwrap().other.push(e),
        }
    }
}

/// The other client's Train: POST, then the events to the result; its
/// time from the POST to the end of the events.
async fn cheap_train(from: IpAddr, to: SocketAddr) -> Duration {
    let started = Instant::now();
    let created = http(Some(from), to, "POST", "/api/runs", CHEAP_BODY)
        .await
        .unwrap();
    assert_eq!(created.status, 201, "{}", created.body);
    let created: serde_json::Value = serde_json::from_str(&created.body).unwrap();
    let events = http(
        Some(from),
        to,
        "GET",
        created["events"].as_str().unwrap(),
        "",
    )
    .await
    .unwrap();
    let took = started.elapsed();
    assert_eq!(events.status, 200, "{}", events.body);
    assert!(
        events.body.contains("event: result") && events.body.contains("\"verdict\""),
        "the cheap run ended without its result: {}",
        events.body
    );
    took
}

/// Floods from `attackers`, and times the other client's Trains meanwhile.
fn phase(rt: &tokio::runtime::Runtime, to: SocketAddr, attackers: &[IpAddr]) -> (Vec<f64>, Attack) {
    let stop = Arc::new(AtomicBool::new(false));
    let tally = Arc::new(Mutex::new(Attack::default()));
    let tasks: Vec<_> = attackers
        .iter()
        .flat_map(|&a| std::iter::repeat_n(a, FLOOD_CONNECTIONS))
        .map(|a| rt.spawn(flood(a, to, stop.clone(), tally.clone())))
        .collect();
    // The attack is under way once the server runs one of its runs.
    let started = Instant::now();
    while tally.lock().unwrap().accepted == 0 {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "no dear run was accepted"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    std::thread::sleep(Duration::from_millis(200));
    let mut times = Vec::new();
    for _ in 0..TRIES {
        let took = rt.block_on(cheap_train(ip(200), to));
        times.push(took.as_secs_f64() * 1e3);
        std::thread::sleep(Duration::from_millis(300));
    }
    stop.store(true, Ordering::Relaxed);
    for t in tasks {
        rt.block_on(t).unwrap();
    }
    let tally = std::mem::take(&mut *tally.lock().unwrap());
    (times, tally)
}

#[test]
fn dear_runs_from_one_client_or_several_never_hold_up_another_clients_cheap_run() {
    let dir = tempfile::tempdir().unwrap();
    let (server, addr) = start_server(&dir.path().join("t.db"));
    let server = common::Running(server);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    // Every level's best is worked out first, so that no run waits for it.
    let levels = rt
        .block_on(http(Some(ip(201)), addr, "GET", "/api/levels", ""))
        .expect("separate loopback addresses can be bound");
    assert_eq!(levels.status, 200);
    let alone = rt.block_on(cheap_train(ip(200), addr));
    println!("the cheap Train alone: {:.0} ms", alone.as_secs_f64() * 1e3);

    for attackers in [vec![ip(2)], (2..6).map(ip).collect::<Vec<_>>()] {
        let (times, attack) = phase(&rt, addr, &attackers);
        println!(
            "{} attacking address(es) x {FLOOD_CONNECTIONS} connections: cheap Train {times:.0?} ms; {attack:?}",
            attackers.len()
        );
        assert!(attack.other.is_empty(), "{:?}", attack.other);
        assert!(
            attack.one_at_a_time > 0,
            "an attacker's second dear run was never refused: {attack:?}"
        );
        // The server's run slots are as many as cores (at least 2), its
        // dear slots one fewer.
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        if attackers.len() > cores.max(2) - 1 {
            assert!(
                attack.dear_slots_taken > 0,
                "dear runs from several addresses never found the dear slots taken: {attack:?}"
            );
        }
        for ms in &times {
            assert!(
                *ms < CHEAP_WITHIN.as_secs_f64() * 1e3,
                "a cheap Train took {ms:.0} ms during the attack: {times:?}"
            );
        }
    }
    drop(server);
}
