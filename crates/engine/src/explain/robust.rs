//! Robustness: a policy trained in one situation, used unchanged in another.
//!
//! Three demonstrations share the machinery here:
//!
//! - [`shift`]: trained on the distributional-shift training room, the same
//!   policy is played in the two test rooms where the lava has moved.
//! - [`misgeneralization`]: trained in rooms whose goal is always in the
//!   top-right corner, the policy is played in a room whose goal is elsewhere.
//! - [`brittle`]: every one-tile edit of the training room (a floor tile
//!   turned into lava) is tried against the trained policy.
//!
//! A trained policy is frozen: it acts on what it learned, by the agent's
//! view of the state (its position; a tabular learner files states by
//! [`World::tabular_key`], which is the same for the same position on maps
//! of the same size). It never looks at the new map. Beside it, a planner
//! that solves each map afresh shows that the task itself is feasible: the
//! failures belong to the training, not the task.

use crate::agents::q_learning;
use crate::agents::{train, AgentKind, Hook, Policy, RunError, Task, Trained};
use crate::explain::oversight::agent_path;
use crate::lang::Program;
use crate::level::{self, Level};
use crate::levels;
use crate::rng::Rng;
use crate::run::{play, Episode, PlayConfig};
use crate::world::{ActionSpec, ParamSpec, Params, PlanError, World};
use crate::worlds::{LevelState, LevelWorld};

/// The training room of the distributional-shift demonstrations.
pub const SHIFT_TRAIN: &str = "distributional-shift";
/// The test rooms, where the lava has moved.
pub const SHIFT_TESTS: [&str; 2] = ["distributional-shift-test1", "distributional-shift-test2"];
/// The rooms of goal misgeneralization (not built-in levels).
pub const CORNER_TRAIN: &str = include_str!("../../../../levels/demos/corner-train.level");
pub const CORNER_TEST: &str = include_str!("../../../../levels/demos/corner-test.level");

/// Training episodes of the Q-learner unless the request says otherwise.
pub const DEFAULT_EPISODES: u32 = q_learning::DEFAULT_POWER;
/// Bounds of the training episodes.
pub const MIN_EPISODES: u32 = 10;
pub const MAX_EPISODES: u32 = 10_000;
/// Seeds over which the rates are measured, by default and at most.
pub const DEFAULT_SEEDS: u32 = 10;
pub const MAX_SEEDS: u32 = 20;
/// Largest seed accepted.
pub const MAX_SEED: u64 = 1_000_000;

/// How the policy was trained.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Training {
    /// Q-learning or value iteration (MCTS plans at test time, so it is refused).
    pub agent: AgentKind,
    /// Training episodes of the Q-learner (ignored by value iteration).
    pub episodes: u32,
    /// The seed of the policy shown.
    pub seed: u64,
    /// Seeds 0..seeds over which the rates are measured.
    pub seeds: u32,
}

impl Default for Training {
    fn default() -> Self {
        Training {
            agent: AgentKind::QLearning,
            episodes: DEFAULT_EPISODES,
            seed: 0,
            seeds: DEFAULT_SEEDS,
        }
    }
}

impl Training {
    /// Refuses settings out of range, naming the field.
    pub fn check(&self) -> Result<(), String> {
        if self.agent == AgentKind::Mcts {
            return Err(
                "`agent` must be q-learning or value-iteration: a policy must be trained once and then frozen"
                    .into(),
            );
        }
        if !(MIN_EPISODES..=MAX_EPISODES).contains(&self.episodes) {
            return Err(format!(
                "`episodes` must be from {MIN_EPISODES} to {MAX_EPISODES}, found {}",
                self.episodes
            ));
        }
        if self.seed > MAX_SEED {
            return Err(format!(
                "`seed` must be from 0 to {MAX_SEED}, found {}",
                self.seed
            ));
        }
        if !(1..=MAX_SEEDS).contains(&self.seeds) {
            return Err(format!(
                "`seeds` must be from 1 to {MAX_SEEDS}, found {}",
                self.seeds
            ));
        }
        Ok(())
    }
}

impl Training {
    /// Trains the policy on `task`; `seed` drives the learner's chance. It
    /// is then frozen: played on other maps, it acts on what it learned.
    pub fn train<'a, W: World<State = LevelState>>(
        &self,
        task: &Task<'a, W>,
        seed: u64,
        hook: &mut Hook<'_>,
    ) -> Result<Trained<'a, W>, RunError> {
        let power = match self.agent {
            AgentKind::QLearning => self.episodes,
            other => other.default_power(task.limit),
        };
        train(self.agent, task, power, seed, hook)
    }
}

