//! Jump-table recovery: finds the guest addresses a `BR` can reach when it is the dispatch of a
//! bounded switch, by running its block in the reference interpreter for every index value.
//!
//! The bound comes from the compare-and-branch that guards the block (`cmp wN, #K; b.hi default`
//! or `b.hs`), whatever instructions then compute the target: the block is lifted as usual and
//! interpreted with the index register set to each value in range, the other registers set to
//! arbitrary values, and memory reads served from the read-only initial image. The block is run
//! twice with different arbitrary values; a target that depends on anything but the index and
//! read-only memory shows up as a disagreement, and recovery gives up.

use std::collections::HashMap;

use crate::a64::lift::{lift_block, CodeSource};
use crate::interp::{run_block, Env, Exit, Fault};
use crate::reg::Reg;

/// The most cases recovered for one table.
pub const MAX_CASES: u64 = 4096;

struct ProbeEnv<'a> {
    src: &'a dyn CodeSource,
    index_reg: Reg,
    index: u64,
    noise: u64,
    regs: HashMap<Reg, u128>,
}

impl Env for ProbeEnv<'_> {
    fn reg(&mut self, r: Reg) -> u128 {
        if let Some(&v) = self.regs.get(&r) {
            return v;
        }
        if r == self.index_reg {
            // Only the compared width is known; the bits above it are noise.
            return (self.index | (self.noise << 32)) as u128;
        }
        (self.noise.wrapping_mul(r.0 as u64 + 1) as u128) & crate::interp::mask(r.ty().bits())
    }
    fn set_reg(&mut self, r: Reg, v: u128) {
        self.regs.insert(r, v);
    }
    fn load(&mut self, addr: u64, bytes: usize) -> Result<u128, Fault> {
        self.src.rodata(addr, bytes).ok_or(Fault { addr, write: false })
    }
    fn store(&mut self, addr: u64, _: usize, _: u128) -> Result<(), Fault> {
        Err(Fault { addr, write: true })
    }
}

/// The bound guarding a table: (index register, number of cases), from the two instructions
/// before `block_start` (`cmp` with an immediate, then `b.hi`/`b.hs` to the default).
fn guard(src: &dyn CodeSource, block_start: u64) -> Option<(Reg, u64, bool)> {
    let b = src.insn(block_start.checked_sub(4)?)?;
    let c = src.insn(block_start.checked_sub(8)?)?;
    if b & 0xff00_0010 != 0x5400_0000 {
        return None;
    }
    let cond = b & 0xf;
    // cmp (immediate): SUBS with the zero register as destination.
    if c & 0x7f80_001f != 0x7100_001f {
        return None;
    }
    let wide = c >> 31 == 1;
    let imm = (((c >> 10) & 0xfff) as u64) << if c >> 22 & 1 == 1 { 12 } else { 0 };
    let rn = (c >> 5) & 0x1f;
    if rn == 31 {
        return None;
    }
    let cases = match cond {
        0b1000 => imm + 1, // b.hi default: index <= imm falls through.
        0b0010 => imm,     // b.hs default: index < imm falls through.
        _ => return None,
    };
    (cases >= 1 && cases <= MAX_CASES).then_some((Reg::x(rn as u8), cases, wide))
}

/// The targets of the `BR` ending the block `[block_start, br_pc]`, if it is a recoverable table.
pub fn recover(src: &dyn CodeSource, block_start: u64, br_pc: u64) -> Option<Vec<u64>> {
    let (index_reg, cases, _wide) = guard(src, block_start)?;
    let len = ((br_pc - block_start) / 4 + 1) as usize;
    let read = |a: u64| src.insn(a);
    let lifted = lift_block(block_start, &read, len).ok()?;
    let mut targets = vec![];
    for i in 0..cases {
        let mut seen = None;
        for noise in [0x5a5a_5a5a_1234_5678u64, 0x0f0f_f0f0_8765_4321] {
            let mut env = ProbeEnv { src, index_reg, index: i, noise, regs: HashMap::new() };
            let mut block = lifted.func.entry();
            let target = loop {
                match run_block(&lifted.func, block, &mut env).ok()? {
                    Exit::Block(b) => block = b,
                    Exit::Jump { target } => break target,
                    _ => return None,
                }
            };
            if seen.is_some_and(|s| s != target) {
                return None;
            }
            seen = Some(target);
        }
        let t = seen?;
        src.insn(t)?;
        targets.push(t);
    }
    targets.sort_unstable();
    targets.dedup();
    Some(targets)
}
