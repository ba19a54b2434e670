//! Shared dispatch blocks: the indirect jumps of a function that have the same recovered targets
//! (an interpreter's computed gotos, `goto *labels[op]` at the end of each of its handlers) jump
//! to one block that switches on the target, instead of each switching on its own.
//!
//! Why: each switch gives every target an edge from its jump, and each target then joins the
//! values of every register the function keeps from all of them. CPython's
//! `_PyEval_EvalFrameDefault` has 163 dispatch sites into 183 labels: 30,000 edges and about a
//! million phi operands, which LLVM took over ten minutes and 5 GB to compile. Through a shared
//! block the jumps join there once (sites + targets edges), as LLVM itself lowers `indirectbr`.
//!
//! What each edge of a jump did on its own, the jump now does before it leaves for the shared
//! block: it loads what any target needs, writes back what any edge wrote back (a loop that calls
//! out), and polls for signals when any edge polls (a back edge), with the computed target as the
//! pc. A target that is none of the recovered ones leaves from the jump's own miss block, reached
//! through a second switch on which jump came (stored with the target), which writes back what
//! that jump's block leaves dirty as before. Those blocks run only where the shared block was
//! entered from their jump, and use nothing but the function's slots.

use inkwell::llvm_sys::core::*;
use inkwell::llvm_sys::prelude::*;
use rustc_hash::FxHashMap;
use std::collections::BTreeSet;
use vmtrans_ir::inst::Terminator;
use vmtrans_ir::Reg;

use super::FnLowering;
use crate::llvm::types::NONAME;

/// The fewest jumps with the same targets, and the fewest targets, that share a dispatch block.
const MIN_SITES: usize = 2;
const MIN_TARGETS: usize = 8;

/// One shared dispatch block and what its jumps hand it.
pub(super) struct SharedDispatch {
    /// The recovered targets: guest address and block index.
    targets: Vec<(u64, usize)>,
    /// An `i64` slot for the computed target and an `i32` slot for the jump's number.
    target: LLVMValueRef,
    site: LLVMValueRef,
    /// The block that switches on the target.
    head: LLVMBasicBlockRef,
    /// Per jump, in the order they were lowered, the block it leaves the function from on a miss.
    misses: Vec<LLVMBasicBlockRef>,
}

