//! Advanced SIMD semantics: vector and scalar SIMD data processing, permutes, across-lanes,
//! conversions, the crypto extensions, and the structure loads and stores (LD1..LD4, ST1..ST4).
//!
//! This file routes an instruction word to its encoding class (the manual's "Data Processing --
//! Scalar Floating-Point and Advanced SIMD" table) and holds the helpers every class shares: the
//! `Shape` of an operand (lane type and lane count, where one lane means a scalar SIMD form),
//! register reads and writes of a shape or of one half of a register, lane-wise masks from
//! comparisons, and bitwise selects. The classes themselves live in the sibling `simd_*.rs` files.

use crate::a64::lift::{Lifter, SemError};
use crate::entities::Value;
use crate::inst::*;
use crate::types::{LaneType, Type};

#[path = "simd_complex.rs"]
mod complex;
#[path = "simd_crypto.rs"]
mod crypto;
#[path = "simd_estimate.rs"]
mod estimate;
#[path = "simd_fhm.rs"]
mod fhm;
#[path = "simd_fp16.rs"]
mod fp16;
#[cfg(test)]
#[path = "simd_fp16_tests.rs"]
mod fp16_tests;
#[path = "simd_fp.rs"]
mod fpvec;
#[path = "simd_half.rs"]
pub(super) mod half;
#[path = "simd_int.rs"]
mod int;
#[path = "simd_ldst.rs"]
mod ldst;
#[path = "simd_misc.rs"]
mod misc;
#[path = "simd_permute.rs"]
mod permute;
#[path = "simd_sat.rs"]
mod sat;
#[path = "simd_sha512.rs"]
mod sha512;
#[path = "simd_shift.rs"]
mod shift;
#[cfg(test)]
#[path = "simd_tests.rs"]
mod tests;
#[path = "simd_wide.rs"]
mod wide;

/// Lifts an Advanced SIMD or crypto data-processing instruction.
pub fn lift(l: &mut Lifter) -> Result<(), SemError> {
    let insn = l.insn;
    if insn >> 31 == 1 {
        // Only the SHA-512/SHA-3/SM3/SM4 crypto groups live here with bit 31 set.
        return if insn >> 24 == 0xce { sha512::lift(l) } else { Err(SemError::Undefined) };
    }
    if let Some(r) = crypto::lift(l) {
        return r;
    }
    let scalar = insn >> 28 & 1 == 1;
    if scalar && insn >> 30 & 1 == 0 {
        // Bit 30 clear with bit 28 set is scalar FP, which the router sends elsewhere.
        return Err(SemError::Undefined);
    }
    let v = if scalar { insn & !(1 << 28) } else { insn };
    if v & 0x9f60_c400 == 0x0e40_0400 {
        // Three same (FP16): bit 21 clear, bit 22 set.
        fp16::three_same(l, scalar)
    } else if v & 0x9f7e_0c00 == 0x0e78_0800 {
        // Two-register miscellaneous (FP16): bits 22..17 111100.
        fp16::two_reg_misc(l, scalar)
    } else if v & 0x9f20_0400 == 0x0e20_0400 {
        if (v >> 11) & 0x1f >= 0x18 {
            fpvec::three_same(l, scalar)
        } else {
            int::three_same(l, scalar)
        }
    } else if v & 0x9f20_0c00 == 0x0e20_0000 {
        wide::three_different(l, scalar)
    } else if v & 0x9f3e_0c00 == 0x0e20_0800 {
        misc::two_reg_misc(l, scalar)
    } else if v & 0x9f3e_0c00 == 0x0e30_0800 {
        if scalar {
            misc::scalar_pairwise(l)
        } else {
            misc::across_lanes(l)
        }
    } else if v & 0x9fe0_8400 == 0x0e00_0400 {
        permute::copy(l, scalar)
    } else if v & 0x9f00_0400 == 0x0f00_0000 {
        wide::by_element(l, scalar)
    } else if v & 0x9ff8_0400 == 0x0f00_0400 {
        if scalar {
            Err(SemError::Undefined)
        } else {
            shift::modified_immediate(l)
        }
    } else if v & 0x9f80_0400 == 0x0f00_0400 {
        shift::shift_immediate(l, scalar)
    } else if v & 0x9f20_8400 == 0x0e00_8400 {
        wide::three_same_extra(l, scalar)
    } else if scalar {
        // Every allocated scalar group is matched above (and the SHA groups in `crypto`).
        Err(SemError::Undefined)
    } else if insn & 0xbf20_8c00 == 0x0e00_0000 {
        permute::table(l)
    } else if insn & 0xbf20_8c00 == 0x0e00_0800 {
        permute::zip_uzp_trn(l)
    } else if insn & 0xbf20_8400 == 0x2e00_0000 {
        permute::ext(l)
    } else {
        // Every allocated vector group is matched above (and the AES group in `crypto`).
        Err(SemError::Undefined)
    }
}

