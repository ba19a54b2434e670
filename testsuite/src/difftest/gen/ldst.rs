//! Generators of the load/store classes: single registers (general and SIMD&FP) with unsigned
//! offset, unscaled offset, pre- and post-index and register offset; pairs; load-acquire and
//! store-release; exclusives; LSE atomics; Advanced SIMD structures (LD1-LD4, ST1-ST4, LD1R-LD4R). Each case is one instruction (an exclusive pair is
//! two) whose base register the generator points into the window so that the access stays in
//! it; sp as a base is kept 16-byte aligned. Encodings that the Arm ARM calls CONSTRAINED
//! UNPREDICTABLE (a loaded or stored register that is also a written-back base, LDP with
//! Rt = Rt2) are not drawn.

use crate::difftest::case::{MachineState, WINDOW_ADDR, WINDOW_SIZE};
use crate::difftest::gen::{reg, set_base, window_addr, Class, Shape};
use crate::difftest::rng::Rng;

/// Points base register `rn` so that `base + off` is an address in the window with room for
/// `bytes`, aligned to `align` (a power of two, 1 for none). Returns false when it cannot.
fn point(rng: &mut Rng, st: &mut MachineState, rn: u32, off: i64, bytes: u64, align: u64) -> bool {
    let lo = WINDOW_ADDR;
    let hi = WINDOW_ADDR + WINDOW_SIZE as u64 - bytes;
    for _ in 0..64 {
        let mut target = window_addr(rng, bytes) & !(align - 1);
        let mut base = target.wrapping_sub(off as u64);
        if rn == 31 {
            base &= !15;
            target = base.wrapping_add(off as u64);
        }
        if (lo..=hi).contains(&target) && target % align == 0 {
            set_base(st, rn, base);
            return true;
        }
    }
    false
}

/// A (size, opc) pair of a valid general-register load or store, and its access size.
fn int_size_opc(rng: &mut Rng) -> (u32, u32, u64) {
    let (size, opc) = rng.pick(&[
        (0, 0),
        (0, 1),
        (0, 2),
        (0, 3),
        (1, 0),
        (1, 1),
        (1, 2),
        (1, 3),
        (2, 0),
        (2, 1),
        (2, 2),
        (3, 0),
        (3, 1),
    ]);
    (size, opc, 1 << size)
}

/// A (size, opc) pair of a valid SIMD&FP register load or store (B, H, S, D, Q).
fn fp_size_opc(rng: &mut Rng) -> (u32, u32, u64) {
    let (size, opc) = rng.pick(&[(0, 0), (0, 1), (1, 0), (1, 1), (2, 0), (2, 1), (3, 0), (3, 1), (0, 2), (0, 3)]);
    (size, opc, if opc & 2 != 0 { 16 } else { 1 << size })
}

/// A signed 9-bit offset, biased to small values.
fn simm9(rng: &mut Rng) -> i64 {
    if rng.chance(1, 2) {
        rng.range(0, 32) as i64 - 16
    } else {
        rng.range(0, 511) as i64 - 256
    }
}

