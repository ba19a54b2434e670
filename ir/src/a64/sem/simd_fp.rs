//! Advanced SIMD floating-point instructions (vector and scalar SIMD forms): the "three same"
//! arithmetic (FADD, FSUB, FMUL, FDIV, FMLA, FMLS, FABD, FMAX/FMIN/FMAXNM/FMINNM and their
//! pairwise forms, FADDP, compares, absolute compares), the two-register ones (FABS, FNEG,
//! FSQRT, FRINT* including FRINT32/64, FCVT*S/U, SCVTF/UCVTF, compares against zero,
//! FCVTL/FCVTN) and the across-lanes reductions FMAXV/FMINV/FMAXNMV/FMINNMV. FMLAL/FMLSL are in
//! `simd_fhm.rs`.

use super::{fcmp_mask, read, read_half, simd_fcmp_mask, splat_const, write, write_half, Shape};
use crate::a64::lift::{Lifter, SemError};
use crate::entities::Value;
use crate::inst::{BinaryOp, ConvOp, FloatCC, IntCC, RoundMode, UnaryOp};

/// `0 Q U 01110 a sz 1 Rm 11xxx 1 Rn Rd`: FP three same, with `a` (bit 23) part of the opcode.
pub(super) fn three_same(l: &mut Lifter, scalar: bool) -> Result<(), SemError> {
    let (q, u, a, double) = (l.bit(30), l.bit(29), l.bit(23), l.bit(22));
    let (rm, opcode, rn, rd) = (l.field(16, 5), l.field(11, 3), l.field(5, 5), l.field(0, 5));
    if !scalar && !double && (!u && opcode == 0b101 || u && opcode == 0b001) {
        // FMLAL/FMLSL (U = 0, opcode 11101) and FMLAL2/FMLSL2 (U = 1, opcode 11001), FEAT_FHM.
        return super::fhm::vector(l, q, u, a);
    }
    if double && !q && !scalar {
        return Err(SemError::Undefined);
    }
    let shape =
        if scalar { Shape::scalar(super::float_lane(if double { 64 } else { 32 })) } else { Shape::float(double, q) };
    if scalar && !super::fpvec::scalar_three_same_allocated(u, a, opcode) {
        return Err(SemError::Undefined);
    }
    let x = read(l, rn, shape);
    let y = read(l, rm, shape);
    let pair = |l: &mut Lifter, op| super::int::pairwise(l, x, y, shape, op);
    let r = match (u, a, opcode) {
        (false, false, 0b000) => l.b.binary(BinaryOp::Fmaxnm, x, y),
        (false, true, 0b000) => l.b.binary(BinaryOp::Fminnm, x, y),
        (false, _, 0b001) => {
            let acc = read(l, rd, shape);
            let x = if a { l.b.unary(UnaryOp::Fneg, x) } else { x };
            super::fp16::fused(l, x, y, acc, shape)
        }
        (false, false, 0b010) => l.b.binary(BinaryOp::Fadd, x, y),
        (false, true, 0b010) => l.b.binary(BinaryOp::Fsub, x, y),
        (false, false, 0b100) => simd_fcmp_mask(l, FloatCC::Oeq, x, y, shape),
        (false, false, 0b110) => l.b.binary(BinaryOp::Fmax, x, y),
        (false, true, 0b110) => l.b.binary(BinaryOp::Fmin, x, y),
        (true, false, 0b000) => pair(l, BinaryOp::Fmaxnm),
        (true, true, 0b000) => pair(l, BinaryOp::Fminnm),
        (true, false, 0b010) => pair(l, BinaryOp::Fadd),
        (true, true, 0b010) => {
            let d = l.b.binary(BinaryOp::Fsub, x, y);
            l.b.unary(UnaryOp::Fabs, d)
        }
        (true, false, 0b011) => l.b.binary(BinaryOp::Fmul, x, y),
        (true, false, 0b100) => simd_fcmp_mask(l, FloatCC::Oge, x, y, shape),
        (true, true, 0b100) => simd_fcmp_mask(l, FloatCC::Ogt, x, y, shape),
        (true, _, 0b101) => {
            let ax = l.b.unary(UnaryOp::Fabs, x);
            let ay = l.b.unary(UnaryOp::Fabs, y);
            simd_fcmp_mask(l, if a { FloatCC::Ogt } else { FloatCC::Oge }, ax, ay, shape)
        }
        (true, false, 0b110) => pair(l, BinaryOp::Fmax),
        (true, true, 0b110) => pair(l, BinaryOp::Fmin),
        (true, false, 0b111) => l.b.binary(BinaryOp::Fdiv, x, y),
        (false, false, 0b011) => fp_step(l, Step::Mulx, x, y, shape),
        (false, false, 0b111) => fp_step(l, Step::Recip, x, y, shape),
        (false, true, 0b111) => fp_step(l, Step::Rsqrt, x, y, shape),
        _ => return Err(SemError::Undefined),
    };
    write(l, rd, r);
    Ok(())
}

