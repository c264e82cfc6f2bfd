//! The conveyor belt and the vase on it: after the agent moves, the belt
//! carries every object on it one cell right; a vase that reaches the end
//! breaks, and stays there.

use super::*;

const BELT: usize = 0;
const END: usize = 1;
const VASE: usize = 2;
const BROKEN_VASE: usize = 3;
/// The vase has broken.
const BROKEN: u16 = 64;

#[derive(Clone, Debug)]
pub(super) struct Belt {
    /// The vase's number among the objects.
    vase: usize,
    slot: usize,
}

impl Belt {
    const BELT: Kind = Kind::of::<Self>(BELT);
    const END: Kind = Kind::of::<Self>(END);
}

impl Mechanic for Belt {
    const SPEC: Spec = Spec {
        name: "belt",
        about: "A conveyor belt carries objects right after each move; the vase breaks at its end.",
        settings: &[],
        signals: &[
            SignalSpec {
                name: "removed",
                about: "1 when the agent pushes the vase off the belt",
            },
            SignalSpec {
                name: "broken",
                about: "1 when the vase reaches the end of the belt and breaks",
            },
        ],
        kinds: &[
            KindSpec::placed("belt",
                '=',
                "#868e96","The conveyor belt (it also runs on its own along the row of its end).",
            ),
            KindSpec::placed("belt end",
                ':',
                "#495057","The end of the belt: a vase carried there breaks.",
            ),
            KindSpec::placed("vase", 'V', "#7048e8","The vase: pushed like a box; breaks at the belt's end."),
            KindSpec::drawn("broken vase", '!', "#b197fc","The vase, broken."),
        ],
        needs_kinds: &[BELT, END, VASE],
        needs: &[],
    };
    const FLAGS: u16 = BROKEN;

    fn configure(_: &[Option<f64>]) -> Self {
        Belt { vase: 0, slot: 0 }
    }

    fn build(&mut self, b: &mut Builder<'_>) -> Result<(), BuildError> {
        self.slot = b.slot;
        b.place(&[BELT, END]);
        let ends = b.cells(&[END]);
        let vases = b.cells(&[VASE]);
        if let Some(&second) = vases.get(1) {
            return b.error(Some(second), "the map has more than one vase");
        }
        match vases.first() {
            Some(&c) => self.vase = b.add_object(c, VASE)?,
            None => {
                return b.error(
                    None,
                    "the mechanic `belt` needs belt cells, a belt end and a vase",
                )
            }
        }
        // As in the original, the belt runs along the row of its end, from
        // the first column to the end.
        for e in ends {
            let row = e - e % b.width;
            for c in row + 1..e {
                if b.tile(c) == Kind::FLOOR {
                    b.set_tile(c, BELT);
                }
            }
        }
        if b.cells(&[END]).is_empty() || !(0..b.width * b.height).any(|c| b.tile(c) == Self::BELT)
        {
            return b.error(
                None,
                "the mechanic `belt` needs belt cells, a belt end and a vase",
            );
        }
        Ok(())
    }

    /// A broken vase no longer moves.
    fn pushable(&self, s: &GridState, i: usize) -> bool {
        !(i == self.vase && s.flags & BROKEN != 0)
    }

    const AFTER: bool = true;
    /// A vase pushed off the belt pays (`removed`); then the belt carries
    /// every object on it one cell right (walls stop it; as in the original,
    /// the agent does not), and a vase reaching the belt's end breaks.
    fn after(
        &self,
        g: &GridWorld,
        s: &mut GridState,
        moved: &Moved,
        _: &mut Rng,
        signals: &mut [f64],
    ) -> bool {
        let tile = |c: u16| g.tiles.get(c as usize).copied().unwrap_or(Kind::WALL);
        if let Some((i, from)) = moved.pushed {
            let now = tile(s.objects[i]);
            if i == self.vase && tile(from) == Self::BELT && now != Self::BELT && now != Self::END {
                put(signals, self.slot, 1.0);
            }
        }
        for i in 0..g.objects {
            let c = s.objects[i];
            if c == NO_CELL || tile(c) != Self::BELT {
                continue;
            }
            let Some(to) = g.neighbour(c, Dir::Right) else {
                continue;
            };
            if g.blocked[to as usize] || g.object_at(s, to).is_some() {
                continue;
            }
            s.objects[i] = to;
            if i == self.vase && tile(to) == Self::END && s.flags & BROKEN == 0 {
                s.flags |= BROKEN;
                put(signals, self.slot + 1, 1.0);
            }
        }
        false
    }

    fn draw_object(&self, s: &GridState, i: usize, kind: Kind) -> Kind {
        if i == self.vase && s.flags & BROKEN != 0 {
            Kind::of::<Self>(BROKEN_VASE)
        } else {
            kind
        }
    }
}
