//! Advanced SIMD moves and permutes: DUP (element and general), INS (element and general),
//! UMOV/SMOV, the scalar DUP (MOV s0, v1.s[1]), TBL/TBX, ZIP/UZP/TRN and EXT.

use super::{read, splat_const, write, Shape};
use crate::a64::lift::{Lifter, SemError};
use crate::entities::Value;
use crate::inst::{BinaryOp, IntCC};
use crate::types::Type;

/// The element size (log2 bytes) and index encoded in imm5: the lowest set bit gives the size.
fn imm5_element(imm5: u32) -> Option<(u32, u32)> {
    let size = imm5.trailing_zeros();
    (size < 4).then(|| (size, imm5 >> (size + 1)))
}

/// The copy class: `0 Q op 01110000 imm5 0 imm4 1 Rn Rd` (vector) and its scalar DUP form.
pub(super) fn copy(l: &mut Lifter, scalar: bool) -> Result<(), SemError> {
    let (q, op) = (l.bit(30), l.bit(29));
    let (imm5, imm4, rn, rd) = (l.field(16, 5), l.field(11, 4), l.field(5, 5), l.field(0, 5));
    let (size, index) = imm5_element(imm5).ok_or(SemError::Undefined)?;
    let lane = super::int_lane(8 << size);
    let full = Type::vec(lane, 128 >> (3 + size));
    if scalar {
        // DUP (element), scalar: one lane to a scalar register.
        if op || imm4 != 0 {
            return Err(SemError::Undefined);
        }
        let v = l.vreg_as(rn, full);
        let x = l.b.extract(v, index);
        write(l, rd, x);
        return Ok(());
    }
    match (op, imm4) {
        (false, 0b0000) => {
            // DUP (element).
            if size == 3 && !q {
                return Err(SemError::Undefined);
            }
            let v = l.vreg_as(rn, full);
            let x = l.b.extract(v, index);
            let shape = Shape::int(size, q);
            let r = l.b.splat(shape.ty(), x);
            write(l, rd, r);
        }
        (false, 0b0001) => {
            // DUP (general).
            if size == 3 && !q {
                return Err(SemError::Undefined);
            }
            let x = l.xreg(rn, size == 3);
            let x = l.b.trunc(lane.scalar(), x);
            let shape = Shape::int(size, q);
            let r = l.b.splat(shape.ty(), x);
            write(l, rd, r);
        }
        (false, 0b0101) | (false, 0b0111) => {
            // SMOV / UMOV: Q selects a W or X destination.
            let signed = imm4 == 0b0101;
            let ok = match (signed, q) {
                (true, false) => size < 2,
                (true, true) => size < 3,
                (false, false) => size < 3,
                (false, true) => size == 3,
            };
            if !ok {
                return Err(SemError::Undefined);
            }
            let v = l.vreg_as(rn, full);
            let x = l.b.extract(v, index);
            let t = if q { Type::I64 } else { Type::I32 };
            let r = if signed { l.b.sext(t, x) } else { l.b.uext(t, x) };
            l.set_xreg(rd, r);
        }
        (false, 0b0011) if q => {
            // INS (general).
            let x = l.xreg(rn, size == 3);
            let x = l.b.trunc(lane.scalar(), x);
            let v = l.vreg_as(rd, full);
            let r = l.b.insert(v, index, x);
            write(l, rd, r);
        }
        (true, _) if q => {
            // INS (element).
            let src = imm4 >> size;
            let n = l.vreg_as(rn, full);
            let x = l.b.extract(n, src);
            let v = l.vreg_as(rd, full);
            let r = l.b.insert(v, index, x);
            write(l, rd, r);
        }
        _ => return Err(SemError::Undefined),
    }
    Ok(())
}

