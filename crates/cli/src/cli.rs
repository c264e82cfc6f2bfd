//! Argument parsing (raw flags) and dispatch to the commands.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use clap::{Args, Parser, Subcommand};
use loophole_engine::agents::{AgentKind, Progress};
use loophole_engine::lang::Program;
use loophole_engine::level::{self, Level};
use loophole_engine::run::{self, RunConfig};
use loophole_engine::score::{Budget, Design};
use loophole_engine::world::Params;
use loophole_engine::{levels, score};
use loophole_server::wire::{self, round};
use loophole_server::LevelSlot;

use crate::output::{self, Failure};
use crate::plot;

#[derive(Parser, Debug)]
#[command(
    name = "loophole",
    version,
    about = "A reward-hacking laboratory: write a reward, watch an optimizer satisfy its letter and miss its intent."
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Start the web app (the default when no command is given).
    Serve {
        /// Address to listen on; port 0 takes a free port.
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: std::net::SocketAddr,
        /// The SQLite file for saved designs (created on first run).
        #[arg(long, default_value = "loophole.db")]
        db: PathBuf,
        /// Also answer to this host name (repeatable). IP addresses and
        /// localhost are always answered; any other name is refused (421),
        /// so that no web page can reach the server by rebinding its own name.
        #[arg(long = "allow-host", value_name = "NAME")]
        allow_hosts: Vec<String>,
        /// Most MiB the database may take on disk (its write-ahead log
        /// included); new designs beyond it are refused with 507.
        #[arg(long = "max-db-mb", value_name = "MIB", default_value_t = loophole_server::DEFAULT_MAX_DB_MB,
              value_parser = clap::value_parser!(u64).range(1..=1_048_576))]
        max_db_mb: u64,
    },
    /// List the built-in levels.
    Levels {
        #[arg(long)]
        json: bool,
    },
    /// The grid mechanics a level file may declare: settings, signals, kinds.
    Mechanics {
        #[arg(long)]
        json: bool,
        /// The reference table of docs/LEVELS.md.
        #[arg(long, conflicts_with = "json")]
        markdown: bool,
    },
    /// Play an action string on a level and score it.
    Replay(ReplayArgs),
    /// Train an agent on a reward, then play its greedy episode.
    Run(RunArgs),
    /// Check a reward expression against a level's signals.
    Check {
        #[command(flatten)]
        level: LevelArgs,
        #[arg(long)]
        reward: String,
        #[arg(long)]
        json: bool,
    },
    /// Return and performance against optimization power: the Goodhart curve.
    Sweep(SweepArgs),
    /// Merge the outputs of `loophole sweep --shard I/N` into the sweep's JSON.
    Merge {
        /// Every shard's output file, in any order.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// RLHF, simulated: a reward model learned from biased comparisons, then overoptimized.
    Rlhf(crate::feedback::RlhfArgs),
    /// Constitutional AI, simulated: principles, revisions, AI feedback, and where it goes wrong.
    Cai(crate::feedback::CaiArgs),
    /// The numbers behind a widget of the explainer page, as JSON (`loophole explain list`).
    Explain {
        /// The demonstration: interpret, oversight, irl, shift, misgeneralization, brittle, or `list`.
        name: String,
        /// Its settings as a JSON object, as the web page sends them.
        #[arg(long, default_value = "{}")]
        input: String,
    },
    /// Markdown table of return against performance for every level and agent (docs/RESULTS.md).
    Table {
        /// Episodes (seeds 0..N-1) averaged per cell.
        #[arg(long, default_value_t = 4)]
        seeds: u64,
        /// Instead: per level, return and performance against power for the
        /// default agent and reward (docs/GOODHART.md).
        #[arg(long)]
        powers: bool,
    },
    /// How fast it runs: environment steps, Q-learning updates, value
    /// iteration over a million states, server latency (docs/PERFORMANCE.md).
    Bench {
        /// What to measure.
        #[arg(long, value_enum, default_value = "steps")]
        suite: crate::bench::Suite,
        /// A level id (default: every built-in level).
        #[arg(long)]
        level: Option<String>,
        /// Steps per level (suite `steps`).
        #[arg(long, default_value_t = 20_000_000)]
        steps: u64,
        /// Training episodes per level (suite `q-learning`).
        #[arg(long, default_value_t = 20_000)]
        episodes: u32,
        /// Side of the generated warehouse, walls included (suite
        /// `value-iteration`): 34 gives 1,047,552 reachable states.
        #[arg(long, default_value_t = 34)]
        side: usize,
        /// Planning horizon and step limit of the generated level (suite `value-iteration`).
        #[arg(long, default_value_t = 20)]
        horizon: u32,
        /// Timed runs per level after a warm-up run (suite `server`).
        #[arg(long, default_value_t = 5)]
        repeats: u32,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Args, Debug)]
