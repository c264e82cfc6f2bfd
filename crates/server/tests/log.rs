//! The request log: one line per request with its status and time, and
//! nothing of the query.

mod common;

use std::io::Write;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::Request;
use loophole_server::app;
use tower::ServiceExt;

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    /// Captures what this thread logs until the guard is dropped.
    fn start() -> (Captured, tracing::subscriber::DefaultGuard) {
        let captured = Captured::default();
        let writer = captured.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(move || writer.clone())
            .with_ansi(false)
            .finish();
        (captured, tracing::subscriber::set_default(subscriber))
    }
    fn text(&self) -> String {
        String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
    }
}

#[tokio::test]
async fn every_request_is_one_line_with_status_time_and_client() {
    let (captured, _guard) = Captured::start();
    let router = app(common::state());
    let client: SocketAddr = "192.0.2.7:5000".parse().unwrap();
    for uri in ["/api/levels/boat-race?token=secret", "/api/levels/nope"] {
        let mut request = Request::get(uri).body(Body::empty()).unwrap();
        request.extensions_mut().insert(ConnectInfo(client));
        router.clone().oneshot(request).await.unwrap();
    }
    let log = captured.text();
    let lines: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("loophole::request"))
        .collect();
    assert_eq!(lines.len(), 2, "{log}");
    assert!(
        lines[0].contains("method=GET path=/api/levels/boat-race status=200 ms=")
            && lines[0].ends_with("client=192.0.2.7"),
        "{}",
        lines[0]
    );
    assert!(
        lines[1].contains("path=/api/levels/nope status=404"),
        "{}",
        lines[1]
    );
    assert!(!log.contains("secret"), "the query is not logged: {log}");
}

#[tokio::test]
async fn every_run_is_one_line_with_level_agent_power_and_time() {
    let (captured, _guard) = Captured::start();
    let state = common::state();
    let created = common::post_json(
        &state,
        "/api/runs",
        serde_json::json!({"level": "side-effects-sokoban", "reward": "50*goal - step", "power": 20}),
    )
    .await
    .json();
    // Reading the events to the end waits for the run.
    common::get(&state, created["events"].as_str().unwrap()).await;
    let log = captured.text();
    let line = log
        .lines()
        .find(|l| l.contains("loophole::run"))
        .unwrap_or_else(|| panic!("no run line: {log}"));
    assert!(
        line.contains("level=side-effects-sokoban agent=\"value-iteration\" power=20 ms=")
            && line.ends_with("ended=\"result\""),
        "{line}"
    );
}
