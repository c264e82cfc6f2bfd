//! The Loophole web server: the JSON API of `docs/API.md`, runs streamed as
//! Server-Sent Events, saved designs, and the web front end embedded in the
//! binary.
//!
//! [`app`] builds the router from an [`AppState`] and is kept apart from
//! [`serve`], so tests drive it with `tower::ServiceExt::oneshot` and no
//! socket. The engine's work runs on blocking threads, a few runs at a time,
//! each within a time budget ([`Limits`]).
//!
//! ```
//! use axum::body::Body;
//! use axum::http::{Request, StatusCode};
//! use loophole_server::{app, AppState};
//! use loophole_store::Store;
//! use tower::ServiceExt;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! let state = AppState::new(Store::open_in_memory().unwrap()).unwrap();
//! let request = Request::post("/api/check")
//!     .header("content-type", "application/json")
//!     .body(Body::from(r#"{"level": "boat-race", "reward": "3*arrow - step"}"#))
//!     .unwrap();
//! let response = app(state).oneshot(request).await.unwrap();
//! assert_eq!(response.status(), StatusCode::OK);
//! # }
//! ```
//!
//! To serve on an address, with a database file:
//!
//! ```no_run
//! # async fn f() -> Result<(), loophole_server::ServerError> {
//! let cfg = loophole_server::ServeConfig { addr: "127.0.0.1:8080".parse().unwrap(), db: "loophole.db".into() };
//! loophole_server::serve(cfg).await // prints `listening on http://127.0.0.1:8080`
//! # }
//! ```

mod api;
mod assets;
mod error;
pub mod explain;
mod extract;
pub mod feedback;
mod limit;
mod runs;
mod state;
mod sweep;
mod wire;

use std::future::Future;
use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;

use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use axum::{middleware, Router};
use loophole_store::Store;
use tokio::net::TcpListener;

pub use error::{ApiError, ServerError};
pub use state::{AppState, Limits};

/// Largest request body accepted.
pub const MAX_BODY_BYTES: usize = 16 * 1024;

/// The whole app: API, pages, static files, limits and security headers.
pub fn app(state: AppState) -> Router {
    Router::new()
        .route("/api/levels", get(api::levels))
        .route("/api/levels/{id}", get(api::level))
        .route("/api/check", post(api::check))
        .route("/api/runs", post(api::start_run))
        .route("/api/runs/{id}/events", get(api::run_events))
        .route("/api/sweep", post(sweep::sweep))
        .route("/api/rlhf", post(feedback::rlhf))
        .route("/api/cai", post(feedback::cai))
        .route("/api/explain/{name}", post(explain::handler))
        .route("/api/designs", post(api::save_design))
        .route("/api/designs/{id}", get(api::design))
        .route("/", get(api::index))
        .route("/feedback", get(feedback::page))
        .route("/play", get(api::play))
        .route("/play/{id}", get(api::play_level))
        .route("/s/{id}", get(api::shared_design))
        .route("/static/{*path}", get(api::static_file))
        .fallback(api::not_found)
        .method_not_allowed_fallback(api::method_not_allowed)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            limit::rate_limit,
        ))
        .layer(middleware::from_fn(assets::security_headers))
        .with_state(state)
}

/// Where to listen and which database file to use.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServeConfig {
    pub addr: SocketAddr,
    pub db: PathBuf,
}

/// Opens the store, binds `cfg.addr`, prints `listening on http://HOST:PORT`
/// (the real port when port 0 was asked for) and serves until Ctrl-C or SIGTERM.
pub async fn serve(cfg: ServeConfig) -> Result<(), ServerError> {
    let db = cfg.db.clone();
    let store = tokio::task::spawn_blocking(move || Store::open(db))
        .await
        .map_err(|e| ServerError::Io(std::io::Error::other(e)))??;
    let state = AppState::new(store)?;
    let listener = TcpListener::bind(cfg.addr)
        .await
        .map_err(|source| ServerError::Bind {
            addr: cfg.addr,
            source,
        })?;
    let addr = listener.local_addr()?;
    {
        let mut out = std::io::stdout().lock();
        writeln!(out, "listening on http://{addr}")?;
        out.flush()?;
    }
    serve_on(listener, state, shutdown_signal()).await
}

/// Serves the app on a bound listener until `shutdown` completes, then
/// finishes the requests in flight. Levels' best scores are worked out in
/// the background from the start.
pub async fn serve_on(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), ServerError> {
    state.warm_up();
    // Connection info gives the rate limiter each client's address.
    axum::serve(
        listener,
        app(state).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await?;
    Ok(())
}

/// Completes on Ctrl-C, or on SIGTERM where there are signals.
async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            eprintln!("loophole-server: cannot listen for Ctrl-C: {e}");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut sig) => {
                sig.recv().await;
            }
            Err(e) => {
                eprintln!("loophole-server: cannot listen for SIGTERM: {e}");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
}
