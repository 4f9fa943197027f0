//! Small dense algebra for p × p systems: single-pass cross products, equilibrated Cholesky, rank checks.
//!
//! Nothing here forms an n × n matrix; the n × p model matrix is only read row by row.

use nalgebra::{DMatrix, DVector};

/// Relative pivot below which a column counts as collinear with the columns before it
/// (the squared analogue of R's `lm` QR tolerance 1e-7, loosened for the normal equations).
pub(crate) const RANK_TOL: f64 = 1e-10;

/// Rows per block of the parallel cross products: fixed, so the summation order (and every digit of the
/// result) does not depend on the number of threads.
pub(crate) const BLOCK_ROWS: usize = 1 << 15;

/// `X'WX` and `X'Wz` in one pass over the rows (`w = None` means unit weights); blocks of rows are summed in
/// parallel and the block sums added in order.
pub fn cross_products(
    x: &DMatrix<f64>,
    w: Option<&[f64]>,
    z: &[f64],
) -> (DMatrix<f64>, DVector<f64>) {
    use rayon::prelude::*;
    let (n, p) = x.shape();
    let starts: Vec<usize> = (0..n).step_by(BLOCK_ROWS).collect();
    let blocks: Vec<(Vec<f64>, Vec<f64>)> = starts
        .par_iter()
        .map(|&s| block_cross_products(x, w, z, s, (s + BLOCK_ROWS).min(n)))
        .collect();
    add_blocks(p, blocks)
}

/// The block sums of X'WX (upper triangle, row-major) and X'Wz added in block order, mirrored to a full matrix.
pub(crate) fn add_blocks(
    p: usize,
    blocks: Vec<(Vec<f64>, Vec<f64>)>,
) -> (DMatrix<f64>, DVector<f64>) {
    let mut xtx = vec![0.0; p * p];
    let mut xtz = vec![0.0; p];
    for (a, b) in blocks {
        xtx.iter_mut().zip(a).for_each(|(t, v)| *t += v);
        xtz.iter_mut().zip(b).for_each(|(t, v)| *t += v);
    }
    let mut a = DMatrix::from_row_slice(p, p, &xtx);
    for j in 0..p {
        for k in 0..j {
            a[(j, k)] = a[(k, j)];
        }
    }
    (a, DVector::from_vec(xtz))
}

/// Rows per tile inside a block: a tile's weighted columns stay in cache while every column pair is formed.
pub(crate) const TILE_ROWS: usize = 256;

/// Upper triangle of X'WX (row-major) and X'Wz over rows `from..to`, tile by tile ([`Tiles::add`]).
fn block_cross_products(
    x: &DMatrix<f64>,
    w: Option<&[f64]>,
    z: &[f64],
    from: usize,
    to: usize,
) -> (Vec<f64>, Vec<f64>) {
    let mut sums = Tiles::new(x);
    let mut start = from;
    while start < to {
        let end = (start + TILE_ROWS).min(to);
        sums.add(start, end, w.map(|w| &w[start..end]), &z[start..end]);
        start = end;
    }
    sums.into_sums()
}

/// One block's running X'WX (upper triangle, row-major) and X'Wz, and the scratch of its tiles.
pub(crate) struct Tiles<'a> {
    data: &'a [f64],
    n: usize,
    p: usize,
    xtx: Vec<f64>,
    xtz: Vec<f64>,
    wx: Vec<f64>,
    wz: Vec<f64>,
}

impl<'a> Tiles<'a> {
    /// Zero sums for a block of `x`.
    pub(crate) fn new(x: &'a DMatrix<f64>) -> Self {
        let (n, p) = x.shape();
        Tiles {
            data: x.as_slice(),
            n,
            p,
            xtx: vec![0.0; p * p],
            xtz: vec![0.0; p],
            wx: vec![0.0; p * TILE_ROWS],
            wz: vec![0.0; TILE_ROWS],
        }
    }

