//! What the server logs, through `tracing`: one line per request (method,
//! path, status, time, client) and one per run. [`to_stderr`] is how the
//! `loophole` binary shows them; `LOOPHOLE_LOG` picks what is shown, with
//! `tracing-subscriber`'s filter syntax (`warn`, `loophole=debug`; default `info`).

use std::net::SocketAddr;
use std::time::Instant;

use axum::extract::{ConnectInfo, Request};
use axum::middleware::Next;
use axum::response::Response;

/// Logs every request once its answer's head is ready. Only the path is
/// logged, not the query or any header: nothing a client sends beyond the
/// address it asked for ends up in the log.
pub(crate) async fn requests(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let client = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip().to_string())
        .unwrap_or_else(|| "-".into());
    let response = next.run(request).await;
    let status = response.status().as_u16();
    let ms = started.elapsed().as_secs_f64() * 1e3;
    tracing::info!(target: "loophole::request", %method, path = %path.escape_debug(), status, ms = format_args!("{ms:.1}"), %client, "request");
    response
}

/// Shows the server's log on standard error, filtered by `LOOPHOLE_LOG`
/// (default `info`). Does nothing if a logger is already installed.
pub fn to_stderr() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("LOOPHOLE_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .try_init();
}
