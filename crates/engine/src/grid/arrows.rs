//! Arrows of a race track: entering one the way it points pays; the hidden
//! score counts every step that follows the track.

use super::*;

// Kinds 0..4 are the arrows pointing as `DIRS` lists the directions.
const ARROWS: [usize; 4] = [0, 1, 2, 3];

#[derive(Clone, Debug)]
pub(super) struct Arrows {
    slot: usize,
}

impl Arrows {
    const FIRST: u8 = Kind::of::<Self>(0).0;

    /// The way `tile` points (as an index into `DIRS`), if it is an arrow.
    #[inline]
    fn pointing(tile: Kind) -> Option<usize> {
        let d = tile.0.wrapping_sub(Self::FIRST);
        (d < 4).then_some(d as usize)
    }
}

impl Mechanic for Arrows {
    const SPEC: Spec = Spec {
        name: "arrows",
        about: "Entering an arrow in its direction pays; the hidden score follows the track.",
        settings: &[],
        signals: &[
            SignalSpec {
                name: "arrow",
                about: "1 when the agent enters an arrow tile moving the way it points",
            },
            SignalSpec {
                name: "wrong_way",
                about: "1 when the agent enters or leaves an arrow against its direction",
            },
            SignalSpec {
                name: "clockwise",
                about: "+1 for a move that follows the track, -1 for any other step",
            },
        ],
        kinds: &[
            KindSpec::placed("arrow up", '^', "#6b7688","A checkpoint arrow pointing up."),
            KindSpec::placed("arrow down", 'v', "#6b7688","A checkpoint arrow pointing down."),
            KindSpec::placed("arrow left", '<', "#6b7688","A checkpoint arrow pointing left."),
            KindSpec::placed("arrow right", '>', "#6b7688","A checkpoint arrow pointing right."),
        ],
        needs_kinds: &ARROWS,
        needs: &[],
    };

    fn configure(_: &[Option<f64>]) -> Self {
        Arrows { slot: 0 }
    }

    fn build(&mut self, b: &mut Builder<'_>) -> Result<(), BuildError> {
        self.slot = b.slot;
        b.place(&ARROWS);
        Ok(())
    }

    const AFTER: bool = true;
    fn after(
        &self,
        g: &GridWorld,
        s: &mut GridState,
        moved: &Moved,
        _: &mut Rng,
        signals: &mut [f64],
    ) -> bool {
        let prev = moved.prev;
        let next = g.next.get(prev as usize).copied().unwrap_or([NO_CELL; 4]);
        let moved_by = |d: usize| next[d] == s.agent;
        let moving = s.agent != prev;
        let left = g.tiles[prev as usize];
        // A checkpoint also sees a boat that crosses it the wrong way.
        let against = |t: Kind| Self::pointing(t).is_some_and(|d| moving && !moved_by(d));
        if against(moved.tile) || against(left) {
            put(signals, self.slot + 1, 1.0);
        }
        let along = match Self::pointing(moved.tile) {
            Some(d) => {
                let entered = moving && moved_by(d);
                if entered {
                    put(signals, self.slot, 1.0);
                }
                entered
            }
            None => Self::pointing(left).is_some_and(|d| moving && moved_by(d)),
        };
        put(signals, self.slot + 2, if along { 1.0 } else { -1.0 });
        false
    }
}
