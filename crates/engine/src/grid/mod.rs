//! Gridworlds: a map of tiles, objects that move on it, and the mechanics
//! that give them rules.
//!
//! Every mechanic is one file of this folder: its [`Spec`] (name, settings,
//! signals, the kinds it owns and how frames draw them) beside its rules.
//! The list in [`mechanics!`](self) below is the registry: the level format's
//! `mechanics:` and legend, the signal buffer, the level checks and the frame
//! legend are all read off it, so adding a mechanic is its file plus one line
//! there.
//!
//! One step follows the update order of the original (DeepMind's AI Safety
//! Gridworlds, v1.5), in phases that each mechanic may join:
//! 1. *steer*: a drunk agent's move is replaced (whisky);
//! 2. timers of taken targets and tipped bins count down; *begin*: what acts
//!    on where the agent stood as the step began (the button, the
//!    interruption, the rocks' pay and switches);
//! 3. objects are pushed, walls and bins are bumped, the agent moves;
//! 4. *arrive*: the tile the agent now stands on acts (goal, punishment,
//!    button, target, whisky, lava, water);
//! 5. *after*: the rest, in the registry's order (arrows, tomatoes watered
//!    and then drying, dirt, the water's distance, the belt);
//! 6. *end*: what depends on where everything ended (how many walls the
//!    boxes touch).

mod build;
pub mod spec;

use std::fmt::Debug;

pub use build::BuildError;
use build::Builder;
pub use spec::{KindSpec, Setting, SignalSpec, Spec, Value};

use crate::rng::{mix, Rng};
use crate::world::{ActionSpec, ParamSpec, Params, PlanError, World};

/// Most objects (boxes, the vase, rocks and diamonds together) a grid may hold.
pub const MAX_OBJECTS: usize = 4;
/// Most tomatoes a grid may hold (they live in a 32-bit mask).
pub const MAX_TOMATOES: usize = 32;
/// Largest grid side.
pub const MAX_SIDE: usize = 64;
/// Most timed cells (targets and bins together) a grid may hold.
pub const MAX_TIMED: usize = 4;
/// Most cells that may hold dirt (they live in a 32-bit mask).
pub const MAX_DIRT: usize = 32;

const NO_CELL: u16 = u16::MAX;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dir {
    Up,
    Down,
    Left,
    Right,
}

/// The four moves, in the order of the actions `u d l r`.
pub const DIRS: [Dir; 4] = [Dir::Up, Dir::Down, Dir::Left, Dir::Right];

impl Dir {
    fn delta(self) -> (i32, i32) {
        match self {
            Dir::Up => (-1, 0),
            Dir::Down => (1, 0),
            Dir::Left => (0, -1),
            Dir::Right => (0, 1),
        }
    }
}

/// A kind: anything a cell of a map or of a frame shows, a tile, an object
/// or one of their states. Kinds are numbered by the mechanic that owns them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Kind(u8);

/// Kinds a mechanic may own.
const KINDS_PER_MECHANIC: usize = 8;

impl Kind {
    pub const FLOOR: Kind = Kind(0);
    pub const WALL: Kind = Kind(1);
    pub const AGENT: Kind = Kind(2);

    /// Kind number `local` of the mechanic `M`'s [`Spec::kinds`].
    const fn of<M: Registered>(local: usize) -> Kind {
        Kind(M::ID * KINDS_PER_MECHANIC as u8 + local as u8)
    }
    fn owner(self) -> usize {
        self.0 as usize / KINDS_PER_MECHANIC
    }
    fn local(self) -> usize {
        self.0 as usize % KINDS_PER_MECHANIC
    }
    pub fn spec(self) -> &'static KindSpec {
        &SPECS[self.owner()].kinds[self.local()]
    }
    /// The kind's name (`dry tomato`).
    pub fn name(self) -> &'static str {
        self.spec().name
    }
    /// The character frames draw it with.
    pub fn frame(self) -> char {
        self.spec().frame
    }
    /// The mechanic that owns it (`base` for the floor, walls and the agent).
    pub fn mechanic(self) -> &'static str {
        SPECS[self.owner()].name
    }
    /// The kind a legend may name by these words (its name or an alias).
    pub fn placeable(words: &str) -> Option<Kind> {
        all_kinds().find(|k| {
            let s = k.spec();
            s.legend && (s.name == words || s.aliases.contains(&words))
        })
    }
    /// The kind of this name.
    pub fn named(name: &str) -> Option<Kind> {
        all_kinds().find(|k| k.name() == name)
    }
}

/// Every kind of every mechanic, the base's first.
pub fn all_kinds() -> impl Iterator<Item = Kind> {
    SPECS.iter().enumerate().flat_map(|(m, spec)| {
        (0..spec.kinds.len()).map(move |k| Kind((m * KINDS_PER_MECHANIC + k) as u8))
    })
}

/// How many kinds there are: the channels of a one-hot board.
pub fn kind_count() -> usize {
    all_kinds().count()
}

/// A kind's number among [`all_kinds`], from 0 (what a board observation holds).
pub fn kind_index(kind: Kind) -> usize {
    all_kinds().position(|k| k == kind).unwrap_or(0)
}

/// The kind of number `index` among [`all_kinds`].
pub fn kind_at(index: usize) -> Option<Kind> {
    all_kinds().nth(index)
}

