//! Hostile input to every endpoint: malformed, mistyped, oversized and deeply
//! nested bodies, odd Unicode, unknown names, out-of-range numbers, wrong
//! methods and paths that try to climb out of the static files. Every answer
//! must be a 4xx with the error JSON of docs/API.md (or the not-found page
//! off the API), quickly, and never a 5xx. `tests/api.rs` covers the
//! ordinary errors; this file covers the rest (docs/ROBUSTNESS.md).

use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use loophole_server::{AppState, Limits};
use serde_json::{json, Value};

mod common;

/// Longest any hostile request may take to be answered.
const ANSWER_WITHIN: Duration = Duration::from_secs(5);

/// Every route that takes a JSON body. `/api/explain/shallow` stands for
/// the demonstrations: only their shared handling is tested here.
const POST_ROUTES: [&str; 8] = [
    "/api/check",
    "/api/runs",
    "/api/sweep",
    "/api/rlhf",
    "/api/cai",
    "/api/designs",
    "/api/explain/shallow",
    "/api/explain/no-such-demo",
];

fn state() -> AppState {
    // No run may start by accident: every slot would be taken by a
    // request that should have been refused, and the test would see 429s.
    common::state_with(Limits {
        max_runs: 4,
        ..Limits::default()
    })
}

/// An answer, with the request it answers for the failure messages.
struct Answer {
    what: String,
    answer: common::Answer,
}

impl std::ops::Deref for Answer {
    type Target = common::Answer;
    fn deref(&self) -> &common::Answer {
        &self.answer
    }
}

impl Answer {
    /// A 4xx with `{"error": {"message": "…"}}` as JSON; returns the message.
    fn refused(&self) -> String {
        assert!(
            self.status.is_client_error(),
            "{}: {} {}",
            self.what,
            self.status,
            self.text()
        );
        assert_eq!(
            self.header(header::CONTENT_TYPE),
            "application/json",
            "{}: {}",
            self.what,
            self.text()
        );
        let body: Value = serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("{}: not JSON ({e}): {}", self.what, self.text()));
        let message = body["error"]["message"]
            .as_str()
            .unwrap_or_else(|| panic!("{}: no error message: {body}", self.what));
        assert!(!message.is_empty(), "{}", self.what);
        assert_eq!(
            body.as_object().map(|o| o.len()),
            Some(1),
            "{}: {body}",
            self.what
        );
        message.to_string()
    }
}

/// Sends a request; any answer must come within [`ANSWER_WITHIN`] and not be a 5xx.
async fn send(state: &AppState, what: String, request: Request<Body>) -> Answer {
    let started = Instant::now();
    let answer = common::send_within(state, request, ANSWER_WITHIN, &what).await;
    assert!(
        started.elapsed() < ANSWER_WITHIN,
        "{what}: {:?}",
        started.elapsed()
    );
    assert!(
        answer.status.as_u16() < 500,
        "{what}: {}: {:?}",
        answer.status,
        answer.body
    );
    Answer { what, answer }
}

async fn post_raw(state: &AppState, path: &str, body: impl Into<Vec<u8>>) -> Answer {
    let body = body.into();
    let what = format!(
        "POST {path} {:?}",
        String::from_utf8_lossy(&body[..body.len().min(60)])
    );
    let request = Request::post(path)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body))
        .unwrap();
    send(state, what, request).await
}

async fn post_json(state: &AppState, path: &str, body: &Value) -> Answer {
    post_raw(state, path, body.to_string()).await
}

async fn get(state: &AppState, path: &str) -> Answer {
    let request = Request::get(path).body(Body::empty()).unwrap();
    send(state, format!("GET {path}"), request).await
}

/// `depth` nested arrays (or objects) around a number.
fn nested(depth: usize, object: bool) -> String {
    let (open, close) = if object { ("{\"a\":", "}") } else { ("[", "]") };
    format!("{}1{}", open.repeat(depth), close.repeat(depth))
}

// ----- bodies that are not the JSON asked for -----