impl FnLowering<'_> {
    /// The recovered targets of the indirect jump ending `block` that are blocks of the function.
    pub(super) fn known_indirect_targets(&self, block: usize) -> Vec<(u64, usize)> {
        self.indirect_targets_of(block).into_iter().filter_map(|a| self.block_at.get(&a).map(|&b| (a, b))).collect()
    }

    /// Groups the function's indirect jumps by their recovered targets and makes a shared dispatch
    /// for each large enough group (its slots in the entry block, where the builder must be). Not
    /// in a function that polls by leaving (a leaf: its edges would leave for resume points) nor in
    /// a prefix.
    pub(super) fn plan_shared_dispatch(&mut self, llfn: LLVMValueRef) {
        if self.polls_by_leaving || self.prefix_of.is_some() {
            return;
        }
        let mut groups: FxHashMap<Vec<(u64, usize)>, Vec<usize>> = FxHashMap::default();
        for (b, bd) in self.func.blocks() {
            if matches!(bd.term, Terminator::JumpIndirect { .. }) {
                let known = self.known_indirect_targets(b.index());
                if known.len() >= MIN_TARGETS {
                    groups.entry(known).or_default().push(b.index());
                }
            }
        }
        let mut groups: Vec<(Vec<(u64, usize)>, Vec<usize>)> =
            groups.into_iter().filter(|(_, sites)| sites.len() >= MIN_SITES).collect();
        groups.sort_by_key(|(_, sites)| sites[0]);
        for (targets, sites) in groups {
            // SAFETY: the builder is in the entry block; the blocks belong to `llfn`.
            let shared = unsafe {
                SharedDispatch {
                    targets,
                    target: LLVMBuildAlloca(self.b, self.t.i64, NONAME),
                    site: LLVMBuildAlloca(self.b, self.t.i32, NONAME),
                    head: LLVMAppendBasicBlockInContext(self.t.ctx, llfn, NONAME),
                    misses: vec![],
                }
            };
            for s in sites {
                self.shared_dispatch_of.insert(s, self.shared_dispatch.len());
            }
            self.shared_dispatch.push(shared);
        }
    }

    /// Lowers the indirect jump to `target` ending `block`, one of the shared dispatch `group`'s.
    pub(super) fn jump_through_shared_dispatch(&mut self, block: usize, target: LLVMValueRef, group: usize) {
        let dests: Vec<usize> = self.shared_dispatch[group].targets.iter().map(|&(_, i)| i).collect();
        self.load_for_successors(&dests);
        let mut regs = BTreeSet::new();
        for &d in &dests {
            if let Some(more) = self.written_back_on_edge.get(&(block, d)) {
                regs.extend(more.iter().copied());
            }
        }
        self.write_back(&regs);
        // SAFETY: every LLVM object here belongs to this function's context and builder.
        unsafe {
            let fnv = LLVMGetBasicBlockParent(LLVMGetInsertBlock(self.b));
            let polls = self.signal_poll && dests.iter().any(|&d| vmtrans_ir::poll::polls_on_edge(self.func, block, d));
            if polls {
                self.poll_before_shared_dispatch(block, target, &dests, fnv);
            }
            let SharedDispatch { target: target_slot, site, head, .. } = self.shared_dispatch[group];
            let number = self.shared_dispatch[group].misses.len();
            LLVMBuildStore(self.b, target, target_slot);
            LLVMBuildStore(self.b, self.t.const_int(self.t.i32, number as u128), site);
            LLVMBuildBr(self.b, head);
            // The miss of this jump: as the jump's own switch's default did.
            let miss = LLVMAppendBasicBlockInContext(self.t.ctx, fnv, NONAME);
            LLVMPositionBuilderAtEnd(self.b, miss);
            let computed = LLVMBuildLoad2(self.b, self.t.i64, target_slot, NONAME);
            self.flush_leaving(block);
            self.leave_to(computed, None);
            self.shared_dispatch[group].misses.push(miss);
        }
    }

    /// The poll of a jump to a shared dispatch when an edge of it goes back (`poll_edge_to`, in a
    /// function that calls out): with a signal pending, the registers any target reads are written
    /// back, the pc is the computed target, and the runtime delivers; the jump goes on unless a
    /// handler changed the state.
    fn poll_before_shared_dispatch(&mut self, block: usize, target: LLVMValueRef, dests: &[usize], fnv: LLVMValueRef) {
        // SAFETY: every LLVM object here belongs to this function's context and builder.
        unsafe {
            let deliver = LLVMAppendBasicBlockInContext(self.t.ctx, fnv, NONAME);
            let go_on = LLVMAppendBasicBlockInContext(self.t.ctx, fnv, NONAME);
            self.branch_if_signal_pending(fnv, deliver, go_on);
            LLVMPositionBuilderAtEnd(self.b, deliver);
            let live: BTreeSet<Reg> = dests.iter().flat_map(|&d| self.live_at_start[d].iter().copied()).collect();
            let regs: BTreeSet<Reg> = self.dirty_at_end[block].intersection(&live).copied().collect();
            self.set_pc(target);
            self.write_back(&regs);
            self.deliver_signals_then(fnv, go_on);
            LLVMPositionBuilderAtEnd(self.b, go_on);
        }
    }

    /// Fills in the shared dispatch blocks once every jump to them is lowered: a switch on the
    /// target to the recovered targets, and on a miss a switch on the jump's number to its miss.
    pub(super) fn finish_shared_dispatch(&mut self, bbs: &[LLVMBasicBlockRef]) {
        for shared in &self.shared_dispatch {
            // SAFETY: every LLVM object here belongs to this function's context and builder.
            unsafe {
                let fnv = LLVMGetBasicBlockParent(shared.head);
                LLVMPositionBuilderAtEnd(self.b, shared.head);
                let target = LLVMBuildLoad2(self.b, self.t.i64, shared.target, NONAME);
                let missed = LLVMAppendBasicBlockInContext(self.t.ctx, fnv, NONAME);
                let sw = LLVMBuildSwitch(self.b, target, missed, shared.targets.len() as u32);
                for &(a, i) in &shared.targets {
                    LLVMAddCase(sw, self.const64(a), bbs[i]);
                }
                LLVMPositionBuilderAtEnd(self.b, missed);
                let site = LLVMBuildLoad2(self.b, self.t.i32, shared.site, NONAME);
                let (last, others) = shared.misses.split_last().expect("a shared dispatch has jumps");
                let sw = LLVMBuildSwitch(self.b, site, *last, others.len() as u32);
                for (k, &miss) in others.iter().enumerate() {
                    LLVMAddCase(sw, self.t.const_int(self.t.i32, k as u128), miss);
                }
            }
        }
    }
}