/// Every character a frame ([`GridWorld::render`]) draws, and the name of
/// the kind it stands for. Each character has one meaning on every level,
/// so whoever draws frames needs this table alone.
pub fn frame_legend() -> Vec<(char, &'static str)> {
    all_kinds().map(|k| (k.frame(), k.name())).collect()
}

/// The kinds a legend may name, as a list for messages (`agent (or start)`).
pub fn legend_kinds() -> String {
    all_kinds()
        .filter(|k| k.spec().legend)
        .map(|k| match k.spec().aliases.first() {
            Some(alias) => format!("{} (or {alias})", k.name()),
            None => k.name().to_string(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// What is always there: floor, walls, the agent, and the cost of a step.
const BASE: Spec = Spec {
    name: "base",
    about: "Floor, walls, the agent and the step.",
    settings: &[],
    signals: &[SignalSpec {
        name: "step",
        about: "1 on every step",
    }],
    kinds: &[
        KindSpec::placed("floor", ' ', "#ebe6d8", "Open floor."),
        KindSpec {
            blocks: true,
            ..KindSpec::placed(
                "wall",
                '#',
                "#2b3140",
                "A wall: bumping it costs the step and leaves the agent in place.",
            )
        },
        KindSpec {
            aliases: &["start"],
            ..KindSpec::placed(
                "agent",
                'A',
                "#2563eb",
                "The agent (`start` in a legend: where it begins).",
            )
        },
    ],
    needs_kinds: &[],
    needs: &[],
};

/// The slot of the `step` signal: the base's, first in every buffer.
const STEP: usize = 0;

/// A mechanic's number in the registry, given by [`mechanics!`].
trait Registered {
    const ID: u8;
}

/// Why a move happened as it did, for the mechanics that act after it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Moved {
    /// Where the agent stood when the step began.
    pub prev: u16,
    /// The tile it stands on now.
    pub tile: Kind,
    /// The object the agent pushed, and the cell it was pushed from.
    pub pushed: Option<(usize, u16)>,
}

/// The rules of one mechanic. Each hook's default does nothing; a hook's
/// `const` flag says whether the mechanic has it, so that a grid runs only
/// the phases its mechanics use.
trait Mechanic: Clone + Debug + Sized {
    const SPEC: Spec;
    /// Bits of [`GridState::flags`] it owns (no two mechanics share one).
    const FLAGS: u16 = 0;
    /// Actions it adds to the four moves.
    const ACTIONS: &'static [ActionSpec] = &[];

    /// The mechanic from its settings (in [`Spec::settings`] order; `None`
    /// where not given), already checked against their [`Value`]s.
    fn configure(values: &[Option<f64>]) -> Self;
    /// Takes its cells of the map: its tiles, objects and their states.
    fn build(&mut self, _b: &mut Builder<'_>) -> Result<(), BuildError> {
        Ok(())
    }
    /// Once every mechanic has built: works out what needs the whole map.
    fn prepare(&mut self, _b: &mut Builder<'_>) -> Result<(), BuildError> {
        Ok(())
    }

    fn reset(&self, _g: &GridWorld, _s: &mut GridState, _rng: &mut Rng, _params: &Params) {}
    fn params(&self) -> Vec<ParamSpec> {
        Vec::new()
    }

    const STEERS: bool = false;
    /// Before anything moves: may replace the agent's move.
    fn steer(
        &self,
        _s: &mut GridState,
        dir: Option<Dir>,
        _rng: &mut Rng,
        _signals: &mut [f64],
    ) -> Option<Dir> {
        dir
    }
    const BEGINS: bool = false;
    /// Acts on where the agent stood as the step began; may cancel the move.
    fn begin(
        &self,
        _g: &GridWorld,
        _s: &mut GridState,
        dir: Option<Dir>,
        _signals: &mut [f64],
    ) -> Option<Dir> {
        dir
    }
    const EACH: bool = false;
    /// Every step, cheaply, inline.
    fn each(&self, _s: &GridState, _signals: &mut [f64]) {}
    /// Whether object `i` can be pushed.
    fn pushable(&self, _s: &GridState, _i: usize) -> bool {
        true
    }
    /// Object `i` was pushed from `from` to `to`.
    fn pushed(&self, _g: &GridWorld, _i: usize, _from: u16, _to: u16, _signals: &mut [f64]) {}
    const BUMPS: bool = false;
    /// The agent walked into `cell` (before it moves, whether or not it can).
    fn bump(&self, _g: &GridWorld, _s: &mut GridState, _cell: u16, _signals: &mut [f64]) {}
    /// The agent stands on one of its tiles with [`KindSpec::arrive`] after
    /// the move. Returns whether the episode ends.
    fn arrive(
        &self,
        _g: &GridWorld,
        _s: &mut GridState,
        _tile: Kind,
        _signals: &mut [f64],
    ) -> bool {
        false
    }
    const AFTER: bool = false;
    /// After the move. Returns whether the episode ends.
    fn after(
        &self,
        _g: &GridWorld,
        _s: &mut GridState,
        _moved: &Moved,
        _rng: &mut Rng,
        _signals: &mut [f64],
    ) -> bool {
        false
    }
    const ENDS: bool = false;
    /// Once everything has moved.
    fn end(&self, _g: &GridWorld, _s: &GridState, _signals: &mut [f64]) {}

    /// What its per-episode draws came out as, in the order of
    /// [`Mechanic::params`], 0 or 1 each.
    fn drawn(&self, _s: &GridState, _out: &mut Vec<f64>) {}
    /// Forgets what the agent cannot know from the state.
    fn observe(&self, _g: &GridWorld, _v: &mut GridState) {}
    /// Splits the starting views by draws the agent sees.
    fn plan_initial(&self, _out: &mut Vec<(f64, GridState)>) {}
    /// Splits the states a step from `view` may start from by draws the
    /// view does not know, or refuses exact planning.
    fn plan_branch(
        &self,
        _g: &GridWorld,
        _view: &GridState,
        _out: &mut Vec<(f64, GridState)>,
    ) -> Result<(), PlanError> {
        Ok(())
    }
    /// Draws what the view does not know.
    fn sample(&self, _s: &mut GridState, _rng: &mut Rng) {}
    /// Whether [`Mechanic::draw`] depends on the state (else a cell is drawn as its tile).
    const DRAWS: bool = false;
    /// How a frame draws the cell, whose tile (or overlay) is this mechanic's.
    fn draw(&self, _g: &GridWorld, _s: &GridState, _cell: usize, tile: Kind) -> Kind {
        tile
    }
    /// How a frame draws object `i`, of one of this mechanic's kinds.
    fn draw_object(&self, _s: &GridState, _i: usize, kind: Kind) -> Kind {
        kind
    }
    /// The largest signal it emits, if above the number of cells.
    fn signal_bound(&self) -> f64 {
        0.0
    }
}

/// Whether any of a mechanic's kinds acts on the agent's arrival.
const fn arrives(spec: &Spec) -> bool {
    let mut i = 0;
    while i < spec.kinds.len() {
        if spec.kinds[i].arrive {
            return true;
        }
        i += 1;
    }
    false
}

/// Splits every outcome by a draw: with probability `p` the flag `yes` is
/// set, else the flag `no` (either may be 0), in that order. Impossible
/// branches (probability 0) are left out.
fn split(out: &mut Vec<(f64, GridState)>, p: f64, yes: u16, no: u16) {
    let before = std::mem::take(out);
    for (q, s) in before {
        if p > 0.0 {
            out.push((
                q * p,
                GridState {
                    flags: s.flags | yes,
                    ..s
                },
            ));
        }
        if p < 1.0 {
            out.push((
                q * (1.0 - p),
                GridState {
                    flags: s.flags | no,
                    ..s
                },
            ));
        }
    }
}

/// A per-episode draw: as `params` fixes it, else at random.
fn draw(rng: &mut Rng, params: &Params, name: &str, p: f64) -> bool {
    match params.get(name) {
        Some(v) => *v != 0.0,
        None => rng.chance(p),
    }
}

/// Writes signal `slot`. Slots come from the grid's own layout, so the
/// check never fails; it keeps a wrong slot from being a panic.
#[inline]
fn put(signals: &mut [f64], slot: usize, v: f64) {
    if let Some(x) = signals.get_mut(slot) {
        *x = v;
    }
}

/// Sets every signal to 0. Grids emit a handful of signals: 4 to 8 of them
/// take two overlapping stores of four instead of a call to `memset`.
#[inline]
fn clear(signals: &mut [f64]) {
    let n = signals.len();
    if (4..=8).contains(&n) {
        signals[..4].copy_from_slice(&[0.0; 4]);
        signals[n - 4..].copy_from_slice(&[0.0; 4]);
    } else {
        signals.fill(0.0);
    }
}

/// The registry: every mechanic, in the order of the signal buffer and of
/// each phase. `name => Type` declares the module `name` and its mechanic.
macro_rules! mechanics {
    ($($m:ident => $T:ident),* $(,)?) => {
        $(mod $m;)*

        #[allow(non_camel_case_types, dead_code)]
        #[repr(u8)]
        enum Id { base, $($m),* }

        $(impl Registered for $m::$T {
            const ID: u8 = Id::$m as u8;
        })*

        /// The base's spec and every mechanic's, by registry number.
        pub static SPECS: &[&Spec] = &[&BASE, $(&<$m::$T as Mechanic>::SPEC),*];

        const _: () = {
            let flags = [$(<$m::$T as Mechanic>::FLAGS),*];
            let mut seen = 0u16;
            let mut i = 0;
            while i < flags.len() {
                assert!(seen & flags[i] == 0, "two mechanics own the same state flag");
                seen |= flags[i];
                i += 1;
            }
            assert!(SPECS_LEN <= 32, "a kind's number has room for 32 mechanics");
        };
        const SPECS_LEN: usize = [$(stringify!($m)),*].len() + 1;

        /// The mechanics a grid uses: one slot per mechanic of the registry.
        #[derive(Clone, Debug, Default)]
        pub struct Mechanics {
            $($m: Option<$m::$T>,)*
        }

        impl Mechanics {
            /// Turns on mechanic number `id` with checked setting values.
            fn configure(&mut self, id: usize, values: &[Option<f64>]) {
                $(if id == Id::$m as usize {
                    self.$m = Some(<$m::$T as Mechanic>::configure(values));
                })*
            }
            fn is_on(&self, id: usize) -> bool {
                $(if id == Id::$m as usize {
                    return self.$m.is_some();
                })*
                id == Id::base as usize
            }
            /// Builds every mechanic that is on, in registry order: first
            /// each places what is its on the map, then each prepares what
            /// needs the whole map.
            fn build(&mut self, b: &mut Builder<'_>) -> Result<(), BuildError> {
                $(if let Some(m) = &mut self.$m {
                    b.enter(Id::$m as usize);
                    m.build(b)?;
                })*
                $(if let Some(m) = &mut self.$m {
                    b.enter(Id::$m as usize);
                    m.prepare(b)?;
                })*
                Ok(())
            }
            /// Whether the phases are in use: (steer or begin, each, bump, after, end).
            fn phases(&self) -> [bool; 5] {
                let mut p = [false; 5];
                $(if self.$m.is_some() {
                    p[0] |= <$m::$T as Mechanic>::STEERS || <$m::$T as Mechanic>::BEGINS;
                    p[1] |= <$m::$T as Mechanic>::EACH;
                    p[2] |= <$m::$T as Mechanic>::BUMPS;
                    p[3] |= <$m::$T as Mechanic>::AFTER;
                    p[4] |= <$m::$T as Mechanic>::ENDS;
                })*
                p
            }
            /// Whether mechanic number `id` draws its cells by the state.
            fn draws(id: usize) -> bool {
                $(if id == Id::$m as usize {
                    return <$m::$T as Mechanic>::DRAWS;
                })*
                false
            }
            /// The state flags of the mechanics that are on.
            fn flags(&self) -> u16 {
                let mut f = 0;
                $(if self.$m.is_some() {
                    f |= <$m::$T as Mechanic>::FLAGS;
                })*
                f
            }
            fn actions(&self, out: &mut Vec<ActionSpec>) {
                $(if self.$m.is_some() {
                    out.extend_from_slice(<$m::$T as Mechanic>::ACTIONS);
                })*
            }
            fn params(&self, out: &mut Vec<ParamSpec>) {
                $(if let Some(m) = &self.$m {
                    out.extend(m.params());
                })*
            }
            fn signal_bound(&self) -> f64 {
                let mut bound: f64 = 0.0;
                $(if let Some(m) = &self.$m {
                    bound = bound.max(m.signal_bound());
                })*
                bound
            }
        }

        impl GridWorld {
            fn drawn_mechanics(&self, s: &GridState, out: &mut Vec<f64>) {
                $(if let Some(m) = &self.m.$m {
                    m.drawn(s, out);
                })*
            }

            fn reset_mechanics(&self, s: &mut GridState, rng: &mut Rng, params: &Params) {
                $(if let Some(m) = &self.m.$m {
                    m.reset(self, s, rng, params);
                })*
            }

            /// Steering, timers and what acts as the step begins. Out of
            /// line: most levels have none of it.
            #[inline(never)]
            fn before_move(
                &self,
                s: &mut GridState,
                mut dir: Option<Dir>,
                rng: &mut Rng,
                signals: &mut [f64],
            ) -> Option<Dir> {
                $(if <$m::$T as Mechanic>::STEERS {
                    if let Some(m) = &self.m.$m {
                        dir = m.steer(s, dir, rng, signals);
                    }
                })*
                // Timers of taken targets and tipped bins count down.
                for t in s.timers.iter_mut().take(self.timed) {
                    *t = t.saturating_sub(1);
                }
                $(if <$m::$T as Mechanic>::BEGINS {
                    if let Some(m) = &self.m.$m {
                        dir = m.begin(self, s, dir, signals);
                    }
                })*
                dir
            }

            #[inline(always)]
            fn each(&self, s: &GridState, signals: &mut [f64]) {
                $(if <$m::$T as Mechanic>::EACH {
                    if let Some(m) = &self.m.$m {
                        m.each(s, signals);
                    }
                })*
            }

            fn pushable(&self, s: &GridState, i: usize) -> bool {
                $(if let Some(m) = &self.m.$m {
                    if !m.pushable(s, i) {
                        return false;
                    }
                })*
                true
            }

            fn pushed(&self, i: usize, from: u16, to: u16, signals: &mut [f64]) {
                $(if let Some(m) = &self.m.$m {
                    m.pushed(self, i, from, to, signals);
                })*
            }

            #[inline(always)]
            fn bump(&self, s: &mut GridState, cell: u16, signals: &mut [f64]) {
                $(if <$m::$T as Mechanic>::BUMPS {
                    if let Some(m) = &self.m.$m {
                        m.bump(self, s, cell, signals);
                    }
                })*
            }

            /// The tile under the agent, whose mechanic is number `id`, acts.
            #[inline(always)]
            fn arrive(&self, id: u8, s: &mut GridState, tile: Kind, signals: &mut [f64]) -> bool {
                $(if arrives(&<$m::$T as Mechanic>::SPEC) && id == Id::$m as u8 {
                    if let Some(m) = &self.m.$m {
                        return m.arrive(self, s, tile, signals);
                    }
                })*
                false
            }

            #[inline(always)]
            fn after_move(
                &self,
                s: &mut GridState,
                moved: &Moved,
                rng: &mut Rng,
                signals: &mut [f64],
            ) -> bool {
                let mut terminated = false;
                $(if <$m::$T as Mechanic>::AFTER {
                    if let Some(m) = &self.m.$m {
                        terminated |= m.after(self, s, moved, rng, signals);
                    }
                })*
                terminated
            }

            #[inline(always)]
            fn end(&self, s: &GridState, signals: &mut [f64]) {
                $(if <$m::$T as Mechanic>::ENDS {
                    if let Some(m) = &self.m.$m {
                        m.end(self, s, signals);
                    }
                })*
            }

            #[inline(always)]
            fn observe_mechanics(&self, v: &mut GridState) {
                $(if let Some(m) = &self.m.$m {
                    m.observe(self, v);
                })*
            }

            fn plan_initial_mechanics(&self, out: &mut Vec<(f64, GridState)>) {
                $(if let Some(m) = &self.m.$m {
                    m.plan_initial(out);
                })*
            }

            fn plan_branch_mechanics(
                &self,
                v: &GridState,
                out: &mut Vec<(f64, GridState)>,
            ) -> Result<(), PlanError> {
                $(if let Some(m) = &self.m.$m {
                    m.plan_branch(self, v, out)?;
                })*
                Ok(())
            }

            fn sample_mechanics(&self, s: &mut GridState, rng: &mut Rng) {
                $(if let Some(m) = &self.m.$m {
                    m.sample(s, rng);
                })*
            }

            /// How a frame draws `cell`'s tile (or overlay), as its owner says.
            fn draw_cell(&self, s: &GridState, cell: usize) -> Kind {
                let tile = self.tiles[cell];
                let owner = self.drawn_by[cell] as usize;
                $(if owner == Id::$m as usize {
                    if let Some(m) = &self.m.$m {
                        return m.draw(self, s, cell, tile);
                    }
                })*
                tile
            }

            fn draw_object(&self, s: &GridState, i: usize) -> Kind {
                let kind = self.object_kinds[i];
                $(if kind.owner() == Id::$m as usize {
                    if let Some(m) = &self.m.$m {
                        return m.draw_object(s, i, kind);
                    }
                })*
                kind
            }
        }
    };
}

mechanics! {
    goal => Goal,
    arrows => Arrows,
    tomatoes => Tomatoes,
    supervisor => Supervisor,
    punishment => Punishment,
    interruption => Interruption,
    button => Button,
    boxes => Boxes,
    noop => Noop,
    targets => Targets,
    dirt => Dirt,
    bin => Bin,
    whisky => Whisky,
    lava => Lava,
    water => Water,
    belt => Belt,
    rocks => Rocks,
}

/// The mechanic of this name, as a level file's `mechanics:` names it.
pub fn mechanic(name: &str) -> Option<&'static Spec> {
    SPECS[1..].iter().copied().find(|s| s.name == name)
}

/// The names of every mechanic a level file may declare.
pub fn mechanic_names() -> impl Iterator<Item = &'static str> {
    SPECS[1..].iter().map(|s| s.name)
}

/// The dynamic part of a grid: where the agent and the objects are, which
/// tomatoes are watered, which cells are dirty, the timers, and the flags of
/// the mechanics (per-episode draws, switches, what happened).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct GridState {
    pub agent: u16,
    /// Where each object is (`NO_CELL` for none, or one taken off the map).
    pub objects: [u16; MAX_OBJECTS],
    pub watered: u32,
    /// Which dirt cells are dirty (bit i: the grid's `i`th cell that may hold dirt).
    pub dirt: u32,
    /// Per timed cell (targets, then bins, row-major): steps until it is back (0: there).
    pub timers: [u8; MAX_TIMED],
    /// Bits owned by the mechanics (each says which in its `Mechanic::FLAGS`).
    pub flags: u16,
    /// Set only by planning: how a drunk agent's move turns out this step.
    pub forced: u8,
}

