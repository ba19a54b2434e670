//! The early-exit prefix of a function: the blocks from its entry that neither call out nor loop,
//! when at least one of them returns. The code generator compiles them on their own, as the function
//! callers enter, and hands every other path to a second function holding the whole body.
//!
//! Why: a function that calls out keeps values in host callee-saved registers, and the host saves
//! those at its entry, before the guest's first branch. A guest function that tests its argument
//! and returns at once (`if (n < 2) return n;`, `free(NULL)`, a cache hit) would pay for six pushes
//! and pops it never needs. Compiled alone, the prefix needs no callee-saved register, so the early
//! return is as cheap as the guest's; the other paths pay one jump into the body.
//!
//! The prefix is small (`MAX_BLOCKS`, `MAX_INSTS`) and acyclic (its edges go to later blocks only,
//! so it has no loop back-edge to poll for signals), and it ends in guest-addressed blocks only: the
//! body is entered at a prefix exit by its guest address, as the dispatcher resumes a function.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use crate::inst::{InstData, Terminator};
use crate::sync::{SyncSets, PASSED_IN_REGISTERS};
use crate::{Block, Function, Reg};

/// The most blocks a prefix holds.
pub const MAX_BLOCKS: usize = 32;
/// The most IR instructions a prefix holds (it is compiled twice: alone and within the body).
pub const MAX_INSTS: usize = 400;

/// A function's early-exit prefix.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Prefix {
    /// The blocks compiled in the prefix, the entry block first.
    pub blocks: BTreeSet<Block>,
    /// The blocks outside the prefix that its edges lead to, each with its guest address: the body
    /// is entered there.
    pub exits: Vec<(u64, Block)>,
    /// Per prefix block, the registers that may differ from the state at its end when control came
    /// through the prefix: the function's `dirty_at_end` (which covers every path, through the
    /// body too) narrowed to what the prefix's own paths write. The prefix writes back only these.
    pub dirty_at_end: BTreeMap<Block, BTreeSet<Reg>>,
}

/// The most registers an edge from the prefix into the body may store for it (`handed_over`):
/// beyond that, the paths into the body would pay more than the early exit saves.
pub const MAX_HANDED_OVER: usize = 2;

/// The early-exit prefix of `func` (whose `sync_sets` are `sync`), or `None` when splitting it would
/// not pay: no path from the entry returns or jumps out before a call, a loop or an edge into the
/// body that would store more than `MAX_HANDED_OVER` registers, or no path past the prefix calls
/// out (a function that never calls needs no callee-saved register for values live across calls).
pub fn early_exit_prefix(func: &Function, sync: &SyncSets) -> Option<Prefix> {
    let entry = func.entry();
    let mut blocks = BTreeSet::new();
    let mut beyond: BTreeSet<Block> = BTreeSet::new();
    let mut insts = 0;
    // Breadth first, so that the budget goes to the blocks nearest the entry.
    let mut work = VecDeque::from([entry]);
    while let Some(b) = work.pop_front() {
        if blocks.contains(&b) || beyond.contains(&b) {
            continue;
        }
        let bd = &func.blocks[b.index()];
        let forward_only = bd.term.successors().iter().all(|s| s.index() > b.index());
        let fits = blocks.len() < MAX_BLOCKS && insts + bd.insts.len() <= MAX_INSTS;
        let stays = match bd.term {
            Terminator::Jump { .. } | Terminator::Branch { .. } => forward_only,
            Terminator::Return { .. } | Terminator::JumpGuest { .. } => true,
            _ => false,
        };
        if b != entry && !(stays && fits) {
            beyond.insert(b);
            continue;
        }
        if !stays || !fits {
            return None;
        }
        blocks.insert(b);
        insts += bd.insts.len();
        work.extend(bd.term.successors());
    }
    // Shrink the candidates until every edge into the body is cheap and enterable: a block with an
    // edge that would hand over too much, or that leads to a block without a guest address, is
    // left to the body (it becomes an exit itself), and so, each round, is work that only leads
    // into the body (see `leaving_blocks`).
    let mut candidates = blocks;
    loop {
        let blocks = leaving_blocks(func, entry, &candidates);
        if !blocks.contains(&entry) {
            return None;
        }
        let dirty_at_end = prefix_dirty_at_end(func, sync, &blocks);
        let edges_out = blocks
            .iter()
            .flat_map(|&b| func.blocks[b.index()].term.successors().into_iter().map(move |s| (b, s)))
            .filter(|(_, s)| !blocks.contains(s));
        let costly: BTreeSet<Block> = edges_out
            .filter(|&(b, s)| {
                func.blocks[s.index()].guest_addr.is_none()
                    || handed_over(sync, &dirty_at_end[&b], b, s).len() > MAX_HANDED_OVER
            })
            .map(|(b, _)| b)
            .collect();
        if costly.contains(&entry) {
            return None;
        }
        if !costly.is_empty() {
            candidates = blocks.difference(&costly).copied().collect();
            continue;
        }
        let exits: BTreeSet<Block> = blocks
            .iter()
            .flat_map(|b| func.blocks[b.index()].term.successors())
            .filter(|s| !blocks.contains(s))
            .collect();
        if exits.is_empty() || !calls_out_past(func, &blocks) {
            return None;
        }
        let exits = exits.into_iter().filter_map(|b| func.blocks[b.index()].guest_addr.map(|a| (a, b))).collect();
        return Some(Prefix { blocks, exits, dirty_at_end });
    }
}