/// One episode of a policy on a map, with what became of the robot.
#[derive(Clone, Debug, PartialEq)]
pub struct Trial {
    pub level: String,
    /// The map as the episode starts (the engine's frame characters).
    pub rows: Vec<String>,
    pub episode: Episode,
    /// Cells the robot stood on, start first, as (row, column).
    pub path: Vec<(usize, usize)>,
    pub lava: bool,
    pub goal: bool,
}

fn total(level: &Level, ep: &Episode, signal: &str) -> f64 {
    level
        .signals
        .iter()
        .position(|s| s.name == signal)
        .map_or(0.0, |i| ep.totals[i])
}

/// Plays `policy` (frozen) on `level` with the level's default reward.
fn trial<P: Policy<LevelWorld> + ?Sized>(
    level: &Level,
    seed: u64,
    policy: &mut P,
    hook: &mut Hook<'_>,
) -> Result<Trial, RunError> {
    let reward = default_reward(level)?;
    let params = Params::new();
    let cfg = PlayConfig {
        seed,
        params: &params,
        frames: true,
    };
    let episode = play(&level.task(&reward), &cfg, policy, hook)?;
    Ok(Trial {
        level: level.id.clone(),
        rows: episode
            .frames
            .first()
            .map(|f| f.rows.clone())
            .unwrap_or_default(),
        path: agent_path(&episode),
        lava: total(level, &episode, "lava") > 0.0,
        goal: total(level, &episode, "goal") > 0.0,
        episode,
    })
}

fn default_reward(level: &Level) -> Result<Program, String> {
    level
        .compile_reward(&level.default_reward)
        .map_err(|d| format!("reward: {}", d.message))
}

/// Plays a policy trained on another map.
pub fn frozen<P: Policy<LevelWorld> + ?Sized>(
    level: &Level,
    policy: &mut P,
    seed: u64,
    hook: &mut Hook<'_>,
) -> Result<Trial, RunError> {
    trial(level, seed, policy, hook)
}

/// Plans on `level` itself (value iteration, full horizon) and plays the plan.
pub fn replanned(level: &Level, seed: u64, hook: &mut Hook<'_>) -> Result<Trial, RunError> {
    let reward = default_reward(level)?;
    let task = level.task(&reward);
    let mut planner = train(AgentKind::ValueIteration, &task, level.steps, seed, hook)?;
    trial(level, seed, &mut planner, hook)
}

/// A level's text with its map replaced by `rows` (same legend and rules).
pub fn with_map(text: &str, rows: &[String]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut lines = text.lines().peekable();
    while let Some(line) = lines.next() {
        out.push_str(line);
        out.push('\n');
        if line.trim_end() == "map:" {
            while lines
                .peek()
                .is_some_and(|l| l.starts_with(' ') || l.starts_with('\t'))
            {
                lines.next();
            }
            for r in rows {
                out.push_str("  ");
                out.push_str(r);
                out.push('\n');
            }
        }
    }
    out
}

fn parse_text(text: &str, what: &str) -> Result<Level, String> {
    level::parse(text).map_err(|e| format!("{what}: {e}"))
}

fn set_char(rows: &mut [String], (r, c): (usize, usize), ch: char) {
    let mut chars: Vec<char> = rows[r].chars().collect();
    chars[c] = ch;
    rows[r] = chars.into_iter().collect();
}

fn char_at(rows: &[String], (r, c): (usize, usize)) -> Option<char> {
    rows.get(r).and_then(|row| row.chars().nth(c))
}

// ---------------------------------------------------------------- shift

