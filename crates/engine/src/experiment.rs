//! Experiments over optimization power: the pieces of a sweep.
//!
//! The engine stays single-threaded; callers run the (power, seed) jobs in
//! any order or in parallel and hand the results back in job order, so the
//! summary is the same whatever the number of threads.

use crate::agents::{AgentKind, Hook, RunError};
use crate::lang::Program;
use crate::level::Level;
use crate::run::{run, RunConfig};
use crate::world::Params;

/// Most powers one sweep may list.
pub const MAX_POWERS: usize = 200;
/// Most seeds per power.
pub const MAX_SEEDS: u64 = 1000;

/// Mean and spread of return and performance at one power, and the
/// values of each seed (seed 0 first) they were taken over.
#[derive(Clone, Debug, PartialEq)]
pub struct SweepPoint {
    pub power: u32,
    pub return_mean: f64,
    pub return_sd: f64,
    pub performance_mean: f64,
    pub performance_sd: f64,
    pub returns: Vec<f64>,
    pub performances: Vec<f64>,
}

/// Reads a power list: `1,2,5,10`, a range `1..24` (every whole number), or
/// `10..10000:20` (20 powers spaced evenly on a log scale, rounded, without repeats).
pub fn parse_powers(text: &str) -> Result<Vec<u32>, String> {
    let bad =
        |what: &str| format!("--powers: {what} (write e.g. `1,2,5`, `1..24` or `10..10000:20`)");
    let num = |s: &str| -> Result<u32, String> {
        match s.trim().parse::<u32>() {
            Ok(v) if v >= 1 => Ok(v),
            _ => Err(bad(&format!(
                "`{}` is not a whole number of at least 1",
                s.trim()
            ))),
        }
    };
    let powers: Vec<u32> = if let Some((a, rest)) = text.split_once("..") {
        let (b, n) = match rest.split_once(':') {
            Some((b, n)) => (b, Some(n)),
            None => (rest, None),
        };
        let (a, b) = (num(a)?, num(b)?);
        if a > b {
            return Err(bad(&format!("the range {a}..{b} is empty")));
        }
        match n {
            None => {
                if (b - a) as usize >= MAX_POWERS {
                    return Err(bad(&format!(
                        "the range has {} powers; the limit is {MAX_POWERS}",
                        b - a + 1
                    )));
                }
                (a..=b).collect()
            }
            Some(n) => {
                let n = num(n)? as usize;
                if n > MAX_POWERS {
                    return Err(bad(&format!("{n} points; the limit is {MAX_POWERS}")));
                }
                let mut out: Vec<u32> = (0..n)
                    .map(|i| {
                        let f = if n == 1 {
                            0.0
                        } else {
                            i as f64 / (n - 1) as f64
                        };
                        ((a as f64).ln() + f * ((b as f64).ln() - (a as f64).ln()))
                            .exp()
                            .round() as u32
                    })
                    .collect();
                out.dedup();
                out
            }
        }
    } else {
        text.split(',').map(num).collect::<Result<_, _>>()?
    };
    if powers.is_empty() {
        return Err(bad("no powers"));
    }
    if powers.len() > MAX_POWERS {
        return Err(bad(&format!(
            "{} powers; the limit is {MAX_POWERS}",
            powers.len()
        )));
    }
    Ok(powers)
}

/// The powers to draw a level's curve at, from weak to strong (log-spaced,
/// at most a dozen), and how many episodes per power keep it quick.
pub fn default_powers(agent: AgentKind, level: &Level) -> (Vec<u32>, u64) {
    let max = agent.max_power(level.steps);
    let (spec, seeds) = match agent {
        AgentKind::ValueIteration => (format!("1..{}:12", level.steps.min(max)), 6),
        AgentKind::QLearning => (format!("10..{}:10", 20_000.min(max)), 4),
        AgentKind::Mcts => (format!("5..{}:8", 800.min(max)), 2),
    };
    (parse_powers(&spec).unwrap_or_else(|_| vec![1]), seeds)
}

/// The jobs of a sweep, in the order their results must be handed back.
pub fn jobs(powers: &[u32], seeds: u64) -> Vec<(u32, u64)> {
    powers
        .iter()
        .flat_map(|&p| (0..seeds).map(move |s| (p, s)))
        .collect()
}