/// The FP part of the two-register miscellaneous class, vector and scalar.
pub(super) fn two_reg_misc(l: &mut Lifter, scalar: bool) -> Result<(), SemError> {
    let (q, u) = (l.bit(30), l.bit(29));
    let (size, opcode, rn, rd) = (l.field(22, 2), l.field(12, 5), l.field(5, 5), l.field(0, 5));
    let double = size & 1 == 1;
    let hi = size >> 1 == 1;
    if matches!(opcode, 0b10110 | 0b10111) {
        if hi {
            // Bit 23 set: BFCVTN/BFCVTN2 (BF16, not lifted yet) or unallocated; never FCVTN.
            let bfcvtn = !u && !scalar && opcode == 0b10110 && size == 0b10;
            return Err(if bfcvtn { SemError::Unsupported } else { SemError::Undefined });
        }
        return if scalar {
            fcvtxn_scalar(l, u, opcode, double, rn, rd)
        } else {
            convert_precision(l, u, opcode, double, q, rn, rd)
        };
    }
    if !scalar && double && !q {
        return Err(SemError::Undefined);
    }
    let shape =
        if scalar { Shape::scalar(super::float_lane(if double { 64 } else { 32 })) } else { Shape::float(double, q) };
    let ishape = shape.as_int();
    let round = |l: &mut Lifter, mode| {
        let v = read(l, rn, shape);
        l.b.round_fp(mode, v)
    };
    let to_int = |l: &mut Lifter, mode, signed| {
        let v = read(l, rn, shape);
        crate::a64::sem::fp::to_int_raising(l, ishape.ty(), ishape.ebits(), signed, mode, v)
    };
    let r = match (opcode, u, hi) {
        (0b01100..=0b01110, _, true) => {
            let v = read(l, rn, shape);
            let zero = splat_const(l, shape, 0);
            let cc = match (opcode, u) {
                (0b01100, false) => FloatCC::Ogt,
                (0b01100, true) => FloatCC::Oge,
                (0b01101, false) => FloatCC::Oeq,
                (0b01101, true) => FloatCC::Ole,
                (0b01110, false) => FloatCC::Olt,
                _ => return Err(SemError::Undefined),
            };
            simd_fcmp_mask(l, cc, v, zero, shape)
        }
        (0b01111, _, true) if !scalar => {
            let v = read(l, rn, shape);
            l.b.unary(if u { UnaryOp::Fneg } else { UnaryOp::Fabs }, v)
        }
        (0b11111, true, true) if !scalar => {
            let v = read(l, rn, shape);
            l.b.unary(UnaryOp::Fsqrt, v)
        }
        (0b11000, false, false) if !scalar => round(l, RoundMode::Nearest),
        (0b11000, false, true) if !scalar => round(l, RoundMode::Up),
        (0b11001, false, false) if !scalar => round(l, RoundMode::Down),
        (0b11001, false, true) if !scalar => round(l, RoundMode::Zero),
        (0b11000, true, false) if !scalar => round(l, RoundMode::Away),
        // FRINTX and FRINTI round as FPCR says.
        (0b11001, true, false) if !scalar => {
            let v = read(l, rn, shape);
            crate::a64::sem::fp::round_current_raising(l, v)
        }
        (0b11001, true, true) if !scalar => round(l, RoundMode::Current),
        (0b11010, _, false) => to_int(l, RoundMode::Nearest, !u),
        (0b11010, _, true) => to_int(l, RoundMode::Up, !u),
        (0b11011, _, false) => to_int(l, RoundMode::Down, !u),
        (0b11011, _, true) => to_int(l, RoundMode::Zero, !u),
        (0b11100, _, false) => to_int(l, RoundMode::Away, !u),
        (0b11101, _, false) => {
            let v = read(l, rn, ishape);
            l.b.convert(if u { ConvOp::Utof } else { ConvOp::Stof }, shape.ty(), v)
        }
        (0b11100, _, true) if !scalar && !double => {
            let v = read(l, rn, ishape);
            super::estimate::unsigned_estimate(l, v, u, ishape)
        }
        (0b11101, _, true) => {
            let v = read(l, rn, ishape);
            let r = if u {
                super::estimate::rsqrt_estimate_fp(l, v, ishape)
            } else {
                super::estimate::recip_estimate_fp(l, v, ishape)
            };
            l.b.bitcast(shape.ty(), r)
        }
        (0b11111, false, true) if scalar => {
            // FRECPX: the exponent inverted (the largest finite one for zeros and
            // subnormals), the fraction cleared; NaNs made quiet (the default NaN under DN).
            let v = read(l, rn, ishape);
            let w = shape.ebits();
            let f = if w == 64 { 52 } else { 23 };
            let exp_mask = crate::interp::mask(w - 1 - f) << f;
            let sign = super::and_c(l, v, 1u128 << (w - 1));
            let exp = super::and_c(l, v, exp_mask);
            let zero = splat_const(l, ishape, 0);
            let is_zero_exp = super::icmp_mask(l, IntCC::Eq, exp, zero, ishape);
            let inverted = super::lane_imm(l, BinaryOp::Xor, exp, exp_mask);
            let largest = splat_const(l, ishape, exp_mask - (1u128 << f));
            let e = super::bit_select(l, is_zero_exp, largest, inverted);
            let r = l.b.or(sign, e);
            let magnitude = super::and_c(l, v, crate::interp::mask(w - 1));
            let inf = splat_const(l, ishape, exp_mask);
            let is_nan = super::icmp_mask(l, IntCC::Ugt, magnitude, inf, ishape);
            let signalling = super::signalling_nan_lanes(l, v, ishape, w, f);
            l.raise_fpsr_if(signalling, crate::a64::state::fpsr::IOC);
            let quiet = super::lane_imm(l, BinaryOp::Or, v, 1u128 << (f - 1));
            let r = super::bit_select(l, is_nan, quiet, r);
            let r = super::default_nan_lanes(l, r, ishape, w, f);
            l.b.bitcast(shape.ty(), r)
        }
        (0b11110 | 0b11111, _, false) if !scalar => {
            // FRINT32Z, FRINT64Z (U = 0) and FRINT32X, FRINT64X (U = 1, FPCR's mode), FEAT_FRINTTS:
            // the scalar forms' FPRoundIntN on every lane.
            let v = read(l, rn, shape);
            let int_bits = if opcode == 0b11110 { 32 } else { 64 };
            crate::a64::sem::fp::round_to_int_n(l, v, int_bits, if u { RoundMode::Current } else { RoundMode::Zero })
        }
        // The FP16 forms.
        (0b11000..=0b11001 | 0b11100..=0b11111, _, _) => return Err(SemError::Unsupported),
        _ => return Err(SemError::Undefined),
    };
    write(l, rd, r);
    Ok(())
}

