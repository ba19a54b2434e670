//! Advanced SIMD saturating, rounding and polynomial arithmetic: shifts by register (SSHL/USHL
//! with their rounding and saturating forms), saturating shifts left by immediate (SQSHL,
//! UQSHL, SQSHLU), SQABS/SQNEG, SUQADD/USQADD, the doubling multiplies (SQDMULH, SQRDMULH,
//! SQDMULL, SQDMLAL, SQDMLSL), the polynomial multiplies PMUL and PMULL, and the FP steps FMULX,
//! FRECPS and FRSQRTS. All are built lane-wise from plain IR operations.

use super::{and_c, ashr_c, bit_select, icmp_mask, lshr_c, shl_c, splat_const, Shape};
use crate::a64::lift::Lifter;
use crate::a64::state::fpsr;
use crate::entities::Value;
use crate::inst::{BinaryOp, IntCC, UnaryOp};
use crate::interp::mask;
use crate::types::Type;

/// Sets FPSR.QC when any lane of the lane mask `saturated` is set: every saturating instruction
/// does so when a lane's result was saturated.
pub(super) fn raise_qc_if(l: &mut Lifter, saturated: Value) {
    l.raise_fpsr_if(saturated, fpsr::QC);
}

/// The saturating `op` (SaddSat, UaddSat, SsubSat or UsubSat) of `a` and `b`, setting QC where a
/// lane saturated (where the result differs from the wrapping one).
pub(super) fn saturating_binary(l: &mut Lifter, op: BinaryOp, a: Value, b: Value) -> Value {
    let r = l.b.binary(op, a, b);
    let wrapping = match op {
        BinaryOp::SaddSat | BinaryOp::UaddSat => l.b.add(a, b),
        _ => l.b.sub(a, b),
    };
    let saturated = l.b.icmp(IntCC::Ne, r, wrapping);
    raise_qc_if(l, saturated);
    r
}

/// The saturation value of each lane of `a` when it overflows upwards (unsigned, or signed
/// non-negative) or downwards (signed negative): all ones, MAX or MIN.
fn saturation_of(l: &mut Lifter, a: Value, signed: bool, shape: Shape) -> Value {
    let w = shape.ebits();
    if signed {
        let max = splat_const(l, shape, mask(w - 1));
        let sign = ashr_c(l, a, w - 1);
        l.b.xor(max, sign)
    } else {
        splat_const(l, shape, u128::MAX)
    }
}

/// SSHL/USHL, SRSHL/URSHL, SQSHL/UQSHL, SQRSHL/UQRSHL (register): each lane of `a` shifted by
/// the signed low byte of the lane of `b`, left when positive, right (rounding when `round`)
/// when negative; left shifts saturate when `saturate`.
pub(super) fn shift_by_register(
    l: &mut Lifter,
    a: Value,
    b: Value,
    signed: bool,
    round: bool,
    saturate: bool,
    shape: Shape,
) -> Value {
    let w = shape.ebits();
    let up = shl_c(l, b, w - 8);
    let sh = ashr_c(l, up, w - 8);
    let zero = splat_const(l, shape, 0);
    let width = splat_const(l, shape, w as u128);
    // Left shifts are exact while 0 <= sh < w (as unsigned, negative amounts are huge).
    let shifted = l.b.binary(BinaryOp::Shl, a, sh);
    let left_ok = icmp_mask(l, IntCC::Ult, sh, width, shape);
    let left = if saturate {
        let back = l.b.binary(if signed { BinaryOp::Ashr } else { BinaryOp::Lshr }, shifted, sh);
        let same = icmp_mask(l, IntCC::Eq, back, a, shape);
        let fits = l.b.and(same, left_ok);
        let nonzero = icmp_mask(l, IntCC::Ne, a, zero, shape);
        let lost = l.b.not(fits);
        let overflow = l.b.and(lost, nonzero);
        let is_left = icmp_mask(l, IntCC::Sge, sh, zero, shape);
        let saturated = l.b.and(overflow, is_left);
        raise_qc_if(l, saturated);
        let sat = saturation_of(l, a, signed, shape);
        bit_select(l, overflow, sat, shifted)
    } else {
        l.b.and(shifted, left_ok)
    };
    // Right shifts by n = -sh, from 1 to 128.
    let n = l.b.sub(zero, sh);
    let truncated = if signed {
        let top = splat_const(l, shape, (w - 1) as u128);
        let amt = l.b.binary(BinaryOp::Umin, n, top);
        l.b.binary(BinaryOp::Ashr, a, amt)
    } else {
        let r = l.b.binary(BinaryOp::Lshr, a, n);
        let ok = icmp_mask(l, IntCC::Ult, n, width, shape);
        l.b.and(r, ok)
    };
    let right = if round {
        // Add the last bit shifted out; past the width the result is zero.
        let one = splat_const(l, shape, 1);
        let n1 = l.b.sub(n, one);
        let last = l.b.binary(BinaryOp::Lshr, a, n1);
        let bit = l.b.and(last, one);
        let bit_ok = icmp_mask(l, IntCC::Ult, n1, width, shape);
        let bit = l.b.and(bit, bit_ok);
        let r = l.b.add(truncated, bit);
        let in_range = icmp_mask(l, IntCC::Ule, n, width, shape);
        l.b.and(r, in_range)
    } else {
        truncated
    };
    let is_right = icmp_mask(l, IntCC::Slt, sh, zero, shape);
    bit_select(l, is_right, right, left)
}

