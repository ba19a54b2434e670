//! Scalar floating-point semantics: the manual's "Data Processing -- Scalar Floating-Point"
//! groups (conversions between FP and integer or fixed point, data-processing with one, two and
//! three sources, compares, conditional compare and select, immediate moves). `lift` routes a word
//! to its group by the op1/op2/op3 fields of the manual's decode table; the groups live in sibling
//! files: `fp_convert.rs` (conversions), `fp_arith.rs` (data-processing) and `fp_compare.rs`
//! (compares, conditional compare and select, immediate moves).
//!
//! FPCR's rounding mode and flush-to-zero and FPSR's cumulative flags are the host's: the runtime
//! keeps the host's floating-point environment in step with FPCR and reads the flags from it
//! (runtime/src/fpenv.rs), so an operation that rounds as FPCR says is lowered to a host operation
//! that rounds as the host's mode says (`RoundMode::Current` for FRINTI and FRINTX). Flags the
//! host's instructions would raise differently are computed here and ORed into FPSR
//! (`Lifter::raise_fpsr_if`): conversions to integers (`to_int_raising`), FRINTX, FCMPE and FCCMPE
//! (docs/isa-coverage.md, "Known deviations", lists what is left). Default-NaN mode is part of
//! the IR's float operations (`InstData::follows_default_nan_mode`). Half precision (ftype 11: FCVT to and
//! from half, and the FEAT_FP16 scalar forms) lives in `fp_half.rs`: the IR has no 16-bit float
//! type, so halves are carried as `i16` bits, computed on in single or double precision and
//! rounded back with integer operations.

#[path = "fp_arith.rs"]
mod arith;
#[path = "fp_compare.rs"]
mod compare;
#[path = "fp_convert.rs"]
mod convert;
#[path = "fp_half.rs"]
mod half;

#[cfg(test)]
#[path = "fp_tests.rs"]
mod tests;

use crate::a64::lift::{Lifter, SemError};
use crate::a64::state::fpsr;
use crate::entities::Value;
use crate::inst::{BinaryOp, IntCC, RoundMode};
use crate::types::Type;

/// Lifts a scalar FP instruction (bit 30 = 0 and bits 28..25 = 1111).
pub fn lift(l: &mut Lifter) -> Result<(), SemError> {
    if l.bit(24) {
        // op1 = 1x: data-processing with three sources.
        return arith::three_source(l);
    }
    if !l.bit(21) {
        // op2 = x0xx: conversion between floating point and fixed point.
        return convert::fixed_point(l);
    }
    // op2 = x1xx: op3 (bits 18..10) selects the group by its low bits.
    match l.field(10, 2) {
        0b01 => compare::cond_compare(l),
        0b10 => arith::two_source(l),
        0b11 => compare::cond_select(l),
        _ => {
            if l.bit(12) {
                compare::fmov_imm(l)
            } else if l.bit(13) {
                compare::compare(l)
            } else if l.bit(14) {
                arith::one_source(l)
            } else if !l.bit(15) {
                convert::int_conversion(l)
            } else {
                Err(SemError::Undefined)
            }
        }
    }
}

/// The float type an `ftype` field (bits 23..22) names: single or double precision. Half precision
/// (see `fp_half.rs`) has no IR type, so callers handle it before asking.
fn float_type(ftype: u32) -> Result<Type, SemError> {
    match ftype {
        0b00 => Ok(Type::F32),
        0b01 => Ok(Type::F64),
        0b11 => Err(SemError::Unsupported),
        _ => Err(SemError::Undefined),
    }
}

/// The `ftype` field of the instruction as a float type.
fn insn_float_type(l: &Lifter) -> Result<Type, SemError> {
    float_type(l.field(22, 2))
}

/// Whether the instruction's `ftype` field (bits 23..22) is 11, half precision.
fn is_half(l: &Lifter) -> bool {
    l.field(22, 2) == 0b11
}

/// Fails with `Undefined` unless M (bit 31) and S (bit 29) are both zero, as every scalar FP
/// group except the conversions (whose bit 31 is `sf`) requires.
fn require_m_s_zero(l: &Lifter) -> Result<(), SemError> {
    if l.bit(31) || l.bit(29) {
        Err(SemError::Undefined)
    } else {
        Ok(())
    }
}

