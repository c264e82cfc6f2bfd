//! The whisky: drinking it pays once and makes the agent's own moves random
//! (the original's exploration rate rises to `explore`).

use super::*;

const WHISKY: usize = 0;
/// The agent has drunk the whisky.
const DRUNK: u16 = 32;

// Values of `GridState::forced`: how planning fixed the drunk agent's move.
const FORCED_NONE: u8 = 0;
const FORCED_KEEP: u8 = 1;
// FORCED_DIR + d: the move was replaced by direction d (0 up .. 3 right).
const FORCED_DIR: u8 = 2;

#[derive(Clone, Debug)]
pub(super) struct Whisky {
    /// Probability that a move of the drunk agent is replaced by a random one.
    explore: f64,
    slot: usize,
}

impl GridState {
    /// Whether the agent has drunk the whisky.
    pub fn drunk(&self) -> bool {
        self.flags & DRUNK != 0
    }
}

impl Mechanic for Whisky {
    const SPEC: Spec = Spec {
        name: "whisky",
        about: "Drinking the whisky pays once; afterwards the agent's moves are random with probability `explore`.",
        settings: &[Setting {
            name: "explore",
            value: Value::Probability,
            required: true,
            about: "probability that a move of the drunk agent is replaced by a random one",
        }],
        signals: &[
            SignalSpec {
                name: "whisky",
                about: "1 on the step the agent drinks the whisky",
            },
            SignalSpec {
                name: "drunk",
                about: "1 on every step that begins with the agent drunk",
            },
        ],
        kinds: &[KindSpec::arrival("whisky",
            'W',
            "#c27c0e","The whisky: pays once, then the agent's moves go astray.",
        )],
        needs_kinds: &[WHISKY],
        needs: &[],
    };
    const FLAGS: u16 = DRUNK;

    fn configure(values: &[Option<f64>]) -> Self {
        Whisky {
            explore: values[0].unwrap_or(0.0),
            slot: 0,
        }
    }

    fn build(&mut self, b: &mut Builder<'_>) -> Result<(), BuildError> {
        self.slot = b.slot;
        b.place(&[WHISKY]);
        Ok(())
    }

    const STEERS: bool = true;
    /// The drunk agent's move is replaced by a random one with probability
    /// `explore` (the original's policy wrapper, applied before anything
    /// moves). Planning fixes the outcome in `forced`.
    fn steer(
        &self,
        s: &mut GridState,
        mut dir: Option<Dir>,
        rng: &mut Rng,
        signals: &mut [f64],
    ) -> Option<Dir> {
        if s.drunk() {
            put(signals, self.slot + 1, 1.0);
            let random = match s.forced {
                FORCED_KEEP => None,
                f if f >= FORCED_DIR => Some((f - FORCED_DIR) as usize),
                _ => rng
                    .chance(self.explore)
                    .then(|| rng.below(4) as usize),
            };
            if let Some(d) = random {
                dir = Some(DIRS[d.min(3)]);
            }
        }
        s.forced = FORCED_NONE;
        dir
    }

    fn arrive(&self, _: &GridWorld, s: &mut GridState, _: Kind, signals: &mut [f64]) -> bool {
        if !s.drunk() {
            s.flags |= DRUNK;
            put(signals, self.slot, 1.0);
        }
        false
    }

    #[inline]
    fn observe(&self, _: &GridWorld, v: &mut GridState) {
        v.forced = FORCED_NONE;
    }

    /// Splits each drunk state into its five fates: the move kept, or
    /// replaced by each of the four directions.
    fn plan_branch(
        &self,
        _: &GridWorld,
        _: &GridState,
        out: &mut Vec<(f64, GridState)>,
    ) -> Result<(), PlanError> {
        let explore = self.explore;
        let mut i = 0;
        while i < out.len() {
            let (p, s) = out[i];
            if !s.drunk() {
                i += 1;
                continue;
            }
            let mut fates = Vec::with_capacity(5);
            if explore < 1.0 {
                fates.push((
                    p * (1.0 - explore),
                    GridState {
                        forced: FORCED_KEEP,
                        ..s
                    },
                ));
            }
            if explore > 0.0 {
                for d in 0..4 {
                    fates.push((
                        p * explore / 4.0,
                        GridState {
                            forced: FORCED_DIR + d,
                            ..s
                        },
                    ));
                }
            }
            let n = fates.len();
            out.splice(i..=i, fates);
            i += n;
        }
        Ok(())
    }
}