/// The scalar FCVTXN is the only scalar op of opcodes 10110/10111.
fn fcvtxn_scalar(l: &mut Lifter, u: bool, opcode: u32, double: bool, rn: u32, rd: u32) -> Result<(), SemError> {
    if !(u && opcode == 0b10110 && double) {
        return Err(SemError::Undefined);
    }
    let shape = Shape::scalar(crate::types::LaneType::F64);
    let v = read(l, rn, shape);
    let r = demote_round_to_odd(l, v, shape);
    write(l, rd, r);
    Ok(())
}

/// f64 lanes to f32 rounding to odd (FCVTXN): the value truncated towards zero, with its lowest
/// bit set when that lost anything. Built from the nearest-even demotion: a result that came
/// out larger in magnitude than the operand steps one unit back.
fn demote_round_to_odd(l: &mut Lifter, x: Value, shape: Shape) -> Value {
    let narrow = shape.with_ebits(32);
    let nint = narrow.as_int();
    let t = l.b.convert(ConvOp::Fdemote, narrow.ty(), x);
    let back = l.b.convert(ConvOp::Fpromote, shape.ty(), t);
    let exact = fcmp_mask(l, FloatCC::Oeq, back, x, shape);
    let nan = fcmp_mask(l, FloatCC::Uno, x, x, shape);
    // Magnitudes compared as integers (the order is the same for numbers; NaN lanes keep the
    // demoted value): a float compare of the signalling kind would raise invalid for a quiet NaN.
    let ishape = shape.as_int();
    let abs_back = l.b.unary(UnaryOp::Fabs, back);
    let abs_back = l.b.bitcast(ishape.ty(), abs_back);
    let abs_x = l.b.unary(UnaryOp::Fabs, x);
    let abs_x = l.b.bitcast(ishape.ty(), abs_x);
    let bigger = super::icmp_mask(l, IntCC::Ugt, abs_back, abs_x, ishape);
    let keep = l.b.or(exact, nan);
    let exact = l.b.trunc(nint.ty(), keep);
    let bigger = l.b.trunc(nint.ty(), bigger);
    let tb = l.b.bitcast(nint.ty(), t);
    // Adding the all-ones mask steps the magnitude down by one unit.
    let truncated = l.b.add(tb, bigger);
    let odd = super::lane_imm(l, BinaryOp::Or, truncated, 1);
    let r = super::bit_select(l, exact, tb, odd);
    // Under FPCR.FZ a normal operand below the smallest normal single gives a zero of its sign
    // and UFC (FPRoundBase flushes before rounding, to odd too; a denormal operand is a zero
    // already under the host's denormals-are-zero).
    let x_bits = l.b.bitcast(ishape.ty(), x);
    let magnitude = super::and_c(l, x_bits, crate::interp::mask(63));
    let smallest_normal_single = splat_const(l, ishape, 0x3810_0000_0000_0000);
    let below = super::icmp_mask(l, IntCC::Ult, magnitude, smallest_normal_single, ishape);
    let exponent = super::and_c(l, x_bits, 0x7ff << 52);
    let zero = splat_const(l, ishape, 0);
    let normal = super::icmp_mask(l, IntCC::Ne, exponent, zero, ishape);
    let tiny = l.b.and(below, normal);
    let flushing = super::flushing_lanes(l, ishape, 64);
    let flushed = l.b.and(tiny, flushing);
    l.raise_fpsr_if(flushed, crate::a64::state::fpsr::UFC);
    // Otherwise an inexact result below the smallest normal single underflows: the manual tests
    // tininess before rounding, the host's demotion after it (in the rounding mode FPCR gives,
    // where a negative value rounded down can reach the smallest normal), so UFC is raised here.
    let inexact = l.b.not(keep);
    let tiny_inexact = l.b.and(below, inexact);
    let not_flushing = l.b.not(flushing);
    let underflow = l.b.and(tiny_inexact, not_flushing);
    l.raise_fpsr_if(underflow, crate::a64::state::fpsr::UFC);
    let sign = super::lshr_c(l, x_bits, 32);
    let sign = super::and_c(l, sign, 0x8000_0000);
    let sign = l.b.trunc(nint.ty(), sign);
    let flushed = l.b.trunc(nint.ty(), flushed);
    let r = super::bit_select(l, flushed, sign, r);
    l.b.bitcast(narrow.ty(), r)
}

