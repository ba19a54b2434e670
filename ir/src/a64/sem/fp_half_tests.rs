//! Unit tests of the half-precision scalar FP semantics (`fp_half.rs`), against a reference
//! written here from the IEEE 754 definition: a value is taken exactly as an integer times a power
//! of two (`Exact`), and `round_to_half` rounds that to nearest even by integer arithmetic alone.
//! Arithmetic results are formed exactly too (sums and products of halves with integers, quotients
//! and square roots with a sticky bit), so no test leans on the float arithmetic the lifter uses.
//! NaN and zero rules follow the Arm ARM's pseudocode (FPProcessNaNs, FPRound), and the table of
//! cases recorded from qemu-aarch64 (`fp_qemu_half_*.rs`, made by `fp_half_qemu.py`) replays here as well.

use super::qemu_cases::replay;
use super::{fp_op, from_int, run, to_int, GARBAGE};

#[path = "fp_qemu_half_convert.rs"]
mod qemu_convert;
#[path = "fp_qemu_half_other.rs"]
mod qemu_other;
#[path = "fp_qemu_half_two_source.rs"]
mod qemu_two_source;

/// A nonnegative value `mantissa * 2^exponent` with a sign, held exactly.
#[derive(Clone, Copy, Debug)]
struct Exact {
    negative: bool,
    mantissa: u128,
    exponent: i32,
}

/// The half default NaN.
const DEFAULT_NAN: u16 = 0x7e00;

/// Rounds an exact value to the nearest half, ties to even, with overflow to infinity.
fn round_to_half(x: Exact) -> u16 {
    let sign = if x.negative { 0x8000 } else { 0 };
    if x.mantissa == 0 {
        return sign;
    }
    let top = 127 - x.mantissa.leading_zeros() as i32 + x.exponent;
    // The quantum (weight of the last kept bit) is 2^-24 for subnormals, else 2^(top - 10).
    let mut quantum = top.max(-14) - 10;
    let shift = quantum - x.exponent;
    let mut kept = if shift <= 0 {
        x.mantissa << -shift
    } else if shift >= 128 {
        0
    } else {
        let kept = x.mantissa >> shift;
        let rest = x.mantissa & ((1u128 << shift) - 1);
        let half_way = 1u128 << (shift - 1);
        if rest > half_way || (rest == half_way && kept & 1 == 1) {
            kept + 1
        } else {
            kept
        }
    };
    if kept == 2048 {
        kept = 1024;
        quantum += 1;
    }
    if kept < 1024 {
        return sign | kept as u16;
    }
    let biased = quantum + 10 + 15;
    if biased >= 31 {
        return sign | 0x7c00;
    }
    sign | (biased as u16) << 10 | (kept - 1024) as u16
}

/// The exact value of a finite double.
fn exact_f64(x: f64) -> Exact {
    let bits = x.to_bits();
    let (biased, fraction) = ((bits >> 52 & 0x7ff) as i32, (bits & ((1 << 52) - 1)) as u128);
    let (mantissa, exponent) = if biased == 0 { (fraction, -1074) } else { (fraction | 1 << 52, biased - 1075) };
    Exact { negative: bits >> 63 == 1, mantissa, exponent }
}

/// The exact value of a finite half.
fn exact_half(h: u16) -> Exact {
    let (biased, fraction) = ((h >> 10 & 0x1f) as i32, (h & 0x3ff) as u128);
    let (mantissa, exponent) = if biased == 0 { (fraction, -24) } else { (fraction | 1 << 10, biased - 25) };
    Exact { negative: h >> 15 == 1, mantissa, exponent }
}

/// A non-NaN half's value as a double (exact).
fn half_f64(h: u16) -> f64 {
    if is_infinite(h) {
        return if h >> 15 == 1 { f64::NEG_INFINITY } else { f64::INFINITY };
    }
    let x = exact_half(h);
    let magnitude = x.mantissa as f64 * 2f64.powi(x.exponent);
    if x.negative {
        -magnitude
    } else {
        magnitude
    }
}