/// The blocks of `candidates` on a path from `entry` that leaves the function by itself (by a
/// return or a jump out) without passing a block outside `candidates`. Work that every path past
/// it hands to the body is better done in the body, where its values stay in registers instead of
/// passing through the state.
fn leaving_blocks(func: &Function, entry: Block, candidates: &BTreeSet<Block>) -> BTreeSet<Block> {
    let leaves =
        |b: &Block| matches!(func.blocks[b.index()].term, Terminator::Return { .. } | Terminator::JumpGuest { .. });
    // Prefix edges go forward, so one pass in each direction settles reachability.
    let mut reached = BTreeSet::from([entry]);
    for &b in candidates {
        if reached.contains(&b) {
            reached.extend(func.blocks[b.index()].term.successors().into_iter().filter(|s| candidates.contains(s)));
        }
    }
    let mut leaving: BTreeSet<Block> =
        reached.iter().copied().filter(|b| candidates.contains(b) && leaves(b)).collect();
    for &b in reached.iter().rev() {
        if candidates.contains(&b) && func.blocks[b.index()].term.successors().iter().any(|s| leaving.contains(s)) {
            leaving.insert(b);
        }
    }
    leaving
}

/// `Prefix::dirty_at_end` for the prefix `blocks` (whose edges go forward).
fn prefix_dirty_at_end(func: &Function, sync: &SyncSets, blocks: &BTreeSet<Block>) -> BTreeMap<Block, BTreeSet<Reg>> {
    let mut written: BTreeMap<Block, BTreeSet<Reg>> = blocks.iter().map(|&b| (b, BTreeSet::new())).collect();
    for &b in blocks {
        let bd = &func.blocks[b.index()];
        let mut here = written[&b].clone();
        here.extend(bd.insts.iter().filter_map(|&v| match func.inst(v) {
            InstData::SetReg { reg, .. } => Some(*reg),
            _ => None,
        }));
        for s in bd.term.successors() {
            if let Some(w) = written.get_mut(&s) {
                w.extend(here.iter().copied());
            }
        }
        written.insert(b, here);
    }
    written.into_iter().map(|(b, w)| (b, sync.dirty_at_end[b.index()].intersection(&w).copied().collect())).collect()
}

