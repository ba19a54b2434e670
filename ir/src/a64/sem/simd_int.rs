//! Advanced SIMD integer "three same" instructions (vector and scalar): halving and saturating
//! add/sub, compares, register shifts, max/min and their pairwise forms, absolute difference
//! (and accumulate), add/sub, multiply (and accumulate), and the bitwise group (AND, BIC, ORR,
//! ORN, EOR, BSL, BIT, BIF).

use super::{and_c, ashr_c, bit_select, icmp_mask, lshr_c, read, splat_const, write, Shape};
use crate::a64::lift::{Lifter, SemError};
use crate::entities::Value;
use crate::inst::{BinaryOp, IntCC};

/// `0 Q U 01110 size 1 Rm opcode 1 Rn Rd` with opcode below 11000 (the FP ones are elsewhere).
pub(super) fn three_same(l: &mut Lifter, scalar: bool) -> Result<(), SemError> {
    let (q, u) = (l.bit(30), l.bit(29));
    let (size, rm, opcode, rn, rd) = (l.field(22, 2), l.field(16, 5), l.field(11, 5), l.field(5, 5), l.field(0, 5));
    if opcode == 0b00011 {
        return if scalar { Err(SemError::Undefined) } else { logical(l, u, size, q, rm, rn, rd) };
    }
    let shape = if scalar { Shape::scalar(super::int_lane(8 << size)) } else { Shape::int(size, q) };
    if scalar {
        // Only the saturating ops, the compares, the register shifts and ADD/SUB have scalar
        // forms; all but the saturating ones are for 64-bit elements only.
        let ok = match opcode {
            0b00001 | 0b00101 | 0b01001 | 0b01011 => true,
            0b00110 | 0b00111 | 0b01000 | 0b01010 | 0b10000 | 0b10001 => size == 3,
            0b10110 => size == 1 || size == 2,
            _ => false,
        };
        if !ok {
            return Err(SemError::Undefined);
        }
    } else if size == 3 && !q {
        return Err(SemError::Undefined);
    }
    let a = read(l, rn, shape);
    let b = read(l, rm, shape);
    let signed = !u;
    let no_d = size == 3 && !scalar;
    let r = match opcode {
        0b00000 | 0b00010 | 0b00100 if no_d => return Err(SemError::Undefined),
        0b00000 => halving_add(l, a, b, signed, false),
        0b00010 => halving_add(l, a, b, signed, true),
        0b00100 => halving_sub(l, a, b, signed),
        0b00001 => super::sat::saturating_binary(l, if signed { BinaryOp::SaddSat } else { BinaryOp::UaddSat }, a, b),
        0b00101 => super::sat::saturating_binary(l, if signed { BinaryOp::SsubSat } else { BinaryOp::UsubSat }, a, b),
        0b00110 => icmp_mask(l, if signed { IntCC::Sgt } else { IntCC::Ugt }, a, b, shape),
        0b00111 => icmp_mask(l, if signed { IntCC::Sge } else { IntCC::Uge }, a, b, shape),
        0b01000..=0b01011 => super::sat::shift_by_register(l, a, b, signed, opcode & 2 != 0, opcode & 1 != 0, shape),
        0b01100..=0b01111 if no_d => return Err(SemError::Undefined),
        0b01100 => l.b.binary(if signed { BinaryOp::Smax } else { BinaryOp::Umax }, a, b),
        0b01101 => l.b.binary(if signed { BinaryOp::Smin } else { BinaryOp::Umin }, a, b),
        0b01110 => abs_diff(l, a, b, signed),
        0b01111 => {
            let d = abs_diff(l, a, b, signed);
            let acc = read(l, rd, shape);
            l.b.add(acc, d)
        }
        0b10000 => {
            if u {
                l.b.sub(a, b)
            } else {
                l.b.add(a, b)
            }
        }
        0b10001 => {
            if u {
                icmp_mask(l, IntCC::Eq, a, b, shape)
            } else {
                let both = l.b.and(a, b);
                let zero = splat_const(l, shape, 0);
                icmp_mask(l, IntCC::Ne, both, zero, shape)
            }
        }
        0b10010 | 0b10011 if size == 3 => return Err(SemError::Undefined),
        0b10010 => {
            let p = l.b.binary(BinaryOp::Mul, a, b);
            let acc = read(l, rd, shape);
            if u {
                l.b.sub(acc, p)
            } else {
                l.b.add(acc, p)
            }
        }
        0b10011 if !u => l.b.binary(BinaryOp::Mul, a, b),
        0b10011 if size == 0 => super::sat::poly_mul(l, a, b, 8),
        0b10011 => return Err(SemError::Undefined),
        0b10110 if size == 1 || size == 2 => super::sat::doubling_mul_high(l, a, b, u, shape),
        0b10110 => return Err(SemError::Undefined),
        0b10100 | 0b10101 if no_d => return Err(SemError::Undefined),
        0b10100 => pairwise(l, a, b, shape, if signed { BinaryOp::Smax } else { BinaryOp::Umax }),
        0b10101 => pairwise(l, a, b, shape, if signed { BinaryOp::Smin } else { BinaryOp::Umin }),
        0b10111 if !u => pairwise(l, a, b, shape, BinaryOp::Add),
        0b10111 => return Err(SemError::Undefined),
        _ => return Err(SemError::Undefined),
    };
    write(l, rd, r);
    Ok(())
}

