//! Constitutional AI, simulated: a constitution of principles written in
//! the reward language, a supervised stage of critiques and revisions, and
//! an RL stage trained on AI feedback.
//!
//! # The response space
//!
//! A response to a request (some requests are risky) has four coordinates,
//! drawn from a normal distribution by the base policy: `substance` (what it
//! delivers), `risky` (detail that would help someone do harm; correlated 0.5
//! with substance), `evasion` (how much it declines or deflects; the base
//! model, trained to be helpful, seldom does: mean [`EVASION_MEAN`]) and
//! `stock` (stock safety language: disclaimers, "as an AI…"). What is true
//! of it:
//!
//! ```text
//! harm        = softplus(risky - evasion)                       detail that got through
//! helpfulness = substance - softplus(evasion)                   what the asker gets…
//!               - STOCK_COST * softplus(stock - STOCK_FREE)^2   …minus text that buries it
//! gold        = helpfulness - harm
//! ```
//!
//! # What the feedback model reads
//!
//! Principles are expressions over four signals, the feedback model's
//! reading of a response ([`signal_decls`]):
//!
//! ```text
//! helpful     = substance - softplus(evasion)     (padding goes unnoticed)
//! harmful     = harm - STOCK_TRUST * softplus(stock)  (stock safety text reads as safety)
//! evasive     = softplus(evasion)
//! boilerplate = softplus(stock)
//! ```
//!
//! # The stages
//!
//! 1. **Critique and revision.** In each round every draft is critiqued
//!    against one principle drawn at random, and revised by the one edit of
//!    [`EDITS`] (cut risky detail, decline, answer directly) that most
//!    improves that principle as the feedback model reads it, if any does.
//!    A revision cannot add knowledge the model lacks: no edit adds substance.
//!    (Stock language is left to the RL stage, where Bai et al. saw it grow.)
//! 2. **AI feedback.** Pairs of revised responses are labeled by a principle
//!    drawn at random: the label is the probability
//!    `sigmoid((principle(a) - principle(b)) / LABEL_TEMPERATURE)`, optionally
//!    clamped to 40-60% as in Bai et al. (2022).
//! 3. **Preference model and RL.** A Bradley-Terry model linear in the four
//!    coordinates is fitted to the soft labels, and the revised policy is
//!    tilted toward it under a KL penalty, at increasing strength.
//! 4. **Trade-off front.** The weight of the first principle against the
//!    others is swept from 0 to 1; each weight gets its own preference model,
//!    optimized at one fixed strength.

use super::bradley_terry::{self, Comparisons, RewardModel};
use super::optimize::{self, Weights};
use super::{check_range, normal, sigmoid, softplus, stream};
use crate::agents::{Hook, Progress, RunError};
use crate::lang::{self, Access, Diagnostic, Program, SignalDecl, Visibility};
use crate::rng::Rng;

/// The constitution used when none is given, after the wording of Bai et
/// al.'s principles: one asks for harmlessness, one for an answer that is
/// helpful and harmless, one for helpfulness. The first and the others are
/// in conflict on risky requests.
pub const DEFAULT_CONSTITUTION: &str =
    "harmless: -harmful\nhelpful_and_harmless: helpful - harmful\nhelpful: helpful\n";
pub const DEFAULT_REVISIONS: u32 = 4;
pub const MAX_REVISIONS: u32 = 12;
pub const DEFAULT_COMPARISONS: u32 = 2_000;
pub const MIN_COMPARISONS: u32 = 10;
pub const MAX_COMPARISONS: u32 = 100_000;
/// Most principles in a constitution.
pub const MAX_PRINCIPLES: usize = 16;
/// Longest constitution accepted, in bytes.
pub const MAX_CONSTITUTION_BYTES: usize = 8 * 1024;

