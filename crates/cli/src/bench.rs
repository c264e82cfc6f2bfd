//! `loophole bench`: how fast the engine and the server are, measured here
//! and now. docs/PERFORMANCE.md has the figures and what bounds them.
//!
//! Suites: `steps` (a random policy stepping every level), `q-learning`
//! (table updates per second), `value-iteration` (a generated level with over
//! a million reachable states, compile and sweeps timed apart) and `server`
//! (time from `POST /api/runs` to the result event per level, in-process over
//! loopback).

use std::io::{IsTerminal, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use clap::ValueEnum;
use indicatif::{ProgressBar, ProgressStyle};
use loophole_engine::agents::Progress;
use loophole_engine::level::Level;
use loophole_engine::{bench, levels};
use loophole_server::wire::round;
use serde_json::{json, Value};

use crate::output::{self, Failure};

/// Which measurements `loophole bench` makes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Suite {
    /// Environment steps per second, random policy, every level.
    Steps,
    /// Q-learning table updates per second, every level.
    QLearning,
    /// Value iteration on a generated level of over a million states.
    ValueIteration,
    /// Latency of a training request per level, at default power.
    Server,
    /// All of the above.
    All,
}

/// The arguments of `loophole bench`.
#[derive(Clone, Debug)]
pub struct BenchArgs {
    pub suite: Suite,
    pub level: Option<String>,
    pub steps: u64,
    pub episodes: u32,
    pub side: usize,
    pub horizon: u32,
    pub repeats: u32,
    pub json: bool,
}

pub fn bench_cmd(args: BenchArgs) -> Result<(), Failure> {
    if args.steps == 0 || args.steps > 10_000_000_000 {
        return Err(Failure::usage(
            "--steps must be from 1 to 10000000000".into(),
        ));
    }
    if args.episodes == 0 || args.episodes > 1_000_000 {
        return Err(Failure::usage(
            "--episodes must be from 1 to 1000000".into(),
        ));
    }
    if !(5..=loophole_engine::grid::MAX_SIDE).contains(&args.side) {
        return Err(Failure::usage(format!(
            "--side must be from 5 to {}",
            loophole_engine::grid::MAX_SIDE
        )));
    }
    if args.horizon == 0 || args.horizon > loophole_engine::level::MAX_STEPS {
        return Err(Failure::usage(format!(
            "--horizon must be from 1 to {}",
            loophole_engine::level::MAX_STEPS
        )));
    }
    if args.repeats == 0 || args.repeats > 100 {
        return Err(Failure::usage("--repeats must be from 1 to 100".into()));
    }
    let list = match &args.level {
        Some(id) => vec![levels::builtin(id).map_err(Failure::usage)?],
        None => levels::all().map_err(|e| Failure::usage(e.to_string()))?,
    };
    let single = args.level.is_some();
    let one_or_all = |rows: Vec<Value>| {
        if single && rows.len() == 1 {
            rows.into_iter().next().unwrap_or(Value::Null)
        } else {
            Value::Array(rows)
        }
    };
    let mut out = serde_json::Map::new();
    let all = args.suite == Suite::All;
    if all || args.suite == Suite::Steps {
        out.insert("steps".into(), one_or_all(steps(&list, &args)?));
    }
    if all || args.suite == Suite::QLearning {
        out.insert("q_learning".into(), one_or_all(q_learning(&list, &args)?));
    }
    if all || args.suite == Suite::ValueIteration {
        out.insert("value_iteration".into(), value_iteration(&args)?);
    }
    if all || args.suite == Suite::Server {
        out.insert("server".into(), one_or_all(server(&list, &args)?));
    }
    if args.json {
        if all {
            output::print_json(&Value::Object(out));
        } else if let Some((_, v)) = out.into_iter().next() {
            output::print_json(&v);
        }
    }
    Ok(())
}

/// A bar on stderr, when a person is watching and the output is text.
fn bar(args: &BenchArgs, len: u64, what: &str) -> Option<ProgressBar> {
    if args.json || !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = ProgressBar::new(len);
    let template = format!("{{spinner}} {what} [{{bar:32}}] {{pos}}/{{len}} {{msg}}");
    let style = ProgressStyle::with_template(&template)
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ");
    bar.set_style(style);
    Some(bar)
}