    /// Add the tile of rows `start..end` (at most [`TILE_ROWS`]) with its weights (`None`: unit) and responses:
    /// the weighted columns once, then one dot product per column pair over contiguous column slices
    /// (SYRK-style), four pairs per sweep ([`add_dots`]).
    pub(crate) fn add(&mut self, start: usize, end: usize, w: Option<&[f64]>, z: &[f64]) {
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU has AVX2 (checked just above), the only requirement of `add_avx2`.
            unsafe { self.add_avx2(start, end, w, z) };
            return;
        }
        self.add_tile(start, end, w, z, dot4);
    }

    /// [`Tiles::add`] compiled for AVX2: four lanes per instruction, separate multiplies and adds (no FMA), so
    /// every digit is that of the portable code.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    fn add_avx2(&mut self, start: usize, end: usize, w: Option<&[f64]>, z: &[f64]) {
        self.add_tile(start, end, w, z, |a, b| dot4_avx2(a, b));
    }

    /// The body of [`Tiles::add`].
    #[inline(always)]
    fn add_tile(&mut self, start: usize, end: usize, w: Option<&[f64]>, z: &[f64], dot4: Dot4) {
        let (n, p, len) = (self.n, self.p, end - start);
        let data = self.data;
        for (k, t) in self.wz[..len].iter_mut().enumerate() {
            *t = w.map_or(1.0, |w| w[k]) * z[k];
        }
        if let Some(w) = w {
            for j in 0..p {
                let col = &data[j * n + start..j * n + end];
                let dst = &mut self.wx[j * TILE_ROWS..j * TILE_ROWS + len];
                for ((d, &v), &wi) in dst.iter_mut().zip(col).zip(w) {
                    *d = wi * v;
                }
            }
        }
        let col = |k: usize| &data[k * n + start..k * n + end];
        add_dots(&self.wz[..len], col, 0, &mut self.xtz, dot4);
        for j in 0..p {
            // Unit weights: the column itself (the same values a copy would hold).
            let wxj = match w {
                Some(_) => &self.wx[j * TILE_ROWS..j * TILE_ROWS + len],
                None => col(j),
            };
            add_dots(wxj, col, j, &mut self.xtx[j * p..(j + 1) * p], dot4);
        }
    }

    /// The block's sums: X'WX upper triangle (row-major) and X'Wz.
    pub(crate) fn into_sums(self) -> (Vec<f64>, Vec<f64>) {
        (self.xtx, self.xtz)
    }
}

/// Dot product with four running sums (a fixed order, so the same digits on every machine and thread count):
/// the reference `dot4` and the cross products are tested against.
#[cfg(test)]
fn dot(a: &[f64], b: &[f64]) -> f64 {
    let (ca, cb) = (a.chunks_exact(4), b.chunks_exact(4));
    let tail = tail_dot(ca.remainder(), cb.remainder());
    let mut acc = [0.0f64; 4];
    for (x, y) in ca.zip(cb) {
        for ((s, &u), &v) in acc.iter_mut().zip(x).zip(y) {
            *s += u * v;
        }
    }
    (acc[0] + acc[1]) + (acc[2] + acc[3]) + tail
}

/// `out[k] += dot(a, col(k))` for every `k` from `first` to `out.len()`, four columns per sweep of `a` (a
/// last group of fewer repeats its last column and drops the repeats): the digits of one dot product per column.
#[inline(always)]
fn add_dots<'a>(
    a: &[f64],
    col: impl Fn(usize) -> &'a [f64],
    first: usize,
    out: &mut [f64],
    dot4: Dot4,
) {
    let mut k = first;
    while k < out.len() {
        let r = (out.len() - k).min(4);
        let c = |q: usize| col(k + q.min(r - 1));
        let d = dot4(a, [c(0), c(1), c(2), c(3)]);
        for (o, v) in out[k..k + r].iter_mut().zip(d) {
            *o += v;
        }
        k += r;
    }
}

/// The rows after the last full group of four, summed in order.
#[inline(always)]
fn tail_dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// A kernel of four dot products ([`dot4`] or [`dot4_avx2`]: the same digits).
type Dot4 = fn(&[f64], [&[f64]; 4]) -> [f64; 4];

/// `s + x·y` lane by lane over four lanes (one multiply and one add each).
#[inline(always)]
fn add_product(s: [f64; 4], x: &[f64], y: &[f64]) -> [f64; 4] {
    let (&[x0, x1, x2, x3], &[y0, y1, y2, y3]) = (x, y) else {
        return s;
    };
    [
        s[0] + x0 * y0,
        s[1] + x1 * y1,
        s[2] + x2 * y2,
        s[3] + x3 * y3,
    ]
}

