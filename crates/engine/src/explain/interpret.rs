//! Interpretability: why the optimizer acts as it does, cell by cell.
//!
//! For a grid level and a reward, exact finite-horizon value iteration is
//! solved over every view reachable from the start *and* from the start with
//! the agent moved to any floor cell. Each cell then gets the value of that
//! moved start, the greedy action there, the value split into the reward's
//! linear terms (each term evaluated under the same greedy policy, so the
//! parts add up to the value), and the intent that policy earns from there.
//!
//! The MDP is the planner's own ([`crate::mdp`]), compiled from every moved
//! start and keeping each outcome's signals, so that each term of the reward
//! can be evaluated on it; the backups are the planner's too.

use crate::agents::value_iteration::greedy;
use crate::agents::MAX_ACTIONS;
use crate::env::Env;
use crate::lang::{self, Program};
use crate::level::Level;
use crate::mdp::{self, Kind};
use crate::rng::mix;
use crate::world::{Params, World};
use crate::worlds::LevelState;

/// Most views a solve may hold.
pub const MAX_STATES: usize = 200_000;
/// Most (views × horizon) a solve may sweep, which bounds its work.
pub const MAX_WORK: usize = 4_000_000;

/// The levels this demonstration accepts: grid levels small enough for
/// exact planning over every moved start.
pub const LEVELS: &[&str] = &[
    "side-effects-sokoban",
    "absent-supervisor",
    "island-navigation",
    "boat-race",
    "safe-interruptibility",
    "whisky-gold",
    "conveyor-belt",
    "coast-race",
    "distributional-shift",
];

/// The level shown first: the box pushed into the corner makes the gap
/// between what the agent expects and what its owner gets plain.
pub const DEFAULT_LEVEL: &str = "side-effects-sokoban";

/// Loads a level this demonstration accepts, or says which it accepts.
pub fn load_level(id: &str) -> Result<Level, String> {
    if !LEVELS.contains(&id) {
        return Err(format!(
            "level `{id}` is not available here (it has no map, or too many states for exact \
             planning from every cell); levels are: {}",
            LEVELS.join(", ")
        ));
    }
    crate::levels::builtin(id)
}

/// One part of the reward: a signal times its coefficient, the constant
/// paid every step, or the whole reward when it is not a sum of terms.
#[derive(Clone, Debug, PartialEq)]
pub struct Term {
    /// What the term is, e.g. `50*goal`, `-1 per step (constant)`, `whole reward`.
    pub label: String,
    /// The signal it reads (None for the constant and the whole reward).
    pub signal: Option<String>,
    pub coefficient: f64,
}

/// What the optimizer expects from one cell.
#[derive(Clone, Debug, PartialEq)]
pub struct CellValue {
    /// V of the start with the agent moved here, with the whole step limit ahead.
    pub value: f64,
    /// The greedy action there (index into the world's actions).
    pub action: usize,
    /// `value` split by term, in the order of [`Interpretation::terms`].
    pub terms: Vec<f64>,
    /// The intent the same greedy policy earns from here, in expectation.
    pub intent: f64,
}

/// The answer of [`interpret`].
#[derive(Clone, Debug, PartialEq)]
pub struct Interpretation {
    pub width: usize,
    pub height: usize,
    pub horizon: u32,
    /// True when the reward is a sum of signal terms (else one "whole reward" term).
    pub linear: bool,
    pub terms: Vec<Term>,
    /// One entry per map cell, row-major; None for walls and cells where
    /// the agent cannot stand at the start (objects, goals, water, lava).
    pub cells: Vec<Option<CellValue>>,
    /// The agent's cell at the start.
    pub start: usize,
    /// The greedy episode from the real start: the agent's cells, start included.
    pub path: Vec<usize>,
    pub actions: String,
    pub ret: f64,
    pub performance: f64,
    /// Views in the solved graph.
    pub states: usize,
    /// Whether the supervisor is there in the start shown (levels with one;
    /// the draw is that of the episode played with seed 0 unless `params` fix it).
    pub supervised: Option<bool>,
}

/// Whether the agent may be put on `cell` at the start: not where it
/// cannot stand, nor where arriving ends the episode, nor on an object.
fn standable(grid: &crate::grid::GridWorld, start: &crate::grid::GridState, cell: usize) -> bool {
    let ends = ["goal", "lava", "water"].contains(&grid.tile(cell).name());
    let free = !start.objects.contains(&(cell as u16));
    !grid.blocks(cell) && !ends && free
}

/// The terms of a reward: its linear terms (and constant), or the whole reward.
pub fn terms_of(level: &Level, reward: &Program) -> (bool, Vec<Term>) {
    match reward.linear_terms() {
        Some((c, terms)) => {
            let mut out: Vec<Term> = terms
                .iter()
                .map(|&(i, k)| {
                    let name = level.signals[i].name.clone();
                    Term {
                        label: format!("{}*{name}", lang::write_number(k, 4)),
                        signal: Some(name),
                        coefficient: k,
                    }
                })
                .collect();
            if c != 0.0 || out.is_empty() {
                out.push(Term {
                    label: format!("{} per step (constant)", lang::write_number(c, 4)),
                    signal: None,
                    coefficient: c,
                });
            }
            (true, out)
        }
        None => (
            false,
            vec![Term {
                label: "whole reward".into(),
                signal: None,
                coefficient: 1.0,
            }],
        ),
    }
}