/// FCVTL/FCVTL2 (to the wider format from the low or high half) and FCVTN/FCVTN2 (to the
/// narrower format into the low or high half), f16 <-> f32 and f32 <-> f64, and FCVTXN/FCVTXN2 (f64 to f32 rounding to odd).
fn convert_precision(
    l: &mut Lifter,
    u: bool,
    opcode: u32,
    double: bool,
    q: bool,
    rn: u32,
    rd: u32,
) -> Result<(), SemError> {
    if u {
        if opcode != 0b10110 || !double {
            return Err(SemError::Undefined);
        }
        let v = read(l, rn, Shape::float(true, true));
        let r = demote_round_to_odd(l, v, Shape::float(true, true));
        write_half(l, rd, q, r);
        return Ok(());
    }
    if !double {
        let halves = Shape::int(1, false);
        if opcode == 0b10111 {
            let h = read_half(l, rn, q, halves);
            let r = super::half::half_to_single(l, h);
            write(l, rd, r);
        } else {
            let v = read(l, rn, Shape::float(false, true));
            let r = super::half::single_to_half(l, v);
            write_half(l, rd, q, r);
        }
        return Ok(());
    }
    if opcode == 0b10111 {
        let v = read_half(l, rn, q, Shape::float(false, false));
        let r = l.b.convert(ConvOp::Fpromote, Shape::float(true, true).ty(), v);
        write(l, rd, r);
    } else {
        let v = read(l, rn, Shape::float(true, true));
        let r = l.b.convert(ConvOp::Fdemote, Shape::float(false, false).ty(), v);
        write_half(l, rd, q, r);
    }
    Ok(())
}

