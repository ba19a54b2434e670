//! Generators of the Advanced SIMD classes: integer three-same (ADD, SUB, MUL, MLA, MLS, CMEQ,
//! CMGT, CMHI, CMTST, AND, BIC, ORR, ORN, EOR, BSL, BIT, BIF, min/max, absolute difference,
//! halving and saturating adds, SSHL/USHL, ADDP), two-register miscellany (REV*, CNT, NOT, RBIT,
//! ABS, NEG, compares with zero, XTN), permutes (ZIP, UZP, TRN), EXT, TBL/TBX, copies (DUP,
//! INS, UMOV, SMOV), across-lanes reductions (ADDV, [SU]ADDLV, [SU]MAXV, [SU]MINV), shifts by
//! immediate (SHL, SLI, [SU]SHR, [SU]SRA, [SU]RSHR, SRI, SHRN, [SU]SHLL), MOVI/MVNI/ORR/BIC
//! immediate, and floating-point vector arithmetic (FADD, FSUB, FMUL, FDIV, FMAX, FMIN, and the
//! complex FCADD and FCMLA).
//! Reserved size/Q combinations are not drawn. The half-precision (FEAT_FP16) forms have their
//! own class, `simd-fp16`, in `simd_fp16.rs`. The crypto class draws AES, SHA-1, SHA-256, SHA-512,
//! SHA-3 (EOR3, BCAX, RAX1, XAR) and PMULL/PMULL2 (8- and 64-bit).

use crate::difftest::case::MachineState;
use crate::difftest::gen::{pick_sized, reg, vreg, Class, Shape};
use crate::difftest::rng::Rng;

/// A (Q, size) pair; `max_size` bounds the size, and 64-bit lanes (size 3) force Q = 1.
fn q_size(rng: &mut Rng, max_size: u32) -> (u32, u32) {
    let size = rng.below(max_size as u64 + 1) as u32;
    let q = if size == 3 { 1 } else { rng.bits(1) };
    (q, size)
}

/// Integer three-same operations: every allocated opcode of the group except the logical ones
/// (`logical` below).
fn three_same(rng: &mut Rng, _: &mut MachineState) -> u32 {
    // (U, opcode, smallest size, largest size): size 3 needs Q = 1.
    const OPS: &[(u32, u32, u32, u32)] = &[
        (0, 0b00000, 0, 2), // SHADD
        (1, 0b00000, 0, 2), // UHADD
        (0, 0b00001, 0, 3), // SQADD
        (1, 0b00001, 0, 3), // UQADD
        (0, 0b00010, 0, 2), // SRHADD
        (1, 0b00010, 0, 2), // URHADD
        (0, 0b00100, 0, 2), // SHSUB
        (1, 0b00100, 0, 2), // UHSUB
        (0, 0b00101, 0, 3), // SQSUB
        (1, 0b00101, 0, 3), // UQSUB
        (0, 0b00110, 0, 3), // CMGT
        (1, 0b00110, 0, 3), // CMHI
        (0, 0b00111, 0, 3), // CMGE
        (1, 0b00111, 0, 3), // CMHS
        (0, 0b01000, 0, 3), // SSHL
        (1, 0b01000, 0, 3), // USHL
        (0, 0b01001, 0, 3), // SQSHL
        (1, 0b01001, 0, 3), // UQSHL
        (0, 0b01010, 0, 3), // SRSHL
        (1, 0b01010, 0, 3), // URSHL
        (0, 0b01011, 0, 3), // SQRSHL
        (1, 0b01011, 0, 3), // UQRSHL
        (0, 0b01100, 0, 2), // SMAX
        (1, 0b01100, 0, 2), // UMAX
        (0, 0b01101, 0, 2), // SMIN
        (1, 0b01101, 0, 2), // UMIN
        (0, 0b01110, 0, 2), // SABD
        (1, 0b01110, 0, 2), // UABD
        (0, 0b01111, 0, 2), // SABA
        (1, 0b01111, 0, 2), // UABA
        (0, 0b10000, 0, 3), // ADD
        (1, 0b10000, 0, 3), // SUB
        (0, 0b10001, 0, 3), // CMTST
        (1, 0b10001, 0, 3), // CMEQ
        (0, 0b10010, 0, 2), // MLA
        (1, 0b10010, 0, 2), // MLS
        (0, 0b10011, 0, 2), // MUL
        (1, 0b10011, 0, 0), // PMUL
        (0, 0b10100, 0, 2), // SMAXP
        (1, 0b10100, 0, 2), // UMAXP
        (0, 0b10101, 0, 2), // SMINP
        (1, 0b10101, 0, 2), // UMINP
        (0, 0b10110, 1, 2), // SQDMULH
        (1, 0b10110, 1, 2), // SQRDMULH
        (0, 0b10111, 0, 3), // ADDP
    ];
    let (u, opcode, size) = pick_sized(rng, OPS);
    let q = if size == 3 { 1 } else { rng.bits(1) };
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
        (0, 0b00010, 0, 2), // SADDLP
        (1, 0b00010, 0, 2), // UADDLP
        (0, 0b00011, 0, 3), // SUQADD
        (1, 0b00011, 0, 3), // USQADD
        (0, 0b00100, 0, 2), // CLS
        (1, 0b00100, 0, 2), // CLZ
        (0, 0b00110, 0, 2), // SADALP
        (1, 0b00110, 0, 2), // UADALP
        (0, 0b00111, 0, 3), // SQABS
        (1, 0b00111, 0, 3), // SQNEG
        (1, 0b10010, 0, 2), // SQXTUN
        (1, 0b10011, 0, 2), // SHLL
        (0, 0b10100, 0, 2), // SQXTN
        (1, 0b10100, 0, 2), // UQXTN
    ];
    let (u, opcode, size) = pick_sized(rng, OPS);
    let q = if size == 3 { 1 } else { rng.bits(1) };
    0x0e20_0800 | q << 30 | u << 29 | size << 22 | opcode << 12 | vreg(rng) << 5 | vreg(rng)
}

