//! Helpers the integration tests of the `loophole` binary share.
// Each test file uses only some of them.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};

use serde_json::Value;

/// Runs the binary with `args` and collects what it did.
pub fn loophole(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_loophole"))
        .args(args)
        .output()
        .expect("the binary runs")
}

/// Runs the binary, which must succeed, and parses the JSON it prints.
pub fn json(args: &[&str]) -> Value {
    let out = loophole(args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON on stdout")
}

/// Starts `loophole serve` on a free port with the database `db`; returns
/// the child and the address it printed.
pub fn start_server(db: &Path) -> (Child, SocketAddr) {
    start_server_with(db, &[])
}

/// [`start_server`] with more arguments for `serve`. The request log is
/// kept to warnings, so that load tests do not fill the test output.
pub fn start_server_with(db: &Path, args: &[&str]) -> (Child, SocketAddr) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_loophole"))
        .args(["serve", "--addr", "127.0.0.1:0", "--db"])
        .arg(db)
        .args(args)
        .env("LOOPHOLE_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("the server starts");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let addr = line
        .trim()
        .strip_prefix("listening on http://")
        .expect("the listening line")
        .parse()
        .expect("an address");
    (child, addr)
}