/// A float constant of type `ty` with the value `x`, which must be exact in `ty`.
fn float_const(l: &mut Lifter, ty: Type, x: f64) -> Value {
    let bits = if ty == Type::F32 { (x as f32).to_bits() as u128 } else { x.to_bits() as u128 };
    l.b.iconst(ty, bits)
}

/// The float constant 2^`exp` of type `ty` (exact for the exponents fixed-point conversions use).
fn pow2_const(l: &mut Lifter, ty: Type, exp: i32) -> Value {
    float_const(l, ty, 2f64.powi(exp))
}

/// A float of type `t` (f32 or f64 lanes, scalar or vector) with every lane `x`, which must be
/// exact in that precision.
pub(super) fn float_splat(l: &mut Lifter, t: Type, x: f64) -> Value {
    let bits = if t.lane_bits() == 32 { (x as f32).to_bits() as u128 } else { x.to_bits() as u128 };
    l.b.lane_const(t, bits)
}

/// Float `x` (scalar or vector) times 2^`fbits`, for a conversion to a fixed-point integer of
/// `int_bits` bits. FPToFixed scales in real arithmetic, which cannot overflow: a magnitude whose
/// product could overflow the float type (and raise OFC on the host) is first clamped to
/// 2^(`int_bits` - `fbits` + 1), whose product, 2^(`int_bits` + 1), is finite in single precision
/// and saturates the conversion all the same. Values in range are below half that. NaNs pass
/// through.
pub(super) fn scale_to_fixed(l: &mut Lifter, x: Value, fbits: u32, int_bits: u32) -> Value {
    if fbits == 0 {
        return x;
    }
    let t = l.b.value_type(x);
    let limit_exponent = int_bits as i32 - fbits as i32 + 1;
    let limit = float_splat(l, t, 2f64.powi(limit_exponent));
    let below = l.b.binary(BinaryOp::Fmin, x, limit);
    let neg_limit = float_splat(l, t, -(2f64.powi(limit_exponent)));
    let clamped = l.b.binary(BinaryOp::Fmax, below, neg_limit);
    let scale = float_splat(l, t, 2f64.powi(fbits as i32));
    l.b.binary(BinaryOp::Fmul, clamped, scale)
}

/// Converts float `x` (scalar or vector, already scaled) to the integer type `int_ty` rounding
/// as `round`, saturating, with FPToFixed's exceptions (`raise_integral_flags`). The IR's
/// `fp_to_int` raises no flag of its own (the code generator picks host instructions that raise
/// none).
pub(super) fn to_int_raising(
    l: &mut Lifter,
    int_ty: Type,
    range_bits: u32,
    signed: bool,
    round: RoundMode,
    x: Value,
) -> Value {
    let rounded = l.b.round_fp(round, x);
    raise_integral_flags(l, x, rounded, range_bits, signed);
    l.b.fp_to_int(int_ty, signed, round, x)
}

/// The exceptions of rounding float `x` (scalar or vector) to the integral `rounded` for an
/// integer of `range_bits` bits, signed or unsigned (FPToFixed, FPRoundIntN): IOC where a lane is
/// a NaN or out of that range, otherwise IXC where rounding changed it. Returns the lanes in range
/// (a lane mask, or an `i1` for a scalar).
pub(super) fn raise_integral_flags(l: &mut Lifter, x: Value, rounded: Value, range_bits: u32, signed: bool) -> Value {
    let t = l.b.value_type(x);
    // The tests look at the bits, not through float compares: LLVM lowers a pair of scalar
    // compares to packed ones over the whole host register, whose other lanes may hold NaNs and
    // raise invalid.
    let it = t.as_int();
    let fw = t.lane_bits();
    let float_bits = |x: f64| if fw == 32 { (x as f32).to_bits() as u128 } else { x.to_bits() as u128 };
    let bits = l.b.bitcast(it, rounded);
    let abs_mask = l.b.lane_const(it, (1u128 << (fw - 1)) - 1);
    let abs = l.b.and(bits, abs_mask);
    let in_range = if signed {
        let limit = l.b.lane_const(it, float_bits(2f64.powi(range_bits as i32 - 1)));
        let below = l.b.icmp(IntCC::Ult, abs, limit);
        let min = l.b.lane_const(it, float_bits(-(2f64.powi(range_bits as i32 - 1))));
        let is_min = l.b.icmp(IntCC::Eq, bits, min);
        l.b.or(below, is_min)
    } else {
        // A rounded negative value is -0.0 (in range) or at most -1.
        let limit = l.b.lane_const(it, float_bits(2f64.powi(range_bits as i32)));
        let below = l.b.icmp(IntCC::Ult, abs, limit);
        let zero = l.b.lane_const(it, 0);
        let non_negative = l.b.icmp(IntCC::Sge, bits, zero);
        let is_zero = l.b.icmp(IntCC::Eq, abs, zero);
        let sign_ok = l.b.or(non_negative, is_zero);
        l.b.and(below, sign_ok)
    };
    let out_of_range = l.b.not(in_range);
    l.raise_fpsr_if(out_of_range, fpsr::IOC);
    // Rounding keeps the sign of a zero, so the value changed exactly when its bits did (the
    // operand's bits as FPUnpack sees them: a denormal flushed under FZ is an exact zero).
    let x_bits = crate::a64::sem::simd::unpacked_bits(l, x);
    let changed = l.b.icmp(IntCC::Ne, bits, x_bits);
    let inexact = l.b.and(in_range, changed);
    l.raise_fpsr_if(inexact, fpsr::IXC);
    in_range
}

