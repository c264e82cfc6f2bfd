//! The web front end, embedded in the binary, and the headers of every response.

use axum::extract::Request;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use rust_embed::RustEmbed;

/// Everything under `web/`. Only these files are ever served: nothing is
/// read from the file system at run time, in debug builds too.
#[derive(RustEmbed)]
#[folder = "$CARGO_MANIFEST_DIR/../../web/"]
struct Web;

pub const CONTENT_SECURITY_POLICY: &str =
    "default-src 'self'; script-src 'self'; style-src 'self'; \
     img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; \
     frame-ancestors 'none'; form-action 'self'";

/// Adds the security headers to every response, and `Cache-Control:
/// no-store` to those that did not choose a caching policy (API answers).
pub async fn security_headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CONTENT_SECURITY_POLICY),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers
        .entry(header::CACHE_CONTROL)
        .or_insert(HeaderValue::from_static("no-store"));
    response
}

fn content_type(path: &str) -> &'static str {
    let ext = path.rsplit_once('.').map_or("", |(_, e)| e);
    match ext {
        "html" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "txt" | "md" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// An embedded file, with an `ETag` so that browsers revalidate cheaply:
/// file names carry no version, so nothing may be cached without asking.
pub fn file(path: &str, request_headers: &HeaderMap) -> Response {
    let Some(file) = Web::get(path) else {
        return not_found_page();
    };
    let hash = file.metadata.sha256_hash();
    let etag: String = hash[..16].iter().map(|b| format!("{b:02x}")).collect();
    let etag = format!("\"{etag}\"");
    let cache = HeaderValue::from_static("no-cache");
    let matches = request_headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"));
    if matches {
        return (
            StatusCode::NOT_MODIFIED,
            [(header::ETAG, etag)],
            [(header::CACHE_CONTROL, cache)],
        )
            .into_response();
    }
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static(content_type(path)),
            ),
            (header::CACHE_CONTROL, cache),
        ],
        [(header::ETAG, etag)],
        file.data,
    )
        .into_response()
}

/// A file under `web/static/`; any path with `..`, a backslash or an empty
/// segment is refused before the lookup.
pub fn static_file(path: &str, request_headers: &HeaderMap) -> Response {
    let safe = !path.is_empty()
        && !path.contains('\\')
        && path
            .split('/')
            .all(|s| !s.is_empty() && s != "." && s != "..");
    if !safe {
        return not_found_page();
    }
    file(&format!("static/{path}"), request_headers)
}

/// The page for anything that is not there. It quotes nothing from the request.
pub fn not_found_page() -> Response {
    const PAGE: &str = "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
        <title>Not found · Loophole</title></head><body><h1>Not found</h1>\
        <p>There is nothing at this address. <a href=\"/\">Back to the start</a>.</p></body></html>\n";
    (
        StatusCode::NOT_FOUND,
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        PAGE,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_that_climb_out_are_refused() {
        let h = HeaderMap::new();
        for bad in [
            "../Cargo.toml",
            "a/../../x",
            "..",
            "./x",
            "a//b",
            "",
            "a\\..\\b",
            "/etc/passwd",
        ] {
            assert_eq!(
                static_file(bad, &h).status(),
                StatusCode::NOT_FOUND,
                "{bad}"
            );
        }
    }

    #[test]
    fn content_types_follow_the_extension() {
        assert_eq!(
            content_type("static/app.js"),
            "text/javascript; charset=utf-8"
        );
        assert_eq!(content_type("index.html"), "text/html; charset=utf-8");
        assert_eq!(content_type("static/favicon.svg"), "image/svg+xml");
        assert_eq!(content_type("static/noext"), "application/octet-stream");
    }
}