/// FMAXNMV, FMINNMV, FMAXV, FMINV: `0 Q 1 01110 o1 sz 11000 opcode 10 Rn Rd` (4 x f32 only);
/// the half-precision forms (U = 0) are in `simd_fp16.rs`.
pub(super) fn across_lanes(l: &mut Lifter) -> Result<(), SemError> {
    let (q, u) = (l.bit(30), l.bit(29));
    let (size, opcode, rn, rd) = (l.field(22, 2), l.field(12, 5), l.field(5, 5), l.field(0, 5));
    if !u {
        return super::fp16::across_lanes(l);
    }
    if size & 1 == 1 || !q {
        return Err(SemError::Undefined);
    }
    let op = match (opcode, size >> 1) {
        (0b01100, 0) => BinaryOp::Fmaxnm,
        (0b01100, _) => BinaryOp::Fminnm,
        (0b01111, 0) => BinaryOp::Fmax,
        _ => BinaryOp::Fmin,
    };
    let shape = Shape::float(false, true);
    let v = read(l, rn, shape);
    let r = super::misc::reduce(l, v, shape, op);
    write(l, rd, r);
    Ok(())
}

/// The FP operations built around a product with a special case for zero times infinity.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Step {
    /// FMULX: `a * b`, but 0 * inf gives 2.0 with the product's sign.
    Mulx,
    /// FRECPS: `2 - a * b` fused; 0 * inf gives 2.0.
    Recip,
    /// FRSQRTS: `(3 - a * b) / 2`; 0 * inf gives 1.5.
    Rsqrt,
}

/// The bits of `x` in a float lane `w` bits wide (single or double).
fn float_lane_bits(w: u32, x: f64) -> u128 {
    if w == 64 {
        x.to_bits() as u128
    } else {
        (x as f32).to_bits() as u128
    }
}

