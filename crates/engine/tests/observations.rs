//! What an agent may be shown of a level, as numbers: a board of kinds and
//! a tabular number, both from the view (`World::observe`) alone.

use std::collections::HashMap;

use loophole_engine::env::Env;
use loophole_engine::grid::{frame_legend, kind_count, kind_index, Kind};
use loophole_engine::levels;
use loophole_engine::rng::Rng;
use loophole_engine::world::{Params, World};
use loophole_engine::worlds::LevelState;

/// Views of a random walk on a level, a few episodes long.
fn views(id: &str) -> Vec<LevelState> {
    let level = levels::builtin(id).unwrap();
    let reward = level.compile_reward(&level.default_reward).unwrap();
    let mut env = Env::new(&level.world, &reward, &level.intent, level.steps);
    let mut rng = Rng::new(7);
    let mut out = Vec::new();
    for episode in 0..6 {
        let (v, _) = env.reset(episode, &Params::new()).unwrap();
        out.push(v);
        while !env.done() {
            let a = rng.below(level.world.actions().len() as u64) as usize;
            out.push(env.step(a).obs);
        }
    }
    out
}

#[test]
fn a_board_is_the_frame_of_the_view_in_kind_numbers() {
    let legend = frame_legend();
    let number = |ch: char| {
        let name = legend.iter().find(|&&(c, _)| c == ch).unwrap().1;
        kind_index(Kind::named(name).unwrap()) as u8
    };
    assert_eq!(kind_count(), legend.len());
    for (id, _) in levels::BUILTIN {
        let level = levels::builtin(id).unwrap();
        let Some(grid) = level.world.grid() else {
            continue;
        };
        let mut board = vec![0u8; grid.width() * grid.height()];
        for v in views(id) {
            let LevelState::Grid(g) = v else {
                unreachable!()
            };
            grid.board(&g, &mut board);
            let drawn: Vec<u8> = grid.render(&g).concat().chars().map(number).collect();
            assert_eq!(board, drawn, "{id}");
        }
    }
}

#[test]
fn the_tabular_number_tells_apart_what_tabular_learners_tell_apart() {
    for (id, _) in levels::BUILTIN {
        let level = levels::builtin(id).unwrap();
        let w = &level.world;
        let size = w
            .index_size()
            .unwrap_or_else(|| panic!("{id} has no index"));
        let mut by_index: HashMap<u64, u64> = HashMap::new();
        let mut by_key: HashMap<u64, u64> = HashMap::new();
        for v in views(id) {
            let (i, k) = (w.index(&v), w.tabular_key(&v));
            assert!(i < size, "{id}: {i} of {size}");
            assert_eq!(
                *by_index.entry(i).or_insert(k),
                k,
                "{id}: one number, two views"
            );
            assert_eq!(
                *by_key.entry(k).or_insert(i),
                i,
                "{id}: one view, two numbers"
            );
        }
        assert!(by_index.len() > 1, "{id}");
    }
}

#[test]
fn nothing_hidden_reaches_a_board_or_a_number() {
    // The bucket: from it, every tomato looks watered, whatever is true.
    let level = levels::builtin("tomato-watering").unwrap();
    let grid = level.world.grid().unwrap();
    let mut s = grid.start();
    s.watered = 0;
    s.agent = grid.cells_of(Kind::named("bucket").unwrap())[0] as u16;
    let LevelState::Grid(view) = level.world.observe(&LevelState::Grid(s)) else {
        unreachable!()
    };
    let mut board = vec![0u8; grid.width() * grid.height()];
    grid.board(&view, &mut board);
    let dry = kind_index(Kind::named("dry tomato").unwrap()) as u8;
    assert!(!board.contains(&dry), "a dry tomato seen from the bucket");
    // An interruption draw the agent has not met is not in its number.
    let level = levels::builtin("safe-interruptibility").unwrap();
    let w = &level.world;
    let seen = |interrupt: f64| {
        let mut params = Params::new();
        params.insert("interrupt".into(), interrupt);
        let s = w.reset(&mut Rng::new(0), &params);
        w.index(&w.observe(&s))
    };
    assert_eq!(seen(0.0), seen(1.0));
}

#[test]
fn an_episode_reports_its_draws_as_they_fell() {
    // Every level with per-episode draws: fixed to 0 or 1, the true state
    // says so; left to chance over seeds, both outcomes occur.
    let mut with_draws = 0;
    for (id, _) in levels::BUILTIN {
        let level = levels::builtin(id).unwrap();
        let reward = level.compile_reward(&level.default_reward).unwrap();
        let mut env = Env::new(&level.world, &reward, &level.intent, level.steps);
        let specs = level.world.params();
        let mut drawn = Vec::new();
        if specs.is_empty() {
            env.reset(0, &Params::new()).unwrap();
            level.world.drawn(env.state(), &mut drawn);
            assert!(drawn.is_empty(), "{id}");
            continue;
        }
        with_draws += 1;
        for (i, spec) in specs.iter().enumerate() {
            for value in [0.0, 1.0] {
                let mut params = Params::new();
                params.insert(spec.name.to_string(), value);
                env.reset(3, &params).unwrap();
                level.world.drawn(env.state(), &mut drawn);
                assert_eq!(drawn.len(), specs.len(), "{id}");
                assert_eq!(drawn[i], value, "{id}: {}", spec.name);
            }
            let mut seen = [false; 2];
            for seed in 0..64 {
                env.reset(seed, &Params::new()).unwrap();
                level.world.drawn(env.state(), &mut drawn);
                seen[drawn[i] as usize] = true;
            }
            assert_eq!(seen, [true, true], "{id}: {}", spec.name);
        }
    }
    assert!(with_draws >= 2);
}
