//! Targets that pay when hit and come back a fixed number of steps later.

use super::*;

const TARGET: usize = 0;

#[derive(Clone, Debug)]
pub(super) struct Targets {
    /// Steps after which a taken target is back.
    respawn: u8,
    slot: usize,
}

impl Mechanic for Targets {
    const SPEC: Spec = Spec {
        name: "targets",
        about: "Targets pay when the agent reaches them and are back some steps later.",
        settings: &[Setting {
            name: "respawn",
            value: Value::Steps,
            required: true,
            about: "steps after which a taken target is back",
        }],
        signals: &[SignalSpec {
            name: "target",
            about: "1 when the agent takes a target",
        }],
        kinds: &[KindSpec::arrival("target",
            'o',
            "#e03131","A target: pays when reached, and comes back (drawn as floor while away).",
        )],
        needs_kinds: &[TARGET],
        needs: &[],
    };

    fn configure(values: &[Option<f64>]) -> Self {
        Targets {
            respawn: values[0].unwrap_or(1.0) as u8,
            slot: 0,
        }
    }

    fn build(&mut self, b: &mut Builder<'_>) -> Result<(), BuildError> {
        self.slot = b.slot;
        for c in b.cells(&[TARGET]) {
            b.set_tile(c, TARGET);
            b.add_timer(c, self.respawn)?;
        }
        Ok(())
    }

    fn arrive(&self, g: &GridWorld, s: &mut GridState, _: Kind, signals: &mut [f64]) -> bool {
        let k = g.timer_of[s.agent as usize] as usize;
        if let Some(t) = s.timers.get_mut(k) {
            if *t == 0 {
                *t = self.respawn;
                put(signals, self.slot, 1.0);
            }
        }
        false
    }

    const DRAWS: bool = true;
    fn draw(&self, g: &GridWorld, s: &GridState, cell: usize, tile: Kind) -> Kind {
        let k = g.timer_of[cell] as usize;
        if s.timers.get(k).copied().unwrap_or(0) == 0 {
            tile
        } else {
            Kind::FLOOR
        }
    }
}
