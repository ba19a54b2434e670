//! Registers a translated function leaves in the state until a path reads them.
//!
//! Where a function is entered, the state holds every guest register, and translated code used to
//! load at once every register some path from there may read (`SyncSets::live_at_start`). A large
//! function reads many registers on its rare paths (an error path that passes x1-x7 on to a
//! variadic reporter, say), so its common path paid for all those loads, and for keeping the values
//! alive (spilled) until the rare path that wanted them. A register nothing has written since the
//! entry still has its value in the state, though, so it can be loaded where it is first read.
//!
//! `unloaded_at_start` computes, for every block, the registers that are still *unloaded* there:
//! live at its start, and on every path from the entry neither read nor written (nor reloaded by a
//! call's continuation, which reloads what it needs itself). It is a forward must-analysis, solved
//! as a greatest fixed point, so a loop that reads a register makes it loaded on the edges into the
//! loop rather than on every iteration. The code generator then loads an unloaded register at its
//! first `getreg`, and, on an edge from a block where it is unloaded to one where it is not (a join
//! with a path that wrote it, or the way into a loop that reads it), at the end of that block. A
//! register unloaded at a call and kept across it by the call convention is reloaded after the call
//! instead of being carried through it (the callee returned it as it found it, in the state).
//!
//! Why this is exact: until a path reads or writes a register, nothing but the runtime changes its
//! state copy, and the runtime does so only at calls and system calls, after which the continuation
//! reloads every register it reads; write-backs store only registers a path wrote, so never an
//! unloaded one. Other entry points (resume points, the body's other entries) load everything
//! they need, as before.

use std::collections::BTreeSet;

use crate::entities::Block;
use crate::function::Function;
use crate::inst::Terminator;
use crate::reg::Reg;

use crate::sync::{bit, reads_and_writes, to_set, Mask};

fn mask_of<'a>(regs: impl IntoIterator<Item = &'a Reg>) -> Mask {
    regs.into_iter().fold(0, |m, &r| m | bit(r))
}

/// Per block, the registers still unloaded at its start (see the module comment) when the function
/// is entered at `entry` with the registers of `passed` in hand and every other register that
/// `live_at_start[entry]` lists left in the state, and at each block of `loaded_entries` (other
/// entry points) with every live register loaded.
pub fn unloaded_at_start(
    func: &Function,
    live_at_start: &[BTreeSet<Reg>],
    entry: Block,
    loaded_entries: &[Block],
    passed: &[Reg],
) -> Vec<BTreeSet<Reg>> {
    let n = func.blocks.len();
    let live: Vec<Mask> = live_at_start.iter().map(mask_of).collect();
    // What a block reads or writes is loaded (or defined) past it.
    let (reads, writes) = reads_and_writes(func);
    // Local control flow carries the unloaded set on; a call's or system call's continuation
    // reloads what it reads, so nothing stays unloaded through one.
    let carries: Vec<bool> = func
        .blocks
        .iter()
        .map(|bd| {
            matches!(bd.term, Terminator::Jump { .. } | Terminator::Branch { .. } | Terminator::JumpIndirect { .. })
        })
        .collect();
    let mut predecessors: Vec<Vec<usize>> = vec![vec![]; n];
    for (b, ss) in func.successor_indices().iter().enumerate() {
        for &s in ss {
            predecessors[s].push(b);
        }
    }
    // What each way in from outside the blocks brings: the first entry point leaves every live
    // register but the passed ones in the state, the others load everything.
    let mut entered_with: Vec<Option<Mask>> = vec![None; n];
    for e in loaded_entries {
        entered_with[e.index()] = Some(0);
    }
    entered_with[entry.index()] = Some(live[entry.index()] & !mask_of(passed));
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
                m &= if carries[p] { unloaded[p] & !(reads[p] | writes[p]) } else { 0 };
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
        unloaded_at_start(&f, &sync.live_at_start, f.entry(), &resumed, &PASSED_IN_REGISTERS)
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
    fn nothing_stays_unloaded_through_a_call_or_at_a_resume_point() {
        let u = unloaded(
            "function f @0x1000 {
    resume 0x1008 block2
block0 @0x1000:
    call_guest 0x2000, ret 0x1004, block1
block1 @0x1004:
    v0 = getreg.i64 x2
    setreg x0, v0
    jump block2
block2 @0x1008:
    v1 = getreg.i64 x3
    setreg x0, v1
    v2 = getreg.i64 x30
    return v2
}",
        );
        assert!(u[1].is_empty());
        assert!(u[2].is_empty());
    }
}
