//! R's `lowess` (Cleveland's LOWESS as in R's C `clowess`): locally weighted linear fits with tricube
//! weights over the nearest `f·n` points, points within `delta` of the last fit interpolated.

/// Smoothed values of `y` on `x`, returned in ascending order of x (ties kept in input order, as R's
/// `order`), as `lowess(x, y, f, iter = 0, delta = 0.01 * diff(range(x)))`. Robustness iterations are
/// not done (iter = 0 is what `rms::val.prob` uses).
pub fn lowess(x: &[f64], y: &[f64], f: f64) -> (Vec<f64>, Vec<f64>) {
    let mut order: Vec<usize> = (0..x.len()).collect();
    order.sort_by(|&a, &b| x[a].total_cmp(&x[b]));
    let xs: Vec<f64> = order.iter().map(|&i| x[i]).collect();
    let ys: Vec<f64> = order.iter().map(|&i| y[i]).collect();
    let delta = match (xs.first(), xs.last()) {
        (Some(a), Some(b)) => 0.01 * (b - a),
        _ => 0.0,
    };
    let fit = clowess(&xs, &ys, f, delta);
    (xs, fit)
}

/// One pass of R's `clowess` on x sorted ascending.
fn clowess(x: &[f64], y: &[f64], f: f64, delta: f64) -> Vec<f64> {
    let n = x.len();
    if n < 2 {
        return y.to_vec();
    }
    let ns = ((f * n as f64 + 1e-7) as usize).clamp(2, n);
    let mut ys = vec![0.0; n];
    let (mut nleft, mut nright) = (0usize, ns - 1);
    let mut last: Option<usize> = None;
    let mut i = 0usize;
    loop {
        if nright < n - 1 {
            let d1 = x[i] - x[nleft];
            let d2 = x[nright + 1] - x[i];
            if d1 > d2 {
                nleft += 1;
                nright += 1;
                continue;
            }
        }
        ys[i] = local_fit(x, y, x[i], nleft, nright).unwrap_or(y[i]);
        let from = last.map_or(0, |l| l + 1);
        if let Some(l) = last.filter(|&l| l + 1 < i) {
            let denom = x[i] - x[l];
            for j in from..i {
                let alpha = (x[j] - x[l]) / denom;
                ys[j] = alpha * ys[i] + (1.0 - alpha) * ys[l];
            }
        }
        let mut l = i;
        let cut = x[l] + delta;
        let mut k = l + 1;
        while k < n {
            if x[k] > cut {
                break;
            }
            if x[k] == x[l] {
                ys[k] = ys[l];
                l = k;
            }
            k += 1;
        }
        last = Some(l);
        i = (l + 1).max(k - 1);
        if l >= n - 1 {
            break;
        }
    }
    ys
}

/// R's `lowest`: the tricube-weighted linear fit at `xs` over points nleft..=nright (plus ties on the
/// right); `None` when every weight is zero.
fn local_fit(x: &[f64], y: &[f64], xs: f64, nleft: usize, nright: usize) -> Option<f64> {
    let n = x.len();
    let range = x[n - 1] - x[0];
    let h = (xs - x[nleft]).max(x[nright] - xs);
    let (h9, h1) = (0.999 * h, 0.001 * h);
    let mut w = vec![0.0; n];
    let mut a = 0.0;
    let mut j = nleft;
    while j < n {
        let r = (x[j] - xs).abs();
        if r <= h9 {
            w[j] = if r <= h1 {
                1.0
            } else {
                cube(1.0 - cube(r / h))
            };
            a += w[j];
        } else if x[j] > xs {
            break;
        }
        j += 1;
    }
    let nrt = j - 1;
    if a <= 0.0 {
        return None;
    }
    for wj in &mut w[nleft..=nrt] {
        *wj /= a;
    }
    if h > 0.0 {
        let mean: f64 = (nleft..=nrt).map(|j| w[j] * x[j]).sum();
        let b = xs - mean;
        let c: f64 = (nleft..=nrt)
            .map(|j| w[j] * (x[j] - mean) * (x[j] - mean))
            .sum();
        if c.sqrt() > 0.001 * range {
            let b = b / c;
            for j in nleft..=nrt {
                w[j] *= b * (x[j] - mean) + 1.0;
            }
        }
    }
    Some((nleft..=nrt).map(|j| w[j] * y[j]).sum())
}

/// x³ as R's `fcube`.
fn cube(x: f64) -> f64 {
    x * x * x
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_straight_line_is_reproduced() {
        let x: Vec<f64> = (0..20).map(|i| i as f64).collect();
        let y: Vec<f64> = x.iter().map(|v| 2.0 * v + 1.0).collect();
        let (_, fit) = lowess(&x, &y, 2.0 / 3.0);
        for (f, want) in fit.iter().zip(&y) {
            assert!((f - want).abs() < 1e-9);
        }
    }
}
