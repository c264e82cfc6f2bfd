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

/// Sends `raw` and reads until the server closes the connection.
fn exchange(addr: SocketAddr, raw: &[u8]) -> String {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    // The server may answer and close before it has read everything sent.
    let _ = s.write_all(raw);
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    String::from_utf8_lossy(&out).into_owned()
}

#[test]
fn requests_hyper_refuses_before_the_app_get_a_bare_answer_and_a_closed_connection() {
    let dir = tempfile::tempdir().unwrap();
    let (mut child, addr) = start_server_with(&dir.path().join("t.db"), &[]);
    let host = format!("Host: {addr}\r\n");
    let headers = |n: usize| -> String { (0..n).map(|i| format!("X-{i}: 1\r\n")).collect() };
    let cases: Vec<(&str, Vec<u8>, u16)> = vec![
        (
            "a NUL byte in a header",
            format!("GET /api/levels HTTP/1.1\r\n{host}X-A: a\0b\r\n\r\n").into_bytes(),
            400,
        ),
        (
            "a request line that is not HTTP",
            b"GARBAGE\r\n\r\n".to_vec(),
            400,
        ),
        (
            "a path of 65,535 bytes",
            format!("GET /{} HTTP/1.1\r\n{host}\r\n", "a".repeat(65_534)).into_bytes(),
            414,
        ),
        (
            "101 header lines",
            format!("GET / HTTP/1.1\r\n{host}{}\r\n", headers(100)).into_bytes(),
            431,
        ),
        (
            "a header of 1 MiB",
            format!(
                "GET / HTTP/1.1\r\n{host}X-Big: {}\r\n\r\n",
                "a".repeat(1 << 20)
            )
            .into_bytes(),
            431,
        ),
    ];
    for (what, raw, status) in cases {
        let answer = exchange(addr, &raw);
        let (head, body) = answer.split_once("\r\n\r\n").unwrap_or((&answer, ""));
        let head = head.to_ascii_lowercase();
        assert!(
            head.starts_with(&format!("http/1.1 {status} ")),
            "{what}: {answer}"
        );
        assert!(
            head.contains("content-length: 0") && body.is_empty(),
            "{what}: {answer}"
        );
        assert!(head.contains("connection: close"), "{what}: {answer}");
        // Only hyper's own headers: the app never saw the request.
        assert!(
            !head.contains("content-security-policy"),
            "{what}: {answer}"
        );
    }
    // The limits are where docs/ROBUSTNESS.md says: one byte or line less is
    // the app's (an unknown page, a level).
    let within = [
        (
            "a path of 65,534 bytes",
            format!(
                "GET /{} HTTP/1.1\r\n{host}Connection: close\r\n\r\n",
                "a".repeat(65_533)
            ),
            404,
        ),
        (
            "100 header lines",
            format!(
                "GET /api/levels/boat-race HTTP/1.1\r\n{host}Connection: close\r\n{}\r\n",
                headers(98)
            ),
            200,
        ),
    ];
    for (what, raw, status) in within {
        let answer = exchange(addr, raw.as_bytes());
        assert!(
            answer.starts_with(&format!("HTTP/1.1 {status} ")),
            "{what}: {answer}"
        );
        assert!(
            answer.contains("content-security-policy"),
            "{what}: {answer}"
        );
    }
    child.kill().unwrap();
    child.wait().unwrap();
}
