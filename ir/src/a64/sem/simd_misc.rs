//! Advanced SIMD integer "two-register miscellaneous" instructions (REV16/32/64, pairwise long
//! adds, CLS/CLZ/CNT, NOT/RBIT, compares against zero, ABS/NEG, the narrowing XTN family, SHLL)
//! in vector and scalar forms, the across-lanes reductions (ADDV, SADDLV/UADDLV, SMAXV/UMAXV,
//! SMINV/UMINV and the FP ones), and the scalar pairwise forms (ADDP d, FADDP s, ...).

use super::{ashr_c, icmp_mask, int_lane, read, read_half, shl_c, splat_const, write, write_half, Shape};
use crate::a64::lift::{Lifter, SemError};
use crate::entities::Value;
use crate::inst::{BinaryOp, IntCC, UnaryOp};

/// `0 Q U 01110 size 10000 opcode 10 Rn Rd` (and the scalar form with bit 28 set).
pub(super) fn two_reg_misc(l: &mut Lifter, scalar: bool) -> Result<(), SemError> {
    let (q, u) = (l.bit(30), l.bit(29));
    let (size, opcode, rn, rd) = (l.field(22, 2), l.field(12, 5), l.field(5, 5), l.field(0, 5));
    let is_int = opcode < 0b01100 || matches!(opcode, 0b10010..=0b10100);
    if !is_int {
        return super::fpvec::two_reg_misc(l, scalar);
    }
    if matches!(opcode, 0b10010 | 0b10100) {
        return narrow(l, scalar, u, opcode, size, q, rn, rd);
    }
    if scalar {
        // Scalar forms: compares against zero, ABS and NEG on 64-bit lanes; SUQADD, USQADD,
        // SQABS, SQNEG on any size.
        return match opcode {
            0b01000..=0b01011 if size == 3 => misc_op(l, u, opcode, Shape::scalar(int_lane(64)), rn, rd),
            0b00011 | 0b00111 => saturating_misc(l, u, opcode, Shape::scalar(int_lane(8 << size)), rn, rd),
            _ => Err(SemError::Undefined),
        };
    }
    let shape = Shape::int(size, q);
    match opcode {
        0b00000 | 0b00001 => {
            // REV64, REV16 (U = 0), REV32 (U = 1): reverse the elements inside each container.
            let container = match (opcode, u) {
                (0, false) => 64,
                (0, true) => 32,
                (1, false) => 16,
                _ => return Err(SemError::Undefined),
            };
            let ebits = 8 << size;
            if ebits >= container {
                return Err(SemError::Undefined);
            }
            let per = container / ebits;
            let mask: Vec<u8> = (0..shape.lanes).map(|k| (k - k % per + (per - 1 - k % per)) as u8).collect();
            let v = read(l, rn, shape);
            let r = l.b.shuffle(v, v, &mask);
            write(l, rd, r);
            Ok(())
        }
        0b00010 | 0b00110 => {
            // SADDLP/UADDLP and SADALP/UADALP: adjacent pairs added into lanes twice as wide.
            if size == 3 {
                return Err(SemError::Undefined);
            }
            let v = read(l, rn, shape);
            let wide = Shape::int(size + 1, q);
            // The 64-bit form of 32-bit pairs has one wide lane: its halves are scalars (a
            // one-lane shuffle would be a 32-bit vector, which no conversion widens to i64).
            let (x, y) = if wide.lanes == 1 {
                (l.b.extract(v, 0), l.b.extract(v, 1))
            } else {
                let even: Vec<u8> = (0..wide.lanes).map(|k| (2 * k) as u8).collect();
                let odd: Vec<u8> = (0..wide.lanes).map(|k| (2 * k + 1) as u8).collect();
                (l.b.shuffle(v, v, &even), l.b.shuffle(v, v, &odd))
            };
            let (x, y) = if u {
                (l.b.uext(wide.ty(), x), l.b.uext(wide.ty(), y))
            } else {
                (l.b.sext(wide.ty(), x), l.b.sext(wide.ty(), y))
            };
            let mut r = l.b.add(x, y);
            if opcode == 0b00110 {
                let acc = read(l, rd, wide);
                r = l.b.add(acc, r);
            }
            write(l, rd, r);
            Ok(())
        }
        0b00100 => {
            // CLS (U = 0) / CLZ (U = 1).
            if size == 3 {
                return Err(SemError::Undefined);
            }
            let v = read(l, rn, shape);
            let r = if u {
                l.b.unary(UnaryOp::Clz, v)
            } else {
                // CLS(x) = CLZ(x ^ (x >> 1 arithmetic)) - 1, as the high bit always matches.
                let s = ashr_c(l, v, 1);
                let x = l.b.xor(v, s);
                let z = l.b.unary(UnaryOp::Clz, x);
                let one = splat_const(l, shape, 1);
                l.b.sub(z, one)
            };
            write(l, rd, r);
            Ok(())
        }
        0b00101 => {
            // CNT (U = 0, bytes), NOT (U = 1, size 0), RBIT (U = 1, size 1).
            let shape = Shape::int(0, q);
            let v = read(l, rn, shape);
            let r = match (u, size) {
                (false, 0) => l.b.unary(UnaryOp::Popcnt, v),
                (true, 0) => l.b.not(v),
                (true, 1) => l.b.unary(UnaryOp::Bitrev, v),
                _ => return Err(SemError::Undefined),
            };
            write(l, rd, r);
            Ok(())
        }
        0b01000..=0b01011 => {
            if size == 3 && !q {
                return Err(SemError::Undefined);
            }
            misc_op(l, u, opcode, shape, rn, rd)
        }
        0b10011 if u => {
            // SHLL/SHLL2: widen and shift left by the element width.
            if size == 3 {
                return Err(SemError::Undefined);
            }
            let half = Shape::int(size, false);
            let v = read_half(l, rn, q, half);
            let wide = Shape::int(size + 1, true);
            let x = l.b.uext(wide.ty(), v);
            let r = shl_c(l, x, 8 << size);
            write(l, rd, r);
            Ok(())
        }
        0b00011 | 0b00111 => {
            if size == 3 && !q {
                return Err(SemError::Undefined);
            }
            saturating_misc(l, u, opcode, shape, rn, rd)
        }
        _ => Err(SemError::Undefined),
    }
}

