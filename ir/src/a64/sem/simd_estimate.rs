//! The reciprocal and reciprocal square root estimates FRECPE, FRSQRTE, URECPE and URSQRTE,
//! composed from integer operations after the manual's FPRecipEstimate, FPRSqrtEstimate,
//! UnsignedRecipEstimate and UnsignedRSqrtEstimate, with FPCR's controls (the rounding mode for
//! FRECPE's overflow, flush-to-zero of operands and of FRECPE's denormal results, default NaN);
//! without the increased-precision variant of FEAT_RPRES.

use super::{and_c, bit_select, icmp_mask, lshr_c, shl_c, splat_const, Shape};
use crate::a64::lift::Lifter;
use crate::a64::state::fpsr;
use crate::entities::Value;
use crate::inst::{BinaryOp, IntCC, UnaryOp};
use crate::interp::mask;

/// RecipEstimate: for `a` in 256..512, `((2^19 / (2a + 1)) + 1) / 2`, in 256..512.
fn recip_estimate(l: &mut Lifter, a: Value, shape: Shape) -> Value {
    let twice = shl_c(l, a, 1);
    let odd = super::lane_imm(l, BinaryOp::Add, twice, 1);
    let num = splat_const(l, shape, 1 << 19);
    let b = l.b.binary(BinaryOp::Udiv, num, odd);
    let b1 = super::lane_imm(l, BinaryOp::Add, b, 1);
    lshr_c(l, b1, 1)
}

/// RecipSqrtEstimate: for `a` in 128..512, `(b + 1) / 2` where b is the least b >= 512 with
/// `a' * (b + 1)^2 >= 2^28` (a' being `a` in units of 1/512). The largest c = b + 1 below the
/// bound is found bit by bit with exact integer products (a square root in floating point would
/// raise the inexact flag, which the estimates never do).
fn rsqrt_estimate(l: &mut Lifter, a: Value, shape: Shape) -> Value {
    // a' = 2a + 1 below 256, else (a rounded down to even + 1) * 2.
    let twice = shl_c(l, a, 1);
    let low = super::lane_imm(l, BinaryOp::Add, twice, 1);
    let even = and_c(l, a, !1u128);
    let even1 = super::lane_imm(l, BinaryOp::Add, even, 1);
    let high = shl_c(l, even1, 1);
    let limit = splat_const(l, shape, 256);
    let is_low = icmp_mask(l, IntCC::Ult, a, limit, shape);
    let a2 = bit_select(l, is_low, low, high);
    // a' is at least 257, so c stays below 1024: c = 512 + (bits 8..0 set greedily while
    // a' * c^2 < 2^28), then one more is the least c that reaches it.
    let target = splat_const(l, shape, 1 << 28);
    let mut c = splat_const(l, shape, 512);
    for bit in (0..9).rev() {
        let candidate = super::lane_imm(l, BinaryOp::Or, c, 1 << bit);
        let square = l.b.binary(BinaryOp::Mul, candidate, candidate);
        let product = l.b.binary(BinaryOp::Mul, a2, square);
        let below = icmp_mask(l, IntCC::Ult, product, target, shape);
        c = bit_select(l, below, candidate, c);
    }
    let c = super::lane_imm(l, BinaryOp::Add, c, 1);
    let least = splat_const(l, shape, 513);
    let c = l.b.binary(BinaryOp::Umax, c, least);
    lshr_c(l, c, 1)
}

/// URECPE (`sqrt` false) and URSQRTE on 32-bit lanes.
pub(super) fn unsigned_estimate(l: &mut Lifter, x: Value, sqrt: bool, shape: Shape) -> Value {
    let top9 = lshr_c(l, x, 23);
    let est = if sqrt { rsqrt_estimate(l, top9, shape) } else { recip_estimate(l, top9, shape) };
    let r = shl_c(l, est, 23);
    // Inputs below 0.5 (URECPE) or 0.25 (URSQRTE) give all ones.
    let small = splat_const(l, shape, if sqrt { 0x4000_0000 } else { 0x8000_0000 });
    let is_small = icmp_mask(l, IntCC::Ult, x, small, shape);
    let ones = splat_const(l, shape, u128::MAX);
    bit_select(l, is_small, ones, r)
}

