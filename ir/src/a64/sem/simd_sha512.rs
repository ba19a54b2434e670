//! The SHA-512 and SHA-3 crypto instructions (FEAT_SHA512, FEAT_SHA3): SHA512H, SHA512H2,
//! SHA512SU0, SHA512SU1, and EOR3, BCAX, RAX1, XAR, after the manual's pseudocode. The SHA-512
//! instructions work on the two 64-bit halves of each register as separate i64 values, with the
//! Ch/Maj/add helpers of the SHA-1/SHA-256 code (`simd_crypto.rs`, width-generic); the SHA-3
//! ones are plain bitwise operations on whole vectors or 64-bit lanes. SM3 and SM4, which share the
//! encoding space, are not lifted (`Unsupported`).

use super::crypto::{add3, choose, majority, parity};
use super::{read, write, Shape};
use crate::a64::lift::{Lifter, SemError};
use crate::entities::Value;
use crate::inst::BinaryOp;

/// The encodings with top byte 0xCE: three-register SHA512/RAX1 (`1100 1110 011 Rm 1 O 00 opcode
/// Rn Rd`), two-register SHA512SU0 (`1100 1110 1100 0000 1000 opcode Rn Rd`), four-register
/// EOR3/BCAX (`1100 1110 0 Op0 Rm 0 Ra Rn Rd`) and XAR (`1100 1110 100 Rm imm6 Rn Rd`).
pub(super) fn lift(l: &mut Lifter) -> Result<(), SemError> {
    let insn = l.insn;
    let (rm, rn, rd) = (l.field(16, 5), l.field(5, 5), l.field(0, 5));
    if insn & 0xffe0_b000 == 0xce60_8000 {
        // O (bit 14) set selects SM3PARTW1/2 and SM4EKEY.
        let step = match (l.field(14, 1), l.field(10, 2)) {
            (0, 0) => sha512h,
            (0, 1) => sha512h2,
            (0, 2) => sha512su1,
            (0, 3) => rax1,
            _ => return Err(SemError::Unsupported),
        };
        step(l, rd, rn, rm);
        return Ok(());
    }
    if insn & 0xffff_f000 == 0xcec0_8000 {
        // Opcode 01 is SM4E.
        if l.field(10, 2) != 0 {
            return Err(SemError::Unsupported);
        }
        sha512su0(l, rd, rn);
        return Ok(());
    }
    if insn & 0xff80_8000 == 0xce00_0000 {
        let ra = l.field(10, 5);
        // Op0 10 is SM3SS1.
        let step = match l.field(21, 2) {
            0 => eor3,
            1 => bcax,
            _ => return Err(SemError::Unsupported),
        };
        step(l, rd, rn, rm, ra);
        return Ok(());
    }
    if insn & 0xffe0_0000 == 0xce80_0000 {
        let imm6 = l.field(10, 6);
        xar(l, rd, rn, rm, imm6);
        return Ok(());
    }
    // SM3TT1A/B, SM3TT2A/B and unallocated encodings.
    Err(SemError::Unsupported)
}

/// The low and high 64-bit halves of register `n`.
fn halves(l: &mut Lifter, n: u32) -> [Value; 2] {
    let v = read(l, n, Shape::int(3, true));
    [l.b.extract(v, 0), l.b.extract(v, 1)]
}

/// Writes two 64-bit halves (low first) to register `d`.
fn write_halves(l: &mut Lifter, d: u32, [lo, hi]: [Value; 2]) {
    let v = read(l, d, Shape::int(3, true));
    let v = l.b.insert(v, 0, lo);
    let v = l.b.insert(v, 1, hi);
    write(l, d, v);
}

fn ror(l: &mut Lifter, x: Value, n: u32) -> Value {
    let c = l.b.i64(n as u64);
    l.b.binary(BinaryOp::Rotr, x, c)
}

fn shr(l: &mut Lifter, x: Value, n: u32) -> Value {
    let c = l.b.i64(n as u64);
    l.b.binary(BinaryOp::Lshr, x, c)
}

/// The SHA-512 Σ/σ functions: `ROR(x, a) ^ ROR(x, b) ^ ROR(x, c)`, or with `x >> c` as the third term
/// when `shift` (Σ1: 14, 18, 41; Σ0: 28, 34, 39; σ0: 1, 8, >>7; σ1: 19, 61, >>6).
fn sigma(l: &mut Lifter, x: Value, a: u32, b: u32, c: u32, shift: bool) -> Value {
    let (ra, rb) = (ror(l, x, a), ror(l, x, b));
    let rc = if shift { shr(l, x, c) } else { ror(l, x, c) };
    parity(l, ra, rb, rc)
}

fn big_sigma1(l: &mut Lifter, x: Value) -> Value {
    sigma(l, x, 14, 18, 41, false)
}

fn big_sigma0(l: &mut Lifter, x: Value) -> Value {
    sigma(l, x, 28, 34, 39, false)
}

fn small_sigma0(l: &mut Lifter, x: Value) -> Value {
    sigma(l, x, 1, 8, 7, true)
}