/// Lifts an Advanced SIMD structure load or store (multiple or single structures, with and
/// without post-index).
pub fn lift_ldst_struct(l: &mut Lifter) -> Result<(), SemError> {
    if l.bit(24) {
        ldst::single(l)
    } else {
        ldst::multiple(l)
    }
}

/// The arrangement of an operand: a lane type and a lane count. One lane stands for a scalar
/// SIMD form (`add d0, d1, d2`), whose IR type is the plain scalar.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
struct Shape {
    lane: LaneType,
    lanes: u32,
}

impl Shape {
    /// Integer lanes of `8 << size` bits filling 64 bits, or 128 when `q`.
    fn int(size: u32, q: bool) -> Shape {
        let bits = 8u32 << size;
        Shape { lane: int_lane(bits), lanes: if q { 128 } else { 64 } / bits }
    }

    /// Float lanes (f32, or f64 when `double`) filling 64 bits, or 128 when `q`.
    fn float(double: bool, q: bool) -> Shape {
        let lane = if double { LaneType::F64 } else { LaneType::F32 };
        Shape { lane, lanes: if q { 128 } else { 64 } / lane.bits() }
    }

    /// One lane: a scalar SIMD operand.
    fn scalar(lane: LaneType) -> Shape {
        Shape { lane, lanes: 1 }
    }

    /// The IR type: a vector, or the lane's scalar type for one lane.
    fn ty(self) -> Type {
        if self.lanes == 1 {
            self.lane.scalar()
        } else {
            Type::Vec(self.lane, self.lanes as u8)
        }
    }

    /// Width of one lane in bits.
    fn ebits(self) -> u32 {
        self.lane.bits()
    }

    /// Total width in bits.
    fn bits(self) -> u32 {
        self.lane.bits() * self.lanes
    }

    /// The same lane count with integer lanes of the same width.
    fn as_int(self) -> Shape {
        Shape { lane: int_lane(self.ebits()), lanes: self.lanes }
    }

    /// The same lane count with lanes of another width (integer, or float of the kind given).
    fn with_ebits(self, bits: u32) -> Shape {
        let lane = if self.lane.is_float() { float_lane(bits) } else { int_lane(bits) };
        Shape { lane, lanes: self.lanes }
    }
}

/// The integer lane type of a width in bits (8 to 64).
fn int_lane(bits: u32) -> LaneType {
    match bits {
        8 => LaneType::I8,
        16 => LaneType::I16,
        32 => LaneType::I32,
        _ => LaneType::I64,
    }
}

/// The float lane type of a width in bits (32 or 64).
fn float_lane(bits: u32) -> LaneType {
    if bits == 64 {
        LaneType::F64
    } else {
        LaneType::F32
    }
}

/// Reads the low `shape.bits()` bits of register `n` as that shape.
fn read(l: &mut Lifter, n: u32, shape: Shape) -> Value {
    l.vreg_as(n, shape.ty())
}

/// Reads the low (or, when `upper`, the high) 64 bits of register `n` as a 64-bit shape.
fn read_half(l: &mut Lifter, n: u32, upper: bool, shape: Shape) -> Value {
    if !upper {
        return read(l, n, shape);
    }
    let q = l.vreg(n);
    let hi = lshr_c(l, q, 64);
    let hi = l.b.trunc(Type::I64, hi);
    l.b.bitcast(shape.ty(), hi)
}

/// Writes `v` to register `d`, zeroing the bits above it.
fn write(l: &mut Lifter, d: u32, v: Value) {
    l.set_vreg(d, v);
}

