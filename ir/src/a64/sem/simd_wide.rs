//! Advanced SIMD "three different" instructions (the long, wide and narrowing arithmetic:
//! SADDL/UADDL, SADDW/UADDW, SSUBL/USUBL, SSUBW/USUBW, ADDHN/SUBHN and their rounding forms,
//! SABAL/UABAL, SABDL/UABDL, SMLAL/UMLAL, SMLSL/UMLSL, SMULL/UMULL, all with "2" forms) and
//! the by-element class (MUL, MLA, MLS, the long multiplies, FMUL, FMLA, FMLS by element), in
//! vector and scalar forms.

use super::{lshr_c, read, read_half, write, write_half, Shape};
use crate::a64::lift::{Lifter, SemError};
use crate::entities::Value;
use crate::inst::{BinaryOp, UnaryOp};
use crate::types::{LaneType, Type};

/// Extends a 64-bit half to lanes twice as wide.
fn widen(l: &mut Lifter, v: Value, wide: Shape, signed: bool) -> Value {
    if signed {
        l.b.sext(wide.ty(), v)
    } else {
        l.b.uext(wide.ty(), v)
    }
}

/// `0 Q U 01110 size 1 Rm opcode 00 Rn Rd`. Q selects the "2" forms (high halves of the
/// narrow operands, or the high half of the narrow result).
pub(super) fn three_different(l: &mut Lifter, scalar: bool) -> Result<(), SemError> {
    let (q, u) = (l.bit(30), l.bit(29));
    let (size, rm, opcode, rn, rd) = (l.field(22, 2), l.field(16, 5), l.field(12, 4), l.field(5, 5), l.field(0, 5));
    let doubling = matches!(opcode, 0b1001 | 0b1011 | 0b1101) && !u;
    if size == 3 {
        if opcode == 0b1110 && !u && !scalar {
            // PMULL/PMULL2 of 64-bit elements (the crypto extension's 1Q form).
            let a = read_half(l, rn, q, Shape::scalar(LaneType::I64));
            let b = read_half(l, rm, q, Shape::scalar(LaneType::I64));
            let r = super::sat::poly_mul_64(l, a, b);
            write(l, rd, r);
            return Ok(());
        }
        return Err(SemError::Undefined);
    }
    if doubling && size == 0 || scalar && !doubling {
        return Err(SemError::Undefined);
    }
    if doubling {
        let (half, wide) = if scalar {
            (Shape::scalar(super::int_lane(8 << size)), Shape::scalar(super::int_lane(16 << size)))
        } else {
            (Shape::int(size, false), Shape::int(size + 1, true))
        };
        let a = read_half(l, rn, q && !scalar, half);
        let b = read_half(l, rm, q && !scalar, half);
        let p = super::sat::doubling_mul_long(l, a, b, wide);
        let acc = match opcode {
            0b1001 => Accumulate::Add,
            0b1011 => Accumulate::Sub,
            _ => Accumulate::None,
        };
        let r = doubling_accumulate(l, acc, p, rd, wide);
        write(l, rd, r);
        return Ok(());
    }
    let signed = !u;
    let half = Shape::int(size, false);
    let wide = Shape::int(size + 1, true);
    let long_operand = |l: &mut Lifter, n: u32| {
        let v = read_half(l, n, q, half);
        widen(l, v, wide, signed)
    };
    let r = match opcode {
        0b0000 | 0b0010 => {
            let a = long_operand(l, rn);
            let b = long_operand(l, rm);
            if opcode == 0 {
                l.b.add(a, b)
            } else {
                l.b.sub(a, b)
            }
        }
        0b0001 | 0b0011 => {
            let a = read(l, rn, wide);
            let b = long_operand(l, rm);
            if opcode == 1 {
                l.b.add(a, b)
            } else {
                l.b.sub(a, b)
            }
        }
        0b0100 | 0b0110 => {
            // ADDHN/SUBHN (U = 0) and RADDHN/RSUBHN (U = 1): the high half of each wide lane.
            let a = read(l, rn, wide);
            let b = read(l, rm, wide);
            let mut s = if opcode == 0b0100 { l.b.add(a, b) } else { l.b.sub(a, b) };
            let hbits = 8 << size;
            if u {
                let c = super::splat_const(l, wide, 1u128 << (hbits - 1));
                s = l.b.add(s, c);
            }
            let hi = lshr_c(l, s, hbits);
            let n = l.b.trunc(half.ty(), hi);
            write_half(l, rd, q, n);
            return Ok(());
        }
        0b0101 | 0b0111 => {
            let a = long_operand(l, rn);
            let b = long_operand(l, rm);
            // |a - b| of the narrow lanes, computed wide (it fits).
            let d = l.b.sub(a, b);
            let d = l.b.unary(UnaryOp::Abs, d);
            if opcode == 0b0101 {
                let acc = read(l, rd, wide);
                l.b.add(acc, d)
            } else {
                d
            }
        }
        0b1000 | 0b1010 | 0b1100 => {
            let a = long_operand(l, rn);
            let b = long_operand(l, rm);
            let p = l.b.binary(BinaryOp::Mul, a, b);
            match opcode {
                0b1000 => {
                    let acc = read(l, rd, wide);
                    l.b.add(acc, p)
                }
                0b1010 => {
                    let acc = read(l, rd, wide);
                    l.b.sub(acc, p)
                }
                _ => p,
            }
        }
        0b1110 if !u && size == 0 => {
            // PMULL/PMULL2 of bytes: 16-bit carry-less products.
            let a = read_half(l, rn, q, half);
            let b = read_half(l, rm, q, half);
            let a = l.b.uext(wide.ty(), a);
            let b = l.b.uext(wide.ty(), b);
            super::sat::poly_mul(l, a, b, 8)
        }
        _ => return Err(SemError::Undefined),
    };
    write(l, rd, r);
    Ok(())
}

