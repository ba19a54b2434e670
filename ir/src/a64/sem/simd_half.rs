//! Conversions between half precision and single precision for FCVTL/FCVTL2 and FCVTN/FCVTN2.
//! The IR has no half-precision type, so half-precision lanes are carried as 16-bit integers and
//! converted with integer operations, following the manual's FPConvert (round to nearest even,
//! FPCR zero: no flush to zero, NaNs made quiet keeping their top payload bits).

use super::{and_c, bit_select, icmp_mask, lshr_c, shl_c, splat_const, Shape};
use crate::a64::lift::Lifter;
use crate::entities::Value;
use crate::inst::{BinaryOp, ConvOp, IntCC, RoundMode};
use crate::types::{LaneType, Type};

/// Four half-precision values (as i16 lanes) to four f32 lanes. Every half is exact in f32.
pub(super) fn half_to_single(l: &mut Lifter, h: Value) -> Value {
    let s32 = Shape::int(2, true);
    let h = l.b.uext(s32.ty(), h);
    let sign_bit = and_c(l, h, 0x8000);
    let sign = shl_c(l, sign_bit, 16);
    let exp_field = lshr_c(l, h, 10);
    let exp = and_c(l, exp_field, 0x1f);
    let mant = and_c(l, h, 0x3ff);
    // Normal numbers: rebias the exponent (15 to 127) and widen the fraction.
    let magnitude = and_c(l, h, 0x7fff);
    let wide = shl_c(l, magnitude, 13);
    let rebias = splat_const(l, s32, 112 << 23);
    let normal = l.b.add(wide, rebias);
    let normal = l.b.or(normal, sign);
    // Infinities and NaNs; a NaN becomes quiet.
    let zero = splat_const(l, s32, 0);
    let frac = shl_c(l, mant, 13);
    let is_nan = icmp_mask(l, IntCC::Ne, mant, zero, s32);
    let quiet = and_c(l, is_nan, 0x0040_0000);
    let top = splat_const(l, s32, 0x7f80_0000);
    let special = l.b.or(top, frac);
    let special = l.b.or(special, quiet);
    let special = l.b.or(special, sign);
    // Zeros and subnormals: mant * 2^-24, exact in f32.
    let f = Shape::float(false, true);
    let mf = l.b.convert(ConvOp::Utof, f.ty(), mant);
    let scale = splat_const(l, f, (127 - 24) << 23);
    let small = l.b.binary(BinaryOp::Fmul, mf, scale);
    let small = l.b.bitcast(s32.ty(), small);
    let small = l.b.or(small, sign);
    let max_exp = splat_const(l, s32, 0x1f);
    let is_special = icmp_mask(l, IntCC::Eq, exp, max_exp, s32);
    let is_small = icmp_mask(l, IntCC::Eq, exp, zero, s32);
    let r = bit_select(l, is_small, small, normal);
    let r = bit_select(l, is_special, special, r);
    l.b.bitcast(f.ty(), r)
}

/// Four f32 lanes to four half-precision values (as i16 lanes), rounding to nearest even.
pub(super) fn single_to_half(l: &mut Lifter, x: Value) -> Value {
    let s32 = Shape::int(2, true);
    let x = l.b.bitcast(s32.ty(), x);
    let high = lshr_c(l, x, 16);
    let sign = and_c(l, high, 0x8000);
    let abs = and_c(l, x, 0x7fff_ffff);
    // NaNs keep the top nine payload bits and become quiet.
    let payload = lshr_c(l, abs, 13);
    let payload = and_c(l, payload, 0x3ff);
    let nan_bits = splat_const(l, s32, 0x7e00);
    let nan = l.b.or(nan_bits, payload);
    // Magnitudes from 65520 up round to infinity.
    let inf = splat_const(l, s32, 0x7c00);
    // Subnormal results: |x| * 2^24 rounded to an integer (1024 becomes the smallest normal).
    let f = Shape::float(false, true);
    let abs_f = l.b.bitcast(f.ty(), abs);
    let scale = splat_const(l, f, (127 + 24) << 23);
    let scaled = l.b.binary(BinaryOp::Fmul, abs_f, scale);
    let small = l.b.fp_to_int(s32.ty(), false, RoundMode::Nearest, scaled);
    // Normal results: rebias, then round the 13 dropped bits to nearest even.
    let rebias = splat_const(l, s32, 112 << 23);
    let m = l.b.sub(abs, rebias);
    let kept = lshr_c(l, m, 13);
    let odd = and_c(l, kept, 1);
    let half = splat_const(l, s32, 0xfff);
    let up = l.b.add(m, half);
    let up = l.b.add(up, odd);
    let normal = lshr_c(l, up, 13);
    let limit_nan = splat_const(l, s32, 0x7f80_0000);
    let limit_inf = splat_const(l, s32, 0x477f_f000);
    let limit_small = splat_const(l, s32, 0x3880_0000);
    let is_nan = icmp_mask(l, IntCC::Ugt, abs, limit_nan, s32);
    let is_inf = icmp_mask(l, IntCC::Uge, abs, limit_inf, s32);
    let is_small = icmp_mask(l, IntCC::Ult, abs, limit_small, s32);
    let r = bit_select(l, is_small, small, normal);
    let r = bit_select(l, is_inf, inf, r);
    let r = bit_select(l, is_nan, nan, r);
    let r = l.b.or(r, sign);
    l.b.trunc(Type::vec(LaneType::I16, 4), r)
}
