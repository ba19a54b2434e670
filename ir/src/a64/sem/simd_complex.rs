//! The complex-number arithmetic of FEAT_FCMA in its vector forms: FCADD and FCMLA on pairs of
//! lanes, the even lane of each pair holding a real part and the odd lane an imaginary part,
//! after the manual's pseudocode. FCADD adds the second operand rotated by 90 or 270 degrees (two
//! plain additions per pair); FCMLA adds one half of a complex product rotated by 0, 90, 180 or
//! 270 degrees (two fused multiply-adds per pair, with FMLA's NaN rules). The rotations negate
//! operand elements before the arithmetic (FPNeg, which flips a NaN's sign too). FCMLA by element
//! takes the second operand's pair from one pair of Vm (an index) for every pair. Single and double
//! precision are lifted (single only by element, which has no double form); the half-precision
//! forms are not yet.

use super::{read, write, Shape};
use crate::a64::lift::{Lifter, SemError};
use crate::entities::Value;
use crate::inst::{BinaryOp, UnaryOp};

/// FCADD (`opcode` 11r0) and FCMLA (`opcode` 10rr) of the three-same-extra group with U = 1
/// (`opcode` is bits 14..11). None when `opcode` is neither.
pub(super) fn lift(l: &mut Lifter, q: bool, size: u32, opcode: u32) -> Option<Result<(), SemError>> {
    let fcadd = opcode & 0b1101 == 0b1100;
    let fcmla = opcode & 0b1100 == 0b1000;
    if !fcadd && !fcmla {
        return None;
    }
    let (rm, rn, rd) = (l.field(16, 5), l.field(5, 5), l.field(0, 5));
    Some(match size {
        0b00 => Err(SemError::Undefined),
        0b01 => Err(SemError::Unsupported),
        0b11 if !q => Err(SemError::Undefined),
        _ => {
            let shape = Shape::float(size == 0b11, q);
            let r = if fcadd {
                add_rotated(l, shape, opcode & 0b10 != 0, rn, rm)
            } else {
                let m = read(l, rm, shape);
                multiply_add_rotated(l, shape, opcode & 0b11, rn, m, rd)
            };
            write(l, rd, r);
            Ok(())
        }
    })
}

/// FCMLA by element, `0 Q 1 01111 size L M Rm 0 rot 1 H 0 Rn Rd`: as the vector form, with every
/// pair of the second operand being pair `index` of Vm (M:Rm, all 128 bits). Single-precision
/// lanes need Q = 1 and L = 0 (the index is H); the half-precision forms (index H:L) are not lifted.
pub(super) fn by_element(l: &mut Lifter, q: bool, size: u32, rot: u32) -> Result<(), SemError> {
    let (h, lo) = (l.field(11, 1), l.field(21, 1));
    match size {
        0b01 if h == 1 && !q => return Err(SemError::Undefined),
        0b01 => return Err(SemError::Unsupported),
        0b10 if lo == 0 && q => {}
        _ => return Err(SemError::Undefined),
    }
    let (rm, rn, rd) = (l.field(20, 1) << 4 | l.field(16, 4), l.field(5, 5), l.field(0, 5));
    let shape = Shape::float(false, true);
    let vm = read(l, rm, shape);
    // Lane k of the second operand is lane k % 2 of the indexed pair.
    let mask: Vec<u8> = (0..shape.lanes).map(|k| (2 * h + k % 2) as u8).collect();
    let m = l.b.shuffle(vm, vm, &mask);
    let r = multiply_add_rotated(l, shape, rot, rn, m, rd);
    write(l, rd, r);
    Ok(())
}

/// `v` with the two lanes of every pair swapped.
fn swap_pairs(l: &mut Lifter, v: Value, shape: Shape) -> Value {
    let mask: Vec<u8> = (0..shape.lanes).map(|k| (k ^ 1) as u8).collect();
    l.b.shuffle(v, v, &mask)
}

/// `v` with the lanes for which `negate(lane)` holds negated (FPNeg).
fn negate_lanes(l: &mut Lifter, v: Value, shape: Shape, negate: impl Fn(u32) -> bool) -> Value {
    let negated = l.b.unary(UnaryOp::Fneg, v);
    let lanes = shape.lanes;
    // Lane k of the concatenation negated:v is negated lane k; lane lanes + k is v's lane k.
    let mask: Vec<u8> = (0..lanes).map(|k| if negate(k) { k } else { lanes + k } as u8).collect();
    l.b.shuffle(negated, v, &mask)
}

/// FCADD: Vn plus Vm rotated by 90 degrees (`-im, re` in each pair) or, with `rot270`, by 270
/// (`im, -re`).
fn add_rotated(l: &mut Lifter, shape: Shape, rot270: bool, rn: u32, rm: u32) -> Value {
    let a = read(l, rn, shape);
    let b = read(l, rm, shape);
    let swapped = swap_pairs(l, b, shape);
    // Rotating by 90 negates the swapped value's even lanes (the imaginary parts); by 270 its
    // odd lanes (the real parts).
    let rotated = negate_lanes(l, swapped, shape, |k| (k % 2 == 0) != rot270);
    l.b.binary(BinaryOp::Fadd, a, rotated)
}

/// FCMLA with rotation `rot` (0 to 3, quarter turns): Vd plus, in each pair, Vn's real part
/// (rotations 0 and 180) or imaginary part (90 and 270) times the second operand `m`'s pair
/// rotated, fused.
fn multiply_add_rotated(l: &mut Lifter, shape: Shape, rot: u32, rn: u32, m: Value, rd: u32) -> Value {
    let n = read(l, rn, shape);
    let acc = read(l, rd, shape);
    let part = rot & 1;
    let mask: Vec<u8> = (0..shape.lanes).map(|k| ((k & !1) + part) as u8).collect();
    let x = l.b.shuffle(n, n, &mask);
    // Vm's elements per result lane: (re, im) at 0 degrees, (-im, re) at 90, (-re, -im) at 180,
    // (im, -re) at 270.
    let m = if part == 1 { swap_pairs(l, m, shape) } else { m };
    let y = negate_lanes(l, m, shape, |k| match rot {
        0 => false,
        1 => k % 2 == 0,
        2 => true,
        _ => k % 2 == 1,
    });
    super::fp16::fused(l, x, y, acc, shape)
}