/// Vector (and scalar) by element: `0 Q U 01111 size L M Rm opcode H 0 Rn Rd`.
pub(super) fn by_element(l: &mut Lifter, scalar: bool) -> Result<(), SemError> {
    let (q, u) = (l.bit(30), l.bit(29));
    let (size, opcode, rn, rd) = (l.field(22, 2), l.field(12, 4), l.field(5, 5), l.field(0, 5));
    let (h, lo, m) = (l.field(11, 1), l.field(21, 1), l.field(20, 1));
    if size == 0b10 && opcode & 0b0011 == 0 && (opcode >> 3 == 1) == u {
        // FMLAL, FMLSL (U = 0, opcode 0000, 0100), FMLAL2 and FMLSL2 (U = 1, opcode 1000, 1100) of
        // FEAT_FHM; no scalar form.
        return if scalar { Err(SemError::Undefined) } else { super::fhm::by_element(l, q, u, opcode & 0b0100 != 0) };
    }
    let is_fp = matches!(opcode, 0b0001 | 0b0101 | 0b1001) && !(opcode != 0b1001 && u);
    if is_fp {
        let (index, rm) = match size {
            2 => (h << 1 | lo, m << 4 | l.field(16, 4)),
            3 if lo == 0 && (q || scalar) => (h, m << 4 | l.field(16, 4)),
            0 => return super::fp16::by_element(l, scalar),
            _ => return Err(SemError::Undefined),
        };
        let double = size == 3;
        let shape = if scalar { Shape::scalar(super::float_lane(32 << (size - 2))) } else { Shape::float(double, q) };
        let full = Shape::float(double, true);
        let mv = read(l, rm, full);
        let e = l.b.extract(mv, index);
        let b = if shape.lanes == 1 { e } else { l.b.splat(shape.ty(), e) };
        let a = read(l, rn, shape);
        let r = match opcode {
            0b1001 if u => super::fpvec::fp_step(l, super::fpvec::Step::Mulx, a, b, shape),
            0b1001 => l.b.binary(BinaryOp::Fmul, a, b),
            _ => {
                let acc = read(l, rd, shape);
                let a = if opcode == 0b0101 { l.b.unary(UnaryOp::Fneg, a) } else { a };
                super::fp16::fused(l, a, b, acc, shape)
            }
        };
        write(l, rd, r);
        return Ok(());
    }
    if u && opcode & 0b1001 == 0b0001 {
        // FCMLA by element (opcode 0 rot 1); no scalar form.
        return if scalar {
            Err(SemError::Undefined)
        } else {
            super::complex::by_element(l, q, size, opcode >> 1 & 0b11)
        };
    }
    if opcode == 0b1111 && !u && size & 1 == 1 {
        // BFDOT (size 01) and BFMLALB/BFMLALT (size 11) by element (FEAT_BF16), not lifted yet;
        // neither has a scalar form.
        return Err(if scalar { SemError::Undefined } else { SemError::Unsupported });
    }
    if opcode == 0b1111 && !u && scalar {
        return Err(SemError::Undefined);
    }
    if opcode == 0b1111 && !u {
        // SUDOT (size 00) and USDOT (size 10) by element (FEAT_I8MM): the indexed group of four
        // bytes (index H:L of M:Rm) in every 32-bit lane, Vn's bytes signed for SUDOT only.
        let (index, rm) = (h << 1 | lo, m << 4 | l.field(16, 4));
        let vm = l.vreg_as(rm, Type::vec(LaneType::I32, 4));
        let e = l.b.extract(vm, index);
        let group = l.b.splat(Type::vec(LaneType::I32, if q { 4 } else { 2 }), e);
        let b = l.b.bitcast(Shape::int(0, q).ty(), group);
        let a = read(l, rn, Shape::int(0, q));
        let acc = read(l, rd, Shape::int(2, q));
        let r = dot(l, a, b, acc, (size == 0, size != 0), q);
        write(l, rd, r);
        return Ok(());
    }
    let (index, rm) = match size {
        1 => (h << 2 | lo << 1 | m, l.field(16, 4)),
        2 => (h << 1 | lo, m << 4 | l.field(16, 4)),
        _ => return Err(SemError::Undefined),
    };
    let lane = super::int_lane(8 << size);
    let mv = l.vreg_as(rm, Type::vec(lane, 128 >> (3 + size)));
    let e = l.b.extract(mv, index);
    if opcode == 0b1110 && size == 2 && !scalar {
        // SDOT/UDOT by element: the indexed group of four bytes, in every 32-bit lane.
        let group = l.b.splat(Type::vec(LaneType::I32, if q { 4 } else { 2 }), e);
        let b = l.b.bitcast(Shape::int(0, q).ty(), group);
        let a = read(l, rn, Shape::int(0, q));
        let acc = read(l, rd, Shape::int(2, q));
        let r = dot(l, a, b, acc, (!u, !u), q);
        write(l, rd, r);
        return Ok(());
    }
    if matches!(opcode, 0b1101 | 0b1111) && u {
        // SQRDMLAH / SQRDMLSH by element.
        let shape = if scalar { Shape::scalar(lane) } else { Shape::int(size, q) };
        let a = read(l, rn, shape);
        let b = if scalar { e } else { l.b.splat(shape.ty(), e) };
        let acc = read(l, rd, shape);
        let r = super::sat::rounding_doubling_mul_acc(l, acc, opcode == 0b1111, a, b, shape);
        write(l, rd, r);
        return Ok(());
    }
    if matches!(opcode, 0b0011 | 0b0111 | 0b1011 | 0b1100 | 0b1101) && !u {
        return doubling_by_element(l, scalar, q, opcode, size, e, rn, rd);
    }
    if scalar {
        // Only the saturating doubling forms (and the FP ones) exist as scalars.
        return Err(SemError::Undefined);
    }
    let signed = !u;
    let r = match (opcode, u) {
        (0b1000, false) | (0b0000, true) | (0b0100, true) => {
            let shape = Shape::int(size, q);
            let a = read(l, rn, shape);
            let b = l.b.splat(shape.ty(), e);
            let p = l.b.binary(BinaryOp::Mul, a, b);
            match opcode {
                0b1000 => p,
                0b0000 => {
                    let acc = read(l, rd, shape);
                    l.b.add(acc, p)
                }
                _ => {
                    let acc = read(l, rd, shape);
                    l.b.sub(acc, p)
                }
            }
        }
        (0b0010 | 0b0110 | 0b1010, _) => {
            // SMLAL/UMLAL, SMLSL/UMLSL, SMULL/UMULL by element, with "2" forms.
            let half = Shape::int(size, false);
            let wide = Shape::int(size + 1, true);
            let a = read_half(l, rn, q, half);
            let a = widen(l, a, wide, signed);
            let ew = if signed { l.b.sext(wide.lane.scalar(), e) } else { l.b.uext(wide.lane.scalar(), e) };
            let b = l.b.splat(wide.ty(), ew);
            let p = l.b.binary(BinaryOp::Mul, a, b);
            match opcode {
                0b1010 => p,
                0b0010 => {
                    let acc = read(l, rd, wide);
                    l.b.add(acc, p)
                }
                _ => {
                    let acc = read(l, rd, wide);
                    l.b.sub(acc, p)
                }
            }
        }
        // The saturating doubling multiplies and the dot products
        // (and, with U = 1, the rounding-accumulate forms).
        _ => return Err(SemError::Unsupported),
    };
    write(l, rd, r);
    Ok(())
}

