//! The FEAT_FP16 forms of the Advanced SIMD floating-point instructions, vector (4H, 8H) and
//! scalar SIMD (H): three same (FADD, FSUB, FMUL, FDIV, FMAX, FMIN, FMAXNM, FMINNM, FMLA, FMLS,
//! FABD, FMULX, FRECPS, FRSQRTS, the compares and absolute compares, and the pairwise forms),
//! two-register miscellany (FABS, FNEG, FSQRT, FRINT*, FCVT{N,M,A,P,Z}{S,U}, SCVTF, UCVTF,
//! compares against zero, FRECPE, FRSQRTE, FRECPX), by element (FMLA, FMLS, FMUL, FMULX), across
//! lanes (FMAXV, FMINV, FMAXNMV, FMINNMV), scalar pairwise (FADDP, FMAXP, FMINP, FMAXNMP,
//! FMINNMP), the fixed-point conversions (SCVTF, UCVTF, FCVTZS, FCVTZU with fraction bits) and
//! FMOV (vector, immediate). FPCR's rounding mode, FZ16 and DN apply through `simd_half.rs` and
//! the IR's float operations.
//!
//! Half lanes are carried as `i16` bits and widened exactly (`simd_half.rs`) to single precision
//! to compute, four lanes at a time (an 8H operand in two chunks), then rounded to half once.
//! That gives the correctly rounded half for addition, subtraction, multiplication, division and
//! square root (single precision has 24 >= 2 * 11 + 2 significant bits, so the double rounding
//! is innocuous), and exactly for everything else here (max, min, compares, rounding to
//! integral, conversions from 16-bit integers, and FMULX, whose product of two halves is exact in
//! single precision). The fused forms (FMLA, FMLS, FRECPS, FRSQRTS) are not: a product of halves
//! has up to 22 significant bits and a single-precision sum can land on a half midpoint that the
//! exact sum is not on. They compute in double precision, two lanes at a time; `fp_half.rs`
//! (three_source) argues why one fused double rounding followed by the rounding to half gives
//! the correctly rounded half when the addend is a half, as 2.0 and 3.0 in FRECPS and FRSQRTS
//! are. The NaN rules follow: the wide operations choose NaNs by the AArch64 rules (signalling
//! first, then the first operand) on NaNs whose payload and kind survive the widening, and
//! narrowing keeps the payload's top bits, so the choice and the quieted payload are the half's.

use super::fpvec::{fp_step, Step};
use super::half::{narrow, widen};
use super::{and_c, bit_select, icmp_mask, lane_imm, read, simd_fcmp_mask, splat_const, write, zero_lanes, Shape};
use crate::a64::lift::{Lifter, SemError};
use crate::entities::Value;
use crate::inst::{BinaryOp, ConvOp, FloatCC, IntCC, RoundMode, UnaryOp};
use crate::interp::mask;
use crate::types::LaneType;

/// The sign bit of a half.
const SIGN: u128 = 0x8000;

/// `lanes` half lanes: one lane is a scalar SIMD operand (an `i16`).
pub(super) fn halves(lanes: u32) -> Shape {
    Shape { lane: LaneType::I16, lanes }
}

/// The half lanes of a vector form (4H, or 8H with `q`) or of a scalar one.
fn operand_shape(l: &Lifter, scalar: bool) -> Shape {
    halves(if scalar {
        1
    } else if l.bit(30) {
        8
    } else {
        4
    })
}

/// Splits the half lanes `v` into consecutive chunks of `per` lanes (all of `v` if it has no
/// more lanes than that).
fn split(l: &mut Lifter, v: Value, per: u32) -> Vec<Value> {
    let lanes = l.b.value_type(v).lanes();
    if lanes <= per {
        return vec![v];
    }
    (0..lanes / per)
        .map(|chunk| {
            let picks: Vec<u8> = (chunk * per..(chunk + 1) * per).map(|i| i as u8).collect();
            l.b.shuffle(v, v, &picks)
        })
        .collect()
}