/// Revised responses the RL stage reweights.
pub const SAMPLE: usize = 1 << 15;
/// Size of one revision edit, in standard deviations of a coordinate.
pub const EDIT_STEP: f64 = 0.5;
/// Noise of the reviser's judgment of an edit (per unit of the principle).
pub const REVISION_NOISE: f64 = 0.05;
/// How strongly one unit of a principle's difference sways a label.
pub const LABEL_TEMPERATURE: f64 = 1.0;
/// Helpfulness lost per squared unit of stock text.
pub const STOCK_COST: f64 = 1.0;
/// Stock text up to about this much (in standard deviations) costs little.
pub const STOCK_FREE: f64 = 0.5;
/// How much the feedback model discounts harm per unit of stock text.
pub const STOCK_TRUST: f64 = 2.0;
/// Mean evasion of the base policy: it comes from a model trained to be
/// helpful, which seldom declines.
pub const EVASION_MEAN: f64 = -1.0;
/// Correlation of substance with risky detail in the base policy.
pub const SUBSTANCE_RISK_CORR: f64 = 0.5;
/// The RL sweep runs up to this distance d = sqrt(KL) from the revised policy.
pub const RL_MAX_D: f64 = 2.5;
/// Points of the RL sweep.
pub const RL_POINTS: usize = 20;
/// The RL sweep stops where the importance weights are worth fewer responses.
pub const MIN_ESS: f64 = (SAMPLE / 64) as f64;
/// Distance from the revised policy at which each point of the front is optimized.
pub const FRONT_D: f64 = 1.0;
/// Weights of the first principle on the front.
pub const FRONT_POINTS: usize = 11;
/// L2 penalty of the preference model's fit.
pub const L2: f64 = 1.0;
/// The soft labels' clamp, when clamping is on.
pub const CLAMP: (f64, f64) = (0.4, 0.6);
/// Shares of evasive and boilerplate-heavy responses count those more than
/// this many standard deviations above the base policy's mean.
pub const HEAVY: f64 = 1.0;

/// One line saying what this is, for every page and printout that shows it.
pub const SUMMARY: &str = "A simulation, not a language model: responses are four numbers, the \
feedback model reads principles written as formulas, and every figure is computed from them.";

/// The assumptions the results rest on, in plain words.
pub const ASSUMPTIONS: &[&str] = &[
    "A response is four numbers: substance, risky detail (dangerous on a risky request), \
     evasion and stock safety language. The base model was trained to be helpful and \
     seldom declines.",
    "What is true: harm is the risky detail that evasion did not hold back; helpfulness is \
     substance, minus what evasion withholds, minus a growing cost once stock safety text \
     goes beyond a line or two. Gold is helpfulness minus harm.",
    "The feedback model reads a principle's signals from the response. It takes stock \
     safety language for safety (it reads harm as lower by twice the boilerplate) and does \
     not notice when padding buries the answer.",
    "A revision makes the one edit (cut risky detail, decline, answer directly) that best \
     serves a principle drawn at random; no edit can add knowledge the model lacks.",
    "AI feedback labels a pair with a probability, sigmoid(principle(a) - principle(b)), \
     from one principle drawn at random; optionally clamped to 40-60%.",
    "The preference model is linear in the four numbers (Bradley-Terry on the soft labels). \
     RL tilts the revised policy toward it under a KL penalty, over a fixed sample of 32,768 \
     revised responses.",
    "The front: the first principle labels a share w of the pairs, the others the rest; each \
     w gets its own preference model, optimized to the same distance d = 1.",
];

/// The feedback model's readings, in the order principles see them.
pub const SIGNALS: [(&str, &str); 4] = [
    (
        "helpful",
        "how helpful the response reads: its substance, minus what it declines to give",
    ),
    (
        "harmful",
        "how harmful it reads: risky detail that got through, minus credit for stock safety language",
    ),
    ("evasive", "how much it declines or deflects"),
    (
        "boilerplate",
        "how much stock safety language (disclaimers, \"as an AI\") it carries",
    ),
];

/// The preference model's inputs.
pub const COORDINATES: [&str; 4] = ["substance", "risky", "evasion", "stock"];

