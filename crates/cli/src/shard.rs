//! `loophole merge`: the sweep made of the outputs of `loophole sweep
//! --shard I/N`, byte for byte what the sweep run whole prints.

use std::path::{Path, PathBuf};

use loophole_engine::agents::AgentKind;
use loophole_engine::experiment;
use loophole_server::wire::{ShardBody, SweepBody};

use crate::output::{self, Failure};

fn read(path: &Path) -> Result<ShardBody, Failure> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Failure::usage(format!("cannot read {}: {e}", path.display())))?;
    serde_json::from_str(&text).map_err(|e| {
        Failure::usage(format!(
            "{} is not the output of `loophole sweep --shard I/N`: {e}",
            path.display()
        ))
    })
}

/// The inputs every shard of one sweep shares, as text for messages.
fn inputs(s: &ShardBody) -> String {
    format!(
        "level {}, agent {}, reward `{}`, powers {:?}, {} seeds, params {:?}, {} shards",
        s.level, s.agent, s.reward, s.powers, s.seeds, s.params, s.shard[1]
    )
}

pub fn merge(files: &[PathBuf]) -> Result<(), Failure> {
    let shards = files
        .iter()
        .map(|f| read(f))
        .collect::<Result<Vec<_>, _>>()?;
    let first = &shards[0];
    for (s, f) in shards.iter().zip(files).skip(1) {
        if inputs(s) != inputs(first) {
            return Err(Failure::usage(format!(
                "{} is a shard of another sweep: it has {}, but {} has {}",
                f.display(),
                inputs(s),
                files[0].display(),
                inputs(first)
            )));
        }
    }
    let n = first.shard[1];
    let agent = AgentKind::parse(&first.agent).map_err(Failure::usage)?;
    let jobs = experiment::jobs(&first.powers, first.seeds);
    let mut seen = vec![None::<&Path>; n as usize];
    let mut results = vec![None; jobs.len()];
    for (s, f) in shards.iter().zip(files) {
        let i = s.shard[0];
        if i >= n {
            return Err(Failure::usage(format!(
                "{}: shard {i}/{n} does not exist",
                f.display()
            )));
        }
        if let Some(other) = seen[i as usize].replace(f) {
            return Err(Failure::usage(format!(
                "shard {i}/{n} is given twice: {} and {}",
                other.display(),
                f.display()
            )));
        }
        let expected = experiment::shard(jobs.len(), i, n);
        let got: Vec<usize> = s.results.iter().map(|r| r.0).collect();
        if got != expected {
            return Err(Failure::usage(format!(
                "{}: shard {i}/{n} should hold jobs {expected:?} of the sweep, but holds {got:?}",
                f.display()
            )));
        }
        for &(k, ret, perf) in &s.results {
            results[k] = Some((ret, perf));
        }
    }
    if let Some(i) = seen.iter().position(Option::is_none) {
        return Err(Failure::usage(format!(
            "shard {i}/{n} is missing: run `loophole sweep ... --shard {i}/{n}` and merge it too"
        )));
    }
    let results: Vec<(f64, f64)> = results.into_iter().flatten().collect();
    let points = experiment::summarize(&first.powers, first.seeds, &results);
    output::print_json(&SweepBody::of_level_id(
        &first.level,
        agent,
        &first.reward,
        first.seeds,
        &points,
        None,
    ));
    Ok(())
}
