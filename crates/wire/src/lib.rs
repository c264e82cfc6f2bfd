//! The JSON shapes of docs/API.md, and their conversion from engine types:
//! the one vocabulary of the server's bodies, of the CLI's `--json` and of
//! the Python package's records (which all write these same types), with one
//! rounding ([`round`]). It knows no HTTP and no SQL.
//!
//! The engine has no serde: where a body would only repeat an engine type
//! field for field, [`Wire`] writes the engine value itself.

use std::collections::BTreeMap;

use loophole_engine::agents::q_learning::QStats;
use loophole_engine::agents::value_iteration::ViStats;
use loophole_engine::agents::{self, AgentKind, TrainStats};
use loophole_engine::experiment::SweepPoint;
use loophole_engine::feedback::rlhf::{BonPoint, KlPoint};
use loophole_engine::feedback::trajectories::GridReport;
use loophole_engine::grid;
use loophole_engine::lang::{Program, SignalDecl, Visibility};
use loophole_engine::level::Level;
use loophole_engine::run::{Episode, Frame, RunResult};
use loophole_engine::score::{Case, Verdict};
use loophole_engine::world::World;
use serde::ser::{SerializeMap, SerializeStruct, Serializer};
use serde::{Deserialize, Serialize};

// ----- requests -----

/// The body of `POST /api/check`; an unknown field is refused, not ignored.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckRequest {
    pub level: String,
    pub reward: String,
}

/// The body of `POST /api/runs` and `POST /api/designs`; an unknown field
/// (a misspelt `"powr"`) is refused rather than silently defaulted.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunRequest {
    pub level: String,
    pub reward: String,
    pub agent: Option<String>,
    /// Wider than any valid power, so that a huge one gets a clear message.
    pub power: Option<u64>,
    pub seed: Option<u64>,
}

// ----- responses -----

/// `{"error": {"message": …, "span": [start, end]}}`
#[derive(Debug, Serialize)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Serialize)]
pub struct ErrorDetail {
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub span: Option<[usize; 2]>,
}

impl ErrorBody {
    /// An error without a span, e.g. for an SSE `error` event.
    pub fn message(message: impl Into<String>) -> ErrorBody {
        ErrorBody {
            error: ErrorDetail {
                message: message.into(),
                span: None,
            },
        }
    }
}

/// The answer to a check: `ok` with the signals the reward reads, or not
/// `ok` with `error` (the same detail a refused run carries).
#[derive(Debug, Serialize)]
pub struct CheckResponse {
    pub ok: bool,
    pub signals: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<ErrorDetail>,
}

impl CheckResponse {
    /// A reward that did not compile, and why.
    pub fn refused(error: ErrorDetail) -> CheckResponse {
        CheckResponse {
            ok: false,
            signals: Vec::new(),
            error: Some(error),
        }
    }