/// The registers the edge from prefix block `from` (with `dirty` at its end) to the exit `to`
/// stores into the state for the body, which loads what it needs from there on entering at `to`:
/// those that may have changed that `to` may read (a register dead at `to` is overwritten before
/// anything reads it, so its stale state copy is never seen), and those the edge writes back into a
/// loop that calls out. The passed registers (`PASSED_IN_REGISTERS`) travel in host registers (the
/// tail call's arguments), and the body has them dirty where it is entered, so it writes them
/// back where the state must hold them.
pub fn handed_over(sync: &SyncSets, dirty: &BTreeSet<Reg>, from: Block, to: Block) -> BTreeSet<Reg> {
    let mut regs: BTreeSet<Reg> = dirty.intersection(&sync.live_at_start[to.index()]).copied().collect();
    if let Some(more) = sync.written_back_on_edge.get(&(from.index(), to.index())) {
        // What the prefix did not write is in the state already.
        regs.extend(more.intersection(dirty).copied());
    }
    for r in PASSED_IN_REGISTERS {
        regs.remove(&r);
    }
    regs
}

/// Whether a block outside `prefix` calls out (a guest call or a system call).
fn calls_out_past(func: &Function, prefix: &BTreeSet<Block>) -> bool {
    func.blocks().any(|(b, bd)| {
        !prefix.contains(&b)
            && matches!(
                bd.term,
                Terminator::CallGuest { .. } | Terminator::CallIndirect { .. } | Terminator::Syscall { .. }
            )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reader::parse_function;
    use crate::sync::{sync_sets, CallConvention};

    /// The prefix of the function `text` describes, under the default call convention.
    fn prefix_of(text: &str) -> Option<Prefix> {
        let f = parse_function(text).unwrap();
        early_exit_prefix(&f, &sync_sets(&f, CallConvention::AAPCS64))
    }

    /// fib's shape: test the argument, return it at once or go on to a loop that calls.
    const FIB: &str = "function fib @0x1000 {
block0 @0x1000:
    v0 = getreg.i64 x0
    v1 = const.i64 0x2
    v2 = icmp.slt.i64 v0, v1
    branch v2, block3, block1
block1 @0x1008:
    call_guest 0x1000, ret 0x1010, block2
block2 @0x1010:
    v3 = getreg.i64 x24
    v4 = const.i64 0x0
    v5 = icmp.eq.i64 v3, v4
    branch v5, block4, block1
block3 @0x1020:
    v6 = getreg.i64 x30
    return v6
block4 @0x1024:
    v7 = getreg.i64 x30
    return v7
}";

    #[test]
    fn an_early_return_before_the_calls_is_split_off() {
        let p = prefix_of(FIB).expect("a prefix");
        assert_eq!(p.blocks, BTreeSet::from([Block(0), Block(3)]));
        assert_eq!(p.exits, vec![(0x1008, Block(1))]);
    }

    #[test]
    fn no_prefix_without_an_early_exit_or_without_calls() {
        // Straight into the loop that calls: nothing to gain.
        let no_exit = FIB.replace("branch v2, block3, block1", "jump block1");
        assert_eq!(prefix_of(&no_exit), None);
        // No call anywhere: the whole function is a leaf already.
        let no_call = FIB.replace("call_guest 0x1000, ret 0x1010, block2", "jump block2");
        assert_eq!(prefix_of(&no_call), None);
    }

    #[test]
    fn the_prefix_stops_at_a_loop_and_an_exit_needs_a_guest_address() {
        // block1 is a loop (it branches to itself) before the call: an exit, not part of the prefix.
        let looping = FIB.replace(
            "block1 @0x1008:\n    call_guest 0x1000, ret 0x1010, block2",
            "block1 @0x1008:\n    v8 = const.i1 0x1\n    branch v8, block1, block3",
        );
        let looping = looping.replace("branch v5, block4, block1", "call_guest 0x1000, ret 0x1024, block4");
        let p = prefix_of(&looping).expect("a prefix");
        assert_eq!(p.blocks, BTreeSet::from([Block(0), Block(3)]));
        assert_eq!(p.exits, vec![(0x1008, Block(1))]);
        // An exit without a guest address cannot be entered by the body.
        let unaddressed = FIB.replace("block1 @0x1008:", "block1:");
        assert_eq!(prefix_of(&unaddressed), None);
    }

    #[test]
    fn work_that_only_leads_into_the_body_is_left_to_the_body() {
        // block1 (a frame set-up, say) can only go on into the loop that calls: it is not compiled
        // in the prefix, whose one exit is then block1 itself.
        let text = "function f @0x1000 {
block0 @0x1000:
    v0 = getreg.i64 x0
    v1 = const.i64 0x2
    v2 = icmp.slt.i64 v0, v1
    branch v2, block4, block1
block1 @0x1008:
    v3 = const.i64 0x0
    setreg x24, v3
    jump block2
block2 @0x1010:
    call_guest 0x1000, ret 0x1014, block3
block3 @0x1014:
    v4 = getreg.i64 x24
    v5 = const.i64 0x0
    v6 = icmp.eq.i64 v4, v5
    branch v6, block4, block2
block4 @0x1020:
    v7 = getreg.i64 x30
    return v7
}";
        let p = prefix_of(text).expect("a prefix");
        assert_eq!(p.blocks, BTreeSet::from([Block(0), Block(4)]));
        assert_eq!(p.exits, vec![(0x1008, Block(1))]);
    }

    /// fib's shape with `extra` in block1, which leads to a return (block4) or into the loop
    /// that calls (block2), and with block3 also reached from the loop.
    fn with_block1(extra: &str) -> String {
        format!(
            "function f @0x1000 {{
block0 @0x1000:
    v0 = getreg.i64 x0
    v1 = const.i64 0x2
    v2 = icmp.slt.i64 v0, v1
    branch v2, block3, block1
block1 @0x1008:
{extra}    v3 = const.i1 0x1
    branch v3, block4, block2
block2 @0x1010:
    call_guest 0x1000, ret 0x1014, block5
block3 @0x1020:
    v5 = getreg.i64 x30
    return v5
block4 @0x1024:
    v6 = getreg.i64 x30
    return v6
block5 @0x1014:
    v4 = const.i64 0x7
    setreg x27, v4
    jump block3
}}"
        )
    }

    #[test]
    fn an_edge_that_would_hand_over_many_registers_is_left_to_the_body() {
        // Two registers written in block1 and read past the call are cheap enough to hand over.
        let two = "    v10 = const.i64 0x1\n    setreg x24, v10\n    setreg x25, v10\n";
        let p = prefix_of(&with_block1(two)).expect("a prefix");
        assert_eq!(p.blocks, BTreeSet::from([Block(0), Block(1), Block(3), Block(4)]));
        assert_eq!(p.exits, vec![(0x1010, Block(2))]);
        // Three are not: block1 goes to the body, and the prefix is block0 and its return.
        let three = format!("{two}    setreg x26, v10\n");
        let p = prefix_of(&with_block1(&three)).expect("a prefix");
        assert_eq!(p.blocks, BTreeSet::from([Block(0), Block(3)]));
        assert_eq!(p.exits, vec![(0x1008, Block(1))]);
    }

    #[test]
    fn the_prefix_writes_back_only_what_its_own_paths_wrote() {
        // block3 returns after the prefix and after the loop, which wrote x27: the whole function
        // may have x27 dirty there, the prefix never has.
        let text = with_block1("    v10 = const.i64 0x1\n    setreg x24, v10\n");
        let f = parse_function(&text).unwrap();
        let sync = sync_sets(&f, CallConvention::EXACT);
        assert!(sync.dirty_at_end[3].contains(&Reg::x(27)));
        let p = early_exit_prefix(&f, &sync).expect("a prefix");
        assert!(!p.dirty_at_end[&Block(3)].contains(&Reg::x(27)));
        assert!(p.dirty_at_end[&Block(4)].contains(&Reg::x(24)));
    }
}
