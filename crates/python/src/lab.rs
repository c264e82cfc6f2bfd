//! The lab's commands from Python: the same JSON as `loophole ... --json`
//! (the `loophole_wire` bodies), written by the same engine functions, plus
//! an episode's per-step arrays.

use std::collections::BTreeMap;

use loophole_engine::experiment;
use loophole_engine::level::Level;
use loophole_engine::levels;
use loophole_engine::run;
use loophole_engine::score;
use loophole_engine::world::Params;
use loophole_wire as wire;
use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyDict;
use rayon::prelude::*;

use crate::env::trajectory;
use crate::{compile_reward, interruptible, load_level, params_of, run_error};

fn json<T: serde::Serialize>(value: &T) -> PyResult<String> {
    serde_json::to_string(value).map_err(|e| PyRuntimeError::new_err(e.to_string()))
}

/// Every built-in level, as `loophole levels --json` lists them (JSON).
#[pyfunction]
fn levels_json() -> PyResult<String> {
    let all = levels::all().map_err(|e| PyRuntimeError::new_err(e.to_string()))?;
    let bodies: Vec<_> = all
        .iter()
        .map(|l| wire::LevelBody::new(l, None, None))
        .collect();
    json(&bodies)
}

/// The ids of the built-in levels, in their order.
#[pyfunction]
fn level_ids() -> Vec<String> {
    levels::BUILTIN
        .iter()
        .map(|(id, _)| id.to_string())
        .collect()
}

/// `loophole check --json`: the signals a reward reads (JSON), or RewardError.
#[pyfunction]
#[pyo3(signature = (reward, level=None, level_text=None))]
fn check(
    py: Python<'_>,
    reward: &str,
    level: Option<&str>,
    level_text: Option<&str>,
) -> PyResult<String> {
    let level = load_level(py, level, level_text)?;
    let (_, program) = compile_reward(py, &level, Some(reward))?;
    json(&wire::CheckResponse::new(&level, &program))
}

/// `loophole run --json` (JSON), and the played episode's per-step arrays.
#[pyfunction]
#[pyo3(signature = (level=None, level_text=None, reward=None, agent=None, power=None, seed=0, params=None, time_limit=600.0))]
#[allow(clippy::too_many_arguments)]
fn run_design<'py>(
    py: Python<'py>,
    level: Option<&str>,
    level_text: Option<&str>,
    reward: Option<&str>,
    agent: Option<&str>,
    power: Option<u64>,
    seed: u64,
    params: Option<BTreeMap<String, f64>>,
    time_limit: f64,
) -> PyResult<(String, Bound<'py, PyDict>)> {
    let level = load_level(py, level, level_text)?;
    let src = reward.unwrap_or(&level.default_reward).to_string();
    let ask = score::Request {
        reward: &src,
        agent,
        power,
        seed,
        params: params_of(params),
    };
    let (mut hook, interrupted) = interruptible(time_limit)?;
    let design =
        score::check(&level, &ask).map_err(|e| run_error(py, &src, time_limit, &interrupted, e))?;
    let judged = py.allow_threads(|| score::judged_run(&level, &design, &mut hook));
    let (result, verdict) = judged.map_err(|e| run_error(py, &src, time_limit, &interrupted, e))?;
    let body = json(&wire::RunResultBody::new(
        &level, &src, &result, &verdict, None,
    ))?;
    Ok((body, trajectory(py, &level, &result.episode)?))
}

/// `loophole replay --json` (JSON), and the first episode's per-step arrays.
#[pyfunction]
#[pyo3(signature = (actions, level=None, level_text=None, reward=None, seed=0, episodes=1, params=None))]
#[allow(clippy::too_many_arguments)]
fn replay<'py>(
    py: Python<'py>,
    actions: &str,
    level: Option<&str>,
    level_text: Option<&str>,
    reward: Option<&str>,
    seed: u64,
    episodes: u64,
    params: Option<BTreeMap<String, f64>>,
) -> PyResult<(String, Bound<'py, PyDict>)> {
    let level = load_level(py, level, level_text)?;
    let (_, program) = compile_reward(py, &level, reward)?;
    let params = params_of(params);
    let eps = py
        .allow_threads(|| run::replay_episodes(&level, &program, actions, seed, episodes, &params))
        .map_err(|e| PyValueError::new_err(e.to_string()))?;
    let body = json(&wire::ReplayBody::new(&level, &eps))?;
    Ok((body, trajectory(py, &level, &eps[0])?))
}

/// A sweep checked as `loophole sweep` checks it: (the level's id, the
/// agent's name, the reward as written, the powers, the seeds, its jobs as
/// (power, seed) in the order their results are summarized).
type Plan = (String, String, String, Vec<u32>, u64, Vec<(u32, u64)>);

fn plan(
    py: Python<'_>,
    level: &Level,
    powers: &str,
    reward: Option<&str>,
    agent: Option<&str>,
    seeds: u64,
    params: &Params,
) -> PyResult<(score::Design, Plan)> {
    let powers = experiment::parse_powers(powers).map_err(PyValueError::new_err)?;
    if seeds == 0 || seeds > experiment::MAX_SEEDS {
        return Err(PyValueError::new_err(format!(
            "seeds must be from 1 to {}, found {seeds}",
            experiment::MAX_SEEDS
        )));
    }
    let (design, src) = checked(py, level, &powers, reward, agent, params)?;
    let jobs = experiment::jobs(&powers, seeds);
    let agent = design.agent.name().to_string();
    Ok((design, (level.id.clone(), agent, src, powers, seeds, jobs)))
}

