//! Generators of the Advanced SIMD scalar groups: the integer and floating-point operations of
//! the vector groups on one element in a SIMD&FP register (three-same, two-register miscellany,
//! pairwise, shifts by immediate, DUP of an element, three-different and by-element saturating
//! multiplies, SQRDMLAH/SQRDMLSH). Every allocated opcode of each group is drawn, on its valid
//! sizes (several integer ones exist for 64-bit elements only).

use crate::difftest::case::MachineState;
use crate::difftest::gen::{pick_sized, vreg, Class, Shape};
use crate::difftest::rng::Rng;

/// Scalar three-same, integer and floating-point.
fn three_same(rng: &mut Rng, _: &mut MachineState) -> u32 {
    const OPS: &[(u32, u32, u32, u32)] = &[
        (0, 0b00001, 0, 3), // SQADD
        (1, 0b00001, 0, 3), // UQADD
        (0, 0b00101, 0, 3), // SQSUB
        (1, 0b00101, 0, 3), // UQSUB
        (0, 0b00110, 3, 3), // CMGT
        (1, 0b00110, 3, 3), // CMHI
        (0, 0b00111, 3, 3), // CMGE
        (1, 0b00111, 3, 3), // CMHS
        (0, 0b01000, 3, 3), // SSHL
        (1, 0b01000, 3, 3), // USHL
        (0, 0b01001, 0, 3), // SQSHL
        (1, 0b01001, 0, 3), // UQSHL
        (0, 0b01010, 3, 3), // SRSHL
        (1, 0b01010, 3, 3), // URSHL
        (0, 0b01011, 0, 3), // SQRSHL
        (1, 0b01011, 0, 3), // UQRSHL
        (0, 0b10000, 3, 3), // ADD
        (1, 0b10000, 3, 3), // SUB
        (0, 0b10001, 3, 3), // CMTST
        (1, 0b10001, 3, 3), // CMEQ
        (0, 0b10110, 1, 2), // SQDMULH
        (1, 0b10110, 1, 2), // SQRDMULH
    ];
    if rng.chance(1, 3) {
        // FMULX, FCMEQ, FRECPS, FRSQRTS, FCMGE, FACGE, FABD, FCMGT, FACGT; bit 22 picks double.
        let op = rng.pick(&[
            0x5e20_dc00u32,
            0x5e20_e400,
            0x5e20_fc00,
            0x5ea0_fc00,
            0x7e20_e400,
            0x7e20_ec00,
            0x7ea0_d400,
            0x7ea0_e400,
            0x7ea0_ec00,
        ]);
        return op | rng.bits(1) << 22 | vreg(rng) << 16 | vreg(rng) << 5 | vreg(rng);
    }
    let (u, opcode, size) = pick_sized(rng, OPS);
    0x5e20_0400 | u << 29 | size << 22 | vreg(rng) << 16 | opcode << 11 | vreg(rng) << 5 | vreg(rng)
}

/// Scalar two-register miscellany, integer and floating-point.
fn misc(rng: &mut Rng, _: &mut MachineState) -> u32 {
    const OPS: &[(u32, u32, u32, u32)] = &[
        (0, 0b00011, 0, 3), // SUQADD
        (1, 0b00011, 0, 3), // USQADD
        (0, 0b00111, 0, 3), // SQABS
        (1, 0b00111, 0, 3), // SQNEG
        (0, 0b01000, 3, 3), // CMGT #0
        (1, 0b01000, 3, 3), // CMGE #0
        (0, 0b01001, 3, 3), // CMEQ #0
        (1, 0b01001, 3, 3), // CMLE #0
        (0, 0b01010, 3, 3), // CMLT #0
        (0, 0b01011, 3, 3), // ABS
        (1, 0b01011, 3, 3), // NEG
        (1, 0b10010, 0, 2), // SQXTUN
        (0, 0b10100, 0, 2), // SQXTN
        (1, 0b10100, 0, 2), // UQXTN
    ];
    if rng.chance(1, 2) {
        // (U, o2, opcode): those of the vector group with a scalar form, FRECPX and FCVTXN.
        const SCALAR_ONLY: &[(u32, u32, u32)] = &[
            (0, 1, 0b11111), // FRECPX
            (1, 0, 0b10110), // FCVTXN (double to single only)
        ];
        let (u, o2, opcode) = super::simd::pick_fp_misc(rng, SCALAR_ONLY);
        let sz = if opcode == 0b10110 { 1 } else { rng.bits(1) };
        return 0x5e20_0800 | u << 29 | o2 << 23 | sz << 22 | opcode << 12 | vreg(rng) << 5 | vreg(rng);
    }
    let (u, opcode, size) = pick_sized(rng, OPS);
    0x5e20_0800 | u << 29 | size << 22 | opcode << 12 | vreg(rng) << 5 | vreg(rng)
}