/// SQSHL/UQSHL (immediate) and SQSHLU: `a << amount` saturated; `signed_in` says how `a`'s
/// lanes read and `signed_out` how the result saturates (SQSHLU: signed in, unsigned out).
pub(super) fn saturating_shl_imm(
    l: &mut Lifter,
    a: Value,
    amount: u32,
    signed_in: bool,
    signed_out: bool,
    shape: Shape,
) -> Value {
    let shifted = shl_c(l, a, amount);
    let back = if signed_out { ashr_c(l, shifted, amount) } else { lshr_c(l, shifted, amount) };
    let same = icmp_mask(l, IntCC::Eq, back, a, shape);
    let lost = l.b.not(same);
    let sat = saturation_of(l, a, signed_out, shape);
    let r = bit_select(l, lost, sat, shifted);
    if signed_in && !signed_out {
        // Negative inputs saturate to zero.
        let zero = splat_const(l, shape, 0);
        let neg = icmp_mask(l, IntCC::Slt, a, zero, shape);
        let saturated = l.b.or(lost, neg);
        raise_qc_if(l, saturated);
        let keep = l.b.not(neg);
        l.b.and(r, keep)
    } else {
        raise_qc_if(l, lost);
        r
    }
}

/// SQABS (`neg` false) and SQNEG: the absolute value or negation, with MIN saturating to MAX.
pub(super) fn saturating_abs_neg(l: &mut Lifter, a: Value, neg: bool, shape: Shape) -> Value {
    let w = shape.ebits();
    let (r, overflowed) = if neg {
        let r = l.b.unary(UnaryOp::Neg, a);
        let both = l.b.and(r, a);
        (r, both)
    } else {
        let r = l.b.unary(UnaryOp::Abs, a);
        (r, r)
    };
    // Only MIN overflows; its sign bit then flips the result to MAX.
    let flip = ashr_c(l, overflowed, w - 1);
    raise_qc_if(l, flip);
    l.b.xor(r, flip)
}

/// SUQADD (signed accumulator `d` plus unsigned `n`, signed saturation) when `to_signed`, else
/// USQADD (unsigned accumulator plus signed `n`, unsigned saturation).
pub(super) fn mixed_saturating_add(l: &mut Lifter, d: Value, n: Value, to_signed: bool, shape: Shape) -> Value {
    let r = mixed_saturating_add_value(l, d, n, to_signed, shape);
    // The true sum is within 2^w of the wrapping one, never equal to it when saturated.
    let wrapping = l.b.add(d, n);
    let saturated = l.b.icmp(IntCC::Ne, r, wrapping);
    raise_qc_if(l, saturated);
    r
}

/// The value of `mixed_saturating_add`.
fn mixed_saturating_add_value(l: &mut Lifter, d: Value, n: Value, to_signed: bool, shape: Shape) -> Value {
    let w = shape.ebits();
    if to_signed {
        // Room above d up to MAX is exact as an unsigned number.
        let max = splat_const(l, shape, mask(w - 1));
        let room = l.b.sub(max, d);
        let add = l.b.binary(BinaryOp::Umin, n, room);
        l.b.add(d, add)
    } else {
        let zero = splat_const(l, shape, 0);
        let up = l.b.binary(BinaryOp::UaddSat, d, n);
        let minus = l.b.sub(zero, n);
        let down = l.b.binary(BinaryOp::UsubSat, d, minus);
        let negative = icmp_mask(l, IntCC::Slt, n, zero, shape);
        bit_select(l, negative, down, up)
    }
}

/// Splits a 128-bit value into its two 64-bit halves of `half` shape (or returns it whole).
fn halves(l: &mut Lifter, v: Value, shape: Shape) -> Vec<(Value, Shape)> {
    if shape.bits() < 128 {
        return vec![(v, shape)];
    }
    let half = Shape { lane: shape.lane, lanes: shape.lanes / 2 };
    let lo: Vec<u8> = (0..half.lanes as u8).collect();
    let hi: Vec<u8> = (half.lanes as u8..shape.lanes as u8).collect();
    vec![(l.b.shuffle(v, v, &lo), half), (l.b.shuffle(v, v, &hi), half)]
}

