//! Conversions between half precision and single or double precision lanes, for FCVTL/FCVTL2,
//! FCVTN/FCVTN2 and the FEAT_FP16 vector and scalar SIMD forms (`simd_fp16.rs`). The IR has no
//! half-precision type, so half-precision lanes are carried as 16-bit integers (a plain `i16` for
//! a scalar SIMD form) and converted with integer operations, following the manual's FPConvert and
//! FPRound: rounding as FPCR.RMode says; arithmetic flushes denormal halves under FPCR.FZ16 (`widen`
//! of operands, `narrow` of results), while conversions ignore FZ16, flush a single or double
//! operand under FZ, use the alternative format under FPCR.AHP and give the default NaN under
//! FPCR.DN (`narrow_converting`, `widen` with `quiet_nans`).
//! Every function here works on any lane count whose wide form fits 128 bits.
//!
//! Widening is exact (every half is a single and a double). A NaN keeps its payload at the top
//! of the wider fraction; FCVTL quiets it, as FPConvertNaN does, while arithmetic widens without
//! quieting so that the wide operation sees signalling NaNs as signalling, applies the AArch64
//! NaN choice and quiets the NaN it picks. Narrowing keeps the top 10 fraction bits of a NaN and
//! sets the quiet bit, so the single default NaN 0x7fc00000 becomes the half one, 0x7e00.

use super::{and_c, bit_select, icmp_mask, lane_imm, lshr_c, shl_c, splat_const, Shape};
use crate::a64::lift::Lifter;
use crate::a64::state::fpsr;
use crate::entities::Value;
use crate::inst::{BinaryOp, ConvOp, IntCC, RoundMode};
use crate::interp::mask;
use crate::reg::Reg;
use crate::types::{LaneType, Type};

/// The layout of a wide float lane: width, fraction bits and exponent bias.
fn layout(wide: LaneType) -> (u32, u32, u128) {
    if wide == LaneType::F64 {
        (64, 52, 1023)
    } else {
        (32, 23, 127)
    }
}

/// Widens half lanes `h` (`i16` or a vector of `i16`) to lanes of `wide` (F32 or F64), exactly.
/// A finite half is its mantissa (with the implicit one unless subnormal) times
/// 2^(max(exponent, 1) - 25), an exact product in either format; infinities keep their sign and
/// NaNs their payload, made quiet only with `quiet_nans` (a conversion, which then raises IOC for
/// a signalling NaN).
pub(in crate::a64::sem) fn widen(l: &mut Lifter, h: Value, wide: LaneType, quiet_nans: bool) -> Value {
    let lanes = l.b.value_type(h).lanes();
    let fshape = Shape { lane: wide, lanes };
    let ishape = fshape.as_int();
    let (w, f, bias) = layout(wide);
    let mut x = l.b.uext(ishape.ty(), h);
    if !quiet_nans {
        // An arithmetic operand is flushed under FPCR.FZ16 (a conversion ignores it).
        x = super::flush_denormal_inputs(l, x, ishape, 16, 10);
    }
    let sign_bit = and_c(l, x, 0x8000);
    let sign = shl_c(l, sign_bit, w - 16);
    let exp_field = lshr_c(l, x, 10);
    let exp = and_c(l, exp_field, 0x1f);
    let frac = and_c(l, x, 0x3ff);
    // Finite values: the mantissa converts exactly, and 2^(e - 25) is built from its bits.
    let zero = splat_const(l, ishape, 0);
    let is_subnormal = icmp_mask(l, IntCC::Eq, exp, zero, ishape);
    let normal_mantissa = lane_imm(l, BinaryOp::Or, frac, 0x400);
    let mantissa = bit_select(l, is_subnormal, frac, normal_mantissa);
    let one = splat_const(l, ishape, 1);
    let scale_exp = l.b.binary(BinaryOp::Umax, exp, one);
    let biased = lane_imm(l, BinaryOp::Add, scale_exp, bias - 25);
    let scale_bits = shl_c(l, biased, f);
    let scale = l.b.bitcast(fshape.ty(), scale_bits);
    let mantissa = l.b.convert(ConvOp::Utof, fshape.ty(), mantissa);
    let magnitude = l.b.binary(BinaryOp::Fmul, mantissa, scale);
    let magnitude = l.b.bitcast(ishape.ty(), magnitude);
    // Infinities and NaNs (exponent all ones): the payload moves to the top of the fraction.
    let payload = shl_c(l, frac, f - 10);
    let mut special = lane_imm(l, BinaryOp::Or, payload, mask(w - 1 - f) << f);
    let all_ones = splat_const(l, ishape, 0x1f);
    let mut is_special = icmp_mask(l, IntCC::Eq, exp, all_ones, ishape);
    if quiet_nans {
        let is_nan = icmp_mask(l, IntCC::Ne, frac, zero, ishape);
        let quiet = and_c(l, is_nan, 1 << (f - 1));
        special = l.b.or(special, quiet);
        // A conversion reads the alternative format under FPCR.AHP, which has no infinities or
        // NaNs: its largest exponent holds numbers, which the finite path computes exactly.
        let ieee = alternative_half_lanes(l, ishape);
        let ieee = l.b.not(ieee);
        is_special = l.b.and(is_special, ieee);
        // A conversion (FPConvert) of a signalling NaN raises IOC.
        let signalling = super::signalling_nan_lanes(l, x, ishape, 16, 10);
        let signalling = l.b.and(signalling, ieee);
        l.raise_fpsr_if(signalling, fpsr::IOC);
    }
    let unsigned = bit_select(l, is_special, special, magnitude);
    let mut bits = l.b.or(unsigned, sign);
    if quiet_nans {
        // A conversion gives the default NaN under FPCR.DN (FPConvertNaN).
        bits = super::default_nan_lanes(l, bits, ishape, w, f);
    }
    l.b.bitcast(fshape.ty(), bits)
}

