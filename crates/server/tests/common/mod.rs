//! Driving the app through its router, without a socket: the helpers the
//! server's integration tests share.
// Each test file uses only some of them.
#![allow(dead_code)]

use std::time::Duration;

use axum::body::Body;
use axum::http::{header, HeaderMap, Request, StatusCode};
use http_body_util::BodyExt;
use loophole_server::{app, AppState, Limits};
use loophole_store::Store;
use serde_json::Value;
use tower::ServiceExt;

pub fn state() -> AppState {
    AppState::new(Store::open_in_memory().unwrap()).unwrap()
}

pub fn state_with(limits: Limits) -> AppState {
    AppState::with_limits(Store::open_in_memory().unwrap(), limits).unwrap()
}

pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
    pub fn header(&self, name: header::HeaderName) -> &str {
        self.headers.get(&name).map_or("", |v| v.to_str().unwrap())
    }
    /// Checks the error shape of docs/API.md and returns the message.
    pub fn error(&self, status: StatusCode) -> String {
        self.error_body(status)["error"]["message"]
            .as_str()
            .unwrap()
            .to_string()
    }
    /// Checks the error shape of docs/API.md and returns the whole body.
    pub fn error_body(&self, status: StatusCode) -> Value {
        assert_eq!(self.status, status, "{}", self.text());
        assert_eq!(self.header(header::CONTENT_TYPE), "application/json");
        let body = self.json();
        let message = body["error"]["message"]
            .as_str()
            .unwrap_or_else(|| panic!("no message: {body}"));
        assert!(!message.is_empty());
        body
    }
}

pub async fn send(state: &AppState, request: Request<Body>) -> Answer {
    send_within(state, request, Duration::MAX, "").await
}

/// [`send`], failing the test (naming the request as `what`) when the
/// head or the body of the answer does not arrive within `within`.
pub async fn send_within(
    state: &AppState,
    request: Request<Body>,
    within: Duration,
    what: &str,
) -> Answer {
    let response = tokio::time::timeout(within, app(state.clone()).oneshot(request))
        .await
        .unwrap_or_else(|_| panic!("{what}: no answer within {within:?}"))
        .unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let body = tokio::time::timeout(within, response.into_body().collect())
        .await
        .unwrap_or_else(|_| panic!("{what}: body not finished within {within:?}"))
        .unwrap()
        .to_bytes()
        .to_vec();
    Answer {
        status,
        headers,
        body,
    }
}

pub async fn get(state: &AppState, path: &str) -> Answer {
    send(state, Request::get(path).body(Body::empty()).unwrap()).await
}

pub async fn post(state: &AppState, path: &str, body: impl Into<Body>) -> Answer {
    let request = Request::post(path)
        .header(header::CONTENT_TYPE, "application/json")
        .body(body.into())
        .unwrap();
    send(state, request).await
}

pub async fn post_json(state: &AppState, path: &str, body: Value) -> Answer {
    post(state, path, body.to_string()).await
}
