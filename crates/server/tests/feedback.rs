//! `POST /api/rlhf`, `POST /api/cai` and the `/feedback` page, driven through
//! the router without a socket.

mod common;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use loophole_engine::feedback::cai::{cai, CaiConfig};
use loophole_engine::feedback::rlhf::{rlhf, RlhfConfig};
use loophole_server::feedback::{cai_body, rlhf_body};
use serde_json::json;

use common::{state, Answer};

async fn send(request: Request<Body>) -> Answer {
    common::send(&state(), request).await
}

async fn post(path: &str, body: &str) -> Answer {
    common::post(&state(), path, body.to_string()).await
}

#[tokio::test]
async fn rlhf_answers_the_documented_shape_with_defaults() {
    let answer = post("/api/rlhf", r#"{"gridworld": false}"#).await;
    assert_eq!(answer.status, StatusCode::OK);
    let body = answer.json();
    for (curve, strength) in [("best_of_n", "n"), ("kl_regularized", "beta")] {
        let points = body[curve]["points"].as_array().unwrap();
        assert!(points.len() >= 10, "{curve}");
        for key in [strength, "kl", "d", "proxy", "gold"] {
            assert!(points.iter().all(|p| p[key].is_number()), "{curve}.{key}");
        }
        for key in ["alpha", "beta", "r2"] {
            assert!(body[curve]["fit"][key].is_number(), "{curve}.fit.{key}");
        }
    }
    assert_eq!(body["settings"]["comparisons"], 1000);
    assert_eq!(body["best_of_n"]["points"][0]["n"], 1);
    assert!(body["gridworld"].is_null());
    assert!(body["assumptions"].as_array().unwrap().len() >= 5);
    assert!(body["simulation"].as_str().unwrap().contains("simulation"));
}

#[tokio::test]
async fn rlhf_answers_exactly_what_the_command_line_prints() {
    let answer = post(
        "/api/rlhf",
        r#"{"comparisons": 300, "rater_bias": 0.5, "max_n": 64, "seed": 2}"#,
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK);
    let report = rlhf(
        &RlhfConfig {
            comparisons: 300,
            rater_bias: 0.5,
            max_n: 64,
            seed: 2,
            gridworld: true,
        },
        &mut |_| true,
    )
    .unwrap();
    assert_eq!(
        answer.json(),
        serde_json::to_value(rlhf_body(&report)).unwrap()
    );
    let grid = &answer.json()["gridworld"];
    assert_eq!(grid["level"], "tomato-watering");
    assert_eq!(grid["sits_on_bucket"], true);
}

#[tokio::test]
async fn rlhf_refuses_settings_out_of_range_with_their_name() {
    for (body, word) in [
        (json!({"comparisons": 5}), "comparisons"),
        (json!({"comparisons": 1u64 << 40}), "comparisons"),
        (json!({"rater_bias": 9}), "rater bias"),
        (json!({"rater_bias": -1}), "rater bias"),
        (json!({"max_n": 1}), "max n"),
        (json!({"max_n": 100000}), "max n"),
    ] {
        let e = post("/api/rlhf", &body.to_string())
            .await
            .error_body(StatusCode::BAD_REQUEST);
        let message = e["error"]["message"].as_str().unwrap();
        assert!(message.contains(word), "{body}: {message}");
    }
    // Unknown fields and wrong types are refused too, as JSON errors.
    post("/api/rlhf", r#"{"comparison": 100}"#)
        .await
        .error(StatusCode::BAD_REQUEST);
    post("/api/rlhf", r#"{"comparisons": "many"}"#)
        .await
        .error(StatusCode::BAD_REQUEST);
    post("/api/rlhf", "not json")
        .await
        .error(StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn cai_answers_every_stage_and_the_same_json_as_the_command_line() {
    let answer = post("/api/cai", "{}").await;
    assert_eq!(answer.status, StatusCode::OK);
    let body = answer.json();
    assert_eq!(
        body,
        serde_json::to_value(cai_body(
            &cai(&CaiConfig::default(), &mut |_| true).unwrap()
        ))
        .unwrap()
    );
    assert_eq!(body["constitution"][0]["name"], "harmless");
    assert_eq!(body["revisions"].as_array().unwrap().len(), 5);
    for key in [
        "helpfulness",
        "harmlessness",
        "gold",
        "evasive",
        "boilerplate",
    ] {
        assert!(body["revisions"][1][key].is_number(), "{key}");
        assert!(body["rl"]["points"][0][key].is_number(), "{key}");
        assert!(body["front"]["points"][0][key].is_number(), "{key}");
    }
    assert_eq!(body["front"]["principle"], "harmless");
    assert_eq!(body["front"]["points"].as_array().unwrap().len(), 11);
    assert!(body["rl"]["points"][0]["pm"].is_number());
}

#[tokio::test]
async fn a_broken_principle_is_a_400_with_the_span_of_the_mistake() {
    let constitution = "harmless: -harmful\nhelpful: helpfull\n";
    let e = post(
        "/api/cai",
        &json!({ "constitution": constitution }).to_string(),
    )
    .await
    .error_body(StatusCode::BAD_REQUEST);
    let span = &e["error"]["span"];
    let (a, b) = (
        span[0].as_u64().unwrap() as usize,
        span[1].as_u64().unwrap() as usize,
    );
    assert_eq!(&constitution[a..b], "helpfull");
    assert!(e["error"]["message"].as_str().unwrap().contains("helpful"));

    for (body, word) in [
        (json!({"revisions": 13}), "revisions"),
        (json!({"comparisons": 0}), "comparisons"),
        (json!({"constitution": "# nothing"}), "no principles"),
    ] {
        let e = post("/api/cai", &body.to_string())
            .await
            .error_body(StatusCode::BAD_REQUEST);
        let message = e["error"]["message"].as_str().unwrap();
        assert!(message.contains(word), "{body}: {message}");
    }
}

#[tokio::test]
async fn the_feedback_page_is_served_with_the_security_policy() {
    let answer = send(Request::get("/feedback").body(Body::empty()).unwrap()).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert!(answer.header(header::CONTENT_TYPE).starts_with("text/html"));
    assert!(answer
        .header(header::CONTENT_SECURITY_POLICY)
        .contains("script-src 'self'"));
    let html = String::from_utf8(answer.body).unwrap();
    assert!(html.contains("/static/widgets/feedback-page.js"));
    for path in [
        "/static/widgets/feedback-page.js",
        "/static/widgets/rlhf.js",
        "/static/widgets/cai.js",
        "/static/widgets/widgets.css",
    ] {
        let answer = send(Request::get(path).body(Body::empty()).unwrap()).await;
        assert_eq!(answer.status, StatusCode::OK, "{path}");
    }
}
