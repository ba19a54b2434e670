//! Advanced SIMD structure loads and stores: LD1-LD4 and ST1-ST4 of multiple structures, of a
//! single structure (one lane), and the replicating loads LD1R-LD4R, each with an optional
//! post-index by an immediate (the bytes transferred) or by a register.
//!
//! Structures of `selem` elements are interleaved in memory; a load of whole registers reads
//! `selem` register-sized chunks and de-interleaves them with shuffles, a store interleaves the
//! registers the same way and writes whole chunks.

use super::{gather, int_lane, Shape};
use crate::a64::lift::{Lifter, SemError};
use crate::entities::Value;
use crate::types::Type;

/// The base address and, for the post-index forms, the writeback, shared by both classes.
struct Addressing {
    base: Value,
    post: bool,
    rn: u32,
    rm: u32,
}

impl Addressing {
    /// Decodes Rn and Rm; the forms without post-index must have Rm (bits 20..16) zero.
    fn decode(l: &mut Lifter) -> Result<Addressing, SemError> {
        let post = l.bit(23);
        let (rn, rm) = (l.field(5, 5), l.field(16, 5));
        if !post && rm != 0 {
            return Err(SemError::Undefined);
        }
        let base = l.xreg_sp(rn, true);
        Ok(Addressing { base, post, rn, rm })
    }

    /// The address `offset` bytes past the base.
    fn at(&self, l: &mut Lifter, offset: u64) -> Value {
        l.b.add_imm(self.base, offset)
    }

    /// Writes the base back for the post-index forms: plus `bytes`, or plus Xm.
    fn writeback(&self, l: &mut Lifter, bytes: u64) {
        if !self.post {
            return;
        }
        let offset = if self.rm == 31 { l.b.i64(bytes) } else { l.xreg(self.rm, true) };
        let new = l.b.add(self.base, offset);
        l.set_xreg_sp(self.rn, new);
    }
}

/// LD1-LD4 / ST1-ST4 (multiple structures): `0 Q 001100 P L 0 Rm opcode size Rn Rt`.
pub(super) fn multiple(l: &mut Lifter) -> Result<(), SemError> {
    if l.bit(21) {
        return Err(SemError::Undefined);
    }
    let q = l.bit(30);
    let load = l.bit(22);
    let (size, rt) = (l.field(10, 2), l.field(0, 5));
    let (regs, selem) = match l.field(12, 4) {
        0b0000 => (1, 4),
        0b0010 => (4, 1),
        0b0100 => (1, 3),
        0b0110 => (3, 1),
        0b0111 => (1, 1),
        0b1000 => (1, 2),
        0b1010 => (2, 1),
        _ => return Err(SemError::Undefined),
    };
    if size == 3 && !q && selem > 1 {
        return Err(SemError::Undefined);
    }
    let addr = Addressing::decode(l)?;
    let shape = Shape::int(size, q);
    let chunk = shape.bits() as u64 / 8;
    let count = regs * selem;
    let reg = |i: u32| (rt + i) % 32;
    if selem == 1 {
        // Whole registers, one after another.
        for r in 0..regs {
            let a = addr.at(l, chunk * r as u64);
            if load {
                let v = l.b.load(Type::int(shape.bits()), a);
                l.set_vreg(reg(r), v);
            } else {
                let v = l.vreg_as(reg(r), Type::int(shape.bits()));
                l.b.store(a, v);
            }
        }
    } else {
        let n = shape.lanes;
        if load {
            let chunks: Vec<Value> = (0..selem)
                .map(|c| {
                    let a = addr.at(l, chunk * c as u64);
                    l.b.load(shape.ty(), a)
                })
                .collect();
            for t in 0..selem {
                // Element e of register t is structure e's field t: element e*selem+t in memory.
                let picks: Vec<(usize, u32)> =
                    (0..n).map(|e| (((e * selem + t) / n) as usize, (e * selem + t) % n)).collect();
                let v = gather(l, &chunks, &picks);
                l.set_vreg(reg(t), v);
            }
        } else {
            let srcs: Vec<Value> = (0..selem).map(|t| super::read(l, reg(t), shape)).collect();
            for c in 0..selem {
                // Memory element i = c*n+k is field i % selem of structure i / selem.
                let picks: Vec<(usize, u32)> =
                    (0..n).map(|k| (((c * n + k) % selem) as usize, (c * n + k) / selem)).collect();
                let v = gather(l, &srcs, &picks);
                let a = addr.at(l, chunk * c as u64);
                l.b.store(a, v);
            }
        }
    }
    addr.writeback(l, chunk * count as u64);
    Ok(())
}

/// LD1-LD4 / ST1-ST4 (single structure) and LD1R-LD4R:
/// `0 Q 001101 P L R Rm opcode S size Rn Rt`.
pub(super) fn single(l: &mut Lifter) -> Result<(), SemError> {
    let q = l.bit(30);
    let load = l.bit(22);
    let (opcode, s, size, rt) = (l.field(13, 3), l.field(12, 1), l.field(10, 2), l.field(0, 5));
    let selem = ((opcode & 1) << 1 | l.field(21, 1)) + 1;
    let (scale, index) = match opcode >> 1 {
        0 => (0, (q as u32) << 3 | s << 2 | size),
        1 if size & 1 == 0 => (1, (q as u32) << 2 | s << 1 | size >> 1),
        2 if size == 0 => (2, (q as u32) << 1 | s),
        2 if size == 1 && s == 0 => (3, q as u32),
        3 if load && s == 0 => return replicate(l, selem, size, q, rt),
        _ => return Err(SemError::Undefined),
    };
    let addr = Addressing::decode(l)?;
    let ebytes = 1u64 << scale;
    let lane = int_lane(8 << scale);
    let full = Type::vec(lane, 128 / lane.bits());
    for i in 0..selem {
        let t = (rt + i) % 32;
        let a = addr.at(l, ebytes * i as u64);
        let v = l.vreg_as(t, full);
        if load {
            let x = l.b.load(lane.scalar(), a);
            let v = l.b.insert(v, index, x);
            l.set_vreg(t, v);
        } else {
            let x = l.b.extract(v, index);
            l.b.store(a, x);
        }
    }
    addr.writeback(l, ebytes * selem as u64);
    Ok(())
}

/// LD1R-LD4R: loads one structure and replicates each element to every lane of its register.
fn replicate(l: &mut Lifter, selem: u32, size: u32, q: bool, rt: u32) -> Result<(), SemError> {
    let addr = Addressing::decode(l)?;
    let shape = Shape::int(size, q);
    let ebytes = 1u64 << size;
    for i in 0..selem {
        let a = addr.at(l, ebytes * i as u64);
        let x = l.b.load(shape.lane.scalar(), a);
        let v = if shape.lanes == 1 { x } else { l.b.splat(shape.ty(), x) };
        l.set_vreg((rt + i) % 32, v);
    }
    addr.writeback(l, ebytes * selem as u64);
    Ok(())
}