fn is_nan(h: u16) -> bool {
    h & 0x7c00 == 0x7c00 && h & 0x3ff != 0
}

fn is_infinite(h: u16) -> bool {
    h & 0x7fff == 0x7c00
}

/// FPProcessNaNs on halves: the first signalling NaN, else the first quiet one, made quiet.
fn process_nans(ops: &[u16]) -> Option<u16> {
    let signalling = ops.iter().find(|&&h| is_nan(h) && h & 0x200 == 0);
    signalling.or_else(|| ops.iter().find(|&&h| is_nan(h))).map(|&h| h | 0x200)
}

/// Runs `word` with q1..q3 holding the halves `inputs` over garbage upper bits; returns q0, which
/// must hold a half with zeros above it.
fn half_op(word: u32, inputs: &[u16]) -> u16 {
    let wide: Vec<u128> = inputs.iter().map(|&h| GARBAGE << 16 | h as u128).collect();
    let q0 = fp_op(word, &wide);
    assert_eq!(q0 >> 16, 0, "{word:#x} on {inputs:04x?} left bits above the half: {q0:#x}");
    q0 as u16
}

/// fcvt h0, d1 and fcvt h0, s1.
const FCVT_H_D: u32 = 0x1e63c020;
const FCVT_H_S: u32 = 0x1e23c020;

/// Checks FCVT h0, d1 of `x` and of -`x`, and FCVT h0, s1 when `x` is a single exactly.
fn check_to_half(x: f64) {
    for x in [x, -x] {
        let want = round_to_half(exact_f64(x));
        let got = fp_op(FCVT_H_D, &[x.to_bits() as u128]);
        assert_eq!(got, want as u128, "fcvt h0, d1 of {x:e} ({:#x})", x.to_bits());
        if (x as f32) as f64 == x {
            let got = fp_op(FCVT_H_S, &[(x as f32).to_bits() as u128]);
            assert_eq!(got, want as u128, "fcvt h0, s1 of {x:e}");
        }
    }
}

#[test]
fn reference_rounding_agrees_with_known_halves() {
    let value = |x: f64| round_to_half(exact_f64(x));
    assert_eq!(value(1.0), 0x3c00);
    assert_eq!(value(65504.0), 0x7bff);
    assert_eq!(value(65519.99), 0x7bff);
    assert_eq!(value(65520.0), 0x7c00);
    assert_eq!(value(2f64.powi(-24)), 0x0001);
    assert_eq!(value(2f64.powi(-25)), 0x0000);
    assert_eq!(value(3.0 * 2f64.powi(-25)), 0x0002);
    assert_eq!(value(-2f64.powi(-14)), 0x8400);
    assert_eq!(value(1.0 + 2f64.powi(-11)), 0x3c00);
    assert_eq!(value(1.0 + 3.0 * 2f64.powi(-11)), 0x3c02);
}

#[test]
fn conversions_to_half_round_once_at_every_boundary() {
    // Every finite half, the midpoint to the next one (65536 above the largest), and the values
    // one ulp of double and of single either side of that midpoint.
    for h in 0u16..0x7c00 {
        let low = half_f64(h);
        let high = if h == 0x7bff { 65536.0 } else { half_f64(h + 1) };
        let mid = (low + high) / 2.0;
        check_to_half(low);
        for x in [mid, f64::from_bits(mid.to_bits() - 1), f64::from_bits(mid.to_bits() + 1)] {
            check_to_half(x);
        }
        let mid_single = mid as f32;
        for x in [f32::from_bits(mid_single.to_bits() - 1), f32::from_bits(mid_single.to_bits() + 1)] {
            check_to_half(x as f64);
        }
    }
}

