//! Every kind of random draw calcscore makes, against the values rand 0.8 printed from the same ChaCha8 seeds
//! (`tests/reference/random/`: rand 0.8.8, rand_chacha 0.3.1, rand_distr 0.4.3, the versions that made the shipped
//! synthetic data and every bootstrap before the move to rand 0.10). Integer ranges, shuffles and closed float
//! intervals come from `calcscore_core::random`; unit floats, half-open float ranges, Bernoulli draws, raw words and
//! `rand_distr`'s distributions from rand 0.10 itself. All must be equal, bit for bit, except one case calcscore
//! never draws ([`SMALL_SHAPE`]).

use std::collections::BTreeMap;

use calcscore_core::random::{self, ChaCha8Rng};
use rand::{Rng, RngExt};
use rand_distr::{ChiSquared, Distribution, Exp, LogNormal, Normal, StandardNormal};

const FILE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/reference/random/rand08.csv"
);

/// `case → [(seed, values)]` from the reference file.
fn reference() -> BTreeMap<String, Vec<(u64, Vec<String>)>> {
    let text = std::fs::read_to_string(FILE).unwrap();
    let mut cases: BTreeMap<String, Vec<(u64, Vec<String>)>> = BTreeMap::new();
    for line in text.lines().skip(1) {
        let mut parts = line.splitn(3, ',');
        let case = parts.next().unwrap().to_string();
        let seed = parts.next().unwrap().parse().unwrap();
        let values = parts.next().unwrap();
        let values = values.split_whitespace().map(str::to_string).collect();
        cases.entry(case).or_default().push((seed, values));
    }
    cases
}

/// Draws of one case for one seed, formatted as the reference program formats them.
fn draw(case: &str, seed: u64) -> Vec<String> {
    let mut rng = random::seeded(seed);
    if let Some(len) = case.strip_prefix("shuffle_") {
        let mut v: Vec<usize> = (0..len.parse().unwrap()).collect();
        random::shuffle(&mut rng, &mut v);
        v.extend((0..3).map(|_| random::index(&mut rng, 1000)));
        return v.iter().map(usize::to_string).collect();
    }
    let mut one = sampler(case);
    (0..12).map(|_| one(&mut rng)).collect()
}

/// The one case not equal bit for bit: a chi-square with fewer than 2 degrees of freedom other than 1 (a gamma of
/// shape below 1), whose product rand_distr 0.6 multiplies in another order than 0.4 did. calcscore never draws it:
/// its only chi-square (the imputation model's residual variance) has a whole number of degrees of freedom, at
/// least 1, and 1 and 2 (cases `chisq_1`, `chisq_2`) are equal bit for bit.
const SMALL_SHAPE: &str = "chisq_0.5";

/// True when every pair of values is within `ulps` units in the last place.
fn within_ulps(got: &[String], want: &[String], ulps: u64) -> bool {
    let bits = |s: &String| s.parse::<f64>().unwrap().to_bits();
    got.len() == want.len()
        && got
            .iter()
            .zip(want)
            .all(|(g, w)| bits(g).abs_diff(bits(w)) <= ulps)
}

type Sampler = Box<dyn FnMut(&mut ChaCha8Rng) -> String>;

/// The bounds `lo_hi` after a case's prefix (`i32_0_270` → (0, 270)); `full` is the type's whole range.
fn bounds(rest: &str) -> (f64, f64) {
    let (lo, hi) = rest.split_once('_').unwrap();
    (lo.parse().unwrap(), hi.parse().unwrap())
}

fn sampler(case: &str) -> Sampler {
    let (kind, rest) = case.split_once('_').unwrap_or((case, ""));
    match kind {
        "index" => {
            let n: usize = rest.parse().unwrap();
            Box::new(move |r| random::index(r, n).to_string())
        }
        "i32" if rest == "full" => {
            Box::new(|r| random::between_i32(r, i32::MIN, i32::MAX).to_string())
        }
        "i32" => {
            let (lo, hi) = bounds(rest);
            Box::new(move |r| random::between_i32(r, lo as i32, hi as i32).to_string())
        }
        "i64" if rest == "full" => {
            Box::new(|r| random::between_i64(r, i64::MIN, i64::MAX).to_string())
        }
        "i64" => {
            let (lo, hi) = bounds(rest);
            Box::new(move |r| random::between_i64(r, lo as i64, hi as i64).to_string())
        }
        "closed" => {
            let (lo, hi) = bounds(rest);
            Box::new(move |r| format!("{:?}", random::closed(r, lo, hi)))
        }
        "open" => {
            let (lo, hi) = bounds(rest);
            Box::new(move |r| format!("{:?}", r.random_range(lo..hi)))
        }
        "unit" => Box::new(|r| format!("{:?}", r.random::<f64>())),
        "u64" => Box::new(|r| r.next_u64().to_string()),
        "bool" => {
            let p: f64 = rest.parse().unwrap();
            Box::new(move |r| r.random_bool(p).to_string())
        }
        "standard" => Box::new(|r| format!("{:?}", r.sample::<f64, _>(StandardNormal))),
        "normal" => distribution(Normal::new(1.0, 2.0).unwrap()),
        "chisq" => distribution(ChiSquared::new(rest.parse().unwrap()).unwrap()),
        "exp" => distribution(Exp::new(rest.parse().unwrap()).unwrap()),
        "lognormal" => distribution(LogNormal::new(0.1, 0.5).unwrap()),
        other => panic!("{FILE}: unknown case kind {other}"),
    }
}

fn distribution<D: Distribution<f64> + 'static>(d: D) -> Sampler {
    Box::new(move |r| format!("{:?}", d.sample(r)))
}

#[test]
fn every_draw_equals_rand_0_8() {
    let cases = reference();
    // 46 cases × 5 seeds: the file is complete and every case kind is known.
    assert_eq!(cases.len(), 46);
    let mut compared = 0;
    let mut differ = Vec::new();
    for (case, rows) in &cases {
        assert_eq!(rows.len(), 5, "{case}");
        for (seed, want) in rows {
            let got = draw(case, *seed);
            if case == SMALL_SHAPE {
                assert!(
                    within_ulps(&got, want, 2),
                    "{case}, seed {seed}: {got:?} {want:?}"
                );
            } else if &got != want {
                differ.push(format!(
                    "{case}, seed {seed}: {got:?} against rand 0.8's {want:?}"
                ));
            }
            compared += want.len();
        }
    }
    assert!(differ.is_empty(), "{}", differ.join("\n"));
    // 41 cases of 12 draws and the shuffles (lengths 0, 1, 2, 10, 100, each with 3 draws after) over 5 seeds.
    assert_eq!(compared, 5 * (41 * 12 + (113 + 5 * 3)));
}