/// A float format: total width and fraction width. Half-precision lanes are computed in 32-bit
/// integer lanes (the estimate steps need more than 16 bits), so the format can be narrower than
/// the lanes that carry it.
#[derive(Clone, Copy)]
struct Format {
    w: u32,
    f: u32,
}

impl Format {
    /// The format whose width is the lane width of `shape` (single or double precision).
    fn of(shape: Shape) -> Format {
        let w = shape.ebits();
        Format { w, f: if w == 64 { 52 } else { 23 } }
    }

    /// Half precision.
    const HALF: Format = Format { w: 16, f: 10 };

    /// The exponent bias.
    fn bias(self) -> u128 {
        (1 << (self.w - self.f - 2)) - 1
    }
}

/// The fields of float lanes viewed as integers.
struct Fields {
    sign: Value,
    exp: Value,
    frac: Value,
    /// Fraction width.
    f: u32,
}

fn fields(l: &mut Lifter, x: Value, fmt: Format) -> Fields {
    let Format { w, f } = fmt;
    let sign = and_c(l, x, 1u128 << (w - 1));
    let e = lshr_c(l, x, f);
    let exp = and_c(l, e, mask(w - 1 - f));
    let frac = and_c(l, x, mask(f));
    Fields { sign, exp, frac, f }
}

/// Masks of the special classes of float lanes (as integers): NaN, zero, infinity.
fn classes(l: &mut Lifter, x: Value, shape: Shape, fmt: Format, fl: &Fields) -> (Value, Value, Value, Value) {
    let w = fmt.w;
    let abs = and_c(l, x, mask(w - 1));
    let inf = splat_const(l, shape, mask(w - 1 - fl.f) << fl.f);
    let zero = splat_const(l, shape, 0);
    let is_nan = icmp_mask(l, IntCC::Ugt, abs, inf, shape);
    let is_inf = icmp_mask(l, IntCC::Eq, abs, inf, shape);
    let is_zero = icmp_mask(l, IntCC::Eq, abs, zero, shape);
    (abs, is_nan, is_inf, is_zero)
}

/// The NaN result of an estimate: the operand made quiet (the default NaN under FPCR.DN, which
/// the callers apply to the whole result).
fn quiet(l: &mut Lifter, x: Value, fl: &Fields) -> Value {
    let q = 1u128 << (fl.f - 1);
    super::lane_imm(l, BinaryOp::Or, x, q)
}

/// FRECPE on float lanes given as integers of `shape`.
pub(super) fn recip_estimate_fp(l: &mut Lifter, x: Value, shape: Shape) -> Value {
    recip_estimate_format(l, x, shape, Format::of(shape))
}

/// FRECPE on half-precision lanes carried zero-extended in the 32-bit integer lanes of `shape`.
pub(super) fn recip_estimate_half(l: &mut Lifter, x: Value, shape: Shape) -> Value {
    recip_estimate_format(l, x, shape, Format::HALF)
}