#[tokio::test]
async fn malformed_and_mistyped_bodies_are_4xx_json_on_every_post_route() {
    let s = state();
    let bodies: Vec<Vec<u8>> = vec![
        b"".to_vec(),
        b"{".to_vec(),
        b"}".to_vec(),
        b"{\"level\": ".to_vec(),
        b"{\"level\": \"boat-race\", }".to_vec(),
        b"{'level': 'boat-race'}".to_vec(),
        b"{} trailing".to_vec(),
        b"{}{}".to_vec(),
        b"null".to_vec(),
        b"true".to_vec(),
        b"42".to_vec(),
        b"-1e400".to_vec(),
        b"\"a string\"".to_vec(),
        b"[]".to_vec(),
        b"[{\"level\": \"boat-race\", \"reward\": \"step\"}]".to_vec(),
        b"{\"level\": 1, \"reward\": 2}".to_vec(),
        b"{\"level\": [\"boat-race\"], \"reward\": {\"step\": 1}}".to_vec(),
        b"{\"level\": null, \"reward\": null}".to_vec(),
        b"{\"level\": \"boat-race\", \"reward\": \"\\ud800\"}".to_vec(),
        b"{\"level\": \"boat-race\", \"reward\": \"\xff\xfe\"}".to_vec(),
        b"\xef\xbb\xbf{\"level\": \"boat-race\", \"reward\": \"step\"}".to_vec(),
        b"\0".to_vec(),
        vec![b' '; 8000],
        nested(10_000, false).into_bytes(),
        nested(3_000, true).into_bytes(),
        nested(100, false).into_bytes(),
        format!(
            "{{\"level\": \"boat-race\", \"reward\": {}}}",
            nested(5_000, false)
        )
        .into_bytes(),
    ];
    for route in POST_ROUTES {
        for body in &bodies {
            post_raw(&s, route, body.clone()).await.refused();
        }
    }
}

#[tokio::test]
async fn bodies_of_a_megabyte_are_413_json_however_they_are_sent() {
    let s = state();
    let mega = json!({"level": "boat-race", "reward": "1+".repeat(512 * 1024)}).to_string();
    let deep = "[".repeat(1 << 20);
    for route in POST_ROUTES {
        for body in [&mega, &deep] {
            let answer = post_raw(&s, route, body.as_bytes().to_vec()).await;
            assert_eq!(answer.status, StatusCode::PAYLOAD_TOO_LARGE, "{route}");
            assert!(answer.refused().contains("16 KiB"));
        }
        // Streamed in chunks, with no length announced up front.
        let chunks = futures_util::stream::iter(
            (0..1024).map(|_| Ok::<_, std::io::Error>(vec![b'['; 1024])),
        );
        let request = Request::post(route)
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from_stream(chunks))
            .unwrap();
        let answer = send(&s, format!("streamed MB to {route}"), request).await;
        assert_eq!(answer.status, StatusCode::PAYLOAD_TOO_LARGE, "{route}");
        answer.refused();
    }
}

/// Raw HTTP/1.1 on a real socket: what a client that lies about its body's
/// length, or sends it slowly, gets.
#[tokio::test]
async fn a_huge_announced_length_is_refused_on_a_real_socket_without_reading_it() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(loophole_server::serve_on(listener, state(), async {
        let _ = stopped.await;
    }));
    for route in POST_ROUTES {
        let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
        let head = format!(
            "POST {route} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n\
             Content-Length: {}\r\nConnection: close\r\n\r\n{{\"level\": ",
            1u64 << 40
        );
        stream.write_all(head.as_bytes()).await.unwrap();
        // The rest of the terabyte never comes; the answer must not wait for it.
        let mut response = Vec::new();
        tokio::time::timeout(ANSWER_WITHIN, stream.read_to_end(&mut response))
            .await
            .unwrap_or_else(|_| panic!("{route}: waited for the announced body"))
            .unwrap();
        let response = String::from_utf8_lossy(&response);
        assert!(response.starts_with("HTTP/1.1 413 "), "{route}: {response}");
        assert!(
            response.contains("\"error\":{\"message\":"),
            "{route}: {response}"
        );
    }
    // A body that starts but never finishes is not waited for beyond 10 s.
    let started = Instant::now();
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let head = format!(
        "POST /api/check HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n\
         Content-Length: 100\r\nConnection: close\r\n\r\n{{\"level\": "
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut response = Vec::new();
    tokio::time::timeout(Duration::from_secs(20), stream.read_to_end(&mut response))
        .await
        .expect("a slow body is given up on")
        .unwrap();
    let response = String::from_utf8_lossy(&response);
    assert!(response.starts_with("HTTP/1.1 408 "), "{response}");
    assert!(
        response.contains("did not arrive within 10 s"),
        "{response}"
    );
    assert!(started.elapsed() >= Duration::from_secs(10));

    stop.send(()).unwrap();
    tokio::time::timeout(Duration::from_secs(10), server)
        .await
        .expect("shuts down")
        .unwrap()
        .unwrap();
}