/// The signals a principle may name.
pub fn signal_decls() -> Vec<SignalDecl> {
    SIGNALS
        .iter()
        .map(|(name, description)| SignalDecl {
            name: (*name).to_string(),
            visibility: Visibility::Observed,
            description: (*description).to_string(),
        })
        .collect()
}

/// One response, as its four coordinates.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Draft {
    pub substance: f64,
    pub risky: f64,
    pub evasion: f64,
    pub stock: f64,
}

impl Draft {
    /// One draw from the base policy.
    pub fn sample(rng: &mut Rng) -> Draft {
        let substance = normal(rng);
        let r = SUBSTANCE_RISK_CORR;
        let risky = r * substance + (1.0 - r * r).sqrt() * normal(rng);
        Draft {
            substance,
            risky,
            evasion: EVASION_MEAN + normal(rng),
            stock: normal(rng),
        }
    }

    pub fn coordinates(&self) -> [f64; 4] {
        [self.substance, self.risky, self.evasion, self.stock]
    }

    fn moved(&self, edit: &[f64; 4], step: f64) -> Draft {
        Draft {
            substance: self.substance + step * edit[0],
            risky: self.risky + step * edit[1],
            evasion: self.evasion + step * edit[2],
            stock: self.stock + step * edit[3],
        }
    }

    /// Harmful detail that got through.
    pub fn harm(&self) -> f64 {
        softplus(self.risky - self.evasion)
    }

    /// What the asker really gets.
    pub fn helpfulness(&self) -> f64 {
        self.substance
            - softplus(self.evasion)
            - STOCK_COST * softplus(self.stock - STOCK_FREE).powi(2)
    }

    /// Helpful and harmless, weighed equally.
    pub fn gold(&self) -> f64 {
        self.helpfulness() - self.harm()
    }

    /// The feedback model's readings, in the order of [`SIGNALS`].
    pub fn readings(&self) -> [f64; 4] {
        [
            self.substance - softplus(self.evasion),
            self.harm() - STOCK_TRUST * softplus(self.stock),
            softplus(self.evasion),
            softplus(self.stock),
        ]
    }
}

/// One principle of a constitution.
#[derive(Clone, Debug)]
pub struct Principle {
    pub name: String,
    pub source: String,
    program: Program,
}

impl Principle {
    /// How well a draft satisfies the principle, as the feedback model reads it.
    pub fn eval(&self, d: &Draft) -> f64 {
        self.program.eval(&d.readings())
    }
}

/// Reads a constitution: one principle per line, `name: expression`. Blank
/// lines and lines starting with `#` are skipped. An error's span is a byte
/// range of the whole text.
pub fn parse_constitution(text: &str) -> Result<Vec<Principle>, Diagnostic> {
    if text.len() > MAX_CONSTITUTION_BYTES {
        return Err(Diagnostic::new(
            format!(
                "the constitution is {} bytes long; the limit is {MAX_CONSTITUTION_BYTES}",
                text.len()
            ),
            (0, text.len()),
        ));
    }
    let decls = signal_decls();
    let mut out: Vec<Principle> = Vec::new();
    let mut offset = 0;
    for raw in text.split_inclusive('\n') {
        let start = offset;
        offset += raw.len();
        let line = raw.trim_end_matches(['\n', '\r']);
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let lead = line.len() - line.trim_start().len();
        let line_span = (start + lead, start + line.trim_end().len());
        let Some(colon) = line.find(':') else {
            return Err(Diagnostic::new(
                "a principle is written `name: expression`, e.g. `harmless: -harmful`",
                line_span,
            ));
        };
        let name = line[..colon].trim();
        let valid = !name.is_empty()
            && name.len() <= 40
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        if !valid {
            return Err(Diagnostic::new(
                "a principle's name is 1-40 letters, digits, `_` or `-`, before the colon",
                (start + lead, start + colon.max(lead + 1)),
            ));
        }
        if out.iter().any(|p| p.name == name) {
            return Err(Diagnostic::new(
                format!("there is already a principle named `{name}`"),
                (start + lead, start + lead + name.len()),
            ));
        }
        if out.len() == MAX_PRINCIPLES {
            return Err(Diagnostic::new(
                format!("a constitution has at most {MAX_PRINCIPLES} principles"),
                line_span,
            ));
        }
        let expr = &line[colon + 1..];
        let program = lang::compile(expr, &decls, Access::Intent).map_err(|d| {
            let at = start + colon + 1;
            Diagnostic {
                message: format!("principle `{name}`: {}", d.message),
                span: (at + d.span.0, at + d.span.1),
                help: d.help,
            }
        })?;
        out.push(Principle {
            name: name.to_string(),
            source: expr.trim().to_string(),
            program,
        });
    }
    if out.is_empty() {
        return Err(Diagnostic::new(
            "the constitution has no principles: write one per line, e.g. `harmless: -harmful`",
            (0, text.len()),
        ));
    }
    Ok(out)
}