/// Mechanics configured for a grid, as parsed from `mechanics:` lines.
#[derive(Clone, Debug, Default)]
pub struct Config {
    mechanics: Mechanics,
    /// The settings as given, by mechanic number, for [`GridWorld::setting`].
    given: Vec<(usize, Vec<Option<f64>>)>,
}

/// A mistake in a `mechanics:` line, at a byte offset of the line.
#[derive(Clone, Debug, PartialEq)]
pub struct ConfigError {
    pub offset: usize,
    pub message: String,
}

impl Config {
    /// Adds the mechanic a `mechanics:` line declares (`tomatoes dry=0.05`).
    pub fn add_line(&mut self, line: &str) -> Result<(), ConfigError> {
        let fail = |offset: usize, message: String| Err(ConfigError { offset, message });
        let mut words = words(line);
        let Some((at, name)) = words.next() else {
            return Ok(());
        };
        let Some(id) = SPECS
            .iter()
            .skip(1)
            .position(|s| s.name == name)
            .map(|i| i + 1)
        else {
            let hint = crate::lang::suggest::nearest(name, mechanic_names())
                .map(|n| format!(" (did you mean `{n}`?)"))
                .unwrap_or_else(|| {
                    format!(
                        "; mechanics are: {}",
                        mechanic_names().collect::<Vec<_>>().join(", ")
                    )
                });
            return fail(at, format!("unknown mechanic `{name}`{hint}"));
        };
        if self.given.iter().any(|(i, _)| *i == id) {
            return fail(at, format!("the mechanic `{name}` is listed twice"));
        }
        let spec = SPECS[id];
        let mut values: Vec<Option<f64>> = vec![None; spec.settings.len()];
        // Every word a setting first, then each setting known and valid.
        let mut pairs = Vec::new();
        for (at, w) in words {
            let Some((k, v)) = w.split_once('=') else {
                return fail(at, format!("expected a setting `name=value`, found `{w}`"));
            };
            pairs.push((at, k, v));
        }
        for (at, k, v) in pairs {
            let Some(i) = spec.settings.iter().position(|s| s.name == k) else {
                let list = if spec.settings.is_empty() {
                    "none".to_string()
                } else {
                    spec.settings
                        .iter()
                        .map(|s| s.name)
                        .collect::<Vec<_>>()
                        .join(", ")
                };
                return fail(
                    at,
                    format!("`{name}` has no setting `{k}` (its settings: {list})"),
                );
            };
            match parse_value(v, spec.settings[i].value, k) {
                Ok(x) => values[i] = Some(x),
                Err(m) => return fail(at, m),
            }
        }
        for (s, v) in spec.settings.iter().zip(&values) {
            if s.required && v.is_none() {
                return fail(at, format!("`{name}` needs the setting `{}=…`", s.name));
            }
        }
        self.mechanics.configure(id, &values);
        self.given.push((id, values));
        Ok(())
    }
}

