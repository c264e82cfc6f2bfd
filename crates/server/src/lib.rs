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
//! let cfg = loophole_server::ServeConfig {
//!     addr: "127.0.0.1:8080".parse().unwrap(),
//!     db: "loophole.db".into(),
//!     hosts: loophole_server::host::Hosts::local(),
//!     max_db_mb: loophole_server::DEFAULT_MAX_DB_MB,
//! };
//! loophole_server::serve(cfg).await // prints `listening on http://127.0.0.1:8080`
//! # }
//! ```

mod api;
mod assets;
mod error;
pub mod explain;
mod extract;
pub mod feedback;
pub mod host;
mod limit;
pub mod log;
pub mod mechanics;
mod runs;
mod slots;
mod state;
mod sweep;
/// The JSON shapes (docs/API.md), one vocabulary with the CLI and Python.
pub use loophole_wire as wire;

use std::collections::HashMap;
use std::future::Future;
use std::io::Write;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Body;
use axum::extract::{ConnectInfo, DefaultBodyLimit};
use axum::http::Request;
use axum::routing::{get, post};
use axum::{middleware, Router};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use loophole_store::Store;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, OwnedSemaphorePermit, Semaphore};
use tower::ServiceExt;

pub use error::{ApiError, ServerError};
pub use state::{AppState, LevelSlot, Limits};

/// Largest request body accepted.
pub const MAX_BODY_BYTES: usize = 16 * 1024;

/// The whole app: API, pages, static files, limits and security headers,
/// answering to IP addresses and localhost ([`host::Hosts::local`]).
pub fn app(state: AppState) -> Router {
    app_for(state, host::Hosts::local())
}

/// [`app`], answering also to the host names `hosts` allows.
pub fn app_for(state: AppState, hosts: host::Hosts) -> Router {
    Router::new()
        .route("/api/levels", get(api::levels))
        .route("/api/levels/{id}", get(api::level))
        .route("/api/mechanics", get(mechanics::handler))
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
        .layer(middleware::from_fn_with_state(Arc::new(hosts), host::guard))
        .layer(middleware::from_fn(assets::security_headers))
        .layer(middleware::from_fn(log::requests))
        .with_state(state)
}

/// The size the database may reach unless told otherwise, in MiB.
pub const DEFAULT_MAX_DB_MB: u64 = 256;

/// Where to listen and which database file to use.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServeConfig {
    pub addr: SocketAddr,
    pub db: PathBuf,
    /// Host names answered besides IP addresses and localhost.
    pub hosts: host::Hosts,
    /// Most MiB the database may take on disk, its write-ahead log
    /// included; a new design beyond it is refused with 507.
    pub max_db_mb: u64,
}

/// Opens the store, binds `cfg.addr`, prints `listening on http://HOST:PORT`
/// (the real port when port 0 was asked for) and serves until Ctrl-C or SIGTERM.
pub async fn serve(cfg: ServeConfig) -> Result<(), ServerError> {
    // The address first: a server that cannot listen leaves no database behind.
    let listener = TcpListener::bind(cfg.addr)
        .await
        .map_err(|source| ServerError::Bind {
            addr: cfg.addr,
            source,
        })?;
    let db = cfg.db.clone();
    let max_bytes = cfg.max_db_mb.saturating_mul(1024 * 1024);
    let store = tokio::task::spawn_blocking(move || {
        let store = Store::open(db)?;
        store.set_max_bytes(max_bytes)?;
        Ok::<_, loophole_store::StoreError>(store)
    })
    .await
    .map_err(|e| ServerError::Io(std::io::Error::other(e)))??;
    let state = AppState::new(store)?;
    let addr = listener.local_addr()?;
    {
        let mut out = std::io::stdout().lock();
        writeln!(out, "listening on http://{addr}")?;
        out.flush()?;
    }
    let router = app_for(state.clone(), cfg.hosts);
    serve_router(
        listener,
        state,
        router,
        shutdown_signal(),
        Connections::default(),
    )
    .await
}

/// How the server treats connections, whatever their requests.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Connections {
    /// A connection whose request line and headers have not all arrived this
    /// long after the server began reading them is closed without an answer.
    /// The same clock runs while a kept-alive connection waits for its next
    /// request, so an idle connection is closed after this long too. It
    /// never runs while an answer (such as a run's event stream) is being sent.
    pub header_read_timeout: Duration,
    /// Connections open at once. When they are all taken the server stops
    /// accepting: a new client waits in the operating system's queue until
    /// one closes (or gives up on its own), and is not refused.
    pub max_connections: u32,
    /// Connections open at once from one client address. A client that
    /// already holds this many has its next connection closed at once, so
    /// that one address cannot take every connection for itself.
    pub max_per_client: u32,
}

impl Default for Connections {
    fn default() -> Self {
        Connections {
            header_read_timeout: Duration::from_secs(10),
            max_connections: 1024,
            // A browser opens at most six to a host, plus event streams.
            max_per_client: 64,
        }
    }
}