/// Writes a 64-bit `v` to the low half of register `d` (zeroing the high half), or to the high
/// half keeping the low one (the "2" forms of narrowing instructions) when `upper`.
fn write_half(l: &mut Lifter, d: u32, upper: bool, v: Value) {
    if !upper {
        return write(l, d, v);
    }
    let bits = l.b.bitcast(Type::I64, v);
    let wide = l.b.uext(Type::I128, bits);
    let hi = shl_c(l, wide, 64);
    let old = l.vreg(d);
    let lo = and_c(l, old, u64::MAX as u128);
    let r = l.b.or(lo, hi);
    l.b.set(crate::reg::Reg::q(d as u8), r);
}

/// A constant of `shape` with every lane holding the low lane bits of `bits`.
fn splat_const(l: &mut Lifter, shape: Shape, bits: u128) -> Value {
    let w = shape.ebits();
    let lane = bits & crate::interp::mask(w);
    let all = (0..shape.lanes).fold(0u128, |acc, i| acc | lane << (i * w));
    l.b.iconst(shape.ty(), all)
}

/// Turns a comparison result into a lane mask of the compared shape's integer form: vectors
/// already are masks; a scalar `i1` is sign-extended.
fn to_mask(l: &mut Lifter, cmp: Value, shape: Shape) -> Value {
    if shape.lanes == 1 {
        l.b.sext(shape.as_int().ty(), cmp)
    } else {
        cmp
    }
}

/// The lane mask of an integer comparison.
fn icmp_mask(l: &mut Lifter, cc: IntCC, a: Value, b: Value, shape: Shape) -> Value {
    let c = l.b.icmp(cc, a, b);
    to_mask(l, c, shape)
}

/// The lane mask of an Advanced SIMD float comparison: FCMEQ (`Oeq`) is quiet, while FCMGE,
/// FCMGT, FCMLE, FCMLT, FACGE and FACGT are signalling compares, which raise IOC for a quiet NaN
/// too (the host's own compare may be either kind, so the IR raises it explicitly).
fn simd_fcmp_mask(l: &mut Lifter, cc: FloatCC, a: Value, b: Value, shape: Shape) -> Value {
    if cc != FloatCC::Oeq {
        let unordered = l.b.fcmp(FloatCC::Uno, a, b);
        l.raise_fpsr_if(unordered, crate::a64::state::fpsr::IOC);
    } else {
        // Signalling NaNs raise IOC in every compare; LLVM may turn a compare for equality into
        // integer tests that raise nothing, so this is explicit too.
        let (ishape, w) = (shape.as_int(), shape.ebits());
        let f = if w == 64 { 52 } else { 23 };
        let a_bits = l.b.bitcast(ishape.ty(), a);
        let b_bits = l.b.bitcast(ishape.ty(), b);
        let a_signalling = signalling_nan_lanes(l, a_bits, ishape, w, f);
        let b_signalling = signalling_nan_lanes(l, b_bits, ishape, w, f);
        let signalling = l.b.or(a_signalling, b_signalling);
        l.raise_fpsr_if(signalling, crate::a64::state::fpsr::IOC);
    }
    fcmp_mask(l, cc, a, b, shape)
}

/// The lanes of `bits` (integer lanes of `ishape` carrying floats `w` bits wide with `f` fraction
/// bits in their low bits, the rest zero) that are signalling NaNs, as a lane mask.
fn signalling_nan_lanes(l: &mut Lifter, bits: Value, ishape: Shape, w: u32, f: u32) -> Value {
    let magnitude = and_c(l, bits, crate::interp::mask(w - 1));
    // Above infinity and below the quiet NaNs (whose top fraction bit is set).
    let infinity = splat_const(l, ishape, crate::interp::mask(w - 1 - f) << f);
    let quiet = splat_const(l, ishape, crate::interp::mask(w - f) << (f - 1));
    let above = icmp_mask(l, IntCC::Ugt, magnitude, infinity, ishape);
    let below = icmp_mask(l, IntCC::Ult, magnitude, quiet, ishape);
    l.b.and(above, below)
}