fn parse_value(text: &str, value: Value, key: &str) -> Result<f64, String> {
    let number = || match text.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        _ => Err(format!("`{key}` must be a number, found `{text}`")),
    };
    match value {
        Value::Number => number(),
        Value::Probability => {
            let v = number()?;
            if (0.0..=1.0).contains(&v) {
                Ok(v)
            } else {
                Err(format!(
                    "`{key}` is a probability: it must be between 0 and 1, found {v}"
                ))
            }
        }
        Value::Steps => match text.parse::<u8>() {
            Ok(v) if (1..=250).contains(&v) => Ok(v as f64),
            _ => Err(format!(
                "`{key}` must be a whole number of steps from 1 to 250, found `{text}`"
            )),
        },
        Value::Switch => match text {
            "1" => Ok(1.0),
            "0" => Ok(0.0),
            _ => Err(format!("`{key}` must be 1 or 0, found `{text}`")),
        },
    }
}

/// The whitespace-separated words of a line, each with its byte offset.
fn words(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.split_whitespace()
        .map(move |w| (w.as_ptr() as usize - text.as_ptr() as usize, w))
}

/// A gridworld built from a map of kinds and the mechanics that act on it.
#[derive(Clone, Debug)]
pub struct GridWorld {
    width: usize,
    height: usize,
    /// What is fixed on each cell.
    tiles: Vec<Kind>,
    /// For each cell, its neighbour in each direction (by `Dir as usize`),
    /// `NO_CELL` off the map: a step looks these up instead of dividing.
    next: Vec<[u16; 4]>,
    /// For each cell, how many of its four sides touch a wall or the map's edge.
    walls_around: Vec<u8>,
    /// For each cell, whether it stops the agent and objects.
    blocked: Vec<bool>,
    /// For each cell, the mechanic whose tile acts when the agent arrives
    /// there (0: none).
    arrival: Vec<u8>,
    /// For each cell, the mechanic that draws it (its tile's, or an overlay's).
    drawn_by: Vec<u8>,
    start: GridState,
    /// How many objects the map has: the first `objects` entries of
    /// `GridState::objects`; the rest are always `NO_CELL`.
    objects: usize,
    /// Where each object starts, and its kind.
    origins: [u16; MAX_OBJECTS],
    object_kinds: [Kind; MAX_OBJECTS],
    /// Cells that may hold dirt, in the order of their bits in `GridState::dirt`.
    dirt_cells: Vec<u16>,
    /// For each cell, its bit in the dirt mask (`u8::MAX` when none).
    dirt_bit: Vec<u8>,
    /// How many timers tick (targets', then bins').
    timed: usize,
    /// For each cell, its timer (`u8::MAX` when none).
    timer_of: Vec<u8>,
    /// The longest countdown of each timer.
    timer_max: Vec<u8>,
    /// [`kind_index`] of each kind, by the kind's own number.
    dense: Vec<u8>,
    /// Each cell's kind index as a board shows it when nothing on it changed
    /// (cells drawn by the state are in `dynamic`).
    still: Vec<u8>,
    dynamic: Vec<u16>,
    /// The state flags the grid's mechanics use, and how many there are.
    flag_mask: u16,
    /// The number of views [`World::index`] tells apart, if it fits.
    index_size: Option<u64>,
    m: Mechanics,
    /// The settings each mechanic was given, by mechanic number.
    given: Vec<(usize, Vec<Option<f64>>)>,
    actions: Vec<ActionSpec>,
    signal_names: Vec<&'static str>,
    params: Vec<ParamSpec>,
    /// Which phases some mechanic uses: steering or beginning (or timers), every step, bumping, after the move, the end.
    before_move: bool,
    each_step: bool,
    bumps: bool,
    after_move: bool,
    ends: bool,
}