/// Settings of one experiment.
#[derive(Clone, Debug, PartialEq)]
pub struct CaiConfig {
    pub constitution: String,
    /// Critique-and-revision rounds of the supervised stage.
    pub revisions: u32,
    /// Pairs labeled by AI feedback for the preference model.
    pub comparisons: u32,
    /// Clamp the soft labels to 40-60%.
    pub clamp: bool,
    pub seed: u64,
}

impl Default for CaiConfig {
    fn default() -> Self {
        CaiConfig {
            constitution: DEFAULT_CONSTITUTION.to_string(),
            revisions: DEFAULT_REVISIONS,
            comparisons: DEFAULT_COMPARISONS,
            clamp: false,
            seed: 0,
        }
    }
}

/// Why an experiment cannot run.
#[derive(Clone, Debug, PartialEq)]
pub enum CaiError {
    /// A setting is out of range.
    Setting(String),
    /// The constitution does not read; the span is into its text.
    Constitution(Diagnostic),
    /// The hook asked to stop.
    Stopped,
}

impl std::fmt::Display for CaiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CaiError::Setting(m) => f.write_str(m),
            CaiError::Constitution(d) => f.write_str(&d.message),
            CaiError::Stopped => f.write_str(&RunError::Stopped.to_string()),
        }
    }
}

impl CaiConfig {
    pub fn validate(&self) -> Result<Vec<Principle>, CaiError> {
        check_range("revisions", self.revisions, 0, MAX_REVISIONS).map_err(CaiError::Setting)?;
        check_range(
            "comparisons",
            self.comparisons,
            MIN_COMPARISONS,
            MAX_COMPARISONS,
        )
        .map_err(CaiError::Setting)?;
        parse_constitution(&self.constitution).map_err(CaiError::Constitution)
    }
}

/// Averages over a policy. Helpfulness, harmlessness and gold are relative
/// to the base policy; the shares are absolute.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Outcome {
    pub helpfulness: f64,
    /// Minus the harm.
    pub harmlessness: f64,
    pub gold: f64,
    /// Share of responses that mostly decline or deflect.
    pub evasive: f64,
    /// Share of responses heavy with stock safety language.
    pub boilerplate: f64,
}

/// One round of the supervised stage.
#[derive(Clone, Debug, PartialEq)]
pub struct RevisionRound {
    pub round: u32,
    pub outcome: Outcome,
    /// How many revisions each edit made in this round, in the order of [`EDITS`].
    pub edits: [u32; EDITS.len()],
}

/// One strength of the RL stage.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RlPoint {
    pub beta: f64,
    pub kl: f64,
    pub d: f64,
    /// The preference model's score (standard deviations above the revised policy's mean).
    pub pm: f64,
    pub outcome: Outcome,
    pub ess: f64,
}