/// Float lanes held as integers (`bits`, of integer `ishape`, `w` bits wide with `f` fraction
/// bits) with every NaN replaced by the default NaN (positive, only the quiet bit set) when
/// FPCR.DN is set: the manual's FPProcessNaN in default-NaN mode, for results the lifter builds
/// from integer operations (conversions to and from half precision, the estimates, FRECPX). The
/// IR's float operations follow FPCR.DN themselves (`InstData::follows_default_nan_mode`).
fn default_nan_lanes(l: &mut Lifter, bits: Value, ishape: Shape, w: u32, f: u32) -> Value {
    let magnitude = and_c(l, bits, crate::interp::mask(w - 1));
    let infinity = splat_const(l, ishape, crate::interp::mask(w - 1 - f) << f);
    let is_nan = icmp_mask(l, IntCC::Ugt, magnitude, infinity, ishape);
    let default_nan = splat_const(l, ishape, crate::interp::mask(w - f) << (f - 1));
    let with_default = bit_select(l, is_nan, default_nan, bits);
    let dn = fpcr_control_set(l, crate::a64::state::fpcr::DN);
    l.b.select(dn, with_default, bits)
}

/// The flush-to-zero control for float lanes `w` bits wide: FPCR.FZ16 for half precision, FPCR.FZ
/// for single and double precision.
fn flush_control(w: u32) -> u64 {
    if w == 16 {
        crate::a64::state::fpcr::FZ16
    } else {
        crate::a64::state::fpcr::FZ
    }
}

/// Whether the FPCR control bit `control` is set, as an `i1`.
fn fpcr_control_set(l: &mut Lifter, control: u64) -> Value {
    let fpcr = l.b.get(crate::reg::Reg::FPCR);
    let bit = l.b.and_imm(fpcr, u128::from(control));
    l.b.icmp_imm(IntCC::Ne, bit, 0)
}

/// Whether the FPCR control bit `control` is set, as a lane mask of integer `ishape` (all ones or
/// zero in every lane).
fn fpcr_control_lanes(l: &mut Lifter, ishape: Shape, control: u64) -> Value {
    let on = fpcr_control_set(l, control);
    let all = splat_const(l, ishape, u128::MAX);
    let none = splat_const(l, ishape, 0);
    l.b.select(on, all, none)
}

/// Whether FPCR's flush-to-zero control for float lanes `w` bits wide is set, as a lane mask of
/// integer `ishape` (all ones or zero).
fn flushing_lanes(l: &mut Lifter, ishape: Shape, w: u32) -> Value {
    fpcr_control_lanes(l, ishape, flush_control(w))
}

/// Float lanes held as integers (`bits`, of integer `ishape`, `w` bits wide with `f` fraction
/// bits) with denormals made zeros of their sign when FPCR flushes that format to zero (FZ16 for
/// half precision, FZ otherwise): the manual's FPUnpack, for operands the lifter takes apart with
/// integer operations (the host's denormals-are-zero does it for its own instructions).
fn flush_denormal_inputs(l: &mut Lifter, bits: Value, ishape: Shape, w: u32, f: u32) -> Value {
    let exponent = and_c(l, bits, crate::interp::mask(w - 1 - f) << f);
    let zero = splat_const(l, ishape, 0);
    let denormal = icmp_mask(l, IntCC::Eq, exponent, zero, ishape);
    let flushing = flushing_lanes(l, ishape, w);
    let flushed = l.b.and(denormal, flushing);
    let sign = and_c(l, bits, 1u128 << (w - 1));
    bit_select(l, flushed, sign, bits)
}

/// The bits of float `x` (f32 or f64, scalar or vector) as integers, a denormal made a zero of its
/// sign under FPCR.FZ: the operand as the manual's FPUnpack sees it.
pub(in crate::a64::sem) fn unpacked_bits(l: &mut Lifter, x: Value) -> Value {
    let t = l.b.value_type(x);
    let w = t.lane_bits();
    let ishape = Shape { lane: int_lane(w), lanes: t.lanes() };
    let bits = l.b.bitcast(ishape.ty(), x);
    flush_denormal_inputs(l, bits, ishape, w, if w == 64 { 52 } else { 23 })
}

/// The lanes of float `x` (of `shape`) that are zero as the host's compare sees them: a denormal
/// is a zero too when FPCR.FZ flushes inputs (the host's denormals-are-zero), as the manual's
/// FPUnpack makes it. A mask in integer lanes of the same width.
fn zero_lanes(l: &mut Lifter, x: Value, shape: Shape) -> Value {
    let zero_bits = splat_const(l, shape.as_int(), 0);
    let zero = l.b.bitcast(shape.ty(), zero_bits);
    fcmp_mask(l, FloatCC::Oeq, x, zero, shape)
}

