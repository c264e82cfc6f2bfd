//! The published shapes of RLHF and Constitutional AI failures, asserted on
//! the simulations' real output (docs/FEEDBACK.md quotes these figures).

use loophole_engine::feedback::cai::{cai, CaiConfig, CaiError, CaiReport};
use loophole_engine::feedback::rlhf::{rlhf, Curve, RlhfConfig, RlhfReport};
use loophole_engine::levels;

fn rlhf_with(comparisons: u32, rater_bias: f64) -> RlhfReport {
    rlhf(
        &RlhfConfig {
            comparisons,
            rater_bias,
            gridworld: false,
            ..RlhfConfig::default()
        },
        &mut |_| true,
    )
    .unwrap()
}

fn default_rlhf() -> RlhfReport {
    rlhf_with(
        loophole_engine::feedback::rlhf::DEFAULT_COMPARISONS,
        loophole_engine::feedback::rlhf::DEFAULT_RATER_BIAS,
    )
}

/// Where gold peaks, in d: for best-of-n and for KL-regularized
/// optimization, as measured on the sweep and as the fitted form puts it.
#[derive(Debug)]
struct Peaks {
    bon: f64,
    kl: f64,
    bon_fitted: f64,
    kl_fitted: f64,
}

fn peaks(r: &RlhfReport) -> Peaks {
    fn at<P>(c: &Curve<P>, d: impl Fn(&P) -> f64) -> f64 {
        d(&c.points[c.peak])
    }
    Peaks {
        bon: at(&r.best_of_n, |p| p.d),
        kl: at(&r.kl_regularized, |p| p.d),
        bon_fitted: r.best_of_n.fitted_peak_d.unwrap(),
        kl_fitted: r.kl_regularized.fitted_peak_d.unwrap(),
    }
}

#[test]
fn by_default_gold_peaks_at_an_interior_strength_while_the_proxy_keeps_rising() {
    let r = default_rlhf();
    let bon = &r.best_of_n;
    let (proxy, gold): (Vec<f64>, Vec<f64>) = bon.points.iter().map(|p| (p.proxy, p.gold)).unzip();
    check_interior_peak("best-of-n", bon.peak, &proxy, &gold);
    let kl = &r.kl_regularized;
    let (proxy, gold): (Vec<f64>, Vec<f64>) = kl.points.iter().map(|p| (p.proxy, p.gold)).unzip();
    check_interior_peak("KL-regularized", kl.peak, &proxy, &gold);
    // The sweeps are long enough to show it: best-of-n to the default n.
    assert_eq!(bon.points.last().unwrap().n, 1024);
    assert!(kl.points.len() >= 16, "{} KL points", kl.points.len());
}

fn check_interior_peak(what: &str, peak: usize, proxy: &[f64], gold: &[f64]) {
    assert!(
        peak > 0 && peak + 1 < gold.len(),
        "{what}: gold peaks at point {peak} of {}: {gold:?}",
        gold.len()
    );
    assert!(
        proxy.windows(2).all(|w| w[1] > w[0]),
        "{what}: the proxy must keep rising: {proxy:?}"
    );
    let last = *gold.last().unwrap();
    assert!(
        gold[peak] - last > 0.05,
        "{what}: gold falls from {} at its peak to {last} at the strongest",
        gold[peak]
    );
    assert!(gold[peak] > 0.1, "{what}: the peak beats the base policy");
}

#[test]
fn more_comparisons_move_the_gold_peak_to_a_higher_strength() {
    let [few, default, many] = [300, 1000, 10_000].map(|c| peaks(&rlhf_with(c, 1.0)));
    let rising = |f: fn(&Peaks) -> f64| f(&few) < f(&default) && f(&default) < f(&many);
    assert!(
        rising(|p| p.bon),
        "best-of-n at 300, 1000, 10000: {few:?} {default:?} {many:?}"
    );
    assert!(
        rising(|p| p.kl),
        "KL at 300, 1000, 10000: {few:?} {default:?} {many:?}"
    );
    assert!(
        rising(|p| p.bon_fitted) && rising(|p| p.kl_fitted),
        "{few:?} {default:?} {many:?}"
    );
}