    /// A reward that compiled, with the signals it reads.
    pub fn new(level: &Level, reward: &Program) -> CheckResponse {
        let signals = reward
            .signals_used()
            .iter()
            .filter_map(|&i| level.signals.get(i))
            .map(|s| s.name.clone())
            .collect();
        CheckResponse {
            ok: true,
            signals,
            error: None,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct RunCreated {
    pub id: String,
    pub events: String,
}

#[derive(Debug, Serialize)]
pub struct DesignCreated {
    pub id: String,
    pub url: String,
}

#[derive(Debug, Serialize)]
pub struct SignalBody<'a> {
    pub name: &'a str,
    pub visibility: &'static str,
    pub description: &'a str,
}

#[derive(Debug, Serialize)]
pub struct AgentBody {
    pub name: &'static str,
    pub power_meaning: &'static str,
    pub default_power: u32,
    pub min_power: u32,
    pub max_power: u32,
    pub available: bool,
    pub why: Option<String>,
    /// The agent the level is played with unless another is chosen.
    pub default: bool,
}

#[derive(Debug, Serialize)]
pub struct ActionBody {
    pub key: String,
    pub name: &'static str,
}

#[derive(Debug, Serialize)]
pub struct LevelBody<'a> {
    pub id: &'a str,
    pub title: &'a str,
    pub story: &'a str,
    pub steps: u32,
    pub width: usize,
    pub height: usize,
    pub map: &'a [String],
    /// `grid` or `company`.
    pub world: &'static str,
    pub actions: Vec<ActionBody>,
    pub default_reward: &'a str,
    pub intent: &'a str,
    pub signals: Vec<SignalBody<'a>>,
    /// What each character of `map` stands for (the level file's legend).
    pub legend: BTreeMap<String, &'a str>,
    /// The start in frame characters, every per-episode draw come out 1.
    pub preview: Vec<String>,
    /// What each frame character stands for.
    pub frame_legend: BTreeMap<String, &'static str>,
    /// Left out by `loophole levels`, which trains nothing.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub best_performance: Option<f64>,
    /// `exact` (the optimum) or `found` (the best found so far); with
    /// `best_performance` only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub best: Option<&'static str>,
    pub solve_share: f64,
    /// What to try after the first run, where it alone shows no exploit.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next: Option<NextBody<'a>>,
    /// The level whose map the agents train on before playing this one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub train_level: Option<TrainLevelBody>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agents: Option<Vec<AgentBody>>,
}

#[derive(Debug, Serialize)]
pub struct NextBody<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reward: Option<&'a str>,
    pub text: &'a str,
}

#[derive(Debug, Serialize)]
pub struct TrainLevelBody {
    pub id: String,
    pub title: String,
}

/// The names of a best's kind on the wire.
fn best_kind(exact: bool) -> &'static str {
    if exact {
        "exact"
    } else {
        "found"
    }
}

impl<'a> LevelBody<'a> {
    /// `best`: the best intent score and whether it is exact, where known;
    /// `agents`: the level's agents, where wanted.
    pub fn new(
        level: &'a Level,
        best: Option<(f64, bool)>,
        agents: Option<LevelAgents<'_>>,
    ) -> LevelBody<'a> {
        LevelBody {
            id: &level.id,
            title: &level.title,
            story: &level.story,
            steps: level.steps,
            width: level.world.width(),
            height: level.world.height(),
            map: &level.map,
            world: level.world.kind(),
            actions: level
                .world
                .actions()
                .iter()
                .map(|a| ActionBody {
                    key: a.key.to_string(),
                    name: a.name,
                })
                .collect(),
            default_reward: &level.default_reward,
            intent: &level.intent_source,
            signals: level
                .signals
                .iter()
                .map(|s| SignalBody {
                    name: &s.name,
                    visibility: match s.visibility {
                        Visibility::Observed => "observed",
                        Visibility::Hidden => "hidden",
                    },
                    description: &s.description,
                })
                .collect(),
            legend: legend(level),
            preview: level.preview(),
            frame_legend: frame_legend(),
            best_performance: best.map(|b| round(b.0)),
            best: best.map(|b| best_kind(b.1)),
            solve_share: level.solve_share,
            next: level.next.as_ref().map(|n| NextBody {
                reward: n.reward.as_deref(),
                text: &n.why,
            }),
            train_level: level.train.as_ref().map(|id| TrainLevelBody {
                id: id.clone(),
                title: loophole_engine::levels::builtin(id)
                    .map_or_else(|_| id.clone(), |l| l.title),
            }),
            agents: agents.map(|agents| {
                AgentKind::ALL
                    .iter()
                    .map(|&a| agent_body(level, &agents, a))
                    .collect()
            }),
        }
    }
}

/// What a level's agents are, as the engine's rules of a run say
/// (`score::default_agent`, `score::plan_refusal`), worked out once by the caller.
pub struct LevelAgents<'a> {
    /// The agent the level is played with unless another is chosen.
    pub default: AgentKind,
    /// Why value iteration cannot plan on this level, if it cannot.
    pub vi_refusal: Option<&'a str>,
}

