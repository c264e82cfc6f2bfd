//! The JSON shapes of docs/API.md, and their conversion from engine types.

use std::collections::BTreeMap;

use loophole_engine::agents::{self, AgentKind};
use loophole_engine::grid;
use loophole_engine::lang::{SignalDecl, Visibility};
use loophole_engine::run::{Episode, Frame};
use loophole_engine::score;
use loophole_engine::world::World;
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};

use crate::state::LevelSlot;

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

#[derive(Debug, Serialize)]
pub struct CheckResponse {
    pub ok: bool,
    pub signals: Vec<String>,
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
pub struct DesignBody {
    pub id: String,
    pub level: String,
    pub reward: String,
    pub agent: String,
    pub power: u32,
    pub seed: u64,
    pub created: String,
}

impl From<loophole_store::Design> for DesignBody {
    fn from(d: loophole_store::Design) -> Self {
        DesignBody {
            id: d.id,
            level: d.level,
            reward: d.reward,
            agent: d.agent,
            power: d.power,
            seed: d.seed,
            created: d.created,
        }
    }
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
    pub best_performance: f64,
    pub solve_share: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agents: Option<Vec<AgentBody>>,
}

impl<'a> LevelBody<'a> {
    pub fn new(slot: &'a LevelSlot, best_performance: f64, with_agents: bool) -> LevelBody<'a> {
        let level = &slot.level;
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
            legend: legend(slot),
            preview: level.preview(),
            frame_legend: frame_legend(),
            best_performance,
            solve_share: level.solve_share,
            agents: with_agents.then(|| {
                AgentKind::ALL
                    .iter()
                    .map(|&a| agent_body(slot, a))
                    .collect()
            }),
        }
    }
}

fn agent_body(slot: &LevelSlot, agent: AgentKind) -> AgentBody {
    let why = match agent {
        AgentKind::ValueIteration => slot.vi_refusal.clone(),
        _ => None,
    };
    AgentBody {
        name: agent.name(),
        power_meaning: agent.power_meaning(),
        default_power: agent.default_power(slot.level.steps),
        min_power: 1,
        max_power: score::max_power(agent, &slot.level),
        available: why.is_none(),
        why,
        default: agent == slot.default_agent,
    }
}

/// What each character of a level's own map stands for, from its legend.
fn legend(slot: &LevelSlot) -> BTreeMap<String, &str> {
    slot.level
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
            ret: p.ret,
            performance: p.performance,
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
                ret,
                performance,
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
    pub signals: &'a [f64],
    pub reward: f64,
    pub intent: f64,
}

impl<'a> From<&'a Frame> for FrameBody<'a> {
    fn from(f: &'a Frame) -> Self {
        FrameBody {
            action: f.action.map(String::from),
            rows: &f.rows,
            signals: &f.signals,
            reward: f.reward,
            intent: f.intent,
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
        for (decl, value) in self.names.iter().zip(self.values) {
            map.serialize_entry(&decl.name, value)?;
        }
        map.end()
    }
}

/// The `result` event of a run.
#[derive(Debug, Serialize)]
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
    pub best_performance: f64,
    pub share: f64,
    pub solved: bool,
    pub stars: u8,
    pub elapsed_ms: u64,
}

/// Rounds a number for the wire: six decimals are more than any chart
/// needs, they keep float noise out of the answer, and there is no
/// negative zero.
pub(crate) fn round(x: f64) -> f64 {
    let r = (x * 1e6).round() / 1e6;
    if r == 0.0 {
        0.0
    } else {
        r
    }
}
