//! Keeping SSA registers and the state in memory in step: which registers translated code must
//! store at each synchronisation point, and which it must load after one.
//!
//! Translated code keeps the guest registers it touches in SSA values and writes them back to the
//! state only where something outside the function may look: calls, system calls, traps and exits.
//! It need not write back a register that still holds the value the state has, that is, one no
//! path has written since the state was last brought up to date. The state is up to date where the
//! function is entered (the registers are loaded from it) and after every call and system call
//! (they are reloaded from it); a register becomes dirty where a `setreg` writes it.
//! `sync_sets` computes this forward may-analysis, following the control-flow edges that do not
//! pass through a synchronisation: jumps, branches and the local targets of a recovered
//! `jump_indirect`. Storing the registers it lists at the end of a block (and only them) leaves the
//! state exactly as storing every written register would.
//!
//! Conversely, after entry and after a call only registers that are live need loading, and
//! `sync_sets` also computes the backward liveness over the same edges, where a register is used by
//! a `getreg` and by the write-back at a synchronisation point (which stores the dirty registers);
//! a call's continuation reloads what it needs itself, so liveness does not flow back through calls.

use std::collections::BTreeSet;

use crate::function::Function;
use crate::inst::{InstData, Terminator};
use crate::reg::Reg;

/// What translated code may assume about the registers at a procedure call (BL, BLR) or return
/// (RET).
///
/// The AArch64 procedure call standard passes no value in the condition flags: a callee does not read
/// its caller's NZCV, and a caller does not read NZCV after a call returns (compilers set the flags
/// again before any conditional). `AAPCS64` uses that: NZCV is dead where control leaves by a call or
/// a return, so the flags are neither computed for nor written back there. `EXACT` keeps every
/// register exact everywhere, for hand-written code that hands flags to a callee or back to its caller
/// (vmtrans's `--flags-across-calls`). System calls, jumps and traps keep the flags exact either way.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CallConvention {
    /// Whether NZCV keeps its value across calls and returns.
    pub flags_across_calls: bool,
}

impl CallConvention {
    /// Every register exact at every exit.
    pub const EXACT: CallConvention = CallConvention { flags_across_calls: true };
    /// The procedure call standard: NZCV dead at calls and returns.
    pub const AAPCS64: CallConvention = CallConvention { flags_across_calls: false };

    /// The registers no code reads after control leaves at `term`.
    pub fn dead_after(&self, term: &Terminator) -> &'static [Reg] {
        let call_or_return =
            matches!(term, Terminator::Return { .. } | Terminator::CallGuest { .. } | Terminator::CallIndirect { .. });
        if call_or_return && !self.flags_across_calls {
            &[Reg::N, Reg::Z, Reg::C, Reg::V]
        } else {
            &[]
        }
    }
}

/// A set of registers as a bit mask (there are fewer than 128).
type Mask = u128;
const _: () = assert!(Reg::COUNT <= 128);

fn bit(r: Reg) -> Mask {
    1 << r.0
}

fn to_set(m: Mask) -> BTreeSet<Reg> {
    Reg::all().filter(|&r| m & bit(r) != 0).collect()
}

fn dirty_masks(func: &Function, successors: &[Vec<usize>]) -> Vec<Mask> {
    let mut dirty_out: Vec<Mask> = func
        .blocks
        .iter()
        .map(|bd| {
            bd.insts.iter().fold(0, |m, &v| match func.inst(v) {
                InstData::SetReg { reg, .. } => m | bit(*reg),
                _ => m,
            })
        })
        .collect();
    // The written sets are the starting point; propagate along local edges until nothing grows.
    let mut work: Vec<usize> = (0..func.blocks.len()).collect();
    while let Some(b) = work.pop() {
        for &s in &successors[b] {
            let grown = dirty_out[s] | dirty_out[b];
            if grown != dirty_out[s] {
                dirty_out[s] = grown;
                work.push(s);
            }
        }
    }
    dirty_out
}

/// The blocks control can reach from each block without a synchronisation in between (see the
/// module comment): jump and branch targets, and the local targets of a `jump_indirect`.
fn local_successors(func: &Function) -> Vec<Vec<usize>> {
    let mut successors = func.successor_indices();
    for (b, bd) in func.blocks() {
        // A call's continuation reloads what it needs, so nothing flows through a call.
        if !matches!(bd.term, Terminator::Jump { .. } | Terminator::Branch { .. } | Terminator::JumpIndirect { .. }) {
            successors[b.index()].clear();
        }
    }
    successors
}

/// True when the terminator writes the dirty registers back (every terminator but local control
/// flow and `unreachable`).
fn synchronises(term: &Terminator) -> bool {
    !matches!(term, Terminator::Jump { .. } | Terminator::Branch { .. } | Terminator::None)
}

/// Both analyses, per block (by index): the registers that may be dirty at its end, after its
/// instructions and before its terminator; and the registers whose values on entry to it some path
/// may read, by a `getreg` or by the write-back of a later synchronisation point.
pub fn sync_sets(func: &Function, convention: CallConvention) -> (Vec<BTreeSet<Reg>>, Vec<BTreeSet<Reg>>) {
    let successors = local_successors(func);
    let mut dirty = dirty_masks(func, &successors);
    // What nothing reads after a call or return is not written back there (only such blocks lose
    // registers: their terminators have no local successors, so nothing flows on from them).
    for (b, bd) in func.blocks() {
        for &r in convention.dead_after(&bd.term) {
            dirty[b.index()] &= !bit(r);
        }
    }
    let live = live_masks(func, &successors, &dirty);
    (dirty.into_iter().map(to_set).collect(), live.into_iter().map(to_set).collect())
}

