//! The lab's commands from Python: the same JSON as `loophole ... --json`
//! (the `loophole_wire` bodies), written by the same engine functions, plus
//! an episode's per-step arrays.

use std::collections::BTreeMap;

use loophole_engine::experiment;
use loophole_engine::levels;
use loophole_engine::run;
use loophole_engine::score;
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

/// `loophole sweep --json` (JSON): every power's mean, sd and per-seed values.
#[pyfunction]
#[pyo3(signature = (powers, level=None, level_text=None, reward=None, agent=None, seeds=5, params=None, time_limit=600.0))]
#[allow(clippy::too_many_arguments)]
fn sweep(
    py: Python<'_>,
    powers: &str,
    level: Option<&str>,
    level_text: Option<&str>,
    reward: Option<&str>,
    agent: Option<&str>,
    seeds: u64,
    params: Option<BTreeMap<String, f64>>,
    time_limit: f64,
) -> PyResult<String> {
    let level = load_level(py, level, level_text)?;
    let src = reward.unwrap_or(&level.default_reward).to_string();
    let ask = score::Request {
        reward: &src,
        agent,
        power: None,
        seed: 0,
        params: params_of(params),
    };
    let (hook, interrupted) = interruptible(time_limit)?;
    let fail = |e| run_error(py, &src, time_limit, &interrupted, e);
    let design = score::check(&level, &ask).map_err(fail)?;
    let powers = experiment::parse_powers(powers).map_err(PyValueError::new_err)?;
    for &p in &powers {
        score::check_power(&level, design.agent, Some(u64::from(p))).map_err(fail)?;
    }
    if seeds == 0 || seeds > experiment::MAX_SEEDS {
        return Err(PyValueError::new_err(format!(
            "seeds must be from 1 to {}, found {seeds}",
            experiment::MAX_SEEDS
        )));
    }
    let jobs = experiment::jobs(&powers, seeds);
    let hook = std::sync::Mutex::new(hook);
    // Results come back in job order whatever the number of threads.
    let results = py.allow_threads(|| {
        jobs.par_iter()
            .map(|&(power, seed)| {
                let mut in_time = |p: &loophole_engine::agents::Progress| {
                    hook.lock().unwrap_or_else(|e| e.into_inner())(p)
                };
                experiment::run_job(
                    &level,
                    &design.reward,
                    design.agent,
                    power,
                    seed,
                    &design.params,
                    &mut in_time,
                )
            })
            .collect::<Result<Vec<_>, _>>()
    });
    let results = results.map_err(fail)?;
    let points = experiment::summarize(&powers, seeds, &results);
    json(&wire::SweepBody::new(
        &level,
        design.agent,
        &src,
        seeds,
        &points,
        None,
    ))
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(levels_json, m)?)?;
    m.add_function(wrap_pyfunction!(level_ids, m)?)?;
    m.add_function(wrap_pyfunction!(check, m)?)?;
    m.add_function(wrap_pyfunction!(run_design, m)?)?;
    m.add_function(wrap_pyfunction!(replay, m)?)?;
    m.add_function(wrap_pyfunction!(sweep, m)?)?;
    Ok(())
}