/// SQDMULH / SQRDMULH: the high half of `2 * a * b` (rounded when `round`), saturated (only
/// MIN * MIN overflows). Computed in lanes twice as wide, one 64-bit half at a time.
pub(super) fn doubling_mul_high(l: &mut Lifter, a: Value, b: Value, round: bool, shape: Shape) -> Value {
    doubling_mul_high_acc(l, None, a, b, round, shape)
}

/// SQRDMLAH / SQRDMLSH: the high half of `acc * 2^w +- 2 * a * b`, rounded and saturated.
pub(super) fn rounding_doubling_mul_acc(
    l: &mut Lifter,
    acc: Value,
    subtract: bool,
    a: Value,
    b: Value,
    shape: Shape,
) -> Value {
    doubling_mul_high_acc(l, Some((acc, subtract)), a, b, true, shape)
}

/// The shared body of the doubling high multiplies, with an optional accumulator (added, or
/// subtracted from when its flag is set). Everything is kept halved, `(acc * 2^(w-1) +- p +
/// 2^(w-2)) >> (w-1)`, which fits the wide lanes for every input.
fn doubling_mul_high_acc(
    l: &mut Lifter,
    acc: Option<(Value, bool)>,
    a: Value,
    b: Value,
    round: bool,
    shape: Shape,
) -> Value {
    let w = shape.ebits();
    let ha = halves(l, a, shape);
    let hb = halves(l, b, shape);
    let hacc = acc.map(|(v, _)| halves(l, v, shape));
    let mut parts = vec![];
    for (i, ((x, s), (y, _))) in ha.into_iter().zip(hb).enumerate() {
        let wide = s.with_ebits(2 * w);
        let xw = l.b.sext(wide.ty(), x);
        let yw = l.b.sext(wide.ty(), y);
        let p = l.b.binary(BinaryOp::Mul, xw, yw);
        let p = match (&hacc, acc) {
            (Some(h), Some((_, subtract))) => {
                let aw = l.b.sext(wide.ty(), h[i].0);
                let aw = shl_c(l, aw, w - 1);
                if subtract {
                    l.b.sub(aw, p)
                } else {
                    l.b.add(aw, p)
                }
            }
            _ => p,
        };
        // (2p + 2^(w-1)) >> w, without the doubling overflowing: (p + 2^(w-2)) >> (w-1).
        let p = if round {
            let c = splat_const(l, wide, 1u128 << (w - 2));
            l.b.add(p, c)
        } else {
            p
        };
        let hi = ashr_c(l, p, w - 1);
        parts.push(super::misc::saturate_narrow(l, hi, wide, true, true));
    }
    if parts.len() == 1 {
        return parts[0];
    }
    let all: Vec<u8> = (0..shape.lanes as u8).collect();
    l.b.shuffle(parts[0], parts[1], &all)
}

/// SQDMULL: `2 * a * b` of narrow signed lanes into lanes twice as wide (`wide`), saturated.
pub(super) fn doubling_mul_long(l: &mut Lifter, a: Value, b: Value, wide: Shape) -> Value {
    let xa = l.b.sext(wide.ty(), a);
    let xb = l.b.sext(wide.ty(), b);
    let p = l.b.binary(BinaryOp::Mul, xa, xb);
    saturating_binary(l, BinaryOp::SaddSat, p, p)
}

/// The carry-less product of `a` and `b`, whose low `bits` bits matter (lanes are wide enough
/// for the product): the XOR of `a << i` for every set bit i of `b`.
pub(super) fn poly_mul(l: &mut Lifter, a: Value, b: Value, bits: u32) -> Value {
    let t = l.b.value_type(a);
    let zero = l.b.iconst(t, 0);
    let mut r = zero;
    for i in 0..bits {
        let bi = lshr_c(l, b, i);
        let bit = and_c(l, bi, 1);
        let m = l.b.sub(zero, bit);
        let ai = shl_c(l, a, i);
        let term = l.b.and(ai, m);
        r = l.b.xor(r, term);
    }
    r
}

/// PMULL2/PMULL of 64-bit elements: the 128-bit carry-less product of two i64 values.
pub(super) fn poly_mul_64(l: &mut Lifter, a: Value, b: Value) -> Value {
    let low = l.b.binary(BinaryOp::Clmul, a, b);
    let high = l.b.binary(BinaryOp::Clmulhi, a, b);
    let low = l.b.uext(Type::I128, low);
    let high = l.b.uext(Type::I128, high);
    let c = l.b.iconst(Type::I128, 64);
    let high = l.b.binary(BinaryOp::Shl, high, c);
    l.b.or(low, high)
}
