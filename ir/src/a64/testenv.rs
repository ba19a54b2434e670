//! A small environment for running lifted AArch64 code in the interpreter: a `CpuState` and a
//! window of guest memory. Unit tests of instruction semantics use it, and so does the
//! differential tester (which compares it with qemu-aarch64).

use crate::a64::lift::{lift_block, lift_block_for_interpreter};
use crate::a64::state::CpuState;
use crate::inst::{Terminator, TrapKind};
use crate::interp::{run_block, Env, Exit, Fault};
use crate::reg::Reg;

/// Guest state plus a byte window of memory at `mem_base`.
pub struct TestEnv {
    pub state: CpuState,
    pub mem_base: u64,
    pub mem: Vec<u8>,
}

impl TestEnv {
    /// A zeroed state and `size` bytes of zeroed memory at `mem_base`.
    pub fn new(mem_base: u64, size: usize) -> TestEnv {
        TestEnv { state: CpuState::default(), mem_base, mem: vec![0; size] }
    }

    fn range(&self, addr: u64, bytes: usize) -> Option<usize> {
        let off = addr.checked_sub(self.mem_base)? as usize;
        (off.checked_add(bytes)? <= self.mem.len()).then_some(off)
    }

    /// Runs `code` (instruction words placed at `code_addr`) from its first instruction until
    /// control leaves it, a trap, a system call, or `max_blocks` blocks, lifting blocks as the
    /// runtime's fallback engine does (`lift_block_for_interpreter`). Returns the final exit.
    pub fn run(&mut self, code_addr: u64, code: &[u32], max_blocks: usize) -> Result<Exit, Fault> {
        let read = |a: u64| {
            let i = a.checked_sub(code_addr)? / 4;
            (a % 4 == 0).then_some(())?;
            code.get(i as usize).copied()
        };
        self.state.pc = code_addr;
        let mut last = Exit::Jump { target: code_addr };
        for _ in 0..max_blocks {
            let pc = self.state.pc;
            if read(pc).is_none() {
                break;
            }
            let lifted = lift_block_for_interpreter(pc, &read, 64).expect("readable");
            let mut block = lifted.func.entry();
            loop {
                let exit = run_block(&lifted.func, block, self)?;
                match exit {
                    Exit::Block(b) => block = b,
                    Exit::Call { target, .. } | Exit::Jump { target } => {
                        self.state.pc = target;
                        last = exit;
                        break;
                    }
                    Exit::Syscall { pc, .. } => {
                        self.state.pc = pc + 4;
                        return Ok(exit);
                    }
                    Exit::Trap { pc, .. } => {
                        self.state.pc = pc;
                        return Ok(exit);
                    }
                }
            }
        }
        Ok(last)
    }
}

impl Env for TestEnv {
    fn reg(&mut self, r: Reg) -> u128 {
        self.state.get(r)
    }
    fn set_reg(&mut self, r: Reg, v: u128) {
        self.state.set(r, v)
    }
    fn load(&mut self, addr: u64, bytes: usize) -> Result<u128, Fault> {
        let off = self.range(addr, bytes).ok_or(Fault { addr, write: false })?;
        let mut buf = [0u8; 16];
        buf[..bytes].copy_from_slice(&self.mem[off..off + bytes]);
        Ok(u128::from_le_bytes(buf))
    }
    fn store(&mut self, addr: u64, bytes: usize, v: u128) -> Result<(), Fault> {
        let off = self.range(addr, bytes).ok_or(Fault { addr, write: true })?;
        self.mem[off..off + bytes].copy_from_slice(&v.to_le_bytes()[..bytes]);
        Ok(())
    }
}

/// Runs a short straight-line sequence of instructions on `env` (at address 0x1000) and returns
/// how it ended; a convenience for unit tests of semantics.
pub fn run_insns(env: &mut TestEnv, code: &[u32]) -> Exit {
    env.run(0x1000, code, 1000).expect("guest fault in test")
}

/// How one instruction word lifts on its own: None when it becomes code, else the kind of trap it
/// becomes (an unallocated or an unsupported encoding, say); a convenience for decoding tests.
pub fn trap_of(word: u32) -> Option<TrapKind> {
    let lifted = lift_block(0x1000, &|a| (a == 0x1000).then_some(word), 1).expect("lift");
    match lifted.func.blocks[0].term {
        Terminator::Trap { kind, .. } => Some(kind),
        _ => None,
    }
}