/// The floating-point two-register miscellany that has both vector and scalar forms, as (U, o2
/// (bit 23), opcode): conversions to and from integers, estimates and compares with zero.
pub const FP_MISC_BOTH_FORMS: &[(u32, u32, u32)] = &[
    (0, 0, 0b11010), // FCVTNS
    (1, 0, 0b11010), // FCVTNU
    (0, 0, 0b11011), // FCVTMS
    (1, 0, 0b11011), // FCVTMU
    (0, 0, 0b11100), // FCVTAS
    (1, 0, 0b11100), // FCVTAU
    (0, 1, 0b11010), // FCVTPS
    (1, 1, 0b11010), // FCVTPU
    (0, 1, 0b11011), // FCVTZS
    (1, 1, 0b11011), // FCVTZU
    (0, 0, 0b11101), // SCVTF
    (1, 0, 0b11101), // UCVTF
    (0, 1, 0b11101), // FRECPE
    (1, 1, 0b11101), // FRSQRTE
    (0, 1, 0b01100), // FCMGT #0
    (1, 1, 0b01100), // FCMGE #0
    (0, 1, 0b01101), // FCMEQ #0
    (1, 1, 0b01101), // FCMLE #0
    (0, 1, 0b01110), // FCMLT #0
];

/// One entry of `FP_MISC_BOTH_FORMS` or of `own`, each entry as likely as any other.
pub fn pick_fp_misc(rng: &mut Rng, own: &[(u32, u32, u32)]) -> (u32, u32, u32) {
    let i = rng.below((FP_MISC_BOTH_FORMS.len() + own.len()) as u64) as usize;
    FP_MISC_BOTH_FORMS.get(i).copied().unwrap_or_else(|| own[i - FP_MISC_BOTH_FORMS.len()])
}

/// Two-register miscellany on single and double lanes: `FP_MISC_BOTH_FORMS`, roundings (FRINT32/64
/// included), FABS, FNEG, FSQRT, and the precision-changing FCVTN, FCVTXN and FCVTL
/// (half<->single, single<->double).
fn fp_misc(rng: &mut Rng, _: &mut MachineState) -> u32 {
    // (U, o2, opcode); bit 22 (sz) picks single or double lanes.
    const VECTOR_ONLY: &[(u32, u32, u32)] = &[
        (0, 0, 0b11000), // FRINTN
        (0, 0, 0b11001), // FRINTM
        (0, 1, 0b11000), // FRINTP
        (0, 1, 0b11001), // FRINTZ
        (1, 0, 0b11000), // FRINTA
        (1, 0, 0b11001), // FRINTX
        (1, 1, 0b11001), // FRINTI
        (0, 0, 0b11110), // FRINT32Z
        (1, 0, 0b11110), // FRINT32X
        (0, 0, 0b11111), // FRINT64Z
        (1, 0, 0b11111), // FRINT64X
        (0, 1, 0b01111), // FABS
        (1, 1, 0b01111), // FNEG
        (1, 1, 0b11111), // FSQRT
        (0, 0, 0b10110), // FCVTN
        (0, 0, 0b10111), // FCVTL
        (1, 0, 0b10110), // FCVTXN (double to single only)
    ];
    let (u, o2, opcode) = pick_fp_misc(rng, VECTOR_ONLY);
    let sz = if (u, opcode) == (1, 0b10110) { 1 } else { rng.bits(1) };
    // Double lanes fill a whole register; the narrowing and widening forms take Q as "upper half".
    let q = if sz == 1 && !matches!(opcode, 0b10110 | 0b10111) { 1 } else { rng.bits(1) };
    0x0e20_0800 | q << 30 | u << 29 | o2 << 23 | sz << 22 | opcode << 12 | vreg(rng) << 5 | vreg(rng)
}

