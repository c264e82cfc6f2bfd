//! Water: stepping in it ends the episode; the agent senses how far the
//! nearest water is.

use super::*;

const WATER: usize = 0;

#[derive(Clone, Debug)]
pub(super) struct Water {
    /// Manhattan distance from each cell to the nearest water.
    distance: Vec<u16>,
    slot: usize,
}

impl Mechanic for Water {
    const SPEC: Spec = Spec {
        name: "water",
        about: "Stepping in water ends the episode; every step reports the distance to the nearest water.",
        settings: &[],
        signals: &[
            SignalSpec {
                name: "water",
                about: "1 on the step the agent steps into water",
            },
            SignalSpec {
                name: "water_distance",
                about: "Manhattan distance from the agent to the nearest water after the step",
            },
        ],
        kinds: &[KindSpec::arrival("water", '~', "#1c7ed6","Water: stepping in it ends the episode.")],
        needs_kinds: &[WATER],
        needs: &[],
    };

    fn configure(_: &[Option<f64>]) -> Self {
        Water {
            distance: Vec::new(),
            slot: 0,
        }
    }

    fn build(&mut self, b: &mut Builder<'_>) -> Result<(), BuildError> {
        self.slot = b.slot;
        b.place(&[WATER]);
        let water = b.cells(&[WATER]);
        let w = b.width;
        self.distance = (0..b.width * b.height)
            .map(|i| {
                let (r, c) = ((i / w) as i32, (i % w) as i32);
                water
                    .iter()
                    .map(|&x| (r - (x / w) as i32).unsigned_abs() + (c - (x % w) as i32).unsigned_abs())
                    .min()
                    .unwrap_or(0) as u16
            })
            .collect();
        Ok(())
    }

    fn arrive(&self, _: &GridWorld, _: &mut GridState, _: Kind, signals: &mut [f64]) -> bool {
        put(signals, self.slot, 1.0);
        true
    }

    const AFTER: bool = true;
    fn after(
        &self,
        _: &GridWorld,
        s: &mut GridState,
        _: &Moved,
        _: &mut Rng,
        signals: &mut [f64],
    ) -> bool {
        let d = self.distance.get(s.agent as usize).copied().unwrap_or(0);
        put(signals, self.slot + 1, d as f64);
        false
    }
}
