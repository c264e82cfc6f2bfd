//! `loophole rlhf` and `loophole cai`: the simulations of learned rewards
//! and how they get overoptimized (docs/FEEDBACK.md).
//!
//! The JSON is the server's (`loophole_server::feedback`), so a script and
//! the web page see the same numbers for the same settings.

use std::path::PathBuf;

use loophole_engine::feedback::cai::{self, CaiConfig, CaiError, CaiReport, Outcome};
use loophole_engine::feedback::fit::{Fit, Form};
use loophole_engine::feedback::rlhf::{self, RlhfConfig, RlhfReport};
use loophole_server::feedback::{cai_body, rlhf_body};
use loophole_server::wire::round;

use crate::output::{print_json, Failure};
use crate::plot::{self, Panel, Series};

/// Arguments of `loophole rlhf`.
#[derive(clap::Args, Debug)]
pub struct RlhfArgs {
    /// Pairwise comparisons the reward model is trained on (10 to 100000).
    #[arg(long, default_value_t = u64::from(rlhf::DEFAULT_COMPARISONS))]
    pub comparisons: u64,
    /// How strongly raters are drawn to long, confident, flattering answers (0 to 5).
    #[arg(long, default_value_t = rlhf::DEFAULT_RATER_BIAS, allow_hyphen_values = true)]
    pub rater_bias: f64,
    /// Largest n of best-of-n (2 to 4096); the KL-regularized sweep covers the same KL.
    #[arg(long, default_value_t = u64::from(rlhf::DEFAULT_MAX_N))]
    pub max_n: u64,
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Skip the gridworld part (raters comparing tomato-watering episodes).
    #[arg(long)]
    pub no_gridworld: bool,
    #[arg(long)]
    pub json: bool,
    /// Also draw the curves into this SVG file.
    #[arg(long, value_name = "FILE")]
    pub svg: Option<PathBuf>,
}

/// Arguments of `loophole cai`.
#[derive(clap::Args, Debug)]
pub struct CaiArgs {
    /// A constitution file: one principle per line, `name: expression`.
    #[arg(long, value_name = "FILE", conflicts_with = "principles")]
    pub constitution: Option<PathBuf>,
    /// One principle, `name: expression`; repeat for several (default: the built-in constitution).
    #[arg(
        long = "principle",
        value_name = "NAME: EXPR",
        allow_hyphen_values = true
    )]
    pub principles: Vec<String>,
    /// Critique-and-revision rounds of the supervised stage (0 to 12).
    #[arg(long, default_value_t = u64::from(cai::DEFAULT_REVISIONS))]
    pub revisions: u64,
    /// Pairs labeled by AI feedback (10 to 100000).
    #[arg(long, default_value_t = u64::from(cai::DEFAULT_COMPARISONS))]
    pub comparisons: u64,
    /// Clamp the soft labels to 40-60%, as Bai et al. (2022) did.
    #[arg(long)]
    pub clamp: bool,
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    #[arg(long)]
    pub json: bool,
    /// Also draw the curves into this SVG file.
    #[arg(long, value_name = "FILE")]
    pub svg: Option<PathBuf>,
}

/// A u64 argument checked against its range before it is narrowed.
fn narrow(flag: &str, value: u64, lo: u32, hi: u32) -> Result<u32, Failure> {
    if (u64::from(lo)..=u64::from(hi)).contains(&value) {
        Ok(value as u32)
    } else {
        Err(Failure::usage(format!(
            "--{flag} must be from {lo} to {hi}, found {value}"
        )))
    }
}