/// One single-register load or store with the addressing form `mode`: 0 unsigned offset,
/// 1 unscaled, 2 post-index, 3 pre-index, 4 register offset. `fp` selects SIMD&FP registers.
fn single(rng: &mut Rng, st: &mut MachineState, mode: u32, fp: bool) -> u32 {
    let (size, opc, bytes) = if fp { fp_size_opc(rng) } else { int_size_opc(rng) };
    let v = fp as u32;
    let rn = reg(rng, 5);
    let mut rt = reg(rng, 8);
    if !fp && (mode == 2 || mode == 3) && rt == rn && rn != 31 {
        rt = (rt + 1) % 31;
    }
    let head = size << 30 | v << 26 | opc << 22 | rn << 5 | rt;
    match mode {
        0 => {
            let max = ((WINDOW_SIZE as u64 - bytes) / bytes).min(4095) / 2;
            let imm12 = if rng.chance(1, 2) { rng.below(16) } else { rng.below(max + 1) };
            point(rng, st, rn, (imm12 * bytes) as i64, bytes, 1);
            0x3900_0000 | head | (imm12 as u32) << 10
        }
        1..=3 => {
            let imm9 = simm9(rng);
            let off = if mode == 2 { 0 } else { imm9 };
            point(rng, st, rn, off, bytes, 1);
            let form = [0, 0, 1, 3][mode as usize];
            0x3800_0000 | head | ((imm9 as u32) & 0x1ff) << 12 | form << 10
        }
        _ => {
            let option = rng.pick(&[2u32, 3, 6, 7]);
            let s = rng.bits(1);
            let shift = if s == 1 { bytes.trailing_zeros() } else { 0 };
            let mut rm = reg(rng, 8);
            if rm == rn {
                rm = 31;
            }
            // UXTW zero-extends the index's low half, so that index must not be negative.
            let index = (rng.below(256) as i64 - 128) >> shift.min(3);
            let index = if option == 2 { index.abs() } else { index };
            if rm != 31 {
                let junk = rng.next_u64() << 32;
                st.x[rm as usize] = match option {
                    2 | 6 => junk | (index as u32 as u64),
                    _ => index as u64,
                };
            }
            let off = if rm == 31 { 0 } else { index << shift };
            point(rng, st, rn, off, bytes, 1);
            0x3820_0800 | head | rm << 16 | option << 13 | s << 12
        }
    }
}

fn ld_uimm(rng: &mut Rng, st: &mut MachineState) -> u32 {
    single(rng, st, 0, false)
}
fn ld_unscaled(rng: &mut Rng, st: &mut MachineState) -> u32 {
    single(rng, st, 1, false)
}
fn ld_post(rng: &mut Rng, st: &mut MachineState) -> u32 {
    single(rng, st, 2, false)
}
fn ld_pre(rng: &mut Rng, st: &mut MachineState) -> u32 {
    single(rng, st, 3, false)
}
fn ld_regoff(rng: &mut Rng, st: &mut MachineState) -> u32 {
    single(rng, st, 4, false)
}
fn ld_fp(rng: &mut Rng, st: &mut MachineState) -> u32 {
    let mode = rng.below(5) as u32;
    single(rng, st, mode, true)
}

/// LDP/STP/LDNP/STNP/LDPSW in every addressing form, general or SIMD&FP registers.
fn pair(rng: &mut Rng, st: &mut MachineState, fp: bool) -> u32 {
    let load = rng.bits(1);
    let (opc, bytes) = if fp {
        rng.pick(&[(0u32, 4u64), (1, 8), (2, 16)])
    } else if load == 1 && rng.chance(1, 3) {
        (1, 4)
    } else {
        rng.pick(&[(0u32, 4u64), (2, 8)])
    };
    let ldpsw = !fp && opc == 1;
    let mode = if ldpsw { rng.range(1, 3) as u32 } else { rng.bits(2) };
    let rn = reg(rng, 5);
    let rt = reg(rng, 8);
    let mut rt2 = reg(rng, 8);
    if load == 1 && rt2 == rt {
        rt2 = (rt + 1) % 32;
    }
    let writeback = mode == 1 || mode == 3;
    let mut imm7 = rng.range(0, 31) as i64 - 16;
    if !fp && writeback && rn != 31 && (rn == rt || rn == rt2) {
        // Avoid a written-back base that is also a transfer register: use offset form instead.
        return pair_offset_fallback(rng, st, opc, bytes, load, rn, rt, rt2);
    }
    if rng.chance(1, 4) {
        imm7 = 0;
    }
    let off = if mode == 1 { 0 } else { imm7 * bytes as i64 };
    point(rng, st, rn, off, 2 * bytes, 1);
    opc << 30
        | 0x2800_0000
        | (fp as u32) << 26
        | mode << 23
        | load << 22
        | ((imm7 as u32) & 0x7f) << 15
        | rt2 << 10
        | rn << 5
        | rt
}