struct LevelArgs {
    /// A built-in level id (see `loophole levels`).
    #[arg(
        long,
        required_unless_present = "level_file",
        conflicts_with = "level_file"
    )]
    level: Option<String>,
    /// A level file of your own (format: docs/LEVELS.md).
    #[arg(long, value_name = "PATH")]
    level_file: Option<PathBuf>,
}

#[derive(Args, Debug)]
struct ReplayArgs {
    #[command(flatten)]
    level: LevelArgs,
    /// Actions: u d l r (n = stay, where the level allows it).
    #[arg(long, allow_hyphen_values = true)]
    actions: String,
    /// Score with this reward instead of the level's default.
    #[arg(long)]
    reward: Option<String>,
    /// Fix a per-episode draw, e.g. supervisor=1.
    #[arg(long = "param", value_name = "K=V")]
    params: Vec<String>,
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Average over seeds SEED..SEED+EPISODES-1.
    #[arg(long, default_value_t = 1)]
    episodes: u64,
    #[arg(long)]
    json: bool,
}

#[derive(Args, Debug)]
struct SweepArgs {
    #[command(flatten)]
    level: LevelArgs,
    /// The reward to optimize (default: the level's own).
    #[arg(long)]
    reward: Option<String>,
    /// value-iteration, q-learning or mcts (default: as for `run`).
    #[arg(long)]
    agent: Option<String>,
    /// Powers: `1,2,5`, a range `1..24`, or `10..10000:20` (20 log-spaced powers).
    #[arg(long)]
    powers: String,
    /// Episodes per power (seeds 0..N-1).
    #[arg(long, default_value_t = 10)]
    seeds: u64,
    #[arg(long = "param", value_name = "K=V")]
    params: Vec<String>,
    /// Also write the points as CSV.
    #[arg(long, value_name = "FILE")]
    csv: Option<PathBuf>,
    /// Also draw both curves against power as SVG.
    #[arg(long, value_name = "FILE")]
    svg: Option<PathBuf>,
    /// Stop with an error if the work takes longer than this (seconds).
    #[arg(long, value_name = "SECONDS", default_value_t = 600.0)]
    time_limit: f64,
    /// Run only shard I of N of the jobs (every Nth from the Ith) and print
    /// them as JSON, for `loophole merge` (the same result as the whole sweep).
    #[arg(long, value_name = "I/N")]
    shard: Option<String>,
    #[arg(long)]
    json: bool,
}

#[derive(Args, Debug)]
struct RunArgs {
    #[command(flatten)]
    level: LevelArgs,
    /// The reward to optimize (default: the level's own).
    #[arg(long)]
    reward: Option<String>,
    /// value-iteration, q-learning or mcts (default: value iteration where the level's MDP fits, else mcts).
    #[arg(long)]
    agent: Option<String>,
    /// Optimization power: planning horizon, training episodes or simulations per move.
    #[arg(long)]
    power: Option<u64>,
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Fix a per-episode draw of the evaluated episode, e.g. interrupt=1.
    #[arg(long = "param", value_name = "K=V")]
    params: Vec<String>,
    /// Stop with an error if the work takes longer than this (seconds).
    #[arg(long, value_name = "SECONDS", default_value_t = 600.0)]
    time_limit: f64,
    #[arg(long)]
    json: bool,
}

