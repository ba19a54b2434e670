//! Per-instruction semantics, one function per instruction (or per encoding class where the Arm
//! manual gives one pseudocode body for several mnemonics), grouped by the manual's top-level
//! encoding groups. Each function reads its operands, computes, writes results, then flags, and
//! returns `SemError` for encodings it does not handle. `lift` routes an instruction word to its
//! group by the `op0` field (bits 28..25) as in the manual's table C4-1.

pub mod branch;
pub mod dp_imm;
pub mod dp_reg;
pub mod fp;
pub mod ldst;
pub mod simd;
pub mod system;

use crate::a64::lift::{Lifter, SemError};

/// Lifts the instruction in `l.insn` at `l.pc`.
pub fn lift(l: &mut Lifter) -> Result<(), SemError> {
    let insn = l.insn;
    let op0 = (insn >> 25) & 0xf;
    match op0 {
        0b1000 | 0b1001 => dp_imm::lift(l),
        // Branches, exception generation and system instructions (the latter two in system.rs).
        0b1010 | 0b1011 => branch::lift(l),
        0b0101 | 0b1101 => dp_reg::lift(l),
        0b0111 | 0b1111 => {
            if insn & 0x5e00_0000 == 0x1e00_0000 {
                fp::lift(l)
            } else {
                simd::lift(l)
            }
        }
        _ if op0 & 0b0101 == 0b0100 => {
            // Loads and stores; the SIMD structure forms (LD1..LD4, ST1..ST4) are SIMD's.
            if insn & 0xbf00_0000 == 0x0c00_0000 || insn & 0xbf00_0000 == 0x0d00_0000 {
                simd::lift_ldst_struct(l)
            } else {
                ldst::lift(l)
            }
        }
        _ => Err(SemError::Undefined),
    }
}