/// Rounds single or double lanes `x` to half lanes (`i16`s) once, in FPCR's rounding mode: results
/// below the smallest normal half become subnormal or zero, results beyond the largest half
/// infinity or the largest half (as the mode says), and a NaN the quiet half NaN with the same sign
/// and the top 9 bits of its payload below the quiet bit.
///
/// Normal results round the source bits directly: after rebiasing the exponent, the fraction bits
/// below the half's 10 are dropped after adding an increment (to nearest even: half a unit less one,
/// plus the kept lowest bit; away from zero: a unit less one; towards zero: nothing), and a carry
/// out of the fraction steps the exponent, up to infinity (0x7c00), or to the largest half (0x7bff)
/// when the mode rounds this lane's sign towards zero. Subnormal results are |x| * 2^24 (an exact
/// power-of-two scaling) rounded to an integer the same way; 1024 there is the smallest normal half.
/// Half arithmetic computed in single or double precision rounds twice in one directed mode, which
/// gives the once-rounded result (for to nearest, see fp_half.rs).
pub(in crate::a64::sem) fn narrow(l: &mut Lifter, x: Value) -> Value {
    narrow_with(l, x, false)
}

/// `narrow` for a conversion (FCVT, FCVTN), which follows FPCR.AHP and FPCR.DN (arithmetic narrows
/// a wide result that already follows DN, and ignores AHP). In the alternative half-precision
/// format (FPCR.AHP) the largest exponent holds numbers up to 131008: larger results, infinities
/// and NaNs become the largest magnitude (infinities and overflows) or zero (NaNs), keeping the
/// sign, and raise IOC instead of OFC and IXC (the manual's FPConvert and FPRoundBase).
pub(in crate::a64::sem) fn narrow_converting(l: &mut Lifter, x: Value) -> Value {
    narrow_with(l, x, true)
}

/// Lanes (all ones or zero, in integer `shape`) where conversions use the alternative
/// half-precision format: every lane when FPCR.AHP is set.
fn alternative_half_lanes(l: &mut Lifter, shape: Shape) -> Value {
    super::fpcr_control_lanes(l, shape, crate::a64::state::fpcr::AHP)
}

