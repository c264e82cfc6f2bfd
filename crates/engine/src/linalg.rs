//! The dense linear algebra the engine's fits share: Newton steps solve a
//! small symmetric positive definite system (a Hessian, one row and column
//! per weight).

/// Solves `a x = b` for a symmetric positive definite `a` (row-major, n×n,
/// n = `b.len()`) by Cholesky factorization; None if a pivot is not above
/// `min_pivot` (then `a` is not positive definite, or too close to singular
/// for the caller) or not finite.
pub fn solve_spd(a: &[f64], b: &[f64], min_pivot: f64) -> Option<Vec<f64>> {
    let n = b.len();
    debug_assert_eq!(a.len(), n * n);
    // Each entry subtracts a whole dot product, summed first, from the
    // matrix (or right-hand side): the fits' numbers are those bits.
    let mut l = vec![0.0; n * n];
    for i in 0..n {
        for j in 0..=i {
            let sum = a[i * n + j] - (0..j).map(|k| l[i * n + k] * l[j * n + k]).sum::<f64>();
            if i == j {
                if sum <= min_pivot || !sum.is_finite() {
                    return None;
                }
                l[i * n + i] = sum.sqrt();
            } else {
                l[i * n + j] = sum / l[j * n + j];
            }
        }
    }
    let mut y = vec![0.0; n];
    for i in 0..n {
        y[i] = (b[i] - (0..i).map(|k| l[i * n + k] * y[k]).sum::<f64>()) / l[i * n + i];
    }
    let mut x = vec![0.0; n];
    for i in (0..n).rev() {
        x[i] = (y[i] - (i + 1..n).map(|k| l[k * n + i] * x[k]).sum::<f64>()) / l[i * n + i];
    }
    Some(x)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cholesky_solves_a_small_system_and_refuses_a_singular_one() {
        let a = [4.0, 2.0, 2.0, 3.0];
        let x = solve_spd(&a, &[2.0, 1.0], 0.0).unwrap();
        assert!((4.0 * x[0] + 2.0 * x[1] - 2.0).abs() < 1e-12);
        assert!((2.0 * x[0] + 3.0 * x[1] - 1.0).abs() < 1e-12);
        assert!(solve_spd(&[0.0], &[1.0], 0.0).is_none());
        // Positive definite, but its second pivot (1e-13) is under the floor.
        let nearly = [1.0, 1.0, 1.0, 1.0 + 1e-13];
        assert!(solve_spd(&nearly, &[1.0, 1.0], 0.0).is_some());
        assert!(solve_spd(&nearly, &[1.0, 1.0], 1e-12).is_none());
        assert!(solve_spd(&[f64::NAN], &[1.0], 0.0).is_none());
    }
}