/// Joins chunks of half lanes back into one value, the first chunk in the lowest lanes.
fn join(l: &mut Lifter, mut chunks: Vec<Value>) -> Value {
    while chunks.len() > 1 {
        chunks = chunks
            .chunks(2)
            .map(|pair| {
                let lanes = l.b.value_type(pair[0]).lanes();
                let picks: Vec<u8> = (0..2 * lanes).map(|i| i as u8).collect();
                l.b.shuffle(pair[0], pair[1], &picks)
            })
            .collect();
    }
    chunks[0]
}

/// How many lanes of `wide` fit one 128-bit value.
fn chunk_lanes(wide: LaneType) -> u32 {
    128 / wide.bits()
}

/// Applies `f` chunk by chunk to the half lanes `args` (all of one shape): `f` gets the chunks
/// at the same position of every argument and returns that chunk of the result, in half lanes.
fn map_chunks(l: &mut Lifter, args: &[Value], per: u32, mut f: impl FnMut(&mut Lifter, &[Value]) -> Value) -> Value {
    let parts: Vec<Vec<Value>> = args.iter().map(|&a| split(l, a, per)).collect();
    let results: Vec<Value> = (0..parts[0].len())
        .map(|chunk| {
            let xs: Vec<Value> = parts.iter().map(|p| p[chunk]).collect();
            f(l, &xs)
        })
        .collect();
    join(l, results)
}

/// The shape of float lanes of `wide` as many as `chunk` (half lanes) has.
fn wide_shape(l: &Lifter, chunk: Value, wide: LaneType) -> Shape {
    Shape { lane: wide, lanes: l.b.value_type(chunk).lanes() }
}

/// An arithmetic operation on half lanes: the operands widen to `wide`, `op` computes on them
/// (given the wide shape), and the result rounds to half.
fn arith(l: &mut Lifter, args: &[Value], wide: LaneType, op: impl Fn(&mut Lifter, &[Value], Shape) -> Value) -> Value {
    map_chunks(l, args, chunk_lanes(wide), |l, xs| {
        let shape = wide_shape(l, xs[0], wide);
        let ws: Vec<Value> = xs.iter().map(|&x| widen(l, x, wide, false)).collect();
        let r = op(l, &ws, shape);
        narrow(l, r)
    })
}

/// A binary IR operation on half lanes, computed in single precision.
pub(super) fn binary(l: &mut Lifter, op: BinaryOp, x: Value, y: Value) -> Value {
    arith(l, &[x, y], LaneType::F32, |l, w, _| l.b.binary(op, w[0], w[1]))
}

/// The lane masks (all ones or zero, in half lanes) of `cc` between `x` and `y`, or between
/// their absolute values with `absolute`.
fn compare(l: &mut Lifter, cc: FloatCC, x: Value, y: Value, absolute: bool) -> Value {
    map_chunks(l, &[x, y], 4, |l, xs| {
        let shape = wide_shape(l, xs[0], LaneType::F32);
        let mut a = widen(l, xs[0], LaneType::F32, false);
        let mut b = widen(l, xs[1], LaneType::F32, false);
        if absolute {
            a = l.b.unary(UnaryOp::Fabs, a);
            b = l.b.unary(UnaryOp::Fabs, b);
        }
        let m = simd_fcmp_mask(l, cc, a, b, shape);
        l.b.trunc(halves(shape.lanes).ty(), m)
    })
}

/// Flips the sign of half lanes (FPNeg: NaNs included).
pub(super) fn negate(l: &mut Lifter, x: Value) -> Value {
    lane_imm(l, BinaryOp::Xor, x, SIGN)
}

