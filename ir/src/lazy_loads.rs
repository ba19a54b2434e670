//! Registers a translated function leaves in the state until a path reads them.
//!
//! Where a function is entered, the state holds every guest register, and translated code used to
//! load at once every register some path from there may read (`SyncSets::live_at_start`). A large
//! function reads many registers on its rare paths (an error path that passes x1-x7 on to a
//! variadic reporter, say), so its common path paid for all those loads, and for keeping the values
//! alive (spilled) until the rare path that wanted them. A register nothing has written since the
//! entry still has its value in the state, though, so it can be loaded where it is first read.
//!
//! The same holds where a call or a system call returns: the state then holds every register but
//! those the callee hands back in host registers (`PASSED_IN_REGISTERS`, and x30, the return
//! address) and those the call convention lets the caller keep in hand across the call
//! (`CallConvention::kept_across`), so the continuation need not load the others at once either.
//! It used to, and a large function's calls then reloaded, after each of them, every register some
//! later path might store back (`_int_malloc` reloaded x2-x10 after its calls, and kept them in
//! spill slots).
//!
//! `unloaded_at_start` computes, for every block, the registers that are still *unloaded* there:
//! live at its start, and on every path from the entry or from a call's or system call's return
//! neither read nor written since. It is a forward must-analysis, solved as a greatest fixed point,
//! so a loop that reads a register makes it loaded on the edges into the loop rather than on every
//! iteration. The code generator then loads an unloaded register at its first `getreg`, and, on an
//! edge from a block where it is unloaded to one where it is not (a join with a path that wrote it,
//! or the way into a loop that reads it), at the end of that block, the end of a call's block
//! included. A register unloaded at a call and kept across it by the call convention is reloaded
//! after the call instead of being carried through it (the callee returned it as it found it, in
//! the state).
//!
//! Why this is exact: until a path reads or writes a register, nothing but the runtime and the
//! functions the path calls change its state copy, and they do so only at calls and system calls,
//! after which the continuation takes what is in the state as it would have at once; write-backs
//! store only registers a path wrote, so never an unloaded one. The same holds at the other entry
//! points (resume points, a body's entries from its prefix): whoever enters there (the runtime, or
//! the prefix, which stores what it wrote) leaves the state exact. (They used to load every live
//! register at once; as every call's continuation is a resume point, so did every call.)

use std::collections::BTreeSet;

use crate::entities::Block;
use crate::function::Function;
use crate::inst::Terminator;
use crate::reg::Reg;

use crate::sync::{bit, reads_and_writes, to_set, CallConvention, Mask};

fn mask_of<'a>(regs: impl IntoIterator<Item = &'a Reg>) -> Mask {
    regs.into_iter().fold(0, |m, &r| m | bit(r))
}

