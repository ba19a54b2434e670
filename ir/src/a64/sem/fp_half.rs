//! Scalar half precision (ftype 11): FCVT to and from half, and the FEAT_FP16 scalar forms of the
//! data-processing, compare, select, immediate-move and integer-conversion groups. The IR has no
//! 16-bit float type, so a half is carried as its IEEE bits in an `i16` and widened to single or
//! double precision (exact: every half is a single) to compute; results are rounded back to half
//! once with integer operations, as the manual's FPConvert/FPRound do, following FPCR's rounding
//! mode, FZ16 (arithmetic), AHP (conversions) and DN (`simd_half.rs`).
//!
//! Computing in single precision and rounding to half gives the correctly rounded half result for
//! addition, subtraction, multiplication, division and square root: double rounding is innocuous
//! when the wider format has at least 2p + 2 significant bits (24 >= 2 * 11 + 2). NaNs survive the
//! round trip: a half's 10 fraction bits become the top of the single's fraction, the operations
//! widen without quieting so the single arithmetic sees signalling NaNs as signalling and applies
//! the AArch64 NaN choice, and rounding back keeps the top 10 fraction bits. The single default
//! NaN, 0x7fc00000, becomes 0x7e00, the half default NaN.

use super::arith::fused_multiply_add;
use super::pow2_const;
use crate::a64::lift::{Lifter, SemError};
use crate::entities::Value;
use crate::inst::{BinaryOp, ConvOp, IntCC, RoundMode, UnaryOp};
use crate::types::{LaneType, Type};

/// The sign bit of a half.
const HALF_SIGN: u128 = 0x8000;

/// Widens the half-precision bits `half` (i16) to `ty` (F32 or F64), exactly. A finite half is its
/// mantissa (with the implicit one unless subnormal) times 2^(max(exponent, 1) - 25), an exact
/// product in either format; infinities keep their sign, and a NaN keeps its payload at the top of
/// the wider fraction. With `quiet_nans` a NaN also becomes quiet, as FCVT's FPConvertNaN does;
/// without it a signalling NaN stays signalling, so that arithmetic on the widened value picks
/// NaNs by the AArch64 rules (signalling first) and quiets the one it picks.
pub(super) fn half_to_float(l: &mut Lifter, half: Value, ty: Type, quiet_nans: bool) -> Value {
    let wide = if ty == Type::F32 { LaneType::F32 } else { LaneType::F64 };
    crate::a64::sem::simd::half::widen(l, half, wide, quiet_nans)
}

/// Rounds the single or double `x` to half precision (i16 bits) once, as the manual's FPRound
/// does for arithmetic (FPCR's rounding mode and FZ16; conversions use `narrow_converting`, which
/// follows AHP and DN as FPConvert does): results below the smallest normal half become
/// subnormal or zero, magnitudes from 65520 up become infinity, and a NaN becomes the quiet half
/// NaN with the same sign and the top 9 bits of its payload below the quiet bit.
///
/// Normal results round the source bits directly: after rebiasing the exponent, the source's
/// fraction bits below the half's 10 are dropped with round-to-nearest-even, and a carry out of
/// the fraction steps the exponent (up to infinity, 0x7c00, where the result is clamped).
/// Subnormal results are |x| * 2^24 (exact: a power-of-two scaling that cannot overflow) rounded
/// to an integer, nearest even; 1024 there is the smallest normal half, as it should be.
pub(super) fn float_to_half(l: &mut Lifter, x: Value) -> Value {
    crate::a64::sem::simd::half::narrow(l, x)
}

/// Reads the half in the low 16 bits of SIMD&FP register `n` as an f32, NaNs unchanged in kind
/// (FCMP and FCMPE compare halves so: widening is exact).
pub(super) fn operand(l: &mut Lifter, n: u32) -> Value {
    let half = l.vreg_as(n, Type::I16);
    half_to_float(l, half, Type::F32, false)
}

/// Writes the half bits `half` (i16) to SIMD&FP register `d`, zeroing the bits above.
fn set_half(l: &mut Lifter, d: u32, half: Value) {
    l.set_vreg(d, half);
}

/// FCVT to half from single (`from` F32) or double (F64): one rounding, even from double.
pub(super) fn fcvt_to_half(l: &mut Lifter, from: Type) -> Result<(), SemError> {
    let x = l.vreg_as(l.field(5, 5), from);
    let half = crate::a64::sem::simd::half::narrow_converting(l, x);
    set_half(l, l.field(0, 5), half);
    Ok(())
}

