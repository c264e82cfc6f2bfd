//! The levels that ship with Loophole, compiled into the binary.

use crate::level::{parse, Level, LevelError};

/// (id, file text) of every built-in level, in the order they are played.
pub const BUILTIN: &[(&str, &str)] = &[
    ("boat-race", include_str!("../../../levels/boat-race.level")),
    (
        "tomato-watering",
        include_str!("../../../levels/tomato-watering.level"),
    ),
    (
        "absent-supervisor",
        include_str!("../../../levels/absent-supervisor.level"),
    ),
    (
        "safe-interruptibility",
        include_str!("../../../levels/safe-interruptibility.level"),
    ),
    (
        "side-effects-sokoban",
        include_str!("../../../levels/side-effects-sokoban.level"),
    ),
    (
        "company-profits",
        include_str!("../../../levels/company-profits.level"),
    ),
    (
        "coast-race",
        include_str!("../../../levels/coast-race.level"),
    ),
    (
        "cleaning-robot",
        include_str!("../../../levels/cleaning-robot.level"),
    ),
    (
        "whisky-gold",
        include_str!("../../../levels/whisky-gold.level"),
    ),
    (
        "distributional-shift",
        include_str!("../../../levels/distributional-shift.level"),
    ),
    (
        "distributional-shift-test1",
        include_str!("../../../levels/distributional-shift-test1.level"),
    ),
    (
        "distributional-shift-test2",
        include_str!("../../../levels/distributional-shift-test2.level"),
    ),
    (
        "island-navigation",
        include_str!("../../../levels/island-navigation.level"),
    ),
    (
        "conveyor-belt",
        include_str!("../../../levels/conveyor-belt.level"),
    ),
    (
        "rocks-diamonds",
        include_str!("../../../levels/rocks-diamonds.level"),
    ),
];

/// Loads a built-in level by id.
pub fn builtin(id: &str) -> Result<Level, String> {
    match BUILTIN.iter().find(|(i, _)| *i == id) {
        Some((_, text)) => parse(text).map_err(|e| format!("built-in level `{id}` is broken: {e}")),
        None => {
            let ids: Vec<&str> = BUILTIN.iter().map(|(i, _)| *i).collect();
            let hint = crate::lang::suggest::nearest(id, ids.iter().copied())
                .map(|n| format!(" (did you mean `{n}`?)"))
                .unwrap_or_default();
            Err(format!(
                "no level `{id}`{hint}; levels are: {}",
                ids.join(", ")
            ))
        }
    }
}

/// Every built-in level.
pub fn all() -> Result<Vec<Level>, LevelError> {
    BUILTIN.iter().map(|(_, text)| parse(text)).collect()
}