/// URECPE and URSQRTE (32-bit lanes only).
fn unsigned_estimate(rng: &mut Rng, _: &mut MachineState) -> u32 {
    0x0ea1_c800 | rng.bits(1) << 30 | rng.bits(1) << 29 | vreg(rng) << 5 | vreg(rng)
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
    if rng.chance(1, 4) {
        // FMAXNMV, FMAXV, FMINNMV, FMINV: single precision, four lanes only.
        let (o1, opcode) = rng.pick(&[(0u32, 0b01100u32), (0, 0b01111), (1, 0b01100), (1, 0b01111)]);
        return 0x6e30_0800 | o1 << 23 | opcode << 12 | vreg(rng) << 5 | vreg(rng);
    }
    let size = rng.below(3) as u32;
    let q = if size == 2 { 1 } else { rng.bits(1) };
    0x0e30_0800 | q << 30 | u << 29 | size << 22 | opcode << 12 | vreg(rng) << 5 | vreg(rng)
}

/// The shifts by immediate, as (U, opcode, smallest size, largest size): the size is the
/// element's (the narrow one for the narrowing shifts, whose 64-bit form does not exist);
/// fixed-point conversions have 32- and 64-bit lanes only. `simd_scalar.rs` draws its scalar
/// forms from the same table.
pub const SHIFT_IMMEDIATE: &[(u32, u32, u32, u32)] = &[
    (0, 0b00000, 0, 3), // SSHR
    (1, 0b00000, 0, 3), // USHR
    (0, 0b00010, 0, 3), // SSRA
    (1, 0b00010, 0, 3), // USRA
    (0, 0b00100, 0, 3), // SRSHR
    (1, 0b00100, 0, 3), // URSHR
    (0, 0b00110, 0, 3), // SRSRA
    (1, 0b00110, 0, 3), // URSRA
    (1, 0b01000, 0, 3), // SRI
    (0, 0b01010, 0, 3), // SHL
    (1, 0b01010, 0, 3), // SLI
    (1, 0b01100, 0, 3), // SQSHLU
    (0, 0b01110, 0, 3), // SQSHL
    (1, 0b01110, 0, 3), // UQSHL
    (0, 0b10000, 0, 2), // SHRN
    (1, 0b10000, 0, 2), // SQSHRUN
    (0, 0b10001, 0, 2), // RSHRN
    (1, 0b10001, 0, 2), // SQRSHRUN
    (0, 0b10010, 0, 2), // SQSHRN
    (1, 0b10010, 0, 2), // UQSHRN
    (0, 0b10011, 0, 2), // SQRSHRN
    (1, 0b10011, 0, 2), // UQRSHRN
    (0, 0b10100, 0, 2), // SSHLL
    (1, 0b10100, 0, 2), // USHLL
    (0, 0b11100, 2, 3), // SCVTF (fixed-point)
    (1, 0b11100, 2, 3), // UCVTF (fixed-point)
    (0, 0b11111, 2, 3), // FCVTZS (fixed-point)
    (1, 0b11111, 2, 3), // FCVTZU (fixed-point)
];

/// Shifts by immediate: every allocated opcode of the group, the saturating and narrowing forms
/// and the fixed-point conversions included.
fn shift_imm(rng: &mut Rng, _: &mut MachineState) -> u32 {
    let (u, opcode, size) = pick_sized(rng, SHIFT_IMMEDIATE);
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
        0x0e20_fc00, // FRECPS
        0x0ea0_fc00, // FRSQRTS
        0x2e20_ec00, // FACGE
        0x2ea0_ec00, // FACGT
        0x2e20_f400, // FMAXP
        0x2ea0_f400, // FMINP
        0x2e20_c400, // FMAXNMP
        0x2ea0_c400, // FMINNMP
    ]);
    let sz = rng.bits(1);
    let q = if sz == 1 { 1 } else { rng.bits(1) };
    op | q << 30 | sz << 22 | vreg(rng) << 16 | vreg(rng) << 5 | vreg(rng)
}

