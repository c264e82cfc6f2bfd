//! The command line and the web server judge a design by the same rules and
//! write it in the same words: `loophole run --json` prints the server's
//! `result` event, verdict included, and a request out of range gets the
//! same message from both.

mod common;

use std::net::SocketAddr;
use std::process::Child;

use serde_json::{json, Value};

use common::{http, loophole, start_server};

/// A real server on a fresh database; stopped when dropped.
struct Server {
    child: Child,
    addr: SocketAddr,
    dir: std::path::PathBuf,
}

impl Server {
    fn start(name: &str) -> Server {
        let dir = std::env::temp_dir().join(format!("loophole-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let (child, addr) = start_server(&dir.join("designs.db"));
        Server { child, addr, dir }
    }

    async fn post(&self, path: &str, body: &Value) -> (u16, Value) {
        let answer = http(None, self.addr, "POST", path, &body.to_string())
            .await
            .unwrap();
        let value = serde_json::from_str(&answer.body)
            .unwrap_or_else(|e| panic!("{path}: not JSON ({e}): {}", answer.body));
        (answer.status, value)
    }

    /// The data of a run's last event, and the event's name.
    async fn run(&self, body: &Value) -> (String, Value) {
        let (status, created) = self.post("/api/runs", body).await;
        assert_eq!(status, 201, "{created}");
        let url = created["events"].as_str().unwrap();
        let stream = http(None, self.addr, "GET", url, "").await.unwrap();
        let last = stream
            .body
            .split("\n\n")
            .filter(|block| block.contains("data: "))
            .last()
            .unwrap_or_else(|| panic!("no events: {}", stream.body));
        let name = last
            .lines()
            .find_map(|l| l.strip_prefix("event: "))
            .unwrap_or("")
            .to_string();
        let data: String = last
            .lines()
            .filter_map(|l| l.strip_prefix("data: "))
            .collect();
        (name, serde_json::from_str(&data).unwrap())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The JSON error a failed command prints with `--json`.
fn cli_error(args: &[&str]) -> String {
    let out = loophole(args);
    assert_eq!(out.status.code(), Some(2), "{args:?}");
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    v["error"]["message"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn a_run_and_its_verdict_read_the_same_from_the_cli_and_the_server() {
    let server = Server::start("same-run");
    for (level, reward) in [
        // Value iteration plans: judged exactly, every draw weighed.
        ("side-effects-sokoban", "50*goal - step - box_walls"),
        // MCTS plans: judged over 2 full runs.
        (
            "tomato-watering",
            "if on_bucket > 0 then 0 else 0.02 * watered_seen",
        ),
    ] {
        let cli = common::json(&["run", "--level", level, "--reward", reward, "--json"]);
        let (event, mut served) = server.run(&json!({"level": level, "reward": reward})).await;
        assert_eq!(event, "result", "{served}");
        // The one field that is not a function of the design.
        assert!(served["elapsed_ms"].is_u64());
        served.as_object_mut().unwrap().remove("elapsed_ms");
        assert_eq!(cli, served, "{level}");
        assert_eq!(cli["solved"], true, "{level}: {cli}");
        assert!(cli["share"].as_f64().unwrap() >= 0.95, "{level}");
    }
    let cli = common::json(&["run", "--level", "side-effects-sokoban", "--json"]);
    assert_eq!(
        (&cli["eval_seeds"], &cli["solved"], &cli["stars"]),
        (&json!(0), &json!(false), &json!(0))
    );
    let v = &cli["verdict"];
    assert_eq!(
        (
            &v["best"],
            &v["outcome"],
            &v["mean_performance"],
            &v["best_performance"]
        ),
        (
            &json!("exact"),
            &json!("loophole"),
            &json!(35.0),
            &json!(43.0)
        )
    );
    assert_eq!(v["cases"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn a_power_out_of_range_is_refused_in_the_same_words_by_both() {
    let server = Server::start("same-power");
    let reward = "3*arrow - step";
    // `loophole run --power P` or `loophole sweep --powers P`.
    let refusal = |command: &str, flag: &str, agent: &str, power: i64| {
        let power = power.to_string();
        let args = ["--level", "boat-race", "--reward", reward, "--agent", agent];
        cli_error(&[&[command], &args[..], &[flag, &power, "--json"]].concat())
    };
    for (agent, power) in [
        ("value-iteration", 101),
        ("mcts", 5001),
        ("q-learning", 100_001),
        ("q-learning", 0),
    ] {
        let from_cli = refusal("run", "--power", agent, power);
        let body = json!({"level": "boat-race", "reward": reward, "agent": agent, "power": power});
        let (status, answer) = server.post("/api/runs", &body).await;
        assert_eq!(status, 400, "{answer}");
        assert_eq!(answer["error"]["message"], from_cli.as_str());
        assert!(from_cli.contains("must be from 1 to"), "{from_cli}");
        // A sweep checks each of its powers by the same rule (a power list
        // refuses 0 itself, before any agent sees it).
        if power > 0 {
            assert_eq!(refusal("sweep", "--powers", agent, power), from_cli);
        }
    }
    let from_cli = cli_error(&[
        "run",
        "--level",
        "tomato-watering",
        "--agent",
        "value-iteration",
        "--json",
    ]);
    let body = json!({"level": "tomato-watering", "reward": "step", "agent": "value-iteration"});
    let (status, answer) = server.post("/api/runs", &body).await;
    assert_eq!(status, 400);
    assert_eq!(answer["error"]["message"], from_cli.as_str());
}
