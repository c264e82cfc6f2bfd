//! Building a grid: the checks every map passes, the cells each mechanic
//! takes, and the tables a step reads.

use super::*;

/// Why a map and its mechanics do not make a grid, at a cell when one is to blame.
#[derive(Clone, Debug, PartialEq)]
pub struct BuildError {
    /// The row-major cell the mistake is at, if it is at one.
    pub cell: Option<usize>,
    pub message: String,
}

impl std::fmt::Display for BuildError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

fn fail<T>(cell: Option<usize>, message: impl Into<String>) -> Result<T, BuildError> {
    Err(BuildError {
        cell,
        message: message.into(),
    })
}

/// What a mechanic builds with: the map as the legend gave it, and the
/// grid's shared parts (tiles, objects, timers, dirt) as they fill up.
pub(crate) struct Builder<'a> {
    pub width: usize,
    pub height: usize,
    /// The legend's kind of each cell.
    kinds: &'a [Kind],
    /// What is fixed on each cell, as the mechanics set it (floor until then).
    tiles: Vec<Kind>,
    /// The state episodes start from.
    pub start: GridState,
    objects: Vec<(u16, Kind)>,
    timed_cells: Vec<u16>,
    timer_max: Vec<u8>,
    dirt_cells: Vec<u16>,
    /// Cells a mechanic draws although their tile is not its own.
    drawn_by: Vec<Option<u8>>,
    /// The mechanic building now, and the slot of its first signal.
    owner: usize,
    pub slot: usize,
    /// The slot of each mechanic's first signal, by mechanic number.
    slots: Vec<usize>,
}

impl Builder<'_> {
    /// The mechanic number `owner` builds next.
    pub(super) fn enter(&mut self, owner: usize) {
        self.owner = owner;
        self.slot = self.slots[owner];
    }
    fn kind(&self, local: usize) -> Kind {
        Kind((self.owner * KINDS_PER_MECHANIC + local) as u8)
    }
    /// The cells the legend gave any of the building mechanic's kinds
    /// numbered `locals`, row-major.
    pub fn cells(&self, locals: &[usize]) -> Vec<usize> {
        let kinds: Vec<Kind> = locals.iter().map(|&l| self.kind(l)).collect();
        (0..self.kinds.len())
            .filter(|&c| kinds.contains(&self.kinds[c]))
            .collect()
    }
    /// Fixes each of the building mechanic's kinds `locals` as the tile of
    /// the cells the legend gave it.
    pub fn place(&mut self, locals: &[usize]) {
        for &local in locals {
            for c in self.cells(&[local]) {
                self.set_tile(c, local);
            }
        }
    }
    /// Fixes the building mechanic's kind number `local` on `cell`.
    pub fn set_tile(&mut self, cell: usize, local: usize) {
        self.tiles[cell] = self.kind(local);
    }
    /// What is fixed on `cell` so far.
    pub fn tile(&self, cell: usize) -> Kind {
        self.tiles[cell]
    }
    /// The neighbour of `cell` in direction `d`, or None off the map.
    pub fn neighbour(&self, cell: usize, d: Dir) -> Option<usize> {
        let (dr, dc) = d.delta();
        let r = (cell / self.width) as i32 + dr;
        let c = (cell % self.width) as i32 + dc;
        (r >= 0 && c >= 0 && r < self.height as i32 && c < self.width as i32)
            .then(|| r as usize * self.width + c as usize)
    }
    /// Whether `cell` is a wall or off the map.
    pub fn is_wall(&self, cell: Option<usize>) -> bool {
        cell.is_none_or(|c| self.tiles[c] == Kind::WALL)
    }
    /// Places an object of the building mechanic's kind `local` on `cell`;
    /// returns its number.
    pub fn add_object(&mut self, cell: usize, local: usize) -> Result<usize, BuildError> {
        if self.objects.len() == MAX_OBJECTS {
            return fail(
                Some(cell),
                format!(
                    "the map has more than {MAX_OBJECTS} objects (boxes, vases, rocks and diamonds together)"
                ),
            );
        }
        let i = self.objects.len();
        self.start.objects[i] = cell as u16;
        self.objects.push((cell as u16, self.kind(local)));
        Ok(i)
    }
    /// Gives `cell` a timer (targets and bins share them) counting down
    /// from at most `max`; returns its number.
    pub fn add_timer(&mut self, cell: usize, max: u8) -> Result<u8, BuildError> {
        if self.timed_cells.len() == MAX_TIMED {
            return fail(
                Some(cell),
                format!("the map has more than {MAX_TIMED} targets and bins together"),
            );
        }
        self.timed_cells.push(cell as u16);
        self.timer_max.push(max);
        Ok((self.timed_cells.len() - 1) as u8)
    }
    /// The bit of `cell` in the dirt mask, given one if it has none yet.
    pub fn dirt_bit(&mut self, cell: usize) -> Result<u8, BuildError> {
        if let Some(b) = self.dirt_cells.iter().position(|&d| d as usize == cell) {
            return Ok(b as u8);
        }
        if self.dirt_cells.len() == MAX_DIRT {
            return fail(
                Some(cell),
                format!(
                    "the map has more than {MAX_DIRT} cells that may hold dirt (dirt and the floor next to bins)"
                ),
            );
        }
        self.dirt_cells.push(cell as u16);
        // Whichever mechanic adds it, the dirt mechanic draws it.
        self.drawn_by[cell] = Some(super::dirt::Dirt::ID);
        Ok((self.dirt_cells.len() - 1) as u8)
    }
    /// The cells given timers so far, in timer order.
    pub fn timed_cells(&self) -> Vec<u16> {
        self.timed_cells.clone()
    }
    pub fn error<T>(
        &self,
        cell: Option<usize>,
        message: impl Into<String>,
    ) -> Result<T, BuildError> {
        fail(cell, message)
    }
}

