//! Extractors whose rejections are [`ApiError`]s, so that a malformed, mistyped
//! or oversized body gets the same JSON error shape as every other error.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Path, Request};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use axum::Json;
use serde::de::DeserializeOwned;

use crate::error::ApiError;

/// Longest a client may take to send a request body (at most
/// [`crate::MAX_BODY_BYTES`]); a slower one gets 408 and its connection closes.
pub const BODY_TIMEOUT: Duration = Duration::from_secs(10);

/// [`axum::Json`] with an [`ApiError`] rejection. A body announced larger
/// than [`crate::MAX_BODY_BYTES`] is refused before any of it is read, and
/// one that does not arrive within [`BODY_TIMEOUT`] is not waited for.
pub struct ApiJson<T>(pub T);

impl<T, S> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let announced = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        if announced.is_some_and(|n| n > crate::MAX_BODY_BYTES as u64) {
            return Err(ApiError::too_large());
        }
        match tokio::time::timeout(BODY_TIMEOUT, Json::<T>::from_request(req, state)).await {
            Ok(json) => Ok(ApiJson(json?.0)),
            Err(_) => Err(ApiError::Body {
                status: StatusCode::REQUEST_TIMEOUT,
                message: format!(
                    "the request body did not arrive within {} s",
                    BODY_TIMEOUT.as_secs()
                ),
            }),
        }
    }
}

/// [`axum::extract::Path`] with an [`ApiError`] rejection.
pub struct ApiPath<T>(pub T);

impl<T, S> FromRequestParts<S> for ApiPath<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Path(value) = Path::<T>::from_request_parts(parts, state).await?;
        Ok(ApiPath(value))
    }
}

/// The address of the client that sent the request, where one is known (a
/// request through [`crate::serve_on`]; not one driven through the router
/// alone): run slots are shared out by it.
pub struct Client(pub Option<IpAddr>);

impl<S: Send + Sync> FromRequestParts<S> for Client {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let addr = parts.extensions.get::<ConnectInfo<SocketAddr>>();
        Ok(Client(addr.map(|ConnectInfo(a)| a.ip())))
    }
}