/// The manual's FPMulAdd on float lanes of `shape`: `n * m + a` rounded once (the IR's `fma`),
/// except that a quiet NaN addend with an infinite times zero product gives the default NaN.
/// Used by every vector and by-element FMLA/FMLS, whatever the lane size.
pub(super) fn fused(l: &mut Lifter, n: Value, m: Value, a: Value, shape: Shape) -> Value {
    let ishape = shape.as_int();
    let w = shape.ebits();
    let f = if w == 64 { 52 } else { 23 };
    let result = l.b.fma(n, m, a);
    let magnitude = |l: &mut Lifter, x: Value| {
        let bits = l.b.bitcast(ishape.ty(), x);
        and_c(l, bits, mask(w - 1))
    };
    let (n_abs, m_abs, a_abs) = (magnitude(l, n), magnitude(l, m), magnitude(l, a));
    let infinity = splat_const(l, ishape, mask(w - 1 - f) << f);
    let n_zero = zero_lanes(l, n, shape);
    let m_zero = zero_lanes(l, m, shape);
    let n_inf = icmp_mask(l, IntCC::Eq, n_abs, infinity, ishape);
    let m_inf = icmp_mask(l, IntCC::Eq, m_abs, infinity, ishape);
    let inf_zero = l.b.and(n_inf, m_zero);
    let zero_inf = l.b.and(n_zero, m_inf);
    let invalid_product = l.b.or(inf_zero, zero_inf);
    // A quiet NaN's magnitude is at least that of infinity with the quiet bit set.
    let default_nan = splat_const(l, ishape, mask(w - f) << (f - 1));
    let a_quiet_nan = icmp_mask(l, IntCC::Uge, a_abs, default_nan, ishape);
    let use_default = l.b.and(invalid_product, a_quiet_nan);
    // The host's fused multiply-add raises nothing when the addend is a quiet NaN; Arm raises IOC.
    l.raise_fpsr_if(use_default, crate::a64::state::fpsr::IOC);
    let bits = l.b.bitcast(ishape.ty(), result);
    let r = bit_select(l, use_default, default_nan, bits);
    l.b.bitcast(shape.ty(), r)
}

/// FMLA (or FMLS with `subtract`) on half lanes: `acc + x * y`, fused, in double precision.
pub(super) fn multiply_add(l: &mut Lifter, x: Value, y: Value, acc: Value, subtract: bool) -> Value {
    let x = if subtract { negate(l, x) } else { x };
    arith(l, &[x, y, acc], LaneType::F64, |l, w, shape| fused(l, w[0], w[1], w[2], shape))
}

/// FMULX (in single precision, where the product of two halves is exact), FRECPS and FRSQRTS
/// (fused, in double precision).
fn step(l: &mut Lifter, step: Step, x: Value, y: Value) -> Value {
    let wide = if step == Step::Mulx { LaneType::F32 } else { LaneType::F64 };
    arith(l, &[x, y], wide, |l, w, shape| fp_step(l, step, w[0], w[1], shape))
}

/// A pairwise operation: the lanes of `x` then `y` taken two by two.
fn pairwise(l: &mut Lifter, op: BinaryOp, x: Value, y: Value) -> Value {
    let lanes = l.b.value_type(x).lanes();
    let even: Vec<u8> = (0..lanes).map(|k| (2 * k) as u8).collect();
    let odd: Vec<u8> = (0..lanes).map(|k| (2 * k + 1) as u8).collect();
    let first = l.b.shuffle(x, y, &even);
    let second = l.b.shuffle(x, y, &odd);
    binary(l, op, first, second)
}

