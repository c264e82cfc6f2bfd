//! Which host names the server answers to: a guard against DNS rebinding.
//!
//! A page on another site can point its own name at 127.0.0.1 and then make
//! the browser talk to this server as if it were that site. The browser
//! still sends the attacker's name in the `Host` header, so the server
//! answers only requests whose `Host` is an IP address (a literal address is
//! never such a name: a page can only reach one by being served from it),
//! `localhost` (and names under it, which browsers keep on this machine), or
//! a name the operator allowed (`loophole serve --allow-host NAME`). Others
//! get 421 Misdirected Request. A request without `Host` (HTTP/1.0) carries
//! no name to rebind, and is answered.

use std::net::{Ipv4Addr, Ipv6Addr};
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::ApiError;

/// The host names the server answers to, besides IP addresses and localhost.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Hosts {
    names: Vec<String>,
}

impl Hosts {
    /// IP addresses and localhost only.
    pub fn local() -> Hosts {
        Hosts::default()
    }

    /// Also answers to `name` (a host name such as `classroom.local`, any case).
    pub fn allow(mut self, name: &str) -> Result<Hosts, String> {
        let name = normalize(name);
        let valid = !name.is_empty()
            && name.len() <= 253
            && name.split('.').all(|l| {
                !l.is_empty()
                    && l.len() <= 63
                    && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            });
        if !valid {
            return Err(format!(
                "--allow-host `{name}` is not a host name (letters, digits, `-` and dots, no port)"
            ));
        }
        self.names.push(name);
        Ok(self)
    }

    /// Whether a request whose `Host` header is `host` is answered.
    pub fn allows(&self, host: &str) -> bool {
        let host = host.trim();
        // `[::1]:8080`, `[::1]`: an IPv6 literal.
        if let Some(rest) = host.strip_prefix('[') {
            return rest
                .split_once(']')
                .is_some_and(|(ip, port)| ip.parse::<Ipv6Addr>().is_ok() && valid_port(port));
        }
        let name = match host.rsplit_once(':') {
            Some((name, port)) if valid_port(&format!(":{port}")) => name,
            Some(_) => return false,
            None => host,
        };
        let name = normalize(name);
        name.parse::<Ipv4Addr>().is_ok()
            || name == "localhost"
            || name.ends_with(".localhost")
            || self.names.contains(&name)
    }

    /// The names a refused client may use instead, for the error message.
    fn answered(&self) -> String {
        let mut names = vec![
            "an IP address such as 127.0.0.1".to_string(),
            "localhost".into(),
        ];
        names.extend(self.names.iter().cloned());
        names.join(", ")
    }
}

/// Lowercase, without the trailing dot of a fully qualified name.
fn normalize(name: &str) -> String {
    name.trim().trim_end_matches('.').to_ascii_lowercase()
}

/// An empty port, or `:` and digits.
fn valid_port(port: &str) -> bool {
    port.is_empty()
        || port
            .strip_prefix(':')
            .is_some_and(|p| !p.is_empty() && p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit()))
}

/// Refuses requests for a host name the server does not answer to.
pub(crate) async fn guard(
    State(hosts): State<Arc<Hosts>>,
    request: Request,
    next: Next,
) -> Response {
    let host = request
        .headers()
        .get(header::HOST)
        .map(|h| h.to_str().map(str::to_owned));
    match host {
        None => next.run(request).await,
        Some(Ok(host)) if hosts.allows(&host) => next.run(request).await,
        Some(host) => {
            let shown: String = host.unwrap_or_default().chars().take(100).collect();
            ApiError::Body {
                status: StatusCode::MISDIRECTED_REQUEST,
                message: format!(
                    "this server does not answer to the host name `{}`: it answers to {} \
                     (start it with --allow-host NAME to add a name)",
                    shown.escape_debug(),
                    hosts.answered()
                ),
            }
            .into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_localhost_and_allowed_names_only() {
        let hosts = Hosts::local().allow("Classroom.Local.").unwrap();
        for ok in [
            "127.0.0.1",
            "127.0.0.1:8080",
            "192.168.1.20:8080",
            "[::1]:8080",
            "[::1]",
            "localhost:8080",
            "LOCALHOST",
            "app.localhost:80",
            "classroom.local:8080",
            "classroom.local.",
        ] {
            assert!(hosts.allows(ok), "{ok}");
        }
        for refused in [
            "attacker.example",
            "attacker.example:8080",
            "127.0.0.1.attacker.example",
            "localhost.attacker.example",
            "[::1]x",
            "[nonsense]:80",
            "localhost:80:80",
            "localhost:http",
            "",
        ] {
            assert!(!hosts.allows(refused), "{refused}");
        }
        assert!(Hosts::local().allow("has space").is_err());
        assert!(Hosts::local().allow("name:8080").is_err());
    }
}
