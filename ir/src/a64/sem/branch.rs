//! Placeholder.

use crate::a64::lift::{Lifter, SemError};

pub fn lift(_l: &mut Lifter) -> Result<(), SemError> {
    Err(SemError::Unsupported)
}