/// Three same (FP16): `0 Q U 01110 a 10 Rm 00 opcode 1 Rn Rd`, and the scalar form
/// `01 U 11110 a 10 Rm 00 opcode 1 Rn Rd`.
pub(super) fn three_same(l: &mut Lifter, scalar: bool) -> Result<(), SemError> {
    let (u, a) = (l.bit(29), l.bit(23));
    let (rm, opcode, rn, rd) = (l.field(16, 5), l.field(11, 3), l.field(5, 5), l.field(0, 5));
    if scalar && !super::fpvec::scalar_three_same_allocated(u, a, opcode) {
        return Err(SemError::Undefined);
    }
    let shape = operand_shape(l, scalar);
    let x = read(l, rn, shape);
    let y = read(l, rm, shape);
    let r = match (u, a, opcode) {
        (false, false, 0b000) => binary(l, BinaryOp::Fmaxnm, x, y),
        (false, true, 0b000) => binary(l, BinaryOp::Fminnm, x, y),
        (false, _, 0b001) => {
            let acc = read(l, rd, shape);
            multiply_add(l, x, y, acc, a)
        }
        (false, false, 0b010) => binary(l, BinaryOp::Fadd, x, y),
        (false, true, 0b010) => binary(l, BinaryOp::Fsub, x, y),
        (false, false, 0b011) => step(l, Step::Mulx, x, y),
        (false, false, 0b100) => compare(l, FloatCC::Oeq, x, y, false),
        (false, false, 0b110) => binary(l, BinaryOp::Fmax, x, y),
        (false, true, 0b110) => binary(l, BinaryOp::Fmin, x, y),
        (false, false, 0b111) => step(l, Step::Recip, x, y),
        (false, true, 0b111) => step(l, Step::Rsqrt, x, y),
        (true, false, 0b000) => pairwise(l, BinaryOp::Fmaxnm, x, y),
        (true, true, 0b000) => pairwise(l, BinaryOp::Fminnm, x, y),
        (true, false, 0b010) => pairwise(l, BinaryOp::Fadd, x, y),
        (true, true, 0b010) => map_chunks(l, &[x, y], chunk_lanes(LaneType::F32), |l, xs| {
            // FABD: the absolute value of the difference rounded to half (NaNs lose their sign
            // too). The sign is cleared after rounding, as a directed mode rounds by the sign.
            let a = widen(l, xs[0], LaneType::F32, false);
            let b = widen(l, xs[1], LaneType::F32, false);
            let difference = l.b.binary(BinaryOp::Fsub, a, b);
            let half = narrow(l, difference);
            and_c(l, half, 0x7fff)
        }),
        (true, false, 0b011) => binary(l, BinaryOp::Fmul, x, y),
        (true, false, 0b100) => compare(l, FloatCC::Oge, x, y, false),
        (true, true, 0b100) => compare(l, FloatCC::Ogt, x, y, false),
        (true, false, 0b101) => compare(l, FloatCC::Oge, x, y, true),
        (true, true, 0b101) => compare(l, FloatCC::Ogt, x, y, true),
        (true, false, 0b110) => pairwise(l, BinaryOp::Fmax, x, y),
        (true, true, 0b110) => pairwise(l, BinaryOp::Fmin, x, y),
        (true, false, 0b111) => binary(l, BinaryOp::Fdiv, x, y),
        _ => return Err(SemError::Undefined),
    };
    write(l, rd, r);
    Ok(())
}