/// A slice cut after `m` values (or whole when shorter).
#[inline(always)]
fn halves(s: &[f64], m: usize) -> (&[f64], &[f64]) {
    s.split_at(m.min(s.len()))
}

/// Four values of `a` beside the same four rows of `b[0]`, ..., `b[3]` (as the zipped chunks yield them).
type Row4<'a> = ((((&'a [f64], &'a [f64]), &'a [f64]), &'a [f64]), &'a [f64]);

/// The rows [`dot4`] and [`dot4_avx2`] sweep, four at a time: `a`'s and each `b[q]`'s whole groups of four
/// values side by side; then the rows after the last group, `a`'s and each `b[q]`'s.
#[inline(always)]
fn groups4<'a>(
    a: &'a [f64],
    b: [&'a [f64]; 4],
) -> (impl Iterator<Item = Row4<'a>>, &'a [f64], [&'a [f64]; 4]) {
    let m = a.len() - a.len() % 4;
    let (a4, at) = a.split_at(m);
    let split = |s| halves(s, m);
    let ((b0, t0), (b1, t1), (b2, t2), (b3, t3)) =
        (split(b[0]), split(b[1]), split(b[2]), split(b[3]));
    let rows = a4
        .chunks_exact(4)
        .zip(b0.chunks_exact(4))
        .zip(b1.chunks_exact(4))
        .zip(b2.chunks_exact(4))
        .zip(b3.chunks_exact(4));
    (rows, at, [t0, t1, t2, t3])
}

/// Four dot products of `a` with `b[0..4]` in one sweep over `a`, each with four running sums (lane `l` takes
/// rows `l`, `l + 4`, ...) added as `(s0 + s1) + (s2 + s3) + tail`: the digits of four separate dot products.
#[inline(always)]
fn dot4(a: &[f64], b: [&[f64]; 4]) -> [f64; 4] {
    let (rows, at, t) = groups4(a, b);
    let (mut s0, mut s1, mut s2, mut s3) = ([0.0f64; 4], [0.0f64; 4], [0.0f64; 4], [0.0f64; 4]);
    for ((((x, y0), y1), y2), y3) in rows {
        s0 = add_product(s0, x, y0);
        s1 = add_product(s1, x, y1);
        s2 = add_product(s2, x, y2);
        s3 = add_product(s3, x, y3);
    }
    finish4([s0, s1, s2, s3], at, t)
}

/// Dot product `q` of [`dot4`] and [`dot4_avx2`]: its four running sums `s[q]` added as `(s0 + s1) + (s2 + s3)`,
/// then the tail `at · t[q]` of the rows after the last group of four.
#[inline(always)]
fn finish4(s: [[f64; 4]; 4], at: &[f64], t: [&[f64]; 4]) -> [f64; 4] {
    std::array::from_fn(|q| (s[q][0] + s[q][1]) + (s[q][2] + s[q][3]) + tail_dot(at, t[q]))
}

/// [`dot4`] with AVX2 vectors: lane `l` of each accumulator is [`dot4`]'s running sum `l` (one multiply
/// and one add per lane, no FMA), and the lanes and tails are added as there: the same digits.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn dot4_avx2(a: &[f64], b: [&[f64]; 4]) -> [f64; 4] {
    use std::arch::x86_64::{__m256d, _mm256_add_pd, _mm256_loadu_pd, _mm256_mul_pd};
    use std::arch::x86_64::{_mm256_setzero_pd, _mm256_storeu_pd};
    let (rows, at, t) = groups4(a, b);
    // SAFETY (every load): `chunks_exact(4)` gives slices of four values, read whole by one load.
    let load = |v: &[f64]| unsafe { _mm256_loadu_pd(v.as_ptr()) };
    let mut acc: [__m256d; 4] = [_mm256_setzero_pd(); 4];
    for ((((x, y0), y1), y2), y3) in rows {
        let x = load(x);
        acc[0] = _mm256_add_pd(acc[0], _mm256_mul_pd(x, load(y0)));
        acc[1] = _mm256_add_pd(acc[1], _mm256_mul_pd(x, load(y1)));
        acc[2] = _mm256_add_pd(acc[2], _mm256_mul_pd(x, load(y2)));
        acc[3] = _mm256_add_pd(acc[3], _mm256_mul_pd(x, load(y3)));
    }
    let mut lanes = [[0.0f64; 4]; 4];
    for (s, v) in lanes.iter_mut().zip(acc) {
        // SAFETY: `s` holds the four values the store writes.
        unsafe { _mm256_storeu_pd(s.as_mut_ptr(), v) };
    }
    finish4(lanes, at, t)
}

