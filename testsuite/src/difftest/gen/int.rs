//! Generators of the integer data-processing classes: add/sub (immediate, shifted register,
//! extended register, with carry), logical (immediate, shifted register), move wide, bitfield,
//! extract, conditional select and compare, data-processing with one and two sources (REV, CLZ,
//! CLS, RBIT, divisions, shifts by register, CRC32), multiplies and PC-relative addresses.
//! Encodings follow the Arm ARM's section C4.1 tables; register 31 is drawn now and then.

use crate::difftest::case::MachineState;
use crate::difftest::gen::{reg, Class, InsnGen, Shape};
use crate::difftest::rng::Rng;

/// An immediate biased to small values: `len` random bits half the time, else 0..15.
fn imm(rng: &mut Rng, len: u32) -> u32 {
    if rng.chance(1, 2) {
        rng.bits(len.min(4))
    } else {
        rng.bits(len)
    }
}

/// A shift amount for a register of 32 (`sf` = 0) or 64 bits.
fn shift_amount(rng: &mut Rng, sf: u32) -> u32 {
    rng.bits(5 + sf)
}

/// ADD/ADDS/SUB/SUBS (immediate). Rd 31 is sp for the non-flag-setting forms.
pub fn addsub_imm(rng: &mut Rng, _: &mut MachineState) -> u32 {
    let (sf, op, s, sh) = (rng.bits(1), rng.bits(1), rng.bits(1), rng.bits(1));
    let imm12 = imm(rng, 12);
    sf << 31 | op << 30 | s << 29 | 0x1100_0000 | sh << 22 | imm12 << 10 | reg(rng, 6) << 5 | reg(rng, 6)
}

/// ADD/ADDS/SUB/SUBS (shifted register): LSL, LSR or ASR.
pub fn addsub_shifted(rng: &mut Rng, _: &mut MachineState) -> u32 {
    let (sf, op, s) = (rng.bits(1), rng.bits(1), rng.bits(1));
    let shift = rng.below(3) as u32;
    let amount = if rng.chance(1, 3) { 0 } else { shift_amount(rng, sf) };
    sf << 31
        | op << 30
        | s << 29
        | 0x0b00_0000
        | shift << 22
        | reg(rng, 8) << 16
        | amount << 10
        | reg(rng, 8) << 5
        | reg(rng, 8)
}

/// ADD/ADDS/SUB/SUBS (extended register): any extension, left shift 0..=4; Rn and (without S)
/// Rd 31 are sp.
pub fn addsub_extended(rng: &mut Rng, _: &mut MachineState) -> u32 {
    let (sf, op, s) = (rng.bits(1), rng.bits(1), rng.bits(1));
    let option = rng.bits(3);
    let amount = rng.below(5) as u32;
    sf << 31
        | op << 30
        | s << 29
        | 0x0b20_0000
        | reg(rng, 8) << 16
        | option << 13
        | amount << 10
        | reg(rng, 6) << 5
        | reg(rng, 6)
}

/// ADC/ADCS/SBC/SBCS.
pub fn addsub_carry(rng: &mut Rng, _: &mut MachineState) -> u32 {
    let (sf, op, s) = (rng.bits(1), rng.bits(1), rng.bits(1));
    sf << 31 | op << 30 | s << 29 | 0x1a00_0000 | reg(rng, 8) << 16 | reg(rng, 8) << 5 | reg(rng, 8)
}

/// The N:immr:imms fields of a valid bitmask immediate for a 32- or 64-bit operation.
fn bitmask_fields(rng: &mut Rng, sf: u32) -> (u32, u32, u32) {
    let sizes: &[u32] = if sf == 1 { &[2, 4, 8, 16, 32, 64] } else { &[2, 4, 8, 16, 32] };
    let element = rng.pick(sizes);
    let ones = rng.range(1, element as u64 - 1) as u32;
    let rotate = rng.below(element as u64) as u32;
    let imms = (!(2 * element - 1) & 0x3f) | (ones - 1);
    ((element == 64) as u32, rotate, imms)
}

/// AND/ORR/EOR/ANDS (immediate). Rd 31 is sp except for ANDS.
pub fn logical_imm(rng: &mut Rng, _: &mut MachineState) -> u32 {
    let (sf, opc) = (rng.bits(1), rng.bits(2));
    let (n, immr, imms) = bitmask_fields(rng, sf);
    sf << 31 | opc << 29 | 0x1200_0000 | n << 22 | immr << 16 | imms << 10 | reg(rng, 8) << 5 | reg(rng, 8)
}