/// The command's time budget from `--time-limit`.
fn time_budget(seconds: f64, what: &'static str) -> Result<Budget, Failure> {
    if !(seconds.is_finite() && seconds > 0.0 && seconds <= 1e9) {
        return Err(Failure::usage(format!(
            "--time-limit takes seconds, more than 0 and at most 1e9; found {seconds}"
        )));
    }
    Ok(Budget::start(Duration::from_secs_f64(seconds), what))
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let json = match &cli.command {
        Some(Command::Levels { json })
        | Some(Command::Mechanics { json, .. })
        | Some(Command::Check { json, .. })
        | Some(Command::Bench { json, .. }) => *json,
        Some(Command::Table { .. }) | Some(Command::Serve { .. }) => false,
        Some(Command::Explain { .. }) => true,
        Some(Command::Replay(a)) => a.json,
        Some(Command::Sweep(a)) => a.json || a.shard.is_some(),
        Some(Command::Merge { .. }) => true,
        Some(Command::Rlhf(a)) => a.json,
        Some(Command::Cai(a)) => a.json,
        Some(Command::Run(a)) => a.json,
        None => false,
    };
    let result = match cli.command {
        Some(Command::Levels { json }) => levels_cmd(json),
        Some(Command::Mechanics { json, markdown }) => {
            crate::mechanics::mechanics_cmd(json, markdown)
        }
        Some(Command::Replay(a)) => replay_cmd(a),
        Some(Command::Run(a)) => run_cmd(a),
        Some(Command::Sweep(a)) => sweep_cmd(a),
        Some(Command::Merge { files }) => crate::shard::merge(&files),
        Some(Command::Rlhf(a)) => crate::feedback::rlhf(a),
        Some(Command::Cai(a)) => crate::feedback::cai(a),
        Some(Command::Check {
            level,
            reward,
            json,
        }) => check_cmd(level, reward, json),
        Some(Command::Bench {
            suite,
            level,
            steps,
            episodes,
            side,
            horizon,
            repeats,
            json,
        }) => crate::bench::bench_cmd(crate::bench::BenchArgs {
            suite,
            level,
            steps,
            episodes,
            side,
            horizon,
            repeats,
            json,
        }),
        Some(Command::Table {
            seeds,
            powers: false,
        }) => table_cmd(seeds),
        Some(Command::Table {
            seeds,
            powers: true,
        }) => power_table_cmd(seeds),
        Some(Command::Explain { name, input }) => explain_cmd(&name, &input),
        Some(Command::Serve {
            addr,
            db,
            allow_hosts,
            max_db_mb,
        }) => serve_cmd(addr, db, &allow_hosts, max_db_mb),
        None => serve_cmd(
            ([127, 0, 0, 1], 8080).into(),
            PathBuf::from("loophole.db"),
            &[],
            loophole_server::DEFAULT_MAX_DB_MB,
        ),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => f.report(json),
    }
}

fn serve_cmd(
    addr: std::net::SocketAddr,
    db: PathBuf,
    allow: &[String],
    max_db_mb: u64,
) -> Result<(), Failure> {
    let mut hosts = loophole_server::host::Hosts::local();
    for name in allow {
        hosts = hosts.allow(name).map_err(Failure::usage)?;
    }
    loophole_server::log::to_stderr();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::runtime(format!("cannot start the async runtime: {e}")))?;
    runtime
        .block_on(loophole_server::serve(loophole_server::ServeConfig {
            addr,
            db,
            hosts,
            max_db_mb,
        }))
        .map_err(|e| Failure::runtime(e.to_string()))
}

