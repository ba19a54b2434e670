//! The AArch64 front end: the guest CPU state, the instruction classifier used by code
//! discovery, and the lifter, whose per-instruction semantics live in `sem/`, grouped by the
//! Arm Architecture Reference Manual's encoding groups (C4.1 "A64 instruction set encoding").

pub mod flow;
pub mod jumptable;
pub mod lift;
pub mod sem;
pub mod state;
pub mod testenv;

pub use flow::{classify, Flow};
pub use lift::{
    lift_block, lift_block_for_interpreter, lift_function, CodeSource, LiftError, LiftedFunction, Unsupported,
};
pub use state::CpuState;

/// Renders an instruction word as disassembly text, for diagnostics only. yaxpeax-arm decodes it;
/// the lifter decodes fields itself (see ARCHITECTURE.md, "Decoding").
pub fn disassemble(word: u32) -> String {
    use yaxpeax_arch::{Decoder, U8Reader};
    let decoder = yaxpeax_arm::armv8::a64::InstDecoder::default();
    let bytes = word.to_le_bytes();
    let mut reader = U8Reader::new(&bytes);
    match decoder.decode(&mut reader) {
        Ok(inst) => inst.to_string(),
        Err(_) => format!(".inst {word:#010x}"),
    }
}
