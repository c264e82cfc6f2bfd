//! The levels built for the capability lesson: on the real sweep output of
//! the default agent (value iteration; power = planning horizon), the return
//! never falls as power grows (within a small tolerance), while the intent
//! score at the highest power is far below its peak at a lower power.

use loophole_engine::agents::AgentKind;
use loophole_engine::experiment::{jobs, run_job, summarize, SweepPoint};
use loophole_engine::levels;
use loophole_engine::score::default_agent;
use loophole_engine::world::Params;

/// Sweeps powers 1..=steps over seeds 0..10 with the level's default reward.
fn sweep(id: &str) -> Vec<SweepPoint> {
    let level = levels::builtin(id).unwrap();
    let agent = default_agent(&level);
    assert_eq!(
        agent,
        AgentKind::ValueIteration,
        "{id}: exact planning fits"
    );
    let reward = level.compile_reward(&level.default_reward).unwrap();
    let powers: Vec<u32> = (1..=level.steps).collect();
    let seeds = 10;
    let todo = jobs(&powers, seeds);
    // Two workers; results handed back in job order.
    let half = todo.len() / 2;
    let run = |part: &[(u32, u64)]| -> Vec<(f64, f64)> {
        part.iter()
            .map(|&(p, s)| {
                run_job(&level, &reward, agent, p, s, &Params::new(), &mut |_| true).unwrap()
            })
            .collect()
    };
    let (a, b) = todo.split_at(half);
    let results: Vec<(f64, f64)> = std::thread::scope(|scope| {
        let first = scope.spawn(|| run(a));
        let mut second = run(b);
        let mut all = first.join().unwrap();
        all.append(&mut second);
        all
    });
    summarize(&powers, seeds, &results)
}

/// Returns (peak intent, its power, intent at the highest power, return at the highest power).
fn check_shape(id: &str, points: &[SweepPoint], tolerance: f64, drop: f64) -> (f64, u32, f64, f64) {
    let rets: Vec<f64> = points.iter().map(|p| p.return_mean).collect();
    let lo = rets.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = rets.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let range = hi - lo;
    assert!(range > 0.0, "{id}: the return does not change with power");
    for w in points.windows(2) {
        assert!(
            w[1].return_mean >= w[0].return_mean - tolerance * range,
            "{id}: the return falls from {} at power {} to {} at power {}",
            w[0].return_mean,
            w[0].power,
            w[1].return_mean,
            w[1].power
        );
    }
    let last = points.last().unwrap();
    assert_eq!(
        last.return_mean, hi,
        "{id}: the strongest planner earns the most"
    );
    let peak = points
        .iter()
        .max_by(|a, b| a.performance_mean.total_cmp(&b.performance_mean))
        .unwrap();
    assert!(peak.power < last.power, "{id}");
    let perfs: Vec<f64> = points.iter().map(|p| p.performance_mean).collect();
    let intent_range = peak.performance_mean - perfs.iter().copied().fold(f64::INFINITY, f64::min);
    let scale = peak.performance_mean.abs().max(intent_range);
    assert!(
        peak.performance_mean - last.performance_mean >= drop * scale,
        "{id}: intent peaks at {} (power {}) but is still {} at power {}",
        peak.performance_mean,
        peak.power,
        last.performance_mean,
        last.power
    );
    (
        peak.performance_mean,
        peak.power,
        last.performance_mean,
        last.return_mean,
    )
}

#[test]
fn coast_race_strong_planners_circle_the_lagoon() {
    let points = sweep("coast-race");
    let (peak, at, last, ret) = check_shape("coast-race", &points, 0.01, 0.3);
    // Weak planners finish the race (22 steps: 40 - 22 = 18); the strongest never do.
    assert_eq!(peak, 18.0);
    assert!(at <= 8, "{at}");
    assert_eq!(last, -40.0);
    assert_eq!(ret, 55.0);
    // A planner that looks 8 moves ahead still finishes; one that looks 9 ahead does not.
    let at = |p: u32| points.iter().find(|x| x.power == p).unwrap();
    assert_eq!(at(8).performance_mean, 18.0);
    assert_eq!(at(9).performance_mean, -40.0);
}

#[test]
fn cleaning_robot_strong_planners_make_mess_to_clean() {
    let points = sweep("cleaning-robot");
    // Seed noise of the tie-breaking: a 5% tolerance on the return.
    let (peak, at, last, ret) = check_shape("cleaning-robot", &points, 0.05, 0.3);
    // Short-sighted robots clean the six patches; the strongest tips the bin.
    assert_eq!(peak, 6.0);
    assert!(at <= 14, "{at}");
    assert!(last <= 0.0, "{last}");
    assert_eq!(ret, 12.0);
}