/// The reward text (the level's default unless one is given) and its program.
fn reward_for(level: &Level, reward: &Option<String>) -> Result<(String, Program), Failure> {
    let src = reward_text(level, reward);
    let program = level
        .compile_reward(&src)
        .map_err(|d| Failure::reward(&src, d))?;
    Ok((src, program))
}

fn reward_text(level: &Level, reward: &Option<String>) -> String {
    reward
        .clone()
        .unwrap_or_else(|| level.default_reward.clone())
}

/// A run as the command line asks for it, checked by the engine's rules
/// (`score::check`, as the server checks its requests), and the reward text.
fn checked(
    level: &Level,
    reward: &Option<String>,
    agent: &Option<String>,
    power: Option<u64>,
    seed: u64,
    params: &[String],
) -> Result<(String, Design), Failure> {
    let src = reward_text(level, reward);
    let ask = score::Request {
        reward: &src,
        agent: agent.as_deref(),
        power,
        seed,
        params: parse_params(params)?,
    };
    let design = score::check(level, &ask).map_err(|e| Failure::engine(&src, e))?;
    Ok((src, design))
}

fn load_level(args: &LevelArgs) -> Result<Level, Failure> {
    match (&args.level, &args.level_file) {
        (_, Some(path)) => {
            let text = std::fs::read_to_string(path).map_err(|e| {
                Failure::usage(format!("cannot read level file {}: {e}", path.display()))
            })?;
            level::parse(&text).map_err(|e| Failure::level_file(path, &text, e))
        }
        (Some(id), None) => levels::builtin(id).map_err(Failure::usage),
        (None, None) => Err(Failure::usage(
            "give --level ID or --level-file PATH".into(),
        )),
    }
}

fn parse_params(raw: &[String]) -> Result<Params, Failure> {
    let mut params = Params::new();
    for p in raw {
        let Some((k, v)) = p.split_once('=') else {
            return Err(Failure::usage(format!(
                "--param takes K=V, e.g. supervisor=1; found `{p}`"
            )));
        };
        let v: f64 = v
            .trim()
            .parse()
            .map_err(|_| Failure::usage(format!("--param {k}: `{v}` is not a number")))?;
        params.insert(k.trim().to_string(), v);
    }
    Ok(params)
}

fn levels_cmd(json: bool) -> Result<(), Failure> {
    let all = levels::all().map_err(|e| Failure::usage(e.to_string()))?;
    if json {
        let slots: Vec<LevelSlot> = all.into_iter().map(LevelSlot::new).collect();
        let list: Vec<_> = slots.iter().map(|slot| slot.body(None, false)).collect();
        output::print_json(&list);
    } else {
        for l in &all {
            let shape = match l.world.grid() {
                Some(g) => format!("{}x{} grid", g.width(), g.height()),
                None => l.world.kind().to_string(),
            };
            out!("{:<28} {:<30} {shape}, {} steps", l.id, l.title, l.steps);
        }
    }
    Ok(())
}

fn check_cmd(args: LevelArgs, reward: String, json: bool) -> Result<(), Failure> {
    let level = load_level(&args)?;
    let program = level
        .compile_reward(&reward)
        .map_err(|d| Failure::reward(&reward, d))?;
    let checked = wire::CheckResponse::new(&level, &program);
    if json {
        output::print_json(&checked);
    } else {
        out!("ok: the reward reads {}", checked.signals.join(", "));
    }
    Ok(())
}

