//! No saved design is lost when the server is killed (SIGKILL) mid-write:
//! every save the server acknowledged is there after a restart; nor is a
//! level's best score raised by a design.

mod common;

use std::io::{Read, Write};
use std::net::{IpAddr, SocketAddr, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::start_server;

/// One HTTP/1.1 request; (status, body), or None if the connection failed.
fn http(addr: SocketAddr, method: &str, path: &str, body: &str) -> Option<(u16, String)> {
    let mut s = TcpStream::connect(addr).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(10))).ok()?;
    let req = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    s.write_all(req.as_bytes()).ok()?;
    let mut out = String::new();
    s.read_to_string(&mut out).ok()?;
    let status = out.split(' ').nth(1)?.parse().ok()?;
    let body = out.split_once("\r\n\r\n")?.1.to_string();
    Some((status, body))
}

fn design(i: usize) -> String {
    format!(r#"{{"level": "boat-race", "reward": "3*arrow - step - {i}*wrong_way", "seed": {i}}}"#)
}

fn id_of(body: &str) -> Option<String> {
    let v: serde_json::Value = serde_json::from_str(body).ok()?;
    v["id"].as_str().map(str::to_string)
}

#[test]
fn acknowledged_saves_survive_kill_9() {
    let dir = std::env::temp_dir().join(format!("loophole-durability-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join("designs.db");
    let (mut server, addr) = start_server(&db);

    // Writers keep saving while the server is killed under them.
    let acked: Arc<Mutex<Vec<(String, usize)>>> = Arc::default();
    let stop = Arc::new(AtomicBool::new(false));
    let writers: Vec<_> = (0..3)
        .map(|w| {
            let (acked, stop, addr) = (acked.clone(), stop.clone(), addr);
            // Each writer its own client, each with its own quota of saves.
            let from = IpAddr::from([127, 0, 1, 2 + w as u8]);
            std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .unwrap();
                let mut i = w;
                while !stop.load(Ordering::Relaxed) && i < 3000 {
                    let answer = rt
                        .block_on(common::http(
                            Some(from),
                            addr,
                            "POST",
                            "/api/designs",
                            &design(i),
                        ))
                        .ok();
                    match answer.map(|r| (r.status, r.body)) {
                        Some((201, body)) => acked.lock().unwrap().push((id_of(&body).unwrap(), i)),
                        // Over the per-client rate: wait and keep writing.
                        Some((429, _)) => {
                            std::thread::sleep(Duration::from_millis(20));
                            continue;
                        }
                        Some(_) | None => break,
                    }
                    i += 3;
                }
            })
        })
        .collect();
    while acked.lock().unwrap().len() < 30 {
        std::thread::sleep(Duration::from_millis(5));
    }
    server.kill().unwrap(); // SIGKILL
    server.wait().unwrap();
    stop.store(true, Ordering::Relaxed);
    for w in writers {
        w.join().unwrap();
    }
    let acked = acked.lock().unwrap().clone();
    assert!(acked.len() >= 30);

    let (mut server, addr) = start_server(&db);
    for (id, i) in &acked {
        let (status, body) =
            http(addr, "GET", &format!("/api/designs/{id}"), "").expect("the server answers");
        assert_eq!(status, 200, "acknowledged design {id} is gone: {body}");
        let v: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(v["reward"], format!("3*arrow - step - {i}*wrong_way"));
        assert_eq!(v["seed"], *i as u64);
    }
    server.kill().ok();
    server.wait().ok();
    std::fs::remove_dir_all(&dir).ok();
}

/// The `best` and `best_performance` of a level, as the server shows them.
fn best(addr: SocketAddr, level: &str) -> (String, f64) {
    let (status, body) =
        http(addr, "GET", &format!("/api/levels/{level}"), "").expect("the server answers");
    assert_eq!(status, 200, "{body}");
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    (
        v["best"].as_str().unwrap().to_string(),
        v["best_performance"].as_f64().unwrap(),
    )
}

#[test]
fn a_best_found_that_a_design_raised_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    let (mut server, addr) = start_server(&db);
    let (kind, searched) = best(addr, "tomato-watering");
    assert_eq!(kind, "found", "tomato watering's best is found by search");
    // A reward that waters and stays off the bucket beats the search's best.
    let run = r#"{"level": "tomato-watering", "reward": "0.02*watered_seen - 0.02*on_bucket*watered_seen"}"#;
    let (status, body) = http(addr, "POST", "/api/runs", run).unwrap();
    assert_eq!(status, 201, "{body}");
    let events = serde_json::from_str::<serde_json::Value>(&body).unwrap()["events"]
        .as_str()
        .unwrap()
        .to_string();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    // The event stream is chunked: read it de-chunked.
    let events = rt
        .block_on(common::http(None, addr, "GET", &events, ""))
        .unwrap()
        .body;
    let result = events
        .split("event: result\ndata: ")
        .nth(1)
        .unwrap_or_else(|| panic!("no result: {events}"));
    let result: serde_json::Value = serde_json::from_str(result.lines().next().unwrap()).unwrap();
    let raised = result["verdict"]["best_performance"].as_f64().unwrap();
    println!("tomato-watering: best found by search {searched}, raised by a design to {raised}");
    assert!(raised > searched, "{raised} <= {searched}");
    assert_eq!(best(addr, "tomato-watering"), ("found".to_string(), raised));
    server.kill().unwrap();
    server.wait().unwrap();

    let (mut server, addr) = start_server(&db);
    assert_eq!(
        best(addr, "tomato-watering"),
        ("found".to_string(), raised),
        "the raised best after a restart"
    );
    server.kill().ok();
    server.wait().ok();
    // A fresh database starts from the search's best again.
    let (mut fresh, addr) = start_server(&dir.path().join("fresh.db"));
    assert_eq!(
        best(addr, "tomato-watering"),
        ("found".to_string(), searched)
    );
    fresh.kill().ok();
    fresh.wait().ok();
}