#[allow(clippy::too_many_arguments)]
fn pair_offset_fallback(
    rng: &mut Rng,
    st: &mut MachineState,
    opc: u32,
    bytes: u64,
    load: u32,
    rn: u32,
    rt: u32,
    rt2: u32,
) -> u32 {
    point(rng, st, rn, 0, 2 * bytes, 1);
    opc << 30 | 0x2800_0000 | 2 << 23 | load << 22 | rt2 << 10 | rn << 5 | rt
}

fn pair_int(rng: &mut Rng, st: &mut MachineState) -> u32 {
    pair(rng, st, false)
}
fn pair_fp(rng: &mut Rng, st: &mut MachineState) -> u32 {
    pair(rng, st, true)
}

/// Points base register `rn` for an acquire/release, exclusive or atomic access of `bytes` at
/// `base + off`, aligned to `bytes`; with `misaligned` (unless the base is sp, kept 16-byte
/// aligned, or the access is a byte) then moved by 1 to `bytes - 1`, where the access must fault
/// (SIGBUS, BUS_ADRALN): without FEAT_LSE2 the architecture, and qemu, require these accesses
/// aligned to their size (a pair's to both registers').
fn point_ordered(rng: &mut Rng, st: &mut MachineState, rn: u32, off: i64, bytes: u64, misaligned: bool) {
    point(rng, st, rn, off, 2 * bytes, bytes);
    if misaligned && rn != 31 && bytes > 1 {
        st.x[rn as usize] += 1 + rng.below(bytes - 1);
    }
}

/// LDAR/STLR, LDAPUR/STLUR (signed 9-bit offset) and the LSE atomics (LDADD, LDCLR, LDEOR, LDSET,
/// LD{S,U}{MAX,MIN}, SWP with every acquire/release variant, CAS, CASP), at aligned addresses.
fn atomic(rng: &mut Rng, st: &mut MachineState) -> u32 {
    ordered_access(rng, st, false)
}

/// `atomic`'s accesses, at a misaligned address with `misaligned` (`point_ordered`). LDAPR is not
/// drawn: qemu 7.2 performs it unaligned, where the manual faults (the lifter follows the manual;
/// its unit tests check that).
fn ordered_access(rng: &mut Rng, st: &mut MachineState, misaligned: bool) -> u32 {
    let size = rng.bits(2);
    let bytes = 1u64 << size;
    let rn = reg(rng, 5);
    let (rs, rt) = (reg(rng, 8), reg(rng, 8));
    if rng.chance(1, 8) {
        // CASP{,A,L,AL} of a W or X register pair: even, distinct first registers below x30 and
        // not the base; the pair must be aligned to both registers' size.
        let sz = rng.bits(1);
        let pair_bytes = 8u64 << sz;
        let even = |rng: &mut Rng| loop {
            let r = 2 * rng.below(15) as u32;
            if r != rn && r + 1 != rn {
                break r;
            }
        };
        let (rs, rt) = (even(rng), even(rng));
        point_ordered(rng, st, rn, 0, pair_bytes, misaligned);
        return sz << 30 | 0x0820_7c00 | rng.bits(1) << 22 | rs << 16 | rng.bits(1) << 15 | rn << 5 | rt;
    }
    if rng.chance(1, 5) {
        // LDAPUR* / STLUR*: opc 00 store, 01 load, 10 load signed to 64 bits (not for 64-bit
        // accesses), 11 load signed to 32 bits (bytes and halfwords only).
        let opc = match size {
            0 | 1 => rng.bits(2),
            2 => rng.below(3) as u32,
            _ => rng.bits(1),
        };
        let imm9 = (simm9(rng) / bytes as i64) * bytes as i64;
        point_ordered(rng, st, rn, imm9, bytes, misaligned);
        return size << 30 | 0x1900_0000 | opc << 22 | ((imm9 as u32) & 0x1ff) << 12 | rn << 5 | rt;
    }
    point_ordered(rng, st, rn, 0, bytes, misaligned);
    let head = size << 30 | rn << 5 | rt;
    match rng.below(4) {
        0 => head | if rng.chance(1, 2) { 0x089f_fc00 } else { 0x08df_fc00 },
        1 => head | 0x08a0_7c00 | rng.bits(1) << 22 | rs << 16 | rng.bits(1) << 15,
        _ => {
            let (o3, opc) = if rng.chance(1, 5) { (1, 0) } else { (0, rng.bits(3)) };
            head | 0x3820_0000 | rng.bits(2) << 22 | rs << 16 | o3 << 15 | opc << 12
        }
    }
}