fn replay_cmd(a: ReplayArgs) -> Result<(), Failure> {
    let level = load_level(&a.level)?;
    let params = parse_params(&a.params)?;
    let (_, reward) = reward_for(&level, &a.reward)?;
    if a.episodes == 0 || a.episodes > run::MAX_REPLAY_EPISODES {
        return Err(Failure::usage(format!(
            "--episodes must be from 1 to {}",
            run::MAX_REPLAY_EPISODES
        )));
    }
    let eps = run::replay_episodes(&level, &reward, &a.actions, a.seed, a.episodes, &params)
        .map_err(|e| Failure::engine(&a.actions, e))?;
    let body = wire::ReplayBody::new(&level, &eps);
    if a.json {
        output::print_json(&body);
    } else {
        let what = if eps.len() == 1 { "" } else { " (mean)" };
        out!("return{what}:      {}", output::num(body.ret));
        out!("performance{what}: {}", output::num(body.performance));
        out!("steps{what}:       {}", output::num(body.steps));
        if eps.len() == 1 {
            let end = if eps[0].terminated {
                "terminated"
            } else if eps[0].truncated {
                "truncated"
            } else {
                "running"
            };
            out!("ended:       {end}");
        } else {
            let t = eps.iter().filter(|e| e.terminated).count();
            out!("terminated:  {t} of {} episodes", eps.len());
        }
    }
    Ok(())
}

fn run_cmd(a: RunArgs) -> Result<(), Failure> {
    let level = load_level(&a.level)?;
    let (src, design) = checked(&level, &a.reward, &a.agent, a.power, a.seed, &a.params)?;
    let budget = time_budget(a.time_limit, "run")?;
    let mut in_time = budget.hook();
    let bar = output::progress_bar(std::io::stderr().is_terminal() && !a.json);
    let mut progress = |p: &Progress| {
        if let Some(bar) = &bar {
            bar.set_length(p.total.max(1));
            bar.set_position(p.done);
        }
        in_time(p)
    };
    let started = Instant::now();
    let judged = score::judged_run(&level, &design, &mut progress);
    let elapsed = started.elapsed();
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    let (result, verdict) = judged.map_err(|e| Failure::budgeted(&src, &budget, e))?;
    if a.json {
        output::print_json(&wire::RunResultBody::new(
            &level, &src, &result, &verdict, None,
        ));
    } else {
        output::print_run(&level, &src, &result, &verdict, elapsed);
    }
    Ok(())
}

fn table_cmd(seeds: u64) -> Result<(), Failure> {
    if seeds == 0 || seeds > 1000 {
        return Err(Failure::usage("--seeds must be from 1 to 1000".into()));
    }
    let all = levels::all().map_err(|e| Failure::usage(e.to_string()))?;
    out!("| level | agent | power | return | performance | what it did (seed 0) |");
    out!("|---|---|---:|---:|---:|---|");
    for level in &all {
        let reward = level
            .compile_reward(&level.default_reward)
            .map_err(|d| Failure::reward(&level.default_reward, d))?;
        for agent in AgentKind::ALL {
            let (mut ret, mut perf) = (0.0, 0.0);
            let mut first = None;
            let mut failed = None;
            for seed in 0..seeds {
                let cfg = RunConfig {
                    agent,
                    power: None,
                    seed,
                    params: Params::new(),
                };
                match run::run(level, &reward, &cfg, &mut |_| true) {
                    Ok(r) => {
                        ret += r.episode.ret;
                        perf += r.episode.performance;
                        first.get_or_insert(r);
                    }
                    Err(e) => {
                        failed = Some(e.to_string());
                        break;
                    }
                }
            }
            match (failed, first) {
                (Some(e), _) => {
                    let short = e.split(';').next().unwrap_or(&e).to_string();
                    out!(
                        "| {} | {} | | | | refused: {short} |",
                        level.id,
                        agent.name()
                    );
                }
                (None, Some(r)) => {
                    let did = loophole_engine::account::account(level, &r.episode).join(" ");
                    out!(
                        "| {} | {} | {} | {} | {} | {did} |",
                        level.id,
                        agent.name(),
                        r.power,
                        output::num(ret / seeds as f64),
                        output::num(perf / seeds as f64)
                    );
                }
                (None, None) => {}
            }
        }
    }
    Ok(())
}