/// The design of a sweep, checked as `loophole sweep` checks it, at every power of `powers`.
fn checked(
    py: Python<'_>,
    level: &Level,
    powers: &[u32],
    reward: Option<&str>,
    agent: Option<&str>,
    params: &Params,
) -> PyResult<(score::Design, String)> {
    let src = reward.unwrap_or(&level.default_reward).to_string();
    let ask = score::Request {
        reward: &src,
        agent,
        power: None,
        seed: 0,
        params: params.clone(),
    };
    let no_interrupt = std::sync::Mutex::new(None);
    let fail = |e| run_error(py, &src, 0.0, &no_interrupt, e);
    let design = score::check(level, &ask).map_err(fail)?;
    let mut seen = std::collections::BTreeSet::new();
    for &p in powers.iter().filter(|p| seen.insert(**p)) {
        score::check_power(level, design.agent, Some(u64::from(p))).map_err(fail)?;
    }
    Ok((design, src))
}

/// Runs `jobs` ((power, seed) pairs) of a checked design: (return,
/// performance) each, in the jobs' order, on `threads` threads (None: all
/// cores), without the GIL.
fn run_checked(
    py: Python<'_>,
    level: &Level,
    design: &score::Design,
    src: &str,
    jobs: &[(u32, u64)],
    threads: Option<usize>,
    time_limit: f64,
) -> PyResult<Vec<(f64, f64)>> {
    let (hook, interrupted) = interruptible(time_limit)?;
    let hook = std::sync::Mutex::new(hook);
    let one = |&(power, seed): &(u32, u64)| {
        let mut in_time = |p: &loophole_engine::agents::Progress| {
            hook.lock().unwrap_or_else(|e| e.into_inner())(p)
        };
        experiment::run_job(
            level,
            &design.reward,
            design.agent,
            power,
            seed,
            &design.params,
            &mut in_time,
        )
    };
    // Results come back in job order whatever the number of threads.
    let results = py.allow_threads(|| match threads {
        Some(1) => jobs.iter().map(one).collect::<Result<Vec<_>, _>>(),
        Some(n) => rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build()
            .map_err(|e| loophole_engine::agents::RunError::invalid(e.to_string()))?
            .install(|| jobs.par_iter().map(one).collect()),
        None => jobs.par_iter().map(one).collect(),
    });
    results.map_err(|e| run_error(py, src, time_limit, &interrupted, e))
}

/// A sweep's plan, checked as `loophole sweep` checks it: (level id, agent,
/// reward, powers, seeds, jobs).
#[pyfunction]
#[pyo3(signature = (powers, level=None, level_text=None, reward=None, agent=None, seeds=5, params=None))]
#[allow(clippy::too_many_arguments)]
fn sweep_plan(
    py: Python<'_>,
    powers: &str,
    level: Option<&str>,
    level_text: Option<&str>,
    reward: Option<&str>,
    agent: Option<&str>,
    seeds: u64,
    params: Option<BTreeMap<String, f64>>,
) -> PyResult<Plan> {
    let level = load_level(py, level, level_text)?;
    Ok(plan(py, &level, powers, reward, agent, seeds, &params_of(params))?.1)
}

/// Runs some of a sweep's jobs: (return, performance) for each (power,
/// seed), in order, on `threads` threads (None: every core).
#[pyfunction]
#[pyo3(signature = (jobs, level=None, level_text=None, reward=None, agent=None, params=None, threads=None, time_limit=600.0))]
#[allow(clippy::too_many_arguments)]
fn run_jobs(
    py: Python<'_>,
    jobs: Vec<(u32, u64)>,
    level: Option<&str>,
    level_text: Option<&str>,
    reward: Option<&str>,
    agent: Option<&str>,
    params: Option<BTreeMap<String, f64>>,
    threads: Option<usize>,
    time_limit: f64,
) -> PyResult<Vec<(f64, f64)>> {
    let level = load_level(py, level, level_text)?;
    let params = params_of(params);
    let powers: Vec<u32> = jobs.iter().map(|j| j.0).collect();
    let (design, src) = checked(py, &level, &powers, reward, agent, &params)?;
    run_checked(py, &level, &design, &src, &jobs, threads, time_limit)
}

/// The sweep's JSON from its jobs' results in job order: the bytes
/// `loophole sweep --json` prints (pretty, without a trailing newline).
#[pyfunction]
fn sweep_json(
    level: &str,
    agent: &str,
    reward: &str,
    powers: Vec<u32>,
    seeds: u64,
    results: Vec<(f64, f64)>,
) -> PyResult<String> {
    let agent = loophole_engine::agents::AgentKind::parse(agent).map_err(PyValueError::new_err)?;
    if results.len() as u64 != powers.len() as u64 * seeds {
        return Err(PyValueError::new_err(format!(
            "a sweep of {} powers and {seeds} seeds has {} results, found {}",
            powers.len(),
            powers.len() as u64 * seeds,
            results.len()
        )));
    }
    let points = experiment::summarize(&powers, seeds, &results);
    serde_json::to_string_pretty(&wire::SweepBody::of_level_id(
        level, agent, reward, seeds, &points, None,
    ))
    .map_err(|e| PyRuntimeError::new_err(e.to_string()))
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(levels_json, m)?)?;
    m.add_function(wrap_pyfunction!(level_ids, m)?)?;
    m.add_function(wrap_pyfunction!(check, m)?)?;
    m.add_function(wrap_pyfunction!(run_design, m)?)?;
    m.add_function(wrap_pyfunction!(replay, m)?)?;
    m.add_function(wrap_pyfunction!(sweep_plan, m)?)?;
    m.add_function(wrap_pyfunction!(run_jobs, m)?)?;
    m.add_function(wrap_pyfunction!(sweep_json, m)?)?;
    Ok(())
}