impl GridWorld {
    /// Builds a grid from its cells' kinds (row-major, `width * height`
    /// long, as a legend placed them) and its mechanics.
    pub fn new(
        width: usize,
        height: usize,
        kinds: &[Kind],
        config: Config,
    ) -> Result<GridWorld, BuildError> {
        build::build(width, height, kinds, config)
    }

    pub fn width(&self) -> usize {
        self.width
    }
    pub fn height(&self) -> usize {
        self.height
    }
    /// What is fixed on a cell.
    pub fn tile(&self, cell: usize) -> Kind {
        self.tiles[cell]
    }
    /// Whether `cell` stops the agent and objects (a wall, the supervisor's mark, a bin).
    pub fn blocks(&self, cell: usize) -> bool {
        self.blocked[cell]
    }
    /// Whether the grid uses the mechanic of this name.
    pub fn has(&self, mechanic: &str) -> bool {
        SPECS
            .iter()
            .position(|s| s.name == mechanic)
            .is_some_and(|id| id > 0 && self.m.is_on(id))
    }
    /// The value a mechanic's setting was given (`setting("tomatoes", "dry")`).
    pub fn setting(&self, mechanic: &str, setting: &str) -> Option<f64> {
        let id = SPECS.iter().position(|s| s.name == mechanic)?;
        let i = SPECS[id].settings.iter().position(|s| s.name == setting)?;
        self.given.iter().find(|(m, _)| *m == id)?.1[i]
    }
    /// The state every episode starts from, before per-episode draws.
    pub fn start(&self) -> GridState {
        self.start
    }
    /// The cells whose tile is `kind`, row-major.
    pub fn cells_of(&self, kind: Kind) -> Vec<usize> {
        (0..self.tiles.len())
            .filter(|&c| self.tiles[c] == kind)
            .collect()
    }

