//! Scalar floating-point compares and the instructions that sit beside them in the decode
//! table: FCMP and FCMPE (with a register or #0.0), FCCMP and FCCMPE, FCSEL, and FMOV with an
//! 8-bit immediate. FCMPE and FCCMPE differ from FCMP and FCCMP only in raising Invalid Operation
//! for quiet NaNs, so each pair shares one function, which raises IOC for the E form. Half
//! precision compares its operands widened to single (exact), and selects and moves its bits.

use super::{fp_compare_flags, half, insn_float_type, is_half, require_m_s_zero};
use crate::a64::lift::{Lifter, SemError};
use crate::a64::state::fpsr;
use crate::entities::Value;
use crate::inst::FloatCC;
use crate::types::Type;

/// FCMP, FCMPE: `M 0 S 11110 ftype 1 Rm op(2) 1000 Rn opcode2(5)`; opcode2 bit 3 compares with
/// +0.0 instead of Rm, bit 4 is the E (signalling) form.
pub(super) fn compare(l: &mut Lifter) -> Result<(), SemError> {
    require_m_s_zero(l)?;
    if l.field(14, 2) != 0 || l.field(0, 3) != 0 {
        return Err(SemError::Undefined);
    }
    let (n, m) = if is_half(l) {
        let n = half::operand(l, l.field(5, 5));
        let m = if l.bit(3) { l.b.iconst(Type::F32, 0) } else { half::operand(l, l.field(16, 5)) };
        (n, m)
    } else {
        let ty = insn_float_type(l)?;
        let n = l.vreg_as(l.field(5, 5), ty);
        let m = if l.bit(3) { l.b.iconst(ty, 0) } else { l.vreg_as(l.field(16, 5), ty) };
        (n, m)
    };
    let [flag_n, flag_z, flag_c, flag_v] = fp_compare_flags(l, n, m);
    l.set_nzcv(flag_n, flag_z, flag_c, flag_v);
    if l.bit(4) {
        raise_invalid_if_unordered(l, n, m);
    }
    Ok(())
}

/// The E forms' exception: FCMPE and FCCMPE raise IOC for a quiet NaN operand too (a signalling
/// one raises it in every form, and the host's compare does that itself).
fn raise_invalid_if_unordered(l: &mut Lifter, n: Value, m: Value) {
    let unordered = l.b.fcmp(FloatCC::Uno, n, m);
    l.raise_fpsr_if(unordered, fpsr::IOC);
}

/// FCCMP, FCCMPE: `M 0 S 11110 ftype 1 Rm cond 01 Rn op nzcv`. When `cond` holds, the flags are
/// those of comparing Rn with Rm; otherwise they are the immediate `nzcv`, and no exception is
/// raised, so the operands compared then are zeros (the host's compare of a signalling NaN would
/// raise invalid).
pub(super) fn cond_compare(l: &mut Lifter) -> Result<(), SemError> {
    require_m_s_zero(l)?;
    let (n, m) = if is_half(l) {
        half::compare_operands(l)
    } else {
        let ty = insn_float_type(l)?;
        (l.vreg_as(l.field(5, 5), ty), l.vreg_as(l.field(16, 5), ty))
    };
    let holds = l.cond_holds(l.field(12, 4));
    let zero = l.b.iconst(l.b.value_type(n), 0);
    let n = l.b.select(holds, n, zero);
    let m = l.b.select(holds, m, zero);
    let compared = fp_compare_flags(l, n, m);
    let nzcv = l.field(0, 4);
    let mut flags = compared;
    for (i, flag) in flags.iter_mut().enumerate() {
        let immediate = l.b.bool(nzcv >> (3 - i) & 1 != 0);
        *flag = l.b.select(holds, compared[i], immediate);
    }
    let [flag_n, flag_z, flag_c, flag_v] = flags;
    l.set_nzcv(flag_n, flag_z, flag_c, flag_v);
    if l.bit(4) {
        raise_invalid_if_unordered(l, n, m);
    }
    Ok(())
}

/// FCSEL: `M 0 S 11110 ftype 1 Rm cond 11 Rn Rd`; Rd = cond ? Rn : Rm (a half as its bits).
pub(super) fn cond_select(l: &mut Lifter) -> Result<(), SemError> {
    require_m_s_zero(l)?;
    let ty = if is_half(l) { Type::I16 } else { insn_float_type(l)? };
    let n = l.vreg_as(l.field(5, 5), ty);
    let m = l.vreg_as(l.field(16, 5), ty);
    let holds = l.cond_holds(l.field(12, 4));
    let result = l.b.select(holds, n, m);
    l.set_vreg(l.field(0, 5), result);
    Ok(())
}

/// FMOV (scalar, immediate): `M 0 S 11110 ftype 1 imm8 100 imm5 Rd`, imm5 zero.
pub(super) fn fmov_imm(l: &mut Lifter) -> Result<(), SemError> {
    require_m_s_zero(l)?;
    if l.field(5, 5) != 0 {
        return Err(SemError::Undefined);
    }
    let ty = if is_half(l) { Type::I16 } else { insn_float_type(l)? };
    let bits = vfp_expand_imm(l.field(13, 8), ty);
    let value = l.b.iconst(ty, bits as u128);
    l.set_vreg(l.field(0, 5), value);
    Ok(())
}

/// The manual's VFPExpandImm for half (`ty` I16, the bits of a half), single (F32) or double
/// precision (F64): sign = imm8<7>, exponent = NOT(imm8<6>) : Replicate(imm8<6>, E-3) : imm8<5:4>,
/// fraction = imm8<3:0> then zeros.
fn vfp_expand_imm(imm8: u32, ty: Type) -> u64 {
    let (exp_bits, frac_bits) = match ty {
        Type::I16 => (5u32, 10u32),
        Type::F32 => (8, 23),
        _ => (11, 52),
    };
    let imm8 = imm8 as u64;
    let sign = imm8 >> 7 & 1;
    let b6 = imm8 >> 6 & 1;
    let replicated = if b6 == 1 { (1u64 << (exp_bits - 3)) - 1 } else { 0 };
    let exponent = (b6 ^ 1) << (exp_bits - 1) | replicated << 2 | (imm8 >> 4 & 0b11);
    let fraction = (imm8 & 0xf) << (frac_bits - 4);
    sign << (exp_bits + frac_bits) | exponent << frac_bits | fraction
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vfp_expand_imm_matches_known_constants() {
        // Values as the assembler encodes them: 1.0 is imm8 0x70, -0.125 is 0xc0, 31.0 is 0x3f.
        assert_eq!(vfp_expand_imm(0x70, Type::F64), 1.0f64.to_bits());
        assert_eq!(vfp_expand_imm(0xc0, Type::F32), (-0.125f32).to_bits() as u64);
        assert_eq!(vfp_expand_imm(0x3f, Type::F64), 31.0f64.to_bits());
        assert_eq!(vfp_expand_imm(0x00, Type::F32), 2.0f32.to_bits() as u64);
        assert_eq!(vfp_expand_imm(0x7f, Type::F32), 1.9375f32.to_bits() as u64);
        // Half precision: 1.0 is 0x3c00, -0.125 is 0xb000, 31.0 is 0x4fc0, 2.0 is 0x4000.
        assert_eq!(vfp_expand_imm(0x70, Type::I16), 0x3c00);
        assert_eq!(vfp_expand_imm(0xc0, Type::I16), 0xb000);
        assert_eq!(vfp_expand_imm(0x3f, Type::I16), 0x4fc0);
        assert_eq!(vfp_expand_imm(0x00, Type::I16), 0x4000);
    }
}
