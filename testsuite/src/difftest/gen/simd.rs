//! Generators of the Advanced SIMD classes: integer three-same (ADD, SUB, MUL, MLA, MLS, CMEQ,
//! CMGT, CMHI, CMTST, AND, BIC, ORR, ORN, EOR, BSL, BIT, BIF, min/max, absolute difference,
//! halving and saturating adds, SSHL/USHL, ADDP), two-register miscellany (REV*, CNT, NOT, RBIT,
//! ABS, NEG, compares with zero, XTN), permutes (ZIP, UZP, TRN), EXT, TBL/TBX, copies (DUP,
//! INS, UMOV, SMOV), across-lanes reductions (ADDV, [SU]ADDLV, [SU]MAXV, [SU]MINV), shifts by
//! immediate (SHL, SLI, [SU]SHR, [SU]SRA, [SU]RSHR, SRI, SHRN, [SU]SHLL), MOVI/MVNI/ORR/BIC
//! immediate, and floating-point vector arithmetic (FADD, FSUB, FMUL, FDIV, FMAX, FMIN).
//! Reserved size/Q combinations are not drawn. The half-precision (FEAT_FP16) forms have their
//! own class, `simd-fp16`, in `simd_fp16.rs`. The crypto class draws AES, SHA-1, SHA-256, SHA-512,
//! SHA-3 (EOR3, BCAX, RAX1, XAR) and PMULL/PMULL2 (8- and 64-bit).

use crate::difftest::case::MachineState;
use crate::difftest::gen::{reg, Class, Shape};
use crate::difftest::rng::Rng;

fn vreg(rng: &mut Rng) -> u32 {
    rng.bits(5)
}

/// A (Q, size) pair; `max_size` bounds the size, and 64-bit lanes (size 3) force Q = 1.
fn q_size(rng: &mut Rng, max_size: u32) -> (u32, u32) {
    let size = rng.below(max_size as u64 + 1) as u32;
    let q = if size == 3 { 1 } else { rng.bits(1) };
    (q, size)
}

/// Integer three-same operations.
fn three_same(rng: &mut Rng, _: &mut MachineState) -> u32 {
    // (U, opcode, largest size): size 3 needs Q = 1 and is allowed only where noted.
    const OPS: &[(u32, u32, u32)] = &[
        (0, 0b10000, 3), // ADD
        (1, 0b10000, 3), // SUB
        (0, 0b10011, 2), // MUL
        (0, 0b10010, 2), // MLA
        (1, 0b10010, 2), // MLS
        (1, 0b10001, 3), // CMEQ
        (0, 0b10001, 3), // CMTST
        (0, 0b00110, 3), // CMGT
        (0, 0b00111, 3), // CMGE
        (1, 0b00110, 3), // CMHI
        (1, 0b00111, 3), // CMHS
        (0, 0b01100, 2), // SMAX
        (0, 0b01101, 2), // SMIN
        (1, 0b01100, 2), // UMAX
        (1, 0b01101, 2), // UMIN
        (0, 0b01110, 2), // SABD
        (1, 0b01110, 2), // UABD
        (0, 0b00000, 2), // SHADD
        (1, 0b00010, 2), // URHADD
        (0, 0b00001, 3), // SQADD
        (1, 0b00101, 3), // UQSUB
        (0, 0b01000, 3), // SSHL
        (1, 0b01000, 3), // USHL
        (0, 0b10111, 3), // ADDP
    ];
    let (u, opcode, max) = rng.pick(OPS);
    let (q, size) = q_size(rng, max);
    0x0e20_0400 | q << 30 | u << 29 | size << 22 | vreg(rng) << 16 | opcode << 11 | vreg(rng) << 5 | vreg(rng)
}

/// The logical three-same group (size selects the operation; any Q).
fn logical(rng: &mut Rng, _: &mut MachineState) -> u32 {
    0x0e20_1c00
        | rng.bits(1) << 30
        | rng.bits(1) << 29
        | rng.bits(2) << 22
        | vreg(rng) << 16
        | vreg(rng) << 5
        | vreg(rng)
}