/// Per block, the registers still unloaded at its start (see the module comment) when the function
/// is entered at `entry` or at one of `other_entries` (resume points, a body's entries from its
/// prefix) with the registers of `passed` in hand and every other register that the block's
/// `live_at_start` lists left in the state. A call's continuation has `passed` and what
/// `convention` keeps across the call in hand, a system call's nothing.
pub fn unloaded_at_start(
    func: &Function,
    live_at_start: &[BTreeSet<Reg>],
    entry: Block,
    other_entries: &[Block],
    passed: &[Reg],
    convention: CallConvention,
) -> Vec<BTreeSet<Reg>> {
    let n = func.blocks.len();
    let live: Vec<Mask> = live_at_start.iter().map(mask_of).collect();
    // What a block reads or writes is loaded (or defined) past it.
    let (reads, writes) = reads_and_writes(func);
    // Local control flow carries the unloaded set on; a call's or system call's continuation
    // starts from what the state holds, as an entry does (`None` for control flow).
    let returned_with: Vec<Option<Mask>> = func
        .blocks
        .iter()
        .map(|bd| match bd.term {
            Terminator::Jump { .. } | Terminator::Branch { .. } | Terminator::JumpIndirect { .. } => None,
            Terminator::CallGuest { .. } | Terminator::CallIndirect { .. } => {
                Some(!(mask_of(passed) | mask_of(convention.kept_across(&bd.term))))
            }
            _ => Some(Mask::MAX),
        })
        .collect();
    let mut predecessors: Vec<Vec<usize>> = vec![vec![]; n];
    for (b, ss) in func.successor_indices().iter().enumerate() {
        for &s in ss {
            predecessors[s].push(b);
        }
    }
    // What each way in from outside the blocks brings: every entry point leaves every live
    // register but the passed ones in the state.
    let mut entered_with: Vec<Option<Mask>> = vec![None; n];
    for &e in other_entries.iter().chain([&entry]) {
        entered_with[e.index()] = Some(live[e.index()] & !mask_of(passed));
    }
    // The greatest fixed point: start from everything and narrow.
    let mut unloaded: Vec<Mask> = vec![Mask::MAX; n];
    let mut changed = true;
    while changed {
        changed = false;
        for b in 0..n {
            let mut m = match entered_with[b] {
                Some(m) => m,
                None if predecessors[b].is_empty() => 0,
                None => Mask::MAX,
            };
            for &p in &predecessors[b] {
                m &= match returned_with[p] {
                    None => unloaded[p] & !(reads[p] | writes[p]),
                    Some(in_state) => in_state,
                };
            }
            m &= live[b];
            if m != unloaded[b] {
                unloaded[b] = m;
                changed = true;
            }
        }
    }
    unloaded.into_iter().map(to_set).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reader::parse_function;
    use crate::sync::{sync_sets, CallConvention, PASSED_IN_REGISTERS};

    fn regs(names: &[&str]) -> BTreeSet<Reg> {
        names.iter().map(|n| Reg::parse(n).unwrap()).collect()
    }

    fn unloaded(text: &str) -> Vec<BTreeSet<Reg>> {
        let f = parse_function(text).unwrap();
        let sync = sync_sets(&f, CallConvention::AAPCS64);
        let resumed: Vec<Block> = f.resume_points.iter().map(|&(_, b)| b).collect();
        unloaded_at_start(&f, &sync.live_at_start, f.entry(), &resumed, &PASSED_IN_REGISTERS, CallConvention::AAPCS64)
    }

    #[test]
    fn a_register_read_on_one_path_is_loaded_there() {
        // x5 is read only where block0 branches to block2; x6 on both paths, after the join.
        let u = unloaded(
            "function f @0x1000 {
block0 @0x1000:
    v0 = getreg.i64 x0
    v1 = icmp.eq.i1 v0, v0
    branch v1, block1, block2
block1 @0x1004:
    jump block3
block2 @0x1008:
    v2 = getreg.i64 x5
    setreg x0, v2
    jump block3
block3 @0x100c:
    v3 = getreg.i64 x6
    setreg x0, v3
    v4 = getreg.i64 x30
    return v4
}",
        );
        assert_eq!(u[0], regs(&["x5", "x6"]));
        assert_eq!(u[1], regs(&["x6"]));
        assert_eq!(u[2], regs(&["x5", "x6"]));
        assert_eq!(u[3], regs(&["x6"]));
    }

    #[test]
    fn a_register_a_path_writes_is_loaded_on_the_other_paths_into_the_join() {
        // block1 writes x24, block2 does not; block3 reads it: unloaded in block2, not in block3.
        let u = unloaded(
            "function f @0x1000 {
block0 @0x1000:
    v0 = getreg.i64 x0
    v1 = icmp.eq.i1 v0, v0
    branch v1, block1, block2
block1 @0x1004:
    setreg x24, v0
    jump block3
block2 @0x1008:
    jump block3
block3 @0x100c:
    v2 = getreg.i64 x24
    setreg x0, v2
    v3 = getreg.i64 x30
    return v3
}",
        );
        assert!(u[0].contains(&Reg::x(24)));
        assert!(!u[1].contains(&Reg::x(24)));
        assert!(u[2].contains(&Reg::x(24)));
        assert!(u[3].is_empty());
    }

    #[test]
    fn a_loop_that_reads_a_register_has_it_loaded_on_the_way_in() {
        // The loop block1 reads x7 on every iteration; x8 is read only after the loop.
        let u = unloaded(
            "function f @0x1000 {
block0 @0x1000:
    jump block1
block1 @0x1004:
    v0 = getreg.i64 x7
    v1 = getreg.i64 x0
    v2 = add.i64 v1, v0
    setreg x0, v2
    v3 = icmp.eq.i1 v2, v0
    branch v3, block1, block2
block2 @0x1008:
    v4 = getreg.i64 x8
    setreg x1, v4
    v5 = getreg.i64 x30
    return v5
}",
        );
        assert_eq!(u[0], regs(&["x7", "x8"]));
        assert_eq!(u[1], regs(&["x8"]));
        assert_eq!(u[2], regs(&["x8"]));
    }

    #[test]
    fn a_call_returns_and_a_resume_point_enters_with_registers_in_the_state() {
        let u = unloaded(
            "function f @0x1000 {
    resume 0x1008 block2
block0 @0x1000:
    v0 = getreg.i64 x2
    setreg x4, v0
    call_guest 0x2000, ret 0x1004, block1
block1 @0x1004:
    v1 = getreg.i64 x2
    v2 = getreg.i64 x4
    v3 = getreg.i64 x25
    v4 = add.i64 v1, v2
    v5 = add.i64 v4, v3
    setreg x0, v5
    jump block2
block2 @0x1008:
    v6 = getreg.i64 x3
    setreg x0, v6
    v7 = getreg.i64 x30
    return v7
}",
        );
        // After the call x2 and x4 (loaded and written before it) are in the state again, as is
        // x3; x25 is kept across the call (still unloaded at it, it is reloaded after it).
        assert_eq!(u[1], regs(&["x2", "x3", "x4"]));
        // Entered at the resume point, or from block1, which wrote x0 but not x3, the function
        // finds x3 in the state.
        assert_eq!(u[2], regs(&["x3"]));
    }

    #[test]
    fn a_system_call_returns_to_every_register_in_the_state() {
        let u = unloaded(
            "function f @0x1000 {
block0 @0x1000:
    v0 = getreg.i64 x8
    v1 = getreg.i64 x0
    setreg x19, v1
    syscall 0x1000, block1
block1 @0x1004:
    v2 = getreg.i64 x0
    v3 = getreg.i64 x19
    v4 = add.i64 v2, v3
    setreg x0, v4
    v5 = getreg.i64 x30
    return v5
}",
        );
        // The return reads what it hands back in host registers, so those are live there too.
        assert_eq!(u[1], regs(&["x0", "x19", "x20", "x21", "x22", "x23", "x29", "x30", "sp"]));
    }
}
