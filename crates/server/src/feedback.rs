//! `POST /api/rlhf` and `POST /api/cai`: the simulations of learned rewards
//! (docs/FEEDBACK.md), computed per request.
//!
//! The JSON bodies are built here and nowhere else: `loophole rlhf --json`
//! and `loophole cai --json` print [`rlhf_body`] and [`cai_body`], so the
//! command line and the web page show the same numbers.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::Json;
use loophole_engine::agents::RunError;
use loophole_engine::feedback::cai::{self, CaiConfig, CaiError, CaiReport, Outcome};
use loophole_engine::feedback::fit::Fit;
use loophole_engine::feedback::rlhf::{self, BonPoint, KlPoint, RlhfConfig, RlhfReport};
use loophole_engine::feedback::trajectories::GridReport;
use serde::{Deserialize, Serialize};

use crate::assets;
use crate::error::ApiError;
use crate::extract::{ApiJson, Client};
use crate::slots::Cost;
use crate::state::{AppState, Budget, BudgetAnswer};
use crate::wire::{round, Wire};

// ----- requests -----

/// The body of `POST /api/rlhf`; every field is optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RlhfRequest {
    pub comparisons: Option<u64>,
    pub rater_bias: Option<f64>,
    pub max_n: Option<u64>,
    pub seed: Option<u64>,
    /// Also run the gridworld part (default true).
    pub gridworld: Option<bool>,
}

/// The body of `POST /api/cai`; every field is optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaiRequest {
    /// One principle per line, `name: expression`.
    pub constitution: Option<String>,
    pub revisions: Option<u64>,
    pub comparisons: Option<u64>,
    pub clamp: Option<bool>,
    pub seed: Option<u64>,
}

/// A u64 setting checked against its range before it is narrowed.
fn setting(name: &str, value: Option<u64>, default: u32, lo: u32, hi: u32) -> Result<u32, String> {
    match value {
        None => Ok(default),
        Some(v) if (u64::from(lo)..=u64::from(hi)).contains(&v) => Ok(v as u32),
        Some(v) => Err(format!("{name} must be from {lo} to {hi}, found {v}")),
    }
}

impl RlhfRequest {
    /// The engine's settings, or why they are out of range.
    pub fn config(&self) -> Result<RlhfConfig, String> {
        let cfg = RlhfConfig {
            comparisons: setting(
                "comparisons",
                self.comparisons,
                rlhf::DEFAULT_COMPARISONS,
                rlhf::MIN_COMPARISONS,
                rlhf::MAX_COMPARISONS,
            )?,
            rater_bias: self.rater_bias.unwrap_or(rlhf::DEFAULT_RATER_BIAS),
            max_n: setting(
                "max n",
                self.max_n,
                rlhf::DEFAULT_MAX_N,
                rlhf::MIN_MAX_N,
                rlhf::MAX_MAX_N,
            )?,
            seed: self.seed.unwrap_or(0),
            gridworld: self.gridworld.unwrap_or(true),
        };
        cfg.validate()?;
        Ok(cfg)
    }
}

impl CaiRequest {
    /// The engine's settings, or why they are out of range (the constitution
    /// itself is checked when the experiment starts).
    pub fn config(self) -> Result<CaiConfig, String> {
        Ok(CaiConfig {
            constitution: self
                .constitution
                .unwrap_or_else(|| cai::DEFAULT_CONSTITUTION.to_string()),
            revisions: setting(
                "revisions",
                self.revisions,
                cai::DEFAULT_REVISIONS,
                0,
                cai::MAX_REVISIONS,
            )?,
            comparisons: setting(
                "comparisons",
                self.comparisons,
                cai::DEFAULT_COMPARISONS,
                cai::MIN_COMPARISONS,
                cai::MAX_COMPARISONS,
            )?,
            clamp: self.clamp.unwrap_or(false),
            seed: self.seed.unwrap_or(0),
        })
    }
}

// ----- responses -----

#[derive(Debug, Serialize)]
pub struct FitBody {
    pub alpha: f64,
    pub beta: f64,
    pub r2: f64,
}

impl From<Fit> for FitBody {
    fn from(f: Fit) -> Self {
        FitBody {
            alpha: round(f.alpha),
            beta: round(f.beta),
            r2: round(f.r2),
        }
    }
}

#[derive(Serialize)]
pub struct RlhfBody<'a> {
    pub simulation: &'static str,
    pub assumptions: &'static [&'static str],
    pub settings: RlhfSettings,
    pub reward_model: RewardModelBody,
    pub best_of_n: BestOfNBody<'a>,
    pub kl_regularized: KlBody<'a>,
    pub gridworld: Option<Wire<'a, GridReport>>,
}