/// AND/BIC/ORR/ORN/EOR/EON/ANDS/BICS (shifted register), every shift including ROR.
pub fn logical_shifted(rng: &mut Rng, _: &mut MachineState) -> u32 {
    let (sf, opc, shift, n) = (rng.bits(1), rng.bits(2), rng.bits(2), rng.bits(1));
    let amount = if rng.chance(1, 3) { 0 } else { shift_amount(rng, sf) };
    sf << 31
        | opc << 29
        | 0x0a00_0000
        | shift << 22
        | n << 21
        | reg(rng, 8) << 16
        | amount << 10
        | reg(rng, 8) << 5
        | reg(rng, 8)
}

/// MOVN/MOVZ/MOVK.
pub fn move_wide(rng: &mut Rng, _: &mut MachineState) -> u32 {
    let sf = rng.bits(1);
    let opc = rng.pick(&[0u32, 2, 3]);
    let hw = rng.bits(1 + sf);
    let imm16 = if rng.chance(1, 4) { rng.pick(&[0u32, 0xffff, 0x8000, 1]) } else { rng.bits(16) };
    sf << 31 | opc << 29 | 0x1280_0000 | hw << 21 | imm16 << 5 | reg(rng, 10)
}

/// SBFM/BFM/UBFM (and so ASR, LSL, LSR, SXT*, UXT*, BFI, BFXIL, SBFX, UBFX ...).
pub fn bitfield(rng: &mut Rng, _: &mut MachineState) -> u32 {
    let sf = rng.bits(1);
    let opc = rng.below(3) as u32;
    let (immr, imms) = (rng.bits(5 + sf), rng.bits(5 + sf));
    sf << 31 | opc << 29 | 0x1300_0000 | sf << 22 | immr << 16 | imms << 10 | reg(rng, 8) << 5 | reg(rng, 8)
}

/// EXTR (and ROR immediate when Rn = Rm).
pub fn extract(rng: &mut Rng, _: &mut MachineState) -> u32 {
    let sf = rng.bits(1);
    let imms = rng.bits(5 + sf);
    let rn = reg(rng, 8);
    let rm = if rng.chance(1, 3) { rn } else { reg(rng, 8) };
    sf << 31 | 0x1380_0000 | sf << 22 | rm << 16 | imms << 10 | rn << 5 | reg(rng, 8)
}

/// CSEL/CSINC/CSINV/CSNEG with any condition (AL and NV too).
pub fn cond_select(rng: &mut Rng, _: &mut MachineState) -> u32 {
    let (sf, op, op2) = (rng.bits(1), rng.bits(1), rng.bits(1));
    sf << 31
        | op << 30
        | 0x1a80_0000
        | reg(rng, 6) << 16
        | rng.bits(4) << 12
        | op2 << 10
        | reg(rng, 6) << 5
        | reg(rng, 6)
}

/// The flag-manipulation instructions (FEAT_FlagM, FlagM2): CFINV, XAFLAG, AXFLAG, RMIF, SETF8,
/// SETF16 (encodings from binutils).
fn flag_manipulation(rng: &mut Rng, _: &mut MachineState) -> u32 {
    match rng.below(6) {
        0 => 0xd500_401f,
        1 => 0xd500_403f,
        2 => 0xd500_405f,
        3 => 0xba00_0400 | (rng.below(64) as u32) << 15 | reg(rng, 8) << 5 | rng.bits(4),
        4 => 0x3a00_080d | reg(rng, 8) << 5,
        _ => 0x3a00_480d | reg(rng, 8) << 5,
    }
}

/// CCMN/CCMP, register and immediate forms.
pub fn cond_compare(rng: &mut Rng, _: &mut MachineState) -> u32 {
    let (sf, op, is_imm) = (rng.bits(1), rng.bits(1), rng.bits(1));
    let rm_or_imm = if is_imm == 1 { rng.bits(5) } else { reg(rng, 6) };
    sf << 31
        | op << 30
        | 0x3a40_0000
        | rm_or_imm << 16
        | rng.bits(4) << 12
        | is_imm << 11
        | reg(rng, 6) << 5
        | rng.bits(4)
}

/// RBIT, REV16, REV32, REV, CLZ, CLS.
pub fn dp1(rng: &mut Rng, _: &mut MachineState) -> u32 {
    let sf = rng.bits(1);
    let opcode = if sf == 1 { rng.below(6) as u32 } else { rng.pick(&[0u32, 1, 2, 4, 5]) };
    sf << 31 | 0x5ac0_0000 | opcode << 10 | reg(rng, 8) << 5 | reg(rng, 8)
}