/// Two-register miscellany.
fn misc(rng: &mut Rng, _: &mut MachineState) -> u32 {
    // (U, opcode, smallest size, largest size).
    const OPS: &[(u32, u32, u32, u32)] = &[
        (0, 0b00000, 0, 2), // REV64
        (1, 0b00000, 0, 1), // REV32
        (0, 0b00001, 0, 0), // REV16
        (0, 0b00101, 0, 0), // CNT
        (1, 0b00101, 0, 0), // NOT
        (1, 0b00101, 1, 1), // RBIT
        (0, 0b01011, 0, 3), // ABS
        (1, 0b01011, 0, 3), // NEG
        (0, 0b01001, 0, 3), // CMEQ #0
        (0, 0b01000, 0, 3), // CMGT #0
        (1, 0b01001, 0, 3), // CMLE #0
        (1, 0b01000, 0, 3), // CMGE #0
        (0, 0b01010, 0, 3), // CMLT #0
        (0, 0b10010, 0, 2), // XTN
    ];
    let (u, opcode, lo, hi) = rng.pick(OPS);
    let size = rng.range(lo as u64, hi as u64) as u32;
    let q = if size == 3 { 1 } else { rng.bits(1) };
    0x0e20_0800 | q << 30 | u << 29 | size << 22 | opcode << 12 | vreg(rng) << 5 | vreg(rng)
}

/// ZIP1/2, UZP1/2, TRN1/2, EXT.
fn permute(rng: &mut Rng, _: &mut MachineState) -> u32 {
    if rng.chance(1, 4) {
        let q = rng.bits(1);
        let imm4 = rng.bits(3 + q);
        return 0x2e00_0000 | q << 30 | vreg(rng) << 16 | imm4 << 11 | vreg(rng) << 5 | vreg(rng);
    }
    let (q, size) = q_size(rng, 3);
    let opcode = rng.pick(&[1u32, 2, 3, 5, 6, 7]);
    0x0e00_0800 | q << 30 | size << 22 | vreg(rng) << 16 | opcode << 12 | vreg(rng) << 5 | vreg(rng)
}

/// TBL/TBX with one to four table registers; the index register gets in-range bytes often.
fn table(rng: &mut Rng, st: &mut MachineState) -> u32 {
    let (q, len, op) = (rng.bits(1), rng.bits(2), rng.bits(1));
    let rm = vreg(rng);
    if rng.chance(2, 3) {
        let limit = 16 * (len as u64 + 1) + 8;
        st.v[rm as usize] = (0..16).fold(0u128, |acc, _| acc << 8 | rng.below(limit) as u128);
    }
    0x0e00_0000 | q << 30 | rm << 16 | len << 13 | op << 12 | vreg(rng) << 5 | vreg(rng)
}

/// An imm5 field selecting lanes of `size` (0..=3) and a lane index.
fn imm5(rng: &mut Rng, size: u32) -> u32 {
    let index = rng.bits(4 - size);
    (index << (size + 1)) | (1 << size)
}

/// DUP (element and general), INS (general and element), UMOV, SMOV.
fn copy(rng: &mut Rng, _: &mut MachineState) -> u32 {
    let size = rng.bits(2);
    let (rd, rn) = (vreg(rng), vreg(rng));
    match rng.below(6) {
        0 => {
            let q = if size == 3 { 1 } else { rng.bits(1) };
            0x0e00_0400 | q << 30 | imm5(rng, size) << 16 | rn << 5 | rd
        }
        1 => {
            let q = if size == 3 { 1 } else { rng.bits(1) };
            0x0e00_0c00 | q << 30 | imm5(rng, size) << 16 | reg(rng, 8) << 5 | rd
        }
        2 => 0x4e00_1c00 | imm5(rng, size) << 16 | reg(rng, 8) << 5 | rd,
        3 => {
            let imm4 = rng.bits(4 - size) << size;
            0x6e00_0400 | imm5(rng, size) << 16 | imm4 << 11 | rn << 5 | rd
        }
        4 => {
            let q = (size == 3) as u32;
            0x0e00_3c00 | q << 30 | imm5(rng, size) << 16 | rn << 5 | reg(rng, 8)
        }
        _ => {
            let size = rng.below(3) as u32;
            let q = if size == 2 { 1 } else { rng.bits(1) };
            0x0e00_2c00 | q << 30 | imm5(rng, size) << 16 | rn << 5 | reg(rng, 8)
        }
    }
}