/// FRECPE on lanes of format `fmt` carried in the integer lanes of `shape`.
fn recip_estimate_format(l: &mut Lifter, x: Value, shape: Shape, fmt: Format) -> Value {
    let x = super::flush_denormal_inputs(l, x, shape, fmt.w, fmt.f);
    let fl = fields(l, x, fmt);
    let f = fl.f;
    let (abs, is_nan, is_inf, is_zero) = classes(l, x, shape, fmt, &fl);
    let zero = splat_const(l, shape, 0);
    // Subnormal operands: shift the fraction up (by two and exponent -1 when its top bit is 0).
    let is_sub = icmp_mask(l, IntCC::Eq, fl.exp, zero, shape);
    let top = lshr_c(l, fl.frac, f - 1);
    let top_clear = icmp_mask(l, IntCC::Eq, top, zero, shape);
    let by2 = shl_c(l, fl.frac, 2);
    let by1 = shl_c(l, fl.frac, 1);
    let sub_frac = bit_select(l, top_clear, by2, by1);
    let sub_frac = and_c(l, sub_frac, mask(f));
    let minus_one = splat_const(l, shape, u128::MAX);
    let sub_exp = bit_select(l, top_clear, minus_one, zero);
    let frac = bit_select(l, is_sub, sub_frac, fl.frac);
    let exp = bit_select(l, is_sub, sub_exp, fl.exp);
    // scaled = 1:frac<top 8>, estimate, result exponent 2 * bias - 1 - exp (253 - exp for singles).
    let t8 = lshr_c(l, frac, f - 8);
    let scaled = super::lane_imm(l, BinaryOp::Or, t8, 256);
    let est = recip_estimate(l, scaled, shape);
    let est8 = and_c(l, est, 0xff);
    let frac_r = shl_c(l, est8, f - 8);
    let bias_c = splat_const(l, shape, 2 * fmt.bias() - 1);
    let rexp = l.b.sub(bias_c, exp);
    // Result exponents 0 and -1 give subnormal results with the implicit one shifted in.
    let implicit = splat_const(l, shape, 1u128 << f);
    let with_one = l.b.or(frac_r, implicit);
    let sub1 = lshr_c(l, with_one, 1);
    let sub2 = lshr_c(l, with_one, 2);
    let is_e0 = icmp_mask(l, IntCC::Eq, rexp, zero, shape);
    let is_em1 = icmp_mask(l, IntCC::Eq, rexp, minus_one, shape);
    let frac_r = bit_select(l, is_e0, sub1, frac_r);
    let frac_r = bit_select(l, is_em1, sub2, frac_r);
    let rexp = bit_select(l, is_em1, zero, rexp);
    let rexp = shl_c(l, rexp, f);
    let r = l.b.or(rexp, frac_r);
    let r = l.b.or(r, fl.sign);
    // Specials: NaN, infinity (to zero), zero and tiny values (to infinity).
    let inf_bits = splat_const(l, shape, mask(fmt.w - 1 - f) << f);
    let signed_inf = l.b.or(inf_bits, fl.sign);
    // Tiny: below 2^-(bias + 1), whose bits are those of 1 << (f - 2). Its reciprocal overflows,
    // to infinity or to the largest normal number as the rounding mode has it.
    let tiny_limit = splat_const(l, shape, 1u128 << (f - 2));
    let is_tiny = icmp_mask(l, IntCC::Ult, abs, tiny_limit, shape);
    let max_normal_bits = splat_const(l, shape, (mask(fmt.w - 1 - f) << f) - 1);
    let signed_max_normal = l.b.or(max_normal_bits, fl.sign);
    // FPRecipEstimate overflows to infinity where FPCR.RMode rounds to nearest or away from zero.
    let rounding = super::half::RoundingLanes::new(l, fl.sign, shape);
    let to_infinity = l.b.or(rounding.nearest, rounding.away);
    let overflowed = bit_select(l, to_infinity, signed_inf, signed_max_normal);
    let r = bit_select(l, is_tiny, overflowed, r);
    let r = bit_select(l, is_zero, signed_inf, r);
    let r = bit_select(l, is_inf, fl.sign, r);
    // Under flush-to-zero a number from 2^(bias - 1) up, whose estimate would be denormal, gives
    // a zero and raises UFC alone.
    let large_limit = splat_const(l, shape, (2 * fmt.bias() - 1) << f);
    let large = icmp_mask(l, IntCC::Uge, abs, large_limit, shape);
    let special = l.b.or(is_nan, is_inf);
    let not_special = l.b.not(special);
    let large = l.b.and(large, not_special);
    let flushing = super::flushing_lanes(l, shape, fmt.w);
    let flushed = l.b.and(large, flushing);
    let r = bit_select(l, flushed, fl.sign, r);
    l.raise_fpsr_if(flushed, fpsr::UFC);
    // Exceptions: a signalling NaN IOC, a zero DZC, another tiny value OFC and IXC.
    raise_if_signalling(l, x, shape, fmt);
    l.raise_fpsr_if(is_zero, fpsr::DZC);
    let not_zero = l.b.not(is_zero);
    let overflows = l.b.and(is_tiny, not_zero);
    l.raise_fpsr_if(overflows, fpsr::OFC | fpsr::IXC);
    let nan = quiet(l, x, &fl);
    let r = bit_select(l, is_nan, nan, r);
    super::default_nan_lanes(l, r, shape, fmt.w, f)
}

/// Raises IOC where a lane of `x` (floats of format `fmt` in the integer lanes of `shape`) is a
/// signalling NaN.
fn raise_if_signalling(l: &mut Lifter, x: Value, shape: Shape, fmt: Format) {
    let signalling = super::signalling_nan_lanes(l, x, shape, fmt.w, fmt.f);
    l.raise_fpsr_if(signalling, fpsr::IOC);
}