/// SUQADD, USQADD (opcode 00011) and SQABS, SQNEG (opcode 00111).
fn saturating_misc(l: &mut Lifter, u: bool, opcode: u32, shape: Shape, rn: u32, rd: u32) -> Result<(), SemError> {
    let v = read(l, rn, shape);
    let r = if opcode == 0b00011 {
        let d = read(l, rd, shape);
        super::sat::mixed_saturating_add(l, d, v, !u, shape)
    } else {
        super::sat::saturating_abs_neg(l, v, u, shape)
    };
    write(l, rd, r);
    Ok(())
}

/// Compares against zero (CMGT, CMEQ, CMLT with U = 0; CMGE, CMLE with U = 1), ABS and NEG.
fn misc_op(l: &mut Lifter, u: bool, opcode: u32, shape: Shape, rn: u32, rd: u32) -> Result<(), SemError> {
    let v = read(l, rn, shape);
    let zero = splat_const(l, shape, 0);
    let r = match (opcode, u) {
        (0b01000, false) => icmp_mask(l, IntCC::Sgt, v, zero, shape),
        (0b01000, true) => icmp_mask(l, IntCC::Sge, v, zero, shape),
        (0b01001, false) => icmp_mask(l, IntCC::Eq, v, zero, shape),
        (0b01001, true) => icmp_mask(l, IntCC::Sle, v, zero, shape),
        (0b01010, false) => icmp_mask(l, IntCC::Slt, v, zero, shape),
        (0b01011, false) => l.b.unary(UnaryOp::Abs, v),
        (0b01011, true) => l.b.unary(UnaryOp::Neg, v),
        _ => return Err(SemError::Undefined),
    };
    write(l, rd, r);
    Ok(())
}

/// Saturates `v` (lanes of twice the target width, signed when `signed_in`) to the target width,
/// signed or unsigned (`signed_out`), and narrows it.
pub(super) fn saturate_narrow(l: &mut Lifter, v: Value, wide: Shape, signed_in: bool, signed_out: bool) -> Value {
    let nb = wide.ebits() / 2;
    let narrow = wide.with_ebits(nb);
    let (lo, hi): (u128, u128) =
        if signed_out { ((1u128 << (nb - 1)).wrapping_neg(), (1u128 << (nb - 1)) - 1) } else { (0, (1u128 << nb) - 1) };
    let hi_c = splat_const(l, wide, hi);
    let clamped = match (signed_in, signed_out) {
        (true, true) => {
            let lo_c = splat_const(l, wide, lo);
            let x = l.b.binary(BinaryOp::Smax, v, lo_c);
            l.b.binary(BinaryOp::Smin, x, hi_c)
        }
        (true, false) => {
            let zero = splat_const(l, wide, 0);
            let x = l.b.binary(BinaryOp::Smax, v, zero);
            l.b.binary(BinaryOp::Umin, x, hi_c)
        }
        _ => l.b.binary(BinaryOp::Umin, v, hi_c),
    };
    let saturated = l.b.icmp(IntCC::Ne, clamped, v);
    super::sat::raise_qc_if(l, saturated);
    l.b.trunc(narrow.ty(), clamped)
}

