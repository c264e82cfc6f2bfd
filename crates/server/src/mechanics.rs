//! `GET /api/mechanics`: the engine's registry of grid mechanics (what a
//! level file may declare, the kinds its legend may place, the signals each
//! emits), for the level editor's palette and for `loophole mechanics --json`.

use axum::Json;
use loophole_engine::grid::{self, Value as SettingValue};
use serde::Serialize;

#[derive(Debug, Serialize)]
pub struct MechanicBody {
    pub name: &'static str,
    pub about: &'static str,
    pub settings: Vec<SettingBody>,
    pub signals: Vec<SignalBody>,
    pub kinds: Vec<KindBody>,
    /// Kinds of which a map must hold one when the mechanic is declared.
    pub needs_kinds: Vec<&'static str>,
    /// Mechanics it needs beside it.
    pub needs: &'static [&'static str],
}

#[derive(Debug, Serialize)]
pub struct SettingBody {
    pub name: &'static str,
    /// `probability`, `steps` (1-250), `number` or `switch` (0 or 1).
    pub value: &'static str,
    pub required: bool,
    pub about: &'static str,
}

#[derive(Debug, Serialize)]
pub struct SignalBody {
    pub name: &'static str,
    pub about: &'static str,
}

#[derive(Debug, Serialize)]
pub struct KindBody {
    pub name: &'static str,
    pub aliases: &'static [&'static str],
    /// The character frames draw it with.
    pub frame: String,
    /// Whether a legend may place it (else it is a state an episode reaches).
    pub legend: bool,
    pub blocks: bool,
    pub about: &'static str,
}

fn value_name(v: SettingValue) -> &'static str {
    match v {
        SettingValue::Probability => "probability",
        SettingValue::Steps => "steps",
        SettingValue::Number => "number",
        SettingValue::Switch => "switch",
    }
}

/// The base (floor, walls, the agent, the step) and every mechanic, in the
/// registry's order.
pub fn body() -> Vec<MechanicBody> {
    grid::SPECS
        .iter()
        .map(|spec| MechanicBody {
            name: spec.name,
            about: spec.about,
            settings: spec
                .settings
                .iter()
                .map(|s| SettingBody {
                    name: s.name,
                    value: value_name(s.value),
                    required: s.required,
                    about: s.about,
                })
                .collect(),
            signals: spec
                .signals
                .iter()
                .map(|s| SignalBody {
                    name: s.name,
                    about: s.about,
                })
                .collect(),
            kinds: spec
                .kinds
                .iter()
                .map(|k| KindBody {
                    name: k.name,
                    aliases: k.aliases,
                    frame: k.frame.to_string(),
                    legend: k.legend,
                    blocks: k.blocks,
                    about: k.about,
                })
                .collect(),
            needs_kinds: spec
                .needs_kinds
                .iter()
                .map(|&k| spec.kinds[k].name)
                .collect(),
            needs: spec.needs,
        })
        .collect()
}

pub async fn handler() -> Json<Vec<MechanicBody>> {
    Json(body())
}