/// Across-lanes reductions.
fn across(rng: &mut Rng, _: &mut MachineState) -> u32 {
    let (u, opcode) = rng.pick(&[
        (0u32, 0b11011u32),
        (0, 0b00011),
        (1, 0b00011),
        (0, 0b01010),
        (1, 0b01010),
        (0, 0b11010),
        (1, 0b11010),
    ]);
    let size = rng.below(3) as u32;
    let q = if size == 2 { 1 } else { rng.bits(1) };
    0x0e30_0800 | q << 30 | u << 29 | size << 22 | opcode << 12 | vreg(rng) << 5 | vreg(rng)
}

/// Shifts by immediate.
fn shift_imm(rng: &mut Rng, _: &mut MachineState) -> u32 {
    // (U, opcode, whether 64-bit lanes are allowed).
    const OPS: &[(u32, u32, bool)] = &[
        (0, 0b01010, true),  // SHL
        (1, 0b01010, true),  // SLI
        (0, 0b00000, true),  // SSHR
        (1, 0b00000, true),  // USHR
        (0, 0b00010, true),  // SSRA
        (1, 0b00010, true),  // USRA
        (0, 0b00100, true),  // SRSHR
        (1, 0b00100, true),  // URSHR
        (1, 0b01000, true),  // SRI
        (0, 0b10000, false), // SHRN
        (0, 0b10100, false), // SSHLL
        (1, 0b10100, false), // USHLL
    ];
    let (u, opcode, wide_ok) = rng.pick(OPS);
    let size = rng.below(if wide_ok { 4 } else { 3 }) as u32;
    let q = if size == 3 { 1 } else { rng.bits(1) };
    let immh_immb = (8 << size) | rng.bits(3 + size);
    0x0f00_0400 | q << 30 | u << 29 | immh_immb << 16 | opcode << 11 | vreg(rng) << 5 | vreg(rng)
}

/// MOVI, MVNI, ORR and BIC (vector, immediate), FMOV (vector, immediate, single precision).
fn move_imm(rng: &mut Rng, _: &mut MachineState) -> u32 {
    let (q, op, cmode) = loop {
        let (q, op, cmode) = (rng.bits(1), rng.bits(1), rng.bits(4));
        if !(cmode == 0b1111 && op == 1 && q == 0) {
            break (q, op, cmode);
        }
    };
    let abc = rng.bits(3);
    let defgh = rng.bits(5);
    0x0f00_0400 | q << 30 | op << 29 | abc << 16 | cmode << 12 | defgh << 5 | vreg(rng)
}

/// FADD, FSUB, FMUL, FDIV, FMAX, FMIN on 2S, 4S or 2D lanes.
fn fp_vector(rng: &mut Rng, _: &mut MachineState) -> u32 {
    // FADD, FSUB, FMUL, FDIV, FMAX, FMIN, FMLA, FMLS, FMAXNM, FMINNM, FABD, FMULX, FCMEQ, FCMGE,
    // FCMGT, FADDP (encodings from binutils).
    let op = rng.pick(&[
        0x0e20_d400u32,
        0x0ea0_d400,
        0x2e20_dc00,
        0x2e20_fc00,
        0x0e20_f400,
        0x0ea0_f400,
        0x0e20_cc00,
        0x0ea0_cc00,
        0x0e20_c400,
        0x0ea0_c400,
        0x2ea0_d400,
        0x0e20_dc00,
        0x0e20_e400,
        0x2e20_e400,
        0x2ea0_e400,
        0x2e20_d400,
    ]);
    let sz = rng.bits(1);
    let q = if sz == 1 { 1 } else { rng.bits(1) };
    op | q << 30 | sz << 22 | vreg(rng) << 16 | vreg(rng) << 5 | vreg(rng)
}