fn agent_body(level: &Level, agents: &LevelAgents<'_>, agent: AgentKind) -> AgentBody {
    let why = match agent {
        AgentKind::ValueIteration => agents.vi_refusal.map(str::to_string),
        _ => None,
    };
    AgentBody {
        name: agent.name(),
        power_meaning: agent.power_meaning(),
        default_power: agent.default_power(level.steps),
        min_power: 1,
        max_power: agent.max_power(level.steps),
        available: why.is_none(),
        why,
        default: agent == agents.default,
    }
}

/// What each character of a level's own map stands for, from its legend.
fn legend(level: &Level) -> BTreeMap<String, &str> {
    level
        .legend
        .iter()
        .map(|(ch, kind)| (ch.to_string(), kind.as_str()))
        .collect()
}

/// What each character of the engine's frames stands for (the same on every level).
pub fn frame_legend() -> BTreeMap<String, &'static str> {
    grid::frame_legend()
        .into_iter()
        .map(|(ch, kind)| (ch.to_string(), kind))
        .collect()
}

#[derive(Clone, Copy, Debug, Serialize)]
pub struct CurvePoint {
    pub x: u64,
    #[serde(rename = "return")]
    pub ret: f64,
    pub performance: f64,
}

impl From<&agents::CurvePoint> for CurvePoint {
    fn from(p: &agents::CurvePoint) -> Self {
        CurvePoint {
            x: p.x,
            ret: round(p.ret),
            performance: round(p.performance),
        }
    }
}

/// The learning curve of an agent without one: the played episode's
/// cumulative return and performance, step by step.
pub fn episode_curve(episode: &Episode) -> Vec<CurvePoint> {
    let (mut ret, mut performance) = (0.0, 0.0);
    episode
        .frames
        .iter()
        .skip(1)
        .enumerate()
        .map(|(i, f)| {
            ret += f.reward;
            performance += f.intent;
            CurvePoint {
                x: i as u64 + 1,
                ret: round(ret),
                performance: round(performance),
            }
        })
        .collect()
}

#[derive(Debug, Serialize)]
pub struct ProgressEvent {
    pub done: u64,
    pub total: u64,
    pub point: Option<CurvePoint>,
}

impl From<&agents::Progress> for ProgressEvent {
    fn from(p: &agents::Progress) -> Self {
        ProgressEvent {
            done: p.done,
            total: p.total,
            point: p.point.as_ref().map(CurvePoint::from),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct FrameBody<'a> {
    pub action: Option<String>,
    pub rows: &'a [String],
    pub signals: Vec<f64>,
    pub reward: f64,
    pub intent: f64,
}

impl<'a> From<&'a Frame> for FrameBody<'a> {
    fn from(f: &'a Frame) -> Self {
        FrameBody {
            action: f.action.map(String::from),
            rows: &f.rows,
            signals: f.signals.iter().map(|&x| round(x)).collect(),
            reward: round(f.reward),
            intent: round(f.intent),
        }
    }
}

/// Signal totals as a JSON object in the level's signal order.
#[derive(Debug)]
pub struct Totals<'a> {
    pub names: &'a [SignalDecl],
    pub values: &'a [f64],
}

impl Serialize for Totals<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.values.len()))?;
        for (decl, &value) in self.names.iter().zip(self.values) {
            map.serialize_entry(&decl.name, &round(value))?;
        }
        map.end()
    }
}

/// The `result` event of a run, and `loophole run --json`.
#[derive(Serialize)]
pub struct RunResultBody<'a> {
    pub level: &'a str,
    pub reward: &'a str,
    pub agent: &'static str,
    pub power: u32,
    pub seed: u64,
    #[serde(rename = "return")]
    pub ret: f64,
    pub performance: f64,
    pub steps: u32,
    pub terminated: bool,
    pub truncated: bool,
    pub actions: &'a str,
    pub signal_names: Vec<&'a str>,
    pub frames: Vec<FrameBody<'a>>,
    /// What each character of the frames' rows stands for.
    pub frame_legend: BTreeMap<String, &'static str>,
    pub totals: Totals<'a>,
    pub account: Vec<String>,
    pub curve: Vec<CurvePoint>,
    /// What training built (states and sweeps, episodes, simulations).
    pub training: Wire<'a, TrainStats>,
    /// `mean_performance`, `best_performance`, `share`, `solved`, `stars`,
    /// `eval_seeds`, as in `verdict` (kept at the top for older clients).
    #[serde(flatten)]
    pub scores: Wire<'a, Verdict>,
    /// How the design is judged: its strongest optimizer against the best.
    pub verdict: VerdictBody<'a>,
    /// One sentence about where the agent went in the played episode.
    pub summary: String,
    /// Left out by `loophole run`, whose output is the same bytes every time.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub elapsed_ms: Option<u64>,
}

