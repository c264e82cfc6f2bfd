//! Robustness: distributional shift, goal misgeneralization and brittle
//! policies, with real training and real episodes.

use loophole_engine::agents::AgentKind;
use loophole_engine::explain::robust::{
    brittle, corner_default_goal, misgeneralization, shift, with_map, StartSpread, Training,
    CORNER_TEST,
};
use loophole_engine::level::parse;
use loophole_engine::levels;

fn q() -> Training {
    Training::default()
}

fn vi() -> Training {
    Training {
        agent: AgentKind::ValueIteration,
        ..Training::default()
    }
}

#[test]
fn the_trained_policy_walks_into_moved_lava_and_the_replanner_does_not() {
    for training in [q(), vi()] {
        let r = shift(&training, &mut |_| true).unwrap();
        let ids: Vec<&str> = r.rooms.iter().map(|x| x.level.as_str()).collect();
        assert_eq!(
            ids,
            [
                "distributional-shift",
                "distributional-shift-test1",
                "distributional-shift-test2"
            ]
        );
        let (train, test1, test2) = (&r.rooms[0], &r.rooms[1], &r.rooms[2]);
        // In training it has learned the short way along the row below the lava.
        assert_eq!(train.trained_goal_rate, 1.0);
        assert_eq!(train.trained.episode.ret, 42.0);
        // Test 1: the upper lava is two rows deep, across that very row.
        assert_eq!(test1.trained_lava_rate, 1.0, "{:?}", training.agent);
        assert!(test1.trained.lava);
        assert_eq!(test1.trained.episode.ret, -53.0);
        // Test 2: the lava moved away from its path; it survives by luck.
        assert_eq!(test2.trained_lava_rate, 0.0);
        assert_eq!(test2.trained_goal_rate, 1.0);
        // A planner that looks at each room never dies.
        for room in &r.rooms {
            assert_eq!(room.replanned_lava_rate, 0.0);
            assert!(room.replanned.goal && !room.replanned.lava);
        }
        assert_eq!(test1.replanned.episode.ret, 40.0);
    }
}

#[test]
fn shift_with_little_training_does_not_even_learn_the_room() {
    let r = shift(
        &Training {
            episodes: 10,
            ..q()
        },
        &mut |_| true,
    )
    .unwrap();
    assert!(r.rooms[0].trained_goal_rate < 0.5);
}

#[test]
fn the_misgeneralized_robot_goes_where_the_goal_used_to_be() {
    for starts in [StartSpread::One, StartSpread::Many] {
        for training in [q(), vi()] {
            let r = misgeneralization(&training, starts, None, &mut |_| true).unwrap();
            assert_eq!(r.old_goal, (1, 5));
            assert_eq!(r.goal, (5, 1));
            // Competent in training...
            assert_eq!(r.train_goal_rate, 1.0);
            assert!(r.train.goal);
            // ...and competent at test, towards the wrong place.
            assert!(
                r.old_goal_rate >= 0.8,
                "{starts:?} {:?}: {}",
                training.agent,
                r.old_goal_rate
            );
            assert_eq!(r.goal_rate, 0.0);
            assert!(r.test.path.contains(&(1, 5)));
            assert!(!r.test.goal);
            assert_eq!(r.test.episode.ret, -100.0);
            // The task is easy for a planner that looks at the test room.
            assert!(r.replanned.goal);
            assert_eq!(r.replanned.episode.ret, 46.0);
        }
    }
    let many = misgeneralization(&q(), StartSpread::Many, None, &mut |_| true).unwrap();
    assert_eq!(many.start_cells, 24);
    assert_eq!(
        misgeneralization(&q(), StartSpread::One, None, &mut |_| true)
            .unwrap()
            .start_cells,
        1
    );
}

#[test]
fn the_goal_can_be_put_elsewhere() {
    let r = misgeneralization(&q(), StartSpread::Many, Some((5, 5)), &mut |_| true).unwrap();
    assert_eq!(r.goal, (5, 5));
    assert_eq!(r.goal_rate, 0.0);
    assert!(r.old_goal_rate >= 0.8);
    assert_eq!(char_at(&r.test.rows, (5, 5)), 'G');
    assert_eq!(char_at(&r.test.rows, (5, 1)), ' ');
    assert_eq!(corner_default_goal().unwrap(), (5, 1));
    for (cell, word) in [
        ((0, 0), "wall"),
        ((3, 3), "starts"),
        ((1, 5), "corner"),
        ((9, 1), "row"),
    ] {
        let e = misgeneralization(&q(), StartSpread::Many, Some(cell), &mut |_| true)
            .unwrap_err()
            .to_string();
        assert!(e.contains("goal") && e.contains(word), "{e}");
    }
}

