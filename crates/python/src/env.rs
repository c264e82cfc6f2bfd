//! The environments: one episode at a time (`Env`), and many stepped in one
//! call without the GIL (`VecEnv`). Observations are built from the agent's
//! view (`World::observe`) only; `info` reports the hidden intent.

use std::collections::BTreeMap;
use std::sync::Arc;

use loophole_engine::env::{EnvState, Outcome, Task};
use loophole_engine::grid::{self, GridState};
use loophole_engine::lang::Program;
use loophole_engine::lang::Visibility;
use loophole_engine::level::Level;
use loophole_engine::world::{Params, World};
use loophole_engine::worlds::{LevelState, LevelWorld};
use numpy::ndarray::{Array1, Array2, Array3, ArrayD, IxDyn};
use numpy::{IntoPyArray, PyArray1, PyArrayMethods, PyReadonlyArray1};
use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict};

use crate::{compile_reward, load_level, params_of};

/// What an agent is shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Obs {
    /// The kind number of every cell, H x W (the original's board).
    Board,
    /// One channel per kind, K x H x W of 0 and 1.
    OneHot,
    /// The view's number among every view a tabular learner tells apart.
    Index,
}

impl Obs {
    fn parse(name: &str, level: &Level) -> PyResult<Obs> {
        let grid = level.world.grid().is_some();
        let obs = match name {
            "board" => Obs::Board,
            "onehot" => Obs::OneHot,
            "index" => Obs::Index,
            other => {
                return Err(PyValueError::new_err(format!(
                    "obs must be \"board\", \"onehot\" or \"index\", found {other:?}"
                )))
            }
        };
        if obs != Obs::Index && !grid {
            return Err(PyValueError::new_err(format!(
                "`{}` has no map to show as a {name}: use obs=\"index\"",
                level.id
            )));
        }
        if obs == Obs::Index && level.world.index_size().is_none() {
            return Err(PyValueError::new_err(format!(
                "`{}` has too many views to number them: use obs=\"board\" or \"onehot\"",
                level.id
            )));
        }
        Ok(obs)
    }
}

/// A level with a reward, what the agent is shown, and fixed draws: what
/// every environment of one kind shares.
pub(crate) struct Spec {
    pub level: Arc<Level>,
    pub reward_text: String,
    pub reward: Program,
    pub params: Params,
    pub obs: Obs,
    /// Cells of the map (0 without one).
    cells: usize,
}

impl Spec {
    pub fn new(
        py: Python<'_>,
        level: Option<&str>,
        level_text: Option<&str>,
        reward: Option<&str>,
        params: Option<BTreeMap<String, f64>>,
        obs: Option<&str>,
    ) -> PyResult<Spec> {
        let level = load_level(py, level, level_text)?;
        let (reward_text, reward) = compile_reward(py, &level, reward)?;
        let params = params_of(params);
        loophole_engine::env::check_params(&level.world, &params).map_err(PyValueError::new_err)?;
        let default = if level.world.grid().is_some() {
            "board"
        } else {
            "index"
        };
        let obs = Obs::parse(obs.unwrap_or(default), &level)?;
        let cells = level.world.width() * level.world.height();
        Ok(Spec {
            level,
            reward_text,
            reward,
            params,
            obs,
            cells,
        })
    }

    fn task(&self) -> Task<'_, LevelWorld> {
        self.level.task(&self.reward)
    }

    /// The shape of one observation.
    fn obs_shape(&self) -> Vec<usize> {
        let (w, h) = (self.level.world.width(), self.level.world.height());
        match self.obs {
            Obs::Board => vec![h, w],
            Obs::OneHot => vec![grid::kind_count(), h, w],
            Obs::Index => vec![],
        }
    }

    /// Numbers in one observation.
    fn obs_len(&self) -> usize {
        match self.obs {
            Obs::Board => self.cells,
            Obs::OneHot => grid::kind_count() * self.cells,
            Obs::Index => 1,
        }
    }

    /// Writes what the agent sees of `state` into `out` (board and one-hot
    /// as u8, `obs_len` of them; an index as one i64).
    fn write_obs(&self, state: &LevelState, out: ObsOut<'_>, scratch: &mut Vec<u8>) {
        let world = &self.level.world;
        let view = world.observe(state);
        match (out, &view) {
            (ObsOut::I64(out), _) => out[0] = world.index(&view) as i64,
            (ObsOut::U8(out), LevelState::Grid(v)) => {
                let grid = world.grid().expect("a grid state comes from a grid");
                match self.obs {
                    Obs::Board => grid.board(v, out),
                    _ => one_hot(grid, v, self.cells, out, scratch),
                }
            }
            (ObsOut::U8(out), _) => out.fill(0),
        }
    }

    fn signal_names(&self) -> Vec<String> {
        self.level.signals.iter().map(|s| s.name.clone()).collect()
    }

    /// The names of the level's per-episode draws, in their order.
    fn param_names(&self) -> impl ExactSizeIterator<Item = &'static str> + '_ {
        self.level.world.params().iter().map(|p| p.name)
    }
}