impl RlhfArgs {
    fn config(&self) -> Result<RlhfConfig, Failure> {
        if !(0.0..=rlhf::MAX_RATER_BIAS).contains(&self.rater_bias) {
            return Err(Failure::usage(format!(
                "--rater-bias must be from 0 to {}, found {}",
                rlhf::MAX_RATER_BIAS,
                self.rater_bias
            )));
        }
        Ok(RlhfConfig {
            comparisons: narrow(
                "comparisons",
                self.comparisons,
                rlhf::MIN_COMPARISONS,
                rlhf::MAX_COMPARISONS,
            )?,
            rater_bias: self.rater_bias,
            max_n: narrow("max-n", self.max_n, rlhf::MIN_MAX_N, rlhf::MAX_MAX_N)?,
            seed: self.seed,
            gridworld: !self.no_gridworld,
        })
    }
}

impl CaiArgs {
    fn config(&self) -> Result<CaiConfig, Failure> {
        let constitution = match (&self.constitution, self.principles.is_empty()) {
            (Some(path), _) => read_constitution(path)?,
            (None, false) => self.principles.join("\n"),
            (None, true) => cai::DEFAULT_CONSTITUTION.to_string(),
        };
        Ok(CaiConfig {
            constitution,
            revisions: narrow("revisions", self.revisions, 0, cai::MAX_REVISIONS)?,
            comparisons: narrow(
                "comparisons",
                self.comparisons,
                cai::MIN_COMPARISONS,
                cai::MAX_COMPARISONS,
            )?,
            clamp: self.clamp,
            seed: self.seed,
        })
    }
}

fn read_constitution(path: &PathBuf) -> Result<String, Failure> {
    let meta = std::fs::metadata(path)
        .map_err(|e| Failure::usage(format!("cannot read {}: {e}", path.display())))?;
    if meta.len() > cai::MAX_CONSTITUTION_BYTES as u64 {
        return Err(Failure::usage(format!(
            "{} is {} bytes; a constitution is at most {} bytes",
            path.display(),
            meta.len(),
            cai::MAX_CONSTITUTION_BYTES
        )));
    }
    std::fs::read_to_string(path)
        .map_err(|e| Failure::usage(format!("cannot read {}: {e}", path.display())))
}

fn write_svg(path: &PathBuf, svg: Result<String, String>) -> Result<(), Failure> {
    let svg = svg.map_err(Failure::runtime)?;
    std::fs::write(path, svg)
        .map_err(|e| Failure::runtime(format!("cannot write {}: {e}", path.display())))
}

fn json_of<T: serde::Serialize>(body: &T) -> Result<serde_json::Value, Failure> {
    serde_json::to_value(body).map_err(|e| Failure::runtime(format!("cannot write JSON: {e}")))
}

/// `loophole rlhf`.
pub fn rlhf(args: RlhfArgs) -> Result<(), Failure> {
    let cfg = args.config()?;
    let report = rlhf::rlhf(&cfg, &mut |_| true).map_err(|e| Failure::usage(e.to_string()))?;
    if let Some(path) = &args.svg {
        write_svg(path, rlhf_svg(&report))?;
    }
    if args.json {
        print_json(&json_of(&rlhf_body(&report))?);
    } else {
        print_rlhf(&report);
    }
    Ok(())
}

/// `loophole cai`.
pub fn cai(args: CaiArgs) -> Result<(), Failure> {
    let cfg = args.config()?;
    let report = cai::cai(&cfg, &mut |_| true).map_err(|e| match e {
        CaiError::Setting(m) => Failure::usage(m),
        CaiError::Constitution(d) => Failure::reward(&cfg.constitution, d),
        CaiError::Stopped => Failure::runtime(e.to_string()),
    })?;
    if let Some(path) = &args.svg {
        write_svg(path, cai_svg(&report))?;
    }
    if args.json {
        print_json(&json_of(&cai_body(&report))?);
    } else {
        print_cai(&report);
    }
    Ok(())
}

fn f2(x: f64) -> String {
    format!("{:.2}", round(x))
}

