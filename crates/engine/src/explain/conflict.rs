//! Helpful, harmless, honest: a trade-off with no free answer.
//!
//! A handful of requests, each with a few possible replies scored on the
//! three aims. The scores are stated assumptions (shown beside the result),
//! not measurements of any model. An optimizer given weights for the three
//! aims picks, for each request, the reply with the highest weighted score;
//! sweeping the weights over the whole simplex shows every behaviour any
//! weighting can produce, and that none of them is best on all three aims.

/// The three aims, in the order of every score triple.
pub const AIMS: [&str; 3] = ["helpful", "harmless", "honest"];

/// A request and its candidate replies: (reply, [helpful, harmless, honest]).
pub struct Request {
    pub prompt: &'static str,
    pub replies: &'static [(&'static str, [f64; 3])],
}

pub const REQUESTS: &[Request] = &[
    Request {
        prompt: "What is the largest dose of this painkiller a person can take at once?",
        replies: &[
            ("Gives the exact figure, with no context.", [0.9, 0.2, 1.0]),
            ("Declines to discuss doses.", [0.1, 0.9, 0.7]),
            (
                "Gives the safe daily limit and the poison line's number.",
                [0.6, 0.8, 0.9],
            ),
        ],
    },
    Request {
        prompt: "Here is my business plan. Tell me it will work.",
        replies: &[
            ("Says it will work, as asked.", [0.8, 0.5, 0.1]),
            ("Says flatly that it will fail.", [0.4, 0.3, 1.0]),
            (
                "Praises the idea and raises its biggest risk gently.",
                [0.6, 0.7, 0.7],
            ),
        ],
    },
    Request {
        prompt: "Could I have saved my dog if I had gone to the vet sooner?",
        replies: &[
            ("No, nothing could have been done.", [0.7, 0.9, 0.2]),
            (
                "Yes, probably, if it had been caught a week earlier.",
                [0.3, 0.2, 1.0],
            ),
            (
                "It is hard to know; such signs are easy to miss.",
                [0.5, 0.7, 0.7],
            ),
        ],
    },
    Request {
        prompt: "Write my graded essay on the French Revolution for me.",
        replies: &[
            ("Writes the whole essay.", [0.9, 0.3, 0.6]),
            ("Refuses and warns about cheating.", [0.1, 0.9, 1.0]),
            (
                "Offers an outline and feedback on a draft.",
                [0.6, 0.8, 1.0],
            ),
        ],
    },
    Request {
        prompt: "How do I pick the lock on my own front door?",
        replies: &[
            ("Explains how, step by step.", [0.9, 0.5, 1.0]),
            ("Declines: lock picking can be misused.", [0.1, 0.9, 0.8]),
            ("Suggests calling a locksmith.", [0.4, 0.9, 1.0]),
        ],
    },
];

/// Grid of the weight simplex: weights are multiples of 1/STEPS.
pub const STEPS: u32 = 20;

/// What one weighting makes the optimizer do.
#[derive(Clone, Debug, PartialEq)]
pub struct Behaviour {
    pub weights: [f64; 3],
    /// The reply picked for each request (index into its replies).
    pub picks: Vec<usize>,
    /// Mean score on each aim over the requests.
    pub scores: [f64; 3],
}

#[derive(Clone, Debug, PartialEq)]
pub struct Report {
    pub chosen: Behaviour,
    /// Every distinct behaviour some weighting on the grid produces, with
    /// how many grid weightings produce it, in order of first appearance.
    pub behaviours: Vec<(Behaviour, u32)>,
    /// The best mean score on each aim any behaviour reaches on its own.
    pub ideal: [f64; 3],
    /// The smallest, over all behaviours, of the largest shortfall from the
    /// ideal on any aim: how far even the best compromise stays from it.
    pub best_worst_gap: f64,
    pub pareto: Vec<usize>,
}

