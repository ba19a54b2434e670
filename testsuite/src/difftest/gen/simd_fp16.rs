//! Generators of the `simd-fp16` class: the half-precision (FEAT_FP16) forms of the Advanced
//! SIMD floating-point instructions, vector (4H, 8H) and scalar (H): three same (arithmetic,
//! FMLA/FMLS, FMULX, FRECPS/FRSQRTS, compares, pairwise), two-register miscellany (FABS, FNEG,
//! FSQRT, FRINT*, FCVT*, SCVTF/UCVTF, compares with zero, FRECPE/FRSQRTE/FRECPX), by element,
//! across lanes, scalar pairwise, fixed-point conversions, FMOV (vector, immediate), and
//! FCVTL/FCVTN between 4H/8H and 4S. Source registers get
//! half lanes biased to the edge cases: zeros, infinities, quiet and signalling NaNs, subnormals,
//! the largest and smallest normals, values next to integers and to ties.

use crate::difftest::case::MachineState;
use crate::difftest::gen::InsnGen;
use crate::difftest::rng::Rng;

/// Halves worth drawing often.
const SPECIAL_HALVES: &[u16] = &[
    0x0000, 0x8000, 0x7c00, 0xfc00, 0x7e00, 0xfe00, 0x7c01, 0xfd55, 0x7dff, 0x7fff, 0x0001, 0x8001, 0x03ff, 0x0200,
    0x0400, 0x8400, 0x7bff, 0xfbff, 0x3c00, 0xbc00, 0x3800, 0x3e00, 0xbe00, 0x4100, 0xc100, 0x3bff, 0x3c01, 0x4000,
    0x7800, 0x0c00, 0x1400, 0x5bff, 0x6400, 0xf800,
];

/// One edge-biased half.
fn edgy_half(rng: &mut Rng) -> u16 {
    match rng.below(4) {
        0 | 1 => rng.pick(SPECIAL_HALVES),
        // Small values near integers (for rounding and conversions), either sign.
        2 => (rng.range(0x3000, 0x6800) as u16) | (rng.bits(1) as u16) << 15,
        _ => rng.bits(16) as u16,
    }
}

/// A vector register number; three times in four its lanes become edge-biased halves.
fn half_source(rng: &mut Rng, st: &mut MachineState) -> u32 {
    let n = rng.bits(5);
    if rng.chance(3, 4) {
        st.v[n as usize] = (0..8).fold(0u128, |acc, _| acc << 16 | edgy_half(rng) as u128);
    }
    n
}

/// A destination register number (its old value matters to FMLA/FMLS and the "2" forms).
fn dest(rng: &mut Rng, st: &mut MachineState) -> u32 {
    half_source(rng, st)
}

/// Three same (FP16), vector: (U, a, opcode) of every allocated operation.
const THREE_SAME: &[(u32, u32, u32)] = &[
    (0, 0, 0b000), // FMAXNM
    (0, 0, 0b001), // FMLA
    (0, 0, 0b010), // FADD
    (0, 0, 0b011), // FMULX
    (0, 0, 0b100), // FCMEQ
    (0, 0, 0b110), // FMAX
    (0, 0, 0b111), // FRECPS
    (0, 1, 0b000), // FMINNM
    (0, 1, 0b001), // FMLS
    (0, 1, 0b010), // FSUB
    (0, 1, 0b110), // FMIN
    (0, 1, 0b111), // FRSQRTS
    (1, 0, 0b000), // FMAXNMP
    (1, 0, 0b010), // FADDP
    (1, 0, 0b011), // FMUL
    (1, 0, 0b100), // FCMGE
    (1, 0, 0b101), // FACGE
    (1, 0, 0b110), // FMAXP
    (1, 0, 0b111), // FDIV
    (1, 1, 0b000), // FMINNMP
    (1, 1, 0b010), // FABD
    (1, 1, 0b100), // FCMGT
    (1, 1, 0b101), // FACGT
    (1, 1, 0b110), // FMINP
];

/// Three same (FP16), scalar.
const THREE_SAME_SCALAR: &[(u32, u32, u32)] = &[
    (0, 0, 0b011), // FMULX
    (0, 0, 0b100), // FCMEQ
    (0, 0, 0b111), // FRECPS
    (0, 1, 0b111), // FRSQRTS
    (1, 0, 0b100), // FCMGE
    (1, 0, 0b101), // FACGE
    (1, 1, 0b010), // FABD
    (1, 1, 0b100), // FCMGT
    (1, 1, 0b101), // FACGT
];

/// Three same (FP16), vector or (one time in four) scalar.
fn three_same(rng: &mut Rng, st: &mut MachineState) -> u32 {
    let scalar = rng.chance(1, 4);
    let (u, a, opcode) = rng.pick(if scalar { THREE_SAME_SCALAR } else { THREE_SAME });
    let base = if scalar { 0x5e40_0400 } else { 0x0e40_0400 | rng.bits(1) << 30 };
    let (rm, rn, rd) = (half_source(rng, st), half_source(rng, st), dest(rng, st));
    base | u << 29 | a << 23 | rm << 16 | opcode << 11 | rn << 5 | rd
}

