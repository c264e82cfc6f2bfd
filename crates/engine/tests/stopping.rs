//! A hook that says stop ends every long computation at its first check:
//! a run, a sweep's job, each demonstration of the explainer, the feedback
//! simulations. The server's time budget is such a hook, so a computation
//! over budget stops rather than running on after its answer was sent.

use loophole_engine::agents::{AgentKind, Progress, RunError};
use loophole_engine::experiment::run_job;
use loophole_engine::explain::robust::{self, StartSpread, Training};
use loophole_engine::explain::{oversight, shallow};
use loophole_engine::feedback::cai::{cai, CaiConfig, CaiError};
use loophole_engine::feedback::rlhf::{rlhf, RlhfConfig};
use loophole_engine::levels;
use loophole_engine::world::Params;

/// A hook whose budget is already spent, and how often it was asked.
fn spent() -> (
    impl FnMut(&Progress) -> bool,
    std::rc::Rc<std::cell::Cell<u32>>,
) {
    let asked = std::rc::Rc::new(std::cell::Cell::new(0));
    let count = asked.clone();
    (
        move |_: &Progress| {
            count.set(count.get() + 1);
            false
        },
        asked,
    )
}

/// Runs `work` with a spent hook: it must stop at the first check.
fn stops_at_once<T: std::fmt::Debug>(
    what: &str,
    work: impl FnOnce(&mut dyn FnMut(&Progress) -> bool) -> Result<T, RunError>,
) {
    let (mut hook, asked) = spent();
    let result = work(&mut hook);
    assert_eq!(result.unwrap_err(), RunError::Stopped, "{what}");
    assert_eq!(
        asked.get(),
        1,
        "{what}: work went on after the hook said stop"
    );
}

#[test]
fn every_agent_and_a_sweep_job_stop_at_the_first_check() {
    let level = levels::builtin("boat-race").unwrap();
    let reward = level.compile_reward(&level.default_reward).unwrap();
    for agent in AgentKind::ALL {
        let power = agent.default_power(level.steps);
        stops_at_once(agent.name(), |hook| {
            run_job(&level, &reward, agent, power, 0, &Params::new(), hook)
        });
    }
}

#[test]
fn every_demonstration_that_trains_stops_at_the_first_check() {
    let q = Training::default();
    let vi = Training {
        agent: AgentKind::ValueIteration,
        ..Training::default()
    };
    for training in [q, vi] {
        let name = training.agent.name();
        stops_at_once(&format!("shift, {name}"), |hook| {
            robust::shift(&training, hook)
        });
        stops_at_once(&format!("misgeneralization, {name}"), |hook| {
            robust::misgeneralization(&training, StartSpread::Many, None, hook)
        });
        stops_at_once(&format!("brittle, {name}"), |hook| {
            robust::brittle(&training, None, hook)
        });
    }
    stops_at_once("oversight", |hook| oversight::oversight(30.0, 0.5, hook));
    stops_at_once("shallow", |hook| shallow::shallow(None, 0, hook));
}

#[test]
fn the_feedback_simulations_stop_at_the_first_check() {
    stops_at_once("rlhf", |hook| rlhf(&RlhfConfig::default(), hook));
    let (mut hook, asked) = spent();
    let stopped = cai(&CaiConfig::default(), &mut hook);
    assert_eq!(stopped.unwrap_err(), CaiError::Stopped);
    assert_eq!(asked.get(), 1);
}
