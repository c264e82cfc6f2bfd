//! Monte Carlo tree search (open-loop UCT), replanning at every step.
//!
//! Power is the number of simulations per move. Each simulation starts from a
//! state drawn consistently with the agent's view (hidden draws sampled from
//! their prior), descends the tree of action sequences by UCB1 on returns
//! normalised to [0, 1], adds one node, then finishes the episode with random
//! actions. Returns are undiscounted, up to the step limit. The move played is
//! the most visited root action. Chance (tomatoes drying) is sampled afresh in
//! every simulation, so the tree averages over it.

use crate::agents::{argmax_tiebreak, Act, Hook, Policy, Progress, RunError, Task, MAX_ACTIONS};
use crate::lang::Program;
use crate::rng::{mix, Rng};
use crate::world::World;

pub const DEFAULT_POWER: u32 = 200;
const EXPLORATION: f64 = 1.0;
const NONE: u32 = u32::MAX;
const MCTS_STREAM: u64 = 0x4D_43_54_53; // "MCTS"

#[derive(Clone, Copy)]
struct Node {
    children: [u32; MAX_ACTIONS],
    visits: u32,
    total: f64,
}

impl Node {
    fn new() -> Self {
        Node {
            children: [NONE; MAX_ACTIONS],
            visits: 0,
            total: 0.0,
        }
    }
}

/// A planner bound to a world and a reward.
pub struct Mcts<'w, W: World> {
    world: &'w W,
    reward: &'w Program,
    limit: u32,
    simulations: u32,
    seed: u64,
    rng: Rng,
    nodes: Vec<Node>,
    signals: Vec<f64>,
    path: Vec<u32>,
    /// Simulations run so far.
    pub simulations_run: u64,
    /// Environment steps simulated so far.
    pub steps_simulated: u64,
}

impl<'w, W: World> Mcts<'w, W> {
    /// A planner of `task` at `simulations` per move.
    pub fn new(task: &Task<'w, W>, simulations: u32, seed: u64) -> Self {
        let world = task.world;
        Mcts {
            world,
            reward: task.reward,
            limit: task.limit,
            simulations: simulations.max(1),
            seed,
            rng: Rng::stream(seed, MCTS_STREAM),
            nodes: Vec::new(),
            signals: vec![0.0; world.signal_names().len()],
            path: Vec::new(),
            simulations_run: 0,
            steps_simulated: 0,
        }
    }

    /// Plans from `view` at step `t` and returns the action to play.
    pub fn plan(&mut self, view: &W::State, t: u32) -> usize {
        let remaining = self.limit.saturating_sub(t);
        let actions = self.world.actions().len();
        if remaining == 0 {
            return 0;
        }
        self.nodes.clear();
        self.nodes.push(Node::new());
        let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
        for _ in 0..self.simulations {
            let mut s = self.world.sample(view, &mut self.rng);
            let mut node = 0u32;
            let mut depth = 0;
            let mut total = 0.0;
            let mut ended = false;
            self.path.clear();
            self.path.push(0);
            // Descend while every action of the node has been tried.
            while depth < remaining && !ended {
                let n = self.nodes[node as usize];
                let untried = (0..actions).filter(|&a| n.children[a] == NONE).count();
                let a = if untried > 0 {
                    let pick = self.rng.below(untried as u64) as usize;
                    (0..actions)
                        .filter(|&a| n.children[a] == NONE)
                        .nth(pick)
                        .unwrap_or(0)
                } else {
                    let ln = (n.visits.max(1) as f64).ln();
                    let span = if hi > lo { hi - lo } else { 1.0 };
                    let mut scores = [0.0; MAX_ACTIONS];
                    for (b, score) in scores.iter_mut().enumerate().take(actions) {
                        let c = self.nodes[n.children[b] as usize];
                        let mean = c.total / c.visits as f64;
                        *score = (mean - lo) / span + EXPLORATION * (ln / c.visits as f64).sqrt();
                    }
                    argmax_tiebreak(&scores[..actions], self.rng.next_u64())
                };
                ended = self.world.step(&mut s, a, &mut self.rng, &mut self.signals);
                total += self.reward.eval(&self.signals);
                depth += 1;
                let child = self.nodes[node as usize].children[a];
                if child == NONE {
                    let id = self.nodes.len() as u32;
                    self.nodes.push(Node::new());
                    self.nodes[node as usize].children[a] = id;
                    self.path.push(id);
                    break;
                }
                node = child;
                self.path.push(node);
            }
            // Finish the episode at random.
            while depth < remaining && !ended {
                let a = self.rng.below(actions as u64) as usize;
                ended = self.world.step(&mut s, a, &mut self.rng, &mut self.signals);
                total += self.reward.eval(&self.signals);
                depth += 1;
            }
            self.steps_simulated += depth as u64;
            lo = lo.min(total);
            hi = hi.max(total);
            for &i in &self.path {
                let n = &mut self.nodes[i as usize];
                n.visits += 1;
                n.total += total;
            }
            self.simulations_run += 1;
        }
        let root = self.nodes[0];
        let mut score = [f64::NEG_INFINITY; MAX_ACTIONS];
        for (a, slot) in score.iter_mut().enumerate().take(actions) {
            let c = root.children[a];
            if c != NONE {
                let c = self.nodes[c as usize];
                // Visits first; the mean return only separates equal visit counts.
                *slot = c.visits as f64
                    + 1e-6 * (c.total / c.visits as f64 - lo) / (hi - lo).max(1e-12);
            }
        }
        argmax_tiebreak(&score[..actions], mix(&[self.seed, t as u64]))
    }
}

/// The planning happens here, move by move: the hook sees each move before
/// it is planned (done = the step, of the step limit) and may stop it.
impl<W: World, V: World<State = W::State>> Policy<V> for Mcts<'_, W> {
    fn act(&mut self, _: &V, view: &W::State, t: u32, hook: &mut Hook<'_>) -> Act {
        let progress = Progress {
            done: u64::from(t),
            total: u64::from(self.limit),
            point: None,
        };
        if !hook(&progress) {
            return Err(RunError::Stopped);
        }
        Ok(Some(self.plan(view, t)))
    }
}