/// What a saturating doubling long multiply does with its product.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Accumulate {
    /// SQDMULL: the product itself.
    None,
    /// SQDMLAL: Vd plus the product, saturated.
    Add,
    /// SQDMLSL: Vd minus the product, saturated.
    Sub,
}

/// Combines a doubled product with the accumulator as `acc` says.
fn doubling_accumulate(l: &mut Lifter, acc: Accumulate, p: Value, rd: u32, wide: Shape) -> Value {
    if acc == Accumulate::None {
        return p;
    }
    let d = read(l, rd, wide);
    let op = if acc == Accumulate::Add { BinaryOp::SaddSat } else { BinaryOp::SsubSat };
    super::sat::saturating_binary(l, op, d, p)
}

/// SQDMLAL, SQDMLSL, SQDMULL, SQDMULH, SQRDMULH by element, vector and scalar.
#[allow(clippy::too_many_arguments)]
fn doubling_by_element(
    l: &mut Lifter,
    scalar: bool,
    q: bool,
    opcode: u32,
    size: u32,
    e: Value,
    rn: u32,
    rd: u32,
) -> Result<(), SemError> {
    let splat = |l: &mut Lifter, shape: Shape| {
        if shape.lanes == 1 {
            e
        } else {
            l.b.splat(shape.ty(), e)
        }
    };
    if opcode >= 0b1100 {
        let shape = if scalar { Shape::scalar(super::int_lane(8 << size)) } else { Shape::int(size, q) };
        let a = read(l, rn, shape);
        let b = splat(l, shape);
        let r = super::sat::doubling_mul_high(l, a, b, opcode == 0b1101, shape);
        write(l, rd, r);
        return Ok(());
    }
    let (half, wide) = if scalar {
        (Shape::scalar(super::int_lane(8 << size)), Shape::scalar(super::int_lane(16 << size)))
    } else {
        (Shape::int(size, false), Shape::int(size + 1, true))
    };
    let a = read_half(l, rn, q && !scalar, half);
    let b = splat(l, half);
    let p = super::sat::doubling_mul_long(l, a, b, wide);
    let acc = match opcode {
        0b0011 => Accumulate::Add,
        0b0111 => Accumulate::Sub,
        _ => Accumulate::None,
    };
    let r = doubling_accumulate(l, acc, p, rd, wide);
    write(l, rd, r);
    Ok(())
}

