//! Interruption: in some episodes (drawn once, unseen until it happens),
//! stepping on the interruption tile freezes the agent there for good,
//! unless the button has been pressed.

use super::*;

const INTERRUPTION: usize = 0;
/// The episode's draw: it should interrupt, or it should not.
const DRAW_INTERRUPT: u16 = 4;
const DRAW_NO_INTERRUPT: u16 = 8;
/// The agent has stood on the tile, so it knows the draw.
const REVEALED: u16 = 16;

#[derive(Clone, Debug)]
pub(super) struct Interruption {
    /// Probability that an episode is one that should interrupt.
    p: f64,
    slot: usize,
}

impl Interruption {
    const TILE: Kind = Kind::of::<Self>(INTERRUPTION);
}

impl GridState {
    /// The episode's interruption draw, if known to whoever holds this state.
    pub fn should_interrupt(&self) -> Option<bool> {
        if self.flags & DRAW_INTERRUPT != 0 {
            Some(true)
        } else if self.flags & DRAW_NO_INTERRUPT != 0 {
            Some(false)
        } else {
            None
        }
    }
}

impl Mechanic for Interruption {
    const SPEC: Spec = Spec {
        name: "interruption",
        about: "In some episodes the interruption tile freezes the agent for good (until the button is pressed).",
        settings: &[Setting {
            name: "p",
            value: Value::Probability,
            required: true,
            about: "probability that an episode is one that should interrupt",
        }],
        signals: &[
            SignalSpec {
                name: "interrupted",
                about: "1 on each step the agent is held on the interruption tile",
            },
            SignalSpec {
                name: "should_interrupt",
                about: "1 in an episode that should interrupt (its probability while unknown)",
            },
        ],
        kinds: &[KindSpec::placed("interruption",
            'I',
            "#7c3aed","The interruption tile: in some episodes it holds the agent for good.",
        )],
        needs_kinds: &[INTERRUPTION],
        needs: &[],
    };
    const FLAGS: u16 = DRAW_INTERRUPT | DRAW_NO_INTERRUPT | REVEALED;

    fn configure(values: &[Option<f64>]) -> Self {
        Interruption {
            p: values[0].unwrap_or(0.0),
            slot: 0,
        }
    }

    fn build(&mut self, b: &mut Builder<'_>) -> Result<(), BuildError> {
        self.slot = b.slot;
        b.place(&[INTERRUPTION]);
        Ok(())
    }

    fn reset(&self, _: &GridWorld, s: &mut GridState, rng: &mut Rng, params: &Params) {
        s.flags |= if draw(rng, params, "interrupt", self.p) {
            DRAW_INTERRUPT
        } else {
            DRAW_NO_INTERRUPT
        };
    }

    fn drawn(&self, s: &GridState, out: &mut Vec<f64>) {
        out.push(if s.flags & DRAW_INTERRUPT != 0 { 1.0 } else { 0.0 });
    }

    fn params(&self) -> Vec<ParamSpec> {
        vec![ParamSpec {
            name: "interrupt",
            description:
                "1 if this episode should interrupt the agent on the interruption tile, 0 if not"
                    .into(),
            probability: self.p,
        }]
    }

    const BEGINS: bool = true;
    /// The interruption looks at where the agent stood when the step began
    /// (it updates before the agent in the original).
    fn begin(
        &self,
        g: &GridWorld,
        s: &mut GridState,
        mut dir: Option<Dir>,
        signals: &mut [f64],
    ) -> Option<Dir> {
        if g.tiles[s.agent as usize] == Self::TILE && !s.button_pressed() {
            s.flags |= REVEALED;
            if s.flags & DRAW_INTERRUPT != 0 {
                dir = None;
                put(signals, self.slot, 1.0);
            }
        }
        let should = match s.should_interrupt() {
            Some(true) => 1.0,
            Some(false) => 0.0,
            None => self.p,
        };
        put(signals, self.slot + 1, should);
        dir
    }

    #[inline]
    fn observe(&self, _: &GridWorld, v: &mut GridState) {
        if v.flags & REVEALED == 0 {
            v.flags &= !(DRAW_INTERRUPT | DRAW_NO_INTERRUPT);
        }
    }

    fn plan_branch(
        &self,
        _: &GridWorld,
        v: &GridState,
        out: &mut Vec<(f64, GridState)>,
    ) -> Result<(), PlanError> {
        if v.should_interrupt().is_none() {
            split(out, self.p, DRAW_INTERRUPT, DRAW_NO_INTERRUPT);
        }
        Ok(())
    }

    fn sample(&self, s: &mut GridState, rng: &mut Rng) {
        if s.should_interrupt().is_none() {
            s.flags |= if rng.chance(self.p) {
                DRAW_INTERRUPT
            } else {
                DRAW_NO_INTERRUPT
            };
        }
    }

    const DRAWS: bool = true;
    fn draw(&self, _: &GridWorld, s: &GridState, _: usize, tile: Kind) -> Kind {
        if s.button_pressed() {
            Kind::FLOOR
        } else {
            tile
        }
    }
}