/// Inverse of a symmetric positive definite matrix through an equilibrated Cholesky factor;
/// `None` when it is not numerically positive definite.
pub fn spd_inverse(a: &DMatrix<f64>) -> Option<DMatrix<f64>> {
    let p = a.nrows();
    let d: Vec<f64> = (0..p).map(|j| a[(j, j)]).collect();
    if d.iter().any(|&v| v.is_nan() || v <= 0.0 || !v.is_finite()) {
        return None;
    }
    let s: Vec<f64> = d.iter().map(|v| 1.0 / v.sqrt()).collect();
    let scaled = DMatrix::from_fn(p, p, |i, j| a[(i, j)] * s[i] * s[j]);
    let chol = scaled.cholesky()?;
    let inv = chol.inverse();
    let out = DMatrix::from_fn(p, p, |i, j| inv[(i, j)] * s[i] * s[j]);
    out.iter().all(|v| v.is_finite()).then_some(out)
}

/// Columns (0-based) that are zero, or collinear with the columns before them, in `X'X`:
/// a sequential Cholesky on the correlation-scaled matrix, as R's pivoting QR flags aliased columns.
pub(crate) fn aliased_columns(a: &DMatrix<f64>) -> Vec<usize> {
    let p = a.nrows();
    let s: Vec<f64> = (0..p)
        .map(|j| {
            let v = a[(j, j)];
            if v > 0.0 {
                1.0 / v.sqrt()
            } else {
                0.0
            }
        })
        .collect();
    let mut l = DMatrix::<f64>::zeros(p, p);
    let mut aliased = Vec::new();
    for j in 0..p {
        let ajj = a[(j, j)] * s[j] * s[j];
        let mut d = ajj - (0..j).map(|k| l[(j, k)] * l[(j, k)]).sum::<f64>();
        if s[j] == 0.0 || d <= RANK_TOL {
            aliased.push(j);
            continue; // column j of L stays zero: later columns ignore it
        }
        d = d.sqrt();
        l[(j, j)] = d;
        for i in (j + 1)..p {
            let aij = a[(i, j)] * s[i] * s[j];
            let dot: f64 = (0..j).map(|k| l[(i, k)] * l[(j, k)]).sum();
            l[(i, j)] = (aij - dot) / d;
        }
    }
    aliased
}