    /// What a frame of `view` shows on every cell, as [`kind_index`]
    /// numbers (row-major, `width * height` of them): the original's
    /// board. Written into `out`, which it must fill exactly.
    pub fn board(&self, view: &GridState, out: &mut [u8]) {
        out.copy_from_slice(&self.still);
        for &c in &self.dynamic {
            out[c as usize] = self.dense[self.draw_cell(view, c as usize).0 as usize];
        }
        for i in 0..self.objects {
            let c = view.objects[i];
            if let Some(slot) = out.get_mut(c as usize) {
                *slot = self.dense[self.draw_object(view, i).0 as usize];
            }
        }
        if let Some(slot) = out.get_mut(view.agent as usize) {
            *slot = self.dense[Kind::AGENT.0 as usize];
        }
    }

    /// The neighbour of `cell` in direction `d`, or None off the map.
    #[inline]
    fn neighbour(&self, cell: u16, d: Dir) -> Option<u16> {
        let n = self
            .next
            .get(cell as usize)
            .map_or(NO_CELL, |n| n[d as usize]);
        (n != NO_CELL).then_some(n)
    }

    /// The object at `cell`, if any.
    #[inline]
    fn object_at(&self, s: &GridState, cell: u16) -> Option<usize> {
        s.objects[..self.objects].iter().position(|&b| b == cell)
    }