fn one_hot(
    grid: &grid::GridWorld,
    v: &GridState,
    cells: usize,
    out: &mut [u8],
    scratch: &mut Vec<u8>,
) {
    scratch.resize(cells, 0);
    grid.board(v, scratch);
    out.fill(0);
    for (c, &k) in scratch.iter().enumerate() {
        out[usize::from(k) * cells + c] = 1;
    }
}

/// Where one observation goes.
enum ObsOut<'a> {
    U8(&'a mut [u8]),
    I64(&'a mut [i64]),
}

/// A fresh numpy array holding one observation of `state`.
fn obs_array(
    py: Python<'_>,
    spec: &Spec,
    state: &LevelState,
    scratch: &mut Vec<u8>,
) -> PyResult<PyObject> {
    Ok(match spec.obs {
        Obs::Index => {
            let mut i = [0i64];
            spec.write_obs(state, ObsOut::I64(&mut i), scratch);
            // A Discrete observation is a numpy int64 scalar.
            numpy::PyArray1::from_slice(py, &i).get_item(0)?.unbind()
        }
        _ => {
            let mut v = vec![0u8; spec.obs_len()];
            spec.write_obs(state, ObsOut::U8(&mut v), scratch);
            let a = ArrayD::from_shape_vec(IxDyn(&spec.obs_shape()), v)
                .map_err(|e| PyRuntimeError::new_err(e.to_string()))?;
            a.into_pyarray(py).into_any().unbind()
        }
    })
}

/// The `info` of a step: the running and this step's intent score, every
/// signal, and the per-episode draws (on levels that have them).
fn info_dict<'py>(
    py: Python<'py>,
    spec: &Spec,
    state: &EnvState<LevelState>,
    intent: f64,
) -> PyResult<Bound<'py, PyDict>> {
    let info = PyDict::new(py);
    info.set_item("performance", state.performance())?;
    info.set_item("intent", intent)?;
    info.set_item("signals", state.signals().to_vec().into_pyarray(py))?;
    if spec.param_names().len() > 0 {
        let mut drawn = Vec::new();
        spec.level.world.drawn(state.state(), &mut drawn);
        let params = PyDict::new(py);
        for (name, value) in spec.param_names().zip(drawn) {
            params.set_item(name, value)?;
        }
        info.set_item("params", params)?;
    }
    Ok(info)
}

fn check_action(spec: &Spec, action: i64) -> PyResult<usize> {
    let n = spec.level.world.actions().len();
    usize::try_from(action)
        .ok()
        .filter(|&a| a < n)
        .ok_or_else(|| {
            PyValueError::new_err(format!(
                "the action must be from 0 to {}, found {action}",
                n - 1
            ))
        })
}

/// One environment: reset, step, render, and its position for pickling.
#[pyclass(module = "loophole._loophole")]
pub struct Env {
    spec: Arc<Spec>,
    state: EnvState<LevelState>,
    /// This episode's actions, to restore it (an episode is its inputs).
    actions: Vec<u8>,
    started: bool,
    scratch: Vec<u8>,
}

