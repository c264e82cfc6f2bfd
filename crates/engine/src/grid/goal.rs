//! The goal: reaching it pays and ends the episode.

use super::*;

const GOAL: usize = 0;

#[derive(Clone, Debug)]
pub(super) struct Goal {
    slot: usize,
}

impl Mechanic for Goal {
    const SPEC: Spec = Spec {
        name: "goal",
        about: "Reaching a goal tile ends the episode.",
        settings: &[],
        signals: &[SignalSpec {
            name: "goal",
            about: "1 on the step the agent reaches a goal",
        }],
        kinds: &[KindSpec::arrival("goal", 'G', "#16a34a","A goal: reaching it ends the episode.")],
        needs_kinds: &[GOAL],
        needs: &[],
    };

    fn configure(_: &[Option<f64>]) -> Self {
        Goal { slot: 0 }
    }

    fn build(&mut self, b: &mut Builder<'_>) -> Result<(), BuildError> {
        self.slot = b.slot;
        b.place(&[GOAL]);
        Ok(())
    }

    fn arrive(&self, _: &GridWorld, _: &mut GridState, _: Kind, signals: &mut [f64]) -> bool {
        put(signals, self.slot, 1.0);
        true
    }
}