/// Serves the app on a bound listener until `shutdown` completes, then
/// finishes the requests in flight. Levels' best scores are worked out in
/// the background from the start. Connections get the default
/// [`Connections`] limits.
pub async fn serve_on(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), ServerError> {
    serve_with(listener, state, shutdown, Connections::default()).await
}

/// [`serve_on`] with chosen connection limits.
///
/// Each accepted connection is served as HTTP/1.1 on its own task; its
/// requests carry the client's address as `ConnectInfo<SocketAddr>`, which
/// the rate limiter reads. On `shutdown` the server stops accepting, lets
/// every connection finish the answer it is sending (an event stream runs to
/// its end) and closes it, and returns once all are closed.
pub async fn serve_with(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
    limits: Connections,
) -> Result<(), ServerError> {
    let router = app(state.clone());
    serve_router(listener, state, router, shutdown, limits).await
}

/// Serves `router` (the app of `state`) as [`serve_with`] describes.
async fn serve_router(
    listener: TcpListener,
    state: AppState,
    router: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
    limits: Connections,
) -> Result<(), ServerError> {
    state.warm_up();
    let max = limits.max_connections.clamp(1, MAX_CONNECTIONS);
    let open = Arc::new(Semaphore::new(max as usize));
    let (closing, closing_rx) = watch::channel(false);
    let per_client = Arc::new(Mutex::new(HashMap::new()));
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        // A free connection slot first, so that at the limit nothing more is accepted.
        let slot = tokio::select! {
            () = &mut shutdown => break,
            slot = open.clone().acquire_owned() => match slot {
                Ok(slot) => slot,
                Err(_) => break,
            },
        };
        let (stream, remote) = tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) if is_connection_error(&e) => continue,
                Err(e) => {
                    // Such as too many open files: wait rather than spin.
                    tracing::error!("cannot accept a connection: {e}");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                    continue;
                }
            },
        };
        let Some(client) = ClientSlot::take(&per_client, remote.ip(), limits.max_per_client) else {
            // Over its share: closed without an answer, its slot free again.
            drop(stream);
            continue;
        };
        tokio::spawn(serve_connection(
            stream,
            remote,
            router.clone(),
            limits.header_read_timeout,
            closing_rx.clone(),
            (slot, client),
        ));
    }
    drop(listener);
    drop(closing_rx);
    // Every connection finishes what it is sending, then closes.
    let _ = closing.send(true);
    // All slots free again means every connection has closed.
    let _ = open.acquire_many(max).await;
    Ok(())
}

/// The most connections [`Connections::max_connections`] can allow.
const MAX_CONNECTIONS: u32 = 1 << 20;

/// Connections open per client address.
type PerClient = Arc<Mutex<HashMap<IpAddr, u32>>>;

/// One open connection of a client, counted until it is dropped.
struct ClientSlot {
    open: PerClient,
    ip: IpAddr,
}

impl ClientSlot {
    /// Counts a new connection from `ip`, unless it already has `max` open.
    fn take(open: &PerClient, ip: IpAddr, max: u32) -> Option<ClientSlot> {
        let mut counts = open.lock().unwrap_or_else(|e| e.into_inner());
        let n = counts.entry(ip).or_insert(0);
        if *n >= max.max(1) {
            return None;
        }
        *n += 1;
        Some(ClientSlot {
            open: open.clone(),
            ip,
        })
    }
}

impl Drop for ClientSlot {
    fn drop(&mut self) {
        let mut counts = self.open.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(n) = counts.get_mut(&self.ip) {
            *n -= 1;
            if *n == 0 {
                // The table holds only clients with connections open.
                counts.remove(&self.ip);
            }
        }
    }
}

/// Serves one connection until the client closes it, its headers are too
/// slow, or the server shuts down; `_slots` free its places (among all
/// connections, and among its client's) when it ends.
async fn serve_connection(
    stream: TcpStream,
    remote: SocketAddr,
    router: Router,
    header_read_timeout: Duration,
    mut closing: watch::Receiver<bool>,
    _slots: (OwnedSemaphorePermit, ClientSlot),
) {
    let service = service_fn(move |mut request: Request<Incoming>| {
        request.extensions_mut().insert(ConnectInfo(remote));
        router.clone().oneshot(request.map(Body::new))
    });
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(header_read_timeout);
    let connection = builder.serve_connection(TokioIo::new(stream), service);
    let mut connection = std::pin::pin!(connection);
    tokio::select! {
        // A failed connection (a client that went away, headers too slow)
        // concerns only that client.
        _ = connection.as_mut() => return,
        _ = closing.wait_for(|closing| *closing) => connection.as_mut().graceful_shutdown(),
    }
    let _ = connection.await;
}

/// Errors of one connection that was being accepted, after which the next
/// can be accepted at once.
fn is_connection_error(e: &std::io::Error) -> bool {
    matches!(
        e.kind(),
        std::io::ErrorKind::ConnectionRefused
            | std::io::ErrorKind::ConnectionAborted
            | std::io::ErrorKind::ConnectionReset
    )
}

/// Completes on Ctrl-C, or on SIGTERM where there are signals.
async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::warn!("cannot listen for Ctrl-C: {e}");
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
                tracing::warn!("cannot listen for SIGTERM: {e}");
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