/// `x` in every lane of float `shape` (single or double lanes).
fn float_splat(l: &mut Lifter, shape: Shape, x: f64) -> Value {
    splat_const(l, shape, float_lane_bits(shape.ebits(), x))
}

/// FMULX, FRECPS and FRSQRTS on values of `shape`. FRSQRTS rounds `(3 - a * b) / 2` once, as the
/// manual's FPRSqrtStepFused does (see `rsqrt_step`).
pub(super) fn fp_step(l: &mut Lifter, step: Step, a: Value, b: Value, shape: Shape) -> Value {
    let ishape = shape.as_int();
    let w = shape.ebits();
    let (exp_all, one_bits) = (float_lane_bits(w, f64::INFINITY), float_lane_bits(w, 1.0));
    let constant = |l: &mut Lifter, x: f64| float_splat(l, shape, x);
    let ai = l.b.bitcast(ishape.ty(), a);
    let bi = l.b.bitcast(ishape.ty(), b);
    let magnitude = crate::interp::mask(w - 1);
    let inf = splat_const(l, ishape, exp_all);
    let mag_a = super::and_c(l, ai, magnitude);
    let mag_b = super::and_c(l, bi, magnitude);
    let za = super::zero_lanes(l, a, shape);
    let zb = super::zero_lanes(l, b, shape);
    let ia = super::icmp_mask(l, IntCC::Eq, mag_a, inf, ishape);
    let ib = super::icmp_mask(l, IntCC::Eq, mag_b, inf, ishape);
    let zi = l.b.and(za, ib);
    let iz = l.b.and(ia, zb);
    let special = l.b.or(zi, iz);
    // Infinity times zero gives a fixed value and raises nothing, while the host's product would
    // raise invalid: those lanes compute on ones instead (their result is replaced below).
    let one = splat_const(l, ishape, one_bits);
    let a = l.b.bitcast(ishape.ty(), a);
    let a = super::bit_select(l, special, one, a);
    let a = l.b.bitcast(shape.ty(), a);
    let b = l.b.bitcast(ishape.ty(), b);
    let b = super::bit_select(l, special, one, b);
    let b = l.b.bitcast(shape.ty(), b);
    let (r, special_value) = match step {
        Step::Mulx => {
            let r = l.b.binary(BinaryOp::Fmul, a, b);
            let signs = l.b.xor(ai, bi);
            let sign = super::and_c(l, signs, 1u128 << (w - 1));
            let two = splat_const(l, ishape, one_bits + (1u128 << if w == 64 { 52 } else { 23 }));
            (r, l.b.or(sign, two))
        }
        Step::Recip => {
            let na = l.b.unary(UnaryOp::Fneg, a);
            let two = constant(l, 2.0);
            let r = l.b.fma(na, b, two);
            (r, l.b.bitcast(ishape.ty(), two))
        }
        Step::Rsqrt => {
            let r = rsqrt_step(l, a, b, mag_a, mag_b, shape);
            let v = constant(l, 1.5);
            (r, l.b.bitcast(ishape.ty(), v))
        }
    };
    let ri = l.b.bitcast(ishape.ty(), r);
    let out = super::bit_select(l, special, special_value, ri);
    l.b.bitcast(shape.ty(), out)
}