/// XTN, SQXTN, UQXTN, SQXTUN (and their "2" forms, writing the upper half), vector and scalar.
#[allow(clippy::too_many_arguments)]
fn narrow(
    l: &mut Lifter,
    scalar: bool,
    u: bool,
    opcode: u32,
    size: u32,
    q: bool,
    rn: u32,
    rd: u32,
) -> Result<(), SemError> {
    if size == 3 {
        return Err(SemError::Undefined);
    }
    let (signed_in, signed_out) = match (opcode, u) {
        (0b10010, false) => {
            if scalar {
                return Err(SemError::Undefined);
            }
            let wide = Shape::int(size + 1, true);
            let v = read(l, rn, wide);
            let n = l.b.trunc(wide.with_ebits(8 << size).ty(), v);
            write_half(l, rd, q, n);
            return Ok(());
        }
        (0b10010, true) => (true, false),
        (0b10100, false) => (true, true),
        _ => (false, false),
    };
    if scalar {
        let wide = Shape::scalar(int_lane(16 << size));
        let v = read(l, rn, wide);
        let n = saturate_narrow(l, v, wide, signed_in, signed_out);
        write(l, rd, n);
    } else {
        let wide = Shape::int(size + 1, true);
        let v = read(l, rn, wide);
        let n = saturate_narrow(l, v, wide, signed_in, signed_out);
        write_half(l, rd, q, n);
    }
    Ok(())
}

/// Reduces `v`'s lanes with `op`, halving recursively (the manual's Reduce()).
pub(super) fn reduce(l: &mut Lifter, v: Value, shape: Shape, op: BinaryOp) -> Value {
    let lanes: Vec<Value> = (0..shape.lanes).map(|i| l.b.extract(v, i)).collect();
    reduce_lanes(l, &lanes, op)
}

/// Reduces values with `op`, halving recursively.
fn reduce_lanes(l: &mut Lifter, lanes: &[Value], op: BinaryOp) -> Value {
    fn go(l: &mut Lifter, xs: &[Value], op: BinaryOp) -> Value {
        if xs.len() == 1 {
            return xs[0];
        }
        let (a, b) = xs.split_at(xs.len() / 2);
        let x = go(l, a, op);
        let y = go(l, b, op);
        l.b.binary(op, x, y)
    }
    go(l, lanes, op)
}

/// Across lanes: `0 Q U 01110 size 11000 opcode 10 Rn Rd`.
pub(super) fn across_lanes(l: &mut Lifter) -> Result<(), SemError> {
    let (q, u) = (l.bit(30), l.bit(29));
    let (size, opcode, rn, rd) = (l.field(22, 2), l.field(12, 5), l.field(5, 5), l.field(0, 5));
    if matches!(opcode, 0b01100 | 0b01111) {
        return super::fpvec::across_lanes(l);
    }
    if size == 3 || size == 2 && !q {
        return Err(SemError::Undefined);
    }
    let shape = Shape::int(size, q);
    let v = read(l, rn, shape);
    let r = match (opcode, u) {
        (0b00011, _) => {
            // SADDLV/UADDLV: the sum in a lane twice as wide.
            let wide = int_lane(16 << size).scalar();
            let lanes: Vec<Value> = (0..shape.lanes)
                .map(|i| {
                    let x = l.b.extract(v, i);
                    if u {
                        l.b.uext(wide, x)
                    } else {
                        l.b.sext(wide, x)
                    }
                })
                .collect();
            reduce_lanes(l, &lanes, BinaryOp::Add)
        }
        (0b01010, false) => reduce(l, v, shape, BinaryOp::Smax),
        (0b01010, true) => reduce(l, v, shape, BinaryOp::Umax),
        (0b11010, false) => reduce(l, v, shape, BinaryOp::Smin),
        (0b11010, true) => reduce(l, v, shape, BinaryOp::Umin),
        (0b11011, false) => reduce(l, v, shape, BinaryOp::Add),
        _ => return Err(SemError::Undefined),
    };
    write(l, rd, r);
    Ok(())
}

/// Scalar pairwise: `01 U 11110 size 11000 opcode 10 Rn Rd` (ADDP d; FADDP, FMAXP, FMINP,
/// FMAXNMP, FMINNMP on two lanes).
pub(super) fn scalar_pairwise(l: &mut Lifter) -> Result<(), SemError> {
    let u = l.bit(29);
    let (size, opcode, rn, rd) = (l.field(22, 2), l.field(12, 5), l.field(5, 5), l.field(0, 5));
    if !u {
        if opcode == 0b11011 && size == 3 {
            let shape = Shape::int(3, true);
            let v = read(l, rn, shape);
            let r = reduce(l, v, shape, BinaryOp::Add);
            write(l, rd, r);
            return Ok(());
        }
        // The FP16 forms live here with U = 0.
        return if matches!(opcode, 0b01100 | 0b01101 | 0b01111) {
            super::fp16::scalar_pairwise(l)
        } else {
            Err(SemError::Undefined)
        };
    }
    let op = match (opcode, size >> 1) {
        (0b01100, 0) => BinaryOp::Fmaxnm,
        (0b01100, _) => BinaryOp::Fminnm,
        (0b01101, 0) => BinaryOp::Fadd,
        (0b01111, 0) => BinaryOp::Fmax,
        (0b01111, _) => BinaryOp::Fmin,
        _ => return Err(SemError::Undefined),
    };
    let shape = super::Shape::float(size & 1 == 1, size & 1 == 1);
    let v = read(l, rn, shape);
    let r = reduce(l, v, shape, op);
    write(l, rd, r);
    Ok(())
}