/// The "three same extra" class: `0 Q U 01110 size 0 Rm 1 opcode 1 Rn Rd`; SDOT and UDOT.
pub(super) fn three_same_extra(l: &mut Lifter, scalar: bool) -> Result<(), SemError> {
    let (q, u) = (l.bit(30), l.bit(29));
    let (size, rm, opcode, rn, rd) = (l.field(22, 2), l.field(16, 5), l.field(11, 4), l.field(5, 5), l.field(0, 5));
    if u && opcode < 0b0010 {
        // SQRDMLAH / SQRDMLSH.
        if size == 0 || size == 3 {
            return Err(SemError::Undefined);
        }
        let shape = if scalar { Shape::scalar(super::int_lane(8 << size)) } else { Shape::int(size, q) };
        let a = read(l, rn, shape);
        let b = read(l, rm, shape);
        let acc = read(l, rd, shape);
        let r = super::sat::rounding_doubling_mul_acc(l, acc, opcode == 1, a, b, shape);
        write(l, rd, r);
        return Ok(());
    }
    if scalar {
        return Err(SemError::Undefined);
    }
    if u {
        if let Some(r) = super::complex::lift(l, q, size, opcode) {
            return r;
        }
    }
    // SDOT/UDOT (opcode 0010), USDOT (U = 0, opcode 0011), SMMLA/UMMLA (opcode 0100, Q = 1)
    // and USMMLA (U = 0, opcode 0101, Q = 1), all on bytes into words (size 10): the operands'
    // signedness (Vn's, Vm's).
    let signedness = match (u, opcode) {
        (_, 0b0010) | (_, 0b0100) => (!u, !u),
        (false, 0b0011) | (false, 0b0101) => (false, true),
        // The BFloat16 forms (BFMMLA, opcode 1101, and BFDOT, opcode 1111, with size 01;
        // BFMLALB/T, opcode 1111 with size 11) are not lifted.
        (true, 0b1101) if size == 0b01 => return Err(SemError::Unsupported),
        (true, 0b1111) if size & 1 == 1 => return Err(SemError::Unsupported),
        _ => return Err(SemError::Undefined),
    };
    if size != 2 || (opcode >= 0b0100 && !q) {
        return Err(SemError::Undefined);
    }
    let a = read(l, rn, Shape::int(0, q));
    let b = read(l, rm, Shape::int(0, q));
    let acc = read(l, rd, Shape::int(2, q));
    let r =
        if opcode >= 0b0100 { matrix_multiply_add(l, a, b, acc, signedness) } else { dot(l, a, b, acc, signedness, q) };
    write(l, rd, r);
    Ok(())
}