#[tokio::test]
async fn bodies_without_a_json_content_type_are_415_json() {
    let s = state();
    for route in POST_ROUTES {
        for content_type in [
            None,
            Some("text/plain"),
            Some("application/x-www-form-urlencoded"),
            Some("multipart/form-data; boundary=x"),
            Some("application/jsonx"),
            Some("\u{1}"),
        ] {
            let mut request = Request::post(route);
            if let Some(t) = content_type {
                if let Ok(v) = header::HeaderValue::from_str(t) {
                    request = request.header(header::CONTENT_TYPE, v);
                }
            }
            let request = request.body(Body::from("{}")).unwrap();
            let answer = send(&s, format!("{route} as {content_type:?}"), request).await;
            assert_eq!(
                answer.status,
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "{route} {content_type:?}"
            );
            answer.refused();
        }
    }
}

#[tokio::test]
async fn unknown_fields_of_the_strict_bodies_are_refused() {
    let s = state();
    for (route, body) in [
        (
            "/api/sweep",
            json!({"level": "boat-race", "reward": "step", "__proto__": 1}),
        ),
        ("/api/rlhf", json!({"comparisons": 100, "constructor": {}})),
        ("/api/cai", json!({"revisions": 1, "extra": true})),
    ] {
        let message = post_json(&s, route, &body).await.refused();
        assert!(message.contains("unknown field"), "{route}: {message}");
    }
}

// ----- odd text in rewards, levels, agents and ids -----

/// Text no reward, level id or agent name is made of.
fn odd_strings() -> Vec<String> {
    vec![
        "\u{202e}pets\u{202c}".into(), // right-to-left override
        "step\u{200d}".into(),         // zero-width joiner
        "st\u{200b}ep".into(),         // zero-width space
        "\u{feff}step".into(),         // byte order mark
        "step\0".into(),               // NUL
        "\0".into(),
        "🦀 + 👩‍👩‍👧".into(),                          // emoji, joined
        "ste\u{301}p".into(),                      // combining mark
        "s\u{336}t\u{336}e\u{336}p\u{336}".into(), // strike-through marks
        "z\u{35b}".repeat(300),                    // stacked combining marks
        "ｓｔｅｐ".into(),                         // full-width letters
        "\u{1b}[31mstep\u{1b}[0m".into(),          // terminal escape
        "\r\n\t\u{7}\u{8}".into(),                 // control characters
        "<script>alert(1)</script>".into(),        // markup
        "\"}]},{\"error\":1".into(),               // JSON-looking
        "%s%n%x{}{0}".into(),                      // format strings
        "../../../etc/passwd".into(),              // a path
        "\u{10ffff}\u{fffd}".into(),               // the last code point, the replacement char
        "(".repeat(5_000),                         // deeper than any limit
        "-".repeat(5_000) + "step",                // a long run of unary minus
        "not ".repeat(1_000) + "true",             // a long run of not
        "step+".repeat(1_000) + "step",            // more nodes than allowed
        "1".repeat(400),                           // a number beyond any limit
        "1e999999".into(),                         // a number that overflows
        "max(".repeat(100) + &")".repeat(100),     // nested calls
        "if step > 0 then ".repeat(70) + "1" + &" else 0".repeat(70),
        String::new(),
        " \t\n ".into(),
    ]
}

