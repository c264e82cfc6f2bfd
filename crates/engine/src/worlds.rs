//! The worlds a level file can describe, behind one type.
//!
//! `LevelWorld` dispatches to a grid or a company; its state is the matching
//! variant. A state of one kind handed to a world of another cannot arise
//! (states only come from the world's own `reset` and `step`); such a call
//! does nothing rather than panic.

use crate::company::{CompanyState, CompanyWorld};
use crate::grid::{GridState, GridWorld};
use crate::rng::Rng;
use crate::world::{ActionSpec, ParamSpec, Params, PlanError, World};

// One per level: boxing the grid would add an indirection to every step.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug)]
pub enum LevelWorld {
    Grid(GridWorld),
    Company(CompanyWorld),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LevelState {
    Grid(GridState),
    Company(CompanyState),
}

impl LevelWorld {
    /// The grid, for levels that have one.
    pub fn grid(&self) -> Option<&GridWorld> {
        match self {
            LevelWorld::Grid(g) => Some(g),
            LevelWorld::Company(_) => None,
        }
    }
    /// Map width (0 for worlds without a map).
    pub fn width(&self) -> usize {
        self.grid().map_or(0, |g| g.width())
    }
    /// Map height (0 for worlds without a map).
    pub fn height(&self) -> usize {
        self.grid().map_or(0, |g| g.height())
    }
    /// `grid` or `company`.
    pub fn kind(&self) -> &'static str {
        match self {
            LevelWorld::Grid(_) => "grid",
            LevelWorld::Company(_) => "company",
        }
    }
}

/// Applies `$body` to the inner world and state of the same kind.
macro_rules! dispatch {
    ($self:expr, $s:expr, |$w:ident, $st:ident| $body:expr, $mismatch:expr) => {
        match ($self, $s) {
            (LevelWorld::Grid($w), LevelState::Grid($st)) => $body,
            (LevelWorld::Company($w), LevelState::Company($st)) => $body,
            _ => $mismatch,
        }
    };
}

fn wrap<S: Copy>(
    out: &mut Vec<(f64, LevelState)>,
    inner: &[(f64, S)],
    f: impl Fn(S) -> LevelState,
) {
    out.clear();
    out.extend(inner.iter().map(|&(p, s)| (p, f(s))));
}

impl World for LevelWorld {
    type State = LevelState;

    fn actions(&self) -> &[ActionSpec] {
        match self {
            LevelWorld::Grid(w) => w.actions(),
            LevelWorld::Company(w) => w.actions(),
        }
    }
    fn signal_names(&self) -> &[&'static str] {
        match self {
            LevelWorld::Grid(w) => w.signal_names(),
            LevelWorld::Company(w) => w.signal_names(),
        }
    }
    fn signal_bound(&self) -> f64 {
        match self {
            LevelWorld::Grid(w) => w.signal_bound(),
            LevelWorld::Company(w) => w.signal_bound(),
        }
    }
    fn params(&self) -> &[ParamSpec] {
        match self {
            LevelWorld::Grid(w) => w.params(),
            LevelWorld::Company(w) => w.params(),
        }
    }
    fn reset(&self, rng: &mut Rng, params: &Params) -> LevelState {
        match self {
            LevelWorld::Grid(w) => LevelState::Grid(w.reset(rng, params)),
            LevelWorld::Company(w) => LevelState::Company(w.reset(rng, params)),
        }
    }
    #[inline]
    fn step(&self, s: &mut LevelState, action: usize, rng: &mut Rng, signals: &mut [f64]) -> bool {
        dispatch!(self, s, |w, st| w.step(st, action, rng, signals), false)
    }
    #[inline]
    fn observe(&self, s: &LevelState) -> LevelState {
        match (self, s) {
            (LevelWorld::Grid(w), LevelState::Grid(st)) => LevelState::Grid(w.observe(st)),
            (LevelWorld::Company(w), LevelState::Company(st)) => LevelState::Company(w.observe(st)),
            _ => *s,
        }
    }
    fn plan_initial(&self, out: &mut Vec<(f64, LevelState)>) {
        match self {
            LevelWorld::Grid(w) => {
                let mut inner = Vec::new();
                w.plan_initial(&mut inner);
                wrap(out, &inner, LevelState::Grid);
            }
            LevelWorld::Company(w) => {
                let mut inner = Vec::new();
                w.plan_initial(&mut inner);
                wrap(out, &inner, LevelState::Company);
            }
        }
    }
    fn plan_branch(
        &self,
        v: &LevelState,
        out: &mut Vec<(f64, LevelState)>,
    ) -> Result<(), PlanError> {
        match (self, v) {
            (LevelWorld::Grid(w), LevelState::Grid(st)) => {
                let mut inner = Vec::new();
                w.plan_branch(st, &mut inner)?;
                wrap(out, &inner, LevelState::Grid);
            }
            (LevelWorld::Company(w), LevelState::Company(st)) => {
                let mut inner = Vec::new();
                w.plan_branch(st, &mut inner)?;
                wrap(out, &inner, LevelState::Company);
            }
            _ => out.clear(),
        }
        Ok(())
    }
    fn sample(&self, v: &LevelState, rng: &mut Rng) -> LevelState {
        match (self, v) {
            (LevelWorld::Grid(w), LevelState::Grid(st)) => LevelState::Grid(w.sample(st, rng)),
            (LevelWorld::Company(w), LevelState::Company(st)) => {
                LevelState::Company(w.sample(st, rng))
            }
            _ => *v,
        }
    }
    fn tabular_key(&self, v: &LevelState) -> u64 {
        dispatch!(self, v, |w, st| w.tabular_key(st), 0)
    }
    fn index_size(&self) -> Option<u64> {
        match self {
            LevelWorld::Grid(w) => w.index_size(),
            LevelWorld::Company(w) => w.index_size(),
        }
    }
    fn index(&self, v: &LevelState) -> u64 {
        dispatch!(self, v, |w, st| w.index(st), 0)
    }
    fn drawn(&self, s: &LevelState, out: &mut Vec<f64>) {
        out.clear();
        if let (LevelWorld::Grid(w), LevelState::Grid(st)) = (self, s) {
            w.drawn(st, out);
        }
    }
    fn render(&self, s: &LevelState) -> Vec<String> {
        dispatch!(self, s, |w, st| w.render(st), Vec::new())
    }
}