fn sweep_cmd(a: SweepArgs) -> Result<(), Failure> {
    use loophole_engine::experiment;
    use rayon::prelude::*;

    let level = load_level(&a.level)?;
    let (src, design) = checked(&level, &a.reward, &a.agent, None, 0, &a.params)?;
    let (agent, reward, params) = (design.agent, &design.reward, &design.params);
    let powers = experiment::parse_powers(&a.powers).map_err(Failure::usage)?;
    for &p in &powers {
        score::check_power(&level, agent, Some(u64::from(p)))
            .map_err(|e| Failure::engine(&src, e))?;
    }
    if a.seeds == 0 || a.seeds > experiment::MAX_SEEDS {
        return Err(Failure::usage(format!(
            "--seeds must be from 1 to {}",
            experiment::MAX_SEEDS
        )));
    }
    let all_jobs = experiment::jobs(&powers, a.seeds);
    let shard = a
        .shard
        .as_deref()
        .map(experiment::parse_shard)
        .transpose()
        .map_err(Failure::usage)?;
    if shard.is_some() && (a.csv.is_some() || a.svg.is_some()) {
        return Err(Failure::usage(
            "a shard has part of the jobs: write --csv and --svg from the whole sweep".into(),
        ));
    }
    let numbers: Vec<usize> = match shard {
        Some((i, n)) => experiment::shard(all_jobs.len(), i, n),
        None => (0..all_jobs.len()).collect(),
    };
    let jobs: Vec<(u32, u64)> = numbers.iter().map(|&k| all_jobs[k]).collect();
    let budget = time_budget(a.time_limit, "sweep")?;
    let bar = output::progress_bar(std::io::stderr().is_terminal() && !a.json);
    if let Some(bar) = &bar {
        bar.set_length(jobs.len() as u64);
    }
    // Results come back in job order whatever the number of threads, so the
    // output is the same bytes on one core or many.
    let results = jobs
        .par_iter()
        .map(|&(power, seed)| {
            let r = experiment::run_job(
                &level,
                reward,
                agent,
                power,
                seed,
                params,
                &mut budget.hook(),
            );
            if let Some(bar) = &bar {
                bar.inc(1);
            }
            r
        })
        .collect::<Result<Vec<_>, _>>();
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    let results = results.map_err(|e| Failure::budgeted(&src, &budget, e))?;
    if let Some((i, n)) = shard {
        output::print_json(&wire::ShardBody {
            shard: [i, n],
            level: level.id.clone(),
            agent: agent.name().to_string(),
            reward: src,
            powers,
            seeds: a.seeds,
            params: params.clone(),
            results: numbers
                .iter()
                .zip(&results)
                .map(|(&k, &(r, p))| (k, r, p))
                .collect(),
        });
        return Ok(());
    }
    let points = experiment::summarize(&powers, a.seeds, &results);

    if let Some(path) = &a.csv {
        let mut csv = String::from("power,return_mean,return_sd,performance_mean,performance_sd\n");
        for p in &points {
            csv.push_str(&format!(
                "{},{},{},{},{}\n",
                p.power,
                round(p.return_mean),
                round(p.return_sd),
                round(p.performance_mean),
                round(p.performance_sd)
            ));
        }
        std::fs::write(path, csv)
            .map_err(|e| Failure::runtime(format!("cannot write {}: {e}", path.display())))?;
    }
    if let Some(path) = &a.svg {
        let series = |name: &str, f: &dyn Fn(&experiment::SweepPoint) -> (f64, f64)| plot::Series {
            name: name.to_string(),
            points: points.iter().map(|p| (p.power as f64, f(p).0)).collect(),
            band: Some(
                points
                    .iter()
                    .map(|p| (p.power as f64, f(p).0 - f(p).1, f(p).0 + f(p).1))
                    .collect(),
            ),
        };
        let svg = plot::line_chart(
            &format!("{}: what a stronger optimizer does", level.title),
            &format!(
                "optimization power ({}, {})",
                agent.name(),
                agent.power_meaning()
            ),
            &format!("mean over {} episodes (band: ±1 sd)", a.seeds),
            &[
                series(&format!("return ({src})"), &|p| {
                    (p.return_mean, p.return_sd)
                }),
                series(&format!("intent ({})", level.intent_source), &|p| {
                    (p.performance_mean, p.performance_sd)
                }),
            ],
        )
        .map_err(Failure::runtime)?;
        std::fs::write(path, svg)
            .map_err(|e| Failure::runtime(format!("cannot write {}: {e}", path.display())))?;
    }
    if a.json {
        let body = wire::SweepBody::new(&level, agent, &src, a.seeds, &points, None);
        output::print_json(&body);
    } else {
        out!(
            "{} — {} over {} seeds; reward: {src}",
            level.title,
            agent.name(),
            a.seeds
        );
        out!(
            "{:>8}  {:>20}  {:>20}",
            "power",
            "return (mean ± sd)",
            "intent (mean ± sd)"
        );
        for p in &points {
            out!(
                "{:>8}  {:>20}  {:>20}",
                p.power,
                format!(
                    "{} ± {}",
                    output::num(p.return_mean),
                    output::num(p.return_sd)
                ),
                format!(
                    "{} ± {}",
                    output::num(p.performance_mean),
                    output::num(p.performance_sd)
                )
            );
        }
    }
    Ok(())
}