/// One room of the shift demonstration.
#[derive(Clone, Debug, PartialEq)]
pub struct ShiftRoom {
    pub level: String,
    pub title: String,
    /// Whether the policy was trained here.
    pub training: bool,
    /// The trained policy of the shown seed, played here unchanged.
    pub trained: Trial,
    /// A planner that solves this room itself.
    pub replanned: Trial,
    /// Over the seeds: share of trained policies that die in lava here,
    /// that reach the goal, and their mean return.
    pub trained_lava_rate: f64,
    pub trained_goal_rate: f64,
    pub trained_mean_return: f64,
    /// Share of the replanner's episodes (one per seed) that die in lava.
    pub replanned_lava_rate: f64,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ShiftReport {
    pub training: Training,
    pub rooms: Vec<ShiftRoom>,
}

/// Trains on the shift training room and plays the frozen policy in every
/// room. `hook` sees the work and may stop it.
pub fn shift(training: &Training, hook: &mut Hook<'_>) -> Result<ShiftReport, RunError> {
    training.check()?;
    let train = levels::builtin(SHIFT_TRAIN)?;
    let mut rooms = vec![train.clone()];
    for id in SHIFT_TESTS {
        rooms.push(levels::builtin(id)?);
    }
    for room in &rooms[1..] {
        if (room.world.width(), room.world.height()) != (train.world.width(), train.world.height())
        {
            return Err(format!("`{}` is not the size of the training room", room.id).into());
        }
    }
    let reward = default_reward(&train)?;
    let task = train.task(&reward);
    let n = training.seeds as usize;
    // stats[room] = (lava, goal, return sum, replanner lava)
    let mut stats = vec![(0u32, 0u32, 0.0f64, 0u32); rooms.len()];
    for s in 0..u64::from(training.seeds) {
        let mut policy = training.train(&task, s, hook)?;
        for (room, st) in rooms.iter().zip(stats.iter_mut()) {
            let t = frozen(room, &mut policy, s, hook)?;
            let r = replanned(room, s, hook)?;
            st.0 += u32::from(t.lava);
            st.1 += u32::from(t.goal);
            st.2 += t.episode.ret;
            st.3 += u32::from(r.lava);
        }
    }
    let mut policy = training.train(&task, training.seed, hook)?;
    let rooms = rooms
        .iter()
        .zip(stats)
        .enumerate()
        .map(|(i, (room, st))| {
            Ok(ShiftRoom {
                level: room.id.clone(),
                title: room.title.clone(),
                training: i == 0,
                trained: frozen(room, &mut policy, training.seed, hook)?,
                replanned: replanned(room, training.seed, hook)?,
                trained_lava_rate: f64::from(st.0) / n as f64,
                trained_goal_rate: f64::from(st.1) / n as f64,
                trained_mean_return: st.2 / n as f64,
                replanned_lava_rate: f64::from(st.3) / n as f64,
            })
        })
        .collect::<Result<Vec<_>, RunError>>()?;
    Ok(ShiftReport {
        training: *training,
        rooms,
    })
}

// ---------------------------------------------------------------- misgeneralization

/// A world whose episodes start on any of several cells, drawn per episode:
/// training rooms that differ only in where the robot starts.
pub struct Starts<'a> {
    pub inner: &'a LevelWorld,
    pub cells: Vec<u16>,
}

impl Starts<'_> {
    fn at(&self, s: LevelState, cell: u16) -> LevelState {
        match s {
            LevelState::Grid(mut g) => {
                g.agent = cell;
                LevelState::Grid(g)
            }
            other => other,
        }
    }
}

impl World for Starts<'_> {
    type State = LevelState;
    fn actions(&self) -> &[ActionSpec] {
        self.inner.actions()
    }
    fn signal_names(&self) -> &[&'static str] {
        self.inner.signal_names()
    }
    fn params(&self) -> &[ParamSpec] {
        self.inner.params()
    }
    fn reset(&self, rng: &mut Rng, params: &Params) -> LevelState {
        let s = self.inner.reset(rng, params);
        if self.cells.is_empty() {
            return s;
        }
        let k = rng.below(self.cells.len() as u64) as usize;
        self.at(s, self.cells[k])
    }
    fn step(&self, s: &mut LevelState, action: usize, rng: &mut Rng, signals: &mut [f64]) -> bool {
        self.inner.step(s, action, rng, signals)
    }
    fn observe(&self, s: &LevelState) -> LevelState {
        self.inner.observe(s)
    }
    fn plan_initial(&self, out: &mut Vec<(f64, LevelState)>) {
        self.inner.plan_initial(out);
        if self.cells.is_empty() {
            return;
        }
        let starts = std::mem::take(out);
        let w = 1.0 / self.cells.len() as f64;
        for (p, s) in starts {
            for &c in &self.cells {
                out.push((p * w, self.at(s, c)));
            }
        }
    }
    fn plan_branch(
        &self,
        v: &LevelState,
        out: &mut Vec<(f64, LevelState)>,
    ) -> Result<(), PlanError> {
        self.inner.plan_branch(v, out)
    }
    fn sample(&self, v: &LevelState, rng: &mut Rng) -> LevelState {
        self.inner.sample(v, rng)
    }
    fn tabular_key(&self, v: &LevelState) -> u64 {
        self.inner.tabular_key(v)
    }
    fn render(&self, s: &LevelState) -> Vec<String> {
        self.inner.render(s)
    }
}

/// Where training episodes start.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StartSpread {
    /// Always on the training room's own start.
    One,
    /// On any free cell of the room, drawn per episode.
    Many,
}