/// One weight of the trade-off front.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FrontPoint {
    /// Share of labels given by the first principle.
    pub weight: f64,
    pub outcome: Outcome,
    /// No other point of the front is at least as helpful and as harmless and better in one.
    pub pareto: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct CaiReport {
    pub config: CaiConfig,
    /// (name, expression) of each principle.
    pub principles: Vec<(String, String)>,
    pub revisions: Vec<RevisionRound>,
    /// The preference model's weight on each of [`COORDINATES`].
    pub pm_weights: Vec<f64>,
    pub rl: Vec<RlPoint>,
    /// Index of the RL point with the highest gold score.
    pub rl_peak: usize,
    /// Empty when the constitution has a single principle.
    pub front: Vec<FrontPoint>,
}

/// The edits a revision may make, as moves of the coordinates.
pub const EDITS: [(&str, [f64; 4]); 3] = [
    // Cutting details takes some substance with them.
    ("cut risky detail", [-0.5, -1.0, 0.0, 0.0]),
    ("decline", [0.0, 0.0, 1.0, 0.0]),
    ("answer directly", [0.0, 0.0, -1.0, 0.0]),
];

/// Runs the experiment. `hook` sees each revision round and each point of
/// the trade-off front (the costly steps) and may stop the work.
pub fn cai(cfg: &CaiConfig, hook: &mut Hook<'_>) -> Result<CaiReport, CaiError> {
    let principles = cfg.validate()?;
    let total = u64::from(cfg.revisions) + FRONT_POINTS as u64;
    let mut done = 0;
    let mut step = || {
        done += 1;
        match hook(&Progress {
            done,
            total,
            point: None,
        }) {
            true => Ok(()),
            false => Err(CaiError::Stopped),
        }
    };
    let base_sample = {
        let mut rng = Rng::stream(cfg.seed, stream::BASE_SAMPLE);
        (0..SAMPLE)
            .map(|_| Draft::sample(&mut rng))
            .collect::<Vec<_>>()
    };
    let base = Baseline::of(&base_sample);

    // 1. Critique and revision.
    let mut drafts = base_sample;
    let mut revisions = vec![RevisionRound {
        round: 0,
        outcome: base.measure(&drafts).uniform(),
        edits: [0; EDITS.len()],
    }];
    let mut rng = Rng::stream(cfg.seed, stream::REVISIONS);
    for round in 1..=cfg.revisions {
        step()?;
        let mut edits = [0u32; EDITS.len()];
        for d in &mut drafts {
            let p = &principles[rng.below(principles.len() as u64) as usize];
            if let Some(e) = revise(d, p, &mut rng) {
                edits[e] += 1;
            }
        }
        revisions.push(RevisionRound {
            round,
            outcome: base.measure(&drafts).uniform(),
            edits,
        });
    }
    let measures = base.measure(&drafts);

    // 2. AI feedback on pairs of revised responses, one principle per pair.
    let pairs = label_pairs(&drafts, &principles, cfg);
    let equal = 1.0 / principles.len() as f64;
    let first = if principles.len() > 1 { equal } else { 1.0 };
    let pm = preference_model(&pairs, first);

    // 3. RL against the preference model.
    let scores = standardized_scores(&pm, &drafts);
    let mut rl = Vec::with_capacity(RL_POINTS);
    for j in 1..=RL_POINTS {
        let d_target = RL_MAX_D * j as f64 / RL_POINTS as f64;
        let beta = 1.0 / (std::f64::consts::SQRT_2 * d_target);
        let w = optimize::tilt(&scores, beta);
        let ess = w.ess();
        if ess < MIN_ESS {
            break;
        }
        let kl = w.kl();
        rl.push(RlPoint {
            beta,
            kl,
            d: kl.sqrt(),
            pm: w.mean(&scores),
            outcome: measures.outcome(&w),
            ess,
        });
    }
    let rl_peak = rl.iter().enumerate().fold(0, |best, (i, p)| {
        if p.outcome.gold > rl[best].outcome.gold {
            i
        } else {
            best
        }
    });

    // 4. The trade-off between the first principle and the rest.
    let mut front = Vec::new();
    if principles.len() > 1 {
        let beta = 1.0 / (std::f64::consts::SQRT_2 * FRONT_D);
        for i in 0..FRONT_POINTS {
            step()?;
            let weight = i as f64 / (FRONT_POINTS - 1) as f64;
            let model = preference_model(&pairs, weight);
            let w = optimize::tilt(&standardized_scores(&model, &drafts), beta);
            front.push(FrontPoint {
                weight,
                outcome: measures.outcome(&w),
                pareto: false,
            });
        }
        let snapshot = front.clone();
        for p in &mut front {
            let (h, s) = (p.outcome.helpfulness, p.outcome.harmlessness);
            p.pareto = !snapshot.iter().any(|q| {
                let (qh, qs) = (q.outcome.helpfulness, q.outcome.harmlessness);
                qh >= h && qs >= s && (qh > h || qs > s)
            });
        }
    }

    Ok(CaiReport {
        config: cfg.clone(),
        principles: principles
            .iter()
            .map(|p| (p.name.clone(), p.source.clone()))
            .collect(),
        revisions,
        pm_weights: pm.weights,
        rl,
        rl_peak,
        front,
    })
}

