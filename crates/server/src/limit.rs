//! Per-client rate limiting of the API: a token bucket per IP address.
//!
//! Each address may make `burst` API requests at once and `per_sec` a second
//! after that; beyond, 429 with `Retry-After`. Pages and static files are not
//! limited. The table of buckets is bounded: when it grows past
//! [`MAX_CLIENTS`], buckets that have refilled are dropped.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Mutex;
use std::time::Instant;

use axum::extract::{ConnectInfo, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::ApiError;
use crate::state::AppState;

/// Most client addresses tracked at once.
pub const MAX_CLIENTS: usize = 10_000;

struct Bucket {
    tokens: f64,
    last: Instant,
}

pub struct RateLimiter {
    burst: f64,
    per_sec: f64,
    buckets: Mutex<HashMap<IpAddr, Bucket>>,
}

impl RateLimiter {
    pub fn new(burst: u32, per_sec: f64) -> RateLimiter {
        RateLimiter {
            burst: f64::from(burst),
            per_sec,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes a token for `ip`; false when its bucket is empty.
    pub fn allow(&self, ip: IpAddr, now: Instant) -> bool {
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        if buckets.len() >= MAX_CLIENTS && !buckets.contains_key(&ip) {
            let (burst, per_sec) = (self.burst, self.per_sec);
            buckets.retain(|_, b| {
                b.tokens + now.duration_since(b.last).as_secs_f64() * per_sec < burst
            });
        }
        let b = buckets.entry(ip).or_insert(Bucket {
            tokens: self.burst,
            last: now,
        });
        b.tokens =
            (b.tokens + now.duration_since(b.last).as_secs_f64() * self.per_sec).min(self.burst);
        b.last = now;
        if b.tokens >= 1.0 {
            b.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

/// The middleware: API requests from an address over its rate get 429.
pub async fn rate_limit(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if request.uri().path().starts_with("/api/") {
        if let Some(ConnectInfo(addr)) = request.extensions().get::<ConnectInfo<SocketAddr>>() {
            if !state.inner.limiter.allow(addr.ip(), Instant::now()) {
                let l = state.limits();
                return ApiError::Busy(format!(
                    "too many requests from your address (at most {} at once and {} a second); try again in a moment",
                    l.per_client_burst, l.per_client_per_sec
                ))
                .into_response();
            }
        }
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn a_bucket_empties_and_refills() {
        let l = RateLimiter::new(2, 1.0);
        let ip: IpAddr = [127, 0, 0, 1].into();
        let t = Instant::now();
        assert!(l.allow(ip, t));
        assert!(l.allow(ip, t));
        assert!(!l.allow(ip, t));
        assert!(
            l.allow([127, 0, 0, 2].into(), t),
            "another address has its own bucket"
        );
        assert!(
            l.allow(ip, t + Duration::from_millis(1100)),
            "a token back after a second"
        );
        assert!(!l.allow(ip, t + Duration::from_millis(1200)));
    }
}
