//! vmtrans's intermediate representation and the AArch64 lifter that produces it.
//!
//! The IR is a small SSA form built for lifted machine code: values are block-local, guest state
//! is reached through `getreg`/`setreg`/`load`/`store`, and control leaves a function only through
//! terminators that say why (a call, a return, a system call, a trap). It has a verifier, a text
//! form, optimisation passes and a reference interpreter that defines its meaning. This crate
//! knows no host, no LLVM and no system calls.

pub mod a64;
pub mod call_boundaries;
pub mod convention;
pub mod crypto;
pub mod entities;
pub mod function;
pub mod helpers;
pub mod inst;
pub mod interp;
pub mod lazy_loads;
pub mod lookup_cache;
pub mod loops;
pub mod noreturn;
pub mod opt;
pub mod poll;
pub mod prefix;
pub mod reader;
pub mod reg;
pub mod restores;
pub mod sync;
pub mod types;
pub mod verifier;
pub mod write;

pub use entities::{Block, Value};
pub use function::{BlockData, Builder, Function};
pub use inst::*;
pub use reg::Reg;
pub use types::{LaneType, Type};