impl<'a> RunResultBody<'a> {
    /// A run of `reward` (as written) on `level`, and its verdict.
    pub fn new(
        level: &'a Level,
        reward: &'a str,
        result: &'a RunResult,
        verdict: &'a Verdict,
        elapsed_ms: Option<u64>,
    ) -> RunResultBody<'a> {
        let episode = &result.episode;
        let curve = match &result.stats {
            TrainStats::QLearning(q) => q.curve.iter().map(CurvePoint::from).collect(),
            _ => episode_curve(episode),
        };
        RunResultBody {
            level: &level.id,
            reward,
            agent: result.agent.name(),
            power: result.power,
            seed: result.seed,
            ret: round(episode.ret),
            performance: round(episode.performance),
            steps: episode.steps,
            terminated: episode.terminated,
            truncated: episode.truncated,
            actions: &episode.actions,
            signal_names: level.signals.iter().map(|s| s.name.as_str()).collect(),
            frames: episode.frames.iter().map(FrameBody::from).collect(),
            frame_legend: frame_legend(),
            totals: Totals {
                names: &level.signals,
                values: &episode.totals,
            },
            account: loophole_engine::account::account(level, episode),
            curve,
            training: Wire(&result.stats),
            scores: Wire(verdict),
            verdict: VerdictBody(verdict),
            summary: loophole_engine::account::summary(level, episode),
            elapsed_ms,
        }
    }
}

/// Either one episode's flag, or the share of episodes it held in.
#[derive(Debug, Serialize)]
#[serde(untagged)]
pub enum Flag {
    One(bool),
    Share(f64),
}

/// `loophole replay --json`: an action string played on a level, over one or more episodes.
#[derive(Debug, Serialize)]
pub struct ReplayBody<'a> {
    pub level: &'a str,
    /// Means over the episodes.
    #[serde(rename = "return")]
    pub ret: f64,
    pub performance: f64,
    pub steps: f64,
    pub terminated: Flag,
    pub truncated: Flag,
    pub episodes: usize,
}

impl<'a> ReplayBody<'a> {
    pub fn new(level: &'a Level, episodes: &[Episode]) -> ReplayBody<'a> {
        let n = episodes.len().max(1) as f64;
        let mean = |f: &dyn Fn(&Episode) -> f64| round(episodes.iter().map(f).sum::<f64>() / n);
        let flag = |f: &dyn Fn(&Episode) -> bool| match episodes {
            [one] => Flag::One(f(one)),
            _ => Flag::Share(mean(&|e| f64::from(u8::from(f(e))))),
        };
        ReplayBody {
            level: &level.id,
            ret: mean(&|e| e.ret),
            performance: mean(&|e| e.performance),
            steps: mean(&|e| f64::from(e.steps)),
            terminated: flag(&|e| e.terminated),
            truncated: flag(&|e| e.truncated),
            episodes: episodes.len(),
        }
    }
}

/// `POST /api/sweep` and `loophole sweep --json`: a Goodhart curve.
#[derive(Serialize)]
pub struct SweepBody<'a> {
    pub level: &'a str,
    pub agent: &'static str,
    pub power_meaning: &'static str,
    pub reward: &'a str,
    pub seeds: u64,
    pub points: Vec<Wire<'a, SweepPoint>>,
    /// Left out by `loophole sweep`, whose output is the same bytes every time.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub elapsed_ms: Option<u64>,
}