/// FMLA and FMLS by element, single and double lanes.
fn fp_by_element(rng: &mut Rng, _: &mut MachineState) -> u32 {
    let op = rng.pick(&[0x0f80_1000u32, 0x0f80_5000]);
    let sz = rng.bits(1);
    let q = if sz == 1 { 1 } else { rng.bits(1) };
    // The index is H:L for single lanes and H for double lanes (L must be 0).
    let l = if sz == 1 { 0 } else { rng.bits(1) };
    op | q << 30 | sz << 22 | l << 21 | vreg(rng) << 16 | rng.bits(1) << 11 | vreg(rng) << 5 | vreg(rng)
}

/// The cryptographic extension: AES, SHA-1, SHA-256, SHA-512, SHA-3, and the polynomial multiplies.
fn crypto(rng: &mut Rng, _: &mut MachineState) -> u32 {
    let (rm, rn, rd) = (vreg(rng), vreg(rng), vreg(rng));
    match rng.below(8) {
        // AESE, AESD, AESMC, AESIMC.
        0 => 0x4e28_0800 | (4 + rng.bits(2)) << 12 | rn << 5 | rd,
        // SHA1C, SHA1P, SHA1M, SHA1SU0, SHA256H, SHA256H2, SHA256SU1.
        1 => 0x5e00_0000 | rm << 16 | (rng.below(7) as u32) << 12 | rn << 5 | rd,
        // SHA1H, SHA1SU1, SHA256SU0.
        2 => 0x5e28_0800 | (rng.below(3) as u32) << 12 | rn << 5 | rd,
        // SHA512H, SHA512H2, SHA512SU1, RAX1.
        3 => 0xce60_8000 | rm << 16 | rng.bits(2) << 10 | rn << 5 | rd,
        // SHA512SU0.
        4 => 0xcec0_8000 | rn << 5 | rd,
        // EOR3, BCAX (Ra in bits 14..10).
        5 => 0xce00_0000 | rng.bits(1) << 21 | rm << 16 | vreg(rng) << 10 | rn << 5 | rd,
        // XAR with any rotation.
        6 => 0xce80_0000 | rm << 16 | rng.bits(6) << 10 | rn << 5 | rd,
        // PMULL/PMULL2 on bytes (size 0) or doublewords (size 3).
        _ => 0x0e20_e000 | rng.bits(1) << 30 | rng.pick(&[0u32, 3]) << 22 | rm << 16 | rn << 5 | rd,
    }
}

/// The Advanced SIMD classes.
pub const CLASSES: &[Class] = &[
    Class { name: "simd-3same", shape: Shape::Seq { max: 12, gens: &[three_same, logical] } },
    Class { name: "simd-misc", shape: Shape::Seq { max: 12, gens: &[misc] } },
    Class { name: "simd-permute", shape: Shape::Seq { max: 12, gens: &[permute, table] } },
    Class { name: "simd-copy", shape: Shape::Seq { max: 12, gens: &[copy] } },
    Class { name: "simd-across", shape: Shape::Seq { max: 12, gens: &[across] } },
    Class { name: "simd-shift", shape: Shape::Seq { max: 12, gens: &[shift_imm] } },
    Class { name: "simd-movi", shape: Shape::Seq { max: 12, gens: &[move_imm] } },
    Class { name: "simd-fp", shape: Shape::Seq { max: 12, gens: &[fp_vector, fp_vector, fp_by_element] } },
    Class { name: "simd-fp16", shape: Shape::Seq { max: 12, gens: super::simd_fp16::GENS } },
    Class { name: "simd-crypto", shape: Shape::Seq { max: 12, gens: &[crypto] } },
];
