//! Keeping SSA registers and the state in memory in step: which registers translated code must
//! store at each synchronisation point, and which it must load after one.
//!
//! Translated code keeps the guest registers it touches in SSA values and writes them back to the
//! state only where something outside the function may look: calls, system calls, traps and exits.
//! It need not write back a register that still holds the value the state has, that is, one no
//! path has written since the state was last brought up to date. The state is up to date where the
//! function is entered (the registers are loaded from it) and after every call and system call
//! (they are reloaded from it), but for those translated functions hand each other in host registers
//! (`PASSED_IN_REGISTERS`: x0, sp, x30, x19-x23, x29), which are dirty at entry and after calls; a register
//! becomes dirty where a `setreg` writes it, but for a write of sp that is not a recognised raise
//! (a lower or unknown value), which the code generator stores at once (`stack_pointer_raises`)
//! and so leaves sp clean.
//! `sync_sets` computes this forward may-analysis, following the control-flow edges that do not
//! pass through a synchronisation: jumps, branches and the local targets of a recovered
//! `jump_indirect`. Storing the registers it lists at the end of a block (and only them) leaves the
//! state exactly as storing every written register would.
//!
//! Conversely, after entry and after a call only registers that are live need loading, and
//! `sync_sets` also computes the backward liveness over the same edges, where a register is used by
//! a `getreg` and by the write-back at a synchronisation point (which stores the dirty registers);
//! a call's continuation reloads what it needs itself, so liveness does not flow back through calls,
//! except for the registers the call convention keeps across calls (`CallConvention::kept_across`):
//! the caller goes on with the values it held before the call, so those must be live there, and with
//! them sp, which the continuation compares with the state's before trusting them. Calls, jumps to
//! other functions and returns also use what they pass in host registers.

use std::collections::BTreeSet;

use rustc_hash::{FxHashMap, FxHashSet};

pub(crate) use crate::convention::{
    bit, mask_of, range, to_set, Mask, CALLEE_SAVED, DEAD_AT_CALL, DEAD_AT_RETURN, FLAGS,
};
pub use crate::convention::{CallConvention, PASSED_IN_REGISTERS, PC_IN_STATE, RESULT_REGISTER, RETURNED_IN_REGISTERS};
use crate::entities::Value;
use crate::function::Function;
use crate::inst::{BinaryOp, InstData, Terminator};
use crate::reg::Reg;

/// `PASSED_IN_REGISTERS` as a mask.
const PASSED: Mask = mask_of(&PASSED_IN_REGISTERS);

/// True for a terminator that hands `PASSED_IN_REGISTERS` to other translated code: a call, or a
/// jump that may leave the function.
pub fn passes_registers(term: &Terminator) -> bool {
    matches!(
        term,
        Terminator::CallGuest { .. }
            | Terminator::CallIndirect { .. }
            | Terminator::JumpGuest { .. }
            | Terminator::JumpIndirect { .. }
    )
}

/// The `setreg sp` instructions that only raise the stack pointer: their value is the current sp plus
/// a positive constant (a frame popped: `add sp, sp, #n`, a post-indexed load from sp).
///
/// Translated code stores every other write of sp to the state at once, so that the state's sp is
/// never above the guest's between safe points: a fault there puts the signal frame below the
/// state's sp (as the kernel puts it below the real one), and the faulting code, which the runtime
/// may resume, keeps everything it has on its stack. A raise may wait for the next write-back, since
/// the state's sp stays below the guest's. "Current" is exact within a block: the last value read
/// from or written to sp before the write (system calls, which may change sp, end blocks).
pub fn stack_pointer_raises(func: &Function) -> FxHashSet<Value> {
    let mut raises = FxHashSet::default();
    for block in &func.blocks {
        let mut current = None;
        for &v in &block.insts {
            match func.inst(v) {
                InstData::GetReg { reg: Reg::SP } => current = Some(v),
                &InstData::SetReg { reg: Reg::SP, arg } => {
                    if let InstData::Binary { op: BinaryOp::Add, args: [base, offset] } = func.inst(arg) {
                        let positive = matches!(func.inst(*offset), InstData::Const { bits, .. } if *bits as i64 > 0);
                        if positive && current == Some(*base) {
                            raises.insert(v);
                        }
                    }
                    current = Some(arg);
                }
                _ => {}
            }
        }
    }
    raises
}