#[pymethods]
impl Env {
    #[new]
    #[pyo3(signature = (level=None, level_text=None, reward=None, params=None, obs=None))]
    fn new(
        py: Python<'_>,
        level: Option<&str>,
        level_text: Option<&str>,
        reward: Option<&str>,
        params: Option<BTreeMap<String, f64>>,
        obs: Option<&str>,
    ) -> PyResult<Env> {
        let spec = Arc::new(Spec::new(py, level, level_text, reward, params, obs)?);
        let state = EnvState::new(&spec.task());
        Ok(Env {
            spec,
            state,
            actions: Vec::new(),
            started: false,
            scratch: Vec::new(),
        })
    }

    /// Starts an episode: with `seed`, or the next of the last seed's run.
    /// Returns (observation, info).
    #[pyo3(signature = (seed=None))]
    fn reset(&mut self, py: Python<'_>, seed: Option<u64>) -> PyResult<(PyObject, PyObject)> {
        let spec = self.spec.clone();
        self.state
            .reset_seeded(&spec.task(), seed, &spec.params)
            .map_err(PyValueError::new_err)?;
        self.actions.clear();
        self.started = true;
        let obs = obs_array(py, &spec, self.state.state(), &mut self.scratch)?;
        let info = info_dict(py, &spec, &self.state, 0.0)?;
        Ok((obs, info.into_any().unbind()))
    }

    /// Takes action `action`: (observation, reward, terminated, truncated, info).
    fn step(
        &mut self,
        py: Python<'_>,
        action: i64,
    ) -> PyResult<(PyObject, f64, bool, bool, PyObject)> {
        if !self.started {
            return Err(PyRuntimeError::new_err("call reset() before step()"));
        }
        let a = check_action(&self.spec, action)?;
        let spec = self.spec.clone();
        // Steps after the episode's end change nothing: the episode is its
        // actions up to there (which bounds them by the step limit).
        if !self.state.done() {
            self.actions.push(a as u8);
        }
        let Outcome {
            reward,
            intent,
            terminated,
            truncated,
        } = self.state.step(&spec.task(), a);
        let obs = obs_array(py, &spec, self.state.state(), &mut self.scratch)?;
        let info = info_dict(py, &spec, &self.state, intent)?;
        Ok((obs, reward, terminated, truncated, info.into_any().unbind()))
    }

    /// The state drawn as text, one line per row (the true state, for people).
    fn render_ansi(&self) -> String {
        let mut rows = self.spec.level.world.render(self.state.state());
        rows.push(String::new());
        rows.join("\n")
    }

    /// The state as an RGB image, `cell` pixels a cell, in the web page's
    /// colours (the true state, for people).
    #[pyo3(signature = (cell=16))]
    fn render_rgb(&self, py: Python<'_>, cell: usize) -> PyResult<PyObject> {
        let Some(grid) = self.spec.level.world.grid() else {
            return Err(PyValueError::new_err(format!(
                "`{}` has no map to draw: use render_mode=\"ansi\"",
                self.spec.level.id
            )));
        };
        let cell = cell.clamp(1, 64);
        let (w, h) = (grid.width(), grid.height());
        let mut board = vec![0u8; w * h];
        if let LevelState::Grid(s) = self.state.state() {
            grid.board(s, &mut board);
        }
        let colours = kind_colours();
        let mut img = Array3::<u8>::zeros((h * cell, w * cell, 3));
        for (c, &k) in board.iter().enumerate() {
            let rgb = colours[usize::from(k)];
            let (r0, c0) = ((c / w) * cell, (c % w) * cell);
            for y in r0..r0 + cell {
                for x in c0..c0 + cell {
                    for (ch, &v) in rgb.iter().enumerate() {
                        img[[y, x, ch]] = v;
                    }
                }
            }
        }
        Ok(img.into_pyarray(py).into_any().unbind())
    }