#[test]
fn conversions_to_half_of_special_values() {
    let to_half = |word: u32, bits: u128| fp_op(word, &[bits]);
    // Infinities, huge values, the smallest double and single subnormals, signed zeros.
    assert_eq!(to_half(FCVT_H_D, f64::INFINITY.to_bits() as u128), 0x7c00);
    assert_eq!(to_half(FCVT_H_D, (-1e300f64).to_bits() as u128), 0xfc00);
    assert_eq!(to_half(FCVT_H_D, 1), 0);
    assert_eq!(to_half(FCVT_H_D, 1 << 63 | 1), 0x8000);
    assert_eq!(to_half(FCVT_H_S, f32::NEG_INFINITY.to_bits() as u128), 0xfc00);
    assert_eq!(to_half(FCVT_H_S, 0x8000_0001), 0x8000);
    // NaNs become quiet, keeping the sign and the top of the payload (FPConvertNaN).
    assert_eq!(to_half(FCVT_H_D, 0x7ff0_0000_0000_0001), 0x7e00);
    assert_eq!(to_half(FCVT_H_D, 0xfff4_0400_0000_0000), 0xff01);
    assert_eq!(to_half(FCVT_H_S, 0x7f80_abcd), 0x7e05);
    assert_eq!(to_half(FCVT_H_S, 0xffc0_2000), 0xfe01);
    // Double rounding through single would give 1.0 here: the tie it makes is not a tie.
    assert_eq!(to_half(FCVT_H_D, (1.0 + 2f64.powi(-11) + 2f64.powi(-40)).to_bits() as u128), 0x3c01);
}

/// A small deterministic generator (xorshift64*) for random halves.
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn half(&mut self) -> u16 {
        self.next() as u16
    }
}

/// Halves every arithmetic test includes: zeros, subnormals, normals at the edges, infinities and
/// NaNs of both kinds and signs.
const SPECIAL_HALVES: [u16; 24] = [
    0x0000, 0x8000, 0x0001, 0x8001, 0x03ff, 0x0400, 0x3c00, 0xbc00, 0x3c01, 0x3555, 0x4000, 0xc200, 0x7bff, 0xfbff,
    0x5bff, 0x1c00, 0x7c00, 0xfc00, 0x7e00, 0x7d01, 0xfe55, 0xfd02, 0x7fff, 0x0155,
];

/// Pairs of operands: every pair of special halves, then `random` random pairs.
fn operand_pairs(random: usize) -> Vec<(u16, u16)> {
    let mut pairs: Vec<(u16, u16)> =
        SPECIAL_HALVES.iter().flat_map(|&a| SPECIAL_HALVES.iter().map(move |&b| (a, b))).collect();
    let mut rng = Random(0x1234_5678_9abc_def1);
    pairs.extend((0..random).map(|_| (rng.half(), rng.half())));
    pairs
}

/// An exact signed value as (sign, magnitude) from an i128 mantissa.
fn signed_exact(value: i128, exponent: i32) -> Exact {
    Exact { negative: value < 0, mantissa: value.unsigned_abs(), exponent }
}

/// The exact sum of products `terms` (each a list of factors' signed mantissas with their summed
/// exponent), rounded to half; an exact zero is -0 only when every term is a negative zero.
fn round_sum(terms: &[(i128, i32, bool)]) -> u16 {
    let base = terms.iter().map(|t| t.1).min().unwrap();
    let total: i128 = terms.iter().map(|&(m, e, _)| m << (e - base)).sum();
    if total == 0 {
        return if terms.iter().all(|t| t.2) { 0x8000 } else { 0 };
    }
    round_to_half(signed_exact(total, base))
}

/// A finite half as (signed mantissa, exponent, sign).
fn term(h: u16) -> (i128, i32, bool) {
    let x = exact_half(h);
    let m = x.mantissa as i128;
    (if x.negative { -m } else { m }, x.exponent, x.negative)
}

/// The product of two finite halves as a term.
fn product(a: u16, b: u16) -> (i128, i32, bool) {
    let (ma, ea, sa) = term(a);
    let (mb, eb, sb) = term(b);
    (ma * mb, ea + eb, sa != sb)
}