impl StartSpread {
    pub fn name(self) -> &'static str {
        match self {
            StartSpread::One => "one",
            StartSpread::Many => "many",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct MisgenReport {
    pub training: Training,
    pub starts: StartSpread,
    /// Where the goal stood in every training room, and where it is at test.
    pub old_goal: (usize, usize),
    pub goal: (usize, usize),
    /// How many start cells training used.
    pub start_cells: usize,
    /// The shown seed's policy in the training room (from its start) and at test.
    pub train: Trial,
    pub test: Trial,
    /// A planner that solves the test room itself.
    pub replanned: Trial,
    /// Over the seeds, at test: share of policies that reach the empty old
    /// corner, that reach the real goal, and their mean return.
    pub old_goal_rate: f64,
    pub goal_rate: f64,
    pub mean_return: f64,
    /// The same in the training room: the skill was learned.
    pub train_goal_rate: f64,
}

fn find_char(rows: &[String], ch: char) -> Option<(usize, usize)> {
    rows.iter()
        .enumerate()
        .find_map(|(r, row)| row.chars().position(|c| c == ch).map(|c| (r, c)))
}

/// The test room's default goal.
pub fn corner_default_goal() -> Result<(usize, usize), String> {
    let test = parse_text(CORNER_TEST, "the corner test room")?;
    find_char(&test.map, 'G').ok_or_else(|| "the corner test room has no goal".into())
}

/// Trains with the goal always in the corner, then moves the goal to `goal`
/// (None: the test room's own) and plays the frozen policy. `hook` sees the
/// work and may stop it.
pub fn misgeneralization(
    training: &Training,
    starts: StartSpread,
    goal: Option<(usize, usize)>,
    hook: &mut Hook<'_>,
) -> Result<MisgenReport, RunError> {
    training.check()?;
    let train = parse_text(CORNER_TRAIN, "the corner training room")?;
    let base = parse_text(CORNER_TEST, "the corner test room")?;
    let old_goal = find_char(&train.map, 'G').ok_or("the training room has no goal")?;
    let default_goal = find_char(&base.map, 'G').ok_or("the test room has no goal")?;
    let goal = goal.unwrap_or(default_goal);
    let mut rows = base.map.clone();
    let (h, w) = (rows.len(), rows.first().map_or(0, |r| r.chars().count()));
    if goal.0 >= h || goal.1 >= w {
        return Err(format!(
            "`goal` must be a cell of the {h}x{w} room: row 0-{} and column 0-{}, found [{}, {}]",
            h - 1,
            w - 1,
            goal.0,
            goal.1
        )
        .into());
    }
    match char_at(&rows, goal) {
        Some('#') => return Err(format!("`goal` [{}, {}] is a wall", goal.0, goal.1).into()),
        Some('A') => {
            return Err(format!("`goal` [{}, {}] is where the robot starts", goal.0, goal.1).into())
        }
        _ => {}
    }
    if goal == old_goal {
        return Err(format!(
            "`goal` [{}, {}] is the corner where the goal stood in training; put it elsewhere",
            goal.0, goal.1
        )
        .into());
    }
    set_char(&mut rows, default_goal, ' ');
    set_char(&mut rows, goal, 'G');
    let test = parse_text(&with_map(CORNER_TEST, &rows), "the test room")?;

    let grid = train
        .world
        .grid()
        .ok_or("the training room is not a grid")?;
    let cells: Vec<u16> = match starts {
        StartSpread::One => Vec::new(),
        StartSpread::Many => (0..grid.width() * grid.height())
            .filter(|&i| {
                let (r, c) = (i / grid.width(), i % grid.width());
                matches!(char_at(&train.map, (r, c)), Some(' ' | 'A'))
            })
            .map(|i| i as u16)
            .collect(),
    };
    let start_cells = cells.len().max(1);
    let world = Starts {
        inner: &train.world,
        cells,
    };
    let reward = default_reward(&train)?;
    let task = Task {
        world: &world,
        reward: &reward,
        intent: &train.intent,
        limit: train.steps,
    };
    let n = training.seeds as f64;
    let (mut old, mut reached, mut sum, mut train_reached) = (0u32, 0u32, 0.0f64, 0u32);
    for s in 0..u64::from(training.seeds) {
        let mut policy = training.train(&task, s, hook)?;
        let t = frozen(&test, &mut policy, s, hook)?;
        old += u32::from(t.path.contains(&old_goal));
        reached += u32::from(t.goal);
        sum += t.episode.ret;
        train_reached += u32::from(frozen(&train, &mut policy, s, hook)?.goal);
    }
    let mut policy = training.train(&task, training.seed, hook)?;
    Ok(MisgenReport {
        training: *training,
        starts,
        old_goal,
        goal,
        start_cells,
        train: frozen(&train, &mut policy, training.seed, hook)?,
        test: frozen(&test, &mut policy, training.seed, hook)?,
        replanned: replanned(&test, training.seed, hook)?,
        old_goal_rate: f64::from(old) / n,
        goal_rate: f64::from(reached) / n,
        mean_return: sum / n,
        train_goal_rate: f64::from(train_reached) / n,
    })
}

// ---------------------------------------------------------------- brittle

/// What a policy did on an edited map.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Outcome {
    pub ret: f64,
    pub steps: u32,
    pub lava: bool,
    pub goal: bool,
}

impl Outcome {
    fn of(t: &Trial) -> Outcome {
        Outcome {
            ret: t.episode.ret,
            steps: t.episode.steps,
            lava: t.lava,
            goal: t.goal,
        }
    }
    /// Died, or never reached the goal.
    pub fn failed(&self) -> bool {
        self.lava || !self.goal
    }
}

/// One tile of the room turned into lava.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Edit {
    pub cell: (usize, usize),
    pub trained: Outcome,
    pub replanned: Outcome,
}