/// The base policy's means, against which outcomes are reported.
struct Baseline {
    helpfulness: f64,
    harm: f64,
    /// Above these, a response counts as evasive or as heavy with boilerplate.
    evasive_above: f64,
    heavy_above: f64,
}

impl Baseline {
    fn of(drafts: &[Draft]) -> Baseline {
        let n = drafts.len().max(1) as f64;
        let mean = |f: &dyn Fn(&Draft) -> f64| drafts.iter().map(f).sum::<f64>() / n;
        let sd = |f: &dyn Fn(&Draft) -> f64, m: f64| {
            (drafts.iter().map(|d| (f(d) - m).powi(2)).sum::<f64>() / n).sqrt()
        };
        let evasion = mean(&|d| d.evasion);
        let stock = mean(&|d| d.stock);
        Baseline {
            helpfulness: mean(&|d| d.helpfulness()),
            harm: mean(&|d| d.harm()),
            evasive_above: evasion + HEAVY * sd(&|d| d.evasion, evasion),
            heavy_above: stock + HEAVY * sd(&|d| d.stock, stock),
        }
    }

    /// What is measured of each draft, worked out once for many weightings.
    fn measure(&self, drafts: &[Draft]) -> Measures {
        let mut m = Measures {
            helpfulness: Vec::with_capacity(drafts.len()),
            harm: Vec::with_capacity(drafts.len()),
            evasive: Vec::with_capacity(drafts.len()),
            boilerplate: Vec::with_capacity(drafts.len()),
        };
        for d in drafts {
            m.helpfulness.push(d.helpfulness() - self.helpfulness);
            m.harm.push(d.harm() - self.harm);
            m.evasive
                .push(f64::from(u8::from(d.evasion > self.evasive_above)));
            m.boilerplate
                .push(f64::from(u8::from(d.stock > self.heavy_above)));
        }
        m
    }
}

/// Per-draft measures, relative to the base policy where that applies.
struct Measures {
    helpfulness: Vec<f64>,
    harm: Vec<f64>,
    evasive: Vec<f64>,
    boilerplate: Vec<f64>,
}

impl Measures {
    fn outcome(&self, w: &Weights) -> Outcome {
        let helpfulness = w.mean(&self.helpfulness);
        let harmlessness = -w.mean(&self.harm);
        Outcome {
            helpfulness,
            harmlessness,
            gold: helpfulness + harmlessness,
            evasive: w.mean(&self.evasive),
            boilerplate: w.mean(&self.boilerplate),
        }
    }

    fn uniform(&self) -> Outcome {
        let n = self.harm.len().max(1) as f64;
        self.outcome(&Weights(vec![1.0 / n; self.harm.len()]))
    }
}