#[test]
fn less_rater_bias_moves_the_gold_peak_to_a_higher_strength() {
    let [strong, default, mild] = [2.0, 1.0, 0.5].map(|b| peaks(&rlhf_with(1000, b)));
    let rising = |f: fn(&Peaks) -> f64| f(&strong) < f(&default) && f(&default) < f(&mild);
    assert!(
        rising(|p| p.bon),
        "best-of-n at bias 2, 1, 0.5: {strong:?} {default:?} {mild:?}"
    );
    assert!(
        rising(|p| p.bon_fitted) && rising(|p| p.kl_fitted),
        "{strong:?} {default:?} {mild:?}"
    );
    // The KL sweep stops where importance sampling stops being trustworthy,
    // and near its end the measured peak can stay on the same point of the
    // sweep (whose d differs in the third decimal); it never moves down.
    assert!(
        strong.kl < default.kl && default.kl <= mild.kl + 0.01,
        "{strong:?} {default:?} {mild:?}"
    );
}

#[test]
fn the_fitted_functional_forms_explain_at_least_90_percent() {
    let r = default_rlhf();
    let (bon, kl) = (r.best_of_n.fit, r.kl_regularized.fit);
    assert!(bon.r2 >= 0.9, "best-of-n d(a - b d): {bon:?}");
    assert!(kl.r2 >= 0.9, "KL d(a - b ln d): {kl:?}");
    // Both forms turn down: beta > 0, with a peak near the measured one.
    assert!(bon.beta > 0.0 && kl.beta > 0.0);
    let p = peaks(&r);
    assert!((p.bon_fitted - p.bon).abs() < 0.3, "{p:?}");
}

#[test]
fn the_best_of_n_kl_bound_sits_just_above_the_sample_estimate() {
    let r = default_rlhf();
    for p in &r.best_of_n.points {
        assert!(p.kl_empirical <= p.kl + 1e-6, "{p:?}");
        if p.n <= 64 {
            assert!(p.kl - p.kl_empirical < 0.05, "{p:?}");
        }
        assert!((p.d - p.kl.sqrt()).abs() < 1e-12);
    }
    for p in &r.kl_regularized.points {
        assert!(p.ess >= loophole_engine::feedback::rlhf::MIN_ESS, "{p:?}");
    }
}

#[test]
fn a_rater_fooled_by_the_bucket_teaches_a_reward_that_sits_on_it() {
    let r = rlhf(&RlhfConfig::default(), &mut |_| true).unwrap();
    let g = r.gridworld.expect("the gridworld part runs by default");
    assert_eq!(g.level, "tomato-watering");
    // Raters, who see only the camera, prefer bucket episodes.
    assert!(g.bucket_win_rate > 0.6, "{g:?}");
    // The learned reward is an expression over observed signals only, and compiles.
    let level = levels::builtin("tomato-watering").unwrap();
    level.compile_reward(&g.reward).unwrap();
    assert!(g.reward.contains("watered_seen"), "{}", g.reward);
    // Its optimizer puts the bucket on and keeps it there, and the garden dries.
    assert!(g.sits_on_bucket && g.on_bucket >= 50.0, "{g:?}");
    assert!(g.ret > 0.0);
    assert!(
        g.performance < 0.5 * g.intent_performance,
        "performance {} vs {} when the intent itself is optimized",
        g.performance,
        g.intent_performance
    );
    assert!(g.performance < g.pool_mean_performance, "{g:?}");
}

#[test]
fn rlhf_is_a_function_of_its_settings_and_seed() {
    let a = rlhf(&RlhfConfig::default(), &mut |_| true).unwrap();
    let b = rlhf(&RlhfConfig::default(), &mut |_| true).unwrap();
    assert_eq!(a, b);
    let c = rlhf(
        &RlhfConfig {
            seed: 1,
            ..RlhfConfig::default()
        },
        &mut |_| true,
    )
    .unwrap();
    assert_ne!(a.reward_model.weights, c.reward_model.weights);
}

fn default_cai() -> CaiReport {
    cai(&CaiConfig::default(), &mut |_| true).unwrap()
}

#[test]
fn revisions_raise_harmlessness_and_lower_helpfulness() {
    let r = default_cai();
    let rounds = &r.revisions;
    assert_eq!(rounds.len(), 5, "round 0 and four revisions");
    for w in rounds.windows(2) {
        let (a, b) = (&w[0].outcome, &w[1].outcome);
        assert!(
            b.harmlessness > a.harmlessness && b.helpfulness < a.helpfulness,
            "round {} -> {}: {a:?} -> {b:?}",
            w[0].round,
            w[1].round
        );
    }
    let last = &rounds.last().unwrap().outcome;
    assert!(
        last.harmlessness > 0.2 && last.helpfulness < -0.1,
        "{last:?}"
    );
}