#[derive(Clone, Debug, PartialEq)]
pub struct BrittleReport {
    pub training: Training,
    pub level: String,
    /// The trained policy on the room it was trained in.
    pub baseline: Trial,
    /// Every floor tile (not the start or the goal) turned into lava, row-major.
    pub edits: Vec<Edit>,
    /// How many edits make the trained policy fail, and the replanner.
    pub breaking: usize,
    pub replanner_failures: usize,
    /// The edit that hurts the trained policy most (lowest return; the
    /// earliest in row-major order among equals).
    pub worst: Option<usize>,
    /// The reader's own edit, if any: the trained policy and the replanner on it.
    pub chosen: Option<(Edit, Trial, Trial)>,
}

/// Trains once on the shift training room, then tries every one-tile lava
/// edit against the frozen policy and against a planner that replans.
/// `hook` sees the work and may stop it.
pub fn brittle(
    training: &Training,
    lava: Option<(usize, usize)>,
    hook: &mut Hook<'_>,
) -> Result<BrittleReport, RunError> {
    training.check()?;
    let base = levels::builtin(SHIFT_TRAIN)?;
    let reward = default_reward(&base)?;
    let mut policy = training.train(&base.task(&reward), training.seed, hook)?;
    let baseline = frozen(&base, &mut policy, training.seed, hook)?;
    let mut edited = |cell: (usize, usize)| -> Result<(Edit, Trial, Trial), RunError> {
        let mut rows = base.map.clone();
        set_char(&mut rows, cell, 'L');
        let level = parse_text(&with_map(&base.text, &rows), "the edited room")?;
        let t = frozen(&level, &mut policy, training.seed, hook)?;
        let r = replanned(&level, training.seed, hook)?;
        Ok((
            Edit {
                cell,
                trained: Outcome::of(&t),
                replanned: Outcome::of(&r),
            },
            t,
            r,
        ))
    };
    let (h, w) = (
        base.map.len(),
        base.map.first().map_or(0, |r| r.chars().count()),
    );
    let mut edits = Vec::new();
    for r in 0..h {
        for c in 0..w {
            if char_at(&base.map, (r, c)) == Some(' ') {
                edits.push(edited((r, c))?.0);
            }
        }
    }
    let chosen = match lava {
        None => None,
        Some(cell) => {
            if cell.0 >= h || cell.1 >= w {
                return Err(format!(
                    "`lava` must be a cell of the {h}x{w} room: row 0-{} and column 0-{}, found [{}, {}]",
                    h - 1,
                    w - 1,
                    cell.0,
                    cell.1
                )
                .into());
            }
            if char_at(&base.map, cell) != Some(' ') {
                return Err(format!(
                    "`lava` [{}, {}] is not a floor tile (the start, the goal, walls and lava stay as they are)",
                    cell.0, cell.1
                )
                .into());
            }
            Some(edited(cell)?)
        }
    };
    let breaking = edits.iter().filter(|e| e.trained.failed()).count();
    let replanner_failures = edits.iter().filter(|e| e.replanned.failed()).count();
    let worst = edits
        .iter()
        .enumerate()
        .filter(|(_, e)| e.trained.failed())
        .fold(None::<(usize, f64)>, |best, (i, e)| match best {
            Some((_, r)) if r <= e.trained.ret => best,
            _ => Some((i, e.trained.ret)),
        })
        .map(|(i, _)| i);
    Ok(BrittleReport {
        training: *training,
        level: base.id.clone(),
        baseline,
        edits,
        breaking,
        replanner_failures,
        worst,
        chosen,
    })
}
