//! `loophole serve` on a real socket: the host names it answers to (DNS
//! rebinding), and how it fails to start.

mod common;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::Command;
use std::time::Duration;

use common::start_server_with;

/// A GET with this `Host` header; (status, headers and body as text).
fn get(addr: SocketAddr, host: &str, path: &str) -> (u16, String) {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    let status = out.split(' ').nth(1).unwrap().parse().unwrap();
    (status, out)
}

#[test]
fn a_rebound_host_name_is_refused_and_addresses_and_localhost_are_answered() {
    let dir = tempfile::tempdir().unwrap();
    let (mut child, addr) = start_server_with(
        &dir.path().join("t.db"),
        &["--allow-host", "classroom.local"],
    );
    let port = addr.port();
    // A page on attacker.example that rebinds its name to 127.0.0.1.
    let (status, text) = get(addr, &format!("attacker.example:{port}"), "/api/levels");
    assert_eq!(status, 421, "{text}");
    assert!(
        text.contains("\"error\"")
            && text.contains("does not answer to the host name `attacker.example:"),
        "{text}"
    );
    assert!(text.contains("content-security-policy"), "{text}");
    let (status, _) = get(addr, &format!("attacker.example:{port}"), "/");
    assert_eq!(status, 421, "pages are refused too");
    for host in [
        format!("127.0.0.1:{port}"),
        format!("localhost:{port}"),
        format!("classroom.local:{port}"),
    ] {
        let (status, text) = get(addr, &host, "/api/levels/boat-race");
        assert_eq!(status, 200, "{host}: {text}");
    }
    child.kill().unwrap();
    child.wait().unwrap();
}

#[test]
fn a_taken_port_says_so_and_leaves_no_database() {
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("never.db");
    let out = Command::new(env!("CARGO_BIN_EXE_loophole"))
        .args(["serve", "--addr", &addr.to_string(), "--db"])
        .arg(&db)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("the port is taken") && err.contains("--addr 127.0.0.1:PORT"),
        "{err}"
    );
    assert!(!db.exists(), "a failed start created {}", db.display());
}

#[test]
fn a_bad_allow_host_is_a_usage_error() {
    let out = Command::new(env!("CARGO_BIN_EXE_loophole"))
        .args(["serve", "--addr", "127.0.0.1:0", "--allow-host", "a b"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("is not a host name"));
}

#[test]
fn another_programs_database_is_refused_before_listening() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("other.db");
    // A SQLite file of some other program's.
    rusqlite::Connection::open(&db)
        .unwrap()
        .execute_batch("CREATE TABLE invoices (n INTEGER);")
        .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_loophole"))
        .args(["serve", "--addr", "127.0.0.1:0", "--db"])
        .arg(&db)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(!String::from_utf8_lossy(&out.stdout).contains("listening"));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("not a Loophole database"), "{err}");
}