    /// Where the episode is: (seed of the run, episodes since, this episode's actions).
    fn position<'py>(&self, py: Python<'py>) -> (u64, u64, Bound<'py, PyBytes>, bool) {
        let (base, episodes) = self.state.position();
        (
            base,
            episodes,
            PyBytes::new(py, &self.actions),
            self.started,
        )
    }

    /// Restores a [`Env::position`]: the same episode, at the same step.
    fn restore(&mut self, base: u64, episodes: u64, actions: &[u8], started: bool) -> PyResult<()> {
        if !started {
            return Ok(());
        }
        let spec = self.spec.clone();
        let task = spec.task();
        self.state
            .resume(&task, base, episodes, &spec.params)
            .map_err(PyValueError::new_err)?;
        let n = spec.level.world.actions().len();
        for &a in actions {
            if usize::from(a) >= n {
                return Err(PyValueError::new_err(format!(
                    "a saved action {a} is not one of this level's {n}"
                )));
            }
            self.state.step(&task, usize::from(a));
        }
        self.actions = actions.to_vec();
        self.started = true;
        Ok(())
    }

    #[getter]
    fn level_id(&self) -> String {
        self.spec.level.id.clone()
    }
    #[getter]
    fn reward(&self) -> String {
        self.spec.reward_text.clone()
    }
    #[getter]
    fn obs_kind(&self) -> &'static str {
        obs_name(self.spec.obs)
    }
    #[getter]
    fn done(&self) -> bool {
        self.state.done()
    }
    #[getter]
    fn t(&self) -> u32 {
        self.state.t()
    }
    #[getter]
    fn episode_return(&self) -> f64 {
        self.state.ret()
    }
    #[getter]
    fn performance(&self) -> f64 {
        self.state.performance()
    }

    /// What the environment is, for the Python side to build its spaces.
    fn describe<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        describe(py, &self.spec)
    }
}

fn obs_name(obs: Obs) -> &'static str {
    match obs {
        Obs::Board => "board",
        Obs::OneHot => "onehot",
        Obs::Index => "index",
    }
}

/// The colour of every kind, by number, as the web page draws it.
fn kind_colours() -> Vec<[u8; 3]> {
    (0..grid::kind_count())
        .map(|i| {
            let hex = grid::kind_at(i).map_or("#000000", |k| k.spec().colour);
            let byte = |at: usize| {
                u8::from_str_radix(hex.get(at..at + 2).unwrap_or("00"), 16).unwrap_or(0)
            };
            [byte(1), byte(3), byte(5)]
        })
        .collect()
}

fn describe<'py>(py: Python<'py>, spec: &Spec) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    let level = &spec.level;
    d.set_item("level", &level.id)?;
    d.set_item("title", &level.title)?;
    d.set_item("reward", &spec.reward_text)?;
    d.set_item("intent", &level.intent_source)?;
    d.set_item("steps", level.steps)?;
    d.set_item("obs", obs_name(spec.obs))?;
    d.set_item("obs_shape", spec.obs_shape())?;
    d.set_item("index_size", level.world.index_size())?;
    d.set_item("kind_count", grid::kind_count())?;
    let kinds: Vec<&str> = (0..grid::kind_count())
        .map(|i| grid::kind_at(i).map_or("", |k| k.name()))
        .collect();
    d.set_item("kinds", kinds)?;
    d.set_item("kind_colours", kind_colours())?;
    let actions: Vec<(String, &str)> = level
        .world
        .actions()
        .iter()
        .map(|a| (a.key.to_string(), a.name))
        .collect();
    d.set_item("actions", actions)?;
    d.set_item("signals", spec.signal_names())?;
    let observed: Vec<bool> = level
        .signals
        .iter()
        .map(|s| s.visibility == Visibility::Observed)
        .collect();
    d.set_item("observed", observed)?;
    d.set_item("params", spec.param_names().collect::<Vec<_>>())?;
    d.set_item("fixed_params", spec.params.clone())?;
    d.set_item("width", level.world.width())?;
    d.set_item("height", level.world.height())?;
    Ok(d)
}

/// Gymnasium's three ways of starting the next episode of a sub-environment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Autoreset {
    /// The step after an episode ends resets it (its action is ignored).
    NextStep,
    /// The step that ends an episode resets it, and reports the end in `final_*`.
    SameStep,
    /// Never: the caller resets with a mask.
    Disabled,
}

/// Many environments of one spec, stepped in one call into preallocated
/// numpy buffers, without the GIL. The buffers are three flat arrays (the
/// numbers, the flags, the observations); [`Layout`] says where each field
/// lies, and the Python side reads its fields as views of them.
#[pyclass(module = "loophole._loophole")]
pub struct VecEnv {
    spec: Arc<Spec>,
    envs: Vec<EnvState<LevelState>>,
    /// Which sub-environments ended on the last step (NextStep and Disabled).
    ended: Vec<bool>,
    mode: Autoreset,
    layout: Layout,
    numbers: Py<PyArray1<f64>>,
    flags: Py<PyArray1<bool>>,
    /// u8 for boards, i64 for indices: `obs` then `final_obs`.
    obs: Py<PyAny>,
}