fn say(args: &BenchArgs, bar: &Option<ProgressBar>, line: String) {
    if args.json {
        return;
    }
    match bar {
        Some(b) => b.println(line),
        None => out!("{line}"),
    }
}

fn steps(list: &[Level], args: &BenchArgs) -> Result<Vec<Value>, Failure> {
    let n = args.steps;
    let progress = bar(args, list.len() as u64, "steps");
    say(
        args,
        &progress,
        format!("Environment steps, random policy, one core, {n} steps per level:"),
    );
    let mut rows = Vec::new();
    for level in list {
        if let Some(b) = &progress {
            b.set_message(level.id.clone());
        }
        let reward = level
            .compile_reward(&level.default_reward)
            .map_err(|d| Failure::reward(&level.default_reward, d))?;
        let started = Instant::now();
        let (episodes, checksum) =
            bench::random_steps(&level.world, &reward, &level.intent, level.steps, n, 0);
        let secs = started.elapsed().as_secs_f64();
        let sps = n as f64 / secs;
        rows.push(json!({
            "level": level.id,
            "steps": n,
            "episodes": episodes,
            "seconds": round(secs),
            "steps_per_sec": sps.round(),
            "ns_per_step": round(secs * 1e9 / n as f64),
            "checksum": round(checksum),
        }));
        say(
            args,
            &progress,
            format!(
                "  {:<28} {:>14} steps/s  {:>7.1} ns/step  ({} steps in {:.2} s)",
                level.id,
                output::thousands(sps.round() as u64),
                secs * 1e9 / n as f64,
                n,
                secs
            ),
        );
        if let Some(b) = &progress {
            b.inc(1);
        }
    }
    if let Some(b) = progress {
        b.finish_and_clear();
    }
    Ok(rows)
}

fn q_learning(list: &[Level], args: &BenchArgs) -> Result<Vec<Value>, Failure> {
    let progress = bar(args, list.len() as u64, "q-learning");
    say(
        args,
        &progress,
        format!(
            "Q-learning, {} training episodes per level (one table update per step):",
            args.episodes
        ),
    );
    let mut rows = Vec::new();
    for level in list {
        if let Some(b) = &progress {
            b.set_message(level.id.clone());
        }
        let started = Instant::now();
        let q = bench::q_learning(level, args.episodes, 0)
            .map_err(|e| Failure::runtime(e.to_string()))?;
        let secs = started.elapsed().as_secs_f64();
        let ups = q.updates as f64 / secs;
        rows.push(json!({
            "level": level.id,
            "episodes": q.episodes,
            "updates": q.updates,
            "table_size": q.table_size,
            "seconds": round(secs),
            "updates_per_sec": ups.round(),
            "ns_per_update": round(secs * 1e9 / q.updates.max(1) as f64),
        }));
        say(
            args,
            &progress,
            format!(
                "  {:<28} {:>14} updates/s {:>7.1} ns/update ({} updates, {} views, {:.2} s)",
                level.id,
                output::thousands(ups.round() as u64),
                secs * 1e9 / q.updates.max(1) as f64,
                q.updates,
                q.table_size,
                secs
            ),
        );
        if let Some(b) = &progress {
            b.inc(1);
        }
    }
    if let Some(b) = progress {
        b.finish_and_clear();
    }
    Ok(rows)
}

/// Peak resident memory of this process so far, in bytes (Linux only).
fn peak_rss() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