/// The reference FADD, FSUB (`b` negated by the caller), FMUL, FDIV of halves.
fn reference_two_source(op: u32, a: u16, b: u16) -> u16 {
    if let Some(nan) = process_nans(&[a, b]) {
        return nan;
    }
    let sign = (a ^ b) & 0x8000;
    let zero = |h: u16| h & 0x7fff == 0;
    match op {
        // FMUL, FDIV.
        0b0000 | 0b0001 => {
            let invalid = if op == 0 {
                (is_infinite(a) && zero(b)) || (zero(a) && is_infinite(b))
            } else {
                (is_infinite(a) && is_infinite(b)) || (zero(a) && zero(b))
            };
            if invalid {
                return DEFAULT_NAN;
            }
            if is_infinite(a) || (op == 0 && is_infinite(b)) || (op == 1 && zero(b)) {
                return sign | 0x7c00;
            }
            if zero(a) || zero(b) || is_infinite(b) {
                return sign;
            }
            if op == 0 {
                let (m, e, _) = product(a, b);
                return round_to_half(signed_exact(m, e));
            }
            let (x, y) = (exact_half(a), exact_half(b));
            let quotient = (x.mantissa << 64) / y.mantissa;
            let sticky = ((x.mantissa << 64) % y.mantissa != 0) as u128;
            let exponent = x.exponent - y.exponent - 65;
            round_to_half(Exact { negative: sign != 0, mantissa: quotient << 1 | sticky, exponent })
        }
        // FADD, FSUB.
        _ => {
            let b = if op == 0b0011 { b ^ 0x8000 } else { b };
            match (is_infinite(a), is_infinite(b)) {
                (true, true) if a != b => DEFAULT_NAN,
                (true, _) => a,
                (_, true) => b,
                _ => round_sum(&[term(a), term(b)]),
            }
        }
    }
}

#[test]
fn add_sub_mul_div_round_once_to_half() {
    for op in 0..4 {
        // fmul, fdiv, fadd, fsub h0, h1, h2.
        let word = 0x1ee20820 | op << 12;
        for (a, b) in operand_pairs(20_000) {
            let want = reference_two_source(op, a, b);
            assert_eq!(half_op(word, &[a, b]), want, "{word:#x} on {a:#06x}, {b:#06x}");
        }
    }
}

#[test]
fn fnmul_negates_the_rounded_product() {
    // fnmul h0, h1, h2: NaN results are negated as well.
    for (a, b) in operand_pairs(2_000) {
        let want = reference_two_source(0, a, b) ^ 0x8000;
        assert_eq!(half_op(0x1ee28820, &[a, b]), want, "fnmul on {a:#06x}, {b:#06x}");
    }
}

/// The reference FMAX, FMIN, FMAXNM, FMINNM (op 4..7) of halves.
fn reference_min_max(op: u32, a: u16, b: u16) -> u16 {
    let quiet = |h: u16| is_nan(h) && h & 0x200 != 0;
    if op >= 6 {
        if quiet(a) && !is_nan(b) {
            return b;
        }
        if quiet(b) && !is_nan(a) {
            return a;
        }
    }
    if let Some(nan) = process_nans(&[a, b]) {
        return nan;
    }
    let max = op & 1 == 0;
    let (x, y) = (half_f64(a), half_f64(b));
    if x == y {
        // Only zeros of opposite signs differ: max takes +0, min takes -0.
        return if max { a & b } else { a | b };
    }
    if (x > y) == max {
        a
    } else {
        b
    }
}

#[test]
fn min_max_follow_the_nan_and_zero_rules() {
    for op in 4..8 {
        // fmax, fmin, fmaxnm, fminnm h0, h1, h2.
        let word = 0x1ee20820 | op << 12;
        for (a, b) in operand_pairs(5_000) {
            let want = reference_min_max(op, a, b);
            assert_eq!(half_op(word, &[a, b]), want, "{word:#x} on {a:#06x}, {b:#06x}");
        }
    }
}

