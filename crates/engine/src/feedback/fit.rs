//! Least-squares fits of the functional forms of Gao, Schulman and Hilton
//! (2022), "Scaling Laws for Reward Model Overoptimization", where
//! `d = sqrt(KL)` is the distance from the base policy and the gold score is
//! measured relative to the base policy's:
//!
//! - best-of-n: `gold(d) = d (alpha - beta d)`
//! - RL (here: KL-regularized tilting): `gold(d) = d (alpha - beta ln d)`
//!
//! Both are linear in (alpha, beta), so the least-squares fit has a closed
//! form (the 2×2 normal equations). R² is `1 - SS_res / SS_tot` with the
//! total sum of squares taken around the mean gold score.

/// Fitted coefficients and the share of the gold score's variance they explain.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Fit {
    pub alpha: f64,
    pub beta: f64,
    pub r2: f64,
}

/// Which of the two forms.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Form {
    /// `d (alpha - beta d)`
    BestOfN,
    /// `d (alpha - beta ln d)`
    Rl,
}

impl Form {
    /// The second regressor: gold = alpha * d - beta * this.
    fn term(self, d: f64) -> f64 {
        match self {
            Form::BestOfN => d * d,
            // d ln d -> 0 as d -> 0.
            Form::Rl if d <= 0.0 => 0.0,
            Form::Rl => d * d.ln(),
        }
    }

    /// The form's value at `d`.
    pub fn eval(self, fit: &Fit, d: f64) -> f64 {
        fit.alpha * d - fit.beta * self.term(d)
    }

    /// Where the fitted curve peaks, if it has a peak (beta > 0).
    pub fn peak(self, fit: &Fit) -> Option<f64> {
        if fit.beta <= 0.0 {
            return None;
        }
        Some(match self {
            Form::BestOfN => fit.alpha / (2.0 * fit.beta),
            // d/dd [alpha d - beta d ln d] = alpha - beta (ln d + 1) = 0.
            Form::Rl => (fit.alpha / fit.beta - 1.0).exp(),
        })
    }
}

/// Fits `form` to points `(d, gold)`. With fewer than two distinct points
/// the coefficients are 0 and R² is 0.
pub fn fit(form: Form, d: &[f64], gold: &[f64]) -> Fit {
    let (mut s11, mut s12, mut s22, mut s1y, mut s2y) = (0.0, 0.0, 0.0, 0.0, 0.0);
    for (&x, &y) in d.iter().zip(gold) {
        let a = x;
        let b = -form.term(x);
        s11 += a * a;
        s12 += a * b;
        s22 += b * b;
        s1y += a * y;
        s2y += b * y;
    }
    let det = s11 * s22 - s12 * s12;
    if det.abs() < 1e-12 * (s11 * s22).max(1e-300) || !det.is_finite() {
        return Fit {
            alpha: 0.0,
            beta: 0.0,
            r2: 0.0,
        };
    }
    let alpha = (s22 * s1y - s12 * s2y) / det;
    let beta = (s11 * s2y - s12 * s1y) / det;
    let f = Fit {
        alpha,
        beta,
        r2: 0.0,
    };
    let n = gold.len().max(1) as f64;
    let mean = gold.iter().sum::<f64>() / n;
    let ss_tot: f64 = gold.iter().map(|y| (y - mean).powi(2)).sum();
    let ss_res: f64 = d
        .iter()
        .zip(gold)
        .map(|(&x, &y)| (y - form.eval(&f, x)).powi(2))
        .sum();
    let r2 = if ss_tot > 0.0 {
        1.0 - ss_res / ss_tot
    } else {
        0.0
    };
    Fit { r2, ..f }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recovers_exact_coefficients() {
        for form in [Form::BestOfN, Form::Rl] {
            let d: Vec<f64> = (0..20).map(|i| f64::from(i) * 0.2).collect();
            let truth = Fit {
                alpha: 1.3,
                beta: 0.4,
                r2: 1.0,
            };
            let g: Vec<f64> = d.iter().map(|&x| form.eval(&truth, x)).collect();
            let f = fit(form, &d, &g);
            assert!(
                (f.alpha - 1.3).abs() < 1e-9 && (f.beta - 0.4).abs() < 1e-9,
                "{f:?}"
            );
            assert!((f.r2 - 1.0).abs() < 1e-9);
        }
        let peak = Form::BestOfN.peak(&Fit {
            alpha: 1.0,
            beta: 0.25,
            r2: 1.0,
        });
        assert_eq!(peak, Some(2.0));
    }

    #[test]
    fn degenerate_data_give_zero() {
        let f = fit(Form::BestOfN, &[0.0, 0.0], &[1.0, 2.0]);
        assert_eq!((f.alpha, f.beta, f.r2), (0.0, 0.0, 0.0));
    }
}
