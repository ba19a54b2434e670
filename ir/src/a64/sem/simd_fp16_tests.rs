//! Unit tests of the half-precision Advanced SIMD forms (`simd_fp16.rs`) against a reference
//! written here from the IEEE 754 definition and the Arm ARM's pseudocode, lane by lane. The
//! reference computes without the lifter's approach: sums, differences and products of halves
//! are exact in f64 (their bits span at most 40 places), fused multiply-adds are exact as
//! integers in units of 2^-48, quotients and square roots are f64's correctly rounded ones (53
//! bits, enough for one more rounding to half to be correct), and the rounding to half is done
//! on the exact value with integer arithmetic. NaN choice follows FPProcessNaNs (signalling NaNs
//! first, then the first operand; default NaN 0x7e00), with FPCR zero.
//!
//! Every operation runs on 8H vectors whose lanes pair up every special half with every other
//! one and with random halves, and the 4H and scalar forms check that the bits above are zeroed.

use crate::a64::lift::lift_block;
use crate::a64::testenv::{run_insns, TestEnv};
use crate::interp::Exit;
use crate::verifier::verify;

/// The half default NaN.
const DEFAULT_NAN: u16 = 0x7e00;

/// Halves with special roles: zeros, infinities, NaNs of both kinds, subnormals, extreme
/// normals, values near one and near ties of rounding to an integer.
const SPECIALS: &[u16] = &[
    0x0000, 0x8000, 0x7c00, 0xfc00, 0x7e00, 0xfe55, 0x7c01, 0xfd55, 0x0001, 0x83ff, 0x0200, 0x0400, 0x7bff, 0xfbff,
    0x3c00, 0xbc00, 0x3800, 0x3e00, 0xc100, 0x3bff, 0x3c01, 0x4000, 0x5a00, 0x1400, 0x6400,
];

/// A small xorshift generator, so that the cases are the same on every run.
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn half(&mut self) -> u16 {
        self.next() as u16
    }
}

fn is_nan(h: u16) -> bool {
    h & 0x7c00 == 0x7c00 && h & 0x3ff != 0
}

fn is_signalling(h: u16) -> bool {
    is_nan(h) && h & 0x200 == 0
}

fn is_zero(h: u16) -> bool {
    h & 0x7fff == 0
}

fn is_infinite(h: u16) -> bool {
    h & 0x7fff == 0x7c00
}

fn negative(h: u16) -> bool {
    h & 0x8000 != 0
}

/// FPProcessNaNs over any number of operands: the first signalling NaN made quiet, else the
/// first quiet NaN, else nothing.
fn process_nans(ops: &[u16]) -> Option<u16> {
    ops.iter().find(|&&h| is_signalling(h)).map(|&h| h | 0x200).or_else(|| ops.iter().find(|&&h| is_nan(h)).copied())
}

/// A finite half's exact value: (negative, mantissa, exponent) with value mantissa * 2^exponent.
fn exact(h: u16) -> (bool, u128, i32) {
    let (e, f) = ((h >> 10) & 0x1f, (h & 0x3ff) as u128);
    if e == 0 {
        (negative(h), f, -24)
    } else {
        (negative(h), f | 0x400, e as i32 - 25)
    }
}

/// A non-NaN half as an f64 (exact).
fn to_f64(h: u16) -> f64 {
    if is_infinite(h) {
        return if negative(h) { f64::NEG_INFINITY } else { f64::INFINITY };
    }
    let (neg, m, e) = exact(h);
    let x = m as f64 * 2f64.powi(e);
    if neg {
        -x
    } else {
        x
    }
}

/// The exact product of two finite halves in units of 2^-48, signed (at most 2^80 in magnitude).
fn product_units(n: u16, m: u16) -> i128 {
    let ((n_neg, n_mant, n_exp), (m_neg, m_mant, m_exp)) = (exact(n), exact(m));
    let x = ((n_mant * m_mant) << (n_exp + m_exp + 48)) as i128;
    if n_neg != m_neg {
        -x
    } else {
        x
    }
}

