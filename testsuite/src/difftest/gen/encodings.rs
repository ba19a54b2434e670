//! Uniform sweeps of the encoding space: words drawn at random from whole top-level encoding
//! groups of the Arm ARM's table C4-1, not from templates of the instructions the lifter knows.
//! The template classes test the semantics of what the lifter decodes; these find what it decodes
//! wrongly or not at all: an allocated encoding that qemu-aarch64 runs and the lifter rejects, or
//! an unallocated one that the lifter runs where qemu raises SIGILL (the runner fails such a case
//! in every class; only these draw them on purpose).
//!
//! Only groups that neither branch nor reach system registers are swept, so every word is safe in
//! the harness whatever its fields: data processing with immediates (op0 = 100x), with registers
//! (x101), scalar floating point and Advanced SIMD (x111), and loads and stores (x1x0) with their
//! base register pointed into the memory window.

use super::{set_base, Class, Shape};
use crate::difftest::case::{MachineState, WINDOW_ADDR, WINDOW_SIZE};
use crate::difftest::rng::Rng;

/// `word` with bits 28..25 (op0) set to `op0`.
fn with_op0(word: u32, op0: u32) -> u32 {
    (word & !(0xf << 25)) | op0 << 25
}

/// One word from either data-processing group: immediate (op0 100x) or register (x101).
fn data_processing(rng: &mut Rng, _: &mut MachineState) -> Vec<u32> {
    let word = if rng.chance(1, 2) {
        with_op0(rng.next_u64() as u32, 0b1000 | rng.bits(1))
    } else {
        with_op0(rng.next_u64() as u32, 0b0101 | rng.bits(1) << 3)
    };
    vec![word]
}

/// One word from the scalar floating-point and Advanced SIMD group (op0 x111), other than those
/// qemu-aarch64 gets wrong.
fn floating_point_and_simd(rng: &mut Rng, _: &mut MachineState) -> Vec<u32> {
    loop {
        let word = with_op0(rng.next_u64() as u32, 0b0111 | rng.bits(1) << 3);
        if !qemu_departs_from_the_manual(word) {
            return vec![word];
        }
    }
}

/// Words on which qemu-aarch64 7.2 (Debian 12's) departs from the Arm ARM, so that it cannot be
/// the reference: the scalar half-precision FCVTZS (vector, fixed-point) form, whose result qemu
/// writes sign-extended to 32 bits where the manual writes 16 and zeroes the rest (the unit tests
/// check it), and the modified-immediate encodings with op = 1, cmode = 1111 and o2 = 1, which
/// the manual leaves unallocated (objdump says so too) and qemu runs.
fn qemu_departs_from_the_manual(word: u32) -> bool {
    word & 0xfff0_fc00 == 0x5f10_fc00 || word & 0xbff8_fc00 == 0x2f00_fc00
}

/// One word from the loads-and-stores group (op0 = x1x0) with its base register (bits 9..5, sp
/// when 31) pointing into the middle of the window and the register in bits 20..16 (an index, a
/// status or a compare value, depending on the form) small, so that most accesses stay inside.
/// Literal loads are left out (they read the code, outside the window), and so are words whose
/// base register is also a transfer or status register (bits 4..0, 14..10 or 20..16): with
/// write-back the architecture leaves those unpredictable.
fn loads_and_stores(rng: &mut Rng, st: &mut MachineState) -> Vec<u32> {
    loop {
        let op0 = rng.pick(&[0b0100, 0b0110, 0b1100, 0b1110]);
        let word = with_op0(rng.next_u64() as u32, op0);
        let literal = word >> 28 & 3 == 0b01 && word >> 24 & 1 == 0;
        let (rt, rn, rt2, rm) = (word & 31, word >> 5 & 31, word >> 10 & 31, word >> 16 & 31);
        if literal || rn == rt || rn == rt2 || rn == rm || rm == rt || rt2 == rt {
            continue;
        }
        set_base(st, rn, WINDOW_ADDR + WINDOW_SIZE as u64 / 2 - 64 * rng.below(4));
        if rm != 31 {
            st.x[rm as usize] = rng.below(64);
        }
        return vec![word];
    }
}

/// Whether the class called `name` is a sweep, whose cases qemu may reject.
pub fn is_sweep(name: &str) -> bool {
    name.starts_with("encodings")
}

/// The sweep classes, one word a case so that each word is judged alone (most words are
/// unallocated, and qemu's SIGILL ends the case). Their names start with `encodings`.
pub const CLASSES: &[Class] = &[
    Class { name: "encodings-dp", shape: Shape::Whole(data_processing) },
    Class { name: "encodings-simd", shape: Shape::Whole(floating_point_and_simd) },
    Class { name: "encodings-ldst", shape: Shape::Whole(loads_and_stores) },
];
