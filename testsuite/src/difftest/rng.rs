//! A small deterministic pseudo-random generator (xorshift64*) and the value distributions the
//! generators draw from: integers biased to edge cases and floating-point values that cover
//! zeros, infinities, NaNs and denormals.

/// A xorshift64* generator: fast, reproducible from a seed, good enough for test inputs.
#[derive(Clone, Debug)]
pub struct Rng {
    state: u64,
}

impl Rng {
    /// A generator from `seed`; every seed (zero too) gives a usable, distinct stream.
    pub fn new(seed: u64) -> Rng {
        let mut rng = Rng { state: seed ^ 0x9e37_79b9_7f4a_7c15 };
        if rng.state == 0 {
            rng.state = 1;
        }
        for _ in 0..4 {
            rng.next_u64();
        }
        rng
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.state;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.state = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// A number in `0..n` (`n` > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }

    /// A number in `lo..=hi`.
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi - lo + 1)
    }

    /// `len` random bits, as a u32 field value.
    pub fn bits(&mut self, len: u32) -> u32 {
        (self.next_u64() & ((1u64 << len) - 1)) as u32
    }

    /// True with probability `num / den`.
    pub fn chance(&mut self, num: u64, den: u64) -> bool {
        self.below(den) < num
    }

    /// One element of `items` (not empty).
    pub fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len() as u64) as usize]
    }

    /// A 64-bit value biased to edge cases: 0, 1, -1, the 32- and 64-bit signed and unsigned
    /// limits and their neighbours, small numbers, single bits, and plain random values.
    pub fn edgy_u64(&mut self) -> u64 {
        const EDGES: [u64; 14] = [
            0,
            1,
            2,
            u64::MAX,
            u64::MAX - 1,
            i64::MAX as u64,
            i64::MIN as u64,
            i64::MIN as u64 + 1,
            u32::MAX as u64,
            i32::MAX as u64,
            i32::MIN as u32 as u64,
            0x8000_0000,
            0xffff_ffff_8000_0000,
            0x1_0000_0000,
        ];
        match self.below(8) {
            0 | 1 => self.pick(&EDGES),
            2 => self.below(64),
            3 => self.below(64).wrapping_neg(),
            4 => 1u64 << self.below(64),
            5 => self.next_u64() as u32 as u64,
            _ => self.next_u64(),
        }
    }

    /// A single-precision bit pattern biased to special values.
    pub fn edgy_f32(&mut self) -> u32 {
        const SPECIAL: [u32; 14] = [
            0x0000_0000, // +0
            0x8000_0000, // -0
            0x7f80_0000, // +inf
            0xff80_0000, // -inf
            0x7fc0_0000, // default NaN
            0x7fa0_0001, // signalling NaN
            0xffc1_2345, // negative quiet NaN with payload
            0x0000_0001, // smallest denormal
            0x807f_ffff, // largest negative denormal
            0x0080_0000, // smallest normal
            0x7f7f_ffff, // largest finite
            0x3f80_0000, // 1.0
            0xbf80_0000, // -1.0
            0x4f00_0000, // 2^31
        ];
        match self.below(6) {
            0 | 1 => self.pick(&SPECIAL),
            2 => {
                // A small integer-valued float (exact conversions, rounding ties with halves).
                let v = self.below(64) as f32 / self.pick(&[1.0, 2.0, 4.0]) - 16.0;
                v.to_bits()
            }
            3 => self.next_u64() as u32 & 0x807f_ffff | 0x3f00_0000, // around 0.5..4
            _ => self.next_u64() as u32,
        }
    }

    /// A double-precision bit pattern biased to special values.
    pub fn edgy_f64(&mut self) -> u64 {
        const SPECIAL: [u64; 15] = [
            0x0000_0000_0000_0000,
            0x8000_0000_0000_0000,
            0x7ff0_0000_0000_0000,
            0xfff0_0000_0000_0000,
            0x7ff8_0000_0000_0000,
            0x7ff4_0000_0000_0001,
            0xfff8_0000_1234_5678,
            0x0000_0000_0000_0001,
            0x800f_ffff_ffff_ffff,
            0x0010_0000_0000_0000,
            0x7fef_ffff_ffff_ffff,
            0x3ff0_0000_0000_0000,
            0xbff0_0000_0000_0000,
            0x43e0_0000_0000_0000, // 2^63
            0x41e0_0000_0000_0000, // 2^31
        ];
        match self.below(6) {
            0 | 1 => self.pick(&SPECIAL),
            2 => {
                let v = self.below(64) as f64 / self.pick(&[1.0, 2.0, 4.0]) - 16.0;
                v.to_bits()
            }
            3 => self.next_u64() & 0x800f_ffff_ffff_ffff | 0x3fe0_0000_0000_0000,
            _ => self.next_u64(),
        }
    }

    /// A 128-bit vector register value: random lanes, sometimes of special FP values.
    pub fn edgy_v128(&mut self) -> u128 {
        match self.below(4) {
            0 => {
                let lanes: [u32; 4] = std::array::from_fn(|_| self.edgy_f32());
                lanes.iter().rev().fold(0u128, |acc, &l| acc << 32 | l as u128)
            }
            1 => (self.edgy_f64() as u128) << 64 | self.edgy_f64() as u128,
            2 => (self.edgy_u64() as u128) << 64 | self.edgy_u64() as u128,
            _ => (self.next_u64() as u128) << 64 | self.next_u64() as u128,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_are_reproducible_and_distinct() {
        let a: Vec<u64> = (0..4).scan(Rng::new(7), |r, _| Some(r.next_u64())).collect();
        let b: Vec<u64> = (0..4).scan(Rng::new(7), |r, _| Some(r.next_u64())).collect();
        let c: Vec<u64> = (0..4).scan(Rng::new(8), |r, _| Some(r.next_u64())).collect();
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert!(Rng::new(0).next_u64() != 0);
    }
}
