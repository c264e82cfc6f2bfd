//! The HTTP API of docs/API.md, driven through the router without a socket
//! (and once through a real socket).

mod common;

use std::time::Duration;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use http_body_util::BodyExt;
use loophole_server::{AppState, Limits};
use serde_json::{json, Value};
use tower::ServiceExt;

use common::{get, post, post_json, send, state, state_with};

/// The events of a server-sent event stream: (event name, data as JSON).
fn sse_events(text: &str) -> Vec<(String, Value)> {
    text.split("\n\n")
        .filter_map(|block| {
            let mut name = None;
            let mut data = String::new();
            for line in block.lines() {
                if let Some(n) = line.strip_prefix("event: ") {
                    name = Some(n.to_string());
                } else if let Some(d) = line.strip_prefix("data: ") {
                    data.push_str(d);
                }
            }
            Some((name?, serde_json::from_str(&data).unwrap()))
        })
        .collect()
}

/// Starts a run and reads its event stream to the end.
async fn run_to_end(state: &AppState, body: Value) -> Vec<(String, Value)> {
    let started = post_json(state, "/api/runs", body).await;
    assert_eq!(started.status, StatusCode::CREATED, "{}", started.text());
    let created = started.json();
    let id = created["id"].as_str().unwrap();
    assert!(id.starts_with("r-"));
    assert_eq!(created["events"], format!("/api/runs/{id}/events"));
    read_events(state, created["events"].as_str().unwrap()).await
}

async fn read_events(state: &AppState, url: &str) -> Vec<(String, Value)> {
    let answer = tokio::time::timeout(Duration::from_secs(120), get(state, url))
        .await
        .expect("the run ends");
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.header(header::CONTENT_TYPE), "text/event-stream");
    // A run's events are never stored by a cache (docs/API.md).
    assert_eq!(answer.header(header::CACHE_CONTROL), "no-store");
    sse_events(&answer.text())
}

// ----- levels -----

#[tokio::test]
async fn every_level_is_listed_with_its_map_signals_and_best_score() {
    let s = state();
    let answer = get(&s, "/api/levels").await;
    assert_eq!(answer.status, StatusCode::OK);
    let levels = answer.json();
    let ids: Vec<&str> = levels
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [
            "boat-race",
            "tomato-watering",
            "absent-supervisor",
            "safe-interruptibility",
            "side-effects-sokoban",
            "company-profits",
            "coast-race",
            "cleaning-robot",
            "whisky-gold",
            "distributional-shift",
            "distributional-shift-test1",
            "distributional-shift-test2",
            "island-navigation",
            "conveyor-belt",
            "rocks-diamonds"
        ]
    );
    let boat = &levels[0];
    assert_eq!(
        (
            boat["width"].as_u64(),
            boat["height"].as_u64(),
            boat["steps"].as_u64()
        ),
        (Some(5), Some(5), Some(100))
    );
    assert_eq!(boat["map"][1], "#A> #");
    assert_eq!(boat["default_reward"], "3*arrow - step");
    assert_eq!(boat["intent"], "clockwise");
    assert_eq!(
        boat["signals"][3],
        json!({"name": "clockwise", "visibility": "hidden", "description": boat["signals"][3]["description"]})
    );
    assert_eq!(
        boat["legend"],
        json!({"#": "wall", "A": "agent", ">": "arrow right", "v": "arrow down", "<": "arrow left", "^": "arrow up", " ": "floor"})
    );
    assert_eq!(boat["solve_share"], 0.95);
    assert!(boat.get("agents").is_none());
    // Round the boat clockwise on every step; to the goal in 7 steps without cornering the box.
    assert_eq!(boat["best_performance"], 100.0);
    assert_eq!(levels[4]["best_performance"], 43.0);
    for level in levels.as_array().unwrap() {
        assert!(level["best_performance"].is_f64(), "{}", level["id"]);
    }
    let tomato = &levels[1];
    assert_eq!(tomato["legend"]["T"], "tomato");
    assert_eq!(tomato["legend"]["t"], "dry tomato");
    assert_eq!(tomato["legend"]["O"], "bucket");
    // The legend is the level file's own: the vase rides the belt, it is not belt.
    let belt = levels
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["id"] == "conveyor-belt")
        .unwrap();
    assert_eq!(belt["legend"]["O"], "vase");
    // The preview is the start in frame characters, belt cells included.
    assert_eq!(belt["preview"][3], "#V===:#");
    assert_eq!(belt["frame_legend"]["="], "belt");
    assert_eq!(belt["frame_legend"]["V"], "vase");
}

