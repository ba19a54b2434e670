//! Generators of the scalar floating-point classes: arithmetic with two and three sources
//! (FADD, FSUB, FMUL, FDIV, FMAX, FMIN, FMAXNM, FMINNM, FNMUL, FMADD, FMSUB, FNMADD, FNMSUB),
//! one source (FMOV, FABS, FNEG, FSQRT, FCVT between precisions, FRINT*), compares and
//! conditional forms (FCMP, FCMPE, FCCMP, FCCMPE, FCSEL), and conversions (FCVT[NPMZA][SU],
//! SCVTF, UCVTF, their fixed-point forms, FMOV to and from general registers, FMOV immediate).
//! Single and double precision mostly; half precision (FEAT_FP16) now and then. Vector
//! registers start with special values (zeros, infinities, NaNs, denormals) in their lanes.

use crate::difftest::case::MachineState;
use crate::difftest::gen::{reg, Class, Shape};
use crate::difftest::rng::Rng;

/// The ftype field: single, double, or (one time in eight) half precision.
fn ftype(rng: &mut Rng) -> u32 {
    if rng.chance(1, 8) {
        3
    } else {
        rng.bits(1)
    }
}

/// A SIMD&FP register number.
fn vreg(rng: &mut Rng) -> u32 {
    rng.bits(5)
}

/// Two-source arithmetic and the fused multiply-adds.
fn arith(rng: &mut Rng, _: &mut MachineState) -> u32 {
    let ty = ftype(rng);
    let (rd, rn, rm) = (vreg(rng), vreg(rng), vreg(rng));
    if rng.chance(1, 3) {
        let (o1, o0, ra) = (rng.bits(1), rng.bits(1), vreg(rng));
        0x1f00_0000 | ty << 22 | o1 << 21 | rm << 16 | o0 << 15 | ra << 10 | rn << 5 | rd
    } else {
        let opcode = rng.below(9) as u32;
        0x1e20_0800 | ty << 22 | rm << 16 | opcode << 12 | rn << 5 | rd
    }
}

/// One-source operations: FMOV, FABS, FNEG, FSQRT, FCVT to another precision, FRINT[NPMZAXI].
fn unary(rng: &mut Rng, _: &mut MachineState) -> u32 {
    let ty = ftype(rng);
    let conversions: Vec<u32> =
        [(4u32, 0u32), (5, 1), (7, 3)].iter().filter(|&&(_, t)| t != ty).map(|&(op, _)| op).collect();
    let opcode =
        if rng.chance(1, 4) { rng.pick(&conversions) } else { rng.pick(&[0u32, 1, 2, 3, 8, 9, 10, 11, 12, 14, 15]) };
    0x1e20_4000 | ty << 22 | opcode << 15 | vreg(rng) << 5 | vreg(rng)
}

/// FCMP/FCMPE (with a register or zero), FCCMP/FCCMPE, FCSEL.
fn compare(rng: &mut Rng, _: &mut MachineState) -> u32 {
    let ty = ftype(rng);
    let (rn, rm) = (vreg(rng), vreg(rng));
    match rng.below(3) {
        0 => {
            let opcode2 = rng.pick(&[0u32, 8, 16, 24]);
            let rm = if opcode2 & 8 != 0 { 0 } else { rm };
            0x1e20_2000 | ty << 22 | rm << 16 | rn << 5 | opcode2
        }
        1 => 0x1e20_0400 | ty << 22 | rm << 16 | rng.bits(4) << 12 | rn << 5 | rng.bits(1) << 4 | rng.bits(4),
        _ => 0x1e20_0c00 | ty << 22 | rm << 16 | rng.bits(4) << 12 | rn << 5 | vreg(rng),
    }
}

/// Conversions between floating point and integers or fixed point, FMOV between register
/// files, FMOV immediate.
fn convert(rng: &mut Rng, _: &mut MachineState) -> u32 {
    let ty = ftype(rng);
    let sf = rng.bits(1);
    match rng.below(6) {
        0 | 1 => {
            // FCVT{N,P,M,Z}{S,U} and FCVTA{S,U}: FP to a general register.
            let (rmode, opcode) = if rng.chance(1, 5) { (0, 4 | rng.bits(1)) } else { (rng.bits(2), rng.bits(1)) };
            0x1e20_0000 | sf << 31 | ty << 22 | rmode << 19 | opcode << 16 | vreg(rng) << 5 | reg(rng, 8)
        }
        2 => {
            // SCVTF/UCVTF from a general register.
            0x1e22_0000 | sf << 31 | ty << 22 | rng.bits(1) << 16 | reg(rng, 8) << 5 | vreg(rng)
        }
        3 => {
            // Fixed point: SCVTF/UCVTF (rmode 00, opcode 01x) and FCVTZS/FCVTZU (rmode 11, 00x).
            let to_fp = rng.bits(1);
            let (rmode, opcode) = if to_fp == 1 { (0, 2 | rng.bits(1)) } else { (3, rng.bits(1)) };
            let scale = if sf == 1 { rng.bits(6) } else { 32 | rng.bits(5) };
            let (rn, rd) = if to_fp == 1 { (reg(rng, 8), vreg(rng)) } else { (vreg(rng), reg(rng, 8)) };
            0x1e00_0000 | sf << 31 | ty << 22 | rmode << 19 | opcode << 16 | scale << 10 | rn << 5 | rd
        }
        4 => {
            // FMOV between a general and an FP register (sizes matching), or the top half of v.
            let to_fp = rng.bits(1);
            let (sf, ty, rmode) = match rng.below(3) {
                0 => (0, 0, 0),
                1 => (1, 1, 0),
                _ => (1, 2, 1),
            };
            let (rn, rd) = if to_fp == 1 { (reg(rng, 8), vreg(rng)) } else { (vreg(rng), reg(rng, 8)) };
            0x1e26_0000 | sf << 31 | ty << 22 | rmode << 19 | to_fp << 16 | rn << 5 | rd
        }
        _ => 0x1e20_1000 | ty << 22 | rng.bits(8) << 13 | vreg(rng),
    }
}

/// The scalar floating-point classes.
pub const CLASSES: &[Class] = &[
    Class { name: "fp-arith", shape: Shape::Seq { max: 12, gens: &[arith] } },
    Class { name: "fp-unary", shape: Shape::Seq { max: 12, gens: &[unary] } },
    Class { name: "fp-compare", shape: Shape::Seq { max: 12, gens: &[compare] } },
    Class { name: "fp-convert", shape: Shape::Seq { max: 12, gens: &[convert] } },
];