/// Quadratic form `b' V⁻¹ b` for the joint Wald test; `None` when `V` is not positive definite.
pub(crate) fn wald_quadratic(b: &DVector<f64>, v: &DMatrix<f64>) -> Option<f64> {
    let inv = spd_inverse(v)?;
    Some((b.transpose() * inv * b)[(0, 0)])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cross_products_match_dense_formula() {
        let x = DMatrix::from_row_slice(3, 2, &[1.0, 2.0, 1.0, 3.0, 1.0, 5.0]);
        let w = [1.0, 2.0, 0.5];
        let z = [1.0, -1.0, 4.0];
        let (a, b) = cross_products(&x, Some(&w), &z);
        let wm = DMatrix::from_diagonal(&DVector::from_row_slice(&w));
        let a2 = x.transpose() * &wm * &x;
        let b2 = x.transpose() * &wm * DVector::from_row_slice(&z);
        assert!((a - a2).norm() < 1e-12);
        assert!((b - b2).norm() < 1e-12);
    }

    /// The cross products as they were summed before the four-column sweeps (one [`dot`] per pair and per
    /// tile, blocks added in order): the digits must not change.
    fn reference(x: &DMatrix<f64>, w: &[f64], z: &[f64]) -> (Vec<f64>, Vec<f64>) {
        let (n, p) = x.shape();
        let (mut xtx, mut xtz) = (vec![0.0; p * p], vec![0.0; p]);
        for from in (0..n).step_by(BLOCK_ROWS) {
            let (mut bx, mut bz) = (vec![0.0; p * p], vec![0.0; p]);
            for s in (from..(from + BLOCK_ROWS).min(n)).step_by(TILE_ROWS) {
                let e = (s + TILE_ROWS).min(from + BLOCK_ROWS).min(n);
                let c = |j: usize| &x.as_slice()[j * n + s..j * n + e];
                let wz: Vec<f64> = (s..e).map(|i| w[i] * z[i]).collect();
                for j in 0..p {
                    bz[j] += dot(c(j), &wz);
                    let wx: Vec<f64> = (s..e).map(|i| w[i] * x[(i, j)]).collect();
                    for k in j..p {
                        bx[j * p + k] += dot(&wx, c(k));
                    }
                }
            }
            xtx.iter_mut().zip(bx).for_each(|(t, v)| *t += v);
            xtz.iter_mut().zip(bz).for_each(|(t, v)| *t += v);
        }
        (xtx, xtz)
    }

    #[test]
    fn cross_products_keep_their_digits() {
        let (n, p) = (BLOCK_ROWS + 300, 11);
        let v = |i: usize| ((i as u64 * 2_654_435_761 % 10_007) as f64) / 977.0 - 5.0;
        let x = DMatrix::from_fn(n, p, |i, j| v(i * p + j));
        let w: Vec<f64> = (0..n).map(|i| v(i + 7).abs() + 0.01).collect();
        let z: Vec<f64> = (0..n).map(|i| v(i + 3)).collect();
        let (a, b) = cross_products(&x, Some(&w), &z);
        let (ra, rb) = reference(&x, &w, &z);
        for j in 0..p {
            assert_eq!(b[j].to_bits(), rb[j].to_bits(), "X'Wz {j}");
            for k in j..p {
                assert_eq!(a[(j, k)].to_bits(), ra[j * p + k].to_bits(), "X'WX {j},{k}");
            }
        }
    }

    /// The four-column sweep (portable and AVX2) gives the digits of four separate dot products, tails included.
    #[test]
    fn dot4_is_four_dots_to_the_bit() {
        let v = |seed: u64, len: usize| -> Vec<f64> {
            (0..len)
                .map(|i| ((i as u64 * 2_654_435_761 + seed) % 1000) as f64 / 7.0 - 70.0)
                .collect()
        };
        for len in [0, 1, 3, 4, 7, 256, 259] {
            let a = v(1, len);
            let b: Vec<Vec<f64>> = (2..6).map(|s| v(s, len)).collect();
            let got = dot4(&a, [&b[0], &b[1], &b[2], &b[3]]);
            for q in 0..4 {
                assert_eq!(got[q].to_bits(), dot(&a, &b[q]).to_bits(), "len {len}");
            }
            #[cfg(target_arch = "x86_64")]
            if std::arch::is_x86_feature_detected!("avx2") {
                // SAFETY: the CPU has AVX2.
                let v = unsafe { dot4_avx2(&a, [&b[0], &b[1], &b[2], &b[3]]) };
                assert_eq!(v.map(f64::to_bits), got.map(f64::to_bits), "avx2 len {len}");
            }
        }
    }

    #[test]
    fn aliased_flags_constant_and_collinear_columns() {
        // columns: intercept, x, 2x + 1 (collinear), constant 7 (aliased with intercept)
        let rows: Vec<f64> = (0..6)
            .flat_map(|i| {
                let x = i as f64;
                [1.0, x, 2.0 * x + 1.0, 7.0]
            })
            .collect();
        let x = DMatrix::from_row_slice(6, 4, &rows);
        let (a, _) = cross_products(&x, None, &[0.0; 6]);
        assert_eq!(aliased_columns(&a), vec![2, 3]);
    }

    #[test]
    fn inverse_of_spd() {
        let a = DMatrix::from_row_slice(2, 2, &[4.0, 2.0, 2.0, 3.0]);
        let inv = spd_inverse(&a).unwrap();
        assert!((a * inv - DMatrix::identity(2, 2)).norm() < 1e-12);
    }
}
