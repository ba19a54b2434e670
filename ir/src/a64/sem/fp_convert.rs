//! Conversions between scalar floating point and integers: FCVT{N,P,M,Z,A}{S,U} (to W or X),
//! SCVTF and UCVTF (from W or X), the same with a fixed-point scale (`fbits`), FMOV between
//! general and SIMD&FP registers (W<->H, X<->H, W<->S, X<->D, X<->V.D[1]) and FJCVTZS. The
//! half-precision forms (ftype 11) compute in `fp_half.rs`.
//!
//! Float-to-integer conversions saturate and give zero for a NaN, which is what the IR's
//! `fp_to_int` does; their IOC and IXC are computed beside it (`to_int_raising`). Fixed-point
//! forms scale by 2^fbits in floating point around the integer conversion: multiplying by a power
//! of two is exact here (no fixed-point value is small enough to become subnormal, and values that
//! would overflow are clamped first, `scale_to_fixed`, so the host raises no overflow).

use super::{float_const, float_type, half, pow2_const, raise_integral_flags, scale_to_fixed, to_int_raising};
use crate::a64::lift::{Lifter, SemError};
use crate::inst::{BinaryOp, ConvOp, FloatCC, IntCC, RoundMode};
use crate::types::Type;

/// The integer type of a general register of width `sf` (X when set, W otherwise).
fn int_type(sf: bool) -> Type {
    if sf {
        Type::I64
    } else {
        Type::I32
    }
}

/// Conversion between floating point and integer: `sf 0 S 11110 ftype 1 rmode opcode 000000 Rn
/// Rd`.
pub(super) fn int_conversion(l: &mut Lifter) -> Result<(), SemError> {
    if l.bit(29) {
        return Err(SemError::Undefined);
    }
    let sf = l.bit(31);
    let ftype = l.field(22, 2);
    let rmode = l.field(19, 2);
    let opcode = l.field(16, 3);
    if opcode & 0b110 == 0b110 {
        return fmov_general(l, sf, ftype, rmode, opcode & 1 == 1);
    }
    // Only the FCVT[NPMZ][SU] opcodes use rmode; the others require it to be zero.
    if opcode >= 0b010 && rmode != 0b00 {
        return Err(SemError::Undefined);
    }
    if ftype == 0b11 {
        let rounds = [RoundMode::Nearest, RoundMode::Up, RoundMode::Down, RoundMode::Zero];
        return match opcode {
            0b000 | 0b001 => half::to_int(l, int_type(sf), opcode == 0b000, rounds[rmode as usize], 0),
            0b010 | 0b011 => half::from_int(l, sf, opcode == 0b010, 0),
            _ => half::to_int(l, int_type(sf), opcode == 0b100, RoundMode::Away, 0),
        };
    }
    let ty = float_type(ftype)?;
    match opcode {
        0b000 | 0b001 => {
            let rounds = [RoundMode::Nearest, RoundMode::Up, RoundMode::Down, RoundMode::Zero];
            fp_to_int(l, ty, sf, opcode == 0b000, rounds[rmode as usize], 0)
        }
        0b010 | 0b011 => int_to_fp(l, ty, sf, opcode == 0b010, 0),
        _ => fp_to_int(l, ty, sf, opcode == 0b100, RoundMode::Away, 0),
    }
}