/// Where each field lies in the flat buffers, for `n` environments with `s`
/// signals and `p` per-episode draws, `o` numbers to an observation.
#[derive(Clone, Copy, Debug)]
struct Layout {
    n: usize,
    s: usize,
    p: usize,
    o: usize,
}

/// The fields of the numbers buffer, in order, each `n` times its width.
const NUMBER_FIELDS: [&str; 9] = [
    "reward",
    "performance",
    "intent",
    "signals",
    "params",
    "final_performance",
    "final_intent",
    "final_signals",
    "final_params",
];
/// The fields of the flags buffer.
const FLAG_FIELDS: [&str; 3] = ["terminated", "truncated", "final_mask"];

impl Layout {
    fn width(&self, field: &str) -> usize {
        match field {
            "signals" | "final_signals" => self.s,
            "params" | "final_params" => self.p,
            _ => 1,
        }
    }
    fn numbers(&self) -> usize {
        NUMBER_FIELDS.iter().map(|f| self.n * self.width(f)).sum()
    }
    /// Each field's (offset, shape) in its buffer.
    fn fields(&self) -> Vec<(&'static str, usize, Vec<usize>)> {
        let mut out = Vec::new();
        let mut at = 0;
        for f in NUMBER_FIELDS {
            let w = self.width(f);
            let shape = if matches!(f, "signals" | "final_signals" | "params" | "final_params") {
                vec![self.n, w]
            } else {
                vec![self.n]
            };
            out.push((f, at, shape));
            at += self.n * w;
        }
        for (i, f) in FLAG_FIELDS.into_iter().enumerate() {
            out.push((f, i * self.n, vec![self.n]));
        }
        out
    }
}

/// The buffers a step writes, borrowed as slices while the GIL is released.
struct Out<'a> {
    obs: ObsSlices<'a>,
    final_obs: ObsSlices<'a>,
    reward: &'a mut [f64],
    performance: &'a mut [f64],
    intent: &'a mut [f64],
    signals: &'a mut [f64],
    params: &'a mut [f64],
    final_performance: &'a mut [f64],
    final_intent: &'a mut [f64],
    final_signals: &'a mut [f64],
    final_params: &'a mut [f64],
    terminated: &'a mut [bool],
    truncated: &'a mut [bool],
    final_mask: &'a mut [bool],
    /// Where an episode's draws are read into.
    drawn: Vec<f64>,
}

impl<'a> Out<'a> {
    fn split(
        layout: Layout,
        numbers: &'a mut [f64],
        flags: &'a mut [bool],
        obs: ObsSlices<'a>,
    ) -> Out<'a> {
        let Layout { n, s, p, .. } = layout;
        let mut rest = numbers;
        let mut take = |len: usize| {
            let (head, tail) = std::mem::take(&mut rest).split_at_mut(len);
            rest = tail;
            head
        };
        let (reward, performance, intent) = (take(n), take(n), take(n));
        let (signals, params) = (take(n * s), take(n * p));
        let (final_performance, final_intent) = (take(n), take(n));
        let (final_signals, final_params) = (take(n * s), take(n * p));
        let (terminated, rest) = flags.split_at_mut(n);
        let (truncated, final_mask) = rest.split_at_mut(n);
        let (obs, final_obs) = obs.halves();
        Out {
            obs,
            final_obs,
            reward,
            performance,
            intent,
            signals,
            params,
            final_performance,
            final_intent,
            final_signals,
            final_params,
            terminated,
            truncated,
            final_mask,
            drawn: Vec::with_capacity(p),
        }
    }
}