/// A finite half's value in units of 2^-48, signed (exact: at most 2^64 in magnitude).
fn units(h: u16) -> i128 {
    let (neg, m, e) = exact(h);
    let x = (m << (e + 48)) as i128;
    if neg {
        -x
    } else {
        x
    }
}

/// Rounds `mantissa * 2^exponent` (with a sign) to the nearest half, ties to even, overflowing
/// to infinity.
fn round_exact(neg: bool, mantissa: u128, exponent: i32) -> u16 {
    let sign = if neg { 0x8000 } else { 0 };
    if mantissa == 0 {
        return sign;
    }
    let top = 127 - mantissa.leading_zeros() as i32 + exponent;
    // The weight of the last kept bit: 2^-24 for subnormals, else 2^(top - 10).
    let mut quantum = top.max(-14) - 10;
    let shift = quantum - exponent;
    let mut kept = if shift <= 0 {
        mantissa << -shift
    } else if shift >= 128 {
        0
    } else {
        let (kept, rest, half_way) = (mantissa >> shift, mantissa & ((1 << shift) - 1), 1u128 << (shift - 1));
        kept + (rest > half_way || rest == half_way && kept & 1 == 1) as u128
    };
    if kept == 2048 {
        kept = 1024;
        quantum += 1;
    }
    if kept < 1024 {
        return sign | kept as u16;
    }
    let biased = quantum + 25;
    if biased >= 31 {
        return sign | 0x7c00;
    }
    sign | (biased as u16) << 10 | (kept as u16 & 0x3ff)
}

/// Rounds an f64 (finite, infinite, or NaN for an invalid operation) to half.
fn round_f64(x: f64) -> u16 {
    if x.is_nan() {
        return DEFAULT_NAN;
    }
    if x.is_infinite() {
        return if x < 0.0 { 0xfc00 } else { 0x7c00 };
    }
    let bits = x.to_bits();
    let (e, f) = ((bits >> 52) as i32 & 0x7ff, bits as u128 & ((1 << 52) - 1));
    let (m, exp) = if e == 0 { (f, -1074) } else { (f | 1 << 52, e - 1075) };
    round_exact(x.is_sign_negative(), m, exp)
}

/// Rounds a signed count of 2^`exponent` units to half; a zero is +0.
fn round_units(x: i128, exponent: i32) -> u16 {
    round_exact(x < 0, x.unsigned_abs(), exponent)
}

/// FPMax/FPMin (`max`), and FPMaxNum/FPMinNum with `numeric`.
fn max_min(n: u16, m: u16, max: bool, numeric: bool) -> u16 {
    let quiet = |h| is_nan(h) && !is_signalling(h);
    if numeric && quiet(n) && !is_nan(m) {
        return m;
    }
    if numeric && quiet(m) && !is_nan(n) {
        return n;
    }
    if let Some(nan) = process_nans(&[n, m]) {
        return nan;
    }
    if is_zero(n) && is_zero(m) {
        return if max { n & m } else { n | m };
    }
    let (x, y) = (to_f64(n), to_f64(m));
    if (x > y) == max {
        n
    } else {
        m
    }
}

/// The two-operand arithmetic: +, -, *, / and their NaN rules.
fn arith(n: u16, m: u16, op: fn(f64, f64) -> f64) -> u16 {
    process_nans(&[n, m]).unwrap_or_else(|| round_f64(op(to_f64(n), to_f64(m))))
}

