//! Seeded random draws whose values do not change with the `rand` crate's version.
//!
//! Every draw of calcscore (synthetic registries, the A/B split, bootstraps, imputations) comes from a ChaCha8
//! generator made by [`seeded`]; ChaCha8's stream of words is fixed by the algorithm. How `rand` turns words into an
//! integer between bounds is not fixed (0.9 changed it, which would have changed the shipped synthetic data and every
//! bootstrap), so integer ranges, shuffles and closed intervals are drawn here by one fixed method: a word times the
//! range, kept when the low half of the product falls in a conservative acceptance zone (the method of rand 0.8,
//! which made the shipped data). Unit floats, Bernoulli draws and `rand_distr`'s distributions come from `rand`.
//! `tests/random_reference.rs` pins all of them to values printed by rand 0.8 (`tests/reference/random/`).

use rand::{Rng, SeedableRng};

pub use rand::rngs::ChaCha8Rng;

/// A ChaCha8 generator from a 64-bit seed (expanded to a key as `rand_core`'s `seed_from_u64` does).
pub fn seeded(seed: u64) -> ChaCha8Rng {
    ChaCha8Rng::seed_from_u64(seed)
}

/// The generator of replicate `r` of a resampling run seeded with `seed`: one stream per replicate, so that
/// replicates can run on any number of threads and give the same draws.
pub fn replicate(seed: u64, r: u64) -> ChaCha8Rng {
    seeded(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15).wrapping_add(r))
}

/// A uniform index in `0..n` from 64-bit words; 0 when `n` is 0.
pub fn index<R: Rng + ?Sized>(rng: &mut R, n: usize) -> usize {
    below_u64(rng, n as u64) as usize
}

/// A uniform integer in `low..=high` (`low` ≤ `high`) from 32-bit words.
pub fn between_i32<R: Rng + ?Sized>(rng: &mut R, low: i32, high: i32) -> i32 {
    let range = high.wrapping_sub(low).wrapping_add(1) as u32;
    if range == 0 {
        // The whole i32 range: any word will do.
        return rng.next_u32() as i32;
    }
    low.wrapping_add(below_u32(rng, range) as i32)
}

/// A uniform integer in `low..=high` (`low` ≤ `high`) from 64-bit words.
pub fn between_i64<R: Rng + ?Sized>(rng: &mut R, low: i64, high: i64) -> i64 {
    let range = high.wrapping_sub(low).wrapping_add(1) as u64;
    if range == 0 {
        return rng.next_u64() as i64;
    }
    low.wrapping_add(below_u64(rng, range) as i64)
}

/// Shuffle in place: Fisher–Yates from the last element, each partner drawn from 32-bit words.
pub fn shuffle<T, R: Rng + ?Sized>(rng: &mut R, items: &mut [T]) {
    for i in (1..items.len()).rev() {
        let j = match u32::try_from(i + 1) {
            Ok(n) => below_u32(rng, n) as usize,
            Err(_) => index(rng, i + 1),
        };
        items.swap(i, j);
    }
}

/// A uniform value in the closed interval `[low, high]` (finite, `low` ≤ `high`).
pub fn closed<R: Rng + ?Sized>(rng: &mut R, low: f64, high: f64) -> f64 {
    // A unit draw is at most 1 − 2⁻⁵²: shrink the scale until that draw lands on `high` or below.
    let top = 1.0 - f64::EPSILON;
    let mut scale = (high - low) / top;
    while scale > 0.0 && scale * top + low > high {
        scale = f64::from_bits(scale.to_bits() - 1);
    }
    let unit = (rng.next_u64() >> 12) as f64 * f64::EPSILON;
    unit * scale + low
}

/// `0..n` from 64-bit words: the high word of word × n, drawn again while the low word is above the zone.
fn below_u64<R: Rng + ?Sized>(rng: &mut R, n: u64) -> u64 {
    if n == 0 {
        return 0;
    }
    let zone = (n << n.leading_zeros()).wrapping_sub(1);
    loop {
        let product = u128::from(rng.next_u64()) * u128::from(n);
        if product as u64 <= zone {
            return (product >> 64) as u64;
        }
    }
}

/// `0..n` (`n` > 0) from 32-bit words, as [`below_u64`].
fn below_u32<R: Rng + ?Sized>(rng: &mut R, n: u32) -> u32 {
    let zone = (n << n.leading_zeros()).wrapping_sub(1);
    loop {
        let product = u64::from(rng.next_u32()) * u64::from(n);
        if product as u32 <= zone {
            return (product >> 32) as u32;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_stay_in_their_bounds_and_shuffles_permute() {
        let mut rng = seeded(3);
        for n in [1usize, 2, 5, 1 << 40] {
            assert!((0..200).all(|_| index(&mut rng, n) < n));
        }
        assert_eq!(index(&mut rng, 0), 0);
        assert!((0..200).all(|_| (-3..=3).contains(&between_i32(&mut rng, -3, 3))));
        assert!((0..200).all(|_| (183..=365).contains(&between_i64(&mut rng, 183, 365))));
        assert!((0..200).all(|_| (0.5..=5.0).contains(&closed(&mut rng, 0.5, 5.0))));
        assert_eq!(closed(&mut rng, 2.0, 2.0), 2.0);
        let mut v: Vec<u32> = (0..50).collect();
        shuffle(&mut rng, &mut v);
        assert_ne!(v, (0..50).collect::<Vec<_>>());
        v.sort_unstable();
        assert_eq!(v, (0..50).collect::<Vec<_>>());
    }
}