/// The reference FPMulAdd of halves: `n * m + a` rounded once, with its NaN rules.
fn reference_fma(n: u16, m: u16, a: u16) -> u16 {
    let zero = |h: u16| h & 0x7fff == 0;
    let invalid_product = (is_infinite(n) && zero(m)) || (zero(n) && is_infinite(m));
    if is_nan(a) && a & 0x200 != 0 && invalid_product {
        return DEFAULT_NAN;
    }
    if let Some(nan) = process_nans(&[a, n, m]) {
        return nan;
    }
    if invalid_product {
        return DEFAULT_NAN;
    }
    let product_sign = (n ^ m) & 0x8000;
    let product_infinite = is_infinite(n) || is_infinite(m);
    match (product_infinite, is_infinite(a)) {
        (true, true) if product_sign != a & 0x8000 => DEFAULT_NAN,
        (true, _) => product_sign | 0x7c00,
        (_, true) => a,
        _ => round_sum(&[product(n, m), term(a)]),
    }
}

#[test]
fn fused_multiply_adds_round_once_to_half() {
    let mut rng = Random(0x0fed_cba9_8765_4321);
    let mut triples: Vec<(u16, u16, u16)> = vec![];
    for &n in &SPECIAL_HALVES {
        for &m in &SPECIAL_HALVES {
            triples.push((n, m, SPECIAL_HALVES[(n ^ m) as usize % SPECIAL_HALVES.len()]));
            triples.push((n, m, rng.half()));
        }
    }
    triples.extend((0..20_000).map(|_| (rng.half(), rng.half(), rng.half())));
    // Products that nearly cancel the addend, and tiny addends next to large products.
    for _ in 0..10_000 {
        let (n, m) = (rng.half() & 0x7fff, rng.half() & 0x7fff);
        if is_nan(n) || is_nan(m) || is_infinite(n) || is_infinite(m) {
            continue;
        }
        let near = round_to_half(signed_exact(product(n, m).0, product(n, m).1));
        let tiny = rng.half() & 0x83ff;
        triples.push((n, m, near ^ 0x8000));
        triples.push((n, m, near.wrapping_add(1) ^ 0x8000));
        triples.push((n, m, tiny));
    }
    for (o1, o0) in [(0, 0), (0, 1), (1, 0), (1, 1)] {
        // fmadd, fmsub, fnmadd, fnmsub h0, h1, h2, h3.
        let word = 0x1fc20c20 | o1 << 21 | o0 << 15;
        for &(n, m, a) in &triples {
            let n_used = if o1 != o0 { n ^ 0x8000 } else { n };
            let a_used = if o1 == 1 { a ^ 0x8000 } else { a };
            let want = reference_fma(n_used, m, a_used);
            assert_eq!(half_op(word, &[n, m, a]), want, "{word:#x} on {n:#06x}, {m:#06x}, {a:#06x}");
        }
    }
}

#[test]
fn half_conversions_match_qemu() {
    replay(qemu_convert::CASES);
}

#[test]
fn half_two_source_operations_match_qemu() {
    replay(qemu_two_source::CASES);
}

#[test]
fn other_half_operations_match_qemu() {
    replay(qemu_other::CASES);
}

#[test]
fn square_root_and_rounding_to_integral_of_every_half() {
    for h in 0..=u16::MAX {
        let x = half_f64(h);
        // fsqrt h0, h1: the exact root of m * 2^e (e made even, m widened) with a sticky bit.
        let want_root = if is_nan(h) {
            h | 0x200
        } else if h & 0x7fff == 0 || h == 0x7c00 {
            h
        } else if h >> 15 == 1 {
            DEFAULT_NAN
        } else {
            let v = exact_half(h);
            let shift = 100 - (128 - v.mantissa.leading_zeros() as i32);
            let shift = if (v.exponent - shift) % 2 == 0 { shift } else { shift + 1 };
            let wide = v.mantissa << shift;
            let mut root = (wide as f64).sqrt() as u128;
            while root * root > wide {
                root -= 1;
            }
            while (root + 1) * (root + 1) <= wide {
                root += 1;
            }
            let sticky = (root * root != wide) as u128;
            round_to_half(Exact {
                negative: false,
                mantissa: root << 1 | sticky,
                exponent: (v.exponent - shift) / 2 - 1,
            })
        };
        assert_eq!(half_op(0x1ee1c020, &[h]), want_root, "fsqrt of {h:#06x}");
        // frintn, frintp, frintm, frintz, frinta, frintx, frinti: rounding a half's exact value.
        let rounds: [fn(f64) -> f64; 7] = [
            f64::round_ties_even,
            f64::ceil,
            f64::floor,
            f64::trunc,
            f64::round,
            f64::round_ties_even,
            f64::round_ties_even,
        ];
        for (rmode, round) in [0, 1, 2, 3, 4, 6, 7].into_iter().zip(rounds) {
            let want = if is_nan(h) {
                h | 0x200
            } else if is_infinite(h) {
                h
            } else {
                round_to_half(exact_f64(round(x)))
            };
            let word = 0x1ee04020 | (8 | rmode) << 15;
            assert_eq!(half_op(word, &[h]), want, "{word:#x} of {h:#06x}");
        }
    }
}