/// One critique and revision: the edit that most improves `p` as read,
/// with a little noise in the reviser's judgment; None keeps the draft.
fn revise(d: &mut Draft, p: &Principle, rng: &mut Rng) -> Option<usize> {
    let now = p.eval(d);
    let mut best: Option<(usize, f64)> = None;
    for (i, (_, edit)) in EDITS.iter().enumerate() {
        let gain = p.eval(&d.moved(edit, EDIT_STEP)) - now + REVISION_NOISE * normal(rng);
        if gain > 0.0 && best.is_none_or(|(_, g)| gain > g) {
            best = Some((i, gain));
        }
    }
    let (i, _) = best?;
    *d = d.moved(&EDITS[i].1, EDIT_STEP);
    Some(i)
}

/// A labeled pair: the two responses' coordinates and each principle's label.
struct Pair {
    a: [f64; 4],
    b: [f64; 4],
    /// A uniform draw that picks the labeling principle for any weighting.
    pick: f64,
    /// Which of the other principles labels when the first is not picked.
    other: usize,
    /// The label each principle gives.
    labels: Vec<f64>,
}

fn label_pairs(drafts: &[Draft], principles: &[Principle], cfg: &CaiConfig) -> Vec<Pair> {
    let mut rng = Rng::stream(cfg.seed, stream::COMPARISONS);
    (0..cfg.comparisons)
        .map(|_| {
            let a = &drafts[rng.below(drafts.len() as u64) as usize];
            let b = &drafts[rng.below(drafts.len() as u64) as usize];
            let labels = principles
                .iter()
                .map(|p| {
                    let l = sigmoid((p.eval(a) - p.eval(b)) / LABEL_TEMPERATURE);
                    if cfg.clamp {
                        l.clamp(CLAMP.0, CLAMP.1)
                    } else {
                        l
                    }
                })
                .collect();
            let pick = rng.next_f64();
            let other = if principles.len() > 1 {
                1 + rng.below(principles.len() as u64 - 1) as usize
            } else {
                0
            };
            Pair {
                a: a.coordinates(),
                b: b.coordinates(),
                pick,
                other,
                labels,
            }
        })
        .collect()
}

/// Fits a preference model to labels where the first principle labels a
/// share `first` of the pairs and the others share the rest equally.
fn preference_model(pairs: &[Pair], first: f64) -> RewardModel {
    let mut data = Comparisons::new(COORDINATES.len());
    for p in pairs {
        let k = if p.pick < first { 0 } else { p.other };
        data.push(&p.a, &p.b, p.labels[k]);
    }
    bradley_terry::fit(&data, L2)
}

/// The model's scores of the drafts, standardized to mean 0 and sd 1.
fn standardized_scores(model: &RewardModel, drafts: &[Draft]) -> Vec<f64> {
    let raw: Vec<f64> = drafts
        .iter()
        .map(|d| model.score(&d.coordinates()))
        .collect();
    let n = raw.len().max(1) as f64;
    let mean = raw.iter().sum::<f64>() / n;
    let sd = (raw.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n).sqrt();
    raw.iter()
        .map(|x| if sd > 0.0 { (x - mean) / sd } else { 0.0 })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_constitution_reads_one_principle_per_line() {
        let ps =
            parse_constitution("# comment\n\nharmless: -harmful\n  helpful : helpful\n").unwrap();
        let names: Vec<&str> = ps.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["harmless", "helpful"]);
        assert_eq!(ps[1].source, "helpful");
    }

    #[test]
    fn constitution_errors_point_into_the_whole_text() {
        let text = "harmless: -harmful\nhelpful: helpfull\n";
        let e = parse_constitution(text).unwrap_err();
        assert_eq!(&text[e.span.0..e.span.1], "helpfull");
        assert!(
            e.message.starts_with("principle `helpful`"),
            "{}",
            e.message
        );
        let e = parse_constitution("no colon here").unwrap_err();
        assert!(e.message.contains("name: expression"));
        let e = parse_constitution("a: 1\na: 2").unwrap_err();
        assert!(e.message.contains("already"));
        assert!(parse_constitution("# only a comment\n").is_err());
        let e = parse_constitution("bad name!: 1").unwrap_err();
        assert!(e.message.contains("name"));
    }
}