/// FRSQRTE on float lanes given as integers of `shape`.
pub(super) fn rsqrt_estimate_fp(l: &mut Lifter, x: Value, shape: Shape) -> Value {
    rsqrt_estimate_format(l, x, shape, Format::of(shape))
}

/// FRSQRTE on half-precision lanes carried zero-extended in the 32-bit integer lanes of `shape`.
pub(super) fn rsqrt_estimate_half(l: &mut Lifter, x: Value, shape: Shape) -> Value {
    rsqrt_estimate_format(l, x, shape, Format::HALF)
}

/// FRSQRTE on lanes of format `fmt` carried in the integer lanes of `shape`.
fn rsqrt_estimate_format(l: &mut Lifter, x: Value, shape: Shape, fmt: Format) -> Value {
    let x = super::flush_denormal_inputs(l, x, shape, fmt.w, fmt.f);
    let w = fmt.w;
    let fl = fields(l, x, fmt);
    let f = fl.f;
    let (_, is_nan, is_inf, is_zero) = classes(l, x, shape, fmt, &fl);
    let zero = splat_const(l, shape, 0);
    // Subnormal operands: normalise, dropping the leading one; the exponent goes to -k.
    let is_sub = icmp_mask(l, IntCC::Eq, fl.exp, zero, shape);
    let lz = l.b.unary(UnaryOp::Clz, fl.frac);
    // Leading zeros are counted over the carrying lane, wider than the format for halves.
    let k = super::lane_imm(l, BinaryOp::Sub, lz, (shape.ebits() - f) as u128);
    let k1 = super::lane_imm(l, BinaryOp::Add, k, 1);
    let norm = l.b.binary(BinaryOp::Shl, fl.frac, k1);
    let norm = and_c(l, norm, mask(f));
    let neg_k = l.b.sub(zero, k);
    let frac = bit_select(l, is_sub, norm, fl.frac);
    let exp = bit_select(l, is_sub, neg_k, fl.exp);
    // scaled = 1:frac<top 8> for even exponents, 01:frac<top 7> for odd ones.
    let t8 = lshr_c(l, frac, f - 8);
    let even_scaled = super::lane_imm(l, BinaryOp::Or, t8, 256);
    let t7 = lshr_c(l, frac, f - 7);
    let odd_scaled = super::lane_imm(l, BinaryOp::Or, t7, 128);
    let parity = and_c(l, exp, 1);
    let is_odd = icmp_mask(l, IntCC::Ne, parity, zero, shape);
    let scaled = bit_select(l, is_odd, odd_scaled, even_scaled);
    let est = rsqrt_estimate(l, scaled, shape);
    let est8 = and_c(l, est, 0xff);
    let frac_r = shl_c(l, est8, f - 8);
    let bias_c = splat_const(l, shape, 3 * fmt.bias() - 1);
    let num = l.b.sub(bias_c, exp);
    let rexp = lshr_c(l, num, 1);
    let rexp = shl_c(l, rexp, f);
    let r = l.b.or(rexp, frac_r);
    // Specials, later ones first: NaN, zero (infinity), negative (default NaN), +inf (zero).
    let inf_bits = splat_const(l, shape, mask(w - 1 - f) << f);
    let signed_inf = l.b.or(inf_bits, fl.sign);
    let default_nan = splat_const(l, shape, mask(w - f) << (f - 1));
    let is_neg = icmp_mask(l, IntCC::Ne, fl.sign, zero, shape);
    let r = bit_select(l, is_inf, zero, r);
    let r = bit_select(l, is_neg, default_nan, r);
    let r = bit_select(l, is_zero, signed_inf, r);
    // Exceptions: a signalling NaN or a negative number IOC, a zero DZC.
    raise_if_signalling(l, x, shape, fmt);
    let number = l.b.or(is_nan, is_zero);
    let number = l.b.not(number);
    let negative_number = l.b.and(is_neg, number);
    l.raise_fpsr_if(negative_number, fpsr::IOC);
    l.raise_fpsr_if(is_zero, fpsr::DZC);
    let nan = quiet(l, x, &fl);
    let r = bit_select(l, is_nan, nan, r);
    super::default_nan_lanes(l, r, shape, w, f)
}