/// Two-register miscellaneous (FP16): `0 Q U 01110 a 1111 00 opcode 10 Rn Rd`, and the scalar
/// form `01 U 11110 a 1111 00 opcode 10 Rn Rd` (conversions, compares against zero, estimates
/// and FRECPX only).
pub(super) fn two_reg_misc(l: &mut Lifter, scalar: bool) -> Result<(), SemError> {
    let (u, a) = (l.bit(29), l.bit(23));
    let (opcode, rn, rd) = (l.field(12, 5), l.field(5, 5), l.field(0, 5));
    let shape = operand_shape(l, scalar);
    let x = read(l, rn, shape);
    let round = |l: &mut Lifter, mode: RoundMode| arith(l, &[x], LaneType::F32, |l, w, _| l.b.round_fp(mode, w[0]));
    let to_int = |l: &mut Lifter, mode: RoundMode| to_int16(l, x, !u, mode);
    let r = match (opcode, u, a) {
        (0b01100, false, true) => compare_zero(l, FloatCC::Ogt, x),
        (0b01100, true, true) => compare_zero(l, FloatCC::Oge, x),
        (0b01101, false, true) => compare_zero(l, FloatCC::Oeq, x),
        (0b01101, true, true) => compare_zero(l, FloatCC::Ole, x),
        (0b01110, false, true) => compare_zero(l, FloatCC::Olt, x),
        (0b01111, false, true) if !scalar => and_c(l, x, 0x7fff),
        (0b01111, true, true) if !scalar => negate(l, x),
        (0b11111, true, true) if !scalar => arith(l, &[x], LaneType::F32, |l, w, _| l.b.unary(UnaryOp::Fsqrt, w[0])),
        (0b11000, false, false) if !scalar => round(l, RoundMode::Nearest),
        (0b11000, false, true) if !scalar => round(l, RoundMode::Up),
        (0b11001, false, false) if !scalar => round(l, RoundMode::Down),
        (0b11001, false, true) if !scalar => round(l, RoundMode::Zero),
        (0b11000, true, false) if !scalar => round(l, RoundMode::Away),
        // FRINTX and FRINTI round as FPCR says.
        (0b11001, true, false) if !scalar => {
            arith(l, &[x], LaneType::F32, |l, w, _| crate::a64::sem::fp::round_current_raising(l, w[0]))
        }
        (0b11001, true, true) if !scalar => round(l, RoundMode::Current),
        (0b11010, _, false) => to_int(l, RoundMode::Nearest),
        (0b11010, _, true) => to_int(l, RoundMode::Up),
        (0b11011, _, false) => to_int(l, RoundMode::Down),
        (0b11011, _, true) => to_int(l, RoundMode::Zero),
        (0b11100, _, false) => to_int(l, RoundMode::Away),
        (0b11101, _, false) => map_chunks(l, &[x], 4, |l, xs| {
            // SCVTF and UCVTF: a 16-bit integer is exact in single precision.
            let lanes = l.b.value_type(xs[0]).lanes();
            let ints = Shape { lane: LaneType::I32, lanes };
            let wide = if u { l.b.uext(ints.ty(), xs[0]) } else { l.b.sext(ints.ty(), xs[0]) };
            let floats = Shape { lane: LaneType::F32, lanes };
            let value = l.b.convert(if u { ConvOp::Utof } else { ConvOp::Stof }, floats.ty(), wide);
            narrow(l, value)
        }),
        (0b11101, _, true) => map_chunks(l, &[x], 4, |l, xs| {
            // FRECPE and FRSQRTE: the estimate steps need 32-bit lanes.
            let lanes = l.b.value_type(xs[0]).lanes();
            let ints = Shape { lane: LaneType::I32, lanes };
            let wide = l.b.uext(ints.ty(), xs[0]);
            let r = if u {
                super::estimate::rsqrt_estimate_half(l, wide, ints)
            } else {
                super::estimate::recip_estimate_half(l, wide, ints)
            };
            l.b.trunc(halves(lanes).ty(), r)
        }),
        (0b11111, false, true) if scalar => frecpx(l, x),
        _ => return Err(SemError::Undefined),
    };
    write(l, rd, r);
    Ok(())
}

/// The lane masks of `cc` between half lanes `x` and +0.0.
fn compare_zero(l: &mut Lifter, cc: FloatCC, x: Value) -> Value {
    let zero = splat_const(l, halves(l.b.value_type(x).lanes()), 0);
    compare(l, cc, x, zero, false)
}

/// FCVT{N,P,M,Z,A}{S,U} on half lanes to 16-bit integer lanes: the single-precision conversion to
/// 32 bits cannot saturate on a finite half (at most 65504 in magnitude) and gives the right
/// 32-bit saturation for infinities (and zero for NaNs), so clamping to 16 bits completes it.
fn to_int16(l: &mut Lifter, x: Value, signed: bool, mode: RoundMode) -> Value {
    map_chunks(l, &[x], 4, |l, xs| {
        let w = widen(l, xs[0], LaneType::F32, false);
        saturate16(l, w, signed, mode)
    })
}

/// Converts single lanes `x` to 16-bit integer lanes with `mode`, saturating: through 32 bits
/// (which saturate and give zero for NaNs), then clamped.
fn saturate16(l: &mut Lifter, x: Value, signed: bool, mode: RoundMode) -> Value {
    let lanes = l.b.value_type(x).lanes();
    let ints = Shape { lane: LaneType::I32, lanes };
    let i = crate::a64::sem::fp::to_int_raising(l, ints.ty(), 16, signed, mode, x);
    let clamped = if signed {
        let low = splat_const(l, ints, (-32768i32) as u32 as u128);
        let high = splat_const(l, ints, 32767);
        let i = l.b.binary(BinaryOp::Smax, i, low);
        l.b.binary(BinaryOp::Smin, i, high)
    } else {
        let high = splat_const(l, ints, 0xffff);
        l.b.binary(BinaryOp::Umin, i, high)
    };
    l.b.trunc(halves(lanes).ty(), clamped)
}