/// UDIV, SDIV, LSLV, LSRV, ASRV, RORV.
pub fn dp2(rng: &mut Rng, _: &mut MachineState) -> u32 {
    let sf = rng.bits(1);
    let opcode = rng.pick(&[2u32, 3, 8, 9, 10, 11]);
    sf << 31 | 0x1ac0_0000 | reg(rng, 8) << 16 | opcode << 10 | reg(rng, 8) << 5 | reg(rng, 8)
}

/// CRC32B/H/W/X and CRC32CB/H/W/X.
pub fn crc32(rng: &mut Rng, _: &mut MachineState) -> u32 {
    let (c, size) = (rng.bits(1), rng.bits(2));
    let sf = (size == 3) as u32;
    sf << 31 | 0x1ac0_0000 | reg(rng, 8) << 16 | (0b010000 | c << 2 | size) << 10 | reg(rng, 8) << 5 | reg(rng, 8)
}

/// MADD, MSUB, SMADDL, SMSUBL, SMULH, UMADDL, UMSUBL, UMULH.
pub fn multiply(rng: &mut Rng, _: &mut MachineState) -> u32 {
    let (sf, op31, o0) = if rng.chance(1, 3) {
        (rng.bits(1), 0, rng.bits(1))
    } else {
        let op31 = rng.pick(&[1u32, 2, 5, 6]);
        (1, op31, if op31 & 2 != 0 { 0 } else { rng.bits(1) })
    };
    let ra = if op31 & 2 != 0 { 31 } else { reg(rng, 8) };
    sf << 31 | 0x1b00_0000 | op31 << 21 | reg(rng, 8) << 16 | o0 << 15 | ra << 10 | reg(rng, 8) << 5 | reg(rng, 8)
}

/// ADR and ADRP (the code's address is the same in every engine).
pub fn pc_relative(rng: &mut Rng, _: &mut MachineState) -> u32 {
    let op = rng.bits(1);
    let imm21 = if rng.chance(1, 2) { rng.bits(21) } else { rng.bits(6) };
    op << 31 | (imm21 & 3) << 29 | 0x1000_0000 | (imm21 >> 2) << 5 | reg(rng, 10)
}

const ALL: &[InsnGen] = &[
    addsub_imm,
    addsub_shifted,
    addsub_extended,
    addsub_carry,
    logical_imm,
    logical_shifted,
    move_wide,
    bitfield,
    extract,
    cond_select,
    cond_compare,
    dp1,
    dp2,
    crc32,
    multiply,
    pc_relative,
];

/// The integer classes.
pub const CLASSES: &[Class] = &[
    Class { name: "addsub-imm", shape: Shape::Seq { max: 12, gens: &[addsub_imm] } },
    Class { name: "addsub-shifted", shape: Shape::Seq { max: 12, gens: &[addsub_shifted] } },
    Class { name: "addsub-extended", shape: Shape::Seq { max: 12, gens: &[addsub_extended] } },
    Class { name: "addsub-carry", shape: Shape::Seq { max: 12, gens: &[addsub_carry, addsub_carry, addsub_imm] } },
    Class { name: "logical-imm", shape: Shape::Seq { max: 12, gens: &[logical_imm] } },
    Class { name: "logical-shifted", shape: Shape::Seq { max: 12, gens: &[logical_shifted] } },
    Class { name: "move-wide", shape: Shape::Seq { max: 12, gens: &[move_wide] } },
    Class { name: "bitfield", shape: Shape::Seq { max: 12, gens: &[bitfield] } },
    Class { name: "extract", shape: Shape::Seq { max: 12, gens: &[extract] } },
    Class { name: "cond-select", shape: Shape::Seq { max: 12, gens: &[cond_select, cond_select, addsub_imm] } },
    Class {
        name: "cond-compare",
        shape: Shape::Seq { max: 12, gens: &[cond_compare, cond_compare, cond_select, flag_manipulation] },
    },
    Class { name: "dp-1src", shape: Shape::Seq { max: 12, gens: &[dp1] } },
    Class { name: "dp-2src", shape: Shape::Seq { max: 12, gens: &[dp2] } },
    Class { name: "crc32", shape: Shape::Seq { max: 12, gens: &[crc32] } },
    Class { name: "multiply", shape: Shape::Seq { max: 12, gens: &[multiply] } },
    Class { name: "pc-relative", shape: Shape::Seq { max: 6, gens: &[pc_relative] } },
    Class { name: "int-mix", shape: Shape::Seq { max: 16, gens: ALL } },
];