/// FRSQRTS's `(3 - a * b) / 2`, rounded once: `1.5 - (big / 2) * small` as one fused
/// multiply-add, where `big` is the operand of larger magnitude, whose halving is exact when it is
/// at least twice the smallest normal number. Rounding `3 - a * b` first and halving after would
/// overflow where the half does not (a product near -2 * MAX) and round twice where the half is
/// subnormal. Lanes with a NaN (whose choice follows the operands' order, op1 first) or with both
/// operands below that bound (their product is tiny, so the result is 1.5 rounded either way)
/// take the plain `fma(-a, b, 3) * 0.5`. Each route computes on ones in the other's lanes, so
/// only the route that gives a lane its result raises floating-point exceptions for it.
/// `mag_a` and `mag_b` are the operands' magnitudes as integers.
fn rsqrt_step(l: &mut Lifter, a: Value, b: Value, mag_a: Value, mag_b: Value, shape: Shape) -> Value {
    let ishape = shape.as_int();
    let w = shape.ebits();
    let constant = |l: &mut Lifter, x: f64| float_splat(l, shape, x);
    let largest = l.b.binary(BinaryOp::Umax, mag_a, mag_b);
    let twice_smallest_normal = splat_const(l, ishape, float_lane_bits(w, 2.0 * smallest_normal(w)));
    let halvable = super::icmp_mask(l, IntCC::Uge, largest, twice_smallest_normal, ishape);
    let infinity = splat_const(l, ishape, float_lane_bits(w, f64::INFINITY));
    let no_nan = super::icmp_mask(l, IntCC::Ule, largest, infinity, ishape);
    let fused_once = l.b.and(halvable, no_nan);
    let ones = splat_const(l, ishape, float_lane_bits(w, 1.0));
    let (ai, bi) = (l.b.bitcast(ishape.ty(), a), l.b.bitcast(ishape.ty(), b));
    let inputs = |l: &mut Lifter, keep: Value| {
        let a = super::bit_select(l, keep, ai, ones);
        let b = super::bit_select(l, keep, bi, ones);
        (l.b.bitcast(shape.ty(), a), l.b.bitcast(shape.ty(), b))
    };
    let half = constant(l, 0.5);
    // The plain route.
    let plain = l.b.not(fused_once);
    let (a1, b1) = inputs(l, plain);
    let na1 = l.b.unary(UnaryOp::Fneg, a1);
    let three = constant(l, 3.0);
    let t = l.b.fma(na1, b1, three);
    let rounded_twice = l.b.binary(BinaryOp::Fmul, t, half);
    // The single rounding.
    let (a2, b2) = inputs(l, fused_once);
    let na2 = l.b.unary(UnaryOp::Fneg, a2);
    let a_is_big = super::icmp_mask(l, IntCC::Uge, mag_a, mag_b, ishape);
    let (na2i, b2i) = (l.b.bitcast(ishape.ty(), na2), l.b.bitcast(ishape.ty(), b2));
    let big = super::bit_select(l, a_is_big, na2i, b2i);
    let small = super::bit_select(l, a_is_big, b2i, na2i);
    let (big, small) = (l.b.bitcast(shape.ty(), big), l.b.bitcast(shape.ty(), small));
    let half_big = l.b.binary(BinaryOp::Fmul, big, half);
    let one_and_a_half = constant(l, 1.5);
    let rounded_once = l.b.fma(half_big, small, one_and_a_half);
    let (once, twice) = (l.b.bitcast(ishape.ty(), rounded_once), l.b.bitcast(ishape.ty(), rounded_twice));
    let r = super::bit_select(l, fused_once, once, twice);
    l.b.bitcast(shape.ty(), r)
}

/// The smallest normal number of the float lane `w` bits wide (single or double), as an f64.
fn smallest_normal(w: u32) -> f64 {
    if w == 64 {
        f64::MIN_POSITIVE
    } else {
        f32::MIN_POSITIVE as f64
    }
}

/// Whether the scalar three-same FP encoding (U, a, opcode) is allocated: FMULX, FCMEQ, FRECPS,
/// FRSQRTS, FCMGE, FACGE, FABD, FCMGT, FACGT, for single/double and half lanes alike.
pub(super) fn scalar_three_same_allocated(u: bool, a: bool, opcode: u32) -> bool {
    matches!(
        (u, a, opcode),
        (false, false, 0b011 | 0b100 | 0b111)
            | (false, true, 0b111)
            | (true, false, 0b100 | 0b101)
            | (true, true, 0b010 | 0b100 | 0b101)
    )
}