/// FPRoundIntN, the semantics of FRINT32Z/X and FRINT64Z/X (FEAT_FRINTTS) on a float scalar or
/// vector `x`: each lane rounded as `round` says to an integral value that fits a signed integer
/// of `int_bits` bits, or, for a NaN, an infinity or a value out of that range, the most negative
/// such integer as a float; IOC there, IXC where an in-range lane changed
/// (`raise_integral_flags`). The scalar and the vector forms both call it.
pub(super) fn round_to_int_n(l: &mut Lifter, x: Value, int_bits: u32, round: RoundMode) -> Value {
    let t = l.b.value_type(x);
    let it = t.as_int();
    let rounded = l.b.round_fp(round, x);
    let in_range = raise_integral_flags(l, x, rounded, int_bits, true);
    // A lane mask for the bitwise choice below (a vector compare already gives one).
    let keep = if t.lanes() == 1 { l.b.sext(it, in_range) } else { in_range };
    let int_min = -(2f64.powi(int_bits as i32 - 1));
    let int_min_bits = if t.lane_bits() == 32 { (int_min as f32).to_bits() as u128 } else { int_min.to_bits() as u128 };
    let int_min = l.b.lane_const(it, int_min_bits);
    let bits = l.b.bitcast(it, rounded);
    // The rounded bits where `keep` is set, else the most negative integer's.
    let differ = l.b.xor(bits, int_min);
    let kept = l.b.and(differ, keep);
    let r = l.b.xor(int_min, kept);
    l.b.bitcast(t, r)
}

/// Rounds float `x` (scalar or vector) to an integral value in FPCR's mode raising IXC where
/// that changed a number (FRINTX; a NaN is quieted, not rounded).
pub(super) fn round_current_raising(l: &mut Lifter, x: Value) -> Value {
    let rounded = l.b.round_fp(RoundMode::Current, x);
    let t = l.b.value_type(x);
    let it = t.as_int();
    let fw = t.lane_bits();
    let bits = l.b.bitcast(it, rounded);
    let x_bits = crate::a64::sem::simd::unpacked_bits(l, x);
    let changed = l.b.icmp(IntCC::Ne, bits, x_bits);
    let abs_mask = l.b.lane_const(it, (1u128 << (fw - 1)) - 1);
    let abs = l.b.and(x_bits, abs_mask);
    let infinity = l.b.lane_const(it, ((1u128 << (fw - 1)) - 1) ^ ((1u128 << (if fw == 32 { 23 } else { 52 })) - 1));
    let is_number = l.b.icmp(IntCC::Ule, abs, infinity);
    let inexact = l.b.and(changed, is_number);
    l.raise_fpsr_if(inexact, fpsr::IXC);
    rounded
}

/// The flags N, Z, C, V (as `i1` values) that FPCompare gives for `a` against `b`: unordered
/// 0011, equal 0110, less than 1000, greater than 0010.
fn fp_compare_flags(l: &mut Lifter, a: Value, b: Value) -> [Value; 4] {
    use crate::inst::FloatCC;
    let less = l.b.fcmp(FloatCC::Olt, a, b);
    let equal = l.b.fcmp(FloatCC::Oeq, a, b);
    let not_less = l.b.not(less);
    let unordered = l.b.fcmp(FloatCC::Uno, a, b);
    [less, equal, not_less, unordered]
}