fn dirty_masks(
    func: &Function,
    successors: &[Vec<usize>],
    flush_edges: &FxHashSet<(usize, usize)>,
    restores: &FxHashSet<Value>,
) -> Vec<Mask> {
    // Per block, the registers it leaves dirty itself (written) and those it leaves clean whatever
    // came in: sp, where its last write lowers sp, which the code generator stores at once
    // (`stack_pointer_raises`), so that the write-back at the next synchronisation point need not
    // store it a second time; and a callee-saved register an epilogue puts back as the state still
    // holds it (`restores`, the last write of the register in its block).
    let raises = stack_pointer_raises(func);
    let mut written: Vec<Mask> = vec![0; func.blocks.len()];
    let mut cleaned: Vec<Mask> = vec![0; func.blocks.len()];
    for (b, bd) in func.blocks() {
        let b = b.index();
        for &v in &bd.insts {
            if let InstData::SetReg { reg, .. } = func.inst(v) {
                if (*reg == Reg::SP && !raises.contains(&v)) || restores.contains(&v) {
                    written[b] &= !bit(*reg);
                    cleaned[b] |= bit(*reg);
                } else {
                    written[b] |= bit(*reg);
                }
            }
        }
    }
    // Where the function is entered and where a call returns, the passed registers arrive in host
    // registers (or are known) and the state's copies may be stale.
    let mut dirty_in: Vec<Mask> = vec![0; func.blocks.len()];
    for b in stale_at_start(func) {
        dirty_in[b] |= PASSED;
    }
    // Propagate along local edges until nothing grows. An edge that writes registers back passes
    // on only what it leaves alone.
    let out = |b: usize, dirty_in: &[Mask]| written[b] | (dirty_in[b] & !cleaned[b]);
    let mut work: Vec<usize> = (0..func.blocks.len()).collect();
    while let Some(b) = work.pop() {
        let dirty_out = out(b, &dirty_in);
        for &s in &successors[b] {
            let passed = if flush_edges.contains(&(b, s)) { dirty_out & NOT_WRITTEN_BACK_ON_EDGES } else { dirty_out };
            let grown = dirty_in[s] | passed;
            if grown != dirty_in[s] {
                dirty_in[s] = grown;
                work.push(s);
            }
        }
    }
    (0..func.blocks.len()).map(|b| out(b, &dirty_in)).collect()
}

/// The blocks at whose start `PASSED_IN_REGISTERS` may differ from the state: the entry, the
/// blocks of resume points, and the continuations of calls of guest code.
fn stale_at_start(func: &Function) -> Vec<usize> {
    let mut blocks = vec![0];
    blocks.extend(func.resume_points.iter().map(|&(_, b)| b.index()));
    for bd in &func.blocks {
        if let Terminator::CallGuest { cont, .. } | Terminator::CallIndirect { cont, .. } = bd.term {
            blocks.push(cont.index());
        }
    }
    blocks
}

/// What edges into loops leave dirty: the flags, and the passed registers, which every call in the
/// loop hands over (and gets back) in host registers anyway.
const NOT_WRITTEN_BACK_ON_EDGES: Mask = FLAGS | PASSED;

