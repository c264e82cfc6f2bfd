//! The web front end, embedded in the binary, and the headers of every response.

use axum::extract::Request;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use rust_embed::RustEmbed;

use crate::error::ApiError;

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
/// An API error that is not JSON (a rejection of one of axum's own
/// extractors) is given the error JSON of docs/API.md, so that clients
/// always read the same shape.
pub async fn security_headers(request: Request, next: Next) -> Response {
    let api = request.uri().path().starts_with("/api/");
    let mut response = next.run(request).await;
    let failed = response.status().is_client_error() || response.status().is_server_error();
    if api && failed && !is_json(response.headers()) {
        response = as_json_error(response).await;
    }
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
    // An event stream is never stored either (axum's own says only `no-cache`).
    let stream = headers
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"text/event-stream"));
    if stream {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    headers
        .entry(header::CACHE_CONTROL)
        .or_insert(HeaderValue::from_static("no-store"));
    response
}

fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"))
}

/// The error JSON of a plain-text error response, with its status and text.
async fn as_json_error(response: Response) -> Response {
    let status = response.status();
    // Rejection texts are short; a longer body is cut, never read whole.
    let text = axum::body::to_bytes(response.into_body(), 4096)
        .await
        .map(|b| String::from_utf8_lossy(&b).trim().to_string())
        .unwrap_or_default();
    let message = if text.is_empty() {
        status
            .canonical_reason()
            .unwrap_or("the request was refused")
            .to_string()
    } else {
        text
    };
    ApiError::Body { status, message }.into_response()
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

    /// Every page and every embedded file, as served through the whole app.
    async fn served(path: &str) -> (StatusCode, HeaderMap, Vec<u8>) {
        use http_body_util::BodyExt;
        use tower::ServiceExt;
        let store = loophole_store::Store::open_in_memory().unwrap();
        let app = crate::app(crate::AppState::new(store).unwrap());
        let request = axum::http::Request::get(path)
            .body(axum::body::Body::empty())
            .unwrap();
        let response = app.oneshot(request).await.unwrap();
        let (status, headers) = (response.status(), response.headers().clone());
        let body = response.into_body().collect().await.unwrap().to_bytes();
        (status, headers, body.to_vec())
    }

    #[tokio::test]
    async fn every_page_and_embedded_file_carries_the_csp_without_inline_script() {
        let script_src = CONTENT_SECURITY_POLICY
            .split(';')
            .map(str::trim)
            .find(|d| d.starts_with("script-src"))
            .unwrap();
        assert_eq!(script_src, "script-src 'self'");
        assert!(!CONTENT_SECURITY_POLICY.contains("unsafe"));
        let mut paths: Vec<String> = ["/", "/play", "/play/boat-race", "/feedback", "/nowhere"]
            .map(String::from)
            .to_vec();
        let files: Vec<String> = Web::iter().map(|f| f.to_string()).collect();
        assert!(files.iter().any(|f| f == "static/api.js"), "{files:?}");
        paths.extend(
            files
                .iter()
                .filter_map(|f| f.strip_prefix("static/"))
                .map(|f| format!("/static/{f}")),
        );
        for path in &paths {
            let (status, headers, body) = served(path).await;
            let expected = if path == "/nowhere" {
                StatusCode::NOT_FOUND
            } else {
                StatusCode::OK
            };
            assert_eq!(status, expected, "{path}");
            assert_eq!(
                headers[header::CONTENT_SECURITY_POLICY],
                CONTENT_SECURITY_POLICY,
                "{path}"
            );
            assert_eq!(headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff", "{path}");
            let is_html = headers[header::CONTENT_TYPE]
                .to_str()
                .unwrap()
                .starts_with("text/html");
            if is_html {
                assert_no_inline_code(path, &String::from_utf8_lossy(&body));
            }
        }
        // The pages at the root of web/ are served only through their routes.
        for f in files.iter().filter(|f| !f.starts_with("static/")) {
            assert!(f.ends_with(".html"), "{f} is embedded but has no route");
        }
    }

    /// A page's scripts are all files (`<script src>` with nothing inside),
    /// and it has no event-handler or style attributes and no `javascript:`
    /// links: the CSP would block them.
    fn assert_no_inline_code(path: &str, html: &str) {
        let lower = html.to_ascii_lowercase();
        for (i, _) in lower.match_indices("<script") {
            let tag_end = i + lower[i..].find('>').unwrap();
            assert!(lower[i..tag_end].contains(" src="), "{path}: inline script");
            assert!(
                lower[tag_end + 1..].starts_with("</script>"),
                "{path}: a script with a body"
            );
        }
        assert!(!lower.contains("javascript:"), "{path}");
        for attribute in lower.split('<').skip(1).flat_map(|tag| {
            let tag = tag.split('>').next().unwrap_or("");
            tag.split_whitespace()
                .skip(1)
                .map(str::to_string)
                .collect::<Vec<_>>()
        }) {
            assert!(
                !(attribute.starts_with("on") && attribute.contains('=')),
                "{path}: event handler `{attribute}`"
            );
            assert!(!attribute.starts_with("style="), "{path}: style attribute");
        }
    }

    /// The front end builds its DOM with `textContent` and elements: no
    /// script uses a sink that parses text as HTML or code.
    #[test]
    fn no_script_parses_text_as_html_or_code() {
        const SINKS: [&str; 9] = [
            "innerHTML",
            "outerHTML",
            "insertAdjacentHTML",
            "document.write",
            "createContextualFragment",
            "setHTMLUnsafe",
            "DOMParser",
            "eval(",
            "new Function",
        ];
        let mut scripts = 0;
        for name in Web::iter().filter(|f| f.ends_with(".js")) {
            let file = Web::get(&name).unwrap();
            let text = String::from_utf8_lossy(&file.data);
            for sink in SINKS {
                assert!(!text.contains(sink), "{name} uses {sink}");
            }
            scripts += 1;
        }
        assert!(scripts >= 5, "{scripts} scripts embedded");
    }
}