/// FMOV, FABS, FNEG, FSQRT on halves. FMOV, FABS and FNEG work on the bits (NaNs included, as
/// FPAbs and FPNeg do); FSQRT computes in single precision and rounds once more to half.
pub(super) fn unary(l: &mut Lifter, opcode: u32) -> Result<(), SemError> {
    let half = l.vreg_as(l.field(5, 5), Type::I16);
    let result = match opcode {
        0b00 => half,
        0b01 => l.b.and_imm(half, 0x7fff),
        0b10 => {
            let sign = l.b.iconst(Type::I16, HALF_SIGN);
            l.b.xor(half, sign)
        }
        _ => {
            let x = half_to_float(l, half, Type::F32, false);
            let root = l.b.unary(UnaryOp::Fsqrt, x);
            float_to_half(l, root)
        }
    };
    set_half(l, l.field(0, 5), result);
    Ok(())
}

/// The FRINT family on a half: rounding to an integral value in single precision is exact, and the
/// integral result is a half again (every half from 1024 up is an integer already).
pub(super) fn frint(l: &mut Lifter, round: RoundMode, raise_inexact: bool) -> Result<(), SemError> {
    let x = operand(l, l.field(5, 5));
    let rounded = if raise_inexact { super::round_current_raising(l, x) } else { l.b.round_fp(round, x) };
    let result = float_to_half(l, rounded);
    set_half(l, l.field(0, 5), result);
    Ok(())
}

/// FMUL, FDIV, FADD, FSUB, FMAX, FMIN, FMAXNM, FMINNM and FNMUL (`negate`) on halves, computed in
/// single precision and rounded to half (see the module documentation for why that is exact).
/// FNMUL negates the rounded result, NaNs included.
pub(super) fn two_source(l: &mut Lifter, op: BinaryOp, negate: bool) -> Result<(), SemError> {
    let n = operand(l, l.field(5, 5));
    let m = operand(l, l.field(16, 5));
    let result = l.b.binary(op, n, m);
    let mut half = float_to_half(l, result);
    if negate {
        let sign = l.b.iconst(Type::I16, HALF_SIGN);
        half = l.b.xor(half, sign);
    }
    set_half(l, l.field(0, 5), half);
    Ok(())
}

/// FMADD, FMSUB, FNMADD, FNMSUB on halves: the fused multiply-add is computed in double precision
/// on the exact operands and rounded to half once more.
///
/// That second rounding cannot go wrong: it could only if the double result were a half midpoint
/// M (an odd multiple of half an ulp of half) while the exact r = n * m + a is not. The double
/// result differs from r by at most 2^(e - 53), where 2^e <= |M| < 2^16. If a has a bit that low,
/// then |a| < 2^(e - 42), the product (22 significant bits, so a multiple of 2^(e - 23)) must equal
/// M exactly and a is absorbed whole: |a| <= 2^(e - 53) <= 2^-38, but a nonzero half is at least
/// 2^-24. Otherwise the product has a bit at 2^(e - 53) or below, so with its 22 bits it is below
/// 2^(e - 31), and a (a half of about M's size, a multiple of 2^(e - 10) or, below 2^e, of
/// 2^(e - 11) but then at least 2^(e - 10) from M) would have to lie within 2^(e - 30) of M: it
/// cannot. Subnormal midpoints are below 2^-14, where r (a multiple of 2^-48) is exact in double.
pub(super) fn three_source(l: &mut Lifter, negate_product: bool, negate_addend: bool) -> Result<(), SemError> {
    let operand = |l: &mut Lifter, field: u32| {
        let half = l.vreg_as(l.field(field, 5), Type::I16);
        half_to_float(l, half, Type::F64, false)
    };
    let mut n = operand(l, 5);
    let m = operand(l, 16);
    let mut a = operand(l, 10);
    if negate_product {
        n = l.b.unary(UnaryOp::Fneg, n);
    }
    if negate_addend {
        a = l.b.unary(UnaryOp::Fneg, a);
    }
    let result = fused_multiply_add(l, n, m, a);
    let half = float_to_half(l, result);
    set_half(l, l.field(0, 5), half);
    Ok(())
}

