//! Scalar floating-point data-processing: one source (FMOV, FABS, FNEG, FSQRT, FCVT between
//! precisions, the FRINT family), two sources (FMUL, FDIV, FADD, FSUB, FMAX, FMIN, FMAXNM,
//! FMINNM, FNMUL) and three sources (FMADD, FMSUB, FNMADD, FNMSUB). The half-precision forms
//! decode here and compute in `fp_half.rs`.

use super::{
    float_const, float_type, half, insn_float_type, is_half, require_m_s_zero, round_current_raising, round_to_int_n,
};
use crate::a64::lift::{Lifter, SemError};
use crate::entities::Value;
use crate::inst::{BinaryOp, ConvOp, FloatCC, IntCC, RoundMode, UnaryOp};
use crate::types::Type;

/// Data-processing with one source: `M 0 S 11110 ftype 1 opcode(6) 10000 Rn Rd`.
pub(super) fn one_source(l: &mut Lifter) -> Result<(), SemError> {
    require_m_s_zero(l)?;
    let opcode = l.field(15, 6);
    match opcode {
        0b000000..=0b000011 => unary(l, opcode),
        0b000100..=0b000111 => fcvt(l, opcode & 0b11),
        0b001000..=0b001111 => frint(l, opcode & 0b111),
        0b010000..=0b010011 => frint_int(l, opcode & 0b11),
        _ => Err(SemError::Undefined),
    }
}

/// FMOV (register), FABS, FNEG, FSQRT: the value operations of one source. FABS and FNEG change
/// the sign bit only, NaNs included, as the manual's FPAbs and FPNeg do.
fn unary(l: &mut Lifter, opcode: u32) -> Result<(), SemError> {
    if is_half(l) {
        return half::unary(l, opcode);
    }
    let ty = insn_float_type(l)?;
    let x = l.vreg_as(l.field(5, 5), ty);
    let result = match opcode {
        0b00 => x,
        0b01 => l.b.unary(UnaryOp::Fabs, x),
        0b10 => l.b.unary(UnaryOp::Fneg, x),
        _ => l.b.unary(UnaryOp::Fsqrt, x),
    };
    l.set_vreg(l.field(0, 5), result);
    Ok(())
}

/// FCVT between precisions; `opc` names the destination's type as `ftype` names the source's.
/// Single and double convert with the IR's conversions, half to and from single or double with
/// integer operations (`fp_half.rs`). BFCVT (FEAT_BF16, encoded as ftype 01 with opc 10) is
/// unsupported.
fn fcvt(l: &mut Lifter, opc: u32) -> Result<(), SemError> {
    let ftype = l.field(22, 2);
    if ftype == opc || ftype == 0b10 {
        return Err(SemError::Undefined);
    }
    if opc == 0b10 {
        return if ftype == 0b01 { Err(SemError::Unsupported) } else { Err(SemError::Undefined) };
    }
    if ftype == 0b11 {
        let to = float_type(opc)?;
        let half = l.vreg_as(l.field(5, 5), Type::I16);
        let result = half::half_to_float(l, half, to, true);
        l.set_vreg(l.field(0, 5), result);
        return Ok(());
    }
    if opc == 0b11 {
        let from = float_type(ftype)?;
        return half::fcvt_to_half(l, from);
    }
    let from = float_type(ftype)?;
    let to = float_type(opc)?;
    let x = l.vreg_as(l.field(5, 5), from);
    let op = if to.bits() > from.bits() { ConvOp::Fpromote } else { ConvOp::Fdemote };
    let result = l.b.convert(op, to, x);
    l.set_vreg(l.field(0, 5), result);
    Ok(())
}

/// FRINTN, FRINTP, FRINTM, FRINTZ, FRINTA, FRINTX, FRINTI: round to an integral value in the
/// same format. FRINTX and FRINTI round with FPCR's mode (`RoundMode::Current`); FRINTX also
/// raises Inexact.
fn frint(l: &mut Lifter, rmode: u32) -> Result<(), SemError> {
    let round = match rmode {
        0b000 => RoundMode::Nearest,
        0b001 => RoundMode::Up,
        0b010 => RoundMode::Down,
        0b011 => RoundMode::Zero,
        0b100 => RoundMode::Away,
        // FRINTX (which also raises IXC) and FRINTI round as FPCR says.
        0b110 | 0b111 => RoundMode::Current,
        _ => return Err(SemError::Undefined),
    };
    let raise_inexact = rmode == 0b110;
    if is_half(l) {
        return half::frint(l, round, raise_inexact);
    }
    let ty = insn_float_type(l)?;
    let x = l.vreg_as(l.field(5, 5), ty);
    let result = if raise_inexact { round_current_raising(l, x) } else { l.b.round_fp(round, x) };
    l.set_vreg(l.field(0, 5), result);
    Ok(())
}

/// FRINT32Z, FRINT32X, FRINT64Z, FRINT64X (FEAT_FRINTTS): round to an integral value that fits
/// a 32- or 64-bit integer (`fp::round_to_int_n`, the manual's FPRoundIntN). The X forms round
/// with FPCR's mode.
fn frint_int(l: &mut Lifter, op: u32) -> Result<(), SemError> {
    let ty = match l.field(22, 2) {
        0b00 => Type::F32,
        0b01 => Type::F64,
        _ => return Err(SemError::Undefined),
    };
    let int_bits = if op & 0b10 == 0 { 32 } else { 64 };
    let round = if op & 1 == 0 { RoundMode::Zero } else { RoundMode::Current };
    let x = l.vreg_as(l.field(5, 5), ty);
    let result = round_to_int_n(l, x, int_bits, round);
    l.set_vreg(l.field(0, 5), result);
    Ok(())
}