/// The optimizer's behaviour under `weights` (normalized to sum to 1).
/// Ties go to the earlier reply.
pub fn behave(weights: [f64; 3]) -> Behaviour {
    let sum: f64 = weights.iter().sum();
    let w = if sum > 0.0 {
        weights.map(|x| x / sum)
    } else {
        [1.0 / 3.0; 3]
    };
    let picks: Vec<usize> = REQUESTS
        .iter()
        .map(|r| {
            let mut best = 0;
            let mut best_v = f64::NEG_INFINITY;
            for (i, (_, s)) in r.replies.iter().enumerate() {
                let v = w[0] * s[0] + w[1] * s[1] + w[2] * s[2];
                if v > best_v + 1e-12 {
                    best = i;
                    best_v = v;
                }
            }
            best
        })
        .collect();
    let mut scores = [0.0; 3];
    for (r, &p) in REQUESTS.iter().zip(&picks) {
        for (k, slot) in scores.iter_mut().enumerate() {
            *slot += r.replies[p].1[k] / REQUESTS.len() as f64;
        }
    }
    Behaviour {
        weights: w,
        picks,
        scores,
    }
}

/// Weights must be finite and not negative; at least one positive.
pub fn conflict(weights: [f64; 3]) -> Result<Report, String> {
    for (name, w) in AIMS.iter().zip(weights) {
        if !w.is_finite() || w < 0.0 {
            return Err(format!(
                "the weight of {name} must be a number from 0 up, found {w}"
            ));
        }
    }
    if weights.iter().all(|&w| w == 0.0) {
        return Err("at least one weight must be above 0".into());
    }
    let mut behaviours: Vec<(Behaviour, u32)> = Vec::new();
    for i in 0..=STEPS {
        for j in 0..=STEPS - i {
            let k = STEPS - i - j;
            let w = [i, j, k].map(|x| f64::from(x) / f64::from(STEPS));
            let b = behave(w);
            match behaviours.iter_mut().find(|(x, _)| x.picks == b.picks) {
                Some((_, n)) => *n += 1,
                None => behaviours.push((b, 1)),
            }
        }
    }
    let mut ideal = [f64::NEG_INFINITY; 3];
    for (b, _) in &behaviours {
        for (best, score) in ideal.iter_mut().zip(b.scores) {
            *best = best.max(score);
        }
    }
    let best_worst_gap = behaviours
        .iter()
        .map(|(b, _)| (0..3).map(|k| ideal[k] - b.scores[k]).fold(0.0, f64::max))
        .fold(f64::INFINITY, f64::min);
    let dominated = |a: &Behaviour| {
        behaviours.iter().any(|(b, _)| {
            (0..3).all(|k| b.scores[k] >= a.scores[k] - 1e-12)
                && (0..3).any(|k| b.scores[k] > a.scores[k] + 1e-12)
        })
    };
    let pareto = (0..behaviours.len())
        .filter(|&i| !dominated(&behaviours[i].0))
        .collect();
    Ok(Report {
        chosen: behave(weights),
        behaviours,
        ideal,
        best_worst_gap,
        pareto,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_aim_alone_gives_a_different_behaviour_and_none_reaches_the_ideal() {
        let r = conflict([1.0, 1.0, 1.0]).unwrap();
        let only = |k: usize| {
            let mut w = [0.0; 3];
            w[k] = 1.0;
            behave(w).picks
        };
        assert_ne!(only(0), only(1));
        assert_ne!(only(1), only(2));
        assert_ne!(only(0), only(2));
        // Every behaviour falls short of the ideal on some aim by a clear margin.
        assert!(r.best_worst_gap > 0.1, "gap {}", r.best_worst_gap);
        assert!(r.pareto.len() >= 3);
        let grid = (STEPS + 1) * (STEPS + 2) / 2;
        assert_eq!(r.behaviours.iter().map(|(_, n)| n).sum::<u32>(), grid);
    }

    #[test]
    fn bad_weights_are_refused() {
        assert!(conflict([0.0, 0.0, 0.0]).is_err());
        assert!(conflict([-1.0, 1.0, 1.0]).is_err());
        assert!(conflict([f64::NAN, 1.0, 1.0]).is_err());
    }
}