/// Solves `reward` on a grid level and explains the values cell by cell.
/// `params` fixes per-episode draws of the start (the start is that of the
/// episode played with seed 0).
pub fn interpret(
    level: &Level,
    reward: &Program,
    params: &Params,
) -> Result<Interpretation, String> {
    let world = &level.world;
    let Some(grid) = world.grid() else {
        return Err(format!(
            "level `{}` has no map; this demonstration needs a grid level",
            level.id
        ));
    };
    let horizon = level.steps;
    let mut env = Env::new(world, reward, &level.intent, horizon);
    let (obs, _) = env.reset(0, params)?;
    let LevelState::Grid(start) = obs else {
        return Err("the level's start is not a grid".into());
    };
    let cells_n = grid.width() * grid.height();
    // Every root is a start of its own, certain when it is taken.
    let mut roots = vec![(1.0, obs)];
    let mut moved: Vec<Option<LevelState>> = vec![None; cells_n];
    for (cell, slot) in moved.iter_mut().enumerate() {
        if cell == start.agent as usize {
            *slot = Some(obs);
        } else if standable(grid, &start, cell) {
            let mut s = start;
            s.agent = cell as u16;
            *slot = Some(LevelState::Grid(s));
            roots.push((1.0, LevelState::Grid(s)));
        }
    }
    let (linear, terms) = terms_of(level, reward);
    let options = mdp::Options {
        roots: Some(&roots),
        max_states: MAX_STATES,
        beyond: "too many for this demonstration",
        signals: linear,
    };
    let g = mdp::compile_with(world, reward, &level.intent, &options, &mut |_, _| true)
        .map_err(|e| e.0)?;
    let n = g.len();
    if n.saturating_mul(horizon as usize) > MAX_WORK {
        return Err(format!(
            "level `{}` has {n} views over {horizon} steps, more than this demonstration solves at once",
            level.id
        ));
    }

    let k_terms = terms.len();
    // Each kind's value of each term.
    let term_values: Vec<f64> = if linear {
        (0..g.kinds().len() as u32)
            .flat_map(|kind| {
                let sig = g.signals_of(kind);
                terms.iter().map(move |t| match &t.signal {
                    Some(name) => {
                        let i = level.signals.iter().position(|d| &d.name == name);
                        t.coefficient * i.map_or(0.0, |i| sig[i])
                    }
                    None => t.coefficient,
                })
            })
            .collect()
    } else {
        g.kinds().iter().map(|k| k.reward).collect()
    };

    // Backward sweeps: layer k = k steps left. The value goes with its
    // tie-breaking value, as in the planner; the intent and the terms are
    // those of the greedy policy.
    let a_n = g.actions;
    let mut v = vec![(0.0, 0.0); n];
    let mut w = vec![0.0; n * k_terms];
    let mut iv = vec![0.0; n];
    let mut policy: Vec<Vec<u8>> = vec![Vec::new()];
    let reward_pay = |_: u32, k: &Kind| k.reward;
    let intent_pay = |_: u32, k: &Kind| k.intent;
    for k in 1..=horizon as usize {
        let mut nv = vec![(0.0, 0.0); n];
        let mut nw = vec![0.0; n * k_terms];
        let mut ni = vec![0.0; n];
        let mut act = vec![0u8; n];
        let mut qs = [(0.0, 0.0); MAX_ACTIONS];
        for s in 0..n {
            let tie = mix(&[0, s as u64, k as u64]);
            let a = mdp::backup::<_, _, _, false>(
                &g,
                s,
                &reward_pay,
                &|t| v[t],
                &mut qs[..a_n],
                |q, best| greedy(q, best, tie),
            );
            act[s] = a as u8;
            nv[s] = qs[a];
            ni[s] = mdp::q::<_, _, false>(&g, s, a, &intent_pay, &|t| iv[t]);
            for t in 0..k_terms {
                let pay = |kind: u32, _: &Kind| term_values[kind as usize * k_terms + t];
                nw[s * k_terms + t] =
                    mdp::q::<_, _, false>(&g, s, a, &pay, &|x| w[x * k_terms + t]);
            }
        }
        v = nv;
        w = nw;
        iv = ni;
        policy.push(act);
    }

    let cells = moved
        .iter()
        .map(|m| {
            let view = (*m)?;
            let s = g.state_of(&view)? as usize;
            Some(CellValue {
                value: v[s].0,
                action: policy[horizon as usize][s] as usize,
                terms: w[s * k_terms..(s + 1) * k_terms].to_vec(),
                intent: iv[s],
            })
        })
        .collect();

    // The greedy episode from the real start, with seed 0's chance.
    let mut path = vec![start.agent as usize];
    let mut actions = String::new();
    let mut view = obs;
    while !env.done() {
        let Some(s) = g.state_of(&view) else {
            break;
        };
        let k = (horizon - env.t()) as usize;
        let a = policy[k][s as usize] as usize;
        let step = env.step(a);
        view = step.obs;
        actions.push(world.actions()[a].key);
        if let LevelState::Grid(gs) = view {
            path.push(gs.agent as usize);
        }
    }
    Ok(Interpretation {
        width: grid.width(),
        height: grid.height(),
        horizon,
        linear,
        terms,
        cells,
        start: start.agent as usize,
        path,
        actions,
        ret: env.ret(),
        performance: env.performance(),
        states: n,
        supervised: grid.has("supervisor").then(|| start.supervised()),
    })
}
