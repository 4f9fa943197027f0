//! R's default random numbers, so that pmsampsize's and pmvalsampsize's seeded simulations can be
//! repeated draw for draw: `set.seed(s)` (Mersenne-Twister, `RNG_Init`'s linear-congruential
//! scrambling of the seed) and `rnorm` by inversion (two uniforms per draw, `normal.kind = "Inversion"`).
//! Written from the documented algorithms (Matsumoto & Nishimura 1998; R's `?RNGkind`).

use statrs::distribution::{ContinuousCDF, Normal};

const N: usize = 624;
const M: usize = 397;

/// The Mersenne-Twister state as `set.seed(seed)` leaves it.
pub(crate) struct RRng {
    mt: [u32; N],
    mti: usize,
    normal: Normal,
}

impl RRng {
    /// `set.seed(seed)` with R's default kinds.
    pub(crate) fn new(seed: u32) -> RRng {
        let lcg = |s: u32| s.wrapping_mul(69069).wrapping_add(1);
        let mut s = seed;
        for _ in 0..50 {
            s = lcg(s);
        }
        // R fills 625 words: the first is the position word (then reset to 624), the rest the state.
        s = lcg(s);
        let mut mt = [0u32; N];
        for w in &mut mt {
            s = lcg(s);
            *w = s;
        }
        RRng {
            mt,
            mti: N,
            normal: Normal::new(0.0, 1.0).expect("N(0, 1) is a valid distribution"),
        }
    }

    fn twist(&mut self) {
        let mag = |y: u32| if y & 1 == 1 { 0x9908_b0df } else { 0 };
        for k in 0..N {
            let y = (self.mt[k] & 0x8000_0000) | (self.mt[(k + 1) % N] & 0x7fff_ffff);
            self.mt[k] = self.mt[(k + M) % N] ^ (y >> 1) ^ mag(y);
        }
        self.mti = 0;
    }

    /// `unif_rand()`: a uniform in (0, 1).
    pub(crate) fn unif(&mut self) -> f64 {
        if self.mti >= N {
            self.twist();
        }
        let mut y = self.mt[self.mti];
        self.mti += 1;
        y ^= y >> 11;
        y ^= (y << 7) & 0x9d2c_5680;
        y ^= (y << 15) & 0xefc6_0000;
        y ^= y >> 18;
        let u = f64::from(y) * 2.328_306_436_538_696_3e-10;
        let tiny = 0.5 * 2.328_306_437_080_797e-10;
        if u <= 0.0 {
            tiny
        } else if 1.0 - u <= 0.0 {
            1.0 - tiny
        } else {
            u
        }
    }

    /// `norm_rand()` by inversion: u = (⌊2²⁷ u₁⌋ + u₂) / 2²⁷, then Φ⁻¹(u).
    pub(crate) fn norm(&mut self) -> f64 {
        const BIG: f64 = 134_217_728.0;
        let u = (BIG * self.unif()).trunc() + self.unif();
        self.normal.inverse_cdf(u / BIG)
    }

    /// `rnorm(n, mean, sd)`.
    pub(crate) fn rnorm(&mut self, n: usize, mean: f64, sd: f64) -> Vec<f64> {
        (0..n).map(|_| mean + sd * self.norm()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_r_runif_and_rnorm() {
        // R 4.2: set.seed(123456); sprintf("%.17g", runif(3))
        let mut r = RRng::new(123_456);
        let u: Vec<f64> = (0..3).map(|_| r.unif()).collect();
        assert_eq!(u, R_RUNIF);
        // R 4.2: set.seed(42); sprintf("%.17g", rnorm(3))
        let mut r = RRng::new(42);
        let z = r.rnorm(3, 0.0, 1.0);
        for (a, b) in z.iter().zip(R_RNORM) {
            assert!((a - b).abs() < 1e-14, "{a} vs {b}");
        }
    }

    const R_RUNIF: [f64; 3] = [
        0.797_784_320_777_282_1,
        0.753_565_094_899_386_2,
        0.391_255_684_196_949,
    ];
    const R_RNORM: [f64; 3] = [
        1.370_958_447_146_668_5,
        -0.564_698_171_396_088_7,
        0.363_128_411_337_339_2,
    ];
}