impl<'a> SweepBody<'a> {
    pub fn new(
        level: &'a Level,
        agent: AgentKind,
        reward: &'a str,
        seeds: u64,
        points: &'a [SweepPoint],
        elapsed_ms: Option<u64>,
    ) -> SweepBody<'a> {
        SweepBody::of_level_id(&level.id, agent, reward, seeds, points, elapsed_ms)
    }

    /// As [`SweepBody::new`], for a level known by its id alone (a merge of shards).
    pub fn of_level_id(
        level: &'a str,
        agent: AgentKind,
        reward: &'a str,
        seeds: u64,
        points: &'a [SweepPoint],
        elapsed_ms: Option<u64>,
    ) -> SweepBody<'a> {
        SweepBody {
            level,
            agent: agent.name(),
            power_meaning: agent.power_meaning(),
            reward,
            seeds,
            points: points.iter().map(Wire).collect(),
            elapsed_ms,
        }
    }
}

/// `loophole sweep --shard I/N --json`: one shard of a sweep's jobs, with
/// every input needed to check it belongs with the others; `loophole merge`
/// makes the sweep of them. Results are not rounded, so that the merge is
/// the same bytes as the sweep run whole.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShardBody {
    /// `[i, n]`: the shard's number (0-based) and how many there are.
    pub shard: [u64; 2],
    pub level: String,
    pub agent: String,
    pub reward: String,
    pub powers: Vec<u32>,
    pub seeds: u64,
    pub params: BTreeMap<String, f64>,
    /// `[job, return, performance]` for each of the shard's jobs (numbered as
    /// `experiment::jobs` lists them), in order.
    pub results: Vec<(usize, f64, f64)>,
}

/// An engine value as the wire writes it, its numbers rounded by [`round`].
pub struct Wire<'a, T>(pub &'a T);

/// The wire form of an engine struct: `Wire<'_, T>` written as one JSON
/// object, its fields in the order listed, each from an expression of the
/// value: `wire_form!(SweepPoint, |p| { "power": p.power, ... })`. Another
/// crate, for a type of its own or of a third crate, names a wrapper for it
/// to define: `wire_form!(DesignBody = Design, |d| { ... })`.
#[macro_export]
macro_rules! wire_form {
    ($ty:ident, |$v:ident| { $($field:literal: $value:expr),+ $(,)? }) => {
        impl serde::Serialize for $crate::Wire<'_, $ty> {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                $crate::wire_form!(@fields self, serializer, $ty, |$v| { $($field: $value),+ })
            }
        }
    };
    ($wrapper:ident = $ty:ty, |$v:ident| { $($field:literal: $value:expr),+ $(,)? }) => {
        #[doc = concat!("The wire form of a [`", stringify!($ty), "`].")]
        pub struct $wrapper<'a>(pub &'a $ty);

        impl serde::Serialize for $wrapper<'_> {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                $crate::wire_form!(@fields self, serializer, $wrapper, |$v| { $($field: $value),+ })
            }
        }
    };
    (@fields $self:ident, $serializer:ident, $ty:ident, |$v:ident| { $($field:literal: $value:expr),+ }) => {{
        use serde::ser::SerializeStruct;
        let $v = $self.0;
        let mut s = $serializer.serialize_struct(stringify!($ty), [$($field),+].len())?;
        $(s.serialize_field($field, &$value)?;)+
        s.end()
    }};
}

wire_form!(SweepPoint, |p| {
    "power": p.power,
    "return_mean": round(p.return_mean),
    "return_sd": round(p.return_sd),
    "performance_mean": round(p.performance_mean),
    "performance_sd": round(p.performance_sd),
    "returns": p.returns.iter().map(|&x| round(x)).collect::<Vec<_>>(),
    "performances": p.performances.iter().map(|&x| round(x)).collect::<Vec<_>>(),
});

wire_form!(Verdict, |v| {
    "mean_performance": round(v.mean_performance),
    "best_performance": round(v.best_performance),
    "share": round(v.share),
    "solved": v.solved,
    "stars": v.stars,
    "eval_seeds": v.eval_seeds,
});

