//! Advanced SIMD semantics: vector and scalar SIMD data processing, permutes, across-lanes,
//! conversions, the crypto extensions, and the structure loads and stores (LD1..LD4, ST1..ST4).

use crate::a64::lift::{Lifter, SemError};

/// Lifts an Advanced SIMD or crypto data-processing instruction.
pub fn lift(_l: &mut Lifter) -> Result<(), SemError> {
    Err(SemError::Unsupported)
}

/// Lifts an Advanced SIMD structure load or store (multiple or single structures, with and
/// without post-index).
pub fn lift_ldst_struct(_l: &mut Lifter) -> Result<(), SemError> {
    Err(SemError::Unsupported)
}