/// FRECPX on a half: the exponent inverted (the largest finite one for zeros and subnormals),
/// the fraction cleared, the sign kept; NaNs made quiet (the default NaN under FPCR.DN).
fn frecpx(l: &mut Lifter, x: Value) -> Value {
    let shape = halves(1);
    let sign = and_c(l, x, SIGN);
    let exp = and_c(l, x, 0x7c00);
    let zero = splat_const(l, shape, 0);
    let is_zero_exp = icmp_mask(l, IntCC::Eq, exp, zero, shape);
    let inverted = lane_imm(l, BinaryOp::Xor, exp, 0x7c00);
    let largest = splat_const(l, shape, 0x7800);
    let e = bit_select(l, is_zero_exp, largest, inverted);
    let r = l.b.or(sign, e);
    let magnitude = and_c(l, x, 0x7fff);
    let infinity = splat_const(l, shape, 0x7c00);
    let is_nan = icmp_mask(l, IntCC::Ugt, magnitude, infinity, shape);
    // A signalling NaN raises IOC.
    let signalling = super::signalling_nan_lanes(l, x, shape, 16, 10);
    l.raise_fpsr_if(signalling, crate::a64::state::fpsr::IOC);
    let quiet = lane_imm(l, BinaryOp::Or, x, 0x200);
    let r = bit_select(l, is_nan, quiet, r);
    super::default_nan_lanes(l, r, shape, 16, 10)
}

/// FMLA, FMLS, FMUL and FMULX by element with half lanes (size 00):
/// `0 Q U 01111 00 L M Rm opcode H 0 Rn Rd` (Rm is v0-v15, the index H:L:M), and the scalar form
/// with bits 31..24 `01U11111`. The caller has checked that the opcode is one of these.
pub(super) fn by_element(l: &mut Lifter, scalar: bool) -> Result<(), SemError> {
    let u = l.bit(29);
    let (opcode, rm, rn, rd) = (l.field(12, 4), l.field(16, 4), l.field(5, 5), l.field(0, 5));
    let index = l.field(11, 1) << 2 | l.field(21, 1) << 1 | l.field(20, 1);
    let shape = operand_shape(l, scalar);
    let m = read(l, rm, halves(8));
    let element = l.b.extract(m, index);
    let y = if scalar { element } else { l.b.splat(shape.ty(), element) };
    let x = read(l, rn, shape);
    let r = match (opcode, u) {
        (0b1001, false) => binary(l, BinaryOp::Fmul, x, y),
        (0b1001, true) => step(l, Step::Mulx, x, y),
        (0b0001 | 0b0101, false) => {
            let acc = read(l, rd, shape);
            multiply_add(l, x, y, acc, opcode == 0b0101)
        }
        _ => return Err(SemError::Undefined),
    };
    write(l, rd, r);
    Ok(())
}

/// The reduction `op` of FMAXNMV/FMINNMV (opcode 01100) and FMAXV/FMINV (01111), by `a`.
fn reduction_op(opcode: u32, a: bool) -> Result<BinaryOp, SemError> {
    Ok(match (opcode, a) {
        (0b01100, false) => BinaryOp::Fmaxnm,
        (0b01100, true) => BinaryOp::Fminnm,
        (0b01111, false) => BinaryOp::Fmax,
        (0b01111, true) => BinaryOp::Fmin,
        _ => return Err(SemError::Undefined),
    })
}

/// Reduces single-precision values with `op`, halving recursively (the manual's Reduce()).
fn reduce(l: &mut Lifter, xs: &[Value], op: BinaryOp) -> Value {
    if xs.len() == 1 {
        return xs[0];
    }
    let (low, high) = xs.split_at(xs.len() / 2);
    let x = reduce(l, low, op);
    let y = reduce(l, high, op);
    l.b.binary(op, x, y)
}

/// Reduces the half lanes `v` with `op` in single precision (exact for max and min, and for
/// the one addition of FADDP's two lanes rounded once) to one half.
fn reduce_halves(l: &mut Lifter, v: Value, op: BinaryOp) -> Value {
    let mut lanes = vec![];
    for chunk in split(l, v, 4) {
        let w = widen(l, chunk, LaneType::F32, false);
        let count = l.b.value_type(chunk).lanes();
        lanes.extend((0..count).map(|i| l.b.extract(w, i)));
    }
    let r = reduce(l, &lanes, op);
    narrow(l, r)
}