/// A whole [`Verdict`], its cases too.
pub struct VerdictBody<'a>(pub &'a Verdict);

impl Serialize for VerdictBody<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let v = self.0;
        let mut s = serializer.serialize_struct("Verdict", 11)?;
        s.serialize_field("mean_performance", &round(v.mean_performance))?;
        s.serialize_field("mean_return", &round(v.mean_return))?;
        s.serialize_field("best_performance", &round(v.best_performance))?;
        s.serialize_field("best", best_kind(v.best_exact))?;
        s.serialize_field("share", &round(v.share))?;
        s.serialize_field("solved", &v.solved)?;
        s.serialize_field("stars", &v.stars)?;
        s.serialize_field("eval_seeds", &v.eval_seeds)?;
        s.serialize_field("outcome", v.outcome.name())?;
        let cases: Vec<Wire<'_, Case>> = v.cases.iter().map(Wire).collect();
        s.serialize_field("cases", &cases)?;
        s.end()
    }
}

wire_form!(Case, |c| {
    "params": c.params,
    "probability": round(c.probability),
    "return": round(c.episode.ret),
    "performance": round(c.episode.performance),
    "account": c.account,
    "summary": c.summary,
});

wire_form!(ViStats, |v| {
    "states": v.states,
    "transitions": v.transitions,
    "sweeps": v.sweeps,
    "converged_at": v.converged_at,
});

// The learning curve is the run body's `curve`, not written twice.
wire_form!(QStats, |q| {
    "episodes": q.episodes,
    "steps": q.steps,
    "table_size": q.table_size,
});

/// What training built.
impl Serialize for Wire<'_, TrainStats> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            TrainStats::ValueIteration(v) => Wire(v).serialize(serializer),
            TrainStats::QLearning(q) => Wire(q).serialize(serializer),
            TrainStats::Mcts {
                simulations,
                steps_simulated,
            } => {
                let mut s = serializer.serialize_struct("MctsStats", 2)?;
                s.serialize_field("simulations", simulations)?;
                s.serialize_field("steps_simulated", steps_simulated)?;
                s.end()
            }
        }
    }
}

// The feedback simulations (RLHF, best-of-n).
wire_form!(BonPoint, |p| {
    "n": p.n,
    "kl": round(p.kl),
    "kl_empirical": round(p.kl_empirical),
    "d": round(p.d),
    "proxy": round(p.proxy),
    "gold": round(p.gold),
});

wire_form!(KlPoint, |p| {
    "beta": round(p.beta),
    "kl": round(p.kl),
    "d": round(p.d),
    "proxy": round(p.proxy),
    "gold": round(p.gold),
    // A count of responses, if not a whole one.
    "ess": p.ess.round(),
});

// The gridworld part of an RLHF experiment.
wire_form!(GridReport, |g| {
    "level": g.level,
    "trajectories": g.trajectories,
    "comparisons": g.comparisons,
    "bucket_win_rate": round(g.bucket_win_rate),
    "signals": g.signals,
    "weights": g.weights.iter().map(|&w| round(w)).collect::<Vec<_>>(),
    "reward": g.reward,
    "agent": g.agent.name(),
    "power": g.power,
    "return": round(g.ret),
    "performance": round(g.performance),
    "on_bucket": round(g.on_bucket),
    "steps": g.steps,
    "sits_on_bucket": g.sits_on_bucket,
    "intent_performance": round(g.intent_performance),
    "pool_best_performance": round(g.pool_best_performance),
    "pool_mean_performance": round(g.pool_mean_performance),
});

/// Rounds a number for the wire (the server's bodies and the CLI's
/// `--json` and text): six decimals are more than any chart needs, they
/// keep float noise out of the answer, and there is no negative zero.
pub fn round(x: f64) -> f64 {
    let r = (x * 1e6).round() / 1e6;
    if r == 0.0 {
        0.0
    } else {
        r
    }
}
