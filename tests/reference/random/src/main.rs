//! Prints draws of rand 0.8 / rand_chacha 0.3 / rand_distr 0.4 from ChaCha8 generators, one line per case and seed:
//! `case,seed,values` with the values separated by spaces (floats in Rust's shortest round-trip form).
//! calcscore's tests/random_reference.rs must reproduce every value from calcscore_core::random and rand 0.10.
//! Run in this directory: `cargo run --release > rand08.csv` (Cargo.lock pins rand 0.8.8, rand_chacha 0.3.1, rand_distr 0.4.3).

use rand::seq::SliceRandom;
use rand::{Rng, RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{ChiSquared, Distribution, Exp, LogNormal, Normal, StandardNormal};

const DRAWS: usize = 12;
const SEEDS: [u64; 5] = [0, 1, 4, 20210101, u64::MAX];

fn line(case: &str, seed: u64, values: Vec<String>) {
    println!("{case},{seed},{}", values.join(" "));
}

fn draws<F: FnMut(&mut ChaCha8Rng) -> String>(case: &str, mut draw: F) {
    for seed in SEEDS {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        line(case, seed, (0..DRAWS).map(|_| draw(&mut rng)).collect());
    }
}

fn with<D: Distribution<f64> + Copy>(case: &str, d: D) {
    draws(case, |r| format!("{:?}", d.sample(r)));
}

fn main() {
    println!("case,seed,values");
    for n in [1usize, 2, 3, 7, 37, 1000, 3862, 8_589_934_593] {
        draws(&format!("index_{n}"), |r| r.gen_range(0..n).to_string());
    }
    let i32s = [(0, 270), (271, 359), (183, 365), (0, 539), (-5, 5), (i32::MIN, i32::MAX)];
    for (lo, hi) in i32s {
        let name = if lo == i32::MIN { "i32_full".to_string() } else { format!("i32_{lo}_{hi}") };
        draws(&name, |r| r.gen_range(lo..=hi).to_string());
    }
    let i64s = [(0i64, 539i64), (183, 365), (-1_000_000, 999_999), (i64::MIN, i64::MAX)];
    for (lo, hi) in i64s {
        let name = if lo == i64::MIN { "i64_full".to_string() } else { format!("i64_{lo}_{hi}") };
        draws(&name, |r| r.gen_range(lo..=hi).to_string());
    }
    for len in [0usize, 1, 2, 10, 100] {
        for seed in SEEDS {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            let mut v: Vec<usize> = (0..len).collect();
            v.shuffle(&mut rng);
            let mut values: Vec<String> = v.iter().map(|x| x.to_string()).collect();
            values.extend((0..3).map(|_| rng.gen_range(0..1000usize).to_string()));
            line(&format!("shuffle_{len}"), seed, values);
        }
    }
    for (lo, hi) in [(0.5, 5.0), (0.0, 1.0), (-2.0, -2.0), (60.0, 69.5)] {
        draws(&format!("closed_{lo}_{hi}"), |r| format!("{:?}", r.gen_range(lo..=hi)));
    }
    for (lo, hi) in [(2.5, 3.49), (70.5, 115.0), (-8.66, 8.66)] {
        draws(&format!("open_{lo}_{hi}"), |r| format!("{:?}", r.gen_range(lo..hi)));
    }
    draws("unit", |r| format!("{:?}", r.gen::<f64>()));
    draws("u64", |r| r.next_u64().to_string());
    for p in [0.0, 0.05, 0.35, 0.999, 1.0] {
        draws(&format!("bool_{p}"), |r| r.gen_bool(p).to_string());
    }
    draws("standard_normal", |r| format!("{:?}", r.sample::<f64, _>(StandardNormal)));
    with("normal_1_2", Normal::new(1.0, 2.0).unwrap());
    for k in [0.5, 1.0, 2.0, 3.5, 40.0] {
        with(&format!("chisq_{k}"), ChiSquared::new(k).unwrap());
    }
    with("exp_0.25", Exp::new(0.25).unwrap());
    with("lognormal_0.1_0.5", LogNormal::new(0.1, 0.5).unwrap());
}