fn live_masks(func: &Function, successors: &[Vec<usize>], dirty_at_end: &[Mask]) -> Vec<Mask> {
    let n = func.blocks.len();
    let mut predecessors = vec![vec![]; n];
    for (b, ss) in successors.iter().enumerate() {
        for &s in ss {
            predecessors[s].push(b);
        }
    }
    // Per block: registers read before written (gen) and written (kill).
    let mut gen: Vec<Mask> = vec![0; n];
    let mut kill: Vec<Mask> = vec![0; n];
    for (b, bd) in func.blocks() {
        let b = b.index();
        for &v in &bd.insts {
            match func.inst(v) {
                InstData::GetReg { reg } => gen[b] |= bit(*reg) & !kill[b],
                InstData::SetReg { reg, .. } => kill[b] |= bit(*reg),
                _ => {}
            }
        }
    }
    let mut live_in: Vec<Mask> = vec![0; n];
    let mut work: Vec<usize> = (0..n).collect();
    let mut queued = vec![true; n];
    while let Some(b) = work.pop() {
        queued[b] = false;
        let mut out = if synchronises(&func.blocks[b].term) { dirty_at_end[b] } else { 0 };
        for &s in &successors[b] {
            out |= live_in[s];
        }
        let inn = gen[b] | (out & !kill[b]);
        if inn != live_in[b] {
            live_in[b] = inn;
            for &p in &predecessors[b] {
                if !queued[p] {
                    queued[p] = true;
                    work.push(p);
                }
            }
        }
    }
    live_in
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reader::parse_function;

    fn regs(names: &[&str]) -> BTreeSet<Reg> {
        names.iter().map(|n| Reg::parse(n).unwrap()).collect()
    }

    #[test]
    fn the_procedure_call_standard_leaves_flags_out_at_calls_and_returns() {
        // block0 sets z and x1 and calls; block1 sets n and returns; block2 sets c and makes a system
        // call, after which the flags are exact under either convention.
        let f = parse_function(
            "function f @0x1000 {
    resume 0x1008 block1
    resume 0x1010 block2
block0 @0x1000:
    v0 = getreg.i64 x0
    setreg x1, v0
    v1 = icmp.eq.i64 v0, v0
    setreg z, v1
    call_guest 0x2000, ret 0x1008, block1
block1 @0x1008:
    v2 = getreg.i64 x1
    v3 = icmp.eq.i64 v2, v2
    setreg n, v3
    branch v3, block2, block3
block2 @0x100c:
    setreg c, v3
    syscall 0x100c, block3
block3 @0x1010:
    v4 = getreg.i64 x30
    return v4
}",
        )
        .unwrap();
        let (exact, _) = sync_sets(&f, CallConvention::EXACT);
        let (standard, _) = sync_sets(&f, CallConvention::AAPCS64);
        assert_eq!(exact[0], regs(&["x1", "z"]));
        assert_eq!(standard[0], regs(&["x1"]));
        assert_eq!(exact[2], regs(&["n", "c"]));
        assert_eq!(standard[2], regs(&["n", "c"]));
        assert_eq!(exact[3], regs(&["n"]));
        assert!(standard[3].is_empty());
    }

    #[test]
    fn writes_flow_along_jumps_but_not_through_calls() {
        let f = parse_function(
            "function f @0x1000 {
    resume 0x1008 block2
block0 @0x1000:
    v0 = getreg.i64 x0
    setreg x1, v0
    v1 = icmp.eq.i64 v0, v0
    branch v1, block1, block2
block1 @0x1004:
    setreg x2, v0
    call_guest 0x2000, ret 0x1008, block2
block2 @0x1008:
    v2 = getreg.i64 x3
    setreg x4, v2
    return v2
}",
        )
        .unwrap();
        let (dirty, live) = sync_sets(&f, CallConvention::EXACT);
        let at = |addr: u64| {
            let (b, _) = f.blocks().find(|(_, bd)| bd.guest_addr == Some(addr)).unwrap();
            dirty[b.index()].clone()
        };
        assert_eq!(at(0x1000), regs(&["x1"]));
        assert_eq!(at(0x1004), regs(&["x1", "x2"]));
        // 0x1008 is reached from 0x1000 directly (x1 dirty) and after 0x1004's call (all clean).
        assert_eq!(at(0x1008), regs(&["x1", "x4"]));

        let live_at = |addr: u64| {
            let (b, _) = f.blocks().find(|(_, bd)| bd.guest_addr == Some(addr)).unwrap();
            live[b.index()].clone()
        };
        // 0x1008 reads x3 and, at its return, writes back x1 (dirty on one path), so both must be
        // loaded after the call; x4 is written before its write-back.
        assert_eq!(live_at(0x1008), regs(&["x1", "x3"]));
        // The call in 0x1004 reloads what 0x1008 needs, so 0x1004 needs only what it writes back.
        assert_eq!(live_at(0x1004), regs(&["x1"]));
        // The entry reads x0; x1 is written before anything reads it.
        assert_eq!(live_at(0x1000), regs(&["x0", "x3"]));
    }
}