/// SMMLA, UMMLA, USMMLA (FEAT_I8MM): `acc` (a 2x2 matrix of words, row-major) plus the product of
/// `a` (2x8 bytes, row-major) and the transpose of `b` (2x8 bytes, row-major): word `2i + j`
/// gains the dot product of row `i` of `a` and row `j` of `b`, as two four-byte dot products.
fn matrix_multiply_add(l: &mut Lifter, a: Value, b: Value, acc: Value, signedness: (bool, bool)) -> Value {
    let rows = |l: &mut Lifter, v: Value, lo: u8, pattern: [u8; 4]| {
        let picks: Vec<u8> = pattern.iter().flat_map(|&row| (0..4).map(move |k| 8 * row + lo + k)).collect();
        l.b.shuffle(v, v, &picks)
    };
    let mut sum = acc;
    for lo in [0, 4] {
        let x = rows(l, a, lo, [0, 0, 1, 1]);
        let y = rows(l, b, lo, [0, 1, 0, 1]);
        sum = dot(l, x, y, sum, signedness, true);
    }
    sum
}

/// SDOT/UDOT/USDOT/SUDOT: each 32-bit lane of `acc` plus the sum of the four products of the
/// bytes of `a` and `b` in that lane, each operand's bytes signed or not (`signedness`). Byte
/// products fit 16 bits (signed ones, or unsigned ones when neither operand is signed); pairs of
/// them are summed in 32 bits.
fn dot(l: &mut Lifter, a: Value, b: Value, acc: Value, signedness: (bool, bool), q: bool) -> Value {
    let signed = signedness.0 || signedness.1;
    // Sums of adjacent byte products, in 32-bit lanes, for bytes lo..lo+8.
    let pair_sums = |l: &mut Lifter, lo: u8| {
        let idx: Vec<u8> = (lo..lo + 8).collect();
        let (x, y) = if q { (l.b.shuffle(a, a, &idx), l.b.shuffle(b, b, &idx)) } else { (a, b) };
        let p16 = Shape::int(1, true);
        let x = widen(l, x, p16, signedness.0);
        let y = widen(l, y, p16, signedness.1);
        let p = l.b.binary(BinaryOp::Mul, x, y);
        let pe = l.b.shuffle(p, p, &[0, 2, 4, 6]);
        let po = l.b.shuffle(p, p, &[1, 3, 5, 7]);
        let s32 = Shape::int(2, true);
        let pe = widen(l, pe, s32, signed);
        let po = widen(l, po, s32, signed);
        l.b.add(pe, po)
    };
    let first = pair_sums(l, 0);
    let second = if q { pair_sums(l, 8) } else { first };
    let quads = super::int::pairwise(l, first, second, Shape::int(2, true), BinaryOp::Add);
    let quads = if q { quads } else { l.b.shuffle(quads, quads, &[0, 1]) };
    l.b.add(acc, quads)
}