fn fit_line(form: Form, fit: &Fit, peak: Option<f64>) -> String {
    let shape = match form {
        Form::BestOfN => format!("d ({} - {} d)", f2(fit.alpha), f2(fit.beta)),
        Form::Rl => format!("d ({} - {} ln d)", f2(fit.alpha), f2(fit.beta)),
    };
    let peak = peak.map_or(String::new(), |d| format!(", peaks at d = {}", f2(d)));
    format!("  fit: gold = {shape}, R² = {:.3}{peak}", fit.r2)
}

fn print_rlhf(r: &RlhfReport) {
    let c = &r.config;
    out!("RLHF, simulated: {}", rlhf::SUMMARY);
    out!(
        "{} comparisons, rater bias {}, seed {}; scores relative to the base policy, d = sqrt(KL)",
        c.comparisons,
        c.rater_bias,
        c.seed
    );
    let m = &r.reward_model;
    out!(
        "reward model: agrees with a rater on {:.0}% of new pairs (two raters agree on {:.0}%), with the gold score on {:.0}%",
        100.0 * m.rater_agreement,
        100.0 * m.inter_rater_agreement,
        100.0 * m.gold_agreement
    );

    let b = &r.best_of_n;
    out!("\nbest-of-n (KL: the bound ln n - (n-1)/n; sample: estimated from the weights)");
    out!(
        "{:>6} {:>6} {:>7} {:>6} {:>7} {:>7}",
        "n",
        "KL",
        "sample",
        "d",
        "proxy",
        "gold"
    );
    for (i, p) in b.points.iter().enumerate() {
        out!(
            "{:>6} {:>6} {:>7} {:>6} {:>7} {:>7}{}",
            p.n,
            f2(p.kl),
            f2(p.kl_empirical),
            f2(p.d),
            f2(p.proxy),
            f2(p.gold),
            if i == b.peak { "  <- gold peaks" } else { "" }
        );
    }
    let (peak, last) = (&b.points[b.peak], b.points.last().unwrap_or(&b.points[0]));
    out!(
        "  gold peaks at n = {} (d = {}, gold {}) and is {} at n = {}, while the proxy climbs to {}",
        peak.n,
        f2(peak.d),
        f2(peak.gold),
        f2(last.gold),
        last.n,
        f2(last.proxy)
    );
    out!("{}", fit_line(Form::BestOfN, &b.fit, b.fitted_peak_d));

    let k = &r.kl_regularized;
    out!("\nKL-regularized (the base policy tilted by exp(proxy / beta))");
    out!(
        "{:>7} {:>6} {:>6} {:>7} {:>7} {:>7}",
        "beta",
        "KL",
        "d",
        "proxy",
        "gold",
        "ESS"
    );
    // Every other point keeps the table short; the peak and the last are always shown.
    for (i, p) in k.points.iter().enumerate() {
        if i % 2 == 1 && i != k.peak && i + 1 != k.points.len() {
            continue;
        }
        out!(
            "{:>7} {:>6} {:>6} {:>7} {:>7} {:>7}{}",
            format!("{:.3}", p.beta),
            f2(p.kl),
            f2(p.d),
            f2(p.proxy),
            f2(p.gold),
            p.ess.round(),
            if i == k.peak { "  <- gold peaks" } else { "" }
        );
    }
    if let (Some(peak), Some(last)) = (k.points.get(k.peak), k.points.last()) {
        out!(
            "  gold peaks at beta = {:.3} (d = {}, gold {}) and is {} at d = {}, while the proxy climbs to {}",
            peak.beta,
            f2(peak.d),
            f2(peak.gold),
            f2(last.gold),
            f2(last.d),
            f2(last.proxy)
        );
        out!(
            "  (the sweep stops where the importance weights are worth fewer than {} responses)",
            rlhf::MIN_ESS
        );
    }
    out!("{}", fit_line(Form::Rl, &k.fit, k.fitted_peak_d));

    if let Some(g) = &r.gridworld {
        out!(
            "\ngridworld ({}): raters who watch the camera prefer the bucket episode in {:.0}% of pairs that differ",
            g.level,
            100.0 * g.bucket_win_rate
        );
        out!("  learned reward: {}", g.reward);
        out!(
            "  {} (power {}) optimizing it: return {}, true performance {}; on the bucket for {} of {} steps",
            g.agent.name(),
            g.power,
            f2(g.ret),
            f2(g.performance),
            g.on_bucket,
            g.steps
        );
        out!(
            "  the same optimizer given the intent itself: performance {} (the raters' episodes: best {}, mean {})",
            f2(g.intent_performance),
            f2(g.pool_best_performance),
            f2(g.pool_mean_performance)
        );
    }
}