/// The two half operands (Rn, Rm) of FCCMP and FCCMPE, as singles.
pub(super) fn compare_operands(l: &mut Lifter) -> (Value, Value) {
    let n = operand(l, l.field(5, 5));
    let m = operand(l, l.field(16, 5));
    (n, m)
}

/// FCVT{N,P,M,Z,A}{S,U} from a half (with `fbits` for the fixed-point FCVTZ forms): the half
/// widens to a single exactly, and its scaling by 2^fbits (at most 2^64 times 65504) is exact too.
pub(super) fn to_int(l: &mut Lifter, int_ty: Type, signed: bool, round: RoundMode, fbits: u32) -> Result<(), SemError> {
    let mut x = operand(l, l.field(5, 5));
    if fbits > 0 {
        let scale = pow2_const(l, Type::F32, fbits as i32);
        x = l.b.binary(BinaryOp::Fmul, x, scale);
    }
    let result = super::to_int_raising(l, int_ty, int_ty.bits(), signed, round, x);
    l.set_xreg(l.field(0, 5), result);
    Ok(())
}

/// SCVTF and UCVTF to a half (with `fbits` for the fixed-point forms): the integer Rn divided by
/// 2^fbits, rounded to half once.
///
/// The integer reaches double precision exactly: a W register always fits 53 bits, and an X
/// register of 2^53 or more in magnitude is first shifted right by 11 with the bits shifted out
/// ORed into the lowest kept bit (a sticky bit), which keeps at least 42 significant bits and so
/// cannot change how the value rounds to 11 bits; the shift is undone by an exact scaling. The
/// division by 2^fbits is exact in double too, and `float_to_half` then rounds once.
pub(super) fn from_int(l: &mut Lifter, sf: bool, signed: bool, fbits: u32) -> Result<(), SemError> {
    let x = l.xreg(l.field(5, 5), sf);
    let mut value = if !sf {
        let wide = if signed { l.b.sext(Type::I64, x) } else { l.b.uext(Type::I64, x) };
        l.b.convert(ConvOp::Stof, Type::F64, wide)
    } else {
        // The magnitude as an unsigned integer (2^63 for the most negative value), then the sign.
        let negative = if signed { l.b.icmp_imm(IntCC::Slt, x, 0) } else { l.b.bool(false) };
        let zero = l.b.i64(0);
        let negated = l.b.sub(zero, x);
        let magnitude = l.b.select(negative, negated, x);
        let shifted = l.b.lshr_imm(magnitude, 11);
        let low_bits = l.b.and_imm(magnitude, 0x7ff);
        let sticky = l.b.icmp_imm(IntCC::Ne, low_bits, 0);
        let sticky = l.b.uext(Type::I64, sticky);
        let shifted = l.b.or(shifted, sticky);
        let is_large = l.b.icmp_imm(IntCC::Uge, magnitude, 1 << 53);
        let exact = l.b.select(is_large, shifted, magnitude);
        let converted = l.b.convert(ConvOp::Utof, Type::F64, exact);
        let large_scale = pow2_const(l, Type::F64, 11);
        let one = pow2_const(l, Type::F64, 0);
        let scale = l.b.select(is_large, large_scale, one);
        let unsigned = l.b.binary(BinaryOp::Fmul, converted, scale);
        let negated = l.b.unary(UnaryOp::Fneg, unsigned);
        l.b.select(negative, negated, unsigned)
    };
    if fbits > 0 {
        let scale = pow2_const(l, Type::F64, -(fbits as i32));
        value = l.b.binary(BinaryOp::Fmul, value, scale);
    }
    let half = float_to_half(l, value);
    set_half(l, l.field(0, 5), half);
    Ok(())
}

/// FMOV between a general register and a half: the low 16 bits move unchanged; writing the half
/// zeroes the rest of the vector register, reading it zero-extends into the W or X register.
pub(super) fn fmov_general(l: &mut Lifter, sf: bool, to_fp: bool) -> Result<(), SemError> {
    let (n, d) = (l.field(5, 5), l.field(0, 5));
    if to_fp {
        let x = l.xreg(n, sf);
        let half = l.b.trunc(Type::I16, x);
        set_half(l, d, half);
    } else {
        let half = l.vreg_as(n, Type::I16);
        let wide = l.b.uext(Type::I64, half);
        l.set_xreg(d, wide);
    }
    Ok(())
}