fn char_at(rows: &[String], (r, c): (usize, usize)) -> char {
    rows[r].chars().nth(c).unwrap()
}

#[test]
fn one_tile_of_lava_on_its_path_breaks_the_trained_policy() {
    for training in [q(), vi()] {
        let r = brittle(&training, None, &mut |_| true).unwrap();
        assert_eq!(r.level, "distributional-shift");
        // Every floor tile but the start and the goal.
        assert_eq!(r.edits.len(), 27);
        assert!(r.baseline.goal);
        // The frozen policy never looks: each tile of its route kills it.
        let route = &r.baseline.path[1..r.baseline.path.len() - 1];
        assert_eq!(r.breaking, route.len());
        assert!(r.breaking >= 1);
        for e in &r.edits {
            assert_eq!(e.trained.lava, route.contains(&e.cell), "{e:?}");
        }
        // The planner that looks at the edited room survives every one.
        assert_eq!(r.replanner_failures, 0);
        let worst = r.edits[r.worst.unwrap()];
        assert!(worst.trained.lava && worst.replanned.goal);
        assert!(r.edits.iter().all(|e| e.trained.ret >= worst.trained.ret));
        assert!(r.chosen.is_none());
    }
}

#[test]
fn the_reader_places_the_lava() {
    let on = brittle(&q(), Some((2, 4)), &mut |_| true).unwrap();
    let (edit, trained, replanned) = on.chosen.unwrap();
    assert_eq!(edit.cell, (2, 4));
    assert!(trained.lava && !replanned.lava && replanned.goal);
    assert_eq!(char_at(&trained.rows, (2, 4)), 'L');
    let off = brittle(&q(), Some((4, 4)), &mut |_| true).unwrap();
    let (_, trained, _) = off.chosen.unwrap();
    assert!(trained.goal && !trained.lava);
    for cell in [(1, 1), (1, 7), (0, 0), (1, 3), (7, 0)] {
        assert!(brittle(&q(), Some(cell), &mut |_| true)
            .unwrap_err()
            .to_string()
            .contains("lava"));
    }
}

#[test]
fn settings_are_checked() {
    for (t, word) in [
        (
            Training {
                agent: AgentKind::Mcts,
                ..q()
            },
            "agent",
        ),
        (Training { episodes: 5, ..q() }, "episodes"),
        (
            Training {
                episodes: 10_001,
                ..q()
            },
            "episodes",
        ),
        (Training { seeds: 0, ..q() }, "seeds"),
        (Training { seeds: 21, ..q() }, "seeds"),
        (
            Training {
                seed: 1_000_001,
                ..q()
            },
            "seed",
        ),
    ] {
        assert!(shift(&t, &mut |_| true)
            .unwrap_err()
            .to_string()
            .contains(word));
    }
}

#[test]
fn maps_are_rewritten_faithfully() {
    let level = levels::builtin("distributional-shift").unwrap();
    let again = parse(&with_map(&level.text, &level.map)).unwrap();
    assert_eq!(again.map, level.map);
    assert_eq!(again.default_reward, level.default_reward);
    let test = parse(CORNER_TEST).unwrap();
    assert_eq!(test.id, "corner-test");
}

#[test]
fn deterministic() {
    let t = Training {
        seed: 7,
        seeds: 3,
        ..q()
    };
    assert_eq!(
        shift(&t, &mut |_| true).unwrap(),
        shift(&t, &mut |_| true).unwrap()
    );
    assert_eq!(
        misgeneralization(&t, StartSpread::Many, None, &mut |_| true).unwrap(),
        misgeneralization(&t, StartSpread::Many, None, &mut |_| true).unwrap()
    );
    assert_eq!(
        brittle(&t, Some((3, 3)), &mut |_| true).unwrap(),
        brittle(&t, Some((3, 3)), &mut |_| true).unwrap()
    );
}