/// FMAXNMV, FMINNMV, FMAXV, FMINV on 4H or 8H: `0 Q 0 01110 a 0 11000 opcode 10 Rn Rd`.
pub(super) fn across_lanes(l: &mut Lifter) -> Result<(), SemError> {
    if l.bit(22) {
        return Err(SemError::Undefined);
    }
    let op = reduction_op(l.field(12, 5), l.bit(23))?;
    let v = read(l, l.field(5, 5), operand_shape(l, false));
    let r = reduce_halves(l, v, op);
    write(l, l.field(0, 5), r);
    Ok(())
}

/// FADDP, FMAXNMP, FMINNMP, FMAXP, FMINP on the two low halves of Rn:
/// `01 0 11110 a 0 11000 opcode 10 Rn Rd`.
pub(super) fn scalar_pairwise(l: &mut Lifter) -> Result<(), SemError> {
    if l.bit(22) {
        return Err(SemError::Undefined);
    }
    let (opcode, a) = (l.field(12, 5), l.bit(23));
    let op = if opcode == 0b01101 {
        if a {
            return Err(SemError::Undefined);
        }
        BinaryOp::Fadd
    } else {
        reduction_op(opcode, a)?
    };
    let v = read(l, l.field(5, 5), halves(2));
    let r = reduce_halves(l, v, op);
    write(l, l.field(0, 5), r);
    Ok(())
}

/// SCVTF/UCVTF and FCVTZS/FCVTZU (`to_int`) between half lanes and 16-bit fixed point with
/// `fbits` (1 to 16) fraction bits, vector (4H, 8H with `q`) or scalar. Scaling by 2^fbits is
/// exact in single precision both ways (every 16-bit integer and every half times 2^16 is a
/// single), so the conversion to integer truncates the exact value and the one from integer
/// rounds to half once.
pub(super) fn fixed_point(
    l: &mut Lifter,
    scalar: bool,
    u: bool,
    fbits: u32,
    to_int: bool,
    rn: u32,
    rd: u32,
) -> Result<(), SemError> {
    let x = read(l, rn, operand_shape(l, scalar));
    let r = map_chunks(l, &[x], 4, |l, xs| {
        let lanes = l.b.value_type(xs[0]).lanes();
        let floats = Shape { lane: LaneType::F32, lanes };
        let ints = Shape { lane: LaneType::I32, lanes };
        if to_int {
            let w = widen(l, xs[0], LaneType::F32, false);
            let scale = splat_const(l, floats, (127 + fbits as u128) << 23);
            let scaled = l.b.binary(BinaryOp::Fmul, w, scale);
            saturate16(l, scaled, !u, RoundMode::Zero)
        } else {
            let wide = if u { l.b.uext(ints.ty(), xs[0]) } else { l.b.sext(ints.ty(), xs[0]) };
            let value = l.b.convert(if u { ConvOp::Utof } else { ConvOp::Stof }, floats.ty(), wide);
            let scale = splat_const(l, floats, (127 - fbits as u128) << 23);
            let scaled = l.b.binary(BinaryOp::Fmul, value, scale);
            narrow(l, scaled)
        }
    });
    write(l, rd, r);
    Ok(())
}

/// FMOV (vector, immediate) to half lanes: `0 Q 0 0111100000 abc 1111 1 1 defgh Rd`. The
/// manual's VFPExpandImm for 16 bits: sign a, exponent NOT(b):b:b:cd, fraction efgh:000000.
pub(super) fn fmov_immediate(l: &mut Lifter) -> Result<(), SemError> {
    let imm8 = l.field(16, 3) << 5 | l.field(5, 5);
    let b = (imm8 >> 6) & 1;
    let exponent = ((b ^ 1) << 4) | (b * 0b1100) | ((imm8 >> 4) & 0b11);
    let half = (imm8 >> 7) << 15 | exponent << 10 | (imm8 & 0xf) << 6;
    let shape = operand_shape(l, false);
    let r = splat_const(l, shape, half as u128);
    write(l, l.field(0, 5), r);
    Ok(())
}