fn power_table_cmd(seeds: u64) -> Result<(), Failure> {
    use loophole_engine::experiment;
    use rayon::prelude::*;

    if seeds == 0 || seeds > experiment::MAX_SEEDS {
        return Err(Failure::usage(format!(
            "--seeds must be from 1 to {}",
            experiment::MAX_SEEDS
        )));
    }
    let all = levels::all().map_err(|e| Failure::usage(e.to_string()))?;
    for level in &all {
        let reward = level
            .compile_reward(&level.default_reward)
            .map_err(|d| Failure::reward(&level.default_reward, d))?;
        let agent = score::default_agent(level);
        let (powers, _) = experiment::default_powers(agent, level);
        let jobs = experiment::jobs(&powers, seeds);
        let params = Params::new();
        let results = jobs
            .par_iter()
            .map(|&(p, s)| experiment::run_job(level, &reward, agent, p, s, &params, &mut |_| true))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| Failure::engine(&level.default_reward, e))?;
        let points = experiment::summarize(&powers, seeds, &results);
        out!("### {} (`{}`)", level.title, level.id);
        out!();
        let trained = match &level.train {
            Some(id) => format!(", trained in `{id}` and tested here"),
            None => String::new(),
        };
        out!(
            "Reward `{}`, intent `{}`, {} ({}){trained}, mean of {seeds} episodes.",
            level.default_reward,
            level.intent_source,
            agent.name(),
            agent.power_meaning()
        );
        out!();
        out!("| power | return | performance |");
        out!("|---:|---:|---:|");
        for p in &points {
            out!(
                "| {} | {} | {} |",
                p.power,
                output::num(p.return_mean),
                output::num(p.performance_mean)
            );
        }
        out!();
    }
    Ok(())
}

/// `loophole explain NAME --input JSON`: the same JSON as `POST /api/explain/NAME`.
fn explain_cmd(name: &str, input: &str) -> Result<(), Failure> {
    use loophole_server::explain;
    if name == "list" {
        for d in explain::DEMOS {
            out!("{:<18} {}", d.name, d.about);
        }
        return Ok(());
    }
    let body: serde_json::Value = serde_json::from_str(input)
        .map_err(|e| Failure::usage(format!("--input is not valid JSON: {e}")))?;
    let answer =
        explain::run(name, body, &mut |_| true).map_err(|e| Failure::usage(e.to_string()))?;
    let text = serde_json::to_string_pretty(&answer)
        .map_err(|e| Failure::runtime(format!("cannot write JSON: {e}")))?;
    out!("{text}");
    Ok(())
}