/// An exclusive pair on one aligned address: LDXR/LDAXR, then STXR/STLXR of another register, or
/// LDXP/LDAXP, then STXP/STLXP of two registers. The status register differs from the base and
/// the stored registers, and a load-exclusive pair's two registers differ (the manual leaves
/// those cases CONSTRAINED UNPREDICTABLE).
fn exclusive(rng: &mut Rng, st: &mut MachineState) -> Vec<u32> {
    exclusive_pair(rng, st, false)
}

/// `exclusive`'s pairs, at a misaligned address with `misaligned` (`point_ordered`: the
/// load-exclusive faults there).
fn exclusive_pair(rng: &mut Rng, st: &mut MachineState, misaligned: bool) -> Vec<u32> {
    let rn = reg(rng, 5);
    let pick_other = |rng: &mut Rng, avoid: &[u32]| loop {
        let r = rng.below(31) as u32;
        if !avoid.contains(&r) {
            break r;
        }
    };
    let rt = pick_other(rng, &[rn]);
    let rs = pick_other(rng, &[rn, rt]);
    let rv = if rng.chance(1, 2) { rt } else { pick_other(rng, &[rn, rs]) };
    if rng.chance(1, 3) {
        let sz = rng.bits(1);
        let bytes = 8u64 << sz;
        let rt2 = pick_other(rng, &[rn, rt, rs]);
        let rv2 = pick_other(rng, &[rn, rs]);
        point_ordered(rng, st, rn, 0, bytes, misaligned);
        let load = 1 << 31 | sz << 30 | 0x087f_0000 | rng.bits(1) << 15 | rt2 << 10 | rn << 5 | rt;
        let store = 1 << 31 | sz << 30 | 0x0820_0000 | rs << 16 | rng.bits(1) << 15 | rv2 << 10 | rn << 5 | rv;
        return vec![load, store];
    }
    let size = rng.bits(2);
    let bytes = 1u64 << size;
    point_ordered(rng, st, rn, 0, bytes, misaligned);
    let load = size << 30 | 0x085f_7c00 | rng.bits(1) << 15 | rn << 5 | rt;
    let store = size << 30 | 0x0800_7c00 | rs << 16 | rng.bits(1) << 15 | rn << 5 | rv;
    vec![load, store]
}

/// An acquire/release, exclusive or atomic access at a misaligned address (byte accesses and sp
/// bases stay aligned): qemu, as the architecture without FEAT_LSE2, ends the case with SIGBUS,
/// and no engine may run it to the end.
fn misaligned(rng: &mut Rng, st: &mut MachineState) -> Vec<u32> {
    if rng.chance(1, 3) {
        exclusive_pair(rng, st, true)
    } else {
        vec![ordered_access(rng, st, true)]
    }
}

/// The class of `misaligned`, whose cases qemu ends with SIGBUS on purpose.
pub const MISALIGNED: &str = "ldst-misaligned";