fn rlhf_svg(r: &RlhfReport) -> Result<String, String> {
    let series = |name: &str, pts: Vec<(f64, f64)>| Series {
        name: name.to_string(),
        points: pts,
        band: None,
    };
    let b = &r.best_of_n;
    let k = &r.kl_regularized;
    let fitted = |form: Form, fit: &Fit, d_max: f64| -> Vec<(f64, f64)> {
        (0..=40)
            .map(|i| {
                let d = d_max * f64::from(i) / 40.0;
                (d, form.eval(fit, d))
            })
            .collect()
    };
    let d_max = |pts: Vec<f64>| pts.into_iter().fold(0.0, f64::max);
    let bon_d = d_max(b.points.iter().map(|p| p.d).collect());
    let kl_d = d_max(k.points.iter().map(|p| p.d).collect());
    let panel = |title: String, s: Vec<Series>| Panel {
        title,
        x_desc: "d = sqrt(KL) from the base policy".into(),
        y_desc: "score relative to the base policy".into(),
        series: s,
    };
    plot::panels(
        &format!(
            "RLHF, simulated: {} comparisons, rater bias {}",
            r.config.comparisons, r.config.rater_bias
        ),
        &[
            panel(
                "best-of-n".into(),
                vec![
                    series(
                        "proxy (reward model)",
                        b.points.iter().map(|p| (p.d, p.proxy)).collect(),
                    ),
                    series("gold", b.points.iter().map(|p| (p.d, p.gold)).collect()),
                    series(
                        &format!("fit d(α - βd), R² {:.2}", b.fit.r2),
                        fitted(Form::BestOfN, &b.fit, bon_d),
                    ),
                ],
            ),
            panel(
                "KL-regularized".into(),
                vec![
                    series(
                        "proxy (reward model)",
                        k.points.iter().map(|p| (p.d, p.proxy)).collect(),
                    ),
                    series("gold", k.points.iter().map(|p| (p.d, p.gold)).collect()),
                    series(
                        &format!("fit d(α - β ln d), R² {:.2}", k.fit.r2),
                        fitted(Form::Rl, &k.fit, kl_d),
                    ),
                ],
            ),
        ],
        2,
    )
}

fn outcome_cells(o: &Outcome) -> String {
    format!(
        "{:>8} {:>8} {:>6} {:>7.0}% {:>7.0}%",
        f2(o.helpfulness),
        f2(o.harmlessness),
        f2(o.gold),
        100.0 * o.evasive,
        100.0 * o.boilerplate
    )
}