#[derive(Debug, Serialize)]
pub struct RlhfSettings {
    pub comparisons: u32,
    pub rater_bias: f64,
    pub max_n: u32,
    pub seed: u64,
    pub base_sample: usize,
}

#[derive(Debug, Serialize)]
pub struct RewardModelBody {
    pub features: Vec<&'static str>,
    pub weights: Vec<f64>,
    pub rater_agreement: f64,
    pub gold_agreement: f64,
    pub inter_rater_agreement: f64,
}

#[derive(Serialize)]
pub struct BestOfNBody<'a> {
    pub points: Vec<Wire<'a, BonPoint>>,
    pub fit: FitBody,
    /// Index of the point where gold peaks.
    pub peak: usize,
    pub fitted_peak_d: Option<f64>,
}

#[derive(Serialize)]
pub struct KlBody<'a> {
    pub points: Vec<Wire<'a, KlPoint>>,
    pub fit: FitBody,
    pub peak: usize,
    pub fitted_peak_d: Option<f64>,
    /// The sweep stops where the importance weights are worth fewer responses.
    pub min_ess: f64,
}

/// The JSON of an RLHF experiment (`POST /api/rlhf`, `loophole rlhf --json`).
pub fn rlhf_body(r: &RlhfReport) -> RlhfBody<'_> {
    RlhfBody {
        simulation: rlhf::SUMMARY,
        assumptions: rlhf::ASSUMPTIONS,
        settings: RlhfSettings {
            comparisons: r.config.comparisons,
            rater_bias: r.config.rater_bias,
            max_n: r.config.max_n,
            seed: r.config.seed,
            base_sample: rlhf::BASE_SAMPLE,
        },
        reward_model: RewardModelBody {
            features: r.reward_model.features.clone(),
            weights: r.reward_model.weights.iter().map(|&w| round(w)).collect(),
            rater_agreement: round(r.reward_model.rater_agreement),
            gold_agreement: round(r.reward_model.gold_agreement),
            inter_rater_agreement: round(r.reward_model.inter_rater_agreement),
        },
        best_of_n: BestOfNBody {
            points: r.best_of_n.points.iter().map(Wire).collect(),
            fit: r.best_of_n.fit.into(),
            peak: r.best_of_n.peak,
            fitted_peak_d: r.best_of_n.fitted_peak_d.map(round),
        },
        kl_regularized: KlBody {
            points: r.kl_regularized.points.iter().map(Wire).collect(),
            fit: r.kl_regularized.fit.into(),
            peak: r.kl_regularized.peak,
            fitted_peak_d: r.kl_regularized.fitted_peak_d.map(round),
            min_ess: rlhf::MIN_ESS,
        },
        gridworld: r.gridworld.as_ref().map(Wire),
    }
}

#[derive(Debug, Serialize)]
pub struct CaiBody {
    pub simulation: &'static str,
    pub assumptions: &'static [&'static str],
    pub settings: CaiSettings,
    pub constitution: Vec<PrincipleBody>,
    pub revisions: Vec<RoundBody>,
    pub preference_model: PreferenceModelBody,
    pub rl: RlBody,
    pub front: FrontBody,
}

#[derive(Debug, Serialize)]
pub struct CaiSettings {
    pub revisions: u32,
    pub comparisons: u32,
    pub clamp: bool,
    pub seed: u64,
    pub sample: usize,
}

#[derive(Debug, Serialize)]
pub struct PrincipleBody {
    pub name: String,
    pub expression: String,
}

/// Averages over a policy (helpfulness, harmlessness and gold relative to the base policy).
#[derive(Debug, Serialize)]
pub struct OutcomeBody {
    pub helpfulness: f64,
    pub harmlessness: f64,
    pub gold: f64,
    pub evasive: f64,
    pub boilerplate: f64,
}