fn narrow_with(l: &mut Lifter, x: Value, conversion: bool) -> Value {
    let t = l.b.value_type(x);
    let wide = if t.lane_bits() == 64 { LaneType::F64 } else { LaneType::F32 };
    let fshape = Shape { lane: wide, lanes: t.lanes() };
    let ishape = fshape.as_int();
    let (w, f, bias) = layout(wide);
    let dropped = f - 10;
    let mut bits = l.b.bitcast(ishape.ty(), x);
    if conversion {
        // A conversion's single or double operand is flushed under FPCR.FZ (FPUnpackCV).
        bits = super::flush_denormal_inputs(l, bits, ishape, w, f);
    }
    let high = lshr_c(l, bits, w - 16);
    let sign = and_c(l, high, 0x8000);
    let abs = and_c(l, bits, mask(w - 1));
    let modes = RoundingLanes::new(l, sign, ishape);
    // NaNs: quiet, with the top of the payload.
    let payload = lshr_c(l, abs, dropped);
    let payload = and_c(l, payload, 0x3ff);
    let nan = lane_imm(l, BinaryOp::Or, payload, 0x7e00);
    // Normal results (and overflow).
    let rebased = lane_imm(l, BinaryOp::Sub, abs, (bias - 15) << f);
    let kept = lshr_c(l, rebased, dropped);
    let odd = and_c(l, kept, 1);
    let nearest_increment = lane_imm(l, BinaryOp::Add, odd, (1 << (dropped - 1)) - 1);
    let away_increment = splat_const(l, ishape, (1 << dropped) - 1);
    let zero = splat_const(l, ishape, 0);
    let increment = modes.pick(l, nearest_increment, away_increment, zero);
    let rounded = l.b.add(rebased, increment);
    let normal = lshr_c(l, rounded, dropped);
    let infinity = splat_const(l, ishape, 0x7c00);
    let largest = splat_const(l, ishape, 0x7bff);
    let mut ceiling = bit_select(l, modes.towards_zero, largest, infinity);
    let overflow = icmp_mask(l, IntCC::Uge, normal, infinity, ishape);
    // The alternative format's lanes (none for arithmetic), its largest magnitude and overflow.
    let alternative = if conversion { alternative_half_lanes(l, ishape) } else { zero };
    let alternative_largest = splat_const(l, ishape, 0x7fff);
    let mut alternative_overflow = zero;
    if conversion {
        let alternative_limit = splat_const(l, ishape, 0x8000);
        alternative_overflow = icmp_mask(l, IntCC::Uge, normal, alternative_limit, ishape);
        ceiling = bit_select(l, alternative, alternative_largest, ceiling);
    }
    let normal = l.b.binary(BinaryOp::Umin, normal, ceiling);
    // Subnormal results, from the lanes that give them (others would overflow or convert NaNs,
    // raising flags).
    let min_normal = splat_const(l, ishape, (bias - 14) << f);
    let is_small = icmp_mask(l, IntCC::Ult, abs, min_normal, ishape);
    let small_abs = l.b.and(abs, is_small);
    let abs_float = l.b.bitcast(fshape.ty(), small_abs);
    let scale = splat_const(l, fshape, (bias + 24) << f);
    let scaled = l.b.binary(BinaryOp::Fmul, abs_float, scale);
    let small_nearest = l.b.fp_to_int(ishape.ty(), false, RoundMode::Nearest, scaled);
    let small_away = l.b.fp_to_int(ishape.ty(), false, RoundMode::Up, scaled);
    let small_truncated = l.b.fp_to_int(ishape.ty(), false, RoundMode::Zero, scaled);
    let small = modes.pick(l, small_nearest, small_away, small_truncated);
    let source_infinity = splat_const(l, ishape, mask(w - 1 - f) << f);
    let is_nan = icmp_mask(l, IntCC::Ugt, abs, source_infinity, ishape);
    let is_infinite = icmp_mask(l, IntCC::Eq, abs, source_infinity, ishape);
    let finite = bit_select(l, is_small, small, normal);
    let (infinite_result, nan_result) = if conversion {
        (bit_select(l, alternative, alternative_largest, infinity), bit_select(l, alternative, zero, nan))
    } else {
        (infinity, nan)
    };
    let not_nan = bit_select(l, is_infinite, infinite_result, finite);
    let unsigned = bit_select(l, is_nan, nan_result, not_nan);
    let mut result = l.b.or(unsigned, sign);
    // Arithmetic flushes a result below the smallest normal half to zero under FPCR.FZ16, with
    // UFC and without IXC (FPRoundBase; a conversion ignores FZ16).
    let flushed = if conversion {
        // FPConvert gives the default NaN under FPCR.DN (the alternative format has no NaNs).
        let with_default = super::default_nan_lanes(l, result, ishape, 16, 10);
        result = bit_select(l, alternative, result, with_default);
        zero
    } else {
        let nonzero = icmp_mask(l, IntCC::Ne, abs, zero, ishape);
        let tiny = l.b.and(is_small, nonzero);
        let flushing = super::flushing_lanes(l, ishape, 16);
        let flushed = l.b.and(tiny, flushing);
        result = bit_select(l, flushed, sign, result);
        flushed
    };
    // FPRound's exceptions (tininess before rounding, as Arm detects it): a finite lane rounded
    // inexactly raises IXC, and UFC too when tiny; one beyond the largest half OFC and IXC; a
    // signalling NaN IOC.
    let finite = l.b.or(is_nan, is_infinite);
    let finite = l.b.not(finite);
    let low_bits = and_c(l, abs, (1 << dropped) - 1);
    let normal_inexact = icmp_mask(l, IntCC::Ne, low_bits, zero, ishape);
    let truncated_float = l.b.round_fp(RoundMode::Zero, scaled);
    let small_inexact = l.b.fcmp(crate::inst::FloatCC::One, truncated_float, scaled);
    let small_inexact = if t.is_vector() { small_inexact } else { l.b.sext(ishape.ty(), small_inexact) };
    let underflow = l.b.and(is_small, small_inexact);
    let mut normal_flags = l.b.or(normal_inexact, overflow);
    if conversion {
        // The alternative format's overflow is invalid, not inexact.
        let fits = l.b.not(alternative_overflow);
        let alternative_flags = l.b.and(normal_inexact, fits);
        normal_flags = bit_select(l, alternative, alternative_flags, normal_flags);
    }
    let inexact = bit_select(l, is_small, small_inexact, normal_flags);
    let inexact = l.b.and(inexact, finite);
    let kept = l.b.not(flushed);
    let inexact = l.b.and(inexact, kept);
    let underflow = l.b.and(underflow, kept);
    let underflow = l.b.or(underflow, flushed);
    l.raise_fpsr_if(inexact, fpsr::IXC);
    let not_small = l.b.not(is_small);
    let finite_large = l.b.and(not_small, finite);
    let overflow = l.b.and(overflow, finite_large);
    let ieee = l.b.not(alternative);
    let overflow = l.b.and(overflow, ieee);
    l.raise_fpsr_if(overflow, fpsr::OFC);
    l.raise_fpsr_if(underflow, fpsr::UFC);
    let quiet = and_c(l, abs, 1 << (f - 1));
    let is_quiet = icmp_mask(l, IntCC::Ne, quiet, zero, ishape);
    let not_quiet = l.b.not(is_quiet);
    let signalling = l.b.and(is_nan, not_quiet);
    let mut invalid = l.b.and(signalling, ieee);
    if conversion {
        let special = l.b.or(is_nan, is_infinite);
        let too_large = l.b.and(alternative_overflow, finite_large);
        let alternative_invalid = l.b.or(special, too_large);
        let alternative_invalid = l.b.and(alternative_invalid, alternative);
        invalid = l.b.or(invalid, alternative_invalid);
    }
    l.raise_fpsr_if(invalid, fpsr::IOC);
    l.b.trunc(Shape { lane: LaneType::I16, lanes: t.lanes() }.ty(), result)
}