enum ObsSlices<'a> {
    U8(&'a mut [u8]),
    I64(&'a mut [i64]),
}

impl<'a> ObsSlices<'a> {
    fn env(&mut self, i: usize, len: usize) -> ObsOut<'_> {
        match self {
            ObsSlices::U8(s) => ObsOut::U8(&mut s[i * len..(i + 1) * len]),
            ObsSlices::I64(s) => ObsOut::I64(&mut s[i..i + 1]),
        }
    }
    fn halves(self) -> (ObsSlices<'a>, ObsSlices<'a>) {
        match self {
            ObsSlices::U8(s) => {
                let (a, b) = s.split_at_mut(s.len() / 2);
                (ObsSlices::U8(a), ObsSlices::U8(b))
            }
            ObsSlices::I64(s) => {
                let (a, b) = s.split_at_mut(s.len() / 2);
                (ObsSlices::I64(a), ObsSlices::I64(b))
            }
        }
    }
}

/// Writes env `i`'s observation and info after a step, or after a reset
/// (`started`: then its episode's draws too, which hold for the episode).
fn report(
    spec: &Spec,
    env: &EnvState<LevelState>,
    i: usize,
    intent: f64,
    started: bool,
    out: &mut Out<'_>,
    scratch: &mut Vec<u8>,
) {
    let len = spec.obs_len();
    spec.write_obs(env.state(), out.obs.env(i, len), scratch);
    out.performance[i] = env.performance();
    out.intent[i] = intent;
    let s = env.signals().len();
    out.signals[i * s..(i + 1) * s].copy_from_slice(env.signals());
    if started {
        write_params(spec, env, &mut out.drawn, out.params, i);
    }
}

/// Env `i`'s per-episode draws into row `i` of `params` (nothing on levels without any).
fn write_params(
    spec: &Spec,
    env: &EnvState<LevelState>,
    drawn: &mut Vec<f64>,
    params: &mut [f64],
    i: usize,
) {
    let p = spec.level.world.params().len();
    if p == 0 {
        return;
    }
    spec.level.world.drawn(env.state(), drawn);
    drawn.resize(p, 0.0);
    params[i * p..(i + 1) * p].copy_from_slice(drawn);
}

fn step_all(
    spec: &Spec,
    envs: &mut [EnvState<LevelState>],
    ended: &mut [bool],
    mode: Autoreset,
    actions: &[i64],
    mut out: Out<'_>,
) {
    let task = spec.task();
    let mut scratch = Vec::new();
    let len = spec.obs_len();
    let s = spec.level.signals.len();
    out.final_mask.fill(false);
    for (i, env) in envs.iter_mut().enumerate() {
        if mode == Autoreset::NextStep && ended[i] {
            // A reset of an environment that was seeded cannot fail: its
            // fixed draws were checked when it was made.
            let _ = env.reset_seeded(&task, None, &spec.params);
            out.reward[i] = 0.0;
            out.terminated[i] = false;
            out.truncated[i] = false;
            ended[i] = false;
            report(spec, env, i, 0.0, true, &mut out, &mut scratch);
            continue;
        }
        let o = env.step(&task, actions[i] as usize);
        out.reward[i] = o.reward;
        out.terminated[i] = o.terminated;
        out.truncated[i] = o.truncated;
        let over = o.terminated || o.truncated;
        if mode == Autoreset::SameStep && over {
            out.final_mask[i] = true;
            spec.write_obs(env.state(), out.final_obs.env(i, len), &mut scratch);
            out.final_performance[i] = env.performance();
            out.final_intent[i] = o.intent;
            out.final_signals[i * s..(i + 1) * s].copy_from_slice(env.signals());
            write_params(spec, env, &mut out.drawn, out.final_params, i);
            let _ = env.reset_seeded(&task, None, &spec.params);
            report(spec, env, i, 0.0, true, &mut out, &mut scratch);
        } else {
            ended[i] = over;
            report(spec, env, i, o.intent, false, &mut out, &mut scratch);
        }
    }
}

fn slice_err(e: numpy::NotContiguousError) -> PyErr {
    PyRuntimeError::new_err(e.to_string())
}