fn print_cai(r: &CaiReport) {
    out!("Constitutional AI, simulated: {}", cai::SUMMARY);
    out!("constitution:");
    for (name, expr) in &r.principles {
        out!("  {name}: {expr}");
    }
    let head = format!(
        "{:>8} {:>8} {:>6} {:>8} {:>8}",
        "helpful", "harmless", "gold", "evasive", "boiler"
    );
    out!("\nsupervised stage: critique and revise (helpful, harmless, gold relative to the base model)");
    out!("{:>6} {head}  edits", "round");
    for round in &r.revisions {
        let edits: Vec<String> = cai::EDITS
            .iter()
            .zip(round.edits)
            .filter(|(_, n)| *n > 0)
            .map(|((name, _), n)| format!("{name} {n}"))
            .collect();
        out!(
            "{:>6} {}  {}",
            round.round,
            outcome_cells(&round.outcome),
            edits.join(", ")
        );
    }
    out!(
        "\nRL stage: AI feedback on {} pairs{}, preference model weights {}",
        r.config.comparisons,
        if r.config.clamp {
            " (labels clamped to 40-60%)"
        } else {
            ""
        },
        cai::COORDINATES
            .iter()
            .zip(&r.pm_weights)
            .map(|(n, w)| format!("{n} {}", f2(*w)))
            .collect::<Vec<_>>()
            .join(", ")
    );
    out!("{:>6} {:>6} {head}", "d", "PM");
    for (i, p) in r.rl.iter().enumerate() {
        if i % 2 == 1 && i != r.rl_peak && i + 1 != r.rl.len() {
            continue;
        }
        out!(
            "{:>6} {:>6} {}{}",
            f2(p.d),
            f2(p.pm),
            outcome_cells(&p.outcome),
            if i == r.rl_peak {
                "  <- gold peaks"
            } else {
                ""
            }
        );
    }
    if let (Some(peak), Some(last)) = (r.rl.get(r.rl_peak), r.rl.last()) {
        out!(
            "  gold peaks at d = {} and is {} at d = {}; boilerplate-heavy answers {:.0}% -> {:.0}%",
            f2(peak.d),
            f2(last.outcome.gold),
            f2(last.d),
            100.0 * r.rl[0].outcome.boilerplate,
            100.0 * last.outcome.boilerplate
        );
    }
    if let Some((first, _)) = r.principles.first().filter(|_| !r.front.is_empty()) {
        out!(
            "\ntrade-off front: `{first}` labels a share w of the pairs, the rest the others; optimized to d = {}",
            cai::FRONT_D
        );
        out!("{:>6} {head}", "w");
        for p in &r.front {
            out!("{:>6} {}", f2(p.weight), outcome_cells(&p.outcome));
        }
    }
}

fn cai_svg(r: &CaiReport) -> Result<String, String> {
    let series = |name: &str, pts: Vec<(f64, f64)>| Series {
        name: name.to_string(),
        points: pts,
        band: None,
    };
    let rounds = |f: fn(&Outcome) -> f64| -> Vec<(f64, f64)> {
        r.revisions
            .iter()
            .map(|x| (f64::from(x.round), f(&x.outcome)))
            .collect()
    };
    let rl = |f: fn(&Outcome) -> f64| -> Vec<(f64, f64)> {
        r.rl.iter().map(|p| (p.d, f(&p.outcome))).collect()
    };
    let mut panels = vec![
        Panel {
            title: "critique and revision".into(),
            x_desc: "revision round".into(),
            y_desc: "relative to the base model".into(),
            series: vec![
                series("helpfulness", rounds(|o| o.helpfulness)),
                series("harmlessness", rounds(|o| o.harmlessness)),
                series("evasive share", rounds(|o| o.evasive)),
            ],
        },
        Panel {
            title: "RL against the preference model".into(),
            x_desc: "d = sqrt(KL) from the revised model".into(),
            y_desc: "score / share".into(),
            series: vec![
                series(
                    "preference model",
                    r.rl.iter().map(|p| (p.d, p.pm)).collect(),
                ),
                series("gold", rl(|o| o.gold)),
                series("boilerplate share", rl(|o| o.boilerplate)),
            ],
        },
    ];
    if !r.front.is_empty() {
        panels.push(Panel {
            title: "trade-off front (first principle's share w)".into(),
            x_desc: "helpfulness".into(),
            y_desc: "harmlessness".into(),
            series: vec![series(
                "optimized policies, w = 0 .. 1",
                r.front
                    .iter()
                    .map(|p| (p.outcome.helpfulness, p.outcome.harmlessness))
                    .collect(),
            )],
        });
    }
    plot::panels("Constitutional AI, simulated", &panels, panels.len())
}