/// Conversion between floating point and fixed point: `sf 0 S 11110 ftype 0 rmode opcode scale
/// Rn Rd`, with fbits = 64 - scale (at most 32 for a W register).
pub(super) fn fixed_point(l: &mut Lifter) -> Result<(), SemError> {
    if l.bit(29) {
        return Err(SemError::Undefined);
    }
    let sf = l.bit(31);
    let scale = l.field(10, 6);
    if !sf && scale < 32 {
        return Err(SemError::Undefined);
    }
    let fbits = 64 - scale;
    let rmode = l.field(19, 2);
    let opcode = l.field(16, 3);
    if !matches!((rmode, opcode), (0b11, 0b000 | 0b001) | (0b00, 0b010 | 0b011)) {
        return Err(SemError::Undefined);
    }
    if l.field(22, 2) == 0b11 {
        return match opcode {
            0b000 | 0b001 => half::to_int(l, int_type(sf), opcode == 0b000, RoundMode::Zero, fbits),
            _ => half::from_int(l, sf, opcode == 0b010, fbits),
        };
    }
    let ty = float_type(l.field(22, 2))?;
    match opcode {
        0b000 | 0b001 => fp_to_int(l, ty, sf, opcode == 0b000, RoundMode::Zero, fbits),
        _ => int_to_fp(l, ty, sf, opcode == 0b010, fbits),
    }
}

/// FCVT*S, FCVT*U (FPToFixed): Rd = the float Rn times 2^fbits, rounded as `round` and saturated
/// to the signed or unsigned integer of Rd's width; a NaN gives zero.
fn fp_to_int(l: &mut Lifter, ty: Type, sf: bool, signed: bool, round: RoundMode, fbits: u32) -> Result<(), SemError> {
    let x = l.vreg_as(l.field(5, 5), ty);
    let int_ty = int_type(sf);
    let x = scale_to_fixed(l, x, fbits, int_ty.bits());
    let result = to_int_raising(l, int_ty, int_ty.bits(), signed, round, x);
    l.set_xreg(l.field(0, 5), result);
    Ok(())
}

/// SCVTF, UCVTF (FixedToFP): Rd = the signed or unsigned integer Rn divided by 2^fbits, rounded
/// to nearest even (FPCR's mode, taken to be that). The integer conversion rounds once and the
/// scaling is exact, so the result is rounded once, as the manual's real arithmetic is.
fn int_to_fp(l: &mut Lifter, ty: Type, sf: bool, signed: bool, fbits: u32) -> Result<(), SemError> {
    let x = l.xreg(l.field(5, 5), sf);
    let op = if signed { ConvOp::Stof } else { ConvOp::Utof };
    let mut result = l.b.convert(op, ty, x);
    if fbits > 0 {
        let scale = pow2_const(l, ty, -(fbits as i32));
        result = l.b.binary(BinaryOp::Fmul, result, scale);
    }
    l.set_vreg(l.field(0, 5), result);
    Ok(())
}

/// FMOV (general): moves bits unchanged between a general register and a SIMD&FP register:
/// W<->S (sf 0, ftype 00), X<->D (sf 1, ftype 01) and X<->V.D[1] (sf 1, ftype 10, rmode 01;
/// writing the top half keeps the bottom half). `to_fp` is opcode 111 (general to SIMD&FP).
/// W<->H and X<->H (ftype 11, FEAT_FP16) move the low 16 bits. Opcode 110 with sf 0, ftype 01,
/// rmode 11 is FJCVTZS.
fn fmov_general(l: &mut Lifter, sf: bool, ftype: u32, rmode: u32, to_fp: bool) -> Result<(), SemError> {
    let (n, d) = (l.field(5, 5), l.field(0, 5));
    match (sf, ftype, rmode) {
        (false, 0b00, 0b00) | (true, 0b01, 0b00) => {
            if to_fp {
                let x = l.xreg(n, sf);
                l.set_vreg(d, x);
            } else {
                let v = l.vreg_as(n, int_type(sf));
                l.set_xreg(d, v);
            }
        }
        (true, 0b10, 0b01) => {
            if to_fp {
                let old = l.vreg(d);
                let low = l.b.trunc(Type::I64, old);
                let low = l.b.uext(Type::I128, low);
                let x = l.xreg(n, true);
                let x = l.b.uext(Type::I128, x);
                let high = l.b.shl_imm(x, 64);
                let merged = l.b.or(high, low);
                l.set_vreg(d, merged);
            } else {
                let v = l.vreg(n);
                let high = l.b.lshr_imm(v, 64);
                let high = l.b.trunc(Type::I64, high);
                l.set_xreg(d, high);
            }
        }
        (_, 0b11, 0b00) => return half::fmov_general(l, sf, to_fp),
        (false, 0b01, 0b11) if !to_fp => return fjcvtzs(l),
        _ => return Err(SemError::Undefined),
    }
    Ok(())
}

