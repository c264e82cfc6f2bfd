//! Loophole from Python: the extension module `loophole._loophole`, which
//! the package in `python/loophole` wraps as Gymnasium environments.
//!
//! Everything here is a thin layer over the engine: an environment is the
//! engine's [`EnvState`](loophole_engine::env::EnvState) stepped with a
//! level's task, its observations are built from the agent's view alone
//! (`World::observe`), and the lab's functions give the same JSON as the
//! command line's `--json` (the `loophole_wire` bodies).

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use loophole_engine::agents::Progress;
use loophole_engine::lang::{Diagnostic, Program};
use loophole_engine::level::{self, Level};
use loophole_engine::levels;
use loophole_engine::world::Params;
use pyo3::create_exception;
use pyo3::exceptions::{PyTimeoutError, PyValueError};
use pyo3::prelude::*;

mod env;
mod lab;

create_exception!(
    _loophole,
    RewardError,
    PyValueError,
    "A reward that does not compile: the message is the diagnostic with carets under the mistake; `.span` is its byte range in the reward."
);
create_exception!(
    _loophole,
    LevelError,
    PyValueError,
    "A level file that does not parse: `.line` and `.column` (1-based) point at the mistake."
);

/// The reward's error as `RewardError`, its message the engine's caret diagnostic.
pub(crate) fn reward_error(py: Python<'_>, reward: &str, d: &Diagnostic) -> PyErr {
    let err = RewardError::new_err(d.render(reward));
    let value = err.value(py);
    let _ = value.setattr("span", (d.span.0, d.span.1));
    let _ = value.setattr("reward", reward);
    err
}

/// A level by built-in id, or from the text of a level file.
pub(crate) fn load_level(
    py: Python<'_>,
    id: Option<&str>,
    text: Option<&str>,
) -> PyResult<Arc<Level>> {
    match (id, text) {
        (_, Some(text)) => match level::parse(text) {
            Ok(l) => Ok(Arc::new(l)),
            Err(e) => {
                let err = LevelError::new_err(e.to_string());
                let value = err.value(py);
                let _ = value.setattr("line", e.line);
                let _ = value.setattr("column", e.column);
                Err(err)
            }
        },
        (Some(id), None) => levels::builtin(id)
            .map(Arc::new)
            .map_err(PyValueError::new_err),
        (None, None) => Err(PyValueError::new_err(
            "give a level: a built-in id (level=...), or the text of a level file (level_text=...)",
        )),
    }
}

/// A level's reward: `reward`, or its default.
pub(crate) fn compile_reward(
    py: Python<'_>,
    level: &Level,
    reward: Option<&str>,
) -> PyResult<(String, Program)> {
    let text = reward.unwrap_or(&level.default_reward).to_string();
    let program = level
        .compile_reward(&text)
        .map_err(|d| reward_error(py, &text, &d))?;
    Ok((text, program))
}

/// Per-episode draws as Python gives them (a dict of name to 0 or 1).
pub(crate) fn params_of(params: Option<BTreeMap<String, f64>>) -> Params {
    params.unwrap_or_default().into_iter().collect()
}

/// Where a hook keeps the Ctrl-C it saw, for the caller to raise.
pub(crate) type Interrupted = Arc<std::sync::Mutex<Option<PyErr>>>;

/// A progress hook for work done without the GIL: stops when `budget`
/// runs out, and every tenth of a second takes the GIL to see whether the
/// person pressed Ctrl-C (then stops too, and the caller raises it).
pub(crate) fn interruptible(
    limit: f64,
) -> PyResult<(impl FnMut(&Progress) -> bool + Send, Interrupted)> {
    if !(limit.is_finite() && limit > 0.0 && limit <= 1e9) {
        return Err(PyValueError::new_err(format!(
            "time_limit takes seconds, more than 0 and at most 1e9; found {limit}"
        )));
    }
    let budget = loophole_engine::score::Budget::start(Duration::from_secs_f64(limit), "run");
    let mut in_time = budget.hook();
    let interrupted = Arc::new(std::sync::Mutex::new(None));
    let seen = interrupted.clone();
    let mut checked = Instant::now();
    let hook = move |p: &Progress| {
        if checked.elapsed() >= Duration::from_millis(100) {
            checked = Instant::now();
            if let Err(e) = Python::with_gil(|py| py.check_signals()) {
                *seen.lock().unwrap_or_else(|e| e.into_inner()) = Some(e);
                return false;
            }
        }
        in_time(p)
    };
    Ok((hook, interrupted))
}

/// The Python error of work the engine stopped or refused.
pub(crate) fn run_error(
    py: Python<'_>,
    reward: &str,
    limit: f64,
    interrupted: &std::sync::Mutex<Option<PyErr>>,
    e: loophole_engine::agents::RunError,
) -> PyErr {
    use loophole_engine::agents::{Invalid, RunError};
    if let Some(err) = interrupted.lock().unwrap_or_else(|e| e.into_inner()).take() {
        return err;
    }
    match e {
        RunError::Stopped => PyTimeoutError::new_err(format!(
            "the work exceeded its time budget of {limit} s: allow more with time_limit=SECONDS, or ask for less (a lower power, fewer seeds)"
        )),
        RunError::Invalid(Invalid::Reward(d)) => reward_error(py, reward, &d),
        other => PyValueError::new_err(other.to_string()),
    }
}

#[pymodule]
fn _loophole(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("RewardError", py.get_type::<RewardError>())?;
    m.add("LevelError", py.get_type::<LevelError>())?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_class::<env::Env>()?;
    m.add_class::<env::VecEnv>()?;
    lab::register(m)?;
    Ok(())
}
