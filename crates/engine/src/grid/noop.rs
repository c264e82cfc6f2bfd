//! Standing still: the action `n` (the original's `noops=True`).

use super::*;

#[derive(Clone, Debug)]
pub(super) struct Noop;

impl Mechanic for Noop {
    const SPEC: Spec = Spec {
        name: "noop",
        about: "Adds the action `n`: stand still for a step.",
        settings: &[],
        signals: &[],
        kinds: &[],
        needs_kinds: &[],
        needs: &[],
    };
    const ACTIONS: &'static [ActionSpec] = &[ActionSpec {
        key: 'n',
        name: "stay",
    }];

    fn configure(_: &[Option<f64>]) -> Self {
        Noop
    }
}