/// FJCVTZS (FEAT_JSCVT): converts the double Dn to a W register the way JavaScript's ToInt32
/// does: truncate toward zero, then keep the low 32 bits of the integer (modular, not
/// saturating); NaNs and infinities give 0. NZCV becomes 0Z00, where Z says the conversion was
/// exact: Dn is an integer in the int32 range and not -0.0 (the manual's FPToFixedJS). Flags as
/// qemu-aarch64 raises them: IOC out of int32's range, else IXC when inexact.
fn fjcvtzs(l: &mut Lifter) -> Result<(), SemError> {
    let x = l.vreg_as(l.field(5, 5), Type::F64);
    let bits = l.vreg_as(l.field(5, 5), Type::I64);
    // Below 2^63 in magnitude, a saturating truncation is exact and its low 32 bits are the answer.
    let truncated = l.b.fp_to_int(Type::I64, true, RoundMode::Zero, x);
    // From 2^63 up (biased exponent 1086 and above, infinities and NaNs included) the value is an
    // integer, mantissa << (exponent - 1075), whose low 32 bits are zero once the shift reaches 32;
    // a shift clamped to 63 keeps that true for every larger exponent.
    let exponent = l.b.lshr_imm(bits, 52);
    let exponent = l.b.and_imm(exponent, 0x7ff);
    let fraction = l.b.and_imm(bits, (1 << 52) - 1);
    let implicit_one = l.b.i64(1 << 52);
    let mantissa = l.b.or(fraction, implicit_one);
    let bias = l.b.i64(1075);
    let shift = l.b.sub(exponent, bias);
    let max_shift = l.b.i64(63);
    let shift = l.b.binary(BinaryOp::Umin, shift, max_shift);
    let magnitude = l.b.binary(BinaryOp::Shl, mantissa, shift);
    let zero = l.b.i64(0);
    let negated = l.b.sub(zero, magnitude);
    let negative = l.b.icmp_imm(IntCC::Slt, bits, 0);
    let large = l.b.select(negative, negated, magnitude);
    let is_large = l.b.icmp_imm(IntCC::Uge, exponent, 1086);
    let wide = l.b.select(is_large, large, truncated);
    let result = l.b.trunc(Type::I32, wide);
    // Z: exact (an integer: NaN compares unequal), within int32 (infinities are not) and not -0.0.
    let rounded = l.b.round_fp(RoundMode::Zero, x);
    // FPToFixedJS's exceptions: IOC for a NaN, an infinity or a truncation outside int32, else IXC
    // when the truncation dropped a fraction.
    raise_integral_flags(l, x, rounded, 32, true);
    let integral = l.b.fcmp(FloatCC::Oeq, rounded, x);
    let int32_min = float_const(l, Type::F64, -(2f64.powi(31)));
    let int32_max = float_const(l, Type::F64, 2f64.powi(31) - 1.0);
    let above_min = l.b.fcmp(FloatCC::Oge, x, int32_min);
    let below_max = l.b.fcmp(FloatCC::Ole, x, int32_max);
    let negative_zero = l.b.i64(1 << 63);
    let not_negative_zero = l.b.icmp(IntCC::Ne, bits, negative_zero);
    let in_range = l.b.and(above_min, below_max);
    let exact = l.b.and(integral, in_range);
    let flag_z = l.b.and(exact, not_negative_zero);
    l.set_xreg(l.field(0, 5), result);
    let clear = l.b.bool(false);
    l.set_nzcv(clear, flag_z, clear, clear);
    Ok(())
}
