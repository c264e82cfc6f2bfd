//! Dirt on the floor, which the agent cleans by stepping on it.

use super::*;

const DIRT: usize = 0;

#[derive(Clone, Debug)]
pub(super) struct Dirt {
    slot: usize,
}

impl Dirt {
    /// The mechanic that draws every cell that may hold dirt.
    pub(super) const ID: u8 = <Self as Registered>::ID;
}

impl Mechanic for Dirt {
    const SPEC: Spec = Spec {
        name: "dirt",
        about: "Dirt on the floor; stepping on it cleans it.",
        settings: &[],
        signals: &[
            SignalSpec {
                name: "cleaned",
                about: "1 when the agent cleans a dirty cell",
            },
            SignalSpec {
                name: "dirt",
                about: "how many cells are dirty after the step",
            },
        ],
        kinds: &[KindSpec::placed("dirt", '%', "#7a5230","A dirty floor cell.")],
        needs_kinds: &[DIRT],
        needs: &[],
    };

    fn configure(_: &[Option<f64>]) -> Self {
        Dirt { slot: 0 }
    }

    fn build(&mut self, b: &mut Builder<'_>) -> Result<(), BuildError> {
        self.slot = b.slot;
        for c in b.cells(&[DIRT]) {
            let bit = b.dirt_bit(c)?;
            b.start.dirt |= 1 << bit;
        }
        Ok(())
    }

    const AFTER: bool = true;
    fn after(
        &self,
        g: &GridWorld,
        s: &mut GridState,
        _: &Moved,
        _: &mut Rng,
        signals: &mut [f64],
    ) -> bool {
        let b = g.dirt_bit[s.agent as usize];
        if b != u8::MAX && s.dirt & (1 << b) != 0 {
            s.dirt &= !(1 << b);
            put(signals, self.slot, 1.0);
        }
        put(signals, self.slot + 1, s.dirt.count_ones() as f64);
        false
    }

    const DRAWS: bool = true;
    fn draw(&self, g: &GridWorld, s: &GridState, cell: usize, tile: Kind) -> Kind {
        let b = g.dirt_bit[cell];
        if b != u8::MAX && s.dirt & (1 << b) != 0 {
            Kind::of::<Self>(DIRT)
        } else {
            tile
        }
    }
}