/// The load/store classes.
/// An Advanced SIMD structure load or store: LD1-LD4/ST1-ST4 of multiple structures (one to four
/// registers, interleaved for LD2-LD4), of a single structure to or from one lane, and
/// LD1R-LD4R (one element replicated), with no offset or post-indexed (by the transfer size or
/// by a register). The register list may wrap from v31 to v0.
fn structures(rng: &mut Rng, st: &mut MachineState) -> u32 {
    let rn = reg(rng, 5);
    let load = rng.bits(1);
    let q = rng.bits(1);
    let (fields, bytes) = match rng.below(3) {
        0 => {
            // (opcode, registers, interleaved).
            let (opcode, regs, interleaved) = rng.pick(&[
                (0b0000u32, 4u64, true),
                (0b0010, 4, false),
                (0b0100, 3, true),
                (0b0110, 3, false),
                (0b0111, 1, false),
                (0b1000, 2, true),
                (0b1010, 2, false),
            ]);
            // One-lane 64-bit elements (size 3, Q 0) exist only for LD1/ST1.
            let size = if interleaved && q == 0 { rng.below(3) as u32 } else { rng.bits(2) };
            (0x0c00_0000 | load << 22 | opcode << 12 | size << 10, regs * if q == 1 { 16 } else { 8 })
        }
        1 => {
            // One lane: B (index Q:S:size), H (Q:S:size<1>), S (Q:S), D (Q); R and opcode<0>
            // give one to four registers.
            let r = rng.bits(1);
            let more = rng.bits(1);
            let registers = u64::from((more << 1 | r) + 1);
            let s = rng.bits(1);
            let (opcode, size, esize) = match rng.below(4) {
                0 => (more, rng.bits(2), 1),
                1 => (0b010 | more, rng.bits(1) << 1, 2),
                2 => (0b100 | more, 0, 4),
                _ => (0b100 | more, 1, 8),
            };
            let s = if esize == 8 { 0 } else { s };
            (0x0d00_0000 | load << 22 | r << 21 | opcode << 13 | s << 12 | size << 10, registers * esize)
        }
        _ => {
            // LD1R-LD4R: loads only.
            let r = rng.bits(1);
            let more = rng.bits(1);
            let registers = u64::from((more << 1 | r) + 1);
            let size = rng.bits(2);
            (0x0d40_0000 | r << 21 | (0b110 | more) << 13 | size << 10, registers << size)
        }
    };
    point(rng, st, rn, 0, bytes, 1);
    let post_index = match rng.below(3) {
        0 => 0,
        // By the transfer size (Rm = 31).
        1 => 0x0080_0000 | 31 << 16,
        _ => {
            let rm = rng.below(31) as u32;
            0x0080_0000 | rm << 16
        }
    };
    fields | post_index | q << 30 | rn << 5 | rng.bits(5)
}

pub const CLASSES: &[Class] = &[
    Class { name: "ldst-uimm", shape: Shape::Seq { max: 1, gens: &[ld_uimm] } },
    Class { name: "ldst-unscaled", shape: Shape::Seq { max: 1, gens: &[ld_unscaled] } },
    Class { name: "ldst-post", shape: Shape::Seq { max: 1, gens: &[ld_post] } },
    Class { name: "ldst-pre", shape: Shape::Seq { max: 1, gens: &[ld_pre] } },
    Class { name: "ldst-regoff", shape: Shape::Seq { max: 1, gens: &[ld_regoff] } },
    Class { name: "ldst-pair", shape: Shape::Seq { max: 1, gens: &[pair_int] } },
    Class { name: "ldst-atomic", shape: Shape::Seq { max: 1, gens: &[atomic] } },
    Class { name: "ldst-exclusive", shape: Shape::Whole(exclusive) },
    Class { name: MISALIGNED, shape: Shape::Whole(misaligned) },
    Class { name: "ldst-fp", shape: Shape::Seq { max: 1, gens: &[ld_fp, pair_fp] } },
    Class { name: "ldst-simd", shape: Shape::Seq { max: 1, gens: &[structures] } },
];