/// Data-processing with two sources: `M 0 S 11110 ftype 1 Rm opcode(4) 10 Rn Rd`. FNMUL negates
/// the rounded product (NaN results included), as the manual's pseudocode does.
pub(super) fn two_source(l: &mut Lifter) -> Result<(), SemError> {
    require_m_s_zero(l)?;
    let op = match l.field(12, 4) {
        0b0000 | 0b1000 => BinaryOp::Fmul,
        0b0001 => BinaryOp::Fdiv,
        0b0010 => BinaryOp::Fadd,
        0b0011 => BinaryOp::Fsub,
        0b0100 => BinaryOp::Fmax,
        0b0101 => BinaryOp::Fmin,
        0b0110 => BinaryOp::Fmaxnm,
        0b0111 => BinaryOp::Fminnm,
        _ => return Err(SemError::Undefined),
    };
    let negate = l.field(12, 4) == 0b1000;
    if is_half(l) {
        return half::two_source(l, op, negate);
    }
    let ty = insn_float_type(l)?;
    let n = l.vreg_as(l.field(5, 5), ty);
    let m = l.vreg_as(l.field(16, 5), ty);
    let mut result = l.b.binary(op, n, m);
    if negate {
        result = l.b.unary(UnaryOp::Fneg, result);
    }
    l.set_vreg(l.field(0, 5), result);
    Ok(())
}

/// Data-processing with three sources: `M 0 S 11111 ftype o1 Rm o0 Ra Rn Rd`, one fused
/// multiply-add. As in the manual's pseudocode, the operands are negated (not the result):
/// FMADD is n*m + a, FMSUB (-n)*m + a, FNMADD (-n)*m - a and FNMSUB n*m - a.
pub(super) fn three_source(l: &mut Lifter) -> Result<(), SemError> {
    require_m_s_zero(l)?;
    let negate_addend = l.bit(21);
    let negate_product = l.bit(21) != l.bit(15);
    if is_half(l) {
        return half::three_source(l, negate_product, negate_addend);
    }
    let ty = insn_float_type(l)?;
    let mut n = l.vreg_as(l.field(5, 5), ty);
    let m = l.vreg_as(l.field(16, 5), ty);
    let mut a = l.vreg_as(l.field(10, 5), ty);
    if negate_product {
        n = l.b.unary(UnaryOp::Fneg, n);
    }
    if negate_addend {
        a = l.b.unary(UnaryOp::Fneg, a);
    }
    let result = fused_multiply_add(l, n, m, a);
    l.set_vreg(l.field(0, 5), result);
    Ok(())
}

/// The manual's FPMulAdd: `n * m + a` rounded once, with its one NaN rule the IR's `fma` lacks:
/// when the addend is a quiet NaN and the product is infinity times zero, the result is the
/// default NaN (the invalid product wins over the NaN's propagation). The IR's `fma` already
/// takes NaNs from the addend first, then the factors, signalling ones first. The extra select
/// can go once `fma` itself follows FPMulAdd.
pub(super) fn fused_multiply_add(l: &mut Lifter, n: Value, m: Value, a: Value) -> Value {
    let ty = l.b.value_type(n);
    let fused = l.b.fma(n, m, a);
    let infinity = float_const(l, ty, f64::INFINITY);
    let zero = float_const(l, ty, 0.0);
    let n_abs = l.b.unary(UnaryOp::Fabs, n);
    let m_abs = l.b.unary(UnaryOp::Fabs, m);
    let n_inf = l.b.fcmp(FloatCC::Oeq, n_abs, infinity);
    let m_inf = l.b.fcmp(FloatCC::Oeq, m_abs, infinity);
    let n_zero = l.b.fcmp(FloatCC::Oeq, n, zero);
    let m_zero = l.b.fcmp(FloatCC::Oeq, m, zero);
    let inf_zero = l.b.and(n_inf, m_zero);
    let zero_inf = l.b.and(n_zero, m_inf);
    let invalid_product = l.b.or(inf_zero, zero_inf);
    let a_nan = l.b.fcmp(FloatCC::Uno, a, a);
    let a_bits = l.b.bitcast(ty.as_int(), a);
    // The quiet bit is the fraction's top bit; the default NaN is positive with only it set.
    let (quiet_bit, default_nan_bits) =
        if ty == Type::F32 { (1u128 << 22, 0x7fc0_0000) } else { (1u128 << 51, 0x7ff8_0000_0000_0000) };
    let a_quiet_bit = l.b.and_imm(a_bits, quiet_bit);
    let a_quiet_bit_set = l.b.icmp_imm(IntCC::Ne, a_quiet_bit, 0);
    let a_quiet_nan = l.b.and(a_nan, a_quiet_bit_set);
    let default_nan_case = l.b.and(a_quiet_nan, invalid_product);
    // The host's fused multiply-add raises nothing when the addend is a quiet NaN; Arm raises IOC.
    l.raise_fpsr_if(default_nan_case, crate::a64::state::fpsr::IOC);
    let default_nan = l.b.iconst(ty, default_nan_bits);
    l.b.select(default_nan_case, default_nan, fused)
}