/// Per-lane masks of how FPCR's rounding mode rounds each lane's magnitude: to nearest (even), away
/// from zero (towards plus infinity for a positive lane, minus infinity for a negative one), or
/// towards zero (the other directed cases).
pub(super) struct RoundingLanes {
    pub(super) nearest: Value,
    pub(super) away: Value,
    pub(super) towards_zero: Value,
}

impl RoundingLanes {
    /// The masks for lanes whose sign bits are `sign` (zero or the sign bit in each lane of
    /// integer `shape`).
    pub(super) fn new(l: &mut Lifter, sign: Value, shape: Shape) -> RoundingLanes {
        let fpcr = l.b.get(Reg::FPCR);
        let rmode = l.b.lshr_imm(fpcr, 22);
        let rmode = l.b.and_imm(rmode, 3);
        let lane_ty = shape.lane.scalar();
        let rmode = if lane_ty.bits() < 64 { l.b.trunc(lane_ty, rmode) } else { rmode };
        let rmode = if shape.lanes > 1 { l.b.splat(shape.ty(), rmode) } else { rmode };
        let is_mode = |l: &mut Lifter, m: u128| {
            let c = splat_const(l, shape, m);
            icmp_mask(l, IntCC::Eq, rmode, c, shape)
        };
        let nearest = is_mode(l, 0);
        let plus = is_mode(l, 1);
        let minus = is_mode(l, 2);
        let zero = splat_const(l, shape, 0);
        let negative = icmp_mask(l, IntCC::Ne, sign, zero, shape);
        let positive = l.b.not(negative);
        let plus_away = l.b.and(plus, positive);
        let minus_away = l.b.and(minus, negative);
        let away = l.b.or(plus_away, minus_away);
        let rounds = l.b.or(nearest, away);
        let towards_zero = l.b.not(rounds);
        RoundingLanes { nearest, away, towards_zero }
    }

    /// Per lane: `nearest` where the mode rounds to nearest, `away` where it rounds the magnitude
    /// up, `truncated` elsewhere.
    fn pick(&self, l: &mut Lifter, nearest: Value, away: Value, truncated: Value) -> Value {
        let directed = bit_select(l, self.away, away, truncated);
        bit_select(l, self.nearest, nearest, directed)
    }
}

/// Four half-precision values (as i16 lanes) to four f32 lanes, NaNs made quiet (FCVTL).
pub(super) fn half_to_single(l: &mut Lifter, h: Value) -> Value {
    widen(l, h, LaneType::F32, true)
}

/// Four f32 lanes to four half-precision values (as i16 lanes), rounding as FPCR says (FCVTN); a
/// NaN is the default NaN under FPCR.DN.
pub(super) fn single_to_half(l: &mut Lifter, x: Value) -> Value {
    let r = narrow_converting(l, x);
    debug_assert_eq!(l.b.value_type(r), Type::vec(LaneType::I16, 4));
    r
}