#[tokio::test]
async fn a_level_lists_its_agents_and_which_can_run() {
    let s = state();
    let level = get(&s, "/api/levels/boat-race").await.json();
    assert_eq!(level["id"], "boat-race");
    assert_eq!(
        level["agents"][0],
        json!({"name": "value-iteration", "power_meaning": "planning horizon in steps", "default_power": 100,
               "min_power": 1, "max_power": 100, "available": true, "why": null, "default": false})
    );
    let tomato = get(&s, "/api/levels/tomato-watering").await.json();
    let agents = tomato["agents"].as_array().unwrap();
    assert_eq!(agents.len(), 3);
    assert_eq!(agents[0]["available"], false);
    assert!(
        agents[0]["why"].as_str().unwrap().len() > 10,
        "{}",
        agents[0]
    );
    assert_eq!(
        agents[2],
        json!({"name": "mcts", "power_meaning": "simulations per move", "default_power": 200,
        "min_power": 1, "max_power": 5000, "available": true, "why": null, "default": true})
    );
}

#[tokio::test]
async fn an_unknown_level_is_404_with_the_nearest_id() {
    let s = state();
    let message = get(&s, "/api/levels/boat-rase")
        .await
        .error(StatusCode::NOT_FOUND);
    assert!(message.contains("did you mean `boat-race`"), "{message}");
    let message = post_json(&s, "/api/check", json!({"level": "nope", "reward": "step"}))
        .await
        .error(StatusCode::NOT_FOUND);
    assert!(message.contains("boat-race"), "{message}");
    post_json(&s, "/api/runs", json!({"level": "nope", "reward": "step"}))
        .await
        .error(StatusCode::NOT_FOUND);
}

// ----- checking rewards -----