/// Two-register miscellany (FP16): (U, a, opcode, whether a scalar form exists, whether a
/// vector form does).
const MISC: &[(u32, u32, u32, bool, bool)] = &[
    (0, 0, 0b11000, false, true), // FRINTN
    (0, 0, 0b11001, false, true), // FRINTM
    (0, 0, 0b11010, true, true),  // FCVTNS
    (0, 0, 0b11011, true, true),  // FCVTMS
    (0, 0, 0b11100, true, true),  // FCVTAS
    (0, 0, 0b11101, true, true),  // SCVTF
    (0, 1, 0b01100, true, true),  // FCMGT #0
    (0, 1, 0b01101, true, true),  // FCMEQ #0
    (0, 1, 0b01110, true, true),  // FCMLT #0
    (0, 1, 0b01111, false, true), // FABS
    (0, 1, 0b11000, false, true), // FRINTP
    (0, 1, 0b11001, false, true), // FRINTZ
    (0, 1, 0b11010, true, true),  // FCVTPS
    (0, 1, 0b11011, true, true),  // FCVTZS
    (0, 1, 0b11101, true, true),  // FRECPE
    (0, 1, 0b11111, true, false), // FRECPX
    (1, 0, 0b11000, false, true), // FRINTA
    (1, 0, 0b11001, false, true), // FRINTX
    (1, 0, 0b11010, true, true),  // FCVTNU
    (1, 0, 0b11011, true, true),  // FCVTMU
    (1, 0, 0b11100, true, true),  // FCVTAU
    (1, 0, 0b11101, true, true),  // UCVTF
    (1, 1, 0b01100, true, true),  // FCMGE #0
    (1, 1, 0b01101, true, true),  // FCMLE #0
    (1, 1, 0b01111, false, true), // FNEG
    (1, 1, 0b11001, false, true), // FRINTI
    (1, 1, 0b11010, true, true),  // FCVTPU
    (1, 1, 0b11011, true, true),  // FCVTZU
    (1, 1, 0b11101, true, true),  // FRSQRTE
    (1, 1, 0b11111, false, true), // FSQRT
];

/// Two-register miscellany (FP16), vector or scalar.
fn misc(rng: &mut Rng, st: &mut MachineState) -> u32 {
    let (u, a, opcode, scalar_ok, vector_ok) = rng.pick(MISC);
    let scalar = scalar_ok && (!vector_ok || rng.chance(1, 4));
    let base = if scalar { 0x5e78_0800 } else { 0x0e78_0800 | rng.bits(1) << 30 };
    base | u << 29 | a << 23 | opcode << 12 | half_source(rng, st) << 5 | dest(rng, st)
}

/// FMLA, FMLS, FMUL, FMULX by element (Rm is v0-v15, the index H:L:M), vector or scalar.
fn by_element(rng: &mut Rng, st: &mut MachineState) -> u32 {
    let (u, opcode) = rng.pick(&[(0u32, 0b0001u32), (0, 0b0101), (0, 0b1001), (1, 0b1001)]);
    let base = if rng.chance(1, 4) { 0x5f00_0000 } else { 0x0f00_0000 | rng.bits(1) << 30 };
    let rm = half_source(rng, st) & 0xf;
    let (h, lm) = (rng.bits(1), rng.bits(2));
    base | u << 29 | lm << 20 | rm << 16 | opcode << 12 | h << 11 | half_source(rng, st) << 5 | dest(rng, st)
}

/// FMAXNMV, FMINNMV, FMAXV, FMINV on 4H or 8H, and the scalar pairwise FADDP, FMAXNMP, FMINNMP,
/// FMAXP, FMINP on two halves.
fn across(rng: &mut Rng, st: &mut MachineState) -> u32 {
    let rn = half_source(rng, st);
    let rd = rng.bits(5);
    if rng.chance(1, 2) {
        let (a, opcode) = rng.pick(&[(0u32, 0b01100u32), (1, 0b01100), (0, 0b01111), (1, 0b01111)]);
        0x0e30_0800 | rng.bits(1) << 30 | a << 23 | opcode << 12 | rn << 5 | rd
    } else {
        let (a, opcode) = rng.pick(&[(0u32, 0b01100u32), (1, 0b01100), (0, 0b01101), (0, 0b01111), (1, 0b01111)]);
        0x5e30_0800 | a << 23 | opcode << 12 | rn << 5 | rd
    }
}

/// FCVTL/FCVTL2 (4H to 4S) and FCVTN/FCVTN2 (4S to 4H).
fn convert(rng: &mut Rng, st: &mut MachineState) -> u32 {
    let opcode = if rng.chance(1, 2) { 0b10111 } else { 0b10110 };
    0x0e21_0800 | rng.bits(1) << 30 | opcode << 12 | half_source(rng, st) << 5 | dest(rng, st)
}

/// SCVTF/UCVTF and FCVTZS/FCVTZU with 1 to 16 fraction bits (immh 001x), vector or scalar, and
/// FMOV (vector, immediate) to half lanes.
fn fixed_point_or_fmov(rng: &mut Rng, st: &mut MachineState) -> u32 {
    if rng.chance(1, 5) {
        return 0x0f00_fc00 | rng.bits(1) << 30 | rng.bits(3) << 16 | rng.bits(5) << 5 | rng.bits(5);
    }
    let scalar = rng.chance(1, 4);
    let base = if scalar { 0x5f00_0400 } else { 0x0f00_0400 | rng.bits(1) << 30 };
    let immh_immb = 0b10000 | rng.bits(4);
    let opcode = if rng.chance(1, 2) { 0b11100 } else { 0b11111 };
    // Not the scalar FCVTZS: qemu 7.2 writes its result sign-extended to 32 bits, where the manual
    // (and vmtrans) write 16 bits and zero the rest; the unit tests check that form instead.
    let u = if scalar && opcode == 0b11111 { 1 } else { rng.bits(1) };
    base | u << 29 | immh_immb << 16 | opcode << 11 | half_source(rng, st) << 5 | dest(rng, st)
}

/// The generators of the class.
pub const GENS: &[InsnGen] = &[three_same, three_same, misc, misc, by_element, across, convert, fixed_point_or_fmov];