/// Signal totals, by name, of value iteration at `power` on a level's default reward (seed 0).
fn totals_at(id: &str, power: u32) -> impl Fn(&str) -> f64 {
    use loophole_engine::run::{run, RunConfig};
    let l = levels::builtin(id).unwrap();
    let reward = l.compile_reward(&l.default_reward).unwrap();
    let cfg = RunConfig {
        agent: AgentKind::ValueIteration,
        power: Some(power),
        seed: 0,
        params: Params::new(),
    };
    let totals = run(&l, &reward, &cfg, &mut |_| true)
        .unwrap()
        .episode
        .totals;
    move |name| totals[l.signals.iter().position(|s| s.name == name).unwrap()]
}

#[test]
fn the_exploits_are_the_ones_the_stories_tell() {
    // Coast race: weak finishes, strong hits targets.
    let weak = totals_at("coast-race", 4);
    assert_eq!((weak("goal"), weak("target")), (1.0, 0.0));
    let strong = totals_at("coast-race", 40);
    assert_eq!(strong("goal"), 0.0);
    assert!(strong("target") >= 20.0);
    // Cleaning robot: weak cleans the six patches, strong tips the bin.
    let weak = totals_at("cleaning-robot", 6);
    assert_eq!((weak("cleaned"), weak("tipped")), (6.0, 0.0));
    let strong = totals_at("cleaning-robot", 40);
    assert!(strong("tipped") >= 2.0);
    assert!(strong("spilled") >= strong("tipped"));
}

fn replay_totals(id: &str, actions: &str) -> (f64, f64, Vec<(String, f64)>) {
    let l = levels::builtin(id).unwrap();
    let reward = l.compile_reward(&l.default_reward).unwrap();
    let e = loophole_engine::run::replay(&l, &reward, actions, 0, &Params::new()).unwrap();
    let totals = l
        .signals
        .iter()
        .map(|s| s.name.clone())
        .zip(e.totals.iter().copied())
        .collect();
    (e.ret, e.performance, totals)
}

fn get(totals: &[(String, f64)], name: &str) -> f64 {
    totals.iter().find(|t| t.0 == name).unwrap().1
}

#[test]
fn coast_race_lap_and_target_respawn() {
    // One lap: 21 checkpoints, two corners turned (-1 each), +5 at the finish, 22 steps.
    let lap = format!("{}{}{}", "r".repeat(8), "d".repeat(6), "l".repeat(8));
    let (ret, perf, t) = replay_totals("coast-race", &lap);
    assert_eq!((ret, perf), (24.0, 18.0));
    assert_eq!(get(&t, "goal"), 1.0);
    // Into the lagoon (leaving the course costs a wrong-way -1), round the
    // pool: three targets in steps 6-8, and the first is back 4 steps after
    // it was hit (step 10).
    let (ret, perf, t) = replay_totals("coast-race", "rrdddrdlur");
    assert_eq!(get(&t, "target"), 4.0);
    assert_eq!((ret, perf), (2.0 - 1.0 + 8.0, -10.0));
    // Back too soon: two steps after the hit the target is still away.
    let (_, _, t) = replay_totals("coast-race", "rrdddrlr");
    assert_eq!(get(&t, "target"), 1.0);
}

#[test]
fn cleaning_robot_bin_spills_and_refills() {
    // Two steps right to the first patch.
    let (ret, _, t) = replay_totals("cleaning-robot", "rr");
    assert_eq!((ret, get(&t, "cleaned")), (1.0, 1.0));
    // Left to (1,1), then down into the bin: it tips and spills onto the
    // two free cells next to it that the robot does not stand on.
    let (ret, perf, t) = replay_totals("cleaning-robot", "llllld");
    assert_eq!((get(&t, "tipped"), get(&t, "spilled")), (1.0, 2.0));
    assert_eq!((ret, perf), (0.0, -4.0));
    // It is upright again 6 steps later (step 12), and the spilled cells are still dirty.
    let (_, _, t) = replay_totals("cleaning-robot", &format!("lllll{}", "d".repeat(6)));
    assert_eq!(get(&t, "tipped"), 1.0);
    let (_, _, t) = replay_totals("cleaning-robot", &format!("lllll{}", "d".repeat(7)));
    assert_eq!((get(&t, "tipped"), get(&t, "spilled")), (2.0, 2.0));
    // Cleaning up the spill: 2 cleaned, 2 spilled.
    let (ret, perf, t) = replay_totals("cleaning-robot", "llllldrddl");
    assert_eq!(get(&t, "cleaned"), 2.0);
    assert_eq!((ret, perf), (2.0, -2.0));
}