#[pymethods]
impl VecEnv {
    #[new]
    #[pyo3(signature = (num_envs, level=None, level_text=None, reward=None, params=None, obs=None, autoreset="next-step"))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        num_envs: usize,
        level: Option<&str>,
        level_text: Option<&str>,
        reward: Option<&str>,
        params: Option<BTreeMap<String, f64>>,
        obs: Option<&str>,
        autoreset: &str,
    ) -> PyResult<VecEnv> {
        if !(1..=1 << 20).contains(&num_envs) {
            return Err(PyValueError::new_err(format!(
                "num_envs must be from 1 to {}, found {num_envs}",
                1 << 20
            )));
        }
        let mode = match autoreset {
            "next-step" | "NextStep" => Autoreset::NextStep,
            "same-step" | "SameStep" => Autoreset::SameStep,
            "disabled" | "Disabled" => Autoreset::Disabled,
            other => {
                return Err(PyValueError::new_err(format!(
                "autoreset must be \"next-step\", \"same-step\" or \"disabled\", found {other:?}"
            )))
            }
        };
        let spec = Arc::new(Spec::new(py, level, level_text, reward, params, obs)?);
        let envs = vec![EnvState::new(&spec.task()); num_envs];
        let layout = Layout {
            n: num_envs,
            s: spec.level.signals.len(),
            p: spec.param_names().len(),
            o: spec.obs_len(),
        };
        let numbers = PyArray1::<f64>::zeros(py, layout.numbers(), false).unbind();
        let flags = PyArray1::<bool>::zeros(py, FLAG_FIELDS.len() * num_envs, false).unbind();
        let obs_len = 2 * num_envs * layout.o;
        let obs = if spec.obs == Obs::Index {
            PyArray1::<i64>::zeros(py, obs_len, false)
                .into_any()
                .unbind()
        } else {
            PyArray1::<u8>::zeros(py, obs_len, false)
                .into_any()
                .unbind()
        };
        Ok(VecEnv {
            spec,
            envs,
            ended: vec![false; num_envs],
            mode,
            layout,
            numbers,
            flags,
            obs,
        })
    }

    /// The flat buffers every step and reset writes into (the same arrays
    /// each time), and where each field lies in them: `{name: (buffer,
    /// offset, shape)}`; an observation field's shape is of one observation.
    fn buffers<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("numbers", self.numbers.bind(py))?;
        d.set_item("flags", self.flags.bind(py))?;
        d.set_item("obs", self.obs.bind(py))?;
        let fields = PyDict::new(py);
        for (name, at, shape) in self.layout.fields() {
            let buffer = if FLAG_FIELDS.contains(&name) {
                "flags"
            } else {
                "numbers"
            };
            fields.set_item(name, (buffer, at, shape))?;
        }
        let n = self.layout.n;
        let mut obs_shape = vec![n];
        obs_shape.extend(self.spec.obs_shape());
        fields.set_item("obs", ("obs", 0, obs_shape.clone()))?;
        fields.set_item("final_obs", ("obs", n * self.layout.o, obs_shape))?;
        d.set_item("fields", fields)?;
        Ok(d)
    }

    fn describe<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        describe(py, &self.spec)
    }

    #[getter]
    fn num_envs(&self) -> usize {
        self.envs.len()
    }

    /// Resets the sub-environments `mask` selects (all without one), each
    /// with its seed of `seeds` (None: the next episode of its run).
    #[pyo3(signature = (seeds, mask=None))]
    fn reset(
        &mut self,
        py: Python<'_>,
        seeds: Vec<Option<u64>>,
        mask: Option<Vec<bool>>,
    ) -> PyResult<()> {
        let n = self.envs.len();
        if seeds.len() != n || mask.as_ref().is_some_and(|m| m.len() != n) {
            return Err(PyValueError::new_err(format!(
                "give one seed (and mask entry) per environment: {n}"
            )));
        }
        let spec = self.spec.clone();
        let task = spec.task();
        let mut scratch = Vec::new();
        self.with_out(py, |envs, ended, mut out| {
            for i in 0..n {
                if mask.as_ref().is_some_and(|m| !m[i]) {
                    continue;
                }
                envs[i]
                    .reset_seeded(&task, seeds[i], &spec.params)
                    .map_err(PyValueError::new_err)?;
                ended[i] = false;
                out.reward[i] = 0.0;
                out.terminated[i] = false;
                out.truncated[i] = false;
                report(&spec, &envs[i], i, 0.0, true, &mut out, &mut scratch);
            }
            Ok(())
        })
    }

    /// Steps every sub-environment with its action, into the buffers.
    fn step(&mut self, py: Python<'_>, actions: PyReadonlyArray1<'_, i64>) -> PyResult<()> {
        let actions = actions.as_slice().map_err(slice_err)?;
        let n = self.envs.len();
        if actions.len() != n {
            return Err(PyValueError::new_err(format!(
                "give one action per environment: {n}, found {}",
                actions.len()
            )));
        }
        let k = self.spec.level.world.actions().len() as i64;
        if let Some((i, a)) = actions
            .iter()
            .enumerate()
            .find(|(_, &a)| !(0..k).contains(&a))
        {
            return Err(PyValueError::new_err(format!(
                "the action of environment {i} must be from 0 to {}, found {a}",
                k - 1
            )));
        }
        if self.mode == Autoreset::Disabled {
            if let Some(i) = self.ended.iter().position(|&e| e) {
                return Err(PyRuntimeError::new_err(format!(
                    "environment {i} has ended: reset it (reset with options={{\"reset_mask\": ...}}) before stepping it again"
                )));
            }
        }
        if self.envs.iter().any(|e| e.t() == 0 && e.done()) {
            return Err(PyRuntimeError::new_err("call reset() before step()"));
        }
        let spec = self.spec.clone();
        let mode = self.mode;
        self.with_out(py, |envs, ended, out| {
            py.allow_threads(|| step_all(&spec, envs, ended, mode, actions, out));
            Ok(())
        })
    }
}

