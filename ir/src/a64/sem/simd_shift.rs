//! Advanced SIMD shifts by immediate (SHL, SSHR/USHR, SSRA/USRA, SRSHR/URSHR, SRSRA/URSRA,
//! SLI, SRI, SHRN/RSHRN and the saturating narrowing shifts, SSHLL/USHLL, fixed-point
//! SCVTF/UCVTF/FCVTZS/FCVTZU) in vector and scalar forms, and the modified-immediate class
//! (MOVI, MVNI, ORR, BIC, FMOV vector immediate).

use super::{read, read_half, rounding_shift_right, shift_right, shl_c, splat_const, write, write_half, Shape};
use crate::a64::lift::{Lifter, SemError};
use crate::inst::{BinaryOp, ConvOp, RoundMode};

/// AdvSIMDExpandImm: the 64-bit pattern of `op`, `cmode` and `imm8`, or None when reserved.
fn expand_imm(op: bool, cmode: u32, imm8: u64) -> Option<u64> {
    let rep32 = |x: u64| x | x << 32;
    let rep16 = |x: u64| x | x << 16 | x << 32 | x << 48;
    Some(match cmode >> 1 {
        0..=3 => rep32(imm8 << (8 * (cmode >> 1))),
        4 | 5 => rep16(imm8 << (8 * (cmode >> 1 & 1))),
        6 => rep32(if cmode & 1 == 0 { imm8 << 8 | 0xff } else { imm8 << 16 | 0xffff }),
        _ => match (cmode & 1, op) {
            (0, false) => imm8 * 0x0101_0101_0101_0101,
            (0, true) => (0..8).fold(0, |acc, i| if imm8 >> i & 1 == 1 { acc | 0xff << (8 * i) } else { acc }),
            (_, false) => {
                // An f32 immediate: a:NOT(b):bbbbb:cdefgh followed by zeros.
                let b = imm8 >> 6 & 1;
                let bits = (imm8 >> 7) << 31 | (b ^ 1) << 30 | (b * 0x1f) << 25 | (imm8 & 0x3f) << 19;
                rep32(bits)
            }
            (_, true) => {
                let b = imm8 >> 6 & 1;
                (imm8 >> 7) << 63 | (b ^ 1) << 62 | (b * 0xff) << 54 | (imm8 & 0x3f) << 48
            }
        },
    })
}

/// `0 Q op 0111100000 abc cmode o2 1 defgh Rd`.
pub(super) fn modified_immediate(l: &mut Lifter) -> Result<(), SemError> {
    let (q, op) = (l.bit(30), l.bit(29));
    let (cmode, rd) = (l.field(12, 4), l.field(0, 5));
    let imm8 = (l.field(16, 3) << 5 | l.field(5, 5)) as u64;
    if l.bit(11) {
        // o2 = 1: FMOV (vector, half precision) when op = 0 and cmode = 1111.
        return if !op && cmode == 0b1111 { super::fp16::fmov_immediate(l) } else { Err(SemError::Undefined) };
    }
    if cmode == 0b1111 && op && !q {
        return Err(SemError::Undefined);
    }
    let imm = expand_imm(op, cmode, imm8).ok_or(SemError::Undefined)?;
    let imm128 = if q { imm as u128 | (imm as u128) << 64 } else { imm as u128 };
    let shape = Shape::int(3, q);
    // ORR and BIC are the odd cmodes below 1100; MVNI is op = 1 with the other cmodes below 1110.
    let orr_bic = cmode < 0b1100 && cmode & 1 == 1;
    let r = if orr_bic {
        let d = read(l, rd, shape);
        if op {
            let c = l.b.iconst(shape.ty(), !imm128);
            l.b.and(d, c)
        } else {
            let c = l.b.iconst(shape.ty(), imm128);
            l.b.or(d, c)
        }
    } else if op && cmode < 0b1110 {
        l.b.iconst(shape.ty(), !imm128)
    } else {
        l.b.iconst(shape.ty(), imm128)
    };
    write(l, rd, r);
    Ok(())
}