/// FMLA, FMLS, FMUL and FMULX by element, single and double lanes.
fn fp_by_element(rng: &mut Rng, _: &mut MachineState) -> u32 {
    let op = rng.pick(&[0x0f80_1000u32, 0x0f80_5000, 0x0f80_9000, 0x2f80_9000]);
    let sz = rng.bits(1);
    let q = if sz == 1 { 1 } else { rng.bits(1) };
    // The index is H:L for single lanes and H for double lanes (L must be 0).
    let l = if sz == 1 { 0 } else { rng.bits(1) };
    op | q << 30 | sz << 22 | l << 21 | vreg(rng) << 16 | rng.bits(1) << 11 | vreg(rng) << 5 | vreg(rng)
}

/// FMLAL, FMLSL, FMLAL2 and FMLSL2 (FEAT_FHM), vector and by element (Vm in v0-v15, lane H:L:M).
fn widening_half_multiply_add(rng: &mut Rng, _: &mut MachineState) -> u32 {
    let (q, upper, subtract) = (rng.bits(1), rng.bits(1), rng.bits(1));
    let (rn, rd) = (vreg(rng), vreg(rng));
    if rng.chance(1, 2) {
        let opcode = if upper == 1 { 0xcc00 } else { 0xec00 };
        0x0e20_0000 | opcode | q << 30 | upper << 29 | subtract << 23 | vreg(rng) << 16 | rn << 5 | rd
    } else {
        let index = rng.bits(3);
        let opcode = upper << 3 | subtract << 2;
        0x0f80_0000
            | q << 30
            | upper << 29
            | (index >> 1 & 1) << 21
            | (index & 1) << 20
            | rng.bits(4) << 16
            | opcode << 12
            | (index >> 2) << 11
            | rn << 5
            | rd
    }
}

/// FCADD and FCMLA (vector), half, single and double lanes, every rotation; and FCMLA by element
/// (half lanes, index H:L, H = 1 only with Q = 1; single lanes with Q = 1, index H: there is no
/// double form).
fn complex(rng: &mut Rng, _: &mut MachineState) -> u32 {
    let rot = rng.bits(2);
    if rng.chance(1, 3) {
        let tail = vreg(rng) << 16 | rot << 13 | vreg(rng) << 5 | vreg(rng);
        return if rng.chance(1, 2) {
            0x6f80_1000 | rng.bits(1) << 11 | tail
        } else {
            let q = rng.bits(1);
            0x2f40_1000 | q << 30 | rng.bits(1) << 21 | (q & rng.bits(1)) << 11 | tail
        };
    }
    let size = 1 + rng.below(3) as u32;
    let q = if size == 3 { 1 } else { rng.bits(1) };
    let op = if rng.chance(1, 2) { 0x2e00_e400 | (rot & 1) << 12 } else { 0x2e00_c400 | rot << 11 };
    op | q << 30 | size << 22 | vreg(rng) << 16 | vreg(rng) << 5 | vreg(rng)
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
    Class {
        name: "simd-fp-misc",
        shape: Shape::Seq { max: 12, gens: &[fp_misc, fp_misc, fp_misc, unsigned_estimate] },
    },
    Class { name: "simd-permute", shape: Shape::Seq { max: 12, gens: &[permute, table] } },
    Class { name: "simd-copy", shape: Shape::Seq { max: 12, gens: &[copy] } },
    Class { name: "simd-across", shape: Shape::Seq { max: 12, gens: &[across] } },
    Class { name: "simd-shift", shape: Shape::Seq { max: 12, gens: &[shift_imm] } },
    Class { name: "simd-movi", shape: Shape::Seq { max: 12, gens: &[move_imm] } },
    Class {
        name: "simd-fp",
        shape: Shape::Seq {
            max: 12,
            gens: &[fp_vector, fp_vector, fp_by_element, complex, widening_half_multiply_add],
        },
    },
    Class { name: "simd-fp16", shape: Shape::Seq { max: 12, gens: super::simd_fp16::GENS } },
    Class { name: "simd-crypto", shape: Shape::Seq { max: 12, gens: &[crypto] } },
];