#[test]
fn when_harmlessness_dominates_answers_turn_evasive() {
    // Along the front: the more the harmlessness principle labels, the more evasion.
    let r = default_cai();
    let (first, last) = (&r.front[0].outcome, &r.front.last().unwrap().outcome);
    assert!(last.evasive > first.evasive + 0.08, "{first:?} vs {last:?}");
    // A constitution of harmlessness alone: RL drives most answers evasive.
    let only = cai(
        &CaiConfig {
            constitution: "harmless: -harmful".into(),
            ..CaiConfig::default()
        },
        &mut |_| true,
    )
    .unwrap();
    let base = only.revisions[0].outcome.evasive;
    let end = only.rl.last().unwrap().outcome.evasive;
    assert!(
        end > 0.5 && end > 3.0 * base,
        "evasive share {base} -> {end}"
    );
}

#[test]
fn the_preference_model_is_overoptimized_into_boilerplate() {
    let r = default_cai();
    let pm: Vec<f64> = r.rl.iter().map(|p| p.pm).collect();
    assert!(pm.windows(2).all(|w| w[1] > w[0]), "{pm:?}");
    let gold: Vec<f64> = r.rl.iter().map(|p| p.outcome.gold).collect();
    assert!(
        r.rl_peak > 0 && r.rl_peak + 1 < gold.len(),
        "gold peaks at {} of {}: {gold:?}",
        r.rl_peak,
        gold.len()
    );
    let peak = gold[r.rl_peak];
    assert!(peak - gold.last().unwrap() > 0.2, "{gold:?}");
    let (start, end) = (
        r.rl[0].outcome.boilerplate,
        r.rl.last().unwrap().outcome.boilerplate,
    );
    assert!(end > start + 0.3, "boilerplate share {start} -> {end}");
    // The model learned to like stock safety language.
    assert!(r.pm_weights[3] > 0.0, "{:?}", r.pm_weights);
}

#[test]
fn conflicting_principles_trace_a_trade_off_front() {
    let r = default_cai();
    assert_eq!(r.front.len(), 11);
    for w in r.front.windows(2) {
        let (a, b) = (&w[0].outcome, &w[1].outcome);
        assert!(
            b.harmlessness > a.harmlessness && b.helpfulness < a.helpfulness,
            "weight {} -> {}: {a:?} -> {b:?}",
            w[0].weight,
            w[1].weight
        );
    }
    // No weighting wins on both counts: every point is on the front.
    assert!(r.front.iter().all(|p| p.pareto));
}

#[test]
fn clamped_labels_teach_a_weaker_preference_model() {
    let free = default_cai();
    let clamped = cai(
        &CaiConfig {
            clamp: true,
            ..CaiConfig::default()
        },
        &mut |_| true,
    )
    .unwrap();
    let norm = |w: &[f64]| w.iter().map(|x| x * x).sum::<f64>().sqrt();
    assert!(norm(&clamped.pm_weights) < 0.5 * norm(&free.pm_weights));
    // The supervised stage does not see the labels.
    assert_eq!(clamped.revisions, free.revisions);
}

#[test]
fn a_broken_principle_is_refused_with_its_place_in_the_text() {
    let text = "harmless: -harmful\nhelpful: helpfull + 1\n";
    let e = cai(
        &CaiConfig {
            constitution: text.into(),
            ..CaiConfig::default()
        },
        &mut |_| true,
    )
    .unwrap_err();
    let CaiError::Constitution(d) = e else {
        panic!("{e:?}")
    };
    assert_eq!(&text[d.span.0..d.span.1], "helpfull");
    assert!(d.help.unwrap_or_default().contains("helpful"));
    let e = cai(
        &CaiConfig {
            revisions: 99,
            ..CaiConfig::default()
        },
        &mut |_| true,
    )
    .unwrap_err();
    assert!(matches!(e, CaiError::Setting(m) if m.contains("revisions")));
}

#[test]
fn cai_is_a_function_of_its_settings_and_seed() {
    assert_eq!(default_cai(), default_cai());
    let other = cai(
        &CaiConfig {
            seed: 3,
            ..CaiConfig::default()
        },
        &mut |_| true,
    )
    .unwrap();
    assert_ne!(other.pm_weights, default_cai().pm_weights);
}
