//! An instruction-level differential tester of the AArch64 lifter against qemu-aarch64.
//!
//! A [`Case`] is a short sequence of instruction words and an initial machine state (general
//! registers, sp, NZCV, FPCR, FPSR, v0..v31 and a 4 KiB memory window at a fixed address).
//! The oracle ([`oracle`]) runs a batch of cases in one generated static AArch64 program under
//! qemu-aarch64; the candidates ([`candidate`]) run the same cases through the lifter and the
//! IR interpreter, once with whole blocks and once with one instruction per block. [`compare`]
//! diffs the final states and renders reports, [`gen`] produces random cases per instruction
//! class, and [`runner`] ties these together with per-class counts and a list of known failures.
//! [`translated`] runs the oracle's very harness program translated by `vmtrans`, so the path
//! users run (lifter, LLVM lowering, runtime) is compared with qemu as well.
//!
//! Further per-case engines implement [`candidate::Engine`]: a case is plain data with no
//! reference to the interpreter.

pub mod candidate;
pub mod case;
pub mod compare;
pub mod gen;
pub mod oracle;
pub mod rng;
pub mod runner;
pub mod translated;

pub use case::{Case, MachineState};
pub use rng::Rng;
