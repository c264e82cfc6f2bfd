//! Errors: [`ApiError`] for answers to requests, [`ServerError`] for the server itself.

use std::fmt;

use axum::extract::rejection::{JsonRejection, PathRejection};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use loophole_engine::agents::{Invalid, RunError};
use loophole_engine::lang::Diagnostic;

pub use crate::wire::{ErrorBody, ErrorDetail};

/// Why a request was not answered with what it asked for. Every variant
/// becomes a 4xx with the body `{"error": {"message", "span"?}}`, except
/// [`ApiError::Internal`], which is logged and answered with a generic 500.
#[derive(Debug)]
pub enum ApiError {
    /// The request is well formed but asks for something invalid.
    BadRequest(String),
    /// The reward does not compile; `span` is a byte range of the reward text.
    Reward {
        message: String,
        span: (usize, usize),
    },
    NotFound(String),
    /// The body could not be read as the expected JSON.
    Body {
        status: StatusCode,
        message: String,
    },
    /// Every run slot is taken; try again in a second.
    Busy(String),
    /// A client's quota is spent: 429 with a `Retry-After` of this many seconds.
    Quota {
        message: String,
        retry_after: u32,
    },
    /// The database is full: 507.
    Full(String),
    /// The computation asked for took longer than the server's time budget:
    /// the same request would again, so it is no reason to retry (422).
    OverBudget(String),
    /// A fault of the server, not of the request.
    Internal(String),
}

impl ApiError {
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::BadRequest(_) | ApiError::Reward { .. } => StatusCode::BAD_REQUEST,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::Body { status, .. } => *status,
            ApiError::Busy(_) | ApiError::Quota { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Full(_) => StatusCode::INSUFFICIENT_STORAGE,
            ApiError::OverBudget(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The error of a reward that does not compile, with its help appended.
    pub fn reward(d: Diagnostic) -> ApiError {
        let message = match d.help {
            Some(help) => format!("{} ({help})", d.message),
            None => d.message,
        };
        ApiError::Reward {
            message,
            span: d.span,
        }
    }

    /// A request body over [`crate::MAX_BODY_BYTES`]: 413.
    pub fn too_large() -> ApiError {
        ApiError::Body {
            status: StatusCode::PAYLOAD_TOO_LARGE,
            message: format!(
                "the request body is larger than the limit of {} KiB",
                crate::MAX_BODY_BYTES / 1024
            ),
        }
    }

    /// The JSON body of this error, as sent to clients.
    pub fn body(&self) -> ErrorBody {
        let (message, span) = match self {
            ApiError::BadRequest(m)
            | ApiError::NotFound(m)
            | ApiError::Busy(m)
            | ApiError::Full(m)
            | ApiError::Quota { message: m, .. }
            | ApiError::OverBudget(m) => (m.clone(), None),
            ApiError::Body { message, .. } => (message.clone(), None),
            ApiError::Reward { message, span } => (message.clone(), Some([span.0, span.1])),
            ApiError::Internal(_) => (
                "the server failed to answer; the fault is logged".to_string(),
                None,
            ),
        };
        ErrorBody {
            error: ErrorDetail { message, span },
        }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ApiError::Internal(m) => write!(f, "internal error: {m}"),
            other => f.write_str(&other.body().error.message),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let ApiError::Internal(detail) = &self {
            tracing::error!("internal error: {detail}");
        }
        let mut response = (self.status(), Json(self.body())).into_response();
        match self {
            ApiError::Busy(_) => {
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
            }
            ApiError::Quota { retry_after, .. } => {
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(retry_after.max(1)));
            }
            _ => {}
        }
        response
    }
}

/// The engine's refusals are the request's fault: 400, with the span of a
/// reward's mistake. A stop is only ever asked for by a budget, whose own
/// words say more (`Budget::error`).
impl From<RunError> for ApiError {
    fn from(e: RunError) -> Self {
        match e {
            RunError::Invalid(Invalid::Reward(d)) => ApiError::reward(d),
            RunError::Stopped => ApiError::OverBudget(e.to_string()),
            other => ApiError::BadRequest(other.to_string()),
        }
    }
}

impl From<JsonRejection> for ApiError {
    fn from(r: JsonRejection) -> Self {
        let (status, message) = match &r {
            JsonRejection::MissingJsonContentType(_) => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "the request body must be JSON, sent with `Content-Type: application/json`"
                    .to_string(),
            ),
            _ if r.status() == StatusCode::PAYLOAD_TOO_LARGE => return ApiError::too_large(),
            // Malformed JSON and JSON of the wrong shape are both bad input: 400.
            JsonRejection::JsonSyntaxError(_) | JsonRejection::JsonDataError(_) => {
                (StatusCode::BAD_REQUEST, r.body_text())
            }
            _ if r.status().is_client_error() => (r.status(), r.body_text()),
            _ => (StatusCode::BAD_REQUEST, r.body_text()),
        };
        ApiError::Body { status, message }
    }
}

impl From<PathRejection> for ApiError {
    fn from(r: PathRejection) -> Self {
        ApiError::Body {
            status: StatusCode::BAD_REQUEST,
            message: r.body_text(),
        }
    }
}

/// Why the server could not start or stopped with an error.
#[derive(Debug)]
pub enum ServerError {
    /// The database could not be opened.
    Store(loophole_store::StoreError),
    /// A built-in level does not load (a bug of the build).
    Levels(String),
    /// The address could not be bound.
    Bind {
        addr: std::net::SocketAddr,
        source: std::io::Error,
    },
    Io(std::io::Error),
}

impl fmt::Display for ServerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ServerError::Store(e) => write!(f, "cannot open the database: {e}"),
            ServerError::Levels(e) => write!(f, "the built-in levels do not load: {e}"),
            ServerError::Bind { addr, source }
                if source.kind() == std::io::ErrorKind::AddrInUse =>
            {
                write!(
                    f,
                    "cannot listen on {addr}: the port is taken (is Loophole already running?); \
                     choose another with --addr {}:PORT, or port 0 for any free one",
                    addr.ip()
                )
            }
            ServerError::Bind { addr, source } => write!(f, "cannot listen on {addr}: {source}"),
            ServerError::Io(e) => write!(f, "server I/O error: {e}"),
        }
    }
}

impl std::error::Error for ServerError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ServerError::Store(e) => Some(e),
            ServerError::Bind { source, .. } => Some(source),
            ServerError::Io(e) => Some(e),
            ServerError::Levels(_) => None,
        }
    }
}

impl From<std::io::Error> for ServerError {
    fn from(e: std::io::Error) -> Self {
        ServerError::Io(e)
    }
}

impl From<loophole_store::StoreError> for ServerError {
    fn from(e: loophole_store::StoreError) -> Self {
        ServerError::Store(e)
    }
}