/// TBL/TBX: `0 Q 001110 00 0 Rm 0 len op 00 Rn Rd`. Each index byte of Vm picks a byte of the
/// table Vn..Vn+len; an index past the table gives zero (TBL) or keeps Vd's byte (TBX).
pub(super) fn table(l: &mut Lifter) -> Result<(), SemError> {
    if l.field(22, 2) != 0 {
        // op2 (bits 23..22) other than 00 is unallocated.
        return Err(SemError::Undefined);
    }
    let q = l.bit(30);
    let tbx = l.bit(12);
    let (rm, len, rn, rd) = (l.field(16, 5), l.field(13, 2) + 1, l.field(5, 5), l.field(0, 5));
    let shape = Shape::int(0, q);
    let idx = read(l, rm, shape);
    let table_ty = Type::vec(crate::types::LaneType::I8, 16);
    // The indices as 16 lanes (an 8-byte index vector's upper half is never used).
    let wide_idx = if q { idx } else { l.b.shuffle(idx, idx, &(0..16).map(|i| i % 8).collect::<Vec<u8>>()) };
    // Table register r serves the indices 16r..16r+15: subtracting 16r (wrapping) leaves those
    // 0..15 and every other index (at most 63) at 16 or above, where `swizzle` gives zero.
    let mut result: Option<Value> = None;
    for r in 0..len {
        let tab = l.vreg_as((rn + r) % 32, table_ty);
        let local = if r == 0 {
            wide_idx
        } else {
            let offset = splat_const(l, Shape::int(0, true), 16 * r as u128);
            l.b.sub(wide_idx, offset)
        };
        let picked = l.b.binary(BinaryOp::Swizzle, tab, local);
        result = Some(match result {
            Some(acc) => l.b.or(acc, picked),
            None => picked,
        });
    }
    let wide = result.expect("a table has at least one register");
    let mut result = if q { wide } else { l.b.shuffle(wide, wide, &(0..8).collect::<Vec<u8>>()) };
    if tbx {
        let limit = splat_const(l, shape, 16 * len as u128);
        let out = l.b.icmp(IntCC::Uge, idx, limit);
        let old = read(l, rd, shape);
        let kept = l.b.and(out, old);
        result = l.b.or(result, kept);
    }
    write(l, rd, result);
    Ok(())
}

/// UZP1/2, TRN1/2, ZIP1/2: `0 Q 001110 size 0 Rm 0 opcode 10 Rn Rd`.
pub(super) fn zip_uzp_trn(l: &mut Lifter) -> Result<(), SemError> {
    let q = l.bit(30);
    let (size, rm, opcode, rn, rd) = (l.field(22, 2), l.field(16, 5), l.field(12, 3), l.field(5, 5), l.field(0, 5));
    if size == 3 && !q {
        return Err(SemError::Undefined);
    }
    let shape = Shape::int(size, q);
    let n = shape.lanes;
    let part = opcode >> 2;
    // Lane k of the result as an index into the concatenation Vn:Vm (Vn first).
    let mask: Vec<u8> = match opcode & 3 {
        1 => (0..n).map(|k| (2 * k + part) as u8).collect(),
        2 => (0..n).map(|k| if k % 2 == 0 { k + part } else { n + k - 1 + part } as u8).collect(),
        3 => (0..n).map(|k| if k % 2 == 0 { k / 2 + part * n / 2 } else { n + k / 2 + part * n / 2 } as u8).collect(),
        _ => return Err(SemError::Undefined),
    };
    let a = read(l, rn, shape);
    let b = read(l, rm, shape);
    let r = l.b.shuffle(a, b, &mask);
    write(l, rd, r);
    Ok(())
}

/// EXT: `0 Q 101110 00 0 Rm 0 imm4 0 Rn Rd`: bytes imm4.. of the concatenation Vm:Vn.
pub(super) fn ext(l: &mut Lifter) -> Result<(), SemError> {
    let q = l.bit(30);
    let (rm, imm4, rn, rd) = (l.field(16, 5), l.field(11, 4), l.field(5, 5), l.field(0, 5));
    if l.field(22, 2) != 0 || !q && imm4 >= 8 {
        return Err(SemError::Undefined);
    }
    let shape = Shape::int(0, q);
    let a = read(l, rn, shape);
    let b = read(l, rm, shape);
    let mask: Vec<u8> = (0..shape.lanes).map(|k| (k + imm4) as u8).collect();
    let r = l.b.shuffle(a, b, &mask);
    write(l, rd, r);
    Ok(())
}