#[tokio::test]
async fn odd_unicode_and_huge_expressions_in_rewards_are_400_json() {
    let s = state();
    for reward in odd_strings() {
        for route in ["/api/check", "/api/runs", "/api/designs", "/api/sweep"] {
            let body = json!({"level": "boat-race", "reward": reward});
            let answer = post_json(&s, route, &body).await;
            let body: Value = serde_json::from_slice(&answer.body).unwrap();
            if route == "/api/check" {
                // A check answers with the reward's error, as a check should.
                assert_eq!(
                    answer.status,
                    StatusCode::OK,
                    "{reward:?}: {}",
                    answer.text()
                );
                assert_eq!(body["ok"], false, "{reward:?}");
                assert!(!body["error"]["message"].as_str().unwrap().is_empty());
            } else {
                assert_eq!(
                    answer.status,
                    StatusCode::BAD_REQUEST,
                    "{route} {reward:?}: {}",
                    answer.text()
                );
                answer.refused();
            }
            if let Some(span) = body["error"]["span"].as_array() {
                let (a, b) = (span[0].as_u64().unwrap(), span[1].as_u64().unwrap());
                assert!(
                    a <= b && b as usize <= reward.len(),
                    "{reward:?}: span {a}..{b}"
                );
            }
        }
    }
    // A reward of 100k `(` is over the body limit before it is a reward.
    let answer = post_json(
        &s,
        "/api/check",
        &json!({"level": "boat-race", "reward": "(".repeat(100_000)}),
    )
    .await;
    assert_eq!(answer.status, StatusCode::PAYLOAD_TOO_LARGE);
    // Under the body limit, the reward's own limit of 4096 bytes names itself.
    let answer = post_json(
        &s,
        "/api/runs",
        &json!({"level": "boat-race", "reward": "(".repeat(15_000)}),
    )
    .await;
    assert!(answer.refused().contains("4096"));
}

#[tokio::test]
async fn odd_unicode_in_levels_agents_and_constitutions_is_4xx_json() {
    let s = state();
    for odd in odd_strings() {
        let answer = post_json(&s, "/api/check", &json!({"level": odd, "reward": "step"})).await;
        assert_eq!(answer.status, StatusCode::NOT_FOUND, "{odd:?}");
        answer.refused();
        let run = json!({"level": "boat-race", "reward": "step", "agent": odd});
        for route in ["/api/runs", "/api/designs", "/api/sweep"] {
            let answer = post_json(&s, route, &run).await;
            assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{route} {odd:?}");
            answer.refused();
        }
        if !odd.trim().is_empty() {
            post_json(&s, "/api/cai", &json!({"constitution": odd}))
                .await
                .refused();
        }
        let demo = format!("/api/explain/{}", urlencode(&odd));
        let answer = post_json(&s, &demo, &json!({})).await;
        assert!(
            answer.status == StatusCode::NOT_FOUND || answer.status == StatusCode::BAD_REQUEST,
            "{demo}: {}",
            answer.status
        );
        answer.refused();
    }
}

#[tokio::test]
async fn names_that_are_not_utf8_are_4xx_json() {
    let s = state();
    for name in ["%FF%FE", "%C0%AE", "%ED%A0%80"] {
        let answer = post_json(&s, &format!("/api/explain/{name}"), &json!({})).await;
        answer.refused();
    }
}

/// Percent-encodes everything but unreserved ASCII.
fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[tokio::test]
async fn odd_ids_in_paths_are_404_or_400_json() {
    let s = state();
    let mut ids: Vec<String> = odd_strings().iter().map(|o| urlencode(o)).collect();
    ids.extend(
        [
            "%FF%FE",
            "%C0%AE%C0%AE",
            "%ED%A0%80",
            "%",
            "%zz",
            "%00",
            "..",
            "%2e%2e",
            "a%2Fb",
        ]
        .map(String::from),
    );
    ids.push("a".repeat(10_000));
    for id in &ids {
        for path in [
            format!("/api/levels/{id}"),
            format!("/api/designs/{id}"),
            format!("/api/runs/{id}/events"),
        ] {
            let answer = get(&s, &path).await;
            assert!(
                answer.status == StatusCode::NOT_FOUND || answer.status == StatusCode::BAD_REQUEST,
                "{path}: {}",
                answer.status
            );
            answer.refused();
        }
        for page in [format!("/play/{id}"), format!("/s/{id}")] {
            let answer = get(&s, &page).await;
            assert!(answer.status.is_client_error(), "{page}");
            assert!(
                !answer.text().contains("<script"),
                "{page} quotes the request"
            );
        }
    }
}

