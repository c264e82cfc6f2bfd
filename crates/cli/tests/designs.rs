//! Saved designs are bounded, against the real `loophole serve` on loopback:
//! a per-client quota of saves, a size limit on the database
//! (`--max-db-mb`, 507 past it), and the same design saved twice is one
//! design with one id.

mod common;

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::Path;

use common::{http, start_server, start_server_with, Response};

fn ip(c: u8) -> IpAddr {
    IpAddr::from(Ipv4Addr::new(127, 0, 1, c))
}

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

fn save(rt: &tokio::runtime::Runtime, from: IpAddr, to: SocketAddr, body: &str) -> Response {
    rt.block_on(http(Some(from), to, "POST", "/api/designs", body))
        .expect("the server answers")
}

fn json(r: &Response) -> serde_json::Value {
    serde_json::from_str(&r.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", r.body))
}

/// A design of its own for each `i`, of about `len` bytes of reward.
fn design(i: usize, len: usize) -> String {
    let terms = " + step".repeat(len / 7);
    format!(r#"{{"level": "boat-race", "reward": "{i}*arrow{terms}", "seed": {i}}}"#)
}

/// Bytes the database takes on disk: the file, its log and its index.
fn disk_bytes(db: &Path) -> u64 {
    ["", "-wal", "-shm"]
        .iter()
        .map(|ext| {
            let mut p = db.as_os_str().to_owned();
            p.push(ext);
            std::fs::metadata(p).map_or(0, |m| m.len())
        })
        .sum()
}

#[test]
fn a_client_over_its_save_quota_gets_429_while_another_still_saves() {
    let dir = tempfile::tempdir().unwrap();
    let (mut server, addr) = start_server(&dir.path().join("t.db"));
    let rt = rt();
    let mut statuses = Vec::new();
    let mut refusal = None;
    let started = std::time::Instant::now();
    for i in 0..45 {
        let r = save(&rt, ip(2), addr, &design(i, 20));
        statuses.push(r.status);
        if r.status == 429 && refusal.is_none() {
            refusal = Some(r);
        }
    }
    let took = started.elapsed().as_secs_f64();
    let created = statuses.iter().filter(|&&s| s == 201).count();
    println!("45 saves from one address in {took:.2} s: {created} x 201, the rest 429");
    // 30 at once, then one more every 2 s.
    assert!(statuses[..30].iter().all(|&s| s == 201), "{statuses:?}");
    assert_eq!(statuses[30], 429, "{statuses:?}");
    assert!(created <= 30 + (took / 2.0).ceil() as usize, "{statuses:?}");
    let refusal = refusal.unwrap();
    let wait: u64 = refusal.header("retry-after").unwrap().parse().unwrap();
    assert!(
        (1..=2).contains(&wait),
        "a save comes back every 2 s: {wait}"
    );
    assert_eq!(
        json(&refusal)["error"]["message"],
        "too many designs saved from your address (at most 30 a minute and 300 an hour); try again later"
    );
    let other = save(&rt, ip(3), addr, &design(1000, 20));
    assert_eq!(other.status, 201, "{}", other.body);
    server.kill().ok();
    server.wait().ok();
}

#[test]
fn the_same_design_saved_twice_has_one_id() {
    let dir = tempfile::tempdir().unwrap();
    let (mut server, addr) = start_server(&dir.path().join("t.db"));
    let rt = rt();
    let body = r#"{"level": "tomato-watering", "reward": "0.02 * watered_seen", "seed": 4}"#;
    let first = save(&rt, ip(2), addr, body);
    assert_eq!(first.status, 201, "{}", first.body);
    let id = json(&first)["id"].as_str().unwrap().to_string();
    // Again, from another client, and with the defaults written out.
    let again = save(&rt, ip(3), addr, body);
    assert_eq!(
        (again.status, json(&again)["id"].as_str()),
        (200, Some(id.as_str()))
    );
    let spelt_out = r#"{"level": "tomato-watering", "reward": "0.02 * watered_seen", "agent": "mcts", "power": 200, "seed": 4}"#;
    let spelt_out = save(&rt, ip(2), addr, spelt_out);
    assert_eq!(json(&spelt_out)["id"], id.as_str());
    assert_eq!(json(&spelt_out)["url"], format!("/s/{id}"));
    // Any input different is another design.
    for other in [
        r#"{"level": "tomato-watering", "reward": "0.02 * watered_seen", "seed": 5}"#,
        r#"{"level": "tomato-watering", "reward": "0.02*watered_seen", "seed": 4}"#,
        r#"{"level": "tomato-watering", "reward": "0.02 * watered_seen", "power": 201, "seed": 4}"#,
    ] {
        let r = save(&rt, ip(2), addr, other);
        assert_eq!(r.status, 201, "{other}: {}", r.body);
        assert_ne!(json(&r)["id"], id.as_str(), "{other}");
    }
    server.kill().ok();
    server.wait().ok();
}

#[test]
fn a_full_database_answers_507_and_stays_under_its_limit() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("small.db");
    let (mut server, addr) = start_server_with(&db, &["--max-db-mb", "1"]);
    let limit = 1024 * 1024;
    let rt = rt();
    let mut saved = Vec::new();
    let mut full = None;
    // 30 saves per address, from as many addresses as it takes.
    'flood: for a in 2..60u8 {
        for _ in 0..30 {
            let i = saved.len();
            let r = save(&rt, ip(a), addr, &design(i, 3_000));
            match r.status {
                201 => saved.push(json(&r)["id"].as_str().unwrap().to_string()),
                507 => {
                    full = Some(r);
                    break 'flood;
                }
                s => panic!("save {i}: {s} {}", r.body),
            }
            let on_disk = disk_bytes(&db);
            assert!(
                on_disk <= limit,
                "{on_disk} bytes on disk after {} saves",
                saved.len()
            );
        }
    }
    let full = full.expect("the database never filled");
    let on_disk = disk_bytes(&db);
    println!(
        "--max-db-mb 1: {} designs of 3 KB saved, then 507; {on_disk} bytes on disk",
        saved.len()
    );
    assert!(
        saved.len() > 100,
        "only {} designs fit in 1 MiB",
        saved.len()
    );
    assert!(on_disk <= limit, "{on_disk}");
    assert!(
        full.header("content-type")
            .unwrap()
            .starts_with("application/json"),
        "{:?}",
        full.headers
    );
    assert!(full.header("content-security-policy").is_some());
    let message = json(&full)["error"]["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        message.starts_with("the database of saved designs is full (its limit is 1 MiB)"),
        "{message}"
    );
    // Full, the designs saved before still open, and saving one again gives its link.
    let url = format!("/api/designs/{}", saved[0]);
    let first = rt
        .block_on(http(Some(ip(99)), addr, "GET", &url, ""))
        .unwrap();
    assert_eq!(first.status, 200, "{}", first.body);
    let again = save(&rt, ip(99), addr, &design(0, 3_000));
    assert_eq!(
        (again.status, json(&again)["id"].as_str()),
        (200, Some(saved[0].as_str()))
    );
    let refused = save(&rt, ip(99), addr, &design(100_000, 3_000));
    assert_eq!(refused.status, 507, "{}", refused.body);
    server.kill().ok();
    server.wait().ok();
    assert!(disk_bytes(&db) <= limit);
}
