//! placeholder
pub(super) const CASES: &str = "";
