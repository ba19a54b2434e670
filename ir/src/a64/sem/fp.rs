//! Scalar floating-point semantics: the manual's "Data Processing -- Scalar Floating-Point"
//! groups (conversions between FP and integer or fixed point, data-processing with one, two and
//! three sources, compares, conditional compare and select, immediate moves). `lift` routes a word
//! to its group by the op1/op2/op3 fields of the manual's decode table; the groups live in sibling
//! files: `fp_convert.rs` (conversions), `fp_arith.rs` (data-processing) and `fp_compare.rs`
//! (compares, conditional compare and select, immediate moves).
//!
//! FPCR's rounding mode and flush-to-zero and FPSR's cumulative flags are the host's: the runtime
//! keeps the host's floating-point environment in step with FPCR and reads the flags from it
//! (runtime/src/fpenv.rs), so an operation that rounds as FPCR says is lowered to a host operation
//! that rounds as the host's mode says (`RoundMode::Current` for FRINTI and FRINTX). Default-NaN
//! mode is not emulated (NaNs propagate), and the flags of conversions to integers, of FMAX/FMIN
//! and of the quiet compares follow the host's instructions, which differ from Arm's in places
//! (docs/isa-coverage.md lists them). Half precision (ftype 11: FCVT to and
//! from half, and the FEAT_FP16 scalar forms) lives in `fp_half.rs`: the IR has no 16-bit float
//! type, so halves are carried as `i16` bits, computed on in single or double precision and
//! rounded back with integer operations.

#[path = "fp_arith.rs"]
mod arith;
#[path = "fp_compare.rs"]
mod compare;
#[path = "fp_convert.rs"]
mod convert;
#[path = "fp_half.rs"]
mod half;

#[cfg(test)]
#[path = "fp_tests.rs"]
mod tests;

use crate::a64::lift::{Lifter, SemError};
use crate::entities::Value;
use crate::types::Type;

/// Lifts a scalar FP instruction (bit 30 = 0 and bits 28..25 = 1111).
pub fn lift(l: &mut Lifter) -> Result<(), SemError> {
    if l.bit(24) {
        // op1 = 1x: data-processing with three sources.
        return arith::three_source(l);
    }
    if !l.bit(21) {
        // op2 = x0xx: conversion between floating point and fixed point.
        return convert::fixed_point(l);
    }
    // op2 = x1xx: op3 (bits 18..10) selects the group by its low bits.
    match l.field(10, 2) {
        0b01 => compare::cond_compare(l),
        0b10 => arith::two_source(l),
        0b11 => compare::cond_select(l),
        _ => {
            if l.bit(12) {
                compare::fmov_imm(l)
            } else if l.bit(13) {
                compare::compare(l)
            } else if l.bit(14) {
                arith::one_source(l)
            } else if !l.bit(15) {
                convert::int_conversion(l)
            } else {
                Err(SemError::Undefined)
            }
        }
    }
}

/// The float type an `ftype` field (bits 23..22) names: single or double precision. Half precision
/// (see `fp_half.rs`) has no IR type, so callers handle it before asking.
fn float_type(ftype: u32) -> Result<Type, SemError> {
    match ftype {
        0b00 => Ok(Type::F32),
        0b01 => Ok(Type::F64),
        0b11 => Err(SemError::Unsupported),
        _ => Err(SemError::Undefined),
    }
}

/// The `ftype` field of the instruction as a float type.
fn insn_float_type(l: &Lifter) -> Result<Type, SemError> {
    float_type(l.field(22, 2))
}

/// Whether the instruction's `ftype` field (bits 23..22) is 11, half precision.
fn is_half(l: &Lifter) -> bool {
    l.field(22, 2) == 0b11
}

/// Fails with `Undefined` unless M (bit 31) and S (bit 29) are both zero, as every scalar FP
/// group except the conversions (whose bit 31 is `sf`) requires.
fn require_m_s_zero(l: &Lifter) -> Result<(), SemError> {
    if l.bit(31) || l.bit(29) {
        Err(SemError::Undefined)
    } else {
        Ok(())
    }
}

/// A float constant of type `ty` with the value `x`, which must be exact in `ty`.
fn float_const(l: &mut Lifter, ty: Type, x: f64) -> Value {
    let bits = if ty == Type::F32 { (x as f32).to_bits() as u128 } else { x.to_bits() as u128 };
    l.b.iconst(ty, bits)
}

/// The float constant 2^`exp` of type `ty` (exact for the exponents fixed-point conversions use).
fn pow2_const(l: &mut Lifter, ty: Type, exp: i32) -> Value {
    float_const(l, ty, 2f64.powi(exp))
}

/// The flags N, Z, C, V (as `i1` values) that FPCompare gives for `a` against `b`: unordered
/// 0011, equal 0110, less than 1000, greater than 0010.
fn fp_compare_flags(l: &mut Lifter, a: Value, b: Value) -> [Value; 4] {
    use crate::inst::FloatCC;
    let less = l.b.fcmp(FloatCC::Olt, a, b);
    let equal = l.b.fcmp(FloatCC::Oeq, a, b);
    let not_less = l.b.not(less);
    let unordered = l.b.fcmp(FloatCC::Uno, a, b);
    [less, equal, not_less, unordered]
}