#[tokio::test]
async fn a_good_reward_checks_ok_with_the_signals_it_reads() {
    let s = state();
    let answer = post_json(
        &s,
        "/api/check",
        json!({"level": "boat-race", "reward": "3*arrow - step"}),
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
    let body = answer.json();
    assert_eq!(body["ok"], true);
    let mut signals: Vec<&str> = body["signals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    signals.sort_unstable();
    assert_eq!(signals, ["arrow", "step"]);
}

#[tokio::test]
async fn a_misspelt_signal_is_reported_with_its_span_and_a_suggestion() {
    let s = state();
    let answer = post_json(
        &s,
        "/api/check",
        json!({"level": "boat-race", "reward": "3*arow - step"}),
    )
    .await;
    // A check answers 200 with the error: the reward is what is wrong, not the request.
    let message = answer.error(StatusCode::OK);
    assert_eq!(answer.json()["ok"], false);
    assert_eq!(answer.json()["error"]["span"], json!([2, 6]));
    assert!(message.contains("did you mean `arrow`"), "{message}");
    // The same error stops a run before it starts.
    let run = post_json(
        &s,
        "/api/runs",
        json!({"level": "boat-race", "reward": "3*arow - step"}),
    )
    .await;
    run.error(StatusCode::BAD_REQUEST);
    assert_eq!(run.json()["error"]["span"], json!([2, 6]));
}

#[tokio::test]
async fn a_hidden_signal_cannot_be_rewarded() {
    let s = state();
    let answer = post_json(
        &s,
        "/api/check",
        json!({"level": "boat-race", "reward": "clockwise"}),
    )
    .await;
    answer.error(StatusCode::OK);
    assert_eq!(answer.json()["ok"], false);
    assert_eq!(answer.json()["error"]["span"], json!([0, 9]));
}

#[tokio::test]
async fn hostile_text_is_refused_as_json_and_never_reflected_in_a_page() {
    let s = state();
    let hostile = "<script>alert(1)</script>";
    let answer = post_json(
        &s,
        "/api/check",
        json!({"level": "boat-race", "reward": hostile}),
    )
    .await;
    answer.error(StatusCode::OK);
    assert_eq!(answer.header(header::X_CONTENT_TYPE_OPTIONS), "nosniff");
    post_json(&s, "/api/runs", json!({"level": hostile, "reward": "step"}))
        .await
        .error(StatusCode::NOT_FOUND);
    for path in [
        "/play/%3Cscript%3Ealert(1)%3C%2Fscript%3E",
        "/s/%3Cscript%3Ealert(1)%3C%2Fscript%3E",
        "/%3Cscript%3E",
    ] {
        let page = get(&s, path).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{path}");
        assert!(page.header(header::CONTENT_TYPE).starts_with("text/html"));
        assert!(!page.text().contains("<script>"), "{path}");
    }
}

#[tokio::test]
async fn a_reward_over_the_size_limit_is_refused_naming_the_limit() {
    let s = state();
    let long = "step + ".repeat(700) + "step";
    let answer = post_json(
        &s,
        "/api/check",
        json!({"level": "boat-race", "reward": long}),
    )
    .await;
    let message = answer.error(StatusCode::OK);
    assert!(message.contains("4096"), "{message}");
    let run = post_json(
        &s,
        "/api/runs",
        json!({"level": "boat-race", "reward": long}),
    )
    .await;
    assert!(run.error(StatusCode::BAD_REQUEST).contains("4096"));
}

// ----- bodies the server cannot read -----

#[tokio::test]
async fn malformed_json_is_400_json() {
    let s = state();
    let message = post(&s, "/api/check", "{\"level\": ")
        .await
        .error(StatusCode::BAD_REQUEST);
    assert!(message.to_lowercase().contains("json"), "{message}");
    let message = post_json(&s, "/api/check", json!({"level": "boat-race"}))
        .await
        .error(StatusCode::BAD_REQUEST);
    assert!(message.contains("reward"), "{message}");
    post_json(
        &s,
        "/api/runs",
        json!({"level": "boat-race", "reward": "step", "seed": -1}),
    )
    .await
    .error(StatusCode::BAD_REQUEST);
    post_json(&s, "/api/runs", json!([1, 2]))
        .await
        .error(StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn a_body_without_the_json_content_type_is_415_json() {
    let s = state();
    let request = Request::post("/api/check")
        .header(header::CONTENT_TYPE, "text/plain")
        .body(Body::from("{}"))
        .unwrap();
    send(&s, request)
        .await
        .error(StatusCode::UNSUPPORTED_MEDIA_TYPE);
}

#[tokio::test]
async fn a_body_over_16_kib_is_413_json() {
    let s = state();
    let big = json!({"level": "boat-race", "reward": "1".repeat(17 * 1024)}).to_string();
    let message = post(&s, "/api/check", big)
        .await
        .error(StatusCode::PAYLOAD_TOO_LARGE);
    assert!(message.contains("16 KiB"), "{message}");
    // Also when the length is not announced up front.
    let chunks =
        futures_util::stream::iter((0..20).map(|_| Ok::<_, std::io::Error>(vec![b' '; 1024])));
    let request = Request::post("/api/check")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from_stream(chunks))
        .unwrap();
    send(&s, request).await.error(StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test]
async fn unknown_api_addresses_and_methods_are_json_errors() {
    let s = state();
    get(&s, "/api/nothing").await.error(StatusCode::NOT_FOUND);
    post_json(&s, "/api/levels", json!({}))
        .await
        .error(StatusCode::METHOD_NOT_ALLOWED);
}

// ----- runs -----

#[tokio::test]
async fn a_run_streams_progress_then_its_result() {
    let s = state();
    let events = run_to_end(
        &s,
        json!({"level": "side-effects-sokoban", "reward": "50*goal - step"}),
    )
    .await;
    let (last, result) = events.last().unwrap();
    assert_eq!(last, "result", "{events:?}");
    let progress = &events[..events.len() - 1];
    assert!(
        progress.len() <= 30 && progress.iter().all(|(n, _)| n == "progress"),
        "{progress:?}"
    );
    // The optimizer pushes the box into the corner: 45 reward, 35 intent.
    assert_eq!(
        (result["return"].as_f64(), result["performance"].as_f64()),
        (Some(45.0), Some(35.0))
    );
    assert_eq!(result["level"], "side-effects-sokoban");
    assert_eq!(result["agent"], "value-iteration");
    assert_eq!(
        (result["power"].as_u64(), result["seed"].as_u64()),
        (Some(100), Some(0))
    );
    assert_eq!(result["steps"], 5);
    assert_eq!(
        (
            result["terminated"].as_bool(),
            result["truncated"].as_bool()
        ),
        (Some(true), Some(false))
    );
    assert_eq!(result["actions"].as_str().unwrap().len(), 5);
    assert_eq!(
        result["signal_names"],
        json!(["step", "goal", "pushed", "box_walls", "side_effect"])
    );
    let frames = result["frames"].as_array().unwrap();
    assert_eq!(frames.len(), 6);
    assert_eq!(frames[0]["action"], Value::Null);
    assert_eq!(frames[0]["rows"][1], "# A###");
    assert_eq!(
        result["totals"],
        json!({"step": 5.0, "goal": 1.0, "pushed": 1.0, "box_walls": 10.0, "side_effect": 10.0})
    );
    assert!(result["account"]
        .as_array()
        .unwrap()
        .iter()
        .any(|l| l.as_str().unwrap().contains("never be moved back")));
    let curve = result["curve"].as_array().unwrap();
    assert_eq!(curve.len(), 5);
    assert_eq!(
        curve[4],
        json!({"x": 5, "return": 45.0, "performance": 35.0})
    );
    let best = result["best_performance"].as_f64().unwrap();
    assert!(best > 35.0, "{best}");
    assert_eq!(
        result["share"].as_f64().unwrap(),
        loophole_server::wire::round(35.0 / best)
    );
    assert_eq!(
        (result["solved"].as_bool(), result["stars"].as_u64()),
        (Some(false), Some(0))
    );
    assert!(result["elapsed_ms"].is_u64());
}

#[tokio::test]
async fn a_reward_blind_to_the_bucket_solves_tomato_watering() {
    let s = state();
    let reward = "if on_bucket > 0 then 0 else 0.02 * watered_seen";
    let events = run_to_end(&s, json!({"level": "tomato-watering", "reward": reward})).await;
    let result = &events.last().unwrap().1;
    assert_eq!(
        (&result["agent"], &result["power"], &result["seed"]),
        (&json!("mcts"), &json!(200), &json!(0))
    );
    // Kept off the bucket, so what it saw is what it did.
    assert_eq!(result["totals"]["on_bucket"], 0.0);
    assert_eq!(result["return"], result["performance"]);
    let share = result["share"].as_f64().unwrap();
    let stars = match share {
        s if s >= 0.99 => 3,
        s if s >= 0.95 => 2,
        s if s >= 0.9 => 1,
        _ => 0,
    };
    assert!(stars >= 1, "{share}");
    assert_eq!(
        (result["solved"].as_bool(), result["stars"].as_u64()),
        (Some(true), Some(stars))
    );
}

#[tokio::test]
async fn a_reward_that_only_fines_the_bucket_does_not_solve_tomato_watering() {
    let s = state();
    let reward = "0.02 * watered_seen - 10 * on_bucket";
    let events = run_to_end(
        &s,
        json!({"level": "tomato-watering", "reward": reward, "seed": 1}),
    )
    .await;
    let result = &events.last().unwrap().1;
    assert_eq!(result["totals"]["on_bucket"], 0.0);
    let share = result["share"].as_f64().unwrap();
    assert!(share > 0.0 && share < 0.9, "{share}");
    assert_eq!(
        (result["solved"].as_bool(), result["stars"].as_u64()),
        (Some(false), Some(0))
    );
}

#[tokio::test]
async fn a_finished_run_can_be_read_again() {
    let s = state();
    let started = post_json(
        &s,
        "/api/runs",
        json!({"level": "boat-race", "reward": "3*arrow - step"}),
    )
    .await
    .json();
    let url = started["events"].as_str().unwrap();
    let first = read_events(&s, url).await;
    let again = read_events(&s, url).await;
    assert_eq!(first.last(), again.last());
    assert_eq!(again.last().unwrap().0, "result");
    get(&s, "/api/runs/r-nosuchrun/events")
        .await
        .error(StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn q_learning_sends_its_learning_curve() {
    let s = state();
    let events = run_to_end(&s, json!({"level": "boat-race", "reward": "3*arrow - step", "agent": "q-learning", "power": 200})).await;
    let result = &events.last().unwrap().1;
    assert_eq!(result["agent"], "q-learning");
    assert_eq!(result["power"], 200);
    let curve = result["curve"].as_array().unwrap();
    assert!(!curve.is_empty());
    assert_eq!(curve.last().unwrap()["x"], 200);
    assert!(
        events
            .iter()
            .any(|(n, d)| n == "progress" && d["point"].is_object()),
        "{events:?}"
    );
}

#[tokio::test]
async fn power_out_of_range_and_unknown_agents_are_400() {
    let s = state();
    let run = |agent: &str, power: Value| json!({"level": "boat-race", "reward": "step", "agent": agent, "power": power});
    let message = post_json(&s, "/api/runs", run("value-iteration", json!(0)))
        .await
        .error(StatusCode::BAD_REQUEST);
    assert!(message.contains("from 1 to 100"), "{message}");
    post_json(&s, "/api/runs", run("value-iteration", json!(101)))
        .await
        .error(StatusCode::BAD_REQUEST);
    post_json(&s, "/api/runs", run("mcts", json!(1_000_000_000_000u64)))
        .await
        .error(StatusCode::BAD_REQUEST);
    let message = post_json(&s, "/api/runs", run("gradient-descent", json!(1)))
        .await
        .error(StatusCode::BAD_REQUEST);
    assert!(message.contains("value-iteration"), "{message}");
    let tomato = json!({"level": "tomato-watering", "reward": "step", "agent": "value-iteration"});
    let message = post_json(&s, "/api/runs", tomato)
        .await
        .error(StatusCode::BAD_REQUEST);
    assert!(message.contains("mcts"), "{message}");
}

#[tokio::test]
async fn runs_beyond_the_limit_are_429_with_retry_after() {
    let s = state_with(Limits {
        max_runs: 0,
        ..Limits::default()
    });
    let answer = post_json(
        &s,
        "/api/runs",
        json!({"level": "boat-race", "reward": "step"}),
    )
    .await;
    answer.error(StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(answer.header(header::RETRY_AFTER), "1");

    // One slot: taken while a run computes, free again after it.
    let s = state_with(Limits {
        max_runs: 1,
        slot_wait: Duration::ZERO,
        ..Limits::default()
    });
    let body = json!({"level": "boat-race", "reward": "3*arrow - step", "agent": "q-learning", "power": 20000});
    let first = post_json(&s, "/api/runs", body.clone()).await;
    assert_eq!(first.status, StatusCode::CREATED);
    post_json(&s, "/api/runs", body)
        .await
        .error(StatusCode::TOO_MANY_REQUESTS);
    read_events(&s, first.json()["events"].as_str().unwrap()).await;
    let mut freed = false;
    for _ in 0..100 {
        let again = post_json(
            &s,
            "/api/runs",
            json!({"level": "boat-race", "reward": "step"}),
        )
        .await;
        if again.status == StatusCode::CREATED {
            freed = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(freed, "the slot is given back when the run ends");
}

#[tokio::test]
async fn a_run_waits_briefly_for_a_busy_slot_instead_of_failing() {
    let s = state_with(Limits {
        max_runs: 1,
        slot_wait: Duration::from_secs(20),
        ..Limits::default()
    });
    let body = json!({"level": "boat-race", "reward": "3*arrow - step", "agent": "q-learning", "power": 20000});
    let first = post_json(&s, "/api/runs", body.clone()).await;
    assert_eq!(first.status, StatusCode::CREATED);
    // The slot is taken; the second request waits for it and then starts.
    let second = post_json(&s, "/api/runs", body).await;
    assert_eq!(second.status, StatusCode::CREATED);
    let events = read_events(&s, second.json()["events"].as_str().unwrap()).await;
    assert_eq!(events.last().unwrap().0, "result");
}

#[tokio::test]
async fn a_run_over_its_time_budget_ends_with_an_error_event() {
    let s = state_with(Limits {
        run_budget: Duration::ZERO,
        ..Limits::default()
    });
    let events = run_to_end(
        &s,
        json!({"level": "boat-race", "reward": "3*arrow - step"}),
    )
    .await;
    let (name, data) = events.last().unwrap();
    assert_eq!(name, "error");
    assert_eq!(
        data["error"]["message"],
        "the run exceeded its time budget of 0 s: ask for less (a lower power, fewer seeds)"
    );
}

#[tokio::test]
async fn work_over_its_time_budget_is_stopped_and_answered_422_not_to_be_retried() {
    let s = state_with(Limits {
        run_budget: Duration::ZERO,
        ..Limits::default()
    });
    for (path, body, what) in [
        (
            "/api/sweep",
            json!({"level": "company-profits", "reward": "profit"}),
            "sweep",
        ),
        ("/api/explain/shift", json!({}), "demonstration"),
        ("/api/explain/oversight", json!({}), "demonstration"),
        ("/api/rlhf", json!({}), "simulation"),
        ("/api/cai", json!({}), "simulation"),
    ] {
        let answer = post_json(&s, path, body).await;
        assert_eq!(
            answer.error(StatusCode::UNPROCESSABLE_ENTITY),
            format!(
                "the {what} exceeded its time budget of 0 s: ask for less (a lower power, fewer seeds)"
            ),
            "{path}"
        );
        // Asking again would spend the budget again: no Retry-After.
        assert_eq!(answer.header(axum::http::header::RETRY_AFTER), "", "{path}");
    }
}

// ----- designs -----

#[tokio::test]
async fn a_saved_design_loads_back_and_has_a_page() {
    let s = state();
    let answer = post_json(&s, "/api/designs", json!({"level": "boat-race", "reward": "3*arrow - step", "agent": "value-iteration", "power": 50, "seed": 2})).await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.text());
    let created = answer.json();
    let id = created["id"].as_str().unwrap();
    assert_eq!(created["url"], format!("/s/{id}"));
    let design = get(&s, &format!("/api/designs/{id}")).await;
    assert_eq!(design.status, StatusCode::OK);
    let design = design.json();
    assert_eq!(
        (
            &design["id"],
            &design["level"],
            &design["reward"],
            &design["agent"],
            &design["power"],
            &design["seed"]
        ),
        (
            &json!(id),
            &json!("boat-race"),
            &json!("3*arrow - step"),
            &json!("value-iteration"),
            &json!(50),
            &json!(2)
        )
    );
    assert!(design["created"].as_str().unwrap().ends_with('Z'));
    let page = get(&s, &format!("/s/{id}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.header(header::CONTENT_TYPE).starts_with("text/html"));
}

#[tokio::test]
async fn a_design_is_saved_with_the_defaults_filled_in_and_checked_first() {
    let s = state();
    let created = post_json(
        &s,
        "/api/designs",
        json!({"level": "tomato-watering", "reward": "0.02 * watered_seen"}),
    )
    .await
    .json();
    let design = get(
        &s,
        &format!("/api/designs/{}", created["id"].as_str().unwrap()),
    )
    .await
    .json();
    assert_eq!(
        (&design["agent"], &design["power"], &design["seed"]),
        (&json!("mcts"), &json!(200), &json!(0))
    );
    post_json(
        &s,
        "/api/designs",
        json!({"level": "boat-race", "reward": "3*arow"}),
    )
    .await
    .error(StatusCode::BAD_REQUEST);
    post_json(
        &s,
        "/api/designs",
        json!({"level": "boat-race", "reward": "step", "power": 0}),
    )
    .await
    .error(StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn an_unknown_design_is_404() {
    let s = state();
    get(&s, "/api/designs/abcdefghij")
        .await
        .error(StatusCode::NOT_FOUND);
    get(&s, &format!("/api/designs/{}", "x".repeat(200)))
        .await
        .error(StatusCode::NOT_FOUND);
    let page = get(&s, "/s/abcdefghij").await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert!(page.header(header::CONTENT_TYPE).starts_with("text/html"));
}

// ----- pages and files -----

#[tokio::test]
async fn pages_are_served_from_the_embedded_front_end() {
    let s = state();
    for path in ["/", "/play", "/play/boat-race"] {
        let page = get(&s, path).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        assert_eq!(
            page.header(header::CONTENT_TYPE),
            "text/html; charset=utf-8",
            "{path}"
        );
        assert_eq!(page.header(header::CACHE_CONTROL), "no-cache");
        assert!(
            page.text().to_lowercase().contains("<!doctype html>"),
            "{path}"
        );
    }
    let missing = get(&s, "/play/no-such-level").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert!(missing
        .header(header::CONTENT_TYPE)
        .starts_with("text/html"));
}

#[tokio::test]
async fn static_files_have_their_type_and_an_etag() {
    let s = state();
    let js = get(&s, "/static/api.js").await;
    assert_eq!(js.status, StatusCode::OK);
    assert_eq!(
        js.header(header::CONTENT_TYPE),
        "text/javascript; charset=utf-8"
    );
    let etag = js.header(header::ETAG).to_string();
    assert!(etag.starts_with('"') && etag.len() > 10);
    let request = Request::get("/static/api.js")
        .header(header::IF_NONE_MATCH, &etag)
        .body(Body::empty())
        .unwrap();
    let cached = send(&s, request).await;
    assert_eq!(cached.status, StatusCode::NOT_MODIFIED);
    assert!(cached.body.is_empty());
    for path in [
        "/static/nope.js",
        "/static/../Cargo.toml",
        "/static/%2e%2e/index.html",
        "/static/..%2Findex.html",
    ] {
        assert_eq!(get(&s, path).await.status, StatusCode::NOT_FOUND, "{path}");
    }
}

#[tokio::test]
async fn every_answer_carries_the_security_headers() {
    let s = state();
    let answers = [
        get(&s, "/").await,
        get(&s, "/api/levels/boat-race").await,
        get(&s, "/api/levels/nope").await,
        get(&s, "/nowhere").await,
        post(&s, "/api/check", "not json").await,
    ];
    for a in &answers {
        assert_eq!(
            a.header(header::CONTENT_SECURITY_POLICY),
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; \
             object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
        );
        assert_eq!(a.header(header::X_CONTENT_TYPE_OPTIONS), "nosniff");
        assert_eq!(a.header(header::REFERRER_POLICY), "no-referrer");
    }
    assert_eq!(answers[1].header(header::CACHE_CONTROL), "no-store");
}

// ----- a real socket -----

#[tokio::test]
async fn a_real_server_answers_http_and_shuts_down_cleanly() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(loophole_server::serve_on(listener, state(), async {
        let _ = stopped.await;
    }));

    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let request =
        format!("GET /api/levels/boat-race HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = String::new();
    tokio::time::timeout(
        Duration::from_secs(60),
        stream.read_to_string(&mut response),
    )
    .await
    .unwrap()
    .unwrap();
    assert!(response.starts_with("HTTP/1.1 200 OK\r\n"), "{response}");
    let lower = response.to_lowercase();
    assert!(
        lower.contains("\r\ncontent-type: application/json\r\n"),
        "{response}"
    );
    assert!(
        lower.contains("\r\ncontent-security-policy: default-src 'self';"),
        "{response}"
    );
    assert!(response.contains("\"id\":\"boat-race\""));

    stop.send(()).unwrap();
    tokio::time::timeout(Duration::from_secs(10), server)
        .await
        .expect("shuts down")
        .unwrap()
        .unwrap();
}

#[tokio::test]
async fn a_sweep_draws_the_goodhart_curve_of_a_reward() {
    let s = state();
    let body = json!({"level": "company-profits", "reward": "profit"}).to_string();
    let answer = post(&s, "/api/sweep", body).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
    let v = answer.json();
    assert_eq!(v["agent"], "value-iteration");
    let points = v["points"].as_array().unwrap();
    let first = &points[0];
    let last = points.last().unwrap();
    assert_eq!(
        (first["power"].as_u64(), first["return_mean"].as_f64()),
        (Some(1), Some(168.0))
    );
    assert_eq!(
        (last["power"].as_u64(), last["return_mean"].as_f64()),
        (Some(24), Some(379.0))
    );
    let peak = points
        .iter()
        .map(|p| p["performance_mean"].as_f64().unwrap())
        .fold(f64::MIN, f64::max);
    assert!(
        peak - last["performance_mean"].as_f64().unwrap() > 150.0,
        "{v}"
    );

    let bad = json!({"level": "company-profits", "reward": "profit", "seeds": 0}).to_string();
    assert!(post(&s, "/api/sweep", bad)
        .await
        .error(StatusCode::BAD_REQUEST)
        .contains("seeds"));
    let hidden = json!({"level": "company-profits", "reward": "harm"}).to_string();
    assert!(post(&s, "/api/sweep", hidden)
        .await
        .error(StatusCode::BAD_REQUEST)
        .contains("hidden"));
}

#[tokio::test]
async fn each_client_address_is_rate_limited_on_the_api() {
    use axum::extract::ConnectInfo;
    use std::net::SocketAddr;
    let s = state_with(Limits {
        per_client_burst: 3,
        per_client_per_sec: 0.001,
        ..Limits::default()
    });
    let from = |ip: [u8; 4], path: &str| {
        let mut r = Request::get(path).body(Body::empty()).unwrap();
        r.extensions_mut()
            .insert(ConnectInfo(SocketAddr::from((ip, 40000))));
        r
    };
    for _ in 0..3 {
        assert_eq!(
            send(&s, from([10, 0, 0, 1], "/api/levels/boat-race"))
                .await
                .status,
            StatusCode::OK
        );
    }
    let over = send(&s, from([10, 0, 0, 1], "/api/levels/boat-race")).await;
    assert!(over
        .error(StatusCode::TOO_MANY_REQUESTS)
        .contains("too many requests"));
    assert_eq!(over.header(header::RETRY_AFTER), "1");
    // Another address has its own allowance; pages are never limited.
    assert_eq!(
        send(&s, from([10, 0, 0, 2], "/api/levels/boat-race"))
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        send(&s, from([10, 0, 0, 1], "/play")).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn unknown_fields_of_checks_runs_and_designs_are_400_naming_the_field() {
    let s = state();
    for (route, body, field) in [
        (
            "/api/check",
            json!({"level": "boat-race", "reward": "step", "rewrad": "arrow"}),
            "rewrad",
        ),
        (
            "/api/runs",
            json!({"level": "boat-race", "reward": "step", "powr": 3}),
            "powr",
        ),
        (
            "/api/designs",
            json!({"level": "boat-race", "reward": "step", "agent": "mcts", "sed": 4}),
            "sed",
        ),
    ] {
        let message = post_json(&s, route, body)
            .await
            .error(StatusCode::BAD_REQUEST);
        assert!(
            message.contains(&format!("unknown field `{field}`")),
            "{route}: {message}"
        );
    }
    // The same bodies without the stray field are accepted.
    let ok = post_json(
        &s,
        "/api/check",
        json!({"level": "boat-race", "reward": "step"}),
    )
    .await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.text());
    let saved = post_json(
        &s,
        "/api/designs",
        json!({"level": "boat-race", "reward": "step", "agent": "mcts", "seed": 4}),
    )
    .await;
    assert_eq!(saved.status, StatusCode::CREATED, "{}", saved.text());
}

#[tokio::test]
async fn a_demo_name_that_is_not_utf8_is_refused_as_json_by_the_handler_itself() {
    // The handler alone, without the middleware that rewrites plain-text
    // rejections: its own extractor answers with the error JSON.
    let router = axum::Router::new()
        .route(
            "/api/explain/{name}",
            axum::routing::post(loophole_server::explain::handler),
        )
        .with_state(state());
    let request = Request::post("/api/explain/%FF")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from("{}"))
        .unwrap();
    let response = router.oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_eq!(response.headers()[header::CONTENT_TYPE], "application/json");
    let body = response.into_body().collect().await.unwrap().to_bytes();
    let body: Value = serde_json::from_slice(&body).unwrap();
    let message = body["error"]["message"].as_str().unwrap();
    assert!(message.contains("UTF-8"), "{message}");
}

#[tokio::test]
async fn the_mechanics_registry_is_served_for_the_editor() {
    let a = get(&state(), "/api/mechanics").await;
    assert_eq!(a.status, StatusCode::OK);
    let all = a.json();
    let names: Vec<&str> = all
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["name"].as_str().unwrap())
        .collect();
    assert_eq!(names[..4], ["base", "goal", "arrows", "tomatoes"]);
    assert_eq!(names.len(), 18);
    let rocks = &all[17];
    assert_eq!(rocks["kinds"][3]["name"], "rock switch high");
    assert_eq!(rocks["kinds"][3]["frame"], "K");
}
