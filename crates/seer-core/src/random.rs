//! A small seeded random number generator (SplitMix64) for reproducible
//! benchmarks, synthetic test scenes and simulations. Not for secrets.

/// A deterministic stream of pseudo-random numbers started from a seed.
#[derive(Clone, Debug)]
pub struct SeededRng(u64);

impl SeededRng {
    /// A stream started from `seed`.
    pub fn new(seed: u64) -> SeededRng {
        SeededRng(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in 0..1 (24 random bits).
    pub fn uniform(&mut self) -> f32 {
        (self.next_u64() >> 40) as f32 / (1u64 << 24) as f32
    }

    /// Uniform in `lo..hi`.
    pub fn range(&mut self, lo: f32, hi: f32) -> f32 {
        lo + (hi - lo) * self.uniform()
    }

    /// Uniform in −1..1.
    pub fn signed(&mut self) -> f32 {
        (self.next_u64() >> 40) as f32 / (1u64 << 23) as f32 - 1.0
    }

    /// Uniform integer in 0..n (0 when n is 0).
    pub fn below(&mut self, n: u32) -> u32 {
        if n == 0 {
            0
        } else {
            (self.next_u64() % n as u64) as u32
        }
    }

    /// Standard normal (Box–Muller).
    pub fn normal(&mut self) -> f32 {
        let u1 = self.uniform().max(1e-7);
        let u2 = self.uniform();
        (-2.0 * u1.ln()).sqrt() * (std::f32::consts::TAU * u2).cos()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_stream_and_values_stay_in_range() {
        let (mut a, mut b) = (SeededRng::new(7), SeededRng::new(7));
        assert_eq!(a.next_u64(), b.next_u64());
        assert_ne!(SeededRng::new(8).next_u64(), SeededRng::new(7).next_u64());
        let mut sum = 0.0;
        for _ in 0..10_000 {
            let (u, s, r) = (a.uniform(), a.signed(), a.range(2.0, 3.0));
            assert!((0.0..1.0).contains(&u) && (-1.0..1.0).contains(&s));
            assert!((2.0..3.0).contains(&r) && a.below(5) < 5);
            sum += a.normal();
        }
        assert!((sum / 10_000.0f32).abs() < 0.05, "{sum}");
    }
}