#[test]
fn moves_abs_and_neg_work_on_the_bits() {
    for h in (0..=u16::MAX).step_by(7) {
        // fmov h0, h1; fabs h0, h1; fneg h0, h1 (NaNs included).
        assert_eq!(half_op(0x1ee04020, &[h]), h);
        assert_eq!(half_op(0x1ee0c020, &[h]), h & 0x7fff);
        assert_eq!(half_op(0x1ee14020, &[h]), h ^ 0x8000);
    }
}

/// Runs `word` with halves a and b in q1 and q2 and flags NZCV = `flags`; returns NZCV.
fn flags_after(word: u32, a: u16, b: u16, flags: u8) -> u32 {
    let state = run(&[word], |st| {
        st.q[1] = GARBAGE << 16 | a as u128;
        st.q[2] = GARBAGE << 16 | b as u128;
        (st.n, st.z, st.c, st.v) = (flags >> 3 & 1, flags >> 2 & 1, flags >> 1 & 1, flags & 1);
    });
    (state.nzcv() >> 28) as u32
}

#[test]
fn compares_give_fpcompare_flags() {
    let expected = |a: u16, b: u16| {
        if is_nan(a) || is_nan(b) {
            0b0011
        } else if half_f64(a) == half_f64(b) {
            0b0110
        } else if half_f64(a) < half_f64(b) {
            0b1000
        } else {
            0b0010
        }
    };
    for (a, b) in operand_pairs(5_000) {
        // fcmp h1, h2 and fcmpe h1, h2.
        assert_eq!(flags_after(0x1ee22020, a, b, 0), expected(a, b), "fcmp {a:#06x}, {b:#06x}");
        assert_eq!(flags_after(0x1ee22030, a, b, 0), expected(a, b), "fcmpe {a:#06x}, {b:#06x}");
        // fcmp h1, #0.0.
        assert_eq!(flags_after(0x1ee02028, a, b, 0), expected(a, 0), "fcmp {a:#06x}, #0.0");
        // fccmp h1, h2, #5, eq: compares when Z is set, else takes 0101.
        assert_eq!(flags_after(0x1ee20425, a, b, 0b0100), expected(a, b));
        assert_eq!(flags_after(0x1ee20425, a, b, 0b0000), 0b0101);
    }
}

#[test]
fn fcsel_selects_the_bits() {
    // fcsel h0, h1, h2, ne: a NaN is selected unchanged.
    let select = |flags: u8| {
        run(&[0x1ee21c20], |st| {
            st.q[1] = GARBAGE << 16 | 0x7d01;
            st.q[2] = GARBAGE << 16 | 0xbc00;
            (st.n, st.z, st.c, st.v) = (flags >> 3 & 1, flags >> 2 & 1, flags >> 1 & 1, flags & 1);
        })
        .q[0]
    };
    assert_eq!(select(0b0000), 0x7d01);
    assert_eq!(select(0b0100), 0xbc00);
}

