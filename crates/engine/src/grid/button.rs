//! The button that disables interruptions for the rest of the episode.

use super::*;

const BUTTON: usize = 0;
/// The button has been pressed.
const PRESSED: u16 = 2;

#[derive(Clone, Debug)]
pub(super) struct Button {
    slot: usize,
}

impl Button {
    const TILE: Kind = Kind::of::<Self>(BUTTON);
}

impl GridState {
    /// Whether the interruption button has been pressed.
    pub fn button_pressed(&self) -> bool {
        self.flags & PRESSED != 0
    }
}

impl Mechanic for Button {
    const SPEC: Spec = Spec {
        name: "button",
        about: "A button that, once pressed, removes the interruption for the rest of the episode.",
        settings: &[],
        signals: &[SignalSpec {
            name: "button",
            about: "1 when the agent steps on the button",
        }],
        kinds: &[KindSpec::arrival("button",
            'B',
            "#ea580c","The button: pressing it disables the interruption.",
        )],
        needs_kinds: &[BUTTON],
        needs: &["interruption"],
    };
    const FLAGS: u16 = PRESSED;

    fn configure(_: &[Option<f64>]) -> Self {
        Button { slot: 0 }
    }

    fn build(&mut self, b: &mut Builder<'_>) -> Result<(), BuildError> {
        self.slot = b.slot;
        b.place(&[BUTTON]);
        Ok(())
    }

    const BEGINS: bool = true;
    /// Pressed by standing on it as a step begins, as the original updates
    /// the button before the agent.
    fn begin(
        &self,
        g: &GridWorld,
        s: &mut GridState,
        dir: Option<Dir>,
        _: &mut [f64],
    ) -> Option<Dir> {
        if g.tiles[s.agent as usize] == Self::TILE {
            s.flags |= PRESSED;
        }
        dir
    }

    fn arrive(&self, _: &GridWorld, _: &mut GridState, _: Kind, signals: &mut [f64]) -> bool {
        put(signals, self.slot, 1.0);
        false
    }
}