/// The jobs (numbers into [`jobs`]) of shard `i` of `n`: every `n`th from
/// the `i`th, so that shards share the dear and the cheap powers alike.
pub fn shard(jobs: usize, i: u64, n: u64) -> Vec<usize> {
    let (i, n) = (i as usize, n.max(1) as usize);
    (i..jobs).step_by(n).collect()
}

/// Reads a shard `I/N` (0 <= I < N <= 10,000).
pub fn parse_shard(text: &str) -> Result<(u64, u64), String> {
    let bad = || format!("a shard is I/N with 0 <= I < N <= 10000 (e.g. 0/4), found `{text}`");
    let (i, n) = text.split_once('/').ok_or_else(bad)?;
    let (i, n): (u64, u64) = (
        i.trim().parse().map_err(|_| bad())?,
        n.trim().parse().map_err(|_| bad())?,
    );
    if n == 0 || n > 10_000 || i >= n {
        return Err(bad());
    }
    Ok((i, n))
}

/// One job: train at `power`, play seed `seed`; (return, performance).
/// `hook` sees the job's work and may stop it.
pub fn run_job(
    level: &Level,
    reward: &Program,
    agent: AgentKind,
    power: u32,
    seed: u64,
    params: &Params,
    hook: &mut Hook<'_>,
) -> Result<(f64, f64), RunError> {
    let cfg = RunConfig {
        agent,
        power: Some(power),
        seed,
        params: params.clone(),
    };
    let r = run(level, reward, &cfg, hook)?;
    Ok((r.episode.ret, r.episode.performance))
}

fn mean_sd(xs: &[f64]) -> (f64, f64) {
    let n = xs.len() as f64;
    let mean = xs.iter().sum::<f64>() / n;
    let var = if xs.len() > 1 {
        xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0)
    } else {
        0.0
    };
    (mean, var.sqrt())
}

/// Summarizes results given in job order (see [`jobs`]).
pub fn summarize(powers: &[u32], seeds: u64, results: &[(f64, f64)]) -> Vec<SweepPoint> {
    let seeds = seeds.max(1) as usize;
    powers
        .iter()
        .zip(results.chunks(seeds))
        .map(|(&power, chunk)| {
            let rets: Vec<f64> = chunk.iter().map(|r| r.0).collect();
            let perfs: Vec<f64> = chunk.iter().map(|r| r.1).collect();
            let (return_mean, return_sd) = mean_sd(&rets);
            let (performance_mean, performance_sd) = mean_sd(&perfs);
            SweepPoint {
                power,
                return_mean,
                return_sd,
                performance_mean,
                performance_sd,
                returns: rets,
                performances: perfs,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn power_lists() {
        assert_eq!(parse_powers("1,2,5").unwrap(), vec![1, 2, 5]);
        assert_eq!(parse_powers("3..6").unwrap(), vec![3, 4, 5, 6]);
        assert_eq!(parse_powers("10..1000:3").unwrap(), vec![10, 100, 1000]);
        assert_eq!(parse_powers("1..4:10").unwrap(), vec![1, 2, 3, 4]);
        assert!(parse_powers("0,1").unwrap_err().contains("at least 1"));
        assert!(parse_powers("5..2").unwrap_err().contains("empty"));
        assert!(parse_powers("1..100000").unwrap_err().contains("limit"));
        assert!(parse_powers("a").is_err());
    }

    #[test]
    fn summary_in_job_order() {
        let s = summarize(
            &[1, 2],
            2,
            &[(1.0, 0.0), (3.0, 2.0), (5.0, 5.0), (5.0, 5.0)],
        );
        assert_eq!(s[0].return_mean, 2.0);
        assert!((s[0].return_sd - 2f64.sqrt()).abs() < 1e-12);
        assert_eq!((s[1].performance_mean, s[1].performance_sd), (5.0, 0.0));
        assert_eq!(
            (s[0].returns.as_slice(), s[0].performances.as_slice()),
            (&[1.0, 3.0][..], &[0.0, 2.0][..])
        );
    }
}