// ----- numbers out of range -----

#[tokio::test]
async fn powers_and_seeds_out_of_range_or_of_the_wrong_type_are_400() {
    let s = state();
    let odd_numbers = [
        json!(0),
        json!(-1),
        json!(-0.0),
        json!(1.5),
        json!(1e300),
        json!(u64::MAX),
        json!(18_446_744_073_709_551_616.0),
        json!("5"),
        json!(true),
        json!([5]),
        json!({"value": 5}),
    ];
    for route in ["/api/runs", "/api/designs"] {
        for agent in ["value-iteration", "q-learning", "mcts"] {
            for power in &odd_numbers {
                let body =
                    json!({"level": "boat-race", "reward": "step", "agent": agent, "power": power});
                let answer = post_json(&s, route, &body).await;
                assert_eq!(
                    answer.status,
                    StatusCode::BAD_REQUEST,
                    "{route} {agent} power {power}"
                );
                answer.refused();
            }
        }
        for seed in &odd_numbers[1..] {
            if *seed == json!(u64::MAX) {
                continue; // the largest seed is a seed
            }
            let body = json!({"level": "boat-race", "reward": "step", "seed": seed});
            let answer = post_json(&s, route, &body).await;
            assert_eq!(
                answer.status,
                StatusCode::BAD_REQUEST,
                "{route} seed {seed}"
            );
            answer.refused();
        }
    }
    for seeds in &odd_numbers {
        let body = json!({"level": "boat-race", "reward": "step", "seeds": seeds});
        post_json(&s, "/api/sweep", &body).await.refused();
    }
    post_json(
        &s,
        "/api/sweep",
        &json!({"level": "boat-race", "reward": "step", "seeds": 11}),
    )
    .await
    .refused();
    for (field, values) in [
        ("comparisons", &odd_numbers[..]),
        ("max_n", &odd_numbers[..]),
        ("rater_bias", &odd_numbers[1..]),
    ] {
        for value in values {
            if field == "rater_bias" && (*value == json!(1.5) || *value == json!(-0.0)) {
                continue; // biases the simulation accepts
            }
            let mut body = json!({"gridworld": false});
            body[field] = value.clone();
            let answer = post_json(&s, "/api/rlhf", &body).await;
            assert_eq!(
                answer.status,
                StatusCode::BAD_REQUEST,
                "rlhf {field} {value}"
            );
            answer.refused();
        }
    }
    for (field, values) in [
        ("comparisons", &odd_numbers[..]),
        ("revisions", &odd_numbers[1..]),
    ] {
        for value in values {
            let mut body = json!({});
            body[field] = value.clone();
            let answer = post_json(&s, "/api/cai", &body).await;
            assert_eq!(
                answer.status,
                StatusCode::BAD_REQUEST,
                "cai {field} {value}"
            );
            answer.refused();
        }
    }
}

// ----- methods -----

#[tokio::test]
async fn wrong_methods_are_405_json_on_the_api() {
    let s = state();
    for route in POST_ROUTES {
        for method in [Method::GET, Method::PUT, Method::DELETE, Method::PATCH] {
            let request = Request::builder()
                .method(method.clone())
                .uri(route)
                .body(Body::empty())
                .unwrap();
            let answer = send(&s, format!("{method} {route}"), request).await;
            assert_eq!(
                answer.status,
                StatusCode::METHOD_NOT_ALLOWED,
                "{method} {route}"
            );
            answer.refused();
        }
    }
    for route in ["/api/levels", "/api/levels/boat-race", "/api/designs/x"] {
        for method in [Method::POST, Method::PUT, Method::DELETE] {
            let request = Request::builder()
                .method(method.clone())
                .uri(route)
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from("{}"))
                .unwrap();
            let answer = send(&s, format!("{method} {route}"), request).await;
            assert_eq!(
                answer.status,
                StatusCode::METHOD_NOT_ALLOWED,
                "{method} {route}"
            );
            answer.refused();
        }
    }
}

