//! The complex-number arithmetic of FEAT_FCMA in its vector forms: FCADD and FCMLA on pairs of
//! lanes, the even lane of each pair holding a real part and the odd lane an imaginary part,
//! after the manual's pseudocode. FCADD adds the second operand rotated by 90 or 270 degrees (two
//! plain additions per pair); FCMLA adds one half of a complex product rotated by 0, 90, 180 or
//! 270 degrees (two fused multiply-adds per pair, with FMLA's NaN rules). The rotations negate
//! operand elements before the arithmetic (FPNeg, which flips a NaN's sign too). FCMLA by element
//! takes the second operand's pair from one pair of Vm (an index) for every pair. Half, single and
//! double precision are lifted (by element: half and single, there is no double form); half lanes
//! compute as FEAT_FP16's FADD and FMLA do (`simd_fp16.rs`: widened exactly, the fused forms in
//! double precision, rounded to half once).

use super::{read, write, Shape};
use crate::a64::lift::{Lifter, SemError};
use crate::entities::Value;
use crate::inst::{BinaryOp, UnaryOp};
use crate::types::LaneType;

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
        0b11 if !q => Err(SemError::Undefined),
        _ => {
            let shape = lanes(size, q);
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
/// pair of the second operand being pair `index` of Vm (M:Rm, all 128 bits). Half-precision lanes
/// take the index H:L (H = 1 needs Q = 1); single-precision lanes need Q = 1 and L = 0 (the
/// index is H).
pub(super) fn by_element(l: &mut Lifter, q: bool, size: u32, rot: u32) -> Result<(), SemError> {
    let (h, lo) = (l.field(11, 1), l.field(21, 1));
    let index = match size {
        0b01 if h == 1 && !q => return Err(SemError::Undefined),
        0b01 => h << 1 | lo,
        0b10 if lo == 0 && q => h,
        _ => return Err(SemError::Undefined),
    };
    let (rm, rn, rd) = (l.field(20, 1) << 4 | l.field(16, 4), l.field(5, 5), l.field(0, 5));
    let shape = lanes(size, q);
    // Vm's whole 128 bits, in lanes of the element size.
    let vm = read(l, rm, Shape { lanes: 128 / shape.ebits(), ..shape });
    // Lane k of the second operand is lane k % 2 of the indexed pair.
    let mask: Vec<u8> = (0..shape.lanes).map(|k| (2 * index + k % 2) as u8).collect();
    let m = l.b.shuffle(vm, vm, &mask);
    let r = multiply_add_rotated(l, shape, rot, rn, m, rd);
    write(l, rd, r);
    Ok(())
}

/// The lanes of a complex operation's operands: halves (carried as `i16` bits), singles or
/// doubles by `size` (01, 10, 11), 64 bits of them or 128 with `q`.
fn lanes(size: u32, q: bool) -> Shape {
    match size {
        0b01 => super::fp16::halves(if q { 8 } else { 4 }),
        _ => Shape::float(size == 0b11, q),
    }
}

/// Whether `shape` holds half lanes (as `i16` bits).
fn is_half(shape: Shape) -> bool {
    shape.lane == LaneType::I16
}

/// `v` with the two lanes of every pair swapped.
fn swap_pairs(l: &mut Lifter, v: Value, shape: Shape) -> Value {
    let mask: Vec<u8> = (0..shape.lanes).map(|k| (k ^ 1) as u8).collect();
    l.b.shuffle(v, v, &mask)
}

/// `v` with the lanes for which `negate(lane)` holds negated (FPNeg).
fn negate_lanes(l: &mut Lifter, v: Value, shape: Shape, negate: impl Fn(u32) -> bool) -> Value {
    let negated = if is_half(shape) { super::fp16::negate(l, v) } else { l.b.unary(UnaryOp::Fneg, v) };
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
    if is_half(shape) {
        super::fp16::binary(l, BinaryOp::Fadd, a, rotated)
    } else {
        l.b.binary(BinaryOp::Fadd, a, rotated)
    }
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
    if is_half(shape) {
        super::fp16::multiply_add(l, x, y, acc, false)
    } else {
        super::fp16::fused(l, x, y, acc, shape)
    }
}
