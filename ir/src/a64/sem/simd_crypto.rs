//! The cryptographic extension: AESE, AESD, AESMC, AESIMC, SHA1C/P/M, SHA1H, SHA1SU0/SU1,
//! SHA256H/H2 and SHA256SU0/SU1 (PMULL is with the long multiplies), after the manual's
//! pseudocode. The SHA instructions work on 32-bit words kept as separate i32 values; AES works
//! on the 16 state bytes as one i8x16 vector with the IR's AES steps (`aes_shift_sub` and the
//! others, defined in `crate::crypto`), which the code generator maps to AES-NI.

use super::{read, splat_const, write, Shape};
use crate::a64::lift::{Lifter, SemError};
use crate::entities::Value;
use crate::inst::{BinaryOp, UnaryOp};
use crate::types::Type;

/// The AES and SHA encodings: `0100 1110 0010 1000 opcode 10 Rn Rd` (AES),
/// `0101 1110 000 Rm 0 opcode 00 Rn Rd` (SHA three-register) and
/// `0101 1110 0010 1000 opcode 10 Rn Rd` (SHA two-register). None when the word is none of them.
pub(super) fn lift(l: &mut Lifter) -> Option<Result<(), SemError>> {
    let insn = l.insn;
    let (rm, rn, rd) = (l.field(16, 5), l.field(5, 5), l.field(0, 5));
    if insn & 0xfffe_0c00 == 0x4e28_0800 {
        return Some(aes(l, l.field(12, 5), rn, rd));
    }
    if insn & 0xffe0_8c00 == 0x5e00_0000 {
        return Some(sha_three(l, l.field(12, 3), rm, rn, rd));
    }
    if insn & 0xfffe_0c00 == 0x5e28_0800 {
        return Some(sha_two(l, l.field(12, 5), rn, rd));
    }
    None
}

/// The four 32-bit words of register `n`, lane 0 first.
fn words(l: &mut Lifter, n: u32) -> [Value; 4] {
    let v = read(l, n, Shape::int(2, true));
    [0, 1, 2, 3].map(|i| l.b.extract(v, i))
}

/// Writes four 32-bit words to register `d`.
fn write_words(l: &mut Lifter, d: u32, w: [Value; 4]) {
    let shape = Shape::int(2, true);
    let mut v = splat_const(l, shape, 0);
    for (i, x) in w.into_iter().enumerate() {
        v = l.b.insert(v, i as u32, x);
    }
    write(l, d, v);
}

fn ror(l: &mut Lifter, x: Value, n: u32) -> Value {
    let c = l.b.i32(n);
    l.b.binary(BinaryOp::Rotr, x, c)
}

fn rol(l: &mut Lifter, x: Value, n: u32) -> Value {
    ror(l, x, 32 - n)
}

pub(super) fn add3(l: &mut Lifter, a: Value, b: Value, c: Value) -> Value {
    let s = l.b.add(a, b);
    l.b.add(s, c)
}

/// SHAchoose: `((y ^ z) & x) ^ z`.
pub(super) fn choose(l: &mut Lifter, x: Value, y: Value, z: Value) -> Value {
    let t = l.b.xor(y, z);
    let t = l.b.and(t, x);
    l.b.xor(t, z)
}

/// SHAparity: `x ^ y ^ z`.
pub(super) fn parity(l: &mut Lifter, x: Value, y: Value, z: Value) -> Value {
    let t = l.b.xor(x, y);
    l.b.xor(t, z)
}

/// SHAmajority: `(x & y) | ((x | y) & z)`.
pub(super) fn majority(l: &mut Lifter, x: Value, y: Value, z: Value) -> Value {
    let a = l.b.and(x, y);
    let o = l.b.or(x, y);
    let b = l.b.and(o, z);
    l.b.or(a, b)
}

/// `ror(x, a) ^ ror(x, b) ^ ror(x, c)`, or with `x >> c` as the last term when `shift`.
fn sigma(l: &mut Lifter, x: Value, a: u32, b: u32, c: u32, shift: bool) -> Value {
    let ra = ror(l, x, a);
    let rb = ror(l, x, b);
    let rc = if shift { l.b.lshr_imm(x, c) } else { ror(l, x, c) };
    parity(l, ra, rb, rc)
}