/// FPMulAdd: `a + n * m` rounded once.
fn mul_add(a: u16, n: u16, m: u16) -> u16 {
    let invalid_product = is_infinite(n) && is_zero(m) || is_zero(n) && is_infinite(m);
    if is_nan(a) && !is_signalling(a) && invalid_product {
        return DEFAULT_NAN;
    }
    if let Some(nan) = process_nans(&[a, n, m]) {
        return nan;
    }
    let product_negative = negative(n) != negative(m);
    if invalid_product {
        return DEFAULT_NAN;
    }
    if is_infinite(a) || is_infinite(n) || is_infinite(m) {
        let product_infinite = is_infinite(n) || is_infinite(m);
        if is_infinite(a) && product_infinite && negative(a) != product_negative {
            return DEFAULT_NAN;
        }
        let neg = if is_infinite(a) { negative(a) } else { product_negative };
        return if neg { 0xfc00 } else { 0x7c00 };
    }
    let sum = units(a) + product_units(n, m);
    if sum == 0 {
        let product_zero = is_zero(n) || is_zero(m);
        if is_zero(a) && product_zero && negative(a) == product_negative {
            return a;
        }
        return 0;
    }
    round_units(sum, -48)
}

/// FRECPS (`constant` 2, `halve` false) and FRSQRTS (3, true): `(constant - n * m)` fused,
/// halved for FRSQRTS; infinity times zero gives 2.0 (1.5).
fn step(n: u16, m: u16, constant: i128, halve: bool) -> u16 {
    let n = n ^ 0x8000;
    if let Some(nan) = process_nans(&[n, m]) {
        return nan;
    }
    if is_infinite(n) && is_zero(m) || is_zero(n) && is_infinite(m) {
        return if halve { 0x3e00 } else { 0x4000 };
    }
    let product_negative = negative(n) != negative(m);
    if is_infinite(n) || is_infinite(m) {
        return if product_negative { 0xfc00 } else { 0x7c00 };
    }
    let sum = (constant << 48) + product_units(n, m);
    round_units(sum, if halve { -49 } else { -48 })
}

/// FMULX: a product, except that infinity times zero is 2.0 with the product's sign.
fn mulx(n: u16, m: u16) -> u16 {
    if !is_nan(n) && !is_nan(m) && (is_infinite(n) && is_zero(m) || is_zero(n) && is_infinite(m)) {
        return 0x4000 | ((n ^ m) & 0x8000);
    }
    arith(n, m, |x, y| x * y)
}

/// A comparison's lane mask (false for NaNs).
fn compare(n: u16, m: u16, cc: fn(f64, f64) -> bool) -> u16 {
    if is_nan(n) || is_nan(m) || !cc(to_f64(n), to_f64(m)) {
        0
    } else {
        0xffff
    }
}

/// A conversion to a 16-bit integer, saturating, with `round` giving the integral value.
fn to_int(h: u16, signed: bool, round: fn(f64) -> f64) -> u16 {
    if is_nan(h) {
        return 0;
    }
    let x = round(to_f64(h));
    if signed {
        x.clamp(-32768.0, 32767.0) as i16 as u16
    } else {
        x.clamp(0.0, 65535.0) as u16
    }
}

/// FRINT*: NaNs made quiet, infinities kept, the integral value otherwise (its sign kept).
fn round_to_integral(h: u16, round: fn(f64) -> f64) -> u16 {
    if is_nan(h) {
        return h | 0x200;
    }
    round_f64(round(to_f64(h)))
}

/// The manual's RecipEstimate on 9-bit `a` (256..=511).
fn recip_estimate(a: u64) -> u64 {
    let b = (1 << 19) / (a * 2 + 1);
    b.div_ceil(2)
}

/// The manual's RecipSqrtEstimate on 9-bit `a` (128..=511).
fn rsqrt_estimate(a: u64) -> u64 {
    let a = if a < 256 { a * 2 + 1 } else { ((a >> 1) << 1) * 2 + 2 };
    let mut b = 512u64;
    while a * (b + 1) * (b + 1) < 1 << 28 {
        b += 1;
    }
    b.div_ceil(2)
}

