//! What a mechanic declares about itself: the data the level format, the
//! legend, frames, the editor's palette and the docs are driven from.

/// A mechanic's declaration, next to its rules in its own file.
#[derive(Debug)]
pub struct Spec {
    /// Its name in a level file's `mechanics:` block.
    pub name: &'static str,
    /// What it does, in one sentence.
    pub about: &'static str,
    /// The `key=value` settings of its line in `mechanics:`.
    pub settings: &'static [Setting],
    /// The signals it emits, in the order of the signal buffer.
    pub signals: &'static [SignalSpec],
    /// The kinds it owns: its tiles, its objects and the states they are drawn in.
    pub kinds: &'static [KindSpec],
    /// Kinds (indices into `kinds`) of which the map must hold at least one
    /// when the mechanic is declared; empty when it needs none.
    pub needs_kinds: &'static [usize],
    /// Other mechanics it works with and cannot go without.
    pub needs: &'static [&'static str],
}

/// One `key=value` setting of a mechanic.
#[derive(Debug)]
pub struct Setting {
    pub name: &'static str,
    pub value: Value,
    /// Whether the line must give it (else it is absent: `None`).
    pub required: bool,
    pub about: &'static str,
}

/// What a setting's value may be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Value {
    /// A number from 0 to 1.
    Probability,
    /// A whole number of steps from 1 to 250 (a timer of the state is one byte).
    Steps,
    /// Any finite number.
    Number,
    /// 1 or 0.
    Switch,
}

/// A signal a mechanic emits on every step.
#[derive(Debug)]
pub struct SignalSpec {
    pub name: &'static str,
    /// What its value means (levels describe it in their own words).
    pub about: &'static str,
}

/// A kind: something a cell of a map or a frame shows.
#[derive(Debug)]
pub struct KindSpec {
    /// Its name: in a level's legend, in frame legends, in the API.
    pub name: &'static str,
    /// Other words a legend may name it by (`start` for the agent).
    pub aliases: &'static [&'static str],
    /// The character frames draw it with; no two kinds share one.
    pub frame: char,
    /// Whether a legend may place it (false for states only an episode
    /// reaches, such as a tipped bin).
    pub legend: bool,
    /// Whether it stops the agent and objects.
    pub blocks: bool,
    /// Whether its mechanic acts when the agent stands on it after a move.
    pub arrive: bool,
    /// Its main colour where the web page draws it (`#rrggbb`), for
    /// pictures drawn elsewhere (the Python package's `rgb_array`).
    pub colour: &'static str,
    pub about: &'static str,
}

impl KindSpec {
    /// A kind that does nothing but be drawn (all flags false).
    pub const fn drawn(
        name: &'static str,
        frame: char,
        colour: &'static str,
        about: &'static str,
    ) -> KindSpec {
        KindSpec {
            name,
            aliases: &[],
            frame,
            legend: false,
            blocks: false,
            arrive: false,
            colour,
            about,
        }
    }
    /// A kind a legend may place, inert.
    pub const fn placed(
        name: &'static str,
        frame: char,
        colour: &'static str,
        about: &'static str,
    ) -> KindSpec {
        KindSpec {
            legend: true,
            ..KindSpec::drawn(name, frame, colour, about)
        }
    }
    /// A tile a legend may place, that its mechanic acts on when the agent arrives on it.
    pub const fn arrival(
        name: &'static str,
        frame: char,
        colour: &'static str,
        about: &'static str,
    ) -> KindSpec {
        KindSpec {
            arrive: true,
            ..KindSpec::placed(name, frame, colour, about)
        }
    }
}
