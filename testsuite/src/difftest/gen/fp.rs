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

/// One-source operations: FMOV, FABS, FNEG, FSQRT, FCVT to another precision, FRINT[NPMZAXI],
/// and FRINT32Z/X, FRINT64Z/X (opcodes 16-19, single and double only).
fn unary(rng: &mut Rng, _: &mut MachineState) -> u32 {
    let ty = ftype(rng);
    let conversions: Vec<u32> =
        [(4u32, 0u32), (5, 1), (7, 3)].iter().filter(|&&(_, t)| t != ty).map(|&(op, _)| op).collect();
    let opcode = if ty < 2 && rng.chance(1, 5) {
        16 + rng.bits(2)
    } else if rng.chance(1, 4) {
        rng.pick(&conversions)
    } else {
        rng.pick(&[0u32, 1, 2, 3, 8, 9, 10, 11, 12, 14, 15])
    };
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

/// Sequences in which float operations read and overwrite each other's results through a few
/// registers (v0-v4), which start with special values: chains of scalar and vector arithmetic,
/// square roots and fused multiply-adds whose intermediate results only the next operation reads,
/// stored to and loaded from the stack, compared and converted to integers. The translated
/// program checks such chains for NaNs at their ends and rebuilds the intermediate NaNs on a cold
/// path (translator/src/llvm/lower/deferred_nan.rs); random registers out of 32 seldom make one.
fn chain(rng: &mut Rng, st: &mut MachineState) -> Vec<u32> {
    let pool = |rng: &mut Rng| rng.below(5) as u32;
    for v in st.v.iter_mut().take(5) {
        *v = if rng.chance(1, 2) {
            let lanes: [u32; 4] = std::array::from_fn(|_| rng.edgy_f32());
            lanes.iter().rev().fold(0u128, |acc, &l| acc << 32 | l as u128)
        } else {
            (rng.edgy_f64() as u128) << 64 | rng.edgy_f64() as u128
        };
    }
    let len = rng.range(2, 12) as usize;
    (0..len)
        .map(|_| {
            let (rd, rn, rm) = (pool(rng), pool(rng), pool(rng));
            let ty = rng.bits(1);
            match rng.below(8) {
                // FMUL, FDIV, FADD, FSUB, FNMUL.
                0 | 1 => {
                    let opcode = rng.pick(&[0u32, 1, 2, 3, 8]);
                    0x1e20_0800 | ty << 22 | rm << 16 | opcode << 12 | rn << 5 | rd
                }
                // FMADD, FMSUB, FNMADD, FNMSUB.
                2 => {
                    0x1f00_0000
                        | ty << 22
                        | rng.bits(1) << 21
                        | rm << 16
                        | rng.bits(1) << 15
                        | pool(rng) << 10
                        | rn << 5
                        | rd
                }
                // FSQRT.
                3 => 0x1e21_c000 | ty << 22 | rn << 5 | rd,
                // FADD, FSUB, FMUL, FDIV, FMLA, FMLS on .2s, .4s or .2d.
                4 | 5 => {
                    let (u, a, opcode) = rng.pick(&[
                        (0u32, 0u32, 0x1au32),
                        (0, 1, 0x1a),
                        (1, 0, 0x1b),
                        (1, 0, 0x1f),
                        (0, 0, 0x19),
                        (0, 1, 0x19),
                    ]);
                    let (q, sz) = rng.pick(&[(0u32, 0u32), (1, 0), (1, 1)]);
                    0x0e20_0400 | q << 30 | u << 29 | a << 23 | sz << 22 | rm << 16 | opcode << 11 | rn << 5 | rd
                }
                // FCMP, FCMPE; FCVTZS to x0-x4.
                6 if rng.chance(1, 3) => 0x9e38_0000 | ty << 22 | rn << 5 | rd,
                6 => 0x1e20_2000 | ty << 22 | rm << 16 | rn << 5 | rng.pick(&[0u32, 16]),
                // STR or LDR of d or q at [sp, #0..48].
                _ => {
                    let offset = rng.below(4) as u32;
                    let base = rng.pick(&[0xfd00_0000u32, 0xfd40_0000, 0x3d80_0000, 0x3dc0_0000]);
                    // A q register's offset is scaled by 16, a d register's by 8.
                    let scaled = if base >> 24 == 0x3d { offset } else { offset * 2 };
                    base | scaled << 10 | 31 << 5 | rd
                }
            }
        })
        .collect()
}

/// The scalar floating-point classes.
pub const CLASSES: &[Class] = &[
    Class { name: "fp-arith", shape: Shape::Seq { max: 12, gens: &[arith] } },
    Class { name: "fp-unary", shape: Shape::Seq { max: 12, gens: &[unary] } },
    Class { name: "fp-compare", shape: Shape::Seq { max: 12, gens: &[compare] } },
    Class { name: "fp-convert", shape: Shape::Seq { max: 12, gens: &[convert] } },
    Class { name: "fp-chain", shape: Shape::Whole(chain) },
];