pub(super) fn build(
    width: usize,
    height: usize,
    kinds: &[Kind],
    config: Config,
) -> Result<GridWorld, BuildError> {
    if width == 0 || height == 0 || width > MAX_SIDE || height > MAX_SIDE {
        return fail(
            None,
            format!("the map must be between 1x1 and {MAX_SIDE}x{MAX_SIDE}"),
        );
    }
    if kinds.len() != width * height {
        return fail(None, "the map is not rectangular");
    }
    let Config {
        mut mechanics,
        mut given,
    } = config;
    given.sort_by_key(|(id, _)| *id);
    for &(id, _) in &given {
        let spec = SPECS[id];
        let needed = |k: &Kind| k.owner() == id && spec.needs_kinds.contains(&k.local());
        if !spec.needs_kinds.is_empty() && !kinds.iter().any(needed) {
            let names: Vec<&str> = spec
                .needs_kinds
                .iter()
                .map(|&k| spec.kinds[k].name)
                .collect();
            return fail(
                None,
                format!(
                    "the mechanic `{}` is declared but the map has none of its tiles ({})",
                    spec.name,
                    names.join(", ")
                ),
            );
        }
        for need in spec.needs {
            if !given.iter().any(|&(other, _)| SPECS[other].name == *need) {
                return fail(
                    None,
                    format!("the mechanic `{}` needs the mechanic `{need}`", spec.name),
                );
            }
        }
    }
    for (cell, &k) in kinds.iter().enumerate() {
        if !k.spec().legend {
            return fail(
                Some(cell),
                format!("`{}` cannot be placed on a map", k.name()),
            );
        }
        if !mechanics.is_on(k.owner()) {
            return fail(
                Some(cell),
                format!(
                    "the map has `{}` cells but the mechanic `{}` is not declared",
                    k.name(),
                    k.mechanic()
                ),
            );
        }
    }
    let mut starts = (0..kinds.len()).filter(|&c| kinds[c] == Kind::AGENT);
    let Some(agent) = starts.next() else {
        return fail(None, "the map has no start");
    };
    if let Some(second) = starts.next() {
        return fail(Some(second), "the map has more than one start");
    }

    // The signal buffer: the step, then each mechanic's signals in registry order.
    let mut signal_names = vec![BASE.signals[0].name];
    let mut slots = vec![0; SPECS.len()];
    for (id, spec) in SPECS.iter().enumerate().skip(1) {
        if mechanics.is_on(id) {
            slots[id] = signal_names.len();
            signal_names.extend(spec.signals.iter().map(|s| s.name));
        }
    }

    let tiles = kinds
        .iter()
        .map(|&k| {
            if k == Kind::WALL {
                Kind::WALL
            } else {
                Kind::FLOOR
            }
        })
        .collect();
    let mut b = Builder {
        width,
        height,
        kinds,
        tiles,
        start: GridState {
            agent: agent as u16,
            objects: [NO_CELL; MAX_OBJECTS],
            watered: 0,
            dirt: 0,
            timers: [0; MAX_TIMED],
            flags: 0,
            forced: 0,
        },
        objects: Vec::new(),
        timed_cells: Vec::new(),
        timer_max: Vec::new(),
        dirt_cells: Vec::new(),
        drawn_by: vec![None; kinds.len()],
        owner: 0,
        slot: 0,
        slots,
    };
    mechanics.build(&mut b)?;

    let Builder {
        tiles,
        start,
        objects,
        timed_cells,
        timer_max,
        dirt_cells,
        drawn_by,
        ..
    } = b;
    let cells = width * height;
    let next: Vec<[u16; 4]> = (0..cells)
        .map(|cell| {
            DIRS.map(|d| {
                let (dr, dc) = d.delta();
                let r = (cell / width) as i32 + dr;
                let c = (cell % width) as i32 + dc;
                if r < 0 || c < 0 || r >= height as i32 || c >= width as i32 {
                    NO_CELL
                } else {
                    (r as usize * width + c as usize) as u16
                }
            })
        })
        .collect();
    let walls_around = next
        .iter()
        .map(|n| {
            n.iter()
                .filter(|&&c| c == NO_CELL || tiles[c as usize] == Kind::WALL)
                .count() as u8
        })
        .collect();
    let blocked = tiles.iter().map(|t| t.spec().blocks).collect();
    let arrival = tiles
        .iter()
        .map(|t| if t.spec().arrive { t.owner() as u8 } else { 0 })
        .collect();
    let drawn_by: Vec<u8> = drawn_by
        .iter()
        .zip(&tiles)
        .map(|(d, t)| d.unwrap_or(t.owner() as u8))
        .collect();
    let mut dense = vec![0u8; 256];
    for (i, k) in all_kinds().enumerate() {
        dense[k.0 as usize] = i as u8;
    }
    let still = tiles.iter().map(|t| dense[t.0 as usize]).collect();
    let dynamic = (0..cells)
        .filter(|&c| Mechanics::draws(drawn_by[c] as usize))
        .map(|c| c as u16)
        .collect();
    let flag_mask = mechanics.flags();
    let index_size = {
        let cells = cells as u64;
        let mut n = Some(cells);
        for _ in 0..objects.len() {
            n = n.and_then(|n| n.checked_mul(cells + 1));
        }
        n = n.and_then(|n| n.checked_mul(1u64.checked_shl(flag_mask.count_ones())?));
        n = n.and_then(|n| n.checked_mul(1u64.checked_shl(dirt_cells.len() as u32)?));
        for &max in &timer_max {
            n = n.and_then(|n| n.checked_mul(u64::from(max) + 1));
        }
        n.filter(|&n| n <= 1 << 63)
    };
    let mut dirt_bit = vec![u8::MAX; cells];
    for (bit, &c) in dirt_cells.iter().enumerate() {
        dirt_bit[c as usize] = bit as u8;
    }
    let mut timer_of = vec![u8::MAX; cells];
    for (k, &c) in timed_cells.iter().enumerate() {
        timer_of[c as usize] = k as u8;
    }
    let mut origins = [NO_CELL; MAX_OBJECTS];
    let mut object_kinds = [Kind::FLOOR; MAX_OBJECTS];
    for (i, &(cell, kind)) in objects.iter().enumerate() {
        origins[i] = cell;
        object_kinds[i] = kind;
    }
    let mut actions: Vec<ActionSpec> = ["up", "down", "left", "right"]
        .iter()
        .zip("udlr".chars())
        .map(|(&name, key)| ActionSpec { key, name })
        .collect();
    mechanics.actions(&mut actions);
    let mut params = Vec::new();
    mechanics.params(&mut params);
    let [before, each, bumps, after, ends] = mechanics.phases();
    let timed = timed_cells.len();
    Ok(GridWorld {
        width,
        height,
        tiles,
        next,
        walls_around,
        blocked,
        arrival,
        drawn_by,
        start,
        objects: objects.len(),
        origins,
        object_kinds,
        dirt_cells,
        dirt_bit,
        timed,
        timer_of,
        timer_max,
        dense,
        still,
        dynamic,
        flag_mask,
        index_size,
        m: mechanics,
        given,
        actions,
        signal_names,
        params,
        before_move: before || timed > 0,
        each_step: each,
        bumps,
        after_move: after,
        ends,
    })
}