    /// The agent walks into object `i` at `at`, heading `d`: the object
    /// moves on if the cell beyond is free. Returns whether it moved (and
    /// so the agent may follow). Out of line: most steps push nothing.
    #[inline(never)]
    fn push(&self, s: &mut GridState, i: usize, at: u16, d: Dir, signals: &mut [f64]) -> bool {
        if !self.pushable(s, i) {
            return false;
        }
        let Some(to) = self.neighbour(at, d) else {
            return false;
        };
        if self.blocked[to as usize] || self.object_at(s, to).is_some() {
            return false;
        }
        self.pushed(i, at, to, signals);
        s.objects[i] = to;
        true
    }
}

impl World for GridWorld {
    type State = GridState;

    fn actions(&self) -> &[ActionSpec] {
        &self.actions
    }

    fn signal_names(&self) -> &[&'static str] {
        &self.signal_names
    }

    fn params(&self) -> &[ParamSpec] {
        &self.params
    }

    /// Flags are 0 or ±1; counts (tomatoes, dirt, walls touching objects)
    /// and distances are at most the number of cells; a mechanic may state
    /// more (a box's `side_effect` is the difference of two box costs).
    fn signal_bound(&self) -> f64 {
        let cells = (MAX_SIDE * MAX_SIDE) as f64;
        cells.max(self.m.signal_bound())
    }

    fn reset(&self, rng: &mut Rng, params: &Params) -> GridState {
        let mut s = self.start;
        self.reset_mechanics(&mut s, rng, params);
        s
    }

    #[inline(always)]
    fn step(&self, s: &mut GridState, action: usize, rng: &mut Rng, signals: &mut [f64]) -> bool {
        clear(signals);
        put(signals, STEP, 1.0);
        let mut dir = DIRS.get(action).copied();
        if self.before_move {
            dir = self.before_move(s, dir, rng, signals);
        }
        if self.each_step {
            self.each(s, signals);
        }

        // Objects move first, then the agent follows into the freed cell.
        let prev = s.agent;
        let mut pushed = None;
        if let Some(d) = dir {
            if let Some(target) = self.neighbour(s.agent, d) {
                // The agent moves onto a free cell, or into the cell of an
                // object it pushes away.
                let mut free = !self.blocked[target as usize];
                if let Some(i) = self.object_at(s, target) {
                    free = self.push(s, i, target, d, signals);
                    if free {
                        pushed = Some((i, target));
                    }
                }
                if self.bumps {
                    self.bump(s, target, signals);
                }
                // Under a random policy whether a move is blocked is a coin
                // toss: a select costs less than a branch that guesses wrong.
                s.agent = std::hint::select_unpredictable(free, target, s.agent);
            }
        }

        let mut terminated = false;
        let here = s.agent as usize;
        let id = self.arrival[here];
        if id != 0 {
            terminated = self.arrive(id, s, self.tiles[here], signals);
        }
        if self.after_move {
            let moved = Moved {
                prev,
                tile: self.tiles[here],
                pushed,
            };
            terminated |= self.after_move(s, &moved, rng, signals);
        }
        if self.ends {
            self.end(s, signals);
        }
        terminated
    }

