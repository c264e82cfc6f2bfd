//! Per-client rate limiting of the API: a token bucket per IP address.
//!
//! Each address may make `burst` API requests at once and `per_sec` a second
//! after that; beyond, 429 with `Retry-After`. Pages and static files are not
//! limited. An IPv6 client is its /64 network, the block one subscriber is
//! usually given, so that it cannot take a fresh bucket per address. The
//! table of buckets is bounded: when it reaches [`MAX_CLIENTS`], buckets that
//! have refilled are dropped, and if none has, the one idle longest.

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
        let ip = client_key(ip);
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        if buckets.len() >= MAX_CLIENTS && !buckets.contains_key(&ip) {
            let (burst, per_sec) = (self.burst, self.per_sec);
            buckets.retain(|_, b| {
                b.tokens + now.duration_since(b.last).as_secs_f64() * per_sec < burst
            });
            // Every bucket still in use: the one idle longest makes room.
            if buckets.len() >= MAX_CLIENTS {
                let idle = buckets.iter().min_by_key(|(_, b)| b.last).map(|(k, _)| *k);
                if let Some(idle) = idle {
                    buckets.remove(&idle);
                }
            }
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

    /// Gives back a token taken for `ip` by [`RateLimiter::allow`].
    fn refund(&self, ip: IpAddr) {
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(b) = buckets.get_mut(&client_key(ip)) {
            b.tokens = (b.tokens + 1.0).min(self.burst);
        }
    }

    /// Seconds until `ip`'s bucket has a token again.
    fn wait_secs(&self, ip: IpAddr) -> u32 {
        let buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        let missing = buckets
            .get(&client_key(ip))
            .map_or(0.0, |b| (1.0 - b.tokens).max(0.0));
        (missing / self.per_sec).ceil().clamp(1.0, 3600.0) as u32
    }
}

/// The designs one client may save: `per_minute` at once and that many a
/// minute after that, and at most `per_hour` an hour (two token buckets;
/// `Limits::saves_per_minute`, `Limits::saves_per_hour`).
pub struct SaveQuota {
    minute: RateLimiter,
    hour: RateLimiter,
    per_minute: u32,
    per_hour: u32,
}

impl SaveQuota {
    pub fn new(per_minute: u32, per_hour: u32) -> SaveQuota {
        SaveQuota {
            minute: RateLimiter::new(per_minute, f64::from(per_minute) / 60.0),
            hour: RateLimiter::new(per_hour, f64::from(per_hour) / 3600.0),
            per_minute,
            per_hour,
        }
    }

    /// Counts a save by `ip`, or says why it is one too many.
    pub fn allow(&self, ip: IpAddr, now: Instant) -> Result<(), ApiError> {
        let refused = |bucket: &RateLimiter| ApiError::Quota {
            message: format!(
                "too many designs saved from your address (at most {} a minute and {} an hour); \
                 try again later",
                self.per_minute, self.per_hour
            ),
            retry_after: bucket.wait_secs(ip),
        };
        if !self.minute.allow(ip, now) {
            return Err(refused(&self.minute));
        }
        if !self.hour.allow(ip, now) {
            self.minute.refund(ip);
            return Err(refused(&self.hour));
        }
        Ok(())
    }
}

/// The bucket an address draws on: itself for IPv4, its /64 network for IPv6
/// (an IPv4 address mapped into IPv6 counts as the IPv4 address).
pub(crate) fn client_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let s = v6.segments();
                IpAddr::V6(std::net::Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
            }
        },
    }
}

#[cfg(test)]
impl RateLimiter {
    fn clients(&self) -> usize {
        self.buckets.lock().unwrap().len()
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

    #[test]
    fn the_table_of_clients_stays_bounded_when_every_bucket_is_in_use() {
        let l = RateLimiter::new(5, 0.001);
        let t = Instant::now();
        for i in 0..MAX_CLIENTS as u32 + 500 {
            let ip = IpAddr::from(std::net::Ipv4Addr::from(0x0a00_0000 + i));
            assert!(l.allow(ip, t + Duration::from_micros(u64::from(i))));
            assert!(l.clients() <= MAX_CLIENTS);
        }
        assert_eq!(l.clients(), MAX_CLIENTS);
    }

    #[test]
    fn the_save_quota_holds_a_minute_and_an_hour() {
        let q = SaveQuota::new(3, 5);
        let ip: IpAddr = [127, 0, 1, 2].into();
        let t = Instant::now();
        for _ in 0..3 {
            assert!(q.allow(ip, t).is_ok());
        }
        let e = q.allow(ip, t).unwrap_err();
        assert!(
            e.to_string().contains("at most 3 a minute and 5 an hour"),
            "{e}"
        );
        assert!(
            matches!(
                e,
                ApiError::Quota {
                    retry_after: 20,
                    ..
                }
            ),
            "{e:?}"
        );
        assert!(q.allow([127, 0, 1, 3].into(), t).is_ok(), "another address");
        // A minute later the minute has refilled, the hour has two left (and
        // a twelfth of a save): one more comes back 660 s after that.
        let later = t + Duration::from_secs(60);
        assert!(q.allow(ip, later).is_ok() && q.allow(ip, later).is_ok());
        let e = q.allow(ip, later).unwrap_err();
        assert!(
            matches!(
                e,
                ApiError::Quota {
                    retry_after: 660,
                    ..
                }
            ),
            "{e:?}"
        );
        // The refused save was not counted against the minute.
        assert!(q.allow(ip, later + Duration::from_secs(661)).is_ok());
    }

    #[test]
    fn an_ipv6_network_shares_one_bucket() {
        let l = RateLimiter::new(2, 0.001);
        let t = Instant::now();
        let a: IpAddr = "2001:db8:1:2::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:ffff::9".parse().unwrap();
        let other: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert!(l.allow(a, t) && l.allow(b, t));
        assert!(!l.allow(a, t), "the /64 has used its burst");
        assert!(l.allow(other, t), "another /64 has its own");
        let mapped: IpAddr = "::ffff:10.0.0.1".parse().unwrap();
        assert!(l.allow(mapped, t) && l.allow([10, 0, 0, 1].into(), t));
        assert!(
            !l.allow([10, 0, 0, 1].into(), t),
            "mapped IPv4 is the IPv4 address"
        );
    }
}