/// `0 Q U 011110 immh immb opcode 1 Rn Rd` (immh nonzero), and the scalar form (bit 28 set).
pub(super) fn shift_immediate(l: &mut Lifter, scalar: bool) -> Result<(), SemError> {
    let (q, u) = (l.bit(30), l.bit(29));
    let (immh, immb, opcode, rn, rd) = (l.field(19, 4), l.field(16, 3), l.field(11, 5), l.field(5, 5), l.field(0, 5));
    let hsb = 31 - immh.leading_zeros();
    let ebits = 8u32 << hsb;
    let immhb = immh << 3 | immb;
    let right = 2 * ebits - immhb;
    let left = immhb - ebits;
    let narrowing = matches!(opcode, 0b10000..=0b10100);
    if narrowing {
        if hsb == 3 {
            return Err(SemError::Undefined);
        }
        if scalar && (opcode == 0b10100 || !u && opcode < 0b10010) {
            // No scalar SSHLL/USHLL, SHRN or RSHRN.
            return Err(SemError::Undefined);
        }
        return if opcode == 0b10100 {
            shift_long(l, u, q, hsb, left, rn, rd)
        } else {
            shift_narrow(l, scalar, u, q, opcode, hsb, right, rn, rd)
        };
    }
    if matches!(opcode, 0b11100 | 0b11111) {
        return fixed_point(l, scalar, u, q, hsb, right, opcode == 0b11111, rn, rd);
    }
    let shape = if scalar {
        if hsb != 3 && !matches!(opcode, 0b01100 | 0b01110) {
            return Err(SemError::Undefined);
        }
        Shape::scalar(super::int_lane(ebits))
    } else {
        if hsb == 3 && !q {
            return Err(SemError::Undefined);
        }
        Shape::int(hsb, q)
    };
    let signed = !u;
    let v = read(l, rn, shape);
    let r = match opcode {
        0b00000 => shift_right(l, v, right, signed, ebits),
        0b00010 => {
            let s = shift_right(l, v, right, signed, ebits);
            let d = read(l, rd, shape);
            l.b.add(d, s)
        }
        0b00100 => rounding_shift_right(l, v, right, signed, ebits),
        0b00110 => {
            let s = rounding_shift_right(l, v, right, signed, ebits);
            let d = read(l, rd, shape);
            l.b.add(d, s)
        }
        0b01000 if u => {
            // SRI: the shifted bits replace Vd's, the top `right` bits of Vd stay.
            let s = shift_right(l, v, right, false, ebits);
            let keep = if right >= ebits { u128::MAX } else { !(crate::interp::mask(ebits) >> right) };
            let d = read(l, rd, shape);
            let k = splat_const(l, shape, keep);
            let d = l.b.and(d, k);
            l.b.or(d, s)
        }
        0b01010 => {
            let s = shl_c(l, v, left);
            if u {
                // SLI: Vd keeps its low `left` bits.
                let d = read(l, rd, shape);
                let k = splat_const(l, shape, (1u128 << left) - 1);
                let d = l.b.and(d, k);
                l.b.or(d, s)
            } else {
                s
            }
        }
        0b01100 if u => super::sat::saturating_shl_imm(l, v, left, true, false, shape),
        0b01110 => super::sat::saturating_shl_imm(l, v, left, signed, signed, shape),
        _ => return Err(SemError::Undefined),
    };
    write(l, rd, r);
    Ok(())
}

/// SSHLL/USHLL (UXTL/SXTL) and their "2" forms: widen the low (or high) half, shift left.
fn shift_long(l: &mut Lifter, u: bool, q: bool, hsb: u32, left: u32, rn: u32, rd: u32) -> Result<(), SemError> {
    let half = Shape::int(hsb, false);
    let v = read_half(l, rn, q, half);
    let wide = half.with_ebits(16 << hsb);
    let x = if u { l.b.uext(wide.ty(), v) } else { l.b.sext(wide.ty(), v) };
    let r = shl_c(l, x, left);
    write(l, rd, r);
    Ok(())
}

/// SHRN/RSHRN (U = 0, vector only) and the saturating SQSHRUN/SQRSHRUN (U = 1), SQSHRN/SQRSHRN, UQSHRN/UQRSHRN.
#[allow(clippy::too_many_arguments)]
fn shift_narrow(
    l: &mut Lifter,
    scalar: bool,
    u: bool,
    q: bool,
    opcode: u32,
    hsb: u32,
    right: u32,
    rn: u32,
    rd: u32,
) -> Result<(), SemError> {
    let wide = if scalar { Shape::scalar(super::int_lane(16 << hsb)) } else { Shape::int(hsb + 1, true) };
    let wbits = wide.ebits();
    let round = opcode & 1 == 1;
    let v = read(l, rn, wide);
    // Whether the source is signed, and how the result saturates (None: plain truncation).
    let (signed_in, sat) = match (opcode >> 1 & 1, u) {
        (0, false) => (false, None),
        (0, true) => (true, Some(false)),
        (_, false) => (true, Some(true)),
        (_, true) => (false, Some(false)),
    };
    let s = if round {
        rounding_shift_right(l, v, right, signed_in, wbits)
    } else {
        shift_right(l, v, right, signed_in, wbits)
    };
    let n = match sat {
        None => l.b.trunc(wide.with_ebits(wbits / 2).ty(), s),
        Some(signed_out) => super::misc::saturate_narrow(l, s, wide, signed_in, signed_out),
    };
    if scalar {
        write(l, rd, n);
    } else {
        write_half(l, rd, q, n);
    }
    Ok(())
}

/// SCVTF/UCVTF and FCVTZS/FCVTZU with `fbits` fraction bits, vector and scalar.
#[allow(clippy::too_many_arguments)]
fn fixed_point(
    l: &mut Lifter,
    scalar: bool,
    u: bool,
    q: bool,
    hsb: u32,
    fbits: u32,
    to_int: bool,
    rn: u32,
    rd: u32,
) -> Result<(), SemError> {
    match hsb {
        0 => return Err(SemError::Undefined),
        1 => return super::fp16::fixed_point(l, scalar, u, fbits, to_int, rn, rd),
        3 if !scalar && !q => return Err(SemError::Undefined),
        _ => {}
    }
    let double = hsb == 3;
    let fshape = if scalar { Shape::scalar(super::float_lane(8 << hsb)) } else { Shape::float(double, q) };
    let ishape = fshape.as_int();
    let scale = if double { (1023u128 + fbits as u128) << 52 } else { (127u128 + fbits as u128) << 23 };
    let scale = splat_const(l, fshape, scale);
    let r = if to_int {
        let v = read(l, rn, fshape);
        let x = crate::a64::sem::fp::scale_to_fixed(l, v, fbits, ishape.ebits());
        crate::a64::sem::fp::to_int_raising(l, ishape.ty(), ishape.ebits(), !u, RoundMode::Zero, x)
    } else {
        let v = read(l, rn, ishape);
        let x = l.b.convert(if u { ConvOp::Utof } else { ConvOp::Stof }, fshape.ty(), v);
        l.b.binary(BinaryOp::Fdiv, x, scale)
    };
    write(l, rd, r);
    Ok(())
}