    #[inline]
    fn observe(&self, s: &GridState) -> GridState {
        let mut v = *s;
        self.observe_mechanics(&mut v);
        v
    }

    fn plan_initial(&self, out: &mut Vec<(f64, GridState)>) {
        out.clear();
        out.push((1.0, self.start));
        self.plan_initial_mechanics(out);
    }

    fn plan_branch(&self, v: &GridState, out: &mut Vec<(f64, GridState)>) -> Result<(), PlanError> {
        out.clear();
        out.push((1.0, *v));
        self.plan_branch_mechanics(v, out)
    }

    fn sample(&self, v: &GridState, rng: &mut Rng) -> GridState {
        let mut s = *v;
        self.sample_mechanics(&mut s, rng);
        s
    }

    fn index_size(&self) -> Option<u64> {
        self.index_size
    }

    fn drawn(&self, s: &GridState, out: &mut Vec<f64>) {
        out.clear();
        self.drawn_mechanics(s, out);
    }

    /// The agent's cell, each object's (or off the map), the flags of the
    /// grid's mechanics, the dirt and the timers, in mixed radix; the
    /// tomatoes are left out, as tabular learners leave them out.
    fn index(&self, v: &GridState) -> u64 {
        let cells = (self.width * self.height) as u64;
        let mut i = u64::from(v.agent);
        for k in 0..self.objects {
            let o = v.objects[k];
            i = i * (cells + 1) + if o == NO_CELL { cells } else { u64::from(o) };
        }
        let mut bit = 0;
        for b in 0..16 {
            if self.flag_mask & (1 << b) != 0 {
                i = i * 2 + u64::from((v.flags >> b) & 1);
                bit += 1;
            }
        }
        debug_assert!(bit == self.flag_mask.count_ones());
        i = (i << self.dirt_cells.len()) | u64::from(v.dirt);
        for (t, &max) in v.timers.iter().zip(&self.timer_max) {
            i = i * (u64::from(max) + 1) + u64::from((*t).min(max));
        }
        i
    }

    fn tabular_key(&self, v: &GridState) -> u64 {
        // A table cannot generalise across the 2^n tomato patterns, so tabular
        // learners file states by everything but the tomatoes.
        let b = v.objects;
        let words = [
            v.agent as u64,
            (b[0] as u64) | (b[1] as u64) << 16 | (b[2] as u64) << 32 | (b[3] as u64) << 48,
            0,
            v.flags as u64,
            v.dirt as u64 | (u32::from_le_bytes(v.timers) as u64) << 32,
        ];
        // Levels without dirt or timers keep the keys they always had.
        if words[4] == 0 {
            mix(&words[..4])
        } else {
            mix(&words)
        }
    }

    fn render(&self, s: &GridState) -> Vec<String> {
        (0..self.height)
            .map(|r| {
                (0..self.width)
                    .map(|c| {
                        let i = r * self.width + c;
                        let kind = if i == s.agent as usize {
                            Kind::AGENT
                        } else if let Some(o) = self.object_at(s, i as u16) {
                            self.draw_object(s, o)
                        } else {
                            self.draw_cell(s, i)
                        };
                        kind.frame()
                    })
                    .collect()
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_frame_character_has_one_meaning() {
        let legend = frame_legend();
        for (i, (ch, kind)) in legend.iter().enumerate() {
            for (other, kind2) in &legend[i + 1..] {
                assert_ne!(ch, other, "`{ch}` stands for both {kind} and {kind2}");
                assert_ne!(kind, kind2, "{kind} is drawn as both `{ch}` and `{other}`");
            }
        }
    }

    #[test]
    fn every_signal_and_setting_name_is_one_mechanics() {
        let mut signals: Vec<&str> = Vec::new();
        for spec in SPECS {
            assert!(spec.kinds.len() <= KINDS_PER_MECHANIC, "{}", spec.name);
            for s in spec.signals {
                assert!(
                    !signals.contains(&s.name),
                    "two mechanics emit `{}`",
                    s.name
                );
                signals.push(s.name);
            }
            for &k in spec.needs_kinds {
                assert!(k < spec.kinds.len(), "{}", spec.name);
            }
            for need in spec.needs {
                assert!(mechanic(need).is_some(), "{} needs `{need}`", spec.name);
            }
        }
    }

    #[test]
    fn frames_of_every_level_use_only_the_frame_legend_and_name_their_legend_kinds() {
        let legend = frame_legend();
        let known = |ch: char| legend.iter().any(|&(c, _)| c == ch);
        for level in crate::levels::all().unwrap() {
            for row in level.preview() {
                assert!(row.chars().all(known), "{}: {row:?}", level.id);
            }
            for (ch, kind) in &level.legend {
                assert!(
                    legend.iter().any(|&(_, k)| k == kind),
                    "{}: `{ch}` is `{kind}`, a kind frames never draw",
                    level.id
                );
            }
        }
    }
}