impl VecEnv {
    /// Runs `f` with the buffers borrowed as slices.
    fn with_out<'py>(
        &mut self,
        py: Python<'py>,
        f: impl FnOnce(&mut [EnvState<LevelState>], &mut [bool], Out<'_>) -> PyResult<()>,
    ) -> PyResult<()> {
        let mut numbers = self.numbers.bind(py).readwrite();
        let mut flags = self.flags.bind(py).readwrite();
        let obs = self.obs.bind(py);
        let (numbers, flags) = (
            numbers.as_slice_mut().map_err(slice_err)?,
            flags.as_slice_mut().map_err(slice_err)?,
        );
        // The observations' guard lives here, whichever their type.
        let (mut wide, mut narrow);
        let slices = if self.spec.obs == Obs::Index {
            wide = obs.downcast::<PyArray1<i64>>()?.readwrite();
            ObsSlices::I64(wide.as_slice_mut().map_err(slice_err)?)
        } else {
            narrow = obs.downcast::<PyArray1<u8>>()?.readwrite();
            ObsSlices::U8(narrow.as_slice_mut().map_err(slice_err)?)
        };
        let out = Out::split(self.layout, numbers, flags, slices);
        f(&mut self.envs, &mut self.ended, out)
    }
}

/// A trajectory's per-step arrays, for `run` and `replay`.
pub(crate) fn trajectory<'py>(
    py: Python<'py>,
    level: &Level,
    episode: &loophole_engine::run::Episode,
) -> PyResult<Bound<'py, PyDict>> {
    let keys: Vec<char> = level.world.actions().iter().map(|a| a.key).collect();
    let steps = &episode.frames[1.min(episode.frames.len())..];
    let actions: Array1<i64> = steps
        .iter()
        .map(|f| {
            f.action
                .and_then(|k| keys.iter().position(|&c| c == k))
                .map_or(-1, |a| a as i64)
        })
        .collect();
    let rewards: Array1<f64> = steps.iter().map(|f| f.reward).collect();
    let intent: Array1<f64> = steps.iter().map(|f| f.intent).collect();
    let s = level.signals.len();
    let mut signals = Array2::<f64>::zeros((steps.len(), s));
    for (t, f) in steps.iter().enumerate() {
        for (j, &v) in f.signals.iter().take(s).enumerate() {
            signals[[t, j]] = v;
        }
    }
    let d = PyDict::new(py);
    d.set_item("actions", actions.into_pyarray(py))?;
    d.set_item("rewards", rewards.into_pyarray(py))?;
    d.set_item("intent", intent.into_pyarray(py))?;
    d.set_item("signals", signals.into_pyarray(py))?;
    let names: Vec<&str> = level.signals.iter().map(|s| s.name.as_str()).collect();
    d.set_item("signal_names", names)?;
    Ok(d)
}
