//! Scalar floating-point semantics: the manual's "Data Processing -- Scalar Floating-Point"
//! groups (conversions between FP and integer or fixed point, data-processing with one, two and
//! three sources, compares, conditional compare and select, immediate moves).

use crate::a64::lift::{Lifter, SemError};

/// Lifts a scalar FP instruction (bits 30 = 0 and 28..24 = 1111x).
pub fn lift(_l: &mut Lifter) -> Result<(), SemError> {
    Err(SemError::Unsupported)
}