fn value_iteration(args: &BenchArgs) -> Result<Value, Failure> {
    let level = bench::big_level(args.side, args.horizon).map_err(Failure::runtime)?;
    let floor = (args.side - 2) * (args.side - 2);
    let progress = bar(args, 1, "value iteration");
    say(
        args,
        &progress,
        format!(
            "Value iteration on a generated {0}x{0} warehouse with one box ({floor} floor cells), horizon {1}:",
            args.side, args.horizon
        ),
    );
    let rss_before = peak_rss();
    let started = Instant::now();
    let mut compiled_at: Option<Duration> = None;
    let result = bench::value_iteration(&level, args.horizon, &mut |p: &Progress| {
        // The compile reports states found, then each sweep reports its
        // depth against the horizon: the first report whose total is the
        // horizon marks the end of the compile.
        if compiled_at.is_none() && p.total == args.horizon as u64 {
            compiled_at = Some(started.elapsed());
        }
        if let Some(b) = &progress {
            b.set_length(p.total);
            b.set_position(p.done);
            b.set_message(if compiled_at.is_some() {
                "sweeps"
            } else {
                "compiling"
            });
        }
        true
    })
    .map_err(|e| Failure::runtime(e.to_string()))?;
    let total = started.elapsed().as_secs_f64();
    if let Some(b) = progress.as_ref() {
        b.finish_and_clear();
    }
    let compile = compiled_at.map_or(total, |d| d.as_secs_f64());
    let sweeps = total - compile;
    let rss = peak_rss();
    let per_sweep = sweeps / result.sweeps.max(1) as f64;
    let v = json!({
        "side": args.side,
        "horizon": args.horizon,
        "states": result.states,
        "transitions": result.transitions,
        "sweeps": result.sweeps,
        "start_value": round(result.start_value),
        "compile_seconds": round(compile),
        "sweep_seconds": round(sweeps),
        "seconds": round(total),
        "ns_per_state_compiled": round(compile * 1e9 / result.states.max(1) as f64),
        "ns_per_transition_swept": round(
            per_sweep * 1e9 / result.transitions.max(1) as f64
        ),
        "bytes_per_state": round(result.bytes_per_state.round()),
        "peak_rss_bytes": rss,
        "peak_rss_bytes_per_state": match (rss, rss_before) {
            (Some(after), Some(before)) => json!(((after.saturating_sub(before)) as f64
                / result.states.max(1) as f64)
                .round()),
            _ => Value::Null,
        },
    });
    say(
        args,
        &progress,
        format!(
            "  {} states, {} transitions; compile {:.3} s ({:.0} ns/state), {} sweeps {:.3} s ({:.1} ms/sweep, {:.2} ns/transition); total {:.3} s",
            output::thousands(result.states as u64),
            output::thousands(result.transitions as u64),
            compile,
            compile * 1e9 / result.states.max(1) as f64,
            result.sweeps,
            sweeps,
            per_sweep * 1e3,
            per_sweep * 1e9 / result.transitions.max(1) as f64,
            total
        ),
    );
    say(
        args,
        &progress,
        format!(
            "  memory: {:.0} bytes/state counted from the planner's arrays{}",
            result.bytes_per_state,
            match rss {
                Some(r) => format!("; peak resident {:.0} MB", r as f64 / 1e6),
                None => String::new(),
            }
        ),
    );
    Ok(v)
}