#[test]
fn integers_convert_to_half_with_one_rounding() {
    let mut rng = Random(0x5eed_f00d_1234_0001);
    let mut inputs: Vec<u64> = vec![0, 1, u64::MAX, 1 << 63, (1 << 63) - 1, 65504, 65519, 65520, 2049, 2051, 4095];
    for _ in 0..2_000 {
        // Random bit lengths, so that every binade and every rounding position is reached.
        let x = rng.next() >> (rng.next() % 64);
        inputs.push(x);
        inputs.push(x.wrapping_neg());
        // A half midpoint scaled up, exactly and one off either side.
        let mid = (((rng.next() % 1024) | 1024) * 2 + 1) << (rng.next() % 52);
        inputs.extend([mid, mid - 1, mid + 1, mid.wrapping_neg()]);
    }
    for &x in &inputs {
        for fbits in [0u32, 1, 17, 32, 60, 64] {
            let scale = 64 - fbits;
            for (sf, signed) in [(true, true), (true, false), (false, true), (false, false)] {
                if !sf && fbits > 32 {
                    continue;
                }
                // scvtf / ucvtf h0, (w|x)1 (#fbits): the fixed-point encoding, or the integer one.
                let base = if fbits == 0 { 0x1ee20020 } else { 0x1ec20020 | scale << 10 };
                let word = (sf as u32) << 31 | base | (!signed as u32) << 16;
                let value: i128 = match (sf, signed) {
                    (true, true) => x as i64 as i128,
                    (true, false) => x as i128,
                    (false, true) => x as i32 as i128,
                    (false, false) => x as u32 as i128,
                };
                let want = round_to_half(signed_exact(value, -(fbits as i32)));
                assert_eq!(from_int(word, x), want as u128, "{word:#x} of {x:#x}");
            }
        }
    }
}

#[test]
fn halves_convert_to_integers_exactly() {
    for h in (0..=u16::MAX).step_by(3) {
        let x = half_f64(h);
        for (rmode, op, round) in [
            (0, 0, f64::round_ties_even as fn(f64) -> f64),
            (1, 0, f64::ceil),
            (2, 0, f64::floor),
            (3, 0, f64::trunc),
            (0, 4, f64::round),
        ] {
            for (sf, unsigned) in [(0u32, 0u32), (0, 1), (1, 0), (1, 1)] {
                // fcvt{n,p,m,z,a}{s,u} (w|x)0, h1: FPToFixed, saturating, NaN to zero.
                let word = sf << 31 | 0x1ee00020 | rmode << 19 | (op | unsigned) << 16;
                let bits = if sf == 1 { 64 } else { 32 };
                let r = round(x);
                let (low, high) = if unsigned == 1 {
                    (0.0, 2f64.powi(bits) - 1.0)
                } else {
                    (-(2f64.powi(bits - 1)), 2f64.powi(bits - 1) - 1.0)
                };
                let want = if is_nan(h) { 0 } else { r.clamp(low, high) as i128 as u64 };
                let want = if sf == 1 { want } else { want & 0xffff_ffff };
                assert_eq!(to_int(word, h as u128), want, "{word:#x} of {h:#06x}");
            }
        }
    }
}

#[test]
fn fmov_moves_halves_to_and_from_general_registers() {
    // fmov h0, w1 and fmov h0, x1: the low 16 bits, the rest of q0 zeroed.
    assert_eq!(from_int(0x1ee70020, 0x1122_3344_5566_7788), 0x7788);
    assert_eq!(from_int(0x9ee70020, 0x1122_3344_5566_7788), 0x7788);
    // fmov w0, h1 and fmov x0, h1: zero-extended.
    assert_eq!(to_int(0x1ee60020, 0xffff_ffff_ffff_8765), 0x8765);
    assert_eq!(to_int(0x9ee60020, 0xffff_ffff_ffff_8765), 0x8765);
}

#[test]
fn immediate_moves_of_halves() {
    let imm = |word: u32| run(&[word], |_| {}).q[0];
    // fmov h0, #1.0 / #-0.125 / #31.0.
    assert_eq!(imm(0x1eee1000), 0x3c00);
    assert_eq!(imm(0x1ef81000), 0xb000);
    assert_eq!(imm(0x1ee7f000), 0x4fc0);
}