/// FPRecipEstimate on a half (FPCR zero).
fn frecpe(h: u16) -> u16 {
    let sign = h & 0x8000;
    if is_nan(h) {
        return h | 0x200;
    }
    if is_infinite(h) {
        return sign;
    }
    // Zeros and magnitudes below 2^-16 give infinity.
    if h & 0x7fff < 0x100 {
        return sign | 0x7c00;
    }
    let mut fraction = ((h & 0x3ff) as u64) << 42;
    let mut exp = ((h >> 10) & 0x1f) as i64;
    if exp == 0 {
        if fraction >> 51 == 0 {
            exp = -1;
            fraction = (fraction << 2) & ((1 << 52) - 1);
        } else {
            fraction = (fraction << 1) & ((1 << 52) - 1);
        }
    }
    let estimate = recip_estimate(256 | fraction >> 44);
    let mut result_exp = 29 - exp;
    let mut fraction = (estimate & 0xff) << 44;
    if result_exp == 0 {
        fraction = 1 << 51 | fraction >> 1;
    } else if result_exp == -1 {
        fraction = 1 << 50 | fraction >> 2;
        result_exp = 0;
    }
    sign | ((result_exp as u16) & 0x1f) << 10 | (fraction >> 42) as u16
}

/// FPRSqrtEstimate on a half (FPCR zero).
fn frsqrte(h: u16) -> u16 {
    if is_nan(h) {
        return h | 0x200;
    }
    if is_zero(h) {
        return (h & 0x8000) | 0x7c00;
    }
    if negative(h) {
        return DEFAULT_NAN;
    }
    if is_infinite(h) {
        return 0;
    }
    let mut fraction = ((h & 0x3ff) as u64) << 42;
    let mut exp = ((h >> 10) & 0x1f) as i64;
    if exp == 0 {
        while fraction >> 51 == 0 {
            fraction <<= 1;
            exp -= 1;
        }
        fraction = (fraction << 1) & ((1 << 52) - 1);
    }
    let scaled = if exp & 1 == 0 { 256 | fraction >> 44 } else { 128 | fraction >> 45 };
    let result_exp = (44 - exp) / 2;
    let estimate = rsqrt_estimate(scaled);
    ((result_exp as u16) & 0x1f) << 10 | ((estimate & 0xff) as u16) << 2
}

/// FRECPX on a half.
fn frecpx(h: u16) -> u16 {
    if is_nan(h) {
        return h | 0x200;
    }
    let exp = (h >> 10) & 0x1f;
    (h & 0x8000) | if exp == 0 { 0x1e } else { !exp & 0x1f } << 10
}

/// The lanes of a register value.
fn lanes(v: u128) -> [u16; 8] {
    std::array::from_fn(|i| (v >> (16 * i)) as u16)
}

fn pack(lanes: &[u16]) -> u128 {
    lanes.iter().rev().fold(0, |acc, &h| acc << 16 | h as u128)
}

/// Runs `word` (which reads v1, v2 and v0, and writes v0) from the given registers; returns v0.
fn run(word: u32, v0: u128, v1: u128, v2: u128) -> u128 {
    let mut env = TestEnv::new(0x10_0000, 16);
    env.state.q[0] = v0;
    env.state.q[1] = v1;
    env.state.q[2] = v2;
    let exit = run_insns(&mut env, &[word]);
    assert!(matches!(exit, Exit::Jump { .. }), "{word:08x} ended with {exit:?}");
    env.state.q[0]
}

/// Checks that `word` lifts without traps and verifies.
fn assert_lifts(word: u32) {
    let lifted = lift_block(0x1000, &|a| (a == 0x1000).then_some(word), 1).expect("lift");
    verify(&lifted.func).unwrap_or_else(|e| panic!("{word:08x}: {e:?}"));
    assert!(lifted.unsupported.is_empty(), "{word:08x} is unsupported");
}

/// Operand triples (n, m, a): every special against every special, then random halves.
fn triples() -> Vec<(u16, u16, u16)> {
    let mut rng = Random(0x5eed_f00d_1234_5678);
    let mut all = vec![];
    for &n in SPECIALS {
        for &m in SPECIALS {
            all.push((n, m, SPECIALS[(n ^ m.rotate_left(3)) as usize % SPECIALS.len()]));
            all.push((n, m, rng.half()));
        }
    }
    all.extend((0..6000).map(|_| (rng.half(), rng.half(), rng.half())));
    // Products next to the addend's negation, where cancellation is exact or nearly.
    for _ in 0..2000 {
        let (n, m) = (rng.half() & 0x7fff, rng.half() & 0x7fff);
        let near = mul_add(0, n, m);
        all.push((n, m, near ^ 0x8000));
        all.push((n, m, near.wrapping_add(1) ^ 0x8000));
        all.push((n, m, rng.half() & 0x83ff));
    }
    all
}