/// Scalar pairwise: ADDP of two 64-bit lanes, FADDP, FMAXP, FMINP, FMAXNMP, FMINNMP.
fn pairwise(rng: &mut Rng, _: &mut MachineState) -> u32 {
    let op = rng.pick(&[0x5ef1_b800u32, 0x7e30_d800, 0x7e30_f800, 0x7eb0_f800, 0x7e30_c800, 0x7eb0_c800]);
    let sz = if op == 0x5ef1_b800 { 0 } else { rng.bits(1) };
    op | sz << 22 | vreg(rng) << 5 | vreg(rng)
}

/// Scalar shifts by immediate, the saturating, narrowing and fixed-point forms included.
fn shift_imm(rng: &mut Rng, _: &mut MachineState) -> u32 {
    // The vector group's table without its vector-only narrowing and widening shifts (SHRN, RSHRN,
    // SSHLL, USHLL); the plain shifts (opcodes up to SLI's) exist for 64-bit elements only.
    let scalar: Vec<(u32, u32, u32, u32)> = super::simd::SHIFT_IMMEDIATE
        .iter()
        .filter(|&&(u, opcode, _, _)| !(u == 0 && matches!(opcode, 0b10000 | 0b10001)) && opcode != 0b10100)
        .map(|&(u, opcode, lo, hi)| (u, opcode, if opcode <= 0b01010 { 3 } else { lo }, hi))
        .collect();
    let (u, opcode, size) = pick_sized(rng, &scalar);
    let immh_immb = (8 << size) | rng.bits(3 + size);
    0x5f00_0400 | u << 29 | immh_immb << 16 | opcode << 11 | vreg(rng) << 5 | vreg(rng)
}

/// DUP (element, scalar), the saturating doubling multiplies of three-different and by element,
/// and SQRDMLAH/SQRDMLSH (three-same-extra and by element), FMLA/FMLS/FMUL/FMULX by element.
fn elements(rng: &mut Rng, _: &mut MachineState) -> u32 {
    let (rd, rn) = (vreg(rng), vreg(rng));
    match rng.below(5) {
        0 => {
            let size = rng.bits(2);
            let imm5 = rng.bits(4 - size) << (size + 1) | 1 << size;
            0x5e00_0400 | imm5 << 16 | rn << 5 | rd
        }
        // SQDMLAL, SQDMLSL, SQDMULL (16- and 32-bit sources).
        1 => {
            let opcode = rng.pick(&[0b1001u32, 0b1011, 0b1101]);
            0x5e20_0000 | (rng.range(1, 2) as u32) << 22 | vreg(rng) << 16 | opcode << 12 | rn << 5 | rd
        }
        // SQRDMLAH, SQRDMLSH.
        2 => 0x7e00_8400 | (rng.range(1, 2) as u32) << 22 | vreg(rng) << 16 | rng.bits(1) << 11 | rn << 5 | rd,
        // By element: SQDMLAL, SQDMLSL, SQDMULL, SQDMULH, SQRDMULH, SQRDMLAH, SQRDMLSH (see
        // simd_long.rs for the index fields).
        3 => {
            let (u, opcode) = rng.pick(&[
                (0u32, 0b0011u32),
                (0, 0b0111),
                (0, 0b1011),
                (0, 0b1100),
                (0, 0b1101),
                (1, 0b1101),
                (1, 0b1111),
            ]);
            0x5f00_0000
                | u << 29
                | (rng.range(1, 2) as u32) << 22
                | rng.bits(1) << 21
                | rng.bits(5) << 16
                | opcode << 12
                | rng.bits(1) << 11
                | rn << 5
                | rd
        }
        // FMLA, FMLS, FMUL, FMULX by element: the index is H:L for single, H for double.
        _ => {
            let op = rng.pick(&[0x5f80_1000u32, 0x5f80_5000, 0x5f80_9000, 0x7f80_9000]);
            let sz = rng.bits(1);
            let l = if sz == 1 { 0 } else { rng.bits(1) };
            op | sz << 22 | l << 21 | vreg(rng) << 16 | rng.bits(1) << 11 | rn << 5 | rd
        }
    }
}

/// The class.
pub const CLASSES: &[Class] = &[Class {
    name: "simd-scalar",
    shape: Shape::Seq { max: 12, gens: &[three_same, misc, pairwise, shift_imm, elements] },
}];
