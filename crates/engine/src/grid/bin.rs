//! Waste bins: walking into an upright bin tips it over and spills dirt onto
//! the floor around it; it is upright (and full) again some steps later.

use super::*;

const BIN: usize = 0;
const TIPPED: usize = 1;

#[derive(Clone, Debug)]
pub(super) struct Bin {
    /// Steps after which a tipped bin is upright again.
    refill: u8,
    /// For each timer, the dirt bits its bin spills onto (empty for a target's).
    spill: Vec<Vec<u8>>,
    slot: usize,
}

impl Bin {
    const TILE: Kind = Kind::of::<Self>(BIN);

    /// Walking into the bin at `cell` tips it if it is upright: the free
    /// floor next to it that is clean (and not under the agent) gets dirty.
    #[inline(never)]
    fn tip(&self, g: &GridWorld, s: &mut GridState, cell: u16, signals: &mut [f64]) {
        let k = g.timer_of[cell as usize] as usize;
        let (Some(&0), Some(spill)) = (s.timers.get(k), self.spill.get(k)) else {
            return;
        };
        let mut spilled = 0;
        for &b in spill {
            let at = g.dirt_cells[b as usize];
            if s.dirt & (1 << b) == 0 && at != s.agent {
                s.dirt |= 1 << b;
                spilled += 1;
            }
        }
        s.timers[k] = self.refill;
        put(signals, self.slot, 1.0);
        put(signals, self.slot + 1, spilled as f64);
    }
}

impl Mechanic for Bin {
    const SPEC: Spec = Spec {
        name: "bin",
        about: "Walking into an upright bin tips it, spilling dirt around it; it is refilled some steps later.",
        settings: &[Setting {
            name: "refill",
            value: Value::Steps,
            required: true,
            about: "steps after which a tipped bin is upright (and full) again",
        }],
        signals: &[
            SignalSpec {
                name: "tipped",
                about: "1 when the agent tips a bin over",
            },
            SignalSpec {
                name: "spilled",
                about: "how many cells the tipped bin made dirty",
            },
        ],
        kinds: &[
            KindSpec {
                blocks: true,
                ..KindSpec::placed("bin",
                    'U',
                    "#5c677d","A waste bin (impassable): walking into it tips it over.",
                )
            },
            KindSpec::drawn("tipped bin", 'u', "#3d4658","A tipped bin, until it is refilled."),
        ],
        needs_kinds: &[BIN],
        needs: &["dirt"],
    };

    fn configure(values: &[Option<f64>]) -> Self {
        Bin {
            refill: values[0].unwrap_or(1.0) as u8,
            spill: Vec::new(),
            slot: 0,
        }
    }

    fn build(&mut self, b: &mut Builder<'_>) -> Result<(), BuildError> {
        self.slot = b.slot;
        for c in b.cells(&[BIN]) {
            b.set_tile(c, BIN);
            b.add_timer(c, self.refill)?;
        }
        Ok(())
    }

    /// A bin spills onto the free floor next to it (up, down, left, right).
    fn prepare(&mut self, b: &mut Builder<'_>) -> Result<(), BuildError> {
        let timers = b.timed_cells();
        self.spill = vec![Vec::new(); timers.len()];
        for (k, &c) in timers.iter().enumerate() {
            if b.tile(c as usize) != Self::TILE {
                continue;
            }
            for d in DIRS {
                let Some(n) = b.neighbour(c as usize, d) else {
                    continue;
                };
                if b.tile(n) == Kind::FLOOR {
                    let bit = b.dirt_bit(n)?;
                    self.spill[k].push(bit);
                }
            }
        }
        if self.spill.iter().all(|s| s.is_empty()) {
            return b.error(None, "no bin has free floor next to it to spill onto");
        }
        Ok(())
    }

    const BUMPS: bool = true;
    #[inline]
    fn bump(&self, g: &GridWorld, s: &mut GridState, cell: u16, signals: &mut [f64]) {
        if g.tiles.get(cell as usize) == Some(&Self::TILE) {
            self.tip(g, s, cell, signals);
        }
    }

    const DRAWS: bool = true;
    fn draw(&self, g: &GridWorld, s: &GridState, cell: usize, tile: Kind) -> Kind {
        let k = g.timer_of[cell] as usize;
        if s.timers.get(k).copied().unwrap_or(0) == 0 {
            tile
        } else {
            Kind::of::<Self>(TIPPED)
        }
    }
}