/// Runs the 8H `word` (v0 = op(v1, v2), accumulating into v0) over every triple, eight lanes at
/// a time, and compares each lane with `reference(n, m, a)`.
fn check_lanewise(name: &str, word: u32, reference: impl Fn(u16, u16, u16) -> u16) {
    assert_lifts(word);
    let all = triples();
    let mut failures = vec![];
    for batch in all.chunks(8) {
        let n: Vec<u16> = batch.iter().map(|t| t.0).chain(std::iter::repeat(0x3c00)).take(8).collect();
        let m: Vec<u16> = batch.iter().map(|t| t.1).chain(std::iter::repeat(0x3c00)).take(8).collect();
        let a: Vec<u16> = batch.iter().map(|t| t.2).chain(std::iter::repeat(0x3c00)).take(8).collect();
        let got = lanes(run(word, pack(&a), pack(&n), pack(&m)));
        for i in 0..8 {
            let want = reference(n[i], m[i], a[i]);
            if got[i] != want && failures.len() < 10 {
                failures.push(format!(
                    "{name} n={:#06x} m={:#06x} a={:#06x}: {:#06x}, want {want:#06x}",
                    n[i], m[i], a[i], got[i]
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

// 8H encodings with Rd = 0, Rn = 1, Rm = 2 (checked with aarch64-linux-gnu-as).
const FADD: u32 = 0x4e42_1420;
const FMLA: u32 = 0x4e42_0c20;

/// `0 1 U 01110 a 10 00010 00 opcode 1 00001 00000`: an 8H three-same word.
fn three_same(u: u32, a: u32, opcode: u32) -> u32 {
    0x4e42_0420 | u << 29 | a << 23 | opcode << 11
}

/// `0 1 U 01110 a 1111 00 opcode 10 00001 00000`: an 8H two-register misc word.
fn misc(u: u32, a: u32, opcode: u32) -> u32 {
    0x4e78_0820 | u << 29 | a << 23 | opcode << 12
}

#[test]
fn fp16_encodings_match_the_assembler() {
    // fadd v0.8h, v1.8h, v2.8h; fmla v0.8h, v1.8h, v2.8h; frecpe v0.8h, v1.8h; fabd v0.8h, ...
    assert_eq!(three_same(0, 0, 0b010), FADD);
    assert_eq!(three_same(0, 0, 0b001), FMLA);
    assert_eq!(misc(0, 1, 0b11101), 0x4ef9_d820);
    assert_eq!(three_same(1, 1, 0b010), 0x6ec2_1420);
}

#[test]
fn fp16_three_same_arithmetic_matches_the_reference() {
    check_lanewise("fadd", three_same(0, 0, 0b010), |n, m, _| arith(n, m, |x, y| x + y));
    check_lanewise("fsub", three_same(0, 1, 0b010), |n, m, _| arith(n, m, |x, y| x - y));
    check_lanewise("fmul", three_same(1, 0, 0b011), |n, m, _| arith(n, m, |x, y| x * y));
    check_lanewise("fdiv", three_same(1, 0, 0b111), |n, m, _| arith(n, m, |x, y| x / y));
    check_lanewise("fabd", three_same(1, 1, 0b010), |n, m, _| arith(n, m, |x, y| x - y) & 0x7fff);
    check_lanewise("fmax", three_same(0, 0, 0b110), |n, m, _| max_min(n, m, true, false));
    check_lanewise("fmin", three_same(0, 1, 0b110), |n, m, _| max_min(n, m, false, false));
    check_lanewise("fmaxnm", three_same(0, 0, 0b000), |n, m, _| max_min(n, m, true, true));
    check_lanewise("fminnm", three_same(0, 1, 0b000), |n, m, _| max_min(n, m, false, true));
    check_lanewise("fmulx", three_same(0, 0, 0b011), |n, m, _| mulx(n, m));
}

#[test]
fn fp16_fused_forms_round_once() {
    check_lanewise("fmla", three_same(0, 0, 0b001), |n, m, a| mul_add(a, n, m));
    check_lanewise("fmls", three_same(0, 1, 0b001), |n, m, a| mul_add(a, n ^ 0x8000, m));
    check_lanewise("frecps", three_same(0, 0, 0b111), |n, m, _| step(n, m, 2, false));
    check_lanewise("frsqrts", three_same(0, 1, 0b111), |n, m, _| step(n, m, 3, true));
}

#[test]
fn fp16_compares_match_the_reference() {
    check_lanewise("fcmeq", three_same(0, 0, 0b100), |n, m, _| compare(n, m, |x, y| x == y));
    check_lanewise("fcmge", three_same(1, 0, 0b100), |n, m, _| compare(n, m, |x, y| x >= y));
    check_lanewise("fcmgt", three_same(1, 1, 0b100), |n, m, _| compare(n, m, |x, y| x > y));
    check_lanewise("facge", three_same(1, 0, 0b101), |n, m, _| compare(n, m, |x, y| x.abs() >= y.abs()));
    check_lanewise("facgt", three_same(1, 1, 0b101), |n, m, _| compare(n, m, |x, y| x.abs() > y.abs()));
    check_lanewise("fcmgt #0", misc(0, 1, 0b01100), |n, _, _| compare(n, 0, |x, y| x > y));
    check_lanewise("fcmge #0", misc(1, 1, 0b01100), |n, _, _| compare(n, 0, |x, y| x >= y));
    check_lanewise("fcmeq #0", misc(0, 1, 0b01101), |n, _, _| compare(n, 0, |x, y| x == y));
    check_lanewise("fcmle #0", misc(1, 1, 0b01101), |n, _, _| compare(n, 0, |x, y| x <= y));
    check_lanewise("fcmlt #0", misc(0, 1, 0b01110), |n, _, _| compare(n, 0, |x, y| x < y));
}

/// An FRINT form: U, a, opcode, the reference rounding and the name.
type RoundingForm = (u32, u32, u32, fn(f64) -> f64, &'static str);

/// An FCVT*S/U form: a, opcode, the reference rounding and the name's stem.
type ConversionForm = (u32, u32, fn(f64) -> f64, &'static str);

#[test]
fn fp16_two_register_misc_matches_the_reference() {
    check_lanewise("fabs", misc(0, 1, 0b01111), |n, _, _| n & 0x7fff);
    check_lanewise("fneg", misc(1, 1, 0b01111), |n, _, _| n ^ 0x8000);
    check_lanewise("fsqrt", misc(1, 1, 0b11111), |n, _, _| {
        process_nans(&[n]).unwrap_or_else(|| round_f64(to_f64(n).sqrt()))
    });
    let rounds: [RoundingForm; 7] = [
        (0, 0, 0b11000, f64::round_ties_even, "frintn"),
        (0, 1, 0b11000, f64::ceil, "frintp"),
        (0, 0, 0b11001, f64::floor, "frintm"),
        (0, 1, 0b11001, f64::trunc, "frintz"),
        (1, 0, 0b11000, f64::round, "frinta"),
        (1, 0, 0b11001, f64::round_ties_even, "frintx"),
        (1, 1, 0b11001, f64::round_ties_even, "frinti"),
    ];
    for (u, a, opcode, round, name) in rounds {
        check_lanewise(name, misc(u, a, opcode), |n, _, _| round_to_integral(n, round));
    }
    let converts: [ConversionForm; 5] = [
        (0, 0b11010, f64::round_ties_even, "fcvtn"),
        (1, 0b11010, f64::ceil, "fcvtp"),
        (0, 0b11011, f64::floor, "fcvtm"),
        (1, 0b11011, f64::trunc, "fcvtz"),
        (0, 0b11100, f64::round, "fcvta"),
    ];
    for (a, opcode, round, name) in converts {
        check_lanewise(&format!("{name}s"), misc(0, a, opcode), |n, _, _| to_int(n, true, round));
        check_lanewise(&format!("{name}u"), misc(1, a, opcode), |n, _, _| to_int(n, false, round));
    }
    check_lanewise("scvtf", misc(0, 0, 0b11101), |n, _, _| round_f64(n as i16 as f64));
    check_lanewise("ucvtf", misc(1, 0, 0b11101), |n, _, _| round_f64(n as f64));
    check_lanewise("frecpe", misc(0, 1, 0b11101), |n, _, _| frecpe(n));
    check_lanewise("frsqrte", misc(1, 1, 0b11101), |n, _, _| frsqrte(n));
}

#[test]
fn fp16_scalar_and_4h_forms_zero_the_rest() {
    let rest = 0x1234_5678_9abc_def0_1122_3344_5566_7788u128;
    let (n, m) = (0x3c00_u16, 0x4000_u16);
    let v1 = rest & !0xffff | n as u128;
    let v2 = rest & !0xffff | m as u128;
    // fabd h0, h1, h2: |1 - 2| = 1.
    assert_lifts(0x7ec2_1420);
    assert_eq!(run(0x7ec2_1420, rest, v1, v2), 0x3c00);
    // frecpx h0, h1 (1.0 gives 2^14 with a zero fraction: exponent field 0x1e - 0x0f).
    assert_eq!(run(0x5ef9_f820, rest, v1, v2), frecpx(n) as u128);
    // fadd v0.4h, v1.4h, v2.4h: the high 64 bits become zero.
    let sum = run(FADD & !(1 << 30), rest, v1, v2);
    assert_eq!(sum >> 64, 0);
    assert_eq!(sum as u16, 0x4200);
    // fmla h0, h1, v2.h[3]: 1 + 1 * lane 3 of v2.
    let a = rest & !0xffff | 0x3c00;
    let lane3 = (v2 >> 48) as u16;
    assert_eq!(run(0x5f32_1020, a, v1, v2), mul_add(0x3c00, n, lane3) as u128);
}

#[test]
fn fp16_frecpx_matches_the_reference() {
    assert_lifts(0x5ef9_f820);
    let mut rng = Random(7);
    for h in SPECIALS.iter().copied().chain((0..500).map(|_| rng.half())) {
        assert_eq!(run(0x5ef9_f820, 0, h as u128, 0), frecpx(h) as u128, "frecpx {h:#06x}");
    }
}

#[test]
fn fp16_by_element_pairwise_and_across_lanes_match_the_reference() {
    let mut rng = Random(0xabcdef);
    for _ in 0..400 {
        let v1: Vec<u16> =
            (0..8)
                .map(|_| {
                    if rng.next().is_multiple_of(3) {
                        SPECIALS[rng.next() as usize % SPECIALS.len()]
                    } else {
                        rng.half()
                    }
                })
                .collect();
        let v2: Vec<u16> = (0..8).map(|_| rng.half()).collect();
        let v0: Vec<u16> = (0..8).map(|_| rng.half()).collect();
        let (p0, p1, p2) = (pack(&v0), pack(&v1), pack(&v2));
        // fmla v0.8h, v1.8h, v2.h[5] and fmul v0.8h, v1.8h, v2.h[2].
        let got = lanes(run(0x4f12_1820, p0, p1, p2));
        let want: Vec<u16> = (0..8).map(|i| mul_add(v0[i], v1[i], v2[5])).collect();
        assert_eq!(got.to_vec(), want, "fmla by element");
        let got = lanes(run(0x4f22_9020, p0, p1, p2));
        let want: Vec<u16> = (0..8).map(|i| arith(v1[i], v2[2], |x, y| x * y)).collect();
        assert_eq!(got.to_vec(), want, "fmul by element");
        // faddp v0.8h, v1.8h, v2.8h and fmaxp.
        let both: Vec<u16> = v1.iter().chain(&v2).copied().collect();
        let got = lanes(run(0x6e42_1420, p0, p1, p2));
        let want: Vec<u16> = (0..8).map(|i| arith(both[2 * i], both[2 * i + 1], |x, y| x + y)).collect();
        assert_eq!(got.to_vec(), want, "faddp");
        let got = lanes(run(0x6e42_3420, p0, p1, p2));
        let want: Vec<u16> = (0..8).map(|i| max_min(both[2 * i], both[2 * i + 1], true, false)).collect();
        assert_eq!(got.to_vec(), want, "fmaxp");
        // fminnmv h0, v1.8h and fmaxv h0, v1.4h: the manual's halving reduction.
        let tree = |xs: &[u16], max: bool, numeric: bool| {
            let pair = |a, b| max_min(a, b, max, numeric);
            let quad = |x: &[u16]| pair(pair(x[0], x[1]), pair(x[2], x[3]));
            if xs.len() == 8 {
                pair(quad(&xs[..4]), quad(&xs[4..]))
            } else {
                quad(xs)
            }
        };
        assert_eq!(run(0x4eb0_c820, p0, p1, p2), tree(&v1, false, true) as u128, "fminnmv");
        assert_eq!(run(0x0e30_f820, p0, p1, p2), tree(&v1[..4], true, false) as u128, "fmaxv");
        // faddp h0, v1.2h.
        assert_eq!(run(0x5e30_d820, p0, p1, p2), arith(v1[0], v1[1], |x, y| x + y) as u128, "faddp scalar");
    }
}

#[test]
fn fp16_fixed_point_conversions_match_the_reference() {
    let trunc_scaled = |fbits: i32, signed: bool| {
        move |n: u16, _: u16, _: u16| {
            if is_nan(n) {
                return 0;
            }
            let x = (to_f64(n) * 2f64.powi(fbits)).trunc();
            if signed {
                x.clamp(-32768.0, 32767.0) as i16 as u16
            } else {
                x.clamp(0.0, 65535.0) as u16
            }
        }
    };
    // fcvtzs v0.8h, v1.8h, #3; fcvtzu v0.8h, v1.8h, #16; scvtf #1; ucvtf #9 (from the assembler).
    check_lanewise("fcvtzs #3", 0x4f1d_fc20, trunc_scaled(3, true));
    check_lanewise("fcvtzu #16", 0x6f10_fc20, trunc_scaled(16, false));
    check_lanewise("scvtf #1", 0x4f1f_e420, |n, _, _| round_f64(n as i16 as f64 / 2.0));
    check_lanewise("ucvtf #9", 0x6f17_e420, |n, _, _| round_f64(n as f64 / 512.0));
    // fcvtzs h0, h1, #5 writes one lane and zeroes the rest.
    assert_lifts(0x5f1b_fc20);
    let mut rng = Random(99);
    for n in SPECIALS.iter().copied().chain((0..300).map(|_| rng.half())) {
        let v1 = 0xdead_beef_0000_0000_1234_5678_9abc_0000u128 | n as u128;
        assert_eq!(
            run(0x5f1b_fc20, !0, v1, 0),
            trunc_scaled(5, true)(n, 0, 0) as u128,
            "fcvtzs h0, h1, #5 on {n:#06x}"
        );
    }
}

#[test]
fn fp16_fmov_immediate_expands_the_half() {
    // fmov v0.4h, #1.0; fmov v0.8h, #-0.1875; fmov v0.8h, #31.0 (from the assembler).
    for (word, half, lanes) in [(0x0f03_fe00u32, 0x3c00u16, 4), (0x4f06_fd00, 0xb200, 8), (0x4f01_ffe0, 0x4fc0, 8)] {
        assert_lifts(word);
        assert_eq!(run(word, !0, 0, 0), pack(&vec![half; lanes]), "{word:08x}");
    }
}