/// The lane mask of a float comparison (integer lanes of the same width).
fn fcmp_mask(l: &mut Lifter, cc: FloatCC, a: Value, b: Value, shape: Shape) -> Value {
    let c = l.b.fcmp(cc, a, b);
    to_mask(l, c, shape)
}

/// Bitwise select of integer values: the bits of `a` where `mask` is set, else those of `b`.
fn bit_select(l: &mut Lifter, mask: Value, a: Value, b: Value) -> Value {
    let x = l.b.xor(a, b);
    let m = l.b.and(x, mask);
    l.b.xor(b, m)
}

/// Picks lanes from several values of one vector type: `picks[k] = (source, lane)` gives lane
/// `k` of the result, which has as many lanes as the sources. Built from two-input shuffles.
fn gather(l: &mut Lifter, srcs: &[Value], picks: &[(usize, u32)]) -> Value {
    let n = l.b.value_type(srcs[0]).lanes();
    debug_assert_eq!(picks.len() as u32, n);
    if srcs.len() == 1 {
        let mask: Vec<u8> = picks.iter().map(|&(_, i)| i as u8).collect();
        return l.b.shuffle(srcs[0], srcs[0], &mask);
    }
    let first: Vec<u8> = picks
        .iter()
        .map(|&(s, i)| match s {
            0 => i as u8,
            1 => (n + i) as u8,
            _ => 0,
        })
        .collect();
    let mut acc = l.b.shuffle(srcs[0], srcs[1], &first);
    for (j, &src) in srcs.iter().enumerate().skip(2) {
        let mask: Vec<u8> =
            picks.iter().enumerate().map(|(k, &(s, i))| if s == j { (n + i) as u8 } else { k as u8 }).collect();
        acc = l.b.shuffle(acc, src, &mask);
    }
    acc
}

/// Logical or arithmetic shift right by a constant from 1 to the lane width (a full-width shift
/// gives zero or the sign, where the IR's `lshr`/`ashr` would take it modulo the width).
fn shift_right(l: &mut Lifter, v: Value, amount: u32, signed: bool, ebits: u32) -> Value {
    if signed {
        ashr_c(l, v, amount.min(ebits - 1))
    } else if amount >= ebits {
        let t = l.b.value_type(v);
        l.b.iconst(t, 0)
    } else {
        lshr_c(l, v, amount)
    }
}

/// Shift right by a constant from 1 to the lane width, rounding to nearest (ties up): the
/// truncated quotient plus the last bit shifted out.
fn rounding_shift_right(l: &mut Lifter, v: Value, amount: u32, signed: bool, ebits: u32) -> Value {
    let q = shift_right(l, v, amount, signed, ebits);
    let last = lshr_c(l, v, amount - 1);
    let bit = and_c(l, last, 1);
    l.b.add(q, bit)
}

/// Applies `op` to `v` and a constant holding `imm` in every lane (the builder's `*_imm`
/// shorthands put the constant in the low lane only).
fn lane_imm(l: &mut Lifter, op: BinaryOp, v: Value, imm: u128) -> Value {
    let t = l.b.value_type(v);
    let w = t.lane_bits();
    let lane = imm & crate::interp::mask(w);
    let all = (0..t.lanes()).fold(0u128, |acc, i| acc | lane << (i * w));
    let c = l.b.iconst(t, all);
    l.b.binary(op, v, c)
}

/// Lane-wise shift left by a constant.
fn shl_c(l: &mut Lifter, v: Value, amount: u32) -> Value {
    if amount == 0 {
        return v;
    }
    lane_imm(l, BinaryOp::Shl, v, amount as u128)
}

/// Lane-wise logical shift right by a constant below the lane width.
fn lshr_c(l: &mut Lifter, v: Value, amount: u32) -> Value {
    if amount == 0 {
        return v;
    }
    lane_imm(l, BinaryOp::Lshr, v, amount as u128)
}

/// Lane-wise arithmetic shift right by a constant below the lane width.
fn ashr_c(l: &mut Lifter, v: Value, amount: u32) -> Value {
    if amount == 0 {
        return v;
    }
    lane_imm(l, BinaryOp::Ashr, v, amount as u128)
}

/// Lane-wise AND with a constant.
fn and_c(l: &mut Lifter, v: Value, mask: u128) -> Value {
    lane_imm(l, BinaryOp::And, v, mask)
}