fn small_sigma1(l: &mut Lifter, x: Value) -> Value {
    sigma(l, x, 19, 61, 6, true)
}

/// SHA512H Qd, Qn, Vm.2D: two rounds' worth of the Σ1/Ch part of the SHA-512 compression.
fn sha512h(l: &mut Lifter, d: u32, n: u32, m: u32) {
    let ([x_lo, x_hi], [y_lo, y_hi], [w_lo, w_hi]) = (halves(l, n), halves(l, m), halves(l, d));
    let sigma = big_sigma1(l, y_hi);
    let ch = choose(l, y_hi, x_lo, x_hi);
    let hi = add3(l, ch, sigma, w_hi);
    let tmp = l.b.add(hi, y_lo);
    let sigma = big_sigma1(l, tmp);
    let ch = choose(l, tmp, y_hi, x_lo);
    let lo = add3(l, ch, sigma, w_lo);
    write_halves(l, d, [lo, hi]);
}

/// SHA512H2 Qd, Qn, Vm.2D: the Σ0/Maj part.
fn sha512h2(l: &mut Lifter, d: u32, n: u32, m: u32) {
    let ([x_lo, _], [y_lo, y_hi], [w_lo, w_hi]) = (halves(l, n), halves(l, m), halves(l, d));
    let sigma = big_sigma0(l, y_lo);
    let maj = majority(l, x_lo, y_hi, y_lo);
    let hi = add3(l, maj, sigma, w_hi);
    let sigma = big_sigma0(l, hi);
    let maj = majority(l, hi, y_lo, y_hi);
    let lo = add3(l, maj, sigma, w_lo);
    write_halves(l, d, [lo, hi]);
}

/// SHA512SU0 Vd.2D, Vn.2D: the σ0 part of the message schedule update.
fn sha512su0(l: &mut Lifter, d: u32, n: u32) {
    let ([w_lo, w_hi], [x_lo, _]) = (halves(l, d), halves(l, n));
    let s = small_sigma0(l, w_hi);
    let lo = l.b.add(w_lo, s);
    let s = small_sigma0(l, x_lo);
    let hi = l.b.add(w_hi, s);
    write_halves(l, d, [lo, hi]);
}

/// SHA512SU1 Vd.2D, Vn.2D, Vm.2D: the σ1 part of the message schedule update.
fn sha512su1(l: &mut Lifter, d: u32, n: u32, m: u32) {
    let ([w_lo, w_hi], [x_lo, x_hi], [y_lo, y_hi]) = (halves(l, d), halves(l, n), halves(l, m));
    let s = small_sigma1(l, x_lo);
    let lo = add3(l, w_lo, s, y_lo);
    let s = small_sigma1(l, x_hi);
    let hi = add3(l, w_hi, s, y_hi);
    write_halves(l, d, [lo, hi]);
}

/// EOR3 Vd.16B, Vn.16B, Vm.16B, Va.16B: `n ^ m ^ a`.
fn eor3(l: &mut Lifter, d: u32, n: u32, m: u32, a: u32) {
    let shape = Shape::int(3, true);
    let (x, y, z) = (read(l, n, shape), read(l, m, shape), read(l, a, shape));
    let r = parity(l, x, y, z);
    write(l, d, r);
}

/// BCAX Vd.16B, Vn.16B, Vm.16B, Va.16B: `n ^ (m & !a)`.
fn bcax(l: &mut Lifter, d: u32, n: u32, m: u32, a: u32) {
    let shape = Shape::int(3, true);
    let (x, y, z) = (read(l, n, shape), read(l, m, shape), read(l, a, shape));
    let not_z = l.b.not(z);
    let t = l.b.and(y, not_z);
    let r = l.b.xor(x, t);
    write(l, d, r);
}

/// RAX1 Vd.2D, Vn.2D, Vm.2D: `n ^ ROL(m, 1)` in each 64-bit lane.
fn rax1(l: &mut Lifter, d: u32, n: u32, m: u32) {
    let ([x_lo, x_hi], [y_lo, y_hi]) = (halves(l, n), halves(l, m));
    let r_lo = ror(l, y_lo, 63);
    let r_hi = ror(l, y_hi, 63);
    let lo = l.b.xor(x_lo, r_lo);
    let hi = l.b.xor(x_hi, r_hi);
    write_halves(l, d, [lo, hi]);
}

/// XAR Vd.2D, Vn.2D, Vm.2D, #imm6: `ROR(n ^ m, imm6)` in each 64-bit lane.
fn xar(l: &mut Lifter, d: u32, n: u32, m: u32, imm6: u32) {
    let ([x_lo, x_hi], [y_lo, y_hi]) = (halves(l, n), halves(l, m));
    let t_lo = l.b.xor(x_lo, y_lo);
    let t_hi = l.b.xor(x_hi, y_hi);
    let lo = ror(l, t_lo, imm6);
    let hi = ror(l, t_hi, imm6);
    write_halves(l, d, [lo, hi]);
}
