//! The candidates: engines that run a case through vmtrans's own code. Two are built in, both
//! over the IR interpreter with `vmtrans_ir::a64::testenv::TestEnv`: whole blocks as the lifter
//! forms them (`TestEnv::run`), and one instruction per block (`lift_block` with
//! `max_insns = 1`), which catches semantics that only work when values stay inside a block.
//! Both compute in the case's floating-point environment as the runtime's fallback engine does
//! (`vmtrans_runtime::fpenv`: the host rounds as FPCR says and collects FPSR's flags).

use vmtrans_ir::a64::lift_block;
use vmtrans_ir::a64::testenv::TestEnv;
use vmtrans_ir::interp::{run_block, Exit};
use vmtrans_ir::TrapKind;
use vmtrans_runtime::fpenv;

use crate::difftest::case::{Case, MachineState, WINDOW_ADDR, WINDOW_SIZE};

/// How a candidate run ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Control passed the last instruction; the final state.
    Finished(MachineState),
    /// The lifter does not implement the instruction at `pc` yet.
    Unsupported { pc: u64, insn: u32 },
    /// Another trap (undefined, breakpoint, halt) at `pc`.
    Trap { kind: TrapKind, pc: u64, insn: u32 },
    /// A memory access outside the window.
    Fault { addr: u64, write: bool },
    /// A system call, which cases never contain.
    Syscall { pc: u64 },
    /// Control went somewhere other than the end of the code, or never got there.
    Escaped { pc: u64 },
}

/// An execution engine under test.
pub trait Engine {
    /// A short name for reports.
    fn name(&self) -> &'static str;
    /// Runs `case` with its code at guest address `addr`.
    fn run(&self, case: &Case, addr: u64) -> Outcome;
}

/// Steps at most this many blocks before calling a case a runaway.
const MAX_BLOCKS: usize = 10_000;

/// A `TestEnv` holding `state`.
pub fn env_from(state: &MachineState) -> TestEnv {
    let mut env = TestEnv::new(WINDOW_ADDR, WINDOW_SIZE);
    let s = &mut env.state;
    s.x = state.x;
    s.sp = state.sp;
    s.n = (state.nzcv >> 31 & 1) as u8;
    s.z = (state.nzcv >> 30 & 1) as u8;
    s.c = (state.nzcv >> 29 & 1) as u8;
    s.v = (state.nzcv >> 28 & 1) as u8;
    s.fpcr = state.fpcr;
    s.fpsr = state.fpsr;
    s.q = state.v;
    env.mem.copy_from_slice(&state.mem);
    env
}

/// The host's floating-point environment set from a case's FPCR for as long as it lives (the
/// interpreter computes with the host's floating-point instructions); the default one afterwards.
struct GuestFpEnv;

impl GuestFpEnv {
    fn enter(env: &TestEnv) -> GuestFpEnv {
        fpenv::load(&env.state);
        GuestFpEnv
    }
}

impl Drop for GuestFpEnv {
    fn drop(&mut self) {
        fpenv::reset();
    }
}

/// The machine state a `TestEnv` holds, with the FPSR flags the host raised folded in.
pub fn state_of(env: &mut TestEnv) -> MachineState {
    fpenv::fold_flags(&mut env.state);
    let s = &env.state;
    MachineState { x: s.x, sp: s.sp, nzcv: s.nzcv(), fpcr: s.fpcr, fpsr: s.fpsr, v: s.q, mem: env.mem.clone() }
}

fn trap_outcome(kind: TrapKind, pc: u64, insn: u32) -> Outcome {
    if kind == TrapKind::Unsupported {
        Outcome::Unsupported { pc, insn }
    } else {
        Outcome::Trap { kind, pc, insn }
    }
}

/// Whole blocks through `TestEnv::run`.
pub struct InterpBlocks;

impl Engine for InterpBlocks {
    fn name(&self) -> &'static str {
        "interp-blocks"
    }

    fn run(&self, case: &Case, addr: u64) -> Outcome {
        let mut env = env_from(&case.init);
        let _fp = GuestFpEnv::enter(&env);
        let end = addr + 4 * case.code.len() as u64;
        match env.run(addr, &case.code, MAX_BLOCKS) {
            Err(f) => Outcome::Fault { addr: f.addr, write: f.write },
            Ok(Exit::Trap { kind, pc, insn }) => trap_outcome(kind, pc, insn),
            Ok(Exit::Syscall { pc, .. }) => Outcome::Syscall { pc },
            Ok(_) if env.state.pc == end => Outcome::Finished(state_of(&mut env)),
            Ok(_) => Outcome::Escaped { pc: env.state.pc },
        }
    }
}

/// One instruction per block: `lift_block` with `max_insns = 1`, interpreted block by block.
pub struct InterpSingle;

impl Engine for InterpSingle {
    fn name(&self) -> &'static str {
        "interp-single"
    }

    fn run(&self, case: &Case, addr: u64) -> Outcome {
        let mut env = env_from(&case.init);
        let _fp = GuestFpEnv::enter(&env);
        let end = addr + 4 * case.code.len() as u64;
        let read = |a: u64| {
            let index = a.checked_sub(addr)? / 4;
            (a % 4 == 0).then_some(())?;
            case.code.get(index as usize).copied()
        };
        let mut pc = addr;
        for _ in 0..MAX_BLOCKS {
            if pc == end {
                env.state.pc = pc;
                return Outcome::Finished(state_of(&mut env));
            }
            let Ok(lifted) = lift_block(pc, &read, 1) else {
                return Outcome::Escaped { pc };
            };
            let mut block = lifted.func.entry();
            loop {
                match run_block(&lifted.func, block, &mut env) {
                    Err(f) => return Outcome::Fault { addr: f.addr, write: f.write },
                    Ok(Exit::Block(b)) => block = b,
                    Ok(Exit::Call { target, .. } | Exit::Jump { target }) => {
                        pc = target;
                        break;
                    }
                    Ok(Exit::Syscall { pc, .. }) => return Outcome::Syscall { pc },
                    Ok(Exit::Trap { kind, pc, insn }) => return trap_outcome(kind, pc, insn),
                }
            }
        }
        Outcome::Escaped { pc }
    }
}