/// The local edges that enter a loop containing a call or system call from outside it. The code
/// generator writes the dirty registers back on them (all but the flags, which calls may leave
/// out, and the passed registers), so that inside the loop only what the loop itself writes is dirty. Without this, a
/// register written once before the loop would be dirty at every call in it, and stored on every
/// iteration. Writing a register back early is always correct: the state must be exact only at
/// synchronisation points, and one written again later is dirty again there. Edges leave the flags
/// and the passed registers dirty (`NOT_WRITTEN_BACK_ON_EDGES`).
fn loop_entry_edges(func: &Function, successors: &[Vec<usize>]) -> FxHashSet<(usize, usize)> {
    let mut edges = FxHashSet::default();
    for body in crate::loops::loops(func) {
        let calls_out = body.iter().any(|&b| {
            matches!(
                func.blocks[b].term,
                Terminator::CallGuest { .. } | Terminator::CallIndirect { .. } | Terminator::Syscall { .. }
            )
        });
        if !calls_out {
            continue;
        }
        let inside: FxHashSet<usize> = body.iter().copied().collect();
        for (p, ss) in successors.iter().enumerate() {
            if inside.contains(&p) {
                continue;
            }
            edges.extend(ss.iter().filter(|s| inside.contains(s)).map(|&s| (p, s)));
        }
    }
    edges
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

/// What `sync_sets` finds, per block (by index) and per edge.
#[derive(Clone, Debug)]
pub struct SyncSets {
    /// The registers that may be dirty at the end of each block, after its instructions and before
    /// its terminator (its terminator writes them back if it synchronises).
    pub dirty_at_end: Vec<BTreeSet<Reg>>,
    /// The registers whose values on entry to each block some path may read, by a `getreg` or by a
    /// later write-back.
    pub live_at_start: Vec<BTreeSet<Reg>>,
    /// The registers written back on a local edge `(from, to)` into a loop that calls out (every
    /// edge not listed writes nothing back).
    pub written_back_on_edge: FxHashMap<(usize, usize), BTreeSet<Reg>>,
    /// The restores of callee-saved registers that leave them clean before returns: the code
    /// generator stores them only where the state may no longer hold their values on entry, or
    /// the return goes elsewhere than to the link register the function was entered with
    /// (ir/src/restores.rs).
    pub restores: crate::restores::Restores,
}

/// Both analyses (see the module comment) under `convention`.
pub fn sync_sets(func: &Function, convention: CallConvention) -> SyncSets {
    let successors = local_successors(func);
    let flush_edges = loop_entry_edges(func, &successors);
    // An epilogue's restores of values on entry leave their registers clean: the code generator
    // stores them only where the state may no longer hold those values (ir/src/restores.rs).
    let restores = crate::restores::restored_at_return(func, convention);
    let mut dirty = dirty_masks(func, &successors, &flush_edges, &restores.setregs);
    let flushed: FxHashMap<(usize, usize), Mask> = flush_edges
        .iter()
        .map(|&(p, s)| ((p, s), dirty[p] & !NOT_WRITTEN_BACK_ON_EDGES))
        .filter(|&(_, m)| m != 0)
        .collect();
    for (b, bd) in func.blocks() {
        // The passed registers leave in host registers there (as arguments, or the results and the
        // pc), not through the state. (A `jump_indirect` may also go on locally, where they stay dirty: the
        // code generator leaves them out only where the jump leaves.)
        let leaves = matches!(
            bd.term,
            Terminator::CallGuest { .. }
                | Terminator::CallIndirect { .. }
                | Terminator::JumpGuest { .. }
                | Terminator::Return { .. }
        );
        if leaves {
            dirty[b.index()] &= !PASSED;
        }
    }
    // What a return leaves dead is not written back there. At a call, what the convention leaves
    // dead is not written back unless the caller may still read the state's copy after the call
    // (`state_read_after`).
    let read_after = state_read_after(func, convention);
    for (b, bd) in func.blocks() {
        let keep = match bd.term {
            Terminator::CallGuest { cont, .. } | Terminator::CallIndirect { cont, .. } => read_after[cont.index()],
            _ => 0,
        };
        dirty[b.index()] &= !(convention.dead_mask(&bd.term) & !keep);
    }
    let live = live_masks(func, &successors, &dirty, &flushed, convention);
    SyncSets {
        dirty_at_end: dirty.into_iter().map(to_set).collect(),
        live_at_start: live.into_iter().map(to_set).collect(),
        written_back_on_edge: flushed.into_iter().map(|(e, m)| (e, to_set(m))).collect(),
        restores,
    }
}

/// Per block: the registers it reads before writing them (gen) and those it writes (kill).
pub(crate) fn reads_and_writes(func: &Function) -> (Vec<Mask>, Vec<Mask>) {
    let n = func.blocks.len();
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
    (gen, kill)
}

/// Per block, the registers whose values at its start some later code may read: a `getreg`
/// before any `setreg` of the register, or whatever reads the state at an exact exit (a trap, a
/// jump to other code), at a return (all but `DEAD_AT_RETURN`), in a callee or a system call (all
/// but `DEAD_AT_CALL`: the kernel reads arguments and the number; a signal handler that looks at
/// a scratch register the caller did not write since a call sees a value the standard leaves
/// undefined there anyway). Unlike `live_masks`, this follows calls to their continuations, since
/// the state carries a register the callee leaves alone through the call: a register the caller writes
/// before two calls and reads after the second must be stored at the first. A jump to one of the
/// function's own resume points (the continuation of a call of a function that does not return,
/// ir/src/noreturn.rs) reads what that resume point's block reads: the dispatcher enters it there.
fn state_read_after(func: &Function, convention: CallConvention) -> Vec<Mask> {
    let n = func.blocks.len();
    let all: Mask = Reg::all().fold(0, |m, r| m | bit(r));
    let call_scratch = if convention.follows_aapcs64 { DEAD_AT_CALL } else { 0 };
    let (gen, kill) = reads_and_writes(func);
    let successors: Vec<Vec<usize>> =
        func.blocks.iter().map(|bd| bd.term.successors().iter().map(|s| s.index()).collect()).collect();
    let resumed_at: FxHashMap<u64, usize> = func.resume_points.iter().map(|&(a, b)| (a, b.index())).collect();
    let mut live_in: Vec<Mask> = vec![0; n];
    let mut changed = true;
    while changed {
        changed = false;
        for b in (0..n).rev() {
            let term = &func.blocks[b].term;
            let mut out = match term {
                Terminator::Jump { .. } | Terminator::Branch { .. } | Terminator::None => 0,
                // The kernel reads the arguments and the number, not the scratch registers.
                Terminator::Syscall { .. } => all & !call_scratch,
                Terminator::JumpGuest { target } => match resumed_at.get(target) {
                    Some(&resumed) => live_in[resumed],
                    None => all & !convention.dead_mask(term),
                },
                _ => all & !convention.dead_mask(term),
            };
            for &s in &successors[b] {
                out |= live_in[s];
            }
            let inn = gen[b] | (out & !kill[b]);
            if inn != live_in[b] {
                live_in[b] = inn;
                changed = true;
            }
        }
    }
    live_in
}

fn live_masks(
    func: &Function,
    successors: &[Vec<usize>],
    dirty_at_end: &[Mask],
    flushed: &FxHashMap<(usize, usize), Mask>,
    convention: CallConvention,
) -> Vec<Mask> {
    let n = func.blocks.len();
    // Calls whose continuation goes on with some registers held before the call: (continuation,
    // those registers).
    let kept: Vec<Option<(usize, Mask)>> = func
        .blocks
        .iter()
        .map(|bd| {
            let mask = convention.kept_across(&bd.term).iter().fold(0, |m, &r| m | bit(r));
            let cont = match bd.term {
                Terminator::CallGuest { cont, .. } | Terminator::CallIndirect { cont, .. } => Some(cont.index()),
                _ => None,
            };
            cont.filter(|_| mask != 0).map(|c| (c, mask))
        })
        .collect();
    let mut predecessors = vec![vec![]; n];
    for (b, ss) in successors.iter().enumerate() {
        for &s in ss {
            predecessors[s].push(b);
        }
    }
    for (b, k) in kept.iter().enumerate() {
        if let Some((cont, _)) = *k {
            predecessors[cont].push(b);
        }
    }
    let (gen, kill) = reads_and_writes(func);
    let mut live_in: Vec<Mask> = vec![0; n];
    let mut work: Vec<usize> = (0..n).collect();
    let mut queued = vec![true; n];
    while let Some(b) = work.pop() {
        queued[b] = false;
        let term = &func.blocks[b].term;
        let mut out = if synchronises(term) { dirty_at_end[b] } else { 0 };
        // What leaves in host registers is used there.
        if passes_registers(term) {
            out |= PASSED_IN_REGISTERS.iter().fold(0, |m, &r| m | bit(r));
        } else if matches!(term, Terminator::Return { .. }) {
            // (x30 is the return's target operand, read by a `getreg` of its own.)
            out |= mask_of(&RETURNED_IN_REGISTERS);
        }
        for &s in &successors[b] {
            out |= live_in[s] | flushed.get(&(b, s)).copied().unwrap_or(0);
        }
        if let Some((cont, mask)) = kept[b] {
            let through = live_in[cont] & mask;
            if through != 0 {
                out |= through | bit(Reg::SP);
            }
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

    /// `regs(names)` with the registers passed in host registers, which are dirty where a
    /// function is entered and after a call.
    fn with_passed(names: &[&str]) -> BTreeSet<Reg> {
        let mut set = regs(names);
        set.extend(PASSED_IN_REGISTERS);
        set
    }

    /// `regs(names)` with the registers a return hands back in host registers, which are live
    /// where it returns.
    fn with_returned(names: &[&str]) -> BTreeSet<Reg> {
        let mut set = regs(names);
        set.extend(RETURNED_IN_REGISTERS);
        set
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
        let exact = sync_sets(&f, CallConvention::EXACT).dirty_at_end;
        let standard = sync_sets(&f, CallConvention::AAPCS64).dirty_at_end;
        assert_eq!(exact[0], regs(&["x1", "z"]));
        assert_eq!(standard[0], regs(&["x1"]));
        // x0 came back from the call in a host register and x30 is known from the return address,
        // so the system call stores them.
        assert_eq!(exact[2], with_passed(&["n", "c"]));
        assert_eq!(standard[2], with_passed(&["n", "c"]));
        assert_eq!(exact[3], regs(&["n"]));
        assert!(standard[3].is_empty());
    }

    #[test]
    fn the_procedure_call_standard_leaves_scratch_registers_out_at_returns_and_calls() {
        // block0 writes x1 (a result), x2 and x9 (scratch), x24 (callee-saved), q4 and q8 and calls;
        // the continuation reads x10 and writes everything again before it returns.
        let f = parse_function(
            "function f @0x1000 {
    resume 0x1004 block1
block0 @0x1000:
    v0 = getreg.i64 x0
    setreg x1, v0
    setreg x2, v0
    setreg x9, v0
    setreg x10, v0
    setreg x18, v0
    setreg x24, v0
    v1 = getreg.i128 q4
    setreg q8, v1
    setreg q16, v1
    call_guest 0x2000, ret 0x1004, block1
block1 @0x1004:
    v2 = getreg.i64 x10
    setreg x1, v2
    setreg x2, v2
    setreg x9, v2
    setreg x18, v2
    setreg x24, v2
    setreg q3, v1
    setreg q4, v1
    setreg q8, v1
    setreg q16, v1
    v3 = getreg.i64 x30
    return v3
}",
        )
        .unwrap();
        let exact = sync_sets(&f, CallConvention::EXACT).dirty_at_end;
        let standard = sync_sets(&f, CallConvention::AAPCS64).dirty_at_end;
        // The call passes arguments in x0-x8 and v0-v7 and x18 (the static chain), and the callee
        // saves x24 and q8's low half; x9 and q16 pass nothing, but x10 is read after the call.
        assert_eq!(exact[0], regs(&["x1", "x2", "x9", "x10", "x18", "x24", "q8", "q16"]));
        assert_eq!(standard[0], regs(&["x1", "x2", "x10", "x18", "x24", "q8"]));
        // The return hands back x1 and q3 and the callee-saved x24 and q8, nothing else.
        assert_eq!(exact[1], regs(&["x1", "x2", "x9", "x18", "x24", "q3", "q4", "q8", "q16"]));
        assert_eq!(standard[1], regs(&["x1", "x24", "q3", "q8"]));
        // After the call, x10 is read, x30 is returned to and x0 handed back.
        let live = sync_sets(&f, CallConvention::AAPCS64).live_at_start;
        assert_eq!(live[1], with_returned(&["x10", "x30"]));
    }

    #[test]
    fn a_scratch_register_read_after_a_later_call_is_kept_at_both() {
        // x10 and x11 are written before the first call, and x10 is read after the second: the
        // state carries it through the second call, so the first must store it; nothing reads x11.
        let f = parse_function(
            "function f @0x1000 {
    resume 0x1004 block1
    resume 0x1008 block2
block0 @0x1000:
    v0 = getreg.i64 x0
    setreg x10, v0
    setreg x11, v0
    call_guest 0x2000, ret 0x1004, block1
block1 @0x1004:
    call_guest 0x2000, ret 0x1008, block2
block2 @0x1008:
    v1 = getreg.i64 x10
    return v1
}",
        )
        .unwrap();
        let sets = sync_sets(&f, CallConvention::AAPCS64);
        assert_eq!(sets.dirty_at_end[0], regs(&["x10"]));
        assert!(sets.dirty_at_end[1].is_empty());
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
        let SyncSets { dirty_at_end: dirty, live_at_start: live, .. } = sync_sets(&f, CallConvention::EXACT);
        let at = |addr: u64| {
            let (b, _) = f.blocks().find(|(_, bd)| bd.guest_addr == Some(addr)).unwrap();
            dirty[b.index()].clone()
        };
        // The passed registers arrived in host registers; the call and the return hand them on the
        // same way.
        assert_eq!(at(0x1000), with_passed(&["x1"]));
        assert_eq!(at(0x1004), regs(&["x1", "x2"]));
        // 0x1008 is reached from 0x1000 directly (x1 dirty) and after 0x1004's call (all clean but
        // the passed registers, which its return hands on).
        assert_eq!(at(0x1008), regs(&["x1", "x4"]));

        let live_at = |addr: u64| {
            let (b, _) = f.blocks().find(|(_, bd)| bd.guest_addr == Some(addr)).unwrap();
            live[b.index()].clone()
        };
        // 0x1008 reads x3, at its return writes back x1 (dirty on one path) and returns x0 and
        // the other returned registers, so all must be there after the call; x4 is written before
        // its write-back.
        assert_eq!(live_at(0x1008), with_returned(&["x1", "x3"]));
        // The call in 0x1004 reloads what 0x1008 needs, so 0x1004 needs only what it writes back
        // and what it passes in host registers.
        assert_eq!(live_at(0x1004), with_passed(&["x1"]));
        // The entry reads x0; x1 is written before anything reads it.
        assert_eq!(live_at(0x1000), with_passed(&["x3"]));
    }

    #[test]
    fn callee_saved_registers_and_sp_stay_live_through_calls_under_the_standard() {
        // x24 is read after the call; x1 too, but a callee may change x1.
        let f = parse_function(
            "function f @0x1000 {
    resume 0x1004 block1
block0 @0x1000:
    call_guest 0x2000, ret 0x1004, block1
block1 @0x1004:
    v0 = getreg.i64 x24
    v1 = getreg.i64 x1
    v2 = add.i64 v0, v1
    return v2
}",
        )
        .unwrap();
        let exact = sync_sets(&f, CallConvention::EXACT).live_at_start;
        let standard = sync_sets(&f, CallConvention::AAPCS64).live_at_start;
        assert_eq!(exact[1], with_returned(&["x1", "x24"]));
        assert_eq!(exact[0], with_passed(&[]));
        // The caller goes on with its own x24, and compares its sp with the one returned.
        assert_eq!(standard[1], with_returned(&["x1", "x24"]));
        assert_eq!(standard[0], with_passed(&["x24"]));
    }

    #[test]
    fn edges_into_a_loop_that_calls_write_back_what_is_dirty_before_it() {
        // block0 writes x24 and z, then enters a loop (block1, block2) that calls and counts x25.
        let f = parse_function(
            "function f @0x1000 {
    resume 0x1008 block2
block0 @0x1000:
    v0 = getreg.i64 x0
    setreg x24, v0
    v1 = icmp.eq.i64 v0, v0
    setreg z, v1
    jump block1
block1 @0x1004:
    call_guest 0x2000, ret 0x1008, block2
block2 @0x1008:
    v2 = getreg.i64 x25
    v3 = const.i64 0x1
    v4 = add.i64 v2, v3
    setreg x25, v4
    v5 = icmp.eq.i64 v4, v3
    branch v5, block1, block3
block3 @0x100c:
    v6 = getreg.i64 x24
    return v6
}",
        )
        .unwrap();
        let sets = sync_sets(&f, CallConvention::AAPCS64);
        // x24 is written back once, on the way into the loop; the flags are left to the call.
        assert_eq!(sets.written_back_on_edge.get(&(0, 1)), Some(&regs(&["x24"])));
        assert_eq!(sets.written_back_on_edge.len(), 1);
        // In the loop only x25 is dirty at the call; z came in from before it, and calls drop it.
        assert_eq!(sets.dirty_at_end[1], regs(&["x25"]));
        // The passed registers come back from the call in host registers, and x30 is the known
        // return address.
        assert_eq!(sets.dirty_at_end[2], with_passed(&["x25"]));
        // The write-back reads x24, so the entry loads it (with x25, which the loop reads, and what
        // the call passes).
        assert_eq!(sets.live_at_start[0], with_passed(&["x25"]));
    }

    #[test]
    fn only_pops_of_the_current_stack_pointer_wait_for_the_write_back() {
        // v2 pops (sp + 16); v5 lowers sp; v8 adds to an sp read before v5 changed it, which may be
        // above the state's sp after a write-back, so it counts as unknown; v11 pops the sp v5 wrote;
        // v13 adds a negative constant; v15 moves another register into sp.
        let f = parse_function(
            "function f @0x1000 {
block0 @0x1000:
    v0 = getreg.i64 sp
    v1 = const.i64 0x10
    v2 = add.i64 v0, v1
    setreg sp, v2
    v3 = getreg.i64 sp
    v4 = const.i64 0xffffffffffffffe0
    v5 = add.i64 v3, v4
    setreg sp, v5
    v7 = const.i64 0x20
    v8 = add.i64 v3, v7
    setreg sp, v8
    v10 = getreg.i64 sp
    v11 = add.i64 v10, v7
    setreg sp, v11
    v13 = add.i64 v11, v4
    setreg sp, v13
    v15 = getreg.i64 x1
    setreg sp, v15
    v17 = getreg.i64 x30
    return v17
}",
        )
        .unwrap();
        let raises = stack_pointer_raises(&f);
        let written: Vec<Value> = f.blocks[0]
            .insts
            .iter()
            .copied()
            .filter(|&v| matches!(f.inst(v), InstData::SetReg { reg: Reg::SP, .. }))
            .collect();
        let raised: Vec<bool> = written.iter().map(|v| raises.contains(v)).collect();
        assert_eq!(raised, [true, false, false, true, false, false]);
    }

    #[test]
    fn a_lowered_stack_pointer_is_not_written_back_a_second_time() {
        // block0 lowers sp (stored at once by the code generator) and jumps to block1, which calls:
        // sp is clean there. block2 pops a frame (a raise, left to the write-back) and returns:
        // sp is dirty there. block3 lowers sp again, which cleans what came in dirty.
        let f = parse_function(
            "function f @0x1000 {
    resume 0x1010 block2
block0 @0x1000:
    v0 = getreg.i64 sp
    v1 = const.i64 0xffffffffffffffe0
    v2 = add.i64 v0, v1
    setreg sp, v2
    jump block1
block1 @0x1004:
    call_guest 0x2000, ret 0x1010, block2
block2 @0x1010:
    v3 = getreg.i64 sp
    v4 = const.i64 0x20
    v5 = add.i64 v3, v4
    setreg sp, v5
    v10 = icmp.eq.i64 v5, v4
    branch v10, block3, block4
block3 @0x1014:
    v6 = getreg.i64 sp
    v7 = add.i64 v6, v1
    setreg sp, v7
    v8 = getreg.i64 x30
    return v8
block4 @0x1018:
    syscall 0x1018, block5
block5 @0x101c:
    v9 = getreg.i64 x30
    return v9
}",
        )
        .unwrap();
        let dirty = sync_sets(&f, CallConvention::EXACT).dirty_at_end;
        assert!(!dirty[0].contains(&Reg::SP) && !dirty[1].contains(&Reg::SP), "{dirty:?}");
        assert!(dirty[2].contains(&Reg::SP) && dirty[4].contains(&Reg::SP), "{dirty:?}");
        // The lowering in block3 cleans the raise that came in from block2.
        assert!(!dirty[3].contains(&Reg::SP), "{dirty:?}");
    }

    #[test]
    fn a_raise_after_a_lowering_in_one_block_leaves_sp_dirty() {
        let f = parse_function(
            "function f @0x1000 {
block0 @0x1000:
    v0 = getreg.i64 sp
    v1 = const.i64 0xffffffffffffffe0
    v2 = add.i64 v0, v1
    setreg sp, v2
    v3 = const.i64 0x20
    v4 = add.i64 v2, v3
    setreg sp, v4
    syscall 0x1000, block1
block1 @0x1004:
    v5 = getreg.i64 x30
    return v5
}",
        )
        .unwrap();
        assert!(sync_sets(&f, CallConvention::EXACT).dirty_at_end[0].contains(&Reg::SP));
    }

    #[test]
    fn x30_travels_only_in_host_registers_but_is_stored_at_system_calls() {
        // block0 calls (x30 is the return address, passed); block1, the continuation, makes a
        // system call, where the state must hold x30; block2 returns through x30 (its pc).
        let f = parse_function(
            "function f @0x1000 {
block0 @0x1000:
    v0 = const.i64 0x1004
    setreg x30, v0
    call_guest 0x2000, ret 0x1004, block1
block1 @0x1004:
    syscall 0x1004, block2
block2 @0x1008:
    v1 = getreg.i64 x30
    return v1
}",
        )
        .unwrap();
        for convention in [CallConvention::EXACT, CallConvention::AAPCS64] {
            let sets = sync_sets(&f, convention);
            // The call passes x30 as an argument, not through the state.
            assert!(!sets.dirty_at_end[0].contains(&Reg::x(30)), "{convention:?}");
            // After the call the state's x30 is stale: the system call stores it.
            assert!(sets.dirty_at_end[1].contains(&Reg::x(30)), "{convention:?}");
            // After the system call the state is exact; the return hands x30 back as its pc.
            assert!(!sets.dirty_at_end[2].contains(&Reg::x(30)), "{convention:?}");
            assert!(sets.live_at_start[2].contains(&Reg::x(30)), "{convention:?}");
        }
    }
}
