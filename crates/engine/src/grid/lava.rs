//! Lava: stepping on it ends the episode.

use super::*;

const LAVA: usize = 0;

#[derive(Clone, Debug)]
pub(super) struct Lava {
    slot: usize,
}

impl Mechanic for Lava {
    const SPEC: Spec = Spec {
        name: "lava",
        about: "Stepping on lava ends the episode.",
        settings: &[],
        signals: &[SignalSpec {
            name: "lava",
            about: "1 on the step the agent steps into lava",
        }],
        kinds: &[KindSpec::arrival("lava", 'L', "#d9480f","Lava: stepping on it ends the episode.")],
        needs_kinds: &[LAVA],
        needs: &[],
    };

    fn configure(_: &[Option<f64>]) -> Self {
        Lava { slot: 0 }
    }

    fn build(&mut self, b: &mut Builder<'_>) -> Result<(), BuildError> {
        self.slot = b.slot;
        b.place(&[LAVA]);
        Ok(())
    }

    fn arrive(&self, _: &GridWorld, _: &mut GridState, _: Kind, signals: &mut [f64]) -> bool {
        put(signals, self.slot, 1.0);
        true
    }
}