/// AND, BIC, ORR, ORN (U = 0) and EOR, BSL, BIT, BIF (U = 1), selected by `size`.
fn logical(l: &mut Lifter, u: bool, size: u32, q: bool, rm: u32, rn: u32, rd: u32) -> Result<(), SemError> {
    let shape = Shape::int(3, q);
    let a = read(l, rn, shape);
    let b = read(l, rm, shape);
    let r = match (u, size) {
        (false, 0) => l.b.and(a, b),
        (false, 1) => {
            let nb = l.b.not(b);
            l.b.and(a, nb)
        }
        (false, 2) => l.b.or(a, b),
        (false, _) => {
            let nb = l.b.not(b);
            l.b.or(a, nb)
        }
        (true, 0) => l.b.xor(a, b),
        (true, 1) => {
            let d = read(l, rd, shape);
            bit_select(l, d, a, b)
        }
        (true, 2) => {
            let d = read(l, rd, shape);
            bit_select(l, b, a, d)
        }
        (true, _) => {
            let d = read(l, rd, shape);
            bit_select(l, b, d, a)
        }
    };
    write(l, rd, r);
    Ok(())
}

/// `(a + b) >> 1` without overflow, optionally rounding: both halves plus the carry of the low
/// bits (`a & b` truncating, `a | b` rounding).
fn halving_add(l: &mut Lifter, a: Value, b: Value, signed: bool, round: bool) -> Value {
    let (ha, hb) = if signed { (ashr_c(l, a, 1), ashr_c(l, b, 1)) } else { (lshr_c(l, a, 1), lshr_c(l, b, 1)) };
    let low = if round { l.b.or(a, b) } else { l.b.and(a, b) };
    let carry = and_c(l, low, 1);
    let s = l.b.add(ha, hb);
    l.b.add(s, carry)
}

/// `(a - b) >> 1` without overflow: the halves' difference minus the borrow of the low bits.
fn halving_sub(l: &mut Lifter, a: Value, b: Value, signed: bool) -> Value {
    let (ha, hb) = if signed { (ashr_c(l, a, 1), ashr_c(l, b, 1)) } else { (lshr_c(l, a, 1), lshr_c(l, b, 1)) };
    let na = l.b.not(a);
    let nb = l.b.and(na, b);
    let borrow = and_c(l, nb, 1);
    let d = l.b.sub(ha, hb);
    l.b.sub(d, borrow)
}

/// |a - b| of signed or unsigned lanes, as max - min (exact modulo the lane width).
fn abs_diff(l: &mut Lifter, a: Value, b: Value, signed: bool) -> Value {
    let (max, min) = if signed { (BinaryOp::Smax, BinaryOp::Smin) } else { (BinaryOp::Umax, BinaryOp::Umin) };
    let hi = l.b.binary(max, a, b);
    let lo = l.b.binary(min, a, b);
    l.b.sub(hi, lo)
}

/// A pairwise operation: lane k of the result combines lanes 2k and 2k+1 of the concatenation
/// `a:b` (a's pairs first).
pub(super) fn pairwise(l: &mut Lifter, a: Value, b: Value, shape: Shape, op: BinaryOp) -> Value {
    let n = shape.lanes;
    let even: Vec<u8> = (0..n).map(|k| (2 * k) as u8).collect();
    let odd: Vec<u8> = (0..n).map(|k| (2 * k + 1) as u8).collect();
    let x = l.b.shuffle(a, b, &even);
    let y = l.b.shuffle(a, b, &odd);
    l.b.binary(op, x, y)
}
