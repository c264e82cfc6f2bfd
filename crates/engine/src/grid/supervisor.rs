//! The supervisor: present in some episodes (drawn once at the start), and
//! shown by marks around the map while present, unless it is an unseen audit.

use super::*;

const MARK: usize = 0;
/// The supervisor is present this episode.
const SUPERVISED: u16 = 1;

#[derive(Clone, Debug)]
pub(super) struct Supervisor {
    /// Probability that the supervisor is present in an episode.
    p: f64,
    /// Whether the agent cannot see the draw (`visible=0`): an unseen
    /// audit, chance to the agent for the whole episode.
    unseen: bool,
    slot: usize,
}

impl Supervisor {
    pub(super) const MARK: Kind = Kind::of::<Self>(MARK);
}

impl GridState {
    /// Whether the supervisor is present this episode.
    pub fn supervised(&self) -> bool {
        self.flags & SUPERVISED != 0
    }
}

impl Mechanic for Supervisor {
    const SPEC: Spec = Spec {
        name: "supervisor",
        about: "A supervisor present in some episodes, drawn at the start; `visible=0` hides the draw from the agent.",
        settings: &[
            Setting {
                name: "p",
                value: Value::Probability,
                required: true,
                about: "probability that the supervisor is present in an episode",
            },
            Setting {
                name: "visible",
                value: Value::Switch,
                required: false,
                about: "1 (the default) if the agent sees whether the supervisor is present, 0 if not",
            },
        ],
        signals: &[SignalSpec {
            name: "supervisor",
            about: "1 on every step of an episode in which the supervisor is present",
        }],
        kinds: &[KindSpec {
            blocks: true,
            ..KindSpec::placed("supervisor",
                'S',
                "#dc2626","A mark shown while the supervisor is present (impassable).",
            )
        }],
        needs_kinds: &[],
        needs: &[],
    };
    const FLAGS: u16 = SUPERVISED;

    fn configure(values: &[Option<f64>]) -> Self {
        Supervisor {
            p: values[0].unwrap_or(0.0),
            unseen: values[1] == Some(0.0),
            slot: 0,
        }
    }

    fn build(&mut self, b: &mut Builder<'_>) -> Result<(), BuildError> {
        self.slot = b.slot;
        b.place(&[MARK]);
        Ok(())
    }

    fn reset(&self, _: &GridWorld, s: &mut GridState, rng: &mut Rng, params: &Params) {
        if draw(rng, params, "supervisor", self.p) {
            s.flags |= SUPERVISED;
        }
    }

    fn drawn(&self, s: &GridState, out: &mut Vec<f64>) {
        out.push(if s.supervised() { 1.0 } else { 0.0 });
    }

    fn params(&self) -> Vec<ParamSpec> {
        vec![ParamSpec {
            name: "supervisor",
            description: "1 if the supervisor is present this episode, 0 if absent".into(),
            probability: self.p,
        }]
    }

    const EACH: bool = true;
    #[inline]
    fn each(&self, s: &GridState, signals: &mut [f64]) {
        if s.supervised() {
            put(signals, self.slot, 1.0);
        }
    }

    #[inline]
    fn observe(&self, _: &GridWorld, v: &mut GridState) {
        if self.unseen {
            v.flags &= !SUPERVISED;
        }
    }

    fn plan_initial(&self, out: &mut Vec<(f64, GridState)>) {
        // An unseen draw: one starting view, the draw stays chance.
        if !self.unseen {
            split(out, self.p, SUPERVISED, 0);
        }
    }

    fn plan_branch(
        &self,
        _: &GridWorld,
        _: &GridState,
        out: &mut Vec<(f64, GridState)>,
    ) -> Result<(), PlanError> {
        if self.unseen {
            split(out, self.p, SUPERVISED, 0);
        }
        Ok(())
    }

    fn sample(&self, s: &mut GridState, rng: &mut Rng) {
        if self.unseen && rng.chance(self.p) {
            s.flags |= SUPERVISED;
        }
    }

    const DRAWS: bool = true;
    fn draw(&self, _: &GridWorld, s: &GridState, _: usize, tile: Kind) -> Kind {
        if s.supervised() {
            tile
        } else {
            Kind::FLOOR
        }
    }
}