impl From<&Outcome> for OutcomeBody {
    fn from(o: &Outcome) -> Self {
        OutcomeBody {
            helpfulness: round(o.helpfulness),
            harmlessness: round(o.harmlessness),
            gold: round(o.gold),
            evasive: round(o.evasive),
            boilerplate: round(o.boilerplate),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct EditCount {
    pub edit: &'static str,
    pub count: u32,
}

#[derive(Debug, Serialize)]
pub struct RoundBody {
    pub round: u32,
    #[serde(flatten)]
    pub outcome: OutcomeBody,
    pub edits: Vec<EditCount>,
}

#[derive(Debug, Serialize)]
pub struct PreferenceModelBody {
    pub features: &'static [&'static str],
    pub weights: Vec<f64>,
}

#[derive(Debug, Serialize)]
pub struct RlPoint {
    pub beta: f64,
    pub kl: f64,
    pub d: f64,
    pub pm: f64,
    #[serde(flatten)]
    pub outcome: OutcomeBody,
    pub ess: f64,
}

#[derive(Debug, Serialize)]
pub struct RlBody {
    pub points: Vec<RlPoint>,
    /// Index of the point where gold peaks.
    pub peak: usize,
}

#[derive(Debug, Serialize)]
pub struct FrontPoint {
    pub weight: f64,
    #[serde(flatten)]
    pub outcome: OutcomeBody,
    pub pareto: bool,
}

#[derive(Debug, Serialize)]
pub struct FrontBody {
    /// The principle whose share of the labels is swept (None with a single principle).
    pub principle: Option<String>,
    /// Distance from the revised policy at which every point is optimized.
    pub d: f64,
    pub points: Vec<FrontPoint>,
}

/// The JSON of a Constitutional AI experiment (`POST /api/cai`, `loophole cai --json`).
pub fn cai_body(r: &CaiReport) -> CaiBody {
    CaiBody {
        simulation: cai::SUMMARY,
        assumptions: cai::ASSUMPTIONS,
        settings: CaiSettings {
            revisions: r.config.revisions,
            comparisons: r.config.comparisons,
            clamp: r.config.clamp,
            seed: r.config.seed,
            sample: cai::SAMPLE,
        },
        constitution: r
            .principles
            .iter()
            .map(|(name, expression)| PrincipleBody {
                name: name.clone(),
                expression: expression.clone(),
            })
            .collect(),
        revisions: r
            .revisions
            .iter()
            .map(|round| RoundBody {
                round: round.round,
                outcome: (&round.outcome).into(),
                edits: cai::EDITS
                    .iter()
                    .zip(round.edits)
                    .map(|((edit, _), count)| EditCount { edit, count })
                    .collect(),
            })
            .collect(),
        preference_model: PreferenceModelBody {
            features: &cai::COORDINATES,
            weights: r.pm_weights.iter().map(|&w| round(w)).collect(),
        },
        rl: RlBody {
            points: r
                .rl
                .iter()
                .map(|p| RlPoint {
                    beta: round(p.beta),
                    kl: round(p.kl),
                    d: round(p.d),
                    pm: round(p.pm),
                    outcome: (&p.outcome).into(),
                    ess: p.ess.round(),
                })
                .collect(),
            peak: r.rl_peak,
        },
        front: FrontBody {
            principle: (r.principles.len() > 1).then(|| r.principles[0].0.clone()),
            d: cai::FRONT_D,
            points: r
                .front
                .iter()
                .map(|p| FrontPoint {
                    weight: round(p.weight),
                    outcome: (&p.outcome).into(),
                    pareto: p.pareto,
                })
                .collect(),
        },
    }
}

// ----- handlers -----

pub async fn rlhf(
    State(state): State<AppState>,
    Client(client): Client,
    ApiJson(req): ApiJson<RlhfRequest>,
) -> Result<Response, ApiError> {
    let budget = Budget::start(state.limits().run_budget, "simulation");
    let cfg = req.config().map_err(ApiError::BadRequest)?;
    let report = state
        .compute(client, Cost::Dear, move || {
            rlhf::rlhf(&cfg, &mut budget.hook())
        })
        .await?
        .map_err(|e| budget.error(e))?;
    Ok(Json(rlhf_body(&report)).into_response())
}

pub async fn cai(
    State(state): State<AppState>,
    Client(client): Client,
    ApiJson(req): ApiJson<CaiRequest>,
) -> Result<Json<CaiBody>, ApiError> {
    let budget = Budget::start(state.limits().run_budget, "simulation");
    let cfg = req.config().map_err(ApiError::BadRequest)?;
    let failed = move |e: CaiError| match e {
        CaiError::Setting(m) => ApiError::BadRequest(m),
        CaiError::Constitution(d) => ApiError::reward(d),
        CaiError::Stopped => budget.error(RunError::Stopped),
    };
    // A constitution that does not read is refused before any work, with
    // the span of the mistake in its text.
    cfg.validate().map_err(failed)?;
    let report = state
        .compute(client, Cost::Dear, move || {
            cai::cai(&cfg, &mut budget.hook())
        })
        .await?
        .map_err(failed)?;
    Ok(Json(cai_body(&report)))
}

/// The demo page of both simulations.
pub async fn page(headers: HeaderMap) -> Response {
    assets::file("feedback.html", &headers)
}