// ----- the web front end -----

/// Paths that try to leave `web/static/`, by every encoding a router or a
/// file system might decode.
fn climbing_paths() -> Vec<String> {
    let mut paths: Vec<String> = [
        "/static/../Cargo.toml",
        "/static/../../Cargo.toml",
        "/static/%2e%2e/%2e%2e/Cargo.toml",
        "/static/%2E%2E%2F%2E%2E%2FCargo.toml",
        "/static/..%2f..%2fCargo.toml",
        "/static/..%5c..%5cCargo.toml",
        "/static/..\\..\\Cargo.toml",
        "/static/%252e%252e/%252e%252e/Cargo.toml",
        "/static/%c0%ae%c0%ae/%c0%ae%c0%ae/Cargo.toml",
        "/static/%e0%80%ae%e0%80%ae/Cargo.toml",
        "/static/....//....//Cargo.toml",
        "/static/.../Cargo.toml",
        "/static/./api.js",
        "/static/%2e/api.js",
        "/static//etc/passwd",
        "/static/%2fetc%2fpasswd",
        "/static/%2Fproc%2Fself%2Fenviron",
        "/static/C:%5cWindows%5cwin.ini",
        "/static/file:///etc/passwd",
        "/static/api.js%00.png",
        "/static/api.js%00",
        "/static/%00",
        "/static/api.js/",
        "/static/api.js/..",
        "/static/widgets/../../index.html",
        "/static/widgets/%2e%2e/%2e%2e/index.html",
        "/static/../index.html",
        "/static/index.html",
        "/static/../web/index.html",
        "/static/../crates/server/src/lib.rs",
        "/static/%2e%2e/%2e%2e/%2e%2e/crates/server/src/lib.rs",
        "/static/",
        "/static",
    ]
    .map(String::from)
    .to_vec();
    paths.push(format!("/static/{}", "a/".repeat(4_000)));
    paths.push(format!("/static/{}Cargo.toml", "../".repeat(1_000)));
    paths.push(format!("/static/{}", "x".repeat(60_000)));
    paths
}

#[tokio::test]
async fn static_paths_never_leave_the_embedded_files() {
    let s = state();
    let cargo_toml = include_str!("../../../Cargo.toml");
    let lib_rs = include_str!("../src/lib.rs");
    for path in climbing_paths() {
        let request = Request::get(path.as_str()).body(Body::empty());
        let Ok(request) = request else {
            continue; // not even a URI: nothing can reach the server
        };
        let answer = send(&s, format!("GET {path}"), request).await;
        assert!(
            answer.status == StatusCode::NOT_FOUND || answer.status == StatusCode::BAD_REQUEST,
            "{path}: {}",
            answer.status
        );
        let text = answer.text();
        assert!(
            !text.contains("[workspace]") && !cargo_toml.contains(&text),
            "{path}"
        );
        assert!(
            !text.contains("pub fn app(") && !lib_rs.contains(&text),
            "{path}"
        );
        assert!(!text.contains("root:") && !text.contains("PATH="), "{path}");
        assert!(!text.contains("<script"), "{path}: {text}");
    }
}

#[tokio::test]
async fn level_text_is_served_as_json_never_as_a_page() {
    // No API takes a level file; the built-in levels' own text reaches the
    // browser only inside JSON, which nosniff keeps from being read as HTML.
    let s = state();
    for path in ["/api/levels/boat-race"] {
        let answer = get(&s, path).await;
        assert_eq!(
            answer.header(header::CONTENT_TYPE),
            "application/json",
            "{path}"
        );
        assert_eq!(
            answer.header(header::X_CONTENT_TYPE_OPTIONS),
            "nosniff",
            "{path}"
        );
        let level = &answer.json();
        let boat = loophole_engine::levels::builtin("boat-race").unwrap();
        assert_eq!(level["title"], boat.title.as_str());
        assert_eq!(level["story"], boat.story.as_str());
    }
}