/// SHA1C, SHA1P, SHA1M, SHA1SU0, SHA256H, SHA256H2, SHA256SU1.
fn sha_three(l: &mut Lifter, opcode: u32, rm: u32, rn: u32, rd: u32) -> Result<(), SemError> {
    let d = words(l, rd);
    let n = words(l, rn);
    let m = words(l, rm);
    let r = match opcode {
        0..=2 => {
            // The hash update: X = Qd, Y = Sn, four rounds with the words of Vm.
            let (mut x, mut y) = (d, n[0]);
            for w in m {
                let t = match opcode {
                    0 => choose(l, x[1], x[2], x[3]),
                    1 => parity(l, x[1], x[2], x[3]),
                    _ => majority(l, x[1], x[2], x[3]),
                };
                let r5 = rol(l, x[0], 5);
                let s = add3(l, y, r5, t);
                y = l.b.add(s, w);
                x[1] = rol(l, x[1], 30);
                // <Y, X> = ROL(Y:X, 32).
                (x, y) = ([y, x[0], x[1], x[2]], x[3]);
            }
            x
        }
        3 => {
            // SHA1SU0: (Vn<63:0> : Vd<127:64>) ^ Vd ^ Vm.
            let t = [d[2], d[3], n[0], n[1]];
            [0, 1, 2, 3].map(|i| parity(l, t[i], d[i], m[i]))
        }
        4 | 5 => {
            let (mut x, mut y) = if opcode == 4 { (d, n) } else { (n, d) };
            for w in m {
                let ch = choose(l, y[0], y[1], y[2]);
                let maj = majority(l, x[0], x[1], x[2]);
                let s1 = sigma(l, y[0], 6, 11, 25, false);
                let t = add3(l, y[3], s1, ch);
                let t1 = l.b.add(t, w);
                let x3 = l.b.add(t1, x[3]);
                let s0 = sigma(l, x[0], 2, 13, 22, false);
                let y3 = add3(l, t1, s0, maj);
                // <Y, X> = ROL(Y:X, 32).
                (x, y) = ([y3, x[0], x[1], x[2]], [x3, y[0], y[1], y[2]]);
            }
            if opcode == 4 {
                x
            } else {
                y
            }
        }
        6 => {
            // SHA256SU1.
            let t0 = [n[1], n[2], n[3], m[0]];
            let mut r = d;
            let mut src = [m[2], m[3]];
            for e in 0..4 {
                if e == 2 {
                    src = [r[0], r[1]];
                }
                let s = sigma(l, src[e % 2], 17, 19, 10, true);
                r[e] = add3(l, s, d[e], t0[e]);
            }
            r
        }
        _ => return Err(SemError::Undefined),
    };
    write_words(l, rd, r);
    Ok(())
}

/// SHA1H, SHA1SU1, SHA256SU0.
fn sha_two(l: &mut Lifter, opcode: u32, rn: u32, rd: u32) -> Result<(), SemError> {
    match opcode {
        0 => {
            let x = l.vreg_as(rn, Type::I32);
            let r = rol(l, x, 30);
            write(l, rd, r);
        }
        1 => {
            // SHA1SU1: T = Vd ^ (Vn >> 32); each word rotated left by one, the last one also
            // mixing in T<31:0> rotated by two.
            let d = words(l, rd);
            let n = words(l, rn);
            let zero = l.b.i32(0);
            let src = [n[1], n[2], n[3], zero];
            let t = [0, 1, 2, 3].map(|i| l.b.xor(d[i], src[i]));
            let mut r = t.map(|x| rol(l, x, 1));
            let extra = rol(l, t[0], 2);
            r[3] = l.b.xor(r[3], extra);
            write_words(l, rd, r);
        }
        2 => {
            // SHA256SU0: sigma0 of (Vn<31:0> : Vd<127:32>) plus Vd.
            let d = words(l, rd);
            let n = words(l, rn);
            let t = [d[1], d[2], d[3], n[0]];
            let r = [0, 1, 2, 3].map(|i| {
                let s = sigma(l, t[i], 7, 18, 3, true);
                l.b.add(s, d[i])
            });
            write_words(l, rd, r);
        }
        _ => return Err(SemError::Undefined),
    }
    Ok(())
}

/// AESE, AESD (add the round key, (inverse) shift rows and substitute bytes), AESMC, AESIMC.
fn aes(l: &mut Lifter, opcode: u32, rn: u32, rd: u32) -> Result<(), SemError> {
    let shape = Shape::int(0, true);
    let n = read(l, rn, shape);
    let r = match opcode {
        0b00100 | 0b00101 => {
            let d = read(l, rd, shape);
            let state = l.b.xor(d, n);
            let step = if opcode == 0b00100 { UnaryOp::AesShiftSub } else { UnaryOp::AesInvShiftSub };
            l.b.unary(step, state)
        }
        0b00110 => l.b.unary(UnaryOp::AesMix, n),
        0b00111 => l.b.unary(UnaryOp::AesInvMix, n),
        _ => return Err(SemError::Undefined),
    };
    write(l, rd, r);
    Ok(())
}