/// Sends one HTTP/1.1 request and returns the status and body of the reply.
fn http(addr: SocketAddr, method: &str, path: &str, body: &str) -> Result<(u16, String), String> {
    let mut conn = TcpStream::connect(addr).map_err(|e| e.to_string())?;
    conn.set_read_timeout(Some(Duration::from_secs(30)))
        .map_err(|e| e.to_string())?;
    write!(
        conn,
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .map_err(|e| e.to_string())?;
    let mut reply = String::new();
    conn.read_to_string(&mut reply).map_err(|e| e.to_string())?;
    let status = reply
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or("no HTTP status in the reply")?;
    let body = reply
        .split_once("\r\n\r\n")
        .map_or(String::new(), |(_, b)| b.to_string());
    Ok((status, body))
}

/// Reads an event stream until its `result` event; true if it came (not an error).
fn await_result(addr: SocketAddr, path: &str) -> Result<(), String> {
    let mut conn = TcpStream::connect(addr).map_err(|e| e.to_string())?;
    conn.set_read_timeout(Some(Duration::from_secs(30)))
        .map_err(|e| e.to_string())?;
    write!(
        conn,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nAccept: text/event-stream\r\nConnection: close\r\n\r\n"
    )
    .map_err(|e| e.to_string())?;
    let mut seen = Vec::new();
    let mut buf = [0u8; 64 * 1024];
    loop {
        let n = conn.read(&mut buf).map_err(|e| e.to_string())?;
        if n == 0 {
            return Err("the event stream ended without a result".into());
        }
        seen.extend_from_slice(&buf[..n]);
        let text = String::from_utf8_lossy(&seen);
        if text.contains("event: result") {
            return Ok(());
        }
        if text.contains("event: error") {
            return Err(format!("the run failed: {text}"));
        }
    }
}

/// One training request: from the POST to the result event, in seconds.
fn one_run(addr: SocketAddr, level: &Level) -> Result<f64, String> {
    let body = json!({"level": level.id, "reward": level.default_reward}).to_string();
    let started = Instant::now();
    let (status, reply) = http(addr, "POST", "/api/runs", &body)?;
    if status != 201 {
        return Err(format!("POST /api/runs answered {status}: {reply}"));
    }
    let reply: Value = serde_json::from_str(&reply).map_err(|e| e.to_string())?;
    let events = reply["events"]
        .as_str()
        .ok_or("no events URL in the reply")?;
    await_result(addr, events)?;
    Ok(started.elapsed().as_secs_f64())
}

fn server(list: &[Level], args: &BenchArgs) -> Result<Vec<Value>, Failure> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::runtime(format!("cannot start the async runtime: {e}")))?;
    let store = loophole_store::Store::open_in_memory()
        .map_err(|e| Failure::runtime(format!("cannot open a database in memory: {e}")))?;
    // One client sends every request here, so the per-client limit is lifted.
    let limits = loophole_server::Limits {
        per_client_burst: 1_000_000,
        per_client_per_sec: 1e9,
        ..Default::default()
    };
    let state = loophole_server::AppState::with_limits(store, limits)
        .map_err(|e| Failure::runtime(e.to_string()))?;
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .map_err(|e| Failure::runtime(format!("cannot bind a port on 127.0.0.1: {e}")))?;
    let addr = listener
        .local_addr()
        .map_err(|e| Failure::runtime(e.to_string()))?;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let serving = runtime.spawn(loophole_server::serve_on(listener, state, async move {
        let _ = stopped.await;
    }));
    let progress = bar(args, list.len() as u64, "server");
    say(
        args,
        &progress,
        format!(
            "Server: POST /api/runs to the result event at default power, median of {} (after one warm-up run), over loopback:",
            args.repeats
        ),
    );
    let mut rows = Vec::new();
    for level in list {
        if let Some(b) = &progress {
            b.set_message(level.id.clone());
        }
        // The first run of a level also works out its best score once.
        one_run(addr, level).map_err(Failure::runtime)?;
        let mut times = Vec::new();
        for _ in 0..args.repeats {
            times.push(one_run(addr, level).map_err(Failure::runtime)?);
        }
        times.sort_by(f64::total_cmp);
        let median = times[times.len() / 2];
        let agent = loophole_engine::score::default_agent(level);
        let power = agent.default_power(level.steps);
        rows.push(json!({
            "level": level.id,
            "agent": agent.name(),
            "power": power,
            "runs": args.repeats,
            "median_ms": round(median * 1e3),
            "min_ms": round(times[0] * 1e3),
            "max_ms": round(times[times.len() - 1] * 1e3),
        }));
        say(
            args,
            &progress,
            format!(
                "  {:<28} {:<16} {:>8} {:>9.1} ms  (min {:.1}, max {:.1})",
                level.id,
                agent.name(),
                power,
                median * 1e3,
                times[0] * 1e3,
                times[times.len() - 1] * 1e3
            ),
        );
        if let Some(b) = &progress {
            b.inc(1);
        }
    }
    if let Some(b) = progress {
        b.finish_and_clear();
    }
    let _ = stop.send(());
    let _ = runtime.block_on(serving);
    Ok(rows)
}
